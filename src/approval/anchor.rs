//! The ledger anchored outside itself: `headroom verify --base REV` compares the workspace with
//! the committed workspace of a base revision in git (the target branch of a pull request).
//!
//! A hash chain proves only that its entries follow one another; whoever can write the folder can
//! write a new chain (reset), drop its last entries with their files (rollback) or rewrite it.
//! What the base branch has committed cannot be changed by a pull request, so:
//!
//! ```text
//!  base (git show REV:…)          this workspace
//!  ledger lines 1..n     ──must be a prefix of──▶ ledger lines 1..n, n+1, …   (no reset, rollback, rewrite)
//!  no ledger             ──the start is new────▶ its start entry must carry governance sign-off
//!  history/*.jsonl|csv   ──must be a prefix of──▶ history files                (runs are only appended)
//!                        ──or, for .jsonl: lose only what `retention:` allows, each day's summary
//!                          here recomputed from the base's removed runs (crate::model::retention)
//!                        ──runs added since: none of the baseline branch, except
//!                          this checkout's own (not in HEAD) and summaries proven above
//! ```
//!
//! **Baseline poisoning.** The baseline of a check is the baseline branch's runs, so runs of that
//! branch added to the history by a change would move the baseline after it merges (slow runs
//! make a regression pass). Only the baseline branch's own CI adds them: it imports its run and
//! commits it after the job (the shipped jobs' "Keep the history"). So every run of the baseline
//! branch that the base lacks must be one this checkout has not committed: a row of a history file
//! that git reports as untracked or changed, after what `HEAD` has of it. A pull request cannot make
//! a row uncommitted in CI's checkout (what it brings, it commits), whatever run id it guesses, while
//! the job's own import on the baseline branch (a push to main: `--base` is main before the push) is
//! never committed before `verify` runs. A history file reached through a symbolic link is refused:
//! neither the base nor `HEAD` can be read at its path.
//!
//! `git` is run as a command (the one every CI runner has), never through a library.

use super::compact::{evidence_runs, history_files};
use super::error::ApprovalError;
use super::ledger::{Verification, verify_from};
use crate::model::config::{CONFIG_FILE, parse_config};
use crate::model::disk::{MAX_HISTORY_BYTES, MAX_TEXT_BYTES, read_text};
use crate::model::history_files::history_file_columns;
use crate::model::journal::JOURNAL_FILE;
use crate::model::retention::{Compacted, check_compaction};
use crate::model::source::CACHE_ROOT;
use crate::model::time::Timestamp;
use crate::model::walk::{MAX_DEPTH, is_history_file};
use crate::model::workspace::LEDGER_FILE;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the base revision holds of the workspace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Base {
    /// The revision as given, and the commit it names.
    pub revision: String,
    /// The commit's hash.
    pub commit: String,
    /// The base's ledger text, where it has one.
    pub ledger: Option<String>,
    /// The base's history files: path relative to the workspace, text.
    pub history: Vec<(String, String)>,
    /// The history files of this checkout that git reports as not committed (untracked, ignored or
    /// changed since `HEAD`): path relative to the workspace, and what `HEAD` has of it (`None`
    /// where `HEAD` lacks the file). A row after `HEAD`'s text is this checkout's own.
    pub uncommitted: BTreeMap<String, Option<String>>,
    /// Files under the history sources' cache ([`CACHE_ROOT`]) that `HEAD` commits and the base
    /// does not, or commits otherwise: path relative to the workspace.
    pub committed_cache: Vec<String>,
    /// Whether `HEAD` commits a journal ([`JOURNAL_FILE`]): every writing command (CI's import
    /// among them) finishes it before `verify` reads the workspace.
    pub committed_journal: bool,
}

