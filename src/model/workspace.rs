//! A workspace: a folder of budget files, its optional `headroom.yaml`, and its `history/`.
//!
//! Loading never stops at the first bad file: every file that parses is kept, and every
//! error is listed in [`Workspace::errors`], so the app and the CLI can show the rest.

use super::budget::{Budget, parse_budget_file};
use super::columns::FileColumns;
use super::columns::{parse_in_parallel, threads_each};
use super::conflict::merge_conflicts_in_reserved_folders;
use super::error::{LoadError, did_you_mean_hint};
use super::history::History;
use super::history_files::history_file_columns_on;
use super::measures::{Resolution, resolve};
use super::settings::{CheckField, check_field};
use super::source::{HistorySource, LiveHistory, SourceState, parse_history_source};
use super::triage::{TRIAGE_FILE, Triage, is_review_record, is_triage_record, parse_record, parse_review, parse_triage};
use super::walk::{is_budget_file, is_history_file, walk};
use super::yaml::{self, Node, Pos, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use super::conflict::merge_conflict;
pub use super::disk::{MAX_HISTORY_BYTES, MAX_TEXT_BYTES, read_text, readable_size, write_atomic};

/// The name of the workspace's own settings file.
pub const CONFIG_FILE: &str = "headroom.yaml";

/// The ledger of applied proposals (read and written by `approval::ledger`). A workspace with one
/// has a signed contract, and its contract files change only through proposals.
pub const LEDGER_FILE: &str = "ledger/ledger.jsonl";

/// The approval policy (read by `approval::policy`, never as budgets).
pub const POLICY_FILE: &str = "approval.yaml";

pub use super::settings::{BudgetCheck, CheckSettings, MissingData};

/// The workspace's `headroom.yaml`.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The branch whose runs make the baseline of a pull request.
    pub default_branch: String,
    /// The environment checked when none is named.
    pub default_environment: Option<String>,
    /// The environment the services run in, whose limits the run-time alerts use (`prod`).
    pub runtime_environment: Option<String>,
    /// The repository's web address (`https://github.com/org/repo`), for links to commits.
    pub repository: Option<String>,
    /// The environments overrides may name; empty for any.
    pub environments: Vec<String>,
    /// The history folder, relative to the workspace.
    pub history: String,
    /// Settings of `check`.
    pub check: CheckSettings,
    /// Where each budget's own check settings are written (for errors naming an unknown budget).
    pub check_positions: BTreeMap<String, Pos>,
    /// How long runs are kept whole before `headroom compact` summarizes them; `None`: forever.
    pub retention: Option<super::retention::Retention>,
    /// Which metrics of the history measure a budget (`metrics:`), by the budget's metric: for
    /// benchmarks whose names do not say which budget they measure. Every importer's names work.
    pub metrics: BTreeMap<String, MetricMap>,
    /// PromQL for `headroom alerts` by the budget's metric kind (`alerts: promql: latency: ...`),
    /// with `{capability}` standing for the capability's name: runtime alerts for budget files
    /// of the ADR 030 form that carry no `promql:` of their own.
    pub alert_promql: BTreeMap<String, String>,
    /// A Prometheus-compatible store whose answers to the budgets' `promql:` queries join the
    /// history at load time (`history_source:`); `None` for the workspace's files alone.
    pub history_source: Option<HistorySource>,
}

/// One entry of `headroom.yaml`'s `metrics:` map.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricMap {
    /// The history's metrics that measure the budget (several: the worst of them counts).
    pub names: Vec<String>,
    /// Where the entry is written.
    pub pos: Pos,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            default_branch: "main".to_owned(),
            default_environment: None,
            runtime_environment: None,
            repository: None,
            environments: Vec::new(),
            history: "history".to_owned(),
            check: CheckSettings::default(),
            check_positions: BTreeMap::new(),
            retention: None,
            metrics: BTreeMap::new(),
            alert_promql: BTreeMap::new(),
            history_source: None,
        }
    }
}

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
        let mut columns = Vec::with_capacity(parsed.len());
        let mut live_columns = Vec::new();
        for (i, ((name, _), result)) in history_texts.iter().zip(parsed).enumerate() {
            match result {
                Ok(c) if i >= local_files => live_columns.push(c),
                Ok(c) => {
                    columns.push(c);
                    workspace.history_files.push((*name).to_owned());
                }
                Err(errors) => workspace.errors.extend(errors),
            }
        }
        columns.extend(without_local_runs(&columns, live_columns));
        progress(1.0, "indexing the history");
        workspace.index_history(columns);
        workspace
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
        let (mut history, errors) = History::from_columns(columns);
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

