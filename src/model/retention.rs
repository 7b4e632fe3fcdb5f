//! Bounded growth: the `retention:` policy of `headroom.yaml` and the compaction it allows.
//!
//! ```yaml
//! retention:
//!   runs_days: 180          # every run is kept whole for 180 days,
//!   then: daily_summary     # then the runs of one day become one summary run
//! ```
//!
//! **How a summary is history.** The runs of one UTC day, one environment and one branch become
//! one run, `summary-<day>[-<branch>]`, timestamped at the day's start, in
//! `history/summary/[<environment>/]<id>.jsonl`. Each metric's point in it has the day's median
//! as its `value` (so the engine, the baselines, the change points and the plot see one ordinary
//! point per day, the same point everywhere) and keeps the day's spread beside it:
//!
//! ```json
//! {"id":"summary-2026-01-05","timestamp":"2026-01-05T00:00:00Z","branch":"main","environment":"ci",
//!  "metrics":{"api.latency":{"value":41.2,"unit":"ms","summary":{"count":7,"min":39.0,"median":41.2,"p95":48.9,"max":50.1}}}}
//! ```
//!
//! A run's point in a summary is its `value`, or the median of its samples where it has only
//! samples; raw samples are not kept past retention. Percentiles are R's type 7, as everywhere.
//!
//! **What is kept whole.** Runs named as evidence (by a proposal, the ledger or a triage record),
//! runs without a time, runs in CSV files, and runs of a day that already has a summary (merging
//! into a median is not exact, so such a day is left as it is, and said so).
//!
//! **Proof.** A compaction only removes lines of history files and adds summary files, so
//! `verify --base` recomputes every summary from the base's runs it replaced ([`check_compaction`]):
//! a day that the policy does not yet allow, a summary that is not exactly the one those runs
//! give, a removed evidence run or an edited line all fail.

use super::fields::{FieldReader, expected, get};
use super::history::{Measurement, Snapshot, parse_json_lines};
use super::time::Timestamp;
use super::units::{Statistic, Unit};
use super::yaml::{Node, Value};
use serde_json::{Map, Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};

/// The folder, inside the history folder, that holds the summaries.
pub const SUMMARY_DIR: &str = "summary";

const DAY_MS: i64 = 86_400_000;

const RETENTION_FIELDS: &[&str] = &["runs_days", "then"];

/// The workspace's retention policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// How many days every run is kept whole.
    pub runs_days: u32,
}

impl Retention {
    /// Reads the `retention:` block; its faults go to `r`.
    pub fn read(r: &mut FieldReader<'_>, node: &Node) -> Option<Retention> {
        let fields = r.map(node, "retention", "`runs_days` and `then`")?;
        r.unknown_keys(fields, RETENTION_FIELDS, "retention", "`retention:`");
        let mut runs_days = None;
        for (key, value) in fields {
            let field = format!("retention.{}", key.name);
            match (key.name.as_str(), &value.value) {
                ("runs_days", Value::Number(n)) if n.fract() == 0.0 && *n >= 1.0 && *n <= 36_500.0 => runs_days = Some(*n as u32),
                ("runs_days", other) => r.error(value.pos, &field, expected("a whole number of days, 1 to 36500", other)),
                ("then", Value::String(s)) if s == "daily_summary" => {}
                ("then", _) => r.error(value.pos, &field, "expected `daily_summary` (one summary run a day)"),
                _ => {} // an unknown field, said above
            }
        }
        if runs_days.is_none() && get(fields, "runs_days").is_none() {
            r.error(node.pos, "retention.runs_days", "how many days runs are kept whole is missing");
        }
        Some(Retention { runs_days: runs_days? })
    }

    /// The first day (its start, UTC) whose runs are kept whole at `now`: runs of earlier days
    /// may be summarized.
    #[must_use]
    pub fn cutoff(self, now: Timestamp) -> Timestamp {
        Timestamp((now.0 - i64::from(self.runs_days) * DAY_MS).div_euclid(DAY_MS) * DAY_MS)
    }
}

/// One line of a history file: its text and the run it holds.
struct Line {
    text: String,
    snapshot: Option<Snapshot>,
    summary: bool,
}

fn lines_of(file: &str, text: &str) -> Vec<Line> {
    text.lines()
        .map(|line| {
            let summary = serde_json::from_str::<Json>(line).ok().is_some_and(|v| {
                v.get("metrics").and_then(Json::as_object).is_some_and(|m| m.values().any(|m| m.get("summary").is_some()))
            });
            let snapshot = parse_json_lines(file, line).ok().and_then(|mut s| s.pop());
            Line { text: line.to_owned(), snapshot, summary }
        })
        .collect()
}

