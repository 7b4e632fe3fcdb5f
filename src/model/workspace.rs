//! A workspace: a folder of budget files, its optional `headroom.yaml`, and its `history/`.
//!
//! Loading never stops at the first bad file: every file that parses is kept, and every
//! error is listed in [`Workspace::errors`], so the app and the CLI can show the rest.

use super::budget::{Budget, parse_budget_file};
use super::columns::FileColumns;
use super::columns::{parse_in_parallel, threads_each};
use super::config::{CONFIG_FILE, Config, parse_config};
use super::conflict::{merge_conflict, merge_conflicts_in_reserved_folders};
use super::disk::{MAX_HISTORY_BYTES, MAX_TEXT_BYTES, read_text, readable_size};
use super::error::{LoadError, did_you_mean_hint};
use super::history::History;
use super::history_files::history_file_columns_on;
use super::measures::{Resolution, resolve};
use super::source::{HistorySource, LiveHistory, SourceState};
use super::triage::{TRIAGE_FILE, Triage, is_review_record, is_triage_record, parse_record, parse_review, parse_triage};
use super::walk::{is_budget_file, is_history_file, walk};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The ledger of applied proposals (read and written by `approval::ledger`). A workspace with one
/// has a signed contract, and its contract files change only through proposals.
pub const LEDGER_FILE: &str = "ledger/ledger.jsonl";

/// The approval policy (read by `approval::policy`, never as budgets).
pub const POLICY_FILE: &str = "approval.yaml";

/// A loaded workspace.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// Where it was loaded from, as shown to people.
    pub root: String,
    /// The example built into the binary, which cannot be saved.
    pub read_only: bool,
    /// Its settings.
    pub config: Config,
    /// Every budget, group and allocation of every file that loaded, in file order.
    pub budgets: Vec<Budget>,
    /// The budget files that loaded, relative to the root.
    pub budget_files: Vec<String>,
    /// The history files that loaded, relative to the root.
    pub history_files: Vec<String>,
    /// The history files that did not load, relative to the root: a file loads whole or not at
    /// all, so none of their runs is in `history` (`errors` says why, by line and field).
    pub unloaded_history: Vec<String>,
    /// The runs and series.
    pub history: History,
    /// The team's triage of the engine's findings (`triage.yaml`).
    pub triage: Triage,
    /// What measures each budget whose metric the history does not hold by its own name, or that
    /// `metrics:` maps; the history holds each measured budget's series under its metric.
    pub measures: BTreeMap<String, Resolution>,
    /// Every problem found, by file.
    pub errors: Vec<LoadError>,
    /// The budget files that did not load, with the budgets they name as far as their text tells
    /// (a file loads whole or not at all, so each of these budgets is unchecked).
    pub unloaded: Vec<UnloadedFile>,
    /// How the live history source stood at load time, where `headroom.yaml` names one and it
    /// was read ([`Workspace::load_with_source`]).
    pub history_source: Option<SourceState>,
}

/// What reads a workspace's live history source, given its settings and budgets: the import
/// layer's (the model does no network I/O).
pub type SourceReader<'r> = &'r mut dyn FnMut(&HistorySource, &Config, &[Budget]) -> LiveHistory;

/// A budget file that did not load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnloadedFile {
    /// The file, relative to the root.
    pub file: String,
    /// The budgets it names.
    pub budgets: crate::model::budget::NamedBudgets,
}

/// The workspace folder meant by `dir`: `dir` itself, or where `dir` is a project folder (no
/// `history/` nor `headroom.yaml` of its own) holding a `budgets/` folder, that one. A new user
/// opened the project folder: its budget files were found (in `budgets/`), its history was not
/// (`budgets/history/`), and every budget read "the history has no runs".
#[must_use]
pub fn workspace_folder(dir: &Path) -> std::path::PathBuf {
    let inner = dir.join("budgets");
    if !dir.join("history").exists() && !dir.join("headroom.yaml").exists() && inner.is_dir() { inner } else { dir.to_owned() }
}

