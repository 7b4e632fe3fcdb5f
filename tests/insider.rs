//! The attempts of a careless or malicious insider (issue 14), each with real SSH keys made by
//! `ssh-keygen`: each must end with `headroom verify` failing, or be refused where it starts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use headroom::approval::draft::{Draft, SignWith, Wanted, propose, sign};
use headroom::approval::ledger::{apply_proposal, start_ledger, verify_at};
use headroom::model::time::Timestamp;
use headroom::model::workspace::LEDGER_FILE;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

mod common;
use common::{Person, person};

/// Runs the real binary, killing it after 60 s (a hang is a failure, not a stuck test run).
fn headroom(args: &[&str]) -> (i32, String) {
    headroom_in_ci(args, &[])
}

/// The variables a CI sets that `verify` reads for the baseline branch.
const CI_BRANCH_VARIABLES: [&str; 2] = ["GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"];

/// [`headroom`] with these variables of a CI set, and none of [`CI_BRANCH_VARIABLES`] otherwise
/// (whatever CI runs these tests).
fn headroom_in_ci(args: &[&str], variables: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let (out_file, err_file) = (dir.path().join("out"), dir.path().join("err"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_headroom"));
    for name in CI_BRANCH_VARIABLES {
        command.env_remove(name);
    }
    let mut child = command
        .envs(variables.iter().copied())
        .args(args)
        .stdout(std::fs::File::create(&out_file).unwrap())
        .stderr(std::fs::File::create(&err_file).unwrap())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`headroom {}` hangs", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = std::fs::read_to_string(out_file).unwrap() + &std::fs::read_to_string(err_file).unwrap();
    (status.code().unwrap_or(-1), text)
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// A workspace with one budget (auth, 30 ms), the default policy over alice and bob (technical),
/// carol (business) and dave (stakeholder), and erin, who may sign but holds no role; its ledger
/// started at `start`. `erin_valid_before` limits erin's key (OpenSSH's `valid-before`).
fn team(dir: &Path, start: Timestamp, erin_valid_before: Option<&str>) -> (PathBuf, Vec<Person>) {
    let (ws, people) = team_files(dir, erin_valid_before);
    start_ledger(&ws, start, None).unwrap();
    (ws, people)
}

/// [`team`]'s files, with no ledger.
fn team_files(dir: &Path, erin_valid_before: Option<&str>) -> (PathBuf, Vec<Person>) {
    let ws = dir.join("budgets");
    std::fs::create_dir_all(&ws).unwrap();
    let people: Vec<Person> = ["alice", "bob", "carol", "dave", "erin"].iter().map(|n| person(dir, n)).collect();
    std::fs::write(ws.join("services.yaml"), "budgets:\n  auth:\n    unit: ms\n    limit: 30\n").unwrap();
    std::fs::write(
        ws.join("approval.yaml"),
        "roles:\n  technical: [alice@example.com, bob@example.com]\n  business: [carol@example.com]\n  stakeholder: [dave@example.com]\n",
    )
    .unwrap();
    let lines: Vec<String> = people
        .iter()
        .map(|p| match erin_valid_before {
            Some(t) if p.principal.starts_with("erin") => format!("{} valid-before=\"{t}\" {}", p.principal, p.public),
            _ => format!("{} {}", p.principal, p.public),
        })
        .collect();
    std::fs::write(ws.join("allowed_signers"), lines.join("\n") + "\n").unwrap();
    (ws, people)
}

/// Proposes `auth = value` as `author` at `created`.
fn propose_auth(ws: &Path, id: &str, author: &str, value: f64, created: Timestamp) {
    let draft = Draft {
        id: id.into(),
        title: format!("auth to {value} ms"),
        author: author.into(),
        rationale: "measured".into(),
        ..Draft::default()
    };
    propose(ws, &draft, &[Wanted { budget: "auth".into(), environment: None, new: value }], &[], created).unwrap();
}

fn sign_as(ws: &Path, id: &str, who: &Person, when: Timestamp) {
    sign(ws, id, &who.principal, &SignWith::Key(who.key_file.clone()), when).unwrap();
}

/// Rewrites the ledger's entry `index` with `edit`, its hash recomputed as anyone can (it needs no secret).
fn forge_entry(ws: &Path, index: usize, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = ws.join(LEDGER_FILE);
    let mut lines: Vec<String> = std::fs::read_to_string(&path).unwrap().lines().map(str::to_owned).collect();
    let mut entry: serde_json::Value = serde_json::from_str(&lines[index]).unwrap();
    edit(&mut entry);
    entry.as_object_mut().unwrap().remove("hash");
    let hash = headroom::approval::files_hash(&[(String::new(), entry.to_string())]);
    entry["hash"] = serde_json::Value::String(hash);
    lines[index] = entry.to_string();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

/// Appends a copy of entry `index` as the next entry, chained as `apply` would chain it.
fn replay_entry(ws: &Path, index: usize) {
    let path = ws.join(LEDGER_FILE);
    let lines: Vec<String> = std::fs::read_to_string(&path).unwrap().lines().map(str::to_owned).collect();
    let last: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    let mut copy: serde_json::Value = serde_json::from_str(&lines[index]).unwrap();
    copy["seq"] = serde_json::json!(lines.len());
    copy["previous"] = last["hash"].clone();
    copy["before"] = last["after"].clone();
    copy["at"] = last["at"].clone();
    copy.as_object_mut().unwrap().remove("hash");
    let hash = headroom::approval::files_hash(&[(String::new(), copy.to_string())]);
    copy["hash"] = serde_json::Value::String(hash);
    std::fs::write(&path, lines.join("\n") + "\n" + &copy.to_string() + "\n").unwrap();
}

fn problems(ws: &Path, now: Timestamp) -> String {
    verify_at(ws, now).problems.join("\n")
}

#[test]
fn proposal_ids_that_are_paths_are_refused_by_sign_apply_and_canonical() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team(dir.path(), Timestamp::now(), None);
    let w = ws.to_str().unwrap();
    propose_auth(&ws, "tighten", "carol@example.com", 28.0, Timestamp::now());
    // A proposal file outside `proposals/`, reached by a path as its id.
    let outside = dir.path().join("outside.yaml");
    std::fs::copy(ws.join("proposals/tighten.yaml"), &outside).unwrap();
    let key = people[1].key_file.to_str().unwrap();
    for id in ["../../outside", "../proposals/tighten", "/etc/passwd", ".hidden", "a/b"] {
        let (code, out) = headroom(&["proposals", w, "--canonical", id]);
        assert_eq!(code, 2, "{id}: {out}");
        assert!(out.contains("is not a proposal id"), "{id}: {out}");
        let (code, out) = headroom(&["sign", id, "--workspace", w, "--principal", &people[1].principal, "--key", key]);
        assert_eq!(code, 2, "{id}: {out}");
        assert!(out.contains("is not a proposal id"), "{id}: {out}");
        let (code, out) = headroom(&["apply", id, "--workspace", w]);
        assert_eq!(code, 1, "{id}: {out}");
        assert!(out.contains("is not a proposal id"), "{id}: {out}");
    }
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), std::fs::read_to_string(ws.join("proposals/tighten.yaml")).unwrap());
    // A proposal file whose own id is not its name is refused too.
    std::fs::copy(ws.join("proposals/tighten.yaml"), ws.join("proposals/other.yaml")).unwrap();
    let (code, out) = headroom(&["proposals", w, "--canonical", "other"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("its id is `tighten`, not `other`"), "{out}");
}

#[test]
fn symlink_loops_devices_fifos_and_huge_files_in_a_workspace_end_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = team(dir.path(), Timestamp::now(), None);
    let w = ws.to_str().unwrap();
    std::os::unix::fs::symlink(".", ws.join("loop-a")).unwrap();
    std::os::unix::fs::symlink(".", ws.join("loop-b")).unwrap();
    std::os::unix::fs::symlink("../budgets", ws.join("loop-c")).unwrap();
    // Symbolic links to a budget file are still followed.
    std::fs::write(dir.path().join("linked.yaml"), "budgets:\n  linked:\n    unit: ms\n    limit: 5\n").unwrap();
    std::os::unix::fs::symlink(dir.path().join("linked.yaml"), ws.join("linked.yaml")).unwrap();
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("linked.yaml was added outside a proposal"), "{out}");
    std::fs::remove_file(ws.join("linked.yaml")).unwrap();
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 0, "the loops add nothing: {out}");

    std::os::unix::fs::symlink("/dev/zero", ws.join("zero.yaml")).unwrap();
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("zero.yaml: not a regular file"), "{out}");
    let (code, out) = headroom(&["check", w]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("zero.yaml") && out.contains("not a regular file"), "{out}");
    std::fs::remove_file(ws.join("zero.yaml")).unwrap();

    let made = Command::new("mkfifo").arg(ws.join("pipe.yaml")).status().unwrap();
    assert!(made.success());
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("pipe.yaml: not a regular file"), "{out}");
    std::fs::remove_file(ws.join("pipe.yaml")).unwrap();

    // A file over the limit is refused by its size (a sparse file: nothing is written).
    let huge = std::fs::File::create(ws.join("huge.yaml")).unwrap();
    huge.set_len(headroom::model::disk::MAX_TEXT_BYTES + 1).unwrap();
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("huge.yaml") && out.contains("over the limit"), "{out}");
}

