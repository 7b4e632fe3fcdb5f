//! `headroom verify`: the chain replayed from its start, each entry's signatures judged at its
//! time, and the result compared with the files on disk.

use super::chain::{CLOCK_SKEW_MS, check_start, current_contract, hash_of, read_ledger, superseded_by};
use super::evaluation::evaluate;
use super::words::missing_words;
use crate::approval::edit::apply_changes;
use crate::approval::proposal::parse_proposal;
use crate::model::config::CONFIG_FILE;
use crate::model::journal;
use crate::model::time::Timestamp;
use crate::model::workspace::LEDGER_FILE;
use std::collections::BTreeMap;
use std::path::Path;

/// The outcome of `headroom verify`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verification {
    /// What holds, a line each.
    pub proven: Vec<String>,
    /// What does not.
    pub problems: Vec<String>,
}

/// Proves that the budget files are the ledger's start plus its approved proposals.
#[must_use]
pub fn verify(dir: &Path) -> Verification {
    verify_at(dir, Timestamp::now())
}

/// [`verify`] with `now` as the present: no entry may be dated after it (beyond [`CLOCK_SKEW_MS`]).
#[must_use]
pub fn verify_at(dir: &Path, now: Timestamp) -> Verification {
    verify_from(dir, now, |_| None)
}

/// [`verify_at`], with `compare_with_base` run first on the verification (after the check for an
/// interrupted apply): it adds what a base revision proves or breaks, and answers the number of
/// ledger entries the base has, where there is a base (`approval::anchor::verify_against` passes
/// its comparison; from that entry on, every signature must hold now too).
#[must_use]
#[allow(clippy::too_many_lines)] // one replay of the chain, each check with its own account
pub fn verify_from(dir: &Path, now: Timestamp, compare_with_base: impl FnOnce(&mut Verification) -> Option<usize>) -> Verification {
    let mut v = Verification::default();
    if journal::pending(dir) {
        v.problems.push(format!(
            "an apply was interrupted ({} is left): run `headroom recover` (or any command that writes) to finish it",
            journal::JOURNAL_FILE
        ));
        return v;
    }
    let new_from = compare_with_base(&mut v);
    let ledger = match read_ledger(dir) {
        Ok(l) => l,
        Err(e) => {
            v.problems.push(e.to_string());
            return v;
        }
    };
    let Some(first) = ledger.first() else {
        v.problems.push("no ledger: nothing proves these budgets were agreed (run `headroom ledger start` once, and apply changes with `headroom apply`)".to_owned());
        return v;
    };
    let Some(mut state) = first.start.clone() else {
        v.problems.push(format!("{LEDGER_FILE}:1 is not a start entry"));
        return v;
    };
    let mut previous = String::new();
    let mut previous_at = first.at;
    let mut applied: BTreeMap<String, usize> = BTreeMap::new();
    // A clock a little fast on the machine that applied is not tampering.
    let latest = Timestamp(now.0 + CLOCK_SKEW_MS);
    for (i, entry) in ledger.iter().enumerate() {
        let line = i + 1;
        // Signatures are judged at the entry's time, so times must not run backwards (to a moment a
        // key was still valid) or into the future.
        if entry.at < previous_at {
            v.problems.push(format!("{LEDGER_FILE}:{line}: the entry's time {} is before the previous entry's ({previous_at})", entry.at));
            return v;
        }
        if entry.at > latest {
            v.problems.push(format!(
                "{LEDGER_FILE}:{line}: the entry's time {} is in the future (now is {now}; {} s of clock skew are allowed)",
                entry.at,
                CLOCK_SKEW_MS / 1000
            ));
            return v;
        }
        previous_at = entry.at;
        if entry.hash != entry.computed_hash() {
            v.problems.push(format!("{LEDGER_FILE}:{line}: the entry was altered (its hash does not match its content)"));
            return v;
        }
        if entry.seq != i as u64 || entry.previous != previous {
            v.problems.push(format!("{LEDGER_FILE}:{line}: the chain is broken (an entry was removed, reordered or inserted)"));
            return v;
        }
        previous.clone_from(&entry.hash);
        if i == 0 {
            if entry.after != hash_of(&state) {
                v.problems.push(format!("{LEDGER_FILE}:1: the start's hash does not match its files"));
                return v;
            }
            match &entry.proposal {
                Some(text) => match check_start(&state, text, entry.at, (new_from == Some(0)).then_some(now)) {
                    Ok((id, signed)) => {
                        applied.insert(id.clone(), line);
                        v.proven.push(format!("start {} ({} files), `{id}` governance, signed by {signed}", entry.at, state.len()));
                    }
                    Err(why) => {
                        v.problems.push(format!("{LEDGER_FILE}:1: the start {why}"));
                        return v;
                    }
                },
                None if new_from == Some(0) => {
                    v.problems.push(format!(
                        "{LEDGER_FILE}:1: the ledger starts in this change without governance sign-off: start it from a signed proposal (`headroom propose --start`, then `headroom ledger start --proposal ID`)"
                    ));
                    return v;
                }
                None => v.proven.push(format!(
                    "start {} ({} files; not signed: only a base revision can show it was agreed)",
                    entry.at,
                    state.len()
                )),
            }
            continue;
        }
        if entry.start.is_some() {
            v.problems.push(format!("{LEDGER_FILE}:{line}: a second start entry"));
            return v;
        }
        let Some(text) = &entry.proposal else {
            v.problems.push(format!("{LEDGER_FILE}:{line}: a second start entry"));
            return v;
        };
        let proposal = match parse_proposal(LEDGER_FILE, text) {
            Ok(p) => p,
            Err(e) => {
                v.problems.push(format!("{LEDGER_FILE}:{line}: the proposal does not read: {}", e[0]));
                return v;
            }
        };
        if let Some(first_line) = applied.insert(proposal.id.clone(), line) {
            v.problems.push(format!(
                "{LEDGER_FILE}:{line}: `{}` was applied already ({LEDGER_FILE}:{first_line}): a proposal applies once",
                proposal.id
            ));
            return v;
        }
        // A signature carries no time: it was made between the proposal's creation and its entry,
        // so every key must be valid over all of that span (at both ends of it).
        let Some(created) = proposal.created else {
            v.problems.push(format!("{LEDGER_FILE}:{line}: `{}` has no `created` time", proposal.id));
            return v;
        };
        if entry.at < created {
            v.problems
                .push(format!("{LEDGER_FILE}:{line}: the entry's time {} is before `{}` was created ({created})", entry.at, proposal.id));
            return v;
        }
        // A proposal whose base an earlier entry left after it was made is stale for good, even
        // where the files came back to that base: the budgets it set rest on no valid application.
        if let Some((j, by)) = superseded_by(&ledger[..i], &proposal) {
            v.problems.push(format!(
                "{LEDGER_FILE}:{line}: `{}` was stale when applied: `{by}` ({LEDGER_FILE}:{}) changed its base after it was made ({created}), so what it set is not backed by a valid application (propose it again)",
                proposal.id,
                j + 1
            ));
            return v;
        }
        let when_created = evaluate(&state, &proposal, created);
        if !when_created.approved() {
            v.problems.push(format!(
                "{LEDGER_FILE}:{line}: `{}` was not approved at its creation ({created}): {}",
                proposal.id,
                missing_words(&when_created)
            ));
            return v;
        }
        let before = hash_of(&state);
        if entry.before != before {
            v.problems.push(format!("{LEDGER_FILE}:{line}: `{}` does not start where the previous entry ended", proposal.id));
            return v;
        }
        let evaluation = evaluate(&state, &proposal, entry.at);
        if !evaluation.approved() {
            v.problems.push(format!(
                "{LEDGER_FILE}:{line}: `{}` was not approved when applied: {}",
                proposal.id,
                missing_words(&evaluation)
            ));
            return v;
        }
        let state_before = state.clone();
        match apply_changes(&state, &proposal) {
            Ok(next) => state = next,
            Err(e) => {
                v.problems.push(format!("{LEDGER_FILE}:{line}: `{}` does not apply: {e}", proposal.id));
                return v;
            }
        }
        if hash_of(&state) != entry.after {
            v.problems.push(format!("{LEDGER_FILE}:{line}: applying `{}` does not give the files the entry records", proposal.id));
            return v;
        }
        if new_from.is_some_and(|n| i >= n) {
            let today = evaluate(&state_before, &proposal, now);
            if !today.approved() {
                v.problems.push(format!(
                    "{LEDGER_FILE}:{line}: `{}` is new since the base, and its signatures do not hold now ({now}): {}",
                    proposal.id,
                    missing_words(&today)
                ));
                return v;
            }
        }
        let signed: Vec<String> = evaluation.decision.counted.iter().map(|(p, r)| format!("{p} ({r})")).collect();
        v.proven.push(format!("{} `{}` {}, signed by {}", entry.at, proposal.id, evaluation.kind.as_str(), signed.join(", ")));
    }
    compare_with_disk(dir, &state, &mut v);
    v
}

