//! Drafting and signing proposal files: the one implementation behind `headroom propose` /
//! `headroom sign` and the app's proposal window.

use super::edit::apply_changes;
use super::error::ApprovalError;
use super::ledger::{Evaluation, current_contract, evaluate, proposal_path, read_proposal, write_signature};
use super::proposal::{Change, FileChange, PROPOSALS_DIR, Proposal};
use super::{files_hash, text_hash};
use crate::model::disk::write_atomic;
use crate::model::error::did_you_mean_hint;
use crate::model::lock::WorkspaceLock;
use crate::model::time::Timestamp;
use crate::model::workspace::Workspace;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One change asked for: a budget, an environment (`None`: its own limit) and the new value in
/// the budget's unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Wanted {
    /// The budget's id.
    pub budget: String,
    /// The environment whose override changes, or `None` for the budget's limit.
    pub environment: Option<String>,
    /// The new value.
    pub new: f64,
}

/// What a proposal is about, before it has an id in the workspace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    /// Its id (its file name).
    pub id: String,
    /// One line saying what it does.
    pub title: String,
    /// Who proposes it.
    pub author: String,
    /// Why.
    pub rationale: String,
    /// Runs that justify it.
    pub evidence_runs: Vec<String>,
    /// Findings that justify it (`metric@run`).
    pub evidence_findings: Vec<String>,
    /// Its effect.
    pub impact: String,
}

/// The proposal `draft` + `wanted` (+ whole files: name and new text, `None` to remove) would be against the files in `dir` now (current values as
/// `old`), the files it would produce, and its evaluation; nothing is written.
pub fn prepare(
    dir: &Path,
    draft: &Draft,
    wanted: &[Wanted],
    new_files: &[(String, Option<String>)],
    at: Timestamp,
) -> Result<(Proposal, BTreeMap<String, String>, Evaluation), ApprovalError> {
    super::proposal::check_id(&draft.id)?;
    if wanted.is_empty() && new_files.is_empty() {
        return Err(ApprovalError::Invalid("a proposal needs at least one change".to_owned()));
    }
    prepare_from(&current_contract(dir)?, draft, wanted, new_files, at)
}

/// The proposal that starts the ledger of `dir`: made from no files, it creates every contract
/// file as it is now, and needs the governance sign-off of the signers and policy it creates.
pub fn prepare_start(dir: &Path, draft: &Draft, at: Timestamp) -> Result<(Proposal, BTreeMap<String, String>, Evaluation), ApprovalError> {
    super::proposal::check_id(&draft.id)?;
    if !super::ledger::read_ledger(dir)?.is_empty() {
        return Err(ApprovalError::Refused(format!("{} already has a ledger: it starts once", dir.display())));
    }
    let now: Vec<(String, Option<String>)> = current_contract(dir)?.into_iter().map(|(name, text)| (name, Some(text))).collect();
    prepare_from(&BTreeMap::new(), draft, &[], &now, at)
}

