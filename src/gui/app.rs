//! The eframe app: a menu bar, the budget tree on the left, the selected budget's history on the
//! right. Panels are functions that read [`AppState`] and push [`Command`]s; `App::ui` applies them
//! after the frame is drawn.

use super::state::{AppState, Command, PlotData, Source};
use super::theme;
use crate::engine::check::{BudgetResult, Status};
use crate::model::budget::BudgetKind;
use crate::model::time::Timestamp;
use crate::report::{describe, quantity};
use egui::{RichText, Ui};
use std::path::PathBuf;

/// Preferences kept across restarts by eframe (never budgets or history: those live in the workspace).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Workspaces opened before, newest first.
    pub recent: Vec<String>,
}

const MAX_RECENT: usize = 8;

/// The Headroom desktop app.
pub struct App {
    /// Everything shown.
    pub state: AppState,
    /// Kept across restarts.
    pub prefs: Prefs,
}

impl App {
    /// The app on a workspace, with preferences from eframe's storage where there are some.
    #[must_use]
    pub fn new(cc: &eframe::CreationContext<'_>, source: &Source) -> App {
        let prefs: Prefs = cc.storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY)).unwrap_or_default();
        let mut app = App { state: AppState::new(source), prefs };
        app.remember_source();
        app
    }

    fn remember_source(&mut self) {
        if let Source::Folder(path) = &self.state.source {
            let shown = path.display().to_string();
            self.prefs.recent.retain(|p| p != &shown);
            self.prefs.recent.insert(0, shown);
            self.prefs.recent.truncate(MAX_RECENT);
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let mut commands = Vec::new();
        shortcuts(ui, &self.state, &mut commands);
        egui::Panel::top("menu").show(ui, |ui| menu_ui(ui, &self.state, &self.prefs, &mut commands));
        egui::Panel::bottom("status").show(ui, |ui| status_bar_ui(ui, &self.state, &mut commands));
        egui::Panel::left("budgets").resizable(true).default_size(theme::TREE_WIDTH).show(ui, |ui| tree_ui(ui, &self.state, &mut commands));
        egui::CentralPanel::default().show(ui, |ui| metric_ui(ui, &self.state, &mut commands));
        open_window_ui(ui, &self.state, &mut commands);
        for command in commands {
            let opens = matches!(command, Command::Open(_));
            self.state.apply(command);
            if opens {
                self.remember_source();
            }
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.prefs);
    }
}

fn shortcuts(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let (open, reload) =
        ui.input_mut(|i| (i.consume_key(egui::Modifiers::COMMAND, egui::Key::O), i.consume_key(egui::Modifiers::COMMAND, egui::Key::R)));
    if open {
        commands.push(Command::ShowOpen(current_folder(state)));
    }
    if reload {
        commands.push(Command::Reload);
    }
}

fn current_folder(state: &AppState) -> String {
    match &state.source {
        Source::Folder(p) => p.display().to_string(),
        Source::Example => String::new(),
    }
}

fn menu_ui(ui: &mut Ui, state: &AppState, prefs: &Prefs, commands: &mut Vec<Command>) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open workspace…").clicked() {
                commands.push(Command::ShowOpen(current_folder(state)));
            }
            ui.menu_button("Open recent", |ui| {
                if prefs.recent.is_empty() {
                    ui.label("No recent workspaces");
                }
                for path in &prefs.recent {
                    if ui.button(path).clicked() {
                        commands.push(Command::Open(PathBuf::from(path)));
                    }
                }
            });
            if ui.button("Reload").clicked() {
                commands.push(Command::Reload);
            }
            ui.separator();
            if ui.button("Quit").clicked() {
                ui.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
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

fn status_bar_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let (pass, warn, fail) = state.report.counts();
    ui.horizontal(|ui| {
        ui.colored_label(theme::PASS, format!("{pass} within budget"));
        ui.colored_label(theme::WARN, format!("{warn} warnings"));
        ui.colored_label(theme::FAIL, format!("{fail} failing"));
        ui.separator();
        ui.label(format!("{} runs, {} metrics", state.workspace.history.runs.len(), state.workspace.history.series.len()));
        if let Some(message) = &state.message {
            ui.separator();
            ui.colored_label(theme::FAIL, message);
            if ui.small_button("Dismiss").clicked() {
                commands.push(Command::DismissMessage);
            }
        }
    });
    for problem in &state.report.problems {
        ui.colored_label(theme::status_color(Some(problem.status)), &problem.message);
    }
    if !state.workspace.errors.is_empty() {
        egui::CollapsingHeader::new(
            RichText::new(format!("{} problems in the workspace's files", state.workspace.errors.len())).color(theme::FAIL),
        )
        .id_salt("errors")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().max_height(120.0).show(ui, |ui| {
                for e in &state.workspace.errors {
                    ui.label(RichText::new(e.to_string()).monospace());
                }
            });
        });
    }
}

