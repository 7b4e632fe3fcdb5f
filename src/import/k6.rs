//! k6's end-of-test summary, in the three JSON shapes k6 writes it:
//!
//! | shape | written by | a metric |
//! |---|---|---|
//! | summary export | `k6 run --summary-export=summary.json` | `"metrics": {"http_req_duration": {"avg": 41.2, "p(95)": 88.9}}` |
//! | `handleSummary` data | `export function handleSummary(data) { return {'summary.json': JSON.stringify(data)} }` | `"metrics": {"http_req_duration": {"type": "trend", "contains": "time", "values": {...}}}` |
//! | machine-readable summary v1 | `k6 run --new-machine-readable-summary --summary-export=...` (newer k6; k6 1.1 has no such flag) | `"results": {"metrics": [{"name": "http_req_duration", "contains": "time", "values": {...}}]}` |
//!
//! Each statistic is a metric `<metric>.<stat>`. k6 writes times in milliseconds in all three,
//! whatever `--summary-time-unit` says (that changes only the text summary). Where the file says
//! what a metric contains (`"contains": "time"`), that decides its unit; the summary export does
//! not say, so a metric whose name (tags aside: `group_duration{group:::login}`) ends in
//! `_duration` or starts with `http_req_` is taken to be a time.

use super::{Json, LoadError, Measurement, Metrics, RunInfo, Timestamp, bad, unit};

const EXPECTED: &str = "expected k6's end-of-test summary: `--summary-export` output, the data `handleSummary()` receives \
     (written with JSON.stringify(data)), or the machine-readable summary (`\"version\": \"1.x\"` with `results.metrics`)";

/// k6: any of the three summary shapes (see the module's documentation).
pub(super) fn parse(file: &str, v: &Json, info: &mut RunInfo) -> Result<Metrics, Vec<LoadError>> {
    let mut out = Vec::new();
    if let Some(results) = v.get("results").filter(|_| v.get("version").is_some()) {
        let version = v.get("version").and_then(Json::as_str).unwrap_or_default();
        if !version.starts_with("1.") {
            return Err(bad(file, format!("a k6 machine-readable summary of version `{version}`: Headroom reads version 1.x")));
        }
        if info.time.is_none() {
            info.time = v.get("metadata").and_then(|m| m.get("generatedAt")).and_then(Json::as_str).and_then(|t| Timestamp::parse(t).ok());
        }
        let metrics = results.get("metrics").and_then(Json::as_array).ok_or_else(|| bad(file, EXPECTED))?;
        // The checks' own metrics (checks_total, checks_succeeded, ...), a list or an object of them.
        let checks = results.get("checks").and_then(|c| c.get("metrics"));
        let check_metrics: Vec<&Json> = match checks {
            Some(Json::Array(list)) => list.iter().collect(),
            Some(Json::Object(map)) => map.values().collect(),
            _ => Vec::new(),
        };
        for (i, metric) in metrics.iter().chain(check_metrics).enumerate() {
            let name =
                metric.get("name").and_then(Json::as_str).ok_or_else(|| bad(file, format!("`results.metrics[{i}]` has no `name`")))?;
            let Some(values) = metric.get("values").and_then(Json::as_object) else { continue };
            statistics(name, metric.get("contains").and_then(Json::as_str), values, &mut out);
        }
    } else {
        let metrics = v.get("metrics").and_then(Json::as_object).ok_or_else(|| bad(file, EXPECTED))?;
        for (name, metric) in metrics {
            if let Some(values) = metric.get("values").and_then(Json::as_object) {
                // handleSummary's data: the statistics under `values`, and what they contain.
                statistics(name, metric.get("contains").and_then(Json::as_str), values, &mut out);
            } else if let Some(stats) = metric.as_object() {
                // The summary export: the statistics themselves.
                statistics(name, None, stats, &mut out);
            }
        }
    }
    if out.is_empty() {
        return Err(bad(file, format!("no metrics in it; {EXPECTED}")));
    }
    Ok(out)
}

