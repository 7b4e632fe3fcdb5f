//! Budget files: parsing both forms into a flat list of [`Budget`]s, with every error located.
//!
//! Two forms load. The ADR 030 form, a mapping of capabilities to `max_<metric>_<unit>` keys:
//!
//! ```yaml
//! schema_validator:
//!   max_latency_ms: 50     # p95 latency
//!   max_memory_mb: 10      # peak memory
//! ```
//!
//! and the full form, with a top-level `budgets:` mapping (see the README for every field):
//!
//! ```yaml
//! defaults: {unit: ms, statistic: p95, warning: 90%}
//! budgets:
//!   api_gateway:
//!     limit: 20
//!     allocations: {routing: 5, authentication: 5, rate_limiting: 2, logging: 3, formatting: 5}
//!     environments: {ci: {limit: 30}}
//! ```

use super::error::{LoadError, did_you_mean_hint};
use super::fields::{self, FieldReader, entry, expected, get, join};
use super::units::{Direction, Statistic, Unit};
use super::yaml::{self, Key, Node, Pos, Value, format_number};
use std::collections::BTreeMap;

/// A warning level: a fraction of the limit (`90%`) or a value in the budget's unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Warning {
    /// A fraction of the limit: 0.9 warns at 90 % of it.
    FractionOfLimit(f64),
    /// A value in the budget's unit.
    Absolute(f64),
}

impl Warning {
    /// The warning level as a value in the budget's unit, for a given limit.
    #[must_use]
    pub fn level(self, limit: f64) -> f64 {
        match self {
            Warning::FractionOfLimit(fraction) => limit * fraction,
            Warning::Absolute(value) => value,
        }
    }
}

/// An environment's own limit or warning for a budget.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// The environment's limit, in the budget's unit.
    pub limit: Option<f64>,
    /// The environment's warning level.
    pub warning: Option<Warning>,
    /// Where the override is written.
    pub pos: Pos,
    /// Where its limit's value is written (to change it in place).
    pub limit_pos: Pos,
}

/// What a node of the budget tree is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetKind {
    /// A heading that holds budgets (a capability or service in the tree), with no limit of its own.
    Group,
    /// A budget with a limit on one metric.
    Metric,
    /// A sub-allocation of its parent's limit: the allocations of a budget must add up to at most its limit.
    Allocation,
}

/// The family of run-time alerts a budget's alerts belong to (`headroom alerts`): alert names say
/// what is wrong, labels say where. ADR 030's capabilities are `Capability<Metric>` with the
/// label `capability`; a group of the full form names its own with `alert:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertFamily {
    /// `CapabilityLatency`: the alerts are `CapabilityLatencyHigh` and `CapabilityLatencyNearBudget`.
    pub name: String,
    /// The label that says which member fired: `capability`.
    pub label: String,
    /// Its value for this budget: `schema_validator`.
    pub value: String,
}

/// An error-rate budget read as a service level objective: its limit is the error budget (0.1 %
/// of requests may fail: a 99.9 % objective), and `headroom alerts` writes multiwindow,
/// multi-burn-rate alerts from two counters (the Google SRE workbook, chapter 5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slo {
    /// The counter of failed events, a PromQL selector: `http_requests_total{code=~"5.."}`.
    pub errors: String,
    /// The counter of all events: `http_requests_total`.
    pub total: String,
}

/// One node of the budget tree: a group, a budget, or a sub-allocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Budget {
    /// The dotted path of keys, unique in the workspace, e.g. `services.api_gateway.routing`.
    pub id: String,
    /// The name people read; the last key where none is given.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// What it is.
    pub kind: BudgetKind,
    /// The metric in the snapshot history that this budget limits; its id where none is given.
    pub metric: String,
    /// The unit of the limit and warning.
    pub unit: Unit,
    /// Which statistic of a run's samples is limited.
    pub statistic: Statistic,
    /// Which way is better.
    pub direction: Direction,
    /// The limit, in `unit`; `None` for groups.
    pub limit: Option<f64>,
    /// The PromQL expression that measures the metric at run time, in the budget's unit (for
    /// `headroom alerts`).
    pub promql: Option<String>,
    /// The family of its run-time alerts, where it belongs to one (else its alerts are named after it).
    pub alert: Option<AlertFamily>,
    /// The error counters that make it a service level objective, where it is one.
    pub slo: Option<Slo>,
    /// Where the limit's value is written (to change it in place).
    pub limit_pos: Pos,
    /// The warning level.
    pub warning: Option<Warning>,
    /// Per-environment overrides, by environment name.
    pub environments: BTreeMap<String, Override>,
    /// The parent's index in the same list, for allocations and members of groups.
    pub parent: Option<usize>,
    /// The children's indices in the same list, in document order.
    pub children: Vec<usize>,
    /// The file it comes from.
    pub file: String,
    /// Where it is written.
    pub pos: Pos,
}

impl Budget {
    /// The limit that holds in `environment` (its override, else the budget's own).
    #[must_use]
    pub fn limit_in(&self, environment: Option<&str>) -> Option<f64> {
        environment.and_then(|env| self.environments.get(env)).and_then(|o| o.limit).or(self.limit)
    }

    /// The warning level, in the budget's unit, that holds in `environment`.
    #[must_use]
    pub fn warning_in(&self, environment: Option<&str>) -> Option<f64> {
        let limit = self.limit_in(environment)?;
        let warning = environment.and_then(|env| self.environments.get(env)).and_then(|o| o.warning).or(self.warning)?;
        Some(warning.level(limit))
    }

    /// Whether this node has a limit to check.
    #[must_use]
    pub fn is_checked(&self) -> bool {
        self.kind != BudgetKind::Group
    }
}

