//! How analysis reads growth curves and cycles off the shapes suite's parameters:
//! `cargo run --release --no-default-features --example curves [SERIES_PER_KIND] [SEED]` (60 series
//! of each kind, seed 777 unless given; another seed is a held-out check).
//!
//! Each series has relative Gaussian noise of 1–8 % of its level. A curve without a step has no
//! true change point: every level shift found on it is a false alarm (the table says in how many
//! series, and how many in all). A curve with a step has one, of 6 σ (or 4 σ) of the noise at the
//! step: found where a change point falls within 5 runs of it.
#![allow(clippy::print_stdout)]

use headroom::engine::changepoint::{DetectorSettings, detect};
use headroom::engine::synthetic::Rng;

/// A curve: the level at run `t` of `n`, times the base, from the series' own draws.
type Curve = Box<dyn Fn(f64) -> f64>;

/// A kind of series: its name, its length, and a curve drawn from the generator.
struct Kind {
    name: &'static str,
    runs: usize,
    curve: fn(usize, &mut Rng) -> Curve,
    /// The step's size in noise units (none for a curve alone).
    step: Option<f64>,
}

fn steep_logistic(n: usize, rng: &mut Rng) -> Curve {
    // 10 % to 90 % of the rise over about 18 % of the series (4.4 widths).
    let n = n as f64;
    let rise = rng.range(0.5, 3.0);
    let middle = rng.range(0.3, 0.7) * n;
    let width = n / 24.0;
    Box::new(move |t| 1.0 + rise / (1.0 + (-(t - middle) / width).exp()))
}

fn wide_logistic(n: usize, rng: &mut Rng) -> Curve {
    let n = n as f64;
    let rise = rng.range(0.5, 3.0);
    let middle = rng.range(0.25, 0.75) * n;
    let width = rng.range(n / 16.0, n / 8.0);
    Box::new(move |t| 1.0 + rise / (1.0 + (-(t - middle) / width).exp()))
}

fn falling_logistic(n: usize, rng: &mut Rng) -> Curve {
    // A steep fall to a third to two thirds of the level (a speed-up that lands over some runs).
    let n = n as f64;
    let fall = rng.range(0.33, 0.67);
    let middle = rng.range(0.3, 0.7) * n;
    let width = rng.range(n / 32.0, n / 16.0);
    Box::new(move |t| 1.0 - fall / (1.0 + (-(t - middle) / width).exp()))
}

fn exponential_30(n: usize, _: &mut Rng) -> Curve {
    let rate = 30f64.ln() / n as f64;
    Box::new(move |t| (rate * t).exp())
}

fn exponential_1_5(n: usize, _: &mut Rng) -> Curve {
    let rate = 1.5f64.ln() / n as f64;
    Box::new(move |t| (rate * t).exp())
}

fn square_root(n: usize, rng: &mut Rng) -> Curve {
    let n = n as f64;
    let rise = rng.range(0.5, 3.0);
    Box::new(move |t| 1.0 + rise * (t / n).sqrt())
}

fn linear(n: usize, rng: &mut Rng) -> Curve {
    let n = n as f64;
    let total = rng.range(0.2, 2.0);
    Box::new(move |t| 1.0 + total * t / n)
}

fn cycle(period: f64, rng: &mut Rng) -> Curve {
    let amplitude = rng.range(0.02, 0.15);
    let phase = rng.range(0.0, std::f64::consts::TAU);
    Box::new(move |t| 1.0 + amplitude * (std::f64::consts::TAU * t / period + phase).sin())
}

fn cycle_30(_: usize, rng: &mut Rng) -> Curve {
    cycle(30.0, rng)
}

fn cycle_40(_: usize, rng: &mut Rng) -> Curve {
    cycle(40.0, rng)
}

fn flat(_: usize, _: &mut Rng) -> Curve {
    Box::new(|_| 1.0)
}