fn tree_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    ui.heading("Budgets");
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for file in &state.workspace.budget_files {
            egui::CollapsingHeader::new(RichText::new(file).weak()).id_salt(("file", file)).default_open(true).show(ui, |ui| {
                for root in state.workspace.roots_of(file) {
                    budget_row_ui(ui, state, root, commands);
                }
            });
        }
    });
}

fn row_text(state: &AppState, index: usize) -> RichText {
    let budget = &state.workspace.budgets[index];
    let status = state.status_of(index);
    let mut text = budget.name.clone();
    if let Some(result) = state.result_of.get(&index).map(|&r| &state.report.results[r]) {
        let unit = result.unit.symbol();
        let value = result.value.map_or_else(|| "–".to_owned(), |v| quantity(v, unit));
        text.push_str(&format!("   {value} / {}", quantity(result.limit, unit)));
        match result.headroom_fraction() {
            Some(h) if h >= 0.0 => text.push_str(&format!("   {:.0}% left", h * 100.0)),
            Some(h) => text.push_str(&format!("   {:.0}% over", -h * 100.0)),
            None => {}
        }
    }
    RichText::new(text).color(theme::status_color(status))
}

fn budget_row_ui(ui: &mut Ui, state: &AppState, index: usize, commands: &mut Vec<Command>) {
    let budget = &state.workspace.budgets[index];
    let selected = state.selected == Some(index);
    if budget.children.is_empty() {
        ui.horizontal(|ui| {
            status_dot_ui(ui, state.status_of(index));
            if ui.selectable_label(selected, row_text(state, index)).on_hover_text(&budget.id).clicked() {
                commands.push(Command::Select(index));
            }
        });
        return;
    }
    let id = ui.make_persistent_id(("budget", &budget.id));
    egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, budget.kind == BudgetKind::Group)
        .show_header(ui, |ui| {
            status_dot_ui(ui, state.status_of(index));
            if ui.selectable_label(selected, row_text(state, index)).on_hover_text(&budget.id).clicked() {
                commands.push(Command::Select(index));
            }
        })
        .body(|ui| {
            if budget.kind != BudgetKind::Group {
                allocation_sum_ui(ui, state, index);
            }
            for &child in &budget.children {
                budget_row_ui(ui, state, child, commands);
            }
        });
}

/// A filled circle in the status colour (painted: not every font has a bullet glyph).
fn status_dot_ui(ui: &mut Ui, status: Option<Status>) {
    let size = egui::vec2(10.0, 10.0);
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.0, theme::status_color(status));
}

/// The members or allocations of a budget, to drill down into.
fn children_ui(ui: &mut Ui, state: &AppState, index: usize, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        for &child in &state.workspace.budgets[index].children {
            status_dot_ui(ui, state.status_of(child));
            let text = row_text(state, child);
            if ui.selectable_label(false, text).on_hover_text(&state.workspace.budgets[child].id).clicked() {
                commands.push(Command::Select(child));
            }
            ui.add_space(8.0);
        }
    });
}

/// The sum of a budget's allocations against its own limit.
fn allocation_sum_ui(ui: &mut Ui, state: &AppState, index: usize) {
    let budget = &state.workspace.budgets[index];
    let env = state.report.environment.as_deref();
    let (Some(limit), unit) = (budget.limit_in(env), budget.unit.symbol()) else { return };
    let allocated: f64 = budget.children.iter().filter_map(|&c| state.workspace.budgets[c].limit_in(env)).sum();
    ui.label(RichText::new(format!("allocated {} of {}", quantity(allocated, unit), quantity(limit, unit))).weak().small());
}

fn metric_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(index) = state.selected else {
        ui.centered_and_justified(|ui| ui.label("Select a budget on the left to see its history against the budget."));
        return;
    };
    let budget = &state.workspace.budgets[index];
    let result = state.result_of.get(&index).map(|&r| &state.report.results[r]);
    ui.heading(RichText::new(&budget.name).color(theme::status_color(state.status_of(index))));
    ui.label(RichText::new(format!("{} · {}:{}", budget.id, budget.file, budget.pos.line)).weak());
    if let Some(description) = &budget.description {
        ui.label(description);
    }
    if let Some(r) = result {
        result_ui(ui, r, budget.statistic.to_string().as_str(), state);
    } else {
        ui.label(format!("A group of {} budgets:", budget.children.len()));
        children_ui(ui, state, index, commands);
        return;
    }
    if !budget.children.is_empty() {
        ui.add_space(4.0);
        allocation_sum_ui(ui, state, index);
        children_ui(ui, state, index, commands);
    }
    ui.add_space(6.0);
    if state.plot.main.is_empty() && state.plot.other.is_empty() {
        ui.label(format!("No history for the metric `{}` in this environment.", budget.metric));
        return;
    }
    if let Some(r) = result {
        history_plot_ui(ui, &state.plot, r);
    }
}

