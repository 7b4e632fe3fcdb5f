//! The `headroom` command line: argument parsing, exit codes, printing.
//!
//! Exit codes: 0 all within budget, 1 a budget exceeded or a regression, 2 invalid input
//! (bad budget or history files, a workspace that cannot be read, bad arguments).

use crate::engine::analyze::{RunFilter, analyze};
use crate::engine::changepoint::DetectorSettings;
use crate::engine::check::{CheckOptions, check};
use crate::model::columns::{parse_in_parallel, repeated_keys};
use crate::model::history::{History, history_any_columns};
use crate::model::workspace::{CheckSettings, MissingData, Workspace};
use crate::report::{Format, render};
use clap::{Parser, Subcommand, ValueEnum};

mod approval;
use std::path::{Path, PathBuf};

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
    Propose(approval::ProposeArgs),
    /// Sign a proposal with an SSH key (or add a signature made with `ssh-keygen -Y sign`).
    Sign(approval::SignArgs),
    /// List the proposals: pending (and what they need), approved, applied, stale.
    Proposals {
        /// The workspace folder.
        #[arg(default_value = "budgets")]
        workspace: PathBuf,
        /// Print the bytes that are signed for this proposal, for `ssh-keygen -Y sign -n headroom-proposal`.
        #[arg(long)]
        canonical: Option<String>,
    },
    /// Apply an approved proposal: change the values in place and append it to the ledger.
    Apply {
        /// The proposal's id.
        id: String,
        /// The workspace folder.
        #[arg(long, default_value = "budgets")]
        workspace: PathBuf,
    },
    /// Prove that every budget is the ledger's start plus signed, approved proposals (for CI).
    Verify {
        /// The workspace folder.
        #[arg(default_value = "budgets")]
        workspace: PathBuf,
        /// A git revision to anchor the ledger to (in CI, the pull request's target, e.g.
        /// `origin/main`): its committed ledger must be a prefix of this one, its history files
        /// prefixes of these, and a ledger it lacks must start with governance sign-off.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
    },
    /// Finish a change that a killed `headroom apply` left half-done (its journal), and remove the
    /// temporary files killed writers left behind. Every writing command does this first anyway.
    Recover {
        /// The workspace folder.
        #[arg(default_value = "budgets")]
        workspace: PathBuf,
    },
    /// Apply the `retention:` policy of `headroom.yaml`: runs past it become one summary run a
    /// day (count, min, median, p95, max); runs named as evidence are kept whole.
    Compact {
        /// The workspace folder.
        #[arg(default_value = "budgets")]
        workspace: PathBuf,
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
        /// The workspace folder.
        #[arg(default_value = "budgets")]
        workspace: PathBuf,
    },
    /// Open the desktop app on a workspace.
    #[cfg(feature = "gui")]
    Gui {
        /// The workspace folder; `budgets/` here, or the built-in example where there is none.
        workspace: Option<PathBuf>,
    },
}

/// `headroom ledger ...`.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Record the budget files as they are now as the agreed start (once per workspace).
    Start {
        /// The workspace folder.
        #[arg(default_value = "budgets")]
        workspace: PathBuf,
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
    /// The workspace whose history receives the run (`history/<format>.jsonl`).
    #[arg(long, default_value = "budgets")]
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
    /// The workspace folder.
    #[arg(long, default_value = "budgets")]
    pub workspace: PathBuf,
    /// Where the team stands: untriaged, acknowledged, investigating, fixed, wont_fix, invalid, backed_out.
    #[arg(long, value_parser = parse_triage_state)]
    pub state: Option<crate::model::triage::TriageState>,
    /// Who owns it.
    #[arg(long)]
    pub owner: Option<String>,
    /// What the team knows.
    #[arg(long)]
    pub note: Option<String>,
}

