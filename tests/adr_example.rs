//! The worked example of ADR 030's workflow (`examples/adr-030/`), run as a new user would run it:
//! its own pytest-benchmark suite, through its own CI script (`ci/gate.sh`, which its GitHub
//! Actions job calls), into ADR 030's budget file unchanged: green on main; then a commit that
//! slows SchemaValidator down: red, with the regression and its commit range. Its alert rules are
//! what `headroom alerts` makes of the same file. Needs python3 with pytest-benchmark and promtool
//! (`.ci/test` installs them).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

mod common;

use common::copy_dir;
use std::path::{Path, PathBuf};
use std::process::Command;

/// ADR 030's `capability_budgets.yaml`, as the ADR's text has it.
const ADR_030_BUDGETS: &str = "# capability_budgets.yaml
schema_validator:
  max_latency_ms: 50
  max_memory_mb: 10
rate_limiter:
  max_latency_ms: 10
  max_memory_mb: 5
metrics:
  max_latency_ms: 5
  max_memory_mb: 2
";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/adr-030")
}

fn git(project: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=Ada", "-c", "user.email=ada@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(project)
        .output()
        .expect("git is installed");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A copy of the example as a new project: its own git repository with one commit on `main`.
fn new_project(dir: &Path) -> (PathBuf, String) {
    let project = dir.join("project");
    copy_dir(&example(), &project);
    git(&project, &["init", "-q", "-b", "main"]);
    git(&project, &["add", "-A"]);
    git(&project, &["commit", "-q", "-m", "ADR 030: capabilities, their benchmarks and budgets"]);
    let commit = git(&project, &["rev-parse", "HEAD"]);
    (project, commit)
}

fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?} runs (.ci/test installs the tools the tests drive): {e}"));
    (out.status.code().unwrap_or(-1), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// `ci/gate.sh RUN COMMIT BRANCH` with this build of `headroom`, as the CI job runs it.
fn gate(project: &Path, run_id: &str, commit: &str, branch: &str) -> (i32, String) {
    run(Command::new("bash")
        .arg("ci/gate.sh")
        .args([run_id, commit, branch])
        .current_dir(project)
        .env("HEADROOM", env!("CARGO_BIN_EXE_headroom"))
        .env_remove("GITHUB_BASE_REF"))
}

fn headroom(project: &Path, args: &[&str]) -> (i32, String) {
    run(Command::new(env!("CARGO_BIN_EXE_headroom")).args(args).current_dir(project).env_remove("GITHUB_BASE_REF"))
}

/// The text report's line of a budget, with the indented lines under it.
fn budget_lines(report: &str, id: &str) -> String {
    let mut lines = report.lines().skip_while(|l| l.split_whitespace().nth(1) != Some(id));
    let head = lines.next().unwrap_or_else(|| panic!("no budget {id} in {report}"));
    std::iter::once(head).chain(lines.take_while(|l| l.starts_with(' '))).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_example_keeps_adr_030s_budget_file_unchanged_and_its_ci_job_runs_the_gate_script() {
    assert_eq!(std::fs::read_to_string(example().join("budgets/capability_budgets.yaml")).unwrap(), ADR_030_BUDGETS);
    let job = std::fs::read_to_string(example().join(".github/workflows/performance.yml")).unwrap();
    assert!(job.contains("run: ci/gate.sh "), "{job}");
    assert!(
        job.contains("headroom alerts budgets --env prod --output alerts/capability_alerts.yml --tests alerts/capability_alerts_test.yml"),
        "{job}"
    );
}

#[test]
fn the_examples_alert_rules_are_what_headroom_makes_of_its_budget_file_and_promtool_passes_them() {
    let dir = tempfile::tempdir().unwrap();
    let (project, _) = new_project(dir.path());
    let (code, out) = headroom(
        &project,
        &["alerts", "budgets", "--env", "prod", "--output", "alerts/capability_alerts.yml", "--tests", "alerts/capability_alerts_test.yml"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("6 alerting budgets"), "{out}");
    for file in ["capability_alerts.yml", "capability_alerts_test.yml"] {
        assert_eq!(
            std::fs::read_to_string(project.join("alerts").join(file)).unwrap(),
            std::fs::read_to_string(example().join("alerts").join(file)).unwrap(),
            "examples/adr-030/alerts/{file} is not what `headroom alerts` makes of the budgets now: regenerate it"
        );
    }
    let rules = std::fs::read_to_string(project.join("alerts/capability_alerts.yml")).unwrap();
    assert!(rules.contains("capability_duration_seconds_bucket{capability=\\\"rate_limiter\\\"}"), "{rules}");
    assert!(rules.contains("expr: headroom:metrics_memory:value > 2\n"), "{rules}");
    for args in [["check", "rules", "alerts/capability_alerts.yml"], ["test", "rules", "alerts/capability_alerts_test.yml"]] {
        let (code, out) = run(Command::new("promtool").args(args).current_dir(&project));
        assert_eq!(code, 0, "promtool {args:?}: {out}");
    }
}

#[test]
fn the_example_is_green_on_main_and_red_with_the_regression_and_its_commits_when_a_capability_slows() {
    let dir = tempfile::tempdir().unwrap();
    let (project, main) = new_project(dir.path());

    // The first run of main: every budget measured and within its limit; nothing to compare with yet.
    let (code, green) = gate(&project, "main-1", &main, "main");
    assert_eq!(code, 0, "{green}");
    assert!(green.contains("verified: every budget is the ledger's start"), "{green}");
    assert!(green.contains(", 0 failed, 0 problems"), "{green}");
    // Every budget of the ADR's file is measured by the benchmark named after its capability.
    let validator = budget_lines(&green, "schema_validator.latency");
    assert!(validator.contains("measured by `test_schema_validator[large]`, `test_schema_validator[small]`"), "{validator}");
    let memory = budget_lines(&green, "metrics.memory");
    assert!(memory.contains("measured by `test_metrics.peak_memory`"), "{memory}");
    assert!(!green.contains("Metrics with no budget"), "{green}");
    let (_, json) = headroom(&project, &["check", "budgets", "--env", "ci", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let memory = report["results"].as_array().unwrap().iter().find(|r| r["budget"] == "schema_validator.memory").unwrap();
    assert_eq!(
        memory["measured_by"],
        serde_json::json!(["test_schema_validator[large].peak_memory", "test_schema_validator[small].peak_memory"])
    );
    assert_eq!(memory["unit"], "MB");
    assert!(memory["value"].as_f64().is_some_and(|mb| mb > 0.0 && mb < 10.0), "{memory}");

    // A pull request makes the validator copy every document first: several times slower, still
    // far within its 50 ms budget, and a regression against main (with one run of main, the
    // rounds' samples of the two runs are what the test compares).
    git(&project, &["checkout", "-q", "-b", "defensive-copy"]);
    let source = project.join("capabilities/schema_validator.py");
    let slower = std::fs::read_to_string(&source).unwrap().replace(
        "    problems = []\n",
        "    import copy\n\n    document = copy.deepcopy(document)  # never trust the caller\n    problems = []\n",
    );
    std::fs::write(&source, slower).unwrap();
    git(&project, &["commit", "-q", "-am", "SchemaValidator: validate a copy of the document"]);
    let slow = git(&project, &["rev-parse", "HEAD"]);
    let (code, red) = gate(&project, "pr-1", &slow, "defensive-copy");
    assert_eq!(code, 1, "{red}");
    let validator = budget_lines(&red, "schema_validator.latency");
    assert!(validator.starts_with("FAIL "), "{validator}");
    assert!(validator.contains("regression: "), "{validator}");
    assert!(validator.contains(&format!("commits: {main}..{slow}")), "{validator}");
}

#[test]
fn a_benchmark_named_otherwise_gets_the_nearest_names_and_the_line_that_maps_it() {
    let dir = tempfile::tempdir().unwrap();
    let (project, main) = new_project(dir.path());
    let suite = project.join("tests/test_capabilities.py");
    let renamed = std::fs::read_to_string(&suite).unwrap().replace("def test_schema_validator(", "def test_validate_order(");
    std::fs::write(&suite, renamed).unwrap();
    let (code, out) = gate(&project, "main-1", &main, "main");
    assert_eq!(code, 1, "{out}");
    let latency = budget_lines(&out, "schema_validator.latency");
    assert!(latency.contains("no metric `schema_validator.latency` in the history: nothing measures this budget"), "{latency}");
    assert!(latency.contains("Nearest benchmarks: `test_validate_order[large]`, `test_validate_order[small]`"), "{latency}");
    let line = "schema_validator.latency: \"test_validate_order[large]\"";
    assert!(latency.contains(&format!("add under `metrics:` in headroom.yaml: `{line}`")), "{latency}");
    assert!(budget_lines(&out, "schema_validator.memory").contains("`test_validate_order[large].peak_memory`"), "{out}");

    // The suggested lines, for both cases and for memory: the same history now meets the budgets.
    let config = project.join("budgets/headroom.yaml");
    let mapped = std::fs::read_to_string(&config).unwrap()
        + "metrics:\n  schema_validator.latency: [\"test_validate_order[large]\", \"test_validate_order[small]\"]\n"
        + "  schema_validator.memory: [\"test_validate_order[large].peak_memory\", \"test_validate_order[small].peak_memory\"]\n";
    std::fs::write(&config, mapped).unwrap();
    let (code, out) = headroom(&project, &["check", "budgets", "--env", "ci"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        budget_lines(&out, "schema_validator.latency")
            .contains("measured by `test_validate_order[large]`, `test_validate_order[small]` (by headroom.yaml's `metrics:`)"),
        "{out}"
    );
}
