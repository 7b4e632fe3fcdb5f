//! The plot area: the selected budget's series prepared once when it is selected (here, or on the
//! `headroom-plot` thread where it is long), how it is shown (range, stacked, overlays) and the
//! requests that move its view.

use crate::engine::analyze::{Analysis, Severity};
use crate::engine::check::BudgetResult;
use crate::engine::replay::Replay;
use crate::gui::jobs::{Job, Waker};
use crate::model::workspace::Workspace;
use std::sync::Arc;

/// Something the user asked of the plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PlotCommand {
    /// Show another part of the history.
    SetRange(TimeRange),
    /// Show a budget's allocations stacked against it, or its own history.
    SetStacked(bool),
    /// Scale the value axis to take in the budget's lines wherever they are, or fit it to the data.
    SetScaleToLimit(bool),
    /// Draw another budget's metric (its index) over the selected budget's plot, or stop drawing it.
    ToggleOverlay(usize),
}

/// The selected budget's plot and how it is shown.
#[derive(Default)]
pub struct PlotView {
    /// The selected budget's series.
    pub data: PlotData,
    /// Whether the plot shows the allocations stacked.
    pub stacked: bool,
    /// Whether the value axis takes in the budget's lines wherever they are (otherwise it fits
    /// the data and names a line far from it at its edge).
    pub scale_to_limit: bool,
    /// The budgets (by id, so a reload keeps them) whose metrics are drawn over the selected one's.
    pub overlays: Vec<String>,
    /// The range of history shown.
    pub range: TimeRange,
    /// A request to move the plot's view.
    pub view: Option<ViewRequest>,
    job: Option<Job<PlotData>>,
    /// The view is to be fitted to the range once the plot being prepared arrives.
    fit_pending: bool,
}

impl PlotView {
    /// Whether the selected budget's plot is being prepared in the background.
    #[must_use]
    pub fn preparing(&self) -> bool {
        self.job.is_some()
    }

    /// Makes the plot of the selected budget (its index and what it is made from): here, or on
    /// the `headroom-plot` thread where it is long (the plot is then empty until [`PlotView::poll`]
    /// takes it; with `keep_shown`, the plot shown stays until then: the same budget's, made again
    /// with the change points that came in). Returns whether the plot is ready now.
    pub(super) fn derive(&mut self, selected: Option<(usize, PlotSource)>, waker: &Waker, keep_shown: bool) -> bool {
        self.job = None;
        self.fit_pending = false;
        let Some((index, source)) = selected else {
            self.data = PlotData::default();
            return false;
        };
        if source.is_long(index) {
            if !keep_shown {
                self.data = PlotData::default();
            }
            self.job = Some(Job::spawn("headroom-plot", Arc::clone(waker), move |_| source.plot(index)));
            false
        } else {
            self.data = source.plot(index);
            true
        }
    }

    /// Takes a plot made in the background; whether one arrived.
    pub(super) fn poll(&mut self) -> bool {
        let Some(plot) = self.job.as_ref().and_then(Job::poll) else { return false };
        self.job = None;
        self.arrived(plot);
        true
    }

    /// Waits for a plot being made in the background; whether one arrived.
    pub(super) fn wait(&mut self) -> bool {
        let Some(plot) = self.job.take().and_then(|job| job.wait()) else { return false };
        self.arrived(plot);
        true
    }

    fn arrived(&mut self, plot: PlotData) {
        self.data = plot;
        if std::mem::take(&mut self.fit_pending) {
            self.request_range();
        }
    }

    /// Shows another budget's plot at the chosen range, whatever the last one was panned or
    /// zoomed to (egui_plot keeps one view per plot: a budget in KB panned, then one in % read
    /// an empty plot on the KB axis), now or when the plot being prepared arrives.
    pub(super) fn fit_to_range(&mut self) {
        if self.job.is_some() {
            self.fit_pending = true;
        } else {
            self.request_range();
        }
    }

    /// Marks the alarms of the settings tried (a replay) on budget `id`'s plot; none without a replay.
    pub(super) fn mark_alarms(&mut self, id: &str, replay: Option<&Replay>) {
        let Some(replay) = replay else {
            self.data.alarms.clear();
            return;
        };
        let plot = &self.data;
        let alarms = replay
            .alarms
            .iter()
            .filter(|a| a.budget == id)
            .filter_map(|a| {
                let i = plot.main_runs.iter().position(|&r| r == a.run_index)?;
                Some((plot.main[i][0], plot.main[i][1], a.confirmed))
            })
            .collect();
        self.data.alarms = alarms;
    }

    /// Moves the view to centre on a run of the history, keeping the range's width.
    pub(super) fn centre_on_run(&mut self, run: usize) {
        let plot = &self.data;
        let Some(x) = plot.main_runs.iter().position(|&r| r == run).map(|i| plot.main[i][0]) else { return };
        let (first, last) = (plot.main.first().map_or(0.0, |p| p[0]), plot.main.last().map_or(0.0, |p| p[0]));
        let half = match self.range {
            TimeRange::Last(days) => self.span_of(days) / 2.0,
            TimeRange::All => (last - first) / 4.0,
        };
        self.push_view((x - half, x + half));
    }

    fn span_of(&self, days: u32) -> f64 {
        if self.data.x_is_time { f64::from(days) * 86_400.0 } else { f64::from(days) }
    }

