//! The ledger: every applied proposal, in order, in a hash chain (`ledger/ledger.jsonl`), and the
//! proof `headroom verify` makes from it.
//!
//! ```text
//!  entry 0  start   files of the contract as agreed          after = H(files)      hash0
//!  entry 1  apply   proposal + signatures, before = H(...)   after = H(files')     hash1 = H(entry, prev hash0)
//!  entry 2  apply   ...                                                            hash2 = H(entry, prev hash1)
//! ```
//!
//! Verify replays the chain from the start's files: each proposal must start where the previous
//! entry ended, carry valid signatures (keys valid at the time of the entry, from the signers file
//! of that moment) that meet the policy of that moment, and, applied with the same in-place
//! editor, end where its entry says. The files on disk must then be the replay's result: a budget
//! edited by hand, an entry removed, reordered or altered, all break it.
//!
//! One idea a file: `evaluation` (a proposal judged against files at a moment), `chain` (the
//! entries, reading and appending), `apply` (writing the start, and an approved proposal as the next entry), `folder` (the proposals
//! and their signatures on disk), `verify` (the replay), `words` (what an evaluation lacks, in
//! English). Their items are re-exported here; `approval::anchor` adds a git base to the replay.

mod apply;
mod chain;
mod evaluation;
mod folder;
mod verify;
mod words;

pub use apply::{apply_proposal, start_ledger};
pub use chain::{CLOCK_SKEW_MS, Entry, current_contract, read_ledger, superseded_by};
pub use evaluation::{Evaluation, evaluate, is_start};
pub use folder::{
    ListedProposal, SIGNATURES_SUFFIX, list_proposals, open_proposals, proposal_path, read_proposal, signature_path, signatures_dir,
    write_signature,
};
pub use verify::{Verification, verify, verify_at, verify_from};
pub use words::missing_words;
