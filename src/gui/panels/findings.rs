//! The findings list: every change point the engine found, most severe first, with its root-cause
//! hints and the team's triage, then its changes of noise; a click shows the metric centred on the change.

use crate::engine::analyze::Verdict;
use crate::engine::reversal::tightening_levels;
use crate::gui::state::{AppState, Command, FindingRow, FindingsCommand, ProposalCommand, ProposalDraft, TreeCommand};
use crate::gui::theme;
use crate::gui::widgets::words::words;
use crate::model::triage::TriageState;
use crate::report::analysis::{change_words, finding_hints, noise_meaning, noise_words, reversal_words, undo_words};
use crate::report::quantity;
use egui::{RichText, Ui};

/// The list.
pub fn findings_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    summary_ui(ui, state);
    triage_filter_ui(ui, state, commands);
    ui.separator();
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        let mut any = state.findings.filter.is_none() && over_budget_ui(ui, state, commands);
        any |= state.findings.filter.is_none() && held_without_change_point_ui(ui, state, commands);
        for (row_index, row) in state.findings.rows.iter().enumerate() {
            if state.findings.filter.is_some_and(|s| row.triage.state != s) {
                continue;
            }
            any = true;
            finding_row_ui(ui, state, row_index, row, commands);
            ui.separator();
        }
        // Not triaged (nothing to fix): shown with every triage state, as the budgets over their limits.
        if state.findings.filter.is_none() {
            noise_changes_ui(ui, state, commands);
        }
        if !any && !state.findings.rows.is_empty() {
            ui.label("No finding in this triage state.");
        }
    });
}

/// One change point of the list: its name, words, reversal, hints, and its triage or (an
/// improvement) the tighter budget it allows.
fn finding_row_ui(ui: &mut Ui, state: &AppState, row_index: usize, row: &FindingRow, commands: &mut Vec<Command>) {
    let f = state.finding(row);
    // A finding the team has closed (fixed, won't fix, invalid, backed out) is dimmed and
    // tagged with its state, so the open ones stand out.
    let closed = !row.triage.state.is_open();
    // A regression a later change point put back is not open: grey, not a warning colour,
    // and still triaged (one click records it fixed).
    let reversal = state.findings.reversal(row);
    let reverted = reversal.filter(|r| r.reverted);
    ui.scope(|ui| {
        if closed {
            ui.multiply_opacity(0.55);
        }
        let unit = row.budget.map_or("", |b| state.workspace.budgets[b].unit.symbol());
        let (name, when) = name_and_date(state, row.budget, &f.metric, f.run_index);
        let color = if reverted.is_some() { theme::REVERTED } else { theme::severity_color(f.severity) };
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().circle_filled(rect.center(), 4.0, color);
            let title = RichText::new(format!("{name} at {}{when}", f.run_id)).strong();
            if ui.selectable_label(false, title).on_hover_text("Show it on the plot").clicked() {
                commands.push(Command::Findings(FindingsCommand::Select(row_index)));
            }
            if closed {
                ui.label(RichText::new(row.triage.state.label().to_uppercase()).small().strong());
            } else if let Some(r) = reverted {
                ui.label(RichText::new(format!("reverted at {}", r.run_id)).small().strong());
            }
        });
        let text = theme::text(color, ui);
        ui.label(words(ui.style(), &change_words(f, unit), |t| if reverted.is_some() { t.weak() } else { t.color(text) }));
        if let Some(r) = reversal {
            ui.label(words(ui.style(), &reversal_words(f, r, unit), RichText::small));
        }
        if let Some(undo) = state.findings.undo(row) {
            ui.label(words(ui.style(), &undo_words(&state.analysis.findings, f, undo, unit), RichText::small));
        }
        for hint in finding_hints(f, unit) {
            ui.label(words(ui.style(), &hint, |t| t.small().weak()));
        }
        if f.verdict == Verdict::Improvement {
            // An improvement is not triaged like a regression: the budget can follow it down,
            // from the level before the regressions it undid, where it went past that level.
            let levels = tightening_levels(f, state.findings.undo(row));
            let draft = row
                .budget
                .zip(levels)
                .and_then(|(b, (before, after))| ProposalDraft::tightening(b, &state.workspace.budgets[b], &f.run_id, before, after));
            if let Some(draft) = draft {
                let words = format!("Tighten the budget to {}…", crate::report::quantity(draft.new, unit));
                let button = ui.button(words).on_hover_text("Propose the limit follow the improvement, keeping the headroom it had");
                if crate::gui::widgets::dialog::opens_dialog(&button) {
                    commands.push(Command::Proposal(ProposalCommand::Edit(draft)));
                }
            }
        } else {
            ui.horizontal(|ui| {
                let mut state_now = row.triage.state;
                egui::ComboBox::new(("triage", &row.key), "triage").selected_text(state_now.label()).show_ui(ui, |ui| {
                    for s in TriageState::ALL {
                        ui.selectable_value(&mut state_now, s, s.label());
                    }
                });
                if state_now != row.triage.state {
                    let mut entry = row.triage.clone();
                    entry.state = state_now;
                    commands.push(Command::Findings(FindingsCommand::SetTriage(row.key.clone(), entry)));
                }
                if ui.small_button("Owner and note…").clicked() {
                    commands.push(Command::Findings(FindingsCommand::EditTriage(row.key.clone(), row.triage.clone())));
                }
                if let Some(r) = reverted.filter(|_| !closed) {
                    let button = ui
                        .small_button("Mark fixed")
                        .on_hover_text(format!("The level came back at {}: record the regression as fixed in its triage record", r.run_id));
                    if button.clicked() {
                        let mut entry = row.triage.clone();
                        entry.state = TriageState::Fixed;
                        if entry.note.is_empty() {
                            entry.note = format!("reverted at {}", r.run_id);
                        }
                        commands.push(Command::Findings(FindingsCommand::SetTriage(row.key.clone(), entry)));
                    }
                }
                if !row.triage.owner.is_empty() {
                    ui.label(RichText::new(format!("owner {}", row.triage.owner)).small());
                }
                if let Some(words) = crate::report::accepted_words(&row.triage) {
                    ui.label(RichText::new(words).small()).on_hover_text(
                        "How much worse the level was when it was accepted (with its noise's margin): a bigger step fails the gate again until triaged again",
                    );
                }
            });
            beyond_accepted_ui(ui, state, row, commands);
        }
        if !row.triage.note.is_empty() {
            ui.label(RichText::new(&row.triage.note).italics().small());
        }
    });
}

