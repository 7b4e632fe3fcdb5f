//! Offline analysis of a whole history: every metric's change points, noise floor and trend,
//! with severity and root-cause hints. `headroom analyze`, the app and `headroom replay` use it.

use super::changepoint::{self, ChangePoint, DetectorSettings, Segmentation};
use super::stats;
use crate::model::budget::Budget;
use crate::model::columnar::{PointRef, Series};
use crate::model::history::{History, RunRef};
use crate::model::time::Timestamp;
use crate::model::units::{Dimension, Direction, Unit};
use crate::model::workspace::Workspace;

/// Which way a change went, by the metric's own "better" direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Worse than before.
    Regression,
    /// Better than before.
    Improvement,
}

impl Verdict {
    /// Which way a change of level from `before` to `after` went, for a metric with `direction`.
    #[must_use]
    pub fn of(direction: Direction, before: f64, after: f64) -> Verdict {
        let worse = match direction {
            Direction::LowerIsBetter => after > before,
            Direction::HigherIsBetter => after < before,
        };
        if worse { Verdict::Regression } else { Verdict::Improvement }
    }

    /// The word used in every output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Regression => "regression",
            Verdict::Improvement => "improvement",
        }
    }
}

/// How much a change matters. Ordered: `Critical` is the worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// An improvement.
    Info,
    /// A regression under 5 % that leaves most of the headroom.
    Low,
    /// A regression of 5 % or more (the reference budget document's threshold).
    Medium,
    /// A regression of 20 % or more, past the warning level, or that uses half the headroom left.
    High,
    /// A regression that crosses the budget.
    Critical,
}

impl Severity {
    /// The word used in every output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The severity of a change from `before` to `after`: from its magnitude and, where there is a
    /// budget, from how much of the headroom it uses. Crossing the limit is the top severity.
    #[must_use]
    pub fn of(verdict: Verdict, direction: Direction, before: f64, after: f64, limit: Option<f64>, warning: Option<f64>) -> Severity {
        if verdict == Verdict::Improvement {
            return Severity::Info;
        }
        if let Some(limit) = limit {
            if direction.exceeds(after, limit) {
                return Severity::Critical;
            }
            let headroom_before = (limit - before).abs();
            let used = (after - before).abs();
            if warning.is_some_and(|w| direction.exceeds(after, w)) || (headroom_before > 0.0 && used >= 0.5 * headroom_before) {
                return Severity::High;
            }
        }
        match direction.relative_worsening(after, before) {
            Some(r) if r >= 0.20 => Severity::High,
            Some(r) if r >= 0.05 => Severity::Medium,
            Some(_) => Severity::Low,
            None => Severity::Medium,
        }
    }
}

/// Which runs of the history make a metric's series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunFilter {
    /// Only runs of this environment (`None`: all runs).
    pub environment: Option<String>,
    /// Only runs of this branch, and runs with no branch (`None`: all runs).
    pub branch: Option<String>,
}

impl RunFilter {
    /// Whether `run` is in.
    #[must_use]
    pub fn includes(&self, run: RunRef<'_>) -> bool {
        self.includes_run((run.branch, run.environment))
    }

    /// Whether a run of `(branch, environment)` is in (what [`RunFilter::includes`] looks at).
    #[must_use]
    pub fn includes_run(&self, (branch, environment): (Option<&str>, Option<&str>)) -> bool {
        self.environment.as_deref().is_none_or(|e| environment == Some(e))
            && self.branch.as_deref().is_none_or(|b| branch.is_none_or(|rb| rb == b))
    }
}

/// One metric's values in run order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricValues {
    /// Positions of the runs in the history.
    pub runs: Vec<usize>,
    /// The values, in the budget's unit where there is a budget.
    pub values: Vec<f64>,
}

/// The factor from the series' unit into the budget's (1 without a budget or a unit); `None` where
/// they do not convert.
fn unit_factor(series: &Series, budget: Option<&Budget>) -> Option<f64> {
    match (budget, &series.unit) {
        (Some(b), Some(unit)) => unit.convert(1.0, &b.unit),
        _ => Some(1.0),
    }
}

