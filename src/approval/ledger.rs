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
use super::effect::{Effect, effect};
use super::files_hash;
use super::policy::{ChangeKind, Decision, POLICY_FILE, Policy, parse_policy};
use super::proposal::{PROPOSALS_DIR, Proposal, Signature, SignatureCheck, check_id, parse_proposal};
use super::signers::{SIGNERS_FILE, parse_signers};
use crate::model::journal::{self, FileWrite};
use crate::model::lock::WorkspaceLock;
use crate::model::time::Timestamp;
use crate::model::workspace::{CONFIG_FILE, MAX_TEXT_BYTES, contract_files, read_text, write_atomic};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::path::Path;

/// The ledger's file, relative to the workspace's root.
pub use crate::model::workspace::LEDGER_FILE;

/// What a proposal needs and has, judged against a set of contract files at a moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Loosening, tightening or governance (the most demanding, where it is several).
    pub kind: ChangeKind,
    /// What it does to every budget and gate setting, by effect.
    pub effect: Effect,
    /// Each signature and whether it holds.
    pub signatures: Vec<SignatureCheck>,
    /// Who counts for which role, and what is missing.
    pub decision: Decision,
    /// Whether the proposal starts from these files.
    pub current: bool,
    /// Problems with the signers or policy files themselves.
    pub problems: Vec<String>,
    /// Whether the author signed it with their own key: the author is who the proposal says only
    /// where that person's signature proves it (and the author never counts as an approver).
    pub author_signed: bool,
    /// The author the proposal names.
    pub author: String,
}

impl Evaluation {
    /// Whether it may be applied to these files now.
    #[must_use]
    pub fn approved(&self) -> bool {
        self.current && self.author_signed && self.decision.met() && self.problems.is_empty()
    }
}

/// Judges `proposal` against `files` (the contract) at `at`.
#[must_use]
///
/// Who may sign and what each kind needs come from the files before the change; for a ledger's
/// start, which is made from no files and creates the signers and the policy, from the files it
/// creates.
pub fn evaluate(files: &BTreeMap<String, String>, proposal: &Proposal, at: Timestamp) -> Evaluation {
    let mut problems = Vec::new();
    let created;
    let rules = if files.is_empty() && is_start(proposal) {
        created = apply_changes(files, proposal).unwrap_or_default();
        &created
    } else {
        files
    };
    let signers = match rules.get(SIGNERS_FILE).map(|t| parse_signers(SIGNERS_FILE, t)) {
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
    let policy = match rules.get(POLICY_FILE).map(|t| parse_policy(POLICY_FILE, t)) {
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
    let (kinds, effect) = kinds_of(files, proposal);
    let kind = kinds.iter().copied().max().unwrap_or(ChangeKind::Loosen);
    let decision = policy.decide_all(&kinds, &proposal.author, &valid);
    let author_signed = valid.contains(&proposal.author);
    let list: Vec<(String, String)> = files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    Evaluation {
        kind,
        effect,
        signatures,
        decision,
        current: proposal.base == files_hash(&list),
        problems,
        author_signed,
        author: proposal.author.clone(),
    }
}

/// What the proposal is, by its effect on the files: governance where it changes the policy or
/// the signers; loosening where anything at all is looser afterwards (any budget, any
/// environment, any gate setting; see [`effect`]) or where its effect cannot be known (it does not
/// apply); else tightening. A change can be both governance and loosening.
fn kinds_of(files: &BTreeMap<String, String>, proposal: &Proposal) -> (Vec<ChangeKind>, Effect) {
    let mut kinds = Vec::new();
    let touches = |name: &str| proposal.files.iter().any(|f| f.file == name);
    if touches(POLICY_FILE) || touches(SIGNERS_FILE) {
        kinds.push(ChangeKind::Governance);
    }
    match apply_changes(files, proposal) {
        Ok(after) => {
            let effect = effect(files, &after);
            kinds.push(if effect.loosened.is_empty() { ChangeKind::Tighten } else { ChangeKind::Loosen });
            (kinds, effect)
        }
        Err(why) => {
            kinds.push(ChangeKind::Loosen);
            (kinds, Effect { loosened: vec![format!("its effect cannot be known: {why}")], tightened: Vec::new() })
        }
    }
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
    let text = match read_text(&path, MAX_TEXT_BYTES) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| Entry::parse(l, i + 1)).collect()
}

/// The ledger's text with `entry` appended.
fn appended(dir: &Path, entry: &Entry) -> Result<String, String> {
    let path = dir.join(LEDGER_FILE);
    let mut text = match read_text(&path, MAX_TEXT_BYTES) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&entry.line());
    text.push('\n');
    Ok(text)
}

