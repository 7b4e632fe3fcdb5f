//! Change-point detection: where did a series' level really shift?
//!
//! # How it works
//!
//! ```text
//!  values ──► noise σ ──► Hampel filter ──► seeded binary segmentation ──► narrowest-over-threshold
//!            (robust,    (outliers and      (CUSUM over O(n log n)          (a candidate per interval
//!             from        bursts of ≤3      intervals of every scale,       whose statistic clears
//!             diffs)      runs replaced)    from prefix sums)               λ = c·√(2 ln n))
//!                                                       │
//!                         pruned change points ◄── Welch t-test between ◄── each point re-placed
//!                         (p ≤ α, ≥ min effect)    neighbouring segments     between its neighbours
//! ```
//!
//! 1. **Noise.** σ is estimated from first differences ([`stats::noise_sigma`]), so that the
//!    shifts being looked for do not inflate it, and every test is in units of that noise.
//! 2. **Outliers.** A point further than 4σ from the median of the 7 points around it is
//!    replaced by that median (a Hampel filter). A single outlier, or a burst of up to three,
//!    cannot make a change point; a real step survives, since the median of a window across a step
//!    is on the step's own side.
//! 3. **Candidates.** Seeded binary segmentation (Kovács, Li, Bühlmann and Munk, *Seeded binary
//!    segmentation*, Biometrika 2023): deterministic intervals at every scale (lengths n, n/2,
//!    n/4, …, each layer overlapping by half), and in each the split maximising the CUSUM
//!    statistic `√(l·r/m)·|mean_left − mean_right| / σ`. Each layer costs O(n) with prefix sums,
//!    so the whole search is O(n log n), without binary segmentation's blind spot for short
//!    bumps and without PELT's quadratic worst case on long quiet histories.
//! 4. **Selection.** Narrowest-over-threshold (Baranowski, Chen and Fryzlewicz 2019): among the
//!    intervals whose best statistic exceeds λ, the narrowest one's split is taken first, then
//!    every interval containing it is dropped, and so on. Narrow intervals localise precisely.
//! 5. **Refinement and pruning.** Each change point is re-placed at the best split between its
//!    neighbours, then tested with Welch's t-test between the neighbouring segments (of the
//!    filtered values). Change points with p > α, or a relative change below the minimum effect,
//!    are removed, the weakest first, and their neighbours re-tested, until all that remain pass.
//!    Every segment is at least `min_segment` runs long. In analysis, a jump must also stand
//!    beyond the trend in the logarithms of positive values (exponential growth is a straight
//!    line there), and a lone jump where the runs around it bend beyond a bending trend over 40
//!    runs a side (a cubic too where the bend itself turns there, as at a steep S-curve's knee),
//!    so that a growth curve is a trend and not a staircase.
//!
//!    Where the noise grows with the level (read off Tukey's spread-versus-level plot:
//!    [`noise_grows_with_level`]), analysis runs steps 1 to 5 on the logarithms of the values,
//!    whose noise is then of one size, so that the steep end of a 30-fold growth is not a
//!    staircase for its noise being 30 times larger there.
//!
//! 6. **Short series.** In analysis, a series of 6 to 14 runs is instead searched for one step
//!    with levels as short as 3 runs: the best of every split by a pooled t-test, corrected for
//!    the splits tried ([`DetectorSettings::curves`]).
//! 7. **Noise.** Changes of the noise's size are searched the same way on the logarithms of the
//!    differences of consecutive runs, relative to their level where every value is positive, so
//!    that noise that grows with the level is no change of noise.
//!
//! No randomness anywhere: the same values give the same change points on every machine.

use super::stats;

/// Settings of the change-point detector.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectorSettings {
    /// The fewest runs a level must last to be a level (and not an outlier burst); where
    /// [`DetectorSettings::curves`] is on, a series under 15 runs may have levels of 3.
    pub min_segment: usize,
    /// The largest p-value a change point may have (two-sided Welch t-test between its segments).
    pub significance: f64,
    /// Scale `c` of the CUSUM threshold `c·√(2 ln n)`, in units of the noise.
    pub threshold_scale: f64,
    /// The smallest relative change of level worth reporting (0 reports any significant shift).
    pub min_relative_change: f64,
    /// Whether a cycle found in the values is taken out first (off where the caller already did).
    pub deseasonalize: bool,
    /// Whether a staircase of shifts the same way is judged against a bending trend, so that a
    /// growth curve is a trend and not a staircase (on for analysis; off for the gate, whose
    /// levels must never let a string of regressions pass as one curve). On, a series of 6 to 14
    /// runs is also searched for one step with levels as short as 3 runs (off, the gate's
    /// look-back keeps the general search).
    pub curves: bool,
    /// Whether changes of the noise's size are looked for too ([`Segmentation::variance_changes`];
    /// on for analysis, off for the gate, which judges levels only).
    pub variances: bool,
}

impl Default for DetectorSettings {
    fn default() -> Self {
        DetectorSettings {
            min_segment: 5,
            significance: 0.001,
            threshold_scale: DEFAULT_THRESHOLD_SCALE,
            min_relative_change: 0.0,
            deseasonalize: true,
            curves: true,
            variances: true,
        }
    }
}

/// The CUSUM threshold's scale, calibrated on the synthetic noise-only suite
/// (`tests/accuracy.rs`) for well under 1 % of noise-only series with any change point.
pub const DEFAULT_THRESHOLD_SCALE: f64 = 1.2;

/// Points further than this many σ from their neighbourhood's median are outliers.
const OUTLIER_SIGMAS: f64 = 4.0;
/// Runs on each side of a change point over which a jump is tested against a linear trend.
const TREND_WINDOW: usize = 200;
/// Runs on each side of one of a staircase of shifts the same way, over which its jump is tested
/// against a bending trend (short enough for a bend to describe a growth curve's stretch).
const CURVE_WINDOW: usize = 40;
/// The fewest runs on each side of a change point for the drift test (in analysis, the shorter
/// side may have fewer where the longer has twice as many: [`trend_testable`]).
const DRIFT_MIN_SIDE: usize = 15;
/// How significant the bend of the runs around a lone jump must be for the jump to be judged
/// against a bending trend ([`jump_beyond_a_curve`]).
const BEND_SIGNIFICANCE: f64 = 0.001;
/// The degree of the trend over [`CURVE_WINDOW`] runs a side where its bend itself changes (a
/// cubic: a steep S-curve's knee, whose bend turns within the window).
const CHANGING_BEND_DEGREE: usize = 3;
/// How significant the change of a bend ([`CHANGING_BEND_DEGREE`]'s term) must be for a jump to
/// be judged against it too ([`beyond_a_changing_bend`]). Looser than a claim of a change, as it
/// only chooses the trend a jump must stand beyond: 30 %.
const CHANGING_BEND_SIGNIFICANCE: f64 = 0.3;
/// The shortest level of a short series.
const SHORT_MIN_SEGMENT: usize = 3;
/// Series shorter than this are searched for one step by [`one_step_of_a_short_series`] (where
/// [`DetectorSettings::curves`] is on).
const SHORT_SERIES_RUNS: usize = 15;
/// Half-width of the outlier filter's window: bursts of up to this many runs are outliers.
const OUTLIER_HALF_WINDOW: usize = 3;

/// A shift of level, at the first run of the new level.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangePoint {
    /// Position in the values of the first run of the new level.
    pub index: usize,
    /// The level before: the median of the segment before.
    pub before: f64,
    /// The level after: the median of the segment after.
    pub after: f64,
    /// Two-sided p-value of the shift (Welch's t-test between the two segments).
    pub p_value: f64,
    /// The shift in units of the series' noise: `(after − before) / σ`; where the noise grows
    /// with the level, `ln(after / before) / σ` of the logarithms (σ relative to the level).
    pub shift_in_noise: f64,
}

impl ChangePoint {
    /// `(after − before) / |before|`, where the level before is not zero.
    #[must_use]
    pub fn relative_change(&self) -> Option<f64> {
        (self.before != 0.0).then(|| (self.after - self.before) / self.before.abs())
    }
}

/// A change of the noise's size (its variance), at the first run of the new noise.
#[derive(Clone, Debug, PartialEq)]
pub struct VarianceChange {
    /// Position in the values of the first run of the new noise.
    pub index: usize,
    /// The noise σ before (from the mean absolute difference of consecutive runs).
    pub before: f64,
    /// The noise σ after.
    pub after: f64,
    /// Two-sided p-value of the change (Welch's t-test on the absolute differences of
    /// consecutive runs: a Brown–Forsythe-type test of equal spread).
    pub p_value: f64,
}

impl VarianceChange {
    /// `after / before`: above 1 where the noise rose.
    #[must_use]
    pub fn ratio(&self) -> f64 {
        self.after / self.before
    }
}

/// A stretch of runs at one level.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// First position.
    pub start: usize,
    /// One past the last position.
    pub end: usize,
    /// The median of the segment's values.
    pub level: f64,
}

/// The detector's answer for one series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Segmentation {
    /// The change points, in order.
    pub change_points: Vec<ChangePoint>,
    /// The segments between them (one more than change points; none for no values).
    pub segments: Vec<Segment>,
    /// The noise σ (`None` for fewer than 3 values or a constant series); where the noise grows
    /// with the level (analysis searches the logarithms then), the noise at the newest level.
    pub noise: Option<f64>,
    /// Positions the outlier filter replaced.
    pub outliers: Vec<usize>,
    /// Changes of the noise's size, in order (where [`DetectorSettings::variances`] is on).
    pub variance_changes: Vec<VarianceChange>,
    /// [`stats::noise_autocorrelation`] of the values, where the search read it of them as given
    /// (`None` for a series too short to search, or one searched less its cycle, on its logarithms,
    /// or scaled by a power of two for being far from 1).
    pub differences_phi: Option<f64>,
}

impl Segmentation {
    /// Applies `f` to every quantity in the series' unit (levels, the noise, the noise before and
    /// after a change), not to positions, p-values or shifts in noise units: [`detect`] puts a
    /// search of scaled values back in their own scale so.
    fn map_quantities(&mut self, f: impl Fn(f64) -> f64) {
        for c in &mut self.change_points {
            (c.before, c.after) = (f(c.before), f(c.after));
        }
        for s in &mut self.segments {
            s.level = f(s.level);
        }
        self.noise = self.noise.map(&f);
        for v in &mut self.variance_changes {
            (v.before, v.after) = (f(v.before), f(v.after));
        }
    }

    /// The noise as a fraction of the newest level (where that level is not zero).
    #[must_use]
    pub fn relative_noise(&self) -> Option<f64> {
        let level = self.segments.last()?.level;
        let noise = self.noise?;
        (level != 0.0).then(|| noise / level.abs())
    }
}

/// Finds the change points of `values` (finite numbers in run order).
///
/// Series shorter than 6 runs, and constant series, have no change points; series shorter than
/// 15 runs (with [`DetectorSettings::curves`]) or than two minimum segments have levels of at
/// least 3 runs.
///
/// Values beyond 2^±100 (past about 1e±30) are searched scaled by a power of two
/// ([`stats::working_scale`]), exactly, and the levels and noise reported in their own scale.
#[must_use]
pub fn detect(values: &[f64], settings: &DetectorSettings) -> Segmentation {
    let Some(scale) = stats::working_scale(values.iter().copied()) else { return detect_near_one(values, settings) };
    let scaled: Vec<f64> = values.iter().map(|v| v * scale).collect();
    let mut segmentation = detect_near_one(&scaled, settings);
    segmentation.map_quantities(|x| x / scale);
    // Read of the scaled values, not of these: where these underflow or overflow (differences of
    // runs near 1e-300 square to 0), their own estimate differs, and the gate's noise model reads
    // theirs (an adversarial review: a verdict changed).
    segmentation.differences_phi = None;
    segmentation
}

