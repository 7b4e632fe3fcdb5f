//! `headroom.yaml`'s `history_source:` against a real Prometheus and a real VictoriaMetrics on
//! loopback: the first read, the incremental refresh that asks only for the new range, the store
//! going down (the cache used, loudly, and kept), a query that matches nothing, and `headroom check`
//! end to end.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

mod stores;

use headroom::import::live;
use headroom::model::source::SourceState;
use headroom::model::time::Timestamp;
use headroom::model::workspace::Workspace;
use std::path::Path;
use std::process::Command;
use stores::{server, victoria_metrics};

const HOUR: i64 = 3600;
const QUERY: &str = "max(api_latency_ms)";

/// The end of the stores' data, in seconds: a whole hour, three hours ago (older than the head
/// block Prometheus keeps in memory, so the backfilled blocks serve all of it).
fn data_end() -> i64 {
    (Timestamp::now().0 / 1000 / HOUR - 3) * HOUR
}

/// Twelve hours of a gauge on two hosts, one sample a minute up to `end` (seconds): `(time, value)`
/// of the host that is the worse, as `value(t)` says.
fn samples(end: i64, value: impl Fn(i64) -> f64) -> Vec<(i64, String, f64)> {
    let mut out = Vec::new();
    for t in (end - 12 * HOUR..=end).step_by(60) {
        out.push((t, "a".to_owned(), value(t)));
        out.push((t, "b".to_owned(), value(t) - 5.0));
    }
    out
}

fn openmetrics(samples: &[(i64, String, f64)]) -> String {
    let mut om = String::from("# TYPE api_latency_ms gauge\n");
    for (t, host, v) in samples {
        om.push_str(&format!("api_latency_ms{{host=\"{host}\"}} {v} {t}\n"));
    }
    om.push_str("# EOF\n");
    om
}

fn exposition_ms(samples: &[(i64, String, f64)]) -> String {
    let mut text = String::new();
    for (t, host, v) in samples {
        text.push_str(&format!("api_latency_ms{{host=\"{host}\"}} {v} {}\n", t * 1000));
    }
    text
}

/// A workspace reading `url` every five minutes, six hours back, into `prod`, with one budget on
/// the query (and `extra` budgets after it).
fn workspace(dir: &Path, url: &str, stale_after: &str, extra: &str) -> std::path::PathBuf {
    let ws = dir.join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(
        ws.join("headroom.yaml"),
        format!(
            "environments: [ci, prod]\nhistory_source:\n  prometheus:\n    url: {url}\n    step: 5m\n    lookback: 6h\n    timeout: 5s\n    stale_after: {stale_after}\n    environment: prod\n"
        ),
    )
    .unwrap();
    std::fs::write(
        ws.join("api.yaml"),
        format!("budgets:\n  api:\n    unit: ms\n    limit: 50\n    metric: api.latency\n    promql: '{QUERY}'\n{extra}"),
    )
    .unwrap();
    ws
}

/// Loads `ws` as the CLI and the app do, as if it were `now_s` (seconds).
fn load_at(ws: &Path, now_s: i64) -> Workspace {
    let mut read = |source: &_, config: &_, budgets: &[_]| live::read(ws, source, config, budgets, Timestamp(now_s * 1000));
    Workspace::load_with_source(ws, &mut |_, _| {}, Some(&mut read)).unwrap()
}

/// The query_range requests of `query` in Prometheus's query log: (start, end) in seconds.
fn logged_ranges(log: &Path, query: &str) -> Vec<(i64, i64)> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|entry| entry["params"]["query"] == query)
        .map(|entry| {
            let at = |key: &str| Timestamp::parse(entry["params"][key].as_str().unwrap()).unwrap().0 / 1000;
            (at("start"), at("end"))
        })
        .collect()
}

fn cache(ws: &Path, url: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let (runs, state) = live::cache_files(&headroom::model::source::HistorySource {
        url: url.to_owned(),
        step: headroom::model::source::HistorySource::DEFAULT_STEP,
        lookback: headroom::model::source::HistorySource::DEFAULT_LOOKBACK,
        timeout: headroom::model::source::HistorySource::DEFAULT_TIMEOUT,
        stale_after: headroom::model::source::HistorySource::DEFAULT_STALE_AFTER,
        environment: None,
        branch: None,
        pos: headroom::model::yaml::Pos::default(),
    });
    (ws.join(runs), ws.join(state))
}

fn value_at(w: &Workspace, t_s: i64) -> Option<f64> {
    let series = w.history.series.get("api.latency")?;
    let run = w.history.runs.iter().position(|r| r.timestamp == Some(Timestamp(t_s * 1000)))?;
    series.points().find(|p| p.run as usize == run).and_then(|p| p.value)
}

