//! A snapshot: one run as a history file holds it (its id, time, commit, branch, environment and
//! its measurements by metric), and the reader of one JSON Lines line into it that names the line,
//! field and fault of anything wrong.
//!
//! Below both the history's file parsers (`columns`, `history_csv`), which build snapshots or read
//! a line through [`snapshot_from_line`] where their fast path gives up, and the history itself
//! (`history`), which orders the runs of every file: so neither names the other's types.

use super::columnar::RunRef;
use super::error::LoadError;
use super::time::Timestamp;
use super::units::{Dimension, EmptyUnit, Statistic, Unit};
use super::yaml::Pos;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One measurement run: a benchmark job, a CI run, a day of runtime metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The run's id, unique within its environment.
    pub id: String,
    /// When it ran.
    pub timestamp: Option<Timestamp>,
    /// The commit measured.
    pub commit: Option<String>,
    /// The branch the commit is on.
    pub branch: Option<String>,
    /// Where it ran (`ci`, `prod`, ...).
    pub environment: Option<String>,
    /// The file it was read from (shared by every run of the file).
    pub file: Arc<str>,
    /// The line in that file.
    pub line: u32,
}

impl RunRef<'_> {
    /// The run as an owned [`Run`].
    #[must_use]
    pub fn to_run(&self) -> Run {
        Run {
            id: self.id.to_owned(),
            timestamp: self.timestamp,
            commit: self.commit.map(str::to_owned),
            branch: self.branch.map(str::to_owned),
            environment: self.environment.map(str::to_owned),
            file: self.file.into(),
            line: self.line,
        }
    }
}

/// One metric's measurement in one run: a value, raw samples, or both.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// The reported value (already the budget's statistic, as a benchmark tool reports p95).
    pub value: Option<f64>,
    /// Raw samples, from which any statistic is computed.
    pub samples: Option<Vec<f64>>,
    /// The unit it was written in.
    pub unit: Option<Unit>,
}

impl Measurement {
    /// The value of `statistic` for this run: from the samples where there are some, else the value.
    #[must_use]
    pub fn statistic(&self, statistic: Statistic) -> Option<f64> {
        match &self.samples {
            Some(samples) if !samples.is_empty() => statistic.of(samples),
            _ => self.value,
        }
    }
}

/// A run as read from a file, before the history is put in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The run.
    pub run: Run,
    /// Its measurements, by metric name.
    pub metrics: Vec<(String, Measurement)>,
    /// The group a tool put a metric in (pytest-benchmark's `group`), by metric name; a budget
    /// named after the group is measured by it ([`super::measures`]).
    pub groups: BTreeMap<String, String>,
}

impl Run {
    /// The run, borrowed as [`super::columnar::Runs`] store it.
    #[must_use]
    pub fn as_run_ref(&self) -> RunRef<'_> {
        RunRef {
            id: &self.id,
            timestamp: self.timestamp,
            commit: self.commit.as_deref(),
            branch: self.branch.as_deref(),
            environment: self.environment.as_deref(),
            file: &self.file,
            line: self.line,
        }
    }
}

/// Reads one JSON Lines line through `serde_json::Value`, naming the line, field and what is
/// wrong: the reader of every line the fast path leaves.
pub(crate) fn snapshot_from_line(file: &str, line_no: u32, line: &str) -> Result<Snapshot, LoadError> {
    let parsed: Json = serde_json::from_str(line).map_err(|e| {
        let (column, field) = (e.column(), field_at(line, e.column().saturating_sub(1)));
        LoadError::new(file, Pos { line: line_no, column: column as u32 }, &field, format!("not valid JSON: {}", serde_message(&e)))
    })?;
    snapshot_from_json(file, line_no, &parsed)
}

/// serde_json's message without the " at line L column C" it appends: that place is within the
/// one line it was given (always line 1), and the error names the file's line and column itself.
fn serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&suffix).map_or_else(|| text.clone(), str::to_owned)
}

/// The dotted path of the field being read at byte `at` of the JSON text `line` (`metrics.x`), or
/// `""` at the top level: serde_json reports only a place, and a person looks for a field. Reads
/// the text before `at` as far as it is JSON, keeping the latest key of every open object.
fn field_at(line: &str, at: usize) -> String {
    /// An open object or array: its key in its parent (none in an array) and, in an object, the
    /// latest key read.
    struct Open {
        object: bool,
        name: Option<String>,
        key: Option<String>,
    }
    let bytes = line.as_bytes();
    let mut open: Vec<Open> = Vec::new();
    let mut i = 0;
    while i < bytes.len().min(at) {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                // A string right after an object's `{` or `,` is a key.
                let before = bytes[..start - 1].iter().rev().find(|b| !b.is_ascii_whitespace());
                if let Some(top) = open.last_mut().filter(|o| o.object && matches!(before, Some(b'{' | b','))) {
                    top.key = line.get(start..i.min(bytes.len())).map(str::to_owned);
                }
            }
            b'{' | b'[' => {
                let name = open.last().filter(|o| o.object).and_then(|o| o.key.clone());
                open.push(Open { object: bytes[i] == b'{', name, key: None });
            }
            b'}' | b']' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    let mut path: Vec<&str> = open.iter().filter_map(|o| o.name.as_deref()).collect();
    path.extend(open.last().filter(|o| o.object).and_then(|o| o.key.as_deref()));
    path.join(".")
}

