//! What the app says about each budget and about the whole workspace: one definition of each
//! state, used by the tree (dot, colour, tags, filters, sort), the metric view (status word and
//! title), the status bar's counts and the findings' counts. Free of egui; the colours of the
//! states are in `theme`.
//!
//! A budget's own state comes from the check of its newest run (the gate's [`Status`]), read
//! once here:
//!
//! | state | when | status |
//! |---|---|---|
//! | not loaded | its file did not load | fail |
//! | no data | nothing measures it in the checked run (no run, no metric, no value) | as `missing_data` says: fail or warn, never pass |
//! | over budget | its value breaks the limit | fail |
//! | regressed | the gate finds the newest run worse than the baseline | fail (warn without a test) |
//! | regressed | within budget, with an open regression (a change point for the worse, not reverted, nobody closed) | warn |
//! | warning | past the warning level, no baseline, inconclusive, an unconfirmed step, the base's own regression | warn |
//! | accepted | the gate passes it at a worse level people accepted (a triage record or a signed loosening) | warn |
//! | within budget | none of these | pass |
//!
//! An *open regression* is a change point for the worse (the engine's findings) that no later
//! change point reverted (its level back within the budget's smallest flaggable change of the
//! level before it: `engine::reversal`) and that nobody has marked fixed, won't fix or invalid.
//! The "open regression" filter shows the budgets that have one or that the gate finds regressed,
//! and the findings count the same change points. A reverted one is counted apart, as reverted.

use crate::engine::check::{BudgetResult, CheckReport, Finding, Status};
use crate::model::workspace::Workspace;
use crate::report::plural;
use std::collections::HashMap;

/// What the app says about one budget. Ordered from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BudgetState {
    /// Within its limit, no regression, nothing to look at.
    Pass,
    /// The gate passes it, at a worse level that people accepted (a triage record, which nobody
    /// signs, or a signed loosening): shown in the warning's colour, as the metric view says the
    /// `accepted` line, so that a waved-through regression never shows green.
    Accepted,
    /// Something to look at: past the warning level, no baseline, inconclusive.
    Warning,
    /// The gate finds the newest run worse than the baseline (`Warn` where there was no test).
    Regressed(Status),
    /// Nothing measures it in the checked run: never a pass (`Fail` or `Warn`, as the settings say).
    NoData(Status),
    /// Its value breaks the limit.
    OverBudget,
    /// Its budget file did not load: nothing about it is known.
    NotLoaded,
}

impl BudgetState {
    /// The state of a checked budget, from its result.
    #[must_use]
    pub fn of(result: &BudgetResult) -> BudgetState {
        let has = |p: fn(&Finding) -> bool| result.findings.iter().any(p);
        if has(|f| matches!(f, Finding::OverLimit)) {
            BudgetState::OverBudget
        } else if result.value.is_none()
            || has(|f| matches!(f, Finding::NoRun | Finding::NoMetric { .. } | Finding::NotInRun { .. } | Finding::UnitMismatch { .. }))
        {
            BudgetState::NoData(result.status.max(Status::Warn))
        } else if has(|f| matches!(f, Finding::Regression { .. })) {
            BudgetState::Regressed(result.status)
        } else if result.status == Status::Pass {
            if has(|f| matches!(f, Finding::Accepted { .. })) { BudgetState::Accepted } else { BudgetState::Pass }
        } else {
            BudgetState::Warning
        }
    }

    /// The gate's status of this state (the colour it is shown in).
    #[must_use]
    pub fn status(self) -> Status {
        match self {
            BudgetState::Pass => Status::Pass,
            BudgetState::Warning | BudgetState::Accepted => Status::Warn,
            BudgetState::Regressed(s) | BudgetState::NoData(s) => s,
            BudgetState::OverBudget | BudgetState::NotLoaded => Status::Fail,
        }
    }

    /// The state in a word or two, as the metric view and the tree's tags show it.
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            BudgetState::Pass => "within budget",
            BudgetState::Warning => "warning",
            BudgetState::Accepted => "accepted",
            BudgetState::Regressed(_) => "regressed",
            BudgetState::NoData(_) => "no data",
            BudgetState::OverBudget => "over budget",
            BudgetState::NotLoaded => "not loaded",
        }
    }

    /// Whether the budget was checked against a value (not "no data", not "not loaded").
    #[must_use]
    pub fn checked(self) -> bool {
        !matches!(self, BudgetState::NoData(_) | BudgetState::NotLoaded)
    }
}

/// The status bar's groups of budgets, each a click away from the tree filtered to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tally {
    /// Within budget.
    Pass,
    /// Warnings: past the warning level, no baseline, inconclusive, an unconfirmed step, a regression
    /// without a test, a worse level people accepted.
    Warnings,
    /// Failing on a value: over budget, or a confirmed regression.
    Failing,
    /// No data in the checked run.
    NoData,
}

