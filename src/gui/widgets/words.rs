//! The engine's and the reports' words as the app shows them. Those words mark names (runs,
//! metrics, commits, YAML keys) the Markdown way, in backticks, for `headroom check`'s Markdown
//! and GitHub outputs (`reverted at `ci-1133``, `open since run `ci-1085``); the app draws such a
//! span in the monospace font and never the backticks themselves (the parts are
//! [`crate::report::code_spans`], as the HTML pages read them). Every label that shows text from
//! the engine, a report or a status message goes through [`words`], so the rule is here once.
//!
//! ```text
//!   "reverted at `ci-1133`: back to 34.9 ms"
//!    └─────┬────┘└──┬──┘└──────┬─────────┘
//!     proportional  mono   proportional      one LayoutJob: wraps, colours and sizes as one label
//! ```

use crate::report::code_spans;
use egui::text::LayoutJob;
use egui::{Align, Color32, FontFamily, FontSelection, Response, RichText, Style, Ui, WidgetText};

/// `text` as one label: each part styled by `style` (size, colour, strength), the parts that were
/// in backticks in the monospace family at that size. Its text (what a screen reader and a test
/// read) has no backticks.
#[must_use]
pub fn words(style_of_ui: &Style, text: &str, style: impl Fn(RichText) -> RichText) -> WidgetText {
    let parts = code_spans(text);
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

/// [`words`] in one colour, as `ui.colored_label` draws plain text.
pub fn colored_words_ui(ui: &mut Ui, color: Color32, text: &str) -> Response {
    let shown = words(ui.style(), text, |t| t.color(color));
    ui.label(shown)
}

/// The workspace as the first argument of a command the app shows to copy, quoted for a POSIX
/// shell and followed by a space (`'/home/ana/my budgets' `): run from another folder, a command
/// without it would read `./budgets`. Nothing for the built-in example, which has no folder.
#[must_use]
pub fn workspace_argument(source: &crate::gui::jobs::Source) -> String {
    match source {
        crate::gui::jobs::Source::Folder(root) => format!("{} ", shell_quoted(&root.display().to_string())),
        crate::gui::jobs::Source::Example => String::new(),
    }
}

/// `text` in single quotes for a POSIX shell, a quote in it as `'\''`.
#[must_use]
pub fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Why a dialog's last action failed, in the dialog, in the failure colour, selectable (to copy).
pub fn dialog_error_ui(ui: &mut Ui, error: &str) {
    let color = crate::gui::theme::text(crate::gui::theme::FAIL, ui);
    ui.add(egui::Label::new(words(ui.style(), error, |t| t.color(color))).selectable(true).wrap());
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn an_odd_backtick_is_shown_as_written() {
        assert_eq!(words(&Style::default(), "a ` alone", |t| t).text(), "a ` alone");
    }

    #[test]
    fn a_path_with_spaces_and_quotes_is_one_shell_word() {
        assert_eq!(shell_quoted("/tmp/my budgets"), "'/tmp/my budgets'");
        assert_eq!(shell_quoted("/tmp/ana's"), r"'/tmp/ana'\''s'");
    }
}