fn parse_triage_state(text: &str) -> Result<crate::model::triage::TriageState, String> {
    use crate::model::triage::TriageState;
    TriageState::ALL.into_iter().find(|s| s.as_str() == text).ok_or_else(|| {
        format!("unknown state `{text}` (expected one of: {})", TriageState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
    })
}

/// `headroom report`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The workspace folder.
    #[arg(default_value = "budgets")]
    pub workspace: PathBuf,
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
    /// The workspace folder.
    #[arg(default_value = "budgets")]
    pub workspace: PathBuf,
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
    /// The workspace folder.
    #[arg(default_value = "budgets")]
    pub workspace: PathBuf,
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
    #[arg(long, default_value_t = 0.001, value_parser = parse_significance)]
    pub significance: f64,
    /// Report only changes of at least this size, e.g. `2%`.
    #[arg(long, value_parser = parse_percent, default_value = "0%")]
    pub min_change: f64,
    /// Also write the output to this file (atomically).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// The settings of the gate (`check`, `replay`) a command line may set over the workspace's.
#[derive(Debug, clap::Args)]
pub struct GateArgs {
    /// A change worse than this is a regression, e.g. `5%`; default: the workspace's, else 5%.
    #[arg(long, value_parser = parse_percent)]
    pub threshold: Option<f64>,
    /// How many runs of the baseline branch make the baseline; default: the workspace's, else 20.
    #[arg(long, value_parser = parse_runs)]
    pub baseline_runs: Option<usize>,
    /// The false-alarm rate: flag a regression only where its p-value, adjusted over all budgets,
    /// is at most this, e.g. `0.001`; default: the workspace's, else 0.001.
    #[arg(long, value_parser = parse_significance)]
    pub significance: Option<f64>,
}

impl GateArgs {
    /// Sets what was given over `settings`.
    fn apply(&self, settings: &mut CheckSettings) {
        if let Some(t) = self.threshold {
            settings.regression_threshold = t;
        }
        if let Some(n) = self.baseline_runs {
            settings.baseline_runs = n;
        }
        if let Some(p) = self.significance {
            settings.significance = p;
        }
    }
}

/// `headroom replay`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The workspace folder.
    #[arg(default_value = "budgets")]
    pub workspace: PathBuf,
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

fn parse_percent(text: &str) -> Result<f64, String> {
    let number = text.trim().strip_suffix('%').unwrap_or(text.trim());
    match number.trim().parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p / 100.0),
        _ => Err(format!("expected a percentage such as `5%`, found `{text}`")),
    }
}

fn parse_significance(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if p > 0.0 && p < 1.0 => Ok(p),
        _ => Err(format!("expected a p-value between 0 and 1, such as 0.001, found `{text}`")),
    }
}

fn parse_runs(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("expected a whole number of runs, at least 1, found `{text}`")),
    }
}

/// Prints to standard output: the CLI's one place that does.
#[allow(clippy::print_stdout)]
fn output(text: &str) {
    print!("{text}");
}

/// Runs the command line and returns the process exit code.
#[must_use]
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Some(Command::Check(args)) => run_check(&args),
        Some(Command::Analyze(args)) => run_analyze(&args),
        Some(Command::Replay(args)) => run_replay(&args),
        Some(Command::Propose(args)) => approval::run_propose(&args),
        Some(Command::Sign(args)) => approval::run_sign(&args),
        Some(Command::Proposals { workspace, canonical }) => approval::run_proposals(&workspace, canonical.as_deref()),
        Some(Command::Apply { id, workspace }) => approval::run_apply(&workspace, &id),
        Some(Command::Verify { workspace, base }) => approval::run_verify(&workspace, base.as_deref()),
        Some(Command::Recover { workspace }) => approval::run_recover(&workspace),
        Some(Command::Compact { workspace, dry_run }) => approval::run_compact(&workspace, dry_run),
        Some(Command::Ledger(LedgerCommand::Start { workspace, proposal })) => approval::run_ledger_start(&workspace, proposal.as_deref()),
        Some(Command::Alerts(args)) => run_alerts(&args),
        Some(Command::Report(args)) => run_report(&args),
        Some(Command::Import(args)) => run_import(&args),
        Some(Command::ConvertBudgets { from, file, output: out }) => run_convert_budgets(&from, &file, out.as_deref()),
        Some(Command::Triage(args)) => run_triage(&args),
        Some(Command::Validate { workspace }) => run_validate(&workspace),
        #[cfg(feature = "gui")]
        Some(Command::Gui { workspace }) => run_gui(workspace),
        #[cfg(feature = "gui")]
        None => run_gui(None),
        #[cfg(not(feature = "gui"))]
        None => {
            eprintln!("This headroom was built without the desktop app (the `gui` feature). Try `headroom check --help`.");
            2
        }
    }
}