/// Which runs share a summary: environment, branch, day.
type Group = (Option<String>, Option<String>, String);

fn group_of(s: &Snapshot) -> Option<Group> {
    Some((s.run.environment.clone(), s.run.branch.clone(), s.run.timestamp?.date()))
}

fn summary_id(group: &Group) -> String {
    match &group.1 {
        Some(branch) => format!("summary-{}-{branch}", group.2),
        None => format!("summary-{}", group.2),
    }
}

fn stem(text: &str) -> String {
    let mut out: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).take(100).collect();
    if out.is_empty() || out.starts_with('.') {
        out.insert(0, '_');
    }
    out
}

/// Where the summary of `group` lives, relative to the workspace.
fn summary_path(history_dir: &str, group: &Group) -> String {
    let env = group.0.as_deref().map(|e| format!("{}/", stem(e))).unwrap_or_default();
    format!("{history_dir}/{SUMMARY_DIR}/{env}{}.jsonl", stem(&summary_id(group)))
}

/// Why a compaction cannot be planned; nothing is compacted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Runs of one day whose metric is in units that do not convert into one another.
    #[error("`{metric}` of run `{run}` is in {from}, others of its day in {to}")]
    MixedUnits {
        /// The metric.
        metric: String,
        /// The run.
        run: String,
        /// Its unit.
        from: Unit,
        /// The unit of the day's other runs.
        to: Unit,
    },
    /// Two branches whose summaries would be one file.
    #[error(
        "two branches of {day} share the summary file {path} (their names differ only in characters a file name cannot hold): nothing was compacted"
    )]
    SharedSummaryFile {
        /// The day, `YYYY-MM-DD`.
        day: String,
        /// The summary file.
        path: String,
    },
}

/// The summary line of the runs of one group, or why it cannot be made.
fn summary_line(group: &Group, runs: &[&Snapshot]) -> Result<String, PlanError> {
    let mut values: BTreeMap<&str, (Option<Unit>, Vec<f64>)> = BTreeMap::new();
    for s in runs {
        for (metric, m) in &s.metrics {
            let Some(v) = point(m) else { continue };
            let entry = values.entry(metric).or_insert_with(|| (m.unit.clone(), Vec::new()));
            let v = match (&entry.0, &m.unit) {
                (Some(to), Some(from)) if to != from => from.convert(v, to).ok_or_else(|| PlanError::MixedUnits {
                    metric: metric.clone(),
                    run: s.run.id.clone(),
                    from: from.clone(),
                    to: to.clone(),
                })?,
                _ => v,
            };
            entry.1.push(v);
        }
    }
    let mut metrics = Map::new();
    for (metric, (unit, vs)) in values {
        let q = |p: f64| Statistic::Percentile(p).of(&vs).unwrap_or(f64::NAN);
        let mut m = Map::new();
        m.insert("value".into(), json!(q(50.0)));
        if let Some(u) = unit {
            m.insert("unit".into(), json!(u.symbol()));
        }
        m.insert("summary".into(), json!({"count": vs.len(), "min": q(0.0), "median": q(50.0), "p95": q(95.0), "max": q(100.0)}));
        metrics.insert(metric.to_owned(), Json::Object(m));
    }
    let mut line = Map::new();
    line.insert("id".into(), json!(summary_id(group)));
    line.insert("timestamp".into(), json!(format!("{}T00:00:00Z", group.2)));
    if let Some(b) = &group.1 {
        line.insert("branch".into(), json!(b));
    }
    if let Some(e) = &group.0 {
        line.insert("environment".into(), json!(e));
    }
    line.insert("metrics".into(), Json::Object(metrics));
    Ok(Json::Object(line).to_string())
}

/// A run's one point in a summary: its value, or the median of its samples.
fn point(m: &Measurement) -> Option<f64> {
    m.value.or_else(|| m.samples.as_deref().and_then(|s| Statistic::Percentile(50.0).of(s)))
}

