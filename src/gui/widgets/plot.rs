//! The history plot (shared by the metric view, review mode and the review's PNG export): the
//! baseline branch reduced to what the pixels show, other branches, the limit, the band the gate
//! lets pass, the engine's levels, change points and changes of noise, and its legend.

use crate::engine::check::BudgetResult;
use crate::gui::state::PlotData;
use crate::gui::theme;
use crate::model::time::Timestamp;
use crate::plot::m4;
use crate::report::quantity;
use egui::{RichText, Ui};

/// How to draw a history plot.
#[derive(Clone, Debug, Default)]
pub struct PlotOptions {
    /// The plot's id (one per place it is drawn).
    pub id: &'static str,
    /// An x range to show; applied once per `generation`.
    pub view: Option<(f64, f64)>,
    /// Which view request this is (the plot applies each generation once).
    pub generation: u64,
    /// Whether to show the legend.
    pub show_legend: bool,
    /// The plot's height; the rest of the space where 0.
    pub height: f32,
    /// A limit being proposed, drawn beside the limit.
    pub proposed: Option<f64>,
    /// Draw a long series with the GPU (where eframe has wgpu) instead of egui_plot.
    pub gpu: bool,
    /// Scale the value axis to take in the limit, the warning and a proposed limit wherever they
    /// are; otherwise it fits the data, and a budget line far from it is named at the edge.
    pub scale_to_limit: bool,
}

/// Whether a budget line at `value` is drawn inside a value axis fitted to data from `low` to
/// `high`: always where the data passes it (a budget broken is never off the scale), and where
/// it is near enough that the data still fills a third of the plot with it in view. A limit far
/// from the data would squash the data into a flat line along one edge, where a regression of
/// several times its noise is a pixel high; such a line is named at the plot's edge instead.
#[must_use]
pub fn budget_line_in_view(value: f64, low: f64, high: f64, direction: crate::model::units::Direction) -> bool {
    if low.is_nan() || high.is_nan() || low > high || !value.is_finite() {
        return true;
    }
    let passed = match direction {
        crate::model::units::Direction::LowerIsBetter => high > value,
        crate::model::units::Direction::HigherIsBetter => low < value,
    };
    let span = (high - low).max(smallest_value_span(low, high, value));
    passed || high.max(value) - low.min(value) <= 3.0 * span
}

/// The least height the value axis shows around data from `low` to `high` (2 % of its size, or
/// of a quarter of the limit where the data is near zero): a constant series is a line across the
/// middle of a readable axis, not a line in an axis as tall as the time axis is wide. A limit more
/// than 4,000 times the data is no scale for it (runs of 100 ms under a limit of 1e300 ms were a
/// flat line along the bottom of an axis 5e297 ms tall, with "the data" chosen).
fn smallest_value_span(low: f64, high: f64, limit: f64) -> f64 {
    let data = low.abs().max(high.abs());
    let from_limit = 0.25 * limit.abs();
    let size = if data == 0.0 || from_limit <= 1_000.0 * data { data.max(from_limit) } else { data };
    if size > 0.0 && size.is_finite() { 0.02 * size } else { 1.0 }
}

/// The lowest and highest value of what a plot draws (the extent egui_plot fits its axis to).
#[derive(Clone, Copy, Debug)]
struct ValueExtent {
    low: f64,
    high: f64,
}

impl Default for ValueExtent {
    fn default() -> ValueExtent {
        ValueExtent { low: f64::INFINITY, high: f64::NEG_INFINITY }
    }
}

impl ValueExtent {
    fn take(&mut self, values: impl IntoIterator<Item = f64>) {
        for v in values.into_iter().filter(|v| v.is_finite()) {
            self.low = self.low.min(v);
            self.high = self.high.max(v);
        }
    }

    fn take_points(&mut self, points: &[[f64; 2]]) {
        self.take(points.iter().map(|p| p[1]));
    }
}

/// An item that draws nothing and widens the value axis to `low..=high` (a flat series gets a
/// readable axis around it).
struct ValueSpan {
    base: egui_plot::PlotItemBase,
    low: f64,
    high: f64,
}

impl egui_plot::PlotItem for ValueSpan {
    fn shapes(&self, _ui: &egui::Ui, _transform: &egui_plot::PlotTransform, _shapes: &mut Vec<egui::Shape>) {}

    fn initialize(&mut self, _x_range: std::ops::RangeInclusive<f64>) {}

    fn color(&self) -> egui::Color32 {
        egui::Color32::TRANSPARENT
    }

    fn geometry(&self) -> egui_plot::PlotGeometry<'_> {
        egui_plot::PlotGeometry::None
    }

    fn bounds(&self) -> egui_plot::PlotBounds {
        let mut bounds = egui_plot::PlotBounds::NOTHING;
        bounds.extend_with_y(self.low);
        bounds.extend_with_y(self.high);
        bounds
    }

    fn base(&self) -> &egui_plot::PlotItemBase {
        &self.base
    }

    fn base_mut(&mut self) -> &mut egui_plot::PlotItemBase {
        &mut self.base
    }
}

/// An x value in words: a time to the second, or a run's number.
fn format_x(x: f64, is_time: bool) -> String {
    if is_time { Timestamp((x * 1000.0).round() as i64).to_string().replace('T', " ") } else { format!("run {x:.0}") }
}

/// Steps of a time axis, in seconds: round numbers of seconds, minutes, hours, days and weeks
/// (up to eight), then quarters, half years and years.
const TIME_STEPS: [f64; 26] = [
    1.0,
    2.0,
    5.0,
    10.0,
    15.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    900.0,
    1_800.0,
    3_600.0,
    7_200.0,
    10_800.0,
    21_600.0,
    43_200.0,
    86_400.0,
    172_800.0,
    604_800.0,
    1_209_600.0,
    2_419_200.0,
    4_838_400.0,
    7_862_400.0,
    15_724_800.0,
    31_449_600.0,
];

/// The least spacing of grid lines, in points (egui_plot's `grid_spacing` minimum, set on every
/// history plot so that a grid spacer can turn its `base_step_size` back into points).
const GRID_SPACING_MIN: f32 = 8.0;

