//! Budget change proposals and their sign-off: who may sign (`signers`), what each kind of change
//! needs (`policy`), and the proposals themselves with their SSH signatures (`proposal`).
//!
//! Budgets are contracts: a change is proposed with its reason and evidence, signed by the people
//! the policy names with the SSH keys they already have, and only then applied.

pub mod draft;
pub mod edit;
pub mod ledger;
pub mod policy;
pub mod proposal;
pub mod signers;

use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The hash of a set of files, `sha256:` and hex, over their names and contents in name order
/// (each length-prefixed, so no two sets share an encoding).
#[must_use]
pub fn files_hash(files: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hasher = Sha256::new();
    for (name, text) in sorted {
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    let mut out = String::from("sha256:");
    for byte in hasher.finalize() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}
