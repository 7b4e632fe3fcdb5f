//! Robust statistics the engine is built from: medians, scales, tests, false-discovery control.
//!
//! Every function here takes finite values (the model rejects NaN and infinities at the boundary)
//! and returns `None` where there is not enough data, never a NaN.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Consistency factor of the median absolute deviation for the normal distribution: `MAD · 1.4826 ≈ σ`.
pub const MAD_TO_SIGMA: f64 = 1.482_602_218_505_602;

/// The median of `values` (reordered in place). `None` for no values.
///
/// Selected over each value's [`total_key`], an integer of the same order as [`f64::total_cmp`],
/// held in the value's own bits and turned back after: the same median, with a plain integer
/// comparison (medians of short look-backs, levels and blocks are most of what the gate sorts).
#[must_use]
pub fn median_in_place(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    let (lower_key, upper_key) = as_total_keys(values, |keys| {
        let (low, upper, _) = keys.select_nth_unstable_by_key(mid, |v| v.to_bits());
        let upper_key = upper.to_bits();
        (if n % 2 == 1 { upper_key } else { low.iter().map(|v| v.to_bits()).max().unwrap_or(upper_key) }, upper_key)
    });
    let upper = value_of_total_key(upper_key);
    Some(if n % 2 == 1 { upper } else { 0.5 * (value_of_total_key(lower_key) + upper) })
}

/// `v`'s bits as an unsigned number in the order of [`f64::total_cmp`]: the sign bit flipped for a
/// positive value, every bit for a negative one.
fn total_key(v: f64) -> u64 {
    let bits = v.to_bits();
    bits ^ ((bits >> 63).wrapping_neg() | 1 << 63)
}

/// The inverse of [`total_key`]: a key with its top bit set was a positive value.
fn value_of_total_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 { key ^ 1 << 63 } else { !key })
}

/// `f` of `values` with each value's [`total_key`] held in its own bits (ordered, sorted or
/// selected as integers, in the order of [`f64::total_cmp`]), the values turned back after.
fn as_total_keys<R>(values: &mut [f64], f: impl FnOnce(&mut [f64]) -> R) -> R {
    for v in values.iter_mut() {
        *v = f64::from_bits(total_key(*v));
    }
    let result = f(values);
    for v in values.iter_mut() {
        *v = value_of_total_key(v.to_bits());
    }
    result
}

/// The median of `values` sorted in the total order: the same as [`median_in_place`]'s.
fn sorted_median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    let upper = *sorted.get(n / 2)?;
    Some(if n % 2 == 1 { upper } else { 0.5 * (sorted[n / 2 - 1] + upper) })
}

/// Sorts `values` in the order of [`f64::total_cmp`], to the same sequence as
/// `sort_unstable_by(f64::total_cmp)` (values equal in that order are the same bits, so any
/// correct sort gives the same sequence).
///
/// A long slice is sorted by radix: least significant digit first, 11 bits a pass, over each
/// value's bits made an unsigned number of the same order (the sign bit flipped for a positive
/// value, every bit for a negative one). Six passes of a counting scatter, fewer where every value
/// has the same digit (the sign and exponent usually are), against about 20 comparisons a value,
/// with no branch that depends on the data.
pub fn sort_total(values: &mut [f64]) {
    const RADIX_FROM: usize = 1 << 12;
    const DIGIT_BITS: u32 = 11;
    const BUCKETS: usize = 1 << DIGIT_BITS;
    const PASSES: usize = 6; // 6 × 11 ≥ 64
    if values.len() < RADIX_FROM {
        // Sorted as integers and turned back: the same sequence as sorting by `f64::total_cmp`,
        // with a plain integer comparison (the gate sorts a few short look-backs per budget, and
        // the comparison was most of it).
        as_total_keys(values, |keys| keys.sort_unstable_by_key(|v| v.to_bits()));
        return;
    }
    let digit = |key: u64, pass: usize| (key >> (pass as u32 * DIGIT_BITS)) as usize & (BUCKETS - 1);
    let mut keys: Vec<u64> = values.iter().map(|&v| total_key(v)).collect();
    let mut counts = vec![[0usize; BUCKETS]; PASSES];
    for &key in &keys {
        for (pass, count) in counts.iter_mut().enumerate() {
            count[digit(key, pass)] += 1;
        }
    }
    // The passes scatter from `keys` into `values` (holding keys' bits) and back, so the sort
    // needs one copy of the values, not two.
    let mut in_keys = true;
    for (pass, count) in counts.iter_mut().enumerate() {
        if count.contains(&keys.len()) {
            continue; // every key has this digit: the pass would change nothing
        }
        let mut start = 0;
        for c in count.iter_mut() {
            (*c, start) = (start, start + *c);
        }
        if in_keys {
            for &key in &keys {
                let d = digit(key, pass);
                values[count[d]] = f64::from_bits(key);
                count[d] += 1;
            }
        } else {
            for value in values.iter() {
                let key = value.to_bits();
                let d = digit(key, pass);
                keys[count[d]] = key;
                count[d] += 1;
            }
        }
        in_keys = !in_keys;
    }
    if in_keys {
        for (value, &key) in values.iter_mut().zip(&keys) {
            *value = value_of_total_key(key);
        }
    } else {
        for value in values.iter_mut() {
            *value = value_of_total_key(value.to_bits());
        }
    }
}

/// The median of `values`.
#[must_use]
pub fn median(values: &[f64]) -> Option<f64> {
    median_in_place(&mut values.to_vec())
}

/// The median absolute deviation from `center`, scaled to estimate σ for normal data.
#[must_use]
pub fn mad_sigma(values: &[f64], center: f64) -> Option<f64> {
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - center).abs()).collect();
    median_in_place(&mut deviations).map(|m| m * MAD_TO_SIGMA)
}

/// [`mad_sigma`] of values sorted in the total order, the same number without a copy or a
/// selection: the deviations from `center` of the values below it ascend leftwards and those of
/// the rest rightwards, two sorted runs whose merge's middle element(s) are found by bisection.
fn sorted_mad_sigma(sorted: &[f64], center: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let split = sorted.partition_point(|&v| v < center);
    let (below, rest) = sorted.split_at(split);
    // The i-th smallest deviation of each run.
    let left = |i: usize| (below[below.len() - 1 - i] - center).abs();
    let right = |i: usize| (rest[i] - center).abs();
    // The k-th smallest deviation (from 0): the k + 1 smallest are some `a` of the left run and
    // `k + 1 − a` of the right; the least `a` whose next left deviation is not below the last
    // right one taken is the split (a left deviation below it would be among them).
    let kth = |k: usize| {
        let taken = k + 1;
        let (mut low, mut high) = (taken.saturating_sub(rest.len()), taken.min(below.len()));
        while low < high {
            let a = low + (high - low) / 2;
            if left(a) < right(taken - a - 1) {
                low = a + 1;
            } else {
                high = a;
            }
        }
        let a = low;
        let from_left = (a > 0).then(|| left(a - 1));
        let from_right = (taken - a > 0).then(|| right(taken - a - 1));
        match (from_left, from_right) {
            (Some(l), Some(r)) => l.max(r),
            (l, r) => l.or(r).unwrap_or(0.0),
        }
    };
    let mid = n / 2;
    let upper = kth(mid);
    let median = if n % 2 == 1 { upper } else { 0.5 * (kth(mid - 1) + upper) };
    Some(median * MAD_TO_SIGMA)
}

/// The arithmetic mean.
#[must_use]
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The sample variance (n − 1).
#[must_use]
pub fn variance(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    Some(values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (values.len() - 1) as f64)
}

/// The sample standard deviation (n − 1): the square root of [`variance`], and where that
/// overflows (deviations past 1e154: a history of values near 1e300 read "noise ±inf%"), the same
/// taken on the deviations scaled by the largest of them. `None` for fewer than 2 values.
#[must_use]
pub fn standard_deviation(values: &[f64]) -> Option<f64> {
    let plain = variance(values)?.sqrt();
    if plain.is_finite() {
        return Some(plain);
    }
    let m = mean(values)?;
    let scale = values.iter().map(|v| (v - m).abs()).fold(0.0, f64::max);
    if !scale.is_finite() || scale <= 0.0 {
        return Some(plain);
    }
    let sum: f64 = values.iter().map(|v| ((v - m) / scale).powi(2)).sum();
    Some((sum / (values.len() - 1) as f64).sqrt() * scale)
}

/// Magnitudes within 2^±[`WORKING_RANGE`] (about 1e±30: every timing, size or count) are judged
/// as they are.
pub const WORKING_RANGE: i32 = 100;

/// The power of two by which the engine scales a series before judging it: `None` where every
/// finite value is zero or within 2^±[`WORKING_RANGE`] (judged as it is), else the one that brings
/// the median magnitude near 1, no further than keeps every value between 2^-1000 and 2^1000
/// (`None` where they span more). The engine squares differences
/// and Welch's degrees of freedom take their fourth powers, which leave the floating-point range
/// past about 1e77 and below about 1e-75 (a +29 % step in values near 1e300 asked for a rerun
/// where the same history near 100 failed, and near 1e-75 the change-point search missed it); a
/// power of two scales exactly (outside subnormals), so a series' answers at any magnitude are its
/// answers near 1, scaled back.
#[must_use]
pub fn working_scale<I>(values: I) -> Option<f64>
where
    I: IntoIterator<Item = f64> + Clone,
{
    let inside = |v: f64| v == 0.0 || !v.is_finite() || (binary_exponent(v) > -WORKING_RANGE && binary_exponent(v) < WORKING_RANGE);
    if values.clone().into_iter().all(inside) {
        return None;
    }
    let mut magnitudes: Vec<f64> = values.into_iter().map(f64::abs).filter(|v| *v > 0.0 && v.is_finite()).collect();
    let largest = magnitudes.iter().copied().reduce(f64::max)?;
    let smallest = magnitudes.iter().copied().reduce(f64::min)?;
    // No value is scaled past 2^1000, nor below 2^-1000 (where it would lose digits or read 0: a
    // level of 1e-300 under runs of 1e300, flushed to zero, read as a change from zero and passed).
    // Where the values span more than that, they are judged as they are.
    let (lowest, highest) = (-1000 - binary_exponent(smallest), 999 - binary_exponent(largest));
    if lowest > highest {
        return None;
    }
    let median = median_in_place(&mut magnitudes)?;
    let shift = (-binary_exponent(median)).clamp(lowest, highest).clamp(-1022, 1023);
    Some(f64::from_bits(((shift + 1023) as u64) << 52))
}

/// The binary exponent of a nonzero finite `v` (`v.abs()` in [2^e, 2^(e+1)); −1023 for
/// subnormals).
fn binary_exponent(v: f64) -> i32 {
    ((v.to_bits() >> 52) & 0x7ff) as i32 - 1023
}

/// Whether every one of `values` reads the same value (a count, a size, a deterministic metric),
/// exactly: their variance may still read a rounding error above zero (15 runs of 0.1 have a mean
/// of 0.10000000000000002). `false` for none.
#[must_use]
pub fn one_value(values: &[f64]) -> bool {
    values.split_first().is_some_and(|(first, rest)| rest.iter().all(|x| x.to_bits() == first.to_bits()))
}

/// The noise of a series: the standard deviation of its point-to-point noise, estimated from
/// first differences so that level shifts and slow drifts do not inflate it.
///
/// Two estimates of σ are taken and the larger kept: the MAD of the differences (robust to
/// outliers and steps, but too small for skewed noise, as benchmark timings are) and the
/// standard deviation of the differences trimmed by 2.5 % at each end (corrected for the trim),
/// which follows a skewed distribution's spread. A difference of two independent points has
/// σ√2. Where more than half the differences are zero (quantised data), the mean absolute
/// difference is used. `None` for fewer than 3 values or a constant series.
#[must_use]
pub fn noise_sigma(values: &[f64]) -> Option<f64> {
    trimmed_noise_sigma(values, None)
}