fn prepare_from(
    files: &BTreeMap<String, String>,
    draft: &Draft,
    wanted: &[Wanted],
    new_files: &[(String, Option<String>)],
    at: Timestamp,
) -> Result<(Proposal, BTreeMap<String, String>, Evaluation), ApprovalError> {
    for (value, what) in [(&draft.title, "a title"), (&draft.author, "an author"), (&draft.rationale, "a rationale")] {
        if value.trim().is_empty() {
            return Err(ApprovalError::Invalid(format!("a proposal needs {what}")));
        }
    }
    let list: Vec<(String, String)> = files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let workspace = Workspace::from_files("", &list);
    let mut changes = Vec::new();
    for w in wanted {
        let Some(budget) = workspace.budget(&w.budget) else {
            let hint = did_you_mean_hint(&w.budget, workspace.budgets.iter().map(|b| b.id.as_str()));
            return Err(ApprovalError::Invalid(format!("no budget `{}`{hint}", w.budget)));
        };
        let (field, old) = match &w.environment {
            None => ("limit".to_owned(), budget.limit),
            Some(e) => (format!("environments.{e}"), budget.environments.get(e).and_then(|o| o.limit)),
        };
        let old = old.ok_or_else(|| ApprovalError::Invalid(format!("`{}` has no {field} to change", w.budget)))?;
        if !w.new.is_finite() {
            return Err(ApprovalError::Invalid(format!("the new {field} of `{}` is not a number", w.budget)));
        }
        if (w.new - old).abs() <= 1e-12 * old.abs().max(1.0) {
            return Err(ApprovalError::Invalid(format!("the new {field} of `{}` is the current one: change the value", w.budget)));
        }
        changes.push(Change { budget: w.budget.clone(), field, old, new: w.new });
    }
    let proposal = Proposal {
        id: draft.id.clone(),
        title: draft.title.trim().to_owned(),
        author: draft.author.trim().to_owned(),
        created: Some(at),
        base: files_hash(&list),
        changes,
        rationale: draft.rationale.trim().to_owned(),
        evidence_runs: draft.evidence_runs.clone(),
        evidence_findings: draft.evidence_findings.clone(),
        impact: draft.impact.trim().to_owned(),
        files: new_files
            .iter()
            .map(|(file, new)| FileChange {
                file: file.clone(),
                old: files.get(file).map_or_else(|| "none".to_owned(), |t| text_hash(t)),
                new: new.clone(),
            })
            .collect(),
        signatures: Vec::new(),
    };
    let after = apply_changes(files, &proposal)?;
    let evaluation = evaluate(files, &proposal, at);
    Ok((proposal, after, evaluation))
}

/// Writes the proposal file (never over an existing one).
pub fn propose(
    dir: &Path,
    draft: &Draft,
    wanted: &[Wanted],
    new_files: &[(String, Option<String>)],
    at: Timestamp,
) -> Result<(PathBuf, Evaluation), ApprovalError> {
    let prepared = prepare(dir, draft, wanted, new_files, at)?;
    write_new(dir, prepared)
}

/// Writes the proposal that starts the ledger (see [`prepare_start`]).
pub fn propose_start(dir: &Path, draft: &Draft, at: Timestamp) -> Result<(PathBuf, Evaluation), ApprovalError> {
    let prepared = prepare_start(dir, draft, at)?;
    write_new(dir, prepared)
}

fn write_new(
    dir: &Path,
    (proposal, _, evaluation): (Proposal, BTreeMap<String, String>, Evaluation),
) -> Result<(PathBuf, Evaluation), ApprovalError> {
    let path = proposal_path(dir, &proposal.id);
    let _lock = WorkspaceLock::acquire(dir, &format!("{PROPOSALS_DIR}/{}.yaml", proposal.id))?;
    if path.exists() {
        return Err(ApprovalError::Refused(format!("{} exists already", path.display())));
    }
    std::fs::create_dir_all(dir.join(PROPOSALS_DIR))
        .and_then(|()| write_atomic(&path, proposal.to_yaml().as_bytes()))
        .map_err(|e| ApprovalError::io("write", &path, e))?;
    Ok((path, evaluation))
}

/// How a signature is made.
#[derive(Clone, Debug, PartialEq)]
pub enum SignWith {
    /// An unencrypted OpenSSH private key file.
    Key(PathBuf),
    /// A signature file made by `ssh-keygen -Y sign -n headroom-proposal`.
    Signature(PathBuf),
    /// The running ssh-agent (`SSH_AUTH_SOCK`), with the key whose public half is in this file.
    Agent(PathBuf),
}

