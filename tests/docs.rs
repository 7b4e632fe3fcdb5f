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
