//! The wgpu line renderer: plain buffers in, pixels out. It knows nothing of budgets or egui.
//!
//! ```text
//!  series (x, y as f32, relative to an origin) ─ upload once ─▶ vertex buffer per series
//!  view (x range, y range, pixels)             ─ each frame ─▶ 32-byte uniform per series
//!  vertex shader: ndc = (p - view_min) / (view_max - view_min) * 2 - 1      line strip, 1 px
//! ```
//!
//! Panning and zooming change only the uniforms; the points stay on the GPU. Long series are
//! handed in reduced by [`super::pyramid::Pyramid`], so what is drawn stays near the pixel count.
//! Only wgpu's portable subset is used (line-strip topology, one uniform buffer, no extensions),
//! so the same code runs on Vulkan, Metal, DX12 and GL; it is tested here on Mesa's lavapipe.

use eframe::egui_wgpu::wgpu;
use std::num::NonZeroU64;

const SHADER: &str = r"
struct View { min: vec2<f32>, max: vec2<f32>, color: vec4<f32> };
@group(0) @binding(0) var<uniform> view: View;

@vertex
fn vs_main(@location(0) p: vec2<f32>) -> @builtin(position) vec4<f32> {
    let ndc = (p - view.min) / (view.max - view.min) * 2.0 - vec2<f32>(1.0, 1.0);
    return vec4<f32>(ndc, 0.0, 1.0);
}

@fragment
fn fs_main() -> @location(0) vec4<f32> {
    return view.color;
}
";

/// One series on the GPU: its points and its view uniform.
pub struct GpuSeries {
    vertices: wgpu::Buffer,
    count: u32,
    uniform: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
}

/// The pipeline that draws series as line strips.
pub struct LineRenderer {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
}

/// What a series shows: the visible data range (in the series' relative coordinates) and its colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Lowest x and y shown.
    pub min: [f32; 2],
    /// Highest x and y shown.
    pub max: [f32; 2],
    /// Premultiplied linear RGBA.
    pub color: [f32; 4],
}

fn view_bytes(v: &View) -> Vec<u8> {
    [v.min[0], v.min[1], v.max[0], v.max[1], v.color[0], v.color[1], v.color[2], v.color[3]].iter().flat_map(|f| f.to_le_bytes()).collect()
}

