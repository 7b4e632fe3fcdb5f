//! The CI gate's accuracy on generated workspaces, replayed run by run as CI would have checked
//! them: false alarms per check for every kind of noise, and how soon sustained steps fail, by
//! their size in units of the noise; beside Perfherder's detector on the same series.
//!
//! `cargo run --release --no-default-features --example gate_accuracy [WORKSPACES_PER_KIND] [SEED] [BUDGETS]`
//!
//! Each workspace holds BUDGETS budgets (16) of 400 runs on `main`; three in four step once,
//! sustained, late in the history (between runs 250 and 380) by 2–25 %, the rest stay flat. Every
//! run from the 30th on is checked with `headroom check`'s engine against the runs before it.
//!
//! Each workspace is replayed twice on the same series: as a CI that ignores exit code 3 (the
//! first tables), and as the CI jobs in `docs/` run it (the tables "with reruns"): a check that is
//! inconclusive gets a rerun of the same commit (`r{t}-rerun-{k}`, commit `c{t}`), up to 3, each
//! checked in turn, and the check's verdict is its last. A rerun's values are re-measurements of
//! the commit ([`GateSeries::reruns`]), kept in the history for the checks after it, as CI keeps
//! them. Whether a rerun is asked is decided for each budget as if it were its own CI job (its own
//! exit code: inconclusive and not failing): with `GATE_RERUN_SCOPE=report` it is the whole
//! report's exit code, as the docs' loop reads it, where one failing budget stops every rerun.
#![allow(clippy::print_stdout)]

use headroom::engine::check::{BudgetResult, CheckOptions, Finding, Status, check};
use headroom::engine::exit::ExitCode;
use headroom::engine::synthetic::{GateSeries, NoiseKind, Rng, gate_series};
use headroom::model::settings::CheckSettings;
use headroom::model::workspace::Workspace;

const RUNS: usize = 400;
const FIRST_CHECKED: usize = 30;
/// Perfherder's windows and threshold (treeherder's `detect_changes`: 12 runs each side, t > 7).
const PERFHERDER_WINDOW: usize = 12;
const PERFHERDER_T: f64 = 7.0;
/// The docs' CI jobs rerun an inconclusive check at most this many times.
const MAX_RERUNS: usize = 3;

#[derive(Default, Clone)]
struct Tally {
    checks: usize,
    false_alarms: usize,
    inconclusive: usize,
    perfherder_false: usize,
    /// With reruns: checks still inconclusive after the last rerun.
    left_inconclusive: usize,
    /// With reruns: CI runs of a workspace (one a commit), those that reran, and the reruns.
    ci_runs: usize,
    ci_runs_rerun: usize,
    reruns: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.checks += other.checks;
        self.false_alarms += other.false_alarms;
        self.inconclusive += other.inconclusive;
        self.perfherder_false += other.perfherder_false;
        self.left_inconclusive += other.left_inconclusive;
        self.ci_runs += other.ci_runs;
        self.ci_runs_rerun += other.ci_runs_rerun;
        self.reruns += other.reruns;
    }
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

impl Steps {
    /// Counts a step whose first failing check was `first_fail` (a commit index).
    fn count(&mut self, at: usize, first_fail: Option<usize>, flagged_first: bool) {
        self.count += 1;
        self.flagged_first += usize::from(flagged_first);
        if let Some(t) = first_fail {
            let delay = t - at;
            self.ever += 1;
            self.delays.push(delay);
            for (k, limit) in [1, 2, 5, 12].into_iter().enumerate() {
                self.within[k] += usize::from(delay < limit);
            }
        }
    }
}

fn bucket(sigmas: f64) -> usize {
    match sigmas {
        s if s < 2.0 => 0,
        s if s < 4.0 => 1,
        s if s < 8.0 => 2,
        _ => 3,
    }
}

/// One run's line of history: every budget's value.
fn run_line(id: &str, commit: &str, values: impl Iterator<Item = f64>) -> String {
    let metrics: Vec<String> = values.enumerate().map(|(b, v)| format!("\"m{b}\":{v}")).collect();
    format!(
        "{{\"id\":\"{id}\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"commit\":\"{commit}\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{{}}}}}\n",
        metrics.join(",")
    )
}

