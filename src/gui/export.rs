//! The review's export: Markdown and HTML from `report::review`, with each item's plot as a PNG.
//!
//! The plots are the app's own plot function, drawn by a headless egui context and painted on
//! the CPU, so an export looks like the screen, needs no window and no GPU, and works the same
//! in CI, under Xvfb and on a laptop:
//!
//! ```text
//!  history_plot_ui ─▶ egui::Context::run_ui ─▶ shapes ─▶ tessellate ─▶ triangles
//!                       (no window)                                      │
//!  PNG ◀── png crate ◀── RGBA buffer ◀── rasterize: barycentric coverage, font atlas texture
//! ```

use super::state::{ExportError, ExportRequest, PlotData};
use super::widgets::plot::{PlotOptions, history_plot_ui};
use crate::engine::check::BudgetResult;
use crate::report::review::{html, markdown};
use egui::epaint::{ClippedPrimitive, Primitive};
use egui::{Color32, ColorImage, TextureId};
use std::collections::HashMap;

/// The size of an exported plot, in pixels.
pub const PLOT_SIZE: [u32; 2] = [960, 360];

/// Writes `review.md`, `review.html` and a PNG per item with a plot into the request's folder
/// (created where missing). Every file is written atomically. Returns how many files were written.
/// The app runs it on the `headroom-export` thread (an effect of `ReviewCommand::Export`).
pub fn export_review(request: &ExportRequest) -> Result<usize, ExportError> {
    let (dir, agenda) = (&request.dir, &request.agenda);
    std::fs::create_dir_all(dir).map_err(|source| ExportError::Io { verb: "create", path: dir.clone(), source })?;
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        crate::model::disk::write_atomic(&path, bytes).map_err(|source| ExportError::Io { verb: "write", path, source })
    };
    let mut images: HashMap<usize, String> = HashMap::new();
    for p in &request.plots {
        let Some(item) = agenda.items.get(p.item) else { continue };
        let png = plot_png(&p.plot, &p.result, p.centre, p.proposed, PLOT_SIZE)?;
        let name =
            format!("{:02}-{}.png", p.item + 1, item.metric.replace(|c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '_', "-"));
        write(&name, &png)?;
        images.insert(p.item, name);
    }
    let image_of = |i: usize| images.get(&i).cloned();
    write("review.md", markdown(agenda, &image_of).as_bytes())?;
    write("review.html", html(agenda, &image_of).as_bytes())?;
    Ok(images.len() + 2)
}

/// A budget's history plot as PNG bytes, drawn exactly as the app draws it (light theme), with
/// the limit a proposal proposes where there is one.
pub fn plot_png(
    plot: &PlotData,
    result: &BudgetResult,
    centre: Option<f64>,
    proposed: Option<f64>,
    size: [u32; 2],
) -> Result<Vec<u8>, ExportError> {
    let ctx = egui::Context::default();
    ctx.set_theme(egui::Theme::Light);
    crate::gui::theme::install(&ctx);
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(size[0] as f32, size[1] as f32));
    let input = || egui::RawInput { screen_rect: Some(screen), ..egui::RawInput::default() };
    let span = match (plot.main.first(), plot.main.last()) {
        (Some(a), Some(b)) => (b[0] - a[0]) / 4.0,
        _ => 1.0,
    };
    let view = centre.map(|x| (x - span, x + span));
    let mut textures: HashMap<TextureId, ColorImage> = HashMap::new();
    let mut primitives = Vec::new();
    // Two frames: the first lays out fonts and the plot's bounds, the second is painted.
    for _ in 0..2 {
        let mut output = ctx.run_ui(input(), |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                // The legend above the plot, as in the app, so the PNG says what each line is.
                history_plot_ui(
                    ui,
                    plot,
                    result,
                    &PlotOptions { id: "export", view, show_legend: true, proposed, ..PlotOptions::default() },
                );
            });
        });
        for (id, delta) in output.textures_delta.set.iter().flat_map(|(id, deltas)| deltas.iter().map(move |d| (id, d))) {
            let egui::ImageData::Color(image) = &delta.image;
            match delta.pos {
                None => {
                    textures.insert(*id, ColorImage::clone(image));
                }
                Some([x, y]) => {
                    if let Some(texture) = textures.get_mut(id) {
                        for row in 0..image.size[1] {
                            for col in 0..image.size[0] {
                                let (tx, ty) = (x + col, y + row);
                                if tx < texture.size[0] && ty < texture.size[1] {
                                    texture.pixels[ty * texture.size[0] + tx] = image.pixels[row * image.size[0] + col];
                                }
                            }
                        }
                    }
                }
            }
        }
        output.textures_delta.clear();
        primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    }
    let background = ctx.global_style().visuals.panel_fill;
    let pixels = rasterize(&primitives, &textures, size, background);
    Ok(encode_png(&pixels, size)?)
}

