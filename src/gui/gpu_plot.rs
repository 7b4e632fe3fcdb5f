//! The history plot's long series drawn by the GPU: an egui_wgpu paint callback over the plot's
//! frame, drawing a pyramid level's visible vertices with [`crate::plot::gpu::LineRenderer`].
//!
//! ```text
//!  App::new ─ wgpu render state? ─ yes ─▶ LineRenderer in egui_wgpu's callback resources
//!                                   no ──▶ the plot keeps drawing with egui_plot (said once in the log)
//!  each frame: egui_plot draws axes, grid, limits, markers, hover; the callback draws the series:
//!    prepare: upload the level once (cached by pyramid, level, plot), write the 32-byte view uniform
//!    paint:   draw the visible range of that level
//! ```

use crate::plot::gpu::{GpuSeries, LineRenderer, View};
use crate::plot::pyramid::Pyramid;
use eframe::egui_wgpu::{self, CallbackResources, CallbackTrait, ScreenDescriptor, wgpu};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// What the callbacks share: the pipeline and the uploaded levels.
struct Resources {
    renderer: LineRenderer,
    series: HashMap<(usize, Option<usize>, egui::Id), GpuSeries>,
}

/// Puts the renderer into eframe's wgpu callback resources; false where eframe has no wgpu (the
/// plot then draws every series with egui_plot).
#[must_use]
pub fn install(cc: &eframe::CreationContext<'_>) -> bool {
    let Some(state) = &cc.wgpu_render_state else { return false };
    let renderer = LineRenderer::new(&state.device, state.target_format);
    state.renderer.write().callback_resources.insert(Resources { renderer, series: HashMap::new() });
    true
}

struct SeriesCallback {
    pyramid: Arc<Pyramid>,
    level: Option<usize>,
    range: Range<usize>,
    view: View,
    plot: egui::Id,
}

impl SeriesCallback {
    fn key(&self) -> (usize, Option<usize>, egui::Id) {
        (Arc::as_ptr(&self.pyramid) as usize, self.level, self.plot)
    }
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
        if let Some(Resources { renderer, series }) = resources.get_mut::<Resources>() {
            // A level is uploaded the first time a view needs it; after that only the uniform changes.
            let s = series.entry(self.key()).or_insert_with(|| renderer.upload(device, &self.pyramid.vertices(self.level), &self.view));
            LineRenderer::set_view(queue, s, &self.view);
        }
        Vec::new()
    }

    fn paint(&self, _info: egui::PaintCallbackInfo, pass: &mut wgpu::RenderPass<'static>, resources: &CallbackResources) {
        if let Some(r) = resources.get::<Resources>()
            && let Some(s) = r.series.get(&self.key())
        {
            let range = u32::try_from(self.range.start).unwrap_or(u32::MAX)..u32::try_from(self.range.end).unwrap_or(u32::MAX);
            r.renderer.paint_range(pass, s, range);
        }
    }
}

/// Draws `pyramid` over `frame` (the plot's data area, in points) for the data `bounds`
/// (`[x_min, y_min]`, `[x_max, y_max]`), in `color`.
pub fn series_ui(
    ui: &egui::Ui,
    plot: egui::Id,
    frame: egui::Rect,
    bounds: ([f64; 2], [f64; 2]),
    pyramid: &Arc<Pyramid>,
    color: egui::Color32,
) {
    let columns = (frame.width() * ui.ctx().pixels_per_point()).max(1.0) as usize;
    let Some((level, range)) = pyramid.plan(bounds.0[0], bounds.1[0], columns) else { return };
    let origin = pyramid.x_origin();
    let view = View {
        min: [(bounds.0[0] - origin) as f32, bounds.0[1] as f32],
        max: [(bounds.1[0] - origin) as f32, bounds.1[1] as f32],
        color: color.to_normalized_gamma_f32(),
    };
    let callback = SeriesCallback { pyramid: Arc::clone(pyramid), level, range, view, plot };
    ui.painter().with_clip_rect(frame).add(egui_wgpu::Callback::new_paint_callback(frame, callback));
}
