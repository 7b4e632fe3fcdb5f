//! The workspace's write lock: every read-modify-write of a workspace's files holds it, so two
//! Headroom processes (two CI imports, three people signing, the app and the CLI) never lose each
//! other's work.
//!
//! How it works: an advisory lock (`flock` on Unix, `LockFileEx` on Windows, through
//! [`std::fs::File::lock`]) on `.headroom.lock` in the workspace's root. The file is never
//! removed: what excludes is the lock on it, not its existence, so a crashed writer leaves nothing
//! stale behind (the system drops its lock with the process). Writers take it once per operation
//! (read, change, write, release), never nested: a second lock in the same process waits like any
//! other writer.
//!
//! Taking the lock also finishes a change of several files that a killed writer left in the
//! workspace's journal, and removes the temporary files killed writers left behind
//! ([`super::journal`]): whoever writes next sees the workspace before or after that change.
//!
//! A writer that cannot get the lock within [`timeout`] (30 s, or `HEADROOM_LOCK_TIMEOUT_SECS`)
//! fails with [`LockError::Timeout`], naming the lock file and what it was about to write; it
//! never writes unlocked.
//!
//! Network file systems: on Linux, `flock` on NFS is sent to the server as a lock of the whole
//! file (since Linux 2.6.12), so it excludes writers on other clients where the server's locking
//! works; but an NFS mount with `nolock` or `local_lock=flock|all`, a CIFS/SMB mount with `nobrl`,
//! and sshfs keep locks on the client, where they exclude only this machine's processes. On such
//! a mount ([`local_only_mount`], read from `/proc/self/mountinfo`) taking the lock fails with
//! [`LockError::LocalOnly`] rather than let two machines lose each other's work, unless
//! [`LOCAL_ONLY_ENV`] says that only this machine writes there.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The lock file, in the workspace's root (hidden: the loader skips names starting with `.`).
pub const LOCK_FILE: &str = ".headroom.lock";

/// The environment variable that sets how long a writer waits for the lock, in seconds.
pub const TIMEOUT_ENV: &str = "HEADROOM_LOCK_TIMEOUT_SECS";

/// The environment variable that, set to `1`, lets a writer lock a workspace on a mount whose
/// locks exclude only this machine's processes (someone who knows no other machine writes there).
pub const LOCAL_ONLY_ENV: &str = "HEADROOM_LOCK_LOCAL_ONLY";

/// How long a writer waits when [`TIMEOUT_ENV`] does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the workspace could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The lock file cannot be created or opened (a read-only folder, say).
    #[error("cannot open the workspace's lock file {path} to write {purpose}: {source}")]
    Open {
        /// The lock file.
        path: PathBuf,
        /// What was to be written.
        purpose: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// Another writer held the lock for longer than the timeout.
    #[error(
        "timed out after {waited_s:.0} s waiting for the workspace's lock {path} to write {purpose}: another Headroom process is \
         writing to this workspace (wait longer with HEADROOM_LOCK_TIMEOUT_SECS=SECONDS); nothing was written"
    )]
    Timeout {
        /// The lock file.
        path: PathBuf,
        /// What was to be written.
        purpose: String,
        /// How long it waited, in seconds.
        waited_s: f64,
    },
    /// The system refused the lock for another reason than another writer holding it.
    #[error("cannot lock {path} to write {purpose}: {source}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// What was to be written.
        purpose: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// The workspace is on a mount whose locks exclude only this machine's processes.
    #[error(
        "cannot lock {path} to write {purpose}: the workspace is on {filesystem}, whose locks exclude only processes on this machine, \
         so writers on two machines could lose each other's work; work in a local clone, or mount it with locking, or set \
         HEADROOM_LOCK_LOCAL_ONLY=1 if no other machine writes to it; nothing was written"
    )]
    LocalOnly {
        /// The lock file.
        path: PathBuf,
        /// What was to be written.
        purpose: String,
        /// The mount, in words (`nfs4 mounted with local_lock=all at /mnt/team`).
        filesystem: String,
    },
    /// A change a killed writer left in the journal could not be finished.
    #[error("{source} (found on taking the workspace's lock to write {purpose})")]
    Recover {
        /// What was to be written.
        purpose: String,
        /// Why the change could not be finished.
        source: super::journal::JournalError,
    },
}

/// How long a writer waits for the lock: [`TIMEOUT_ENV`] where it holds a number of seconds,
/// else [`DEFAULT_TIMEOUT`].
#[must_use]
pub fn timeout() -> Duration {
    std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs_f64)
}

/// The workspace's write lock, held until dropped.
#[derive(Debug)]
pub struct WorkspaceLock {
    // Closing the file releases the lock.
    file: File,
}

