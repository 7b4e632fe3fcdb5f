//! The wgpu line renderer: plain buffers in, pixels out. It knows nothing of budgets or egui.
//!
//! ```text
//!  a level's vertices (x relative to their chunk's origin, y; f32)
//!      ─ one buffer a level, each page of 65,536 written once, when a view first needs it ─▶ GPU
//!  view (x, y range in f64, colour, the drawn range) ─ each frame ─▶ a 304-byte uniform:
//!      x span, y min, y span, colour, and for each chunk drawn: its origin − the view's x min
//!  draw: the buffer bound from the drawn range's first chunk; vertex shader:
//!      chunk = vertex_index / CHUNK;  ndc.x = (x + offset[chunk]) / x span · 2 − 1   line strip, 1 px
//! ```
//!
//! Panning and zooming change only the uniform; the points stay on the GPU. Pages keep any one
//! frame's upload small: zooming into 10M points writes the pages in view (a few hundred KB), not
//! all 80 MB, so the UI thread never stalls on an upload. Long series are
//! handed in reduced by [`super::pyramid::Pyramid`], so what is drawn stays near the pixel count
//! (at most `8 × columns + 2` vertices, a few chunks). Each chunk's origin is taken relative to
//! the view on the CPU in f64, so however long the series, the f32 arithmetic on the GPU only
//! ever sees numbers of the size of the view: a point 5 years into a series lands on its pixel.
//!
//! Only wgpu's portable subset is used (line-strip topology, one uniform buffer with a small
//! array, `vertex_index`, no extensions or optional features, default limits), so the same code
//! runs on Vulkan, Metal, DX12 and GL; its shader is also translated to each of their shading
//! languages in a test.

use super::pyramid::{CHUNK, Vertices};
use eframe::egui_wgpu::wgpu;
use std::borrow::Cow;
use std::num::NonZeroU64;
use std::ops::Range;

/// The most chunks one draw spans: the uniform holds an origin offset for each.
pub const MAX_CHUNKS: usize = 64;

/// The uniform's size: span, colour, chunk size (16 bytes each) and the offsets.
const UNIFORM_BYTES: u64 = 48 + MAX_CHUNKS as u64 * 4;

/// Vertices written to the GPU at a time, once each: 4 chunks, 128 KB. A view draws at most
/// `8 × columns + 2` vertices, so it touches a few pages a series; smaller pages keep the frame that
/// first shows a region short, larger ones would save write calls.
pub const PAGE: usize = 4 * CHUNK;

/// The line shader (WGSL).
pub const SHADER: &str = r"
struct View {
    // x: the view's width; y: its lowest y; z: its height (data units).
    span: vec4<f32>,
    // Premultiplied linear RGBA.
    color: vec4<f32>,
    // x: vertices per chunk.
    chunks: vec4<u32>,
    // For each chunk drawn (from the first bound), its origin minus the view's lowest x; four to a vec4.
    offsets: array<vec4<f32>, 16>,
};
@group(0) @binding(0) var<uniform> view: View;