#[test]
fn the_author_is_who_signed_as_author_and_never_an_approver() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team(dir.path(), Timestamp::now(), None);
    // alice writes a tightening in erin's name and approves it herself.
    propose_auth(&ws, "tighten", "erin@example.com", 28.0, Timestamp::now());
    sign_as(&ws, "tighten", &people[0], Timestamp::now());
    let refused = apply_proposal(&ws, "tighten", Timestamp::now()).unwrap_err().to_string();
    assert!(refused.contains("needs the author's own signature (erin@example.com"), "{refused}");
    // Once erin signs, it is hers, and alice's signature counts.
    sign_as(&ws, "tighten", &people[4], Timestamp::now());
    apply_proposal(&ws, "tighten", Timestamp::now()).unwrap();
    assert_eq!(problems(&ws, Timestamp::now()), "");
}

#[test]
fn a_proposal_applied_once_cannot_be_replayed_into_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team(dir.path(), Timestamp::now(), None);
    // A loosening to 40, then a tightening back to 30.
    propose_auth(&ws, "loosen", "erin@example.com", 40.0, Timestamp::now());
    for who in [&people[4], &people[0], &people[2], &people[3]] {
        sign_as(&ws, "loosen", who, Timestamp::now());
    }
    apply_proposal(&ws, "loosen", Timestamp::now()).unwrap();
    propose_auth(&ws, "back", "erin@example.com", 30.0, Timestamp::now());
    for who in [&people[4], &people[1]] {
        sign_as(&ws, "back", who, Timestamp::now());
    }
    apply_proposal(&ws, "back", Timestamp::now()).unwrap();
    assert_eq!(problems(&ws, Timestamp::now()), "");
    // The signed loosening appended again by hand (and its file edited to match).
    replay_entry(&ws, 1);
    let services = ws.join("services.yaml");
    std::fs::write(&services, std::fs::read_to_string(&services).unwrap().replace("limit: 30", "limit: 40")).unwrap();
    let found = problems(&ws, Timestamp::now());
    assert!(found.contains(&format!("{LEDGER_FILE}:4: `loosen` was applied already ({LEDGER_FILE}:2)")), "{found}");
}

