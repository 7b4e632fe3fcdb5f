//! Signing with a key held by a running `ssh-agent` (keys with a passphrase, hardware-backed
//! agents): the agent signs the SSH signature's signed data, and the result is the same
//! `-----BEGIN SSH SIGNATURE-----` that `ssh-keygen -Y sign` writes.
//!
//! ```text
//!  SSH_AUTH_SOCK ─▶ SSH_AGENTC_SIGN_REQUEST(key blob, SSHSIG signed data, flags 0)
//!               ◀─ SSH_AGENT_SIGN_RESPONSE(signature blob) ─▶ SshSig::new(key, namespace, sha512, sig)
//! ```
//! (The agent protocol, draft-miller-ssh-agent, sections 3.6 and 4.5.)

use super::proposal::NAMESPACE;
use ssh_key::{HashAlg, LineEnding, PublicKey, Signature, SshSig};
use std::io::{Read, Write};
use std::path::Path;

const SIGN_REQUEST: u8 = 13;
const SIGN_RESPONSE: u8 = 14;
const FAILURE: u8 = 5;
/// The sign request's flag asking an RSA key for rsa-sha2-512 (draft-miller-ssh-agent, section 4.5.1).
const RSA_SHA2_512: u32 = 4;

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), String> {
    let len = u32::try_from(bytes.len()).map_err(|_| "a message too large for the agent".to_owned())?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

fn take_string(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let body = bytes.get(4..4 + len)?;
    Some((body, &bytes[4 + len..]))
}

/// Signs `message` in the proposal namespace with the agent at `socket`, using its key `key`
/// (the public half, as in `allowed_signers`). Returns the armored signature.
pub fn sign_with_agent(socket: &Path, key: &PublicKey, message: &[u8]) -> Result<String, String> {
    let signed_data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, message).map_err(|e| e.to_string())?;
    let key_blob = key.to_bytes().map_err(|e| e.to_string())?;
    let mut body = vec![SIGN_REQUEST];
    put_string(&mut body, &key_blob)?;
    put_string(&mut body, &signed_data)?;
    // RSA keys sign rsa-sha2-512 (SSH_AGENT_RSA_SHA2_512); without the flag an agent signs with
    // SHA-1 (ssh-rsa), which SSH signatures refuse.
    let flags: u32 = if key.algorithm().is_rsa() { RSA_SHA2_512 } else { 0 };
    body.extend_from_slice(&flags.to_be_bytes());
    let mut request = Vec::with_capacity(body.len() + 4);
    put_string(&mut request, &body)?;

    let mut stream =
        std::os::unix::net::UnixStream::connect(socket).map_err(|e| format!("cannot reach the ssh-agent at {}: {e}", socket.display()))?;
    stream.write_all(&request).map_err(|e| format!("cannot talk to the ssh-agent: {e}"))?;
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).map_err(|e| format!("no answer from the ssh-agent: {e}"))?;
    let len = u32::from_be_bytes(len) as usize;
    if len == 0 || len > 1 << 20 {
        return Err("the ssh-agent's answer makes no sense".to_owned());
    }
    let mut reply = vec![0u8; len];
    stream.read_exact(&mut reply).map_err(|e| format!("a short answer from the ssh-agent: {e}"))?;
    match reply[0] {
        SIGN_RESPONSE => {
            let (blob, _) = take_string(&reply[1..]).ok_or("the ssh-agent's signature is cut short")?;
            let signature = Signature::try_from(blob).map_err(|e| format!("the ssh-agent's signature does not read: {e}"))?;
            let sig = SshSig::new(key.key_data().clone(), NAMESPACE, HashAlg::Sha512, signature).map_err(|e| e.to_string())?;
            sig.to_pem(LineEnding::LF).map_err(|e| e.to_string())
        }
        FAILURE => Err("the ssh-agent refused to sign (is the key added? `ssh-add -l` lists them)".to_owned()),
        other => Err(format!("the ssh-agent answered with message type {other}")),
    }
}
