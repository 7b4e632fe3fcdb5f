//! Who may sign: the workspace's `allowed_signers`, in the format of git and OpenSSH
//! (`ssh-keygen -Y verify -f allowed_signers`), so the same file serves both:
//!
//! ```text
//! # principals          options                                         key
//! alice@example.com     namespaces="headroom-proposal",valid-after="20260101"  ssh-ed25519 AAAA... alice
//! bob@example.com       valid-before="20271231"                         ssh-ed25519 AAAA...
//! ```
//!
//! One key is one person: a line names one principal, and a key is listed once (a person with
//! several keys has a line for each). Anything else is an error naming its line, because a key
//! under two names would let one person sign as two approvers.

use crate::model::error::LoadError;
use crate::model::time::Timestamp;
use crate::model::yaml::Pos;
use ssh_key::PublicKey;

/// One line of the signers file.
#[derive(Clone, Debug, PartialEq)]
pub struct AllowedSigner {
    /// The principals (people's e-mail addresses, usually) this key signs as.
    pub principals: Vec<String>,
    /// The namespaces the key may sign in (`None`: any).
    pub namespaces: Option<Vec<String>>,
    /// The key is valid from this moment.
    pub valid_after: Option<Timestamp>,
    /// The key is valid until this moment.
    pub valid_before: Option<Timestamp>,
    /// The public key.
    pub key: PublicKey,
    /// The line it is on.
    pub line: u32,
}

impl AllowedSigner {
    /// Whether the key may sign in `namespace` at `at`.
    #[must_use]
    pub fn allows(&self, namespace: &str, at: Timestamp) -> bool {
        self.namespaces.as_ref().is_none_or(|n| n.iter().any(|n| n == namespace))
            && self.valid_after.is_none_or(|t| at >= t)
            && self.valid_before.is_none_or(|t| at <= t)
    }
}

const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-dss",
];

/// The key types whose signatures Headroom verifies, as `ssh-keygen -Y verify` does: ed25519,
/// ECDSA on P-256 and P-384, RSA (signatures rsa-sha2-256 and rsa-sha2-512; never SHA-1) and the
/// hardware keys `sk-ssh-ed25519` and `sk-ecdsa-sha2-nistp256`. Every other type in [`KEY_TYPES`]
/// is refused at load, naming its line (a key Headroom cannot verify would make every proposal it
/// signs unapprovable).
const SUPPORTED_KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ssh-rsa",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// The smallest RSA key accepted, in bits (OpenSSH accepts 1024; NIST has retired anything under 2048).
pub const MIN_RSA_BITS: usize = 2048;

/// Parses an `allowed_signers` file; every bad line is an error naming its line.
pub fn parse_signers(file: &str, text: &str) -> Result<Vec<AllowedSigner>, Vec<LoadError>> {
    let mut signers = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match parse_line(trimmed, line) {
            Ok(signer) => signers.push(signer),
            Err((field, message)) => errors.push(LoadError::new(file, Pos { line, column: 1 }, field, message)),
        }
    }
    // One key is one person: a key under two principals would let one person sign twice. A key is
    // known by what its secret controls, not by how its line spells it (see `key_identity`).
    for (i, signer) in signers.iter().enumerate() {
        let identity = key_identity(&signer.key);
        if let Some(earlier) = signers[..i].iter().find(|s| key_identity(&s.key) == identity) {
            errors.push(LoadError::new(
                file,
                Pos { line: signer.line, column: 1 },
                "key",
                format!(
                    "this key is already listed on line {} (for {}): one key is one person, so it may be listed once",
                    earlier.line,
                    earlier.principals.join(",")
                ),
            ));
        }
    }
    errors.sort_by_key(|e| e.pos.line);
    if errors.is_empty() { Ok(signers) } else { Err(errors) }
}

