//! A budget change proposal: a YAML file in the workspace's `proposals/`, signed with SSH keys.
//!
//! ```yaml
//! id: raise-auth-latency
//! title: Raise the auth service budget to 32 ms
//! author: alice@example.com
//! created: 2026-11-25T10:00:00Z
//! base: sha256:9f2c…            # the contract files it starts from (budgets, policy, signers)
//! changes:
//!   - {budget: services.auth, field: limit, old: 30, new: 32}
//!   - {budget: services.auth, field: environments.prod, old: 25, new: 27}
//! rationale: The TLS library upgrade costs 4 ms; accepted by the auth team.
//! evidence: {runs: [ci-1157, ci-1216], findings: ["services.auth@ci-1157"]}
//! impact: Auth keeps 7 ms of headroom; the gateway's allocation is unchanged.
//! signatures:
//!   - principal: bob@example.com
//!     signature: |
//!       -----BEGIN SSH SIGNATURE-----
//!       …
//! ```
//!
//! What is signed is [`Proposal::canonical`]: a JSON encoding of everything but the signatures,
//! with fixed key order, in the SSH signature namespace [`NAMESPACE`]. A signature made for
//! another proposal, or in another namespace (a git commit, a file), does not verify here.

use super::signers::AllowedSigner;
use crate::model::error::{LoadError, did_you_mean_hint};
use crate::model::time::Timestamp;
use crate::model::yaml::{self, Node, Pos, Value};
use ssh_key::{HashAlg, LineEnding, PrivateKey, SshSig};
use std::fmt::Write as _;

/// The SSH signature namespace of Headroom's proposals (`ssh-keygen -Y sign -n headroom-proposal`).
pub const NAMESPACE: &str = "headroom-proposal";

/// The folder of proposals, in the workspace's root.
pub const PROPOSALS_DIR: &str = "proposals";

/// The longest proposal id, in bytes.
const MAX_ID_LEN: usize = 100;

/// A proposal id that is not a plain name (see [`check_id`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a proposal id: use up to {MAX_ID_LEN} letters, digits, `-`, `_` and `.`, not starting with `.`")]
pub struct InvalidId(pub String);

/// Checks that `id` is a plain name, safe as a file name in `proposals/`: ASCII letters, digits,
/// `-`, `_` and `.`, not starting with `.` (so never `..`, a path or a hidden file), at most
/// 100 bytes.
pub fn check_id(id: &str) -> Result<(), InvalidId> {
    if id.is_empty()
        || id.len() > MAX_ID_LEN
        || id.starts_with('.')
        || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err(InvalidId(id.to_owned()));
    }
    Ok(())
}

/// Why Headroom made no signature, or took none.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// Headroom does not sign with RSA keys itself (the rsa crate's private-key operations are not
    /// constant-time, RUSTSEC-2023-0071): it only verifies them.
    #[error(
        "Headroom does not sign with RSA keys itself: sign with the ssh-agent (--agent KEY.pub) or with `ssh-keygen -Y sign -n headroom-proposal` (--signature FILE)"
    )]
    RsaKey,
    /// A hardware (`sk-`) key signs only on its token.
    #[error(
        "a {algorithm} key lives on its hardware token: sign with `ssh-keygen -Y sign -n headroom-proposal -f KEY` (which asks the token) and give --signature FILE"
    )]
    HardwareKey {
        /// The key's algorithm, as OpenSSH names it.
        algorithm: String,
    },
    /// The key failed to sign.
    #[error("cannot sign: {0}")]
    Sign(String),
    /// The signature could not be armored.
    #[error("cannot encode the signature: {0}")]
    Encode(String),
    /// Text given as a signature that is not one.
    #[error("not an SSH signature: {0}")]
    NotASignature(String),
}

