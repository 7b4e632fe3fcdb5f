//! The app's state and the one place that changes it ([`AppState::apply`]), free of egui so it is
//! tested on its own. Panels read the state and push [`Command`]s.

use crate::engine::analyze::{Severity, Verdict};
use crate::engine::changepoint::{self, DetectorSettings};
use crate::engine::check::{CheckOptions, CheckReport, Status, check};
use crate::model::workspace::Workspace;
use crate::report::quantity;
use std::collections::HashMap;
use std::path::PathBuf;

/// Where the open workspace comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A folder on disk.
    Folder(PathBuf),
    /// The example built into the binary (read-only).
    Example,
}

impl Source {
    /// Where to open by default: `budgets/` in the current folder, else the built-in example.
    #[must_use]
    pub fn default_here() -> Source {
        let here = PathBuf::from("budgets");
        if here.is_dir() { Source::Folder(here) } else { Source::Example }
    }
}

/// Something the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Select a budget (its index in the workspace) to see its history.
    Select(usize),
    /// Show the "open workspace" window, with this text in its path field.
    ShowOpen(String),
    /// Close the "open workspace" window.
    CancelOpen,
    /// Open a workspace folder.
    Open(PathBuf),
    /// Read the workspace's files again.
    Reload,
    /// Hide the message line.
    DismissMessage,
}

/// A plotted series, prepared once when a budget is selected (not every frame).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlotData {
    /// Runs of the default branch: (x, value), x in seconds since 1970 where runs have times, else run numbers.
    pub main: Vec<[f64; 2]>,
    /// Runs of other branches (pull requests).
    pub other: Vec<[f64; 2]>,
    /// The run ids, commits and branches of `main` then `other`, for hover text.
    pub labels: Vec<String>,
    /// Whether x is a time.
    pub x_is_time: bool,
    /// The engine's change points of `main`: (x, severity, words).
    pub change_points: Vec<(f64, Severity, String)>,
    /// The engine's level of each segment of `main`, as a step line.
    pub levels: Vec<[f64; 2]>,
}

/// Everything the app shows, derived from the workspace on each load.
pub struct AppState {
    /// Where the workspace came from.
    pub source: Source,
    /// The open workspace.
    pub workspace: Workspace,
    /// Its check, as `headroom check` makes it.
    pub report: CheckReport,
    /// The result of each checked budget, by budget index.
    pub result_of: HashMap<usize, usize>,
    /// The selected budget.
    pub selected: Option<usize>,
    /// The selected budget's series.
    pub plot: PlotData,
    /// The path typed in the "open workspace" window, where it is open.
    pub open_path: Option<String>,
    /// A message for the user (a folder that could not be opened, say).
    pub message: Option<String>,
}

impl AppState {
    /// Loads the workspace from `source`; a folder that cannot be read falls back to the example, with a message.
    #[must_use]
    pub fn new(source: &Source) -> AppState {
        let (source, workspace, message) = match source {
            Source::Folder(path) => match Workspace::load(path) {
                Ok(w) => (source.clone(), w, None),
                Err(e) => (Source::Example, crate::example::workspace(), Some(format!("Cannot open {}: {e}", path.display()))),
            },
            Source::Example => (Source::Example, crate::example::workspace(), None),
        };
        let mut state = AppState {
            source,
            report: check(&workspace, &CheckOptions::default()),
            workspace,
            result_of: HashMap::new(),
            selected: None,
            plot: PlotData::default(),
            open_path: None,
            message,
        };
        state.derive();
        state
    }

    fn derive(&mut self) {
        self.report = check(&self.workspace, &CheckOptions::default());
        self.result_of = self.report.results.iter().enumerate().map(|(i, r)| (r.budget, i)).collect();
        // Keep the selection across a reload where the budget still exists.
        self.plot = PlotData::default();
        if let Some(index) = self.selected {
            self.selected = None;
            if index < self.workspace.budgets.len() {
                self.select(index);
            }
        }
    }

