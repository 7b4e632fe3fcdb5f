//! Writing to a workspace: where each kind of record goes, and the lock around every
//! read-modify-write ([`super::lock`]).
//!
//! The layout lets people work in parallel, in processes and on git branches:
//!
//! | what | file | why it merges |
//! |---|---|---|
//! | an imported run | `history/<format>/[<environment>/]<run>.jsonl`, one per import | two branches add two files |
//! | a finding's triage | `triage/<metric>@<run>.yaml`, one per finding | two people, two findings: two files |
//! | a review meeting held | `triage/reviews/<day>.yaml`, one per day | two days: two files; the same day: the same file and text |
//! | check settings | `headroom.yaml` (`check:`) | the block is rewritten, the rest of the file kept |
//!
//! Files written by older versions (`history/<format>.jsonl` with many runs, every finding and
//! the last review in `triage.yaml`) still load; a record in `triage/` wins over the same finding
//! in `triage.yaml`, and the last review is the latest day of either.

use super::config::{CONFIG_FILE, parse_config, with_check_settings};
use super::disk::{MAX_TEXT_BYTES, read_text, write_atomic};
use super::error::LoadError;
use super::history::{Snapshot, snapshot_to_json_line};
use super::lock::{LockError, WorkspaceLock};
use super::run_index::RunIndex;
use super::settings::CheckSettings;
use super::triage::{
    FieldConflict, REVIEWS_DIR, TRIAGE_DIR, TRIAGE_FILE, Triage, TriageEntry, is_review_record, merge_entry, parse_record, parse_review,
    parse_triage, record_file, review_file, review_to_yaml,
};
use super::workspace::LEDGER_FILE;
use std::path::{Path, PathBuf};

/// Why a write to the workspace did not happen. Nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The workspace's lock was not obtained.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// A file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A file on disk does not read, so it is not written over.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<LoadError>),
    /// The file is part of the signed contract: it changes only through a proposal.
    #[error("{0}")]
    Contract(String),
    /// The history already has this run.
    #[error("the history already has a run `{run}`{}", .environment.as_ref().map_or_else(String::new, |e| format!(" in `{e}`")))]
    KnownRun {
        /// The run's id.
        run: String,
        /// Its environment.
        environment: Option<String>,
    },
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io { action, path, source }
}

/// `text` with every character but ASCII letters, digits, `.`, `-` and `_` replaced by `_`, at
/// most 100 bytes, never starting with `.` (a file name on every system).
fn file_stem(text: &str) -> String {
    let mut out: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).take(100).collect();
    if out.is_empty() || out.starts_with('.') {
        out.insert(0, '_');
    }
    out
}

