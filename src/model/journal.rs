//! Several files of a workspace changed together or not at all: a write-ahead journal.
//!
//! Each file is written atomically ([`super::workspace::write_atomic`]: a temporary file, flushed,
//! renamed over), but a change of several files (an applied proposal: its budget files, a removed
//! file and the ledger's new entry) can still be cut between two of them by a crash or a
//! `kill -9`. So such a change is first written whole to the journal, and only then to the files:
//!
//! ```text
//!  1. write .headroom.journal   (atomically: it exists whole, or not at all)  ◀── the commit point
//!  2. write / remove each file  (each atomically)
//!  3. remove .headroom.journal
//!
//!  killed before 1 ends: no journal, no file touched              → the workspace as before
//!  killed after 1:       the journal names every file's new text  → the next writer finishes 2 and 3
//! ```
//!
//! Every writer of a workspace takes its lock ([`super::lock::WorkspaceLock`]), and taking the
//! lock first finishes an interrupted change ([`recover`]) and removes the temporary files that
//! killed writers left behind ([`remove_stale_temp_files`]); so whatever ran next (an apply, an
//! import, a signature, `headroom recover`) sees the workspace before or after the change, never
//! between. Steps 2 and 3 are idempotent, so a crash during recovery is recovered the same way.
//!
//! A journal is trusted no further than the files it names: each is a plain path inside the
//! workspace (no `..`, no absolute path, no hidden name, no folder that leads outside through a
//! link), and what it writes is what `headroom verify` then checks like any other edit.

use super::disk::{read_text, write_atomic};
use serde_json::{Value as Json, json};
use std::path::{Component, Path, PathBuf};

/// The journal, in the workspace's root (hidden: the loader skips names starting with `.`).
pub const JOURNAL_FILE: &str = ".headroom.journal";

/// The largest journal read, in bytes (a ledger and the files of one change).
const MAX_JOURNAL_BYTES: u64 = 256 << 20;

/// How deep [`remove_stale_temp_files`] looks into a workspace's folders.
const MAX_DEPTH: usize = 32;

/// One file of a change: its path relative to the workspace, and its new text (`None`: removed).
pub type FileWrite = (String, Option<String>);

/// Why a change could not be written or finished.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// A file could not be written, removed or read.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A change names a file outside the workspace; nothing was written.
    #[error("cannot write {reason}; nothing was written")]
    Outside {
        /// Which path, and why.
        reason: JournalFault,
    },
    /// The journal names a file outside the workspace, or does not read.
    #[error(
        "the journal {path} of an interrupted change cannot be trusted: {reason}; nothing of it was written (look at it, then remove it)"
    )]
    Damaged {
        /// The journal.
        path: PathBuf,
        /// What is wrong with it.
        reason: JournalFault,
    },
}

