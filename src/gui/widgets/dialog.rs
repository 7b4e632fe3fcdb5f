//! Dialogs next to what they act on: the button that opens a dialog remembers where it is, and
//! the dialog opens there (below it, kept on screen), not in the middle of the window.

use egui::{Rect, Response};

fn anchor_id() -> egui::Id {
    egui::Id::unique("headroom dialog anchor")
}

/// Remembers `response`'s widget as what the next dialog acts on; returns whether it was clicked.
#[must_use]
pub fn opens_dialog(response: &Response) -> bool {
    if response.clicked() {
        let rect = response.rect;
        response.ctx.data_mut(|d| d.insert_temp(anchor_id(), rect));
    }
    response.clicked()
}

/// `window` opened below the widget that opened it (where one did), kept on screen. `key` names
/// what the dialog is about: each gets a place of its own, so a dialog about another budget
/// opens by its own button rather than where the last one was left.
pub fn next_to_its_target<'a>(
    ctx: &egui::Context,
    window: egui::Window<'a>,
    key: impl std::hash::Hash + std::fmt::Debug,
) -> egui::Window<'a> {
    let window = window.id(egui::Id::unique(("headroom dialog", key))).constrain(true);
    match ctx.data(|d| d.get_temp::<Rect>(anchor_id())) {
        Some(rect) => window.default_pos(rect.left_bottom() + egui::vec2(0.0, 6.0)),
        None => window,
    }
}
