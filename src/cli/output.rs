//! The command line's one place that prints: results to standard output, notes, warnings and the
//! one error a command ends with to standard error.

use super::error::CliError;

/// Prints a command's result to standard output.
#[allow(clippy::print_stdout)]
pub fn output(text: &str) {
    print!("{text}");
}

/// Prints a line to standard error: a `warning: ...` or `note: ...` a command goes on after.
#[allow(clippy::print_stderr)]
pub fn note(line: &str) {
    eprintln!("{line}");
}

/// Prints the error a command ended with, once: `error: ` before each error line, and the lines
/// that say what was therefore not done as they are.
pub fn error(e: &CliError) {
    match e {
        CliError::Files { errors, then } => {
            for error in errors {
                note(&format!("error: {error}"));
            }
            if let Some(then) = then {
                note(then);
            }
        }
        CliError::TriageConflict { .. } => {
            for line in e.to_string().lines() {
                note(&format!("error: {line}"));
            }
            note("nothing was written: run the command again to set it over theirs");
        }
        CliError::NoApp => note(&e.to_string()),
        _ => note(&format!("error: {e}")),
    }
}
