//! Snapshot history: runs (one measurement run each) and, per metric, the series of its values.
//!
//! Two file formats load. JSON Lines, one snapshot a line, append-only so CI can add to it:
//!
//! ```json
//! {"id":"ci-1042","timestamp":"2026-05-01T10:00:00Z","commit":"9f2c1e0","branch":"main","environment":"ci",
//!  "metrics":{"api.latency":{"value":41.2,"unit":"ms"},"api.memory":8.1,"db.select":{"samples":[4.1,4.3],"unit":"ms"}}}
//! ```
//!
//! An optional `"groups": {"bench_validate[large]": "schema_validator"}` records the group a tool
//! put a metric in (pytest-benchmark's `group`).
//!
//! and wide CSV: a header row, a first column with the run's id or time, then one column a metric
//! (`name [unit]` gives a unit); the columns `commit`, `branch`, `environment` and `timestamp` are the
//! run's own. Empty cells, `NA` and `NaN` are missing values.
//!
//! A file loads whole or not at all: one bad line rejects the file, with every error in it listed.

// The history's types are named through this module wherever they are used; they live below the
// file parsers (`columnar`: the runs and series; `snapshot`: a run as a file holds it), so that
// `columns` and `history_csv` build them without naming the history, which reads its files
// through them.
pub use super::columnar::{PointRef, RunRef, Runs, Series};
use super::columns::{FileColumns, MetricColumn, json_lines_columns, repeated_keys};
use super::error::LoadError;
pub use super::snapshot::{Measurement, Run, Snapshot};
use super::units::Unit;
use super::yaml::Pos;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// Every run of a workspace, in order, and every metric's series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// The runs, by time where every run has one, else in file order.
    pub runs: Runs,
    /// The series, by metric name.
    pub series: BTreeMap<String, Series>,
    /// The group of each metric that has one, as its newest run gives it.
    pub groups: BTreeMap<String, String>,
    /// Every group the runs gave a metric, for each metric they put in more than one: which
    /// budget such a benchmark measures cannot be told (see [`super::columns::add_group`]).
    pub regrouped: BTreeMap<String, BTreeSet<String>>,
}

impl History {
    /// Builds the history from snapshots of one or more files (in the order given).
    /// Runs are ordered by time where every run has a time (ties keep file order), else kept in file order.
    /// A duplicated run id within one environment, or a metric in two units that do not convert,
    /// is reported with both places; the history keeps the first.
    #[must_use]
    pub fn from_snapshots(snapshots: Vec<Snapshot>) -> (History, Vec<LoadError>) {
        let mut columns = FileColumns::default();
        for snapshot in snapshots {
            columns.push_snapshot(snapshot);
        }
        History::from_columns(vec![columns])
    }

    /// Builds the history from the columns of one or more files (in the order given), as
    /// [`History::from_snapshots`] does from their snapshots: runs ordered by time where every run
    /// has one, a run id twice in one environment or a metric in units that do not convert reported
    /// with both places, the first kept.
    #[must_use]
    pub fn from_columns(files: Vec<FileColumns>) -> (History, Vec<LoadError>) {
        History::from_columns_checking(files, true, &BTreeMap::new())
    }

    /// [`History::from_columns`] where the numbers without a unit of some metrics are known to be
    /// in a unit (`bare_units`: a budget's metric and the budget's unit, as the history format
    /// says): a metric whose runs write some numbers with a unit and some without is then
    /// converted alike. Without it, such a mix is an error.
    #[must_use]
    pub fn from_columns_in_units(files: Vec<FileColumns>, bare_units: &BTreeMap<String, Unit>) -> (History, Vec<LoadError>) {
        History::from_columns_checking(files, true, bare_units)
    }

    /// [`History::from_columns`] of runs whose keys (environment, id) are known to be unique, as
    /// [`super::history_files::number_repeated_ids`] tells: the runs are not looked over for repeats.
    #[must_use]
    pub fn from_columns_of_unique_runs(files: Vec<FileColumns>) -> (History, Vec<LoadError>) {
        History::from_columns_checking(files, false, &BTreeMap::new())
    }

