//! The window asking for a folder: a workspace to open, or where to export the review.

use crate::gui::state::{AppState, Command, PathPurpose, PromptCommand, ReviewCommand, WorkspaceCommand};
use egui::Ui;
use std::path::PathBuf;

/// The path window, where one is open.
pub fn path_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some((purpose, typed)) = &state.prompts.path else { return };
    let (title, label, action) = match purpose {
        PathPurpose::Open => ("Open workspace", "A folder of budget files (with its history/ folder):", "Open"),
        PathPurpose::Export => ("Export review", "A folder for review.md, review.html and the plots:", "Export"),
    };
    let mut text = typed.clone();
    egui::Window::new(title).collapsible(false).resizable(false).show(ui.ctx(), |ui| {
        ui.label(label);
        let field =
            ui.add(egui::TextEdit::singleline(&mut text).hint_text(crate::gui::theme::hint(ui, "path/to/folder")).desired_width(420.0));
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            if ui.button("Browse…").clicked() {
                // Where no file dialog is available (no portal, no zenity) rfd returns None at once;
                // the typed path above still works.
                if let Some(folder) = rfd::FileDialog::new().set_title(title).pick_folder() {
                    commands.push(done(*purpose, folder));
                }
            }
            if ui.button(action).clicked() || entered {
                commands.push(done(*purpose, PathBuf::from(text.trim())));
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::Prompt(PromptCommand::ClosePath));
            }
        });
    });
    if &text != typed {
        commands.push(Command::Prompt(PromptCommand::AskPath(*purpose, text)));
    }
}

fn done(purpose: PathPurpose, path: PathBuf) -> Command {
    match purpose {
        PathPurpose::Open => Command::Workspace(WorkspaceCommand::Open(path)),
        PathPurpose::Export => Command::Review(ReviewCommand::Export(path)),
    }
}
