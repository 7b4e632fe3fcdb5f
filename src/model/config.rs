//! The workspace's own settings file, `headroom.yaml`: its fields ([`Config`]), their parser,
//! and the in-place rewrite of its `check:` block that `propose --setting` and the app's sliders use.

use super::error::{LoadError, did_you_mean_hint};
use super::fields::{self, FieldReader, get};
use super::retention::Retention;
use super::settings::{BudgetCheck, CHECK_FIELDS, CheckField, CheckSettings, check_field};
use super::source::{HistorySource, parse_history_source};
use super::yaml::{self, Node, Pos, Value};
use std::collections::BTreeMap;

/// The name of the workspace's own settings file.
pub const CONFIG_FILE: &str = "headroom.yaml";

/// The workspace's `headroom.yaml`.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The branch whose runs make the baseline of a pull request.
    pub default_branch: String,
    /// The environment checked when none is named.
    pub default_environment: Option<String>,
    /// The environment the services run in, whose limits the run-time alerts use (`prod`).
    pub runtime_environment: Option<String>,
    /// The repository's web address (`https://github.com/org/repo`), for links to commits.
    pub repository: Option<String>,
    /// The environments overrides may name; empty for any.
    pub environments: Vec<String>,
    /// The history folder, relative to the workspace.
    pub history: String,
    /// Settings of `check`.
    pub check: CheckSettings,
    /// Where each budget's own check settings are written (for errors naming an unknown budget).
    pub check_positions: BTreeMap<String, Pos>,
    /// How long runs are kept whole before `headroom compact` summarizes them; `None`: forever.
    pub retention: Option<Retention>,
    /// Which metrics of the history measure a budget (`metrics:`), by the budget's metric: for
    /// benchmarks whose names do not say which budget they measure. Every importer's names work.
    pub metrics: BTreeMap<String, MetricMap>,
    /// PromQL for `headroom alerts` by the budget's metric kind (`alerts: promql: latency: ...`),
    /// with `{capability}` standing for the capability's name: runtime alerts for budget files
    /// of the ADR 030 form that carry no `promql:` of their own.
    pub alert_promql: BTreeMap<String, String>,
    /// A Prometheus-compatible store whose answers to the budgets' `promql:` queries join the
    /// history at load time (`history_source:`); `None` for the workspace's files alone.
    pub history_source: Option<HistorySource>,
}

/// One entry of `headroom.yaml`'s `metrics:` map.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricMap {
    /// The history's metrics that measure the budget (several: the worst of them counts).
    pub names: Vec<String>,
    /// Where the entry is written.
    pub pos: Pos,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            default_branch: "main".to_owned(),
            default_environment: None,
            runtime_environment: None,
            repository: None,
            environments: Vec::new(),
            history: "history".to_owned(),
            check: CheckSettings::default(),
            check_positions: BTreeMap::new(),
            retention: None,
            metrics: BTreeMap::new(),
            alert_promql: BTreeMap::new(),
            history_source: None,
        }
    }
}

const CONFIG_FIELDS: &[&str] = &[
    "default_branch",
    "default_environment",
    "runtime_environment",
    "repository",
    "environments",
    "history",
    "check",
    "retention",
    "metrics",
    "alerts",
    "history_source",
];
const ALERT_FIELDS: &[&str] = &["promql"];

/// A `repository:` that is not a web address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("expected the repository's web address, such as `https://github.com/org/repo`, found `{0}`")]
pub struct NotAWebAddress(pub String);

/// `https://github.com/org/repo/` → `https://github.com/org/repo`: a web address commits are under.
fn repository_url(text: &str) -> Result<String, NotAWebAddress> {
    let url = text.trim().trim_end_matches('/');
    if (url.starts_with("https://") || url.starts_with("http://")) && !url.contains(char::is_whitespace) {
        Ok(url.to_owned())
    } else {
        Err(NotAWebAddress(text.to_owned()))
    }
}