/// [`detect`] of values within 2^±[`stats::WORKING_RANGE`].
fn detect_near_one(values: &[f64], settings: &DetectorSettings) -> Segmentation {
    // A cycle (a daily one in runtime metrics) is not a string of level shifts: it is taken out
    // before the search, and the levels are those of the values less their cycle.
    let adjusted = if settings.deseasonalize { stats::deseasonalize(values) } else { None };
    let values = adjusted.as_ref().map_or(values, |(adjusted, _)| &adjusted[..]);
    let n = values.len();
    // A short series' one step, with levels as short as 3 runs and its error controlled (in
    // analysis; the gate's look-back keeps the general search).
    if settings.curves && (2 * SHORT_MIN_SEGMENT..SHORT_SERIES_RUNS).contains(&n) {
        return one_step_of_a_short_series(values, settings);
    }
    // Where the noise grows with the level (timings' noise is a share of their level, and a
    // series that grows 30-fold has 30 times the noise at its end), the search runs on the
    // logarithms, whose noise is of one size throughout (in analysis; the gate's look-back is too
    // short to span such a ratio).
    // (Values all negative are their magnitudes, as in the trend tests.)
    let sign = values.first().map_or(1.0, |v| v.signum());
    let logs: Option<Vec<f64>> =
        (settings.curves && noise_grows_with_level(values)).then(|| values.iter().map(|v| (v * sign).ln()).collect());
    let scale = if logs.is_some() { Scale::Logs } else { Scale::Values };
    let original = values;
    let values = logs.as_deref().unwrap_or(values);
    // Without the short search above (the gate), a short series (6 to 2 × min_segment runs) may
    // still hold one clear step: its levels may be as short as 3 runs, and the t-test decides.
    let min_segment =
        if n < 2 * settings.min_segment { settings.min_segment.min(n / 2).max(SHORT_MIN_SEGMENT) } else { settings.min_segment.max(2) };
    // The noise's autocorrelation does not depend on its size or the outliers: a long series has
    // it found on a thread of its own meanwhile.
    let long = n >= PARALLEL_POINTS;
    let (noise_and_cleaned, early_phi) = join(
        long,
        || noise_of_search(values).map(|sigma| (sigma, hampel(values, sigma))),
        || long.then(|| autocorrelation_of_search(values)),
    );
    let mut result = Segmentation { noise: noise_and_cleaned.as_ref().map(|(sigma, _)| *sigma), ..Segmentation::default() };
    let Some((sigma, (cleaned, outliers))) = noise_and_cleaned else {
        result.segments = segments_of(original, &[]);
        return result;
    };
    result.outliers = outliers;
    if n < 2 * min_segment {
        result.segments = segments_of(original, &[]);
        result.noise = scale.noise_in_units(sigma, &result.segments);
        return result;
    }
    // Autocorrelated noise (runs that drift together) makes means of neighbouring runs vary more
    // than independent runs would: every test widens by the long-run variance. σ from
    // differences is σ·√(1 − φ) of the marginal σ; the long-run σ of a mean is σ·√((1 + φ)/(1 − φ)).
    let (phi, differences_phi) = early_phi.unwrap_or_else(|| autocorrelation_of_search(values));
    // The differences' estimate of the values as given (not less a cycle, nor their logarithms),
    // for the gate's noise model, which reads it of the same values.
    result.differences_phi = (adjusted.is_none() && logs.is_none()).then_some(differences_phi);
    let variance_factor = stats::long_run_variance_factor(phi);
    let long_run_sigma = sigma / (1.0 - phi).sqrt() * variance_factor.sqrt();
    let mut sums = PrefixSums::new(cleaned);
    sums.variance_factor = variance_factor;
    let threshold = settings.threshold_scale * (2.0 * (n as f64).ln()).sqrt();
    let mut points = narrowest_over_threshold(&sums, long_run_sigma, threshold, min_segment);
    refine(&sums, &mut points, min_segment);
    prune(&sums, &mut points, settings, scale, min_segment);
    let bounds = |i: usize| (if i == 0 { 0 } else { points[i - 1] }, points[i], points.get(i + 1).copied().unwrap_or(n));
    let p_values: Vec<f64> = (0..points.len()).map(bounds).map(|(start, at, end)| sums.welch(start, at, end)).collect();
    // The level search's sums are done with: freed before the levels' medians (each a copy of its
    // level) and the noise search (two thirds of the memory of a long series), which needs only
    // the cleaned values.
    let cleaned = sums.into_values();
    // A change point's levels before and after are the medians of the segments either side of it
    // (segment i ends at point i), each found once.
    result.segments = segments_of(original, &points);
    result.noise = scale.noise_in_units(sigma, &result.segments);
    result.change_points = p_values
        .iter()
        .enumerate()
        .map(|(i, &p_value)| {
            let (before, after) = if settings.curves {
                // In analysis, the levels either side of the jump itself (a level that drifts
                // away from it is reported where it meets the jump, not at its median).
                let noise = |segment: &Segment| match scale {
                    Scale::Values => sigma,
                    Scale::Logs => sigma * segment.level.abs(),
                } * variance_factor.sqrt();
                let (left, right) = (&result.segments[i], &result.segments[i + 1]);
                (level_beside_jump(original, left, Side::End, noise(left)), level_beside_jump(original, right, Side::Start, noise(right)))
            } else {
                (result.segments[i].level, result.segments[i + 1].level)
            };
            let shift = match scale {
                Scale::Values => after - before,
                Scale::Logs => sign * (after / before).ln(),
            };
            ChangePoint { index: points[i], before, after, p_value, shift_in_noise: shift / sigma }
        })
        .collect();
    if settings.variances {
        // The noise search reads the values themselves (relative to their level where all are
        // positive): the logarithms' outlier filter put back into the metric's units.
        result.variance_changes = match scale {
            Scale::Values => variance_changes(&cleaned, &points, sigma, min_segment, settings),
            Scale::Logs => {
                let cleaned: Vec<f64> = cleaned.into_iter().map(f64::exp).collect();
                // σ of the logarithms is the noise relative to the level: at the mean level, in units.
                let mean = cleaned.iter().sum::<f64>() / n as f64;
                variance_changes(&cleaned, &points, sigma * mean, min_segment, settings)
            }
        };
    }
    result
}

/// The runs of a block of [`autocorrelation_in_blocks`].
const PHI_BLOCK_RUNS: usize = 20;

/// The noise's lag-1 autocorrelation the search widens its tests by: the estimate from the
/// differences ([`stats::noise_autocorrelation`]), but no more than the one within blocks of
/// [`PHI_BLOCK_RUNS`] runs ([`autocorrelation_in_blocks`]). The differences' estimate scatters by
/// about 2/√n (φ = 1 + 2·their lag-1 correlation), and heavy-tailed innovations push it up (a
/// jump's difference is clipped, the same-signed differences of its decay are not): in 120 runs
/// of AR(1) noise at φ 0.85 it read 0.49-0.95 (10th-90th percentiles; the blocks 0.73-0.92), and
/// where it read 0.95 (a long-run σ √39 times the runs' own) no step was a change point: an
/// adversarial review's +18 % step (8σ) was one level with the runs before it 57 runs later, and
/// the gate absorbed it. The blocks' estimate moves with a step by one block's share. With the
/// differences' estimate itself.
fn autocorrelation_of_search(values: &[f64]) -> (f64, f64) {
    let differences = stats::noise_autocorrelation(values);
    (differences.min(autocorrelation_in_blocks(values).unwrap_or(1.0)), differences)
}

/// The lag-1 autocorrelation within consecutive blocks of [`PHI_BLOCK_RUNS`] runs, each less its own
/// median: the median of the blocks' own estimates ([`stats::autocorrelation_median_of_blocks`]),
/// so a step moves one block's of many. Pooled over the blocks (before stop 56), the block that held
/// a step of 9 σ outweighed the five others, and a +20 % step at run 30 of 124 in AR(1) noise at φ
/// 0.7 read φ 0.95 from both estimates: one level, which the gate passed for 50 runs while its
/// look-back held the step (`gate_first_runs.py`, AR, seed 2). `None` under two blocks.
fn autocorrelation_in_blocks(values: &[f64]) -> Option<f64> {
    let n = values.len();
    let blocks = n / PHI_BLOCK_RUNS;
    if blocks < 2 {
        return None;
    }
    Some(stats::autocorrelation_median_of_blocks((0..blocks).map(|b| &values[b * n / blocks..(b + 1) * n / blocks])).unwrap_or(0.0))
}

/// The noise σ the search runs on: [`stats::noise_sigma`], or for a series of fewer than
/// [`SPIKE_TRIM_RUNS`] runs, whose 2.5 % trim of the differences takes none out, with the
/// differences beyond the spike fence trimmed too ([`stats::noise_sigma_between_spikes`]). One
/// run 60 % slow among 25 of 1 % noise made the differences' σ 14 %: a +12 % step at run 15 was
/// no change point, and the gate's look-back was one level holding the step (a new benchmark's
/// regression, passed as "within its noise" for as long as it lasted). For normal noise a
/// difference beyond the fence is 1 in 16,000.
fn noise_of_search(values: &[f64]) -> Option<f64> {
    if values.len() < SPIKE_TRIM_RUNS { stats::noise_sigma_between_spikes(values) } else { stats::noise_sigma(values) }
}

/// The fewest runs whose differences' 2.5 % trim takes out one at each end (40 differences).
const SPIKE_TRIM_RUNS: usize = 41;

/// Which end of a level meets a change point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Start,
    End,
}

/// The runs of a level nearest a change point whose median is its level there, where the level
/// drifts.
const LEVEL_BESIDE_JUMP_RUNS: usize = 10;

/// A level's value beside a change point at its `side`: its median, or where the median of its
/// [`LEVEL_BESIDE_JUMP_RUNS`] runs nearest the change point lies more than 3 standard errors
/// (of a median of that many runs, with `noise` the long-run σ) from it, that median. A level
/// that rises or falls after a jump (a benchmark that slows down again over the following weeks,
/// a curve) was reported at its median: TigerBeetle's benchmark (Apache Otava's test data) fell
/// from 28,450 to 27,200 at run 95 and climbed back over the next hundred runs, and analysis
/// reported "28,419 → 28,237 (−0.6 %, −0.6 σ)" for a jump of 4 σ.
fn level_beside_jump(values: &[f64], segment: &Segment, side: Side, noise: f64) -> f64 {
    let runs = segment.end.min(values.len()).saturating_sub(segment.start);
    if runs <= LEVEL_BESIDE_JUMP_RUNS || !noise.is_finite() {
        return segment.level;
    }
    let near = match side {
        Side::Start => &values[segment.start..segment.start + LEVEL_BESIDE_JUMP_RUNS],
        Side::End => &values[segment.start + runs - LEVEL_BESIDE_JUMP_RUNS..segment.start + runs],
    };
    let Some(local) = stats::median(near) else { return segment.level };
    let error = std::f64::consts::FRAC_PI_2.sqrt() * noise / (LEVEL_BESIDE_JUMP_RUNS as f64).sqrt();
    if (local - segment.level).abs() > 3.0 * error { local } else { segment.level }
}

/// What the level search ran on: the values, or their logarithms where the noise grows with the
/// level ([`noise_grows_with_level`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scale {
    Values,
    Logs,
}

impl Scale {
    /// The noise σ in the metric's units from the search's σ: for logarithms, the noise at the
    /// newest level (σ of a logarithm is the noise relative to the level).
    fn noise_in_units(self, sigma: f64, segments: &[Segment]) -> Option<f64> {
        match self {
            Scale::Values => Some(sigma),
            Scale::Logs => segments.last().map(|newest| sigma * newest.level.abs()),
        }
    }
}

