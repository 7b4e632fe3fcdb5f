//! The GPU plot on four metrics of 10M points each, overlaid: `cargo bench --bench gpu_plot`.
//!
//! Prints the pyramids' build time and memory; the upload of a series (the level a full view
//! draws, and the raw points a close zoom draws) and the memory it takes on the GPU; and, while the
//! view pans and zooms every frame, the UI thread's own CPU time per frame of the plot view drawn
//! three ways on the same data in the same run:
//! - GPU: the app's plot view with the series drawn by the wgpu paint callback;
//! - egui_plot + pyramid: the same view with the series reduced on the CPU and drawn by egui_plot
//!   (the app's path where eframe has no wgpu);
//! - egui_plot alone: egui_plot handed every point, as without any of this.
//!
//! A frame is what eframe's UI thread does: the UI (Headroom's plot view: egui_plot's axes, grid,
//! limit and warning lines, legend and hover, and the series), tessellation, egui_wgpu's buffer
//! updates with the paint callbacks' `prepare` (uploads, uniforms), encoding the render pass and
//! submitting it. The rasterizing itself is the GPU's work (lavapipe's worker threads here): it is
//! reported apart, as the wall time until the frame is finished. CPU time is the thread's own
//! (`/proc/thread-self/schedstat`), so other processes do not inflate it.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::thread_cpu_ns;
use eframe::egui_wgpu::{self, wgpu};
use headroom::engine::check::{BudgetResult, Status};
use headroom::engine::synthetic::long_series;
use headroom::gui::gpu_plot;
use headroom::gui::state::{Overlay, PlotData, SharedPyramid};
use headroom::gui::widgets::plot::{PlotOptions, history_plot_ui};
use headroom::model::units::{Direction, Unit};
use headroom::plot::gpu::LineRenderer;
use headroom::plot::pyramid::Pyramid;
use std::sync::Arc;
use std::time::Instant;

const SIZE: [u32; 2] = [1920, 1080];
const POINTS: usize = 10_000_000;

/// Draws frames of a UI with egui_wgpu into an offscreen target, as eframe's UI thread does.
struct Frames {
    ctx: egui::Context,
    state: egui_wgpu::RenderState,
    target: wgpu::TextureView,
}

impl Frames {
    fn new() -> Frames {
        let state =
            egui_kittest::wgpu::create_render_state(egui_kittest::wgpu::default_wgpu_setup(), egui_wgpu::RendererOptions::default());
        gpu_plot::install_into(&mut state.renderer.write(), &state.device, state.target_format);
        let texture = state.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("frame"),
            size: wgpu::Extent3d { width: SIZE[0], height: SIZE[1], depth_or_array_layers: 1 },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: state.target_format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            view_formats: &[],
        });
        let target = texture.create_view(&wgpu::TextureViewDescriptor::default());
        Frames { ctx: egui::Context::default(), state, target }
    }

    /// One frame of `ui`: returns the UI thread's CPU time and the wall time until the GPU is done, in ms.
    fn frame(&mut self, mut ui: impl FnMut(&mut egui::Ui)) -> (f64, f64) {
        let (cpu, wall) = (thread_cpu_ns(), Instant::now());
        let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(SIZE[0] as f32, SIZE[1] as f32));
        let input = egui::RawInput { screen_rect: Some(screen), ..egui::RawInput::default() };
        let output = self.ctx.run_ui(input, |ui_root| {
            egui::CentralPanel::default().show(ui_root, |inner| ui(inner));
        });
        let (device, queue) = (&self.state.device, &self.state.queue);
        let mut renderer = self.state.renderer.write();
        for (id, deltas) in &output.textures_delta.set {
            for delta in deltas {
                renderer.update_texture(device, queue, *id, delta);
            }
        }
        let primitives = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        let screen = egui_wgpu::ScreenDescriptor { size_in_pixels: SIZE, pixels_per_point: output.pixels_per_point };
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
        let buffers = renderer.update_buffers(device, queue, &mut encoder, &primitives, &screen);
        {
            let mut pass = encoder
                .begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("frame"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &self.target,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations { load: wgpu::LoadOp::Clear(wgpu::Color::BLACK), store: wgpu::StoreOp::Store },
                    })],
                    ..wgpu::RenderPassDescriptor::default()
                })
                .forget_lifetime();
            renderer.render(&mut pass, &primitives, &screen);
        }
        queue.submit(buffers.into_iter().chain([encoder.finish()]));
        let cpu_ms = (thread_cpu_ns() - cpu) as f64 / 1e6;
        drop(renderer);
        device.poll(wgpu::PollType::wait_indefinitely()).unwrap();
        (cpu_ms, wall.elapsed().as_secs_f64() * 1e3)
    }
}

