//! The run ids of a workspace's history, kept beside it so that an import's duplicate check
//! reads only the history files that changed since the last import, not the whole history.
//!
//! How it works: the workspace's lock file ([`super::lock::LOCK_FILE`], this machine's own and
//! ignored by git, so the cache never conflicts in a merge) holds, for every history file, its length, modification time and inode as last seen, and the
//! (environment, id) of each of its runs. Under the workspace's lock an import walks the history
//! folder and stats each file (no read); a file whose three values match its entry keeps its
//! ids, any other file (new, rewritten, edited, brought by `git pull`) is read again with the
//! loader's own parser, and entries of files that are gone are dropped. So the check costs one
//! `stat` per history file plus the parse of what changed, instead of reading every file.
//!
//! A file written less than [`SETTLE`] before it was indexed is read again the next time even if
//! it looks the same, as git does with "racily clean" files: a file system's clock ticks
//! coarsely, so a same-length edit in the same tick would otherwise look unchanged. The index is
//! only ever a copy of what the files say, read and written under the workspace's lock: a line
//! that does not read (a write cut short by a crash) is left out, and its file read again, so it
//! cannot lose a run.

use super::columnar::FxBuild;
use super::disk::{MAX_HISTORY_BYTES, read_text};
use super::history_files::history_file_columns;
use super::lock::WorkspaceLock;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// How long after its last change a file must have been left alone for its entry to be trusted.
const SETTLE: Duration = Duration::from_secs(2);

/// The first line of the index: its format, so a later version's file is rebuilt, not misread.
const HEADER: &str = "{\"headroom_run_index\":1}";

/// What a history file looked like when its runs were indexed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    len: u64,
    mtime_ns: u128,
    inode: u64,
}

/// One history file's line in the index.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    file: String,
    /// `None`: written too recently to be trusted next time.
    stamp: Option<Stamp>,
    /// (environment, id) of each run.
    runs: Vec<(Option<String>, String)>,
}

/// The runs of a workspace's history, up to date with its files while the lock it was made under
/// is held.
#[derive(Debug, Default)]
pub struct RunIndex {
    entries: HashMap<String, Entry, FxBuild>,
    known: HashSet<(Option<String>, String), FxBuild>,
    changed: bool,
    /// How many history files were read to bring the index up to date.
    pub files_read: usize,
}

fn stamp_of(meta: &std::fs::Metadata, now: SystemTime) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let modified = meta.modified().ok()?;
    // Settled: last changed at least SETTLE ago (a time in the future is not settled either).
    now.duration_since(modified).ok().filter(|age| *age >= SETTLE)?;
    let mtime_ns = modified.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_nanos();
    Some(Stamp { len: meta.len(), mtime_ns, inode: meta.ino() })
}

/// Calls `visit` with (path relative to the root, path, metadata) for each history file under
/// `dir`, as the loader's walk finds them ([`super::walk::walk`]: names starting with `.` left out,
/// symbolic links followed, each folder once, no deeper than it goes) but in no particular order
/// and with one `stat` per file: the folder's entries say which are folders.
fn walk_history(
    root: &Path,
    dir: &Path,
    depth: usize,
    seen: &mut HashSet<(u64, u64), FxBuild>,
    visit: &mut dyn FnMut(String, &Path, &std::fs::Metadata),
) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir)?;
    if depth > super::walk::MAX_DEPTH || !seen.insert((meta.dev(), meta.ino())) {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        // A link is followed to what it names, as the loader does.
        let meta = if kind.is_symlink() { std::fs::metadata(&path) } else { entry.metadata() };
        let Ok(meta) = meta else { continue };
        if meta.is_dir() {
            walk_history(root, &path, depth + 1, seen, visit)?;
        } else {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            if super::walk::is_history_file(&relative) {
                visit(relative, &path, &meta);
            }
        }
    }
    Ok(())
}

fn same(meta: &std::fs::Metadata, stamp: &Stamp) -> bool {
    use std::os::unix::fs::MetadataExt;
    let mtime_ns = meta.modified().ok().and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok()).map(|d| d.as_nanos());
    meta.len() == stamp.len && mtime_ns == Some(stamp.mtime_ns) && meta.ino() == stamp.inode
}