/// A point's value as a budget reads it (its statistic), or without one its value or its samples'
/// median; `None` where it has none that is finite.
fn point_value(point: PointRef<'_>, budget: Option<&Budget>) -> Option<f64> {
    let value = match budget {
        Some(b) => point.statistic(b.statistic),
        None => point.value.or_else(|| point.samples.and_then(stats::median)),
    };
    value.filter(|v| v.is_finite())
}

/// The newest `count` values of `metric` over the runs `filter` includes, up to and with run
/// `through_run`: [`metric_values`]'s tail, read backwards so that a long history costs no more
/// than the tail.
fn metric_tail(
    history: &History,
    metric: &str,
    filter: &RunFilter,
    budget: Option<&Budget>,
    through_run: usize,
    count: usize,
) -> Option<MetricValues> {
    let series = history.series.get(metric)?;
    let factor = unit_factor(series, budget)?;
    let before = series.points_before(u32::try_from(through_run).unwrap_or(u32::MAX).saturating_add(1));
    let mut out = MetricValues { runs: Vec::with_capacity(count), values: Vec::with_capacity(count) };
    for point in series.points().take(before).rev() {
        if out.values.len() == count {
            break;
        }
        let run = point.run as usize;
        if !filter.includes_run(history.runs.branch_and_environment(run)) {
            continue;
        }
        if let Some(v) = point_value(point, budget) {
            out.runs.push(run);
            out.values.push(v * factor);
        }
    }
    out.runs.reverse();
    out.values.reverse();
    Some(out)
}

/// The values of `metric` over the runs `filter` includes, in `unit` where given
/// (with the budget's statistic where given). `None` where the history's unit does not convert.
#[must_use]
pub fn metric_values(history: &History, metric: &str, filter: &RunFilter, budget: Option<&Budget>) -> Option<MetricValues> {
    let series = history.series.get(metric)?;
    let factor = unit_factor(series, budget)?;
    let everything = filter.environment.is_none() && filter.branch.is_none();
    // Every point is in where nothing is filtered: room for all, made once.
    let room = if everything { series.len() } else { 0 };
    let mut out = MetricValues { runs: Vec::with_capacity(room), values: Vec::with_capacity(room) };
    for point in series.points() {
        let run = point.run as usize;
        if !everything && !filter.includes_run(history.runs.branch_and_environment(run)) {
            continue;
        }
        if let Some(v) = point_value(point, budget) {
            out.runs.push(run);
            out.values.push(v * factor);
        }
    }
    Some(out)
}

/// The direction of a metric with no budget: higher is better for rates (throughput, frame
/// rates), lower for everything else (durations, sizes, counts).
#[must_use]
pub fn default_direction(unit: Option<&Unit>) -> Direction {
    match unit.map(Unit::dimension) {
        Some(Dimension::Rate) => Direction::HigherIsBetter,
        _ => Direction::LowerIsBetter,
    }
}

/// A drift of a metric's current level.
#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    /// Change per run (Theil–Sen slope over the current segment's recent runs).
    pub per_run: f64,
    /// Change per day, where the runs have times.
    pub per_day: Option<f64>,
    /// Mann–Kendall two-sided p-value of "no trend".
    pub p_value: f64,
    /// Whether it drifts the worse way with p < 0.01.
    pub worsening: bool,
    /// How many more runs until the level crosses the limit, where it is drifting towards it.
    pub runs_to_limit: Option<f64>,
    /// When it will cross, extrapolated from the runs' spacing.
    pub date_at_limit: Option<Timestamp>,
    /// Whether the trend's level at the newest run is already past the limit: no crossing to
    /// come, the metric is over now.
    pub over_limit: bool,
}

/// Where a drift takes a metric relative to its limit: the one forecast that `check`, `analyze`,
/// the report and the app all show ([`forecast`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Forecast {
    /// The trend's level at the newest run is past the limit already.
    Over,
    /// The trend reaches the limit in this many more runs (at this date, where runs have times).
    Reaches {
        /// Runs from the newest.
        runs: f64,
        /// The extrapolated date.
        date: Option<Timestamp>,
    },
}

