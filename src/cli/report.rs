//! `headroom report`: the workspace as a static HTML site.

use super::args::ReportArgs;
use super::error::CliError;
use super::open::load_valid;
use super::output::{note, output};
use crate::engine::analyze::{RunFilter, analyze};
use crate::engine::changepoint::DetectorSettings;
use crate::engine::check::{CheckOptions, check};
use crate::engine::exit::ExitCode;
use crate::report::site::{SiteInput, site};
use std::path::PathBuf;

/// Writes the site into `--output`, replacing its own files and removing pages of budgets gone.
pub fn run(args: &ReportArgs) -> Result<ExitCode, CliError> {
    let workspace = load_valid(&args.workspace, Some("no report was written: fix the files above first"))?;
    let options = CheckOptions {
        environment: args.env.clone(),
        baseline_branch: args.baseline_branch.clone(),
        budget_changes: crate::approval::applied_budget_changes(&args.workspace),
        now: Some(crate::model::time::Timestamp::now()),
        ..CheckOptions::default()
    };
    let report = check(&workspace, &options);
    let filter = RunFilter { environment: report.environment.clone(), branch: Some(report.baseline_branch.clone()) };
    let analysis = analyze(&workspace.history, &filter, Some(&workspace), &DetectorSettings::default());
    let now = crate::model::time::Timestamp::now();
    let (proposals, unreadable) = crate::approval::ledger::open_proposals(&args.workspace, now);
    for e in &unreadable {
        note(&format!("warning: a proposal is left out of the report: {e}"));
    }
    let files = site(&SiteInput { workspace: &workspace, report: &report, analysis: &analysis, proposals: &proposals, generated: now });
    for file in &files {
        let path = args.output.join(&file.path);
        path.parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| crate::model::disk::write_atomic(&path, file.text.as_bytes()))
            .map_err(|e| CliError::write(&path, e))?;
    }
    // A budget removed since the last report leaves no page behind (only the site's own kinds of file go).
    let written: std::collections::HashSet<PathBuf> = files.iter().map(|f| args.output.join(&f.path)).collect();
    if let Ok(entries) = std::fs::read_dir(args.output.join("budget")) {
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.extension().is_some_and(|e| e == "html" || e == "svg") && !written.contains(&path) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    output(&format!(
        "wrote {} files ({} budget{}) to {}; open {}\n",
        files.len(),
        report.results.len(),
        if report.results.len() == 1 { "" } else { "s" },
        args.output.display(),
        args.output.join("index.html").display()
    ));
    Ok(ExitCode::Pass)
}
