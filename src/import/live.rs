//! The live history source: `headroom.yaml`'s `history_source:` read at load time, through a
//! local cache refreshed incrementally.
//!
//! ```text
//!  budgets' promql: ──▶ for each query: from (its cached `until` + step, else now − lookback)
//!                       to now, aligned to the step, in requests of at most 10,000 points
//!                       GET {url}/api/v1/query_range?query=…&start=…&end=…&step=…
//!                                 │ (no lock held while the store answers)
//!                                 ▼
//!  .headroom/cache/prometheus/<host_port>.jsonl        the runs `prom-<time>`, one per step,
//!  .headroom/cache/prometheus/<host_port>.state.json   each query's text and `until`
//!        (under the workspace lock: read again, merged by time, pruned to the lookback,
//!         written atomically: the runs first, then the state, so a crash between the two
//!         only makes the next read ask again for a range it already has)
//!                                 │
//!                                 ▼
//!  LiveHistory: the cache's text, parsed with the workspace's own history files
//! ```
//!
//! Runs are identified by their time (`prom-<time>`, as `headroom import prometheus` names
//! them), so reading a range again never adds a run twice, and a run the workspace's files
//! already hold is taken from the files. A store that fails leaves the cache as it was (but for
//! the requests of a long range it answered before failing, which are kept): its runs are still read, with a [`SourceState::Cached`] warning, or, once the failing query's cache is
//! older than `stale_after` (or there is none), a [`SourceState::Failing`] state and an error on
//! `headroom.yaml`'s `history_source:` (the CLI exits 2). A query that matches nothing, and has
//! nothing cached, is an error on its budget.

use super::prometheus::{QueryFault, StoreFault, query_range, run_id};
use crate::model::budget::{Budget, BudgetKind};
use crate::model::config::{CONFIG_FILE, Config};
use crate::model::disk::{MAX_HISTORY_BYTES, MAX_TEXT_BYTES, read_text, write_atomic};
use crate::model::error::LoadError;
use crate::model::history::{Measurement, Run, Snapshot, parse_json_lines, snapshot_to_json_line};
use crate::model::lock::WorkspaceLock;
use crate::model::source::{HistorySource, LiveHistory, SourceState};
use crate::model::time::Timestamp;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Where the caches of Prometheus-compatible stores are, relative to the workspace (hidden: the
/// loader's walk skips it, and a `.gitignore` in `.headroom/cache/` keeps it out of git).
pub const CACHE_DIR: &str = ".headroom/cache/prometheus";

/// The most points one request asks for: Prometheus refuses more than 11,000 per series.
const MAX_POINTS_PER_REQUEST: i64 = 10_000;

/// One budget's query.
struct Query<'b> {
    metric: &'b str,
    promql: &'b str,
    budget: &'b Budget,
}

/// What the store's runs are labelled with: a cache written for other labels is read again.
struct Labels {
    environment: Option<String>,
    branch: String,
}

/// What is cached for one query.
#[derive(Clone, Debug, PartialEq)]
struct Cached {
    promql: String,
    /// The end of the last range the store answered (ms).
    until: i64,
}

/// A store's cache: each query's state, and the values by time (ms) and metric.
#[derive(Clone, Debug, Default, PartialEq)]
struct Cache {
    queries: BTreeMap<String, Cached>,
    values: BTreeMap<i64, BTreeMap<String, f64>>,
}

/// How one query's read went.
enum Outcome {
    /// The store answered the whole range `(from, to)` (ms) with these values (none where `from > to`).
    Answered(Vec<(i64, f64)>),
    /// The store answered, but the query matched no series over `(from, to)`.
    Empty,
    /// The query returns several series.
    Ambiguous(usize),
    /// The store failed: why, and what its earlier requests of the range answered (values, and
    /// the end of the last answered request), kept so a long range makes progress.
    Failed { why: StoreFault, values: Vec<(i64, f64)>, until: Option<i64> },
}

/// The cache's two files for `source`, relative to the workspace: (runs, state).
#[must_use]
pub fn cache_files(source: &HistorySource) -> (String, String) {
    let address = source.url.trim_start_matches("http://");
    let stem: String =
        address.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') { c } else { '_' }).take(100).collect();
    (format!("{CACHE_DIR}/{stem}.jsonl"), format!("{CACHE_DIR}/{stem}.state.json"))
}

