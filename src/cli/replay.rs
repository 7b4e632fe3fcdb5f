//! `headroom replay`: check settings replayed over the past history.

use super::args::{AnalyzeFormat, ReplayArgs};
use super::error::CliError;
use super::open::load_valid;
use super::output::output;
use crate::engine::exit::ExitCode;

/// Replays the gate with the given settings and prints what it would have flagged.
pub fn run(args: &ReplayArgs) -> Result<ExitCode, CliError> {
    let workspace = load_valid(&args.workspace, None)?;
    let mut settings = workspace.config.check.clone();
    args.gate.apply(&mut settings);
    let replay = crate::engine::replay::replay(&workspace, args.env.clone(), &settings);
    output(&match args.format {
        AnalyzeFormat::Text => crate::report::analysis::replay_text(&workspace.history, &replay),
        AnalyzeFormat::Json => crate::report::analysis::replay_json(&replay),
    });
    Ok(ExitCode::Pass)
}