/// Folders of a workspace that hold no budgets.
impl Workspace {
    /// Loads the workspace in `dir`. Fails only where the folder itself cannot be read.
    pub fn load(dir: &Path) -> std::io::Result<Workspace> {
        Workspace::load_with_progress(dir, &mut |_, _| {})
    }

    /// [`Workspace::load`], telling `progress` how far it is (0 to 1, by bytes parsed) and which file it reads.
    pub fn load_with_progress(dir: &Path, progress: &mut dyn FnMut(f32, &str)) -> std::io::Result<Workspace> {
        Workspace::load_with_source(dir, progress, None)
    }

    /// [`Workspace::load_with_progress`], with the history of `headroom.yaml`'s `history_source:`
    /// read by `source` (after the settings and budgets, whose queries it needs) and merged with
    /// the files'. Without a reader, or without a `history_source:`, only the files are read.
    pub fn load_with_source(
        dir: &Path,
        progress: &mut dyn FnMut(f32, &str),
        source: Option<SourceReader<'_>>,
    ) -> std::io::Result<Workspace> {
        if !dir.is_dir() {
            return Err(std::io::Error::new(std::io::ErrorKind::NotFound, format!("{} is not a folder", dir.display())));
        }
        let mut files = Vec::new();
        let mut history_files = Vec::new();
        let mut unreadable = Vec::new();
        progress(0.0, "reading files");
        collect_files(dir, dir, &mut files, &mut history_files, &mut unreadable)?;
        let mut workspace = Workspace::from_sources(&dir.display().to_string(), &files, &history_files, progress, source);
        let history_prefix = format!("{}/", workspace.config.history.trim_end_matches('/'));
        for e in unreadable.iter().filter(|e| e.file.starts_with(&history_prefix) && is_history_file(&e.file)) {
            workspace.unloaded_history.push(e.file.clone());
        }
        workspace.errors.extend(unreadable);
        workspace.errors.extend(merge_conflicts_in_reserved_folders(dir));
        Ok(workspace)
    }

    /// Builds a workspace from files given as (path relative to the root, text).
    #[must_use]
    pub fn from_files(root: &str, files: &[(String, String)]) -> Workspace {
        Workspace::from_files_with_progress(root, files, &mut |_, _| {})
    }

    /// [`Workspace::from_files`], telling `progress` how far it is by bytes parsed.
    #[must_use]
    pub fn from_files_with_progress(root: &str, files: &[(String, String)], progress: &mut dyn FnMut(f32, &str)) -> Workspace {
        Workspace::from_sources(root, files, &[], progress, None)
    }

    /// [`Workspace::from_files_with_progress`], with the live source's history read by `source`.
    #[cfg(test)]
    fn from_files_with_source(
        root: &str,
        files: &[(String, String)],
        progress: &mut dyn FnMut(f32, &str),
        source: Option<SourceReader<'_>>,
    ) -> Workspace {
        Workspace::from_sources(root, files, &[], progress, source)
    }

