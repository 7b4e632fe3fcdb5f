//! A proposal judged against a set of contract files at a moment: its kind by effect, its
//! signatures, and what the policy of that moment asks of them.

use crate::approval::edit::apply_changes;
use crate::approval::effect::{Effect, effect};
use crate::approval::files_hash;
use crate::approval::policy::{ChangeKind, Decision, Policy, parse_policy};
use crate::approval::proposal::{Proposal, SignatureCheck};
use crate::approval::signers::parse_signers;
use crate::model::time::Timestamp;
use crate::model::workspace::{POLICY_FILE, SIGNERS_FILE};
use std::collections::BTreeMap;

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

/// Whether `proposal` starts a ledger: it is made from no files at all (its base is the hash of
/// the empty set) and creates every file of the contract.
#[must_use]
pub fn is_start(proposal: &Proposal) -> bool {
    proposal.base == files_hash(&[])
}
