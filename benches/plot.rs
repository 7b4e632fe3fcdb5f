//! Plot data reduction for long series: `cargo bench --no-default-features --bench plot`.
//!
//! Prints, for 10M points: the pyramid's build time and memory, and the time to reduce a full
//! view, a 10 % view and a 0.1 % view to 1920 columns, with the pyramid and with M4 (which
//! scans every visible point), the median of several runs on one thread.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::median_time;
use headroom::engine::synthetic::long_series;
use headroom::plot::m4;
use headroom::plot::pyramid::Pyramid;
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let n = 10_000_000;
    let values = long_series(n, 7);
    let points: Vec<[f64; 2]> = values.iter().enumerate().map(|(i, &v)| [1.7e9 + i as f64 * 15.0, v]).collect();
    println!("plot reduction, {n} points (15 s apart), 1920 columns, one thread");
    let start = Instant::now();
    let pyramid = Pyramid::new(&points);
    println!(
        "  pyramid build {:>8.1} ms, {:.0} MB (points and all levels)",
        start.elapsed().as_secs_f64() * 1e3,
        pyramid.bytes() as f64 / 1e6
    );
    let (first, last) = (points[0][0], points[n - 1][0]);
    for (name, fraction) in [("full view", 1.0), ("10% view", 0.1), ("0.1% view", 0.001)] {
        let to = first + (last - first) * fraction;
        let with_pyramid = median_time(21, || {
            black_box(pyramid.view(first, to, 1920));
        });
        let with_m4 = median_time(5, || {
            black_box(m4(&points, first, to, 1920));
        });
        println!(
            "  {name:<10} pyramid {:>8.3} ms ({} points)   M4 {:>8.3} ms",
            with_pyramid.as_secs_f64() * 1e3,
            pyramid.view(first, to, 1920).len(),
            with_m4.as_secs_f64() * 1e3
        );
    }
}
