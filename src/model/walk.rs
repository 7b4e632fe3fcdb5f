//! Walking a workspace's folders: every budget and history file, in name order, once, however
//! links lead to them, skipping hidden names and the folders of other records.

use std::path::{Path, PathBuf};

/// Folders at the workspace's root that hold other records than budgets and history.
pub(super) const RESERVED_FOLDERS: &[&str] = &["proposals", "ledger", "reports", "target"];

/// Whether a file's name is a budget's (or another YAML file's).
pub(super) fn is_budget_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// Whether a file's name is a history file's.
#[must_use]
pub fn is_history_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jsonl", ".ndjson", ".json", ".csv"].iter().any(|ext| lower.ends_with(ext))
}

/// How deep a workspace's folders are walked.
pub const MAX_DEPTH: usize = 32;

/// Calls `visit` with (path relative to the root, path) for every file a workspace reads, in name order.
///
/// Symbolic links are followed, but a folder is walked once however many links lead to it
/// (folders are known by device and inode), so a link to `.` or a cycle of links cannot make it
/// loop; and no deeper than [`MAX_DEPTH`].
pub(super) fn walk(root: &Path, dir: &Path, visit: &mut dyn FnMut(String, &Path)) -> std::io::Result<()> {
    let mut seen = std::collections::HashSet::new();
    walk_folder(root, dir, 0, &mut seen, visit)
}

fn walk_folder(
    root: &Path,
    dir: &Path,
    depth: usize,
    seen: &mut std::collections::HashSet<(u64, u64)>,
    visit: &mut dyn FnMut(String, &Path),
) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir)?;
    if depth > MAX_DEPTH || !seen.insert((meta.dev(), meta.ino())) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if path.is_dir() {
            if dir == root && RESERVED_FOLDERS.contains(&name.as_str()) {
                continue;
            }
            walk_folder(root, &path, depth + 1, seen, visit)?;
        } else if is_budget_file(&relative) || is_history_file(&relative) {
            visit(relative, &path);
        }
    }
    Ok(())
}
