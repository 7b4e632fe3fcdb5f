//! The proposals' folder (`proposals/`): where a proposal and its signatures lie, reading them,
//! and the list of open proposals with their evaluations.

use super::chain::{applied_ids, current_contract, read_ledger, superseded_by};
use super::evaluation::{Evaluation, evaluate, is_start};
use crate::approval::error::ApprovalError;
use crate::approval::proposal::{PROPOSALS_DIR, Proposal, Signature, check_id, parse_proposal};
use crate::model::disk::{MAX_TEXT_BYTES, read_text, write_atomic};
use crate::model::error::LoadError;
use crate::model::lock::WorkspaceLock;
use crate::model::time::Timestamp;
use std::collections::BTreeMap;
use std::path::Path;

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
pub fn write_signature(dir: &Path, id: &str, principal: &str, armored: &str) -> Result<std::path::PathBuf, ApprovalError> {
    let path = signature_path(dir, id, principal);
    let _lock = WorkspaceLock::acquire(dir, &format!("{PROPOSALS_DIR}/{id}{SIGNATURES_SUFFIX}"))?;
    let folder = signatures_dir(dir, id);
    std::fs::create_dir_all(&folder)
        .and_then(|()| write_atomic(&path, format!("{}\n", armored.trim()).as_bytes()))
        .map_err(|e| ApprovalError::io("write", &path, e))?;
    Ok(path)
}

/// Reads the proposal file at `path` (`proposals/<stem>.yaml`) with the signatures in its folder
/// `proposals/<stem>.signatures/` (a signer's file there wins over their signature in the
/// proposal file, where older versions wrote it). The text is the file's, or, where signature
/// files were added, the proposal with all its signatures, as the ledger records it.
pub(super) fn load_proposal(dir: &Path, path: &Path) -> Result<(Proposal, String), ApprovalError> {
    let stem = path.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name = format!("{PROPOSALS_DIR}/{stem}.yaml");
    let text = read_text(path, MAX_TEXT_BYTES).map_err(|e| ApprovalError::io("read", path, e))?;
    let mut proposal = parse_proposal(&name, &text).map_err(ApprovalError::LocatedMany)?;
    let folder = signatures_dir(dir, &stem);
    let mut files: Vec<std::path::PathBuf> = match std::fs::read_dir(&folder) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "sig")).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((proposal, text)),
        Err(e) => return Err(ApprovalError::io("read", folder, e)),
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
            .ok_or_else(|| LoadError::whole_file(shown.clone(), "the file's name is not a principal written by Headroom"))?;
        let armored = std::fs::read_to_string(&file).map_err(|e| ApprovalError::io("read", shown, e))?;
        proposal.signatures.retain(|s| s.principal != principal);
        proposal.signatures.push(Signature { principal, armored: armored.trim().to_owned() });
    }
    let text = proposal.to_yaml();
    Ok((proposal, text))
}

/// Reads the proposal `id` with all its signatures, and its text. The id must be a plain name
/// (never a path out of `proposals/`), and the file's own `id` must be it.
pub fn read_proposal(dir: &Path, id: &str) -> Result<(Proposal, String), ApprovalError> {
    check_id(id)?;
    let (proposal, text) = load_proposal(dir, &proposal_path(dir, id))?;
    if proposal.id != id {
        return Err(ApprovalError::Located(LoadError::whole_file(
            format!("{PROPOSALS_DIR}/{id}.yaml"),
            format!("its id is `{}`, not `{id}` (a proposal's file is named after its id)", proposal.id),
        )));
    }
    Ok((proposal, text))
}

/// One file of `proposals/`: its proposal judged against the budget files now and whether the
/// ledger has applied it, or why it does not read (the message names the file).
pub type ListedProposal = Result<(Proposal, Evaluation, bool), ApprovalError>;

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
            let mut e = evaluate(if ledger.is_empty() && is_start(&p) { &nothing } else { &files }, &p, at);
            let done = applied.contains(&p.id);
            // Stale for good once the ledger has left its base, whatever the files are now.
            e.current &= done || superseded_by(&ledger, &p).is_none();
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
            Err(e) => errors.push(e.to_string()),
        }
    }
    (open, errors)
}
