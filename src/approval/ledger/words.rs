//! What an evaluation lacks, in English, for the CLI, the app and the report.

use super::evaluation::Evaluation;

/// What an evaluation lacks, in words.
#[must_use]
pub fn missing_words(e: &Evaluation) -> String {
    let mut parts: Vec<String> = e.problems.clone();
    parts.extend(
        e.signatures
            .iter()
            .filter_map(|s| s.outcome.as_ref().err().map(|why| format!("the signature of {} does not count: {why}", s.principal))),
    );
    parts.extend(e.decision.missing.iter().map(|(role, n)| format!("needs {n} more {role} sign-off{}", if *n == 1 { "" } else { "s" })));
    if !e.author_signed {
        // A draft whose author is not named yet has none to name here.
        if e.author.trim().is_empty() {
            parts.push("needs the author's own signature (the author never counts as an approver)".to_owned());
        } else {
            parts.push(format!("needs the author's own signature ({}, who never counts as an approver)", e.author));
        }
    }
    if parts.is_empty() { "nothing".to_owned() } else { parts.join("; ") }
}
