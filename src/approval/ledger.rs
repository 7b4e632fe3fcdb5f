//! The ledger: every applied proposal, in order, in a hash chain (`ledger/ledger.jsonl`), and the
//! proof `headroom verify` makes from it.
//!
//! ```text
//!  entry 0  start   files of the contract as agreed          after = H(files)      hash0
//!  entry 1  apply   proposal + signatures, before = H(...)   after = H(files')     hash1 = H(entry, prev hash0)
//!  entry 2  apply   ...                                                            hash2 = H(entry, prev hash1)
//! ```
//!
//! Verify replays the chain from the start's files: each proposal must start where the previous
//! entry ended, carry valid signatures (keys valid at the time of the entry, from the signers file
//! of that moment) that meet the policy of that moment, and, applied with the same in-place
//! editor, end where its entry says. The files on disk must then be the replay's result: a budget
//! edited by hand, an entry removed, reordered or altered, all break it.

use super::edit::apply_changes;
use super::files_hash;
use super::policy::{ChangeKind, Decision, POLICY_FILE, Policy, parse_policy};
use super::proposal::{PROPOSALS_DIR, Proposal, Signature, SignatureCheck, parse_proposal};
use super::signers::{SIGNERS_FILE, parse_signers};
use crate::model::lock::WorkspaceLock;
use crate::model::time::Timestamp;
use crate::model::units::Direction;
use crate::model::workspace::{Workspace, contract_files, write_atomic};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::path::Path;

/// The ledger's file, relative to the workspace's root.
pub const LEDGER_FILE: &str = "ledger/ledger.jsonl";

/// What a proposal needs and has, judged against a set of contract files at a moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Loosening, tightening or governance.
    pub kind: ChangeKind,
    /// Each signature and whether it holds.
    pub signatures: Vec<SignatureCheck>,
    /// Who counts for which role, and what is missing.
    pub decision: Decision,
    /// Whether the proposal starts from these files.
    pub current: bool,
    /// Problems with the signers or policy files themselves.
    pub problems: Vec<String>,
}

impl Evaluation {
    /// Whether it may be applied to these files now.
    #[must_use]
    pub fn approved(&self) -> bool {
        self.current && self.decision.met() && self.problems.is_empty()
    }
}

/// Judges `proposal` against `files` (the contract) at `at`.
#[must_use]
pub fn evaluate(files: &BTreeMap<String, String>, proposal: &Proposal, at: Timestamp) -> Evaluation {
    let mut problems = Vec::new();
    let signers = match files.get(SIGNERS_FILE).map(|t| parse_signers(SIGNERS_FILE, t)) {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            problems.extend(e.iter().map(ToString::to_string));
            Vec::new()
        }
        None => {
            problems.push(format!("no {SIGNERS_FILE} file: nobody may sign"));
            Vec::new()
        }
    };
    let policy = match files.get(POLICY_FILE).map(|t| parse_policy(POLICY_FILE, t)) {
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            problems.extend(e.iter().map(ToString::to_string));
            Policy::default()
        }
        None => {
            problems.push(format!("no {POLICY_FILE} file: no roles, so nothing can be approved"));
            Policy::default()
        }
    };
    let signatures = proposal.check_signatures(&signers, at);
    let valid: Vec<String> = signatures.iter().filter(|c| c.outcome.is_ok()).map(|c| c.principal.clone()).collect();
    let kind = kind_of(files, proposal);
    let decision = policy.decide(kind, &proposal.author, &valid);
    let list: Vec<(String, String)> = files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    Evaluation { kind, signatures, decision, current: proposal.base == files_hash(&list), problems }
}

