//! The app's state and the one place that changes it ([`AppState::apply`]), free of egui so it is
//! tested on its own. Panels read the state and push [`Command`]s, nested by area; `apply` returns
//! the [`Effect`]s that only the app can carry out (the screen, the review's PNG plots, its
//! preferences). Slow or disk work (loading, analysing, replaying, importing, signing, applying)
//! runs as [`Job`]s; [`AppState::poll`] takes their results once per frame.
//!
//! ```text
//!  panels ──Command──▶ AppState::apply ──▶ tree · plot · findings · sensitivity · review
//!                          │                proposals · import · prompts  (one struct each)
//!                          ├──▶ Job (named thread) ──▶ poll() takes the result
//!                          └──▶ Vec<Effect> ──▶ App: full screen, export the review, prefs
//! ```

mod commands;
mod findings;
mod import;
mod plot;
mod prompts;
mod proposals;
mod review;
mod sensitivity;
mod tree;

use super::jobs::Source;
pub use commands::{Command, Effect, WorkspaceCommand};
pub use findings::{FindingRow, FindingsCommand, FindingsView, Keep, NoiseRow, TriageConflict};
pub use import::{ImportCommand, ImportDraft, Imports};
pub use plot::{
    Layer, NoiseMark, Overlay, PYRAMID_POINTS, PlotCommand, PlotData, PlotView, STACK_BARS, SharedPyramid, TimeRange, ViewRequest,
};
pub use prompts::{ErrorView, PathPurpose, PromptCommand, Prompts};
pub use proposals::{DraftProblem, Preview, ProposalCommand, ProposalDraft, Proposals, SignPrompt, Signer, slug};
pub use review::{ExportError, ExportPlot, ExportRequest, Review, ReviewCommand};
pub use sensitivity::{Sensitivity, SensitivityCommand};
pub use tree::{SortKey, TreeCommand, TreeFilter, TreeView};

use super::jobs::{self, Job, Loaded, Waker, Watcher};
use super::standing::{Attention, BudgetState, States};
use crate::engine::analyze::{Analysis, ChangeFinding, NoiseFinding};
use crate::engine::check::{CheckReport, Status};
use crate::model::config::CONFIG_FILE;
use crate::model::error::LoadError;
use crate::model::time::Timestamp;
use crate::model::triage::Triage;
use crate::model::workspace::Workspace;
use crate::report::review::{Agenda, agenda};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Everything the app shows.
pub struct AppState {
    /// Where the workspace came from.
    pub source: Source,
    /// The open workspace.
    pub workspace: Arc<Workspace>,
    /// The team's triage of the findings.
    pub triage: Triage,
    /// Its check, as `headroom check` makes it.
    pub report: CheckReport,
    /// The engine's change points of every metric.
    pub analysis: Arc<Analysis>,
    /// The environment asked for (`None`: the workspace's default).
    pub environment: Option<String>,
    /// The environments one can switch to: those of `headroom.yaml`, else those of the history.
    pub environments: Vec<String>,
    /// The result of each checked budget, by budget index.
    pub result_of: HashMap<usize, usize>,
    /// What the app says about each budget and the workspace (one definition of each state).
    pub states: States,
    /// Everything that needs attention, most severe first.
    pub attention: Vec<Attention>,
    /// The selected budget.
    pub selected: Option<usize>,
    /// A message for the user (a folder that could not be opened, say).
    pub message: Option<String>,
    /// The proposal files that do not read, one located error (file, line, field) per fault;
    /// listed with the workspace's own errors ([`AppState::load_errors`]).
    pub proposal_errors: Vec<LoadError>,
    /// The triage files that did not read when they changed on disk (the triage shown is the one
    /// before), one located error per fault; listed with the workspace's own errors.
    pub triage_errors: Vec<LoadError>,
    /// The last import's faults in the tool's output (or Prometheus' answer), one located error
    /// each; listed with the workspace's own errors until the next import.
    pub import_errors: Vec<LoadError>,
    /// The faults in files that the last signing, apply, save or proposal met (a proposal file or
    /// the ledger that does not read, `headroom.yaml`, a triage or review record), one located
    /// error each; listed with the workspace's own errors until such an action next succeeds.
    pub action_errors: Vec<LoadError>,
    /// Today, for the review's agenda and triage dates (set once at start; tests fix it).
    pub today: Timestamp,
    /// Whether long series are drawn by the GPU (eframe runs on wgpu and the renderer is installed).
    pub gpu_plot: bool,
    /// The budget tree.
    pub tree: TreeView,
    /// The selected budget's plot.
    pub plot: PlotView,
    /// The findings and the triage form.
    pub findings: FindingsView,
    /// The sensitivity window, where open.
    pub sensitivity: Option<Sensitivity>,
    /// The review meeting, while it runs.
    pub review: Option<Review>,
    /// Budget change proposals and their windows.
    pub proposals: Proposals,
    /// The import window and the import running.
    pub import: Imports,
    /// The path and error windows.
    pub prompts: Prompts,
    export: Option<(PathBuf, Job<Result<usize, ExportError>>)>,
    loading: Option<Job<Result<Loaded, jobs::LoadFailure>>>,
    /// The change points of the loaded workspace, being found (`analysis` is empty meanwhile).
    analysing: Option<Job<Analysis>>,
    /// When a workspace last finished loading (`None` before the first: the empty one's check says nothing).
    last_loaded: Option<std::time::Instant>,
    watch: bool,
    watcher: Option<Watcher>,
    waker: Waker,
    effects: Vec<Effect>,
}

