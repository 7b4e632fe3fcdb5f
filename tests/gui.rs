//! The desktop app, driven headlessly as a user drives it (egui_kittest), on the bundled workspace.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use headroom::gui::theme::contrast;
use headroom::gui::{App, Source};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
mod common;
use common::copy_dir;

fn app_on(source: Source) -> Harness<'static, App> {
    let mut harness = Harness::builder().with_size(egui::vec2(1400.0, 860.0)).build_eframe(move |cc| App::new(cc, &source));
    settle(&mut harness);
    harness
}

fn app_on_example() -> Harness<'static, App> {
    app_on(Source::Example)
}

/// Steps the app until its background jobs are done, then until it is still.
fn settle(harness: &mut Harness<'static, App>) {
    let start = Instant::now();
    loop {
        harness.step();
        let state = &harness.state().state;
        // Loading, a plot, a replay, an import, a signing, an apply or an export.
        let busy = state.busy();
        if !busy {
            break;
        }
        // A liveness bound, not a speed target (those are in `cargo bench`): a debug build replays
        // the whole example history through the gate here.
        assert!(start.elapsed() < Duration::from_secs(240), "the app did not finish loading");
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.run();
}

/// A copy of the bundled workspace in a temporary folder, to write into.
fn copy_of_bundled() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets").as_path(), dir.path());
    dir
}

fn selected_id(harness: &Harness<'static, App>) -> Option<String> {
    let state = &harness.state().state;
    state.selected.map(|i| state.workspace.budgets[i].id.clone())
}

#[test]
fn the_window_shows_the_budget_tree_with_status_and_headroom() {
    let mut harness = app_on_example();
    harness.get_by_label_contains("Example workspace (built in, read-only)");
    harness.get_by_label_contains("capability_budgets.yaml");
    // ADR 030's capability budget, with its value against the limit and the headroom left.
    harness.get_by_label("schema_validator latency   33.7 ms / 50 ms   33% left");
    // The JavaScript bundle fails, and so do Auth's open regression (the lookup and its parent,
    // which nobody has accepted); database.delete's +5 % is within its noise.
    harness.get_by_label_contains("3 failing");
    harness.get_by_label("Select a budget on the left to see its history against the budget.");
    harness.snapshot("budget_tree");
}

#[test]
fn clicking_a_budget_shows_its_history_against_the_limit() {
    let mut harness = app_on_example();
    harness.get_by_label_contains("API Gateway").click();
    harness.run();
    assert_eq!(selected_id(&harness).as_deref(), Some("services.api_gateway"));
    assert!(harness.state().state.plot.data.main.len() > 100);
    // The metric view names the budget, its file and line, and its limit.
    harness.get_by_label("services.api_gateway · services.yaml:33");
    harness.get_by_label("warning at 18 ms");
    harness.get_by_label_contains("(20 runs of main)");
    harness.snapshot("api_gateway_selected");

    // Hovering over a run names it, its commit, branch, time and value.
    let (point, run) = {
        let plot = &harness.state().state.plot.data;
        (plot.main[100], plot.main_runs[100])
    };
    let memory = egui_plot::PlotMemory::load(&harness.ctx, headroom::gui::widgets::plot::plot_id("history")).unwrap();
    let at = memory.transform().position_from_point(&egui_plot::PlotPoint::new(point[0], point[1]));
    harness.hover_at(at);
    harness.run();
    let history = &harness.state().state.workspace.history;
    let expected = format!("run {} · {}", history.runs.run(run).id, &history.runs.run(run).commit.unwrap()[..10]);
    harness.get_by_label_contains(&expected);
}

#[test]
fn allocations_stack_against_their_parent() {
    let mut harness = app_on_example();
    harness.get_by_label_contains("API Gateway").click();
    harness.run();
    harness.get_by_label("allocations stacked").click();
    harness.run();
    assert!(harness.state().state.plot.stacked);
    harness.get_by_label_contains("allocations measure");
    harness.snapshot("api_gateway_stacked");
}

#[test]
fn a_failing_budget_explains_why() {
    let mut harness = app_on_example();
    harness.get_by_label_contains("Frontend bundle").click();
    harness.run();
    harness.get_by_label_contains("allocated 850 KB of 850 KB");
    // The allocation's row.
    harness.get_all_by_label_contains("javascript   ").next().unwrap().click();
    harness.run();
    harness.get_by_label_contains("over budget: ");
}

#[test]
fn the_filter_narrows_the_tree_and_ctrl_f_focuses_it() {
    let mut harness = app_on_example();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run();
    harness.get_by_role(egui::accesskit::Role::TextInput).type_text("lookup");
    harness.run();
    assert_eq!(harness.state().state.tree.filter.text, "lookup");
    // The match and its parent, opened to show it.
    harness.get_by_label_contains("Auth Service");
    harness.get_by_label_contains("database_lookup");
    assert!(harness.query_by_label_contains("API Gateway").is_none());
    harness.snapshot("filtered_tree");
    harness.get_by_label("over budget").click();
    harness.run();
    harness.get_by_label("No budget matches the filter.");
    harness.get_by_label("Clear the filter").click();
    harness.run();
    harness.get_by_label_contains("API Gateway");
    harness.get_by_label("frontend.yaml");
}

#[test]
fn a_finding_is_shown_on_its_plot_and_triaged() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains("Findings (").click();
    harness.run();
    harness.get_by_label_contains("services.auth at ci-1157").click();
    harness.run();
    assert_eq!(selected_id(&harness).as_deref(), Some("services.auth"));
    assert!(harness.state().state.plot.view.is_some(), "the plot is asked to centre on the change");
    harness.get_by_label_contains("change point: regression 18.9 ms to 22.7 ms (+20.0%)");
    // The first triage menu belongs to the most severe finding.
    harness.get_all_by_label("triage").next().unwrap().click();
    harness.run();
    harness.get_by_label("investigating").click();
    // Saving a triage rechecks the workspace in the background.
    settle(&mut harness);
    // The finding's own record file, so two people's triage merges in git.
    let triage = headroom::model::store::read_triage(dir.path()).unwrap();
    assert!(triage.entries.values().any(|e| e.state == headroom::model::triage::TriageState::Investigating), "{triage:?}");
    assert!(dir.path().join("triage").read_dir().unwrap().count() == 1);
}

#[test]
fn a_triage_changed_on_disk_while_its_window_is_open_shows_both_values_and_the_user_chooses() {
    use headroom::gui::state::{Command, FindingsCommand};
    use headroom::model::triage::{TriageEntry, TriageState, record_file, record_to_yaml};
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains("Findings (").click();
    harness.run();
    harness.get_all_by_label("Owner and note…").next().unwrap().click();
    harness.run();
    let (key, base) = harness.state().state.findings.triage_draft.clone().expect("the triage window is open");
    // The user fills in the form (what typing into it sends) ...
    let mine = TriageEntry { state: TriageState::Investigating, owner: "ana".into(), note: "TLS upgrade".into(), ..base.clone() };
    harness.state_mut().state.apply(Command::Findings(FindingsCommand::EditTriage(key.clone(), mine)));
    harness.run();
    // ... while a teammate's triage of the same finding lands on disk (`git pull`, or the CLI).
    let theirs = TriageEntry { state: TriageState::Fixed, owner: "tom".into(), ..base };
    let record = dir.path().join(record_file(&key));
    std::fs::create_dir_all(record.parent().unwrap()).unwrap();
    std::fs::write(&record, record_to_yaml(&key, &theirs)).unwrap();
    // The watcher sees it, and the window shows both values of each field both changed.
    let start = Instant::now();
    while harness.state().state.findings.triage_conflict.is_none() {
        assert!(start.elapsed() < Duration::from_secs(15), "the change on disk was not seen: {:?}", harness.state().state.message);
        harness.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    harness.run();
    harness.get_by_label("Changed on disk meanwhile, by someone else, and by you:");
    harness.get_by_label("Keep theirs: fixed").click();
    harness.run();
    harness.get_by_label("Keep mine: ana").click();
    harness.run();
    assert!(harness.state().state.findings.triage_conflict.is_none());
    assert_eq!(std::fs::read_to_string(&record).unwrap(), record_to_yaml(&key, &theirs), "nothing written before the save");
    harness.get_by_label("Save").click();
    // The save runs in the background and the folder's watcher then reloads: wait for both.
    settle(&mut harness);
    let saved = headroom::model::store::read_triage(dir.path()).unwrap().entries[&key].clone();
    assert_eq!((saved.state, saved.owner.as_str(), saved.note.as_str()), (TriageState::Fixed, "ana", "TLS upgrade"));
    assert!(harness.state().state.findings.triage_draft.is_none());
}

#[test]
fn the_findings_list_puts_the_most_severe_first_with_its_hints() {
    let mut harness = app_on_example();
    harness.get_by_label_contains("Findings (").click();
    harness.run();
    harness.get_by_label_contains("regression 9.88 ms to 13.9 ms (+40.3%), confidence >99.99%, severity high");
    harness.get_all_by_label("commits 56a95775efa0..176546331d72").next().unwrap();
    harness.get_by_label_contains("services.mint.balance_calculation at ci-1109").click();
    harness.run();
    assert_eq!(selected_id(&harness).as_deref(), Some("services.mint.balance_calculation"));
    harness.snapshot("findings");
}

#[test]
fn review_mode_walks_the_agenda_with_the_keyboard_and_exports_it() {
    let mut harness = app_on_example();
    // A fixed day, so the snapshot does not change with the calendar.
    harness.state_mut().state.today = headroom::model::time::Timestamp::parse("2026-11-25").unwrap();
    harness.key_press(egui::Key::F11);
    harness.run();
    assert!(harness.state().state.review.is_some());
    harness.get_by_label_contains("Budget review, ");
    harness.get_by_label_contains("Over budget · 1 of 1");
    // The item's heading, and its row in the agenda's overview beside it.
    assert_eq!(harness.query_all_by_label("frontend.javascript: 202 KB of 200 KB").count(), 2);
    harness.snapshot("review_mode");
    harness.key_press(egui::Key::ArrowRight);
    harness.run();
    assert_eq!(harness.state().state.review.as_ref().unwrap().index, 1);
    harness.get_by_label_contains("New regressions since the last review · 1 of");
    let out = tempfile::tempdir().unwrap();
    harness.get_by_label("Export…").click();
    harness.run();
    let field = harness.get_by_role(egui::accesskit::Role::TextInput);
    field.click();
    harness.run();
    harness.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    harness.get_by_role(egui::accesskit::Role::TextInput).type_text(&out.path().join("notes").display().to_string());
    harness.run();
    harness.get_by_label("Export").click();
    settle(&mut harness);
    let md = std::fs::read_to_string(out.path().join("notes/review.md")).unwrap();
    assert!(md.contains("## Over budget (1)") && md.contains(".png)"), "{md}");
    assert!(out.path().join("notes/review.html").exists());
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.state().state.review.is_none());
}

#[test]
fn file_open_with_a_typed_path_opens_that_workspace() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("caps.yaml"), "search:\n  max_latency_ms: 80\n").unwrap();
    let mut harness = app_on_example();
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Open workspace…").click();
    harness.run();
    // The path field is the window's (the tree's filter field comes first).
    harness.get_all_by_role(egui::accesskit::Role::TextInput).last().unwrap().click();
    harness.run();
    harness.get_all_by_role(egui::accesskit::Role::TextInput).last().unwrap().type_text(&dir.path().display().to_string());
    harness.run();
    harness.get_by_label("Open").click();
    settle(&mut harness);
    assert_eq!(harness.state().state.source, Source::Folder(dir.path().to_path_buf()));
    assert_eq!(harness.state().prefs.recent.first(), Some(&dir.path().display().to_string()));
    harness.get_by_label_contains("search latency");
    // A budget with no history is shown as failing: nothing measures it.
    harness.get_by_label_contains("the history has no runs");
}

#[test]
fn a_bad_file_is_listed_and_a_click_shows_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("caps.yaml"), "search:\n  max_latency_ms: 80\nbad:\n  max_latency_ms: fast\n").unwrap();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains("1 problem in the workspace's files");
    harness.get_by_label_contains("caps.yaml:4").click();
    harness.run();
    harness.get_by_label("Problem in a workspace file");
    harness.get_by_label("    4 │   max_latency_ms: fast");
}

