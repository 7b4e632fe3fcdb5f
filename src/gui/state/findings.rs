//! The findings area: the engine's findings with their triage, most severe first, the list's
//! filter, and the triage being edited (saved record by record, merged with what changed on disk).
//!
//! How the edit and the disk agree: the form keeps the finding's triage as it was when the edit
//! began (its base). A change on disk is seen two ways: the folder watcher (`headroom-watch`,
//! sizes and modification times once a second) reloads the triage while the form is open, and
//! the save compares, under the workspace's lock, the record on disk with the base. Either way the
//! three are merged field by field: a field that only the disk changed comes into the form, one
//! that only the user changed is kept, and one both changed is a conflict that the form shows
//! with both values, for the user to keep theirs or their own, field by field. Nothing is written
//! until the user saves, and a save never writes over a change it has not shown.

use crate::engine::analyze::Analysis;
use crate::engine::check::CheckReport;
use crate::engine::reversal::{Reversal, Reversals, Undo};
use crate::model::store::{StoreError, TriageSaved, save_triage_entry};
use crate::model::time::Timestamp;
use crate::model::triage::{FieldConflict, Triage, TriageEntry, TriageState, finding_key, merge_accepted, merge_entry};
use crate::model::workspace::Workspace;
use std::path::Path;

/// Something the user asked of the findings.
#[derive(Clone, Debug, PartialEq)]
pub enum FindingsCommand {
    /// Select a finding (its index in [`FindingsView::rows`]): its metric, centred on its change point.
    Select(usize),
    /// Select a change of noise (its index in [`FindingsView::noise_rows`]): its metric, centred
    /// on the first run of the new noise.
    SelectNoise(usize),
    /// Show only the findings in this triage state (`None`: every finding).
    Filter(Option<TriageState>),
    /// Open (or change) the window editing a finding's triage: its key and the draft.
    EditTriage(String, TriageEntry),
    /// Close that window without saving.
    CloseTriage,
    /// Set a finding's triage (by key); saved in the workspace's `triage/` records.
    SetTriage(String, TriageEntry),
    /// Settle one field (`state`, `owner` or `note`) that the user and someone on disk both
    /// changed: keep theirs or the user's own.
    ResolveTriage(String, Keep),
}

/// Whose value of a field changed on both sides is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The value on disk (someone else's).
    Theirs,
    /// The value in the form (the user's own).
    Mine,
}

/// Fields of the triage being edited that were also changed on disk, to other values.
#[derive(Clone, Debug, PartialEq)]
pub struct TriageConflict {
    /// The finding's triage on disk now.
    pub theirs: TriageEntry,
    /// The fields changed on both sides, with both values, not yet settled.
    pub fields: Vec<FieldConflict>,
}

/// One finding of the engine in the findings list.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingRow {
    /// Index into the analysis' findings.
    pub finding: usize,
    /// The budget it belongs to (index), where there is one.
    pub budget: Option<usize>,
    /// Its triage key (an existing entry's where one matches).
    pub key: String,
    /// Its triage.
    pub triage: TriageEntry,
}

/// One change of a metric's noise in the findings list: not a regression, so not triaged and no
/// budget's state depends on it.
#[derive(Clone, Debug, PartialEq)]
pub struct NoiseRow {
    /// Index into the analysis' changes of noise.
    pub finding: usize,
    /// The budget of its metric (index), where there is one.
    pub budget: Option<usize>,
}

/// The findings list and the triage form.
#[derive(Default)]
pub struct FindingsView {
    /// The engine's findings, most severe first.
    pub rows: Vec<FindingRow>,
    /// The engine's changes of noise, newest first (listed after the change points).
    pub noise_rows: Vec<NoiseRow>,
    /// Which regressions later change points reverted, by finding index (the budgets' smallest
    /// flaggable changes from the check), and what each improvement undid.
    pub reversals: std::sync::Arc<Reversals>,
    /// The list shows only those in this triage state (`None`: all of them).
    pub filter: Option<TriageState>,
    /// A finding's triage being edited: its key and the draft.
    pub triage_draft: Option<(String, TriageEntry)>,
    /// The triage of the finding being edited as it was when the edit began: what the save merges
    /// from, so a change someone else made on disk meanwhile is merged, or reported, not overwritten.
    triage_draft_base: Option<(String, TriageEntry)>,
    /// Fields of the edit that someone also changed on disk, shown with both values until settled.
    pub triage_conflict: Option<TriageConflict>,
}

