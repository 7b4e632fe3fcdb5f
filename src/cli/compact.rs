//! `headroom compact`: the `retention:` policy applied to the history.

use super::error::CliError;
use super::open::folder;
use super::output::output;
use crate::engine::exit::ExitCode;
use crate::model::time::Timestamp;
use std::fmt::Write as _;
use std::path::Path;

/// Compacts (or with `dry_run`, says what it would) and lists what changed.
pub fn run(workspace: &Path, dry_run: bool) -> Result<ExitCode, CliError> {
    folder(workspace)?;
    let plan = crate::approval::compact::compact(workspace, dry_run, Timestamp::now())?;
    let mut out = String::new();
    let verb = if dry_run { "would" } else { "did" };
    for (path, count) in &plan.summaries {
        let _ = writeln!(out, "{verb} add {path}: the summary of {count} runs");
    }
    for (path, text) in &plan.writes {
        if plan.summaries.iter().all(|(p, _)| p != path) {
            let _ = writeln!(out, "{verb} {} {path}", if text.is_some() { "rewrite" } else { "remove" });
        }
    }
    for (environment, id) in &plan.removed {
        let _ = writeln!(out, "{verb} remove run {id}{}", environment.as_ref().map_or_else(String::new, |e| format!(" ({e})")));
    }
    for id in &plan.kept_evidence {
        let _ = writeln!(out, "kept whole (evidence): {id}");
    }
    for run in &plan.kept_summarized {
        let _ = writeln!(out, "kept whole (its day already has a summary): {run}");
    }
    let _ = writeln!(
        out,
        "{} runs {} into {} summaries{}",
        plan.removed.len(),
        if dry_run { "would be compacted" } else { "compacted" },
        plan.summaries.len(),
        if dry_run { " (dry run: nothing was changed)" } else { "" }
    );
    output(&out);
    Ok(ExitCode::Pass)
}