/// Governance where it changes the policy or the signers; loosening where it replaces a budget
/// file (it could change anything) or a change makes a budget more lenient; else tightening.
fn kind_of(files: &BTreeMap<String, String>, proposal: &Proposal) -> ChangeKind {
    if proposal.files.iter().any(|f| f.file == POLICY_FILE || f.file == SIGNERS_FILE) {
        return ChangeKind::Governance;
    }
    if !proposal.files.is_empty() {
        return ChangeKind::Loosen;
    }
    let list: Vec<(String, String)> = files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let workspace = Workspace::from_files("", &list);
    let loosens = proposal.changes.iter().any(|c| {
        let direction = workspace.budget(&c.budget).map_or(Direction::LowerIsBetter, |b| b.direction);
        match direction {
            Direction::LowerIsBetter => c.new > c.old,
            Direction::HigherIsBetter => c.new < c.old,
        }
    });
    if loosens { ChangeKind::Loosen } else { ChangeKind::Tighten }
}

fn sha256_hex(text: &str) -> String {
    files_hash(&[(String::new(), text.to_owned())])
}

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

    fn computed_hash(&self) -> String {
        sha256_hex(&self.body().to_string())
    }

    fn line(&self) -> String {
        let mut body = self.body();
        body["hash"] = Json::String(self.hash.clone());
        body.to_string()
    }

    fn parse(line: &str, number: usize) -> Result<Entry, String> {
        let v: Json = serde_json::from_str(line).map_err(|e| format!("{LEDGER_FILE}:{number}: not JSON: {e}"))?;
        let text =
            |k: &str| v.get(k).and_then(Json::as_str).map(str::to_owned).ok_or_else(|| format!("{LEDGER_FILE}:{number}: `{k}` is missing"));
        let start = match v.get("start").and_then(|s| s.get("files")) {
            Some(files) => Some(serde_json::from_value(files.clone()).map_err(|e| format!("{LEDGER_FILE}:{number}: `start.files`: {e}"))?),
            None => None,
        };
        Ok(Entry {
            seq: v.get("seq").and_then(Json::as_u64).ok_or_else(|| format!("{LEDGER_FILE}:{number}: `seq` is missing"))?,
            at: Timestamp::parse(&text("at")?).map_err(|e| format!("{LEDGER_FILE}:{number}: `at`: {e}"))?,
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
pub fn read_ledger(dir: &Path) -> Result<Vec<Entry>, String> {
    let path = dir.join(LEDGER_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| Entry::parse(l, i + 1)).collect()
}

fn append(dir: &Path, entry: &Entry) -> Result<(), String> {
    let path = dir.join(LEDGER_FILE);
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    text.push_str(&entry.line());
    text.push('\n');
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    write_atomic(&path, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The contract files of `dir` as they are now (path → text).
pub fn current_contract(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    contract_files(dir).map(|f| f.into_iter().collect()).map_err(|e| format!("cannot read the budget files in {}: {e}", dir.display()))
}

/// The ids of the proposals the ledger has applied.
fn applied_ids(ledger: &[Entry]) -> Vec<String> {
    ledger.iter().filter_map(|e| e.proposal.as_deref().and_then(|t| parse_proposal("", t).ok()).map(|p| p.id)).collect()
}

fn hash_of(files: &BTreeMap<String, String>) -> String {
    let list: Vec<(String, String)> = files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    files_hash(&list)
}

/// Starts the ledger: records the contract files as they are now as the agreed start.
pub fn start_ledger(dir: &Path, at: Timestamp) -> Result<Entry, String> {
    let _lock = WorkspaceLock::acquire(dir, LEDGER_FILE).map_err(|e| e.to_string())?;
    if !read_ledger(dir)?.is_empty() {
        return Err(format!("{} already has a ledger; it is only ever appended to", dir.display()));
    }
    let files = current_contract(dir)?;
    let mut entry = Entry {
        seq: 0,
        at,
        after: hash_of(&files),
        start: Some(files),
        proposal: None,
        before: String::new(),
        previous: String::new(),
        hash: String::new(),
    };
    entry.hash = entry.computed_hash();
    append(dir, &entry)?;
    Ok(entry)
}

/// The proposal file of `id`.
#[must_use]
pub fn proposal_path(dir: &Path, id: &str) -> std::path::PathBuf {
    dir.join(PROPOSALS_DIR).join(format!("{id}.yaml"))
}

/// The folder of the proposal `id`'s signatures: one file per signer,
/// `proposals/<id>.signatures/<principal>.sig`, holding the armored SSH signature as
/// `ssh-keygen -Y sign` writes it. Signers never share a file, so three people signing at once, or
/// on three git branches, each add their own.
#[must_use]
pub fn signatures_dir(dir: &Path, id: &str) -> std::path::PathBuf {
    dir.join(PROPOSALS_DIR).join(format!("{id}{SIGNATURES_SUFFIX}"))
}

/// What follows a proposal's id in the name of its signatures' folder.
pub const SIGNATURES_SUFFIX: &str = ".signatures";

/// The signature file of `principal` on the proposal `id`.
#[must_use]
pub fn signature_path(dir: &Path, id: &str, principal: &str) -> std::path::PathBuf {
    signatures_dir(dir, id).join(format!("{}.sig", crate::model::names::encode(principal)))
}

/// Writes `principal`'s signature of the proposal `id` to its own file (replacing their earlier one).
pub fn write_signature(dir: &Path, id: &str, principal: &str, armored: &str) -> Result<std::path::PathBuf, String> {
    let path = signature_path(dir, id, principal);
    let _lock = WorkspaceLock::acquire(dir, &format!("{PROPOSALS_DIR}/{id}{SIGNATURES_SUFFIX}")).map_err(|e| e.to_string())?;
    let folder = signatures_dir(dir, id);
    std::fs::create_dir_all(&folder)
        .and_then(|()| write_atomic(&path, format!("{}\n", armored.trim()).as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// Reads the proposal file at `path` (`proposals/<stem>.yaml`) with the signatures in its folder
/// `proposals/<stem>.signatures/` (a signer's file there wins over their signature in the
/// proposal file, where older versions wrote it). The text is the file's, or, where signature
/// files were added, the proposal with all its signatures, as the ledger records it.
fn load_proposal(dir: &Path, path: &Path) -> Result<(Proposal, String), String> {
    let stem = path.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name = format!("{PROPOSALS_DIR}/{stem}.yaml");
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut proposal = parse_proposal(&name, &text).map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))?;
    let folder = signatures_dir(dir, &stem);
    let mut files: Vec<std::path::PathBuf> = match std::fs::read_dir(&folder) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "sig")).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((proposal, text)),
        Err(e) => return Err(format!("cannot read {}: {e}", folder.display())),
    };
    if files.is_empty() {
        return Ok((proposal, text));
    }
    files.sort();
    for file in files {
        let shown =
            format!("{PROPOSALS_DIR}/{stem}{SIGNATURES_SUFFIX}/{}", file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
        let principal = file
            .file_stem()
            .and_then(|n| crate::model::names::decode(&n.to_string_lossy()))
            .ok_or_else(|| format!("{shown}: the file's name is not a principal written by Headroom"))?;
        let armored = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {shown}: {e}"))?;
        proposal.signatures.retain(|s| s.principal != principal);
        proposal.signatures.push(Signature { principal, armored: armored.trim().to_owned() });
    }
    let text = proposal.to_yaml();
    Ok((proposal, text))
}

/// Reads the proposal `id` with all its signatures, and its text.
pub fn read_proposal(dir: &Path, id: &str) -> Result<(Proposal, String), String> {
    load_proposal(dir, &proposal_path(dir, id))
}

/// One file of `proposals/`: its proposal judged against the budget files now and whether the
/// ledger has applied it, or why it does not read (the message names the file).
pub type ListedProposal = Result<(Proposal, Evaluation, bool), String>;

/// Every file of the workspace's `proposals/`, in name order.
#[must_use]
pub fn list_proposals(dir: &Path, at: Timestamp) -> Vec<ListedProposal> {
    let Ok(files) = current_contract(dir) else { return Vec::new() };
    let applied = applied_ids(&read_ledger(dir).unwrap_or_default());
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(dir.join(PROPOSALS_DIR))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "yaml")).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let (p, _) = load_proposal(dir, &path)?;
            let e = evaluate(&files, &p, at);
            let done = applied.contains(&p.id);
            Ok((p, e, done))
        })
        .collect()
}

