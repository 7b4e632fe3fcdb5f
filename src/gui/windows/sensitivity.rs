//! The sensitivity window: the gate's settings tried over the whole history before saving them.

use crate::gui::state::{AppState, Command, SensitivityCommand};
use crate::model::settings::{BaselineRuns, Percent, Significance};
use crate::model::settings::{CheckSettings, MissingData};
use egui::{RichText, Ui};

/// The sliders of the sensitivity window. They show what applies in the scope (every budget, or
/// the budget `scope`); a budget's own value is kept only where it differs from the workspace's.
fn settings_ui(ui: &mut Ui, settings: &mut CheckSettings, scope: Option<&str>) {
    let mut shown = match scope {
        Some(id) => settings.for_budget(id),
        None => settings.clone(),
    };
    let mut percent = shown.regression_threshold * 100.0;
    ui.add(egui::Slider::new(&mut percent, Percent::SLIDER_PERCENT).suffix(" %").step_by(0.5).text("regression threshold"));
    shown.regression_threshold = percent / 100.0;
    ui.add(egui::Slider::new(&mut shown.baseline_runs, BaselineRuns::SLIDER).text("baseline runs"));
    ui.add(egui::Slider::new(&mut shown.significance, Significance::SLIDER).logarithmic(true).text("significance (false alarm rate)"));
    ui.horizontal(|ui| {
        ui.label("A budget with no data");
        ui.radio_value(&mut shown.missing_data, MissingData::Fail, "fails");
        ui.radio_value(&mut shown.missing_data, MissingData::Warn, "warns");
    });
    match scope {
        None => {
            let budgets = std::mem::take(&mut settings.budgets);
            *settings = CheckSettings { budgets, ..shown };
        }
        Some(id) => {
            let differs = |a: f64, b: f64| (a - b).abs() > 1e-12;
            let own = crate::model::settings::BudgetCheck {
                regression_threshold: differs(shown.regression_threshold, settings.regression_threshold)
                    .then_some(shown.regression_threshold),
                baseline_runs: (shown.baseline_runs != settings.baseline_runs).then_some(shown.baseline_runs),
                significance: differs(shown.significance, settings.significance).then_some(shown.significance),
                missing_data: (shown.missing_data != settings.missing_data).then_some(shown.missing_data),
            };
            if own.is_empty() {
                settings.budgets.remove(id);
            } else {
                settings.budgets.insert(id.to_owned(), own);
            }
        }
    }
}
/// The window, where open.
pub fn sensitivity_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(s) = &state.sensitivity else { return };
    let mut settings = s.settings.clone();
    let selected_id = state.selected.map(|i| state.workspace.budgets[i].id.clone());
    let mut open = true;
    egui::Window::new("Sensitivity").open(&mut open).resizable(false).default_width(520.0).show(ui.ctx(), |ui| {
        ui.label("Try the gate's settings on the whole history before saving them: every past run of the baseline branch is checked again as CI would have checked it.");
        let mut scope = s.scope.clone();
        ui.horizontal(|ui| {
            ui.radio_value(&mut scope, None, "every budget");
            if let Some(id) = &selected_id {
                ui.radio_value(&mut scope, Some(id.clone()), format!("only {id}"));
            } else {
                ui.label(RichText::new("(select a budget to give it settings of its own)").weak());
            }
        });
        if scope != s.scope {
            commands.push(Command::Sensitivity(SensitivityCommand::SetScope(scope.clone())));
        }
        settings_ui(ui, &mut settings, scope.as_deref());
        let own: Vec<&String> = settings.budgets.keys().collect();
        if !own.is_empty() {
            ui.label(RichText::new(format!("Budgets with settings of their own: {}", own.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))).weak());
        }
        ui.separator();
        let summary = |r: &crate::engine::replay::Replay| {
            format!(
                "{} alarms over {} runs: {} confirmed by a change point for the worse, {} likely noise",
                r.alarms.len(),
                r.runs_checked,
                r.confirmed(),
                r.alarms.len() - r.confirmed()
            )
        };
        if let Some(current) = &s.current {
            ui.label(format!("Saved settings: {}", summary(current)));
        }
        match &s.tried {
            Some(tried) if !s.replaying() => {
                ui.label(RichText::new(format!("These settings: {}", summary(tried))).strong());
                ui.label(RichText::new("The selected budget's alarms are marked on its plot.").weak());
            }
            _ => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Replaying the history…");
                });
            }
        }
        ui.horizontal(|ui| {
            if ui.button("Save to headroom.yaml").clicked() {
                commands.push(Command::Sensitivity(SensitivityCommand::Save));
            }
            if ui.button("Defaults").clicked() {
                match &scope {
                    None => settings = CheckSettings { budgets: std::mem::take(&mut settings.budgets), ..CheckSettings::default() },
                    Some(id) => {
                        settings.budgets.remove(id);
                    }
                }
            }
        });
    });
    if settings != s.settings {
        commands.push(Command::Sensitivity(SensitivityCommand::Try(settings)));
    }
    if !open {
        commands.push(Command::Sensitivity(SensitivityCommand::Close));
    }
}