/// The workspace of `series`, with the reruns of each run (`reruns[i]`: lines) right after it.
fn workspace(series: &[GateSeries], reruns: &[Vec<String>]) -> Workspace {
    let mut budgets = String::from("budgets:\n");
    for b in 0..series.len() {
        budgets.push_str(&format!("  m{b}: {{unit: ms, limit: 1000000}}\n"));
    }
    let mut history = String::new();
    for i in 0..RUNS {
        history.push_str(&run_line(&format!("r{i}"), &format!("c{i}"), series.iter().map(|s| s.values[i])));
        for line in reruns.get(i).into_iter().flatten() {
            history.push_str(line);
        }
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

/// One budget's verdict at one check: whether it failed on a regression, and whether its first
/// check asked for a rerun (inconclusive), and whether it was still inconclusive at its last.
#[derive(Clone, Copy, Default)]
struct Verdict {
    regressed: bool,
    asked: bool,
    inconclusive: bool,
}

fn regressed(r: &BudgetResult) -> bool {
    r.status == Status::Fail && r.findings.iter().any(|f| matches!(f, Finding::Regression { .. }))
}

fn inconclusive(r: &BudgetResult) -> bool {
    r.findings.iter().any(|f| matches!(f, Finding::Inconclusive { .. }))
}

/// A generator for the reruns of one run of one budget, independent of the series' own (so the
/// series are the same with and without reruns) and of the order in which reruns are asked.
fn rerun_rng(seed: u64, key: [usize; 4]) -> Rng {
    let mut h = Rng::new(seed ^ 0x7265_7275_6e73_0000).next_u64();
    for k in key {
        h = Rng::new(h ^ k as u64).next_u64();
    }
    Rng::new(h)
}

/// How a workspace's replay went: each budget's verdict at each checked run, and the reruns.
struct Replayed {
    verdicts: Vec<Vec<Verdict>>,
    ci_runs_rerun: usize,
    reruns: usize,
    /// With `GATE_DEBUG`: each budget's findings at each checked run and its reruns, in words.
    trace: Vec<Vec<String>>,
}

/// A check's verdict in a few words, for `GATE_DEBUG`: the findings' codes, changes and p-values.
fn in_words(r: &BudgetResult) -> String {
    let words: Vec<String> = r
        .findings
        .iter()
        .map(|f| match f {
            Finding::Regression { change, p_value, .. } => format!("fail {:+.1}% p {:.1e}", change * 100.0, p_value.unwrap_or(1.0)),
            Finding::Inconclusive { change, p_value, runs } => {
                format!("inconclusive {:+.1}% p {p_value:.1e} ({runs} runs)", change * 100.0)
            }
            Finding::WithinNoise { change, p_value } => format!("within noise {:+.1}% p {p_value:.1e}", change * 100.0),
            other => other.code().to_owned(),
        })
        .collect();
    format!("{} [tails p {:.1e}]", if words.is_empty() { "pass".to_owned() } else { words.join(", ") }, r.p_value.unwrap_or(1.0))
}

/// Replays one workspace, checking every run from `FIRST_CHECKED` on; with `rerun_key`
/// (seed, kind, workspace), as the docs' CI jobs do: an inconclusive check gets up to
/// `MAX_RERUNS` reruns of its commit, and its verdict is the last check's.
fn replay(series: &[GateSeries], kind: NoiseKind, rerun_key: Option<(u64, usize, usize)>, report_scope: bool) -> Replayed {
    let budgets = series.len();
    let mut reruns: Vec<Vec<String>> = vec![Vec::new(); RUNS];
    let mut w = workspace(series, &reruns);
    let debug = std::env::var_os("GATE_DEBUG").is_some();
    let mut out = Replayed {
        verdicts: vec![vec![Verdict::default(); RUNS]; budgets],
        ci_runs_rerun: 0,
        reruns: 0,
        trace: vec![vec![String::new(); if debug { RUNS } else { 0 }]; budgets],
    };
    for t in FIRST_CHECKED..RUNS {
        let report = check(&w, &CheckOptions { run: Some(format!("r{t}")), ..CheckOptions::default() });
        let mut live = vec![false; budgets];
        for r in &report.results {
            let b = r.budget;
            let s = &series[b];
            if std::env::var("GATE_TRACE").is_ok_and(|v| v == format!("{}:m{b}:{t}", kind.name())) {
                println!("TRACE {:?}\n  p {:?} baseline {:?}", r.findings, r.p_value, r.baseline);
                println!("  values {:?}", &s.values[..=t]);
            }
            let v = Verdict { regressed: regressed(r), asked: inconclusive(r), inconclusive: inconclusive(r) };
            if v.regressed && debug && s.step_at.is_none_or(|at| t < at) && rerun_key.is_none() {
                let open = r.open_regression.as_ref().map(|o| (o.since_run.clone(), o.runs, o.evidence_runs));
                println!(
                    "FA {} m{b} r{t}: {:?} open {:?} baseline {:?}",
                    kind.name(),
                    r.findings,
                    open,
                    r.baseline.as_ref().map(|b| (b.value, b.runs, b.noise))
                );
            }
            // Its own CI job would exit 3: inconclusive, not failing.
            live[b] = v.inconclusive && r.status != Status::Fail;
            if debug {
                out.trace[b][t] = in_words(r);
            }
            out.verdicts[b][t] = v;
        }
        let Some((seed, kind_index, workspace_index)) = rerun_key else { continue };
        let mut asked = if report_scope { report.exit_code() == ExitCode::Inconclusive } else { live.contains(&true) };
        if !asked {
            continue;
        }
        out.ci_runs_rerun += 1;
        let drawn: Vec<Vec<f64>> = series
            .iter()
            .enumerate()
            .map(|(b, s)| s.reruns(t, MAX_RERUNS, &mut rerun_rng(seed, [kind_index, workspace_index, b, t])))
            .collect();
        for k in 1..=MAX_RERUNS {
            if !asked {
                break;
            }
            out.reruns += 1;
            let id = format!("r{t}-rerun-{k}");
            reruns[t].push(run_line(&id, &format!("c{t}"), drawn.iter().map(|d| d[k - 1])));
            w = workspace(series, &reruns);
            let report = check(&w, &CheckOptions { run: Some(id), ..CheckOptions::default() });
            for r in &report.results {
                let b = r.budget;
                // The docs' loop: the last report is every budget's verdict. A budget's own job:
                // only the budgets still inconclusive take the rerun's verdict.
                if report_scope || live[b] {
                    if debug && regressed(r) && series[b].step_at.is_none_or(|at| t < at) {
                        println!(
                            "FA {} m{b} r{t}-rerun-{k}: {:?} baseline {:?}",
                            kind.name(),
                            r.findings,
                            r.baseline.as_ref().map(|b| (b.value, b.runs, b.noise))
                        );
                    }
                    if debug {
                        out.trace[b][t] = format!("{}; rerun {k}: {}", out.trace[b][t], in_words(r));
                    }
                    let v = &mut out.verdicts[b][t];
                    v.regressed = regressed(r);
                    v.inconclusive = inconclusive(r);
                    live[b] = v.inconclusive && r.status != Status::Fail;
                }
            }
            asked = if report_scope { report.exit_code() == ExitCode::Inconclusive } else { live.contains(&true) };
        }
    }
    out
}

/// The tallies of one replay: false alarms by kind into `tally`, steps by size into `steps`.
fn score(series: &[GateSeries], replayed: &Replayed, tally: &mut Tally, steps: &mut [Steps]) -> Vec<Option<usize>> {
    tally.ci_runs += RUNS - FIRST_CHECKED;
    tally.ci_runs_rerun += replayed.ci_runs_rerun;
    tally.reruns += replayed.reruns;
    let mut first_fails = Vec::new();
    for (b, s) in series.iter().enumerate() {
        let verdicts = &replayed.verdicts[b];
        let mut first_fail = None;
        for (t, v) in verdicts.iter().enumerate().skip(FIRST_CHECKED) {
            if s.step_at.is_none_or(|at| t < at) {
                tally.checks += 1;
                tally.false_alarms += usize::from(v.regressed);
                tally.inconclusive += usize::from(v.asked);
                tally.left_inconclusive += usize::from(v.inconclusive && !v.regressed);
            } else if v.regressed && first_fail.is_none() {
                first_fail = Some(t);
            }
        }
        if let Some(at) = s.step_at {
            let flagged = verdicts[at].regressed || verdicts[at].asked;
            steps[bucket(s.step_in_noise)].count(at, first_fail, flagged);
            // The targets' own tallies: steps past the gate's threshold by size, and the steps
            // under it (which the team's contract says to pass).
            let own = if s.step > THRESHOLD { PAST_THRESHOLD + bucket(s.step_in_noise) } else { UNDER_THRESHOLD };
            steps[own].count(at, first_fail, flagged);
        }
        first_fails.push(first_fail);
    }
    first_fails
}

const NAMES: [&str; 4] = ["< 2σ", "2-4σ", "4-8σ", ">= 8σ"];

/// The gate's default regression threshold: a step no larger is not a regression by the team's
/// own rule (the check fails only past it), so the detection targets count the steps past it.
const THRESHOLD: f64 = 0.05;
/// Where the tallies of steps past the threshold start (four sizes), and the one of steps under it.
const PAST_THRESHOLD: usize = 4;
const UNDER_THRESHOLD: usize = 8;

fn pct(x: usize, of: usize) -> f64 {
    100.0 * x as f64 / of.max(1) as f64
}

#[allow(clippy::too_many_lines)] // one replay loop and its tables, read top to bottom
fn main() {
    let mut args = std::env::args().skip(1);
    let per_kind: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2026);
    let budgets: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(16);
    assert!(
        (CheckSettings::default().regression_threshold - THRESHOLD).abs() < 1e-12,
        "the tables count steps past the gate's default threshold"
    );
    // GATE_RERUNS=0 replays only as a CI that ignores exit code 3 (the first tables).
    let with_reruns = std::env::var("GATE_RERUNS").map_or(true, |v| v != "0");
    let only_reruns = std::env::var("GATE_RERUNS").is_ok_and(|v| v == "only");
    let report_scope = std::env::var("GATE_RERUN_SCOPE").is_ok_and(|v| v == "report");
    let mut rng = Rng::new(seed);
    let mut steps_by_size = vec![Steps::default(); UNDER_THRESHOLD + 1];
    let mut steps_rerun = vec![Steps::default(); UNDER_THRESHOLD + 1];
    let mut perfherder_by_size = [0usize; 4];
    let mut rerun_tallies: Vec<(NoiseKind, Tally, Tally)> = Vec::new();
    let debug = std::env::var_os("GATE_DEBUG").is_some();
    println!("{per_kind} workspaces per kind of noise, {budgets} budgets x {RUNS} runs each, seed {seed}");
    println!();
    println!("| noise | checks | false alarms | rate | inconclusive | Perfherder false alarms |");
    println!("|---|---|---|---|---|---|");
    let started = std::time::Instant::now();
    let mut all = Tally::default();
    // GATE_KINDS="autocorrelated,daily" replays only the kinds whose names contain one of these
    // words; the others' series are still generated, so the chosen kinds see the same series.
    let chosen = std::env::var("GATE_KINDS").ok();
    for (kind_index, kind) in NoiseKind::ALL.into_iter().enumerate() {
        let mut tally = Tally::default();
        let mut tally_rerun = Tally::default();
        let replayed = chosen.as_deref().is_none_or(|c| c.split(',').any(|w| kind.name().contains(w.trim())));
        for workspace_index in 0..per_kind {
            let series: Vec<GateSeries> = (0..budgets)
                .map(|b| {
                    let step = (b % 4 != 3).then(|| (rng.below(250, 381), rng.range(0.02, 0.25)));
                    gate_series(kind, RUNS, step, &mut rng)
                })
                .collect();
            if !replayed {
                continue;
            }
            // GATE_RERUNS=only skips the replay without reruns (its tables then read zero).
            let first_fails = if only_reruns {
                vec![None; series.len()]
            } else {
                score(&series, &replay(&series, kind, None, false), &mut tally, &mut steps_by_size)
            };
            if with_reruns {
                let again = replay(&series, kind, Some((seed, kind_index, workspace_index)), report_scope);
                let first_fails_rerun = score(&series, &again, &mut tally_rerun, &mut steps_rerun);
                for (b, s) in series.iter().enumerate() {
                    let Some(at) = s.step_at.filter(|_| debug && s.step > THRESHOLD) else { continue };
                    if bucket(s.step_in_noise) == 1 && first_fails_rerun[b].is_none_or(|t| t >= at + 12) {
                        println!(
                            "MISS-12 {} w{workspace_index} m{b} step {:.1}σ ({:.1} %) at r{at}: first fail {:?}",
                            kind.name(),
                            s.step_in_noise,
                            s.step * 100.0,
                            first_fails_rerun[b]
                        );
                        for k in [0, 1, 3, 6, 11] {
                            println!("  +{k}: {}", again.trace[b].get(at + k).map_or("", String::as_str));
                        }
                    }
                    if s.step_in_noise < 4.0 {
                        continue;
                    }
                    if first_fails_rerun[b].is_none_or(|t| t > at + 1) {
                        println!(
                            "LATE-RERUN {} w{workspace_index} m{b} step {:.1}σ ({:.1} %) at r{at}: first fail {:?}\n  1st: {}\n  2nd: {}",
                            kind.name(),
                            s.step_in_noise,
                            s.step * 100.0,
                            first_fails_rerun[b],
                            again.trace[b][at],
                            again.trace[b].get(at + 1).map_or("", String::as_str)
                        );
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
                if debug && size >= 2 && first_fails[b].is_none_or(|t| t > at + 1) {
                    println!(
                        "LATE {} m{b} step {:.1}σ ({:.1} %) at r{at}: first fail {:?}",
                        kind.name(),
                        s.step_in_noise,
                        s.step * 100.0,
                        first_fails[b]
                    );
                }
                if found.iter().any(|&i| i.abs_diff(at) <= 3) {
                    steps_by_size[size].perfherder_within_12 += 1;
                    perfherder_by_size[size] += 1;
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
            pct(tally.false_alarms, tally.checks),
            tally.inconclusive,
            tally.perfherder_false
        );
        all.add(&tally);
        rerun_tallies.push((kind, tally, tally_rerun));
    }
    println!(
        "| **all** | {} | {} | {:.3} % | {} | {} |",
        all.checks,
        all.false_alarms,
        pct(all.false_alarms, all.checks),
        all.inconclusive,
        all.perfherder_false
    );
    println!();
    println!(
        "| step (noise σ) | steps | 1st check: rerun asked (exit 3) | failed by 1st check | by 2nd | within 5 | within 12 | ever | median delay | Perfherder (needs 12 runs after) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (i, s) in steps_by_size.iter_mut().take(PAST_THRESHOLD).enumerate() {
        s.delays.sort_unstable();
        let median = s.delays.get(s.delays.len() / 2).map_or("-".to_owned(), |d| format!("{d} runs"));
        println!(
            "| {} | {} | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {} | {:.1} % |",
            NAMES[i],
            s.count,
            pct(s.flagged_first, s.count),
            pct(s.within[0], s.count),
            pct(s.within[1], s.count),
            pct(s.within[2], s.count),
            pct(s.within[3], s.count),
            pct(s.ever, s.count),
            median,
            pct(perfherder_by_size[i], s.count)
        );
    }
    println!();
    if with_reruns {
        let scope = if report_scope { "the whole report's exit code" } else { "each budget's own exit code" };
        println!(
            "With reruns (up to {MAX_RERUNS} of an inconclusive check's commit, asked by {scope}; a check with its reruns is one check):"
        );
        println!();
        println!(
            "| noise | checks | false alarms: no reruns | with reruns | rate with | still inconclusive after reruns | CI runs that reran | reruns per CI run |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        let mut sum = (Tally::default(), Tally::default());
        for (kind, without, with) in &rerun_tallies {
            println!(
                "| {} | {} | {} | {} | {:.3} % | {} | {:.1} % | {:.3} |",
                kind.name(),
                with.checks,
                without.false_alarms,
                with.false_alarms,
                pct(with.false_alarms, with.checks),
                with.left_inconclusive,
                pct(with.ci_runs_rerun, with.ci_runs),
                with.reruns as f64 / with.ci_runs.max(1) as f64
            );
            sum.0.add(without);
            sum.1.add(with);
        }
        let (without, with) = sum;
        println!(
            "| **all** | {} | {} | {} | {:.3} % | {} | {:.1} % | {:.3} |",
            with.checks,
            without.false_alarms,
            with.false_alarms,
            pct(with.false_alarms, with.checks),
            with.left_inconclusive,
            pct(with.ci_runs_rerun, with.ci_runs),
            with.reruns as f64 / with.ci_runs.max(1) as f64
        );
        println!();
        println!(
            "| step (noise σ) | steps | failed by 1st check: no reruns | with | by 2nd: no reruns | with | within 5: no reruns | with | within 12: no reruns | with | ever (with) |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|");
        for (i, (a, b)) in steps_by_size.iter().zip(&steps_rerun).enumerate() {
            let p = |x: usize, of: usize| format!("{:.1} %", pct(x, of));
            if i == PAST_THRESHOLD {
                println!();
                println!(
                    "The targets' steps: past the gate's threshold ({:.0} %), by size; and the steps under it, which the team's rule passes:",
                    THRESHOLD * 100.0
                );
                println!();
                println!(
                    "| step | steps | failed by 1st check: no reruns | with | by 2nd: no reruns | with | within 5: no reruns | with | within 12: no reruns | with | ever (with) |"
                );
                println!("|---|---|---|---|---|---|---|---|---|---|---|");
            }
            let name = match i {
                UNDER_THRESHOLD => format!("under {:.0} % (any σ)", THRESHOLD * 100.0),
                _ if i >= PAST_THRESHOLD => format!("past {:.0} %, {}", THRESHOLD * 100.0, NAMES[i - PAST_THRESHOLD]),
                _ => NAMES[i].to_owned(),
            };
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                name,
                b.count,
                p(a.within[0], a.count),
                p(b.within[0], b.count),
                p(a.within[1], a.count),
                p(b.within[1], b.count),
                p(a.within[2], a.count),
                p(b.within[2], b.count),
                p(a.within[3], a.count),
                p(b.within[3], b.count),
                p(b.ever, b.count)
            );
        }
        println!();
    }
    println!("({:.1} s)", started.elapsed().as_secs_f64());
}
