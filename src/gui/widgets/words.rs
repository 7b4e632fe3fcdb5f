//! The engine's and the reports' words as the app shows them. Those words mark names (runs,
//! metrics, commits, YAML keys) the Markdown way, in backticks, for `headroom check`'s Markdown
//! and GitHub outputs (`reverted at `ci-1133``, `open since run `ci-1085``); the app draws such a
//! span in the monospace font and never the backticks themselves. Every label that shows text
//! from the engine, a report or a status message goes through [`words`], so the rule is here once.
//!
//! ```text
//!   "reverted at `ci-1133`: back to 34.9 ms"
//!    └─────┬────┘└──┬──┘└──────┬─────────┘
//!     proportional  mono   proportional      one LayoutJob: wraps, colours and sizes as one label
//! ```

use egui::text::LayoutJob;
use egui::{Align, FontFamily, FontSelection, RichText, Style, WidgetText};

/// The parts of `text`: (part, whether it was in backticks), empty parts left out. Text with an
/// odd number of backticks is not Markdown code: it is one plain part, backticks and all.
#[must_use]
pub fn spans(text: &str) -> Vec<(&str, bool)> {
    if text.matches('`').count() % 2 == 1 {
        return vec![(text, false)];
    }
    text.split('`').enumerate().filter(|(_, part)| !part.is_empty()).map(|(i, part)| (part, i % 2 == 1)).collect()
}

/// `text` without its backticks, as a label's text (and a screen reader) reads it.
#[must_use]
pub fn plain(text: &str) -> String {
    spans(text).into_iter().map(|(part, _)| part).collect()
}

/// `text` as one label: each part styled by `style` (size, colour, strength), the parts that were
/// in backticks in the monospace family at that size.
#[must_use]
pub fn words(style_of_ui: &Style, text: &str, style: impl Fn(RichText) -> RichText) -> WidgetText {
    let parts = spans(text);
    if parts.iter().all(|(_, code)| !code) {
        return style(RichText::new(text)).into();
    }
    let mut job = LayoutJob::default();
    for (part, code) in parts {
        let rich = style(RichText::new(part));
        let rich = if code { rich.family(FontFamily::Monospace) } else { rich };
        rich.append_to(&mut job, style_of_ui, FontSelection::Default, Align::Center);
    }
    job.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_mark_code_and_are_never_shown() {
        assert_eq!(spans("reverted at `ci-1133`: back"), vec![("reverted at ", false), ("ci-1133", true), (": back", false)]);
        assert_eq!(plain("open since run `ci-1085` (3 days)"), "open since run ci-1085 (3 days)");
        assert_eq!(plain("`a` and `b`"), "a and b");
        assert_eq!(plain("no backticks"), "no backticks");
    }

    #[test]
    fn an_odd_backtick_is_kept_as_written() {
        assert_eq!(plain("a ` alone"), "a ` alone");
        assert_eq!(spans("a ` alone"), vec![("a ` alone", false)]);
    }

    #[test]
    fn the_label_reads_as_plain_text_with_its_code_in_monospace() {
        let style = Style::default();
        let shown = words(&style, "reverted at `ci-1133`: back", RichText::small);
        assert_eq!(shown.text(), "reverted at ci-1133: back");
        let WidgetText::LayoutJob(job) = shown else { panic!("a layout job") };
        let families: Vec<bool> = job.sections.iter().map(|s| s.format.font_id.family == FontFamily::Monospace).collect();
        assert_eq!(families, vec![false, true, false]);
        // The style applies to every part: the code is as small as the words around it.
        assert!(job.sections.iter().all(|s| (s.format.font_id.size - job.sections[0].format.font_id.size).abs() < f32::EPSILON));
    }
}