/// Adds runs to the workspace's history in a file of their own,
/// `history/<name>/[<environment>/]<first run>[--<last run>].jsonl` (a run of another name there
/// already gets `.2`, `.3`, ...). Under the workspace's lock, it checks the history as it is on
/// disk and refuses (writing nothing) a run whose id it already has in that environment, unless
/// `skip_known`, which leaves such runs out. The check reads the run index
/// ([`super::run_index`]), so it reads only the history files that changed since the last import.
/// Returns the file and how many runs it holds.
pub fn add_runs(root: &Path, name: &str, snapshots: Vec<Snapshot>, skip_known: bool) -> Result<(PathBuf, usize), StoreError> {
    let lock = WorkspaceLock::acquire(root, &format!("runs into its history ({name})"))?;
    let config_path = root.join(CONFIG_FILE);
    // As the loader reads it: a `headroom.yaml` that does not read leaves the default folder.
    let history = read_text(&config_path, MAX_TEXT_BYTES).ok().and_then(|t| parse_config(CONFIG_FILE, &t).ok()).unwrap_or_default().history;
    // The history as it is now, not as the caller loaded it: another writer may have added runs.
    let mut index = RunIndex::refresh(root, &history, &lock).map_err(io("read", &root.join(&history)))?;
    let known = |s: &Snapshot| index.contains(s.run.environment.as_deref(), &s.run.id);
    if !skip_known && let Some(s) = snapshots.iter().find(|s| known(s)) {
        return Err(StoreError::KnownRun { run: s.run.id.clone(), environment: s.run.environment.clone() });
    }
    let new: Vec<Snapshot> = snapshots.into_iter().filter(|s| !known(s)).collect();
    let mut folder = root.join(history.trim_end_matches('/')).join(file_stem(name));
    let (Some(first), Some(last)) = (new.first(), new.last()) else {
        return Ok((folder, 0));
    };
    if let Some(environment) = &first.run.environment
        && new.iter().all(|s| s.run.environment.as_ref() == Some(environment))
    {
        folder = folder.join(file_stem(environment));
    }
    let mut stem = file_stem(&first.run.id);
    if new.len() > 1 {
        stem = format!("{stem}--{}", file_stem(&last.run.id));
    }
    let mut path = folder.join(format!("{stem}.jsonl"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = folder.join(format!("{stem}.{n}.jsonl"));
    }
    let text: String = new.iter().map(|s| snapshot_to_json_line(s) + "\n").collect();
    std::fs::create_dir_all(&folder).map_err(io("create", &folder))?;
    write_atomic(&path, text.as_bytes()).map_err(io("write", &path))?;
    let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
    index.add_file(root, &relative, new.iter().map(|s| (s.run.environment.clone(), s.run.id.clone())).collect());
    // The runs are written; an index that cannot be saved is only rebuilt by the next import.
    let _ = index.save(&lock);
    Ok((path, new.len()))
}

/// Reads the workspace's triage as it is on disk: `triage.yaml` and the records in `triage/`.
pub fn read_triage(root: &Path) -> Result<Triage, StoreError> {
    let legacy = root.join(TRIAGE_FILE);
    let mut triage = match std::fs::read_to_string(&legacy) {
        Ok(text) => parse_triage(TRIAGE_FILE, &text).map_err(StoreError::Invalid)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Triage::default(),
        Err(e) => return Err(io("read", &legacy)(e)),
    };
    let folder = root.join(TRIAGE_DIR);
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(triage),
        Err(e) => return Err(io("read", &folder)(e)),
    };
    let mut names: Vec<String> = entries.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())).collect();
    names.sort();
    for name in names.into_iter().filter(|n| !n.starts_with('.')) {
        let relative = format!("{TRIAGE_DIR}/{name}");
        if !super::triage::is_triage_record(&relative) {
            continue;
        }
        let path = root.join(&relative);
        let text = std::fs::read_to_string(&path).map_err(io("read", &path))?;
        let (key, entry) = parse_record(&relative, &text).map_err(StoreError::Invalid)?;
        triage.entries.insert(key, entry);
    }
    let reviews = root.join(REVIEWS_DIR);
    let entries = match std::fs::read_dir(&reviews) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(triage),
        Err(e) => return Err(io("read", &reviews)(e)),
    };
    for name in entries.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned())) {
        let relative = format!("{REVIEWS_DIR}/{name}");
        if name.starts_with('.') || !is_review_record(&relative) {
            continue;
        }
        let path = root.join(&relative);
        let text = std::fs::read_to_string(&path).map_err(io("read", &path))?;
        let day = parse_review(&relative, &text).map_err(StoreError::Invalid)?;
        triage.last_review = triage.last_review.max(Some(day));
    }
    Ok(triage)
}

/// What became of a finding's triage saved with [`save_triage_entry`].
#[derive(Clone, Debug, PartialEq)]
pub enum TriageSaved {
    /// Written (merged with what changed on disk meanwhile, where anything did): the entry as the
    /// file now has it.
    Saved(TriageEntry),
    /// The same fields were changed on disk since `base` was read, to other values: nothing was
    /// written. Here is what the disk has, and the fields that differ.
    Conflict {
        /// The entry on disk now.
        theirs: TriageEntry,
        /// Each field changed on both sides.
        fields: Vec<FieldConflict>,
    },
}

/// Saves the triage of the finding `key`, edited from `base` (the entry as it was read, the
/// default where there was none) into `ours`. Under the workspace's lock it reads the entry on disk
/// now; where someone else changed it meanwhile, their changes and ours are merged field by field
/// ([`merge_entry`]), and where both changed the same field, nothing is written and the conflict
/// comes back. Only the finding's own record file (`triage/<key>.yaml`) is written.
pub fn save_triage_entry(root: &Path, key: &str, base: &TriageEntry, ours: &TriageEntry) -> Result<TriageSaved, StoreError> {
    let file = record_file(key);
    let _lock = WorkspaceLock::acquire(root, &file)?;
    let on_disk = read_triage(root)?;
    let theirs = on_disk.entries.get(key).cloned().unwrap_or_default();
    match merge_entry(base, ours, &theirs) {
        Ok(merged) => {
            let path = root.join(&file);
            if merged != theirs || !path.exists() {
                let folder = root.join(TRIAGE_DIR);
                std::fs::create_dir_all(&folder).map_err(io("create", &folder))?;
                write_atomic(&path, super::triage::record_to_yaml(key, &merged).as_bytes()).map_err(io("write", &path))?;
            }
            Ok(TriageSaved::Saved(merged))
        }
        Err(fields) => Ok(TriageSaved::Conflict { theirs, fields }),
    }
}

