//! `headroom analyze`: change points, noise floors and trends of every metric.

use super::args::{AnalyzeArgs, AnalyzeFormat};
use super::error::CliError;
use super::open::load;
use super::output::output;
use crate::engine::analyze::{RunFilter, analyze};
use crate::engine::changepoint::DetectorSettings;
use crate::engine::check::{CheckOptions, check};
use crate::engine::exit::ExitCode;
use crate::model::history::History;
use crate::model::history_files::{HistoryFilesError, read_history_files};
use crate::model::settings::environment_or_default;
use std::path::Path;

/// Analyses the files given, or the workspace's history.
pub fn run(args: &AnalyzeArgs) -> Result<ExitCode, CliError> {
    if args.min_segment < 2 {
        return Err(CliError::Invalid("--min-segment must be at least 2".to_owned()));
    }
    let workspace = match (&args.workspace, args.files.is_empty()) {
        (Some(dir), _) => Some(load(dir)?),
        (None, true) => Some(load(Path::new("budgets"))?),
        (None, false) => None,
    };
    if let Some(w) = &workspace
        && !w.errors.is_empty()
    {
        return Err(CliError::Files { errors: w.errors.clone(), then: None });
    }
    // The workspace's history is borrowed, not copied (a copy doubled the memory of a long one).
    let read;
    let none = History::default();
    let history: &History = if args.files.is_empty() {
        workspace.as_ref().map_or(&none, |w| &w.history)
    } else {
        read = read_history_files(&args.files).map_err(|e| match e {
            HistoryFilesError::Unreadable { path, source } => CliError::Read { path, source },
            HistoryFilesError::Invalid(errors) => {
                let then = Some(format!("{}; nothing was analysed", crate::report::plural(errors.len(), "error", "errors")));
                CliError::Files { errors, then }
            }
        })?;
        &read
    };
    let mut filter = RunFilter { environment: args.env.clone(), branch: args.branch.clone() };
    if let (Some(w), true) = (&workspace, args.files.is_empty()) {
        filter.environment = environment_or_default(filter.environment, w.config.default_environment.as_deref(), history);
        filter.branch = filter.branch.or_else(|| Some(w.config.default_branch.clone()));
    }
    let settings = DetectorSettings {
        min_segment: args.min_segment,
        significance: args.significance.value(),
        min_relative_change: args.min_change.fraction(),
        ..DetectorSettings::default()
    };
    let analysis = analyze(history, &filter, workspace.as_ref(), &settings);
    // Which regressions later change points reverted, by the budgets' smallest flaggable changes
    // as the check finds them: the rule the app, the report site and the review agenda read.
    // Where no regression has a later change point of its metric, nothing is reverted whatever
    // the tolerances: the check is not run.
    let needs_tolerances = args.files.is_empty() && crate::engine::reversal::can_revert(&analysis);
    let report = workspace.as_ref().filter(|_| needs_tolerances).map(|w| {
        check(
            w,
            &CheckOptions { environment: filter.environment.clone(), baseline_branch: filter.branch.clone(), ..CheckOptions::default() },
        )
    });
    let reversals = crate::engine::reversal::of_check(&analysis, report.as_ref());
    let text = match args.format {
        AnalyzeFormat::Text => crate::report::analysis::text(history, &analysis, &reversals),
        AnalyzeFormat::Json => crate::report::analysis::json(history, &analysis, &reversals),
    };
    output(&text);
    if let Some(path) = &args.output {
        crate::model::disk::write_atomic(path, text.as_bytes()).map_err(|e| CliError::write(path, e))?;
    }
    Ok(ExitCode::Pass)
}
