//! `headroom verify`: the ledger proves the budget files, or says why not.

use super::error::CliError;
use super::open::folder;
use super::output::output;
use crate::approval::anchor::{read_base, verify_against};
use crate::engine::exit::ExitCode;
use crate::model::time::Timestamp;
use std::path::Path;

/// Passes when the ledger proves the budget files, fails with an account otherwise (invalid where
/// the base revision cannot be read). The baseline branch, whose runs a change may not add, is
/// `baseline_branch`, else the pull request's target as GitHub and GitLab name it, else the
/// workspace's `default_branch`.
pub fn run(workspace: &Path, base: Option<&str>, baseline_branch: Option<&str>) -> Result<ExitCode, CliError> {
    folder(workspace)?;
    let base = base.map(|rev| read_base(workspace, rev)).transpose().map_err(|e| CliError::Invalid(format!("--base: {e}")))?;
    let from_ci = ["GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|b| !b.trim().is_empty()));
    let baseline_branch = baseline_branch.map(str::to_owned).or(from_ci);
    let v = verify_against(workspace, base.as_ref(), baseline_branch.as_deref(), Timestamp::now());
    let mut text = String::new();
    for line in &v.proven {
        text.push_str(&format!("ok    {line}\n"));
    }
    for line in &v.problems {
        text.push_str(&format!("FAIL  {line}\n"));
    }
    text.push_str(match (v.problems.is_empty(), base.is_some()) {
        (true, true) => "verified: every budget is the ledger's start plus signed, approved proposals, the base's ledger and history are kept, and no run of the baseline branch was added but this checkout's own\n",
        (true, false) => {
            "verified: every budget is the ledger's start plus signed, approved proposals (without --base, a reset or rolled-back ledger cannot be told from an honest one)\n"
        }
        (false, _) => "NOT verified\n",
    });
    output(&text);
    Ok(if v.problems.is_empty() { ExitCode::Pass } else { ExitCode::Fail })
}
