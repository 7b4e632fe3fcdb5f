//! The eframe app: a menu bar, the budget tree and the findings on the left, the selected budget's
//! history in the middle, the workspace's problems at the bottom; and review mode for the meeting.
//! Panels are functions that read [`AppState`] and push [`Command`]s; `App::ui` applies them
//! after the frame is drawn.

use super::standing::Tally;
use super::state::{AppState, Command, PathPurpose, Source};
use super::{attention, findings, metric, proposals, review, theme, tree};
use crate::model::workspace::{CheckSettings, MissingData};
use egui::{RichText, Ui};
use std::path::PathBuf;
use std::sync::Arc;

/// The colour scheme asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    /// As the system says.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// What the left panel shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LeftTab {
    /// The budget tree.
    #[default]
    Budgets,
    /// Everything that needs attention, most severe first.
    Attention,
    /// The engine's findings.
    Findings,
    /// Budget change proposals.
    Proposals,
}

/// Preferences kept across restarts by eframe (never budgets, history or triage: those live in
/// the workspace). Panel sizes and the window's place are kept by eframe itself.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Workspaces opened before, newest first.
    pub recent: Vec<String>,
    /// The colour scheme.
    pub theme: ThemeChoice,
    /// What the left panel shows.
    pub left_tab: LeftTab,
    /// Who signs on this machine (a principal of `allowed_signers`), remembered for the next proposal.
    pub principal: String,
    /// The key file last signed with (a path, never the key).
    pub key_file: String,
}

const MAX_RECENT: usize = 8;

/// How much larger everything is drawn in review mode (for the projector).
pub const REVIEW_ZOOM: f32 = 1.5;

/// The Headroom desktop app.
pub struct App {
    /// Everything shown.
    pub state: AppState,
    /// Kept across restarts.
    pub prefs: Prefs,
    /// The zoom before review mode, restored when it ends.
    zoom_before_review: Option<f32>,
}

impl App {
    /// The app on a workspace, loading it in the background and watching its folder, with
    /// preferences from eframe's storage where there are some.
    #[must_use]
    pub fn new(cc: &eframe::CreationContext<'_>, source: &Source) -> App {
        let prefs: Prefs = cc.storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY)).unwrap_or_default();
        let ctx = cc.egui_ctx.clone();
        let state = AppState::start(source, Arc::new(move || ctx.request_repaint()), true);
        let mut app = App { state, prefs, zoom_before_review: None };
        // Long series are drawn by the GPU where eframe runs on wgpu; elsewhere egui_plot draws them.
        app.state.gpu_plot = super::gpu_plot::install(cc);
        apply_theme(&cc.egui_ctx, app.prefs.theme);
        app
    }

    fn remember_source(&mut self) {
        if let Source::Folder(path) = &self.state.source {
            let shown = path.display().to_string();
            if self.prefs.recent.first() != Some(&shown) {
                self.prefs.recent.retain(|p| p != &shown);
                self.prefs.recent.insert(0, shown);
                self.prefs.recent.truncate(MAX_RECENT);
            }
        }
    }

    fn apply(&mut self, ui: &Ui, mut command: Command) {
        // Who signs on this machine is a preference: fill it in, and remember what was used.
        match &mut command {
            Command::EditProposal(Some(d)) if d.draft.author.is_empty() && self.state.proposal_draft.is_none() => {
                d.draft.author.clone_from(&self.prefs.principal);
            }
            Command::AskSign(Some((id, who, key))) if who.is_empty() && key.is_empty() && self.state.sign_prompt.is_none() => {
                // Never the proposal's author as its signer: an author's signature proves authorship
                // and never approves, so whoever signs types their name.
                let author = self.state.proposals.iter().find(|(p, _)| &p.id == id).map(|(p, _)| p.author.as_str());
                if author != Some(self.prefs.principal.as_str()) {
                    who.clone_from(&self.prefs.principal);
                }
                key.clone_from(&self.prefs.key_file);
            }
            Command::Sign(_, who, key) => {
                self.prefs.principal.clone_from(who);
                self.prefs.key_file = key.display().to_string();
            }
            Command::SubmitProposal => {
                if let Some(d) = &self.state.proposal_draft {
                    self.prefs.principal.clone_from(&d.draft.author);
                }
            }
            // A count clicked in the status bar shows its budgets in the tree.
            Command::ShowTally(_) | Command::SetFilter(_) => self.prefs.left_tab = LeftTab::Budgets,
            _ => {}
        }
        let entering = matches!(command, Command::EnterReview) && self.state.review.is_none();
        let leaving = matches!(command, Command::LeaveReview) && self.state.review.is_some();
        self.state.apply(command);
        if entering {
            self.zoom_before_review = Some(ui.ctx().zoom_factor());
            ui.ctx().set_zoom_factor(REVIEW_ZOOM);
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
        }
        if leaving {
            ui.ctx().set_zoom_factor(self.zoom_before_review.take().unwrap_or(1.0));
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
        }
    }
}