#[test]
fn an_entry_dated_before_its_proposal_or_after_a_key_expired_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    // carol proposes at 20:48:01 and signs as its author.
    let (ws, people) = team(dir.path(), at("2026-11-25T20:00:00Z"), Some("20261125204800Z"));
    propose_auth(&ws, "tighten", "carol@example.com", 28.0, at("2026-11-25T20:48:01Z"));
    sign_as(&ws, "tighten", &people[2], at("2026-11-25T20:48:02Z"));
    // bob signs and it is applied; the entry is then dated back to before the proposal existed.
    sign_as(&ws, "tighten", &people[1], at("2026-11-25T20:48:04Z"));
    apply_proposal(&ws, "tighten", at("2026-11-25T20:48:05Z")).unwrap();
    let now = at("2026-11-25T21:00:00Z");
    assert_eq!(problems(&ws, now), "");
    forge_entry(&ws, 1, |e| e["at"] = "2026-11-25T20:47:59Z".into());
    let found = problems(&ws, now);
    assert!(found.contains("the entry's time 2026-11-25T20:47:59") && found.contains("is before `tighten` was created"), "{found}");
}

#[test]
fn a_signature_by_a_key_that_expired_before_the_proposal_was_created_does_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team(dir.path(), at("2026-11-25T20:00:00Z"), Some("20261125204800Z"));
    // erin is the author: her key must be valid from the proposal's creation to its entry.
    propose_auth(&ws, "tighten", "erin@example.com", 28.0, at("2026-11-25T20:47:00Z"));
    let mut proposal = headroom::approval::ledger::read_proposal(&ws, "tighten").unwrap().0;
    proposal.sign(&people[4].principal, &ssh_key::PrivateKey::read_openssh_file(&people[4].key_file).unwrap()).unwrap();
    proposal.sign(&people[1].principal, &ssh_key::PrivateKey::read_openssh_file(&people[1].key_file).unwrap()).unwrap();
    std::fs::write(ws.join("proposals/tighten.yaml"), proposal.to_yaml()).unwrap();
    // Applied at 20:47:30 it holds; a forged entry dated at 20:48:30 (after her key expired) does not.
    apply_proposal(&ws, "tighten", at("2026-11-25T20:47:30Z")).unwrap();
    let now = at("2026-11-25T21:00:00Z");
    assert_eq!(problems(&ws, now), "");
    forge_entry(&ws, 1, |e| e["at"] = "2026-11-25T20:48:30Z".into());
    let found = problems(&ws, now);
    assert!(found.contains("`tighten` was not approved when applied") && found.contains("not valid at"), "{found}");
}

#[test]
fn an_entry_a_little_in_the_future_does_not_break_later_honest_entries_and_one_far_ahead_fails() {
    let dir = tempfile::tempdir().unwrap();
    let now = Timestamp::now();
    let (ws, people) = team(dir.path(), now, None);
    propose_auth(&ws, "first", "carol@example.com", 28.0, now);
    for who in [&people[2], &people[1]] {
        sign_as(&ws, "first", who, now);
    }
    // Applied on a machine whose clock runs 90 s fast.
    let fast = Timestamp(now.0 + 90_000);
    apply_proposal(&ws, "first", fast).unwrap();
    propose_auth(&ws, "second", "carol@example.com", 27.0, now);
    for who in [&people[2], &people[1]] {
        sign_as(&ws, "second", who, now);
    }
    apply_proposal(&ws, "second", now).unwrap();
    assert_eq!(problems(&ws, now), "", "the honest entry after the fast one verifies");

    // An entry dated an hour ahead fails, and apply refuses to build on it.
    forge_entry(&ws, 2, |e| e["at"] = Timestamp(now.0 + 3_600_000).to_string().into());
    let found = problems(&ws, now);
    assert!(found.contains("is in the future"), "{found}");
    propose_auth(&ws, "third", "carol@example.com", 26.0, now);
    for who in [&people[2], &people[1]] {
        sign_as(&ws, "third", who, now);
    }
    let refused = apply_proposal(&ws, "third", now).unwrap_err().to_string();
    assert!(refused.contains("in the future"), "{refused}");
}

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

/// A temporary folder with an empty git repository in it.
fn git_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    dir
}

fn commit_all(repo: &Path, message: &str) -> String {
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "--allow-empty", "-m", message]);
    git(repo, &["rev-parse", "HEAD"])
}

fn verify_base(ws: &Path, base: &str) -> (i32, String) {
    headroom(&["verify", ws.to_str().unwrap(), "--base", base])
}