/// Grid marks of a time axis (x in seconds since 1970): at round times (a day and longer fall on
/// UTC midnights). The labelled step is the shortest whose marks lie [`X_LABEL_SPACING`] points
/// apart; the thin lines between are the longest shorter step that divides it, so every label
/// sits on a mark of its own step and two labels never meet (non-nested steps, 91 days over 28,
/// wrote one date over two).
#[allow(clippy::needless_pass_by_value)] // egui_plot's grid spacers take their input by value
fn time_grid(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let (low, high) = input.bounds;
    if !(input.base_step_size > 0.0 && high > low && input.base_step_size.is_finite()) {
        return Vec::new();
    }
    let seconds_per_point = input.base_step_size / f64::from(GRID_SPACING_MIN);
    let wanted = seconds_per_point * f64::from(X_LABEL_SPACING);
    let labelled = TIME_STEPS.iter().copied().find(|&s| s >= wanted).unwrap_or_else(|| (wanted / 31_449_600.0).ceil() * 31_449_600.0);
    let divides = |s: f64| ((labelled / s) - (labelled / s).round()).abs() < 1e-9;
    let thin = TIME_STEPS.iter().copied().rev().find(|&s| s < labelled && s >= input.base_step_size && divides(s)).unwrap_or(labelled);
    grid_marks(&[labelled, thin], low, high)
}

/// The marks of `steps` (coarsest first) between `low` and `high`: each value once, with the
/// thickest step it falls on.
fn grid_marks(steps: &[f64], low: f64, high: f64) -> Vec<egui_plot::GridMark> {
    let mut marks: Vec<egui_plot::GridMark> = Vec::new();
    for &step in steps {
        let (first, last) = ((low / step).ceil() as i64, (high / step).floor() as i64);
        for k in first..=last.min(first + 1000) {
            let value = k as f64 * step;
            if !marks.iter().any(|m| (m.value - value).abs() < step * 1e-9) {
                marks.push(egui_plot::GridMark { value, step_size: step });
            }
        }
    }
    marks
}

/// The smallest of 1, 2 and 5 times a power of ten that is at least `min`.
fn nice_step_at_least(min: f64) -> f64 {
    let power = 10f64.powf(min.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|&s| s >= min * (1.0 - 1e-9)).unwrap_or(10.0 * power)
}

/// The value axis' grid: steps of 1, 2 or 5 times a power of ten, the thinnest at least four
/// times egui_plot's smallest spacing apart (about 32 points), so that every thin line gets a
/// label, at full strength (egui_plot's default powers of ten left two labels on a short plot).
#[allow(clippy::needless_pass_by_value)] // egui_plot's grid spacers take their input by value
fn value_grid(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let (low, high) = input.bounds;
    if !(input.base_step_size > 0.0 && high > low && input.base_step_size.is_finite()) {
        return Vec::new();
    }
    let fine = nice_step_at_least(input.base_step_size * 4.0);
    grid_marks(&[fine * 10.0, fine * 5.0, fine], low, high)
}

/// A value axis' label on an axis over `range`: as many decimals as the step needs (0.5 → one,
/// 0.0025 → four: the marks between two of 0.005 are at 0.0625, which three decimals printed "0.062"
/// above "0.0620"). Where the axis reaches 1e9 or more, or stays below 1e-4, in scientific notation
/// at the axis' power of ten, the mantissa with the decimals its step needs ("1.05e13"): the whole
/// digits made labels of 14 to 300 characters ("13000000000000", "3799999999999999956890661630771"
/// for 3.8e30), and near 1e300 the plot drew no axis at all.
fn value_label(value: f64, step: f64, range: &std::ops::RangeInclusive<f64>) -> String {
    let largest = range.start().abs().max(range.end().abs());
    if largest.is_finite() && largest > 0.0 && !(1e-4..1e9).contains(&largest) {
        if value == 0.0 {
            return "0".to_owned();
        }
        let power = largest.log10().floor() as i32;
        let unit = 10f64.powi(power);
        return format!("{}e{power}", decimal_label(value / unit, step / unit));
    }
    decimal_label(value, step)
}

/// [`value_label`] in plain decimals.
fn decimal_label(value: f64, step: f64) -> String {
    let mut decimals = if step > 0.0 { (-step.log10() - 1e-9).ceil().max(0.0) as usize } else { 0 };
    while step > 0.0 && decimals < 12 && {
        let scaled = step * 10f64.powi(decimals as i32);
        (scaled - scaled.round()).abs() > 1e-6 * scaled.max(1.0)
    } {
        decimals += 1;
    }
    format!("{value:.decimals$}")
}

/// The least room between two x labels' centres, in points: a date is about 70 points wide in
/// the body font, so neighbours keep a gap of at least 20 points.
const X_LABEL_SPACING: f32 = 90.0;

/// A time axis' label for a mark `step` seconds from the next: the date for days and longer, the
/// day and time of day for minutes and hours, the time to the second below that.
fn time_label(x: f64, step: f64) -> String {
    let text = Timestamp((x * 1000.0).round() as i64).to_string();
    if step >= 86_400.0 {
        text[..10].to_owned()
    } else if step >= 60.0 {
        format!("{} {}", &text[5..10], &text[11..16])
    } else {
        text[11..19].to_owned()
    }
}

/// The axes of a history plot: x in times at round steps with labels to match, or run numbers,
/// labels far enough apart never to touch, and none so near an end of a plot `width` points wide
/// that it would be cut off there; y at steps of 1, 2 or 5 with a label on every line, at the
/// text colour's full strength (egui_plot fades labels that are close together).
fn with_axes<'a>(chart: egui_plot::Plot<'a>, is_time: bool, y_label: String, ui: &Ui) -> egui_plot::Plot<'a> {
    use egui_plot::AxisHints;
    let width = ui.available_width();
    // The frame is the width less the value axis and its labels, about 60 points.
    let frame_points = f64::from((width - 60.0).max(1.0));
    let inside = move |value: f64, range: &std::ops::RangeInclusive<f64>| {
        let margin = (range.end() - range.start()) / frame_points * f64::from(X_LABEL_SPACING) * 0.4;
        value - range.start() >= margin && range.end() - value >= margin
    };
    let x = AxisHints::new_x().label_spacing(X_LABEL_SPACING..=X_LABEL_SPACING + 10.0);
    let x = x.formatter(move |mark, range| {
        if !inside(mark.value, range) {
            String::new()
        } else if is_time {
            time_label(mark.value, mark.step_size)
        } else if mark.value.fract() == 0.0 {
            format_x(mark.value, false)
        } else {
            String::new()
        }
    });
    let y = AxisHints::new_y()
        .label(y_label)
        .formatter(|mark, range| value_label(mark.value, mark.step_size, range))
        .label_spacing(20.0..=21.0);
    let chart = chart
        .grid_spacing(GRID_SPACING_MIN..=300.0)
        .grid_color(theme::grid_color(ui.visuals().dark_mode))
        .custom_x_axes(vec![x])
        .custom_y_axes(vec![y])
        .y_grid_spacer(value_grid);
    if is_time { chart.x_grid_spacer(time_grid) } else { chart }
}

