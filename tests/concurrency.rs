//! Many hands at once: tens of real `headroom` processes write to one workspace at the same
//! moment (imports, signatures, triage), and every one of their writes is counted afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

mod common;

use common::{bmf_file, headroom, import_args, propose, sign_args, spawn, team_workspace, wait_all};
use headroom::approval::ledger::read_proposal;
use headroom::model::lock::{TIMEOUT_ENV, WorkspaceLock};
use headroom::model::store::read_triage;
use headroom::model::triage::TriageState;
use headroom::model::workspace::Workspace;
use std::time::Duration;

const IMPORTS: usize = 24;
const TRIAGERS: usize = 24;
const PROPOSALS: usize = 10;

#[test]
fn twenty_four_imports_at_once_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("services.yaml"), "budgets:\n  auth: {metric: services.auth, unit: ms, limit: 30}\n").unwrap();
    let file = bmf_file(dir.path(), 5_000_000.0);
    let children = (0..IMPORTS).map(|i| spawn(&import_args(&ws, &file, &format!("run-{i:02}")))).collect();
    let outcomes = wait_all(children);
    for (code, out) in &outcomes {
        assert_eq!(*code, 0, "{out}");
    }
    let w = Workspace::load(&ws).unwrap();
    assert!(w.errors.is_empty(), "{:?}", w.errors);
    let mut ids: Vec<&str> = w.history.runs.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    let expected: Vec<String> = (0..IMPORTS).map(|i| format!("run-{i:02}")).collect();
    assert_eq!(ids, expected, "{} processes, {} runs landed", IMPORTS, w.history.runs.len());
}

#[test]
fn the_same_run_imported_by_ten_processes_at_once_lands_once() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let file = bmf_file(dir.path(), 5_000_000.0);
    let outcomes = wait_all((0..10).map(|_| spawn(&import_args(&ws, &file, "ci-1"))).collect());
    let landed = outcomes.iter().filter(|(code, _)| *code == 0).count();
    assert_eq!(landed, 1, "{outcomes:?}");
    for (_, out) in outcomes.iter().filter(|(code, _)| *code != 0) {
        assert!(out.contains("the history already has a run `ci-1` in `ci`; nothing was imported"), "{out}");
    }
    let w = Workspace::load(&ws).unwrap();
    assert_eq!(w.history.runs.len(), 1);
    assert!(w.errors.is_empty(), "{:?}", w.errors);
}

