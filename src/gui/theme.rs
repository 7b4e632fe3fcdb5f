//! Colours and sizes, in one place.

use crate::engine::analyze::Severity;
use crate::engine::check::Status;
use egui::Color32;

/// Within budget.
pub const PASS: Color32 = Color32::from_rgb(0x2e, 0xa0, 0x43);
/// Near the limit, or something to look at.
pub const WARN: Color32 = Color32::from_rgb(0xd2, 0x99, 0x22);
/// Over budget or regressed.
pub const FAIL: Color32 = Color32::from_rgb(0xe0, 0x44, 0x3c);
/// Nothing checked (a group with no results).
pub const NONE: Color32 = Color32::from_rgb(0x80, 0x80, 0x80);
/// A regression that a later change point reverted: history, not an alarm (a neutral grey).
pub const REVERTED: Color32 = NONE;
/// The history line of the baseline branch.
pub const SERIES: Color32 = Color32::from_rgb(0x4a, 0x90, 0xe2);
/// Runs of other branches (pull requests).
pub const OTHER_BRANCH: Color32 = Color32::from_rgb(0xa0, 0x6c, 0xd5);
/// The text size of the left panel's tabs, in points: four tabs fit the tree's width.
pub const TAB_SIZE: f32 = 15.0;
/// The width of the budget tree, in points.
pub const TREE_WIDTH: f32 = 430.0;
/// How much larger review mode draws everything at most (for the projector).
pub const REVIEW_ZOOM: f32 = 1.5;

/// Review mode's zoom for a window of `size` (in unzoomed points): [`REVIEW_ZOOM`] where the
/// window holds 1,100 by 720 points at that zoom, less on a smaller one (never below 1), so the
/// agenda, the item and its plot fit a 1024 by 700 window too.
#[must_use]
pub fn review_zoom(size: egui::Vec2) -> f32 {
    (size.x / 1_100.0).min(size.y / 720.0).clamp(1.0, REVIEW_ZOOM)
}

/// The width of the agenda's overview beside the item in review mode, in points.
pub const AGENDA_WIDTH: f32 = 300.0;

/// The size of egui's small text (noise, allocation sums, commit ranges, owners, notes, the
/// legend), in points: egui's 9 points is too small on a 1080p screen or a projector.
pub const SMALL_TEXT: f32 = 11.5;

/// The light theme's selected row: a pale blue on which every status text colour keeps 4.5:1
/// (egui's stronger blue left red and amber text at 2.5:1 and 1.5:1).
pub const LIGHT_SELECTION: Color32 = Color32::from_rgb(0xcf, 0xe4, 0xfa);

/// The dark theme's selected row: a deep blue on which every status text colour, the noise's teal
/// and weak text keep 4.5:1 (egui's brighter blue, #005c80, left them at 3.4-4.0:1).
pub const DARK_SELECTION: Color32 = Color32::from_rgb(0x1f, 0x3d, 0x5c);

/// Weak text (secondary lines, hints) as a colour of its own, 4.5:1 or more against the panels
/// (egui fades the text colour to 60%, about 3:1 on the light theme).
#[must_use]
pub fn weak_text(dark_mode: bool) -> Color32 {
    if dark_mode { Color32::from_rgb(0xa8, 0xa8, 0xa8) } else { Color32::from_rgb(0x55, 0x55, 0x55) }
}

/// Placeholder (hint) text in a field, as a colour of its own: clearly dimmer than typed text
/// (egui draws hints in the weak text colour, which is almost the typed text's: an empty field
/// looked filled in): about half the typed text's contrast, and italic (see [`hint`]), yet 4.5:1
/// or more against the field and the panels on either theme (WCAG AA, as every text here).
#[must_use]
pub fn hint_color(dark_mode: bool) -> Color32 {
    if dark_mode { Color32::from_rgb(0x85, 0x85, 0x85) } else { Color32::from_rgb(0x64, 0x64, 0x64) }
}

/// A field's placeholder `text`, dim and italic (see [`hint_color`]). A laid-out text, because
/// `TextEdit` recolours a plain or rich hint to the weak text colour.
#[must_use]
pub fn hint(ui: &egui::Ui, text: &str) -> egui::WidgetText {
    let rich = egui::RichText::new(text).italics().color(hint_color(ui.visuals().dark_mode));
    egui::WidgetText::from(rich).into_layout_job(ui.style(), egui::FontSelection::Default, egui::Align::Center).into()
}

