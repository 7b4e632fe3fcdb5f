//! The CI gate's accuracy on generated workspaces, replayed run by run as CI would have checked
//! them: false alarms per check for every kind of noise, and how soon sustained steps fail, by
//! their size in units of the noise; beside Perfherder's detector on the same series.
//!
//! `cargo run --release --no-default-features --example gate_accuracy [WORKSPACES_PER_KIND] [SEED] [BUDGETS]`
//!
//! Each workspace holds BUDGETS budgets (16) of 400 runs on `main`; three in four step once,
//! sustained, late in the history (between runs 250 and 380) by 2–25 %, the rest stay flat. Every
//! run from the 30th on is checked with `headroom check`'s engine against the runs before it.
#![allow(clippy::print_stdout)]

use headroom::engine::check::{CheckOptions, Finding, Status, check};
use headroom::engine::synthetic::{GateSeries, NoiseKind, Rng, gate_series};
use headroom::model::workspace::Workspace;

const RUNS: usize = 400;
const FIRST_CHECKED: usize = 30;
/// Perfherder's windows and threshold (treeherder's `detect_changes`: 12 runs each side, t > 7).
const PERFHERDER_WINDOW: usize = 12;
const PERFHERDER_T: f64 = 7.0;

#[derive(Default)]
struct Tally {
    checks: usize,
    false_alarms: usize,
    inconclusive: usize,
    perfherder_false: usize,
}

#[derive(Default, Clone)]
struct Steps {
    count: usize,
    within: [usize; 4],   // 1, 2, 5, 12 checks
    flagged_first: usize, // failed or inconclusive (rerun) at the first check
    ever: usize,
    delays: Vec<usize>,
    perfherder_within_12: usize,
}

fn bucket(sigmas: f64) -> usize {
    match sigmas {
        s if s < 2.0 => 0,
        s if s < 4.0 => 1,
        s if s < 8.0 => 2,
        _ => 3,
    }
}

fn workspace(series: &[GateSeries]) -> Workspace {
    let mut budgets = String::from("budgets:\n");
    for b in 0..series.len() {
        budgets.push_str(&format!("  m{b}: {{unit: ms, limit: 1000000}}\n"));
    }
    let mut history = String::new();
    for i in 0..RUNS {
        let metrics: Vec<String> = series.iter().enumerate().map(|(b, s)| format!("\"m{b}\":{}", s.values[i])).collect();
        history.push_str(&format!(
            "{{\"id\":\"r{i}\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"commit\":\"c{i}\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{{}}}}}\n",
            metrics.join(",")
        ));
    }
    let config = "default_branch: main\ndefault_environment: ci\n".to_owned();
    Workspace::from_files(
        "generated",
        &[("headroom.yaml".to_owned(), config), ("b.yaml".to_owned(), budgets), ("history/h.jsonl".to_owned(), history)],
    )
}

