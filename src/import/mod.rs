//! Importers: what users' benchmark tools already write, turned into snapshots of one run.
//!
//! One adapter per tool, each in its own file below this module; this file holds what they share
//! (the formats, the run's description, notes, all-or-nothing import) and the history append.
//! Runtime history comes from Prometheus's HTTP API ([`prometheus`], over the plain HTTP client in
//! `http.rs`), one run per step: imported once, or read at every load from `headroom.yaml`'s
//! `history_source:` through a local cache ([`live`]).
//!
//! | format | what is read | metric | samples |
//! |---|---|---|---|
//! | `hyperfine` | `--export-json` | each command (or its `-n` name; a scan's parameters where one name covers several, `sleep[t=1]`); `<command>.memory` where hyperfine 1.19+ wrote `memory_usage_byte` | `times` (s); the peak RSS of every run (B) |
//! | `google-benchmark` | `--benchmark_format=json` | each benchmark name | `real_time` of every iteration run (`time_unit`); with `--benchmark_report_aggregates_only` the median (else mean), and `<name>.stddev` |
//! | `pytest-benchmark` | `--benchmark-json` | each benchmark's `name` (its `group` kept beside it); `<name>.<key>` for each number in `extra_info`, a unit suffix read as the unit (`peak_memory_bytes` is `<name>.peak_memory` in B) | `stats.data` where saved, else the median (s); the `extra_info` value |
//! | `bmf` | Bencher Metric Format | `benchmark` (latency, ns) or `benchmark.measure` | the value |
//! | `criterion` | `target/criterion/**/new/{benchmark,sample}.json` | `full_id` | time per iteration of each sample (ns) |
//! | `k6` | `--summary-export`, `handleSummary` data, machine-readable summary v1 | `<metric>.<stat>` (`http_req_duration.p(95)`), `<counter>.rate` | the value (ms for durations) |
//! | `lighthouse` | a Lighthouse 3+ JSON report | `lighthouse.<audit>` (ms, bytes), `lighthouse.score.<category>` (%), `lighthouse.resource.<type>.size`/`.count` | the value |
//!
//! A file either lands whole or not at all: every file is parsed before anything is written, and
//! a foreign or malformed file is an error naming it and what was expected. What a file holds but
//! does not become a value (a failed benchmark) or a choice the importer made (which aggregate it
//! took) is an [`ImportNote`], which the CLI prints.

mod bmf;
mod criterion;
mod google_benchmark;
mod http;
mod hyperfine;
mod k6;
pub mod lighthouse;
pub mod live;
pub mod prometheus;
mod pytest_benchmark;

use crate::model::error::{LoadError, UnknownWord};
use crate::model::history::{Measurement, Run, Snapshot};
use crate::model::time::Timestamp;
use crate::model::units::Unit;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// The formats `headroom import --from` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// hyperfine `--export-json`.
    Hyperfine,
    /// Google Benchmark `--benchmark_format=json` / `--benchmark_out`.
    GoogleBenchmark,
    /// pytest-benchmark `--benchmark-json`.
    PytestBenchmark,
    /// Bencher Metric Format.
    Bmf,
    /// criterion.rs's `target/criterion` folder.
    Criterion,
    /// k6's end-of-test summary: `--summary-export`, `handleSummary` data, or the machine-readable summary.
    K6,
    /// A Lighthouse JSON report (`--output=json`), Lighthouse 3 and later.
    Lighthouse,
}

impl Format {
    /// Every format, for messages.
    pub const ALL: [Format; 7] = [
        Format::Hyperfine,
        Format::GoogleBenchmark,
        Format::PytestBenchmark,
        Format::Bmf,
        Format::Criterion,
        Format::K6,
        Format::Lighthouse,
    ];

    /// Its name on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::Hyperfine => "hyperfine",
            Format::GoogleBenchmark => "google-benchmark",
            Format::PytestBenchmark => "pytest-benchmark",
            Format::Bmf => "bmf",
            Format::Criterion => "criterion",
            Format::K6 => "k6",
            Format::Lighthouse => "lighthouse",
        }
    }

    /// The format of a name.
    pub fn parse(text: &str) -> Result<Format, UnknownWord> {
        Format::ALL.into_iter().find(|f| f.name() == text).ok_or_else(|| UnknownWord {
            what: "format",
            word: text.to_owned(),
            expected: Format::ALL.iter().map(|f| f.name()).collect(),
        })
    }
}

/// What the run is: given on the command line, else found in the files where they say.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunInfo {
    /// The run's id.
    pub id: Option<String>,
    /// Its commit.
    pub commit: Option<String>,
    /// Its branch.
    pub branch: Option<String>,
    /// Its environment.
    pub environment: Option<String>,
    /// When it ran.
    pub time: Option<Timestamp>,
}

type Metrics = Vec<(String, Measurement)>;

/// What kind of note an import left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// Something in the file did not become a value (a failed or skipped benchmark): a budget on
    /// it finds it missing from the run.
    LeftOut,
    /// How a value was taken where the file offered a choice (the median of aggregate rows).
    Took,
}

/// Something the user should read about an import that succeeded: what was left out, or what was
/// taken as the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportNote {
    /// The file it is about, as given.
    pub file: String,
    /// Left out, or a choice made.
    pub kind: NoteKind,
    /// What happened, naming the benchmarks: for [`NoteKind::LeftOut`], what was left out and why
    /// (`` `BM_x` failed (backend unreachable) ``); the display adds that it was not imported.
    pub message: String,
}