impl AppState {
    /// The state on `source`, loaded before it returns (for tests and tools). The app uses
    /// [`AppState::start`], which loads in the background.
    #[must_use]
    pub fn new(source: &Source) -> AppState {
        let mut state = AppState::start(source, Arc::new(|| {}), false);
        state.wait();
        state
    }

    /// The state on `source`, loading in the background; `waker` asks for a repaint. With
    /// `watch`, the workspace folder is watched and reloaded when its files change.
    #[must_use]
    pub fn start(source: &Source, waker: Waker, watch: bool) -> AppState {
        let empty = Arc::new(Workspace::default());
        let report = crate::engine::check::check(&empty, &crate::engine::check::CheckOptions::default());
        let mut state = AppState {
            // Named from the start, so the window says what it is opening while it loads.
            source: source.clone(),
            workspace: empty,
            triage: Triage::default(),
            report,
            analysis: Arc::new(Analysis::default()),
            environment: None,
            environments: Vec::new(),
            result_of: HashMap::new(),
            states: States::default(),
            attention: Vec::new(),
            selected: None,
            message: None,
            proposal_errors: Vec::new(),
            triage_errors: Vec::new(),
            import_errors: Vec::new(),
            action_errors: Vec::new(),
            today: Timestamp::now(),
            gpu_plot: false,
            tree: TreeView::default(),
            plot: PlotView::default(),
            findings: FindingsView::default(),
            sensitivity: None,
            review: None,
            proposals: Proposals::default(),
            import: Imports::default(),
            prompts: Prompts::default(),
            export: None,
            loading: None,
            analysing: None,
            last_loaded: None,
            watch,
            watcher: None,
            waker,
            effects: Vec::new(),
        };
        state.begin_load(source.clone(), None);
        state
    }

    /// Whether a workspace has loaded yet (the first load runs in the background).
    #[must_use]
    pub fn has_loaded(&self) -> bool {
        self.last_loaded.is_some()
    }

    /// Whether a load is running, and how far it is.
    #[must_use]
    pub fn loading(&self) -> Option<(f32, String)> {
        self.loading.as_ref().map(Job::progress)
    }

    /// Whether the engine's change points of the loaded workspace are still being found: the
    /// history and the check are shown, the findings, levels and statuses that depend on the
    /// change points are not yet known.
    #[must_use]
    pub fn analysing(&self) -> bool {
        self.analysing.is_some()
    }

    /// Whether budget `index` has no status to show yet: the analysis runs and nothing the check
    /// found already makes it worse than a pass (what it found is shown meanwhile: never calmer
    /// than the truth, and never a pass that the change points could still take back).
    #[must_use]
    pub fn analysis_pending(&self, index: usize) -> bool {
        self.analysing() && self.states.worst.get(index).copied().flatten().is_some_and(|s| s.status() == Status::Pass)
    }

    /// What runs in the background besides loading (the analysis, an import, a signing, an apply,
    /// an export), in words, where something does.
    #[must_use]
    pub fn working(&self) -> Option<String> {
        if let Some(job) = &self.analysing {
            return Some(format!("Analysing: {}…", job.progress().1));
        }
        if let Some((_, what)) = self.import.progress() {
            return Some(format!("Importing: {what}"));
        }
        if let Some(what) = self.proposals.working() {
            return Some(format!("{what}…"));
        }
        self.export.as_ref().map(|(dir, _)| format!("Exporting the review to {}…", dir.display()))
    }

    /// Whether any job is running (loading, a plot, a replay, an import, a signing, an apply, an export).
    #[must_use]
    pub fn busy(&self) -> bool {
        self.loading.is_some()
            || self.plot.preparing()
            || self.sensitivity.as_ref().is_some_and(Sensitivity::replaying)
            || self.working().is_some()
    }

    /// What wakes the UI when a job reports (for jobs the app starts, such as the export).
    #[must_use]
    pub fn waker(&self) -> Waker {
        Arc::clone(&self.waker)
    }

    /// Waits for running jobs and applies their results (tests and tools; the app polls).
    pub fn wait(&mut self) {
        if let Some(done) = self.import.wait() {
            self.finish_import(done);
        }
        if let Some(done) = self.proposals.wait() {
            self.finish_proposal(done);
        }
        if let Some((dir, job)) = self.export.take()
            && let Some(result) = job.wait()
        {
            self.finish_export(&dir, result);
        }
        self.wait_for_history();
        if let Some(analysis) = self.analysing.take().and_then(|job| job.wait()) {
            self.finish_analysis(analysis);
        }
        if let Some((current, tried)) = self.sensitivity.as_mut().and_then(Sensitivity::wait) {
            self.take_replay(current, tried);
        }
        if self.plot.wait() {
            self.mark_alarms();
        }
    }

    /// Waits for a running load (not for its analysis, which it starts) and applies it: the
    /// history, the check and the plot are there, the change points not yet (tests and the
    /// benchmark; the app polls).
    pub fn wait_for_history(&mut self) {
        if let Some(result) = self.loading.take().and_then(|job| job.wait()) {
            self.finish_load(result);
        }
    }

