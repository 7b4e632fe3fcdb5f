//! `headroom validate`: every invalid file of a workspace, with its line.

use super::error::CliError;
use super::open::load_files;
use super::output::output;
use crate::engine::exit::ExitCode;
use std::path::Path;

/// Lists the workspace's contents and every error on standard output; invalid where any.
pub fn run(path: &Path) -> Result<ExitCode, CliError> {
    let workspace = load_files(path)?;
    let checked = workspace.budgets.iter().filter(|b| b.is_checked()).count();
    output(&format!(
        "{}: {} budget files, {checked} budgets; {} history files, {} runs, {} metrics, {} values\n",
        workspace.root,
        workspace.budget_files.len(),
        workspace.history_files.len(),
        workspace.history.runs.len(),
        workspace.history.series.len(),
        workspace.history.point_count()
    ));
    let mut errors = workspace.errors.clone();
    errors.extend(crate::approval::governance_errors(path));
    for e in &errors {
        output(&format!("error: {e}\n"));
    }
    if errors.is_empty() {
        output("valid\n");
        Ok(ExitCode::Pass)
    } else {
        output(&format!("{} errors\n", errors.len()));
        Ok(ExitCode::Invalid)
    }
}
