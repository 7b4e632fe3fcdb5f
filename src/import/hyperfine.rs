//! hyperfine's `--export-json`: every command's run times, in seconds.
//!
//! A parameter scan (`-P t 1 3`, `-L t a,b`) writes one result per value. Where the commands keep
//! their own names (`sleep 1`, `sleep 2`) those names are the metrics, as for any other run; where
//! one `-n` name covers the whole scan (`-n sleep`), the results differ only by their
//! `parameters`, so the parameters become part of the metric's name: `sleep[t=1]`.
//!
//! hyperfine 1.19 and later also write `memory_usage_byte`, the peak resident memory of every
//! run; it becomes the metric `<name>.memory`, in bytes, beside the times.

use super::{Json, LoadError, Measurement, Metrics, bad, finite_numbers, unit};

/// hyperfine: `{"results": [{"command", "median", "times": [...], "parameters"?: {"t": "1"}}]}`, seconds.
pub(super) fn parse(file: &str, v: &Json) -> Result<Metrics, Vec<LoadError>> {
    let results = v
        .get("results")
        .and_then(Json::as_array)
        .ok_or_else(|| bad(file, "expected hyperfine's `--export-json` output (an object with `results`)"))?;
    let mut commands = Vec::with_capacity(results.len());
    for (i, r) in results.iter().enumerate() {
        let name = r.get("command").and_then(Json::as_str).ok_or_else(|| bad(file, format!("`results[{i}]` has no `command`")))?;
        commands.push(name);
    }
    let mut out = Vec::new();
    for (i, (r, &command)) in results.iter().zip(&commands).enumerate() {
        let shared = commands.iter().filter(|&&c| c == command).count() > 1;
        let name = match r.get("parameters").and_then(Json::as_object).filter(|p| shared && !p.is_empty()) {
            Some(parameters) => format!("{command}[{}]", scan_values(parameters)),
            None => command.to_owned(),
        };
        let times = r.get("times").and_then(Json::as_array).and_then(|t| finite_numbers(t));
        let median = r.get("median").and_then(Json::as_f64);
        if times.is_none() && median.is_none() {
            return Err(bad(file, format!("`results[{i}]` ({name}) has neither `times` nor `median`")));
        }
        let memory = r.get("memory_usage_byte").and_then(Json::as_array).and_then(|m| finite_numbers(m)).filter(|m| !m.is_empty());
        if let Some(memory) = memory {
            out.push((format!("{name}.memory"), Measurement { value: None, samples: Some(memory), unit: unit("B") }));
        }
        out.push((name, Measurement { value: median, samples: times, unit: unit("s") }));
    }
    Ok(out)
}

/// `t=1,size=64`: a scan's parameters in the order hyperfine wrote them.
fn scan_values(parameters: &serde_json::Map<String, Json>) -> String {
    parameters
        .iter()
        .map(|(key, value)| match value.as_str() {
            Some(text) => format!("{key}={text}"),
            None => format!("{key}={value}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_under_one_name_is_named_by_its_parameters_and_distinct_commands_keep_their_names() {
        let scan: Json = serde_json::from_str(
            r#"{"results": [
                {"command": "sleep", "median": 0.001, "times": [0.001], "parameters": {"t": "1", "size": "8"}},
                {"command": "sleep", "median": 0.002, "times": [0.002], "parameters": {"t": "2", "size": "8"}}]}"#,
        )
        .unwrap();
        let names: Vec<String> = parse("h.json", &scan).unwrap().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["sleep[t=1,size=8]", "sleep[t=2,size=8]"]);
        let own_names: Json = serde_json::from_str(
            r#"{"results": [{"command": "sleep 1", "median": 1.0, "parameters": {"t": "1"}}, {"command": "sleep 2", "median": 2.0, "parameters": {"t": "2"}}]}"#,
        )
        .unwrap();
        let names: Vec<String> = parse("h.json", &own_names).unwrap().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["sleep 1", "sleep 2"]);
    }

    #[test]
    fn the_peak_memory_of_every_run_is_a_metric_in_bytes_where_hyperfine_wrote_it() {
        // hyperfine 1.19's field: `memory_usage_byte`, one peak RSS a run.
        let v: Json = serde_json::from_str(
            r#"{"results": [{"command": "validate", "median": 0.01, "times": [0.01, 0.011], "memory_usage_byte": [9437184, 9699328]}]}"#,
        )
        .unwrap();
        let metrics = parse("h.json", &v).unwrap();
        let (name, memory) = &metrics[0];
        assert_eq!(name, "validate.memory");
        assert_eq!(memory.samples.as_deref(), Some(&[9_437_184.0, 9_699_328.0][..]));
        assert_eq!(memory.unit.as_ref().map(crate::model::units::Unit::symbol), Some("B"));
        assert_eq!(metrics[1].0, "validate");
    }
}
