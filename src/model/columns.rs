//! History files parsed straight into columns: each file's runs once, each metric a column of
//! points, without a snapshot (a map of metrics) per run or a `serde_json::Value` per line.
//!
//! How it works:
//!
//! ```text
//!  text ──lines──▶ fast path: serde visitor over borrowed strings ──▶ run + (metric id, measurement)…
//!                     │ anything unusual (a typo, a number as id, a duplicate key)        │
//!                     ▼                                                                    ▼
//!                  slow path: serde_json::Value and the checks that name             FileColumns
//!                  the field (the same error messages as ever)                  runs: Vec<Run>
//!                                                                              metrics: Vec<MetricColumn>
//! ```
//!
//! The fast path accepts only what it understands completely and hands every other line to the
//! slow path (`snapshot::snapshot_from_line`), so the two cannot disagree on what a line means: a
//! line is either read by the fast path to the same snapshot the slow path would give, or read by
//! the slow path. Metric names are
//! interned once per file; a line usually lists its metrics in the order of the line before, so
//! the name is compared with that guess before any hashing.
//!
//! Limits: a file larger than [`super::workspace::MAX_HISTORY_BYTES`] is refused before it is read;
//! a line longer than [`MAX_LINE_BYTES`] is refused with its length. Both are errors that name the
//! file (and line), never an exhausted memory.

use super::columnar::{FxBuild, FxHasher, RunRef, Runs, Series};
use super::error::LoadError;
use super::snapshot::{Measurement, Snapshot, snapshot_from_line};
use super::time::Timestamp;
use super::units::{Dimension, Unit};
use super::yaml::Pos;
use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::hash::Hasher;

/// The longest line of a history file, in bytes: a snapshot of a thousand metrics with a hundred
/// raw samples each is under 2 MB; a longer line is a broken file, refused with its length.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The errors listed for one file before the rest of it is skipped.
pub(crate) const MAX_ERRORS_PER_FILE: usize = 20;

/// One metric's points in one file, with `run` positions in the file's runs, values and samples
/// in the units they were written in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricColumn {
    /// The metric's name.
    pub name: String,
    /// Its points, in the order read (the series' own unit is not set: see `units`).
    pub series: Series,
    /// The unit written from a point on, where it changes: (first point, unit).
    pub units: Vec<(u32, Option<Unit>)>,
}

impl MetricColumn {
    /// Adds a point of run `run` (a position in the file's runs).
    pub fn push(&mut self, run: u32, measurement: Measurement) {
        if self.units.last().is_none_or(|(_, unit)| *unit != measurement.unit) {
            self.units.push((self.series.len() as u32, measurement.unit));
        }
        self.series.push(run, measurement.value, measurement.samples.as_deref());
    }

    /// Adds a plain value of run `run` written in `unit` (as a CSV cell is).
    pub fn push_value(&mut self, run: u32, value: f64, unit: Option<&Unit>) {
        if self.units.last().is_none_or(|(_, last)| last.as_ref() != unit) {
            self.units.push((self.series.len() as u32, unit.cloned()));
        }
        self.series.push(run, Some(value), None);
    }

    /// Adds every point of `other` (the same metric), its run positions moved by `run_offset`.
    pub fn append(&mut self, other: &MetricColumn, run_offset: u32) {
        let points = self.series.len() as u32;
        for (from, unit) in &other.units {
            if self.units.last().is_none_or(|(_, last)| last != unit) {
                self.units.push((from + points, unit.clone()));
            }
        }
        self.series.append(&other.series, run_offset);
    }

    /// The unit point `point` was written in.
    #[must_use]
    pub fn unit_at(&self, point: usize) -> Option<&Unit> {
        let k = self.units.partition_point(|(from, _)| *from as usize <= point);
        self.units.get(k.checked_sub(1)?)?.1.as_ref()
    }

    /// Whether every point was written in the same unit (or none).
    #[must_use]
    pub fn in_one_unit(&self) -> bool {
        self.units.len() <= 1
    }
}

