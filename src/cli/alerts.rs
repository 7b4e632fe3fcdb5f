//! `headroom alerts`: Prometheus alert rules from the budgets.

use super::args::AlertsArgs;
use super::error::CliError;
use super::open::load_valid_files;
use super::output::{note, output};
use crate::engine::exit::ExitCode;
use crate::model::disk::write_atomic;
use crate::report::prometheus::{alerting, rule_tests, rules};

/// Writes the rules (and their `promtool` tests) or prints them.
pub fn run(args: &AlertsArgs) -> Result<ExitCode, CliError> {
    let workspace = load_valid_files(&args.workspace, None)?;
    // Run-time alerts use the runtime environment's limits, never the CI gate's by default.
    let environment = args.env.clone().or_else(|| workspace.config.runtime_environment.clone());
    if let Some(env) = &environment
        && !workspace.config.environments.is_empty()
        && !workspace.config.environments.contains(env)
    {
        return Err(CliError::Invalid(format!(
            "--env `{env}` is not among the workspace's environments ({})",
            workspace.config.environments.join(", ")
        )));
    }
    if environment.is_none() {
        note(
            "note: no runtime environment is named (`runtime_environment: prod` in headroom.yaml, or --env): the alerts use the budgets' own limits, without any environment's overrides",
        );
    }
    let alerting = alerting(&workspace, environment.as_deref());
    if !alerting.without.is_empty() {
        note(&format!(
            "note: {} budgets have no `promql:` or `slo:` (nor `alerts: promql:` for their kind in headroom.yaml) and get no alert: {}",
            alerting.without.len(),
            alerting.without.join(", ")
        ));
    }
    let text = rules(&alerting, environment.as_deref(), &format!("{}m", args.for_minutes));
    let Some(path) = &args.output else {
        output(&text);
        return Ok(ExitCode::Pass);
    };
    write_atomic(path, text.as_bytes()).map_err(|e| CliError::write(path, e))?;
    if let Some(tests) = &args.tests {
        let rule_file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let same_folder = tests.parent() == path.parent();
        let rule_ref = if same_folder { rule_file } else { path.display().to_string() };
        write_atomic(tests, rule_tests(&alerting, environment.as_deref(), &rule_ref, args.for_minutes).as_bytes())
            .map_err(|e| CliError::write(tests, e))?;
    }
    output(&format!(
        "{} alerting budgets and {} SLOs written to {}{}\n",
        alerting.thresholds.len(),
        alerting.slos.len(),
        path.display(),
        environment.map_or_else(String::new, |e| format!(" (limits of `{e}`)"))
    ));
    Ok(ExitCode::Pass)
}
