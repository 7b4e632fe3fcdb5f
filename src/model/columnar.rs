//! The history's storage, column by column: the runs once ([`Runs`]), and per metric a dense
//! column of values with the runs they belong to ([`Series`]).
//!
//! How it works:
//!
//! ```text
//!  Runs                                   Series (one per metric)
//!  ids       "r1" "r2" "r3" …  one text   runs     0    1    3   …  u32 positions in Runs
//!  commits   "9f2c" ""  "a1b0" arena each  values   41.2 40.9 ·   …  f64, · = no value
//!  timestamps  t1   t2   t3    i64 ms     samples  (point 2: arena[0..5]) …  sparse spans
//!  branches / environments / files        arena    4.1 4.3 4.0 …       one flat Vec<f64>
//!            0    0    1       u32 ids into one table of names
//!  lines       1    2    3
//! ```
//!
//! A million runs of one metric take about 40 MB here, where a `Run` of owned strings and a
//! `Point` with an owned `Measurement` took about 200 MB (and three allocations a run). Readers
//! get borrowed views ([`RunRef`], [`PointRef`]), so nothing is copied to read.

use super::time::Timestamp;
use super::units::{Statistic, Unit};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// A run's timestamp where it has none.
const NO_TIME: i64 = i64::MIN;
/// A name's id where there is no name.
const NO_NAME: u32 = u32::MAX;
/// A point's value where it has none (only raw samples): a NaN with a payload of its own, so a
/// measured NaN stays a value.
const NO_VALUE: u64 = 0x7ff8_0000_6e6f_6e65;

/// Texts one after another in one string, each found by where it ends. Empty text is stored as
/// nothing at all until the first non-empty one arrives (a CSV without commits costs no memory).
#[derive(Clone, Debug, Default)]
struct Texts {
    bytes: String,
    /// The end of each text in `bytes`; empty while every text so far is empty (`bytes` too).
    ends: Ends,
    len: usize,
}

impl Texts {
    #[inline]
    fn push(&mut self, text: &str) {
        if !text.is_empty() && self.bytes.is_empty() {
            // The first text that is not empty: every one before it ends at 0.
            self.ends.resize(self.len, 0);
        }
        self.bytes.push_str(text);
        if !self.bytes.is_empty() {
            self.ends.push(self.bytes.len() as u64);
        }
        self.len += 1;
    }

    /// Room for the texts of `others` after these, exactly (a joined column not grown by doubling).
    fn reserve_for<'o>(&mut self, others: impl Iterator<Item = &'o Texts> + Clone) {
        let bytes: usize = others.clone().map(|o| o.bytes.len()).sum();
        if bytes > 0 {
            self.bytes.reserve_exact(bytes);
            self.ends.reserve_exact((self.len + others.map(|o| o.len).sum::<usize>()).saturating_sub(self.ends.len()));
        }
    }

    /// Adds every text of `other` after these.
    fn append(&mut self, other: &Texts) {
        if other.bytes.is_empty() {
            if !self.bytes.is_empty() {
                let end = self.bytes.len() as u64;
                self.ends.resize(self.len + other.len, end);
            }
        } else {
            // Texts so far all empty: each ends at 0.
            self.ends.resize(self.len, 0);
            let offset = self.bytes.len() as u64;
            self.bytes.push_str(&other.bytes);
            self.ends.append_moved(&other.ends, offset);
        }
        self.len += other.len;
    }

    fn get(&self, i: usize) -> &str {
        if self.bytes.is_empty() {
            return "";
        }
        let start = if i == 0 { 0 } else { self.ends.get(i - 1) };
        &self.bytes[start..self.ends.get(i)]
    }
}

/// Where each of [`Texts`]' texts ends: in 32 bits while its bytes are under 4 GiB (a million
/// run ids' ends in 4 MB, not 8), in 64 from the first end past that on.
#[derive(Clone, Debug)]
enum Ends {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

impl Default for Ends {
    fn default() -> Self {
        Ends::Narrow(Vec::new())
    }
}

impl Ends {
    fn len(&self) -> usize {
        match self {
            Ends::Narrow(ends) => ends.len(),
            Ends::Wide(ends) => ends.len(),
        }
    }