/// Reads the history of `source` into the workspace at `root` as of `now`: refreshes its cache
/// with the range after each query's last answer, and gives the cached runs. Never fails as a
/// whole: faults are located errors in the result, and whatever is cached is given regardless.
#[must_use]
pub fn read(root: &Path, source: &HistorySource, config: &Config, budgets: &[Budget], now: Timestamp) -> LiveHistory {
    let mut live = LiveHistory::default();
    let queries = queries(budgets);
    if queries.is_empty() {
        live.errors.push(LoadError::new(
            CONFIG_FILE,
            source.pos,
            "history_source",
            format!("`history_source:` names the store {}, but no budget has a `promql:` query to read from it", source.url),
        ));
        return live;
    }
    let labels = Labels {
        environment: source.environment.clone().or_else(|| config.runtime_environment.clone()),
        branch: source.branch.clone().unwrap_or_else(|| config.default_branch.clone()),
    };
    let (runs_file, state_file) = cache_files(source);
    let before = match read_cache(root, source, &labels) {
        Ok(cache) => cache,
        Err(e) => {
            live.errors.push(e);
            return live;
        }
    };
    let step_ms = source.step.millis();
    let to = now.0.div_euclid(step_ms) * step_ms;
    let first = (now.0 - source.lookback.millis()).div_euclid(step_ms) * step_ms + step_ms;
    let timeout = Duration::from_secs(source.timeout.seconds());
    // The store is asked without the lock: another writer waits for no network.
    let outcomes: Vec<(i64, Outcome)> = queries
        .iter()
        .map(|q| {
            let from = match before.queries.get(q.metric) {
                Some(c) if c.promql == q.promql => (c.until + step_ms).max(first),
                _ => first,
            };
            (from, fetch(&source.url, q.promql, from, to, source.step.seconds(), timeout))
        })
        .collect();
    // Where the store answered nothing, the cache is left exactly as it is (nothing pruned either).
    // Where nothing new was asked (a second load within one step), nothing is written either.
    let answered_any = outcomes.iter().any(|(from, o)| *from <= to && !matches!(o, Outcome::Failed { until: None, .. }));
    let lock = answered_any.then(|| WorkspaceLock::acquire(root, &format!("the cache of the history source {}", source.url)));
    // The cache as it is now: another process may have refreshed it meanwhile.
    let mut cache = if answered_any { read_cache(root, source, &labels).unwrap_or(before) } else { before };
    cache.queries.retain(|metric, c| queries.iter().any(|q| q.metric == metric && q.promql == c.promql));
    for run in cache.values.values_mut() {
        run.retain(|metric, _| cache.queries.contains_key(metric));
    }
    let failures = merge(&mut cache, &queries, outcomes, (&source.url, to), &mut live.errors);
    if answered_any {
        let oldest = now.0 - source.lookback.millis();
        cache.values.retain(|&ms, run| ms > oldest && !run.is_empty());
    }
    let runs_text = runs_text(&cache, &labels);
    match lock {
        None => {}
        Some(Ok(_lock)) => {
            if let Err(e) = write_cache(root, source, &labels, &cache, &runs_text) {
                live.errors.push(LoadError::whole_file(
                    &runs_file,
                    format!(
                        "cannot write the cache of the history source {}: {e}; the store's answers were read, but not kept",
                        source.url
                    ),
                ));
            }
        }
        Some(Err(e)) => {
            live.errors.push(LoadError::whole_file(&state_file, format!("{e}; the store's answers were read, but not kept in the cache")));
        }
    }
    live.state = Some(state(source, &cache, &failures, now, to, &mut live.errors));
    if !runs_text.is_empty() {
        live.files.push((runs_file, runs_text));
    }
    live
}