/// What a compaction does.
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    /// Each file written (`Some`) or removed (`None`), relative to the workspace.
    pub writes: Vec<(String, Option<String>)>,
    /// The runs removed: (environment, id).
    pub removed: Vec<(Option<String>, String)>,
    /// The summaries added: (path, how many runs each replaces).
    pub summaries: Vec<(String, usize)>,
    /// Runs past retention kept whole because they are evidence.
    pub kept_evidence: Vec<String>,
    /// Days past retention kept as they are because they already have a summary.
    pub kept_summarized: Vec<String>,
}

/// Plans the compaction of the history `files` (path relative to the workspace, text) at `now`.
/// `evidence`: the run ids kept whole. CSV files are left as they are.
pub fn plan(
    history_dir: &str,
    files: &[(String, String)],
    evidence: &BTreeSet<String>,
    retention: Retention,
    now: Timestamp,
) -> Result<Plan, PlanError> {
    let cutoff = retention.cutoff(now);
    let parsed: Vec<(&String, Vec<Line>)> =
        files.iter().filter(|(p, _)| p.to_ascii_lowercase().ends_with(".jsonl")).map(|(p, t)| (p, lines_of(p, t))).collect();
    let existing: BTreeSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    let mut plan = Plan::default();
    let mut groups: BTreeMap<Group, Vec<&Snapshot>> = BTreeMap::new();
    let mut removed_lines: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (f, (_, lines)) in parsed.iter().enumerate() {
        for (l, line) in lines.iter().enumerate() {
            let Some(s) = &line.snapshot else { continue };
            if line.summary || s.run.timestamp.is_none_or(|t| t >= cutoff) {
                continue;
            }
            let Some(group) = group_of(s) else { continue };
            if evidence.contains(&s.run.id) {
                plan.kept_evidence.push(s.run.id.clone());
                continue;
            }
            if existing.contains(summary_path(history_dir, &group).as_str()) {
                plan.kept_summarized.push(format!("{} ({})", s.run.id, group.2));
                continue;
            }
            groups.entry(group).or_default().push(s);
            removed_lines.insert((f, l));
            plan.removed.push((s.run.environment.clone(), s.run.id.clone()));
        }
    }
    for (group, runs) in &groups {
        let path = summary_path(history_dir, group);
        if plan.summaries.iter().any(|(p, _)| *p == path) {
            return Err(PlanError::SharedSummaryFile { day: group.2.clone(), path });
        }
        plan.writes.push((path.clone(), Some(summary_line(group, runs)? + "\n")));
        plan.summaries.push((path, runs.len()));
    }
    for (f, (path, lines)) in parsed.iter().enumerate() {
        if !(0..lines.len()).any(|l| removed_lines.contains(&(f, l))) {
            continue;
        }
        let kept: String =
            lines.iter().enumerate().filter(|(l, _)| !removed_lines.contains(&(f, *l))).fold(String::new(), |mut out, (_, line)| {
                out.push_str(&line.text);
                out.push('\n');
                out
            });
        let empty = kept.trim().is_empty();
        plan.writes.push(((*path).clone(), (!empty).then_some(kept)));
    }
    Ok(plan)
}

