//! The app's state and the one place that changes it ([`AppState::apply`]), free of egui so it is
//! tested on its own. Panels read the state and push [`Command`]s. Slow work (loading, analysing,
//! replaying) runs as [`Job`]s; [`AppState::poll`] takes their results once per frame.

use super::jobs::{self, Job, Loaded, Waker, Watcher};
use crate::engine::analyze::{Analysis, ChangeFinding, Severity};
use crate::engine::check::{BudgetResult, CheckReport, Status};
use crate::engine::replay::{Replay, replay};
use crate::import::RunInfo;
use crate::model::store::{TriageSaved, read_triage, save_triage_entry};
use crate::model::time::Timestamp;
use crate::model::triage::{TRIAGE_FILE, Triage, TriageEntry, finding_key, is_triage_record};
use crate::model::workspace::{CONFIG_FILE, CheckSettings, Workspace};
use crate::report::review::{Agenda, agenda};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// How the budget tree orders siblings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SortKey {
    /// As written in the files.
    #[default]
    File,
    /// By name.
    Name,
    /// Worst status first.
    Status,
    /// Least headroom first.
    Headroom,
}

impl SortKey {
    /// Every order, for a menu.
    pub const ALL: [SortKey; 4] = [SortKey::File, SortKey::Name, SortKey::Status, SortKey::Headroom];

    /// Its name in the menu.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            SortKey::File => "file order",
            SortKey::Name => "name",
            SortKey::Status => "status",
            SortKey::Headroom => "headroom left",
        }
    }
}

/// Which budgets the tree shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TreeFilter {
    /// Text to find in a budget's id or name (any case).
    pub text: String,
    /// Only budgets over their limit.
    pub over_only: bool,
    /// Only budgets with an open regression (see [`super::standing`]).
    pub regressed_only: bool,
    /// Only budgets of one of the status bar's groups (its counts are clickable).
    pub tally: Option<super::standing::Tally>,
    /// The order of siblings.
    pub sort: SortKey,
}

/// How much of the history the plot shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeRange {
    /// Everything.
    #[default]
    All,
    /// The last so many days (or runs, where runs have no times).
    Last(u32),
}

impl TimeRange {
    /// The ranges offered.
    pub const OFFERED: [TimeRange; 4] = [TimeRange::Last(30), TimeRange::Last(90), TimeRange::Last(365), TimeRange::All];

    /// Its name on the button.
    #[must_use]
    pub fn label(self) -> String {
        match self {
            TimeRange::All => "all".to_owned(),
            TimeRange::Last(days) => format!("{days} d"),
        }
    }
}

/// A request to move the plot's view, taken once by the plot (by its generation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewRequest {
    /// The x range to show.
    pub x: (f64, f64),
    /// Increases with each request.
    pub generation: u64,
}

/// Something the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Select a budget (its index in the workspace) to see its history.
    Select(usize),
    /// Select a finding (its index in [`AppState::findings`]): its metric, centred on its change point.
    SelectFinding(usize),
    /// Show only the findings in this triage state (`None`: every finding).
    FilterFindings(Option<crate::model::triage::TriageState>),
    /// Show a window asking for a path, with this text in it.
    AskPath(PathPurpose, String),
    /// Close that window.
    CancelPath,
    /// Open a workspace folder.
    Open(PathBuf),
    /// Read the workspace's files again.
    Reload,
    /// Files of the workspace changed on disk (paths relative to it).
    FilesChanged(Vec<String>),
    /// Files were dropped on the window.
    DropFiles(Vec<PathBuf>),
    /// Hide the message line.
    DismissMessage,
    /// Check and analyse another environment (`None`: the workspace's default).
    SetEnvironment(Option<String>),
    /// Change which budgets the tree shows.
    SetFilter(TreeFilter),
    /// Show the budgets of one of the status bar's groups in the tree.
    ShowTally(super::standing::Tally),
    /// Show another part of the history.
    SetRange(TimeRange),
    /// Show a budget's allocations stacked against it, or its own history.
    SetStacked(bool),
    /// Draw another budget's metric (its index) over the selected budget's plot, or stop drawing it.
    ToggleOverlay(usize),
    /// Show the lines of the file of a workspace error (its index).
    ShowError(usize),
    /// Close that view.
    CloseError,
    /// Set a finding's triage (by key); saved in the workspace's `triage.yaml`.
    SetTriage(String, TriageEntry),
    /// Open (or, with `None`, close) the window editing a finding's owner and note.
    EditTriage(Option<(String, TriageEntry)>),
    /// Open the sensitivity window with the workspace's settings.
    ShowSensitivity,
    /// Try other settings: replays them over the history in the background.
    TrySettings(CheckSettings),
    /// Change whose settings the sensitivity window edits (`None`: the workspace's; else a budget id).
    SetSensitivityScope(Option<String>),
    /// Write the tried settings to `headroom.yaml`.
    SaveSettings,
    /// Close the sensitivity window.
    CloseSensitivity,
    /// Enter the review meeting.
    EnterReview,
    /// Leave it.
    LeaveReview,
    /// Go to the agenda item so many places on (negative: back).
    ReviewStep(i32),
    /// Record today as the day of the last review.
    MarkReviewed,
    /// Write the review agenda as Markdown and HTML with PNG plots into this folder.
    ExportReview(PathBuf),
    /// Open, change (or, with `None`, close) the window drafting a budget change proposal.
    EditProposal(Option<ProposalDraft>),
    /// Write the drafted proposal into the workspace's `proposals/`.
    SubmitProposal,
    /// Open (or close) the window signing a proposal: its id, the principal and the key file.
    AskSign(Option<(String, String, String)>),
    /// Sign a proposal: id, principal, key file (or a signature file from `ssh-keygen -Y sign`).
    Sign(String, String, PathBuf),
    /// Apply an approved proposal.
    ApplyProposal(String),
    /// Open, change (or, with `None`, close) the import window.
    AskImport(Option<ImportDraft>),
    /// Import a tool's output files as one run.
    Import(ImportDraft),
}

/// The import window's fields.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportDraft {
    /// The tool.
    pub format: crate::import::Format,
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
            format: crate::import::Format::Hyperfine,
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

/// A budget change proposal being drafted in the app (the app never edits budget files: it
/// writes a proposal for people to sign).
#[derive(Clone, Debug, PartialEq)]
pub struct ProposalDraft {
    /// The budget (index).
    pub budget: usize,
    /// The environment whose override changes; `None`: the budget's own limit.
    pub environment: Option<String>,
    /// The new value, in the budget's unit.
    pub new: f64,
    /// Id, title, author, rationale, evidence, impact.
    pub draft: crate::approval::draft::Draft,
    /// What it would change (file, line, old, new), its kind, and what it needs; or why it cannot be made.
    pub preview: Result<Preview, String>,
    /// Why the last "Create proposal" failed, shown in the dialog (cleared by the next edit).
    pub error: Option<String>,
}

/// What a drafted proposal would do: the lines it changes (file, line, old, new), its kind, and
/// what it would need.
pub type Preview = (Vec<(String, usize, String, String)>, String, String);

impl ProposalDraft {
    /// A draft to change `budget`'s limit, starting from `current`, proposed by `author`.
    #[must_use]
    pub fn new(budget: usize, current: f64, author: &str) -> ProposalDraft {
        ProposalDraft {
            budget,
            environment: None,
            new: current,
            draft: crate::approval::draft::Draft { author: author.to_owned(), ..Default::default() },
            preview: Err("change the value".to_owned()),
            error: None,
        }
    }
}

impl ProposalDraft {
    /// A draft tightening `budget` after an improvement from `before` to `after`: the limit moves
    /// with the level, keeping the headroom the budget had (limit × after / before, to three
    /// significant figures). `None` where the budget has no limit or the levels do not allow it.
    #[must_use]
    pub fn tightening(index: usize, budget: &crate::model::budget::Budget, run: &str, before: f64, after: f64) -> Option<ProposalDraft> {
        let limit = budget.limit?;
        let ratio = after / before;
        if !(ratio.is_finite() && ratio > 0.0) || before <= 0.0 {
            return None;
        }
        let new = three_figures(limit * ratio);
        if new.to_bits() == limit.to_bits() {
            return None;
        }
        let unit = budget.unit.symbol();
        let mut draft = ProposalDraft::new(index, new, "");
        draft.draft.id = format!("tighten-{}-{run}", budget.id.replace(['.', '_', ' '], "-"));
        draft.draft.title = format!("Tighten {} to {}", budget.name, crate::report::quantity(new, unit));
        draft.draft.rationale = format!(
            "Improved at {run} from {} to {}; the limit follows, keeping the headroom it had.",
            crate::report::quantity(before, unit),
            crate::report::quantity(after, unit)
        );
        Some(draft)
    }
}

/// `x` rounded to three significant figures.
fn three_figures(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    #[allow(clippy::cast_possible_truncation)] // a float's decimal exponent fits an i32
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// What a path window is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathPurpose {
    /// Open a workspace folder.
    Open,
    /// Export the review into a folder.
    Export,
}

/// A min/max pyramid of a long series, shared between frames (equal when it is the same one).
#[derive(Clone, Debug)]
pub struct SharedPyramid(pub Arc<crate::plot::pyramid::Pyramid>);

