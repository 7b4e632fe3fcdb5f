//! Which regressions a later change point put back: the rule that tells an *open* regression from
//! a reverted one, read by every view that counts open regressions (the app's tree, status bar,
//! findings and needs-attention list, `headroom analyze`, `headroom report`'s site, the review
//! meeting's agenda).
//!
//! ```text
//!  level                                          a regression R (before → after), then later
//!    ▲        after R ┌──────────┐                change points of the same metric:
//!    │                │          │ C              - C reverts R where its level after is within
//!    │  before R ─────┘          └──────          the tolerance of R's level before (or better),
//!    │                 R                          and at least half of R came back;
//!    └──────────────────────────────────▶ runs    - C reverts R partly where it brings some of it
//!                                                 back and leaves more than the tolerance.
//! ```
//!
//! The tolerance is the budget's smallest flaggable change ([`smallest_flaggable`]): a level that
//! close to the old one is what the gate itself cannot tell from it. Each change point for the
//! better is measured against the regressions still open before it; it touches a regression
//! whose level after it beats. A regression counts reverted at the first change point that
//! reverts it; a partly reverted one stays open and says how much is left, as of the last change
//! point that brought part of it back (a later regression is an open regression of its own).
//! The improvement that undoes a regression is marked too ([`Undo`]): a budget that follows it
//! down must be measured from the level before the regression, not from the regressed level.

use super::analyze::{Analysis, ChangeFinding, Verdict};
use super::check::CheckReport;
use crate::model::settings::CheckSettings;
use crate::model::triage::TriageState;
use crate::model::units::Direction;
use std::collections::HashMap;

/// A regression that later change points of its metric put back, wholly or in part.
#[derive(Clone, Debug, PartialEq)]
pub struct Reversal {
    /// The change point that put it back (index into the analysis' findings): the first that
    /// reverted it, or the last that brought part of it back.
    pub by: usize,
    /// That change point's first run, as a position in the history's runs.
    pub run_index: usize,
    /// That run's id.
    pub run_id: String,
    /// The level after that change point.
    pub level: f64,
    /// How much worse than the level before the regression that level still is, in the metric's
    /// unit (0 where it is as good or better).
    pub left: f64,
    /// `left` as a fraction of the level before the regression.
    pub left_relative: Option<f64>,
    /// The tolerance it was judged with: the budget's smallest flaggable change, a fraction.
    pub tolerance: f64,
    /// Whether it is reverted: back within the tolerance. Otherwise it is only partly reverted
    /// and stays open.
    pub reverted: bool,
}

/// What a change point for the better undid: the regressions it reverted, wholly or in part.
#[derive(Clone, Debug, PartialEq)]
pub struct Undo {
    /// The regressions (indices into the analysis' findings), oldest first.
    pub regressions: Vec<usize>,
    /// The level before the oldest of them: the level a budget was set against.
    pub level_before: f64,
    /// Whether it reverted all of them (else the level is still worse than before them).
    pub reverted: bool,
    /// Whether its level is better than `level_before` by more than the oldest regression's
    /// tolerance: a gain beyond undoing the regressions, which a tighter budget may follow.
    pub gain: bool,
}

/// The reversals of an analysis' findings, by finding index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reversals {
    /// Per finding: for a regression that a later change point reverted, wholly or in part.
    pub of: Vec<Option<Reversal>>,
    /// Per finding: for an improvement, the regressions it undid.
    pub undoes: Vec<Option<Undo>>,
}

impl Reversals {
    /// The reversal of finding `i`, where a later change point put it back.
    #[must_use]
    pub fn of(&self, i: usize) -> Option<&Reversal> {
        self.of.get(i).and_then(Option::as_ref)
    }

    /// What finding `i` (an improvement) undid.
    #[must_use]
    pub fn undoes(&self, i: usize) -> Option<&Undo> {
        self.undoes.get(i).and_then(Option::as_ref)
    }

    /// Whether finding `i` is reverted: a regression a later change point put back.
    #[must_use]
    pub fn is_reverted(&self, i: usize) -> bool {
        self.of(i).is_some_and(|r| r.reverted)
    }
}

/// How much worse `level` is than `before`, as a fraction of `before` (0 or less: as good or
/// better); where `before` is 0, in the metric's unit.
fn worsening(direction: Direction, level: f64, before: f64) -> f64 {
    direction.relative_worsening(level, before).unwrap_or(match direction {
        Direction::LowerIsBetter => level - before,
        Direction::HigherIsBetter => before - level,
    })
}

