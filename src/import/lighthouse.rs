//! Lighthouse JSON reports (`--output=json`), from Lighthouse 3 on, and Lighthouse CI's budgets.
//!
//! | Lighthouse | an audit's value | its unit | resource summary size |
//! |---|---|---|---|
//! | 2.x | `rawValue`, scores 0-100, `reportCategories` | none | none: refused, by version |
//! | 3, 4 | `rawValue` (a number, or a boolean for pass/fail audits) | not stated | no resource summary |
//! | 5 | `numericValue` | not stated | item key `size` |
//! | 6 and later | `numericValue` | `numericUnit` | item key `transferSize` |
//!
//! Where a report states no unit, the unit is the one Lighthouse 6 and later state for the same
//! audit: milliseconds for the timings and for an opportunity's savings (`details.type` is
//! `opportunity`), bytes for `total-byte-weight` and `uses-long-cache-ttl`, none for counts such
//! as `dom-size`. An audit outside that table is imported without a unit and named in a note, so
//! that nothing is dropped or given a unit by guess.

use super::{Json, LoadError, Measurement, NoteKind, Parsed, RunInfo, Timestamp, bad, json, unit};

/// Audits whose value is in milliseconds, where the report does not say.
const MILLISECOND_AUDITS: [&str; 19] = [
    "first-contentful-paint",
    "first-meaningful-paint",
    "largest-contentful-paint",
    "speed-index",
    "interactive",
    "first-cpu-idle",
    "estimated-input-latency",
    "max-potential-fid",
    "total-blocking-time",
    "time-to-first-byte",
    "server-response-time",
    "redirects",
    "mainthread-work-breakdown",
    "bootup-time",
    "network-rtt",
    "network-server-latency",
    "uses-rel-preload",
    "uses-rel-preconnect",
    "metrics",
];

/// Audits whose value is in bytes, where the report does not say.
const BYTE_AUDITS: [&str; 2] = ["total-byte-weight", "uses-long-cache-ttl"];

/// Audits whose value is a plain count or flag, where the report does not say.
const COUNT_AUDITS: [&str; 4] = ["dom-size", "network-requests", "main-thread-tasks", "diagnostics"];

/// A Lighthouse report: every audit with a numeric value, the category scores, and the resource summary.
pub(super) fn parse(file: &str, v: &Json, info: &mut RunInfo) -> Result<Parsed, Vec<LoadError>> {
    let expected = "expected a Lighthouse JSON report (with `lighthouseVersion` and `audits`)";
    let version = v.get("lighthouseVersion").and_then(Json::as_str).ok_or_else(|| bad(file, expected))?;
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())
        .ok_or_else(|| bad(file, format!("`lighthouseVersion` `{version}` is not a version such as 12.2.1")))?;
    if major < 3 {
        return Err(bad(
            file,
            format!(
                "a Lighthouse {version} report (the 2.x format: `reportCategories`, scores of 0-100): \
                 Headroom reads reports of Lighthouse 3 and later; run a newer Lighthouse"
            ),
        ));
    }
    let audits = v.get("audits").and_then(Json::as_object).ok_or_else(|| bad(file, expected))?;
    if info.time.is_none() {
        info.time = v.get("fetchTime").and_then(Json::as_str).and_then(|t| Timestamp::parse(t).ok());
    }
    let mut parsed = Parsed::default();
    let mut unitless = Vec::new();
    for (id, audit) in audits {
        // Lighthouse 5 and later: `numericValue`; 3 and 4: a numeric `rawValue` (booleans are pass/fail).
        let value = audit.get("numericValue").or_else(|| audit.get("rawValue")).and_then(Json::as_f64).filter(|x| x.is_finite());
        let Some(x) = value else { continue };
        let u = match audit.get("numericUnit").and_then(Json::as_str) {
            Some("millisecond") => unit("ms"),
            Some("second") => unit("s"),
            Some("byte") => unit("B"),
            // "unitless", "element" and the like: a count or a ratio.
            Some(_) => None,
            None => {
                let opportunity = audit.get("details").and_then(|d| d.get("type")).and_then(Json::as_str) == Some("opportunity");
                if opportunity || MILLISECOND_AUDITS.contains(&id.as_str()) {
                    unit("ms")
                } else if BYTE_AUDITS.contains(&id.as_str()) {
                    unit("B")
                } else {
                    if !COUNT_AUDITS.contains(&id.as_str()) {
                        unitless.push(format!("`{id}`"));
                    }
                    None
                }
            }
        };
        parsed.metrics.push((format!("lighthouse.{id}"), Measurement { value: Some(x), samples: None, unit: u }));
    }
    for (id, category) in v.get("categories").and_then(Json::as_object).into_iter().flatten() {
        if let Some(score) = category.get("score").and_then(Json::as_f64) {
            parsed
                .metrics
                .push((format!("lighthouse.score.{id}"), Measurement { value: Some(score * 100.0), samples: None, unit: unit("%") }));
        }
    }
    let items = audits.get("resource-summary").and_then(|a| a.get("details")).and_then(|d| d.get("items")).and_then(Json::as_array);
    for item in items.into_iter().flatten() {
        let Some(kind) = item.get("resourceType").and_then(Json::as_str) else { continue };
        // Lighthouse 6 and later: `transferSize`; Lighthouse 5: `size`.
        if let Some(size) = item.get("transferSize").or_else(|| item.get("size")).and_then(Json::as_f64) {
            parsed
                .metrics
                .push((format!("lighthouse.resource.{kind}.size"), Measurement { value: Some(size), samples: None, unit: unit("B") }));
        }
        if let Some(count) = item.get("requestCount").and_then(Json::as_f64) {
            parsed
                .metrics
                .push((format!("lighthouse.resource.{kind}.count"), Measurement { value: Some(count), samples: None, unit: None }));
        }
    }
    if !unitless.is_empty() {
        parsed.note(
            file,
            NoteKind::Took,
            format!("Lighthouse {version} states no units; imported without a unit: {}", unitless.join(", ")),
        );
    }
    Ok(parsed)
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
                crate::model::yaml::format_number(limit)
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
