//! Reading an unencrypted OpenSSH private key file (`headroom sign --key`).
//!
//! OpenSSH writes an ECDSA key's private scalar as an SSH `mpint` (RFC 4251 §5): big-endian,
//! leading zero bytes dropped, one zero byte added where the top bit is set. ssh-key 0.6 reads the
//! scalar only at the curve's full width (32 bytes for P-256, 48 for P-384, 66 for P-521, or one
//! more with the leading zero) and refuses any shorter one with `Encoding(Length)`. A scalar below
//! 2^(8·width − 9) is written shorter: about 1 P-256 or P-384 key in 512 that `ssh-keygen` makes,
//! and 1 P-521 key in 4. Those keys are good keys; only their encoding is short.
//!
//! How it works: the key file is given to ssh-key as it is. Where that fails and the file is an
//! unencrypted OpenSSH key of one ECDSA curve whose scalar is shorter than the curve's width, its
//! private section is written again with the same scalar left-padded with zero bytes to the width
//! (the same number), the section's padding made again for its new length (1, 2, 3, ... to a
//! multiple of 8, as PROTOCOL.key asks), and the result given to ssh-key, which checks everything
//! else as for any key: the magic, the two check integers, that the public key matches the
//! keypair's, the padding. Nothing else is changed, so a file that is broken in any other way is
//! refused with ssh-key's own words.
//!
//! ```text
//! "openssh-key-v1\0" string cipher "none" | string kdf "none" | string kdf options | uint32 1
//! string public key
//! string private section:  uint32 check | uint32 check | string "ecdsa-sha2-nistp256"
//!                          string "nistp256" | string Q | mpint d   <- d: 31 bytes -> 00 ‖ d
//!                          string comment | padding 1 2 3 ...       <- made again
//! ```

use super::error::ApprovalError;
use ssh_key::PrivateKey;
use std::path::Path;
use zeroize::Zeroizing;

/// The OpenSSH private key format's magic.
const MAGIC: &[u8] = b"openssh-key-v1\0";
/// The private section's block size when it is not encrypted (cipher `none`).
const BLOCK_SIZE: usize = 8;
/// The PEM line width of OpenSSH private keys.
const PEM_LINE_WIDTH: usize = 70;

/// Reads the unencrypted OpenSSH private key file `path`; an ECDSA key whose scalar OpenSSH wrote
/// short is read too (see the module's documentation). The error names the file.
pub fn read_private_key(path: &Path) -> Result<PrivateKey, ApprovalError> {
    let text = Zeroizing::new(std::fs::read(path).map_err(|e| ApprovalError::io("read", path, e))?);
    private_key_from_openssh(&text).map_err(|e| {
        ApprovalError::Invalid(format!(
            "cannot read the key {}: {e} (a key with a passphrase: sign with ssh-keygen -Y sign and give the signature file)",
            path.display()
        ))
    })
}

/// Parses an OpenSSH private key (the text of its file), as ssh-key does, and also an ECDSA key
/// whose scalar OpenSSH wrote shorter than its curve's width. The error is ssh-key's, for the
/// text as given.
pub fn private_key_from_openssh(text: &[u8]) -> Result<PrivateKey, ssh_key::Error> {
    let error = match PrivateKey::from_openssh(text) {
        Ok(key) => return Ok(key),
        Err(e) => e,
    };
    let Some(blob) = pem_body(text) else { return Err(error) };
    match ecdsa_scalar_padded(&blob) {
        Some(padded) => PrivateKey::from_bytes(&padded),
        None => Err(error),
    }
}

/// The bytes of an `OPENSSH PRIVATE KEY` PEM document.
fn pem_body(text: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let mut decoder = pem_rfc7468::Decoder::new_wrapped(text, PEM_LINE_WIDTH).ok()?;
    if decoder.type_label() != "OPENSSH PRIVATE KEY" {
        return None;
    }
    let mut body = Zeroizing::new(Vec::new());
    decoder.decode_to_end(&mut body).ok()?;
    Some(body)
}

/// The width in bytes of a scalar of the ECDSA key type `key_type`, and its curve's name.
fn scalar_width(key_type: &[u8]) -> Option<(usize, &'static [u8])> {
    match key_type {
        b"ecdsa-sha2-nistp256" => Some((32, b"nistp256")),
        b"ecdsa-sha2-nistp384" => Some((48, b"nistp384")),
        b"ecdsa-sha2-nistp521" => Some((66, b"nistp521")),
        _ => None,
    }
}