/// The points and runs of the series named `name` on the plot (the legend's names).
fn series_named<'a>(plot: &'a PlotData, name: &str) -> Option<(&'a [[f64; 2]], &'a [usize])> {
    match name {
        BASELINE => Some((&plot.main, &plot.main_runs)),
        OTHER => Some((&plot.other, &plot.other_runs)),
        _ => plot.overlays.iter().find(|o| o.name == name).map(|o| (o.points.as_slice(), o.runs.as_slice())),
    }
}

/// The legend's name of the baseline branch's runs.
const BASELINE: &str = "baseline branch";
/// The legend's name of the other branches' runs.
const OTHER: &str = "other branches";

/// How far from the hovered x (in points of the series) to look for the run whose value is shown:
/// past the widest bucket a reduced view draws (a column's worth of points on a narrow plot).
const HOVER_SEARCH_POINTS: usize = 1 << 17;

/// The index of the point of `points` that the plot shows at (`x`, `y`): where the view is reduced,
/// a bucket's vertex sits at the bucket's edge while its min or max is a real run's value, so the
/// nearest point whose value is `y` (to f32, as the pyramid keeps it), else the nearest in x.
fn point_at(points: &[[f64; 2]], x: f64, y: f64) -> Option<usize> {
    let i = points.partition_point(|p| p[0] < x).min(points.len().checked_sub(1)?);
    let i = if i > 0 && (points[i - 1][0] - x).abs() < (points[i][0] - x).abs() { i - 1 } else { i };
    let shown = |j: usize| (points[j][1] as f32 - y as f32).abs() <= f32::EPSILON * (y as f32).abs();
    (0..HOVER_SEARCH_POINTS)
        .flat_map(|d| [i.checked_sub(d), i.checked_add(d).filter(|&j| j < points.len() && d > 0)])
        .flatten()
        .find(|&j| shown(j))
        .or(Some(i))
}

/// The hover text of the run shown at (`x`, `y`) in a series: run id, commit, branch, time, value.
fn hover_text(points: &[[f64; 2]], ids: &[usize], runs: &crate::model::history::History, (x, y): (f64, f64), unit: &str) -> Option<String> {
    let i = point_at(points, x, y)?;
    let run = runs.runs.get(ids[i])?;
    let mut text = format!("run {}", run.id);
    if let Some(c) = &run.commit {
        text.push_str(&format!(" · {}", &c[..c.len().min(10)]));
    }
    if let Some(b) = &run.branch {
        text.push_str(&format!(" · {b}"));
    }
    if let Some(t) = run.timestamp {
        text.push_str(&format!("\n{t}"));
    }
    text.push_str(&format!("\n{}", quantity(points[i][1], unit)));
    Some(text)
}

/// The id of the history plot drawn as `name` (for `egui_plot::PlotMemory::load`).
#[must_use]
pub fn plot_id(name: &str) -> egui::Id {
    egui::Id::unique(("headroom plot", name))
}

/// The id of the stacked allocations' plot drawn as `name` (for `egui_plot::PlotMemory::load`).
#[must_use]
pub fn stacked_plot_id(name: &str) -> egui::Id {
    plot_id(name).with("stacked")
}

/// The history plot: the baseline branch as a line (reduced to what the pixels can show), other
/// branches as points, the limit, the warning, the band the gate lets pass, the engine's levels
/// and change points, its changes of noise (dashed, labelled), and the alarms of settings being tried.
pub fn history_plot_ui(ui: &mut Ui, plot: &PlotData, r: &BudgetResult, options: &PlotOptions) {
    let _ = history_plot_with_runs_ui(ui, plot, r, options, None);
}

/// The legend's name of the band the gate lets pass.
const BAND_NAME: &str = "gate passes (baseline ± smallest flaggable change)";
/// The engine's change points as vertical lines in their severity's colour; a regression that a
/// later change point reverted is history, in grey.
fn change_point_marks_ui(plot_ui: &mut egui_plot::PlotUi<'_>, plot: &PlotData) {
    for (x, severity, _, reverted) in &plot.change_points {
        let (name, color) = if *reverted {
            (REVERTED_NAME.to_owned(), theme::REVERTED)
        } else {
            (format!("change point ({})", severity.as_str()), theme::severity_color(*severity))
        };
        plot_ui.vline(egui_plot::VLine::new(name, *x).color(color).width(1.5));
    }
}

/// The name (legend and hover) of where the regression the gate holds open began, at run `run`.
fn open_name(run: &str) -> String {
    format!("regression open since {run} (the gate)")
}

/// The budget's horizontal lines by name: the limit, the warning and a proposed limit, where set.
fn named_budget_lines(r: &BudgetResult, proposed: Option<f64>) -> [(&'static str, Option<f64>); 3] {
    [("limit", Some(r.limit)), ("warning", r.warning), ("proposed limit", proposed)]
}

/// The legend's name of a regression that a later change point reverted.
const REVERTED_NAME: &str = "change point (reverted regression)";
/// The legend's name of the engine's levels and trends.
const LEVEL_NAME: &str = "level or drift (engine)";
/// The legend's name of the engine's changes of noise.
const NOISE_NAME: &str = "change of noise (spread, not level)";

/// How a legend entry's swatch is drawn: as the plot draws the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Swatch {
    /// A solid line.
    Line,
    /// A dashed line.
    Dashed,
    /// A filled area.
    Fill,
    /// A point.
    Dot,
    /// A vertical line (a change point).
    Vertical,
    /// A dashed vertical line (a change of noise).
    DashedVertical,
}