const SNAPSHOT_FIELDS: &[&str] = &["id", "timestamp", "commit", "branch", "environment", "metrics", "groups"];

fn snapshot_from_json(file: &str, line: u32, json: &Json) -> Result<Snapshot, LoadError> {
    let at = |field: &str, message: String| LoadError::new(file, Pos { line, column: 0 }, field, message);
    let Json::Object(object) = json else {
        return Err(at("", "expected a snapshot object `{\"id\": ..., \"metrics\": {...}}`".to_owned()));
    };
    for key in object.keys() {
        if !SNAPSHOT_FIELDS.contains(&key.as_str()) {
            let hint = super::error::did_you_mean(key, SNAPSHOT_FIELDS.iter().copied())
                .map_or_else(|| format!(" (expected: {})", SNAPSHOT_FIELDS.join(", ")), |s| format!("; did you mean `{s}`?"));
            return Err(at(key, format!("unknown field in a snapshot{hint}")));
        }
    }
    let text = |field: &str| -> Result<Option<String>, LoadError> {
        match object.get(field) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
            Some(Json::Number(n)) if field == "id" => Ok(Some(n.to_string())),
            Some(other) => Err(at(field, format!("expected non-empty text, found {other}"))),
        }
    };
    let id = text("id")?.ok_or_else(|| at("id", "every snapshot needs an `id`".to_owned()))?;
    let timestamp = match object.get("timestamp") {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(Timestamp::parse(s).map_err(|e| at("timestamp", e.to_string()))?),
        Some(Json::Number(n)) => match n.as_f64() {
            // Unix seconds.
            Some(secs) if secs.is_finite() => Some(Timestamp((secs * 1000.0).round() as i64)),
            _ => return Err(at("timestamp", "expected a time".to_owned())),
        },
        Some(other) => return Err(at("timestamp", format!("expected a time such as \"2026-05-01T10:00:00Z\", found {other}"))),
    };
    let run =
        Run { id, timestamp, commit: text("commit")?, branch: text("branch")?, environment: text("environment")?, file: file.into(), line };
    let Some(Json::Object(metrics_json)) = object.get("metrics") else {
        return Err(at("metrics", "every snapshot needs `metrics`, an object of metric names to values".to_owned()));
    };
    let mut metrics = Vec::with_capacity(metrics_json.len());
    for (name, value) in metrics_json {
        let field = format!("metrics.{name}");
        let measurement = measurement_from_json(value).map_err(|e| at(&field, e.to_string()))?;
        metrics.push((name.clone(), measurement));
    }
    let mut groups = BTreeMap::new();
    match object.get("groups") {
        None | Some(Json::Null) => {}
        Some(Json::Object(by_metric)) => {
            for (name, group) in by_metric {
                match group.as_str().filter(|g| !g.trim().is_empty()) {
                    Some(g) => {
                        groups.insert(name.clone(), g.to_owned());
                    }
                    None => return Err(at(&format!("groups.{name}"), format!("expected a group's name, found {group}"))),
                }
            }
        }
        Some(other) => return Err(at("groups", format!("expected an object of metric names to group names, found {other}"))),
    }
    Ok(Snapshot { run, metrics, groups })
}

