//! Headroom: performance budgets as contracts.
//!
//! Layers, each using only those above it in this list (see ARCHITECTURE.md):
//! [`model`] (budgets, history, workspace), [`import`] (benchmark tools' output), [`engine`] (the check),
//! [`approval`] (proposals, signatures, the ledger), [`report`] (output formats),
//! [`cli`], and `gui` (the desktop app, behind the `gui` feature).

pub mod approval;
pub mod cli;
pub mod engine;
pub mod example;
#[cfg(feature = "gui")]
pub mod gui;
pub mod import;
pub mod model;
pub mod plot;
pub mod report;