    /// [`Workspace::from_files_with_progress`] with history files not read yet, as (path relative
    /// to the root, path, size): each is read on the thread that parses it, and its text let go
    /// once parsed, so a history of many files is never in memory as text all at once. With
    /// `source`, the live source's history is read once the settings and budgets are known; a run
    /// the files already hold (same environment and id, such as one `headroom import prometheus`
    /// wrote) is taken from the files, not twice.
    fn from_sources(
        root: &str,
        texts: &[(String, String)],
        unread: &[UnreadFile],
        progress: &mut dyn FnMut(f32, &str),
        source: Option<SourceReader<'_>>,
    ) -> Workspace {
        let mut workspace = Workspace { root: root.to_owned(), ..Workspace::default() };
        if let Some((name, text)) = texts.iter().find(|(name, _)| name == CONFIG_FILE) {
            match merge_conflict(name, text).map_or_else(|| parse_config(name, text), |e| Err(vec![e])) {
                Ok(config) => workspace.config = config,
                Err(errors) => workspace.errors.extend(errors),
            }
        }
        let history_prefix = format!("{}/", workspace.config.history.trim_end_matches('/'));
        let (read_now, deferred) = read_outside(unread, &history_prefix, &mut workspace.errors);
        let mut sorted: Vec<&(String, String)> = texts.iter().chain(&read_now).collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let text_bytes = sorted.iter().map(|(_, text)| text.len() as u64).sum::<u64>();
        let total_bytes = (text_bytes + deferred.iter().map(|f| f.size).sum::<u64>()).max(1) as f32;
        let mut done_bytes = 0u64;
        let mut history_texts: Vec<(&str, HistoryText<'_>)> = Vec::new();
        let mut records = Vec::new();
        let mut reviews = Vec::new();
        for (name, text) in sorted {
            progress(done_bytes as f32 / total_bytes, &format!("reading {name}"));
            if !(name.starts_with(&history_prefix) && is_history_file(name)) {
                // History files count when they are parsed, below.
                done_bytes += text.len() as u64;
            }
            if name == CONFIG_FILE {
                continue;
            }
            if let Some(e) = merge_conflict(name, text) {
                workspace.errors.push(e);
                if name.starts_with(&history_prefix) && is_history_file(name) {
                    workspace.unloaded_history.push(name.clone());
                }
                if is_budget_file(name)
                    && !name.starts_with(&history_prefix)
                    && name != POLICY_FILE
                    && name != TRIAGE_FILE
                    && !is_triage_record(name)
                    && !is_review_record(name)
                {
                    workspace.unloaded.push(UnloadedFile { file: name.clone(), budgets: crate::model::budget::budgets_named_in(text) });
                }
                continue;
            }
            if name == POLICY_FILE {
                // The approval policy: `headroom verify` and the proposal commands read it.
                continue;
            }
            if name == TRIAGE_FILE {
                match parse_triage(name, text) {
                    Ok(triage) => workspace.triage = triage,
                    Err(errors) => workspace.errors.extend(errors),
                }
                continue;
            }
            if is_triage_record(name) {
                match parse_record(name, text) {
                    Ok(record) => records.push(record),
                    Err(errors) => workspace.errors.extend(errors),
                }
                continue;
            }
            if is_review_record(name) {
                match parse_review(name, text) {
                    Ok(day) => reviews.push(day),
                    Err(errors) => workspace.errors.extend(errors),
                }
                continue;
            }
            if name.starts_with(&history_prefix) {
                if is_history_file(name) {
                    history_texts.push((name, HistoryText::Read(text)));
                }
            } else if is_budget_file(name) {
                workspace.add_budget_file(name, text);
            }
        }
        // A finding's own record is newer than its entry in `triage.yaml` (written by older versions).
        workspace.triage.entries.extend(records);
        workspace.triage.last_review = workspace.triage.last_review.into_iter().chain(reviews).max();
        workspace.check_budget_names();
        // History files parse in parallel, each into its own columns, in the order of their names
        // and then the live source's; a file loads whole or not at all.
        history_texts.extend(deferred.iter().map(|f| (f.relative.as_str(), HistoryText::Unread(&f.path, f.size))));
        history_texts.sort_by(|a, b| a.0.cmp(b.0));
        let local_files = history_texts.len();
        let live = workspace.read_source(source, &mut |what| progress(done_bytes as f32 / total_bytes, what));
        history_texts.extend(live.iter().map(|(name, text)| (name.as_str(), HistoryText::Read(text.as_str()))));
        let threads = threads_each(history_texts.len());
        let parsed = parse_in_parallel(&history_texts, |(name, text)| text.columns(name, threads), &mut |i| {
            let (name, text) = &history_texts[i];
            done_bytes += text.size();
            progress(done_bytes as f32 / total_bytes, &format!("read {name}"));
        });
        let names: Vec<&str> = history_texts.iter().map(|(name, _)| *name).collect();
        let columns = workspace.keep_parsed(&names, parsed, local_files);
        progress(1.0, "indexing the history");
        workspace.index_history(columns);
        workspace
    }

    /// The columns of the history files that parsed (`names[i]` gave `parsed[i]`; the first
    /// `local_files` are the workspace's files, the rest the live source's, whose runs the files
    /// hold already are dropped), noting each local file as loaded or not and keeping the errors.
    fn keep_parsed(&mut self, names: &[&str], parsed: Vec<Result<FileColumns, Vec<LoadError>>>, local_files: usize) -> Vec<FileColumns> {
        let mut columns = Vec::with_capacity(parsed.len());
        let mut live_columns = Vec::new();
        for (i, (name, result)) in names.iter().zip(parsed).enumerate() {
            match result {
                Ok(c) if i >= local_files => live_columns.push(c),
                Ok(c) => {
                    columns.push(c);
                    self.history_files.push((*name).to_owned());
                }
                Err(errors) => {
                    if i < local_files {
                        self.unloaded_history.push((*name).to_owned());
                    }
                    self.errors.extend(errors);
                }
            }
        }
        columns.extend(without_local_runs(&columns, live_columns));
        columns
    }

    /// Lists each budget that `headroom.yaml`'s `check.budgets` names and no file defines.
    fn check_budget_names(&mut self) {
        for (id, pos) in &self.config.check_positions {
            if self.budget(id).is_none() {
                let hint = did_you_mean_hint(id, self.budgets.iter().map(|b| b.id.as_str()));
                self.errors.push(LoadError::new(CONFIG_FILE, *pos, format!("check.budgets.{id}"), format!("no budget `{id}`{hint}")));
            }
        }
    }

    /// The history of the parsed files' columns, with each budget's measured series resolved.
    fn index_history(&mut self, columns: Vec<FileColumns>) {
        // A history's number without a unit is in the unit of the budget of its metric: known
        // here, so runs that say their unit and runs that do not convert alike (where two budgets
        // of one metric disagree on the unit, it is not known, and such a mix is an error).
        let mut bare_units: BTreeMap<String, Option<super::units::Unit>> = BTreeMap::new();
        for b in self.budgets.iter().filter(|b| b.kind == super::budget::BudgetKind::Metric) {
            let unit = bare_units.entry(b.metric.clone()).or_insert_with(|| Some(b.unit.clone()));
            if unit.as_ref().is_some_and(|u| *u != b.unit) {
                *unit = None;
            }
        }
        let bare_units = bare_units.into_iter().filter_map(|(metric, unit)| Some((metric, unit?))).collect();
        let (mut history, errors) = History::from_columns_in_units(columns, &bare_units);
        self.errors.extend(errors);
        let (measures, errors) = resolve(&self.budgets, &self.config, &mut history);
        self.history = history;
        self.measures = measures;
        self.errors.extend(errors);
    }

    /// Reads `headroom.yaml`'s `history_source:` with `source`, where both are there: keeps its
    /// errors and state, and gives its files (path, JSON Lines text).
    fn read_source(&mut self, source: Option<SourceReader<'_>>, progress: &mut dyn FnMut(&str)) -> Vec<(String, String)> {
        let (Some(read), Some(settings)) = (source, &self.config.history_source) else {
            return Vec::new();
        };
        progress(&format!("reading the history source {}", settings.url));
        let live = read(settings, &self.config, &self.budgets);
        self.errors.extend(live.errors);
        self.history_source = live.state;
        live.files
    }

    fn add_budget_file(&mut self, name: &str, text: &str) {
        let budgets = match parse_budget_file(name, text) {
            Ok(b) => b,
            Err(errors) => {
                self.errors.extend(errors);
                self.unloaded.push(UnloadedFile { file: name.to_owned(), budgets: crate::model::budget::budgets_named_in(text) });
                return;
            }
        };
        let mut errors = Vec::new();
        for b in &budgets {
            if let Some(other) = self.budgets.iter().find(|o| o.id == b.id) {
                errors.push(LoadError::new(
                    name,
                    b.pos,
                    &b.id,
                    format!("the budget `{}` is already defined in {}:{}", b.id, other.file, other.pos.line),
                ));
            }
            if !self.config.environments.is_empty() {
                for (env, over) in &b.environments {
                    if !self.config.environments.contains(env) {
                        let hint = did_you_mean_hint(env, self.config.environments.iter().map(String::as_str));
                        errors.push(LoadError::new(
                            name,
                            over.pos,
                            format!("{}.environments.{env}", b.id),
                            format!("unknown environment `{env}` (headroom.yaml lists {}){hint}", self.config.environments.join(", ")),
                        ));
                    }
                }
            }
        }
        if !errors.is_empty() {
            self.errors.extend(errors);
            let ids: Vec<String> = budgets.iter().filter(|b| b.is_checked()).map(|b| b.id.clone()).collect();
            self.unloaded
                .push(UnloadedFile { file: name.to_owned(), budgets: crate::model::budget::NamedBudgets { count: ids.len(), ids } });
            return;
        }
        let offset = self.budgets.len();
        self.budgets.extend(budgets.into_iter().map(|mut b| {
            b.parent = b.parent.map(|p| p + offset);
            b.children.iter_mut().for_each(|c| *c += offset);
            b
        }));
        self.budget_files.push(name.to_owned());
    }

    /// The budget with this id.
    #[must_use]
    pub fn budget(&self, id: &str) -> Option<&Budget> {
        self.budget_index(id).map(|i| &self.budgets[i])
    }

    /// The index in [`Workspace::budgets`] of the budget with this id.
    #[must_use]
    pub fn budget_index(&self, id: &str) -> Option<usize> {
        self.budgets.iter().position(|b| b.id == id)
    }

    /// The top-level budgets of one file, in order.
    pub fn roots_of<'a>(&'a self, file: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.budgets.iter().enumerate().filter(move |(_, b)| b.file == file && b.parent.is_none()).map(|(i, _)| i)
    }
}