#[test]
fn each_located_error_is_a_row_with_its_file_and_line_in_the_strip_and_under_its_file_in_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("caps.yaml"), "search:\n  max_latency_ms: 80\n").unwrap();
    std::fs::write(dir.path().join("broken.yaml"), "search2:\n  max_latency_ms: [80\n").unwrap();
    std::fs::create_dir(dir.path().join("proposals")).unwrap();
    std::fs::write(dir.path().join("proposals/typo.yaml"), "id: typo\ntitel: Tighten search\n").unwrap();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let state = &harness.state().state;
    let errors: Vec<String> = state.load_errors().map(headroom::gui::widgets::error::row_text).collect();
    assert!(errors.len() >= 2, "{errors:?}");
    harness.get_by_label_contains(&format!("{} problems in the workspace's files", errors.len()));
    // One row per error, each with its file and line: the broken budget file's and the proposal's.
    for row in &errors {
        harness.get_by_label(row);
    }
    harness.get_by_label_contains("proposals/typo.yaml:2:1 titel: unknown field in a proposal; did you mean `title`?");
    // The tree's red node for the file that did not load lists its problems by line.
    harness.get_by_label_contains("broken.yaml did not load");
    let in_tree = harness.get_by_label_contains("line 2:");
    in_tree.click();
    harness.run();
    harness.get_by_label("Problem in a workspace file");
    harness.get_by_label("    2 │   max_latency_ms: [80");
}

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_dropped_history_file_joins_the_workspace_and_a_change_on_disk_reloads_it() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let runs = harness.state().state.workspace.history.runs.len();
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("nightly.jsonl");
    std::fs::write(&file, "{\"id\":\"n-1\",\"timestamp\":\"2026-11-24T00:00:00Z\",\"environment\":\"ci\",\"branch\":\"main\",\"metrics\":{\"frontend.css\":40}}\n")
        .unwrap();
    harness.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(file)));
    settle(&mut harness);
    assert_eq!(harness.state().state.workspace.history.runs.len(), runs + 1);
    harness.get_by_label_contains("Added nightly.jsonl to the workspace");

    // Someone edits a budget: the watcher sees it and the app reloads by itself.
    let caps = dir.path().join("capability_budgets.yaml");
    let text = std::fs::read_to_string(&caps).unwrap().replace("max_latency_ms: 50", "max_latency_ms: 45");
    std::fs::write(&caps, text).unwrap();
    let start = Instant::now();
    while !harness.state().state.message.as_deref().unwrap_or("").contains("changed on disk") {
        assert!(start.elapsed() < Duration::from_secs(15), "no reload after a change on disk");
        harness.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    settle(&mut harness);
    harness.get_by_label("schema_validator latency   33.7 ms / 45 ms   25% left");
}

#[test]
fn a_budget_with_a_change_of_level_shows_the_engine_change_point() {
    let mut harness = app_on_example();
    harness.get_by_label_contains("Auth Service").click();
    harness.run();
    let state = &harness.state().state;
    assert_eq!(state.plot.data.change_points.len(), 1, "{:?}", state.plot.data.change_points);
    harness.get_by_label_contains("change point: regression 18.9 ms to 22.7 ms (+20.0%)");
    // Nobody accepted the regression: the baseline stays at the level before it, and the view
    // says since when it has been open.
    harness.get_by_label_contains("open since run ci-1157");
    harness.snapshot("auth_change_point");
}

#[test]
fn the_sensitivity_window_replays_settings_on_the_plot() {
    let mut harness = app_on_example();
    harness.get_by_label_contains("Auth Service").click();
    harness.run();
    harness.get_by_label("View").click();
    harness.run();
    harness.get_by_label("Sensitivity…").click();
    settle(&mut harness);
    harness.get_by_label_contains("Saved settings: ");
    harness.get_by_label_contains("These settings: ");
    harness.get_by_label("only services.auth").click();
    harness.run();
    assert_eq!(harness.state().state.sensitivity.as_ref().unwrap().scope.as_deref(), Some("services.auth"));
}

#[test]
fn a_budget_change_is_proposed_signed_and_applied_from_the_app() {
    let dir = copy_of_bundled();
    // A team of one technical approver whose key this test holds, and a fresh ledger.
    let key = dir.path().join("tom_key");
    let made =
        std::process::Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-C", "tom", "-f"]).arg(&key).status().unwrap();
    assert!(made.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    // maria proposes, and proves it with her own signature (she never counts as an approver).
    let maria_key = dir.path().join("maria_key");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "maria", "-f"])
        .arg(&maria_key)
        .status()
        .unwrap();
    assert!(made.success());
    let maria_public = std::fs::read_to_string(maria_key.with_extension("pub")).unwrap();
    std::fs::write(dir.path().join("allowed_signers"), format!("tom@example.com {public}maria@example.com {maria_public}")).unwrap();
    std::fs::write(
        dir.path().join("approval.yaml"),
        "roles:\n  technical: [tom@example.com]\n  business: [tom@example.com]\n  stakeholder: [tom@example.com]\n",
    )
    .unwrap();
    std::fs::remove_dir_all(dir.path().join("ledger")).unwrap();
    std::fs::remove_dir_all(dir.path().join("proposals")).unwrap();
    headroom::approval::ledger::start_ledger(dir.path(), headroom::model::time::Timestamp::now(), None).unwrap();

    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let draft = open_proposal_dialog(&mut harness, "schema_validator latency");
    // Tighten the limit from 50 ms to 45 ms (a tightening needs one technical sign-off).
    fill_draft(&mut harness, draft, 45.0, ["tighten-schema", "Tighten the schema validator to 45 ms", "The cache fix gave 4 ms back"]);
    harness.get_by_label_contains("A tightening: needs 1 more technical sign-off");
    harness.get_by_label_contains("+   max_latency_ms: 45");
    harness.get_by_label("Create proposal").click();
    harness.run();
    assert!(dir.path().join("proposals/tighten-schema.yaml").exists());

    harness.get_by_label_contains("Proposals (1)").click();
    harness.run();
    harness.get_by_label("PENDING");
    harness.get_by_label("Sign…").click();
    harness.run();
    // The author (remembered from the draft) is not offered as the signer.
    let prompt = harness.state().state.proposals.sign_prompt.clone().unwrap();
    assert_eq!(prompt.principal, "", "{prompt:?}");
    harness.state_mut().state.apply(
        headroom::gui::state::ProposalCommand::AskSign(headroom::gui::state::SignPrompt {
            id: "tighten-schema".into(),
            principal: "tom@example.com".into(),
            key_file: key.display().to_string(),
        })
        .into(),
    );
    harness.run();
    harness.get_by_label("Sign").click();
    settle(&mut harness);
    harness.get_by_label("PENDING");
    harness.state_mut().state.apply(
        headroom::gui::state::ProposalCommand::AskSign(headroom::gui::state::SignPrompt {
            id: "tighten-schema".into(),
            principal: "maria@example.com".into(),
            key_file: maria_key.display().to_string(),
        })
        .into(),
    );
    harness.run();
    harness.get_by_label("Sign").click();
    settle(&mut harness);
    harness.get_by_label("APPROVED");
    harness.get_by_label("Apply").click();
    settle(&mut harness);
    assert!(std::fs::read_to_string(dir.path().join("capability_budgets.yaml")).unwrap().contains("max_latency_ms: 45"));
    assert!(headroom::approval::ledger::verify(dir.path()).problems.is_empty());
    assert_eq!(harness.state().prefs.principal, "maria@example.com", "the signer is remembered");
    harness.get_by_label_contains("Budgets").click();
    harness.run();
    harness.get_by_label("schema_validator latency   33.7 ms / 45 ms   25% left");
}

#[test]
fn a_benchmark_tools_output_is_imported_from_the_file_menu_or_by_dropping_it() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let runs = harness.state().state.workspace.history.runs.len();
    let outside = tempfile::tempdir().unwrap();
    // hyperfine's --export-json shape, for a budget of the bundled workspace.
    let hyperfine = outside.path().join("hyperfine.json");
    std::fs::write(
        &hyperfine,
        r#"{"results": [{"command": "database.select_simple", "mean": 0.0031, "median": 0.0031, "times": [0.0030, 0.0031, 0.0032]}]}"#,
    )
    .unwrap();

    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Import benchmark results…").click();
    harness.run();
    harness.get_by_label("Import benchmark results");
    let draft = headroom::gui::state::ImportDraft {
        paths: hyperfine.display().to_string(),
        run_id: "bench-1".into(),
        branch: "main".into(),
        environment: "ci".into(),
        ..Default::default()
    };
    harness.state_mut().state.apply(headroom::gui::state::ImportCommand::Edit(draft).into());
    harness.run();
    harness.get_by_label("Import").click();
    settle(&mut harness);
    assert_eq!(harness.state().state.workspace.history.runs.len(), runs + 1);
    harness.get_by_label_contains("Imported 1 metrics as run bench-1");

    // Dropped on the window, a tool's JSON is recognised and imported as a run too.
    let bmf = outside.path().join("bmf.json");
    std::fs::write(&bmf, r#"{"database.insert": {"latency": {"value": 5200000.0}}}"#).unwrap();
    harness.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(bmf)));
    settle(&mut harness);
    assert_eq!(harness.state().state.workspace.history.runs.len(), runs + 2);
    assert!(dir.path().join("history/bmf").is_dir(), "an import is a file of its own in history/bmf/");
}

/// The columns of `frame`'s top quarter where the series' blue is drawn, in an RGBA image `width` wide.
fn high_blue_columns(rgba: &[u8], width: u32, frame: egui::Rect) -> Vec<u32> {
    let blue = |x: u32, y: u32| {
        let p = &rgba[((y * width + x) * 4) as usize..][..4];
        p[2] > 180 && p[0] < 120 && p[1] > 100 && p[1] < 180
    };
    let (x0, x1) = (frame.min.x as u32 + 2, frame.max.x as u32 - 2);
    let (y0, y1) = (frame.min.y as u32 + 2, (frame.min.y + frame.height() / 4.0) as u32);
    (x0..x1).filter(|&x| (y0..y1).any(|y| blue(x, y))).collect()
}

/// Draws a box with the right mouse button, as egui_plot's box zoom wants.
fn box_zoom(harness: &mut Harness<'static, App>, from: egui::Pos2, to: egui::Pos2) {
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Secondary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    harness.hover_at(from);
    harness.step();
    harness.event(button(from, true));
    harness.step();
    for t in [0.25, 0.5, 0.75, 1.0] {
        harness.hover_at(from + (to - from) * t);
        harness.step();
    }
    harness.event(button(to, false));
    harness.run();
}

