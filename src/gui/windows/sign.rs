//! The window signing a proposal with a key file (or a signature file made by `ssh-keygen -Y sign`).

use crate::gui::state::{AppState, Command, ProposalCommand, SignPrompt};
use egui::{RichText, Ui};

/// The window signing a proposal with a key file (or a signature made by `ssh-keygen -Y sign`).
pub fn sign_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(SignPrompt { id, principal, key_file: key }) = &state.proposals.sign_prompt else { return };
    let (mut who, mut file) = (principal.clone(), key.clone());
    let mut open = true;
    let window = egui::Window::new(format!("Sign {id}")).open(&mut open).resizable(false);
    crate::gui::widgets::dialog::next_to_its_target(ui.ctx(), window, ("sign", id)).show(ui.ctx(), |ui| {
        ui.label(
            "Sign as a principal of allowed_signers, with an OpenSSH private key without a passphrase, or with a signature file made by",
        );
        // With the workspace named: run from another folder, `proposals` would read ./budgets.
        let workspace = crate::gui::widgets::words::workspace_argument(&state.source);
        ui.label(
            RichText::new(format!(
                "headroom proposals {workspace}--canonical {id} > payload; ssh-keygen -Y sign -n headroom-proposal -f KEY payload"
            ))
            .monospace()
            .small(),
        );
        egui::Grid::new("sign fields").num_columns(2).show(ui, |ui| {
            ui.label("principal");
            ui.add(egui::TextEdit::singleline(&mut who).hint_text(crate::gui::theme::hint(ui, "you@example.com")).desired_width(360.0));
            ui.end_row();
            ui.label("key, .pub or signature file");
            ui.add(egui::TextEdit::singleline(&mut file).hint_text(crate::gui::theme::hint(ui, "~/.ssh/id_ed25519")).desired_width(360.0));
            ui.end_row();
        });
        if let Some(error) = &state.proposals.sign_error {
            crate::gui::widgets::words::dialog_error_ui(ui, error);
        }
        ui.horizontal(|ui| {
            if ui.button("Browse…").clicked()
                && let Some(picked) = rfd::FileDialog::new().set_title("An SSH private key or signature").pick_file()
            {
                file = picked.display().to_string();
            }
            if ui.button("Sign").clicked() {
                commands.push(Command::Proposal(ProposalCommand::Sign {
                    id: id.clone(),
                    principal: who.trim().to_owned(),
                    file: expand_home(file.trim()),
                }));
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::Proposal(ProposalCommand::CloseSign));
            }
        });
    });
    if !open {
        commands.push(Command::Proposal(ProposalCommand::CloseSign));
    } else if (&who, &file) != (principal, key) {
        commands.push(Command::Proposal(ProposalCommand::AskSign(SignPrompt { id: id.clone(), principal: who, key_file: file })));
    }
}

/// `~/x` as a path under the home folder.
fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
        _ => std::path::PathBuf::from(path),
    }
}
