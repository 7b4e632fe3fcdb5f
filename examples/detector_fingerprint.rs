//! A fingerprint of everything the change-point detector answers on the synthetic suites, to show
//! that a speed-up changed no result: `cargo run --release --example detector_fingerprint [CASES_PER_KIND]`.
//!
//! Prints, per suite, the number of change points and an FNV-1a hash over the exact bits of every
//! change point (index, levels, p-value, shift), segment, outlier position and noise σ, and over
//! the severity `analyze` gives each change point (lower is better, no budget). Run it before and
//! after a change to the engine: equal hashes mean equal answers, to the last bit.
#![allow(clippy::print_stdout)]

use headroom::engine::analyze::{Severity, Verdict};
use headroom::engine::changepoint::{DetectorSettings, Segmentation, detect};
use headroom::engine::synthetic::{NoiseKind, Rng, gate_series, long_series, suite};
use headroom::model::units::Direction;

struct Fingerprint {
    hash: u64,
    change_points: usize,
}

impl Fingerprint {
    fn new() -> Fingerprint {
        Fingerprint { hash: 0xcbf2_9ce4_8422_2325, change_points: 0 }
    }

    fn word(&mut self, w: u64) {
        for byte in w.to_le_bytes() {
            self.hash ^= u64::from(byte);
            self.hash = self.hash.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn add(&mut self, s: &Segmentation) {
        self.word(s.noise.map_or(u64::MAX, f64::to_bits));
        self.word(s.change_points.len() as u64);
        self.change_points += s.change_points.len();
        for cp in &s.change_points {
            for w in [cp.index as u64, cp.before.to_bits(), cp.after.to_bits(), cp.p_value.to_bits(), cp.shift_in_noise.to_bits()] {
                self.word(w);
            }
            let verdict = Verdict::of(Direction::LowerIsBetter, cp.before, cp.after);
            let severity = Severity::of(verdict, Direction::LowerIsBetter, cp.before, cp.after, None, None);
            self.word(severity as u64);
        }
        for seg in &s.segments {
            for w in [seg.start as u64, seg.end as u64, seg.level.to_bits()] {
                self.word(w);
            }
        }
        for &o in &s.outliers {
            self.word(o as u64);
        }
    }
}

fn main() {
    let per_kind: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let analysis = DetectorSettings::default();
    let gate = DetectorSettings { curves: false, variances: false, ..DetectorSettings::default() };

    let mut f = Fingerprint::new();
    for case in suite(2026, per_kind) {
        let values: Vec<f64> = case.values.iter().filter_map(|v| *v).collect();
        f.add(&detect(&values, &analysis));
        f.add(&detect(&values, &gate));
    }
    println!("synthetic suite ({per_kind} per kind): {} change points, hash {:016x}", f.change_points, f.hash);

    let mut f = Fingerprint::new();
    let mut rng = Rng::new(7);
    for kind in NoiseKind::ALL {
        for i in 0..per_kind / 4 {
            let n = [8, 14, 60, 400, 2000][i % 5];
            let step = (i % 2 == 0).then(|| (n * 2 / 3, [0.05, 0.1, 0.2][i % 3]));
            let series = gate_series(kind, n, step, &mut rng);
            f.add(&detect(&series.values, &analysis));
            f.add(&detect(&series.values, &gate));
        }
    }
    println!("gate series ({} per noise kind): {} change points, hash {:016x}", per_kind / 4, f.change_points, f.hash);

    let mut f = Fingerprint::new();
    for (n, seed) in [(1_000, 1), (10_000, 2), (100_000, 3), (1_000_000, 42)] {
        f.add(&detect(&long_series(n, seed), &analysis));
    }
    println!("long series (1k to 1M): {} change points, hash {:016x}", f.change_points, f.hash);
}
