//! The metric view: the selected budget's check, its allocations, the engine's findings on it
//! (change points and changes of noise), and its history plotted against the limit.

use crate::engine::check::{BudgetResult, Finding, Status};
use crate::gui::state::{AppState, Command, PlotCommand, ProposalCommand, ProposalDraft, TimeRange, TreeCommand, slug};
use crate::gui::theme;
use crate::gui::widgets::budget::{allocation_sum_ui, row_text, status_dot_ui};
use crate::gui::widgets::plot::{PlotOptions, history_plot_with_runs_ui, stacked_plot_ui, view_moved};
use crate::gui::widgets::words::words;
use crate::report::{describe, quantity};
use egui::{RichText, Ui};

/// The metric view of the selected budget.
pub fn metric_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(index) = state.selected else {
        ui.centered_and_justified(|ui| ui.label("Select a budget on the left to see its history against the budget."));
        return;
    };
    let budget = &state.workspace.budgets[index];
    let result = state.result_of.get(&index).map(|&r| &state.report.results[r]);
    // The title is in the colour of the budget's own state, as its status word below; what
    // its allocations or members say is a line of its own.
    let own = state.state_of(index);
    ui.heading(
        RichText::new(&budget.name)
            .color(theme::text(theme::status_color(own.map(crate::gui::standing::BudgetState::status).or(state.status_of(index))), ui)),
    );
    ui.label(RichText::new(format!("{} · {}:{}", budget.id, budget.file, budget.pos.line)).weak());
    if let Some(description) = &budget.description {
        ui.label(description);
    }
    let Some(r) = result else {
        ui.label(format!("A group of {} budgets:", budget.children.len()));
        children_ui(ui, state, index, commands);
        return;
    };
    result_ui(ui, r, &budget.statistic.to_string(), state, index);
    below_ui(ui, state, index);
    propose_button_ui(ui, state, index, r.limit, commands);
    if !budget.children.is_empty() {
        ui.add_space(4.0);
        allocation_sum_ui(ui, state, index, true);
        children_ui(ui, state, index, commands);
    }
    ui.add_space(4.0);
    // A plot made again (its change points came in) stays shown meanwhile.
    if state.plot_preparing() && state.plot.data.main.is_empty() && state.plot.data.other.is_empty() {
        let runs = state.workspace.history.series.get(&budget.metric).map_or(0, crate::model::columnar::Series::len);
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("Preparing the plot of {runs} runs…"));
        });
        return;
    }
    if state.plot.data.main.is_empty() && state.plot.data.other.is_empty() {
        ui.label(words(ui.style(), &format!("No history for the metric `{}` in this environment.", budget.metric), |t| t));
        return;
    }
    // Wraps on a narrow window, so the plot below keeps the full width.
    ui.horizontal_wrapped(|ui| {
        ui.label("Show");
        // Panned or zoomed away, no range is what the plot shows: none lit (one stayed lit).
        let moved = view_moved(ui.ctx(), "history");
        for range in TimeRange::OFFERED {
            if ui.selectable_label(state.plot.range == range && !moved, range.label()).clicked() {
                commands.push(Command::Plot(PlotCommand::SetRange(range)));
            }
        }
        if moved {
            ui.label(RichText::new("view moved").weak().small());
        }
        if !state.plot.data.stack.is_empty() {
            ui.separator();
            if ui.selectable_label(!state.plot.stacked, "history").clicked() {
                commands.push(Command::Plot(PlotCommand::SetStacked(false)));
            }
            if ui.selectable_label(state.plot.stacked, "allocations stacked").clicked() {
                commands.push(Command::Plot(PlotCommand::SetStacked(true)));
            }
        }
        if !state.plot.stacked || state.plot.data.stack.is_empty() {
            ui.separator();
            ui.label("Scale to");
            for (on, words) in [(false, "the data"), (true, "the limit")] {
                if ui.selectable_label(state.plot.scale_to_limit == on, words).clicked() {
                    commands.push(Command::Plot(PlotCommand::SetScaleToLimit(on)));
                }
            }
        }
        overlay_menu_ui(ui, state, commands);
        ui.separator();
        ui.label(
            RichText::new(
                "drag or scroll to pan, Ctrl+scroll to zoom, right-drag a box to zoom into it, double-click to return to the range",
            )
            .weak()
            .small(),
        );
    });
    let (view, generation) = state.plot.view.map_or((None, 0), |v| (Some(v.x), v.generation));
    let proposed = state.proposals.draft.as_ref().filter(|d| d.budget == index && d.environment.is_none()).map(|d| d.new);
    let options = PlotOptions {
        id: "history",
        view,
        generation,
        show_legend: true,
        height: 0.0,
        proposed,
        gpu: state.gpu_plot,
        scale_to_limit: state.plot.scale_to_limit,
    };
    if state.plot.stacked && !state.plot.data.stack.is_empty() {
        stacked_plot_ui(ui, &state.plot.data, r, &options);
    } else {
        // A double-click fits the chosen range (30 d, 90 d ...), as its lit button says.
        if history_plot_with_runs_ui(ui, &state.plot.data, r, &options, Some(&state.workspace.history)) {
            commands.push(Command::Plot(PlotCommand::SetRange(state.plot.range)));
        }
    }
}

