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

/// Why the ssh-agent made no signature.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The agent's socket cannot be reached.
    #[error("cannot reach the ssh-agent at {}: {source}", socket.display())]
    Unreachable {
        /// `SSH_AUTH_SOCK`.
        socket: std::path::PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Writing the request failed.
    #[error("cannot talk to the ssh-agent: {0}")]
    Talk(#[source] std::io::Error),
    /// No answer, or a short one.
    #[error("{what} from the ssh-agent: {source}")]
    Read {
        /// `no answer` or `a short answer`.
        what: &'static str,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The answer is not a message of the agent protocol.
    #[error("the ssh-agent's answer makes no sense")]
    Nonsense,
    /// The signature in the answer is cut short or does not read.
    #[error("the ssh-agent's signature {0}")]
    BadSignature(String),
    /// The agent said no.
    #[error("the ssh-agent refused to sign (is the key added? `ssh-add -l` lists them)")]
    Refused,
    /// The agent answered with another message.
    #[error("the ssh-agent answered with message type {0}")]
    UnexpectedAnswer(u8),
    /// The request or the signature cannot be encoded (ssh-key's words).
    #[error("{0}")]
    Encoding(String),
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), AgentError> {
    let len = u32::try_from(bytes.len()).map_err(|_| AgentError::Encoding("a message too large for the agent".to_owned()))?;
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
pub fn sign_with_agent(socket: &Path, key: &PublicKey, message: &[u8]) -> Result<String, AgentError> {
    let encoding = |e: ssh_key::Error| AgentError::Encoding(e.to_string());
    let signed_data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, message).map_err(encoding)?;
    let key_blob = key.to_bytes().map_err(encoding)?;
    let mut body = vec![SIGN_REQUEST];
    put_string(&mut body, &key_blob)?;
    put_string(&mut body, &signed_data)?;
    // RSA keys sign rsa-sha2-512 (SSH_AGENT_RSA_SHA2_512); without the flag an agent signs with
    // SHA-1 (ssh-rsa), which SSH signatures refuse.
    let flags: u32 = if key.algorithm().is_rsa() { RSA_SHA2_512 } else { 0 };
    body.extend_from_slice(&flags.to_be_bytes());
    let mut request = Vec::with_capacity(body.len() + 4);
    put_string(&mut request, &body)?;

    let mut stream = std::os::unix::net::UnixStream::connect(socket)
        .map_err(|source| AgentError::Unreachable { socket: socket.to_path_buf(), source })?;
    stream.write_all(&request).map_err(AgentError::Talk)?;
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).map_err(|source| AgentError::Read { what: "no answer", source })?;
    let len = u32::from_be_bytes(len) as usize;
    if len == 0 || len > 1 << 20 {
        return Err(AgentError::Nonsense);
    }
    let mut reply = vec![0u8; len];
    stream.read_exact(&mut reply).map_err(|source| AgentError::Read { what: "a short answer", source })?;
    match reply[0] {
        SIGN_RESPONSE => {
            let (blob, _) = take_string(&reply[1..]).ok_or_else(|| AgentError::BadSignature("is cut short".to_owned()))?;
            let signature = Signature::try_from(blob).map_err(|e| AgentError::BadSignature(format!("does not read: {e}")))?;
            let sig = SshSig::new(key.key_data().clone(), NAMESPACE, HashAlg::Sha512, signature).map_err(encoding)?;
            sig.to_pem(LineEnding::LF).map_err(encoding)
        }
        FAILURE => Err(AgentError::Refused),
        other => Err(AgentError::UnexpectedAnswer(other)),
    }
}
