//! Prints the change-point detector's accuracy on the synthetic suite and on the shapes suite
//! (trends, cycles, 6–14-run series), per kind of series:
//! `cargo run --release --example accuracy [CASES_PER_KIND] [THRESHOLD_SCALE] [SEED]` (seed 2026
//! unless given: another seed is a held-out check).
//! Level shifts and changes of noise are both scored (a change of noise reported as a level
//! shift is a false alarm and a miss).
#![allow(clippy::print_stdout)]

use headroom::engine::changepoint::{DetectorSettings, detect};
use headroom::engine::synthetic::{Case, CaseKind, Score, shapes_suite, suite, very_short_noise_only};

fn main() {
    let mut args = std::env::args().skip(1);
    let per_kind: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let mut settings = DetectorSettings::default();
    if let Some(c) = args.next().and_then(|a| a.parse().ok()) {
        settings.threshold_scale = c;
    }
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2026);
    let cases = suite(seed, per_kind);
    println!("{per_kind} series per kind, margin 5 runs, threshold scale {}", settings.threshold_scale);
    println!(
        "{:<26} {:>9} {:>10} {:>8} {:>8} {:>22} {:>10} {:>14}",
        "kind", "detected", "precision", "F1", "series", "with a false alarm", "levels F1", "noise changes"
    );
    let mut all = Score::default();
    let mut noise_changes = Score::default();
    // The kinds without a change of noise, with and without the noise reports counted.
    let (mut level_kinds, mut level_kinds_levels) = (Score::default(), Score::default());
    for kind in CaseKind::ALL {
        let mut total = Score::default();
        let mut series_with_false_alarm = 0;
        let mut count = 0;
        let (mut levels, mut noise) = (Score::default(), Score::default());
        for case in cases.iter().filter(|c| c.kind == kind) {
            let present: Vec<usize> = (0..case.values.len()).filter(|&i| case.values[i].is_some()).collect();
            let values: Vec<f64> = present.iter().filter_map(|&i| case.values[i]).collect();
            let segmentation = detect(&values, &settings);
            let found: Vec<usize> = segmentation.change_points.iter().map(|c| present[c.index]).collect();
            let found_noise: Vec<usize> = segmentation.variance_changes.iter().map(|c| present[c.index]).collect();
            let noise_score = Score::of(&case.variance_changes, &found_noise, 5);
            noise = noise.plus(noise_score);
            let level_score = Score::of(&case.change_points, &found, 5);
            levels = levels.plus(level_score);
            let score = level_score.plus(noise_score);
            if score.detections > score.hits {
                series_with_false_alarm += 1;
            }
            total = total.plus(score);
            count += 1;
        }
        all = all.plus(total);
        noise_changes = noise_changes.plus(noise);
        if kind != CaseKind::VarianceChange {
            level_kinds = level_kinds.plus(total);
            level_kinds_levels = level_kinds_levels.plus(levels);
        }
        println!(
            "{:<26} {:>8.1}% {:>9.1}% {:>8.3} {:>8} {:>21.1}% {:>10.3} {:>14}",
            kind.name(),
            100.0 * total.recall(),
            100.0 * total.precision(),
            total.f1(),
            count,
            100.0 * f64::from(series_with_false_alarm) / f64::from(count),
            levels.f1(),
            noise.detections
        );
    }
    println!("{:<26} {:>8.1}% {:>9.1}% {:>8.3}", "all", 100.0 * all.recall(), 100.0 * all.precision(), all.f1());
    println!(
        "kinds without a change of noise: F1 {:.3} (levels alone {:.3}: detected {:.1}%, precision {:.1}%)",
        level_kinds.f1(),
        level_kinds_levels.f1(),
        100.0 * level_kinds_levels.recall(),
        100.0 * level_kinds_levels.precision()
    );
    println!(
        "of which changes of noise: {} true, {} reported, detected {:.1}%, precision {:.1}%",
        noise_changes.truths,
        noise_changes.detections,
        100.0 * noise_changes.recall(),
        100.0 * noise_changes.precision()
    );

    // Detection rate of single steps by their size in units of the noise.
    println!();
    println!("one step, by step size / noise σ:");
    let buckets = [(0.0, 1.0), (1.0, 2.0), (2.0, 3.0), (3.0, 5.0), (5.0, f64::INFINITY)];
    for (low, high) in buckets {
        let mut total = Score::default();
        for case in cases.iter().filter(|c| c.kind == CaseKind::Step && (low..high).contains(&(c.smallest_step / c.noise))) {
            let present: Vec<usize> = (0..case.values.len()).filter(|&i| case.values[i].is_some()).collect();
            let values: Vec<f64> = present.iter().filter_map(|&i| case.values[i]).collect();
            let found: Vec<usize> = detect(&values, &settings).change_points.iter().map(|c| present[c.index]).collect();
            total = total.plus(Score::of(&case.change_points, &found, 5));
        }
        println!(
            "  {low:>3.0}–{high:<4.0}σ: {:>3} steps, detected {:>5.1}%, precision {:>5.1}%",
            total.truths,
            100.0 * total.recall(),
            100.0 * total.precision()
        );
    }

    println!();
    shapes(per_kind, &settings, seed);
}

