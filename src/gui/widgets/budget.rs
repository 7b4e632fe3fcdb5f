//! Small widgets about one budget, shared by the tree, the metric view and the attention list:
//! its status dot, its row text and the sum of its allocations.

use crate::engine::check::Status;
use crate::gui::state::AppState;
use crate::gui::theme;
use crate::report::quantity;
use egui::{RichText, Ui};

/// A filled circle in the status colour (painted: not every font has a bullet glyph).
pub fn status_dot_ui(ui: &mut Ui, status: Option<Status>) {
    let size = egui::vec2(10.0, 10.0);
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.0, theme::status_color(status));
}

/// A budget's row: name, value against limit and what is left, in the colour of its own state
/// (a group: the worst of its members), as text for `ui`'s theme.
#[must_use]
pub fn row_text(ui: &Ui, state: &AppState, index: usize) -> RichText {
    let budget = &state.workspace.budgets[index];
    let status = state.state_of(index).map(crate::gui::standing::BudgetState::status).or_else(|| state.status_of(index));
    let mut text = budget.name.clone();
    if let Some(result) = state.result_of.get(&index).map(|&r| &state.report.results[r]) {
        let unit = result.unit.symbol();
        let value = result.value.map_or_else(|| "no data".to_owned(), |v| quantity(v, unit));
        text.push_str(&format!("   {value} / {}", quantity(result.limit, unit)));
        match result.headroom_fraction() {
            Some(h) if h >= 0.0 => text.push_str(&format!("   {:.0}% left", h * 100.0)),
            Some(h) => text.push_str(&format!("   {:.0}% over", -h * 100.0)),
            None => {}
        }
    }
    RichText::new(text).color(theme::text(theme::status_color(status), ui))
}

/// The sum of a budget's allocations against its own limit, and where the parent is measured on
/// its own, how that compares with the allocations' measurements together.
pub fn allocation_sum_ui(ui: &mut Ui, state: &AppState, index: usize, explain: bool) {
    let budget = &state.workspace.budgets[index];
    let env = state.report.environment.as_deref();
    let (Some(limit), unit) = (budget.limit_in(env), budget.unit.symbol()) else { return };
    let allocated: f64 = budget.children.iter().filter_map(|&c| state.workspace.budgets[c].limit_in(env)).sum();
    let measured: Option<f64> = budget
        .children
        .iter()
        .map(|&c| state.result_of.get(&c).and_then(|&r| state.report.results[r].value))
        .sum::<Option<f64>>()
        .filter(|_| !budget.children.is_empty());
    let mut text = format!("allocated {} of {}", quantity(allocated, unit), quantity(limit, unit));
    if let Some(m) = measured {
        text.push_str(&format!(", allocations measure {} together", quantity(m, unit)));
        let own = state.result_of.get(&index).and_then(|&r| state.report.results[r].value);
        if let Some(own) = own
            && explain
            && own != 0.0
            && ((m - own) / own).abs() > 0.005
        {
            let (more, by) = if m > own { ("more", m - own) } else { ("less", own - m) };
            text.push_str(&format!(
                "; that is {} ({:.1}%) {more} than the {} itself measures ({}): each is measured on its own, so shared parts or what no allocation covers make the sum differ from the whole",
                quantity(by, unit),
                100.0 * by / own.abs(),
                budget.name,
                quantity(own, unit)
            ));
        }
    }
    ui.label(RichText::new(text).small());
}
