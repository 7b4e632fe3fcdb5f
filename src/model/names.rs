//! File names made from names people choose (a finding's key, a signer's principal): one file on
//! every system, and two names never share one.

use std::fmt::Write as _;

/// `text` as a file name: ASCII letters, digits, `-`, `_`, `@` and `.` (but not a leading one) as
/// they are, every other byte as `%XX`. [`decode`] reverses it.
#[must_use]
pub fn encode(text: &str) -> String {
    let mut name = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'@') || (byte == b'.' && !name.is_empty()) {
            name.push(char::from(byte));
        } else {
            let _ = write!(name, "%{byte:02X}");
        }
    }
    name
}

/// The name [`encode`] made `name` from; `None` where `name` is not one of its names.
#[must_use]
pub fn decode(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = name.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_any_characters_become_file_names_and_come_back() {
        for text in ["alice@example.com", "sleep 0.1@r/1", ".hidden", "ünïcode:*?", ""] {
            let name = encode(text);
            assert!(!name.starts_with('.') && !name.contains(['/', '\\', ':', ' ', '*', '?']), "{name}");
            assert_eq!(decode(&name).as_deref(), Some(text));
        }
        assert_eq!(encode("services.auth.latency@ci-1157"), "services.auth.latency@ci-1157");
        assert_eq!(decode("bad%4"), None);
    }
}