/// The view of frame `f`: zooming from the whole series into 1/1000 of it and panning across it.
fn view_of(f: usize, first: f64, last: f64) -> (f64, f64) {
    let span = (last - first) * 0.001_f64.powf(f64::from((f % 50) as u32) / 49.0);
    let start = first + (last - first - span) * f64::from((f % 17) as u32) / 16.0;
    (start, start + span)
}

/// Over `count` frames (after two to warm up) of `plot` with the view of each frame: the mean CPU
/// and wall ms per frame, and the most CPU any one frame took.
fn measure(frames: &mut Frames, count: usize, plot: &PlotData, result: &BudgetResult, gpu: bool, first: f64, last: f64) -> (f64, f64, f64) {
    let (mut cpu, mut wall, mut worst) = (0.0, 0.0, 0.0_f64);
    for f in 0..count + 2 {
        let options = PlotOptions {
            id: "bench",
            view: Some(view_of(f, first, last)),
            generation: f as u64 + 1,
            show_legend: true,
            height: 0.0,
            proposed: None,
            gpu,
            scale_to_limit: false,
        };
        let (c, w) = frames.frame(|ui| history_plot_ui(ui, plot, result, &options));
        if f >= 2 {
            cpu += c;
            wall += w;
            worst = worst.max(c);
        }
    }
    (cpu / count as f64, wall / count as f64, worst)
}

/// Uploads of one series (the level a full view draws, and every point) and the memory it takes.
fn uploads(frames: &Frames, pyramid: &Pyramid, first: f64, last: f64) {
    let (device, queue) = (&frames.state.device, &frames.state.queue);
    let full = pyramid.plan(first, last, SIZE[0] as usize).unwrap();
    let start = Instant::now();
    let level = LineRenderer::upload(device, queue, &pyramid.vertices(full.level));
    queue.submit([]);
    device.poll(wgpu::PollType::wait_indefinitely()).unwrap();
    println!("  upload, full-view level {:>8.1} ms, {:.2} MB on the GPU", start.elapsed().as_secs_f64() * 1e3, level.bytes() as f64 / 1e6);
    let start = Instant::now();
    let raw = LineRenderer::upload(device, queue, &pyramid.vertices(None));
    queue.submit([]);
    device.poll(wgpu::PollType::wait_indefinitely()).unwrap();
    println!("  upload, all 10M points  {:>8.1} ms, {:.0} MB on the GPU", start.elapsed().as_secs_f64() * 1e3, raw.bytes() as f64 / 1e6);
    let levels_bytes: u64 = (0..pyramid.levels()).map(|l| pyramid.vertices(Some(l)).data.len() as u64 * 8).sum();
    let cpu_bytes = pyramid.bytes() as f64;
    println!(
        "  memory for one series: {:.0} MB on the CPU + at most {:.0} MB on the GPU (points {:.0} + every level {:.0}) = {:.0} MB",
        cpu_bytes / 1e6,
        (raw.bytes() + levels_bytes) as f64 / 1e6,
        raw.bytes() as f64 / 1e6,
        levels_bytes as f64 / 1e6,
        (cpu_bytes + raw.bytes() as f64 + levels_bytes as f64) / 1e6
    );
}

/// egui_plot handed every point of every series (borrowed, not copied), for `count` frames:
/// mean CPU and wall ms per frame.
fn every_point(frames: &mut Frames, series: &[Vec<[f64; 2]>], count: u32, first: f64, last: f64) -> (f64, f64) {
    let borrowed: Vec<Vec<egui_plot::PlotPoint>> =
        series.iter().map(|s| s.iter().map(|p| egui_plot::PlotPoint::new(p[0], p[1])).collect()).collect();
    let (mut cpu, mut wall) = (0.0, 0.0);
    for f in 0..=count {
        let (a, b) = view_of(f as usize, first, last);
        let (c, w) = frames.frame(|ui| {
            egui_plot::Plot::new("all points").include_x(a).include_x(b).show(ui, |plot_ui| {
                plot_ui.set_plot_bounds_x(a..=b);
                for (k, points) in borrowed.iter().enumerate() {
                    plot_ui.line(egui_plot::Line::new(format!("metric {k}"), points.as_slice()).width(1.5));
                }
            });
        });
        if f >= 1 {
            cpu += c;
            wall += w;
        }
    }
    (cpu / f64::from(count), wall / f64::from(count))
}

