//! The change-point detector on the synthetic suite: floors for detection, precision and false
//! alarms, so that a change that makes the engine worse fails here. (The figures themselves are
//! printed by `cargo run --release --example accuracy` and quoted in the README.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use headroom::engine::changepoint::{DetectorSettings, detect};
use headroom::engine::synthetic::{Case, CaseKind, Rng, Score, shapes_suite, suite, very_short_noise_only};

fn detected(case: &Case) -> Vec<usize> {
    let present: Vec<usize> = (0..case.values.len()).filter(|&i| case.values[i].is_some()).collect();
    let values: Vec<f64> = present.iter().filter_map(|&i| case.values[i]).collect();
    detect(&values, &DetectorSettings::default()).change_points.iter().map(|c| present[c.index]).collect()
}

fn score(cases: &[Case], kind: CaseKind) -> (Score, usize) {
    let mut total = Score::default();
    let mut series_with_false_alarm = 0;
    for case in cases.iter().filter(|c| c.kind == kind) {
        let s = Score::of(&case.change_points, &detected(case), 5);
        if s.detections > s.hits {
            series_with_false_alarm += 1;
        }
        total = total.plus(s);
    }
    (total, series_with_false_alarm)
}

#[test]
fn noise_alone_almost_never_makes_a_change_point() {
    let cases = suite(11, 80);
    for kind in [CaseKind::NoiseOnly, CaseKind::SkewedNoiseWithOutliers] {
        let (s, false_alarms) = score(&cases, kind);
        assert!(false_alarms <= 1, "{kind:?}: {false_alarms} of 80 noise-only series had a change point ({s:?})");
    }
}

#[test]
fn steps_are_found_at_their_run() {
    let cases = suite(12, 80);
    for (kind, min_f1) in
        [(CaseKind::Step, 0.8), (CaseKind::MultipleSteps, 0.75), (CaseKind::StepsWithOutliers, 0.75), (CaseKind::ShortSeries, 0.9)]
    {
        let (s, _) = score(&cases, kind);
        assert!(s.f1() >= min_f1, "{kind:?}: F1 {:.3} < {min_f1} ({s:?})", s.f1());
        assert!(s.precision() >= 0.85, "{kind:?}: precision {:.3} ({s:?})", s.precision());
    }
}

#[test]
fn a_slow_drift_is_rarely_cut_into_steps() {
    let cases = suite(13, 80);
    let (_, series_with_false_alarm) = score(&cases, CaseKind::Drift);
    assert!(series_with_false_alarm <= 12, "{series_with_false_alarm} of 80 drifts were cut");
}

#[test]
fn every_step_of_two_sigma_or_more_is_found() {
    let cases = suite(14, 120);
    let big: Vec<Case> = cases.into_iter().filter(|c| c.kind == CaseKind::Step && c.smallest_step >= 2.0 * c.noise).collect();
    assert!(big.len() > 30);
    let s = big.iter().fold(Score::default(), |acc, c| acc.plus(Score::of(&c.change_points, &detected(c), 5)));
    assert!(s.recall() >= 0.97, "{s:?}");
}

#[test]
fn one_clear_step_in_six_to_fourteen_runs_is_found() {
    // Steps of 25–60 % in 1–10 % noise; 3 to 11 runs on either side of the step.
    let cases = shapes_suite(15, 200);
    let (s, false_alarms) = score(&cases, CaseKind::VeryShortSeries);
    // With 3 runs on the shorter side (in series of 8–14 runs, none was found before).
    let three_a_side = cases
        .iter()
        .filter(|c| c.kind == CaseKind::VeryShortSeries && c.values.len() >= 8)
        .filter(|c| c.change_points[0].min(c.values.len() - c.change_points[0]) == 3)
        .fold(Score::default(), |acc, c| acc.plus(Score::of(&c.change_points, &detected(c), 5)));
    assert!(s.f1() >= 0.80, "F1 {:.3} ({s:?})", s.f1());
    assert!(false_alarms == 0, "{false_alarms} series with a misplaced step");
    assert!(three_a_side.truths >= 30 && three_a_side.recall() >= 0.55, "{three_a_side:?}");
}