/// [`noise_sigma`] of a series with outlier runs: a run far off its neighbours (a one-sided
/// spike, 20–60 % slower where the noise is a few %) makes two differences beyond
/// `SPIKE_SIGMAS` robust σ, one each way. The 2.5 % trim takes out three of 160 runs' differences
/// at each end; a fourth spike would stay in and, squared, double σ (a reference of 160 runs with
/// four spikes read σ 2.3× the noise's, and a 5σ step looked like 2σ). Here each end is trimmed
/// by the larger of 2.5 % and the differences beyond the fence at that end. Trimming the spikes'
/// differences and then 2.5 % of the rest (whose tails the trim's correction assumes cut) reads
/// σ 15 % narrower still, but spikes' false alarms rose (gate_accuracy seed 5: 15 to 16 of
/// 29,690 checks), so the spikes stand in for the tails, as in [`noise_sigma`]. Noise without
/// outliers is trimmed as before: for normal noise a difference beyond the fence is 1 in
/// 16,000; for Student's t₃ 0.7 % at each end, under the 2.5 % trim; a second machine state
/// 2–5 σ slower (bimodal) none.
#[must_use]
pub fn noise_sigma_between_spikes(values: &[f64]) -> Option<f64> {
    trimmed_noise_sigma(values, Some(SPIKE_SIGMAS))
}

/// A difference further than this many robust σ (of a difference) from the differences' median
/// comes from an outlier run ([`noise_sigma_between_spikes`]); the change-point detector's outlier
/// filter draws the line at the same 4 σ.
pub const SPIKE_SIGMAS: f64 = 4.0;

/// [`noise_sigma`], its trim at each end widened to the differences beyond `fence` robust σ.
fn trimmed_noise_sigma(values: &[f64], fence: Option<f64>) -> Option<f64> {
    if values.len() < 3 {
        return None;
    }
    let mut diffs: Vec<f64> = values.windows(2).map(|w| w[1] - w[0]).collect();
    // Sorted once (the trim needs the order; values equal in the total order are the same bits,
    // so an unstable sort gives the same sequence): the median is read from it.
    sort_total(&mut diffs);
    let center = sorted_median(&diffs)?;
    let mad = sorted_mad_sigma(&diffs, center)? / std::f64::consts::SQRT_2;
    let cut = diffs.len() * 25 / 1000;
    let (low, high) = match fence {
        Some(fence) if mad > 0.0 => {
            let reach = fence * mad * std::f64::consts::SQRT_2;
            let low = diffs.partition_point(|&d| d < center - reach);
            let high = diffs.len() - diffs.partition_point(|&d| d <= center + reach);
            (cut.max(low), cut.max(high))
        }
        _ => (cut, cut),
    };
    // At least three differences stay (a series of spikes and little else keeps the 2.5 % trim).
    let (low, high) = if low + high + 3 <= diffs.len() { (low, high) } else { (cut, cut) };
    let trimmed = &diffs[low..diffs.len() - high];
    // The standard deviation of a normal trimmed to its central 95 % is 0.8713 σ.
    let trimmed_sigma = standard_deviation(trimmed).unwrap_or(0.0) / 0.871_3 / std::f64::consts::SQRT_2;
    let sigma = mad.max(trimmed_sigma);
    if sigma > 0.0 {
        return Some(sigma);
    }
    // Quantised data: E|d| = σ√2 · √(2/π) for normal noise.
    let mean_abs = diffs.iter().map(|d| d.abs()).sum::<f64>() / diffs.len() as f64;
    let sigma = mean_abs * std::f64::consts::PI.sqrt() / 2.0;
    (sigma > 0.0).then_some(sigma)
}

/// The sums of a lag-1 autocorrelation around `mean`: Σ(xₜ − mean)² and Σ(xₜ − mean)(xₜ₊₁ − mean).
#[must_use]
pub fn lag1_sums(values: &[f64], mean: f64) -> (f64, f64) {
    let var: f64 = values.iter().map(|x| (x - mean).powi(2)).sum();
    let cov: f64 = values.windows(2).map(|w| (w[0] - mean) * (w[1] - mean)).sum();
    (var, cov)
}

/// The lag-1 autocorrelation of `values` around their mean (no correction for bias); `None` for
/// no values or a constant series.
#[must_use]
pub fn lag1_autocorrelation(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let (var, cov) = lag1_sums(values, mean);
    if !var.is_finite() || !cov.is_finite() {
        // Deviations past 1e154 overflow their squares (inf / inf read ρ NaN): the same ratio of
        // the deviations scaled by the largest of them.
        let scale = values.iter().map(|x| (x - mean).abs()).fold(0.0, f64::max);
        let scaled: Vec<f64> = values.iter().map(|x| (x - mean) / scale).collect();
        let (var, cov) = lag1_sums(&scaled, 0.0);
        return (scale.is_finite() && var > 0.0).then(|| cov / var);
    }
    (var > 0.0).then(|| cov / var)
}

/// The lag-1 autocorrelation of `values` less its standard error (1/√n), clipped to [0, 0.95]:
/// white noise reads 0. It sees what the differences' estimate ([`noise_autocorrelation`]),
/// clipped, does not: spikes that come two runs at a time, what is left of a cycle.
#[must_use]
pub fn lag1_autocorrelation_beyond_error(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    lag1_autocorrelation(values).map_or(0.0, |r| (r - 1.0 / n.sqrt()).clamp(0.0, 0.95))
}

/// The lag-1 autocorrelation φ of a series' noise, estimated from its first differences so that
/// level shifts do not inflate it: for AR(1) noise, consecutive differences correlate as
/// −(1 − φ)/2, so φ = 1 + 2·corr(dₜ, dₜ₋₁). Differences beyond 3 robust σ are clipped first (a step
/// or an outlier moves one or two of them). The estimate less its standard error (about 1.7/√n
/// for white noise), clipped to [0, 0.95]: white noise reads as 0, not as a chance 0.1.
/// 0 for fewer than 30 values (too few to tell).
#[must_use]
pub fn noise_autocorrelation(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 30 {
        return 0.0;
    }
    // One buffer, refilled from the values for each step (a difference recomputed is the same
    // bits), where the differences, a copy for their median, their deviations and the clipped
    // differences took one each: a long series' estimate (on a thread beside the noise's σ)
    // costs one copy of it.
    let diffs = || values.windows(2).map(|w| w[1] - w[0]);
    let mut scratch: Vec<f64> = diffs().collect();
    // A median does not depend on the order of its values, so the buffer is sorted in place.
    let Some(center) = median_in_place(&mut scratch) else { return 0.0 };
    scratch.clear();
    scratch.extend(diffs().map(|d| (d - center).abs()));
    let mad = median_in_place(&mut scratch).map(|m| m * MAD_TO_SIGMA);
    let spread = if let Some(mad) = mad.filter(|s| *s > 0.0) {
        mad
    } else {
        // The variance sums in order: the differences as they come.
        scratch.clear();
        scratch.extend(diffs());
        let Some(variance) = variance(&scratch) else { return 0.0 };
        variance.sqrt()
    };
    if spread <= 0.0 {
        return 0.0;
    }
    scratch.clear();
    scratch.extend(diffs().map(|d| (d - center).clamp(-3.0 * spread, 3.0 * spread)));
    let clipped = scratch;
    let Some(lag1) = lag1_autocorrelation(&clipped) else { return 0.0 };
    let phi = 1.0 + 2.0 * lag1;
    (phi - 1.7 / (n as f64).sqrt()).clamp(0.0, 0.95)
}

/// The lag-1 autocorrelation φ of the runs of the given levels, each less its own median: the
/// Yule–Walker estimate within the levels (so level shifts do not inflate it), deviations clipped
/// at 4 robust σ of their level (a spike is not a runner's lasting state), less the bias of the
/// levels' means (Kendall: −(1 + 3φ)/n a level), clipped to [0, 0.95]. 0 where the levels of 3
/// runs or more hold fewer than `min_runs` runs. Its error is about √((1 − φ²)/n); white noise
/// reads 0 ± 1/√n.
#[must_use]
pub fn autocorrelation_within<'a>(levels_runs: impl Iterator<Item = &'a [f64]>, min_runs: usize) -> f64 {
    let (mut cov, mut var, mut runs, mut levels) = (0.0, 0.0, 0usize, 0usize);
    // One buffer for every level's median and MAD; the clipped deviations are read on the fly.
    let mut scratch: Vec<f64> = Vec::new();
    for level in levels_runs {
        let Some((c, v)) = lag1_sums_about_median(level, &mut scratch) else { continue };
        cov += c;
        var += v;
        runs += level.len();
        levels += 1;
    }
    if runs < min_runs.max(1) || var <= 0.0 {
        return 0.0;
    }
    bias_corrected_phi(cov / var, levels as f64 / runs as f64)
}

/// [`autocorrelation_within`] of each block on its own, and the median of those: a level shift
/// inside one block moves one estimate of many, where in the pooled sums the block that holds a
/// large step outweighs all the others (its deviations are the step's half). `None` where no
/// block has a spread.
#[must_use]
pub fn autocorrelation_median_of_blocks<'a>(blocks: impl Iterator<Item = &'a [f64]>) -> Option<f64> {
    let mut scratch: Vec<f64> = Vec::new();
    let mut each: Vec<f64> = blocks
        .filter_map(|block| {
            let (cov, var) = lag1_sums_about_median(block, &mut scratch).filter(|s| s.1 > 0.0)?;
            Some(bias_corrected_phi(cov / var, 1.0 / block.len() as f64))
        })
        .collect();
    median_in_place(&mut each)
}

/// A level's lag-1 sums (cross products, squares) of its runs less its median, each deviation
/// clipped at 4 robust σ (a spike is not a runner's lasting state), about their mean. `None` for
/// fewer than 3 runs or no spread.
fn lag1_sums_about_median(level: &[f64], scratch: &mut Vec<f64>) -> Option<(f64, f64)> {
    if level.len() < 3 {
        return None;
    }
    scratch.clear();
    scratch.extend_from_slice(level);
    let center = median_in_place(scratch)?;
    scratch.clear();
    scratch.extend(level.iter().map(|v| (v - center).abs()));
    let spread = median_in_place(scratch).map(|m| m * MAD_TO_SIGMA).filter(|s| *s > 0.0)?;
    let clipped = || level.iter().map(|x| (x - center).clamp(-4.0 * spread, 4.0 * spread));
    let mean = clipped().sum::<f64>() / level.len() as f64;
    // The squares and the cross products in one pass, each summed in order as alone.
    let (mut var, mut cov) = (-0.0f64, -0.0f64);
    let mut before: Option<f64> = None;
    for d in clipped() {
        var += (d - mean).powi(2);
        if let Some(a) = before {
            cov += (a - mean) * (d - mean);
        }
        before = Some(d);
    }
    Some((cov, var))
}

/// A lag-1 autocorrelation less the bias of its levels' means (Kendall: −(1 + 3φ)/n a level;
/// `levels_per_run` is the levels over the runs), clipped to [0, 0.95].
fn bias_corrected_phi(lag1: f64, levels_per_run: f64) -> f64 {
    let lag1 = lag1.clamp(-0.95, 0.95);
    (lag1 + (1.0 + 3.0 * lag1.max(0.0)) * levels_per_run).clamp(0.0, 0.95)
}

/// How much autocorrelation φ widens the variance of a mean of many runs: (1 + φ)/(1 − φ).
#[must_use]
pub fn long_run_variance_factor(phi: f64) -> f64 {
    let phi = phi.clamp(0.0, 0.95);
    (1.0 + phi) / (1.0 - phi)
}

