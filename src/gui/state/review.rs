//! The review area: the weekly review meeting (its agenda and the item on screen) and what the
//! review export needs (plain data: the app draws the plots, as an effect, on a job).

use super::plot::PlotData;
use crate::engine::check::BudgetResult;
use crate::report::review::Agenda;
use std::path::PathBuf;

/// Something the user asked of the review.
#[derive(Clone, Debug, PartialEq)]
pub enum ReviewCommand {
    /// Enter the review meeting.
    Enter,
    /// Leave it.
    Leave,
    /// Go to the agenda item so many places on (negative: back).
    Step(i32),
    /// Go to the agenda item at this index (from the agenda's overview).
    Jump(usize),
    /// Record today as the day of the last review.
    MarkHeld,
    /// Write the review agenda as Markdown and HTML with PNG plots into this folder.
    Export(PathBuf),
}

/// Why the review's export stopped (the files written before it stay: each was written whole).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The folder cannot be made, or a file in it cannot be written.
    #[error("cannot {verb} {}: {source}", path.display())]
    Io {
        /// `create` (the folder) or `write` (a file).
        verb: &'static str,
        /// The folder or file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A plot that the PNG encoder refused.
    #[error("cannot encode the plot as PNG: {0}")]
    Png(#[from] png::EncodingError),
}

/// The review meeting.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    /// What to discuss.
    pub agenda: Agenda,
    /// The item on screen.
    pub index: usize,
}

impl Review {
    /// Moves `step` items on (negative: back), staying on the agenda.
    pub(super) fn step(&mut self, step: i32) {
        let last = self.agenda.items.len().saturating_sub(1);
        self.index = self.index.saturating_add_signed(step as isize).min(last);
    }

    /// Goes to item `index`, staying on the agenda.
    pub(super) fn jump(&mut self, index: usize) {
        self.index = index.min(self.agenda.items.len().saturating_sub(1));
    }

    /// Keeps the index on the agenda (it may have shrunk).
    pub(super) fn clamp(&mut self) {
        self.index = self.index.min(self.agenda.items.len().saturating_sub(1));
    }
}

/// Everything the review export writes, prepared by the state (no egui): the folder, the agenda,
/// and the plot of each item that has one.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    /// The folder to write into (created where missing).
    pub dir: PathBuf,
    /// The agenda.
    pub agenda: Agenda,
    /// The plots, by agenda item.
    pub plots: Vec<ExportPlot>,
}

/// One agenda item's plot in the export.
#[derive(Clone, Debug)]
pub struct ExportPlot {
    /// The item's index in the agenda.
    pub item: usize,
    /// The budget's series as the app plots it.
    pub plot: PlotData,
    /// The budget's check.
    pub result: BudgetResult,
    /// The x to centre on: the item's change point, where it has one.
    pub centre: Option<f64>,
    /// The limit a proposal on the agenda proposes, drawn beside the limit.
    pub proposed: Option<f64>,
}
