//! What the user can ask of the app ([`Command`], nested by area), what only the app can do
//! about it ([`Effect`]), and the one place that changes the state for a command
//! ([`AppState::apply`]): each area's commands handled in turn, by the area's own struct where
//! the change is its own, here where it reaches across areas (a selection that shows a plot, a
//! triage saved that changes the findings and the review).

use super::findings::FindingsCommand;
use super::import::ImportCommand;
use super::plot::PlotCommand;
use super::prompts::{ErrorView, PromptCommand};
use super::proposals::{ProposalCommand, Signer};
use super::review::{ExportRequest, Review, ReviewCommand};
use super::sensitivity::{Sensitivity, SensitivityCommand};
use super::tree::{TreeCommand, TreeFilter};
use super::{AppState, located_in_store};
use crate::gui::jobs::Source;
use crate::model::triage::{TRIAGE_FILE, is_review_record, is_triage_record};
use std::path::PathBuf;

/// Something the user asked for, by the area it concerns.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// The workspace: open, reload, environment, message.
    Workspace(WorkspaceCommand),
    /// The budget tree and the selection.
    Tree(TreeCommand),
    /// The selected budget's plot.
    Plot(PlotCommand),
    /// The findings and their triage.
    Findings(FindingsCommand),
    /// The sensitivity window.
    Sensitivity(SensitivityCommand),
    /// The review meeting and its export.
    Review(ReviewCommand),
    /// Budget change proposals.
    Proposal(ProposalCommand),
    /// Imports.
    Import(ImportCommand),
    /// The path and error windows.
    Prompt(PromptCommand),
}

/// Something the user asked of the workspace.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkspaceCommand {
    /// Open a workspace folder.
    Open(PathBuf),
    /// Read the workspace's files again.
    Reload,
    /// Files of the workspace changed on disk (paths relative to it).
    FilesChanged(Vec<String>),
    /// Check and analyse another environment (`None`: the workspace's default).
    SetEnvironment(Option<String>),
    /// Hide the message line.
    DismissMessage,
}

macro_rules! command_from {
    ($($area:ident($command:ty)),* $(,)?) => {
        $(impl From<$command> for Command {
            fn from(command: $command) -> Command {
                Command::$area(command)
            }
        })*
    };
}

command_from!(
    Workspace(WorkspaceCommand),
    Tree(TreeCommand),
    Plot(PlotCommand),
    Findings(FindingsCommand),
    Sensitivity(SensitivityCommand),
    Review(ReviewCommand),
    Proposal(ProposalCommand),
    Import(ImportCommand),
    Prompt(PromptCommand),
);

/// What applying a command asks of the app, which the state cannot do without egui or eframe.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Review mode began: large type and full screen, for the projector.
    EnterReviewScreen,
    /// Review mode ended: the zoom and the window as they were.
    LeaveReviewScreen,
    /// Draw the review's plots and write the export (the app runs it as a job and hands the job
    /// back with [`AppState::start_export`]).
    ExportReview(ExportRequest),
    /// Show the budget tree in the left panel (a filter was set).
    ShowTree,
    /// Remember who signs on this machine in the app's preferences.
    RememberSigner(Signer),
}

impl AppState {
    /// Applies one command; returns what the app is to do about it.
    pub fn apply(&mut self, command: Command) -> Vec<Effect> {
        self.handle(command);
        std::mem::take(&mut self.effects)
    }

    pub(super) fn handle(&mut self, command: Command) {
        match command {
            Command::Workspace(c) => self.workspace_command(c),
            Command::Tree(c) => self.tree_command(c),
            Command::Plot(c) => self.plot_command(c),
            Command::Findings(c) => self.findings_command(c),
            Command::Sensitivity(c) => self.sensitivity_command(c),
            Command::Review(c) => self.review_command(c),
            Command::Proposal(c) => self.proposal_command(c),
            Command::Import(c) => self.import_command(c),
            Command::Prompt(c) => self.prompt_command(c),
        }
    }

