//! What a command can fail with, and the one match that turns it into an exit code.

use crate::approval::error::ApprovalError;
use crate::engine::exit::ExitCode;
use crate::model::error::LoadError;
use crate::model::store::StoreError;
use crate::model::triage::FieldConflict;
use std::path::PathBuf;

/// Why a command stopped. `main` prints it once (`output::error`) and exits with
/// [`CliError::exit_code`].
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A bad argument, or input that does not make sense, said in words.
    #[error("{0}")]
    Invalid(String),
    /// A workspace folder that cannot be opened.
    #[error("cannot open the workspace {}: {source}", path.display())]
    Open {
        /// The folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A file named on the command line that cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file, as given.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Files that do not read, each error with its file, line and field; `then` says what was
    /// therefore not done.
    #[error("{}", .errors.iter().map(ToString::to_string).chain(.then.clone()).collect::<Vec<_>>().join("\n"))]
    Files {
        /// The errors, in file order.
        errors: Vec<LoadError>,
        /// The line after them (`nothing was imported`), if any.
        then: Option<String>,
    },
    /// An output file that cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The workspace's store (triage records) that cannot be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Runs that could not be added to the history.
    #[error("{0}; nothing was imported")]
    NotImported(StoreError),
    /// An approval operation (`propose`, `sign`, `ledger start`, ...) that did nothing.
    #[error(transparent)]
    Approval(#[from] ApprovalError),
    /// `apply` did not apply the proposal: the step fails, whatever the reason.
    #[error(transparent)]
    NotApplied(ApprovalError),
    /// `triage` found fields someone else changed meanwhile; nothing was written.
    #[error("{}", conflict_lines(.finding, .fields))]
    TriageConflict {
        /// The finding, `metric@run`.
        finding: String,
        /// The fields both changed.
        fields: Vec<FieldConflict>,
    },
    /// This build has no desktop app.
    #[error("This headroom was built without the desktop app (the `gui` feature). Try `headroom check --help`.")]
    NoApp,
    /// The desktop app stopped with an error.
    #[cfg(feature = "gui")]
    #[error("{0:#}")]
    App(anyhow::Error),
}

fn conflict_lines(finding: &str, fields: &[FieldConflict]) -> String {
    fields
        .iter()
        .map(|f| format!("`{}` of {finding} was just changed by someone else to `{}`; yours was `{}`", f.field, f.theirs, f.ours))
        .collect::<Vec<_>>()
        .join("\n")
}

impl CliError {
    /// The exit code this error ends the process with: the one place that decides it.
    #[must_use]
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Approval(ApprovalError::WouldNotCount(_)) | CliError::NotApplied(_) | CliError::TriageConflict { .. } => {
                ExitCode::Fail
            }
            CliError::Invalid(_)
            | CliError::Open { .. }
            | CliError::Read { .. }
            | CliError::Files { .. }
            | CliError::Write { .. }
            | CliError::Store(_)
            | CliError::NotImported(_)
            | CliError::Approval(_)
            | CliError::NoApp => ExitCode::Invalid,
            #[cfg(feature = "gui")]
            CliError::App(_) => ExitCode::Invalid,
        }
    }

    /// An output file that could not be written.
    pub fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CliError::Write { path: path.into(), source }
    }
}
