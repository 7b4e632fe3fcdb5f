//! The team's triage of the engine's findings, kept in the workspace's `triage.yaml` so it is
//! shared through the repository like the budgets themselves.
//!
//! ```yaml
//! # Written by Headroom; edits by hand are kept (comments are not).
//! last_review: 2026-11-18
//! findings:
//!   "services.auth_service.latency@ci-1157":
//!     state: acknowledged
//!     owner: maria
//!     note: TLS library upgrade, accepted by the auth team
//!     updated: 2026-11-20
//! ```
//!
//! Each finding's triage also has a file of its own, `triage/<metric>@<run>.yaml`
//! ([`record_file`]), and each review meeting held one, `triage/reviews/<day>.yaml`
//! ([`review_file`]), so that parallel work on git branches merges; `triage.yaml` as above is
//! what older versions wrote, and still loads.
//!
//! A finding is keyed by its metric and the first run of its new level. The engine may place a
//! change point a run or two differently once more runs arrive, so [`Triage::find`] also accepts
//! an entry of the same metric a few runs away.

use super::error::{LoadError, did_you_mean};
use super::fields::{self, FieldReader, get, join};
use super::time::Timestamp;
use super::yaml::{Key, Node, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The triage file's name, in the workspace's root.
pub const TRIAGE_FILE: &str = "triage.yaml";

/// How far (in runs) a stored entry may be from a finding's change point and still be its triage.
pub const MATCH_RUNS: usize = 3;

/// Where the team stands on a finding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TriageState {
    /// Nobody has looked yet.
    #[default]
    Untriaged,
    /// Seen and accepted as real; no action yet.
    Acknowledged,
    /// Someone is on it.
    Investigating,
    /// The cause was fixed.
    Fixed,
    /// Real, and accepted as the new normal.
    WontFix,
    /// Not a real change: a false alarm.
    Invalid,
    /// The change that caused it was reverted.
    BackedOut,
}

impl TriageState {
    /// Every state, in the order a menu lists them.
    pub const ALL: [TriageState; 7] = [
        TriageState::Untriaged,
        TriageState::Acknowledged,
        TriageState::Investigating,
        TriageState::Fixed,
        TriageState::WontFix,
        TriageState::Invalid,
        TriageState::BackedOut,
    ];

