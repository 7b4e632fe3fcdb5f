//! History files named one by one (`headroom analyze FILE...`), read into one history: exports
//! from other places, where the same run id often comes more than once.

use super::columns::{FileColumns, KeyIndex, parse_in_parallel, threads_each};
use super::error::LoadError;
use super::history::{History, history_any_columns_on};
use super::workspace::{MAX_HISTORY_BYTES, read_text};
use std::collections::{HashMap, HashSet};
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
    let threads = threads_each(files.len());
    let parsed = parse_in_parallel(
        files,
        |path| {
            let name = path.display().to_string();
            let text = read_text(path, MAX_HISTORY_BYTES).map_err(|source| HistoryFilesError::Unreadable { path: name.clone(), source })?;
            history_any_columns_on(&name, &text, threads).map_err(HistoryFilesError::Invalid)
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
    // Where the renamed runs' keys are unique, so is every key: the history need not look again.
    let (history, more) =
        if number_repeated_ids(&mut columns) { History::from_columns_of_unique_runs(columns) } else { History::from_columns(columns) };
    errors.extend(more);
    if errors.is_empty() { Ok(history) } else { Err(HistoryFilesError::Invalid(errors)) }
}

/// Renames every run whose id was seen before in its environment (in file order) to `id#2`,
/// `id#3`, ...: files given by hand are often exports that repeat ids, and each row is a run.
/// Returns whether every run's key is unique afterwards (a new id can meet one that was there).
pub fn number_repeated_ids(columns: &mut [FileColumns]) -> bool {
    // Where each file's runs start in the runs of all files, one after another.
    let starts: Vec<usize> = columns
        .iter()
        .scan(0, |total, c| {
            let start = *total;
            *total += c.runs.len();
            Some(start)
        })
        .collect();
    let place = |i: usize| {
        let f = starts.partition_point(|&start| start <= i) - 1;
        (f, i - starts[f])
    };
    let count = columns.iter().map(|c| c.runs.len()).sum();
    let key = |i: usize| {
        let (f, r) = place(i);
        columns[f].runs.key(r)
    };
    let index = KeyIndex::new(count, key);
    let repeated = index.repeated(key);
    let mut count_of_first: HashMap<u32, usize> = HashMap::new();
    let mut renamed: Vec<Vec<(usize, String)>> = vec![Vec::new(); columns.len()];
    for &(later, first) in &repeated {
        let count = count_of_first.entry(first).or_insert(1);
        *count += 1;
        let (f, r) = place(later as usize);
        renamed[f].push((r, format!("{}#{}", columns[f].runs.key(r).1, count)));
    }
    // A new key is unique where no run keeps it already and no other new key is the same.
    let renamed_positions: HashSet<u32> = repeated.iter().map(|&(later, _)| later).collect();
    let mut new_keys: HashSet<(Option<&str>, &str)> = HashSet::new();
    let unique = renamed.iter().enumerate().flat_map(|(f, r)| r.iter().map(move |(r, id)| (f, *r, id.as_str()))).all(|(f, r, id)| {
        let probe = (columns[f].runs.key(r).0, id);
        new_keys.insert(probe) && index.positions_of(probe, key).all(|p| renamed_positions.contains(&(p as u32)))
    });
    drop(new_keys);
    for (file, renamed) in columns.iter_mut().zip(&renamed) {
        file.runs.rename(renamed);
    }
    unique
}
