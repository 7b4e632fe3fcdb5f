//! The prompts area: the window asking for a folder (to open, or to export the review into) and
//! the window showing the lines around a problem in a workspace file.

use crate::gui::jobs::Source;
use crate::model::error::LoadError;

/// Something the user asked of a prompt.
#[derive(Clone, Debug, PartialEq)]
pub enum PromptCommand {
    /// Show a window asking for a path, with this text in it.
    AskPath(PathPurpose, String),
    /// Close that window.
    ClosePath,
    /// Show the lines of the file of a workspace error (its index).
    ShowError(usize),
    /// Close that view.
    CloseError,
}

/// What a path window is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathPurpose {
    /// Open a workspace folder.
    Open,
    /// Export the review into a folder.
    Export,
}

/// The open prompts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prompts {
    /// A path window, where open: what for and the text typed.
    pub path: Option<(PathPurpose, String)>,
    /// The lines of a bad file, where shown.
    pub error: Option<ErrorView>,
}

/// The lines around a workspace error.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorView {
    /// The error, with its file, line and field.
    pub error: LoadError,
    /// (line number, text) around the error.
    pub lines: Vec<(u32, String)>,
    /// The line at fault (0: the whole file).
    pub line: u32,
}

impl ErrorView {
    /// The lines of `error`'s file around it, read from the workspace at `source`.
    pub(super) fn of(error: &LoadError, source: &Source) -> ErrorView {
        let text = match source {
            Source::Folder(root) => std::fs::read_to_string(root.join(&error.file)).ok(),
            Source::Example => crate::example::BUDGET_FILES
                .iter()
                .chain(std::iter::once(&crate::example::HISTORY_FILE))
                .find(|(name, _)| *name == error.file)
                .map(|(_, text)| (*text).to_owned()),
        };
        let line = error.pos.line;
        let lines = text.map_or_else(Vec::new, |text| {
            let (from, to) = if line == 0 { (1, 12) } else { (line.saturating_sub(4).max(1), line + 4) };
            text.lines()
                .enumerate()
                .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l.to_owned()))
                .filter(|(n, _)| (from..=to).contains(n))
                .collect()
        });
        ErrorView { error: error.clone(), lines, line }
    }
}
