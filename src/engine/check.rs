//! `headroom check`: the newest run of every budgeted metric against its budget and its baseline.
//!
//! For each budget with a limit, in the chosen environment:
//! 1. the run checked is the newest run of that environment (or the one named);
//! 2. its value of the budget's statistic is compared with the limit and the warning level;
//! 3. the baseline is the median of the last N runs of the *baseline branch* (a pull request's
//!    base, never simply the previous run) before the checked run, and a change worse than the
//!    threshold (5 % by default) is a regression;
//! 4. a budget with nothing to check (no such metric, a misspelt name, no value in the run)
//!    is reported loudly, never passed.
//!
//! The median is robust to a single outlier among the baseline runs; the statistical engine
//! of its own issue replaces this baseline with change-point aware one.

use super::analyze::{self, AllocationMove, MetricValues, Severity, Trend, Verdict};
use super::changepoint::{self, DetectorSettings};
use super::stats;
use crate::model::budget::Budget;
use crate::model::error::did_you_mean;
use crate::model::history::{History, Run, Series};
use crate::model::units::{Direction, Unit};
use crate::model::workspace::{CheckSettings, MissingData, Workspace};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// How a budget, or the whole check, came out. Ordered: `Fail` is the worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Within budget and no regression.
    Pass,
    /// Close to the limit, or something to look at (no baseline yet).
    Warn,
    /// Over budget, regressed, or nothing to check.
    Fail,
}

impl Status {
    /// The word used in every output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// What the check found about one budget.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    /// The value breaks the limit.
    OverLimit,
    /// The value is past the warning level, within the limit.
    OverWarning,
    /// Worse than the baseline by more than the threshold, and beyond the baseline's noise.
    Regression {
        /// How much worse, as a fraction of the baseline.
        change: f64,
        /// The threshold it crossed.
        threshold: f64,
        /// The test's p-value, adjusted over all budgets of the check; `None` where the baseline
        /// had too few runs for a test (the effect size alone decided).
        p_value: Option<f64>,
        /// How much it matters, from its size and the headroom it uses.
        severity: Severity,
    },
    /// Worse than the baseline by more than the threshold, but within the baseline's noise:
    /// reported so that nobody wonders why it did not fail.
    WithinNoise {
        /// How much worse, as a fraction of the baseline.
        change: f64,
        /// The test's adjusted p-value, above the significance level.
        p_value: f64,
    },
    /// Better than the baseline by more than the threshold.
    Improvement {
        /// How much better, as a fraction of the baseline (positive).
        change: f64,
    },
    /// No metric of the budget's name in the history at all.
    NoMetric {
        /// A metric of a similar name: likely a typo on one side.
        suggestion: Option<String>,
    },
    /// The metric exists, but the checked run has no value for it.
    NotInRun {
        /// The id of the last run that had it.
        last_seen: Option<String>,
    },
    /// No earlier run of the baseline branch to compare with.
    NoBaseline,
    /// The history's unit does not convert into the budget's.
    UnitMismatch {
        /// The history's unit.
        history_unit: Unit,
    },
}

impl Finding {
    /// The status this finding gives its budget. One match, used by every output.
    #[must_use]
    pub fn status(&self, missing: MissingData) -> Status {
        let missing_status = match missing {
            MissingData::Fail => Status::Fail,
            MissingData::Warn => Status::Warn,
        };
        match self {
            // Without a test (too few baseline runs), a regression is only a warning: one or two
            // runs say nothing about the noise, and a gate must not be flaky.
            Finding::Regression { p_value: None, .. } | Finding::OverWarning | Finding::NoBaseline => Status::Warn,
            Finding::OverLimit | Finding::Regression { .. } | Finding::UnitMismatch { .. } => Status::Fail,
            Finding::Improvement { .. } | Finding::WithinNoise { .. } => Status::Pass,
            Finding::NoMetric { .. } | Finding::NotInRun { .. } => missing_status,
        }
    }

    /// A stable machine-readable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Finding::OverLimit => "over_limit",
            Finding::OverWarning => "over_warning",
            Finding::Regression { .. } => "regression",
            Finding::Improvement { .. } => "improvement",
            Finding::WithinNoise { .. } => "within_noise",
            Finding::NoMetric { .. } => "no_metric",
            Finding::NotInRun { .. } => "not_in_run",
            Finding::NoBaseline => "no_baseline",
            Finding::UnitMismatch { .. } => "unit_mismatch",
        }
    }
}

