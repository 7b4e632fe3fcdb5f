//! `headroom apply`: an approved proposal applied and appended to the ledger.

use super::error::CliError;
use super::output::output;
use crate::approval::ledger::apply_proposal;
use crate::engine::exit::ExitCode;
use crate::model::time::Timestamp;
use std::path::Path;

/// Applies the proposal `id`; a proposal not applied, for whatever reason, fails (exit 1).
pub fn run(workspace: &Path, id: &str) -> Result<ExitCode, CliError> {
    let entry = apply_proposal(workspace, id, Timestamp::now()).map_err(CliError::NotApplied)?;
    output(&format!("applied `{id}`: ledger entry {}, budget files now {}\n", entry.seq, entry.after));
    Ok(ExitCode::Pass)
}
