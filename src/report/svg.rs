//! A budget's history plot as SVG, for `headroom report`: the same picture the app's plot and its
//! review export draw (`gui/metric.rs`), in the same colours (`gui/theme.rs`), from plain data, so
//! the CLI draws it without egui or a GPU and a browser scales and prints it sharply.
//!
//! ```text
//!   y (unit)                                    ┆ change point (severity colour; grey where reverted)
//!   limit ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┿━━━━━━━━━━━━━ ink
//!   warning ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ┿ ─ ─ ─ ─ ─ ─  amber, dashed
//!                                    ░░░░░░░░░░░┿░░░░░░░░░░░░  gate passes (baseline band)
//!   runs ╱╲╱╲__╱╲╱╲__╱╲╱╲__╱╲__╱╲╱╲_╱╲╱╲╱╲╱╲╱╲┆╱╲╱╲╱╲╱╲╱╲╱   blue line; other branches: purple dots
//!   level - - - - - - - - - - - - - - - - - - - ┆- - - - - - - engine's levels, grey, dashed
//!   0 ┴──────────────────────────────────────────────────────── x: dates, or run numbers
//! ```
//!
//! Long series are reduced to four points per pixel column (`plot::m4`) before they are written.

use super::quantity;
use crate::engine::analyze::Severity;
use crate::model::time::Timestamp;
use std::fmt::Write as _;

/// The colours of the app's theme (`gui/theme.rs`), as CSS.
pub mod colour {
    /// Within budget.
    pub const PASS: &str = "#2ea043";
    /// Near the limit, or something to look at.
    pub const WARN: &str = "#d29922";
    /// Over budget or regressed.
    pub const FAIL: &str = "#e0443c";
    /// Nothing checked.
    pub const NONE: &str = "#808080";
    /// A regression that a later change point reverted: history, not an alarm (the theme's
    /// `REVERTED`, a neutral grey).
    pub const REVERTED: &str = NONE;
    /// The history line of the baseline branch.
    pub const SERIES: &str = "#4a90e2";
    /// Runs of other branches (pull requests).
    pub const OTHER_BRANCH: &str = "#a06cd5";
    /// The engine's segment levels.
    pub const LEVEL: &str = "#9aa5b1";
    /// A change of noise: the app's teal (`gui::theme::NOISE`), neither a status nor a series.
    pub const NOISE: &str = "#149e96";
    /// The band of values the gate lets pass (the theme's `BAND`, drawn at its opacity).
    pub const BAND: &str = "#6a86a6";
    /// The band's opacity (the theme's alpha 0x60).
    pub const BAND_OPACITY: f64 = 0.376;
    /// The limit line: the ink of the page, not a status colour (the theme's `limit_color` on a
    /// light background).
    pub const LIMIT: &str = "#202020";

    /// The colour of a change point's severity, as the app draws it.
    #[must_use]
    pub fn severity(severity: crate::engine::analyze::Severity) -> &'static str {
        use crate::engine::analyze::Severity;
        match severity {
            Severity::Info => PASS,
            Severity::Low | Severity::Medium => WARN,
            Severity::High | Severity::Critical => FAIL,
        }
    }
}

/// One of the engine's change points on the plot.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeMark {
    /// Where, on the plot's x.
    pub x: f64,
    /// Its severity: its colour, unless it is reverted.
    pub severity: Severity,
    /// The change in words, and what a later change point did to it, for the mark's tooltip
    /// (the app's words for it, without Markdown backticks).
    pub words: String,
    /// Whether a later change point reverted it (`engine::reversal`): history, drawn in grey as
    /// the app draws it, never in an alarm colour.
    pub reverted: bool,
}

/// What one budget's plot shows: plain numbers, x in seconds since 1970 (or run numbers).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlotSeries {
    /// The metric, for the y axis: `services.auth`.
    pub metric: String,
    /// The unit's symbol.
    pub unit: String,
    /// Whether x is a time in seconds (else a run number).
    pub x_is_time: bool,
    /// The baseline branch's name, for the legend.
    pub baseline_branch: String,
    /// Runs of the baseline branch, (x, value), sorted by x.
    pub main: Vec<[f64; 2]>,
    /// Runs of other branches.
    pub other: Vec<[f64; 2]>,
    /// The engine's level of each segment, as pairs of points (a step line).
    pub levels: Vec<[f64; 2]>,
    /// The engine's change points.
    pub change_points: Vec<ChangeMark>,
    /// The engine's changes of noise: (x, in words, for the mark's tooltip).
    pub noise_changes: Vec<(f64, String)>,
    /// The band the gate lets pass: (x from, x to, low, high).
    pub band: Option<(f64, f64, f64, f64)>,
    /// The limit.
    pub limit: f64,
    /// The warning level.
    pub warning: Option<f64>,
}

