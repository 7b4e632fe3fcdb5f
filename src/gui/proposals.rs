//! Budget change proposals in the app: drafting one from a budget (the app never edits budget
//! files: it writes a proposal), the proposals with who signed and what they need, signing, and
//! applying an approved one. The work is `approval::draft` and `approval::ledger`'s.

use super::state::{AppState, Command, ProposalDraft};
use super::theme;
use crate::report::quantity;
use egui::{RichText, Ui};

/// The "Proposals" tab: every proposal not yet applied.
pub fn proposals_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    if state.proposals.is_empty() {
        ui.label("No open proposals. Select a budget and use \"Propose a change…\" to draft one.");
        return;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for (p, e) in &state.proposals {
            let (status, color) = if e.approved() {
                ("APPROVED", theme::PASS)
            } else if !e.current {
                ("STALE", theme::NONE)
            } else {
                ("PENDING", theme::WARN)
            };
            ui.horizontal(|ui| {
                ui.label(RichText::new(status).strong().color(color));
                ui.label(RichText::new(&p.title).strong());
            });
            ui.label(RichText::new(format!("{} · {} · by {}", p.id, e.kind.as_str(), p.author)).weak());
            for c in &p.changes {
                let unit = state.workspace.budget(&c.budget).map_or("", |b| b.unit.symbol());
                let place = c.field.strip_prefix("environments.").map_or_else(String::new, |env| format!(" in {env}"));
                let text = format!("{}{place}: {} to {}", c.budget, quantity(c.old, unit), quantity(c.new, unit));
                if ui.selectable_label(false, text).on_hover_text("Show the budget").clicked()
                    && let Some(index) = state.workspace.budget_index(&c.budget)
                {
                    commands.push(Command::Select(index));
                }
            }
            ui.label(RichText::new(format!("why: {}", p.rationale)).small());
            for s in &e.signatures {
                match &s.outcome {
                    Ok(()) => ui.colored_label(theme::PASS, format!("signed by {}", s.principal)),
                    Err(why) => ui.colored_label(theme::FAIL, format!("{} does not count: {why}", s.principal)),
                };
            }
            if !e.approved() {
                ui.label(RichText::new(crate::approval::ledger::missing_words(e)).color(theme::WARN));
            }
            ui.horizontal(|ui| {
                if ui.button("Sign…").clicked() {
                    commands.push(Command::AskSign(Some((p.id.clone(), String::new(), String::new()))));
                }
                if ui
                    .add_enabled(e.approved(), egui::Button::new("Apply"))
                    .on_disabled_hover_text("Only an approved, current proposal can be applied")
                    .clicked()
                {
                    commands.push(Command::ApplyProposal(p.id.clone()));
                }
            });
            ui.separator();
        }
    });
}

/// The button under a budget's check that starts a proposal.
pub fn propose_button_ui(ui: &mut Ui, state: &AppState, index: usize, limit: f64, commands: &mut Vec<Command>) {
    let editing = state.proposal_draft.as_ref().is_some_and(|d| d.budget == index);
    if !editing
        && ui
            .button("Propose a change…")
            .on_hover_text("Draft a signed budget change proposal (budget files change only through proposals)")
            .clicked()
    {
        let mut draft = ProposalDraft::new(index, limit, "");
        // An id derived from the budget, for the person to keep or change.
        draft.draft.id = format!("change-{}", slug(&state.workspace.budgets[index].id));
        commands.push(Command::EditProposal(Some(draft)));
    }
}

