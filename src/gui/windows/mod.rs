//! The app's windows (dialogs): each drawn while its part of the state holds a prompt or a
//! draft, and each closed by a command of its own.

pub mod error;
pub mod import;
pub mod path;
pub mod proposal;
pub mod sensitivity;
pub mod sign;
pub mod triage;
