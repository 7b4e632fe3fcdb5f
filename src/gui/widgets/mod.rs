//! Widgets shared by panels, windows and the review export (a panel never imports another).

pub mod budget;
pub mod dialog;
pub mod error;
pub mod plot;
pub mod words;