fn load(workspace: &Path) -> Result<Workspace, i32> {
    Workspace::load(workspace).map_err(|e| {
        eprintln!("error: cannot open the workspace {}: {e}", workspace.display());
        2
    })
}

/// The workspace, for commands that need every file valid: each error printed (then `refusal`,
/// where given) and exit code 2 where any file is invalid.
fn load_valid(workspace: &Path, refusal: Option<&str>) -> Result<Workspace, i32> {
    let workspace = load(workspace)?;
    if workspace.errors.is_empty() {
        return Ok(workspace);
    }
    for e in &workspace.errors {
        eprintln!("error: {e}");
    }
    if let Some(refusal) = refusal {
        eprintln!("{refusal}");
    }
    Err(2)
}

fn run_convert_budgets(from: &str, file: &Path, out: Option<&Path>) -> i32 {
    if from != "lighthouse-ci" {
        eprintln!("error: --from `{from}`: the budgets Headroom converts are lighthouse-ci's");
        return 2;
    }
    let shown = file.display().to_string();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {shown}: {e}");
            return 2;
        }
    };
    let yaml = match crate::import::lighthouse_budgets(&shown, &text) {
        Ok(y) => y,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            return 2;
        }
    };
    // What is written must load as budgets.
    if let Err(errors) = crate::model::budget::parse_budget_file("converted.yaml", &yaml) {
        eprintln!("error: the converted budgets do not load: {}", errors[0]);
        return 2;
    }
    match out {
        None => output(&yaml),
        Some(path) => {
            if let Err(e) = crate::model::workspace::write_atomic(path, yaml.as_bytes()) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return 2;
            }
            output(&format!(
                "wrote {}; add it to the budgets with `headroom propose --file {}={}`\n",
                path.display(),
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                path.display()
            ));
        }
    }
    0
}

fn run_import(args: &ImportArgs) -> i32 {
    use crate::import::{Format, NoteKind, RunInfo, import_with_notes};
    // The history is read again under the workspace's lock when the run is added; here only the folder is checked.
    if !args.into.is_dir() {
        eprintln!("error: cannot open the workspace {}: it is not a folder", args.into.display());
        return 2;
    }
    if args.format == "prometheus" {
        return run_import_prometheus(args);
    }
    let format = match Format::parse(&args.format) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: --from: {e}, prometheus");
            return 2;
        }
    };
    let time = match args.time.as_deref().map(crate::model::time::Timestamp::parse) {
        Some(Err(e)) => {
            eprintln!("error: --time: {e}");
            return 2;
        }
        Some(Ok(t)) => Some(t),
        None => None,
    };
    let info =
        RunInfo { id: args.run_id.clone(), commit: args.commit.clone(), branch: args.branch.clone(), environment: args.env.clone(), time };
    let paths: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let snapshot = match import_with_notes(format, &paths, info) {
        Ok(imported) => {
            // What a file held but did not become a value, and which statistic was taken: said once, here.
            for note in &imported.notes {
                match note.kind {
                    NoteKind::LeftOut => eprintln!("warning: {note}"),
                    NoteKind::Took => eprintln!("note: {note}"),
                }
            }
            imported.snapshot
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!("nothing was imported");
            return 2;
        }
    };
    let metrics = snapshot.metrics.len();
    let id = snapshot.run.id.clone();
    match append_history(&args.into, format.name(), vec![snapshot], false) {
        Ok((path, _)) => {
            output(&format!("imported {metrics} metrics as run `{id}` into {}\n", path.display()));
            0
        }
        Err(code) => code,
    }
}

