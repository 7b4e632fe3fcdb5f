//! Which of the history's metrics measure each budget, so that benchmarks keep the names their
//! authors gave them and budget files keep ADR 030's form.
//!
//! A budget's metric (`schema_validator.latency`) is measured by `headroom.yaml`'s `metrics:`
//! map alone where it names it, else by both of the others (the worst counts, as below):
//!
//! 1. `headroom.yaml`'s `metrics:` map, where it names the budget's metric: the metrics named
//!    there, from any importer (`schema_validator.latency: "bench_validate[large]"`);
//! 2. a metric of the history of the budget's own name (never alone where benchmarks are named
//!    after it too: one run of any branch with that name, and the history is not signed, would
//!    take the budget from its benchmarks, and a run without it would have nothing to fail on);
//! 3. benchmarks named after the capability `C` of a metric `C.K` (one dot, as the ADR form
//!    writes them), where the metric's unit converts into the budget's:
//!    - for a time (`max_latency_ms`): the benchmark itself, `test_C`, `test_C[...]`
//!      (parametrised), `C`, or any benchmark of pytest-benchmark's group `C`; where there is
//!      none of these, the variants `test_C_*`;
//!    - for any other kind `K` (`max_memory_mb`): such a benchmark's `extra_info` metric `.K` or
//!      `.<x>_K` (`test_C.memory`, `test_C.peak_memory`).
//!
//! Where several metrics measure one budget (the cases of a parametrised test), the worst of
//! them in each run counts: each case must keep the budget.
//!
//! Nothing is guessed silently: a variant `test_metrics_exporter` belongs to a capability
//! `metrics_exporter` where there is one (the longer name wins), and is passed over, with a note,
//! where `test_metrics` itself measures `metrics`; a benchmark named after one capability but in
//! another's group, or one that records two metrics of the same kind (`memory` and
//! `peak_memory`), makes its budgets [`Resolution::Ambiguous`], which fails the check with the
//! line of `headroom.yaml` that decides it.

use super::budget::{Budget, BudgetKind};
use super::config::{CONFIG_FILE, Config};
use super::error::{LoadError, edit_distance};
use super::history::{History, PointRef, Series};
use super::units::{Dimension, Unit};
use std::collections::{BTreeMap, BTreeSet};

/// How a budget's measuring metrics were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Named in `headroom.yaml`'s `metrics:`.
    Mapped,
    /// Benchmarks named after the capability, or in its group.
    Named,
}

/// The metrics that measure one budget.
#[derive(Clone, Debug, PartialEq)]
pub struct Measure {
    /// The history's metrics, in name order.
    pub sources: Vec<String>,
    /// How they were found.
    pub rule: Rule,
    /// Variants named like the capability (`test_C_*`) that were not counted because the
    /// benchmark itself measures it: shown, so nobody wonders where they went.
    pub passed_over: Vec<String>,
}

/// What measures a budget whose own name is not in the history (or which `metrics:` maps).
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution {
    /// These metrics measure it; the history holds their combined series under the budget's name.
    Measured(Measure),
    /// More than one reading is possible; the check fails until `headroom.yaml` decides.
    Ambiguous {
        /// The metrics that could measure it.
        candidates: Vec<String>,
        /// Why they conflict.
        reason: String,
    },
    /// `metrics:` names metrics that no run has.
    MappedToNothing {
        /// The names missing from the history.
        missing: Vec<String>,
        /// The line of `headroom.yaml` that names them.
        line: u32,
    },
}

