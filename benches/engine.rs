//! Speed of the regression engine: `cargo bench --bench engine`.
//!
//! Prints, for each case, the median wall time of several runs on one thread (from 50,000 points
//! `changepoint::detect` searches on a second thread too):
//! - change-point analysis of one metric of 1k, 10k, 100k and 1M points (a synthetic perf series
//!   with steps, 3 % log-normal noise and outliers), with the time per point, to show the cost
//!   grows close to linearly;
//! - `headroom check` over 1,000 budgets × 10,000 runs of history.
//!
//! Bars: 1M points under 1 s on one core (issue 3), under 300 ms of engine time (issue 12); the
//! 1,000 × 10,000 check under 100 ms of engine time (issue 12). The machine's other load moves single
//! runs by a third: compare binaries in turns, and read the least of several runs.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::median_time;
use headroom::engine::changepoint::{DetectorSettings, detect};
use headroom::engine::check::{CheckOptions, check};
use headroom::engine::synthetic::{Rng, long_series};
use headroom::model::history::{History, RunRef, Series};
use headroom::model::workspace::Workspace;
use std::hint::black_box;

fn main() {
    // `cargo bench` passes `--bench`; a filter argument, if any, selects cases.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_ref().is_none_or(|f| name.contains(f.as_str()));
    println!("regression engine benchmarks (median of runs, one thread; two from 50,000 points)");

    if wanted("analyze") {
        let settings = DetectorSettings::default();
        for n in [1_000usize, 10_000, 100_000, 1_000_000] {
            let values = long_series(n, 42);
            let iterations = if n >= 1_000_000 { 5 } else { 11 };
            let mut found = 0;
            let t = median_time(iterations, || found = black_box(detect(black_box(&values), &settings)).change_points.len());
            println!(
                "analyze {n:>9} points: {:>10.3} ms  ({:>6.1} ns/point, {found} change points of 9 true)",
                t.as_secs_f64() * 1e3,
                t.as_secs_f64() * 1e9 / n as f64
            );
        }
    }

    if wanted("check") {
        let (metrics, runs) = (1_000usize, 10_000usize);
        let workspace = big_workspace(metrics, runs);
        let options = CheckOptions::default();
        let mut failed = 0;
        let t = median_time(5, || {
            let report = check(black_box(&workspace), &options);
            failed = report.counts().2;
        });
        println!(
            "check {metrics} budgets x {runs} runs: {:>10.3} ms  ({failed} budgets fail; 10 have a 30 % regression in the newest two runs, the other 990 noise only, each held at the significance per budget)",
            t.as_secs_f64() * 1e3
        );
    }
}

/// A workspace of `metrics` budgets (100 ms each) and a history of `runs` runs of main in `ci`,
/// every metric around 50 ms with 3 % noise, and a 30 % regression of 10 metrics in the newest two
/// runs (one run alone is only inconclusive).
fn big_workspace(metrics: usize, runs: usize) -> Workspace {
    let mut yaml = String::from("budgets:\n");
    for m in 0..metrics {
        yaml.push_str(&format!("  m{m}: {{unit: ms, limit: 100}}\n"));
    }
    let mut workspace = Workspace::from_files("bench", &[("budgets.yaml".to_owned(), yaml)]);
    assert!(workspace.errors.is_empty(), "{:?}", workspace.errors);
    let mut history = History::default();
    for r in 0..runs {
        history.runs.push(RunRef {
            id: &format!("r{r}"),
            timestamp: None,
            commit: Some(&format!("{r:012x}")),
            branch: Some("main"),
            environment: Some("ci"),
            file: "bench",
            line: r as u32 + 1,
        });
    }
    let mut rng = Rng::new(1);
    for m in 0..metrics {
        let mut series = Series::new(None);
        for r in 0..runs {
            let regressed = r + 2 >= runs && m % 100 == 0;
            let value = 50.0 * (1.0 + 0.03 * rng.gaussian()) * if regressed { 1.3 } else { 1.0 };
            series.push(r as u32, Some(value), None);
        }
        history.series.insert(format!("m{m}"), series);
    }
    workspace.history = history;
    workspace
}