    #[inline]
    fn get(&self, i: usize) -> usize {
        match self {
            Ends::Narrow(ends) => ends[i] as usize,
            Ends::Wide(ends) => ends[i] as usize,
        }
    }

    /// The ends in 64 bits, where `end` does not fit in 32: from then on all are.
    fn widen_for(&mut self, end: u64) {
        if let Ends::Narrow(ends) = self
            && u32::try_from(end).is_err()
        {
            *self = Ends::Wide(ends.iter().map(|&e| u64::from(e)).collect());
        }
    }

    #[inline]
    fn push(&mut self, end: u64) {
        self.widen_for(end);
        match self {
            // Narrow only while `end` fits (just checked).
            Ends::Narrow(ends) => ends.push(end as u32),
            Ends::Wide(ends) => ends.push(end),
        }
    }

    /// As many ends as `len`, the new ones `end`.
    fn resize(&mut self, len: usize, end: u64) {
        self.widen_for(end);
        match self {
            Ends::Narrow(ends) => ends.resize(len, end as u32),
            Ends::Wide(ends) => ends.resize(len, end),
        }
    }

    fn reserve_exact(&mut self, additional: usize) {
        match self {
            Ends::Narrow(ends) => ends.reserve_exact(additional),
            Ends::Wide(ends) => ends.reserve_exact(additional),
        }
    }

    /// Adds the ends of `other`, each moved by `offset`.
    fn append_moved(&mut self, other: &Ends, offset: u64) {
        let last = other.len().checked_sub(1).map_or(0, |i| other.get(i) as u64);
        self.widen_for(offset + last);
        match (&mut *self, other) {
            // Ends ascend: where the last fits in 32 bits, every one does.
            (Ends::Narrow(ends), Ends::Narrow(more)) => ends.extend(more.iter().map(|&end| end + offset as u32)),
            (Ends::Wide(ends), Ends::Narrow(more)) => ends.extend(more.iter().map(|&end| u64::from(end) + offset)),
            (Ends::Wide(ends), Ends::Wide(more)) => ends.extend(more.iter().map(|&end| end + offset)),
            (Ends::Narrow(_), Ends::Wide(more)) => {
                for &end in more {
                    self.push(end + offset);
                }
            }
        }
    }
}

/// A column of numbers stored as its first value and a step while every value follows them (a
/// file's runs share their file, most histories have one branch and one environment, lines follow
/// one another, and runs without times or a run a second are steps too), and as a plain column
/// from the first value that does not.
#[derive(Clone, Debug, Default)]
struct Stepped<T> {
    first: T,
    step: T,
    len: usize,
    /// Every value, once one has broken the step; empty until then.
    values: Vec<T>,
}

/// What a [`Stepped`] column holds: numbers that step with wrapping arithmetic.
trait Step: Copy + Default + PartialEq {
    /// `self + step * i`, wrapping.
    fn nth(self, step: Self, i: usize) -> Self;
    /// `self - other`, wrapping.
    fn minus(self, other: Self) -> Self;
}

impl Step for u32 {
    fn nth(self, step: u32, i: usize) -> u32 {
        self.wrapping_add(step.wrapping_mul(i as u32))
    }
    fn minus(self, other: u32) -> u32 {
        self.wrapping_sub(other)
    }
}

impl Step for i64 {
    fn nth(self, step: i64, i: usize) -> i64 {
        self.wrapping_add(step.wrapping_mul(i as i64))
    }
    fn minus(self, other: i64) -> i64 {
        self.wrapping_sub(other)
    }
}

impl<T: Step> Stepped<T> {
    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, i: usize) -> T {
        if self.values.is_empty() { self.first.nth(self.step, i) } else { self.values[i] }
    }

    fn last(&self) -> Option<T> {
        self.len.checked_sub(1).map(|i| self.get(i))
    }