impl Tally {
    /// The group a budget's state counts in (`None`: not loaded, counted by file).
    #[must_use]
    pub fn of(state: BudgetState) -> Option<Tally> {
        match state {
            BudgetState::Pass => Some(Tally::Pass),
            BudgetState::Warning | BudgetState::Accepted | BudgetState::Regressed(Status::Warn | Status::Pass) => Some(Tally::Warnings),
            BudgetState::OverBudget | BudgetState::Regressed(Status::Fail) => Some(Tally::Failing),
            BudgetState::NoData(_) => Some(Tally::NoData),
            BudgetState::NotLoaded => None,
        }
    }

    /// The count in words: `1 warning`, `3 failing`.
    #[must_use]
    pub fn words(self, n: usize) -> String {
        match self {
            Tally::Pass => format!("{n} within budget"),
            Tally::Warnings => plural(n, "warning", "warnings"),
            Tally::Failing => format!("{n} failing"),
            Tally::NoData => format!("{n} with no data"),
        }
    }
}

/// Whether a change point is an open regression: for the worse, not reverted by a later change
/// point, and nobody has closed it (the engine's one rule, which every report reads too).
pub use crate::engine::reversal::is_open_regression;

/// The counts the status bar shows, each by the definitions above.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Budgets within budget.
    pub pass: usize,
    /// Budgets with a warning (their own status `Warn`, with a value).
    pub warnings: usize,
    /// Budgets failing on a value: over budget or regressed.
    pub failing: usize,
    /// Budgets over their limit (part of `failing`).
    pub over: usize,
    /// Budgets with no data in the checked run.
    pub no_data: usize,
    /// Budgets in files that did not load.
    pub not_loaded: usize,
    /// Budget files that did not load.
    pub files_not_loaded: usize,
    /// History files that did not load (none of their runs is checked).
    pub history_files_not_loaded: usize,
    /// Open regressions (change points), as the findings count them.
    pub open_regressions: usize,
    /// Regressions a later change point reverted that nobody has closed yet (not open; to mark fixed).
    pub reverted: usize,
    /// Budgets with an open regression or a regression the gate finds.
    pub regressed: usize,
}

impl Counts {
    /// Budgets the check could not judge: not loaded, or no data.
    #[must_use]
    pub fn not_checked(&self) -> usize {
        self.not_loaded + self.no_data
    }
}

/// The whole workspace in one phrase: incomplete wherever a budget went unchecked or a history
/// file did not load (as `headroom check` says INCOMPLETE), never calmer than the worst budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overall {
    /// Some budgets were not checked (their file did not load, or nothing measures them), or
    /// some history files did not load (the budgets were checked without their runs).
    Incomplete {
        /// How many budgets were not checked.
        not_checked: usize,
        /// How many history files did not load.
        history_files_not_loaded: usize,
    },
    /// Every budget was checked; the worst status.
    Checked(Status),
}

impl Overall {
    /// The phrase, as the status bar leads with it.
    #[must_use]
    pub fn words(self) -> String {
        match self {
            Overall::Incomplete { not_checked, history_files_not_loaded } => {
                let parts: Vec<String> = [
                    (not_checked, plural(not_checked, "budget not checked", "budgets not checked")),
                    (history_files_not_loaded, plural(history_files_not_loaded, "history file not loaded", "history files not loaded")),
                ]
                .into_iter()
                .filter(|(n, _)| *n > 0)
                .map(|(_, words)| words)
                .collect();
                format!("incomplete: {}", parts.join(", "))
            }
            Overall::Checked(Status::Pass) => "all within budget".to_owned(),
            Overall::Checked(Status::Warn) => "warnings".to_owned(),
            Overall::Checked(Status::Fail) => "failing".to_owned(),
        }
    }

    /// Its status (the colour it is shown in): incomplete is never calm.
    #[must_use]
    pub fn status(self) -> Status {
        match self {
            Overall::Incomplete { .. } => Status::Fail,
            Overall::Checked(s) => s,
        }
    }
}

/// The worst state of budget `i` and everything under it.
fn worst_of(workspace: &Workspace, own: &[Option<BudgetState>], i: usize) -> Option<BudgetState> {
    workspace.budgets[i].children.iter().map(|&c| worst_of(workspace, own, c)).fold(own[i], Option::max)
}

/// The states of every budget of a workspace, derived once per load or triage change.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct States {
    /// Per budget (workspace index): its own state; `None` for a group (nothing of its own is checked).
    pub own: Vec<Option<BudgetState>>,
    /// Per budget: the worst state of it and everything under it (the dot of a collapsed row).
    pub worst: Vec<Option<BudgetState>>,
    /// Per budget: how many open regressions (change points) it has.
    pub open_regressions: Vec<usize>,
    /// The counts.
    pub counts: Counts,
    /// The overall phrase.
    pub overall: Overall,
}

