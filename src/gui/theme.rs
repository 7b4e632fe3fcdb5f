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
/// The history line of the baseline branch.
pub const SERIES: Color32 = Color32::from_rgb(0x4a, 0x90, 0xe2);
/// Runs of other branches (pull requests).
pub const OTHER_BRANCH: Color32 = Color32::from_rgb(0xa0, 0x6c, 0xd5);
/// The width of the budget tree, in points.
pub const TREE_WIDTH: f32 = 430.0;

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

/// The engine's segment levels.
pub const LEVEL: Color32 = Color32::from_rgb(0x9a, 0xa5, 0xb1);

/// The colour of a change point's severity: green for improvements, amber for small
/// regressions, red for those that matter.
#[must_use]
pub fn severity_color(severity: Severity) -> Color32 {
    match severity {
        Severity::Info => PASS,
        Severity::Low | Severity::Medium => WARN,
        Severity::High | Severity::Critical => FAIL,
    }
}

/// The band of values the gate lets pass (baseline ± the smallest flaggable change).
pub const BAND: Color32 = Color32::from_rgba_premultiplied(0x25, 0x3a, 0x50, 0x30);

/// The background of the line at fault in a bad file.
pub const ERROR_LINE: Color32 = Color32::from_rgba_premultiplied(0x70, 0x20, 0x1e, 0x70);

/// Colours of stacked allocations, in turn.
const STACK: [Color32; 6] = [
    Color32::from_rgb(0x4a, 0x90, 0xe2),
    Color32::from_rgb(0x50, 0xb8, 0x8c),
    Color32::from_rgb(0xd2, 0x99, 0x22),
    Color32::from_rgb(0xa0, 0x6c, 0xd5),
    Color32::from_rgb(0xe0, 0x6c, 0x5c),
    Color32::from_rgb(0x8a, 0x9a, 0xa8),
];

/// The colour of the `i`th stacked allocation.
#[must_use]
pub fn stack_color(i: usize) -> Color32 {
    STACK[i % STACK.len()]
}

/// Colours of metrics overlaid on a plot, in turn: apart from the series' blue, the pull
/// requests' purple and the limit's red and warning's amber.
const OVERLAY: [Color32; 6] = [
    Color32::from_rgb(0x2c, 0xa5, 0x8d),
    Color32::from_rgb(0xd4, 0x5e, 0xa8),
    Color32::from_rgb(0x8c, 0x9a, 0x2e),
    Color32::from_rgb(0x36, 0xa9, 0xc9),
    Color32::from_rgb(0xa8, 0x74, 0x4a),
    Color32::from_rgb(0x8a, 0x9a, 0xa8),
];

/// The colour of the `i`th overlaid metric.
#[must_use]
pub fn overlay_color(i: usize) -> Color32 {
    OVERLAY[i % OVERLAY.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::svg::colour;

    fn css(color: Color32) -> String {
        let [red, green, blue, _] = color.to_array();
        format!("#{red:02x}{green:02x}{blue:02x}")
    }

    #[test]
    fn the_report_site_draws_in_the_apps_colours() {
        for (app, site) in [
            (PASS, colour::PASS),
            (WARN, colour::WARN),
            (FAIL, colour::FAIL),
            (NONE, colour::NONE),
            (SERIES, colour::SERIES),
            (OTHER_BRANCH, colour::OTHER_BRANCH),
            (LEVEL, colour::LEVEL),
            (BAND, colour::BAND),
        ] {
            assert_eq!(css(app), site);
        }
        assert!((f64::from(BAND.a()) / 255.0 - colour::BAND_OPACITY).abs() < 0.01);
        for severity in [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical] {
            assert_eq!(css(severity_color(severity)), colour::severity(severity));
        }
    }
}
