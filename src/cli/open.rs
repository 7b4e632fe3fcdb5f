//! Opening the workspace a command works on.

use super::error::CliError;
use crate::model::workspace::Workspace;
use std::path::Path;

/// The workspace in `dir`, invalid files and all (they are in `errors`).
pub fn load(dir: &Path) -> Result<Workspace, CliError> {
    Workspace::load(dir).map_err(|source| CliError::Open { path: dir.to_owned(), source })
}

/// The workspace, for commands that need every file valid: an invalid file is an error (with
/// `refusal` after the files' errors, where given).
pub fn load_valid(dir: &Path, refusal: Option<&str>) -> Result<Workspace, CliError> {
    let workspace = load(dir)?;
    if workspace.errors.is_empty() {
        return Ok(workspace);
    }
    Err(CliError::Files { errors: workspace.errors, then: refusal.map(str::to_owned) })
}

/// Refuses a workspace path that is not a folder (for commands that read it file by file).
pub fn folder(dir: &Path) -> Result<(), CliError> {
    if dir.is_dir() { Ok(()) } else { Err(CliError::Invalid(format!("{} is not a workspace folder", dir.display()))) }
}