#[test]
fn a_reset_rolled_back_or_rewritten_ledger_and_edited_history_fail_against_the_base_revision() {
    let dir = git_repo();
    let repo = dir.path();
    let (ws, people) = team(repo, Timestamp::now(), None);
    std::fs::create_dir_all(ws.join("history")).unwrap();
    let history = ws.join("history/ci.jsonl");
    std::fs::write(&history, "{\"run\":\"ci-1\"}\n").unwrap();
    let first = commit_all(repo, "budgets and a started ledger");
    let (code, out) = verify_base(&ws, &first);
    assert_eq!(code, 0, "{out}");

    // A tightening, committed on the base branch.
    propose_auth(&ws, "tighten", "carol@example.com", 28.0, Timestamp::now());
    for who in [&people[2], &people[1]] {
        sign_as(&ws, "tighten", who, Timestamp::now());
    }
    apply_proposal(&ws, "tighten", Timestamp::now()).unwrap();
    let base = commit_all(repo, "tighten auth");
    let (code, out) = verify_base(&ws, &base);
    assert_eq!(code, 0, "{out}");
    let ledger = std::fs::read_to_string(ws.join(LEDGER_FILE)).unwrap();
    let services = std::fs::read_to_string(ws.join("services.yaml")).unwrap();

    // Rollback: the last entry dropped and its file reverted. On its own the ledger holds.
    std::fs::write(ws.join(LEDGER_FILE), ledger.lines().next().unwrap().to_owned() + "\n").unwrap();
    std::fs::write(ws.join("services.yaml"), services.replace("limit: 28", "limit: 30")).unwrap();
    let (code, out) = headroom(&["verify", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "without a base a rollback cannot be seen: {out}");
    assert!(out.contains("without --base"), "{out}");
    let (code, out) = verify_base(&ws, &base);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("has 1 entries, the base") && out.contains("a rollback"), "{out}");

    // Reset: the ledger removed, a budget edited, a new (unsigned) start.
    std::fs::remove_dir_all(ws.join("ledger")).unwrap();
    std::fs::write(ws.join("services.yaml"), services.replace("limit: 28", "limit: 90")).unwrap();
    let (code, out) = headroom(&["ledger", "start", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(headroom(&["verify", ws.to_str().unwrap()]).0, 0);
    let (code, out) = verify_base(&ws, &base);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ledger.jsonl:1: differs from the base") && out.contains("rewritten or reset"), "{out}");

    // Back to the base's state; then a run of the history edited, and one appended.
    std::fs::write(ws.join(LEDGER_FILE), &ledger).unwrap();
    std::fs::write(ws.join("services.yaml"), &services).unwrap();
    std::fs::write(&history, "{\"run\":\"ci-1\",\"edited\":true}\n").unwrap();
    let (code, out) = verify_base(&ws, &base);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("history/ci.jsonl: runs the base") && out.contains("history only grows"), "{out}");
    std::fs::write(&history, "{\"run\":\"ci-1\"}\n{\"run\":\"ci-2\"}\n").unwrap();
    let (code, out) = verify_base(&ws, &base);
    assert_eq!(code, 0, "{out}");

    // A revision that is not there is an error of its own.
    let (code, out) = verify_base(&ws, "no-such-branch");
    assert_eq!(code, 2, "{out}");
}

#[test]
fn a_ledger_new_since_the_base_must_start_with_governance_sign_off() {
    let dir = git_repo();
    let repo = dir.path();
    let (ws, people) = team_files(repo, None);
    let base = commit_all(repo, "budgets, no ledger yet");
    let w = ws.to_str().unwrap();

    // An unsigned start in the change is refused against the base.
    let (code, out) = headroom(&["ledger", "start", w]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = verify_base(&ws, &base);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("starts in this change without governance sign-off"), "{out}");
    std::fs::remove_dir_all(ws.join("ledger")).unwrap();

    // A start proposal: erin proposes it; it needs two technical people, business and stakeholder.
    let (code, out) = headroom(&[
        "propose",
        "--workspace",
        w,
        "--start",
        "--id",
        "start",
        "--title",
        "Our budgets as agreed",
        "--author",
        "erin@example.com",
        "--rationale",
        "the first contract",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(governance)"), "{out}");
    let sign = |who: &Person| {
        headroom(&["sign", "start", "--workspace", w, "--principal", &who.principal, "--key", who.key_file.to_str().unwrap()])
    };
    for who in [&people[4], &people[0], &people[2], &people[3]] {
        assert_eq!(sign(who).0, 0);
    }
    let (code, out) = headroom(&["ledger", "start", w, "--proposal", "start"]);
    assert_eq!(code, 2, "one technical sign-off short: {out}");
    assert!(out.contains("needs 1 more technical sign-off"), "{out}");
    assert_eq!(sign(&people[1]).0, 0);
    let (code, out) = headroom(&["ledger", "start", w, "--proposal", "start"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = verify_base(&ws, &base);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("`start` governance, signed by"), "{out}");
    // A start proposal applies once: as a proposal it is spent.
    let (code, out) = headroom(&["apply", "start", "--workspace", w]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn a_signed_removal_deletes_the_file_and_a_new_file_in_a_subfolder_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team_files(dir.path(), None);
    std::fs::write(ws.join("frontend.yaml"), "budgets:\n  bundle:\n    unit: KB\n    limit: 300\n").unwrap();
    start_ledger(&ws, Timestamp::now(), None).unwrap();
    let draft =
        |id: &str| Draft { id: id.into(), title: "t".into(), author: "erin@example.com".into(), rationale: "r".into(), ..Draft::default() };
    let new = dir.path().join("search.yaml");
    std::fs::write(&new, "budgets:\n  search:\n    unit: ms\n    limit: 80\n").unwrap();
    propose(&ws, &draft("search"), &[], &[("team/search.yaml".into(), Some(std::fs::read_to_string(&new).unwrap()))], Timestamp::now())
        .unwrap();
    for who in [&people[4], &people[0]] {
        sign_as(&ws, "search", who, Timestamp::now());
    }
    apply_proposal(&ws, "search", Timestamp::now()).unwrap();
    assert!(ws.join("team/search.yaml").is_file());
    // Removing a budget file is a loosening: three roles and the author.
    propose(&ws, &draft("drop-frontend"), &[], &[("frontend.yaml".into(), None)], Timestamp::now()).unwrap();
    for who in [&people[4], &people[0], &people[2], &people[3]] {
        sign_as(&ws, "drop-frontend", who, Timestamp::now());
    }
    apply_proposal(&ws, "drop-frontend", Timestamp::now()).unwrap();
    assert!(!ws.join("frontend.yaml").exists());
    assert_eq!(problems(&ws, Timestamp::now()), "");
}

/// `headroom propose` of gate settings (`--setting` each) by alice, as the CLI runs it.
fn propose_settings(ws: &Path, id: &str, title: &str, settings: &[&str], rationale: &str) -> (i32, String) {
    let mut args = vec!["propose", "--workspace", ws.to_str().unwrap(), "--id", id, "--title", title, "--author", "alice@example.com"];
    for setting in settings {
        args.extend(["--setting", setting]);
    }
    args.extend(["--rationale", rationale]);
    headroom(&args)
}

#[test]
fn gate_settings_change_only_through_a_signed_proposal_and_looser_ones_need_loosening_sign_off() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team_files(dir.path(), None);
    let settings = "default_environment: ci\ncheck:\n  regression_threshold: 5%\n  significance: 0.001\n  missing_data: fail\n";
    std::fs::write(ws.join("headroom.yaml"), settings).unwrap();
    start_ledger(&ws, Timestamp::now(), None).unwrap();
    assert_eq!(problems(&ws, Timestamp::now()), "");

    // By hand: a failing regression made to pass, a dropped metric made a warning.
    std::fs::write(
        ws.join("headroom.yaml"),
        format!("{settings}  budgets:\n    auth: {{regression_threshold: 99%, significance: 1e-30}}\n"),
    )
    .unwrap();
    assert!(problems(&ws, Timestamp::now()).contains("headroom.yaml was changed outside a proposal"));
    std::fs::write(ws.join("headroom.yaml"), settings.replace("missing_data: fail", "missing_data: warn")).unwrap();
    assert!(problems(&ws, Timestamp::now()).contains("headroom.yaml was changed outside a proposal"));
    std::fs::write(ws.join("headroom.yaml"), settings).unwrap();

    // As a proposal: a looser setting for one budget is a loosening, and a tightening's one
    // technical sign-off does not apply it.
    let (code, out) =
        propose_settings(&ws, "noisy-auth", "auth is noisy", &["auth:regression_threshold=99%", "auth:significance=1e-30"], "noise");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(loosen)") && out.contains("looser:   `auth`'s regression_threshold goes from 0.05 to 0.99"), "{out}");
    sign_as(&ws, "noisy-auth", &people[0], Timestamp::now());
    sign_as(&ws, "noisy-auth", &people[1], Timestamp::now());
    let e = apply_proposal(&ws, "noisy-auth", Timestamp::now()).unwrap_err().to_string();
    assert!(e.contains("needs 1 more business sign-off") && e.contains("needs 1 more stakeholder sign-off"), "{e}");
    sign_as(&ws, "noisy-auth", &people[2], Timestamp::now());
    sign_as(&ws, "noisy-auth", &people[3], Timestamp::now());
    apply_proposal(&ws, "noisy-auth", Timestamp::now()).unwrap();
    assert_eq!(problems(&ws, Timestamp::now()), "");
    let applied = std::fs::read_to_string(ws.join("headroom.yaml")).unwrap();
    assert!(applied.starts_with("default_environment: ci\n") && applied.contains("regression_threshold: 99%"), "{applied}");

    // A stricter workspace threshold is a tightening: the author and one technical sign-off.
    let (code, out) = propose_settings(&ws, "stricter", "3 %", &["regression_threshold=3%"], "quieter runners");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(tighten)"), "{out}");
    sign_as(&ws, "stricter", &people[0], Timestamp::now());
    sign_as(&ws, "stricter", &people[1], Timestamp::now());
    apply_proposal(&ws, "stricter", Timestamp::now()).unwrap();
    assert_eq!(problems(&ws, Timestamp::now()), "");

    // A setting that does not exist, or a budget that does not, is refused with its name.
    let (code, out) = propose_settings(&ws, "typo", "t", &["auth:signifcance=0.01"], "r");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("did you mean `significance`?"), "{out}");
    let (code, out) = propose_settings(&ws, "typo", "t", &["auht:significance=0.01"], "r");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no budget `auht`; did you mean `auth`?"), "{out}");
}

#[test]
fn a_settings_file_added_by_hand_to_a_workspace_without_one_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = team(dir.path(), Timestamp::now(), None);
    std::fs::write(ws.join("headroom.yaml"), "check:\n  missing_data: warn\n").unwrap();
    let p = problems(&ws, Timestamp::now());
    assert!(p.contains("headroom.yaml was added outside a proposal: the gate's settings are part of the contract"), "{p}");
}

#[test]
fn a_history_file_of_the_base_removed_fails_against_the_base_revision() {
    let dir = git_repo();
    let repo = dir.path();
    let (ws, _) = team(repo, Timestamp::now(), None);
    std::fs::create_dir_all(ws.join("history/bmf")).unwrap();
    std::fs::write(ws.join("history/bmf/ci-1.jsonl"), "{\"run\":\"ci-1\"}\n").unwrap();
    let base = commit_all(repo, "a run");
    std::fs::remove_file(ws.join("history/bmf/ci-1.jsonl")).unwrap();
    let (code, out) = verify_base(&ws, &base);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("history/bmf/ci-1.jsonl: the base") && out.contains("here it cannot be read"), "{out}");
}

#[test]
fn a_run_of_the_base_edited_by_appending_to_its_last_line_fails_against_the_base_revision() {
    let dir = git_repo();
    let repo = dir.path();
    let (ws, _) = team(repo, Timestamp::now(), None);
    std::fs::create_dir_all(ws.join("history")).unwrap();
    // A CSV history whose last line has no line break: its newest run measured 2 ms.
    let csv = ws.join("history/ci.csv");
    let rows: String = (1..=5).map(|i| format!("ci-{i},2026-06-0{i}T10:00:00Z,main,ci,20") + "\n").collect();
    std::fs::write(&csv, format!("id,timestamp,branch,environment,auth [ms]\n{rows}ci-6,2026-06-06T10:00:00Z,main,ci,2")).unwrap();
    let jsonl = ws.join("history/ci.jsonl");
    std::fs::write(&jsonl, "{\"id\":\"n-1\"}").unwrap();
    let base = commit_all(repo, "runs, the last lines without a line break");

    // One character more on that line makes the base's 2 ms read 29 ms: an edit, not a new run.
    let committed = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, format!("{committed}9")).unwrap();
    let (code, out) = verify_base(&ws, &base);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("history/ci.csv: runs the base") && out.contains("were edited or removed"), "{out}");

    // Whole new lines after it are new runs: both files verify.
    std::fs::write(&csv, format!("{committed}\nci-7,2026-06-07T10:00:00Z,main,ci,21\n")).unwrap();
    std::fs::write(&jsonl, "{\"id\":\"n-1\"}\n{\"id\":\"n-2\"}\n").unwrap();
    let (code, out) = verify_base(&ws, &base);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 history files of the base only grew"), "{out}");
}

