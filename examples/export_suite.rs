//! Writes the synthetic accuracy suite, the shapes suite (trends, cycles, 6–14-run series) and the
//! benchmark's long series as JSON, with the truth and Headroom's own answer on each series (the
//! detector with the settings `examples/accuracy.rs` scores), so that other detectors are scored
//! on the same data by the same rule:
//! `cargo run --release --no-default-features --example export_suite [PER_KIND] > suite.json`
//! (read by `benches/compare/otava_ruptures.py`).
#![allow(clippy::print_stdout)]

use headroom::engine::changepoint::{DetectorSettings, detect};
use headroom::engine::synthetic::{Case, long_series, shapes_suite, suite};

/// One case with its truth and Headroom's change points and changes of noise (positions in
/// `values`, missing values left out of the detection and positions mapped back).
fn case_json(suite_name: &str, case: &Case) -> serde_json::Value {
    let present: Vec<usize> = (0..case.values.len()).filter(|&i| case.values[i].is_some()).collect();
    let values: Vec<f64> = present.iter().filter_map(|&i| case.values[i]).collect();
    let segmentation = detect(&values, &DetectorSettings::default());
    let levels: Vec<usize> = segmentation.change_points.iter().map(|c| present[c.index]).collect();
    let noise: Vec<usize> = segmentation.variance_changes.iter().map(|c| present[c.index]).collect();
    serde_json::json!({
        "suite": suite_name,
        "kind": case.kind.name(),
        "values": case.values,
        "change_points": case.change_points,
        "variance_changes": case.variance_changes,
        "noise": case.noise,
        "smallest_step": case.smallest_step,
        "headroom": {"change_points": levels, "variance_changes": noise},
    })
}

fn main() {
    let per_kind: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let cases: Vec<serde_json::Value> = suite(2026, per_kind)
        .iter()
        .map(|c| case_json("synthetic", c))
        .chain(shapes_suite(2026, per_kind).iter().map(|c| case_json("shapes", c)))
        .collect();
    let long: serde_json::Map<String, serde_json::Value> =
        [1_000usize, 10_000, 100_000].iter().map(|&n| (n.to_string(), serde_json::json!(long_series(n, 42)))).collect();
    println!("{}", serde_json::json!({"cases": cases, "long": long}));
}
