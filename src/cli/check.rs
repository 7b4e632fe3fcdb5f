//! `headroom check`: the CI gate.

use super::args::{CheckArgs, FormatArg};
use super::error::CliError;
use super::open::load;
use super::output::output;
use crate::engine::check::{BaselineRuns, CheckOptions, check};
use crate::engine::exit::ExitCode;
use crate::model::settings::CheckSettings;
use crate::report::{Format, render};

/// Checks the newest run against the budgets and baselines; the exit code is the report's verdict.
pub fn run(args: &CheckArgs) -> Result<ExitCode, CliError> {
    let workspace = load(&args.workspace)?;
    let mut settings: CheckSettings = workspace.config.check.clone();
    args.gate.apply(&mut settings);
    if let Some(m) = args.missing {
        settings.missing_data = m.into();
    }
    let baseline_branch = args.baseline_branch.clone().or_else(|| std::env::var("GITHUB_BASE_REF").ok().filter(|b| !b.trim().is_empty()));
    let options = CheckOptions {
        environment: args.env.clone(),
        run: args.run.clone(),
        baseline_branch,
        settings: Some(settings),
        budget_changes: crate::approval::applied_budget_changes(&args.workspace),
        baseline_from: match (&args.baseline_run, &args.baseline_commit) {
            (Some(id), _) => Some(BaselineRuns::Run(id.clone())),
            (None, Some(commit)) => Some(BaselineRuns::Commit(commit.clone())),
            (None, None) => None,
        },
        now: Some(crate::model::time::Timestamp::now()),
    };
    let report = check(&workspace, &options);
    let format = match args.format {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
        FormatArg::Junit => Format::Junit,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Github => Format::Github,
    };
    let text = render(format, &workspace, &report);
    output(&text);
    if let Some(path) = &args.output {
        crate::model::disk::write_atomic(path, text.as_bytes()).map_err(|e| CliError::write(path, e))?;
    }
    Ok(report.exit_code())
}