#[test]
fn a_workspace_moved_under_a_symbolic_link_cannot_roll_back_to_its_signed_start_against_the_base() {
    let dir = git_repo();
    let repo = dir.path();
    let (ws, people) = team_files(repo, None);
    std::fs::create_dir_all(ws.join("history")).unwrap();
    std::fs::write(ws.join("history/ci.jsonl"), "{\"run\":\"ci-1\",\"value\":20}\n").unwrap();
    let w = ws.to_str().unwrap();
    // A start signed with governance sign-off (erin proposes it), then a signed tightening 30 -> 25.
    let (code, out) = headroom(&[
        "propose",
        "--workspace",
        w,
        "--start",
        "--id",
        "start",
        "--title",
        "Agreed",
        "--author",
        "erin@example.com",
        "--rationale",
        "first",
    ]);
    assert_eq!(code, 0, "{out}");
    for who in [&people[4], &people[0], &people[1], &people[2], &people[3]] {
        let (code, out) =
            headroom(&["sign", "start", "--workspace", w, "--principal", &who.principal, "--key", who.key_file.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}");
    }
    let (code, out) = headroom(&["ledger", "start", w, "--proposal", "start"]);
    assert_eq!(code, 0, "{out}");
    propose_auth(&ws, "tighten", "carol@example.com", 25.0, Timestamp::now());
    for who in [&people[2], &people[1]] {
        sign_as(&ws, "tighten", who, Timestamp::now());
    }
    apply_proposal(&ws, "tighten", Timestamp::now()).unwrap();
    let base = commit_all(repo, "a signed start and a signed tightening");
    assert_eq!(verify_base(&ws, &base).0, 0);

    // The change: the workspace moved to `moved/` and `budgets` a link to it; there the ledger is
    // cut back to its signed start, the limit back at 30 ms, and a run of the base edited.
    let moved = repo.join("moved");
    std::fs::rename(&ws, &moved).unwrap();
    std::os::unix::fs::symlink("moved", &ws).unwrap();
    let ledger = std::fs::read_to_string(moved.join(LEDGER_FILE)).unwrap();
    std::fs::write(moved.join(LEDGER_FILE), ledger.lines().next().unwrap().to_owned() + "\n").unwrap();
    std::fs::write(moved.join("services.yaml"), "budgets:\n  auth:\n    unit: ms\n    limit: 30\n").unwrap();
    std::fs::write(moved.join("history/ci.jsonl"), "{\"run\":\"ci-1\",\"value\":29}\n").unwrap();
    commit_all(repo, "move the budgets");
    let (code, out) = verify_base(&ws, &base);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("budgets is a symbolic link (to moved) inside the repository"), "{out}");
    // So is `cd budgets && headroom verify . --base ...` (a shell's `$PWD` keeps the link).
    let out = Command::new(env!("CARGO_BIN_EXE_headroom"))
        .args(["verify", ".", "--base", &base])
        .current_dir(&ws)
        .env("PWD", &ws)
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("budgets is a symbolic link"), "{said}");
}