impl Trend {
    /// This trend's forecast, where it drifts the worse way and a limit is known.
    #[must_use]
    pub fn forecast(&self) -> Option<Forecast> {
        if !self.worsening {
            return None;
        }
        if self.over_limit {
            return Some(Forecast::Over);
        }
        self.runs_to_limit.map(|runs| Forecast::Reaches { runs, date: self.date_at_limit })
    }
}

/// The forecast of a drift of `per_run` from `level` (the trend's fitted level at the newest run,
/// at time `newest`, runs `spacing_ms` apart) towards `limit`: over already where `level` is past
/// it, else the runs (and date) until the line crosses it; `None` where it never does. A date
/// past the year 9999 is none: the runs are still told.
#[must_use]
pub fn forecast(
    level: f64,
    per_run: f64,
    limit: f64,
    direction: Direction,
    spacing_ms: Option<f64>,
    newest: Option<i64>,
) -> Option<Forecast> {
    if direction.exceeds(level, limit) {
        return Some(Forecast::Over);
    }
    let runs = (limit - level) / per_run;
    (runs.is_finite() && runs >= 0.0).then(|| Forecast::Reaches {
        runs,
        date: spacing_ms.zip(newest).and_then(|(spacing, newest)| {
            let offset = runs * spacing;
            (offset < LATEST_FORECAST_MS.saturating_sub(newest) as f64).then(|| Timestamp(newest + offset as i64))
        }),
    })
}

/// The last moment a forecast dates: 9999-12-31T23:59:59.999Z, in milliseconds since 1970. A
/// drift that slow reaches its limit in runs, not on a date (a date further on overflowed, and
/// a limit of 1e300 ms was forecast for the year −292274999).
const LATEST_FORECAST_MS: i64 = 253_402_300_799_999;

/// Runs of the newest segment over which the trend is measured (Theil–Sen and Mann–Kendall are O(n²)).
pub const TREND_RUNS: usize = 120;
/// The newest runs a forecast reads: their newest segment (found among them alone) is the
/// trend's, at most [`TREND_RUNS`] of it. `check` and `analyze` both read this window, so they
/// give one forecast, and the gate's cost does not grow with the history.
pub const TREND_WINDOW: usize = TREND_RUNS;
/// The p-value below which a drift counts.
pub const TREND_SIGNIFICANCE: f64 = 0.01;

/// The line a plot draws through one segment of `values`: the values at its first and last
/// position. Where Mann–Kendall finds a drift (p < [`TREND_SIGNIFICANCE`]) it is the robust
/// (long-lag Theil–Sen) line, so a drift is drawn as the trend it is; else the segment's level, flat. Both methods are
/// O(n²): a long segment is read at [`TREND_RUNS`] evenly spaced positions.
#[must_use]
pub fn segment_line(values: &[f64], segment: &changepoint::Segment) -> (f64, f64) {
    let flat = (segment.level, segment.level);
    let Some(part) = values.get(segment.start..segment.end.min(values.len())) else { return flat };
    if part.len() < 4 {
        return flat;
    }
    let step = part.len().div_ceil(TREND_RUNS).max(1);
    let x: Vec<f64> = (0..part.len()).step_by(step).map(|i| i as f64).collect();
    let y: Vec<f64> = x.iter().map(|&i| part[i as usize]).collect();
    let drifting = stats::mann_kendall_p_value(&y).is_some_and(|p| p < TREND_SIGNIFICANCE);
    // The samples are `step` runs apart: the slope per sample over `step` is the slope per run.
    let Some(slope) = stats::long_lag_slope(&y).map(|s| s / step as f64).filter(|_| drifting) else { return flat };
    let Some(intercept) = stats::median(&x.iter().zip(&y).map(|(x, y)| y - slope * x).collect::<Vec<_>>()) else { return flat };
    (intercept, intercept + slope * (part.len() - 1) as f64)
}

