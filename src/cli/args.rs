//! The command line's arguments: the clap types of every command, and the value parsers that
//! turn a flag's text into a checked value once, at the boundary.

use crate::model::settings::{BaselineRuns, CheckSettings, MissingData, Percent, Significance};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Performance budgets as contracts: budget files, snapshot history, a CI gate and a desktop app.
#[derive(Debug, Parser)]
#[command(name = "headroom", version, about, long_about = None)]
pub struct Cli {
    /// What to do; with none, the desktop app opens on `budgets/`.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the newest run of every budgeted metric against its budget and baseline (the CI gate).
    Check(CheckArgs),
    /// Find where every metric's level shifted (change points), with noise floors and trends.
    Analyze(AnalyzeArgs),
    /// Replay check settings over the past history: what would they have flagged, and was it real?
    Replay(ReplayArgs),
    /// Propose a budget change (writes `proposals/ID.yaml` for people to sign).
    Propose(ProposeArgs),
    /// Sign a proposal with an SSH key (or add a signature made with `ssh-keygen -Y sign`).
    Sign(SignArgs),
    /// List the proposals: pending (and what they need), approved, applied, stale.
    Proposals {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Print the bytes that are signed for this proposal, for `ssh-keygen -Y sign -n headroom-proposal`.
        #[arg(long)]
        canonical: Option<String>,
    },
    /// Apply an approved proposal: change the values in place and append it to the ledger.
    Apply {
        /// The proposal's id.
        id: String,
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
    /// Prove that every budget is the ledger's start plus signed, approved proposals (for CI).
    Verify {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// A git revision to anchor the ledger to (in CI, the pull request's target, e.g.
        /// `origin/main`): its committed ledger must be a prefix of this one, its history files
        /// prefixes of these, and a ledger it lacks must start with governance sign-off.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// With `--base`: the branch whose runs make the baseline (a pull request's target), of
        /// which no run may be added since the base but this checkout's own, not committed.
        /// Default: `$GITHUB_BASE_REF`, else `$CI_MERGE_REQUEST_TARGET_BRANCH_NAME`, where set, else
        /// the workspace's `default_branch` (main).
        #[arg(long, requires = "base")]
        baseline_branch: Option<String>,
    },
    /// Finish a change that a killed `headroom apply` left half-done (its journal), and remove the
    /// temporary files killed writers left behind. Every writing command does this first anyway.
    Recover {
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
    /// Apply the `retention:` policy of `headroom.yaml`: runs past it become one summary run a
    /// day (count, min, median, p95, max); runs named as evidence are kept whole.
    Compact {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// Show what would be removed and added, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The ledger of applied proposals.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Write the whole workspace as a static HTML site (overview, a page and plot per budget), for
    /// people without the app; it works from `file://` and from GitHub or GitLab Pages.
    Report(ReportArgs),
    /// Write Prometheus alert rules from the budgets (and `promtool test rules` tests for them).
    Alerts(AlertsArgs),
    /// Append what a benchmark tool wrote to the history, as one run (all of it, or nothing).
    Import(ImportArgs),
    /// Convert another tool's budgets (Lighthouse CI's budgets.json) into a Headroom budget file,
    /// to add by a proposal (`headroom propose --file NAME=PATH`).
    ConvertBudgets {
        /// The other tool: lighthouse-ci.
        #[arg(long = "from")]
        from: String,
        /// Its budgets file.
        file: PathBuf,
        /// Write the budget file here (atomically) instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Set a finding's triage (its record `triage/<metric>@<run>.yaml`), or show it.
    Triage(TriageArgs),
    /// Load a workspace and list every invalid file with its line; exit 2 if any.
    Validate {
        #[command(flatten)]
        workspace: WorkspaceArg,
    },
    /// Open the desktop app on a workspace.
    #[cfg(feature = "gui")]
    Gui {
        /// The workspace folder; `budgets/` here, or the built-in example where there is none.
        #[arg(value_name = "WORKSPACE")]
        workspace: Option<PathBuf>,
        /// The same as WORKSPACE, as an option.
        #[arg(long = "workspace", value_name = "WORKSPACE", conflicts_with = "workspace")]
        workspace_option: Option<PathBuf>,
    },
}

/// The workspace folder of a command, given either way: as a positional (`headroom propose budgets
/// ...`) or as `--workspace DIR`, so that every command takes it alike; `budgets` where neither is
/// given. It dereferences to the path.
#[derive(Debug, clap::Args)]
pub struct WorkspaceArg {
    /// The workspace folder (default: `budgets`).
    #[arg(id = "workspace", value_name = "WORKSPACE")]
    positional: Option<PathBuf>,
    /// The same as WORKSPACE, as an option.
    #[arg(id = "workspace_option", long = "workspace", value_name = "WORKSPACE", conflicts_with = "workspace")]
    option: Option<PathBuf>,
    /// The folder given, or the `budgets/` in it ([`crate::model::workspace::workspace_folder`]).
    #[arg(skip)]
    resolved: std::sync::OnceLock<PathBuf>,
}

impl std::ops::Deref for WorkspaceArg {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        self.resolved.get_or_init(|| {
            let given = self.option.as_deref().or(self.positional.as_deref()).unwrap_or(std::path::Path::new("budgets"));
            crate::model::workspace::workspace_folder(given)
        })
    }
}

/// `headroom ledger ...`.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Record the budget files as they are now as the agreed start (once per workspace).
    Start {
        #[command(flatten)]
        workspace: WorkspaceArg,
        /// The approved start proposal (`headroom propose --start`) whose signatures the start
        /// carries; without it the start is unsigned, which `verify --base` refuses for a new ledger.
        #[arg(long, value_name = "ID")]
        proposal: Option<String>,
    },
}

/// `headroom import`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The tool's format: hyperfine, google-benchmark, pytest-benchmark, bmf, criterion, k6, lighthouse; or
    /// prometheus (runtime history over its HTTP API).
    #[arg(long = "from")]
    pub format: String,
    /// The tool's output files (criterion: its `target/criterion` folder; prometheus: the server's URL).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Prometheus: `METRIC=PROMQL`, a query whose one series is the metric, in its budget's unit (repeatable).
    #[arg(long = "query")]
    pub queries: Vec<String>,
    /// Prometheus: from (RFC 3339); default: 7 days before --end.
    #[arg(long)]
    pub start: Option<String>,
    /// Prometheus: to (RFC 3339); default: now.
    #[arg(long)]
    pub end: Option<String>,
    /// Prometheus: one run per this many seconds.
    #[arg(long, default_value_t = 3600)]
    pub step: u64,
    /// The workspace whose history receives the run (`history/<format>.jsonl`); `--workspace` is
    /// the same (the workspace is no positional here: the positionals are the tool's files).
    #[arg(long, visible_alias = "workspace", default_value = "budgets")]
    pub into: PathBuf,
    /// The run's id; default: the format and the time.
    #[arg(long)]
    pub run_id: Option<String>,
    /// The commit measured (pytest-benchmark's own is used where not given).
    #[arg(long)]
    pub commit: Option<String>,
    /// The branch (a pull request's branch, or the default branch).
    #[arg(long)]
    pub branch: Option<String>,
    /// The environment (`ci`, `prod`, ...).
    #[arg(long)]
    pub env: Option<String>,
    /// When it ran (RFC 3339); default: what the file says, else now.
    #[arg(long)]
    pub time: Option<String>,
}

/// `headroom triage`'s arguments.
#[derive(Debug, clap::Args)]
pub struct TriageArgs {
    /// The finding: `metric@run`, the run being the first of its new level (as `headroom analyze` and the app name it).
    pub finding: String,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// Where the team stands: untriaged, acknowledged, investigating, fixed, wont_fix, invalid, backed_out.
    #[arg(long, value_parser = parse_triage_state)]
    pub state: Option<crate::model::triage::TriageState>,
    /// Who owns it.
    #[arg(long)]
    pub owner: Option<String>,
    /// What the team knows.
    #[arg(long)]
    pub note: Option<String>,
    /// With won't fix or invalid: the largest change it accepts (`+12%`, worse than the level before); default: the
    /// change the history shows now, from the finding's run on. The gate accepts no bigger step with this triage.
    #[arg(long, value_parser = parse_percentage, allow_hyphen_values = true)]
    pub accepted_change: Option<f64>,
}

/// A percentage (`+12%`, `12 %`, `12.5`) as a fraction.
fn parse_percentage(text: &str) -> Result<f64, String> {
    crate::model::triage::accepted_fraction(text.trim().trim_end_matches('%').trim())
        .ok_or_else(|| format!("`{text}` is not a percentage from -100% to 100000%, such as `+12%`"))
}

pub(super) fn parse_triage_state(text: &str) -> Result<crate::model::triage::TriageState, crate::model::error::UnknownWord> {
    use crate::model::triage::TriageState;
    TriageState::ALL.into_iter().find(|s| s.as_str() == text).ok_or_else(|| crate::model::error::UnknownWord {
        what: "state",
        word: text.to_owned(),
        expected: TriageState::ALL.iter().map(|s| s.as_str()).collect(),
    })
}

/// `headroom report`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// The folder to write the site into (created where missing; its files are replaced).
    #[arg(long)]
    pub output: PathBuf,
    /// The environment to report (its runs, its limits); default: the workspace's, else the newest run's.
    #[arg(long)]
    pub env: Option<String>,
    /// The branch whose runs make the baseline; default: the workspace's `default_branch`.
    #[arg(long)]
    pub baseline_branch: Option<String>,
}