fn parse_line(text: &str, line: u32) -> Result<AllowedSigner, (&'static str, String)> {
    let (principals, rest) = split_token(text);
    if principals.is_empty() || rest.is_empty() {
        return Err(("principals", "expected `principals [options] key-type base64-key`".to_owned()));
    }
    let principals: Vec<String> = principals.split(',').map(str::to_owned).collect();
    if principals.len() > 1 {
        return Err((
            "principals",
            format!(
                "one key is one person: `{}` names {} principals; list one principal per key (a person with several keys has a line for each)",
                principals.join(","),
                principals.len()
            ),
        ));
    }
    if principals[0].is_empty() {
        return Err(("principals", "an empty principal".to_owned()));
    }
    let (next, after) = split_token(rest);
    let (options, key_text) = if KEY_TYPES.contains(&next) { ("", rest) } else { (next, after) };
    let (key_type, after_type) = split_token(key_text);
    if !KEY_TYPES.contains(&key_type) {
        return Err(("key", format!("unknown key type `{key_type}` (expected one of: {})", KEY_TYPES.join(", "))));
    }
    if !SUPPORTED_KEY_TYPES.contains(&key_type) {
        return Err((
            "key",
            format!(
                "{key_type} keys are not supported: Headroom verifies signatures of {} keys (an unsupported key would make every proposal it signs unapprovable); use an ed25519 key",
                SUPPORTED_KEY_TYPES.join(", ")
            ),
        ));
    }
    let (base64, _comment) = split_token(after_type);
    let key =
        PublicKey::from_openssh(&format!("{key_type} {base64}")).map_err(|e| ("key", format!("not a valid {key_type} public key: {e}")))?;
    if key.algorithm().as_str() != key_type {
        return Err(("key", format!("the key is a {}, not the {key_type} its line says", key.algorithm().as_str())));
    }
    // OpenSSH reads only uncompressed points (SEC1 tag 4); a compressed one would be a second
    // spelling of the same key, which `ssh-keygen -Y verify` does not read.
    let point = key
        .key_data()
        .ecdsa()
        .map(ssh_key::public::EcdsaPublicKey::as_sec1_bytes)
        .or_else(|| key.key_data().sk_ecdsa_p256().map(|k| k.ec_point().as_bytes()));
    if point.is_some_and(|p| p.first() != Some(&4)) {
        return Err((
            "key",
            "a compressed ECDSA point: OpenSSH reads only uncompressed ones (write the key as ssh-keygen does)".to_owned(),
        ));
    }
    if let Some(rsa) = key.key_data().rsa() {
        let bits = rsa.n.as_positive_bytes().map_or(0, |b| b.len() * 8);
        if bits < MIN_RSA_BITS {
            return Err(("key", format!("an RSA key of {bits} bits is too weak: at least {MIN_RSA_BITS} bits")));
        }
    }
    let mut signer = AllowedSigner { principals, namespaces: None, valid_after: None, valid_before: None, key, line };
    for option in split_options(options) {
        let (name, value) = option.split_once('=').map_or((option.as_str(), None), |(n, v)| (n, Some(v.trim_matches('"'))));
        match (name.to_ascii_lowercase().as_str(), value) {
            ("namespaces", Some(v)) => signer.namespaces = Some(v.split(',').map(str::to_owned).collect()),
            ("valid-after", Some(v)) => {
                signer.valid_after = Some(ssh_time(v).ok_or(("valid-after", format!("expected YYYYMMDD[HHMM[SS]][Z], found `{v}`")))?);
            }
            ("valid-before", Some(v)) => {
                signer.valid_before = Some(ssh_time(v).ok_or(("valid-before", format!("expected YYYYMMDD[HHMM[SS]][Z], found `{v}`")))?);
            }
            ("cert-authority", None) => {
                return Err(("cert-authority", "certificate authorities are not supported: list each signer's key".to_owned()));
            }
            (other, _) => return Err(("options", format!("unknown option `{other}` (expected namespaces, valid-after, valid-before)"))),
        }
    }
    Ok(signer)
}

/// What a key's secret controls, so that one secret listed twice is seen as one key however its
/// line spells it: an ed25519 public key is the same key as a hardware `sk-ssh-ed25519` key of
/// the same 32 bytes (whoever holds the ed25519 secret can make that key's signatures, flags and
/// all, without a token), an ECDSA key the same as an `sk-ecdsa` key of the same point, and an
/// RSA key is its modulus (whoever can factor it can sign for any exponent).
fn key_identity(key: &PublicKey) -> (&'static str, Vec<u8>) {
    use ssh_key::public::KeyData;
    match key.key_data() {
        KeyData::Ed25519(k) => ("ed25519", k.0.to_vec()),
        KeyData::SkEd25519(k) => ("ed25519", k.public_key().0.to_vec()),
        KeyData::Ecdsa(k) => ("ecdsa", k.as_sec1_bytes().to_vec()),
        KeyData::SkEcdsaSha2NistP256(k) => ("ecdsa", k.ec_point().as_bytes().to_vec()),
        KeyData::Rsa(k) => ("rsa", k.n.as_positive_bytes().unwrap_or_default().to_vec()),
        _ => ("other", key.to_bytes().unwrap_or_default()),
    }
}

/// The first whitespace-separated token (quotes keep spaces) and the rest.
fn split_token(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return (&text[..i], text[i..].trim_start()),
            _ => {}
        }
    }
    (text, "")
}