/// The trend of the newest segment of `values` (positions `runs` in the history).
#[must_use]
pub fn trend(
    history: &History,
    series: &MetricValues,
    segmentation: &Segmentation,
    direction: Direction,
    limit: Option<f64>,
) -> Option<Trend> {
    let last = segmentation.segments.last()?;
    let start = last.start.max(last.end.saturating_sub(TREND_RUNS));
    let values = &series.values[start..last.end];
    if values.len() < 8 {
        return None;
    }
    let x: Vec<f64> = (0..values.len()).map(|i| i as f64).collect();
    let per_run = stats::long_lag_slope(values)?;
    let p_value = stats::mann_kendall_p_value(values)?;
    let worse_way = match direction {
        Direction::LowerIsBetter => per_run > 0.0,
        Direction::HigherIsBetter => per_run < 0.0,
    };
    let worsening = worse_way && p_value < TREND_SIGNIFICANCE;
    let times: Vec<i64> = series.runs[start..last.end].iter().filter_map(|&r| history.runs.timestamp(r).map(|t| t.0)).collect();
    let day_ms = 86_400_000.0;
    let spacing_ms = if times.len() == values.len() && times.len() >= 2 {
        let span = (times[times.len() - 1] - times[0]) as f64;
        (span > 0.0).then(|| span / (times.len() - 1) as f64)
    } else {
        None
    };
    let per_day = spacing_ms.map(|s| per_run * day_ms / s);
    let (mut runs_to_limit, mut date_at_limit, mut over_limit) = (None, None, false);
    if let (true, Some(limit)) = (worsening, limit) {
        // The fitted level at the newest run: the median of y − slope·x, plus slope·x_last.
        let intercept = stats::median(&values.iter().zip(&x).map(|(y, x)| y - per_run * x).collect::<Vec<_>>())?;
        let level = intercept + per_run * x[x.len() - 1];
        match forecast(level, per_run, limit, direction, spacing_ms, times.last().copied()) {
            Some(Forecast::Over) => over_limit = true,
            Some(Forecast::Reaches { runs, date }) => (runs_to_limit, date_at_limit) = (Some(runs), date),
            None => {}
        }
    }
    Some(Trend { per_run, per_day, p_value, worsening, runs_to_limit, date_at_limit, over_limit })
}

/// The trend (and forecast) of `budget`'s metric over the runs `filter` includes up to and with
/// the run at position `newest_run`: the series and segmentation [`analyze`] reads, so that the
/// gate's forecast for a run is the one `headroom analyze` gives with that run as the newest.
#[must_use]
pub fn budget_trend(history: &History, budget: &Budget, filter: &RunFilter, newest_run: usize, limit: Option<f64>) -> Option<Trend> {
    let values = metric_tail(history, &budget.metric, filter, Some(budget), newest_run, TREND_WINDOW)?;
    window_trend(history, &values, &DetectorSettings::default(), budget.direction, limit)
}

/// The trend of the newest [`TREND_WINDOW`] runs of `values`: the newest segment of their own
/// segmentation, at most [`TREND_RUNS`] of it.
fn window_trend(
    history: &History,
    values: &MetricValues,
    settings: &DetectorSettings,
    direction: Direction,
    limit: Option<f64>,
) -> Option<Trend> {
    let from = values.values.len().saturating_sub(TREND_WINDOW);
    let copied;
    let window = if from == 0 {
        values
    } else {
        copied = MetricValues { runs: values.runs[from..].to_vec(), values: values.values[from..].to_vec() };
        &copied
    };
    // Changes of noise do not move the levels: the trend's search skips them.
    let segmentation = changepoint::detect(&window.values, &DetectorSettings { variances: false, ..settings.clone() });
    trend(history, window, &segmentation, direction, limit)
}

/// A sub-allocation's part in its parent's shift.
#[derive(Clone, Debug, PartialEq)]
pub struct AllocationMove {
    /// The child budget's id.
    pub id: String,
    /// Its change of level across the parent's change point, in its unit.
    pub change: f64,
    /// That change as a fraction of the parent's change.
    pub share: f64,
}