/// Checks that `here` (the history files now) is `base` (the base revision's) after only the
/// compaction `retention` allows at `now`, plus appended runs: every base file's lines are here
/// in order, save removed runs; every removed run is past retention, not evidence, and its day's
/// summary is here, exactly the one that the removed runs of that day give. Returns what the
/// compaction removed and the summaries it proved, or every problem found.
pub fn check_compaction(
    history_dir: &str,
    base: &[(String, String)],
    here: &BTreeMap<String, String>,
    evidence: &BTreeSet<String>,
    retention: Option<Retention>,
    now: Timestamp,
) -> Result<Compacted, Vec<String>> {
    let mut problems = Vec::new();
    let mut groups: BTreeMap<Group, Vec<Snapshot>> = BTreeMap::new();
    let mut kept: BTreeSet<Group> = BTreeSet::new();
    for (path, old) in base {
        let new = here.get(path).map_or("", String::as_str);
        let new_lines: Vec<&str> = new.lines().collect();
        let mut next = 0;
        for line in lines_of(path, old) {
            if next < new_lines.len() && new_lines[next] == line.text {
                next += 1;
                if let Some(s) = line.snapshot.as_ref().filter(|s| !line.summary && !evidence.contains(&s.run.id)) {
                    kept.extend(group_of(s));
                }
                continue;
            }
            if line.text.trim().is_empty() {
                continue;
            }
            let why = match (&line.snapshot, retention) {
                (_, None) => Some(
                    "runs the base has were edited or removed (history only grows: this workspace has no `retention:` policy)".to_owned(),
                ),
                (None, _) => Some("edited or removed".to_owned()),
                (Some(_), _) if line.summary => Some("a summary was edited or removed".to_owned()),
                (Some(s), Some(r)) => match (group_of(s), s.run.timestamp) {
                    (Some(group), Some(t)) if t < r.cutoff(now) && !evidence.contains(&s.run.id) => {
                        groups.entry(group).or_default().push(s.clone());
                        None
                    }
                    _ if evidence.contains(&s.run.id) => Some(format!("run `{}` is evidence, and was removed", s.run.id)),
                    _ => Some(format!("run `{}` was removed or edited, and the retention policy does not allow it yet", s.run.id)),
                },
            };
            if let Some(why) = why {
                let gone = if here.contains_key(path) { "" } else { "the base has it, here it cannot be read (removed): " };
                problems.push(format!("{path}: {gone}{why}"));
                if retention.is_none() {
                    break;
                }
            }
        }
        // What is left here past the base's lines must be new runs: a line of the base moved
        // down would read as appended, so every appended line must be a run the base lacks.
        let old_set: std::collections::HashSet<&str> = old.lines().collect();
        for extra in &new_lines[next..] {
            if old_set.contains(extra) {
                problems.push(format!("{path}: lines of the base were reordered"));
                break;
            }
        }
    }
    let mut compacted = Compacted::default();
    for (group, runs) in &groups {
        let path = summary_path(history_dir, group);
        if kept.contains(group) {
            problems.push(format!("only some runs of {} were summarized into {path}; the policy summarizes a day whole", group.2));
            continue;
        }
        let refs: Vec<&Snapshot> = runs.iter().collect();
        let expected = summary_line(group, &refs).map(|l| l + "\n");
        match (expected, here.get(&path)) {
            (Ok(e), Some(h)) if *h == e && !base.iter().any(|(p, _)| *p == path) => {
                compacted.removed += runs.len();
                compacted.summaries.insert(path);
            }
            (Ok(_), Some(_)) => problems.push(format!("{path}: not the summary of the {} runs of {} it replaced", runs.len(), group.2)),
            (Ok(_), None) => problems.push(format!("{} runs of {} were removed without their summary {path}", runs.len(), group.2)),
            (Err(e), _) => problems.push(format!("{path}: {e}")),
        }
    }
    if problems.is_empty() { Ok(compacted) } else { Err(problems) }
}

/// What [`check_compaction`] proved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compacted {
    /// How many runs of the base the compaction removed.
    pub removed: usize,
    /// The summary files (relative to the workspace) recomputed, exactly, from the base's runs they
    /// replaced: their runs are the base's, although the base does not have the files.
    pub summaries: BTreeSet<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, at: &str, branch: &str, value: f64) -> String {
        format!(r#"{{"id":"{id}","timestamp":"{at}","branch":"{branch}","metrics":{{"m":{value}}}}}"#) + "\n"
    }

    #[test]
    fn two_branches_whose_summaries_would_share_a_file_stop_the_compaction() {
        let text = line("r1", "2020-01-01T01:00:00Z", "a/b", 1.0) + &line("r2", "2020-01-01T02:00:00Z", "a_b", 2.0);
        let files = vec![("history/x.jsonl".to_owned(), text)];
        let now = Timestamp::parse("2026-01-01").unwrap();
        let e = plan("history", &files, &BTreeSet::new(), Retention { runs_days: 30 }, now).unwrap_err();
        assert!(matches!(e, PlanError::SharedSummaryFile { .. }) && e.to_string().contains("share the summary file"), "{e}");
    }

    #[test]
    fn a_day_is_summarized_only_once_it_is_wholly_past_retention() {
        let text = line("old", "2025-12-01T23:00:00Z", "main", 1.0) + &line("edge", "2025-12-02T01:00:00Z", "main", 2.0);
        let files = vec![("history/x.jsonl".to_owned(), text)];
        // 30 days before 2026-01-01T12:00 is 2025-12-02T12:00: that day is not yet wholly past.
        let now = Timestamp::parse("2026-01-01T12:00:00Z").unwrap();
        let planned = plan("history", &files, &BTreeSet::new(), Retention { runs_days: 30 }, now).unwrap();
        assert_eq!(planned.removed, [(None, "old".to_owned())]);
        assert_eq!(planned.summaries, [("history/summary/summary-2025-12-01-main.jsonl".to_owned(), 1)]);
    }
}
