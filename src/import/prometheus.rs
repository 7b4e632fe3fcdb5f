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

use super::http::{HttpError, http_get_within, percent_encode};
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

/// Why a range query gave no values.
#[derive(Debug)]
pub(super) enum QueryFault {
    /// The store did not answer, or answered with an error.
    Store(StoreFault),
    /// The query matched no series over the range.
    NoSeries,
    /// The query returned this many series; one is needed, so the number means one thing.
    ManySeries(usize),
}

/// The store did not answer, or answered with an error: unreachable, an HTTP error, a bad query,
/// an answer that is not Prometheus's JSON.
#[derive(Debug, thiserror::Error)]
pub enum StoreFault {
    /// No answer, or an HTTP error (a bad query's reason among them).
    #[error(transparent)]
    Http(#[from] HttpError),
    /// An answer that is not JSON.
    #[error("not Prometheus's JSON ({0})")]
    NotJson(serde_json::Error),
    /// An answer whose status is not `success`: its `error`.
    #[error("the query failed: {0}")]
    Failed(String),
    /// An answer without `data.result`.
    #[error("no `data.result` in the answer")]
    NoResult,
    /// A series without `values`.
    #[error("the series has no `values`")]
    NoValues,
    /// A value that is not `[time, "number"]`.
    #[error("a value is not [time, \"number\"]")]
    BadValue,
}

impl QueryFault {
    /// The fault in words, for `name`'s query.
    pub(super) fn words(&self) -> String {
        match self {
            QueryFault::Store(why) => why.to_string(),
            QueryFault::NoSeries => "the query returned no series over the range (a typo in a metric or label?)".to_owned(),
            QueryFault::ManySeries(n) => {
                format!("the query returned {n} series; aggregate it to one (sum, max, histogram_quantile ... by (le))")
            }
        }
    }
}

/// The one series `promql` gives at `source` from `start_s` to `end_s` (seconds, both included)
/// every `step_s` seconds: (time in ms, value), finite values only.
pub(super) fn query_range(
    source: &str,
    promql: &str,
    (start_s, end_s, step_s): (i64, i64, u64),
    timeout: std::time::Duration,
) -> Result<Vec<(i64, f64)>, QueryFault> {
    let url = format!("{source}/api/v1/query_range?query={}&start={start_s}&end={end_s}&step={step_s}", percent_encode(promql));
    let store = QueryFault::Store;
    let body = http_get_within(&url, timeout).map_err(|e| store(e.into()))?;
    let v: Json = serde_json::from_str(&body).map_err(|e| store(StoreFault::NotJson(e)))?;
    if v.get("status").and_then(Json::as_str) != Some("success") {
        return Err(store(StoreFault::Failed(v.get("error").and_then(Json::as_str).unwrap_or("no reason given").to_owned())));
    }
    let result = v.get("data").and_then(|d| d.get("result")).and_then(Json::as_array).ok_or(store(StoreFault::NoResult))?;
    match result.len() {
        0 => return Err(QueryFault::NoSeries),
        1 => {}
        n => return Err(QueryFault::ManySeries(n)),
    }
    let values = result[0].get("values").and_then(Json::as_array).ok_or(store(StoreFault::NoValues))?;
    let mut out = Vec::with_capacity(values.len());
    for pair in values {
        let (Some(t), Some(v)) =
            (pair.get(0).and_then(Json::as_f64), pair.get(1).and_then(Json::as_str).and_then(|s| s.parse::<f64>().ok()))
        else {
            return Err(store(StoreFault::BadValue));
        };
        if v.is_finite() {
            #[allow(clippy::cast_possible_truncation)] // seconds since 1970, as milliseconds: far inside i64
            out.push(((t * 1000.0).round() as i64, v));
        }
    }
    Ok(out)
}

/// The run id of a store's evaluation at `ms`: its time, so reading the same time again (an
/// import, or the live source) gives the same run.
#[must_use]
pub(super) fn run_id(ms: i64) -> String {
    format!("prom-{}", Timestamp(ms).to_string().replace([':', '.'], "-"))
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
        let range = (q.start.0 / 1000, q.end.0 / 1000, q.step_seconds);
        let values =
            query_range(&source, promql, range, std::time::Duration::from_secs(60)).map_err(|f| err(format!("`{name}`: {}", f.words())))?;
        for (ms, v) in values {
            by_time.entry(ms).or_default().push((name.clone(), v));
        }
    }
    Ok(by_time
        .into_iter()
        .map(|(ms, values)| Snapshot {
            run: Run {
                id: run_id(ms),
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
