//! The example workspace: the bundled `budgets/` folder, built into the binary so the app has
//! something to open anywhere, and the deterministic generator of its snapshot history.
//!
//! `cargo run --example generate_history` rewrites `budgets/history/ci.jsonl`; a test checks that
//! the committed file is exactly what the generator makes.

use crate::engine::synthetic;
use crate::model::budget::BudgetKind;
use crate::model::history::{Measurement, Run, Snapshot, snapshot_to_json_line};
use crate::model::time::Timestamp;
use crate::model::units::Unit;
use crate::model::workspace::Workspace;

/// The budget and settings files of the bundled workspace, as (path, text).
pub const BUDGET_FILES: &[(&str, &str)] = &[
    ("headroom.yaml", include_str!("../budgets/headroom.yaml")),
    ("capability_budgets.yaml", include_str!("../budgets/capability_budgets.yaml")),
    ("services.yaml", include_str!("../budgets/services.yaml")),
    ("database.yaml", include_str!("../budgets/database.yaml")),
    ("frontend.yaml", include_str!("../budgets/frontend.yaml")),
];

/// The history file of the bundled workspace.
pub const HISTORY_FILE: (&str, &str) = ("history/ci.jsonl", include_str!("../budgets/history/ci.jsonl"));

/// The bundled workspace, as built into this binary: read-only.
#[must_use]
pub fn workspace() -> Workspace {
    let files: Vec<(String, String)> =
        BUDGET_FILES.iter().chain(std::iter::once(&HISTORY_FILE)).map(|(p, t)| ((*p).to_owned(), (*t).to_owned())).collect();
    let mut workspace = Workspace::from_files("example workspace (built in)", &files);
    workspace.read_only = true;
    workspace
}

/// The engine's seeded SplitMix64 generator, so the example is the same on every machine, with the
/// mappings to uniform and normal numbers the committed history was generated with.
struct Rng(synthetic::Rng);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Standard normal, by Box–Muller.
    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    fn hex(&mut self, digits: usize) -> String {
        let s = format!("{:016x}{:016x}", self.next_u64(), self.next_u64());
        s[..digits].to_owned()
    }
}

