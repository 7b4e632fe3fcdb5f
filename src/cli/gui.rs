//! `headroom gui` (and `headroom` alone): the desktop app.

use super::error::CliError;
use crate::engine::exit::ExitCode;
use std::path::PathBuf;

/// Opens the app on `path` (or `budgets/`, or the built-in example).
#[cfg(feature = "gui")]
pub fn run(path: Option<PathBuf>) -> Result<ExitCode, CliError> {
    crate::gui::run(path).map_err(CliError::App)?;
    Ok(ExitCode::Pass)
}

/// This build has no app.
#[cfg(not(feature = "gui"))]
pub fn run(_path: Option<PathBuf>) -> Result<ExitCode, CliError> {
    Err(CliError::NoApp)
}
