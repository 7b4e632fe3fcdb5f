//! The eframe app: a menu bar, the budget tree and the findings on the left, the selected budget's
//! history in the middle, the workspace's problems at the bottom; and review mode for the meeting.
//! Panels and windows are functions that read [`AppState`] and push [`Command`]s; `App::ui`
//! applies them after the frame is drawn and runs the [`Effect`]s they return (the review screen,
//! the review export on a job, the left tab, who signs here).

use super::jobs::{Job, Source};
use super::panels::menu::menu_ui;
use super::panels::status::status_bar_ui;
use super::panels::{attention, findings, metric, proposals, review, tree};
use super::prefs::{LeftTab, Prefs, ThemeChoice};
use super::state::{AppState, Command, Effect, ImportCommand, PathPurpose, PromptCommand, ReviewCommand, Signer, WorkspaceCommand};
use super::theme;
use super::windows;
use egui::{RichText, Ui};
use std::path::PathBuf;
use std::sync::Arc;

const MAX_RECENT: usize = 8;

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
        // Who signs on this machine is a preference; the state fills it into new drafts and signatures.
        app.state.proposals.signer = Signer { principal: app.prefs.principal.clone(), key_file: app.prefs.key_file.clone() };
        // Long series are drawn by the GPU where eframe runs on wgpu; elsewhere egui_plot draws them.
        app.state.gpu_plot = super::gpu_plot::install(cc);
        theme::install(&cc.egui_ctx);
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

    /// Applies a command to the state and carries out what it asks of the app.
    fn apply(&mut self, ui: &Ui, command: Command) {
        for effect in self.state.apply(command) {
            self.run_effect(ui, effect);
        }
    }

    fn run_effect(&mut self, ui: &Ui, effect: Effect) {
        match effect {
            Effect::EnterReviewScreen => {
                self.zoom_before_review = Some(ui.ctx().zoom_factor());
                fit_review_zoom(ui.ctx());
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
            }
            Effect::LeaveReviewScreen => {
                ui.ctx().set_zoom_factor(self.zoom_before_review.take().unwrap_or(1.0));
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
            }
            Effect::ExportReview(request) => {
                // The plots are drawn by egui on the CPU: on a thread of their own, not the UI's.
                let dir = request.dir.clone();
                let job = Job::spawn("headroom-export", self.state.waker(), move |progress| {
                    progress(0.0, "drawing the plots");
                    super::export::export_review(&request)
                });
                self.state.start_export(dir, job);
            }
            Effect::ShowTree => self.prefs.left_tab = LeftTab::Budgets,
            Effect::RememberSigner(signer) => {
                self.prefs.principal = signer.principal;
                self.prefs.key_file = signer.key_file;
            }
        }
    }
}

/// Review mode's zoom for the window as it is now (it goes full screen, and may be resized).
fn fit_review_zoom(ctx: &egui::Context) {
    let window = ctx.content_rect().size() * ctx.zoom_factor();
    let zoom = theme::review_zoom(window);
    if (zoom - ctx.zoom_factor()).abs() > 0.01 {
        ctx.set_zoom_factor(zoom);
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
            commands.push(Command::Import(ImportCommand::Drop(dropped)));
        }
        shortcuts(ui, &self.state, &mut commands);
        if self.state.review.is_some() {
            fit_review_zoom(ui.ctx());
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
                    let proposals = self.state.proposals.open.len();
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
        windows::path::path_window_ui(ui, &self.state, &mut commands);
        windows::error::error_window_ui(ui, &self.state, &mut commands);
        windows::triage::triage_window_ui(ui, &self.state, &mut commands);
        windows::sensitivity::sensitivity_window_ui(ui, &self.state, &mut commands);
        windows::proposal::draft_window_ui(ui, &self.state, &mut commands);
        windows::import::import_window_ui(ui, &self.state, &mut commands);
        windows::sign::sign_window_ui(ui, &self.state, &mut commands);
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
        commands.push(Command::Prompt(PromptCommand::AskPath(PathPurpose::Open, state.current_folder())));
    }
    if reload {
        commands.push(Command::Workspace(WorkspaceCommand::Reload));
    }
    if find {
        ui.ctx().memory_mut(|m| m.request_focus(tree::filter_id()));
    }
    if review_key {
        commands.push(if state.review.is_some() { Command::Review(ReviewCommand::Leave) } else { Command::Review(ReviewCommand::Enter) });
    }
    if state.review.is_some() && state.prompts.path.is_none() && state.findings.triage_draft.is_none() {
        let (next, previous, leave) = ui.input(|i| {
            (
                i.key_pressed(Key::ArrowRight) || i.key_pressed(Key::PageDown) || i.key_pressed(Key::Space),
                i.key_pressed(Key::ArrowLeft) || i.key_pressed(Key::PageUp),
                i.key_pressed(Key::Escape),
            )
        });
        if next {
            commands.push(Command::Review(ReviewCommand::Step(1)));
        }
        if previous {
            commands.push(Command::Review(ReviewCommand::Step(-1)));
        }
        if leave {
            commands.push(Command::Review(ReviewCommand::Leave));
        }
    }
}