    /// Applies one command.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Select(index) => self.select(index),
            Command::ShowOpen(text) => self.open_path = Some(text),
            Command::CancelOpen => self.open_path = None,
            Command::Open(path) => match Workspace::load(&path) {
                Ok(workspace) => {
                    self.workspace = workspace;
                    self.source = Source::Folder(path);
                    self.selected = None;
                    self.open_path = None;
                    self.message = None;
                    self.derive();
                }
                // A failed open changes nothing but the message.
                Err(e) => self.message = Some(format!("Cannot open {}: {e}", path.display())),
            },
            Command::Reload => {
                let selected_id = self.selected.map(|i| self.workspace.budgets[i].id.clone());
                match &self.source {
                    Source::Folder(path) => match Workspace::load(path) {
                        Ok(w) => self.workspace = w,
                        Err(e) => {
                            self.message = Some(format!("Cannot reload {}: {e}", path.display()));
                            return;
                        }
                    },
                    Source::Example => self.workspace = crate::example::workspace(),
                }
                self.selected = selected_id.and_then(|id| self.workspace.budgets.iter().position(|b| b.id == id));
                self.derive();
            }
            Command::DismissMessage => self.message = None,
        }
    }

    fn select(&mut self, index: usize) {
        let Some(budget) = self.workspace.budgets.get(index) else { return };
        self.selected = Some(index);
        let history = &self.workspace.history;
        let mut plot = PlotData::default();
        let environment = self.report.environment.clone();
        if let Some(series) = history.series.get(&budget.metric) {
            let factor = series.unit.as_ref().and_then(|u| u.convert(1.0, &budget.unit)).unwrap_or(1.0);
            plot.x_is_time = history.runs.iter().all(|r| r.timestamp.is_some());
            let mut other_labels = Vec::new();
            for point in &series.points {
                let run = &history.runs[point.run as usize];
                if run.environment != environment {
                    continue;
                }
                let Some(value) = point.measurement.statistic(budget.statistic) else { continue };
                let x = match run.timestamp {
                    Some(t) if plot.x_is_time => t.as_secs_f64(),
                    _ => f64::from(point.run),
                };
                let label = format!(
                    "run {}{}{}",
                    run.id,
                    run.commit.as_ref().map_or_else(String::new, |c| format!(" · {}", &c[..c.len().min(8)])),
                    run.branch.as_ref().map_or_else(String::new, |b| format!(" · {b}"))
                );
                if run.branch.as_deref() == Some(self.report.baseline_branch.as_str()) || run.branch.is_none() {
                    plot.main.push([x, value * factor]);
                    plot.labels.push(label);
                } else {
                    plot.other.push([x, value * factor]);
                    other_labels.push(label);
                }
            }
            plot.labels.extend(other_labels);
            self.add_change_points(&mut plot, index);
        }
        self.plot = plot;
    }

    /// The engine's change points and segment levels over the plotted runs of the baseline branch.
    fn add_change_points(&self, plot: &mut PlotData, index: usize) {
        let budget = &self.workspace.budgets[index];
        let values: Vec<f64> = plot.main.iter().map(|p| p[1]).collect();
        let segmentation = changepoint::detect(&values, &DetectorSettings::default());
        let environment = self.report.environment.as_deref();
        for cp in &segmentation.change_points {
            let verdict = Verdict::of(budget.direction, cp.before, cp.after);
            let severity =
                Severity::of(verdict, budget.direction, cp.before, cp.after, budget.limit_in(environment), budget.warning_in(environment));
            let unit = budget.unit.symbol();
            let words = format!(
                "{} {} to {} ({}), {}",
                verdict.as_str(),
                quantity(cp.before, unit),
                quantity(cp.after, unit),
                cp.relative_change().map_or_else(String::new, |r| format!("{:+.1}%", r * 100.0)),
                severity.as_str()
            );
            plot.change_points.push((plot.main[cp.index][0], severity, words));
        }
        for s in &segmentation.segments {
            plot.levels.push([plot.main[s.start][0], s.level]);
            plot.levels.push([plot.main[s.end - 1][0], s.level]);
        }
    }

    /// The status of a budget: the worst of its own result and those of everything under it,
    /// so a collapsed row still shows a failing allocation.
    #[must_use]
    pub fn status_of(&self, index: usize) -> Option<Status> {
        let own = self.result_of.get(&index).map(|&r| self.report.results[r].status);
        let children = self.workspace.budgets[index].children.iter().filter_map(|&c| self.status_of(c));
        own.into_iter().chain(children).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selecting_a_budget_prepares_its_series() {
        let mut state = AppState::new(&Source::Example);
        let index = state.workspace.budgets.iter().position(|b| b.id == "services.api_gateway").unwrap();
        state.apply(Command::Select(index));
        assert_eq!(state.selected, Some(index));
        assert!(state.plot.main.len() > 100, "{}", state.plot.main.len());
        assert!(!state.plot.other.is_empty());
        assert!(state.plot.x_is_time);
    }

    #[test]
    fn a_group_takes_the_worst_status_of_its_members() {
        let state = AppState::new(&Source::Example);
        let frontend = state.workspace.budgets.iter().position(|b| b.id == "frontend").unwrap();
        // frontend.javascript crosses its budget at the end of the example history.
        let js = state.workspace.budgets.iter().position(|b| b.id == "frontend.javascript").unwrap();
        assert_eq!(state.status_of(js), Some(Status::Fail));
        assert_eq!(state.status_of(frontend), Some(Status::Fail));
    }

    #[test]
    fn opening_a_missing_folder_changes_nothing_but_the_message() {
        let mut state = AppState::new(&Source::Example);
        state.apply(Command::Select(1));
        state.apply(Command::Open(PathBuf::from("/no/such/folder")));
        assert_eq!(state.source, Source::Example);
        assert_eq!(state.selected, Some(1));
        assert!(state.message.as_deref().unwrap_or("").contains("/no/such/folder"));
    }

    #[test]
    fn reload_keeps_the_selection_by_id() {
        let mut state = AppState::new(&Source::Example);
        state.apply(Command::Select(3));
        let id = state.workspace.budgets[3].id.clone();
        state.apply(Command::Reload);
        assert_eq!(state.selected.map(|i| state.workspace.budgets[i].id.clone()), Some(id));
    }
}
