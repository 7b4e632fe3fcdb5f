//! Prometheus alert rules from the budgets (ADR 030: one source of truth for CI and runtime), and
//! `promtool test rules` tests that prove each alert fires above its budget and not below.
//!
//! A budget's PromQL is its own `promql:`, else `headroom.yaml`'s `alerts: promql:` for its kind
//! (`latency`, `memory`) with `{capability}` replaced by its capability's name, so a budget file
//! of ADR 030's form alerts unchanged.
//!
//! Each budget with a `promql:` expression (its value in the budget's unit) becomes a recording
//! rule `headroom:<id>:value` and two alerts on it, named after its alert family: alert names say
//! what is wrong, labels say where (ADR 030's `CapabilityLatencyHigh`, with `capability`,
//! `budget`, `environment` and `severity` labels). `<Family>High` (critical) fires past the
//! limit, `<Family>NearBudget` (warning) past the warning level; a budget in no family names
//! its own (`ApiResponseTimeHigh`). The limit is in the `limit` annotation (a label would make
//! every budget change a new alert). The tests feed the recorded series directly, so they check
//! the thresholds, directions and `for:` durations, not the user's PromQL.
//!
//! An error-rate budget with an `slo:` block is a service level objective: its limit is the
//! error budget. It gets the Google SRE workbook's multiwindow, multi-burn-rate alerts (chapter
//! 5, "Alerting on SLOs"), as Sloth and Pyrra write them: the error ratio recorded over each
//! window, and an alert when both a long and a short window burn the budget faster than a rate:
//!
//! ```text
//!   severity  long window  short window  burn rate  budget spent when it fires (30 days)
//!   page      1h           5m            14.4x      2 %
//!   page      6h           30m           6x         5 %
//!   ticket    1d           2h            3x         10 %
//!   ticket    3d           6h            1x         10 %
//! ```
//!
//! The long window says the burn is real, the short one that it is still happening (so the alert
//! stops soon after the burn does).

use crate::model::budget::{AlertFamily, Budget, camel_case};
use crate::model::units::Direction;
use crate::model::workspace::Workspace;
use crate::model::yaml::format_number;
use std::fmt::Write as _;

/// One budget's threshold alerting, resolved for an environment.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertBudget {
    /// The budget's id.
    pub id: String,
    /// The alerts' name before `High`/`NearBudget`: `CapabilityLatency`, or `ApiResponseTime`.
    pub name: String,
    /// The family's label and its value for this budget (`capability`, `schema_validator`).
    pub member: Option<(String, String)>,
    /// The recorded series, `headroom:schema_validator_latency:value`.
    pub record: String,
    /// The PromQL that measures it.
    pub promql: String,
    /// `>` for lower-is-better, `<` for higher-is-better.
    pub op: &'static str,
    /// The limit.
    pub limit: f64,
    /// The warning level, where there is one.
    pub warning: Option<f64>,
    /// The unit's symbol.
    pub unit: String,
    /// Where the budget is written.
    pub place: String,
}

/// One error-rate budget read as an SLO, resolved for an environment.
#[derive(Clone, Debug, PartialEq)]
pub struct SloBudget {
    /// The budget's id.
    pub id: String,
    /// The burn alerts' name: `ErrorBudgetBurn`, or `<Family>ErrorBudgetBurn`.
    pub alert: String,
    /// The family's label and its value for this budget.
    pub member: Option<(String, String)>,
    /// The counter of failed events.
    pub errors: String,
    /// The counter of all events.
    pub total: String,
    /// The error budget in percent (the limit): 0.1.
    pub budget_percent: f64,
    /// Where the budget is written.
    pub place: String,
}

/// What `headroom alerts` writes for a workspace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Alerting {
    /// Budgets with a `promql:` expression.
    pub thresholds: Vec<AlertBudget>,
    /// Budgets with an `slo:` block.
    pub slos: Vec<SloBudget>,
    /// Budgets with a limit but neither, by id (said, never skipped silently).
    pub without: Vec<String>,
}

/// A burn-rate alert: the windows and how fast they burn the error budget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BurnWindow {
    /// `page` or `ticket`.
    pub severity: &'static str,
    /// The long window, which says the burn is real.
    pub long: &'static str,
    /// The short window, which says it is still going on.
    pub short: &'static str,
    /// How many times faster than the budget allows.
    pub burn_rate: f64,
}