/// The drawing's size, in CSS pixels (it scales to its container).
const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 400.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 16.0;
/// Below the plot: the x labels, then the legend (two rows at most).
const BOTTOM: f64 = 100.0;

/// Round steps for axis ticks: 1, 2 or 5 times a power of ten, about `count` of them over the range.
fn ticks(min: f64, max: f64, count: usize) -> Vec<f64> {
    let range = max - min;
    if !(range.is_finite() && range > 0.0) {
        return vec![min];
    }
    let raw = range / count.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| range / s <= count as f64).unwrap_or(10.0 * power);
    let first = (min / step).ceil() as i64;
    let last = (max / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The plot as a standalone SVG document.
#[must_use]
#[allow(clippy::too_many_lines)] // one drawing, top to bottom
pub fn svg(plot: &PlotSeries) -> String {
    let xs = plot.main.iter().chain(&plot.other).map(|p| p[0]);
    let (mut x_min, mut x_max) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if !x_min.is_finite() {
        (x_min, x_max) = (0.0, 1.0);
    }
    if x_max <= x_min {
        let pad = if plot.x_is_time { 86_400.0 } else { 1.0 };
        (x_min, x_max) = (x_min - pad, x_max + pad);
    }
    // From zero, so the distance to the limit looks as large as it is (as the app draws it).
    let values = plot.main.iter().chain(&plot.other).map(|p| p[1]).chain([plot.limit]).chain(plot.warning);
    let values = values.chain(plot.band.iter().flat_map(|b| [b.2, b.3]));
    let (low, high) = values.fold((0.0f64, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let y_min = low;
    let y_max = if high > y_min { high + (high - y_min) * 0.06 } else { y_min + 1.0 };
    let (plot_w, plot_h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let px = |x: f64| LEFT + (x - x_min) / (x_max - x_min) * plot_w;
    let py = |y: f64| TOP + (1.0 - (y - y_min) / (y_max - y_min)) * plot_h;
    let unit = &plot.unit;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         font-family=\"system-ui, sans-serif\" font-size=\"14\" role=\"img\" aria-labelledby=\"title\">"
    );
    let _ = writeln!(
        out,
        "<title id=\"title\">{} ({}): {} runs, limit {}</title>",
        escape(&plot.metric),
        escape(unit),
        plot.main.len() + plot.other.len(),
        escape(&quantity(plot.limit, unit))
    );
    let _ = writeln!(out, "<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#ffffff\"/>");
    // Grid and y labels.
    for y in ticks(y_min, y_max, 5) {
        let _ = writeln!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y_px:.1}\" y2=\"{y_px:.1}\" stroke=\"#e3e3e3\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            LEFT + plot_w,
            LEFT - 6.0,
            py(y) + 5.0,
            escape(&short_number(y)),
            y_px = py(y)
        );
    }
    let _ = writeln!(
        out,
        "<text transform=\"translate(16 {:.1}) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">{} ({})</text>",
        TOP + plot_h / 2.0,
        escape(&plot.metric),
        escape(unit)
    );
    // x labels: dates, or run numbers.
    let x_ticks = if plot.x_is_time {
        let step = ((x_max - x_min) / 86_400.0 / 6.0).ceil().max(1.0) * 86_400.0;
        let first = (x_min / 86_400.0).ceil() * 86_400.0;
        (0..=400).map(|k| first + f64::from(k) * step).take_while(|&x| x <= x_max).collect()
    } else {
        ticks(x_min, x_max, 8)
    };
    for x in x_ticks {
        let label = if plot.x_is_time { Timestamp((x * 1000.0) as i64).date() } else { short_number(x) };
        let _ = writeln!(
            out,
            "<line x1=\"{x_px:.1}\" x2=\"{x_px:.1}\" y1=\"{TOP}\" y2=\"{:.1}\" stroke=\"#f0f0f0\"/>\
             <text x=\"{x_px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            TOP + plot_h,
            TOP + plot_h + 20.0,
            escape(&label),
            x_px = px(x)
        );
    }
    let _ = writeln!(
        out,
        "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{plot_w:.1}\" height=\"{plot_h:.1}\" fill=\"none\" stroke=\"#999\"/>\n\
         <defs><clipPath id=\"plot\"><rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{plot_w:.1}\" height=\"{plot_h:.1}\"/></clipPath></defs>\n\
         <g clip-path=\"url(#plot)\">"
    );
    if let Some((from, to, low, high)) = plot.band {
        let _ = writeln!(
            out,
            "<rect class=\"band\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" fill-opacity=\"{}\"/>",
            px(from),
            py(high),
            (px(to) - px(from)).max(1.0),
            (py(low) - py(high)).max(1.0),
            colour::BAND,
            colour::BAND_OPACITY
        );
    }
    let polyline = |points: &[[f64; 2]]| points.iter().map(|p| format!("{:.1},{:.1}", px(p[0]), py(p[1]))).collect::<Vec<_>>().join(" ");
    let main = crate::plot::m4(&plot.main, x_min, x_max, plot_w as usize);
    if !main.is_empty() {
        let _ = writeln!(
            out,
            "<polyline class=\"runs\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>",
            polyline(&main),
            colour::SERIES
        );
    }
    for pair in plot.levels.chunks_exact(2) {
        let _ = writeln!(
            out,
            "<polyline class=\"level\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.2\" stroke-dasharray=\"8 6\"/>",
            polyline(pair),
            colour::LEVEL
        );
    }
    // The reverted ones first, so an open change point at the same x is drawn over them.
    let (reverted, open): (Vec<&ChangeMark>, Vec<&ChangeMark>) = plot.change_points.iter().partition(|c| c.reverted);
    for c in reverted.into_iter().chain(open) {
        let (class, stroke) =
            if c.reverted { ("change-point reverted", colour::REVERTED) } else { ("change-point", colour::severity(c.severity)) };
        let _ = writeln!(
            out,
            "<line class=\"{class}\" x1=\"{x_px:.1}\" x2=\"{x_px:.1}\" y1=\"{TOP}\" y2=\"{:.1}\" stroke=\"{stroke}\" stroke-width=\"1.5\"><title>{}</title></line>",
            TOP + plot_h,
            escape(&c.words),
            x_px = px(c.x)
        );
    }
    for (x, words) in &plot.noise_changes {
        let _ = writeln!(
            out,
            "<line class=\"noise-change\" x1=\"{x_px:.1}\" x2=\"{x_px:.1}\" y1=\"{TOP}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"><title>{}</title></line>",
            TOP + plot_h,
            colour::NOISE,
            super::review::escape(words),
            x_px = px(*x)
        );
    }
    for p in crate::plot::m4(&plot.other, x_min, x_max, plot_w as usize) {
        let _ = writeln!(
            out,
            "<circle class=\"other\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{}\"/>",
            px(p[0]),
            py(p[1]),
            colour::OTHER_BRANCH
        );
    }
    let _ = writeln!(
        out,
        "<line class=\"limit\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{}\" stroke-width=\"2\"/>",
        LEFT + plot_w,
        colour::LIMIT,
        y = py(plot.limit)
    );
    if let Some(w) = plot.warning {
        let _ = writeln!(
            out,
            "<line class=\"warning\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
            LEFT + plot_w,
            colour::WARN,
            y = py(w)
        );
    }
    out.push_str("</g>\n");
    if plot.main.is_empty() && plot.other.is_empty() {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">no runs measure this budget here yet</text>",
            LEFT + plot_w / 2.0,
            TOP + plot_h / 2.0
        );
    }
    legend(&mut out, plot);
    out.push_str("</svg>\n");
    out
}