/// Resolves every budget of `budgets` that `config` maps or whose metric is not in `history`, and
/// adds each measured budget's series to `history` under the budget's metric. Returns the
/// resolutions by budget metric, and the errors of `metrics:` entries that name no budget.
pub fn resolve(budgets: &[Budget], config: &Config, history: &mut History) -> (BTreeMap<String, Resolution>, Vec<LoadError>) {
    let mut errors = Vec::new();
    for (metric, map) in &config.metrics {
        if !budgets.iter().any(|b| b.kind == BudgetKind::Metric && &b.metric == metric) {
            let hint =
                super::error::did_you_mean_hint(metric, budgets.iter().filter(|b| b.kind == BudgetKind::Metric).map(|b| b.metric.as_str()));
            errors.push(LoadError::new(CONFIG_FILE, map.pos, format!("metrics.{metric}"), format!("no budget measures `{metric}`{hint}")));
        }
    }
    let mapped: BTreeSet<&str> = config.metrics.values().flat_map(|m| m.names.iter().map(String::as_str)).collect();
    let capabilities: BTreeSet<&str> = budgets.iter().filter_map(|b| capability_of(&b.metric).map(|(c, _)| c)).collect();
    let claims = claims(history, &capabilities, &mapped);
    let own_metrics: BTreeSet<&str> = budgets.iter().filter(|b| b.kind == BudgetKind::Metric).map(|b| b.metric.as_str()).collect();
    let mut resolutions = BTreeMap::new();
    for budget in budgets.iter().filter(|b| b.kind == BudgetKind::Metric) {
        if resolutions.contains_key(&budget.metric) {
            continue;
        }
        let resolution = if let Some(map) = config.metrics.get(&budget.metric) {
            let missing: Vec<String> = map.names.iter().filter(|n| !history.series.contains_key(*n)).cloned().collect();
            if missing.is_empty() {
                Resolution::Measured(Measure { sources: map.names.clone(), rule: Rule::Mapped, passed_over: Vec::new() })
            } else {
                Resolution::MappedToNothing { missing, line: map.pos.line }
            }
        } else if history.series.contains_key(&budget.metric) {
            // Its own metric measures it, and so do the benchmarks named after it: which metrics
            // measure a budget must not hang on whether some run of the history (which nobody
            // signs) bears its own name. One run of another branch named so would otherwise take
            // the budget from its benchmarks, and the checked run, without that name, would have
            // nothing to fail on.
            // (Another budget's own metric, `database.batch_insert` beside `database.insert`,
            // measures that budget, not this one.)
            match by_name(budget, &claims, &own_metrics) {
                Some(Resolution::Measured(mut measure)) => {
                    if measure.sources.iter().all(|s| *s == budget.metric) {
                        continue;
                    }
                    if !measure.sources.contains(&budget.metric) {
                        measure.sources.push(budget.metric.clone());
                        measure.sources.sort();
                    }
                    Resolution::Measured(measure)
                }
                Some(ambiguous @ Resolution::Ambiguous { .. }) => ambiguous,
                _ => continue,
            }
        } else if let Some(found) = by_name(budget, &claims, &BTreeSet::new()) {
            found
        } else {
            continue;
        };
        resolutions.insert(budget.metric.clone(), resolution);
    }
    drop(claims);
    for budget in budgets.iter().filter(|b| b.kind == BudgetKind::Metric) {
        if let Some(Resolution::Measured(measure)) = resolutions.get(&budget.metric) {
            let combined = combine(budget, history, &measure.sources);
            history.series.insert(budget.metric.clone(), combined);
        }
    }
    (resolutions, errors)
}

/// `schema_validator.latency` → (`schema_validator`, `latency`); `None` for any other shape.
fn capability_of(metric: &str) -> Option<(&str, &str)> {
    let (capability, kind) = metric.split_once('.')?;
    (!capability.is_empty() && !kind.is_empty() && !kind.contains('.')).then_some((capability, kind))
}

/// A metric's name read as a benchmark's: `test_schema_validator[large].peak_memory` is the
/// benchmark `test_schema_validator[large]`, its base `schema_validator` and its key
/// `peak_memory`.
struct Parts<'a> {
    benchmark: &'a str,
    base: &'a str,
    key: Option<&'a str>,
}

fn parts(name: &str) -> Parts<'_> {
    let head_end = name.find(['[', '.']).unwrap_or(name.len());
    let head = &name[..head_end];
    let base = head.strip_prefix("test_").unwrap_or(head);
    let (benchmark, key) = if name[head_end..].starts_with('[') {
        match name.rfind(']') {
            Some(close) if close + 1 == name.len() => (name, None),
            Some(close) if name[close + 1..].starts_with('.') => (&name[..=close], Some(&name[close + 2..])),
            _ => (name, None),
        }
    } else if head_end < name.len() {
        (head, Some(&name[head_end + 1..]))
    } else {
        (name, None)
    };
    Parts { benchmark, base, key: key.filter(|k| !k.is_empty()) }
}

/// Which capability a benchmark's name says it measures, and whether exactly (`test_C`,
/// `test_C[...]`) or as a variant (`test_C_x`, the longest such capability).
fn claimed_by_name<'a>(base: &str, capabilities: &BTreeSet<&'a str>) -> Option<(&'a str, bool)> {
    if let Some(c) = capabilities.get(base) {
        return Some((c, true));
    }
    // The longest capability that the base continues with `_`: its prefixes at each `_`, longest first.
    base.char_indices()
        .rev()
        .filter(|&(i, c)| c == '_' && i > 0 && i + 1 < base.len())
        .find_map(|(i, _)| capabilities.get(&base[..i]))
        .map(|c| (*c, false))
}

