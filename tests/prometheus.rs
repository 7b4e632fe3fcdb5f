//! `headroom alerts` against the real `promtool` (Debian's `prometheus` package): the rules load,
//! and the generated unit tests prove each alert fires past its budget and not inside it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

mod stores;

use std::path::Path;
use std::process::Command;
use stores::{promtool, server};

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
    // ADR 030's names: one alert per kind of limit, the capability in a label, prod's limits.
    assert_eq!(rules.matches("alert: CapabilityLatencyHigh\n").count(), 3, "{rules}");
    assert_eq!(rules.matches("alert: CapabilityMemoryNearBudget\n").count(), 3, "{rules}");
    assert!(rules.contains("capability: \"rate_limiter\"\n          environment: \"prod\"\n"), "{rules}");
    assert!(!rules.contains("SchemaValidatorLatencyHigh"), "{rules}");
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

#[test]
fn a_group_names_its_alert_family_and_the_runtime_environment_gives_the_limits() {
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(ws.path().join("headroom.yaml"), "default_environment: ci\nruntime_environment: prod\nenvironments: [ci, prod]\n")
        .unwrap();
    std::fs::write(
        ws.path().join("services.yaml"),
        concat!(
            "budgets:\n  services:\n    alert: ServiceLatency\n    unit: ms\n    budgets:\n",
            "      auth:\n        limit: 30\n        environments: {ci: 60, prod: 25}\n        promql: 'auth_p95_ms'\n",
            "      education:\n        limit: 40\n        promql: 'education_p95_ms'\n",
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let rules = alerts(ws.path(), out.path());
    // prod's 25 ms, not ci's 60 ms.
    assert!(rules.contains("alert: ServiceLatencyHigh\n        expr: headroom:services_auth:value > 25\n"), "{rules}");
    assert!(rules.contains("service: \"auth\"") && rules.contains("service: \"education\""), "{rules}");
    let (ok, text) = promtool(&["test", "rules", "alerts_test.yaml"], out.path());
    assert!(ok, "{text}");
    // Past 25 ms and below ci's 60: a test with the ci limit in the rule fails.
    std::fs::write(out.path().join("alerts.yaml"), rules.replace("headroom:services_auth:value > 25", "headroom:services_auth:value > 60"))
        .unwrap();
    let (ok, text) = promtool(&["test", "rules", "alerts_test.yaml"], out.path());
    assert!(!ok, "{text}");
}

#[test]
fn without_a_runtime_environment_the_alerts_use_the_budgets_own_limits_and_say_so() {
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(ws.path().join("headroom.yaml"), "default_environment: ci\nenvironments: [ci, prod]\n").unwrap();
    std::fs::write(
        ws.path().join("api.yaml"),
        "budgets:\n  api:\n    unit: ms\n    limit: 50\n    environments: {ci: 80}\n    promql: 'x'\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_headroom")).arg("alerts").arg(ws.path()).args(extra).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    // Not ci's 80 ms (the CI gate's default environment): the budget's own 50 ms, said on standard error.
    let (code, rules, note) = run(&[]);
    assert_eq!(code, Some(0), "{note}");
    assert!(rules.contains("expr: headroom:api:value > 50\n") && !rules.contains("environment:"), "{rules}");
    assert!(note.contains("no runtime environment is named"), "{note}");
    let (code, _, error) = run(&["--env", "staging"]);
    assert_eq!(code, Some(2));
    assert!(error.contains("`staging` is not among the workspace's environments (ci, prod)"), "{error}");
}

/// A workspace whose error rate (0.1 %, the reference document's) is an SLO on two counters.
fn slo_workspace() -> tempfile::TempDir {
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(
        ws.path().join("slo.yaml"),
        concat!(
            "budgets:\n  error_rate:\n    unit: \"%\"\n    statistic: mean\n    limit: 0.1\n",
            "    slo:\n      errors: 'http_requests_total{code=~\"5..\"}'\n      total: http_requests_total\n",
        ),
    )
    .unwrap();
    ws
}

#[test]
fn an_slo_gets_burn_rate_rules_promtool_accepts_and_generated_tests_that_pass() {
    let ws = slo_workspace();
    let out = tempfile::tempdir().unwrap();
    let rules = alerts(ws.path(), out.path());
    assert_eq!(rules.matches("record: headroom:slo_errors:ratio_rate").count(), 7, "{rules}");
    let (ok, text) = promtool(&["check", "rules", "alerts.yaml"], out.path());
    assert!(ok, "{text}");
    let (ok, text) = promtool(&["test", "rules", "alerts_test.yaml"], out.path());
    assert!(ok, "{text}");
    // A page at 1.44x instead of 14.4x fires on the slow burn, and the tests catch it.
    std::fs::write(out.path().join("alerts.yaml"), rules.replace("(14.4 * 0.001)", "(1.44 * 0.001)")).unwrap();
    let (ok, text) = promtool(&["test", "rules", "alerts_test.yaml"], out.path());
    assert!(!ok, "{text}");
}

/// The burn alerts over three days of real request counters, through the recording rules: 1,000
/// requests a minute, and `errors` (a series notation of promtool) failing among them.
fn burn_case(errors: &str, firing: &[&str]) -> String {
    let mut case = format!(
        concat!(
            "  - interval: 1m\n    input_series:\n",
            "      - series: 'http_requests_total{{code=\"200\"}}'\n        values: '0+1000x4380'\n",
            "      - series: 'http_requests_total{{code=\"500\"}}'\n        values: '{}'\n",
            "    alert_rule_test:\n      - eval_time: 4380m\n        alertname: ErrorBudgetBurn\n",
        ),
        errors
    );
    if firing.is_empty() {
        case.push_str("        exp_alerts: []\n");
        return case;
    }
    case.push_str("        exp_alerts:\n");
    for severity in firing {
        let windows = if *severity == "page" { "1h/5m at 14.4x or 6h/30m at 6x" } else { "1d/2h at 3x or 3d/6h at 1x" };
        case.push_str(&format!(
            concat!(
                "          - exp_labels: {{severity: {}, budget: error_rate}}\n",
                "            exp_annotations:\n",
                "              summary: 'error_rate burns its error budget of 0.1 % too fast ({})'\n",
                "              description: 'SLO error_rate (slo.yaml:2): 99.9 % of events succeed. Change it only through a signed proposal (headroom propose).'\n",
                "              objective: '99.9%'\n",
            ),
            severity, windows
        ));
    }
    case
}

#[test]
fn a_fast_burn_pages_a_slow_burn_only_tickets_and_a_healthy_service_raises_nothing() {
    let ws = slo_workspace();
    let out = tempfile::tempdir().unwrap();
    alerts(ws.path(), out.path());
    // Rules are evaluated every 10 minutes (the eval time is one of them), which keeps promtool quick.
    // Healthy: 0.05 % fail for three days. Slow: 0.2 % (twice the budget) for three days.
    // Fast: healthy, then 2 % (twenty times the budget) for the last hour.
    let tests = format!(
        concat!(
            "rule_files: [alerts.yaml]\nevaluation_interval: 10m\n",
            // The ratios before the burn alerts that read them, as the generated tests order them
            // (promtool otherwise runs a step's groups in a random order).
            "group_eval_order: [headroom-budget-values, headroom-budgets, headroom-slo-error-ratios, headroom-slo-burn-rates]\n",
            "tests:\n{}{}{}",
        ),
        burn_case("0+0.5x4380", &[]),
        burn_case("0+2x4380", &["ticket"]),
        burn_case("0+0.5x4320 2180+20x59", &["page"]),
    );
    std::fs::write(out.path().join("burn_test.yaml"), &tests).unwrap();
    let (ok, text) = promtool(&["test", "rules", "burn_test.yaml"], out.path());
    assert!(ok, "{text}\n{tests}");
    // The test can fail: a slow burn that paged would be caught.
    std::fs::write(out.path().join("burn_test.yaml"), tests.replacen("exp_labels: {severity: ticket", "exp_labels: {severity: page", 1))
        .unwrap();
    let (ok, _) = promtool(&["test", "rules", "burn_test.yaml"], out.path());
    assert!(!ok);
}

#[test]
fn runtime_history_comes_from_a_real_prometheus_over_query_range() {
    let dir = tempfile::tempdir().unwrap();
    // Two days of a gauge every 5 minutes, two hosts, ending a day ago: 42 ms, then 48 ms for the last 12 hours.
    let end = (headroom::model::time::Timestamp::now().0 / 1000 / 3600 - 24) * 3600;
    let start = end - 48 * 3600;
    let mut om = String::from("# TYPE api_latency_ms gauge\n");
    for t in (start..=end).step_by(300) {
        let value = if t > end - 12 * 3600 { 48.0 } else { 42.0 };
        om.push_str(&format!("api_latency_ms{{host=\"a\"}} {value} {t}\napi_latency_ms{{host=\"b\"}} {} {t}\n", value - 2.0));
    }
    om.push_str("# EOF\n");
    let prom = server(dir.path(), &om);

    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("api.yaml"), "budgets:\n  api:\n    unit: ms\n    statistic: mean\n    limit: 50\n    metric: api.latency\n")
        .unwrap();
    let time = |t: i64| headroom::model::time::Timestamp(t * 1000).to_string();
    let import = |query: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_headroom"))
            .args([
                "import",
                "--from",
                "prometheus",
                &prom.url,
                "--query",
                query,
                "--start",
                &time(start),
                "--end",
                &time(end),
                "--step",
                "3600",
            ])
            .args(["--env", "prod", "--into", ws.to_str().unwrap()])
            .output()
            .unwrap();
        (out.status.code().unwrap_or(-1), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let (code, out) = import("api.latency=max(api_latency_ms)");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("imported 49 runs (0 already there)"), "{out}");
    // Each import is its own file under `history/prometheus/` (so parallel imports never share one).
    let history = history_text(&ws.join("history"));
    let last: serde_json::Value = serde_json::from_str(history.lines().last().unwrap()).unwrap();
    assert_eq!(last["metrics"]["api.latency"], 48.0, "{last}");
    assert_eq!(last["environment"], "prod");
    // The same range again adds nothing; the runs' ids are their times.
    let (code, out) = import("api.latency=max(api_latency_ms)");
    assert_eq!(code, 0);
    assert!(out.contains("nothing new"), "{out}");
    // Two series would make the number ambiguous; a misspelt metric returns none: both are errors, nothing lands.
    let (code, out) = import("api.latency=api_latency_ms");
    assert_eq!(code, 2);
    assert!(out.contains("returned 2 series"), "{out}");
    let (code, out) = import("api.latency=max(api_latncy_ms)");
    assert_eq!(code, 2);
    assert!(out.contains("no series"), "{out}");
    // The check reads the runtime history: 48 ms against 50 ms in prod.
    let check = Command::new(env!("CARGO_BIN_EXE_headroom")).args(["check", ws.to_str().unwrap(), "--env", "prod"]).output().unwrap();
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains("48 ms"), "{text}");
}