/// Whether `level` is better than `than` for a metric with `direction`.
fn better(direction: Direction, level: f64, than: f64) -> bool {
    match direction {
        Direction::LowerIsBetter => level < than,
        Direction::HigherIsBetter => level > than,
    }
}

/// Which regressions of `analysis` later change points of their metric put back. `tolerance`
/// gives, for a regression, the relative change within which a level counts as its level before
/// (the budget's smallest flaggable change: [`smallest_flaggable`]); a tolerance that is not a
/// finite positive number is taken as 0 (only a level as good as before reverts it).
#[must_use]
pub fn reversals(analysis: &Analysis, tolerance: impl Fn(&ChangeFinding) -> f64) -> Reversals {
    let findings = &analysis.findings;
    let mut out = Reversals { of: vec![None; findings.len()], undoes: vec![None; findings.len()] };
    // Each metric's change points in run order (the findings are sorted by run, then metric).
    let mut by_metric: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        by_metric.entry(f.metric.as_str()).or_default().push(i);
    }
    for metric in &analysis.metrics {
        let direction = metric.direction;
        let mut open: Vec<(usize, f64)> = Vec::new();
        for &i in by_metric.get(metric.metric.as_str()).map_or(&[][..], Vec::as_slice) {
            let f = &findings[i];
            if f.verdict == Verdict::Regression {
                let t = tolerance(f);
                open.push((i, if t.is_finite() && t > 0.0 { t } else { 0.0 }));
                continue;
            }
            let level = f.after;
            let touched: Vec<(usize, f64)> = open.iter().copied().filter(|&(r, _)| better(direction, level, findings[r].after)).collect();
            if touched.is_empty() {
                continue;
            }
            let mut all_reverted = true;
            for &(r, t) in &touched {
                let regression = &findings[r];
                let left = worsening(direction, level, regression.before);
                // Back within the tolerance, and at least half of the regression came back: a
                // regression hardly larger than the tolerance is not reverted by a small step.
                let half_back = (level - regression.before).abs() <= (level - regression.after).abs();
                let reverted = left <= t && half_back;
                all_reverted &= reverted;
                let left_abs = match direction {
                    Direction::LowerIsBetter => level - regression.before,
                    Direction::HigherIsBetter => regression.before - level,
                }
                .max(0.0);
                out.of[r] = Some(Reversal {
                    by: i,
                    run_index: f.run_index,
                    run_id: f.run_id.clone(),
                    level,
                    left: left_abs,
                    left_relative: direction.relative_worsening(level, regression.before).map(|x| x.max(0.0)),
                    tolerance: t,
                    reverted,
                });
            }
            open.retain(|&(r, _)| !out.of[r].as_ref().is_some_and(|x| x.reverted));
            let (oldest, t) = touched[0];
            let level_before = findings[oldest].before;
            out.undoes[i] = Some(Undo {
                regressions: touched.iter().map(|&(r, _)| r).collect(),
                level_before,
                reverted: all_reverted,
                gain: all_reverted && -worsening(direction, level, level_before) > t,
            });
        }
    }
    out
}

/// Whether any regression of `analysis` has a later change point of its metric, which may put it
/// back: where none has, [`reversals`] finds none whatever the tolerances, and the check that
/// tells them ([`of_check`]) need not run.
#[must_use]
pub fn can_revert(analysis: &Analysis) -> bool {
    // The findings are in run order within each metric, as `reversals` reads them.
    let mut regressed = std::collections::HashSet::new();
    analysis.findings.iter().any(|f| {
        if f.verdict == Verdict::Regression {
            regressed.insert(f.metric.as_str());
            false
        } else {
            regressed.contains(f.metric.as_str())
        }
    })
}

/// The budget's smallest flaggable change as the check found it, where the finding has a budget
/// the check judged with a finite one; else the gate's regression threshold for the budget (or
/// the workspace's, or the default where there is no check). A level this close to the one before
/// a regression is one the gate itself cannot tell from it.
#[must_use]
pub fn smallest_flaggable(report: Option<&CheckReport>, finding: &ChangeFinding) -> f64 {
    Tolerances::new(report).of(finding)
}

/// [`smallest_flaggable`] for many findings: the check's results by budget id, read once.
struct Tolerances<'a> {
    settings: CheckSettings,
    from_check: HashMap<&'a str, f64>,
}