/// Records that the team held its review on `day`, in a file of its own
/// (`triage/reviews/<day>.yaml`, written under the workspace's lock where it is not there yet), so
/// that reviews marked held on two branches merge. Returns the file.
pub fn save_last_review(root: &Path, day: super::time::Timestamp) -> Result<PathBuf, StoreError> {
    let file = review_file(day);
    let _lock = WorkspaceLock::acquire(root, &file)?;
    let path = root.join(&file);
    if !path.exists() {
        let folder = root.join(REVIEWS_DIR);
        std::fs::create_dir_all(&folder).map_err(io("create", &folder))?;
        write_atomic(&path, review_to_yaml(day).as_bytes()).map_err(io("write", &path))?;
    }
    Ok(path)
}

/// Writes `settings` as the `check:` block of the workspace's `headroom.yaml`, keeping the rest of
/// the file as it is on disk at the moment of writing (under the workspace's lock). Refused in a
/// workspace with a ledger: there the gate's settings are part of the signed contract, and change
/// only through a proposal (`headroom propose --setting`).
pub fn save_check_settings(root: &Path, settings: &CheckSettings) -> Result<PathBuf, StoreError> {
    let _lock = WorkspaceLock::acquire(root, CONFIG_FILE)?;
    if root.join(LEDGER_FILE).exists() {
        return Err(StoreError::Contract(format!(
            "the gate's settings in {CONFIG_FILE} are part of this workspace's signed contract (it has a ledger): propose the change (`headroom propose --setting NAME=VALUE`) for people to sign"
        )));
    }
    let path = root.join(CONFIG_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io("read", &path)(e)),
    };
    let new = with_check_settings(CONFIG_FILE, &text, settings).map_err(StoreError::Invalid)?;
    write_atomic(&path, new.as_bytes()).map_err(io("write", &path))?;
    Ok(path)
}