/// What is wrong with a metric's value in a snapshot line (the line and the field `metrics.NAME`
/// are the caller's to add).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MeasurementFault {
    /// A field a measurement does not have.
    #[error("unknown field `{0}` (expected value, samples, unit, summary)")]
    UnknownField(String),
    /// A `value` that is not a finite number.
    #[error("`value` must be a finite number, found {0}")]
    Value(Json),
    /// A sample that is not a finite number.
    #[error("every sample must be a finite number, found {0}")]
    Sample(Json),
    /// `samples` that are not a list.
    #[error("`samples` must be a list of numbers, found {0}")]
    Samples(Json),
    /// A `unit` that is not text.
    #[error("`unit` must be text such as \"ms\", found {0}")]
    UnitNotText(Json),
    /// An empty `unit`.
    #[error(transparent)]
    Unit(#[from] EmptyUnit),
    /// Neither a `value` nor any sample.
    #[error("a measurement needs a `value` or non-empty `samples`")]
    Nothing,
    /// `null` where a measurement was expected.
    #[error("a metric without a value: leave it out of the snapshot instead")]
    Null,
    /// Neither a number nor an object.
    #[error("expected a number or {{\"value\": ..., \"unit\": ...}}, found {0}")]
    NotAMeasurement(Json),
    /// A day's summary that does not hold together.
    #[error(transparent)]
    Summary(#[from] SummaryFault),
    /// A duration or size below zero.
    #[error("a duration or size cannot be negative")]
    Negative,
}

/// What is wrong with a day's `summary`, as `headroom compact` writes it ([`super::retention`]).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SummaryFault {
    /// Not an object.
    #[error("`summary` must be {{\"count\": ..., \"min\": ..., \"median\": ..., \"p95\": ..., \"max\": ...}}, found {0}")]
    NotAnObject(Json),
    /// A field a summary does not have.
    #[error("unknown field `summary.{0}` (expected count, min, median, p95, max)")]
    UnknownField(String),
    /// A count that is not a whole number of runs.
    #[error("`summary.count` must be a whole number of runs, at least 1")]
    Count,
    /// One of `min`, `median`, `p95`, `max` that is not a finite number.
    #[error("`summary.{0}` must be a finite number")]
    NotFinite(&'static str),
    /// The statistics out of order.
    #[error("a summary needs min <= median <= p95 <= max")]
    Disordered,
    /// A point's `value` that is not its summary's median.
    #[error("a summary's `value` is its median")]
    ValueNotMedian,
}

fn measurement_from_json(value: &Json) -> Result<Measurement, MeasurementFault> {
    let number = |v: &Json| v.as_f64().filter(|f| f.is_finite());
    let measurement = match value {
        Json::Number(_) => Measurement { value: number(value), samples: None, unit: None },
        Json::Object(fields) => {
            if let Some(key) = fields.keys().find(|key| !["value", "samples", "unit", "summary"].contains(&key.as_str())) {
                return Err(MeasurementFault::UnknownField(key.clone()));
            }
            if let Some(summary) = fields.get("summary") {
                check_summary(summary, fields.get("value"))?;
            }
            let value = match fields.get("value") {
                None | Some(Json::Null) => None,
                Some(v) => Some(number(v).ok_or_else(|| MeasurementFault::Value(v.clone()))?),
            };
            let samples = match fields.get("samples") {
                None | Some(Json::Null) => None,
                Some(Json::Array(items)) => Some(
                    items
                        .iter()
                        .map(|v| number(v).ok_or_else(|| MeasurementFault::Sample(v.clone())))
                        .collect::<Result<Vec<f64>, MeasurementFault>>()?,
                ),
                Some(other) => return Err(MeasurementFault::Samples(other.clone())),
            };
            let unit = match fields.get("unit") {
                None | Some(Json::Null) => None,
                Some(Json::String(u)) => Some(Unit::parse(u)?),
                Some(other) => return Err(MeasurementFault::UnitNotText(other.clone())),
            };
            if value.is_none() && samples.as_ref().is_none_or(Vec::is_empty) {
                return Err(MeasurementFault::Nothing);
            }
            Measurement { value, samples, unit }
        }
        Json::Null => return Err(MeasurementFault::Null),
        other => return Err(MeasurementFault::NotAMeasurement(other.clone())),
    };
    check_sign(&measurement)?;
    Ok(measurement)
}

/// A day's summary (written by `headroom compact`, see [`super::retention`]): its count a whole
/// number of runs, `min <= median <= p95 <= max`, and the point's `value` its median. The engine
/// reads the value; the summary is kept for people and for `verify --base`.
fn check_summary(summary: &Json, value: Option<&Json>) -> Result<(), SummaryFault> {
    let Json::Object(fields) = summary else {
        return Err(SummaryFault::NotAnObject(summary.clone()));
    };
    if let Some(key) = fields.keys().find(|key| !["count", "min", "median", "p95", "max"].contains(&key.as_str())) {
        return Err(SummaryFault::UnknownField(key.clone()));
    }
    if fields.get("count").and_then(Json::as_u64).is_none_or(|n| n < 1) {
        return Err(SummaryFault::Count);
    }
    let number = |key: &'static str| fields.get(key).and_then(Json::as_f64).filter(|v| v.is_finite()).ok_or(SummaryFault::NotFinite(key));
    let (min, median, p95, max) = (number("min")?, number("median")?, number("p95")?, number("max")?);
    if !(min <= median && median <= p95 && p95 <= max) {
        return Err(SummaryFault::Disordered);
    }
    if value.and_then(Json::as_f64) != Some(median) {
        return Err(SummaryFault::ValueNotMedian);
    }
    Ok(())
}

/// Durations and sizes cannot be negative: a negative one is a broken measurement, not a fast run.
fn check_sign(m: &Measurement) -> Result<(), MeasurementFault> {
    let physical = m.unit.as_ref().is_some_and(|u| matches!(u.dimension(), Dimension::Time | Dimension::Size));
    let negative = m.value.is_some_and(|v| v < 0.0) || m.samples.as_ref().is_some_and(|s| s.iter().any(|v| *v < 0.0));
    if physical && negative {
        return Err(MeasurementFault::Negative);
    }
    Ok(())
}
