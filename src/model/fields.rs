//! The one field reader of the hand-written YAML walkers (budget files, `headroom.yaml` and its
//! `history_source:`, the triage, proposals, `approval.yaml`): each walks a [`Node`] tree itself, and reads its fields
//! through a [`FieldReader`], which words every fault the same way and keeps it as a located
//! [`LoadError`] (file, line and column, field path).
//!
//! - A value of the wrong kind: `expected {what}, found {kind}` ([`expected`]).
//! - A key the walker does not know: `unknown field in {what}; did you mean `x`?`, or with no
//!   near miss `unknown field in {what} (expected one of: a, b)` ([`unknown_field`]).
//!
//! A walker goes on after a fault, so one read reports every fault of the file.

use super::error::{LoadError, did_you_mean};
use super::yaml::{self, Key, Node, Pos, Value};
use std::fmt::Display;

/// `expected {what}, found {kind}`: the one wording of a value of the wrong kind.
#[must_use]
pub fn expected(what: &str, found: &Value) -> String {
    format!("expected {what}, found {}", found.kind_name())
}

/// `unknown field in {what}`, with the likely intended field, or else the fields there are.
#[must_use]
pub fn unknown_field(name: &str, known: &[&str], what: &str) -> String {
    let hint = did_you_mean(name, known.iter().copied())
        .map_or_else(|| format!(" (expected one of: {})", known.join(", ")), |s| format!("; did you mean `{s}`?"));
    format!("unknown field in {what}{hint}")
}

/// The entry of the field `name` in a mapping, key and value.
#[must_use]
pub fn entry<'n>(entries: &'n [(Key, Node)], name: &str) -> Option<&'n (Key, Node)> {
    entries.iter().find(|(k, _)| k.name == name)
}

/// The value of the field `name` in a mapping.
#[must_use]
pub fn get<'n>(entries: &'n [(Key, Node)], name: &str) -> Option<&'n Node> {
    entry(entries, name).map(|(_, n)| n)
}

/// A field's path: `prefix.name`, or `name` at the top.
#[must_use]
pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") }
}

/// Parses a file's text into its node tree; a syntax error is the file's one error.
pub fn document(file: &str, text: &str) -> Result<Node, Vec<LoadError>> {
    yaml::parse(text).map_err(|e| vec![LoadError::new(file, e.pos, "", e.message)])
}

/// Reads the fields of one file's tree and keeps every fault, located.
#[derive(Debug)]
pub struct FieldReader<'f> {
    file: &'f str,
    errors: Vec<LoadError>,
}

impl<'f> FieldReader<'f> {
    /// A reader of `file` (as the errors name it), with no fault yet.
    #[must_use]
    pub fn new(file: &'f str) -> Self {
        Self { file, errors: Vec::new() }
    }

