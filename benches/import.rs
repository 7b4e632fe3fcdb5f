//! One import into a big history, timed in process: `cargo bench --no-default-features --bench import`.
//!
//! `headroom import` checks under the workspace's lock that the history has no run of the same id
//! ([`headroom::model::store::add_runs`]); this times that whole step (lock, duplicate check, the
//! file written) on a workspace whose history is what years of CI leave: one file per import.
//!
//! Cases: 20,000 runs of 20 metrics in 20,000 files (one per import, about 12 MB), and the same
//! runs in 10 files of 2,000 (written by older versions). Each case adds a run and removes its
//! file again, 7 times, and prints the median; the first add, on a machine with no cache of the
//! history's run ids yet (a fresh clone), is timed apart: it reads every file once.
//!
//! The workspaces are generated once into `target/bench-import/` (deterministic) and kept.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod common;

use headroom::model::history::{Measurement, Run, Snapshot};
use headroom::model::store::add_runs;
use headroom::model::time::Timestamp;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

const RUNS: usize = 20_000;
const METRICS: usize = 20;

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_ref().is_none_or(|f| name.contains(f.as_str()));
    let dir = bench_dir();
    println!("one import into a big history (add_runs: lock, duplicate check, write; median of 7)");
    for (name, files) in [("per-import", RUNS), ("ten-files", 10)] {
        if !wanted(name) {
            continue;
        }
        let workspace = dir.join(format!("{name}-{RUNS}"));
        if !workspace.join("history").exists() {
            write_workspace(&workspace, files);
        }
        // The first add with no cache of the run ids (it lives in the lock file): a fresh clone.
        std::fs::write(workspace.join(headroom::model::lock::LOCK_FILE), "").unwrap();
        let first = time_one_import(&workspace);
        let median = common::median_time(7, || {
            std::hint::black_box(time_one_import(&workspace));
        });
        println!(
            "{:<44} first (no cache) {:>8.1} ms, then median {:>8.1} ms",
            format!("{RUNS} runs x {METRICS} metrics in {files} files"),
            first.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3
        );
    }
}

/// Adds one new run to `workspace` and removes its file again; returns how long the add took.
fn time_one_import(workspace: &Path) -> std::time::Duration {
    let start = Instant::now();
    let (path, added) = add_runs(workspace, "bench", vec![snapshot("new-run")], false).unwrap();
    let took = start.elapsed();
    assert_eq!(added, 1);
    std::fs::remove_file(&path).unwrap();
    took
}

fn snapshot(id: &str) -> Snapshot {
    Snapshot {
        run: Run {
            id: id.to_owned(),
            timestamp: Timestamp::parse("2027-01-01T00:00:00Z").ok(),
            commit: None,
            branch: Some("main".to_owned()),
            environment: Some("ci".to_owned()),
            file: "".into(),
            line: 0,
        },
        metrics: (0..METRICS).map(|m| (format!("m{m}"), Measurement { value: Some(50.0), samples: None, unit: None })).collect(),
        groups: std::collections::BTreeMap::new(),
    }
}

/// Where the generated workspaces are kept between runs.
fn bench_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    let dir = target.join("bench-import");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A workspace of `METRICS` budgets and `RUNS` runs of main in `ci`, in `files` JSON Lines files
/// under `history/hyperfine/ci/`.
fn write_workspace(dir: &Path, files: usize) {
    let history = dir.join("history/hyperfine/ci");
    std::fs::create_dir_all(&history).unwrap();
    std::fs::write(dir.join("budgets.yaml"), common::budgets_yaml(METRICS)).unwrap();
    let per_file = RUNS.div_ceil(files);
    for f in 0..files {
        let mut text = String::new();
        for r in f * per_file..((f + 1) * per_file).min(RUNS) {
            common::start_run_line(&mut text, r, false);
            for m in 0..METRICS {
                write!(text, "{}\"m{m}\":{:.4}", if m == 0 { "" } else { "," }, 50.0 + ((r * 31 + m * 7) % 100) as f64 / 50.0).unwrap();
            }
            text.push_str("}}\n");
        }
        let name = if files == RUNS { format!("r{f}.jsonl") } else { format!("runs-{f:02}.jsonl") };
        std::fs::write(history.join(name), text).unwrap();
    }
}
