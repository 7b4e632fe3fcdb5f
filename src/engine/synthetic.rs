//! A synthetic, labelled suite of performance histories: the engine's accuracy test bed and its
//! benchmark data.
//!
//! Every series is generated from an explicit seed (SplitMix64, Box–Muller), so the suite is the
//! same on every machine. The cases cover what benchmark histories look like: steps of 2–20 % in
//! noise of 1–10 %, right-skewed (log-normal) noise, single outliers and bursts, slow drifts,
//! missing values, very short series, and noise alone. A second suite ([`shapes_suite`]) holds
//! the shapes real series have beside steps: smooth linear, exponential and logistic growth,
//! seasonal cycles, steps on a trend or a cycle, and 6–14-run series with one clear step. Scoring follows the usual convention for
//! change-point benchmarks: a detection within `margin` runs of a true change point is a hit,
//! each true change point can be hit once.

/// Deterministic random numbers: SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    #[must_use]
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Uniform in `[low, high)`.
    pub fn range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.uniform()
    }

    /// A uniform integer in `[low, high)`.
    pub fn below(&mut self, low: usize, high: usize) -> usize {
        low + (self.next_u64() % (high - low).max(1) as u64) as usize
    }

    /// Standard normal (Box–Muller).
    pub fn gaussian(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
}

/// The kind of a synthetic case, for reporting figures per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseKind {
    /// Gaussian noise, no change.
    NoiseOnly,
    /// Log-normal (right-skewed) noise with outliers, no change.
    SkewedNoiseWithOutliers,
    /// One step.
    Step,
    /// Several steps up and down.
    MultipleSteps,
    /// Steps in skewed noise with outliers and missing values.
    StepsWithOutliers,
    /// A slow linear drift of 5–15 % over the series, no step.
    Drift,
    /// 10–30 runs with one large step.
    ShortSeries,
    /// A constant level whose noise grows or shrinks 2–4× at one run (no step).
    VarianceChange,
    /// A straight-line trend rising or falling by 20–200 % over the series, no step.
    LinearTrend,
    /// Exponential growth by a factor of 2–10 over the series, no step.
    ExponentialTrend,
    /// A logistic (S-shaped) rise of 50–300 %, its steep part 27–55 % of the series long, no step.
    LogisticTrend,
    /// A cycle of 7, 12 or 24 runs a period, 1–5 σ of amplitude, no step.
    Seasonal,
    /// The cycle above with one step of 2–20 %.
    SeasonalStep,
    /// A linear trend of 20–100 % over the series with one step of 5–20 %.
    TrendStep,
    /// 6–14 runs with one step of 25–60 %, at least 3 runs from either end.
    VeryShortSeries,
}

impl CaseKind {
    /// Every kind, in report order.
    pub const ALL: [CaseKind; 8] = [
        CaseKind::NoiseOnly,
        CaseKind::SkewedNoiseWithOutliers,
        CaseKind::Step,
        CaseKind::MultipleSteps,
        CaseKind::StepsWithOutliers,
        CaseKind::Drift,
        CaseKind::ShortSeries,
        CaseKind::VarianceChange,
    ];

    /// The kinds of the shapes suite ([`shapes_suite`]), in report order.
    pub const SHAPES: [CaseKind; 7] = [
        CaseKind::LinearTrend,
        CaseKind::ExponentialTrend,
        CaseKind::LogisticTrend,
        CaseKind::Seasonal,
        CaseKind::SeasonalStep,
        CaseKind::TrendStep,
        CaseKind::VeryShortSeries,
    ];

    /// A name for tables.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            CaseKind::NoiseOnly => "noise only",
            CaseKind::SkewedNoiseWithOutliers => "skewed noise + outliers",
            CaseKind::Step => "one step",
            CaseKind::MultipleSteps => "multiple steps",
            CaseKind::StepsWithOutliers => "steps + outliers + gaps",
            CaseKind::Drift => "slow drift",
            CaseKind::ShortSeries => "short series",
            CaseKind::VarianceChange => "noise change",
            CaseKind::LinearTrend => "linear trend",
            CaseKind::ExponentialTrend => "exponential growth",
            CaseKind::LogisticTrend => "logistic growth",
            CaseKind::Seasonal => "seasonal cycle",
            CaseKind::SeasonalStep => "step in a seasonal cycle",
            CaseKind::TrendStep => "step on a trend",
            CaseKind::VeryShortSeries => "6-14 runs, one step",
        }
    }
}

