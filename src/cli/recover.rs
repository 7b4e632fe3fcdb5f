//! `headroom recover`: an interrupted change finished.

use super::error::CliError;
use super::open::folder;
use super::output::output;
use crate::engine::exit::ExitCode;
use std::path::Path;

/// Takes the workspace's lock, which finishes an interrupted change.
pub fn run(workspace: &Path) -> Result<ExitCode, CliError> {
    folder(workspace)?;
    let pending = crate::model::journal::pending(workspace);
    let _lock = crate::model::lock::WorkspaceLock::acquire(workspace, "the recovery of an interrupted change")
        .map_err(|e| CliError::Approval(e.into()))?;
    output(if pending {
        "finished the change an interrupted command had begun (its journal is gone)\n"
    } else {
        "nothing to recover: no change was interrupted\n"
    });
    Ok(ExitCode::Pass)
}
