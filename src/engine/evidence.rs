//! The gate's test: do the newest runs, together, show a level worse than the reference level?
//!
//! # How it works
//!
//! ```text
//!  reference runs ──► centre (median), σ (robust), lag-1 autocorrelation ρ, their own deviations
//!                                                        │
//!  newest k runs ──► j-th worst deviation c (j = ⌊k/2⌋+1: most of them) ──► q = P(one run ≥ c)
//!                                                        │      (the larger of the t model and the
//!                                                        │       reference's own share of runs ≥ c)
//!                         p_k = P(Bin(k, q) ≥ j) ^ e_k  ◄┘      e_k: independent runs per run under ρ
//!                         p   = min over k of p_k × (how many k were tried)   (Bonferroni)
//! ```
//!
//! 1. **All the evidence.** The newest run is judged together with the runs before it that are
//!    not part of the reference level (the runs since a suspected shift): k = 2, 3, 5, 8, 12, 20,
//!    32 and every run since an open regression began. A sustained shift adds evidence with every
//!    run; a single run never decides alone.
//! 2. **Robust to outliers.** The statistic is an order statistic: for k runs, the value that most
//!    of them (j of k) exceed. One slow run among k cannot carry it, and its chance under the null
//!    is a binomial tail, exact for independent runs whatever the noise's shape.
//! 3. **The noise's own shape.** How many of the n reference runs are as bad: the larger of those
//!    counted and what a Student-t model of the reference expects (a prediction interval: centre
//!    and σ of the reference, n − 1 degrees of freedom). Skewed, bimodal, heavy-tailed and
//!    quantised noise raise the count; the model covers the tail beyond the runs seen. The per-run
//!    chance is not taken as known: it is Beta(count + 1, n − count), and the tail of k runs a
//!    beta-binomial, exact for exchangeable runs whatever their distribution (two new runs both
//!    beyond all n reference runs: 2/((n+1)(n+2))), so a short reference cannot make a
//!    rare-looking tail certain. Far beyond the bulk, reference runs within 2σ below the tail's
//!    count as bad as it where they stand apart from the bulk (a slow state's runs, one level).
//! 4. **Runs that move together.** Autocorrelated noise (a runner's state lasting several runs)
//!    makes k runs worth fewer independent ones: with lag-1 autocorrelation ρ of the noise
//!    (estimated from the look-back's differences, so level shifts do not inflate it),
//!    k runs count as 1 + (k − 1)(1 − ρ)/(1 + ρ), and the binomial tail is raised to that share
//!    (a daily cycle shows as a high ρ too, and is treated with the same caution). Where ρ is
//!    0.3 or more and no cycle was taken out, the gate judges a tail by the AR(1) model instead
//!    ([`autoregressive_p_value`]): each run's surprise given the run before it.
//! 5. **One family per budget.** The p-value is Bonferroni-adjusted over the k tried, so each
//!    budget's false-alarm rate per check stays under the significance level, whatever the number
//!    of budgets: a thousand budgets need no larger shift than ten to be caught.

use super::stats;

/// The run counts tested together, besides every run since an open regression began.
pub const TAIL_LENGTHS: [usize; 7] = [2, 3, 5, 8, 12, 20, 32];

/// The fewest reference runs a test needs.
pub const MIN_REFERENCE_RUNS: usize = 3;

/// The fewest reference runs whose tail is extrapolated beyond the worst of them.
pub const MIN_TAIL_FIT_RUNS: usize = 20;

/// The reference level a tail is compared with.
#[derive(Clone, Debug)]
pub struct Reference<'a> {
    /// The reference runs' values, oldest first.
    pub values: &'a [f64],
    /// Their centre.
    pub center: f64,
    /// Their noise σ.
    pub sigma: f64,
    /// +1 where larger values are worse, −1 where smaller are.
    pub worse_sign: f64,
    /// The lag-1 autocorrelation of the metric's noise ([`stats::noise_autocorrelation`]).
    pub rho: f64,
}

impl Reference<'_> {
    /// How much worse than the centre `x` is (negative: better).
    #[must_use]
    pub fn deviation(&self, x: f64) -> f64 {
        self.worse_sign * (x - self.center)
    }

    /// How many of the reference's newest runs, back to back, are at least `deviation` worse than
    /// its centre: a new level's first runs, which the reference still holds, where `deviation`
    /// is half the newer runs' own.
    #[must_use]
    pub fn newest_as_far(&self, deviation: f64) -> usize {
        self.values.iter().rev().take_while(|&&x| self.deviation(x) >= deviation).count()
    }

    /// How many of the reference's runs one run as bad as `c` is worth: the larger of the runs at
    /// least as bad and what the Student-t model expects of n runs (σ widened for the centre's own
    /// uncertainty, a prediction interval).
    fn as_bad(&self, c: f64) -> f64 {
        let n = self.values.len();
        let model = self.model_sf(c);
        let counted = self.values.iter().filter(|&&x| self.deviation(x) >= c).count();
        (counted as f64).max(model * n as f64)
    }

    /// The chance of one run at least `c` worse than the centre, beyond every run of the
    /// reference: the reference's own upper tail extrapolated (peaks over a threshold). The worst
    /// m of its n runs' deviations above the (m+1)-th are fitted with an exponential whose scale
    /// is taken at an upper confidence bound (the fit is uncertain, and a heavier tail must not
    /// look lighter than it is), never below half the noise σ (quantised timers tie). An
    /// exponential tail is heavier than a normal one, so Gaussian noise is judged cautiously;
    /// skewed, bimodal, spiky and heavy-tailed references fit a longer tail and need a larger
    /// shift. The larger of this and the Student-t model is taken.
    fn beyond(&self, c: f64) -> f64 {
        let n = self.values.len();
        let mut deviations: Vec<f64> = self.values.iter().map(|&x| self.deviation(x)).collect();
        deviations.sort_by(|a, b| b.total_cmp(a));
        let fitted = (n / TAIL_FIT_SHARE).clamp(TAIL_FIT_MIN, n.saturating_sub(1).max(1));
        let model = self.model_sf(c);
        let Some(&over) = deviations.get(fitted) else { return model };
        let mean_excess = deviations[..fitted].iter().map(|d| d - over).sum::<f64>() / fitted as f64;
        // An upper confidence bound of an exponential's mean from fitted excesses: 2m·mean / χ²(2m)
        // at its lower quantile (Wilson–Hilferty). Runs that move together come in clusters, so
        // fitted of them are worth fewer independent excesses, as in the tail test's share.
        let rho = self.rho.clamp(0.0, 0.95);
        let nu = 2.0 * (fitted as f64 * (1.0 - rho) / (1.0 + rho)).max(2.0);
        let h = 2.0 / (9.0 * nu);
        let chi = nu * (1.0 - h - TAIL_FIT_Z * h.sqrt()).powi(3);
        let scale = (mean_excess * nu / chi).max(0.5 * self.sigma);
        // A generalised Pareto tail of fixed shape ξ: its mean excess is β / (1 − ξ).
        let beta = (1.0 - TAIL_SHAPE) * scale;
        let tail = if beta > 0.0 {
            (fitted as f64 / n as f64) * (1.0 + TAIL_SHAPE * (c - over).max(0.0) / beta).powf(-1.0 / TAIL_SHAPE)
        } else {
            0.0
        };
        tail.max(model)
    }

    /// The Student-t model's chance of one run at least `c` worse (σ widened for the centre's
    /// own uncertainty: a prediction interval).
    fn model_sf(&self, c: f64) -> f64 {
        let n = self.values.len();
        if self.sigma > 0.0 {
            let scale = self.sigma * (1.0 + std::f64::consts::PI / (2.0 * n as f64)).sqrt();
            stats::student_t_sf(c / scale, (n.max(2) - 1) as f64)
        } else if c > 0.0 {
            0.0
        } else {
            1.0
        }
    }
}

/// The reference's upper tail is fitted on its worst n / TAIL_FIT_SHARE runs ...
const TAIL_FIT_SHARE: usize = 8;
/// ... and never on fewer than this many.
const TAIL_FIT_MIN: usize = 5;
/// The tail's shape: a power law as heavy as Student's t with 4 degrees of freedom, so that
/// heavy-tailed noise is not extrapolated as if it were light (an exponential, ξ = 0, is too
/// light for t₃ noise; Gaussian noise, whose tail is lighter still, is judged cautiously).
const TAIL_SHAPE: f64 = 0.25;
/// The normal quantile of the tail fit's confidence bound (one-sided 90 %).
const TAIL_FIT_Z: f64 = 1.2816;

/// P(X ≥ j) for X ~ Beta-binomial(k, a, b): k runs, each as bad with a chance that is itself
/// uncertain, Beta(a, b). With a = (runs as bad) + 1 and b = (runs not), this is the exact
/// chance, for exchangeable runs of any distribution, that j of k new runs rank among the worst
/// (e.g. both of two new runs beyond all n reference runs: 2/((n+1)(n+2))): a short reference
/// cannot make a rare-looking tail certain.
#[must_use]
pub fn beta_binomial_tail(k: usize, j: usize, a: f64, b: f64) -> f64 {
    if j == 0 {
        return 1.0;
    }
    if j > k || a <= 0.0 || b <= 1e-12 {
        return if j > k { 0.0 } else { 1.0 };
    }
    // P(X = i) = C(k, i) B(i + a, k − i + b) / B(a, b), built up from P(X = 0) by its ratio.
    let mut p0 = 1.0f64;
    for t in 0..k {
        p0 *= (b + t as f64) / (a + b + t as f64);
    }
    let mut term = p0;
    let mut total = if j == 0 { p0 } else { 0.0 };
    for i in 1..=k {
        let i_f = i as f64;
        term *= (k - i + 1) as f64 / i_f * (a + i_f - 1.0) / (b + (k - i) as f64);
        if i >= j {
            total += term;
        }
    }
    total.clamp(0.0, 1.0)
}

/// P(X ≥ j) for X ~ Binomial(k, q).
#[must_use]
pub fn binomial_tail(k: usize, j: usize, q: f64) -> f64 {
    if j == 0 {
        return 1.0;
    }
    if j > k {
        return 0.0;
    }
    let q = q.clamp(0.0, 1.0);
    let mut total = 0.0;
    let mut choose = 1.0f64; // C(k, i), built up from C(k, 0)
    for i in 0..=k {
        if i > 0 {
            choose = choose * (k - i + 1) as f64 / i as f64;
        }
        if i >= j {
            total += choose * q.powi(i as i32) * (1.0 - q).powi((k - i) as i32);
        }
    }
    total.clamp(0.0, 1.0)
}

/// The one-sided p-value that the runs of `tail` (oldest first), taken together, are this much
/// worse than the reference level by chance: the binomial tail of the value most of them exceed,
/// raised to the share of independent runs under the reference's autocorrelation.
///
/// Against a reference with spikes ([`has_spikes`]), where the tail has three runs or more, also
/// the tail of the value all of them exceed ([`all_runs_p_value`]), the smaller p-value doubled
/// for the choice of two. The spikes cap most of the tail's runs at their rank: two of three runs
/// of a step beyond all but three spikes in 160 runs happen by chance about 2.3e-3 of the time,
/// all three about 2.9e-5. Most alone, a +17 % step (12σ) in 1.4 % noise with 1 % of runs
/// spiking asked for reruns through its 4th run (`gate_accuracy` seed 2026).
///
/// All of the runs count only where runs are exchangeable: no cycle was taken out of them
/// (`exchangeable`; a young daily cycle's busy phase after its quiet first runs has all its runs
/// beyond the reference, and all of them as evidence failed 40-80 checks more a seed in 29,000),
/// the reference's own autocorrelation is under [`EXCHANGEABLE_RHO`] (as for a commit's runs),
/// and its runs as bad as all of the tail's come one at a time, as spikes do: where two of them
/// are neighbours (a burst, a cycle the look-back did not read, a wander), runs that bad come
/// together. In an adversarial review's AR(1) noise at φ 0.3-0.55 with spikes, all of the runs
/// failed 169 → 181 of 291,840 checks with the autocorrelation's bound alone, 177 with both; in a
/// weak daily cycle with spikes 73 → 79 of 218,880, 74 with both.
#[must_use]
pub fn tail_p_value(reference: &Reference<'_>, tail: &[f64], exchangeable: bool) -> f64 {
    let most = tail.len() / 2 + 1;
    let p_most = ranked_p_value(reference, tail, most);
    if !exchangeable || most >= tail.len() || !has_spikes(reference) || exchangeable_rho(reference.values) >= EXCHANGEABLE_RHO {
        return p_most;
    }
    // The reference's runs as bad as all of the tail's come one at a time, as spikes do: where
    // two of them are neighbours (a burst, a cycle's busy phase, a wander), runs that bad come
    // together, and all of the tail's are no stronger evidence than most of them.
    let bar = bar_of(reference, tail, tail.len());
    let far = |x: f64| reference.deviation(x) >= bar;
    if reference.values.windows(2).any(|w| far(w[0]) && far(w[1])) {
        return p_most;
    }
    (2.0 * p_most.min(all_runs_p_value(reference, tail))).min(1.0)
}