/// Why a signature does not count (see [`Proposal::check_signatures`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureFault {
    /// The armored text does not read as an SSH signature.
    #[error("not a valid SSH signature: {0}")]
    Unreadable(String),
    /// Made in another namespace (a git commit, a file).
    #[error("signed in the namespace `{0}`, not `{NAMESPACE}`")]
    WrongNamespace(String),
    /// The principal is not in `allowed_signers`.
    #[error("`{0}` is not in allowed_signers")]
    UnknownPrincipal(String),
    /// The key is not one that `allowed_signers` lists for the principal.
    #[error("signed with a key that allowed_signers does not list for `{0}`")]
    UnlistedKey(String),
    /// The key is listed but not valid at that moment or not for this namespace.
    #[error("the key of `{principal}` (allowed_signers line {line}) is not valid at {at} or not for `{NAMESPACE}`")]
    KeyNotValid {
        /// Who signed.
        principal: String,
        /// The key's line in `allowed_signers`.
        line: u32,
        /// The moment judged.
        at: Timestamp,
    },
    /// The signature is not over this proposal's canonical bytes.
    #[error("the signature does not match this proposal (forged, or made for other content)")]
    Mismatch,
    /// A hardware key signed without the user's touch.
    #[error("the hardware key signed without a touch (its user-presence flag is not set)")]
    NoTouch,
}

/// One change of a proposal: a budget's limit, everywhere or in one environment.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The budget's id.
    pub budget: String,
    /// `limit`, or `environments.<name>` for an environment's override.
    pub field: String,
    /// The value now, in the budget's unit.
    pub old: f64,
    /// The value proposed.
    pub new: f64,
}

/// A whole contract file replaced, created or removed: the policy, the signers, or a budget file
/// (to add budgets, change warnings or structure). Its `old` hash pins what it replaces.
#[derive(Clone, Debug, PartialEq)]
pub struct FileChange {
    /// The file, relative to the workspace (`approval.yaml`, `allowed_signers`, `budgets/new.yaml`).
    pub file: String,
    /// The hash of the file it replaces (`sha256:…`), or `none` where it creates the file.
    pub old: String,
    /// The new text, or `None` to remove the file.
    pub new: Option<String>,
}

/// One person's signature.
#[derive(Clone, Debug, PartialEq)]
pub struct Signature {
    /// Who signs (as listed in `allowed_signers`).
    pub principal: String,
    /// The SSH signature, armored (`-----BEGIN SSH SIGNATURE-----`).
    pub armored: String,
}

/// A proposal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Proposal {
    /// Its id (also its file name).
    pub id: String,
    /// One line saying what it does.
    pub title: String,
    /// Who proposes it (a principal).
    pub author: String,
    /// When.
    pub created: Option<Timestamp>,
    /// The hash of the contract files it starts from.
    pub base: String,
    /// What changes.
    pub changes: Vec<Change>,
    /// Whole files replaced, created or removed (applied before `changes`).
    pub files: Vec<FileChange>,
    /// Why.
    pub rationale: String,
    /// The runs that justify it.
    pub evidence_runs: Vec<String>,
    /// The engine's findings that justify it (`metric@run`).
    pub evidence_findings: Vec<String>,
    /// What it does to headroom and to other budgets.
    pub impact: String,
    /// The signatures.
    pub signatures: Vec<Signature>,
}

/// What became of one signature.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureCheck {
    /// Who it claims to be from.
    pub principal: String,
    /// Valid, or why not.
    pub outcome: Result<(), SignatureFault>,
}

impl Proposal {
    /// The bytes that are signed: everything but the signatures, as JSON with a fixed key order.
    #[must_use]
    pub fn canonical(&self) -> Vec<u8> {
        let changes: Vec<serde_json::Value> =
            self.changes.iter().map(|c| serde_json::json!({"budget": c.budget, "field": c.field, "old": c.old, "new": c.new})).collect();
        serde_json::json!({
            "headroom-proposal": 1,
            "id": self.id,
            "title": self.title,
            "author": self.author,
            "created": self.created.map(|t| t.to_string()),
            "base": self.base,
            "changes": changes,
            "files": self.files.iter().map(|f| serde_json::json!({"file": f.file, "old": f.old, "new": f.new})).collect::<Vec<_>>(),
            "rationale": self.rationale,
            "evidence": {"runs": self.evidence_runs, "findings": self.evidence_findings},
            "impact": self.impact,
        })
        .to_string()
        .into_bytes()
    }