/// A metric of the history that a capability's name or group claims.
struct Claimed<'h> {
    name: &'h str,
    series: &'h Series,
    /// The capability its name says, and whether exactly.
    named: Option<(&'h str, bool)>,
    /// The capability its pytest-benchmark group says.
    group: Option<&'h str>,
    /// Every group its runs put it in, where they disagree.
    regrouped: Option<&'h BTreeSet<String>>,
}

/// The history's metrics that a capability's name or group claims, by capability: built once, so
/// each budget looks only at its own capability's candidates.
fn claims<'h>(history: &'h History, capabilities: &BTreeSet<&'h str>, mapped: &BTreeSet<&str>) -> BTreeMap<&'h str, Vec<Claimed<'h>>> {
    let mut by_capability: BTreeMap<&str, Vec<Claimed<'_>>> = BTreeMap::new();
    for (name, series) in &history.series {
        if mapped.contains(name.as_str()) {
            continue;
        }
        let named = claimed_by_name(parts(name).base, capabilities);
        let regrouped = history.regrouped.get(name);
        // Every capability any of its runs' groups names: a budget whose benchmark a run put in
        // another group must hear of it.
        let groups: BTreeSet<&str> = match regrouped {
            Some(all) => all.iter().filter_map(|g| capabilities.get(g.as_str()).copied()).collect(),
            None => history.groups.get(name).and_then(|g| capabilities.get(g.as_str()).copied()).into_iter().collect(),
        };
        let group = groups.first().copied();
        for capability in named.map(|(c, _)| c).into_iter().chain(groups).collect::<BTreeSet<_>>() {
            by_capability.entry(capability).or_default().push(Claimed { name, series, named, group, regrouped });
        }
    }
    by_capability
}

fn unit_fits(series: &Series, budget: &Budget, whole: bool) -> bool {
    match &series.unit {
        Some(unit) => unit.convert(1.0, &budget.unit).is_some(),
        // A benchmark's own value without a unit is taken as a time only for a time budget.
        None => !whole || budget.unit.dimension() == Dimension::Time,
    }
}

/// `budgets_own` are budgets' own metrics: those of other budgets do not measure this one.
fn by_name(budget: &Budget, claims: &BTreeMap<&str, Vec<Claimed<'_>>>, budgets_own: &BTreeSet<&str>) -> Option<Resolution> {
    let (capability, kind) = capability_of(&budget.metric)?;
    let mut exact = Vec::new();
    let mut variants = Vec::new();
    let mut conflicts = Vec::new();
    let kind_suffix = format!("_{kind}");
    for claimed in claims.get(capability)?.iter().filter(|c| c.name == budget.metric || !budgets_own.contains(c.name)) {
        let (name, series) = (claimed.name, claimed.series);
        let p = parts(name);
        let fits_kind = match p.key {
            None => true,
            Some(key) => key == kind || key.ends_with(&kind_suffix),
        };
        // A benchmark's own value is its time.
        let by_key_or_whole = p.key.is_some() || budget.unit.dimension() == Dimension::Time;
        if !fits_kind || !by_key_or_whole || !unit_fits(series, budget, p.key.is_none()) {
            continue;
        }
        if let Some(all) = claimed.regrouped {
            let all: Vec<String> = all.iter().map(|g| format!("`{g}`")).collect();
            conflicts.push(format!("the runs put `{name}` in different pytest-benchmark groups ({})", all.join(", ")));
            exact.push(name.to_owned());
            continue;
        }
        match (claimed.named, claimed.group) {
            (Some((c, _)), Some(g)) if c != g => {
                conflicts.push(format!("`{name}` is named after `{c}` but its pytest-benchmark group is `{g}`"));
                exact.push(name.to_owned());
            }
            (_, Some(_)) | (Some((_, true)), _) => exact.push(name.to_owned()),
            (Some((_, false)), None) => variants.push(name.to_owned()),
            (None, None) => {}
        }
    }
    if !conflicts.is_empty() {
        return Some(Resolution::Ambiguous { candidates: exact, reason: conflicts.join("; ") });
    }
    let (sources, passed_over) = if exact.is_empty() { (variants, Vec::new()) } else { (exact, variants) };
    if sources.is_empty() {
        return None;
    }
    let mut by_benchmark: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in &sources {
        by_benchmark.entry(parts(s).benchmark).or_default().push(s);
    }
    if let Some((benchmark, several)) = by_benchmark.iter().find(|(_, s)| s.len() > 1) {
        return Some(Resolution::Ambiguous {
            reason: format!(
                "`{benchmark}` records {} for one `{kind}`",
                several.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" and ")
            ),
            candidates: sources,
        });
    }
    Some(Resolution::Measured(Measure { sources, rule: Rule::Named, passed_over }))
}