/// Sets both themes' text sizes and colours: readable small text, weak text and selection.
pub fn install(ctx: &egui::Context) {
    for theme in [egui::Theme::Light, egui::Theme::Dark] {
        ctx.style_mut_of(theme, |style| {
            if let Some(small) = style.text_styles.get_mut(&egui::TextStyle::Small) {
                small.size = SMALL_TEXT;
            }
            let dark = style.visuals.dark_mode;
            style.visuals.weak_text_color = Some(weak_text(dark));
            style.visuals.selection.bg_fill = if dark { DARK_SELECTION } else { LIGHT_SELECTION };
        });
    }
}

/// The colour of a status.
#[must_use]
pub fn status_color(status: Option<Status>) -> Color32 {
    match status {
        Some(Status::Pass) => PASS,
        Some(Status::Warn) => WARN,
        Some(Status::Fail) => FAIL,
        None => NONE,
    }
}

/// The colour of a status as text: the status colour, darker on the light theme and lighter on
/// the dark one, so that text in it has a contrast of at least 4.5:1 (WCAG AA) against the
/// panels, the windows and a selected row of either theme (the plain colours are for dots, lines
/// and swatches, which need 3:1).
#[must_use]
pub fn status_text_color(status: Option<Status>, dark_mode: bool) -> Color32 {
    match (status, dark_mode) {
        (Some(Status::Pass), false) => Color32::from_rgb(0x11, 0x63, 0x29),
        (Some(Status::Warn), false) => Color32::from_rgb(0x7d, 0x4e, 0x00),
        (Some(Status::Fail), false) => Color32::from_rgb(0xa4, 0x0e, 0x26),
        (None, false) => Color32::from_rgb(0x50, 0x50, 0x50),
        (Some(Status::Pass), true) => Color32::from_rgb(0x56, 0xd3, 0x64),
        (Some(Status::Warn), true) => Color32::from_rgb(0xe3, 0xb3, 0x41),
        (Some(Status::Fail), true) => Color32::from_rgb(0xff, 0x8f, 0x87),
        (None, true) => Color32::from_rgb(0xb4, 0xb4, 0xb4),
    }
}

/// A colour for text in `ui`: a status colour becomes its text colour for the theme (see
/// [`status_text_color`]); any other colour stays as it is.
#[must_use]
pub fn text(color: Color32, ui: &egui::Ui) -> Color32 {
    let dark = ui.visuals().dark_mode;
    match color {
        PASS => status_text_color(Some(Status::Pass), dark),
        WARN => status_text_color(Some(Status::Warn), dark),
        FAIL => status_text_color(Some(Status::Fail), dark),
        NONE => status_text_color(None, dark),
        other => other,
    }
}

/// The colour of a severity as text (see [`status_text_color`]).
#[must_use]
pub fn severity_text_color(severity: Severity, dark_mode: bool) -> Color32 {
    status_text_color(Some(severity_status(severity)), dark_mode)
}

/// The status whose colour a severity takes.
fn severity_status(severity: Severity) -> Status {
    match severity {
        Severity::Info => Status::Pass,
        Severity::Low | Severity::Medium => Status::Warn,
        Severity::High | Severity::Critical => Status::Fail,
    }
}

/// The engine's segment levels.
pub const LEVEL: Color32 = Color32::from_rgb(0x9a, 0xa5, 0xb1);

/// The plot's grid: a grey well short of the text's (egui_plot's default base), so that its
/// strongest lines, a major value on the axis, never read as the budget's limit, drawn in the
/// theme's ink two points wide.
#[must_use]
pub fn grid_color(dark_mode: bool) -> Color32 {
    if dark_mode { Color32::from_gray(0x58) } else { Color32::from_gray(0xb0) }
}

/// A change of a metric's noise (its spread, not its level): a teal that is neither a status
/// colour (it is not a regression) nor one of the series' palette.
pub const NOISE: Color32 = Color32::from_rgb(0x14, 0x9e, 0x96);

/// [`NOISE`] as text: darker on the light theme and lighter on the dark one, for 4.5:1 against
/// the panels, a selected row and the plot's background.
#[must_use]
pub fn noise_text_color(dark_mode: bool) -> Color32 {
    if dark_mode { Color32::from_rgb(0x4f, 0xd1, 0xc5) } else { Color32::from_rgb(0x0b, 0x63, 0x5e) }
}

/// The colour of a change point's severity: green for improvements, amber for small
/// regressions, red for those that matter.
#[must_use]
pub fn severity_color(severity: Severity) -> Color32 {
    status_color(Some(severity_status(severity)))
}

