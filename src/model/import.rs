//! Importers: what users' benchmark tools already write, turned into snapshots of one run.
//!
//! | format | what is read | metric | samples |
//! |---|---|---|---|
//! | `hyperfine` | `--export-json` | each command (or its `-n` name) | `times` (s) |
//! | `google-benchmark` | `--benchmark_format=json` | each benchmark name | `real_time` of every iteration run (`time_unit`) |
//! | `pytest-benchmark` | `--benchmark-json` | each benchmark's `name` | `stats.data` where saved, else the median (s) |
//! | `bmf` | Bencher Metric Format | `benchmark` (latency, ns) or `benchmark.measure` | the value |
//! | `criterion` | `target/criterion/**/new/{benchmark,sample}.json` | `full_id` | time per iteration of each sample (ns) |
//! | `k6` | `--summary-export` | `<metric>.<stat>` (`http_req_duration.p(95)`), `<counter>.rate` | the value (ms for durations) |
//! | `lighthouse` | a Lighthouse JSON report | `lighthouse.<audit>` (ms, bytes), `lighthouse.score.<category>` (%), `lighthouse.resource.<type>.size`/`.count` | the value |
//!
//! A file either lands whole or not at all: every file is parsed before anything is written, and
//! a foreign or malformed file is an error naming it and what was expected.