/// Parses `headroom.yaml`.
pub fn parse_config(file: &str, text: &str) -> Result<Config, Vec<LoadError>> {
    let root = fields::document(file, text)?;
    let mut config = Config::default();
    if root.value == Value::Null {
        return Ok(config);
    }
    let mut r = FieldReader::new(file);
    let Some(entries) = r.map(&root, "", "a mapping of settings") else { return Err(r.into_errors()) };
    r.unknown_keys(entries, CONFIG_FIELDS, "", CONFIG_FILE);
    for (key, node) in entries {
        let field = key.name.as_str();
        match field {
            "default_branch" => config.default_branch = r.text(node, field).unwrap_or(config.default_branch),
            "default_environment" => config.default_environment = r.text(node, field),
            "runtime_environment" => config.runtime_environment = r.text(node, field),
            "repository" => config.repository = r.text(node, field).and_then(|s| r.check(node, field, repository_url(&s))),
            "history" => config.history = r.text(node, field).unwrap_or(config.history),
            "environments" => {
                for item in r.seq(node, field, "a list of names").unwrap_or_default() {
                    config.environments.extend(r.text_as(item, field, "an environment name"));
                }
            }
            "retention" => config.retention = Retention::read(&mut r, node),
            "check" => {
                if let Some(fields) = r.map(node, field, "a mapping") {
                    check_settings(&mut r, fields, &mut config);
                }
            }
            "metrics" => config.metrics = r.map(node, field, "a mapping").map(|m| metric_map(&mut r, m)).unwrap_or_default(),
            "alerts" => config.alert_promql = r.map(node, field, "a mapping").map(|a| alert_promql(&mut r, a)).unwrap_or_default(),
            "history_source" => match parse_history_source(file, node) {
                Ok(source) => config.history_source = Some(source),
                Err(errors) => r.extend(errors),
            },
            _ => {} // an unknown field, said above
        }
    }
    for (field, env) in [("default_environment", &config.default_environment), ("runtime_environment", &config.runtime_environment)] {
        if let Some(env) = env
            && !config.environments.is_empty()
            && !config.environments.contains(env)
        {
            r.error(root.pos, field, format!("`{env}` is not among `environments`"));
        }
    }
    r.finish(config)
}

/// The names of the gate's settings that `headroom propose --setting` may change.
pub const CHECK_SETTING_NAMES: &[&str] = &["regression_threshold", "baseline_runs", "missing_data", "significance"];

/// Why a gate setting could not be changed in `headroom.yaml`'s text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingChangeError {
    /// Not a setting of the gate.
    #[error("`{name}` is not a setting of the gate (expected {}){}", CHECK_SETTING_NAMES.join(", "), did_you_mean_hint(.name, CHECK_SETTING_NAMES.iter().copied()))]
    NotASetting {
        /// The name given.
        name: String,
    },
    /// The file as it is does not read.
    #[error("{file} does not read: {}", .first.as_ref().map_or_else(String::new, ToString::to_string))]
    Unreadable {
        /// The settings file.
        file: String,
        /// Its first error.
        first: Option<LoadError>,
    },
    /// The value does not read as the file would read it.
    #[error("`{name}: {value}`: {message}")]
    BadValue {
        /// The setting.
        name: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        message: String,
    },
    /// The changed file would not read back as written.
    #[error("{0}")]
    NotWritten(LoadError),
}

/// The text of `headroom.yaml` (`text`, empty where there is none) with one gate setting changed:
/// `name` (one of [`CHECK_SETTING_NAMES`]) to `value` (as it would be written in the file, e.g.
/// `10%`), for the budget `budget` or, with `None`, for the workspace. The value is read by the
/// same parser as the file, and the result is parsed again.
pub fn with_check_setting(file: &str, text: &str, budget: Option<&str>, name: &str, value: &str) -> Result<String, SettingChangeError> {
    if !CHECK_SETTING_NAMES.contains(&name) {
        return Err(SettingChangeError::NotASetting { name: name.to_owned() });
    }
    let mut config =
        parse_config(file, text).map_err(|e| SettingChangeError::Unreadable { file: file.to_owned(), first: e.into_iter().next() })?;
    // The value alone, read as the file would read it.
    let snippet = format!("check:\n  {name}: {}\n", value.trim());
    let one = parse_config(file, &snippet).map_err(|e| SettingChangeError::BadValue {
        name: name.to_owned(),
        value: value.trim().to_owned(),
        message: e.into_iter().next().map(|e| e.message).unwrap_or_default(),
    })?;
    let o = one.check;
    match budget {
        None => match name {
            "regression_threshold" => config.check.regression_threshold = o.regression_threshold,
            "baseline_runs" => config.check.baseline_runs = o.baseline_runs,
            "missing_data" => config.check.missing_data = o.missing_data,
            _ => config.check.significance = o.significance,
        },
        Some(id) => {
            let own = config.check.budgets.entry(id.to_owned()).or_default();
            match name {
                "regression_threshold" => own.regression_threshold = Some(o.regression_threshold),
                "baseline_runs" => own.baseline_runs = Some(o.baseline_runs),
                "missing_data" => own.missing_data = Some(o.missing_data),
                _ => own.significance = Some(o.significance),
            }
        }
    }
    with_check_settings(file, text, &config.check).map_err(|mut e| SettingChangeError::NotWritten(e.swap_remove(0)))
}

/// One `check:` setting handed to `set`, or its fault (an unknown name is said by the caller).
fn read_check_field(r: &mut FieldReader<'_>, name: &str, node: &Node, field: &str, set: impl FnOnce(CheckField)) {
    if let Some(parsed) = check_field(name, node).and_then(|parsed| r.check(node, field, parsed)) {
        set(parsed);
    }
}