/// The menu of other budgets' metrics to draw over this one (in its unit). Which ones can be
/// drawn is worked out only while the menu is open.
fn overlay_menu_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    if state.result_of.len() < 2 {
        return;
    }
    ui.separator();
    let title = if state.plot.overlays.is_empty() { "Overlay".to_owned() } else { format!("Overlay ({})", state.plot.overlays.len()) };
    // Stays open while boxes are ticked, so several metrics can be overlaid at once.
    let config = egui::containers::menu::MenuConfig::new().close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
    egui::containers::menu::MenuButton::new(title).config(config).ui(ui, |ui| {
        let candidates = state.overlay_candidates();
        if candidates.is_empty() {
            ui.label("No other budget is in a unit that converts to this one's.");
            return;
        }
        ui.label(RichText::new("Draw other budgets' metrics on this plot, in its unit").weak());
        egui::ScrollArea::vertical().max_height(360.0).show(ui, |ui| {
            for index in candidates {
                let budget = &state.workspace.budgets[index];
                let mut on = state.plot.overlays.contains(&budget.id);
                if ui.checkbox(&mut on, format!("{} ({})", budget.name, budget.id)).changed() {
                    commands.push(Command::Plot(PlotCommand::ToggleOverlay(index)));
                }
            }
        });
    });
}

fn result_ui(ui: &mut Ui, r: &BudgetResult, statistic: &str, state: &AppState, index: usize) {
    let unit = r.unit.symbol();
    // The budget's state (one definition: `standing`), as its dot and tags show it; where it is
    // not the gate's own word, the gate's says so beside it.
    let own = state.state_of(index).unwrap_or_else(|| crate::gui::standing::BudgetState::of(r));
    let color = theme::status_text_color(Some(own.status()), ui.visuals().dark_mode);
    ui.horizontal_wrapped(|ui| {
        if state.analysis_pending(index) {
            // No pass until the change points are in.
            ui.label(RichText::new("analysing…").strong().color(theme::status_text_color(None, ui.visuals().dark_mode)));
        } else {
            ui.label(RichText::new(own.status().as_str().to_uppercase()).strong().color(color));
            ui.label(RichText::new(own.words()).strong().color(color));
            if own.status() != r.status {
                ui.label(format!("(the CI gate: {})", r.status.as_str()));
            }
        }
        ui.label(format!("metric {} ({statistic})", r.metric));
        ui.separator();
        ui.label(format!("value {}", r.value.map_or_else(|| "–".to_owned(), |v| quantity(v, unit))));
        ui.label(format!("limit {}", quantity(r.limit, unit)));
        if let Some(w) = r.warning {
            ui.label(format!("warning at {}", quantity(w, unit)));
        }
        if let Some(h) = r.headroom() {
            ui.label(format!("headroom {}", quantity(h, unit)));
        }
        if let Some(b) = &r.baseline {
            let since = b.since.as_ref().map_or_else(String::new, |s| format!(" since {s}"));
            let held = if b.held { ", the level held before the look-back" } else { "" };
            ui.label(format!("baseline {} ({} runs of {}{since}{held})", quantity(b.value, unit), b.runs, state.report.baseline_branch));
        }
    });
    if let Some(line) = crate::report::noise_and_trend(r) {
        ui.label(words(ui.style(), &line, |t| t));
    }
    for (_, severity, change, reverted) in &state.plot.data.change_points {
        // A regression put back since is history, not an alarm: in weak text.
        let color = if *reverted { ui.visuals().weak_text_color() } else { theme::text(theme::severity_color(*severity), ui) };
        ui.label(words(ui.style(), &format!("change point: {change}"), |t| t.color(color)));
    }
    // A change of noise in its own colour, never a status colour: it is not a regression.
    for mark in &state.plot.data.noise_changes {
        let color = theme::noise_text_color(ui.visuals().dark_mode);
        ui.label(words(ui.style(), &format!("change of noise: {}", mark.words), |t| t.color(color)));
        ui.label(words(ui.style(), mark.meaning, |t| t.small().weak()));
    }
    for finding in &r.findings {
        let status = finding.status(state.report.settings.for_budget(&r.id).missing_data);
        // A worse level people accepted passes, but it is no calmer for that: said in the warning's
        // colour, never in green.
        // Why an accepted finding fails again (a bigger step than the triage accepted) is said with
        // the failure, in the warning's colour.
        let shown = if matches!(finding, Finding::Accepted { .. } | Finding::BeyondAccepted { .. }) { Status::Warn } else { status };
        if status != Status::Pass
            || matches!(finding, Finding::Improvement { .. } | Finding::Accepted { .. } | Finding::BeyondAccepted { .. })
        {
            let color = theme::text(theme::status_color(Some(shown)), ui);
            ui.label(words(ui.style(), &describe(&state.workspace, r, finding), |t| t.color(color)));
        }
    }
}