/// The fewest runs a block of [`noise_grows_with_level`] has.
const SPREAD_BLOCK_RUNS: usize = 10;
/// The most blocks [`noise_grows_with_level`] reads (more would not be steadier, only slower).
const SPREAD_BLOCKS: usize = 32;
/// The smallest ratio between the highest and lowest block level for [`noise_grows_with_level`]
/// to tell how the noise scales: over a narrower range, values and logarithms differ by little
/// more than a constant factor, and the values are searched as they are.
const SPREAD_LEVEL_RATIO: f64 = 2.0;

/// Whether the noise of positive `values` (of negative ones, their magnitudes) grows in proportion
/// to their level, read off Tukey's spread-versus-level plot (Hoaglin, Mosteller and Tukey,
/// *Understanding Robust and Exploratory Data Analysis*, 1983): the series is cut into blocks of
/// consecutive runs, and the slope
/// `b` of the logarithm of each block's spread (the mean absolute difference of its consecutive
/// runs, which a trend does not inflate) on the logarithm of its level (the mean) says which
/// power `1 − b` makes the spread even: 0 is the logarithm, 1 the values as they are. The
/// logarithm is taken where `b` is nearer 1 than 0 and the levels span a ratio of
/// [`SPREAD_LEVEL_RATIO`] or more. Noise of one size (`b` near 0) keeps the values, so a curve
/// with additive noise is searched as before. O(n), no sort.
#[must_use]
pub fn noise_grows_with_level(values: &[f64]) -> bool {
    let n = values.len();
    let blocks = (n / SPREAD_BLOCK_RUNS).min(SPREAD_BLOCKS);
    let sign = values.first().map_or(1.0, |v| v.signum());
    if blocks < 4 || !values.iter().all(|&v| v * sign > 0.0 && v.is_finite()) {
        return false;
    }
    let mut points = Vec::with_capacity(blocks);
    for b in 0..blocks {
        let block = &values[b * n / blocks..(b + 1) * n / blocks];
        let level = sign * block.iter().sum::<f64>() / block.len() as f64;
        let spread = block.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (block.len() - 1) as f64;
        if spread > 0.0 {
            points.push((level.ln(), spread.ln()));
        }
    }
    let (lowest, highest) = points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    if points.len() < 4 || highest - lowest < SPREAD_LEVEL_RATIO.ln() {
        return false;
    }
    let count = points.len() as f64;
    let (mean_x, mean_y) = points.iter().fold((0.0, 0.0), |(x, y), p| (x + p.0 / count, y + p.1 / count));
    let (sxy, sxx) = points.iter().fold((0.0, 0.0), |(sxy, sxx), p| (sxy + (p.0 - mean_x) * (p.1 - mean_y), sxx + (p.0 - mean_x).powi(2)));
    sxy / sxx > 0.5
}