/// The one-sided p-value that every run of `runs`, the runs of one commit (a run and its reruns),
/// is this much worse than the reference level by chance: the tail of the least bad of them.
/// Runs of one commit measure one level, so all of them, not most, are the evidence: two or three
/// spikes in 160 reference runs cap most of three runs at a rank no better than theirs, while all
/// of three or four runs beyond them by chance is rarer by a factor of n / (c + 3) or more (four
/// runs beyond all but 3 of 160: 4·5·6·7 / (161·162·163·164), about 1.2e-6). Exact for
/// exchangeable runs, as [`tail_p_value`]; for runs that share a machine's state the share of
/// independent runs applies, as there.
#[must_use]
pub fn all_runs_p_value(reference: &Reference<'_>, runs: &[f64]) -> f64 {
    ranked_p_value(reference, runs, runs.len())
}

/// The one-sided p-value that two or more of `runs`, the runs of one commit (three or more), are
/// this much worse than the reference level by chance: for each count j from 2 to all of them,
/// the j worst runs' tail ([`all_runs_p_value`] is j = all), the least of them Bonferroni-adjusted
/// for the m − 1 counts tried. A regression that shows on some runs only (a slow path taken now
/// and then: +40 % on half the runs) is two runs far beyond the bar of four, where all four are
/// not; one run alone still never fails.
#[must_use]
pub fn some_runs_p_value(reference: &Reference<'_>, runs: &[f64]) -> f64 {
    let m = runs.len();
    if m < 3 {
        return all_runs_p_value(reference, runs);
    }
    let least = (2..=m).map(|j| ranked_p_value(reference, runs, j)).fold(1.0, f64::min);
    (least * (m - 1) as f64).min(1.0)
}

/// The p-value of [`all_runs_p_value`] for `runs` runs of one commit, each as far as `as_far` of
/// the `n` reference runs (ranks alone: the reference's extrapolated tail can only lower it): how
/// far a commit's reruns can take the evidence where the reference holds runs as far as the
/// first (spikes), e.g. four runs beyond all but 4 of 160, 5·6·7·8 / (161·162·163·164) ≈ 2.4e-6.
#[must_use]
pub fn all_as_far_p_value(n: usize, as_far: usize, runs: usize) -> f64 {
    let as_far = as_far.min(n) as f64;
    beta_binomial_tail(runs, runs, as_far + 1.0, n as f64 - as_far)
}

/// The tick of a timer whose readings are whole ticks: where the reference takes at most one
/// distinct value in [`TICK_RUNS_PER_VALUE`] runs, all on a lattice (whole multiples of the
/// smallest gap between them), that gap; `None` for readings of a continuous scale.
#[must_use]
pub fn tick(values: &[f64]) -> Option<f64> {
    let mut distinct: Vec<f64> = values.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() < 2 || distinct.len() * TICK_RUNS_PER_VALUE > values.len() {
        return None;
    }
    let gap = distinct.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min);
    let on_lattice = |x: f64| {
        let steps = (x - distinct[0]) / gap;
        (steps - steps.round()).abs() <= 1e-6 * steps.abs().max(1.0)
    };
    (gap > 0.0 && gap.is_finite() && distinct.iter().all(|&x| on_lattice(x))).then_some(gap)
}

/// A reference of n runs is read as whole ticks where it takes at most n / this many values.
pub const TICK_RUNS_PER_VALUE: usize = 8;

/// [`tail_p_value`] with `most` of the tail's runs required to be as bad.
fn ranked_p_value(reference: &Reference<'_>, tail: &[f64], most: usize) -> f64 {
    if tail.is_empty() || reference.values.len() < MIN_REFERENCE_RUNS {
        return 1.0;
    }
    let bar = bar_of(reference, tail, most);
    let runs = reference.values.len() as f64;
    // Far beyond the reference's bulk, the runs of a level lie within the noise of each other: a
    // reference run a little less bad than the tail's, out there, is a run of the same level (a
    // second machine state's), as bad as the tail within the noise. Its runs are counted from
    // [`LEVEL_SIGMAS`] σ below the bar, where that is still beyond [`stats::SPIKE_SIGMAS`] σ (in the
    // bulk, the runs below the bar are the noise the tail stands out from). Before, two runs of a
    // slow state seen 4 times in 160 runs, both at the top of its spread, ranked with 1 run as
    // bad: p 2.3e-4, a false alarm in bimodal noise (2.5-5 % of runs 8-20 % slow).
    let level_bar = {
        let width = LEVEL_SIGMAS * reference.sigma;
        let below = bar - width;
        let within = |from: f64, to: f64| reference.values.iter().filter(|&&x| (from..to).contains(&reference.deviation(x))).count();
        let apart = below > stats::SPIKE_SIGMAS * reference.sigma && within(below - 2.0 * width, below) == 0;
        if apart && within(below, bar) >= LEVEL_RUNS { below } else { bar }
    };
    let as_bad = reference.as_bad(level_bar).min(runs);
    let ranked = beta_binomial_tail(tail.len(), most, as_bad + 1.0, runs - as_bad);
    // Beyond every reference run, ranks alone cannot tell 3 σ from 30 σ: the reference's
    // extrapolated tail says how far is how rare.
    let beyond_all = !reference.values.iter().any(|&x| reference.deviation(x) >= level_bar);
    // One run alone keeps the rank's bound: a kind of outlier never seen before is still one run.
    let joint = if beyond_all && tail.len() >= 2 && reference.values.len() >= MIN_TAIL_FIT_RUNS {
        // Two tests of the same runs: the smaller p-value, Bonferroni-adjusted for the choice.
        (2.0 * ranked.min(binomial_tail(tail.len(), most, reference.beyond(bar)))).min(1.0)
    } else {
        ranked
    };
    // A reference with a few spikes far beyond its bulk: two runs of a new level between them
    // rank no better than the spikes allow (two spikes in 160 runs cap both of two runs at p
    // 4.7e-4), though two spikes are rarely as close to each other as the runs of one level are.
    // The pair's own test then judges beside the ranks at [`TIGHT_PAIR_SHARE`] of their weight,
    // which the gate takes from the longer tails' share ([`tight_pair_applies`]), so the ranks
    // keep theirs: a step with one spike as bad fails as soon as before. The ranks are discounted
    // by the look-back's autocorrelation, which may hold the tail's older run; the pair's test, by
    // the reference's own ([`tight_pair_rho`]).
    let joint = joint.powf(independent_share(reference.rho, tail.len()));
    match tight_pair_p_value(reference, tail, most, level_bar) {
        Some(pair) => joint.min(pair / TIGHT_PAIR_SHARE).min(1.0),
        None => joint,
    }
}

/// Far beyond the reference's bulk, runs this many σ apart are runs of one level ([`ranked_p_value`]).
const LEVEL_SIGMAS: f64 = 2.0;
/// ... where that many reference runs or more lie within them below the bar, with none within twice
/// as far below them: a level seen before, apart from the bulk. A heavy tail trails off into its
/// bulk: three t₃ runs 5.4-6.5σ out, the next at 3.1σ, took the extrapolation from a 5.8σ step's
/// first runs (`gate_accuracy` seed 2026) with a gap of one level's width.
const LEVEL_RUNS: usize = 2;

/// Where both of two runs are judged against a reference with spikes ([`has_spikes`]), the exact
/// chance of a pair as tight and as bad among the reference's runs and the two: of all pairs of
/// those n + 2 runs, the share whose runs are both at least as bad as `bar` and within
/// [`TIGHT_SIGMAS`] √2 σ of each other (the pair's own runs, where they are; where they are not,
/// 1: the ranks judge alone), never below the Student-t model's chance of two runs that bad. A
/// permutation test, exact for exchangeable runs as the ranks are: two new runs of one level,
/// between the bulk and the spikes, are the only tight pair there, where both rank among the
/// spikes' count. `None` for other tails, for references without spikes, on a timer's ticks and
/// where the runs move together (the ranks judge with their whole weight). Discounted for the
/// reference's own autocorrelation, as the ranks are for the look-back's.
fn tight_pair_p_value(reference: &Reference<'_>, tail: &[f64], most: usize, bar: f64) -> Option<f64> {
    let rho = tight_pair_rho(reference, tail.len(), most)?;
    let n = reference.values.len();
    let width = TIGHT_SIGMAS * std::f64::consts::SQRT_2 * reference.sigma;
    if (tail[0] - tail[1]).abs() > width {
        return Some(1.0);
    }
    let mut as_bad: Vec<f64> = reference.values.iter().chain(tail).map(|&x| reference.deviation(x)).filter(|&d| d >= bar).collect();
    as_bad.sort_by(f64::total_cmp);
    // Pairs within `width`: for each run, the runs after it (in sorted order) that near.
    let mut tight = 0usize;
    let mut end = 0;
    for (i, &d) in as_bad.iter().enumerate() {
        end = end.max(i + 1);
        while end < as_bad.len() && as_bad[end] - d <= width {
            end += 1;
        }
        tight += end - i - 1;
    }
    let pairs = ((n + 2) * (n + 1) / 2) as f64;
    Some((tight as f64 / pairs).max(reference.model_sf(bar).powi(2)).min(1.0).powf(independent_share(rho, 2)))
}

/// Whether the pair's test ([`tight_pair_p_value`]) judges a tail of `runs` runs, `most` of them
/// required as bad, against `reference`: two runs, all of them, against 20 or more reference runs
/// with spikes ([`has_spikes`]), not on a timer's ticks (readings tie: every pair at one reading is
/// tight) and not where the reference's runs move together ([`EXCHANGEABLE_RHO`]). Decided on the reference
/// alone, so the gate can share out the significance before it sees the tail.
#[must_use]
pub fn tight_pair_applies(reference: &Reference<'_>, runs: usize, most: usize) -> bool {
    tight_pair_rho(reference, runs, most).is_some()
}

/// Where the pair's test judges ([`tight_pair_applies`]), the lag-1 autocorrelation of the
/// reference's own runs, below [`EXCHANGEABLE_RHO`]: read as the look-back's is, the differences'
/// estimate ([`stats::noise_autocorrelation`]) or the runs' own lag-1 less its standard error where
/// higher (the differences, clipped, read spikes that come two runs at a time as none: an
/// adversarial review's such spikes failed 3 more checks in 100,854 with the differences alone). Not the
/// look-back's (`reference.rho`): at a step's 2nd check that holds the step's first run (the
/// look-back is the runs before the checked one), whose one large difference then reads white
/// noise as autocorrelated about twice as often (7 % of 160-run look-backs at ρ ≥ 0.05; 12–15 %
/// with a 4–20σ step's first run the newest), so the pair's test stood aside, and its p-value was
/// discounted, for the larger steps.
fn tight_pair_rho(reference: &Reference<'_>, runs: usize, most: usize) -> Option<f64> {
    if !(runs == 2
        && most == 2
        && reference.sigma > 0.0
        && reference.values.len() >= MIN_TAIL_FIT_RUNS
        && has_spikes(reference)
        && tick(reference.values).is_none())
    {
        return None;
    }
    let rho = exchangeable_rho(reference.values);
    (rho < EXCHANGEABLE_RHO).then_some(rho)
}

/// The pair's test's share of the significance, as a share of the two-run ranks' own.
pub const TIGHT_PAIR_SHARE: f64 = 0.5;

/// Whether the reference's worst runs stand apart from the rest as spikes do: at most one run in
/// [`SPIKE_SHARE`], each more than [`SPIKE_SIGMAS`] σ worse than the centre and more than
/// [`SPIKE_GAP`] times as far as every other run. A heavy tail's worst runs trail off from its
/// bulk (of Student t₃'s 160 runs, the worst is 4 times the next in about one reference of 50;
/// twice, in one of eight), a second mode is more than a few runs, and a spike is a run of
/// another kind.
fn has_spikes(reference: &Reference<'_>) -> bool {
    let n = reference.values.len();
    let most = n / SPIKE_SHARE;
    // No run that far out (most references): no spike, without sorting a copy of the runs.
    if most == 0 || !reference.values.iter().any(|&x| reference.deviation(x) > SPIKE_SIGMAS * reference.sigma) {
        return false;
    }
    let mut worst: Vec<f64> = reference.values.iter().map(|&x| reference.deviation(x)).collect();
    worst.select_nth_unstable_by(most, |a, b| b.total_cmp(a));
    worst.truncate(most + 1);
    worst.sort_by(|a, b| b.total_cmp(a));
    worst.windows(2).any(|w| w[0] > SPIKE_SIGMAS * reference.sigma && w[0] > SPIKE_GAP * w[1].max(0.0))
}

