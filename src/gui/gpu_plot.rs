//! The history plot's long series drawn by the GPU: an egui_wgpu paint callback over the plot's
//! frame, drawing a pyramid level's visible vertices with [`crate::plot::gpu::LineRenderer`].
//!
//! ```text
//!  App::new ─ wgpu render state? ─ yes ─▶ LineRenderer in egui_wgpu's callback resources
//!                                   no ──▶ the plot keeps drawing with egui_plot (said once in the log)
//!  each frame: egui_plot draws axes, grid, limits, markers, hover; a long series is a plot item
//!  (GpuLine) in egui_plot's order of items, whose shape is a paint callback:
//!    prepare: allocate the planned level's buffer once (cached by pyramid and level), write the
//!             pages of it the view draws that are not there yet, write the view uniform (one per
//!             plot and series); drop what belongs to pyramids no longer alive
//!    paint:   draw the visible range of that level
//! ```

use crate::plot::gpu::{GpuVertices, GpuView, LineRenderer, View};
use crate::plot::pyramid::Pyramid;
use eframe::egui_wgpu::{self, CallbackResources, CallbackTrait, ScreenDescriptor, wgpu};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Weak};

/// What the callbacks share: the pipeline, the uploaded levels and the view uniforms, each with
/// the pyramid it came from (dropped with it, so a reload or another selection frees the GPU memory).
struct Resources {
    renderer: LineRenderer,
    levels: HashMap<(u64, Option<usize>), (Weak<Pyramid>, GpuVertices)>,
    /// Per plot and series: its view uniform and what it draws this frame.
    views: HashMap<(egui::Id, u64), Drawing>,
}

/// One series drawn in one plot.
struct Drawing {
    owner: Weak<Pyramid>,
    view: GpuView,
    /// The vertices drawn this frame (set in `prepare`, drawn in `paint`).
    drawn: Range<usize>,
}

/// Puts the renderer into `renderer`'s callback resources, for targets of `format`.
pub fn install_into(renderer: &mut egui_wgpu::Renderer, device: &wgpu::Device, format: wgpu::TextureFormat) {
    let line = LineRenderer::new(device, format);
    renderer.callback_resources.insert(Resources { renderer: line, levels: HashMap::new(), views: HashMap::new() });
}

/// Puts the renderer into eframe's wgpu callback resources; false where eframe has no wgpu (the
/// plot then draws every series with egui_plot).
#[must_use]
pub fn install(cc: &eframe::CreationContext<'_>) -> bool {
    let Some(state) = &cc.wgpu_render_state else { return false };
    install_into(&mut state.renderer.write(), &state.device, state.target_format);
    true
}

/// Bytes of GPU memory the plot holds in `renderer` (the levels' buffers), for tests and the benchmark.
#[must_use]
pub fn gpu_bytes(renderer: &egui_wgpu::Renderer) -> u64 {
    renderer.callback_resources.get::<Resources>().map_or(0, |r| r.levels.values().map(|(_, v)| v.bytes()).sum())
}

/// Bytes the plot has written into those buffers (the pages views needed).
#[must_use]
pub fn gpu_written_bytes(renderer: &egui_wgpu::Renderer) -> u64 {
    renderer.callback_resources.get::<Resources>().map_or(0, |r| r.levels.values().map(|(_, v)| v.written_bytes()).sum())
}

struct SeriesCallback {
    pyramid: Arc<Pyramid>,
    level: Option<usize>,
    range: Range<usize>,
    view: View,
    plot: egui::Id,
}