/// The legend under the plot: what each colour means, as the app's legend names it.
fn legend(out: &mut String, plot: &PlotSeries) {
    let unit = &plot.unit;
    let mut items: Vec<(String, String)> = vec![(
        format!("<line x1=\"0\" x2=\"22\" y1=\"0\" y2=\"0\" stroke=\"{}\" stroke-width=\"2\"/>", colour::SERIES),
        format!("runs of {}", plot.baseline_branch),
    )];
    if !plot.other.is_empty() {
        items.push((format!("<circle cx=\"11\" cy=\"0\" r=\"3.5\" fill=\"{}\"/>", colour::OTHER_BRANCH), "other branches".to_owned()));
    }
    if !plot.levels.is_empty() {
        items.push((
            format!(
                "<line x1=\"0\" x2=\"22\" y1=\"0\" y2=\"0\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>",
                colour::LEVEL
            ),
            "level (engine)".to_owned(),
        ));
    }
    // The open change points in the colour of the most severe; the reverted ones in grey, named
    // as the app's legend names them.
    if let Some(severity) = plot.change_points.iter().filter(|c| !c.reverted).map(|c| c.severity).max() {
        items.push((
            format!("<line x1=\"11\" x2=\"11\" y1=\"-8\" y2=\"8\" stroke=\"{}\" stroke-width=\"2\"/>", colour::severity(severity)),
            "change point".to_owned(),
        ));
    }
    if plot.change_points.iter().any(|c| c.reverted) {
        items.push((
            format!("<line x1=\"11\" x2=\"11\" y1=\"-8\" y2=\"8\" stroke=\"{}\" stroke-width=\"2\"/>", colour::REVERTED),
            "change point (reverted regression)".to_owned(),
        ));
    }
    if !plot.noise_changes.is_empty() {
        items.push((
            format!(
                "<line x1=\"11\" x2=\"11\" y1=\"-8\" y2=\"8\" stroke=\"{}\" stroke-width=\"2\" stroke-dasharray=\"2 3\"/>",
                colour::NOISE
            ),
            "change of noise".to_owned(),
        ));
    }
    if plot.band.is_some() {
        items.push((
            format!(
                "<rect x=\"0\" y=\"-7\" width=\"22\" height=\"14\" fill=\"{}\" fill-opacity=\"{}\"/>",
                colour::BAND,
                colour::BAND_OPACITY
            ),
            "gate passes".to_owned(),
        ));
    }
    items.push((
        format!("<line x1=\"0\" x2=\"22\" y1=\"0\" y2=\"0\" stroke=\"{}\" stroke-width=\"2.5\"/>", colour::LIMIT),
        format!("limit {}", quantity(plot.limit, unit)),
    ));
    if let Some(w) = plot.warning {
        items.push((
            format!("<line x1=\"0\" x2=\"22\" y1=\"0\" y2=\"0\" stroke=\"{}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>", colour::WARN),
            format!("warning {}", quantity(w, unit)),
        ));
    }
    let (mut x, mut y) = (LEFT, HEIGHT - BOTTOM + 50.0);
    for (mark, label) in items {
        // About 7.5 px a character at 14 px.
        let width = 40.0 + 7.5 * label.chars().count() as f64;
        if x + width > WIDTH - RIGHT && x > LEFT {
            (x, y) = (LEFT, y + 24.0);
        }
        let _ = writeln!(
            out,
            "<g transform=\"translate({x:.1} {y:.1})\">{mark}<text x=\"28\" y=\"5\" fill=\"#333\">{}</text></g>",
            escape(&label)
        );
        x += width;
    }
}