/// Perfherder's detector over a whole series: the positions whose two-sample t over 12 runs
/// each side exceeds 7, keeping the local maximum of each run of such positions.
fn perfherder(values: &[f64]) -> Vec<usize> {
    let w = PERFHERDER_WINDOW;
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let var = |s: &[f64], m: f64| s.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (s.len() - 1) as f64;
    let mut t = vec![0.0; values.len()];
    for i in w..values.len().saturating_sub(w - 1) {
        let (back, fore) = (&values[i - w..i], &values[i..i + w]);
        let (mb, mf) = (mean(back), mean(fore));
        let se = (var(back, mb) / w as f64 + var(fore, mf) / w as f64).sqrt();
        t[i] = if se > 0.0 {
            (mf - mb).abs() / se
        } else if (mf - mb).abs() <= f64::EPSILON * mb.abs() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    (0..values.len()).filter(|&i| t[i] > PERFHERDER_T && (i == 0 || t[i] >= t[i - 1]) && t.get(i + 1).is_none_or(|&n| t[i] > n)).collect()
}

#[allow(clippy::too_many_lines)] // one replay loop and its two tables, read top to bottom
fn main() {
    let mut args = std::env::args().skip(1);
    let per_kind: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2026);
    let budgets: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(16);
    let mut rng = Rng::new(seed);
    let mut steps_by_size = vec![Steps::default(); 4];
    let mut perfherder_by_size = [0usize; 4];
    println!("{per_kind} workspaces per kind of noise, {budgets} budgets x {RUNS} runs each, seed {seed}");
    println!();
    println!("| noise | checks | false alarms | rate | inconclusive | Perfherder false alarms |");
    println!("|---|---|---|---|---|---|");
    let started = std::time::Instant::now();
    let mut all = Tally::default();
    // GATE_KINDS="autocorrelated,daily" replays only the kinds whose names contain one of these
    // words; the others' series are still generated, so the chosen kinds see the same series.
    let chosen = std::env::var("GATE_KINDS").ok();
    for kind in NoiseKind::ALL {
        let mut tally = Tally::default();
        let replayed = chosen.as_deref().is_none_or(|c| c.split(',').any(|w| kind.name().contains(w.trim())));
        for _ in 0..per_kind {
            let series: Vec<GateSeries> = (0..budgets)
                .map(|b| {
                    let step = (b % 4 != 3).then(|| (rng.below(250, 381), rng.range(0.02, 0.25)));
                    gate_series(kind, RUNS, step, &mut rng)
                })
                .collect();
            if !replayed {
                continue;
            }
            let w = workspace(&series);
            let mut first_fail: Vec<Option<usize>> = vec![None; budgets];
            let mut flagged_at_step: Vec<bool> = vec![false; budgets];
            for t in FIRST_CHECKED..RUNS {
                let report = check(&w, &CheckOptions { run: Some(format!("r{t}")), ..CheckOptions::default() });
                for r in &report.results {
                    let b = r.budget;
                    let s = &series[b];
                    if std::env::var("GATE_TRACE").is_ok_and(|v| v == format!("{}:m{b}:{t}", kind.name())) {
                        println!("TRACE {:?}\n  p {:?} baseline {:?}", r.findings, r.p_value, r.baseline);
                        println!("  values {:?}", &s.values[..=t]);
                    }
                    let regressed = r.status == Status::Fail && r.findings.iter().any(|f| matches!(f, Finding::Regression { .. }));
                    let inconclusive = r.findings.iter().any(|f| matches!(f, Finding::Inconclusive { .. }));
                    if s.step_at.is_none_or(|at| t < at) {
                        tally.checks += 1;
                        tally.false_alarms += usize::from(regressed);
                        if regressed && std::env::var_os("GATE_DEBUG").is_some() {
                            let open = r.open_regression.as_ref().map(|o| (o.since_run.clone(), o.runs, o.evidence_runs));
                            println!(
                                "FA {} m{b} r{t}: {:?} open {:?} baseline {:?}",
                                kind.name(),
                                r.findings,
                                open,
                                r.baseline.as_ref().map(|b| (b.value, b.runs, b.noise))
                            );
                        }
                        tally.inconclusive += usize::from(inconclusive);
                    } else {
                        if s.step_at == Some(t) {
                            flagged_at_step[b] = regressed || inconclusive;
                        }
                        if regressed && first_fail[b].is_none() {
                            first_fail[b] = Some(t);
                        }
                    }
                }
            }
            for (b, s) in series.iter().enumerate() {
                let found = perfherder(&s.values);
                let Some(at) = s.step_at else {
                    tally.perfherder_false += found.iter().filter(|&&i| i >= FIRST_CHECKED).count();
                    continue;
                };
                tally.perfherder_false += found.iter().filter(|&&i| i >= FIRST_CHECKED && i + 12 < at).count();
                let size = bucket(s.step_in_noise);
                if std::env::var_os("GATE_DEBUG").is_some() && size >= 2 && first_fail[b].is_none_or(|t| t > at + 1) {
                    println!(
                        "LATE {} m{b} step {:.1}σ ({:.1} %) at r{at}: first fail {:?}",
                        kind.name(),
                        s.step_in_noise,
                        s.step * 100.0,
                        first_fail[b]
                    );
                }
                let steps = &mut steps_by_size[size];
                steps.count += 1;
                steps.flagged_first += usize::from(flagged_at_step[b]);
                if found.iter().any(|&i| i.abs_diff(at) <= 3) {
                    steps.perfherder_within_12 += 1;
                    perfherder_by_size[size] += 1;
                }
                if let Some(t) = first_fail[b] {
                    let delay = t - at;
                    steps.ever += 1;
                    steps.delays.push(delay);
                    for (k, limit) in [1, 2, 5, 12].into_iter().enumerate() {
                        steps.within[k] += usize::from(delay < limit);
                    }
                }
            }
        }
        if !replayed {
            continue;
        }
        println!(
            "| {} | {} | {} | {:.3} % | {} | {} |",
            kind.name(),
            tally.checks,
            tally.false_alarms,
            100.0 * tally.false_alarms as f64 / tally.checks.max(1) as f64,
            tally.inconclusive,
            tally.perfherder_false
        );
        all.checks += tally.checks;
        all.false_alarms += tally.false_alarms;
        all.inconclusive += tally.inconclusive;
        all.perfherder_false += tally.perfherder_false;
    }
    println!(
        "| **all** | {} | {} | {:.3} % | {} | {} |",
        all.checks,
        all.false_alarms,
        100.0 * all.false_alarms as f64 / all.checks.max(1) as f64,
        all.inconclusive,
        all.perfherder_false
    );
    println!();
    println!(
        "| step (noise σ) | steps | 1st check: rerun asked (exit 3) | failed by 1st check | by 2nd | within 5 | within 12 | ever | median delay | Perfherder (needs 12 runs after) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let names = ["< 2σ", "2-4σ", "4-8σ", ">= 8σ"];
    for (i, s) in steps_by_size.iter_mut().enumerate() {
        s.delays.sort_unstable();
        let pct = |x: usize| 100.0 * x as f64 / s.count.max(1) as f64;
        let median = s.delays.get(s.delays.len() / 2).map_or("-".to_owned(), |d| format!("{d} runs"));
        println!(
            "| {} | {} | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {} | {:.1} % |",
            names[i],
            s.count,
            pct(s.flagged_first),
            pct(s.within[0]),
            pct(s.within[1]),
            pct(s.within[2]),
            pct(s.within[3]),
            pct(s.ever),
            median,
            pct(perfherder_by_size[i])
        );
    }
    println!();
    println!("({:.1} s)", started.elapsed().as_secs_f64());
}