/// A regular clock a series was measured on (a scrape every hour, a run every 10 minutes), read
/// from its values' times: each value's slot, counted in the clock's ticks from the first. Where
/// runs are missing, or a commit's reruns took slots of their own, the slots have gaps, and a
/// cycle in time keeps its phase where counting values would shift it by one for every gap.
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    /// Each value's slot, from 0, never decreasing (a run off the clock between two on it may
    /// share a slot).
    pub slots: Vec<usize>,
    /// The time between two slots, in the times' unit.
    pub tick: f64,
    /// The newest value on the clock: its time and slot. Slots are counted from it, so the
    /// tick's error does not add up over the whole series.
    pub anchor: (i64, usize),
}

impl Clock {
    /// The slot of a newer value measured at `time`: the ticks since the newest value on the
    /// clock (at least the newest slot; one past it where the time is unknown).
    #[must_use]
    pub fn slot_of(&self, time: Option<i64>) -> usize {
        let newest = self.slots.last().copied().unwrap_or(0);
        let Some(t) = time else { return newest.saturating_add(1) };
        let (at, slot) = self.anchor;
        slot.saturating_add((t.saturating_sub(at) as f64 / self.tick).round().clamp(0.0, CLOCK_MAX_GAP as f64) as usize).max(newest)
    }

    /// Closes the long gaps after which `values` keep their cycle of `period` slots as if no time
    /// had passed: written times that jumped (a runner's zone changed in naive local times, a
    /// clock set wrong) look like an outage, and nothing in the times tells the two apart, but
    /// the cycle does. An outage's runs go on in phase with their slots; a jump's go on in phase
    /// with their order. A gap of [`JUMP_MIN_TICKS`] empty slots or more (and not a whole number
    /// of cycles) is closed to one, two or three ticks where that leaves the fold's squared
    /// residuals (each value less a running mean of the values about it, so steps do not count)
    /// smaller by [`JUMP_EVIDENCE`] (and 2 ln of the closes tried) times their variance a value;
    /// the close that explains most first, then the next, with the ones before it settled. In
    /// `benches/compare/gate_clock.py`'s mode `jump` (9-12 ticks, 30 % of runs missing), the
    /// runs after the jump failed 110 checks without a step, now 7. Where any gap was closed,
    /// the mended fold's squared residuals ([`Clock::fold_squares`]).
    pub fn mend_jumps(&mut self, values: &[f64], period: usize) -> Option<f64> {
        let n = values.len().min(self.slots.len());
        if period < 2 || n < 2 * period {
            return None;
        }
        let d = less_running_mean(&values[..n], period, None);
        let mut mended = None;
        // The one close that explains most, then the next. Taken oldest first, a real gap before
        // a jump was closed: that moved the runs after the jump part of the way and read better.
        loop {
            let slots = &self.slots[..n];
            let fold = PhaseSums::of(&d, slots, period);
            let kept = fold.squares();
            let variance = kept / n.saturating_sub(period).max(1) as f64;
            // Each gap in order, with the phase sums of the values before it.
            let mut before = vec![(0.0, 0usize); period];
            let mut candidates: Vec<(usize, usize, f64)> = Vec::new();
            for i in 1..n {
                let at = &mut before[slots[i - 1] % period];
                *at = (at.0 + d[i - 1], at.1 + 1);
                if let Some(empty) = long_gap(slots, i).filter(|empty| !empty.is_multiple_of(period)) {
                    candidates.extend((empty - 2..=empty).map(|shift| (i, shift, fold.squares_closed(&before, shift % period))));
                }
            }
            // The best of many closes beats its evidence by chance more often than one would.
            let evidence = JUMP_EVIDENCE + 2.0 * (candidates.len().max(1) as f64).ln();
            let best = candidates.into_iter().min_by(|a, b| a.2.total_cmp(&b.2));
            let Some((i, shift, closed)) = best.filter(|&(_, _, closed)| kept - closed > evidence * variance) else { break };
            mended = Some(closed);
            if self.anchor.1 >= self.slots[i] {
                self.anchor.1 -= shift;
            }
            for slot in &mut self.slots[i..] {
                *slot -= shift;
            }
        }
        mended
    }

    /// The squared residuals of `values` (each less a running mean of the `period` values on each
    /// side) about their phases' means, folded by slot.
    #[must_use]
    pub fn fold_squares(&self, values: &[f64], period: usize) -> f64 {
        let n = values.len().min(self.slots.len());
        PhaseSums::of(&less_running_mean(&values[..n], period, None), &self.slots[..n], period.max(1)).squares()
    }

    /// The longest stretch of values with no gap of [`JUMP_MIN_TICKS`] empty slots or more in it
    /// (the values' range), where the clock has such a gap: a cycle read there is not bent by a
    /// jump of the written times. `None` where there is no such gap.
    #[must_use]
    pub fn longest_unbroken(&self) -> Option<std::ops::Range<usize>> {
        let mut breaks: Vec<usize> = (1..self.slots.len()).filter(|&i| long_gap(&self.slots, i).is_some()).collect();
        if breaks.is_empty() {
            return None;
        }
        breaks.insert(0, 0);
        breaks.push(self.slots.len());
        breaks.windows(2).map(|w| w[0]..w[1]).max_by_key(|r| (r.len(), r.start))
    }
}

/// The fewest empty slots in a row that [`Clock::mend_jumps`] asks about: one or two are runs
/// missing, or a change to summer time.
const JUMP_MIN_TICKS: usize = 3;

/// The empty slots before value `i`, where there are [`JUMP_MIN_TICKS`] or more.
fn long_gap(slots: &[usize], i: usize) -> Option<usize> {
    Some((slots[i] - slots[i - 1]).saturating_sub(1)).filter(|&empty| empty >= JUMP_MIN_TICKS)
}

/// How much smaller, in the fold's residual variance a value, the squared residuals of a closed gap
/// must be to close it ([`Clock::mend_jumps`]): a χ² of one degree of freedom at about 0.3 %, to
/// which 2 ln of the closes tried is added (the best of k beats its bar by chance about k times as
/// often).
const JUMP_EVIDENCE: f64 = 9.0;

/// The sums of `values`' first 0, 1, …, n values (n + 1 of them): the sum of `values[a..b]` is
/// the `b`th less the `a`th.
fn prefix_sums(values: &[f64]) -> Vec<f64> {
    let mut prefix = Vec::with_capacity(values.len() + 1);
    prefix.push(0.0);
    for v in values {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + v);
    }
    prefix
}

/// Each of `values` less the mean of the values within `half` places of it, or on `slots` within
/// `half` slots (`None`: one value a slot); O(n) from prefix sums.
fn less_running_mean(values: &[f64], half: usize, slots: Option<&[usize]>) -> Vec<f64> {
    let n = values.len();
    let prefix = prefix_sums(values);
    let (mut lo, mut hi) = (0, 0);
    (0..n)
        .map(|i| {
            let (from, to) = match slots {
                None => (i.saturating_sub(half), (i + half + 1).min(n)),
                Some(s) => {
                    while s[lo] + half < s[i] {
                        lo += 1;
                    }
                    while hi < n && s[hi] <= s[i] + half {
                        hi += 1;
                    }
                    (lo, hi)
                }
            };
            values[i] - (prefix[to] - prefix[from]) / (to - from) as f64
        })
        .collect()
}

/// A series' sums by phase of a cycle ([`Clock::mend_jumps`]): each phase's sum and count, and
/// the sum of squares of all values.
struct PhaseSums {
    sums: Vec<(f64, usize)>,
    squares: f64,
}

impl PhaseSums {
    fn of(d: &[f64], slots: &[usize], period: usize) -> PhaseSums {
        PhaseSums { sums: phase_sums(d, Some(slots), period), squares: d.iter().map(|x| x * x).sum() }
    }

    /// The sum of squares about the phases' means, as the slots are.
    fn squares(&self) -> f64 {
        self.squares_closed(&self.sums, 0)
    }

    /// The sum of squares about the phases' means where the values after a gap (all but
    /// `before`, the phase sums of those before it) are taken `shift` slots earlier: O(period).
    fn squares_closed(&self, before: &[(f64, usize)], shift: usize) -> f64 {
        let period = self.sums.len();
        let explained: f64 = (0..period)
            .map(|phase| {
                let from = (phase + shift) % period;
                let sum = before[phase].0 + self.sums[from].0 - before[from].0;
                let count = before[phase].1 + self.sums[from].1 - before[from].1;
                if count > 0 { sum * sum / count as f64 } else { 0.0 }
            })
            .sum();
        self.squares - explained
    }
}

/// How far from a whole number of ticks a value's time may lie and still be on the clock (a
/// scheduled job's start jitter).
const CLOCK_TOLERANCE: f64 = 0.35;

/// The most ticks counted between two values of a series on a clock (a century of hourly runs):
/// slots stay far from overflowing.
const CLOCK_MAX_GAP: usize = 1_000_000;

/// The clock of a series measured at `times` (one a value, in order), where it has one and it has
/// gaps ([`Clock`]). The tick is the typical spacing: the median of the spacings near the lower
/// quartile's, so that gaps of two or three ticks do not count. Nine values in ten must lie a whole
/// number of ticks (to within [`CLOCK_TOLERANCE`]) after the newest value on the clock before
/// them; one off it takes the nearest slot and leaves the count where it was. `None` where the
/// times are not strictly increasing, not regular (commits pushed at any hour), or have no gap
/// (one value a slot: the values' order is the clock).
#[must_use]
pub fn clock_of(times: &[i64]) -> Option<Clock> {
    let spacings: Vec<f64> = times.windows(2).map(|w| w[1].saturating_sub(w[0]) as f64).collect();
    let (least, most) = spacings.iter().fold((f64::INFINITY, 0.0f64), |(l, m), &d| (l.min(d), m.max(d)));
    // Spacings all within half of the least are one tick each: no gap (and no sort, for check's
    // 1,000 budgets).
    if spacings.len() < 2 || least <= 0.0 || most < 1.5 * least {
        return None;
    }
    let mut sorted = spacings.clone();
    sort_total(&mut sorted);
    let quartile = sorted[sorted.len() / 4];
    let near: Vec<f64> = sorted.iter().copied().filter(|&d| d > 0.5 * quartile && d < 1.5 * quartile).collect();
    let tick = median(&near)?;
    let mut slots = Vec::with_capacity(times.len());
    let mut anchor = (*times.first()?, 0usize);
    slots.push(0usize);
    let mut off = 0usize;
    for &t in &times[1..] {
        let ticks = t.saturating_sub(anchor.0) as f64 / tick;
        let whole = ticks.round().clamp(0.0, CLOCK_MAX_GAP as f64);
        let previous = slots.last().copied().unwrap_or(0);
        let slot = anchor.1.saturating_add(whole as usize).max(previous);
        if (ticks - whole).abs() <= CLOCK_TOLERANCE && slot > previous {
            anchor = (t, slot);
        } else {
            off += 1;
        }
        slots.push(slot);
    }
    if off * 10 > spacings.len() || slots.iter().enumerate().all(|(i, &s)| s == i) {
        return None;
    }
    Some(Clock { slots, tick, anchor })
}

/// The longest cycle looked for, plus one: a running median of this many runs takes out steps.
const SEASON_WINDOW: usize = 49;

/// The period of a cycle that stands out in a series (a daily cycle of runtime metrics sampled
/// hourly is 24), where there is one: the shortest lag from 4 to n/3 (at most 48) whose
/// autocorrelation is a local maximum of at least 0.3 while the autocorrelation at half that lag is
/// negative (a cycle swings back; a trend, a step or AR noise stays positive at every lag).
/// Deviations are clipped at 4 robust σ first. The newest 2,000 values decide. `None` for fewer
/// than 48 values or no cycle.
#[must_use]
pub fn seasonal_period(values: &[f64]) -> Option<usize> {
    cycle_scan(values, None).map(|scan| scan.peak)
}