impl Default for Overall {
    fn default() -> Self {
        Overall::Checked(Status::Pass)
    }
}

impl States {
    /// The states of `workspace`'s budgets from its check, and its change points as (budget,
    /// whether an open regression, whether a reverted one nobody has closed).
    #[must_use]
    pub fn new(workspace: &Workspace, report: &CheckReport, changes: impl Iterator<Item = (Option<usize>, bool, bool)>) -> States {
        let n = workspace.budgets.len();
        let result_of: HashMap<usize, &BudgetResult> = report.results.iter().map(|r| (r.budget, r)).collect();
        let own: Vec<Option<BudgetState>> = (0..n).map(|i| result_of.get(&i).map(|r| BudgetState::of(r))).collect();
        let mut open_regressions = vec![0; n];
        let mut counts = Counts::default();
        for (budget, open, reverted) in changes {
            counts.reverted += usize::from(reverted);
            if open {
                counts.open_regressions += 1;
                if let Some(b) = budget.filter(|&b| b < n) {
                    open_regressions[b] += 1;
                }
            }
        }
        // The gate's own open regression counts too where no change point shows it yet (a step's
        // first few runs are too few for one): the status bar never says "0 open regressions"
        // beside a check that names one.
        for r in &report.results {
            if r.open_regression.is_some() && r.budget < n && open_regressions[r.budget] == 0 {
                open_regressions[r.budget] = 1;
                counts.open_regressions += 1;
            }
        }
        // A regression within budget is a warning-level finding: never a green dot beside a
        // "regressed" tag.
        let own: Vec<Option<BudgetState>> = own
            .into_iter()
            .zip(&open_regressions)
            .map(|(state, &open)| match state {
                Some(BudgetState::Pass | BudgetState::Accepted) if open > 0 => Some(BudgetState::Regressed(Status::Warn)),
                other => other,
            })
            .collect();
        let worst: Vec<Option<BudgetState>> = (0..n).map(|i| worst_of(workspace, &own, i)).collect();
        for (i, state) in own.iter().enumerate() {
            let Some(state) = state else { continue };
            match Tally::of(*state) {
                Some(Tally::Pass) => counts.pass += 1,
                Some(Tally::Warnings) => counts.warnings += 1,
                Some(Tally::Failing) => counts.failing += 1,
                Some(Tally::NoData) => counts.no_data += 1,
                None => counts.not_loaded += 1,
            }
            counts.over += usize::from(*state == BudgetState::OverBudget);
            if matches!(state, BudgetState::Regressed(_)) || open_regressions[i] > 0 {
                counts.regressed += 1;
            }
        }
        counts.files_not_loaded = workspace.unloaded.len();
        counts.not_loaded += workspace.unloaded.iter().map(|f| f.budgets.count).sum::<usize>();
        counts.history_files_not_loaded = workspace.unloaded_history.len();
        let overall = if counts.not_checked() > 0 || counts.history_files_not_loaded > 0 {
            Overall::Incomplete { not_checked: counts.not_checked(), history_files_not_loaded: counts.history_files_not_loaded }
        } else {
            Overall::Checked(
                own.iter().flatten().map(|s| s.status()).chain(report.problems.iter().map(|p| p.status)).max().unwrap_or(Status::Pass),
            )
        };
        States { own, worst, open_regressions, counts, overall }
    }

    /// Whether budget `index` is regressed: the gate says so, or it has an open regression.
    #[must_use]
    pub fn is_regressed(&self, index: usize) -> bool {
        matches!(self.own.get(index), Some(Some(BudgetState::Regressed(_)))) || self.open_regressions.get(index).is_some_and(|&n| n > 0)
    }

    /// How many budgets count in a group.
    #[must_use]
    pub fn count(&self, tally: Tally) -> usize {
        match tally {
            Tally::Pass => self.counts.pass,
            Tally::Warnings => self.counts.warnings,
            Tally::Failing => self.counts.failing,
            Tally::NoData => self.counts.no_data,
        }
    }

    /// Whether budget `index` counts in a group.
    #[must_use]
    pub fn is_in(&self, index: usize, tally: Tally) -> bool {
        self.own.get(index).copied().flatten().and_then(Tally::of) == Some(tally)
    }

    /// Whether budget `index` is over its limit.
    #[must_use]
    pub fn is_over(&self, index: usize) -> bool {
        matches!(self.own.get(index), Some(Some(BudgetState::OverBudget)))
    }
}

