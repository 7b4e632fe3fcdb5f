//! The "Needs attention" view: everything across the workspace's files that someone should look
//! at, most severe first (the list is [`crate::gui::standing::needs_attention`]); a click shows it.

use crate::gui::state::{AppState, Command, FindingsCommand, PromptCommand, TreeCommand};
use crate::gui::theme;
use crate::gui::widgets::words::words;
use egui::{RichText, Ui};

/// The list.
pub fn attention_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    if state.attention.is_empty() {
        ui.label("Nothing needs attention: every budget is checked and within budget, and nothing is open.");
        return;
    }
    ui.label(format!(
        "{} across every file, most severe first",
        crate::report::plural(state.attention.len(), "thing needs attention", "things need attention")
    ));
    ui.separator();
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for item in &state.attention {
            let color = theme::status_color(Some(item.kind.status()));
            ui.horizontal(|ui| {
                crate::gui::widgets::budget::status_dot_ui(ui, Some(item.kind.status()));
                ui.label(RichText::new(item.kind.words().to_uppercase()).small().strong().color(color));
            });
            {
                // Wrapped to the panel's width: a long line never widens the panel over the plot.
                let selected = state.selected.is_some() && state.selected == item.budget;
                let row = ui.add(egui::Button::selectable(selected, words(ui.style(), &item.title, |t| t)).wrap());
                if row.clicked() {
                    if let Some(finding) = item.finding {
                        commands.push(Command::Findings(FindingsCommand::Select(finding)));
                    } else if let Some(budget) = item.budget {
                        commands.push(Command::Tree(TreeCommand::Select(budget)));
                    } else if let Some(error) = item.error {
                        commands.push(Command::Prompt(PromptCommand::ShowError(error)));
                    }
                }
            }
            ui.add_space(4.0);
        }
    });
}