/// The window drafting a proposal.
pub fn draft_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(current) = &state.proposal_draft else { return };
    let Some(budget) = state.workspace.budgets.get(current.budget) else { return };
    let mut d = current.clone();
    let unit = budget.unit.symbol();
    let mut open = true;
    egui::Window::new("Propose a budget change").open(&mut open).resizable(false).default_width(560.0).show(ui.ctx(), |ui| {
        ui.label(RichText::new(format!("{} ({})", budget.name, budget.id)).strong());
        ui.horizontal(|ui| {
            let label = d.environment.clone().map_or_else(|| "limit".to_owned(), |e| format!("limit in {e}"));
            egui::ComboBox::new("proposal field", "what").selected_text(label).show_ui(ui, |ui| {
                if ui.selectable_label(d.environment.is_none(), "limit").clicked() {
                    d.environment = None;
                    d.new = budget.limit.unwrap_or(d.new);
                }
                for (env, over) in &budget.environments {
                    if let Some(limit) = over.limit
                        && ui.selectable_label(d.environment.as_deref() == Some(env), format!("limit in {env}")).clicked()
                    {
                        d.environment = Some(env.clone());
                        d.new = limit;
                    }
                }
            });
            let now = d.environment.as_ref().and_then(|e| budget.environments.get(e)).and_then(|o| o.limit).or(budget.limit).unwrap_or(0.0);
            ui.label(format!("now {}", quantity(now, unit)));
            ui.add(egui::DragValue::new(&mut d.new).speed(0.1).suffix(format!(" {unit}")));
            ui.label("new value");
        });
        // Placeholders from the budget in hand, not another budget's.
        let now = d.environment.as_ref().and_then(|e| budget.environments.get(e)).and_then(|o| o.limit).or(budget.limit).unwrap_or(0.0);
        let verb = if d.new < now { "lower" } else { "raise" };
        let id_hint = format!("{verb}-{}", slug(&budget.id));
        let title_hint = format!("{}{} {} to {}", verb[..1].to_uppercase(), &verb[1..], budget.name, quantity(d.new, unit));
        egui::Grid::new("proposal fields").num_columns(2).show(ui, |ui| {
            for (label, value, hint) in [
                ("id", &mut d.draft.id, id_hint.as_str()),
                ("title", &mut d.draft.title, title_hint.as_str()),
                ("author", &mut d.draft.author, "you@example.com (as in allowed_signers)"),
            ] {
                ui.label(label);
                ui.add(egui::TextEdit::singleline(value).hint_text(hint).desired_width(380.0));
                ui.end_row();
            }
            ui.label("rationale");
            ui.add(egui::TextEdit::multiline(&mut d.draft.rationale).hint_text("why, with the data").desired_width(380.0).desired_rows(2));
            ui.end_row();
            ui.label("impact");
            ui.add(egui::TextEdit::singleline(&mut d.draft.impact).hint_text("headroom left, other budgets").desired_width(380.0));
            ui.end_row();
        });
        let findings: Vec<String> = state
            .analysis
            .findings
            .iter()
            .filter(|f| f.budget.as_deref() == Some(budget.id.as_str()))
            .map(|f| crate::model::triage::finding_key(&f.metric, &f.run_id))
            .collect();
        if !findings.is_empty() {
            ui.label(RichText::new(format!("evidence: {} (the engine's change points of this budget)", findings.join(", "))).weak());
        }
        d.draft.evidence_findings = findings;
        d.draft.evidence_runs = state.report.run.iter().map(|r| r.id.clone()).collect();
        ui.separator();
        match &current.preview {
            Ok((diff, kind, needs)) => {
                ui.label(format!("A {kind}: {needs}"));
                for (file, line, old, new) in diff {
                    ui.label(RichText::new(format!("{file}:{line}")).weak().monospace());
                    ui.label(RichText::new(format!("- {old}")).monospace().color(theme::FAIL));
                    ui.label(RichText::new(format!("+ {new}")).monospace().color(theme::PASS));
                }
            }
            Err(why) => {
                ui.colored_label(theme::WARN, why);
            }
        }
        if let Some(error) = &current.error {
            ui.colored_label(theme::FAIL, error);
        }
        ui.horizontal(|ui| {
            if ui.add_enabled(current.preview.is_ok(), egui::Button::new("Create proposal")).clicked() {
                commands.push(Command::SubmitProposal);
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::EditProposal(None));
            }
        });
    });
    if !open {
        commands.push(Command::EditProposal(None));
    } else if d.budget == current.budget
        && (d.new.to_bits() != current.new.to_bits() || d.environment != current.environment || d.draft != current.draft)
    {
        commands.push(Command::EditProposal(Some(d)));
    }
}

/// The window signing a proposal with a key file (or a signature made by `ssh-keygen -Y sign`).
pub fn sign_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some((id, principal, key)) = &state.sign_prompt else { return };
    let (mut who, mut file) = (principal.clone(), key.clone());
    let mut open = true;
    egui::Window::new(format!("Sign {id}")).open(&mut open).resizable(false).show(ui.ctx(), |ui| {
        ui.label(
            "Sign as a principal of allowed_signers, with an OpenSSH private key without a passphrase, or with a signature file made by",
        );
        ui.label(
            RichText::new(format!("headroom proposals --canonical {id} > payload; ssh-keygen -Y sign -n headroom-proposal -f KEY payload"))
                .monospace()
                .small(),
        );
        egui::Grid::new("sign fields").num_columns(2).show(ui, |ui| {
            ui.label("principal");
            ui.add(egui::TextEdit::singleline(&mut who).hint_text("you@example.com").desired_width(360.0));
            ui.end_row();
            ui.label("key, .pub or signature file");
            ui.add(egui::TextEdit::singleline(&mut file).hint_text("~/.ssh/id_ed25519").desired_width(360.0));
            ui.end_row();
        });
        ui.horizontal(|ui| {
            if ui.button("Browse…").clicked()
                && let Some(picked) = rfd::FileDialog::new().set_title("An SSH private key or signature").pick_file()
            {
                file = picked.display().to_string();
            }
            if ui.button("Sign").clicked() {
                commands.push(Command::Sign(id.clone(), who.trim().to_owned(), expand_home(file.trim())));
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::AskSign(None));
            }
        });
    });
    if !open {
        commands.push(Command::AskSign(None));
    } else if (&who, &file) != (principal, key) {
        commands.push(Command::AskSign(Some((id.clone(), who, file))));
    }
}

/// A budget id as part of a proposal id: `services.auth_latency` → `services-auth-latency`.
fn slug(id: &str) -> String {
    id.replace(['.', '_', ' '], "-").to_lowercase()
}

/// `~/x` as a path under the home folder.
fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
        _ => std::path::PathBuf::from(path),
    }
}