use super::error::LoadError;
use super::history::{Measurement, Run, Snapshot};
use super::time::Timestamp;
use super::units::Unit;
use serde_json::Value as Json;
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
    /// k6 `--summary-export`.
    K6,
    /// A Lighthouse JSON report (`--output=json`).
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
    pub fn parse(text: &str) -> Result<Format, String> {
        Format::ALL.into_iter().find(|f| f.name() == text).ok_or_else(|| {
            format!("unknown format `{text}` (expected one of: {})", Format::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", "))
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

fn bad(file: &str, message: impl Into<String>) -> Vec<LoadError> {
    vec![LoadError::whole_file(file, message)]
}

fn json(file: &str, text: &str, expected: &str) -> Result<Json, Vec<LoadError>> {
    serde_json::from_str(text).map_err(|e| {
        vec![LoadError::new(
            file,
            super::yaml::Pos { line: u32::try_from(e.line()).unwrap_or(0), column: u32::try_from(e.column()).unwrap_or(0) },
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

/// hyperfine: `{"results": [{"command", "mean", "median", "times": [...]}]}`, seconds.
fn hyperfine(file: &str, v: &Json) -> Result<Metrics, Vec<LoadError>> {
    let results = v
        .get("results")
        .and_then(Json::as_array)
        .ok_or_else(|| bad(file, "expected hyperfine's `--export-json` output (an object with `results`)"))?;
    let mut out = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let name = r.get("command").and_then(Json::as_str).ok_or_else(|| bad(file, format!("`results[{i}]` has no `command`")))?;
        let times = r.get("times").and_then(Json::as_array).and_then(|t| finite_numbers(t));
        let median = r.get("median").and_then(Json::as_f64);
        if times.is_none() && median.is_none() {
            return Err(bad(file, format!("`results[{i}]` ({name}) has neither `times` nor `median`")));
        }
        out.push((name.to_owned(), Measurement { value: median, samples: times, unit: unit("s") }));
    }
    Ok(out)
}

/// Google Benchmark: `{"context": {"date"}, "benchmarks": [{"name", "run_type", "real_time", "time_unit"}]}`.
fn google(file: &str, v: &Json, info: &mut RunInfo) -> Result<Metrics, Vec<LoadError>> {
    let benchmarks = v
        .get("benchmarks")
        .and_then(Json::as_array)
        .ok_or_else(|| bad(file, "expected Google Benchmark's JSON (an object with `benchmarks`)"))?;
    if info.time.is_none() {
        info.time = v
            .get("context")
            .and_then(|c| c.get("date"))
            .and_then(Json::as_str)
            .and_then(|d| Timestamp::parse(&d.replace('T', " ")[..19.min(d.len())]).ok());
    }
    let mut out: Metrics = Vec::new();
    for (i, b) in benchmarks.iter().enumerate() {
        if b.get("run_type").and_then(Json::as_str) == Some("aggregate") {
            continue;
        }
        let name = b
            .get("run_name")
            .or_else(|| b.get("name"))
            .and_then(Json::as_str)
            .ok_or_else(|| bad(file, format!("`benchmarks[{i}]` has no `name`")))?;
        let time = b
            .get("real_time")
            .and_then(Json::as_f64)
            .filter(|t| t.is_finite())
            .ok_or_else(|| bad(file, format!("`benchmarks[{i}]` ({name}) has no `real_time`")))?;
        let symbol = b.get("time_unit").and_then(Json::as_str).unwrap_or("ns");
        let u = unit(symbol).ok_or_else(|| bad(file, format!("`benchmarks[{i}]`: unknown time_unit `{symbol}`")))?;
        // Repetitions of one benchmark are samples of one metric.
        match out.iter_mut().find(|(n, _)| n == name) {
            Some((_, m)) => m.samples.get_or_insert_with(Vec::new).push(time),
            None => out.push((name.to_owned(), Measurement { value: None, samples: Some(vec![time]), unit: Some(u) })),
        }
    }
    Ok(out)
}

/// pytest-benchmark: `{"benchmarks": [{"name", "stats": {"median", "data"?}}], "commit_info", "datetime"}`.
fn pytest(file: &str, v: &Json, info: &mut RunInfo) -> Result<Metrics, Vec<LoadError>> {
    let benchmarks = v
        .get("benchmarks")
        .and_then(Json::as_array)
        .ok_or_else(|| bad(file, "expected pytest-benchmark's `--benchmark-json` output (an object with `benchmarks`)"))?;
    if v.get("machine_info").is_none() {
        return Err(bad(file, "expected pytest-benchmark's `--benchmark-json` output (it has `machine_info`)"));
    }
    let commit = v.get("commit_info");
    if info.commit.is_none() {
        info.commit = commit.and_then(|c| c.get("id")).and_then(Json::as_str).map(str::to_owned);
    }
    if info.branch.is_none() {
        info.branch =
            commit.and_then(|c| c.get("branch")).and_then(Json::as_str).filter(|b| !b.is_empty() && *b != "(unknown)").map(str::to_owned);
    }
    if info.time.is_none() {
        info.time = v.get("datetime").and_then(Json::as_str).and_then(|d| Timestamp::parse(&d[..19.min(d.len())]).ok());
    }
    let mut out = Vec::new();
    for (i, b) in benchmarks.iter().enumerate() {
        let name = b.get("name").and_then(Json::as_str).ok_or_else(|| bad(file, format!("`benchmarks[{i}]` has no `name`")))?;
        let stats = b.get("stats").ok_or_else(|| bad(file, format!("`benchmarks[{i}]` ({name}) has no `stats`")))?;
        let samples = stats.get("data").and_then(Json::as_array).and_then(|d| finite_numbers(d));
        let median = stats.get("median").and_then(Json::as_f64);
        if samples.is_none() && median.is_none() {
            return Err(bad(file, format!("`benchmarks[{i}]` ({name}) has neither `stats.data` nor `stats.median`")));
        }
        out.push((name.to_owned(), Measurement { value: median, samples, unit: unit("s") }));
    }
    Ok(out)
}

/// Bencher Metric Format: `{"benchmark": {"measure": {"value", "lower_value"?, "upper_value"?}}}`.
fn bmf(file: &str, v: &Json) -> Result<Metrics, Vec<LoadError>> {
    let benchmarks = v.as_object().ok_or_else(|| bad(file, "expected Bencher Metric Format (an object of benchmarks)"))?;
    let mut out = Vec::new();
    for (name, measures) in benchmarks {
        let measures =
            measures.as_object().ok_or_else(|| bad(file, format!("`{name}`: expected an object of measures such as `latency`")))?;
        for (measure, m) in measures {
            let value = m
                .get("value")
                .and_then(Json::as_f64)
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad(file, format!("`{name}.{measure}` has no numeric `value`")))?;
            let (metric, u) = match measure.as_str() {
                "latency" => (name.clone(), unit("ns")),
                "throughput" => (format!("{name}.throughput"), None),
                other => (format!("{name}.{other}"), None),
            };
            out.push((metric, Measurement { value: Some(value), samples: None, unit: u }));
        }
    }
    if out.is_empty() {
        return Err(bad(file, "no benchmarks in it"));
    }
    Ok(out)
}

/// k6 `--summary-export`: `{"metrics": {"http_req_duration": {"avg", "p(95)", ...}, "http_reqs": {"count", "rate"}}}`.
fn k6(file: &str, v: &Json) -> Result<Metrics, Vec<LoadError>> {
    let metrics = v
        .get("metrics")
        .and_then(Json::as_object)
        .filter(|_| v.get("root_group").is_some() || v.get("metrics").is_some_and(Json::is_object));
    let metrics = metrics.ok_or_else(|| bad(file, "expected k6's `--summary-export` output (an object with `metrics`)"))?;
    let mut out = Vec::new();
    for (name, stats) in metrics {
        let Some(stats) = stats.as_object() else { continue };
        // Durations in k6's summary are milliseconds.
        let timed = name.ends_with("_duration") || (name.starts_with("http_req_") && name != "http_req_failed");
        for (stat, value) in stats {
            let Some(x) = value.as_f64().filter(|x| x.is_finite()) else { continue };
            if stat == "thresholds" {
                continue;
            }
            let u = if timed && !["count", "rate", "passes", "fails"].contains(&stat.as_str()) { unit("ms") } else { None };
            out.push((format!("{name}.{stat}"), Measurement { value: Some(x), samples: None, unit: u }));
        }
    }
    if out.is_empty() {
        return Err(bad(file, "no metrics in it"));
    }
    Ok(out)
}

/// A Lighthouse report: every audit with a `numericValue`, the category scores, and the resource summary.
fn lighthouse(file: &str, v: &Json, info: &mut RunInfo) -> Result<Metrics, Vec<LoadError>> {
    let audits = v.get("audits").and_then(Json::as_object).filter(|_| v.get("lighthouseVersion").is_some());
    let audits = audits.ok_or_else(|| bad(file, "expected a Lighthouse JSON report (with `lighthouseVersion` and `audits`)"))?;
    if info.time.is_none() {
        info.time = v.get("fetchTime").and_then(Json::as_str).and_then(|t| Timestamp::parse(t).ok());
    }
    let mut out = Vec::new();
    for (id, audit) in audits {
        if let Some(x) = audit.get("numericValue").and_then(Json::as_f64).filter(|x| x.is_finite()) {
            let u = match audit.get("numericUnit").and_then(Json::as_str) {
                Some("millisecond") => unit("ms"),
                Some("second") => unit("s"),
                Some("byte") => unit("B"),
                _ => None,
            };
            out.push((format!("lighthouse.{id}"), Measurement { value: Some(x), samples: None, unit: u }));
        }
    }
    for (id, category) in v.get("categories").and_then(Json::as_object).into_iter().flatten() {
        if let Some(score) = category.get("score").and_then(Json::as_f64) {
            out.push((format!("lighthouse.score.{id}"), Measurement { value: Some(score * 100.0), samples: None, unit: unit("%") }));
        }
    }
    let items = audits.get("resource-summary").and_then(|a| a.get("details")).and_then(|d| d.get("items")).and_then(Json::as_array);
    for item in items.into_iter().flatten() {
        let Some(kind) = item.get("resourceType").and_then(Json::as_str) else { continue };
        if let Some(size) = item.get("transferSize").and_then(Json::as_f64) {
            out.push((format!("lighthouse.resource.{kind}.size"), Measurement { value: Some(size), samples: None, unit: unit("B") }));
        }
        if let Some(count) = item.get("requestCount").and_then(Json::as_f64) {
            out.push((format!("lighthouse.resource.{kind}.count"), Measurement { value: Some(count), samples: None, unit: None }));
        }
    }
    Ok(out)
}

/// Lighthouse CI's `budgets.json` as Headroom budgets (YAML), on the metrics the `lighthouse`
/// importer writes: timings in ms, resource sizes in KiB (Lighthouse's kilobytes), request counts.
pub fn lighthouse_budgets(file: &str, text: &str) -> Result<String, Vec<LoadError>> {
    let v = json(file, text, "Lighthouse CI's budgets.json (a list of budgets)")?;
    let list = v
        .as_array()
        .ok_or_else(|| bad(file, "expected Lighthouse CI's budgets.json: a list of {path, timings, resourceSizes, resourceCounts}"))?;
    let mut out = format!(
        "# Converted by `headroom convert-budgets` from {file} (Lighthouse CI budgets). Metrics come from `headroom import --from lighthouse`.\nbudgets:\n"
    );
    let mut count = 0;
    for (i, budget) in list.iter().enumerate() {
        let path = budget.get("path").and_then(Json::as_str).unwrap_or("/*");
        let group = if list.len() == 1 { "lighthouse".to_owned() } else { format!("lighthouse_{}", i + 1) };
        out.push_str(&format!(
            "  {group}:\n    name: {}\n    budgets:\n",
            serde_json::Value::String(format!("Lighthouse budgets for {path}"))
        ));
        let mut add = |key: String, metric: String, unit: &str, limit: f64| {
            out.push_str(&format!(
                "      {key}: {{metric: {}, unit: {unit}, limit: {}}}\n",
                serde_json::Value::String(metric),
                super::yaml::format_number(limit)
            ));
            count += 1;
        };
        for t in budget.get("timings").and_then(Json::as_array).into_iter().flatten() {
            let (Some(metric), Some(limit)) = (t.get("metric").and_then(Json::as_str), t.get("budget").and_then(Json::as_f64)) else {
                return Err(bad(file, format!("budget {i}: a timing needs `metric` and `budget`")));
            };
            let unit = if metric == "cumulative-layout-shift" { "count" } else { "ms" };
            add(metric.replace('-', "_"), format!("lighthouse.{metric}"), unit, limit);
        }
        for r in budget.get("resourceSizes").and_then(Json::as_array).into_iter().flatten() {
            let (Some(kind), Some(limit)) = (r.get("resourceType").and_then(Json::as_str), r.get("budget").and_then(Json::as_f64)) else {
                return Err(bad(file, format!("budget {i}: a resource size needs `resourceType` and `budget`")));
            };
            add(format!("{}_size", kind.replace('-', "_")), format!("lighthouse.resource.{kind}.size"), "KiB", limit);
        }
        for r in budget.get("resourceCounts").and_then(Json::as_array).into_iter().flatten() {
            let (Some(kind), Some(limit)) = (r.get("resourceType").and_then(Json::as_str), r.get("budget").and_then(Json::as_f64)) else {
                return Err(bad(file, format!("budget {i}: a resource count needs `resourceType` and `budget`")));
            };
            add(format!("{}_count", kind.replace('-', "_")), format!("lighthouse.resource.{kind}.count"), "count", limit);
        }
    }
    if count == 0 {
        return Err(bad(file, "no timings, resourceSizes or resourceCounts in it"));
    }
    Ok(out)
}

/// criterion: every `<id>/new/benchmark.json` + `sample.json` under the folder.
fn criterion(dir: &Path) -> Result<Metrics, Vec<LoadError>> {
    let shown = dir.display().to_string();
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| bad(&shown, format!("cannot read {}: {e}", d.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n == "new") && path.join("sample.json").is_file() {
                    found.push(path);
                } else if path.file_name().is_none_or(|n| n != "base" && n != "change" && n != "report") {
                    stack.push(path);
                }
            }
        }
    }
    if found.is_empty() {
        return Err(bad(&shown, "expected criterion's output folder (target/criterion) with `<benchmark>/new/sample.json` files"));
    }
    found.sort();
    let mut out = Vec::new();
    for new in found {
        let file = new.join("sample.json").display().to_string();
        let read = |name: &str| -> Result<Json, Vec<LoadError>> {
            let path = new.join(name);
            let text = std::fs::read_to_string(&path).map_err(|e| bad(&path.display().to_string(), format!("cannot be read: {e}")))?;
            json(&path.display().to_string(), &text, "criterion's JSON")
        };
        let bench = read("benchmark.json")?;
        let name = bench.get("full_id").and_then(Json::as_str).ok_or_else(|| bad(&file, "benchmark.json has no `full_id`"))?.to_owned();
        let sample = read("sample.json")?;
        let iters = sample.get("iters").and_then(Json::as_array).and_then(|a| finite_numbers(a));
        let times = sample.get("times").and_then(Json::as_array).and_then(|a| finite_numbers(a));
        let (Some(iters), Some(times)) = (iters, times) else { return Err(bad(&file, "expected `iters` and `times` lists of numbers")) };
        if iters.len() != times.len() || iters.iter().any(|&n| n <= 0.0) {
            return Err(bad(&file, "`iters` and `times` do not pair up"));
        }
        let per_iteration: Vec<f64> = times.iter().zip(&iters).map(|(t, n)| t / n).collect();
        out.push((name, Measurement { value: None, samples: Some(per_iteration), unit: unit("ns") }));
    }
    Ok(out)
}

/// Reads `paths` in `format` into one snapshot. Nothing is returned unless every file reads.
pub fn import(format: Format, paths: &[&Path], mut info: RunInfo) -> Result<Snapshot, Vec<LoadError>> {
    let mut metrics: Metrics = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let found = if format == Format::Criterion {
            criterion(path)?
        } else {
            let text = std::fs::read_to_string(path).map_err(|e| bad(&shown, format!("cannot be read: {e}")))?;
            let v = json(&shown, &text, &format!("{} output", format.name()))?;
            from_json(format, &shown, &v, &mut info)?
        };
        for (name, m) in found {
            if metrics.iter().any(|(n, _)| n == &name) {
                return Err(bad(&shown, format!("the metric `{name}` appears twice in this import")));
            }
            metrics.push((name, m));
        }
    }
    if metrics.is_empty() {
        return Err(bad(&paths.first().map(|p| p.display().to_string()).unwrap_or_default(), "no measurements in it"));
    }
    let time = info.time.unwrap_or_else(Timestamp::now);
    let run = Run {
        id: info.id.unwrap_or_else(|| format!("{}-{}", format.name(), time.to_string().replace([':', '.'], "-"))),
        timestamp: Some(time),
        commit: info.commit,
        branch: info.branch,
        environment: info.environment,
        file: String::new(),
        line: 0,
    };
    Ok(Snapshot { run, metrics })
}

fn from_json(format: Format, file: &str, v: &Json, info: &mut RunInfo) -> Result<Metrics, Vec<LoadError>> {
    match format {
        Format::Hyperfine => hyperfine(file, v),
        Format::GoogleBenchmark => google(file, v, info),
        Format::PytestBenchmark => pytest(file, v, info),
        Format::Bmf => bmf(file, v),
        Format::Criterion => Err(bad(file, "criterion's output is a folder (target/criterion), not a file")),
        Format::K6 => k6(file, v),
        Format::Lighthouse => lighthouse(file, v, info),
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
