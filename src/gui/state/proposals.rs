//! The proposals area: the budget change proposals not yet applied, the one being drafted (the
//! app never edits budget files: it writes a proposal for people to sign), the sign window, and
//! signing and applying, which run on the `headroom-sign` and `headroom-apply` threads.

use crate::approval::error::ApprovalError;
use crate::approval::ledger::Evaluation;
use crate::approval::proposal::Proposal;
use crate::gui::jobs::{Job, Waker};
use crate::model::time::Timestamp;
use std::path::PathBuf;
use std::sync::Arc;

/// Something the user asked of the proposals.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // a command lives for a frame; a boxed draft would only add noise where one is made
pub enum ProposalCommand {
    /// Open the window drafting a proposal, or change the draft in it (an empty author is filled
    /// in with who signs on this machine when the window opens).
    Edit(ProposalDraft),
    /// Close that window.
    Close,
    /// Write the drafted proposal into the workspace's `proposals/`.
    Submit,
    /// Open (or change) the window signing a proposal (an empty principal and key file are filled
    /// in with who signs on this machine when it opens, unless that is the proposal's author).
    AskSign(SignPrompt),
    /// Close that window.
    CloseSign,
    /// Sign a proposal with a key file (or a signature file from `ssh-keygen -Y sign`).
    Sign {
        /// The proposal's id.
        id: String,
        /// Who signs (a principal of `allowed_signers`).
        principal: String,
        /// The key or signature file.
        file: PathBuf,
    },
    /// Apply an approved proposal.
    Apply(String),
}

/// The sign window's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignPrompt {
    /// The proposal's id.
    pub id: String,
    /// Who signs.
    pub principal: String,
    /// The key file, as typed.
    pub key_file: String,
}

/// Who signs on this machine: remembered by the app across restarts (a path, never the key).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signer {
    /// A principal of `allowed_signers`.
    pub principal: String,
    /// The key file last signed with.
    pub key_file: String,
}

/// The proposals and the windows about them.
#[derive(Default)]
pub struct Proposals {
    /// The budget change proposals not yet applied, judged against the budget files now.
    pub open: Vec<(Proposal, Evaluation)>,
    /// A budget change proposal being drafted.
    pub draft: Option<ProposalDraft>,
    /// The sign window, where open.
    pub sign_prompt: Option<SignPrompt>,
    /// Why the last signing from the sign window failed, shown in that window (kept open with
    /// its fields) until it is closed or signs.
    pub sign_error: Option<String>,
    /// Who signs on this machine (the app fills it from its preferences).
    pub signer: Signer,
    job: Option<(String, Job<Done>)>,
}

/// A proposal's evaluation once signed, with the open proposals after it and those that do not read.
pub(super) type SignedProposals = (Evaluation, Vec<(Proposal, Evaluation)>, Vec<crate::model::error::LoadError>);

/// What a signing or an apply came to.
#[allow(clippy::large_enum_variant)] // made once per job and taken at once
pub(super) enum Done {
    /// A proposal signed: its id, who signed, and what it came to; or why not.
    Signed(String, String, Result<SignedProposals, ApprovalError>),
    /// A proposal applied: its id and its ledger entry's number, or why not.
    Applied(String, Result<u64, ApprovalError>),
}

impl Proposals {
    /// Whether a signing or an apply is running, and which.
    #[must_use]
    pub fn working(&self) -> Option<&str> {
        self.job.as_ref().map(|(what, _)| what.as_str())
    }

    /// Opens the draft window, or changes its draft.
    pub(super) fn edit(&mut self, mut draft: ProposalDraft) -> ProposalDraft {
        if draft.draft.author.is_empty() && self.draft.is_none() {
            draft.draft.author.clone_from(&self.signer.principal);
        }
        draft.error = None;
        draft
    }