/// The legend of a history plot: every item it draws, in the colour and shape it is drawn.
fn history_legend(plot: &PlotData, r: &BudgetResult, proposed: Option<f64>, ink: egui::Color32) -> Vec<(String, egui::Color32, Swatch)> {
    let unit = r.unit.symbol();
    let mut entries = vec![(BASELINE.to_owned(), theme::SERIES, Swatch::Line)];
    for (k, o) in plot.overlays.iter().enumerate() {
        entries.push((o.name.clone(), theme::overlay_color(k), Swatch::Line));
    }
    if !plot.other.is_empty() {
        entries.push((OTHER.to_owned(), theme::OTHER_BRANCH, Swatch::Dot));
    }
    if plot.baseline_band.is_some() {
        entries.push((BAND_NAME.to_owned(), theme::BAND, Swatch::Fill));
    }
    if !plot.levels.is_empty() {
        entries.push((LEVEL_NAME.to_owned(), theme::LEVEL, Swatch::Dashed));
    }
    let mut severities: Vec<crate::engine::analyze::Severity> = plot.change_points.iter().filter(|c| !c.3).map(|c| c.1).collect();
    severities.sort();
    severities.dedup();
    for severity in severities.into_iter().rev() {
        entries.push((format!("change point ({})", severity.as_str()), theme::severity_color(severity), Swatch::Vertical));
    }
    if plot.change_points.iter().any(|c| c.3) {
        entries.push((REVERTED_NAME.to_owned(), theme::REVERTED, Swatch::Vertical));
    }
    if let Some((_, run)) = &plot.open_since {
        entries.push((open_name(run), theme::FAIL, Swatch::DashedVertical));
    }
    if !plot.noise_changes.is_empty() {
        entries.push((NOISE_NAME.to_owned(), theme::NOISE, Swatch::DashedVertical));
    }
    if plot.alarms.iter().any(|a| a.2) {
        entries.push(("alarm, confirmed".to_owned(), theme::FAIL, Swatch::Dot));
    }
    if plot.alarms.iter().any(|a| !a.2) {
        entries.push(("alarm, likely noise".to_owned(), theme::WARN, Swatch::Dot));
    }
    entries.push((format!("limit {}", quantity(r.limit, unit)), ink, Swatch::Line));
    if let Some(w) = r.warning {
        entries.push((format!("warning {}", quantity(w, unit)), theme::WARN, Swatch::Dashed));
    }
    if let Some(p) = proposed {
        entries.push((format!("proposed limit {}", quantity(p, unit)), ink, Swatch::Dashed));
    }
    entries
}

/// A legend outside the plot (above it, wrapping), so it never covers data: a swatch drawn as the
/// item is drawn, and its name.
pub fn legend_ui(ui: &mut Ui, entries: &[(String, egui::Color32, Swatch)]) {
    ui.horizontal_wrapped(|ui| {
        for (name, color, swatch) in entries {
            // A swatch and its name wrap together, never apart.
            legend_entry_ui(ui, name, *color, *swatch);
            ui.add_space(6.0);
        }
    });
}

/// One entry of a legend: its swatch and its name.
fn legend_entry_ui(ui: &mut Ui, name: &str, color: egui::Color32, swatch: Swatch) {
    // One widget of a known size (swatch, gap, name), so that a wrapping legend moves it to the
    // next line whole, instead of growing wider than its panel.
    let galley = egui::WidgetText::from(RichText::new(name).small()).into_galley(
        ui,
        Some(egui::TextWrapMode::Extend),
        f32::INFINITY,
        egui::TextStyle::Small,
    );
    let swatch_size = egui::vec2(18.0, 12.0);
    let gap = ui.spacing().item_spacing.x;
    let size = egui::vec2(swatch_size.x + gap + galley.size().x, swatch_size.y.max(galley.size().y));
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, name));
    let swatch_rect = egui::Rect::from_min_size(egui::pos2(rect.min.x, rect.center().y - swatch_size.y / 2.0), swatch_size);
    let painter = ui.painter();
    let (left, right) = (swatch_rect.left_center(), swatch_rect.right_center());
    match swatch {
        Swatch::Line => {
            painter.line_segment([left, right], egui::Stroke::new(2.0, color));
        }
        Swatch::Dashed => {
            painter.add(egui::Shape::dashed_line(&[left, right], egui::Stroke::new(2.0, color), 4.0, 3.0));
        }
        Swatch::Fill => {
            painter.rect_filled(swatch_rect.shrink2(egui::vec2(1.0, 2.0)), 1.0, color);
        }
        Swatch::Dot => {
            painter.circle_filled(swatch_rect.center(), 3.5, color);
        }
        Swatch::Vertical => {
            painter.line_segment([swatch_rect.center_top(), swatch_rect.center_bottom()], egui::Stroke::new(2.0, color));
        }
        Swatch::DashedVertical => {
            painter.add(egui::Shape::dashed_line(
                &[swatch_rect.center_top(), swatch_rect.center_bottom()],
                egui::Stroke::new(2.0, color),
                3.0,
                2.0,
            ));
        }
    }
    let text_pos = egui::pos2(swatch_rect.max.x + gap, rect.center().y - galley.size().y / 2.0);
    painter.galley(text_pos, galley, ui.visuals().text_color());
}