/// The attributes a node passes down to the budgets below it.
#[derive(Clone, Debug, Default)]
struct Inherited {
    unit: Option<Unit>,
    statistic: Option<Statistic>,
    direction: Option<Direction>,
    warning: Option<Warning>,
    /// The alert family declared above; `value` is `None` for the members of the group that declared it.
    alert: Option<DeclaredFamily>,
}

/// An `alert:` family as declared on a group, before its members give it their names.
#[derive(Clone, Debug)]
struct DeclaredFamily {
    name: String,
    label: String,
    value: Option<String>,
}

/// Labels an alert family may not take for its members: `headroom alerts` sets these itself.
const RESERVED_LABELS: &[&str] = &["alertname", "budget", "environment", "severity"];

const BUDGET_FIELDS: &[&str] = &[
    "name",
    "description",
    "metric",
    "unit",
    "statistic",
    "direction",
    "limit",
    "warning",
    "environments",
    "allocations",
    "budgets",
    "promql",
    "alert",
    "slo",
];
const SLO_FIELDS: &[&str] = &["errors", "total"];
const ALERT_FIELDS: &[&str] = &["name", "label"];
const DEFAULT_FIELDS: &[&str] = &["unit", "statistic", "direction", "warning"];
const TOP_FIELDS: &[&str] = &["version", "defaults", "budgets"];
const OVERRIDE_FIELDS: &[&str] = &["limit", "warning"];

struct Parser<'a> {
    r: FieldReader<'a>,
    budgets: Vec<Budget>,
}

/// Where a budget is written: its key and value, the id of what holds it, and its field path.
struct Site<'n> {
    key: &'n Key,
    node: &'n Node,
    id_prefix: &'n str,
    field: String,
}

/// What a budget takes from above: the attributes passed down, its parent, and whether it is a
/// sub-allocation of that parent.
struct Above<'i> {
    inherited: &'i Inherited,
    parent: Option<usize>,
    allocation: bool,
}

/// Parses one budget file. Either the whole file loads, or it is rejected with every error found in it.
pub fn parse_budget_file(file: &str, text: &str) -> Result<Vec<Budget>, Vec<LoadError>> {
    let root = fields::document(file, text)?;
    let mut parser = Parser { r: FieldReader::new(file), budgets: Vec::new() };
    match &root.value {
        Value::Null => {}
        Value::Map(entries) if entries.iter().any(|(k, _)| k.name == "budgets") => parser.full_form(entries),
        Value::Map(entries) => parser.adr_form(entries),
        other => parser.r.error(root.pos, "", expected("a mapping of budgets at the top of the file", other)),
    }
    parser.r.finish(parser.budgets)
}