    /// Takes the results of finished jobs and changes seen on disk; call once per frame.
    /// Returns whether anything is still running (the UI then shows progress).
    pub fn poll(&mut self) -> bool {
        if let Some(result) = self.loading.as_ref().and_then(Job::poll) {
            self.loading = None;
            self.finish_load(result);
        }
        if let Some(analysis) = self.analysing.as_ref().and_then(Job::poll) {
            self.analysing = None;
            self.finish_analysis(analysis);
        }
        if let Some((current, tried)) = self.sensitivity.as_ref().and_then(Sensitivity::poll) {
            self.take_replay(current, tried);
        }
        if let Some(done) = self.import.poll() {
            self.finish_import(done);
        }
        if let Some(done) = self.proposals.poll() {
            self.finish_proposal(done);
        }
        if let Some(result) = self.export.as_ref().and_then(|(_, job)| job.poll())
            && let Some((dir, _)) = self.export.take()
        {
            self.finish_export(&dir, result);
        }
        if self.plot.poll() {
            self.mark_alarms();
        }
        let changes = self.watcher.as_ref().map(Watcher::take_changes).unwrap_or_default();
        if !changes.is_empty() {
            self.handle(WorkspaceCommand::FilesChanged(changes).into());
            // Nothing the watcher causes needs the app.
            self.effects.clear();
        }
        self.busy()
    }

    fn begin_load(&mut self, source: Source, reuse: Option<(Arc<Workspace>, Triage)>) {
        let environment = self.environment.clone();
        // A newer load replaces a running one: the old result is dropped when it arrives.
        self.loading =
            Some(Job::spawn("headroom-load", Arc::clone(&self.waker), move |progress| jobs::load(&source, environment, reuse, progress)));
    }

    fn reload(&mut self) {
        self.begin_load(self.source.clone(), None);
    }

    /// Checks the loaded workspace again (another environment, or a triage that accepts or
    /// reopens a regression) without reading it again: with the app's triage, as CI reads it.
    fn recheck(&mut self) {
        self.begin_load(self.source.clone(), Some((Arc::clone(&self.workspace), self.triage.clone())));
    }

    fn finish_load(&mut self, result: Result<Loaded, jobs::LoadFailure>) {
        let loaded = match result {
            Ok(loaded) => loaded,
            Err(failure) => {
                // A failed load changes nothing but the message (a folder that cannot be read has
                // no line at fault; its files' faults are located errors of a load that worked).
                self.message = Some(failure.to_string());
                return;
            }
        };
        let selected_id = self.selected.map(|i| self.workspace.budgets[i].id.clone());
        let same_place = loaded.source == self.source;
        if !same_place || self.watcher.is_none() {
            self.watcher = match (&loaded.source, self.watch) {
                (Source::Folder(path), true) => Some(Watcher::start(path.clone(), Arc::clone(&self.waker))),
                _ => None,
            };
        }
        let reused = Arc::ptr_eq(&loaded.workspace, &self.workspace);
        self.last_loaded = Some(std::time::Instant::now());
        self.source = loaded.source;
        self.workspace = loaded.workspace;
        if !reused {
            // A reload for other files' changes (a `git pull`) may bring the edited finding's too.
            if let Some(message) = self.findings.disk_changed(&loaded.triage) {
                self.message = Some(message);
            }
            self.triage = loaded.triage;
            // The workspace's own errors now say what of the triage does not read.
            self.triage_errors.clear();
        }
        self.report = loaded.report;
        // The history and the check are shown now; the change points follow from their own
        // thread (a newer load's analysis replaces a running one, whose result is dropped).
        self.analysis = Arc::new(Analysis::default());
        let (workspace, environment) = (Arc::clone(&self.workspace), self.report.environment.clone());
        self.analysing = Some(Job::spawn("headroom-analyse", Arc::clone(&self.waker), move |progress| {
            progress(0.0, "finding change points");
            jobs::analyse(&workspace, environment)
        }));
        self.proposals.open = loaded.proposals;
        self.proposal_errors = loaded.proposal_errors;
        self.result_of = self.report.results.iter().enumerate().map(|(i, r)| (r.budget, i)).collect();
        self.selected = if same_place { selected_id.and_then(|id| self.workspace.budget_index(&id)) } else { None };
        self.derive_environments();
        // The findings' triage decides which budgets have open regressions: before the tree.
        self.derive_findings();
        self.derive_plot();
        // The review's agenda is built again once the change points are known
        // (`finish_analysis`): built now, without them, it would lose the item on screen.
    }

    /// Takes the loaded workspace's change points: the findings, the statuses that depend on
    /// them, the plot's levels and change points, and the review's agenda.
    fn finish_analysis(&mut self, analysis: Analysis) {
        self.analysis = Arc::new(analysis);
        self.derive_findings();
        self.derive_plot_keeping(true);
        self.refresh_review();
    }

    /// The workspace folder, or a message saying the example cannot change.
    fn writable_root(&mut self, what: &str) -> Option<PathBuf> {
        match &self.source {
            Source::Folder(root) => Some(root.clone()),
            Source::Example => {
                self.message = Some(format!("The example workspace is read-only: open a folder to {what}"));
                None
            }
        }
    }

