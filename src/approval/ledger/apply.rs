//! The entries written: `headroom ledger start` (the agreed start) and `headroom apply` (an approved
//! proposal's edits and its entry, together through the journal or not at all).

use super::chain::{
    CLOCK_SKEW_MS, Entry, append, appended, applied_ids, check_start, current_contract, hash_of, read_ledger, superseded_by,
};
use super::evaluation::evaluate;
use super::folder::read_proposal;
use super::words::missing_words;
use crate::approval::edit::apply_changes;
use crate::approval::error::ApprovalError;
use crate::model::journal::{self, FileWrite};
use crate::model::lock::WorkspaceLock;
use crate::model::time::Timestamp;
use crate::model::workspace::LEDGER_FILE;
use std::path::Path;

/// Applies the approved proposal `id`: refuses a stale one, one whose signatures do not meet the
/// policy, and any where the budget files no longer match the ledger; otherwise changes the
/// values in place and appends the entry, all together or not at all (through the journal).
pub fn apply_proposal(dir: &Path, id: &str, at: Timestamp) -> Result<Entry, ApprovalError> {
    // The whole apply holds the lock: two applies at once must not both build on the same last entry.
    let _lock = WorkspaceLock::acquire(dir, LEDGER_FILE)?;
    let ledger = read_ledger(dir)?;
    let Some(last) = ledger.last() else {
        return Err(ApprovalError::Refused(
            "no ledger yet: run `headroom ledger start` to record today's budgets as the agreed start".to_owned(),
        ));
    };
    let files = current_contract(dir)?;
    let now = hash_of(&files);
    if now != last.after {
        return Err(ApprovalError::Refused(
            "the budget files differ from the ledger's last entry (edited outside a proposal?): run `headroom verify`".to_owned(),
        ));
    }
    let (proposal, text) = read_proposal(dir, id)?;
    if applied_ids(&ledger).contains(&proposal.id) {
        return Err(ApprovalError::Refused(format!("the proposal `{id}` is already applied")));
    }
    if let Some((i, by)) = superseded_by(&ledger, &proposal) {
        return Err(ApprovalError::Refused(format!(
            "stale for good: `{id}` was made ({}) for the budget files {}, which `{by}` ({LEDGER_FILE}:{}, applied at {}) changed since; that the files are back does not bring it back (its signers judged it before `{by}` was decided): propose again",
            proposal.created.map_or_else(|| "no time".to_owned(), |t| t.to_string()),
            proposal.base,
            i + 1,
            ledger[i].at
        )));
    }
    // The entry's time: now, but never before the last entry or the proposal's creation (within
    // the clock skew verify allows), so that honest entries always verify.
    let created = proposal.created.ok_or_else(|| ApprovalError::Invalid(format!("`{id}` has no `created` time")))?;
    let latest = Timestamp(at.0 + CLOCK_SKEW_MS);
    if last.at > latest {
        return Err(ApprovalError::Refused(format!(
            "the ledger's last entry is dated {}, in the future (now is {at}): check this machine's clock",
            last.at
        )));
    }
    if created > latest {
        return Err(ApprovalError::Refused(format!("`{id}` was created at {created}, in the future (now is {at}): check the clocks")));
    }
    let at = at.max(last.at).max(created);
    let evaluation = evaluate(&files, &proposal, at);
    if !evaluation.current {
        return Err(ApprovalError::Refused(format!(
            "stale: `{id}` was made for other budget files ({}) than these ({now}); propose again",
            proposal.base
        )));
    }
    if !evaluation.approved() {
        return Err(ApprovalError::Refused(format!("`{id}` is not approved: {}", missing_words(&evaluation))));
    }
    let when_created = evaluate(&files, &proposal, created);
    if !when_created.approved() {
        return Err(ApprovalError::Refused(format!(
            "`{id}` was not approved at its creation ({created}): {}",
            missing_words(&when_created)
        )));
    }
    let after = apply_changes(&files, &proposal)?;
    let mut entry = Entry {
        seq: last.seq + 1,
        at,
        start: None,
        proposal: Some(text),
        before: now,
        after: hash_of(&after),
        previous: last.hash.clone(),
        hash: String::new(),
    };
    entry.hash = entry.computed_hash();
    // The changed files, the removed ones and the ledger with its new entry land together or not
    // at all: through the workspace's journal (see `model::journal`).
    let mut writes: Vec<FileWrite> =
        after.iter().filter(|(name, new)| files.get(*name) != Some(*new)).map(|(name, new)| (name.clone(), Some(new.clone()))).collect();
    writes.extend(files.keys().filter(|name| !after.contains_key(*name)).map(|name| (name.clone(), None)));
    writes.push((LEDGER_FILE.to_owned(), Some(appended(dir, &entry)?)));
    journal::commit(dir, &writes)?;
    Ok(entry)
}

/// Starts the ledger: records the contract files as they are now as the agreed start. With
/// `proposal` (the id of a start proposal, see `headroom propose --start`), the start carries its
/// signatures, which must meet the policy's governance requirement; without, the start is
/// unsigned, and only a base revision that already has it can show it was agreed.
pub fn start_ledger(dir: &Path, at: Timestamp, proposal: Option<&str>) -> Result<Entry, ApprovalError> {
    let _lock = WorkspaceLock::acquire(dir, LEDGER_FILE)?;
    if !read_ledger(dir)?.is_empty() {
        return Err(ApprovalError::Refused(format!("{} already has a ledger; it is only ever appended to", dir.display())));
    }
    let errors = crate::approval::governance_errors(dir);
    if let Some(e) = errors.first() {
        return Err(ApprovalError::Invalid(format!("the ledger cannot start from signers or a policy that do not read: {e}")));
    }
    let files = current_contract(dir)?;
    let (at, text) = match proposal {
        Some(id) => {
            let (p, text) = read_proposal(dir, id)?;
            let at = at.max(p.created.unwrap_or(at));
            check_start(&files, &text, at, None)
                .map_err(|why| ApprovalError::Refused(format!("cannot start from `{id}`: the start {why}")))?;
            (at, Some(text))
        }
        None => (at, None),
    };
    let mut entry = Entry {
        seq: 0,
        at,
        after: hash_of(&files),
        start: Some(files),
        proposal: text,
        before: String::new(),
        previous: String::new(),
        hash: String::new(),
    };
    entry.hash = entry.computed_hash();
    append(dir, &entry)?;
    Ok(entry)
}
