//! `headroom alerts` against the real `promtool` (Debian's `prometheus` package): the rules load,
//! and the generated unit tests prove each alert fires past its budget and not inside it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use std::path::Path;
use std::process::Command;

fn promtool(args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new("promtool").args(args).current_dir(dir).output().expect("promtool is installed (apt-get install prometheus)");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn alerts(workspace: &Path, out: &Path) -> String {
    let rules = out.join("alerts.yaml");
    let tests = out.join("alerts_test.yaml");
    let run = Command::new(env!("CARGO_BIN_EXE_headroom"))
        .arg("alerts")
        .arg(workspace)
        .arg("--output")
        .arg(&rules)
        .arg("--tests")
        .arg(&tests)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    std::fs::read_to_string(rules).unwrap()
}

#[test]
fn the_bundled_budgets_make_rules_promtool_accepts_and_tests_that_pass() {
    let out = tempfile::tempdir().unwrap();
    let rules = alerts(&Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets"), out.path());
    assert!(rules.contains("alert: SchemaValidatorLatencyHigh") && rules.contains("alert: SchemaValidatorMemoryHigh"), "{rules}");
    let (ok, text) = promtool(&["check", "rules", "alerts.yaml"], out.path());
    assert!(ok, "{text}");
    let (ok, text) = promtool(&["test", "rules", "alerts_test.yaml"], out.path());
    assert!(ok, "{text}");
}

#[test]
fn a_higher_is_better_budget_alerts_below_its_limit_and_a_wrong_threshold_fails_the_tests() {
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(
        ws.path().join("ui.yaml"),
        "budgets:\n  ui:\n    unit: fps\n    direction: higher\n    limit: 30\n    promql: 'avg(ui_frames_per_second)'\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let rules = alerts(ws.path(), out.path());
    assert!(rules.contains("alert: UiLow\n        expr: headroom:ui:value < 30"), "{rules}");
    assert!(promtool(&["test", "rules", "alerts_test.yaml"], out.path()).0);
    // The tests are not a formality: a rule with the wrong threshold fails them.
    std::fs::write(out.path().join("alerts.yaml"), rules.replace("headroom:ui:value < 30", "headroom:ui:value < 20")).unwrap();
    let (ok, text) = promtool(&["test", "rules", "alerts_test.yaml"], out.path());
    assert!(!ok, "{text}");
}