/// `headroom.yaml`'s `check:`: the workspace's gate settings and each budget's own.
fn check_settings(r: &mut FieldReader<'_>, fields: &[(yaml::Key, Node)], config: &mut Config) {
    r.unknown_keys(fields, CHECK_FIELDS, "check", "`check:`");
    for (k, v) in fields {
        let f = format!("check.{}", k.name);
        if k.name == "budgets" {
            let Some(budgets) = r.map(v, &f, "a mapping of budget ids to settings") else { continue };
            for (id, overrides) in budgets {
                let path = format!("check.budgets.{}", id.name);
                let Some(overrides) = r.map(overrides, &path, "a mapping of settings") else { continue };
                let own_fields: Vec<&str> = CHECK_FIELDS.iter().copied().filter(|f| *f != "budgets").collect();
                r.unknown_keys(overrides, &own_fields, &path, "a budget's `check:`");
                let mut own = BudgetCheck::default();
                for (k, v) in overrides {
                    read_check_field(r, &k.name, v, &format!("{path}.{}", k.name), |parsed| match parsed {
                        CheckField::Threshold(t) => own.regression_threshold = Some(t.fraction()),
                        CheckField::BaselineRuns(n) => own.baseline_runs = Some(n.get()),
                        CheckField::Significance(p) => own.significance = Some(p.value()),
                        CheckField::Missing(m) => own.missing_data = Some(m),
                    });
                }
                config.check.budgets.insert(id.name.clone(), own);
                config.check_positions.insert(id.name.clone(), id.pos);
            }
            continue;
        }
        let check = &mut config.check;
        read_check_field(r, &k.name, v, &f, |parsed| match parsed {
            CheckField::Threshold(t) => check.regression_threshold = t.fraction(),
            CheckField::BaselineRuns(n) => check.baseline_runs = n.get(),
            CheckField::Significance(p) => check.significance = p.value(),
            CheckField::Missing(m) => check.missing_data = m,
        });
    }
}

/// `headroom.yaml`'s `metrics:`: budget metric to the name (or names) of the history's metrics.
fn metric_map(r: &mut FieldReader<'_>, entries: &[(yaml::Key, Node)]) -> BTreeMap<String, MetricMap> {
    let mut map = BTreeMap::new();
    for (metric, names) in entries {
        let found: Option<Vec<String>> = match &names.value {
            Value::String(s) => Some(vec![s.clone()]),
            Value::Seq(items) => items.iter().map(|i| if let Value::String(s) = &i.value { Some(s.clone()) } else { None }).collect(),
            _ => None,
        };
        match found.filter(|n| !n.is_empty() && n.iter().all(|n| !n.trim().is_empty())) {
            Some(list) => {
                map.insert(metric.name.clone(), MetricMap { names: list, pos: metric.pos });
            }
            None => r.error(
                names.pos,
                &format!("metrics.{}", metric.name),
                format!(
                    "expected the name of the history's metric that measures `{}` (a benchmark's name, such as \"bench_validate[large]\"), or a list of names; found {}",
                    metric.name,
                    names.value.kind_name()
                ),
            ),
        }
    }
    map
}

/// `headroom.yaml`'s `alerts:`: PromQL by metric kind, with `{capability}` in it.
fn alert_promql(r: &mut FieldReader<'_>, fields: &[(yaml::Key, Node)]) -> BTreeMap<String, String> {
    r.unknown_keys(fields, ALERT_FIELDS, "alerts", "`alerts:`");
    let mut promql = BTreeMap::new();
    for (kind, query) in get(fields, "promql")
        .and_then(|n| r.map(n, "alerts.promql", "a mapping of metric kinds to PromQL, such as `latency: ...`"))
        .unwrap_or_default()
    {
        let field = format!("alerts.promql.{}", kind.name);
        match r.text_as(query, &field, "a PromQL expression") {
            Some(q) if !q.trim().is_empty() => {
                promql.insert(kind.name.clone(), q);
            }
            Some(_) => r.error(query.pos, &field, "expected a PromQL expression, found an empty text"),
            None => {}
        }
    }
    promql
}

