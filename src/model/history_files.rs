//! History files read by their kind (JSON Lines or wide CSV, by extension or content), and files
//! named one by one (`headroom analyze FILE...`) read into one history: exports from other places,
//! where the same run id often comes more than once.

use super::columns::{FileColumns, KeyIndex, json_lines_columns, parse_in_parallel, threads_each};
use super::disk::{MAX_HISTORY_BYTES, read_text};
use super::error::LoadError;
use super::history::{History, Snapshot};
use super::history_csv::csv_columns_on;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// Parses a history file by its extension: `.jsonl` / `.ndjson` / `.json` as JSON Lines, `.csv` as wide CSV.
pub fn parse_history_file(file: &str, text: &str) -> Result<Vec<Snapshot>, Vec<LoadError>> {
    history_file_columns(file, text).map(FileColumns::into_snapshots)
}

/// Parses a history file by its extension where it has a known one, else by its content: JSON
/// Lines where the first non-blank character is `{`, wide CSV otherwise.
pub fn parse_history_any(file: &str, text: &str) -> Result<Vec<Snapshot>, Vec<LoadError>> {
    history_any_columns(file, text).map(FileColumns::into_snapshots)
}

/// [`parse_history_file`], into columns.
pub fn history_file_columns(file: &str, text: &str) -> Result<FileColumns, Vec<LoadError>> {
    history_file_columns_on(file, text, 1)
}

/// [`history_file_columns`] on up to `threads` threads (a long CSV is read in pieces).
pub fn history_file_columns_on(file: &str, text: &str, threads: usize) -> Result<FileColumns, Vec<LoadError>> {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        csv_columns_on(file, text, threads)
    } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") || lower.ends_with(".json") {
        json_lines_columns(file, text)
    } else {
        Err(vec![LoadError::whole_file(file, "not a history file: expected a .jsonl (JSON Lines) or .csv file")])
    }
}

/// [`parse_history_any`], into columns.
pub fn history_any_columns(file: &str, text: &str) -> Result<FileColumns, Vec<LoadError>> {
    history_any_columns_on(file, text, 1)
}

/// [`history_any_columns`] on up to `threads` threads (a long CSV is read in pieces).
pub fn history_any_columns_on(file: &str, text: &str, threads: usize) -> Result<FileColumns, Vec<LoadError>> {
    let lower = file.to_ascii_lowercase();
    if [".csv", ".jsonl", ".ndjson", ".json"].iter().any(|e| lower.ends_with(e)) {
        history_file_columns_on(file, text, threads)
    } else if text.trim_start().starts_with('{') {
        json_lines_columns(file, text)
    } else {
        csv_columns_on(file, text, threads)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn a_line_of_a_hundred_megabytes_is_an_error_naming_it_and_a_gigabyte_file_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let long = dir.path().join("long.csv");
        let mut file = std::io::BufWriter::new(std::fs::File::create(&long).unwrap());
        file.write_all(b"id,latency [ms]\n1,2\n").unwrap();
        let megabyte = vec![b'9'; 1_000_000];
        for _ in 0..100 {
            file.write_all(&megabyte).unwrap();
        }
        file.write_all(b",3\n4,5\n").unwrap();
        drop(file);
        let Err(HistoryFilesError::Invalid(errors)) = read_history_files(std::slice::from_ref(&long)) else {
            panic!("a 100 MB line loaded");
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!((errors[0].file.as_str(), errors[0].pos.line), (long.display().to_string().as_str(), 3));
        assert!(errors[0].message.contains("a line of 100000002 bytes, over the limit of 16777216 bytes"), "{}", errors[0]);
        // A sparse file: a gigabyte long without a gigabyte on disk, refused by its size before a byte is read.
        let huge = dir.path().join("huge.jsonl");
        std::fs::File::create(&huge).unwrap().set_len(1 << 30).unwrap();
        let Err(HistoryFilesError::Unreadable { path, source }) = read_history_files(&[huge]) else {
            panic!("a 1 GB file was read");
        };
        assert!(
            path.ends_with("huge.jsonl") && source.to_string().contains("1073741824 bytes, over the limit of 268435456 bytes"),
            "{source}"
        );
    }

    #[test]
    fn a_json_line_of_a_hundred_megabytes_is_an_error_naming_it_and_the_lines_around_it_are_not_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let long = dir.path().join("long.jsonl");
        let mut file = std::io::BufWriter::new(std::fs::File::create(&long).unwrap());
        file.write_all(b"{\"id\":\"r1\",\"metrics\":{\"a\":1}}\n{\"id\":\"r2\",\"metrics\":{\"a\":").unwrap();
        // A number of a hundred million digits: valid JSON, read by neither path.
        let megabyte = vec![b'9'; 1_000_000];
        for _ in 0..100 {
            file.write_all(&megabyte).unwrap();
        }
        file.write_all(b"}}\n{\"id\":\"r3\",\"metrics\":{\"a\":3}}\n").unwrap();
        drop(file);
        let Err(HistoryFilesError::Invalid(errors)) = read_history_files(std::slice::from_ref(&long)) else {
            panic!("a 100 MB line loaded");
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!((errors[0].file.as_str(), errors[0].pos.line), (long.display().to_string().as_str(), 2));
        assert!(errors[0].message.contains("a line of 100000028 bytes, over the limit of 16777216 bytes"), "{}", errors[0]);
    }

    #[test]
    fn repeated_ids_are_numbered_and_a_number_taken_already_is_still_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.csv");
        std::fs::write(&path, "id,m\nr,1\nr,2\nq,3\nr,4\n").unwrap();
        let history = read_history_files(std::slice::from_ref(&path)).unwrap();
        assert_eq!(history.runs.iter().map(|r| r.id).collect::<Vec<_>>(), ["r", "r#2", "q", "r#3"]);
        // `r#2` is an id of its own here: the second `r` renamed to it is a repeat, reported as ever.
        std::fs::write(&path, "id,m\nr,1\nr,2\nr#2,3\n").unwrap();
        let Err(HistoryFilesError::Invalid(errors)) = read_history_files(&[path]) else { panic!("a repeated id loaded") };
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("run `r#2` appears twice"), "{}", errors[0]);
    }
}
