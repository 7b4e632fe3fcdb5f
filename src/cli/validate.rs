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
    // What was read, counted; then each file that was not, by name (a file loads whole or not at
    // all), so a broken file never reads as an empty workspace.
    let read = |loaded: usize, unloaded: usize, one: &str, many: &str| {
        let found = if unloaded == 0 { String::new() } else { format!(" of {}", loaded + unloaded) };
        format!("{loaded}{found} {} read", if loaded + unloaded == 1 { one } else { many })
    };
    output(&format!(
        "{}: {}, {checked} budgets; {}, {} runs, {} metrics, {} values\n",
        workspace.root,
        read(workspace.budget_files.len(), workspace.unloaded.len(), "budget file", "budget files"),
        read(workspace.history_files.len(), workspace.unloaded_history.len(), "history file", "history files"),
        workspace.history.runs.len(),
        workspace.history.series.len(),
        workspace.history.point_count()
    ));
    for f in &workspace.unloaded {
        output(&format!("not loaded: {} ({} not checked)\n", f.file, crate::report::plural(f.budgets.count, "budget", "budgets")));
    }
    for file in &workspace.unloaded_history {
        output(&format!("not loaded: {file} (a history file loads whole or not at all: none of its runs is read)\n"));
    }
    let mut errors = workspace.errors.clone();
    errors.extend(crate::approval::governance_errors(path));
    for e in &errors {
        output(&format!("error: {e}\n"));
    }
    if errors.is_empty() {
        output("valid\n");
        Ok(ExitCode::Pass)
    } else {
        output(&format!("{}\n", crate::report::plural(errors.len(), "error", "errors")));
        Ok(ExitCode::Invalid)
    }
}
