//! The import area: the import window, and imports (a tool's output files, runtime history from
//! Prometheus, files dropped on the window) on the `headroom-import` thread.

use crate::gui::jobs::{Job, Waker};
use crate::import::{Format, RunInfo};
use crate::model::error::LoadError;
use crate::model::store::StoreError;
use crate::model::time::Timestamp;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Something the user asked to import.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportCommand {
    /// Open the import window, or change its fields.
    Edit(ImportDraft),
    /// Close that window.
    Close,
    /// Import a tool's output files as one run (or Prometheus' history), as the window says.
    Run(ImportDraft),
    /// Files were dropped on the window.
    Drop(Vec<PathBuf>),
}

/// Why an import added nothing.
#[derive(Debug, thiserror::Error)]
pub(super) enum ImportFailure {
    /// The tool's output, or Prometheus' answer, does not read: each fault located.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Unreadable(Vec<LoadError>),
    /// The history did not take the runs.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A run imported: how many metrics, its id, the history file, and the branch and environment
/// it was imported as (the app checks only a run of its environment on its baseline branch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ImportedRun {
    pub metrics: usize,
    pub id: String,
    pub file: PathBuf,
    pub branch: Option<String>,
    pub environment: Option<String>,
}

impl ImportedRun {
    /// "of environment `ci` on branch `main`", or what it lacks (and so why it is not checked).
    pub(super) fn as_what(&self) -> String {
        match (&self.environment, &self.branch) {
            (Some(env), Some(branch)) => format!("of environment `{env}` on branch `{branch}`"),
            (None, Some(branch)) => format!("of no environment on branch `{branch}`"),
            (Some(env), None) => format!("of environment `{env}` on no branch"),
            (None, None) => "of no environment and no branch".to_owned(),
        }
    }
}

/// Why the import the window describes did not start (the window says what to fill in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum NotStarted {
    /// Prometheus without a query.
    #[error("Give at least one query, METRIC=PROMQL")]
    NoQuery,
    /// A tool's output without a file.
    #[error("Give the tool's output file (one per line)")]
    NoFile,
    /// The example workspace takes no runs.
    #[error("The example workspace is read-only: open a folder to import into")]
    ReadOnly,
}

impl ImportFailure {
    /// The located faults where the failure is in files that do not read (the tool's output,
    /// Prometheus' answer, a workspace file the history would not take), else the failure itself.
    pub(super) fn located(self) -> Result<Vec<LoadError>, ImportFailure> {
        match self {
            ImportFailure::Unreadable(errors) | ImportFailure::Store(StoreError::Invalid(errors)) => Ok(errors),
            other @ ImportFailure::Store(_) => Err(other),
        }
    }
}

/// The import window and the import running.
#[derive(Default)]
pub struct Imports {
    /// The import window, where open.
    pub prompt: Option<ImportDraft>,
    /// Why the window's last import did not start or added nothing, shown in the window (kept
    /// open with its fields): the window's input is not a workspace file, so its faults are
    /// never listed with the workspace's.
    pub error: Option<String>,
    job: Option<Job<Imported>>,
}

/// What an import came to.
pub(super) enum Imported {
    /// A run imported, or why nothing was.
    Run(Result<ImportedRun, ImportFailure>),
    /// Prometheus' runs: how many were fetched, how many were new, and the file; or why none.
    Prometheus(Result<(usize, usize, PathBuf), ImportFailure>),
    /// Dropped files: what was added (one line each), what was not and why, and the located
    /// errors of the tools' outputs that did not import.
    Dropped(Vec<String>, Vec<String>, Vec<LoadError>),
    /// A dropped folder that is not criterion's output: to open as the workspace.
    Folder(PathBuf),
}

impl Imports {
    /// Whether an import is running, and how far it is.
    #[must_use]
    pub fn progress(&self) -> Option<(f32, String)> {
        self.job.as_ref().map(Job::progress)
    }

    fn spawn(&mut self, waker: &Waker, work: impl FnOnce(&dyn Fn(f32, &str)) -> Imported + Send + 'static) {
        self.job = Some(Job::spawn("headroom-import", Arc::clone(waker), work));
    }