/// One step in a series of 6 to 14 runs (a handful of benchmark runs, as peers' fixtures are):
/// every split with at least 3 runs on each side is tried, the one with the largest pooled
/// two-sample t statistic is taken, and it stands where its p-value, Bonferroni-corrected for the
/// number of splits tried, is at most α, and where a step fits the values better than a straight
/// line does (a steady climb over a few runs is not a step).
///
/// Why not the general search: its levels are at least 5 runs long and its outlier filter's
/// window spans the whole series, so a step with 3 or 4 runs on one side could not be found at
/// all; and Welch's test between levels of 3 runs has at most 4 degrees of freedom, where the
/// pooled test, whose two levels share one noise, has n − 2. The values are not filtered for
/// outliers: in so few runs a filter's window spans the step, and an outlier widens the pooled
/// noise rather than making a step. The pooled test is exact for
/// Gaussian noise; the correction keeps the chance of any false step in a noise-only series at
/// most α, and is nearly exact here (simulated on 2 million Gaussian series a length, the
/// largest t's upper 0.001 quantile is that of 5.2–7.9 independent splits where 5–9 are tried),
/// so a finer correction would buy nothing. False alarms are measured in `tests/accuracy.rs`.
fn one_step_of_a_short_series(values: &[f64], settings: &DetectorSettings) -> Segmentation {
    let n = values.len();
    let noise = stats::noise_sigma(values);
    let level_only = Segmentation { noise, segments: segments_of(values, &[]), ..Segmentation::default() };
    let Some(sigma) = noise else { return level_only };
    let sums = PrefixSums::new(values.to_vec());
    let squares_about_mean = |start: usize, end: usize| sums.variance(start, end) * (end - start - 1) as f64;
    let dof = (n - 2) as f64;
    let splits = n + 1 - 2 * SHORT_MIN_SEGMENT;
    let best = (SHORT_MIN_SEGMENT..=n - SHORT_MIN_SEGMENT)
        .map(|at| {
            let pooled = (squares_about_mean(0, at) + squares_about_mean(at, n)) / dof;
            let jump = sums.mean(at, n) - sums.mean(0, at);
            let scale = (pooled * (1.0 / at as f64 + 1.0 / (n - at) as f64)).sqrt();
            let t = if scale > 0.0 {
                jump.abs() / scale
            } else if jump == 0.0 {
                0.0
            } else {
                f64::INFINITY
            };
            (at, t, pooled * dof)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    let Some((at, t, step_rss)) = best else { return level_only };
    let p_value = (2.0 * stats::student_t_sf(t, dof) * splits as f64).min(1.0);
    // The straight line's residual sum of squares (least squares over the run index).
    let x_mean = (n as f64 - 1.0) / 2.0;
    let y_mean = sums.mean(0, n);
    let (sxy, sxx) = values.iter().enumerate().fold((0.0, 0.0), |(sxy, sxx), (i, &y)| {
        let x = i as f64 - x_mean;
        (sxy + x * (y - y_mean), sxx + x * x)
    });
    let line_rss = squares_about_mean(0, n) - sxy * sxy / sxx;
    let before = stats::median(&values[..at]).unwrap_or(0.0);
    let after = stats::median(&values[at..]).unwrap_or(0.0);
    let relative = if before == 0.0 { f64::INFINITY } else { ((after - before) / before).abs() };
    if p_value > settings.significance || step_rss >= line_rss || relative < settings.min_relative_change {
        return level_only;
    }
    Segmentation {
        change_points: vec![ChangePoint { index: at, before, after, p_value, shift_in_noise: (after - before) / sigma }],
        segments: segments_of(values, &[at]),
        noise,
        ..Segmentation::default()
    }
}

/// The most points the noise search looks at: longer series are searched in blocks of runs.
const VARIANCE_SEARCH_POINTS: usize = 100_000;
/// The fewest runs a noise level must last: a spread needs more runs than a level to be measured.
const VARIANCE_MIN_SEGMENT: usize = 10;
/// The CUSUM threshold of the noise search, relative to the level search's.
const VARIANCE_THRESHOLD_FACTOR: f64 = 1.25;
/// The smallest change of the noise's σ worth reporting: by this factor up or down.
const MIN_VARIANCE_RATIO: f64 = 1.5;
/// `E|x − y| = σ · 2/√π` for two independent normal values: the factor from a mean absolute
/// difference of consecutive runs to σ.
const ABS_DIFF_TO_SIGMA: f64 = 0.886_226_925_452_758; // √π / 2

/// Changes of the noise's size: the same search as for levels (seeded intervals,
/// narrowest-over-threshold, refinement, pruning by Welch's test against α), run on the logarithms of the absolute differences of consecutive runs.
/// A change of scale is a shift of their mean, with the same spread on both sides (a log-scale
/// test of equal spread, akin to Brown–Forsythe's on absolute deviations). Differences do not see
/// the level, so neither shifts nor drifts make a change of noise; the difference across each
/// level change point is left out (replaced by its neighbour's).
fn variance_changes(cleaned: &[f64], levels: &[usize], sigma: f64, min_segment: usize, settings: &DetectorSettings) -> Vec<VarianceChange> {
    let n = cleaned.len();
    let min_segment = min_segment.max(VARIANCE_MIN_SEGMENT);
    if n < 2 * min_segment + 1 {
        return Vec::new();
    }
    // absolute[i] = |x[i+1] − x[i]|: run i + 1's difference from the one before. Timings' noise
    // is a share of their level, so noise that grows with a trend or a step is no change of
    // noise: where every value is positive, the search runs on the differences relative to the
    // two runs' level (`spread`), and reports the noise's size in the metric's units.
    //
    // Of a long series only `spread` is kept whole: the absolute differences are made again where
    // a change is found, and the logarithms go straight into their blocks' means (each of the
    // three took a copy of the series, as much as the rest of the search together).
    let absolute = || {
        let mut absolute: Vec<f64> = cleaned.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        skip_level_changes(&mut absolute, levels);
        absolute
    };
    let relative = cleaned.iter().all(|&v| v > 0.0);
    let mut spread: Vec<f64> = if relative {
        cleaned.windows(2).map(|w| 2.0 * (w[1] - w[0]).abs() / (w[0] + w[1])).collect()
    } else {
        cleaned.windows(2).map(|w| (w[1] - w[0]).abs()).collect()
    };
    skip_level_changes(&mut spread, levels);
    // A floor of a twentieth of the noise keeps equal runs (coarse timers) from a log of zero.
    let floor = 0.05 * if relative { sigma * n as f64 / cleaned.iter().sum::<f64>() } else { sigma };
    let log = |d: &f64| (d + floor).ln();
    // A long series is searched in blocks of consecutive log-spreads (their means), so the search
    // costs the same from 100,000 runs up; a change is then placed to within a block.
    let block = (spread.len() / VARIANCE_SEARCH_POINTS).max(1);
    let logs: Vec<f64> = if block > 1 {
        spread.chunks(block).map(|c| c.iter().map(log).sum::<f64>() / c.len() as f64).collect()
    } else {
        spread.iter().map(log).collect()
    };
    let min_segment = if block > 1 { min_segment.div_ceil(block).max(2) } else { min_segment };
    let differences = spread.len();
    let to_spread = |at: usize| (at * block).min(differences);
    // Their σ from consecutive differences (so that the change itself does not inflate it), in
    // O(n) without a sort: the log's tail is bounded by the floor, so no trim is needed.
    let mean_diff = (logs[logs.len() - 1] - logs[0]) / (logs.len() - 1) as f64;
    let diff_variance = logs.windows(2).map(|w| (w[1] - w[0] - mean_diff).powi(2)).sum::<f64>() / (logs.len() - 2) as f64;
    let log_sigma = (diff_variance / 2.0).sqrt();
    if log_sigma.is_nan() || log_sigma <= 0.0 {
        return Vec::new();
    }
    // Consecutive differences share a run (and autocorrelated noise adds more): every test
    // widens by the long-run variance, as for levels.
    let phi = stats::noise_autocorrelation(&logs);
    let variance_factor = stats::long_run_variance_factor(phi);
    let long_run_sigma = log_sigma / (1.0 - phi).sqrt() * variance_factor.sqrt();
    let m = logs.len();
    let mut sums = PrefixSums::new(logs);
    sums.variance_factor = variance_factor;
    // The log of an absolute difference has a long left tail: the candidates' threshold is
    // raised to keep noise alone as quiet as the level search keeps it.
    let threshold = VARIANCE_THRESHOLD_FACTOR * settings.threshold_scale * (2.0 * (m as f64).ln()).sqrt();
    let mut points = narrowest_over_threshold(&sums, long_run_sigma, threshold, min_segment);
    refine(&sums, &mut points, min_segment);
    let mean_of = |spread: &[f64], from: usize, to: usize| {
        let (from, to) = (to_spread(from), to_spread(to));
        spread[from..to].iter().sum::<f64>() / (to - from) as f64 * ABS_DIFF_TO_SIGMA
    };
    let mean_spread = |from: usize, to: usize| mean_of(&spread, from, to);
    // The weakest change failing Welch's test goes first, then its neighbours are re-tested. (A
    // jump of the log-spread is not tested against a trend: a drift of the noise is rare, and the
    // trend test costs a step of one noise unit most of its power.)
    loop {
        let p = |i: usize| {
            let (start, at, end) = (if i == 0 { 0 } else { points[i - 1] }, points[i], points.get(i + 1).copied().unwrap_or(m));
            let ratio = mean_spread(at, end) / mean_spread(start, at);
            // Below the minimum effect: removed before any failing test.
            if (1.0 / MIN_VARIANCE_RATIO..MIN_VARIANCE_RATIO).contains(&ratio) || !ratio.is_finite() {
                2.0
            } else {
                sums.welch(start, at, end)
            }
        };
        let Some((weakest, p)) = (0..points.len()).map(|i| (i, p(i))).max_by(|a, b| a.1.total_cmp(&b.1)) else { break };
        if p <= settings.significance {
            break;
        }
        points.remove(weakest);
    }
    if points.is_empty() {
        return Vec::new();
    }
    drop(spread);
    let absolute = absolute();
    points
        .iter()
        .enumerate()
        .filter_map(|(i, &at)| {
            let start = if i == 0 { 0 } else { points[i - 1] };
            let end = points.get(i + 1).copied().unwrap_or(m);
            let (before, after) = (mean_of(&absolute, start, at), mean_of(&absolute, at, end));
            // spread[at] is the difference into run at + 1: the first run wholly of the new noise.
            (before > 0.0 && after > 0.0).then(|| VarianceChange {
                index: to_spread(at) + 1,
                before,
                after,
                p_value: sums.welch(start, at, end),
            })
        })
        .collect()
}

/// Gives the difference across each level change point (into run `at`) its neighbour's value:
/// a step of the level is no change of the noise.
fn skip_level_changes(differences: &mut [f64], levels: &[usize]) {
    for &at in levels {
        let i = at - 1;
        differences[i] = if i + 1 < differences.len() { differences[i + 1] } else { differences[i.saturating_sub(1)] };
    }
}

fn segments_of(values: &[f64], points: &[usize]) -> Vec<Segment> {
    if values.is_empty() {
        return Vec::new();
    }
    let mut bounds = Vec::with_capacity(points.len() + 2);
    bounds.push(0);
    bounds.extend_from_slice(points);
    bounds.push(values.len());
    bounds.windows(2).map(|w| Segment { start: w[0], end: w[1], level: stats::median(&values[w[0]..w[1]]).unwrap_or(0.0) }).collect()
}

/// Replaces outliers by the median of their neighbourhood; returns the filtered values and the
/// positions replaced.
fn hampel(values: &[f64], sigma: f64) -> (Vec<f64>, Vec<usize>) {
    let n = values.len();
    let mut cleaned = values.to_vec();
    let mut replaced = Vec::new();
    let mut window = [0.0; 2 * OUTLIER_HALF_WINDOW + 1];
    for i in 0..n {
        let start = i.saturating_sub(OUTLIER_HALF_WINDOW);
        let end = (i + OUTLIER_HALF_WINDOW + 1).min(n);
        // The median lies between the window's least and greatest values: where the point is
        // within 4σ of both, it is within 4σ of the median, and the median need not be found.
        let around = &values[start..end];
        let bounds = |(lo, hi): (f64, f64), &v: &f64| (lo.min(v), hi.max(v));
        // A whole window (all but the ends of the series) has a known length, which the
        // compiler unrolls: the same comparisons in the same order, a fraction of the loop's cost.
        let (low, high) = match <&[f64; 2 * OUTLIER_HALF_WINDOW + 1]>::try_from(around) {
            Ok(whole) => whole.iter().fold((values[i], values[i]), bounds),
            Err(_) => around.iter().fold((values[i], values[i]), bounds),
        };
        if values[i] - low <= OUTLIER_SIGMAS * sigma && high - values[i] <= OUTLIER_SIGMAS * sigma {
            continue;
        }
        let w = &mut window[..end - start];
        w.copy_from_slice(around);
        let Some(local_median) = stats::median_in_place(w) else { continue };
        if (values[i] - local_median).abs() > OUTLIER_SIGMAS * sigma {
            cleaned[i] = local_median;
            replaced.push(i);
        }
    }
    (cleaned, replaced)
}

/// Prefix sums of values and squares, centred on the first value for numerical stability.
struct PrefixSums {
    values: Vec<f64>,
    offset: f64,
    sum: Vec<f64>,
    squares: Vec<f64>,
    /// The long-run variance factor of autocorrelated noise, applied to every test's variance.
    variance_factor: f64,
}

impl PrefixSums {
    fn new(values: Vec<f64>) -> PrefixSums {
        let offset = values.first().copied().unwrap_or(0.0);
        let mut sum = Vec::with_capacity(values.len() + 1);
        let mut squares = Vec::with_capacity(values.len() + 1);
        let (mut s, mut q) = (0.0, 0.0);
        sum.push(0.0);
        squares.push(0.0);
        for v in &values {
            let d = v - offset;
            s += d;
            q += d * d;
            sum.push(s);
            squares.push(q);
        }
        PrefixSums { values, offset, sum, squares, variance_factor: 1.0 }
    }

    /// The values summed, the sums freed.
    fn into_values(self) -> Vec<f64> {
        self.values
    }

    fn len(&self) -> usize {
        self.sum.len() - 1
    }

    fn total(&self, start: usize, end: usize) -> f64 {
        self.sum[end] - self.sum[start]
    }

    fn mean(&self, start: usize, end: usize) -> f64 {
        self.total(start, end) / (end - start) as f64
    }

    fn variance(&self, start: usize, end: usize) -> f64 {
        let m = (end - start) as f64;
        let mean = self.mean(start, end);
        ((self.squares[end] - self.squares[start] - m * mean * mean) / (m - 1.0)).max(0.0)
    }

    /// The split of `[start, end)` with the largest CUSUM, each side at least `min_segment` long:
    /// `(position, squared statistic without σ)`; the first such split where several tie.
    fn best_split(&self, start: usize, end: usize, min_segment: usize) -> Option<(usize, f64)> {
        let (first, last) = (start + min_segment, end.checked_sub(min_segment)?);
        if first > last {
            return None;
        }
        let m = (end - start) as f64;
        let total = self.total(start, end);
        let base = self.sum[start];
        // l·r/m · (left/l − right/r)² simplifies to (left − l·total/m)² · m / (l·r).
        let cusum = |k: usize| {
            let l = (k - start) as f64;
            let d = (self.sum[k] - base) - l * total / m;
            d * d * m / (l * (m - l))
        };
        let mut best = (first, cusum(first));
        for k in first + 1..=last {
            let c = cusum(k);
            if c > best.1 {
                best = (k, c);
            }
        }
        Some(best)
    }

    /// Whether some split of `[start, end)` (each side at least `min_segment` long) may have a
    /// squared CUSUM statistic above `threshold`: `false` only where [`PrefixSums::best_split`]'s
    /// answer is certainly at most `threshold`, so that the exact search is skipped where it could
    /// not make a candidate. Without a division per split (`d²·m > t·l·r`, with `l·total/m` from
    /// one reciprocal), and with a margin of 1 % that covers the rounding of that shortcut many
    /// times over; where the interval's sum is so large against the threshold that rounding could
    /// matter (noise below 10⁻⁹ of the level), it answers `true` and the exact search decides.
    fn may_exceed(&self, start: usize, end: usize, min_segment: usize, threshold: f64) -> bool {
        let m = (end - start) as f64;
        let total = self.total(start, end);
        if threshold.is_nan() || threshold <= 0.0 || total.abs() * 1e-9 > threshold.sqrt() {
            return true;
        }
        let mean = total / m;
        let bound = 0.99 * threshold / m;
        let base = self.sum[start];
        let sums = &self.sum[start + min_segment..=end - min_segment];
        let mut l = min_segment as f64;
        let mut exceeds = false;
        for chunk in sums.chunks(64) {
            for &s in chunk {
                let d = (s - base) - l * mean;
                exceeds |= d * d > bound * l * (m - l);
                l += 1.0;
            }
            if exceeds {
                return true;
            }
        }
        false
    }

    /// The values as the trend tests see them.
    fn trend_values(&self) -> TrendValues<'_> {
        TrendValues { values: &self.values, offset: self.offset, variance_factor: self.variance_factor }
    }

    /// Welch's two-sided p-value between `[start, at)` and `[at, end)`.
    fn welch(&self, start: usize, at: usize, end: usize) -> f64 {
        if at - start < 2 || end - at < 2 {
            return 1.0;
        }
        stats::welch_from_moments(
            (self.mean(start, at), self.variance(start, at) * self.variance_factor, at - start),
            (self.mean(at, end), self.variance(at, end) * self.variance_factor, end - at),
        )
    }
}

/// Values a jump is tested against a local trend in ([`TrendValues::jump_beyond_trend`]): the
/// search's own, or in analysis their logarithms.
struct TrendValues<'a> {
    values: &'a [f64],
    /// Subtracted from every value (for numerical stability).
    offset: f64,
    /// The long-run variance factor of autocorrelated noise, applied to every test's variance.
    variance_factor: f64,
}

impl TrendValues<'_> {
    /// The two-sided p-value of a jump at `at` beyond a local trend: ordinary least squares of
    /// `y = a + b·x + c·[i ≥ at]` (x = (i − at) / w) over at most `window` runs on each side,
    /// testing `c = 0`; with a degree above 1, a bend `d·x²` (and higher powers) joins the trend. A slow drift fits the trend
    /// and leaves no jump. A growth curve bends, and its bend is the symmetric x² term, which a
    /// step (odd about `at`) does not resemble, so a curve is a trend and not a staircase; a
    /// step leaves a jump either way.
    fn jump_beyond_trend(&self, start: usize, at: usize, end: usize, trend: &LocalTrend<'_>) -> f64 {
        self.trend_around(start, at, end, trend).jump
    }

    /// The fit of [`TrendValues::jump_beyond_trend`]: the two-sided p-values of its jump and,
    /// where asked and of degree 2 or more, of its highest power (its bend, or the bend's change).
    fn trend_around(&self, start: usize, at: usize, end: usize, trend: &LocalTrend<'_>) -> TrendTest {
        let start = start.max(at.saturating_sub(trend.window));
        let end = end.min(at + trend.window);
        let others: Vec<usize> = trend.others.iter().copied().filter(|&o| o != at && o > start && o < end).collect();
        // Columns: level, the powers of x from 1 to at least 2 (those above the trend's degree
        // pinned at zero), the other jumps, this jump.
        let powers = trend.degree.max(2);
        let columns = 2 + powers + others.len();
        let runs = end - start;
        if runs < 2 * columns {
            return TrendTest::NONE;
        }
        let half_width = (at - start).max(end - at) as f64;
        let mut xtx = vec![vec![0.0f64; columns]; columns];
        let mut xty = vec![0.0f64; columns];
        let mut yy = 0.0;
        let mut row = vec![0.0f64; columns];
        for i in start..end {
            let y = self.values[i] - self.offset;
            let x = (i as f64 - at as f64) / half_width;
            row[0] = 1.0;
            let mut power = 1.0;
            for (k, cell) in row[1..=powers].iter_mut().enumerate() {
                power *= x;
                *cell = if k < trend.degree { power } else { 0.0 };
            }
            for (j, &o) in others.iter().enumerate() {
                row[1 + powers + j] = if i >= o { 1.0 } else { 0.0 };
            }
            row[columns - 1] = if i >= at { 1.0 } else { 0.0 };
            for r in 0..columns {
                for c in 0..columns {
                    xtx[r][c] += row[r] * row[c];
                }
                xty[r] += row[r] * y;
            }
            yy += y * y;
        }
        // Above the degree: the coefficient is pinned at zero.
        for (k, row) in xtx.iter_mut().enumerate().take(powers + 1).skip(trend.degree + 1) {
            row[k] = 1.0;
        }
        let mut unit_vector = vec![0.0; columns];
        unit_vector[columns - 1] = 1.0;
        let (Some(beta), Some(unit)) = (solve(&xtx, &xty), solve(&xtx, &unit_vector)) else { return TrendTest::NONE };
        let rss = (yy - (0..columns).map(|r| beta[r] * xty[r]).sum::<f64>()).max(0.0);
        let dof = (runs - columns + powers - trend.degree.min(powers)) as f64;
        // The p-value of coefficient `c`, whose variance is σ² times `inverse` (that entry of
        // (XᵀX)⁻¹'s diagonal).
        let p_of = |c: usize, inverse: f64| {
            let variance = rss / dof * inverse * self.variance_factor;
            if variance <= 0.0 {
                return if beta[c] == 0.0 { 1.0 } else { 0.0 };
            }
            2.0 * stats::student_t_sf(beta[c].abs() / variance.sqrt(), dof)
        };
        let jump = p_of(columns - 1, unit[columns - 1]);
        let mut bend = 1.0;
        if trend.with_trend_test && trend.degree >= 2 {
            let top = trend.degree;
            let mut unit_vector = vec![0.0; columns];
            unit_vector[top] = 1.0;
            if let Some(inverse) = solve(&xtx, &unit_vector) {
                bend = p_of(top, inverse[top]);
            }
        }
        TrendTest { jump, bend }
    }
}