/// Records that a run puts `metric` in `group`: the later run's group is kept in `groups`, and
/// where it is another than before, both go into `regrouped`. Which group a benchmark is in
/// decides which budget it measures, and the history is not signed: a run added with another
/// group must not quietly take a benchmark away from its budget, so a metric put in two groups
/// is a question for people (`metrics:` in headroom.yaml settles it).
pub fn add_group(groups: &mut BTreeMap<String, String>, regrouped: &mut BTreeMap<String, BTreeSet<String>>, metric: &str, group: &str) {
    if let Some(before) = groups.insert(metric.to_owned(), group.to_owned())
        && before != group
    {
        regrouped.entry(metric.to_owned()).or_default().extend([before, group.to_owned()]);
    }
}

/// The runs of one history file (or several snapshots) and, per metric, a column of points.
#[derive(Clone, Debug, Default)]
pub struct FileColumns {
    /// The runs, in file order.
    pub runs: Runs,
    /// The metrics, in the order first seen.
    pub metrics: Vec<MetricColumn>,
    /// The group each metric's benchmark belongs to, where its tool says (pytest-benchmark's `group`).
    pub groups: BTreeMap<String, String>,
    /// Every group the runs gave a metric, for each metric that runs put in more than one (see
    /// [`add_group`]).
    pub regrouped: BTreeMap<String, BTreeSet<String>>,
    names: HashMap<String, u32, FxBuild>,
}

impl FileColumns {
    /// The column of `name`, added where it is new.
    pub fn metric_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.names.get(name) {
            return id;
        }
        let id = self.metrics.len() as u32;
        self.metrics.push(MetricColumn { name: name.to_owned(), ..MetricColumn::default() });
        self.names.insert(name.to_owned(), id);
        id
    }

    /// Adds the runs and points of `other`, read with the same metric ids (a later piece of the
    /// same file), after these.
    pub fn append(&mut self, other: &FileColumns) {
        let run_offset = self.runs.len() as u32;
        self.runs.append(&other.runs);
        for (column, more) in self.metrics.iter_mut().zip(&other.metrics) {
            column.append(more, run_offset);
        }
        for (metric, groups) in &other.regrouped {
            self.regrouped.entry(metric.clone()).or_default().extend(groups.iter().cloned());
        }
        for (metric, group) in &other.groups {
            add_group(&mut self.groups, &mut self.regrouped, metric, group);
        }
    }

    /// Adds a snapshot: its run, and its measurements to their columns.
    pub fn push_snapshot(&mut self, snapshot: Snapshot) {
        let run = self.runs.len() as u32;
        self.runs.push(snapshot.run.as_run_ref());
        for (metric, group) in &snapshot.groups {
            add_group(&mut self.groups, &mut self.regrouped, metric, group);
        }
        for (name, measurement) in snapshot.metrics {
            let id = self.metric_id(&name) as usize;
            self.metrics[id].push(run, measurement);
        }
    }

    /// The runs as snapshots, each with its measurements in the order of the columns.
    #[must_use]
    pub fn into_snapshots(self) -> Vec<Snapshot> {
        let mut snapshots: Vec<Snapshot> =
            self.runs.iter().map(|run| Snapshot { run: run.to_run(), metrics: Vec::new(), groups: BTreeMap::new() }).collect();
        for column in self.metrics {
            let group = self.groups.get(&column.name);
            for (k, point) in column.series.points().enumerate() {
                let snapshot = &mut snapshots[point.run as usize];
                if let Some(group) = group {
                    snapshot.groups.insert(column.name.clone(), group.clone());
                }
                let measurement =
                    Measurement { value: point.value, samples: point.samples.map(<[f64]>::to_vec), unit: column.unit_at(k).cloned() };
                snapshot.metrics.push((column.name.clone(), measurement));
            }
        }
        snapshots
    }
}

/// The lines of `text` with their numbers (from 1), refusing a line over [`MAX_LINE_BYTES`].
fn numbered_lines<'t>(file: &'t str, text: &'t str) -> impl Iterator<Item = Result<(u32, &'t str), LoadError>> + 't {
    text.lines().enumerate().map(move |(index, line)| {
        let line_no = index as u32 + 1;
        if line.len() > MAX_LINE_BYTES {
            Err(LoadError::new(
                file,
                Pos { line: line_no, column: 0 },
                "",
                format!("a line of {} bytes, over the limit of {} bytes for one line", line.len(), MAX_LINE_BYTES),
            ))
        } else {
            Ok((line_no, line))
        }
    })
}