    /// Adds a value: where it keeps the step (most pushes), a count and nothing more; where the
    /// step is broken already, a push.
    #[inline]
    fn push(&mut self, value: T) {
        if !self.values.is_empty() {
            self.values.push(value);
            self.len += 1;
        } else if self.len >= 2 && value == self.first.nth(self.step, self.len) {
            self.len += 1;
        } else {
            self.push_unstepped(value);
        }
    }

    #[cold]
    fn push_unstepped(&mut self, value: T) {
        if self.values.is_empty() {
            match self.len {
                0 => self.first = value,
                1 => self.step = value.minus(self.first),
                len if value == self.get(len) => {}
                len => {
                    let (first, step) = (self.first, self.step);
                    self.values.reserve(len + 1);
                    self.values.extend((0..len).map(|i| first.nth(step, i)));
                }
            }
            if self.values.is_empty() {
                self.len += 1;
                return;
            }
        }
        self.values.push(value);
        self.len += 1;
    }

    fn extend(&mut self, values: impl Iterator<Item = T>) {
        for value in values {
            self.push(value);
        }
    }

    /// Adds every value of `other`, each through `map` (`identity`: `map` changes nothing): where
    /// both columns are steps and `other`'s mapped values continue this step, a count, without a
    /// pass over the values.
    fn append_mapped(&mut self, other: &Stepped<T>, map: impl Fn(T) -> T, identity: bool) {
        if self.values.is_empty() && other.values.is_empty() && other.len > 0 {
            let first = map(other.first);
            // Mapped, `other` still steps by its step where the map is the identity or `other`
            // repeats one value; one value has no step.
            let step = match other.len {
                1 => None,
                _ if identity || other.step == T::default() => Some(other.step),
                _ => return self.extend(other.iter().map(map)),
            };
            let continues = match (self.len, step) {
                (0, _) | (1, None) => true,
                (1, Some(step)) => first.minus(self.first) == step,
                (_, None) => first == self.get(self.len),
                (_, Some(step)) => first == self.get(self.len) && step == self.step,
            };
            if continues {
                match self.len {
                    0 => (self.first, self.step) = (first, step.unwrap_or_default()),
                    1 => self.step = first.minus(self.first),
                    _ => {}
                }
                self.len += other.len;
                return;
            }
        }
        self.extend(other.iter().map(map));
    }

    fn iter(&self) -> impl Iterator<Item = T> + '_ {
        (0..self.len).map(|i| self.get(i))
    }
}

/// Names that repeat over runs (branches, environments, files), each stored once.
#[derive(Clone, Debug, Default)]
struct Names {
    names: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u32, FxBuild>,
}

impl Names {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        let shared: Arc<str> = name.into();
        self.names.push(shared.clone());
        self.ids.insert(shared, id);
        id
    }

    /// The id of `name`, where `guess` (the id the run before had in the same column, the
    /// likeliest by far: runs come file by file, branch by branch) is compared before any hashing.
    fn id_guessing(&mut self, name: &str, guess: Option<u32>) -> u32 {
        match guess {
            Some(g) if g != NO_NAME && *self.names[g as usize] == *name => g,
            _ => self.id(name),
        }
    }

    fn optional_id_guessing(&mut self, name: Option<&str>, guess: Option<u32>) -> u32 {
        name.map_or(NO_NAME, |n| self.id_guessing(n, guess))
    }

    fn get(&self, id: u32) -> Option<&str> {
        (id != NO_NAME).then(|| &*self.names[id as usize])
    }
}

/// One measurement run, borrowed from [`Runs`]: a benchmark job, a CI run, a day of runtime metrics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunRef<'a> {
    /// The run's id, unique within its environment.
    pub id: &'a str,
    /// When it ran.
    pub timestamp: Option<Timestamp>,
    /// The commit measured.
    pub commit: Option<&'a str>,
    /// The branch the commit is on.
    pub branch: Option<&'a str>,
    /// Where it ran (`ci`, `prod`, ...).
    pub environment: Option<&'a str>,
    /// The file it was read from.
    pub file: &'a str,
    /// The line in that file.
    pub line: u32,
}

