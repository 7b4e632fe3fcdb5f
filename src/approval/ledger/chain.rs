//! The hash chain itself (`ledger/ledger.jsonl`): its entries, reading and appending them, the
//! start.

use super::evaluation::{evaluate, is_start};
use super::words::missing_words;
use crate::approval::edit::{EditError, apply_changes};
use crate::approval::error::ApprovalError;
use crate::approval::files_hash;
use crate::approval::policy::ChangeKind;
use crate::approval::proposal::{Proposal, parse_proposal};
use crate::model::disk::{MAX_TEXT_BYTES, read_text, write_atomic};
use crate::model::error::LoadError;
use crate::model::time::Timestamp;
use crate::model::workspace::{LEDGER_FILE, contract_files};
use crate::model::yaml::Pos;
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::path::Path;

fn sha256_hex(text: &str) -> String {
    files_hash(&[(String::new(), text.to_owned())])
}

/// How far a ledger entry may be dated past this machine's clock: clocks of the machines that
/// apply are a little apart, but an entry from the future would make every honest entry after it
/// look backdated.
pub const CLOCK_SKEW_MS: i64 = 2 * 60_000;

/// One line of the ledger.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Its place, from 0.
    pub seq: u64,
    /// When it was written.
    pub at: Timestamp,
    /// For the start: the contract files as agreed.
    pub start: Option<BTreeMap<String, String>>,
    /// For an applied proposal: the proposal with its signatures, as its file read.
    pub proposal: Option<String>,
    /// The contract's hash before (empty for the start).
    pub before: String,
    /// The contract's hash after.
    pub after: String,
    /// The previous entry's hash (empty for the start).
    pub previous: String,
    /// This entry's hash, over all of the above.
    pub hash: String,
}

impl Entry {
    fn body(&self) -> Json {
        let mut body = json!({"seq": self.seq, "at": self.at.to_string()});
        if let Some(files) = &self.start {
            body["start"] = json!({"files": files});
        }
        if let Some(p) = &self.proposal {
            body["proposal"] = Json::String(p.clone());
        }
        body["before"] = Json::String(self.before.clone());
        body["after"] = Json::String(self.after.clone());
        body["previous"] = Json::String(self.previous.clone());
        body
    }

    pub(super) fn computed_hash(&self) -> String {
        sha256_hex(&self.body().to_string())
    }

    fn line(&self) -> String {
        let mut body = self.body();
        body["hash"] = Json::String(self.hash.clone());
        body.to_string()
    }

    fn parse(line: &str, number: usize) -> Result<Entry, LoadError> {
        let line_number = u32::try_from(number).unwrap_or(u32::MAX);
        let at_line = |field: &str, message: String| LoadError::new(LEDGER_FILE, Pos { line: line_number, column: 0 }, field, message);
        let v: Json = serde_json::from_str(line).map_err(|e| at_line("", format!("not JSON: {e}")))?;
        let missing = |k: &str| at_line("", format!("`{k}` is missing"));
        let text = |k: &str| v.get(k).and_then(Json::as_str).map(str::to_owned).ok_or_else(|| missing(k));
        let start = match v.get("start").and_then(|s| s.get("files")) {
            Some(files) => Some(serde_json::from_value(files.clone()).map_err(|e| at_line("start.files", e.to_string()))?),
            None => None,
        };
        Ok(Entry {
            seq: v.get("seq").and_then(Json::as_u64).ok_or_else(|| missing("seq"))?,
            at: Timestamp::parse(&text("at")?).map_err(|e| at_line("at", e.to_string()))?,
            start,
            proposal: v.get("proposal").and_then(Json::as_str).map(str::to_owned),
            before: text("before")?,
            after: text("after")?,
            previous: text("previous")?,
            hash: text("hash")?,
        })
    }
}

/// Reads the ledger (empty where there is none yet).
pub fn read_ledger(dir: &Path) -> Result<Vec<Entry>, ApprovalError> {
    let path = dir.join(LEDGER_FILE);
    let text = match read_text(&path, MAX_TEXT_BYTES) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ApprovalError::io("read", path, e)),
    };
    Ok(text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| Entry::parse(l, i + 1)).collect::<Result<_, _>>()?)
}

/// The ledger's text with `entry` appended.
pub(super) fn appended(dir: &Path, entry: &Entry) -> Result<String, ApprovalError> {
    let path = dir.join(LEDGER_FILE);
    let mut text = match read_text(&path, MAX_TEXT_BYTES) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(ApprovalError::io("read", path, e)),
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&entry.line());
    text.push('\n');
    Ok(text)
}

pub(super) fn append(dir: &Path, entry: &Entry) -> Result<(), ApprovalError> {
    let path = dir.join(LEDGER_FILE);
    let text = appended(dir, entry)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| ApprovalError::io("create", parent, e))?;
    }
    write_atomic(&path, text.as_bytes()).map_err(|e| ApprovalError::io("write", path, e))
}

/// The contract files of `dir` as they are now (path → text).
pub fn current_contract(dir: &Path) -> Result<BTreeMap<String, String>, ApprovalError> {
    contract_files(dir).map(|f| f.into_iter().collect()).map_err(|e| ApprovalError::io("read the budget files in", dir, e))
}