/// The SRE workbook's recommended windows and burn rates (table 5-8), for a 30-day SLO.
pub const BURN_WINDOWS: [BurnWindow; 4] = [
    BurnWindow { severity: "page", long: "1h", short: "5m", burn_rate: 14.4 },
    BurnWindow { severity: "page", long: "6h", short: "30m", burn_rate: 6.0 },
    BurnWindow { severity: "ticket", long: "1d", short: "2h", burn_rate: 3.0 },
    BurnWindow { severity: "ticket", long: "3d", short: "6h", burn_rate: 1.0 },
];

/// Every window the burn alerts read, shortest first; each is one recording rule.
pub const RATIO_WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/// The recorded error ratio of an SLO over a window: `headroom:slo_errors:ratio_rate5m`.
#[must_use]
pub fn ratio_record(window: &str) -> String {
    format!("headroom:slo_errors:ratio_rate{window}")
}

/// The budgets that have a PromQL expression or an SLO and a limit in `environment`, and the ids
/// of those that have a limit but neither.
#[must_use]
pub fn alerting(workspace: &Workspace, environment: Option<&str>) -> Alerting {
    let mut out = Alerting::default();
    for b in workspace.budgets.iter().filter(|b| b.is_checked()) {
        let Some(limit) = b.limit_in(environment) else { continue };
        let member = b.alert.as_ref().map(|f| (f.label.clone(), f.value.clone()));
        if let Some(slo) = &b.slo {
            out.slos.push(SloBudget {
                id: b.id.clone(),
                alert: format!("{}ErrorBudgetBurn", b.alert.as_ref().map_or("", |f| f.name.as_str())),
                member: member.clone(),
                errors: slo.errors.clone(),
                total: slo.total.clone(),
                budget_percent: limit,
                place: place(b),
            });
        }
        // Its own `promql:`, else headroom.yaml's `alerts: promql:` for its kind.
        let from_settings = || {
            let (capability, kind) = b.metric.split_once('.')?;
            let template = workspace.config.alert_promql.get(kind)?;
            Some(template.replace("{capability}", capability))
        };
        match b.promql.clone().or_else(from_settings) {
            Some(promql) => out.thresholds.push(AlertBudget {
                id: b.id.clone(),
                name: b.alert.as_ref().map_or_else(|| camel_case(&b.id), |f: &AlertFamily| f.name.clone()),
                member,
                record: format!("headroom:{}:value", b.id.replace(|c: char| !c.is_ascii_alphanumeric(), "_")),
                promql: promql.trim().to_owned(),
                op: match b.direction {
                    Direction::LowerIsBetter => ">",
                    Direction::HigherIsBetter => "<",
                },
                limit,
                warning: b.warning_in(environment),
                unit: b.unit.symbol().to_owned(),
                place: place(b),
            }),
            None if b.slo.is_none() => out.without.push(b.id.clone()),
            None => {}
        }
    }
    out
}

fn place(b: &Budget) -> String {
    format!("{}:{}", b.file, b.pos.line)
}

fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// A number as PromQL and people read it: rounded to 12 significant digits (0.1 / 100 is 0.001).
fn number(value: f64) -> String {
    format_number(format!("{value:.12e}").parse().unwrap_or(value))
}

fn labels(severity: &str, id: &str, member: Option<&(String, String)>, environment: Option<&str>) -> Vec<(String, String)> {
    let mut out = vec![("severity".to_owned(), severity.to_owned()), ("budget".to_owned(), id.to_owned())];
    if let Some((label, value)) = member {
        out.push((label.clone(), value.clone()));
    }
    if let Some(env) = environment {
        out.push(("environment".to_owned(), env.to_owned()));
    }
    out
}

fn summary(a: &AlertBudget, what: &str, level: f64) -> String {
    format!("{} is {what} its budget of {} {}", a.id, format_number(level), a.unit)
}

fn description(a: &AlertBudget) -> String {
    format!(
        "Budget {} ({}): limit {} {}. Change it only through a signed proposal (headroom propose).",
        a.id,
        a.place,
        format_number(a.limit),
        a.unit
    )
}

/// The annotations of a threshold alert, in the order they are written.
fn annotations(a: &AlertBudget, what: &str, level: f64) -> Vec<(&'static str, String)> {
    vec![("summary", summary(a, what, level)), ("description", description(a)), ("limit", format_number(level)), ("unit", a.unit.clone())]
}