/// [`history_plot_ui`] with the history, for hover text naming runs and commits. Returns whether
/// the plot was double-clicked (egui_plot fits everything then; the caller shows its chosen range).
pub fn history_plot_with_runs_ui(
    ui: &mut Ui,
    plot: &PlotData,
    r: &BudgetResult,
    options: &PlotOptions,
    history: Option<&crate::model::history::History>,
) -> bool {
    use egui_plot::{Line, LineStyle, Plot, Points, Polygon, VLine};
    let unit = r.unit.symbol().to_owned();
    let is_time = plot.x_is_time;
    let hover_unit = unit.clone();
    let ink = theme::limit_color(ui.visuals().dark_mode);
    if options.show_legend {
        legend_ui(ui, &history_legend(plot, r, options.proposed, ink));
    }
    let mut chart =
        Plot::new(options.id)
            .id(plot_id(options.id))
            // Scaled to the data, not from zero, and to the budget's lines where they are near
            // it or passed (`budget_line_in_view`): the data fills the plot.
            .label_formatter(move |hover| match hover {
                egui_plot::HoverPosition::NearDataPoint { plot_name, position, .. } => {
                    let named = series_named(plot, plot_name)
                        .zip(history)
                        .and_then(|((points, ids), h)| hover_text(points, ids, h, (position.x, position.y), &hover_unit))
                        .map(|text| if *plot_name == BASELINE { text } else { format!("{plot_name}\n{text}") });
                    Some(named.unwrap_or_else(|| {
                        format!("{plot_name}\n{}\n{}", format_x(position.x, is_time), quantity(position.y, &hover_unit))
                    }))
                }
                egui_plot::HoverPosition::Elsewhere { .. } => None,
            });
    chart = with_axes(chart, is_time, format!("{} ({unit})", r.metric), ui);
    if let (Some(first), Some(last)) = (plot.main.first(), plot.main.last()) {
        chart = chart.include_x(first[0]).include_x(last[0]);
    }
    if options.height > 0.0 {
        chart = chart.height(options.height);
    }
    let applied_id = ui.make_persistent_id((options.id, "view generation"));
    let applied: u64 = ui.data(|d| d.get_temp(applied_id).unwrap_or(0));
    let request = options.view.filter(|_| options.generation != applied || options.id == "export");
    let lines = line_series(plot);
    let rescale = scale_changed(ui, options);
    let budget_lines: Vec<f64> = named_budget_lines(r, options.proposed).into_iter().filter_map(|(_, v)| v).collect();
    let shown = chart.show(ui, |plot_ui| {
        let fitting_y = request.is_some() || rescale || plot_ui.auto_bounds().y;
        if let Some((a, b)) = request {
            plot_ui.set_plot_bounds_x(a..=b);
            plot_ui.set_auto_bounds(egui::Vec2b::new(false, true));
        } else if rescale {
            let auto = plot_ui.auto_bounds();
            plot_ui.set_auto_bounds(egui::Vec2b::new(auto.x, true));
        }
        let mut extent = ValueExtent::default();
        let bounds = plot_ui.plot_bounds();
        let columns = plot_ui.transform().frame().width().max(1.0) as usize;
        let (x_min, x_max) = (bounds.min()[0], bounds.max()[0]);
        let (x_min, x_max) = if x_max > x_min { (x_min, x_max) } else { (f64::MIN, f64::MAX) };
        if let Some((from, to, low, high)) = plot.baseline_band {
            extent.take([low, high]);
            plot_ui.polygon(
                Polygon::new(BAND_NAME, vec![[from, low], [to, low], [to, high], [from, high]])
                    .fill_color(theme::BAND)
                    .stroke(egui::Stroke::new(0.0, theme::BAND)),
            );
        }
        for (k, series) in lines.iter().enumerate() {
            let visible = match series.pyramid {
                // A long series: the pyramid answers any view in time proportional to the pixels.
                Some(p) => p.0.view(x_min, x_max, columns),
                None => reduced(plot_ui.ctx(), applied_id.with(k), series.points, x_min, x_max, columns),
            };
            extent.take_points(&visible);
            match series.pyramid.filter(|_| options.gpu) {
                // The GPU draws the line, in egui_plot's order of items; egui_plot gets the reduced
                // points as a line of no width, for hover and bounds (nothing is tessellated).
                Some(p) => {
                    plot_ui.add(crate::gui::gpu_plot::GpuLine::new(series.name, plot_id(options.id), &p.0, series.color));
                    plot_ui.line(Line::new(series.name, visible).color(series.color).width(0.0));
                }
                None => plot_ui.line(Line::new(series.name, visible).color(series.color).width(1.5)),
            }
        }
        if !plot.levels.is_empty() {
            extent.take_points(&plot.levels);
            plot_ui.line(Line::new(LEVEL_NAME, plot.levels.clone()).color(theme::LEVEL).width(1.0).style(LineStyle::dashed_loose()));
        }
        change_point_marks_ui(plot_ui, plot);
        if let Some((x, run)) = &plot.open_since {
            plot_ui.vline(VLine::new(open_name(run), *x).color(theme::FAIL).width(1.5).style(LineStyle::dashed_loose()));
        }
        for mark in &plot.noise_changes {
            plot_ui.vline(
                VLine::new(format!("change of {}", mark.label), mark.x).color(theme::NOISE).width(1.5).style(LineStyle::dashed_dense()),
            );
        }
        if !plot.other.is_empty() {
            let others = m4(&plot.other, x_min, x_max, columns);
            extent.take_points(&others);
            plot_ui.points(Points::new(OTHER, others).color(theme::OTHER_BRANCH).radius(2.5));
        }
        alarms_ui(plot_ui, plot);
        // Alarms are runs' values, inside the lines' extent.
        budget_lines_ui(plot_ui, r, options, (&unit, ink), &budget_lines, fitting_y.then_some(extent));
    });
    let off_scale = off_scale_label_ui(ui, &shown.transform, r, options.proposed, &unit, ink);
    noise_labels_ui(ui, &shown.transform, &plot.noise_changes, &budget_lines, off_scale);
    if request.is_some() {
        ui.data_mut(|d| d.insert_temp(applied_id, options.generation));
    }
    note_view_moved(ui, options, request.is_none().then_some(&shown.transform));
    shown.response.double_clicked()
}

/// Notes whether the plot (its `transform`, where no request moved it this frame) shows other
/// times than the range last chosen ([`view_moved`]): panned or zoomed away, its button is no
/// longer lit.
fn note_view_moved(ui: &Ui, options: &PlotOptions, transform: Option<&egui_plot::PlotTransform>) {
    let moved = transform.zip(options.view).is_some_and(|(transform, (a, b))| {
        let bounds = transform.bounds();
        let tolerance = 1e-3 * (b - a).abs();
        (bounds.min()[0] - a).abs() > tolerance || (bounds.max()[0] - b).abs() > tolerance
    });
    // The toolbar above was drawn from the frame before: another frame where this changed.
    if view_moved(ui.ctx(), options.id) != moved {
        ui.data_mut(|d| d.insert_temp(moved_id(options.id), moved));
        ui.ctx().request_repaint();
    }
}

fn moved_id(name: &str) -> egui::Id {
    egui::Id::unique(("headroom plot moved", name))
}

/// Whether the plot drawn as `name` shows other times than the range last chosen for it (a pan, a
/// scroll or a box zoom since): the range's button is then not lit, as it said while the view was
/// elsewhere. A double-click or the button returns to it.
#[must_use]
pub fn view_moved(ctx: &egui::Context, name: &str) -> bool {
    ctx.data(|d| d.get_temp(moved_id(name)).unwrap_or(false))
}

/// The labels of the changes of noise (`noise ×2.6`), at the top of the plot beside their dashed
/// lines, on the plot's background so the data under them does not blur them. Painted over the
/// plot after egui_plot drew it (an egui_plot text item would count in its bounds, and a label at
/// the top would push the top up every frame). A label moves down, a line at a time, off the
/// budget's horizontal lines (`budget_lines`, values: the limit usually runs along the top) and
/// off an earlier label, so it covers neither.
fn noise_labels_ui(
    ui: &Ui,
    transform: &egui_plot::PlotTransform,
    marks: &[crate::gui::state::NoiseMark],
    budget_lines: &[f64],
    taken: Option<egui::Rect>,
) {
    let frame = *transform.frame();
    if marks.is_empty() || !frame.is_positive() {
        return;
    }
    let painter = ui.painter_at(frame);
    let color = theme::noise_text_color(ui.visuals().dark_mode);
    let background = ui.visuals().extreme_bg_color;
    let font = egui::TextStyle::Small.resolve(ui.style());
    let lines_y: Vec<f32> = budget_lines.iter().map(|&v| transform.position_from_point_y(v)).collect();
    let mut taken: Vec<egui::Rect> = taken.into_iter().collect();
    for mark in marks {
        let x = transform.position_from_point_x(mark.x);
        if !(frame.min.x..=frame.max.x).contains(&x) {
            continue;
        }
        let galley = painter.layout_no_wrap(mark.label.clone(), font.clone(), color);
        let size = galley.size() + egui::vec2(4.0, 2.0);
        // Right of its line, or left of it where the right edge is near.
        let left = if x + 3.0 + size.x <= frame.max.x { x + 3.0 } else { x - 3.0 - size.x };
        let mut rect = egui::Rect::from_min_size(egui::pos2(left, frame.min.y + 3.0), size);
        let covers = |rect: egui::Rect| {
            taken.iter().any(|t| t.intersects(rect)) || lines_y.iter().any(|&y| (rect.min.y - 2.0..=rect.max.y + 2.0).contains(&y))
        };
        while covers(rect) && rect.max.y + size.y < frame.max.y {
            rect = rect.translate(egui::vec2(0.0, size.y));
        }
        taken.push(rect);
        painter.rect_filled(rect, 2.0, background);
        painter.galley(rect.min + egui::vec2(2.0, 1.0), galley, color);
    }
}