    /// Signs as `principal` with `key` (an unencrypted OpenSSH private key; for a key with a
    /// passphrase or in an agent, sign the canonical bytes with `ssh-keygen -Y sign` and add the
    /// signature with [`Proposal::add_signature`]).
    pub fn sign(&mut self, principal: &str, key: &PrivateKey) -> Result<(), SignError> {
        let algorithm = key.algorithm();
        if key.algorithm().is_rsa() {
            // The rsa crate's private-key operations are not constant-time (RUSTSEC-2023-0071):
            // Headroom only verifies RSA signatures and leaves making them to OpenSSH.
            return Err(SignError::RsaKey);
        }
        if matches!(&algorithm, ssh_key::Algorithm::SkEd25519 | ssh_key::Algorithm::SkEcdsaSha2NistP256) {
            return Err(SignError::HardwareKey { algorithm: algorithm.as_str().to_owned() });
        }
        let signature = key.sign(NAMESPACE, HashAlg::Sha512, &self.canonical()).map_err(|e| SignError::Sign(e.to_string()))?;
        let armored = signature.to_pem(LineEnding::LF).map_err(|e| SignError::Encode(e.to_string()))?;
        self.add_signature(principal, &armored)
    }

    /// Adds an armored SSH signature (replacing an earlier one of the same principal).
    pub fn add_signature(&mut self, principal: &str, armored: &str) -> Result<(), SignError> {
        SshSig::from_pem(armored.trim()).map_err(|e| SignError::NotASignature(e.to_string()))?;
        self.signatures.retain(|s| s.principal != principal);
        self.signatures.push(Signature { principal: principal.to_owned(), armored: armored.trim().to_owned() });
        Ok(())
    }

    /// Checks every signature: it parses, it is in [`NAMESPACE`], its key is one of the
    /// principal's keys in `signers` valid at `at`, and it verifies over [`Proposal::canonical`].
    #[must_use]
    pub fn check_signatures(&self, signers: &[AllowedSigner], at: Timestamp) -> Vec<SignatureCheck> {
        let message = self.canonical();
        self.signatures
            .iter()
            .map(|s| SignatureCheck { principal: s.principal.clone(), outcome: check_one(s, signers, at, &message) })
            .collect()
    }

    /// The principals with a valid signature.
    #[must_use]
    pub fn valid_signers(&self, signers: &[AllowedSigner], at: Timestamp) -> Vec<String> {
        self.check_signatures(signers, at).into_iter().filter(|c| c.outcome.is_ok()).map(|c| c.principal).collect()
    }

