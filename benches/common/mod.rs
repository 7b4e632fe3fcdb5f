//! What the benchmarks share (each uses some of it).
#![allow(dead_code)]

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

/// Nanoseconds this thread has spent on a CPU (Linux's `/proc/thread-self/schedstat`): other
/// threads and processes do not count, so a busy machine does not inflate it.
pub fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .expect("Linux's /proc/thread-self/schedstat")
}