/// One labelled series.
#[derive(Clone, Debug)]
pub struct Case {
    /// Its kind.
    pub kind: CaseKind,
    /// The values; `None` is a missing value.
    pub values: Vec<Option<f64>>,
    /// The true change points: positions (in `values`) of the first run of each new level.
    pub change_points: Vec<usize>,
    /// The true changes of noise: positions of the first run of each new noise level.
    pub variance_changes: Vec<usize>,
    /// The relative noise σ/level used.
    pub noise: f64,
    /// The smallest step, relative to the level before it.
    pub smallest_step: f64,
}

/// Generates `per_kind` cases of every kind from `seed`.
#[must_use]
pub fn suite(seed: u64, per_kind: usize) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    let mut cases = Vec::new();
    for kind in CaseKind::ALL {
        for _ in 0..per_kind {
            cases.push(case(kind, &mut rng));
        }
    }
    cases
}

/// Generates `per_kind` cases of every kind of [`CaseKind::SHAPES`] from `seed`: trends, cycles,
/// steps on them, and 6–14-run series.
#[must_use]
pub fn shapes_suite(seed: u64, per_kind: usize) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    let mut cases = Vec::new();
    for kind in CaseKind::SHAPES {
        for _ in 0..per_kind {
            cases.push(case(kind, &mut rng));
        }
    }
    cases
}

/// Generates one case of `kind`.
#[allow(clippy::too_many_lines)] // one generator read top to bottom: the order of its draws fixes the suites
pub fn case(kind: CaseKind, rng: &mut Rng) -> Case {
    let noise = rng.range(0.01, 0.10);
    let base = 10f64.powf(rng.range(-1.0, 4.0));
    let n = match kind {
        CaseKind::ShortSeries => rng.below(10, 31),
        CaseKind::VeryShortSeries => rng.below(6, 15),
        _ => rng.below(60, 1000),
    };
    let skewed = matches!(kind, CaseKind::SkewedNoiseWithOutliers | CaseKind::StepsWithOutliers);
    let mut levels = vec![base; n];
    let mut change_points = Vec::new();
    let mut smallest_step = f64::INFINITY;
    let mut step_at = |at: usize, relative: f64, levels: &mut Vec<f64>| {
        let new = levels[at - 1] * (1.0 + relative);
        for v in &mut levels[at..] {
            *v = new;
        }
        smallest_step = smallest_step.min(relative.abs());
    };
    let mut noise_scale = vec![1.0; n];
    let mut variance_changes = Vec::new();
    match kind {
        CaseKind::NoiseOnly
        | CaseKind::SkewedNoiseWithOutliers
        | CaseKind::Drift
        | CaseKind::LinearTrend
        | CaseKind::ExponentialTrend
        | CaseKind::LogisticTrend
        | CaseKind::Seasonal => {}
        CaseKind::VarianceChange => {
            let at = rng.below(n / 4, n - n / 4);
            // The noise grows 2–4× (or, a third of the time, shrinks as much); σ stays under 20 %.
            let ratio = rng.range(2.0, 4.0);
            let ratio = if rng.uniform() < 0.67 { ratio.min(0.2 / noise) } else { 1.0 / ratio };
            for s in &mut noise_scale[at..] {
                *s = ratio;
            }
            variance_changes.push(at);
        }
        CaseKind::Step | CaseKind::ShortSeries => {
            let margin = if kind == CaseKind::ShortSeries { 5 } else { 15 };
            let at = rng.below(margin, n - margin);
            // Steps of 2–20 % whatever the noise (short series: 25–60 %).
            let relative = if kind == CaseKind::ShortSeries { rng.range(0.25, 0.6) } else { rng.range(0.02, 0.20) };
            let sign = if rng.uniform() < 0.7 { 1.0 } else { -1.0 };
            step_at(at, sign * relative, &mut levels);
            change_points.push(at);
        }
        CaseKind::MultipleSteps | CaseKind::StepsWithOutliers => {
            let count = rng.below(2, 6);
            let spacing = n / (count + 1);
            for i in 1..=count {
                let jitter = rng.below(0, spacing / 3 + 1);
                let at = i * spacing - spacing / 6 + jitter;
                let relative = rng.range(0.02, 0.20);
                let sign = if rng.uniform() < 0.5 { 1.0 } else { -1.0 };
                step_at(at, sign * relative, &mut levels);
                change_points.push(at);
            }
        }
        CaseKind::SeasonalStep | CaseKind::TrendStep | CaseKind::VeryShortSeries => {
            let (at, relative) = shape_step(kind, n, rng);
            step_at(at, relative, &mut levels);
            change_points.push(at);
        }
    }
    shape(kind, &mut levels, noise, rng);
    if kind == CaseKind::Drift {
        let total = rng.range(0.05, 0.15);
        for (i, v) in levels.iter_mut().enumerate() {
            *v *= 1.0 + total * i as f64 / n as f64;
        }
    }
    let mut values: Vec<Option<f64>> = levels
        .iter()
        .zip(&noise_scale)
        .map(|(&level, &scale)| {
            let noise = noise * scale;
            let e = rng.gaussian();
            // Log-normal noise with the same σ: right-skewed, as timings are.
            let factor = if skewed { (noise * e - 0.5 * noise * noise).exp() } else { 1.0 + noise * e };
            Some(level * factor)
        })
        .collect();
    if skewed {
        // 1 % single outliers 1.5–5× the level, and a burst of three.
        for _ in 0..(n / 100).max(1) {
            let at = rng.below(0, n);
            values[at] = Some(levels[at] * rng.range(1.5, 5.0));
        }
        if n > 40 {
            let at = rng.below(5, n - 8);
            for v in &mut values[at..at + 3] {
                *v = v.map(|x| x * 3.0);
            }
        }
        // 3 % missing values.
        for _ in 0..(n * 3 / 100) {
            let at = rng.below(0, n);
            values[at] = None;
        }
    }
    Case {
        kind,
        values,
        change_points,
        variance_changes,
        noise,
        smallest_step: if smallest_step.is_finite() { smallest_step } else { 0.0 },
    }
}

