//! The status bar: the workspace's standing and counts (each a link to those budgets), what is
//! running, the live history source, the message line, and the located errors of the workspace's files.

use crate::gui::prefs::LeftTab;
use crate::gui::standing::Tally;
use crate::gui::state::{AppState, Command, PromptCommand, TreeCommand, TreeFilter, WorkspaceCommand};
use crate::gui::theme;
use crate::gui::widgets::words::words;
use egui::{RichText, Ui};

/// The live history source, where the workspace names one: fresh, cached since a time (the store
/// failing), or failing.
fn history_source_ui(ui: &mut Ui, state: &AppState) {
    use crate::model::source::SourceState;
    let Some(source) = &state.workspace.history_source else { return };
    let color = match source {
        SourceState::Fresh { .. } => theme::PASS,
        SourceState::Cached { .. } => theme::WARN,
        SourceState::Failing { .. } => theme::FAIL,
    };
    ui.separator();
    ui.colored_label(color, source.to_string());
}

/// The files that did not load, budget files (with how many budgets they hold) and history files
/// (none of their runs checked), in the failing colour.
fn not_loaded_ui(ui: &mut Ui, counts: &crate::gui::standing::Counts) {
    if counts.files_not_loaded > 0 {
        ui.colored_label(
            theme::FAIL,
            format!(
                "{} in {} that did not load",
                crate::report::plural(counts.not_loaded, "budget", "budgets"),
                crate::report::plural(counts.files_not_loaded, "file", "files")
            ),
        );
    }
    if counts.history_files_not_loaded > 0 {
        ui.colored_label(
            theme::FAIL,
            format!(
                "{} that did not load: none of {} runs checked",
                crate::report::plural(counts.history_files_not_loaded, "history file", "history files"),
                if counts.history_files_not_loaded == 1 { "its" } else { "their" }
            ),
        );
    }
}

/// The status bar at the bottom of the main window.
pub fn status_bar_ui(ui: &mut Ui, state: &AppState, left_tab: &mut LeftTab, commands: &mut Vec<Command>) {
    if let Some((fraction, what)) = state.loading() {
        ui.add(egui::ProgressBar::new(fraction).show_percentage().text(format!("Loading: {what}")));
    }
    if let Some(what) = state.working() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(words(ui.style(), &what, |t| t));
        });
    }
    if !state.has_loaded() {
        // Nothing checked yet: the empty workspace's counts and problems would mislead.
        if let Some(message) = &state.message {
            ui.label(words(ui.style(), message, RichText::strong));
        }
        return;
    }
    ui.horizontal_wrapped(|ui| {
        // The whole workspace first, never calmer than the truth: incomplete where any budget
        // went unchecked (a file that did not load, no data in this environment).
        let overall = state.states.overall;
        // While the change points are being found, a pass is not yet known.
        let pending = state.analysing() && overall.status() == crate::engine::check::Status::Pass;
        let phrase = if pending {
            RichText::new("ANALYSING…").strong().color(theme::text(theme::status_color(None), ui))
        } else {
            RichText::new(overall.words().to_uppercase()).strong().color(theme::text(theme::status_color(Some(overall.status())), ui))
        };
        if state.attention.is_empty() {
            ui.label(phrase);
        } else if ui.link(phrase).on_hover_text("Show what needs attention, most severe first").clicked() {
            *left_tab = LeftTab::Attention;
        }
        ui.separator();
        let counts = state.states.counts;
        not_loaded_ui(ui, &counts);
        // Each count is a link: it shows those budgets in the tree.
        for (tally, color) in
            [(Tally::NoData, theme::FAIL), (Tally::Failing, theme::FAIL), (Tally::Warnings, theme::WARN), (Tally::Pass, theme::PASS)]
        {
            let n = state.states.count(tally);
            if (n == 0 && tally == Tally::NoData) || (tally == Tally::Pass && state.analysing()) {
                continue;
            }
            let link = ui.link(RichText::new(tally.words(n)).color(theme::text(color, ui))).on_hover_text("Show them in the tree");
            if link.clicked() {
                commands.push(Command::Tree(TreeCommand::ShowTally(tally)));
            }
        }
        if counts.regressed > 0 {
            let link = ui
                .link(
                    RichText::new(crate::report::plural(counts.open_regressions, "open regression", "open regressions"))
                        .color(theme::text(theme::WARN, ui)),
                )
                .on_hover_text("Show the budgets with an open regression in the tree");
            if link.clicked() {
                commands.push(Command::Tree(TreeCommand::SetFilter(TreeFilter {
                    regressed_only: true,
                    sort: state.tree.filter.sort,
                    ..Default::default()
                })));
            }
        }
        ui.separator();
        ui.label(format!(
            "{}, {}",
            crate::report::plural(state.workspace.history.runs.len(), "run", "runs"),
            crate::report::plural(state.workspace.history.series.len(), "metric", "metrics")
        ));
        history_source_ui(ui, state);
        if let Some(message) = &state.message {
            ui.separator();
            ui.label(words(ui.style(), message, RichText::strong));
            if ui.small_button("Dismiss").clicked() {
                commands.push(Command::Workspace(WorkspaceCommand::DismissMessage));
            }
        }
    });
    problems_ui(ui, state);
    let errors = state.load_errors().count();
    if errors > 0 {
        egui::CollapsingHeader::new(
            RichText::new(format!("{} in the workspace's files", crate::report::plural(errors, "problem", "problems")))
                .color(theme::text(theme::FAIL, ui)),
        )
        .id_salt("errors")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().max_height(140.0).show(ui, |ui| {
                for (i, e) in state.load_errors().enumerate() {
                    if crate::gui::widgets::error::error_row_ui(ui, crate::gui::widgets::error::row_text(e)).clicked() {
                        commands.push(Command::Prompt(PromptCommand::ShowError(i)));
                    }
                }
            });
        });
    }
}

/// The check's problems, and the runs every baseline left out as the runner's brief incidents (said,
/// so that no verdict reads calmer than the runs behind it).
fn problems_ui(ui: &mut Ui, state: &AppState) {
    for problem in &state.report.problems {
        let color = theme::text(theme::status_color(Some(problem.status)), ui);
        ui.label(words(ui.style(), &problem.message, |t| t.color(color)));
    }
    if let Some(message) = crate::report::incidents_line(&state.report) {
        ui.label(words(ui.style(), &message, |t| t.color(theme::text(theme::WARN, ui))));
    }
}