/// A reference run more than this many σ worse than its centre may be a spike ...
const SPIKE_SIGMAS: f64 = 5.0;
/// ... where at most one run in this many is one (more are a second mode, not spikes) ...
const SPIKE_SHARE: usize = 20;
/// ... and it is this many times as far as the runs below the spikes.
const SPIKE_GAP: f64 = 4.0;
/// Two runs of one level differ by under this many times √2 σ (99.7 % of normal pairs).
const TIGHT_SIGMAS: f64 = 3.0;
/// Below this lag-1 autocorrelation of the noise (estimated less its standard error, so white
/// noise reads 0) the runs of one commit are judged exchangeable with the reference's: all of
/// them, not most, must be as bad ([`all_runs_p_value`]). Above it, reruns share the
/// machine's state and rise together: with all of four AR(1) reruns required, a slow state
/// failed 5 more checks in 29,245 (gate_accuracy, seed 11). White noise reads ρ at or above it in
/// some histories (the larger of two estimates, each less about one standard error); 0.13 (one
/// more standard error at 160 runs) was tried and dropped: seeds 11, 5 and 9 changed by one 2–4σ
/// step found within 12 runs and one false alarm more (gate_accuracy with reruns, `check::KEY_WEIGHT` ⅓).
/// A pair's tightness is no evidence either at or above it ([`tight_pair_applies`]): runs that
/// move together (a wandering machine state) are close to the runs beside them more often than
/// exchangeable runs are. Log-normal AR(1) noise at φ 0.5 with spikes, read as ρ 0.09, failed two
/// runs of a wander 4σ up (`gate_shapes.py` seed 2).
pub const EXCHANGEABLE_RHO: f64 = 0.05;

/// The deviation that `most` of the tail's runs reach (1 ≤ `most` ≤ the tail's length).
fn bar_of(reference: &Reference<'_>, tail: &[f64], most: usize) -> f64 {
    let mut deviations: Vec<f64> = tail.iter().map(|&x| reference.deviation(x)).collect();
    deviations.sort_by(|a, b| b.total_cmp(a));
    deviations[most.clamp(1, tail.len()) - 1]
}

/// The Student-t model's one-sided p-value of a tail against a new benchmark's first runs, where
/// every run of the tail (all but one of five or more) lies beyond every one of them by
/// [`FIRST_RUNS_SIGMAS`] or more; `None` where they do not. From 10 runs to [`MIN_TAIL_FIT_RUNS`]
/// ranks cannot be strong evidence (both of two runs beyond all of 15 happen 1 in 136 by chance)
/// and a tail fitted on the worst 5 is too uncertain to extrapolate, so a step of 6σ stayed
/// inconclusive for as long as the first runs were the reference. σ is the larger of the
/// run-to-run noise and the runs' own standard deviation (a heavy tail, a second mode or part of
/// a cycle among them widens it; none where they all read one value), and where the runs may move
/// together (AR(1) at φ = `rho`) their spread over n runs falls short of the noise's by about the
/// long-run variance factor over n, and their centre errs by that factor more: both widen σ, and
/// the tail's runs count as fewer.
#[must_use]
pub fn first_runs_model_p_value(reference: &Reference<'_>, tail: &[f64], rho: f64) -> Option<f64> {
    let n = reference.values.len();
    if tail.len() < 2 || n < MIN_MODEL_REFERENCE_RUNS {
        return None;
    }
    // Every run of a tail of up to four; all but one of five or more (the tail lengths tried skip
    // four: at a step's 4th run the tail of five holds the run before it).
    let most = if tail.len() >= 5 { tail.len() - 1 } else { tail.len() };
    let bar = bar_of(reference, tail, most);
    if reference.values.iter().any(|&x| reference.deviation(x) >= bar) {
        return None;
    }
    // Runs that move together (AR(1) at φ = `rho`) spread less over n of them than over all time,
    // by about the long-run variance factor over n, and their centre errs by that factor more.
    let lrv = stats::long_run_variance_factor(rho);
    let shortfall = (1.0 - lrv / n as f64).max(0.5);
    let centre = ((1.0 + std::f64::consts::PI * lrv / (2.0 * n as f64)) / (1.0 + std::f64::consts::PI / (2.0 * n as f64))).sqrt();
    let spread = stats::standard_deviation(reference.values).unwrap_or(0.0) / shortfall.sqrt();
    // First runs that all read the same value (a count, a size, a deterministic metric) have no
    // noise: the reference's run-to-run σ, read up to the newest run but one (the tail's first
    // where it holds two runs), is the step's own then, and it left a +20 % step of such a metric
    // "within its noise" for three runs. (Read on these runs alone otherwise too, it found more
    // steps, and false-alarmed more: a cycle's busy phase, a second mode, +5 on 12 seeds.)
    let sigma = if stats::one_value(reference.values) { 0.0 } else { reference.sigma.max(spread) } * centre;
    if sigma.is_nan() {
        return None;
    }
    if bar < FIRST_RUNS_SIGMAS * sigma {
        return None;
    }
    let model = Reference { sigma, rho, ..reference.clone() };
    Some(binomial_tail(tail.len(), most, model.model_sf(bar)).powf(independent_share(rho, tail.len())))
}

/// The fewest σ (of [`first_runs_model_p_value`]) a tail must lie beyond a new benchmark's first
/// runs for their model to judge it: what 10-19 runs cannot rule out is not judged by their model
/// (a business-hours cycle whose first runs all fell outside the busy hours rises by up to 4.8 of
/// their σ; at 4 σ `gate_early.py` false-alarmed on a few more such checks, at 5 on none more).
pub const FIRST_RUNS_SIGMAS: f64 = 5.0;

/// The share of independent runs among `runs` runs under lag-1 autocorrelation `rho`:
/// (1 + (k − 1)(1 − ρ)/(1 + ρ)) / k.
fn independent_share(rho: f64, runs: usize) -> f64 {
    let rho = rho.clamp(0.0, 0.95);
    (1.0 + (runs - 1) as f64 * (1.0 - rho) / (1.0 + rho)) / runs as f64
}

/// The one-sided p-value of the tail's runs against a short reference (too few runs for their
/// ranks to say much: five runs cannot make two new ones rarer than 1 in 21): the binomial tail
/// of the value `most` of them exceed (most of them, ⌊k/2⌋ + 1; all of them for the runs of one
/// commit), at the Student-t model's chance of one run that far, with n − 1 degrees of freedom
/// (wide for a few runs), and the same share for runs that move together.
///
/// The model's σ is at least the reference runs' own standard deviation: Student's t with n − 1
/// degrees of freedom is the law of a new run for that estimate, not for a robust one, which 5-9
/// runs make small by chance (five runs of 6 % white noise read ±3.3 %, and the next four, no
/// higher than the noise allows, failed as a +12 % regression). Not of the reference's newest
/// runs that are as far as half the tail's bar, back to back (a step's first runs, which the
/// reference still holds before the change-point search can split them; counted, a step's 3rd
/// to 5th checks after 5-9 first runs passed where they had failed), while 5 runs are left.
#[must_use]
pub fn model_tail_p_value(reference: &Reference<'_>, tail: &[f64], most: usize) -> f64 {
    if tail.is_empty() || reference.values.len() < MIN_MODEL_REFERENCE_RUNS {
        return 1.0;
    }
    let most = most.clamp(1, tail.len());
    let bar = bar_of(reference, tail, most);
    let n = reference.values.len();
    let own = reference.newest_as_far(bar / 2.0);
    let earlier = &reference.values[..if n - own >= MIN_MODEL_REFERENCE_RUNS { n - own } else { n }];
    let sd = stats::standard_deviation(earlier).filter(|s| s.is_finite()).unwrap_or(0.0);
    let model = Reference { sigma: reference.sigma.max(sd), ..reference.clone() };
    binomial_tail(tail.len(), most, model.model_sf(bar)).powf(independent_share(reference.rho, tail.len()))
}

/// The lag-1 autocorrelation from which a metric's noise is judged by its autoregressive model
/// ([`autoregressive_p_value`]) instead of by ranks and batch means.
pub const AUTOREGRESSIVE_RHO: f64 = 0.3;

/// The one-sided p-value that the tail's runs are worse than the reference level by chance, under
/// an AR(1) model of the noise (a runner's state that lasts several runs): each run is predicted
/// from the one before it, and only the surprise (the innovation) is evidence. The model fitted
/// once ([`AutoregressiveModel::fit`]) and judged once ([`AutoregressiveModel::p_value`]).
///
/// `None` where the model cannot be fitted: too few runs, or innovations with no spread at all
/// (a coarse timer whose reference runs all read the same tick); the other tests judge then.
#[must_use]
pub fn autoregressive_p_value(reference: &Reference<'_>, gap: usize, tail: &[f64]) -> Option<f64> {
    AutoregressiveModel::fit(reference.values, reference.rho)?.p_value(reference.worse_sign, gap, tail)
}

/// An AR(1) model of a reference's noise, fitted once for every tail it judges, worse and better
/// alike (the fit does not depend on which way is worse).
///
/// Under the reference level c (the median of all the reference's runs), run t is
/// c + φ(x₍t−1₎ − c) + u_t with independent innovations u of spread σ_u, read off the reference's
/// own innovations. The tail's first run is predicted from the reference's last run, `gap` runs
/// back (its innovation's variance σ_u²(1 − φ^2(gap+1))/(1 − φ²)); each later run from the run
/// before it. A sustained shift Δ from the tail's start moves the first innovation by Δ and every
/// later one by (1 − φ)Δ: the generalised least squares statistic weights them so
/// (Cochrane–Orcutt / Prais–Winsten). A wandering series is no evidence (its prediction follows
/// it); a shift's first run is (autocorrelation makes it more surprising, not less). The level's
/// own error (a median of correlated runs) and what autocorrelation is left in the innovations
/// widen the statistic's spread.
pub struct AutoregressiveModel {
    /// The level the runs wander about.
    center: f64,
    phi: f64,
    /// The innovations' spread.
    sigma_u: f64,
    /// How much what autocorrelation the model leaves in the innovations widens their sums.
    widen: f64,
    /// The reference's newest run that the model keeps, from which the tail's first run is
    /// predicted, and how many runs of the second kind (below) follow it in the reference.
    last: f64,
    since_last: usize,
    /// The reference's runs that the model keeps.
    runs: usize,
    /// Above and below the centre: how far from it a run of a second kind lies (from, to:
    /// [`second_kind_bounds`]; an empty range where the reference has none: [`second_kind_runs`],
    /// a slow machine state, spikes, which the model's Gaussian innovations do not describe), and
    /// the share of the reference's runs of that kind (one more in one more, so that none is not
    /// zero).
    second_bounds: [(f64, f64); 2],
    second_share: [f64; 2],
}

/// The places of the runs of `values` more than `fence` from `center` on `side` that are a second
/// kind of run: apart from the bulk (none of them within [`SECOND_KIND_GAP`] times the fence: a
/// slow state's runs, spikes; a heavy tail's runs begin at the fence and thin out, and a step among
/// them is of no kind) and coming one by one (fewer than half of them follow another). Runs in a
/// block of [`SECOND_KIND_LEVEL_RUNS`] or more in a row, and those that end the reference, are a
/// level's, not of the kind (an earlier short regression, a wander's excursion; a step's first
/// runs, whose own count would otherwise raise the share that judges the step's next runs). Empty
/// where there are fewer than [`SECOND_KIND_RUNS`].
fn second_kind_runs(values: &[f64], center: f64, fence: f64, side: f64) -> Vec<usize> {
    if fence <= 0.0 {
        return Vec::new();
    }
    let far: Vec<bool> = values.iter().map(|&x| side * (x - center) > fence).collect();
    let mut places = Vec::new();
    let mut start = 0;
    while start < far.len() {
        let end = start + far[start..].iter().take_while(|&&f| f == far[start]).count();
        if far[start] && end - start < SECOND_KIND_LEVEL_RUNS && end < far.len() {
            places.extend(start..end);
        }
        start = end;
    }
    let following = places.windows(2).filter(|w| w[1] == w[0] + 1).count();
    let apart = places.iter().all(|&i| side * (values[i] - center) >= SECOND_KIND_GAP * fence);
    if apart && 2 * following < places.len() && places.len() >= SECOND_KIND_RUNS { places } else { Vec::new() }
}

/// Far runs in a row from which they are a level's, not a second kind of run ([`second_kind_runs`]).
pub const SECOND_KIND_LEVEL_RUNS: usize = 3;

/// How many times the AR(1) model's fence a reference's far runs must all lie out to be a second
/// kind of run ([`second_kind_runs`]). Without it, Student-t noise's far runs were one, and a
/// +8 % step among them (2 % noise, 30 runs before it) failed its 24th check instead of its 4th
/// (`gate_short_level.py`).
pub const SECOND_KIND_GAP: f64 = 2.0;

/// How far from the centre (on its side, positive) a run of the second kind lies, given the
/// reference's such runs `far` (deviations on that side), the AR(1) model's `fence` and its
/// noise's σ: from the nearest of them, less two of the noise's σ and two of their own spread (a
/// slow state's runs lie close together, spikes of 1.3-3 times far apart), and at least half as
/// far as it (a step's runs between the bulk and the spikes are of neither); up to the farthest,
/// plus two of the noise's σ (runs beyond every one of them are a new level's, or one spike further
/// than any before, which the innovations' clip takes: a step beyond every spike failed up to 10
/// checks later without this bound, `gate_beyond.py`). An empty range where there are none.
fn second_kind_bounds(far: &[f64], fence: f64, noise: f64) -> (f64, f64) {
    let (nearest, farthest) = far.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &d| (lo.min(d), hi.max(d)));
    let spread = stats::median(far).and_then(|m| stats::mad_sigma(far, m)).filter(|_| far.len() >= 3).unwrap_or(0.0);
    (fence.max(nearest / 2.0).max(nearest - 2.0 * (noise + spread)), farthest + 2.0 * noise)
}