impl WorkspaceLock {
    /// Locks the workspace in `root` to write `purpose` (a file or what is being done, for the
    /// error), waiting up to [`timeout`].
    pub fn acquire(root: &Path, purpose: &str) -> Result<WorkspaceLock, LockError> {
        WorkspaceLock::acquire_within(root, purpose, timeout())
    }

    /// [`WorkspaceLock::acquire`] with an explicit timeout.
    pub fn acquire_within(root: &Path, purpose: &str, within: Duration) -> Result<WorkspaceLock, LockError> {
        let path = root.join(LOCK_FILE);
        if std::env::var(LOCAL_ONLY_ENV).ok().as_deref() != Some("1")
            && let Some(filesystem) = local_only_mount(root)
        {
            return Err(LockError::LocalOnly { path, purpose: purpose.to_owned(), filesystem });
        }
        // The lock file is this machine's own, and the run index is written into it: a link there
        // (one committed to the repository, say) would have every writer truncate and overwrite
        // whatever file it names, in the workspace or outside it.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            let source = std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "it is a symbolic link, and Headroom writes its cache into the lock file: remove the link (the file is this machine's own, never committed)",
            );
            return Err(LockError::Open { path, purpose: purpose.to_owned(), source });
        }
        let file =
            OpenOptions::new().create(true).truncate(false).read(true).write(true).open(&path).map_err(|source| LockError::Open {
                path: path.clone(),
                purpose: purpose.to_owned(),
                source,
            })?;
        let started = Instant::now();
        // Polled rather than a blocking `lock()`: a blocking lock cannot time out. The pause grows
        // from 1 ms to 50 ms, so a short wait costs little and a long one little CPU.
        let mut pause = Duration::from_millis(1);
        loop {
            match file.try_lock() {
                Ok(()) => {
                    let lock = WorkspaceLock { file };
                    super::journal::recover(root).map_err(|source| LockError::Recover { purpose: purpose.to_owned(), source })?;
                    let _ = super::journal::remove_stale_temp_files(root);
                    return Ok(lock);
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(source)) => return Err(LockError::Lock { path, purpose: purpose.to_owned(), source }),
            }
            let waited = started.elapsed();
            if waited >= within {
                return Err(LockError::Timeout { path, purpose: purpose.to_owned(), waited_s: waited.as_secs_f64() });
            }
            std::thread::sleep(pause.min(within.saturating_sub(waited)));
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}

impl WorkspaceLock {
    /// What the lock file holds: the run index's cache ([`super::run_index`]), or nothing.
    ///
    /// The lock file is this machine's own (ignored by git, never shared between branches), so a
    /// cache of what the workspace's files say lives best there: it never conflicts in a merge and
    /// needs no `.gitignore` line of its own.
    pub fn cached_text(&self) -> std::io::Result<String> {
        use std::io::{Read, Seek};
        let mut file = &self.file;
        file.seek(std::io::SeekFrom::Start(0))?;
        let mut text = String::new();
        file.read_to_string(&mut text)?;
        Ok(text)
    }

    /// Replaces what the lock file holds with `text`, in place: the file is never replaced or
    /// removed, since other writers wait on this very file. A write cut short leaves a prefix,
    /// which the reader must treat as a cache that lacks entries.
    pub fn set_cached_text(&self, text: &str) -> std::io::Result<()> {
        use std::io::{Seek, Write};
        let mut file = &self.file;
        file.set_len(0)?;
        file.seek(std::io::SeekFrom::Start(0))?;
        file.write_all(text.as_bytes())
    }
}

/// Where the folder `root` lies on a mount whose advisory locks stay on this machine (see the
/// module's notes), that mount in words; `None` where its locks reach the server, or where it
/// cannot be told (no `/proc/self/mountinfo`: not Linux).
#[must_use]
pub fn local_only_mount(root: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    local_only_in(&mountinfo, &root)
}

/// [`local_only_mount`] against the text of a `mountinfo` file.
fn local_only_in(mountinfo: &str, path: &Path) -> Option<String> {
    // Each line: id parent major:minor root mount-point options [optional...] - type source super-options.
    let mount = mountinfo
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let dash = fields.iter().position(|f| *f == "-")?;
            let point = PathBuf::from(unescape_mountinfo(fields.get(4)?));
            let fstype = *fields.get(dash + 1)?;
            let options = format!("{},{}", fields.get(5)?, fields.get(dash + 3).copied().unwrap_or(""));
            path.starts_with(&point).then_some((point, fstype, options))
        })
        // The deepest mount point holding the path; the last mounted where two are the same.
        .fold(None, |best: Option<(PathBuf, &str, String)>, m| match &best {
            Some((point, _, _)) if point.components().count() > m.0.components().count() => best,
            _ => Some(m),
        })?;
    let (point, fstype, options) = mount;
    let has = |option: &str| options.split(',').any(|o| o == option);
    let reason = match fstype {
        "nfs" | "nfs4" => ["nolock", "local_lock=flock", "local_lock=all"].into_iter().find(|o| has(o)),
        "cifs" | "smb3" => has("nobrl").then_some("nobrl"),
        "fuse.sshfs" => Some("no locks on the server (sshfs)"),
        _ => None,
    }?;
    Some(format!("{fstype} mounted with {reason} at {}", point.display()))
}