/// The baseline a value was compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    /// The median of the baseline runs' values, in the budget's unit.
    pub value: f64,
    /// How many runs it was made of.
    pub runs: usize,
    /// The run-to-run noise σ used by the test (the larger of the window's MAD and the
    /// look-back's point-to-point noise); `None` with fewer than [`MIN_TEST_RUNS`] runs.
    pub noise: Option<f64>,
    /// The first run of the current level, where the level changed within the look-back: the
    /// baseline restarts there.
    pub since: Option<String>,
    /// The newest baseline run: the last good run.
    pub last_run: String,
    /// Its commit.
    pub last_commit: Option<String>,
}

/// Where to look for the cause of a regression.
#[derive(Clone, Debug, PartialEq)]
pub struct Hints {
    /// The newest baseline run before the regression.
    pub last_good_run: Option<String>,
    /// The commits between the last good run and the checked run: `(last good, checked)`.
    pub commit_range: (Option<String>, Option<String>),
    /// The budget's sub-allocations and how much of its change each carries.
    pub allocations: Vec<AllocationMove>,
    /// Other budgets that regressed in the same run.
    pub related: Vec<String>,
}

/// The check of one budget.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetResult {
    /// Index into the workspace's budgets.
    pub budget: usize,
    /// The budget's id.
    pub id: String,
    /// The metric it limits.
    pub metric: String,
    /// The budget's unit.
    pub unit: Unit,
    /// Which way is better.
    pub direction: Direction,
    /// The limit in the checked environment.
    pub limit: f64,
    /// The warning level in the checked environment.
    pub warning: Option<f64>,
    /// The checked run's value, in the budget's unit.
    pub value: Option<f64>,
    /// The baseline, where there is one.
    pub baseline: Option<Baseline>,
    /// Everything found, in order of importance.
    pub findings: Vec<Finding>,
    /// The worst of the findings' statuses.
    pub status: Status,
    /// One-sided p-value that the value is this much worse by chance (before adjustment).
    pub p_worse: Option<f64>,
    /// `p_worse` adjusted over all budgets of the check (Benjamini–Hochberg).
    pub p_value: Option<f64>,
    /// The adjusted p-value of the value being better by chance.
    pub p_better: Option<f64>,
    /// The smallest relative worsening this check could flag: the larger of the threshold and
    /// what the baseline's noise lets the test see at the significance level (the noise floor).
    pub smallest_flaggable: Option<f64>,
    /// The drift of the baseline's current level and the time until it crosses the limit.
    pub trend: Option<Trend>,
    /// For a regression: where to look for its cause.
    pub hints: Option<Hints>,
}

impl BudgetResult {
    /// The budget left: limit − value for lower-is-better, value − limit for higher-is-better.
    /// Negative when over budget.
    #[must_use]
    pub fn headroom(&self) -> Option<f64> {
        let value = self.value?;
        Some(match self.direction {
            Direction::LowerIsBetter => self.limit - value,
            Direction::HigherIsBetter => value - self.limit,
        })
    }

    /// The headroom as a fraction of the limit.
    #[must_use]
    pub fn headroom_fraction(&self) -> Option<f64> {
        let headroom = self.headroom()?;
        (self.limit != 0.0).then(|| headroom / self.limit)
    }

    /// The change from the baseline as a fraction (positive = worse).
    #[must_use]
    pub fn change(&self) -> Option<f64> {
        self.direction.relative_worsening(self.value?, self.baseline.as_ref()?.value)
    }
}

/// A problem of the whole check, not of one budget.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// How bad it is.
    pub status: Status,
    /// What is wrong, in words.
    pub message: String,
}

/// What to check.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckOptions {
    /// The environment; the workspace's default, else the newest run's, where `None`.
    pub environment: Option<String>,
    /// The run to check; the newest of the environment where `None`.
    pub run: Option<String>,
    /// The branch whose runs make the baseline; the workspace's default branch where `None`.
    pub baseline_branch: Option<String>,
    /// Overrides the workspace's settings where given.
    pub settings: Option<CheckSettings>,
}

/// The outcome of a check.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    /// The environment checked.
    pub environment: Option<String>,
    /// The run checked.
    pub run: Option<Run>,
    /// The baseline branch.
    pub baseline_branch: String,
    /// The settings used.
    pub settings: CheckSettings,
    /// One result per budget with a limit, in workspace order.
    pub results: Vec<BudgetResult>,
    /// Problems of the whole check.
    pub problems: Vec<Problem>,
    /// Metrics of the checked run that no budget limits.
    pub unbudgeted: Vec<String>,
    /// Whether any input file was invalid.
    pub invalid_input: bool,
}

impl CheckReport {
    /// The worst status of any result or problem.
    #[must_use]
    pub fn status(&self) -> Status {
        self.results.iter().map(|r| r.status).chain(self.problems.iter().map(|p| p.status)).max().unwrap_or(Status::Pass)
    }

