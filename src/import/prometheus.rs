//! Runtime history from Prometheus (or anything speaking its HTTP API): `query_range` for each
//! budget's query, one run per step.
//!
//! ```text
//!  GET /api/v1/query_range?query=…&start=…&end=…&step=…   (one per --query NAME=PROMQL)
//!  {"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},"values":[[t,"v"],…]}]}}
//!  → runs `prom-<t>` at each step time, each with every query's value at t
//! ```
//!
//! Plain HTTP only (a Prometheus on the network or behind a local proxy; the GET is in [`super::http`]):
//! the CLI stays free of a TLS stack. A query must return exactly one series, so the number means one thing.

use super::http::{http_get, percent_encode};
use crate::model::error::LoadError;
use crate::model::history::{Measurement, Run, Snapshot};
use crate::model::time::Timestamp;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// What to fetch.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeQuery {
    /// The server, `http://host:port` (a path prefix is kept).
    pub url: String,
    /// (metric name in the history, PromQL).
    pub queries: Vec<(String, String)>,
    /// From.
    pub start: Timestamp,
    /// To.
    pub end: Timestamp,
    /// Between runs, in seconds.
    pub step_seconds: u64,
    /// The environment of the runs (`prod`, say).
    pub environment: Option<String>,
}

/// Fetches every query over the range; one snapshot per step time that has any value.
pub fn fetch(q: &RangeQuery) -> Result<Vec<Snapshot>, Vec<LoadError>> {
    let source = q.url.trim_end_matches('/').to_owned();
    let err = |message: String| vec![LoadError::whole_file(source.clone(), message)];
    if q.end <= q.start || q.step_seconds == 0 {
        return Err(err("the range is empty: --end must follow --start, and --step must be positive".to_owned()));
    }
    let mut by_time: BTreeMap<i64, Vec<(String, f64)>> = BTreeMap::new();
    for (name, promql) in &q.queries {
        let url = format!(
            "{source}/api/v1/query_range?query={}&start={}&end={}&step={}",
            percent_encode(promql),
            q.start.0 / 1000,
            q.end.0 / 1000,
            q.step_seconds
        );
        let body = http_get(&url).map_err(|e| err(format!("`{name}`: {e}")))?;
        let v: Json = serde_json::from_str(&body).map_err(|e| err(format!("`{name}`: not Prometheus's JSON ({e})")))?;
        if v.get("status").and_then(Json::as_str) != Some("success") {
            return Err(err(format!("`{name}`: the query failed: {}", v.get("error").and_then(Json::as_str).unwrap_or("no reason given"))));
        }
        let result = v
            .get("data")
            .and_then(|d| d.get("result"))
            .and_then(Json::as_array)
            .ok_or_else(|| err(format!("`{name}`: no `data.result` in the answer")))?;
        match result.len() {
            0 => return Err(err(format!("`{name}`: the query returned no series over the range (a typo in a metric or label?)"))),
            1 => {}
            n => {
                return Err(err(format!(
                    "`{name}`: the query returned {n} series; aggregate it to one (sum, max, histogram_quantile ... by (le))"
                )));
            }
        }
        let values =
            result[0].get("values").and_then(Json::as_array).ok_or_else(|| err(format!("`{name}`: the series has no `values`")))?;
        for pair in values {
            let (Some(t), Some(v)) =
                (pair.get(0).and_then(Json::as_f64), pair.get(1).and_then(Json::as_str).and_then(|s| s.parse::<f64>().ok()))
            else {
                return Err(err(format!("`{name}`: a value is not [time, \"number\"]")));
            };
            if v.is_finite() {
                by_time.entry((t * 1000.0).round() as i64).or_default().push((name.clone(), v));
            }
        }
    }
    Ok(by_time
        .into_iter()
        .map(|(ms, values)| Snapshot {
            run: Run {
                id: format!("prom-{}", Timestamp(ms).to_string().replace([':', '.'], "-")),
                timestamp: Some(Timestamp(ms)),
                commit: None,
                branch: None,
                environment: q.environment.clone(),
                file: "".into(),
                line: 0,
            },
            metrics: values.into_iter().map(|(n, v)| (n, Measurement { value: Some(v), samples: None, unit: None })).collect(),
            groups: std::collections::BTreeMap::new(),
        })
        .collect())
}