    fn from_columns_checking(
        mut files: Vec<FileColumns>,
        find_repeats: bool,
        bare_units: &BTreeMap<String, Unit>,
    ) -> (History, Vec<LoadError>) {
        let mut errors = Vec::new();
        // Every run has a place in read order (file by file); `offsets` are where each file's start.
        let offsets: Vec<u32> = files
            .iter()
            .scan(0u32, |total, f| {
                let start = *total;
                *total += f.runs.len() as u32;
                Some(start)
            })
            .collect();
        let total: usize = files.iter().map(|f| f.runs.len()).sum();
        // The file and position in it of a place (an empty file shares its offset with the next).
        let place = |read: u32| {
            let f = offsets.partition_point(|&start| start <= read) - 1;
            (f, (read - offsets[f]) as usize)
        };
        let run_at = |read: u32| {
            let (f, i) = place(read);
            files[f].runs.run(i)
        };
        // The places in time order where every run has a time and they are not in order already.
        let mut order: Option<Vec<u32>> = None;
        if files.iter().all(|f| f.runs.all_timed()) {
            let time = |read: u32| {
                let (f, i) = place(read);
                files[f].runs.timestamp(i)
            };
            if !(0..total as u32).is_sorted_by_key(time) {
                let mut sorted: Vec<u32> = (0..total as u32).collect();
                sorted.sort_by_key(|&i| time(i));
                order = Some(sorted);
            }
        }
        let read_at = |position: usize| order.as_ref().map_or(position as u32, |o| o[position]);
        let repeated = if find_repeats {
            repeated_keys(total, |position| {
                let (f, i) = place(read_at(position));
                files[f].runs.key(i)
            })
        } else {
            Vec::new()
        };
        for &(later, first) in &repeated {
            let (run, earlier) = (run_at(read_at(later as usize)), run_at(read_at(first as usize)));
            errors.push(LoadError::new(
                run.file,
                Pos { line: run.line, column: 0 },
                "id",
                format!("run `{}` appears twice (first in {}:{}); this one is skipped", run.id, earlier.file, earlier.line),
            ));
        }
        let in_read_order = order.is_none() && repeated.is_empty();
        // Each place's position among the runs kept (u32::MAX: a repeat), where it is not its place.
        let mut new_index: Option<Vec<u32>> = None;
        let runs = if in_read_order {
            let mut sources = files.iter_mut().map(|f| std::mem::take(&mut f.runs));
            let mut runs = sources.next().unwrap_or_default();
            for more in sources {
                runs.append(&more);
            }
            runs
        } else {
            let mut index = vec![u32::MAX; total];
            let mut picks: Vec<(u32, u32)> = Vec::with_capacity(total - repeated.len());
            let mut repeats = repeated.iter().map(|&(later, _)| later as usize).peekable();
            for position in 0..total {
                if repeats.next_if_eq(&position).is_some() {
                    continue;
                }
                let read = read_at(position);
                index[read as usize] = picks.len() as u32;
                let (f, i) = place(read);
                picks.push((f as u32, i as u32));
            }
            new_index = Some(index);
            let sources: Vec<Runs> = files.iter_mut().map(|f| std::mem::take(&mut f.runs)).collect();
            Runs::gather(&sources, &picks)
        };
        drop((order, repeated));
        let (groups, regrouped) = groups_of(&mut files);
        let mut history = History { runs, series: BTreeMap::new(), groups, regrouped };
        // Each metric's columns from every file, with their file's offset.
        let mut by_metric: BTreeMap<String, Vec<(u32, MetricColumn)>> = BTreeMap::new();
        for (file, offset) in files.into_iter().zip(offsets) {
            for column in file.metrics {
                let name = column.name.clone();
                by_metric.entry(name).or_default().push((offset, column));
            }
        }
        for (metric, columns) in by_metric {
            let one_unit = columns.iter().all(|(_, c)| c.in_one_unit())
                && columns.windows(2).all(|w| w[0].1.units.first().map(|u| &u.1) == w[1].1.units.first().map(|u| &u.1));
            let series = if in_read_order && one_unit {
                concatenated_series(columns)
            } else {
                merged_series(&metric, &columns, new_index.as_deref(), &history.runs, bare_units.get(&metric), &mut errors)
            };
            history.series.insert(metric, series);
        }
        (history, errors)
    }