/// Adds runs to the history in a file of their own (`history/<name>/...`), saying what went wrong
/// where it cannot.
fn append_history(
    root: &Path,
    name: &str,
    snapshots: Vec<crate::model::history::Snapshot>,
    skip_known: bool,
) -> Result<(PathBuf, usize), i32> {
    crate::model::store::add_runs(root, name, snapshots, skip_known).map_err(|e| {
        eprintln!("error: {e}; nothing was imported");
        2
    })
}

fn run_import_prometheus(args: &ImportArgs) -> i32 {
    use crate::import::prometheus::{RangeQuery, fetch};
    use crate::model::time::Timestamp;
    let [url] = args.files.as_slice() else {
        eprintln!("error: --from prometheus takes one server URL, e.g. http://localhost:9090");
        return 2;
    };
    let mut queries = Vec::new();
    for q in &args.queries {
        let Some((name, promql)) = q.split_once('=') else {
            eprintln!("error: --query `{q}`: expected METRIC=PROMQL");
            return 2;
        };
        queries.push((name.trim().to_owned(), promql.trim().to_owned()));
    }
    if queries.is_empty() {
        eprintln!("error: --from prometheus needs at least one --query METRIC=PROMQL");
        return 2;
    }
    let parse =
        |text: &Option<String>, flag: &str| text.as_deref().map(Timestamp::parse).transpose().map_err(|e| eprintln!("error: {flag}: {e}"));
    let (Ok(end), Ok(start)) = (parse(&args.end, "--end"), parse(&args.start, "--start")) else { return 2 };
    let end = end.unwrap_or_else(Timestamp::now);
    let start = start.unwrap_or(Timestamp(end.0 - 7 * 86_400_000));
    let range = RangeQuery { url: url.display().to_string(), queries, start, end, step_seconds: args.step, environment: args.env.clone() };
    let snapshots = match fetch(&range) {
        Ok(s) => s,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!("nothing was imported");
            return 2;
        }
    };
    // Ids are the step times: importing an overlapping range again adds only the new runs.
    let total = snapshots.len();
    match append_history(&args.into, "prometheus", snapshots, true) {
        Ok((_, 0)) => {
            output(&format!("nothing new: the history has all {total} runs of the range\n"));
            0
        }
        Ok((path, n)) => {
            output(&format!("imported {n} runs ({} already there) into {}\n", total - n, path.display()));
            0
        }
        Err(code) => code,
    }
}

fn run_report(args: &ReportArgs) -> i32 {
    use crate::report::site::{SiteInput, site};
    let workspace = match load_valid(&args.workspace, Some("no report was written: fix the files above first")) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let options = CheckOptions {
        environment: args.env.clone(),
        baseline_branch: args.baseline_branch.clone(),
        budget_changes: crate::approval::applied_budget_changes(&args.workspace),
        ..CheckOptions::default()
    };
    let report = check(&workspace, &options);
    let filter = RunFilter { environment: report.environment.clone(), branch: Some(report.baseline_branch.clone()) };
    let analysis = analyze(&workspace.history, &filter, Some(&workspace), &DetectorSettings::default());
    let now = crate::model::time::Timestamp::now();
    let (proposals, unreadable) = crate::approval::ledger::open_proposals(&args.workspace, now);
    for e in &unreadable {
        eprintln!("warning: a proposal is left out of the report: {e}");
    }
    let files = site(&SiteInput { workspace: &workspace, report: &report, analysis: &analysis, proposals: &proposals, generated: now });
    for file in &files {
        let path = args.output.join(&file.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| crate::model::workspace::write_atomic(&path, file.text.as_bytes()));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return 2;
        }
    }
    // A budget removed since the last report leaves no page behind (only the site's own kinds of file go).
    let written: std::collections::HashSet<PathBuf> = files.iter().map(|f| args.output.join(&f.path)).collect();
    if let Ok(entries) = std::fs::read_dir(args.output.join("budget")) {
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.extension().is_some_and(|e| e == "html" || e == "svg") && !written.contains(&path) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    output(&format!(
        "wrote {} files ({} budget{}) to {}; open {}\n",
        files.len(),
        report.results.len(),
        if report.results.len() == 1 { "" } else { "s" },
        args.output.display(),
        args.output.join("index.html").display()
    ));
    0
}

