//! Google Benchmark's `--benchmark_format=json` (or `--benchmark_out`).
//!
//! Every iteration row of a benchmark (one per repetition) is a sample of its `real_time`, in its
//! `time_unit`. Three things need care:
//!
//! - A row with `error_occurred` (`state.SkipWithError`) or `skipped` (`state.SkipWithMessage`,
//!   Google Benchmark 1.8+) carries `real_time: 0`. It never becomes a value: the benchmark is
//!   left out of the run and named in a [`NoteKind::LeftOut`] note, so a budget on it reports it
//!   missing from the run instead of passing on an impossible 0 ns.
//! - With `--benchmark_report_aggregates_only` only the aggregate rows are written (`mean`,
//!   `median`, `stddev`, `cv`). The median of the repetitions is then the value (the mean where
//!   there is no median). The run-to-run spread cannot ride along as noise of that value: a
//!   history point holds a value or samples, not a spread, so the engine reads noise only from
//!   samples. The stddev is kept as its own metric `<name>.stddev` (same unit), where it can be
//!   plotted or budgeted; `cv` is stddev / mean and is not kept. A note says what was taken.
//! - Where both kinds of rows are there (plain `--benchmark_repetitions`), the iteration rows are
//!   the samples and the aggregates, computed from them, are not read.
//!
//! Other aggregates (`BigO`, `RMS` of complexity runs, user statistics) are not times of one run
//! and are not read.

use super::{Json, LoadError, Measurement, NoteKind, Parsed, RunInfo, Timestamp, Unit, bad, unit};

/// The aggregate rows a value can come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Aggregate {
    Mean,
    Median,
    Stddev,
}

/// Everything the file says about one benchmark (one `run_name`).
#[derive(Debug)]
struct Benchmark {
    name: String,
    unit: Option<Unit>,
    samples: Vec<f64>,
    aggregates: Vec<(Aggregate, f64)>,
    repetitions: Option<u64>,
    /// Why it has no value: "failed: <message>" or "was skipped: <message>".
    failure: Option<String>,
}

/// Google Benchmark: `{"context": {"date"}, "benchmarks": [{"name", "run_name", "run_type", "real_time", "time_unit",
/// "aggregate_name"?, "error_occurred"?, "error_message"?, "skipped"?, "skip_message"?}]}`.
pub(super) fn parse(file: &str, v: &Json, info: &mut RunInfo) -> Result<Parsed, Vec<LoadError>> {
    let rows = v
        .get("benchmarks")
        .and_then(Json::as_array)
        .ok_or_else(|| bad(file, "expected Google Benchmark's JSON (an object with `benchmarks`)"))?;
    if info.time.is_none() {
        info.time = v
            .get("context")
            .and_then(|c| c.get("date"))
            .and_then(Json::as_str)
            .and_then(|d| Timestamp::parse(&d.replace('T', " ")[..19.min(d.len())]).ok());
    }
    let mut benchmarks: Vec<Benchmark> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        read_row(file, i, row, &mut benchmarks)?;
    }
    let mut parsed = Parsed::default();
    let (mut medians, mut means) = (Vec::new(), Vec::new());
    for b in benchmarks {
        if let Some(failure) = &b.failure {
            parsed.note(file, NoteKind::LeftOut, format!("`{}` {failure}", b.name));
            continue;
        }
        if !b.samples.is_empty() {
            parsed.metrics.push((b.name, Measurement { value: None, samples: Some(b.samples), unit: b.unit }));
            continue;
        }
        let of = |wanted: Aggregate| b.aggregates.iter().find(|(a, _)| *a == wanted).map(|&(_, x)| x);
        let (value, taken) = match (of(Aggregate::Median), of(Aggregate::Mean)) {
            (Some(median), _) => (median, &mut medians),
            (None, Some(mean)) => (mean, &mut means),
            // Only a spread, or no aggregate Headroom reads (BigO, RMS): not a time of this run.
            (None, None) => continue,
        };
        taken.push(match b.repetitions {
            Some(n) => format!("`{}` ({n} repetitions)", b.name),
            None => format!("`{}`", b.name),
        });
        let stddev = of(Aggregate::Stddev)
            .map(|s| (format!("{}.stddev", b.name), Measurement { value: Some(s), samples: None, unit: b.unit.clone() }));
        parsed.metrics.push((b.name, Measurement { value: Some(value), samples: None, unit: b.unit }));
        parsed.metrics.extend(stddev);
    }
    for (statistic, names) in [("median", medians), ("mean (no median in the file)", means)] {
        if !names.is_empty() {
            parsed.note(
                file,
                NoteKind::Took,
                format!(
                    "aggregates only (--benchmark_report_aggregates_only): took the {statistic} of the repetitions as the value of {}; \
                     their stddev is kept as `<name>.stddev`",
                    names.join(", ")
                ),
            );
        }
    }
    Ok(parsed)
}