/// A change point of a metric, with what it means.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeFinding {
    /// The metric.
    pub metric: String,
    /// The budget limiting it, where there is one.
    pub budget: Option<String>,
    /// Position in the history's runs of the first run of the new level.
    pub run_index: usize,
    /// That run's id.
    pub run_id: String,
    /// Regression or improvement.
    pub verdict: Verdict,
    /// Level before and after (medians of the segments).
    pub before: f64,
    /// Level after.
    pub after: f64,
    /// `after − before`.
    pub absolute_change: f64,
    /// `(after − before) / |before|`.
    pub relative_change: Option<f64>,
    /// The change in units of the metric's noise.
    pub shift_in_noise: f64,
    /// Two-sided p-value (Welch's t-test between the segments), adjusted for the number of
    /// change points over all metrics (Benjamini–Hochberg).
    pub p_value: f64,
    /// How much it matters.
    pub severity: Severity,
    /// The last run of the old level.
    pub last_good_run: Option<String>,
    /// Commits between the last good and the first bad run: `(last good, first bad)`.
    pub commit_range: (Option<String>, Option<String>),
    /// Other metrics with a change point within [`RELATED_RUNS`] runs.
    pub related: Vec<String>,
    /// Sub-allocations of the budget and how much of the shift each carries.
    pub allocations: Vec<AllocationMove>,
}

impl ChangeFinding {
    /// 1 − p.
    #[must_use]
    pub fn confidence(&self) -> f64 {
        1.0 - self.p_value
    }
}

/// A change of a metric's noise (its spread, not its level).
#[derive(Clone, Debug, PartialEq)]
pub struct NoiseFinding {
    /// The metric.
    pub metric: String,
    /// Position in the history's runs of the first run of the new noise.
    pub run_index: usize,
    /// That run's id.
    pub run_id: String,
    /// The noise σ before, in the metric's unit.
    pub before: f64,
    /// The noise σ after.
    pub after: f64,
    /// Two-sided p-value of equal spread, adjusted for the number of changes of noise over all
    /// metrics (Benjamini–Hochberg, a family of its own beside the change points').
    pub p_value: f64,
}

impl NoiseFinding {
    /// 1 − p.
    #[must_use]
    pub fn confidence(&self) -> f64 {
        1.0 - self.p_value
    }

    /// Whether the noise rose.
    #[must_use]
    pub fn rose(&self) -> bool {
        self.after > self.before
    }

    /// `after / before`: above 1 where the noise rose.
    #[must_use]
    pub fn ratio(&self) -> f64 {
        self.after / self.before
    }
}

/// Metrics whose change points are at most this many runs apart are reported as related.
pub const RELATED_RUNS: usize = 2;

/// One metric's analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricAnalysis {
    /// The metric.
    pub metric: String,
    /// Its unit.
    pub unit: Option<Unit>,
    /// Which way is better.
    pub direction: Direction,
    /// The budget limiting it, where there is one (index into the workspace's budgets).
    pub budget: Option<usize>,
    /// Its values.
    pub series: MetricValues,
    /// Segments, change points, noise.
    pub segmentation: Segmentation,
    /// The drift of the newest level.
    pub trend: Option<Trend>,
}

/// The analysis of a history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    /// Per metric, in name order.
    pub metrics: Vec<MetricAnalysis>,
    /// Every change point, in run order.
    pub findings: Vec<ChangeFinding>,
    /// Every change of noise, in run order.
    pub noise_findings: Vec<NoiseFinding>,
}