    fn workspace_command(&mut self, command: WorkspaceCommand) {
        match command {
            WorkspaceCommand::Open(path) => {
                if path.is_dir() {
                    self.prompts.path = None;
                    self.message = None;
                    self.environment = None;
                    self.begin_load(Source::Folder(crate::model::workspace::workspace_folder(&path)), None);
                } else {
                    self.message = Some(format!("Cannot open {}: it is not a folder", path.display()));
                }
            }
            WorkspaceCommand::Reload => self.reload(),
            WorkspaceCommand::FilesChanged(files) => {
                if files.iter().all(|f| f == TRIAGE_FILE || is_triage_record(f) || is_review_record(f)) {
                    self.reload_triage();
                } else {
                    self.message = Some(format!("Reloaded: {} changed on disk", files.join(", ")));
                    self.reload();
                }
            }
            WorkspaceCommand::SetEnvironment(environment) => {
                self.environment = environment;
                self.recheck();
            }
            WorkspaceCommand::DismissMessage => self.message = None,
        }
    }

    fn tree_command(&mut self, command: TreeCommand) {
        match command {
            TreeCommand::Select(index) => {
                if index < self.workspace.budgets.len() {
                    let other = self.selected != Some(index);
                    if other {
                        self.plot.overlays.clear();
                    }
                    self.selected = Some(index);
                    self.derive_plot();
                    if other {
                        self.plot.fit_to_range();
                    }
                }
            }
            TreeCommand::SetFilter(filter) => self.set_filter(filter),
            TreeCommand::ShowTally(tally) => {
                self.set_filter(TreeFilter { tally: Some(tally), sort: self.tree.filter.sort, ..TreeFilter::default() });
            }
        }
    }

    fn set_filter(&mut self, filter: TreeFilter) {
        self.tree.filter = filter;
        self.derive_tree();
        // A count clicked in the status bar shows its budgets in the tree.
        self.effects.push(Effect::ShowTree);
    }

    fn plot_command(&mut self, command: PlotCommand) {
        match command {
            PlotCommand::SetRange(range) => {
                self.plot.range = range;
                self.plot.request_range();
            }
            PlotCommand::SetStacked(stacked) => self.plot.stacked = stacked,
            PlotCommand::SetScaleToLimit(on) => self.plot.scale_to_limit = on,
            PlotCommand::ToggleOverlay(index) => self.toggle_overlay(index),
        }
    }

    fn findings_command(&mut self, command: FindingsCommand) {
        match command {
            FindingsCommand::Select(row) => self.select_finding(row),
            FindingsCommand::SelectNoise(row) => self.select_noise_change(row),
            FindingsCommand::Filter(triage) => self.findings.filter = triage,
            FindingsCommand::EditTriage(key, entry) => self.findings.edit_triage(key, entry, &self.triage),
            FindingsCommand::CloseTriage => self.findings.close_triage(),
            FindingsCommand::ResolveTriage(field, keep) => self.findings.resolve_triage(&field, keep),
            FindingsCommand::SetTriage(key, mut entry) => {
                // A state that accepts a worse level records how much worse it is now (as
                // `headroom triage` does): the gate accepts no bigger step with it.
                let before = self.triage.entries.get(&key);
                if entry.accepts_level() && (before.is_none_or(|b| b.state != entry.state) || entry.accepted_change.is_none()) {
                    let (metric, run) = key.rsplit_once('@').unwrap_or_default();
                    entry.set_accepted(&crate::engine::check::accepted_change_by_environment(&self.workspace, metric, run));
                }
                let root = match &self.source {
                    Source::Folder(root) => Some(root.clone()),
                    Source::Example => None,
                };
                let saved = self.findings.save_triage(root.as_deref(), &mut self.triage, key, entry, self.today);
                self.message = Some(match saved {
                    Ok(said) => {
                        self.action_errors.clear();
                        // A won't-fix accepts a worse level (and reopening one fails it again):
                        // the check is run again with the triage, as `headroom check` reads it.
                        self.recheck();
                        said
                    }
                    Err(e) => {
                        let why = self.failure_words(&e, located_in_store(&e));
                        format!("Cannot save the triage: {why} (it is kept until the app closes)")
                    }
                });
                self.derive_findings();
                self.refresh_review();
            }
        }
    }