impl LineRenderer {
    /// The pipeline for a target of `format`.
    #[must_use]
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> LineRenderer {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("headroom lines"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("headroom lines view"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: NonZeroU64::new(32),
                },
                count: None,
            }],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("headroom lines"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("headroom lines"),
            layout: Some(&pipeline_layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                buffers: &[Some(wgpu::VertexBufferLayout {
                    array_stride: 8,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &wgpu::vertex_attr_array![0 => Float32x2],
                })],
                compilation_options: wgpu::PipelineCompilationOptions::default(),
            },
            primitive: wgpu::PrimitiveState { topology: wgpu::PrimitiveTopology::LineStrip, ..wgpu::PrimitiveState::default() },
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
                compilation_options: wgpu::PipelineCompilationOptions::default(),
            }),
            multiview_mask: None,
            cache: None,
        });
        LineRenderer { pipeline, layout }
    }

    /// Uploads a series (points relative to its origin, sorted by x) once.
    #[must_use]
    pub fn upload(&self, device: &wgpu::Device, points: &[[f32; 2]], view: &View) -> GpuSeries {
        use wgpu::util::DeviceExt as _;
        let bytes: Vec<u8> = points.iter().flat_map(|p| p[0].to_le_bytes().into_iter().chain(p[1].to_le_bytes())).collect();
        let vertices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("headroom series"),
            contents: &bytes,
            usage: wgpu::BufferUsages::VERTEX,
        });
        let uniform = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("headroom view"),
            contents: &view_bytes(view),
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("headroom view"),
            layout: &self.layout,
            entries: &[wgpu::BindGroupEntry { binding: 0, resource: uniform.as_entire_binding() }],
        });
        GpuSeries { vertices, count: u32::try_from(points.len()).unwrap_or(u32::MAX), uniform, bind_group }
    }

    /// Pans or zooms a series: writes its 32-byte uniform, nothing else.
    pub fn set_view(queue: &wgpu::Queue, series: &GpuSeries, view: &View) {
        queue.write_buffer(&series.uniform, 0, &view_bytes(view));
    }

    /// Draws the series into a render pass.
    pub fn paint(&self, pass: &mut wgpu::RenderPass<'_>, series: &[&GpuSeries]) {
        for s in series {
            self.paint_range(pass, s, 0..s.count);
        }
    }

    /// Draws part of a series' vertices (a pyramid level's visible buckets).
    pub fn paint_range(&self, pass: &mut wgpu::RenderPass<'_>, series: &GpuSeries, range: std::ops::Range<u32>) {
        let range = range.start.min(series.count)..range.end.min(series.count);
        if range.len() < 2 {
            return;
        }
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &series.bind_group, &[]);
        pass.set_vertex_buffer(0, series.vertices.slice(..));
        pass.draw(range, 0..1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A device on whatever adapter there is (lavapipe here), or `None` where there is none.
    fn device() -> Option<(wgpu::Device, wgpu::Queue)> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions::default())).ok()?;
        pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor::default())).ok()
    }

    /// Renders `series` (each with its view) into a `size`² RGBA image and reads it back.
    fn render(series: &[(&[[f32; 2]], View)], size: u32) -> Option<Vec<u8>> {
        let (device, queue) = device()?;
        let format = wgpu::TextureFormat::Rgba8Unorm;
        let renderer = LineRenderer::new(&device, format);
        let uploaded: Vec<GpuSeries> = series.iter().map(|(points, view)| renderer.upload(&device, points, view)).collect();
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("offscreen"),
            size: wgpu::Extent3d { width: size, height: size, depth_or_array_layers: 1 },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let row = (size * 4).div_ceil(256) * 256;
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: u64::from(row * size),
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("offscreen"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations { load: wgpu::LoadOp::Clear(wgpu::Color::BLACK), store: wgpu::StoreOp::Store },
                })],
                ..wgpu::RenderPassDescriptor::default()
            });
            let refs: Vec<&GpuSeries> = uploaded.iter().collect();
            renderer.paint(&mut pass, &refs);
        }
        encoder.copy_texture_to_buffer(
            wgpu::TexelCopyTextureInfo { texture: &texture, mip_level: 0, origin: wgpu::Origin3d::ZERO, aspect: wgpu::TextureAspect::All },
            wgpu::TexelCopyBufferInfo {
                buffer: &readback,
                layout: wgpu::TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(row), rows_per_image: Some(size) },
            },
            wgpu::Extent3d { width: size, height: size, depth_or_array_layers: 1 },
        );
        queue.submit([encoder.finish()]);
        readback.slice(..).map_async(wgpu::MapMode::Read, |_| {});
        device.poll(wgpu::PollType::wait_indefinitely()).ok()?;
        let data = readback.slice(..).get_mapped_range().ok()?;
        Some((0..size).flat_map(|y| data[(y * row) as usize..(y * row + size * 4) as usize].to_vec()).collect())
    }

    fn lit(image: &[u8], size: u32, x: u32, y: u32) -> bool {
        image[((y * size + x) * 4) as usize] > 128
    }

    const RED: [f32; 4] = [1.0, 0.0, 0.0, 1.0];

    #[test]
    fn a_known_series_lights_the_expected_pixels() {
        // A horizontal line at y = 0.5 in a view [0, 1]²: the middle row, across.
        let points = [[0.0, 0.5], [1.0, 0.5]];
        let Some(image) = render(&[(&points, View { min: [0.0, 0.0], max: [1.0, 1.0], color: RED })], 64) else {
            panic!("no wgpu adapter: install mesa-vulkan-drivers (see .ci/test)");
        };
        let middle = (31..=32).any(|y| (4..60).all(|x| lit(&image, 64, x, y)));
        assert!(middle, "the middle row is lit");
        assert!(!lit(&image, 64, 10, 5) && !lit(&image, 64, 10, 58), "nothing else is");
    }

    #[test]
    fn a_single_sample_spike_in_ten_million_points_is_visible_zoomed_out() {
        let n = 10_000_000;
        let mut points: Vec<[f64; 2]> = (0..n).map(|i| [f64::from(i), f64::from(i % 7) / 100.0]).collect();
        points[6_000_000][1] = 0.9;
        let pyramid = super::super::pyramid::Pyramid::new(&points);
        let drawn: Vec<[f32; 2]> = pyramid.view(0.0, f64::from(n), 128).iter().map(|p| [p[0] as f32, p[1] as f32]).collect();
        let Some(image) = render(&[(&drawn, View { min: [0.0, 0.0], max: [n as f32, 1.0], color: RED })], 128) else {
            panic!("no wgpu adapter: install mesa-vulkan-drivers (see .ci/test)");
        };
        // y = 0.9 is row 12 from the top of 128; the spike's column is 6/10 of the way across.
        let spike_lit = (74..=80).any(|x| (10..=14).any(|y| lit(&image, 128, x, y)));
        assert!(spike_lit, "the spike is drawn");
        assert!(!(0..60).any(|x| (10..=14).any(|y| lit(&image, 128, x, y))), "and nothing else reaches that high");
    }
}
