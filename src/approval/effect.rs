//! What a change of the contract does, judged by its effect rather than by what it names.
//!
//! A proposal's kind cannot come from the budgets it names: with `limit: &FIFTY 50` on a latency
//! budget and `limit: *FIFTY` on a throughput budget, "tightening" the latency lowers the
//! throughput's floor too (YAML merge keys likewise). So both sets of contract files are loaded,
//! and every budget's resolved limits and warnings in every environment, and its gate settings,
//! are compared before and after:
//!
//! ```text
//!  files before ──load──▶ budget → env → (limit, warning, gate settings) ─┐
//!                                                                         ├─ compare each ─▶ loosened / tightened
//!  files after  ──load──▶ budget → env → (limit, warning, gate settings) ─┘
//! ```
//!
//! Anything that cannot be compared in a direction (a budget removed, its metric, statistic,
//! direction or unit's dimension changed, a limit or warning dropped) counts as loosening.

use crate::model::budget::Budget;
use crate::model::config::Config;
use crate::model::retention::Retention;
use crate::model::settings::{CheckSettings, SettingChange};
use crate::model::units::Direction;
use crate::model::workspace::Workspace;
use std::collections::{BTreeMap, BTreeSet};

/// What a change does, in words: each line names the budget (or setting) and the values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Effect {
    /// What becomes more lenient (or changes in a way that cannot be called stricter).
    pub loosened: Vec<String>,
    /// What becomes stricter (or new).
    pub tightened: Vec<String>,
}

impl Effect {
    /// Whether it loosens the budget `id` (any of its limits or warnings, its gate settings, what
    /// it measures, or its removal): every line about a budget starts with its id in backticks.
    #[must_use]
    pub fn loosens(&self, id: &str) -> bool {
        let named = format!("`{id}`");
        self.loosened.iter().any(|line| line.starts_with(&named))
    }
}