/// The text of `headroom.yaml` with its `check:` settings replaced by `settings` (appended where
/// there were none). Everything else in the file, comments included, is kept; the result is
/// parsed again so a file that would not load is never written.
pub fn with_check_settings(file: &str, text: &str, settings: &CheckSettings) -> Result<String, Vec<LoadError>> {
    let missing = settings.missing_data.as_str();
    let percent = |t: f64| format!("{}%", yaml::format_number((t * 1e6).round() / 1e4));
    let mut block = format!(
        "check:\n  regression_threshold: {}\n  baseline_runs: {}\n  missing_data: {missing}\n  significance: {}\n",
        percent(settings.regression_threshold),
        settings.baseline_runs,
        settings.significance
    );
    let own: Vec<_> = settings.budgets.iter().filter(|(_, o)| !o.is_empty()).collect();
    if !own.is_empty() {
        block.push_str("  budgets:\n");
        for (id, o) in own {
            block.push_str(&format!("    {}:\n", serde_json::Value::String(id.clone())));
            if let Some(t) = o.regression_threshold {
                block.push_str(&format!("      regression_threshold: {}\n", percent(t)));
            }
            if let Some(n) = o.baseline_runs {
                block.push_str(&format!("      baseline_runs: {n}\n"));
            }
            if let Some(p) = o.significance {
                block.push_str(&format!("      significance: {p}\n"));
            }
            if let Some(m) = o.missing_data {
                block.push_str(&format!("      missing_data: {m}\n"));
            }
        }
    }
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    let mut replaced = false;
    while let Some(line) = lines.next() {
        if !replaced && (line == "check:" || line.starts_with("check:") && line[6..].starts_with([' ', '{', '#'])) {
            // The block is this line and every indented (or blank) line after it.
            while lines.peek().is_some_and(|next| next.starts_with([' ', '\t']) || next.trim().is_empty()) {
                lines.next();
            }
            out.push_str(&block);
            replaced = true;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !replaced {
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&block);
    }
    let parsed = parse_config(file, &out)?;
    let mut expected = settings.clone();
    expected.budgets.retain(|_, o| !o.is_empty());
    if parsed.check != expected {
        return Err(vec![LoadError::whole_file(file, "the check settings could not be written back exactly")]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::settings::MissingData;

    #[test]
    fn the_config_sets_check_defaults_and_rejects_typos() {
        let c = parse_config(
            "headroom.yaml",
            "default_branch: trunk\ncheck: {regression_threshold: 3%, baseline_runs: 20, missing_data: warn}\n",
        )
        .unwrap();
        assert_eq!(c.default_branch, "trunk");
        assert!((c.check.regression_threshold - 0.03).abs() < 1e-12);
        assert_eq!(c.check.baseline_runs, 20);
        assert_eq!(c.check.missing_data, MissingData::Warn);
        let e = parse_config("headroom.yaml", "default_brnach: main\n").unwrap_err();
        assert!(e[0].to_string().contains("did you mean `default_branch`?"));
    }

    #[test]
    fn the_runtime_environment_must_be_a_known_one_and_the_repository_a_web_address() {
        let c = parse_config(
            "headroom.yaml",
            "environments: [ci, prod]\nruntime_environment: prod\nrepository: https://github.com/org/repo/\n",
        )
        .unwrap();
        assert_eq!(c.runtime_environment.as_deref(), Some("prod"));
        assert_eq!(c.repository.as_deref(), Some("https://github.com/org/repo"));
        let e = parse_config("headroom.yaml", "environments: [ci, prod]\nruntime_environment: prd\n").unwrap_err();
        assert!(e[0].to_string().contains("`prd` is not among `environments`"), "{e:?}");
        let e = parse_config("headroom.yaml", "repository: git@github.com:org/repo.git\n").unwrap_err();
        assert!(e[0].to_string().contains("expected the repository's web address"), "{e:?}");
    }

    #[test]
    fn check_settings_are_replaced_in_place_and_the_rest_is_kept() {
        let text = "# team settings\ndefault_branch: trunk\ncheck:\n  regression_threshold: 5%\n  baseline_runs: 10\n\nenvironments: [ci]  # only CI\n";
        let mut settings = CheckSettings {
            regression_threshold: 0.075,
            baseline_runs: 30,
            missing_data: MissingData::Warn,
            significance: 0.0005,
            budgets: BTreeMap::new(),
        };
        settings.budgets.insert("services.auth".into(), BudgetCheck { regression_threshold: Some(0.12), ..BudgetCheck::default() });
        let out = with_check_settings(CONFIG_FILE, text, &settings).unwrap();
        assert!(out.starts_with("# team settings\ndefault_branch: trunk\ncheck:\n  regression_threshold: 7.5%\n"), "{out}");
        assert!(out.contains("environments: [ci]  # only CI"));
        assert!(out.contains("  budgets:\n    \"services.auth\":\n      regression_threshold: 12%\n"), "{out}");
        let config = parse_config(CONFIG_FILE, &out).unwrap();
        assert_eq!(config.check, settings);
        assert_eq!(config.default_branch, "trunk");
        let appended = with_check_settings(CONFIG_FILE, "default_branch: main\n", &settings).unwrap();
        assert_eq!(parse_config(CONFIG_FILE, &appended).unwrap().check, settings);
    }
}