fn ids_are_unique(w: &Workspace) -> bool {
    let mut ids: Vec<&str> = w.history.runs.iter().map(|r| r.id).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    ids.len() == n
}

#[test]
fn prometheus_is_read_once_then_only_for_the_new_range() {
    let dir = tempfile::tempdir().unwrap();
    let end = data_end();
    // 40 ms on the worse host, 45 ms for the last hour.
    let prom = server(dir.path(), &openmetrics(&samples(end, |t| if t > end - HOUR { 45.0 } else { 40.0 })));
    let ws = workspace(dir.path(), &prom.url, "1h", "");
    let log = prom.query_log.clone().unwrap();

    // The first read: six hours back from two hours before the data's end, at every 5 minutes.
    let first = end - 2 * HOUR;
    let w = load_at(&ws, first);
    assert!(w.errors.is_empty(), "{:?}", w.errors);
    assert_eq!(w.history_source, Some(SourceState::Fresh { url: prom.url.clone(), at: Timestamp(first * 1000) }));
    assert_eq!(w.history.runs.len(), 72, "six hours of five-minute steps");
    assert_eq!(value_at(&w, first), Some(40.0));
    // In the source's environment, on the default branch (so they make baselines).
    assert!(w.history.runs.iter().all(|r| r.id.starts_with("prom-") && r.environment == Some("prod") && r.branch == Some("main")));
    assert_eq!(logged_ranges(&log, QUERY), [(first - 6 * HOUR + 300, first)]);
    let (runs_file, state_file) = cache(&ws, &prom.url);
    assert_eq!(std::fs::read_to_string(&runs_file).unwrap().lines().count(), 72);
    assert!(std::fs::read_to_string(&state_file).unwrap().contains(QUERY));
    assert_eq!(std::fs::read_to_string(ws.join(".headroom/cache/.gitignore")).unwrap().lines().last(), Some("*"));

    // Two hours later: only the two new hours are asked; the runs are the last six hours, each once.
    let w = load_at(&ws, end);
    assert!(w.errors.is_empty(), "{:?}", w.errors);
    assert_eq!(logged_ranges(&log, QUERY), [(first - 6 * HOUR + 300, first), (first + 300, end)]);
    assert_eq!(w.history.runs.len(), 72);
    assert!(ids_are_unique(&w));
    assert_eq!(value_at(&w, end), Some(45.0));
    assert_eq!(value_at(&w, first), Some(40.0));

    // Within the same step, nothing is asked and nothing is written.
    let before = std::fs::read(&runs_file).unwrap();
    let w = load_at(&ws, end + 60);
    assert_eq!(logged_ranges(&log, QUERY).len(), 2);
    assert_eq!(w.history.runs.len(), 72);
    assert_eq!(std::fs::read(&runs_file).unwrap(), before);
}

#[test]
fn a_store_that_goes_down_leaves_the_cache_in_use_and_whole_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let end = data_end();
    let mut prom = server(dir.path(), &openmetrics(&samples(end, |_| 42.0)));
    let ws = workspace(dir.path(), &prom.url, "1h", "");
    let w = load_at(&ws, end);
    assert!(w.errors.is_empty(), "{:?}", w.errors);
    let (runs_file, state_file) = cache(&ws, &prom.url);
    let (runs, state) = (std::fs::read(&runs_file).unwrap(), std::fs::read(&state_file).unwrap());
    prom.stop();

    // Ten minutes on, within `stale_after`: the cached runs, and the failure named.
    let w = load_at(&ws, end + 600);
    assert!(w.errors.is_empty(), "{:?}", w.errors);
    let Some(SourceState::Cached { since, error, .. }) = &w.history_source else { panic!("{:?}", w.history_source) };
    assert_eq!(*since, Timestamp(end * 1000));
    assert!(error.contains(&prom.url) && error.contains(QUERY) && error.contains("cannot reach"), "{error}");
    assert_eq!(w.history.runs.len(), 72);
    // Two hours on, past it: still the cached runs, and an error on `history_source:` that fails the load.
    let w = load_at(&ws, end + 2 * HOUR);
    assert!(matches!(w.history_source, Some(SourceState::Failing { .. })), "{:?}", w.history_source);
    assert_eq!(w.errors.len(), 1, "{:?}", w.errors);
    let e = &w.errors[0];
    assert_eq!((e.file.as_str(), e.pos.line, e.field.as_str()), ("headroom.yaml", 4, "history_source.prometheus.url"));
    assert!(e.message.contains("older than stale_after (1h)") && e.message.contains(QUERY), "{e}");
    assert_eq!(w.history.runs.len(), 72);
    // Nothing of the cache was lost or rewritten.
    assert_eq!(std::fs::read(&runs_file).unwrap(), runs);
    assert_eq!(std::fs::read(&state_file).unwrap(), state);
}

