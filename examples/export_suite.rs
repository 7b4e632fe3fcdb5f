//! Writes the synthetic accuracy suite (and the benchmark's long series) as JSON, for comparing
//! other detectors on the same data: `cargo run --release --example export_suite [PER_KIND] > suite.json`.
#![allow(clippy::print_stdout)]

use headroom::engine::synthetic::{long_series, suite};

fn main() {
    let per_kind: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let cases: Vec<serde_json::Value> = suite(2026, per_kind)
        .iter()
        .map(|c| serde_json::json!({"kind": c.kind.name(), "values": c.values, "change_points": c.change_points}))
        .collect();
    let long: serde_json::Map<String, serde_json::Value> =
        [1_000usize, 10_000, 100_000].iter().map(|&n| (n.to_string(), serde_json::json!(long_series(n, 42)))).collect();
    println!("{}", serde_json::json!({"cases": cases, "long": long}));
}
