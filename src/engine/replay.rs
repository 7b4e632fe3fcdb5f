//! Replay: what would `headroom check`, with given settings, have flagged over the past history?
//!
//! Every run of the baseline branch is checked, in order, exactly as CI would have checked it then
//! (the same [`super::check::check`] with only the runs before it as baseline). Each alarm is compared with the
//! change points the offline analysis finds over the whole history: an alarm near a change point
//! for the worse, or while the level one set is still on (the gate never absorbs a regression, so
//! it keeps alarming until the level comes back), is *confirmed* (a real shift); one with none is
//! most likely noise, and so is one just after a change point for the better. Consecutive alarms
//! of one budget are one episode.
//! A team picks its sensitivity from this evidence.

use super::analyze::{Analysis, RunFilter, Severity, Verdict, analyze};
use super::changepoint::DetectorSettings;
use super::check::{CheckOptions, Finding, Rechecks, check_remembering};
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
    /// Whether the offline analysis explains it by a regression ([`confirms`]).
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

/// Whether the offline analysis explains an alarm of `metric` at history run `run` by a regression:
/// a change point for the worse within [`CONFIRM_RUNS`] runs of it (the gate may see a step a few
/// runs before the offline split or after it), or the newest change point before it is one for the
/// worse (the regression is still on). A change point for the better confirms no alarm: a level
/// that came back is no reason for one.
#[must_use]
pub fn confirms(offline: &Analysis, metric: &str, run: usize) -> bool {
    let Some(m) = offline.metrics.iter().find(|m| m.metric == metric) else { return false };
    let position = |run: usize| m.series.runs.partition_point(|&x| x < run);
    let at = position(run);
    // The metric's change points in run order, at their positions in its series.
    let changes: Vec<(usize, Verdict)> =
        offline.findings.iter().filter(|f| f.metric == metric).map(|f| (position(f.run_index), f.verdict)).collect();
    let near = changes.iter().any(|&(p, v)| v == Verdict::Regression && p.abs_diff(at) <= CONFIRM_RUNS);
    let still_on = changes.iter().filter(|&&(p, _)| p <= at).max_by_key(|&&(p, _)| p).is_some_and(|&(_, v)| v == Verdict::Regression);
    near || still_on
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
    // Each run's check is made again by the checks of the runs after it that recall it: once.
    let rechecks = Rechecks::default();
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
        let report = check_remembering(workspace, &options, &rechecks);
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
            let confirmed = confirms(&offline, &r.metric, run);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::{ChangeFinding, MetricAnalysis, MetricValues};
    use crate::engine::changepoint::Segmentation;
    use crate::model::units::Direction;

    /// The bundled schema_validator: worse at run 85, back at run 133 (runs 0..216, all measured).
    fn offline() -> Analysis {
        let finding = |run_index: usize, verdict: Verdict| ChangeFinding {
            metric: "m".to_owned(),
            budget: None,
            run_index,
            run_id: format!("ci-{run_index}"),
            verdict,
            before: 0.0,
            after: 0.0,
            absolute_change: 0.0,
            relative_change: None,
            shift_in_noise: 10.0,
            p_value: 1e-9,
            severity: Severity::Medium,
            last_good_run: None,
            commit_range: (None, None),
            related: Vec::new(),
            allocations: Vec::new(),
        };
        let metric = MetricAnalysis {
            metric: "m".to_owned(),
            unit: None,
            direction: Direction::LowerIsBetter,
            budget: None,
            series: MetricValues { runs: (0..216).collect(), values: vec![0.0; 216] },
            segmentation: Segmentation::default(),
            trend: None,
        };
        Analysis {
            metrics: vec![metric],
            findings: vec![finding(85, Verdict::Regression), finding(133, Verdict::Improvement)],
            noise_findings: Vec::new(),
        }
    }

    #[test]
    fn an_alarm_is_confirmed_by_a_regression_near_it_or_still_on_never_by_an_improvement() {
        let a = offline();
        // At the step, a little before or after it, and any time while the worse level is on.
        for run in [82, 85, 88, 91, 120, 132] {
            assert!(confirms(&a, "m", run), "run {run}");
        }
        // Before it, and after the level came back (near the improvement too): likely noise.
        for run in [10, 81, 133, 135, 139, 200] {
            assert!(!confirms(&a, "m", run), "run {run}");
        }
        assert!(!confirms(&a, "other", 90));
    }
}