/// The key `blob` (the binary OpenSSH private key format) with its ECDSA scalar left-padded to
/// its curve's width, where it is an unencrypted key of one ECDSA curve whose scalar is shorter;
/// `None` for any other blob (nothing to pad, or not read this far: ssh-key says why).
fn ecdsa_scalar_padded(blob: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let mut rest = blob.strip_prefix(MAGIC)?;
    let (cipher, kdf, kdf_options) = (take_string(&mut rest)?, take_string(&mut rest)?, take_string(&mut rest)?);
    if cipher != b"none" || kdf != b"none" || !kdf_options.is_empty() || take_u32(&mut rest)? != 1 {
        return None;
    }
    let public = take_string(&mut rest)?;
    let mut private = take_string(&mut rest)?;
    if !rest.is_empty() || private.len() % BLOCK_SIZE != 0 {
        return None;
    }
    let checks = take(&mut private, 8)?;
    let key_type = take_string(&mut private)?;
    let (width, curve_name) = scalar_width(key_type)?;
    let curve = take_string(&mut private)?;
    let point = take_string(&mut private)?;
    let scalar = take_string(&mut private)?;
    let comment = take_string(&mut private)?;
    // What is left is the old padding: 1, 2, 3, ... and shorter than a block, or the file is not
    // one OpenSSH wrote.
    let padding_is_openssh = private.len() < BLOCK_SIZE && private.iter().zip(1u8..).all(|(byte, expected)| *byte == expected);
    if curve != curve_name || scalar.is_empty() || scalar.len() >= width || scalar[0] >= 0x80 || !padding_is_openssh {
        return None;
    }

    let mut section = Zeroizing::new(Vec::with_capacity(private.len() + width + 64));
    section.extend_from_slice(checks);
    for field in [key_type, curve, point] {
        put_string(&mut section, field)?;
    }
    put_u32(&mut section, width)?;
    let padded_len = section.len() + width - scalar.len();
    section.resize(padded_len, 0);
    section.extend_from_slice(scalar);
    put_string(&mut section, comment)?;
    let padding = (BLOCK_SIZE - section.len() % BLOCK_SIZE) % BLOCK_SIZE;
    section.extend((1..).take(padding));

    let mut out = Zeroizing::new(Vec::with_capacity(blob.len() + width));
    out.extend_from_slice(MAGIC);
    for field in [cipher, kdf, kdf_options] {
        put_string(&mut out, field)?;
    }
    put_u32(&mut out, 1)?;
    put_string(&mut out, public)?;
    put_string(&mut out, &section)?;
    Some(out)
}

fn take<'a>(bytes: &mut &'a [u8], len: usize) -> Option<&'a [u8]> {
    let (head, tail) = bytes.split_at_checked(len)?;
    *bytes = tail;
    Some(head)
}

fn take_u32(bytes: &mut &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(take(bytes, 4)?.try_into().ok()?))
}

fn take_string<'a>(bytes: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = usize::try_from(take_u32(bytes)?).ok()?;
    take(bytes, len)
}

fn put_u32(out: &mut Vec<u8>, value: usize) -> Option<()> {
    out.extend_from_slice(&u32::try_from(value).ok()?.to_be_bytes());
    Some(())
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) -> Option<()> {
    put_u32(out, bytes.len())?;
    out.extend_from_slice(bytes);
    Some(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed
    use super::*;

    /// The private key blob OpenSSH writes for a P-256 key with the scalar `scalar` (as an mpint)
    /// and the public point `point`, its check integers and comment.
    fn blob(scalar: &[u8], point: &[u8], comment: &[u8]) -> Vec<u8> {
        let mut section = vec![1, 2, 3, 4, 1, 2, 3, 4];
        for field in [&b"ecdsa-sha2-nistp256"[..], b"nistp256", point, scalar, comment] {
            put_string(&mut section, field).unwrap();
        }
        let padding = (BLOCK_SIZE - section.len() % BLOCK_SIZE) % BLOCK_SIZE;
        section.extend((1..).take(padding));
        let mut public = Vec::new();
        for field in [&b"ecdsa-sha2-nistp256"[..], b"nistp256", point] {
            put_string(&mut public, field).unwrap();
        }
        let mut out = MAGIC.to_vec();
        for field in [&b"none"[..], b"none", b""] {
            put_string(&mut out, field).unwrap();
        }
        put_u32(&mut out, 1).unwrap();
        put_string(&mut out, &public).unwrap();
        put_string(&mut out, &section).unwrap();
        out
    }

    #[test]
    fn a_short_scalar_is_padded_to_its_curves_width_and_the_section_padded_again() {
        let point = [4u8; 65];
        for (len, comment) in [(31, &b"a"[..]), (30, b"ab"), (1, b""), (31, b"a longer comment")] {
            let scalar: Vec<u8> = (1..=u8::try_from(len).unwrap()).collect();
            let padded = ecdsa_scalar_padded(&blob(&scalar, &point, comment)).unwrap();
            let mut full = vec![0u8; 32 - len];
            full.extend(&scalar);
            // The same key written at full width: only the scalar's field and the padding differ.
            assert_eq!(*padded, blob(&full, &point, comment), "{len} bytes");
        }
    }

    #[test]
    fn a_full_width_scalar_a_negative_one_and_a_foreign_padding_are_left_to_ssh_key() {
        let point = [4u8; 65];
        assert!(ecdsa_scalar_padded(&blob(&[0x7f; 32], &point, b"c")).is_none());
        assert!(ecdsa_scalar_padded(&blob(&[0x80; 31], &point, b"c")).is_none(), "an mpint with its top bit set is negative");
        assert!(ecdsa_scalar_padded(&blob(&[], &point, b"c")).is_none(), "a zero scalar is no key");
        // (A comment of 2 bytes leaves 7 bytes of padding.)
        let mut bad_padding = blob(&[0x11; 31], &point, b"ab");
        let last = bad_padding.len() - 1;
        bad_padding[last] ^= 0xff;
        assert!(ecdsa_scalar_padded(&bad_padding).is_none());
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_of_a_key_reads_or_is_refused_without_a_panic() {
        let key = blob(&[0x11; 31], &[4u8; 65], b"comment");
        for end in 0..key.len() {
            assert!(ecdsa_scalar_padded(&key[..end]).is_none(), "cut at {end}");
        }
        for at in 0..key.len() {
            let mut flipped = key.clone();
            flipped[at] ^= 0x5a;
            let _ = ecdsa_scalar_padded(&flipped);
            let _ = PrivateKey::from_bytes(&flipped);
        }
    }
}