fn apply_theme(ctx: &egui::Context, choice: ThemeChoice) {
    ctx.set_theme(match choice {
        ThemeChoice::System => egui::ThemePreference::System,
        ThemeChoice::Light => egui::ThemePreference::Light,
        ThemeChoice::Dark => egui::ThemePreference::Dark,
    });
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let busy = self.state.poll();
        if busy {
            // The jobs wake the UI when they report; this keeps the progress bar moving regardless.
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
        }
        self.remember_source();
        let mut commands = Vec::new();
        let dropped: Vec<PathBuf> =
            ui.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).filter(|p| !p.as_os_str().is_empty()).collect());
        if !dropped.is_empty() {
            commands.push(Command::DropFiles(dropped));
        }
        shortcuts(ui, &self.state, &mut commands);
        if self.state.review.is_some() {
            egui::CentralPanel::default().show(ui, |ui| review::review_ui(ui, &self.state, &mut commands));
        } else {
            egui::Panel::top("menu").show(ui, |ui| menu_ui(ui, &self.state, &mut self.prefs, &mut commands));
            egui::Panel::bottom("status").show(ui, |ui| status_bar_ui(ui, &self.state, &mut self.prefs.left_tab, &mut commands));
            egui::Panel::left("budgets").resizable(true).default_size(theme::TREE_WIDTH).show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut self.prefs.left_tab, LeftTab::Budgets, RichText::new("Budgets").size(theme::TAB_SIZE));
                    let attention = self.state.attention.len();
                    ui.selectable_value(
                        &mut self.prefs.left_tab,
                        LeftTab::Attention,
                        RichText::new(format!("Needs attention ({attention})")).size(theme::TAB_SIZE),
                    );
                    let open = self.state.states.counts.open_regressions + self.state.states.counts.over;
                    ui.selectable_value(
                        &mut self.prefs.left_tab,
                        LeftTab::Findings,
                        RichText::new(format!("Findings ({open})")).size(theme::TAB_SIZE),
                    );
                    let proposals = self.state.proposals.len();
                    ui.selectable_value(
                        &mut self.prefs.left_tab,
                        LeftTab::Proposals,
                        RichText::new(format!("Proposals ({proposals})")).size(theme::TAB_SIZE),
                    );
                });
                match self.prefs.left_tab {
                    LeftTab::Budgets => tree::tree_ui(ui, &self.state, &mut commands),
                    LeftTab::Attention => attention::attention_ui(ui, &self.state, &mut commands),
                    LeftTab::Findings => findings::findings_ui(ui, &self.state, &mut commands),
                    LeftTab::Proposals => proposals::proposals_ui(ui, &self.state, &mut commands),
                }
            });
            egui::CentralPanel::default().show(ui, |ui| metric::metric_ui(ui, &self.state, &mut commands));
        }
        path_window_ui(ui, &self.state, &mut commands);
        error_window_ui(ui, &self.state, &mut commands);
        findings::triage_window_ui(ui, &self.state, &mut commands);
        sensitivity_window_ui(ui, &self.state, &mut commands);
        proposals::draft_window_ui(ui, &self.state, &mut commands);
        import_window_ui(ui, &self.state, &mut commands);
        proposals::sign_window_ui(ui, &self.state, &mut commands);
        for command in commands {
            self.apply(ui, command);
        }
        apply_theme(ui.ctx(), self.prefs.theme);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.prefs);
    }
}