@vertex
fn vs_main(@builtin(vertex_index) index: u32, @location(0) p: vec2<f32>) -> @builtin(position) vec4<f32> {
    // The buffer is bound from the first chunk drawn, so the index counts from there.
    let k = index / view.chunks.x;
    let x = (p.x + view.offsets[k / 4u][k % 4u]) / view.span.x;
    let y = (p.y - view.span.y) / view.span.z;
    return vec4<f32>(x * 2.0 - 1.0, y * 2.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs_main() -> @location(0) vec4<f32> {
    return view.color;
}
";

/// A level of a series on the GPU: a buffer for all its vertices, filled a page at a time.
pub struct GpuVertices {
    buffer: wgpu::Buffer,
    count: usize,
    origins: Vec<f64>,
    written: Vec<bool>,
}

impl GpuVertices {
    /// Bytes of GPU memory allocated.
    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.buffer.size()
    }

    /// Bytes written so far (the pages some view needed).
    #[must_use]
    pub fn written_bytes(&self) -> u64 {
        let pages = self.written.iter().filter(|&&w| w).count();
        (pages * PAGE * 8).min(self.count * 8) as u64
    }

    /// Writes the pages of `range` not written yet; `vertices(r, origins)` gives vertices `r`
    /// relative to their chunks' `origins` (as [`super::pyramid::Pyramid::vertex_slice`] does).
    pub fn write<'a>(&mut self, queue: &wgpu::Queue, range: Range<usize>, vertices: impl Fn(Range<usize>, &[f64]) -> Cow<'a, [[f32; 2]]>) {
        let end = range.end.min(self.count);
        for page in range.start.min(end) / PAGE..end.div_ceil(PAGE) {
            if self.written[page] {
                continue;
            }
            let pages = page * PAGE..((page + 1) * PAGE).min(self.count);
            let data = vertices(pages.clone(), &self.origins);
            // f32 pairs as bytes, in the machine's order: little-endian on every platform wgpu runs on.
            queue.write_buffer(&self.buffer, (pages.start * 8) as u64, bytemuck::cast_slice(&data));
            self.written[page] = true;
        }
    }
}

/// One drawing of a series in one plot: its view uniform.
pub struct GpuView {
    uniform: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
}

/// The pipeline that draws series as line strips.
pub struct LineRenderer {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
}

/// What a series shows: the visible data range and its colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Lowest x and y shown.
    pub min: [f64; 2],
    /// Highest x and y shown.
    pub max: [f64; 2],
    /// Premultiplied linear RGBA.
    pub color: [f32; 4],
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
                    min_binding_size: NonZeroU64::new(UNIFORM_BYTES),
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

    /// A buffer for `count` vertices in chunks with these `origins`, written later a page at a
    /// time ([`GpuVertices::write`]).
    #[must_use]
    pub fn allocate(device: &wgpu::Device, count: usize, origins: Vec<f64>) -> GpuVertices {
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("headroom series"),
            size: (count.max(1) * 8) as u64,
            usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        GpuVertices { buffer, count, origins, written: vec![false; count.div_ceil(PAGE)] }
    }

    /// Allocates and writes all of `vertices` at once (what a view of every vertex needs).
    #[must_use]
    pub fn upload(device: &wgpu::Device, queue: &wgpu::Queue, vertices: &Vertices<'_>) -> GpuVertices {
        let mut target = LineRenderer::allocate(device, vertices.data.len(), vertices.origins.to_vec());
        target.write(queue, 0..vertices.data.len(), |r, _| Cow::Borrowed(&vertices.data[r]));
        target
    }

    /// A view uniform for one drawing of a series.
    #[must_use]
    pub fn view(&self, device: &wgpu::Device) -> GpuView {
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("headroom view"),
            size: UNIFORM_BYTES,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("headroom view"),
            layout: &self.layout,
            entries: &[wgpu::BindGroupEntry { binding: 0, resource: uniform.as_entire_binding() }],
        });
        GpuView { uniform, bind_group }
    }

    /// Pans or zooms: writes the view's uniform for drawing `range` of `vertices` (its span,
    /// colour and the origins of the chunks the range touches, relative to the view in f64).
    /// Returns the range to draw (and to have written): `range` within the vertices, cut to
    /// [`MAX_CHUNKS`] chunks.
    #[must_use]
    pub fn set_view(queue: &wgpu::Queue, target: &GpuView, vertices: &GpuVertices, view: &View, range: Range<usize>) -> Range<usize> {
        let end = range.end.min(vertices.count);
        let start = range.start.min(end);
        let first_chunk = start / CHUNK;
        let end = end.min((first_chunk + MAX_CHUNKS) * CHUNK);
        let mut floats = [0.0_f32; UNIFORM_BYTES as usize / 4];
        floats[..8].copy_from_slice(&[
            (view.max[0] - view.min[0]) as f32,
            view.min[1] as f32,
            (view.max[1] - view.min[1]) as f32,
            0.0,
            view.color[0],
            view.color[1],
            view.color[2],
            view.color[3],
        ]);
        for (slot, origin) in floats[12..].iter_mut().zip(vertices.origins.iter().skip(first_chunk)) {
            *slot = (origin - view.min[0]) as f32;
        }
        let mut bytes: Vec<u8> = floats.iter().flat_map(|f| f.to_le_bytes()).collect();
        bytes[32..36].copy_from_slice(&(CHUNK as u32).to_le_bytes());
        queue.write_buffer(&target.uniform, 0, &bytes);
        start..end
    }

    /// Draws `range` of `vertices` (as returned by [`LineRenderer::set_view`], and written) into a
    /// render pass: the buffer bound from the range's first chunk, as the uniform's offsets are.
    pub fn paint(&self, pass: &mut wgpu::RenderPass<'_>, target: &GpuView, vertices: &GpuVertices, range: Range<usize>) {
        if range.len() < 2 {
            return;
        }
        let base = range.start / CHUNK * CHUNK;
        let local = u32::try_from(range.start - base).unwrap_or(0)..u32::try_from(range.end - base).unwrap_or(0);
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &target.bind_group, &[]);
        pass.set_vertex_buffer(0, vertices.buffer.slice((base * 8) as u64..(range.end * 8) as u64));
        pass.draw(local, 0..1);
    }
}