/// Parses JSON Lines snapshots into columns. Blank lines are skipped; the file is rejected whole
/// with every error in it (up to [`MAX_ERRORS_PER_FILE`]).
pub fn json_lines_columns(file: &str, text: &str) -> Result<FileColumns, Vec<LoadError>> {
    let mut columns = FileColumns::default();
    // A run a line at most; the metrics of the first run most likely have a point in every line
    // (room reserved for them once, where growing a thousand columns line by line cost a sixth of
    // the time in copies).
    let lines = text.matches('\n').count() + 1;
    columns.runs.reserve(lines);
    let mut errors = Vec::new();
    let mut line_metrics: Vec<(Cow<'_, str>, Measurement)> = Vec::new();
    // The metric ids of the line before, in its order: the guess for this line.
    let mut previous_order: Vec<u32> = Vec::new();
    let mut order: Vec<u32> = Vec::new();
    // For each metric, the last run it was given in: a metric twice in a line goes to the slow path.
    let mut last_run: Vec<u32> = Vec::new();
    for numbered in numbered_lines(file, text) {
        let (line_no, line) = match numbered {
            Ok(l) => l,
            Err(e) => {
                errors.push(e);
                break;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        if errors.len() >= MAX_ERRORS_PER_FILE {
            errors.push(LoadError::new(file, Pos { line: line_no, column: 0 }, "", "too many errors; the rest of the file was not read"));
            break;
        }
        line_metrics.clear();
        let fast = fast_line(line, &mut line_metrics);
        let run_index = columns.runs.len() as u32;
        if let Some(head) = fast {
            order.clear();
            let mut duplicate = false;
            for (k, (name, _)) in line_metrics.iter().enumerate() {
                let id = match previous_order.get(k) {
                    Some(&guess) if columns.metrics[guess as usize].name == name.as_ref() => guess,
                    _ => columns.metric_id(name),
                };
                if id as usize >= last_run.len() {
                    last_run.resize(id as usize + 1, u32::MAX);
                }
                if last_run[id as usize] == run_index {
                    duplicate = true;
                    break;
                }
                last_run[id as usize] = run_index;
                order.push(id);
            }
            if !duplicate {
                for (&id, (_, measurement)) in order.iter().zip(line_metrics.drain(..)) {
                    columns.metrics[id as usize].push(run_index, measurement);
                }
                columns.runs.push(RunRef {
                    id: &head.id,
                    timestamp: head.timestamp,
                    commit: head.commit.as_deref(),
                    branch: head.branch.as_deref(),
                    environment: head.environment.as_deref(),
                    file,
                    line: line_no,
                });
                if run_index == 0 {
                    for &id in &order {
                        columns.metrics[id as usize].series.reserve(lines);
                    }
                }
                std::mem::swap(&mut previous_order, &mut order);
                continue;
            }
            // Undo the marks of this line: the slow path reads it again.
            for &id in &order {
                last_run[id as usize] = u32::MAX;
            }
        }
        match snapshot_from_line(file, line_no, line) {
            Ok(snapshot) => {
                for (name, _) in &snapshot.metrics {
                    let id = columns.metric_id(name) as usize;
                    if id >= last_run.len() {
                        last_run.resize(id + 1, u32::MAX);
                    }
                    last_run[id] = run_index;
                }
                columns.push_snapshot(snapshot);
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(columns) } else { Err(errors) }
}

/// A run's own fields, as the fast path read them.
#[derive(Default)]
struct Head<'a> {
    id: Cow<'a, str>,
    timestamp: Option<Timestamp>,
    commit: Option<Cow<'a, str>>,
    branch: Option<Cow<'a, str>>,
    environment: Option<Cow<'a, str>>,
}

/// Reads a snapshot line the fast way, its measurements into `metrics`; `None` where the line has
/// anything the fast path does not read completely (the slow path then reads it, and names errors).
fn fast_line<'a>(line: &'a str, metrics: &mut Vec<(Cow<'a, str>, Measurement)>) -> Option<Head<'a>> {
    let mut deserializer = serde_json::Deserializer::from_str(line);
    let head = deserializer.deserialize_map(LineVisitor { metrics }).ok()?;
    deserializer.end().ok()?;
    Some(head)
}

/// A marker error: the fast path gives up on this line.
#[derive(Debug)]
struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to the slow path")
    }
}

impl std::error::Error for GiveUp {}

fn give_up<E: de::Error>() -> E {
    E::custom(GiveUp)
}

/// Text that may borrow from the line (no escapes) or own (escapes decoded).
struct Text<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("text")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// Non-blank text or null, as the slow path's `text` accepts (a number is left to it).
fn optional_text<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Cow<'de, str>>, A::Error> {
    let text: Option<Text<'de>> = map.next_value()?;
    match text {
        None => Ok(None),
        Some(Text(t)) if !t.trim().is_empty() => Ok(Some(t)),
        Some(_) => Err(give_up()),
    }
}

struct LineVisitor<'m, 'a> {
    metrics: &'m mut Vec<(Cow<'a, str>, Measurement)>,
}

impl<'de> Visitor<'de> for LineVisitor<'_, 'de> {
    type Value = Head<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Head<'de>, A::Error> {
        let mut head = Head::default();
        let (mut has_id, mut has_metrics) = (false, false);
        let mut seen = [false; 6];
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            let slot = match key.as_ref() {
                "id" => 0,
                "timestamp" => 1,
                "commit" => 2,
                "branch" => 3,
                "environment" => 4,
                "metrics" => 5,
                _ => return Err(give_up()),
            };
            if std::mem::replace(&mut seen[slot], true) {
                return Err(give_up());
            }
            match slot {
                0 => {
                    head.id = optional_text(&mut map)?.ok_or_else(give_up)?;
                    has_id = true;
                }
                1 => {
                    head.timestamp = match map.next_value::<Option<Text<'de>>>()? {
                        None => None,
                        Some(Text(t)) => Some(Timestamp::parse(&t).map_err(|_| give_up::<A::Error>())?),
                    };
                }
                2 => head.commit = optional_text(&mut map)?,
                3 => head.branch = optional_text(&mut map)?,
                4 => head.environment = optional_text(&mut map)?,
                _ => {
                    map.next_value_seed(MetricsSeed { metrics: &mut *self.metrics })?;
                    has_metrics = true;
                }
            }
        }
        if has_id && has_metrics { Ok(head) } else { Err(give_up()) }
    }
}