    /// The names of the environments that have runs, sorted.
    #[must_use]
    pub fn environments(&self) -> Vec<String> {
        let mut envs: Vec<String> = self.runs.iter().filter_map(|r| r.environment.map(str::to_owned)).collect();
        envs.sort();
        envs.dedup();
        envs
    }

    /// Number of points over all series.
    #[must_use]
    pub fn point_count(&self) -> usize {
        self.series.values().map(Series::len).sum()
    }
}

/// The files' groups of each metric (the last file's), and every group of a metric that runs put
/// in more than one; taken from the files.
fn groups_of(files: &mut [FileColumns]) -> (BTreeMap<String, String>, BTreeMap<String, BTreeSet<String>>) {
    let (mut groups, mut regrouped) = (BTreeMap::new(), BTreeMap::new());
    for file in files {
        for (metric, seen) in std::mem::take(&mut file.regrouped) {
            regrouped.entry(metric).or_insert_with(BTreeSet::new).extend(seen);
        }
        for (metric, group) in std::mem::take(&mut file.groups) {
            super::columns::add_group(&mut groups, &mut regrouped, &metric, &group);
        }
    }
    (groups, regrouped)
}

/// A metric's columns of files read in order, all in one unit: nothing to renumber but each
/// file's offset and nothing to convert, so the columns as read, one after another.
fn concatenated_series(columns: Vec<(u32, MetricColumn)>) -> Series {
    let mut columns = columns.into_iter();
    let Some((offset, column)) = columns.next() else { return Series::default() };
    let unit = column.units.first().and_then(|(_, unit)| unit.clone());
    let mut series = column.series;
    series.shift_runs(offset);
    series.reserve(columns.as_slice().iter().map(|(_, more)| more.series.len()).sum());
    for (offset, more) in columns {
        series.append(&more.series, offset);
    }
    series.unit = unit;
    series
}

/// A metric's points from the columns of several files (or of a file whose runs were reordered),
/// renumbered by `new_index` (`u32::MAX`: a run skipped; none: the runs in read order), in run order, in the unit of the first
/// that names one: values in another unit of the same kind are converted; one that does not
/// convert is an error naming its run's file and line, and the point is left out.
fn merged_series(
    metric: &str,
    columns: &[(u32, MetricColumn)],
    new_index: Option<&[u32]>,
    runs: &Runs,
    bare_unit: Option<&Unit>,
    errors: &mut Vec<LoadError>,
) -> Series {
    // (run, column, point) of every point kept, put in run order.
    let mut points: Vec<(u32, u32, u32)> = Vec::with_capacity(columns.iter().map(|(_, c)| c.series.len()).sum());
    for (k, (offset, column)) in columns.iter().enumerate() {
        for (p, &run) in column.series.runs().iter().enumerate() {
            let new = new_index.map_or(offset + run, |index| index[(offset + run) as usize]);
            if new != u32::MAX {
                points.push((new, k as u32, p as u32));
            }
        }
    }
    if !points.is_sorted_by_key(|p| p.0) {
        points.sort_by_key(|p| p.0);
    }
    let mut series = Series::default();
    series.reserve(points.len());
    let mut converted: Vec<f64> = Vec::new();
    // A number without a unit is in the budget's unit (`bare_unit`, where the caller knows it),
    // and converts with the rest. Where it is not known, a series never mixes numbers with and
    // without a unit: the later points would otherwise be read unconverted (0.04 s as 0.04 ms),
    // and one old run added without a unit would quietly shrink every run measured since a
    // thousandfold. `first_bare` is the first run whose number has no unit, where the series began so.
    let mut first_bare: Option<u32> = None;
    let mut mixed_said = false;
    for &(run, k, p) in &points {
        let column = &columns[k as usize].1;
        let point = column.series.point(p as usize);
        let own = column.unit_at(p as usize).or(bare_unit);
        let mixed = match (&series.unit, own, first_bare) {
            (None, Some(own), Some(bare)) => Some((format!("is in {own} here, but a number without a unit before it"), bare)),
            (Some(unit), None, _) => series.runs().first().map(|&first| (format!("has no unit here, but is in {unit} before"), first)),
            _ => None,
        };
        if let Some((what, other)) = mixed {
            // Said once, at the first run that mixes; the rest of that kind are left out as well.
            if std::mem::replace(&mut mixed_said, true) {
                continue;
            }
            let (run, other) = (runs.run(run as usize), runs.run(other as usize));
            errors.push(LoadError::new(
                run.file,
                Pos { line: run.line, column: 0 },
                format!("metrics.{metric}.unit"),
                format!(
                    "`{metric}` {what} (run `{}` at {}:{}): a number without a unit is read in the budget's unit, so give every run of a metric its unit, or none",
                    other.id, other.file, other.line
                ),
            ));
            continue;
        }
        let factor = match (&series.unit, own) {
            (None, None) => {
                first_bare.get_or_insert(run);
                None
            }
            (None, Some(own)) => {
                series.unit = Some(own.clone());
                None
            }
            (Some(series_unit), Some(own)) if series_unit != own => {
                let Some(factor) = own.convert(1.0, series_unit) else {
                    let run = runs.run(run as usize);
                    errors.push(LoadError::new(
                        run.file,
                        Pos { line: run.line, column: 0 },
                        format!("metrics.{metric}.unit"),
                        format!("`{metric}` is in {own} here but in {series_unit} before; they do not convert"),
                    ));
                    continue;
                };
                Some(factor)
            }
            _ => None,
        };
        match factor {
            None => series.push(run, point.value, point.samples),
            Some(factor) => {
                let samples = point.samples.map(|s| {
                    converted.clear();
                    converted.extend(s.iter().map(|v| v * factor));
                    converted.as_slice()
                });
                series.push(run, point.value.map(|v| v * factor), samples);
            }
        }
    }
    series
}

