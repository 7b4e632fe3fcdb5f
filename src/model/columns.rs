//! History files parsed straight into columns: each file's runs once, each metric a column of
//! points, without a snapshot (a map of metrics) per run or a `serde_json::Value` per line.
//!
//! How it works:
//!
//! ```text
//!  text ──lines──▶ fast path: one pass over the line's bytes (json_line) ──▶ run + (metric id, measurement)…
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
use super::json_line::{LinePoints, read_line};
use super::snapshot::{Measurement, Snapshot, snapshot_from_line};
use super::units::Unit;
use super::yaml::Pos;
use std::collections::{BTreeMap, BTreeSet, HashMap};
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
        self.push_parts(run, measurement.value, measurement.samples.as_deref(), measurement.unit);
    }

    /// [`MetricColumn::push`] of a measurement in its parts (its samples borrowed).
    pub fn push_parts(&mut self, run: u32, value: Option<f64>, samples: Option<&[f64]>, unit: Option<Unit>) {
        if self.units.last().is_none_or(|(_, last)| *last != unit) {
            self.units.push((self.series.len() as u32, unit));
        }
        self.series.push(run, value, samples);
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

    /// Adds the runs and points of `pieces` (later pieces of the same file, read with the same
    /// metric ids), in order, after these: room for all of them made first, exactly, and each
    /// piece let go once added.
    pub fn append_pieces(&mut self, pieces: Vec<FileColumns>) {
        self.runs.reserve_for(&pieces.iter().map(|p| &p.runs).collect::<Vec<_>>());
        for (k, column) in self.metrics.iter_mut().enumerate() {
            column.series.reserve_for(&pieces.iter().filter_map(|p| p.metrics.get(k)).map(|m| &m.series).collect::<Vec<_>>());
        }
        for piece in pieces {
            self.append(&piece);
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

/// How many line ends `text` has: counted in bytes, 255 at most a block, which the compiler
/// turns into 16 or 32 comparisons an instruction.
pub(crate) fn newlines(text: &str) -> usize {
    text.as_bytes().chunks(usize::from(u8::MAX)).map(|block| usize::from(block.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>())).sum()
}

/// The lines of `text`, as [`str::lines`] cuts them (at `\n`, a `\r` before it dropped), their
/// ends found 32 bytes at a time: one comparison of a block, in vector instructions, where the
/// standard library's search goes a word at a time (a long line of JSON is mostly bytes to skip).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let line = match find_newline(rest.as_bytes()) {
            // The `\n` is ASCII: both sides are on character boundaries.
            Some(end) => {
                let line = &rest[..end];
                rest = &rest[end + 1..];
                line.strip_suffix('\r').unwrap_or(line)
            }
            None => std::mem::take(&mut rest),
        };
        Some(line)
    })
}

/// The position of the first `\n` in `bytes`.
fn find_newline(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 32;
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut offset = 0;
    for block in &mut blocks {
        // Every byte compared, without an early exit, so the compiler compares them at once.
        if block.iter().fold(0u8, |found, &b| found | u8::from(b == b'\n')) != 0 {
            return block.iter().position(|&b| b == b'\n').map(|p| offset + p);
        }
        offset += BLOCK;
    }
    blocks.remainder().iter().position(|&b| b == b'\n').map(|p| offset + p)
}