fn slo_annotations(s: &SloBudget, w: &[BurnWindow]) -> Vec<(&'static str, String)> {
    let objective = number(100.0 - s.budget_percent);
    let windows: Vec<String> = w.iter().map(|w| format!("{}/{} at {}x", w.long, w.short, number(w.burn_rate))).collect();
    vec![
        ("summary", format!("{} burns its error budget of {} % too fast ({})", s.id, number(s.budget_percent), windows.join(" or "))),
        (
            "description",
            format!(
                "SLO {} ({}): {objective} % of events succeed. Change it only through a signed proposal (headroom propose).",
                s.id, s.place
            ),
        ),
        ("objective", format!("{objective}%")),
    ]
}

fn empty_rules(out: &mut String, empty: bool) {
    out.push_str(if empty { "    rules: []\n" } else { "    rules:\n" });
}

fn write_labels(out: &mut String, indent: &str, labels: &[(String, String)]) {
    for (k, v) in labels {
        let _ = writeln!(out, "{indent}{k}: {}", quote(v));
    }
}

/// The windows of one severity.
fn burns(severity: &str) -> Vec<BurnWindow> {
    BURN_WINDOWS.iter().copied().filter(|w| w.severity == severity).collect()
}

/// The rule groups [`rules`] writes, in the order they are meant to run: each recording group
/// before the alerting group that reads it.
fn group_names(alerting: &Alerting) -> Vec<&'static str> {
    let mut names = vec![BUDGET_VALUES_GROUP, BUDGETS_GROUP];
    if !alerting.slos.is_empty() {
        names.extend([SLO_RATIOS_GROUP, SLO_BURNS_GROUP]);
    }
    names
}

/// The rule groups' names: the thresholds' recording and alerting groups, the SLOs' ratios and burns.
const BUDGET_VALUES_GROUP: &str = "headroom-budget-values";
const BUDGETS_GROUP: &str = "headroom-budgets";
const SLO_RATIOS_GROUP: &str = "headroom-slo-error-ratios";
const SLO_BURNS_GROUP: &str = "headroom-slo-burn-rates";

/// The rule file: a recording group and an alerting group for the thresholds, and for the SLOs.
#[must_use]
pub fn rules(alerting: &Alerting, environment: Option<&str>, for_duration: &str) -> String {
    let alerts = &alerting.thresholds;
    let mut out = String::from("# Generated by `headroom alerts` from the budget files: change the budgets, not this file.\ngroups:\n");
    let _ = writeln!(out, "  - name: {BUDGET_VALUES_GROUP}");
    empty_rules(&mut out, alerts.is_empty());
    for a in alerts {
        let _ = writeln!(out, "      - record: {}\n        expr: {}", a.record, quote(&a.promql));
    }
    let _ = writeln!(out, "  - name: {BUDGETS_GROUP}");
    empty_rules(&mut out, alerts.is_empty());
    for a in alerts {
        let over = if a.op == ">" { "over" } else { "under" };
        let mut rule = |alert: String, level: f64, severity: &str, what: &str| {
            let _ = writeln!(
                out,
                "      - alert: {alert}\n        expr: {} {} {}\n        for: {for_duration}\n        labels:",
                a.record,
                a.op,
                format_number(level)
            );
            write_labels(&mut out, "          ", &labels(severity, &a.id, a.member.as_ref(), environment));
            out.push_str("        annotations:\n");
            for (k, v) in annotations(a, what, level) {
                let _ = writeln!(out, "          {k}: {}", quote(&v));
            }
        };
        rule(format!("{}{}", a.name, if a.op == ">" { "High" } else { "Low" }), a.limit, "critical", over);
        if let Some(w) = a.warning {
            rule(format!("{}NearBudget", a.name), w, "warning", &format!("{over} the warning level of"));
        }
    }
    if !alerting.slos.is_empty() {
        slo_rules(&mut out, &alerting.slos, environment);
    }
    out
}

