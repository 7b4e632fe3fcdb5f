//! `headroom import` on real output of the real tools (hyperfine, Google Benchmark, pytest-benchmark,
//! k6 and Lighthouse, installed by `.ci/test`), on the Bencher Metric Format, and on bad input: all
//! of a file or nothing.
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

/// Every run a format's imports wrote (each import is a file of its own under `history/<format>/`), in file name order.
fn history_of(ws: &str, format: &str) -> String {
    fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { collect(&path, out) } else { out.push(path) }
        }
    }
    let mut files = Vec::new();
    collect(&Path::new(ws).join("history").join(format), &mut files);
    files.sort();
    files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?} runs (.ci/test installs the tools the tests drive): {e}"));
    assert!(out.status.success(), "{cmd:?}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn hyperfine_runs_become_samples_in_seconds_and_check_uses_them() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("hyperfine.json");
    run(Command::new("hyperfine")
        .args(["--runs", "5", "--warmup", "1", "-N", "-n", "sleep_5ms", "sleep 0.005", "--export-json"])
        .arg(&json));
    // The limit is far above any sleep a loaded runner measures: this test is about units, not speed.
    let ws = workspace(dir.path(), "budgets:\n  sleep_5ms: {unit: ms, limit: 10000}\n");
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
    let history = history_of(&ws, "hyperfine");
    let line: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert_eq!(line["metrics"]["sleep_5ms"]["samples"].as_array().unwrap().len(), 5, "{line}");
    assert_eq!(line["metrics"]["sleep_5ms"]["unit"], "s");
    // The samples are seconds and the budget milliseconds: check converts. A sleep of 5 ms reads as
    // 5 ms or more (a loaded machine sleeps longer), never as 0.005 ms (seconds read as milliseconds)
    // nor as thousands of milliseconds (milliseconds read as seconds).
    let (code, out) = headroom(&["check", &ws, "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let result = &doc["results"][0];
    assert_eq!(result["budget"], "sleep_5ms", "{out}");
    assert_eq!(result["unit"], "ms", "{out}");
    let value = result["value"].as_f64().unwrap();
    assert!((4.0..2000.0).contains(&value), "sleep 0.005 read as {value} ms: {out}");
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
    let history = history_of(&ws, "google-benchmark");
    let line: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert_eq!(line["metrics"]["BM_concat"]["samples"].as_array().unwrap().len(), 3, "three repetitions, aggregates left out: {line}");
    assert_eq!(line["metrics"]["BM_concat"]["unit"], "ns");
}

/// Compiles a Google Benchmark program (`libbenchmark-dev`) into `dir`; returns the binary.
fn google_benchmark_binary(dir: &Path, source: &str) -> std::path::PathBuf {
    let file = dir.join("bench.cc");
    std::fs::write(&file, source).unwrap();
    let binary = dir.join("bench");
    run(Command::new("g++").arg("-O2").arg(&file).arg("-o").arg(&binary).args(["-lbenchmark", "-lpthread"]));
    binary
}

/// `BM_concat` always runs; `BM_flaky` fails (`SkipWithError`) where `FAIL` is set, as a benchmark
/// whose backend is down does.
const CONCAT_AND_FLAKY: &str = "#include <benchmark/benchmark.h>\n#include <cstdlib>\n#include <string>\n\
static void BM_concat(benchmark::State& s) { for (auto _ : s) { std::string x = std::string(64, 'a') + \"b\"; benchmark::DoNotOptimize(x); } }\n\
BENCHMARK(BM_concat);\n\
static void BM_flaky(benchmark::State& s) {\n  if (std::getenv(\"FAIL\")) { s.SkipWithError(\"backend unreachable\"); }\n\
  for (auto _ : s) { std::string x(32, 'c'); benchmark::DoNotOptimize(x); }\n}\n\
BENCHMARK(BM_flaky);\nBENCHMARK_MAIN();\n";

#[test]
fn a_failed_google_benchmark_is_named_and_never_lands_as_a_fast_value() {
    let dir = tempfile::tempdir().unwrap();
    let binary = google_benchmark_binary(dir.path(), CONCAT_AND_FLAKY);
    let ws = workspace(
        dir.path(),
        "budgets:\n  concat: {unit: us, limit: 10, metric: BM_concat}\n  flaky: {unit: us, limit: 10, metric: BM_flaky}\n",
    );
    let bench = |json: &Path, fail: bool| {
        let mut cmd = Command::new(&binary);
        cmd.args(["--benchmark_repetitions=2", "--benchmark_min_time=0.01"]).arg(format!("--benchmark_out={}", json.display()));
        if fail {
            cmd.env("FAIL", "1");
        } else {
            cmd.env_remove("FAIL");
        }
        run(&mut cmd);
    };
    // A run where both work, then one where BM_flaky fails (Google Benchmark writes its rows with real_time 0).
    let good = dir.path().join("good.json");
    bench(&good, false);
    let (code, out) = headroom(&["import", "--from", "google-benchmark", good.to_str().unwrap(), "--into", &ws, "--run-id", "g1"]);
    assert_eq!(code, 0, "{out}");
    let failed = dir.path().join("failed.json");
    bench(&failed, true);
    let raw = std::fs::read_to_string(&failed).unwrap();
    assert!(
        raw.contains("\"error_occurred\": true") && raw.contains("\"real_time\": 0"),
        "the failure as Google Benchmark writes it: {raw}"
    );
    let (code, out) = headroom(&["import", "--from", "google-benchmark", failed.to_str().unwrap(), "--into", &ws, "--run-id", "g2"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning:") && out.contains("`BM_flaky` failed (backend unreachable): not imported"), "{out}");
    assert!(out.contains("imported 1 metrics"), "{out}");
    let history = history_of(&ws, "google-benchmark");
    let second: serde_json::Value = serde_json::from_str(history.lines().nth(1).unwrap()).unwrap();
    assert!(second["metrics"].get("BM_flaky").is_none(), "no 0 ns sample: {second}");
    // The check finds the budgeted benchmark missing from the run, and fails on it: never a pass.
    let (code, out) = headroom(&["check", &ws, "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let flaky = report["results"].as_array().unwrap().iter().find(|r| r["metric"] == "BM_flaky").unwrap();
    assert_eq!(flaky["status"], "fail", "{flaky}");
    assert!(flaky.to_string().contains("not_in_run"), "{flaky}");
    // A file in which every benchmark failed imports nothing, and says why.
    let only_failed = dir.path().join("only-failed.json");
    run(Command::new(&binary)
        .env("FAIL", "1")
        .args(["--benchmark_filter=BM_flaky", "--benchmark_min_time=0.01"])
        .arg(format!("--benchmark_out={}", only_failed.display())));
    let (code, out) = headroom(&["import", "--from", "google-benchmark", only_failed.to_str().unwrap(), "--into", &ws, "--run-id", "g3"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no measurements in it, only what cannot become a value: `BM_flaky` failed (backend unreachable)"), "{out}");
}

#[test]
fn google_benchmark_aggregates_only_take_the_median_and_keep_the_stddev() {
    let dir = tempfile::tempdir().unwrap();
    let binary = google_benchmark_binary(dir.path(), CONCAT_AND_FLAKY);
    let json = dir.path().join("aggregates.json");
    run(Command::new(&binary)
        .env_remove("FAIL")
        .args(["--benchmark_repetitions=3", "--benchmark_min_time=0.01", "--benchmark_report_aggregates_only=true"])
        .arg(format!("--benchmark_out={}", json.display())));
    let raw: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let rows = raw["benchmarks"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["run_type"] == "aggregate"), "aggregates only: {raw}");
    let median = rows.iter().find(|r| r["name"] == "BM_concat_median").unwrap()["real_time"].as_f64().unwrap();
    let stddev = rows.iter().find(|r| r["name"] == "BM_concat_stddev").unwrap()["real_time"].as_f64().unwrap();
    let ws = workspace(dir.path(), "budgets:\n  concat: {unit: us, limit: 10, metric: BM_concat}\n");
    let (code, out) = headroom(&["import", "--from", "google-benchmark", json.to_str().unwrap(), "--into", &ws, "--run-id", "a1"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("note:") && out.contains("took the median of the repetitions as the value of `BM_concat` (3 repetitions)"),
        "{out}"
    );
    let history = history_of(&ws, "google-benchmark");
    let line: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert_eq!(line["metrics"]["BM_concat"]["value"].as_f64(), Some(median), "{line}");
    assert_eq!(line["metrics"]["BM_concat"]["unit"], "ns");
    assert_eq!(line["metrics"]["BM_concat.stddev"]["value"].as_f64(), Some(stddev), "{line}");
    assert!(line["metrics"].get("BM_concat_mean").is_none() && line["metrics"].get("BM_concat_cv").is_none(), "{line}");
    let (code, out) = headroom(&["check", &ws]);
    assert_eq!(code, 0, "a string concatenation takes well under 10 µs: {out}");
}

#[test]
fn a_hyperfine_parameter_scan_under_one_name_becomes_one_metric_per_value() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("scan.json");
    run(Command::new("hyperfine")
        .args(["--runs", "3", "-N", "-P", "t", "1", "2", "-n", "sleep", "sleep 0.00{t}", "--export-json"])
        .arg(&json));
    let ws = workspace(dir.path(), "budgets:\n  sleep_2ms: {unit: ms, limit: 10000, metric: \"sleep[t=2]\"}\n");
    let (code, out) = headroom(&["import", "--from", "hyperfine", json.to_str().unwrap(), "--into", &ws, "--run-id", "s1"]);
    assert_eq!(code, 0, "{out}");
    let history = history_of(&ws, "hyperfine");
    let line: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    for metric in ["sleep[t=1]", "sleep[t=2]"] {
        assert_eq!(line["metrics"][metric]["samples"].as_array().map(Vec::len), Some(3), "{metric}: {line}");
    }
    let (code, out) = headroom(&["check", &ws]);
    assert_eq!(code, 0, "{out}");
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
    let history = history_of(&ws, "pytest-benchmark");
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
    let history = history_of(&ws, "criterion");
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

#[test]
fn k6_summary_metrics_become_one_metric_per_statistic() {
    let dir = tempfile::tempdir().unwrap();
    // The shape of `k6 run --summary-export=summary.json` (k6 0.4x).
    let json = dir.path().join("summary.json");
    std::fs::write(
        &json,
        r#"{"root_group": {"name": "", "path": "", "id": "d41d8cd98f00b204e9800998ecf8427e", "groups": {}, "checks": {}},
            "metrics": {
              "http_req_duration": {"avg": 41.2, "min": 12.1, "med": 38.0, "max": 211.5, "p(90)": 70.3, "p(95)": 88.9},
              "http_reqs": {"count": 1200, "rate": 39.8},
              "http_req_failed": {"passes": 0, "fails": 1200, "value": 0},
              "iteration_duration": {"avg": 1043.0, "min": 1012.0, "med": 1039.0, "max": 1220.0, "p(90)": 1071.0, "p(95)": 1088.0}
            }}"#,
    )
    .unwrap();
    let ws = workspace(dir.path(), "budgets:\n  api_p95: {unit: ms, limit: 100, metric: \"http_req_duration.p(95)\"}\n");
    let (code, out) = headroom(&["import", "--from", "k6", json.to_str().unwrap(), "--into", &ws, "--run-id", "k1"]);
    assert_eq!(code, 0, "{out}");
    let history = history_of(&ws, "k6");
    assert!(history.contains("\"http_req_duration.p(95)\":{\"value\":88.9,\"unit\":\"ms\"}"), "{history}");
    assert!(history.contains("\"http_reqs.rate\":39.8"), "{history}");
    let (code, out) = headroom(&["check", &ws]);
    assert_eq!(code, 0, "88.9 ms is within 100 ms: {out}");
}

#[test]
fn lighthouse_ci_budgets_convert_to_headroom_budgets_that_a_lighthouse_report_is_checked_against() {
    let dir = tempfile::tempdir().unwrap();
    let budgets_json = dir.path().join("budgets.json");
    std::fs::write(
        &budgets_json,
        r#"[{"path": "/*", "timings": [{"metric": "interactive", "budget": 3000}, {"metric": "first-contentful-paint", "budget": 1500}],
             "resourceSizes": [{"resourceType": "script", "budget": 125}, {"resourceType": "total", "budget": 300}],
             "resourceCounts": [{"resourceType": "third-party", "budget": 10}]}]"#,
    )
    .unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let converted = ws.join("lighthouse.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_headroom"))
        .args(["convert-budgets", "--from", "lighthouse-ci", budgets_json.to_str().unwrap(), "--output", converted.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (code, text) = headroom(&["validate", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("5 budgets") || text.contains("6 budgets"), "{text}");
    // A report in Lighthouse's JSON shape: audits with numericValue, categories, resource summary.
    let report = dir.path().join("report.json");
    std::fs::write(
        &report,
        r#"{"lighthouseVersion": "12.2.1", "fetchTime": "2026-11-25T10:00:00.000Z",
            "categories": {"performance": {"score": 0.91}},
            "audits": {
              "interactive": {"numericValue": 2810.4, "numericUnit": "millisecond"},
              "first-contentful-paint": {"numericValue": 1620.0, "numericUnit": "millisecond"},
              "cumulative-layout-shift": {"numericValue": 0.02, "numericUnit": "unitless"},
              "resource-summary": {"details": {"items": [
                {"resourceType": "script", "transferSize": 118000, "requestCount": 7},
                {"resourceType": "total", "transferSize": 290000, "requestCount": 21},
                {"resourceType": "third-party", "transferSize": 40000, "requestCount": 4}]}}}}"#,
    )
    .unwrap();
    let (code, text) = headroom(&["import", "--from", "lighthouse", report.to_str().unwrap(), "--into", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = headroom(&["check", ws.to_str().unwrap()]);
    // First contentful paint (1620 ms) breaks its 1500 ms budget; scripts hold (118,000 B = 115 KiB < 125 KiB).
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("over budget: 1620 ms against a limit of 1500 ms"), "{text}");
    assert!(text.contains("lighthouse.script_size") && text.contains("115 KiB      125 KiB"), "{text}");
}

/// Serves `page` on loopback for the rest of the test run; returns its port.
fn serve(page: &'static str) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    port
}

#[test]
fn a_real_k6_run_against_a_local_server_is_imported_and_checked() {
    let port = serve("<!doctype html><title>ok</title>");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("load.js");
    std::fs::write(
        &script,
        format!(
            "import http from 'k6/http';\nexport const options = {{ vus: 2, iterations: 40 }};\nexport default function () {{ http.get('http://127.0.0.1:{port}/'); }}\n"
        ),
    )
    .unwrap();
    let summary = dir.path().join("summary.json");
    let k6 = std::env::var("HEADROOM_K6").unwrap_or_else(|_| "k6".to_owned());
    run(Command::new(&k6).args(["run", "--quiet", "--no-usage-report", "--summary-export"]).arg(&summary).arg(&script));
    let ws = workspace(
        dir.path(),
        "budgets:\n  api_p95: {unit: ms, limit: 1000, metric: \"http_req_duration.p(95)\"}\n  requests: {unit: count, direction: higher, limit: 40, metric: http_reqs.count}\n",
    );
    let (code, out) = headroom(&["import", "--from", "k6", summary.to_str().unwrap(), "--into", &ws, "--run-id", "k6-1"]);
    assert_eq!(code, 0, "{out}");
    let history = history_of(&ws, "k6");
    for metric in ["http_req_duration.p(95)", "http_req_duration.med", "http_reqs.count", "iteration_duration.avg", "iterations.count"] {
        assert!(history.contains(&format!("\"{metric}\"")), "{metric} missing: {history}");
    }
    let (code, out) = headroom(&["check", &ws]);
    assert_eq!(code, 0, "40 requests to loopback, each well under a second: {out}");
}

#[test]
fn a_real_lighthouse_report_of_a_local_page_is_imported() {
    let port = serve(
        "<!doctype html><html lang=en><head><title>Headroom</title><meta name=viewport content=\"width=device-width\"></head><body><h1>Budgets</h1><script>for (let i = 0; i < 1e5; i++) {}</script></body></html>",
    );
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let lighthouse = std::env::var("HEADROOM_LIGHTHOUSE").unwrap_or_else(|_| "lighthouse".to_owned());
    run(Command::new(&lighthouse)
        .arg(format!("http://127.0.0.1:{port}/"))
        .args(["--output=json", "--only-categories=performance", "--quiet"])
        .arg(format!("--output-path={}", report.display()))
        .arg("--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync"));
    let ws = workspace(
        dir.path(),
        "budgets:\n  tti: {unit: ms, limit: 10000, metric: lighthouse.interactive}\n  score: {unit: \"%\", direction: higher, limit: 50, metric: lighthouse.score.performance}\n",
    );
    let (code, out) = headroom(&["import", "--from", "lighthouse", report.to_str().unwrap(), "--into", &ws, "--run-id", "lh1"]);
    assert_eq!(code, 0, "{out}");
    let history = history_of(&ws, "lighthouse");
    for metric in
        ["lighthouse.interactive", "lighthouse.largest-contentful-paint", "lighthouse.score.performance", "lighthouse.resource.total.size"]
    {
        assert!(history.contains(&format!("\"{metric}\"")), "{metric} missing: {history}");
    }
    let (code, out) = headroom(&["check", &ws]);
    assert_eq!(code, 0, "a trivial page is fast: {out}");
}

#[test]
fn a_real_k6_run_whose_handle_summary_writes_its_data_is_imported_with_group_durations_in_ms() {
    let port = serve("<!doctype html><title>ok</title>");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("load.js");
    let summary = dir.path().join("summary.json");
    // What most k6 users write: handleSummary returning JSON.stringify(data) for a file.
    std::fs::write(
        &script,
        format!(
            "import http from 'k6/http';\nimport {{ group }} from 'k6';\n\
             export const options = {{ vus: 2, iterations: 20, thresholds: {{ 'group_duration{{group:::home}}': ['p(95)<5000'] }} }};\n\
             export default function () {{ group('home', () => {{ http.get('http://127.0.0.1:{port}/'); }}); }}\n\
             export function handleSummary(data) {{ return {{ '{}': JSON.stringify(data) }}; }}\n",
            summary.display().to_string().replace('\\', "\\\\")
        ),
    )
    .unwrap();
    let k6 = std::env::var("HEADROOM_K6").unwrap_or_else(|_| "k6".to_owned());
    // --summary-time-unit changes only k6's text: the data stays in milliseconds.
    run(Command::new(&k6).args(["run", "--quiet", "--no-usage-report", "--summary-time-unit=s"]).arg(&script));
    let raw: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(raw["metrics"]["http_req_duration"]["contains"], "time", "handleSummary's shape: {raw}");
    let ws = workspace(
        dir.path(),
        "budgets:\n  home_p95: {unit: ms, limit: 1000, metric: \"group_duration{group:::home}.p(95)\"}\n  requests: {unit: count, direction: higher, limit: 20, metric: http_reqs.count}\n",
    );
    let (code, out) = headroom(&["import", "--from", "k6", summary.to_str().unwrap(), "--into", &ws, "--run-id", "hs-1"]);
    assert_eq!(code, 0, "{out}");
    let history = history_of(&ws, "k6");
    let line: serde_json::Value = serde_json::from_str(&history).unwrap();
    for metric in ["group_duration{group:::home}.p(95)", "group_duration.avg", "http_req_duration.p(95)", "iteration_duration.med"] {
        assert_eq!(line["metrics"][metric]["unit"], "ms", "{metric}: {line}");
    }
    assert_eq!(line["metrics"]["http_reqs.count"], 20.0, "{line}");
    let (code, out) = headroom(&["check", &ws]);
    assert_eq!(code, 0, "20 requests to loopback, each well under a second: {out}");
}

fn lighthouse_fixture(version: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/lighthouse/lighthouse-{version}.json")).display().to_string()
}

/// Imports a report into a fresh workspace; returns the run's metrics and what the import printed.
fn import_lighthouse(dir: &Path, report: &str) -> (serde_json::Value, String) {
    let ws = workspace(dir, "budgets:\n  fcp: {unit: ms, limit: 1800, metric: lighthouse.first-contentful-paint}\n");
    let (code, out) = headroom(&["import", "--from", "lighthouse", report, "--into", &ws, "--run-id", "lh"]);
    assert_eq!(code, 0, "{out}");
    let history = history_of(&ws, "lighthouse");
    let line: serde_json::Value = serde_json::from_str(&history).unwrap();
    let (code, check) = headroom(&["check", &ws]);
    assert_eq!(code, 0, "a first contentful paint of about 0.6 s is within 1.8 s: {check}");
    (line["metrics"].clone(), out)
}

#[test]
fn lighthouse_3_and_4_reports_import_their_raw_value_timings_in_ms_and_sizes_in_bytes() {
    for (version, fcp) in [("3.2.1", 603.3443), ("4.3.1", 606.1827)] {
        let dir = tempfile::tempdir().unwrap();
        let (metrics, out) = import_lighthouse(dir.path(), &lighthouse_fixture(version));
        assert_eq!(metrics["lighthouse.first-contentful-paint"], serde_json::json!({"value": fcp, "unit": "ms"}), "{version}: {metrics}");
        for timing in ["interactive", "speed-index", "first-meaningful-paint", "mainthread-work-breakdown", "render-blocking-resources"] {
            assert_eq!(metrics[format!("lighthouse.{timing}")]["unit"], "ms", "{version} {timing}: {metrics}");
        }
        assert_eq!(metrics["lighthouse.total-byte-weight"], serde_json::json!({"value": 4448.0, "unit": "B"}), "{version}");
        assert_eq!(metrics["lighthouse.dom-size"], 8.0, "{version}: a count, without a unit");
        assert_eq!(metrics["lighthouse.score.performance"]["unit"], "%", "{version}");
        assert!(!out.contains("without a unit"), "every audit of these reports has a known unit: {out}");
    }
}

#[test]
fn lighthouse_5_imports_timings_in_ms_and_resource_sizes_from_size() {
    let dir = tempfile::tempdir().unwrap();
    let (metrics, _) = import_lighthouse(dir.path(), &lighthouse_fixture("5.6.0"));
    assert_eq!(metrics["lighthouse.first-contentful-paint"], serde_json::json!({"value": 694.16, "unit": "ms"}), "{metrics}");
    assert_eq!(metrics["lighthouse.total-blocking-time"]["unit"], "ms");
    assert_eq!(metrics["lighthouse.resource.total.size"], serde_json::json!({"value": 4448.0, "unit": "B"}), "{metrics}");
    assert_eq!(metrics["lighthouse.resource.script.size"], serde_json::json!({"value": 3246.0, "unit": "B"}), "{metrics}");
    assert_eq!(metrics["lighthouse.resource.total.count"], 4.0, "{metrics}");
}

#[test]
fn a_lighthouse_2_report_is_refused_by_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "budgets:\n  fcp: {unit: ms, limit: 1800, metric: lighthouse.first-contentful-paint}\n");
    let report = lighthouse_fixture("2.9.4");
    let (code, out) = headroom(&["import", "--from", "lighthouse", &report, "--into", &ws]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("lighthouse-2.9.4.json: a Lighthouse 2.9.4 report") && out.contains("Lighthouse 3 and later"), "{out}");
    assert!(!Path::new(&ws).join("history").exists());
}