/// [`seasonal_period`], then put right where noise moved the autocorrelation's peak off the
/// period: the gate's look-back holds only six or seven cycles, and the residuals of a wrong
/// period cut it into short levels; so do the offline detector's ([`deseasonalize`]).
#[must_use]
pub fn seasonal_period_by_fold(values: &[f64]) -> Option<usize> {
    let scan = cycle_scan(values, None)?;
    Some(period_by_fold(&scan))
}

/// [`seasonal_period_by_fold`], where the cycle stands out of the noise left around it: its
/// autocorrelation at the period beyond `CYCLE_Z` standard errors of what noise with the
/// residuals' own lag-1 autocorrelation φ reaches at that lag by chance (Bartlett's variance for
/// AR(1) noise at lags past its memory, (1 + φ²) / ((1 − φ²) n)). Autocorrelated noise (a
/// runner's state lasting several runs) wanders, and its autocorrelation then has chance peaks
/// of 0.3 or more at some lag whose half is negative: in the gate's look-back of 160 runs of AR(1)
/// noise with φ 0.6–0.8, a cycle was read often enough to turn the AR(1) model off for the
/// budget (`gate_accuracy`). A daily cycle of 1–3 σ stands 4–10 standard errors out of its
/// residuals (which are nearly white) over 160 runs.
///
/// `slots` places the values on a clock ([`Clock`]): where some slots are empty (runs missing,
/// or a commit's reruns taking theirs), the cycle is read by slot, not by the values' order.
/// `None`: one value a slot.
#[must_use]
pub fn seasonal_period_beyond_noise(values: &[f64], slots: Option<&[usize]>) -> Option<usize> {
    cycle_beyond_noise(values, slots).map(|cycle| cycle.0)
}

/// [`seasonal_period_beyond_noise`], with the share of the series' variance its fold leaves
/// unexplained (the residuals' variance per degree of freedom over the series'): of two ways to
/// place the same values in a cycle (by order, or on a clock), the one whose fold leaves less.
#[must_use]
pub fn cycle_beyond_noise(values: &[f64], slots: Option<&[usize]>) -> Option<(usize, f64)> {
    let scan = cycle_scan(values, slots)?;
    let plain = scan_beyond_noise(&scan);
    // A level shift among the values (a regression in a daily cycle's look-back) leaves a ramp
    // in the running mean's residuals as wide as its window: their lag-1 autocorrelation then
    // reads near 0.9, and the cycle no longer stood out of what such noise reaches (a +70 % step
    // in a ±20 % daily cycle: the cycle went unread from 12 runs after the step on, the look-back
    // read as AR(1) noise at φ 0.95, and the failing step passed with no finding from 32 runs
    // after it to the history's end, 115 checks). Where the scan found a cycle at all, it is read
    // again with the largest shift between two periods' means taken out. Not on the values'
    // logarithms (a regression multiplies a timing's cycle with its level): tried, AR(1) noise
    // with spikes read 7 more false alarms in 127,000 checks of an independent suite.
    plain.or_else(|| scan_beyond_noise(&cycle_scan(&without_level_shift(values, period_by_fold(&scan))?, slots)?))
}

/// `values` with the largest shift between the period of values from a place on and the period
/// before it taken out of the values from there on: a whole period either side, so the cycle
/// cancels out of the shift. `None` for fewer than three periods, and where the shift does not
/// stand alone: under [`LEVEL_SHIFT_NOISES`] of the run-to-run noise (a robust σ of the
/// differences, over √2), or under [`LEVEL_SHIFT_TYPICAL`] times the median shift over every
/// place (AR(1) noise wanders: its largest shift is about twice its typical one, and at φ
/// 0.88-0.97 many times the run-to-run noise; taken out, it read as a cycle, the AR(1) model
/// was set aside, and a wander failed up to 24 checks in a row, an adversarial review).
fn without_level_shift(values: &[f64], period: usize) -> Option<Vec<f64>> {
    let n = values.len();
    if period < 4 || n < 3 * period {
        return None;
    }
    let prefix = prefix_sums(values);
    let sum = |a: usize, b: usize| prefix[b] - prefix[a];
    let mut shifts: Vec<f64> = (period..=n - period).map(|s| (sum(s, s + period) - sum(s - period, s)) / period as f64).collect();
    let (at, shift) = shifts.iter().copied().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))?;
    let differences: Vec<f64> = values.windows(2).map(|w| w[1] - w[0]).collect();
    let noise = median(&differences).and_then(|m| mad_sigma(&differences, m))? / std::f64::consts::SQRT_2;
    for s in &mut shifts {
        *s = s.abs();
    }
    let typical = median_in_place(&mut shifts)?;
    (shift.is_finite() && shift.abs() >= LEVEL_SHIFT_NOISES * noise && shift.abs() >= LEVEL_SHIFT_TYPICAL * typical)
        .then(|| values.iter().enumerate().map(|(i, &x)| if i >= at + period { x - shift } else { x }).collect())
}

/// How many times the run-to-run noise a level shift must be for the cycle to be read again
/// without it ([`without_level_shift`]). A regression that hid a daily cycle was a shift of 5-13
/// of them 13-90 runs after it (+46 % to +98 % in ±15-20 % and 2-4 % noise); the wanders of
/// AR(1) noise at φ 0.6-0.8 whose removal read as a cycle were 1.7-2.7.
const LEVEL_SHIFT_NOISES: f64 = 5.0;

/// ... and how many times the median shift over every place (there, 11-75; AR(1) noise's
/// wanders at φ 0.9-0.94 that read as a cycle, about 2).
const LEVEL_SHIFT_TYPICAL: f64 = 6.0;

/// Whether the scan's cycle stands out of the noise around it ([`cycle_beyond_noise`]).
fn scan_beyond_noise(scan: &CycleScan<'_>) -> Option<(usize, f64)> {
    let period = period_by_fold(scan);
    let d = &scan.d;
    let n = d.len();
    let variance: f64 = d.iter().map(|x| x * x).sum();
    let at_period = autocorrelation_at(d, scan.slots, period, variance);
    // The residuals of the fold: the noise around the cycle (their mean is 0 by the fold).
    let residuals: Vec<f64> = fold_residuals(d, scan.slots, period).collect();
    let (residual_variance, residual_cov) = lag1_sums(&residuals, 0.0);
    let phi = if residual_variance > 0.0 { (residual_cov / residual_variance).clamp(0.0, 0.95) } else { 0.0 };
    // Read through gaps, the estimate rests on fewer pairs than `n − period`, but its error is
    // still taken as `n` values': counted from the pairs, more real cycles went unread than chance
    // ones were spared (`benches/compare/gate_clock.py`, checks failing after a step: 30 % of runs
    // missing 90 → 88 %, reruns 84 → 80 %, both 72 → 67 %; Gaussian noise 6 checks of 6,334 more).
    let standard_error = ((1.0 + phi * phi) / ((1.0 - phi * phi) * n as f64)).sqrt();
    let unexplained = residual_variance / n.saturating_sub(period).max(1) as f64 / (variance / n as f64);
    (at_period >= CYCLE_Z * standard_error).then_some((period, unexplained))
}

/// How many standard errors a cycle's autocorrelation at its period must stand out of the noise
/// around it ([`seasonal_period_beyond_noise`]).
const CYCLE_Z: f64 = 3.0;

/// The period of a scan's cycle, put right by the fold (see [`seasonal_period_by_fold`]).
fn period_by_fold(scan: &CycleScan<'_>) -> usize {
    let CycleScan { peak, d, slots } = scan;
    let (peak, n) = (*peak, d.len());
    // The autocorrelation of a cycle falls off slowly beside its period (cos 2π/24 = 0.97 at a
    // lag of 23 in a daily cycle of 24), so noise can put its peak a lag or two off. Of the peak and
    // the lags within two of it, the period is the one whose fold leaves the least variance per
    // degree of freedom (phase dispersion minimisation, Stellingwerf 1978): the series' phase means
    // under the wrong period smear the cycle out.
    let dispersion =
        |period: usize| -> f64 { fold_residuals(d, *slots, period).map(|r| r * r).sum::<f64>() / n.saturating_sub(period).max(1) as f64 };
    // A neighbour replaces the peak only where its fold is clearly tighter (the wrong period of a
    // daily cycle leaves 20–30 % more; noise and outliers move it by a few per cent).
    let peak_dispersion = dispersion(peak);
    (peak.saturating_sub(2).max(4)..=(peak + 2).min(n / 2))
        .map(|p| (p, dispersion(p)))
        .filter(|&(p, spread)| p == peak || spread < PERIOD_NEIGHBOUR_MARGIN * peak_dispersion)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(peak, |(p, _)| p)
}

/// Each value of `d` less the mean of its phase under `period` (the fold's residuals); a value's
/// phase is its slot's (`None`: its place) modulo the period.
fn fold_residuals<'a>(d: &'a [f64], slots: Option<&'a [usize]>, period: usize) -> impl Iterator<Item = f64> + 'a {
    let sums = phase_sums(d, slots, period);
    let slot = move |i: usize| slots.map_or(i, |s| s[i]);
    d.iter().enumerate().map(move |(i, x)| x - sums[slot(i) % period].0 / sums[slot(i) % period].1.max(1) as f64)
}

/// Each phase's sum and count of `d` under `period`; a value's phase is its slot's (`None`: its
/// place) modulo the period.
fn phase_sums(d: &[f64], slots: Option<&[usize]>, period: usize) -> Vec<(f64, usize)> {
    let mut sums = vec![(0.0, 0usize); period];
    for (i, &x) in d.iter().enumerate() {
        let at = &mut sums[slots.map_or(i, |s| s[i]) % period];
        *at = (at.0 + x, at.1 + 1);
    }
    sums
}

/// [`autocorrelation_at`] of every lag from 0 to `last`. Without slots, four lags share a pass over
/// the values: each lag's products are summed in the same order as alone (the same bits), with four
/// sums in flight where each addition waited on the one before (the cycle scan of every budget's
/// look-back and trend window reads 49 lags).
fn autocorrelations(d: &[f64], slots: Option<&[usize]>, last: usize, variance: f64) -> Vec<f64> {
    let n = d.len();
    let mut out = Vec::with_capacity(last + 1);
    let mut lag = 0;
    while slots.is_none() && lag + 3 <= last && lag + 3 < n {
        let common = n - (lag + 3);
        let at = |from: usize| &d[from..from + common];
        let (a, b0, b1, b2, b3) = (at(0), at(lag), at(lag + 1), at(lag + 2), at(lag + 3));
        let mut sums = [-0.0f64; 4];
        for i in 0..common {
            sums[0] += a[i] * b0[i];
            sums[1] += a[i] * b1[i];
            sums[2] += a[i] * b2[i];
            sums[3] += a[i] * b3[i];
        }
        // The shorter lags' last pairs, after the others in their order.
        for (j, sum) in sums.iter_mut().enumerate() {
            for i in common..n - (lag + j) {
                *sum += d[i] * d[i + lag + j];
            }
            out.push(*sum / variance);
        }
        lag += 4;
    }
    out.extend((lag..=last).map(|l| autocorrelation_at(d, slots, l, variance)));
    out
}

/// The autocorrelation of `d` (centred, with `variance` its sum of squares) at `lag`: over the
/// pairs of values `lag` slots apart. Where slots are empty, the sum
/// over the pairs found is scaled to as many pairs as `lag` values apart in the series' order
/// would give (`n − lag`), so that a cycle read through gaps stands as high as one read without.
fn autocorrelation_at(d: &[f64], slots: Option<&[usize]>, lag: usize, variance: f64) -> f64 {
    let n = d.len();
    let Some(slots) = slots else {
        return d.iter().zip(&d[lag.min(n)..]).map(|(a, b)| a * b).sum::<f64>() / variance;
    };
    let (mut sum, mut pairs, mut j) = (0.0, 0usize, 0usize);
    for (i, a) in d.iter().enumerate() {
        let target = slots[i] + lag;
        while j < n && slots[j] < target {
            j += 1;
        }
        if j == n {
            break;
        }
        if slots[j] == target {
            sum += a * d[j];
            pairs += 1;
        }
    }
    if pairs == 0 { 0.0 } else { sum * (n.saturating_sub(lag) as f64 / pairs as f64) / variance }
}