const CONFIG_FIELDS: &[&str] = &[
    "default_branch",
    "default_environment",
    "runtime_environment",
    "repository",
    "environments",
    "history",
    "check",
    "retention",
    "metrics",
    "alerts",
    "history_source",
];

/// `https://github.com/org/repo/` → `https://github.com/org/repo`: a web address commits are under.
fn repository_url(text: &str) -> Result<String, String> {
    let url = text.trim().trim_end_matches('/');
    if (url.starts_with("https://") || url.starts_with("http://")) && !url.contains(char::is_whitespace) {
        Ok(url.to_owned())
    } else {
        Err(format!("expected the repository's web address, such as `https://github.com/org/repo`, found `{text}`"))
    }
}

/// Parses `headroom.yaml`.
pub fn parse_config(file: &str, text: &str) -> Result<Config, Vec<LoadError>> {
    let root = yaml::parse(text).map_err(|e| vec![LoadError::new(file, e.pos, "", e.message)])?;
    let mut config = Config::default();
    let mut errors = Vec::new();
    let entries = match &root.value {
        Value::Null => return Ok(config),
        Value::Map(entries) => entries,
        other => {
            return Err(vec![LoadError::new(file, root.pos, "", format!("expected a mapping of settings, found {}", other.kind_name()))]);
        }
    };
    // The errors of `metrics:` and `alerts:`, read by functions of their own.
    let mut later = Vec::new();
    let mut err = |node: &Node, field: &str, message: String| errors.push(LoadError::new(file, node.pos, field, message));
    for (key, node) in entries {
        let field = key.name.as_str();
        match (field, &node.value) {
            ("default_branch", Value::String(s)) => config.default_branch.clone_from(s),
            ("default_environment", Value::String(s)) => config.default_environment = Some(s.clone()),
            ("runtime_environment", Value::String(s)) => config.runtime_environment = Some(s.clone()),
            ("repository", Value::String(s)) => match repository_url(s) {
                Ok(url) => config.repository = Some(url),
                Err(message) => err(node, field, message),
            },
            ("history", Value::String(s)) => config.history.clone_from(s),
            ("environments", Value::Seq(items)) => {
                for item in items {
                    match &item.value {
                        Value::String(s) => config.environments.push(s.clone()),
                        other => err(item, field, format!("expected an environment name, found {}", other.kind_name())),
                    }
                }
            }
            ("retention", _) => match super::retention::Retention::parse(node) {
                Ok(r) => config.retention = Some(r),
                Err((f, message)) => err(node, &f, message),
            },
            ("check", Value::Map(fields)) => check_settings(file, fields, &mut config, &mut later),
            ("metrics", Value::Map(entries)) => config.metrics = metric_map(file, entries, &mut later),
            ("alerts", Value::Map(fields)) => config.alert_promql = alert_promql(file, fields, &mut later),
            ("history_source", _) => match parse_history_source(file, node) {
                Ok(source) => config.history_source = Some(source),
                Err(e) => later.extend(e),
            },
            (known, other) if CONFIG_FIELDS.contains(&known) => {
                let expected = match known {
                    "environments" => "a list of names",
                    "check" | "metrics" | "alerts" => "a mapping",
                    _ => "text",
                };
                err(node, known, format!("expected {expected}, found {}", other.kind_name()));
            }
            (unknown, _) => {
                let hint = did_you_mean_hint(unknown, CONFIG_FIELDS.iter().copied());
                err(node, unknown, format!("unknown setting (expected {}){hint}", CONFIG_FIELDS.join(", ")));
            }
        }
    }
    errors.extend(later);
    if let Some(env) = &config.default_environment
        && !config.environments.is_empty()
        && !config.environments.contains(env)
    {
        errors.push(LoadError::new(file, root.pos, "default_environment", format!("`{env}` is not among `environments`")));
    }
    if let Some(env) = &config.runtime_environment
        && !config.environments.is_empty()
        && !config.environments.contains(env)
    {
        errors.push(LoadError::new(file, root.pos, "runtime_environment", format!("`{env}` is not among `environments`")));
    }
    if errors.is_empty() { Ok(config) } else { Err(errors) }
}

