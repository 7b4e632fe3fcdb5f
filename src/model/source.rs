//! A live history source: `headroom.yaml`'s `history_source:`, a Prometheus-compatible store
//! (Prometheus, Thanos, Mimir, VictoriaMetrics: anything serving `/api/v1/query_range`) whose
//! answers to the budgets' `promql:` queries join the workspace's history at load time.
//!
//! ```yaml
//! history_source:
//!   prometheus:
//!     url: http://prometheus.internal:9090   # plain HTTP (a TLS endpoint through a local proxy)
//!     step: 1m            # one run per step
//!     lookback: 30d       # how far back the first read goes, and how much the cache keeps
//!     timeout: 10s        # per request
//!     stale_after: 1h     # a failing store with a cache older than this fails the load
//!     environment: prod   # the runs' environment (default: runtime_environment)
//!     branch: main        # the runs' branch (default: default_branch: what runs is what was merged)
//! ```
//!
//! This module holds the settings, parsed once with file, line and field in every error, and what
//! a read gave ([`LiveHistory`], [`SourceState`]). The reading itself (HTTP, the cache under
//! `.headroom/cache/prometheus/`) is `import::live`'s: the model does no network I/O.

use super::error::{LoadError, did_you_mean_hint};
use super::fields::{FieldReader, expected, unknown_field};
use super::time::Timestamp;
use super::yaml::{Node, Pos};
use std::fmt;
use std::str::FromStr;

/// A length of time as `headroom.yaml` writes it: a whole number and a unit, `s`, `m`, `h`, `d`
/// or `w` (`30s`, `1m`, `30d`), as Prometheus writes durations; at least one second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval(u64);

impl Interval {
    /// What an interval looks like.
    pub const EXPECTED: &'static str = "a duration such as `30s`, `1m`, `6h` or `30d`";

    /// An interval of `seconds` (at least 1).
    #[must_use]
    pub fn from_seconds(seconds: u64) -> Interval {
        Interval(seconds.max(1))
    }

    /// Its length in seconds.
    #[must_use]
    pub fn seconds(self) -> u64 {
        self.0
    }

    /// Its length in milliseconds.
    #[must_use]
    pub fn millis(self) -> i64 {
        i64::try_from(self.0.saturating_mul(1000)).unwrap_or(i64::MAX)
    }
}

/// Text that is not an [`Interval`] (the text as written).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}, found `{text}`", expected = Interval::EXPECTED, text = .0)]
pub struct NotAnInterval(pub String);

impl FromStr for Interval {
    type Err = NotAnInterval;
    fn from_str(text: &str) -> Result<Interval, NotAnInterval> {
        let bad = || NotAnInterval(text.to_owned());
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (number, unit) = t.split_at(split);
        let n: u64 = number.parse().map_err(|_| bad())?;
        let scale = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return Err(bad()),
        };
        // Up to a century: no store keeps more, and the milliseconds stay far inside i64.
        match n.checked_mul(scale) {
            Some(s) if (1..=100 * 366 * 86_400).contains(&s) => Ok(Interval(s)),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        for (unit, scale) in [("w", 7 * 86_400), ("d", 86_400), ("h", 3600), ("m", 60)] {
            if s.is_multiple_of(scale) {
                return write!(f, "{}{unit}", s / scale);
            }
        }
        write!(f, "{s}s")
    }
}

/// A Prometheus-compatible store that the budgets' `promql:` queries are read from.
#[derive(Clone, Debug, PartialEq)]
pub struct HistorySource {
    /// The server, `http://host:port` with any path prefix (Mimir's `/prometheus`), no trailing `/`.
    pub url: String,
    /// Between runs: each query is evaluated at every multiple of the step (UTC), one run each.
    pub step: Interval,
    /// How far back the first read goes, and how much the cache keeps.
    pub lookback: Interval,
    /// How long one request may take, connecting included.
    pub timeout: Interval,
    /// How old the cache may be when the store fails before the load itself fails (the runs are
    /// still read, and shown): a gate never passes on history this stale without saying so.
    pub stale_after: Interval,
    /// The environment of the runs; `headroom.yaml`'s `runtime_environment` where not given.
    pub environment: Option<String>,
    /// The branch of the runs, so they make baselines; `headroom.yaml`'s `default_branch` where
    /// not given (what runs in production is what was merged).
    pub branch: Option<String>,
    /// Where its `url:` is written, for errors about the store as a whole.
    pub pos: Pos,
}