/// A run of `branch` as one line of JSON Lines.
fn run_line(id: &str, day: u32, branch: &str, auth_ms: f64) -> String {
    format!(
        r#"{{"id":"{id}","timestamp":"2026-06-{day:02}T10:00:00Z","branch":"{branch}","environment":"ci","metrics":{{"auth":{auth_ms}}}}}"#
    ) + "\n"
}

/// A repository on `main` whose workspace has ten runs of main at 20 ms, committed: the base.
fn main_with_history() -> (tempfile::TempDir, PathBuf, String) {
    let dir = git_repo();
    let repo = dir.path();
    git(repo, &["checkout", "-q", "-b", "main"]);
    let (ws, _) = team(repo, Timestamp::now(), None);
    std::fs::create_dir_all(ws.join("history/bmf")).unwrap();
    let runs: String = (1..=10).map(|i| run_line(&format!("ci-{i}"), i, "main", 20.0)).collect();
    std::fs::write(ws.join("history/bmf/main.jsonl"), runs).unwrap();
    let base = commit_all(repo, "main and its runs");
    (dir, ws, base)
}

#[test]
fn a_pull_request_that_commits_runs_of_the_baseline_branch_fails_verify_naming_each() {
    let (dir, ws, base) = main_with_history();
    let repo = dir.path();
    let w = ws.to_str().unwrap();
    git(repo, &["checkout", "-q", "-b", "slower"]);
    // Runs "of main" at 40 ms, committed in the pull request: after the merge, main's baseline
    // would be twice as slow and a doubling would pass. One in a file of its own, one appended.
    std::fs::write(ws.join("history/bmf/gh-7.jsonl"), run_line("gh-7", 11, "main", 40.0)).unwrap();
    let main_runs = ws.join("history/bmf/main.jsonl");
    let mut text = std::fs::read_to_string(&main_runs).unwrap();
    text.push_str(&run_line("gh-8", 12, "main", 40.0));
    std::fs::write(&main_runs, text).unwrap();
    // And as a row of a CSV file.
    std::fs::write(ws.join("history/bmf/more.csv"), "id,timestamp,branch,environment,auth [ms]\ngh-9,2026-06-13T10:00:00Z,main,ci,40\n")
        .unwrap();
    commit_all(repo, "poison the baseline");
    let (code, out) = headroom(&["verify", w, "--base", &base]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("history/bmf/more.csv:2: run `gh-9` of the baseline branch `main`"), "{out}");
    assert!(out.contains("history/bmf/gh-7.jsonl:1: run `gh-7` of the baseline branch `main` was added since the base"), "{out}");
    assert!(out.contains("history/bmf/main.jsonl:11: run `gh-8` of the baseline branch `main`"), "{out}");
    // GitHub names the pull request's target: the same.
    let (code, out) = headroom_in_ci(&["verify", w, "--base", &base], &[("GITHUB_BASE_REF", "main")]);
    assert_eq!(code, 1, "{out}");
    // A pull request into `release` may carry main's runs: release's baseline is not main's. Its
    // own runs it may not.
    let (code, out) = headroom_in_ci(&["verify", w, "--base", &base], &[("GITHUB_BASE_REF", "release")]);
    assert_eq!(code, 0, "{out}");
    std::fs::write(ws.join("history/bmf/r-1.jsonl"), run_line("r-1", 13, "release", 40.0)).unwrap();
    commit_all(repo, "poison release");
    let (code, out) = headroom_in_ci(&["verify", w, "--base", &base], &[("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "release")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("run `r-1` of the baseline branch `release`"), "{out}");
    let (code, out) = headroom(&["verify", w, "--base", &base, "--baseline-branch", "release"]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn a_pull_request_may_commit_runs_of_its_own_branch_and_its_job_imports_its_own() {
    let (dir, ws, base) = main_with_history();
    let repo = dir.path();
    let w = ws.to_str().unwrap();
    git(repo, &["checkout", "-q", "-b", "faster"]);
    std::fs::write(ws.join("history/bmf/local-1.jsonl"), run_line("local-1", 11, "faster", 18.0)).unwrap();
    commit_all(repo, "a run of the branch, measured locally");
    // The job's own import, under the pull request's branch, as the shipped jobs do.
    let bmf = common::bmf_file(repo, 18e6);
    let mut args = common::import_args(&ws, &bmf, "gh-9");
    *args.last_mut().unwrap() = "faster".into();
    let (code, out) = headroom(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{out}");
    let (code, out) = headroom_in_ci(&["verify", w, "--base", &base], &[("GITHUB_BASE_REF", "main")]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no run of the baseline branch `main` was added since the base"), "{out}");
}

#[test]
fn main_s_own_ci_import_passes_verify_against_main_before_the_push() {
    let (dir, ws, before) = main_with_history();
    let repo = dir.path();
    let w = ws.to_str().unwrap();
    // A pull request merged: the push to main is verified against main before it.
    git(repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(ws.join("history/bmf/local-1.jsonl"), run_line("local-1", 11, "feature", 18.0)).unwrap();
    commit_all(repo, "a change");
    git(repo, &["checkout", "-q", "main"]);
    git(repo, &["-c", "user.name=CI", "-c", "user.email=ci@example.com", "merge", "-q", "--no-ff", "feature", "-m", "merge"]);
    // The job imports its run on main (not committed yet) and verifies: it passes.
    let bmf = common::bmf_file(repo, 21e6);
    let args = common::import_args(&ws, &bmf, "gh-10");
    let (code, out) = headroom(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{out}");
    // A run appended to a committed file, not committed either, is the checkout's own too.
    let main_runs = ws.join("history/bmf/main.jsonl");
    let mut text = std::fs::read_to_string(&main_runs).unwrap();
    text.push_str(&run_line("gh-10-rerun-1", 12, "main", 21.0));
    std::fs::write(&main_runs, text).unwrap();
    let (code, out) = headroom(&["verify", w, "--base", &before]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("but 2 of this checkout's own, not committed"), "{out}");
    // "Keep the history" commits them; the next push is verified against that commit.
    let kept = commit_all(repo, "Benchmark history [skip ci]");
    let (code, out) = headroom(&["verify", w, "--base", &kept]);
    assert_eq!(code, 0, "{out}");
    // Committed in a change since the base, the same runs are refused.
    let (code, out) = headroom(&["verify", w, "--base", &before]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("run `gh-10` of the baseline branch `main` was added since the base"), "{out}");
}

#[test]
fn a_summary_of_main_added_without_its_compaction_or_history_behind_a_link_fails_against_the_base() {
    let (dir, ws, base) = main_with_history();
    let repo = dir.path();
    let w = ws.to_str().unwrap();
    git(repo, &["checkout", "-q", "-b", "pr"]);
    // A daily summary of main that no compaction made: nothing was removed for it.
    std::fs::create_dir_all(ws.join("history/summary/ci")).unwrap();
    let summary = r#"{"id":"summary-2026-06-20-main","timestamp":"2026-06-20T00:00:00Z","branch":"main","environment":"ci","metrics":{"auth":{"value":40,"unit":"ms","summary":{"count":9,"min":39,"median":40,"p95":41,"max":41}}}}"#;
    std::fs::write(ws.join("history/summary/ci/summary-2026-06-20-main.jsonl"), format!("{summary}\n")).unwrap();
    commit_all(repo, "a summary");
    let (code, out) = headroom(&["verify", w, "--base", &base]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("history/summary/ci/summary-2026-06-20-main.jsonl:1: run `summary-2026-06-20-main` of the baseline branch"),
        "{out}"
    );
    std::fs::remove_dir_all(ws.join("history/summary")).unwrap();
    // Runs of main in a folder outside the history, linked into it.
    std::fs::create_dir_all(repo.join("elsewhere")).unwrap();
    std::fs::write(repo.join("elsewhere/more.jsonl"), run_line("gh-11", 11, "main", 40.0)).unwrap();
    std::os::unix::fs::symlink("../../elsewhere", ws.join("history/more")).unwrap();
    commit_all(repo, "linked runs");
    let (code, out) = headroom(&["verify", w, "--base", &base]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("history/more is a symbolic link"), "{out}");
}

#[test]
fn a_history_source_s_cache_committed_since_the_base_fails_against_it() {
    let (dir, ws, base) = main_with_history();
    let repo = dir.path();
    git(repo, &["checkout", "-q", "-b", "pr"]);
    // The store's answers as the cache holds them (read at load time as runs of main), committed.
    let cache = ws.join(".headroom/cache/prometheus");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join("prometheus.internal_9090.jsonl"), run_line("prom-1", 11, "main", 40.0)).unwrap();
    std::fs::write(cache.join("prometheus.internal_9090.state.json"), "{}\n").unwrap();
    commit_all(repo, "a warm cache");
    let (code, out) = headroom(&["verify", ws.to_str().unwrap(), "--base", &base]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(".headroom/cache/prometheus/prometheus.internal_9090.jsonl: a history source's cache committed since the base"),
        "{out}"
    );
    // Written by this checkout's own load, not committed (the `.gitignore` it writes), it is no change.
    std::fs::write(ws.join(".headroom/cache/.gitignore"), "*\n").unwrap();
    git(repo, &["rm", "-q", "-r", "--cached", "budgets/.headroom"]);
    commit_all(repo, "the cache out of git");
    let (code, out) = headroom(&["verify", ws.to_str().unwrap(), "--base", &base]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_committed_journal_that_ci_s_import_would_finish_fails_against_the_base() {
    let (dir, ws, base) = main_with_history();
    let repo = dir.path();
    git(repo, &["checkout", "-q", "-b", "pr"]);
    // A compaction's journal "left by a killed writer": it adds a summary of main at 40 ms. The
    // job's import takes the lock and finishes it, so the summary is there, not committed.
    let summary = r#"{"id":"summary-2026-06-20-main","timestamp":"2026-06-20T00:00:00Z","branch":"main","environment":"ci","metrics":{"auth":{"value":40,"unit":"ms","summary":{"count":9,"min":39,"median":40,"p95":41,"max":41}}}}"#;
    let journal = serde_json::json!({"journal": 1, "kind": "compaction", "writes": [{"path": "history/summary/ci/x.jsonl", "text": format!("{summary}\n")}]});
    std::fs::write(ws.join(".headroom.journal"), journal.to_string()).unwrap();
    commit_all(repo, "a journal");
    let bmf = common::bmf_file(repo, 18e6);
    let mut args = common::import_args(&ws, &bmf, "gh-12");
    *args.last_mut().unwrap() = "pr".into();
    let (code, out) = headroom(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{out}");
    assert!(ws.join("history/summary/ci/x.jsonl").is_file(), "the import finished the journal");
    let (code, out) = headroom(&["verify", ws.to_str().unwrap(), "--base", &base]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(".headroom.journal is committed"), "{out}");
}

#[test]
fn a_run_of_another_branch_named_after_a_budget_does_not_take_the_budget_from_its_benchmarks() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("budgets");
    std::fs::create_dir_all(ws.join("history")).unwrap();
    // ADR 030's form: `test_auth` measures auth's latency; main's newest run is over the limit.
    std::fs::write(ws.join("capabilities.yaml"), "auth:\n  max_latency_ms: 30\n").unwrap();
    std::fs::write(ws.join("headroom.yaml"), "check:\n  missing_data: warn\n").unwrap();
    let line = |id: &str, day: u32, branch: &str, metrics: &str| {
        format!(
            r#"{{"id":"{id}","timestamp":"2026-06-{day:02}T10:00:00Z","branch":"{branch}","environment":"ci","metrics":{{{metrics}}}}}"#
        ) + "\n"
    };
    let mut runs: String = (1..=10).map(|i| line(&format!("ci-{i}"), i, "main", r#""test_auth":{"value":20,"unit":"ms"}"#)).collect();
    runs.push_str(&line("ci-11", 11, "main", r#""test_auth":{"value":45,"unit":"ms"}"#));
    std::fs::write(ws.join("history/main.jsonl"), runs).unwrap();
    let w = ws.to_str().unwrap();
    let (code, out) = headroom(&["check", w, "--run", "ci-11"]);
    assert_eq!(code, 1, "{out}");
    // One run of a branch with a metric of the budget's own name: the budget is still measured by
    // `test_auth` too, so main's run fails, not a warning that it lacks `auth.latency`.
    std::fs::write(ws.join("history/feature.jsonl"), line("f-1", 1, "feature", r#""auth.latency":{"value":10,"unit":"ms"}"#)).unwrap();
    let (code, out) = headroom(&["check", w, "--run", "ci-11"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("over budget: 45 ms against a limit of 30 ms"), "{out}");
    // A run that names both is judged by the worse.
    let both = line("gh-1", 12, "feature", r#""auth.latency":{"value":10,"unit":"ms"},"test_auth":{"value":45,"unit":"ms"}"#);
    std::fs::write(ws.join("history/pr.jsonl"), both).unwrap();
    let (code, out) = headroom(&["check", w, "--run", "gh-1"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("over budget: 45 ms"), "{out}");
}

#[test]
fn runs_of_main_in_a_history_file_whose_name_is_not_utf8_fail_against_the_base() {
    use std::os::unix::ffi::OsStrExt;
    let (dir, ws, base) = main_with_history();
    let repo = dir.path();
    git(repo, &["checkout", "-q", "-b", "pr"]);
    // The loader reads it by its own name; its lossy spelling names no file.
    let name = std::ffi::OsStr::from_bytes(b"gh-\xff.jsonl");
    std::fs::write(ws.join("history/bmf").join(name), run_line("gh-13", 11, "main", 40.0)).unwrap();
    commit_all(repo, "a run of main under an odd name");
    let (code, out) = headroom(&["verify", ws.to_str().unwrap(), "--base", &base]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("a name that is not UTF-8"), "{out}");
}