/// The p-values of a fit of [`TrendValues::trend_around`].
#[derive(Clone, Copy, Debug)]
struct TrendTest {
    /// Of the jump beyond the trend.
    jump: f64,
    /// Of the trend's highest power (1 where not asked for, or of degree 1).
    bend: f64,
}

impl TrendTest {
    /// Too few runs to fit: nothing is shown either way.
    const NONE: TrendTest = TrendTest { jump: 1.0, bend: 1.0 };
}

/// The local trend a jump is tested against.
#[derive(Clone, Copy)]
struct LocalTrend<'a> {
    /// Runs on each side.
    window: usize,
    /// The trend's degree: 1 a straight line, 2 a bend (a quadratic term), more a curve whose
    /// bend itself changes.
    degree: usize,
    /// Other change points whose jumps are fitted too (the rest of a staircase).
    others: &'a [usize],
    /// Whether the bend's own p-value is wanted ([`TrendTest::bend`]).
    with_trend_test: bool,
}

/// A straight line over [`TREND_WINDOW`] runs a side: the trend a jump is tested against where
/// the runs around it do not bend (and always in the gate).
const LINEAR_TREND: LocalTrend<'static> = LocalTrend { window: TREND_WINDOW, degree: 1, others: &[], with_trend_test: false };

/// The solution of the small dense system `a·x = b` (Gaussian elimination with partial
/// pivoting), `None` where it is singular.
fn solve(matrix: &[Vec<f64>], rhs: &[f64]) -> Option<Vec<f64>> {
    let size = rhs.len();
    let mut rows: Vec<Vec<f64>> = matrix.iter().zip(rhs).map(|(row, &v)| row.iter().copied().chain([v]).collect()).collect();
    let scale = matrix.iter().flatten().fold(0.0f64, |s, v| s.max(v.abs())).max(f64::MIN_POSITIVE);
    for col in 0..size {
        let pivot = (col..size).max_by(|&x, &y| rows[x][col].abs().total_cmp(&rows[y][col].abs()))?;
        if rows[pivot][col].abs() <= 1e-12 * scale {
            return None;
        }
        rows.swap(col, pivot);
        for r in col + 1..size {
            let factor = rows[r][col] / rows[col][col];
            let (upper, lower) = rows.split_at_mut(r);
            for (target, &source) in lower[0][col..].iter_mut().zip(&upper[col][col..]) {
                *target -= factor * source;
            }
        }
    }
    let mut solution = vec![0.0f64; size];
    for r in (0..size).rev() {
        let known: f64 = (r + 1..size).map(|c| rows[r][c] * solution[c]).sum();
        solution[r] = (rows[r][size] - known) / rows[r][r];
    }
    Some(solution)
}

/// Seeded intervals and narrowest-over-threshold selection.
fn narrowest_over_threshold(sums: &PrefixSums, sigma: f64, threshold: f64, min_segment: usize) -> Vec<usize> {
    let n = sums.len();
    let threshold_squared = (threshold * sigma).powi(2);
    // Every other seeded interval (`part` 0 or 1 of 2), or every one (`None`): its best split
    // where that exceeds the threshold, as (length, start, split).
    let search = |part: Option<usize>| -> Vec<(usize, usize, usize)> {
        seeded_intervals(n, min_segment)
            .enumerate()
            .filter(|(k, _)| part.is_none_or(|part| k % 2 == part))
            .filter_map(|(_, (start, end))| {
                if !sums.may_exceed(start, end, min_segment, threshold_squared) {
                    return None;
                }
                let (split, stat) = sums.best_split(start, end, min_segment)?;
                (stat > threshold_squared).then_some((end - start, start, split))
            })
            .collect()
    };
    // Each interval is searched alone, so a long series is searched on two threads, neighbouring
    // intervals (alike in length) on different ones; the candidates are sorted below, so the
    // order they are found in does not matter.
    let (mut candidates, more) =
        if n >= PARALLEL_POINTS { join(true, || search(Some(0)), || search(Some(1))) } else { (search(None), Vec::new()) };
    candidates.extend(more);
    candidates.sort_unstable();
    let mut accepted = std::collections::BTreeSet::new();
    for (length, start, split) in candidates {
        let end = start + length;
        if accepted.range(start + 1..end).next().is_none() {
            accepted.insert(split);
        }
    }
    // Keep every segment at least min_segment long: drop the later of two points too close.
    let mut points: Vec<usize> = Vec::with_capacity(accepted.len());
    for at in accepted {
        if at >= min_segment && at + min_segment <= n && points.last().is_none_or(|&p| at - p >= min_segment) {
            points.push(at);
        }
    }
    points
}

/// The intervals the narrowest-over-threshold search looks at, as (start, end): at every length
/// from the whole series down to 2 × `min_segment`, halving, seeded at evenly spaced starts that
/// overlap by half.
fn seeded_intervals(n: usize, min_segment: usize) -> impl Iterator<Item = (usize, usize)> {
    let lengths =
        std::iter::successors(Some(n as f64), |length| Some(length / 2.0)).take_while(move |&length| length >= (2 * min_segment) as f64);
    lengths.flat_map(move |length| {
        let len = length.ceil() as usize;
        let count = 2 * (n as f64 / length).ceil() as usize - 1;
        let shift = if count > 1 { (n - len.min(n)) as f64 / (count - 1) as f64 } else { 0.0 };
        let mut previous_start = usize::MAX;
        (0..count).filter_map(move |i| {
            let start = ((i as f64) * shift).floor() as usize;
            if start == previous_start {
                return None;
            }
            previous_start = start;
            let end = (start + len).min(n);
            (end - start >= 2 * min_segment).then_some((start, end))
        })
    })
}

/// Series from this many points on have the independent parts of their search run on two
/// threads (below, starting a thread costs more than it saves; the gate's series are shorter).
const PARALLEL_POINTS: usize = 50_000;

/// `a()` and `b()`, `b` on a thread of its own where `parallel` (on this one where no thread
/// can start); a panic in `b` goes on as a panic here.
fn join<A, B: Send>(parallel: bool, a: impl FnOnce() -> A, b: impl Fn() -> B + Sync) -> (A, B) {
    if !parallel {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let b = &b;
        let spawned = std::thread::Builder::new().name("headroom-search".to_owned()).spawn_scoped(scope, b);
        let a = a();
        let b = match spawned {
            Ok(thread) => thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => b(),
        };
        (a, b)
    })
}

/// Re-places every change point at the best split between its neighbours.
fn refine(sums: &PrefixSums, points: &mut [usize], min_segment: usize) {
    let n = sums.len();
    for i in 0..points.len() {
        let start = if i == 0 { 0 } else { points[i - 1] };
        let end = points.get(i + 1).copied().unwrap_or(n);
        if end - start >= 2 * min_segment
            && let Some((split, _)) = sums.best_split(start, end, min_segment)
        {
            points[i] = split;
        }
    }
}

/// Moves each point marked in `which` (one within `2 · min_segment` runs of a neighbour that
/// [`prune`] removed, whose place [`refine`] bounded) by up to
/// `min_segment − 1` runs to the place where the `min_segment` runs either side of it differ most
/// in mean, within its neighbours' bounds. Local, so a trend around a step adds the same to every
/// candidate and pulls it nowhere (the whole-segment CUSUM of [`refine`] is drawn towards the
/// middle of a growth curve and moved steps on curves away from their place).
fn replace_locally(sums: &PrefixSums, points: &mut [usize], min_segment: usize, which: &[bool]) {
    let n = sums.len();
    let w = min_segment.max(1);
    for i in (0..points.len()).filter(|&i| which[i]) {
        let start = if i == 0 { 0 } else { points[i - 1] };
        let end = points.get(i + 1).copied().unwrap_or(n);
        let (first, Some(last)) = (start + w, end.checked_sub(w)) else { continue };
        let (from, to) = (points[i].saturating_sub(w - 1).max(first), (points[i] + w - 1).min(last));
        let contrast = |k: usize| (sums.mean(k, k + w) - sums.mean(k - w, k)).abs();
        let mut best = (points[i], if (from..=to).contains(&points[i]) { contrast(points[i]) } else { f64::NEG_INFINITY });
        for k in from..=to {
            let c = contrast(k);
            if c > best.1 {
                best = (k, c);
            }
        }
        points[i] = best.0;
    }
}

/// Whether a jump at `at` between `start` and `end` can be told from a trend over at most
/// `window` runs a side: where both sides have [`DRIFT_MIN_SIDE`] runs, or in analysis
/// (`near_an_end`) where one side is shorter but the other has twice as many, so that the trend is
/// fitted from the long side (a growth curve is steepest at its end, where its last runs would
/// otherwise stand as a level of their own untested).
fn trend_testable(start: usize, at: usize, end: usize, window: usize, near_an_end: bool) -> bool {
    let (left, right) = ((at - start).min(window), (end - at).min(window));
    left.min(right) >= DRIFT_MIN_SIDE || (near_an_end && left.max(right) >= 2 * DRIFT_MIN_SIDE)
}

/// In analysis, the p-value of a jump that is not one of a staircase, beyond the trend around it:
/// a straight line over [`TREND_WINDOW`] runs a side, or where that stretch bends (its bend
/// significant at [`BEND_SIGNIFICANCE`]), a bending trend over [`CURVE_WINDOW`] runs a side, short
/// enough for a bend to describe a stretch of a growth curve ([`beyond_a_changing_bend`]). 0 (the
/// jump stands) where the sides are too short to tell. A step on a straight trend, or on a flat
/// level, is judged against the line: the bending test, which costs a small step some of its
/// evidence, is only asked where the runs around it bend.
///
/// Where they bend, the straight line is no longer asked too: it misses the bend by more than the
/// noise, and a jump measured against so wide a miss is never significant, so that a step of 6 σ
/// on a growth curve was lost as soon as its neighbouring cuts were pruned (found in 37 and 34 of
/// 60 series on ×30 and steep S-curves, 57 and 58 since).
fn jump_beyond_a_curve(values: &TrendValues<'_>, start: usize, at: usize, end: usize) -> f64 {
    if !trend_testable(start, at, end, TREND_WINDOW, true) {
        return 0.0;
    }
    let wide_bend = LocalTrend { window: TREND_WINDOW, degree: 2, others: &[], with_trend_test: true };
    if trend_testable(start, at, end, CURVE_WINDOW, true) && values.trend_around(start, at, end, &wide_bend).bend <= BEND_SIGNIFICANCE {
        let bending = LocalTrend { window: CURVE_WINDOW, degree: 2, others: &[], with_trend_test: false };
        beyond_a_changing_bend(values, start, at, end, &bending)
    } else {
        values.jump_beyond_trend(start, at, end, &LINEAR_TREND)
    }
}