impl PartialEq for SharedPyramid {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Series longer than this get a pyramid, so any view reduces in time proportional to the pixels.
pub const PYRAMID_POINTS: usize = 200_000;

/// A plotted series, prepared once when a budget is selected (not every frame).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlotData {
    /// The pyramid of `main`, where it is long.
    pub pyramid: Option<SharedPyramid>,
    /// Runs of the baseline branch: (x, value), x in seconds since 1970 where runs have times, else run numbers.
    pub main: Vec<[f64; 2]>,
    /// The history's run of each point of `main`.
    pub main_runs: Vec<usize>,
    /// Runs of other branches (pull requests).
    pub other: Vec<[f64; 2]>,
    /// The history's run of each point of `other`.
    pub other_runs: Vec<usize>,
    /// Whether x is a time.
    pub x_is_time: bool,
    /// The engine's change points of `main`: (x, severity, words).
    pub change_points: Vec<(f64, Severity, String)>,
    /// The engine's level of each segment of `main` (its trend where it drifts), as one line.
    pub levels: Vec<[f64; 2]>,
    /// The band the gate lets pass: (x from, x to, low, high), where there is a baseline.
    pub baseline_band: Option<(f64, f64, f64, f64)>,
    /// Allocations stacked: (name, bars as (x, width, value)), in the parent's unit.
    pub stack: Vec<Layer>,
    /// Alarms of the tried settings on this metric: (x, value, confirmed).
    pub alarms: Vec<(f64, f64, bool)>,
    /// Other budgets' metrics drawn over this one, in its unit.
    pub overlays: Vec<Overlay>,
}

/// Another budget's metric drawn over the plot: the runs of the baseline branch, in the plotted
/// budget's unit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overlay {
    /// The budget (index).
    pub budget: usize,
    /// Its name, as the legend shows it.
    pub name: String,
    /// (x, value) of its runs, x as in [`PlotData::main`].
    pub points: Vec<[f64; 2]>,
    /// The history's run of each point.
    pub runs: Vec<usize>,
    /// The pyramid of `points`, where they are long.
    pub pyramid: Option<SharedPyramid>,
}

/// A budget's runs in one environment, split by branch, in some unit.
#[derive(Default)]
struct ByBranch {
    main: Vec<[f64; 2]>,
    main_runs: Vec<usize>,
    other: Vec<[f64; 2]>,
    other_runs: Vec<usize>,
}

/// One finding of the engine in the findings list.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingRow {
    /// Index into the analysis' findings.
    pub finding: usize,
    /// The budget it belongs to (index), where there is one.
    pub budget: Option<usize>,
    /// Its triage key (an existing entry's where one matches).
    pub key: String,
    /// Its triage.
    pub triage: TriageEntry,
}

/// The lines around a workspace error.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorView {
    /// The error in words.
    pub title: String,
    /// (line number, text) around the error.
    pub lines: Vec<(u32, String)>,
    /// The line at fault (0: the whole file).
    pub line: u32,
}

/// The sensitivity window: settings being tried and what they would have flagged.
pub struct Sensitivity {
    /// The settings tried.
    pub settings: CheckSettings,
    /// Whose settings the sliders change: the workspace's (`None`) or one budget's own (its id).
    pub scope: Option<String>,
    /// The replay of the workspace's settings (for comparison).
    pub current: Option<Replay>,
    /// The replay of the tried settings.
    pub tried: Option<Replay>,
    job: Option<Job<(Option<Replay>, Replay)>>,
}

impl Sensitivity {
    /// Whether a replay is running.
    #[must_use]
    pub fn replaying(&self) -> bool {
        self.job.is_some()
    }
}

/// The review meeting.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    /// What to discuss.
    pub agenda: Agenda,
    /// The item on screen.
    pub index: usize,
}

/// What a plot is made from: the workspace and its analysis (shared), the checked environment,
/// the baseline branch, the plotted budget's result and the overlays chosen.
struct PlotSource {
    workspace: Arc<Workspace>,
    analysis: Arc<Analysis>,
    environment: Option<String>,
    baseline_branch: String,
    result: Option<BudgetResult>,
    overlays: Vec<String>,
}

impl PlotSource {
    /// Whether the plot's x is a time (every run has one), else the run's number.
    fn x_is_time(&self) -> bool {
        self.workspace.history.runs.iter().all(|r| r.timestamp.is_some())
    }

    /// The x of a run on the plot.
    fn x_of(&self, run: usize, x_is_time: bool) -> f64 {
        match self.workspace.history.runs[run].timestamp {
            Some(t) if x_is_time => t.as_secs_f64(),
            _ => run as f64,
        }
    }

    /// The runs of budget `index`'s metric in the checked environment, at its statistic, in `unit`
    /// (empty where the units do not convert), on the baseline branch (or none) and on others.
    fn runs_of(&self, index: usize, unit: &crate::model::units::Unit, x_is_time: bool) -> ByBranch {
        let budget = &self.workspace.budgets[index];
        let history = &self.workspace.history;
        let mut runs = ByBranch::default();
        let Some(series) = history.series.get(&budget.metric) else { return runs };
        let to_budget = series.unit.as_ref().and_then(|u| u.convert(1.0, &budget.unit)).unwrap_or(1.0);
        let Some(to_unit) = budget.unit.convert(to_budget, unit) else { return runs };
        for point in &series.points {
            let run_index = point.run as usize;
            let run = &history.runs[run_index];
            if run.environment != self.environment {
                continue;
            }
            let Some(value) = point.measurement.statistic(budget.statistic) else { continue };
            let xy = [self.x_of(run_index, x_is_time), value * to_unit];
            if run.branch.as_deref() == Some(self.baseline_branch.as_str()) || run.branch.is_none() {
                runs.main.push(xy);
                runs.main_runs.push(run_index);
            } else {
                runs.other.push(xy);
                runs.other_runs.push(run_index);
            }
        }
        runs
    }

    /// The overlays of budget `index`'s plot, in its unit.
    fn overlays_of(&self, index: usize, x_is_time: bool) -> Vec<Overlay> {
        let unit = &self.workspace.budgets[index].unit;
        self.overlays
            .iter()
            .filter_map(|id| self.workspace.budget_index(id))
            .filter(|&o| o != index)
            .map(|o| {
                let runs = self.runs_of(o, unit, x_is_time);
                let pyramid =
                    (runs.main.len() > PYRAMID_POINTS).then(|| SharedPyramid(Arc::new(crate::plot::pyramid::Pyramid::new(&runs.main))));
                Overlay { budget: o, name: self.workspace.budgets[o].name.clone(), points: runs.main, runs: runs.main_runs, pyramid }
            })
            .collect()
    }

    /// The plot of budget `index`.
    fn plot(&self, index: usize) -> PlotData {
        let budget = &self.workspace.budgets[index];
        let x_is_time = self.x_is_time();
        let x_of = |run: usize| self.x_of(run, x_is_time);
        let runs = self.runs_of(index, &budget.unit, x_is_time);
        let mut plot = PlotData {
            x_is_time,
            main: runs.main,
            main_runs: runs.main_runs,
            other: runs.other,
            other_runs: runs.other_runs,
            ..PlotData::default()
        };
        // The engine's change points and levels, from the analysis made at load.
        if let Some(m) = self.analysis.metrics.iter().find(|m| m.budget == Some(index)) {
            let unit = budget.unit.symbol();
            for f in self.analysis.findings.iter().filter(|f| f.metric == m.metric) {
                let words = crate::report::analysis::change_words(f, unit);
                plot.change_points.push((x_of(f.run_index), f.severity, words));
            }
            for s in &m.segmentation.segments {
                if let (Some(&a), Some(&b)) = (m.series.runs.get(s.start), m.series.runs.get(s.end.saturating_sub(1))) {
                    let (first, last) = crate::engine::analyze::segment_line(&m.series.values, s);
                    plot.levels.push([x_of(a), first]);
                    plot.levels.push([x_of(b), last]);
                }
            }
        }
        if let Some(result) = &self.result
            && let (Some(b), Some(smallest)) = (&result.baseline, result.smallest_flaggable)
            && plot.main.len() >= b.runs
        {
            let from = plot.main[plot.main.len() - b.runs][0];
            let to = plot.other.last().map_or(0.0, |p| p[0]).max(plot.main.last().map_or(0.0, |p| p[0]));
            let spread = b.value.abs() * smallest;
            // What passes the gate never lies past the limit: the band stops there.
            let (low, high) = match result.direction {
                crate::model::units::Direction::LowerIsBetter => (b.value - spread, (b.value + spread).min(result.limit)),
                crate::model::units::Direction::HigherIsBetter => ((b.value - spread).max(result.limit), b.value + spread),
            };
            if low < high {
                plot.baseline_band = Some((from, to, low, high));
            }
        }
        plot.stack = self.stack_of(index, &x_of);
        if plot.main.len() > PYRAMID_POINTS {
            plot.pyramid = Some(SharedPyramid(Arc::new(crate::plot::pyramid::Pyramid::new(&plot.main))));
        }
        plot.overlays = self.overlays_of(index, x_is_time);
        plot
    }