/// The position and signed relative size of the step of a shapes-suite kind with one.
fn shape_step(kind: CaseKind, n: usize, rng: &mut Rng) -> (usize, f64) {
    let (at, relative) = match kind {
        // At least 3 runs on each side: a 6-run series steps at its fourth run.
        CaseKind::VeryShortSeries => (rng.below(3, n - 2), rng.range(0.25, 0.6)),
        CaseKind::TrendStep => (rng.below(15, n - 15), rng.range(0.05, 0.20)),
        _ => (rng.below(15, n - 15), rng.range(0.02, 0.20)),
    };
    let sign = if rng.uniform() < 0.7 { 1.0 } else { -1.0 };
    (at, sign * relative)
}

/// Multiplies `levels` by the trend or cycle of the shapes suite's `kind` (no change for the
/// other kinds, and no random draw either, so the first suite is as it was).
fn shape(kind: CaseKind, levels: &mut [f64], noise: f64, rng: &mut Rng) {
    let n = levels.len() as f64;
    let factor: Box<dyn Fn(f64) -> f64> = match kind {
        CaseKind::LinearTrend | CaseKind::TrendStep => {
            let total = if kind == CaseKind::LinearTrend { rng.range(0.2, 2.0) } else { rng.range(0.2, 1.0) };
            // Falling a third of the time, by at most 2/3 of the level (a level stays positive).
            let total = if rng.uniform() < 0.67 { total } else { -total.min(2.0) / 3.0 };
            Box::new(move |t| 1.0 + total * t / n)
        }
        CaseKind::ExponentialTrend => {
            let rate = rng.range(2.0, 10.0).ln() / n;
            Box::new(move |t| (rate * t).exp())
        }
        CaseKind::LogisticTrend => {
            // 1 / (1 + e^(−(t − middle)/width)): 10 % to 90 % of the rise takes 4.4 widths.
            let rise = rng.range(0.5, 3.0);
            let middle = rng.range(0.25, 0.75) * n;
            let width = rng.range(n / 16.0, n / 8.0);
            Box::new(move |t| 1.0 + rise / (1.0 + (-(t - middle) / width).exp()))
        }
        CaseKind::Seasonal | CaseKind::SeasonalStep => {
            let period = [7.0, 12.0, 24.0][rng.below(0, 3)];
            let amplitude = (rng.range(1.0, 5.0) * noise).min(0.5);
            let phase = rng.range(0.0, std::f64::consts::TAU);
            Box::new(move |t| 1.0 + amplitude * (std::f64::consts::TAU * t / period + phase).sin())
        }
        _ => return,
    };
    for (i, level) in levels.iter_mut().enumerate() {
        *level *= factor(i as f64);
    }
}

