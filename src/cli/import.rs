//! `headroom import`: what a benchmark tool wrote (or a Prometheus range), added to the history.

use super::args::ImportArgs;
use super::error::CliError;
use super::output::{note, output};
use crate::engine::exit::ExitCode;
use crate::import::{Format, NoteKind, RunInfo, import_with_notes};
use crate::model::history::Snapshot;
use crate::model::time::Timestamp;
use std::path::{Path, PathBuf};

/// Imports the files as one run (all of it, or nothing).
pub fn run(args: &ImportArgs) -> Result<ExitCode, CliError> {
    // The history is read again under the workspace's lock when the run is added; here only the folder is checked.
    if !args.into.is_dir() {
        return Err(CliError::Invalid(format!("cannot open the workspace {}: it is not a folder", args.into.display())));
    }
    if args.format == "prometheus" {
        return run_prometheus(args);
    }
    let format = Format::parse(&args.format).map_err(|e| CliError::Invalid(format!("--from: {e}, prometheus")))?;
    let time = args.time.as_deref().map(Timestamp::parse).transpose().map_err(|e| CliError::Invalid(format!("--time: {e}")))?;
    let info =
        RunInfo { id: args.run_id.clone(), commit: args.commit.clone(), branch: args.branch.clone(), environment: args.env.clone(), time };
    let paths: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let imported = import_with_notes(format, &paths, info)
        .map_err(|errors| CliError::Files { errors, then: Some("nothing was imported".to_owned()) })?;
    // What a file held but did not become a value, and which statistic was taken: said once, here.
    for n in &imported.notes {
        match n.kind {
            NoteKind::LeftOut => note(&format!("warning: {n}")),
            NoteKind::Took => note(&format!("note: {n}")),
        }
    }
    let snapshot = imported.snapshot;
    let metrics = snapshot.metrics.len();
    let id = snapshot.run.id.clone();
    let (path, _) = append_history(&args.into, format.name(), vec![snapshot], false)?;
    output(&format!("imported {metrics} metrics as run `{id}` into {}\n", path.display()));
    Ok(ExitCode::Pass)
}

/// Adds runs to the history in a file of their own (`history/<name>/...`).
fn append_history(root: &Path, name: &str, snapshots: Vec<Snapshot>, skip_known: bool) -> Result<(PathBuf, usize), CliError> {
    crate::model::store::add_runs(root, name, snapshots, skip_known).map_err(CliError::NotImported)
}

fn run_prometheus(args: &ImportArgs) -> Result<ExitCode, CliError> {
    use crate::import::prometheus::{RangeQuery, fetch};
    let [url] = args.files.as_slice() else {
        return Err(CliError::Invalid("--from prometheus takes one server URL, e.g. http://localhost:9090".to_owned()));
    };
    let mut queries = Vec::new();
    for q in &args.queries {
        let Some((name, promql)) = q.split_once('=') else {
            return Err(CliError::Invalid(format!("--query `{q}`: expected METRIC=PROMQL")));
        };
        queries.push((name.trim().to_owned(), promql.trim().to_owned()));
    }
    if queries.is_empty() {
        return Err(CliError::Invalid("--from prometheus needs at least one --query METRIC=PROMQL".to_owned()));
    }
    let parse = |text: &Option<String>, flag: &str| {
        text.as_deref().map(Timestamp::parse).transpose().map_err(|e| CliError::Invalid(format!("{flag}: {e}")))
    };
    let end = parse(&args.end, "--end")?.unwrap_or_else(Timestamp::now);
    let start = parse(&args.start, "--start")?.unwrap_or(Timestamp(end.0 - 7 * 86_400_000));
    let range = RangeQuery { url: url.display().to_string(), queries, start, end, step_seconds: args.step, environment: args.env.clone() };
    let snapshots = fetch(&range).map_err(|errors| CliError::Files { errors, then: Some("nothing was imported".to_owned()) })?;
    // Ids are the step times: importing an overlapping range again adds only the new runs.
    let total = snapshots.len();
    match append_history(&args.into, "prometheus", snapshots, true)? {
        (_, 0) => output(&format!("nothing new: the history has all {total} runs of the range\n")),
        (path, n) => output(&format!("imported {n} runs ({} already there) into {}\n", total - n, path.display())),
    }
    Ok(ExitCode::Pass)
}