/// Adds each query's answer (`(from, outcome)`, in the order of `queries`) to `cache`, whose
/// answered queries are then cached up to `to`. A query that matched nothing and has nothing
/// cached, or returns several series, is an error on its budget; the store's failures are returned.
fn merge<'q>(
    cache: &mut Cache,
    queries: &'q [Query<'q>],
    outcomes: Vec<(i64, Outcome)>,
    (url, to): (&str, i64),
    errors: &mut Vec<LoadError>,
) -> Vec<(&'q Query<'q>, StoreFault)> {
    let mut failures = Vec::new();
    for (q, (from, outcome)) in queries.iter().zip(outcomes) {
        let answered = |cache: &mut Cache| {
            let until = cache.queries.get(q.metric).map_or(to, |c| c.until.max(to));
            cache.queries.insert(q.metric.to_owned(), Cached { promql: q.promql.to_owned(), until });
        };
        match outcome {
            Outcome::Answered(values) => {
                for (ms, v) in values {
                    cache.values.entry(ms).or_default().insert(q.metric.to_owned(), v);
                }
                answered(cache);
            }
            Outcome::Empty => {
                answered(cache);
                if !cache.values.values().any(|run| run.contains_key(q.metric)) {
                    errors.push(budget_error(
                        q,
                        &format!(
                            "`{}` matched no series at {url} from {} to {}: a typo in a metric or label? (no history of this budget comes from the store)",
                            q.promql,
                            Timestamp(from),
                            Timestamp(to)
                        ),
                    ));
                }
            }
            Outcome::Ambiguous(n) => errors.push(budget_error(
                q,
                &format!(
                    "`{}` returned {n} series at {url}; aggregate it to one (sum, max, histogram_quantile ... by (le)) so the number means one thing",
                    q.promql
                ),
            )),
            Outcome::Failed { why, values, until } => {
                if let Some(until) = until {
                    for (ms, v) in values {
                        cache.values.entry(ms).or_default().insert(q.metric.to_owned(), v);
                    }
                    let until = cache.queries.get(q.metric).map_or(until, |c| c.until.max(until));
                    cache.queries.insert(q.metric.to_owned(), Cached { promql: q.promql.to_owned(), until });
                }
                failures.push((q, why));
            }
        }
    }
    failures
}

/// Each budget with a `promql:` query, once per metric (the first budget's query).
fn queries(budgets: &[Budget]) -> Vec<Query<'_>> {
    let mut out: Vec<Query<'_>> = Vec::new();
    for b in budgets.iter().filter(|b| b.kind == BudgetKind::Metric) {
        if let Some(promql) = b.promql.as_deref().map(str::trim).filter(|p| !p.is_empty())
            && !out.iter().any(|q| q.metric == b.metric)
        {
            out.push(Query { metric: &b.metric, promql, budget: b });
        }
    }
    out
}

fn budget_error(q: &Query<'_>, message: &str) -> LoadError {
    LoadError::new(&q.budget.file, q.budget.pos, format!("{}.promql", q.budget.id), format!("budget `{}`: {message}", q.budget.id))
}

/// Asks the store for `promql` from `from` to `to` (ms, both included), in requests of at most
/// [`MAX_POINTS_PER_REQUEST`] points.
fn fetch(url: &str, promql: &str, from: i64, to: i64, step_seconds: u64, timeout: Duration) -> Outcome {
    let step_ms = i64::try_from(step_seconds).unwrap_or(i64::MAX / 1000) * 1000;
    let mut values = Vec::new();
    let mut any_series = false;
    let mut until = None;
    let mut start = from;
    while start <= to {
        let end = (start + (MAX_POINTS_PER_REQUEST - 1) * step_ms).min(to);
        match query_range(url, promql, (start / 1000, end / 1000, step_seconds), timeout) {
            Ok(v) => {
                any_series = true;
                values.extend(v);
            }
            Err(QueryFault::NoSeries) => {}
            Err(QueryFault::ManySeries(n)) => return Outcome::Ambiguous(n),
            Err(QueryFault::Store(why)) => return Outcome::Failed { why, values, until },
        }
        until = Some(end);
        start = end + step_ms;
    }
    if any_series || from > to { Outcome::Answered(values) } else { Outcome::Empty }
}

