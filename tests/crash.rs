//! `kill -9` at random moments of `headroom apply`: whatever moment the process dies, the workspace
//! is, once the next writer has taken its lock, exactly as before the apply or exactly as after it
//! (every file and the ledger entry, or none), with no temporary file left, and `headroom verify`
//! passes on it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

mod common;

use common::{copy_dir, headroom, sign_args, team_workspace};
use headroom::approval::ledger::verify_at;
use headroom::model::journal::JOURNAL_FILE;
use headroom::model::lock::{LOCK_FILE, WorkspaceLock};
use headroom::model::time::Timestamp;
use headroom::model::workspace::LEDGER_FILE;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How many applies are killed. Each costs a copy of a small workspace, a process and a verify:
/// 8 to 17 ms here (the loop takes 4 to 8 s on two shared cores), well under a minute on a slow runner.
const KILLS: usize = 400;

/// Every file under `dir` (hidden ones too, but the lock file, which is never removed), with its text.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn visit(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(root, &path, out);
            } else {
                let name = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                if name != LOCK_FILE {
                    out.insert(name, std::fs::read_to_string(&path).unwrap());
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    visit(dir, dir, &mut out);
    out
}

/// A tiny seeded generator (xorshift64*): the same moments on every run, as far as timing allows.
struct Moments(u64);

impl Moments {
    fn next_fraction(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn apply_command(ws: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_headroom"));
    c.args(["apply", "change", "--workspace", ws.to_str().unwrap()]).stdout(Stdio::null()).stderr(Stdio::null());
    c
}

#[test]
fn an_apply_killed_at_any_moment_leaves_the_workspace_before_or_after_it_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team_workspace(dir.path());
    // A change of three files and the ledger: a value in place, a new file in a subfolder, a removal.
    std::fs::write(ws.join("frontend.yaml"), "budgets:\n  page:\n    unit: ms\n    limit: 900\n").unwrap();
    // (the ledger is started again with it)
    std::fs::remove_dir_all(ws.join("ledger")).unwrap();
    let (code, out) = headroom(&["ledger", "start", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let new_file = dir.path().join("search.yaml");
    std::fs::write(&new_file, "budgets:\n  search-p99:\n    unit: ms\n    limit: 120\n").unwrap();
    let (code, out) = headroom(&[
        "propose",
        "--workspace",
        ws.to_str().unwrap(),
        "--id",
        "change",
        "--title",
        "Raise auth, add search, drop the page",
        "--author",
        "alice@example.com",
        "--set",
        "auth=40",
        "--file",
        &format!("team/search.yaml={}", new_file.display()),
        "--remove",
        "frontend.yaml",
        "--rationale",
        "a real change",
    ]);
    assert_eq!(code, 0, "{out}");
    for p in &people {
        let args = sign_args(&ws, "change", p);
        let (code, out) = headroom(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(code, 0, "{out}");
    }
    let before = snapshot(&ws);

    // The same apply, not killed: what "after" is, and how long an apply takes.
    let scratch = dir.path().join("scratch");
    let mut durations = Vec::new();
    let mut after = BTreeMap::new();
    for _ in 0..5 {
        let _ = std::fs::remove_dir_all(&scratch);
        copy_dir(&ws, &scratch);
        let started = Instant::now();
        assert!(apply_command(&scratch).status().unwrap().success());
        durations.push(started.elapsed());
        after = snapshot(&scratch);
    }
    durations.sort();
    let typical = durations[2];
    assert!(after.contains_key("team/search.yaml") && !after.contains_key("frontend.yaml"), "{:?}", after.keys());
    let ledger_before = &before[LEDGER_FILE];
    let same_but_ledger = |state: &BTreeMap<String, String>| {
        state.len() == after.len() && state.iter().all(|(name, text)| name == LEDGER_FILE || after.get(name) == Some(text))
    };

    let (mut as_before, mut as_after, mut finished_from_journal) = (0, 0, 0);
    let mut moments = Moments(0x5eed_1e55_c0ff_ee00);
    let run = dir.path().join("run");
    let started = Instant::now();
    for kill in 0..KILLS {
        let _ = std::fs::remove_dir_all(&run);
        copy_dir(&ws, &run);
        // A moment anywhere from the start of the process to a little past its usual end.
        let wait = typical.mul_f64(1.5 * moments.next_fraction());
        let mut child = apply_command(&run).spawn().unwrap();
        std::thread::sleep(wait);
        let _ = child.kill(); // SIGKILL; an apply that already ended is simply reaped
        let _ = child.wait();
        let journal_left = run.join(JOURNAL_FILE).exists();
        // The next writer (any command that writes) takes the lock, and with it finishes the change.
        drop(WorkspaceLock::acquire_within(&run, "the test's recovery", Duration::from_secs(10)).unwrap());
        let state = snapshot(&run);
        if state == before {
            as_before += 1;
        } else {
            let ledger = &state[LEDGER_FILE];
            let one_entry_more = ledger.starts_with(ledger_before.as_str()) && ledger[ledger_before.len()..].lines().count() == 1;
            assert!(
                same_but_ledger(&state) && one_entry_more,
                "kill {kill} after {wait:?}: neither before nor after the apply: {:?}",
                state.keys().collect::<Vec<_>>()
            );
            as_after += 1;
            finished_from_journal += usize::from(journal_left);
        }
        let v = verify_at(&run, Timestamp::now());
        assert!(v.problems.is_empty(), "kill {kill} after {wait:?}: {:?}", v.problems);
    }
    eprintln!(
        "{KILLS} kills in {:.1} s (an apply takes {typical:?}): {as_before} before, {as_after} after ({finished_from_journal} of them finished from the journal)",
        started.elapsed().as_secs_f64()
    );
    assert!(as_before > 0 && as_after > 0, "{as_before} before, {as_after} after: the kills missed the apply");
}

#[test]
fn verify_names_an_interrupted_apply_and_headroom_recover_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = team_workspace(dir.path());
    let ledger = std::fs::read_to_string(ws.join(LEDGER_FILE)).unwrap();
    // What a killed apply leaves after its commit point: the journal, and a temporary file.
    let journal = serde_json::json!({"journal": 1, "writes": [
        {"path": "services.yaml", "text": "# Services\nbudgets:\n  auth:\n    unit: ms\n    limit: 30\n"},
        {"path": LEDGER_FILE, "text": ledger},
    ]});
    std::fs::write(ws.join(JOURNAL_FILE), journal.to_string()).unwrap();
    std::fs::write(ws.join(".services.yaml.tmp-4999999"), "half").unwrap();
    let (code, out) = headroom(&["verify", ws.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("an apply was interrupted (.headroom.journal is left): run `headroom recover`"), "{out}");
    let (code, out) = headroom(&["recover", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("finished the change an interrupted command had begun"), "{out}");
    assert!(!ws.join(JOURNAL_FILE).exists() && !ws.join(".services.yaml.tmp-4999999").exists());
    let (code, out) = headroom(&["verify", ws.to_str().unwrap()]);
    assert_eq!(code, 1, "the journal's services.yaml drops `search`, which no proposal did: {out}");
    assert!(out.contains("services.yaml was changed outside a proposal"), "{out}");
    let (code, out) = headroom(&["recover", ws.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, "nothing to recover: no change was interrupted\n"));
}
