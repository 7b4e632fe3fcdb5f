//! pytest-benchmark's `--benchmark-json`: samples in seconds where `--benchmark-save-data` kept them, else the median; the commit, branch and time it records.
//!
//! Each benchmark's `group` is kept beside its metrics (a budget named after the group is measured
//! by it), and every number a test put in `benchmark.extra_info` becomes a metric of its own,
//! `<name>.<key>`, with the unit its key ends with: `extra_info["peak_memory_bytes"]` of
//! `test_schema_validator` is `test_schema_validator.peak_memory` in bytes, `memory_mb` is
//! `.memory` in MB. A key without a unit suffix is kept whole and unitless; a value that is not a
//! number (a string, a flag) is not a measurement, and a note says it was left out.

use super::{Json, LoadError, Measurement, NoteKind, Parsed, RunInfo, Timestamp, bad, finite_numbers, unit};
use crate::model::units::Unit;

/// pytest-benchmark: `{"benchmarks": [{"name", "group"?, "extra_info"?, "stats": {"median", "data"?}}], "commit_info", "datetime"}`.
pub(super) fn parse(file: &str, v: &Json, info: &mut RunInfo) -> Result<Parsed, Vec<LoadError>> {
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
    let mut out = Parsed::default();
    for (i, b) in benchmarks.iter().enumerate() {
        let name = b.get("name").and_then(Json::as_str).ok_or_else(|| bad(file, format!("`benchmarks[{i}]` has no `name`")))?;
        let stats = b.get("stats").ok_or_else(|| bad(file, format!("`benchmarks[{i}]` ({name}) has no `stats`")))?;
        let samples = stats.get("data").and_then(Json::as_array).and_then(|d| finite_numbers(d));
        let median = stats.get("median").and_then(Json::as_f64);
        if samples.is_none() && median.is_none() {
            return Err(bad(file, format!("`benchmarks[{i}]` ({name}) has neither `stats.data` nor `stats.median`")));
        }
        let group = b.get("group").and_then(Json::as_str).map(str::trim).filter(|g| !g.is_empty());
        let mut add = |metric: String, measurement: Measurement| {
            if let Some(group) = group {
                out.groups.insert(metric.clone(), group.to_owned());
            }
            out.metrics.push((metric, measurement));
        };
        add(name.to_owned(), Measurement { value: median, samples, unit: unit("s") });
        let Some(extra) = b.get("extra_info").and_then(Json::as_object) else { continue };
        let mut left_out = Vec::new();
        for (key, value) in extra {
            let (stem, unit) = match Unit::split_suffix(key) {
                Some((stem, unit)) => (stem, Some(unit)),
                None => (key.as_str(), None),
            };
            let measurement = match value {
                Json::Number(n) => {
                    n.as_f64().filter(|x| x.is_finite()).map(|x| Measurement { value: Some(x), samples: None, unit: unit.clone() })
                }
                Json::Array(values) => finite_numbers(values).filter(|s| !s.is_empty()).map(|samples| Measurement {
                    value: None,
                    samples: Some(samples),
                    unit: unit.clone(),
                }),
                _ => None,
            };
            match measurement {
                Some(m) => add(format!("{name}.{stem}"), m),
                None => left_out.push(format!("`{key}`")),
            }
        }
        if !left_out.is_empty() {
            out.note(
                file,
                NoteKind::LeftOut,
                format!("extra_info {} of `{name}` (not a number or a list of numbers)", left_out.join(", ")),
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(benchmarks: &str) -> Parsed {
        let v: Json = serde_json::from_str(&format!(r#"{{"machine_info": {{}}, "benchmarks": {benchmarks}}}"#)).unwrap();
        parse("b.json", &v, &mut RunInfo::default()).unwrap()
    }

    #[test]
    fn extra_info_numbers_become_metrics_in_the_unit_their_key_ends_with() {
        let p = parsed(
            r#"[{"name": "test_schema_validator", "group": "schema_validator", "stats": {"median": 0.002},
                "extra_info": {"peak_memory_bytes": 3500000, "memory_mb": 3.5, "rows": [10, 12], "note": "warm"}}]"#,
        );
        let mut found: Vec<(&str, Option<&str>)> = p.metrics.iter().map(|(n, m)| (n.as_str(), m.unit.as_ref().map(Unit::symbol))).collect();
        found.sort_unstable();
        assert_eq!(
            found,
            [
                ("test_schema_validator", Some("s")),
                ("test_schema_validator.memory", Some("MB")),
                ("test_schema_validator.peak_memory", Some("B")),
                ("test_schema_validator.rows", None),
            ]
        );
        assert_eq!(p.groups.get("test_schema_validator.peak_memory").map(String::as_str), Some("schema_validator"));
        assert_eq!(p.notes.len(), 1);
        assert!(p.notes[0].message.contains("`note` of `test_schema_validator`"), "{}", p.notes[0].message);
    }
}