/// Parses JSON Lines snapshots. Blank lines are skipped.
pub fn parse_json_lines(file: &str, text: &str) -> Result<Vec<Snapshot>, Vec<LoadError>> {
    json_lines_columns(file, text).map(FileColumns::into_snapshots)
}

/// Writes one snapshot as a JSON Lines line (no newline), the inverse of [`parse_json_lines`].
#[must_use]
pub fn snapshot_to_json_line(snapshot: &Snapshot) -> String {
    let mut object = serde_json::Map::new();
    object.insert("id".into(), Json::String(snapshot.run.id.clone()));
    if let Some(t) = snapshot.run.timestamp {
        object.insert("timestamp".into(), Json::String(t.to_string()));
    }
    for (key, value) in [("commit", &snapshot.run.commit), ("branch", &snapshot.run.branch), ("environment", &snapshot.run.environment)] {
        if let Some(v) = value {
            object.insert(key.into(), Json::String(v.clone()));
        }
    }
    let mut metrics = serde_json::Map::new();
    for (name, m) in &snapshot.metrics {
        let simple = m.samples.is_none() && m.unit.is_none();
        let json = if let (true, Some(v)) = (simple, m.value) {
            serde_json::json!(v)
        } else {
            let mut fields = serde_json::Map::new();
            if let Some(v) = m.value {
                fields.insert("value".into(), serde_json::json!(v));
            }
            if let Some(s) = &m.samples {
                fields.insert("samples".into(), serde_json::json!(s));
            }
            if let Some(u) = &m.unit {
                fields.insert("unit".into(), Json::String(u.symbol().to_owned()));
            }
            Json::Object(fields)
        };
        metrics.insert(name.clone(), json);
    }
    object.insert("metrics".into(), Json::Object(metrics));
    if !snapshot.groups.is_empty() {
        let groups = snapshot.groups.iter().map(|(name, group)| (name.clone(), Json::String(group.clone()))).collect();
        object.insert("groups".into(), Json::Object(groups));
    }
    Json::Object(object).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::history_csv::{csv_columns, parse_csv};
    use crate::model::units::{Statistic, Unit};

    #[test]
    fn numbers_without_a_unit_convert_in_the_budget_s_unit_and_without_one_known_a_mix_is_an_error() {
        let text = "{\"id\":\"old\",\"timestamp\":\"2026-01-01\",\"metrics\":{\"m\":20}}\n\
                    {\"id\":\"new\",\"timestamp\":\"2026-02-01\",\"metrics\":{\"m\":{\"value\":0.04,\"unit\":\"s\"}}}\n";
        let columns = || vec![json_lines_columns("h.jsonl", text).unwrap()];
        let ms = Unit::parse("ms").unwrap();
        let (h, errors) = History::from_columns_in_units(columns(), &BTreeMap::from([("m".to_owned(), ms.clone())]));
        assert!(errors.is_empty(), "{errors:?}");
        let in_ms: Vec<f64> = h.series["m"]
            .points()
            .filter_map(|p| p.value.map(|v| h.series["m"].unit.as_ref().map_or(v, |u| u.convert(v, &ms).unwrap())))
            .collect();
        assert!(in_ms.len() == 2 && (in_ms[0] - 20.0).abs() < 1e-9 && (in_ms[1] - 40.0).abs() < 1e-9, "{in_ms:?}");
        let (h, errors) = History::from_columns(columns());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!((errors[0].file.as_str(), errors[0].pos.line, errors[0].field.as_str()), ("h.jsonl", 2, "metrics.m.unit"));
        assert!(
            errors[0].message.contains("`m` is in s here, but a number without a unit before it (run `old` at h.jsonl:1)"),
            "{}",
            errors[0]
        );
        assert_eq!(h.series["m"].len(), 1, "the run that mixes is left out, never read unconverted");
    }

    #[test]
    fn json_lines_load_values_samples_and_units() {
        let text = r#"{"id":"r1","timestamp":"2026-05-01T10:00:00Z","branch":"main","environment":"ci","metrics":{"a":{"value":0.04,"unit":"s"},"b":3}}
{"id":"r2","timestamp":"2026-05-02T10:00:00Z","branch":"main","environment":"ci","metrics":{"a":{"samples":[30,50,40],"unit":"ms"}}}
"#;
        let snapshots = parse_json_lines("h.jsonl", text).unwrap();
        let (history, errors) = History::from_snapshots(snapshots);
        assert!(errors.is_empty());
        assert_eq!(history.runs.len(), 2);
        let a = &history.series["a"];
        assert_eq!(a.unit, Some(Unit::Seconds));
        // The second run's samples were written in ms and converted to the series' seconds.
        assert!((a.point(1).statistic(Statistic::Max).unwrap() - 0.05).abs() < 1e-12);
        assert_eq!(history.series["b"].len(), 1);
    }

    #[test]
    fn a_daily_summary_loads_as_one_point_at_its_median_and_an_inconsistent_one_is_refused() {
        let line = |value: f64, median: f64, min: f64| {
            format!(
                r#"{{"id":"summary-2026-01-05","timestamp":"2026-01-05T00:00:00Z","metrics":{{"m":{{"value":{value},"unit":"ms","summary":{{"count":7,"min":{min},"median":{median},"p95":48.9,"max":50.1}}}}}}}}"#
            )
        };
        let good = parse_json_lines("s.jsonl", &line(41.2, 41.2, 39.0)).unwrap();
        assert_eq!(good[0].metrics[0].1.value, Some(41.2));
        let off = parse_json_lines("s.jsonl", &line(40.0, 41.2, 39.0)).unwrap_err();
        assert!(off[0].to_string().contains("a summary's `value` is its median"), "{}", off[0]);
        let disordered = parse_json_lines("s.jsonl", &line(41.2, 41.2, 45.0)).unwrap_err();
        assert!(disordered[0].to_string().contains("min <= median <= p95 <= max"), "{}", disordered[0]);
    }

    #[test]
    fn a_bad_line_rejects_the_file_and_names_line_and_field() {
        let text = "{\"id\":\"r1\",\"metrics\":{\"a\":1}}\n{\"id\":\"r2\",\"metrics\":{\"a\":\"fast\"}}\n{\"id\":\"r3\",\"metricz\":{}}\n";
        let errors: Vec<String> = parse_json_lines("h.jsonl", text).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].starts_with("h.jsonl:2: `metrics.a`: expected a number"), "{}", errors[0]);
        assert!(errors[1].contains("`metricz`: unknown field in a snapshot; did you mean `metrics`?"), "{}", errors[1]);
    }

    #[test]
    fn broken_json_names_line_and_column() {
        let e = parse_json_lines("h.jsonl", "{\"id\":\"r1\",\"metrics\":{\"a\":1}\n").unwrap_err();
        assert_eq!(e[0].pos.line, 1);
        assert!(e[0].pos.column > 0);
    }

    #[test]
    fn negative_durations_are_refused() {
        let e = parse_json_lines("h.jsonl", "{\"id\":\"r1\",\"metrics\":{\"a\":{\"value\":-3,\"unit\":\"ms\"}}}\n").unwrap_err();
        assert!(e[0].message.contains("cannot be negative"));
    }

    #[test]
    fn runs_are_ordered_by_time_and_duplicates_reported() {
        let text = r#"{"id":"b","timestamp":"2026-05-02","metrics":{"m":2}}
{"id":"a","timestamp":"2026-05-01","metrics":{"m":1}}
{"id":"a","timestamp":"2026-05-03","metrics":{"m":3}}
"#;
        let (history, errors) = History::from_snapshots(parse_json_lines("h.jsonl", text).unwrap());
        let ids: Vec<&str> = history.runs.iter().map(|r| r.id).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("appears twice"));
    }

    #[test]
    fn wide_csv_loads_with_units_metadata_and_missing_cells() {
        let text = "time,branch,latency [ms],memory (MB),\"size, gz\"\n2026-05-01,main,40,8,\n2026-05-02,main,,9,120\n";
        let (history, errors) = History::from_snapshots(parse_csv("h.csv", text).unwrap());
        assert!(errors.is_empty());
        assert_eq!(history.runs.run(1).id, "2026-05-02");
        assert_eq!(history.runs.run(0).branch, Some("main"));
        assert_eq!(history.series["latency"].len(), 1);
        assert_eq!(history.series["latency"].unit, Some(Unit::Milliseconds));
        assert_eq!(history.series["size, gz"].point(0).value, Some(120.0));
    }

    #[test]
    fn csv_errors_name_line_and_column() {
        let e = parse_csv("h.csv", "id,a,b\n1,2,3\n2,x,3\n3,4\n").unwrap_err();
        let text: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            ["h.csv:3: `a`: expected a number or an empty cell, found `x`", "h.csv:4: expected 3 fields as in the header, found 2"]
        );
    }

    #[test]
    fn snapshots_round_trip_through_json_lines() {
        let text = r#"{"id":"r1","timestamp":"2026-05-01T10:00:00Z","commit":"abc","branch":"main","environment":"ci","metrics":{"a":{"value":1.5,"unit":"ms"},"b":2.0,"c":{"samples":[1.0,2.0]}}}"#;
        let parsed = parse_json_lines("h.jsonl", text).unwrap();
        let written = snapshot_to_json_line(&parsed[0]);
        let again = parse_json_lines("h.jsonl", &written).unwrap();
        assert_eq!(again[0].metrics, parsed[0].metrics);
        assert_eq!(again[0].run.commit, parsed[0].run.commit);
    }

    #[test]
    fn lines_read_by_either_path_give_the_same_history() {
        // Line 2 has a numeric id, which the fast path leaves to the slow one; line 3 an escaped name,
        // which it decodes.
        let text = "{\"id\":\"r1\",\"timestamp\":\"2026-05-01\",\"metrics\":{\"a\":1,\"b\":{\"samples\":[1,2],\"unit\":\"ms\"}}}\n\
                    {\"id\":2,\"timestamp\":\"2026-05-02\",\"metrics\":{\"b\":{\"value\":3,\"unit\":\"s\"},\"a\":2}}\n\
                    {\"id\":\"r3\",\"timestamp\":\"2026-05-03\",\"metrics\":{\"\\u0061\":3}}\n";
        let snapshots = parse_json_lines("h.jsonl", text).unwrap();
        let (history, errors) = History::from_snapshots(snapshots);
        assert!(errors.is_empty(), "{errors:?}");
        let ids: Vec<&str> = history.runs.iter().map(|r| r.id).collect();
        assert_eq!(ids, ["r1", "2", "r3"]);
        let a: Vec<Option<f64>> = history.series["a"].points().map(|p| p.value).collect();
        assert_eq!(a, [Some(1.0), Some(2.0), Some(3.0)]);
        assert_eq!(history.series["b"].point(1).value, Some(3000.0));
        assert_eq!(history.runs.run(2).line, 3);
    }

    #[test]
    fn a_metric_twice_in_one_line_keeps_the_last_as_json_does() {
        let snapshots = parse_json_lines("h.jsonl", "{\"id\":\"r1\",\"metrics\":{\"a\":1,\"a\":2}}\n").unwrap();
        let (history, _) = History::from_snapshots(snapshots);
        let a: Vec<Option<f64>> = history.series["a"].points().map(|p| p.value).collect();
        assert_eq!(a, [Some(2.0)]);
    }

    #[test]
    fn errors_name_the_line_after_many_good_lines_and_nothing_of_the_file_loads() {
        let mut text = String::new();
        for i in 1..=1000 {
            text.push_str(&format!("{{\"id\":\"r{i}\",\"metrics\":{{\"a\":{i}}}}}\n"));
        }
        text.push_str("{\"id\":\"r1001\",\"metrics\":{\"a\":1,\"b\":{\"value\":-1,\"unit\":\"ms\"}}}\n");
        text.push_str("\n{\"id\":\"r1002\",\"metrics\":{\"a\":1}\n");
        let errors = crate::model::columns::json_lines_columns("h.jsonl", &text).unwrap_err();
        let lines: Vec<u32> = errors.iter().map(|e| e.pos.line).collect();
        assert_eq!(lines, [1001, 1003], "{errors:?}");
        assert_eq!((errors[0].field.as_str(), errors[0].message.as_str()), ("metrics.b", "a duration or size cannot be negative"));
        assert!(errors[1].message.starts_with("not valid JSON"), "{}", errors[1]);
    }

    #[test]
    fn a_line_over_the_limit_is_an_error_naming_its_length() {
        let long =
            format!("{{\"id\":\"r1\",\"commit\":\"{}\",\"metrics\":{{\"a\":1}}}}", "x".repeat(crate::model::columns::MAX_LINE_BYTES));
        let text = format!("{{\"id\":\"r0\",\"metrics\":{{\"a\":1}}}}\n{long}\n");
        let errors = parse_json_lines("h.jsonl", &text).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pos.line, 2);
        assert!(errors[0].message.contains("over the limit of 16777216 bytes for one line"), "{}", errors[0]);
        let csv = format!("id,a\n1,2\n{},3\n", "9".repeat(crate::model::columns::MAX_LINE_BYTES));
        let errors = parse_csv("h.csv", &csv).unwrap_err();
        assert_eq!((errors.len(), errors[0].pos.line), (1, 3));
    }

    #[test]
    fn runs_of_several_files_are_merged_in_time_order_with_their_own_files_and_lines() {
        let first =
            crate::model::columns::json_lines_columns("a.jsonl", "{\"id\":\"r2\",\"timestamp\":\"2026-05-02\",\"metrics\":{\"m\":2}}\n")
                .unwrap();
        let second = csv_columns("b.csv", "time,m\n2026-05-01,1\n2026-05-03,3\n").unwrap();
        let (history, errors) = History::from_columns(vec![first, second]);
        assert!(errors.is_empty());
        let places: Vec<String> = history.runs.iter().map(|r| format!("{}:{}", r.file, r.line)).collect();
        assert_eq!(places, ["b.csv:2", "a.jsonl:1", "b.csv:3"]);
        let runs: Vec<u32> = history.series["m"].runs().to_vec();
        assert_eq!(runs, [0, 1, 2]);
        let values: Vec<Option<f64>> = history.series["m"].points().map(|p| p.value).collect();
        assert_eq!(values, [Some(1.0), Some(2.0), Some(3.0)]);
    }

    #[test]
    fn quoted_and_plain_csv_rows_read_alike() {
        let (history, errors) = History::from_snapshots(parse_csv("h.csv", "id,a\n\"r1\",1.5\nr2,\"2.5\"\nr3, 3.5 \n").unwrap());
        assert!(errors.is_empty());
        let values: Vec<Option<f64>> = history.series["a"].points().map(|p| p.value).collect();
        assert_eq!(values, [Some(1.5), Some(2.5), Some(3.5)]);
    }
}
