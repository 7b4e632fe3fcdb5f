//! The `headroom` binary: the CLI, and the launcher of the desktop app.

fn main() -> std::process::ExitCode {
    headroom::cli::main().into()
}