    /// The file, as the errors name it.
    #[must_use]
    pub fn file(&self) -> &'f str {
        self.file
    }

    /// A fault at `pos` in `field`.
    pub fn error(&mut self, pos: Pos, field: &str, message: impl Into<String>) {
        self.errors.push(LoadError::new(self.file, pos, field, message));
    }

    /// Faults found by a reader of its own (a part of the file with a parser of its own).
    pub fn extend(&mut self, errors: impl IntoIterator<Item = LoadError>) {
        self.errors.extend(errors);
    }

    /// A fault at `node` in `field`, the value's `Err`; the `Ok` value comes back.
    pub fn check<T, E: Display>(&mut self, node: &Node, field: &str, result: Result<T, E>) -> Option<T> {
        result.map_err(|e| self.error(node.pos, field, e.to_string())).ok()
    }

    /// Whether a fault was found.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The faults found, in the order found.
    #[must_use]
    pub fn into_errors(self) -> Vec<LoadError> {
        self.errors
    }

    /// `value` where no fault was found, else every fault.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<LoadError>> {
        if self.errors.is_empty() { Ok(value) } else { Err(self.errors) }
    }

    /// A mapping's entries, or the fault `expected {what}, found …`.
    pub fn map<'n>(&mut self, node: &'n Node, field: &str, what: &str) -> Option<&'n [(Key, Node)]> {
        match &node.value {
            Value::Map(entries) => Some(entries),
            other => {
                self.error(node.pos, field, expected(what, other));
                None
            }
        }
    }

    /// A list's items (nothing is an empty list), or the fault `expected {what}, found …`.
    pub fn seq<'n>(&mut self, node: &'n Node, field: &str, what: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            Value::Null => Some(&[]),
            other => {
                self.error(node.pos, field, expected(what, other));
                None
            }
        }
    }

    /// A string, or the fault `expected {what}, found …`.
    pub fn text_as(&mut self, node: &Node, field: &str, what: &str) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            other => {
                self.error(node.pos, field, expected(what, other));
                None
            }
        }
    }

    /// A string, or the fault `expected text, found …`.
    pub fn text(&mut self, node: &Node, field: &str) -> Option<String> {
        self.text_as(node, field, "text")
    }

    /// A string or a number kept as written (`id: 42`), or the fault `expected text, found …`.
    pub fn word(&mut self, node: &Node, field: &str) -> Option<String> {
        match &node.value {
            Value::Number(n) => Some(yaml::format_number(*n)),
            _ => self.text(node, field),
        }
    }

    /// A list of words (see [`FieldReader::word`]); nothing is an empty list.
    pub fn words(&mut self, node: &Node, field: &str) -> Option<Vec<String>> {
        let items = self.seq(node, field, "a list")?;
        let before = self.errors.len();
        let words: Vec<String> = items.iter().filter_map(|item| self.word(item, field)).collect();
        (self.errors.len() == before).then_some(words)
    }

    /// A fault for each key of `entries` not in `known` ([`unknown_field`]), `path` the mapping's field.
    pub fn unknown_keys(&mut self, entries: &[(Key, Node)], known: &[&str], path: &str, what: &str) {
        for (key, _) in entries {
            if !known.contains(&key.name.as_str()) {
                self.error(key.pos, &join(path, &key.name), unknown_field(&key.name, known, what));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_is_worded_one_way_and_located() {
        let root = document("f.yaml", "a: [1]\nb: {x: 1}\nlimt: 3\n").unwrap();
        let mut r = FieldReader::new("f.yaml");
        let entries = r.map(&root, "", "a mapping").unwrap();
        assert_eq!(r.text(get(entries, "a").unwrap(), "a"), None);
        assert_eq!(r.seq(get(entries, "b").unwrap(), "b", "a list of names"), None);
        r.unknown_keys(entries, &["a", "b", "limit"], "", "a test");
        r.unknown_keys(entries, &["a", "b"], "", "a test");
        let shown: Vec<String> = r.into_errors().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "f.yaml:1:4: `a`: expected text, found a list",
                "f.yaml:2:4: `b`: expected a list of names, found a mapping",
                "f.yaml:3:1: `limt`: unknown field in a test; did you mean `limit`?",
                "f.yaml:3:1: `limt`: unknown field in a test (expected one of: a, b)",
            ]
        );
    }

    #[test]
    fn a_syntax_error_is_the_files_one_error() {
        let e = document("f.yaml", "a: [1\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].pos.line >= 1, "{e:?}");
    }

    #[test]
    fn words_take_numbers_as_written_and_nothing_as_an_empty_list() {
        let root = document("f.yaml", "a: [x, 42]\nb:\n").unwrap();
        let Value::Map(entries) = &root.value else { panic!("a mapping") };
        let mut r = FieldReader::new("f.yaml");
        assert_eq!(r.words(get(entries, "a").unwrap(), "a"), Some(vec!["x".to_owned(), "42".to_owned()]));
        assert_eq!(r.words(get(entries, "b").unwrap(), "b"), Some(Vec::new()));
        assert!(!r.has_errors());
    }
}
