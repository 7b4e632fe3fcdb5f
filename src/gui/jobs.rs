//! Slow work off the UI thread: loading and analysing a workspace (here), and the jobs the state's
//! areas start with [`Job::spawn`] (replaying settings, importing, signing, applying, preparing a
//! long plot; the app's review export); and watching the workspace's files. Each job runs on a
//! named thread and reports progress; the UI thread only polls ([`Job::poll`]), so the window
//! never freezes. The workspace's [`Source`] lives here, below the state that uses it.
//!
//! ```text
//!  UI thread                        "headroom-load" thread
//!  apply(Reload) ── spawn ────────▶ read files ▸ parse ▸ check
//!  every frame: progress() ◀─────── Mutex<(fraction, what)>  + wake the UI
//!               poll()     ◀─────── channel: Loaded ── the plot shows now
//!                  │                "headroom-analyse" thread
//!                  └─ spawn ──────▶ change points of every metric ([`analyse`])
//!               poll()     ◀─────── channel: Analysis ── findings, levels, statuses
//! ```
//!
//! The change points of a long history take as long as reading it (10M points: 2-3 s each), so
//! the history is shown as soon as it is read and checked, and the analysis follows.

use crate::approval::error::ApprovalError;
use crate::approval::ledger::{Evaluation, list_proposals};
use crate::approval::proposal::Proposal;
use crate::engine::analyze::{Analysis, RunFilter, analyze};
use crate::engine::changepoint::DetectorSettings;
use crate::engine::check::{CheckOptions, CheckReport, check};
use crate::model::error::LoadError;
use crate::model::time::Timestamp;
use crate::model::triage::Triage;
use crate::model::workspace::{Workspace, fingerprint};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// Where the open workspace comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A folder on disk.
    Folder(PathBuf),
    /// The example built into the binary (read-only).
    Example,
}

impl Source {
    /// Where to open by default: `budgets/` in the current folder, else the built-in example.
    #[must_use]
    pub fn default_here() -> Source {
        let here = PathBuf::from("budgets");
        if here.is_dir() { Source::Folder(here) } else { Source::Example }
    }
}

/// Wakes the UI (asks egui for a repaint) from another thread.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// A result being computed on another thread.
pub struct Job<T> {
    receiver: mpsc::Receiver<T>,
    progress: Arc<Mutex<(f32, String)>>,
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a thread named `name`; `work` reports progress through the function it is given.
    pub fn spawn(name: &str, waker: Waker, work: impl FnOnce(&dyn Fn(f32, &str)) -> T + Send + 'static) -> Job<T> {
        let (sender, receiver) = mpsc::channel();
        let progress = Arc::new(Mutex::new((0.0, String::from("starting"))));
        let shared = Arc::clone(&progress);
        let wake = Arc::clone(&waker);
        let body = move || {
            let report = |fraction: f32, what: &str| {
                if let Ok(mut p) = shared.lock() {
                    *p = (fraction, what.to_owned());
                }
                wake();
            };
            let result = work(&report);
            // The receiver is gone where the job was superseded: its result is not wanted.
            let _ = sender.send(result);
            waker();
        };
        if let Err(e) = std::thread::Builder::new().name(name.to_owned()).spawn(body) {
            // No thread to be had: say so where the progress is shown; poll() never answers.
            if let Ok(mut p) = progress.lock() {
                *p = (0.0, format!("cannot start a thread: {e}"));
            }
        }
        Job { receiver, progress }
    }

    /// The result, once it is there (taken once).
    #[must_use]
    pub fn poll(&self) -> Option<T> {
        self.receiver.try_recv().ok()
    }

    /// Waits for the result (tests, and the benchmark).
    #[must_use]
    pub fn wait(&self) -> Option<T> {
        self.receiver.recv().ok()
    }