fn run_alerts(args: &AlertsArgs) -> i32 {
    use crate::report::prometheus::{alerting, rule_tests, rules};
    let workspace = match load_valid(&args.workspace, None) {
        Ok(w) => w,
        Err(code) => return code,
    };
    // Run-time alerts use the runtime environment's limits, never the CI gate's by default.
    let environment = args.env.clone().or_else(|| workspace.config.runtime_environment.clone());
    if let Some(env) = &environment
        && !workspace.config.environments.is_empty()
        && !workspace.config.environments.contains(env)
    {
        eprintln!("error: --env `{env}` is not among the workspace's environments ({})", workspace.config.environments.join(", "));
        return 2;
    }
    if environment.is_none() {
        eprintln!(
            "note: no runtime environment is named (`runtime_environment: prod` in headroom.yaml, or --env): the alerts use the budgets' own limits, without any environment's overrides"
        );
    }
    let alerting = alerting(&workspace, environment.as_deref());
    if !alerting.without.is_empty() {
        eprintln!(
            "note: {} budgets have no `promql:` or `slo:` (nor `alerts: promql:` for their kind in headroom.yaml) and get no alert: {}",
            alerting.without.len(),
            alerting.without.join(", ")
        );
    }
    let text = rules(&alerting, environment.as_deref(), &format!("{}m", args.for_minutes));
    let Some(path) = &args.output else {
        output(&text);
        return 0;
    };
    if let Err(e) = crate::model::workspace::write_atomic(path, text.as_bytes()) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return 2;
    }
    if let Some(tests) = &args.tests {
        let rule_file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let same_folder = tests.parent() == path.parent();
        let rule_ref = if same_folder { rule_file } else { path.display().to_string() };
        if let Err(e) = crate::model::workspace::write_atomic(
            tests,
            rule_tests(&alerting, environment.as_deref(), &rule_ref, args.for_minutes).as_bytes(),
        ) {
            eprintln!("error: cannot write {}: {e}", tests.display());
            return 2;
        }
    }
    output(&format!(
        "{} alerting budgets and {} SLOs written to {}{}\n",
        alerting.thresholds.len(),
        alerting.slos.len(),
        path.display(),
        environment.map_or_else(String::new, |e| format!(" (limits of `{e}`)"))
    ));
    0
}

fn run_check(args: &CheckArgs) -> i32 {
    let workspace = match load(&args.workspace) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let mut settings: CheckSettings = workspace.config.check.clone();
    args.gate.apply(&mut settings);
    if let Some(m) = args.missing {
        settings.missing_data = match m {
            MissingArg::Fail => MissingData::Fail,
            MissingArg::Warn => MissingData::Warn,
        };
    }
    let baseline_branch = args.baseline_branch.clone().or_else(|| std::env::var("GITHUB_BASE_REF").ok().filter(|b| !b.trim().is_empty()));
    let options = CheckOptions {
        environment: args.env.clone(),
        run: args.run.clone(),
        baseline_branch,
        settings: Some(settings),
        budget_changes: crate::approval::applied_budget_changes(&args.workspace),
        baseline_from: match (&args.baseline_run, &args.baseline_commit) {
            (Some(id), _) => Some(crate::engine::check::BaselineRuns::Run(id.clone())),
            (None, Some(commit)) => Some(crate::engine::check::BaselineRuns::Commit(commit.clone())),
            (None, None) => None,
        },
    };
    let report = check(&workspace, &options);
    let format = match args.format {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
        FormatArg::Junit => Format::Junit,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Github => Format::Github,
    };
    let text = render(format, &workspace, &report);
    output(&text);
    if let Some(path) = &args.output
        && let Err(e) = crate::model::workspace::write_atomic(path, text.as_bytes())
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return 2;
    }
    report.exit_code().into()
}