/// How the source stands after a read, and the error of a failing store whose cache is too old.
fn state(
    source: &HistorySource,
    cache: &Cache,
    failures: &[(&Query<'_>, StoreFault)],
    now: Timestamp,
    to: i64,
    errors: &mut Vec<LoadError>,
) -> SourceState {
    let url = source.url.clone();
    let Some((first, why)) = failures.first() else {
        return SourceState::Fresh { url, at: Timestamp(to) };
    };
    // The oldest cache among the failing queries decides; one with none is as stale as can be.
    let since = failures.iter().map(|(q, _)| cache.queries.get(q.metric).map(|c| c.until)).try_fold(i64::MAX, |m, u| u.map(|u| m.min(u)));
    let others = match failures.len() {
        1 => String::new(),
        2 => " (and 1 more query)".to_owned(),
        n => format!(" (and {} more queries)", n - 1),
    };
    let error = format!("the store {url} failed for `{}` (budget `{}`){others}: {why}", first.promql, first.budget.id);
    match since {
        Some(since) if now.0 - since <= source.stale_after.millis() => {
            SourceState::Cached { url, since: Timestamp(since), error: format!("{error}; using the cache") }
        }
        since => {
            let cached = match since {
                Some(s) => {
                    format!("the cache ends at {}, older than stale_after ({}); its runs are still read", Timestamp(s), source.stale_after)
                }
                None => "nothing of it is cached".to_owned(),
            };
            errors.push(LoadError::new(CONFIG_FILE, source.pos, HistorySource::field("url"), format!("{error}; {cached}")));
            SourceState::Failing { url, since: since.map(Timestamp), error }
        }
    }
}

/// The cache of `source` in the workspace at `root`: empty where there is none, or where it was
/// written for another step, environment or branch. A cache that does not read is an error naming it, and
/// is left as it is.
fn read_cache(root: &Path, source: &HistorySource, labels: &Labels) -> Result<Cache, LoadError> {
    let (runs_file, state_file) = cache_files(source);
    let state_text = match read_text(&root.join(&state_file), MAX_TEXT_BYTES) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Cache::default()),
        Err(e) => return Err(unreadable(&state_file, &e.to_string())),
    };
    let state: Json = serde_json::from_str(&state_text).map_err(|e| unreadable(&state_file, &e.to_string()))?;
    let same = state.get("step_seconds").and_then(Json::as_u64) == Some(source.step.seconds())
        && state.get("environment").and_then(Json::as_str) == labels.environment.as_deref()
        && state.get("branch").and_then(Json::as_str) == Some(labels.branch.as_str());
    if !same {
        return Ok(Cache::default());
    }
    let mut cache = Cache::default();
    for (metric, q) in state.get("queries").and_then(Json::as_object).into_iter().flatten() {
        let (Some(promql), Some(until)) = (q.get("promql").and_then(Json::as_str), q.get("until").and_then(Json::as_str)) else {
            return Err(unreadable(&state_file, &format!("the query of `{metric}` lacks `promql` or `until`")));
        };
        let until = Timestamp::parse(until).map_err(|e| unreadable(&state_file, &e.to_string()))?;
        cache.queries.insert(metric.clone(), Cached { promql: promql.to_owned(), until: until.0 });
    }
    let runs_text = match read_text(&root.join(&runs_file), MAX_HISTORY_BYTES) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(unreadable(&runs_file, &e.to_string())),
    };
    let snapshots = parse_json_lines(&runs_file, &runs_text)
        .map_err(|e| unreadable(&runs_file, &e.first().map_or_else(String::new, ToString::to_string)))?;
    for s in snapshots {
        let Some(t) = s.run.timestamp else { continue };
        let run = cache.values.entry(t.0).or_default();
        for (metric, m) in s.metrics {
            if let Some(v) = m.value {
                run.insert(metric, v);
            }
        }
    }
    Ok(cache)
}

fn unreadable(file: &str, why: &str) -> LoadError {
    LoadError::whole_file(
        file,
        format!(
            "the history source's cache does not read ({why}); it is left as it is: remove it to read the lookback from the store again"
        ),
    )
}