struct MetricsSeed<'m, 'a> {
    metrics: &'m mut Vec<(Cow<'a, str>, Measurement)>,
}

impl<'de> DeserializeSeed<'de> for MetricsSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MetricsSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of metrics")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
            let FastMeasurement(measurement) = map.next_value()?;
            self.metrics.push((name, measurement));
        }
        Ok(())
    }
}

/// A measurement the fast path read whole and checked as the slow path does.
struct FastMeasurement(Measurement);

impl<'de> de::Deserialize<'de> for FastMeasurement {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MeasurementVisitor)
    }
}

struct MeasurementVisitor;

fn plain<E: de::Error>(v: f64) -> Result<FastMeasurement, E> {
    if v.is_finite() { Ok(FastMeasurement(Measurement { value: Some(v), samples: None, unit: None })) } else { Err(give_up()) }
}

impl<'de> Visitor<'de> for MeasurementVisitor {
    type Value = FastMeasurement;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a measurement")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<FastMeasurement, E> {
        plain(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FastMeasurement, E> {
        plain(v as f64)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FastMeasurement, E> {
        plain(v as f64)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FastMeasurement, A::Error> {
        let mut m = Measurement { value: None, samples: None, unit: None };
        let mut seen = [false; 3];
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            let slot = match key.as_ref() {
                "value" => 0,
                "samples" => 1,
                "unit" => 2,
                _ => return Err(give_up()),
            };
            if std::mem::replace(&mut seen[slot], true) {
                return Err(give_up());
            }
            match slot {
                0 => m.value = map.next_value::<Option<Finite>>()?.map(|f| f.0),
                1 => m.samples = map.next_value::<Option<Samples>>()?.map(|s| s.0),
                _ => {
                    m.unit = match map.next_value::<Option<Text<'de>>>()? {
                        None => None,
                        Some(Text(u)) => Some(Unit::parse(&u).map_err(|_| give_up::<A::Error>())?),
                    }
                }
            }
        }
        if m.value.is_none() && m.samples.as_ref().is_none_or(Vec::is_empty) {
            return Err(give_up());
        }
        let physical = m.unit.as_ref().is_some_and(|u| matches!(u.dimension(), Dimension::Time | Dimension::Size));
        let negative = m.value.is_some_and(|v| v < 0.0) || m.samples.as_ref().is_some_and(|s| s.iter().any(|v| *v < 0.0));
        if physical && negative {
            return Err(give_up());
        }
        Ok(FastMeasurement(m))
    }
}

/// A finite number.
struct Finite(f64);

impl<'de> de::Deserialize<'de> for Finite {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FiniteVisitor;
        impl Visitor<'_> for FiniteVisitor {
            type Value = Finite;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a finite number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Finite, E> {
                if v.is_finite() { Ok(Finite(v)) } else { Err(give_up()) }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Finite, E> {
                Ok(Finite(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Finite, E> {
                Ok(Finite(v as f64))
            }
        }
        deserializer.deserialize_f64(FiniteVisitor)
    }
}

/// A list of finite numbers.
struct Samples(Vec<f64>);

impl<'de> de::Deserialize<'de> for Samples {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SamplesVisitor;
        impl<'de> Visitor<'de> for SamplesVisitor {
            type Value = Samples;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of numbers")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Samples, S::Error> {
                let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(Finite(v)) = seq.next_element()? {
                    values.push(v);
                }
                Ok(Samples(values))
            }
        }
        deserializer.deserialize_seq(SamplesVisitor)
    }
}

/// The threads each of `items` things parsed at once may use: the cores shared out, at least one.
#[must_use]
pub fn threads_each(items: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (cores / items.max(1)).max(1)
}

/// Runs `parse` on every item on up to one thread per core, and returns the results in the items'
/// order; `done` is told each item's index as it finishes, on the calling thread (for progress).
/// One item is parsed on the calling thread alone.
pub fn parse_in_parallel<T: Sync, R: Send>(items: &[T], parse: impl Fn(&T) -> R + Sync, done: &mut dyn FnMut(usize)) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(items.len());
    if threads <= 1 {
        return items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let result = parse(item);
                done(i);
                result
            })
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        for _ in 0..threads {
            let (sender, next, parse) = (sender.clone(), &next, &parse);
            std::thread::Builder::new()
                .name("headroom-parse".to_owned())
                .spawn_scoped(scope, move || {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        if sender.send((i, parse(item))).is_err() {
                            break;
                        }
                    }
                })
                .map_err(|e| e.to_string())
                .ok();
        }
        drop(sender);
        for (i, result) in receiver {
            done(i);
            results[i] = Some(result);
        }
    });
    // A thread that could not be started leaves its items: parse them here.
    results.into_iter().enumerate().map(|(i, r)| r.unwrap_or_else(|| parse(&items[i]))).collect()
}