/// What is wrong with a journal, or with a file a change would write.
#[derive(Debug, thiserror::Error)]
pub enum JournalFault {
    /// The journal does not read.
    #[error("{0}")]
    Unreadable(std::io::Error),
    /// The journal is not JSON.
    #[error("not JSON: {0}")]
    NotJson(serde_json::Error),
    /// The journal is not of version 1.
    #[error("not a version 1 journal")]
    Version,
    /// The journal's `kind` is not one Headroom writes.
    #[error("an unknown kind of change {0}")]
    UnknownKind(Json),
    /// The journal lists no writes.
    #[error("no `writes`")]
    NoWrites,
    /// A write names no file.
    #[error("a write without a `path`")]
    NoPath,
    /// A write's `text` is neither text nor null.
    #[error("`{0}`: `text` is neither text nor null")]
    Text(String),
    /// The workspace's folder cannot be resolved.
    #[error("cannot resolve {}: {source}", root.display())]
    Root {
        /// The workspace.
        root: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A change of the contract names a file outside the contract.
    #[error("`{0}` is not a file a change of the contract writes")]
    NotContract(String),
    /// A path with `..`, an absolute path or a hidden name.
    #[error("`{0}` is not a plain path inside the workspace")]
    NotPlain(String),
    /// A path whose folder is a link out of the workspace.
    #[error("`{0}` leads outside the workspace through a link")]
    ThroughLink(String),
    /// A compaction names a file that is not a history file.
    #[error("`{0}` is not a history file")]
    NotHistory(String),
    /// A compaction would add lines to a history file.
    #[error("`{0}` would gain lines it does not have (a compaction only removes runs)")]
    GainsLines(String),
    /// A compaction would add a file that is not a summary file.
    #[error("`{0}` is a new file, but not a summary file of summary runs")]
    NotSummary(String),
    /// A history file a compaction changes does not read.
    #[error("cannot read `{path}`: {source}")]
    History {
        /// The file, relative to the workspace.
        path: String,
        /// The system's error.
        source: std::io::Error,
    },
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> JournalError {
    let path = path.to_path_buf();
    move |source| JournalError::Io { action, path, source }
}

/// Writes every file of `writes` (relative to `root`) or, where the process dies on the way, leaves
/// a journal from which the next writer finishes them ([`recover`]). The caller holds the
/// workspace's lock.
pub fn commit(root: &Path, writes: &[FileWrite]) -> Result<(), JournalError> {
    commit_kind(root, Kind::Contract, writes)
}

/// What a journal changes, which bounds what it may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An applied proposal: the contract files and the ledger, never the history.
    Contract,
    /// A compaction (`headroom compact`): history files (`.jsonl`) that only lose lines, and new
    /// summary files (in a `summary/` folder, every line a summary run). So the worst a planted
    /// journal can do is remove runs and add summaries, which `verify --base` checks against the
    /// retention policy like any compaction.
    Compaction,
}

/// Like [`commit`], for a compaction of the history: each write removes a history file, writes
/// it with some of its lines, or adds a summary file ([`Kind::Compaction`]).
pub fn commit_compaction(root: &Path, writes: &[FileWrite]) -> Result<(), JournalError> {
    commit_kind(root, Kind::Compaction, writes)
}

fn commit_kind(root: &Path, kind: Kind, writes: &[FileWrite]) -> Result<(), JournalError> {
    let journal = root.join(JOURNAL_FILE);
    check_paths(root, kind, writes).map_err(|reason| JournalError::Outside { reason })?;
    let list: Vec<Json> = writes.iter().map(|(path, text)| json!({"path": path, "text": text})).collect();
    let mut body = json!({"journal": 1, "writes": list});
    if kind == Kind::Compaction {
        body["kind"] = json!("compaction");
    }
    let body = body.to_string();
    write_atomic(&journal, body.as_bytes()).map_err(io("write", &journal))?;
    finish(root, &journal, writes)
}

/// Whether an interrupted change waits in `root` (a journal that [`recover`] would finish).
#[must_use]
pub fn pending(root: &Path) -> bool {
    root.join(JOURNAL_FILE).exists()
}

/// Finishes the change an interrupted writer left in `root`'s journal, if any. Returns the files
/// it wrote or removed. The caller holds the workspace's lock.
pub fn recover(root: &Path) -> Result<Vec<String>, JournalError> {
    let journal = root.join(JOURNAL_FILE);
    let text = match read_text(&journal, MAX_JOURNAL_BYTES) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(JournalError::Damaged { path: journal, reason: JournalFault::Unreadable(e) }),
    };
    let damaged = |reason: JournalFault| JournalError::Damaged { path: journal.clone(), reason };
    let (kind, writes) = parse(&text).map_err(damaged)?;
    check_paths(root, kind, &writes).map_err(damaged)?;
    finish(root, &journal, &writes)?;
    Ok(writes.into_iter().map(|(path, _)| path).collect())
}

fn parse(text: &str) -> Result<(Kind, Vec<FileWrite>), JournalFault> {
    let v: Json = serde_json::from_str(text).map_err(JournalFault::NotJson)?;
    if v.get("journal").and_then(Json::as_u64) != Some(1) {
        return Err(JournalFault::Version);
    }
    let kind = match v.get("kind") {
        None => Kind::Contract,
        Some(k) if k == "compaction" => Kind::Compaction,
        Some(other) => return Err(JournalFault::UnknownKind(other.clone())),
    };
    let list = v.get("writes").and_then(Json::as_array).ok_or(JournalFault::NoWrites)?;
    list.iter()
        .map(|w| {
            let path = w.get("path").and_then(Json::as_str).ok_or(JournalFault::NoPath)?;
            let text = match w.get("text") {
                Some(Json::String(t)) => Some(t.clone()),
                Some(Json::Null) => None,
                _ => return Err(JournalFault::Text(path.to_owned())),
            };
            Ok((path.to_owned(), text))
        })
        .collect::<Result<Vec<_>, JournalFault>>()
        .map(|writes| (kind, writes))
}

