//! `headroom sign`: a signature added to a proposal.

use super::args::SignArgs;
use super::error::CliError;
use super::output::output;
use crate::approval::draft::{SignWith, sign};
use crate::approval::ledger::missing_words;
use crate::engine::exit::ExitCode;
use crate::model::time::Timestamp;

/// Signs with a key, the agent or a signature file. A signature that would not count is written
/// nowhere and fails (`ApprovalError::WouldNotCount`, exit 1).
pub fn run(args: &SignArgs) -> Result<ExitCode, CliError> {
    let with = match (&args.key, &args.signature, &args.agent) {
        (Some(key), None, None) => SignWith::Key(key.clone()),
        (None, Some(file), None) => SignWith::Signature(file.clone()),
        (None, None, Some(public)) => SignWith::Agent(public.clone()),
        _ => return Err(CliError::Invalid("give one of --key, --agent or --signature".to_owned())),
    };
    let evaluation = sign(&args.workspace, &args.id, &args.principal, &with, Timestamp::now())?;
    output(&format!(
        "signed `{}` as {}; {}\n",
        args.id,
        args.principal,
        if evaluation.approved() { "it is approved and can be applied".to_owned() } else { missing_words(&evaluation) }
    ));
    Ok(ExitCode::Pass)
}