/// Hits, misses and false alarms of a detection against the truth.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    /// Detections within the margin of a true change point (each true one hit once).
    pub hits: usize,
    /// True change points.
    pub truths: usize,
    /// Detections.
    pub detections: usize,
}

impl Score {
    /// Scores `detected` against `truth` with a margin of `margin` positions.
    #[must_use]
    pub fn of(truth: &[usize], detected: &[usize], margin: usize) -> Score {
        let mut used = vec![false; truth.len()];
        let mut hits = 0;
        for &d in detected {
            if let Some(i) = (0..truth.len()).filter(|&i| !used[i] && truth[i].abs_diff(d) <= margin).min_by_key(|&i| truth[i].abs_diff(d))
            {
                used[i] = true;
                hits += 1;
            }
        }
        Score { hits, truths: truth.len(), detections: detected.len() }
    }

    /// Adds another score.
    #[must_use]
    pub fn plus(self, other: Score) -> Score {
        Score { hits: self.hits + other.hits, truths: self.truths + other.truths, detections: self.detections + other.detections }
    }

    /// Hits / detections (1 where nothing was detected).
    #[must_use]
    pub fn precision(&self) -> f64 {
        if self.detections == 0 { 1.0 } else { self.hits as f64 / self.detections as f64 }
    }

    /// Hits / truths: the detection rate (1 where there was nothing to find).
    #[must_use]
    pub fn recall(&self) -> f64 {
        if self.truths == 0 { 1.0 } else { self.hits as f64 / self.truths as f64 }
    }

    /// The harmonic mean of precision and recall.
    #[must_use]
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

/// A long performance-like series for benchmarks: `n` points, a step every `n / 10` runs,
/// 3 % log-normal noise and 0.5 % outliers.
#[must_use]
pub fn long_series(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    let mut level = 100.0;
    let step_every = (n / 10).max(1);
    (0..n)
        .map(|i| {
            if i > 0 && i % step_every == 0 {
                level *= if rng.uniform() < 0.5 { 1.1 } else { 0.92 };
            }
            let mut v = level * (0.03 * rng.gaussian()).exp();
            if rng.uniform() < 0.005 {
                v *= 3.0;
            }
            v
        })
        .collect()
}

/// The kinds of noise performance data has, for the gate's accuracy suite
/// (`cargo run --release --example gate_accuracy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoiseKind {
    /// Normal noise.
    Gaussian,
    /// Log-normal: right-skewed, as timings are.
    LogNormal,
    /// 30 % of runs on a slower machine state (2–5 σ slower).
    Bimodal,
    /// Student's t with 3 degrees of freedom, scaled to σ.
    HeavyTailed,
    /// AR(1) with φ of 0.6–0.8: runs on the same runner drift together.
    Autocorrelated,
    /// Normal noise, and 1 % of runs 20–60 % slower.
    Spikes,
    /// A timer of whole milliseconds on a 3–12 ms metric.
    CoarseTimer,
    /// A daily cycle (24 runs a period) of 1–3 σ on top of normal noise, as runtime metrics have.
    Seasonal,
}

impl NoiseKind {
    /// Every kind, in report order.
    pub const ALL: [NoiseKind; 8] = [
        NoiseKind::Gaussian,
        NoiseKind::LogNormal,
        NoiseKind::Bimodal,
        NoiseKind::HeavyTailed,
        NoiseKind::Autocorrelated,
        NoiseKind::Spikes,
        NoiseKind::CoarseTimer,
        NoiseKind::Seasonal,
    ];

    /// A name for tables.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            NoiseKind::Gaussian => "gaussian",
            NoiseKind::LogNormal => "log-normal",
            NoiseKind::Bimodal => "bimodal (30 % slow)",
            NoiseKind::HeavyTailed => "heavy-tailed (t3)",
            NoiseKind::Autocorrelated => "autocorrelated AR(1)",
            NoiseKind::Spikes => "one-sided spikes (1 %)",
            NoiseKind::CoarseTimer => "coarse timer (1 ms)",
            NoiseKind::Seasonal => "daily seasonality",
        }
    }
}

