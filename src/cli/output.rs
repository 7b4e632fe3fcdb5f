//! The command line's one place that prints: results to standard output, notes, warnings and the
//! one error a command ends with to standard error.

use super::error::CliError;

/// Prints a command's result to standard output. A reader that stopped reading (`headroom
/// check | head`) ends the output there, quietly, with the command's own exit code (`print!`
/// panicked on the broken pipe, with a backtrace); another failure to write says so on standard
/// error.
pub fn output(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => note(&format!("error: cannot write to standard output: {e}")),
        _ => {}
    }
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