/// The members or allocations of a budget, to drill down into.
fn children_ui(ui: &mut Ui, state: &AppState, index: usize, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        for &child in &state.workspace.budgets[index].children {
            let text = row_text(ui, state, child);
            // The dot starts a new line with its name where both do not fit, so no line ends on
            // a dot whose name wrapped to the next.
            let name = egui::WidgetText::from(text.clone()).into_galley(
                ui,
                Some(egui::TextWrapMode::Extend),
                f32::INFINITY,
                egui::TextStyle::Button,
            );
            let needed = 10.0 + 2.0 * ui.spacing().item_spacing.x + name.size().x + 2.0 * ui.spacing().button_padding.x;
            if ui.available_size_before_wrap().x < needed && ui.cursor().min.x > ui.min_rect().min.x + 1.0 {
                ui.end_row();
            }
            status_dot_ui(ui, state.status_of(child));
            if ui.selectable_label(false, text).on_hover_text(&state.workspace.budgets[child].id).clicked() {
                commands.push(Command::Tree(TreeCommand::Select(child)));
            }
            ui.add_space(8.0);
        }
    });
}

/// A line where the budget's members or allocations are worse than the budget itself, so a
/// title in its own colour never hides a failing allocation.
fn below_ui(ui: &mut Ui, state: &AppState, index: usize) {
    let own = state.state_of(index).map(crate::gui::standing::BudgetState::status);
    let worse: Vec<&str> = state.workspace.budgets[index]
        .children
        .iter()
        .filter(|&&c| state.status_of(c) > own)
        .map(|&c| state.workspace.budgets[c].name.as_str())
        .collect();
    if let Some(worst) = state.status_of(index).filter(|&w| Some(w) > own && !worse.is_empty()) {
        let what = if worst == crate::engine::check::Status::Fail { "failing" } else { "with warnings" };
        ui.colored_label(
            theme::text(theme::status_color(Some(worst)), ui),
            format!("Below it, {} {what}: {}", crate::report::plural(worse.len(), "allocation", "allocations"), worse.join(", ")),
        );
    }
}

/// The button under a budget's check that starts a proposal.
pub fn propose_button_ui(ui: &mut Ui, state: &AppState, index: usize, limit: f64, commands: &mut Vec<Command>) {
    let editing = state.proposals.draft.as_ref().is_some_and(|d| d.budget == index);
    if !editing
        && crate::gui::widgets::dialog::opens_dialog(
            &ui.button("Propose a change…")
                .on_hover_text("Draft a signed budget change proposal (budget files change only through proposals)"),
        )
    {
        let mut draft = ProposalDraft::new(index, limit, "");
        // An id derived from the budget, for the person to keep or change.
        draft.draft.id = format!("change-{}", slug(&state.workspace.budgets[index].id));
        commands.push(Command::Proposal(ProposalCommand::Edit(draft)));
    }
}