/// Adds one row of `benchmarks` to the benchmark it belongs to.
fn read_row(file: &str, i: usize, row: &Json, benchmarks: &mut Vec<Benchmark>) -> Result<(), Vec<LoadError>> {
    let text = |key: &str| row.get(key).and_then(Json::as_str);
    let name = text("name").ok_or_else(|| bad(file, format!("`benchmarks[{i}]` has no `name`")))?;
    let aggregate_name = (text("run_type") == Some("aggregate")).then(|| text("aggregate_name").unwrap_or(""));
    // Aggregate rows are named `<run_name>_<aggregate>`; files before Google Benchmark 1.5 have no `run_name`.
    let run_name =
        text("run_name").or_else(|| aggregate_name.and_then(|a| name.strip_suffix(a)).and_then(|n| n.strip_suffix('_'))).unwrap_or(name);
    let index = benchmarks.iter().position(|b| b.name == run_name).unwrap_or_else(|| {
        benchmarks.push(Benchmark {
            name: run_name.to_owned(),
            unit: None,
            samples: Vec::new(),
            aggregates: Vec::new(),
            repetitions: None,
            failure: None,
        });
        benchmarks.len() - 1
    });
    let benchmark = &mut benchmarks[index];
    let flag = |key: &str| row.get(key).and_then(Json::as_bool) == Some(true);
    if flag("error_occurred") || flag("skipped") {
        if benchmark.failure.is_none() {
            let (what, message) =
                if flag("error_occurred") { ("failed", text("error_message")) } else { ("was skipped", text("skip_message")) };
            benchmark.failure = Some(match message.filter(|m| !m.is_empty()) {
                Some(message) => format!("{what} ({message})"),
                None => what.to_owned(),
            });
        }
        return Ok(());
    }
    let aggregate = match aggregate_name {
        None => None,
        // A percentage (cv) or a fitted coefficient (BigO, RMS) is not a time.
        Some(_) if text("aggregate_unit").is_some_and(|u| u != "time") => return Ok(()),
        Some("mean") => Some(Aggregate::Mean),
        Some("median") => Some(Aggregate::Median),
        Some("stddev") => Some(Aggregate::Stddev),
        Some(_) => return Ok(()),
    };
    let time = row
        .get("real_time")
        .and_then(Json::as_f64)
        .filter(|t| t.is_finite())
        .ok_or_else(|| bad(file, format!("`benchmarks[{i}]` ({name}) has no `real_time`")))?;
    let symbol = text("time_unit").unwrap_or("ns");
    let row_unit = unit(symbol).ok_or_else(|| bad(file, format!("`benchmarks[{i}]`: unknown time_unit `{symbol}`")))?;
    match &benchmark.unit {
        Some(u) if *u != row_unit => {
            return Err(bad(
                file,
                format!("`benchmarks[{i}]` ({name}) is in {symbol}, the rows before it of `{run_name}` in {}", u.symbol()),
            ));
        }
        Some(_) => {}
        None => benchmark.unit = Some(row_unit),
    }
    if benchmark.repetitions.is_none() {
        benchmark.repetitions = row.get("repetitions").and_then(Json::as_u64).filter(|&n| n > 1);
    }
    match aggregate {
        Some(a) => benchmark.aggregates.push((a, time)),
        // Repetitions of one benchmark are samples of one metric.
        None => benchmark.samples.push(time),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Parsed {
        parse("gbench.json", &serde_json::from_str(text).unwrap(), &mut RunInfo::default()).unwrap()
    }

    #[test]
    fn a_failed_repetition_leaves_its_benchmark_out_even_where_others_succeeded() {
        let p = parsed(
            r#"{"benchmarks": [
                {"name": "BM_a", "run_name": "BM_a", "run_type": "iteration", "real_time": 5.0, "time_unit": "ns"},
                {"name": "BM_a", "run_name": "BM_a", "run_type": "iteration", "real_time": 0.0, "time_unit": "ns",
                 "error_occurred": true, "error_message": "lost the lock"},
                {"name": "BM_b", "run_name": "BM_b", "run_type": "iteration", "real_time": 0.0, "time_unit": "ns", "skipped": true}]}"#,
        );
        assert!(p.metrics.is_empty(), "{:?}", p.metrics);
        assert_eq!(p.notes.len(), 2);
        assert_eq!(
            p.notes[0].to_string(),
            "gbench.json: `BM_a` failed (lost the lock): not imported (a budget on it finds it missing from this run)"
        );
        assert_eq!(p.notes[1].message, "`BM_b` was skipped");
    }

    #[test]
    fn aggregates_without_run_name_fall_back_to_the_mean_and_name_it() {
        // The shape of Google Benchmark before 1.5: no `run_name`, aggregates named `<name>_<aggregate>`.
        let p = parsed(
            r#"{"benchmarks": [
                {"name": "BM_x_mean", "run_type": "aggregate", "aggregate_name": "mean", "real_time": 12.0, "time_unit": "us"},
                {"name": "BM_x_stddev", "run_type": "aggregate", "aggregate_name": "stddev", "real_time": 0.5, "time_unit": "us"}]}"#,
        );
        let names: Vec<&str> = p.metrics.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["BM_x", "BM_x.stddev"]);
        assert_eq!(p.metrics[0].1.value, Some(12.0));
        assert!(p.notes[0].message.contains("took the mean (no median in the file)"), "{}", p.notes[0]);
    }
}