/// The cache's runs as JSON Lines, in time order.
fn runs_text(cache: &Cache, labels: &Labels) -> String {
    let mut out = String::new();
    for (&ms, values) in &cache.values {
        let snapshot = Snapshot {
            run: Run {
                id: run_id(ms),
                timestamp: Some(Timestamp(ms)),
                commit: None,
                branch: Some(labels.branch.clone()),
                environment: labels.environment.clone(),
                file: "".into(),
                line: 0,
            },
            metrics: values.iter().map(|(n, &v)| (n.clone(), Measurement { value: Some(v), samples: None, unit: None })).collect(),
            groups: BTreeMap::new(),
        };
        out.push_str(&snapshot_to_json_line(&snapshot));
        out.push('\n');
    }
    out
}

/// Writes the cache: the runs, then the state (see the module's diagram for why in that order).
fn write_cache(root: &Path, source: &HistorySource, labels: &Labels, cache: &Cache, runs_text: &str) -> std::io::Result<()> {
    let (runs_file, state_file) = cache_files(source);
    let dir = root.join(CACHE_DIR);
    std::fs::create_dir_all(&dir)?;
    let ignore = root.join(".headroom/cache/.gitignore");
    if !ignore.exists() {
        write_atomic(&ignore, b"# Headroom's cache of history sources: rebuilt from the store, never committed.\n*\n")?;
    }
    write_atomic(&root.join(runs_file), runs_text.as_bytes())?;
    let queries: serde_json::Map<String, Json> = cache
        .queries
        .iter()
        .map(|(metric, c)| (metric.clone(), serde_json::json!({"promql": c.promql, "until": Timestamp(c.until).to_string()})))
        .collect();
    let state = serde_json::json!({
        "url": source.url,
        "step_seconds": source.step.seconds(),
        "environment": labels.environment,
        "branch": labels.branch,
        "queries": queries,
    });
    write_atomic(&root.join(state_file), format!("{state:#}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(id: &str, promql: &str) -> Budget {
        let text = format!("budgets:\n  {id}: {{unit: ms, limit: 50, promql: '{promql}'}}\n");
        crate::model::budget::parse_budget_file("b.yaml", &text).unwrap().remove(0)
    }

    #[test]
    fn a_store_failing_midway_keeps_what_it_answered_and_one_failing_at_once_changes_nothing() {
        let budgets = [budget("a", "max(a)"), budget("b", "max(b)")];
        let queries = queries(&budgets);
        let mut cache = Cache::default();
        cache.queries.insert("a".into(), Cached { promql: "max(a)".into(), until: 1_000 });
        cache.values.insert(1_000, BTreeMap::from([("a".to_owned(), 1.0)]));
        let before = cache.clone();
        let outcomes = vec![
            (2_000, Outcome::Failed { why: StoreFault::Failed("timed out".into()), values: vec![(2_000, 2.0)], until: Some(2_000) }),
            (2_000, Outcome::Failed { why: StoreFault::Failed("refused".into()), values: Vec::new(), until: None }),
        ];
        let mut errors = Vec::new();
        let failures = merge(&mut cache, &queries, outcomes, ("http://x", 9_000), &mut errors);
        assert!(errors.is_empty());
        let failures: Vec<(&str, String)> = failures.iter().map(|(q, why)| (q.metric, why.to_string())).collect();
        assert_eq!(failures, [("a", "the query failed: timed out".to_owned()), ("b", "the query failed: refused".to_owned())]);
        assert_eq!(cache.queries["a"].until, 2_000, "up to the last request answered, not to the end of the range");
        assert_eq!(cache.values[&2_000].get("a"), Some(&2.0));
        assert_eq!(cache.values[&1_000], before.values[&1_000]);
        assert!(!cache.queries.contains_key("b"), "nothing answered for b: nothing cached");
    }

    #[test]
    fn a_store_is_cached_under_a_file_name_of_its_address() {
        let source = HistorySource::with_defaults("http://prom.internal:9090/prometheus".into(), crate::model::yaml::Pos::default());
        assert_eq!(
            cache_files(&source),
            (
                ".headroom/cache/prometheus/prom.internal_9090_prometheus.jsonl".to_owned(),
                ".headroom/cache/prometheus/prom.internal_9090_prometheus.state.json".to_owned()
            )
        );
    }
}