/// [`super::ledger::verify_at`], and where a `base` (what the base revision committed, [`read_base`])
/// is given: its ledger must be a prefix of this one and its history files prefixes of these; a
/// ledger the base does not have must start with governance sign-off; and the signatures of every
/// entry the base does not have must hold now too (a key that expired since cannot have signed
/// an entry that only now appears).
///
/// `baseline_branch` is the branch whose runs make the checks' baseline (a pull request's target;
/// the workspace's `default_branch` where `None`): runs of it that the base lacks must be this
/// checkout's own, never committed by the change (see the module's doc).
#[must_use]
pub fn verify_against(dir: &Path, base: Option<&Base>, baseline_branch: Option<&str>, now: Timestamp) -> Verification {
    verify_from(dir, now, |v| base.map(|b| compare_with_base(dir, b, baseline_branch, v, now)))
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, ApprovalError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| ApprovalError::Git(format!("cannot run git (needed for --base): {e}")))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(ApprovalError::Git(format!("git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim())))
    }
}

fn git_text(dir: &Path, args: &[&str]) -> Result<String, ApprovalError> {
    git(dir, args).map(|b| String::from_utf8_lossy(&b).trim_end_matches('\n').to_owned())
}

/// Reads what `revision` has committed of the workspace in `dir` (which must be inside a git
/// work tree): its ledger and its history files.
pub fn read_base(dir: &Path, revision: &str) -> Result<Base, ApprovalError> {
    if revision.starts_with('-') {
        return Err(ApprovalError::Git(format!("`{revision}` is not a revision")));
    }
    let top = PathBuf::from(git_text(dir, &["rev-parse", "--show-toplevel"])?);
    let prefix = path_in_tree(dir, &top)?;
    let commit = git_text(dir, &["rev-parse", "--verify", "--end-of-options", &format!("{revision}^{{commit}}")])?;
    let path_in = |relative: &str| if prefix.is_empty() { relative.to_owned() } else { format!("{prefix}/{relative}") };
    let show_at = |rev: &str, relative: &str, limit: u64| -> Result<Option<String>, ApprovalError> {
        let spec = format!("{rev}:{}", path_in(relative));
        // `cat-file -e` tells a missing file from a failing git.
        if git(&top, &["cat-file", "-e", &spec]).is_err() {
            return Ok(None);
        }
        let size: u64 = git_text(&top, &["cat-file", "-s", &spec])?
            .parse()
            .map_err(|_| ApprovalError::Git(format!("git cat-file -s {spec}: not a size")))?;
        if size > limit {
            return Err(ApprovalError::Git(format!("{spec}: {size} bytes, over the limit of {limit} bytes for such a file")));
        }
        let bytes = git(&top, &["cat-file", "blob", &spec])?;
        String::from_utf8(bytes).map(Some).map_err(|_| ApprovalError::Git(format!("{spec}: not UTF-8 text")))
    };
    let show = |relative: &str, limit: u64| show_at(&commit, relative, limit);
    let ledger = show(LEDGER_FILE, MAX_TEXT_BYTES)?;
    let config = show(CONFIG_FILE, MAX_TEXT_BYTES)?
        .map(|text| {
            parse_config(CONFIG_FILE, &text).map_err(|e| ApprovalError::Git(format!("the base's {CONFIG_FILE} does not read: {}", e[0])))
        })
        .transpose()?
        .unwrap_or_default();
    let history_dir = config.history.trim_end_matches('/').to_owned();
    let listed = git_text(&top, &["ls-tree", "-r", "-z", "--name-only", &commit, "--", &path_in(&history_dir)])?;
    let mut history = Vec::new();
    for path in listed.split('\0').filter(|p| !p.is_empty()) {
        let relative = if prefix.is_empty() { path } else { path.strip_prefix(&format!("{prefix}/")).unwrap_or(path) };
        let lower = relative.to_ascii_lowercase();
        if [".jsonl", ".ndjson", ".json", ".csv"].iter().any(|ext| lower.ends_with(ext))
            && let Some(text) = show(relative, MAX_HISTORY_BYTES)?
        {
            history.push((relative.to_owned(), text));
        }
    }
    // What this checkout holds of its history beyond `HEAD`, in the folder the workspace reads
    // now (its own `headroom.yaml`'s, which the ledger proves).
    let here_dir = read_text(&dir.join(CONFIG_FILE), MAX_TEXT_BYTES)
        .ok()
        .and_then(|text| parse_config(CONFIG_FILE, &text).ok())
        .map_or(history_dir, |c| c.history.trim_end_matches('/').to_owned());
    // No optional locks: `verify` only reads, also in a checkout it may not write.
    let status = git(
        &top,
        &[
            "--no-optional-locks",
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--ignored",
            "--no-renames",
            "--",
            &path_in(&here_dir),
        ],
    )?;
    let mut uncommitted = BTreeMap::new();
    for entry in String::from_utf8_lossy(&status).split('\0') {
        // `XY PATH`: `??` untracked, `!!` ignored, else a tracked file's state in the index and here.
        let (Some(state), Some(path)) = (entry.get(..2), entry.get(3..)) else { continue };
        let relative = if prefix.is_empty() { path } else { path.strip_prefix(&format!("{prefix}/")).unwrap_or(path) };
        if !is_history_file(relative) || state.contains('D') {
            continue;
        }
        let head = if matches!(state, "??" | "!!") { Ok(None) } else { show_at("HEAD", relative, MAX_HISTORY_BYTES) };
        // What `HEAD` has of it that cannot be read leaves the file as committed: none of its rows
        // is this checkout's own.
        if let Ok(head) = head {
            uncommitted.insert(relative.to_owned(), head);
        }
    }
    // The cache of a live history source is read as the store's answers (runs of the baseline
    // branch) and is never committed: one committed since the base would poison it as the history's
    // runs would.
    let tree = |rev: &str| -> Result<BTreeSet<String>, ApprovalError> {
        let listed = git(&top, &["ls-tree", "-r", "-z", rev, "--", &path_in(CACHE_ROOT)])?;
        Ok(String::from_utf8_lossy(&listed).split('\0').filter(|e| !e.is_empty()).map(str::to_owned).collect())
    };
    let in_base = tree(&commit)?;
    let committed_cache = match tree("HEAD") {
        Ok(head) => head
            .difference(&in_base)
            .filter_map(|entry| entry.split_once('\t').map(|(_, path)| path))
            .map(|path| if prefix.is_empty() { path } else { path.strip_prefix(&format!("{prefix}/")).unwrap_or(path) }.to_owned())
            .collect(),
        // No `HEAD` (no commit yet): nothing committed.
        Err(_) => Vec::new(),
    };
    let committed_journal = git(&top, &["cat-file", "-e", &format!("HEAD:{}", path_in(JOURNAL_FILE))]).is_ok();
    Ok(Base { revision: revision.to_owned(), commit, ledger, history, uncommitted, committed_cache, committed_journal })
}

/// The path of the workspace `dir` inside the git work tree `top`, as the base revision is read
/// at it: the path as given, never where a symbolic link inside the work tree leads. A workspace
/// moved to another folder and linked from its old name would otherwise be compared with the base
/// at the new folder, where the base has nothing, so a rolled-back ledger (back to a signed start)
/// and edited runs passed as a new workspace. Such a link is refused, naming it.
fn path_in_tree(dir: &Path, top: &Path) -> Result<String, ApprovalError> {
    use std::path::Component;
    let canonical = |p: &Path| p.canonicalize().map_err(|e| ApprovalError::Git(format!("cannot resolve {}: {e}", p.display())));
    let top = canonical(top)?;
    // A relative path from the shell's own idea of the current folder (`$PWD`, which keeps the
    // links it went through), where that is the current folder: after `cd budgets`, a link,
    // `verify .` is the link's path, not the folder it leads to.
    let shell_folder = std::env::var_os("PWD")
        .map(PathBuf::from)
        .filter(|pwd| pwd.is_absolute() && pwd.canonicalize().ok() == std::env::current_dir().ok().and_then(|c| c.canonicalize().ok()));
    let given = match shell_folder {
        Some(pwd) if dir.is_relative() => pwd.join(dir),
        _ => std::path::absolute(dir).map_err(|e| ApprovalError::Git(format!("cannot resolve {}: {e}", dir.display())))?,
    };
    // The farthest folder above (or at) the workspace, as given, that is the work tree's top (the
    // top itself may be reached through links outside it; a link inside it to the top, such as
    // `budgets -> .`, is then a part below, and refused).
    let outside = given
        .ancestors()
        .filter(|a| a.canonicalize().is_ok_and(|c| c == top))
        .last()
        .ok_or_else(|| ApprovalError::Git(format!("{} is not inside the git work tree {}", dir.display(), top.display())))?;
    let mut parts: Vec<String> = Vec::new();
    let mut at = top.clone();
    for component in given.strip_prefix(outside).unwrap_or(Path::new("")).components() {
        match component {
            Component::Normal(name) => {
                at.push(name);
                if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
                    let target = std::fs::read_link(&at).map(|t| t.display().to_string()).unwrap_or_default();
                    return Err(ApprovalError::Git(format!(
                        "{} is a symbolic link (to {target}) inside the repository: `verify --base` reads the base revision at the workspace's own path, so give the folder itself",
                        at.strip_prefix(&top).unwrap_or(&at).display()
                    )));
                }
                parts.push(name.to_string_lossy().into_owned());
            }
            Component::ParentDir => {
                // Every part so far is a folder of the work tree (no link), so `..` is its parent.
                if parts.pop().is_none() {
                    return Err(ApprovalError::Git(format!("{} is not inside the git work tree {}", dir.display(), top.display())));
                }
                at.pop();
            }
            _ => {}
        }
    }
    Ok(parts.join("/"))
}