#[test]
fn noise_alone_in_six_to_fourteen_runs_is_almost_never_a_step() {
    // The test's level is 0.001 a series: 10 of 6,000 is twice that, and fails.
    let series = very_short_noise_only(16, 6000);
    let alarms = series.iter().filter(|values| !detect(values, &DetectorSettings::default()).change_points.is_empty()).count();
    assert!(alarms <= 9, "{alarms} of 6000 noise-only series of 6-14 runs had a change point");
}

#[test]
fn noise_that_grows_with_a_trend_is_not_a_change_of_noise() {
    // Noise of 1–10 % of a level that grows 20–200 %, 2–10 times, or along an S-curve: before
    // the noise search ran on relative differences, 412 of 600 such series (200 a kind, seed
    // 2026) had a change of noise; 1 since.
    let cases = shapes_suite(17, 100);
    let growing = cases.iter().filter(|c| matches!(c.kind, CaseKind::LinearTrend | CaseKind::ExponentialTrend | CaseKind::LogisticTrend));
    let reported: usize = growing
        .map(|case| {
            let values: Vec<f64> = case.values.iter().flatten().copied().collect();
            detect(&values, &DetectorSettings::default()).variance_changes.len()
        })
        .sum();
    assert!(reported <= 3, "{reported} changes of noise reported on 300 trends");
}

#[test]
fn growth_curves_are_trends_not_staircases() {
    // Exponential growth ×2–10 and logistic rises of 50–300 % in noise of 1–10 % of the level. On
    // the tuning seed (2026, 200 a kind) 75 % and 86 % of them had a level shift before jumps were
    // judged against the trend in logarithms, near the ends and against a bend; 4.5 % and 20 %
    // since. Here a seed never tuned on.
    let cases = shapes_suite(18, 100);
    for (kind, most) in [(CaseKind::ExponentialTrend, 10), (CaseKind::LogisticTrend, 35), (CaseKind::LinearTrend, 6)] {
        let (_, cut) = score(&cases, kind);
        assert!(cut <= most, "{kind:?}: {cut} of 100 curves had a level shift");
    }
    // A step on a trend is still a step.
    let (s, _) = score(&cases, CaseKind::TrendStep);
    assert!(s.recall() >= 0.6 && s.precision() >= 0.85, "{s:?}");
}

#[test]
fn a_cycle_is_not_a_string_of_change_points_whatever_its_period() {
    // Periods off the suite's 7, 12 and 24: with the autocorrelation's peak one run off the period
    // (31 for 30), the residuals beat against the cycle and were cut into shifts half a period
    // apart, up and down in turn (13 of 60 series of 400 runs at a period of 30, 24 of 60 at 40).
    let mut rng = Rng::new(19);
    let tau = std::f64::consts::TAU;
    for period in [10.0, 30.0, 40.0] {
        let (mut cut, mut steps_found) = (0, 0);
        for _ in 0..40 {
            let noise = rng.range(0.01, 0.08);
            let amplitude = rng.range(1.0, 5.0) * noise;
            let phase = rng.range(0.0, tau);
            let cycle: Vec<f64> = (0..400)
                .map(|i| 100.0 * (1.0 + amplitude * (tau * f64::from(i) / period + phase).sin()) * (1.0 + noise * rng.gaussian()))
                .collect();
            cut += usize::from(!detect(&cycle, &DetectorSettings::default()).change_points.is_empty());
            let at = rng.below(20, 380);
            let stepped: Vec<f64> = cycle.iter().enumerate().map(|(i, v)| if i >= at { v * (1.0 + 5.0 * noise) } else { *v }).collect();
            let found = detect(&stepped, &DetectorSettings::default()).change_points;
            steps_found += usize::from(found.iter().any(|c| c.index.abs_diff(at) <= 5));
        }
        assert!(cut <= 2, "period {period}: {cut} of 40 cycles had a change point");
        assert!(steps_found >= 38, "period {period}: {steps_found} of 40 steps of 5 σ found");
    }
}

/// A curve's factor at run `t`, drawn for a series of `n` runs.
type Curve = fn(f64, &mut Rng) -> Box<dyn Fn(f64) -> f64>;