/// FxHash (rustc's hasher): a multiply and a rotate a word. Metric names and run ids are not
/// chosen by an attacker who gains from collisions, and SipHash cost most of the load's time.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The [`FxHasher`] for `HashMap`s.
pub type FxBuild = BuildHasherDefault<FxHasher>;

/// The runs of a history (or of one file), in order, column by column.
#[derive(Clone, Debug, Default)]
pub struct Runs {
    ids: Texts,
    commits: Texts,
    timestamps: Stepped<i64>,
    branches: Stepped<u32>,
    environments: Stepped<u32>,
    files: Stepped<u32>,
    lines: Stepped<u32>,
    names: Names,
}

impl PartialEq for Runs {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Runs {
    /// How many runs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lines.len() == 0
    }

    /// The run at position `i` (which must be below [`Runs::len`], as for a slice).
    #[must_use]
    pub fn run(&self, i: usize) -> RunRef<'_> {
        let commit = self.commits.get(i);
        let time = self.timestamps.get(i);
        RunRef {
            id: self.ids.get(i),
            timestamp: (time != NO_TIME).then_some(Timestamp(time)),
            commit: (!commit.is_empty()).then_some(commit),
            branch: self.names.get(self.branches.get(i)),
            environment: self.names.get(self.environments.get(i)),
            file: self.names.get(self.files.get(i)).unwrap_or_default(),
            line: self.lines.get(i),
        }
    }

    /// The run at position `i`, if there is one.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<RunRef<'_>> {
        (i < self.len()).then(|| self.run(i))
    }

    /// The newest run.
    #[must_use]
    pub fn last(&self) -> Option<RunRef<'_>> {
        self.len().checked_sub(1).map(|i| self.run(i))
    }

    /// Every run, in order.
    #[must_use = "an iterator does nothing until read"]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = RunRef<'_>> + ExactSizeIterator + Clone {
        (0..self.len()).map(|i| self.run(i))
    }

    /// The run's id and environment alone (cheaper than [`Runs::run`]): the key that makes a run unique.
    #[must_use]
    pub fn key(&self, i: usize) -> (Option<&str>, &str) {
        (self.names.get(self.environments.get(i)), self.ids.get(i))
    }

    /// The run's branch and environment alone (cheaper than [`Runs::run`]): what filters runs.
    #[must_use]
    pub fn branch_and_environment(&self, i: usize) -> (Option<&str>, Option<&str>) {
        (self.names.get(self.branches.get(i)), self.names.get(self.environments.get(i)))
    }

    /// The run's commit alone (cheaper than [`Runs::run`]).
    #[must_use]
    pub fn commit(&self, i: usize) -> Option<&str> {
        let commit = self.commits.get(i);
        (!commit.is_empty()).then_some(commit)
    }

    /// The run's timestamp alone (cheaper than [`Runs::run`]).
    #[must_use]
    pub fn timestamp(&self, i: usize) -> Option<Timestamp> {
        let time = self.timestamps.get(i);
        (time != NO_TIME).then_some(Timestamp(time))
    }

    /// Whether every run has a time.
    #[must_use]
    pub fn all_timed(&self) -> bool {
        self.timestamps.iter().all(|t| t != NO_TIME)
    }

    /// Adds a run. Empty text for a commit is no commit (as every reader treats it).
    pub fn push(&mut self, run: RunRef<'_>) {
        self.ids.push(run.id);
        self.commits.push(run.commit.unwrap_or_default());
        self.timestamps.push(run.timestamp.map_or(NO_TIME, |t| t.0));
        self.branches.push(self.names.optional_id_guessing(run.branch, self.branches.last()));
        self.environments.push(self.names.optional_id_guessing(run.environment, self.environments.last()));
        self.files.push(self.names.id_guessing(run.file, self.files.last()));
        self.lines.push(run.line);
    }

    /// Reserves room for `additional` more runs.
    pub fn reserve(&mut self, additional: usize) {
        self.ids.ends.reserve_exact(additional);
        // The other columns cost nothing while they keep a step, and reserve when they break it.
    }

    /// The runs of `sources` picked by (source, position) in the order given, as one set of runs.
    #[must_use]
    pub fn gather(sources: &[Runs], picks: &[(u32, u32)]) -> Runs {
        let mut out = Runs::default();
        out.reserve(picks.len());
        // Each source's name ids in `out`, made once per name rather than once per run.
        let translations: Vec<Vec<u32>> = sources.iter().map(|s| s.names.names.iter().map(|name| out.names.id(name)).collect()).collect();
        let translate = |source: usize, id: u32| if id == NO_NAME { NO_NAME } else { translations[source][id as usize] };
        for &(source, i) in picks {
            let (s, i) = (source as usize, i as usize);
            let from = &sources[s];
            out.ids.push(from.ids.get(i));
            out.commits.push(from.commits.get(i));
            out.timestamps.push(from.timestamps.get(i));
            out.branches.push(translate(s, from.branches.get(i)));
            out.environments.push(translate(s, from.environments.get(i)));
            out.files.push(translate(s, from.files.get(i)));
            out.lines.push(from.lines.get(i));
        }
        out
    }

    /// Room for the runs of `others` after these, exactly: a history joined from pieces then takes
    /// what it holds, not the next power of two.
    pub fn reserve_for(&mut self, others: &[&Runs]) {
        self.ids.reserve_for(others.iter().map(|o| &o.ids));
        self.commits.reserve_for(others.iter().map(|o| &o.commits));
    }

    /// Adds every run of `other` after these, in its order.
    pub fn append(&mut self, other: &Runs) {
        let translation: Vec<u32> = other.names.names.iter().map(|name| self.names.id(name)).collect();
        let translate = |id: u32| if id == NO_NAME { NO_NAME } else { translation[id as usize] };
        let same_ids = translation.iter().enumerate().all(|(i, &id)| id as usize == i);
        self.ids.append(&other.ids);
        self.commits.append(&other.commits);
        self.timestamps.append_mapped(&other.timestamps, |t| t, true);
        self.branches.append_mapped(&other.branches, translate, same_ids);
        self.environments.append_mapped(&other.environments, translate, same_ids);
        self.files.append_mapped(&other.files, translate, same_ids);
        self.lines.append_mapped(&other.lines, |l| l, true);
    }

    /// Gives the runs at the positions named new ids (the other runs keep theirs).
    pub fn rename(&mut self, renamed: &[(usize, String)]) {
        if renamed.is_empty() {
            return;
        }
        let new_ids: HashMap<usize, &str> = renamed.iter().map(|(i, id)| (*i, id.as_str())).collect();
        let mut ids = Texts::default();
        for i in 0..self.len() {
            ids.push(new_ids.get(&i).copied().unwrap_or_else(|| self.ids.get(i)));
        }
        self.ids = ids;
    }
}