/// For each key that equals an earlier one, its position and the first equal key's position, in
/// position order; the keys are `(environment, run id)` of the `count` runs in the order taken.
pub fn repeated_keys<'k>(count: usize, key: impl Fn(usize) -> (Option<&'k str>, &'k str) + Sync) -> Vec<(u32, u32)> {
    KeyIndex::new(count, &key).repeated(&key)
}

/// The keys `(environment, run id)` of `count` runs, hashed and sorted, to find repeats and to
/// look a key up.
///
/// Each key is hashed into one `u64` with its position in the low bits (the hash's top bits
/// above them) and these are sorted (a cache-friendly sort of a million words, where a hash table
/// of a million strings missed the cache on almost every probe); only keys of equal hash bits are
/// compared as text, so a collision costs a comparison, never a wrong answer.
pub struct KeyIndex {
    hashed: Vec<u64>,
    position_mask: u64,
}

impl KeyIndex {
    /// Hashes and sorts the keys of positions `0..count`.
    pub fn new<'k>(count: usize, key: impl Fn(usize) -> (Option<&'k str>, &'k str) + Sync) -> KeyIndex {
        let position_bits = usize::BITS - count.leading_zeros();
        let position_mask = (1u64 << position_bits) - 1;
        let hashed_sorted = |positions: std::ops::Range<usize>| {
            let mut hashed: Vec<u64> = positions.map(|i| (hash_key(key(i)) & !position_mask) | i as u64).collect();
            hashed.sort_unstable();
            hashed
        };
        // A long list in two halves, hashed and sorted on two threads, then merged.
        let half = count / 2;
        let halves = if count >= PARALLEL_KEYS && threads_each(1) > 1 {
            std::thread::scope(|scope| {
                let later =
                    std::thread::Builder::new().name("headroom-index".to_owned()).spawn_scoped(scope, || hashed_sorted(half..count));
                let earlier = hashed_sorted(0..half);
                later.ok().and_then(|h| h.join().ok()).map(|later| (earlier, later))
            })
        } else {
            None
        };
        let hashed = match halves {
            Some((earlier, later)) => merge_sorted(&earlier, &later),
            None => hashed_sorted(0..count),
        };
        KeyIndex { hashed, position_mask }
    }

    /// For each key that equals an earlier one, its position and the first equal key's position,
    /// in position order.
    pub fn repeated<'k>(&self, key: impl Fn(usize) -> (Option<&'k str>, &'k str)) -> Vec<(u32, u32)> {
        let mask = self.position_mask;
        let mut repeated = Vec::new();
        for group in self.hashed.chunk_by(|a, b| a & !mask == b & !mask).filter(|g| g.len() > 1) {
            // Within a group the positions ascend, so the first equal key found is the first in order.
            for (k, &later) in group.iter().enumerate().skip(1) {
                let later = (later & mask) as usize;
                if let Some(&first) = group[..k].iter().find(|&&earlier| key((earlier & mask) as usize) == key(later)) {
                    repeated.push((later as u32, (first & mask) as u32));
                }
            }
        }
        repeated.sort_unstable();
        repeated
    }

    /// The positions whose key equals `probe`.
    pub fn positions_of<'k, 'p>(
        &self,
        probe: (Option<&'p str>, &'p str),
        key: impl Fn(usize) -> (Option<&'k str>, &'k str),
    ) -> impl Iterator<Item = usize> {
        let mask = self.position_mask;
        let bits = hash_key(probe) & !mask;
        let start = self.hashed.partition_point(|&h| h & !mask < bits);
        let end = start + self.hashed[start..].partition_point(|&h| h & !mask == bits);
        let positions: Vec<usize> = self.hashed[start..end].iter().map(|&h| (h & mask) as usize).filter(|&p| key(p) == probe).collect();
        positions.into_iter()
    }
}