/// The ids of the proposals the ledger has applied.
pub(super) fn applied_ids(ledger: &[Entry]) -> Vec<String> {
    ledger.iter().filter_map(|e| e.proposal.as_deref().and_then(|t| parse_proposal("", t).ok()).map(|p| p.id)).collect()
}

/// The entry that superseded `proposal` where one did: an applied change that started from the
/// proposal's base and left it after the proposal was made. Such a proposal is stale for good,
/// even where a later change brings its exact base back (a budget 30 → 25 → 30): its signers
/// judged it against the budgets as they were before that decision, and it must be proposed and
/// signed again. "After it was made" is by the entries' and the proposal's times, less the clock
/// skew the ledger allows ([`CLOCK_SKEW_MS`]); an entry that left the base within that skew before
/// the proposal's creation does not count where the ledger came back to the base before the
/// creation (the proposal was then made on the base that came back). Returns the entry's index in
/// `ledger` (its line is one more) and the id of the proposal it applied. The start and entries
/// that do not read never supersede.
#[must_use]
pub fn superseded_by(ledger: &[Entry], proposal: &Proposal) -> Option<(usize, String)> {
    // Without a time of creation (which `apply` and `verify` refuse anyway) every later change counts.
    let created = proposal.created.map_or(i64::MIN, |t| t.0);
    let left = |e: &Entry| e.before == proposal.base && e.after != proposal.base;
    let came_back_before_creation = |from: usize| ledger[from..].iter().any(|r| r.after == proposal.base && r.at.0 <= created);
    ledger.iter().enumerate().skip(1).find_map(|(i, e)| {
        if !left(e) || e.at.0.saturating_add(CLOCK_SKEW_MS) < created || came_back_before_creation(i + 1) {
            return None;
        }
        let id = e.proposal.as_deref().and_then(|t| parse_proposal(LEDGER_FILE, t).ok()).map(|p| p.id)?;
        (id != proposal.id).then_some((i, id))
    })
}

pub(super) fn hash_of(files: &BTreeMap<String, String>) -> String {
    let list: Vec<(String, String)> = files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    files_hash(&list)
}

/// Why a ledger's start does not hold; its text follows "the start" in a sentence.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub(super) enum StartFault {
    /// The start's proposal does not read.
    #[error("proposal does not read: {0}")]
    Unreadable(LoadError),
    /// It is not made from no files.
    #[error("proposal `{0}` is not a start proposal (made from no files)")]
    NotAStart(String),
    /// It has no `created` time.
    #[error("proposal `{0}` has no `created` time")]
    NoCreatedTime(String),
    /// The entry is older than the proposal.
    #[error("entry's time {at} is before `{id}` was created ({created})")]
    BeforeCreated {
        /// The proposal.
        id: String,
        /// The entry's time.
        at: Timestamp,
        /// The proposal's.
        created: Timestamp,
    },
    /// Its changes do not apply to no files.
    #[error("proposal `{0}` does not apply: {1}")]
    DoesNotApply(String, EditError),
    /// It creates other files than the start's.
    #[error("files are not those the proposal `{0}` creates")]
    OtherFiles(String),
    /// Its governance sign-off does not hold at a moment it must.
    #[error("proposal `{id}` is not approved at {at}: {missing}")]
    NotApproved {
        /// The proposal.
        id: String,
        /// The moment.
        at: Timestamp,
        /// What it lacks, in words.
        missing: String,
    },
}

/// Checks the signed proposal `text` of a ledger's start against the start's `files` at `at`
/// (and at `also_now`, for a start the base does not have): it is a start proposal, creates
/// exactly these files, and carries the governance sign-off of the signers and policy it creates.
/// Returns its id and who signed, in words.
pub(super) fn check_start(
    files: &BTreeMap<String, String>,
    text: &str,
    at: Timestamp,
    also_now: Option<Timestamp>,
) -> Result<(String, String), StartFault> {
    let proposal = parse_proposal(LEDGER_FILE, text).map_err(|mut e| StartFault::Unreadable(e.swap_remove(0)))?;
    let id = || proposal.id.clone();
    if !is_start(&proposal) {
        return Err(StartFault::NotAStart(id()));
    }
    let created = proposal.created.ok_or_else(|| StartFault::NoCreatedTime(id()))?;
    if at < created {
        return Err(StartFault::BeforeCreated { id: id(), at, created });
    }
    let empty = BTreeMap::new();
    let made = apply_changes(&empty, &proposal).map_err(|e| StartFault::DoesNotApply(id(), e))?;
    if &made != files {
        return Err(StartFault::OtherFiles(id()));
    }
    for moment in [Some(created), Some(at), also_now].into_iter().flatten() {
        let e = evaluate(&empty, &proposal, moment);
        if e.kind != ChangeKind::Governance || !e.approved() {
            return Err(StartFault::NotApproved { id: id(), at: moment, missing: missing_words(&e) });
        }
    }
    let e = evaluate(&empty, &proposal, at);
    let signed: Vec<String> = e.decision.counted.iter().map(|(p, r)| format!("{p} ({r})")).collect();
    Ok((proposal.id, signed.join(", ")))
}