    /// The name written in the file.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TriageState::Untriaged => "untriaged",
            TriageState::Acknowledged => "acknowledged",
            TriageState::Investigating => "investigating",
            TriageState::Fixed => "fixed",
            TriageState::WontFix => "wont_fix",
            TriageState::Invalid => "invalid",
            TriageState::BackedOut => "backed_out",
        }
    }

    /// The name shown to people.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            TriageState::Untriaged => "untriaged",
            TriageState::Acknowledged => "acknowledged",
            TriageState::Investigating => "investigating",
            TriageState::Fixed => "fixed",
            TriageState::WontFix => "won't fix",
            TriageState::Invalid => "invalid / false alarm",
            TriageState::BackedOut => "backed out",
        }
    }

    /// Whether the finding still needs someone's attention (untriaged or under investigation).
    #[must_use]
    pub fn is_open(self) -> bool {
        matches!(self, TriageState::Untriaged | TriageState::Acknowledged | TriageState::Investigating)
    }

    fn parse(text: &str) -> Option<TriageState> {
        TriageState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The triage of one finding.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TriageEntry {
    /// Where it stands.
    pub state: TriageState,
    /// Who owns it.
    pub owner: String,
    /// What the team knows.
    pub note: String,
    /// When it last changed (a date).
    pub updated: Option<Timestamp>,
    /// Where it accepts a worse level (won't fix or invalid): how much worse than the level before
    /// that level was when people accepted it, as a fraction (of the limit where the level before
    /// was zero), written `accepted_change: "+12.0%"`. The gate holds later levels to it: a level
    /// worse than this by more than the threshold is not accepted by it (a bigger step that the
    /// change-point search merged into the accepted one, or that came back after a revert, fails).
    /// `None` in records written before it was kept: then the triage accepts one worsening, as
    /// large as it is.
    pub accepted_change: Option<f64>,
    /// Where the triaged run's id is a run of several environments (a CI build number shared by
    /// its platforms) whose levels changed by different amounts: the change accepted in each,
    /// written `accepted_change_by_environment: {linux: "+12.00%", mac: "+45.00%"}`;
    /// `accepted_change` is then the largest. Empty where one change holds everywhere.
    pub accepted_by_environment: BTreeMap<String, f64>,
}

impl TriageEntry {
    /// The change it accepts in `environment` ([`TriageEntry::accepted_by_environment`], else
    /// [`TriageEntry::accepted_change`]).
    #[must_use]
    pub fn accepted_change_in(&self, environment: Option<&str>) -> Option<f64> {
        environment.and_then(|e| self.accepted_by_environment.get(e).copied()).or(self.accepted_change)
    }

    /// Records the changes measured in each environment ([`crate::engine::check::accepted_change`]):
    /// the largest as `accepted_change`, and each where they differ.
    pub fn set_accepted(&mut self, by_environment: &BTreeMap<Option<String>, f64>) {
        self.accepted_change = by_environment.values().copied().reduce(f64::max);
        let named: BTreeMap<String, f64> = by_environment.iter().filter_map(|(e, c)| e.clone().map(|e| (e, *c))).collect();
        let differ = named.values().any(|c| Some(*c) != self.accepted_change);
        self.accepted_by_environment = if differ { named } else { BTreeMap::new() };
    }

    /// Whether it accepts a worse level as the baseline: won't fix or invalid, with an owner and
    /// a note (who waved it through, and why).
    #[must_use]
    pub fn accepts_level(&self) -> bool {
        matches!(self.state, TriageState::WontFix | TriageState::Invalid) && !self.owner.trim().is_empty() && !self.note.trim().is_empty()
    }
}

/// The key of a finding: `metric@first run of the new level`.
#[must_use]
pub fn finding_key(metric: &str, run_id: &str) -> String {
    format!("{metric}@{run_id}")
}

/// Every finding's triage, and when the team last held its review.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Triage {
    /// The day of the last budget review meeting: the latest of `triage.yaml`'s `last_review`
    /// and the days in `triage/reviews/`.
    pub last_review: Option<Timestamp>,
    /// By [`finding_key`], sorted.
    pub entries: BTreeMap<String, TriageEntry>,
}

