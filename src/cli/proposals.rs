//! `headroom proposals`: every proposal with its state, or the bytes one is signed over.

use super::error::CliError;
use super::open::folder;
use super::output::output;
use crate::approval::ledger::{current_contract, list_proposals, missing_words, read_ledger, read_proposal, superseded_by};
use crate::approval::state::ProposalState;
use crate::engine::exit::ExitCode;
use crate::model::time::Timestamp;
use crate::model::workspace::LEDGER_FILE;
use std::path::Path;

/// Lists the proposals (invalid where a file does not read); `--canonical ID` prints what is signed.
pub fn run(workspace: &Path, canonical: Option<&str>) -> Result<ExitCode, CliError> {
    folder(workspace)?;
    if let Some(id) = canonical {
        let (p, _) = read_proposal(workspace, id)?;
        output(&String::from_utf8_lossy(&p.canonical()));
        return Ok(ExitCode::Pass);
    }
    current_contract(workspace)?;
    let listed = list_proposals(workspace, Timestamp::now());
    let ledger = read_ledger(workspace).unwrap_or_default();
    if listed.is_empty() {
        output("no proposals\n");
    }
    let mut invalid = false;
    for entry in listed {
        let (p, e, applied) = match entry {
            Ok(found) => found,
            Err(why) => {
                invalid = true;
                output(&format!("INVALID   {why}\n"));
                continue;
            }
        };
        let state = ProposalState::of(&e, applied);
        output(&format!("{:<9} {}  {} ({}, by {})\n", state.word(), p.id, p.title, e.kind.as_str(), p.author));
        if state == ProposalState::Pending {
            output(&format!("          {}\n", missing_words(&e)));
        }
        if state == ProposalState::Stale {
            let why = match superseded_by(&ledger, &p) {
                Some((i, by)) => format!("stale for good: `{by}` ({LEDGER_FILE}:{}) changed its base after it was made", i + 1),
                None => format!("made for other budget files ({}) than these: propose again", p.base),
            };
            output(&format!("          {why}\n"));
        }
    }
    Ok(if invalid { ExitCode::Invalid } else { ExitCode::Pass })
}
