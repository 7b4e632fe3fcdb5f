//! `headroom compact` end to end: the `retention:` policy of `headroom.yaml` applied to a real
//! workspace with a ledger in a real git repository, and `verify --base` telling a compaction the
//! policy makes from one made by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

mod common;

use common::{headroom, team_workspace};
use headroom::model::time::Timestamp;
use std::path::Path;
use std::process::Command;

const DAY_MS: i64 = 86_400_000;

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "user.name=CI", "-c", "user.email=ci@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git is installed");
    assert!(out.status.success(), "git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn commit_all(repo: &Path, message: &str) -> String {
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "--allow-empty", "-m", message]);
    git(repo, &["rev-parse", "HEAD"])
}

fn run_line(id: &str, at: Timestamp, auth_ms: f64) -> String {
    format!(
        "{{\"id\":\"{id}\",\"timestamp\":\"{at}\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"services.auth\":{{\"value\":{auth_ms},\"unit\":\"ms\"}}}}}}\n"
    )
}

/// A workspace keeping runs whole for 30 days, with four runs on one day 400 days ago (ci-2 is
/// named by a triage record), one on the day after, and one today. Returns the workspace, the
/// old day and the base commit.
fn workspace_with_old_runs(repo: &Path) -> (std::path::PathBuf, String, String) {
    git(repo, &["init", "-q"]);
    let ws = repo.join("budgets");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("headroom.yaml"), "retention:\n  runs_days: 30\n  then: daily_summary\n").unwrap();
    let (ws, _people) = team_workspace(repo);
    let now = Timestamp::now();
    let day = Timestamp((now.0 - 400 * DAY_MS).div_euclid(DAY_MS) * DAY_MS);
    let at = |hours: i64| Timestamp(day.0 + hours * 3_600_000);
    let folder = ws.join("history/bmf/ci");
    std::fs::create_dir_all(&folder).unwrap();
    let old: String = [run_line("ci-1", at(1), 20.0), run_line("ci-2", at(2), 40.0), run_line("ci-3", at(3), 22.0)].concat();
    std::fs::write(folder.join("ci-1--ci-3.jsonl"), old).unwrap();
    std::fs::write(folder.join("ci-4.jsonl"), run_line("ci-4", at(4), 21.0) + &run_line("ci-5", at(30), 25.0)).unwrap();
    std::fs::write(folder.join("ci-6.jsonl"), run_line("ci-6", now, 24.0)).unwrap();
    std::fs::create_dir_all(ws.join("triage")).unwrap();
    std::fs::write(ws.join("triage/services.auth@ci-2.yaml"), "finding: \"services.auth@ci-2\"\nstate: investigating\n").unwrap();
    let base = commit_all(repo, "a workspace with a year of runs");
    (ws, day.date(), base)
}