impl Triage {
    /// The triage of the finding of `metric` whose new level starts at `run_id`; where there is no
    /// entry with that exact key, one of the same metric whose run lies within [`MATCH_RUNS`] runs
    /// (by `position`, the run's place in the history). Returns the key found with the entry.
    pub fn find<'a>(&'a self, metric: &str, run_id: &str, position: impl Fn(&str) -> Option<usize>) -> Option<(&'a str, &'a TriageEntry)> {
        let key = finding_key(metric, run_id);
        if let Some((k, e)) = self.entries.get_key_value(&key) {
            return Some((k.as_str(), e));
        }
        // Only the entries of this metric (a range of the sorted keys) can match; where there is
        // none, the run's position (a search of the history's runs) is not needed.
        let mut same_metric = self.of_metric(metric).peekable();
        same_metric.peek()?;
        let here = position(run_id)?;
        same_metric
            .filter_map(|(k, run, e)| {
                let there = position(run)?;
                (here.abs_diff(there) <= MATCH_RUNS).then_some((here.abs_diff(there), k, e))
            })
            .min_by_key(|(distance, _, _)| *distance)
            .map(|(_, k, e)| (k, e))
    }

    /// The entries of `metric`'s findings (a range of the sorted keys): key, run id, entry.
    pub fn of_metric<'a>(&'a self, metric: &str) -> impl Iterator<Item = (&'a str, &'a str, &'a TriageEntry)> {
        let prefix = format!("{metric}@");
        self.entries
            .range::<str, _>((std::ops::Bound::Included(prefix.as_str()), std::ops::Bound::Unbounded))
            .map_while(move |(k, e)| k.strip_prefix(&prefix).map(|run| (k.as_str(), run, e)))
    }

    /// The file's text. Entries left untriaged with no owner or note are not written.
    #[must_use]
    pub fn to_yaml(&self) -> String {
        let mut out = String::from("# The team's triage of Headroom's findings. Written by Headroom; edit with care.\n");
        if let Some(day) = self.last_review {
            let _ = writeln!(out, "last_review: {}", day.date());
        }
        let kept: Vec<_> =
            self.entries.iter().filter(|(_, e)| e.state != TriageState::Untriaged || !e.owner.is_empty() || !e.note.is_empty()).collect();
        if kept.is_empty() {
            out.push_str("findings: {}\n");
            return out;
        }
        out.push_str("findings:\n");
        for (key, entry) in kept {
            let _ = writeln!(out, "  {}:", quote(key));
            let _ = writeln!(out, "    state: {}", entry.state.as_str());
            if !entry.owner.is_empty() {
                let _ = writeln!(out, "    owner: {}", quote(&entry.owner));
            }
            if !entry.note.is_empty() {
                let _ = writeln!(out, "    note: {}", quote(&entry.note));
            }
            if let Some(day) = entry.updated {
                let _ = writeln!(out, "    updated: {}", day.date());
            }
            if let Some(change) = entry.accepted_change {
                let _ = writeln!(out, "    accepted_change: {}", write_percentage(change));
            }
            if !entry.accepted_by_environment.is_empty() {
                let _ = writeln!(out, "    accepted_change_by_environment: {}", by_environment(entry));
            }
        }
        out
    }
}

/// A YAML double-quoted scalar (JSON's escaping is valid YAML).
fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

const TOP_FIELDS: &[&str] = &["last_review", "findings"];
const ENTRY_FIELDS: &[&str] = &["state", "owner", "note", "updated", "accepted_change", "accepted_change_by_environment"];
const REVIEW_FIELDS: &[&str] = &["held"];
const RECORD_FIELDS: &[&str] = &["finding", "state", "owner", "note", "updated", "accepted_change", "accepted_change_by_environment"];

/// Parses `triage.yaml`; every problem names its line and field.
pub fn parse_triage(file: &str, text: &str) -> Result<Triage, Vec<LoadError>> {
    let root = fields::document(file, text)?;
    let mut triage = Triage::default();
    if root.value == Value::Null {
        return Ok(triage);
    }
    let mut r = FieldReader::new(file);
    let Some(entries) = r.map(&root, "", "a mapping with `findings`") else { return Err(r.into_errors()) };
    r.unknown_keys(entries, TOP_FIELDS, "", "the triage");
    if let Some(node) = get(entries, "last_review") {
        triage.last_review = date(&mut r, node, "last_review");
    }
    for (finding, body) in
        get(entries, "findings").filter(|n| n.value != Value::Null).and_then(|n| r.map(n, "findings", "a mapping")).unwrap_or_default()
    {
        let path = format!("findings.{}", finding.name);
        if !finding.name.contains('@') {
            r.error(finding.pos, &path, "expected a key `metric@run`");
            continue;
        }
        let Some(fields) = r.map(body, &path, "a mapping with `state`") else { continue };
        r.unknown_keys(fields, ENTRY_FIELDS, &path, "a finding's triage");
        let entry = parse_entry(&mut r, fields, &path);
        triage.entries.insert(finding.name.clone(), entry);
    }
    r.finish(triage)
}