impl CallbackTrait for SeriesCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        let Some(Resources { renderer, levels, views }) = resources.get_mut::<Resources>() else { return Vec::new() };
        levels.retain(|_, (owner, _)| owner.strong_count() > 0);
        views.retain(|_, d| d.owner.strong_count() > 0);
        let (pyramid, level, id) = (&self.pyramid, self.level, self.pyramid.id());
        let (_, vertices) = levels.entry((id, level)).or_insert_with(|| {
            (
                Arc::downgrade(pyramid),
                LineRenderer::allocate(device, pyramid.vertex_count(level), pyramid.vertex_origins(level).into_owned()),
            )
        });
        let d = views.entry((self.plot, id)).or_insert_with(|| Drawing {
            owner: Arc::downgrade(pyramid),
            view: renderer.view(device),
            drawn: 0..0,
        });
        d.drawn = LineRenderer::set_view(queue, &d.view, vertices, &self.view, self.range.clone());
        // Each page is written the first time a view needs it; after that only the uniform changes.
        vertices.write(queue, d.drawn.clone(), |r, origins| pyramid.vertex_slice(level, r, origins));
        Vec::new()
    }

    fn paint(&self, _info: egui::PaintCallbackInfo, pass: &mut wgpu::RenderPass<'static>, resources: &CallbackResources) {
        let id = self.pyramid.id();
        if let Some(r) = resources.get::<Resources>()
            && let (Some((_, vertices)), Some(d)) = (r.levels.get(&(id, self.level)), r.views.get(&(self.plot, id)))
        {
            r.renderer.paint(pass, &d.view, vertices, d.drawn.clone());
        }
    }
}

/// The widest plot, in pixels, the GPU draws at full detail: it keeps a draw within
/// [`crate::plot::gpu::MAX_CHUNKS`] chunks (at most 8 vertices a column).
const MAX_COLUMNS: usize = 16_384;

/// A long series drawn by the GPU, as an item of an egui_plot plot: it is painted where egui_plot
/// paints its items, above the plot's background and grid and below the items added after it (the
/// engine's levels, change points, limit and warning lines, legend), as an egui_plot line would be.
/// Give it the name of a zero-width egui_plot line of the same series: that line brings hover and
/// bounds, and the two share one legend entry (hiding one hides both).
pub struct GpuLine {
    base: egui_plot::PlotItemBase,
    plot: egui::Id,
    pyramid: Arc<Pyramid>,
    color: egui::Color32,
}

impl GpuLine {
    /// `pyramid` in `color`, named `name`, in the plot `plot` (so that one series shown in two
    /// plots keeps a view for each).
    #[must_use]
    pub fn new(name: &str, plot: egui::Id, pyramid: &Arc<Pyramid>, color: egui::Color32) -> GpuLine {
        GpuLine { base: egui_plot::PlotItemBase::new(name.to_owned()), plot, pyramid: Arc::clone(pyramid), color }
    }
}

impl egui_plot::PlotItem for GpuLine {
    fn shapes(&self, ui: &egui::Ui, transform: &egui_plot::PlotTransform, shapes: &mut Vec<egui::Shape>) {
        let (frame, bounds) = (*transform.frame(), transform.bounds());
        let (min, max) = (bounds.min(), bounds.max());
        if !(max[0] > min[0] && max[1] > min[1]) {
            return;
        }
        let columns = ((frame.width() * ui.ctx().pixels_per_point()).max(1.0) as usize).min(MAX_COLUMNS);
        let Some(plan) = self.pyramid.plan(min[0], max[0], columns) else { return };
        let view = View { min, max, color: self.color.to_normalized_gamma_f32() };
        let callback = SeriesCallback { pyramid: Arc::clone(&self.pyramid), level: plan.level, range: plan.range, view, plot: self.plot };
        shapes.push(egui::Shape::Callback(egui_wgpu::Callback::new_paint_callback(frame, callback)));
    }

    fn initialize(&mut self, _x_range: std::ops::RangeInclusive<f64>) {}

    fn color(&self) -> egui::Color32 {
        self.color
    }

    fn geometry(&self) -> egui_plot::PlotGeometry<'_> {
        egui_plot::PlotGeometry::None
    }

    fn bounds(&self) -> egui_plot::PlotBounds {
        egui_plot::PlotBounds::NOTHING
    }

    fn base(&self) -> &egui_plot::PlotItemBase {
        &self.base
    }

    fn base_mut(&mut self) -> &mut egui_plot::PlotItemBase {
        &mut self.base
    }
}
