//! The one error type for bad input: it names the file, the line and column, and the field.

use super::yaml::Pos;
use std::fmt;

/// An invalid budget, history or configuration file, located as precisely as the input allows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The file, as given (relative to the workspace where it came from one).
    pub file: String,
    /// Line and column; 0 where the whole file is at fault.
    pub pos: Pos,
    /// The field's path, e.g. `budgets.api_gateway.limit`; empty for the whole file.
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl LoadError {
    /// An error at a position, for a field.
    pub fn new(file: impl Into<String>, pos: Pos, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { file: file.into(), pos, field: field.into(), message: message.into() }
    }

    /// An error about a whole file (it cannot be read, say).
    pub fn whole_file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(file, Pos::default(), "", message)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.pos.line > 0 {
            write!(f, ":{}", self.pos.line)?;
            if self.pos.column > 0 {
                write!(f, ":{}", self.pos.column)?;
            }
        }
        if self.field.is_empty() { write!(f, ": {}", self.message) } else { write!(f, ": `{}`: {}", self.field, self.message) }
    }
}

/// A word that is not one of those a field or a flag takes (a format, a triage state).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{word}` (expected one of: {})", .expected.join(", "))]
pub struct UnknownWord {
    /// What the word names: `format`, `state`.
    pub what: &'static str,
    /// The word given.
    pub word: String,
    /// The words taken.
    pub expected: Vec<&'static str>,
}

/// The closest of `candidates` to a misspelt `word`, if one is close enough to be a likely typo.
#[must_use]
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, c)| d <= limit && d > 0 && c != word)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// `; did you mean `X`?` where `word` is a likely typo of one of `candidates`, else nothing: the
/// one way every parser words its suggestion.
#[must_use]
pub fn did_you_mean_hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates).map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

/// Edit distance on chars, counting a swap of two neighbours as one edit (optimal string
/// alignment), since transposed letters are the commonest typo.
#[must_use]
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1).min(d[i * width + j - 1] + 1).min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_reads_file_line_column_field_and_message() {
        let e = LoadError::new("budgets/a.yaml", Pos { line: 3, column: 5 }, "budgets.api.limit", "expected a number");
        assert_eq!(e.to_string(), "budgets/a.yaml:3:5: `budgets.api.limit`: expected a number");
    }

    #[test]
    fn a_near_miss_is_suggested_and_a_far_one_is_not() {
        assert_eq!(did_you_mean("limt", ["limit", "unit", "name"]), Some("limit"));
        assert_eq!(did_you_mean("schema_validater.latency", ["schema_validator.latency"]), Some("schema_validator.latency"));
        assert_eq!(did_you_mean("colour", ["limit", "unit"]), None);
        assert_eq!(edit_distance("prdo", "prod"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