    /// The proposal as YAML, in the shape [`parse_proposal`] reads.
    #[must_use]
    pub fn to_yaml(&self) -> String {
        let q = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
        let list = |items: &[String]| items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ");
        let mut out = String::new();
        let _ = writeln!(out, "id: {}", q(&self.id));
        let _ = writeln!(out, "title: {}", q(&self.title));
        let _ = writeln!(out, "author: {}", q(&self.author));
        if let Some(t) = self.created {
            let _ = writeln!(out, "created: {t}");
        }
        let _ = writeln!(out, "base: {}", q(&self.base));
        out.push_str(if self.changes.is_empty() { "changes: []\n" } else { "changes:\n" });
        for c in &self.changes {
            let _ = writeln!(out, "  - {{budget: {}, field: {}, old: {}, new: {}}}", q(&c.budget), q(&c.field), c.old, c.new);
        }
        if !self.files.is_empty() {
            out.push_str("files:\n");
            for f in &self.files {
                let _ = writeln!(out, "  - file: {}\n    old: {}", q(&f.file), q(&f.old));
                match &f.new {
                    Some(text) => {
                        let _ = writeln!(out, "    new: {}", q(text));
                    }
                    None => out.push_str("    new: null\n"),
                }
            }
        }
        let _ = writeln!(out, "rationale: {}", q(&self.rationale));
        let _ = writeln!(out, "evidence: {{runs: [{}], findings: [{}]}}", list(&self.evidence_runs), list(&self.evidence_findings));
        let _ = writeln!(out, "impact: {}", q(&self.impact));
        if self.signatures.is_empty() {
            out.push_str("signatures: []\n");
        } else {
            out.push_str("signatures:\n");
            for s in &self.signatures {
                let _ = writeln!(out, "  - principal: {}\n    signature: |", q(&s.principal));
                for line in s.armored.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
        out
    }
}

fn check_one(s: &Signature, signers: &[AllowedSigner], at: Timestamp, message: &[u8]) -> Result<(), SignatureFault> {
    let sig = SshSig::from_pem(s.armored.trim()).map_err(|e| SignatureFault::Unreadable(e.to_string()))?;
    if sig.namespace() != NAMESPACE {
        return Err(SignatureFault::WrongNamespace(sig.namespace().to_owned()));
    }
    let keys: Vec<&AllowedSigner> = signers.iter().filter(|a| a.principals.iter().any(|p| p == &s.principal)).collect();
    if keys.is_empty() {
        return Err(SignatureFault::UnknownPrincipal(s.principal.clone()));
    }
    let Some(signer) = keys.iter().find(|a| a.key.key_data() == sig.public_key()) else {
        return Err(SignatureFault::UnlistedKey(s.principal.clone()));
    };
    if !signer.allows(NAMESPACE, at) {
        return Err(SignatureFault::KeyNotValid { principal: s.principal.clone(), line: signer.line, at });
    }
    signer.key.verify(NAMESPACE, message, &sig).map_err(|_| SignatureFault::Mismatch)?;
    if matches!(sig.algorithm(), ssh_key::Algorithm::SkEd25519 | ssh_key::Algorithm::SkEcdsaSha2NistP256) && !user_was_present(&sig) {
        return Err(SignatureFault::NoTouch);
    }
    Ok(())
}

/// Whether a signature of a hardware (`sk-`) key says that a person touched the key: its last
/// five bytes are the authenticator's flags and counter (PROTOCOL.u2f), and flag 0x01 is "user
/// present". OpenSSH requires it by default for these keys, and so does Headroom.
fn user_was_present(sig: &SshSig) -> bool {
    let bytes = sig.signature().as_bytes();
    bytes.len() >= 5 && bytes[bytes.len() - 5] & 0x01 == 0x01
}

const FIELDS: &[&str] = &["id", "title", "author", "created", "base", "changes", "files", "rationale", "evidence", "impact", "signatures"];

/// Parses a proposal file; every problem names its line and field.
#[allow(clippy::too_many_lines)] // one walk over the document's fields
pub fn parse_proposal(file: &str, text: &str) -> Result<Proposal, Vec<LoadError>> {
    let root = yaml::parse(text).map_err(|e| vec![LoadError::new(file, e.pos, "", e.message)])?;
    let mut p = Proposal::default();
    let mut errors = Vec::new();
    let mut err = |pos: Pos, field: &str, message: String| errors.push(LoadError::new(file, pos, field, message));
    let Value::Map(entries) = &root.value else {
        return Err(vec![LoadError::new(file, root.pos, "", format!("expected a proposal (a mapping), found {}", root.value.kind_name()))]);
    };
    let text_of = |node: &Node| match &node.value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(yaml::format_number(*n)),
        other => Err(format!("expected text, found {}", other.kind_name())),
    };
    let texts = |node: &Node| match &node.value {
        Value::Seq(items) => items.iter().map(text_of).collect::<Result<Vec<_>, _>>(),
        Value::Null => Ok(Vec::new()),
        other => Err(format!("expected a list, found {}", other.kind_name())),
    };
    for (key, node) in entries {
        let name = key.name.as_str();
        match name {
            "id" | "title" | "author" | "base" | "rationale" | "impact" => match text_of(node) {
                Ok(s) => match name {
                    "id" => match check_id(&s) {
                        Ok(()) => p.id = s,
                        Err(m) => err(node.pos, name, m.to_string()),
                    },
                    "title" => p.title = s,
                    "author" => p.author = s,
                    "base" => p.base = s,
                    "rationale" => p.rationale = s,
                    _ => p.impact = s,
                },
                Err(m) => err(node.pos, name, m),
            },
            "created" => match text_of(node).and_then(|s| Timestamp::parse(&s)) {
                Ok(t) => p.created = Some(t),
                Err(m) => err(node.pos, name, m),
            },
            "changes" if node.value == Value::Null => {}
            "changes" => {
                let Value::Seq(items) = &node.value else {
                    err(node.pos, name, format!("expected a list of changes, found {}", node.value.kind_name()));
                    continue;
                };
                for (i, item) in items.iter().enumerate() {
                    let path = format!("changes[{i}]");
                    let Value::Map(fields) = &item.value else {
                        err(item.pos, &path, "expected {budget, field, old, new}".to_owned());
                        continue;
                    };
                    let get = |f: &str| fields.iter().find(|(k, _)| k.name == f).map(|(_, v)| v);
                    let number = |f: &str| match get(f).map(|v| &v.value) {
                        Some(Value::Number(n)) if n.is_finite() => Ok(*n),
                        _ => Err(format!("`{f}` must be a number in the budget's unit")),
                    };
                    let change = (|| {
                        let budget = get("budget").ok_or("`budget` is missing".to_owned()).and_then(text_of)?;
                        let field = get("field").ok_or("`field` is missing".to_owned()).and_then(text_of)?;
                        if field != "limit" && !field.starts_with("environments.") {
                            return Err(format!("`field` must be `limit` or `environments.<name>`, found `{field}`"));
                        }
                        if let Some((k, _)) = fields.iter().find(|(k, _)| !["budget", "field", "old", "new"].contains(&k.name.as_str())) {
                            return Err(format!("unknown field `{}` in a change", k.name));
                        }
                        Ok(Change { budget, field, old: number("old")?, new: number("new")? })
                    })();
                    match change {
                        Ok(c) => p.changes.push(c),
                        Err(m) => err(item.pos, &path, m),
                    }
                }
            }
            "files" => {
                let Value::Seq(items) = &node.value else {
                    err(node.pos, name, format!("expected a list of files, found {}", node.value.kind_name()));
                    continue;
                };
                for (i, item) in items.iter().enumerate() {
                    let path = format!("files[{i}]");
                    let Value::Map(fields) = &item.value else {
                        err(item.pos, &path, "expected {file, old, new}".to_owned());
                        continue;
                    };
                    let get = |f: &str| fields.iter().find(|(k, _)| k.name == f).map(|(_, v)| v);
                    let file = get("file").map(text_of);
                    let old = get("old").map(text_of);
                    let new = match get("new").map(|v| &v.value) {
                        Some(Value::Null) => Ok(None),
                        Some(Value::String(s)) => Ok(Some(s.clone())),
                        _ => Err(()),
                    };
                    match (file, old, new) {
                        (Some(Ok(file)), Some(Ok(old)), Ok(new)) if !file.contains("..") && !file.starts_with('/') => {
                            p.files.push(FileChange { file, old, new });
                        }
                        _ => err(
                            item.pos,
                            &path,
                            "expected `file` (inside the workspace), `old` (a hash or `none`) and `new` (text or null)".to_owned(),
                        ),
                    }
                }
            }
            "evidence" => {
                let Value::Map(fields) = &node.value else {
                    err(node.pos, name, "expected {runs: [...], findings: [...]}".to_owned());
                    continue;
                };
                for (k, v) in fields {
                    match (k.name.as_str(), texts(v)) {
                        ("runs", Ok(list)) => p.evidence_runs = list,
                        ("findings", Ok(list)) => p.evidence_findings = list,
                        ("runs" | "findings", Err(m)) => err(v.pos, &format!("evidence.{}", k.name), m),
                        (other, _) => err(k.pos, &format!("evidence.{other}"), "unknown field (expected runs, findings)".to_owned()),
                    }
                }
            }
            "signatures" => match &node.value {
                Value::Null => {}
                Value::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let path = format!("signatures[{i}]");
                        let Value::Map(fields) = &item.value else {
                            err(item.pos, &path, "expected {principal, signature}".to_owned());
                            continue;
                        };
                        let get = |f: &str| fields.iter().find(|(k, _)| k.name == f).map(|(_, v)| v);
                        match (get("principal").map(text_of), get("signature").map(text_of)) {
                            (Some(Ok(principal)), Some(Ok(armored))) => {
                                p.signatures.push(Signature { principal, armored: armored.trim().to_owned() });
                            }
                            _ => err(item.pos, &path, "expected `principal` and `signature` (armored)".to_owned()),
                        }
                    }
                }
                other => err(node.pos, name, format!("expected a list, found {}", other.kind_name())),
            },
            other => {
                let hint = did_you_mean_hint(other, FIELDS.iter().copied());
                err(key.pos, other, format!("unknown field in a proposal{hint}"));
            }
        }
    }
    for required in ["id", "title", "author", "base", "rationale"] {
        if !entries.iter().any(|(k, _)| k.name == required) {
            errors.push(LoadError::new(file, root.pos, required, format!("a proposal needs `{required}`")));
        }
    }
    if p.changes.is_empty() && p.files.is_empty() && errors.is_empty() {
        errors.push(LoadError::new(file, root.pos, "changes", "a proposal needs `changes` or `files`"));
    }
    if errors.is_empty() { Ok(p) } else { Err(errors) }
}