/// The limit (in the theme's ink, not a status colour), the warning (amber, dashed) and a
/// proposed limit (ink, loosely dashed), as horizontal lines. Where the value axis is being fitted
/// to `data` (the extent of what the plot draws), only the lines `budget_line_in_view` takes (the
/// others would squash the data; [`off_scale_label_ui`] names them), and the axis is at least
/// [`smallest_value_span`] tall. `lines` are the budget's lines' values ([`named_budget_lines`]).
fn budget_lines_ui(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    r: &BudgetResult,
    options: &PlotOptions,
    (unit, ink): (&str, egui::Color32),
    lines: &[f64],
    data: Option<ValueExtent>,
) {
    use egui_plot::{HLine, LineStyle};
    let in_view = |v: f64| options.scale_to_limit || data.is_none_or(|d| budget_line_in_view(v, d.low, d.high, r.direction));
    if in_view(r.limit) {
        plot_ui.hline(HLine::new(format!("limit {}", quantity(r.limit, unit)), r.limit).color(ink).width(2.0));
    }
    if let Some(w) = r.warning.filter(|&w| in_view(w)) {
        plot_ui.hline(HLine::new(format!("warning {}", quantity(w, unit)), w).color(theme::WARN).style(LineStyle::dashed_dense()));
    }
    if let Some(p) = options.proposed.filter(|&p| in_view(p)) {
        plot_ui
            .hline(HLine::new(format!("proposed limit {}", quantity(p, unit)), p).color(ink).width(2.0).style(LineStyle::dashed_loose()));
    }
    let Some(mut extent) = data else { return };
    extent.take(lines.iter().copied().filter(|&v| in_view(v)));
    let least = smallest_value_span(extent.low, extent.high, r.limit);
    if extent.low <= extent.high && extent.high - extent.low < least {
        let middle = 0.5 * (extent.low + extent.high);
        // Values of none below zero (a count, a time at zero) get no negative axis: the span
        // starts at zero (a series at 0 ms read an axis from -0.012 to 0.014 ms).
        let low = if extent.low >= 0.0 { (middle - 0.5 * least).max(0.0) } else { middle - 0.5 * least };
        extent = ValueExtent { low, high: low + least };
        let base = egui_plot::PlotItemBase::new(String::new());
        plot_ui.add(ValueSpan { base, low: extent.low, high: extent.high });
    }
    // Room for the words of a line off the scale ([`off_scale_label_ui`]) at the top or the
    // bottom, so they cover no run: at the top left they covered the oldest runs where those
    // were the highest.
    let (above, below) = (lines.iter().any(|&v| !in_view(v) && v > extent.high), lines.iter().any(|&v| !in_view(v) && v < extent.low));
    let height = f64::from(plot_ui.transform().frame().height());
    if (above || below) && extent.low < extent.high && height > 4.0 * OFF_SCALE_ROOM {
        let room = (extent.high - extent.low) * OFF_SCALE_ROOM / (height - 2.0 * OFF_SCALE_ROOM);
        let base = egui_plot::PlotItemBase::new(String::new());
        let (low, high) = (extent.low - if below { room } else { 0.0 }, extent.high + if above { room } else { 0.0 });
        plot_ui.add(ValueSpan { base, low, high });
    }
}

/// The points of the plot's height kept free of runs for the words of a line off the scale.
const OFF_SCALE_ROOM: f64 = 24.0;

/// The alarms of settings being tried, as markers over their runs: confirmed (filled, red) or
/// likely noise (amber).
fn alarms_ui(plot_ui: &mut egui_plot::PlotUi<'_>, plot: &PlotData) {
    use egui_plot::{MarkerShape, Points};
    if plot.alarms.is_empty() {
        return;
    }
    let (confirmed, noise): (Vec<_>, Vec<_>) = plot.alarms.iter().partition(|a| a.2);
    let to_points = |v: Vec<&(f64, f64, bool)>| v.iter().map(|a| [a.0, a.1]).collect::<Vec<_>>();
    plot_ui
        .points(Points::new("alarm, confirmed", to_points(confirmed)).shape(MarkerShape::Down).color(theme::FAIL).radius(6.0).filled(true));
    plot_ui.points(Points::new("alarm, likely noise", to_points(noise)).shape(MarkerShape::Down).color(theme::WARN).radius(6.0));
}

/// Whether the plot's scale (to the data, or to the limit) changed since the last frame: a change
/// fits the value axis again, even after the user panned it.
fn scale_changed(ui: &Ui, options: &PlotOptions) -> bool {
    let id = ui.make_persistent_id((options.id, "scale to limit"));
    ui.data_mut(|d| {
        let was = d.get_temp::<bool>(id);
        d.insert_temp(id, options.scale_to_limit);
        was.is_some_and(|was| was != options.scale_to_limit)
    })
}