/// A stable number in [0, 1) from a name, so each metric gets its own level and noise.
fn name_hash(name: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// How many days the example history covers, and when it ends.
const DAYS: usize = 180;
const LAST_DAY: &str = "2026-11-24";

/// The story the example history tells, on top of each metric's noise:
/// - `schema_validator.latency` regresses by 18 % at day 70 and is fixed at day 110;
/// - `services.auth.database_lookup` steps up by 40 % at day 130 and stays (Auth nears its budget);
/// - `services.mint.balance_calculation` improves by 30 % at day 90;
/// - `frontend.javascript` creeps up every week and crosses its 200 KB budget in the last weeks;
/// - `database.batch_insert` has single-run spikes (noisy neighbours on the CI runner), not shifts;
/// - every fifth day a pull-request run on a feature branch, one of which (day 150) regresses the
///   rate limiter by 25 % before it is reworked.
fn level(metric: &str, day: usize, base: f64) -> f64 {
    let t = day as f64 / DAYS as f64;
    match metric {
        "schema_validator.latency" if (70..110).contains(&day) => base * 1.18,
        "services.auth.database_lookup" if day >= 130 => base * 1.4,
        "services.mint.balance_calculation" if day >= 90 => base * 0.7,
        "frontend.javascript" => base * (1.0 + 0.24 * (t * 26.0).floor() / 26.0),
        _ => base,
    }
}

/// The typical fraction of its limit that a metric runs at.
fn base_fraction(metric: &str) -> f64 {
    match metric {
        "services.auth.database_lookup" => 0.66,
        "frontend.javascript" => 0.82,
        "schema_validator.latency" => 0.7,
        _ => 0.45 + 0.3 * name_hash(metric),
    }
}

/// Generates the example history for the bundled budgets: deterministic, the same bytes on every machine.
#[must_use]
pub fn generate_history() -> String {
    let files: Vec<(String, String)> = BUDGET_FILES.iter().map(|(p, t)| ((*p).to_owned(), (*t).to_owned())).collect();
    let workspace = Workspace::from_files("budgets", &files);
    let mut rng = Rng(synthetic::Rng::new(0x4845_4144_524f_4f4d)); // "HEADROOM"
    let last = Timestamp::parse(LAST_DAY).map_or(0, |t| t.0);
    let first = last - (DAYS as i64 - 1) * 86_400_000;
    let mut out = String::new();
    let mut number = 1000;
    for day in 0..DAYS {
        let mut branches = vec![("main".to_owned(), 0.0)];
        if day % 5 == 2 {
            branches.push((format!("feature/pr-{}", 400 + day / 5), 1.0));
        }
        for (branch, pr) in branches {
            number += 1;
            let minutes = 9 * 60 + (rng.uniform() * 120.0) as i64 + if pr > 0.0 { 300 } else { 0 };
            let run = Run {
                id: format!("ci-{number}"),
                timestamp: Some(Timestamp(first + day as i64 * 86_400_000 + minutes * 60_000)),
                commit: Some(rng.hex(12)),
                branch: Some(branch.clone()),
                environment: Some("ci".to_owned()),
                file: "".into(),
                line: 0,
            };
            let metrics = measure_all(&workspace, day, pr > 0.0 && day == 152, &mut rng);
            out.push_str(&snapshot_to_json_line(&Snapshot { run, metrics, groups: std::collections::BTreeMap::new() }));
            out.push('\n');
        }
    }
    out
}

fn round(v: f64, unit: &Unit) -> f64 {
    let scale = if matches!(unit, Unit::Percent) { 10_000.0 } else { 100.0 };
    (v * scale).round() / scale
}

fn measure_all(workspace: &Workspace, day: usize, regressing_pr: bool, rng: &mut Rng) -> Vec<(String, Measurement)> {
    let mut values: Vec<Option<f64>> = vec![None; workspace.budgets.len()];
    // Leaves first: a parent with allocations measures about the sum of its steps.
    for (i, budget) in workspace.budgets.iter().enumerate().rev() {
        if budget.kind == BudgetKind::Group {
            continue;
        }
        let Some(limit) = budget.limit else { continue };
        let noise = 0.01 + 0.02 * name_hash(&format!("noise {}", budget.metric));
        let children: Vec<f64> = budget.children.iter().filter_map(|&c| values[c]).collect();
        let mut value = if children.is_empty() {
            level(&budget.metric, day, limit * base_fraction(&budget.metric)) * (1.0 + noise * rng.normal())
        } else {
            children.iter().sum::<f64>() * (0.95 + 0.01 * rng.normal())
        };
        if budget.metric == "database.batch_insert" && rng.uniform() < 0.04 {
            value *= 1.6 + rng.uniform();
        }
        if regressing_pr && budget.metric == "rate_limiter.latency" {
            value *= 1.25;
        }
        values[i] = Some(value.max(0.0));
    }
    let mut metrics = Vec::new();
    for (i, budget) in workspace.budgets.iter().enumerate() {
        let Some(value) = values[i] else { continue };
        let unit = budget.unit.clone();
        // The capabilities' pytest-benchmark runs keep their raw samples: p95 is computed from them.
        let measurement = if budget.metric.ends_with(".latency") && budget.file == "capability_budgets.yaml" {
            let spread = value * 0.08;
            let samples: Vec<f64> = (0..20).map(|_| round((value - spread * 1.6 + spread * rng.normal()).max(0.01), &unit)).collect();
            Measurement { value: None, samples: Some(samples), unit: Some(unit) }
        } else {
            Measurement { value: Some(round(value, &unit)), samples: None, unit: Some(unit) }
        };
        metrics.push((budget.metric.clone(), measurement));
    }
    metrics
}
