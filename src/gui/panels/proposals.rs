//! Budget change proposals in the app: drafting one from a budget (the app never edits budget
//! files: it writes a proposal), the proposals with who signed and what they need, signing, and
//! applying an approved one. The work is `approval::draft` and `approval::ledger`'s.

use crate::approval::state::ProposalState;
use crate::gui::state::{AppState, Command, ProposalCommand, SignPrompt, TreeCommand};
use crate::gui::theme;
use crate::report::quantity;
use egui::{RichText, Ui};

/// Why a stale proposal cannot be applied, and what to do (`headroom proposals` names the entry
/// that left its base, where one did).
/// The stale proposal's words, with the command that says why naming this workspace.
fn stale_words(source: &crate::gui::jobs::Source) -> String {
    let workspace = format!(" {}", crate::gui::widgets::words::workspace_argument(source));
    STALE_WORDS.replace(" WORKSPACE", workspace.trim_end())
}

const STALE_WORDS: &str = "stale: made for other contract files than these (changed since, or by a later applied proposal), so it can never be applied as it is: propose it again (`headroom proposals WORKSPACE` says which change left its base)";

/// The "Proposals" tab: every proposal not yet applied.
pub fn proposals_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    if state.proposals.open.is_empty() {
        ui.label("No open proposals. Select a budget and use \"Propose a change…\" to draft one.");
        return;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for (p, e) in &state.proposals.open {
            let standing = ProposalState::of(e, false);
            let color = match standing {
                ProposalState::Approved => theme::PASS,
                ProposalState::Stale | ProposalState::Applied => theme::NONE,
                ProposalState::Pending => theme::WARN,
            };
            let status = standing.word();
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
                    commands.push(Command::Tree(TreeCommand::Select(index)));
                }
            }
            ui.label(RichText::new(format!("why: {}", p.rationale)).small());
            for s in &e.signatures {
                match &s.outcome {
                    Ok(()) => ui.colored_label(theme::text(theme::PASS, ui), format!("signed by {}", s.principal)),
                    Err(why) => {
                        // The reason marks names as code: set as code, never with their backticks.
                        let color = theme::text(theme::FAIL, ui);
                        ui.label(crate::gui::widgets::words::words(ui.style(), &format!("{} does not count: {why}", s.principal), |t| {
                            t.color(color)
                        }))
                    }
                };
            }
            if standing == ProposalState::Stale {
                // Stale: no signature can make it apply, so what it "needs" would mislead.
                let color = theme::text(theme::WARN, ui);
                ui.label(crate::gui::widgets::words::words(ui.style(), &stale_words(&state.source), |t| t.color(color)));
            } else if !e.approved() {
                let color = theme::text(theme::WARN, ui);
                ui.label(crate::gui::widgets::words::words(ui.style(), &crate::approval::ledger::missing_words(e), |t| t.color(color)));
            }
            ui.horizontal(|ui| {
                if crate::gui::widgets::dialog::opens_dialog(&ui.button("Sign…")) {
                    commands.push(Command::Proposal(ProposalCommand::AskSign(SignPrompt { id: p.id.clone(), ..SignPrompt::default() })));
                }
                if ui
                    .add_enabled(e.approved(), egui::Button::new("Apply"))
                    .on_disabled_hover_text("Only an approved, current proposal can be applied")
                    .clicked()
                {
                    commands.push(Command::Proposal(ProposalCommand::Apply(p.id.clone())));
                }
            });
            ui.separator();
        }
    });
}
