//! Review mode: the weekly budget review on the projector. One agenda item at a time, full
//! screen, large type, beside the agenda's overview (a click jumps to an item); arrow keys,
//! Page Up/Down or Space move through it, Esc or F11 leaves.

use crate::gui::state::{
    AppState, Command, FindingsCommand, PathPurpose, PlotCommand, PromptCommand, Review, ReviewCommand, WorkspaceCommand,
};
use crate::gui::theme;
use crate::gui::widgets::plot::{PlotOptions, history_plot_with_runs_ui};
use crate::gui::widgets::words::words;
use crate::report::review::{SECTIONS, Section};
use egui::{RichText, Ui};

/// The review screen.
pub fn review_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(review) = &state.review else { return };
    let agenda = &review.agenda;
    if !agenda.items.is_empty() {
        egui::Panel::left("review agenda")
            .resizable(true)
            .default_size(theme::AGENDA_WIDTH)
            .show(ui, |ui| agenda_overview_ui(ui, review, commands));
    }
    egui::CentralPanel::default().show(ui, |ui| review_item_ui(ui, state, review, commands));
}

/// The item on screen, with the review's buttons above it.
fn review_item_ui(ui: &mut Ui, state: &AppState, review: &Review, commands: &mut Vec<Command>) {
    let agenda = &review.agenda;
    ui.horizontal_wrapped(|ui| {
        ui.heading(RichText::new(format!("Budget review, {}", agenda.date)).strong());
        ui.label(words(ui.style(), &agenda.context, RichText::weak));
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button("Previous").clicked() {
            commands.push(Command::Review(ReviewCommand::Step(-1)));
        }
        if ui.button("Next").clicked() {
            commands.push(Command::Review(ReviewCommand::Step(1)));
        }
        ui.label(if agenda.items.is_empty() {
            "nothing on the agenda".to_owned()
        } else {
            format!("{} of {}", review.index + 1, agenda.items.len())
        });
        ui.separator();
        if ui.button("Mark the review held today").clicked() {
            commands.push(Command::Review(ReviewCommand::MarkHeld));
        }
        if ui.button("Export…").clicked() {
            commands.push(Command::Prompt(PromptCommand::AskPath(PathPurpose::Export, state.default_export_folder())));
        }
        if ui.button("Leave (Esc)").clicked() {
            commands.push(Command::Review(ReviewCommand::Leave));
        }
    });
    // What runs (an export) and what came of it (the folder written), here where the status bar is not.
    if let Some(what) = state.working() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(words(ui.style(), &what, |t| t));
        });
    }
    if let Some(message) = &state.message {
        ui.horizontal_wrapped(|ui| {
            ui.label(words(ui.style(), message, RichText::strong));
            if ui.small_button("Dismiss").clicked() {
                commands.push(Command::Workspace(WorkspaceCommand::DismissMessage));
            }
        });
    }
    ui.separator();
    let Some(item) = agenda.items.get(review.index) else {
        ui.centered_and_justified(|ui| ui.heading("Nothing is over budget, regressed or at risk. A short meeting."));
        return;
    };
    let count = agenda.section(item.section).count();
    let place = agenda.items.iter().take(review.index + 1).filter(|i| i.section == item.section).count();
    ui.label(RichText::new(format!("{} · {place} of {count}", item.section.title())).weak());
    let color = item_color(item, ui);
    ui.label(words(ui.style(), &item.title, |t| t.heading().size(30.0).color(color)));
    for line in &item.lines {
        ui.label(words(ui.style(), line, |t| t.size(20.0)));
    }
    if let Some((key, triage, _)) = &item.triage {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Triage:").size(20.0));
            for s in crate::model::triage::TriageState::ALL {
                if ui.selectable_label(*triage == s, RichText::new(s.label()).size(18.0)).clicked() && *triage != s {
                    let mut entry = state.findings.rows.iter().find(|r| &r.key == key).map(|r| r.triage.clone()).unwrap_or_default();
                    entry.state = s;
                    commands.push(Command::Findings(FindingsCommand::SetTriage(key.clone(), entry)));
                }
            }
        });
    }
    ui.add_space(8.0);
    if let Some(r) = item.budget.and_then(|b| state.result_of.get(&b)).map(|&r| &state.report.results[r])
        && state.selected == item.budget
        && !state.plot.data.main.is_empty()
    {
        let (view, generation) = state.plot.view.map_or((None, 0), |v| (Some(v.x), v.generation));
        let options = PlotOptions {
            id: "review",
            view,
            generation,
            show_legend: true,
            height: 0.0,
            proposed: item.proposed,
            gpu: state.gpu_plot,
            scale_to_limit: state.plot.scale_to_limit,
        };
        // A double-click fits the chosen range (30 d, 90 d ...), as its lit button says.
        if history_plot_with_runs_ui(ui, &state.plot.data, r, &options, Some(&state.workspace.history)) {
            commands.push(Command::Plot(PlotCommand::SetRange(state.plot.range)));
        }
    }
}

/// An item's colour: its severity's; for a change of noise (not a regression), the noise's own
/// colour as on the plot and in the findings; for a regression fixed or reverted since, the grey
/// of history the findings and the plot give a reverted one (never a status colour).
fn item_color(item: &crate::report::review::AgendaItem, ui: &Ui) -> egui::Color32 {
    match item.section {
        Section::NoiseChanges => theme::noise_text_color(ui.visuals().dark_mode),
        Section::Fixed => theme::text(theme::REVERTED, ui),
        _ => theme::severity_text_color(item.severity, ui.visuals().dark_mode),
    }
}

/// The agenda at a glance: every item under its section, the one on screen selected; a click
/// jumps to an item.
fn agenda_overview_ui(ui: &mut Ui, review: &Review, commands: &mut Vec<Command>) {
    ui.heading("Agenda");
    egui::ScrollArea::vertical().show(ui, |ui| {
        for section in SECTIONS {
            let items: Vec<(usize, &crate::report::review::AgendaItem)> =
                review.agenda.items.iter().enumerate().filter(|(_, item)| item.section == section).collect();
            if items.is_empty() {
                continue;
            }
            ui.add_space(4.0);
            ui.label(RichText::new(format!("{} ({})", section.title(), items.len())).strong());
            for (index, item) in items {
                let color = item_color(item, ui);
                let row = ui.selectable_label(index == review.index, words(ui.style(), &item.title, |t| t.color(color)));
                if row.clicked() && index != review.index {
                    commands.push(Command::Review(ReviewCommand::Jump(index)));
                }
            }
        }
    });
}