/// One metric's history for the gate's suite: runs in order, with at most one sustained step.
#[derive(Clone, Debug)]
pub struct GateSeries {
    /// The noise.
    pub kind: NoiseKind,
    /// The values, one a run.
    pub values: Vec<f64>,
    /// The first run of the new level, where there is a step.
    pub step_at: Option<usize>,
    /// The step, relative to the level before (positive: slower).
    pub step: f64,
    /// The step in units of the noise's standard deviation (the noise term only: a seasonal
    /// cycle is not noise, one-sided spikes are outliers, not noise).
    pub step_in_noise: f64,
    /// What the values were drawn from: the base level, the noise's parameters and, for AR(1)
    /// noise, the machine's state at each run, so that a rerun can be drawn ([`GateSeries::reruns`]).
    pub source: GateSource,
}

/// The parameters a [`GateSeries`] was drawn from.
#[derive(Clone, Debug)]
pub struct GateSource {
    /// The level before any step.
    pub base: f64,
    /// The relative noise σ of the normal term.
    pub sigma: f64,
    /// AR(1)'s φ.
    pub phi: f64,
    /// How much slower the slow machine state of bimodal noise is (relative).
    pub slow: f64,
    /// The daily cycle's relative amplitude.
    pub amplitude: f64,
    /// The daily cycle's phase (radians).
    pub phase: f64,
    /// The AR(1) state (in units of σ) at each run; zeros for the other kinds.
    pub states: Vec<f64>,
}

/// One value of `kind` noise on `level` at run `i`: `e` is the run's standard normal draw, `ar`
/// the AR(1) state (advanced here), `rng` gives the kind's other draws (in this order, so that a
/// seed gives the same series as before reruns could be drawn).
fn gate_value(kind: NoiseKind, source: &GateSource, level: f64, i: usize, e: f64, ar: &mut f64, rng: &mut Rng) -> f64 {
    let GateSource { sigma, phi, slow, amplitude, phase, .. } = *source;
    match kind {
        NoiseKind::Gaussian => level * (1.0 + sigma * e),
        NoiseKind::LogNormal => level * (sigma * e - 0.5 * sigma * sigma).exp(),
        NoiseKind::Bimodal => level * (1.0 + sigma * e) * if rng.uniform() < 0.3 { 1.0 + slow } else { 1.0 },
        NoiseKind::HeavyTailed => {
            // t3 = N / sqrt(χ²₃ / 3), whose standard deviation is √3.
            let chi = (0..3).map(|_| rng.gaussian().powi(2)).sum::<f64>() / 3.0;
            level * (1.0 + sigma * e / chi.sqrt() / 3f64.sqrt())
        }
        NoiseKind::Autocorrelated => {
            *ar = phi * *ar + (1.0 - phi * phi).sqrt() * e;
            level * (1.0 + sigma * *ar)
        }
        NoiseKind::Spikes => level * (1.0 + sigma * e) * if rng.uniform() < 0.01 { 1.0 + rng.range(0.2, 0.6) } else { 1.0 },
        NoiseKind::CoarseTimer => (level * (1.0 + sigma * e)).round().max(0.0),
        NoiseKind::Seasonal => level * (1.0 + amplitude * (std::f64::consts::TAU * i as f64 / 24.0 + phase).sin() + sigma * e),
    }
}

impl GateSeries {
    /// `count` reruns of run `run` (the same commit, measured again minutes later), drawn from
    /// `rng` (not the series' own generator, so the series is the same whether or not reruns are
    /// drawn): each is the commit's true level (after the step, where it has stepped) with fresh
    /// noise of the series' kind. AR(1) noise is the machine's state, which a rerun minutes later
    /// shares: its state continues from the run's (one step of the process a rerun, φ of it
    /// carried over), not a fresh draw. A daily cycle is at the run's phase. A bimodal machine
    /// state, a one-sided spike, a heavy tail and a coarse timer's rounding are drawn afresh, as
    /// for any run. The runs after `run` continue from the run's own state, not the reruns'.
    #[must_use]
    pub fn reruns(&self, run: usize, count: usize, rng: &mut Rng) -> Vec<f64> {
        let level = self.source.base * if self.step_at.is_some_and(|at| run >= at) { 1.0 + self.step } else { 1.0 };
        let mut ar = self.source.states.get(run).copied().unwrap_or(0.0);
        (0..count)
            .map(|_| {
                let e = rng.gaussian();
                gate_value(self.kind, &self.source, level, run, e, &mut ar, rng)
            })
            .collect()
    }
}