/// The lines of `text` with their numbers (from 1), refusing a line over [`MAX_LINE_BYTES`].
fn numbered_lines<'t>(file: &'t str, text: &'t str) -> impl Iterator<Item = Result<(u32, &'t str), LoadError>> + 't {
    lines(text).enumerate().map(move |(index, line)| {
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
    let lines = newlines(text) + 1;
    columns.runs.reserve(lines);
    let mut errors = Vec::new();
    // The points of this line and of the line before (the last read by the fast path and added),
    // swapped from line to line: the line before's names are this line's guess.
    let (mut current, mut previous) = (LinePoints::default(), LinePoints::default());
    // The metric ids of the line before, in its order (empty where a line went to the slow path).
    let mut previous_order: Vec<u32> = Vec::new();
    let mut order: Vec<u32> = Vec::new();
    // For each metric, the last run it was given in: a metric twice in a line goes to the slow path.
    let mut last_run: Vec<u32> = Vec::new();
    let mut block = Block::default();
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
        current.clear();
        let fast = read_line(line, &mut current);
        let run_index = columns.runs.len() as u32;
        if let Some(head) = fast {
            let ordered = line_order(&mut columns, &current, (&previous, &previous_order), &mut last_run, run_index, &mut order);
            if let Some(plain) = ordered {
                if plain {
                    block.push(&order, run_index, &current, &mut columns.metrics);
                } else {
                    block.add_to(&mut columns.metrics);
                    for (&id, point) in order.iter().zip(&current.points) {
                        let samples = point.samples.map(|(start, end)| &current.samples[start..end]);
                        columns.metrics[id as usize].push_parts(run_index, point.value, samples, point.unit.clone());
                    }
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
                std::mem::swap(&mut previous, &mut current);
                continue;
            }
            // Undo the marks of this line: the slow path reads it again.
            for &id in &order {
                last_run[id as usize] = u32::MAX;
            }
        }
        match snapshot_from_line(file, line_no, line) {
            Ok(snapshot) => {
                block.add_to(&mut columns.metrics);
                // Its points come between the line before's and the next line's: no guess from it.
                previous_order.clear();
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
    block.add_to(&mut columns.metrics);
    if errors.is_empty() { Ok(columns) } else { Err(errors) }
}

/// The metric ids of the points of a line read by the fast path, in their order, into `order`,
/// each marked in `last_run` as given in run `run`: `None` where a metric comes twice (the slow
/// path reads the line again), else whether every point is plain (a value without samples, in
/// the unit of its column's point before), as the block takes them. The line before
/// (`previous`: its points and their ids) is the guess for each name.
fn line_order(
    columns: &mut FileColumns,
    line: &LinePoints<'_>,
    (previous, previous_order): (&LinePoints<'_>, &[u32]),
    last_run: &mut Vec<u32>,
    run: u32,
    order: &mut Vec<u32>,
) -> Option<bool> {
    order.clear();
    let mut plain = true;
    for (k, point) in line.points.iter().enumerate() {
        // A line usually lists its metrics in the order of the line before.
        let guess = previous_order.get(k).copied().filter(|_| previous.points[k].name == point.name);
        let id = guess.unwrap_or_else(|| columns.metric_id(&point.name));
        if id as usize >= last_run.len() {
            last_run.resize(id as usize + 1, u32::MAX);
        }
        if last_run[id as usize] == run {
            return None;
        }
        last_run[id as usize] = run;
        order.push(id);
        // Guessed, the column's point before is the line before's (no other line came between).
        plain &= point.samples.is_none()
            && point.value.is_some()
            && match guess {
                Some(_) => previous.points[k].unit == point.unit,
                None => columns.metrics[id as usize].units.last().is_some_and(|(_, unit)| *unit == point.unit),
            };
    }
    Some(plain)
}

/// The plain values of consecutive lines with the same metrics in the same order, held column by
/// column and added to the columns a block at a time.
///
/// Why: a line of a thousand metrics adds a point to a thousand columns, each a store to a page
/// of its own, far more than the caches of pages and lines hold, so nearly every point's store
/// stalled (`Series::push` was a third of reading such a file). Held here, a line's values go to
/// one small buffer, and each column takes a block of consecutive values in one copy.
#[derive(Default)]
struct Block {
    /// The metric ids of every line in the block, in their order.
    order: Vec<u32>,
    /// The first line's run; the block's lines are consecutive runs.
    first_run: u32,
    rows: usize,
    /// The lines the block holds at most.
    room: usize,
    /// Column by column: metric `k`'s values at `k * room ..`.
    values: Vec<f64>,
}

/// The values a block holds at most (half a megabyte: well within a core's cache).
const BLOCK_VALUES: usize = 1 << 16;

impl Block {
    /// Whether a line of the metrics `order` of run `run` belongs to this block.
    fn continues(&self, order: &[u32], run: u32) -> bool {
        self.rows > 0 && self.rows < self.room && run as usize == self.first_run as usize + self.rows && self.order == order
    }

    /// Starts a block at run `run`, of the metrics `order` (the block before added to the columns).
    fn start(&mut self, order: &[u32], run: u32) {
        debug_assert_eq!(self.rows, 0);
        self.order.clear();
        self.order.extend_from_slice(order);
        self.first_run = run;
        self.room = (BLOCK_VALUES / order.len().max(1)).clamp(16, 4096);
        self.values.resize(self.room * order.len(), 0.0);
    }

    /// Adds the plain values of run `run`'s line (its metrics' ids in `order`) to this block, or
    /// to a new one (this one added to `metrics`) where it does not continue this one.
    fn push(&mut self, order: &[u32], run: u32, line: &LinePoints<'_>, metrics: &mut [MetricColumn]) {
        if !self.continues(order, run) {
            self.add_to(metrics);
            self.start(order, run);
        }
        for (k, point) in line.points.iter().enumerate() {
            self.values[k * self.room + self.rows] = point.value.unwrap_or_default();
        }
        self.rows += 1;
    }

    /// Adds the block's values to their columns, and empties it.
    fn add_to(&mut self, metrics: &mut [MetricColumn]) {
        if self.rows == 0 {
            return;
        }
        for (k, &id) in self.order.iter().enumerate() {
            let start = k * self.room;
            metrics[id as usize].series.push_values(self.first_run, &self.values[start..start + self.rows]);
        }
        self.rows = 0;
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
    fn lines_are_cut_as_the_standard_library_cuts_them() {
        let long = "x".repeat(70);
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb",
            "a\rb\r",
            "a\r\n\r\n",
            "\r",
            "\n\n\nz",
            "é\n✓\r\n",
            &format!("{long}\n{long}\r\n{long}"),
            &format!("{long}{long}\n"),
        ] {
            assert_eq!(lines(text).collect::<Vec<_>>(), text.lines().collect::<Vec<_>>(), "{text:?}");
        }
        for length in 0..100 {
            let bytes = "y".repeat(length) + "\n";
            assert_eq!(find_newline(bytes.as_bytes()), Some(length));
            assert_eq!(find_newline(&bytes.as_bytes()[..length]), None);
        }
    }

    #[test]
    fn a_file_read_in_blocks_gives_the_columns_of_its_lines_read_one_by_one() {
        // Lines of a thousand metrics in one order (several blocks), then lines that end a block:
        // another order, raw samples, a unit that changes, a metric left out, a line only
        // serde_json reads (a numeric id), a blank line and a broken one left to the slow path.
        let mut text = String::new();
        for run in 0..300 {
            let metrics: Vec<String> = (0..1000).map(|m| format!("\"m{m}\":{}.{}", run * 7 + m, m % 10)).collect();
            text.push_str(&format!("{{\"id\":\"r{run}\",\"metrics\":{{{}}}}}\n", metrics.join(",")));
            match run % 50 {
                10 => text.push_str(&format!("{{\"id\":\"s{run}\",\"metrics\":{{\"m1\":2,\"m0\":1}}}}\n")),
                20 => text.push_str(&format!("{{\"id\":\"u{run}\",\"metrics\":{{\"m0\":{{\"value\":3,\"unit\":\"ms\"}}}}}}\n")),
                30 => text.push_str(&format!("{{\"id\":\"v{run}\",\"metrics\":{{\"m0\":{{\"samples\":[1,2]}},\"m2\":4}}}}\n\n")),
                40 => text.push_str(&format!("{{\"id\":{run},\"metrics\":{{\"m0\":5,\"m3\":6}}}}\n")),
                _ => {}
            }
        }
        let read = json_lines_columns("h.jsonl", &text).unwrap();
        let mut one_by_one = FileColumns::default();
        for (k, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
            one_by_one.push_snapshot(snapshot_from_line("h.jsonl", k as u32 + 1, line).unwrap());
        }
        assert_eq!(read.runs, one_by_one.runs);
        assert_eq!(read.metrics.len(), one_by_one.metrics.len());
        for (a, b) in read.metrics.iter().zip(&one_by_one.metrics) {
            assert_eq!((&a.name, &a.units), (&b.name, &b.units));
            assert!(a.series == b.series, "{}", a.name);
        }
    }

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