/// The budget's lines outside the value axis shown, named at the plot's top left corner (above
/// the view) or bottom left (below it) beside a triangle pointing to them ([`off_scale_words`]):
/// the plot never hides where the budget is. Returns where the label is.
fn off_scale_label_ui(
    ui: &Ui,
    transform: &egui_plot::PlotTransform,
    r: &BudgetResult,
    proposed: Option<f64>,
    unit: &str,
    ink: egui::Color32,
) -> Option<egui::Rect> {
    let frame = *transform.frame();
    let (low, high) = (transform.bounds().min()[1], transform.bounds().max()[1]);
    if !frame.is_positive() || (high - low).partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let painter = ui.painter_at(frame);
    let font = egui::TextStyle::Small.resolve(ui.style());
    let background = ui.visuals().extreme_bg_color;
    let mut first = None;
    for (above, text) in [true, false].into_iter().zip(off_scale_words(r, proposed, unit, low, high)) {
        let Some(text) = text else { continue };
        let galley = painter.layout_no_wrap(text, font.clone(), ink);
        // A triangle pointing the way to the lines (the default fonts have no arrows).
        let arrow = galley.size().y * 0.7;
        let size = galley.size() + egui::vec2(arrow + 10.0, 2.0);
        // At the left, over the oldest runs: at the right it covered the newest, which a regression is.
        let min = if above {
            egui::pos2(frame.min.x + 3.0, frame.min.y + 3.0)
        } else {
            egui::pos2(frame.min.x + 3.0, frame.max.y - size.y - 3.0)
        };
        let rect = egui::Rect::from_min_size(min, size);
        painter.rect_filled(rect, 2.0, background);
        let (center, half) = (egui::pos2(rect.min.x + 3.0 + arrow / 2.0, rect.center().y), arrow / 2.0);
        let (tip, base) = if above { (center.y - half, center.y + half) } else { (center.y + half, center.y - half) };
        let triangle = vec![egui::pos2(center.x, tip), egui::pos2(center.x + half, base), egui::pos2(center.x - half, base)];
        painter.add(egui::Shape::convex_polygon(triangle, ink, egui::Stroke::NONE));
        painter.galley(egui::pos2(rect.min.x + arrow + 7.0, rect.min.y + 1.0), galley, ink);
        first = first.or(Some(rect));
    }
    first
}

/// The words of the budget's lines above a value axis from `low` to `high` and below it, e.g.
/// `above the view: limit 20 ms · warning 18 ms`.
#[must_use]
pub fn off_scale_words(r: &BudgetResult, proposed: Option<f64>, unit: &str, low: f64, high: f64) -> [Option<String>; 2] {
    let named = named_budget_lines(r, proposed);
    [true, false].map(|above| {
        let off: Vec<String> = named
            .iter()
            .filter_map(|&(name, v)| v.filter(|&v| if above { v > high } else { v < low }).map(|v| format!("{name} {}", quantity(v, unit))))
            .collect();
        (!off.is_empty()).then(|| format!("{} the view: {}", if above { "above" } else { "below" }, off.join(" · ")))
    })
}

/// A line on the history plot: the baseline branch's runs, or another budget's overlaid.
struct LineSeries<'a> {
    name: &'a str,
    points: &'a [[f64; 2]],
    pyramid: Option<&'a crate::gui::state::SharedPyramid>,
    color: egui::Color32,
}

/// The plot's lines: the baseline branch, then the overlays in their colours.
fn line_series(plot: &PlotData) -> Vec<LineSeries<'_>> {
    let main = LineSeries { name: BASELINE, points: &plot.main, pyramid: plot.pyramid.as_ref(), color: theme::SERIES };
    std::iter::once(main)
        .chain(plot.overlays.iter().enumerate().map(|(k, o)| LineSeries {
            name: &o.name,
            points: &o.points,
            pyramid: o.pyramid.as_ref(),
            color: theme::overlay_color(k),
        }))
        .collect()
}

/// The M4 reduction of `points` for this view, kept between frames: a still plot costs nothing,
/// and a moving one one pass over the visible points.
fn reduced(ctx: &egui::Context, id: egui::Id, points: &[[f64; 2]], x_min: f64, x_max: f64, columns: usize) -> Vec<[f64; 2]> {
    type Cached = (usize, usize, u64, u64, usize, std::sync::Arc<Vec<[f64; 2]>>);
    let key = (points.as_ptr() as usize, points.len(), x_min.to_bits(), x_max.to_bits(), columns);
    let cache_id = id.with("m4");
    if let Some(hit) = ctx.data(|d| d.get_temp::<Cached>(cache_id)).filter(|c| (c.0, c.1, c.2, c.3, c.4) == key) {
        return hit.5.to_vec();
    }
    let fresh = std::sync::Arc::new(m4(points, x_min, x_max, columns));
    ctx.data_mut(|d| d.insert_temp::<Cached>(cache_id, (key.0, key.1, key.2, key.3, key.4, std::sync::Arc::clone(&fresh))));
    fresh.to_vec()
}