/// The fields of one finding's triage (`state`, `owner`, `note`, `updated`), at `path`; other
/// fields are the caller's to check.
fn parse_entry(r: &mut FieldReader<'_>, fields: &[(Key, Node)], path: &str) -> TriageEntry {
    let mut entry = TriageEntry::default();
    for (field, value) in fields {
        let field_path = join(path, &field.name);
        match field.name.as_str() {
            "state" => {
                let Some(s) = r.text(value, &field_path) else { continue };
                if let Some(state) = TriageState::parse(&s) {
                    entry.state = state;
                } else {
                    let names: Vec<&str> = TriageState::ALL.iter().map(|s| s.as_str()).collect();
                    let hint = did_you_mean(&s, names.iter().copied())
                        .map_or_else(|| format!(" (expected one of: {})", names.join(", ")), |n| format!("; did you mean `{n}`?"));
                    r.error(value.pos, &field_path, format!("unknown state `{s}`{hint}"));
                }
            }
            "owner" | "note" | "accepted_change" if value.value == Value::Null => {}
            "owner" => entry.owner = r.text(value, &field_path).unwrap_or_default(),
            "note" => entry.note = r.text(value, &field_path).unwrap_or_default(),
            "updated" => entry.updated = date(r, value, &field_path),
            "accepted_change" => entry.accepted_change = percentage(r, value, &field_path),
            "accepted_change_by_environment" => {
                for (environment, change) in r.map(value, &field_path, "a mapping of environments to percentages").unwrap_or_default() {
                    if let Some(c) = percentage(r, change, &join(&field_path, &environment.name)) {
                        entry.accepted_by_environment.insert(environment.name.clone(), c);
                    }
                }
            }
            _ => {}
        }
    }
    entry
}

/// The folder of per-finding triage records, in the workspace's root: one file per finding, so two
/// people triaging different findings on two branches change different files and git merges them.
pub const TRIAGE_DIR: &str = "triage";

/// Whether `name` (relative to the root) is a per-finding triage record.
#[must_use]
pub fn is_triage_record(name: &str) -> bool {
    name.strip_prefix(TRIAGE_DIR).and_then(|rest| rest.strip_prefix('/')).is_some_and(|rest| {
        let lower = rest.to_ascii_lowercase();
        !rest.contains('/') && (lower.ends_with(".yaml") || lower.ends_with(".yml"))
    })
}

/// The record file of a finding, relative to the root: `triage/<key>.yaml`, with every character
/// but ASCII letters, digits, `.`, `-`, `_` and `@` written `%XX` (so the name is one file on
/// every system, and two keys never share one).
#[must_use]
pub fn record_file(key: &str) -> String {
    format!("{TRIAGE_DIR}/{}.yaml", super::names::encode(key))
}

/// The folder of the review meetings held, one file per day (`triage/reviews/<day>.yaml`): two
/// people marking a review held on two branches add two files (or the same file with the same
/// text), so git merges them; the last review is the latest day of all.
pub const REVIEWS_DIR: &str = "triage/reviews";

/// Whether `name` (relative to the root) is the record of a review meeting held.
#[must_use]
pub fn is_review_record(name: &str) -> bool {
    name.strip_prefix(REVIEWS_DIR).and_then(|rest| rest.strip_prefix('/')).is_some_and(|rest| {
        let lower = rest.to_ascii_lowercase();
        !rest.contains('/') && (lower.ends_with(".yaml") || lower.ends_with(".yml"))
    })
}

/// The record file of a review held on `day`, relative to the root.
#[must_use]
pub fn review_file(day: Timestamp) -> String {
    format!("{REVIEWS_DIR}/{}.yaml", day.date())
}

/// The text of the record of a review held on `day`.
#[must_use]
pub fn review_to_yaml(day: Timestamp) -> String {
    format!("# The team's budget review, held on this day. Written by Headroom.\nheld: {}\n", day.date())
}