/// The p-value of a jump beyond `bending` (a quadratic trend), and where that bend itself changes
/// over the window (the cubic term of a cubic trend with the jump, significant at
/// [`CHANGING_BEND_SIGNIFICANCE`]), also beyond the cubic trend.
///
/// Why: a steep S-curve (its rise over a fifth of the series, a knee of 10–20 runs) bends one way
/// and then the other within 40 runs, which no parabola follows; at 1 % noise the parabola's miss
/// at the knee reads as a jump of up to 20 noise units, and the curve stood as a staircase (46 of 60
/// series cut). A cubic misses such a knee by a fraction of a noise unit, and costs a jump a
/// quarter of its t statistic (a step and x³ are both odd about the jump), so it is asked only where
/// the parabola is seen to fall short: a step on a flat level or a straight trend keeps its power.
fn beyond_a_changing_bend(values: &TrendValues<'_>, start: usize, at: usize, end: usize, bending: &LocalTrend<'_>) -> f64 {
    let quadratic = values.jump_beyond_trend(start, at, end, bending);
    let cubic = LocalTrend { degree: CHANGING_BEND_DEGREE, with_trend_test: true, ..*bending };
    let fit = values.trend_around(start, at, end, &cubic);
    if fit.bend <= CHANGING_BEND_SIGNIFICANCE { quadratic.max(fit.jump) } else { quadratic }
}

/// Removes change points that fail the test or the minimum effect, the weakest first.
fn prune(sums: &PrefixSums, points: &mut Vec<usize>, settings: &DetectorSettings, scale: Scale, min_segment: usize) {
    let n = sums.len();
    // In analysis, a jump must stand beyond the trend both in the values and, where every value
    // is positive (or every one negative), in their logarithms: timings' noise is a share of their level, and growth that
    // is exponential in the values is a straight line in their logarithms (with noise of one size
    // throughout), as a straight line is in the values. A step is a step on either scale.
    // (Values all negative are their magnitudes' logarithms, so that a change of sign moves no
    // change point.) Where the search ran on the logarithms, the other scale is the values.
    let raw = sums.trend_values();
    let sign = sums.values.first().map_or(1.0, |&v| v.signum());
    let other: Option<Vec<f64>> = match scale {
        _ if !settings.curves || points.is_empty() => None,
        Scale::Logs => Some(sums.values.iter().map(|v| v.exp()).collect()),
        Scale::Values => sums.values.iter().all(|&v| v * sign > 0.0).then(|| sums.values.iter().map(|v| (v * sign).ln()).collect()),
    };
    let other = other.as_ref().map(|other| TrendValues { values: other, offset: other[0], variance_factor: sums.variance_factor });
    let scales: Vec<&TrendValues<'_>> = std::iter::once(&raw).chain(other.as_ref()).collect();
    let mut beside_removed = vec![false; points.len()];
    // The p-value of point i among `points` (2 + p where it is below the minimum effect).
    let score = |points: &[usize], i: usize| -> f64 {
        let start = if i == 0 { 0 } else { points[i - 1] };
        let end = points.get(i + 1).copied().unwrap_or(n);
        let p = sums.welch(start, points[i], end);
        // A jump a smooth trend explains as well is a drift, not a change point. A
        // staircase of shifts the same way is what a curve looks like to the search: the
        // trend is fitted across the neighbours that shift the same way as this one.
        // Too few runs on a side cannot tell a drift from a step: there the step is kept
        // (in analysis, a long side may carry a short one: [`trend_testable`]).
        let up = |j: usize| {
            let from = if j == 0 { 0 } else { points[j - 1] };
            let to = points.get(j + 1).copied().unwrap_or(n);
            sums.mean(points[j], to) > sums.mean(from, points[j])
        };
        let way = up(i);
        let mut first = i;
        while first > 0 && points[i] - points[first - 1] < CURVE_WINDOW && up(first - 1) == way {
            first -= 1;
        }
        let mut last = i;
        while last + 1 < points.len() && points[last + 1] - points[i] < CURVE_WINDOW && up(last + 1) == way {
            last += 1;
        }
        let p = if !settings.curves {
            let sides = (points[i] - start).min(end - points[i]);
            if sides >= DRIFT_MIN_SIDE { p.max(raw.jump_beyond_trend(start, points[i], end, &LINEAR_TREND)) } else { p }
        } else if first == last {
            scales.iter().fold(p, |p, values| p.max(jump_beyond_a_curve(values, start, points[i], end)))
        } else {
            // One of a staircase: judged against a bending trend across the staircase (its
            // other jumps fitted too, so that real steps keep their evidence), over a
            // window short enough for a bend to describe a stretch of a curve.
            let (wide_start, wide_end) = (if first == 0 { 0 } else { points[first - 1] }, points.get(last + 1).copied().unwrap_or(n));
            let bending = LocalTrend { window: CURVE_WINDOW, degree: 2, others: &points[first..=last], with_trend_test: false };
            if trend_testable(wide_start, points[i], wide_end, CURVE_WINDOW, true) {
                scales.iter().fold(p, |p, values| p.max(beyond_a_changing_bend(values, wide_start, points[i], wide_end, &bending)))
            } else {
                p
            }
        };
        if settings.min_relative_change > 0.0 {
            let before = sums.mean(start, points[i]) + sums.offset;
            let after = sums.mean(points[i], end) + sums.offset;
            let relative = match scale {
                Scale::Logs => (after - before).exp_m1().abs(),
                Scale::Values if before == 0.0 => f64::INFINITY,
                Scale::Values => ((after - before) / before).abs(),
            };
            if relative < settings.min_relative_change {
                return 2.0 + p; // below the minimum effect: removed before any failing test
            }
        }
        p
    };
    loop {
        let scores: Vec<f64> = (0..points.len()).map(|i| score(points, i)).collect();
        // Remove every failing point that is the weakest among its neighbours, so that one round
        // never removes two adjacent points whose tests depend on each other.
        let mut remove: Vec<bool> = (0..points.len())
            .map(|i| {
                let s = scores[i];
                s > settings.significance
                    && (i == 0 || s > scores[i - 1] || (s.total_cmp(&scores[i - 1]).is_eq() && i % 2 == 0))
                    && scores.get(i + 1).is_none_or(|&next| s >= next)
            })
            .collect();
        if !remove.iter().any(|&r| r) {
            replace_locally(sums, points, min_segment, &beside_removed);
            return;
        }
        if !settings.curves {
            keep_the_one_that_passes_alone(points, &scores, &mut remove, settings.significance, &score);
        }
        // A survivor within two `min_segment`s of a removed point was bounded by that neighbour: a step 4 runs before a spurious neighbour was put one run early (the example's services.auth, at the last old run `ci-1156` instead of the
        // first new one `ci-1157`, so `check` and `analyze` named different runs). Once the
        // tests have chosen the points, it is placed again between the neighbours it has then
        // (not within the rounds: a point re-placed there changes which tests pass, and smooth
        // growth curves kept steps).
        beside_removed = (0..points.len())
            .filter(|&i| !remove[i])
            .map(|i| {
                beside_removed[i]
                    || (i > 0 && remove[i - 1] && points[i] - points[i - 1] < 2 * min_segment)
                    || (remove.get(i + 1) == Some(&true) && points[i + 1] - points[i] < 2 * min_segment)
            })
            .collect();
        let mut i = 0;
        points.retain(|_| {
            let keep = !remove[i];
            i += 1;
            keep
        });
    }
}

/// How far past the significance a point's test alone must be for [`keep_the_one_that_passes_alone`]
/// to keep it over its neighbour: a step beside a spurious cut read p 1e-12 alone; a cut in noise
/// kept so (p 0.0009 alone, its neighbour 0.29) made the look-back's first 7 runs a level, and the
/// gate judged a +10 % step against them and passed it on 2 of its 30 checks (an adversarial review).
const RESCUED_SHARE: f64 = 1e-3;