    /// Opens the sign window, or changes its fields.
    pub(super) fn ask_sign(&mut self, mut prompt: SignPrompt) {
        if prompt.principal.is_empty() && prompt.key_file.is_empty() && self.sign_prompt.is_none() {
            // Never the proposal's author as its signer: an author's signature proves authorship
            // and never approves, so whoever signs types their name.
            let author = self.open.iter().find(|(p, _)| p.id == prompt.id).map(|(p, _)| p.author.as_str());
            if author != Some(self.signer.principal.as_str()) {
                prompt.principal.clone_from(&self.signer.principal);
            }
            prompt.key_file.clone_from(&self.signer.key_file);
        }
        if self.sign_prompt.as_ref().is_none_or(|open| open.id != prompt.id) {
            self.sign_error = None;
        }
        self.sign_prompt = Some(prompt);
    }

    /// Signs proposal `id` in the workspace at `root` on the `headroom-sign` thread.
    pub(super) fn sign(&mut self, root: PathBuf, id: String, principal: String, file: PathBuf, waker: &Waker) {
        let what = format!("Signing `{id}`");
        let job = Job::spawn("headroom-sign", Arc::clone(waker), move |progress| {
            progress(0.0, "signing");
            // A file with an SSH signature in it was made by ssh-keygen; anything else is a key.
            let is_signature = std::fs::read_to_string(&file).is_ok_and(|t| t.contains("BEGIN SSH SIGNATURE"));
            let with =
                if is_signature { crate::approval::draft::SignWith::Signature(file) } else { crate::approval::draft::SignWith::Key(file) };
            let result = crate::approval::draft::sign(&root, &id, &principal, &with, Timestamp::now()).map(|evaluation| {
                let (open, errors) = crate::gui::jobs::open_proposals(&root, Timestamp::now());
                (evaluation, open, errors)
            });
            Done::Signed(id, principal, result)
        });
        self.job = Some((what, job));
    }

    /// Applies proposal `id` to the workspace at `root` on the `headroom-apply` thread.
    pub(super) fn apply(&mut self, root: PathBuf, id: String, waker: &Waker) {
        let what = format!("Applying `{id}`");
        let job = Job::spawn("headroom-apply", Arc::clone(waker), move |progress| {
            progress(0.0, "applying");
            let result = crate::approval::ledger::apply_proposal(&root, &id, Timestamp::now()).map(|entry| entry.seq);
            Done::Applied(id, result)
        });
        self.job = Some((what, job));
    }

    /// A finished signing or apply, once it is there.
    pub(super) fn poll(&mut self) -> Option<Done> {
        let done = self.job.as_ref().and_then(|(_, job)| job.poll())?;
        self.job = None;
        Some(done)
    }

    /// Waits for a signing or an apply running, where one is.
    pub(super) fn wait(&mut self) -> Option<Done> {
        self.job.take().and_then(|(_, job)| job.wait())
    }
}

/// A budget change proposal being drafted in the app (the app never edits budget files: it
/// writes a proposal for people to sign).
#[derive(Clone, Debug, PartialEq)]
pub struct ProposalDraft {
    /// The budget (index).
    pub budget: usize,
    /// The environment whose override changes; `None`: the budget's own limit.
    pub environment: Option<String>,
    /// The new value, in the budget's unit.
    pub new: f64,
    /// More limits the same proposal changes (budget index, new value), such as an allocation's
    /// parent or children: the allocations must still add up, so they change together.
    pub more: Vec<(usize, f64)>,
    /// Id, title, author, rationale, evidence, impact.
    pub draft: crate::approval::draft::Draft,
    /// What it would change (file, line, old, new), its kind, and what it needs; or why it cannot be made.
    pub preview: Result<Preview, DraftProblem>,
    /// Why the last "Create proposal" failed, shown in the dialog (cleared by the next edit).
    pub error: Option<String>,
    /// The value being changed as the app showed it when the draft began, with its environment:
    /// where the disk has another one when the proposal is created (a teammate's applied change
    /// came in with `git pull`), the app asks before proposing from the new value.
    pub drafted_from: Option<(Option<String>, f64)>,
}

