//! The outputs of `headroom check`: text, JSON, JUnit XML, Markdown and GitHub annotations.
//! Each is a pure function from a [`CheckReport`] to a string; the CLI prints it.

pub mod analysis;
pub mod prometheus;
pub mod review;
pub mod site;
pub mod svg;

use crate::engine::check::{BudgetResult, CheckReport, Finding, OpenRegression, Status};
use crate::model::measures::{Resolution, Rule};
use crate::model::workspace::Workspace;

/// The output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A table for people.
    Text,
    /// The stable JSON schema documented in the README.
    Json,
    /// JUnit XML for CI dashboards.
    Junit,
    /// A Markdown table for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// Renders a report in a format.
#[must_use]
pub fn render(format: Format, workspace: &Workspace, report: &CheckReport) -> String {
    match format {
        Format::Text => text(workspace, report),
        Format::Json => json(workspace, report),
        Format::Junit => junit(workspace, report),
        Format::Markdown => markdown(workspace, report),
        Format::Github => github(workspace, report),
    }
}

/// A value with its unit, rounded for people: `41.2 ms`.
#[must_use]
pub fn quantity(value: f64, unit: &str) -> String {
    // −0 (a history of `-0.0`) reads 0.
    let value = value + 0.0;
    // Past what a count of bytes or instructions reaches (and past f64's whole numbers), three
    // significant digits: a run of 1e300 ms read as all of its 301 digits. Below 1e-10, where the
    // two significant digits below would need more than the 12 decimals they are clipped to, the
    // same: a baseline of 1e-300 ms read "0 ms".
    if value.abs() >= 1e15 || (value != 0.0 && value.abs() < 1e-10) {
        let text = format!("{value:.2e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return if unit == "%" { format!("{mantissa}e{exponent}%") } else { format!("{mantissa}e{exponent} {unit}") };
    }
    let rounded = if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else if value.abs() >= 0.01 || value == 0.0 {
        format!("{value:.2}")
    } else {
        // Two significant digits: 4.8 KB of memory in an MB budget is 0.0048 MB, not 0 MB.
        let digits = (1 - value.abs().log10().floor() as i32).clamp(2, 12) as usize;
        format!("{value:.digits$}")
    };
    let trimmed = if rounded.contains('.') { rounded.trim_end_matches('0').trim_end_matches('.').to_owned() } else { rounded };
    if unit == "%" { format!("{trimmed}%") } else { format!("{trimmed} {unit}") }
}

/// A signed relative change: `+20.4%`.
pub use crate::model::units::percent;

/// What a triage that accepts a worse level accepts, in words (`accepts a level up to +12.0% worse`,
/// each environment's where they differ), as `headroom triage` and the app's findings say it;
/// `None` where it accepts no level or recorded no change.
#[must_use]
pub fn accepted_words(entry: &crate::model::triage::TriageEntry) -> Option<String> {
    let change = entry.accepted_change.filter(|_| entry.accepts_level())?;
    Some(if entry.accepted_by_environment.values().all(|c| *c > 0.0) && !entry.accepted_by_environment.is_empty() {
        let each: Vec<String> = entry.accepted_by_environment.iter().map(|(env, c)| format!("{} in {env}", percent(*c))).collect();
        format!("accepts a level up to {} worse", each.join(", "))
    } else if !entry.accepted_by_environment.is_empty() {
        // An environment that improved (or did not move) accepts nothing worse: said so, never
        // "up to -20.0% worse".
        let each: Vec<String> = entry
            .accepted_by_environment
            .iter()
            .map(
                |(env, c)| {
                    if *c > 0.0 { format!("a level up to {} worse in {env}", percent(*c)) } else { format!("no worse level in {env}") }
                },
            )
            .collect();
        format!("accepts {}", each.join(", "))
    } else if change > 0.0 {
        format!("accepts a level up to {} worse", percent(change))
    } else {
        "accepts no worse level".to_owned()
    })
}

/// Whether the result's change is a fraction of the limit, its baseline being zero
/// ([`crate::engine::check::against_limit`]).
fn from_zero(result: &BudgetResult) -> bool {
    result.baseline.as_ref().is_some_and(|b| crate::engine::check::against_limit(b.value, result.limit))
}

/// How much worse, for the findings' words: `20.4% worse`, or from a baseline of zero `no longer
/// zero (+20.0% of the limit), worse`.
fn worse(result: &BudgetResult, change: f64) -> String {
    worse_by(from_zero(result), change)
}

/// [`worse`] of a change from a level that was zero (`from_zero`: a fraction of the limit) or not.
fn worse_by(from_zero: bool, change: f64) -> String {
    if from_zero {
        format!("no longer zero ({} of the limit), worse", percent(change))
    } else {
        format!("{} worse", percent(change).trim_start_matches('+'))
    }
}

/// The change column of the text and Markdown tables: `+20.4%`, `from 0` where the baseline is
/// zero (its change is a fraction of the limit, which the finding's words say), `-` where none.
fn change_cell(result: &BudgetResult, none: &str) -> String {
    match result.change() {
        Some(c) if from_zero(result) && c != 0.0 => "from 0".to_owned(),
        Some(c) => percent(c),
        None => none.to_owned(),
    }
}

/// `1 − p` as a percentage with the digits that matter: `99.97%`.
#[must_use]
pub fn confidence(p_value: f64) -> String {
    let c = (1.0 - p_value).clamp(0.0, 1.0) * 100.0;
    if c >= 99.99 {
        ">99.99%".to_owned()
    } else if c >= 99.0 {
        format!("{c:.2}%")
    } else {
        format!("{c:.1}%")
    }
}

fn baseline_words(result: &BudgetResult) -> String {
    let unit = result.unit.symbol();
    result.baseline.as_ref().map_or_else(String::new, |b| {
        let mut s = if b.held {
            format!(
                "{} (the level held before the look-back, of {} runs from `{}`",
                quantity(b.value, unit),
                b.runs,
                b.since.as_deref().unwrap_or("?")
            )
        } else {
            format!("{} (median of {} runs", quantity(b.value, unit), b.runs)
        };
        if let (Some(since), false) = (&b.since, b.held) {
            s.push_str(&format!(" since the level changed at `{since}`"));
        }
        if let (Some(noise), true) = (b.noise, b.value != 0.0) {
            s.push_str(&format!(", noise ±{:.1}%", 100.0 * noise / b.value.abs()));
        }
        s.push(')');
        s
    })
}

/// The root-cause hints of a result, in words, one per line.
#[must_use]
pub fn hint_lines(result: &BudgetResult) -> Vec<String> {
    let Some(h) = &result.hints else { return Vec::new() };
    let unit = result.unit.symbol();
    let mut lines = Vec::new();
    match &h.commit_range {
        (Some(good), Some(bad)) => {
            lines.push(format!("commits: {good}..{bad} (last good run `{}`)", h.last_good_run.as_deref().unwrap_or("?")));
        }
        _ => {
            if let Some(run) = &h.last_good_run {
                lines.push(format!("last good run: `{run}`"));
            }
        }
    }
    if !h.allocations.is_empty() {
        let parts: Vec<String> = h
            .allocations
            .iter()
            .map(|a| {
                format!(
                    "{} {}{} ({:.0}% of the change)",
                    a.id,
                    if a.change >= 0.0 { "+" } else { "" },
                    quantity(a.change, unit),
                    a.share * 100.0
                )
            })
            .collect();
        lines.push(format!("sub-allocations: {}", parts.join(", ")));
    }
    if !h.related.is_empty() {
        lines.push(format!("also regressed in this run: {}", h.related.join(", ")));
    }
    lines
}

/// The noise floor and trend of a result in words, where known.
#[must_use]
pub fn noise_and_trend(result: &BudgetResult) -> Option<String> {
    let unit = result.unit.symbol();
    let mut parts = Vec::new();
    if let (Some(b), Some(smallest)) = (&result.baseline, result.smallest_flaggable)
        && let Some(noise) = b.noise
        && b.value != 0.0
    {
        parts.push(format!("noise ±{:.1}%, smallest flaggable change {:.1}%", 100.0 * noise / b.value.abs(), smallest * 100.0));
    }
    if let Some(t) = &result.trend
        && t.worsening
    {
        let mut s = format!("drifting {}{}/run", if t.per_run >= 0.0 { "+" } else { "" }, significant(t.per_run, unit));
        if let Some(words) = forecast_words(t) {
            s.push_str(&format!(", {words}"));
        }
        parts.push(s);
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// A drift's forecast in words, the same in `check`, `analyze`, the report and the app: "over
/// the limit already", or "reaches the limit in about 1358 runs (2030-08-14)".
#[must_use]
pub fn forecast_words(trend: &crate::engine::analyze::Trend) -> Option<String> {
    use crate::engine::analyze::Forecast;
    Some(match trend.forecast()? {
        Forecast::Over => "over the limit already".to_owned(),
        Forecast::Reaches { runs, date: Some(d) } => format!("reaches the limit in about {} runs ({})", run_count(runs), d.date()),
        Forecast::Reaches { runs, date: None } => format!("reaches the limit in about {} runs", run_count(runs)),
    })
}

/// A forecast's count of runs: whole runs up to a million, then three significant digits
/// (`5.40e300`; a limit of 1e300 ms printed all 301 digits).
fn run_count(runs: f64) -> String {
    if runs < 1e6 { format!("{runs:.0}") } else { format!("{runs:.2e}") }
}

/// [`forecast_words`] in a few words, for a row of the app's budget tree: "over the limit",
/// "limit 2030-08-14", "limit in 1358 runs".
#[must_use]
pub fn forecast_short(trend: &crate::engine::analyze::Trend) -> Option<String> {
    use crate::engine::analyze::Forecast;
    Some(match trend.forecast()? {
        Forecast::Over => "over the limit".to_owned(),
        Forecast::Reaches { date: Some(d), .. } => format!("limit {}", d.date()),
        Forecast::Reaches { runs, date: None } => format!("limit in {} runs", run_count(runs)),
    })
}

/// A value with three significant digits and its unit, for small rates: `0.0123 ms`.
#[must_use]
pub fn significant(value: f64, unit: &str) -> String {
    if value == 0.0 || value.abs() >= 10.0 {
        return quantity(value, unit);
    }
    let digits = (2 - value.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let text = format!("{value:.digits$}");
    if unit == "%" { format!("{text}%") } else { format!("{text} {unit}") }
}

/// The history files of `workspace` that did not load, each with its first error (where and
/// what): `` the history file `history/ci.jsonl` did not load (line 3: expected `,`) ``. `None`
/// where every history file loaded.
#[must_use]
pub fn unloaded_history_words(workspace: &Workspace) -> Option<String> {
    if workspace.unloaded_history.is_empty() {
        return None;
    }
    let files: Vec<String> = workspace
        .unloaded_history
        .iter()
        .map(|file| match workspace.errors.iter().find(|e| &e.file == file) {
            Some(e) => {
                let at = match (e.pos.line, e.pos.column) {
                    (0, _) => String::new(),
                    (line, 0) => format!("line {line}: "),
                    (line, column) => format!("line {line}:{column}: "),
                };
                let field = if e.field.is_empty() { String::new() } else { format!("`{}`: ", e.field) };
                format!("`{file}` ({at}{field}{})", e.message)
            }
            None => format!("`{file}`"),
        })
        .collect();
    let what = if files.len() == 1 { "the history file" } else { "the history files" };
    Some(format!("{what} {} did not load", files.join(", ")))
}

/// A regression the runner's slow state explains, in words ([`Finding::SlowRunner`]).
fn slow_runner_words(result: &BudgetResult, slow: &crate::engine::runner::SlowRunner) -> String {
    format!(
        "slow runner: {} than the baseline of {}, but {} of the {} runs judged were on the runner's slow state ({:.0}% slower across {} budgets, as on its slow runs before); less what this budget usually loses there, it is {:+.1}%, within half the threshold; rerun the benchmark on the same commit (exit code 3)",
        worse(result, result.change().unwrap_or(0.0)),
        baseline_words(result),
        slow.slow_runs,
        slow.runs,
        slow.slowdown * 100.0,
        slow.budgets,
        slow.own_change * 100.0
    )
}

/// Where a regression's change (its level's: the median of the runs judged, or a held level's
/// mean) reads otherwise than the checked run's own (the JSON's `change`, the tables' column), the
/// run's, so no reader takes one for the other: "8.5% worse" beside a run 13.2% worse read as a
/// wrong sum. Nothing where both read the same to the digit shown.
fn newest_run_words(result: &BudgetResult, change: f64) -> String {
    let Some(newest) = result.change() else { return String::new() };
    if from_zero(result) || percent(newest) == percent(change) {
        return String::new();
    }
    let judged = result.open_regression.as_ref().map_or(1, |o| o.evidence_runs);
    let level = if judged > 1 { format!(" in the {judged} runs judged") } else { String::new() };
    let run = if newest > 0.0 { worse_by(false, newest) } else { format!("{} better", percent(-newest).trim_start_matches('+')) };
    format!("{level}, this run {run}")
}

/// One finding in words. A metric (or a run) the history lacks where a history file did not
/// load names that file and its error first: the metric may well be in it, and advice to map or
/// measure it would send the reader the wrong way.
#[must_use]
pub fn describe(workspace: &Workspace, result: &BudgetResult, finding: &Finding) -> String {
    let unit = result.unit.symbol();
    let unloaded = unloaded_history_words(workspace);
    match finding {
        Finding::OverLimit => format!(
            "over budget: {} against a limit of {}",
            result.value.map_or_else(String::new, |v| quantity(v, unit)),
            quantity(result.limit, unit)
        ),
        Finding::OverWarning => format!(
            "near the limit: {} is past the warning level of {}",
            result.value.map_or_else(String::new, |v| quantity(v, unit)),
            result.warning.map_or_else(String::new, |w| quantity(w, unit))
        ),
        Finding::Regression { change, threshold, p_value, severity } => format!(
            "regression: {} than the baseline of {}{} (threshold {:.0}%){}; {}, severity {}",
            worse(result, *change),
            baseline_words(result),
            newest_run_words(result, *change),
            threshold * 100.0,
            result.open_regression.as_ref().map_or_else(String::new, open_words),
            p_value.map_or_else(|| "too few baseline runs for a confidence".to_owned(), |p| format!("confidence {}", confidence(p))),
            severity.as_str()
        ),
        Finding::Inconclusive { change, p_value, runs } => format!(
            "inconclusive: {} than the baseline of {} in {}, beyond its noise (confidence {}) but not confirmed; rerun the benchmark on the same commit (exit code 3)",
            worse(result, *change),
            baseline_words(result),
            if *runs == 1 { "one run".to_owned() } else { format!("{runs} runs of this commit") },
            confidence(*p_value)
        ),
        Finding::SlowRunner(slow) => slow_runner_words(result, slow),
        Finding::BaseRegression { since, change, runs, days, from_zero } => format!(
            "the baseline branch has an open regression: {} since run `{since}` ({}), not accepted by anyone; this run is judged against the base as it is now",
            worse_by(*from_zero, *change),
            age_words(*runs, *days)
        ),
        Finding::UnconfirmedStep { .. } => unconfirmed_words(result, finding),
        Finding::WithinNoise { change, p_value } => format!(
            "{} than the baseline of {}, but within its noise (confidence only {}): not a regression",
            worse(result, *change),
            baseline_words(result),
            confidence(*p_value)
        ),
        Finding::Accepted { since, change, by, from_zero } => {
            format!(
                "accepted: the baseline is a level {} than the one before it, since run `{since}`, accepted by {by}",
                worse_by(*from_zero, *change)
            )
        }
        Finding::BeyondAccepted { key, accepted, change, from_zero } => format!(
            "not accepted: the triage of `{key}` accepted a level {} than the one before it; this level is {}, more than that and the threshold (a bigger step since, merged with it, or a regression nobody accepted before it). Triage `{key}` again to accept the level as it is now (a regression before it, at its own first run)",
            worse_by(*from_zero, *accepted),
            worse_by(*from_zero, *change)
        ),
        // From zero no share of the baseline measures the gain, and scaling the limit by a share of
        // it proposed limits the new level already broke (0 → 300 rps under a minimum of 100: 400).
        Finding::Improvement { change } if from_zero(result) => format!(
            "improvement: no longer zero ({} of the limit), better than the baseline of {}; the baseline restarts at the new level",
            percent(*change),
            result.baseline.as_ref().map_or_else(String::new, |b| quantity(b.value, unit))
        ),
        Finding::Improvement { change } => format!(
            "improvement: {:.1}% better than the baseline of {}; the baseline restarts at the new level. To keep the gain, propose a tighter budget: `headroom propose --id tighten-{} --set {}={}`",
            change * 100.0,
            result.baseline.as_ref().map_or_else(String::new, |b| quantity(b.value, unit)),
            result.id.replace('.', "-"),
            result.id,
            tightened_limit(result, *change)
        ),
        Finding::NoMetric { .. } | Finding::MappedMetricMissing { .. } | Finding::NoRun if unloaded.is_some() => format!(
            "no {} `{}` in the history that loaded: {}, and none of its runs is read; fix it, then check again",
            if matches!(finding, Finding::NoRun) { "run in this environment measures" } else { "metric" },
            result.metric,
            unloaded.unwrap_or_default()
        ),
        Finding::NoMetric { nearest } => no_metric_words(result, nearest),
        Finding::MappedMetricMissing { missing, line, nearest } => format!(
            "headroom.yaml:{line} maps `{}` to {}, which no run in the history has{}",
            result.metric,
            names(missing),
            map_advice(&result.metric, nearest)
        ),
        Finding::Ambiguous { candidates, reason } => format!(
            "ambiguous: {reason}; say which measures `{}` under `metrics:` in headroom.yaml, e.g. `{}`",
            result.metric,
            map_line(&result.metric, candidates.first().map_or("BENCHMARK", String::as_str))
        ),
        Finding::NotInRun { last_seen } => match last_seen {
            Some(run) => format!("the checked run has no value for `{}` (last seen in run `{run}`)", result.metric),
            None => format!("the checked run has no value for `{}`", result.metric),
        },
        Finding::NoRun => format!("no run in this environment: nothing measures `{}` here, so it is not checked", result.metric),
        Finding::NoBaseline => "no earlier run of the baseline branch to compare with".to_owned(),
        Finding::UnitMismatch { history_unit } => {
            format!("the history records `{}` in {history_unit}, which does not convert to the budget's {unit}", result.metric)
        }
    }
}

/// A metric the history has no run of, with where to look: a near name (a typo on one side), the
/// benchmark names that would measure it, the nearest benchmarks to map.
fn no_metric_words(result: &BudgetResult, nearest: &[String]) -> String {
    let unit = result.unit.symbol();
    if let Some(typo) = crate::model::error::did_you_mean(&result.metric, nearest.iter().map(String::as_str)) {
        return format!(
            "no metric `{}` in the history; did you mean `{typo}`? (a typo on one side; or, if `{typo}` measures it, add under `metrics:` in headroom.yaml: `{}`)",
            result.metric,
            map_line(&result.metric, typo)
        );
    }
    let named = match result.metric.split_once('.') {
        Some((capability, _)) if result.unit.dimension() == crate::model::units::Dimension::Time => format!(
            " (no benchmark `test_{capability}`, `test_{capability}[...]` or in a pytest-benchmark group `{capability}`, none mapped in headroom.yaml's `metrics:`)"
        ),
        Some((capability, kind)) if !kind.contains('.') => format!(
            " (no benchmark `test_{capability}` records `{kind}`: a pytest-benchmark test can, with `benchmark.extra_info[\"{kind}_{}\"] = ...`, imported as `test_{capability}.{kind}`; none mapped in headroom.yaml's `metrics:`)",
            unit.to_ascii_lowercase()
        ),
        _ => " (none mapped in headroom.yaml's `metrics:`)".to_owned(),
    };
    format!("no metric `{}` in the history: nothing measures this budget{named}{}", result.metric, map_advice(&result.metric, nearest))
}

/// The history's metrics that measure `metric` where its own name is not there ([`crate::model::measures`]).
fn measured_by(workspace: &Workspace, metric: &str) -> Vec<String> {
    match workspace.measures.get(metric) {
        Some(Resolution::Measured(m)) => m.sources.clone(),
        _ => Vec::new(),
    }
}

/// `` `a`, `b` ``.
fn names(list: &[String]) -> String {
    list.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// The line of `headroom.yaml`'s `metrics:` that makes `name` measure `metric`.
#[must_use]
pub fn map_line(metric: &str, name: &str) -> String {
    format!("{metric}: \"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// ". Nearest: `a`, `b`; if `a` measures it, add under `metrics:` in headroom.yaml: `m: "a"`".
fn map_advice(metric: &str, nearest: &[String]) -> String {
    match nearest.first() {
        Some(first) => format!(
            ". Nearest benchmarks: {}; if `{first}` measures it, add under `metrics:` in headroom.yaml: `{}`",
            names(nearest),
            map_line(metric, first)
        ),
        None => String::new(),
    }
}

/// A tighter limit that keeps the budget's headroom in proportion after an improvement of
/// `change`, to two significant digits (a suggestion for a proposal, never applied by itself).
fn tightened_limit(result: &BudgetResult, change: f64) -> String {
    let factor = match result.direction {
        crate::model::units::Direction::LowerIsBetter => 1.0 - change,
        crate::model::units::Direction::HigherIsBetter => 1.0 + change,
    };
    let limit = result.limit * factor;
    if limit == 0.0 || !limit.is_finite() {
        return format!("{}", result.limit);
    }
    let decimals = (1 - limit.abs().log10().floor() as i32).max(0) as usize;
    let step = 10f64.powi(-(decimals as i32));
    format!("{:.decimals$}", (limit / step).round() * step)
}

/// The parts of a line of our words: (part, whether it is code). The words mark names (runs,
/// metrics, commits, YAML keys) in Markdown backticks, which the Markdown and GitHub outputs keep
/// and the app and the HTML pages draw as code (`reverted at `ci-1133``: "reverted at ", then
/// "ci-1133" as code). A line with an odd number of backticks is not Markdown code: one plain part,
/// backticks and all. Empty parts are left out.
#[must_use]
pub fn code_spans(text: &str) -> Vec<(&str, bool)> {
    if text.matches('`').count() % 2 == 1 {
        return vec![(text, false)];
    }
    text.split('`').enumerate().filter(|(_, part)| !part.is_empty()).map(|(i, part)| (part, i % 2 == 1)).collect()
}

/// A line of our words without its Markdown backticks ([`code_spans`]), for plain text: a tooltip,
/// a screen reader.
#[must_use]
pub fn without_backticks(text: &str) -> String {
    code_spans(text).into_iter().map(|(part, _)| part).collect()
}

/// `n` and its noun: "1 problem", "2 problems" (the CLI's outputs and the app's counts alike).
#[must_use]
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// An unconfirmed step in words: where it began, why it is not told yet, when it fails, and how
/// to accept it.
fn unconfirmed_words(result: &BudgetResult, finding: &Finding) -> String {
    let Finding::UnconfirmedStep { since, change, from_zero, before, runs, tick, fails_at, judged_at } = finding else {
        return String::new();
    };
    let unit = result.unit.symbol();
    format!(
        "unconfirmed step: {} since run `{since}` ({} at {} after {} at {}); {}, so the runs do not yet tell a step from noise: {}. To keep the new value, accept it: `headroom triage {}@{since} --state wont_fix --owner NAME --note WHY`",
        worse_by(*from_zero, *change),
        plural(*runs, "run", "runs"),
        result.value.map_or_else(String::new, |v| quantity(v, unit)),
        plural(*before, "run", "runs"),
        result.baseline.as_ref().map_or_else(String::new, |b| quantity(b.value, unit)),
        if *tick {
            "the old value is a whole multiple of the step, as a coarse timer's two ticks are, and a timer reads either in any order"
        } else {
            "the first runs are too few to show the metric's noise"
        },
        match (fails_at, judged_at) {
            (Some(n), _) =>
                format!("it fails by its {} run at the new value at the latest, unless runs at the old value come back", ordinal(*n)),
            (None, Some(n)) => format!(
                "from its {} run at the new value it fails once it is worse than the first runs' level by more than the threshold beyond their error",
                ordinal(*n)
            ),
            (None, None) => "it warns until someone accepts it or runs at the old value come back".to_owned(),
        },
        result.metric
    )
}

/// `n` as an ordinal: 1st, 2nd, 3rd, 4th, 11th, 22nd.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// How long a regression has been open, in runs and days.
fn age_words(runs: usize, days: Option<f64>) -> String {
    let runs = plural(runs, "run", "runs");
    match days {
        Some(d) if d >= 1.0 => format!("open for {runs}, {d:.0} days"),
        Some(d) => format!("open for {runs}, {:.0} hours", d * 24.0),
        None => format!("open for {runs}"),
    }
}

/// " since run X (open for N runs, D days)" for a regression the baseline branch carries, and the
/// earlier run whose check failed it where this check holds that failure.
fn open_words(open: &OpenRegression) -> String {
    let held = open
        .failed_at
        .as_ref()
        .map_or_else(String::new, |run| format!(", failed at the check of run `{run}` and still past the threshold"));
    format!(
        "; open since run `{}` ({}){held}, never accepted: the baseline stays at the level before it",
        open.since_run,
        age_words(open.runs, open.days)
    )
}

fn location(workspace: &Workspace, result: &BudgetResult) -> (String, u32) {
    let budget = &workspace.budgets[result.budget];
    (join_path(&workspace.root, &budget.file), budget.pos.line)
}

fn join_path(root: &str, file: &str) -> String {
    if root.is_empty() || root == "." { file.to_owned() } else { format!("{}/{file}", root.trim_end_matches('/')) }
}

/// The verdict and the counts. Where a file did not load, the verdict is INCOMPLETE (the exit
/// code is 2) and it names what was not checked first, so no summary reads as a pass over the
/// budgets that a broken file dropped.
fn summary_line(workspace: &Workspace, report: &CheckReport) -> String {
    let (pass, warn, fail) = report.counts();
    let problems = plural(report.problems.len(), "problem", "problems");
    let counts = format!("{pass} passed, {warn} warned, {fail} failed, {problems}");
    if report.invalid_input {
        let errors = plural(workspace.errors.len(), "error", "errors");
        let unchecked: usize = workspace.unloaded.iter().map(|u| u.budgets.count).sum();
        let unchecked = if unchecked > 0 { format!(", {} not checked", plural(unchecked, "budget", "budgets")) } else { String::new() };
        return format!("INCOMPLETE{}: {errors} in the workspace's files{unchecked}; of the rest {counts}", unsigned_settings(report));
    }
    format!("{}{}: {counts}", report.status().as_str().to_uppercase(), unsigned_settings(report))
}

/// ` on unsigned settings (--threshold 100% over the signed 5%)` where a command line loosened the
/// gate's signed settings, for the summary line: a verdict reached on them is not the contract's.
fn unsigned_settings(report: &CheckReport) -> String {
    let looser: Vec<String> =
        report.overridden.iter().filter(|o| o.looser).map(|o| format!("{} {} over the signed {}", o.option, o.given, o.signed)).collect();
    if looser.is_empty() { String::new() } else { format!(" on unsigned settings ({})", looser.join(", ")) }
}

/// The stricter settings a command line gave, a note each (the looser ones are problems).
fn stricter_settings(report: &CheckReport) -> Vec<String> {
    report
        .overridden
        .iter()
        .filter(|o| !o.looser)
        .map(|o| format!("note: `{} {}` is stricter than the signed `check.{}` of {}", o.option, o.given, o.setting, o.signed))
        .collect()
}

fn run_line(report: &CheckReport) -> String {
    let env = report.environment.as_deref().unwrap_or("(none)");
    match &report.run {
        Some(run) => format!(
            "run `{}`{}{}{} in environment `{env}`, {}",
            run.id,
            run.commit.as_ref().map_or_else(String::new, |c| format!(" at {}", &c[..c.len().min(12)])),
            run.branch.as_ref().map_or_else(String::new, |b| format!(" on `{b}`")),
            run.timestamp.map_or_else(String::new, |t| format!(" ({t})")),
            match &report.baseline_from {
                Some(crate::engine::check::BaselineRuns::Run(id)) => format!("baseline run `{id}`"),
                Some(crate::engine::check::BaselineRuns::Commit(c)) => format!("baseline commit `{c}`"),
                None => format!("baseline branch `{}`", report.baseline_branch),
            }
        ),
        None => format!("no run checked in environment `{env}`"),
    }
}

fn text(workspace: &Workspace, report: &CheckReport) -> String {
    let mut out = String::new();
    out.push_str(&format!("Headroom check of {}\n{}\n\n", workspace.root, run_line(report)));
    for e in &workspace.errors {
        out.push_str(&format!("error: {e}\n"));
    }
    for p in &report.problems {
        out.push_str(&format!("{}: {}\n", p.status.as_str(), p.message));
    }
    for note in stricter_settings(report) {
        out.push_str(&format!("{note}\n"));
    }
    if !workspace.errors.is_empty() || !report.problems.is_empty() || !report.overridden.is_empty() {
        out.push('\n');
    }
    let width = report.results.iter().map(|r| r.id.len()).max().unwrap_or(6).max(6);
    out.push_str(&format!("{:<6} {:<width$} {:>12} {:>12} {:>12} {:>9}\n", "STATUS", "BUDGET", "VALUE", "LIMIT", "HEADROOM", "CHANGE"));
    for r in &report.results {
        let unit = r.unit.symbol();
        let value = r.value.map_or_else(|| "-".to_owned(), |v| quantity(v, unit));
        let headroom = r.headroom().map_or_else(|| "-".to_owned(), |h| quantity(h, unit));
        let change = change_cell(r, "-");
        out.push_str(&format!(
            "{:<6} {:<width$} {value:>12} {:>12} {headroom:>12} {change:>9}\n",
            r.status.as_str().to_uppercase(),
            r.id,
            quantity(r.limit, unit)
        ));
        for f in &r.findings {
            if f.status(report.settings.for_budget(&r.id).missing_data) != Status::Pass
                || matches!(
                    f,
                    Finding::Improvement { .. } | Finding::WithinNoise { .. } | Finding::Accepted { .. } | Finding::BeyondAccepted { .. }
                )
            {
                out.push_str(&format!("       {:width$}   {}\n", "", describe(workspace, r, f)));
            }
        }
        if let Some(Resolution::Measured(m)) = workspace.measures.get(&r.metric) {
            let how = match m.rule {
                Rule::Mapped => "headroom.yaml's `metrics:`",
                Rule::Named => "their names",
            };
            out.push_str(&format!("       {:width$}   measured by {} (by {how})\n", "", names(&m.sources)));
            if !m.passed_over.is_empty() {
                out.push_str(&format!(
                    "       {:width$}   note: {} named like `{}` but not counted ({} measures it); to count it, list it under `metrics:` in headroom.yaml\n",
                    "",
                    names(&m.passed_over),
                    r.metric.split('.').next().unwrap_or_default(),
                    names(&m.sources)
                ));
            }
        }
        for line in hint_lines(r) {
            out.push_str(&format!("       {:width$}     {line}\n", ""));
        }
        if r.status != Status::Pass
            && let Some(line) = noise_and_trend(r)
        {
            out.push_str(&format!("       {:width$}     {line}\n", ""));
        }
    }
    if !report.unbudgeted.is_empty() {
        out.push_str(&format!("\nMetrics with no budget: {}\n", report.unbudgeted.join(", ")));
    }
    if let Some(line) = incidents_line(report) {
        out.push_str(&format!("\n{line}\n"));
    }
    out.push_str(&format!("\n{}\n", summary_line(workspace, report)));
    out
}

/// The runs every baseline left out as the runner's brief incidents, in words (the CLI's text and
/// the app's status strip); `None` where there were none.
#[must_use]
pub fn incidents_line(report: &CheckReport) -> Option<String> {
    (!report.incidents.is_empty()).then(|| {
        format!(
            "Left out of every baseline as the runner's brief incidents (every budget slower at once, then back): {}",
            report.incidents.join(", ")
        )
    })
}

fn number(v: Option<f64>) -> serde_json::Value {
    v.filter(|v| v.is_finite()).map_or(serde_json::Value::Null, |v| serde_json::json!(v))
}

/// `settings_overridden`: the gate settings a command line gave over the signed ones.
fn overrides_json(report: &CheckReport) -> serde_json::Value {
    report
        .overridden
        .iter()
        .map(|o| serde_json::json!({"setting": o.setting, "option": o.option, "signed": o.signed, "given": o.given, "looser": o.looser}))
        .collect()
}

/// A budget's trend in the check's JSON.
fn trend_json(t: &crate::engine::analyze::Trend) -> serde_json::Value {
    serde_json::json!({
        "per_run": number(Some(t.per_run)),
        "per_day": number(t.per_day),
        "p_value": number(Some(t.p_value)),
        "worsening": t.worsening,
        "runs_to_limit": number(t.runs_to_limit),
        "date_at_limit": t.date_at_limit.map(|d| d.to_string()),
        "over_limit": t.over_limit,
    })
}

/// A finding's own fields in the JSON beside its code, status and message: a regression's severity
/// and confidence, an unconfirmed step's runs.
fn finding_fields(v: &mut serde_json::Value, f: &Finding) {
    if let Finding::Regression { severity, p_value, .. } = f {
        v["severity"] = serde_json::json!(severity.as_str());
        v["confidence"] = number(p_value.map(|p| 1.0 - p));
    }
    // The change the finding's words give: a regression's level (the result's `change` is the
    // checked run's), the newest run's where it asks for a rerun or is within the noise.
    if let Finding::Regression { change, .. } | Finding::Inconclusive { change, .. } | Finding::WithinNoise { change, .. } = f {
        v["change"] = number(Some(*change));
    }
    if let Finding::Improvement { change } = f {
        v["change"] = number(Some(-*change));
    }
    if let Finding::UnconfirmedStep { since, change, runs, before, fails_at, judged_at, .. } = f {
        v["since_run"] = serde_json::json!(since);
        v["change"] = serde_json::json!(change);
        v["runs"] = serde_json::json!(runs);
        v["runs_before"] = serde_json::json!(before);
        v["fails_at_run"] = serde_json::json!(fails_at);
        v["judged_at_run"] = serde_json::json!(judged_at);
    }
    if let Finding::SlowRunner(slow) = f {
        v["slow_runs"] = serde_json::json!(slow.slow_runs);
        v["runs"] = serde_json::json!(slow.runs);
        v["slowdown"] = serde_json::json!(slow.slowdown);
        v["budgets"] = serde_json::json!(slow.budgets);
        v["own_change"] = serde_json::json!(slow.own_change);
    }
    if let Finding::BeyondAccepted { key, accepted, change, .. } = f {
        v["triage"] = serde_json::json!(key);
        v["accepted_change"] = serde_json::json!(accepted);
        v["change"] = serde_json::json!(change);
    }
}

fn json(workspace: &Workspace, report: &CheckReport) -> String {
    use serde_json::json;
    let (pass, warn, fail) = report.counts();
    let results: Vec<serde_json::Value> = report
        .results
        .iter()
        .map(|r| {
            let budget = &workspace.budgets[r.budget];
            json!({
                "budget": r.id,
                "name": budget.name,
                "metric": r.metric,
                "measured_by": measured_by(workspace, &r.metric),
                "file": budget.file,
                "line": budget.pos.line,
                "status": r.status.as_str(),
                "unit": r.unit.symbol(),
                "statistic": budget.statistic.to_string(),
                "direction": r.direction.to_string(),
                "value": number(r.value),
                "limit": r.limit,
                "warning": number(r.warning),
                "headroom": number(r.headroom()),
                "headroom_ratio": number(r.headroom_fraction()),
                "baseline": r.baseline.as_ref().map(|b| json!({
                    "value": b.value,
                    "runs": b.runs,
                    "noise": number(b.noise),
                    "since": b.since,
                    "last_run": b.last_run,
                    "last_commit": b.last_commit,
                    "held": b.held,
                })),
                "change": number(r.change()),
                "p_value": number(r.p_value),
                "confidence": number(r.p_value.map(|p| 1.0 - p)),
                "smallest_flaggable_change": number(r.smallest_flaggable),
                "trend": r.trend.as_ref().map(trend_json),
                "findings": r.findings.iter().map(|f| {
                    let mut v = json!({
                        "code": f.code(),
                        "status": f.status(report.settings.for_budget(&r.id).missing_data).as_str(),
                        "message": describe(workspace, r, f),
                    });
                    finding_fields(&mut v, f);
                    v
                }).collect::<Vec<_>>(),
                "hints": r.hints.as_ref().map(|h| json!({
                    "last_good_run": h.last_good_run,
                    "commits": {"last_good": h.commit_range.0, "first_bad": h.commit_range.1},
                    "allocations": h.allocations.iter().map(|a| json!({"budget": a.id, "change": a.change, "share": a.share})).collect::<Vec<_>>(),
                    "related": h.related,
                })),
                "open_regression": r.open_regression.as_ref().map(|o| json!({
                    "since_run": o.since_run,
                    "first_commit": o.first_commit,
                    "runs": o.runs,
                    "days": number(o.days),
                    "evidence_runs": o.evidence_runs,
                    "failed_at": o.failed_at,
                })),
            })
        })
        .collect();
    let doc = json!({
        "schema_version": 1,
        "workspace": workspace.root,
        "status": report.status().as_str(),
        "exit_code": report.exit_code(),
        "environment": report.environment,
        "run": report.run.as_ref().map(|r| json!({
            "id": r.id,
            "commit": r.commit,
            "branch": r.branch,
            "timestamp": r.timestamp.map(|t| t.to_string()),
        })),
        "baseline_branch": report.baseline_branch,
        "baseline_run": match &report.baseline_from { Some(crate::engine::check::BaselineRuns::Run(id)) => Some(id), _ => None },
        "baseline_commit": match &report.baseline_from { Some(crate::engine::check::BaselineRuns::Commit(c)) => Some(c), _ => None },
        "regression_threshold": report.settings.regression_threshold,
        "significance": report.settings.significance,
        "summary": {"pass": pass, "warn": warn, "fail": fail},
        "results": results,
        "problems": report.problems.iter().map(|p| json!({"status": p.status.as_str(), "message": p.message})).collect::<Vec<_>>(),
        "settings_overridden": overrides_json(report),
        "errors": workspace.errors.iter().map(|e| json!({
            "file": e.file, "line": e.pos.line, "column": e.pos.column, "field": e.field, "message": e.message,
        })).collect::<Vec<_>>(),
        "unbudgeted_metrics": report.unbudgeted,
        "incident_runs": report.incidents,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Escapes text for XML attributes and content.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn junit(workspace: &Workspace, report: &CheckReport) -> String {
    let (_, _, fail) = report.counts();
    let errors = workspace.errors.len() + report.problems.iter().filter(|p| p.status == Status::Fail).count();
    let tests = report.results.len() + workspace.errors.len() + report.problems.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"headroom\" tests=\"{tests}\" failures=\"{fail}\" errors=\"{errors}\">\n  <testsuite name=\"headroom check {}\" tests=\"{tests}\" failures=\"{fail}\" errors=\"{errors}\" skipped=\"0\">\n",
        xml(report.environment.as_deref().unwrap_or("")),
    ));
    out.push_str(&format!("    <properties><property name=\"run\" value=\"{}\"/></properties>\n", xml(&run_line(report))));
    for e in &workspace.errors {
        out.push_str(&format!(
            "    <testcase classname=\"headroom.input\" name=\"{}\" file=\"{}\" line=\"{}\">\n      <error message=\"{}\" type=\"invalid_input\"/>\n    </testcase>\n",
            xml(&e.file),
            xml(&e.file),
            e.pos.line,
            xml(&e.to_string())
        ));
    }
    for (i, p) in report.problems.iter().enumerate() {
        out.push_str(&format!("    <testcase classname=\"headroom.check\" name=\"problem {}\">\n", i + 1));
        if p.status == Status::Fail {
            out.push_str(&format!("      <error message=\"{}\" type=\"problem\"/>\n", xml(&p.message)));
        } else {
            out.push_str(&format!("      <system-out>{}</system-out>\n", xml(&p.message)));
        }
        out.push_str("    </testcase>\n");
    }
    for r in &report.results {
        let (file, line) = location(workspace, r);
        let class = r.id.rsplit_once('.').map_or("headroom", |(group, _)| group);
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{line}\">\n",
            xml(class),
            xml(&r.id),
            xml(&file)
        ));
        let messages: Vec<String> = r.findings.iter().map(|f| describe(workspace, r, f)).collect();
        match r.status {
            Status::Fail => out.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                xml(&messages.first().cloned().unwrap_or_default()),
                r.findings.first().map_or("fail", Finding::code),
                xml(&messages.join("\n"))
            )),
            Status::Warn | Status::Pass if !messages.is_empty() => {
                out.push_str(&format!("      <system-out>{}</system-out>\n", xml(&messages.join("\n"))));
            }
            Status::Warn | Status::Pass => {}
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn status_icon(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅",
        Status::Warn => "⚠️",
        Status::Fail => "❌",
    }
}

fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn markdown(workspace: &Workspace, report: &CheckReport) -> String {
    let mut out = format!(
        "## {} Headroom: {}\n\n{}\n\n",
        status_icon(report.status()),
        summary_line(workspace, report),
        markdown_cell(&run_line(report))
    );
    for e in &workspace.errors {
        out.push_str(&format!("- ❌ **invalid input** `{}`\n", markdown_cell(&e.to_string())));
    }
    for p in &report.problems {
        out.push_str(&format!("- {} {}\n", status_icon(p.status), markdown_cell(&p.message)));
    }
    for note in stricter_settings(report) {
        out.push_str(&format!("- {}\n", markdown_cell(&note)));
    }
    if !workspace.errors.is_empty() || !report.problems.is_empty() || !report.overridden.is_empty() {
        out.push('\n');
    }
    out.push_str("| | Budget | Value | Limit | Headroom | vs. baseline | Notes |\n|---|---|---:|---:|---:|---:|---|\n");
    // Failures first: a reviewer reads the top of the comment.
    let mut ordered: Vec<&BudgetResult> = report.results.iter().collect();
    ordered.sort_by_key(|r| std::cmp::Reverse(r.status));
    for r in ordered {
        let unit = r.unit.symbol();
        let notes: Vec<String> = r
            .findings
            .iter()
            .filter(|f| !matches!(f, Finding::NoBaseline) || r.status != Status::Pass)
            .map(|f| describe(workspace, r, f))
            .collect();
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} |\n",
            status_icon(r.status),
            r.id,
            r.value.map_or_else(|| "–".to_owned(), |v| quantity(v, unit)),
            quantity(r.limit, unit),
            r.headroom().map_or_else(|| "–".to_owned(), |h| quantity(h, unit)),
            change_cell(r, "–"),
            markdown_cell(&notes.join("; "))
        ));
    }
    out
}

/// Escapes a GitHub workflow command's message (`%`, CR, LF) and property values (also `:` and `,`).
fn github_escape(text: &str, property: bool) -> String {
    let s = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property { s.replace(':', "%3A").replace(',', "%2C") } else { s }
}

fn github(workspace: &Workspace, report: &CheckReport) -> String {
    let mut out = String::new();
    for e in &workspace.errors {
        out.push_str(&format!(
            "::error file={},line={},col={},title={}::{}\n",
            github_escape(&join_path(&workspace.root, &e.file), true),
            e.pos.line.max(1),
            e.pos.column.max(1),
            github_escape("Headroom: invalid input", true),
            github_escape(&e.to_string(), false)
        ));
    }
    for p in &report.problems {
        let level = if p.status == Status::Fail { "error" } else { "warning" };
        out.push_str(&format!("::{level} title={}::{}\n", github_escape("Headroom check", true), github_escape(&p.message, false)));
    }
    for r in &report.results {
        let level = match r.status {
            Status::Fail => "error",
            Status::Warn => "warning",
            Status::Pass => continue,
        };
        let (file, line) = location(workspace, r);
        let messages: Vec<String> = r.findings.iter().map(|f| describe(workspace, r, f)).collect();
        out.push_str(&format!(
            "::{level} file={},line={line},title={}::{}\n",
            github_escape(&file, true),
            github_escape(&format!("Budget {}", r.id), true),
            github_escape(&messages.join("\n"), false)
        ));
    }
    out.push_str(&format!("::notice title=Headroom::{}\n", github_escape(&summary_line(workspace, report), false)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forecast_in_words_has_a_readable_count_of_runs() {
        let trend = |runs: f64, date: Option<crate::model::time::Timestamp>| crate::engine::analyze::Trend {
            per_run: 0.185,
            per_day: Some(18.8),
            p_value: 1e-13,
            worsening: true,
            runs_to_limit: Some(runs),
            date_at_limit: date,
            over_limit: false,
        };
        assert_eq!(forecast_words(&trend(5.4e300, None)).as_deref(), Some("reaches the limit in about 5.40e300 runs"));
        assert_eq!(forecast_short(&trend(5.4e300, None)).as_deref(), Some("limit in 5.40e300 runs"));
        let date = crate::model::time::Timestamp::parse("2030-08-14T00:00:00Z").ok();
        assert_eq!(forecast_words(&trend(1358.2, date)).as_deref(), Some("reaches the limit in about 1358 runs (2030-08-14)"));
    }

    #[test]
    fn quantities_read_rounded_and_huge_or_tiny_ones_in_three_significant_digits() {
        assert_eq!(quantity(41.234, "ms"), "41.2 ms");
        assert_eq!(quantity(1234.6, "ms"), "1235 ms");
        assert_eq!(quantity(0.0048, "MB"), "0.0048 MB");
        assert_eq!(quantity(-0.0, "ms"), "0 ms");
        assert_eq!(quantity(8_589_934_592.0, "B"), "8589934592 B");
        assert_eq!(quantity(1e300, "ms"), "1e300 ms");
        assert_eq!(quantity(-1.2345e20, "ms"), "-1.23e20 ms");
        assert_eq!(quantity(2.5e15, "%"), "2.5e15%");
        assert_eq!(quantity(1.02e-300, "ms"), "1.02e-300 ms");
        assert_eq!(quantity(-4.8e-11, "s"), "-4.8e-11 s");
        assert_eq!(quantity(1.5e-10, "s"), "0.00000000015 s");
    }

    #[test]
    fn what_a_triage_accepts_reads_alike_everywhere_and_names_each_environment() {
        use crate::model::triage::{TriageEntry, TriageState};
        let mut e = TriageEntry {
            state: TriageState::WontFix,
            owner: "m".into(),
            note: "n".into(),
            accepted_change: Some(0.12),
            ..TriageEntry::default()
        };
        assert_eq!(accepted_words(&e).as_deref(), Some("accepts a level up to +12.0% worse"));
        e.accepted_by_environment = [("linux".to_owned(), 0.12), ("mac".to_owned(), 0.45)].into();
        assert_eq!(accepted_words(&e).as_deref(), Some("accepts a level up to +12.0% in linux, +45.0% in mac worse"));
        e.accepted_by_environment.insert("windows".to_owned(), -0.2);
        assert_eq!(
            accepted_words(&e).as_deref(),
            Some("accepts a level up to +12.0% worse in linux, a level up to +45.0% worse in mac, no worse level in windows")
        );
        e.accepted_by_environment.clear();
        e.accepted_change = Some(-0.2);
        assert_eq!(accepted_words(&e).as_deref(), Some("accepts no worse level"));
        e.state = TriageState::Investigating;
        assert_eq!(accepted_words(&e), None);
    }
    use crate::engine::check::{CheckOptions, Problem, check};

    #[test]
    fn a_metric_missing_where_a_history_file_did_not_load_names_that_file_and_its_error() {
        let w = Workspace::from_files(
            "w",
            &[
                ("caps.yaml".into(), "api:\n  max_latency_ms: 5\n".into()),
                ("history/a.jsonl".into(), r#"{"id":"r1","metrics":{"test_other":{"samples":[0.001],"unit":"s"}}}"#.into()),
                (
                    "history/b.jsonl".into(),
                    "{\"id\":\"r2\",\"metrics\":{\"test_api\":{\"samples\":[0.001],\"unit\":\"s\"}}}\n{\"id\": \n".into(),
                ),
            ],
        );
        assert_eq!(w.unloaded_history, ["history/b.jsonl"]);
        let report = check(&w, &CheckOptions::default());
        let latency = report.results.iter().find(|r| r.id == "api.latency").unwrap();
        assert_eq!(latency.findings[0].code(), "no_metric");
        let line = describe(&w, latency, &latency.findings[0]);
        assert!(
            line.starts_with("no metric `api.latency` in the history that loaded: the history file `history/b.jsonl` (line 2"),
            "{line}"
        );
        assert!(line.contains("not valid JSON") && !line.contains("nothing measures this budget"), "{line}");
        // Said alike in the text and in the JSON a CI job reads.
        assert!(render(Format::Text, &w, &report).contains(&line));
        let json: serde_json::Value = serde_json::from_str(&render(Format::Json, &w, &report)).unwrap();
        let budget = json["results"].as_array().unwrap().iter().find(|r| r["budget"] == "api.latency").unwrap();
        assert_eq!(budget["findings"][0]["message"], line.as_str());
    }

    #[test]
    fn backticks_mark_code_and_an_odd_one_is_kept_as_written() {
        assert_eq!(code_spans("reverted at `ci-1133`: back"), vec![("reverted at ", false), ("ci-1133", true), (": back", false)]);
        assert_eq!(without_backticks("open since run `ci-1085` (3 days)"), "open since run ci-1085 (3 days)");
        assert_eq!(without_backticks("`a` and `b`"), "a and b");
        assert_eq!(without_backticks("a ` alone"), "a ` alone");
        assert_eq!(code_spans("a ` alone"), vec![("a ` alone", false)]);
    }

    #[test]
    fn a_memory_budget_nothing_measures_says_how_a_pytest_benchmark_test_records_memory() {
        let w = Workspace::from_files(
            "w",
            &[
                ("caps.yaml".into(), "api:\n  max_latency_ms: 5\n  max_memory_mb: 2\n".into()),
                ("history/r.jsonl".into(), r#"{"id":"r1","metrics":{"test_api":{"samples":[0.001,0.002],"unit":"s"}}}"#.into()),
            ],
        );
        let report = check(&w, &CheckOptions::default());
        let memory = report.results.iter().find(|r| r.id == "api.memory").unwrap();
        let text = describe(&w, memory, &memory.findings[0]);
        assert!(
            text.contains(
                r#"no benchmark `test_api` records `memory`: a pytest-benchmark test can, with `benchmark.extra_info["memory_mb"] = ...`"#
            ),
            "{text}"
        );
        let latency = report.results.iter().find(|r| r.id == "api.latency").unwrap();
        assert!(latency.value.is_some_and(|ms| ms > 1.0 && ms <= 2.0), "{latency:?}");
        assert_eq!(measured_by(&w, "api.latency"), ["test_api"]);
    }

    #[test]
    fn the_summary_counts_one_problem_in_the_singular() {
        let w = Workspace::from_files("w", &[("caps.yaml".into(), "api:\n  max_latency_ms: 5\n".into())]);
        let mut report = check(&w, &CheckOptions::default());
        report.problems = vec![Problem { status: Status::Fail, message: "one".into() }];
        assert!(summary_line(&w, &report).ends_with(", 1 problem"), "{}", summary_line(&w, &report));
        report.problems.push(Problem { status: Status::Warn, message: "two".into() });
        assert!(summary_line(&w, &report).ends_with(", 2 problems"), "{}", summary_line(&w, &report));
    }

    #[test]
    fn a_file_that_did_not_load_makes_the_summary_incomplete_and_names_its_unchecked_budgets() {
        let w = Workspace::from_files(
            "w",
            &[
                ("caps.yaml".into(), "api:\n  max_latency_ms: 5\n".into()),
                ("db.yaml".into(), "db:\n  max_latency_ms: [5\n  max_memory_mb: 3\n".into()),
            ],
        );
        let report = check(&w, &CheckOptions::default());
        let line = summary_line(&w, &report);
        assert!(line.starts_with("INCOMPLETE: 1 error in the workspace's files, 2 budgets not checked; of the rest "), "{line}");
        assert!(!line.contains("PASS"), "{line}");
    }
}