    /// The process exit code: 0 within budget, 1 a budget exceeded or regressed, 2 invalid input.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        if self.invalid_input { 2 } else { i32::from(self.status() == Status::Fail) }
    }

    /// How many results have each status: (pass, warn, fail).
    #[must_use]
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |s| self.results.iter().filter(|r| r.status == s).count();
        (count(Status::Pass), count(Status::Warn), count(Status::Fail))
    }
}

/// Checks every budget of the workspace.
#[must_use]
pub fn check(workspace: &Workspace, options: &CheckOptions) -> CheckReport {
    let history = &workspace.history;
    let settings = options.settings.clone().unwrap_or_else(|| workspace.config.check.clone());
    let baseline_branch = options.baseline_branch.clone().unwrap_or_else(|| workspace.config.default_branch.clone());
    let mut problems: Vec<Problem> = Vec::new();
    let missing = match settings.missing_data {
        MissingData::Fail => Status::Fail,
        MissingData::Warn => Status::Warn,
    };

    let environment = options
        .environment
        .clone()
        .or_else(|| workspace.config.default_environment.clone())
        .or_else(|| history.runs.last().and_then(|r| r.environment.clone()));
    let in_environment = |run: &Run| run.environment == environment;
    let env_name = environment.as_deref().unwrap_or("(none)");

    let run_index = if let Some(id) = &options.run {
        let found = history.runs.iter().rposition(|r| &r.id == id && in_environment(r));
        if found.is_none() {
            problems.push(Problem { status: Status::Fail, message: format!("no run `{id}` in environment `{env_name}`") });
        }
        found
    } else {
        let found = history.runs.iter().rposition(in_environment);
        if found.is_none() {
            let known = history.environments();
            let message = if history.runs.is_empty() {
                "the history has no runs: nothing can be checked".to_owned()
            } else {
                format!(
                    "no run for environment `{env_name}` (the history has runs for: {})",
                    if known.is_empty() { "no named environment".to_owned() } else { known.join(", ") }
                )
            };
            problems.push(Problem { status: missing, message });
        }
        found
    };

    let mut results: Vec<BudgetResult> = workspace
        .budgets
        .iter()
        .enumerate()
        .filter(|(_, b)| b.is_checked())
        .filter_map(|(i, budget)| {
            let limit = budget.limit_in(environment.as_deref())?;
            let own = settings.for_budget(&budget.id);
            Some(check_budget(i, budget, limit, history, run_index, environment.as_deref(), &baseline_branch, &own))
        })
        .collect();

    decide(&mut results, &settings);
    add_hints(&mut results, workspace, run_index.map(|i| &history.runs[i]));
    for r in &mut results {
        let missing_data = settings.for_budget(&r.id).missing_data;
        r.findings.sort_by_key(|f| std::cmp::Reverse(f.status(missing_data)));
        r.status = r.findings.iter().map(|f| f.status(missing_data)).max().unwrap_or(Status::Pass);
    }

    let unbudgeted = match run_index {
        Some(run) => history
            .series
            .iter()
            .filter(|(name, series)| point_at(series, run as u32).is_some() && !workspace.budgets.iter().any(|b| &b.metric == *name))
            .map(|(name, _)| name.clone())
            .collect(),
        None => Vec::new(),
    };

    CheckReport {
        environment,
        run: run_index.map(|i| history.runs[i].clone()),
        baseline_branch,
        settings,
        results,
        problems,
        unbudgeted,
        invalid_input: !workspace.errors.is_empty(),
    }
}

fn point_at(series: &Series, run: u32) -> Option<usize> {
    series.points.binary_search_by_key(&run, |p| p.run).ok()
}

#[allow(clippy::too_many_arguments)]
fn check_budget(
    index: usize,
    budget: &Budget,
    limit: f64,
    history: &History,
    run_index: Option<usize>,
    environment: Option<&str>,
    baseline_branch: &str,
    settings: &CheckSettings,
) -> BudgetResult {
    let mut result = BudgetResult {
        budget: index,
        id: budget.id.clone(),
        metric: budget.metric.clone(),
        unit: budget.unit.clone(),
        direction: budget.direction,
        limit,
        warning: budget.warning_in(environment),
        value: None,
        baseline: None,
        findings: Vec::new(),
        status: Status::Pass,
        p_worse: None,
        p_value: None,
        p_better: None,
        smallest_flaggable: None,
        trend: None,
        hints: None,
    };
    evaluate(&mut result, budget, history, run_index, environment, baseline_branch, settings);
    result
}