    /// The changes a draft asks for: its budget's limit (or an environment's), and the limits of
    /// the other budgets it changes with it. `None` where a budget is not in the workspace.
    fn wanted_changes(&self, draft: &ProposalDraft) -> Option<Vec<crate::approval::draft::Wanted>> {
        let budget = self.workspace.budgets.get(draft.budget)?;
        let mut wanted =
            vec![crate::approval::draft::Wanted { budget: budget.id.clone(), environment: draft.environment.clone(), new: draft.new }];
        for &(other, new) in &draft.more {
            let other = self.workspace.budgets.get(other)?;
            wanted.push(crate::approval::draft::Wanted { budget: other.id.clone(), environment: None, new });
        }
        Some(wanted)
    }

    /// Shows a draft with what it would change (its preview).
    fn preview_proposal(&mut self, mut draft: ProposalDraft) {
        let Some(root) = self.writable_root("propose a change") else { return };
        let Some(wanted) = self.wanted_changes(&draft) else { return };
        // The draft's checks, without the ones a person is still typing (an empty id or title).
        let mut probe = draft.draft.clone();
        for (field, stand_in) in [(&mut probe.id, "draft"), (&mut probe.title, "-"), (&mut probe.author, "-"), (&mut probe.rationale, "-")]
        {
            if field.trim().is_empty() {
                stand_in.clone_into(field);
            }
        }
        draft.preview = crate::approval::draft::prepare(&root, &probe, &wanted, &[], self.today)
            .and_then(|(_, after, mut evaluation)| {
                let before = crate::approval::ledger::current_contract(&root)?;
                // The stand-in author is nobody's name: what the draft lacks says "the author".
                if draft.draft.author.trim().is_empty() {
                    evaluation.author.clear();
                }
                Ok((
                    crate::approval::draft::diff(&before, &after),
                    evaluation.kind.with_article().to_owned(),
                    crate::approval::ledger::missing_words(&evaluation),
                ))
            })
            .map_err(DraftProblem::from);
        self.proposals.draft = Some(draft);
    }

    fn submit_proposal(&mut self) {
        let Some(draft) = self.proposals.draft.clone() else { return };
        let Some(root) = self.writable_root("propose a change") else { return };
        let Some(budget) = self.workspace.budgets.get(draft.budget) else { return };
        let Some(wanted) = self.wanted_changes(&draft) else { return };
        // The value the user drafted against: where the files now have another (a change applied
        // meanwhile, brought by `git pull`), ask before proposing from it; a second "Create" says yes.
        let shown = match &draft.drafted_from {
            Some((environment, value)) if *environment == draft.environment => Some(*value),
            _ => match &draft.environment {
                None => budget.limit,
                Some(e) => budget.environments.get(e).and_then(|o| o.limit),
            },
        };
        let now_on_disk = crate::approval::draft::prepare(&root, &draft.draft, &wanted, &[], Timestamp::now())
            .ok()
            .and_then(|(proposal, _, _)| proposal.changes.first().map(|c| (c.field.clone(), c.old)));
        if let (Some(shown), Some((field, old))) = (shown, now_on_disk)
            && shown.to_bits() != old.to_bits()
            && let Some(d) = &mut self.proposals.draft
        {
            let unit = budget.unit.symbol();
            let q = |v: f64| crate::report::quantity(v, unit);
            d.drafted_from = Some((d.environment.clone(), old));
            d.error = Some(format!(
                "The {field} of {} changed on disk since this draft began (someone applied a change, or a `git pull` brought one): {} then, {} now. Your proposal would change {} to {}. Create again to propose that, or change the value",
                budget.id,
                q(shown),
                q(old),
                q(old),
                q(draft.new)
            ));
            return;
        }
        // Created when written, not when the app started (`today` is fixed at start).
        match crate::approval::draft::propose(&root, &draft.draft, &wanted, &[], Timestamp::now()) {
            Ok((path, evaluation)) => {
                self.message = Some(format!(
                    "Wrote {} ({}): {}",
                    path.display(),
                    evaluation.kind.as_str(),
                    crate::approval::ledger::missing_words(&evaluation)
                ));
                self.proposals.draft = None;
                self.action_errors.clear();
                let (open, errors) = crate::gui::jobs::open_proposals(&root, Timestamp::now());
                self.take_proposals(open, errors);
            }
            // Inside the dialog, next to what to fix, and the draft kept; files that do not read
            // are listed by line with the workspace's errors.
            Err(e) => {
                let why = self.failure_words(&e, e.located());
                if let Some(d) = &mut self.proposals.draft {
                    d.error = Some(format!("Cannot propose: {why}"));
                }
            }
        }
    }

    fn take_proposals(
        &mut self,
        open: Vec<(crate::approval::proposal::Proposal, crate::approval::ledger::Evaluation)>,
        errors: Vec<LoadError>,
    ) {
        self.proposals.open = open;
        self.proposal_errors = errors;
        self.derive_attention();
    }

    /// The located errors the app lists, one row each: the workspace's files' first, then the
    /// proposal files', the triage files' read since, the last import's, and those a signing,
    /// apply or save met. [`PromptCommand::ShowError`] indexes this list.
    pub fn load_errors(&self) -> impl Iterator<Item = &LoadError> {
        self.workspace
            .errors
            .iter()
            .chain(&self.proposal_errors)
            .chain(&self.triage_errors)
            .chain(&self.import_errors)
            .chain(&self.action_errors)
    }

