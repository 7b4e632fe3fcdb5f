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
//! slow path, so the two cannot disagree on what a line means: a line is either read by the fast
//! path to the same snapshot the slow path would give, or read by the slow path. Metric names are
//! interned once per file; a line usually lists its metrics in the order of the line before, so
//! the name is compared with that guess before any hashing.
//!
//! Limits: a file larger than [`super::workspace::MAX_HISTORY_BYTES`] is refused before it is read;
//! a line longer than [`MAX_LINE_BYTES`] is refused with its length. Both are errors that name the
//! file (and line), never an exhausted memory.

use super::columnar::{FxBuild, FxHasher, RunRef, Runs, Series};
use super::error::LoadError;
use super::history::{Measurement, Snapshot};
use super::time::Timestamp;
use super::units::{Dimension, Unit};
use super::yaml::Pos;
use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
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

/// The runs of one history file (or several snapshots) and, per metric, a column of points.
#[derive(Clone, Debug, Default)]
pub struct FileColumns {
    /// The runs, in file order.
    pub runs: Runs,
    /// The metrics, in the order first seen.
    pub metrics: Vec<MetricColumn>,
    /// The group each metric's benchmark belongs to, where its tool says (pytest-benchmark's `group`).
    pub groups: BTreeMap<String, String>,
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

    /// Adds a snapshot: its run, and its measurements to their columns.
    pub fn push_snapshot(&mut self, snapshot: Snapshot) {
        let run = self.runs.len() as u32;
        self.runs.push(snapshot.run.as_run_ref());
        self.groups.extend(snapshot.groups);
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
                std::mem::swap(&mut previous_order, &mut order);
                continue;
            }
            // Undo the marks of this line: the slow path reads it again.
            for &id in &order {
                last_run[id as usize] = u32::MAX;
            }
        }
        match super::history::snapshot_from_line(file, line_no, line) {
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
///
/// Keys are hashed, the hashes sorted (a cache-friendly sort of 16-byte pairs, where a hash table
/// of a million strings missed the cache on almost every probe), and only keys of equal hash are
/// compared as text.
pub fn repeated_keys<'k>(count: usize, key: impl Fn(usize) -> (Option<&'k str>, &'k str)) -> Vec<(u32, u32)> {
    let mut hashed: Vec<(u64, u32)> = (0..count)
        .map(|i| {
            let mut hasher = FxHasher::default();
            std::hash::Hash::hash(&key(i), &mut hasher);
            (hasher.finish(), i as u32)
        })
        .collect();
    hashed.sort_unstable();
    let mut repeated = Vec::new();
    for group in hashed.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
        for (k, &(_, later)) in group.iter().enumerate().skip(1) {
            if let Some(&(_, first)) = group[..k].iter().find(|(_, earlier)| key(*earlier as usize) == key(later as usize)) {
                repeated.push((later, first));
            }
        }
    }
    repeated.sort_unstable();
    repeated
}