/// A tick's number: no more digits than it needs.
fn short_number(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> PlotSeries {
        PlotSeries {
            metric: "services.auth".into(),
            unit: "ms".into(),
            x_is_time: true,
            baseline_branch: "main".into(),
            main: (0..50).map(|i| [1_764_000_000.0 + f64::from(i) * 86_400.0, if i < 30 { 20.0 } else { 26.0 }]).collect(),
            other: vec![[1_764_000_000.0 + 49.5 * 86_400.0, 27.0]],
            levels: vec![[1_764_000_000.0, 20.0], [1_764_000_000.0 + 29.0 * 86_400.0, 20.0]],
            change_points: vec![ChangeMark {
                x: 1_764_000_000.0 + 30.0 * 86_400.0,
                severity: Severity::High,
                words: "regression 20 ms to 26 ms (+30.0%), confidence >99.99%, severity high".into(),
                reverted: false,
            }],
            noise_changes: Vec::new(),
            band: Some((1_764_000_000.0 + 30.0 * 86_400.0, 1_764_000_000.0 + 49.5 * 86_400.0, 24.7, 27.3)),
            limit: 30.0,
            warning: Some(27.0),
        }
    }

    #[test]
    fn ticks_are_round_numbers_inside_the_range() {
        assert_eq!(ticks(0.0, 31.8, 5), [0.0, 10.0, 20.0, 30.0]);
        let fifths = ticks(0.0, 1.0, 5);
        assert_eq!(fifths.len(), 6);
        assert!(fifths.iter().enumerate().all(|(k, t)| (t - k as f64 * 0.2).abs() < 1e-12), "{fifths:?}");
        assert_eq!(ticks(3.0, 3.0, 5), [3.0]);
    }

    #[test]
    fn the_plot_draws_what_the_app_draws_in_its_colours() {
        let text = svg(&example());
        assert!(text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        for (class, colour) in [
            ("runs", colour::SERIES),
            ("limit", colour::LIMIT),
            ("warning", colour::WARN),
            ("band", colour::BAND),
            ("level", colour::LEVEL),
            ("change-point", colour::FAIL),
            ("other", colour::OTHER_BRANCH),
        ] {
            let at = text.find(&format!("class=\"{class}\"")).unwrap_or_else(|| panic!("no {class}: {text}"));
            let element = &text[at..at + text[at..].find('>').unwrap_or(0)];
            assert!(element.contains(colour), "{class} is not {colour}: {element}");
        }
        assert!(text.contains(">limit 30 ms</text>") && text.contains(">warning 27 ms</text>"), "{text}");
        assert!(text.contains(">2025-11-") || text.contains(">2025-12-"), "dates on the x axis: {text}");
    }

    #[test]
    fn a_regression_a_later_change_point_reverted_is_drawn_grey_as_the_app_draws_it() {
        let mut plot = example();
        plot.change_points[0].reverted = true;
        plot.change_points[0].words = "regression 20 ms to 26 ms; reverted at ci-1133: back to 20.1 ms".into();
        let text = svg(&plot);
        let at = text.find("class=\"change-point reverted\"").unwrap_or_else(|| panic!("no reverted mark: {text}"));
        let element = &text[at..at + text[at..].find("</line>").unwrap_or(0)];
        assert!(element.contains(&format!("stroke=\"{}\"", colour::REVERTED)), "{element}");
        assert!(!element.contains(colour::FAIL) && element.contains("reverted at ci-1133"), "{element}");
        assert!(!text.contains("class=\"change-point\""), "no open change point: {text}");
        // The legend names it as the app's does, and has no entry in an alarm colour for it.
        assert!(text.contains(">change point (reverted regression)</text>") && !text.contains(">change point</text>"), "{text}");
    }

    #[test]
    fn the_limit_is_above_the_runs_under_it_and_the_axis_starts_at_zero() {
        let text = svg(&example());
        let y_of = |class: &str| -> f64 {
            let at = text.find(&format!("class=\"{class}\"")).unwrap();
            let rest = &text[at..];
            let y1 = rest.find("y1=\"").unwrap() + 4;
            rest[y1..y1 + rest[y1..].find('"').unwrap()].parse().unwrap()
        };
        // SVG's y grows downwards: the limit (30) is drawn above the warning (27).
        assert!(y_of("limit") < y_of("warning"));
        assert!(text.contains(">0</text>"), "{text}");
    }

    #[test]
    fn a_budget_with_no_runs_says_so_and_still_shows_its_limit() {
        let text = svg(&PlotSeries { metric: "x".into(), unit: "ms".into(), limit: 5.0, ..PlotSeries::default() });
        assert!(text.contains("no runs measure this budget here yet"));
        assert!(text.contains("class=\"limit\""));
    }

    #[test]
    fn a_long_series_is_reduced_to_a_few_points_per_pixel_column() {
        let plot =
            PlotSeries { main: (0..200_000).map(|i| [f64::from(i), f64::from(i % 7)]).collect(), limit: 10.0, ..PlotSeries::default() };
        let text = svg(&plot);
        assert!(text.len() < 200_000, "{} bytes", text.len());
    }
}