impl<'a> Tolerances<'a> {
    fn new(report: Option<&'a CheckReport>) -> Tolerances<'a> {
        let from_check = report
            .map(|r| {
                r.results
                    .iter()
                    .filter_map(|b| b.smallest_flaggable.filter(|s| s.is_finite() && *s > 0.0).map(|s| (b.id.as_str(), s)))
                    .collect()
            })
            .unwrap_or_default();
        Tolerances { settings: report.map_or_else(CheckSettings::default, |r| r.settings.clone()), from_check }
    }

    fn of(&self, finding: &ChangeFinding) -> f64 {
        match finding.budget.as_deref() {
            Some(id) => self.from_check.get(id).copied().unwrap_or_else(|| self.settings.for_budget(id).regression_threshold),
            None => self.settings.regression_threshold,
        }
    }
}

/// The reversals of an analysis with the check of the same workspace ([`smallest_flaggable`]):
/// what the app, `headroom analyze`, the report site and the review agenda all read.
#[must_use]
pub fn of_check(analysis: &Analysis, report: Option<&CheckReport>) -> Reversals {
    let tolerances = Tolerances::new(report);
    reversals(analysis, |f| tolerances.of(f))
}

/// The levels a budget that follows improvement `f` down is measured by, `(before, after)`: the
/// improvement's own where it undid no regression; where it undid regressions, the level before
/// them (the level the budget was set against, not the regressed one), and only where it went
/// past it by more than the tolerance. `None` where there is nothing to tighten for: it only
/// undid a regression, or left the level worse than before it.
#[must_use]
pub fn tightening_levels(f: &ChangeFinding, undo: Option<&Undo>) -> Option<(f64, f64)> {
    if f.verdict != Verdict::Improvement {
        return None;
    }
    match undo {
        None => Some((f.before, f.after)),
        Some(u) if u.gain => Some((u.level_before, f.after)),
        Some(_) => None,
    }
}

/// Whether a change point is an open regression: for the worse, not reverted by a later change
/// point, and nobody has closed it (fixed, won't fix, invalid, backed out).
#[must_use]
pub fn is_open_regression(verdict: Verdict, reversal: Option<&Reversal>, triage: TriageState) -> bool {
    verdict == Verdict::Regression && !reversal.is_some_and(|r| r.reverted) && triage.is_open()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::{MetricAnalysis, MetricValues, Severity};
    use crate::engine::changepoint::Segmentation;

    fn finding(metric: &str, run: usize, before: f64, after: f64, direction: Direction) -> ChangeFinding {
        let verdict = Verdict::of(direction, before, after);
        ChangeFinding {
            metric: metric.to_owned(),
            budget: Some(metric.to_owned()),
            run_index: run,
            run_id: format!("ci-{run}"),
            verdict,
            before,
            after,
            absolute_change: after - before,
            relative_change: Some((after - before) / before),
            shift_in_noise: 10.0,
            p_value: 1e-9,
            severity: if verdict == Verdict::Regression { Severity::Medium } else { Severity::Info },
            last_good_run: None,
            commit_range: (None, None),
            related: Vec::new(),
            allocations: Vec::new(),
        }
    }

    fn analysis(direction: Direction, levels: &[(usize, f64)]) -> Analysis {
        let findings = levels.windows(2).map(|w| finding("m", w[1].0, w[0].1, w[1].1, direction)).collect();
        let metric = MetricAnalysis {
            metric: "m".to_owned(),
            unit: None,
            direction,
            budget: Some(0),
            series: MetricValues::default(),
            segmentation: Segmentation::default(),
            trend: None,
        };
        Analysis { metrics: vec![metric], findings, noise_findings: Vec::new() }
    }

    #[test]
    fn a_regression_put_back_to_its_old_level_is_reverted_at_the_change_point_that_did_it() {
        // The bundled workspace's schema_validator: 34.4 → 41.1 at ci-1085, → 34.9 at ci-1133.
        let a = analysis(Direction::LowerIsBetter, &[(0, 34.4), (1085, 41.1), (1133, 34.9)]);
        let r = reversals(&a, |_| 0.05);
        let reversal = r.of(0).expect("reverted");
        assert!(reversal.reverted);
        assert_eq!((reversal.by, reversal.run_id.as_str()), (1, "ci-1133"));
        assert!((reversal.left - 0.5).abs() < 1e-9, "{reversal:?}");
        assert!(!is_open_regression(Verdict::Regression, r.of(0), TriageState::Untriaged));
        let undo = r.undoes(1).expect("the improvement undid it");
        assert_eq!((undo.regressions.as_slice(), undo.level_before, undo.reverted), (&[0][..], 34.4, true));
        // It only undid the regression: no tighter budget follows it (limit × 34.9 / 41.1 was offered).
        assert!(!undo.gain);
        assert_eq!(tightening_levels(&a.findings[1], r.undoes(1)), None);
    }

    #[test]
    fn only_a_regression_with_a_later_change_point_of_its_metric_can_be_reverted() {
        let nothing = |a: &Analysis| {
            [0.0, 0.05, 1.0]
                .iter()
                .all(|&t| reversals(a, |_| t) == Reversals { of: vec![None; a.findings.len()], undoes: vec![None; a.findings.len()] })
        };
        // Regressions only, an improvement before a regression, and one of another metric.
        let only_worse = analysis(Direction::LowerIsBetter, &[(0, 30.0), (10, 40.0), (20, 50.0)]);
        let better_first = analysis(Direction::LowerIsBetter, &[(0, 40.0), (10, 30.0), (20, 45.0)]);
        let mut other_metric = analysis(Direction::LowerIsBetter, &[(0, 30.0), (10, 40.0), (20, 30.0)]);
        other_metric.findings[1].metric = "n".to_owned();
        for a in [&only_worse, &better_first, &other_metric] {
            assert!(!can_revert(a) && nothing(a), "{:?}", a.findings);
        }
        let reverted = analysis(Direction::LowerIsBetter, &[(0, 34.4), (1085, 41.1), (1133, 34.9)]);
        assert!(can_revert(&reverted) && !nothing(&reverted));
    }

    #[test]
    fn an_improvement_past_the_level_before_the_regression_tightens_from_that_level() {
        let a = analysis(Direction::LowerIsBetter, &[(0, 40.0), (10, 48.0), (20, 30.0)]);
        let r = reversals(&a, |_| 0.05);
        assert_eq!(tightening_levels(&a.findings[1], r.undoes(1)), Some((40.0, 30.0)));
        // With no regression before it, from its own levels.
        let a = analysis(Direction::LowerIsBetter, &[(0, 40.0), (10, 30.0)]);
        assert_eq!(tightening_levels(&a.findings[0], reversals(&a, |_| 0.05).undoes(0)), Some((40.0, 30.0)));
        // A partial revert leaves nothing to tighten for, and a regression is never tightened for.
        let a = analysis(Direction::LowerIsBetter, &[(0, 40.0), (10, 48.0), (20, 45.0)]);
        let r = reversals(&a, |_| 0.05);
        assert_eq!(tightening_levels(&a.findings[1], r.undoes(1)), None);
        assert_eq!(tightening_levels(&a.findings[0], None), None);
    }

    #[test]
    fn a_partial_revert_stays_open_and_says_how_much_is_left() {
        let a = analysis(Direction::LowerIsBetter, &[(0, 34.4), (10, 41.1), (20, 38.0)]);
        let r = reversals(&a, |_| 0.05);
        let reversal = r.of(0).expect("partly reverted");
        assert!(!reversal.reverted);
        assert!((reversal.left - 3.6).abs() < 1e-9 && (reversal.left_relative.unwrap() - 3.6 / 34.4).abs() < 1e-12);
        assert!(is_open_regression(Verdict::Regression, r.of(0), TriageState::Untriaged));
        assert!(!r.undoes(1).unwrap().reverted);
        // A second step the rest of the way reverts it there.
        let a = analysis(Direction::LowerIsBetter, &[(0, 34.4), (10, 41.1), (20, 38.0), (30, 35.0)]);
        let r = reversals(&a, |_| 0.05);
        assert_eq!(r.of(0).map(|x| (x.reverted, x.run_id.as_str())), Some((true, "ci-30")));
    }

    #[test]
    fn the_tolerance_is_the_smallest_flaggable_change_and_half_of_the_regression_must_come_back() {
        // 2.9 % worse than before: within a 5 % tolerance, not within 2 %.
        let a = analysis(Direction::LowerIsBetter, &[(0, 100.0), (10, 120.0), (20, 102.9)]);
        assert!(reversals(&a, |_| 0.05).is_reverted(0));
        assert!(!reversals(&a, |_| 0.02).is_reverted(0));
        // A 6 % regression, 1 % of it back: within 5 % of before, but most of it is still there.
        let a = analysis(Direction::LowerIsBetter, &[(0, 100.0), (10, 106.0), (20, 104.9)]);
        let r = reversals(&a, |_| 0.05);
        assert!(!r.is_reverted(0) && r.of(0).is_some());
        // A tolerance the check could not compute (infinite, NaN) reverts only a level as good as before.
        let a = analysis(Direction::LowerIsBetter, &[(0, 100.0), (10, 120.0), (20, 101.0)]);
        assert!(!reversals(&a, |_| f64::INFINITY).is_reverted(0));
        assert!(!reversals(&a, |_| f64::NAN).is_reverted(0));
    }

    #[test]
    fn a_regression_that_comes_back_after_its_revert_is_a_new_open_regression() {
        let a = analysis(Direction::LowerIsBetter, &[(0, 50.0), (10, 60.0), (20, 50.5), (30, 60.0)]);
        let r = reversals(&a, |_| 0.05);
        assert!(r.is_reverted(0));
        assert!(r.of(2).is_none() && is_open_regression(Verdict::Regression, r.of(2), TriageState::Untriaged));
    }

    #[test]
    fn one_improvement_can_revert_two_regressions_and_is_measured_from_the_oldest() {
        let a = analysis(Direction::LowerIsBetter, &[(0, 10.0), (10, 12.0), (20, 14.0), (30, 9.0)]);
        let r = reversals(&a, |_| 0.05);
        assert!(r.is_reverted(0) && r.is_reverted(1));
        assert_eq!(r.of(0).unwrap().by, 2);
        let undo = r.undoes(2).unwrap();
        assert_eq!((undo.regressions.as_slice(), undo.level_before), (&[0, 1][..], 10.0));
        // An improvement with no regression before it undoes nothing.
        let a = analysis(Direction::LowerIsBetter, &[(0, 10.0), (10, 8.0)]);
        assert!(reversals(&a, |_| 0.05).undoes(0).is_none());
    }

    #[test]
    fn higher_is_better_metrics_revert_upwards() {
        let a = analysis(Direction::HigherIsBetter, &[(0, 1000.0), (10, 800.0), (20, 990.0)]);
        let r = reversals(&a, |_| 0.05);
        assert!(r.is_reverted(0));
        assert!((r.of(0).unwrap().left - 10.0).abs() < 1e-9);
        let a = analysis(Direction::HigherIsBetter, &[(0, 1000.0), (10, 800.0), (20, 900.0)]);
        let r = reversals(&a, |_| 0.05);
        assert!(!r.is_reverted(0) && (r.of(0).unwrap().left - 100.0).abs() < 1e-9);
    }

    #[test]
    fn the_tolerance_is_the_checks_smallest_flaggable_change_else_the_threshold() {
        let workspace = crate::example::workspace();
        let report = crate::engine::check::check(&workspace, &crate::engine::check::CheckOptions::default());
        let mut f = finding("schema_validator.latency", 84, 34.4, 41.1, Direction::LowerIsBetter);
        let from_check = report.results.iter().find(|r| r.id == "schema_validator.latency").and_then(|r| r.smallest_flaggable);
        assert_eq!(Some(smallest_flaggable(Some(&report), &f)), from_check);
        assert!(from_check.is_some_and(|s| s > report.settings.regression_threshold), "the noise floor, not the threshold: {from_check:?}");
        // No check: the default threshold; a metric without a budget: the workspace's threshold.
        assert!((smallest_flaggable(None, &f) - 0.05).abs() < 1e-12);
        f.budget = None;
        assert!((smallest_flaggable(Some(&report), &f) - report.settings.regression_threshold).abs() < 1e-12);
    }

    #[test]
    fn triage_that_closed_a_regression_closes_it_whether_or_not_it_was_reverted() {
        let a = analysis(Direction::LowerIsBetter, &[(0, 10.0), (10, 12.0)]);
        let r = reversals(&a, |_| 0.05);
        assert!(r.of(0).is_none());
        assert!(is_open_regression(Verdict::Regression, None, TriageState::Investigating));
        assert!(!is_open_regression(Verdict::Regression, None, TriageState::Fixed));
        assert!(!is_open_regression(Verdict::Improvement, None, TriageState::Untriaged));
    }
}
