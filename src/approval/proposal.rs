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
use crate::model::error::LoadError;
use crate::model::fields::{self, FieldReader, get, join};
use crate::model::time::Timestamp;
use crate::model::yaml::{Key, Node, Value};
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
const REQUIRED_FIELDS: &[&str] = &["id", "title", "author", "base", "rationale"];
const CHANGE_FIELDS: &[&str] = &["budget", "field", "old", "new"];
const FILE_FIELDS: &[&str] = &["file", "old", "new"];
const EVIDENCE_FIELDS: &[&str] = &["runs", "findings"];
const SIGNATURE_FIELDS: &[&str] = &["principal", "signature"];

/// Parses a proposal file; every problem names its line and field.
pub fn parse_proposal(file: &str, text: &str) -> Result<Proposal, Vec<LoadError>> {
    let root = fields::document(file, text)?;
    let mut r = FieldReader::new(file);
    let Some(entries) = r.map(&root, "", "a proposal (a mapping)") else { return Err(r.into_errors()) };
    r.unknown_keys(entries, FIELDS, "", "a proposal");
    let mut p = Proposal::default();
    for (key, node) in entries {
        let name = key.name.as_str();
        let word = |r: &mut FieldReader<'_>| r.word(node, name).unwrap_or_default();
        match name {
            "id" => p.id = r.word(node, name).and_then(|id| r.check(node, name, check_id(&id).map(|()| id))).unwrap_or_default(),
            "title" => p.title = word(&mut r),
            "author" => p.author = word(&mut r),
            "base" => p.base = word(&mut r),
            "rationale" => p.rationale = word(&mut r),
            "impact" => p.impact = word(&mut r),
            "created" => p.created = r.word(node, name).and_then(|t| r.check(node, name, Timestamp::parse(&t))),
            "changes" => p.changes = listed(&mut r, node, name, "a list of changes", change),
            "files" => p.files = listed(&mut r, node, name, "a list of files", file_change),
            "evidence" => evidence(&mut r, node, &mut p),
            "signatures" => p.signatures = listed(&mut r, node, name, "a list of signatures", signature),
            _ => {} // an unknown field, said above
        }
    }
    for required in REQUIRED_FIELDS {
        if get(entries, required).is_none() {
            r.error(root.pos, required, format!("a proposal needs `{required}`"));
        }
    }
    if p.changes.is_empty() && p.files.is_empty() && !r.has_errors() {
        r.error(root.pos, "changes", "a proposal needs `changes` or `files`");
    }
    r.finish(p)
}

