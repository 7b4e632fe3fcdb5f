//! The tree area: which budgets the tree shows and in what order (derived on load and on each
//! filter change, never per frame).

use crate::engine::check::{CheckReport, Status};
use crate::gui::standing::{BudgetState, States, Tally};
use crate::model::workspace::Workspace;
use std::collections::HashMap;

/// Something the user asked of the tree.
#[derive(Clone, Debug, PartialEq)]
pub enum TreeCommand {
    /// Select a budget (its index in the workspace) to see its history.
    Select(usize),
    /// Change which budgets the tree shows.
    SetFilter(TreeFilter),
    /// Show the budgets of one of the status bar's groups in the tree.
    ShowTally(Tally),
}

/// The budget tree: its filter and what it derives.
#[derive(Default)]
pub struct TreeView {
    /// Which budgets the tree shows.
    pub filter: TreeFilter,
    /// Per budget: whether the tree shows it (it matches, or something under it does).
    pub shown: Vec<bool>,
    /// Per budget: its children in the tree's order.
    pub ordered_children: Vec<Vec<usize>>,
    /// Per budget file: its top-level budgets in the tree's order.
    pub ordered_roots: Vec<(String, Vec<usize>)>,
}

/// What the tree is derived from: the workspace, its check and the states of its budgets.
pub(super) struct TreeInput<'a> {
    pub(super) workspace: &'a Workspace,
    pub(super) report: &'a CheckReport,
    pub(super) result_of: &'a HashMap<usize, usize>,
    pub(super) states: &'a States,
}

impl TreeInput<'_> {
    fn status_of(&self, index: usize) -> Option<Status> {
        self.states.worst.get(index).copied().flatten().map(BudgetState::status)
    }

    /// The headroom fraction for sorting: the least of the budget's and everything under it.
    fn headroom_of(&self, index: usize) -> f64 {
        let own = self.result_of.get(&index).and_then(|&r| self.report.results[r].headroom_fraction()).unwrap_or(f64::INFINITY);
        self.workspace.budgets[index].children.iter().map(|&c| self.headroom_of(c)).fold(own, f64::min)
    }
}

impl TreeView {
    /// Shows and orders the budgets by the filter.
    pub(super) fn derive(&mut self, input: &TreeInput<'_>) {
        let budgets = &input.workspace.budgets;
        let text = self.filter.text.to_lowercase();
        let matches = |i: usize| {
            let b = &budgets[i];
            (text.is_empty() || b.id.to_lowercase().contains(&text) || b.name.to_lowercase().contains(&text))
                && (!self.filter.over_only || input.states.is_over(i))
                && (!self.filter.regressed_only || input.states.is_regressed(i))
                && self.filter.tally.is_none_or(|t| input.states.is_in(i, t))
        };
        let mut shown = vec![false; budgets.len()];
        for i in 0..budgets.len() {
            if matches(i) {
                // A match shows its ancestors, so it stays in its place in the tree.
                let mut at = Some(i);
                while let Some(j) = at {
                    shown[j] = true;
                    at = budgets[j].parent;
                }
            }
        }
        let order = |list: &mut Vec<usize>| match self.filter.sort {
            SortKey::File => {}
            SortKey::Name => list.sort_by_key(|&i| budgets[i].name.to_lowercase()),
            SortKey::Status => list.sort_by_key(|&i| std::cmp::Reverse(input.status_of(i))),
            SortKey::Headroom => list.sort_by(|&a, &b| input.headroom_of(a).total_cmp(&input.headroom_of(b))),
        };
        let mut ordered_children: Vec<Vec<usize>> = budgets.iter().map(|b| b.children.clone()).collect();
        ordered_children.iter_mut().for_each(order);
        let mut ordered_roots = Vec::new();
        for file in &input.workspace.budget_files {
            let mut roots: Vec<usize> = input.workspace.roots_of(file).collect();
            order(&mut roots);
            ordered_roots.push((file.clone(), roots));
        }
        if self.filter.sort == SortKey::Status {
            // Failures first across files, not only within each: a file goes by its worst budget.
            ordered_roots.sort_by_key(|(_, roots)| std::cmp::Reverse(roots.iter().map(|&r| input.status_of(r)).max().flatten()));
        }
        self.shown = shown;
        self.ordered_children = ordered_children;
        self.ordered_roots = ordered_roots;
    }
}

/// How the budget tree orders siblings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SortKey {
    /// As written in the files.
    #[default]
    File,
    /// By name.
    Name,
    /// Worst status first.
    Status,
    /// Least headroom first.
    Headroom,
}

impl SortKey {
    /// Every order, for a menu.
    pub const ALL: [SortKey; 4] = [SortKey::File, SortKey::Name, SortKey::Status, SortKey::Headroom];

    /// Its name in the menu.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            SortKey::File => "file order",
            SortKey::Name => "name",
            SortKey::Status => "status",
            SortKey::Headroom => "headroom left",
        }
    }
}

/// Which budgets the tree shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TreeFilter {
    /// Text to find in a budget's id or name (any case).
    pub text: String,
    /// Only budgets over their limit.
    pub over_only: bool,
    /// Only budgets with an open regression (see [`crate::gui::standing`]).
    pub regressed_only: bool,
    /// Only budgets of one of the status bar's groups (its counts are clickable).
    pub tally: Option<Tally>,
    /// The order of siblings.
    pub sort: SortKey,
}