fn shortcuts(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    use egui::{Key, Modifiers};
    let (open, reload, find, review_key) = ui.input_mut(|i| {
        (
            i.consume_key(Modifiers::COMMAND, Key::O),
            i.consume_key(Modifiers::COMMAND, Key::R),
            i.consume_key(Modifiers::COMMAND, Key::F),
            i.consume_key(Modifiers::NONE, Key::F11),
        )
    });
    if open {
        commands.push(Command::AskPath(PathPurpose::Open, current_folder(state)));
    }
    if reload {
        commands.push(Command::Reload);
    }
    if find {
        ui.ctx().memory_mut(|m| m.request_focus(tree::filter_id()));
    }
    if review_key {
        commands.push(if state.review.is_some() { Command::LeaveReview } else { Command::EnterReview });
    }
    if state.review.is_some() && state.path_prompt.is_none() && state.triage_draft.is_none() {
        let (next, previous, leave) = ui.input(|i| {
            (
                i.key_pressed(Key::ArrowRight) || i.key_pressed(Key::PageDown) || i.key_pressed(Key::Space),
                i.key_pressed(Key::ArrowLeft) || i.key_pressed(Key::PageUp),
                i.key_pressed(Key::Escape),
            )
        });
        if next {
            commands.push(Command::ReviewStep(1));
        }
        if previous {
            commands.push(Command::ReviewStep(-1));
        }
        if leave {
            commands.push(Command::LeaveReview);
        }
    }
}

fn current_folder(state: &AppState) -> String {
    match &state.source {
        Source::Folder(p) => p.display().to_string(),
        Source::Example => String::new(),
    }
}

/// Where a review export goes by default: the workspace's `reports/` folder (which Headroom
/// never reads as budgets), or `headroom-review-DATE` here for the read-only example.
#[must_use]
pub fn default_export_folder(state: &AppState) -> String {
    let date = state.today.date();
    match &state.source {
        Source::Folder(p) => p.join("reports").join(format!("review-{date}")).display().to_string(),
        Source::Example => format!("headroom-review-{date}"),
    }
}

fn menu_ui(ui: &mut Ui, state: &AppState, prefs: &mut Prefs, commands: &mut Vec<Command>) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open workspace…").clicked() {
                commands.push(Command::AskPath(PathPurpose::Open, current_folder(state)));
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
            if ui.button("Import benchmark results…").clicked() {
                commands.push(Command::AskImport(Some(super::state::ImportDraft::default())));
            }
            if ui.button("Export review…").clicked() {
                commands.push(Command::AskPath(PathPurpose::Export, default_export_folder(state)));
            }
            ui.separator();
            if ui.button("Quit").clicked() {
                ui.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.menu_button("View", |ui| {
            if ui.button("Review mode (F11)").clicked() {
                commands.push(Command::EnterReview);
            }
            if ui.button("Sensitivity…").clicked() {
                commands.push(Command::ShowSensitivity);
            }
            ui.separator();
            ui.label("Theme");
            ui.radio_value(&mut prefs.theme, ThemeChoice::System, "as the system");
            ui.radio_value(&mut prefs.theme, ThemeChoice::Light, "light");
            ui.radio_value(&mut prefs.theme, ThemeChoice::Dark, "dark");
        });
        if ui.button("Review").on_hover_text("Run the weekly budget review (F11)").clicked() {
            commands.push(Command::EnterReview);
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

fn status_bar_ui(ui: &mut Ui, state: &AppState, left_tab: &mut LeftTab, commands: &mut Vec<Command>) {
    if let Some((fraction, what)) = state.loading() {
        ui.add(egui::ProgressBar::new(fraction).show_percentage().text(format!("Loading: {what}")));
    }
    if !state.has_loaded() {
        // Nothing checked yet: the empty workspace's counts and problems would mislead.
        if let Some(message) = &state.message {
            ui.label(RichText::new(message).strong());
        }
        return;
    }
    ui.horizontal_wrapped(|ui| {
        // The whole workspace first, never calmer than the truth: incomplete where any budget
        // went unchecked (a file that did not load, no data in this environment).
        let overall = state.states.overall;
        let phrase = RichText::new(overall.words().to_uppercase()).strong().color(theme::status_color(Some(overall.status())));
        if state.attention.is_empty() {
            ui.label(phrase);
        } else if ui.link(phrase).on_hover_text("Show what needs attention, most severe first").clicked() {
            *left_tab = LeftTab::Attention;
        }
        ui.separator();
        let counts = state.states.counts;
        if counts.files_not_loaded > 0 {
            ui.colored_label(
                theme::FAIL,
                format!(
                    "{} in {} that did not load",
                    super::standing::plural(counts.not_loaded, "budget", "budgets"),
                    super::standing::plural(counts.files_not_loaded, "file", "files")
                ),
            );
        }
        // Each count is a link: it shows those budgets in the tree.
        for (tally, color) in
            [(Tally::NoData, theme::FAIL), (Tally::Failing, theme::FAIL), (Tally::Warnings, theme::WARN), (Tally::Pass, theme::PASS)]
        {
            let n = state.states.count(tally);
            if n == 0 && tally == Tally::NoData {
                continue;
            }
            let link = ui.link(RichText::new(tally.words(n)).color(color)).on_hover_text("Show them in the tree");
            if link.clicked() {
                commands.push(Command::ShowTally(tally));
            }
        }
        if counts.regressed > 0 {
            let link = ui
                .link(
                    RichText::new(super::standing::plural(counts.open_regressions, "open regression", "open regressions"))
                        .color(theme::WARN),
                )
                .on_hover_text("Show the budgets with an open regression in the tree");
            if link.clicked() {
                commands.push(Command::SetFilter(super::state::TreeFilter {
                    regressed_only: true,
                    sort: state.filter.sort,
                    ..Default::default()
                }));
            }
        }
        ui.separator();
        ui.label(format!("{} runs, {} metrics", state.workspace.history.runs.len(), state.workspace.history.series.len()));
        if let Some(message) = &state.message {
            ui.separator();
            ui.label(RichText::new(message).strong());
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
            RichText::new(format!(
                "{} in the workspace's files",
                super::standing::plural(state.workspace.errors.len(), "problem", "problems")
            ))
            .color(theme::FAIL),
        )
        .id_salt("errors")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().max_height(140.0).show(ui, |ui| {
                for (i, e) in state.workspace.errors.iter().enumerate() {
                    if ui.link(RichText::new(e.to_string()).monospace()).on_hover_text("Show the lines").clicked() {
                        commands.push(Command::ShowError(i));
                    }
                }
            });
        });
    }
}

fn error_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(view) = &state.error_view else { return };
    let mut open = true;
    egui::Window::new("Problem in a workspace file").open(&mut open).resizable(true).default_width(720.0).show(ui.ctx(), |ui| {
        ui.label(RichText::new(&view.title).color(theme::FAIL));
        ui.separator();
        if view.lines.is_empty() {
            ui.label("The file cannot be read.");
        }
        for (number, text) in &view.lines {
            let line = RichText::new(format!("{number:>5} │ {text}")).monospace();
            if *number == view.line {
                ui.label(line.strong().background_color(theme::ERROR_LINE));
            } else {
                ui.label(line);
            }
        }
    });
    if !open {
        commands.push(Command::CloseError);
    }
}