#[allow(clippy::too_many_lines)] // one pass: value, limit, baseline, test; the steps share their locals
fn evaluate(
    result: &mut BudgetResult,
    budget: &Budget,
    history: &History,
    run_index: Option<usize>,
    environment: Option<&str>,
    baseline_branch: &str,
    settings: &CheckSettings,
) {
    let Some(series) = history.series.get(&budget.metric) else {
        let suggestion = did_you_mean(&budget.metric, history.series.keys().map(String::as_str)).map(str::to_owned);
        result.findings.push(Finding::NoMetric { suggestion });
        return;
    };
    let factor = match &series.unit {
        None => 1.0,
        Some(unit) => {
            if let Some(f) = unit.convert(1.0, &budget.unit) {
                f
            } else {
                result.findings.push(Finding::UnitMismatch { history_unit: unit.clone() });
                return;
            }
        }
    };
    let Some(run) = run_index else { return };
    let value_of = |p: usize| series.points[p].measurement.statistic(budget.statistic).map(|v| v * factor);
    let Some(value) = point_at(series, run as u32).and_then(value_of) else {
        let last_seen = series
            .points
            .iter()
            .rev()
            .find(|p| (p.run as usize) < run && history.runs[p.run as usize].environment.as_deref() == environment)
            .map(|p| history.runs[p.run as usize].id.clone());
        result.findings.push(Finding::NotInRun { last_seen });
        return;
    };
    result.value = Some(value);
    if budget.direction.exceeds(value, result.limit) {
        result.findings.push(Finding::OverLimit);
    } else if result.warning.is_some_and(|w| !budget.direction.exceeds(w, value)) {
        result.findings.push(Finding::OverWarning);
    }

    // The baseline: the baseline branch's runs in this environment before this run, since its
    // level last changed (change points found by the engine over a recent look-back).
    let end = series.points.partition_point(|p| (p.run as usize) < run);
    let lookback_runs = (4 * settings.baseline_runs).max(LOOKBACK_MIN_RUNS);
    let mut lookback = MetricValues::default();
    let mut samples: Vec<Option<&Vec<f64>>> = Vec::new();
    for (i, p) in series.points[..end].iter().enumerate().rev() {
        let r = &history.runs[p.run as usize];
        if r.environment.as_deref() != environment || r.branch.as_deref() != Some(baseline_branch) {
            continue;
        }
        if let Some(v) = value_of(i) {
            lookback.runs.push(p.run as usize);
            lookback.values.push(v);
            samples.push(p.measurement.samples.as_ref());
            if lookback.values.len() == lookback_runs {
                break;
            }
        }
    }
    lookback.runs.reverse();
    lookback.values.reverse();
    samples.reverse();
    if lookback.values.is_empty() {
        result.findings.push(Finding::NoBaseline);
        return;
    }
    let segmentation = changepoint::detect(&lookback.values, &DetectorSettings::default());
    let level_start = segmentation.segments.last().map_or(0, |s| s.start);
    let window_start = level_start.max(lookback.values.len().saturating_sub(settings.baseline_runs));
    let window = &lookback.values[window_start..];
    let n = window.len();
    let center = stats::median(window).unwrap_or(value);
    let noise = stats::mad_sigma(window, center).into_iter().chain(stats::noise_sigma(&lookback.values)).reduce(f64::max);
    let since = (level_start > 0).then(|| history.runs[lookback.runs[level_start]].id.clone());
    let last_run = *lookback.runs.last().unwrap_or(&run);
    result.trend = analyze::trend(history, &lookback, &segmentation, budget.direction, Some(result.limit));
    result.baseline = Some(Baseline {
        value: center,
        runs: n,
        noise: if n >= MIN_TEST_RUNS { noise } else { None },
        since,
        last_run: history.runs[last_run].id.clone(),
        last_commit: history.runs[last_run].commit.clone(),
    });

    // The test: how surprising is this value, were it another run of the baseline's level?
    // A prediction interval around the median of n runs: t = (x − m) / (σ·√(1 + π/2n)) with n − 1
    // degrees of freedom (the median's variance is π/2 times the mean's for normal data).
    let worse_sign = match budget.direction {
        Direction::LowerIsBetter => 1.0,
        Direction::HigherIsBetter => -1.0,
    };
    result.p_worse = if n >= MIN_TEST_RUNS {
        let sigma = noise.unwrap_or(0.0);
        let scale = sigma * (1.0 + std::f64::consts::PI / (2.0 * n as f64)).sqrt();
        let t = worse_sign * (value - center);
        let p_model = if scale > 0.0 {
            stats::student_t_sf(t / scale, (n - 1) as f64)
        } else if t > 0.0 {
            0.0
        } else {
            1.0
        };
        // A metric with sporadic outliers (a noisy runner, a cold cache) shows, in its own
        // history, runs as far off as this one, or outliers (beyond 4σ) where this is one: then
        // the chance of this value is at least their share of the current level's runs (an
        // empirical p-value), whatever the model says. A second run confirms a real shift.
        let level = &lookback.values[level_start..];
        let far = if sigma > 0.0 { t.min(OUTLIER_SIGMAS * sigma) } else { t };
        let as_far = level.iter().filter(|&&x| t > 0.0 && worse_sign * (x - center) >= far).count();
        Some(if as_far > 0 { p_model.max((as_far + 1) as f64 / (level.len() + 1) as f64) } else { p_model })
    } else {
        // Too few runs for a spread: where runs carry raw samples, test the samples of this run
        // against those of the baseline runs (Welch); otherwise the effect size alone decides.
        let run_samples = point_at(series, run as u32).and_then(|p| series.points[p].measurement.samples.as_ref());
        let baseline_samples: Vec<f64> = samples[window_start..].iter().flatten().flat_map(|s| s.iter().map(|v| v * factor)).collect();
        run_samples.and_then(|own| {
            let own: Vec<f64> = own.iter().map(|v| v * factor).collect();
            let two_sided = stats::welch_p_value(&own, &baseline_samples)?;
            let worse = worse_sign * (stats::mean(&own)? - stats::mean(&baseline_samples)?) > 0.0;
            Some(if worse { two_sided / 2.0 } else { 1.0 - two_sided / 2.0 })
        })
    };
    result.smallest_flaggable = (n >= MIN_TEST_RUNS && center != 0.0).then(|| {
        let sigma = noise.unwrap_or(0.0);
        let t_critical = StudentsT::new(0.0, 1.0, (n - 1) as f64).map_or(f64::INFINITY, |d| d.inverse_cdf(1.0 - settings.significance));
        let by_noise = t_critical * sigma * (1.0 + std::f64::consts::PI / (2.0 * n as f64)).sqrt() / center.abs();
        by_noise.max(settings.regression_threshold)
    });
}