/// The band of values the gate lets pass (baseline ± the smallest flaggable change, never past
/// the limit): a translucent slate blue, the same on the plot and as its legend swatch (drawn
/// over the same background, so they match in either theme).
pub const BAND: Color32 = Color32::from_rgba_unmultiplied_const(0x6a, 0x86, 0xa6, 0x60);

/// The background of the line at fault in a bad file.
pub const ERROR_LINE: Color32 = Color32::from_rgba_premultiplied(0x70, 0x20, 0x1e, 0x70);

/// The limit line: not a status colour (status colours are for statuses), but the ink of the
/// theme, strong against the plot's background.
#[must_use]
pub fn limit_color(dark_mode: bool) -> Color32 {
    if dark_mode { Color32::from_rgb(0xe8, 0xe8, 0xe8) } else { Color32::from_rgb(0x20, 0x20, 0x20) }
}

/// Colours of series (stacked allocations, overlaid metrics), in turn: none of them green, amber
/// or red, which mean statuses, and none the purple of other branches.
const PALETTE: [Color32; 6] = [
    SERIES,
    Color32::from_rgb(0xd4, 0x5e, 0xa8),
    Color32::from_rgb(0x36, 0xa9, 0xc9),
    Color32::from_rgb(0xa8, 0x74, 0x4a),
    Color32::from_rgb(0x8e, 0x7c, 0xc3),
    Color32::from_rgb(0x6f, 0x82, 0x96),
];

/// The colour of the `i`th stacked allocation.
#[must_use]
pub fn stack_color(i: usize) -> Color32 {
    PALETTE[i % PALETTE.len()]
}

/// The colour of the `i`th overlaid metric: the palette after the baseline's own blue.
#[must_use]
pub fn overlay_color(i: usize) -> Color32 {
    PALETTE[1 + i % (PALETTE.len() - 1)]
}

/// Whether a colour is one of the status colours (tests hold the palette to it).
#[must_use]
pub fn is_status_color(color: Color32) -> bool {
    [PASS, WARN, FAIL].contains(&color)
}

/// WCAG's contrast ratio of two colours (1 to 21; body text needs 4.5).
#[must_use]
pub fn contrast(a: Color32, b: Color32) -> f32 {
    let luminance = |c: Color32| {
        let [r, g, b, _] = c.to_srgba_unmultiplied().map(|v| {
            let v = f32::from(v) / 255.0;
            if v <= 0.039_28 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
        });
        0.2126 * r + 0.7152 * g + 0.0722 * b
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::svg::colour;

    fn css(color: Color32) -> String {
        let [red, green, blue, _] = color.to_srgba_unmultiplied();
        format!("#{red:02x}{green:02x}{blue:02x}")
    }

    #[test]
    fn the_report_site_draws_in_the_apps_colours() {
        for (app, site) in [
            (PASS, colour::PASS),
            (WARN, colour::WARN),
            (FAIL, colour::FAIL),
            (NONE, colour::NONE),
            (REVERTED, colour::REVERTED),
            (SERIES, colour::SERIES),
            (OTHER_BRANCH, colour::OTHER_BRANCH),
            (LEVEL, colour::LEVEL),
            (BAND, colour::BAND),
            (limit_color(false), colour::LIMIT),
        ] {
            // Within rounding: a translucent colour is stored premultiplied.
            let channels = |hex: &str| [1, 3, 5].map(|i| i32::from_str_radix(&hex[i..i + 2], 16).unwrap_or(-99));
            let (a, b) = (channels(&css(app)), channels(site));
            assert!(a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 2), "{} against {site}", css(app));
        }
        assert!((f64::from(BAND.a()) / 255.0 - colour::BAND_OPACITY).abs() < 0.01);
        for severity in [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical] {
            assert_eq!(css(severity_color(severity)), colour::severity(severity));
        }
    }

    #[test]
    fn a_hint_is_clearly_dimmer_than_typed_text_and_still_readable() {
        for visuals in [egui::Visuals::light(), egui::Visuals::dark()] {
            let field = visuals.text_edit_bg_color();
            let (hint, typed) = (contrast(hint_color(visuals.dark_mode), field), contrast(visuals.widgets.inactive.text_color(), field));
            let on_panel = contrast(hint_color(visuals.dark_mode), visuals.panel_fill);
            assert!(hint >= 4.5 && on_panel >= 4.5, "dark {}: a hint at {hint:.1}:1 ({on_panel:.1}:1 on a panel)", visuals.dark_mode);
            // Typed text stands out from a hint: 1.5 times its contrast or more (it was 1.1 times).
            assert!(typed >= 1.5 * hint, "dark {}: typed {typed:.1}:1, hint {hint:.1}:1", visuals.dark_mode);
        }
    }
}
