//! The findings area: the engine's findings with their triage, most severe first, the list's
//! filter, and the triage being edited (saved record by record, merged with what changed on disk).

use crate::engine::analyze::Analysis;
use crate::model::store::{TriageSaved, save_triage_entry};
use crate::model::time::Timestamp;
use crate::model::triage::{Triage, TriageEntry, TriageState, finding_key};
use crate::model::workspace::Workspace;
use std::path::Path;

/// Something the user asked of the findings.
#[derive(Clone, Debug, PartialEq)]
pub enum FindingsCommand {
    /// Select a finding (its index in [`FindingsView::rows`]): its metric, centred on its change point.
    Select(usize),
    /// Show only the findings in this triage state (`None`: every finding).
    Filter(Option<TriageState>),
    /// Open (or change) the window editing a finding's triage: its key and the draft.
    EditTriage(String, TriageEntry),
    /// Close that window without saving.
    CloseTriage,
    /// Set a finding's triage (by key); saved in the workspace's `triage/` records.
    SetTriage(String, TriageEntry),
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

/// The findings list and the triage form.
#[derive(Default)]
pub struct FindingsView {
    /// The engine's findings, most severe first.
    pub rows: Vec<FindingRow>,
    /// The list shows only those in this triage state (`None`: all of them).
    pub filter: Option<TriageState>,
    /// A finding's triage being edited: its key and the draft.
    pub triage_draft: Option<(String, TriageEntry)>,
    /// The triage of the finding being edited as it was when the edit began: what the save merges
    /// from, so a change someone else made on disk meanwhile is merged, or reported, not overwritten.
    triage_draft_base: Option<(String, TriageEntry)>,
}

impl FindingsView {
    /// The rows of the analysis' findings with their triage, most severe first.
    pub(super) fn derive(&mut self, analysis: &Analysis, triage: &Triage, workspace: &Workspace) {
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
    }

    /// Saves a finding's triage: only its own record (`triage/<key>.yaml`), merged with what changed
    /// on disk since the edit began. Where someone else changed the same field meanwhile, nothing
    /// is written: the disk's triage is shown, the user's edit stays open in the form, and the
    /// message asks them to save again (to replace theirs) or cancel (to keep it). On the example
    /// (`root` is `None`) it is kept for the session. Returns the message to show.
    pub(super) fn save_triage(
        &mut self,
        root: Option<&Path>,
        triage: &mut Triage,
        key: String,
        mut entry: TriageEntry,
        today: Timestamp,
    ) -> String {
        self.triage_draft = None;
        entry.updated = Some(today);
        let base = match self.triage_draft_base.take() {
            Some((k, base)) if k == key => base,
            _ => triage.entries.get(&key).cloned().unwrap_or_default(),
        };
        let Some(root) = root else {
            triage.entries.insert(key, entry);
            return "Triage saved for this session only: the example workspace is read-only".to_owned();
        };
        let file = root.join(crate::model::triage::record_file(&key));
        match save_triage_entry(root, &key, &base, &entry) {
            Ok(TriageSaved::Saved(merged)) => {
                let merged_note = if merged == entry { "" } else { ", merged with changes made on disk meanwhile" };
                triage.entries.insert(key, merged);
                format!("Triage saved in {}{merged_note}", file.display())
            }
            Ok(TriageSaved::Conflict { theirs, fields }) => {
                let what: Vec<String> = fields.iter().map(|f| format!("{}: theirs `{}`, yours `{}`", f.field, f.theirs, f.ours)).collect();
                triage.entries.insert(key.clone(), theirs.clone());
                self.triage_draft_base = Some((key.clone(), theirs));
                self.triage_draft = Some((key.clone(), entry));
                format!(
                    "Not saved: someone changed the triage of {key} on disk meanwhile ({}). Your edit is still open: save it again to replace theirs, or cancel to keep theirs",
                    what.join("; ")
                )
            }
            Err(e) => {
                triage.entries.insert(key, entry);
                format!("Cannot save the triage: {e} (it is kept until the app closes)")
            }
        }
    }
}
