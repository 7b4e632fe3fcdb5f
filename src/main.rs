//! The `headroom` binary: the CLI, and the launcher of the desktop app.

fn main() {
    std::process::exit(headroom::cli::main());
}
