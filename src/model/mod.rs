//! Budgets, snapshot history and workspaces: parsing and validation at the edge.

pub mod budget;
pub mod columnar;
pub mod columns;
pub mod config;
pub mod conflict;
pub mod disk;
pub mod error;
pub mod fields;
pub mod history;
pub mod history_csv;
pub mod history_files;
pub mod journal;
pub mod lock;
pub mod measures;
pub mod names;
pub mod retention;
pub mod run_index;
pub mod settings;
pub mod source;
pub mod store;
pub mod time;
pub mod triage;
pub mod units;
pub mod walk;
pub mod workspace;
pub mod yaml;
