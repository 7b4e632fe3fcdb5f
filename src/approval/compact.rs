//! `headroom compact`: applies the workspace's retention policy ([`crate::model::retention`])
//! under the workspace's lock and through the journal, keeping every run named as evidence.

use super::error::ApprovalError;
use super::proposal::{PROPOSALS_DIR, parse_proposal};
use crate::model::config::{CONFIG_FILE, parse_config};
use crate::model::disk::{MAX_HISTORY_BYTES, MAX_TEXT_BYTES, read_text};
use crate::model::journal::commit_compaction;
use crate::model::lock::WorkspaceLock;
use crate::model::retention::{Plan, plan};
use crate::model::store::read_triage;
use crate::model::time::Timestamp;
use std::collections::BTreeSet;
use std::path::Path;

/// The run after the `@` of a finding's key (`metric@run`).
fn run_of_finding(key: &str) -> Option<&str> {
    key.rsplit_once('@').map(|(_, run)| run)
}

/// Every run named as evidence: by a proposal (applied ones stay in `proposals/`, so this covers
/// the ledger's entries) or by a triage record. A proposal that does not read is an error: its
/// evidence cannot be known, so nothing may be compacted.
pub fn evidence_runs(dir: &Path) -> Result<BTreeSet<String>, ApprovalError> {
    let mut runs = BTreeSet::new();
    let triage = read_triage(dir).map_err(|e| ApprovalError::Invalid(e.to_string()))?;
    runs.extend(triage.entries.keys().filter_map(|k| run_of_finding(k)).map(str::to_owned));
    let folder = dir.join(PROPOSALS_DIR);
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(runs),
        Err(e) => return Err(ApprovalError::io("read", folder, e)),
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !name.ends_with(".yaml") {
            continue;
        }
        let relative = format!("{PROPOSALS_DIR}/{name}");
        let text = read_text(&entry.path(), MAX_TEXT_BYTES).map_err(|e| ApprovalError::io("read", &relative, e))?;
        let p = parse_proposal(&relative, &text)
            .map_err(|e| ApprovalError::Invalid(format!("{} (its evidence must be known to compact)", e[0])))?;
        runs.extend(p.evidence_runs.iter().cloned());
        runs.extend(p.evidence_findings.iter().filter_map(|k| run_of_finding(k)).map(str::to_owned));
    }
    Ok(runs)
}

/// The history files under `history_dir` (relative to `dir`), path relative to `dir` and text.
pub fn history_files(dir: &Path, history_dir: &str) -> Result<Vec<(String, String)>, ApprovalError> {
    fn visit(dir: &Path, relative: &str, depth: usize, out: &mut Vec<(String, String)>) -> Result<(), ApprovalError> {
        let folder = dir.join(relative);
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(ApprovalError::io("read", folder, e)),
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{relative}/{name}");
            let Ok(kind) = entry.file_type() else { continue };
            if name.starts_with('.') {
                continue;
            }
            if kind.is_dir() && depth < 16 {
                visit(dir, &path, depth + 1, out)?;
            } else if kind.is_file() && name.to_ascii_lowercase().ends_with(".jsonl") {
                let text = read_text(&entry.path(), MAX_HISTORY_BYTES).map_err(|e| ApprovalError::io("read", path.clone(), e))?;
                out.push((path, text));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    visit(dir, history_dir, 0, &mut out)?;
    out.sort();
    Ok(out)
}

/// Plans the compaction the workspace's `retention:` allows at `now`, and unless `dry_run`
/// applies it, all of it or nothing (the journal), under the workspace's lock.
pub fn compact(dir: &Path, dry_run: bool, now: Timestamp) -> Result<Plan, ApprovalError> {
    let _lock = WorkspaceLock::acquire(dir, "its history (compact)")?;
    let config_text = match read_text(&dir.join(CONFIG_FILE), MAX_TEXT_BYTES) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(ApprovalError::io("read", CONFIG_FILE, e)),
    };
    let config = parse_config(CONFIG_FILE, &config_text).map_err(|mut e| ApprovalError::Located(e.swap_remove(0)))?;
    let retention = config.retention.ok_or_else(|| {
        ApprovalError::Refused(format!(
            "{CONFIG_FILE} has no `retention:` policy, so every run is kept (add `retention: {{runs_days: 180, then: daily_summary}}`)"
        ))
    })?;
    let history_dir = config.history.trim_end_matches('/');
    let files = history_files(dir, history_dir)?;
    let evidence = evidence_runs(dir)?;
    let planned = plan(history_dir, &files, &evidence, retention, now)?;
    if !dry_run && !planned.writes.is_empty() {
        commit_compaction(dir, &planned.writes)?;
    }
    Ok(planned)
}