/// The fewest runs the baseline's look-back covers (it is also 4 × `baseline_runs`).
pub const LOOKBACK_MIN_RUNS: usize = 100;
/// Runs further than this many σ from the baseline are outliers.
pub const OUTLIER_SIGMAS: f64 = 4.0;
/// The fewest baseline runs for the statistical test; with fewer, only the effect size decides
/// (unless the runs carry raw samples).
pub const MIN_TEST_RUNS: usize = 3;

/// Decides regressions and improvements over all results at once: the effect size gate, and the
/// test's p-values adjusted over all budgets (Benjamini–Hochberg), so that a check of hundreds of
/// metrics keeps its false-alarm rate.
fn decide(results: &mut [BudgetResult], settings: &CheckSettings) {
    let tested: Vec<usize> = (0..results.len()).filter(|&i| results[i].p_worse.is_some()).collect();
    let worse: Vec<f64> = tested.iter().map(|&i| results[i].p_worse.unwrap_or(1.0)).collect();
    let better: Vec<f64> = tested.iter().map(|&i| 1.0 - results[i].p_worse.unwrap_or(1.0)).collect();
    let (worse, better) = (stats::benjamini_hochberg(&worse), stats::benjamini_hochberg(&better));
    for (k, &i) in tested.iter().enumerate() {
        results[i].p_value = Some(worse[k]);
        results[i].p_better = Some(better[k]);
    }
    for r in results.iter_mut() {
        let Some(change) = r.change() else { continue };
        let settings = settings.for_budget(&r.id);
        let threshold = settings.regression_threshold;
        if change > threshold && r.p_value.is_none_or(|p| p <= settings.significance) {
            let baseline = r.baseline.as_ref().map_or(0.0, |b| b.value);
            let severity = Severity::of(Verdict::Regression, r.direction, baseline, r.value.unwrap_or(baseline), Some(r.limit), r.warning);
            r.findings.push(Finding::Regression { change, threshold, p_value: r.p_value, severity });
        } else if -change > threshold && r.p_better.is_none_or(|p| p <= settings.significance) {
            r.findings.push(Finding::Improvement { change: -change });
        } else if change > threshold {
            r.findings.push(Finding::WithinNoise { change, p_value: r.p_value.unwrap_or(1.0) });
        }
    }
}

