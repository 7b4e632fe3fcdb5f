//! History files named one by one (`headroom analyze FILE...`), read into one history: exports
//! from other places, where the same run id often comes more than once.

use super::columns::{FileColumns, parse_in_parallel, repeated_keys};
use super::error::LoadError;
use super::history::{History, history_any_columns};
use super::workspace::{MAX_HISTORY_BYTES, read_text};
use std::collections::HashMap;
use std::path::PathBuf;

/// Why history files gave no history.
#[derive(Debug, thiserror::Error)]
pub enum HistoryFilesError {
    /// A file that cannot be read at all.
    #[error("cannot read {path}: {source}")]
    Unreadable {
        /// The file, as given.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Files that do not read as history, each error located.
    #[error("{} errors", .0.len())]
    Invalid(Vec<LoadError>),
}

/// Reads history files (JSON Lines or wide CSV) into one history, in parallel. Runs keep file
/// order, or time order where every run has a time. A run id seen before in its environment gets
/// `#2`, `#3`, ... ([`number_repeated_ids`]), so repeated rows stay separate runs.
pub fn read_history_files(files: &[PathBuf]) -> Result<History, HistoryFilesError> {
    let parsed = parse_in_parallel(
        files,
        |path| {
            let name = path.display().to_string();
            let text = read_text(path, MAX_HISTORY_BYTES).map_err(|source| HistoryFilesError::Unreadable { path: name.clone(), source })?;
            history_any_columns(&name, &text).map_err(HistoryFilesError::Invalid)
        },
        &mut |_| {},
    );
    let mut columns = Vec::with_capacity(parsed.len());
    let mut errors = Vec::new();
    for result in parsed {
        match result {
            Ok(c) => columns.push(c),
            Err(HistoryFilesError::Invalid(e)) => errors.extend(e),
            Err(unreadable) => return Err(unreadable),
        }
    }
    number_repeated_ids(&mut columns);
    let (history, more) = History::from_columns(columns);
    errors.extend(more);
    if errors.is_empty() { Ok(history) } else { Err(HistoryFilesError::Invalid(errors)) }
}

/// Renames every run whose id was seen before in its environment (in file order) to `id#2`,
/// `id#3`, ...: files given by hand are often exports that repeat ids, and each row is a run.
pub fn number_repeated_ids(columns: &mut [FileColumns]) {
    let places: Vec<(usize, usize)> = columns.iter().enumerate().flat_map(|(f, c)| (0..c.runs.len()).map(move |r| (f, r))).collect();
    let repeated = repeated_keys(places.len(), |i| {
        let (f, r) = places[i];
        let run = columns[f].runs.run(r);
        (run.environment, run.id)
    });
    let mut count_of_first: HashMap<u32, usize> = HashMap::new();
    let mut renamed: Vec<Vec<(usize, String)>> = vec![Vec::new(); columns.len()];
    for (later, first) in repeated {
        let count = count_of_first.entry(first).or_insert(1);
        *count += 1;
        let (f, r) = places[later as usize];
        renamed[f].push((r, format!("{}#{}", columns[f].runs.run(r).id, count)));
    }
    for (file, renamed) in columns.iter_mut().zip(&renamed) {
        file.runs.rename(renamed);
    }
}
