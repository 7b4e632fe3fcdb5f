//! Where a proposal stands, in one word: what `headroom proposals` prints and the app shows.

use super::ledger::Evaluation;

/// A proposal's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProposalState {
    /// The ledger has applied it.
    Applied,
    /// Made for other budget files than these: it must be proposed again.
    Stale,
    /// Signed as the policy asks: it can be applied.
    Approved,
    /// Waiting for signatures (or for a fault to be fixed).
    Pending,
}

impl ProposalState {
    /// The state of a proposal judged as `evaluation`, `applied` or not.
    #[must_use]
    pub fn of(evaluation: &Evaluation, applied: bool) -> Self {
        if applied {
            ProposalState::Applied
        } else if !evaluation.current {
            ProposalState::Stale
        } else if evaluation.approved() {
            ProposalState::Approved
        } else {
            ProposalState::Pending
        }
    }

    /// The word for it, in capitals.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            ProposalState::Applied => "APPLIED",
            ProposalState::Stale => "STALE",
            ProposalState::Approved => "APPROVED",
            ProposalState::Pending => "PENDING",
        }
    }
}
