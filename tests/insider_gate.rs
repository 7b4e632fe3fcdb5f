//! An insider loosening a budget or the gate with fewer sign-offs than a loosening needs, each trick
//! run end to end through the real binary (`propose`, `sign`, `apply`, `verify`, `check`) with real
//! SSH keys made by `ssh-keygen`. Each must either need the loosening sign-off or leave the gate as
//! strict as before.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod common;
use common::{Person, headroom, person};

/// A workspace with one budget (auth, 30 ms, in `dev`, `ci` and `prod`), the gate's settings, the
/// default policy over alice and bob (technical), carol (business) and dave (stakeholder), and a
/// started ledger. Its history has 30 runs of main at 20 ms, then 6 at 26 ms: a regression of
/// 30 % that stays under the limit, which the gate fails until people accept it.
fn team(dir: &Path) -> (PathBuf, Vec<Person>) {
    let ws = dir.join("budgets");
    std::fs::create_dir_all(ws.join("history")).unwrap();
    let people: Vec<Person> = ["alice", "bob", "carol", "dave"].iter().map(|n| person(dir, n)).collect();
    std::fs::write(
        ws.join("services.yaml"),
        "budgets:\n  auth:\n    unit: ms\n    limit: 30\n    promql: 'max(auth_ms)'\n    environments:\n      dev: {limit: 60}\n",
    )
    .unwrap();
    std::fs::write(
        ws.join("approval.yaml"),
        "roles:\n  technical: [alice@example.com, bob@example.com]\n  business: [carol@example.com]\n  stakeholder: [dave@example.com]\n",
    )
    .unwrap();
    let mut signers = String::new();
    for p in &people {
        writeln!(signers, "{} {}", p.principal, p.public).unwrap();
    }
    std::fs::write(ws.join("allowed_signers"), signers).unwrap();
    std::fs::write(
        ws.join("headroom.yaml"),
        "default_branch: main\ndefault_environment: ci\nruntime_environment: prod\nenvironments: [dev, ci, prod]\nhistory: history\ncheck:\n  regression_threshold: 5%\n  baseline_runs: 20\n  significance: 0.001\n  missing_data: fail\n",
    )
    .unwrap();
    let mut runs = String::new();
    for i in 0..36 {
        // A little noise (±0.1 ms), then a step from 20 ms to 26 ms at run 30 (2026-11-16).
        let value = if i < 30 { 20.0 } else { 26.0 } + f64::from(i % 3) * 0.1 - 0.1;
        let day = 1 + i / 2;
        writeln!(
            runs,
            "{{\"id\":\"r{i}\",\"timestamp\":\"2026-11-{day:02}T{:02}:00:00Z\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"auth\":{value}}}}}",
            10 + i % 2
        )
        .unwrap();
    }
    std::fs::write(ws.join("history/runs.jsonl"), runs).unwrap();
    let (code, out) = headroom(&["ledger", "start", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    (ws, people)
}

/// `headroom propose` in `ws` as alice, with `args` after the common ones.
fn propose(ws: &Path, id: &str, args: &[&str]) -> String {
    let mut all = vec!["propose", "--workspace", ws.to_str().unwrap(), "--id", id, "--title", id, "--author", "alice@example.com"];
    all.extend_from_slice(&["--rationale", "see the runs"]);
    all.extend_from_slice(args);
    let (code, out) = headroom(&all);
    assert_eq!(code, 0, "{out}");
    out
}

/// Signs `id` as each of `who` with their key.
fn sign(ws: &Path, id: &str, who: &[&Person]) -> String {
    let mut last = String::new();
    for p in who {
        let (code, out) = headroom(&[
            "sign",
            id,
            "--workspace",
            ws.to_str().unwrap(),
            "--principal",
            &p.principal,
            "--key",
            p.key_file.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{out}");
        last = out;
    }
    last
}

fn check(ws: &Path) -> (i32, String) {
    headroom(&["check", ws.to_str().unwrap()])
}

#[test]
fn a_tightening_signed_by_one_reviewer_does_not_accept_a_regression_of_its_budget() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team(dir.path());
    let (code, out) = check(&ws);
    assert_eq!(code, 1, "the regression of 30 % fails the gate: {out}");
    assert!(out.contains("never accepted"), "{out}");
    // alice lowers auth's limit by 0.1 ms: a tightening, which bob alone may approve.
    let proposed = propose(&ws, "tiny", &["--set", "auth=29.9"]);
    assert!(proposed.contains("(tighten)"), "{proposed}");
    let signed = sign(&ws, "tiny", &[&people[0], &people[1]]);
    assert!(signed.contains("approved"), "{signed}");
    let (code, out) = headroom(&["apply", "tiny", "--workspace", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = headroom(&["verify", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "an honest tightening verifies: {out}");
    // It tightened the budget; it did not accept the worse level (that takes a loosening's sign-off).
    let (code, out) = check(&ws);
    assert_eq!(code, 1, "a tightening must not wave the regression through: {out}");
    assert!(out.contains("never accepted"), "{out}");
    app_agrees(&ws, headroom::engine::check::Status::Fail);

    // A signed loosening of auth after the level began does accept it, as before.
    let proposed = propose(&ws, "raise", &["--set", "auth=32"]);
    assert!(proposed.contains("(loosen)"), "{proposed}");
    let signed = sign(&ws, "raise", &[&people[0], &people[1], &people[2], &people[3]]);
    assert!(signed.contains("approved"), "{signed}");
    let (code, out) = headroom(&["apply", "raise", "--workspace", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = check(&ws);
    assert_eq!(code, 0, "a signed loosening accepts the level it was signed after: {out}");
    app_agrees(&ws, headroom::engine::check::Status::Pass);
}

/// The app's loading thread judges the workspace as `headroom check` does: the same signed
/// loosenings accept a worse level, and nothing else does.
#[cfg(feature = "gui")]
fn app_agrees(ws: &Path, status: headroom::engine::check::Status) {
    use headroom::gui::jobs::{Source, load};
    let loaded = load(&Source::Folder(ws.to_path_buf()), Some("ci".into()), None, &|_, _| {}).unwrap();
    let auth = loaded.report.results.iter().find(|r| r.id == "auth").unwrap();
    assert_eq!(auth.status, status, "the app judged auth otherwise than `headroom check`: {auth:?}");
}

#[cfg(not(feature = "gui"))]
fn app_agrees(_: &Path, _: headroom::engine::check::Status) {}

#[test]
fn moving_the_run_time_alerts_to_a_looser_environment_is_a_loosening() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team(dir.path());
    let (code, alerts) = headroom(&["alerts", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{alerts}");
    assert!(alerts.contains("value > 30"), "prod's alerts fire above auth's 30 ms: {alerts}");
    // headroom.yaml with the alerts taken from dev (auth: 60 ms), offered as a whole file.
    let settings =
        std::fs::read_to_string(ws.join("headroom.yaml")).unwrap().replace("runtime_environment: prod", "runtime_environment: dev");
    let file = dir.path().join("settings.yaml");
    std::fs::write(&file, settings).unwrap();
    let proposed = propose(&ws, "alerts-dev", &["--file", &format!("headroom.yaml={}", file.display())]);
    assert!(proposed.contains("(loosen)"), "{proposed}");
    assert!(proposed.contains("runtime_environment (whose limits the run-time alerts use) goes from `prod` to `dev`"), "{proposed}");
    // One technical reviewer is not enough for it.
    let signed = sign(&ws, "alerts-dev", &[&people[0], &people[1]]);
    assert!(!signed.contains("it is approved"), "{signed}");
    let (code, out) = headroom(&["apply", "alerts-dev", "--workspace", ws.to_str().unwrap()]);
    assert_ne!(code, 0, "{out}");
    let (code, alerts) = headroom(&["alerts", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{alerts}");
    assert!(alerts.contains("value > 30") && !alerts.contains("value > 60"), "the alerts keep prod's limit: {alerts}");
}

#[test]
fn another_unit_with_the_same_limit_converted_is_a_loosening() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team(dir.path());
    // 29.9 ms written as 29,900 us: converted, a tightening; but the history's bare numbers (26 ms)
    // would then read as 26 us, and no regression below 29,900 of them would ever fail.
    let file = dir.path().join("services.yaml");
    std::fs::write(
        &file,
        "budgets:\n  auth:\n    unit: us\n    limit: 29900\n    promql: 'max(auth_ms)'\n    environments:\n      dev: {limit: 60000}\n",
    )
    .unwrap();
    let proposed = propose(&ws, "micro", &["--file", &format!("services.yaml={}", file.display())]);
    assert!(proposed.contains("(loosen)"), "{proposed}");
    assert!(proposed.contains("`auth`'s unit goes from ms to µs"), "{proposed}");
    let signed = sign(&ws, "micro", &[&people[0], &people[1]]);
    assert!(!signed.contains("it is approved"), "{signed}");
    let (code, out) = headroom(&["apply", "micro", "--workspace", ws.to_str().unwrap()]);
    assert_ne!(code, 0, "{out}");
    let (code, out) = check(&ws);
    assert_eq!(code, 1, "the regression still fails the gate: {out}");
}

/// A history file added in a pull request: `history/NAME` in `ws`, one run a line.
fn add_runs(ws: &Path, name: &str, lines: &[&str]) {
    let mut text = String::new();
    for line in lines {
        writeln!(text, "{line}").unwrap();
    }
    std::fs::write(ws.join("history").join(name), text).unwrap();
}

#[test]
fn a_run_added_with_a_time_far_ahead_or_without_one_is_never_checked_in_place_of_the_run_ci_measured() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = team(dir.path());
    // CI measures the pull request: 40 ms, over auth's 30 ms (the docs' job imports it, then checks).
    let ws_text = ws.to_str().unwrap();
    add_runs(
        &ws,
        "gh-7.jsonl",
        &[r#"{"id":"gh-7","timestamp":"2026-12-01T09:00:00Z","branch":"feature","environment":"ci","metrics":{"auth":40}}"#],
    );
    let (code, out) = check(&ws);
    assert_eq!(code, 1, "the measured run is over budget: {out}");
    assert!(out.contains("run `gh-7`"), "{out}");

    // The pull request also added a run of its own, dated in 2099 and well inside the budget: it
    // would be the newest run of `ci` at every check from now on.
    add_runs(
        &ws,
        "zz-cache.jsonl",
        &[r#"{"id":"later","timestamp":"2099-01-01T00:00:00Z","branch":"feature","environment":"ci","metrics":{"auth":20}}"#],
    );
    let (code, out) = check(&ws);
    assert_eq!(code, 1, "a run from the future must not stand in for the measured one: {out}");
    assert!(
        out.contains("history/zz-cache.jsonl:1: `timestamp`: the newest run of environment `ci`, `later`, is dated 2099-01-01T00:00:00Z, in the future"),
        "{out}"
    );
    // Naming the measured run checks it, whatever else the history holds.
    let (code, out) = headroom(&["check", ws_text, "--run", "gh-7"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("over budget: 40 ms") && !out.contains("in the future"), "{out}");

    // A run without a time anywhere (here in another environment) puts the whole history in file
    // order, where the last file by name holds the "newest" run: one dated in the past will do.
    add_runs(
        &ws,
        "zz-cache.jsonl",
        &[r#"{"id":"later","timestamp":"2026-11-20T00:00:00Z","branch":"feature","environment":"ci","metrics":{"auth":20}}"#],
    );
    add_runs(&ws, "aa-notes.jsonl", &[r#"{"id":"note","environment":"scratch","metrics":{"auth":1}}"#]);
    let (code, out) = check(&ws);
    assert_eq!(code, 1, "file order must not pick the run to check: {out}");
    assert!(out.contains("history/aa-notes.jsonl:1: `timestamp`: run `note` has no time"), "{out}");
    assert!(out.contains("the run checked, `later` (history/zz-cache.jsonl:1), is only the last one read"), "{out}");
    let (code, out) = headroom(&["check", ws_text, "--run", "gh-7"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("over budget: 40 ms") && !out.contains("has no time"), "{out}");
}

#[test]
fn a_run_added_with_another_pytest_benchmark_group_cannot_take_a_regressed_benchmark_from_its_budget() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("budgets");
    std::fs::create_dir_all(ws.join("history/pytest-benchmark/ci")).unwrap();
    // ADR 030's form: the budget is measured by the benchmarks of its pytest-benchmark group, two
    // cases of one test; the worst of them counts.
    std::fs::write(ws.join("capability_budgets.yaml"), "schema_validator:\n  max_latency_ms: 50\n").unwrap();
    std::fs::write(
        ws.join("headroom.yaml"),
        "default_branch: main\ndefault_environment: ci\nhistory: history\ncheck:\n  regression_threshold: 5%\n  baseline_runs: 20\n  significance: 0.001\n  missing_data: fail\n",
    )
    .unwrap();
    for i in 0..36 {
        // The large case slows from 20 ms to 30 ms at run 30 (still inside 50 ms); the small one stays at 5 ms.
        let large = if i < 30 { 20.0 } else { 30.0 } + f64::from(i % 3) * 0.1;
        let small = 5.0 + f64::from(i % 2) * 0.1;
        std::fs::write(
            ws.join(format!("history/pytest-benchmark/ci/r{i}.jsonl")),
            format!(
                "{{\"id\":\"r{i}\",\"timestamp\":\"2026-11-{:02}T{:02}:00:00Z\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"bench_validate[large]\":{{\"value\":{large},\"unit\":\"ms\"}},\"bench_validate[small]\":{{\"value\":{small},\"unit\":\"ms\"}}}},\"groups\":{{\"bench_validate[large]\":\"schema_validator\",\"bench_validate[small]\":\"schema_validator\"}}}}\n",
                1 + i / 2,
                10 + i % 2
            ),
        )
        .unwrap();
    }
    let (code, out) = check(&ws);
    assert_eq!(code, 1, "the large case's regression fails the gate: {out}");
    assert!(out.contains("regression"), "{out}");

    // A pull request adds one old run that puts the large case in another group: it would then
    // measure no budget (listed, not failed), and the small case alone would pass the budget.
    add_runs(
        &ws,
        "zz-archive.jsonl",
        &[
            r#"{"id":"old","timestamp":"2026-10-01T10:00:00Z","branch":"main","environment":"ci","metrics":{"bench_validate[large]":{"value":20,"unit":"ms"}},"groups":{"bench_validate[large]":"misc"}}"#,
        ],
    );
    let (code, out) = check(&ws);
    assert_eq!(code, 1, "a run that regroups the regressed benchmark must not pass the gate: {out}");
    assert!(
        out.contains("the runs put `bench_validate[large]` in different pytest-benchmark groups (`misc`, `schema_validator`)"),
        "{out}"
    );
}

#[test]
fn one_old_run_without_a_unit_cannot_make_every_later_run_read_unconverted() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("budgets");
    std::fs::create_dir_all(ws.join("history")).unwrap();
    std::fs::write(ws.join("services.yaml"), "budgets:\n  auth:\n    unit: ms\n    limit: 30\n").unwrap();
    std::fs::write(ws.join("headroom.yaml"), "default_branch: main\ndefault_environment: ci\nhistory: history\n").unwrap();
    let mut runs = String::new();
    for i in 0..30 {
        let value = 20.0 + f64::from(i % 3) * 0.1;
        writeln!(
            runs,
            "{{\"id\":\"r{i}\",\"timestamp\":\"2026-11-{:02}T10:00:00Z\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"auth\":{{\"value\":{value},\"unit\":\"ms\"}}}}}}",
            1 + i / 2
        )
        .unwrap();
    }
    std::fs::write(ws.join("history/ci.jsonl"), runs).unwrap();
    // CI's run as hyperfine's import writes it, in seconds: 40 ms, over the budget.
    add_runs(
        &ws,
        "gh-9.jsonl",
        &[
            r#"{"id":"gh-9","timestamp":"2026-12-01T09:00:00Z","branch":"main","environment":"ci","metrics":{"auth":{"samples":[0.04,0.041,0.039],"unit":"s"}}}"#,
        ],
    );
    let (code, out) = check(&ws);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("over budget: 40.9 ms"), "{out}");
    // One run dated before all others, its number without a unit: every later run of `auth` was
    // read without converting, 0.04 s as 0.04 ms, a pass.
    add_runs(
        &ws,
        "legacy.jsonl",
        &[r#"{"id":"legacy","timestamp":"2026-01-01T00:00:00Z","branch":"main","environment":"ci","metrics":{"auth":20}}"#],
    );
    let (code, out) = check(&ws);
    assert_eq!(code, 1, "the bare number is in the budget's unit, and every run converts alike: {out}");
    assert!(out.contains("over budget: 40.9 ms"), "{out}");
}

#[test]
fn a_lock_file_committed_as_a_link_is_never_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = team(dir.path());
    // The repository carries `.headroom.lock` as a link to a file of a teammate's, outside the workspace.
    let theirs = dir.path().join("notes.txt");
    std::fs::write(&theirs, "my notes\n").unwrap();
    let _ = std::fs::remove_file(ws.join(".headroom.lock"));
    std::os::unix::fs::symlink(&theirs, ws.join(".headroom.lock")).unwrap();
    let bmf = dir.path().join("bmf.json");
    std::fs::write(&bmf, r#"{"auth": {"latency": {"value": 20000000}}}"#).unwrap();
    let (code, out) = headroom(&[
        "import",
        "--from",
        "bmf",
        bmf.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
        "--run-id",
        "gh-8",
        "--env",
        "ci",
        "--branch",
        "main",
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains(".headroom.lock") && out.contains("is a symbolic link"), "{out}");
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "my notes\n", "the linked file is untouched");
}

#[test]
fn a_regression_accepted_by_a_triage_record_is_said_on_every_check_that_passes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = team(dir.path());
    let (code, out) = check(&ws);
    assert_eq!(code, 1, "{out}");
    // One developer's triage record, in the pull request, unsigned: the worse level is accepted.
    let (code, out) = headroom(&[
        "triage",
        "auth@r30",
        "--workspace",
        ws.to_str().unwrap(),
        "--state",
        "wont_fix",
        "--owner",
        "mallory",
        "--note",
        "fine",
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = check(&ws);
    assert_eq!(code, 0, "a person's triage accepts the level, as the README says: {out}");
    // ... but never in silence: the check says what was accepted, since when, by whom and how.
    assert!(
        out.contains(
            "accepted: the baseline is a level 30.0% worse than the one before it, since run `r30`, accepted by mallory in the triage of `auth@r30` (won't fix up to +31.0%: fine; a triage record, not signed)"
        ),
        "{out}"
    );
    let (_, json) = headroom(&["check", ws.to_str().unwrap(), "--format", "json"]);
    assert!(json.contains("\"code\":\"accepted\"") || json.contains("\"code\": \"accepted\""), "{json}");
}

/// `headroom check` with `args` after the workspace, `CI` set to `ci` (or removed).
fn check_with(ws: &Path, args: &[&str], ci: Option<&str>) -> (i32, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_headroom"));
    command.arg("check").arg(ws).args(args).env_remove("GITHUB_BASE_REF");
    match ci {
        Some(value) => command.env("CI", value),
        None => command.env_remove("CI"),
    };
    let out = command.output().unwrap();
    (out.status.code().unwrap_or(-1), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn a_gate_setting_given_looser_on_the_command_line_is_said_on_every_check_and_fails_in_ci() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = team(dir.path());
    let (code, out) = check_with(&ws, &[], None);
    assert_eq!(code, 1, "the regression of 30 % fails the signed gate: {out}");
    // A developer edits the CI job: `--threshold 100%` over headroom.yaml's signed 5 %.
    let (code, out) = check_with(&ws, &["--threshold", "100%"], Some("true"));
    assert_eq!(code, 1, "a looser setting than the signed one fails in CI: {out}");
    assert!(
        out.contains("settings_overridden: `--threshold 100%` is looser than the signed setting (headroom.yaml:7: `check.regression_threshold` is 5%); this check ran on unsigned settings, refused in CI"),
        "{out}"
    );
    assert!(out.contains("FAIL on unsigned settings (--threshold 100% over the signed 5%): "), "{out}");
    let (code, out) = check_with(&ws, &["--threshold", "100%", "--ci"], Some("false"));
    assert_eq!(code, 1, "`--ci` says it is CI where `CI` does not: {out}");
    // Locally it may pass, but never in silence: a warning, and the summary says so.
    let (code, out) = check_with(&ws, &["--threshold", "100%"], None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warn: settings_overridden: `--threshold 100%`"), "{out}");
    assert!(out.contains("allowed for a local run only"), "{out}");
    assert!(out.contains("WARN on unsigned settings (--threshold 100% over the signed 5%): "), "{out}");
    // Every format says it: JSON, JUnit, Markdown and GitHub's annotations.
    let (_, json) = check_with(&ws, &["--threshold", "100%", "--missing", "warn", "--format", "json"], None);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let overridden = doc["settings_overridden"].as_array().unwrap();
    assert_eq!(overridden.len(), 2, "{json}");
    assert_eq!(overridden[0]["option"], "--threshold");
    assert_eq!(overridden[0]["signed"], "5%");
    assert_eq!(overridden[0]["given"], "100%");
    assert_eq!(overridden[1]["setting"], "missing_data");
    assert_eq!(overridden[1]["looser"], true);
    assert!(doc["problems"].as_array().unwrap().iter().any(|p| p["message"].as_str().unwrap().contains("`--missing warn`")), "{json}");
    for format in ["junit", "markdown", "github"] {
        let (_, out) = check_with(&ws, &["--threshold", "100%", "--format", format], None);
        assert!(out.contains("settings_overridden"), "{format}: {out}");
    }
    // A stricter setting is the gate's own business: a note, no problem, the same verdict.
    let (code, out) = check_with(&ws, &["--threshold", "3%", "--significance", "0.01"], Some("true"));
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("settings_overridden") && !out.contains("unsigned settings"), "{out}");
    assert!(out.contains("note: `--threshold 3%` is stricter than the signed `check.regression_threshold` of 5%"), "{out}");
}

/// `headroom apply ID` in `ws`.
fn apply(ws: &Path, id: &str) -> (i32, String) {
    headroom(&["apply", id, "--workspace", ws.to_str().unwrap()])
}

#[test]
fn a_signed_proposal_whose_base_a_later_change_left_stays_stale_when_the_base_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team(dir.path());
    let everyone = [&people[0], &people[1], &people[2], &people[3]];
    // auth is 30 ms. Doubling it is signed by everyone, but not applied.
    propose(&ws, "double", &["--set", "auth=60"]);
    assert!(sign(&ws, "double", &everyone).contains("approved"));
    // Then the budget is lowered to 25 (signed and applied), and later raised back to 30.
    propose(&ws, "lower", &["--set", "auth=25"]);
    sign(&ws, "lower", &[&people[0], &people[1]]);
    let (code, out) = apply(&ws, "lower");
    assert_eq!(code, 0, "{out}");
    propose(&ws, "restore", &["--set", "auth=30"]);
    sign(&ws, "restore", &everyone);
    let (code, out) = apply(&ws, "restore");
    assert_eq!(code, 0, "{out}");
    // The files are byte for byte the base `double` was made for, but `lower` was decided since.
    let (code, out) = apply(&ws, "double");
    assert_eq!(code, 1, "a proposal superseded by a later applied change must not apply: {out}");
    assert!(out.contains("stale for good: `double` was made"), "{out}");
    assert!(out.contains("which `lower` (ledger/ledger.jsonl:2, applied at "), "{out}");
    let (code, out) = headroom(&["proposals", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("STALE     double"), "{out}");
    assert!(out.contains("stale for good: `lower` (ledger/ledger.jsonl:2) changed its base after it was made"), "{out}");
    let (code, out) = headroom(&["verify", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "the honest ledger verifies: {out}");

    // A ledger written by a binary that applied it anyway (an older Headroom): verify finds the
    // budget resting on that application unbacked.
    let (proposal, text) = headroom::approval::ledger::read_proposal(&ws, "double").unwrap();
    let files = headroom::approval::ledger::current_contract(&ws).unwrap();
    let after = headroom::approval::edit::apply_changes(&files, &proposal).unwrap();
    for (name, content) in &after {
        std::fs::write(ws.join(name), content).unwrap();
    }
    let after_files: Vec<(String, String)> = after.into_iter().collect();
    let ledger_path = ws.join("ledger/ledger.jsonl");
    let ledger = std::fs::read_to_string(&ledger_path).unwrap();
    let last: serde_json::Value = serde_json::from_str(ledger.lines().last().unwrap()).unwrap();
    let mut entry = serde_json::json!({
        "seq": 3,
        "at": headroom::model::time::Timestamp::now().to_string(),
        "proposal": text,
        "before": last["after"],
        "after": headroom::approval::files_hash(&after_files),
        "previous": last["hash"],
    });
    entry["hash"] = serde_json::Value::String(headroom::approval::files_hash(&[(String::new(), entry.to_string())]));
    std::fs::write(&ledger_path, format!("{ledger}{entry}\n")).unwrap();
    let (code, out) = headroom(&["verify", ws.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "ledger/ledger.jsonl:4: `double` was stale when applied: `lower` (ledger/ledger.jsonl:2) changed its base after it was made"
        ),
        "{out}"
    );
}