    /// The import's result, once it is there.
    pub(super) fn poll(&mut self) -> Option<Imported> {
        let done = self.job.as_ref().and_then(Job::poll)?;
        self.job = None;
        Some(done)
    }

    /// Waits for the import running, where one is.
    pub(super) fn wait(&mut self) -> Option<Imported> {
        self.job.take().and_then(|job| job.wait())
    }

    /// Starts the import the window describes, into the workspace at `root` (`None`: the
    /// read-only example). Says why where it cannot start.
    pub(super) fn run(&mut self, d: &ImportDraft, root: Option<PathBuf>, waker: &Waker) -> Result<(), NotStarted> {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        if d.prometheus {
            let queries: Vec<(String, String)> = d
                .queries
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(m, q)| (m.trim().to_owned(), q.trim().to_owned()))
                .filter(|(m, q)| !m.is_empty() && !q.is_empty())
                .collect();
            if queries.is_empty() {
                return Err(NotStarted::NoQuery);
            }
            let end = Timestamp::now();
            let range = crate::import::prometheus::RangeQuery {
                url: d.url.trim().to_owned(),
                queries,
                start: Timestamp(end.0 - i64::from(d.days.max(1)) * 86_400_000),
                end,
                step_seconds: u64::from(d.step_minutes.max(1)) * 60,
                environment: text(&d.environment),
            };
            // Nothing is fetched for the read-only example.
            let Some(root) = root else { return Err(NotStarted::ReadOnly) };
            self.spawn(waker, move |progress| {
                progress(0.0, "querying Prometheus");
                let outcome = crate::import::prometheus::fetch(&range).map_err(ImportFailure::Unreadable).and_then(|snapshots| {
                    let total = snapshots.len();
                    Ok(crate::model::store::add_runs(&root, "prometheus", snapshots, true).map(|(file, n)| (total, n, file))?)
                });
                Imported::Prometheus(outcome)
            });
            return Ok(());
        }
        let info = RunInfo { id: text(&d.run_id), commit: None, branch: text(&d.branch), environment: text(&d.environment), time: None };
        let paths: Vec<PathBuf> = d.paths.lines().map(str::trim).filter(|l| !l.is_empty()).map(PathBuf::from).collect();
        if paths.is_empty() {
            return Err(NotStarted::NoFile);
        }
        let Some(root) = root else { return Err(NotStarted::ReadOnly) };
        let format = d.format;
        self.spawn(waker, move |progress| {
            progress(0.0, "importing");
            let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
            Imported::Run(import_run(&root, format, &refs, info))
        });
        Ok(())
    }

    /// Files dropped on the open workspace at `root`: a folder is criterion's output to import (or
    /// else a workspace to open); budget and history files are copied into the workspace (history
    /// files into its history folder `history`), never over a file of the same name; a tool's
    /// output is imported as a run of `info`'s branch and environment (the ones the app checks, as
    /// File → Import fills them in), never of none, which nothing would check.
    pub(super) fn drop_files(&mut self, root: PathBuf, history: String, paths: Vec<PathBuf>, info: RunInfo, waker: &Waker) {
        self.spawn(waker, move |progress| {
            progress(0.0, "adding the dropped files");
            if let [folder] = paths.as_slice()
                && folder.is_dir()
            {
                // criterion's output folder is a run to import (read once); any other folder is a workspace.
                return match import_run(&root, Format::Criterion, &[folder], info.clone()) {
                    Ok(run) => Imported::Run(Ok(run)),
                    Err(_) => Imported::Folder(folder.clone()),
                };
            }
            let (added, problems, errors) = add_files(&root, &history, &paths, &info);
            Imported::Dropped(added, problems, errors)
        });
    }
}