/// Where the gate fails a bigger step than the row's triage accepted: says so, and offers to accept
/// the level as it is now. Accepting it is a decision of its own, never a side effect of editing
/// the note.
fn beyond_accepted_ui(ui: &mut Ui, state: &AppState, row: &FindingRow, commands: &mut Vec<Command>) {
    if !row.triage.accepts_level() || row.triage.accepted_change.is_none() {
        return;
    }
    let beyond = state.report.results.iter().flat_map(|r| &r.findings).find_map(|f| match f {
        crate::engine::check::Finding::BeyondAccepted { key, change, .. } if *key == row.key => Some(*change),
        _ => None,
    });
    let Some(now) = beyond else { return };
    ui.horizontal_wrapped(|ui| {
        let color = theme::text(theme::status_color(Some(crate::engine::check::Status::Fail)), ui);
        ui.label(RichText::new(format!("the gate fails it: the level is {} now", crate::report::percent(now))).small().color(color));
        let button = ui.small_button("Accept the level now").on_hover_text(
            "Record the level as it is now as accepted by this triage (measured from the history, as `headroom triage` does)",
        );
        if button.clicked() {
            let entry = crate::model::triage::TriageEntry { accepted_change: None, ..row.triage.clone() };
            commands.push(Command::Findings(FindingsCommand::SetTriage(row.key.clone(), entry)));
        }
    });
}

/// The changes of noise, after the change points, newest first: not regressions, so not triaged
/// and in their own colour; a click shows the metric centred on the first run of the new noise.
fn noise_changes_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    if state.findings.noise_rows.is_empty() {
        return;
    }
    let color = theme::noise_text_color(ui.visuals().dark_mode);
    ui.label(RichText::new(format!("Changes of noise ({})", state.findings.noise_rows.len())).strong());
    ui.label(
        RichText::new(
            "A metric's spread changed, not its level: not a regression, nothing to triage, and no budget's state depends on it.",
        )
        .small()
        .weak(),
    );
    ui.separator();
    for (row_index, row) in state.findings.noise_rows.iter().enumerate() {
        let f = state.noise_finding(row);
        // The analysis' unit: the budget's where there is one, else the history's.
        let unit = state.analysis.metrics.iter().find(|m| m.metric == f.metric).and_then(|m| m.unit.as_ref()).map_or("", |u| u.symbol());
        let (name, when) = name_and_date(state, row.budget, &f.metric, f.run_index);
        ui.horizontal(|ui| {
            // The plot's mark: a short dashed line.
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 12.0), egui::Sense::hover());
            ui.painter().add(egui::Shape::dashed_line(
                &[rect.center_top(), rect.center_bottom()],
                egui::Stroke::new(2.0, theme::NOISE),
                3.0,
                2.0,
            ));
            let title = RichText::new(format!("{name} at {}{when}", f.run_id)).strong();
            if ui.selectable_label(false, title).on_hover_text("Show it on the plot").clicked() {
                commands.push(Command::Findings(FindingsCommand::SelectNoise(row_index)));
            }
        });
        ui.label(words(ui.style(), &noise_words(f, unit), |t| t.color(color)));
        ui.label(words(ui.style(), noise_meaning(f), |t| t.small().weak()));
        ui.separator();
    }
}

