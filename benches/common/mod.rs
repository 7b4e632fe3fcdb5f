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

/// A budget file of `metrics` budgets `m0`, `m1`, ... of 100 ms each.
pub fn budgets_yaml(metrics: usize) -> String {
    use std::fmt::Write as _;
    let mut yaml = String::from("budgets:\n");
    for m in 0..metrics {
        writeln!(yaml, "  m{m}: {{unit: ms, limit: 100}}").unwrap();
    }
    yaml
}

/// Writes the start of run `r`'s JSON Lines line, up to its open `metrics` map: id `r{r}`, a
/// second apart from 2026-01-01, on main in `ci`, with a commit where `commit` is set.
pub fn start_run_line(text: &mut String, r: usize, commit: bool) {
    use std::fmt::Write as _;
    let (day, second) = (r / 86_400, r % 86_400);
    write!(
        text,
        "{{\"id\":\"r{r}\",\"timestamp\":\"2026-{:02}-{:02}T{:02}:{:02}:{:02}Z\",",
        1 + day / 28,
        1 + day % 28,
        second / 3600,
        second / 60 % 60,
        second % 60
    )
    .unwrap();
    if commit {
        write!(text, "\"commit\":\"{r:012x}\",").unwrap();
    }
    text.push_str("\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{");
}