/// The names of the gate's settings that `headroom propose --setting` may change.
pub const CHECK_SETTING_NAMES: &[&str] = &["regression_threshold", "baseline_runs", "missing_data", "significance"];

/// The text of `headroom.yaml` (`text`, empty where there is none) with one gate setting changed:
/// `name` (one of [`CHECK_SETTING_NAMES`]) to `value` (as it would be written in the file, e.g.
/// `10%`), for the budget `budget` or, with `None`, for the workspace. The value is read by the
/// same parser as the file, and the result is parsed again.
pub fn with_check_setting(file: &str, text: &str, budget: Option<&str>, name: &str, value: &str) -> Result<String, String> {
    if !CHECK_SETTING_NAMES.contains(&name) {
        let hint = did_you_mean_hint(name, CHECK_SETTING_NAMES.iter().copied());
        return Err(format!("`{name}` is not a setting of the gate (expected {}){hint}", CHECK_SETTING_NAMES.join(", ")));
    }
    let first = |e: Vec<LoadError>| e.first().map_or_else(String::new, ToString::to_string);
    let mut config = parse_config(file, text).map_err(|e| format!("{file} does not read: {}", first(e)))?;
    // The value alone, read as the file would read it.
    let snippet = format!("check:\n  {name}: {}\n", value.trim());
    let one = parse_config(file, &snippet)
        .map_err(|e| format!("`{name}: {}`: {}", value.trim(), e.first().map_or_else(String::new, |e| e.message.clone())))?;
    let o = one.check;
    match budget {
        None => match name {
            "regression_threshold" => config.check.regression_threshold = o.regression_threshold,
            "baseline_runs" => config.check.baseline_runs = o.baseline_runs,
            "missing_data" => config.check.missing_data = o.missing_data,
            _ => config.check.significance = o.significance,
        },
        Some(id) => {
            let own = config.check.budgets.entry(id.to_owned()).or_default();
            match name {
                "regression_threshold" => own.regression_threshold = Some(o.regression_threshold),
                "baseline_runs" => own.baseline_runs = Some(o.baseline_runs),
                "missing_data" => own.missing_data = Some(o.missing_data),
                _ => own.significance = Some(o.significance),
            }
        }
    }
    with_check_settings(file, text, &config.check).map_err(first)
}

/// `headroom.yaml`'s `check:`: the workspace's gate settings and each budget's own.
fn check_settings(file: &str, fields: &[(yaml::Key, Node)], config: &mut Config, errors: &mut Vec<LoadError>) {
    let mut err = |node: &Node, field: &str, message: String| errors.push(LoadError::new(file, node.pos, field, message));
    for (k, v) in fields {
        let f = format!("check.{}", k.name);
        if k.name == "budgets" {
            let Value::Map(budgets) = &v.value else {
                err(v, &f, format!("expected a mapping of budget ids to settings, found {}", v.value.kind_name()));
                continue;
            };
            for (id, overrides) in budgets {
                let path = format!("check.budgets.{}", id.name);
                let Value::Map(overrides) = &overrides.value else {
                    err(overrides, &path, format!("expected a mapping of settings, found {}", overrides.value.kind_name()));
                    continue;
                };
                let mut own = BudgetCheck::default();
                for (k, v) in overrides {
                    let f = format!("{path}.{}", k.name);
                    match check_field(&k.name, v) {
                        Ok(CheckField::Threshold(t)) => own.regression_threshold = Some(t.fraction()),
                        Ok(CheckField::BaselineRuns(n)) => own.baseline_runs = Some(n.get()),
                        Ok(CheckField::Significance(p)) => own.significance = Some(p.value()),
                        Ok(CheckField::Missing(m)) => own.missing_data = Some(m),
                        Err(message) => err(v, &f, message),
                    }
                }
                config.check.budgets.insert(id.name.clone(), own);
                config.check_positions.insert(id.name.clone(), id.pos);
            }
            continue;
        }
        match check_field(&k.name, v) {
            Ok(CheckField::Threshold(t)) => config.check.regression_threshold = t.fraction(),
            Ok(CheckField::BaselineRuns(n)) => config.check.baseline_runs = n.get(),
            Ok(CheckField::Significance(p)) => config.check.significance = p.value(),
            Ok(CheckField::Missing(m)) => config.check.missing_data = m,
            Err(message) => err(v, &f, message),
        }
    }
}