const KINDS: [Kind; 19] = [
    Kind { name: "steep S-curve", runs: 400, curve: steep_logistic, step: None },
    Kind { name: "steep S-curve, 1,000 runs", runs: 1000, curve: steep_logistic, step: None },
    Kind { name: "wide S-curve", runs: 400, curve: wide_logistic, step: None },
    Kind { name: "steep fall", runs: 400, curve: falling_logistic, step: None },
    Kind { name: "exponential x30", runs: 400, curve: exponential_30, step: None },
    Kind { name: "exponential x30, 2,000", runs: 2000, curve: exponential_30, step: None },
    Kind { name: "exponential x1.5, 100", runs: 100, curve: exponential_1_5, step: None },
    Kind { name: "square root", runs: 400, curve: square_root, step: None },
    Kind { name: "square root, 100", runs: 100, curve: square_root, step: None },
    Kind { name: "cycle of 30 runs", runs: 400, curve: cycle_30, step: None },
    Kind { name: "cycle of 40 runs", runs: 400, curve: cycle_40, step: None },
    Kind { name: "6σ step, steep S-curve", runs: 400, curve: steep_logistic, step: Some(6.0) },
    Kind { name: "6σ step, exponential x30", runs: 400, curve: exponential_30, step: Some(6.0) },
    Kind { name: "6σ step, square root 100", runs: 100, curve: square_root, step: Some(6.0) },
    Kind { name: "4σ step, wide S-curve", runs: 400, curve: wide_logistic, step: Some(4.0) },
    Kind { name: "4σ step, linear", runs: 400, curve: linear, step: Some(4.0) },
    Kind { name: "3σ step, flat", runs: 200, curve: flat, step: Some(3.0) },
    Kind { name: "5σ step, cycle of 40", runs: 400, curve: cycle_40, step: Some(5.0) },
    Kind { name: "2σ step, flat", runs: 400, curve: flat, step: Some(2.0) },
];

fn main() {
    let mut args = std::env::args().skip(1);
    let per_kind: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(777);
    let settings = DetectorSettings::default();
    println!("{per_kind} series per kind, seed {seed}, noise 1-8 %, a step found within 5 runs");
    println!("{:<28} {:>6} {:>18} {:>12} {:>12}", "kind", "runs", "series with a cut", "cuts in all", "step found");
    for (k, kind) in KINDS.iter().enumerate() {
        let mut rng = Rng::new(seed.wrapping_mul(1000).wrapping_add(k as u64));
        let (mut series_cut, mut cuts, mut found) = (0, 0, 0);
        for _ in 0..per_kind {
            let n = kind.runs;
            let noise = rng.range(0.01, 0.08);
            let base = 10f64.powf(rng.range(-1.0, 4.0));
            let curve = (kind.curve)(n, &mut rng);
            let at = rng.below(n / 10, n - n / 10);
            let values: Vec<f64> = (0..n)
                .map(|t| {
                    let step = match kind.step {
                        Some(size) if t >= at => 1.0 + size * noise,
                        _ => 1.0,
                    };
                    base * curve(t as f64) * step * (1.0 + noise * rng.gaussian())
                })
                .collect();
            if std::env::var("H3_KIND").is_ok_and(|k| k != kind.name) {
                continue;
            }
            if std::env::var("H3_KIND").is_ok() {
                eprintln!("series at {at} noise {noise}");
            }
            let points: Vec<usize> = detect(&values, &settings).change_points.iter().map(|c| c.index).collect();
            let hit = kind.step.is_some() && points.iter().any(|&p| p.abs_diff(at) <= 5);
            let false_cuts = points.len() - usize::from(hit);
            found += usize::from(hit);
            cuts += false_cuts;
            series_cut += usize::from(false_cuts > 0);
        }
        let step = if kind.step.is_some() { format!("{found} of {per_kind}") } else { "-".to_owned() };
        println!("{:<28} {:>6} {:>11} of {:<4} {:>12} {:>12}", kind.name, kind.runs, series_cut, per_kind, cuts, step);
    }
}