/// Where a file first differs from the ledger's result: its line, as it is and as agreed.
fn first_difference(agreed: &str, here: &str) -> String {
    let shown = |line: Option<&str>| line.map_or_else(|| "the end of the file".to_owned(), |l| format!("`{}`", l.trim()));
    let (mut agreed_lines, mut here_lines) = (agreed.lines(), here.lines());
    for number in 1.. {
        let (a, h) = (agreed_lines.next(), here_lines.next());
        if a.is_none() && h.is_none() {
            break;
        }
        if a != h {
            return format!("line {number} is {}, the ledger's result has {}", shown(h), shown(a));
        }
    }
    // Same lines, other bytes: line endings or a final line break.
    "it differs from the ledger's result in its line endings".to_owned()
}

/// Names every contract file on disk that differs from the ledger's result.
fn compare_with_disk(dir: &Path, state: &BTreeMap<String, String>, v: &mut Verification) {
    match current_contract(dir) {
        Ok(now) => {
            let mut names: Vec<&String> = now.keys().chain(state.keys()).collect();
            names.sort();
            names.dedup();
            for name in names {
                match (state.get(name), now.get(name)) {
                    (Some(a), Some(b)) if a == b => {}
                    (Some(agreed), Some(here)) => {
                        v.problems.push(format!("{name} was changed outside a proposal ({})", first_difference(agreed, here)));
                    }
                    (Some(_), None) => v.problems.push(format!("{name} was removed outside a proposal")),
                    (None, Some(_)) if name == CONFIG_FILE => v.problems.push(format!(
                        "{name} was added outside a proposal: the gate's settings are part of the contract (a ledger started before they were, or the file is new: move it aside, propose it back with `headroom propose --file {name}=PATH`, sign and apply)"
                    )),
                    (None, Some(_)) => v.problems.push(format!("{name} was added outside a proposal")),
                    (None, None) => {}
                }
            }
        }
        Err(e) => v.problems.push(e.to_string()),
    }
}