/// Whether a journal may name `path`: the files an apply writes (budget files, the policy,
/// `headroom.yaml`, `allowed_signers` and the ledger), never the history, the triage or proposals.
fn is_journaled_file(path: &str) -> bool {
    use super::triage::{TRIAGE_DIR, TRIAGE_FILE};
    use super::workspace::{LEDGER_FILE, SIGNERS_FILE};
    let lower = path.to_ascii_lowercase();
    let top = path.split('/').next().unwrap_or("");
    path == LEDGER_FILE
        || path == SIGNERS_FILE
        || ((lower.ends_with(".yaml") || lower.ends_with(".yml"))
            && path != TRIAGE_FILE
            && ![TRIAGE_DIR, "proposals", "ledger"].contains(&top))
}

/// Every path is a plain relative path to a file an apply writes, whose folder (as far as it
/// exists) lies inside the root.
fn check_paths(root: &Path, kind: Kind, writes: &[FileWrite]) -> Result<(), JournalFault> {
    let canonical_root = root.canonicalize().map_err(|source| JournalFault::Root { root: root.to_path_buf(), source })?;
    for (path, text) in writes {
        match kind {
            Kind::Contract if !is_journaled_file(path) => return Err(JournalFault::NotContract(path.clone())),
            Kind::Compaction => check_compaction_write(root, path, text.as_deref())?,
            Kind::Contract => {}
        }
        let relative = Path::new(path);
        let plain = relative.components().all(|c| matches!(c, Component::Normal(n) if !n.to_string_lossy().starts_with('.')));
        if path.is_empty() || !plain {
            return Err(JournalFault::NotPlain(path.clone()));
        }
        // The deepest folder on the way that exists must resolve inside the root (no link out).
        let mut folder = root.join(relative);
        while folder.pop() {
            if let Ok(real) = folder.canonicalize() {
                if !real.starts_with(&canonical_root) {
                    return Err(JournalFault::ThroughLink(path.clone()));
                }
                break;
            }
        }
    }
    Ok(())
}

/// A compaction's write: a history file (`.jsonl`, outside the contract's folders) removed or
/// left with some of its lines (in order), or a new summary file of summary runs only.
fn check_compaction_write(root: &Path, path: &str, text: Option<&str>) -> Result<(), JournalFault> {
    let top = path.split('/').next().unwrap_or("");
    if !path.to_ascii_lowercase().ends_with(".jsonl") || [super::triage::TRIAGE_DIR, "proposals", "ledger"].contains(&top) {
        return Err(JournalFault::NotHistory(path.to_owned()));
    }
    let Some(text) = text else { return Ok(()) };
    match std::fs::read_to_string(root.join(path)) {
        Ok(old) => {
            let mut old_lines = old.lines();
            if text.lines().all(|line| old_lines.any(|o| o == line)) { Ok(()) } else { Err(JournalFault::GainsLines(path.to_owned())) }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let summaries = text.lines().all(|l| {
                serde_json::from_str::<Json>(l).ok().and_then(|v| {
                    v.get("metrics").and_then(Json::as_object).map(|m| !m.is_empty() && m.values().all(|m| m.get("summary").is_some()))
                }) == Some(true)
            });
            if path.split('/').any(|c| c == super::retention::SUMMARY_DIR) && summaries {
                Ok(())
            } else {
                Err(JournalFault::NotSummary(path.to_owned()))
            }
        }
        Err(source) => Err(JournalFault::History { path: path.to_owned(), source }),
    }
}

fn finish(root: &Path, journal: &Path, writes: &[FileWrite]) -> Result<(), JournalError> {
    for (relative, text) in writes {
        let path = root.join(relative);
        match text {
            Some(text) => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(io("create the folder of", &path))?;
                }
                write_atomic(&path, text.as_bytes()).map_err(io("write", &path))?;
            }
            None => match std::fs::remove_file(&path) {
                Ok(()) => sync_folder(&path),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(JournalError::Io { action: "remove", path, source: e }),
            },
        }
    }
    std::fs::remove_file(journal).map_err(io("remove", journal))?;
    sync_folder(journal);
    Ok(())
}

/// Makes a rename or removal in the folder of `path` durable, where the platform can open a folder.
fn sync_folder(path: &Path) {
    if let Some(d) = path.parent().and_then(|p| std::fs::File::open(p).ok()) {
        let _ = d.sync_all();
    }
}

