//! A snapshot line of JSON Lines read in one pass over its bytes, for the shape nearly every line
//! has: `{"id": "...", "timestamp": "...", "commit": ..., "metrics": {"name": 1.5, ...}}`.
//!
//! How it works:
//!
//! ```text
//!  {"id":"r1","timestamp":"2026-01-01T00:00:00Z","metrics":{"m0":50.1,"m1":{"value":2,"unit":"ms"}}}
//!   └─ key ─┘ └──── a run's own field ────────┘            └ name ┘ └num┘ └──── a measurement ───┘
//!      each byte looked at once: a string is borrowed from the line up to its closing quote
//!      (decoded into an owned one where it has escapes), a number read digit by digit
//! ```
//!
//! The reader accepts only what it reads completely and returns `None` for anything else: a field
//! it does not know (`groups`, a typo), a key twice, an id given as a number, a `summary`, a value
//! that is not a finite number, a unit it cannot read, a negative duration, trailing bytes, a
//! surrogate escape, a control character in a string, a malformed number. The caller then reads
//! that line with `serde_json` (`snapshot::snapshot_from_line`), which names the line, field and
//! fault of anything wrong, so a line is read either here, to the snapshot `serde_json` would give,
//! or there: the two cannot disagree on what a line means.
//!
//! Numbers are read as `serde_json` (built with `float_roundtrip`) reads them: correctly rounded.
//! Where the digits make an integer below 2^53 and the power of ten is at most 22 either way,
//! both are exact in an `f64` and the one rounding of their product or quotient is the correctly
//! rounded value (Clinger's fast path); every other number goes to the standard library's parser,
//! correctly rounded too.

use super::time::Timestamp;
use super::units::{Dimension, Unit};
use std::borrow::Cow;

/// A run's own fields, as read from a line.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Head<'a> {
    pub id: Cow<'a, str>,
    pub timestamp: Option<Timestamp>,
    pub commit: Option<Cow<'a, str>>,
    pub branch: Option<Cow<'a, str>>,
    pub environment: Option<Cow<'a, str>>,
}

/// One metric's measurement in a line: its value, its samples (a range in
/// [`LinePoints::samples`]) and its unit.
#[derive(Debug, PartialEq)]
pub(crate) struct LinePoint<'a> {
    pub name: Cow<'a, str>,
    pub value: Option<f64>,
    pub samples: Option<(usize, usize)>,
    pub unit: Option<Unit>,
}

/// A line's measurements, in the order written, and their samples in one list; kept from line
/// to line so that a line allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct LinePoints<'a> {
    pub points: Vec<LinePoint<'a>>,
    pub samples: Vec<f64>,
}

impl LinePoints<'_> {
    /// Forgets the line before.
    pub fn clear(&mut self) {
        self.points.clear();
        self.samples.clear();
    }
}

/// Reads `line` into its run's fields and `points`; `None` where the line has anything this
/// reader does not read completely (see the module's doc).
pub(crate) fn read_line<'a>(line: &'a str, points: &mut LinePoints<'a>) -> Option<Head<'a>> {
    let mut reader = Reader { text: line, bytes: line.as_bytes(), at: 0 };
    let head = reader.snapshot(points)?;
    reader.skip_space();
    (reader.at == reader.bytes.len()).then_some(head)
}

/// A line (or a part of it) the fast path does not read: `serde_json` reads it.
struct LeftToSerde;

/// A place in a line.
struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

/// The run's own fields and `metrics`, in the order of [`Reader::snapshot`]'s slots.
const HEAD_KEYS: [&str; 6] = ["id", "timestamp", "commit", "branch", "environment", "metrics"];

