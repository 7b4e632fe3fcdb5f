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
