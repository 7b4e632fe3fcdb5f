//! The window editing a finding's triage: its state, owner and note; and, where someone changed
//! the same fields on disk meanwhile, both values of each, to keep theirs or the user's.

use crate::gui::state::{AppState, Command, FindingsCommand, Keep};
use crate::model::triage::TriageState;
use egui::{RichText, Ui};

/// The window editing a finding's owner and note.
pub fn triage_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some((key, draft)) = &state.findings.triage_draft else { return };
    let mut entry = draft.clone();
    egui::Window::new("Triage").collapsible(false).resizable(false).show(ui.ctx(), |ui| {
        ui.label(RichText::new(key).monospace());
        egui::Grid::new("triage fields").num_columns(2).show(ui, |ui| {
            ui.label("");
            egui::ComboBox::new("triage window state", "state").selected_text(entry.state.label()).show_ui(ui, |ui| {
                for s in TriageState::ALL {
                    ui.selectable_value(&mut entry.state, s, s.label());
                }
            });
            ui.end_row();
            ui.label("Owner");
            ui.add(
                egui::TextEdit::singleline(&mut entry.owner)
                    .hint_text(crate::gui::theme::hint(ui, "who looks into it"))
                    .desired_width(320.0),
            );
            ui.end_row();
            ui.label("Note");
            ui.add(
                egui::TextEdit::multiline(&mut entry.note)
                    .hint_text(crate::gui::theme::hint(ui, "what the team knows"))
                    .desired_width(320.0)
                    .desired_rows(3),
            );
            ui.end_row();
        });
        if let Some(conflict) = &state.findings.triage_conflict {
            ui.separator();
            ui.label(RichText::new("Changed on disk meanwhile, by someone else, and by you:").strong());
            egui::Grid::new("triage conflict").num_columns(3).show(ui, |ui| {
                for field in &conflict.fields {
                    ui.label(field.field);
                    if ui.button(format!("Keep theirs: {}", field.theirs)).clicked() {
                        commands.push(Command::Findings(FindingsCommand::ResolveTriage(field.field.to_owned(), Keep::Theirs)));
                    }
                    if ui.button(format!("Keep mine: {}", field.ours)).clicked() {
                        commands.push(Command::Findings(FindingsCommand::ResolveTriage(field.field.to_owned(), Keep::Mine)));
                    }
                    ui.end_row();
                }
            });
        }
        ui.horizontal(|ui| {
            if ui.button("Save").clicked() {
                commands.push(Command::Findings(FindingsCommand::SetTriage(key.clone(), entry.clone())));
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::Findings(FindingsCommand::CloseTriage));
            }
        });
    });
    if &entry != draft
        && !commands.iter().any(|c| {
            matches!(
                c,
                Command::Findings(FindingsCommand::SetTriage(..) | FindingsCommand::CloseTriage | FindingsCommand::ResolveTriage(..))
            )
        })
    {
        commands.push(Command::Findings(FindingsCommand::EditTriage(key.clone(), entry)));
    }
}
