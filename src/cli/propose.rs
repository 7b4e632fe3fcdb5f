//! `headroom propose`: a budget change written for people to sign.

use super::args::ProposeArgs;
use super::error::CliError;
use super::open::folder;
use super::output::output;
use crate::approval::draft::{Draft, Wanted, propose, propose_start, settings_text};
use crate::approval::ledger::missing_words;
use crate::engine::exit::ExitCode;
use crate::model::config::CONFIG_FILE;
use crate::model::time::Timestamp;

/// Writes `proposals/ID.yaml` with the current values as `old`.
pub fn run(args: &ProposeArgs) -> Result<ExitCode, CliError> {
    folder(&args.workspace)?;
    let mut wanted = Vec::new();
    for spec in &args.changes {
        let parsed = spec.split_once('=').and_then(|(target, value)| {
            let (budget, environment) = target.split_once('@').map_or((target, None), |(b, e)| (b, Some(e.to_owned())));
            value.trim().parse::<f64>().ok().map(|new| Wanted { budget: budget.to_owned(), environment, new })
        });
        let Some(w) = parsed else {
            return Err(CliError::Invalid(format!("--set `{spec}`: expected BUDGET=NUMBER or BUDGET@ENV=NUMBER (in the budget's unit)")));
        };
        wanted.push(w);
    }
    let mut new_files: Vec<(String, Option<String>)> = Vec::new();
    for spec in &args.files {
        let Some((name, path)) = spec.split_once('=') else {
            return Err(CliError::Invalid(format!("--file `{spec}`: expected NAME=PATH")));
        };
        let text = std::fs::read_to_string(path).map_err(|e| CliError::Invalid(format!("--file `{spec}`: cannot read {path}: {e}")))?;
        new_files.push((name.to_owned(), Some(text)));
    }
    new_files.extend(args.remove.iter().map(|name| (name.clone(), None)));
    if !args.settings.is_empty() {
        let text = settings_text(&args.workspace, &args.settings, &new_files).map_err(|e| CliError::Invalid(format!("--setting: {e}")))?;
        new_files.push((CONFIG_FILE.to_owned(), Some(text)));
    }
    let draft = Draft {
        id: args.id.clone(),
        title: args.title.clone(),
        author: args.author.clone(),
        rationale: args.rationale.clone(),
        evidence_runs: args.evidence_runs.clone(),
        evidence_findings: args.evidence_findings.clone(),
        impact: args.impact.clone(),
    };
    let (path, evaluation) = if args.start {
        propose_start(&args.workspace, &draft, Timestamp::now())?
    } else {
        propose(&args.workspace, &draft, &wanted, &new_files, Timestamp::now())?
    };
    let mut text = format!("wrote {} ({}): {}\n", path.display(), evaluation.kind.as_str(), missing_words(&evaluation));
    for line in &evaluation.effect.loosened {
        text.push_str(&format!("  looser:   {line}\n"));
    }
    for line in &evaluation.effect.tightened {
        text.push_str(&format!("  stricter: {line}\n"));
    }
    output(&text);
    Ok(ExitCode::Pass)
}