/// `headroom.yaml`'s `metrics:`: budget metric to the name (or names) of the history's metrics.
fn metric_map(file: &str, entries: &[(yaml::Key, Node)], errors: &mut Vec<LoadError>) -> BTreeMap<String, MetricMap> {
    let mut map = BTreeMap::new();
    for (metric, names) in entries {
        let found: Option<Vec<String>> = match &names.value {
            Value::String(s) => Some(vec![s.clone()]),
            Value::Seq(items) => items.iter().map(|i| if let Value::String(s) = &i.value { Some(s.clone()) } else { None }).collect(),
            _ => None,
        };
        match found.filter(|n| !n.is_empty() && n.iter().all(|n| !n.trim().is_empty())) {
            Some(list) => {
                map.insert(metric.name.clone(), MetricMap { names: list, pos: metric.pos });
            }
            None => errors.push(LoadError::new(
                file,
                names.pos,
                format!("metrics.{}", metric.name),
                format!(
                    "expected the name of the history's metric that measures `{}` (a benchmark's name, such as \"bench_validate[large]\"), or a list of names; found {}",
                    metric.name,
                    names.value.kind_name()
                ),
            )),
        }
    }
    map
}

/// `headroom.yaml`'s `alerts:`: PromQL by metric kind, with `{capability}` in it.
fn alert_promql(file: &str, fields: &[(yaml::Key, Node)], errors: &mut Vec<LoadError>) -> BTreeMap<String, String> {
    let mut promql = BTreeMap::new();
    for (k, v) in fields {
        let f = format!("alerts.{}", k.name);
        match (k.name.as_str(), &v.value) {
            ("promql", Value::Map(kinds)) => {
                for (kind, query) in kinds {
                    match &query.value {
                        Value::String(q) if !q.trim().is_empty() => {
                            promql.insert(kind.name.clone(), q.clone());
                        }
                        other => errors.push(LoadError::new(
                            file,
                            query.pos,
                            format!("{f}.{}", kind.name),
                            format!("expected a PromQL expression, found {}", other.kind_name()),
                        )),
                    }
                }
            }
            ("promql", other) => errors.push(LoadError::new(
                file,
                v.pos,
                f,
                format!("expected a mapping of metric kinds to PromQL, such as `latency: ...`, found {}", other.kind_name()),
            )),
            (unknown, _) => errors.push(LoadError::new(file, v.pos, &f, format!("unknown setting `{unknown}` (expected promql)"))),
        }
    }
    promql
}