    fn sensitivity_command(&mut self, command: SensitivityCommand) {
        match command {
            SensitivityCommand::Open => {
                let settings = self.report.settings.clone();
                self.sensitivity = Some(Sensitivity::open(settings.clone()));
                self.replay_settings(settings, true);
            }
            SensitivityCommand::Try(settings) => {
                let Some(s) = &mut self.sensitivity else { return };
                s.settings = settings.clone();
                // While a replay runs, the newest settings are replayed when it ends.
                if !s.replaying() {
                    self.replay_settings(settings, false);
                }
            }
            SensitivityCommand::SetScope(scope) => {
                if let Some(s) = &mut self.sensitivity {
                    s.scope = scope;
                }
            }
            SensitivityCommand::Save => self.save_settings(),
            SensitivityCommand::Close => {
                self.sensitivity = None;
                self.plot.data.alarms.clear();
            }
        }
    }

    fn review_command(&mut self, command: ReviewCommand) {
        match command {
            ReviewCommand::Enter => {
                if self.review.is_none() {
                    self.effects.push(Effect::EnterReviewScreen);
                }
                self.review = Some(Review { agenda: self.agenda(), index: 0 });
                self.show_review_item();
            }
            ReviewCommand::Leave => {
                if self.review.take().is_some() {
                    self.effects.push(Effect::LeaveReviewScreen);
                }
            }
            ReviewCommand::Step(step) => {
                if let Some(review) = &mut self.review {
                    review.step(step);
                }
                self.show_review_item();
            }
            ReviewCommand::Jump(index) => {
                if let Some(review) = &mut self.review {
                    review.jump(index);
                }
                self.show_review_item();
            }
            ReviewCommand::MarkHeld => self.mark_reviewed(),
            ReviewCommand::Export(dir) => {
                self.prompts.path = None;
                let request = self.export_request(dir);
                self.effects.push(Effect::ExportReview(request));
            }
        }
    }

    fn proposal_command(&mut self, command: ProposalCommand) {
        match command {
            ProposalCommand::Edit(draft) => {
                let draft = self.proposals.edit(draft);
                self.preview_proposal(draft);
            }
            ProposalCommand::Close => self.proposals.draft = None,
            ProposalCommand::Submit => {
                if let Some(d) = &self.proposals.draft {
                    self.proposals.signer.principal.clone_from(&d.draft.author);
                    self.effects.push(Effect::RememberSigner(self.proposals.signer.clone()));
                }
                self.submit_proposal();
            }
            ProposalCommand::AskSign(prompt) => self.proposals.ask_sign(prompt),
            ProposalCommand::CloseSign => (self.proposals.sign_prompt, self.proposals.sign_error) = (None, None),
            ProposalCommand::Sign { id, principal, file } => {
                if principal.is_empty() || file.as_os_str().is_empty() {
                    // Said in the window, not 'cannot read : No such file' of an empty path.
                    self.proposals.sign_error = Some("Give the principal and the key, .pub or signature file".to_owned());
                    return;
                }
                self.proposals.signer = Signer { principal: principal.clone(), key_file: file.display().to_string() };
                self.effects.push(Effect::RememberSigner(self.proposals.signer.clone()));
                let Some(root) = self.writable_root("sign") else { return };
                self.proposals.sign(root, id, principal, file, &self.waker);
            }
            ProposalCommand::Apply(id) => {
                let Some(root) = self.writable_root("apply a proposal") else { return };
                self.proposals.apply(root, id, &self.waker);
            }
        }
    }

    fn import_command(&mut self, command: ImportCommand) {
        match command {
            ImportCommand::Edit(draft) => {
                if self.import.prompt.is_none() {
                    self.import.error = None;
                }
                self.import.prompt = Some(draft);
            }
            ImportCommand::Close => (self.import.prompt, self.import.error) = (None, None),
            ImportCommand::Run(draft) => {
                let root = match &self.source {
                    Source::Folder(root) => Some(root.clone()),
                    Source::Example => None,
                };
                // Why it did not start is said in the window, which keeps what was typed.
                self.import.error = self.import.run(&draft, root, &self.waker).err().map(|why| why.to_string());
            }
            ImportCommand::Drop(paths) => self.drop_files(paths),
        }
    }

    fn prompt_command(&mut self, command: PromptCommand) {
        match command {
            PromptCommand::AskPath(purpose, text) => self.prompts.path = Some((purpose, text)),
            PromptCommand::ClosePath => self.prompts.path = None,
            PromptCommand::ShowError(index) => {
                let view = self.load_errors().nth(index).map(|e| ErrorView::of(e, &self.source));
                self.prompts.error = view;
            }
            PromptCommand::CloseError => self.prompts.error = None,
        }
    }
}