/// The SLOs' error ratios over every window, and their page and ticket burn alerts.
fn slo_rules(out: &mut String, slos: &[SloBudget], environment: Option<&str>) {
    let _ = writeln!(out, "  - name: {SLO_RATIOS_GROUP}\n    rules:");
    for s in slos {
        for window in RATIO_WINDOWS {
            let _ = writeln!(
                out,
                "      - record: {}\n        expr: {}\n        labels:\n          budget: {}",
                ratio_record(window),
                quote(&format!("sum(rate({}[{window}])) / sum(rate({}[{window}]))", s.errors, s.total)),
                quote(&s.id)
            );
        }
    }
    let _ = writeln!(out, "  - name: {SLO_BURNS_GROUP}\n    rules:");
    for s in slos {
        let budget_ratio = number(s.budget_percent / 100.0);
        for severity in ["page", "ticket"] {
            let windows = burns(severity);
            let expr: Vec<String> = windows
                .iter()
                .map(|w| {
                    let at = |window: &str| {
                        format!("{}{{budget={}}} > ({} * {budget_ratio})", ratio_record(window), quote(&s.id), number(w.burn_rate))
                    };
                    format!("({} and {})", at(w.long), at(w.short))
                })
                .collect();
            let _ = writeln!(out, "      - alert: {}\n        expr: {}\n        labels:", s.alert, quote(&expr.join(" or ")));
            write_labels(out, "          ", &labels(severity, &s.id, s.member.as_ref(), environment));
            out.push_str("        annotations:\n");
            for (k, v) in slo_annotations(s, &windows) {
                let _ = writeln!(out, "          {k}: {}", quote(&v));
            }
        }
    }
}

/// A `promtool test rules` file for `rule_file`: per budget, a value well inside the budget
/// raises nothing, one between the warning and the limit only the warning, and one past the
/// limit both, once `for:` has passed. Per SLO, a healthy error ratio raises nothing, a slow burn
/// (twice the budget) only a ticket, and a fast one (twenty times) a page and a ticket.
#[must_use]
pub fn rule_tests(alerting: &Alerting, environment: Option<&str>, rule_file: &str, for_minutes: u32) -> String {
    let mut out = format!("# Generated by `headroom alerts --tests`.\nrule_files:\n  - {}\nevaluation_interval: 1m\n", quote(rule_file));
    // promtool runs the groups of one step in a random order unless they are named: a burn alert
    // could then read the ratios of the step before, and a test pass or fail by chance.
    let _ = writeln!(out, "group_eval_order: [{}]\ntests:", group_names(alerting).join(", "));
    let at = for_minutes + 5;
    for a in &alerting.thresholds {
        threshold_tests(&mut out, a, environment, at);
    }
    for s in &alerting.slos {
        slo_tests(&mut out, s, environment);
    }
    if alerting.thresholds.is_empty() && alerting.slos.is_empty() {
        out.push_str("  []\n");
    }
    out
}

fn threshold_tests(out: &mut String, a: &AlertBudget, environment: Option<&str>, at: u32) {
    let lower = a.op == ">";
    let inside = if lower { a.limit * 0.5 } else { a.limit * 1.5 };
    let past = if lower { a.limit * 1.2 + 1.0 } else { a.limit * 0.8 };
    let between = a.warning.map(|w| f64::midpoint(w, a.limit));
    let high = format!("{}{}", a.name, if lower { "High" } else { "Low" });
    let near = format!("{}NearBudget", a.name);
    let mut case = |value: f64, firing: &[(&str, &str, f64, &str)]| {
        let _ = writeln!(
            out,
            "  - interval: 1m\n    input_series:\n      - series: '{}'\n        values: '{}x{}'",
            a.record,
            format_number(value),
            at + 5
        );
        out.push_str("    alert_rule_test:\n");
        for alert in [high.as_str(), near.as_str()] {
            if alert == near && a.warning.is_none() {
                continue;
            }
            let _ = writeln!(out, "      - eval_time: {at}m\n        alertname: {alert}");
            match firing.iter().find(|f| f.0 == alert) {
                None => out.push_str("        exp_alerts: []\n"),
                Some((_, severity, level, what)) => {
                    out.push_str("        exp_alerts:\n          - exp_labels:\n");
                    write_labels(out, "              ", &labels(severity, &a.id, a.member.as_ref(), environment));
                    out.push_str("            exp_annotations:\n");
                    for (k, v) in annotations(a, what, *level) {
                        let _ = writeln!(out, "              {k}: {}", quote(&v));
                    }
                }
            }
        }
    };
    let over = if lower { "over" } else { "under" };
    let warn_what = format!("{over} the warning level of");
    case(inside, &[]);
    if let (Some(b), Some(w)) = (between, a.warning) {
        case(b, &[(near.as_str(), "warning", w, warn_what.as_str())]);
    }
    let mut both: Vec<(&str, &str, f64, &str)> = vec![(high.as_str(), "critical", a.limit, over)];
    if let Some(w) = a.warning {
        both.push((near.as_str(), "warning", w, warn_what.as_str()));
    }
    case(past, &both);
}

