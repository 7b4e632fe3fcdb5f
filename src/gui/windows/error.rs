//! The window showing the lines of a workspace file around a problem in it.

use crate::gui::state::{AppState, Command, PromptCommand};
use crate::gui::theme;
use egui::{RichText, Ui};

/// The lines around the problem shown, where one is.
pub fn error_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(view) = &state.prompts.error else { return };
    let mut open = true;
    egui::Window::new("Problem in a workspace file").open(&mut open).resizable(true).default_width(720.0).show(ui.ctx(), |ui| {
        ui.label(RichText::new(crate::gui::widgets::error::row_text(&view.error)).monospace().color(theme::text(theme::FAIL, ui)));
        ui.separator();
        if view.lines.is_empty() {
            ui.label("The file cannot be read.");
        }
        for (number, text) in &view.lines {
            let line = RichText::new(format!("{number:>5} │ {text}")).monospace();
            if *number == view.line {
                ui.label(line.strong().background_color(theme::ERROR_LINE));
            } else {
                ui.label(line);
            }
        }
    });
    if !open {
        commands.push(Command::Prompt(PromptCommand::CloseError));
    }
}