/// Signs the proposal `id` as `principal` and writes the signature to its own file
/// ([`super::ledger::signature_path`]), unless it would not count (then nothing is written and
/// the reason comes back).
pub fn sign(dir: &Path, id: &str, principal: &str, with: &SignWith, at: Timestamp) -> Result<Evaluation, ApprovalError> {
    let (mut proposal, _) = read_proposal(dir, id)?;
    match with {
        SignWith::Key(key) => {
            proposal.sign(principal, &super::key_file::read_private_key(key)?)?;
        }
        SignWith::Signature(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| ApprovalError::io("read", file, e))?;
            proposal.add_signature(principal, &text)?;
        }
        SignWith::Agent(public) => {
            let key = ssh_key::PublicKey::read_openssh_file(public)
                .map_err(|e| ApprovalError::Invalid(format!("cannot read the public key {}: {e}", public.display())))?;
            let socket =
                std::env::var_os("SSH_AUTH_SOCK").ok_or(ApprovalError::Invalid("no ssh-agent: SSH_AUTH_SOCK is not set".to_owned()))?;
            let armored = super::agent::sign_with_agent(Path::new(&socket), &key, &proposal.canonical())?;
            proposal.add_signature(principal, &armored)?;
        }
    }
    let files = before_of(dir, &proposal)?;
    let evaluation = evaluate(&files, &proposal, at);
    if let Some(Err(why)) = evaluation.signatures.iter().find(|c| c.principal == principal).map(|c| &c.outcome) {
        return Err(ApprovalError::WouldNotCount(why.clone()));
    }
    let armored = proposal.signatures.iter().find(|s| s.principal == principal).map(|s| s.armored.clone()).unwrap_or_default();
    write_signature(dir, id, principal, &armored)?;
    Ok(evaluation)
}

/// The lines a proposal changes, per file: (file, line number, old text, new text); a file
/// created or removed is one line saying so.
#[must_use]
pub fn diff(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<(String, usize, String, String)> {
    let mut out = Vec::new();
    for name in before.keys().filter(|n| !after.contains_key(*n)) {
        out.push((name.clone(), 0, "(the file)".to_owned(), "(removed)".to_owned()));
    }
    for (name, new) in after {
        let Some(old) = before.get(name) else {
            out.push((name.clone(), 0, "(no file)".to_owned(), format!("(new, {} lines)", new.lines().count())));
            continue;
        };
        for (i, (a, b)) in old.lines().zip(new.lines()).enumerate() {
            if a != b {
                out.push((name.clone(), i + 1, a.to_owned(), b.to_owned()));
            }
        }
    }
    out
}

/// The files a proposal is judged against: the contract now, or none for a start proposal while
/// the workspace has no ledger.
pub fn before_of(dir: &Path, proposal: &Proposal) -> Result<BTreeMap<String, String>, ApprovalError> {
    if super::ledger::is_start(proposal) && super::ledger::read_ledger(dir)?.is_empty() {
        Ok(BTreeMap::new())
    } else {
        current_contract(dir)
    }
}

/// The text `headroom.yaml` would have with every setting made: each spec is `NAME=VALUE` for the
/// workspace or `BUDGET:NAME=VALUE` for one budget (as `headroom propose --setting` takes them).
/// `new_files` are the proposal's whole-file changes: `headroom.yaml` may not be among them too.
pub fn settings_text(dir: &Path, specs: &[String], new_files: &[(String, Option<String>)]) -> Result<String, ApprovalError> {
    use crate::model::config::{CONFIG_FILE, with_check_setting};
    if new_files.iter().any(|(name, _)| name == CONFIG_FILE) {
        return Err(ApprovalError::Invalid(format!("give {CONFIG_FILE} either whole (--file or --remove) or by --setting, not both")));
    }
    let contract = current_contract(dir)?;
    let list: Vec<(String, String)> = contract.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let loaded = Workspace::from_files("", &list);
    let mut text = contract.get(CONFIG_FILE).cloned().unwrap_or_default();
    for spec in specs {
        let Some((key, value)) = spec.split_once('=') else {
            return Err(ApprovalError::Invalid(format!("`{spec}`: expected NAME=VALUE or BUDGET:NAME=VALUE")));
        };
        let (budget, name) = key.rsplit_once(':').map_or((None, key), |(b, n)| (Some(b), n));
        if let Some(id) = budget
            && loaded.budget(id).is_none()
        {
            let hint = did_you_mean_hint(id, loaded.budgets.iter().map(|b| b.id.as_str()));
            return Err(ApprovalError::Invalid(format!("`{spec}`: no budget `{id}`{hint}")));
        }
        text = with_check_setting(CONFIG_FILE, &text, budget, name.trim(), value)
            .map_err(|e| ApprovalError::Invalid(format!("`{spec}`: {e}")))?;
    }
    Ok(text)
}