fn slo_tests(out: &mut String, s: &SloBudget, environment: Option<&str>) {
    let budget_ratio = s.budget_percent / 100.0;
    // Every window's recorded ratio at `times` the budget: healthy, a slow burn, a fast burn.
    for (times, firing) in [(0.5, &[][..]), (2.0, &["ticket"][..]), (20.0, &["page", "ticket"][..])] {
        out.push_str("  - interval: 1m\n    input_series:\n");
        for window in RATIO_WINDOWS {
            let _ = writeln!(
                out,
                "      - series: '{}{{budget={}}}'\n        values: '{}x15'",
                ratio_record(window),
                quote(&s.id),
                number(budget_ratio * times)
            );
        }
        let _ = writeln!(out, "    alert_rule_test:\n      - eval_time: 10m\n        alertname: {}", s.alert);
        if firing.is_empty() {
            out.push_str("        exp_alerts: []\n");
            continue;
        }
        out.push_str("        exp_alerts:\n");
        for severity in firing {
            out.push_str("          - exp_labels:\n");
            write_labels(out, "              ", &labels(severity, &s.id, s.member.as_ref(), environment));
            out.push_str("            exp_annotations:\n");
            for (k, v) in slo_annotations(s, &burns(severity)) {
                let _ = writeln!(out, "              {k}: {}", quote(&v));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_alert_names() {
        assert_eq!(camel_case("schema_validator.latency"), "SchemaValidatorLatency");
        assert_eq!(camel_case("services.api_gateway"), "ServicesApiGateway");
    }

    #[test]
    fn a_budget_without_promql_is_named_not_skipped_silently() {
        let w = Workspace::from_files(
            "w",
            &[(
                "caps.yaml".into(),
                "api:\n  max_latency_ms: 50\n  max_memory_mb: 10\n  promql:\n    latency: 'histogram_quantile(0.95, rate(x[5m])) * 1000'\n"
                    .into(),
            )],
        );
        assert!(w.errors.is_empty(), "{:?}", w.errors);
        let alerting = alerting(&w, None);
        assert_eq!(alerting.thresholds.len(), 1);
        assert_eq!(alerting.without, ["api.memory"]);
        let text = rules(&alerting, None, "5m");
        assert!(text.contains("alert: CapabilityLatencyHigh\n        expr: headroom:api_latency:value > 50\n        for: 5m"), "{text}");
        assert!(text.contains("alert: CapabilityLatencyNearBudget\n        expr: headroom:api_latency:value > 45"), "{text}");
    }

    #[test]
    fn a_capability_alert_says_what_in_its_name_and_where_in_its_labels() {
        let w = Workspace::from_files(
            "w",
            &[("caps.yaml".into(), "schema_validator:\n  max_memory_mb: 10\n  promql: {memory: 'max(m) / 1e6'}\n".into())],
        );
        let text = rules(&alerting(&w, Some("prod")), Some("prod"), "5m");
        assert!(
            text.contains(concat!(
                "      - alert: CapabilityMemoryHigh\n        expr: headroom:schema_validator_memory:value > 10\n        for: 5m\n",
                "        labels:\n          severity: \"critical\"\n          budget: \"schema_validator.memory\"\n",
                "          capability: \"schema_validator\"\n          environment: \"prod\"\n",
            )),
            "{text}"
        );
        assert!(text.contains("          limit: \"10\"\n          unit: \"MB\"\n"), "{text}");
    }

    #[test]
    fn a_group_names_the_alert_family_of_its_members() {
        let w = Workspace::from_files(
            "w",
            &[(
                "services.yaml".into(),
                concat!(
                    "budgets:\n  services:\n    alert: ServiceLatency\n    unit: ms\n    budgets:\n",
                    "      auth: {limit: 30, promql: 'x'}\n      education: {limit: 40, promql: 'y'}\n",
                    "  total: {unit: ms, limit: 100, promql: 'z'}\n",
                )
                .into(),
            )],
        );
        assert!(w.errors.is_empty(), "{:?}", w.errors);
        let alerting = alerting(&w, None);
        let names: Vec<(&str, Option<&(String, String)>)> =
            alerting.thresholds.iter().map(|a| (a.name.as_str(), a.member.as_ref())).collect();
        assert_eq!(
            names,
            [
                ("ServiceLatency", Some(&("service".to_owned(), "auth".to_owned()))),
                ("ServiceLatency", Some(&("service".to_owned(), "education".to_owned()))),
                ("Total", None),
            ]
        );
    }

    #[test]
    fn an_alert_family_with_a_bad_name_or_a_reserved_label_is_an_error() {
        let load = |alert: &str| {
            let text = format!("budgets:\n  services:\n    alert: {alert}\n    budgets:\n      auth: {{unit: ms, limit: 30}}\n");
            Workspace::from_files("w", &[("s.yaml".into(), text)]).errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        };
        assert!(load("service_latency").contains("not an alert family's name"), "{}", load("service_latency"));
        assert!(load("{name: ServiceLatency, label: severity}").contains("set by `headroom alerts` itself"));
        assert!(load("{name: ServiceLatency, label: service}").is_empty());
    }

    #[test]
    fn an_error_rate_budget_with_an_slo_gets_page_and_ticket_burn_alerts() {
        let w = Workspace::from_files(
            "w",
            &[(
                "slo.yaml".into(),
                concat!(
                    "budgets:\n  error_rate:\n    unit: \"%\"\n    statistic: mean\n    limit: 0.1\n",
                    "    slo: {errors: 'http_requests_total{code=~\"5..\"}', total: http_requests_total}\n",
                )
                .into(),
            )],
        );
        assert!(w.errors.is_empty(), "{:?}", w.errors);
        let alerting = alerting(&w, None);
        assert!(alerting.without.is_empty());
        let text = rules(&alerting, None, "5m");
        assert!(
            text.contains(r#"expr: "sum(rate(http_requests_total{code=~\"5..\"}[1h])) / sum(rate(http_requests_total[1h]))""#),
            "{text}"
        );
        assert!(
            text.contains(concat!(
                r#"expr: "(headroom:slo_errors:ratio_rate1h{budget=\"error_rate\"} > (14.4 * 0.001) and "#,
                r#"headroom:slo_errors:ratio_rate5m{budget=\"error_rate\"} > (14.4 * 0.001)) or "#,
                r#"(headroom:slo_errors:ratio_rate6h{budget=\"error_rate\"} > (6 * 0.001) and "#,
                r#"headroom:slo_errors:ratio_rate30m{budget=\"error_rate\"} > (6 * 0.001))""#,
            )),
            "{text}"
        );
        assert!(text.contains("objective: \"99.9%\""), "{text}");
    }

    #[test]
    fn an_slo_must_be_an_error_rate_on_counters() {
        let load = |budget: &str| {
            let text = format!("budgets:\n  e:\n{budget}");
            Workspace::from_files("w", &[("s.yaml".into(), text)]).errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        };
        let on_latency = load("    unit: ms\n    limit: 5\n    slo: {errors: a, total: b}\n");
        assert!(on_latency.contains("an SLO is a budget on an error rate"), "{on_latency}");
        let with_rate = load("    unit: \"%\"\n    limit: 0.1\n    slo: {errors: 'rate(a[5m])', total: b}\n");
        assert!(with_rate.contains("Headroom adds `rate()` and the windows"), "{with_rate}");
        let without_total = load("    unit: \"%\"\n    limit: 0.1\n    slo: {errors: a}\n");
        assert!(without_total.contains("an SLO needs `total:`"), "{without_total}");
    }

    #[test]
    fn the_settings_promql_by_kind_alerts_a_budget_file_of_the_adr_form_unchanged() {
        let config = "alerts:\n  promql:\n    memory: 'max(capability_memory_bytes{capability=\"{capability}\"}) / 1e6'\n";
        let budgets = "api:\n  max_latency_ms: 50\n  max_memory_mb: 10\n  promql:\n    latency: 'own'\n";
        let w = Workspace::from_files("w", &[("headroom.yaml".into(), config.into()), ("caps.yaml".into(), budgets.into())]);
        assert!(w.errors.is_empty(), "{:?}", w.errors);
        let alerting = alerting(&w, None);
        assert!(alerting.without.is_empty(), "{:?}", alerting.without);
        let promql: Vec<&str> = alerting.thresholds.iter().map(|a| a.promql.as_str()).collect();
        assert_eq!(promql, ["own", "max(capability_memory_bytes{capability=\"api\"}) / 1e6"]);
    }

    #[test]
    fn a_promql_for_a_metric_without_a_limit_is_an_error() {
        let w = Workspace::from_files("w", &[("caps.yaml".into(), "api:\n  max_latency_ms: 50\n  promql: {latncy: 'x'}\n".into())]);
        assert!(w.errors[0].to_string().contains("`api` has no limit on `latncy`; did you mean `latency`?"), "{:?}", w.errors);
    }
}