impl Parser<'_> {
    fn error(&mut self, pos: Pos, field: &str, message: impl Into<String>) {
        self.r.error(pos, field, message);
    }

    fn unknown_keys(&mut self, entries: &[(Key, Node)], known: &[&str], path: &str, what: &str) {
        self.r.unknown_keys(entries, known, path, what);
    }

    fn full_form(&mut self, entries: &[(Key, Node)]) {
        self.unknown_keys(entries, TOP_FIELDS, "", "a budget file");
        let mut inherited = Inherited::default();
        for (key, node) in entries {
            match key.name.as_str() {
                "version" if node.value != Value::Number(1.0) => {
                    self.error(node.pos, "version", "this Headroom reads budget files of version 1");
                }
                "defaults" => {
                    if let Some(fields) = self.r.map(node, "defaults", "a mapping") {
                        self.unknown_keys(fields, DEFAULT_FIELDS, "defaults", "defaults");
                        inherited = self.attributes(fields, "defaults", &Inherited::default());
                    }
                }
                _ => {}
            }
        }
        for (key, node) in entries {
            if key.name == "budgets" {
                self.members(node, "", "budgets", &inherited, None);
            }
        }
    }

    /// The budgets of a `budgets:` mapping, under `parent`.
    fn members(&mut self, node: &Node, id_prefix: &str, field: &str, inherited: &Inherited, parent: Option<usize>) {
        let Some(entries) = self.r.map(node, field, "a mapping of budget names to budgets") else { return };
        if entries.is_empty() {
            self.error(node.pos, field, "a group needs at least one budget");
        }
        for (key, child) in entries {
            let site = Site { key, node: child, id_prefix, field: join(field, &key.name) };
            self.budget(&site, &Above { inherited, parent, allocation: false });
        }
    }

    /// Reads `unit`, `statistic`, `direction` and `warning` over what is inherited.
    fn attributes(&mut self, fields: &[(Key, Node)], path: &str, inherited: &Inherited) -> Inherited {
        let mut out = inherited.clone();
        for (key, node) in fields {
            let field = join(path, &key.name);
            match key.name.as_str() {
                "unit" => {
                    if let Some(text) = self.r.text(node, &field) {
                        out.unit = self.r.check(node, &field, Unit::parse(&text)).or(out.unit);
                    }
                }
                "statistic" => {
                    if let Some(text) = self.r.text(node, &field) {
                        out.statistic = self.r.check(node, &field, Statistic::parse(&text)).or(out.statistic);
                    }
                }
                "direction" => {
                    if let Some(text) = self.r.text(node, &field) {
                        out.direction = self.r.check(node, &field, Direction::parse(&text)).or(out.direction);
                    }
                }
                _ => {}
            }
        }
        // The warning is read last: a value with a unit converts into this node's unit.
        for (key, node) in fields {
            if key.name == "warning" {
                let field = join(path, "warning");
                out.warning = self.warning(node, &field, out.unit.as_ref());
            }
        }
        out
    }

    /// A quantity: a number in `unit`, or text with a unit of its own (`2 s`) converted into `unit`.
    fn quantity(&mut self, node: &Node, field: &str, unit: Option<&Unit>) -> Option<f64> {
        let value = match &node.value {
            Value::Number(n) => Some(*n),
            Value::String(text) => match split_quantity(text) {
                Some((number, Some(written))) => {
                    if let Some(unit) = unit {
                        let converted = written.convert(number, unit);
                        if converted.is_none() {
                            self.error(
                                node.pos,
                                field,
                                format!("`{text}` is in {written}, which does not convert to the budget's unit {unit}"),
                            );
                        }
                        converted
                    } else {
                        self.error(node.pos, field, "give the budget a `unit` before a value with a unit");
                        None
                    }
                }
                Some((number, None)) => Some(number),
                None => {
                    self.error(node.pos, field, format!("expected a number (optionally with a unit, as in `20 ms`), found `{text}`"));
                    None
                }
            },
            other => {
                self.error(node.pos, field, expected("a number", other));
                None
            }
        }?;
        if !value.is_finite() || value < 0.0 {
            self.error(node.pos, field, format!("expected a finite number of at least 0, found {}", format_number(value)));
            return None;
        }
        Some(value)
    }

    fn warning(&mut self, node: &Node, field: &str, unit: Option<&Unit>) -> Option<Warning> {
        if let Value::String(text) = &node.value
            && let Some(percent) = text.trim().strip_suffix('%')
        {
            return match percent.trim().parse::<f64>() {
                Ok(p) if p.is_finite() && p > 0.0 => Some(Warning::FractionOfLimit(p / 100.0)),
                _ => {
                    self.error(node.pos, field, format!("expected a percentage of the limit such as `90%`, found `{text}`"));
                    None
                }
            };
        }
        self.quantity(node, field, unit).map(Warning::Absolute)
    }

    /// One budget (or group, or allocation) and what is below it; its index in the list.
    fn budget(&mut self, site: &Site<'_>, above: &Above<'_>) -> Option<usize> {
        let key = site.key;
        let field = site.field.as_str();
        if key.name.is_empty() || !key.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            self.error(key.pos, field, "a budget's key may hold letters, digits, `_` and `-` only (dots join the keys of nested budgets)");
            return None;
        }
        let id = join(site.id_prefix, &key.name);
        let fields = match &site.node.value {
            Value::Map(fields) => fields.as_slice(),
            // `routing: 5` is a budget with only a limit.
            Value::Number(_) | Value::String(_) => &[],
            other => {
                self.error(site.node.pos, field, expected("a budget (a mapping, or a limit such as `5`)", other));
                return None;
            }
        };
        self.unknown_keys(fields, BUDGET_FIELDS, field, "a budget");
        let mut attributes = self.attributes(fields, field, above.inherited);
        let limit_node = if fields.is_empty() { Some(site.node) } else { get(fields, "limit") };
        let kind = self.kind(site, fields, limit_node.is_some(), above.allocation)?;

        let unit = attributes.unit.clone();
        let direction = attributes.direction.unwrap_or(Direction::LowerIsBetter);
        let limit = match limit_node {
            Some(n) if kind != BudgetKind::Group => {
                let limit_field = if fields.is_empty() { field.to_owned() } else { join(field, "limit") };
                if unit.is_none() {
                    self.error(n.pos, &limit_field, "a budget needs a `unit` (on it, a group above it, or `defaults`), e.g. `unit: ms`");
                }
                self.quantity(n, &limit_field, unit.as_ref())
            }
            _ => None,
        };
        let warning = self.warning_level(site, fields, kind, direction, attributes.warning);
        let text_field = |name: &str, this: &mut Self| get(fields, name).and_then(|n| this.r.text(n, &join(field, name)));
        let name = text_field("name", self).unwrap_or_else(|| key.name.clone());
        let description = text_field("description", self);
        let metric = text_field("metric", self).unwrap_or_else(|| id.clone());
        let environments = match get(fields, "environments") {
            Some(n) => self.overrides(n, &join(field, "environments"), unit.as_ref(), direction),
            None => BTreeMap::new(),
        };
        let promql = text_field("promql", self);
        let (alert, passed_down) = self.alert(site, fields, kind, above.inherited);
        attributes.alert = passed_down;
        let index = self.budgets.len();
        self.budgets.push(Budget {
            id: id.clone(),
            name,
            description,
            kind,
            metric,
            statistic: attributes.statistic.unwrap_or_else(|| default_statistic(unit.as_ref(), direction)),
            unit: unit.unwrap_or(Unit::Count),
            direction,
            limit,
            promql,
            alert,
            slo: None,
            limit_pos: limit_node.map_or_else(Pos::default, |n| n.pos),
            warning,
            environments,
            parent: above.parent,
            children: Vec::new(),
            file: self.r.file().to_owned(),
            pos: key.pos,
        });
        if let Some(p) = above.parent {
            self.budgets[p].children.push(index);
        }
        if let Some((slo_key, slo)) = entry(fields, "slo") {
            self.budgets[index].slo = self.slo(slo_key, slo, &join(field, "slo"), index);
        }
        if let Some(members) = get(fields, "budgets") {
            self.members(members, &id, &join(field, "budgets"), &attributes, Some(index));
        }
        if let Some((alloc_key, allocations)) = entry(fields, "allocations") {
            self.allocations(alloc_key, allocations, &id, &join(field, "allocations"), &attributes, index);
        }
        Some(index)
    }

    /// What a budget is, by its fields: a `limit` makes a budget on one metric, `budgets` a group.
    fn kind(&mut self, site: &Site<'_>, fields: &[(Key, Node)], has_limit: bool, allocation: bool) -> Option<BudgetKind> {
        let (key, field) = (site.key, site.field.as_str());
        let has_members = get(fields, "budgets").is_some();
        let kind = match (has_limit, has_members, allocation) {
            (false, _, true) => {
                self.error(key.pos, field, "an allocation needs a `limit`");
                return None;
            }
            (true, _, true) => BudgetKind::Allocation,
            (true, true, false) => {
                self.error(key.pos, field, "a budget with a `limit` is split with `allocations`, not `budgets` (which makes a group)");
                return None;
            }
            (true, false, false) => BudgetKind::Metric,
            (false, true, false) => BudgetKind::Group,
            (false, false, false) => {
                self.error(key.pos, field, "expected `limit` (a budget on one metric) or `budgets` (a group of budgets)");
                return None;
            }
        };
        if kind == BudgetKind::Group {
            for name in ["metric", "limit", "allocations", "environments"] {
                if let Some((k, _)) = entry(fields, name) {
                    self.error(k.pos, &join(field, name), format!("a group has no `{name}`: put it on a budget inside `budgets`"));
                }
            }
        }
        Some(kind)
    }

    /// The warning level: the one written or inherited, else 90 % of the limit (110 % where
    /// higher is better); one on the wrong side of the limit is an error.
    fn warning_level(
        &mut self,
        site: &Site<'_>,
        fields: &[(Key, Node)],
        kind: BudgetKind,
        direction: Direction,
        written: Option<Warning>,
    ) -> Option<Warning> {
        let warning = match (kind, written) {
            (BudgetKind::Group, w) => w,
            (_, Some(w)) => Some(w),
            (_, None) => Some(Warning::FractionOfLimit(match direction {
                Direction::LowerIsBetter => 0.9,
                Direction::HigherIsBetter => 1.1,
            })),
        };
        if let Some(Warning::FractionOfLimit(f)) = warning
            && kind != BudgetKind::Group
        {
            let wrong_side = match direction {
                Direction::LowerIsBetter => f > 1.0,
                Direction::HigherIsBetter => f < 1.0,
            };
            if wrong_side {
                let pos = get(fields, "warning").map_or(site.key.pos, |n| n.pos);
                let expected = match direction {
                    Direction::LowerIsBetter => "at most 100% for a lower-is-better budget (e.g. 90%)",
                    Direction::HigherIsBetter => "at least 100% for a higher-is-better budget (e.g. 110%)",
                };
                self.error(pos, &join(&site.field, "warning"), format!("the warning level must be {expected}"));
            }
        }
        warning
    }

    /// The budget's alert family and the one it passes down. A group that declares a family gives
    /// it to its members, each under its own key; a member passes its key on to what is below it
    /// (allocations, nested budgets).
    fn alert(
        &mut self,
        site: &Site<'_>,
        fields: &[(Key, Node)],
        kind: BudgetKind,
        inherited: &Inherited,
    ) -> (Option<AlertFamily>, Option<DeclaredFamily>) {
        let declared = get(fields, "alert").and_then(|n| self.alert_family(n, &join(&site.field, "alert")));
        match (declared, inherited.alert.clone(), kind) {
            (Some(d), _, BudgetKind::Group) => (None, Some(DeclaredFamily { value: None, ..d })),
            (Some(d), _, _) | (None, Some(d @ DeclaredFamily { value: None, .. }), _) => {
                let d = DeclaredFamily { value: Some(site.key.name.clone()), ..d };
                (d.family(), Some(d))
            }
            (None, Some(d), _) => (d.family(), Some(d)),
            (None, None, _) => (None, None),
        }
    }

    /// `alert: ServiceLatency`, or `alert: {name: ServiceLatency, label: service}`; the label is
    /// otherwise the name's first word in lower case.
    fn alert_family(&mut self, node: &Node, field: &str) -> Option<DeclaredFamily> {
        let (name, label) = match &node.value {
            Value::String(name) => (name.clone(), None),
            Value::Map(fields) => {
                self.unknown_keys(fields, ALERT_FIELDS, field, "an alert family");
                let text = |name: &str, this: &mut Self| {
                    fields.iter().find(|(k, _)| k.name == name).and_then(|(_, n)| this.r.text(n, &join(field, name)))
                };
                let Some(name) = text("name", self) else {
                    self.error(node.pos, field, "an alert family needs a `name`, e.g. `name: ServiceLatency`");
                    return None;
                };
                (name, text("label", self))
            }
            other => {
                self.error(node.pos, field, expected("an alert family's name such as `ServiceLatency`", other));
                return None;
            }
        };
        let mut chars = name.chars();
        if !(chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())) {
            self.error(
                node.pos,
                field,
                format!("`{name}` is not an alert family's name: letters and digits, starting with a capital, e.g. `ServiceLatency`"),
            );
            return None;
        }
        let label = label.unwrap_or_else(|| {
            let first: String = name.chars().take(1).chain(name.chars().skip(1).take_while(|c| !c.is_ascii_uppercase())).collect();
            first.to_ascii_lowercase()
        });
        let mut label_chars = label.chars();
        if !(label_chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && label_chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        {
            self.error(node.pos, field, format!("`{label}` is not a label name: lower-case letters, digits and `_`, e.g. `service`"));
            return None;
        }
        if RESERVED_LABELS.contains(&label.as_str()) {
            self.error(node.pos, field, format!("the label `{label}` is set by `headroom alerts` itself; name another, e.g. `service`"));
            return None;
        }
        Some(DeclaredFamily { name, label, value: None })
    }

    /// `slo: {errors: SELECTOR, total: SELECTOR}` on an error-rate budget: lower is better, in %,
    /// its limit the error budget.
    fn slo(&mut self, key: &Key, node: &Node, field: &str, budget: usize) -> Option<Slo> {
        let b = &self.budgets[budget];
        let (kind, unit, direction, limit) = (b.kind, b.unit.clone(), b.direction, b.limit);
        let fields = self.r.map(node, field, "`errors:` and `total:` counters")?;
        self.unknown_keys(fields, SLO_FIELDS, field, "an SLO");
        if kind != BudgetKind::Metric {
            self.error(key.pos, field, "only a budget with a `limit` on an error rate can be an SLO");
            return None;
        }
        if unit != Unit::Percent || direction != Direction::LowerIsBetter {
            self.error(
                key.pos,
                field,
                "an SLO is a budget on an error rate: `unit: \"%\"`, lower is better (its limit is the error budget)",
            );
            return None;
        }
        if let Some(l) = limit
            && !(l > 0.0 && l < 100.0)
        {
            self.error(key.pos, field, format!("an SLO's error budget must be between 0 and 100 %, found {}", format_number(l)));
            return None;
        }
        let selector = |name: &str, this: &mut Self| {
            let Some((_, n)) = fields.iter().find(|(k, _)| k.name == name) else {
                this.error(node.pos, field, format!("an SLO needs `{name}:`, a counter such as `http_requests_total{{code=~\"5..\"}}`"));
                return None;
            };
            let text = this.r.text(n, &join(field, name))?.trim().to_owned();
            if is_selector(&text) {
                Some(text)
            } else {
                this.error(
                    n.pos,
                    &join(field, name),
                    format!("`{text}` is not a counter's selector such as `http_requests_total{{code=~\"5..\"}}`: Headroom adds `rate()` and the windows"),
                );
                None
            }
        };
        let errors = selector("errors", self);
        let total = selector("total", self);
        Some(Slo { errors: errors?, total: total? })
    }

    fn overrides(&mut self, node: &Node, field: &str, unit: Option<&Unit>, direction: Direction) -> BTreeMap<String, Override> {
        let mut out = BTreeMap::new();
        let Some(entries) = self.r.map(node, field, "a mapping of environment names to overrides") else { return out };
        for (env, value) in entries {
            let env_field = join(field, &env.name);
            let over = match &value.value {
                Value::Number(_) | Value::String(_) => {
                    Override { limit: self.quantity(value, &env_field, unit), warning: None, pos: env.pos, limit_pos: value.pos }
                }
                Value::Map(fields) => {
                    self.unknown_keys(fields, OVERRIDE_FIELDS, &env_field, "an environment override");
                    let mut over = Override { limit: None, warning: None, pos: env.pos, limit_pos: Pos::default() };
                    for (k, v) in fields {
                        match k.name.as_str() {
                            "limit" => {
                                over.limit = self.quantity(v, &join(&env_field, "limit"), unit);
                                over.limit_pos = v.pos;
                            }
                            "warning" => over.warning = self.warning(v, &join(&env_field, "warning"), unit),
                            _ => {}
                        }
                    }
                    over
                }
                other => {
                    self.error(value.pos, &env_field, expected("a limit or a mapping with `limit` and `warning`", other));
                    continue;
                }
            };
            if let Some(Warning::FractionOfLimit(f)) = over.warning
                && ((direction == Direction::LowerIsBetter && f > 1.0) || (direction == Direction::HigherIsBetter && f < 1.0))
            {
                self.error(
                    value.pos,
                    &join(&env_field, "warning"),
                    "the warning level is on the wrong side of the limit for this budget's direction",
                );
            }
            out.insert(env.name.clone(), over);
        }
        out
    }

    fn allocations(&mut self, key: &Key, node: &Node, parent_id: &str, field: &str, inherited: &Inherited, parent: usize) {
        let Some(entries) = self.r.map(node, field, "a mapping of sub-allocations") else { return };
        if self.budgets[parent].direction == Direction::HigherIsBetter {
            self.error(key.pos, field, "only a lower-is-better budget can be split into allocations that add up");
            return;
        }
        // Allocations inherit the parent's unit, statistic, direction and warning, not its name or metric.
        let mut children = Vec::new();
        for (child_key, child) in entries {
            let site = Site { key: child_key, node: child, id_prefix: parent_id, field: join(field, &child_key.name) };
            if let Some(i) = self.budget(&site, &Above { inherited, parent: Some(parent), allocation: true }) {
                children.push(i);
            }
        }
        self.check_allocation_sum(key.pos, field, parent, &children);
    }

    /// The allocations of a budget must add up to at most its limit, in every environment.
    fn check_allocation_sum(&mut self, pos: Pos, field: &str, parent: usize, children: &[usize]) {
        let mut environments: Vec<Option<String>> = vec![None];
        let budgets = &self.budgets;
        for &i in std::iter::once(&parent).chain(children) {
            for env in budgets[i].environments.keys() {
                if !environments.contains(&Some(env.clone())) {
                    environments.push(Some(env.clone()));
                }
            }
        }
        let parent_budget = &self.budgets[parent];
        let mut problems = Vec::new();
        for env in &environments {
            let env = env.as_deref();
            let Some(limit) = parent_budget.limit_in(env) else { continue };
            let sum: f64 = children.iter().filter_map(|&c| self.budgets[c].limit_in(env)).sum();
            // A tolerance for decimal fractions (0.1 + 0.2).
            if sum > limit * (1.0 + 1e-9) + 1e-12 {
                let parts: Vec<String> = children
                    .iter()
                    .filter_map(|&c| {
                        self.budgets[c]
                            .limit_in(env)
                            .map(|l| format!("{} {}", self.budgets[c].id.rsplit('.').next().unwrap_or(""), format_number(l)))
                    })
                    .collect();
                let place = env.map_or_else(String::new, |e| format!(" in environment `{e}`"));
                problems.push(format!(
                    "the allocations add up to {} {unit}, more than the limit of {} {unit} of `{}`{place} ({})",
                    format_number(sum),
                    format_number(limit),
                    parent_budget.id,
                    parts.join(" + "),
                    unit = parent_budget.unit,
                ));
            }
        }
        for p in problems {
            self.error(pos, field, p);
        }
    }

    /// The ADR form's `promql:` mapping: each metric's expression onto its budget.
    fn attach_promql(&mut self, capability: &str, field: &str, group: usize, promql: &[(&Key, &Node)]) {
        for (metric, query) in promql {
            let query_field = join(&join(field, "promql"), &metric.name);
            let id = format!("{capability}.{}", metric.name);
            let Some(expr) = self.r.text(query, &query_field) else { continue };
            if let Some(b) = self.budgets.iter_mut().find(|b| b.id == id) {
                b.promql = Some(expr);
            } else {
                let known: Vec<String> = self.budgets[group]
                    .children
                    .iter()
                    .map(|&c| self.budgets[c].id.trim_start_matches(&format!("{capability}.")).to_owned())
                    .collect();
                let hint = did_you_mean_hint(&metric.name, known.iter().map(String::as_str));
                self.error(metric.pos, &query_field, format!("`{capability}` has no limit on `{}`{hint}", metric.name));
            }
        }
    }

    fn adr_form(&mut self, entries: &[(Key, Node)]) {
        for (capability, node) in entries {
            let field = capability.name.clone();
            let Some(limits) = self.r.map(
                node,
                &field,
                "a mapping of limits such as `max_latency_ms: 50` (ADR 030 form), or a top-level `budgets:` mapping",
            ) else {
                continue;
            };
            if capability.name.contains('.') || capability.name.is_empty() {
                self.error(capability.pos, &field, "a capability's name may not contain dots");
                continue;
            }
            let group = self.budgets.len();
            self.budgets.push(Budget {
                id: capability.name.clone(),
                name: capability.name.clone(),
                description: None,
                kind: BudgetKind::Group,
                metric: capability.name.clone(),
                unit: Unit::Count,
                statistic: Statistic::Max,
                direction: Direction::LowerIsBetter,
                limit: None,
                promql: None,
                alert: None,
                slo: None,
                limit_pos: Pos::default(),
                warning: None,
                environments: BTreeMap::new(),
                parent: None,
                children: Vec::new(),
                file: self.r.file().to_owned(),
                pos: capability.pos,
            });
            let mut promql: Vec<(&Key, &Node)> = Vec::new();
            for (key, value) in limits {
                if key.name == "promql" {
                    let what = "a mapping of metric names to PromQL, such as `latency: ...`";
                    if let Some(queries) = self.r.map(value, &join(&field, &key.name), what) {
                        promql.extend(queries.iter().map(|(k, v)| (k, v)));
                    }
                } else {
                    self.adr_limit(capability, group, key, value);
                }
            }
            self.attach_promql(&capability.name, &field, group, &promql);
        }
    }

    /// One `max_<metric>_<unit>: value` of the ADR form, a budget of the capability's `group`.
    fn adr_limit(&mut self, capability: &Key, group: usize, key: &Key, value: &Node) {
        let limit_field = join(&capability.name, &key.name);
        let Some(parsed) = AdrKey::parse(&key.name) else {
            self.error(
                key.pos,
                &limit_field,
                "expected a key such as `max_latency_ms` or `min_throughput_rps`: `max_` or `min_`, a metric name, and a unit (ms, s, us, kb, mb, gb, pct, rps, fps)",
            );
            return;
        };
        let Some(limit) = self.quantity(value, &limit_field, Some(&parsed.unit)) else { return };
        let id = format!("{}.{}", capability.name, parsed.metric);
        if self.budgets.iter().any(|b| b.id == id) {
            self.error(key.pos, &limit_field, format!("a second limit on `{id}`"));
            return;
        }
        let index = self.budgets.len();
        let latency_like = ["latency", "time", "duration"].iter().any(|w| parsed.metric.contains(w));
        let statistic = match (latency_like, parsed.direction) {
            (true, _) => Statistic::Percentile(95.0),
            (false, Direction::LowerIsBetter) => Statistic::Max,
            (false, Direction::HigherIsBetter) => Statistic::Mean,
        };
        self.budgets.push(Budget {
            id: id.clone(),
            name: format!("{} {}", capability.name, parsed.metric),
            description: None,
            kind: BudgetKind::Metric,
            metric: id,
            unit: parsed.unit,
            statistic,
            direction: parsed.direction,
            limit: Some(limit),
            promql: None,
            alert: Some(AlertFamily::capability(&capability.name, &parsed.metric)),
            slo: None,
            limit_pos: value.pos,
            warning: Some(Warning::FractionOfLimit(match parsed.direction {
                Direction::LowerIsBetter => 0.9,
                Direction::HigherIsBetter => 1.1,
            })),
            environments: BTreeMap::new(),
            parent: Some(group),
            children: Vec::new(),
            file: self.r.file().to_owned(),
            pos: key.pos,
        });
        self.budgets[group].children.push(index);
    }
}