/// The live source's columns without the runs that the files already hold (same environment and
/// id): those are the files'. Only the live runs' ids are hashed, so a large local history costs
/// one pass over its runs.
fn without_local_runs(local: &[FileColumns], live: Vec<FileColumns>) -> Vec<FileColumns> {
    use std::collections::HashSet;
    if live.is_empty() || local.is_empty() {
        return live;
    }
    let live_ids: HashSet<(Option<String>, String)> =
        live.iter().flat_map(|c| c.runs.iter().map(|r| (r.environment.map(str::to_owned), r.id.to_owned()))).collect();
    let bare_ids: HashSet<&str> = live_ids.iter().map(|(_, id)| id.as_str()).collect();
    let mut known: HashSet<(Option<String>, String)> = HashSet::new();
    for c in local {
        for r in c.runs.iter().filter(|r| bare_ids.contains(r.id)) {
            let key = (r.environment.map(str::to_owned), r.id.to_owned());
            if live_ids.contains(&key) {
                known.insert(key);
            }
        }
    }
    if known.is_empty() {
        return live;
    }
    live.into_iter()
        .map(|c| {
            let mut kept = FileColumns::default();
            for s in c.into_snapshots() {
                if !known.contains(&(s.run.environment.clone(), s.run.id.clone())) {
                    kept.push_snapshot(s);
                }
            }
            kept
        })
        .collect()
}

