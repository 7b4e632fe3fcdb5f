//! Budget change proposals and their sign-off: who may sign (`signers`), what each kind of change
//! needs (`policy`), and the proposals themselves with their SSH signatures (`proposal`).
//!
//! Budgets are contracts: a change is proposed with its reason and evidence, signed by the people
//! the policy names with the SSH keys they already have, and only then applied.

pub mod agent;
pub mod anchor;
pub mod compact;
pub mod draft;
pub mod edit;
pub mod effect;
pub mod error;
pub mod key_file;
pub mod ledger;
pub mod policy;
pub mod proposal;
pub mod signers;
pub mod state;

use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The hash of a set of files, `sha256:` and hex, over their names and contents in name order
/// (each length-prefixed, so no two sets share an encoding).
#[must_use]
pub fn files_hash(files: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hasher = Sha256::new();
    for (name, text) in sorted {
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    let mut out = String::from("sha256:");
    for byte in hasher.finalize() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// The hash of one file's text, `sha256:` and hex (a file change's `old`).
#[must_use]
pub fn text_hash(text: &str) -> String {
    let mut out = String::from("sha256:");
    for byte in Sha256::digest(text.as_bytes()) {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Whether `name` is a file of the contract that a proposal may replace, create or remove.
#[must_use]
pub fn is_contract_file(name: &str) -> bool {
    use crate::model::config::CONFIG_FILE;
    use crate::model::workspace::{POLICY_FILE, SIGNERS_FILE};
    let lower = name.to_ascii_lowercase();
    let top = name.split('/').next().unwrap_or("");
    name == SIGNERS_FILE
        || name == POLICY_FILE
        || name == CONFIG_FILE
        || ((lower.ends_with(".yaml") || lower.ends_with(".yml"))
            && name != crate::model::triage::TRIAGE_FILE
            && !["proposals", "ledger", "reports", "target", "history", crate::model::triage::TRIAGE_DIR].contains(&top)
            && !name.split('/').any(|part| part.is_empty() || part == "." || part == ".." || part.starts_with('.')))
}

/// The budgets that applied proposals loosened, with when: `(budget id, time of its ledger entry)`.
/// `headroom check` counts a worse level that began before a signed loosening of its budget as
/// accepted (the ADR's "only humans can decide to increase budgets"). Only a change that loosens
/// the budget it names counts, judged by its effect on the files as the ledger replays them: a
/// loosening needs the loosening sign-off, while a tightening (a limit lowered by 0.1 ms, which
/// one technical reviewer may approve) would otherwise wave through any regression of its budget
/// that began before it. A workspace without a readable ledger has none (`headroom verify` is what
/// reports a broken ledger); the replay stops at an entry that does not apply.
#[must_use]
pub fn applied_budget_changes(dir: &std::path::Path) -> Vec<(String, crate::model::time::Timestamp)> {
    let Ok(entries) = ledger::read_ledger(dir) else { return Vec::new() };
    let Some(mut state) = entries.first().and_then(|e| e.start.clone()) else { return Vec::new() };
    let mut out = Vec::new();
    for entry in entries.iter().skip(1) {
        let Some(p) = entry.proposal.as_ref().and_then(|text| proposal::parse_proposal("ledger", text).ok()) else { break };
        let Ok(after) = edit::apply_changes(&state, &p) else { break };
        let change = effect::effect(&state, &after);
        out.extend(p.changes.into_iter().filter(|c| change.loosens(&c.budget)).map(|c| (c.budget, entry.at)));
        state = after;
    }
    out
}

/// What is wrong with the workspace's `allowed_signers` and `approval.yaml` (each line named); empty
/// where both read or are absent. A key Headroom cannot verify, or one key under two names, is
/// refused here, when the files are loaded, not when the first proposal finds it.
#[must_use]
pub fn governance_errors(dir: &std::path::Path) -> Vec<crate::model::error::LoadError> {
    use crate::model::disk::{MAX_TEXT_BYTES, read_text};
    use crate::model::workspace::{POLICY_FILE, SIGNERS_FILE};
    let mut errors = Vec::new();
    for name in [SIGNERS_FILE, POLICY_FILE] {
        let text = match read_text(&dir.join(name), MAX_TEXT_BYTES) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                errors.push(crate::model::error::LoadError::whole_file(name, format!("cannot be read: {e}")));
                continue;
            }
        };
        let found = if name == SIGNERS_FILE { signers::parse_signers(name, &text).err() } else { policy::parse_policy(name, &text).err() };
        errors.extend(found.unwrap_or_default());
    }
    errors
}