/// One thing in the "Needs attention" view.
#[derive(Clone, Debug, PartialEq)]
pub struct Attention {
    /// What kind of thing it is; the list is sorted by it, most severe first.
    pub kind: AttentionKind,
    /// A line naming it.
    pub title: String,
    /// The budget to show (index), where there is one.
    pub budget: Option<usize>,
    /// The finding (index into the findings list), for an open regression.
    pub finding: Option<usize>,
    /// The proposal's id, for a proposal.
    pub proposal: Option<String>,
    /// The workspace error to show (index), for a file that did not load.
    pub error: Option<usize>,
}

/// The kinds of things that need attention, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AttentionKind {
    /// A budget or history file that did not load.
    NotLoaded,
    /// A budget over its limit.
    OverBudget,
    /// A regression the gate fails on.
    Regressed,
    /// A budget nothing measures in the checked run.
    NoData,
    /// A change point for the worse that nobody has triaged.
    Untriaged,
    /// A budget with a warning.
    Warning,
    /// A drift that reaches the limit within 90 days.
    Drift,
    /// A proposal waiting for signatures, approved and not applied, or stale.
    Proposal,
}

impl AttentionKind {
    /// Its heading word.
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            AttentionKind::NotLoaded => "not loaded",
            AttentionKind::OverBudget => "over budget",
            AttentionKind::Regressed => "regressed",
            AttentionKind::NoData => "no data",
            AttentionKind::Untriaged => "untriaged regression",
            AttentionKind::Warning => "warning",
            AttentionKind::Drift => "drifting to its limit",
            AttentionKind::Proposal => "proposal",
        }
    }

    /// The status it is shown in.
    #[must_use]
    pub fn status(self) -> Status {
        match self {
            AttentionKind::NotLoaded | AttentionKind::OverBudget | AttentionKind::Regressed | AttentionKind::NoData => Status::Fail,
            _ => Status::Warn,
        }
    }
}

/// A drift that reaches its limit within this many milliseconds (90 days) needs attention.
const DRIFT_HORIZON_MS: i64 = 90 * 86_400_000;

/// Everything that needs attention across the workspace's files, most severe first: files that
/// did not load, budgets over budget, regressed or without data, untriaged regressions (`changes`:
/// finding index, budget, words, whether it is untriaged and for the worse), warnings, drifts that
/// reach their limit within 90 days of `today`, and proposals not yet applied (`proposals`: id, words).
#[must_use]
pub fn needs_attention(
    workspace: &Workspace,
    report: &CheckReport,
    states: &States,
    changes: &[(usize, Option<usize>, String, bool)],
    proposals: &[(String, String)],
    today: crate::model::time::Timestamp,
) -> Vec<Attention> {
    let mut items = Vec::new();
    let item = |kind, title: String, budget| Attention { kind, title, budget, finding: None, proposal: None, error: None };
    for f in &workspace.unloaded {
        items.push(Attention {
            error: workspace.errors.iter().position(|e| e.file == f.file),
            ..item(
                AttentionKind::NotLoaded,
                format!("{}: {}", f.file, plural(f.budgets.count, "budget not checked", "budgets not checked")),
                None,
            )
        });
    }
    for file in &workspace.unloaded_history {
        items.push(Attention {
            error: workspace.errors.iter().position(|e| &e.file == file),
            ..item(AttentionKind::NotLoaded, format!("{file}: history not loaded, none of its runs checked"), None)
        });
    }
    for r in &report.results {
        let name = &workspace.budgets[r.budget].id;
        let kind = match states.own.get(r.budget).copied().flatten() {
            Some(BudgetState::OverBudget) => Some(AttentionKind::OverBudget),
            Some(BudgetState::Regressed(Status::Fail)) => Some(AttentionKind::Regressed),
            Some(BudgetState::NoData(_)) => Some(AttentionKind::NoData),
            Some(BudgetState::Warning | BudgetState::Regressed(_)) => Some(AttentionKind::Warning),
            _ => None,
        };
        if let Some(kind) = kind {
            let words = r.findings.first().map_or_else(String::new, |f| crate::report::describe(workspace, r, f));
            items.push(item(kind, format!("{name}: {words}"), Some(r.budget)));
        }
        if let Some(t) = &r.trend
            && t.worsening
            && let Some(at) = t.date_at_limit
            && at.0 - today.0 <= DRIFT_HORIZON_MS
            && kind != Some(AttentionKind::OverBudget)
        {
            items.push(item(AttentionKind::Drift, format!("{name}: reaches its limit on {}", at.date()), Some(r.budget)));
        }
    }
    for (finding, budget, words, untriaged) in changes {
        if *untriaged {
            items.push(Attention { finding: Some(*finding), ..item(AttentionKind::Untriaged, words.clone(), *budget) });
        }
    }
    for (id, words) in proposals {
        items.push(Attention { proposal: Some(id.clone()), ..item(AttentionKind::Proposal, words.clone(), None) });
    }
    items.sort_by_key(|i| i.kind);
    items
}
