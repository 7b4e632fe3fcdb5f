//! Pure functions of budgets and history: robust statistics, change points, the check, trends.

pub mod analyze;
pub mod changepoint;
pub mod check;
pub mod evidence;
pub mod exit;
pub mod replay;
pub mod reversal;
pub mod runner;
pub mod stats;
pub mod synthetic;