/// Every proposal in the workspace not yet applied, judged against the budget files now; a file
/// that does not read is skipped with its error.
#[must_use]
pub fn open_proposals(dir: &Path, at: Timestamp) -> (Vec<(Proposal, Evaluation)>, Vec<String>) {
    let (mut open, mut errors) = (Vec::new(), Vec::new());
    for listed in list_proposals(dir, at) {
        match listed {
            Ok((_, _, true)) => {}
            Ok((p, e, false)) => open.push((p, e)),
            Err(e) => errors.push(e),
        }
    }
    (open, errors)
}

/// Applies the approved proposal `id`: refuses a stale one, one whose signatures do not meet the
/// policy, and any where the budget files no longer match the ledger; otherwise changes the
/// values in place (atomic writes) and appends the entry.
pub fn apply_proposal(dir: &Path, id: &str, at: Timestamp) -> Result<Entry, String> {
    // The whole apply holds the lock: two applies at once must not both build on the same last entry.
    let _lock = WorkspaceLock::acquire(dir, LEDGER_FILE).map_err(|e| e.to_string())?;
    let ledger = read_ledger(dir)?;
    let Some(last) = ledger.last() else {
        return Err("no ledger yet: run `headroom ledger start` to record today's budgets as the agreed start".to_owned());
    };
    let files = current_contract(dir)?;
    let now = hash_of(&files);
    if now != last.after {
        return Err("the budget files differ from the ledger's last entry (edited outside a proposal?): run `headroom verify`".to_owned());
    }
    let (proposal, text) = read_proposal(dir, id)?;
    if applied_ids(&ledger).contains(&proposal.id) {
        return Err(format!("the proposal `{id}` is already applied"));
    }
    let evaluation = evaluate(&files, &proposal, at);
    if !evaluation.current {
        return Err(format!("stale: `{id}` was made for other budget files ({}) than these ({now}); propose again", proposal.base));
    }
    if !evaluation.approved() {
        return Err(format!("`{id}` is not approved: {}", missing_words(&evaluation)));
    }
    let after = apply_changes(&files, &proposal)?;
    for (name, new) in &after {
        if files.get(name) != Some(new) {
            write_atomic(&dir.join(name), new.as_bytes()).map_err(|e| format!("cannot write {name}: {e}"))?;
        }
    }
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
    append(dir, &entry)?;
    Ok(entry)
}

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
    if parts.is_empty() { "nothing".to_owned() } else { parts.join("; ") }
}

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
    let mut v = Verification::default();
    let ledger = match read_ledger(dir) {
        Ok(l) => l,
        Err(e) => {
            v.problems.push(e);
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
    // A clock a few minutes fast on the machine that applied is not tampering.
    let latest = Timestamp(Timestamp::now().0 + 10 * 60_000);
    for (i, entry) in ledger.iter().enumerate() {
        let line = i + 1;
        // Signatures are judged at the entry's time, so times must not run backwards (to a moment a
        // key was still valid) or into the future.
        if entry.at < previous_at || entry.at > latest {
            v.problems.push(format!("{LEDGER_FILE}:{line}: the entry's time {} is before the previous entry's or in the future", entry.at));
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
            v.proven.push(format!("start {} ({} files)", entry.at, state.len()));
            continue;
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
        let signed: Vec<String> = evaluation.decision.counted.iter().map(|(p, r)| format!("{p} ({r})")).collect();
        v.proven.push(format!("{} `{}` {}, signed by {}", entry.at, proposal.id, evaluation.kind.as_str(), signed.join(", ")));
    }
    compare_with_disk(dir, &state, &mut v);
    v
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
                    (Some(_), Some(_)) => {
                        v.problems.push(format!("{name} was changed outside a proposal (it differs from the ledger's result)"));
                    }
                    (Some(_), None) => v.problems.push(format!("{name} was removed outside a proposal")),
                    (None, Some(_)) => v.problems.push(format!("{name} was added outside a proposal")),
                    (None, None) => {}
                }
            }
        }
        Err(e) => v.problems.push(e),
    }
}