/// Parses the record of a review held (`held: <day>`), the day it names.
pub fn parse_review(file: &str, text: &str) -> Result<Timestamp, Vec<LoadError>> {
    let root = fields::document(file, text)?;
    let mut r = FieldReader::new(file);
    let Some(entries) = r.map(&root, "", "a mapping with `held`") else { return Err(r.into_errors()) };
    r.unknown_keys(entries, REVIEW_FIELDS, "", "a review record");
    let held = if let Some(node) = get(entries, "held") {
        date(&mut r, node, "held")
    } else {
        r.error(root.pos, "held", "the record names no day (`held: 2026-11-30`)");
        None
    };
    let held = r.finish(held)?;
    // No fault, so the day is there.
    held.ok_or_else(Vec::new)
}

/// The text of one finding's record file.
#[must_use]
pub fn record_to_yaml(key: &str, entry: &TriageEntry) -> String {
    let mut out = String::from("# The triage of one finding. Written by Headroom; edit with care.\n");
    let _ = writeln!(out, "finding: {}", quote(key));
    let _ = writeln!(out, "state: {}", entry.state.as_str());
    if !entry.owner.is_empty() {
        let _ = writeln!(out, "owner: {}", quote(&entry.owner));
    }
    if !entry.note.is_empty() {
        let _ = writeln!(out, "note: {}", quote(&entry.note));
    }
    if let Some(day) = entry.updated {
        let _ = writeln!(out, "updated: {}", day.date());
    }
    if let Some(change) = entry.accepted_change {
        let _ = writeln!(out, "accepted_change: {}", write_percentage(change));
    }
    if !entry.accepted_by_environment.is_empty() {
        let _ = writeln!(out, "accepted_change_by_environment: {}", by_environment(entry));
    }
    out
}

/// `accepted_change_by_environment` as a YAML flow mapping.
fn by_environment(entry: &TriageEntry) -> String {
    let pairs: Vec<String> = entry.accepted_by_environment.iter().map(|(e, c)| format!("{}: {}", quote(e), write_percentage(*c))).collect();
    format!("{{{}}}", pairs.join(", "))
}

/// Parses one finding's record file (`finding:` and the fields of [`TriageEntry`]).
pub fn parse_record(file: &str, text: &str) -> Result<(String, TriageEntry), Vec<LoadError>> {
    let root = fields::document(file, text)?;
    let mut r = FieldReader::new(file);
    let Some(entries) = r.map(&root, "", "a mapping with `finding` and `state`") else { return Err(r.into_errors()) };
    r.unknown_keys(entries, RECORD_FIELDS, "", "a triage record");
    let key = match get(entries, "finding") {
        Some(Node { value: Value::String(s), .. }) if s.contains('@') => Some(s.clone()),
        Some(node) => {
            r.error(node.pos, "finding", "expected a key `metric@run`");
            None
        }
        None => {
            r.error(root.pos, "finding", "the record names no finding (`finding: metric@run`)");
            None
        }
    };
    let entry = parse_entry(&mut r, entries, "");
    if let Some(k) = &key
        && record_file(k) != file
        && file.starts_with(TRIAGE_DIR)
    {
        r.error(root.pos, "finding", format!("the record of `{k}` belongs in {}", record_file(k)));
    }
    let entry = r.finish(entry)?;
    Ok((key.unwrap_or_default(), entry))
}

/// One field of a finding's triage that was changed both here and on disk, to different values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldConflict {
    /// `state`, `owner` or `note`.
    pub field: &'static str,
    /// Its value in this edit.
    pub ours: String,
    /// Its value on disk now.
    pub theirs: String,
}