/// What the autocorrelation scan for a cycle found: the peak's lag, the series it scanned (less
/// its running mean, clipped, centred), and the slots of its values where they have gaps.
struct CycleScan<'a> {
    peak: usize,
    d: Vec<f64>,
    slots: Option<&'a [usize]>,
}

fn cycle_scan<'a>(values: &[f64], slots: Option<&'a [usize]>) -> Option<CycleScan<'a>> {
    let from = values.len().saturating_sub(2000);
    let values = &values[from..];
    let slots = slots.map(|s| &s[from..]);
    let n = values.len();
    if n < 48 {
        return None;
    }
    // Less a running mean over 49 slots (two daily cycles of hourly runs; O(n) from prefix sums),
    // so a step or a drift does not make every lag look alike; the cycle averages out of it.
    let detrended = less_running_mean(values, SEASON_WINDOW / 2, slots);
    let center = median(&detrended)?;
    let spread = mad_sigma(&detrended, center).filter(|s| *s > 0.0)?;
    let clipped: Vec<f64> = detrended.iter().map(|x| (x - center).clamp(-4.0 * spread, 4.0 * spread)).collect();
    let mean = clipped.iter().sum::<f64>() / n as f64;
    let d: Vec<f64> = clipped.iter().map(|x| x - mean).collect();
    let variance: f64 = d.iter().map(|x| x * x).sum();
    if variance <= 0.0 {
        return None;
    }
    let max_lag = (n / 3).min(SEASON_WINDOW - 1);
    let acf = autocorrelations(&d, slots, max_lag + 1, variance);
    let peak = (4..=max_lag).find(|&p| acf[p] >= 0.3 && acf[p] >= acf[p - 1] && acf[p] >= acf[p + 1] && acf[p / 2] < 0.0)?;
    Some(CycleScan { peak, d, slots })
}

/// How much tighter a neighbouring lag's fold must be than the autocorrelation peak's to be the
/// period instead.
const PERIOD_NEIGHBOUR_MARGIN: f64 = 0.9;

/// The cycle of period `period`: for each phase (position mod period), how far its values' median
/// lies from the median of all. Subtracting it leaves the level and the noise.
#[must_use]
pub fn seasonal_profile(values: &[f64], period: usize) -> Vec<f64> {
    let period = period.max(1);
    phase_profile(&phases(values, None, period), median(values).unwrap_or(0.0))
}

/// Each phase's values with their places, in the series' order: a value's phase is its slot's
/// (`None`: its place's) modulo `period`.
fn phases(values: &[f64], slots: Option<&[usize]>, period: usize) -> Vec<Vec<(f64, usize)>> {
    let mut phases: Vec<Vec<(f64, usize)>> = vec![Vec::with_capacity(values.len() / period + 1); period];
    for (i, &x) in values.iter().enumerate() {
        phases[slots.map_or(i, |s| s[i]) % period].push((x, i));
    }
    phases
}

/// How far each phase's median lies from `overall` (0 for a phase without values).
fn phase_profile(phases: &[Vec<(f64, usize)>], overall: f64) -> Vec<f64> {
    let mut scratch = Vec::new();
    phases
        .iter()
        .map(|at| {
            scratch.clear();
            scratch.extend(at.iter().map(|&(x, _)| x));
            median(&scratch).map_or(0.0, |m| m - overall)
        })
        .collect()
}

/// `values` less their cycle of period `period`, each value less the median of the *other* values
/// of its phase (leave one out), with the cycle itself ([`seasonal_profile`]) for the runs to come.
/// A value's phase is its slot's modulo the period (`slots`: see
/// [`seasonal_period_beyond_noise`]; `None`: its place).
///
/// A value's own phase median holds the value itself, so subtracting it shrinks the value's
/// deviation (by a share of about 1/m with m values a phase): the residuals of the past would look
/// quieter than a new run's, whose phase median never held it, and the gate would judge new runs
/// against too narrow a noise. Left out, a past value's residual has the same spread as a new
/// run's (Hastie and Tibshirani's cross-validated smoother, applied to a phase median).
#[must_use]
pub fn seasonal_residuals(values: &[f64], slots: Option<&[usize]>, period: usize) -> (Vec<f64>, Vec<f64>) {
    let period = period.max(1);
    let overall = median(values).unwrap_or(0.0);
    let phases = phases(values, slots, period);
    let profile = phase_profile(&phases, overall);
    let mut residuals = values.to_vec();
    for mut at in phases {
        let m = at.len();
        if m < 2 {
            continue;
        }
        at.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (rank, &(x, i)) in at.iter().enumerate() {
            // The median of the m − 1 others: the sorted values with this one's rank skipped.
            let other = |j: usize| if j < rank { at[j].0 } else { at[j + 1].0 };
            let others = m - 1;
            let loo = if others % 2 == 1 { other(others / 2) } else { f64::midpoint(other(others / 2 - 1), other(others / 2)) };
            residuals[i] = x - (loo - overall);
        }
    }
    (residuals, profile)
}

/// `values` less their cycle and the period, where [`seasonal_period_by_fold`] finds one (`None`:
/// the values are used as they are, without a copy). The period is put right by the fold: the
/// residuals of a cycle taken out with a period one run off (25 for a daily cycle of 24) beat
/// slowly against the cycle, and the search cut them into levels half a period apart, up and down
/// in turn. The cycle is read about the level ([`seasonal_profile_about_level`]), so that a step
/// or a trend under it is left in the values for the search to find.
#[must_use]
pub fn deseasonalize(values: &[f64]) -> Option<(Vec<f64>, usize)> {
    let period = seasonal_period_by_fold(values)?;
    let profile = seasonal_profile_about_level(values, period).unwrap_or_else(|| seasonal_profile(values, period));
    Some((values.iter().enumerate().map(|(i, x)| x - profile[i % period]).collect(), period))
}

/// The cycle of period `period` as it stands about the level: each phase's median of the values
/// less their centred moving average over one period (which a cycle averages out of), the
/// profile then centred on zero: the classical decomposition (Kendall and Stuart; R's
/// `decompose`), with medians. `None` where fewer than 3 cycles have a whole window.
///
/// Why not the phase medians of the values themselves ([`seasonal_profile`]): a step under the
/// cycle puts some of each phase's values on each side of it, more after it in the phases that
/// follow the step's, and a median of values in two groups 5 σ apart falls in one group or the
/// other by a single value: the profile took up to half the step into some phases and not others,
/// and the residuals had a saw of 2–3 σ that the search cut into levels (a 40-run cycle with a 5 σ
/// step: false cuts in 10–15 of 60 series, `examples/curves.rs`). About the moving average, a
/// step leaves a ramp over the one period around it, which is one value in each phase's median.
/// O(n) from prefix sums.
#[must_use]
pub fn seasonal_profile_about_level(values: &[f64], period: usize) -> Option<Vec<f64>> {
    let n = values.len();
    if period < 2 || n < 4 * period {
        return None;
    }
    let offset = values[0];
    let mut sums = Vec::with_capacity(n + 1);
    sums.push(0.0);
    let mut s = 0.0;
    for v in values {
        s += v - offset;
        sums.push(s);
    }
    let window = |start: usize| (sums[start + period] - sums[start]) / period as f64 + offset;
    let half = period / 2;
    // Run i's centred average: over [i − half, i − half + period); for an even period the mean
    // of that window and the next (a 2×period average, centred on the run itself).
    let centred = |i: usize| if period % 2 == 1 { window(i - half) } else { f64::midpoint(window(i - half), window(i - half + 1)) };
    let last = n + half + usize::from(period % 2 == 1) - period;
    let mut phases: Vec<Vec<f64>> = vec![Vec::with_capacity(n / period + 1); period];
    for i in half..last {
        phases[i % period].push(values[i] - centred(i));
    }
    let mut profile: Vec<f64> = phases.iter().map(|at| median(at).unwrap_or(0.0)).collect();
    let mean = profile.iter().sum::<f64>() / period as f64;
    for p in &mut profile {
        *p -= mean;
    }
    Some(profile)
}

/// Welch's two-sample t-test: the two-sided p-value that `a` and `b` have the same mean.
/// `None` where either side has fewer than 2 values. Where both sides have no spread at all,
/// equal means give 1 and different means give 0.
#[must_use]
pub fn welch_p_value(a: &[f64], b: &[f64]) -> Option<f64> {
    let (va, vb) = (variance(a)?, variance(b)?);
    Some(welch_from_moments((mean(a)?, va, a.len()), (mean(b)?, vb, b.len())))
}

/// Welch's two-sided p-value from each side's (mean, sample variance, count), counts at least 2.
#[must_use]
pub fn welch_from_moments(a: (f64, f64, usize), b: (f64, f64, usize)) -> f64 {
    let ((mean_a, va, na), (mean_b, vb, nb)) = (a, b);
    let (na, nb) = (na as f64, nb as f64);
    let difference = mean_a - mean_b;
    let se2 = va / na + vb / nb;
    if se2 <= 0.0 {
        return if difference == 0.0 { 1.0 } else { 0.0 };
    }
    let dof = se2 * se2 / ((va / na).powi(2) / (na - 1.0) + (vb / nb).powi(2) / (nb - 1.0)).max(f64::MIN_POSITIVE);
    2.0 * student_t_sf(difference.abs() / se2.sqrt(), dof)
}

/// The survival function P(T > t) of Student's t with `dof` degrees of freedom
/// (the normal distribution for very large `dof`).
#[must_use]
pub fn student_t_sf(t: f64, dof: f64) -> f64 {
    if !t.is_finite() {
        return if t > 0.0 { 0.0 } else { 1.0 };
    }
    let sf = if dof.is_finite() && dof > 0.0 && dof < 1e7 { StudentsT::new(0.0, 1.0, dof).map(|d| d.sf(t)).ok() } else { None };
    sf.unwrap_or_else(|| Normal::standard().sf(t)).clamp(0.0, 1.0)
}