/// The unread files outside the history folder read now, as every other file is, and the
/// history folder's left to read as they are parsed.
fn read_outside<'u>(
    unread: &'u [UnreadFile],
    history_prefix: &str,
    errors: &mut Vec<LoadError>,
) -> (Vec<(String, String)>, Vec<&'u UnreadFile>) {
    let mut read_now = Vec::new();
    let mut deferred = Vec::new();
    for file in unread {
        if file.relative.starts_with(history_prefix) {
            deferred.push(file);
        } else {
            match read_text(&file.path, MAX_HISTORY_BYTES) {
                Ok(text) => read_now.push((file.relative.clone(), text)),
                Err(e) => errors.push(LoadError::whole_file(&file.relative, format!("cannot be read: {e}"))),
            }
        }
    }
    (read_now, deferred)
}

/// A history file found but not read yet.
struct UnreadFile {
    relative: String,
    path: PathBuf,
    size: u64,
}

/// A history file's text, or where to read it.
enum HistoryText<'a> {
    Read(&'a str),
    Unread(&'a Path, u64),
}

impl HistoryText<'_> {
    fn size(&self) -> u64 {
        match self {
            HistoryText::Read(text) => text.len() as u64,
            HistoryText::Unread(_, size) => *size,
        }
    }

    /// The file's columns: read (where not read yet) and parsed on up to `threads` threads; its
    /// text let go when done.
    fn columns(&self, name: &str, threads: usize) -> Result<FileColumns, Vec<LoadError>> {
        match self {
            HistoryText::Read(text) => history_file_columns_on(name, text, threads),
            HistoryText::Unread(path, _) => {
                let text =
                    read_text(path, MAX_HISTORY_BYTES).map_err(|e| vec![LoadError::whole_file(name, format!("cannot be read: {e}"))])?;
                if let Some(e) = merge_conflict(name, &text) {
                    return Err(vec![e]);
                }
                history_file_columns_on(name, &text, threads)
            }
        }
    }
}