/// The keys hashed on two threads from this many on.
const PARALLEL_KEYS: usize = 1 << 16;

/// Two sorted lists as one.
fn merge_sorted(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            merged.push(a[i]);
            i += 1;
        } else {
            merged.push(b[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&a[i..]);
    merged.extend_from_slice(&b[j..]);
    merged
}

fn hash_key(key: (Option<&str>, &str)) -> u64 {
    let mut hasher = FxHasher::default();
    std::hash::Hash::hash(&key, &mut hasher);
    // FxHash's high bits are its best mixed: the position takes the low ones.
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_name_each_repeat_with_its_first() {
        let keys = [(None, "a"), (Some("ci"), "a"), (None, "b"), (None, "a"), (Some("ci"), "a"), (None, "a")];
        assert_eq!(repeated_keys(keys.len(), |i| keys[i]), [(3, 0), (4, 1), (5, 0)]);
        assert!(repeated_keys(0, |_| (None, "")).is_empty());
        let index = KeyIndex::new(keys.len(), |i| keys[i]);
        assert_eq!(merge_sorted(&[1, 4, 9], &[2, 4, 10, 11]), [1, 2, 4, 4, 9, 10, 11]);
        assert_eq!(index.positions_of((None, "a"), |i| keys[i]).collect::<Vec<_>>(), [0, 3, 5]);
        assert_eq!(index.positions_of((Some("ci"), "b"), |i| keys[i]).count(), 0);
    }
}