#[test]
fn a_long_series_is_drawn_by_the_gpu_with_its_spike_hover_box_zoom_and_an_overlay() {
    // 300,000 runs of two metrics, one run of `api` a spike: over the pyramid threshold, so the GPU
    // draws the lines.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("api.yaml"),
        "budgets:\n  api: {unit: ms, statistic: mean, limit: 100}\n  db: {unit: ms, statistic: mean, limit: 100}\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("history")).unwrap();
    let mut csv = String::from("time,api (ms),db (ms)\n");
    for i in 0..300_000_i64 {
        let t = headroom::model::time::Timestamp((1_700_000_000 + i * 60) * 1000);
        let v = if i == 200_000 { 95.0 } else { 40.0 + (i % 7) as f64 };
        csv.push_str(&format!("{t},{v},{}\n", 20 + i % 3));
    }
    std::fs::write(dir.path().join("history/api.csv"), csv).unwrap();
    let source = Source::Folder(dir.path().to_path_buf());
    // A wgpu renderer from the start, so the app finds eframe's render state as in a window; the
    // test keeps the render state to see what the plot holds on the GPU.
    let state =
        egui_kittest::wgpu::create_render_state(egui_kittest::wgpu::default_wgpu_setup(), eframe::egui_wgpu::RendererOptions::PREDICTABLE);
    let renderer = egui_kittest::wgpu::WgpuTestRenderer::from_render_state(state.clone());
    let mut harness =
        Harness::builder().with_size(egui::vec2(1400.0, 860.0)).renderer(renderer).build_eframe(move |cc| App::new(cc, &source));
    settle(&mut harness);
    assert!(harness.state().state.gpu_plot, "the app installed the GPU line renderer");
    harness.get_by_label_contains("api ").click();
    harness.run_steps(2);
    // 300,000 runs: the plot is prepared in the background while the window says so.
    assert!(harness.state().state.plot_preparing());
    harness.get_by_label_contains("Preparing the plot of 300000 runs");
    settle(&mut harness);
    assert!(harness.state().state.plot.data.pyramid.is_some());
    let image = harness.render().unwrap();
    let ctx = harness.ctx.clone();
    let memory = move || egui_plot::PlotMemory::load(&ctx, headroom::gui::widgets::plot::plot_id("history")).unwrap();
    let frame = *memory().transform().frame();
    let high = high_blue_columns(image.as_raw(), image.width(), frame);
    assert!(!high.is_empty(), "the spike is drawn");
    assert!(high.iter().max().unwrap() - high.iter().min().unwrap() < 10, "and only the spike: {high:?}");
    let gpu_bytes = || headroom::gui::gpu_plot::gpu_bytes(&state.renderer.read());
    assert!(gpu_bytes() > 0 && gpu_bytes() < 300_000 * 8, "a full view uploads a level, not the points: {} bytes", gpu_bytes());

    // Hovering over the spike names its run, as on a plot drawn by egui_plot.
    let spike_x = harness.state().state.plot.data.main[200_000][0];
    let at = memory().transform().position_from_point(&egui_plot::PlotPoint::new(spike_x, 95.0));
    harness.hover_at(at);
    harness.run();
    let run = harness.state().state.plot.data.main_runs[200_000];
    let id = harness.state().state.workspace.history.runs.run(run).id.to_owned();
    harness.get_by_label_contains(&format!("run {id}"));

    // A box drawn with the right button zooms into it; the spike stays, now wide.
    let bounds = *memory().bounds();
    box_zoom(&mut harness, at - egui::vec2(30.0, 0.0), egui::pos2(at.x + 30.0, frame.max.y - 5.0));
    let zoomed = *memory().bounds();
    assert!(zoomed.width() < bounds.width() / 10.0, "zoomed from {bounds:?} to {zoomed:?}");
    assert!(zoomed.min()[0] < spike_x && spike_x < zoomed.max()[0], "around the spike");
    let image = harness.render().unwrap();
    assert!(!high_blue_columns(image.as_raw(), image.width(), *memory().transform().frame()).is_empty(), "the spike is drawn zoomed in");

    // Overlay the other metric from the Overlay menu: the GPU draws it too, in its own colour.
    harness.get_by_label("Overlay").click();
    harness.run();
    harness.get_by_label("db (db)").click();
    settle(&mut harness);
    let overlay = &harness.state().state.plot.data.overlays;
    assert_eq!(overlay.len(), 1);
    assert!(overlay[0].pyramid.is_some());
    let before = gpu_bytes();
    harness.render().unwrap();
    assert!(gpu_bytes() > before, "the overlay's level is on the GPU");
    harness.get_by_label("Overlay (1)");

    // Another selection drops the overlays, and their GPU memory with the pyramids.
    harness.get_by_label_contains("db ").click();
    settle(&mut harness);
    assert!(harness.state().state.plot.data.overlays.is_empty());
    harness.render().unwrap();
    harness.render().unwrap();
    assert!(gpu_bytes() < before, "what the old plot held is freed: {} bytes against {before}", gpu_bytes());
}

fn app_sized(source: Source, size: egui::Vec2) -> Harness<'static, App> {
    let mut harness = Harness::builder().with_size(size).build_eframe(move |cc| App::new(cc, &source));
    settle(&mut harness);
    harness
}

/// The budgets the tree shows as rows with a limit (not groups), by id.
fn shown_checked(harness: &Harness<'static, App>) -> Vec<String> {
    let state = &harness.state().state;
    (0..state.tree.shown.len())
        .filter(|&i| state.tree.shown[i] && state.result_of.contains_key(&i))
        .map(|i| state.workspace.budgets[i].id.clone())
        .collect()
}

#[test]
fn a_broken_budget_file_is_never_green_the_app_says_incomplete_and_lists_its_budgets_not_loaded() {
    let dir = copy_of_bundled();
    // One misspelt field in services.yaml and a syntax error in database.yaml.
    let services = std::fs::read_to_string(dir.path().join("services.yaml")).unwrap().replacen("    limit: 100", "    limt: 100", 1);
    std::fs::write(dir.path().join("services.yaml"), services).unwrap();
    let database = std::fs::read_to_string(dir.path().join("database.yaml")).unwrap().replacen("limit: 5", "limit: [5", 1);
    std::fs::write(dir.path().join("database.yaml"), database).unwrap();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let overall = harness.state().state.states.overall;
    assert!(matches!(overall, headroom::gui::standing::Overall::Incomplete { not_checked, .. } if not_checked > 20), "{overall:?}");
    harness.get_by_label_contains("INCOMPLETE: ");
    harness.get_by_label_contains("in 2 files that did not load");
    // The failed files are red nodes in the tree, with the budgets they hold marked not loaded.
    harness.get_by_label_contains("database.yaml did not load: 6 budgets not checked");
    harness.get_by_label_contains("services.yaml did not load: ");
    harness.get_by_label("services.api_gateway.authentication   not loaded").click();
    harness.run();
    harness.get_by_label("Problem in a workspace file");
    harness.get_by_label_contains("│     limt: 100");
}

#[test]
fn an_environment_with_no_runs_is_never_a_pass() {
    let mut harness = app_on_example();
    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Environment").click();
    harness.run();
    harness.get_by_label("dev").click();
    settle(&mut harness);
    let state = &harness.state().state;
    assert_eq!(state.report.environment.as_deref(), Some("dev"));
    assert_eq!(state.states.counts.pass, 0, "no data is never within budget");
    assert_eq!(state.states.counts.no_data, state.report.results.len());
    harness.get_by_label_contains("INCOMPLETE: ");
    harness.get_by_label_contains("with no data").click();
    harness.run();
    harness.get_by_label_contains("Showing only: ");
    harness.get_by_label("schema_validator latency   no data / 50 ms").click();
    harness.run();
    assert_eq!(selected_id(&harness).as_deref(), Some("schema_validator.latency"));
    harness.get_by_label("no data");
    assert!(harness.query_by_label("PASS").is_none());
}

#[test]
fn marking_the_review_held_keeps_untriaged_work_and_the_plot_and_moves_fixed_items() {
    let mut harness = app_on_example();
    harness.state_mut().state.today = headroom::model::time::Timestamp::now();
    harness.key_press(egui::Key::F11);
    harness.run();
    let regressions = |harness: &Harness<'static, App>| {
        let agenda = &harness.state().state.review.as_ref().unwrap().agenda;
        let mut items: Vec<(String, Option<usize>)> =
            agenda.items.iter().filter(|i| i.triage.is_some()).map(|i| (i.metric.clone(), i.run_index)).collect();
        items.sort();
        items
    };
    let before = regressions(&harness);
    assert!(before.len() >= 3, "{before:?}");
    // No duplicates: one item per change point, and a budget at risk with a regression is one item.
    let agenda = harness.state().state.review.as_ref().unwrap().agenda.clone();
    let mut keys: Vec<(String, Option<usize>)> = agenda.items.iter().map(|i| (i.metric.clone(), i.run_index)).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), agenda.items.len(), "{agenda:#?}");
    // Go to Auth's regression and mark it fixed: it moves to "fixed since the last review".
    while harness.state().state.review.as_ref().unwrap().agenda.items[harness.state().state.review.as_ref().unwrap().index].metric
        != "services.auth"
    {
        harness.key_press(egui::Key::ArrowRight);
        harness.run();
    }
    harness.get_by_label("fixed").click();
    // Saving a triage rechecks the workspace in the background.
    settle(&mut harness);
    // With schema_validator's regression, which a later change point reverted (not open).
    harness.get_by_label_contains("Fixed or reverted since the last review · 1 of 2");
    // Held today: the untriaged regressions stay (still open), the fixed one leaves, and the item
    // on screen keeps its plot.
    harness.key_press(egui::Key::ArrowLeft);
    harness.run();
    let (on_screen, budget) = {
        let review = harness.state().state.review.as_ref().unwrap();
        let item = &review.agenda.items[review.index];
        ((item.metric.clone(), item.run_index), item.budget)
    };
    harness.get_by_label("Mark the review held today").click();
    harness.run();
    let after = regressions(&harness);
    // The fixed one leaves, and so does the reverted one (on the record once).
    let expected: Vec<(String, Option<usize>)> =
        before.into_iter().filter(|(m, _)| m != "services.auth" && m != "schema_validator.latency").collect();
    assert_eq!(after, expected);
    let state = &harness.state().state;
    let review = state.review.as_ref().unwrap();
    let item = &review.agenda.items[review.index];
    assert_eq!((item.metric.clone(), item.run_index), on_screen, "the same item stays on screen");
    assert_eq!(state.selected, budget);
    assert!(!state.plot.data.main.is_empty(), "its plot stays");
    assert!(review.agenda.items.iter().all(|i| i.section != headroom::report::review::Section::NewRegressions));
    harness.get_by_label_contains("Still open from earlier reviews · ");
}

#[test]
fn a_proposal_is_created_when_it_is_written_not_when_the_app_started() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    // The app started long ago (its `today` is fixed at start).
    harness.state_mut().state.today = headroom::model::time::Timestamp::parse("2026-01-05").unwrap();
    let draft = open_proposal_dialog(&mut harness, "schema_validator latency");
    fill_draft(&mut harness, draft, 45.0, ["tighten-schema", "Tighten the schema validator to 45 ms", "The cache fix gave 4 ms back"]);
    harness.get_by_label("Create proposal").click();
    harness.run();
    let text = std::fs::read_to_string(dir.path().join("proposals/tighten-schema.yaml")).unwrap();
    let created = text.lines().find_map(|l| l.trim().strip_prefix("created:")).unwrap().trim().trim_matches('"').to_owned();
    let created = headroom::model::time::Timestamp::parse(&created).unwrap();
    let now = headroom::model::time::Timestamp::now();
    assert!((now.0 - created.0).abs() < 600_000, "created {created}, now {now}");
}

#[test]
fn one_definition_of_each_state_the_filter_the_findings_and_the_title_agree() {
    let mut harness = app_on_example();
    // The "open regression" filter shows exactly the budgets of the regressions the findings count.
    harness.get_by_label("open regression").click();
    harness.run();
    let mut shown = shown_checked(&harness);
    shown.sort();
    let state = &harness.state().state;
    let mut open: Vec<String> = state
        .findings
        .rows
        .iter()
        .filter(|r| headroom::gui::standing::is_open_regression(state.finding(r).verdict, state.findings.reversal(r), r.triage.state))
        .filter_map(|r| r.budget.map(|b| state.workspace.budgets[b].id.clone()))
        .collect();
    open.sort();
    open.dedup();
    assert_eq!(shown, open);
    // The two open regressions (schema_validator's was reverted at ci-1133), and the JavaScript
    // bundle over its limit.
    harness.get_by_label_contains("Findings (3)");
    harness.get_by_label("open regression").click();
    harness.run();
    // The bundle passes itself, its JavaScript fails: the title is the bundle's own colour, the
    // status says so, and a line says what fails below it.
    harness.get_by_label_contains("Frontend bundle").click();
    harness.run();
    harness.get_by_label("within budget");
    harness.get_by_label("Below it, 1 allocation failing: javascript");
    // The parent measured against its allocations' sum, explained.
    harness.get_by_label_contains("than the Frontend bundle itself measures");
}