/// Why a draft cannot be proposed as it stands, shown in its dialog.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DraftProblem {
    /// Not looked at yet: the dialog has just opened on the value as it is.
    #[error("change the value")]
    NotYet,
    /// Files the proposal is made from do not read: each fault with its file, line and field.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Unreadable(Vec<crate::model::error::LoadError>),
    /// The approval layer says no, in its words (no budget of that id, a change that would make
    /// the budgets invalid, a proposal of that id already there, ...).
    #[error("{0}")]
    Refused(String),
}

impl From<ApprovalError> for DraftProblem {
    fn from(error: ApprovalError) -> DraftProblem {
        if error.located().is_empty() {
            DraftProblem::Refused(error.to_string())
        } else {
            DraftProblem::Unreadable(error.located().to_vec())
        }
    }
}

/// What a drafted proposal would do: the lines it changes (file, line, old, new), its kind, and
/// what it would need.
pub type Preview = (Vec<(String, usize, String, String)>, String, String);

impl ProposalDraft {
    /// A draft to change `budget`'s limit, starting from `current`, proposed by `author`.
    #[must_use]
    pub fn new(budget: usize, current: f64, author: &str) -> ProposalDraft {
        ProposalDraft {
            budget,
            environment: None,
            new: current,
            more: Vec::new(),
            draft: crate::approval::draft::Draft { author: author.to_owned(), ..Default::default() },
            preview: Err(DraftProblem::NotYet),
            error: None,
            drafted_from: Some((None, current)),
        }
    }
}

impl ProposalDraft {
    /// A draft tightening `budget` after an improvement from `before` to `after`: the limit moves
    /// with the level, keeping the headroom the budget had (limit × after / before, to three
    /// significant figures). `None` where the budget has no limit, the levels do not allow it, or
    /// the limit would not be tighter. After an improvement that undid regressions, `before` is
    /// the level before them (`engine::reversal::tightening_levels`): the regressed level never
    /// moved the limit, so measuring from it would keep less headroom than the budget had.
    #[must_use]
    pub fn tightening(index: usize, budget: &crate::model::budget::Budget, run: &str, before: f64, after: f64) -> Option<ProposalDraft> {
        let limit = budget.limit?;
        let ratio = after / before;
        if !(ratio.is_finite() && ratio > 0.0) || before <= 0.0 {
            return None;
        }
        let new = three_figures(limit * ratio);
        // Only ever tighter: levels that went the other way (a level still worse than the one it
        // is measured from) ask for no proposal here.
        let tighter = match budget.direction {
            crate::model::units::Direction::LowerIsBetter => new < limit,
            crate::model::units::Direction::HigherIsBetter => new > limit,
        };
        if !tighter {
            return None;
        }
        let unit = budget.unit.symbol();
        let mut draft = ProposalDraft::new(index, new, "");
        draft.drafted_from = Some((None, limit));
        draft.draft.id = format!("tighten-{}-{run}", budget.id.replace(['.', '_', ' '], "-"));
        draft.draft.title = format!("Tighten {} to {}", budget.name, crate::report::quantity(new, unit));
        draft.draft.rationale = format!(
            "Improved at {run} from {} to {}; the limit follows, keeping the headroom it had.",
            crate::report::quantity(before, unit),
            crate::report::quantity(after, unit)
        );
        Some(draft)
    }
}

/// A budget id as part of a proposal id: `services.auth_latency` → `services-auth-latency`.
#[must_use]
pub fn slug(id: &str) -> String {
    id.replace(['.', '_', ' '], "-").to_lowercase()
}

/// `x` rounded to three significant figures.
fn three_figures(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    #[allow(clippy::cast_possible_truncation)] // a float's decimal exponent fits an i32
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}