/// The allocations of a budget stacked over time against its limit, in the series palette (never
/// status colours), with a legend above and a hover naming the allocation, its runs and value.
/// Allocations stacked as bars against the parent's limit.
pub fn stacked_plot_ui(ui: &mut Ui, plot: &PlotData, r: &BudgetResult, options: &PlotOptions) {
    use egui_plot::{Bar, BarChart, HLine, Plot};
    let unit = r.unit.symbol().to_owned();
    let is_time = plot.x_is_time;
    let ink = theme::limit_color(ui.visuals().dark_mode);
    if options.show_legend {
        let mut entries: Vec<(String, egui::Color32, Swatch)> =
            plot.stack.iter().enumerate().map(|(i, (name, _))| (name.clone(), theme::stack_color(i), Swatch::Fill)).collect();
        entries.push((format!("limit {}", quantity(r.limit, &unit)), ink, Swatch::Line));
        legend_ui(ui, &entries);
    }
    let chart = Plot::new((options.id, "stacked")).id(stacked_plot_id(options.id)).include_y(0.0).include_y(r.limit);
    with_axes(chart, is_time, format!("{} ({unit}), allocations stacked", r.metric), ui).show(ui, |plot_ui| {
        let mut charts: Vec<BarChart> = Vec::new();
        for (i, (name, bars)) in plot.stack.iter().enumerate() {
            let color = theme::stack_color(i);
            let bars: Vec<Bar> =
                bars.iter().map(|&(x, width, value)| Bar::new(x, value).width(width * 0.9).fill(color).name(name)).collect();
            let hover_unit = unit.clone();
            let mut chart = BarChart::new(name.clone(), bars).color(color).element_formatter(Box::new(move |bar, _| {
                let (from, to) = (bar.argument - bar.bar_width / 1.8, bar.argument + bar.bar_width / 1.8);
                format!(
                    "{}\nmean of the runs {} to {}\n{}",
                    bar.name,
                    format_x(from, is_time),
                    format_x(to, is_time),
                    quantity(bar.value, &hover_unit)
                )
            }));
            let below: Vec<&BarChart> = charts.iter().collect();
            chart = chart.stack_on(&below);
            charts.push(chart);
        }
        for chart in charts {
            plot_ui.bar_chart(chart);
        }
        plot_ui.hline(HLine::new(format!("limit {}", quantity(r.limit, &unit)), r.limit).color(ink).width(2.0));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_of_runtime_samples_is_marked_at_round_minutes_with_times_of_day() {
        let start = 1_764_590_400.0; // 2025-12-01 12:00 UTC
        // 150 s per 8 points: a label every 1,687 s at least, so at half hours, lines at quarters.
        let marks = time_grid(egui_plot::GridInput { bounds: (start + 7.0, start + 3_607.0), base_step_size: 150.0 });
        let steps: Vec<f64> = marks.iter().map(|m| m.step_size).collect();
        assert!(steps.contains(&900.0) && steps.iter().all(|s| [900.0, 1_800.0].contains(s)), "{steps:?}");
        assert!(marks.iter().all(|m| (m.value % 900.0).abs() < 1e-6), "every mark on a round quarter hour");
        let labelled = marks.iter().find(|m| (m.step_size - 1_800.0).abs() < 1e-9).unwrap();
        assert_eq!(time_label(labelled.value, labelled.step_size), "12-01 12:30");
        assert_eq!(time_label(start + 30.0, 10.0), "12:00:30");
    }

    #[test]
    fn every_labelled_time_is_a_mark_of_the_thin_lines_too_so_labels_never_meet() {
        let start = 1_780_000_000.0;
        for days in [1.0, 30.0, 180.0, 400.0, 2_000.0] {
            for points in [300.0, 500.0, 900.0, 1_600.0] {
                let span = days * 86_400.0;
                let base = span / points * f64::from(GRID_SPACING_MIN);
                let marks = time_grid(egui_plot::GridInput { bounds: (start, start + span), base_step_size: base });
                let widest = marks.iter().map(|m| m.step_size).fold(0.0, f64::max);
                let thinnest = marks.iter().map(|m| m.step_size).fold(f64::MAX, f64::min);
                assert!((widest / thinnest - (widest / thinnest).round()).abs() < 1e-9, "{days} d on {points} pt: {widest} / {thinnest}");
                assert!(widest / span * points >= f64::from(X_LABEL_SPACING) - 1e-6, "{days} d on {points} pt: labels {widest} s apart");
            }
        }
    }

    #[test]
    fn the_value_axis_steps_by_one_two_or_five_and_labels_with_the_decimals_it_needs() {
        assert!((nice_step_at_least(0.3) - 0.5).abs() < 1e-12);
        assert!((nice_step_at_least(1.07) - 2.0).abs() < 1e-12);
        assert!((nice_step_at_least(20.0) - 20.0).abs() < 1e-12);
        let label = |value: f64, step: f64| value_label(value, step, &(0.0..=100.0));
        assert_eq!(label(42.5, 0.5), "42.5");
        assert_eq!(label(40.0, 2.0), "40");
        assert_eq!(label(0.25, 0.05), "0.25");
        // Marks halfway between steps of 5: their step is 2.5, which needs a decimal more.
        assert_eq!(label(0.0625, 0.0025), "0.0625");
        assert_eq!(label(12.5, 2.5), "12.5");
        assert_eq!(label(0.075, 0.025), "0.075");
        assert_eq!(label(2.5, 2.5), "2.5");
        // Axes of terabytes, nanoseconds or 1e300: the mantissa at the axis' power of ten.
        assert_eq!(value_label(1.05e13, 5e11, &(1.0e13..=1.35e13)), "1.05e13");
        assert_eq!(value_label(1.2e13, 1e12, &(1.0e13..=1.35e13)), "1.2e13");
        assert_eq!(value_label(1.15e-9, 5e-11, &(1.1e-9..=1.4e-9)), "1.15e-9");
        assert_eq!(value_label(3.8e30, 1e29, &(2.8e30..=3.9e30)), "3.8e30");
        assert_eq!(value_label(1.4e300, 2e298, &(1.2e300..=1.8e300)), "1.40e300");
        assert_eq!(value_label(0.0, 5e12, &(-1e13..=1e13)), "0");
        // Below 1e9, as before.
        assert_eq!(value_label(120_000_000.0, 5_000_000.0, &(1e8..=2e8)), "120000000");
    }

    #[test]
    fn a_budget_line_far_from_the_data_is_left_off_the_scale_unless_the_data_passes_it() {
        use crate::model::units::Direction::{HigherIsBetter, LowerIsBetter};
        // ±1.4 % around 10 ms under a limit of 20 ms: in view, the data would be a line along the
        // bottom tenth of the plot.
        assert!(!budget_line_in_view(20.0, 9.5, 10.3, LowerIsBetter));
        // Near: the data still fills a third of the plot or more.
        assert!(budget_line_in_view(11.0, 9.5, 10.3, LowerIsBetter));
        assert!(budget_line_in_view(30.0, 18.0, 23.5, LowerIsBetter));
        // Passed, however far: a broken budget is never off the scale.
        assert!(budget_line_in_view(10.0, 9.5, 60.0, LowerIsBetter));
        assert!(budget_line_in_view(1.0, 9.5, 10.3, LowerIsBetter));
        // A floor (higher is better): passed where the data falls below it.
        assert!(budget_line_in_view(1_000.0, 400.0, 1_500.0, HigherIsBetter));
        assert!(!budget_line_in_view(100.0, 1_400.0, 1_500.0, HigherIsBetter));
        // A constant series: its axis is 2 % of its value tall, so only a limit within 6 % is near.
        assert!(!budget_line_in_view(11.0, 10.0, 10.0, LowerIsBetter));
        assert!(budget_line_in_view(10.5, 10.0, 10.0, LowerIsBetter));
        // Nothing drawn: the lines are all there is.
        assert!(budget_line_in_view(20.0, f64::INFINITY, f64::NEG_INFINITY, LowerIsBetter));
        assert!((smallest_value_span(0.0, 0.0, 0.1) - 0.0005).abs() < 1e-12 && (smallest_value_span(0.0, 0.0, 0.0) - 1.0).abs() < 1e-12);
        // Near zero, a quarter of the limit; a limit astronomically far is no scale for the data.
        assert!((smallest_value_span(0.001, 0.002, 0.1) - 0.0005).abs() < 1e-12);
        assert!((smallest_value_span(99.0, 121.0, 1e300) - 2.42).abs() < 1e-9);
    }

    #[test]
    fn years_of_history_are_marked_at_midnights_with_dates() {
        let start = 1_700_000_000.0;
        let marks = time_grid(egui_plot::GridInput { bounds: (start, start + 4.0 * 31_536_000.0), base_step_size: 2_000_000.0 });
        assert!(!marks.is_empty() && marks.iter().all(|m| m.value % 86_400.0 == 0.0), "on UTC midnights");
        let label = time_label(marks[0].value, marks[0].step_size);
        assert_eq!(label.len(), 10, "a date: {label}");
        assert!(time_grid(egui_plot::GridInput { bounds: (1.0, 1.0), base_step_size: 1.0 }).is_empty());
    }
}