    /// What a failed signing, apply, save or proposal says (on the message line, or in the dialog): `error`'s own words, or,
    /// where it is faults in files (`located`), which files and how many faults, the faults
    /// themselves listed one row each with the workspace's errors (never flattened into the line).
    fn failure_words(&mut self, error: &dyn std::fmt::Display, located: &[LoadError]) -> String {
        if located.is_empty() {
            return error.to_string();
        }
        let mut files: Vec<&str> = located.iter().map(|e| e.file.as_str()).collect();
        files.sort_unstable();
        files.dedup();
        let said = format!(
            "{} {} not read ({}, listed with the workspace's)",
            files.join(", "),
            if files.len() == 1 { "does" } else { "do" },
            crate::report::plural(located.len(), "problem", "problems")
        );
        // A fault the list already has (a proposal file that did not read when it loaded) is not listed twice.
        let listed: Vec<&LoadError> = self.workspace.errors.iter().chain(&self.proposal_errors).chain(&self.triage_errors).collect();
        self.action_errors = located.iter().filter(|e| !listed.contains(e)).cloned().collect();
        said
    }

    fn finish_proposal(&mut self, done: proposals::Done) {
        match done {
            proposals::Done::Signed(id, principal, Ok((evaluation, open, errors))) => {
                (self.proposals.sign_prompt, self.proposals.sign_error) = (None, None);
                self.message = Some(format!(
                    "Signed `{id}` as {principal}; {}",
                    if evaluation.approved() {
                        "it is approved and can be applied".to_owned()
                    } else {
                        crate::approval::ledger::missing_words(&evaluation)
                    }
                ));
                self.action_errors.clear();
                self.take_proposals(open, errors);
            }
            proposals::Done::Signed(id, _, Err(e)) => {
                let why = self.failure_words(&e, e.located());
                if self.proposals.sign_prompt.as_ref().is_some_and(|p| p.id == id) {
                    // Said where it was asked, beside the fields to mend.
                    self.proposals.sign_error = Some(why.clone());
                }
                self.message = Some(format!("Cannot sign `{id}`: {why}"));
            }
            proposals::Done::Applied(id, Ok(seq)) => {
                self.message = Some(format!("Applied `{id}` (ledger entry {seq})"));
                self.action_errors.clear();
                self.reload();
            }
            proposals::Done::Applied(id, Err(e)) => {
                let why = self.failure_words(&e, e.located());
                self.message = Some(format!("Cannot apply `{id}`: {why}"));
            }
        }
    }

    /// Files dropped on the window: a folder opens as the workspace (or, on an open workspace, is
    /// imported where it is criterion's output); files go into the open workspace folder, in the
    /// background. On the read-only example, a dropped file opens its own workspace.
    fn drop_files(&mut self, paths: Vec<PathBuf>) {
        match self.source.clone() {
            Source::Folder(root) => {
                let history = self.workspace.config.history.clone();
                // As File → Import fills them in: the baseline branch and the checked environment.
                let info = crate::import::RunInfo {
                    branch: Some(self.workspace.config.default_branch.clone()).filter(|b| !b.is_empty()),
                    environment: self.report.environment.clone(),
                    ..crate::import::RunInfo::default()
                };
                self.import.drop_files(root, history, paths, info, &self.waker);
            }
            Source::Example => {
                let folder = match paths.as_slice() {
                    [folder] if folder.is_dir() => Some(folder.clone()),
                    _ => paths.first().and_then(|p| import::workspace_of(p)),
                };
                if let Some(folder) = folder {
                    self.handle(WorkspaceCommand::Open(folder).into());
                }
            }
        }
    }

    fn finish_import(&mut self, done: import::Imported) {
        match done {
            import::Imported::Run(Ok(run)) => {
                // After an import: close the window, say what landed (and as what), and reload the history.
                (self.import.prompt, self.import.error) = (None, None);
                self.import_errors.clear();
                self.message =
                    Some(format!("Imported {} metrics as run {} {} into {}", run.metrics, run.id, run.as_what(), run.file.display()));
                self.reload();
            }
            import::Imported::Run(Err(e)) => {
                let why = self.import_failure_words(e);
                self.message = Some(format!("Nothing was imported: {why}"));
            }
            import::Imported::Prometheus(outcome) => {
                let message = match outcome {
                    Ok((total, 0, _)) => {
                        (self.import.prompt, self.import.error) = (None, None);
                        format!("Nothing new from Prometheus: the history has all {total} runs")
                    }
                    Ok((total, n, file)) => {
                        (self.import.prompt, self.import.error) = (None, None);
                        self.reload();
                        format!("Imported {n} runs from Prometheus ({} already there) into {}", total - n, file.display())
                    }
                    Err(e) => format!("Nothing was imported from Prometheus: {}", self.import_failure_words(e)),
                };
                self.message = Some(message);
            }
            import::Imported::Dropped(added, problems, errors) => {
                self.import_errors = errors;
                let mut message = Vec::new();
                if !added.is_empty() {
                    message.push(format!("Added {} to the workspace", added.join(", ")));
                    self.reload();
                }
                message.extend(problems);
                self.message = Some(message.join("; "));
            }
            import::Imported::Folder(folder) => self.handle(WorkspaceCommand::Open(folder).into()),
        }
    }