/// Merges two edits of one finding's triage made from the same `base`: `ours` (this edit) and
/// `theirs` (what is on disk now). A field changed on one side only takes that side's value; a
/// field changed on both sides to different values is a conflict, and then nothing is merged.
/// `updated` is the later of the two; `accepted_change` is ours where this edit measured it anew.
pub fn merge_entry(base: &TriageEntry, ours: &TriageEntry, theirs: &TriageEntry) -> Result<TriageEntry, Vec<FieldConflict>> {
    fn pick<T: PartialEq + Clone + std::fmt::Debug>(
        field: &'static str,
        show: impl Fn(&T) -> String,
        base: &T,
        ours: &T,
        theirs: &T,
        conflicts: &mut Vec<FieldConflict>,
    ) -> T {
        if ours == base || ours == theirs {
            theirs.clone()
        } else if theirs == base {
            ours.clone()
        } else {
            conflicts.push(FieldConflict { field, ours: show(ours), theirs: show(theirs) });
            theirs.clone()
        }
    }
    let mut conflicts = Vec::new();
    let (accepted_change, accepted_by_environment) = merge_accepted(base, ours, theirs);
    let merged = TriageEntry {
        state: pick("state", |s: &TriageState| s.label().to_owned(), &base.state, &ours.state, &theirs.state, &mut conflicts),
        owner: pick("owner", String::clone, &base.owner, &ours.owner, &theirs.owner, &mut conflicts),
        note: pick("note", String::clone, &base.note, &ours.note, &theirs.note, &mut conflicts),
        updated: ours.updated.max(theirs.updated),
        accepted_change,
        accepted_by_environment,
    };
    if conflicts.is_empty() { Ok(merged) } else { Err(conflicts) }
}

/// The largest change a triage may record, in per cent (a level a thousand times worse).
const PERCENTAGE_MAX: f64 = 100_000.0;

/// The change a triage accepts, merged from two edits made from `base` ([`merge_entry`]): measured
/// from the history when a state that accepts was set, not typed, so the newer measurement (ours,
/// where this edit made one) wins, never a conflict; its environments' changes go with it.
#[must_use]
pub fn merge_accepted(base: &TriageEntry, ours: &TriageEntry, theirs: &TriageEntry) -> (Option<f64>, BTreeMap<String, f64>) {
    let measured_anew = ours.accepted_change != base.accepted_change || ours.accepted_by_environment != base.accepted_by_environment;
    let side = if measured_anew { ours } else { theirs };
    (side.accepted_change, side.accepted_by_environment.clone())
}

/// A change written as a percentage (`+12.0%`, `12%`, -100 % to 100,000 %), as a fraction.
fn percentage(r: &mut FieldReader<'_>, node: &Node, field: &str) -> Option<f64> {
    let text = r.text_as(node, field, "a percentage such as `+12.0%`")?;
    let parsed = text.trim().strip_suffix('%').map(str::trim).and_then(accepted_fraction);
    r.check(node, field, parsed.ok_or_else(|| format!("`{text}` is not a percentage such as `+12.0%`")))
}

/// A change accepted, given as the number of a percentage (`+12.5`, `-3`; one sign at most, -100
/// to 100,000), as a fraction: what a triage record's `accepted_change` and `headroom triage
/// --accepted-change` read.
#[must_use]
pub fn accepted_fraction(number: &str) -> Option<f64> {
    let number = number.strip_prefix('+').filter(|rest| !rest.starts_with(['+', '-'])).unwrap_or(number);
    number.parse::<f64>().ok().filter(|n| (-100.0..=PERCENTAGE_MAX).contains(n)).map(|n| n / 100.0)
}

/// A fraction as [`percentage`] reads it back: a signed percentage with two decimals.
fn write_percentage(change: f64) -> String {
    format!("\"{:+.2}%\"", change * 100.0)
}

