//! The Bencher Metric Format: `latency` in nanoseconds, other measures as `<benchmark>.<measure>`.

use super::{Json, LoadError, Measurement, Metrics, bad, unit};

/// Bencher Metric Format: `{"benchmark": {"measure": {"value", "lower_value"?, "upper_value"?}}}`.
pub(super) fn parse(file: &str, v: &Json) -> Result<Metrics, Vec<LoadError>> {
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