    /// What an import from the import window that failed says. Where that window is open, the
    /// faults of its input (the tool's output, Prometheus' answer: not workspace files) are said in
    /// it, each with its file and line, and never listed with the workspace's files' problems.
    fn import_failure_words(&mut self, failure: import::ImportFailure) -> String {
        if self.import.prompt.is_some()
            && let import::ImportFailure::Unreadable(faults) = &failure
        {
            self.import.error = Some(faults.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
            return format!(
                "the input does not read ({}, shown in the import window)",
                crate::report::plural(faults.len(), "problem", "problems")
            );
        }
        let said = self.take_import_failure(failure);
        if self.import.prompt.is_some() {
            self.import.error = Some(said.clone());
        }
        said
    }

    /// What an import that failed says on the message line; its located errors go to the list.
    fn take_import_failure(&mut self, failure: import::ImportFailure) -> String {
        match failure.located() {
            Ok(errors) => {
                let said = format!(
                    "the input does not read ({}, listed with the workspace's)",
                    crate::report::plural(errors.len(), "problem", "problems")
                );
                self.import_errors = errors;
                said
            }
            Err(other) => other.to_string(),
        }
    }

    fn mark_reviewed(&mut self) {
        self.triage.last_review = Some(self.today);
        let saved = match &self.source {
            Source::Folder(root) => Some(crate::model::store::save_last_review(root, self.today)),
            Source::Example => None,
        };
        self.message = Some(match saved {
            Some(Ok(file)) => {
                self.action_errors.clear();
                format!("Review recorded in {}", file.display())
            }
            Some(Err(e)) => {
                let why = self.failure_words(&e, located_in_store(&e));
                format!("Cannot record the review: {why} (it is kept until the app closes)")
            }
            None => "Review recorded for this session only: the example workspace is read-only".to_owned(),
        });
        self.refresh_review();
    }

    /// Builds the review's agenda again (the review was marked held, or a finding triaged), staying
    /// on the item on screen where it is still on the agenda, and showing its plot.
    fn refresh_review(&mut self) {
        let Some(review) = &self.review else { return };
        let current = review.agenda.items.get(review.index).map(|i| (i.metric.clone(), i.run_index, i.budget));
        let agenda = self.agenda();
        let index = current
            .and_then(|(metric, run, budget)| {
                agenda.items.iter().position(|i| i.metric == metric && i.run_index == run && i.budget == budget)
            })
            .unwrap_or(review.index);
        let mut review = Review { agenda, index };
        review.clamp();
        self.review = Some(review);
        self.show_review_item();
    }

    /// What the review export writes into `dir`: the agenda of the workspace as it is now, and
    /// the plot of each item with a checked budget and some history.
    #[must_use]
    pub fn export_request(&self, dir: PathBuf) -> ExportRequest {
        let agenda = self.agenda();
        let mut plots = Vec::new();
        for (i, item) in agenda.items.iter().enumerate() {
            let Some(budget) = item.budget else { continue };
            let Some(result) = self.result_of.get(&budget).map(|&r| self.report.results[r].clone()) else { continue };
            let plot = self.plot_of(budget);
            if plot.main.is_empty() && plot.other.is_empty() {
                continue;
            }
            let centre = item.run_index.and_then(|run| plot.main_runs.iter().position(|&r| r == run)).map(|p| plot.main[p][0]);
            plots.push(ExportPlot { item: i, plot, result, centre, proposed: item.proposed });
        }
        ExportRequest { dir, agenda, plots }
    }

    /// Takes the job the app started for an [`Effect::ExportReview`] into `dir` (its result: how
    /// many files were written); [`AppState::poll`] reports it when it is done.
    pub fn start_export(&mut self, dir: PathBuf, job: Job<Result<usize, ExportError>>) {
        self.export = Some((dir, job));
    }

    fn finish_export(&mut self, dir: &std::path::Path, result: Result<usize, ExportError>) {
        self.message = Some(match result {
            Ok(files) => format!("Review written to {} ({} files)", dir.display(), files),
            Err(e) => format!("Cannot export the review to {}: {e}", dir.display()),
        });
    }

    /// Where a review export goes by default: the workspace's `reports/` folder (which Headroom
    /// never reads as budgets), or `headroom-review-DATE` here for the read-only example.
    #[must_use]
    pub fn default_export_folder(&self) -> String {
        let date = self.today.date();
        match &self.source {
            Source::Folder(p) => p.join("reports").join(format!("review-{date}")).display().to_string(),
            Source::Example => format!("headroom-review-{date}"),
        }
    }

    /// The folder of the open workspace, as typed in the path window (empty for the example).
    #[must_use]
    pub fn current_folder(&self) -> String {
        match &self.source {
            Source::Folder(p) => p.display().to_string(),
            Source::Example => String::new(),
        }
    }

    /// The review agenda of the workspace as it is now.
    #[must_use]
    pub fn agenda(&self) -> Agenda {
        agenda(&self.workspace, &self.triage, &self.report, &self.analysis, &self.proposals.open, self.today)
    }

    /// Selects the budget of the review's current item, centred on its change point.
    fn show_review_item(&mut self) {
        let Some(item) = self.review.as_ref().and_then(|r| r.agenda.items.get(r.index)).cloned() else { return };
        if let Some(budget) = item.budget {
            self.plot.stacked = false;
            self.selected = Some(budget);
            self.derive_plot();
            match item.run_index {
                Some(run) => self.plot.centre_on_run(run),
                None => self.plot.request_range(),
            }
        }
    }

    /// The environments one can switch to: those of `headroom.yaml`, else those of the history.
    fn derive_environments(&mut self) {
        if !self.workspace.config.environments.is_empty() {
            self.environments = self.workspace.config.environments.clone();
            return;
        }
        let mut seen: Vec<&str> = Vec::new();
        for run in self.workspace.history.runs.iter() {
            if let Some(env) = run.environment
                && !seen.contains(&env)
            {
                seen.push(env);
            }
        }
        let mut seen: Vec<String> = seen.into_iter().map(str::to_owned).collect();
        seen.sort();
        self.environments = seen;
    }

    /// The status of a budget: the worst of its own state and those of everything under it,
    /// so a collapsed row still shows a failing allocation (see [`super::standing`]).
    #[must_use]
    pub fn status_of(&self, index: usize) -> Option<Status> {
        if self.analysis_pending(index) {
            return None;
        }
        self.states.worst.get(index).copied().flatten().map(BudgetState::status)
    }

    /// A budget's own state (`None` for a group).
    #[must_use]
    pub fn state_of(&self, index: usize) -> Option<BudgetState> {
        let own = self.states.own.get(index).copied().flatten();
        if self.analysing() && own == Some(BudgetState::Pass) {
            return None;
        }
        own
    }

    /// Whether a budget's newest run is over its limit.
    #[must_use]
    pub fn is_over(&self, index: usize) -> bool {
        self.states.is_over(index)
    }

    /// Whether a budget is regressed: the gate finds its newest run worse than the baseline, or
    /// it has an open regression (a change point for the worse that nobody has closed).
    #[must_use]
    pub fn is_regressed(&self, index: usize) -> bool {
        self.states.is_regressed(index)
    }

    /// The analysis' finding of a row.
    #[must_use]
    pub fn finding(&self, row: &FindingRow) -> &ChangeFinding {
        &self.analysis.findings[row.finding]
    }

    /// The analysis' change of noise of a row.
    #[must_use]
    pub fn noise_finding(&self, row: &NoiseRow) -> &NoiseFinding {
        &self.analysis.noise_findings[row.finding]
    }

    fn derive_tree(&mut self) {
        let input = tree::TreeInput { workspace: &self.workspace, report: &self.report, result_of: &self.result_of, states: &self.states };
        self.tree.derive(&input);
    }

    fn derive_findings(&mut self) {
        self.findings.derive(&self.analysis, &self.triage, &self.workspace, &self.report);
        let changes =
            self.findings.rows.iter().map(|r| (r.budget, self.findings.is_open(r, &self.analysis), self.findings.is_reverted_unclosed(r)));
        self.states = States::new(&self.workspace, &self.report, changes);
        self.derive_tree();
        self.derive_attention();
    }

    /// The "Needs attention" list, from the states, the findings and the proposals.
    fn derive_attention(&mut self) {
        let changes: Vec<(usize, Option<usize>, String, bool)> = self
            .findings
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let f = &self.analysis.findings[r.finding];
                let unit = r.budget.map_or("", |b| self.workspace.budgets[b].unit.symbol());
                let words = format!("{} at {}: {}", f.metric, f.run_id, crate::report::analysis::change_words(f, unit));
                // A regression a later change point reverted is not open: nothing to attend to.
                let untriaged = self.findings.is_open(r, &self.analysis) && r.triage.state == crate::model::triage::TriageState::Untriaged;
                (i, r.budget, words, untriaged)
            })
            .collect();
        let proposals: Vec<(String, String)> = self
            .proposals
            .open
            .iter()
            .map(|(p, e)| {
                let status = if e.approved() {
                    "approved: apply it".to_owned()
                } else if e.current {
                    crate::approval::ledger::missing_words(e)
                } else {
                    "stale: made for other budget files".to_owned()
                };
                (p.id.clone(), format!("{}: {} ({status})", p.id, p.title))
            })
            .collect();
        self.attention = super::standing::needs_attention(&self.workspace, &self.report, &self.states, &changes, &proposals, self.today);
    }

    fn select_finding(&mut self, row: usize) {
        let Some(r) = self.findings.rows.get(row) else { return };
        let (budget, f) = (r.budget, &self.analysis.findings[r.finding]);
        let (metric, run) = (f.metric.clone(), f.run_index);
        self.show_run_of(budget, &metric, run);
    }

    fn select_noise_change(&mut self, row: usize) {
        let Some(r) = self.findings.noise_rows.get(row) else { return };
        let (budget, f) = (r.budget, &self.analysis.noise_findings[r.finding]);
        let (metric, run) = (f.metric.clone(), f.run_index);
        self.show_run_of(budget, &metric, run);
    }

    /// Selects `budget` (of `metric`) and centres its plot on `run`.
    fn show_run_of(&mut self, budget: Option<usize>, metric: &str, run: usize) {
        let Some(budget) = budget else {
            self.message = Some(format!("`{metric}` has no budget to show it against"));
            return;
        };
        self.selected = Some(budget);
        self.plot.stacked = false;
        self.derive_plot();
        self.plot.centre_on_run(run);
    }

    /// Makes the selected budget's plot: here, or on the `headroom-plot` thread where it is long
    /// (the plot then says it is being prepared, and [`AppState::poll`] takes it when it is done).
    fn derive_plot(&mut self) {
        self.derive_plot_keeping(false);
    }

    /// [`AppState::derive_plot`]; with `keep_shown`, a long plot stays on screen while it is made
    /// again (the analysis came in: the same runs, now with change points and levels).
    fn derive_plot_keeping(&mut self, keep_shown: bool) {
        let selected = self.selected.map(|index| (index, self.plot_source(index)));
        if self.plot.derive(selected, &self.waker, keep_shown) {
            self.mark_alarms();
        }
    }

    /// Whether the selected budget's plot is being prepared in the background.
    #[must_use]
    pub fn plot_preparing(&self) -> bool {
        self.plot.preparing()
    }

    fn toggle_overlay(&mut self, index: usize) {
        let Some(id) = self.workspace.budgets.get(index).map(|b| b.id.clone()) else { return };
        if let Some(k) = self.plot.overlays.iter().position(|o| *o == id) {
            self.plot.overlays.remove(k);
        } else if self.overlay_candidates().contains(&index) {
            self.plot.overlays.push(id);
        }
        self.derive_plot();
    }

    /// The budgets whose metrics can be drawn over budget `selected`'s plot: checked budgets in a
    /// unit that converts to its unit; its allocations first, then its siblings, then the rest.
    #[must_use]
    pub fn overlay_candidates(&self) -> Vec<usize> {
        let Some(selected) = self.selected else { return Vec::new() };
        let budgets = &self.workspace.budgets;
        let unit = &budgets[selected].unit;
        let rank = |i: usize| {
            if budgets[i].parent == Some(selected) {
                0
            } else if budgets[i].parent.is_some() && budgets[i].parent == budgets[selected].parent {
                1
            } else {
                2
            }
        };
        let mut candidates: Vec<usize> = (0..budgets.len())
            .filter(|&i| i != selected && self.result_of.contains_key(&i) && budgets[i].unit.convert(1.0, unit).is_some())
            .collect();
        candidates.sort_by_key(|&i| rank(i));
        candidates
    }

    /// What the plot of budget `index` is made from (shared, so a long one is made on another thread).
    fn plot_source(&self, index: usize) -> plot::PlotSource {
        plot::PlotSource {
            workspace: Arc::clone(&self.workspace),
            analysis: Arc::clone(&self.analysis),
            reversals: Arc::clone(&self.findings.reversals),
            environment: self.report.environment.clone(),
            baseline_branch: self.report.baseline_branch.clone(),
            result: self.result_of.get(&index).map(|&r| self.report.results[r].clone()),
            overlays: self.plot.overlays.clone(),
        }
    }

    /// The series of a budget as the plot shows it: its runs in the checked environment, the
    /// engine's change points and levels, the band the gate lets pass, its allocations and the
    /// overlays chosen.
    #[must_use]
    pub fn plot_of(&self, index: usize) -> PlotData {
        self.plot_source(index).plot(index)
    }

    fn mark_alarms(&mut self) {
        let Some(index) = self.selected else { return };
        let replay = self.sensitivity.as_ref().and_then(|s| s.tried.as_ref());
        self.plot.mark_alarms(&self.workspace.budgets[index].id, replay);
    }

    fn replay_settings(&mut self, settings: crate::model::settings::CheckSettings, also_current: bool) {
        let input = sensitivity::ReplayInput {
            workspace: Arc::clone(&self.workspace),
            environment: self.report.environment.clone(),
            current: also_current.then(|| self.report.settings.clone()),
        };
        if let Some(s) = &mut self.sensitivity {
            s.replay(settings, input, &self.waker);
        }
    }

    fn take_replay(&mut self, current: Option<crate::engine::replay::Replay>, tried: crate::engine::replay::Replay) {
        if let Some(again) = self.sensitivity.as_mut().and_then(|s| s.take_replay(current, tried)) {
            self.replay_settings(again, false);
        }
        self.mark_alarms();
    }

    fn save_settings(&mut self) {
        let Some(settings) = self.sensitivity.as_ref().map(|s| s.settings.clone()) else { return };
        let Some(root) = self.writable_root("save settings") else { return };
        let path = root.join(CONFIG_FILE);
        // Read, changed and written under the workspace's lock: the rest of the file is as on disk now.
        match crate::model::store::save_check_settings(&root, &settings) {
            Ok(_) => {
                self.message = Some(format!("Saved the check settings to {}", path.display()));
                self.action_errors.clear();
                self.sensitivity = None;
                self.plot.data.alarms.clear();
                self.reload();
            }
            Err(e) => {
                let why = self.failure_words(&e, located_in_store(&e));
                self.message = Some(format!("Cannot save {}: {why}", path.display()));
            }
        }
    }

    fn reload_triage(&mut self) {
        let Source::Folder(root) = &self.source else { return };
        match crate::model::store::read_triage(root) {
            Ok(triage) => {
                if let Some(message) = self.findings.disk_changed(&triage) {
                    self.message = Some(message);
                }
                self.triage = triage;
                self.triage_errors.clear();
                self.derive_findings();
                self.refresh_review();
            }
            Err(crate::model::store::StoreError::Invalid(errors)) => {
                self.message = Some(format!(
                    "The triage does not read ({}, listed with the workspace's); the triage shown is unchanged",
                    crate::report::plural(errors.len(), "problem", "problems")
                ));
                self.triage_errors = errors;
            }
            Err(e) => self.message = Some(format!("{e} (the triage shown is unchanged)")),
        }
    }
}

/// The located faults of a store error that is files on disk not reading (they are not written
/// over); empty for any other.
fn located_in_store(error: &crate::model::store::StoreError) -> &[LoadError] {
    match error {
        crate::model::store::StoreError::Invalid(errors) => errors,
        _ => &[],
    }
}

#[cfg(test)]
mod tests;