/// One metric's statistics as `<name>.<stat>`, in ms where the metric is a time.
fn statistics(name: &str, contains: Option<&str>, stats: &serde_json::Map<String, Json>, out: &mut Metrics) {
    // `http_req_duration{expected_response:true}`, `group_duration{group:::login}`: a tagged sub-metric.
    let base = name.split('{').next().unwrap_or(name);
    let timed = contains.map_or_else(
        || base.ends_with("_duration") || (base.starts_with("http_req_") && base != "http_req_failed"),
        |contains| contains == "time",
    );
    for (stat, value) in stats {
        let Some(x) = value.as_f64().filter(|x| x.is_finite()) else { continue };
        let u = if timed && !["count", "rate", "passes", "fails"].contains(&stat.as_str()) { unit("ms") } else { None };
        out.push((format!("{name}.{stat}"), Measurement { value: Some(x), samples: None, unit: u }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::units::Unit;

    fn metrics(text: &str) -> Metrics {
        parse("k6.json", &serde_json::from_str(text).unwrap(), &mut RunInfo::default()).unwrap()
    }

    fn unit_of<'a>(metrics: &'a Metrics, name: &str) -> Option<&'a Unit> {
        metrics.iter().find(|(n, _)| n == name).and_then(|(_, m)| m.unit.as_ref())
    }

    #[test]
    fn a_tagged_group_duration_in_a_summary_export_is_in_milliseconds() {
        let m = metrics(
            r#"{"metrics": {"group_duration{group:::login}": {"avg": 7.4, "p(95)": 8.3}, "checks": {"passes": 10, "fails": 0, "value": 1}}}"#,
        );
        assert_eq!(unit_of(&m, "group_duration{group:::login}.p(95)"), Some(&Unit::Milliseconds));
        assert_eq!(unit_of(&m, "checks.value"), None);
    }

    #[test]
    fn the_machine_readable_summary_reads_its_metric_list_and_checks() {
        // The shape of k6's machine-readable summary v1 (schema 1.0.0 of grafana/k6-summary).
        let m = metrics(
            r#"{"version": "1.0.0", "metadata": {"generatedAt": "2026-11-30T10:00:00Z", "k6Version": "1.6.1"},
                "config": {"execution": "local", "duration": 12.5},
                "results": {"passed": true,
                  "metrics": [
                    {"name": "http_req_duration", "type": "trend", "contains": "time", "category": "http",
                     "values": {"avg": 20.5, "med": 18.0, "p(95)": 41.0, "count": 300}},
                    {"name": "http_reqs", "type": "counter", "contains": "default", "category": "http", "values": {"count": 300, "rate": 24.0}}],
                  "checks": {"metrics": [{"name": "checks_succeeded", "type": "rate", "contains": "default", "category": "execution",
                     "values": {"rate": 1, "passes": 300, "fails": 0}}]}}}"#,
        );
        assert_eq!(unit_of(&m, "http_req_duration.p(95)"), Some(&Unit::Milliseconds));
        assert_eq!(unit_of(&m, "http_req_duration.count"), None);
        assert!(m.iter().any(|(n, v)| n == "http_reqs.rate" && v.value == Some(24.0)));
        assert!(m.iter().any(|(n, _)| n == "checks_succeeded.rate"));
    }

    #[test]
    fn a_foreign_summary_names_the_three_shapes_expected() {
        let error = parse("x.json", &serde_json::json!({"version": "2.0.0", "results": {}}), &mut RunInfo::default()).unwrap_err();
        assert!(error[0].message.contains("version `2.0.0`: Headroom reads version 1.x"), "{}", error[0]);
        let error = parse("x.json", &serde_json::json!({"data": []}), &mut RunInfo::default()).unwrap_err();
        assert!(error[0].message.contains("handleSummary()") && error[0].message.contains("machine-readable"), "{}", error[0]);
    }
}