fn path_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some((purpose, typed)) = &state.path_prompt else { return };
    let (title, label, action) = match purpose {
        PathPurpose::Open => ("Open workspace", "A folder of budget files (with its history/ folder):", "Open"),
        PathPurpose::Export => ("Export review", "A folder for review.md, review.html and the plots:", "Export"),
    };
    let mut text = typed.clone();
    egui::Window::new(title).collapsible(false).resizable(false).show(ui.ctx(), |ui| {
        ui.label(label);
        let field = ui.add(egui::TextEdit::singleline(&mut text).hint_text("path/to/folder").desired_width(420.0));
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
                commands.push(Command::CancelPath);
            }
        });
    });
    if &text != typed {
        commands.push(Command::AskPath(*purpose, text));
    }
}

fn done(purpose: PathPurpose, path: PathBuf) -> Command {
    match purpose {
        PathPurpose::Open => Command::Open(path),
        PathPurpose::Export => Command::ExportReview(path),
    }
}

/// The sliders of the sensitivity window. They show what applies in the scope (every budget, or
/// the budget `scope`); a budget's own value is kept only where it differs from the workspace's.
fn settings_ui(ui: &mut Ui, settings: &mut CheckSettings, scope: Option<&str>) {
    let mut shown = match scope {
        Some(id) => settings.for_budget(id),
        None => settings.clone(),
    };
    let mut percent = shown.regression_threshold * 100.0;
    ui.add(egui::Slider::new(&mut percent, 0.5..=25.0).suffix(" %").step_by(0.5).text("regression threshold"));
    shown.regression_threshold = percent / 100.0;
    ui.add(egui::Slider::new(&mut shown.baseline_runs, 3..=60).text("baseline runs"));
    ui.add(egui::Slider::new(&mut shown.significance, 0.000_01..=0.2).logarithmic(true).text("significance (false alarm rate)"));
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
            let own = crate::model::workspace::BudgetCheck {
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

fn sensitivity_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
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
            commands.push(Command::SetSensitivityScope(scope.clone()));
        }
        settings_ui(ui, &mut settings, scope.as_deref());
        let own: Vec<&String> = settings.budgets.keys().collect();
        if !own.is_empty() {
            ui.label(RichText::new(format!("Budgets with settings of their own: {}", own.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))).weak());
        }
        ui.separator();
        let summary = |r: &crate::engine::replay::Replay| {
            format!(
                "{} alarms over {} runs: {} confirmed by a change point, {} likely noise",
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
                commands.push(Command::SaveSettings);
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
        commands.push(Command::TrySettings(settings));
    }
    if !open {
        commands.push(Command::CloseSensitivity);
    }
}