/// A day (`2026-11-18`) or a moment.
fn date(r: &mut FieldReader<'_>, node: &Node, field: &str) -> Option<Timestamp> {
    let text = r.text_as(node, field, "a date such as `2026-11-18`")?;
    r.check(node, field, Timestamp::parse(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_record_reads_back_its_day_and_a_misspelt_field_names_its_line() {
        let day = Timestamp::parse("2026-11-30").unwrap();
        let file = review_file(day);
        assert_eq!(file, "triage/reviews/2026-11-30.yaml");
        assert!(is_review_record(&file) && !is_triage_record(&file) && !is_review_record("triage/a@b.yaml"));
        assert_eq!(parse_review(&file, &review_to_yaml(day)).unwrap(), day);
        let e = parse_review(&file, "hold: 2026-11-30\n").unwrap_err();
        assert_eq!(e[0].to_string(), "triage/reviews/2026-11-30.yaml:1:1: `hold`: unknown field in a review record; did you mean `held`?");
    }

    #[test]
    fn triage_survives_a_write_and_a_read() {
        let mut triage = Triage { last_review: Some(Timestamp::parse("2026-11-18").unwrap()), ..Triage::default() };
        triage.entries.insert(
            finding_key("services.auth.latency", "ci-1157"),
            TriageEntry {
                state: TriageState::WontFix,
                owner: "maria".into(),
                note: "TLS upgrade: \"accepted\"\nby the team".into(),
                updated: Some(Timestamp::parse("2026-11-20").unwrap()),
                accepted_change: Some(0.1234),
                accepted_by_environment: [("linux".to_owned(), 0.05), ("mac os".to_owned(), 0.1234)].into(),
            },
        );
        triage.entries.insert(finding_key("untouched", "ci-1"), TriageEntry::default());
        let text = triage.to_yaml();
        let back = parse_triage(TRIAGE_FILE, &text).unwrap();
        assert_eq!(back.last_review, triage.last_review);
        assert_eq!(back.entries.len(), 1, "an untouched entry is not written:\n{text}");
        assert_eq!(back.entries["services.auth.latency@ci-1157"], triage.entries["services.auth.latency@ci-1157"]);
    }

    #[test]
    fn a_misspelt_state_names_its_line_and_the_right_word() {
        let e = parse_triage(TRIAGE_FILE, "findings:\n  \"a@r1\":\n    state: investigatng\n").unwrap_err();
        assert_eq!(e[0].pos.line, 3);
        assert_eq!(e[0].field, "findings.a@r1.state");
        assert!(e[0].message.contains("did you mean `investigating`?"), "{}", e[0]);
    }

    #[test]
    fn an_accepted_change_reads_as_a_percentage_and_anything_else_names_its_line() {
        let record = "finding: a@r1\nstate: wont_fix\nowner: maria\nnote: fine\naccepted_change: \"+12.5 %\"\n";
        let (_, entry) = parse_record("triage/a@r1.yaml", record).unwrap();
        assert_eq!(entry.accepted_change, Some(0.125));
        assert_eq!(parse_record("triage/a@r1.yaml", &record_to_yaml("a@r1", &entry)).unwrap().1, entry);
        for bad in ["0.125", "twelve %", "\"inf %\"", "\"+-5 %\"", "\"+1e308 %\"", "\"-150 %\"", "\"nan %\""] {
            let e = parse_record("triage/a@r1.yaml", &record.replace("\"+12.5 %\"", bad)).unwrap_err();
            assert_eq!((e[0].pos.line, e[0].field.as_str()), (5, "accepted_change"), "{bad}: {}", e[0]);
            assert!(e[0].message.contains("percentage such as `+12.0%`"), "{bad}: {}", e[0]);
        }
    }

    #[test]
    fn an_entry_a_run_or_two_away_still_matches_its_finding() {
        let mut triage = Triage::default();
        triage.entries.insert(finding_key("m", "r10"), TriageEntry { state: TriageState::Fixed, ..TriageEntry::default() });
        let position = |run: &str| run.strip_prefix('r').and_then(|n| n.parse().ok());
        assert_eq!(triage.find("m", "r12", position).map(|(k, _)| k), Some("m@r10"));
        assert_eq!(triage.find("m", "r14", position), None);
        assert_eq!(triage.find("other", "r10", position), None);
    }
}