/// The budgets over their limits, first: a finding too, though no change point made it (a limit
/// lowered, or a slow drift past it). Not triaged: the way out is a fix or a proposal. Whether any was shown.
fn over_budget_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) -> bool {
    let mut any = false;
    for r in &state.report.results {
        let Some(value) = r.value else { continue };
        if !state.is_over(r.budget) {
            continue;
        }
        any = true;
        let unit = r.unit.symbol();
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().circle_filled(rect.center(), 4.0, theme::FAIL);
            let title = RichText::new(format!("{} over its limit", r.id)).strong();
            if ui.selectable_label(false, title).on_hover_text("Show its history against the limit").clicked() {
                commands.push(Command::Tree(TreeCommand::Select(r.budget)));
            }
            ui.label(RichText::new("OVER").small().strong().color(theme::text(theme::FAIL, ui)));
        });
        ui.label(
            RichText::new(format!("newest run {} against a limit of {}", quantity(value, unit), quantity(r.limit, unit)))
                .color(theme::text(theme::FAIL, ui)),
        );
        ui.separator();
    }
    any
}

/// The regressions the gate holds open on budgets where the engine found no change point (yet:
/// a step a few runs old, or one too small for the search): the gate's own words, a click shows
/// the budget. Before, the list read "1 regression open" and showed nothing to click.
fn held_without_change_point_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) -> bool {
    let mut any = false;
    for r in &state.report.results {
        let (Some(open), Some(finding)) =
            (r.open_regression.as_ref(), r.findings.iter().find(|f| matches!(f, crate::engine::check::Finding::Regression { .. })))
        else {
            continue;
        };
        if state.findings.rows.iter().any(|row| row.budget == Some(r.budget) && state.finding(row).verdict == Verdict::Regression) {
            continue;
        }
        any = true;
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().circle_filled(rect.center(), 4.0, theme::FAIL);
            let title = RichText::new(format!("{}: regression open since run {}", r.id, open.since_run)).strong();
            if ui.selectable_label(false, title).on_hover_text("Show its history").clicked() {
                commands.push(Command::Tree(TreeCommand::Select(r.budget)));
            }
            ui.label(RichText::new("NO CHANGE POINT YET").small().strong());
        });
        let text = crate::report::describe(&state.workspace, r, finding);
        ui.label(words(ui.style(), &text, |t| t.color(theme::text(theme::FAIL, ui))));
        ui.separator();
    }
    any
}

/// The menu narrowing the list to one triage state, with how many are in each.
fn triage_filter_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label("Show findings");
        let mut shown = state.findings.filter;
        let words = |s: Option<TriageState>| s.map_or("every triage state", TriageState::label);
        egui::ComboBox::from_id_salt("findings triage filter")
            .selected_text(words(shown))
            .show_ui(ui, |ui| {
                for s in std::iter::once(None).chain(TriageState::ALL.map(Some)) {
                    let n = state.findings.rows.iter().filter(|r| s.is_none_or(|s| r.triage.state == s)).count();
                    ui.selectable_value(&mut shown, s, format!("{} ({n})", words(s)));
                }
            })
            .response
            .labelled_by(label.id);
        if shown != state.findings.filter {
            commands.push(Command::Findings(FindingsCommand::Filter(shown)));
        }
    });
}

/// The counts above the list, and whether the change points are still being found.
fn summary_ui(ui: &mut Ui, state: &AppState) {
    let open = state.states.counts.open_regressions;
    let noise = match state.findings.noise_rows.len() {
        0 => String::new(),
        n => format!(", {}", crate::report::plural(n, "change of noise", "changes of noise")),
    };
    let reverted = match state.states.counts.reverted {
        0 => String::new(),
        n => format!(", {n} reverted by a later change (to mark fixed)"),
    };
    ui.label(format!(
        "{}, {}{noise}, {} (not reverted, fixed, won't fix or invalid) on {}{reverted}",
        crate::report::plural(state.states.counts.over, "budget over its limit", "budgets over their limits"),
        crate::report::plural(state.findings.rows.len(), "change point", "change points"),
        crate::report::plural(open, "regression open", "regressions open"),
        crate::report::plural(state.states.counts.regressed, "budget", "budgets"),
    ));
    if state.analysing() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Analysing: the change points are being found…");
        });
    }
}

/// A finding row's name (its budget's id, else the metric's) and the date of its run (` · date`, or
/// nothing where the run has no time), as both lists (change points and changes of noise) show them.
fn name_and_date<'a>(state: &'a AppState, budget: Option<usize>, metric: &'a str, run_index: usize) -> (&'a str, String) {
    let name = budget.map_or(metric, |b| state.workspace.budgets[b].id.as_str());
    let when =
        state.workspace.history.runs.get(run_index).and_then(|r| r.timestamp).map_or_else(String::new, |t| format!(" · {}", t.date()));
    (name, when)
}