/// Options separated by commas outside quotes.
fn split_options(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// OpenSSH's `YYYYMMDD[HHMM[SS]][Z]` (taken as UTC either way).
fn ssh_time(text: &str) -> Option<Timestamp> {
    let digits = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 14].contains(&digits.len()) {
        return None;
    }
    let (date, time) = digits.split_at(8);
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &date[..4],
        &date[4..6],
        &date[6..8],
        time.get(..2).unwrap_or("00"),
        time.get(2..4).unwrap_or("00"),
        time.get(4..6).unwrap_or("00")
    );
    Timestamp::parse(&iso).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workspace::SIGNERS_FILE;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIh/c3OtvBLlquW+8QlobbKG560aIciq3JK7DgOfBlvu";
    const OTHER: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE3bbbj4zDqKIxeFNKrwlY0OWMDfGAWiVtB9dbaDQpvC";

    #[test]
    fn signers_with_options_and_comments_are_read() {
        let text = format!(
            "# team\nalice@example.com namespaces=\"headroom-proposal,git\",valid-after=\"20260101\",valid-before=\"20261231235959Z\" {KEY} alice's laptop\n\nbob@example.com {OTHER}\n"
        );
        let signers = parse_signers(SIGNERS_FILE, &text).unwrap();
        assert_eq!(signers.len(), 2);
        assert_eq!(signers[0].principals, ["alice@example.com"]);
        assert_eq!(signers[0].line, 2);
        let inside = Timestamp::parse("2026-06-01").unwrap();
        assert!(signers[0].allows("headroom-proposal", inside));
        assert!(!signers[0].allows("file", inside));
        assert!(!signers[0].allows("headroom-proposal", Timestamp::parse("2027-01-01").unwrap()));
        assert!(!signers[0].allows("headroom-proposal", Timestamp::parse("2025-12-31").unwrap()));
        assert!(signers[1].allows("anything", inside));
    }

    #[test]
    fn a_bad_line_names_its_line_and_what_is_wrong() {
        let e = parse_signers(
            SIGNERS_FILE,
            &format!("alice@example.com {KEY}\nbob ssh-ed25519 AAAAnotakey\ncarol valid-aftr=\"2026\" {OTHER}\n"),
        )
        .unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].pos.line, 2);
        assert!(e[0].message.contains("not a valid ssh-ed25519 public key"), "{}", e[0]);
        assert_eq!(e[1].pos.line, 3);
        assert!(e[1].message.contains("unknown option `valid-aftr`"), "{}", e[1]);
    }

    #[test]
    fn a_key_under_two_principals_is_an_error_naming_its_lines() {
        let e = parse_signers(SIGNERS_FILE, &format!("alice@example.com {KEY}\nmallory@example.com {KEY}\n")).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].pos.line, 2);
        assert!(e[0].message.contains("already listed on line 1 (for alice@example.com)"), "{}", e[0]);

        let e = parse_signers(SIGNERS_FILE, &format!("alice@example.com,mallory@example.com {KEY}\n")).unwrap_err();
        assert_eq!(e[0].pos.line, 1);
        assert!(e[0].message.contains("one key is one person"), "{}", e[0]);

        // One person with two keys is one person.
        let two = parse_signers(SIGNERS_FILE, &format!("alice@example.com {KEY}\nalice@example.com {OTHER}\n")).unwrap();
        assert_eq!(two.len(), 2);
    }

    #[test]
    fn ecdsa_p256_keys_are_read_and_p521_dsa_and_weak_rsa_keys_are_refused_at_load_naming_their_line() {
        let p256 = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=";
        assert_eq!(parse_signers(SIGNERS_FILE, &format!("alice@example.com {KEY}\nbob@example.com {p256}\n")).unwrap().len(), 2);
        let p521 = "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAGr3Re3r87tcgGNni/qY9BYXo5FKluwuB6L5BT207mJwBaUhMjCDhzVeKXtSnqPTGviBoYe12+4L9WY9mve3FdVBgBrvXt92oL2iJtFJfNRvTmdnFu3Pt16SowxOwp8tDd44cHwGvvAnjA274cqcYJSCg4GKY8pnskkSam23zd53qvVzA==";
        // A 1024-bit RSA key (ssh-keygen -t rsa -b 1024).
        let weak = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCScJetBNzIFflubGjA1Ao0/Vi0BacDU+QfilFgfUk9i2qQ7Jg2ihR8AD1Pty00vYTHgKfZ/DaGxS0Tz/arSbmtAw0VaeqGqvPnD+EfjYE3sAAG/0fkbADeOVdn11e7+xJqPd3K5FYyBbeoURe5Dl1D2BGfYAgn27SUiUj5Uhdejw==";
        let text = format!(
            "alice@example.com {KEY}\nbob@example.com {p521}\ncarol@example.com ssh-dss AAAAB3NzaC1kc3M=\ndave@example.com {weak}\n"
        );
        let e = parse_signers(SIGNERS_FILE, &text).unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
        assert_eq!((e[0].pos.line, e[1].pos.line, e[2].pos.line), (2, 3, 4));
        assert!(e[0].message.contains("ecdsa-sha2-nistp521 keys are not supported"), "{}", e[0]);
        assert!(e[1].message.contains("ssh-dss keys are not supported"), "{}", e[1]);
        assert!(e[2].message.contains("an RSA key of 1024 bits is too weak"), "{}", e[2]);
    }
}