/// A result to draw the plot against: limit 200 ms, warning 180 ms.
fn result() -> BudgetResult {
    BudgetResult {
        budget: 0,
        id: "api".into(),
        metric: "api".into(),
        unit: Unit::parse("ms").unwrap(),
        direction: Direction::LowerIsBetter,
        limit: 200.0,
        warning: Some(180.0),
        value: None,
        baseline: None,
        findings: Vec::new(),
        status: Status::Pass,
        p_worse: None,
        p_value: None,
        p_better: None,
        smallest_flaggable: None,
        trend: None,
        hints: None,
        open_regression: None,
    }
}

fn main() {
    println!("GPU plot: 4 metrics × {POINTS} points overlaid, 15 s apart (4.8 years), {}×{} px", SIZE[0], SIZE[1]);
    let start = Instant::now();
    let series: Vec<Vec<[f64; 2]>> = (0..4)
        .map(|s| {
            long_series(POINTS, 11 + s).iter().enumerate().map(|(i, &v)| [1.7e9 + i as f64 * 15.0, v * (1.0 + s as f64 * 0.3)]).collect()
        })
        .collect();
    println!("  series generated        {:>8.0} ms", start.elapsed().as_secs_f64() * 1e3);
    let start = Instant::now();
    let pyramids: Vec<Arc<Pyramid>> = series.iter().map(|points| Arc::new(Pyramid::new(points))).collect();
    println!(
        "  pyramids built          {:>8.0} ms for 4 ({:.0} ms each); {:.0} MB each on the CPU",
        start.elapsed().as_secs_f64() * 1e3,
        start.elapsed().as_secs_f64() * 1e3 / 4.0,
        pyramids[0].bytes() as f64 / 1e6
    );
    let mut frames = Frames::new();
    println!("  adapter: {:?}", frames.state.adapter.get_info().name);
    let (first, last) = (series[0][0][0], series[0][POINTS - 1][0]);
    uploads(&frames, &pyramids[0], first, last);

    let result = result();
    let pyramid = |k: usize| Some(SharedPyramid(Arc::clone(&pyramids[k])));
    let plot = PlotData {
        x_is_time: true,
        main: series[0].clone(),
        main_runs: (0..POINTS).collect(),
        pyramid: pyramid(0),
        overlays: (1..4)
            .map(|k| Overlay {
                budget: k,
                name: format!("metric {k}"),
                points: series[k].clone(),
                runs: (0..POINTS).collect(),
                pyramid: pyramid(k),
            })
            .collect(),
        ..PlotData::default()
    };
    println!("  per frame, the view zooming and panning every frame (UI-thread CPU; wall until the frame is rasterized):");
    let (first_cpu, first_wall, first_worst) = measure(&mut frames, 200, &plot, &result, true, first, last);
    let (allocated, written) = {
        let renderer = frames.state.renderer.read();
        (gpu_plot::gpu_bytes(&renderer) as f64 / 1e6, gpu_plot::gpu_written_bytes(&renderer) as f64 / 1e6)
    };
    println!(
        "    GPU, every view new    CPU {first_cpu:>8.3} ms   wall {first_wall:>8.1} ms   worst frame {first_worst:>6.2} ms \
         (writing the pages each view needs: {written:.1} MB of the {allocated:.0} MB allocated for 4 series)"
    );
    let (gpu_cpu, gpu_wall, gpu_worst) = measure(&mut frames, 200, &plot, &result, true, first, last);
    println!("    GPU, the same views    CPU {gpu_cpu:>8.3} ms   wall {gpu_wall:>8.1} ms   worst frame {gpu_worst:>6.2} ms");
    let (cpu_cpu, cpu_wall, cpu_worst) = measure(&mut frames, 50, &plot, &result, false, first, last);
    println!("    egui_plot + pyramid    CPU {cpu_cpu:>8.3} ms   wall {cpu_wall:>8.1} ms   worst frame {cpu_worst:>6.2} ms");
    drop(plot);
    let count = 3;
    let (all_cpu, all_wall) = every_point(&mut frames, &series, count, first, last);
    println!("    egui_plot, every point CPU {all_cpu:>8.1} ms   wall {all_wall:>8.1} ms   (mean of {count})");
    println!(
        "  UI-thread time per frame, egui_plot with every point against the GPU plot: {:.0}× (views on the GPU), {:.0}× (every view new); \
         egui_plot fed by the pyramid costs about the same as the GPU plot on the UI thread ({cpu_cpu:.2} against {gpu_cpu:.2} ms)",
        all_cpu / gpu_cpu,
        all_cpu / first_cpu
    );
}
