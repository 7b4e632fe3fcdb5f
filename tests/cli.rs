//! `headroom` as CI runs it: the real binary, real files, exit codes and every output format.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use std::path::Path;
use std::process::{Command, Output};

fn headroom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_headroom")).args(args).env_remove("GITHUB_BASE_REF").output().expect("the headroom binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn run_line(id: &str, day: u32, branch: &str, metrics: &str) -> String {
    format!(
        "{{\"id\":\"{id}\",\"timestamp\":\"2026-05-{day:02}T10:00:00Z\",\"branch\":\"{branch}\",\"environment\":\"ci\",\"metrics\":{{{metrics}}}}}\n"
    )
}

fn workspace(history: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "capability_budgets.yaml", "schema_validator:\n  max_latency_ms: 50\n  max_memory_mb: 10\n");
    write(dir.path(), "history/ci.jsonl", history);
    dir
}

fn good_history() -> String {
    (1..=5).map(|d| run_line(&format!("r{d}"), d, "main", "\"schema_validator.latency\":30,\"schema_validator.memory\":4")).collect()
}

#[test]
fn a_workspace_within_budget_exits_0() {
    let dir = workspace(&good_history());
    let out = headroom(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("PASS: 2 passed, 0 warned, 0 failed"), "{}", stdout(&out));
}

#[test]
fn a_budget_exceeded_exits_1() {
    let mut history = good_history();
    history.push_str(&run_line("r6", 6, "main", "\"schema_validator.latency\":55,\"schema_validator.memory\":4"));
    let dir = workspace(&history);
    let out = headroom(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("over budget: 55 ms against a limit of 50 ms"), "{}", stdout(&out));
}

#[test]
fn a_pull_request_is_compared_with_its_base_branch() {
    let mut history = good_history();
    history.push_str(&run_line("pr1", 6, "feature", "\"schema_validator.latency\":36,\"schema_validator.memory\":4"));
    history.push_str(&run_line("pr2", 7, "feature", "\"schema_validator.latency\":36,\"schema_validator.memory\":4"));
    let dir = workspace(&history);
    let out = headroom(&["check", dir.path().to_str().unwrap(), "--baseline-branch", "main"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("regression: 20.0% worse than the baseline of 30 ms (median of 5 runs"), "{}", stdout(&out));
}

#[test]
fn a_misspelt_metric_is_never_a_silent_pass() {
    let history: String =
        (1..=3).map(|d| run_line(&format!("r{d}"), d, "main", "\"schema_validater.latency\":30,\"schema_validator.memory\":4")).collect();
    let dir = workspace(&history);
    let out = headroom(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("did you mean `schema_validater.latency`?"), "{}", stdout(&out));
    let out = headroom(&["check", dir.path().to_str().unwrap(), "--missing", "warn"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn an_environment_without_runs_fails() {
    let dir = workspace(&good_history());
    let out = headroom(&["check", dir.path().to_str().unwrap(), "--env", "prod"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("no run for environment `prod`"));
}

#[test]
fn invalid_input_exits_2_naming_file_line_and_field() {
    let dir = workspace(&good_history());
    write(dir.path(), "broken.yaml", "budgets:\n  api:\n    unit: ms\n    limt: 100\n");
    let out = headroom(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("broken.yaml:4:5: `budgets.api.limt`: unknown field in a budget; did you mean `limit`?"),
        "{}",
        stdout(&out)
    );
    // The valid file was still checked.
    assert!(stdout(&out).contains("schema_validator.latency"));
    let out = headroom(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_workspace_exits_2() {
    let out = headroom(&["check", "/no/such/workspace"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open the workspace"));
}

#[test]
fn json_output_follows_the_documented_schema() {
    let dir = workspace(&good_history());
    let out = headroom(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["status"], "pass");
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(doc["run"]["id"], "r5");
    assert_eq!(doc["summary"]["pass"], 2);
    let r = &doc["results"][0];
    for key in ["budget", "metric", "file", "line", "status", "unit", "value", "limit", "headroom", "baseline", "change", "findings"] {
        assert!(r.get(key).is_some(), "missing {key}");
    }
    assert_eq!(r["budget"], "schema_validator.latency");
    assert_eq!(r["headroom"], 20.0);
}

#[test]
fn junit_output_is_well_formed_xml_with_a_failure() {
    let mut history = good_history();
    history.push_str(&run_line("r6", 6, "main", "\"schema_validator.latency\":55,\"schema_validator.memory\":4"));
    let dir = workspace(&history);
    let out = headroom(&["check", dir.path().to_str().unwrap(), "--format", "junit"]);
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("<failure message=\"over budget: 55 ms against a limit of 50 ms\" type=\"over_limit\">"), "{xml}");
    assert_eq!(xml.matches("<testcase").count(), xml.matches("</testcase>").count());
    assert_eq!(xml.matches("<testcase").count(), 2);
}

#[test]
fn markdown_and_github_outputs_point_at_the_budget() {
    let mut history = good_history();
    history.push_str(&run_line("r6", 6, "main", "\"schema_validator.latency\":55,\"schema_validator.memory\":4"));
    let dir = workspace(&history);
    let md = stdout(&headroom(&["check", dir.path().to_str().unwrap(), "--format", "markdown"]));
    assert!(md.contains("| ❌ | `schema_validator.latency` | 55 ms | 50 ms | -5 ms |"), "{md}");
    let gh = stdout(&headroom(&["check", dir.path().to_str().unwrap(), "--format", "github"]));
    let line = gh.lines().find(|l| l.starts_with("::error ")).expect("an error annotation");
    assert!(line.contains("capability_budgets.yaml,line=2,title=Budget schema_validator.latency::over budget"), "{line}");
}

#[test]
fn the_report_can_be_written_to_a_file() {
    let dir = workspace(&good_history());
    let report = dir.path().join("report.xml");
    let out = headroom(&["check", dir.path().to_str().unwrap(), "--format", "junit", "--output", report.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(report).unwrap(), stdout(&out));
}

#[test]
fn the_bundled_workspace_checks_as_its_story_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets");
    let out = headroom(&["check", root.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0);
    let status = |id: &str| doc["results"].as_array().unwrap().iter().find(|r| r["budget"] == id).map(|r| r["status"].clone());
    // The JavaScript bundle crosses its 200 KB budget at the end of the example history.
    assert_eq!(status("frontend.javascript"), Some("fail".into()));
    // Auth's database lookup stepped up and is near its 15 ms allocation.
    assert_eq!(status("services.auth.database_lookup"), Some("warn".into()));
    assert_eq!(status("schema_validator.latency"), Some("pass".into()));
    let out = headroom(&["validate", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}