#[test]
fn the_plot_speaks_one_colour_language_scaled_to_the_data_with_the_legend_outside() {
    // Series colours are never status colours.
    for i in 0..12 {
        assert!(!headroom::gui::theme::is_status_color(headroom::gui::theme::stack_color(i)), "stack {i}");
        assert!(!headroom::gui::theme::is_status_color(headroom::gui::theme::overlay_color(i)), "overlay {i}");
    }
    let mut harness = app_on_example();
    // The band of what passes never reaches past the limit.
    {
        let state = &harness.state().state;
        for (&b, &r) in &state.result_of {
            let result = &state.report.results[r];
            if let Some((_, _, _, high)) = state.plot_of(b).baseline_band
                && result.direction == headroom::model::units::Direction::LowerIsBetter
            {
                assert!(high <= result.limit + 1e-9, "{}: band to {high}, limit {}", result.id, result.limit);
            }
        }
    }
    // A drift is drawn as the trend it is, not a flat level.
    let js = harness.state().state.workspace.budget_index("frontend.javascript").unwrap();
    let levels = harness.state().state.plot_of(js).levels;
    let last = &levels[levels.len() - 2..];
    assert!((last[1][1] - last[0][1]).abs() > 5.0, "the JavaScript bundle's drift: {last:?}");
    harness.get_by_label_contains("API Gateway").click();
    harness.run();
    let memory = egui_plot::PlotMemory::load(&harness.ctx, headroom::gui::widgets::plot::plot_id("history")).unwrap();
    let frame = *memory.transform().frame();
    // Scaled to the data, not from zero and not to its limit of 20 ms, twice the data's level
    // (which squashed ±1.4 % of noise, and any regression, into a line along the bottom): the
    // data fills the plot, and the limit and warning are named at its edge.
    let fitted = *memory.bounds();
    assert!(fitted.min()[1] > 9.0 && fitted.max()[1] < 11.0, "{fitted:?}");
    let state = &harness.state().state;
    let gateway = &state.report.results[state.result_of[&state.selected.unwrap()]];
    let words = headroom::gui::widgets::plot::off_scale_words(gateway, None, "ms", fitted.min()[1], fitted.max()[1]);
    assert_eq!(words, [Some("above the view: limit 20 ms · warning 18 ms".to_owned()), None]);
    // "Scale to the limit" takes the limit in, and "the data" fits the data again.
    harness.get_by_label("the limit").click();
    harness.run();
    let scaled = *egui_plot::PlotMemory::load(&harness.ctx, headroom::gui::widgets::plot::plot_id("history")).unwrap().bounds();
    assert!(scaled.max()[1] >= 20.0 && scaled.min()[1] < 10.0, "{scaled:?}");
    harness.get_by_label("the data").click();
    harness.run();
    let again = *egui_plot::PlotMemory::load(&harness.ctx, headroom::gui::widgets::plot::plot_id("history")).unwrap().bounds();
    assert!(again.max()[1] < 11.0, "{again:?}");
    // The legend lies outside the data, its limit swatch named as the line.
    for legend in harness.get_all_by_label("limit 20 ms") {
        assert!(!frame.intersects(legend.rect()), "legend {:?} inside the plot {frame:?}", legend.rect());
    }
    harness.get_by_label("gate passes (baseline ± smallest flaggable change)");
}

/// A folder of budgets (`budgets`, as `b.yaml`) and a history of `cap.latency` on main, one run a
/// minute from 2026-05-01.
fn folder_of_runs(budgets: &str, values: &[f64]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("history")).unwrap();
    std::fs::write(dir.path().join("b.yaml"), budgets).unwrap();
    let history: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!("{{\"id\":\"r{i}\",\"commit\":\"{i:040x}\",\"timestamp\":\"2026-05-01T{:02}:{:02}:00Z\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"cap.latency\":{v}}}}}\n", i / 60, i % 60)
        })
        .collect();
    std::fs::write(dir.path().join("history/h.jsonl"), history.concat()).unwrap();
    dir
}

#[test]
fn a_regression_the_gate_holds_without_a_change_point_is_in_the_findings_and_the_review() {
    // A metric at zero for 56 runs, then 1 ms under a 5 ms limit: the gate fails, and the engine has
    // no change point yet. Before, Findings read "1 regression open" over an empty list, and the
    // review "Nothing is over budget, regressed or at risk" while the status bar said FAILING.
    let dir = folder_of_runs("cap:\n  max_latency_ms: 5\n", &(0..60).map(|i| if i >= 56 { 1.0 } else { 0.0 }).collect::<Vec<_>>());
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains("FAILING");
    harness.get_by_label_contains("Findings (").click();
    harness.run();
    harness.get_by_label("cap.latency: regression open since run r56").click();
    harness.run();
    assert_eq!(selected_id(&harness).as_deref(), Some("cap.latency"));
    // The plot marks where it began, in the legend too.
    let open = harness.state().state.plot.data.open_since.clone();
    assert_eq!(open.as_ref().map(|o| o.1.as_str()), Some("r56"));
    harness.get_by_label("regression open since r56 (the gate)");
    harness.key_press(egui::Key::F11);
    harness.run();
    assert!(harness.query_all_by_label_contains("regression open since run r56").count() >= 1);
    assert!(harness.query_all_by_label_contains("Nothing is over budget").next().is_none());
}

#[test]
fn another_budget_is_shown_at_the_chosen_range_whatever_the_last_one_was_panned_to() {
    // egui_plot keeps one view per plot: a budget in KB panned (its view no longer automatic),
    // then one in % read an empty plot on the KB axis, and a zoomed window hid the newest runs.
    let mut harness = app_on_example();
    harness.get_by_label_contains("Frontend bundle").click();
    harness.run();
    let id = headroom::gui::widgets::plot::plot_id("history");
    let mut memory = egui_plot::PlotMemory::load(&harness.ctx, id).unwrap();
    let x = (memory.bounds().min()[0], memory.bounds().max()[0]);
    memory.auto_bounds = false.into();
    memory.set_bounds(egui_plot::PlotBounds::from_min_max([x.0, 570.0], [x.0 + 0.3 * (x.1 - x.0), 640.0]));
    memory.store(&harness.ctx, id);
    harness.run();
    harness.get_by_label_contains("Error rate").click();
    harness.run();
    assert_eq!(selected_id(&harness).as_deref(), Some("error_rate"));
    let bounds = *egui_plot::PlotMemory::load(&harness.ctx, id).unwrap().bounds();
    let newest = harness.state().state.plot.data.main.last().unwrap()[0];
    assert!(bounds.max()[1] < 1.0 && bounds.min()[1] > 0.0, "the error rate's values, about 0.06 %: {bounds:?}");
    assert!(bounds.max()[0] >= newest, "the newest run in view: {bounds:?} {newest}");
}

#[test]
fn a_series_at_zero_has_no_negative_axis() {
    // 60 runs of 0 ms under a 5 ms limit: the axis read -0.012 to 0.014 ms, half of it below zero.
    let dir = folder_of_runs("cap:\n  max_latency_ms: 5\n", &[0.0; 60]);
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains("cap latency").click();
    harness.run();
    let bounds = *egui_plot::PlotMemory::load(&harness.ctx, headroom::gui::widgets::plot::plot_id("history")).unwrap().bounds();
    let (low, high) = (bounds.min()[1], bounds.max()[1]);
    assert!(high > 0.0 && low > -0.1 * (high - low), "{bounds:?}");
}

#[test]
fn a_pan_leaves_no_range_lit_and_the_range_button_returns_to_it() {
    // The toolbar said "30 d" (lit) over a plot panned to other weeks: no button is lit while the
    // view is elsewhere, and the button (as a double-click) returns to the range.
    let mut harness = app_on_example();
    harness.get_by_label_contains("API Gateway").click();
    harness.run();
    let lit = |harness: &Harness<'static, App>, label: &str| {
        use egui_kittest::kittest::NodeT as _;
        harness.get_by_label(label).accesskit_node().toggled().map(|t| t == egui::accesskit::Toggled::True)
    };
    let range = harness.state().state.plot.range.label();
    assert_eq!(lit(&harness, &range), Some(true), "{range}");
    harness.query_by_label("view moved").is_none().then_some(()).expect("not moved yet");
    let id = headroom::gui::widgets::plot::plot_id("history");
    let mut memory = egui_plot::PlotMemory::load(&harness.ctx, id).unwrap();
    let (min, max) = (memory.bounds().min(), memory.bounds().max());
    let shift = 0.4 * (max[0] - min[0]);
    memory.auto_bounds = false.into();
    memory.set_bounds(egui_plot::PlotBounds::from_min_max([min[0] - shift, min[1]], [max[0] - shift, max[1]]));
    memory.store(&harness.ctx, id);
    harness.run();
    assert_ne!(lit(&harness, &range), Some(true), "{range} lit over a panned view");
    harness.get_by_label("view moved");
    harness.get_by_label(&range).click();
    harness.run();
    assert_eq!(lit(&harness, &range), Some(true));
    assert!(harness.query_by_label("view moved").is_none());
    let back = *egui_plot::PlotMemory::load(&harness.ctx, id).unwrap().bounds();
    assert!((back.max()[0] - max[0]).abs() < 1e-3 * (max[0] - min[0]), "{back:?} against {max:?}");
}

fn plot_fits_the_window(size: egui::Vec2) {
    let mut harness = app_sized(Source::Example, size);
    harness.get_by_label_contains("Frontend bundle").click();
    harness.run();
    harness.get_all_by_label_contains("javascript   ").next().unwrap().click();
    harness.run();
    assert_eq!(selected_id(&harness).as_deref(), Some("frontend.javascript"));
    let memory = egui_plot::PlotMemory::load(&harness.ctx, headroom::gui::widgets::plot::plot_id("history")).unwrap();
    let frame = *memory.transform().frame();
    assert!(frame.max.x <= size.x && frame.max.y <= size.y, "the plot {frame:?} in a window of {size:?}");
    assert!(frame.width() > size.x * 0.3, "the plot is usable: {frame:?}");
    // The newest run, where the budget is crossed, is in view, and so is the legend. A limit the
    // data passes is always in view, scaled to the data or not.
    let newest = harness.state().state.plot.data.main.last().unwrap()[0];
    assert!(memory.bounds().max()[0] >= newest, "{:?} {newest}", memory.bounds());
    assert!((memory.bounds().min()[1]..=memory.bounds().max()[1]).contains(&200.0), "{:?}", memory.bounds());
    for label in harness.get_all_by_label("limit 200 KB") {
        let rect = label.rect();
        assert!(rect.max.x <= size.x && rect.max.y <= size.y, "{rect:?} in a window of {size:?}");
    }
}

#[test]
fn the_app_works_from_1024_by_700_to_a_4k_projector() {
    plot_fits_the_window(egui::vec2(1024.0, 700.0));
    plot_fits_the_window(egui::vec2(3840.0, 2160.0));
}

#[test]
fn the_status_bar_leads_to_what_needs_attention_across_files_most_severe_first() {
    use headroom::gui::standing::AttentionKind;
    let mut harness = app_on_example();
    harness.get_by_label("FAILING").click();
    harness.run();
    harness.get_by_label_contains("things need attention across every file, most severe first");
    // Long lines wrap in the panel: the metric view keeps its place beside it.
    let hint = harness.get_by_label("Select a budget on the left to see its history against the budget.").rect();
    assert!(hint.min.x > 300.0 && hint.max.x <= 1400.0, "{hint:?}");
    let attention = harness.state().state.attention.clone();
    assert!(attention.windows(2).all(|w| w[0].kind <= w[1].kind), "{attention:#?}");
    assert_eq!(attention[0].kind, AttentionKind::OverBudget);
    assert_eq!(attention[0].budget, harness.state().state.workspace.budget_index("frontend.javascript"));
    // Auth's two; schema_validator's was reverted at ci-1133 (not open, nothing to attend to).
    assert_eq!(attention.iter().filter(|a| a.kind == AttentionKind::Untriaged).count(), 2);
    // A click on an untriaged regression shows it on its budget's plot.
    let title = attention.iter().find(|a| a.kind == AttentionKind::Untriaged).unwrap().title.clone();
    harness.get_by_label(&title).click();
    harness.run();
    assert_eq!(selected_id(&harness).as_deref(), Some("services.auth.database_lookup"));
    // A count leads to the tree, filtered to those budgets.
    harness.get_by_label("3 failing").click();
    harness.run();
    harness.get_by_label("Showing only: 3 failing");
    let mut shown = shown_checked(&harness);
    shown.sort();
    // The three failing, and the bundle that holds the JavaScript, shown in its place.
    assert_eq!(shown, ["frontend", "frontend.javascript", "services.auth", "services.auth.database_lookup"]);
}

