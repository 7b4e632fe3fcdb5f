//! The commands people run, timed end to end: `cargo bench --no-default-features --bench commands`.
//!
//! The engine benchmarks (`benches/engine.rs`) time the analysis alone; these spawn the release
//! `headroom` binary on generated files, as a user would, and print for each case:
//! - the wall time of the whole command (start, reading, parsing, indexing, the engine, the output);
//! - its peak resident memory (the child's `VmHWM`, polled from `/proc` every millisecond while it runs);
//! - the floor: the time to merely read the same bytes from the (warm) page cache.
//!
//! Cases (issue 13's targets in brackets):
//! - `analyze` of a 1M-row wide CSV, one metric, about 17 MB [under 300 ms and 100 MB];
//! - `check` of a workspace of 1,000 budgets and 10,000 runs of JSON Lines, about 175 MB in ten
//!   files [under 1 s and 400 MB].
//!
//! The files are generated once into `target/bench-commands/` (deterministic, seeded) and kept.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod common;

use headroom::engine::synthetic::Rng;
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_ref().is_none_or(|f| name.contains(f.as_str()));
    let dir = bench_dir();
    println!("commands end to end (release binary, median of 3 runs; peak memory of the child)");

    if wanted("analyze") {
        let csv = dir.join("analyze-1m.csv");
        if !csv.exists() {
            write_csv(&csv, 1_000_000);
        }
        let floor = read_floor(std::slice::from_ref(&csv));
        let run = measure(&["analyze", "--format", "json", csv.to_str().unwrap()]);
        report("analyze 1M-row CSV", file_bytes(&[csv]), &run, floor);
    }

    if wanted("check") {
        let workspace = dir.join("check-1000x10000");
        if !workspace.join("history").exists() {
            write_workspace(&workspace, 1_000, 10_000, 10);
        }
        let files: Vec<PathBuf> = std::fs::read_dir(workspace.join("history")).unwrap().map(|e| e.unwrap().path()).collect();
        let floor = read_floor(&files);
        let run = measure(&["check", workspace.to_str().unwrap(), "--format", "json"]);
        report("check 1,000 budgets x 10,000 runs", file_bytes(&files), &run, floor);
    }
}

/// Where the generated inputs are kept between runs.
fn bench_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    let dir = target.join("bench-commands");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One command's figures: median wall time and the largest peak memory over the runs.
struct Measured {
    wall: Duration,
    peak_bytes: u64,
    exit_code: Option<i32>,
}

fn measure(args: &[&str]) -> Measured {
    let mut walls = Vec::new();
    let mut peak_bytes = 0;
    let mut exit_code = None;
    for _ in 0..3 {
        let start = Instant::now();
        let mut child =
            Command::new(env!("CARGO_BIN_EXE_headroom")).args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        let status_path = format!("/proc/{}/status", child.id());
        let mut peak = 0;
        let status = loop {
            if let Some(hwm) = std::fs::read_to_string(&status_path).ok().as_deref().and_then(vm_hwm_bytes) {
                peak = peak.max(hwm);
            }
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        walls.push(start.elapsed());
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        assert!(status.code().is_some_and(|c| c <= 1), "headroom {args:?} failed: {status}\n{stderr}");
        peak_bytes = peak_bytes.max(peak);
        exit_code = status.code();
    }
    walls.sort();
    Measured { wall: walls[walls.len() / 2], peak_bytes, exit_code }
}

/// `VmHWM:    123456 kB` from `/proc/PID/status`, in bytes.
fn vm_hwm_bytes(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The median time to read `files` into memory (they are in the page cache after the first read).
fn read_floor(files: &[PathBuf]) -> Duration {
    common::median_time(5, || {
        for f in files {
            std::hint::black_box(std::fs::read(f).unwrap());
        }
    })
}

fn file_bytes(files: &[PathBuf]) -> u64 {
    files.iter().map(|f| std::fs::metadata(f).unwrap().len()).sum()
}

fn report(name: &str, bytes: u64, run: &Measured, floor: Duration) {
    println!(
        "{name:<36} {:>6.1} MB in: {:>9.1} ms, peak {:>7.1} MB (exit {}); reading the bytes alone: {:>7.1} ms",
        bytes as f64 / 1e6,
        run.wall.as_secs_f64() * 1e3,
        run.peak_bytes as f64 / 1e6,
        run.exit_code.map_or_else(|| "signal".to_owned(), |c| c.to_string()),
        floor.as_secs_f64() * 1e3,
    );
}

/// A wide CSV of `rows` runs of one metric (`latency [ms]`) around 40 ms with 3 % noise and a 10 %
/// step two thirds of the way in.
fn write_csv(path: &Path, rows: usize) {
    let mut rng = Rng::new(7);
    let mut text = String::with_capacity(rows * 18);
    text.push_str("id,latency [ms]\n");
    for r in 0..rows {
        let step = if r * 3 >= rows * 2 { 1.1 } else { 1.0 };
        writeln!(text, "{r},{:.3}", 40.0 * step * (1.0 + 0.03 * rng.gaussian())).unwrap();
    }
    write_replacing(path, text.as_bytes());
}

/// A workspace of `metrics` budgets (100 ms each) and `runs` runs of main in `ci` in `files` JSON
/// Lines files, every metric around 50 ms with 3 % noise; 10 metrics regress 30 % in the newest two runs.
fn write_workspace(dir: &Path, metrics: usize, runs: usize, files: usize) {
    let history = dir.join("history");
    std::fs::create_dir_all(&history).unwrap();
    std::fs::write(dir.join("budgets.yaml"), common::budgets_yaml(metrics)).unwrap();
    let mut rng = Rng::new(1);
    let per_file = runs.div_ceil(files);
    for f in 0..files {
        let mut text = String::new();
        for r in f * per_file..((f + 1) * per_file).min(runs) {
            common::start_run_line(&mut text, r, true);
            for m in 0..metrics {
                let regressed = r + 2 >= runs && m % 100 == 0;
                let value = 50.0 * (1.0 + 0.03 * rng.gaussian()) * if regressed { 1.3 } else { 1.0 };
                write!(text, "{}\"m{m}\":{value:.4}", if m == 0 { "" } else { "," }).unwrap();
            }
            text.push_str("}}\n");
        }
        write_replacing(&history.join(format!("runs-{f:02}.jsonl")), text.as_bytes());
    }
}

fn write_replacing(path: &Path, bytes: &[u8]) {
    let temporary = path.with_extension("part");
    std::fs::write(&temporary, bytes).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}
