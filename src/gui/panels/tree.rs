//! The budget tree: every budget with its status, value against limit and headroom, the noise
//! floor and the time until a drift reaches the limit; filterable and sortable.

use crate::engine::check::Status;
use crate::gui::state::{AppState, Command, PromptCommand, SortKey, TreeCommand, TreeFilter, WorkspaceCommand};
use crate::gui::theme;
use crate::gui::widgets::budget::{row_text, status_dot_ui};
use crate::model::budget::BudgetKind;
use egui::{RichText, Ui};

/// The id of the filter field, so Ctrl+F can focus it.
#[must_use]
pub fn filter_id() -> egui::Id {
    egui::Id::unique("budget filter")
}

/// The filter bar and the tree.
pub fn tree_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let mut filter = state.tree.filter.clone();
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut filter.text)
                .id(filter_id())
                .hint_text(crate::gui::theme::hint(ui, "Filter budgets (Ctrl+F)"))
                .desired_width(200.0),
        );
        ui.checkbox(&mut filter.over_only, "over budget");
        ui.checkbox(&mut filter.regressed_only, "open regression").on_hover_text(
            "The gate finds the newest run regressed, or a change point for the worse is not yet fixed, won't fix or invalid",
        );
    });
    ui.horizontal(|ui| {
        let label = ui.label("Sort by");
        egui::ComboBox::from_id_salt("sort")
            .selected_text(filter.sort.label())
            .show_ui(ui, |ui| {
                for key in SortKey::ALL {
                    ui.selectable_value(&mut filter.sort, key, key.label());
                }
            })
            .response
            .labelled_by(label.id);
        environment_ui(ui, state, commands);
    });
    if let Some(tally) = filter.tally {
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("Showing only: {}", tally.words(state.states.count(tally)))).strong());
            if ui.small_button("Show all").clicked() {
                filter.tally = None;
            }
        });
    }
    if filter != state.tree.filter {
        commands.push(Command::Tree(TreeCommand::SetFilter(filter.clone())));
    }
    ui.separator();
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        // Sorted by status, the files that did not load (nothing in them checked) lead.
        let unloaded_first = state.tree.filter.sort == SortKey::Status;
        let mut any = unloaded_first && unloaded_files_ui(ui, state, commands);
        for (file, roots) in &state.tree.ordered_roots {
            if !roots.iter().any(|&r| state.tree.shown.get(r).copied().unwrap_or(false)) {
                continue;
            }
            any = true;
            egui::CollapsingHeader::new(RichText::new(file).weak()).id_salt(("file", file)).default_open(true).show(ui, |ui| {
                for &root in roots {
                    budget_row_ui(ui, state, root, commands);
                }
            });
        }
        if !unloaded_first {
            any |= unloaded_files_ui(ui, state, commands);
        }
        if !any {
            ui.label(if !state.has_loaded() {
                "Loading the workspace…"
            } else if state.workspace.budgets.is_empty() {
                "No budgets in this workspace."
            } else {
                "No budget matches the filter."
            });
            if state.tree.filter != TreeFilter::default() && ui.button("Clear the filter").clicked() {
                commands.push(Command::Tree(TreeCommand::SetFilter(TreeFilter { sort: state.tree.filter.sort, ..TreeFilter::default() })));
            }
        }
    });
}

/// The environment switcher.
pub fn environment_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let environments = &state.environments;
    if environments.len() < 2 {
        return;
    }
    let shown = state.report.environment.clone().unwrap_or_default();
    let label = ui.label("Environment");
    egui::ComboBox::from_id_salt("environment")
        .selected_text(shown.as_str())
        .show_ui(ui, |ui| {
            for env in environments {
                if ui.selectable_label(&shown == env, env).clicked() && &shown != env {
                    commands.push(Command::Workspace(WorkspaceCommand::SetEnvironment(Some(env.clone()))));
                }
            }
        })
        .response
        .labelled_by(label.id);
}

/// The budget files that did not load, as red nodes with the budgets they name marked "not
/// loaded" (never green, never missing) and each of the file's errors a row: a click on a budget
/// shows the file's first error, a click on an error its lines. Whether any was shown.
fn unloaded_files_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) -> bool {
    for unloaded in &state.workspace.unloaded {
        let errors: Vec<usize> =
            state.workspace.errors.iter().enumerate().filter(|(_, e)| e.file == unloaded.file).map(|(i, _)| i).collect();
        let title = format!(
            "{} did not load: {}, {}",
            unloaded.file,
            crate::report::plural(unloaded.budgets.count, "budget not checked", "budgets not checked"),
            crate::report::plural(errors.len(), "problem", "problems")
        );
        egui::CollapsingHeader::new(RichText::new(title).color(theme::text(theme::FAIL, ui)).strong())
            .id_salt(("unloaded", &unloaded.file))
            .default_open(true)
            .show(ui, |ui| {
                for id in &unloaded.budgets.ids {
                    ui.horizontal(|ui| {
                        status_dot_ui(ui, Some(Status::Fail));
                        let row =
                            ui.selectable_label(false, RichText::new(format!("{id}   not loaded")).color(theme::text(theme::FAIL, ui)));
                        if row.on_hover_text("Its file did not load: show the problem").clicked()
                            && let Some(&first) = errors.first()
                        {
                            commands.push(Command::Prompt(PromptCommand::ShowError(first)));
                        }
                    });
                }
                if unloaded.budgets.ids.is_empty() {
                    ui.label(
                        RichText::new("The file does not parse: its budgets are unknown until it does.")
                            .color(theme::text(theme::FAIL, ui)),
                    );
                }
                // Each of the file's problems, one row with its line and field: a click shows its lines.
                for &i in &errors {
                    if crate::gui::widgets::error::error_row_ui(
                        ui,
                        crate::gui::widgets::error::row_text_in_file(&state.workspace.errors[i]),
                    )
                    .clicked()
                    {
                        commands.push(Command::Prompt(PromptCommand::ShowError(i)));
                    }
                }
            });
    }
    !state.workspace.unloaded.is_empty()
}

