//! The approval layer's one error type: what `propose`, `sign`, `apply`, `ledger start`, `verify
//! --base` and `compact` can fail with. Callers match its variants (the CLI's exit code comes from
//! them), and its text is the message people read.

use super::agent::AgentError;
use super::edit::EditError;
use super::proposal::{InvalidId, SignError, SignatureFault};
use crate::model::error::LoadError;
use crate::model::lock::LockError;
use std::path::PathBuf;

/// Why an approval operation did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// A file or folder that cannot be read, created or written.
    #[error("cannot {verb} {}: {source}", path.display())]
    Io {
        /// What was being done: `read`, `write`, `create`.
        verb: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A file that does not read, located (the ledger's line, a proposal file's line and field).
    #[error(transparent)]
    Located(#[from] LoadError),
    /// Several located errors of one file (a proposal file with more than one fault), one a line.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    LocatedMany(Vec<LoadError>),
    /// A change through the workspace's journal that did not land.
    #[error(transparent)]
    Journal(#[from] crate::model::journal::JournalError),
    /// The workspace's lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// A signature that reads but would not count (expired key, principal not allowed, wrong
    /// namespace, ...): nothing is written. A verdict on the signer, not bad input.
    #[error("the signature would not count: {0}")]
    WouldNotCount(SignatureFault),
    /// The workspace's state refuses the operation (no ledger yet, not approved, stale, already
    /// applied, files edited outside a proposal): the input reads, the answer is no.
    #[error("{0}")]
    Refused(String),
    /// A git command for `verify --base` failed, or the revision is not one.
    #[error("{0}")]
    Git(String),
    /// A proposal id that is not a plain name.
    #[error(transparent)]
    Id(#[from] InvalidId),
    /// A signature that Headroom cannot make or take.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The ssh-agent made no signature.
    #[error(transparent)]
    Agent(#[from] AgentError),
    /// A proposal's changes that do not apply.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// A compaction that cannot be planned.
    #[error(transparent)]
    Plan(#[from] crate::model::retention::PlanError),
    /// A request that cannot be made (no such budget, a proposal without a title, a change that
    /// would make the budgets invalid, a signature that does not read, ...).
    #[error("{0}")]
    Invalid(String),
}

impl ApprovalError {
    /// An I/O error on `path`.
    pub fn io(verb: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { verb, path: path.into(), source }
    }

    /// The located faults where the error is files that do not read (a proposal file, the
    /// ledger's line), so a caller can list them one row each; empty for any other error.
    #[must_use]
    pub fn located(&self) -> &[LoadError] {
        match self {
            Self::Located(error) => std::slice::from_ref(error),
            Self::LocatedMany(errors) => errors,
            _ => &[],
        }
    }
}