#[cfg(test)]
mod tests {
    use super::super::pyramid::Pyramid;
    use super::*;

    /// A device on `backend` (Mesa's lavapipe for Vulkan, llvmpipe for GL here), held to wgpu's
    /// lowest limits (those of WebGL2) and no optional features, so the renderer is shown to need
    /// nothing more.
    fn device(backend: wgpu::Backends) -> (wgpu::Device, wgpu::Queue) {
        let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
        descriptor.backends = backend;
        let instance = wgpu::Instance::new(descriptor);
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions::default()))
            .unwrap_or_else(|e| panic!("no {backend:?} adapter ({e}): install mesa-vulkan-drivers and libegl-mesa0 (see .ci/test)"));
        let descriptor =
            wgpu::DeviceDescriptor { required_limits: wgpu::Limits::downlevel_webgl2_defaults(), ..wgpu::DeviceDescriptor::default() };
        pollster::block_on(adapter.request_device(&descriptor)).expect("a device within WebGL2's limits")
    }

    /// Renders each series' planned range in its view into a `size`² RGBA image on Vulkan and reads it back.
    fn render(series: &[(&Pyramid, View)], columns: usize, size: u32) -> Vec<u8> {
        render_on(wgpu::Backends::VULKAN, series, columns, size)
    }

    /// [`render`] on `backend`.
    fn render_on(backend: wgpu::Backends, series: &[(&Pyramid, View)], columns: usize, size: u32) -> Vec<u8> {
        let (device, queue) = device(backend);
        let format = wgpu::TextureFormat::Rgba8Unorm;
        let renderer = LineRenderer::new(&device, format);
        let drawn: Vec<(GpuVertices, GpuView, Range<usize>)> = series
            .iter()
            .filter_map(|(pyramid, view)| {
                let plan = pyramid.plan(view.min[0], view.max[0], columns)?;
                let mut vertices =
                    LineRenderer::allocate(&device, pyramid.vertex_count(plan.level), pyramid.vertex_origins(plan.level).to_vec());
                let target = renderer.view(&device);
                let range = LineRenderer::set_view(&queue, &target, &vertices, view, plan.range);
                vertices.write(&queue, range.clone(), |r, origins| pyramid.vertex_slice(plan.level, r, origins));
                // A view writes only the pages it draws.
                assert!(vertices.written_bytes() <= ((range.len() / PAGE + 2) * PAGE * 8) as u64);
                Some((vertices, target, range))
            })
            .collect();
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
            for (vertices, target, range) in &drawn {
                renderer.paint(&mut pass, target, vertices, range.clone());
            }
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
        device.poll(wgpu::PollType::wait_indefinitely()).expect("the render finishes");
        let data = readback.slice(..).get_mapped_range().expect("mapped");
        (0..size).flat_map(|y| data[(y * row) as usize..(y * row + size * 4) as usize].to_vec()).collect()
    }

    fn lit(image: &[u8], size: u32, x: u32, y: u32) -> bool {
        image[((y * size + x) * 4) as usize] > 128
    }

    /// The columns lit in `rows`.
    fn lit_columns(image: &[u8], size: u32, rows: std::ops::RangeInclusive<u32>) -> Vec<u32> {
        (0..size).filter(|&x| rows.clone().any(|y| lit(image, size, x, y))).collect()
    }

    const RED: [f32; 4] = [1.0, 0.0, 0.0, 1.0];

    #[test]
    fn a_known_series_lights_the_expected_pixels() {
        // A horizontal line at y = 0.5 in a view [0, 1]²: the middle row, across.
        let pyramid = Pyramid::new(&[[0.0, 0.5], [1.0, 0.5]]);
        let image = render(&[(&pyramid, View { min: [0.0, 0.0], max: [1.0, 1.0], color: RED })], 64, 64);
        let middle = (31..=32).any(|y| (4..60).all(|x| lit(&image, 64, x, y)));
        assert!(middle, "the middle row is lit");
        assert!(!lit(&image, 64, 10, 5) && !lit(&image, 64, 10, 58), "nothing else is");
    }

    #[test]
    fn a_single_sample_spike_in_ten_million_points_is_visible_zoomed_out() {
        let n = 10_000_000;
        let mut points: Vec<[f64; 2]> = (0..n).map(|i| [f64::from(i), f64::from(i % 7) / 100.0]).collect();
        points[6_000_000][1] = 0.9;
        let pyramid = Pyramid::new(&points);
        let image = render(&[(&pyramid, View { min: [0.0, 0.0], max: [f64::from(n), 1.0], color: RED })], 128, 128);
        // y = 0.9 is row 12 from the top of 128; the spike's column is 6/10 of the way across.
        let spike_lit = (74..=80).any(|x| (10..=14).any(|y| lit(&image, 128, x, y)));
        assert!(spike_lit, "the spike is drawn");
        assert!(!(0..60).any(|x| (10..=14).any(|y| lit(&image, 128, x, y))), "and nothing else reaches that high");
    }

    #[test]
    fn a_point_five_years_into_a_series_lands_on_its_pixel() {
        five_years_in_on(wgpu::Backends::VULKAN);
    }

    #[test]
    fn the_same_renderer_draws_the_same_pixels_on_opengl() {
        // wgpu's GL backend (GLSL ES from the same WGSL), on Mesa's llvmpipe through EGL.
        five_years_in_on(wgpu::Backends::GL);
        let pyramid = Pyramid::new(&[[0.0, 0.5], [1.0, 0.5]]);
        let image = render_on(wgpu::Backends::GL, &[(&pyramid, View { min: [0.0, 0.0], max: [1.0, 1.0], color: RED })], 64, 64);
        assert!((31..=32).any(|y| (4..60).all(|x| lit(&image, 64, x, y))), "the middle row is lit on GL too");
    }

    /// 10M points 15 s apart from 2023; one f32 offset from the first would put the last ones on
    /// 16 s steps, a pixel column in 64 out of place in this 4-minute view.
    fn five_years_in_on(backend: wgpu::Backends) {
        let n = 10_000_000_u32;
        let t = |i: u32| 1.7e9 + f64::from(i) * 15.0;
        let spike = n - 9;
        let points: Vec<[f64; 2]> = (0..n).map(|i| [t(i), if i == spike { 0.9 } else { 0.1 }]).collect();
        let pyramid = Pyramid::new(&points);
        // Eight points span the view; the spike at the middle one.
        let view = View { min: [t(n - 13), 0.0], max: [t(n - 5), 1.0], color: RED };
        let image = render_on(backend, &[(&pyramid, view)], 128, 128);
        // The spike's peak: row 12 (y = 0.9), column 64 (the middle of the view).
        let peak = lit_columns(&image, 128, 10..=14);
        assert!(!peak.is_empty() && peak.iter().all(|&x| (62..=66).contains(&x)), "the spike's peak is in columns {peak:?}");
    }
}