#[test]
fn a_store_that_hangs_is_cut_off_at_its_timeout() {
    // A socket that takes connections and never answers, as a store stuck under load does.
    let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", hung.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), &url, "1h", "");
    let config = ws.join("headroom.yaml");
    std::fs::write(&config, std::fs::read_to_string(&config).unwrap().replace("timeout: 5s", "timeout: 1s")).unwrap();
    let started = std::time::Instant::now();
    let w = load_at(&ws, data_end());
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(matches!(&w.history_source, Some(SourceState::Failing { since: None, .. })), "{:?}", w.history_source);
    assert_eq!(w.errors.len(), 1, "{:?}", w.errors);
    assert!(w.errors[0].message.contains(&url) && w.errors[0].message.contains("nothing of it is cached"), "{}", w.errors[0]);
    assert!(!ws.join(".headroom").exists(), "nothing answered, nothing written");
}

fn headroom(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_headroom")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn check_reads_the_store_warns_on_its_cache_and_fails_on_a_stale_one_or_a_query_matching_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let end = data_end();
    let mut prom = server(dir.path(), &openmetrics(&samples(end, |_| 42.0)));
    let ws = workspace(dir.path(), &prom.url, "1h", "");
    // A run a second, so that a second later there is a new range to ask the store for.
    let config = ws.join("headroom.yaml");
    std::fs::write(
        &config,
        std::fs::read_to_string(&config).unwrap().replace("step: 5m", "step: 1s").replace("lookback: 6h", "lookback: 4h"),
    )
    .unwrap();
    let path = ws.to_str().unwrap();
    // No runs in the workspace's files: the store's are checked (42 ms against 50 ms in prod),
    // against a baseline of the store's earlier runs.
    let (code, out, err) = headroom(&["check", path, "--env", "prod"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("42 ms") && out.contains("PASS"), "{out}");
    assert!(!out.contains("no earlier run"), "{out}");
    // Four hours a second is 14,400 points, over the 11,000 Prometheus answers at once: two requests.
    let ranges = logged_ranges(prom.query_log.as_ref().unwrap(), QUERY);
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    assert_eq!((ranges[0].1 - ranges[0].0, ranges[1].0 - ranges[0].1), (9_999, 1), "{ranges:?}");
    assert!(err.is_empty(), "{err:?}");
    let (runs_file, _) = cache(&ws, &prom.url);
    let cached = std::fs::read(&runs_file).unwrap();

    // The store down: the same verdict from the cache, with a loud warning naming the store and the query.
    prom.stop();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, out, err) = headroom(&["check", path, "--env", "prod"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("42 ms"), "{out}");
    assert!(err.starts_with(&format!("warning: history source {}: cached since", prom.url)) && err.contains(QUERY), "{err}");
    // With a bound of a second, the same cache is stale: exit 2, the error in the report, the runs still shown.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(&config, std::fs::read_to_string(&config).unwrap().replace("stale_after: 1h", "stale_after: 1s")).unwrap();
    let (code, out, err) = headroom(&["check", path, "--env", "prod"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("history_source.prometheus.url") && out.contains("older than stale_after (1s)"), "{out}");
    assert!(out.contains("42 ms"), "{out}");
    assert!(err.contains("failing, cache stale since"), "{err}");
    assert_eq!(std::fs::read(&runs_file).unwrap(), cached);

    // A query that matches nothing: an error naming the budget and the query; the other budget still read.
    std::fs::create_dir_all(dir.path().join("again")).unwrap();
    let prom = server(&dir.path().join("again"), &openmetrics(&samples(end, |_| 42.0)));
    let ws = workspace(
        &dir.path().join("again"),
        &prom.url,
        "1h",
        "  typo:\n    unit: ms\n    limit: 50\n    metric: api.latncy\n    promql: 'max(api_latncy_ms)'\n",
    );
    let (code, out, err) = headroom(&["check", ws.to_str().unwrap(), "--env", "prod"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("budget `typo`: `max(api_latncy_ms)` matched no series"), "{out}");
    assert!(out.contains("42 ms"), "{out}");
}

#[test]
fn victoria_metrics_is_read_once_then_only_for_the_new_range_and_its_cache_outlives_it() {
    let dir = tempfile::tempdir().unwrap();
    let end = data_end();
    let mut vm = victoria_metrics(dir.path(), &exposition_ms(&samples(end, |t| if t > end - HOUR { 45.0 } else { 40.0 })));
    let ws = workspace(dir.path(), &vm.url, "1h", "");
    let first = end - 2 * HOUR;
    let w = load_at(&ws, first);
    assert!(w.errors.is_empty(), "{:?}", w.errors);
    assert_eq!(w.history.runs.len(), 72);
    assert_eq!(value_at(&w, first), Some(40.0));
    // A mark in the cache on the last run read: a second read that asked for it again would overwrite it.
    let (runs_file, _) = cache(&ws, &vm.url);
    let text = std::fs::read_to_string(&runs_file).unwrap();
    let last = text.lines().last().unwrap().to_owned();
    assert!(last.contains("\"api.latency\":40"), "{last}");
    std::fs::write(&runs_file, text.replace(&last, &last.replace("\"api.latency\":40", "\"api.latency\":999"))).unwrap();

    let w = load_at(&ws, end);
    assert!(w.errors.is_empty(), "{:?}", w.errors);
    assert_eq!(value_at(&w, first), Some(999.0), "the cached range was not asked again");
    assert_eq!(value_at(&w, first + 300), Some(40.0));
    assert_eq!(value_at(&w, end), Some(45.0));
    assert_eq!(w.history.runs.len(), 72);
    assert!(ids_are_unique(&w));

    // Down: the cache is read, the failure named, nothing lost.
    let kept = std::fs::read(&runs_file).unwrap();
    vm.stop();
    let w = load_at(&ws, end + 600);
    assert!(matches!(&w.history_source, Some(SourceState::Cached { error, .. }) if error.contains(&vm.url)), "{:?}", w.history_source);
    assert_eq!(w.history.runs.len(), 72);
    assert_eq!(std::fs::read(&runs_file).unwrap(), kept);

    // A query that matches nothing in VictoriaMetrics is as loud as in Prometheus.
    let mut vm = victoria_metrics(&dir.path().join("again"), &exposition_ms(&samples(end, |_| 42.0)));
    let ws = workspace(&dir.path().join("again"), &vm.url, "1h", "  typo:\n    unit: ms\n    limit: 50\n    promql: 'max(nothing_here)'\n");
    let w = load_at(&ws, end);
    assert_eq!(w.errors.len(), 1, "{:?}", w.errors);
    assert_eq!((w.errors[0].file.as_str(), w.errors[0].field.as_str()), ("api.yaml", "typo.promql"));
    assert!(w.errors[0].message.contains("`max(nothing_here)` matched no series"), "{}", w.errors[0]);
    vm.stop();
}

/// The app on `ws`, once it has loaded (on its loading thread).
#[cfg(feature = "gui")]
fn app_on(ws: &Path) -> egui_kittest::Harness<'static, headroom::gui::App> {
    use headroom::gui::{App, Source};
    let source = Source::Folder(ws.to_owned());
    let mut harness = egui_kittest::Harness::builder().with_size(egui::vec2(1400.0, 860.0)).build_eframe(move |cc| App::new(cc, &source));
    let started = std::time::Instant::now();
    while harness.state().state.busy() {
        // A liveness bound, not a speed target.
        assert!(started.elapsed() < std::time::Duration::from_secs(120), "the app did not finish loading");
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    harness.run();
    harness
}

#[cfg(feature = "gui")]
#[test]
fn the_app_reads_the_store_on_its_loading_thread_and_shows_how_it_stands() {
    use egui_kittest::kittest::Queryable as _;
    let dir = tempfile::tempdir().unwrap();
    let end = data_end();
    let mut prom = server(dir.path(), &openmetrics(&samples(end, |_| 42.0)));
    // A run a second (so that a second later there is something new to ask for), six hours back.
    let ws = workspace(dir.path(), &prom.url, "1h", "");
    let config = ws.join("headroom.yaml");
    std::fs::write(&config, std::fs::read_to_string(&config).unwrap().replace("step: 5m", "step: 1s")).unwrap();
    let harness = app_on(&ws);
    let state = &harness.state().state;
    assert!(
        matches!(&state.workspace.history_source, Some(SourceState::Fresh { url, .. }) if *url == prom.url),
        "{:?}",
        state.workspace.history_source
    );
    assert!(state.workspace.history.runs.len() > 1000, "{}", state.workspace.history.runs.len());
    assert!(state.load_errors().next().is_none());
    harness.get_by_label_contains(&format!("history source {}: fresh up to ", prom.url));
    drop(harness);
    // The store down a second later: the cached runs, and the status bar says since when.
    prom.stop();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let harness = app_on(&ws);
    assert!(harness.state().state.workspace.history.runs.len() > 1000);
    harness.get_by_label_contains(&format!("history source {}: cached since ", prom.url));
}