impl HistorySource {
    /// The default step.
    pub const DEFAULT_STEP: Interval = Interval(60);
    /// The default lookback: 30 days.
    pub const DEFAULT_LOOKBACK: Interval = Interval(30 * 86_400);
    /// The default timeout of one request.
    pub const DEFAULT_TIMEOUT: Interval = Interval(10);
    /// The default bound on a failing store's cache: an hour.
    pub const DEFAULT_STALE_AFTER: Interval = Interval(3600);
    /// The most runs the lookback may hold per query (lookback / step): the cache stays bounded.
    pub const MAX_RUNS: u64 = 1_000_000;

    /// A store at `url` with every other setting at its default, written at `pos`.
    #[must_use]
    pub fn with_defaults(url: String, pos: Pos) -> HistorySource {
        HistorySource {
            url,
            step: HistorySource::DEFAULT_STEP,
            lookback: HistorySource::DEFAULT_LOOKBACK,
            timeout: HistorySource::DEFAULT_TIMEOUT,
            stale_after: HistorySource::DEFAULT_STALE_AFTER,
            environment: None,
            branch: None,
            pos,
        }
    }

    /// The field path of `history_source.prometheus.<name>`, for errors.
    #[must_use]
    pub fn field(name: &str) -> String {
        format!("history_source.prometheus.{name}")
    }
}

/// Where history sources' caches are, relative to the workspace: rebuilt from the store, never
/// committed (`import::live` keeps a `.gitignore` there, and `verify --base` refuses a cache file
/// committed since the base: its runs, of the baseline branch, would be read as the store's).
pub const CACHE_ROOT: &str = ".headroom/cache";

const SOURCE_KINDS: &[&str] = &["prometheus"];
const PROMETHEUS_FIELDS: &[&str] = &["url", "step", "lookback", "timeout", "stale_after", "environment", "branch"];

/// Parses `history_source:` (the node of its value) of `file`; every fault as a located error.
pub fn parse_history_source(file: &str, node: &Node) -> Result<HistorySource, Vec<LoadError>> {
    let mut r = FieldReader::new(file);
    let Some(settings) = prometheus_node(&mut r, node) else { return Err(r.into_errors()) };
    let Some(fields) = r.map(settings, "history_source.prometheus", "a mapping with at least `url`") else {
        return Err(r.into_errors());
    };
    let mut source = HistorySource::with_defaults(String::new(), node.pos);
    let mut url_given = false;
    for (key, v) in fields {
        let field = HistorySource::field(&key.name);
        match key.name.as_str() {
            "url" => {
                url_given = true;
                source.pos = v.pos;
                if let Some(url) = r.text_as(v, &field, "the store's address as text").and_then(|url| r.check(v, &field, store_url(&url))) {
                    source.url = url;
                }
            }
            "step" => source.step = interval(&mut r, v, &field).unwrap_or(source.step),
            "lookback" => source.lookback = interval(&mut r, v, &field).unwrap_or(source.lookback),
            "timeout" => source.timeout = interval(&mut r, v, &field).unwrap_or(source.timeout),
            "stale_after" => source.stale_after = interval(&mut r, v, &field).unwrap_or(source.stale_after),
            "environment" | "branch" => match r.text_as(v, &field, "a name").map(|t| t.trim().to_owned()) {
                Some(name) if name.is_empty() => r.error(v.pos, &field, expected("a name", &v.value)),
                Some(name) if key.name == "branch" => source.branch = Some(name),
                Some(name) => source.environment = Some(name),
                None => {}
            },
            other => r.error(key.pos, &field, unknown_field(other, PROMETHEUS_FIELDS, "`history_source.prometheus:`")),
        }
    }
    if !url_given {
        r.error(settings.pos, &HistorySource::field("url"), "the store's `url` is missing (such as `http://127.0.0.1:9090`)");
    }
    let lookback = runs_per_query(&source);
    r.check(settings, &HistorySource::field("lookback"), lookback);
    r.finish(source)
}