/// Compares the workspace in `dir` with its base: the base's ledger must be a prefix of this one
/// and every history file of the base a prefix of the file here, or that file after a compaction
/// that this workspace's `retention:` allows at `now` ([`check_compaction`]). Adds what holds and what does
/// not to `v`, and returns the index of the first ledger entry the base does not have (0 where
/// the base has no ledger: then the start itself is new, and must carry governance sign-off).
///
/// Then every run of `baseline_branch` (the workspace's `default_branch` where `None`) that the
/// base lacks must be this checkout's own or a summary the compaction proved
/// ([`baseline_runs_added`]).
pub fn compare_with_base(dir: &Path, base: &Base, baseline_branch: Option<&str>, v: &mut Verification, now: Timestamp) -> usize {
    let short = &base.commit[..base.commit.len().min(12)];
    let here = read_text(&dir.join(LEDGER_FILE), MAX_TEXT_BYTES).unwrap_or_default();
    let lines = |t: &str| t.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect::<Vec<_>>();
    let (theirs, ours) = (base.ledger.as_deref().map(lines).unwrap_or_default(), lines(&here));
    let mut new_from = 0;
    if theirs.is_empty() {
        v.proven.push(format!("the base {} ({short}) has no ledger: this change starts it", base.revision));
    } else {
        match theirs.iter().zip(&ours).position(|(a, b)| a != b) {
            Some(i) => v.problems.push(format!(
                "{LEDGER_FILE}:{}: differs from the base {} ({short}): the committed ledger was rewritten or reset",
                i + 1,
                base.revision
            )),
            None if ours.len() < theirs.len() => v.problems.push(format!(
                "{LEDGER_FILE}: has {} entries, the base {} ({short}) has {}: entries were removed (a rollback)",
                ours.len(),
                base.revision,
                theirs.len()
            )),
            None => {
                new_from = theirs.len();
                v.proven.push(format!(
                    "the base {} ({short}): its {} ledger entries are unchanged here; {} new",
                    base.revision,
                    theirs.len(),
                    ours.len() - theirs.len()
                ));
            }
        }
    }
    let mut grown = 0;
    let mut changed = Vec::new();
    for (name, old) in &base.history {
        match read_text(&dir.join(name), MAX_HISTORY_BYTES) {
            Ok(now) if grew_by_lines(old, &now) => grown += 1,
            Ok(_) if name.to_ascii_lowercase().ends_with(".jsonl") => changed.push((name.clone(), old.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && name.to_ascii_lowercase().ends_with(".jsonl") => {
                changed.push((name.clone(), old.clone()));
            }
            Ok(_) => v
                .problems
                .push(format!("{name}: runs the base {} ({short}) has were edited or removed (history only grows)", base.revision)),
            Err(e) => v.problems.push(format!("{name}: the base {} ({short}) has it, here it cannot be read: {e}", base.revision)),
        }
    }
    if !base.history.is_empty() {
        v.proven.push(format!("{grown} history files of the base only grew"));
    }
    let mut summaries = BTreeSet::new();
    if !changed.is_empty() {
        // Every .jsonl file of the base, so a day summarized while some of its runs stayed in an
        // unchanged file is found.
        let jsonl: Vec<(String, String)> =
            base.history.iter().filter(|(n, _)| n.to_ascii_lowercase().ends_with(".jsonl")).cloned().collect();
        match compacted_from(dir, &jsonl, now) {
            Ok(compacted) => {
                v.proven.push(format!(
                    "{} history files of the base lost {} runs to a compaction that the retention policy allows, each day's summary recomputed from the base's runs",
                    changed.len(),
                    compacted.removed
                ));
                summaries = compacted.summaries;
            }
            Err(problems) => v.problems.extend(problems.into_iter().map(|p| format!("{p} (against the base {} ({short}))", base.revision))),
        }
    }
    if base.committed_journal {
        v.problems.push(format!(
            "{JOURNAL_FILE} is committed: every writing command (CI's import too) finishes a journal before `verify` runs, so what it writes (history, a summary) would read as this checkout's own, and the contract's files as edited by hand; a journal is never committed"
        ));
    }
    for path in &base.committed_cache {
        v.problems.push(format!(
            "{path}: a history source's cache committed since the base {} ({short}): it is read as the store's answers, so it is rebuilt from the store and never committed",
            base.revision
        ));
    }
    let config =
        read_text(&dir.join(CONFIG_FILE), MAX_TEXT_BYTES).ok().and_then(|t| parse_config(CONFIG_FILE, &t).ok()).unwrap_or_default();
    let branch = baseline_branch.map_or(config.default_branch.clone(), str::to_owned);
    match baseline_runs_added(dir, config.history.trim_end_matches('/'), base, &branch, &summaries) {
        Ok(own) => v.proven.push(format!(
            "no run of the baseline branch `{branch}` was added since the base{}",
            if own == 0 { String::new() } else { format!(" but {own} of this checkout's own, not committed (its CI's import)") }
        )),
        Err(problems) => v.problems.extend(problems.into_iter().map(|p| format!("{p} (against the base {} ({short}))", base.revision))),
    }
    new_from
}

/// At most this many runs of the baseline branch added are named one by one.
const NAMED_ADDED_RUNS: usize = 20;

/// The runs of `branch` in the history files here (in `history_dir`, read as the workspace reads
/// them) that the base lacks: each must be in a summary file that the compaction proved
/// (`summaries`) or this checkout's own, a row after what `HEAD` has of its file. Returns how many
/// are this checkout's own, or a problem for each other one (file, line, run id), and for each
/// symbolic link in the history.
fn baseline_runs_added(
    dir: &Path,
    history_dir: &str,
    base: &Base,
    branch: &str,
    summaries: &BTreeSet<String>,
) -> Result<usize, Vec<String>> {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    history_files_here(dir, history_dir, 0, &mut files, &mut problems);
    let base_texts: BTreeMap<&str, &str> = base.history.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let (mut own, mut added) = (0, 0);
    for relative in files {
        // A file that cannot be read or does not read as history gives the workspace none of its
        // runs (it loads whole or not at all), and the check fails on it: nothing to tell here.
        let Ok(text) = read_text(&dir.join(&relative), MAX_HISTORY_BYTES) else { continue };
        let in_base = base_texts.get(relative.as_str()).copied();
        if in_base == Some(text.as_str()) || summaries.contains(&relative) {
            continue;
        }
        let Ok(columns) = history_file_columns(&relative, &text) else { continue };
        let lines: Vec<&str> = text.lines().collect();
        let since_base = Rows::since(in_base, &text, true);
        // A file git does not report is committed as it is: none of its rows is this checkout's own.
        let since_head = base.uncommitted.get(&relative).map_or(Rows::Nothing, |head| Rows::since(head.as_deref(), &text, false));
        for run in columns.runs.iter().filter(|r| r.branch == Some(branch)) {
            let line = lines.get((run.line as usize).saturating_sub(1)).copied().unwrap_or_default();
            if !since_base.holds(run.line, line) {
                continue;
            }
            if since_head.holds(run.line, line) {
                own += 1;
                continue;
            }
            added += 1;
            if added <= NAMED_ADDED_RUNS {
                problems.push(format!(
                    "{relative}:{}: run `{}` of the baseline branch `{branch}` was added since the base: runs of the baseline branch come only from its own CI (a change's runs go under its own branch)",
                    run.line, run.id
                ));
            }
        }
    }
    if added > NAMED_ADDED_RUNS {
        problems.push(format!("and {} more runs of the baseline branch `{branch}` added since the base", added - NAMED_ADDED_RUNS));
    }
    if problems.is_empty() { Ok(own) } else { Err(problems) }
}

/// The rows of a history file that an older text of it (the base's, `HEAD`'s) does not have.
enum Rows<'a> {
    /// Every row: the older text has no such file.
    All,
    /// The rows after the older text's lines: the file grew from it.
    After(usize),
    /// The lines the older text does not hold (a `.jsonl` file compacted since; the compaction's
    /// own check says whether that was allowed).
    Except(BTreeSet<&'a str>),
    /// None.
    Nothing,
}

impl<'a> Rows<'a> {
    /// The rows of `now` that `older` lacks: those after it where `now` grew from it by lines,
    /// else (where `compacted` may have removed lines) the lines it does not hold, else none.
    fn since(older: Option<&'a str>, now: &str, compacted: bool) -> Rows<'a> {
        match older {
            None => Rows::All,
            Some(old) if grew_by_lines(old, now) => Rows::After(old.lines().count()),
            Some(old) if compacted => Rows::Except(old.lines().collect()),
            Some(_) => Rows::Nothing,
        }
    }

    /// Whether the row starting at `line` (1-based), whose text is `text`, is new.
    fn holds(&self, line: u32, text: &str) -> bool {
        match self {
            Rows::All => true,
            Rows::After(lines) => line as usize > *lines,
            Rows::Except(old) => !old.contains(text),
            Rows::Nothing => false,
        }
    }
}

/// The history files in `relative` (a folder of `dir`), as the workspace reads them (hidden names
/// skipped, at most [`MAX_DEPTH`] folders deep); a symbolic link is a problem of its own.
fn history_files_here(dir: &Path, relative: &str, depth: usize, out: &mut Vec<String>, problems: &mut Vec<String>) {
    let folder = dir.join(relative);
    match std::fs::symlink_metadata(&folder) {
        Ok(m) if m.file_type().is_symlink() => {
            problems.push(format!(
                "{relative} is a symbolic link: `verify --base` compares the history with the files git committed at its path, which a link leaves out"
            ));
            return;
        }
        Ok(m) if m.is_dir() && depth <= MAX_DEPTH => {}
        _ => return,
    }
    let Ok(entries) = std::fs::read_dir(&folder) else { return };
    let mut names = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        match entry.file_name().into_string() {
            Ok(name) => names.push(name),
            // The workspace reads it (by its own name), but neither the base nor `HEAD` can be
            // read at a name that is not UTF-8 text.
            Err(name) => problems.push(format!(
                "{relative}/{}: a name that is not UTF-8, which `verify --base` cannot compare with what git committed",
                name.to_string_lossy()
            )),
        }
    }
    names.sort();
    for name in names.into_iter().filter(|n| !n.starts_with('.')) {
        let path = format!("{relative}/{name}");
        match std::fs::symlink_metadata(dir.join(&path)) {
            Ok(m) if m.file_type().is_symlink() && (is_history_file(&name) || dir.join(&path).is_dir()) => problems.push(format!(
                "{path} is a symbolic link: `verify --base` compares the history with the files git committed at its path, which a link leaves out"
            )),
            Ok(m) if m.is_dir() => history_files_here(dir, &path, depth + 1, out, problems),
            Ok(_) if is_history_file(&name) => out.push(path),
            _ => {}
        }
    }
}

/// Whether `now` is `old` with whole lines after it: `old` a prefix of `now` that ends at a line's
/// end. A base file whose last line has no line break would otherwise take characters on that
/// line: a CSV row's last cell `2` (ms) read as `29`, a run of the base edited.
fn grew_by_lines(old: &str, now: &str) -> bool {
    let Some(added) = now.strip_prefix(old) else { return false };
    old.is_empty() || old.ends_with('\n') || added.is_empty() || added.starts_with('\n') || added.starts_with("\r\n")
}

/// Whether the base's history files `changed` became the files here through a compaction only
/// (and appended runs): see [`check_compaction`]. Returns what it removed and the summaries it proved.
fn compacted_from(dir: &Path, changed: &[(String, String)], now: Timestamp) -> Result<Compacted, Vec<String>> {
    let config_text = read_text(&dir.join(CONFIG_FILE), MAX_TEXT_BYTES).unwrap_or_default();
    let config = parse_config(CONFIG_FILE, &config_text).map_err(|e| vec![e[0].to_string()])?;
    let history_dir = config.history.trim_end_matches('/');
    let here: BTreeMap<String, String> = history_files(dir, history_dir).map_err(|e| vec![e.to_string()])?.into_iter().collect();
    let evidence = evidence_runs(dir).map_err(|e| vec![e.to_string()])?;
    check_compaction(history_dir, changed, &here, &evidence, config.retention, now)
}