/// `headroom alerts`'s arguments.
#[derive(Debug, clap::Args)]
pub struct AlertsArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// The environment whose limits (overrides) the alerts use; default: the workspace's
    /// `runtime_environment`.
    #[arg(long)]
    pub env: Option<String>,
    /// How long a budget must be broken before the alert fires, in minutes.
    #[arg(long = "for", default_value_t = 5)]
    pub for_minutes: u32,
    /// Write the rules to this file (atomically) instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Also write `promtool test rules` tests for the rules to this file (needs --output).
    #[arg(long, requires = "output")]
    pub tests: Option<PathBuf>,
}

/// `headroom check`'s arguments.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// The environment to check (its runs, its budget overrides); default: the workspace's, else the newest run's.
    #[arg(long)]
    pub env: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// The branch whose runs make the baseline (a pull request's base branch). Default: `$GITHUB_BASE_REF`
    /// where set, else the workspace's `default_branch` (main).
    #[arg(long)]
    pub baseline_branch: Option<String>,
    /// Compare with this run instead of the baseline branch (deployment validation: the previous
    /// version's run). Its raw samples, where it has them, make the test.
    #[arg(long, conflicts_with_all = ["baseline_branch", "baseline_commit"])]
    pub baseline_run: Option<String>,
    /// Compare with every run of this commit (or tag's commit; 7+ characters of its hash match).
    #[arg(long, conflicts_with = "baseline_branch")]
    pub baseline_commit: Option<String>,
    /// The run to check, by id; default: the newest run of the environment.
    #[arg(long)]
    pub run: Option<String>,
    /// The gate's settings, over the workspace's.
    #[command(flatten)]
    pub gate: GateArgs,
    /// What a budget with no data does: fail (default) or warn.
    #[arg(long, value_enum)]
    pub missing: Option<MissingArg>,
    /// Also write the report to this file (atomically), e.g. for a CI artifact.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// This is a CI job (also where `CI` is set, as most CI services do): a gate setting given
    /// looser than `headroom.yaml`'s signed one fails the check instead of warning.
    #[arg(long)]
    pub ci: bool,
}