/// A point of a series, borrowed: a run's position in [`Runs`] and its measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointRef<'a> {
    /// Position of the run in the history's runs.
    pub run: u32,
    /// The reported value (already the budget's statistic, as a benchmark tool reports p95).
    pub value: Option<f64>,
    /// Raw samples, from which any statistic is computed.
    pub samples: Option<&'a [f64]>,
}

impl PointRef<'_> {
    /// The value of `statistic` for this run: from the samples where there are some, else the value.
    #[must_use]
    pub fn statistic(&self, statistic: Statistic) -> Option<f64> {
        match self.samples {
            Some(samples) if !samples.is_empty() => statistic.of(samples),
            _ => self.value,
        }
    }
}

/// Where one point's raw samples lie in its series' arena.
#[derive(Clone, Copy, Debug, PartialEq)]
struct SampleSpan {
    point: u32,
    start: usize,
    end: usize,
}

/// All of one metric's measurements, in run order: a column of run positions, a column of
/// values, and the raw samples of the points that have them in one arena.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// The unit of every point (values written in another unit of the same kind are converted).
    pub unit: Option<Unit>,
    runs: Vec<u32>,
    values: Vec<f64>,
    /// The points with raw samples, by point (usually none, or every point).
    samples: Vec<SampleSpan>,
    arena: Vec<f64>,
}