/// A series as `examples/curves` draws it for its kind number `kind` and `seed`: relative
/// Gaussian noise of 1–8 %, a base of 0.1–10,000, `curve` drawn next, and where `step` is given,
/// a step of that many noise units at a run drawn from the middle 80 %. Returns the values and the
/// step's run.
fn curve_series(rng: &mut Rng, n: usize, curve: Curve, step: Option<f64>) -> (Vec<f64>, usize) {
    let noise = rng.range(0.01, 0.08);
    let base = 10f64.powf(rng.range(-1.0, 4.0));
    let curve = curve(n as f64, rng);
    let at = rng.below(n / 10, n - n / 10);
    let values = (0..n)
        .map(|t| {
            let step = match step {
                Some(size) if t >= at => 1.0 + size * noise,
                _ => 1.0,
            };
            base * curve(t as f64) * step * (1.0 + noise * rng.gaussian())
        })
        .collect();
    (values, at)
}

/// A logistic rise of 50–300 %, 10 % to 90 % of it over 18 % of the series (a knee of 10–20 runs
/// in 400).
fn steep_logistic(n: f64, rng: &mut Rng) -> Box<dyn Fn(f64) -> f64> {
    let rise = rng.range(0.5, 3.0);
    let middle = rng.range(0.3, 0.7) * n;
    let width = n / 24.0;
    Box::new(move |t| 1.0 + rise / (1.0 + (-(t - middle) / width).exp()))
}

fn exponential_30(n: f64, _: &mut Rng) -> Box<dyn Fn(f64) -> f64> {
    let rate = 30f64.ln() / n;
    Box::new(move |t| (rate * t).exp())
}

#[test]
fn a_steep_s_curve_is_a_trend_and_a_step_on_a_growth_curve_is_found() {
    // `examples/curves 40 23` (a seed never tuned on): before the cubic, 26 of 40 steep S-curves
    // of 400 runs were cut into levels (47 cuts; now 7); before the bending trend replaced the
    // straight line where the runs bend, 6 σ steps were found on 30 of 40 steep S-curves and 29 of
    // 40 ×30 growth curves (now 38 and 38).
    let cut = |values: &[f64]| detect(values, &DetectorSettings::default()).change_points.len();
    let mut rng = Rng::new(23_000);
    let curves: usize = (0..40).map(|_| usize::from(cut(&curve_series(&mut rng, 400, steep_logistic, None).0) > 0)).sum();
    assert!(curves <= 12, "{curves} of 40 steep S-curves were cut into levels");
    for (kind, curve, most_missed) in [(11, steep_logistic as Curve, 5), (12, exponential_30, 5)] {
        let mut rng = Rng::new(23_000 + kind);
        let found = (0..40)
            .filter(|_| {
                let (values, at) = curve_series(&mut rng, 400, curve, Some(6.0));
                detect(&values, &DetectorSettings::default()).change_points.iter().any(|c| c.index.abs_diff(at) <= 5)
            })
            .count();
        assert!(found >= 40 - most_missed, "kind {kind}: a 6 σ step found on {found} of 40 growth curves");
    }
}

/// A cycle of 40 runs and 2–15 % of the level (its phase drawn).
fn cycle_40(_: f64, rng: &mut Rng) -> Box<dyn Fn(f64) -> f64> {
    let amplitude = rng.range(0.02, 0.15);
    let phase = rng.range(0.0, std::f64::consts::TAU);
    Box::new(move |t| 1.0 + amplitude * (std::f64::consts::TAU * t / 40.0 + phase).sin())
}

#[test]
fn a_step_under_a_long_cycle_is_one_change_point() {
    // A 5 σ step under a 40-run cycle (ten cycles in 400 runs): the cycle was read off each phase's
    // median of the values, which took the step into some phases and not others, and the saw left
    // behind was cut into levels beside the step (`examples/curves`, kind 17: in 15, 10 and 10 of 60
    // series on seeds 777, 21 and 778; 4, 8 and 5 since). Here a seed never tuned on: 31 of 200
    // before, 20 since.
    let mut rng = Rng::new(24_017);
    let (mut misplaced, mut found) = (0, 0);
    for _ in 0..200 {
        let (values, at) = curve_series(&mut rng, 400, cycle_40, Some(5.0));
        let points: Vec<usize> = detect(&values, &DetectorSettings::default()).change_points.iter().map(|c| c.index).collect();
        let hit = points.iter().any(|&p| p.abs_diff(at) <= 5);
        found += usize::from(hit);
        misplaced += usize::from(points.len() > usize::from(hit));
    }
    assert!(misplaced <= 25, "{misplaced} of 200 cycles with a step had a change point beside it");
    assert!(found >= 190, "a 5 σ step under a cycle found in {found} of 200");
}