/// Analyses every metric of `history` over the runs `filter` includes. With a workspace, each
/// budget's metric is measured by its statistic and unit, severity uses its limit, and
/// sub-allocations are root-cause hints.
#[must_use]
pub fn analyze(history: &History, filter: &RunFilter, workspace: Option<&Workspace>, settings: &DetectorSettings) -> Analysis {
    let environment = filter.environment.as_deref();
    let mut metrics: Vec<MetricAnalysis> = Vec::new();
    for (name, series) in &history.series {
        let budget_index = workspace.and_then(|w| w.budgets.iter().position(|b| &b.metric == name && b.is_checked()));
        let budget = budget_index.and_then(|i| workspace.map(|w| &w.budgets[i]));
        let Some(values) = metric_values(history, name, filter, budget) else { continue };
        let direction = budget.map_or_else(|| default_direction(series.unit.as_ref()), |b| b.direction);
        let segmentation = changepoint::detect(&values.values, settings);
        let limit = budget.and_then(|b| b.limit_in(environment));
        let trend = window_trend(history, &values, settings, direction, limit);
        let unit = budget.map_or_else(|| series.unit.clone(), |b| Some(b.unit.clone()));
        metrics.push(MetricAnalysis { metric: name.clone(), unit, direction, budget: budget_index, series: values, segmentation, trend });
    }

    let mut findings: Vec<ChangeFinding> = Vec::new();
    for m in &metrics {
        let budget = m.budget.and_then(|i| workspace.map(|w| &w.budgets[i]));
        for cp in &m.segmentation.change_points {
            findings.push(finding(history, m, budget, environment, cp));
        }
    }

    // False discoveries over all metrics: Benjamini–Hochberg over every change point's p-value.
    let adjusted = stats::benjamini_hochberg(&findings.iter().map(|f| f.p_value).collect::<Vec<_>>());
    for (f, p) in findings.iter_mut().zip(adjusted) {
        f.p_value = p;
    }
    findings.retain(|f| f.p_value <= settings.significance);

    // Related metrics: change points at nearly the same run.
    let positions: Vec<(usize, String)> = findings.iter().map(|f| (f.run_index, f.metric.clone())).collect();
    for f in &mut findings {
        f.related = positions
            .iter()
            .filter(|(run, metric)| *metric != f.metric && run.abs_diff(f.run_index) <= RELATED_RUNS)
            .map(|(_, metric)| metric.clone())
            .collect();
        f.related.dedup();
    }
    if let Some(w) = workspace {
        for f in &mut findings {
            f.allocations = allocation_moves(history, w, filter, f, &metrics);
        }
    }
    findings.sort_by(|a, b| a.run_index.cmp(&b.run_index).then_with(|| a.metric.cmp(&b.metric)));

    // Changes of noise: their own family of tests, with the same discipline.
    let mut noise_findings: Vec<NoiseFinding> = metrics
        .iter()
        .flat_map(|m| {
            m.segmentation.variance_changes.iter().map(|v| {
                let run_index = m.series.runs[v.index];
                NoiseFinding {
                    metric: m.metric.clone(),
                    run_index,
                    run_id: history.runs.run(run_index).id.to_owned(),
                    before: v.before,
                    after: v.after,
                    p_value: v.p_value,
                }
            })
        })
        .collect();
    let adjusted = stats::benjamini_hochberg(&noise_findings.iter().map(|f| f.p_value).collect::<Vec<_>>());
    for (f, p) in noise_findings.iter_mut().zip(adjusted) {
        f.p_value = p;
    }
    noise_findings.retain(|f| f.p_value <= settings.significance);
    noise_findings.sort_by(|a, b| a.run_index.cmp(&b.run_index).then_with(|| a.metric.cmp(&b.metric)));
    Analysis { metrics, findings, noise_findings }
}

fn finding(history: &History, m: &MetricAnalysis, budget: Option<&Budget>, environment: Option<&str>, cp: &ChangePoint) -> ChangeFinding {
    let run_index = m.series.runs[cp.index];
    let last_good = m.series.runs[cp.index - 1];
    let verdict = Verdict::of(m.direction, cp.before, cp.after);
    let limit = budget.and_then(|b| b.limit_in(environment));
    let warning = budget.and_then(|b| b.warning_in(environment));
    ChangeFinding {
        metric: m.metric.clone(),
        budget: budget.map(|b| b.id.clone()),
        run_index,
        run_id: history.runs.run(run_index).id.to_owned(),
        verdict,
        before: cp.before,
        after: cp.after,
        absolute_change: cp.after - cp.before,
        relative_change: cp.relative_change(),
        shift_in_noise: cp.shift_in_noise,
        p_value: cp.p_value,
        severity: Severity::of(verdict, m.direction, cp.before, cp.after, limit, warning),
        last_good_run: Some(history.runs.run(last_good).id.to_owned()),
        commit_range: (history.runs.run(last_good).commit.map(str::to_owned), history.runs.run(run_index).commit.map(str::to_owned)),
        related: Vec::new(),
        allocations: Vec::new(),
    }
}