    /// Whether budget `index`'s plot (or an overlay on it) has so many runs that making it would
    /// hold up a frame: such a plot is made on another thread.
    fn is_long(&self, index: usize) -> bool {
        let runs = |i: usize| self.workspace.history.series.get(&self.workspace.budgets[i].metric).map_or(0, |s| s.points.len());
        runs(index) > PYRAMID_POINTS
            || self.overlays.iter().any(|id| self.workspace.budget_index(id).is_some_and(|o| runs(o) > PYRAMID_POINTS))
    }

    /// The allocations of a budget stacked over the runs of the baseline branch, in at most
    /// [`STACK_BARS`] bars (each the mean of its runs), in the parent's unit.
    fn stack_of(&self, index: usize, x_of: &dyn Fn(usize) -> f64) -> Vec<Layer> {
        let budget = &self.workspace.budgets[index];
        if budget.children.is_empty() {
            return Vec::new();
        }
        let filter =
            crate::engine::analyze::RunFilter { environment: self.environment.clone(), branch: Some(self.baseline_branch.clone()) };
        let mut layers = Vec::new();
        for &child in &budget.children {
            let c = &self.workspace.budgets[child];
            let Some(values) = crate::engine::analyze::metric_values(&self.workspace.history, &c.metric, &filter, Some(c)) else {
                continue;
            };
            let Some(to_parent) = c.unit.convert(1.0, &budget.unit) else { continue };
            if values.runs.is_empty() {
                continue;
            }
            let per_bar = values.runs.len().div_ceil(STACK_BARS);
            let bars: Vec<(f64, f64, f64)> = values
                .runs
                .chunks(per_bar)
                .zip(values.values.chunks(per_bar))
                .map(|(runs, vals)| {
                    let (a, b) = (x_of(runs[0]), x_of(runs[runs.len() - 1]));
                    let mean = vals.iter().sum::<f64>() / vals.len() as f64;
                    (f64::midpoint(a, b), (b - a).max(1.0), mean * to_parent)
                })
                .collect();
            layers.push((c.name.clone(), bars));
        }
        layers
    }
}

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
    /// The budget change proposals not yet applied, judged against the budget files now.
    pub proposals: Vec<(crate::approval::proposal::Proposal, crate::approval::ledger::Evaluation)>,
    /// The environment asked for (`None`: the workspace's default).
    pub environment: Option<String>,
    /// The result of each checked budget, by budget index.
    pub result_of: HashMap<usize, usize>,
    /// The selected budget.
    pub selected: Option<usize>,
    /// The selected budget's series.
    pub plot: PlotData,
    /// Whether the plot shows the allocations stacked.
    pub stacked: bool,
    /// The budgets (by id, so a reload keeps them) whose metrics are drawn over the selected one's.
    pub overlays: Vec<String>,
    /// The range of history shown.
    pub range: TimeRange,
    /// A request to move the plot's view.
    pub view: Option<ViewRequest>,
    /// Which budgets the tree shows.
    pub filter: TreeFilter,
    /// Per budget: whether the tree shows it (it matches, or something under it does).
    pub shown: Vec<bool>,
    /// Per budget: its children in the tree's order.
    pub ordered_children: Vec<Vec<usize>>,
    /// Per budget file: its top-level budgets in the tree's order.
    pub ordered_roots: Vec<(String, Vec<usize>)>,
    /// The engine's findings, most severe first.
    pub findings: Vec<FindingRow>,
    /// What the app says about each budget and the workspace (one definition of each state).
    pub states: super::standing::States,
    /// Everything that needs attention, most severe first.
    pub attention: Vec<super::standing::Attention>,
    /// A path window, where open: what for and the text typed.
    pub path_prompt: Option<(PathPurpose, String)>,
    /// A message for the user (a folder that could not be opened, say).
    pub message: Option<String>,
    /// The lines of a bad file, where shown.
    pub error_view: Option<ErrorView>,
    /// The sensitivity window, where open.
    pub sensitivity: Option<Sensitivity>,
    /// The review meeting, while it runs.
    pub review: Option<Review>,
    /// The environments one can switch to: those of `headroom.yaml`, else those of the history.
    pub environments: Vec<String>,
    /// Whether long series are drawn by the GPU (eframe runs on wgpu and the renderer is installed).
    pub gpu_plot: bool,
    /// Today, for the review's agenda and triage dates (set once at start; tests fix it).
    pub today: Timestamp,
    /// A budget change proposal being drafted.
    pub proposal_draft: Option<ProposalDraft>,
    /// The import window, where open.
    pub import_prompt: Option<ImportDraft>,
    import_job: Option<Job<Result<Vec<crate::model::history::Snapshot>, String>>>,
    plot_job: Option<Job<PlotData>>,
    /// The sign window, where open: proposal id, principal, key file.
    pub sign_prompt: Option<(String, String, String)>,
    /// A finding's triage being edited: its key and the draft.
    pub triage_draft: Option<(String, TriageEntry)>,
    /// The findings list shows only those in this triage state (`None`: all of them).
    pub findings_filter: Option<crate::model::triage::TriageState>,
    /// The triage of the finding being edited as it was when the edit began: what the save merges
    /// from, so a change someone else made on disk meanwhile is merged, or reported, not overwritten.
    triage_draft_base: Option<(String, TriageEntry)>,
    loading: Option<Job<Result<Loaded, String>>>,
    /// When a workspace last finished loading (`None` before the first: the empty one's check says nothing).
    last_loaded: Option<std::time::Instant>,
    watch: bool,
    watcher: Option<Watcher>,
    waker: Waker,
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
            proposals: Vec::new(),
            environment: None,
            result_of: HashMap::new(),
            selected: None,
            plot: PlotData::default(),
            stacked: false,
            overlays: Vec::new(),
            range: TimeRange::All,
            view: None,
            filter: TreeFilter::default(),
            shown: Vec::new(),
            ordered_children: Vec::new(),
            ordered_roots: Vec::new(),
            findings: Vec::new(),
            states: super::standing::States::default(),
            attention: Vec::new(),
            path_prompt: None,
            message: None,
            error_view: None,
            sensitivity: None,
            review: None,
            environments: Vec::new(),
            gpu_plot: false,
            today: Timestamp::now(),
            triage_draft: None,
            findings_filter: None,
            triage_draft_base: None,
            proposal_draft: None,
            import_prompt: None,
            import_job: None,
            plot_job: None,
            sign_prompt: None,
            loading: None,
            watch,
            watcher: None,
            waker,
            last_loaded: None,
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

    /// Waits for running jobs and applies their results (tests and tools; the app polls).
    pub fn wait(&mut self) {
        if let Some(result) = self.import_job.take().and_then(|job| job.wait()) {
            self.finish_prometheus_import(result);
        }
        if let Some(result) = self.loading.take().and_then(|job| job.wait()) {
            self.finish_load(result);
        }
        if let Some(job) = self.sensitivity.as_mut().and_then(|s| s.job.take())
            && let Some((current, tried)) = job.wait()
        {
            self.take_replay(current, tried);
        }
        if let Some(plot) = self.plot_job.take().and_then(|job| job.wait()) {
            self.plot = plot;
            self.mark_alarms();
        }
    }

    /// Takes the results of finished jobs and changes seen on disk; call once per frame.
    /// Returns whether anything is still running (the UI then shows progress).
    pub fn poll(&mut self) -> bool {
        if let Some(result) = self.loading.as_ref().and_then(Job::poll) {
            self.loading = None;
            self.finish_load(result);
        }
        if let Some((current, tried)) = self.sensitivity.as_ref().and_then(|s| s.job.as_ref()).and_then(Job::poll) {
            self.take_replay(current, tried);
        }
        let replaying = self.sensitivity.as_ref().is_some_and(Sensitivity::replaying);
        if let Some(result) = self.import_job.as_ref().and_then(Job::poll) {
            self.import_job = None;
            self.finish_prometheus_import(result);
        }
        if let Some(plot) = self.plot_job.as_ref().and_then(Job::poll) {
            self.plot_job = None;
            self.plot = plot;
            self.mark_alarms();
        }
        let changes = self.watcher.as_ref().map(Watcher::take_changes).unwrap_or_default();
        if !changes.is_empty() {
            self.apply(Command::FilesChanged(changes));
        }
        self.loading.is_some() || replaying || self.import_job.is_some() || self.plot_job.is_some()
    }

    fn finish_prometheus_import(&mut self, result: Result<Vec<crate::model::history::Snapshot>, String>) {
        let Source::Folder(root) = self.source.clone() else { return };
        let outcome = result.and_then(|snapshots| {
            let total = snapshots.len();
            crate::model::store::add_runs(&root, "prometheus", snapshots, true).map(|(file, n)| (total, n, file)).map_err(|e| e.to_string())
        });
        self.message = Some(match outcome {
            Ok((total, 0, _)) => format!("Nothing new from Prometheus: the history has all {total} runs"),
            Ok((total, n, file)) => {
                self.begin_load(self.source.clone(), None);
                format!("Imported {n} runs from Prometheus ({} already there) into {}", total - n, file.display())
            }
            Err(e) => format!("Nothing was imported from Prometheus: {e}"),
        });
    }

    fn begin_load(&mut self, source: Source, reuse: Option<Arc<Workspace>>) {
        let environment = self.environment.clone();
        // A newer load replaces a running one: the old result is dropped when it arrives.
        self.loading =
            Some(Job::spawn("headroom-load", Arc::clone(&self.waker), move |progress| jobs::load(&source, environment, reuse, progress)));
    }

    fn finish_load(&mut self, result: Result<Loaded, String>) {
        let loaded = match result {
            Ok(loaded) => loaded,
            Err(message) => {
                // A failed load changes nothing but the message.
                self.message = Some(message);
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
            self.triage = loaded.triage;
        }
        self.report = loaded.report;
        self.analysis = Arc::new(loaded.analysis);
        self.proposals = loaded.proposals;
        if !loaded.proposal_errors.is_empty() {
            self.message = Some(format!("Proposals that do not read: {}", loaded.proposal_errors.join("; ")));
        }
        self.result_of = self.report.results.iter().enumerate().map(|(i, r)| (r.budget, i)).collect();
        self.selected = if same_place { selected_id.and_then(|id| self.workspace.budget_index(&id)) } else { None };
        self.derive_environments();
        // The findings' triage decides which budgets have open regressions: before the tree.
        self.derive_findings();
        self.derive_plot();
        self.refresh_review();
    }

    /// Applies one command.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Select(index) => {
                if index < self.workspace.budgets.len() {
                    if self.selected != Some(index) {
                        self.overlays.clear();
                    }
                    self.selected = Some(index);
                    self.derive_plot();
                }
            }
            Command::SelectFinding(row) => self.select_finding(row),
            Command::AskPath(purpose, text) => self.path_prompt = Some((purpose, text)),
            Command::CancelPath => self.path_prompt = None,
            Command::Open(path) => {
                if path.is_dir() {
                    self.path_prompt = None;
                    self.message = None;
                    self.environment = None;
                    self.begin_load(Source::Folder(path), None);
                } else {
                    self.message = Some(format!("Cannot open {}: it is not a folder", path.display()));
                }
            }
            Command::Reload => self.begin_load(self.source.clone(), None),
            Command::FilesChanged(files) => {
                if files.iter().all(|f| f == TRIAGE_FILE || is_triage_record(f)) {
                    self.reload_triage();
                } else {
                    self.message = Some(format!("Reloaded: {} changed on disk", files.join(", ")));
                    self.begin_load(self.source.clone(), None);
                }
            }
            Command::DropFiles(paths) => self.drop_files(&paths),
            Command::DismissMessage => self.message = None,
            Command::SetEnvironment(environment) => {
                self.environment = environment;
                self.begin_load(self.source.clone(), Some(Arc::clone(&self.workspace)));
            }
            Command::SetFilter(filter) => self.set_filter(filter),
            Command::ShowTally(tally) => {
                self.set_filter(TreeFilter { tally: Some(tally), sort: self.filter.sort, ..TreeFilter::default() });
            }
            Command::SetRange(range) => {
                self.range = range;
                self.request_range();
            }
            Command::SetStacked(stacked) => self.stacked = stacked,
            Command::ToggleOverlay(index) => self.toggle_overlay(index),
            Command::ShowError(index) => self.error_view = self.workspace.errors.get(index).map(|e| self.error_lines(e)),
            Command::CloseError => self.error_view = None,
            Command::SetTriage(key, entry) => {
                self.triage_draft = None;
                self.set_triage(key, entry);
            }
            Command::EditTriage(draft) => self.edit_triage(draft),
            Command::FilterFindings(triage) => self.findings_filter = triage,
            Command::ShowSensitivity => {
                let settings = self.report.settings.clone();
                self.sensitivity = Some(Sensitivity { settings: settings.clone(), scope: None, current: None, tried: None, job: None });
                self.replay_settings(settings, true);
            }
            Command::TrySettings(settings) => {
                let Some(s) = &mut self.sensitivity else { return };
                s.settings = settings.clone();
                // While a replay runs, the newest settings are replayed when it ends.
                if !s.replaying() {
                    self.replay_settings(settings, false);
                }
            }
            Command::SetSensitivityScope(scope) => {
                if let Some(s) = &mut self.sensitivity {
                    s.scope = scope;
                }
            }
            Command::SaveSettings => self.save_settings(),
            Command::CloseSensitivity => {
                self.sensitivity = None;
                self.plot.alarms.clear();
            }
            Command::EnterReview => {
                self.review = Some(Review { agenda: self.agenda(), index: 0 });
                self.show_review_item();
            }
            Command::LeaveReview => self.review = None,
            Command::ReviewStep(step) => {
                if let Some(review) = &mut self.review {
                    let last = review.agenda.items.len().saturating_sub(1);
                    review.index = review.index.saturating_add_signed(step as isize).min(last);
                }
                self.show_review_item();
            }
            Command::MarkReviewed => self.mark_reviewed(),
            Command::ExportReview(dir) => self.export_review(&dir),
            Command::EditProposal(draft) => self.edit_proposal(draft),
            Command::SubmitProposal => self.submit_proposal(),
            Command::AskSign(prompt) => self.sign_prompt = prompt,
            Command::Sign(id, principal, file) => self.sign_proposal(&id, &principal, file),
            Command::ApplyProposal(id) => self.apply_proposal(&id),
            Command::AskImport(draft) => self.import_prompt = draft,
            Command::Import(d) => self.import_draft(&d),
        }
    }

    fn set_filter(&mut self, filter: TreeFilter) {
        self.filter = filter;
        self.derive_tree();
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

    fn edit_proposal(&mut self, draft: Option<ProposalDraft>) {
        let Some(mut draft) = draft else {
            self.proposal_draft = None;
            return;
        };
        draft.error = None;
        let Some(root) = self.writable_root("propose a change") else { return };
        let Some(budget) = self.workspace.budgets.get(draft.budget) else { return };
        let wanted = [crate::approval::draft::Wanted { budget: budget.id.clone(), environment: draft.environment.clone(), new: draft.new }];
        // The draft's checks, without the ones a person is still typing (an empty id or title).
        let mut probe = draft.draft.clone();
        for (field, stand_in) in [(&mut probe.id, "draft"), (&mut probe.title, "-"), (&mut probe.author, "-"), (&mut probe.rationale, "-")]
        {
            if field.trim().is_empty() {
                stand_in.clone_into(field);
            }
        }
        draft.preview = crate::approval::draft::prepare(&root, &probe, &wanted, &[], self.today).and_then(|(_, after, evaluation)| {
            let before = crate::approval::ledger::current_contract(&root)?;
            Ok((
                crate::approval::draft::diff(&before, &after),
                evaluation.kind.as_str().to_owned(),
                crate::approval::ledger::missing_words(&evaluation),
            ))
        });
        self.proposal_draft = Some(draft);
    }

    fn submit_proposal(&mut self) {
        let Some(draft) = self.proposal_draft.clone() else { return };
        let Some(root) = self.writable_root("propose a change") else { return };
        let Some(budget) = self.workspace.budgets.get(draft.budget) else { return };
        let wanted = [crate::approval::draft::Wanted { budget: budget.id.clone(), environment: draft.environment.clone(), new: draft.new }];
        // Created when written, not when the app started (`today` is fixed at start).
        match crate::approval::draft::propose(&root, &draft.draft, &wanted, &[], Timestamp::now()) {
            Ok((path, evaluation)) => {
                self.message = Some(format!(
                    "Wrote {} ({}): {}",
                    path.display(),
                    evaluation.kind.as_str(),
                    crate::approval::ledger::missing_words(&evaluation)
                ));
                self.proposal_draft = None;
                self.refresh_proposals(&root);
            }
            // Inside the dialog, next to what to fix, and the draft kept.
            Err(e) => {
                if let Some(d) = &mut self.proposal_draft {
                    d.error = Some(format!("Cannot propose: {e}"));
                }
            }
        }
    }

    fn sign_proposal(&mut self, id: &str, principal: &str, file: PathBuf) {
        let Some(root) = self.writable_root("sign") else { return };
        // A file with an SSH signature in it was made by ssh-keygen; anything else is a key.
        let is_signature = std::fs::read_to_string(&file).is_ok_and(|t| t.contains("BEGIN SSH SIGNATURE"));
        let with =
            if is_signature { crate::approval::draft::SignWith::Signature(file) } else { crate::approval::draft::SignWith::Key(file) };
        match crate::approval::draft::sign(&root, id, principal, &with, Timestamp::now()) {
            Ok(evaluation) => {
                self.sign_prompt = None;
                self.message = Some(format!(
                    "Signed `{id}` as {principal}; {}",
                    if evaluation.approved() {
                        "it is approved and can be applied".to_owned()
                    } else {
                        crate::approval::ledger::missing_words(&evaluation)
                    }
                ));
                self.refresh_proposals(&root);
            }
            Err(e) => self.message = Some(format!("Cannot sign `{id}`: {e}")),
        }
    }

    fn apply_proposal(&mut self, id: &str) {
        let Some(root) = self.writable_root("apply a proposal") else { return };
        match crate::approval::ledger::apply_proposal(&root, id, Timestamp::now()) {
            Ok(entry) => {
                self.message = Some(format!("Applied `{id}` (ledger entry {})", entry.seq));
                self.begin_load(self.source.clone(), None);
            }
            Err(e) => self.message = Some(format!("Cannot apply `{id}`: {e}")),
        }
    }

    fn refresh_proposals(&mut self, root: &Path) {
        let (open, errors) = crate::approval::ledger::open_proposals(root, Timestamp::now());
        self.proposals = open;
        self.derive_attention();
        if !errors.is_empty() {
            self.message = Some(format!("Proposals that do not read: {}", errors.join("; ")));
        }
    }

    fn mark_reviewed(&mut self) {
        self.triage.last_review = Some(self.today);
        self.message = Some(match &self.source {
            Source::Folder(root) => match crate::model::store::save_last_review(root, self.today) {
                Ok(()) => format!("Review recorded in {}", root.join(TRIAGE_FILE).display()),
                Err(e) => format!("Cannot record the review: {e} (it is kept until the app closes)"),
            },
            Source::Example => "Review recorded for this session only: the example workspace is read-only".to_owned(),
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
        self.review = Some(Review { agenda, index });
        self.clamp_review();
        self.show_review_item();
    }

    fn export_review(&mut self, dir: &Path) {
        self.path_prompt = None;
        let agenda = self.agenda();
        self.message = Some(match super::export::export_review(self, &agenda, dir) {
            Ok(files) => format!("Review written to {} ({} files)", dir.display(), files),
            Err(e) => format!("Cannot export the review to {}: {e}", dir.display()),
        });
    }

    /// The review agenda of the workspace as it is now.
    #[must_use]
    pub fn agenda(&self) -> Agenda {
        agenda(&self.workspace, &self.triage, &self.report, &self.analysis, &self.proposals, self.today)
    }

    fn clamp_review(&mut self) {
        if let Some(review) = &mut self.review {
            review.index = review.index.min(review.agenda.items.len().saturating_sub(1));
        }
    }

    /// Selects the budget of the review's current item, centred on its change point.
    fn show_review_item(&mut self) {
        let Some(item) = self.review.as_ref().and_then(|r| r.agenda.items.get(r.index)).cloned() else { return };
        if let Some(budget) = item.budget {
            self.stacked = false;
            self.selected = Some(budget);
            self.derive_plot();
            match item.run_index {
                Some(run) => self.centre_on_run(run),
                None => self.request_range(),
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
        for run in &self.workspace.history.runs {
            if let Some(env) = run.environment.as_deref()
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
        self.states.worst.get(index).copied().flatten().map(super::standing::BudgetState::status)
    }

    /// A budget's own state (`None` for a group).
    #[must_use]
    pub fn state_of(&self, index: usize) -> Option<super::standing::BudgetState> {
        self.states.own.get(index).copied().flatten()
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

    fn derive_tree(&mut self) {
        let budgets = &self.workspace.budgets;
        let text = self.filter.text.to_lowercase();
        let matches = |i: usize| {
            let b = &budgets[i];
            (text.is_empty() || b.id.to_lowercase().contains(&text) || b.name.to_lowercase().contains(&text))
                && (!self.filter.over_only || self.is_over(i))
                && (!self.filter.regressed_only || self.is_regressed(i))
                && self.filter.tally.is_none_or(|t| self.states.is_in(i, t))
        };
        let mut shown = vec![false; budgets.len()];
        for i in 0..budgets.len() {
            if matches(i) {
                // A match shows its ancestors, so it stays in its place in the tree.
                let mut at = Some(i);
                while let Some(j) = at {
                    shown[j] = true;
                    at = budgets[j].parent;
                }
            }
        }
        let order = |list: &mut Vec<usize>| match self.filter.sort {
            SortKey::File => {}
            SortKey::Name => list.sort_by_key(|&i| budgets[i].name.to_lowercase()),
            SortKey::Status => list.sort_by_key(|&i| std::cmp::Reverse(self.status_of(i))),
            SortKey::Headroom => list.sort_by(|&a, &b| self.headroom_of(a).total_cmp(&self.headroom_of(b))),
        };
        let mut ordered_children: Vec<Vec<usize>> = budgets.iter().map(|b| b.children.clone()).collect();
        ordered_children.iter_mut().for_each(order);
        let mut ordered_roots = Vec::new();
        for file in &self.workspace.budget_files {
            let mut roots: Vec<usize> = self.workspace.roots_of(file).collect();
            order(&mut roots);
            ordered_roots.push((file.clone(), roots));
        }
        if self.filter.sort == SortKey::Status {
            // Failures first across files, not only within each: a file goes by its worst budget.
            ordered_roots.sort_by_key(|(_, roots)| std::cmp::Reverse(roots.iter().map(|&r| self.status_of(r)).max().flatten()));
        }
        self.shown = shown;
        self.ordered_children = ordered_children;
        self.ordered_roots = ordered_roots;
    }

    /// The headroom fraction for sorting: the least of the budget's and everything under it.
    fn headroom_of(&self, index: usize) -> f64 {
        let own = self.result_of.get(&index).and_then(|&r| self.report.results[r].headroom_fraction()).unwrap_or(f64::INFINITY);
        self.workspace.budgets[index].children.iter().map(|&c| self.headroom_of(c)).fold(own, f64::min)
    }

    fn derive_findings(&mut self) {
        let history = &self.workspace.history;
        let position = |run: &str| history.runs.iter().position(|r| r.id == run);
        let mut rows: Vec<FindingRow> = self
            .analysis
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (key, triage) = match self.triage.find(&f.metric, &f.run_id, position) {
                    Some((key, entry)) => (key.to_owned(), entry.clone()),
                    None => (finding_key(&f.metric, &f.run_id), TriageEntry::default()),
                };
                let budget = f.budget.as_deref().and_then(|id| self.workspace.budget_index(id));
                FindingRow { finding: i, budget, key, triage }
            })
            .collect();
        let findings = &self.analysis.findings;
        rows.sort_by(|a, b| {
            let (fa, fb) = (&findings[a.finding], &findings[b.finding]);
            fb.severity.cmp(&fa.severity).then(fb.run_index.cmp(&fa.run_index)).then(fa.metric.cmp(&fb.metric))
        });
        self.findings = rows;
        let changes = self
            .findings
            .iter()
            .map(|r| (r.budget, super::standing::is_open_regression(self.analysis.findings[r.finding].verdict, r.triage.state)));
        self.states = super::standing::States::new(&self.workspace, &self.report, changes);
        self.derive_tree();
        self.derive_attention();
    }

    /// The "Needs attention" list, from the states, the findings and the proposals.
    fn derive_attention(&mut self) {
        let changes: Vec<(usize, Option<usize>, String, bool)> = self
            .findings
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let f = &self.analysis.findings[r.finding];
                let unit = r.budget.map_or("", |b| self.workspace.budgets[b].unit.symbol());
                let words = format!("{} at {}: {}", f.metric, f.run_id, crate::report::analysis::change_words(f, unit));
                let untriaged = f.verdict == crate::engine::analyze::Verdict::Regression
                    && r.triage.state == crate::model::triage::TriageState::Untriaged;
                (i, r.budget, words, untriaged)
            })
            .collect();
        let proposals: Vec<(String, String)> = self
            .proposals
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
        let Some(r) = self.findings.get(row) else { return };
        let run = self.analysis.findings[r.finding].run_index;
        let Some(budget) = r.budget else {
            self.message = Some(format!("`{}` has no budget to show it against", self.analysis.findings[r.finding].metric));
            return;
        };
        self.selected = Some(budget);
        self.stacked = false;
        self.derive_plot();
        self.centre_on_run(run);
    }

    /// Moves the plot's view to centre on a run of the history, keeping the range's width.
    fn centre_on_run(&mut self, run: usize) {
        let Some(x) = self.plot.main_runs.iter().position(|&r| r == run).map(|i| self.plot.main[i][0]) else { return };
        let (first, last) = (self.plot.main.first().map_or(0.0, |p| p[0]), self.plot.main.last().map_or(0.0, |p| p[0]));
        let half = match self.range {
            TimeRange::Last(days) => self.span_of(days) / 2.0,
            TimeRange::All => (last - first) / 4.0,
        };
        self.push_view((x - half, x + half));
    }

    fn span_of(&self, days: u32) -> f64 {
        if self.plot.x_is_time { f64::from(days) * 86_400.0 } else { f64::from(days) }
    }

    fn request_range(&mut self) {
        let (first, last) = match (self.plot.main.first(), self.plot.main.last()) {
            (Some(a), Some(b)) => (a[0], b[0]),
            _ => return,
        };
        let last = self.plot.other.last().map_or(last, |p| p[0].max(last));
        let x = match self.range {
            TimeRange::All => (first, last),
            TimeRange::Last(days) => (last - self.span_of(days), last),
        };
        self.push_view(x);
    }

    fn push_view(&mut self, x: (f64, f64)) {
        let generation = self.view.map_or(1, |v| v.generation + 1);
        self.view = Some(ViewRequest { x, generation });
    }

    /// Makes the selected budget's plot: here, or on the `headroom-plot` thread where it is long
    /// (the plot then says it is being prepared, and [`AppState::poll`] takes it when it is done).
    fn derive_plot(&mut self) {
        self.plot_job = None;
        let Some(index) = self.selected else {
            self.plot = PlotData::default();
            return;
        };
        let source = self.plot_source(index);
        if source.is_long(index) {
            self.plot = PlotData::default();
            self.plot_job = Some(Job::spawn("headroom-plot", Arc::clone(&self.waker), move |_| source.plot(index)));
        } else {
            self.plot = source.plot(index);
            self.mark_alarms();
        }
    }

    /// Whether the selected budget's plot is being prepared in the background.
    #[must_use]
    pub fn plot_preparing(&self) -> bool {
        self.plot_job.is_some()
    }

    fn toggle_overlay(&mut self, index: usize) {
        let Some(id) = self.workspace.budgets.get(index).map(|b| b.id.clone()) else { return };
        if let Some(k) = self.overlays.iter().position(|o| *o == id) {
            self.overlays.remove(k);
        } else if self.overlay_candidates().contains(&index) {
            self.overlays.push(id);
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
    fn plot_source(&self, index: usize) -> PlotSource {
        PlotSource {
            workspace: Arc::clone(&self.workspace),
            analysis: Arc::clone(&self.analysis),
            environment: self.report.environment.clone(),
            baseline_branch: self.report.baseline_branch.clone(),
            result: self.result_of.get(&index).map(|&r| self.report.results[r].clone()),
            overlays: self.overlays.clone(),
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
        let Some(replay) = self.sensitivity.as_ref().and_then(|s| s.tried.as_ref()) else {
            self.plot.alarms.clear();
            return;
        };
        let id = &self.workspace.budgets[index].id;
        self.plot.alarms = replay
            .alarms
            .iter()
            .filter(|a| &a.budget == id)
            .filter_map(|a| {
                let i = self.plot.main_runs.iter().position(|&r| r == a.run_index)?;
                Some((self.plot.main[i][0], self.plot.main[i][1], a.confirmed))
            })
            .collect();
    }

    fn replay_settings(&mut self, settings: CheckSettings, also_current: bool) {
        let Some(s) = &mut self.sensitivity else { return };
        let workspace = Arc::clone(&self.workspace);
        let environment = self.report.environment.clone();
        let current = also_current.then(|| self.report.settings.clone());
        s.job = Some(Job::spawn("headroom-replay", Arc::clone(&self.waker), move |progress| {
            let before = current.map(|c| {
                progress(0.0, "replaying the saved settings");
                replay(&workspace, environment.clone(), &c)
            });
            progress(0.5, "replaying the settings tried");
            (before, replay(&workspace, environment, &settings))
        }));
    }

    fn take_replay(&mut self, current: Option<Replay>, tried: Replay) {
        if let Some(s) = &mut self.sensitivity {
            if current.is_some() {
                s.current = current;
            }
            let stale = tried.settings != s.settings;
            s.tried = Some(tried);
            s.job = None;
            if stale {
                let settings = s.settings.clone();
                self.replay_settings(settings, false);
            }
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
                self.sensitivity = None;
                self.plot.alarms.clear();
                self.begin_load(self.source.clone(), None);
            }
            Err(e) => self.message = Some(format!("Cannot save {}: {e}", path.display())),
        }
    }

    /// Opens, changes or closes the triage form; where it opens on a finding, the finding's triage as
    /// it is now is kept as the base its save merges from.
    fn edit_triage(&mut self, draft: Option<(String, TriageEntry)>) {
        match &draft {
            Some((key, _)) if self.triage_draft_base.as_ref().is_none_or(|(k, _)| k != key) => {
                self.triage_draft_base = Some((key.clone(), self.triage.entries.get(key).cloned().unwrap_or_default()));
            }
            Some(_) => {}
            None => self.triage_draft_base = None,
        }
        self.triage_draft = draft;
    }

    /// Saves a finding's triage: only its own record (`triage/<key>.yaml`), merged with what changed
    /// on disk since the edit began. Where someone else changed the same field meanwhile, nothing
    /// is written: the disk's triage is shown, the user's edit stays open in the form, and the
    /// message asks them to save again (to replace theirs) or cancel (to keep it).
    fn set_triage(&mut self, key: String, mut entry: TriageEntry) {
        entry.updated = Some(self.today);
        let base = match self.triage_draft_base.take() {
            Some((k, base)) if k == key => base,
            _ => self.triage.entries.get(&key).cloned().unwrap_or_default(),
        };
        let Source::Folder(root) = &self.source else {
            self.triage.entries.insert(key, entry);
            self.message = Some("Triage saved for this session only: the example workspace is read-only".to_owned());
            self.derive_findings();
            self.refresh_review();
            return;
        };
        let file = root.join(crate::model::triage::record_file(&key));
        self.message = Some(match save_triage_entry(root, &key, &base, &entry) {
            Ok(TriageSaved::Saved(merged)) => {
                let merged_note = if merged == entry { "" } else { ", merged with changes made on disk meanwhile" };
                self.triage.entries.insert(key, merged);
                format!("Triage saved in {}{merged_note}", file.display())
            }
            Ok(TriageSaved::Conflict { theirs, fields }) => {
                let what: Vec<String> = fields.iter().map(|f| format!("{}: theirs `{}`, yours `{}`", f.field, f.theirs, f.ours)).collect();
                self.triage.entries.insert(key.clone(), theirs.clone());
                self.triage_draft_base = Some((key.clone(), theirs));
                self.triage_draft = Some((key.clone(), entry));
                format!(
                    "Not saved: someone changed the triage of {key} on disk meanwhile ({}). Your edit is still open: save it again to replace theirs, or cancel to keep theirs",
                    what.join("; ")
                )
            }
            Err(e) => {
                self.triage.entries.insert(key, entry);
                format!("Cannot save the triage: {e} (it is kept until the app closes)")
            }
        });
        self.derive_findings();
        self.refresh_review();
    }

    fn reload_triage(&mut self) {
        let Source::Folder(root) = &self.source else { return };
        match read_triage(root) {
            Ok(triage) => {
                self.triage = triage;
                self.derive_findings();
                self.refresh_review();
            }
            Err(e) => self.message = Some(format!("{e} (the triage shown is unchanged)")),
        }
    }

    /// Files dropped on the window: a folder opens as the workspace; budget and history files are
    /// copied into the open workspace folder (history files into its history folder), never over
    /// a file of the same name. On the read-only example, a dropped file opens its own workspace.
    fn drop_files(&mut self, paths: &[PathBuf]) {
        if let [folder] = paths
            && folder.is_dir()
        {
            // criterion's output folder is a run to import (read once); any other folder is a workspace.
            let imported = match &self.source {
                Source::Folder(root) => Self::import_run(root, crate::import::Format::Criterion, &[folder], RunInfo::default()).ok(),
                Source::Example => None,
            };
            match imported {
                Some(done) => self.imported(done),
                None => self.apply(Command::Open(folder.clone())),
            }
            return;
        }
        let Source::Folder(root) = self.source.clone() else {
            if let Some(root) = paths.first().and_then(|p| workspace_of(p)) {
                self.apply(Command::Open(root));
            }
            return;
        };
        let mut added = Vec::new();
        let mut problems = Vec::new();
        for path in paths {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let lower = name.to_ascii_lowercase();
            // A benchmark tool's output (not Headroom's own history) is imported as a run.
            if lower.ends_with(".json")
                && let Ok(text) = std::fs::read_to_string(path)
                && crate::model::history::parse_history_any(&name, &text).is_err()
            {
                match crate::import::sniff(&text) {
                    Some(format) => match self.import_one(format, path, RunInfo::default()) {
                        Ok(line) => added.push(line),
                        Err(e) => problems.push(e),
                    },
                    None => problems.push(format!(
                        "{name} is neither Headroom history nor the output of a tool Headroom imports (hyperfine, Google Benchmark, pytest-benchmark, Bencher Metric Format)"
                    )),
                }
                continue;
            }
            let target = if [".jsonl", ".ndjson", ".json", ".csv"].iter().any(|e| lower.ends_with(e)) {
                root.join(&self.workspace.config.history).join(&name)
            } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
                root.join(&name)
            } else {
                problems.push(format!("{name} is neither a budget file (.yaml) nor a history file (.jsonl, .json, .csv)"));
                continue;
            };
            let relative = target.strip_prefix(&root).unwrap_or(&target).to_string_lossy().into_owned();
            // Checked and copied under the workspace's lock: never over a file another writer just added.
            let copied = std::fs::read(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|bytes| crate::model::store::add_file(&root, &relative, &bytes).map_err(|e| e.to_string()));
            match copied {
                Ok(_) => added.push(name),
                Err(e) if target.exists() => problems.push(format!("{} already exists ({e})", target.display())),
                Err(e) => problems.push(e),
            }
        }
        let mut message = Vec::new();
        if !added.is_empty() {
            message.push(format!("Added {} to the workspace", added.join(", ")));
            self.begin_load(self.source.clone(), None);
        }
        message.extend(problems);
        self.message = Some(message.join("; "));
    }

    /// Imports a tool's output files as one run into the history of the workspace at `root`:
    /// how many metrics, the run's id and the history file; or why nothing was imported.
    fn import_run(
        root: &Path,
        format: crate::import::Format,
        paths: &[&Path],
        info: RunInfo,
    ) -> Result<(usize, String, PathBuf), String> {
        let snapshot = crate::import::import(format, paths, info)
            .map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))?;
        let (metrics, id) = (snapshot.metrics.len(), snapshot.run.id.clone());
        let (file, _) = crate::model::store::add_runs(root, format.name(), vec![snapshot], false).map_err(|e| e.to_string())?;
        Ok((metrics, id, file))
    }

    /// Imports a dropped tool's output (the line to show, or why not).
    fn import_one(&mut self, format: crate::import::Format, path: &Path, info: RunInfo) -> Result<String, String> {
        let Source::Folder(root) = &self.source else {
            return Err("the example workspace is read-only: open a folder to import into".to_owned());
        };
        let (metrics, id, file) = Self::import_run(root, format, &[path], info)?;
        Ok(format!("{} ({}: run {id}, {metrics} metrics, in {})", path.display(), format.name(), file.display()))
    }

    fn import_draft(&mut self, d: &ImportDraft) {
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
                self.message = Some("Give at least one query, METRIC=PROMQL".to_owned());
                return;
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
            // Network I/O: off the UI thread, like loading.
            self.import_job = Some(Job::spawn("headroom-import", Arc::clone(&self.waker), move |progress| {
                progress(0.0, "querying Prometheus");
                crate::import::prometheus::fetch(&range).map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
            }));
            self.import_prompt = None;
            return;
        }
        let info = RunInfo { id: text(&d.run_id), commit: None, branch: text(&d.branch), environment: text(&d.environment), time: None };
        let paths: Vec<PathBuf> = d.paths.lines().map(str::trim).filter(|l| !l.is_empty()).map(PathBuf::from).collect();
        if paths.is_empty() {
            self.message = Some("Give the tool's output file (one per line)".to_owned());
        } else {
            self.import_files(d.format, &paths, info);
        }
    }

    fn import_files(&mut self, format: crate::import::Format, paths: &[PathBuf], info: RunInfo) {
        let Some(root) = self.writable_root("import into") else { return };
        let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        match Self::import_run(&root, format, &refs, info) {
            Ok(done) => self.imported(done),
            Err(e) => self.message = Some(format!("Nothing was imported: {e}")),
        }
    }

    /// After an import: close the window, say what landed, and reload the history.
    fn imported(&mut self, (metrics, id, file): (usize, String, PathBuf)) {
        self.import_prompt = None;
        self.message = Some(format!("Imported {metrics} metrics as run {id} into {}", file.display()));
        self.begin_load(self.source.clone(), None);
    }

    fn error_lines(&self, error: &crate::model::error::LoadError) -> ErrorView {
        let text = match &self.source {
            Source::Folder(root) => std::fs::read_to_string(root.join(&error.file)).ok(),
            Source::Example => crate::example::BUDGET_FILES
                .iter()
                .chain(std::iter::once(&crate::example::HISTORY_FILE))
                .find(|(name, _)| *name == error.file)
                .map(|(_, text)| (*text).to_owned()),
        };
        let line = error.pos.line;
        let lines = text.map_or_else(Vec::new, |text| {
            let (from, to) = if line == 0 { (1, 12) } else { (line.saturating_sub(4).max(1), line + 4) };
            text.lines()
                .enumerate()
                .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l.to_owned()))
                .filter(|(n, _)| (from..=to).contains(n))
                .collect()
        });
        ErrorView { title: error.to_string(), lines, line }
    }
}