/// [`prune`]'s round, for two neighbouring points that both fail (`scores`), each weakened by the
/// other: the one removed (`remove`) is the one whose neighbour then passes far beyond the
/// significance ([`RESCUED_SHARE`]), where the other, left alone, would not pass. A spurious cut
/// 2-5 runs past a real step leaves the step a level of a few runs after it, which a trend
/// explains as well: the step was the weaker and went, then the cut and the step before it, each
/// between levels that mixed the others, and a look-back of 123 runs at 100, 15 at 88 and 22 at
/// 114 had no change point at all (the gate passed that +30 % step, 10 σ, in silence). Else the
/// weaker goes, as before: keeping the stronger where both would pass alone took the level before
/// it apart, and another such look-back lost all three of its change points. The gate's search only (`curves` off, where levels are kept): in analysis a
/// curve's cuts are such neighbours too, and the one left alone passed (S-curves and a steep fall
/// read 3-9 more change points in 60 series).
fn keep_the_one_that_passes_alone(
    points: &[usize],
    scores: &[f64],
    remove: &mut [bool],
    significance: f64,
    score: &dyn Fn(&[usize], usize) -> f64,
) {
    for i in 0..points.len().saturating_sub(1) {
        let (a, b) = (i, i + 1);
        if remove[a] == remove[b] || scores[a] <= significance || scores[b] <= significance {
            continue;
        }
        let (gone, kept) = if remove[a] { (a, b) } else { (b, a) };
        // Never two neighbours removed in one round.
        let other = if kept > gone { kept + 1 } else { kept.wrapping_sub(1) };
        if remove.get(other) == Some(&true) {
            continue;
        }
        let without = |x: usize| -> Vec<usize> { points.iter().enumerate().filter(|&(j, _)| j != x).map(|(_, &p)| p).collect() };
        let kept_alone = score(&without(gone), if kept > gone { kept - 1 } else { kept });
        let gone_alone = score(&without(kept), if gone > kept { gone - 1 } else { gone });
        if gone_alone <= RESCUED_SHARE * significance && kept_alone > significance {
            remove[gone] = false;
            remove[kept] = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_is_segmented_alike_at_every_magnitude() {
        // Welch's degrees of freedom take the fourth power of the noise: near 1e90 (2^300) a
        // change point's p-value read 1e-303 where near 100 it read 1e-19, and near 1e-75 the
        // search missed steps. Scaled by a power of two, a series now gets the same change points,
        // p-values and shifts, its levels and noise scaled exactly.
        let mut rng = crate::engine::synthetic::Rng::new(4);
        let values: Vec<f64> = (0..120)
            .map(|i| 100.0 * (1.0 + 0.02 * rng.gaussian()) * if i >= 70 { 1.25 } else { 1.0 } * if i >= 95 { 1.4 } else { 1.0 })
            .collect();
        let settings = DetectorSettings::default();
        let near_one = detect(&values, &settings);
        assert_eq!(near_one.change_points.iter().map(|c| c.index).collect::<Vec<_>>(), [70, 95]);
        for exponent in [-1000, -250, 300, 1000] {
            let scale = 2f64.powi(exponent);
            let scaled: Vec<f64> = values.iter().map(|v| v * scale).collect();
            let mut expected = near_one.clone();
            expected.map_quantities(|x| x * scale);
            // The differences' autocorrelation is kept only of values searched as given.
            expected.differences_phi = None;
            assert_eq!(detect(&scaled, &settings), expected, "scaled by 2^{exponent}");
        }
    }

    #[test]
    fn the_differences_autocorrelation_a_search_keeps_is_the_values_own_at_every_magnitude() {
        // The gate's noise model reads the search's estimate instead of its own, so it must be the
        // values' own: near 1e-300 the differences' squares underflow and the values' own estimate
        // reads 0, where the search, scaled near 1, read the AR(1) noise's (an adversarial review:
        // a check's verdict changed).
        let mut rng = crate::engine::synthetic::Rng::new(8);
        let mut e = 0.0;
        let ar: Vec<f64> = (0..160)
            .map(|_| {
                e = 0.8 * e + rng.gaussian();
                100.0 + 2.0 * e
            })
            .collect();
        let settings = DetectorSettings { deseasonalize: false, curves: false, variances: false, ..DetectorSettings::default() };
        for exponent in [0, -600, -990, -1000, 300, 1000] {
            let values: Vec<f64> = ar.iter().map(|v| v * 2f64.powi(exponent)).collect();
            let own = stats::noise_autocorrelation(&values);
            let kept = detect(&values, &settings).differences_phi;
            assert_eq!(kept.unwrap_or(own).to_bits(), own.to_bits(), "scaled by 2^{exponent}: kept {kept:?}, own {own}");
            if exponent == 0 {
                assert!(kept.is_some() && own > 0.3, "{kept:?} {own}");
            }
        }
    }

    #[test]
    fn a_spurious_cut_beside_a_step_is_pruned_not_the_step_and_its_neighbour() {
        // 123 runs at 100 (3 % noise), 15 at 88, then 22 at 114 (+30 %, 10 σ): the gate's look-back
        // of a history a regression test generated. The search cut at 123, 135 and 140 (a cut 5
        // runs past the step at 138, whose runs were 110-125); both 135 and 140 failed, 135 the
        // weaker (5 runs after it), so it went, and then 140 and 123, each with a level mixing the
        // others: no change point at all, and the gate passed the +30 % step in silence.
        let values = [
            99.67, 96.65, 100.56, 96.15, 97.92, 101.37, 99.83, 98.87, 102.2, 97.51, 97.52, 97.48, 98.06, 98.87, 95.24, 97.19, 97.99,
            103.38, 99.31, 102.58, 100.94, 100.92, 97.96, 101.35, 99.33, 97.19, 107.98, 103.95, 102.56, 101.04, 101.68, 99.71, 98.91,
            100.81, 104.93, 97.16, 105.62, 99.9, 99.01, 102.3, 99.69, 105.41, 102.18, 101.21, 101.35, 97.2, 97.73, 95.91, 101.53, 94.36,
            103.65, 105.74, 99.44, 94.48, 102.51, 95.88, 102.76, 97.68, 105.18, 99.03, 104.83, 100.8, 100.82, 105.48, 97.41, 101.95,
            102.19, 102.43, 97.23, 105.35, 102.0, 98.18, 100.49, 100.98, 102.5, 98.19, 98.59, 102.56, 98.53, 99.01, 100.95, 97.65, 93.91,
            107.89, 104.17, 98.86, 95.86, 100.82, 98.69, 97.92, 101.63, 96.26, 100.86, 104.15, 105.12, 102.57, 95.89, 98.4, 98.9, 103.58,
            97.98, 97.74, 99.85, 98.25, 102.87, 98.96, 98.63, 96.46, 97.84, 96.09, 97.22, 102.05, 98.29, 98.99, 102.61, 101.78, 98.45,
            101.25, 96.68, 100.96, 96.56, 102.17, 96.48, 91.58, 89.46, 90.82, 85.08, 89.2, 86.94, 86.94, 86.27, 85.69, 90.46, 88.44, 89.07,
            88.32, 89.6, 88.45, 113.2, 115.25, 117.91, 110.02, 114.71, 110.5, 125.25, 109.51, 103.69, 118.0, 109.58, 116.09, 112.81,
            115.32, 117.45, 113.17, 115.72, 115.71, 112.32, 112.95, 113.54, 115.42,
        ];
        // The gate's search (analysis keeps its rule: its curve tests weigh such cuts differently).
        let gate = DetectorSettings { deseasonalize: false, curves: false, variances: false, ..DetectorSettings::default() };
        let found: Vec<usize> = detect(&values, &gate).change_points.iter().map(|c| c.index).collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].abs_diff(123) <= 1 && found[1].abs_diff(138) <= 1, "{found:?}");
    }

    #[test]
    fn a_step_whose_neighbour_the_tests_removed_is_placed_at_its_first_run() {
        // The bundled example's services.auth, the gate's look-back at `ci-1216` (160 runs): it
        // steps from 18.9 to 22.6 ms at position 111 (`ci-1157`). The search also cut at 115, which
        // bounded the step to 110 (`min_segment` runs before it); the tests removed that cut, and
        // the step was left on the last old run, so `check` named `ci-1156` where `analyze` said
        // `ci-1157`.
        let values = [
            18.82, 18.66, 19.06, 19.64, 19.03, 18.25, 18.53, 19.37, 19.12, 18.66, 18.49, 18.99, 18.63, 18.79, 18.84, 18.62, 19.02, 18.43,
            19.3, 19.15, 18.9, 18.76, 18.69, 19.18, 18.6, 19.19, 19.0, 18.41, 18.87, 18.71, 19.33, 19.36, 18.61, 19.29, 18.85, 18.42,
            18.95, 18.55, 18.93, 18.87, 18.57, 19.04, 18.43, 18.53, 18.38, 19.19, 18.63, 19.04, 18.34, 18.68, 18.6, 18.78, 18.92, 19.16,
            18.34, 18.76, 19.18, 18.83, 18.63, 19.37, 19.02, 18.91, 18.45, 19.04, 18.85, 18.67, 18.94, 19.02, 19.42, 19.05, 19.3, 18.84,
            18.73, 18.93, 18.87, 19.3, 19.02, 18.91, 18.89, 19.43, 18.25, 18.8, 18.68, 18.99, 19.69, 19.11, 18.88, 18.83, 18.49, 18.92,
            19.55, 18.78, 18.97, 18.87, 19.21, 18.08, 18.36, 18.64, 18.68, 18.04, 18.85, 19.08, 18.88, 19.35, 18.98, 19.27, 18.99, 18.64,
            19.19, 19.09, 18.47, 22.43, 22.58, 22.64, 22.36, 22.12, 23.0, 23.11, 22.72, 22.47, 22.49, 22.19, 21.92, 22.85, 22.67, 23.25,
            22.05, 22.45, 22.7, 23.34, 22.68, 22.9, 23.48, 22.87, 23.0, 23.18, 22.17, 22.95, 21.87, 22.09, 21.95, 23.3, 22.35, 22.82,
            21.89, 22.27, 23.43, 23.25, 22.91, 22.28, 22.31, 22.47, 23.1, 22.45, 22.78, 22.25, 22.03, 22.34, 22.73, 23.17,
        ];
        assert!(values[110] < 19.0 && values[111] > 22.0);
        for settings in [
            DetectorSettings::default(),
            DetectorSettings { curves: false, variances: false, deseasonalize: false, ..DetectorSettings::default() },
        ] {
            let found: Vec<usize> = detect(&values, &settings).change_points.iter().map(|c| c.index).collect();
            assert_eq!(found, [111], "{settings:?}");
        }
    }

    #[test]
    fn one_slow_run_in_a_short_series_does_not_hide_a_step() {
        // 25 runs of 1 % noise, one of them 60 % slow, a step of +12 % at run 15: the differences'
        // σ had read 14 % (their 2.5 % trim takes none of 24 out), and no change point was found,
        // in analysis or in the gate's look-back.
        let gate = DetectorSettings { curves: false, variances: false, deseasonalize: false, ..DetectorSettings::default() };
        let mut missed = Vec::new();
        for seed in 0..20 {
            let mut rng = crate::engine::synthetic::Rng::new(seed);
            let mut values: Vec<f64> = (0..25).map(|i| if i < 15 { 100.0 } else { 112.0 } * (1.0 + 0.01 * rng.gaussian())).collect();
            values[10] *= 1.6;
            for settings in [DetectorSettings::default(), gate.clone()] {
                let found: Vec<usize> = detect(&values, &settings).change_points.iter().map(|c| c.index).collect();
                if found != [15] {
                    missed.push((seed, settings.curves, found));
                }
            }
        }
        assert!(missed.is_empty(), "(seed, analysis, change points found): {missed:?}");
    }

    #[test]
    fn a_jump_is_reported_at_the_levels_that_meet_it_where_the_level_after_it_drifts() {
        // A benchmark that fell 6 % and crept back over the next 150 runs (as TigerBeetle's did
        // in Apache Otava's test data): the level after the jump, at its median, was about
        // 97.4, and the jump was reported as a third of its size.
        let mut reported = Vec::new();
        for seed in 0..20 {
            let mut rng = crate::engine::synthetic::Rng::new(seed);
            let values: Vec<f64> =
                (0..250).map(|i| if i < 100 { 100.0 } else { 94.0 + 0.04 * f64::from(i - 100) } + 0.7 * rng.gaussian()).collect();
            let found = detect(&values, &DetectorSettings::default());
            let Some(jump) = found.change_points.iter().find(|c| c.index.abs_diff(100) <= 2) else { continue };
            assert!((jump.before - 100.0).abs() < 0.6, "seed {seed}: {jump:?}");
            assert!((jump.after - 94.2).abs() < 0.8, "seed {seed}: {jump:?}");
            reported.push(jump.shift_in_noise);
        }
        assert!(reported.len() >= 18, "the jump found in {} of 20 series", reported.len());
        // A flat level keeps its median: the same jump with no drift after it.
        for seed in 0..20 {
            let mut rng = crate::engine::synthetic::Rng::new(seed);
            let values: Vec<f64> = (0..250).map(|i| if i < 100 { 100.0 } else { 94.0 } + 0.7 * rng.gaussian()).collect();
            let found = detect(&values, &DetectorSettings::default());
            let after = &found.segments[1];
            assert_eq!(found.change_points[0].after.to_bits(), after.level.to_bits(), "seed {seed}");
        }
    }

    #[test]
    fn a_change_of_noise_in_a_long_series_is_found_within_a_block() {
        let mut rng = crate::engine::synthetic::Rng::new(5);
        let n = 400_000;
        let noisier: Vec<f64> = (0..n).map(|i| 100.0 + if i < n / 2 { 1.0 } else { 3.0 } * rng.gaussian()).collect();
        let found = detect(&noisier, &DetectorSettings::default());
        assert_eq!(found.variance_changes.len(), 1, "{:?}", found.variance_changes);
        let v = &found.variance_changes[0];
        assert!(v.index.abs_diff(n / 2) <= 2 * (n / VARIANCE_SEARCH_POINTS), "{v:?}");
        assert!((v.ratio() - 3.0).abs() < 0.2, "{v:?}");
    }

    #[test]
    fn a_change_of_noise_is_one_change_of_noise_and_a_step_is_none() {
        let mut rng = crate::engine::synthetic::Rng::new(11);
        let noisier: Vec<f64> = (0..600).map(|i| 100.0 + if i < 300 { 1.0 } else { 3.0 } * rng.gaussian()).collect();
        let found = detect(&noisier, &DetectorSettings::default());
        assert_eq!(found.variance_changes.len(), 1, "{:?}", found.variance_changes);
        let v = &found.variance_changes[0];
        // Located less precisely than a level (late by 12 runs here).
        assert!(v.index.abs_diff(300) <= 15 && v.p_value < 1e-6, "{v:?}");
        assert!((v.before - 1.0).abs() < 0.2 && (v.after - 3.0).abs() < 0.6, "{v:?}");
        assert!(found.change_points.len() <= 1, "{:?}", found.change_points);
        // Off for the gate.
        let gate = DetectorSettings { variances: false, ..DetectorSettings::default() };
        assert!(detect(&noisier, &gate).variance_changes.is_empty());

        let step: Vec<f64> = (0..600).map(|i| if i < 300 { 100.0 } else { 110.0 } + rng.gaussian()).collect();
        let found = detect(&step, &DetectorSettings::default());
        assert_eq!(found.change_points.len(), 1);
        assert!(found.variance_changes.is_empty(), "{:?}", found.variance_changes);
    }

    fn steps(levels: &[(usize, f64)], noise: f64, seed: u64) -> Vec<f64> {
        let mut rng = crate::engine::synthetic::Rng::new(seed);
        levels.iter().flat_map(|&(len, level)| (0..len).map(move |_| level)).map(|level| level * (1.0 + noise * rng.gaussian())).collect()
    }

    #[test]
    fn finds_a_ten_percent_step_in_two_percent_noise_at_its_run() {
        let values = steps(&[(100, 100.0), (100, 110.0)], 0.02, 1);
        let found = detect(&values, &DetectorSettings::default());
        assert_eq!(found.change_points.len(), 1, "{:?}", found.change_points);
        let cp = &found.change_points[0];
        assert!((99..=101).contains(&cp.index), "{}", cp.index);
        assert!((cp.relative_change().unwrap() - 0.10).abs() < 0.02);
        assert!(cp.p_value < 1e-6);
    }

    #[test]
    fn finds_a_short_bump_that_plain_binary_segmentation_misses() {
        let values = steps(&[(200, 100.0), (10, 130.0), (200, 100.0)], 0.02, 2);
        let found: Vec<usize> = detect(&values, &DetectorSettings::default()).change_points.iter().map(|c| c.index).collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].abs_diff(200) <= 1 && found[1].abs_diff(210) <= 1, "{found:?}");
    }

    #[test]
    fn a_single_outlier_or_a_burst_of_three_is_not_a_change_point() {
        let mut values = steps(&[(100, 50.0)], 0.03, 3);
        values[30] = 500.0;
        values[60] = 400.0;
        values[61] = 450.0;
        values[62] = 420.0;
        let found = detect(&values, &DetectorSettings::default());
        assert!(found.change_points.is_empty(), "{:?}", found.change_points);
        assert!(found.outliers.contains(&30) && found.outliers.contains(&61));
    }

    #[test]
    fn one_clear_step_in_six_runs_is_found() {
        let found = detect(&[10.0, 10.2, 9.9, 15.0, 15.1, 14.8], &DetectorSettings::default());
        assert_eq!(found.change_points.iter().map(|c| c.index).collect::<Vec<_>>(), [3]);
        // Noise alone in a short series is not a step.
        assert!(detect(&[10.0, 10.4, 9.8, 10.1, 10.3, 9.9, 10.2], &DetectorSettings::default()).change_points.is_empty());
    }

    #[test]
    fn a_step_with_three_runs_on_one_side_of_twelve_is_found_in_analysis_only() {
        let values = [20.0, 20.3, 19.8, 20.1, 19.9, 20.2, 20.0, 19.7, 20.1, 23.0, 23.2, 22.9];
        let found = detect(&values, &DetectorSettings::default());
        assert_eq!(found.change_points.iter().map(|c| c.index).collect::<Vec<_>>(), [9]);
        assert!(found.change_points[0].p_value <= 0.001, "{:?}", found.change_points);
        // The gate's look-back keeps the general search, whose levels are 5 runs or more.
        let gate = DetectorSettings { deseasonalize: false, curves: false, variances: false, ..DetectorSettings::default() };
        assert!(detect(&values, &gate).change_points.is_empty());
        // A steady climb over a few runs is not a step.
        let climb: Vec<f64> = (0..12).map(|i| 20.0 + f64::from(i) + if i % 2 == 0 { 0.1 } else { -0.1 }).collect();
        assert!(detect(&climb, &DetectorSettings::default()).change_points.is_empty());
    }

    type Curve = fn(f64) -> f64;

    #[test]
    fn smooth_growth_curves_are_trends_not_staircases() {
        let mut rng = crate::engine::synthetic::Rng::new(9);
        let curves: [(&str, Curve); 3] = [
            ("exponential", |i| 100.0 * (i / 300.0).exp()),
            ("logistic", |i| 100.0 + 400.0 / (1.0 + (-(i - 400.0) / 80.0).exp())),
            ("quadratic", |i| 50.0 + 0.0005 * i * i),
        ];
        for (name, curve) in curves {
            let values: Vec<f64> = (0..816).map(|i| curve(f64::from(i)) + 2.0 * rng.gaussian()).collect();
            let found = detect(&values, &DetectorSettings::default());
            // Not a staircase: the search alone cuts such a curve 20 to 45 times; where the bend
            // changes faster than the window can follow, a few levels may still stand.
            let found: Vec<usize> = found.change_points.iter().map(|c| c.index).collect();
            assert!(found.len() <= 6, "{name}: {found:?}");
        }
        // A step on a growth curve is still a step.
        let mut values: Vec<f64> = (0..600).map(|i| 100.0 * (f64::from(i) / 300.0).exp() + 2.0 * rng.gaussian()).collect();
        for v in &mut values[300..] {
            *v += 30.0;
        }
        let found: Vec<usize> = detect(&values, &DetectorSettings::default()).change_points.iter().map(|c| c.index).collect();
        assert!(found.len() <= 6 && found.iter().any(|&i| i.abs_diff(300) <= 1), "{found:?}");
    }

    #[test]
    fn growth_whose_noise_grows_with_it_is_a_trend_and_a_step_on_it_a_step() {
        // 30-fold growth over 2,000 runs with noise of 5 % of the level: at its end the noise is 30
        // times its size at the start. Read in the values' units, the search cut the steep end of
        // 2 of these 12 series into levels, and of 2 more with a step it found levels beside the
        // step (4 in one); read in logarithms the growth is a line.
        let growth = |seed: u64, step: f64| -> Vec<f64> {
            let mut rng = crate::engine::synthetic::Rng::new(seed);
            (0..2000)
                .map(|i| {
                    5.0 * (30f64.ln() * f64::from(i) / 2000.0).exp() * if i >= 1500 { step } else { 1.0 } * (1.0 + 0.05 * rng.gaussian())
                })
                .collect()
        };
        let mut cut = Vec::new();
        for seed in 1..=12 {
            let values = growth(seed, 1.0);
            assert!(noise_grows_with_level(&values));
            let found: Vec<usize> = detect(&values, &DetectorSettings::default()).change_points.iter().map(|c| c.index).collect();
            if !found.is_empty() {
                cut.push((seed, found));
            }
            // A step of 6 noise units on it is still one.
            let found: Vec<usize> =
                detect(&growth(seed, 1.3), &DetectorSettings::default()).change_points.iter().map(|c| c.index).collect();
            if !(found.len() == 1 && found[0].abs_diff(1500) <= 2) {
                cut.push((seed, found));
            }
        }
        assert!(cut.is_empty(), "{cut:?}");
        // Noise of one size on a curve keeps the values as they are.
        let mut rng = crate::engine::synthetic::Rng::new(7);
        let additive: Vec<f64> = (0..816).map(|i| 100.0 * (f64::from(i) / 300.0).exp() + 2.0 * rng.gaussian()).collect();
        assert!(!noise_grows_with_level(&additive));
    }

    #[test]
    fn a_daily_cycle_is_not_a_string_of_change_points() {
        let mut rng = crate::engine::synthetic::Rng::new(9);
        let values: Vec<f64> =
            (0..400).map(|i| 100.0 * (1.0 + 0.06 * (std::f64::consts::TAU * f64::from(i) / 24.0).sin() + 0.02 * rng.gaussian())).collect();
        assert!(detect(&values, &DetectorSettings::default()).change_points.is_empty());
        // A step on top of the cycle still is one.
        let stepped: Vec<f64> = values.iter().enumerate().map(|(i, v)| if i >= 250 { v * 1.15 } else { *v }).collect();
        let found: Vec<usize> = detect(&stepped, &DetectorSettings::default()).change_points.iter().map(|c| c.index).collect();
        assert!(found.len() == 1 && found[0].abs_diff(250) <= 3, "{found:?}");
    }

    #[test]
    fn a_large_step_in_autocorrelated_noise_is_found_and_does_not_read_as_the_noises_autocorrelation() {
        // AR(1) noise at φ 0.7 (1.5 % innovations, about 2.1 % marginal), +20 % from run 12-45 of
        // 124, as the gate's look-back sees a new benchmark's early regression. Before, the
        // blocks' estimate of φ pooled its sums, so the one block that held the step (its
        // deviations half the step, 5 σ) outweighed the five others and read φ 0.95: where the
        // differences' estimate (which scatters by ±0.2) read as high, no change point was found
        // (seeds 35 and 49 here), and the gate passed the step inside its look-back.
        let gate = DetectorSettings { deseasonalize: false, curves: false, variances: false, ..DetectorSettings::default() };
        let mut missed = Vec::new();
        for seed in 1..=60u64 {
            for at in [12, 25, 30, 45] {
                let mut rng = crate::engine::synthetic::Rng::new(seed * 100 + at as u64);
                let mut e = 0.0;
                let values: Vec<f64> = (0..124)
                    .map(|i| {
                        e = 0.7 * e + rng.gaussian();
                        100.0 * (1.0 + 0.015 * e) * if i >= at { 1.2 } else { 1.0 }
                    })
                    .collect();
                let found = detect(&values, &gate).change_points;
                if !found.iter().any(|c| c.index.abs_diff(at) <= 2) {
                    missed.push((seed, at, found.iter().map(|c| c.index).collect::<Vec<_>>()));
                }
            }
        }
        assert!(missed.is_empty(), "{missed:?}");
    }

    #[test]
    fn autocorrelated_noise_is_not_a_string_of_change_points() {
        let mut rng = crate::engine::synthetic::Rng::new(10);
        let mut e = 0.0;
        let values: Vec<f64> = (0..600)
            .map(|_| {
                e = 0.8 * e + 0.6 * rng.gaussian();
                100.0 * (1.0 + 0.03 * e)
            })
            .collect();
        let found = detect(&values, &DetectorSettings::default()).change_points;
        assert!(found.len() <= 1, "{found:?}");
    }

    #[test]
    fn constant_short_and_empty_series_have_no_change_points() {
        for values in [vec![], vec![1.0], vec![3.0; 50], vec![1.0, 2.0, 3.0]] {
            assert!(detect(&values, &DetectorSettings::default()).change_points.is_empty());
        }
    }

    #[test]
    fn a_noiseless_step_is_found_exactly() {
        let mut values = vec![10.0; 20];
        values.extend([12.0; 20]);
        let found = detect(&values, &DetectorSettings::default());
        assert_eq!(found.change_points.iter().map(|c| c.index).collect::<Vec<_>>(), [20]);
    }

    #[test]
    fn the_minimum_effect_drops_small_shifts() {
        let values = steps(&[(300, 100.0), (300, 101.5)], 0.005, 4);
        assert_eq!(detect(&values, &DetectorSettings::default()).change_points.len(), 1);
        let settings = DetectorSettings { min_relative_change: 0.05, ..DetectorSettings::default() };
        assert!(detect(&values, &settings).change_points.is_empty());
    }
}