/// How each sub-allocation of the finding's budget moved across the change point: the median of
/// its values over the parent's segment before against the segment after.
fn allocation_moves(
    history: &History,
    workspace: &Workspace,
    filter: &RunFilter,
    f: &ChangeFinding,
    metrics: &[MetricAnalysis],
) -> Vec<AllocationMove> {
    let Some(budget) = f.budget.as_ref().and_then(|id| workspace.budget(id)) else { return Vec::new() };
    if budget.children.is_empty() || f.absolute_change == 0.0 {
        return Vec::new();
    }
    let Some(parent) = metrics.iter().find(|m| m.metric == f.metric) else { return Vec::new() };
    let Some(k) = parent.segmentation.segments.iter().position(|s| parent.series.runs.get(s.start) == Some(&f.run_index)) else {
        return Vec::new();
    };
    let before = &parent.segmentation.segments[k - 1];
    let after = &parent.segmentation.segments[k];
    let (first, middle, last) = (parent.series.runs[before.start], f.run_index, parent.series.runs[after.end - 1]);
    let mut moves: Vec<AllocationMove> = budget
        .children
        .iter()
        .filter_map(|&c| {
            let child = &workspace.budgets[c];
            let values = metric_values(history, &child.metric, filter, Some(child))?;
            let pick = |from: usize, to: usize| -> Vec<f64> {
                values.runs.iter().zip(&values.values).filter(|(r, _)| (from..to).contains(*r)).map(|(_, v)| *v).collect()
            };
            let level_before = stats::median(&pick(first, middle))?;
            let level_after = stats::median(&pick(middle, last + 1))?;
            // In the parent's unit, so that shares add up.
            let change = child.unit.convert(level_after - level_before, &budget.unit)?;
            Some(AllocationMove { id: child.id.clone(), change, share: change / f.absolute_change })
        })
        .collect();
    moves.sort_by(|a, b| b.share.abs().total_cmp(&a.share.abs()));
    moves
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forecast_past_the_year_9999_has_runs_but_no_date() {
        let newest = Some(1_767_225_600_000); // 2026-01-01
        let spacing = Some(600_000.0);
        let far = forecast(100.0, 0.185, 1e300, Direction::LowerIsBetter, spacing, newest);
        assert!(matches!(far, Some(Forecast::Reaches { date: None, runs }) if runs > 1e300), "{far:?}");
        // Near the edge: 8,000 years of runs 10 minutes apart is dated, 8,000 years more is not.
        let runs_a_year = 365.25 * 24.0 * 6.0;
        let Some(Forecast::Reaches { date: Some(date), .. }) =
            forecast(0.0, 1.0, 7_000.0 * runs_a_year, Direction::LowerIsBetter, spacing, newest)
        else {
            panic!("no date within 9999");
        };
        assert!(date.to_string().starts_with("9026-"), "{date}");
        let beyond = forecast(0.0, 1.0, 8_000.0 * runs_a_year, Direction::LowerIsBetter, spacing, newest);
        assert!(matches!(beyond, Some(Forecast::Reaches { date: None, .. })), "{beyond:?}");
    }

    #[test]
    fn a_budgets_trend_at_the_newest_run_is_the_analysis_trend() {
        // One forecast: the gate's (`budget_trend` at the checked run) and `analyze`'s read the
        // same newest runs (TREND_WINDOW of them) and search them alike, so the bundle's date is
        // one date (the gate's look-back, without the checked run and one run per commit, said
        // 2030-10-07 where analyze said 2030-08-14).
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets");
        let workspace = Workspace::load(&root).unwrap();
        let filter = RunFilter { environment: Some("ci".into()), branch: Some(workspace.config.default_branch.clone()) };
        let analysis = analyze(&workspace.history, &filter, Some(&workspace), &DetectorSettings::default());
        let budget = workspace.budgets.iter().find(|b| b.metric == "frontend").unwrap();
        let metric = analysis.metrics.iter().find(|m| m.metric == "frontend").unwrap();
        let newest = *metric.series.runs.last().unwrap();
        let limit = budget.limit_in(Some("ci"));
        let trend = budget_trend(&workspace.history, budget, &filter, newest, limit);
        assert_eq!(trend, metric.trend);
        let date = trend.and_then(|t| t.date_at_limit).map(|d| d.date().clone());
        assert_eq!(date.as_deref(), Some("2030-08-14"));
    }
}