/// The runs of a tail's deviations (worse positive; `None`: a run left out already) that stand
/// above both of their neighbours by more than `fence` (the run before, `before` for the tail's
/// first where the tail follows it directly; the run after), as a spike does: an additive outlier
/// on the runner's wandering state, one run, not a shift. A shift's first run has the shift's next
/// run beside it, as far out; a spike falls back at once. Under the AR(1) model
/// (φ ≥ [`AUTOREGRESSIVE_RHO`]) both differences exceed SPIKE_SIGMAS σ of a difference once in
/// 10⁷ runs or fewer (Gaussian innovations; the two differences correlate by (1 − φ)/2).
///
/// The model weighs a shift's first run fully and the runs after it by 1 − φ, and read a spike
/// one or two runs back as the first run of a shift where it lay within the tail's fence of the
/// marginal σ (σ_u / √(1 − φ²), three times σ_u at φ 0.95): spikes (1 % of runs 20-60 % slow)
/// on AR(1) noise at φ 0.6-0.8 failed 0.17 % of checks on an examiner's workspaces, where AR(1)
/// noise alone failed 0.02 %.
///
/// None where more than one run and one in [`SECOND_KIND_MODE`] more stand so: they are runs of
/// a mode (a slow path taken every other run), which the tail's tests judge together.
fn spikes_of(devs: &[Option<f64>], before: Option<f64>, fence: f64) -> Vec<usize> {
    let spikes: Vec<usize> = (0..devs.len())
        .filter(|&i| {
            let previous = if i == 0 { before } else { devs[i - 1] };
            let next = devs.get(i + 1).copied().flatten();
            matches!((devs[i], previous, next), (Some(d), Some(p), Some(q)) if d - p.max(q) > fence)
        })
        .collect();
    if spikes.len() <= 1 + devs.len() / SECOND_KIND_MODE { spikes } else { Vec::new() }
}

/// The lag-1 autocorrelation of a series with missing runs (`None`): the mean product of the
/// pairs of consecutive runs both present over the mean square, about the mean of `observed`
/// (the runs present). `None` without pairs or spread.
fn lag1_of_pairs(kept: &[Option<f64>], observed: &[f64]) -> Option<f64> {
    let mean = observed.iter().sum::<f64>() / observed.len() as f64;
    let products: Vec<f64> = kept.windows(2).filter_map(|w| Some((w[0]? - mean) * (w[1]? - mean))).collect();
    let var = observed.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / observed.len() as f64;
    (!products.is_empty() && var > 0.0).then(|| products.iter().sum::<f64>() / products.len() as f64 / var)
}

impl AutoregressiveModel {
    /// The model of `values` (the reference's runs, oldest first), with φ at least `rho` (the
    /// look-back's). `None` where it cannot be fitted.
    #[must_use]
    pub fn fit(values: &[f64], rho: f64) -> Option<AutoregressiveModel> {
        let n = values.len();
        if n < MIN_REFERENCE_RUNS + 2 {
            return None;
        }
        // The level the runs wander about: the median of all the reference's runs, not the centre
        // of its newest few (which wander with the noise: 20 runs at φ 0.8 are worth about two).
        let center = stats::median(values).filter(|c| c.is_finite())?;
        // A spike is not the runner's state: the runs are clipped at SPIKE_SIGMAS robust σ from
        // the level before the model reads them, as the look-back's φ is. Unclipped, one run 70 %
        // slow among 160 in 2 % noise held a tenth of the innovations' variance: σ_u read three
        // times the noise's, and a +11 % step 46 runs old passed as "inconclusive in one run"
        // (spikes in AR(1) noise, a generator of other shapes than `engine::synthetic`'s).
        let fence = stats::mad_sigma(values, center).map_or(0.0, |s| stats::SPIKE_SIGMAS * s);
        let clip = |x: f64| if fence > 0.0 { center + (x - center).clamp(-fence, fence) } else { x };
        // Runs of a second kind (a slow machine state, spikes: [`second_kind_runs`]) are not the
        // runner's wandering state either. Where they are a mode (SECOND_KIND_RUNS or more on a
        // side, and at least one run in SECOND_KIND_MODE) the model leaves them out (each a missing
        // run) instead of clipping them: 10-15 % of runs clipped at the fence held much of the
        // innovations' variance and lowered φ, and a shift of the bulk read as weaker evidence than
        // two slow runs ([`Self::p_value`]). A few spikes are clipped as before: left out, two of
        // 140 raised φ from 0.39 to 0.48 and a +7 % step in AR(1) noise with spikes failed 20
        // checks fewer (`gate_shapes.py` seed 1).
        let places = [1.0, -1.0].map(|side| second_kind_runs(values, center, fence, side));
        let mut left_out = vec![false; n];
        for side in places.iter().filter(|p| p.len() * SECOND_KIND_MODE >= n) {
            for &i in side {
                left_out[i] = true;
            }
        }
        let kept: Vec<Option<f64>> = values.iter().zip(&left_out).map(|(&x, &out)| (!out).then(|| clip(x))).collect();
        let observed: Vec<f64> = kept.iter().flatten().copied().collect();
        let m = observed.len();
        if m < MIN_REFERENCE_RUNS + 2 {
            return None;
        }
        // φ of the reference itself (Yule–Walker over the pairs of consecutive runs it keeps, less
        // Kendall's small-sample bias −(1 + 3φ)/n), at least the look-back's.
        let phi = {
            let lag1 = if m == n { stats::lag1_autocorrelation(&observed) } else { lag1_of_pairs(&kept, &observed) }.unwrap_or(0.0);
            (lag1 + (1.0 + 3.0 * lag1) / m as f64).max(rho).clamp(0.0, 0.95)
        };
        let innovations: Vec<f64> = kept.windows(2).filter_map(|w| Some((w[1]? - center) - phi * (w[0]? - center))).collect();
        let mid = stats::median(&innovations)?;
        let sigma_u = stats::mad_sigma(&innovations, mid).into_iter().chain(stats::standard_deviation(&innovations)).fold(0.0, f64::max);
        if sigma_u <= 0.0 {
            return None;
        }
        let left = stats::lag1_autocorrelation(&innovations).map_or(0.0, |r| r.clamp(0.0, 0.9));
        let since_last = kept.iter().rev().take_while(|x| x.is_none()).count();
        let noise = sigma_u / (1.0 - phi * phi).sqrt();
        let second_bounds = [0, 1].map(|side| {
            let sign = if side == 0 { 1.0 } else { -1.0 };
            let far: Vec<f64> = places[side].iter().map(|&i| sign * (values[i] - center)).collect();
            second_kind_bounds(&far, fence, noise)
        });
        Some(AutoregressiveModel {
            center,
            phi,
            sigma_u,
            widen: (1.0 + left) / (1.0 - left),
            last: observed[m - 1],
            since_last,
            runs: m,
            second_bounds,
            second_share: places.each_ref().map(|p| (p.len() + 1) as f64 / (n + 1) as f64),
        })
    }

    /// The p-value that `tail` (the newest runs, `gap` runs after the reference's last) is worse,
    /// `worse_sign` telling which way is worse, by chance. `None` for no runs.
    #[must_use]
    pub fn p_value(&self, worse_sign: f64, gap: usize, tail: &[f64]) -> Option<f64> {
        if tail.is_empty() {
            return None;
        }
        let (devs, second) = self.second_kind(worse_sign, tail);
        let p = self.innovations_p_value(worse_sign, gap, devs);
        match (p, second) {
            (p, Some(p_second)) => Some((p.map_or(1.0, |p| p / (1.0 - SECOND_KIND_SHARE)).min(p_second / SECOND_KIND_SHARE)).min(1.0)),
            (p, None) => p,
        }
    }

    /// The tail's deviations from the centre (worse positive), its runs of the reference's second
    /// kind left out (`None`: as far out as the reference's such runs, on either side:
    /// [`second_kind_bounds`]), and, where some are on the worse side, the p-value that as many of
    /// the tail's runs are of that kind by chance: the binomial tail at the reference's share of
    /// them, weighed beside the innovations' test of the other runs ([`SECOND_KIND_SHARE`]).
    /// Without it, two slow runs in a row (15 % of runs on a state 15 % slower, in AR(1) noise at
    /// φ 0.8) read as a shift of 15 σ: 0.53-0.78 % of checks failed (`gate_mixed.py`), where their
    /// chance is about the share's square, 1 in 40.
    fn second_kind(&self, worse_sign: f64, tail: &[f64]) -> (Vec<Option<f64>>, Option<f64>) {
        let worse = usize::from(worse_sign < 0.0);
        let bounds = [self.second_bounds[worse], self.second_bounds[1 - worse]];
        let of_kind = |d: f64, (from, to): (f64, f64)| d >= from && d <= to;
        let devs: Vec<Option<f64>> = tail
            .iter()
            .map(|&x| worse_sign * (x - self.center))
            .map(|d| (!of_kind(d, bounds[0]) && !of_kind(-d, bounds[1])).then_some(d))
            .collect();
        let of_kind = tail.iter().filter(|&&x| of_kind(worse_sign * (x - self.center), bounds[0])).count();
        let second = (of_kind > 0).then(|| binomial_tail(tail.len(), of_kind, self.second_share[worse]));
        (devs, second)
    }

    /// [`AutoregressiveModel::p_value`] of the tail's deviations from the centre (worse positive),
    /// its runs of the second kind missing (`None`: each run is predicted from the last one
    /// present). `None` where none is present.
    fn innovations_p_value(&self, worse_sign: f64, gap: usize, mut devs: Vec<Option<f64>>) -> Option<f64> {
        let AutoregressiveModel { phi, sigma_u, widen, last, since_last, runs: n, .. } = *self;
        // One run cannot carry the tail: a run beyond SPIKE_SIGMAS of the noise's σ past the
        // tail's lower median (for two runs, the other one) counts at that median. A spike then
        // asks for a rerun as one run far beyond the noise does, and a shift, whose runs all
        // moved, keeps its evidence. Before, one spike in AR(1) noise failed the check by
        // itself (the mean of the newest two runs), 0.6 % of checks. So does a spike closer in,
        // above both of its neighbours by SPIKE_SIGMAS σ of a difference of neighbouring runs
        // (σ_u √(2 / (1 + φ)): [`spikes_of`]), and the newest run where it lies that far above
        // the run before it (it has no run after it to tell a spike from a shift's first run,
        // and a shift that began with it is one run). At the lower median, not at the run after
        // it: a regression whose first run was followed by a normal one (a flapping start, a
        // spike and a dip) keeps its first run where most of the tail's runs are as far out (at
        // the run after it, an adversarial review's such steps at φ 0.8-0.95 failed 10-59 checks
        // later, and a slow path taken every other run 1-2 checks later); left out, a 30 % step
        // with a spike on its first run lost its best evidence and passed its 2nd and 3rd checks.
        let neighbours = stats::SPIKE_SIGMAS * sigma_u * (2.0 / (1.0 + phi)).sqrt();
        let before = (gap == 0 && since_last == 0).then_some(worse_sign * (last - self.center));
        let spikes = spikes_of(&devs, before, neighbours);
        let mut sorted: Vec<f64> = devs.iter().flatten().copied().collect();
        if sorted.len() >= 2 {
            sorted.sort_by(f64::total_cmp);
            let lower_median = sorted[(sorted.len() - 1) / 2];
            let fence = stats::SPIKE_SIGMAS * sigma_u / (1.0 - phi * phi).sqrt();
            let newest = devs.len() - 1;
            let jumped = newest >= 1 && matches!((devs[newest - 1], devs[newest]), (Some(p), Some(d)) if d - p > neighbours);
            for (i, d) in devs.iter_mut().enumerate() {
                let Some(d) = d else { continue };
                if *d - lower_median > fence || spikes.contains(&i) || (jumped && i == newest) {
                    *d = d.min(lower_median);
                }
            }
        }
        // Innovations of the tail under the reference level, the expected effect of a shift on each
        // (a) and how the centre's error enters each (b). A run is predicted from the last one
        // present, `steps` runs before it (φ at most 0.95: [`AutoregressiveModel::fit`]): the
        // tail's first from the reference's, whose error the shift does not share; the others from
        // the tail's, which the shift moved as well.
        let mut previous = worse_sign * (last - self.center);
        let mut steps = gap + 1 + since_last;
        let mut in_tail = false;
        let (mut score, mut information, mut center_load) = (0.0, 0.0, 0.0);
        for d in devs {
            let Some(d) = d else {
                steps += 1;
                continue;
            };
            let reach = phi.powi(i32::try_from(steps).unwrap_or(i32::MAX));
            let spread = (1.0 - reach * reach) / (1.0 - phi * phi);
            let (innovation, effect, center_weight, var) = if in_tail {
                (d - reach * previous, 1.0 - reach, 1.0 - reach, sigma_u * sigma_u * widen * spread)
            } else {
                (d - reach * previous, 1.0, 1.0 - reach, sigma_u * sigma_u * spread.max(1.0))
            };
            score += effect * innovation / var;
            information += effect * effect / var;
            center_load += effect * center_weight / var;
            (previous, steps, in_tail) = (d, 1, true);
        }
        // The level's own error: a median of n runs whose noise has the marginal variance
        // σ_u²/(1 − φ²), worth fewer runs by (1 + φ)/(1 − φ), so σ_u²/(1 − φ)² over n. φ is read
        // from the same n runs, and the level's error grows fast with it, so it is taken at two
        // standard errors (√((1 − φ²)/n)) above the estimate: a reference of 90 runs that happens
        // to read φ 0.65 of a process at 0.8 would otherwise hold a long excursion for a shift.
        let runs = n as f64;
        let phi_high = (phi + 2.0 * ((1.0 - phi * phi).max(0.0) / runs).sqrt()).min(0.95);
        let center_var = std::f64::consts::FRAC_PI_2 * sigma_u * sigma_u / ((1.0 - phi_high) * (1.0 - phi_high) * runs);
        let spread = (information + center_var * center_load * center_load).sqrt();
        if information <= 0.0 || spread <= 0.0 {
            return None;
        }
        Some((AUTOREGRESSIVE_CAUTION * stats::student_t_sf(score / spread, (n - 2) as f64)).min(1.0))
    }
}