/// Reads history files into one history. Runs keep file order, or time order where every run
/// has a time. Repeated ids (two rows with the same time) are kept as separate runs.
fn load_history_files(files: &[PathBuf]) -> Result<History, i32> {
    let limit = crate::model::workspace::MAX_HISTORY_BYTES;
    let parsed = parse_in_parallel(
        files,
        |path| {
            let name = path.display().to_string();
            let text = crate::model::workspace::read_text(path, limit).map_err(|e| Err(format!("cannot read {name}: {e}")))?;
            history_any_columns(&name, &text).map_err(Ok)
        },
        &mut |_| {},
    );
    let mut columns = Vec::with_capacity(parsed.len());
    let mut errors = Vec::new();
    for result in parsed {
        match result {
            Ok(c) => columns.push(c),
            Err(Ok(e)) => errors.extend(e),
            Err(Err(unreadable)) => {
                eprintln!("error: {unreadable}");
                return Err(2);
            }
        }
    }
    // A run id seen before in its environment gets `#2`, `#3`, ...: files given on the command
    // line are often exports that repeat ids.
    let places: Vec<(usize, usize)> = columns.iter().enumerate().flat_map(|(f, c)| (0..c.runs.len()).map(move |r| (f, r))).collect();
    let repeated = repeated_keys(places.len(), |i| {
        let (f, r) = places[i];
        let run = columns[f].runs.run(r);
        (run.environment, run.id)
    });
    let mut count_of_first: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    let mut renamed: Vec<Vec<(usize, String)>> = vec![Vec::new(); columns.len()];
    for (later, first) in repeated {
        let count = count_of_first.entry(first).or_insert(1);
        *count += 1;
        let (f, r) = places[later as usize];
        renamed[f].push((r, format!("{}#{}", columns[f].runs.run(r).id, count)));
    }
    for (file, renamed) in columns.iter_mut().zip(&renamed) {
        file.runs.rename(renamed);
    }
    let (history, more) = History::from_columns(columns);
    errors.extend(more);
    if errors.is_empty() {
        Ok(history)
    } else {
        for e in &errors {
            eprintln!("error: {e}");
        }
        eprintln!("{} errors; nothing was analysed", errors.len());
        Err(2)
    }
}

fn run_analyze(args: &AnalyzeArgs) -> i32 {
    if args.min_segment < 2 {
        eprintln!("error: --min-segment must be at least 2");
        return 2;
    }
    let workspace = match (&args.workspace, args.files.is_empty()) {
        (Some(dir), _) => match load(dir) {
            Ok(w) => Some(w),
            Err(code) => return code,
        },
        (None, true) => match load(Path::new("budgets")) {
            Ok(w) => Some(w),
            Err(code) => return code,
        },
        (None, false) => None,
    };
    if let Some(w) = &workspace
        && !w.errors.is_empty()
    {
        for e in &w.errors {
            eprintln!("error: {e}");
        }
        return 2;
    }
    let history = if args.files.is_empty() {
        workspace.as_ref().map(|w| w.history.clone()).unwrap_or_default()
    } else {
        match load_history_files(&args.files) {
            Ok(h) => h,
            Err(code) => return code,
        }
    };
    let mut filter = RunFilter { environment: args.env.clone(), branch: args.branch.clone() };
    if let (Some(w), true) = (&workspace, args.files.is_empty()) {
        filter.environment = filter
            .environment
            .or_else(|| w.config.default_environment.clone())
            .or_else(|| history.runs.last().and_then(|r| r.environment.map(str::to_owned)));
        filter.branch = filter.branch.or_else(|| Some(w.config.default_branch.clone()));
    }
    let settings = DetectorSettings {
        min_segment: args.min_segment,
        significance: args.significance,
        min_relative_change: args.min_change,
        ..DetectorSettings::default()
    };
    let analysis = analyze(&history, &filter, workspace.as_ref(), &settings);
    let text = match args.format {
        AnalyzeFormat::Text => crate::report::analysis::text(&history, &analysis),
        AnalyzeFormat::Json => crate::report::analysis::json(&history, &analysis),
    };
    output(&text);
    if let Some(path) = &args.output
        && let Err(e) = crate::model::workspace::write_atomic(path, text.as_bytes())
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return 2;
    }
    0
}