fn result_ui(ui: &mut Ui, r: &BudgetResult, statistic: &str, state: &AppState) {
    let unit = r.unit.symbol();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(r.status.as_str().to_uppercase()).strong().color(theme::status_color(Some(r.status))));
        ui.label(format!("metric {} ({statistic})", r.metric));
        ui.separator();
        ui.label(format!("value {}", r.value.map_or_else(|| "–".to_owned(), |v| quantity(v, unit))));
        ui.label(format!("limit {}", quantity(r.limit, unit)));
        if let Some(w) = r.warning {
            ui.label(format!("warning at {}", quantity(w, unit)));
        }
        if let Some(h) = r.headroom() {
            ui.label(format!("headroom {}", quantity(h, unit)));
        }
        if let Some(b) = &r.baseline {
            let since = b.since.as_ref().map_or_else(String::new, |s| format!(" since {s}"));
            ui.label(format!("baseline {} ({} runs of {}{since})", quantity(b.value, unit), b.runs, state.report.baseline_branch));
        }
    });
    if let Some(line) = crate::report::noise_and_trend(r) {
        ui.label(line);
    }
    for (_, severity, words) in &state.plot.change_points {
        ui.colored_label(theme::severity_color(*severity), format!("change point: {words}"));
    }
    for finding in &r.findings {
        let color = theme::status_color(Some(finding.status(state.report.settings.missing_data)));
        if finding.status(state.report.settings.missing_data) != Status::Pass
            || matches!(finding, crate::engine::check::Finding::Improvement { .. })
        {
            ui.colored_label(color, describe(r, finding));
        }
    }
}

fn format_x(x: f64, is_time: bool) -> String {
    if is_time { Timestamp((x * 1000.0) as i64).date() } else { format!("run {x:.0}") }
}

fn history_plot_ui(ui: &mut Ui, plot: &PlotData, r: &BudgetResult) {
    use egui_plot::{HLine, Legend, Line, LineStyle, Plot, Points, VLine};
    let unit = r.unit.symbol().to_owned();
    let is_time = plot.x_is_time;
    let hover_unit = unit.clone();
    let labels = plot.labels.clone();
    let main_len = plot.main.len();
    Plot::new("history")
        .legend(Legend::default())
        // From zero, so the distance to the limit looks as large as it is.
        .include_y(0.0)
        .y_axis_label(format!("{} ({unit})", r.metric))
        .x_axis_formatter(move |mark, _| format_x(mark.value, is_time))
        .label_formatter(move |hover| match hover {
            egui_plot::HoverPosition::NearDataPoint { plot_name, position, index } => {
                let label = match *plot_name {
                    "runs of main" | "baseline branch" => labels.get(*index),
                    "other branches" => labels.get(main_len + index),
                    _ => None,
                };
                Some(format!(
                    "{}\n{}\n{}",
                    label.cloned().unwrap_or_else(|| (*plot_name).to_owned()),
                    format_x(position.x, is_time),
                    quantity(position.y, &hover_unit)
                ))
            }
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot_ui| {
            plot_ui.line(Line::new("baseline branch", plot.main.clone()).color(theme::SERIES).width(1.5));
            if !plot.levels.is_empty() {
                plot_ui
                    .line(Line::new("level (engine)", plot.levels.clone()).color(theme::LEVEL).width(1.0).style(LineStyle::dashed_loose()));
            }
            for (x, severity, _) in &plot.change_points {
                plot_ui.vline(
                    VLine::new(format!("change point ({})", severity.as_str()), *x).color(theme::severity_color(*severity)).width(1.5),
                );
            }
            if !plot.other.is_empty() {
                plot_ui.points(Points::new("other branches", plot.other.clone()).color(theme::OTHER_BRANCH).radius(2.5));
            }
            plot_ui.hline(HLine::new(format!("limit {}", quantity(r.limit, &unit)), r.limit).color(theme::FAIL).width(2.0));
            if let Some(w) = r.warning {
                plot_ui.hline(HLine::new(format!("warning {}", quantity(w, &unit)), w).color(theme::WARN).style(LineStyle::dashed_dense()));
            }
        });
}

fn open_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(typed) = &state.open_path else { return };
    let mut text = typed.clone();
    egui::Window::new("Open workspace").collapsible(false).resizable(false).show(ui.ctx(), |ui| {
        ui.label("A folder of budget files (with its history/ folder):");
        let field = ui.add(egui::TextEdit::singleline(&mut text).hint_text("path/to/budgets").desired_width(360.0));
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            if ui.button("Browse…").clicked() {
                // Where no file dialog is available (no portal, no zenity) rfd returns None at once;
                // the typed path above still works.
                if let Some(folder) = rfd::FileDialog::new().set_title("Open a Headroom workspace").pick_folder() {
                    commands.push(Command::Open(folder));
                }
            }
            if ui.button("Open").clicked() || entered {
                commands.push(Command::Open(PathBuf::from(text.trim())));
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::CancelOpen);
            }
        });
    });
    if &text != typed {
        commands.push(Command::ShowOpen(text));
    }
}
