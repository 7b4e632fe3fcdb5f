//! The UI thread's own CPU time per frame on the app's main screens: `cargo bench --bench frame`.
//!
//! Each frame runs the real app (egui_kittest drives `App::ui` as eframe does) and tessellates
//! its output, as eframe's UI thread does; rasterizing is the GPU's (or lavapipe's) work on other
//! threads and is not counted. CPU time is the thread's own, read from Linux's
//! `/proc/thread-self/schedstat`, so other processes on the machine do not inflate it.
//!
//! Three workspaces: the bundled one (216 runs, 56 metrics), a generated one with 1,000,000
//! runs of each of its four metrics (an API budget with three allocations), and a generated
//! history of 10,000,000 points (ten million runs of one budget's metric, in four CSV files).
//! Bars (issue 4): under 3 ms a frame with the bundled workspace, under 16 ms with 1M points.
//! Issue 13's target: the 10M-point history shown in under 5 s, the window live throughout (the
//! longest frame while it loads is printed beside the load time).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::thread_cpu_ns;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use headroom::engine::synthetic::long_series;
use headroom::gui::state::{PlotCommand, ReviewCommand, TimeRange, TreeCommand};
use headroom::gui::{App, Command, Source};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// The app opening `source`, stepped until its history is shown, and with `analysed` until its
/// change points are in too.
fn harness_on(source: Source, analysed: bool) -> Harness<'static, App> {
    let mut harness = Harness::builder().with_size(egui::vec2(1920.0, 1080.0)).build_eframe(move |cc| App::new(cc, &source));
    let start = Instant::now();
    let mut longest_frame = Duration::ZERO;
    // When each stage of the load began, by the first word the app shows for it.
    let mut stages: Vec<(String, f64)> = Vec::new();
    loop {
        let frame = Instant::now();
        harness.step();
        longest_frame = longest_frame.max(frame.elapsed());
        let Some((_, what)) = harness.state().state.loading() else { break };
        let stage = what.split_whitespace().next().unwrap_or_default().to_owned();
        if stages.last().is_none_or(|(last, _)| *last != stage) {
            stages.push((stage, start.elapsed().as_secs_f64()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let stages: Vec<String> = stages.iter().map(|(stage, at)| format!("{stage} {at:.1} s")).collect();
    println!("  load stages from: {}", stages.join(", "));
    println!(
        "  history shown after {:.1} s (in the background; the window stays live: its longest frame meanwhile {:.1} ms)",
        start.elapsed().as_secs_f64(),
        longest_frame.as_secs_f64() * 1e3
    );
    if analysed {
        // The change points follow on their own thread; the screens are measured with them.
        wait_for_analysis(&mut harness, start);
        harness.run();
    } else {
        // Still working (its spinner turns): one frame, not until it is still.
        harness.step();
    }
    harness
}

/// Steps the app until its change points are in, and says when (from `start`) and its longest frame meanwhile.
fn wait_for_analysis(harness: &mut Harness<'static, App>, start: Instant) {
    let mut longest_frame = Duration::ZERO;
    while harness.state().state.analysing() {
        let frame = Instant::now();
        harness.step();
        longest_frame = longest_frame.max(frame.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    println!(
        "  analysed after {:.1} s (the window live: its longest frame meanwhile {:.1} ms)",
        start.elapsed().as_secs_f64(),
        longest_frame.as_secs_f64() * 1e3
    );
}

/// Over `frames` frames (after two to warm up): the mean CPU time of this thread per frame
/// (schedstat's total over all frames, so its coarse tick does not matter), and the median and
/// worst wall time per frame, in milliseconds.
fn measure(
    harness: &mut Harness<'static, App>,
    frames: usize,
    before_frame: &dyn Fn(&mut Harness<'static, App>, usize),
) -> (f64, f64, f64) {
    let mut walls: Vec<f64> = Vec::new();
    let mut cpu_ns = 0;
    for i in 0..frames + 2 {
        before_frame(harness, i);
        // Ask for a repaint as a moving mouse would, so egui does the whole frame's work.
        harness.ctx.request_repaint();
        let (cpu_before, wall_before) = (thread_cpu_ns(), Instant::now());
        harness.step();
        let output = harness.output();
        let primitives = harness.ctx.tessellate(output.shapes.clone(), output.pixels_per_point);
        std::hint::black_box(primitives);
        if i >= 2 {
            cpu_ns += thread_cpu_ns() - cpu_before;
            walls.push(wall_before.elapsed().as_secs_f64() * 1e3);
        }
    }
    walls.sort_by(f64::total_cmp);
    (cpu_ns as f64 / 1e6 / frames as f64, walls[walls.len() / 2], walls[walls.len() - 1])
}

/// Steps the app until a plot being prepared in the background is there, then until it is still.
fn plot_ready(harness: &mut Harness<'static, App>) {
    while harness.state().state.plot_preparing() {
        harness.step();
        std::thread::sleep(Duration::from_millis(1));
    }
    harness.run();
}

fn report(name: &str, harness: &mut Harness<'static, App>) {
    report_with(name, harness, &|_, _| {});
}

fn report_with(name: &str, harness: &mut Harness<'static, App>, before_frame: &dyn Fn(&mut Harness<'static, App>, usize)) {
    let (cpu, median, worst) = measure(harness, 200, before_frame);
    println!("  {name:<44} CPU {cpu:>6.2} ms/frame   wall median {median:>6.2} ms, worst {worst:>6.2} ms");
}

fn screens(harness: &mut Harness<'static, App>, budget: &str, parent: &str) {
    report("budget tree", harness);
    let index = harness.state().state.workspace.budget_index(budget).unwrap();
    // Selecting prepares the plot (its series, levels, band and pyramid): on the UI thread when
    // short, in the background when long.
    let start = Instant::now();
    harness.state_mut().state.apply(Command::Tree(TreeCommand::Select(index)));
    let on_ui_thread = start.elapsed().as_secs_f64() * 1e3;
    plot_ready(harness);
    println!(
        "  selecting {budget}: {on_ui_thread:.1} ms on the UI thread, the plot ready after {:.0} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    report(&format!("{budget} selected (history plot)"), harness);
    // The worst case: the view changes every frame (zooming), so the reduction runs every frame.
    report_with("  the same, zooming every frame", harness, &|h, i| {
        let range = if i % 2 == 0 { TimeRange::All } else { TimeRange::Last(365) };
        h.state_mut().state.apply(Command::Plot(PlotCommand::SetRange(range)));
    });
    let parent = harness.state().state.workspace.budget_index(parent).unwrap();
    harness.state_mut().state.apply(Command::Tree(TreeCommand::Select(parent)));
    harness.state_mut().state.apply(Command::Plot(PlotCommand::SetStacked(true)));
    plot_ready(harness);
    report(&format!("{} allocations stacked", harness.state().state.workspace.budgets[parent].id), harness);
    harness.state_mut().state.apply(Command::Plot(PlotCommand::SetStacked(false)));
    harness.get_by_label_contains("Findings (").click();
    harness.run();
    report("findings list", harness);
    harness.state_mut().state.apply(Command::Review(ReviewCommand::Enter));
    plot_ready(harness);
    assert!(harness.query_all_by_label_contains("limit ").next().is_some(), "review mode shows the item's plot");
    report("review mode", harness);
    harness.state_mut().state.apply(Command::Review(ReviewCommand::Leave));
}

/// A workspace of four metrics with `runs` runs each, one a minute, as a wide CSV.
fn big_workspace(runs: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("api.yaml"),
        "budgets:\n  api:\n    name: API\n    unit: ms\n    limit: 40\n    allocations:\n      routing: {unit: ms, limit: 10}\n      auth: {unit: ms, limit: 15}\n      handler: {unit: ms, limit: 15}\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("history")).unwrap();
    let parts: Vec<Vec<f64>> = [(5.0, 1), (8.0, 2), (9.0, 3)]
        .iter()
        .map(|&(level, seed)| long_series(runs, seed).into_iter().map(|v| v / 100.0 * level).collect())
        .collect();
    let mut text = String::with_capacity(runs * 64);
    text.push_str("time,api (ms),api.routing (ms),api.auth (ms),api.handler (ms)\n");
    let start = 1_700_000_000_i64;
    for (i, ((a, b), c)) in parts[0].iter().zip(&parts[1]).zip(&parts[2]).enumerate() {
        let t = headroom::model::time::Timestamp((start + i as i64 * 60) * 1000);
        let _ = writeln!(text, "{t},{:.3},{a:.3},{b:.3},{c:.3}", a + b + c);
    }
    std::fs::write(dir.path().join("history/big.csv"), text).unwrap();
    dir
}

/// A workspace of one budget (`api`, ms) with `runs` runs of it, one a second, as wide CSV in
/// `files` files (one file would pass the history's size limit).
fn long_workspace(runs: usize, files: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), "budgets:\n  api:\n    name: API\n    unit: ms\n    limit: 40\n").unwrap();
    std::fs::create_dir(dir.path().join("history")).unwrap();
    let values = long_series(runs, 4);
    let per_file = runs.div_ceil(files);
    let start = 1_700_000_000_i64;
    for (f, chunk) in values.chunks(per_file).enumerate() {
        let mut text = String::with_capacity(chunk.len() * 30);
        text.push_str("time,api (ms)\n");
        for (i, v) in chunk.iter().enumerate() {
            let t = headroom::model::time::Timestamp((start + (f * per_file + i) as i64) * 1000);
            let _ = writeln!(text, "{t},{:.3}", v * 0.3);
        }
        std::fs::write(dir.path().join(format!("history/runs-{f}.csv")), text).unwrap();
    }
    dir
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_ref().is_none_or(|f| name.contains(f.as_str()));
    println!("UI thread CPU time per frame, 1920x1080 (the app's frame + tessellation; not rasterizing)");
    if wanted("bundled") {
        println!("bundled workspace (216 runs, 56 metrics); bar 3 ms");
        let mut harness = harness_on(Source::Example, true);
        screens(&mut harness, "services.auth", "services.api_gateway");
    }
    if wanted("million") {
        println!("1,000,000 runs per metric; bar 16 ms");
        let dir = big_workspace(1_000_000);
        let mut harness = harness_on(Source::Folder(dir.path().to_path_buf()), true);
        assert!(harness.state().state.workspace.errors.is_empty(), "{:?}", harness.state().state.workspace.errors);
        screens(&mut harness, "api.auth", "api");
    }
    if wanted("ten-million") {
        println!("10,000,000 points (10M runs of one metric, four CSV files); target: shown in under 5 s");
        let dir = long_workspace(10_000_000, 4);
        let start = Instant::now();
        let mut harness = harness_on(Source::Folder(dir.path().to_path_buf()), false);
        assert!(harness.state().state.workspace.errors.is_empty(), "{:?}", harness.state().state.workspace.errors);
        assert_eq!(harness.state().state.workspace.history.point_count(), 10_000_000);
        let index = harness.state().state.workspace.budget_index("api").unwrap();
        harness.state_mut().state.apply(Command::Tree(TreeCommand::Select(index)));
        while harness.state().state.plot_preparing() {
            harness.step();
            std::thread::sleep(Duration::from_millis(1));
        }
        harness.step();
        assert!(harness.state().state.analysing(), "the plot is timed before the change points are in");
        println!("  its plot shown {:.1} s after the app opened (its change points still being found)", start.elapsed().as_secs_f64());
        wait_for_analysis(&mut harness, start);
        plot_ready(&mut harness);
        report("api selected (history plot, 10M points)", &mut harness);
    }
}
