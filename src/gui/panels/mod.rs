//! The panels of the main window: functions that read [`super::state::AppState`] and push
//! [`super::state::Command`]s. A panel never imports another: what two share is in
//! [`super::widgets`].

pub mod attention;
pub mod findings;
pub mod menu;
pub mod metric;
pub mod proposals;
pub mod review;
pub mod status;
pub mod tree;
