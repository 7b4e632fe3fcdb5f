//! `headroom import` on real output of the real tools (hyperfine, Google Benchmark, pytest-benchmark,
//! installed by `.ci/run`), on the Bencher Metric Format, and on bad input: all of a file or nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use std::path::Path;
use std::process::Command;

fn headroom(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_headroom")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn workspace(dir: &Path, budgets: &str) -> String {
    let ws = dir.join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("budgets.yaml"), budgets).unwrap();
    ws.display().to_string()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?} runs (see .ci/run for what to install): {e}"));
    assert!(out.status.success(), "{cmd:?}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn hyperfine_runs_become_samples_in_seconds_and_check_uses_them() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("hyperfine.json");
    run(Command::new("hyperfine")
        .args(["--runs", "5", "--warmup", "1", "-N", "-n", "sleep_5ms", "sleep 0.005", "--export-json"])
        .arg(&json));
    let ws = workspace(dir.path(), "budgets:\n  sleep_5ms: {unit: ms, limit: 50}\n");
    let (code, out) = headroom(&[
        "import",
        "--from",
        "hyperfine",
        json.to_str().unwrap(),
        "--into",
        &ws,
        "--run-id",
        "r1",
        "--branch",
        "main",
        "--env",
        "ci",
    ]);
    assert_eq!(code, 0, "{out}");
    let history = std::fs::read_to_string(Path::new(&ws).join("history/hyperfine.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert_eq!(line["metrics"]["sleep_5ms"]["samples"].as_array().unwrap().len(), 5, "{line}");
    assert_eq!(line["metrics"]["sleep_5ms"]["unit"], "s");
    // The samples are seconds and the budget milliseconds: check converts (about 5 ms, under 50).
    let (code, out) = headroom(&["check", &ws]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("sleep_5ms"), "{out}");
}

#[test]
fn google_benchmark_repetitions_are_samples_of_one_metric() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("bench.cc");
    std::fs::write(
        &source,
        "#include <benchmark/benchmark.h>\n#include <string>\nstatic void BM_concat(benchmark::State& s) { for (auto _ : s) { std::string x = std::string(64, 'a') + \"b\"; benchmark::DoNotOptimize(x); } }\nBENCHMARK(BM_concat);\nBENCHMARK_MAIN();\n",
    )
    .unwrap();
    let binary = dir.path().join("bench");
    run(Command::new("g++").arg("-O2").arg(&source).arg("-o").arg(&binary).args(["-lbenchmark", "-lpthread"]));
    let json = dir.path().join("gbench.json");
    run(Command::new(&binary)
        .args(["--benchmark_repetitions=3", "--benchmark_min_time=0.01", "--benchmark_format=json"])
        .arg(format!("--benchmark_out={}", json.display())));
    let ws = workspace(dir.path(), "budgets:\n  BM_concat: {unit: us, limit: 10}\n");
    let (code, out) = headroom(&["import", "--from", "google-benchmark", json.to_str().unwrap(), "--into", &ws, "--run-id", "g1"]);
    assert_eq!(code, 0, "{out}");
    let history = std::fs::read_to_string(Path::new(&ws).join("history/google-benchmark.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert_eq!(line["metrics"]["BM_concat"]["samples"].as_array().unwrap().len(), 3, "three repetitions, aggregates left out: {line}");
    assert_eq!(line["metrics"]["BM_concat"]["unit"], "ns");
}

#[test]
fn pytest_benchmark_brings_its_data_commit_and_time() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("test_speed.py"), "def test_sum(benchmark):\n    benchmark(sum, range(1000))\n").unwrap();
    let json = dir.path().join("pytest.json");
    run(Command::new("python3")
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--benchmark-max-time=0.05", "--benchmark-save-data"])
        .arg(format!("--benchmark-json={}", json.display()))
        .arg(dir.path().join("test_speed.py"))
        .current_dir(dir.path()));
    let ws = workspace(dir.path(), "budgets:\n  test_sum: {unit: ms, limit: 5}\n");
    let (code, out) = headroom(&["import", "--from", "pytest-benchmark", json.to_str().unwrap(), "--into", &ws]);
    assert_eq!(code, 0, "{out}");
    let history = std::fs::read_to_string(Path::new(&ws).join("history/pytest-benchmark.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert!(line["metrics"]["test_sum"]["samples"].as_array().unwrap().len() > 5, "{line}");
    assert!(line["id"].as_str().unwrap().starts_with("pytest-benchmark-"), "{line}");
    let (code, out) = headroom(&["check", &ws]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn bencher_metric_format_latency_is_nanoseconds() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bmf.json");
    std::fs::write(&json, r#"{"bench::parse": {"latency": {"value": 3200.0, "lower_value": 3100.0, "upper_value": 3300.0}, "throughput": {"value": 1000.0}}}"#).unwrap();
    let ws = workspace(dir.path(), "budgets:\n  parse: {unit: us, limit: 5, metric: \"bench::parse\"}\n");
    let (code, out) = headroom(&["import", "--from", "bmf", json.to_str().unwrap(), "--into", &ws, "--run-id", "b1"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = headroom(&["check", &ws]);
    assert_eq!(code, 0, "3.2 µs is within 5 µs: {out}");
}

#[test]
fn a_foreign_or_broken_file_imports_nothing_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "budgets:\n  x: {unit: ms, limit: 5}\n");
    let good = dir.path().join("good.json");
    std::fs::write(&good, r#"{"results": [{"command": "x", "median": 0.001, "times": [0.001, 0.002]}]}"#).unwrap();
    let foreign = dir.path().join("lighthouse.json");
    std::fs::write(&foreign, r#"{"lighthouseVersion": "11", "audits": {}}"#).unwrap();
    let (code, out) = headroom(&["import", "--from", "hyperfine", good.to_str().unwrap(), foreign.to_str().unwrap(), "--into", &ws]);
    assert_eq!(code, 2);
    assert!(out.contains("lighthouse.json") && out.contains("expected hyperfine's `--export-json` output"), "{out}");
    assert!(!Path::new(&ws).join("history").exists(), "the good file was not imported on its own");
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"results\": [").unwrap();
    let (code, out) = headroom(&["import", "--from", "hyperfine", broken.to_str().unwrap(), "--into", &ws]);
    assert_eq!(code, 2);
    assert!(out.contains("broken.json:1:") && out.contains("not JSON"), "{out}");
    // The same run twice is refused.
    assert_eq!(headroom(&["import", "--from", "hyperfine", good.to_str().unwrap(), "--into", &ws, "--run-id", "r1"]).0, 0);
    let (code, out) = headroom(&["import", "--from", "hyperfine", good.to_str().unwrap(), "--into", &ws, "--run-id", "r1"]);
    assert_eq!(code, 2);
    assert!(out.contains("already has a run `r1`"), "{out}");
}

#[test]
fn criterion_samples_become_time_per_iteration() {
    // Real output of criterion 0.5 (`cargo bench` of a two-benchmark crate), kept as it was written.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion");
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "budgets:\n  parse_number: {unit: ns, limit: 50}\n  sum_1000: {unit: ns, limit: 5, metric: sum/1000}\n");
    let (code, out) = headroom(&["import", "--from", "criterion", fixtures.to_str().unwrap(), "--into", &ws, "--run-id", "c1"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("imported 2 metrics"), "{out}");
    let history = std::fs::read_to_string(Path::new(&ws).join("history/criterion.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    let samples = line["metrics"]["parse_number"]["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 10);
    // times / iters: about 3.7 ns per parse on the machine that ran it.
    assert!(samples.iter().all(|s| (1.0..20.0).contains(&s.as_f64().unwrap())), "{samples:?}");
    let (code, out) = headroom(&["check", &ws]);
    assert_eq!(code, 0, "{out}");
    // A folder that is not criterion's is refused.
    let (code, out) = headroom(&["import", "--from", "criterion", dir.path().join("ws").to_str().unwrap(), "--into", &ws]);
    assert_eq!(code, 2);
    assert!(out.contains("expected criterion's output folder"), "{out}");
}
