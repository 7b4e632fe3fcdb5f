//! Parallel work on git branches merges: real `git merge`s of three approvers' signatures, two
//! pull requests' imports and two people's triage; the ledger stays linear, and `headroom validate`
//! explains a conflict that git leaves in a file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

mod common;

use common::{bmf_file, headroom, import_args, propose, sign_args, team_workspace};
use headroom::model::store::{read_triage, save_last_review};
use headroom::model::time::Timestamp;
use headroom::model::workspace::Workspace;
use std::path::Path;
use std::process::Command;

/// Runs git in `repo`; returns whether it succeeded and what it said.
fn git(repo: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", repo)
        .output()
        .expect("git is installed");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn ok(repo: &Path, args: &[&str]) -> String {
    let (success, out) = git(repo, args);
    assert!(success, "git {args:?}: {out}");
    out
}

/// Makes `repo` a git repository with everything in it committed on `main`.
fn init(repo: &Path) {
    ok(repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join(".gitignore"), ".headroom.lock\n").unwrap();
    commit_all(repo, "start");
}

fn commit_all(repo: &Path, message: &str) {
    ok(repo, &["add", "-A"]);
    ok(repo, &["commit", "-q", "-m", message]);
}

/// Runs `work` on a new branch `name` made from `main`, and commits it.
fn on_branch(repo: &Path, name: &str, work: impl FnOnce()) {
    ok(repo, &["checkout", "-q", "-b", name, "main"]);
    work();
    commit_all(repo, name);
    ok(repo, &["checkout", "-q", "main"]);
}

fn run(args: &[String]) {
    let (code, out) = headroom(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{out}");
}

#[test]
fn three_approvers_signing_on_three_branches_merge_cleanly_and_verify_sees_all_three() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team_workspace(dir.path());
    propose(&ws, "raise-auth", "auth", 32.0);
    init(dir.path());
    for p in &people[1..] {
        on_branch(dir.path(), &p.principal, || run(&sign_args(&ws, "raise-auth", p)));
    }
    for p in &people[1..] {
        ok(dir.path(), &["merge", "-q", "--no-edit", &p.principal]);
    }
    let w = ws.to_str().unwrap();
    let (code, out) = headroom(&["validate", w]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = headroom(&["apply", "raise-auth", "--workspace", w]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 0, "{out}");
    for signed in ["bob@example.com (technical)", "carol@example.com (business)", "dave@example.com (stakeholder)"] {
        assert!(out.contains(signed), "{signed} missing: {out}");
    }
}

#[test]
fn two_pull_requests_each_importing_a_run_merge_cleanly_with_both_runs() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("budgets");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("services.yaml"), "budgets:\n  auth: {metric: services.auth, unit: ms, limit: 30}\n").unwrap();
    let file = bmf_file(dir.path(), 5_000_000.0);
    run(&import_args(&ws, &file, "main-1"));
    init(dir.path());
    on_branch(dir.path(), "pr-1", || run(&import_args(&ws, &file, "pr-1")));
    on_branch(dir.path(), "pr-2", || run(&import_args(&ws, &file, "pr-2")));
    ok(dir.path(), &["merge", "-q", "--no-edit", "pr-1"]);
    ok(dir.path(), &["merge", "-q", "--no-edit", "pr-2"]);
    let w = Workspace::load(&ws).unwrap();
    assert!(w.errors.is_empty(), "{:?}", w.errors);
    let ids: Vec<&str> = w.history.runs.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.contains(&"pr-1") && ids.contains(&"pr-2"), "{ids:?}");
}