#[test]
fn three_signers_on_each_of_ten_proposals_at_once_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team_workspace(dir.path());
    for i in 0..PROPOSALS {
        propose(&ws, &format!("raise-{i}"), "auth", 31.0 + i as f64);
    }
    // bob (technical), carol (business) and dave (stakeholder) sign all ten, 30 processes at once.
    let mut children = Vec::new();
    for i in 0..PROPOSALS {
        for p in &people[1..] {
            children.push(spawn(&sign_args(&ws, &format!("raise-{i}"), p)));
        }
    }
    for (code, out) in wait_all(children) {
        assert_eq!(code, 0, "{out}");
    }
    let mut landed = 0;
    for i in 0..PROPOSALS {
        let (p, _) = read_proposal(&ws, &format!("raise-{i}")).unwrap();
        let mut signers: Vec<&str> = p.signatures.iter().map(|s| s.principal.as_str()).collect();
        signers.sort_unstable();
        // The author's own signature (made before the race) and the three approvers'.
        assert_eq!(signers, ["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"], "raise-{i}");
        landed += signers.len() - 1;
    }
    assert_eq!(landed, 3 * PROPOSALS);
    let (code, out) = headroom(&["proposals", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("APPROVED").count(), PROPOSALS, "{out}");
    // One of them is applied, and the ledger proves it.
    let (code, out) = headroom(&["apply", "raise-3", "--workspace", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = headroom(&["verify", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("bob@example.com (technical)") && out.contains("carol@example.com (business)"), "{out}");
}

#[test]
fn twenty_four_people_triaging_different_findings_at_once_all_land_and_so_do_three_fields_of_one() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let w = ws.to_str().unwrap().to_owned();
    let args = |finding: String, flag: &str, value: &str| -> Vec<String> {
        vec!["triage".into(), finding, "--workspace".into(), w.clone(), flag.into(), value.into()]
    };
    let mut children: Vec<_> =
        (0..TRIAGERS).map(|i| spawn(&args(format!("m{i:02}.latency@r{i}"), "--owner", &format!("p{i:02}")))).collect();
    // Three more people set three fields of one finding at the same moment.
    children.push(spawn(&args("shared.latency@r1".into(), "--state", "investigating")));
    children.push(spawn(&args("shared.latency@r1".into(), "--owner", "maria")));
    children.push(spawn(&args("shared.latency@r1".into(), "--note", "TLS upgrade")));
    for (code, out) in wait_all(children) {
        assert_eq!(code, 0, "{out}");
    }
    let triage = read_triage(&ws).unwrap();
    for i in 0..TRIAGERS {
        assert_eq!(triage.entries[&format!("m{i:02}.latency@r{i}")].owner, format!("p{i:02}"));
    }
    let shared = &triage.entries["shared.latency@r1"];
    assert_eq!((shared.state, shared.owner.as_str(), shared.note.as_str()), (TriageState::Investigating, "maria", "TLS upgrade"));
    assert_eq!(triage.entries.len(), TRIAGERS + 1);
    let loaded = Workspace::load(&ws).unwrap();
    assert_eq!(loaded.triage, triage, "{:?}", loaded.errors);
}

#[test]
fn imports_signatures_and_triage_at_the_same_moment_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team_workspace(dir.path());
    propose(&ws, "raise-auth", "auth", 32.0);
    let file = bmf_file(dir.path(), 5_000_000.0);
    let w = ws.to_str().unwrap().to_owned();
    let mut children = Vec::new();
    for i in 0..10 {
        children.push(spawn(&import_args(&ws, &file, &format!("run-{i}"))));
        children.push(spawn(&[
            "triage".into(),
            format!("services.auth@run-{i}"),
            "--workspace".into(),
            w.clone(),
            "--state".into(),
            "fixed".into(),
        ]));
    }
    for p in &people[1..] {
        children.push(spawn(&sign_args(&ws, "raise-auth", p)));
    }
    let total = children.len();
    let outcomes = wait_all(children);
    assert!(outcomes.iter().all(|(code, _)| *code == 0), "{outcomes:?}");
    let loaded = Workspace::load(&ws).unwrap();
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.history.runs.len(), 10);
    assert_eq!(loaded.triage.entries.len(), 10);
    // Three approvers at once, beside the author's own signature.
    assert_eq!(read_proposal(&ws, "raise-auth").unwrap().0.signatures.len(), 4, "{total} processes");
    let (code, out) = headroom(&["apply", "raise-auth", "--workspace", &w]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = headroom(&["verify", &w]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_writer_that_cannot_get_the_lock_in_time_fails_loudly_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let file = bmf_file(dir.path(), 5_000_000.0);
    let held = WorkspaceLock::acquire_within(&ws, "a test", Duration::from_secs(1)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_headroom"))
        .args(import_args(&ws, &file, "late"))
        .env(TIMEOUT_ENV, "0.3")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("timed out") && stderr.contains(".headroom.lock") && stderr.contains("nothing was imported"), "{stderr}");
    drop(held);
    assert_eq!(Workspace::load(&ws).unwrap().history.runs.len(), 0);
    let (code, out) = headroom(&import_args(&ws, &file, "late").iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{out}");
}

/// The app and the CLI at once: the app's state imports runs (the import window's job, on the
/// `headroom-import` thread), takes dropped history files (the same thread) and saves triage (on
/// its UI thread), through the very code the window runs, while 20 `headroom import` and 10
/// `headroom triage` processes write to the same workspace. Every write of both lands.
#[cfg(feature = "gui")]
#[test]
fn the_app_importing_dropping_and_triaging_while_thirty_cli_processes_write_loses_nothing() {
    use headroom::gui::jobs::Source;
    use headroom::gui::state::{AppState, Command, FindingsCommand, ImportCommand, ImportDraft};
    use headroom::import::Format;
    use headroom::model::triage::TriageEntry;
    const CLI_IMPORTS: usize = 20;
    const CLI_TRIAGE: usize = 10;
    const APP_ROUNDS: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("services.yaml"), "budgets:\n  auth: {metric: services.auth, unit: ms, limit: 30}\n").unwrap();
    let file = bmf_file(dir.path(), 5_000_000.0);
    let mut state = AppState::new(&Source::Folder(ws.clone()));
    let w = ws.to_str().unwrap().to_owned();
    let mut cli: Vec<Vec<String>> = (0..CLI_IMPORTS).map(|i| import_args(&ws, &file, &format!("cli-{i:02}"))).collect();
    cli.extend(
        (0..CLI_TRIAGE).map(|i| {
            vec!["triage".into(), format!("cli.latency@r{i}"), "--workspace".into(), w.clone(), "--owner".into(), format!("p{i}")]
        }),
    );
    // The processes start in waves, one with each round of the app's work, so that they write
    // while the app does, not before it.
    let mut waves = cli.chunks(cli.len().div_ceil(APP_ROUNDS));
    let mut children = Vec::new();
    let mut messages = Vec::new();
    for i in 0..APP_ROUNDS {
        children.extend(waves.next().unwrap_or_default().iter().map(|args| spawn(args)));
        // The import window's "Import", running on its job thread ...
        let draft = ImportDraft {
            format: Format::Bmf,
            paths: file.display().to_string(),
            run_id: format!("app-{i}"),
            branch: "main".into(),
            environment: "ci".into(),
            ..ImportDraft::default()
        };
        state.apply(Command::Import(ImportCommand::Run(draft)));
        // ... a triage saved from the form meanwhile, on the UI thread ...
        let entry = TriageEntry { owner: format!("app{i}"), ..TriageEntry::default() };
        state.apply(Command::Findings(FindingsCommand::SetTriage(format!("app.latency@r{i}"), entry)));
        messages.extend(state.message.take());
        state.wait();
        messages.extend(state.message.take());
        // ... and a history file dropped on the window.
        let dropped = dir.path().join(format!("dropped-{i}.jsonl"));
        std::fs::write(
            &dropped,
            format!("{{\"id\":\"drop-{i}\",\"timestamp\":\"2026-11-24T00:00:0{i}Z\",\"environment\":\"ci\",\"branch\":\"main\",\"metrics\":{{\"services.auth\":5}}}}\n"),
        )
        .unwrap();
        state.apply(Command::Import(ImportCommand::Drop(vec![dropped])));
        state.wait();
        messages.extend(state.message.take());
    }
    children.extend(waves.flatten().map(|args| spawn(args)));
    assert_eq!(children.len(), CLI_IMPORTS + CLI_TRIAGE);
    for (code, out) in wait_all(children) {
        assert_eq!(code, 0, "{out}");
    }
    for (i, m) in messages.iter().enumerate() {
        assert!(!m.contains("Cannot") && !m.contains("Nothing was imported") && !m.contains("Not saved"), "message {i}: {m}");
    }
    let loaded = Workspace::load(&ws).unwrap();
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let mut ids: Vec<String> = loaded.history.runs.iter().map(|r| r.id.to_owned()).collect();
    ids.sort_unstable();
    let mut expected: Vec<String> = (0..CLI_IMPORTS).map(|i| format!("cli-{i:02}")).collect();
    expected.extend((0..APP_ROUNDS).map(|i| format!("app-{i}")));
    expected.extend((0..APP_ROUNDS).map(|i| format!("drop-{i}")));
    expected.sort_unstable();
    assert_eq!(ids, expected, "{messages:?}");
    let triage = read_triage(&ws).unwrap();
    assert_eq!(triage.entries.len(), CLI_TRIAGE + APP_ROUNDS, "{:?}", triage.entries.keys().collect::<Vec<_>>());
    for i in 0..CLI_TRIAGE {
        assert_eq!(triage.entries[&format!("cli.latency@r{i}")].owner, format!("p{i}"));
    }
    for i in 0..APP_ROUNDS {
        assert_eq!(triage.entries[&format!("app.latency@r{i}")].owner, format!("app{i}"));
    }
}
