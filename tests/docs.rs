//! The CI jobs shipped in `docs/` and the worked example's (`examples/adr-030/`) are valid YAML, and every `headroom` command in them parses with
//! the real command line (subcommands, flags and values), so the docs cannot drift from the CLI.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use clap::Parser as _;
use headroom::model::yaml::{Node, Value, parse};

fn strings(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::String(s) => out.push(s.clone()),
        Value::Seq(items) => items.iter().for_each(|n| strings(n, out)),
        Value::Map(entries) => entries.iter().for_each(|(_, n)| strings(n, out)),
        _ => {}
    }
}

/// Splits a shell line into words (quotes kept together), up to `||`, `>`, `;` or `&&`.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            (_, c) => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    let end = out.iter().position(|w| ["||", ">", ";", "&&", "|"].contains(&w.as_str())).unwrap_or(out.len());
    out.truncate(end);
    out
}

#[test]
fn every_headroom_command_in_the_shipped_ci_jobs_parses() {
    let mut checked = 0;
    for file in ["docs/github-workflow.yml", "docs/gitlab-ci.yml", "examples/adr-030/.github/workflows/performance.yml"] {
        let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
        let root = parse(&text).unwrap_or_else(|e| panic!("{file}:{}: {}", e.pos.line, e.message));
        let mut all = Vec::new();
        strings(&root, &mut all);
        for line in all.iter().flat_map(|s| s.lines()).map(str::trim).filter(|l| l.starts_with("headroom ")) {
            let argv = words(line);
            if let Err(e) = headroom::cli::Cli::try_parse_from(&argv) {
                panic!("{file}: `{line}` does not parse: {e}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} commands found");
    // And a drifted command would be caught.
    assert!(headroom::cli::Cli::try_parse_from(words("headroom check budgets --envv ci")).is_err());
}

/// The shipped jobs gate on what they measured against what the base agreed: `verify` with
/// `--base` (without one, a ledger deleted and started again with looser budgets is as consistent
/// as the agreed one) and every `check` whose exit code gates with `--run` (the history is not
/// signed: a run added to it with a time far ahead would otherwise be checked in place of the run
/// the job measured).
#[test]
fn the_shipped_jobs_verify_against_their_base_and_check_the_run_they_measured() {
    for file in ["docs/github-workflow.yml", "docs/gitlab-ci.yml", "examples/adr-030/ci/gate.sh"] {
        let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
        let commands: Vec<&str> = text
            .lines()
            .map(|l| {
                l.trim()
                    .trim_start_matches("- ")
                    .trim_start_matches("run: ")
                    .trim_start_matches("\"$headroom\"")
                    .trim_start_matches("headroom")
            })
            .filter(|l| l.starts_with(" verify ") || l.starts_with(" check "))
            .collect();
        assert!(commands.iter().any(|c| c.starts_with(" check ")), "{file}: no check found");
        for command in commands {
            if command.starts_with(" verify ") {
                assert!(command.contains("--base"), "{file}: `{command}` verifies without a base");
            } else {
                assert!(command.contains("--run"), "{file}: `{command}` checks the newest run, not the one it measured");
            }
        }
    }
}