/// A mount point as `mountinfo` writes it, with `\040` for a space and the like, decoded.
fn unescape_mountinfo(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // `\ooo` with three octal digits of a byte (a larger number is kept as written).
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)))
            .and_then(|d| u8::try_from(d.iter().fold(0u32, |n, b| n * 8 + u32::from(b - b'0'))).ok());
        if let Some(byte) = octal {
            out.push(byte);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_waits_and_then_times_out_naming_the_lock_file() {
        let dir = tempfile::tempdir().unwrap();
        let held = WorkspaceLock::acquire_within(dir.path(), "history/a.jsonl", Duration::from_secs(1)).unwrap();
        let e = WorkspaceLock::acquire_within(dir.path(), "history/b.jsonl", Duration::from_millis(100)).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, LockError::Timeout { waited_s, .. } if waited_s >= 0.1), "{text}");
        assert!(text.contains(".headroom.lock") && text.contains("history/b.jsonl") && text.contains(TIMEOUT_ENV), "{text}");
        drop(held);
        assert!(WorkspaceLock::acquire_within(dir.path(), "history/b.jsonl", Duration::from_millis(100)).is_ok());
    }

    #[test]
    fn the_lock_file_keeps_a_cache_in_place_and_stays_one_file() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let lock = WorkspaceLock::acquire_within(dir.path(), "test", Duration::from_secs(1)).unwrap();
        let inode = std::fs::metadata(dir.path().join(LOCK_FILE)).unwrap().ino();
        assert_eq!(lock.cached_text().unwrap(), "");
        lock.set_cached_text("a longer text\n").unwrap();
        lock.set_cached_text("short\n").unwrap();
        drop(lock);
        let again = WorkspaceLock::acquire_within(dir.path(), "test", Duration::from_secs(1)).unwrap();
        assert_eq!(again.cached_text().unwrap(), "short\n");
        assert_eq!(std::fs::metadata(dir.path().join(LOCK_FILE)).unwrap().ino(), inode, "never replaced: waiters lock this file");
    }

    #[test]
    fn mounts_whose_locks_stay_on_this_machine_are_told_apart_from_those_whose_reach_the_server() {
        let mountinfo = "\
22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
40 22 0:50 / /mnt/team rw,relatime - nfs4 server:/team rw,vers=4.2,local_lock=none,addr=10.0.0.2
41 22 0:51 / /mnt/old rw,relatime - nfs server:/old rw,vers=3,nolock,local_lock=all
42 22 0:52 / /mnt/smb rw,relatime - cifs //srv/share rw,vers=3.1.1,nobrl
43 22 0:53 / /mnt/smb2 rw,relatime - cifs //srv/other rw,vers=3.1.1
44 22 0:54 / /home/me/remote\\040box rw,nosuid - fuse.sshfs me@box:/ rw,user_id=0
45 40 0:55 / /mnt/team/local rw - ext4 /dev/sdb1 rw
";
        let at = |p: &str| local_only_in(mountinfo, Path::new(p));
        assert_eq!(at("/home/me/work"), None);
        assert_eq!(at("/mnt/team/budgets"), None, "NFS locks reach the server");
        assert_eq!(at("/mnt/team/local/budgets"), None, "a local disk mounted inside the NFS share");
        assert_eq!(at("/mnt/old/budgets").as_deref(), Some("nfs mounted with nolock at /mnt/old"));
        assert_eq!(at("/mnt/smb/b").as_deref(), Some("cifs mounted with nobrl at /mnt/smb"));
        assert_eq!(at("/mnt/smb2/b"), None);
        assert_eq!(
            at("/home/me/remote box/ws").as_deref(),
            Some("fuse.sshfs mounted with no locks on the server (sshfs) at /home/me/remote box")
        );
        assert_eq!(at("/home/me/remote"), None);
        assert_eq!(unescape_mountinfo("/a\\777b\\011"), "/a\\777b\t", "not a byte: kept as written");
    }

    #[test]
    fn a_folder_that_does_not_exist_is_an_error_not_a_wait() {
        let dir = tempfile::tempdir().unwrap();
        let e = WorkspaceLock::acquire_within(&dir.path().join("missing"), "triage", Duration::from_secs(5)).unwrap_err();
        assert!(matches!(e, LockError::Open { .. }), "{e}");
    }
}