impl RunIndex {
    /// The index of the history in `root`'s folder `history` (as `headroom.yaml` names it),
    /// brought up to date with the files on disk. `lock`, the workspace's lock that the caller
    /// holds (so no other Headroom process changes the history meanwhile), keeps the cache.
    pub fn refresh(root: &Path, history: &str, lock: &WorkspaceLock) -> std::io::Result<RunIndex> {
        let mut old = read_index(&lock.cached_text().unwrap_or_default());
        let mut index = RunIndex::default();
        let now = SystemTime::now();
        let folder = root.join(history.trim_end_matches('/'));
        let mut seen = HashSet::default();
        // Files whose entry still holds keep it; the others are read below, in parallel.
        let mut changed: Vec<(String, std::path::PathBuf, Option<Stamp>)> = Vec::new();
        let mut visit = |relative: String, path: &Path, meta: &std::fs::Metadata| match old.remove(&relative) {
            Some(entry) if entry.stamp.as_ref().is_some_and(|s| same(meta, s)) => index.insert(entry),
            _ => changed.push((relative, path.to_path_buf(), stamp_of(meta, now))),
        };
        match std::fs::metadata(&folder) {
            Ok(meta) if meta.is_dir() => walk_history(root, &folder, 0, &mut seen, &mut visit)?,
            _ => {}
        }
        let runs = super::columns::parse_in_parallel(
            &changed,
            |(relative, path, _)| {
                // A file that does not read has no runs for the loader either.
                read_text(path, MAX_HISTORY_BYTES)
                    .ok()
                    .and_then(|text| history_file_columns(relative, &text).ok())
                    .map(|columns| {
                        (0..columns.runs.len())
                            .map(|i| {
                                let run = columns.runs.run(i);
                                (run.environment.map(str::to_owned), run.id.to_owned())
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            },
            &mut |_| {},
        );
        index.files_read = changed.len();
        index.changed = !changed.is_empty();
        for ((file, _, stamp), runs) in changed.into_iter().zip(runs) {
            index.insert(Entry { file, stamp, runs });
        }
        index.changed |= !old.is_empty();
        Ok(index)
    }

    fn insert(&mut self, entry: Entry) {
        self.known.extend(entry.runs.iter().cloned());
        self.entries.insert(entry.file.clone(), entry);
    }

    /// Whether the history has a run `id` in `environment`.
    #[must_use]
    pub fn contains(&self, environment: Option<&str>, id: &str) -> bool {
        // The set's key is owned; one allocation per question is nothing beside a file's stat.
        self.known.contains(&(environment.map(str::to_owned), id.to_owned()))
    }

    /// How many runs the history has.
    #[must_use]
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Whether the history has no run.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// Records the runs of a history file the caller has just written (`relative` to the root).
    pub fn add_file(&mut self, root: &Path, relative: &str, runs: Vec<(Option<String>, String)>) {
        let stamp = std::fs::metadata(root.join(relative)).ok().and_then(|m| stamp_of(&m, SystemTime::now()));
        self.insert(Entry { file: relative.to_owned(), stamp, runs });
        self.changed = true;
    }

    /// Writes the index where it changed, into the lock file of `lock`, which the caller holds.
    pub fn save(&self, lock: &WorkspaceLock) -> std::io::Result<()> {
        if !self.changed {
            return Ok(());
        }
        let mut text = String::with_capacity(64 * self.entries.len() + HEADER.len() + 1);
        text.push_str(HEADER);
        text.push('\n');
        for entry in self.entries.values() {
            text.push_str(&serde_json::to_string(entry).map_err(std::io::Error::other)?);
            text.push('\n');
        }
        lock.set_cached_text(&text)
    }
}

/// The entries of the index's text; none where it is of another format (it is rebuilt from the
/// files then). A line that does not read is left out: its file is read again.
fn read_index(text: &str) -> HashMap<String, Entry, FxBuild> {
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return HashMap::default();
    }
    lines.filter_map(|line| serde_json::from_str::<Entry>(line).ok()).map(|entry| (entry.file.clone(), entry)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, environment: &str) -> String {
        format!("{{\"id\":\"{id}\",\"environment\":\"{environment}\",\"metrics\":{{\"m\":1}}}}\n")
    }

    /// Makes a file look settled: last changed 10 s ago.
    fn age(path: &Path) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(10)).unwrap();
    }

    fn refresh(root: &Path) -> RunIndex {
        let lock = WorkspaceLock::acquire(root, "test").unwrap();
        let index = RunIndex::refresh(root, "history", &lock).unwrap();
        index.save(&lock).unwrap();
        index
    }

    #[test]
    fn only_files_that_changed_are_read_again_and_every_change_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let history = dir.path().join("history/bmf");
        std::fs::create_dir_all(&history).unwrap();
        for n in 0..5 {
            let path = history.join(format!("r{n}.jsonl"));
            std::fs::write(&path, line(&format!("r{n}"), "ci")).unwrap();
            age(&path);
        }
        let first = refresh(dir.path());
        assert_eq!((first.files_read, first.len()), (5, 5));
        assert!(first.contains(Some("ci"), "r3") && !first.contains(Some("other"), "r3") && !first.contains(Some("ci"), "r9"));
        let again = refresh(dir.path());
        assert_eq!((again.files_read, again.len()), (0, 5), "nothing changed: nothing read");

        // A pull brings a file, someone edits one in place with the same length, another is removed.
        let pulled = history.join("r9.jsonl");
        std::fs::write(&pulled, line("r9", "ci")).unwrap();
        std::fs::write(history.join("r1.jsonl"), line("rX", "ci")).unwrap();
        std::fs::remove_file(history.join("r2.jsonl")).unwrap();
        let after = refresh(dir.path());
        assert_eq!(after.files_read, 2);
        assert!(after.contains(Some("ci"), "r9") && after.contains(Some("ci"), "rX"));
        assert!(!after.contains(Some("ci"), "r1") && !after.contains(Some("ci"), "r2"));
        // Written just now: not trusted yet, so read once more even though nothing changed.
        assert_eq!(refresh(dir.path()).files_read, 2);
    }

    #[test]
    fn a_line_cut_short_is_left_out_and_its_file_read_again() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("history")).unwrap();
        for name in ["a", "b"] {
            let path = dir.path().join(format!("history/{name}.jsonl"));
            std::fs::write(&path, line(name, "ci")).unwrap();
            age(&path);
        }
        refresh(dir.path());
        let lock_file = dir.path().join(super::super::lock::LOCK_FILE);
        let text = std::fs::read_to_string(&lock_file).unwrap();
        std::fs::write(&lock_file, &text[..text.len() - 5]).unwrap();
        let index = refresh(dir.path());
        assert_eq!(index.files_read, 1);
        assert!(index.contains(Some("ci"), "a") && index.contains(Some("ci"), "b"));
    }
}
