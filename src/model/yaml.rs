//! A YAML document as a tree of nodes that remember where they stand (line and column).
//!
//! Every YAML file is read in two steps: serde-saphyr parses the text into this [`Node`] tree
//! (syntax errors come back with their line and column), then a hand-written walker (budget
//! files, `headroom.yaml`, the triage, proposals, `approval.yaml`) checks every field through
//! [`super::fields::FieldReader`], so that a semantic error (a misspelt field, children that
//! overflow their parent) names its line too. Keys keep their order.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// 1-based line; 0 where unknown.
    pub line: u32,
    /// 1-based column; 0 where unknown.
    pub column: u32,
}

/// One value of a YAML document with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value starts.
    pub pos: Pos,
}

/// A mapping key with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key as text (numbers and booleans are kept as written).
    pub name: String,
    /// Where the key starts.
    pub pos: Pos,
}

/// The kinds of YAML values.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number (integers are widened to f64: budgets are measurements).
    Number(f64),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(Key, Node)>),
}

impl Value {
    /// What this value is, in words, for error messages.
    #[must_use]
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

fn pos_of(location: serde_saphyr::Location) -> Pos {
    Pos { line: location.line() as u32, column: location.column() as u32 }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        Ok(Node { value: spanned.value, pos: pos_of(spanned.referenced) })
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        let name = match spanned.value {
            Value::String(s) => s,
            Value::Number(n) => format_number(n),
            Value::Bool(b) => b.to_string(),
            Value::Null => String::new(),
            other => {
                return Err(de::Error::custom(format!("a mapping key must be plain text, not {}", other.kind_name())));
            }
        };
        Ok(Key { name, pos: pos_of(spanned.referenced) })
    }
}

/// Formats a number the way a person wrote it: `5`, not `5.0`.
#[must_use]
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{n:.0}") } else { format!("{n}") }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        // serde-saphyr rejects duplicate keys itself, with their position.
        while let Some((key, value)) = map.next_entry::<Key, Node>()? {
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

/// A YAML syntax error with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where it went wrong, where the parser knows.
    pub pos: Pos,
    /// What went wrong, in the parser's words.
    pub message: String,
}

/// Parses YAML text into a node tree. An empty document is `Value::Null`.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if text.trim().is_empty() || text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Ok(Node { value: Value::Null, pos: Pos { line: 1, column: 1 } });
    }
    serde_saphyr::from_str::<Node>(text).map_err(|e| {
        let pos = e.location().map(pos_of).unwrap_or_default();
        // The first line of saphyr's message is the summary; the rest is a rendered snippet.
        let first = e.to_string().lines().next().unwrap_or("invalid YAML").trim().to_owned();
        SyntaxError { pos, message: strip_location_prefix(&first) }
    })
}

/// saphyr writes `error: line 2 column 1: what`; we print the position ourselves.
fn strip_location_prefix(message: &str) -> String {
    let rest = message.strip_prefix("error: ").unwrap_or(message);
    let rest = match rest.strip_prefix("line ") {
        Some(tail) => tail.split_once(": ").map_or(rest, |(_, what)| what),
        None => rest,
    };
    let rest = rest.split(", set DuplicateKeyPolicy").next().unwrap_or(rest);
    rest.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_remember_their_lines_and_keep_key_order() {
        let node = parse("b:\n  x: 5\na: [1, two]\n").unwrap();
        let Value::Map(entries) = node.value else { panic!("expected a map") };
        assert_eq!(entries[0].0.name, "b");
        assert_eq!(entries[0].0.pos.line, 1);
        assert_eq!(entries[1].0.name, "a");
        assert_eq!(entries[1].0.pos.line, 3);
        let Value::Map(inner) = &entries[0].1.value else { panic!("expected a map") };
        assert_eq!(inner[0].1.value, Value::Number(5.0));
        assert_eq!(inner[0].1.pos, Pos { line: 2, column: 6 });
    }

    #[test]
    fn syntax_errors_carry_a_line() {
        let err = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.pos.line >= 2, "{err:?}");
    }

    #[test]
    fn duplicate_keys_are_an_error() {
        let err = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.message, "duplicate mapping key: a");
        assert_eq!(err.pos.line, 2);
    }

    #[test]
    fn comments_only_is_an_empty_document() {
        assert_eq!(parse("# nothing\n\n").unwrap().value, Value::Null);
    }
}