impl FindingsView {
    /// The rows of the analysis' findings with their triage, most severe first, and which
    /// regressions were reverted (by the check's smallest flaggable changes).
    pub(super) fn derive(&mut self, analysis: &Analysis, triage: &Triage, workspace: &Workspace, report: &CheckReport) {
        self.reversals = std::sync::Arc::new(crate::engine::reversal::of_check(analysis, Some(report)));
        let history = &workspace.history;
        let position = |run: &str| history.runs.iter().position(|r| r.id == run);
        let mut rows: Vec<FindingRow> = analysis
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (key, triage) = match triage.find(&f.metric, &f.run_id, position) {
                    Some((key, entry)) => (key.to_owned(), entry.clone()),
                    None => (finding_key(&f.metric, &f.run_id), TriageEntry::default()),
                };
                let budget = f.budget.as_deref().and_then(|id| workspace.budget_index(id));
                FindingRow { finding: i, budget, key, triage }
            })
            .collect();
        let findings = &analysis.findings;
        rows.sort_by(|a, b| {
            let (fa, fb) = (&findings[a.finding], &findings[b.finding]);
            fb.severity.cmp(&fa.severity).then(fb.run_index.cmp(&fa.run_index)).then(fa.metric.cmp(&fb.metric))
        });
        self.rows = rows;
        let budget_of = |metric: &str| analysis.metrics.iter().find(|m| m.metric == metric).and_then(|m| m.budget);
        let mut noise_rows: Vec<NoiseRow> =
            analysis.noise_findings.iter().enumerate().map(|(i, f)| NoiseRow { finding: i, budget: budget_of(&f.metric) }).collect();
        let noise = &analysis.noise_findings;
        noise_rows.sort_by(|a, b| {
            let (fa, fb) = (&noise[a.finding], &noise[b.finding]);
            fb.run_index.cmp(&fa.run_index).then(fa.metric.cmp(&fb.metric))
        });
        self.noise_rows = noise_rows;
    }

    /// The reversal of a row's regression, where a later change point put it back (wholly or in part).
    #[must_use]
    pub fn reversal(&self, row: &FindingRow) -> Option<&Reversal> {
        self.reversals.of(row.finding)
    }

    /// What a row's improvement undid, where it followed regressions.
    #[must_use]
    pub fn undo(&self, row: &FindingRow) -> Option<&Undo> {
        self.reversals.undoes(row.finding)
    }

    /// Whether a row is an open regression: for the worse, not reverted, and nobody closed it.
    #[must_use]
    pub fn is_open(&self, row: &FindingRow, analysis: &Analysis) -> bool {
        analysis
            .findings
            .get(row.finding)
            .is_some_and(|f| crate::engine::reversal::is_open_regression(f.verdict, self.reversal(row), row.triage.state))
    }

    /// Whether a row is a regression a later change point reverted that nobody has closed yet.
    #[must_use]
    pub fn is_reverted_unclosed(&self, row: &FindingRow) -> bool {
        self.reversal(row).is_some_and(|r| r.reverted) && row.triage.state.is_open()
    }

    /// Opens or changes the triage form; where it opens on a finding, the finding's triage as it
    /// is now is kept as the base its save merges from.
    pub(super) fn edit_triage(&mut self, key: String, entry: TriageEntry, triage: &Triage) {
        if self.triage_draft_base.as_ref().is_none_or(|(k, _)| *k != key) {
            self.triage_draft_base = Some((key.clone(), triage.entries.get(&key).cloned().unwrap_or_default()));
        }
        self.triage_draft = Some((key, entry));
    }

    /// Closes the triage form.
    pub(super) fn close_triage(&mut self) {
        self.triage_draft = None;
        self.triage_draft_base = None;
        self.triage_conflict = None;
    }

    /// Settles a field changed both in the form and on disk: the form takes theirs, or keeps the
    /// user's; either way the field is no longer in conflict (the next save writes the form's value).
    pub(super) fn resolve_triage(&mut self, field: &str, keep: Keep) {
        let (Some(conflict), Some((_, draft))) = (&mut self.triage_conflict, &mut self.triage_draft) else { return };
        if keep == Keep::Theirs {
            match field {
                "state" => draft.state = conflict.theirs.state,
                "owner" => draft.owner.clone_from(&conflict.theirs.owner),
                "note" => draft.note.clone_from(&conflict.theirs.note),
                _ => return,
            }
        }
        conflict.fields.retain(|f| f.field != field);
        if conflict.fields.is_empty() {
            self.triage_conflict = None;
        }
    }

    /// The triage on disk was read again (the watcher saw a record change) while the form may be
    /// open: where the finding being edited changed on disk since the edit's base, their change is
    /// merged into the form, or, where they changed a field the user changed too, both values are
    /// put before the user. Returns what to tell the user, where anything changed.
    pub(super) fn disk_changed(&mut self, triage: &Triage) -> Option<String> {
        let (Some((key, draft)), Some((base_key, base))) = (&mut self.triage_draft, &mut self.triage_draft_base) else { return None };
        if key != base_key {
            return None;
        }
        let theirs = triage.entries.get(key.as_str()).cloned().unwrap_or_default();
        if theirs == *base {
            return None;
        }
        let mut fields = match merge_entry(base, draft, &theirs) {
            Ok(merged) => {
                *draft = TriageEntry { updated: draft.updated, ..merged };
                Vec::new()
            }
            Err(fields) => {
                // Fields only one side changed still merge into the form.
                let (accepted_change, accepted_by_environment) = merge_accepted(base, draft, &theirs);
                *draft = TriageEntry {
                    state: if draft.state == base.state { theirs.state } else { draft.state },
                    owner: if draft.owner == base.owner { theirs.owner.clone() } else { draft.owner.clone() },
                    note: if draft.note == base.note { theirs.note.clone() } else { draft.note.clone() },
                    updated: draft.updated,
                    accepted_change,
                    accepted_by_environment,
                };
                fields
            }
        };
        // A field still to settle from an earlier change stays to settle, against their value now.
        for pending in self.triage_conflict.take().map(|c| c.fields).unwrap_or_default() {
            let (ours, theirs_now) = (field_value(draft, pending.field), field_value(&theirs, pending.field));
            if ours != theirs_now && !fields.iter().any(|f| f.field == pending.field) {
                fields.push(FieldConflict { field: pending.field, ours, theirs: theirs_now });
            }
        }
        let message = if fields.is_empty() {
            format!("The triage of {key} changed on disk while you edit it: their change is in the form, yours are kept")
        } else {
            format!(
                "The triage of {key} changed on disk while you edit it ({}): choose theirs or yours for each, then save",
                conflict_words(&fields)
            )
        };
        self.triage_conflict = (!fields.is_empty()).then(|| TriageConflict { theirs: theirs.clone(), fields });
        *base = theirs;
        Some(message)
    }

    /// Saves a finding's triage: only its own record (`triage/<key>.yaml`), merged with what changed
    /// on disk since the edit began. Where someone else changed the same field meanwhile, nothing
    /// is written: the disk's triage is shown, the user's edit stays open in the form, and the
    /// message asks them to save again (to replace theirs) or cancel (to keep it). On the example
    /// (`root` is `None`) it is kept for the session. Returns the message to show, or why it was
    /// not written (the entry is kept for the session).
    pub(super) fn save_triage(
        &mut self,
        root: Option<&Path>,
        triage: &mut Triage,
        key: String,
        mut entry: TriageEntry,
        today: Timestamp,
    ) -> Result<String, StoreError> {
        self.triage_draft = None;
        self.triage_conflict = None;
        entry.updated = Some(today);
        let base = match self.triage_draft_base.take() {
            Some((k, base)) if k == key => base,
            _ => triage.entries.get(&key).cloned().unwrap_or_default(),
        };
        let Some(root) = root else {
            triage.entries.insert(key, entry);
            return Ok("Triage saved for this session only: the example workspace is read-only".to_owned());
        };
        let file = root.join(crate::model::triage::record_file(&key));
        match save_triage_entry(root, &key, &base, &entry) {
            Ok(TriageSaved::Saved(merged)) => {
                let merged_note = if merged == entry { "" } else { ", merged with changes made on disk meanwhile" };
                triage.entries.insert(key, merged);
                Ok(format!("Triage saved in {}{merged_note}", file.display()))
            }
            Ok(TriageSaved::Conflict { theirs, fields }) => {
                let words = conflict_words(&fields);
                triage.entries.insert(key.clone(), theirs.clone());
                self.triage_draft_base = Some((key.clone(), theirs.clone()));
                self.triage_draft = Some((key.clone(), entry));
                self.triage_conflict = Some(TriageConflict { theirs, fields });
                Ok(format!(
                    "Not saved: someone changed the triage of {key} on disk meanwhile ({words}). Your edit is still open: choose theirs or yours for each, or save again to replace theirs, or cancel to keep theirs"
                ))
            }
            Err(e) => {
                triage.entries.insert(key, entry);
                Err(e)
            }
        }
    }
}

/// A field of `entry` as [`merge_entry`] shows it in a conflict.
fn field_value(entry: &TriageEntry, field: &str) -> String {
    match field {
        "state" => entry.state.label().to_owned(),
        "owner" => entry.owner.clone(),
        _ => entry.note.clone(),
    }
}

/// `state: theirs `fixed`, yours `invalid``; ... for the message.
fn conflict_words(fields: &[FieldConflict]) -> String {
    fields.iter().map(|f| format!("{}: theirs `{}`, yours `{}`", f.field, f.theirs, f.ours)).collect::<Vec<_>>().join("; ")
}