    /// Moves the view to the range chosen.
    pub(super) fn request_range(&mut self) {
        let plot = &self.data;
        let (first, last) = match (plot.main.first(), plot.main.last()) {
            (Some(a), Some(b)) => (a[0], b[0]),
            _ => return,
        };
        let last = plot.other.last().map_or(last, |p| p[0].max(last));
        let (from, to) = match self.range {
            TimeRange::All => (first, last),
            TimeRange::Last(days) => (last - self.span_of(days), last),
        };
        // A margin each side, as egui_plot's own fit has: the newest run off the frame's edge.
        let margin = 0.02 * (to - from);
        self.push_view((from - margin, to + margin));
    }

    fn push_view(&mut self, x: (f64, f64)) {
        let generation = self.view.map_or(1, |v| v.generation + 1);
        self.view = Some(ViewRequest { x, generation });
    }
}

/// One allocation in the stacked view: its name and its bars as (x, width, value).
pub type Layer = (String, Vec<(f64, f64, f64)>);

/// Allocations are stacked in at most this many bars.
pub const STACK_BARS: usize = 120;

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
    /// The engine's change points of `main`: (x, severity, words, whether a regression that a
    /// later change point reverted).
    pub change_points: Vec<(f64, Severity, String, bool)>,
    /// The engine's changes of the noise of `main` (its spread, not its level).
    pub noise_changes: Vec<NoiseMark>,
    /// The engine's level of each segment of `main` (its trend where it drifts), as one line.
    pub levels: Vec<[f64; 2]>,
    /// The band the gate lets pass: (x from, x to, low, high), where there is a baseline.
    pub baseline_band: Option<(f64, f64, f64, f64)>,
    /// Where the regression the gate holds open began (x, and its run's id), where there is one:
    /// a step a few runs old has no change point of the engine's yet, and the plot marked nothing.
    pub open_since: Option<(f64, String)>,
    /// Allocations stacked: (name, bars as (x, width, value)), in the parent's unit.
    pub stack: Vec<Layer>,
    /// Alarms of the tried settings on this metric: (x, value, confirmed).
    pub alarms: Vec<(f64, f64, bool)>,
    /// Other budgets' metrics drawn over this one, in its unit.
    pub overlays: Vec<Overlay>,
}

/// A change of the noise on the plot: a dashed line where the new noise begins, labelled with how
/// much it scaled the noise, and what the metric view says of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NoiseMark {
    /// The x of the first run of the new noise.
    pub x: f64,
    /// That run's position in the history.
    pub run_index: usize,
    /// The label at its line: `noise ×2.6`.
    pub label: String,
    /// In words: `noise rose from σ 2.03 ms to 5.29 ms (×2.6) at run `206`, confidence >99.99%`.
    pub words: String,
    /// What it means for the gate (it is not a regression).
    pub meaning: &'static str,
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

/// What a plot is made from: the workspace and its analysis (shared), the checked environment,
/// the baseline branch, the plotted budget's result and the overlays chosen.
pub(super) struct PlotSource {
    pub(super) workspace: Arc<Workspace>,
    pub(super) analysis: Arc<Analysis>,
    pub(super) reversals: Arc<crate::engine::reversal::Reversals>,
    pub(super) environment: Option<String>,
    pub(super) baseline_branch: String,
    pub(super) result: Option<BudgetResult>,
    pub(super) overlays: Vec<String>,
}

impl PlotSource {
    /// Whether the plot's x is a time (every run has one), else the run's number.
    fn x_is_time(&self) -> bool {
        self.workspace.history.runs.iter().all(|r| r.timestamp.is_some())
    }

    /// The x of a run on the plot.
    fn x_of(&self, run: usize, x_is_time: bool) -> f64 {
        match self.workspace.history.runs.timestamp(run) {
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
        for point in series.points() {
            let run_index = point.run as usize;
            let (branch, environment) = history.runs.branch_and_environment(run_index);
            if environment != self.environment.as_deref() {
                continue;
            }
            let Some(value) = point.statistic(budget.statistic) else { continue };
            let xy = [self.x_of(run_index, x_is_time), value * to_unit];
            if branch == Some(self.baseline_branch.as_str()) || branch.is_none() {
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
    pub(super) fn plot(&self, index: usize) -> PlotData {
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
            for (i, f) in self.analysis.findings.iter().enumerate().filter(|(_, f)| f.metric == m.metric) {
                let mut words = crate::report::analysis::change_words(f, unit);
                let reversal = self.reversals.of(i);
                if let Some(r) = reversal {
                    words = format!("{words}; {}", crate::report::analysis::reversal_words(f, r, unit));
                }
                plot.change_points.push((x_of(f.run_index), f.severity, words, reversal.is_some_and(|r| r.reverted)));
            }
            for f in self.analysis.noise_findings.iter().filter(|f| f.metric == m.metric) {
                plot.noise_changes.push(NoiseMark {
                    x: x_of(f.run_index),
                    run_index: f.run_index,
                    label: format!("noise {}", crate::report::analysis::noise_ratio_words(f)),
                    words: crate::report::analysis::noise_words(f, unit),
                    meaning: crate::report::analysis::noise_meaning(f),
                });
            }
            for s in &m.segmentation.segments {
                if let (Some(&a), Some(&b)) = (m.series.runs.get(s.start), m.series.runs.get(s.end.saturating_sub(1))) {
                    let (first, last) = crate::engine::analyze::segment_line(&m.series.values, s);
                    plot.levels.push([x_of(a), first]);
                    plot.levels.push([x_of(b), last]);
                }
            }
        }
        plot.open_since = self.result.as_ref().and_then(|r| r.open_regression.as_ref()).and_then(|open| {
            let run = self.workspace.history.runs.iter().position(|run| run.id == open.since_run)?;
            Some((x_of(run), open.since_run.clone()))
        });
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
        let runs =
            |i: usize| self.workspace.history.series.get(&self.workspace.budgets[i].metric).map_or(0, crate::model::columnar::Series::len);
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