/// The autoregressive model's p-value is trusted to within this factor: real runners' innovations
/// are not exactly Gaussian nor their memory exactly AR(1), and a false alarm persists over several
/// checks. On the generated workspaces (four seeds), 1 gave 0.18 % false alarms per check in AR(1)
/// noise, 10 with the reference's own φ 0.04 %, the target being under 0.05 %. Measured again
/// (`gate_accuracy 6 SEED 16`, AR(1) false alarms for 1, 3 and 10): seed 2026 0.052 %, 0.014 %,
/// 0.000 %; seed 11 0.144 %, 0.103 %, 0.085 % (persistent episodes early in short histories, which
/// no factor here removes); 4–8σ steps caught by the 2nd check were 96 %, 92 %, 92 % and 92 % at
/// every factor. The factor stays.
pub const AUTOREGRESSIVE_CAUTION: f64 = 10.0;

/// The fewest reference runs beyond the AR(1) model's fence on one side that make a second kind
/// of run ([`AutoregressiveModel::p_value`]); one is a spike, which the tail's clip handles.
pub const SECOND_KIND_RUNS: usize = 2;

/// A second kind of run is left out of the AR(1) model's fit where it is at least one run in this
/// many ([`AutoregressiveModel::fit`]); fewer (a few spikes) are clipped at the fence as before.
pub const SECOND_KIND_MODE: usize = 20;

/// The share of the significance that the count of a tail's runs of the second kind has beside
/// the innovations' test of its other runs ([`AutoregressiveModel::p_value`]).
pub const SECOND_KIND_SHARE: f64 = 0.25;

/// The fewest reference runs the model alone may judge a tail by.
pub const MIN_MODEL_REFERENCE_RUNS: usize = 5;

/// The one-sided p-value that the newest `tail.len()` runs, back to back, all lie beyond every run
/// of their reference by chance: a new level's first runs, before the change-point search can
/// separate them (it needs five) and before the mean test judges (eight). Exact for
/// exchangeable runs of any distribution, 1 / C(n + m, m), summed over the longer counts up to
/// `longest` (the gate tests the most runs that are all beyond, so every count at least as long
/// is a way to reach it). Most of a tail's runs are what its rank test requires, so that one slow
/// run cannot carry it; past a reference whose worst runs stand far from its bulk (spikes, a slow
/// state), most of three or five runs cannot be rarer than those runs allow, and the reference's
/// extrapolated tail is fitted on them: a +210 % step behind 5 runs 1.7-2.4 times slower in 45
/// passed, then asked for reruns, for 4 checks (an adversarial review), where all of its first
/// 4 runs beyond all 45 happen by chance 1 in 211,876.
///
/// Only past a reference whose worst run lies far beyond its bulk ([`SPIKE_SIGMAS`] σ: spikes, a
/// slow state, a far blip), where its tail is extrapolated from those runs. Past a reference
/// without, the extrapolation judges a step beyond every run already, and this test added false
/// alarms for few steps found sooner: 9 more in the gate's suites (Gaussian, log-normal, bimodal,
/// t₃ and spiky noise; one of them 4 Gaussian runs in a row beyond all 111 before them, 1 in 6.8
/// million, `gate_accuracy` seed 77).
///
/// `None` (the other tests judge alone) where a run of the tail is not beyond every reference run
/// on this side and the worst of them by a level's noise (below), for a reference under [`MIN_TAIL_FIT_RUNS`] runs, and where the reference's own
/// runs move together ([`EXCHANGEABLE_RHO`], read as the pair's test reads it: a wandering state's
/// newest runs are its highest more often than exchangeable runs are). The reference's own, not
/// the look-back's: the look-back holds the level's earlier runs, whose one jump reads white noise
/// as autocorrelated (φ 0.25 after three runs of that step).
#[must_use]
pub fn new_level_p_value(reference: &Reference<'_>, tail: &[f64], longest: usize) -> Option<f64> {
    let n = reference.values.len();
    let m = tail.len();
    if n < MIN_TAIL_FIT_RUNS || m < 2 {
        return None;
    }
    let worst_before = reference.values.iter().map(|&x| reference.deviation(x)).fold(f64::NEG_INFINITY, f64::max);
    // Beyond it by more than the runs of one level lie apart ([`LEVEL_SIGMAS`] σ, σ grown with the
    // level, as timings' noise grows): runs just beyond the worst run may be of its kind (a burst
    // of 3 runs 41 % slow beside spikes of 35-40 % failed where the ranks asked for a rerun; an
    // adversarial review), where a new level beyond every one of them is not.
    let at_worst = (reference.center + reference.worse_sign * worst_before).abs();
    let grown = if reference.center.abs() > 0.0 { (at_worst / reference.center.abs()).max(1.0) } else { 1.0 };
    let bar = worst_before + LEVEL_SIGMAS * reference.sigma * grown;
    if !(worst_before > SPIKE_SIGMAS * reference.sigma && tail.iter().all(|&x| reference.deviation(x) > bar)) {
        return None;
    }
    // Also the runs' own lag-1 within their level, clipped at 4 robust σ, less its standard error:
    // a second mode's runs, drawn afresh, hide a wander of the bulk from the estimates above (AR(1)
    // noise at φ 0.8 with 15 % of runs 15 % slower read 0.01; three slow runs of a wander's high
    // beyond all 60 before them failed, an adversarial review's suite).
    let within = stats::autocorrelation_within(std::iter::once(reference.values), MIN_TAIL_FIT_RUNS) - 1.0 / (n as f64).sqrt();
    if exchangeable_rho(reference.values).max(within) >= EXCHANGEABLE_RHO {
        return None;
    }
    Some((m..=longest.max(m)).map(|j| all_as_far_p_value(n, 0, j)).sum::<f64>().min(1.0))
}

/// The lag-1 autocorrelation of runs read as the look-back's is (`check::NoiseModel`): the
/// differences' estimate, or the runs' own lag-1 less its standard error where higher (spikes that
/// come two runs at a time: the differences, clipped, read them as none).
fn exchangeable_rho(values: &[f64]) -> f64 {
    stats::noise_autocorrelation(values).max(stats::lag1_autocorrelation_beyond_error(values))
}

/// The fewest runs whose mean is tested instead of the order statistic: with many runs the size
/// of the shift, not only how many runs exceed it, is the evidence.
pub const MEAN_TEST_RUNS: usize = 8;

/// The one-sided p-value that the mean of the tail's runs is this much worse than the reference's
/// by chance. Runs are clipped at 4 robust σ from the centre first (one slow run among many moves
/// the mean by little). The spread of a mean of k runs is read off the reference itself: the
/// variance of the means of its every k consecutive runs (overlapping batch means), so
/// autocorrelated noise, what is left of a cycle, and a second machine state all count, at the
/// scale of k runs; never less than independent runs would give.
#[must_use]
pub fn mean_p_value(reference: &Reference<'_>, tail: &[f64]) -> f64 {
    mean_p_value_in(reference, tail, &MeanSpread::of(reference))
}

/// What [`mean_p_value`] reads off its reference whatever the tail and whichever side is worse:
/// the runs clipped at 4 σ about the centre (symmetric), their prefix sums, mean and variance, and
/// the standard error of the newest tail length asked. The gate tests many tails of a reference,
/// each for the worse and the better side: read once, not every time (the same sums in the same
/// order, so the same p-values).
pub struct MeanSpread {
    prefix: Vec<f64>,
    mean: f64,
    /// The clipped runs' variance about `mean` (over n − 1), for independent runs.
    variance: f64,
    /// The standard error of the mean of the newest tail length asked, with that length.
    last: std::cell::Cell<Option<(usize, f64)>>,
}

impl MeanSpread {
    /// Reads `reference`'s runs (its values, centre and σ: not its worse side).
    #[must_use]
    pub fn of(reference: &Reference<'_>) -> MeanSpread {
        let n = reference.values.len();
        let clip = |x: f64| x.clamp(reference.center - 4.0 * reference.sigma, reference.center + 4.0 * reference.sigma);
        // The sum (from −0, as `Iterator::sum`) and the prefix sums (from 0) in one pass, each in
        // order as alone.
        let (mut sum, mut running) = (-0.0f64, 0.0f64);
        let mut prefix = Vec::with_capacity(n + 1);
        prefix.push(running);
        for &v in reference.values {
            sum += clip(v);
            running += clip(v);
            prefix.push(running);
        }
        let mean = sum / n as f64;
        let variance = reference.values.iter().map(|&x| (clip(x) - mean) * (clip(x) - mean)).sum::<f64>() / n.saturating_sub(1) as f64;
        MeanSpread { prefix, mean, variance, last: std::cell::Cell::new(None) }
    }

    /// The standard error of a mean of `k` runs less the reference's mean: the larger of the
    /// overlapping batch means' spread and independent runs', widened for the reference's own error.
    fn standard_error(&self, k: usize) -> f64 {
        if let Some((asked, se)) = self.last.get()
            && asked == k
        {
            return se;
        }
        let (prefix, n) = (&self.prefix, self.prefix.len() - 1);
        let window_means = || (k..=n).map(|end| (prefix[end] - prefix[end - k]) / k as f64);
        let windows = (n - k + 1) as f64;
        let batch = if n - k + 1 < 2 {
            0.0
        } else {
            let m = window_means().sum::<f64>() / windows;
            window_means().map(|v| (v - m) * (v - m)).sum::<f64>() / (windows - 1.0)
        };
        let independent = self.variance / k as f64;
        let se = (batch.max(independent) * (1.0 + k as f64 / n as f64)).sqrt();
        self.last.set(Some((k, se)));
        se
    }
}

/// [`mean_p_value`] with the reference's `spread` read before ([`MeanSpread::of`] of a reference
/// with the same runs, centre and σ).
#[must_use]
pub fn mean_p_value_in(reference: &Reference<'_>, tail: &[f64], spread: &MeanSpread) -> f64 {
    let (n, k) = (reference.values.len(), tail.len());
    if n < MIN_REFERENCE_RUNS.max(2 * k) || k < 2 {
        return 1.0;
    }
    let clip = |x: f64| x.clamp(reference.center - 4.0 * reference.sigma, reference.center + 4.0 * reference.sigma);
    if tail.iter().any(|&x| reference.deviation(x) > stats::SPIKE_SIGMAS * reference.sigma) {
        return trimmed_mean_p_value(reference, tail);
    }
    let tail_mean = tail.iter().map(|&x| clip(x)).sum::<f64>() / k as f64;
    let d = reference.worse_sign * (tail_mean - spread.mean);
    let se = spread.standard_error(k);
    if se <= 0.0 {
        return if d > 0.0 { 0.0 } else { 1.0 };
    }
    let dof = (1.5 * (n as f64 / k as f64 - 1.0)).floor().max(1.0);
    let p = stats::student_t_sf(d / se, dof);
    if p >= SKEWED_MEAN_BELOW {
        return p;
    }
    // The tail has no run beyond the spike fence: its runs are draws from the reference's runs
    // within it (a mean of runs without a spike is not as likely as one with spikes).
    let fence = stats::SPIKE_SIGMAS * reference.sigma;
    let within: Vec<f64> =
        reference.values.iter().filter(|&&x| reference.deviation(x) <= fence).map(|&x| reference.deviation(clip(x))).collect();
    p.max(stats::empirical_mean_sf(&within, k, reference.worse_sign * (tail_mean - reference.center)))
}

/// Below this p-value, a mean test's t-test is also read against the reference's own runs
/// ([`stats::empirical_mean_sf`]: the chance of a mean as high of as many runs drawn from those
/// the tail's runs are drawn from, where the tail's statistic leaves spikes out, the reference's
/// runs within the same fence), and the larger p-value stands: the t-test's symmetric tail is
/// too short on the slow side of skewed or bimodal noise, where 15 % of runs on a slow machine
/// state put iid noise at 0.11-0.18 % false alarms per check (`gate_modes.py`); the runs' own
/// distribution cannot reach beyond their worst run, where the t-test's tail stands. Above it,
/// neither decides a check (the tests' shares of the significance are a tenth of it or more).
const SKEWED_MEAN_BELOW: f64 = 0.01;