/// Generates a series of `n` runs of `kind` noise; where `step` is given, `(position, relative
/// size)` of a sustained step. The relative noise σ is drawn from 1–8 % (the coarse timer's
/// comes from its rounding).
pub fn gate_series(kind: NoiseKind, n: usize, step: Option<(usize, f64)>, rng: &mut Rng) -> GateSeries {
    let sigma = rng.range(0.01, 0.08);
    let base = if kind == NoiseKind::CoarseTimer { rng.range(3.0, 12.0) } else { 10f64.powf(rng.range(-1.0, 3.0)) };
    let phi = rng.range(0.6, 0.8);
    let slow = rng.range(2.0, 5.0) * sigma;
    let amplitude = rng.range(1.0, 3.0) * sigma;
    let phase = rng.range(0.0, std::f64::consts::TAU);
    let mut source = GateSource { base, sigma, phi, slow, amplitude, phase, states: vec![0.0; n] };
    let mut ar = rng.gaussian();
    let mut values = Vec::with_capacity(n);
    for i in 0..n {
        let level = base * if step.is_some_and(|(at, _)| i >= at) { 1.0 + step.map_or(0.0, |s| s.1) } else { 1.0 };
        let e = rng.gaussian();
        values.push(gate_value(kind, &source, level, i, e, &mut ar, rng));
        if kind == NoiseKind::Autocorrelated {
            source.states[i] = ar;
        }
    }
    let noise_sd = match kind {
        // The rounding's own spread (1/√12 ms) beside the timer's.
        NoiseKind::CoarseTimer => ((base * sigma).powi(2) + 1.0 / 12.0).sqrt() / base,
        NoiseKind::Bimodal => (sigma * sigma + 0.21 * slow * slow).sqrt(),
        _ => sigma,
    };
    let relative = step.map_or(0.0, |s| s.1);
    GateSeries { kind, values, step_at: step.map(|s| s.0), step: relative, step_in_noise: relative / noise_sd, source }
}

