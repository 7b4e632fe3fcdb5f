//! The `headroom` command line, shaped as ripgrep's: `args` (the clap types and the value parsers),
//! `main` below (parse, dispatch, print the one error), one file per command, `output` (the one
//! module that prints) and `error` (`CliError`, and the one match that turns it into an exit code).
//!
//! Exit codes ([`ExitCode`]): 0 all within budget, 1 a budget exceeded or a regression, 2 invalid
//! input (bad budget or history files, a workspace that cannot be read, bad arguments), 3 the gate
//! is inconclusive (rerun the benchmark).

mod alerts;
mod analyze;
mod apply;
mod args;
mod check;
mod compact;
mod convert;
mod error;
mod gui;
mod import;
mod ledger;
mod open;
mod output;
mod proposals;
mod propose;
mod recover;
mod replay;
mod report;
mod sign;
mod triage;
mod validate;
mod verify;

use crate::engine::exit::ExitCode;
pub use args::{
    AlertsArgs, AnalyzeArgs, AnalyzeFormat, CheckArgs, Cli, Command, FormatArg, GateArgs, ImportArgs, LedgerCommand, MissingArg,
    ProposeArgs, ReplayArgs, ReportArgs, SignArgs, TriageArgs,
};
pub use error::CliError;

use clap::Parser as _;

/// Runs the command line and returns the process exit code.
#[must_use]
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::Invalid } else { ExitCode::Pass };
        }
    };
    dispatch(cli.command).unwrap_or_else(|e| {
        output::error(&e);
        e.exit_code()
    })
}

/// Runs one command.
fn dispatch(command: Option<Command>) -> Result<ExitCode, CliError> {
    match command {
        Some(Command::Check(args)) => check::run(&args),
        Some(Command::Analyze(args)) => analyze::run(&args),
        Some(Command::Replay(args)) => replay::run(&args),
        Some(Command::Propose(args)) => propose::run(&args),
        Some(Command::Sign(args)) => sign::run(&args),
        Some(Command::Proposals { workspace, canonical }) => proposals::run(&workspace, canonical.as_deref()),
        Some(Command::Apply { id, workspace }) => apply::run(&workspace, &id),
        Some(Command::Verify { workspace, base, baseline_branch }) => verify::run(&workspace, base.as_deref(), baseline_branch.as_deref()),
        Some(Command::Recover { workspace }) => recover::run(&workspace),
        Some(Command::Compact { workspace, dry_run }) => compact::run(&workspace, dry_run),
        Some(Command::Ledger(LedgerCommand::Start { workspace, proposal })) => ledger::run_start(&workspace, proposal.as_deref()),
        Some(Command::Alerts(args)) => alerts::run(&args),
        Some(Command::Report(args)) => report::run(&args),
        Some(Command::Import(args)) => import::run(&args),
        Some(Command::ConvertBudgets { from, file, output: out }) => convert::run(&from, &file, out.as_deref()),
        Some(Command::Triage(args)) => triage::run(&args),
        Some(Command::Validate { workspace }) => validate::run(&workspace),
        #[cfg(feature = "gui")]
        Some(Command::Gui { workspace, workspace_option }) => gui::run(workspace_option.or(workspace)),
        None => gui::run(None),
    }
}