/// The noise floor and the time until a drift uses the headroom up, in a few words each.
fn noise_texts(state: &AppState, index: usize) -> Vec<String> {
    use crate::engine::analyze::Forecast;
    let Some(r) = state.result_of.get(&index).map(|&r| &state.report.results[r]) else { return Vec::new() };
    let mut parts = Vec::new();
    if let (Some(b), Some(_)) = (&r.baseline, r.smallest_flaggable)
        && let Some(noise) = b.noise
        && b.value != 0.0
    {
        parts.push(format!("±{:.1}%", 100.0 * noise / b.value.abs()));
    }
    // The row's OVER tag already says a metric over its limit is over.
    let said =
        r.trend.as_ref().and_then(crate::engine::analyze::Trend::forecast).is_some_and(|f| f == Forecast::Over) && state.is_over(index);
    if let Some(words) = r.trend.as_ref().and_then(crate::report::forecast_short).filter(|_| !said) {
        parts.push(words);
    }
    parts
}

fn tags_ui(ui: &mut Ui, state: &AppState, index: usize) {
    use crate::gui::standing::BudgetState;
    if state.is_over(index) {
        ui.label(RichText::new("OVER").small().strong().color(theme::text(theme::FAIL, ui)));
    } else if let Some(BudgetState::NoData(status)) = state.state_of(index) {
        ui.label(RichText::new("NO DATA").small().strong().color(theme::text(theme::status_color(Some(status)), ui)));
    } else if state.is_regressed(index) {
        // The gate's status where it judged a regression; an open change point alone is a warning.
        let status = match state.state_of(index) {
            Some(BudgetState::Regressed(s)) => s,
            _ => Status::Warn,
        };
        ui.label(RichText::new("REGRESSED").small().strong().color(theme::text(theme::status_color(Some(status)), ui)));
    } else if state.state_of(index) == Some(BudgetState::Accepted) {
        // The gate passes it at a worse level people accepted: said, never a plain green row.
        ui.label(RichText::new("ACCEPTED").small().strong().color(theme::text(theme::status_color(Some(Status::Warn)), ui)))
            .on_hover_text("a worse level accepted by a triage record or a signed loosening: the gate passes it");
    }
    // Each tag whole: where the row is full, a tag goes to the next line, never split in two
    // ("limit" at the end of one line and its date at the start of the next).
    for text in noise_texts(state, index) {
        let hover = if text.starts_with('±') { "noise floor" } else { "when the drift reaches the limit" };
        ui.add(egui::Label::new(RichText::new(text).small().weak()).wrap_mode(egui::TextWrapMode::Extend)).on_hover_text(hover);
    }
}

fn budget_row_ui(ui: &mut Ui, state: &AppState, index: usize, commands: &mut Vec<Command>) {
    if !state.tree.shown.get(index).copied().unwrap_or(false) {
        return;
    }
    let budget = &state.workspace.budgets[index];
    let selected = state.selected == Some(index);
    let children = &state.tree.ordered_children[index];
    if children.is_empty() {
        // Wrapping: the tags go below the row rather than past the panel's edge.
        ui.horizontal_wrapped(|ui| {
            status_dot_ui(ui, state.status_of(index));
            if ui.selectable_label(selected, row_text(ui, state, index)).on_hover_text(&budget.id).clicked() {
                commands.push(Command::Tree(TreeCommand::Select(index)));
            }
            tags_ui(ui, state, index);
        });
        return;
    }
    let id = ui.make_persistent_id(("budget", &budget.id));
    let mut collapsing = egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, budget.kind == BudgetKind::Group);
    if !state.tree.filter.text.is_empty()
        || state.tree.filter.over_only
        || state.tree.filter.regressed_only
        || state.tree.filter.tally.is_some()
    {
        // While filtering, what matched is shown, not hidden in a collapsed parent.
        collapsing.set_open(true);
    }
    collapsing
        .show_header(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                status_dot_ui(ui, state.status_of(index));
                if ui.selectable_label(selected, row_text(ui, state, index)).on_hover_text(&budget.id).clicked() {
                    commands.push(Command::Tree(TreeCommand::Select(index)));
                }
                tags_ui(ui, state, index);
            });
        })
        .body(|ui| {
            if budget.kind != BudgetKind::Group {
                crate::gui::widgets::budget::allocation_sum_ui(ui, state, index, false);
            }
            for &child in children {
                budget_row_ui(ui, state, child, commands);
            }
        });
}