/// The top of each file's node in the tree, in the order shown.
fn file_order(harness: &Harness<'static, App>) -> Vec<String> {
    let mut files: Vec<(f32, String)> = ["capability_budgets.yaml", "database.yaml", "frontend.yaml", "services.yaml"]
        .into_iter()
        .map(|f| (harness.get_by_label(f).rect().min.y, f.to_owned()))
        .collect();
    files.sort_by(|a, b| a.0.total_cmp(&b.0));
    files.into_iter().map(|(_, f)| f).collect()
}

#[test]
fn sorting_by_status_puts_the_failing_files_first() {
    let mut harness = app_on_example();
    assert_eq!(file_order(&harness)[0], "capability_budgets.yaml", "file order to begin with");
    harness.get_by_label("Sort by").click();
    harness.run();
    harness.get_by_label("status").click();
    harness.run();
    // The JavaScript bundle and Auth's open regression fail; nothing in the other two does.
    let order = file_order(&harness);
    let mut leading = order[..2].to_vec();
    leading.sort();
    assert_eq!(leading, ["frontend.yaml", "services.yaml"], "{order:?}");
}

#[test]
fn findings_are_filtered_by_triage_state_and_closed_ones_are_dimmed_with_their_state() {
    use headroom::model::triage::TriageState;
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains("Findings (").click();
    harness.run();
    assert!(harness.query_by_label("FIXED").is_none());
    harness.get_all_by_label("triage").next().unwrap().click();
    harness.run();
    harness.get_by_label("fixed").click();
    // Saving a triage rechecks the workspace in the background.
    settle(&mut harness);
    // The fixed finding carries its state as a tag.
    harness.get_by_label("FIXED");
    let count = |state: TriageState| harness.state().state.findings.rows.iter().filter(|r| r.triage.state == state).count();
    let (fixed, untriaged) = (count(TriageState::Fixed), count(TriageState::Untriaged));
    assert!(fixed >= 1 && untriaged >= 1);
    harness.get_by_label("Show findings").click();
    harness.run();
    harness.get_by_label(&format!("fixed ({fixed})")).click();
    harness.run();
    // A row's title: `name at ci-N · date` (a reverted one's tag, `reverted at ci-N`, has no date).
    assert_eq!(harness.query_all_by_label_contains(" · 2026-").count(), fixed);
    harness.get_by_label("Show findings").click();
    harness.run();
    harness.get_by_label(&format!("untriaged ({untriaged})")).click();
    harness.run();
    assert_eq!(harness.query_all_by_label_contains(" · 2026-").count(), untriaged);
    assert!(harness.query_by_label("FIXED").is_none());
}

#[test]
fn an_improvement_offers_to_tighten_the_budget_instead_of_triage() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains("Findings (").click();
    harness.run();
    // Three regressions are triaged; the three improvements are not.
    assert_eq!(harness.get_all_by_label("triage").count(), 3);
    // The last is balance_calculation's 7.89 ms to 5.51 ms: its 15 ms limit follows, to 10.5 ms.
    // (Scrolled to first: the findings list is longer than the window in readable type.)
    harness.get_by_label("Tighten the budget to 10.5 ms…").scroll_to_me();
    harness.run();
    harness.get_by_label("Tighten the budget to 10.5 ms…").click();
    harness.run();
    harness.get_by_label("Propose a budget change");
    let state = &harness.state().state;
    let draft = state.proposals.draft.as_ref().expect("the proposal dialog is open");
    assert_eq!(Some(draft.budget), state.workspace.budget_index("services.mint.balance_calculation"));
    assert!((draft.new - 10.5).abs() < 1e-9, "{}", draft.new);
    assert_eq!(draft.draft.id, "tighten-services-mint-balance-calculation-ci-1109");
    assert!(draft.draft.title.starts_with("Tighten "), "{}", draft.draft.title);
    let (_, kind, _) = draft.preview.as_ref().expect("a proposal that can be made");
    assert_eq!(kind, "a tightening");
}

#[test]
fn a_budget_over_its_limit_is_a_finding_too() {
    let mut harness = app_on_example();
    harness.get_by_label_contains("Findings (").click();
    harness.run();
    harness.get_by_label_contains("1 budget over its limit, 6 change points");
    // First in the list, though no change point made it; a click shows it.
    let over = harness.get_by_label("frontend.javascript over its limit").rect();
    let first_change = harness.get_by_label_contains("services.auth.database_lookup at ci-1157").rect();
    assert!(over.min.y < first_change.min.y);
    harness.get_by_label_contains("against a limit of");
    harness.get_by_label("frontend.javascript over its limit").click();
    harness.run();
    assert_eq!(selected_id(&harness).as_deref(), Some("frontend.javascript"));
    // It is not a change to triage: filtered to a triage state, it is not listed.
    harness.get_by_label("Show findings").click();
    harness.run();
    harness.get_by_label_contains("untriaged (").click();
    harness.run();
    assert!(harness.query_by_label("frontend.javascript over its limit").is_none());
}

#[test]
fn an_error_creating_a_proposal_is_shown_inside_its_dialog() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let mut draft = open_proposal_dialog(&mut harness, "schema_validator latency");
    draft.new = 45.0;
    harness.state_mut().state.apply(headroom::gui::state::ProposalCommand::Edit(draft).into());
    harness.run();
    // No id, title or author yet: the dialog says why, and stays open with the draft.
    harness.get_by_label("Create proposal").click();
    harness.run();
    let error = harness.state().state.proposals.draft.as_ref().and_then(|d| d.error.clone()).expect("the error is in the dialog");
    harness.get_by_label(&error);
    assert!(harness.state().state.message.as_deref().is_none_or(|m| !m.contains("Cannot propose")));
    assert!(
        dir.path().join("proposals").read_dir().map_or(0, Iterator::count)
            == std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets/proposals")).map_or(0, Iterator::count)
    );
}

#[test]
fn a_proposal_takes_the_title_its_field_shows_and_names_no_stand_in_for_its_author() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let mut draft = open_proposal_dialog(&mut harness, "Auth Service");
    draft.new = 32.0;
    harness.state_mut().state.apply(headroom::gui::state::ProposalCommand::Edit(draft.clone()).into());
    harness.run();
    // No author typed yet: what it needs says "the author", not the draft's stand-in `-`.
    harness.get_by_label_contains("A loosening: needs 1 more business sign-off");
    harness.get_by_label_contains("needs the author's own signature (the author never counts as an approver)");
    assert!(harness.query_by_label_contains("(-, who").is_none());
    // The title field shows "Raise Auth Service to 32 ms" as its placeholder; left as it is, that
    // is the title, not "a proposal needs a title" under a field that looks filled in.
    draft.new = 32.0;
    draft.draft.author = "maria@example.com".into();
    draft.draft.rationale = "TLS upgrade".into();
    harness.state_mut().state.apply(headroom::gui::state::ProposalCommand::Edit(draft).into());
    harness.run();
    harness.get_by_label("Create proposal").click();
    harness.run();
    let error = harness.state().state.proposals.draft.as_ref().and_then(|d| d.error.clone());
    assert_eq!(error, None);
    let written = std::fs::read_to_string(dir.path().join("proposals/change-services-auth.yaml")).unwrap();
    assert!(written.contains("Raise Auth Service to 32 ms"), "{written}");
    // The dialog closed and stays closed (no edit after the submit reopens it).
    assert!(harness.state().state.proposals.draft.is_none());
    assert!(harness.query_by_label("Propose a budget change").is_none());
}

#[test]
fn a_stale_proposal_says_why_and_not_what_signatures_it_needs() {
    // The bundled proposal was applied in the bundled ledger; a ledger started again over the
    // files it produced leaves it made for other files: stale.
    let dir = copy_of_bundled();
    // New keys for maria and tom: their signatures on the old proposal no longer count.
    let mut signers = String::new();
    for who in ["maria", "tom"] {
        let key = dir.path().join(format!("{who}_key"));
        let made =
            std::process::Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-C", who, "-f"]).arg(&key).status().unwrap();
        assert!(made.success());
        signers.push_str(&format!("{who}@example.com {}", std::fs::read_to_string(key.with_extension("pub")).unwrap()));
    }
    std::fs::write(dir.path().join("allowed_signers"), signers).unwrap();
    std::fs::remove_dir_all(dir.path().join("ledger")).unwrap();
    headroom::approval::ledger::start_ledger(dir.path(), headroom::model::time::Timestamp::now(), None).unwrap();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains("Proposals (1)").click();
    harness.run();
    harness.get_by_label("STALE");
    harness.get_by_label_contains("stale: made for other contract files than these");
    // No signature can make it apply: it is not said to need more.
    assert!(harness.query_by_label_contains("more business sign-off").is_none());
    // Why a signature does not count, with the principal set as code, not between backticks.
    harness.get_by_label("maria@example.com does not count: signed with a key that allowed_signers does not list for maria@example.com");
    assert!(harness.query_by_label_contains("`maria@example.com`").is_none());
}

#[test]
fn the_import_dialog_starts_with_the_checked_environment_and_the_baseline_branch() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Import benchmark results…").click();
    harness.run();
    // Filled in, so a run imported as the dialog shows it is a run of `ci` on `main`, the one the
    // app then checks (placeholders that looked the same imported a run of no environment).
    let prompt = harness.state().state.import.prompt.clone().expect("the import dialog is open");
    assert_eq!((prompt.branch.as_str(), prompt.environment.as_str()), ("main", "ci"));
}

#[test]
fn a_tree_rows_tags_wrap_whole_never_split_inside() {
    let mut harness = Harness::builder().with_size(egui::vec2(1024.0, 700.0)).build_eframe(|cc| App::new(cc, &Source::Example));
    settle(&mut harness);
    // The frontend bundle drifts to its limit: its date is one tag, on one line.
    let tag = harness.get_by_label("limit 2030-08-14").rect();
    let noise = harness.get_all_by_label("±2.1%").next().unwrap().rect();
    assert!(tag.height() < 1.5 * noise.height(), "the tag {tag:?} is split over lines (one line is {noise:?})");
}

#[test]
fn a_proposals_id_is_derived_from_the_selected_budget() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let draft = open_proposal_dialog(&mut harness, "Frontend bundle");
    assert_eq!(draft.draft.id, "change-frontend");
    assert!(!draft.draft.id.contains("auth"));
}

/// Proposes `budget`'s limit to `new` from the app's dialog, as `tighten-schema`.
fn propose_from_the_app(harness: &mut Harness<'static, App>, budget_row: &str, new: f64) {
    let draft = open_proposal_dialog(harness, budget_row);
    fill_draft(harness, draft, new, ["tighten-schema", "Tighten the schema validator", "The cache fix gave 4 ms back"]);
    harness.get_by_label("Create proposal").click();
    harness.run();
}

/// Selects the budget whose row contains `budget_row`, opens its proposal dialog, and gives the draft.
fn open_proposal_dialog(harness: &mut Harness<'static, App>, budget_row: &str) -> headroom::gui::state::ProposalDraft {
    harness.get_by_label_contains(budget_row).click();
    harness.run();
    harness.get_by_label("Propose a change…").click();
    harness.run();
    harness.get_by_label("Propose a budget change");
    harness.state().state.proposals.draft.clone().unwrap()
}

/// Types `new` and the draft's `[id, title, rationale]` into the open dialog, with maria as author.
fn fill_draft(
    harness: &mut Harness<'static, App>,
    mut draft: headroom::gui::state::ProposalDraft,
    new: f64,
    [id, title, rationale]: [&str; 3],
) {
    draft.new = new;
    draft.draft.id = id.into();
    draft.draft.title = title.into();
    draft.draft.author = "maria@example.com".into();
    draft.draft.rationale = rationale.into();
    harness.state_mut().state.apply(headroom::gui::state::ProposalCommand::Edit(draft).into());
    harness.run();
}