/// The most runs beyond the spike fence that a mean test leaves out of a tail: a pair of spikes
/// (one check in 10,000 at 1 % spikes) or one. More are what the code now does (a pause in one
/// run of five is a regression of a slow percentile), and all of them count.
pub const MOST_SPIKES: usize = 2;

/// [`mean_p_value`] of a tail that holds a run beyond [`stats::SPIKE_SIGMAS`] robust σ the worse
/// way: the mean of its runs less its spikes (runs beyond that fence above the tail's own median,
/// at most [`MOST_SPIKES`] and a quarter of them; more are a level or a new kind of slow run, and
/// all its runs count), against the same statistic of the reference's every k consecutive runs
/// (so the trim's own pull is in both, and the test keeps its level). Clipped at 4 σ, each spike
/// still put 4 σ / k on a mean of k runs: two spikes in a row (one check in 10,000 where 1 % of
/// runs spike) made the 8- and 12-run tails that held them fail for checks after (a 6 % "regression"
/// in 3 % noise, `gate_accuracy` seed 3). A sustained shift lifts the tail's median, so its runs
/// are not spikes: with the fence from the reference's centre alone, a 4-8σ step whose runs were
/// partly beyond it lost them, and in spiky noise without reruns 86-89 % of them failed within 5
/// runs instead of all (seeds 9 and 5).
fn trimmed_mean_p_value(reference: &Reference<'_>, tail: &[f64]) -> f64 {
    let (n, k) = (reference.values.len(), tail.len());
    let fence = stats::SPIKE_SIGMAS * reference.sigma;
    let reach = 4.0 * reference.sigma;
    // The statistic of k runs' deviations: the mean of those within the fence beyond their own
    // median (a step lifts the median, so its runs are not spikes of the new level), where at most
    // MOST_SPIKES and a quarter are beyond it; else the mean of all. Each clipped at 4 σ. With it,
    // how many runs it is the mean of and the bar they lie within (none where it kept them all).
    let mut scratch: Vec<f64> = Vec::with_capacity(k);
    let mut statistic = |deviations: &[f64]| -> (f64, usize, f64) {
        scratch.clear();
        scratch.extend_from_slice(deviations);
        let bar = fence + stats::median_in_place(&mut scratch).unwrap_or(0.0).max(0.0);
        let (mut all, mut within, mut far) = (0.0, 0.0, 0usize);
        for &d in deviations {
            let clipped = d.clamp(-reach, reach);
            all += clipped;
            if d > bar {
                far += 1;
            } else {
                within += clipped;
            }
        }
        if far <= MOST_SPIKES && 4 * far <= k { (within / (k - far) as f64, k - far, bar) } else { (all / k as f64, k, f64::INFINITY) }
    };
    let tail_deviations: Vec<f64> = tail.iter().map(|&x| reference.deviation(x)).collect();
    let (tail_statistic, draws, limit) = statistic(&tail_deviations);
    let deviations: Vec<f64> = reference.values.iter().map(|&x| reference.deviation(x)).collect();
    // Every k consecutive reference runs read the same way (O(n·k), only for tails with a far run).
    let windows: Vec<f64> = (k..=n).map(|end| statistic(&deviations[end - k..end]).0).collect();
    let (Some(reference_statistic), batch) = (stats::mean(&windows), stats::variance(&windows).unwrap_or(0.0)) else {
        return 1.0;
    };
    let clipped: Vec<f64> = deviations.iter().map(|d| d.clamp(-reach, reach)).collect();
    let independent = stats::variance(&clipped).unwrap_or(0.0) / k as f64;
    let d = tail_statistic - reference_statistic;
    let se = (batch.max(independent) * (1.0 + k as f64 / n as f64)).sqrt();
    if se <= 0.0 {
        return if d > 0.0 { 0.0 } else { 1.0 };
    }
    let dof = (1.5 * (n as f64 / k as f64 - 1.0)).floor().max(1.0);
    let p = stats::student_t_sf(d / se, dof);
    if p >= SKEWED_MEAN_BELOW {
        return p;
    }
    // The tail's runs within its bar are draws from the reference's runs within it (spikes left
    // out, as the statistic leaves them); where the statistic kept every run (a level of slow
    // runs, not spikes), from all of the reference's.
    let kept: Vec<f64> = deviations.iter().filter(|&&d| d <= limit).map(|d| d.clamp(-reach, reach)).collect();
    p.max(stats::empirical_mean_sf(&kept, draws, tail_statistic))
}

/// The one-sided p-value of one run `x` under the reference's noise model alone (Student's t),
/// without the reference's record of outliers: how far off the run is, not how rare such runs are.
#[must_use]
pub fn model_p_value(reference: &Reference<'_>, x: f64) -> f64 {
    reference.model_sf(reference.deviation(x))
}

/// How many reference runs deviate at least as much as `x` does.
#[must_use]
pub fn as_far_count(reference: &Reference<'_>, x: f64) -> usize {
    let d = reference.deviation(x);
    reference.values.iter().filter(|&&v| reference.deviation(v) >= d).count()
}