/// Copies a file into the workspace at `relative`, never over an existing file (checked and
/// written under the workspace's lock). Returns where it went.
pub fn add_file(root: &Path, relative: &str, bytes: &[u8]) -> Result<PathBuf, StoreError> {
    let _lock = WorkspaceLock::acquire(root, relative)?;
    let target = root.join(relative);
    if target.exists() {
        return Err(StoreError::Io {
            action: "add",
            path: target,
            source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, "a file of that name already exists"),
        });
    }
    if let Some(folder) = target.parent() {
        std::fs::create_dir_all(folder).map_err(io("create", folder))?;
    }
    write_atomic(&target, bytes).map_err(io("write", &target))?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::history::{Measurement, Run};
    use crate::model::triage::TriageState;
    use crate::model::workspace::Workspace;

    fn run(id: &str, environment: Option<&str>) -> Snapshot {
        Snapshot {
            run: Run {
                id: id.to_owned(),
                timestamp: crate::model::time::Timestamp::parse("2026-11-24T00:00:00Z").ok(),
                commit: None,
                branch: Some("main".to_owned()),
                environment: environment.map(str::to_owned),
                file: "".into(),
                line: 0,
            },
            metrics: vec![("m".to_owned(), Measurement { value: Some(1.0), samples: None, unit: None })],
            groups: std::collections::BTreeMap::new(),
        }
    }

    #[test]
    fn check_settings_are_saved_without_a_ledger_and_refused_with_one() {
        let dir = tempfile::tempdir().unwrap();
        let settings = CheckSettings { regression_threshold: 0.2, ..CheckSettings::default() };
        save_check_settings(dir.path(), &settings).unwrap();
        std::fs::create_dir(dir.path().join("ledger")).unwrap();
        std::fs::write(dir.path().join(LEDGER_FILE), "{}\n").unwrap();
        let e = save_check_settings(dir.path(), &CheckSettings::default()).unwrap_err();
        assert!(matches!(e, StoreError::Contract(_)) && e.to_string().contains("headroom propose --setting"), "{e}");
        assert!(std::fs::read_to_string(dir.path().join(CONFIG_FILE)).unwrap().contains("regression_threshold: 20%"));
    }

    #[test]
    fn each_import_gets_a_file_of_its_own_and_a_known_run_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = add_runs(dir.path(), "hyperfine", vec![run("r1", Some("ci"))], false).unwrap();
        assert_eq!(first, (dir.path().join("history/hyperfine/ci/r1.jsonl"), 1));
        let slash = add_runs(dir.path(), "hyperfine", vec![run("r/1", Some("ci"))], false).unwrap();
        assert_eq!(slash.0, dir.path().join("history/hyperfine/ci/r_1.jsonl"));
        let colon = add_runs(dir.path(), "hyperfine", vec![run("r:1", Some("ci"))], false).unwrap();
        assert_eq!(colon.0, dir.path().join("history/hyperfine/ci/r_1.2.jsonl"), "a name taken by another run is not overwritten");
        let known = add_runs(dir.path(), "bmf", vec![run("r1", Some("ci"))], false).unwrap_err();
        assert_eq!(known.to_string(), "the history already has a run `r1` in `ci`");
        let skipped = add_runs(dir.path(), "bmf", vec![run("r1", Some("ci")), run("r2", Some("ci"))], true).unwrap();
        assert_eq!(skipped.1, 1);
        let workspace = Workspace::load(dir.path()).unwrap();
        assert_eq!(workspace.history.runs.len(), 4, "{:?}", workspace.errors);
    }

    #[test]
    fn a_run_that_came_by_another_way_is_known_to_the_next_import() {
        let dir = tempfile::tempdir().unwrap();
        add_runs(dir.path(), "bmf", vec![run("r1", Some("ci"))], false).unwrap();
        // A `git pull` brings a teammate's import, and someone rewrites an old file in place.
        std::fs::create_dir_all(dir.path().join("history/pulled")).unwrap();
        std::fs::write(dir.path().join("history/pulled/r2.jsonl"), "{\"id\":\"r2\",\"environment\":\"ci\",\"metrics\":{\"m\":1}}\n")
            .unwrap();
        let known = add_runs(dir.path(), "bmf", vec![run("r2", Some("ci"))], false).unwrap_err();
        assert_eq!(known.to_string(), "the history already has a run `r2` in `ci`");
        std::fs::remove_file(dir.path().join("history/pulled/r2.jsonl")).unwrap();
        assert_eq!(
            add_runs(dir.path(), "bmf", vec![run("r2", Some("ci"))], false).unwrap().1,
            1,
            "gone from the disk, gone from the index"
        );
    }

    #[test]
    fn edits_of_different_fields_merge_and_of_the_same_field_conflict() {
        let dir = tempfile::tempdir().unwrap();
        let key = "services.auth.latency@ci-1157";
        let base = TriageEntry::default();
        let mine = TriageEntry { state: TriageState::Investigating, ..TriageEntry::default() };
        assert_eq!(save_triage_entry(dir.path(), key, &base, &mine).unwrap(), TriageSaved::Saved(mine.clone()));
        assert!(dir.path().join("triage/services.auth.latency@ci-1157.yaml").exists());
        // Someone else, from the same base, sets the owner: both land.
        let theirs = TriageEntry { owner: "maria".into(), ..TriageEntry::default() };
        let TriageSaved::Saved(merged) = save_triage_entry(dir.path(), key, &base, &theirs).unwrap() else { panic!("a conflict") };
        assert_eq!((merged.state, merged.owner.as_str()), (TriageState::Investigating, "maria"));
        // A third, from the same base, sets the state otherwise: a conflict, and the file is kept.
        let other = TriageEntry { state: TriageState::Invalid, ..TriageEntry::default() };
        let TriageSaved::Conflict { theirs, fields } = save_triage_entry(dir.path(), key, &base, &other).unwrap() else {
            panic!("no conflict")
        };
        assert_eq!(theirs, merged);
        assert_eq!(fields[0].field, "state");
        assert_eq!(read_triage(dir.path()).unwrap().entries[key], merged);
    }

    #[test]
    fn a_record_wins_over_the_same_finding_in_the_old_triage_file_and_the_review_day_is_kept_apart() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(TRIAGE_FILE), "findings:\n  \"a@r1\": {state: fixed}\n  \"b@r1\": {state: invalid}\n").unwrap();
        let base = read_triage(dir.path()).unwrap().entries["a@r1"].clone();
        let ours = TriageEntry { note: "again".into(), ..base.clone() };
        save_triage_entry(dir.path(), "a@r1", &base, &ours).unwrap();
        let legacy = std::fs::read_to_string(dir.path().join(TRIAGE_FILE)).unwrap();
        let day = crate::model::time::Timestamp::parse("2026-11-30").unwrap();
        let file = save_last_review(dir.path(), day).unwrap();
        assert_eq!(file, dir.path().join("triage/reviews/2026-11-30.yaml"));
        save_last_review(dir.path(), crate::model::time::Timestamp::parse("2026-11-02").unwrap()).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join(TRIAGE_FILE)).unwrap(), legacy, "triage.yaml is left alone");
        let triage = read_triage(dir.path()).unwrap();
        assert_eq!(triage.entries["a@r1"].note, "again");
        assert_eq!(triage.entries["b@r1"].state, TriageState::Invalid);
        assert_eq!(triage.last_review, Some(day), "the latest day held");
        let w = Workspace::load(dir.path()).unwrap();
        assert_eq!(w.triage, triage, "{:?}", w.errors);
    }
}