/// Reads every file of the workspace into `out`, except history files (by their name), which
/// are only checked for their size and listed in `history`.
fn collect_files(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, String)>,
    history: &mut Vec<UnreadFile>,
    unreadable: &mut Vec<LoadError>,
) -> std::io::Result<()> {
    walk(root, dir, &mut |relative, path| {
        if is_history_file(&relative) {
            match readable_size(path, MAX_HISTORY_BYTES) {
                Ok(size) => history.push(UnreadFile { relative, path: path.to_path_buf(), size }),
                Err(e) => unreadable.push(LoadError::whole_file(relative, format!("cannot be read: {e}"))),
            }
            return;
        }
        match read_text(path, MAX_TEXT_BYTES) {
            Ok(text) => out.push((relative, text)),
            Err(e) => unreadable.push(LoadError::whole_file(relative, format!("cannot be read: {e}"))),
        }
    })
}

/// The workspace's contract: the files only signed proposals may change. Every budget file, the
/// approval policy, `allowed_signers` and `headroom.yaml` (the gate's settings: its thresholds,
/// significance, baseline runs and `missing_data` decide what passes as much as the limits do),
/// but not the triage or the history, as (path relative to the root, text).
pub fn contract_files(dir: &Path) -> std::io::Result<Vec<(String, String)>> {
    let config =
        read_text(&dir.join(CONFIG_FILE), MAX_TEXT_BYTES).ok().and_then(|t| parse_config(CONFIG_FILE, &t).ok()).unwrap_or_default();
    let history_prefix = format!("{}/", config.history.trim_end_matches('/'));
    let mut out = Vec::new();
    let mut failed = None;
    walk(dir, dir, &mut |relative, path| {
        if is_budget_file(&relative)
            && relative != TRIAGE_FILE
            && !is_triage_record(&relative)
            && !is_review_record(&relative)
            && !relative.starts_with(&history_prefix)
        {
            match read_text(path, MAX_TEXT_BYTES) {
                Ok(text) => out.push((relative, text)),
                Err(e) => failed = Some(std::io::Error::new(e.kind(), format!("{relative}: {e}"))),
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    match read_text(&dir.join(SIGNERS_FILE), MAX_TEXT_BYTES) {
        Ok(text) => out.push((SIGNERS_FILE.to_owned(), text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    out.sort();
    Ok(out)
}

/// The signers file (read by `approval::signers`).
pub const SIGNERS_FILE: &str = "allowed_signers";

/// What a workspace's files look like on disk: (path relative to the root, size, modification
/// time) of every file [`Workspace::load`] reads. Two equal fingerprints mean nothing to reload.
#[must_use]
pub fn fingerprint(dir: &Path) -> Vec<(String, u64, Option<std::time::SystemTime>)> {
    let mut out = Vec::new();
    let _ = walk(dir, dir, &mut |relative, path| {
        let meta = std::fs::metadata(path).ok();
        out.push((relative, meta.as_ref().map_or(0, std::fs::Metadata::len), meta.and_then(|m| m.modified().ok())));
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::disk::write_atomic;

    #[test]
    fn a_project_folder_holding_budgets_opens_its_budgets_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("budgets/history")).unwrap();
        assert_eq!(workspace_folder(dir.path()), dir.path().join("budgets"));
        // A workspace of its own (a history or settings here) is the folder given.
        let budgets = dir.path().join("budgets");
        assert_eq!(workspace_folder(&budgets), budgets);
        std::fs::create_dir_all(dir.path().join("history")).unwrap();
        assert_eq!(workspace_folder(dir.path()), dir.path());
    }

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn a_bad_file_is_listed_and_the_rest_loads() {
        let w = Workspace::from_files(
            "w",
            &files(&[
                ("good.yaml", "cap:\n  max_latency_ms: 5\n"),
                ("bad.yaml", "budgets:\n  a: {unit: ms, limit: nope}\n"),
                ("history/h.jsonl", "{\"id\":\"1\",\"metrics\":{\"cap.latency\":4}}\n"),
            ]),
        );
        assert_eq!(w.budget_files, ["good.yaml"]);
        assert_eq!(w.errors.len(), 1);
        assert_eq!(w.errors[0].file, "bad.yaml");
        assert_eq!(w.history.runs.len(), 1);
    }

    #[test]
    fn a_live_source_s_runs_join_the_files_and_a_run_the_files_hold_is_taken_from_the_files() {
        let files = files(&[
            ("headroom.yaml", "history_source:\n  prometheus: {url: 'http://127.0.0.1:9', step: 1m}\n"),
            ("api.yaml", "budgets:\n  api: {unit: ms, limit: 50, promql: 'max(x)'}\n"),
            (
                "history/prometheus/a.jsonl",
                "{\"id\":\"prom-1\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"environment\":\"prod\",\"metrics\":{\"api\":41}}\n",
            ),
        ]);
        let mut asked = Vec::new();
        let mut read = |source: &HistorySource, _: &Config, budgets: &[Budget]| {
            asked.push((source.url.clone(), budgets.iter().filter_map(|b| b.promql.clone()).collect::<Vec<_>>()));
            let line = |id: &str, t: &str, v: f64| {
                format!("{{\"id\":\"{id}\",\"timestamp\":\"{t}\",\"environment\":\"prod\",\"metrics\":{{\"api\":{v}}}}}\n")
            };
            LiveHistory {
                files: vec![(
                    ".headroom/cache/prometheus/x.jsonl".to_owned(),
                    line("prom-1", "2026-01-01T00:00:00Z", 42.0) + &line("prom-2", "2026-01-01T00:01:00Z", 43.0),
                )],
                errors: Vec::new(),
                state: Some(SourceState::Fresh { url: source.url.clone(), at: super::super::time::Timestamp(0) }),
            }
        };
        let w = Workspace::from_files_with_source("w", &files, &mut |_, _| {}, Some(&mut read));
        assert_eq!(asked, [("http://127.0.0.1:9".to_owned(), vec!["max(x)".to_owned()])]);
        assert!(w.errors.is_empty(), "{:?}", w.errors);
        assert_eq!(w.history.runs.len(), 2);
        let values: Vec<Option<f64>> = w.history.series["api"].points().map(|p| p.value).collect();
        assert_eq!(values, [Some(41.0), Some(43.0)], "the file's prom-1, then the store's prom-2");
        assert_eq!(w.history_files, ["history/prometheus/a.jsonl"], "the cache is no file of the workspace's history");
        assert!(w.history_source.as_ref().is_some_and(SourceState::is_fresh));
        // Without a reader (validate, alerts, the store's own writers), the files alone.
        let w = Workspace::from_files("w", &files);
        assert_eq!((w.history.runs.len(), w.history_source), (1, None));
    }

    #[test]
    fn a_budget_defined_twice_is_an_error_naming_both_files() {
        let w = Workspace::from_files("w", &files(&[("a.yaml", "cap:\n  max_latency_ms: 5\n"), ("b.yaml", "cap:\n  max_latency_ms: 6\n")]));
        assert_eq!(w.budget_files, ["a.yaml"]);
        assert!(w.errors[0].to_string().contains("already defined in a.yaml:1"), "{}", w.errors[0]);
    }

    #[test]
    fn overrides_must_name_a_known_environment() {
        let w = Workspace::from_files(
            "w",
            &files(&[
                ("headroom.yaml", "environments: [dev, ci, prod]\n"),
                ("a.yaml", "budgets:\n  api:\n    unit: ms\n    limit: 5\n    environments: {prdo: 9}\n"),
            ]),
        );
        assert!(w.errors[0].to_string().contains("unknown environment `prdo`"), "{}", w.errors[0]);
        assert!(w.errors[0].to_string().contains("did you mean `prod`?"));
    }

    #[test]
    fn a_budget_may_set_its_own_check_settings_and_a_misspelt_id_is_an_error() {
        let w = Workspace::from_files(
            "w",
            &files(&[
                (
                    "headroom.yaml",
                    "check:\n  regression_threshold: 5%\n  budgets:\n    cap.latency: {regression_threshold: 10%}\n    cap.latncy: {significance: 0.01}\n",
                ),
                ("a.yaml", "cap:\n  max_latency_ms: 5\n"),
            ]),
        );
        let own = w.config.check.for_budget("cap.latency");
        assert!((own.regression_threshold - 0.10).abs() < 1e-12);
        assert!((w.config.check.for_budget("other").regression_threshold - 0.05).abs() < 1e-12);
        assert_eq!(w.errors.len(), 1, "{:?}", w.errors);
        assert_eq!(w.errors[0].pos.line, 5);
        assert!(w.errors[0].to_string().contains("no budget `cap.latncy`; did you mean `cap.latency`?"), "{}", w.errors[0]);
    }

    #[test]
    fn atomic_writes_replace_the_file_and_leave_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.jsonl");
        std::fs::write(&path, "old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_atomic_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-folder").join("f.jsonl");
        assert!(write_atomic(&path, b"new").is_err());
    }

    #[test]
    fn a_history_file_of_a_gigabyte_is_refused_by_its_size_and_the_rest_loads() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("history")).unwrap();
        std::fs::write(dir.path().join("budgets.yaml"), "budgets:\n  m: {unit: ms, limit: 10}\n").unwrap();
        std::fs::write(dir.path().join("history/a.jsonl"), "{\"id\":\"r1\",\"metrics\":{\"m\":1}}\n").unwrap();
        // A sparse file: a gigabyte long without a gigabyte on disk.
        std::fs::File::create(dir.path().join("history/huge.jsonl")).unwrap().set_len(1 << 30).unwrap();
        let workspace = Workspace::load(dir.path()).unwrap();
        assert_eq!(workspace.errors.len(), 1, "{:?}", workspace.errors);
        let error = workspace.errors[0].to_string();
        assert!(
            error.starts_with("history/huge.jsonl") && error.contains("1073741824 bytes, over the limit of 268435456 bytes"),
            "{error}"
        );
        assert_eq!(workspace.history.runs.len(), 1);
    }
}
