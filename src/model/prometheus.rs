//! Runtime history from Prometheus (or anything speaking its HTTP API): `query_range` for each
//! budget's query, one run per step.
//!
//! ```text
//!  GET /api/v1/query_range?query=…&start=…&end=…&step=…   (one per --query NAME=PROMQL)
//!  {"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},"values":[[t,"v"],…]}]}}
//!  → runs `prom-<t>` at each step time, each with every query's value at t
//! ```
//!
//! Plain HTTP only (a Prometheus on the network or behind a local proxy): the CLI stays free of a
//! TLS stack. A query must return exactly one series, so the number means one thing.

use super::error::LoadError;
use super::history::{Measurement, Run, Snapshot};
use super::time::Timestamp;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::time::Duration;

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

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A GET over plain HTTP/1.1; the body of a 200 answer.
fn http_get(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("`{url}`: only http:// URLs are read (put an HTTPS Prometheus behind a local proxy)"))?;
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let address = if host.contains(':') { host.to_owned() } else { format!("{host}:80") };
    let mut stream = std::net::TcpStream::connect(&address).map_err(|e| format!("cannot reach {address}: {e}"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nConnection: close\r\nUser-Agent: headroom\r\n\r\n")
        .map_err(|e| format!("cannot send the query to {address}: {e}"))?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(|e| format!("no answer from {address}: {e}"))?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| format!("{address} did not answer in HTTP"))?;
    let status = head.lines().next().unwrap_or("");
    let chunked =
        head.lines().any(|l| l.to_ascii_lowercase().starts_with("transfer-encoding:") && l.to_ascii_lowercase().contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_owned() };
    if !status.contains(" 200 ") {
        // Prometheus explains a bad query in the JSON body of a 400.
        let why = serde_json::from_str::<Json>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(Json::as_str).map(str::to_owned))
            .unwrap_or_else(|| status.to_owned());
        return Err(why);
    }
    Ok(body)
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_encoded_and_chunked_bodies_joined() {
        assert_eq!(percent_encode("sum(rate(x[5m])) * 1000"), "sum%28rate%28x%5B5m%5D%29%29%20%2A%201000");
        assert_eq!(dechunk("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), "hello world");
    }

    #[test]
    fn an_https_url_is_refused_with_a_reason() {
        let e = http_get("https://prom.example.com").unwrap_err();
        assert!(e.contains("only http://"), "{e}");
    }
}