/// The rows of an RGBA image with a dashed dark line across: many separate runs of dark pixels.
fn dashed_dark_rows(png_file: &Path) -> usize {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png_file).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels
        .chunks(4 * info.width as usize)
        .filter(|row| {
            let dark: Vec<bool> = row.chunks(4).map(|p| p[0] < 80 && p[1] < 80 && p[2] < 80).collect();
            // Half the width dark, in a dozen dashes or more (not a solid line, not a line of text).
            dark.iter().filter(|&&d| d).count() > dark.len() / 4 && dark.windows(2).filter(|w| w[1] && !w[0]).count() >= 12
        })
        .count()
}

#[test]
fn the_review_has_an_agenda_overview_a_proposals_limit_on_its_plot_and_export_and_says_where_it_wrote() {
    use headroom::report::review::Section;
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    propose_from_the_app(&mut harness, "schema_validator latency", 45.0);
    harness.key_press(egui::Key::F11);
    harness.run();
    // The overview lists every item under its section; a click jumps to one.
    let agenda = harness.state().state.review.as_ref().unwrap().agenda.clone();
    let proposals = agenda.items.iter().filter(|i| i.section == Section::Proposals).count();
    harness.get_by_label(&format!("Budget change proposals ({proposals})"));
    let (index, item) = agenda.items.iter().enumerate().find(|(_, i)| i.title.starts_with("Proposal tighten-schema")).unwrap();
    assert!(index > 0);
    harness.get_by_label(&item.title).click();
    harness.run();
    assert_eq!(harness.state().state.review.as_ref().unwrap().index, index);
    assert_eq!(selected_id(&harness).as_deref(), Some("schema_validator.latency"));
    // The proposed limit is drawn on the proposal's plot, beside the limit.
    harness.get_by_label("proposed limit 45 ms");
    harness.get_by_label("limit 50 ms");
    // The export draws it too, and the review says which folder it wrote.
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("notes");
    harness.get_by_label("Export…").click();
    harness.run();
    harness.get_by_role(egui::accesskit::Role::TextInput).click();
    harness.run();
    harness.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    harness.get_by_role(egui::accesskit::Role::TextInput).type_text(&folder.display().to_string());
    harness.run();
    harness.get_by_label("Export").click();
    settle(&mut harness);
    harness.get_by_label_contains(&format!("Review written to {}", folder.display()));
    let png = folder.join(format!("{:02}-schema_validator.latency.png", index + 1));
    assert!(dashed_dark_rows(&png) >= 1, "the proposed limit, dashed, in {}", png.display());
    if let Ok(copy) = std::env::var("W4_COPY") {
        std::fs::copy(&png, copy).unwrap();
    }
    let over = folder.join("01-frontend.javascript.png");
    assert_eq!(dashed_dark_rows(&over), 0, "no proposal, no dashed limit in {}", over.display());
}

/// A text the frame painted: its words, where, its colour and its size.
#[derive(Debug)]
struct Painted {
    text: String,
    rect: egui::Rect,
    color: egui::Color32,
    size: f32,
}

/// Every text the last frame painted, in the order painted.
fn painted_texts(output: &egui::FullOutput) -> Vec<Painted> {
    fn walk(shape: &egui::Shape, out: &mut Vec<Painted>) {
        match shape {
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, out)),
            egui::Shape::Text(t) if !t.galley.text().trim().is_empty() => {
                let format = &t.galley.job.sections[0].format;
                let color = if let Some(color) = t.override_text_color {
                    color
                } else if format.color == egui::Color32::PLACEHOLDER {
                    t.fallback_color
                } else {
                    format.color
                };
                out.push(Painted { text: t.galley.text().to_owned(), rect: t.visual_bounding_rect(), color, size: format.font_id.size });
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    output.shapes.iter().for_each(|c| walk(&c.shape, &mut out));
    out
}

/// The labels of a plot's axes: x below its frame (left to right), y left of it (top to bottom).
fn axis_labels(texts: &[Painted], frame: egui::Rect) -> (Vec<&Painted>, Vec<&Painted>) {
    let mut x: Vec<&Painted> = texts
        .iter()
        .filter(|t| t.rect.min.y >= frame.max.y - 1.0 && t.rect.min.y < frame.max.y + 30.0 && t.rect.center().x > frame.min.x - 60.0)
        .filter(|t| t.rect.max.x < frame.max.x + 80.0)
        .collect();
    x.sort_by(|a, b| a.rect.min.x.total_cmp(&b.rect.min.x));
    let mut y: Vec<&Painted> = texts
        .iter()
        .filter(|t| t.rect.max.x <= frame.min.x + 1.0 && t.rect.max.x > frame.min.x - 80.0 && t.text.parse::<f64>().is_ok())
        .filter(|t| t.rect.center().y >= frame.min.y && t.rect.center().y <= frame.max.y)
        .collect();
    y.sort_by(|a, b| a.rect.min.y.total_cmp(&b.rect.min.y));
    (x, y)
}

/// The x labels of the plot drawn as `name` keep a gap between them, and none is cut off.
fn x_labels_apart(harness: &Harness<'static, App>, name: &str, size: egui::Vec2) {
    let memory = egui_plot::PlotMemory::load(&harness.ctx, headroom::gui::widgets::plot::plot_id(name)).unwrap();
    let frame = *memory.transform().frame();
    let texts = painted_texts(harness.output());
    let (x, _) = axis_labels(&texts, frame);
    assert!(x.len() >= 2, "{name} at {size:?}: frame {frame:?} {x:#?}");
    for pair in x.windows(2) {
        assert!(pair[1].rect.min.x >= pair[0].rect.max.x + 8.0, "{name} at {size:?}: {:?} and {:?} overlap", pair[0], pair[1]);
    }
    let window = harness.ctx.content_rect();
    for label in &x {
        assert!(window.contains_rect(label.rect), "{name} at {size:?}: {label:?} cut off by the window {window:?}");
    }
}

#[test]
fn the_plots_date_labels_never_overlap_in_the_app_or_in_review_mode() {
    for size in [egui::vec2(1024.0, 700.0), egui::vec2(1400.0, 860.0), egui::vec2(1920.0, 1080.0)] {
        let mut harness = app_sized(Source::Example, size);
        for budget in ["schema_validator latency", "Auth Service"] {
            harness.get_by_label_contains(budget).click();
            harness.run();
            x_labels_apart(&harness, "history", size);
        }
        harness.key_press(egui::Key::F11);
        harness.run();
        for _ in 0..harness.state().state.review.as_ref().unwrap().agenda.items.len() {
            harness.run();
            x_labels_apart(&harness, "review", size);
            harness.key_press(egui::Key::ArrowRight);
            harness.run();
        }
    }
}

#[test]
fn an_exported_plot_has_its_legend_and_a_readable_label_on_every_y_line() {
    use headroom::gui::widgets::plot::{PlotOptions, history_plot_ui};
    let state = headroom::gui::AppState::new(&Source::Example);
    for id in ["schema_validator.latency", "services.auth", "frontend.javascript"] {
        let budget = state.workspace.budget_index(id).unwrap();
        let plot = state.plot_of(budget);
        let result = state.report.results[state.result_of[&budget]].clone();
        let [w, h] = headroom::gui::export::PLOT_SIZE;
        // As the export draws it: the light theme, at the export's size.
        let mut harness = Harness::builder().with_size(egui::vec2(w as f32, h as f32)).build_ui(move |ui| {
            ui.ctx().set_theme(egui::Theme::Light);
            history_plot_ui(
                ui,
                &plot,
                &result,
                &PlotOptions { id: "export", show_legend: true, proposed: Some(42.0), ..PlotOptions::default() },
            );
        });
        harness.run();
        let memory = egui_plot::PlotMemory::load(&harness.ctx, headroom::gui::widgets::plot::plot_id("export")).unwrap();
        let frame = *memory.transform().frame();
        let texts = painted_texts(harness.output());
        harness.get_by_label_contains("baseline branch");
        harness.get_by_label_contains("proposed limit 42");
        let (_, y) = axis_labels(&texts, frame);
        assert!(y.len() >= 4, "{id}: {y:#?}");
        let ink = harness.ctx.global_style().visuals.text_color();
        for label in &y {
            assert_eq!(label.color, ink, "{id}: {label:?} at full strength");
        }
        // Every line of the value grid in the frame has its label: evenly spaced.
        let gaps: Vec<f32> = y.windows(2).map(|p| p[1].rect.center().y - p[0].rect.center().y).collect();
        assert!(gaps.iter().all(|g| (g - gaps[0]).abs() < 1.5), "{id}: {gaps:?}");
    }
}

#[test]
fn hovering_a_stacked_bar_names_its_allocation_its_runs_and_its_value() {
    let mut harness = app_on_example();
    harness.get_by_label_contains("API Gateway").click();
    harness.run();
    harness.get_by_label("allocations stacked").click();
    harness.run();
    let stack = harness.state().state.plot.data.stack.clone();
    let (name, bars) = &stack[1];
    let (x, _, value) = bars[bars.len() / 2];
    let below = stack[0].1[bars.len() / 2].2;
    let memory = egui_plot::PlotMemory::load(&harness.ctx, headroom::gui::widgets::plot::stacked_plot_id("history")).unwrap();
    // Halfway up the second allocation's part of the bar.
    let pos = memory.transform().position_from_point(&egui_plot::PlotPoint::new(x, below + value / 2.0));
    harness.hover_at(pos);
    harness.run();
    let texts = painted_texts(harness.output());
    let hover = texts.iter().find(|t| t.text.contains("mean of the runs")).unwrap_or_else(|| panic!("no hover text: {texts:#?}"));
    let unit_value = headroom::report::quantity(value, "ms");
    assert!(hover.text.starts_with(&format!("{name}\n")), "{:?}", hover.text);
    assert!(hover.text.contains(&unit_value), "{:?} names {unit_value}", hover.text);
    assert!(hover.text.contains("2026-"), "{:?} names the runs' times", hover.text);
}

#[test]
fn a_regression_a_later_change_point_reverted_is_within_budget_everywhere_and_one_click_marks_it_fixed() {
    use headroom::engine::check::Status;
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let schema = harness.state().state.workspace.budget_index("schema_validator.latency").unwrap();
    // The gate passes it: 34.4 → 41.1 ms at ci-1085, back to 34.9 ms at ci-1133. So does every
    // part of the app (it said WARN regressed, with a REGRESSED tag, and counted it open).
    let gate = harness.state().state.report.results[harness.state().state.result_of[&schema]].status;
    assert_eq!(gate, Status::Pass);
    assert_eq!(harness.state().state.status_of(schema), Some(Status::Pass), "its dot");
    assert!(harness.state().state.states.is_in(schema, headroom::gui::standing::Tally::Pass));
    harness.get_by_label("2 open regressions");
    harness.get_by_label_contains("schema_validator latency").click();
    harness.run();
    harness.get_by_label("PASS");
    harness.get_by_label("within budget");
    assert!(harness.query_by_label("(the CI gate: pass)").is_none());
    // No REGRESSED tag (its tag and the open-regression filter read the same definition).
    assert!(!harness.state().state.is_regressed(schema));
    let texts = painted_texts(harness.output());
    assert!(texts.iter().any(|t| t.text.contains("reverted at ci-1133: back to 34.9 ms")), "the metric view says where it went back");
    // In the findings: grey, tagged where it was reverted, and the improvement offers no tightening.
    harness.get_by_label_contains("Findings (3)").click();
    harness.run();
    harness.get_by_label("reverted at ci-1133");
    harness.get_by_label_contains("undoes the regression at ci-1085");
    assert!(harness.query_by_label_contains("Tighten the budget to 42.5 ms").is_none());
    // One click records it fixed, in its own triage record.
    harness.get_by_label("Mark fixed").click();
    // Saving a triage rechecks the workspace in the background.
    settle(&mut harness);
    let triage = headroom::model::store::read_triage(dir.path()).unwrap();
    let entry = &triage.entries["schema_validator.latency@ci-1085"];
    assert_eq!((entry.state, entry.note.as_str()), (headroom::model::triage::TriageState::Fixed, "reverted at ci-1133"));
    assert!(harness.query_by_label("Mark fixed").is_none());
}

#[test]
fn on_the_light_theme_every_text_is_readable_and_nothing_is_cut_at_the_panels_edge() {
    let mut harness = app_sized(Source::Example, egui::vec2(1920.0, 1080.0));
    harness.state_mut().prefs.theme = headroom::gui::prefs::ThemeChoice::Light;
    harness.run();
    // The failing JavaScript bundle selected (red on the selected row), its drift date in the tree.
    harness.get_by_label_contains("Frontend bundle").click();
    harness.run();
    harness.get_all_by_label_contains("javascript   ").next().unwrap().click();
    harness.run();
    let visuals = harness.ctx.global_style().visuals.clone();
    assert!(!visuals.dark_mode);
    let texts = painted_texts(harness.output());
    let mut unreadable = Vec::new();
    for t in &texts {
        for background in [visuals.panel_fill, visuals.selection.bg_fill] {
            if contrast(t.color, background) < 4.5 || t.size < 11.0 {
                unreadable.push(format!("{:?} {:?} {} on {:?}", t.text, t.color, t.size, background));
            }
        }
    }
    assert!(unreadable.is_empty(), "{unreadable:#?}");
    // The drift date stays inside the tree's panel.
    let panel_edge = harness.get_by_label_contains("Needs attention (").rect().min.x.max(0.0);
    let heading = harness.get_all_by_label("javascript").map(|n| n.rect().min.x).fold(f32::MAX, f32::min);
    let drift = texts.iter().find(|t| t.text.contains("limit 2030-08-14")).expect("the bundle's drift date");
    assert!(drift.rect.max.x < heading && heading > panel_edge, "{drift:?} past the panel's edge at {heading}");
}

#[test]
fn on_both_themes_every_status_and_noise_text_is_readable_on_a_selected_row_and_the_panels() {
    use headroom::engine::check::Status;
    use headroom::gui::theme::{noise_text_color, status_text_color, weak_text};
    let mut harness = app_on_example();
    for (choice, dark) in [(headroom::gui::prefs::ThemeChoice::Dark, true), (headroom::gui::prefs::ThemeChoice::Light, false)] {
        harness.state_mut().prefs.theme = choice;
        harness.run();
        let visuals = harness.ctx.global_style().visuals.clone();
        assert_eq!(visuals.dark_mode, dark);
        let statuses = [Some(Status::Pass), Some(Status::Warn), Some(Status::Fail), None];
        let colors = statuses.map(|s| status_text_color(s, dark)).into_iter().chain([noise_text_color(dark), weak_text(dark)]);
        for color in colors {
            for background in [visuals.panel_fill, visuals.window_fill, visuals.selection.bg_fill] {
                assert!(
                    contrast(color, background) >= 4.5,
                    "{color:?} on {background:?} (dark {dark}): {:.2}",
                    contrast(color, background)
                );
            }
        }
    }
}

#[test]
fn a_dialog_opens_next_to_the_button_that_opened_it() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains("schema_validator latency").click();
    harness.run();
    let button = harness.get_by_label("Propose a change…").rect();
    harness.get_by_label("Propose a change…").click();
    harness.run();
    harness.run();
    let title = harness.get_by_label("Propose a budget change").rect();
    // Just below the button, not in the middle of the window.
    assert!(title.min.y > button.max.y && title.min.y < button.max.y + 60.0, "title {title:?}, button {button:?}");
    assert!((title.min.x - button.min.x).abs() < 120.0, "title {title:?}, button {button:?}");
}

