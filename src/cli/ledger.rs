//! `headroom ledger start`: the budget files recorded as the agreed start.

use super::error::CliError;
use super::open::folder;
use super::output::output;
use crate::approval::ledger::start_ledger;
use crate::engine::exit::ExitCode;
use crate::model::time::Timestamp;
use std::path::Path;

/// Starts the ledger, with the signatures of the start proposal `proposal` where given.
pub fn run_start(workspace: &Path, proposal: Option<&str>) -> Result<ExitCode, CliError> {
    folder(workspace)?;
    let entry = start_ledger(workspace, Timestamp::now(), proposal)?;
    output(&format!("ledger started: {} files recorded as the agreed budgets ({})\n", entry.start.map_or(0, |f| f.len()), entry.after));
    Ok(ExitCode::Pass)
}