/// `count` series of 6–14 runs of noise alone, 1–10 % of a level: in turn Gaussian, log-normal
/// (skewed) and Student's t with 3 degrees of freedom (heavy-tailed). Every change point found
/// in one is a false alarm.
#[must_use]
pub fn very_short_noise_only(seed: u64, count: usize) -> Vec<Vec<f64>> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|k| {
            let n = rng.below(6, 15);
            let sigma = rng.range(0.01, 0.10);
            (0..n)
                .map(|_| match k % 3 {
                    0 => 100.0 * (1.0 + sigma * rng.gaussian()),
                    1 => 100.0 * (sigma * rng.gaussian()).exp(),
                    _ => {
                        // A normal over √(χ²₃ / 3).
                        let chi_squared = (0..3).map(|_| rng.gaussian().powi(2)).sum::<f64>() / 3.0;
                        100.0 * (1.0 + sigma * rng.gaussian() / chi_squared.sqrt())
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{CaseKind, NoiseKind, Rng, gate_series, shapes_suite};

    /// The slope of `y` on `x` (least squares).
    fn slope(pairs: &[(f64, f64)]) -> f64 {
        let n = pairs.len() as f64;
        let (mx, my) = (pairs.iter().map(|p| p.0).sum::<f64>() / n, pairs.iter().map(|p| p.1).sum::<f64>() / n);
        let cov: f64 = pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let var: f64 = pairs.iter().map(|p| (p.0 - mx).powi(2)).sum();
        cov / var
    }

    #[test]
    fn a_rerun_of_autocorrelated_noise_shares_the_machines_state_and_a_gaussian_one_does_not() {
        // The rerun's noise against its run's: φ (0.6–0.8) of it carried over in AR(1) noise,
        // none in Gaussian noise.
        let pairs = |kind: NoiseKind| {
            let mut rng = Rng::new(3);
            let mut pairs = Vec::new();
            for _ in 0..40 {
                let series = gate_series(kind, 100, None, &mut rng);
                let base = series.source.base;
                for run in (10..100).step_by(3) {
                    let rerun = series.reruns(run, 1, &mut rng)[0];
                    pairs.push((series.values[run] / base - 1.0, rerun / base - 1.0));
                }
            }
            pairs
        };
        let ar = slope(&pairs(NoiseKind::Autocorrelated));
        assert!((0.55..0.85).contains(&ar), "AR(1) rerun slope {ar:.3}");
        let gaussian = slope(&pairs(NoiseKind::Gaussian));
        assert!(gaussian.abs() < 0.1, "Gaussian rerun slope {gaussian:.3}");
    }

    #[test]
    fn a_rerun_measures_its_commits_level_after_a_step_and_its_phase_of_a_cycle() {
        let mut rng = Rng::new(8);
        let stepped = gate_series(NoiseKind::Gaussian, 100, Some((50, 0.2)), &mut rng);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let base = stepped.source.base;
        let after = mean(&stepped.reruns(60, 2000, &mut rng)) / base;
        let before = mean(&stepped.reruns(40, 2000, &mut rng)) / base;
        assert!((after - 1.2).abs() < 0.01 && (before - 1.0).abs() < 0.01, "before {before:.3}, after {after:.3}");
        let cycle = gate_series(NoiseKind::Seasonal, 100, None, &mut rng);
        let source = &cycle.source;
        for run in [10, 16, 22] {
            let expected = 1.0 + source.amplitude * (std::f64::consts::TAU * run as f64 / 24.0 + source.phase).sin();
            let measured = mean(&cycle.reruns(run, 2000, &mut rng)) / source.base;
            assert!((measured - expected).abs() < 0.01, "run {run}: {measured:.3} against {expected:.3}");
        }
    }

    #[test]
    fn drawing_reruns_leaves_the_series_as_it_was() {
        // The series' generator is not the reruns': a seed gives the same series either way, and
        // the same reruns for the same rerun seed.
        let series = |seed| gate_series(NoiseKind::Autocorrelated, 50, Some((30, 0.1)), &mut Rng::new(seed));
        let first = series(5);
        let reruns = first.reruns(20, 3, &mut Rng::new(1));
        assert_eq!(reruns, first.reruns(20, 3, &mut Rng::new(1)));
        assert_eq!(first.values, series(5).values);
        assert_ne!(reruns, first.reruns(20, 3, &mut Rng::new(2)));
    }

    #[test]
    fn the_shapes_suite_is_the_same_for_the_same_seed() {
        let values = |cases: &[super::Case]| cases.iter().map(|c| c.values.clone()).collect::<Vec<_>>();
        assert_eq!(values(&shapes_suite(7, 3)), values(&shapes_suite(7, 3)));
        assert_ne!(values(&shapes_suite(7, 3)), values(&shapes_suite(8, 3)));
    }

    #[test]
    fn trends_and_cycles_have_no_change_point_and_steps_have_one() {
        for case in shapes_suite(3, 40) {
            let expected = usize::from(matches!(case.kind, CaseKind::SeasonalStep | CaseKind::TrendStep | CaseKind::VeryShortSeries));
            assert_eq!(case.change_points.len(), expected, "{:?}", case.kind);
            assert!(case.variance_changes.is_empty());
            assert!(case.values.iter().all(|v| v.is_some_and(|v| v.is_finite() && v > 0.0)), "{:?}", case.kind);
        }
    }

    #[test]
    fn very_short_series_have_6_to_14_runs_and_3_on_each_side_of_their_step() {
        let short: Vec<_> = shapes_suite(5, 200).into_iter().filter(|c| c.kind == CaseKind::VeryShortSeries).collect();
        assert!(short.iter().any(|c| c.values.len() == 6) && short.iter().any(|c| c.values.len() == 14));
        for case in short {
            let n = case.values.len();
            assert!((6..=14).contains(&n));
            assert!(case.change_points[0] >= 3 && n - case.change_points[0] >= 3, "{n} runs, step at {:?}", case.change_points);
            assert!(case.smallest_step >= 0.25);
        }
    }

    #[test]
    fn a_trend_grows_by_its_stated_factor() {
        for case in shapes_suite(9, 30).into_iter().filter(|c| c.kind == CaseKind::ExponentialTrend) {
            let values: Vec<f64> = case.values.into_iter().flatten().collect();
            let tenth = values.len() / 10;
            let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
            let growth = mean(&values[values.len() - tenth..]) / mean(&values[..tenth]);
            // 2–10× over the series: the first and last tenths' means lie 0.8 of it apart.
            assert!((1.5..11.0).contains(&growth), "grew {growth:.2}×");
        }
    }
}