fn append(dir: &Path, entry: &Entry) -> Result<(), String> {
    let path = dir.join(LEDGER_FILE);
    let text = appended(dir, entry)?;
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

/// Whether `proposal` starts a ledger: it is made from no files at all (its base is the hash of
/// the empty set) and creates every file of the contract.
#[must_use]
pub fn is_start(proposal: &Proposal) -> bool {
    proposal.base == files_hash(&[])
}

/// Checks the signed proposal `text` of a ledger's start against the start's `files` at `at`
/// (and at `also_now`, for a start the base does not have): it is a start proposal, creates
/// exactly these files, and carries the governance sign-off of the signers and policy it creates.
/// Returns its id and who signed, in words.
fn check_start(
    files: &BTreeMap<String, String>,
    text: &str,
    at: Timestamp,
    also_now: Option<Timestamp>,
) -> Result<(String, String), String> {
    let proposal = parse_proposal(LEDGER_FILE, text).map_err(|e| format!("proposal does not read: {}", e[0]))?;
    if !is_start(&proposal) {
        return Err(format!("proposal `{}` is not a start proposal (made from no files)", proposal.id));
    }
    let created = proposal.created.ok_or_else(|| format!("proposal `{}` has no `created` time", proposal.id))?;
    if at < created {
        return Err(format!("entry's time {at} is before `{}` was created ({created})", proposal.id));
    }
    let empty = BTreeMap::new();
    let made = apply_changes(&empty, &proposal).map_err(|e| format!("proposal `{}` does not apply: {e}", proposal.id))?;
    if &made != files {
        return Err(format!("files are not those the proposal `{}` creates", proposal.id));
    }
    for moment in [Some(created), Some(at), also_now].into_iter().flatten() {
        let e = evaluate(&empty, &proposal, moment);
        if e.kind != ChangeKind::Governance || !e.approved() {
            return Err(format!("proposal `{}` is not approved at {moment}: {}", proposal.id, missing_words(&e)));
        }
    }
    let e = evaluate(&empty, &proposal, at);
    let signed: Vec<String> = e.decision.counted.iter().map(|(p, r)| format!("{p} ({r})")).collect();
    Ok((proposal.id, signed.join(", ")))
}

/// Starts the ledger: records the contract files as they are now as the agreed start. With
/// `proposal` (the id of a start proposal, see `headroom propose --start`), the start carries its
/// signatures, which must meet the policy's governance requirement; without, the start is
/// unsigned, and only a base revision that already has it can show it was agreed.
pub fn start_ledger(dir: &Path, at: Timestamp, proposal: Option<&str>) -> Result<Entry, String> {
    let _lock = WorkspaceLock::acquire(dir, LEDGER_FILE).map_err(|e| e.to_string())?;
    if !read_ledger(dir)?.is_empty() {
        return Err(format!("{} already has a ledger; it is only ever appended to", dir.display()));
    }
    let errors = super::governance_errors(dir);
    if let Some(e) = errors.first() {
        return Err(format!("the ledger cannot start from signers or a policy that do not read: {e}"));
    }
    let files = current_contract(dir)?;
    let (at, text) = match proposal {
        Some(id) => {
            let (p, text) = read_proposal(dir, id)?;
            let at = at.max(p.created.unwrap_or(at));
            check_start(&files, &text, at, None).map_err(|why| format!("cannot start from `{id}`: the start {why}"))?;
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
    let text = read_text(path, MAX_TEXT_BYTES).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
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

/// Reads the proposal `id` with all its signatures, and its text. The id must be a plain name
/// (never a path out of `proposals/`), and the file's own `id` must be it.
pub fn read_proposal(dir: &Path, id: &str) -> Result<(Proposal, String), String> {
    check_id(id)?;
    let (proposal, text) = load_proposal(dir, &proposal_path(dir, id))?;
    if proposal.id != id {
        return Err(format!(
            "{PROPOSALS_DIR}/{id}.yaml: its id is `{}`, not `{id}` (a proposal's file is named after its id)",
            proposal.id
        ));
    }
    Ok((proposal, text))
}

/// One file of `proposals/`: its proposal judged against the budget files now and whether the
/// ledger has applied it, or why it does not read (the message names the file).
pub type ListedProposal = Result<(Proposal, Evaluation, bool), String>;

/// Every file of the workspace's `proposals/`, in name order.
#[must_use]
pub fn list_proposals(dir: &Path, at: Timestamp) -> Vec<ListedProposal> {
    let Ok(files) = current_contract(dir) else { return Vec::new() };
    let ledger = read_ledger(dir).unwrap_or_default();
    let applied = applied_ids(&ledger);
    let nothing = BTreeMap::new();
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(dir.join(PROPOSALS_DIR))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "yaml")).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let (p, _) = load_proposal(dir, &path)?;
            let e = evaluate(if ledger.is_empty() && is_start(&p) { &nothing } else { &files }, &p, at);
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
/// values in place and appends the entry, all together or not at all (through the journal).
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
    // The entry's time: now, but never before the last entry or the proposal's creation (within
    // the clock skew verify allows), so that honest entries always verify.
    let created = proposal.created.ok_or_else(|| format!("`{id}` has no `created` time"))?;
    let latest = Timestamp(at.0 + CLOCK_SKEW_MS);
    if last.at > latest {
        return Err(format!("the ledger's last entry is dated {}, in the future (now is {at}): check this machine's clock", last.at));
    }
    if created > latest {
        return Err(format!("`{id}` was created at {created}, in the future (now is {at}): check the clocks"));
    }
    let at = at.max(last.at).max(created);
    let evaluation = evaluate(&files, &proposal, at);
    if !evaluation.current {
        return Err(format!("stale: `{id}` was made for other budget files ({}) than these ({now}); propose again", proposal.base));
    }
    if !evaluation.approved() {
        return Err(format!("`{id}` is not approved: {}", missing_words(&evaluation)));
    }
    let when_created = evaluate(&files, &proposal, created);
    if !when_created.approved() {
        return Err(format!("`{id}` was not approved at its creation ({created}): {}", missing_words(&when_created)));
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
    journal::commit(dir, &writes).map_err(|e| e.to_string())?;
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
    if !e.author_signed {
        parts.push(format!("needs the author's own signature ({}, who never counts as an approver)", e.author));
    }
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

/// How far a ledger entry may be dated past this machine's clock: clocks of the machines that
/// apply are a little apart, but an entry from the future would make every honest entry after it
/// look backdated.
pub const CLOCK_SKEW_MS: i64 = 2 * 60_000;

/// Proves that the budget files are the ledger's start plus its approved proposals.
#[must_use]
pub fn verify(dir: &Path) -> Verification {
    verify_at(dir, Timestamp::now())
}

/// [`verify`] with `now` as the present: no entry may be dated after it (beyond [`CLOCK_SKEW_MS`]).
#[must_use]
pub fn verify_at(dir: &Path, now: Timestamp) -> Verification {
    verify_against(dir, None, now)
}

/// [`verify_at`], and where a `base` (what the base revision committed; see [`super::anchor`])
/// is given: its ledger must be a prefix of this one and its history files prefixes of these; a
/// ledger the base does not have must start with governance sign-off; and the signatures of every
/// entry the base does not have must hold now too (a key that expired since cannot have signed
/// an entry that only now appears).
#[must_use]
#[allow(clippy::too_many_lines)] // one replay of the chain, each check with its own account
pub fn verify_against(dir: &Path, base: Option<&super::anchor::Base>, now: Timestamp) -> Verification {
    let mut v = Verification::default();
    if journal::pending(dir) {
        v.problems.push(format!(
            "an apply was interrupted ({} is left): run `headroom recover` (or any command that writes) to finish it",
            journal::JOURNAL_FILE
        ));
        return v;
    }
    let new_from = base.map(|b| super::anchor::compare_with_base(dir, b, &mut v, now));
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
                    (None, Some(_)) if name == CONFIG_FILE => v.problems.push(format!(
                        "{name} was added outside a proposal: the gate's settings are part of the contract (a ledger started before they were, or the file is new: move it aside, propose it back with `headroom propose --file {name}=PATH`, sign and apply)"
                    )),
                    (None, Some(_)) => v.problems.push(format!("{name} was added outside a proposal")),
                    (None, None) => {}
                }
            }
        }
        Err(e) => v.problems.push(e),
    }
}
