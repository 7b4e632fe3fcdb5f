//! `headroom convert-budgets`: another tool's budgets as a Headroom budget file.

use super::error::CliError;
use super::output::output;
use crate::engine::exit::ExitCode;
use std::path::Path;

/// Converts Lighthouse CI's `budgets.json`; what is written must load as budgets.
pub fn run(from: &str, file: &Path, out: Option<&Path>) -> Result<ExitCode, CliError> {
    if from != "lighthouse-ci" {
        return Err(CliError::Invalid(format!("--from `{from}`: the budgets Headroom converts are lighthouse-ci's")));
    }
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|source| CliError::Read { path: shown.clone(), source })?;
    let yaml = crate::import::lighthouse::lighthouse_budgets(&shown, &text).map_err(|errors| CliError::Files { errors, then: None })?;
    if let Err(errors) = crate::model::budget::parse_budget_file("converted.yaml", &yaml) {
        return Err(CliError::Invalid(format!("the converted budgets do not load: {}", errors[0])));
    }
    match out {
        None => output(&yaml),
        Some(path) => {
            crate::model::disk::write_atomic(path, yaml.as_bytes()).map_err(|e| CliError::write(path, e))?;
            output(&format!(
                "wrote {}; add it to the budgets with `headroom propose --file {}={}`\n",
                path.display(),
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                path.display()
            ));
        }
    }
    Ok(ExitCode::Pass)
}
