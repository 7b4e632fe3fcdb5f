//! The sensitivity area: the gate's settings being tried, replayed over the whole history on the
//! `headroom-replay` thread, beside a replay of the settings saved.

use crate::engine::replay::{Replay, replay};
use crate::gui::jobs::{Job, Waker};
use crate::model::settings::CheckSettings;
use crate::model::workspace::Workspace;
use std::sync::Arc;

/// Something the user asked of the sensitivity window.
#[derive(Clone, Debug, PartialEq)]
pub enum SensitivityCommand {
    /// Open the window with the workspace's settings.
    Open,
    /// Try other settings: replays them over the history in the background.
    Try(CheckSettings),
    /// Change whose settings the window edits (`None`: the workspace's; else a budget id).
    SetScope(Option<String>),
    /// Write the tried settings to `headroom.yaml`.
    Save,
    /// Close the window.
    Close,
}

/// The sensitivity window: settings being tried and what they would have flagged.
pub struct Sensitivity {
    /// The settings tried.
    pub settings: CheckSettings,
    /// Whose settings the sliders change: the workspace's (`None`) or one budget's own (its id).
    pub scope: Option<String>,
    /// The replay of the workspace's settings (for comparison).
    pub current: Option<Replay>,
    /// The replay of the tried settings.
    pub tried: Option<Replay>,
    job: Option<Job<(Option<Replay>, Replay)>>,
}

/// What a replay is made from: the workspace, the checked environment and, where wanted, the
/// settings saved (replayed first, for comparison).
pub(super) struct ReplayInput {
    pub(super) workspace: Arc<Workspace>,
    pub(super) environment: Option<String>,
    pub(super) current: Option<CheckSettings>,
}

impl Sensitivity {
    /// The window on `settings`, nothing replayed yet.
    pub(super) fn open(settings: CheckSettings) -> Sensitivity {
        Sensitivity { settings, scope: None, current: None, tried: None, job: None }
    }

    /// Whether a replay is running.
    #[must_use]
    pub fn replaying(&self) -> bool {
        self.job.is_some()
    }

    /// Replays `settings` (and the saved ones, where `input` has them) on the `headroom-replay` thread.
    pub(super) fn replay(&mut self, settings: CheckSettings, input: ReplayInput, waker: &Waker) {
        let ReplayInput { workspace, environment, current } = input;
        self.job = Some(Job::spawn("headroom-replay", Arc::clone(waker), move |progress| {
            let before = current.map(|c| {
                progress(0.0, "replaying the saved settings");
                replay(&workspace, environment.clone(), &c)
            });
            progress(0.5, "replaying the settings tried");
            (before, replay(&workspace, environment, &settings))
        }));
    }

    /// The replay's result, once it is there.
    pub(super) fn poll(&self) -> Option<(Option<Replay>, Replay)> {
        self.job.as_ref().and_then(Job::poll)
    }

    /// Waits for the replay running, where one is.
    pub(super) fn wait(&mut self) -> Option<(Option<Replay>, Replay)> {
        self.job.take().and_then(|job| job.wait())
    }

    /// Takes a replay's result; returns the settings to replay next where they changed meanwhile
    /// (while a replay runs, the newest settings are replayed when it ends).
    pub(super) fn take_replay(&mut self, current: Option<Replay>, tried: Replay) -> Option<CheckSettings> {
        if current.is_some() {
            self.current = current;
        }
        let stale = tried.settings != self.settings;
        self.tried = Some(tried);
        self.job = None;
        stale.then(|| self.settings.clone())
    }
}