impl PartialEq for Series {
    fn eq(&self, other: &Self) -> bool {
        self.unit == other.unit && self.len() == other.len() && self.points().eq(other.points())
    }
}

impl Series {
    /// An empty series in `unit`.
    #[must_use]
    pub fn new(unit: Option<Unit>) -> Series {
        Series { unit, ..Series::default() }
    }

    /// Room for `additional` more points.
    pub fn reserve(&mut self, additional: usize) {
        self.runs.reserve_exact(additional);
        self.values.reserve_exact(additional);
    }

    /// Room for the points of `others` after these, exactly.
    pub fn reserve_for(&mut self, others: &[&Series]) {
        self.reserve(others.iter().map(|o| o.len()).sum());
        self.samples.reserve_exact(others.iter().map(|o| o.samples.len()).sum());
        self.arena.reserve_exact(others.iter().map(|o| o.arena.len()).sum());
    }

    /// How many points.
    #[must_use]
    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The run positions of the points, in order.
    #[must_use]
    pub fn runs(&self) -> &[u32] {
        &self.runs
    }

    /// Adds a point after the others.
    pub fn push(&mut self, run: u32, value: Option<f64>, samples: Option<&[f64]>) {
        if let Some(samples) = samples {
            let start = self.arena.len();
            self.arena.extend_from_slice(samples);
            self.samples.push(SampleSpan { point: self.runs.len() as u32, start, end: self.arena.len() });
        }
        self.runs.push(run);
        self.values.push(value.unwrap_or(f64::from_bits(NO_VALUE)));
    }

    /// Adds points of consecutive runs from `first_run` on, one a value, without samples.
    pub fn push_values(&mut self, first_run: u32, values: &[f64]) {
        self.runs.extend((0..values.len() as u32).map(|k| first_run + k));
        self.values.extend_from_slice(values);
    }

