//! criterion.rs's `target/criterion` folder: every benchmark's newest samples, as time per iteration.

use super::{Json, LoadError, Measurement, Metrics, bad, finite_numbers, json, unit};
use std::path::Path;

/// criterion: every `<id>/new/benchmark.json` + `sample.json` under the folder.
pub(super) fn parse(dir: &Path) -> Result<Metrics, Vec<LoadError>> {
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