/// The chance that the mean of `k` runs drawn at random (with replacement) from `values` is at
/// least `at`: the empirical saddlepoint approximation (Lugannani–Rice, as Davison and Hinkley
/// give it for the bootstrap's mean), in O(n) per step of the search for the tilt. Where the runs'
/// values are skewed or bimodal (a slow machine state some runs land on), a mean of a few of them
/// has a long tail on the slow side that a t-test's symmetric tail does not have: six slow runs of
/// eight, where 15 % of runs are slow, read p 4e-5 by the t-test and are 3e-4 by the binomial. The
/// runs are spread about their mean by √(1 + k / n) first, for the error of the reference's own
/// share of slow runs, as the t-test widens its σ. 0 where `at` is beyond every value (the
/// empirical distribution cannot reach it: the caller's model judges there), 1 at or below the
/// mean. For callers that take the larger of this and a model's p-value.
#[must_use]
pub fn empirical_mean_sf(values: &[f64], k: usize, at: f64) -> f64 {
    let count = values.len();
    if count < 2 || k == 0 || !at.is_finite() {
        return 1.0;
    }
    let mean = values.iter().sum::<f64>() / count as f64;
    // In units of the farthest run from the mean (widened), so no power of a value overflows
    // and the answer is the same at every magnitude.
    let widen = (1.0 + k as f64 / count as f64).sqrt();
    let scale = values.iter().fold(0.0f64, |m, &x| m.max((x - mean).abs())) * widen;
    if !(scale.is_finite() && mean.is_finite()) || scale <= 0.0 {
        return 1.0;
    }
    let unit = |x: f64| (x - mean) * widen / scale;
    let (at, high) = ((at - mean) / scale, values.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(unit(x))));
    if at <= 0.0 {
        return 1.0;
    }
    if at >= high {
        return 0.0;
    }
    // The tilted distribution's mean and variance at tilt λ (weights exp(λ (y − high)), which
    // never overflow), and the log of the moment generating function.
    let tilted = |lambda: f64| {
        let (mut w_sum, mut wy, mut wyy) = (0.0, 0.0, 0.0);
        for &x in values {
            let y = unit(x);
            let w = (lambda * (y - high)).exp();
            w_sum += w;
            wy += w * y;
            wyy += w * y * y;
        }
        let m = wy / w_sum;
        (m, (wyy / w_sum - m * m).max(0.0), (w_sum / count as f64).ln() + lambda * high)
    };
    // The tilted mean rises with λ (its slope is the tilted variance): Newton's steps from λ = 0,
    // kept within the bracket that the steps so far have found (halving it where a step leaves
    // it), to the λ whose tilted mean is `at`; a few passes over the runs, where bisection to the
    // same precision took 120 (a check where all of 1,000 budgets fail, 1.04 s against 0.93 s).
    let (mut low, mut up, mut lambda) = (0.0f64, f64::INFINITY, 0.0f64);
    for _ in 0..100 {
        let (m, slope, _) = tilted(lambda);
        if m < at {
            low = lambda;
        } else {
            up = lambda;
        }
        if (m - at).abs() <= 1e-12 || (up.is_finite() && up - low <= 1e-12 * up.max(1.0)) {
            break;
        }
        let newton = lambda + (at - m) / slope;
        lambda = if slope > 0.0 && newton > low && newton < up {
            newton
        } else if up.is_finite() {
            0.5 * (low + up)
        } else {
            2.0 * lambda.max(1.0)
        };
    }
    let (_, variance, cgf) = tilted(lambda);
    let kf = k as f64;
    let root = (2.0 * kf * (lambda * at - cgf)).max(0.0).sqrt();
    let tilt = lambda * (kf * variance).sqrt();
    let normal = Normal::standard();
    let sf = if root > 1e-3 && tilt > 1e-12 {
        let density = (-0.5 * root * root).exp() / (2.0 * std::f64::consts::PI).sqrt();
        normal.sf(root) + density * (1.0 / tilt - 1.0 / root)
    } else {
        normal.sf(root)
    };
    if sf.is_finite() { sf.clamp(0.0, 1.0) } else { 1.0 }
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the input's order.
///
/// A finding whose adjusted p-value is at most `q` is a discovery with the expected proportion of
/// false discoveries among all discoveries at most `q`.
#[must_use]
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[b].total_cmp(&p_values[a]));
    let mut adjusted = vec![1.0; m];
    let mut running_min: f64 = 1.0;
    for (rank_from_top, &i) in order.iter().enumerate() {
        let rank = m - rank_from_top;
        running_min = running_min.min(p_values[i] * m as f64 / rank as f64);
        adjusted[i] = running_min.clamp(0.0, 1.0);
    }
    adjusted
}

/// The slope per step of evenly spaced `y`: the median of the slopes between points at least
/// half the window apart (a Theil–Sen estimator on its long-baseline pairs). A slope over lag l
/// carries 1/l² of the noise of one over lag 1, so these pairs hold most of what the window says
/// about a trend, at a quarter of the cost of all pairs; no point is in more than a few per cent
/// of them, so a few outliers do not move it. All pairs below 16 points. `None` below 3 points.
#[must_use]
pub fn long_lag_slope(y: &[f64]) -> Option<f64> {
    let n = y.len();
    if n < 3 {
        return None;
    }
    let min_lag = if n < 16 { 1 } else { n / 2 };
    let mut slopes = Vec::with_capacity((n - min_lag) * (n - min_lag + 1) / 2);
    for lag in min_lag..n {
        let l = lag as f64;
        slopes.extend(y.iter().zip(&y[lag..]).map(|(a, b)| (b - a) / l));
    }
    median_in_place(&mut slopes)
}

/// Mann–Kendall's S of `y` (the pairs of runs whose later one is larger less those whose later one
/// is smaller; ties, as `<` and `>` read them, count neither way) and the ties' term of its
/// variance (Σ t(t − 1)(2t + 5) over the groups of equal values, in the total order). In
/// O(n log n): one sort of the values' [`total_key`]s with their places (plain integers) gives both
/// the groups and each run's rank, and the runs in order are counted against the earlier runs'
/// ranks in a Fenwick tree, where all pairs took 7,000 comparisons for the trend's 120 runs of every
/// budget at every check. All pairs where a value is NaN (not in the engine's input, but then as
/// before).
fn kendall_s_and_ties(y: &[f64]) -> (i64, f64) {
    let n = y.len();
    // Each run's key above its place, one integer: sorted, the runs in the total order.
    let mut sorted: Vec<u128> = y.iter().enumerate().map(|(i, &v)| u128::from(total_key(v)) << 64 | i as u128).collect();
    sorted.sort_unstable();
    let place = |w: usize| (sorted[w] as u64) as usize;
    let mut ties = 0.0;
    let mut run = 1usize;
    for i in 1..=n {
        if i < n && sorted[i] >> 64 == sorted[i - 1] >> 64 {
            run += 1;
        } else {
            let t = run as f64;
            ties += t * (t - 1.0) * (2.0 * t + 5.0);
            run = 1;
        }
    }
    if y.iter().any(|v| v.is_nan()) {
        let s = (0..n).map(|i| y[i + 1..].iter().map(|&b| i64::from(b > y[i]) - i64::from(b < y[i])).sum::<i64>()).sum();
        return (s, ties);
    }
    // Dense ranks in the order of `<`: 0 and −0 (next to each other in the total order, and not
    // one below the other) are one.
    let mut rank = vec![0usize; n];
    let mut r = 0;
    for w in 1..n {
        if y[place(w - 1)] < y[place(w)] {
            r += 1;
        }
        rank[place(w)] = r;
    }
    // A Fenwick tree of how many earlier runs hold each rank (1-based).
    let mut tree = vec![0i64; r + 2];
    let below = |tree: &[i64], mut end: usize| {
        let mut count = 0;
        while end > 0 {
            count += tree[end];
            end &= end - 1;
        }
        count
    };
    let mut s = 0i64;
    for (j, &rank) in rank.iter().enumerate() {
        let (smaller, not_larger) = (below(&tree, rank), below(&tree, rank + 1));
        s += smaller - (j as i64 - not_larger);
        let mut at = rank + 1;
        while at < tree.len() {
            tree[at] += 1;
            at += at & at.wrapping_neg();
        }
    }
    (s, ties)
}