impl AlertFamily {
    /// ADR 030's alerts: `CapabilityLatencyHigh`, the capability in a label.
    fn capability(capability: &str, metric: &str) -> AlertFamily {
        AlertFamily { name: format!("Capability{}", camel_case(metric)), label: "capability".to_owned(), value: capability.to_owned() }
    }
}

impl DeclaredFamily {
    fn family(&self) -> Option<AlertFamily> {
        Some(AlertFamily { name: self.name.clone(), label: self.label.clone(), value: self.value.clone()? })
    }
}

/// The statistic a budget limits where it names none: p95 of a time where lower is better, the
/// mean where higher is better, else the maximum.
fn default_statistic(unit: Option<&Unit>, direction: Direction) -> Statistic {
    match (unit.map(Unit::dimension), direction) {
        (Some(super::units::Dimension::Time), Direction::LowerIsBetter) => Statistic::Percentile(95.0),
        (_, Direction::HigherIsBetter) => Statistic::Mean,
        _ => Statistic::Max,
    }
}

/// `http_requests_total{code=~"5.."}`: a metric name and optional label matchers, nothing more.
fn is_selector(text: &str) -> bool {
    let (name, rest) = text.find('{').map_or((text, ""), |i| text.split_at(i));
    let mut chars = name.chars();
    let name_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    let matchers_ok = rest.is_empty() || (rest.ends_with('}') && !rest.contains('[') && rest.matches('{').count() == 1);
    name_ok && matchers_ok
}