#[cfg(feature = "gui")]
#[test]
fn the_app_imports_runtime_history_from_prometheus_in_the_background() {
    use headroom::gui::state::{ImportCommand, ImportDraft};
    use headroom::gui::{AppState, Command as AppCommand, Source};
    let dir = tempfile::tempdir().unwrap();
    let end = (headroom::model::time::Timestamp::now().0 / 1000 / 3600 - 2) * 3600;
    let mut om = String::from("# TYPE api_latency_ms gauge\n");
    for t in (end - 24 * 3600..=end).step_by(300) {
        om.push_str(&format!("api_latency_ms 41 {t}\n"));
    }
    om.push_str("# EOF\n");
    let prom = server(dir.path(), &om);
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("api.yaml"), "budgets:\n  api:\n    unit: ms\n    limit: 50\n    metric: api.latency\n").unwrap();
    let mut state = AppState::new(&Source::Folder(ws.clone()));
    let draft = ImportDraft {
        prometheus: true,
        url: prom.url.clone(),
        queries: "api.latency=max(api_latency_ms)".into(),
        environment: "prod".into(),
        days: 2,
        step_minutes: 60,
        ..ImportDraft::default()
    };
    state.apply(AppCommand::Import(ImportCommand::Run(draft)));
    state.wait();
    assert!(state.message.as_deref().unwrap_or("").contains("runs from Prometheus (0 already there)"), "{:?}", state.message);
    assert!(state.workspace.history.runs.len() >= 20, "{}", state.workspace.history.runs.len());
}

/// Every history file under `dir`, in name order, one after another.
fn history_text(dir: &std::path::Path) -> String {
    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { collect(&path, out) } else { out.push(path) }
        }
    }
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect()
}
