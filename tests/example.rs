//! The bundled workspace: its history is exactly what the generator in the repo makes, and
//! the binary's built-in copy is the `budgets/` folder.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use std::path::Path;

#[test]
fn the_committed_history_is_what_the_generator_makes() {
    let committed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets/history/ci.jsonl")).unwrap();
    let generated = headroom::example::generate_history();
    assert!(committed == generated, "budgets/history/ci.jsonl is stale: run `cargo run --example generate_history`");
}

#[test]
fn the_built_in_example_is_the_budgets_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets");
    let on_disk = headroom::model::workspace::Workspace::load(&root).unwrap();
    let built_in = headroom::example::workspace();
    assert!(built_in.read_only);
    assert!(built_in.errors.is_empty(), "{:?}", built_in.errors);
    assert_eq!(on_disk.budget_files, built_in.budget_files);
    assert_eq!(on_disk.budgets, built_in.budgets);
    assert_eq!(on_disk.history.runs.len(), built_in.history.runs.len());
}

#[test]
fn the_bundled_budgets_are_our_reference_documents() {
    let w = headroom::example::workspace();
    let limit = |id: &str| w.budget(id).and_then(|b| b.limit);
    assert_eq!(limit("schema_validator.latency"), Some(50.0));
    assert_eq!(limit("metrics.memory"), Some(2.0));
    assert_eq!(limit("api_response_time"), Some(100.0));
    assert_eq!(limit("error_rate"), Some(0.1));
    assert_eq!(limit("services.api_gateway"), Some(20.0));
    assert_eq!(limit("services.ai_family.ai_processing"), Some(50.0));
    assert_eq!(limit("database.batch_insert"), Some(30.0));
    assert_eq!(limit("frontend"), Some(850.0));
    assert_eq!(w.budget("services.api_gateway").map(|b| b.children.len()), Some(5));
}