/// The Mann–Kendall trend test: the two-sided p-value that `y` (in order) has no monotonic trend.
/// Normal approximation with the variance corrected for ties. O(n log n) ([`kendall_s_and_ties`]).
#[must_use]
pub fn mann_kendall_p_value(y: &[f64]) -> Option<f64> {
    let n = y.len();
    if n < 4 {
        return None;
    }
    let (s, ties) = kendall_s_and_ties(y);
    let nf = n as f64;
    let var = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    if var <= 0.0 {
        return Some(1.0);
    }
    // With the continuity correction of 1 towards zero.
    let z = match s.cmp(&0) {
        std::cmp::Ordering::Greater => (s - 1) as f64 / var.sqrt(),
        std::cmp::Ordering::Less => (s + 1) as f64 / var.sqrt(),
        std::cmp::Ordering::Equal => 0.0,
    };
    Some(2.0 * student_t_sf(z.abs(), f64::INFINITY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mean_of_few_runs_of_a_bimodal_reference_has_the_binomials_long_slow_tail_and_of_gaussian_runs_the_normals() {
        // 15 % of 200 runs slow (1), the rest 0: six slow of eight or more is the binomial's 2.4e-4
        // (the normal's tail of the same mean and variance, 5e-7; the t-test's with 28 degrees of
        // freedom, 3e-5). The saddlepoint reads the runs as a continuous scale, below the lattice's
        // exact answer by a few times, far above the symmetric tails.
        let two_point: Vec<f64> = (0..200).map(|i| if i % 20 < 3 { 1.0 } else { 0.0 }).collect();
        let six_of_eight = empirical_mean_sf(&two_point, 8, 0.75);
        assert!((5e-5..1e-3).contains(&six_of_eight), "{six_of_eight}");
        // Beyond every run the runs cannot reach it; at or below their mean it is no evidence.
        assert!(empirical_mean_sf(&two_point, 8, 1.1) <= 0.0);
        assert!(empirical_mean_sf(&two_point, 8, 0.1) >= 1.0);
        // Gaussian runs: the normal's tail of a mean of 8, at every magnitude.
        let mut rng = crate::engine::synthetic::Rng::new(3);
        let mut runs: Vec<f64> = (0..2000).map(|_| rng.gaussian()).collect();
        let (center, spread) = (mean(&runs).unwrap(), standard_deviation(&runs).unwrap());
        for x in &mut runs {
            *x = (*x - center) / spread;
        }
        for at in [1.0, 1.3] {
            let normal = Normal::standard().sf(at * 8f64.sqrt());
            let sf = empirical_mean_sf(&runs, 8, at);
            assert!((sf / normal - 1.0).abs() < 0.25, "{at}: {sf} against {normal}");
            for scale in [1e-12, 1e12] {
                let scaled: Vec<f64> = runs.iter().map(|x| x * scale + 5.0 * scale).collect();
                let again = empirical_mean_sf(&scaled, 8, (at + 5.0) * scale);
                assert!((again / sf - 1.0).abs() < 1e-6, "{scale}: {again} against {sf}");
            }
        }
        // No panic and no NaN on degenerate runs.
        assert!(empirical_mean_sf(&[2.0; 10], 3, 5.0) >= 1.0);
        assert!(empirical_mean_sf(&[], 3, 5.0) >= 1.0);
        assert!(empirical_mean_sf(&[f64::MAX, -f64::MAX, 0.0], 2, 1e300).is_finite());
    }

    #[test]
    fn the_working_scale_is_one_for_every_ordinary_series_and_a_power_of_two_beyond() {
        for ordinary in [&[][..], &[0.0, 0.0], &[1e-29, 5e29, -3.0], &[0.0, 1e-29, f64::NAN]] {
            assert_eq!(working_scale(ordinary.iter().copied()), None, "{ordinary:?}");
        }
        let median_near_one = |values: &[f64]| {
            let scale = working_scale(values.iter().copied()).unwrap();
            assert_eq!(scale.to_bits() & ((1 << 52) - 1), 0, "{scale:e} is a power of two");
            let mut scaled: Vec<f64> = values.iter().map(|v| (v * scale).abs()).collect();
            median_in_place(&mut scaled).unwrap()
        };
        for values in [&[1e300, 1.1e300, 0.9e300][..], &[-1e-300, -2e-300, 3e-300], &[1e40, 1e41, 1e39]] {
            let median = median_near_one(values);
            assert!((1.0..2.0).contains(&median), "{values:?}: {median}");
        }
        // Subnormals, by the largest power of two there is: into the range judged as it is.
        let median = median_near_one(&[5e-324, 1e-320, 2e-320]);
        assert!(median > 2f64.powi(-WORKING_RANGE), "{median:e}");
        // A huge value among tiny ones is not scaled past f64's range: the largest stays below 2^1000,
        // the smallest above 2^-1000; values spanning more are not scaled.
        let mixed = [1e-300, 2e-300, 3e-300, 1e300];
        let scale = working_scale(mixed.iter().copied()).unwrap();
        assert!(mixed.iter().all(|v| v * scale < 2f64.powi(1000) && v * scale >= 2f64.powi(-1000)), "{scale:e}");
        assert_eq!(working_scale([1e-310, 1e300, 1e300].into_iter()), None);
    }

    #[test]
    fn the_noise_of_huge_values_is_measured_not_overflowed() {
        // Values near 1e300 with 2 % noise: their differences, squared, overflow; the noise's σ
        // (and the share the report prints) must not.
        let mut rng = crate::engine::synthetic::Rng::new(3);
        let values: Vec<f64> = (0..60).map(|_| 1e300 * (1.0 + 0.02 * rng.gaussian())).collect();
        let sigma = noise_sigma(&values).unwrap();
        assert!((sigma / 1e300 - 0.02).abs() < 0.006, "{sigma:e}");
        let plain: Vec<f64> = values.iter().map(|v| v / 1e300).collect();
        let expected = standard_deviation(&plain).unwrap() * 1e300;
        assert!((standard_deviation(&values).unwrap() / expected - 1.0).abs() < 1e-12);
        // Within f64's squares, the plain square root of the variance, to the bit.
        assert_eq!(standard_deviation(&plain).unwrap().to_bits(), variance(&plain).unwrap().sqrt().to_bits());
        assert_eq!(standard_deviation(&[1.0]), None);
        // Their lag-1 autocorrelation is that of the same values scaled down.
        let (huge, scaled) = (lag1_autocorrelation(&values).unwrap(), lag1_autocorrelation(&plain).unwrap());
        assert!((huge - scaled).abs() < 1e-9, "{huge} against {scaled}");
    }

    #[test]
    fn the_mad_of_sorted_values_is_the_mad_of_the_values() {
        let mut rng = crate::engine::synthetic::Rng::new(11);
        for n in [1, 2, 3, 4, 7, 100, 101, 5_000, 70_001] {
            // Skewed noise, quantised values (ties, and deviations tied across the center),
            // negatives and a few huge ones.
            let mut values: Vec<f64> = (0..n)
                .map(|i| match i % 4 {
                    0 => rng.gaussian().exp(),
                    1 => (rng.gaussian() * 4.0).round() / 4.0,
                    2 => -rng.gaussian().abs() * 3.0,
                    _ => rng.gaussian() * 1e6,
                })
                .collect();
            sort_total(&mut values);
            let center = sorted_median(&values).unwrap();
            for center in [center, 0.0, 0.25, values[0], values[n - 1]] {
                let merged = sorted_mad_sigma(&values, center).map(f64::to_bits);
                assert_eq!(merged, mad_sigma(&values, center).map(f64::to_bits), "{n} values about {center}");
            }
        }
        assert_eq!(sorted_mad_sigma(&[], 0.0), None);
    }

    #[test]
    fn a_radix_sort_gives_the_sequence_a_comparison_sort_gives() {
        let mut rng = crate::engine::synthetic::Rng::new(5);
        let special = [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -f64::NAN, f64::MIN_POSITIVE, -f64::MIN_POSITIVE, 5e-324];
        for n in [0, 1, 2, 100, 5_000, 70_000] {
            // Noise, a run of equal values (quantised timings), values of every scale and sign.
            let values: Vec<f64> = (0..n)
                .map(|i| match i % 5 {
                    0 => rng.gaussian(),
                    1 => 40.0 + (rng.gaussian() * 4.0).round() / 4.0,
                    2 => rng.gaussian() * 10f64.powi(i as i32 % 40 - 20),
                    3 => special[i % special.len()],
                    _ => -(i as f64),
                })
                .collect();
            let mut radix = values.clone();
            sort_total(&mut radix);
            let mut compared = values;
            compared.sort_unstable_by(f64::total_cmp);
            assert!(radix.iter().map(|v| v.to_bits()).eq(compared.iter().map(|v| v.to_bits())), "{n} values");
        }
        // Every value alike: every pass is skipped.
        let mut same = vec![1.5; 10_000];
        sort_total(&mut same);
        assert!(same.iter().all(|v| v.to_bits() == 1.5f64.to_bits()));
    }

    #[test]
    fn a_past_run_is_judged_against_the_other_runs_of_its_phase() {
        // Period 2: phase 0 holds 1, 5, 3; phase 1 holds 10, 10, 10. The overall median is 7.5.
        let values = [1.0, 10.0, 5.0, 10.0, 3.0, 10.0];
        let (residuals, profile) = seasonal_residuals(&values, None, 2);
        assert_eq!(profile, vec![3.0 - 7.5, 10.0 - 7.5]);
        // 1 against the median of 5 and 3 (4), 5 against that of 1 and 3 (2), 3 against 1 and 5 (3).
        let expected = [1.0 - (4.0 - 7.5), 10.0 - 2.5, 5.0 - (2.0 - 7.5), 10.0 - 2.5, 3.0 - (3.0 - 7.5), 10.0 - 2.5];
        assert_eq!(residuals, expected);
        // Left out, the residuals spread as much as a new run's would; with its own phase median
        // subtracted, the extreme runs of a phase looked closer to it than they are.
        let in_sample: Vec<f64> = values.iter().enumerate().map(|(i, x)| x - profile[i % 2]).collect();
        assert!(variance(&residuals).unwrap() > variance(&in_sample).unwrap());
    }

    #[test]
    fn a_step_inside_one_block_moves_the_blocks_median_autocorrelation_little_and_the_pooled_one_to_its_cap() {
        // Six blocks of 20 runs of AR(1) noise at φ 0.7, the second holding a step of 10 times the
        // noise's σ at its middle (a new benchmark's regression at run 30 of 120).
        let mut pooled = Vec::new();
        let mut medians = Vec::new();
        for seed in 1..=20u64 {
            let mut rng = crate::engine::synthetic::Rng::new(seed);
            let mut e = 0.0;
            let values: Vec<f64> = (0..120)
                .map(|i| {
                    e = 0.7 * e + (1.0f64 - 0.49).sqrt() * rng.gaussian();
                    e + if i >= 30 { 10.0 } else { 0.0 }
                })
                .collect();
            let blocks = || values.chunks(20);
            pooled.push(autocorrelation_within(blocks(), 0));
            medians.push(autocorrelation_median_of_blocks(blocks()).expect("spread"));
        }
        let median = |v: &mut Vec<f64>| median_in_place(v).expect("values");
        let (pooled, medians) = (median(&mut pooled), median(&mut medians));
        assert!(pooled > 0.9, "{pooled}");
        assert!((0.55..0.85).contains(&medians), "{medians}");
        // No block with a spread: none.
        assert_eq!(autocorrelation_median_of_blocks([[1.0; 20], [1.0; 20]].iter().map(|b| &b[..])), None);
    }

    #[test]
    fn a_daily_cycle_of_a_gates_look_back_has_a_period_of_24_not_its_neighbour() {
        // 160 hourly runs, as the gate looks back over: the autocorrelation's peak falls on 21 to
        // 25 for a fifth of them (31 of these 40 were right), and the fold puts most back.
        let mut rng = crate::engine::synthetic::Rng::new(24);
        let mut periods = Vec::new();
        for _ in 0..40 {
            let series = crate::engine::synthetic::gate_series(crate::engine::synthetic::NoiseKind::Seasonal, 160, None, &mut rng);
            periods.push(seasonal_period_by_fold(&series.values));
        }
        let right = periods.iter().filter(|&&p| p == Some(24)).count();
        assert!(right >= 35, "{periods:?}");
    }

    #[test]
    fn autocorrelated_noise_is_not_read_as_a_cycle_and_a_daily_cycle_still_is() {
        // 160 runs, as the gate looks back over. AR(1) noise with φ 0.6–0.8 wanders, and its
        // autocorrelation has chance peaks at some lag; a daily cycle of 1–3 σ stands out of its
        // residuals.
        use crate::engine::synthetic::{NoiseKind, gate_series};
        let mut rng = crate::engine::synthetic::Rng::new(26);
        let (mut folded, mut beyond) = (0, 0);
        for _ in 0..200 {
            let values = gate_series(NoiseKind::Autocorrelated, 160, None, &mut rng).values;
            folded += usize::from(seasonal_period_by_fold(&values).is_some());
            beyond += usize::from(seasonal_period_beyond_noise(&values, None).is_some());
        }
        let mut daily = Vec::new();
        for _ in 0..100 {
            let values = gate_series(NoiseKind::Seasonal, 160, None, &mut rng).values;
            daily.push((seasonal_period_by_fold(&values), seasonal_period_beyond_noise(&values, None)));
        }
        let kept = daily.iter().filter(|(by_fold, beyond)| by_fold.is_some() && by_fold == beyond).count();
        let found = daily.iter().filter(|d| d.0.is_some()).count();
        // Of 200 AR(1) series, the autocorrelation's peak and the fold read a cycle in 15; 4 stand
        // out of the noise around them. Of 100 daily cycles, 98 keep their period.
        assert!(folded >= 10 && beyond * 3 <= folded, "AR(1): a cycle read in {folded} of 200, {beyond} standing out");
        assert!(found >= 95 && kept >= 95, "daily: {found} found, {kept} kept of 100");
    }

    #[test]
    fn a_gap_after_which_the_cycle_goes_on_as_if_no_time_passed_is_closed_and_an_outage_is_not() {
        // Hourly runs of a daily cycle of 4 σ, 30 % of the hours missing. In one history the
        // written times jump 10 hours on at run 100 (a zone change); in the other the hours
        // 100-109 are an outage and the cycle went on through them. Both read as a gap of 10.
        for seed in 0..4 {
            let mut rng = crate::engine::synthetic::Rng::new(seed);
            let (mut values, mut truth) = (Vec::new(), Vec::new());
            for hour in 0..180usize {
                if rng.uniform() < 0.3 {
                    continue;
                }
                values.push(4.0 * (std::f64::consts::TAU * hour as f64 / 24.0).sin() + rng.gaussian());
                truth.push(hour);
            }
            let jumped: Vec<usize> = truth.iter().map(|&h| if h >= 100 { h + 10 } else { h }).collect();
            let hour_ms = 3_600_000i64;
            let clock = |slots: &[usize]| clock_of(&slots.iter().map(|&s| s as i64 * hour_ms).collect::<Vec<_>>()).unwrap();
            let mut jump = clock(&jumped);
            assert!(jump.mend_jumps(&values, 24).is_some(), "seed {seed}");
            let first = truth.iter().position(|&h| h >= 100).unwrap();
            let off = jump.slots[first] as i64 - jump.slots[0] as i64 - (truth[first] - truth[0]) as i64;
            let gaps: Vec<(usize, usize)> =
                jump.slots.windows(2).zip(truth.windows(2)).map(|(s, t)| (s[1] - s[0], t[1] - t[0])).filter(|(a, b)| a != b).collect();
            assert!((0..=2).contains(&off) && gaps.len() <= 1, "seed {seed}: {off} slots off {gaps:?}");
            // The next run's slot follows the mended clock.
            let next = jump.slot_of(Some((jumped.last().unwrap() + 1) as i64 * hour_ms));
            assert_eq!(next, jump.slots.last().unwrap() + 1);
            let (kept, hours): (Vec<f64>, Vec<usize>) =
                values.iter().zip(&truth).filter(|(_, h)| !(100..110).contains(*h)).map(|(v, h)| (*v, *h)).unzip();
            let mut outage = clock(&hours);
            assert!(outage.mend_jumps(&kept, 24).is_none(), "seed {seed}: an outage closed");
        }
    }

    #[test]
    fn a_clock_places_runs_by_their_times_and_only_where_they_have_gaps() {
        let minute = 60_000;
        // Every hour (a scheduled job), runs 3, 4 and 8 missing, each up to 90 seconds late or early.
        let jitter = [0, 80, -70, 30, -60, 75, 0, -90, 45, 10, -20];
        let times: Vec<i64> = (0..11).filter(|i| ![3, 4, 8].contains(i)).map(|i| i * 60 * minute + jitter[i as usize] * 1000).collect();
        let clock = clock_of(&times).expect("a clock with gaps");
        assert_eq!(clock.slots, vec![0, 1, 2, 5, 6, 7, 9, 10]);
        assert_eq!(clock.slot_of(Some(times[7] + 60 * minute)), 11);
        assert_eq!(clock.slot_of(Some(times[7] + 3 * minute)), 10, "a rerun minutes later is the same slot");
        assert_eq!(clock.slot_of(None), 11);
        // One run a slot: the order is the clock already.
        let dense: Vec<i64> = (0..50).map(|i| i * 3_600_000).collect();
        assert_eq!(clock_of(&dense), None);
        // Commits pushed at any minute are on no clock.
        let mut rng = crate::engine::synthetic::Rng::new(5);
        let mut t = 0;
        let random: Vec<i64> = (0..200)
            .map(|_| {
                t += (rng.uniform().max(1e-9).ln().abs() * 40.0 * minute as f64) as i64 + 1;
                t
            })
            .collect();
        assert_eq!(clock_of(&random), None);
        // Times out of order, or two runs at one time, are no clock either.
        assert_eq!(clock_of(&[0, 20 * minute, 10 * minute, 40 * minute]), None);
        assert_eq!(clock_of(&[0, 10 * minute, 10 * minute, 30 * minute]), None);
        assert_eq!(clock_of(&[0]), None);
        // A manual run 20 minutes after a scheduled one shares its hour; the next hour is still the next slot.
        let hour = 60 * minute;
        let manual = clock_of(&[
            0,
            hour,
            2 * hour,
            2 * hour + 20 * minute,
            3 * hour,
            5 * hour,
            6 * hour,
            7 * hour,
            8 * hour,
            9 * hour,
            10 * hour,
            11 * hour,
        ]);
        assert_eq!(manual.map(|c| c.slots), Some(vec![0, 1, 2, 2, 3, 5, 6, 7, 8, 9, 10, 11]));
        // Far-apart times do not overflow the slots: a gap past a million ticks is off the clock.
        let mut far: Vec<i64> = (0..10).map(|i| i64::MIN + 2 * i).collect();
        far.extend([i64::MIN + 22, i64::MAX]);
        let far = clock_of(&far).expect("a clock");
        assert_eq!(far.slots, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 1_000_011]);
        assert_eq!((far.slot_of(Some(i64::MIN)), far.slot_of(Some(i64::MAX))), (1_000_011, 1_000_011));
    }

    #[test]
    fn a_daily_cycle_with_runs_missing_is_read_on_its_clock() {
        // 240 hourly runs of a daily cycle of 1–3 σ, 30 % of them missing: counted in runs, every
        // missing hour shifts the phase of all later runs, and the cycle is lost in most series.
        use crate::engine::synthetic::{NoiseKind, Rng, gate_series};
        let mut rng = Rng::new(30);
        let (mut on_clock, mut in_order, mut series) = (0, 0, 0);
        for _ in 0..40 {
            let all = gate_series(NoiseKind::Seasonal, 240, None, &mut rng).values;
            let kept: Vec<usize> = (0..240).filter(|_| rng.uniform() >= 0.3).collect();
            let values: Vec<f64> = kept.iter().map(|&i| all[i]).collect();
            let times: Vec<i64> = kept.iter().map(|&i| i as i64 * 3_600_000).collect();
            let clock = clock_of(&times).expect("gaps");
            assert_eq!(clock.slots, kept.iter().map(|&i| i - kept[0]).collect::<Vec<_>>());
            series += 1;
            on_clock += usize::from(seasonal_period_beyond_noise(&values, Some(&clock.slots)) == Some(24));
            in_order += usize::from(seasonal_period_beyond_noise(&values, None) == Some(24));
        }
        assert!(on_clock >= 34, "on the clock: {on_clock} of {series}, in order {in_order}");
        assert!(in_order <= 10, "in order: {in_order} of {series}");
        // Residuals by slot take the cycle out: less spread than the values had.
        let all = gate_series(NoiseKind::Seasonal, 240, None, &mut rng).values;
        let kept: Vec<usize> = (0..240).filter(|i| i % 3 != 1).collect();
        let values: Vec<f64> = kept.iter().map(|&i| all[i]).collect();
        let (residuals, profile) = seasonal_residuals(&values, Some(&kept), 24);
        assert_eq!(profile.len(), 24);
        assert!(variance(&residuals).unwrap() < 0.7 * variance(&values).unwrap());
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn noise_of_a_step_is_the_noise_not_the_step() {
        let mut values: Vec<f64> = (0..200).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        for v in &mut values[100..] {
            *v += 50.0;
        }
        let sigma = noise_sigma(&values).unwrap();
        assert!(sigma < 2.0, "{sigma}");
    }

    #[test]
    fn the_noise_between_spikes_is_the_noise_and_without_spikes_the_same_as_before() {
        let mut rng = crate::engine::synthetic::Rng::new(4);
        let mut values: Vec<f64> = (0..160).map(|_| 100.0 + rng.gaussian()).collect();
        assert_eq!(noise_sigma_between_spikes(&values), noise_sigma(&values));
        // Five runs 30 σ slower: ten differences beyond the fence, three trimmed at each end.
        for i in [15, 45, 80, 115, 150] {
            values[i] += 30.0;
        }
        let between = noise_sigma_between_spikes(&values).unwrap();
        let all = noise_sigma(&values).unwrap();
        // (The trim's correction for the tails it assumes cut reads normal noise 15 % wide.)
        assert!((0.85..1.35).contains(&between), "{between}");
        assert!(all > 2.0, "{all}");
        // Student's t₃ noise, heavy-tailed but no spikes: trimmed as before, or nearly.
        let t3: Vec<f64> = (0..160).map(|_| rng.gaussian() / ((0..3).map(|_| rng.gaussian().powi(2)).sum::<f64>() / 3.0).sqrt()).collect();
        let (between, all) = (noise_sigma_between_spikes(&t3).unwrap(), noise_sigma(&t3).unwrap());
        assert!(between > 0.85 * all, "{between} {all}");
    }

    #[test]
    fn a_constant_series_has_no_noise() {
        assert_eq!(noise_sigma(&[5.0; 20]), None);
    }

    #[test]
    fn welch_separates_different_means_and_not_equal_ones() {
        let a: Vec<f64> = (0..30).map(|i| f64::from(i % 5)).collect();
        let b: Vec<f64> = a.iter().map(|v| v + 3.0).collect();
        assert!(welch_p_value(&a, &b).unwrap() < 1e-6);
        assert!(welch_p_value(&a, &a).unwrap() > 0.99);
        assert_eq!(welch_p_value(&[1.0], &[2.0, 3.0]), None);
    }

    #[test]
    fn benjamini_hochberg_matches_the_textbook_example() {
        // p-values 0.01, 0.04, 0.03, 0.005 with m = 4: adjusted 0.02, 0.04, 0.04, 0.02.
        let adjusted = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005]);
        let expected = [0.02, 0.04, 0.04, 0.02];
        for (a, e) in adjusted.iter().zip(expected) {
            assert!((a - e).abs() < 1e-12, "{adjusted:?}");
        }
    }

    #[test]
    fn the_long_lag_slope_ignores_outliers_and_follows_a_noisy_trend() {
        let mut y: Vec<f64> = (0..20).map(|v| 2.0 * f64::from(v) + 1.0).collect();
        y[7] = 1000.0;
        y[19] = -50.0;
        assert!((long_lag_slope(&y).unwrap() - 2.0).abs() < 1e-9);
        let mut rng = crate::engine::synthetic::Rng::new(3);
        let noisy: Vec<f64> = (0..120).map(|v| 0.1 * f64::from(v) + rng.gaussian()).collect();
        assert!((long_lag_slope(&noisy).unwrap() - 0.1).abs() < 0.02);
        assert_eq!(long_lag_slope(&[1.0, 2.0]), None);
    }

    #[test]
    fn mann_kendall_finds_a_trend_and_not_in_alternation() {
        let rising: Vec<f64> = (0..30).map(f64::from).collect();
        assert!(mann_kendall_p_value(&rising).unwrap() < 1e-6);
        let flat: Vec<f64> = (0..30).map(|i| f64::from(i % 2)).collect();
        assert!(mann_kendall_p_value(&flat).unwrap() > 0.5);
    }

    #[test]
    fn the_median_selected_by_integer_keys_is_the_sorted_median_and_leaves_the_values_permuted() {
        let mut rng = crate::engine::synthetic::Rng::new(5);
        let mut cases: Vec<Vec<f64>> = vec![
            vec![0.0, -0.0],
            vec![-0.0, 0.0, -0.0, 0.0],
            vec![f64::NEG_INFINITY, -1.0, 1e-300, -1e-300, f64::INFINITY, 3.0],
            vec![2.0; 7],
            vec![f64::MAX, f64::MIN, 0.5],
        ];
        for n in [1usize, 2, 3, 8, 33, 120, 1000] {
            cases.push((0..n).map(|_| (rng.gaussian() * 4.0).round() - 2.0).collect());
            cases.push((0..n).map(|_| rng.gaussian() * 1e-3).collect());
        }
        for values in cases {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let mut reordered = values.clone();
            let median = median_in_place(&mut reordered);
            assert_eq!(median.map(f64::to_bits), sorted_median(&sorted).map(f64::to_bits), "{values:?}");
            reordered.sort_by(f64::total_cmp);
            assert_eq!(reordered.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), sorted.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        }
        assert_eq!(median_in_place(&mut []), None);
    }

    #[test]
    fn autocorrelations_four_lags_a_pass_are_each_lag_s_alone_to_the_bit() {
        let mut rng = crate::engine::synthetic::Rng::new(9);
        for n in [0usize, 1, 2, 3, 4, 5, 7, 48, 49, 50, 53, 160] {
            let d: Vec<f64> = (0..n).map(|i| rng.gaussian() + (i as f64 * 0.7).sin()).collect();
            for last in [0usize, 1, 3, 4, 7, 16, 49, 60] {
                let each: Vec<u64> = (0..=last).map(|l| autocorrelation_at(&d, None, l, 3.5).to_bits()).collect();
                let together: Vec<u64> = autocorrelations(&d, None, last, 3.5).iter().map(|v| v.to_bits()).collect();
                assert_eq!(together, each, "n {n}, lags to {last}");
            }
        }
    }

    #[test]
    fn kendall_s_and_ties_counted_by_ranks_are_every_pair_compared_and_the_groups_sorted() {
        let all_pairs = |y: &[f64]| -> i64 {
            (0..y.len()).map(|i| y[i + 1..].iter().map(|&b| i64::from(b > y[i]) - i64::from(b < y[i])).sum::<i64>()).sum()
        };
        let ties_by_sort = |y: &[f64]| -> f64 {
            let mut sorted = y.to_vec();
            sorted.sort_by(f64::total_cmp);
            let mut groups: Vec<usize> = Vec::new();
            for (i, v) in sorted.iter().enumerate() {
                match groups.last_mut() {
                    Some(g) if i > 0 && v.total_cmp(&sorted[i - 1]).is_eq() => *g += 1,
                    _ => groups.push(1),
                }
            }
            groups.iter().map(|&t| t as f64 * (t as f64 - 1.0) * (2.0 * t as f64 + 5.0)).sum()
        };
        let mut rng = crate::engine::synthetic::Rng::new(7);
        for n in [0usize, 1, 2, 3, 5, 17, 120, 301] {
            for ties in [0.0, 0.5, 3.0] {
                let y: Vec<f64> = (0..n)
                    .map(|i| {
                        let v = rng.gaussian() + 0.01 * i as f64;
                        if ties > 0.0 { (v * ties).round() / ties } else { v }
                    })
                    .collect();
                assert_eq!(kendall_s_and_ties(&y), (all_pairs(&y), ties_by_sort(&y)), "n {n}, ties {ties}");
            }
        }
        for y in [vec![0.0, -0.0, 0.0, 1.0], vec![f64::INFINITY, 1.0, f64::NEG_INFINITY, 1.0], vec![2.0, f64::NAN, 1.0, 3.0], vec![5.0; 9]]
        {
            assert_eq!(kendall_s_and_ties(&y), (all_pairs(&y), ties_by_sort(&y)), "{y:?}");
        }
    }
}