/// The settings node of `history_source:`'s one kind of store, `prometheus:`; `None` with the
/// faults in `r` where there is none, or another kind beside it.
fn prometheus_node<'n>(r: &mut FieldReader<'_>, node: &'n Node) -> Option<&'n Node> {
    let kinds = r.map(node, "history_source", "a mapping such as `prometheus: {url: http://host:9090}`")?;
    let mut found = None;
    let mut others = false;
    for (kind, settings) in kinds {
        if kind.name == "prometheus" {
            found = Some(settings);
        } else {
            others = true;
            let hint = did_you_mean_hint(&kind.name, SOURCE_KINDS.iter().copied());
            r.error(
                kind.pos,
                &format!("history_source.{}", kind.name),
                format!("unknown kind of store (expected prometheus, for anything serving Prometheus's HTTP API){hint}"),
            );
        }
    }
    if found.is_none() && !others {
        r.error(node.pos, "history_source", "expected `prometheus:` with the store's `url`");
    }
    found.filter(|_| !others)
}

/// An interval's setting: text that reads as one.
fn interval(r: &mut FieldReader<'_>, v: &Node, field: &str) -> Option<Interval> {
    let text = r.text_as(v, field, Interval::EXPECTED)?;
    r.check(v, field, text.parse::<Interval>())
}

/// What is wrong with the store's `url:`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreUrlFault {
    /// An HTTPS address (the text as written).
    #[error("`{0}`: only http:// is read (Headroom has no TLS stack); put the store behind a local proxy")]
    Https(String),
    /// Text that is no plain HTTP address.
    #[error("expected the store's address, such as `http://127.0.0.1:9090`, found `{0}`")]
    NotAnAddress(String),
}

/// The store's address: plain HTTP, no trailing `/`.
fn store_url(url: &str) -> Result<String, StoreUrlFault> {
    let trimmed = url.trim();
    if trimmed.starts_with("https://") {
        Err(StoreUrlFault::Https(url.to_owned()))
    } else if trimmed.len() > 7 && trimmed.starts_with("http://") && !trimmed.contains(char::is_whitespace) {
        Ok(trimmed.trim_end_matches('/').to_owned())
    } else {
        Err(StoreUrlFault::NotAnAddress(url.to_owned()))
    }
}

/// A lookback that does not fit the step.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LookbackFault {
    /// Shorter than one step: no run at all.
    #[error("the lookback ({lookback}) is shorter than one step ({step})")]
    UnderOneStep {
        /// The lookback.
        lookback: Interval,
        /// The step.
        step: Interval,
    },
    /// More than [`HistorySource::MAX_RUNS`] steps.
    #[error(
        "a lookback of {lookback} at one run per {step} is {runs} runs per query, over the limit of {}: take a longer step or a shorter lookback",
        HistorySource::MAX_RUNS
    )]
    TooManyRuns {
        /// The lookback.
        lookback: Interval,
        /// The step.
        step: Interval,
        /// Lookback / step.
        runs: u64,
    },
}

/// Refuses a lookback shorter than a step, or one of more than [`HistorySource::MAX_RUNS`] steps.
fn runs_per_query(source: &HistorySource) -> Result<u64, LookbackFault> {
    let (lookback, step) = (source.lookback, source.step);
    let runs = lookback.seconds() / step.seconds();
    if runs == 0 {
        Err(LookbackFault::UnderOneStep { lookback, step })
    } else if runs > HistorySource::MAX_RUNS {
        Err(LookbackFault::TooManyRuns { lookback, step, runs })
    } else {
        Ok(runs)
    }
}

/// How the live source stood when the workspace was loaded: shown by the app's status bar and
/// the CLI's warnings.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceState {
    /// Every query was answered: the history is the store's up to `at`.
    Fresh {
        /// The store.
        url: String,
        /// Up to when.
        at: Timestamp,
    },
    /// The store failed, within the staleness bound: the cached history is used.
    Cached {
        /// The store.
        url: String,
        /// The oldest point up to which a failing query's history is cached.
        since: Timestamp,
        /// What failed, naming the store and the query.
        error: String,
    },
    /// The store failed and the cache is older than the bound (or there is none): what is cached
    /// is still shown, and the load carries an error (the CLI exits 2).
    Failing {
        /// The store.
        url: String,
        /// Up to when a failing query's history is cached, where it is at all.
        since: Option<Timestamp>,
        /// What failed, naming the store and the query.
        error: String,
    },
}

