//! Opening the workspace a command works on.

use super::error::CliError;
use super::output::note;
use crate::model::source::SourceState;
use crate::model::time::Timestamp;
use crate::model::workspace::Workspace;
use std::path::Path;

/// The workspace in `dir`, invalid files and all (they are in `errors`), with the history of its
/// `history_source:` where it names one (`import::live`: the store is asked for what is new since
/// the cache). A store that fails is a loud warning on standard error while the cache is within
/// `stale_after`, and an error of the workspace past it.
pub fn load(dir: &Path) -> Result<Workspace, CliError> {
    let mut read = |source: &_, config: &_, budgets: &[_]| crate::import::live::read(dir, source, config, budgets, Timestamp::now());
    let workspace = Workspace::load_with_source(dir, &mut |_, _| {}, Some(&mut read))
        .map_err(|source| CliError::Open { path: dir.to_owned(), source })?;
    match &workspace.history_source {
        Some(state @ (SourceState::Cached { .. } | SourceState::Failing { .. })) => note(&format!("warning: {state}")),
        Some(SourceState::Fresh { .. }) | None => {}
    }
    Ok(workspace)
}

/// The workspace in `dir` from its files alone, without asking a history source (for commands
/// that read no history: `validate`, `alerts`).
pub fn load_files(dir: &Path) -> Result<Workspace, CliError> {
    Workspace::load(dir).map_err(|source| CliError::Open { path: dir.to_owned(), source })
}

/// The workspace, for commands that need every file valid: an invalid file is an error (with
/// `refusal` after the files' errors, where given).
pub fn load_valid(dir: &Path, refusal: Option<&str>) -> Result<Workspace, CliError> {
    valid(load(dir)?, refusal)
}

/// [`load_valid`] from the files alone, as [`load_files`].
pub fn load_valid_files(dir: &Path, refusal: Option<&str>) -> Result<Workspace, CliError> {
    valid(load_files(dir)?, refusal)
}

fn valid(workspace: Workspace, refusal: Option<&str>) -> Result<Workspace, CliError> {
    if workspace.errors.is_empty() {
        return Ok(workspace);
    }
    Err(CliError::Files { errors: workspace.errors, then: refusal.map(str::to_owned) })
}

/// Refuses a workspace path that is not a folder (for commands that read it file by file).
pub fn folder(dir: &Path) -> Result<(), CliError> {
    if dir.is_dir() { Ok(()) } else { Err(CliError::Invalid(format!("{} is not a workspace folder", dir.display()))) }
}