#[test]
fn two_people_triaging_different_findings_merge_cleanly_and_the_same_one_is_a_conflict_validate_explains() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("budgets");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("services.yaml"), "budgets:\n  auth: {metric: services.auth, unit: ms, limit: 30}\n").unwrap();
    let w = ws.to_str().unwrap().to_owned();
    let triage = |finding: &str, flag: &str, value: &str| {
        let (code, out) = headroom(&["triage", finding, "--workspace", &w, flag, value]);
        assert_eq!(code, 0, "{out}");
    };
    init(dir.path());
    on_branch(dir.path(), "maria", || triage("services.auth@ci-10", "--state", "investigating"));
    on_branch(dir.path(), "tom", || triage("database.insert@ci-12", "--state", "wont_fix"));
    ok(dir.path(), &["merge", "-q", "--no-edit", "maria"]);
    ok(dir.path(), &["merge", "-q", "--no-edit", "tom"]);
    let both = read_triage(&ws).unwrap();
    assert_eq!(both.entries.len(), 2, "{both:?}");
    let (code, out) = headroom(&["validate", &w]);
    assert_eq!(code, 0, "{out}");

    // Two people changing the same finding's state on two branches is a real conflict: git says so,
    // and validate names the file and line rather than a YAML error.
    on_branch(dir.path(), "fixed", || triage("services.auth@ci-10", "--state", "fixed"));
    on_branch(dir.path(), "invalid", || triage("services.auth@ci-10", "--state", "invalid"));
    ok(dir.path(), &["merge", "-q", "--no-edit", "fixed"]);
    let (merged, out) = git(dir.path(), &["merge", "--no-edit", "invalid"]);
    assert!(!merged && out.contains("CONFLICT"), "{out}");
    let (code, out) = headroom(&["validate", &w]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("triage/services.auth@ci-10.yaml:3:1") && out.contains("unresolved git merge conflict"), "{out}");
}

#[test]
fn reviews_marked_held_on_three_branches_merge_cleanly_and_the_latest_day_counts() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("budgets");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("services.yaml"), "budgets:\n  auth: {metric: services.auth, unit: ms, limit: 30}\n").unwrap();
    // What an older version wrote: the last review inside triage.yaml.
    std::fs::write(ws.join("triage.yaml"), "last_review: 2026-11-02\nfindings:\n  \"services.auth@ci-1\": {state: fixed}\n").unwrap();
    init(dir.path());
    let day = |d: &str| Timestamp::parse(d).unwrap();
    // The app's "Mark the review held today" saves through this; two people hold it on the same
    // day on two branches, a third a day later.
    for (who, held) in [("ana", "2026-11-30"), ("ben", "2026-11-30"), ("cy", "2026-12-01")] {
        on_branch(dir.path(), who, || {
            save_last_review(&ws, day(held)).unwrap();
        });
    }
    for who in ["ana", "ben", "cy"] {
        ok(dir.path(), &["merge", "-q", "--no-edit", who]);
    }
    let w = ws.to_str().unwrap();
    let (code, out) = headroom(&["validate", w]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(read_triage(&ws).unwrap().last_review, Some(day("2026-12-01")));
    let loaded = Workspace::load(&ws).unwrap();
    assert_eq!(loaded.triage.last_review, Some(day("2026-12-01")), "{:?}", loaded.errors);
    assert_eq!(loaded.triage.entries.len(), 1);
    let held: Vec<String> =
        std::fs::read_dir(ws.join("triage/reviews")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(held.len(), 2, "{held:?}");
}

#[test]
fn applying_on_two_branches_conflicts_in_the_ledger_which_stays_linear() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team_workspace(dir.path());
    propose(&ws, "raise-auth", "auth", 32.0);
    propose(&ws, "raise-search", "search", 90.0);
    for id in ["raise-auth", "raise-search"] {
        for p in &people[1..] {
            run(&sign_args(&ws, id, p));
        }
    }
    init(dir.path());
    let w = ws.to_str().unwrap().to_owned();
    for id in ["raise-auth", "raise-search"] {
        on_branch(dir.path(), id, || {
            let (code, out) = headroom(&["apply", id, "--workspace", &w]);
            assert_eq!(code, 0, "{out}");
        });
    }
    ok(dir.path(), &["merge", "-q", "--no-edit", "raise-auth"]);
    let (merged, out) = git(dir.path(), &["merge", "--no-edit", "raise-search"]);
    assert!(!merged && out.contains("ledger/ledger.jsonl"), "two applies on two branches must not merge silently: {out}");
    let (code, out) = headroom(&["validate", &w]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("ledger/ledger.jsonl:2:1") && out.contains("unresolved git merge conflict"), "{out}");
    // The way out: take one branch's ledger, and apply the other proposal again on top of it.
    ok(dir.path(), &["merge", "--abort"]);
    let (code, out) = headroom(&["verify", &w]);
    assert_eq!(code, 0, "{out}");
}
