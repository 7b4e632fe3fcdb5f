//! The desktop app, driven headlessly as a user drives it (egui_kittest), on the bundled workspace.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use headroom::gui::{App, Source};

fn app_on_example() -> Harness<'static, App> {
    Harness::builder().with_size(egui::vec2(1400.0, 860.0)).build_eframe(|cc| App::new(cc, &Source::Example))
}

#[test]
fn the_window_shows_the_budget_tree_with_status_and_headroom() {
    let mut harness = app_on_example();
    harness.run();
    harness.get_by_label_contains("Example workspace (built in, read-only)");
    harness.get_by_label_contains("capability_budgets.yaml");
    // ADR 030's capability budget, with its value against the limit and the headroom left.
    harness.get_by_label("schema_validator latency   33.7 ms / 50 ms   33% left");
    // Only the JavaScript bundle fails: database.delete's +6 % is within its noise.
    harness.get_by_label_contains("1 failing");
    harness.get_by_label("Select a budget on the left to see its history against the budget.");
}

#[test]
fn clicking_a_budget_shows_its_history_against_the_limit() {
    let mut harness = app_on_example();
    harness.run();
    harness.get_by_label_contains("API Gateway").click();
    harness.run();
    let state = &harness.state().state;
    let selected = state.selected.map(|i| state.workspace.budgets[i].id.clone());
    assert_eq!(selected.as_deref(), Some("services.api_gateway"));
    assert!(state.plot.main.len() > 100);
    // The metric view names the budget, its file and line, and its limit.
    harness.get_by_label("services.api_gateway · services.yaml:33");
    harness.get_by_label("warning at 18 ms");
    harness.get_by_label_contains("(20 runs of main)");
    harness.snapshot("api_gateway_selected");
}

#[test]
fn a_failing_budget_explains_why() {
    let mut harness = app_on_example();
    harness.run();
    harness.get_by_label_contains("Frontend bundle").click();
    harness.run();
    harness.get_by_label_contains("allocated 850 KB of 850 KB");
    harness.get_by_label_contains("javascript").click();
    harness.run();
    harness.get_by_label_contains("over budget: ");
}

#[test]
fn file_open_with_a_typed_path_opens_that_workspace() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("caps.yaml"), "search:\n  max_latency_ms: 80\n").unwrap();
    let mut harness = app_on_example();
    harness.run();
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Open workspace…").click();
    harness.run();
    harness.get_by_role(egui::accesskit::Role::TextInput).click();
    harness.run();
    harness.get_by_role(egui::accesskit::Role::TextInput).type_text(&dir.path().display().to_string());
    harness.run();
    harness.get_by_label("Open").click();
    harness.run();
    assert_eq!(harness.state().state.source, Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains("search latency");
    // A budget with no history is shown as failing: nothing measures it.
    harness.get_by_label_contains("the history has no runs");
}

#[test]
fn a_budget_with_a_change_of_level_shows_the_engine_change_point() {
    let mut harness = app_on_example();
    harness.run();
    harness.get_by_label_contains("Auth Service").click();
    harness.run();
    let state = &harness.state().state;
    assert_eq!(state.plot.change_points.len(), 1, "{:?}", state.plot.change_points);
    harness.get_by_label_contains("change point: regression 18.9 ms to 22.7 ms (+20.0%)");
    // The baseline restarted on the new level.
    harness.get_by_label_contains("since ci-1157");
    harness.snapshot("auth_change_point");
}
