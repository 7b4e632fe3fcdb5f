//! `headroom check`: the CI gate.

use super::args::{CheckArgs, FormatArg};
use super::error::CliError;
use super::open::load;
use super::output::output;
use crate::engine::check::{BaselineRuns, CheckOptions, Problem, Status, check};
use crate::engine::exit::ExitCode;
use crate::model::config::CONFIG_FILE;
use crate::model::settings::{CheckSettings, SettingOverride};
use crate::model::yaml::{self, Value};
use crate::report::{Format, render};
use std::path::Path;

/// Checks the newest run against the budgets and baselines; the exit code is the report's verdict.
pub fn run(args: &CheckArgs) -> Result<ExitCode, CliError> {
    let workspace = load(&args.workspace)?;
    let mut settings: CheckSettings = workspace.config.check.clone();
    args.gate.apply(&mut settings);
    if let Some(m) = args.missing {
        settings.missing_data = m.into();
    }
    let overridden = workspace.config.check.overridden_by(&settings);
    let baseline_branch = args.baseline_branch.clone().or_else(|| std::env::var("GITHUB_BASE_REF").ok().filter(|b| !b.trim().is_empty()));
    let options = CheckOptions {
        environment: args.env.clone(),
        run: args.run.clone(),
        baseline_branch,
        settings: Some(settings),
        budget_changes: crate::approval::applied_budget_changes(&args.workspace),
        baseline_from: match (&args.baseline_run, &args.baseline_commit) {
            (Some(id), _) => Some(BaselineRuns::Run(id.clone())),
            (None, Some(commit)) => Some(BaselineRuns::Commit(commit.clone())),
            (None, None) => None,
        },
        now: Some(crate::model::time::Timestamp::now()),
        triage: None,
    };
    let mut report = check(&workspace, &options);
    let in_ci = args.ci || running_in_ci();
    for o in overridden.iter().filter(|o| o.looser) {
        let line = setting_line(&args.workspace, o.setting);
        report.problems.push(Problem { status: if in_ci { Status::Fail } else { Status::Warn }, message: override_words(o, line, in_ci) });
    }
    report.overridden = overridden;
    let format = match args.format {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
        FormatArg::Junit => Format::Junit,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Github => Format::Github,
    };
    let text = render(format, &workspace, &report);
    output(&text);
    if let Some(path) = &args.output {
        crate::model::disk::write_atomic(path, text.as_bytes()).map_err(|e| CliError::write(path, e))?;
    }
    Ok(report.exit_code())
}

/// Whether this is a CI job: `CI` set to anything but empty, `false` or `0` (GitHub Actions,
/// GitLab CI, CircleCI, Travis CI and Buildkite set `CI=true`; elsewhere pass `--ci`).
fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "false" | "0"))
}

/// The line of `headroom.yaml` that sets the workspace's `check.<setting>`, where it does.
fn setting_line(dir: &Path, setting: &str) -> Option<u32> {
    let text = crate::model::disk::read_text(&dir.join(CONFIG_FILE), crate::model::disk::MAX_TEXT_BYTES).ok()?;
    let Value::Map(top) = yaml::parse(&text).ok()?.value else { return None };
    let (_, check) = top.iter().find(|(k, _)| k.name == "check")?;
    let Value::Map(fields) = &check.value else { return None };
    fields.iter().find(|(k, _)| k.name == setting).map(|(k, _)| k.pos.line)
}

/// The problem a looser command-line setting makes: which option, the signed value and where it
/// is written, the given value, and what to do instead.
fn override_words(o: &SettingOverride, line: Option<u32>, in_ci: bool) -> String {
    let signed = match line {
        Some(line) => format!("{CONFIG_FILE}:{line}: `check.{}` is {}", o.setting, o.signed),
        None => format!("{CONFIG_FILE} sets no `check.{}`: the default {} holds", o.setting, o.signed),
    };
    let verdict = if in_ci {
        "refused in CI (`CI` is set, or `--ci`): the gate's settings are the signed contract's"
    } else {
        "allowed for a local run only (in CI, where `CI` is set, or with `--ci`, it fails)"
    };
    format!(
        "settings_overridden: `{} {}` is looser than the signed setting ({signed}); this check ran on unsigned settings, {verdict}. To change the gate, propose it (`headroom propose --id ... --setting {}={}`) and have it signed",
        o.option, o.given, o.setting, o.given
    )
}