/// The items of a list field, each read by `item` under its path (`changes[2]`).
fn listed<T>(
    r: &mut FieldReader<'_>,
    node: &Node,
    name: &str,
    what: &str,
    item: fn(&mut FieldReader<'_>, &Node, &str) -> Option<T>,
) -> Vec<T> {
    let Some(items) = r.seq(node, name, what) else { return Vec::new() };
    items.iter().enumerate().filter_map(|(i, node)| item(r, node, &format!("{name}[{i}]"))).collect()
}

/// The value of the field `name` of a list item, or the fault that it is missing.
fn needed<'n>(r: &mut FieldReader<'_>, item: &Node, fields: &'n [(Key, Node)], path: &str, name: &str) -> Option<&'n Node> {
    let node = get(fields, name);
    if node.is_none() {
        r.error(item.pos, path, format!("`{name}` is missing"));
    }
    node
}

/// `{budget, field, old, new}`: a budget's limit, everywhere or in one environment.
fn change(r: &mut FieldReader<'_>, item: &Node, path: &str) -> Option<Change> {
    let fields = r.map(item, path, "a change {budget, field, old, new}")?;
    r.unknown_keys(fields, CHANGE_FIELDS, path, "a change");
    let budget = needed(r, item, fields, path, "budget").and_then(|n| r.word(n, &join(path, "budget")));
    let field = needed(r, item, fields, path, "field").and_then(|n| {
        let f = r.word(n, &join(path, "field"))?;
        let known = f == "limit" || f.starts_with("environments.");
        if !known {
            r.error(n.pos, &join(path, "field"), format!("`field` must be `limit` or `environments.<name>`, found `{f}`"));
        }
        known.then_some(f)
    });
    let mut number = |name: &str| {
        let node = needed(r, item, fields, path, name)?;
        match node.value {
            Value::Number(n) if n.is_finite() => Some(n),
            _ => {
                r.error(node.pos, &join(path, name), format!("`{name}` must be a number in the budget's unit"));
                None
            }
        }
    };
    let (old, new) = (number("old"), number("new"));
    Some(Change { budget: budget?, field: field?, old: old?, new: new? })
}

/// `{file, old, new}`: a whole contract file replaced, created (`old: none`) or removed (`new: null`).
fn file_change(r: &mut FieldReader<'_>, item: &Node, path: &str) -> Option<FileChange> {
    let fields = r.map(item, path, "a file {file, old, new}")?;
    r.unknown_keys(fields, FILE_FIELDS, path, "a file change");
    let file = needed(r, item, fields, path, "file").and_then(|n| r.word(n, &join(path, "file")));
    let file = file.filter(|f| {
        let inside = !f.contains("..") && !f.starts_with('/');
        if !inside {
            r.error(item.pos, &join(path, "file"), format!("expected a file inside the workspace, found `{f}`"));
        }
        inside
    });
    let old = needed(r, item, fields, path, "old").and_then(|n| r.word(n, &join(path, "old")));
    let new = needed(r, item, fields, path, "new").and_then(|n| match &n.value {
        Value::Null => Some(None),
        Value::String(s) => Some(Some(s.clone())),
        other => {
            r.error(n.pos, &join(path, "new"), fields::expected("the new text or null", other));
            None
        }
    });
    Some(FileChange { file: file?, old: old?, new: new? })
}

/// `{principal, signature}`: one person's armored SSH signature.
fn signature(r: &mut FieldReader<'_>, item: &Node, path: &str) -> Option<Signature> {
    let fields = r.map(item, path, "a signature {principal, signature}")?;
    r.unknown_keys(fields, SIGNATURE_FIELDS, path, "a signature");
    let principal = needed(r, item, fields, path, "principal").and_then(|n| r.word(n, &join(path, "principal")));
    let armored = needed(r, item, fields, path, "signature").and_then(|n| r.word(n, &join(path, "signature")));
    Some(Signature { principal: principal?, armored: armored?.trim().to_owned() })
}

/// `evidence: {runs: [...], findings: [...]}`.
fn evidence(r: &mut FieldReader<'_>, node: &Node, p: &mut Proposal) {
    let Some(fields) = r.map(node, "evidence", "{runs: [...], findings: [...]}") else { return };
    r.unknown_keys(fields, EVIDENCE_FIELDS, "evidence", "the evidence");
    for (k, v) in fields {
        let list = || Vec::new();
        match k.name.as_str() {
            "runs" => p.evidence_runs = r.words(v, "evidence.runs").unwrap_or_else(list),
            "findings" => p.evidence_findings = r.words(v, "evidence.findings").unwrap_or_else(list),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "id: raise\ntitle: Raise\nauthor: a@example.com\nbase: sha256:0\nrationale: why\n";

    fn shown(text: &str) -> Vec<String> {
        parse_proposal("p.yaml", text).expect_err("faults").iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_proposal_reads_back_what_to_yaml_writes() {
        let mut p = parse_proposal("p.yaml", &format!("{HEAD}changes:\n  - {{budget: api, field: limit, old: 20, new: 22}}\n")).unwrap();
        p.evidence_runs = vec!["ci-1".into()];
        assert_eq!(parse_proposal("p.yaml", &p.to_yaml()).unwrap(), p);
    }

    #[test]
    fn every_fault_of_a_change_names_its_own_field_and_line() {
        let e = shown(&format!("{HEAD}changes:\n  - {{budget: api, field: limt, new: fast}}\n"));
        assert_eq!(
            e,
            [
                "p.yaml:7:26: `changes[0].field`: `field` must be `limit` or `environments.<name>`, found `limt`",
                "p.yaml:7:5: `changes[0]`: `old` is missing",
                "p.yaml:7:37: `changes[0].new`: `new` must be a number in the budget's unit",
            ]
        );
    }

    #[test]
    fn unknown_fields_are_said_alike_everywhere_with_a_suggestion_or_the_list() {
        let e = shown(&format!(
            "{HEAD}titel: x\nchanges:\n  - {{budget: api, field: limit, old: 1, new: 2, by: me}}\nevidence: {{runs: [1], why: x}}\n"
        ));
        assert!(e.contains(&"p.yaml:6:1: `titel`: unknown field in a proposal; did you mean `title`?".to_owned()), "{e:#?}");
        assert!(
            e.iter().any(|e| e.contains("`changes[0].by`: unknown field in a change (expected one of: budget, field, old, new)")),
            "{e:#?}"
        );
        assert!(e.iter().any(|e| e.contains("`evidence.why`: unknown field in the evidence (expected one of: runs, findings)")), "{e:#?}");
    }
}