fn import_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    use crate::import::Format;
    let Some(current) = &state.import_prompt else { return };
    let mut d = current.clone();
    let mut open = true;
    egui::Window::new("Import benchmark results").open(&mut open).resizable(false).min_width(520.0).show(ui.ctx(), |ui| {
        ui.horizontal(|ui| {
            ui.radio_value(&mut d.prometheus, false, "a benchmark tool's output");
            ui.radio_value(&mut d.prometheus, true, "runtime history from Prometheus");
        });
        if d.prometheus {
            ui.label("One run per step over the last days; each query must return one series, in its budget's unit.");
            egui::Grid::new("prometheus fields").num_columns(2).show(ui, |ui| {
                ui.label("server");
                ui.add(egui::TextEdit::singleline(&mut d.url).hint_text("http://localhost:9090").desired_width(380.0));
                ui.end_row();
                ui.label("queries");
                ui.add(
                    egui::TextEdit::multiline(&mut d.queries)
                        .hint_text("api.latency=histogram_quantile(0.95, ...) * 1000")
                        .desired_width(380.0)
                        .desired_rows(3),
                );
                ui.end_row();
                ui.label("environment");
                ui.add(egui::TextEdit::singleline(&mut d.environment).hint_text("prod").desired_width(380.0));
                ui.end_row();
            });
            ui.horizontal(|ui| {
                ui.add(egui::DragValue::new(&mut d.days).range(1..=365).suffix(" days"));
                ui.label("back, one run every");
                ui.add(egui::DragValue::new(&mut d.step_minutes).range(1..=1440).suffix(" min"));
            });
            ui.horizontal(|ui| {
                if ui.button("Import").clicked() {
                    commands.push(Command::Import(d.clone()));
                }
                if ui.button("Cancel").clicked() {
                    commands.push(Command::AskImport(None));
                }
            });
            return;
        }
        ui.label("Appends one run to the workspace's history (all of the files, or nothing). Dropping the files on the window works too.");
        egui::ComboBox::new("import format", "tool").selected_text(d.format.name()).show_ui(ui, |ui| {
            for f in Format::ALL {
                ui.selectable_value(&mut d.format, f, f.name());
            }
        });
        egui::Grid::new("import fields").num_columns(2).show(ui, |ui| {
            ui.label("files");
            let hint = if d.format == Format::Criterion { "target/criterion" } else { "hyperfine.json (one per line)" };
            ui.add(egui::TextEdit::multiline(&mut d.paths).hint_text(hint).desired_width(380.0).desired_rows(2));
            ui.end_row();
            for (label, value, hint) in [
                ("run id", &mut d.run_id, "ci-1217 (empty: the tool and the time)"),
                ("branch", &mut d.branch, "main"),
                ("environment", &mut d.environment, "ci"),
            ] {
                ui.label(label);
                ui.add(egui::TextEdit::singleline(value).hint_text(hint).desired_width(380.0));
                ui.end_row();
            }
        });
        ui.horizontal(|ui| {
            if ui.button("Browse…").clicked() {
                let picked = if d.format == Format::Criterion {
                    rfd::FileDialog::new().set_title("criterion's output folder").pick_folder().map(|p| vec![p])
                } else {
                    rfd::FileDialog::new().set_title("Benchmark results").add_filter("JSON", &["json"]).pick_files()
                };
                if let Some(files) = picked {
                    d.paths = files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("\n");
                }
            }
            if ui.button("Import").clicked() {
                commands.push(Command::Import(d.clone()));
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::AskImport(None));
            }
        });
    });
    if !open {
        commands.push(Command::AskImport(None));
    } else if &d != current && !commands.iter().any(|c| matches!(c, Command::AskImport(None) | Command::Import(_))) {
        commands.push(Command::AskImport(Some(d)));
    }
}
