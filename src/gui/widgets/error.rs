//! A located load error as one row: where (file, line, column), which field, what is wrong.

use crate::model::error::LoadError;
use egui::{Response, RichText, Ui};

/// Where `error` is: `file:line:column`, `file:line` or `file`, as editors and compilers write it.
#[must_use]
pub fn location(error: &LoadError) -> String {
    match (error.pos.line, error.pos.column) {
        (0, _) => error.file.clone(),
        (line, 0) => format!("{}:{line}", error.file),
        (line, column) => format!("{}:{line}:{column}", error.file),
    }
}

/// `error` in one line: `services.yaml:12:5 budgets.auth.limit: expected a number`.
#[must_use]
pub fn row_text(error: &LoadError) -> String {
    if error.field.is_empty() {
        format!("{} {}", location(error), error.message)
    } else {
        format!("{} {}: {}", location(error), error.field, error.message)
    }
}

/// `error` in one line under its file's name: `line 12:5 budgets.auth.limit: expected a number`
/// (`whole file: ...` where no line is at fault).
#[must_use]
pub fn row_text_in_file(error: &LoadError) -> String {
    let at = match (error.pos.line, error.pos.column) {
        (0, _) => "whole file".to_owned(),
        (line, 0) => format!("line {line}"),
        (line, column) => format!("line {line}:{column}"),
    };
    if error.field.is_empty() { format!("{at} {}", error.message) } else { format!("{at} {}: {}", error.field, error.message) }
}

/// One row for `error`, a link (a click shows its lines); `text` is [`row_text`] or, under the
/// file's name, [`row_text_in_file`].
pub fn error_row_ui(ui: &mut Ui, text: String) -> Response {
    ui.link(RichText::new(text).monospace()).on_hover_text("Show the lines")
}