#[test]
fn one_proposal_changes_an_allocation_and_its_parent_together() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains("Frontend bundle").click();
    harness.run();
    harness.get_all_by_label_contains("javascript   ").next().unwrap().click();
    harness.run();
    harness.get_by_label("Propose a change…").click();
    harness.run();
    let draft = harness.state().state.proposals.draft.clone().unwrap();
    fill_draft(
        &mut harness,
        draft,
        230.0,
        ["raise-javascript-and-bundle", "Raise the JavaScript allocation and the bundle with it", "The new editor ships 30 KB"],
    );
    // The parent, added from the dialog, and raised by as much.
    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "also change, in the same proposal").click();
    harness.run();
    harness.get_by_label("Frontend bundle (frontend)").click();
    harness.run();
    harness.get_by_label_contains("and Frontend bundle (frontend): now 850 KB");
    let mut draft = harness.state().state.proposals.draft.clone().unwrap();
    let frontend = harness.state().state.workspace.budget_index("frontend").unwrap();
    assert_eq!(draft.more, vec![(frontend, 850.0)]);
    draft.more[0].1 = 880.0;
    harness.state_mut().state.apply(headroom::gui::state::ProposalCommand::Edit(draft).into());
    harness.run();
    harness.get_by_label("Create proposal").click();
    harness.run();
    let text = std::fs::read_to_string(dir.path().join("proposals/raise-javascript-and-bundle.yaml")).unwrap();
    let proposal = headroom::approval::proposal::parse_proposal("raise-javascript-and-bundle.yaml", &text).unwrap();
    let mut changes: Vec<(String, f64)> = proposal.changes.iter().map(|c| (c.budget.clone(), c.new)).collect();
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(changes, [("frontend".to_owned(), 880.0), ("frontend.javascript".to_owned(), 230.0)]);
}

/// A workspace of one capability budget whose latency runs 240 times on main around 30 ms, six
/// hours apart: its noise σ 1 ms for the first 120 runs and `later_sigma_ms` after (the level
/// holds throughout), seeded so it is the same history on every machine.
fn workspace_with_noise(later_sigma_ms: f64) -> tempfile::TempDir {
    use headroom::model::time::Timestamp;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("capability_budgets.yaml"), "schema_validator:\n  max_latency_ms: 50\n  max_memory_mb: 10\n").unwrap();
    let mut rng = headroom::engine::synthetic::Rng::new(7);
    let start = Timestamp::parse("2026-06-01").unwrap();
    let mut lines = String::new();
    for i in 0..240_i64 {
        use std::fmt::Write as _;
        let sigma = if i < 120 { 1.0 } else { later_sigma_ms };
        let latency = 30.0 + sigma * rng.gaussian();
        writeln!(
            lines,
            "{{\"id\":\"ci-{}\",\"timestamp\":\"{}\",\"commit\":\"{:012x}\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"schema_validator.latency\":{latency:.2},\"schema_validator.memory\":4}}}}",
            1001 + i,
            Timestamp(start.0 + i * 6 * 3_600_000),
            0x00ab_c000 + i
        )
        .unwrap();
    }
    std::fs::create_dir_all(dir.path().join("history")).unwrap();
    std::fs::write(dir.path().join("history/ci.jsonl"), lines).unwrap();
    dir
}

#[test]
fn a_change_of_noise_is_marked_on_the_plot_named_in_the_metric_view_and_listed_but_never_a_regression() {
    use headroom::engine::check::Status;
    let dir = workspace_with_noise(3.0);
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.state_mut().prefs.theme = headroom::gui::prefs::ThemeChoice::Light;
    harness.run();
    let (latency, run_id, run_index) = {
        let state = &harness.state().state;
        let noise = &state.analysis.noise_findings;
        assert_eq!(noise.len(), 1, "{noise:?}");
        assert!(noise[0].rose() && noise[0].after / noise[0].before > 2.0, "{:?}", noise[0]);
        let latency = state.workspace.budget_index("schema_validator.latency").unwrap();
        (latency, noise[0].run_id.clone(), noise[0].run_index)
    };
    // Not a regression: nothing turns red or amber, nothing is open.
    {
        let state = &harness.state().state;
        assert!(state.analysis.findings.is_empty(), "no change of level: {:?}", state.analysis.findings);
        assert_eq!(state.status_of(latency), Some(Status::Pass));
        assert_eq!(state.states.counts.open_regressions, 0);
        assert!(state.attention.is_empty(), "{:?}", state.attention);
    }
    harness.get_by_label_contains("ALL WITHIN BUDGET");

    // The findings list names it after the change points, and a click shows it on the plot.
    harness.get_by_label_contains("Findings (0)").click();
    harness.run();
    harness.get_by_label_contains("0 change points, 1 change of noise,");
    harness.get_by_label("Changes of noise (1)");
    harness.get_by_label_contains("noise rose from σ ");
    harness.get_by_label_contains(&format!("schema_validator.latency at {run_id}")).click();
    harness.run();
    assert_eq!(selected_id(&harness).as_deref(), Some("schema_validator.latency"));
    assert!(harness.state().state.plot.view.is_some(), "the plot is asked to centre on the change");
    assert!(harness.query_by_label("triage").is_none(), "a change of noise is not triaged");

    // The metric view: still a pass, the change in words, and a dashed mark with its label.
    harness.get_by_label("PASS");
    harness.get_by_label_contains("change of noise: noise rose from σ");
    let texts = painted_texts(harness.output());
    let words = texts.iter().find(|t| t.text.starts_with("change of noise: ")).map(|t| t.text.clone()).unwrap_or_default();
    assert!(words.contains(&format!("at run {run_id}, confidence")), "{words}");
    // Said in the metric view and in the findings list beside it.
    assert_eq!(harness.get_all_by_label_contains("not a regression (its spread, not its level)").count(), 2);
    harness.get_by_label("change of noise (spread, not level)");
    let mark = harness.state().state.plot.data.noise_changes[0].clone();
    assert_eq!(mark.run_index, run_index);
    assert!(mark.label.starts_with("noise ×") && words.contains(&format!("({})", &mark.label["noise ".len()..])), "{mark:?} {words}");
    let memory = egui_plot::PlotMemory::load(&harness.ctx, headroom::gui::widgets::plot::plot_id("history")).unwrap();
    let frame = *memory.transform().frame();
    let line_x = memory.transform().position_from_point_x(mark.x);
    let label = texts.iter().find(|t| t.text == mark.label).expect("the mark's label on the plot");
    assert!(frame.contains_rect(label.rect), "{label:?} inside the plot {frame:?}");
    assert!((label.rect.min.x - line_x).abs() < 12.0 || (label.rect.max.x - line_x).abs() < 12.0, "{label:?} beside its line at {line_x}");
    // Readable on the light theme, and in no status colour.
    let visuals = harness.ctx.global_style().visuals.clone();
    for t in texts.iter().filter(|t| t.text == mark.label || t.text.starts_with("change of noise: ")) {
        let background = if t.text == mark.label { visuals.extreme_bg_color } else { visuals.panel_fill };
        assert!(contrast(t.color, background) >= 4.5 && t.size >= 11.0, "{t:?}");
        assert!(!headroom::gui::theme::is_status_color(t.color), "{t:?}");
    }

    // The weekly review lists it in a section of its own, with no triage, its plot centred on it.
    harness.key_press(egui::Key::F11);
    harness.run();
    let review = harness.state().state.review.clone().unwrap();
    let item = review.agenda.section(headroom::report::review::Section::NoiseChanges).next().expect("the change of noise on the agenda");
    assert!(item.title.starts_with("schema_validator latency: noise rose ×") && item.title.contains(&run_id), "{}", item.title);
    assert_eq!((item.run_index, item.triage.clone()), (Some(run_index), None));
    assert_eq!(review.agenda.items.len(), 1, "nothing else to discuss: {:#?}", review.agenda.items);
    harness.get_by_label_contains("Changes of noise since the last review · 1 of 1");
}