/// A measurement's fields.
const MEASUREMENT_KEYS: [&str; 3] = ["value", "samples", "unit"];

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Skips JSON's white space (space, tab, line feed, carriage return), as `serde_json` does.
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// The next byte after white space, consumed where it is `byte`.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// `null`, consumed where it is next.
    fn null(&mut self) -> bool {
        self.skip_space();
        if self.bytes[self.at..].starts_with(b"null") {
            self.at += 4;
            true
        } else {
            false
        }
    }

    /// Reads `{ key: value, ... }`, calling `field` with each key (after its colon); `field` reads
    /// the value. An empty object is read too.
    fn object(&mut self, mut field: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            self.skip_space();
            let key = self.string()?;
            if !self.eat(b':') {
                return None;
            }
            field(self, key)?;
            if self.eat(b',') {
                continue;
            }
            return self.eat(b'}').then_some(());
        }
    }

    /// An object whose keys are all among `keys`, each at most once (an unknown or repeated key is
    /// left to the slow path, which names it); `field` reads the value of the key at its slot.
    /// Which keys were there.
    fn known_fields<const N: usize>(
        &mut self,
        keys: &[&str; N],
        mut field: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<[bool; N]> {
        let mut seen = [false; N];
        self.object(|reader, key| {
            let slot = keys.iter().position(|k| *k == key)?;
            if std::mem::replace(&mut seen[slot], true) {
                return None;
            }
            field(reader, slot)
        })?;
        Some(seen)
    }

    /// A string read by `parse`, or `null` (`Ok(None)`); anything else is left to the slow path.
    fn nullable<T, E>(&mut self, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<Option<T>, LeftToSerde> {
        if self.null() {
            return Ok(None);
        }
        self.skip_space();
        let text = self.string().ok_or(LeftToSerde)?;
        parse(&text).map(Some).map_err(|_| LeftToSerde)
    }

    fn snapshot(&mut self, points: &mut LinePoints<'a>) -> Option<Head<'a>> {
        let mut head = Head::default();
        let seen = self.known_fields(&HEAD_KEYS, |reader, slot| {
            match slot {
                0 => head.id = reader.optional_text().ok()??,
                1 => head.timestamp = reader.nullable(Timestamp::parse).ok()?,
                2 => head.commit = reader.optional_text().ok()?,
                3 => head.branch = reader.optional_text().ok()?,
                4 => head.environment = reader.optional_text().ok()?,
                _ => reader.metrics(points)?,
            }
            Some(())
        })?;
        // A run needs its id and its metrics.
        (seen[0] && seen[5]).then_some(head)
    }

    /// Non-blank text or `null` (`Ok(None)`); anything else is left to the slow path.
    fn optional_text(&mut self) -> Result<Option<Cow<'a, str>>, LeftToSerde> {
        if self.null() {
            return Ok(None);
        }
        self.skip_space();
        let text = self.string().ok_or(LeftToSerde)?;
        if text.trim().is_empty() { Err(LeftToSerde) } else { Ok(Some(text)) }
    }

    fn metrics(&mut self, points: &mut LinePoints<'a>) -> Option<()> {
        self.object(|reader, name| {
            reader.skip_space();
            let point = match reader.peek()? {
                b'{' => reader.measurement(name, &mut points.samples)?,
                _ => LinePoint { name, value: Some(reader.number()?), samples: None, unit: None },
            };
            points.points.push(point);
            Some(())
        })
    }

    /// `{"value": ..., "samples": [...], "unit": "..."}`, checked as the slow path checks it.
    fn measurement(&mut self, name: Cow<'a, str>, samples: &mut Vec<f64>) -> Option<LinePoint<'a>> {
        let mut point = LinePoint { name, value: None, samples: None, unit: None };
        self.known_fields(&MEASUREMENT_KEYS, |reader, slot| {
            match slot {
                0 => point.value = if reader.null() { None } else { Some(reader.number()?) },
                1 => point.samples = if reader.null() { None } else { Some(reader.samples(samples)?) },
                _ => point.unit = reader.nullable(Unit::parse).ok()?,
            }
            Some(())
        })?;
        let own = point.samples.map_or(&[][..], |(start, end)| &samples[start..end]);
        if point.value.is_none() && own.is_empty() {
            return None;
        }
        // Durations and sizes cannot be negative: the slow path names the fault.
        let physical = point.unit.as_ref().is_some_and(|u| matches!(u.dimension(), Dimension::Time | Dimension::Size));
        if physical && (point.value.is_some_and(|v| v < 0.0) || own.iter().any(|v| *v < 0.0)) {
            return None;
        }
        Some(point)
    }

    /// `[number, ...]`, appended to `samples`; the range they take there.
    fn samples(&mut self, samples: &mut Vec<f64>) -> Option<(usize, usize)> {
        let start = samples.len();
        if !self.eat(b'[') {
            return None;
        }
        if !self.eat(b']') {
            loop {
                samples.push(self.number()?);
                if self.eat(b',') {
                    continue;
                }
                if self.eat(b']') {
                    break;
                }
                return None;
            }
        }
        Some((start, samples.len()))
    }

    /// A string at the reader (its opening quote next): borrowed where it has no escape.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.at + 1;
        let mut i = start;
        loop {
            match *self.bytes.get(i)? {
                b'"' => {
                    self.at = i + 1;
                    // Both ends are ASCII quotes, so on character boundaries.
                    return Some(Cow::Borrowed(&self.text[start..i]));
                }
                b'\\' => return self.escaped_string(start, i),
                // JSON forbids control characters in a string; serde_json names the fault.
                0..0x20 => return None,
                _ => i += 1,
            }
        }
    }

    /// The rest of a string from its first escape at `escape`, decoded.
    fn escaped_string(&mut self, start: usize, escape: usize) -> Option<Cow<'a, str>> {
        let mut decoded = String::with_capacity(escape - start + 16);
        decoded.push_str(&self.text[start..escape]);
        let mut i = escape;
        // The start of the run of plain bytes not copied yet.
        let mut plain = escape;
        loop {
            match *self.bytes.get(i)? {
                b'"' => {
                    decoded.push_str(&self.text[plain..i]);
                    self.at = i + 1;
                    return Some(Cow::Owned(decoded));
                }
                b'\\' => {
                    decoded.push_str(&self.text[plain..i]);
                    let c = match *self.bytes.get(i + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self.text.get(i + 2..i + 6)?;
                            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                                return None;
                            }
                            // A surrogate (half of a pair, or a lone one) is left to serde_json.
                            let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                            i += 4;
                            c
                        }
                        _ => return None,
                    };
                    decoded.push(c);
                    i += 2;
                    plain = i;
                }
                0..0x20 => return None,
                _ => i += 1,
            }
        }
    }

    /// A finite JSON number at the reader (after white space), correctly rounded.
    fn number(&mut self) -> Option<f64> {
        self.skip_space();
        let bytes = self.bytes;
        let start = self.at;
        let mut i = start;
        let negative = bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        // The digits as one integer (exact while there are at most 19), and how many there were.
        let mut mantissa: u64 = 0;
        let integer_start = i;
        while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
            i += 1;
        }
        // One digit at least, and no leading zero before another digit.
        if i == integer_start || (bytes[integer_start] == b'0' && i - integer_start > 1) {
            return None;
        }
        let mut digits = i - integer_start;
        let mut exponent: i64 = 0;
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            let fraction_start = i;
            while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
                i += 1;
            }
            if i == fraction_start {
                return None;
            }
            digits += i - fraction_start;
            exponent = -((i - fraction_start) as i64);
        }
        if let Some(b'e' | b'E') = bytes.get(i) {
            i += 1;
            let exponent_negative = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let exponent_start = i;
            let mut written: i64 = 0;
            while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
                written = (written * 10 + i64::from(b - b'0')).min(1 << 40);
                i += 1;
            }
            if i == exponent_start {
                return None;
            }
            exponent += if exponent_negative { -written } else { written };
        }
        self.at = i;
        let value = if digits <= 19 && mantissa < 1 << 53 && exponent.abs() < EXACT_POWERS_OF_TEN.len() as i64 {
            let power = EXACT_POWERS_OF_TEN[exponent.unsigned_abs() as usize];
            let magnitude = if exponent < 0 { mantissa as f64 / power } else { mantissa as f64 * power };
            if negative { -magnitude } else { magnitude }
        } else {
            self.text[start..i].parse::<f64>().ok()?
        };
        value.is_finite().then_some(value)
    }
}