/// `schema_validator.latency` → `SchemaValidatorLatency`: an id as an alert's name.
#[must_use]
pub fn camel_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// A key of the ADR 030 form: `max_latency_ms` is a maximum on `latency`, in ms.
struct AdrKey {
    direction: Direction,
    metric: String,
    unit: Unit,
}

impl AdrKey {
    fn parse(key: &str) -> Option<AdrKey> {
        let (direction, rest) = if let Some(rest) = key.strip_prefix("max_") {
            (Direction::LowerIsBetter, rest)
        } else {
            (Direction::HigherIsBetter, key.strip_prefix("min_")?)
        };
        let (metric, unit) = Unit::split_suffix(rest)?;
        if metric.contains('.') {
            return None;
        }
        Some(AdrKey { direction, metric: metric.to_owned(), unit })
    }
}

/// Splits `20 ms` into 20 and ms; a bare `20` has no unit. `None` if there is no number.
#[must_use]
pub fn split_quantity(text: &str) -> Option<(f64, Option<Unit>)> {
    let t = text.trim();
    let end = t
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
        .map_or(t.len(), |(i, _)| i);
    // `e` starts units too (none of ours), so prefer the longest prefix that parses.
    let (number, unit) = (1..=end).rev().find_map(|i| t[..i].parse::<f64>().ok().map(|n| (n, t[i..].trim())))?;
    if unit.is_empty() { Some((number, None)) } else { Unit::parse(unit).ok().map(|u| (number, Some(u))) }
}

