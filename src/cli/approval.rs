//! `headroom propose | sign | proposals | apply | verify | ledger start`.

use super::output;
use crate::approval::anchor::{read_base, verify_against};
use crate::approval::draft::{Draft, SignWith, Wanted, propose, propose_start, sign};
use crate::approval::ledger::{apply_proposal, current_contract, list_proposals, missing_words, read_proposal, start_ledger};
use crate::model::error::did_you_mean;
use crate::model::time::Timestamp;
use crate::model::workspace::{CONFIG_FILE, Workspace, with_check_setting};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// `headroom propose`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ProposeArgs {
    /// The workspace folder.
    #[arg(long, default_value = "budgets")]
    pub workspace: PathBuf,
    /// The proposal's id (its file is `proposals/ID.yaml`).
    #[arg(long)]
    pub id: String,
    /// One line saying what it does.
    #[arg(long)]
    pub title: String,
    /// Who proposes it, as named in `allowed_signers` (an e-mail address, usually).
    #[arg(long)]
    pub author: String,
    /// A change: `BUDGET=VALUE` for its limit, or `BUDGET@ENV=VALUE` for an environment's override,
    /// in the budget's unit. Repeat for several.
    #[arg(long = "set", required_unless_present_any = ["files", "remove", "start", "settings"])]
    pub changes: Vec<String>,
    /// Propose the ledger's start: every contract file as it is now, made from no files (a
    /// governance act: it needs the governance sign-off of the signers and policy it creates).
    /// Once approved, `headroom ledger start --proposal ID` starts the ledger with it.
    #[arg(long, conflicts_with_all = ["changes", "files", "remove", "settings"])]
    pub start: bool,
    /// A whole contract file replaced or created: `NAME=PATH` (the new text is read from PATH), e.g.
    /// `allowed_signers=new_signers` (a governance change) or `search.yaml=draft.yaml` (new budgets).
    #[arg(long = "file")]
    pub files: Vec<String>,
    /// A contract file removed.
    #[arg(long)]
    pub remove: Vec<String>,
    /// A gate setting in `headroom.yaml`: `NAME=VALUE` for the workspace, `BUDGET:NAME=VALUE` for
    /// one budget (NAME: regression_threshold, baseline_runs, missing_data, significance), e.g.
    /// `services.auth:regression_threshold=8%`. A looser setting is a loosening. Repeatable.
    #[arg(long = "setting")]
    pub settings: Vec<String>,
    /// Why.
    #[arg(long)]
    pub rationale: String,
    /// A run that justifies it (repeatable).
    #[arg(long = "evidence-run")]
    pub evidence_runs: Vec<String>,
    /// An engine finding that justifies it, `metric@run` (repeatable).
    #[arg(long = "evidence-finding")]
    pub evidence_findings: Vec<String>,
    /// What it does to headroom and to other budgets.
    #[arg(long, default_value = "")]
    pub impact: String,
}

/// `headroom sign`'s arguments.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The proposal's id.
    pub id: String,
    /// The workspace folder.
    #[arg(long, default_value = "budgets")]
    pub workspace: PathBuf,
    /// Who signs, as named in `allowed_signers`.
    #[arg(long)]
    pub principal: String,
    /// An unencrypted OpenSSH private key to sign with.
    #[arg(long, conflicts_with_all = ["signature", "agent"])]
    pub key: Option<PathBuf>,
    /// Sign with the running ssh-agent (`SSH_AUTH_SOCK`), using the key whose public half is in this
    /// file (e.g. `~/.ssh/id_ed25519.pub`): for keys with a passphrase.
    #[arg(long, conflicts_with = "signature")]
    pub agent: Option<PathBuf>,
    /// A signature made elsewhere (`ssh-keygen -Y sign -n headroom-proposal -f KEY` over the
    /// output of `headroom proposals --canonical ID`): for keys with a passphrase or in an agent.
    #[arg(long)]
    pub signature: Option<PathBuf>,
}

fn workspace_error(dir: &Path) -> Option<i32> {
    if dir.is_dir() {
        None
    } else {
        eprintln!("error: {} is not a workspace folder", dir.display());
        Some(2)
    }
}