/// Adds dropped files to the workspace at `root`: what was added, what was not and why, and the
/// located errors of the tools' outputs that did not import.
fn add_files(root: &Path, history: &str, paths: &[PathBuf], info: &RunInfo) -> (Vec<String>, Vec<String>, Vec<LoadError>) {
    let mut added = Vec::new();
    let mut problems = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        // A benchmark tool's output (not Headroom's own history) is imported as a run.
        if lower.ends_with(".json")
            && let Ok(text) = std::fs::read_to_string(path)
            && crate::model::history_files::parse_history_any(&name, &text).is_err()
        {
            match crate::import::sniff(&text) {
                Some(format) => match import_run(root, format, &[path], info.clone()) {
                    Ok(run) => {
                        added.push(format!(
                            "{} ({}: run {} {}, {} metrics, in {})",
                            path.display(),
                            format.name(),
                            run.id,
                            run.as_what(),
                            run.metrics,
                            run.file.display()
                        ));
                    }
                    Err(failure) => match failure.located() {
                        Ok(faults) => {
                            problems.push(format!(
                                "{} did not import ({}, listed with the workspace's)",
                                path.display(),
                                crate::report::plural(faults.len(), "problem", "problems")
                            ));
                            errors.extend(faults);
                        }
                        Err(e) => problems.push(e.to_string()),
                    },
                },
                None => problems.push(format!(
                    "{name} is neither Headroom history nor the output of a tool Headroom imports (hyperfine, Google Benchmark, pytest-benchmark, Bencher Metric Format)"
                )),
            }
            continue;
        }
        let target = if [".jsonl", ".ndjson", ".json", ".csv"].iter().any(|e| lower.ends_with(e)) {
            root.join(history).join(&name)
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            root.join(&name)
        } else {
            problems.push(format!("{name} is neither a budget file (.yaml) nor a history file (.jsonl, .json, .csv)"));
            continue;
        };
        let relative = target.strip_prefix(root).unwrap_or(&target).to_string_lossy().into_owned();
        // Checked and copied under the workspace's lock: never over a file another writer just added.
        let copied = std::fs::read(path)
            .map_err(|source| StoreError::Io { action: "read", path: path.clone(), source })
            .and_then(|bytes| crate::model::store::add_file(root, &relative, &bytes));
        match copied {
            Ok(_) => added.push(name),
            Err(e) if target.exists() => problems.push(format!("{} already exists ({e})", target.display())),
            Err(e) => problems.push(e.to_string()),
        }
    }
    (added, problems, errors)
}

/// Imports a tool's output files as one run into the history of the workspace at `root`:
/// what was imported, or why nothing was.
fn import_run(root: &Path, format: Format, paths: &[&Path], info: RunInfo) -> Result<ImportedRun, ImportFailure> {
    let snapshot = crate::import::import(format, paths, info).map_err(ImportFailure::Unreadable)?;
    let (metrics, id) = (snapshot.metrics.len(), snapshot.run.id.clone());
    let (branch, environment) = (snapshot.run.branch.clone(), snapshot.run.environment.clone());
    let (file, _) = crate::model::store::add_runs(root, format.name(), vec![snapshot], false)?;
    Ok(ImportedRun { metrics, id, file, branch, environment })
}

/// The workspace a dropped file belongs to: its folder, or the folder above its `history/`.
pub(super) fn workspace_of(file: &Path) -> Option<PathBuf> {
    let dir = file.parent()?;
    if dir.file_name().is_some_and(|n| n == "history") { dir.parent().map(Path::to_path_buf) } else { Some(dir.to_path_buf()) }
}

/// The import window's fields.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportDraft {
    /// The tool.
    pub format: Format,
    /// The files (one per line; criterion: its folder).
    pub paths: String,
    /// The run's id (empty: the format and the time).
    pub run_id: String,
    /// The branch.
    pub branch: String,
    /// The environment.
    pub environment: String,
    /// Read runtime history from Prometheus instead of files.
    pub prometheus: bool,
    /// Prometheus: the server, `http://host:9090`.
    pub url: String,
    /// Prometheus: `METRIC=PROMQL`, one per line.
    pub queries: String,
    /// Prometheus: how many days back from now.
    pub days: u32,
    /// Prometheus: minutes between runs.
    pub step_minutes: u32,
}

impl Default for ImportDraft {
    fn default() -> Self {
        ImportDraft {
            format: Format::Hyperfine,
            paths: String::new(),
            run_id: String::new(),
            branch: String::new(),
            environment: String::new(),
            prometheus: false,
            url: "http://localhost:9090".to_owned(),
            queries: String::new(),
            days: 7,
            step_minutes: 60,
        }
    }
}
