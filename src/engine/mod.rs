//! Pure functions of budgets and history: the check (and, later, baselines and change points).

pub mod check;