/// Compares the contract files `before` and `after` (path → text) by what they mean.
#[must_use]
pub fn effect(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Effect {
    let load = |files: &BTreeMap<String, String>| {
        let list: Vec<(String, String)> = files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Workspace::from_files("", &list)
    };
    let (old, new) = (load(before), load(after));
    let mut out = Effect::default();
    config_effect(&old.config, &new.config, &mut out);
    let environments: BTreeSet<String> = old
        .config
        .environments
        .iter()
        .chain(&new.config.environments)
        .chain(old.budgets.iter().chain(&new.budgets).flat_map(|b| b.environments.keys()))
        .cloned()
        .collect();
    for b in &old.budgets {
        let Some(a) = new.budget(&b.id) else {
            out.loosened.push(format!("`{}` is removed", b.id));
            continue;
        };
        budget_effect(b, a, &environments, &mut out);
        settings_effect(&format!("`{}`", b.id), &old.config.check.for_budget(&b.id), &new.config.check.for_budget(&b.id), &mut out);
    }
    for a in new.budgets.iter().filter(|a| old.budget(&a.id).is_none()) {
        out.tightened.push(format!("`{}` is added", a.id));
    }
    out
}

fn budget_effect(old: &Budget, new: &Budget, environments: &BTreeSet<String>, out: &mut Effect) {
    let id = &old.id;
    if old.kind != new.kind
        || old.metric != new.metric
        || old.statistic != new.statistic
        || old.direction != new.direction
        || old.unit.dimension() != new.unit.dimension()
    {
        out.loosened.push(format!("`{id}` measures something else (its kind, metric, statistic, direction or unit changed)"));
        return;
    }
    match (&old.promql, &new.promql) {
        (None, Some(_)) => out.tightened.push(format!("`{id}` gets PromQL for run-time alerts")),
        (a, b) if a != b => out.loosened.push(format!("`{id}`'s PromQL for run-time alerts changes or goes")),
        _ => {}
    }
    match (&old.slo, &new.slo) {
        (None, Some(_)) => out.tightened.push(format!("`{id}` becomes an SLO with burn-rate alerts")),
        (a, b) if a != b => out.loosened.push(format!("`{id}`'s SLO counters change or go")),
        _ => {}
    }
    if old.alert != new.alert {
        // Routing, silences and dashboards know alerts by name: a new name is a change people sign.
        out.loosened.push(format!("`{id}`'s run-time alerts change their name or labels"));
    }
    // Values after the change, in the unit the budget had before.
    let convert = |v: f64| new.unit.convert(v, &old.unit);
    let places = std::iter::once(None).chain(environments.iter().map(|e| Some(e.as_str())));
    for env in places {
        let place = env.map_or_else(String::new, |e| format!(" in `{e}`"));
        let (limit_before, limit_after) = (old.limit_in(env), new.limit_in(env).and_then(convert));
        compare(&format!("`{id}`'s limit{place}"), limit_before, limit_after, old.direction, out);
        let warning = |b: &Budget, limit: Option<f64>| {
            let w = env.and_then(|e| b.environments.get(e)).and_then(|o| o.warning).or(b.warning)?;
            Some(w.level(limit?))
        };
        let warning_before = warning(old, old.limit_in(env));
        let warning_after = warning(new, new.limit_in(env)).and_then(convert);
        compare(&format!("`{id}`'s warning level{place}"), warning_before, warning_after, old.direction, out);
    }
    // The history's bare numbers (`"auth": 26`, `"samples": [...]` without a `unit`) are read in
    // the budget's unit: from ms to us, 26 ms of every stored run reads as 26 us, under any
    // converted limit. So another unit is a loosening, whatever the limit converts to.
    if old.unit != new.unit {
        out.loosened.push(format!(
            "`{id}`'s unit goes from {} to {}: the history's numbers without a unit are read in the new one",
            old.unit.symbol(),
            new.unit.symbol()
        ));
    }
}

/// One value before and after, in the direction in which it is stricter.
fn compare(what: &str, before: Option<f64>, after: Option<f64>, direction: Direction, out: &mut Effect) {
    // Shown to nine significant decimals: 90 % of 55 is 49.5, not 49.50000000000001.
    let shown = |v: f64| crate::model::yaml::format_number((v * 1e9).round() / 1e9);
    let (before, after) = (before.map(|b| (b, shown(b))), after.map(|a| (a, shown(a))));
    match (before, after) {
        (None, None) => {}
        (Some((_, b)), None) => out.loosened.push(format!("{what} ({b}) is removed")),
        (None, Some((_, a))) => out.tightened.push(format!("{what} is set to {a}")),
        (Some((b, _)), Some((a, _))) if (a - b).abs() <= 1e-12 * b.abs().max(1.0) => {}
        (Some((b, b_text)), Some((a, a_text))) => {
            if direction.exceeds(a, b) {
                out.loosened.push(format!("{what} goes from {b_text} to {a_text}"));
            } else {
                out.tightened.push(format!("{what} goes from {b_text} to {a_text}"));
            }
        }
    }
}

/// The gate's settings (for one budget, or the workspace's): a higher threshold, a smaller
/// significance level, `missing_data: warn` or another number of baseline runs is looser (a
/// baseline of other runs may hide a regression either way).
fn settings_effect(what: &str, old: &CheckSettings, new: &CheckSettings, out: &mut Effect) {
    for (change, looser) in old.changes_to(new) {
        let text = match change {
            SettingChange::Threshold => {
                format!("{what}'s regression_threshold goes from {} to {}", old.regression_threshold, new.regression_threshold)
            }
            SettingChange::Significance => format!("{what}'s significance goes from {} to {}", old.significance, new.significance),
            SettingChange::MissingData => format!("{what}'s missing_data goes from {:?} to {:?}", old.missing_data, new.missing_data),
            SettingChange::BaselineRuns => format!("{what}'s baseline_runs goes from {} to {}", old.baseline_runs, new.baseline_runs),
        };
        if looser { out.loosened.push(text) } else { out.tightened.push(text) }
    }
}

/// The workspace's own settings: what the gate reads (the history folder, the default branch and
/// environment, the environments) changes what it compares with, so any change there is looser.
/// So does `runtime_environment`: the run-time alerts take that environment's limits (`dev`'s are
/// often twice `prod`'s), and the live history source labels its runs with it.
fn config_effect(old: &Config, new: &Config, out: &mut Effect) {
    if old.history != new.history
        || old.default_branch != new.default_branch
        || old.default_environment != new.default_environment
        || old.environments != new.environments
    {
        out.loosened.push("the workspace's history, default_branch, default_environment or environments change".to_owned());
    }
    if old.runtime_environment != new.runtime_environment {
        let shown = |e: &Option<String>| e.as_ref().map_or_else(|| "none".to_owned(), |e| format!("`{e}`"));
        out.loosened.push(format!(
            "the workspace's runtime_environment (whose limits the run-time alerts use) goes from {} to {}",
            shown(&old.runtime_environment),
            shown(&new.runtime_environment)
        ));
    }
    // What measures a budget, and the run-time alerts' PromQL: another benchmark or query can pass
    // where the old one failed.
    let mapped = |c: &Config| c.metrics.iter().map(|(k, m)| (k.clone(), m.names.clone())).collect::<BTreeMap<_, _>>();
    if mapped(old) != mapped(new) {
        out.loosened.push("the workspace's `metrics:` (which benchmarks measure a budget) changes".to_owned());
    }
    if old.alert_promql != new.alert_promql {
        out.loosened.push("the workspace's PromQL for run-time alerts (`alerts: promql:`) changes".to_owned());
    }
    // Where the gate's runtime history comes from, and how stale it may be: another store, step or
    // bound can pass where the old one failed. Where the settings are written does not count.
    let source = |c: &Config| {
        c.history_source
            .as_ref()
            .map(|s| (s.url.clone(), s.step, s.lookback, s.timeout, s.stale_after, s.environment.clone(), s.branch.clone()))
    };
    if source(old) != source(new) {
        out.loosened.push("the workspace's history source (`history_source:`) changes".to_owned());
    }
    settings_effect("the workspace", &old.check, &new.check, out);
    retention_effect(old.retention, new.retention, out);
}

/// A retention policy added, or one that keeps runs whole for fewer days, is a loosening: runs
/// become summaries sooner, and a summary cannot be made whole again (the evidence a person could
/// reread is gone). A longer policy, or none, keeps more, so it is stricter.
fn retention_effect(old: Option<Retention>, new: Option<Retention>, out: &mut Effect) {
    let days = |r: Option<Retention>| r.map_or_else(|| "forever".to_owned(), |r| format!("{} days", r.runs_days));
    let kept = |r: Option<Retention>| r.map_or(u32::MAX, |r| r.runs_days);
    if old != new {
        let text = format!("runs are kept whole for {} instead of {} (retention)", days(new), days(old));
        if kept(new) < kept(old) { out.loosened.push(text) } else { out.tightened.push(text) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
        list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn changing_the_history_source_loosens_and_moving_its_lines_does_not() {
        let source = "history_source:\n  prometheus:\n    url: http://prom:9090\n    stale_after: 1h\n";
        let before = files(&[("headroom.yaml", source)]);
        let e = effect(&before, &files(&[("headroom.yaml", &source.replace("1h", "1d"))]));
        assert_eq!(e.loosened, ["the workspace's history source (`history_source:`) changes"]);
        let e = effect(&before, &files(&[("headroom.yaml", &format!("# the team's store\n{source}"))]));
        assert!(e.loosened.is_empty() && e.tightened.is_empty(), "{e:?}");
    }

    #[test]
    fn lowering_a_latency_through_an_anchor_also_lowers_a_throughput_floor_and_loosens() {
        let before = files(&[(
            "s.yaml",
            "budgets:\n  latency:\n    unit: ms\n    limit: &FIFTY 50\n  throughput:\n    unit: count\n    direction: higher_is_better\n    limit: *FIFTY\n",
        )]);
        let after = files(&[(
            "s.yaml",
            "budgets:\n  latency:\n    unit: ms\n    limit: &FIFTY 45\n  throughput:\n    unit: count\n    direction: higher_is_better\n    limit: *FIFTY\n",
        )]);
        let e = effect(&before, &after);
        assert_eq!(e.loosened[0], "`throughput`'s limit goes from 50 to 45", "{e:?}");
        assert!(e.loosened.iter().all(|l| l.starts_with("`throughput`")), "{e:?}");
        assert_eq!(e.tightened[0], "`latency`'s limit goes from 50 to 45", "{e:?}");
    }

    #[test]
    fn making_a_budget_an_slo_tightens_and_renaming_its_alerts_loosens() {
        let plain = files(&[("s.yaml", "budgets:\n  errors:\n    unit: \"%\"\n    limit: 0.1\n")]);
        let slo =
            files(&[("s.yaml", "budgets:\n  errors:\n    unit: \"%\"\n    limit: 0.1\n    slo: {errors: e_total, total: t_total}\n")]);
        assert_eq!(effect(&plain, &slo).tightened, ["`errors` becomes an SLO with burn-rate alerts"]);
        assert_eq!(effect(&slo, &plain).loosened, ["`errors`'s SLO counters change or go"]);
        let grouped = |family: &str| {
            files(&[(
                "s.yaml",
                format!("budgets:\n  services:\n    alert: {family}\n    budgets:\n      auth: {{unit: ms, limit: 30}}\n").as_str(),
            )])
        };
        let e = effect(&grouped("ServiceLatency"), &grouped("ServiceDelay"));
        assert_eq!(e.loosened, ["`services.auth`'s run-time alerts change their name or labels"], "{e:?}");
    }

    #[test]
    fn a_unit_changed_under_the_same_number_is_judged_in_the_old_unit() {
        let before = files(&[("s.yaml", "budgets:\n  api:\n    unit: ms\n    limit: 20\n")]);
        let after = files(&[("s.yaml", "budgets:\n  api:\n    unit: s\n    limit: 20\n")]);
        assert_eq!(effect(&before, &after).loosened[0], "`api`'s limit goes from 20 to 20000");
    }

    #[test]
    fn removing_a_budget_or_raising_its_warning_loosens_and_adding_one_tightens() {
        let before =
            files(&[("s.yaml", "budgets:\n  api:\n    unit: ms\n    limit: 20\n    warning: 80%\n  db:\n    unit: ms\n    limit: 5\n")]);
        let after =
            files(&[("s.yaml", "budgets:\n  api:\n    unit: ms\n    limit: 20\n    warning: 95%\n  web:\n    unit: ms\n    limit: 5\n")]);
        let e = effect(&before, &after);
        assert_eq!(e.loosened, ["`api`'s warning level goes from 16 to 19", "`db` is removed"], "{e:?}");
        assert_eq!(e.tightened, ["`web` is added"], "{e:?}");
    }

    #[test]
    fn an_override_merged_in_from_another_budget_that_loosens_an_environment_is_a_loosening() {
        let before = files(&[(
            "s.yaml",
            "budgets:\n  web:\n    unit: ms\n    limit: 30\n    environments:\n      prod: &D {limit: 30}\n  api:\n    unit: ms\n    limit: 20\n    environments:\n      prod: {limit: 25}\n",
        )]);
        let after = files(&[(
            "s.yaml",
            "budgets:\n  web:\n    unit: ms\n    limit: 30\n    environments:\n      prod: &D {limit: 30}\n  api:\n    unit: ms\n    limit: 20\n    environments:\n      prod: {<<: *D}\n",
        )]);
        let e = effect(&before, &after);
        assert!(e.loosened.iter().any(|l| l.starts_with("`api`")), "{e:?}");
    }

    #[test]
    fn a_retention_policy_added_or_shortened_is_a_loosening_and_lengthened_a_tightening() {
        let none = files(&[("headroom.yaml", "")]);
        let days = |n: u32| files(&[("headroom.yaml", &format!("retention: {{runs_days: {n}, then: daily_summary}}\n"))]);
        let added = effect(&none, &days(180));
        assert_eq!(added.loosened, ["runs are kept whole for 180 days instead of forever (retention)"]);
        assert_eq!(effect(&days(180), &days(90)).loosened.len(), 1);
        assert!(effect(&days(90), &days(180)).loosened.is_empty());
        assert!(effect(&days(90), &none).loosened.is_empty());
    }

    #[test]
    fn a_looser_gate_setting_for_one_budget_is_a_loosening() {
        let budgets = "budgets:\n  api:\n    unit: ms\n    limit: 20\n";
        let before = files(&[("s.yaml", budgets), ("headroom.yaml", "check:\n  regression_threshold: 5%\n")]);
        let after = files(&[
            ("s.yaml", budgets),
            (
                "headroom.yaml",
                "check:\n  regression_threshold: 5%\n  budgets:\n    api: {regression_threshold: 99%, significance: 1e-30, missing_data: warn}\n",
            ),
        ]);
        let e = effect(&before, &after);
        assert_eq!(e.loosened.len(), 3, "{e:?}");
        assert!(e.loosened[0].contains("`api`'s regression_threshold goes from 0.05 to 0.99"), "{e:?}");
    }

    #[test]
    fn mapping_another_benchmark_to_a_budget_is_a_loosening() {
        let budgets = "api:\n  max_latency_ms: 20\n";
        let before = files(&[("s.yaml", budgets), ("headroom.yaml", "metrics:\n  api.latency: bench_slow\n")]);
        let after = files(&[("s.yaml", budgets), ("headroom.yaml", "metrics:\n  api.latency: bench_fast\n")]);
        let e = effect(&before, &after);
        assert_eq!(e.loosened, ["the workspace's `metrics:` (which benchmarks measure a budget) changes"], "{e:?}");
    }
}