#[test]
fn steady_noise_shows_no_change_of_noise_anywhere() {
    let dir = workspace_with_noise(1.0);
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    assert!(harness.state().state.analysis.noise_findings.is_empty(), "{:?}", harness.state().state.analysis.noise_findings);
    harness.get_by_label_contains("schema_validator latency").click();
    harness.run();
    assert_eq!(selected_id(&harness).as_deref(), Some("schema_validator.latency"));
    assert!(harness.state().state.plot.data.noise_changes.is_empty());
    harness.get_by_label("PASS");
    harness.get_by_label_contains("Findings (0)").click();
    harness.run();
    harness.get_by_label_contains("0 change points, 0 regressions open");
    assert!(harness.query_by_label_contains("change of noise").is_none());
    assert!(harness.query_by_label_contains("Changes of noise").is_none());
    assert!(!painted_texts(harness.output()).iter().any(|t| t.text.starts_with("noise ×")));
    harness.key_press(egui::Key::F11);
    harness.run();
    let agenda = &harness.state().state.review.as_ref().unwrap().agenda;
    assert_eq!(agenda.section(headroom::report::review::Section::NoiseChanges).count(), 0, "{:#?}", agenda.items);
}

/// The painted texts that show a Markdown backtick, and the parts of texts drawn in monospace.
fn backticks_and_monospace(output: &egui::FullOutput) -> (Vec<String>, Vec<String>) {
    fn walk(shape: &egui::Shape, out: &mut (Vec<String>, Vec<String>)) {
        match shape {
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, out)),
            egui::Shape::Text(t) => {
                let job = &t.galley.job;
                if job.text.contains('`') {
                    out.0.push(job.text.clone());
                }
                for section in job.sections.iter().filter(|s| s.format.font_id.family == egui::FontFamily::Monospace) {
                    out.1.push(job.text[section.byte_range.start.0..section.byte_range.end.0].to_owned());
                }
            }
            _ => {}
        }
    }
    let mut out = (Vec::new(), Vec::new());
    output.shapes.iter().for_each(|c| walk(&c.shape, &mut out));
    out
}

#[test]
fn the_engines_words_show_names_in_monospace_never_in_markdown_backticks() {
    let mut harness = app_on_example();
    let mut backticks = Vec::new();
    let mut look = |harness: &Harness<'static, App>, code: &str| {
        let (marked, monospace) = backticks_and_monospace(harness.output());
        backticks.extend(marked);
        assert!(monospace.iter().any(|m| m == code), "{code} is not in monospace: {monospace:?}");
    };
    // The metric view of an open regression, and of one a later change point reverted.
    harness.get_by_label_contains("Auth Service").click();
    harness.run();
    harness.get_by_label_contains("open since run ci-1157");
    look(&harness, "ci-1157");
    harness.get_by_label_contains("schema_validator latency").click();
    harness.run();
    harness.get_by_label_contains("reverted at ci-1133: back to 34.9 ms");
    look(&harness, "ci-1133");
    // The findings, the needs-attention list, and every item of the review meeting.
    harness.get_by_label_contains("Findings (").click();
    harness.run();
    harness.get_by_label_contains("undoes the regression at ci-1085");
    look(&harness, "ci-1085");
    harness.get_by_label("FAILING").click();
    harness.run();
    look(&harness, "ci-1157");
    harness.key_press(egui::Key::F11);
    harness.run();
    let items = harness.state().state.review.as_ref().unwrap().agenda.items.len();
    let mut reverted_shown = false;
    for _ in 0..items {
        let (marked, _) = backticks_and_monospace(harness.output());
        backticks.extend(marked);
        // The regression reverted since is history: its heading in grey, as in the findings.
        let heading = painted_texts(harness.output())
            .into_iter()
            .find(|t| t.text.starts_with("schema_validator latency: level shift") && t.size > 25.0);
        if let Some(heading) = heading {
            assert_eq!(heading.color, headroom::gui::theme::status_text_color(None, true), "{heading:?}");
            reverted_shown = true;
        }
        harness.key_press(egui::Key::ArrowRight);
        harness.run();
    }
    assert!(reverted_shown, "the reverted regression is on the agenda");
    backticks.dedup();
    assert!(backticks.is_empty(), "shown with Markdown backticks: {backticks:#?}");
}

#[test]
fn a_budget_whose_history_file_did_not_load_names_that_file_and_its_error() {
    let dir = copy_of_bundled();
    std::fs::write(dir.path().join("history/ci.jsonl"), b"\xff\xfe not text\n").unwrap();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let why =
        "no metric schema_validator.latency in the history that loaded: the history file history/ci.jsonl (cannot be read: not UTF-8 text";
    // In the list of what needs attention, and beside the budget's plot.
    harness.get_by_label_contains("Needs attention (").click();
    harness.run();
    harness.get_by_label_contains(&format!("schema_validator.latency: {why}"));
    harness.get_by_label_contains("Budgets").click();
    harness.run();
    harness.get_by_label_contains("schema_validator latency").click();
    harness.run();
    harness.get_by_label_contains(why);
    assert!(harness.query_by_label_contains("nothing measures this budget").is_none());
}

#[test]
fn the_sign_dialog_names_the_workspace_in_its_command_and_says_a_failure_in_itself_with_dim_hints() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.state_mut().state.proposals.signer = headroom::gui::state::Signer::default();
    harness.state_mut().state.apply(
        headroom::gui::state::ProposalCommand::AskSign(headroom::gui::state::SignPrompt { id: "raise-auth".into(), ..Default::default() })
            .into(),
    );
    harness.run();
    // Run from another folder, `headroom proposals --canonical` would read ./budgets.
    harness.get_by_label_contains(&format!("headroom proposals '{}' --canonical raise-auth", dir.path().display()));
    // The empty fields' hints are dim, not the colour of typed text.
    let dark = harness.ctx.theme() == egui::Theme::Dark;
    let texts = painted_texts(harness.output());
    let hint = texts.iter().find(|t| t.text == "you@example.com").expect("the principal's hint is drawn");
    assert_eq!(hint.color, headroom::gui::theme::hint_color(dark));
    // A signing that fails (no such proposal here): said in the dialog, as well as on the status
    // line, and the dialog stays open with what was typed.
    harness.state_mut().state.apply(
        headroom::gui::state::ProposalCommand::AskSign(headroom::gui::state::SignPrompt {
            id: "raise-auth".into(),
            principal: "tom@example.com".into(),
            key_file: "/no-such-key".into(),
        })
        .into(),
    );
    harness.run();
    harness.get_by_label("Sign").click();
    settle(&mut harness);
    let error = harness.state().state.proposals.sign_error.clone().expect("the dialog has the error");
    assert!(error.contains("raise-auth.yaml"), "{error}");
    assert_eq!(harness.query_all_by_label_contains("raise-auth.yaml").count(), 2, "in the dialog and on the status line");
    let prompt = harness.state().state.proposals.sign_prompt.clone().expect("the dialog stays open");
    assert_eq!((prompt.principal.as_str(), prompt.key_file.as_str()), ("tom@example.com", "/no-such-key"));
}

#[test]
fn a_mistyped_import_path_is_said_in_the_import_dialog_and_is_no_problem_of_the_workspaces_files() {
    let dir = copy_of_bundled();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let listed = harness.state().state.load_errors().count();
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Import benchmark results…").click();
    harness.run();
    let mut draft = harness.state().state.import.prompt.clone().expect("the import dialog is open");
    draft.paths = "/no/such/hyperfine.json".into();
    harness.state_mut().state.apply(headroom::gui::state::ImportCommand::Edit(draft.clone()).into());
    harness.run();
    harness.get_by_label("Import").click();
    settle(&mut harness);
    // In the dialog, with the path, and the dialog keeps what was typed.
    assert_eq!(harness.state().state.import.prompt.as_ref(), Some(&draft), "the dialog stays open with its inputs");
    let error = harness.state().state.import.error.clone().expect("the dialog has the error");
    assert!(error.contains("/no/such/hyperfine.json"), "{error}");
    harness.get_by_label_contains("/no/such/hyperfine.json");
    // Not a problem of the workspace's files (it read "1 problem in the workspace's files").
    assert_eq!(harness.state().state.load_errors().count(), listed);
    assert!(harness.query_by_label_contains("in the workspace's files").is_none() || listed > 0);
    // An import that cannot start (no file) says so in the dialog too.
    draft.paths = String::new();
    harness.state_mut().state.apply(headroom::gui::state::ImportCommand::Edit(draft).into());
    harness.run();
    harness.get_by_label("Import").click();
    harness.run();
    harness.get_by_label_contains("Give the tool's output file");
}

#[test]
fn a_worse_level_accepted_by_a_triage_is_tagged_accepted_in_the_warnings_colour_never_green() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("capability_budgets.yaml"), "cap:\n  max_latency_ms: 200\n").unwrap();
    std::fs::create_dir_all(dir.path().join("history")).unwrap();
    // 100 ms for 40 runs, then 112 ms (±0.5 ms), accepted as won't fix at r40.
    let line = |i: usize| -> String {
        let value = if i < 40 { 100.0 } else { 112.0 } + [0.0, 0.5, -0.5][i % 3];
        format!(
            "{{\"id\":\"r{i}\",\"timestamp\":\"2026-11-{:02}T{:02}:00:00Z\",\"commit\":\"c{i}\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"cap.latency\":{value}}}}}\n",
            1 + i / 8,
            (i % 8) * 3
        )
    };
    let runs: String = (0..60).map(line).collect();
    std::fs::write(dir.path().join("history/ci.jsonl"), runs).unwrap();
    std::fs::create_dir_all(dir.path().join("triage")).unwrap();
    std::fs::write(
        dir.path().join("triage/cap.latency@r40.yaml"),
        "finding: \"cap.latency@r40\"\nstate: wont_fix\nowner: \"dana\"\nnote: \"new parser\"\nupdated: 2026-12-05\naccepted_change: \"+13.00%\"\n",
    )
    .unwrap();
    let mut harness = app_on(Source::Folder(dir.path().to_path_buf()));
    let state = &harness.state().state;
    assert_eq!(state.report.results[0].status, headroom::engine::check::Status::Pass, "{:?}", state.report.results[0].findings);
    // The gate passes it; the tree says it is accepted (its dot in the warning's colour), the
    // status bar counts it with the warnings, and nothing reads "all within budget".
    harness.get_by_label("ACCEPTED");
    harness.get_by_label_contains("1 warning");
    harness.get_by_label_contains("0 within budget");
    assert!(harness.query_by_label_contains("ALL WITHIN BUDGET").is_none());
    harness.get_by_label("cap latency   112 ms / 200 ms   44% left").click();
    harness.run();
    harness.get_by_label("accepted");
    harness.get_by_label_contains("accepted: the baseline is a level 12.0% worse than the one before it, since run r40");
}

#[test]
fn the_runs_every_baseline_left_out_as_the_runner_s_incidents_are_named_in_the_status_strip() {
    let dir = tempfile::tempdir().unwrap();
    let mut budgets = String::from("budgets:\n");
    for b in 0..8 {
        budgets.push_str(&format!("  m{b}: {{unit: ms, limit: 1000}}\n"));
    }
    std::fs::write(dir.path().join("budgets.yaml"), budgets).unwrap();
    std::fs::create_dir(dir.path().join("history")).unwrap();
    // 8 budgets in about 1 % noise (a fixed scramble), every one of them 20 % slower on runs 20 and
    // 21, back on run 22: the runner's brief incident.
    let mut lines = String::new();
    for i in 0..60usize {
        let metrics: Vec<String> = (0..8usize)
            .map(|b| {
                let jitter = ((i * 7919 + b * 104_729) % 1000) as f64 / 1000.0 - 0.5;
                let incident = if (20..22).contains(&i) { 1.2 } else { 1.0 };
                format!("\"m{b}\":{:.4}", (10.0 + b as f64) * (1.0 + 0.02 * jitter) * incident)
            })
            .collect();
        lines.push_str(&format!(
            "{{\"id\":\"r{i}\",\"timestamp\":\"2026-01-{:02}T{:02}:00:00Z\",\"commit\":\"c{i}\",\"branch\":\"main\",\"metrics\":{{{}}}}}\n",
            1 + i / 24,
            i % 24,
            metrics.join(",")
        ));
    }
    std::fs::write(dir.path().join("history/runs.jsonl"), lines).unwrap();
    let harness = app_on(Source::Folder(dir.path().to_path_buf()));
    harness.get_by_label_contains(
        "Left out of every baseline as the runner's brief incidents (every budget slower at once, then back): r20, r21",
    );
}