/// Powers of ten that are exact in an `f64` (10^22 is the largest).
const EXACT_POWERS_OF_TEN: [f64; 23] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::snapshot::snapshot_from_line;

    /// Reads `line` both ways; where the fast reader reads it, it must give what `serde_json`
    /// gives, bit for bit. Returns whether the fast reader read it.
    fn read_alike(line: &str) -> bool {
        let mut points = LinePoints::default();
        let Some(head) = read_line(line, &mut points) else {
            return false;
        };
        let slow = snapshot_from_line("h.jsonl", 1, line).unwrap_or_else(|e| panic!("the fast path read a line serde_json refuses: {e}"));
        assert_eq!(head.id, slow.run.id, "{line}");
        assert_eq!(head.timestamp, slow.run.timestamp, "{line}");
        assert_eq!(head.commit.as_deref(), slow.run.commit.as_deref(), "{line}");
        assert_eq!(head.branch.as_deref(), slow.run.branch.as_deref(), "{line}");
        assert_eq!(head.environment.as_deref(), slow.run.environment.as_deref(), "{line}");
        assert!(slow.groups.is_empty());
        let fast: Vec<_> = points
            .points
            .iter()
            .map(|p| {
                let samples = p.samples.map(|(start, end)| points.samples[start..end].iter().map(|v| v.to_bits()).collect::<Vec<_>>());
                (p.name.to_string(), p.value.map(f64::to_bits), samples, p.unit.clone())
            })
            .collect();
        let slow: Vec<_> = slow
            .metrics
            .iter()
            .map(|(name, m)| {
                (
                    name.clone(),
                    m.value.map(f64::to_bits),
                    m.samples.as_ref().map(|s| s.iter().map(|v| v.to_bits()).collect()),
                    m.unit.clone(),
                )
            })
            .collect();
        assert_eq!(fast, slow, "{line}");
        true
    }

    /// Where the fast reader leaves a line, `serde_json` reads it (`Ok`) or names its fault.
    fn left_to_serde(line: &str) -> Result<(), String> {
        assert!(!read_alike(line), "the fast path read {line}");
        snapshot_from_line("h.jsonl", 1, line).map(|_| ()).map_err(|e| e.to_string())
    }

    #[test]
    fn the_common_shapes_are_read_alike_by_both_readers() {
        for line in [
            r#"{"id":"r1","timestamp":"2026-01-01T00:00:01Z","commit":"00000000000a","branch":"main","environment":"ci","metrics":{"m0":50.1234,"m1":49.8}}"#,
            r#"  { "id" : "r1" , "metrics" : { "a" : { "value" : 0.04 , "unit" : "s" } , "b" : 3 } }	"#,
            r#"{"metrics":{"a":{"samples":[30,50,40],"unit":"ms"}},"id":"r2","commit":null,"branch":null}"#,
            r#"{"id":"r3","metrics":{"a":{"value":1,"samples":[],"unit":null},"b":{"value":null,"samples":[1.5]}}}"#,
            r#"{"id":"r4","metrics":{}}"#,
            r#"{"id":"r5","timestamp":null,"metrics":{"a":-3,"b":{"value":-2,"unit":"count"},"c":{"value":5,"unit":"req/s"},"d":{"value":1,"unit":"furlongs"}}}"#,
        ] {
            assert!(read_alike(line), "left to serde_json: {line}");
        }
    }

    #[test]
    fn escapes_and_unicode_in_strings_are_read_alike() {
        for line in [
            r#"{"id":"r\"1\\\/\b\f\n\r\t","metrics":{"caf\u00e9 \u2713":1}}"#,
            r#"{"id":"ré ✓ 日本","branch":"feature/ünï","metrics":{"latência [ms]":2,"m\u0000":3}}"#,
            r#"{"\u0069d":"r1","metrics":{"a":1}}"#,
            r#"{"id":"r1","metrics":{"\"quoted\"":1,"back\\slash":2}}"#,
        ] {
            assert!(read_alike(line), "left to serde_json: {line}");
        }
        // A surrogate pair (and a lone surrogate) is left to serde_json, which reads the one and refuses the other.
        assert_eq!(left_to_serde(r#"{"id":"r\ud83d\ude00","metrics":{"a":1}}"#), Ok(()));
        assert!(left_to_serde(r#"{"id":"r\ud83d","metrics":{"a":1}}"#).unwrap_err().contains("not valid JSON"));
        // A raw control character and an unknown escape are JSON's faults, named by serde_json.
        assert!(left_to_serde("{\"id\":\"r\t1\",\"metrics\":{\"a\":1}}").unwrap_err().contains("control character"));
        assert!(left_to_serde(r#"{"id":"r\q","metrics":{"a":1}}"#).unwrap_err().contains("invalid escape"));
        assert!(left_to_serde(r#"{"id":"r\u00g1","metrics":{"a":1}}"#).unwrap_err().contains("not valid JSON"));
    }

    #[test]
    fn numbers_are_read_to_the_same_bits_as_serde_json_reads_them() {
        for number in [
            "0",
            "-0",
            "-0.0",
            "1e3",
            "1E3",
            "1.5e-2",
            "-2.5E+10",
            "1e308",
            "1.7976931348623157e308",
            "4.9e-324",
            "1e-400",
            "0e999",
            "3.14159265358979323846264338",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "9007199254740993",
            "123456789012345678901234567890",
            "0.1",
            "0.30000000000000004",
            "2.2250738585072011e-308",
            "1e22",
            "1e23",
            "9007199254740991e22",
            "123.456e-30",
        ] {
            let line = format!(r#"{{"id":"r","metrics":{{"a":{number},"b":{{"samples":[{number},{number}]}}}}}}"#);
            assert!(read_alike(&line), "left to serde_json: {number}");
        }
        // Numbers of every shape, drawn from a fixed seed (xorshift), read alike.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for _ in 0..20_000 {
            let mut number = String::new();
            if next(2) == 0 {
                number.push('-');
            }
            let digits = 1 + next(25);
            number.push(char::from(b'1' + next(9) as u8));
            for _ in 1..digits {
                number.push(char::from(b'0' + next(10) as u8));
            }
            if next(2) == 0 {
                number.push('.');
                for _ in 0..=next(20) {
                    number.push(char::from(b'0' + next(10) as u8));
                }
            }
            if next(3) == 0 {
                number.push(if next(2) == 0 { 'e' } else { 'E' });
                number.push_str(["", "+", "-"][next(3) as usize]);
                number.push_str(&next(330).to_string());
            }
            let line = format!(r#"{{"id":"r","metrics":{{"a":{number}}}}}"#);
            // Out of range (1e330) is refused by both, named by serde_json.
            if !read_alike(&line) {
                assert!(left_to_serde(&line).unwrap_err().contains("number out of range"), "{number}");
            }
        }
    }

    #[test]
    fn malformed_numbers_are_left_to_serde_json_which_names_them() {
        for number in ["01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "1.5.5", "NaN", "Infinity", "1e400", "-1e400", "\"5\"", "true"] {
            let line = format!(r#"{{"id":"r","metrics":{{"a":{number}}}}}"#);
            let error = left_to_serde(&line).unwrap_err();
            assert!(error.contains("h.jsonl:1"), "{number}: {error}");
        }
    }

    #[test]
    fn unusual_lines_are_left_to_serde_json() {
        // Read by serde_json: a numeric id, a time in seconds, groups, a key twice, a summary.
        for line in [
            r#"{"id":7,"metrics":{"a":1}}"#,
            r#"{"id":"r","timestamp":1767225600,"metrics":{"a":1}}"#,
            r#"{"id":"r","metrics":{"a":1},"groups":{"a":"g"}}"#,
            r#"{"id":"r","id":"s","metrics":{"a":1}}"#,
            r#"{"id":"r","metrics":{"a":{"value":1,"value":2}}}"#,
            r#"{"id":"r","metrics":{"a":{"value":41,"unit":"ms","summary":{"count":2,"min":40,"median":41,"p95":42,"max":42}}}}"#,
        ] {
            assert_eq!(left_to_serde(line), Ok(()), "{line}");
        }
        // Refused by serde_json, with the field and the fault.
        for (line, fault) in [
            (r#"{"id":"r","metricz":{"a":1}}"#, "`metricz`: unknown field in a snapshot; did you mean `metrics`?"),
            (r#"{"id":"r","metrics":{"a":{"samples":[[1,2]]}}}"#, "`metrics.a`: every sample must be a finite number, found [1,2]"),
            (r#"{"id":"r","metrics":{"a":{"samples":[1,null]}}}"#, "`metrics.a`: every sample must be a finite number, found null"),
            (r#"{"id":"r","metrics":{"a":{"value":1,"extra":2}}}"#, "`metrics.a`: unknown field `extra`"),
            (r#"{"id":"r","metrics":{"a":{"samples":[]}}}"#, "`metrics.a`: a measurement needs a `value` or non-empty `samples`"),
            (r#"{"id":"r","metrics":{"a":{"value":-1,"unit":"ms"}}}"#, "`metrics.a`: a duration or size cannot be negative"),
            (r#"{"id":"r","metrics":{"a":{"samples":[1,-1],"unit":"KiB"}}}"#, "`metrics.a`: a duration or size cannot be negative"),
            (r#"{"id":"r","metrics":{"a":{"value":1,"unit":" "}}}"#, "`metrics.a`:"),
            (r#"{"id":"r","metrics":{"a":null}}"#, "`metrics.a`: a metric without a value"),
            (r#"{"id":" ","metrics":{"a":1}}"#, "`id`: expected non-empty text"),
            (r#"{"id":"r","commit":"","metrics":{"a":1}}"#, "`commit`: expected non-empty text"),
            (r#"{"id":"r","timestamp":"yesterday","metrics":{"a":1}}"#, "`timestamp`:"),
            (r#"{"metrics":{"a":1}}"#, "`id`: every snapshot needs an `id`"),
            (r#"{"id":"r"}"#, "`metrics`: every snapshot needs `metrics`"),
            (r#"{"id":"r","metrics":{"a":1}} x"#, "not valid JSON: trailing characters"),
            (r#"{"id":"r","metrics":{"a":1}}{}"#, "not valid JSON: trailing characters"),
            (r#"{"id":"r","metrics":{"a":1,}}"#, "not valid JSON"),
            (r#"{"id":"r","metrics":{"a":1}"#, "not valid JSON: EOF"),
            ("\u{feff}{\"id\":\"r\",\"metrics\":{\"a\":1}}", "not valid JSON"),
            (r#"["r",{"a":1}]"#, "expected a snapshot object"),
        ] {
            let error = left_to_serde(line).unwrap_err();
            assert!(error.contains(fault), "{line}: {error}");
            assert!(error.starts_with("h.jsonl:1"), "{error}");
        }
    }

    #[test]
    fn a_line_that_is_not_json_names_the_files_line_and_column_once_and_the_field() {
        // serde_json counts within the one line it reads ("at line 1 column 28"): the error says
        // the file's line and column in front, once, and the field being read there.
        let errors = crate::model::columns::json_lines_columns(
            "history/b.jsonl",
            "{\"id\":\"a\",\"metrics\":{\"x\":1}}\n{\"id\":\"b\",\"metrics\":{\"x\":{\"value\":1.2.3}}}\n",
        )
        .unwrap_err();
        let text = errors[0].to_string();
        assert_eq!(text, "history/b.jsonl:2:38: `metrics.x.value`: not valid JSON: expected `,` or `}`", "{errors:?}");
        for (line, fault) in [
            (r#"{"id":"r","metrics":{"a":1,}}"#, "h.jsonl:1:28: `metrics.a`: not valid JSON: trailing comma"),
            (r#"{"id":"r","metrics":{"a":[1,2,x]}}"#, "h.jsonl:1:31: `metrics.a`: not valid JSON: expected value"),
            (r#"{"id":"r" "metrics":{}}"#, "h.jsonl:1:11: `id`: not valid JSON: expected `,` or `}`"),
            ("nonsense", "h.jsonl:1:2: not valid JSON: expected ident"),
        ] {
            let error = left_to_serde(line).unwrap_err();
            assert_eq!(error, fault, "{line}");
            assert!(!error.contains("at line"), "{error}");
        }
    }
}