/// Whether `name` is a temporary file of [`write_atomic`] (`.NAME.tmp-PID`), and its process id.
fn temp_file_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let (stem, pid) = rest.rsplit_once(".tmp-")?;
    if stem.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether the process that made a temporary file has gone: on Linux, it is not in `/proc`; where
/// that cannot be known, the file is an hour old. Another writer's temporary file is never taken.
fn is_stale(path: &Path, pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
        return !Path::new("/proc").join(pid.to_string()).exists();
    }
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > std::time::Duration::from_secs(3600))
}

/// Removes the temporary files (`.NAME.tmp-PID`) that writers killed mid-write left in `root`
/// and its folders (links are not followed). Returns how many it removed.
#[must_use]
pub fn remove_stale_temp_files(root: &Path) -> usize {
    fn visit(dir: &Path, depth: usize, removed: &mut usize) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() && depth < MAX_DEPTH {
                visit(&path, depth + 1, removed);
            } else if kind.is_file()
                && let Some(pid) = temp_file_pid(&entry.file_name().to_string_lossy())
                && is_stale(&path, pid)
                && std::fs::remove_file(&path).is_ok()
            {
                *removed += 1;
            }
        }
    }
    let mut removed = 0;
    visit(root, 0, &mut removed);
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes(list: &[(&str, Option<&str>)]) -> Vec<FileWrite> {
        list.iter().map(|(p, t)| ((*p).to_owned(), t.map(str::to_owned))).collect()
    }

    #[test]
    fn a_change_writes_every_file_and_leaves_no_journal() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.yaml"), "old").unwrap();
        commit(dir.path(), &writes(&[("a.yaml", Some("a")), ("team/b.yaml", Some("b")), ("old.yaml", None)])).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("team/b.yaml")).unwrap(), "b");
        assert!(!dir.path().join("old.yaml").exists());
        assert!(!pending(dir.path()));
    }

    #[test]
    fn a_journal_left_by_a_killed_writer_is_finished_by_the_next_and_twice_is_harmless() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), "before").unwrap();
        std::fs::write(dir.path().join("gone.yaml"), "before").unwrap();
        // What a writer killed right after the commit point leaves: the journal, no file changed.
        let body = r#"{"journal":1,"writes":[{"path":"a.yaml","text":"after"},{"path":"gone.yaml","text":null}]}"#;
        std::fs::write(dir.path().join(JOURNAL_FILE), body).unwrap();
        assert!(pending(dir.path()));
        assert_eq!(recover(dir.path()).unwrap(), ["a.yaml", "gone.yaml"]);
        assert_eq!(std::fs::read_to_string(dir.path().join("a.yaml")).unwrap(), "after");
        assert!(!dir.path().join("gone.yaml").exists());
        assert!(recover(dir.path()).unwrap().is_empty());
    }

    const SUMMARY: &str =
        r#"{"id":"summary-2025-01-01","metrics":{"m":{"value":2.0,"summary":{"count":2,"min":1.0,"median":2.0,"p95":2.9,"max":3.0}}}}"#;

    /// A compaction killed after its commit point, at each cut (nothing done yet, the summary
    /// written, the summary and one file written), is finished whole by the next writer.
    #[test]
    fn a_compaction_killed_at_any_point_after_its_journal_is_finished_whole() {
        let history = [("history/a.jsonl", "r1\nr2\nkeep\n"), ("history/b.jsonl", "r3\n")];
        let change = writes(&[
            ("history/summary/s.jsonl", Some(&format!("{SUMMARY}\n"))),
            ("history/a.jsonl", Some("keep\n")),
            ("history/b.jsonl", None),
        ]);
        for done in 0..=change.len() {
            let dir = tempfile::tempdir().unwrap();
            for (path, text) in history {
                std::fs::create_dir_all(dir.path().join(path).parent().unwrap()).unwrap();
                std::fs::write(dir.path().join(path), text).unwrap();
            }
            commit_compaction(dir.path(), &change).unwrap();
            let after: Vec<Option<String>> = change.iter().map(|(p, _)| std::fs::read_to_string(dir.path().join(p)).ok()).collect();
            // Back to the state of a writer killed after `done` of its writes.
            for (path, text) in history {
                std::fs::write(dir.path().join(path), text).unwrap();
            }
            std::fs::remove_file(dir.path().join("history/summary/s.jsonl")).unwrap();
            let journal = json!({"journal": 1, "kind": "compaction", "writes": change.iter().map(|(p, t)| json!({"path": p, "text": t})).collect::<Vec<_>>()});
            std::fs::write(dir.path().join(JOURNAL_FILE), journal.to_string()).unwrap();
            finish_first(dir.path(), &change[..done]);
            recover(dir.path()).unwrap();
            let recovered: Vec<Option<String>> = change.iter().map(|(p, _)| std::fs::read_to_string(dir.path().join(p)).ok()).collect();
            assert_eq!(recovered, after, "killed after {done} writes");
            assert!(!pending(dir.path()));
        }
    }

    fn finish_first(root: &Path, done: &[FileWrite]) {
        for (path, text) in done {
            match text {
                Some(t) => write_atomic(&root.join(path), t.as_bytes()).unwrap(),
                None => std::fs::remove_file(root.join(path)).unwrap(),
            }
        }
    }

    #[test]
    fn a_compaction_journal_that_adds_runs_or_names_a_contract_file_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("history")).unwrap();
        std::fs::write(dir.path().join("history/a.jsonl"), "r1\n").unwrap();
        for (path, text) in [
            ("history/a.jsonl", Some("r1\nforged\n")),
            ("history/new.jsonl", Some("forged\n")),
            ("history/summary/new.jsonl", Some("forged\n")),
            ("services.yaml", Some("budgets: {}\n")),
        ] {
            let journal = json!({"journal": 1, "kind": "compaction", "writes": [{"path": path, "text": text}]});
            std::fs::write(dir.path().join(JOURNAL_FILE), journal.to_string()).unwrap();
            let e = recover(dir.path()).unwrap_err();
            assert!(matches!(e, JournalError::Damaged { .. }), "{path}: {e}");
            assert!(commit_compaction(dir.path(), &writes(&[(path, text)])).is_err(), "{path}");
        }
        assert_eq!(std::fs::read_to_string(dir.path().join("history/a.jsonl")).unwrap(), "r1\n");
        assert!(!dir.path().join("services.yaml").exists() && !dir.path().join("history/new.jsonl").exists());
    }

    #[test]
    fn a_change_naming_a_file_outside_the_workspace_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let e = commit(dir.path(), &writes(&[("a.yaml", Some("a")), ("../x.yaml", Some("x"))])).unwrap_err();
        assert!(matches!(e, JournalError::Outside { .. }) && e.to_string().contains("`../x.yaml` is not a plain path"), "{e}");
        assert!(!dir.path().join("a.yaml").exists() && !pending(dir.path()));
    }

    #[test]
    fn a_journal_naming_a_file_outside_the_workspace_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        std::fs::create_dir(&ws).unwrap();
        std::os::unix::fs::symlink(dir.path(), ws.join("out")).unwrap();
        for path in ["../x.yaml", "/tmp/x.yaml", ".git/config", "out/x.yaml", "history/ci.jsonl", "triage/a@b.yaml", "proposals/p.yaml"] {
            let body = json!({"journal": 1, "writes": [{"path": "a.yaml", "text": "a"}, {"path": path, "text": "x"}]}).to_string();
            std::fs::write(ws.join(JOURNAL_FILE), body).unwrap();
            let e = recover(&ws).unwrap_err();
            assert!(matches!(e, JournalError::Damaged { .. }), "{path}: {e}");
            assert!(e.to_string().contains(path), "{e}");
            assert!(!ws.join("a.yaml").exists() && !dir.path().join("x.yaml").exists(), "{path}");
        }
    }

    #[test]
    fn temporary_files_of_dead_writers_are_removed_and_a_living_writers_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("history")).unwrap();
        // Process ids above the kernel's limit (2^22) are never alive.
        std::fs::write(dir.path().join(".services.yaml.tmp-4999999"), "x").unwrap();
        std::fs::write(dir.path().join("history/.run.jsonl.tmp-4999998"), "x").unwrap();
        let mine = format!(".ledger.jsonl.tmp-{}", std::process::id());
        std::fs::write(dir.path().join(&mine), "x").unwrap();
        std::fs::write(dir.path().join(".headroom.lock"), "").unwrap();
        assert_eq!(remove_stale_temp_files(dir.path()), 2);
        assert!(dir.path().join(&mine).exists() && dir.path().join(".headroom.lock").exists());
    }
}