impl SourceState {
    /// Whether the store answered every query.
    #[must_use]
    pub fn is_fresh(&self) -> bool {
        matches!(self, SourceState::Fresh { .. })
    }
}

/// One line for a status bar or a warning: `history source http://...: fresh up to T`,
/// `... cached since T (failing: ...)`, `... failing: ...`.
impl fmt::Display for SourceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceState::Fresh { url, at } => write!(f, "history source {url}: fresh up to {at}"),
            SourceState::Cached { url, since, error } => write!(f, "history source {url}: cached since {since} ({error})"),
            SourceState::Failing { url, since: Some(since), error } => {
                write!(f, "history source {url}: failing, cache stale since {since} ({error})")
            }
            SourceState::Failing { url, since: None, error } => write!(f, "history source {url}: failing, nothing cached ({error})"),
        }
    }
}

/// What reading the live source gave, for [`super::workspace::Workspace::load_with_source`]: its
/// history as JSON Lines texts (the cache's files, path relative to the workspace), the errors
/// (a query matching nothing, a failing store past the bound), and how the source stands.
#[derive(Clone, Debug, Default)]
pub struct LiveHistory {
    /// (path relative to the workspace, JSON Lines text).
    pub files: Vec<(String, String)>,
    /// Located errors: the budget and its query, or `headroom.yaml`'s `history_source:`.
    pub errors: Vec<LoadError>,
    /// How the store stands; `None` where nothing was read.
    pub state: Option<SourceState>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<HistorySource, Vec<LoadError>> {
        let root = super::super::yaml::parse(text).unwrap();
        let super::super::yaml::Value::Map(entries) = &root.value else { panic!("a mapping") };
        parse_history_source("headroom.yaml", &entries[0].1)
    }

    #[test]
    fn intervals_read_prometheus_durations_and_write_them_back() {
        assert_eq!("1m".parse::<Interval>().map(Interval::seconds), Ok(60));
        assert_eq!("30d".parse::<Interval>().map(Interval::seconds), Ok(30 * 86_400));
        assert_eq!("90s".parse::<Interval>().unwrap().to_string(), "90s");
        assert_eq!("120m".parse::<Interval>().unwrap().to_string(), "2h");
        for bad in ["", "1", "m", "0s", "1.5h", "-1m", "1y", "99999999999999w"] {
            assert!(bad.parse::<Interval>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_source_takes_defaults_and_its_own_settings() {
        let s = parse("history_source:\n  prometheus:\n    url: http://127.0.0.1:9090/\n    step: 5m\n    environment: prod\n").unwrap();
        assert_eq!(s.url, "http://127.0.0.1:9090");
        assert_eq!(s.step.seconds(), 300);
        assert_eq!(s.lookback, HistorySource::DEFAULT_LOOKBACK);
        assert_eq!(s.stale_after, HistorySource::DEFAULT_STALE_AFTER);
        assert_eq!(s.environment.as_deref(), Some("prod"));
    }

    #[test]
    fn every_bad_setting_is_named_with_its_line_and_field() {
        let e = parse("history_source:\n  prometheus:\n    url: https://prom\n    step: 1 minute\n    lokback: 30d\n").unwrap_err();
        let text: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(e.len(), 3, "{text:?}");
        assert_eq!((e[0].pos.line, e[0].field.as_str()), (3, "history_source.prometheus.url"));
        assert!(text[0].contains("only http://"), "{text:?}");
        assert_eq!((e[1].pos.line, e[1].field.as_str()), (4, "history_source.prometheus.step"));
        assert!(text[1].contains("expected a duration such as"), "{text:?}");
        assert!(text[2].contains("did you mean `lookback`?"), "{text:?}");
        let e = parse("history_source:\n  prometheus: {step: 1m}\n").unwrap_err();
        assert!(e[0].to_string().contains("`url` is missing"), "{e:?}");
        let e = parse("history_source:\n  graphite: {url: http://x}\n").unwrap_err();
        assert!(e[0].to_string().contains("unknown kind of store"), "{e:?}");
        let e = parse("history_source:\n  prometheus: {url: http://x, step: 1s, lookback: 30d}\n").unwrap_err();
        assert!(e[0].to_string().contains("2592000 runs per query, over the limit"), "{e:?}");
    }
}