/// The budget's series from its sources: one source as it is; several, in each run the
/// measurement whose value of the budget's statistic is worst, in the first source's unit.
fn combine(budget: &Budget, history: &History, sources: &[String]) -> Series {
    // Per run, the worst point so far: (its value and samples in `unit`, its statistic).
    type Kept = (Option<f64>, Option<Vec<f64>>, Option<f64>);
    let found: Vec<&Series> = sources.iter().filter_map(|s| history.series.get(s)).collect();
    let Some(first) = found.first() else { return Series::default() };
    if found.len() == 1 {
        return (*first).clone();
    }
    let unit: Option<Unit> = first.unit.clone();
    let mut by_run: BTreeMap<u32, Kept> = BTreeMap::new();
    for series in &found {
        let factor = match (&series.unit, &unit) {
            (Some(from), Some(to)) => from.convert(1.0, to).unwrap_or(1.0),
            _ => 1.0,
        };
        for point in series.points() {
            let value = point.value.map(|v| v * factor);
            let samples: Option<Vec<f64>> = point.samples.map(|s| s.iter().map(|v| v * factor).collect());
            let statistic = PointRef { run: point.run, value, samples: samples.as_deref() }.statistic(budget.statistic);
            let worse = by_run.get(&point.run).is_none_or(|kept| match (statistic, kept.2) {
                (Some(v), Some(k)) => budget.direction.exceeds(v, k),
                (Some(_), None) => true,
                _ => false,
            });
            if worse {
                by_run.insert(point.run, (value, samples, statistic));
            }
        }
    }
    let mut combined = Series::new(unit);
    combined.reserve(by_run.len());
    for (run, (value, samples, _)) in by_run {
        combined.push(run, value, samples.as_deref());
    }
    combined
}