/// The smallest deviation (in the metric's unit) that two runs in a row must both show to fail
/// at `significance` (the share of it the two-run test gets), against a reference of `n` runs of
/// noise σ `sigma` and lag-1 autocorrelation `rho`, were the reference's runs all within it and
/// the model's chance of one run that far the only one.
#[must_use]
pub fn smallest_flaggable_deviation(n: usize, sigma: f64, rho: f64, significance: f64) -> Option<f64> {
    if n < MIN_REFERENCE_RUNS || sigma <= 0.0 {
        return None;
    }
    let rho = rho.clamp(0.0, 0.95);
    let share = f64::midpoint(1.0, (1.0 - rho) / (1.0 + rho));
    let per_run = significance.powf(1.0 / (2.0 * share));
    let t = statrs::distribution::StudentsT::new(0.0, 1.0, (n - 1) as f64).ok()?;
    // Not a probability where the runs' squares overflow (a run of 1e155 reads ρ NaN): statrs'
    // inverse asserts its argument is one, and a NaN panicked the check (an adversarial review).
    let quantile = 1.0 - per_run;
    (0.0..=1.0).contains(&quantile).then(|| sigma * statrs::distribution::ContinuousCDF::inverse_cdf(&t, quantile))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_above_both_of_its_neighbours_is_a_spike_and_a_shift_s_runs_and_a_mode_s_are_not() {
        let fence = 4.0;
        // A spike among runs near the level, and a tail's first run above the reference's last
        // where the tail follows it directly.
        assert_eq!(spikes_of(&[Some(1.0), Some(30.0), Some(2.0), Some(1.5)], Some(0.0), fence), vec![1]);
        assert_eq!(spikes_of(&[Some(30.0), Some(2.0)], Some(0.0), fence), vec![0]);
        // Not where the run before it is unknown (runs between), nor the newest (no run after).
        assert!(spikes_of(&[Some(30.0), Some(2.0)], None, fence).is_empty());
        assert!(spikes_of(&[Some(1.0), Some(30.0)], Some(0.0), fence).is_empty());
        // A shift's runs (its first beside its second) are none; a spike on a shift's first run,
        // above the shift's next run too, is one.
        assert!(spikes_of(&[Some(30.0), Some(29.0), Some(31.0)], Some(0.0), fence).is_empty());
        assert_eq!(spikes_of(&[Some(60.0), Some(29.0), Some(31.0)], Some(0.0), fence), vec![0]);
        // A slow path taken every other run is a mode: none of its runs is a spike.
        let alternating: Vec<Option<f64>> = (0..8).map(|i| Some(if i % 2 == 0 { 30.0 } else { 0.0 })).collect();
        assert!(spikes_of(&alternating, Some(0.0), fence).is_empty());
    }

    #[test]
    fn a_spike_counts_at_the_tail_s_lower_median_so_a_flapping_start_keeps_its_first_run() {
        // AR(1) at φ 0.9 (1 % innovations): a spike two runs back passes; a shift
        // whose first run was followed by a normal one (slow, normal, then slow) still fails.
        let mut rng = crate::engine::synthetic::Rng::new(3);
        let mut e = 0.0;
        let values: Vec<f64> = (0..160)
            .map(|_| {
                e = 0.9 * e + 0.01 * rng.gaussian();
                100.0 + 100.0 * e
            })
            .collect();
        let center = stats::median(&values).unwrap();
        let r = Reference { values: &values, center, sigma: 2.3, worse_sign: 1.0, rho: 0.9 };
        let last = values[159];
        let spiked = [last + 30.0, last + 1.0, last + 0.5];
        assert!(autoregressive_p_value(&r, 0, &spiked).unwrap() > 0.05, "{:?}", autoregressive_p_value(&r, 0, &spiked));
        let flapping = [center + 12.0, last, center + 12.0, center + 12.5, center + 11.5, center + 12.0];
        assert!(autoregressive_p_value(&r, 0, &flapping).unwrap() < 1e-4, "{:?}", autoregressive_p_value(&r, 0, &flapping));
    }

    #[test]
    fn the_pairs_test_beside_a_references_spikes_is_exact_for_exchangeable_runs() {
        // 162 runs drawn alike (2 % noise, 3 % of runs 20-60 % slow), the newest two judged against
        // the 160 before: the pair's test, where spikes make it apply, puts two runs of the same
        // noise at p ≤ a no more than a of the time (the permutation argument), and beside the
        // ranks (at half their weight) no more than 1.5 a, as the gate shares the significance.
        let mut rng = crate::engine::synthetic::Rng::new(41);
        let (mut applied, mut draws) = (0usize, 0usize);
        let (mut pair_at, mut both_at) = ([0usize; 2], [0usize; 2]);
        for _ in 0..20_000 {
            let values: Vec<f64> = (0..162)
                .map(|_| 20.0 * (1.0 + 0.02 * rng.gaussian()) * if rng.uniform() < 0.03 { 1.0 + rng.range(0.2, 0.6) } else { 1.0 })
                .collect();
            let reference = Reference { values: &values[..160], center: 20.0, sigma: 0.4, worse_sign: 1.0, rho: 0.0 };
            let tail = &values[160..];
            draws += 1;
            if !tight_pair_applies(&reference, 2, 2) {
                continue;
            }
            applied += 1;
            let pair = tight_pair_p_value(&reference, tail, 2, bar_of(&reference, tail, 2)).unwrap_or(1.0);
            let both = all_runs_p_value(&reference, tail);
            for (i, a) in [0.01, 0.05].into_iter().enumerate() {
                pair_at[i] += usize::from(pair <= a);
                both_at[i] += usize::from(both <= a);
            }
        }
        assert!(applied * 2 > draws, "the pair's test applied in {applied} of {draws}");
        let rate = |k: usize| k as f64 / applied as f64;
        for (i, a) in [0.01, 0.05].into_iter().enumerate() {
            assert!(rate(pair_at[i]) <= 1.1 * a, "the pair's p ≤ {a} in {:.4} of draws", rate(pair_at[i]));
            assert!(rate(both_at[i]) <= 1.1 * 1.5 * a, "p ≤ {a} in {:.4} of draws", rate(both_at[i]));
        }
        // Two runs of a new level between the bulk and the spikes: far stronger than their ranks.
        // Four spikes (30-75 % slow, none near another): the ranks alone say C(6, 2) / C(162, 2).
        let mut values: Vec<f64> = (0..160).map(|_| 20.0 * (1.0 + 0.02 * rng.gaussian())).collect();
        for (i, spike) in [1.3, 1.45, 1.6, 1.75].into_iter().enumerate() {
            values[7 + 40 * i] *= spike;
        }
        let reference = Reference { values: &values, center: 20.0, sigma: 0.4, worse_sign: 1.0, rho: 0.0 };
        assert!(has_spikes(&reference) && tight_pair_applies(&reference, 2, 2));
        let ranks = 15.0 / (161.0 * 81.0);
        let p = all_runs_p_value(&reference, &[22.4, 22.5]);
        assert!(p < ranks / 5.0, "{p} (ranks {ranks})");
        // Two runs as far apart as spikes fall keep the ranks' p-value (and their whole weight).
        let p = all_runs_p_value(&reference, &[22.4, 25.0]);
        assert!((p - ranks).abs() < 1e-12, "{p} (ranks {ranks})");
        // Not on a timer's ticks, nor where the reference's runs move together (AR(1) at φ 0.5,
        // the same spikes); the look-back's autocorrelation, which holds the tail, does not decide.
        let ticks: Vec<f64> = values.iter().map(|x| x.round()).collect();
        assert!(!tight_pair_applies(&Reference { values: &ticks, ..reference.clone() }, 2, 2));
        assert!(tight_pair_applies(&Reference { rho: 0.2, ..reference.clone() }, 2, 2));
        let mut state = 0.0;
        let moving: Vec<f64> = values
            .iter()
            .map(|x| {
                state = 0.5 * state + 0.75f64.sqrt() * rng.gaussian();
                x * (1.0 + 0.02 * state)
            })
            .collect();
        assert!(stats::noise_autocorrelation(&moving) >= EXCHANGEABLE_RHO);
        assert!(!tight_pair_applies(&Reference { values: &moving, ..reference.clone() }, 2, 2));
        // Nor where spikes come two runs at a time (the 75 % one here, twice running: such pairs
        // are what a tight pair is): the differences, clipped at 3σ, read no autocorrelation; the
        // runs' own lag-1 does.
        let mut paired = values.clone();
        paired[128] = paired[127];
        assert!(has_spikes(&Reference { values: &paired, ..reference.clone() }));
        assert!(stats::noise_autocorrelation(&paired) < EXCHANGEABLE_RHO);
        assert!(!tight_pair_applies(&Reference { values: &paired, ..reference.clone() }, 2, 2));
    }

    #[test]
    fn two_spikes_in_a_long_tail_are_not_a_shift_of_its_mean() {
        // Eight runs of the reference's level but for two 40 % spikes in a row: clipped at 4σ,
        // they still put 8σ / 8 on the mean, and the untrimmed test read it as a shift (a 6 %
        // "regression" that failed the checks whose tails held the pair). Within the fence,
        // against the reference's windows read alike, the tail is what it is: noise.
        let mut rng = crate::engine::synthetic::Rng::new(3);
        let values: Vec<f64> = (0..160).map(|_| 20.0 * (1.0 + 0.02 * rng.gaussian())).collect();
        let reference = Reference { values: &values, center: 20.0, sigma: 0.4, worse_sign: 1.0, rho: 0.0 };
        let mut tail: Vec<f64> = (0..8).map(|_| 20.0 * (1.0 + 0.02 * rng.gaussian())).collect();
        let quiet = mean_p_value(&reference, &tail);
        tail[3] = 28.0;
        tail[4] = 28.4;
        let spiked = mean_p_value(&reference, &tail);
        assert!(spiked > 0.1, "{spiked} (quiet {quiet})");
        // A sustained 2σ shift with one spike in it keeps its evidence.
        let mut shifted: Vec<f64> = tail.iter().map(|x| x + 0.8).collect();
        shifted[3] = 28.0;
        shifted[4] = 20.8;
        let p = mean_p_value(&reference, &shifted);
        assert!(p < 1e-4, "{p}");
        // One run in five now 10σ slow (a pause the change added) is a regression, not spikes:
        // over 32 runs all of them count, as before the trim (p 0.017; with its seven slow runs
        // left out, a quarter of the tail, it read 0.92).
        let paused: Vec<f64> = (0..32).map(|i| 20.0 * (1.0 + 0.02 * rng.gaussian()) + if i % 5 == 2 { 4.0 } else { 0.0 }).collect();
        let p = mean_p_value(&reference, &paused);
        assert!(p < 0.05, "{p}");
        // A 4σ step in its fifth run: three runs of the old level, five of the new, two of them
        // beyond 4σ by noise. They are the step's runs, not spikes (the tail's median is up), and
        // runs further out cannot make the step less evident than the same runs just inside the
        // fence (with the fence from the reference's centre alone they were left out: p 8.6e-6
        // against 1.3e-7).
        let stepped = [20.1, 19.8, 20.2, 21.5, 21.4, 21.9, 21.5, 21.8];
        let inside = [20.1, 19.8, 20.2, 21.5, 21.4, 21.59, 21.5, 21.59];
        let (p, p_inside) = (mean_p_value(&reference, &stepped), mean_p_value(&reference, &inside));
        assert!(p <= p_inside, "{p} against {p_inside}");
    }

    #[test]
    fn two_runs_of_a_slow_state_seen_before_rank_with_its_runs_and_a_heavy_tail_keeps_its_extrapolation() {
        // 160 runs of 0.5 % noise, 4 of them on a state 20 % slow (119.6-120.4): two new runs at
        // the top of that state's spread ranked with the one reference run above the lower of
        // them (p 2.3e-4, a failure); they are runs of a level seen 4 times, within its noise.
        let mut values: Vec<f64> = noise(160, 12).iter().map(|x| 100.0 + 0.5 * (x - 100.0)).collect();
        for (i, slow) in [120.4, 119.6, 120.1, 119.8].into_iter().enumerate() {
            values[20 + 37 * i] = slow;
        }
        let r = Reference { values: &values, center: 100.0, sigma: 0.5, worse_sign: 1.0, rho: 0.0 };
        let p = all_runs_p_value(&r, &[120.5, 120.3]);
        assert!(p > 1e-3, "{p}");
        // A level never seen (a step to +25 %) is as rare as before.
        let p = all_runs_p_value(&r, &[125.1, 124.8]);
        assert!(p < 1e-4, "{p}");
        // A heavy tail that trails off into the bulk (runs 2-8σ out, the worst three 6.7-8σ, the
        // next 2.8σ below them): two runs 8.6-9.6σ out are beyond every one of them, extrapolated as
        // before (t₃ noise, `gate_accuracy` seed 2026: counted with the three, p 1.3e-3, and a
        // 5.8σ step failed 4 runs later).
        let mut heavy: Vec<f64> = noise(160, 13).iter().map(|x| 100.0 + 0.5 * (x - 100.0)).collect();
        for (i, d) in [2.05, 2.39, 2.78, 3.57, 3.89, 6.71, 7.94, 8.0].into_iter().enumerate() {
            heavy[10 + 19 * i] = 100.0 + d;
        }
        let r = Reference { values: &heavy, center: 100.0, sigma: 1.0, worse_sign: 1.0, rho: 0.0 };
        let p = all_runs_p_value(&r, &[109.6, 108.6]);
        assert!(p < 3e-4, "{p}");
    }

    use crate::engine::synthetic::Rng;

    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        (0..n).map(|_| 100.0 + rng.gaussian()).collect()
    }

    fn reference(values: &[f64]) -> Reference<'_> {
        let center = stats::median(values).unwrap();
        let sigma = stats::mad_sigma(values, center).unwrap();
        Reference { values, center, sigma, worse_sign: 1.0, rho: stats::noise_autocorrelation(values) }
    }

    #[test]
    fn the_beta_binomial_tail_sums_to_one_and_widens_the_binomial() {
        assert!((beta_binomial_tail(5, 0, 1.5, 3.5) - 1.0).abs() < 1e-12);
        let tails: Vec<f64> = (0..=6).map(|j| beta_binomial_tail(5, j, 1.5, 3.5)).collect();
        assert!(tails.windows(2).all(|w| w[0] >= w[1]) && tails[6].abs() < 1e-15, "{tails:?}");
        // Two runs both beyond all of 80 reference runs, exchangeable: 2/(81·82), whatever the noise.
        let p = beta_binomial_tail(2, 2, 1.0, 80.0);
        assert!((p - 2.0 / (81.0 * 82.0)).abs() < 1e-15, "{p}");
        // The same share seen in a short reference is less certain than the binomial says.
        assert!(beta_binomial_tail(3, 3, 1.0, 10.0) > binomial_tail(3, 3, 1.0 / 11.0));
    }

    #[test]
    fn a_new_levels_runs_beyond_every_reference_run_are_judged_exactly_for_exchangeable_runs() {
        // 27 runs drawn alike (2 % noise, 10 % of runs 1.5-3 times slower), the newest 3-7 judged
        // as the gate picks them: the most that all lie beyond every one of the 20 runs before
        // them. Under exchangeability P(p ≤ a) ≤ a, for a the p-value of three such runs.
        let mut rng = crate::engine::synthetic::Rng::new(7);
        let (n, longest) = (20, 7);
        let at_three = (3..=longest).map(|j| all_as_far_p_value(n, 0, j)).sum::<f64>();
        assert!(at_three > 1.0 / 1771.0 && at_three < 1.25 / 1771.0, "{at_three}");
        let draws: usize = 400_000;
        let mut below = 0usize;
        for _ in 0..draws {
            let values: Vec<f64> = (0..n + longest)
                .map(|_| 20.0 * (1.0 + 0.02 * rng.gaussian()) * if rng.uniform() < 0.1 { rng.range(1.5, 3.0) } else { 1.0 })
                .collect();
            let p = (3..=longest)
                .rev()
                .find_map(|m| {
                    let reference =
                        Reference { values: &values[longest - m..n + longest - m], center: 20.0, sigma: 0.4, worse_sign: 1.0, rho: 0.0 };
                    new_level_p_value(&reference, &values[n + longest - m..], longest)
                })
                .unwrap_or(1.0);
            below += usize::from(p <= at_three);
        }
        // Below it: three runs beyond every one of 20 judge only where the reference holds a far
        // run too (a fourth slow run in 23, about one time in five).
        let rate = below as f64 / draws as f64;
        assert!(rate <= 1.2 * at_three && rate > 0.1 * at_three, "p ≤ {at_three:.2e} in {rate:.2e} of draws");
        // Four runs of a +210 % step beyond 45 runs with 5 far ones: 1 / C(49, 4) and the longer counts.
        let mut values: Vec<f64> = (0..45).map(|_| 100.0 * (1.0 + 0.03 * rng.gaussian())).collect();
        for (i, far) in [1.7, 2.0, 2.1, 2.1, 2.4].into_iter().enumerate() {
            values[5 + 9 * i] *= far;
        }
        let reference = Reference { values: &values, center: 100.0, sigma: 3.0, worse_sign: 1.0, rho: 0.0 };
        let p = new_level_p_value(&reference, &[310.8, 309.6, 310.2, 310.0], 7).unwrap();
        assert!(p < 1.15 / 211_876.0 && p > 1.0 / 211_876.0, "{p}");
        // Not where one run of them is within the reference, nor on the better side.
        assert!(new_level_p_value(&reference, &[310.8, 230.0, 310.2], 7).is_none());
        assert!(new_level_p_value(&Reference { worse_sign: -1.0, ..reference.clone() }, &[310.8, 309.6, 310.2], 7).is_none());
        // Nor where the reference's runs move together (a wandering state's newest runs are its
        // highest more often than 1 in C(n + m, m)).
        let mut state = 0.0;
        let wander: Vec<f64> = (0..45)
            .map(|_| {
                state = 0.7 * state + rng.gaussian();
                100.0 + 3.0 * state
            })
            .collect();
        let reference = Reference { values: &wander, ..reference.clone() };
        assert!(new_level_p_value(&reference, &[200.0, 201.0, 202.0], 7).is_none());
    }

    #[test]
    fn the_binomial_tail_is_exact_at_its_edges() {
        assert!((binomial_tail(2, 2, 0.1) - 0.01).abs() < 1e-12);
        assert!((binomial_tail(3, 2, 0.1) - (3.0 * 0.01 * 0.9 + 0.001)).abs() < 1e-12);
        assert!((binomial_tail(5, 0, 0.3) - 1.0).abs() < 1e-12);
        assert!(binomial_tail(2, 3, 0.5).abs() < 1e-15);
    }

    #[test]
    fn a_run_beyond_every_reference_run_is_judged_by_the_model() {
        let values = noise(60, 1);
        let r = reference(&values);
        assert!(model_p_value(&r, 150.0) < 1e-6);
        // One run beyond all 60 before it happens by chance once in 61, whatever the model says.
        assert!((tail_p_value(&r, &[150.0], true) - 1.0 / 61.0).abs() < 1e-6, "{}", tail_p_value(&r, &[150.0], true));
        // Within the reference's own range, its share of runs as bad counts.
        let third = {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            sorted[40]
        };
        assert!(tail_p_value(&r, &[third], true) >= 19.0 / 60.0);
    }

    #[test]
    fn two_runs_well_beyond_the_noise_are_evidence_and_one_of_them_is_not() {
        let values = noise(60, 2);
        let r = reference(&values);
        // Both beyond all 60 reference runs: ranks alone say 2/(61·62) ≈ 5e-4, exact for
        // exchangeable runs of any distribution; 6 σ beyond a Gaussian reference is much rarer.
        let p = tail_p_value(&r, &[106.0, 106.5], true);
        assert!(p < 1e-5, "{p}");
        assert!(tail_p_value(&r, &[100.2, 160.0], true) > 0.01);
    }

    #[test]
    fn a_history_of_slow_runs_makes_the_same_runs_less_surprising() {
        let mut values = noise(60, 3);
        for i in (0..60).step_by(4) {
            values[i] += 6.0; // a quarter of runs on a slower machine
        }
        let r = reference(&values);
        assert!(tail_p_value(&r, &[106.0, 106.5], true) > 0.01);
    }

    #[test]
    fn correlated_reference_runs_need_more_runs_to_convince() {
        let mut rng = Rng::new(4);
        let mut e = 0.0;
        let values: Vec<f64> = (0..80)
            .map(|_| {
                e = 0.8 * e + 0.6 * rng.gaussian();
                100.0 + e
            })
            .collect();
        let r = reference(&values);
        assert!(r.rho > 0.4, "{}", r.rho);
        let white = noise(80, 5);
        let w = reference(&white);
        let correlated = tail_p_value(&r, &[r.center + 3.0 * r.sigma, r.center + 3.1 * r.sigma], true);
        let independent = tail_p_value(&w, &[w.center + 3.0 * w.sigma, w.center + 3.1 * w.sigma], true);
        assert!(correlated > 10.0 * independent, "{correlated} {independent}");
    }

    #[test]
    fn runs_far_beyond_every_reference_run_are_stronger_evidence_than_runs_just_beyond() {
        let values = noise(160, 7);
        let r = reference(&values);
        let max = values.iter().copied().fold(f64::MIN, f64::max);
        let just = tail_p_value(&r, &[max + 0.01, max + 0.02], true);
        let far = tail_p_value(&r, &[110.0, 110.5], true);
        // Ranks alone cap two runs at 2/(161·162) ≈ 7.7e-5, however far they are.
        assert!(far < 1e-7 && far < just / 100.0, "far {far}, just beyond {just}");
    }

    #[test]
    fn a_reference_with_a_long_tail_needs_a_larger_shift() {
        let light = noise(160, 8);
        let mut heavy = light.clone();
        for i in (0..160).step_by(20) {
            heavy[i] += 5.0 + i as f64 / 40.0; // eight runs 5 to 9 σ out, the median and MAD unmoved
        }
        let p_light = tail_p_value(&reference(&light), &[112.0, 112.5], true);
        let p_heavy = tail_p_value(&reference(&heavy), &[112.0, 112.5], true);
        assert!(p_heavy > 10.0 * p_light, "heavy {p_heavy}, light {p_light}");
    }

    fn autoregressive(n: usize, phi: f64, seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        let mut e = 0.0;
        (0..n)
            .map(|_| {
                e = phi * e + (1.0 - phi * phi).sqrt() * rng.gaussian();
                100.0 + e
            })
            .collect()
    }

    #[test]
    fn an_autoregressive_reference_judges_the_surprise_of_each_run_not_its_distance() {
        let values = autoregressive(160, 0.75, 11);
        let r = Reference { rho: stats::noise_autocorrelation(&values), ..reference(&values) };
        assert!(r.rho > 0.4, "{}", r.rho);
        let last = values[159];
        // The series wandering on from where it was is no evidence, even 1.5 σ from the centre.
        let wander = [last + 0.3, last + 0.5];
        assert!(autoregressive_p_value(&r, 0, &wander).unwrap() > 0.05);
        // A step of 5 σ (4.5 σ of the noise's innovations on its first run) is, on its second run.
        let step = [r.center + 5.0, r.center + 5.2];
        let p = autoregressive_p_value(&r, 0, &step).unwrap();
        assert!(p < 1e-4, "{p}");
        // The same runs after a gap of unknown runs are weaker evidence than right after it.
        assert!(autoregressive_p_value(&r, 10, &step).unwrap() > p);
        // Better runs are no evidence of worse.
        assert!(autoregressive_p_value(&r, 0, &[r.center - 5.0, r.center - 5.2]).unwrap() > 0.5);
    }

    #[test]
    fn a_shift_of_a_few_sigma_in_autoregressive_noise_is_evidence_after_twelve_runs_and_wander_is_not() {
        // 160 reference runs of AR(1) noise at φ 0.75 (σ 1), then 12 more: as they come, and
        // shifted by 3 σ. The centre the gate hands over is the median of the newest 20 runs,
        // which wanders with the noise; the level is read from all 160. The bar is the gate's
        // for one of its seven tails (a thousandth, a ninth of it).
        let bar = 1e-3 / 9.0;
        let (mut found, mut false_alarms) = (0, 0);
        for seed in 0..40 {
            let values = autoregressive(172, 0.75, 100 + seed);
            let (before, after) = values.split_at(160);
            let center = stats::median(&before[140..]).unwrap();
            let r = Reference { center, rho: stats::noise_autocorrelation(before), ..reference(before) };
            let shifted: Vec<f64> = after.iter().map(|x| x + 3.0).collect();
            found += usize::from(autoregressive_p_value(&r, 0, &shifted).is_some_and(|p| p <= bar));
            false_alarms += usize::from(autoregressive_p_value(&r, 0, after).is_some_and(|p| p <= bar));
        }
        // Read from the newest 20 runs' centre instead, the level's error found 18 of 40.
        assert!(found >= 25, "a 3 σ shift found after 12 runs in {found} of 40 series");
        assert_eq!(false_alarms, 0);
    }

    /// AR(1) noise at φ (σ 1 about 100) with a second kind of run: each run, with chance `share`,
    /// `second(rng)` σ further (a slow state's runs, spikes).
    fn autoregressive_with(n: usize, phi: f64, share: f64, seed: u64, second: impl Fn(&mut Rng) -> f64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        let mut values = autoregressive(n, phi, seed + 1);
        for x in &mut values {
            if rng.uniform() < share {
                *x += second(&mut rng);
            }
        }
        values
    }

    /// How often, of 400 histories, the model finds the newest 2 and 3 runs worse at the gate's
    /// bar for one of its tails, with `shift` σ added to them.
    fn second_kind_findings(phi: f64, share: f64, shift: f64, second: impl Fn(&mut Rng) -> f64 + Copy) -> usize {
        let bar = 1e-3 / 9.0;
        (0..400u64)
            .map(|seed| {
                let values = autoregressive_with(163, phi, share, 7_000 + seed, second);
                let (before, after) = values.split_at(160);
                let model = AutoregressiveModel::fit(before, 0.0).unwrap();
                let shifted: Vec<f64> = after.iter().map(|x| x + shift).collect();
                [&shifted[1..], &shifted[..]].iter().filter(|tail| model.p_value(1.0, 0, tail).is_some_and(|p| p <= bar)).count()
            })
            .sum()
    }

    #[test]
    fn a_slow_states_runs_in_autoregressive_noise_are_judged_by_their_share_not_as_a_shift() {
        // AR(1) at φ 0.8 with 15 % of runs on a state 15 σ slower. Two slow runs of two or three
        // happen about once in 40 histories; the model judged them as a shift of 15 σ (1e-28), the
        // false alarms of `gate_mixed.py` (0.58 % of checks). Now they count by the state's share.
        let slow = |_: &mut Rng| 15.0;
        assert_eq!(second_kind_findings(0.8, 0.15, 0.0, slow), 0);
        // A shift of every run by 6 σ, between the bulk and the slow state, is still found on two
        // and three runs, by the runs of the bulk (the slow ones left out, not clipped into it).
        let found = second_kind_findings(0.8, 0.15, 6.0, slow);
        assert!(found >= 640, "a 6 σ shift found {found} times of 800");
        // And so are spikes 30-200 σ out in 8 % of runs, whatever their size.
        let spikes = |rng: &mut Rng| rng.range(30.0, 200.0);
        assert_eq!(second_kind_findings(0.8, 0.08, 0.0, spikes), 0);
        let found = second_kind_findings(0.8, 0.08, 6.0, spikes);
        assert!(found >= 640, "a 6 σ shift beside spikes found {found} times of 800");
    }

    #[test]
    fn an_earlier_short_regression_in_autoregressive_noise_is_a_level_not_a_second_kind_of_run() {
        // Runs far out that follow each other (a regression of 6 runs, reverted) are a level: the
        // model keeps clipping them, and the same regression relanded is judged as before.
        let mut values = autoregressive(160, 0.8, 21);
        for x in &mut values[100..106] {
            *x += 12.0;
        }
        let center = stats::median(&values).unwrap();
        let fence = stats::mad_sigma(&values, center).unwrap() * stats::SPIKE_SIGMAS;
        assert!(second_kind_runs(&values, center, fence, 1.0).is_empty());
        let model = AutoregressiveModel::fit(&values, 0.0).unwrap();
        // No run of a second kind on either side: their ranges are empty.
        assert!(model.second_bounds.iter().all(|(from, to)| from > to));
        let relanded = [center + 12.0, center + 12.3, center + 11.8];
        assert!(model.p_value(1.0, 0, &relanded).unwrap() < 1e-6);
        // The same six runs one by one among the others are a second kind of run.
        let mut scattered = autoregressive(160, 0.8, 21);
        for i in [10, 40, 70, 100, 130, 150] {
            scattered[i] += 12.0;
        }
        assert_eq!(second_kind_runs(&scattered, center, fence, 1.0).len(), 6);
    }

    #[test]
    fn a_reference_that_never_moves_has_no_autoregressive_model_and_the_other_tests_judge() {
        // A coarse timer whose every reference run read the same tick: no innovations to scale by.
        let values = vec![8.0; 60];
        let r = Reference { values: &values, center: 8.0, sigma: 0.0, worse_sign: 1.0, rho: 0.9 };
        assert_eq!(autoregressive_p_value(&r, 0, &[9.0, 10.0]), None);
        assert!(tail_p_value(&r, &[9.0, 10.0], true) < 1e-3);
    }

    #[test]
    fn all_runs_of_one_commit_beyond_a_few_spikes_are_evidence_where_most_of_them_are_not() {
        // 160 reference runs, three of them spikes 30 σ out; four runs of one commit 4–5 σ out.
        let mut values = noise(160, 9);
        for i in [20, 80, 150] {
            values[i] += 30.0;
        }
        let r = reference(&values);
        let runs = [104.0, 104.5, 105.0, 104.2];
        // All four beyond all but the three spikes: 4·5·6·7 / (161·162·163·164) ≈ 1.2e-6.
        let all = all_runs_p_value(&r, &runs);
        assert!(all < 2e-6, "{all}");
        // Three of four beyond them (most of them) is twenty times as likely.
        let most = ranked_p_value(&r, &runs, 3);
        assert!(most > 20.0 * all, "most {most}, all {all}");
        // The newest runs of four commits (a tail) all as far: the smaller of the two, for the
        // choice of two tests twice it; where a cycle was taken out of them (not exchangeable),
        // most of them alone.
        assert!((tail_p_value(&r, &runs, true) - 2.0 * all).abs() < 1e-15);
        assert!((tail_p_value(&r, &runs, false) - most).abs() < 1e-15);
        // One of them back in the noise: the reference's runs as bad as all four are the bulk's,
        // neighbours of each other, and most of the tail's runs judge alone.
        let one_back = [104.0, 104.5, 100.3, 104.2];
        assert!((tail_p_value(&r, &one_back, true) - ranked_p_value(&r, &one_back, 3)).abs() < 1e-15);
        // Two of the spikes neighbours (a burst): runs that bad come together, most judge alone.
        let mut burst = values.clone();
        burst[81] += 30.0;
        let r_burst = reference(&burst);
        assert!((tail_p_value(&r_burst, &runs, true) - ranked_p_value(&r_burst, &runs, 3)).abs() < 1e-15);
        // Runs that move together (AR(1) at φ 0.5, the same spikes): not exchangeable, most of
        // the runs judge alone.
        let mut wandering = autoregressive(160, 0.5, 9);
        for i in [20, 80, 150] {
            wandering[i] += 30.0;
        }
        let r_wandering = reference(&wandering);
        assert!(has_spikes(&r_wandering) && exchangeable_rho(&wandering) >= EXCHANGEABLE_RHO);
        assert!((tail_p_value(&r_wandering, &runs, true) - ranked_p_value(&r_wandering, &runs, 3)).abs() < 1e-15);
        // Without spikes, ranks of most of the runs judge, as before.
        let plain = noise(160, 9);
        let r_plain = reference(&plain);
        assert!((tail_p_value(&r_plain, &runs, true) - ranked_p_value(&r_plain, &runs, 3)).abs() < 1e-15);
        // Two runs are the same test either way.
        assert!((all_runs_p_value(&r, &runs[..2]) - tail_p_value(&r, &runs[..2], true)).abs() < 1e-15);
        // One run of the four back in the noise (a third of the reference is as far): far from
        // any significance.
        assert!(all_runs_p_value(&r, &[104.0, 104.5, 100.3, 104.2]) > 0.01);
    }

    #[test]
    fn a_timers_whole_ticks_are_found_and_continuous_readings_have_none() {
        let ticks: Vec<f64> = (0..160).map(|i| [7.0, 6.0, 7.0, 8.0, 7.0][i % 5]).collect();
        assert_eq!(tick(&ticks), Some(1.0));
        let halves: Vec<f64> = (0..80).map(|i| 2.5 + 0.5 * f64::from(i % 3)).collect();
        assert_eq!(tick(&halves), Some(0.5));
        assert_eq!(tick(&noise(160, 1)), None);
        // One value is no lattice, and ticks of 1 and a reading of 7.5 are none either.
        assert_eq!(tick(&[7.0; 40]), None);
        let mut off = ticks.clone();
        off[10] = 7.5;
        assert_eq!(tick(&off), Some(0.5));
        off[11] = 7.25;
        assert_eq!(tick(&off), Some(0.25));
        off[12] = 7.1;
        assert_eq!(tick(&off), None);
    }

    #[test]
    fn four_runs_beyond_all_but_four_of_160_are_rarer_than_one_in_400_000() {
        let p = all_as_far_p_value(160, 4, 4);
        assert!((p - 5.0 * 6.0 * 7.0 * 8.0 / (161.0 * 162.0 * 163.0 * 164.0)).abs() < 1e-15, "{p}");
        assert!((all_as_far_p_value(160, 0, 1) - 1.0 / 161.0).abs() < 1e-15);
    }

    #[test]
    fn better_runs_are_no_evidence_of_worse() {
        let values = noise(40, 6);
        assert!(tail_p_value(&reference(&values), &[90.0, 91.0, 89.0], true) > 0.5);
    }
}