/// What a budget file that did not load would have held, as far as its text tells: the app
/// shows these budgets as "not loaded" (never as within budget), and counts them as not checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamedBudgets {
    /// The ids of the budgets with a limit that the file names (empty where the YAML does not parse).
    pub ids: Vec<String>,
    /// How many budgets with a limit the file holds: the ids, or where the YAML does not parse,
    /// the lines that set a limit (`limit:`, `max_…:`, `min_…:`, an allocation's `name: value`).
    pub count: usize,
}

/// The budgets with a limit that a budget file names, read leniently (misspelt fields and bad
/// values are ignored; only the shape of the two forms counts). See [`NamedBudgets`].
#[must_use]
pub fn budgets_named_in(text: &str) -> NamedBudgets {
    let Ok(root) = yaml::parse(text) else {
        let count = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| {
                let key = l.split(':').next().unwrap_or("").trim();
                l.contains(':') && (key == "limit" || key.starts_with("max_") || key.starts_with("min_"))
            })
            .count();
        return NamedBudgets { ids: Vec::new(), count };
    };
    let mut ids = Vec::new();
    if let Value::Map(entries) = &root.value {
        match entries.iter().find(|(k, _)| k.name == "budgets") {
            Some((_, budgets)) => named_members(budgets, "", &mut ids),
            None => {
                for (capability, node) in entries {
                    if let Value::Map(limits) = &node.value {
                        ids.extend(
                            limits.iter().filter_map(|(k, _)| AdrKey::parse(&k.name)).map(|a| format!("{}.{}", capability.name, a.metric)),
                        );
                    }
                }
            }
        }
    }
    NamedBudgets { count: ids.len(), ids }
}

