//! The menu bar: the workspace's files, the views, the colour scheme, and where the workspace is from.

use crate::gui::jobs::Source;
use crate::gui::prefs::{Prefs, ThemeChoice};
use crate::gui::state::{
    AppState, Command, ImportCommand, ImportDraft, PathPurpose, PromptCommand, ReviewCommand, SensitivityCommand, WorkspaceCommand,
};
use egui::{RichText, Ui};
use std::path::PathBuf;

/// The menu bar at the top of the main window.
pub fn menu_ui(ui: &mut Ui, state: &AppState, prefs: &mut Prefs, commands: &mut Vec<Command>) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open workspace…").clicked() {
                commands.push(Command::Prompt(PromptCommand::AskPath(PathPurpose::Open, state.current_folder())));
            }
            ui.menu_button("Open recent", |ui| {
                if prefs.recent.is_empty() {
                    ui.label("No recent workspaces");
                }
                for path in &prefs.recent {
                    if ui.button(path).clicked() {
                        commands.push(Command::Workspace(WorkspaceCommand::Open(PathBuf::from(path))));
                    }
                }
            });
            if ui.button("Reload").clicked() {
                commands.push(Command::Workspace(WorkspaceCommand::Reload));
            }
            if ui.button("Import benchmark results…").clicked() {
                // The run lands where the app looks: the checked environment and the baseline
                // branch, filled in (not placeholders that look filled and import as nothing).
                let draft = ImportDraft {
                    branch: state.workspace.config.default_branch.clone(),
                    environment: state.report.environment.clone().unwrap_or_default(),
                    ..ImportDraft::default()
                };
                commands.push(Command::Import(ImportCommand::Edit(draft)));
            }
            if ui.button("Export review…").clicked() {
                commands.push(Command::Prompt(PromptCommand::AskPath(PathPurpose::Export, state.default_export_folder())));
            }
            ui.separator();
            if ui.button("Quit").clicked() {
                ui.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.menu_button("View", |ui| {
            if ui.button("Review mode (F11)").clicked() {
                commands.push(Command::Review(ReviewCommand::Enter));
            }
            if ui.button("Sensitivity…").clicked() {
                commands.push(Command::Sensitivity(SensitivityCommand::Open));
            }
            ui.separator();
            ui.label("Theme");
            ui.radio_value(&mut prefs.theme, ThemeChoice::System, "as the system");
            ui.radio_value(&mut prefs.theme, ThemeChoice::Light, "light");
            ui.radio_value(&mut prefs.theme, ThemeChoice::Dark, "dark");
        });
        if ui.button("Review").on_hover_text("Run the weekly budget review (F11)").clicked() {
            commands.push(Command::Review(ReviewCommand::Enter));
        }
        ui.separator();
        let where_from = match &state.source {
            Source::Folder(p) => p.display().to_string(),
            Source::Example => "Example workspace (built in, read-only): no budgets/ folder here".to_owned(),
        };
        ui.label(RichText::new(where_from).strong());
        if let Some(env) = &state.report.environment {
            ui.label(format!("environment {env}"));
        }
        if let Some(run) = &state.report.run {
            ui.label(format!("newest run {}", run.id));
        }
    });
}