/// The text of `headroom.yaml` with its `check:` settings replaced by `settings` (appended where
/// there were none). Everything else in the file, comments included, is kept; the result is
/// parsed again so a file that would not load is never written.
pub fn with_check_settings(file: &str, text: &str, settings: &CheckSettings) -> Result<String, Vec<LoadError>> {
    let missing = settings.missing_data.as_str();
    let percent = |t: f64| format!("{}%", yaml::format_number((t * 1e6).round() / 1e4));
    let mut block = format!(
        "check:\n  regression_threshold: {}\n  baseline_runs: {}\n  missing_data: {missing}\n  significance: {}\n",
        percent(settings.regression_threshold),
        settings.baseline_runs,
        settings.significance
    );
    let own: Vec<_> = settings.budgets.iter().filter(|(_, o)| !o.is_empty()).collect();
    if !own.is_empty() {
        block.push_str("  budgets:\n");
        for (id, o) in own {
            block.push_str(&format!("    {}:\n", serde_json::Value::String(id.clone())));
            if let Some(t) = o.regression_threshold {
                block.push_str(&format!("      regression_threshold: {}\n", percent(t)));
            }
            if let Some(n) = o.baseline_runs {
                block.push_str(&format!("      baseline_runs: {n}\n"));
            }
            if let Some(p) = o.significance {
                block.push_str(&format!("      significance: {p}\n"));
            }
            if let Some(m) = o.missing_data {
                block.push_str(&format!("      missing_data: {m}\n"));
            }
        }
    }
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    let mut replaced = false;
    while let Some(line) = lines.next() {
        if !replaced && (line == "check:" || line.starts_with("check:") && line[6..].starts_with([' ', '{', '#'])) {
            // The block is this line and every indented (or blank) line after it.
            while lines.peek().is_some_and(|next| next.starts_with([' ', '\t']) || next.trim().is_empty()) {
                lines.next();
            }
            out.push_str(&block);
            replaced = true;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !replaced {
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&block);
    }
    let parsed = parse_config(file, &out)?;
    let mut expected = settings.clone();
    expected.budgets.retain(|_, o| !o.is_empty());
    if parsed.check != expected {
        return Err(vec![LoadError::whole_file(file, "the check settings could not be written back exactly")]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_config_sets_check_defaults_and_rejects_typos() {
        let c = parse_config(
            "headroom.yaml",
            "default_branch: trunk\ncheck: {regression_threshold: 3%, baseline_runs: 20, missing_data: warn}\n",
        )
        .unwrap();
        assert_eq!(c.default_branch, "trunk");
        assert!((c.check.regression_threshold - 0.03).abs() < 1e-12);
        assert_eq!(c.check.baseline_runs, 20);
        assert_eq!(c.check.missing_data, MissingData::Warn);
        let e = parse_config("headroom.yaml", "default_brnach: main\n").unwrap_err();
        assert!(e[0].to_string().contains("did you mean `default_branch`?"));
    }

    #[test]
    fn the_runtime_environment_must_be_a_known_one_and_the_repository_a_web_address() {
        let c = parse_config(
            "headroom.yaml",
            "environments: [ci, prod]\nruntime_environment: prod\nrepository: https://github.com/org/repo/\n",
        )
        .unwrap();
        assert_eq!(c.runtime_environment.as_deref(), Some("prod"));
        assert_eq!(c.repository.as_deref(), Some("https://github.com/org/repo"));
        let e = parse_config("headroom.yaml", "environments: [ci, prod]\nruntime_environment: prd\n").unwrap_err();
        assert!(e[0].to_string().contains("`prd` is not among `environments`"), "{e:?}");
        let e = parse_config("headroom.yaml", "repository: git@github.com:org/repo.git\n").unwrap_err();
        assert!(e[0].to_string().contains("expected the repository's web address"), "{e:?}");
    }

    #[test]
    fn check_settings_are_replaced_in_place_and_the_rest_is_kept() {
        let text = "# team settings\ndefault_branch: trunk\ncheck:\n  regression_threshold: 5%\n  baseline_runs: 10\n\nenvironments: [ci]  # only CI\n";
        let mut settings = CheckSettings {
            regression_threshold: 0.075,
            baseline_runs: 30,
            missing_data: MissingData::Warn,
            significance: 0.0005,
            budgets: BTreeMap::new(),
        };
        settings.budgets.insert("services.auth".into(), BudgetCheck { regression_threshold: Some(0.12), ..BudgetCheck::default() });
        let out = with_check_settings(CONFIG_FILE, text, &settings).unwrap();
        assert!(out.starts_with("# team settings\ndefault_branch: trunk\ncheck:\n  regression_threshold: 7.5%\n"), "{out}");
        assert!(out.contains("environments: [ci]  # only CI"));
        assert!(out.contains("  budgets:\n    \"services.auth\":\n      regression_threshold: 12%\n"), "{out}");
        let config = parse_config(CONFIG_FILE, &out).unwrap();
        assert_eq!(config.check, settings);
        assert_eq!(config.default_branch, "trunk");
        let appended = with_check_settings(CONFIG_FILE, "default_branch: main\n", &settings).unwrap();
        assert_eq!(parse_config(CONFIG_FILE, &appended).unwrap().check, settings);
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