impl fmt::Display for ImportNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            NoteKind::LeftOut => write!(f, "{}: {}: not imported (a budget on it finds it missing from this run)", self.file, self.message),
            NoteKind::Took => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// A run read from tool output, with the notes to show about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The run and its metrics.
    pub snapshot: Snapshot,
    /// What was left out or chosen, in file order.
    pub notes: Vec<ImportNote>,
}

/// What one file gave: its metrics and its notes.
#[derive(Debug, Default)]
struct Parsed {
    metrics: Metrics,
    notes: Vec<ImportNote>,
    /// The group a tool put a metric in, by metric name.
    groups: BTreeMap<String, String>,
}

impl Parsed {
    fn note(&mut self, file: &str, kind: NoteKind, message: impl Into<String>) {
        self.notes.push(ImportNote { file: file.to_owned(), kind, message: message.into() });
    }
}

fn bad(file: &str, message: impl Into<String>) -> Vec<LoadError> {
    vec![LoadError::whole_file(file, message)]
}

fn json(file: &str, text: &str, expected: &str) -> Result<Json, Vec<LoadError>> {
    serde_json::from_str(text).map_err(|e| {
        vec![LoadError::new(
            file,
            crate::model::yaml::Pos { line: u32::try_from(e.line()).unwrap_or(0), column: u32::try_from(e.column()).unwrap_or(0) },
            "",
            format!("not JSON ({e}); expected {expected}"),
        )]
    })
}

fn unit(symbol: &str) -> Option<Unit> {
    Unit::parse(symbol).ok()
}

fn finite_numbers(values: &[Json]) -> Option<Vec<f64>> {
    values.iter().map(|v| v.as_f64().filter(|x| x.is_finite())).collect()
}

/// Reads `paths` in `format` into one snapshot. Nothing is returned unless every file reads.
/// The notes are dropped: callers that show them use [`import_with_notes`].
pub fn import(format: Format, paths: &[&Path], info: RunInfo) -> Result<Snapshot, Vec<LoadError>> {
    import_with_notes(format, paths, info).map(|imported| imported.snapshot)
}

/// Reads `paths` in `format` into one snapshot, with what each file left out or how a value was
/// taken. Nothing is returned unless every file reads.
pub fn import_with_notes(format: Format, paths: &[&Path], mut info: RunInfo) -> Result<Imported, Vec<LoadError>> {
    let mut metrics: Metrics = Vec::new();
    let mut notes = Vec::new();
    let mut groups = BTreeMap::new();
    for path in paths {
        let shown = path.display().to_string();
        let found = if format == Format::Criterion {
            Parsed { metrics: criterion::parse(path)?, ..Parsed::default() }
        } else {
            let text = std::fs::read_to_string(path).map_err(|e| bad(&shown, format!("cannot be read: {e}")))?;
            let v = json(&shown, &text, &format!("{} output", format.name()))?;
            from_json(format, &shown, &v, &mut info)?
        };
        for (name, m) in found.metrics {
            if metrics.iter().any(|(n, _)| n == &name) {
                return Err(bad(&shown, format!("the metric `{name}` appears twice in this import")));
            }
            metrics.push((name, m));
        }
        notes.extend(found.notes);
        groups.extend(found.groups);
    }
    if metrics.is_empty() {
        let file = paths.first().map(|p| p.display().to_string()).unwrap_or_default();
        let left_out: Vec<String> = notes.iter().filter(|n| n.kind == NoteKind::LeftOut).map(|n| n.message.clone()).collect();
        return Err(if left_out.is_empty() {
            bad(&file, "no measurements in it")
        } else {
            bad(&file, format!("no measurements in it, only what cannot become a value: {}", left_out.join("; ")))
        });
    }
    let time = info.time.unwrap_or_else(Timestamp::now);
    let run = Run {
        id: info.id.unwrap_or_else(|| format!("{}-{}", format.name(), time.to_string().replace([':', '.'], "-"))),
        timestamp: Some(time),
        commit: info.commit,
        branch: info.branch,
        environment: info.environment,
        file: "".into(),
        line: 0,
    };
    Ok(Imported { snapshot: Snapshot { run, metrics, groups }, notes })
}

fn from_json(format: Format, file: &str, v: &Json, info: &mut RunInfo) -> Result<Parsed, Vec<LoadError>> {
    let plain = |metrics: Result<Metrics, Vec<LoadError>>| metrics.map(|metrics| Parsed { metrics, ..Parsed::default() });
    match format {
        Format::Hyperfine => plain(hyperfine::parse(file, v)),
        Format::GoogleBenchmark => google_benchmark::parse(file, v, info),
        Format::PytestBenchmark => pytest_benchmark::parse(file, v, info),
        Format::Bmf => plain(bmf::parse(file, v)),
        Format::Criterion => Err(bad(file, "criterion's output is a folder (target/criterion), not a file")),
        Format::K6 => plain(k6::parse(file, v, info)),
        Format::Lighthouse => lighthouse::parse(file, v, info),
    }
}

/// Which benchmark tool wrote this JSON, where it is one Headroom reads (for files dropped on the app).
#[must_use]
pub fn sniff(text: &str) -> Option<Format> {
    let v: Json = serde_json::from_str(text).ok()?;
    if v.get("results").is_some_and(Json::is_array) {
        Some(Format::Hyperfine)
    } else if v.get("benchmarks").is_some() && v.get("machine_info").is_some() {
        Some(Format::PytestBenchmark)
    } else if v.get("benchmarks").is_some() && v.get("context").is_some() {
        Some(Format::GoogleBenchmark)
    } else if v
        .as_object()
        .is_some_and(|o| !o.is_empty() && o.values().all(|m| m.as_object().is_some_and(|m| m.values().all(|x| x.get("value").is_some()))))
    {
        Some(Format::Bmf)
    } else {
        None
    }
}
