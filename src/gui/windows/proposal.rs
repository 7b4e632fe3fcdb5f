//! The window drafting a budget change proposal (the app never edits budget files: it writes a
//! proposal for people to sign).

use crate::gui::state::{AppState, Command, ProposalCommand, slug};
use crate::gui::theme;
use crate::gui::widgets::words::colored_words_ui;
use crate::report::quantity;
use egui::RichText;
use egui::Ui;

/// The window drafting a proposal.
pub fn draft_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(current) = &state.proposals.draft else { return };
    let Some(budget) = state.workspace.budgets.get(current.budget) else { return };
    let mut d = current.clone();
    let unit = budget.unit.symbol();
    let mut open = true;
    let mut submit = false;
    let window = egui::Window::new("Propose a budget change").open(&mut open).resizable(false).default_width(560.0);
    crate::gui::widgets::dialog::next_to_its_target(ui.ctx(), window, ("propose", current.budget)).show(ui.ctx(), |ui| {
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
        more_changes_ui(ui, state, current.budget, &mut d.more);
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
                ui.add(egui::TextEdit::singleline(value).hint_text(crate::gui::theme::hint(ui, hint)).desired_width(380.0));
                ui.end_row();
            }
            for (label, value, hint, rows) in [
                ("rationale", &mut d.draft.rationale, "why, with the data", 2),
                ("impact", &mut d.draft.impact, "headroom left, other budgets", 1),
            ] {
                ui.label(label);
                let field = if rows > 1 { egui::TextEdit::multiline(value).desired_rows(rows) } else { egui::TextEdit::singleline(value) };
                ui.add(field.hint_text(crate::gui::theme::hint(ui, hint)).desired_width(380.0));
                ui.end_row();
            }
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
        preview_ui(ui, current);
        ui.horizontal(|ui| {
            if ui.add_enabled(current.preview.is_ok(), egui::Button::new("Create proposal")).clicked() {
                // The title field shows its placeholder as a title: an empty one is that title.
                if d.draft.title.trim().is_empty() {
                    d.draft.title.clone_from(&title_hint);
                }
                submit = true;
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::Proposal(ProposalCommand::Close));
            }
        });
    });
    if !open {
        commands.push(Command::Proposal(ProposalCommand::Close));
        return;
    }
    if d.budget == current.budget
        && (d.new.to_bits() != current.new.to_bits()
            || d.environment != current.environment
            || d.draft != current.draft
            || d.more != current.more)
    {
        commands.push(Command::Proposal(ProposalCommand::Edit(d)));
    }
    // After the edit, so that the proposal is made from what the dialog shows.
    if submit {
        commands.push(Command::Proposal(ProposalCommand::Submit));
    }
}

/// What the draft would change (its kind, what it needs, the lines), or why it cannot be made;
/// and why the last "Create proposal" failed.
fn preview_ui(ui: &mut Ui, current: &crate::gui::state::ProposalDraft) {
    match &current.preview {
        Ok((diff, kind, needs)) => {
            let mut kind = kind.clone();
            if let Some(first) = kind.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            ui.label(format!("{kind}: {needs}"));
            for (file, line, old, new) in diff {
                ui.label(RichText::new(format!("{file}:{line}")).weak().monospace());
                ui.label(RichText::new(format!("- {old}")).monospace().color(theme::text(theme::FAIL, ui)));
                ui.label(RichText::new(format!("+ {new}")).monospace().color(theme::text(theme::PASS, ui)));
            }
        }
        Err(why) => {
            colored_words_ui(ui, theme::text(theme::WARN, ui), &why.to_string());
        }
    }
    if let Some(error) = &current.error {
        colored_words_ui(ui, theme::text(theme::FAIL, ui), error);
    }
}

/// The other limits the proposal changes with its budget's (its parent and its allocations, which
/// must still add up): a row each, and a menu to add one.
fn more_changes_ui(ui: &mut Ui, state: &AppState, budget: usize, more: &mut Vec<(usize, f64)>) {
    let budgets = &state.workspace.budgets;
    let mut remove = None;
    for (k, (other, new)) in more.iter_mut().enumerate() {
        let Some(b) = budgets.get(*other) else { continue };
        let unit = b.unit.symbol();
        ui.horizontal(|ui| {
            ui.label(format!("and {} ({}): now {}", b.name, b.id, quantity(b.limit.unwrap_or(0.0), unit)));
            ui.add(egui::DragValue::new(new).speed(0.1).suffix(format!(" {unit}")));
            if ui.small_button("Remove").clicked() {
                remove = Some(k);
            }
        });
    }
    if let Some(k) = remove {
        more.remove(k);
    }
    // The budgets whose limits hang together with this one's: its parent and its allocations.
    let related: Vec<usize> = budgets[budget]
        .parent
        .into_iter()
        .chain(budgets[budget].children.iter().copied())
        .filter(|&i| budgets[i].limit.is_some() && !more.iter().any(|(o, _)| *o == i))
        .collect();
    if !related.is_empty() {
        egui::ComboBox::new("proposal more changes", "also change, in the same proposal").selected_text("a parent or allocation…").show_ui(
            ui,
            |ui| {
                for i in related {
                    let b = &budgets[i];
                    if ui.selectable_label(false, format!("{} ({})", b.name, b.id)).clicked() {
                        more.push((i, b.limit.unwrap_or(0.0)));
                    }
                }
            },
        );
    }
}