/// The shapes suite's table: trends and cycles have no true change point, so every change point
/// on them is a false alarm; `per series` says whether a trend was cut once or into a staircase.
fn shapes(per_kind: usize, settings: &DetectorSettings, seed: u64) {
    let cases = shapes_suite(seed, per_kind);
    println!("shapes suite, {per_kind} series per kind");
    println!(
        "{:<26} {:>9} {:>10} {:>8} {:>8} {:>22} {:>11} {:>14}",
        "kind", "detected", "precision", "F1", "series", "with a false alarm", "per series", "noise changes"
    );
    for kind in CaseKind::SHAPES {
        let (mut total, mut series_with_false_alarm, mut count, mut noise_changes) = (Score::default(), 0u32, 0u32, 0);
        for case in cases.iter().filter(|c| c.kind == kind) {
            let (levels, noise) = detected_in(case, settings);
            noise_changes += noise.len();
            let score = Score::of(&case.change_points, &levels, 5).plus(Score::of(&case.variance_changes, &noise, 5));
            if score.detections > score.hits {
                series_with_false_alarm += 1;
            }
            total = total.plus(score);
            count += 1;
        }
        println!(
            "{:<26} {:>8.1}% {:>9.1}% {:>8.3} {:>8} {:>21.1}% {:>11.2} {:>14}",
            kind.name(),
            100.0 * total.recall(),
            100.0 * total.precision(),
            total.f1(),
            count,
            100.0 * f64::from(series_with_false_alarm) / f64::from(count),
            total.detections as f64 / f64::from(count),
            noise_changes
        );
    }
    // Very short series by the runs on the shorter side of their step.
    println!("6-14 runs, one step, by the runs on the step's shorter side:");
    for side in 3..=6 {
        let mut total = Score::default();
        for case in cases.iter().filter(|c| c.kind == CaseKind::VeryShortSeries) {
            let at = case.change_points.first().copied().unwrap_or(0);
            let shorter = at.min(case.values.len() - at);
            if shorter == side || (side == 6 && shorter > 6) {
                total = total.plus(Score::of(&case.change_points, &detected_in(case, settings).0, 5));
            }
        }
        let label = if side == 6 { "6+".to_owned() } else { side.to_string() };
        println!("  {label:>2} runs: {:>3} steps, detected {:>5.1}%", total.truths, 100.0 * total.recall());
    }
    // The same lengths with no step: any change point is a false alarm.
    let count = 100 * per_kind;
    let series = very_short_noise_only(seed, count);
    let alarms = series.iter().filter(|values| !detect(values, settings).change_points.is_empty()).count();
    println!("6-14 runs, noise alone (Gaussian, log-normal, t3): {count} series, {alarms} with a change point");
}

/// The detector's change points and changes of noise on `case`, at their positions in it.
fn detected_in(case: &Case, settings: &DetectorSettings) -> (Vec<usize>, Vec<usize>) {
    let present: Vec<usize> = (0..case.values.len()).filter(|&i| case.values[i].is_some()).collect();
    let values: Vec<f64> = present.iter().filter_map(|&i| case.values[i]).collect();
    let segmentation = detect(&values, settings);
    (
        segmentation.change_points.iter().map(|c| present[c.index]).collect(),
        segmentation.variance_changes.iter().map(|c| present[c.index]).collect(),
    )
}