    /// The point at position `i` (which must be below [`Series::len`], as for a slice).
    #[must_use]
    pub fn point(&self, i: usize) -> PointRef<'_> {
        let value = self.values[i];
        let samples = if self.samples.is_empty() {
            None
        } else {
            self.samples
                .binary_search_by_key(&(i as u32), |s| s.point)
                .ok()
                .map(|k| &self.arena[self.samples[k].start..self.samples[k].end])
        };
        PointRef { run: self.runs[i], value: (value.to_bits() != NO_VALUE).then_some(value), samples }
    }

    /// Every point, in run order.
    #[must_use = "an iterator does nothing until read"]
    pub fn points(&self) -> impl DoubleEndedIterator<Item = PointRef<'_>> + ExactSizeIterator + Clone {
        (0..self.len()).map(|i| self.point(i))
    }

    /// The position of the point of run `run`, where the run has one.
    #[must_use]
    pub fn position_of(&self, run: u32) -> Option<usize> {
        self.runs.binary_search(&run).ok()
    }

    /// The value at each of `runs` (run positions, ascending), `None` where the run has no point or
    /// the point no value: one walk forward (galloping from the point found before), not a search
    /// over the whole series per run. Runs out of order are found too, by a search from the start.
    #[must_use]
    pub fn values_at(&self, runs: &[usize]) -> Vec<Option<f64>> {
        let mut at = 0;
        runs.iter()
            .map(|&run| {
                let run = u32::try_from(run).ok()?;
                if at > 0 && self.runs[at - 1] >= run {
                    at = 0;
                }
                let rest = &self.runs[at..];
                let mut bound = 1;
                while bound < rest.len() && rest[bound - 1] < run {
                    bound *= 2;
                }
                at += rest[..bound.min(rest.len())].partition_point(|&r| r < run);
                if self.runs.get(at) != Some(&run) {
                    return None;
                }
                let value = self.values[at];
                at += 1;
                (value.to_bits() != NO_VALUE).then_some(value)
            })
            .collect()
    }

    /// How many points belong to runs before `run`.
    #[must_use]
    pub fn points_before(&self, run: u32) -> usize {
        self.runs.partition_point(|&r| r < run)
    }

    /// Adds every point of `other` after these, its run positions moved by `run_offset`.
    pub fn append(&mut self, other: &Series, run_offset: u32) {
        let (points, arena) = (self.runs.len() as u32, self.arena.len());
        self.samples.extend(other.samples.iter().map(|s| SampleSpan {
            point: s.point + points,
            start: s.start + arena,
            end: s.end + arena,
        }));
        self.arena.extend_from_slice(&other.arena);
        self.runs.extend(other.runs.iter().map(|run| run + run_offset));
        self.values.extend_from_slice(&other.values);
    }

    /// Adds `offset` to every point's run position.
    pub fn shift_runs(&mut self, offset: u32) {
        if offset != 0 {
            for run in &mut self.runs {
                *run += offset;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<'a>(id: &'a str, commit: Option<&'a str>, environment: Option<&'a str>) -> RunRef<'a> {
        RunRef { id, timestamp: None, commit, branch: Some("main"), environment, file: "h.jsonl", line: 1 }
    }

    #[test]
    fn text_ends_past_four_gigabytes_are_kept_in_64_bits() {
        let mut ends = Ends::default();
        ends.push(7);
        ends.resize(3, 9);
        let far = u64::from(u32::MAX) + 5;
        ends.push(far);
        assert!(matches!(ends, Ends::Wide(_)));
        assert_eq!((0..ends.len()).map(|i| ends.get(i) as u64).collect::<Vec<_>>(), [7, 9, 9, far]);
        // Appended after a far offset, narrow ends widen too; near ones stay narrow.
        let mut near = Ends::default();
        near.push(1);
        let mut joined = Ends::default();
        joined.append_moved(&near, 10);
        assert!(matches!(joined, Ends::Narrow(_)));
        joined.append_moved(&near, far);
        joined.append_moved(&ends, 1);
        assert!(matches!(joined, Ends::Wide(_)));
        assert_eq!((0..joined.len()).map(|i| joined.get(i) as u64).collect::<Vec<_>>(), [11, far + 1, 8, 10, 10, far + 1]);
    }

    #[test]
    fn runs_keep_every_text_whichever_comes_first() {
        let mut runs = Runs::default();
        runs.push(run("a", None, None));
        runs.push(run("b", Some("abc"), Some("ci")));
        runs.push(run("c", None, Some("ci")));
        let read: Vec<(&str, Option<&str>, Option<&str>)> = runs.iter().map(|r| (r.id, r.commit, r.environment)).collect();
        assert_eq!(read, [("a", None, None), ("b", Some("abc"), Some("ci")), ("c", None, Some("ci"))]);
        let mut other = Runs::default();
        other.push(run("d", Some("def"), Some("prod")));
        let gathered = Runs::gather(&[runs.clone(), other.clone()], &[(1, 0), (0, 1)]);
        assert_eq!(gathered.iter().map(|r| (r.id, r.environment)).collect::<Vec<_>>(), [("d", Some("prod")), ("b", Some("ci"))]);
        let mut appended = runs.clone();
        appended.append(&other);
        assert_eq!(
            appended.iter().map(|r| (r.id, r.commit, r.environment)).collect::<Vec<_>>(),
            [("a", None, None), ("b", Some("abc"), Some("ci")), ("c", None, Some("ci")), ("d", Some("def"), Some("prod"))]
        );
        let mut renamed = gathered.clone();
        renamed.rename(&[(1, "b#2".to_owned())]);
        assert_eq!(renamed.iter().map(|r| r.id).collect::<Vec<_>>(), ["d", "b#2"]);
    }

    #[test]
    fn a_stepped_column_reads_alike_before_and_after_its_step_breaks() {
        let values = [7, 8, 9, 10, 20, 21, u32::MAX, 0];
        let mut column = Stepped::<u32>::default();
        for (n, &v) in values.iter().enumerate() {
            column.push(v);
            assert_eq!(column.iter().collect::<Vec<_>>(), values[..=n], "after {n} values");
            assert_eq!(column.last(), Some(v));
        }
        let mut same = Stepped::<u32>::default();
        same.extend([u32::MAX; 5].into_iter());
        assert!(same.values.is_empty(), "a column of one value stays a value");
        assert_eq!((same.len(), same.get(4)), (5, u32::MAX));
    }

    #[test]
    fn a_stepped_column_appended_reads_as_its_values_pushed_one_by_one() {
        let columns: [&[u32]; 9] = [&[], &[4], &[4, 5], &[6, 7, 8], &[6, 8], &[9, 9, 9], &[u32::MAX, 0, 1], &[3, 3], &[5, 6, 9]];
        let maps: [(&dyn Fn(u32) -> u32, bool); 3] = [(&|v| v, true), (&|v| v.wrapping_mul(3), false), (&|_| 7, false)];
        for a in columns {
            for b in columns {
                for (map, identity) in maps {
                    let (mut left, mut right) = (Stepped::<u32>::default(), Stepped::<u32>::default());
                    left.extend(a.iter().copied());
                    right.extend(b.iter().copied());
                    left.append_mapped(&right, map, identity);
                    let expected: Vec<u32> = a.iter().copied().chain(b.iter().map(|&v| map(v))).collect();
                    assert_eq!(left.iter().collect::<Vec<_>>(), expected, "{a:?} then {b:?}");
                    // The column goes on as it should after the append, too.
                    left.push(11);
                    assert_eq!(left.last(), Some(11));
                    assert_eq!(left.len(), expected.len() + 1);
                }
            }
        }
    }

    #[test]
    fn a_point_without_a_value_keeps_its_samples_and_a_measured_nan_stays_a_value() {
        let mut series = Series::new(None);
        series.push(0, Some(1.0), None);
        series.push(2, None, Some(&[3.0, 4.0]));
        series.push(5, Some(f64::NAN), None);
        assert_eq!(series.point(1), PointRef { run: 2, value: None, samples: Some(&[3.0, 4.0][..]) });
        assert!(series.point(2).value.is_some_and(f64::is_nan));
        assert_eq!((series.position_of(2), series.position_of(3), series.points_before(3)), (Some(1), None, 2));
        let mut twice = series.clone();
        twice.append(&series, 10);
        assert_eq!(twice.len(), 6);
        assert_eq!(twice.point(4), PointRef { run: 12, value: None, samples: Some(&[3.0, 4.0][..]) });
        assert_eq!(twice.point(1), series.point(1));
    }

    #[test]
    fn values_at_runs_read_in_one_walk_are_the_points_found_one_by_one() {
        // Series with gaps of every length, points without values, and runs asked in order, out
        // of order, repeated, before the first point, past the last, and beyond u32.
        let mut series = Series::new(None);
        let mut run = 0u32;
        for k in 0..300u32 {
            run += 1 + (k * 7919) % 13 * u32::from(k % 5 == 0) + u32::from(k % 97 == 0) * 500;
            series.push(run, (k % 11 != 3).then_some(f64::from(k) * 0.5), None);
        }
        let last = run as usize;
        let asks: Vec<Vec<usize>> = vec![
            Vec::new(),
            (0..=last + 3).collect(),
            (0..=last + 3).step_by(7).collect(),
            (last - 40..last + 2).collect(),
            vec![5, 5, 6, 2, 900, 3, 1, last, 0, last + 1, usize::MAX, 4],
            (0..=last).rev().step_by(3).collect(),
        ];
        for runs in asks {
            let one_by_one: Vec<Option<f64>> = runs
                .iter()
                .map(|&r| u32::try_from(r).ok().and_then(|r| series.position_of(r)).and_then(|i| series.point(i).value))
                .collect();
            assert_eq!(series.values_at(&runs), one_by_one, "{runs:?}");
        }
        assert_eq!(Series::new(None).values_at(&[0, 1]), vec![None, None]);
    }
}