/// `headroom propose`: writes `proposals/ID.yaml` with the current values as `old`.
pub fn run_propose(args: &ProposeArgs) -> i32 {
    if let Some(code) = workspace_error(&args.workspace) {
        return code;
    }
    let mut wanted = Vec::new();
    for spec in &args.changes {
        let parsed = spec.split_once('=').and_then(|(target, value)| {
            let (budget, environment) = target.split_once('@').map_or((target, None), |(b, e)| (b, Some(e.to_owned())));
            value.trim().parse::<f64>().ok().map(|new| Wanted { budget: budget.to_owned(), environment, new })
        });
        if let Some(w) = parsed {
            wanted.push(w);
        } else {
            eprintln!("error: --set `{spec}`: expected BUDGET=NUMBER or BUDGET@ENV=NUMBER (in the budget's unit)");
            return 2;
        }
    }
    let mut new_files: Vec<(String, Option<String>)> = Vec::new();
    for spec in &args.files {
        let Some((name, path)) = spec.split_once('=') else {
            eprintln!("error: --file `{spec}`: expected NAME=PATH");
            return 2;
        };
        match std::fs::read_to_string(path) {
            Ok(text) => new_files.push((name.to_owned(), Some(text))),
            Err(e) => {
                eprintln!("error: --file `{spec}`: cannot read {path}: {e}");
                return 2;
            }
        }
    }
    new_files.extend(args.remove.iter().map(|name| (name.clone(), None)));
    if !args.settings.is_empty() {
        match settings_file(&args.workspace, &args.settings, &new_files) {
            Ok(text) => new_files.push((CONFIG_FILE.to_owned(), Some(text))),
            Err(e) => {
                eprintln!("error: --setting: {e}");
                return 2;
            }
        }
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
    let written = if args.start {
        propose_start(&args.workspace, &draft, Timestamp::now())
    } else {
        propose(&args.workspace, &draft, &wanted, &new_files, Timestamp::now())
    };
    match written {
        Ok((path, evaluation)) => {
            let mut text = format!("wrote {} ({}): {}\n", path.display(), evaluation.kind.as_str(), missing_words(&evaluation));
            for line in &evaluation.effect.loosened {
                text.push_str(&format!("  looser:   {line}\n"));
            }
            for line in &evaluation.effect.tightened {
                text.push_str(&format!("  stricter: {line}\n"));
            }
            output(&text);
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// The text `headroom.yaml` would have with every `--setting` (`[BUDGET:]NAME=VALUE`) made.
fn settings_file(workspace: &Path, specs: &[String], new_files: &[(String, Option<String>)]) -> Result<String, String> {
    if new_files.iter().any(|(name, _)| name == CONFIG_FILE) {
        return Err(format!("give {CONFIG_FILE} either whole (--file or --remove) or by --setting, not both"));
    }
    let contract = current_contract(workspace)?;
    let list: Vec<(String, String)> = contract.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let loaded = Workspace::from_files("", &list);
    let mut text = contract.get(CONFIG_FILE).cloned().unwrap_or_default();
    for spec in specs {
        let Some((key, value)) = spec.split_once('=') else {
            return Err(format!("`{spec}`: expected NAME=VALUE or BUDGET:NAME=VALUE"));
        };
        let (budget, name) = key.rsplit_once(':').map_or((None, key), |(b, n)| (Some(b), n));
        if let Some(id) = budget
            && loaded.budget(id).is_none()
        {
            let hint = did_you_mean(id, loaded.budgets.iter().map(|b| b.id.as_str()))
                .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
            return Err(format!("`{spec}`: no budget `{id}`{hint}"));
        }
        text = with_check_setting(CONFIG_FILE, &text, budget, name.trim(), value).map_err(|e| format!("`{spec}`: {e}"))?;
    }
    Ok(text)
}

/// `headroom sign`: adds a signature to the proposal file.
pub fn run_sign(args: &SignArgs) -> i32 {
    let with = match (&args.key, &args.signature, &args.agent) {
        (Some(key), None, None) => SignWith::Key(key.clone()),
        (None, Some(file), None) => SignWith::Signature(file.clone()),
        (None, None, Some(public)) => SignWith::Agent(public.clone()),
        _ => {
            eprintln!("error: give one of --key, --agent or --signature");
            return 2;
        }
    };
    match sign(&args.workspace, &args.id, &args.principal, &with, Timestamp::now()) {
        Ok(evaluation) => {
            output(&format!(
                "signed `{}` as {}; {}\n",
                args.id,
                args.principal,
                if evaluation.approved() { "it is approved and can be applied".to_owned() } else { missing_words(&evaluation) }
            ));
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            if matches!(e, crate::approval::error::ApprovalError::WouldNotCount(_)) { 1 } else { 2 }
        }
    }
}

/// `headroom proposals`: every proposal with its state; `--canonical ID` prints what is signed.
pub fn run_proposals(workspace: &Path, canonical: Option<&str>) -> i32 {
    if let Some(code) = workspace_error(workspace) {
        return code;
    }
    if let Some(id) = canonical {
        return match read_proposal(workspace, id) {
            Ok((p, _)) => {
                output(&String::from_utf8_lossy(&p.canonical()));
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        };
    }
    if let Err(e) = current_contract(workspace) {
        eprintln!("error: {e}");
        return 2;
    }
    let listed = list_proposals(workspace, Timestamp::now());
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
        let state = if applied {
            "APPLIED"
        } else if !e.current {
            "STALE"
        } else if e.approved() {
            "APPROVED"
        } else {
            "PENDING"
        };
        output(&format!("{state:<9} {}  {} ({}, by {})\n", p.id, p.title, e.kind.as_str(), p.author));
        if state == "PENDING" {
            output(&format!("          {}\n", missing_words(&e)));
        }
    }
    if invalid { 2 } else { 0 }
}

/// `headroom apply`.
pub fn run_apply(workspace: &Path, id: &str) -> i32 {
    match apply_proposal(workspace, id, Timestamp::now()) {
        Ok(entry) => {
            output(&format!("applied `{id}`: ledger entry {}, budget files now {}\n", entry.seq, entry.after));
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// `headroom verify`: exit 0 when the ledger proves the budget files, 1 with an account otherwise
/// (2 where the base revision cannot be read).
pub fn run_verify(workspace: &Path, base: Option<&str>) -> i32 {
    if let Some(code) = workspace_error(workspace) {
        return code;
    }
    let base = match base.map(|rev| read_base(workspace, rev)).transpose() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: --base: {e}");
            return 2;
        }
    };
    let v = verify_against(workspace, base.as_ref(), Timestamp::now());
    let mut text = String::new();
    for line in &v.proven {
        text.push_str(&format!("ok    {line}\n"));
    }
    for line in &v.problems {
        text.push_str(&format!("FAIL  {line}\n"));
    }
    text.push_str(match (v.problems.is_empty(), base.is_some()) {
        (true, true) => "verified: every budget is the ledger's start plus signed, approved proposals, and the base's ledger and history are kept\n",
        (true, false) => {
            "verified: every budget is the ledger's start plus signed, approved proposals (without --base, a reset or rolled-back ledger cannot be told from an honest one)\n"
        }
        (false, _) => "NOT verified\n",
    });
    output(&text);
    i32::from(!v.problems.is_empty())
}

/// `headroom ledger start`.
pub fn run_ledger_start(workspace: &Path, proposal: Option<&str>) -> i32 {
    if let Some(code) = workspace_error(workspace) {
        return code;
    }
    match start_ledger(workspace, Timestamp::now(), proposal) {
        Ok(entry) => {
            output(&format!(
                "ledger started: {} files recorded as the agreed budgets ({})\n",
                entry.start.map_or(0, |f| f.len()),
                entry.after
            ));
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// `headroom recover`: takes the workspace's lock, which finishes an interrupted change.
pub fn run_recover(workspace: &Path) -> i32 {
    if let Some(code) = workspace_error(workspace) {
        return code;
    }
    let pending = crate::model::journal::pending(workspace);
    match crate::model::lock::WorkspaceLock::acquire(workspace, "the recovery of an interrupted change") {
        Ok(_lock) => {
            output(if pending {
                "finished the change an interrupted command had begun (its journal is gone)\n"
            } else {
                "nothing to recover: no change was interrupted\n"
            });
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// `headroom compact [--dry-run]`.
pub fn run_compact(workspace: &Path, dry_run: bool) -> i32 {
    if let Some(code) = workspace_error(workspace) {
        return code;
    }
    match crate::approval::compact::compact(workspace, dry_run, Timestamp::now()) {
        Ok(plan) => {
            let mut out = String::new();
            let verb = if dry_run { "would" } else { "did" };
            for (path, count) in &plan.summaries {
                let _ = writeln!(out, "{verb} add {path}: the summary of {count} runs");
            }
            for (path, text) in &plan.writes {
                if plan.summaries.iter().all(|(p, _)| p != path) {
                    let _ = writeln!(out, "{verb} {} {path}", if text.is_some() { "rewrite" } else { "remove" });
                }
            }
            for (environment, id) in &plan.removed {
                let _ = writeln!(out, "{verb} remove run {id}{}", environment.as_ref().map_or_else(String::new, |e| format!(" ({e})")));
            }
            for id in &plan.kept_evidence {
                let _ = writeln!(out, "kept whole (evidence): {id}");
            }
            for run in &plan.kept_summarized {
                let _ = writeln!(out, "kept whole (its day already has a summary): {run}");
            }
            let _ = writeln!(
                out,
                "{} runs {} into {} summaries{}",
                plan.removed.len(),
                if dry_run { "would be compacted" } else { "compacted" },
                plan.summaries.len(),
                if dry_run { " (dry run: nothing was changed)" } else { "" }
            );
            output(&out);
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
