//! The GPU plot's upload and per-frame costs: `cargo bench --bench gpu_plot`.
//!
//! For 4 series of 10M points: building their pyramids, uploading the level a full view draws and
//! the raw points (the most a close zoom needs), the bytes held on the CPU and the GPU, and the
//! UI thread's CPU time to plan a changing view and write its uniform for all four series (the work
//! a frame does besides the rasterizer's, which is the GPU's or lavapipe's on its own threads).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use eframe::egui_wgpu::wgpu;
use headroom::engine::synthetic::long_series;
use headroom::plot::gpu::{LineRenderer, View};
use headroom::plot::pyramid::Pyramid;
use std::time::Instant;

fn main() {
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions::default()))
        .expect("a wgpu adapter (mesa-vulkan-drivers)");
    let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor::default())).unwrap();
    println!("GPU plot, 4 series × 10,000,000 points, adapter: {}", adapter.get_info().name);
    let renderer = LineRenderer::new(&device, wgpu::TextureFormat::Rgba8Unorm);
    let n = 10_000_000;
    let start = Instant::now();
    let pyramids: Vec<Pyramid> = (0..4)
        .map(|s| {
            let values = long_series(n, 11 + s);
            let points: Vec<[f64; 2]> = values.iter().enumerate().map(|(i, &v)| [1.7e9 + i as f64 * 15.0, v]).collect();
            Pyramid::new(&points)
        })
        .collect();
    println!(
        "  pyramids built      {:>8.0} ms, {:.0} MB on the CPU",
        start.elapsed().as_secs_f64() * 1e3,
        pyramids.iter().map(Pyramid::bytes).sum::<usize>() as f64 / 1e6
    );
    let view = View { min: [0.0, 0.0], max: [n as f32 * 15.0, 200.0], color: [0.3, 0.5, 0.9, 1.0] };
    let (first, last) = (1.7e9, 1.7e9 + (n - 1) as f64 * 15.0);
    let start = Instant::now();
    let mut gpu_bytes = 0usize;
    let full: Vec<_> = pyramids
        .iter()
        .map(|p| {
            let (level, _) = p.plan(first, last, 1920).unwrap();
            let vertices = p.vertices(level);
            gpu_bytes += vertices.len() * 8;
            renderer.upload(&device, &vertices, &view)
        })
        .collect();
    let _ = device.poll(wgpu::PollType::wait_indefinitely());
    println!(
        "  full-view levels    {:>8.1} ms to upload, {:.2} MB on the GPU",
        start.elapsed().as_secs_f64() * 1e3,
        gpu_bytes as f64 / 1e6
    );
    let start = Instant::now();
    let raw: Vec<_> = pyramids.iter().map(|p| renderer.upload(&device, &p.vertices(None), &view)).collect();
    let _ = device.poll(wgpu::PollType::wait_indefinitely());
    println!(
        "  raw points (close zoom) {:>4.0} ms to upload, {:.0} MB on the GPU",
        start.elapsed().as_secs_f64() * 1e3,
        (n * 8 * 4) as f64 / 1e6
    );
    // A frame: plan each series for a moving view and write its uniform.
    let frames = 1000;
    let start = Instant::now();
    for f in 0..frames {
        let span = (last - first) * (0.1 + 0.9 * f64::from(f % 100) / 100.0);
        for (p, s) in pyramids.iter().zip(&full) {
            let plan = p.plan(first, first + span, 1920);
            std::hint::black_box(plan);
            LineRenderer::set_view(&queue, s, &View { max: [span as f32, 200.0], ..view });
        }
    }
    println!(
        "  a frame (4 series)  {:>8.4} ms of UI-thread CPU (plan + uniform), mean of {frames}",
        start.elapsed().as_secs_f64() * 1e3 / f64::from(frames)
    );
    drop(raw);
}