/// Paints tessellated egui meshes into an RGBA buffer: each triangle filled where its barycentric
/// coordinates are non-negative at a pixel's centre, its colour interpolated and multiplied by
/// the texture (the font atlas, or white), blended premultiplied over what is there.
#[allow(clippy::many_single_char_names)] // a, b, c are a triangle's corners; w, h the image's size, as in the maths
fn rasterize(
    primitives: &[ClippedPrimitive],
    textures: &HashMap<TextureId, ColorImage>,
    size: [u32; 2],
    background: Color32,
) -> Vec<Color32> {
    let (w, h) = (size[0] as usize, size[1] as usize);
    let mut out = vec![background; w * h];
    for primitive in primitives {
        let Primitive::Mesh(mesh) = &primitive.primitive else { continue };
        let texture = textures.get(&mesh.texture_id);
        let clip = primitive.clip_rect;
        for tri in mesh.indices.chunks_exact(3) {
            let [a, b, c] = [tri[0], tri[1], tri[2]].map(|i| mesh.vertices[i as usize]);
            let area = (b.pos - a.pos).x * (c.pos - a.pos).y - (b.pos - a.pos).y * (c.pos - a.pos).x;
            if area.abs() < 1e-6 {
                continue;
            }
            let min_x = a.pos.x.min(b.pos.x).min(c.pos.x).max(clip.min.x).max(0.0).floor() as usize;
            let max_x = (a.pos.x.max(b.pos.x).max(c.pos.x).min(clip.max.x).ceil().max(0.0) as usize).min(w);
            let min_y = a.pos.y.min(b.pos.y).min(c.pos.y).max(clip.min.y).max(0.0).floor() as usize;
            let max_y = (a.pos.y.max(b.pos.y).max(c.pos.y).min(clip.max.y).ceil().max(0.0) as usize).min(h);
            for py in min_y..max_y {
                for px in min_x..max_x {
                    let p = egui::pos2(px as f32 + 0.5, py as f32 + 0.5);
                    let wa = ((b.pos - p).x * (c.pos - p).y - (b.pos - p).y * (c.pos - p).x) / area;
                    let wb = ((c.pos - p).x * (a.pos - p).y - (c.pos - p).y * (a.pos - p).x) / area;
                    let wc = 1.0 - wa - wb;
                    if wa < 0.0 || wb < 0.0 || wc < 0.0 {
                        continue;
                    }
                    let (ca, cb, cc) = (a.color.to_array(), b.color.to_array(), c.color.to_array());
                    let mut rgba: [f32; 4] = std::array::from_fn(|k| f32::from(ca[k]) * wa + f32::from(cb[k]) * wb + f32::from(cc[k]) * wc);
                    if let Some(t) = texture {
                        let u = a.uv.x * wa + b.uv.x * wb + c.uv.x * wc;
                        let v = a.uv.y * wa + b.uv.y * wb + c.uv.y * wc;
                        let tx = ((u * t.size[0] as f32) as usize).min(t.size[0] - 1);
                        let ty = ((v * t.size[1] as f32) as usize).min(t.size[1] - 1);
                        let texel = t.pixels[ty * t.size[0] + tx];
                        for (channel, factor) in rgba.iter_mut().zip(texel.to_array()) {
                            *channel *= f32::from(factor) / 255.0;
                        }
                    }
                    let dst = &mut out[py * w + px];
                    let keep = 1.0 - rgba[3] / 255.0;
                    let [dr, dg, db, da] = dst.to_array().map(f32::from);
                    let blend = |s: f32, d: f32| (s + d * keep).round().clamp(0.0, 255.0) as u8;
                    *dst = Color32::from_rgba_premultiplied(blend(rgba[0], dr), blend(rgba[1], dg), blend(rgba[2], db), blend(rgba[3], da));
                }
            }
        }
    }
    out
}

fn encode_png(pixels: &[Color32], size: [u32; 2]) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, size[0], size[1]);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    let data: Vec<u8> = pixels.iter().flat_map(Color32::to_srgba_unmultiplied).collect();
    writer.write_image_data(&data)?;
    writer.finish()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::jobs::Source;
    use crate::gui::state::AppState;

    #[test]
    fn the_review_export_writes_markdown_html_and_real_png_plots() {
        let state = AppState::new(&Source::Example);
        let out = tempfile::tempdir().unwrap();
        let files = export_review(&state.export_request(out.path().to_path_buf())).unwrap();
        assert!(files >= 4, "{files}");
        let md = std::fs::read_to_string(out.path().join("review.md")).unwrap();
        let first_png = md.lines().find_map(|l| l.split_once("](").map(|(_, rest)| rest.trim_end_matches(')').to_owned())).unwrap();
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(out.path().join(&first_png)).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!([info.width, info.height], PLOT_SIZE);
        // Not blank: the limit line (the light theme's ink, across the plot) and the series (blue).
        let width = info.width as usize;
        let ink_row = pixels.chunks(4 * width).map(|row| row.chunks(4).filter(|p| p[0] < 60 && p[1] < 60 && p[2] < 60).count()).max();
        let blue = pixels.chunks(4).filter(|p| p[2] > 180 && p[0] < 120).count();
        assert!(ink_row.unwrap_or(0) > width / 2 && blue > 200, "ink row {ink_row:?}, blue {blue}");
        assert!(std::fs::read_to_string(out.path().join("review.html")).unwrap().contains(&format!("src=\"{first_png}\"")));
    }
}