/// `headroom analyze`'s arguments.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// History files: JSON Lines, or wide CSV whose first column is an index, id or time and whose
    /// other columns are metrics. None: the history of `--workspace` (default `budgets/`).
    pub files: Vec<PathBuf>,
    /// A workspace whose budgets give each metric its statistic, unit, direction and limit
    /// (for severity, time to the limit and sub-allocation hints).
    #[arg(long)]
    pub workspace: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,
    /// Only runs of this environment (a workspace's history: its default environment).
    #[arg(long)]
    pub env: Option<String>,
    /// Only runs of this branch (a workspace's history: its default branch).
    #[arg(long)]
    pub branch: Option<String>,
    /// The fewest runs a new level must last.
    #[arg(long, default_value_t = 5)]
    pub min_segment: usize,
    /// The largest p-value of a reported change point (after Benjamini–Hochberg over all metrics).
    #[arg(long, default_value = "0.001")]
    pub significance: Significance,
    /// Report only changes of at least this size, e.g. `2%`.
    #[arg(long, default_value = "0%")]
    pub min_change: Percent,
    /// Also write the output to this file (atomically).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// The settings of the gate (`check`, `replay`) a command line may set over the workspace's.
#[derive(Debug, clap::Args)]
pub struct GateArgs {
    /// A change worse than this is a regression, e.g. `5%`; default: the workspace's, else 5%.
    #[arg(long)]
    pub threshold: Option<Percent>,
    /// How many runs of the baseline branch make the baseline; default: the workspace's, else 20.
    #[arg(long)]
    pub baseline_runs: Option<BaselineRuns>,
    /// The false-alarm rate: flag a regression only where its p-value, adjusted over all budgets,
    /// is at most this, e.g. `0.001`; default: the workspace's, else 0.001.
    #[arg(long)]
    pub significance: Option<Significance>,
}

impl GateArgs {
    /// Sets what was given over `settings`.
    pub(super) fn apply(&self, settings: &mut CheckSettings) {
        if let Some(t) = self.threshold {
            settings.regression_threshold = t.fraction();
        }
        if let Some(n) = self.baseline_runs {
            settings.baseline_runs = n.get();
        }
        if let Some(p) = self.significance {
            settings.significance = p.value();
        }
    }
}

/// `headroom replay`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// The environment (default: the workspace's, else the newest run's).
    #[arg(long)]
    pub env: Option<String>,
    /// The gate's settings to try, over the workspace's.
    #[command(flatten)]
    pub gate: GateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,
}

/// `analyze --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    /// An account for people.
    Text,
    /// The stable JSON schema (see the README).
    Json,
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A table for people.
    Text,
    /// The stable JSON schema (see the README).
    Json,
    /// JUnit XML.
    Junit,
    /// Markdown for a pull-request comment.
    Markdown,
    /// GitHub Actions annotations.
    Github,
}

/// `--missing`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MissingArg {
    /// Fail the check.
    Fail,
    /// Only warn.
    Warn,
}

impl From<MissingArg> for MissingData {
    fn from(m: MissingArg) -> Self {
        match m {
            MissingArg::Fail => MissingData::Fail,
            MissingArg::Warn => MissingData::Warn,
        }
    }
}

/// `headroom propose`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ProposeArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
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
    #[command(flatten)]
    pub workspace: WorkspaceArg,
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
