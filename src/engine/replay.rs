//! Replay: what would `headroom check`, with given settings, have flagged over the past history?
//!
//! Every run of the baseline branch is checked, in order, exactly as CI would have checked it then
//! (the same [`check`] with only the runs before it as baseline). Each alarm is compared with the
//! change points the offline analysis finds over the whole history: an alarm near a change point
//! is *confirmed* (a real shift); one with none is most likely noise. Consecutive alarms of one
//! budget are one episode, since a step keeps alarming until the baseline restarts on its new level.
//! A team picks its sensitivity from this evidence.

use super::analyze::{RunFilter, Severity, analyze};
use super::changepoint::DetectorSettings;
use super::check::{CheckOptions, Finding, check};
use crate::model::settings::CheckSettings;
use crate::model::workspace::Workspace;

/// An alarm raised, when replayed, by a run of the baseline branch.
#[derive(Clone, Debug, PartialEq)]
pub struct Alarm {
    /// The budget.
    pub budget: String,
    /// The first run of the episode.
    pub run_id: String,
    /// Its position in the history's runs.
    pub run_index: usize,
    /// Its commit.
    pub commit: Option<String>,
    /// How many consecutive runs alarmed.
    pub runs: usize,
    /// The largest relative worsening in the episode.
    pub change: f64,
    /// The highest severity in the episode.
    pub severity: Severity,
    /// Whether the offline analysis has a change point of the metric within [`CONFIRM_RUNS`] runs.
    pub confirmed: bool,
}

/// Alarms within this many runs of an offline change point are confirmed.
pub const CONFIRM_RUNS: usize = 3;

/// The replay's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    /// The environment replayed.
    pub environment: Option<String>,
    /// The branch whose runs were checked.
    pub branch: String,
    /// How many runs were checked.
    pub runs_checked: usize,
    /// The first and last run checked.
    pub span: Option<(String, String)>,
    /// The settings replayed.
    pub settings: CheckSettings,
    /// The episodes of alarms, in run order.
    pub alarms: Vec<Alarm>,
}

impl Replay {
    /// How many alarms a change point confirms.
    #[must_use]
    pub fn confirmed(&self) -> usize {
        self.alarms.iter().filter(|a| a.confirmed).count()
    }
}

/// Replays `settings` over every run of the workspace's default branch in `environment`.
#[must_use]
pub fn replay(workspace: &Workspace, environment: Option<String>, settings: &CheckSettings) -> Replay {
    let history = &workspace.history;
    let branch = workspace.config.default_branch.clone();
    let environment = crate::model::settings::environment_or_default(environment, workspace.config.default_environment.as_deref(), history);
    let filter = RunFilter { environment: environment.clone(), branch: Some(branch.clone()) };
    let offline = analyze(history, &filter, Some(workspace), &DetectorSettings::default());

    let runs: Vec<usize> = (0..history.runs.len())
        .filter(|&i| history.runs.run(i).environment == environment.as_deref() && history.runs.run(i).branch == Some(branch.as_str()))
        .collect();
    let mut alarms: Vec<Alarm> = Vec::new();
    // The open episode of each budget: index into `alarms` and the position of its last run.
    let mut open: std::collections::HashMap<String, (usize, usize)> = std::collections::HashMap::new();
    for (position, &run) in runs.iter().enumerate() {
        let options = CheckOptions {
            environment: environment.clone(),
            run: Some(history.runs.run(run).id.to_owned()),
            baseline_branch: Some(branch.clone()),
            settings: Some(settings.clone()),
            budget_changes: Vec::new(),
            baseline_from: None,
            now: None,
            triage: None,
        };
        let report = check(workspace, &options);
        for r in &report.results {
            let Some((change, severity)) = r.findings.iter().find_map(|f| match f {
                Finding::Regression { change, severity, p_value: Some(_), .. } => Some((*change, *severity)),
                _ => None,
            }) else {
                continue;
            };
            if let Some((index, last)) = open.get_mut(&r.id)
                && *last + 1 == position
            {
                let alarm = &mut alarms[*index];
                alarm.runs += 1;
                alarm.change = alarm.change.max(change);
                alarm.severity = alarm.severity.max(severity);
                *last = position;
                continue;
            }
            let confirmed = offline.metrics.iter().find(|m| m.metric == r.metric).is_some_and(|m| {
                let at = m.series.runs.partition_point(|&x| x < run);
                m.segmentation.change_points.iter().any(|cp| cp.index.abs_diff(at) <= CONFIRM_RUNS)
            });
            open.insert(r.id.clone(), (alarms.len(), position));
            alarms.push(Alarm {
                budget: r.id.clone(),
                run_id: history.runs.run(run).id.to_owned(),
                run_index: run,
                commit: history.runs.run(run).commit.map(str::to_owned),
                runs: 1,
                change,
                severity,
                confirmed,
            });
        }
    }
    Replay {
        environment,
        branch,
        runs_checked: runs.len(),
        span: runs.first().zip(runs.last()).map(|(&a, &b)| (history.runs.run(a).id.to_owned(), history.runs.run(b).id.to_owned())),
        settings: settings.clone(),
        alarms,
    }
}