fn history_bytes(ws: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for folder in ["history/bmf/ci", "history/summary/ci"] {
        if let Ok(entries) = std::fs::read_dir(ws.join(folder)) {
            for e in entries.filter_map(Result::ok) {
                out.push((e.path().display().to_string(), std::fs::read_to_string(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_dry_run_shows_the_compaction_and_changes_nothing_then_compact_applies_it_once_keeping_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, day, base) = workspace_with_old_runs(dir.path());
    let w = ws.to_str().unwrap();
    let before = history_bytes(&ws);

    let (code, out) = headroom(&["compact", w, "--dry-run"]);
    assert_eq!(code, 0, "{out}");
    for line in ["would remove run ci-1 (ci)", "would remove run ci-3 (ci)", "would remove run ci-4 (ci)", "kept whole (evidence): ci-2"] {
        assert!(out.contains(line), "`{line}` missing from:\n{out}");
    }
    assert!(out.contains(&format!("would add history/summary/ci/summary-{day}-main.jsonl: the summary of 3 runs")), "{out}");
    assert!(
        out.contains("would remove history/bmf/ci/ci-1--ci-3.jsonl") || out.contains("would rewrite history/bmf/ci/ci-1--ci-3.jsonl"),
        "{out}"
    );
    assert!(!out.contains("ci-6"), "today's run is within retention: {out}");
    assert_eq!(history_bytes(&ws), before, "a dry run changes nothing");

    let (code, out) = headroom(&["compact", w]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("4 runs compacted into 2 summaries"), "{out}");
    let summary = std::fs::read_to_string(ws.join(format!("history/summary/ci/summary-{day}-main.jsonl"))).unwrap();
    assert!(
        summary.contains("\"value\":21.0")
            && summary.contains("\"count\":3")
            && summary.contains("\"min\":20.0")
            && summary.contains("\"max\":22.0"),
        "{summary}"
    );
    let kept = std::fs::read_to_string(ws.join("history/bmf/ci/ci-1--ci-3.jsonl")).unwrap();
    assert_eq!(kept.lines().count(), 1, "only the evidence run ci-2 is left whole: {kept}");
    assert!(kept.contains("\"ci-2\""));
    assert!(!ws.join("history/bmf/ci/ci-4.jsonl").exists(), "a file left with no run is removed");
    assert!(!ws.join(".headroom.journal").exists());

    // The workspace loads, with one point a day where the runs were.
    let (code, out) = headroom(&["validate", w]);
    assert_eq!(code, 0, "{out}");
    let after = history_bytes(&ws);
    let (code, out) = headroom(&["compact", w]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 runs compacted into 0 summaries"), "compact twice changes nothing more: {out}");
    assert_eq!(history_bytes(&ws), after);

    // The compaction the policy allows passes verify against the base revision.
    let (code, out) = headroom(&["verify", w, "--base", &base]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("lost 4 runs to a compaction that the retention policy allows"), "{out}");
    // Committed, as a pull request brings it: the summaries of main's runs are the base's runs.
    commit_all(dir.path(), "compact");
    let (code, out) = headroom(&["verify", w, "--base", &base, "--baseline-branch", "main"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn verify_base_fails_a_compaction_made_by_hand_or_beyond_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, day, base) = workspace_with_old_runs(dir.path());
    let w = ws.to_str().unwrap();
    let (code, out) = headroom(&["compact", w]);
    assert_eq!(code, 0, "{out}");
    let summary_path = ws.join(format!("history/summary/ci/summary-{day}-main.jsonl"));
    let summary = std::fs::read_to_string(&summary_path).unwrap();

    // A summary that says the day was faster than its runs were.
    std::fs::write(&summary_path, summary.replace("\"value\":21.0", "\"value\":20.5").replace("\"median\":21.0", "\"median\":20.5"))
        .unwrap();
    let (code, out) = headroom(&["verify", w, "--base", &base]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("not the summary of the 3 runs"), "{out}");
    std::fs::write(&summary_path, &summary).unwrap();

    // The evidence run removed too.
    let evidence_file = ws.join("history/bmf/ci/ci-1--ci-3.jsonl");
    let kept = std::fs::read_to_string(&evidence_file).unwrap();
    std::fs::remove_file(&evidence_file).unwrap();
    let (code, out) = headroom(&["verify", w, "--base", &base]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("run `ci-2` is evidence, and was removed"), "{out}");
    std::fs::write(&evidence_file, kept).unwrap();

    // Today's run removed: the policy keeps it whole for 30 days.
    std::fs::remove_file(ws.join("history/bmf/ci/ci-6.jsonl")).unwrap();
    let (code, out) = headroom(&["verify", w, "--base", &base]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("run `ci-6` was removed or edited, and the retention policy does not allow it yet"), "{out}");
    git(dir.path(), &["checkout", "--", "budgets/history/bmf/ci/ci-6.jsonl"]);

    // Runs removed with no summary in their place.
    std::fs::remove_file(&summary_path).unwrap();
    let (code, out) = headroom(&["verify", w, "--base", &base]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("were removed without their summary"), "{out}");
}

#[test]
fn without_a_retention_policy_compact_refuses_and_names_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = team_workspace(dir.path());
    let (code, out) = headroom(&["compact", ws.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no `retention:` policy"), "{out}");
}

#[test]
fn a_retention_policy_is_proposed_like_any_setting_and_is_a_loosening() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = team_workspace(dir.path());
    let new = dir.path().join("headroom.yaml");
    std::fs::write(&new, "retention:\n  runs_days: 90\n  then: daily_summary\n").unwrap();
    let file = format!("headroom.yaml={}", new.display());
    let (code, out) = headroom(&[
        "propose",
        "--workspace",
        ws.to_str().unwrap(),
        "--id",
        "keep-90-days",
        "--title",
        "Keep runs whole for 90 days",
        "--author",
        "alice@example.com",
        "--file",
        &file,
        "--rationale",
        "bounded growth",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(loosen)"), "runs summarized sooner are a loosening: {out}");
    // Written by hand instead, verify refuses it: headroom.yaml is part of the contract.
    std::fs::copy(&new, ws.join("headroom.yaml")).unwrap();
    let (code, out) = headroom(&["verify", ws.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
}