/// Root-cause hints for every regression: the commit range, the sub-allocations that moved with
/// it and by how much of the parent's change, and the other budgets that regressed in this run.
fn add_hints(results: &mut [BudgetResult], workspace: &Workspace, run: Option<&Run>) {
    let regressed: Vec<String> =
        results.iter().filter(|r| r.findings.iter().any(|f| matches!(f, Finding::Regression { .. }))).map(|r| r.id.clone()).collect();
    let by_budget: std::collections::HashMap<usize, (f64, Option<f64>)> = results
        .iter()
        .filter_map(|r| Some((r.budget, (r.value? - r.baseline.as_ref()?.value, r.baseline.as_ref().map(|b| b.value)))))
        .collect();
    for r in results.iter_mut() {
        if !r.findings.iter().any(|f| matches!(f, Finding::Regression { .. })) {
            continue;
        }
        let budget = &workspace.budgets[r.budget];
        let parent_change = by_budget.get(&r.budget).map_or(0.0, |c| c.0);
        let mut allocations: Vec<AllocationMove> = budget
            .children
            .iter()
            .filter_map(|&c| {
                let child = &workspace.budgets[c];
                let change = child.unit.convert(by_budget.get(&c)?.0, &budget.unit)?;
                Some(AllocationMove {
                    id: child.id.clone(),
                    change,
                    share: if parent_change == 0.0 { 0.0 } else { change / parent_change },
                })
            })
            .collect();
        allocations.sort_by(|a, b| b.share.abs().total_cmp(&a.share.abs()));
        r.hints = Some(Hints {
            last_good_run: r.baseline.as_ref().map(|b| b.last_run.clone()),
            commit_range: (r.baseline.as_ref().and_then(|b| b.last_commit.clone()), run.and_then(|r| r.commit.clone())),
            allocations,
            related: regressed.iter().filter(|id| **id != r.id).cloned().collect(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace(budgets: &str, history: &str) -> Workspace {
        Workspace::from_files("w", &[("b.yaml".to_owned(), budgets.to_owned()), ("history/h.jsonl".to_owned(), history.to_owned())])
    }

    fn runs(values: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        for (i, (branch, metric, v)) in values.iter().enumerate() {
            out.push_str(&format!("{{\"id\":\"r{i}\",\"timestamp\":\"2026-05-{:02}\",\"branch\":\"{branch}\",\"environment\":\"ci\",\"metrics\":{{\"{metric}\":{v}}}}}\n", i + 1));
        }
        out
    }

    const BUDGET: &str = "cap:\n  max_latency_ms: 50\n";

    #[test]
    fn a_value_within_budget_and_baseline_passes() {
        let w = workspace(BUDGET, &runs(&[("main", "cap.latency", 40.0), ("main", "cap.latency", 41.0), ("main", "cap.latency", 40.5)]));
        let report = check(&w, &CheckOptions::default());
        assert_eq!(report.results.len(), 1);
        let r = &report.results[0];
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert_eq!(r.value, Some(40.5));
        assert_eq!(r.headroom(), Some(9.5));
        assert_eq!(r.baseline.as_ref().map(|b| (b.value, b.runs, b.last_run.as_str())), Some((40.5, 2, "r1")));
        assert_eq!(report.exit_code(), 0);
    }

    #[test]
    fn a_value_over_the_limit_fails_with_exit_code_1() {
        let w = workspace(BUDGET, &runs(&[("main", "cap.latency", 49.0), ("main", "cap.latency", 51.0)]));
        let report = check(&w, &CheckOptions::default());
        assert_eq!(report.results[0].findings[0], Finding::OverLimit);
        assert_eq!(report.results[0].headroom(), Some(-1.0));
        assert_eq!(report.exit_code(), 1);
    }

    #[test]
    fn near_the_limit_warns() {
        let w = workspace(BUDGET, &runs(&[("main", "cap.latency", 46.0), ("main", "cap.latency", 46.0)]));
        let report = check(&w, &CheckOptions::default());
        assert_eq!(report.results[0].findings, vec![Finding::OverWarning]);
        assert_eq!(report.exit_code(), 0);
    }

    #[test]
    fn a_regression_against_the_base_branch_fails_even_within_budget() {
        // The PR's previous run was already slow; the baseline is main, not the previous run.
        let w = workspace(
            BUDGET,
            &runs(&[
                ("main", "cap.latency", 20.0),
                ("main", "cap.latency", 20.0),
                ("main", "cap.latency", 20.0),
                ("feature", "cap.latency", 24.0),
                ("feature", "cap.latency", 24.0),
            ]),
        );
        let report = check(&w, &CheckOptions { baseline_branch: Some("main".into()), ..CheckOptions::default() });
        let r = &report.results[0];
        assert!(matches!(r.findings[0], Finding::Regression { change, .. } if (change - 0.2).abs() < 1e-9), "{r:?}");
        assert_eq!(r.status, Status::Fail);
        assert_eq!(report.exit_code(), 1);
    }

    #[test]
    fn a_misspelt_metric_fails_loudly_with_a_suggestion() {
        let w = workspace(BUDGET, &runs(&[("main", "cap.latncy", 20.0)]));
        let report = check(&w, &CheckOptions::default());
        assert_eq!(report.results[0].findings, vec![Finding::NoMetric { suggestion: Some("cap.latncy".into()) }]);
        assert_eq!(report.exit_code(), 1);
        assert_eq!(report.unbudgeted, ["cap.latncy"]);
        // Unless the user chose to only warn.
        let settings = CheckSettings { missing_data: MissingData::Warn, ..CheckSettings::default() };
        let report = check(&w, &CheckOptions { settings: Some(settings), ..CheckOptions::default() });
        assert_eq!(report.results[0].status, Status::Warn);
        assert_eq!(report.exit_code(), 0);
    }

    #[test]
    fn an_environment_without_runs_fails_loudly() {
        let w = workspace(BUDGET, &runs(&[("main", "cap.latency", 20.0)]));
        let report = check(&w, &CheckOptions { environment: Some("prod".into()), ..CheckOptions::default() });
        assert_eq!(report.problems.len(), 1);
        assert!(report.problems[0].message.contains("no run for environment `prod` (the history has runs for: ci)"));
        assert_eq!(report.exit_code(), 1);
    }

    #[test]
    fn a_metric_missing_from_the_newest_run_fails() {
        let mut h = runs(&[("main", "cap.latency", 20.0)]);
        h.push_str("{\"id\":\"r9\",\"timestamp\":\"2026-06-01\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{\"other\":1}}\n");
        let report = check(&workspace(BUDGET, &h), &CheckOptions::default());
        assert_eq!(report.results[0].findings, vec![Finding::NotInRun { last_seen: Some("r0".into()) }]);
    }

    #[test]
    fn invalid_input_exits_2() {
        let w = workspace("budgets:\n  a: {limit: x}\n", &runs(&[("main", "cap.latency", 20.0)]));
        assert_eq!(check(&w, &CheckOptions::default()).exit_code(), 2);
    }

    #[test]
    fn the_baseline_is_the_median_so_one_outlier_does_not_move_it() {
        let w = workspace(
            BUDGET,
            &runs(&[
                ("main", "cap.latency", 20.0),
                ("main", "cap.latency", 45.0),
                ("main", "cap.latency", 20.0),
                ("main", "cap.latency", 20.5),
            ]),
        );
        let r = &check(&w, &CheckOptions::default()).results[0];
        assert_eq!(r.baseline.as_ref().map(|b| b.value), Some(20.0));
        assert_eq!(r.status, Status::Pass);
    }

    #[test]
    fn higher_is_better_budgets_fail_below_their_limit() {
        let w = workspace(
            "budgets:\n  fps: {unit: fps, limit: 60, direction: higher}\n",
            &runs(&[("main", "fps", 70.0), ("main", "fps", 55.0)]),
        );
        let r = &check(&w, &CheckOptions::default()).results[0];
        assert_eq!(r.headroom(), Some(-5.0));
        assert!(r.findings.contains(&Finding::OverLimit));
        assert!(r.findings.iter().any(|f| matches!(f, Finding::Regression { .. })));
    }

    #[test]
    fn environment_overrides_set_the_limit_checked() {
        let budgets = "budgets:\n  api:\n    unit: ms\n    limit: 100\n    environments: {ci: 150}\n";
        let w = workspace(budgets, &runs(&[("main", "api", 120.0), ("main", "api", 120.0)]));
        let r = &check(&w, &CheckOptions::default()).results[0];
        assert!((r.limit - 150.0).abs() < 1e-9);
        assert_eq!(r.status, Status::Pass);
    }

    fn noisy_runs(metric: &str, values: &[f64]) -> String {
        let mut out = String::new();
        for (i, v) in values.iter().enumerate() {
            out.push_str(&format!(
                "{{\"id\":\"r{i}\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"commit\":\"c{i}\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"{metric}\":{v}}}}}\n"
            ));
        }
        out
    }

    /// 30 runs around 40 ms with ±3 % noise (a fixed pattern), then `last`.
    fn noisy_history(last: f64) -> Vec<f64> {
        let pattern = [0.0, 1.2, -0.8, 0.5, -1.4, 0.9, -0.3, 1.5, -1.1, 0.2];
        let mut values: Vec<f64> = (0..30).map(|i| 40.0 * (1.0 + 0.03 * pattern[i % 10])).collect();
        values.push(last);
        values
    }

    #[test]
    fn a_change_within_the_noise_is_not_a_regression_but_is_reported() {
        // +6 % on a metric whose runs vary by ±3 %: past the 5 % threshold, not past the noise.
        let w = workspace(BUDGET, &noisy_runs("cap.latency", &noisy_history(42.4)));
        let r = &check(&w, &CheckOptions::default()).results[0];
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert!(r.findings.iter().any(|f| matches!(f, Finding::WithinNoise { .. })), "{r:?}");
        let smallest = r.smallest_flaggable.unwrap();
        assert!(smallest > 0.06 && smallest < 0.25, "{smallest}");
    }

    #[test]
    fn a_change_well_beyond_the_noise_is_a_regression_with_confidence_and_hints() {
        let w = workspace(BUDGET, &noisy_runs("cap.latency", &noisy_history(47.0)));
        let r = &check(&w, &CheckOptions::default()).results[0];
        let Some(Finding::Regression { change, p_value: Some(p), severity, .. }) = r.findings.first().cloned() else {
            panic!("{r:?}");
        };
        assert!((change - 0.175).abs() < 0.01, "{change}");
        assert!(p < 0.001);
        // 47 ms is past the 45 ms warning level of a 50 ms budget.
        assert_eq!(severity, Severity::High);
        let hints = r.hints.as_ref().unwrap();
        assert_eq!(hints.commit_range, (Some("c29".to_owned()), Some("c30".to_owned())));
    }

    #[test]
    fn a_spike_on_a_metric_with_a_history_of_spikes_is_not_a_regression() {
        let mut values = noisy_history(80.0);
        values[5] = 85.0;
        values[17] = 78.0;
        values[24] = 90.0;
        let w = workspace("cap:\n  max_latency_ms: 500\n", &noisy_runs("cap.latency", &values));
        let r = &check(&w, &CheckOptions::default()).results[0];
        assert_eq!(r.status, Status::Pass, "{r:?}");
        // The same spike on a clean history is flagged.
        let w = workspace("cap:\n  max_latency_ms: 500\n", &noisy_runs("cap.latency", &noisy_history(80.0)));
        assert_eq!(check(&w, &CheckOptions::default()).results[0].status, Status::Fail);
    }

    #[test]
    fn the_baseline_restarts_after_a_change_of_level() {
        // main stepped from 40 to 44 ms twelve runs ago; a run at 44.5 ms is no regression.
        let mut values: Vec<f64> = noisy_history(44.0)[..30].to_vec();
        values.extend(noisy_history(0.0)[..12].iter().map(|v| v * 1.1));
        values.push(44.5);
        let w = workspace(BUDGET, &noisy_runs("cap.latency", &values));
        let r = &check(&w, &CheckOptions::default()).results[0];
        let b = r.baseline.as_ref().unwrap();
        assert_eq!(b.since.as_deref(), Some("r30"), "{b:?}");
        assert_eq!(b.runs, 12);
        assert!((b.value - 44.0).abs() < 0.5, "{b:?}");
        assert_eq!(r.status, Status::Pass, "{r:?}");
    }

    #[test]
    fn with_fewer_than_three_baseline_runs_a_regression_only_warns() {
        let w = workspace(BUDGET, &runs(&[("main", "cap.latency", 20.0), ("main", "cap.latency", 20.0), ("feature", "cap.latency", 26.0)]));
        let r = &check(&w, &CheckOptions::default()).results[0];
        assert!(matches!(r.findings[0], Finding::Regression { p_value: None, .. }), "{r:?}");
        assert_eq!(r.status, Status::Warn);
    }

    #[test]
    fn false_alarms_are_controlled_over_many_budgets() {
        // 200 budgets whose newest runs are spread over the noise (some at p < 0.01 by chance
        // alone, as 200 tests will have), and one real regression. At α = 0.05 without the
        // adjustment about ten would fail; with Benjamini–Hochberg only the real one does.
        let mut budgets = String::from("budgets:\n");
        for m in 0..201 {
            budgets.push_str(&format!("  m{m}: {{unit: ms, limit: 1000}}\n"));
        }
        let mut rng = crate::engine::synthetic::Rng::new(7);
        let mut history = String::new();
        for i in 0..31 {
            let fields: Vec<String> = (0..201)
                .map(|m| {
                    let v = if (i, m) == (30, 200) { 120.0 } else { 100.0 + rng.gaussian() };
                    format!("\"m{m}\":{v}")
                })
                .collect();
            history.push_str(&format!(
                "{{\"id\":\"r{i}\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{{}}}}}\n",
                fields.join(",")
            ));
        }
        let w = workspace(&budgets, &history);
        let settings = CheckSettings { significance: 0.05, regression_threshold: 0.0, ..CheckSettings::default() };
        let report = check(&w, &CheckOptions { settings: Some(settings), ..CheckOptions::default() });
        let unadjusted = report.results.iter().filter(|r| r.p_worse.is_some_and(|p| p <= 0.05)).count();
        assert!(unadjusted >= 3, "{unadjusted}");
        let failed: Vec<&str> = report.results.iter().filter(|r| r.status == Status::Fail).map(|r| r.id.as_str()).collect();
        assert_eq!(failed, ["m200"]);
    }
}
