//! `headroom triage`: a finding's triage, set or shown.

use super::args::TriageArgs;
use super::error::CliError;
use super::output::output;
use crate::engine::exit::ExitCode;
use crate::model::store::{TriageSaved, read_triage, save_triage_entry};
use crate::model::triage::TriageEntry;

/// Changes only the fields given, merged with what is on disk at the moment of writing (under the
/// workspace's lock), so triage saved by others meanwhile is kept; with no field, shows it. A state
/// that accepts a worse level (won't fix, invalid) records how much worse it is
/// (`accepted_change`: `--accepted-change`, else as the history shows it now,
/// [`crate::engine::check::accepted_change`]), and the gate accepts no bigger step with it.
pub fn run(args: &TriageArgs) -> Result<ExitCode, CliError> {
    if !args.finding.contains('@') {
        return Err(CliError::Invalid(format!("`{}` is not a finding: expected `metric@run`", args.finding)));
    }
    super::open::folder(&args.workspace)?;
    let shown = |e: &TriageEntry| {
        format!(
            "{}: {}{}{}{}\n",
            args.finding,
            e.state.label(),
            crate::report::accepted_words(e).map_or_else(String::new, |words| format!(" ({words})")),
            if e.owner.is_empty() { String::new() } else { format!(", owner {}", e.owner) },
            if e.note.is_empty() { String::new() } else { format!(": {}", e.note) }
        )
    };
    let triage = read_triage(&args.workspace)?;
    let base = triage.entries.get(&args.finding).cloned().unwrap_or_default();
    if args.state.is_none() && args.owner.is_none() && args.note.is_none() && args.accepted_change.is_none() {
        output(&shown(&base));
        return Ok(ExitCode::Pass);
    }
    // Only the fields given change; the base is the entry as read here, and the save merges it
    // with the disk under the lock, so a field someone else changed meanwhile is kept.
    let mut ours = TriageEntry {
        state: args.state.unwrap_or(base.state),
        owner: args.owner.clone().unwrap_or_else(|| base.owner.clone()),
        note: args.note.clone().unwrap_or_else(|| base.note.clone()),
        updated: Some(crate::model::time::Timestamp::now()),
        accepted_change: args.accepted_change.or(base.accepted_change),
        // A change given by hand holds in every environment.
        accepted_by_environment: if args.accepted_change.is_some() {
            std::collections::BTreeMap::default()
        } else {
            base.accepted_by_environment.clone()
        },
    };
    // Setting a state that accepts a worse level measures the level accepted now (a second triage
    // of the same finding, after a bigger step, accepts that one).
    if ours.accepts_level() && args.accepted_change.is_none() && (args.state.is_some() || ours.accepted_change.is_none()) {
        let (metric, run) = args.finding.rsplit_once('@').unwrap_or_default();
        let workspace = super::open::load(&args.workspace)?;
        ours.set_accepted(&crate::engine::check::accepted_change_by_environment(&workspace, metric, run));
        let runs = crate::engine::check::runs_since(&workspace, metric, run);
        if let Some(change) = ours.accepted_change.filter(|_| runs < 3) {
            super::output::note(&format!(
                "note: measured from {runs} run{} of the new level: the change it accepts ({}) carries their noise (a spike's whole size, where it was one); triage it again once more runs are in, or give --accepted-change",
                if runs == 1 { "" } else { "s" },
                crate::report::percent(change)
            ));
        }
        // A level nobody can measure yet (a run not in the history, one with no runs before it on
        // its branch) is accepted at no size: that would accept any step that lands there later.
        if ours.accepted_change.is_none() && workspace.budgets.iter().any(|b| b.metric == metric) {
            return Err(CliError::Invalid(format!(
                "cannot measure the level `{}` accepts: the history has no run `{run}` with `{metric}` and runs of it before on the same branch and environment (a run still to come, or a branch's first run); give the change it accepts with --accepted-change",
                args.finding
            )));
        }
    }
    match save_triage_entry(&args.workspace, &args.finding, &base, &ours)? {
        TriageSaved::Saved(entry) => {
            output(&shown(&entry));
            Ok(ExitCode::Pass)
        }
        TriageSaved::Conflict { fields, .. } => Err(CliError::TriageConflict { finding: args.finding.clone(), fields }),
    }
}
