//! What a triage's acceptance lets through, on generated histories: a level accepted by `headroom
//! triage --state wont_fix` must never fail for its own noise, and a bigger step after it must
//! fail. Each is counted with the triage as `headroom triage` writes it now (the change it accepts
//! recorded, `accepted_change`) and as records without that field read (one worsening of any size).
//!
//! `cargo run --release --no-default-features --example triage_gate [SEEDS] [alone|second]`
//!
//! Every history is 200 runs at 100, then +12 % held to run 400, in one kind of noise; the triage
//! of the step's first run is written once 1, 2, 5 or 20 runs of the new level are in, and every
//! third run from then on is checked. `alone`: nothing else changes (every failure is false).
//! `second`: 10 runs after the triage, 112 → 125 (+11.6 % more, held): every failure is right.
#![allow(clippy::print_stdout)]

use headroom::engine::check::{CheckOptions, Status, accepted_change, check};
use headroom::engine::synthetic::Rng;
use headroom::model::triage::{TriageEntry, TriageState, record_file, record_to_yaml};
use headroom::model::workspace::Workspace;

const BUDGET: &str = "cap:\n  max_latency_ms: 100000\n";

fn runs(values: &[f64]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        let _ = writeln!(
            out,
            "{{\"id\":\"r{i}\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"commit\":\"c{i}\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"cap.latency\":{v}}}}}"
        );
    }
    out
}

/// The failing checks from the `seen`th run on, with the triage of r200 written once `seen` runs
/// were in (its change recorded, or not), and how many checks.
fn failures(values: &[f64], seen: usize, recorded: bool) -> (usize, usize) {
    let budget = ("b.yaml".to_owned(), BUDGET.to_owned());
    let files = vec![budget.clone(), ("history/h.jsonl".to_owned(), runs(&values[..seen]))];
    let change = accepted_change(&Workspace::from_files("w", &files), "cap.latency", "r200");
    let entry = TriageEntry {
        state: TriageState::WontFix,
        owner: "maria".into(),
        note: "accepted".into(),
        accepted_change: change.filter(|_| recorded),
        ..Default::default()
    };
    let key = "cap.latency@r200";
    let triage = (record_file(key), record_to_yaml(key, &entry));
    let (mut failed, mut checks) = (0, 0);
    for end in (seen..=values.len()).step_by(3) {
        let files = vec![budget.clone(), ("history/h.jsonl".to_owned(), runs(&values[..end])), triage.clone()];
        let report = check(&Workspace::from_files("w", &files), &CheckOptions::default());
        checks += 1;
        failed += usize::from(report.results[0].status == Status::Fail);
    }
    (failed, checks)
}

/// One run's noise of `kind`, as a fraction of the level (`state`: an AR(1) process's).
fn noise(kind: &str, rng: &mut Rng, state: &mut f64, i: usize) -> f64 {
    match kind {
        "gaussian-2%" => 0.02 * rng.gaussian(),
        "gaussian-5%" => 0.05 * rng.gaussian(),
        "log-normal" => (0.04 * rng.gaussian()).exp() - 1.0,
        "bimodal" => 0.02 * rng.gaussian() + if rng.uniform() < 0.3 { 0.04 } else { 0.0 },
        "ar1-0.7" => {
            *state = 0.7 * *state + 0.023 * 0.714 * rng.gaussian();
            *state
        }
        "student-t3" => {
            let z = rng.gaussian();
            let chi = rng.gaussian().powi(2) + rng.gaussian().powi(2) + rng.gaussian().powi(2);
            0.02 * z / (chi / 3.0).sqrt()
        }
        "spikes" => 0.01 * rng.gaussian() + if rng.uniform() < 0.01 { rng.range(0.2, 0.6) } else { 0.0 },
        "daily-cycle" => 0.015 * rng.gaussian() + 0.05 * (i as f64 * std::f64::consts::TAU / 24.0).sin(),
        _ => 0.01 * rng.gaussian(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let second = args.get(2).is_some_and(|a| a == "second");
    let kinds = ["gaussian-2%", "gaussian-5%", "log-normal", "bimodal", "ar1-0.7", "student-t3", "spikes", "daily-cycle", "timer-4ms"];
    println!("{} checks failed, without the recorded change -> with it", if second { "second step: " } else { "accepted level alone: " });
    for kind in kinds {
        let mut line = format!("{kind:12}");
        for after in [1usize, 2, 5, 20] {
            let (mut without, mut with, mut checks) = (0, 0, 0);
            for seed in 0..seeds {
                let mut rng = Rng::new(500 + seed);
                let mut state = 0.0;
                let values: Vec<f64> = (0..400)
                    .map(|i| {
                        let level = if i < 200 {
                            100.0
                        } else if second && i >= 210 + after {
                            125.0
                        } else {
                            112.0
                        };
                        if kind == "timer-4ms" {
                            // Whole milliseconds of a 3.5 ms, then 3.9 ms, operation.
                            (level * 0.035 * (1.0 + noise("", &mut rng, &mut state, i)) + rng.uniform() - 0.5).round().max(0.0)
                        } else {
                            level * (1.0 + noise(kind, &mut rng, &mut state, i))
                        }
                    })
                    .collect();
                let (old, n) = failures(&values, 200 + after, false);
                let (new, _) = failures(&values, 200 + after, true);
                (without, with, checks) = (without + old, with + new, checks + n);
            }
            line.push_str(&format!("  after {after:>2}: {without:>3} -> {with:>3} of {checks}"));
        }
        println!("{line}");
    }
}
