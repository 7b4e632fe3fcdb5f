//! pytest-benchmark's `--benchmark-json`: samples in seconds where `--benchmark-save-data` kept them, else the median; the commit, branch and time it records.

use super::{Json, LoadError, Measurement, Metrics, RunInfo, Timestamp, bad, finite_numbers, unit};

/// pytest-benchmark: `{"benchmarks": [{"name", "stats": {"median", "data"?}}], "commit_info", "datetime"}`.
pub(super) fn parse(file: &str, v: &Json, info: &mut RunInfo) -> Result<Metrics, Vec<LoadError>> {
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