/// The history's metrics nearest to what `budget` measures, for a budget nothing measures: those
/// whose unit converts into the budget's and that measure no budget yet, closest name first, at
/// most three.
#[must_use]
pub fn nearest(budget: &Budget, history: &History, taken: &BTreeSet<&str>) -> Vec<String> {
    let (capability, kind) = capability_of(&budget.metric).unwrap_or((budget.metric.as_str(), ""));
    let mut scored: Vec<(usize, &String)> = history
        .series
        .iter()
        .filter(|(name, series)| !taken.contains(name.as_str()) && unit_fits(series, budget, parts(name).key.is_none()))
        .filter(|(name, _)| match parts(name).key {
            None => budget.unit.dimension() == Dimension::Time,
            Some(_) => true,
        })
        .map(|(name, _)| {
            let p = parts(name);
            let key_distance = p.key.map_or(0, |k| edit_distance(k, kind).min(edit_distance(k.rsplit('_').next().unwrap_or(k), kind)));
            (edit_distance(p.base, capability) + key_distance, name)
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, name)| name.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workspace::Workspace;

    const ADR: &str = "schema_validator:\n  max_latency_ms: 50\n  max_memory_mb: 10\nmetrics:\n  max_latency_ms: 5\n  max_memory_mb: 2\n";

    fn workspace(budgets: &str, config: &str, metrics: &[(&str, &str)], groups: &str) -> Workspace {
        let values: Vec<String> = metrics.iter().map(|(name, unit)| format!(r#""{name}":{{"samples":[1,2,3],"unit":"{unit}"}}"#)).collect();
        let run = format!(r#"{{"id":"r1","metrics":{{{}}}{groups}}}"#, values.join(","));
        let mut files = vec![("capability_budgets.yaml".to_owned(), budgets.to_owned()), ("history/r.jsonl".to_owned(), run)];
        if !config.is_empty() {
            files.push((CONFIG_FILE.to_owned(), config.to_owned()));
        }
        Workspace::from_files("w", &files)
    }

    fn sources(w: &Workspace, metric: &str) -> Vec<String> {
        match w.measures.get(metric) {
            Some(Resolution::Measured(m)) => m.sources.clone(),
            other => panic!("{metric}: {other:?}"),
        }
    }

    #[test]
    fn a_benchmark_named_after_a_capability_measures_its_latency_and_its_extra_info_its_memory() {
        let w =
            workspace(ADR, "", &[("test_schema_validator", "s"), ("test_schema_validator.peak_memory", "B"), ("test_metrics", "s")], "");
        assert!(w.errors.is_empty(), "{:?}", w.errors);
        assert_eq!(sources(&w, "schema_validator.latency"), ["test_schema_validator"]);
        assert_eq!(sources(&w, "schema_validator.memory"), ["test_schema_validator.peak_memory"]);
        assert_eq!(sources(&w, "metrics.latency"), ["test_metrics"]);
        assert!(w.history.series.contains_key("schema_validator.latency"));
    }

    #[test]
    fn parametrised_cases_all_measure_the_budget_and_the_worst_counts() {
        let w = workspace(ADR, "", &[("test_schema_validator[small]", "ms"), ("test_schema_validator[large]", "s")], "");
        assert_eq!(sources(&w, "schema_validator.latency"), ["test_schema_validator[large]", "test_schema_validator[small]"]);
        let series = &w.history.series["schema_validator.latency"];
        assert_eq!(series.unit, Unit::parse("s").ok());
        assert_eq!(series.point(0).samples, Some(&[1.0, 2.0, 3.0][..]), "the case in seconds is the slower");
    }

    #[test]
    fn a_variant_of_a_shorter_capability_is_passed_over_loudly_where_the_test_itself_exists() {
        let w = workspace(ADR, "", &[("test_metrics", "s"), ("test_metrics_exporter", "s")], "");
        let Some(Resolution::Measured(m)) = w.measures.get("metrics.latency") else { panic!() };
        assert_eq!(m.sources, ["test_metrics"]);
        assert_eq!(m.passed_over, ["test_metrics_exporter"]);
        let own = format!("{ADR}metrics_exporter:\n  max_latency_ms: 5\n");
        let w = workspace(&own, "", &[("test_metrics", "s"), ("test_metrics_exporter", "s")], "");
        assert_eq!(sources(&w, "metrics_exporter.latency"), ["test_metrics_exporter"]);
        let Some(Resolution::Measured(m)) = w.measures.get("metrics.latency") else { panic!() };
        assert!(m.passed_over.is_empty(), "the longer capability owns its benchmark: {m:?}");
    }

    #[test]
    fn a_pytest_benchmark_group_measures_its_capability_and_a_name_against_its_group_is_ambiguous() {
        let grouped = r#","groups":{"bench_validate[large]":"schema_validator"}"#;
        let w = workspace(ADR, "", &[("bench_validate[large]", "s")], grouped);
        assert_eq!(sources(&w, "schema_validator.latency"), ["bench_validate[large]"]);
        let crossed = r#","groups":{"test_metrics":"schema_validator"}"#;
        let w = workspace(ADR, "", &[("test_metrics", "s")], crossed);
        for metric in ["schema_validator.latency", "metrics.latency"] {
            let Some(Resolution::Ambiguous { reason, .. }) = w.measures.get(metric) else { panic!("{metric}: {:?}", w.measures) };
            assert!(reason.contains("group is `schema_validator`"), "{reason}");
        }
    }

    #[test]
    fn two_memory_figures_of_one_benchmark_are_ambiguous() {
        let w = workspace(ADR, "", &[("test_metrics.memory", "MB"), ("test_metrics.peak_memory", "B")], "");
        let Some(Resolution::Ambiguous { candidates, .. }) = w.measures.get("metrics.memory") else { panic!("{:?}", w.measures) };
        assert_eq!(candidates.len(), 2);
    }

    #[test]
    fn the_metrics_map_wins_and_must_name_a_budget_and_metrics_the_history_has() {
        let config =
            "metrics:\n  schema_validator.latency: \"bench_validate[large]\"\n  metrics.latency: [nowhere]\n  schema_validatr.memory: x\n";
        let w = workspace(ADR, config, &[("bench_validate[large]", "s"), ("test_schema_validator", "s")], "");
        assert_eq!(sources(&w, "schema_validator.latency"), ["bench_validate[large]"]);
        assert_eq!(w.measures.get("metrics.latency"), Some(&Resolution::MappedToNothing { missing: vec!["nowhere".into()], line: 3 }));
        assert_eq!(w.errors.len(), 1, "{:?}", w.errors);
        assert!(w.errors[0].to_string().contains("did you mean `schema_validator.memory`?"), "{}", w.errors[0]);
    }

    #[test]
    fn the_nearest_metrics_are_those_of_a_fitting_unit() {
        let w = workspace(ADR, "", &[("test_schema_validate", "s"), ("test_schema_validate.rss_mb", "MB"), ("bench_x", "s")], "");
        let budget = w.budget("schema_validator.latency").unwrap();
        assert_eq!(nearest(budget, &w.history, &BTreeSet::new()), ["test_schema_validate", "bench_x"]);
    }
}