    /// How far the job is (0 to 1) and what it is doing.
    #[must_use]
    pub fn progress(&self) -> (f32, String) {
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

/// A workspace read and checked (its analysis follows: [`analyse`]).
pub struct Loaded {
    /// Where it came from.
    pub source: Source,
    /// The workspace (its triage taken out into `triage`).
    pub workspace: Arc<Workspace>,
    /// The team's triage.
    pub triage: Triage,
    /// The check, as `headroom check` makes it.
    pub report: CheckReport,
    /// The budget change proposals not yet applied, judged against the budget files now.
    pub proposals: Vec<(Proposal, Evaluation)>,
    /// Proposal files that do not read, one located error per fault.
    pub proposal_errors: Vec<LoadError>,
}

/// Every proposal in the workspace at `root` not yet applied, judged against the budget files
/// now, and the proposal files that do not read as located errors (file, line, field), one per
/// fault, so the app lists each where it lists the workspace's own.
#[must_use]
pub fn open_proposals(root: &Path, at: Timestamp) -> (Vec<(Proposal, Evaluation)>, Vec<LoadError>) {
    let (mut open, mut errors) = (Vec::new(), Vec::new());
    for listed in list_proposals(root, at) {
        match listed {
            Ok((_, _, true)) => {}
            Ok((p, e, false)) => open.push((p, e)),
            Err(e) => errors.extend(located(root, e)),
        }
    }
    (open, errors)
}

/// An approval error as located errors: a proposal file's own faults as they are; a file that
/// cannot be read as an error about that whole file; anything else about `proposals/`.
fn located(root: &Path, error: ApprovalError) -> Vec<LoadError> {
    if !error.located().is_empty() {
        return error.located().to_vec();
    }
    match error {
        ApprovalError::Io { ref path, .. } => {
            let file = path.strip_prefix(root).unwrap_or(path).display().to_string();
            vec![LoadError::whole_file(file, error.to_string())]
        }
        other => vec![LoadError::whole_file(crate::approval::proposal::PROPOSALS_DIR, other.to_string())],
    }
}

/// Why a workspace did not open. Its files' own faults are not this: they are located errors in
/// [`Workspace::errors`], and the rest of the workspace loads beside them.
#[derive(Debug, thiserror::Error)]
pub enum LoadFailure {
    /// The folder cannot be read (it is gone, or not a folder, or not ours to read).
    #[error("Cannot open {}: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

/// Reads (unless `reuse` gives the workspace, with the app's triage) and checks a workspace in
/// `environment`; the change points are [`analyse`]'s, on a thread of their own.
pub fn load(
    source: &Source,
    environment: Option<String>,
    reuse: Option<(Arc<Workspace>, Triage)>,
    progress: &dyn Fn(f32, &str),
) -> Result<Loaded, LoadFailure> {
    let (workspace, triage) = if let Some((w, triage)) = reuse {
        (w, triage)
    } else {
        let mut workspace = match source {
            Source::Folder(path) => {
                // The history source is read here, on the loading thread: the window stays live while the store answers.
                let mut read =
                    |source: &_, config: &_, budgets: &[_]| crate::import::live::read(path, source, config, budgets, Timestamp::now());
                Workspace::load_with_source(path, &mut |f, what| progress(0.6 * f, what), Some(&mut read))
                    .map_err(|source| LoadFailure::Folder { path: path.clone(), source })?
            }
            Source::Example => crate::example::workspace(),
        };
        let triage = std::mem::take(&mut workspace.triage);
        (Arc::new(workspace), triage)
    };
    progress(0.6, "checking every budget");
    // The signed loosenings accept a worse level here as in `headroom check`: the app judges as CI does.
    let budget_changes = match source {
        Source::Folder(path) => crate::approval::applied_budget_changes(path),
        Source::Example => Vec::new(),
    };
    // The triage's accepted regressions too: the app keeps the triage apart from the workspace.
    let options =
        CheckOptions { environment, budget_changes, now: Some(Timestamp::now()), triage: Some(triage.clone()), ..CheckOptions::default() };
    let report = check(&workspace, &options);
    progress(0.9, "reading the proposals");
    let (proposals, proposal_errors) = match source {
        Source::Folder(path) => open_proposals(path, Timestamp::now()),
        Source::Example => (Vec::new(), Vec::new()),
    };
    progress(1.0, "done");
    Ok(Loaded { source: source.clone(), workspace, triage, report, proposals, proposal_errors })
}

/// The change points of every metric of the workspace's baseline branch in the environment the
/// check judged (`environment`), as `headroom analyze` finds them.
#[must_use]
pub fn analyse(workspace: &Workspace, environment: Option<String>) -> Analysis {
    let filter = RunFilter { environment, branch: Some(workspace.config.default_branch.clone()) };
    analyze(&workspace.history, &filter, Some(workspace), &DetectorSettings::default())
}

/// Watches a workspace folder for changed files, by polling their sizes and modification times
/// once a second (no extra dependency, and it works on network and container mounts where
/// change notifications do not). A change is reported once the files have been still for one
/// poll, so an editor's save in several steps is one reload.
pub struct Watcher {
    stop: Arc<AtomicBool>,
    changed: Arc<Mutex<Vec<String>>>,
}

/// How often the watcher looks.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(1);

impl Watcher {
    /// Starts watching `dir`.
    #[must_use]
    pub fn start(dir: PathBuf, waker: Waker) -> Watcher {
        let stop = Arc::new(AtomicBool::new(false));
        let changed = Arc::new(Mutex::new(Vec::new()));
        let (stop_flag, out) = (Arc::clone(&stop), Arc::clone(&changed));
        let body = move || {
            let mut known = fingerprint(&dir);
            let mut pending: Option<Vec<(String, u64, Option<std::time::SystemTime>)>> = None;
            while !stop_flag.load(Ordering::Relaxed) {
                std::thread::sleep(WATCH_INTERVAL);
                let now = fingerprint(&dir);
                match &pending {
                    Some(previous) if *previous == now => {
                        let names = changed_files(&known, &now);
                        if let Ok(mut c) = out.lock() {
                            c.extend(names);
                        }
                        known = now;
                        pending = None;
                        waker();
                    }
                    _ if now != known => pending = Some(now),
                    _ => pending = None,
                }
            }
        };
        // Without a thread the app still works; it just does not reload by itself.
        let _ = std::thread::Builder::new().name("headroom-watch".to_owned()).spawn(body);
        Watcher { stop, changed }
    }

    /// The files that changed since the last call (relative to the workspace), if any.
    #[must_use]
    pub fn take_changes(&self) -> Vec<String> {
        self.changed.lock().map(|mut c| std::mem::take(&mut *c)).unwrap_or_default()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn changed_files(
    before: &[(String, u64, Option<std::time::SystemTime>)],
    after: &[(String, u64, Option<std::time::SystemTime>)],
) -> Vec<String> {
    let mut names: Vec<String> = after.iter().filter(|f| !before.contains(f)).map(|f| f.0.clone()).collect();
    names.extend(before.iter().filter(|f| !after.iter().any(|a| a.0 == f.0)).map(|f| f.0.clone()));
    names.sort();
    names.dedup();
    names
}