/// One allocation in the stacked view: its name and its bars as (x, width, value).
pub type Layer = (String, Vec<(f64, f64, f64)>);

/// Allocations are stacked in at most this many bars.
pub const STACK_BARS: usize = 120;

/// The workspace a dropped file belongs to: its folder, or the folder above its `history/`.
fn workspace_of(file: &Path) -> Option<PathBuf> {
    let dir = file.parent()?;
    if dir.file_name().is_some_and(|n| n == "history") { dir.parent().map(Path::to_path_buf) } else { Some(dir.to_path_buf()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_of(state: &AppState, id: &str) -> usize {
        state.workspace.budget_index(id).unwrap()
    }

    /// A copy of the bundled workspace in a temporary folder, to write into.
    fn copy_of_bundled() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in crate::example::BUDGET_FILES.iter().chain(std::iter::once(&crate::example::HISTORY_FILE)) {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn selecting_a_budget_prepares_its_series() {
        let mut state = AppState::new(&Source::Example);
        let index = index_of(&state, "services.api_gateway");
        state.apply(Command::Select(index));
        assert_eq!(state.selected, Some(index));
        assert!(state.plot.main.len() > 100, "{}", state.plot.main.len());
        assert_eq!(state.plot.main.len(), state.plot.main_runs.len());
        assert!(!state.plot.other.is_empty());
        assert!(state.plot.x_is_time);
        let (from, to, low, high) = state.plot.baseline_band.unwrap();
        assert!(from < to && low < high);
        // Seven services' allocations, stacked.
        assert!(state.plot.stack.len() >= 5, "{}", state.plot.stack.len());
    }

    #[test]
    fn a_group_takes_the_worst_status_of_its_members() {
        let state = AppState::new(&Source::Example);
        let js = index_of(&state, "frontend.javascript");
        assert_eq!(state.status_of(js), Some(Status::Fail));
        assert_eq!(state.status_of(index_of(&state, "frontend")), Some(Status::Fail));
    }

    #[test]
    fn opening_a_missing_folder_changes_nothing_but_the_message() {
        let mut state = AppState::new(&Source::Example);
        state.apply(Command::Select(1));
        state.apply(Command::Open(PathBuf::from("/no/such/folder")));
        state.wait();
        assert_eq!(state.source, Source::Example);
        assert_eq!(state.selected, Some(1));
        assert!(state.message.as_deref().unwrap_or("").contains("/no/such/folder"));
    }

    #[test]
    fn reload_keeps_the_selection_by_id() {
        let mut state = AppState::new(&Source::Example);
        state.apply(Command::Select(3));
        let id = state.workspace.budgets[3].id.clone();
        state.apply(Command::Reload);
        state.wait();
        assert_eq!(state.selected.map(|i| state.workspace.budgets[i].id.clone()), Some(id));
    }

    #[test]
    fn the_filter_keeps_matches_and_their_parents_and_nothing_else() {
        let mut state = AppState::new(&Source::Example);
        state.apply(Command::SetFilter(TreeFilter { over_only: true, ..TreeFilter::default() }));
        let shown: Vec<&str> = (0..state.shown.len()).filter(|&i| state.shown[i]).map(|i| state.workspace.budgets[i].id.as_str()).collect();
        assert_eq!(shown, ["frontend", "frontend.javascript"]);
        state.apply(Command::SetFilter(TreeFilter { text: "LOOKUP".into(), ..TreeFilter::default() }));
        assert!(state.shown[index_of(&state, "services.auth.database_lookup")]);
        assert!(state.shown[index_of(&state, "services.auth")]);
        assert!(!state.shown[index_of(&state, "frontend")]);
    }

    #[test]
    fn sorting_by_headroom_puts_the_tightest_first() {
        let mut state = AppState::new(&Source::Example);
        state.apply(Command::SetFilter(TreeFilter { sort: SortKey::Headroom, ..TreeFilter::default() }));
        let (_, roots) = state.ordered_roots.iter().find(|(f, _)| f == "frontend.yaml").unwrap();
        let frontend = roots[0];
        assert_eq!(state.workspace.budgets[state.ordered_children[frontend][0]].id, "frontend.javascript");
    }

    #[test]
    fn a_finding_selects_its_budget_and_centres_the_plot_on_the_change() {
        let mut state = AppState::new(&Source::Example);
        let row =
            state.findings.iter().position(|r| state.finding(r).metric == "services.auth" && state.finding(r).run_id == "ci-1157").unwrap();
        state.apply(Command::SelectFinding(row));
        assert_eq!(state.selected, Some(index_of(&state, "services.auth")));
        let x = state.plot.change_points[0].0;
        let view = state.view.unwrap();
        assert!(view.x.0 < x && x < view.x.1 && (f64::midpoint(view.x.0, view.x.1) - x).abs() < 1.0, "{view:?} {x}");
        // Findings are listed most severe first.
        assert!(state.findings.windows(2).all(|w| state.finding(&w[0]).severity >= state.finding(&w[1]).severity));
    }

    #[test]
    fn triage_is_saved_in_the_workspace_and_read_back() {
        let dir = copy_of_bundled();
        let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
        let row = state.findings[0].clone();
        let entry =
            TriageEntry { state: crate::model::triage::TriageState::Investigating, owner: "maria".into(), ..TriageEntry::default() };
        state.apply(Command::SetTriage(row.key.clone(), entry));
        let text = std::fs::read_to_string(dir.path().join(crate::model::triage::record_file(&row.key))).unwrap();
        assert!(text.contains("state: investigating") && text.contains("owner: \"maria\""), "{text}");
        let again = AppState::new(&Source::Folder(dir.path().to_path_buf()));
        let same = again.findings.iter().find(|r| r.key == row.key).unwrap();
        assert_eq!(same.triage.owner, "maria");
        assert!(again.workspace.errors.is_empty(), "{:?}", again.workspace.errors);
    }

    #[test]
    fn a_triage_edit_merges_with_a_teammates_change_on_disk_and_a_clash_keeps_the_edit_open() {
        use crate::model::triage::{TriageState, record_file};
        let dir = copy_of_bundled();
        let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
        let row = state.findings[0].clone();
        let key = row.key.clone();
        let on_disk = || read_triage(dir.path()).unwrap().entries[&key].clone();
        // The user opens the finding's triage; meanwhile a teammate sets its owner (git pull, or
        // `headroom triage` in a terminal) and the watcher reloads.
        state.apply(Command::EditTriage(Some((key.clone(), row.triage.clone()))));
        let teammate = TriageEntry { owner: "tom".into(), ..row.triage.clone() };
        save_triage_entry(dir.path(), &key, &row.triage, &teammate).unwrap();
        state.apply(Command::FilesChanged(vec![record_file(&key)]));
        // The user saves a state: both changes land.
        state.apply(Command::SetTriage(key.clone(), TriageEntry { state: TriageState::Investigating, ..row.triage.clone() }));
        let merged = on_disk();
        assert_eq!((merged.state, merged.owner.as_str()), (TriageState::Investigating, "tom"));
        assert!(state.message.as_deref().unwrap_or("").contains("merged with changes made on disk"), "{:?}", state.message);
        // Both change the state: nothing is written over the teammate's, and the edit stays open.
        state.apply(Command::EditTriage(Some((key.clone(), merged.clone()))));
        save_triage_entry(dir.path(), &key, &merged, &TriageEntry { state: TriageState::Fixed, ..merged.clone() }).unwrap();
        let mine = TriageEntry { state: TriageState::Invalid, ..merged.clone() };
        state.apply(Command::SetTriage(key.clone(), mine.clone()));
        assert_eq!(on_disk().state, TriageState::Fixed);
        let message = state.message.clone().unwrap_or_default();
        assert!(message.contains("Not saved") && message.contains("state: theirs `fixed`, yours `invalid / false alarm`"), "{message}");
        assert_eq!(state.triage_draft.as_ref().map(|(_, e)| e.state), Some(TriageState::Invalid));
        assert_eq!(state.triage.entries[&key].state, TriageState::Fixed, "the app shows what the disk has");
        // Saving again, having seen theirs, replaces it.
        state.apply(Command::SetTriage(key.clone(), mine));
        assert_eq!(on_disk().state, TriageState::Invalid);
    }

    #[test]
    fn another_environment_is_checked_and_analysed_in_the_background() {
        let mut state = AppState::new(&Source::Example);
        let others: Vec<String> = state.environments.clone().into_iter().filter(|e| Some(e) != state.report.environment.as_ref()).collect();
        let Some(other) = others.first().cloned() else { return };
        state.apply(Command::SetEnvironment(Some(other.clone())));
        assert!(state.loading().is_some());
        state.wait();
        assert_eq!(state.report.environment, Some(other));
    }

    #[test]
    fn tried_settings_are_replayed_and_saved_to_headroom_yaml() {
        let dir = copy_of_bundled();
        let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
        state.apply(Command::ShowSensitivity);
        state.wait();
        let saved = state.sensitivity.as_ref().unwrap().current.as_ref().unwrap().alarms.len();
        let mut loose = CheckSettings { regression_threshold: 0.03, significance: 0.2, ..state.report.settings.clone() };
        // One budget keeps a strict gate of its own.
        loose.budgets.insert(
            "services.auth".into(),
            crate::model::workspace::BudgetCheck { regression_threshold: Some(0.1), significance: Some(0.001), ..Default::default() },
        );
        state.apply(Command::TrySettings(loose.clone()));
        state.wait();
        let tried = state.sensitivity.as_ref().unwrap().tried.as_ref().unwrap().alarms.len();
        assert!(tried > saved * 3, "{tried} vs {saved}");
        state.apply(Command::SaveSettings);
        state.wait();
        assert_eq!(state.report.settings, loose);
        let text = std::fs::read_to_string(dir.path().join(CONFIG_FILE)).unwrap();
        assert!(
            text.contains("regression_threshold: 3%") && text.contains("\"services.auth\":\n      regression_threshold: 10%"),
            "{text}"
        );
        assert!((state.report.settings.for_budget("services.auth").regression_threshold - 0.1).abs() < 1e-12);
    }

    #[test]
    fn a_dropped_history_file_is_copied_into_the_workspace_and_never_over_another() {
        let dir = copy_of_bundled();
        let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
        let runs = state.workspace.history.runs.len();
        let outside = tempfile::tempdir().unwrap();
        let file = outside.path().join("nightly.jsonl");
        std::fs::write(&file, "{\"id\":\"n-1\",\"timestamp\":\"2026-11-24T00:00:00Z\",\"environment\":\"ci\",\"branch\":\"main\",\"metrics\":{\"frontend.css\":40}}\n").unwrap();
        state.apply(Command::DropFiles(vec![file.clone()]));
        state.wait();
        assert!(dir.path().join("history/nightly.jsonl").exists());
        assert_eq!(state.workspace.history.runs.len(), runs + 1);
        state.apply(Command::DropFiles(vec![file]));
        assert!(state.message.as_deref().unwrap_or("").contains("already exists"));
    }

    #[test]
    fn a_dropped_criterion_folder_is_imported_and_another_folder_opened() {
        let dir = copy_of_bundled();
        let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
        let runs = state.workspace.history.runs.len();
        let criterion = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion");
        state.apply(Command::DropFiles(vec![criterion]));
        state.wait();
        assert!(dir.path().join("history/criterion").read_dir().unwrap().count() == 1, "one import, one file of its own");
        assert_eq!(state.workspace.history.runs.len(), runs + 1);
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join("caps.yaml"), "search:\n  max_latency_ms: 80\n").unwrap();
        state.apply(Command::DropFiles(vec![other.path().to_path_buf()]));
        state.wait();
        assert_eq!(state.source, Source::Folder(other.path().to_path_buf()));
    }

    #[test]
    fn an_error_shows_the_lines_around_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("caps.yaml"), "search:\n  max_latency_ms: 80\nbad:\n  max_latency_ms: fast\n").unwrap();
        let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
        assert_eq!(state.workspace.errors.len(), 1);
        state.apply(Command::ShowError(0));
        let view = state.error_view.clone().unwrap();
        assert_eq!(view.line, 4);
        assert!(view.lines.iter().any(|(n, text)| *n == 4 && text.contains("fast")));
    }

    #[test]
    fn review_mode_walks_the_agenda_and_selects_each_budget() {
        let mut state = AppState::new(&Source::Example);
        state.apply(Command::EnterReview);
        let review = state.review.clone().unwrap();
        assert!(review.agenda.items.len() >= 3);
        assert_eq!(state.selected, review.agenda.items[0].budget);
        state.apply(Command::ReviewStep(1));
        assert_eq!(state.review.as_ref().unwrap().index, 1);
        assert_eq!(state.selected, review.agenda.items[1].budget);
        state.apply(Command::ReviewStep(-5));
        assert_eq!(state.review.as_ref().unwrap().index, 0);
        state.apply(Command::LeaveReview);
        assert!(state.review.is_none());
    }

    #[test]
    fn a_proposal_waiting_for_sign_off_is_on_the_review_agenda() {
        let dir = copy_of_bundled();
        let files = crate::model::workspace::contract_files(dir.path()).unwrap();
        let proposal = crate::approval::proposal::Proposal {
            id: "raise-auth".into(),
            title: "Raise auth to 32 ms".into(),
            author: "maria@example.com".into(),
            base: crate::approval::files_hash(&files),
            changes: vec![crate::approval::proposal::Change {
                budget: "services.auth".into(),
                field: "limit".into(),
                old: 30.0,
                new: 32.0,
            }],
            rationale: "TLS upgrade".into(),
            ..Default::default()
        };
        std::fs::create_dir_all(dir.path().join("proposals")).unwrap();
        std::fs::write(dir.path().join("proposals/raise-auth.yaml"), proposal.to_yaml()).unwrap();
        let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
        assert_eq!(state.proposals.len(), 1);
        state.apply(Command::EnterReview);
        let agenda = &state.review.as_ref().unwrap().agenda;
        let item = agenda.section(crate::report::review::Section::Proposals).next().unwrap();
        assert_eq!(item.title, "Proposal raise-auth: Raise auth to 32 ms (loosen, by maria@example.com)");
        assert!(item.lines.contains(&"services.auth: 30 ms to 32 ms".to_owned()), "{:?}", item.lines);
        assert!(item.lines.iter().any(|l| l.contains("nobody may sign")), "no signers file in this copy: {:?}", item.lines);
    }

    #[test]
    fn the_review_export_writes_markdown_html_and_real_png_plots() {
        let state = AppState::new(&Source::Example);
        let out = tempfile::tempdir().unwrap();
        let agenda = state.agenda();
        let files = super::super::export::export_review(&state, &agenda, out.path()).unwrap();
        assert!(files >= 4, "{files}");
        let md = std::fs::read_to_string(out.path().join("review.md")).unwrap();
        let first_png = md.lines().find_map(|l| l.split_once("](").map(|(_, rest)| rest.trim_end_matches(')').to_owned())).unwrap();
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(out.path().join(&first_png)).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!([info.width, info.height], super::super::export::PLOT_SIZE);
        // Not blank: the limit line (the light theme's ink, across the plot) and the series (blue).
        let width = info.width as usize;
        let ink_row = pixels.chunks(4 * width).map(|row| row.chunks(4).filter(|p| p[0] < 60 && p[1] < 60 && p[2] < 60).count()).max();
        let blue = pixels.chunks(4).filter(|p| p[2] > 180 && p[0] < 120).count();
        assert!(ink_row.unwrap_or(0) > width / 2 && blue > 200, "ink row {ink_row:?}, blue {blue}");
        assert!(std::fs::read_to_string(out.path().join("review.html")).unwrap().contains(&format!("src=\"{first_png}\"")));
    }
}