/// The checked budgets of a `budgets:` or `allocations:` mapping (groups are not checked).
fn named_members(node: &Node, prefix: &str, ids: &mut Vec<String>) {
    let Value::Map(entries) = &node.value else { return };
    for (key, member) in entries {
        let id = join(prefix, &key.name);
        let children = match &member.value {
            Value::Map(fields) => fields.iter().filter(|(k, _)| k.name == "budgets" || k.name == "allocations").collect(),
            _ => Vec::new(),
        };
        if !children.iter().any(|(k, _)| k.name == "budgets") {
            ids.push(id.clone());
        }
        for (_, child) in children {
            named_members(child, &id, ids);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Vec<Budget> {
        parse_budget_file("t.yaml", text).unwrap_or_else(|e| panic!("{e:#?}"))
    }
    fn errors(text: &str) -> Vec<String> {
        parse_budget_file("t.yaml", text).expect_err("expected errors").iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_adr_form_loads_unchanged() {
        let b =
            load("schema_validator:\n  max_latency_ms: 50\n  max_memory_mb: 10\nrate_limiter:\n  max_latency_ms: 10\n  max_memory_mb: 5\n");
        let latency = b.iter().find(|b| b.id == "schema_validator.latency").unwrap();
        assert_eq!(latency.limit, Some(50.0));
        assert_eq!(latency.unit, Unit::Milliseconds);
        assert_eq!(latency.statistic, Statistic::Percentile(95.0));
        let memory = b.iter().find(|b| b.id == "rate_limiter.memory").unwrap();
        assert_eq!((memory.limit, &memory.unit, memory.statistic), (Some(5.0), &Unit::Megabytes, Statistic::Max));
        assert_eq!(b[0].kind, BudgetKind::Group);
        assert_eq!(b[0].children.len(), 2);
    }

    #[test]
    fn allocations_inherit_the_parent_unit_and_must_add_up() {
        let b = load(
            "budgets:\n  gateway:\n    unit: ms\n    limit: 20\n    allocations: {routing: 5, auth: 5, rate: 2, logging: 3, formatting: 5}\n",
        );
        assert_eq!(b.len(), 6);
        assert_eq!(b[1].id, "gateway.routing");
        assert_eq!(b[1].kind, BudgetKind::Allocation);
        assert_eq!(b[1].unit, Unit::Milliseconds);
        assert_eq!(b[0].children, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn allocations_over_the_parent_are_an_error_with_the_sum() {
        let e = errors("budgets:\n  gateway:\n    unit: ms\n    limit: 20\n    allocations:\n      routing: 15\n      auth: 6\n");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("t.yaml:5:5: `budgets.gateway.allocations`: the allocations add up to 21 ms, more than the limit of 20 ms"),
            "{}",
            e[0]
        );
    }

    #[test]
    fn allocations_are_checked_in_every_environment() {
        let e = errors("budgets:\n  g:\n    unit: ms\n    limit: 20\n    environments: {prod: 10}\n    allocations: {a: 5, b: 6}\n");
        assert!(e[0].contains("in environment `prod`"), "{e:?}");
    }

    #[test]
    fn a_misspelt_field_is_named_with_a_suggestion() {
        let e = errors("budgets:\n  api:\n    unit: ms\n    limt: 100\n");
        assert!(e.iter().any(|e| e == "t.yaml:4:5: `budgets.api.limt`: unknown field in a budget; did you mean `limit`?"), "{e:?}");
    }

    #[test]
    fn a_wrong_type_says_what_was_expected() {
        let e = errors("budgets:\n  api:\n    unit: ms\n    limit: fast\n");
        assert_eq!(e, vec!["t.yaml:4:12: `budgets.api.limit`: expected a number (optionally with a unit, as in `20 ms`), found `fast`"]);
    }

    #[test]
    fn limits_with_units_convert_into_the_budget_unit() {
        let b = load("budgets:\n  page_load: {unit: ms, limit: 2 s, warning: 1500 ms}\n");
        assert_eq!(b[0].limit, Some(2000.0));
        assert_eq!(b[0].warning, Some(Warning::Absolute(1500.0)));
        let e = errors("budgets:\n  page_load: {unit: ms, limit: 2 MB}\n");
        assert!(e[0].contains("does not convert"), "{e:?}");
    }

    #[test]
    fn environment_overrides_replace_the_limit_and_warning() {
        let b = load(
            "defaults: {unit: ms, warning: 80%}\nbudgets:\n  api:\n    limit: 100\n    environments:\n      ci: {limit: 150, warning: 95%}\n      dev: 200\n",
        );
        assert_eq!(b[0].limit_in(None), Some(100.0));
        assert_eq!(b[0].warning_in(None), Some(80.0));
        assert_eq!(b[0].limit_in(Some("ci")), Some(150.0));
        assert!((b[0].warning_in(Some("ci")).unwrap() - 142.5).abs() < 1e-9);
        assert_eq!(b[0].limit_in(Some("dev")), Some(200.0));
        assert_eq!(b[0].limit_in(Some("prod")), Some(100.0));
    }

    #[test]
    fn groups_nest_and_pass_their_attributes_down() {
        let b = load(
            "budgets:\n  services:\n    unit: ms\n    budgets:\n      auth: {limit: 30}\n      frontend:\n        unit: KB\n        budgets: {js: 200}\n",
        );
        let ids: Vec<&str> = b.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["services", "services.auth", "services.frontend", "services.frontend.js"]);
        assert_eq!(b[3].unit, Unit::Kilobytes);
        assert_eq!(b[3].statistic, Statistic::Max);
        assert_eq!(b[1].statistic, Statistic::Percentile(95.0));
        assert_eq!(b[0].kind, BudgetKind::Group);
    }

    #[test]
    fn higher_is_better_budgets_warn_above_their_limit() {
        let b = load("budgets:\n  fps: {unit: fps, limit: 60, direction: higher_is_better}\n");
        assert!((b[0].warning_in(None).unwrap() - 66.0).abs() < 1e-9);
        let e = errors("budgets:\n  fps: {unit: fps, limit: 60, direction: higher, warning: 90%}\n");
        assert!(e[0].contains("at least 100%"), "{e:?}");
    }

    #[test]
    fn a_budget_without_a_unit_or_limit_is_refused() {
        let e = errors("budgets:\n  api: {limit: 5}\n  empty: {name: nothing}\n");
        assert!(e.iter().any(|e| e.contains("needs a `unit`")), "{e:?}");
        assert!(e.iter().any(|e| e.contains("expected `limit`")), "{e:?}");
    }

    #[test]
    fn negative_and_infinite_limits_are_refused() {
        let e = errors("budgets:\n  a: {unit: ms, limit: -5}\n");
        assert_eq!(e, vec!["t.yaml:2:24: `budgets.a.limit`: expected a finite number of at least 0, found -5"]);
        let e = errors("budgets:\n  b: {unit: ms, limit: .inf}\n");
        assert!(e[0].starts_with("t.yaml:2:") && e[0].contains("non-finite"), "{e:?}");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let e = errors("budgets:\n  a: {unit: ms, limit: 5\n");
        assert!(e[0].starts_with("t.yaml:"), "{e:?}");
    }

    #[test]
    fn a_foreign_adr_key_is_explained() {
        let e = errors("cap:\n  latency: 50\n");
        assert!(e[0].contains("max_latency_ms"), "{e:?}");
    }

    #[test]
    fn a_file_that_does_not_load_still_names_its_budgets_and_a_syntax_error_counts_its_limits() {
        let misspelt =
            "budgets:\n  api:\n    limt: 20\n    allocations: {routing: 5, auth: 5}\n  group:\n    budgets:\n      a: {limit: 1}\n";
        let named = budgets_named_in(misspelt);
        assert_eq!(named.ids, ["api", "api.routing", "api.auth", "group.a"]);
        assert_eq!(named.count, 4);
        let adr = budgets_named_in("schema_validator:\n  max_latency_ms: 50\n  max_memry_mb: x\n");
        assert_eq!(adr.ids, ["schema_validator.latency", "schema_validator.memry"]);
        let broken = budgets_named_in("budgets:\n  a:\n    limit: [5\n  b:\n    limit: 3\n");
        assert!(broken.ids.is_empty());
        assert_eq!(broken.count, 2);
    }
}
