//! What the benchmarks share.

use std::time::{Duration, Instant};

/// The median wall time of `iterations` runs of `f`.
pub fn median_time(iterations: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}