fn run_replay(args: &ReplayArgs) -> i32 {
    let workspace = match load_valid(&args.workspace, None) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let mut settings = workspace.config.check.clone();
    args.gate.apply(&mut settings);
    let replay = crate::engine::replay::replay(&workspace, args.env.clone(), &settings);
    output(&match args.format {
        AnalyzeFormat::Text => crate::report::analysis::replay_text(&workspace.history, &replay),
        AnalyzeFormat::Json => crate::report::analysis::replay_json(&replay),
    });
    0
}

/// `headroom triage`: changes only the fields given, merged with what is on disk at the moment of
/// writing (under the workspace's lock), so triage saved by others meanwhile is kept.
fn run_triage(args: &TriageArgs) -> i32 {
    use crate::model::store::{TriageSaved, read_triage, save_triage_entry};
    if !args.finding.contains('@') {
        eprintln!("error: `{}` is not a finding: expected `metric@run`", args.finding);
        return 2;
    }
    if !args.workspace.is_dir() {
        eprintln!("error: {} is not a workspace folder", args.workspace.display());
        return 2;
    }
    let shown = |e: &crate::model::triage::TriageEntry| {
        format!(
            "{}: {}{}{}\n",
            args.finding,
            e.state.label(),
            if e.owner.is_empty() { String::new() } else { format!(", owner {}", e.owner) },
            if e.note.is_empty() { String::new() } else { format!(": {}", e.note) }
        )
    };
    if args.state.is_none() && args.owner.is_none() && args.note.is_none() {
        return match read_triage(&args.workspace) {
            Ok(triage) => {
                output(&shown(&triage.entries.get(&args.finding).cloned().unwrap_or_default()));
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        };
    }
    // Only the fields given change; the base is the entry as read here, and the save merges it
    // with the disk under the lock, so a field someone else changed meanwhile is kept.
    let result = read_triage(&args.workspace).and_then(|triage| {
        let base = triage.entries.get(&args.finding).cloned().unwrap_or_default();
        let ours = crate::model::triage::TriageEntry {
            state: args.state.unwrap_or(base.state),
            owner: args.owner.clone().unwrap_or_else(|| base.owner.clone()),
            note: args.note.clone().unwrap_or_else(|| base.note.clone()),
            updated: Some(crate::model::time::Timestamp::now()),
        };
        save_triage_entry(&args.workspace, &args.finding, &base, &ours)
    });
    match result {
        Ok(TriageSaved::Saved(entry)) => {
            output(&shown(&entry));
            0
        }
        Ok(TriageSaved::Conflict { fields, .. }) => {
            for f in &fields {
                eprintln!(
                    "error: `{}` of {} was just changed by someone else to `{}`; yours was `{}`",
                    f.field, args.finding, f.theirs, f.ours
                );
            }
            eprintln!("nothing was written: run the command again to set it over theirs");
            1
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

fn run_validate(path: &Path) -> i32 {
    let workspace = match load(path) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let checked = workspace.budgets.iter().filter(|b| b.is_checked()).count();
    output(&format!(
        "{}: {} budget files, {checked} budgets; {} history files, {} runs, {} metrics, {} values\n",
        workspace.root,
        workspace.budget_files.len(),
        workspace.history_files.len(),
        workspace.history.runs.len(),
        workspace.history.series.len(),
        workspace.history.point_count()
    ));
    let mut errors = workspace.errors.clone();
    errors.extend(crate::approval::governance_errors(path));
    for e in &errors {
        output(&format!("error: {e}\n"));
    }
    if errors.is_empty() {
        output("valid\n");
        0
    } else {
        output(&format!("{} errors\n", errors.len()));
        2
    }
}

#[cfg(feature = "gui")]
fn run_gui(path: Option<PathBuf>) -> i32 {
    match crate::gui::run(path) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}
