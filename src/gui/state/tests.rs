//! The state tested without egui: each command through `AppState::apply`, on the bundled
//! example or a copy of it in a temporary folder.

use super::*;
use crate::model::settings::CheckSettings;
use crate::model::store::{read_triage, save_triage_entry};
use crate::model::triage::{TRIAGE_FILE, TriageEntry};
use std::path::Path;

fn index_of(state: &AppState, id: &str) -> usize {
    state.workspace.budget_index(id).unwrap()
}

/// A copy of the bundled workspace in a temporary folder, to write into.
fn copy_of_bundled() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in crate::example::BUDGET_FILES.iter().chain(std::iter::once(&crate::example::HISTORY_FILE)) {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn selecting_a_budget_prepares_its_series() {
    let mut state = AppState::new(&Source::Example);
    let index = index_of(&state, "services.api_gateway");
    state.apply(Command::Tree(TreeCommand::Select(index)));
    assert_eq!(state.selected, Some(index));
    assert!(state.plot.data.main.len() > 100, "{}", state.plot.data.main.len());
    assert_eq!(state.plot.data.main.len(), state.plot.data.main_runs.len());
    assert!(!state.plot.data.other.is_empty());
    assert!(state.plot.data.x_is_time);
    let (from, to, low, high) = state.plot.data.baseline_band.unwrap();
    assert!(from < to && low < high);
    // Seven services' allocations, stacked.
    assert!(state.plot.data.stack.len() >= 5, "{}", state.plot.data.stack.len());
}

#[test]
fn a_group_takes_the_worst_status_of_its_members() {
    let state = AppState::new(&Source::Example);
    let js = index_of(&state, "frontend.javascript");
    assert_eq!(state.status_of(js), Some(Status::Fail));
    assert_eq!(state.status_of(index_of(&state, "frontend")), Some(Status::Fail));
}

#[test]
fn opening_a_missing_folder_changes_nothing_but_the_message() {
    let mut state = AppState::new(&Source::Example);
    state.apply(Command::Tree(TreeCommand::Select(1)));
    state.apply(Command::Workspace(WorkspaceCommand::Open(PathBuf::from("/no/such/folder"))));
    state.wait();
    assert_eq!(state.source, Source::Example);
    assert_eq!(state.selected, Some(1));
    assert!(state.message.as_deref().unwrap_or("").contains("/no/such/folder"));
}

#[test]
fn reload_keeps_the_selection_by_id() {
    let mut state = AppState::new(&Source::Example);
    state.apply(Command::Tree(TreeCommand::Select(3)));
    let id = state.workspace.budgets[3].id.clone();
    state.apply(Command::Workspace(WorkspaceCommand::Reload));
    state.wait();
    assert_eq!(state.selected.map(|i| state.workspace.budgets[i].id.clone()), Some(id));
}

#[test]
fn the_filter_keeps_matches_and_their_parents_and_nothing_else() {
    let mut state = AppState::new(&Source::Example);
    state.apply(Command::Tree(TreeCommand::SetFilter(TreeFilter { over_only: true, ..TreeFilter::default() })));
    let shown: Vec<&str> =
        (0..state.tree.shown.len()).filter(|&i| state.tree.shown[i]).map(|i| state.workspace.budgets[i].id.as_str()).collect();
    assert_eq!(shown, ["frontend", "frontend.javascript"]);
    state.apply(Command::Tree(TreeCommand::SetFilter(TreeFilter { text: "LOOKUP".into(), ..TreeFilter::default() })));
    assert!(state.tree.shown[index_of(&state, "services.auth.database_lookup")]);
    assert!(state.tree.shown[index_of(&state, "services.auth")]);
    assert!(!state.tree.shown[index_of(&state, "frontend")]);
}

#[test]
fn sorting_by_headroom_puts_the_tightest_first() {
    let mut state = AppState::new(&Source::Example);
    state.apply(Command::Tree(TreeCommand::SetFilter(TreeFilter { sort: SortKey::Headroom, ..TreeFilter::default() })));
    let (_, roots) = state.tree.ordered_roots.iter().find(|(f, _)| f == "frontend.yaml").unwrap();
    let frontend = roots[0];
    assert_eq!(state.workspace.budgets[state.tree.ordered_children[frontend][0]].id, "frontend.javascript");
}

#[test]
fn a_finding_selects_its_budget_and_centres_the_plot_on_the_change() {
    let mut state = AppState::new(&Source::Example);
    let row = state
        .findings
        .rows
        .iter()
        .position(|r| state.finding(r).metric == "services.auth" && state.finding(r).run_id == "ci-1157")
        .unwrap();
    state.apply(Command::Findings(FindingsCommand::Select(row)));
    assert_eq!(state.selected, Some(index_of(&state, "services.auth")));
    let x = state.plot.data.change_points[0].0;
    let view = state.plot.view.unwrap();
    assert!(view.x.0 < x && x < view.x.1 && (f64::midpoint(view.x.0, view.x.1) - x).abs() < 1.0, "{view:?} {x}");
    // Findings are listed most severe first.
    assert!(state.findings.rows.windows(2).all(|w| state.finding(&w[0]).severity >= state.finding(&w[1]).severity));
}

#[test]
fn triage_is_saved_in_the_workspace_and_read_back() {
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let row = state.findings.rows[0].clone();
    let entry = TriageEntry { state: crate::model::triage::TriageState::Investigating, owner: "maria".into(), ..TriageEntry::default() };
    state.apply(Command::Findings(FindingsCommand::SetTriage(row.key.clone(), entry)));
    let text = std::fs::read_to_string(dir.path().join(crate::model::triage::record_file(&row.key))).unwrap();
    assert!(text.contains("state: investigating") && text.contains("owner: \"maria\""), "{text}");
    let again = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let same = again.findings.rows.iter().find(|r| r.key == row.key).unwrap();
    assert_eq!(same.triage.owner, "maria");
    assert!(again.workspace.errors.is_empty(), "{:?}", again.workspace.errors);
}

#[test]
fn a_triage_edit_merges_with_a_teammates_change_on_disk_and_a_clash_keeps_the_edit_open() {
    use crate::model::triage::{TriageState, record_file};
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let row = state.findings.rows[0].clone();
    let key = row.key.clone();
    let on_disk = || read_triage(dir.path()).unwrap().entries[&key].clone();
    // The user opens the finding's triage; meanwhile a teammate sets its owner (git pull, or
    // `headroom triage` in a terminal) and the watcher reloads.
    state.apply(Command::Findings(FindingsCommand::EditTriage(key.clone(), row.triage.clone())));
    let teammate = TriageEntry { owner: "tom".into(), ..row.triage.clone() };
    save_triage_entry(dir.path(), &key, &row.triage, &teammate).unwrap();
    state.apply(Command::Workspace(WorkspaceCommand::FilesChanged(vec![record_file(&key)])));
    // Their owner comes into the open form at once, and the user is told.
    let form = state.findings.triage_draft.clone().unwrap().1;
    assert_eq!(form.owner, "tom");
    assert!(state.message.as_deref().unwrap_or("").contains("changed on disk while you edit it"), "{:?}", state.message);
    // The user saves a state from the form: both changes land.
    state.apply(Command::Findings(FindingsCommand::SetTriage(key.clone(), TriageEntry { state: TriageState::Investigating, ..form })));
    let merged = on_disk();
    assert_eq!((merged.state, merged.owner.as_str()), (TriageState::Investigating, "tom"));
    // A form that never saw theirs (saved in the same moment) merges at the save instead.
    state.apply(Command::Findings(FindingsCommand::EditTriage(key.clone(), merged.clone())));
    save_triage_entry(dir.path(), &key, &merged, &TriageEntry { note: "from the CLI".into(), ..merged.clone() }).unwrap();
    state.apply(Command::Findings(FindingsCommand::SetTriage(key.clone(), TriageEntry { owner: "ana".into(), ..merged.clone() })));
    let merged = on_disk();
    assert_eq!((merged.owner.as_str(), merged.note.as_str()), ("ana", "from the CLI"));
    assert!(state.message.as_deref().unwrap_or("").contains("merged with changes made on disk"), "{:?}", state.message);
    // Both change the state: nothing is written over the teammate's, and the edit stays open.
    state.apply(Command::Findings(FindingsCommand::EditTriage(key.clone(), merged.clone())));
    save_triage_entry(dir.path(), &key, &merged, &TriageEntry { state: TriageState::Fixed, ..merged.clone() }).unwrap();
    let mine = TriageEntry { state: TriageState::Invalid, ..merged.clone() };
    state.apply(Command::Findings(FindingsCommand::SetTriage(key.clone(), mine.clone())));
    assert_eq!(on_disk().state, TriageState::Fixed);
    let message = state.message.clone().unwrap_or_default();
    assert!(message.contains("Not saved") && message.contains("state: theirs `fixed`, yours `invalid / false alarm`"), "{message}");
    assert_eq!(state.findings.triage_draft.as_ref().map(|(_, e)| e.state), Some(TriageState::Invalid));
    assert_eq!(state.triage.entries[&key].state, TriageState::Fixed, "the app shows what the disk has");
    // Saving again, having seen theirs, replaces it.
    state.apply(Command::Findings(FindingsCommand::SetTriage(key.clone(), mine)));
    assert_eq!(on_disk().state, TriageState::Invalid);
}

#[test]
fn a_clash_seen_while_editing_shows_both_values_and_the_user_chooses_field_by_field() {
    use crate::model::triage::{TriageState, record_file};
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let row = state.findings.rows[0].clone();
    let key = row.key.clone();
    let base = row.triage.clone();
    state.apply(Command::Findings(FindingsCommand::EditTriage(key.clone(), base.clone())));
    // The user types a state, an owner and a note; meanwhile a teammate's triage of the same
    // finding arrives with another state and owner, and a note of its own.
    let mine = TriageEntry { state: TriageState::Investigating, owner: "ana".into(), note: "mine".into(), ..base.clone() };
    state.apply(Command::Findings(FindingsCommand::EditTriage(key.clone(), mine.clone())));
    let theirs = TriageEntry { state: TriageState::Fixed, owner: "tom".into(), ..base.clone() };
    std::fs::create_dir_all(dir.path().join("triage")).unwrap();
    std::fs::write(dir.path().join(record_file(&key)), crate::model::triage::record_to_yaml(&key, &theirs)).unwrap();
    state.apply(Command::Workspace(WorkspaceCommand::FilesChanged(vec![record_file(&key)])));
    let conflict = state.findings.triage_conflict.clone().expect("both changed the state and the owner");
    let fields: Vec<(&str, &str, &str)> = conflict.fields.iter().map(|f| (f.field, f.theirs.as_str(), f.ours.as_str())).collect();
    assert_eq!(fields, [("state", "fixed", "investigating"), ("owner", "tom", "ana")]);
    assert!(state.message.as_deref().unwrap_or("").contains("choose theirs or yours"), "{:?}", state.message);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(record_file(&key))).unwrap(),
        crate::model::triage::record_to_yaml(&key, &theirs),
        "nothing written yet"
    );
    // Their note arrives too (a second pull): the two fields are still to settle, and the note,
    // which only the user changed, is still the user's... until they both change it.
    let theirs = TriageEntry { note: "theirs".into(), ..theirs };
    std::fs::write(dir.path().join(record_file(&key)), crate::model::triage::record_to_yaml(&key, &theirs)).unwrap();
    state.apply(Command::Workspace(WorkspaceCommand::FilesChanged(vec![record_file(&key)])));
    let fields: Vec<&str> = state.findings.triage_conflict.as_ref().unwrap().fields.iter().map(|f| f.field).collect();
    assert_eq!(fields, ["note", "state", "owner"]);
    state.apply(Command::Findings(FindingsCommand::ResolveTriage("note".into(), Keep::Mine)));
    // Their state, the user's owner; the note the user kept.
    state.apply(Command::Findings(FindingsCommand::ResolveTriage("state".into(), Keep::Theirs)));
    assert!(state.findings.triage_conflict.is_some(), "the owner is still to choose");
    state.apply(Command::Findings(FindingsCommand::ResolveTriage("owner".into(), Keep::Mine)));
    assert!(state.findings.triage_conflict.is_none());
    let form = state.findings.triage_draft.clone().unwrap().1;
    state.apply(Command::Findings(FindingsCommand::SetTriage(key.clone(), form)));
    let saved = read_triage(dir.path()).unwrap().entries[&key].clone();
    assert_eq!((saved.state, saved.owner.as_str(), saved.note.as_str()), (TriageState::Fixed, "ana", "mine"));
}

#[test]
fn another_environment_is_checked_and_analysed_in_the_background() {
    let mut state = AppState::new(&Source::Example);
    let others: Vec<String> = state.environments.clone().into_iter().filter(|e| Some(e) != state.report.environment.as_ref()).collect();
    let Some(other) = others.first().cloned() else { return };
    state.apply(Command::Workspace(WorkspaceCommand::SetEnvironment(Some(other.clone()))));
    assert!(state.loading().is_some());
    state.wait();
    assert_eq!(state.report.environment, Some(other));
}

#[test]
fn tried_settings_are_replayed_and_saved_to_headroom_yaml() {
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    state.apply(Command::Sensitivity(SensitivityCommand::Open));
    state.wait();
    let saved = state.sensitivity.as_ref().unwrap().current.as_ref().unwrap().alarms.len();
    let mut loose = CheckSettings { regression_threshold: 0.03, significance: 0.2, ..state.report.settings.clone() };
    // One budget keeps a strict gate of its own.
    loose.budgets.insert(
        "services.auth".into(),
        crate::model::settings::BudgetCheck { regression_threshold: Some(0.1), significance: Some(0.001), ..Default::default() },
    );
    state.apply(Command::Sensitivity(SensitivityCommand::Try(loose.clone())));
    state.wait();
    let tried = state.sensitivity.as_ref().unwrap().tried.as_ref().unwrap().alarms.len();
    assert!(tried > saved * 3, "{tried} vs {saved}");
    state.apply(Command::Sensitivity(SensitivityCommand::Save));
    state.wait();
    assert_eq!(state.report.settings, loose);
    let text = std::fs::read_to_string(dir.path().join(CONFIG_FILE)).unwrap();
    assert!(text.contains("regression_threshold: 3%") && text.contains("\"services.auth\":\n      regression_threshold: 10%"), "{text}");
    assert!((state.report.settings.for_budget("services.auth").regression_threshold - 0.1).abs() < 1e-12);
}

#[test]
fn a_dropped_history_file_is_copied_into_the_workspace_and_never_over_another() {
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let runs = state.workspace.history.runs.len();
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("nightly.jsonl");
    std::fs::write(&file, "{\"id\":\"n-1\",\"timestamp\":\"2026-11-24T00:00:00Z\",\"environment\":\"ci\",\"branch\":\"main\",\"metrics\":{\"frontend.css\":40}}\n").unwrap();
    state.apply(Command::Import(ImportCommand::Drop(vec![file.clone()])));
    state.wait();
    assert!(dir.path().join("history/nightly.jsonl").exists());
    assert_eq!(state.workspace.history.runs.len(), runs + 1);
    state.apply(Command::Import(ImportCommand::Drop(vec![file])));
    state.wait();
    assert!(state.message.as_deref().unwrap_or("").contains("already exists"));
}

#[test]
fn a_dropped_tool_output_is_a_run_of_the_checked_environment_on_the_baseline_branch_and_says_so() {
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let outside = tempfile::tempdir().unwrap();
    let bmf = outside.path().join("bmf.json");
    std::fs::write(&bmf, r#"{"database.insert": {"latency": {"value": 5200000.0}}}"#).unwrap();
    state.apply(Command::Import(ImportCommand::Drop(vec![bmf])));
    state.wait();
    // A run of no environment and no branch is never checked; dropped, it is the one the app checks.
    let run = state.workspace.history.runs.iter().find(|r| r.file.contains("bmf")).expect("the dropped run is in the history");
    assert_eq!((run.branch, run.environment), (Some("main"), Some("ci")));
    let message = state.message.clone().unwrap_or_default();
    assert!(message.contains("of environment `ci` on branch `main`"), "{message}");
}

#[test]
fn a_dropped_criterion_folder_is_imported_and_another_folder_opened() {
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let runs = state.workspace.history.runs.len();
    let criterion = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion");
    state.apply(Command::Import(ImportCommand::Drop(vec![criterion])));
    state.wait();
    assert!(dir.path().join("history/criterion").read_dir().unwrap().count() == 1, "one import, one file of its own");
    assert_eq!(state.workspace.history.runs.len(), runs + 1);
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("caps.yaml"), "search:\n  max_latency_ms: 80\n").unwrap();
    state.apply(Command::Import(ImportCommand::Drop(vec![other.path().to_path_buf()])));
    state.wait();
    assert_eq!(state.source, Source::Folder(other.path().to_path_buf()));
}

#[test]
fn an_error_shows_the_lines_around_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("caps.yaml"), "search:\n  max_latency_ms: 80\nbad:\n  max_latency_ms: fast\n").unwrap();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    assert_eq!(state.workspace.errors.len(), 1);
    state.apply(Command::Prompt(PromptCommand::ShowError(0)));
    let view = state.prompts.error.clone().unwrap();
    assert_eq!(view.line, 4);
    assert!(view.lines.iter().any(|(n, text)| *n == 4 && text.contains("fast")));
}

#[test]
fn a_proposal_file_with_a_misspelt_field_is_listed_with_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("caps.yaml"), "search:\n  max_latency_ms: 80\n").unwrap();
    std::fs::create_dir(dir.path().join("proposals")).unwrap();
    std::fs::write(dir.path().join("proposals/typo.yaml"), "id: typo\ntitel: Tighten search\n").unwrap();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    assert!(state.workspace.errors.is_empty(), "{:?}", state.workspace.errors);
    // A located error kept as one, not words in the message line.
    assert_eq!(state.message, None);
    let typo = state.proposal_errors.iter().position(|e| e.field == "titel").expect("the misspelt field is listed");
    let error = &state.proposal_errors[typo];
    assert_eq!((error.file.as_str(), error.pos.line, error.pos.column), ("proposals/typo.yaml", 2, 1));
    assert!(error.message.contains("did you mean `title`"), "{}", error.message);
    assert_eq!(state.load_errors().count(), state.proposal_errors.len());
    // Its row shows the lines of the proposal file, as a workspace file's does.
    state.apply(Command::Prompt(PromptCommand::ShowError(typo)));
    let view = state.prompts.error.clone().unwrap();
    assert_eq!(view.error, state.proposal_errors[typo]);
    assert_eq!(view.line, 2);
    assert!(view.lines.iter().any(|(n, text)| *n == 2 && text == "titel: Tighten search"));
}

#[test]
fn review_mode_walks_the_agenda_and_selects_each_budget() {
    let mut state = AppState::new(&Source::Example);
    state.apply(Command::Review(ReviewCommand::Enter));
    let review = state.review.clone().unwrap();
    assert!(review.agenda.items.len() >= 3);
    assert_eq!(state.selected, review.agenda.items[0].budget);
    state.apply(Command::Review(ReviewCommand::Step(1)));
    assert_eq!(state.review.as_ref().unwrap().index, 1);
    assert_eq!(state.selected, review.agenda.items[1].budget);
    state.apply(Command::Review(ReviewCommand::Step(-5)));
    assert_eq!(state.review.as_ref().unwrap().index, 0);
    state.apply(Command::Review(ReviewCommand::Leave));
    assert!(state.review.is_none());
}

#[test]
fn a_proposal_waiting_for_sign_off_is_on_the_review_agenda() {
    let dir = copy_of_bundled();
    let files = crate::model::workspace::contract_files(dir.path()).unwrap();
    let proposal = crate::approval::proposal::Proposal {
        id: "raise-auth".into(),
        title: "Raise auth to 32 ms".into(),
        author: "maria@example.com".into(),
        base: crate::approval::files_hash(&files),
        changes: vec![crate::approval::proposal::Change { budget: "services.auth".into(), field: "limit".into(), old: 30.0, new: 32.0 }],
        rationale: "TLS upgrade".into(),
        ..Default::default()
    };
    std::fs::create_dir_all(dir.path().join("proposals")).unwrap();
    std::fs::write(dir.path().join("proposals/raise-auth.yaml"), proposal.to_yaml()).unwrap();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    assert_eq!(state.proposals.open.len(), 1);
    state.apply(Command::Review(ReviewCommand::Enter));
    let agenda = &state.review.as_ref().unwrap().agenda;
    let item = agenda.section(crate::report::review::Section::Proposals).next().unwrap();
    assert_eq!(item.title, "Proposal raise-auth: Raise auth to 32 ms (loosen, by maria@example.com)");
    assert!(item.lines.contains(&"services.auth: 30 ms to 32 ms".to_owned()), "{:?}", item.lines);
    assert!(item.lines.iter().any(|l| l.contains("nobody may sign")), "no signers file in this copy: {:?}", item.lines);
}

#[test]
fn a_limit_changed_on_disk_under_an_open_draft_is_asked_about_before_proposing_from_it() {
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let auth = index_of(&state, "services.auth");
    let mut draft = ProposalDraft::new(auth, 30.0, "maria@example.com");
    draft.new = 33.0;
    draft.draft.id = "raise-auth".into();
    draft.draft.title = "Raise auth".into();
    draft.draft.rationale = "TLS upgrade".into();
    state.apply(ProposalCommand::Edit(draft).into());
    // A teammate's applied change arrives (`git pull`) while the dialog is open: 30 ms is now 32 ms.
    let file = dir.path().join("services.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen("        name: Auth Service\n        limit: 30\n", "        name: Auth Service\n        limit: 32\n", 1),
    )
    .unwrap();
    state.apply(ProposalCommand::Submit.into());
    let error = state.proposals.draft.as_ref().and_then(|d| d.error.clone()).expect("asked, not proposed");
    assert!(error.contains("30 ms then, 32 ms now") && error.contains("change 32 ms to 33 ms"), "{error}");
    assert!(!dir.path().join("proposals/raise-auth.yaml").exists());
    // Create again: the user has seen it, and the proposal is made from the disk's value.
    state.apply(ProposalCommand::Submit.into());
    assert!(state.proposals.draft.is_none(), "{:?}", state.proposals.draft.as_ref().map(|d| &d.error));
    let written = std::fs::read_to_string(dir.path().join("proposals/raise-auth.yaml")).unwrap();
    assert!(written.contains("old: 32") && written.contains("new: 33"), "{written}");
}

#[test]
fn applying_returns_what_only_the_app_can_do_and_the_state_writes_no_export() {
    let mut state = AppState::new(&Source::Example);
    assert!(matches!(state.apply(ReviewCommand::Enter.into())[..], [Effect::EnterReviewScreen]));
    assert!(state.apply(ReviewCommand::Enter.into()).is_empty(), "already in review: the screen stays as it is");
    assert!(matches!(state.apply(ReviewCommand::Leave.into())[..], [Effect::LeaveReviewScreen]));
    assert!(state.apply(ReviewCommand::Leave.into()).is_empty());
    let out = tempfile::tempdir().unwrap();
    let effects = state.apply(ReviewCommand::Export(out.path().join("notes")).into());
    let [Effect::ExportReview(request)] = &effects[..] else { panic!("{effects:?}") };
    assert_eq!(request.dir, out.path().join("notes"));
    assert!(request.plots.len() >= 2 && request.plots.iter().all(|p| !p.plot.main.is_empty()), "{}", request.plots.len());
    assert!(!out.path().join("notes").exists(), "the app draws and writes the export, on a job");
    assert!(matches!(state.apply(TreeCommand::ShowTally(crate::gui::standing::Tally::Failing).into())[..], [Effect::ShowTree]));
}

#[test]
fn who_signs_here_fills_a_new_draft_and_the_sign_window_and_a_signing_runs_as_a_job() {
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let key = dir.path().join("no-such-key");
    state.proposals.signer = Signer { principal: "maria@example.com".into(), key_file: key.display().to_string() };
    state.apply(ProposalCommand::Edit(ProposalDraft::new(index_of(&state, "services.auth"), 30.0, "")).into());
    assert_eq!(state.proposals.draft.as_ref().unwrap().draft.author, "maria@example.com");
    state.apply(ProposalCommand::AskSign(SignPrompt { id: "raise-auth".into(), ..SignPrompt::default() }).into());
    let prompt = state.proposals.sign_prompt.clone().unwrap();
    assert_eq!((prompt.principal.as_str(), prompt.key_file.as_str()), ("maria@example.com", key.to_str().unwrap()));
    let effects = state.apply(ProposalCommand::Sign { id: "raise-auth".into(), principal: "tom@example.com".into(), file: key }.into());
    assert!(matches!(&effects[..], [Effect::RememberSigner(s)] if s.principal == "tom@example.com"), "{effects:?}");
    assert!(state.working().is_some_and(|w| w.contains("Signing `raise-auth`")), "{:?}", state.working());
    state.wait();
    assert!(state.working().is_none());
    assert!(state.message.as_deref().unwrap_or("").starts_with("Cannot sign `raise-auth`"), "{:?}", state.message);
    assert!(state.proposals.sign_prompt.is_some(), "a failed signing keeps the window open");
    assert!(state.proposals.sign_error.is_some(), "and says why in it");
    // Empty fields are asked for, not read as a file of no name.
    let effects =
        state.apply(ProposalCommand::Sign { id: "raise-auth".into(), principal: "tom@example.com".into(), file: PathBuf::new() }.into());
    assert!(effects.is_empty() && state.working().is_none(), "{effects:?}");
    assert_eq!(state.proposals.sign_error.as_deref(), Some("Give the principal and the key, .pub or signature file"));
}

#[test]
fn the_history_shows_before_its_analysis_and_nothing_passes_until_the_analysis_is_in() {
    let mut state = AppState::start(&Source::Example, Arc::new(|| {}), false);
    state.wait_for_history();
    assert!(state.has_loaded() && state.analysing());
    assert!(state.analysis.findings.is_empty() && state.findings.rows.is_empty());
    let gateway = index_of(&state, "services.api_gateway");
    state.apply(Command::Tree(TreeCommand::Select(gateway)));
    // The plot's runs are there; its change points and levels are not yet.
    assert!(state.plot.data.main.len() > 100, "{}", state.plot.data.main.len());
    assert!(state.plot.data.change_points.is_empty() && state.plot.data.levels.is_empty());
    // What the check alone found is shown (a failing member); no budget reads as a pass.
    let js = index_of(&state, "frontend.javascript");
    assert_eq!(state.status_of(js), Some(Status::Fail));
    let budgets = state.workspace.budgets.len();
    assert!((0..budgets).all(|i| state.status_of(i) != Some(Status::Pass)));
    assert!((0..budgets).all(|i| state.state_of(i) != Some(BudgetState::Pass)));
    let pending: Vec<usize> = (0..budgets).filter(|&i| state.analysis_pending(i)).collect();
    assert!(!pending.is_empty());
    assert!(state.working().is_some_and(|w| w.starts_with("Analysing")));

    state.wait();
    assert!(!state.analysing());
    assert!(!state.analysis.findings.is_empty() && !state.findings.rows.is_empty());
    assert!(!state.plot.data.levels.is_empty());
    // The budgets that waited for the analysis now have their status.
    assert!(pending.iter().all(|&i| state.status_of(i).is_some() && !state.analysis_pending(i)));
    assert!((0..budgets).any(|i| state.status_of(i) == Some(Status::Pass)));
}

#[test]
fn a_triage_file_that_stops_reading_is_listed_by_line_and_the_triage_shown_stays() {
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let before = state.triage.clone();
    std::fs::write(dir.path().join(TRIAGE_FILE), "findings:\n  \"a@b\":\n    state: fxed\n").unwrap();
    state.apply(Command::Workspace(WorkspaceCommand::FilesChanged(vec![TRIAGE_FILE.to_owned()])));
    assert_eq!(state.triage, before);
    let error = state.load_errors().find(|e| e.file == TRIAGE_FILE).expect("the triage's error is listed");
    assert_eq!((error.pos.line, error.field.as_str()), (3, "findings.a@b.state"));
    assert!(error.message.contains("did you mean `fixed`?"), "{}", error.message);
    assert!(state.message.as_deref().unwrap_or("").contains("1 problem, listed"), "{:?}", state.message);
    // Mended on disk: the error goes.
    std::fs::write(dir.path().join(TRIAGE_FILE), "findings: {}\n").unwrap();
    state.apply(Command::Workspace(WorkspaceCommand::FilesChanged(vec![TRIAGE_FILE.to_owned()])));
    assert!(state.triage_errors.is_empty());
}

#[test]
fn a_dropped_tool_output_that_does_not_read_lists_its_errors_by_file() {
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let outside = tempfile::tempdir().unwrap();
    // hyperfine's shape, with neither times nor a median.
    let file = outside.path().join("bench.json");
    std::fs::write(&file, "{\"results\": [{\"command\": \"sleep\", \"times\": \"fast\"}]}").unwrap();
    state.apply(Command::Import(ImportCommand::Drop(vec![file.clone()])));
    state.wait();
    assert!(!state.import_errors.is_empty(), "{:?}", state.message);
    assert!(state.import_errors.iter().all(|e| e.file.ends_with("bench.json")), "{:?}", state.import_errors);
    assert_eq!(state.load_errors().count(), state.workspace.errors.len() + state.import_errors.len());
    assert!(state.message.as_deref().unwrap_or("").contains("did not import"), "{:?}", state.message);
}

#[test]
fn a_triage_save_that_meets_a_file_not_reading_lists_its_faults_by_line() {
    let dir = copy_of_bundled();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    // Broken on disk after the load (a `git pull` with a bad merge), before the app saw it.
    std::fs::write(dir.path().join(TRIAGE_FILE), "findings:\n  \"a@b\":\n    state: fxed\n").unwrap();
    let entry = TriageEntry { state: crate::model::triage::TriageState::Acknowledged, ..TriageEntry::default() };
    state.apply(Command::Findings(FindingsCommand::SetTriage("x@ci-1".to_owned(), entry)));
    let message = state.message.clone().unwrap_or_default();
    assert!(message.starts_with("Cannot save the triage: triage.yaml does not read (1 problem, listed"), "{message}");
    let error = state.load_errors().find(|e| e.file == TRIAGE_FILE).expect("the fault is a row of its own");
    assert_eq!((error.pos.line, error.field.as_str()), (3, "findings.a@b.state"));
    // The next save that works takes it off the list.
    std::fs::write(dir.path().join(TRIAGE_FILE), "findings: {}\n").unwrap();
    state.apply(Command::Findings(FindingsCommand::SetTriage("x@ci-1".to_owned(), TriageEntry::default())));
    assert!(state.action_errors.is_empty(), "{:?}", state.message);
}

#[test]
fn signing_a_proposal_whose_file_stopped_reading_lists_its_faults_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("caps.yaml"), "search:\n  max_latency_ms: 80\n").unwrap();
    std::fs::create_dir(dir.path().join("proposals")).unwrap();
    std::fs::write(dir.path().join("proposals/typo.yaml"), "id: typo\ntitel: Tighten search\n").unwrap();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let listed = state.load_errors().count();
    let sign = |id: &str| ProposalCommand::Sign { id: id.to_owned(), principal: "ana".to_owned(), file: dir.path().join("no-key") };
    state.apply(sign("typo").into());
    state.wait();
    // Listed when it loaded: the message points at the list, and the row is not repeated.
    let message = state.message.clone().unwrap_or_default();
    assert!(message.starts_with("Cannot sign `typo`: proposals/typo.yaml does not read ("), "{message}");
    assert_eq!(state.load_errors().count(), listed);
    // A second proposal file broken since the load: its faults become rows, with file and line.
    std::fs::write(dir.path().join("proposals/late.yaml"), "id: late\ntitle: Late\nauthr: ana\n").unwrap();
    state.apply(sign("late").into());
    state.wait();
    let error = state.action_errors.iter().find(|e| e.field == "authr").expect("the misspelt field is a row");
    assert_eq!((error.file.as_str(), error.pos.line), ("proposals/late.yaml", 3));
    assert!(state.load_errors().any(|e| e == error));
    assert!(!state.message.clone().unwrap_or_default().contains("authr"), "{:?}", state.message);
}

/// A workspace whose one budget regressed 30 % at run `r170` of 200 (a deterministic noise of about 1 %).
fn regressed_workspace() -> tempfile::TempDir {
    stepped_workspace(&[(0, 40.0), (170, 52.0)])
}

/// A workspace of one budget (`load`, limit 80 ms) over 200 runs whose level is `levels`' value
/// from each run on (`(first run, level)`), with a deterministic noise of about ±0.4 ms.
fn stepped_workspace(levels: &[(u32, f64)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("budgets.yaml"), "budgets:\n  load: {unit: ms, limit: 80}\n").unwrap();
    let mut lines = String::new();
    let mut seed: u64 = 7;
    for i in 0..200u32 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let noise = ((seed >> 33) as f64 / f64::from(1u32 << 31) - 0.5) * 0.8;
        let level = levels.iter().rev().find(|(from, _)| i >= *from).map_or(levels[0].1, |l| l.1);
        let value = level + noise;
        // Four runs a day from 1 June: June's 30 days, then July.
        let (day, hour) = (i / 4, (i % 4) * 6);
        let (month, date) = if day < 30 { (6, day + 1) } else { (7, day - 29) };
        lines.push_str(&format!(
            "{{\"id\":\"r{i}\",\"timestamp\":\"2026-{month:02}-{date:02}T{hour:02}:00:00Z\",\"commit\":\"c{i}\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"load\":{{\"value\":{value:.3},\"unit\":\"ms\"}}}}}}\n"
        ));
    }
    std::fs::create_dir_all(dir.path().join("history")).unwrap();
    std::fs::write(dir.path().join("history/runs.jsonl"), lines).unwrap();
    dir
}

#[test]
fn a_regression_accepted_by_triage_passes_in_the_app_as_in_headroom_check_never_green_and_reopening_it_fails_again() {
    use crate::engine::check::{CheckOptions, Finding, check};
    use crate::gui::standing::{BudgetState, Overall, Tally};
    use crate::model::triage::TriageState;
    let dir = regressed_workspace();
    let root = dir.path().to_path_buf();
    let mut state = AppState::new(&Source::Folder(root.clone()));
    assert!(state.workspace.errors.is_empty(), "{:?}", state.workspace.errors);
    let load = index_of(&state, "load");
    assert_eq!(
        state.status_of(load),
        Some(Status::Fail),
        "the regression is open: {:?} {:?}",
        state.report.results[0].findings,
        state.report.problems
    );
    // Won't fix, with an owner and a note: the worse level is accepted, at once.
    let accept = TriageEntry { state: TriageState::WontFix, owner: "dana".into(), note: "new parser".into(), ..TriageEntry::default() };
    state.apply(Command::Findings(FindingsCommand::SetTriage("load@r170".into(), accept)));
    state.wait();
    // The gate passes it; the app says it is accepted, in the warning's colour (the tree's dot and
    // tag, the metric view's word, the status bar's warnings), never the green of a budget within it.
    assert_eq!(state.report.results[0].status, Status::Pass, "{:?}", state.report.results[0].findings);
    assert_eq!(state.state_of(load), Some(BudgetState::Accepted));
    assert_eq!(state.status_of(load), Some(Status::Warn));
    assert_eq!((state.states.count(Tally::Warnings), state.states.count(Tally::Pass)), (1, 0));
    assert_eq!(state.states.overall, Overall::Checked(Status::Warn));
    assert!(
        state.report.results[0].findings.iter().any(|f| matches!(f, Finding::Accepted { .. })),
        "{:?}",
        state.report.results[0].findings
    );
    // The record keeps how much worse the level it accepts is, as `headroom triage` writes it, so
    // that a bigger step later is not accepted with it.
    let record = std::fs::read_to_string(root.join(crate::model::triage::record_file("load@r170"))).unwrap();
    assert!(record.contains("accepted_change: \"+"), "{record}");
    assert!(state.triage.entries["load@r170"].accepted_change.is_some_and(|c| c > 0.05), "{:?}", state.triage.entries["load@r170"]);
    // Opened again from disk: the same verdict as `headroom check` (which reads the triage with the workspace).
    let again = AppState::new(&Source::Folder(root.clone()));
    let cli = check(&crate::model::workspace::Workspace::load(&root).unwrap(), &CheckOptions::default());
    assert_eq!(cli.results[0].status, Status::Pass);
    assert_eq!(again.report.results[0].status, Status::Pass, "the app judges as CI: {:?}", again.report.results[0].findings);
    assert_eq!(again.state_of(load), Some(BudgetState::Accepted));
    // Reopened: the regression fails again.
    let mut state = again;
    let reopen = TriageEntry { state: TriageState::Investigating, owner: "dana".into(), ..TriageEntry::default() };
    state.apply(Command::Findings(FindingsCommand::SetTriage("load@r170".into(), reopen)));
    state.wait();
    assert_eq!(state.status_of(load), Some(Status::Fail));
}

#[test]
fn a_history_file_that_does_not_load_leaves_the_app_incomplete_naming_it_as_headroom_check_does() {
    use crate::engine::check::{CheckOptions, check};
    use crate::gui::standing::{AttentionKind, Overall};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("budgets.yaml"), "budgets:\n  load: {unit: ms, limit: 80}\n").unwrap();
    std::fs::create_dir_all(dir.path().join("history")).unwrap();
    let line = |i: u32, time: &str| {
        format!(
            "{{\"id\":\"r{i}\",\"timestamp\":\"{time}\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"load\":{{\"value\":40,\"unit\":\"ms\"}}}}}}\n"
        )
    };
    let runs: String = (1..=28).map(|i| line(i, &format!("2026-06-{i:02}T10:00:00Z"))).collect();
    std::fs::write(dir.path().join("history/runs.jsonl"), runs).unwrap();
    // Newer runs in their own file, whose second line's time does not read: the file loads not at all.
    std::fs::write(dir.path().join("history/newer.jsonl"), line(29, "2026-06-29T10:00:00Z") + &line(30, "yesterday")).unwrap();
    let root = dir.path().to_path_buf();
    let mut state = AppState::new(&Source::Folder(root.clone()));
    state.wait();

    // The budget passes on the runs that were read; the workspace is not "all within budget".
    assert_eq!(state.status_of(index_of(&state, "load")), Some(Status::Pass));
    assert_eq!(state.states.overall, Overall::Incomplete { not_checked: 0, history_files_not_loaded: 1 });
    assert_eq!(state.states.overall.status(), Status::Fail);
    assert_eq!(state.states.overall.words(), "incomplete: 1 history file not loaded");
    let item = state.attention.iter().find(|a| a.kind == AttentionKind::NotLoaded).expect("the file needs attention");
    assert!(item.title.starts_with("history/newer.jsonl: "), "{}", item.title);
    let error = &state.workspace.errors[item.error.expect("it shows its error")];
    assert_eq!((error.file.as_str(), error.pos.line), ("history/newer.jsonl", 2));
    // The same problem as `headroom check` reports, which exits 2 (invalid input).
    let cli = check(&crate::model::workspace::Workspace::load(&root).unwrap(), &CheckOptions::default());
    assert!(cli.invalid_input);
    let said = |problems: &[crate::engine::check::Problem]| problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>();
    assert_eq!(said(&state.report.problems), said(&cli.problems));
    assert!(said(&cli.problems)[0].starts_with("the history file history/newer.jsonl did not load"), "{:?}", cli.problems);
}

#[test]
fn a_regression_a_later_change_put_back_is_reverted_not_open_and_tightens_nothing() {
    use crate::engine::analyze::Verdict;
    use crate::gui::standing::BudgetState;
    use crate::model::triage::TriageState;
    // The bundled schema_validator: 34.4 → 41.1 ms at ci-1085, back to 34.9 ms at ci-1133; the
    // gate passes it. The app said WARN regressed, counted it open and offered a 42.5 ms limit.
    let mut state = AppState::new(&Source::Example);
    let schema = index_of(&state, "schema_validator.latency");
    assert_eq!(state.report.results[state.result_of[&schema]].status, Status::Pass);
    assert_eq!(state.state_of(schema), Some(BudgetState::Pass), "the app agrees with the gate");
    assert!(!state.is_regressed(schema));
    let row_at = |state: &AppState, run: &str| {
        state
            .findings
            .rows
            .iter()
            .find(|r| state.finding(r).metric == "schema_validator.latency" && state.finding(r).run_id == run)
            .cloned()
    };
    let regression = row_at(&state, "ci-1085").expect("the regression is still listed");
    let reversal = state.findings.reversal(&regression).expect("reverted").clone();
    assert!(reversal.reverted && reversal.run_id == "ci-1133", "{reversal:?}");
    assert!(!state.findings.is_open(&regression, &state.analysis));
    // Counted apart: the two auth regressions are the open ones, in the status bar and the findings.
    assert_eq!((state.states.counts.open_regressions, state.states.counts.reverted), (2, 1));
    assert!(!state.attention.iter().any(|a| a.budget == Some(schema)), "{:?}", state.attention);
    state.apply(Command::Tree(TreeCommand::SetFilter(TreeFilter { regressed_only: true, ..TreeFilter::default() })));
    assert!(!state.tree.shown[schema]);
    assert!(state.tree.shown[index_of(&state, "services.auth")]);
    // The improvement only undid the regression: nothing to tighten (limit × 34.9 / 41.1 = 42.5 ms
    // would have kept less headroom than the budget had at 34.4 ms).
    let improvement = row_at(&state, "ci-1133").unwrap();
    assert_eq!(state.finding(&improvement).verdict, Verdict::Improvement);
    let undo = state.findings.undo(&improvement).expect("it undid the regression");
    assert!(undo.reverted && !undo.gain);
    assert_eq!(crate::engine::reversal::tightening_levels(state.finding(&improvement), Some(undo)), None);
    // Still triageable: marked fixed, it is no longer counted as reverted-to-mark either.
    let fixed = TriageEntry { state: TriageState::Fixed, note: "reverted at ci-1133".into(), ..TriageEntry::default() };
    state.apply(Command::Findings(FindingsCommand::SetTriage(regression.key.clone(), fixed)));
    assert_eq!((state.states.counts.open_regressions, state.states.counts.reverted), (2, 0));
}

#[test]
fn a_regression_put_back_only_in_part_stays_open_and_says_how_much_is_left() {
    // 40 ms, 52 ms from r100, 47 ms from r150: 7 ms of the 12 ms regression are still there.
    let dir = stepped_workspace(&[(0, 40.0), (100, 52.0), (150, 47.0)]);
    let state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let load = index_of(&state, "load");
    let row = state.findings.rows.iter().find(|r| state.finding(r).run_id == "r100").expect("the regression");
    let reversal = state.findings.reversal(row).expect("partly reverted");
    assert!(!reversal.reverted && reversal.run_id == "r150", "{reversal:?}");
    assert!((reversal.left - 7.0).abs() < 0.5, "{reversal:?}");
    assert!(state.findings.is_open(row, &state.analysis) && state.is_regressed(load));
    assert_eq!(state.states.counts.open_regressions, 1);
    let words = crate::report::analysis::reversal_words(state.finding(row), reversal, "ms");
    assert!(words.starts_with("partly reverted at `r150`: 47 ms, still 7.0") && words.ends_with("still open"), "{words}");
    // The improvement left the level worse than before the regression: no tighter budget.
    let improvement = state.findings.rows.iter().find(|r| state.finding(r).run_id == "r150").unwrap();
    assert_eq!(crate::engine::reversal::tightening_levels(state.finding(improvement), state.findings.undo(improvement)), None);
}

#[test]
fn a_regression_too_fresh_for_a_change_point_is_an_open_regression_in_the_status_bar() {
    // 40 ms, then 52 ms for the newest three runs: the check fails it ("open since r197"), and
    // no change point has enough runs yet. The status bar said "0 open regressions" beside it.
    let dir = stepped_workspace(&[(0, 40.0), (197, 52.0)]);
    let state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let load = index_of(&state, "load");
    let result = &state.report.results[0];
    assert_eq!(result.status, Status::Fail, "{:?}", result.findings);
    assert!(result.open_regression.is_some(), "{:?}", result.findings);
    assert!(state.findings.rows.iter().all(|r| !state.findings.is_open(r, &state.analysis)));
    assert_eq!(state.states.counts.open_regressions, 1);
    assert!(state.is_regressed(load));
}

#[test]
fn an_open_regression_the_gate_passes_is_a_warning_never_green() {
    use crate::gui::standing::BudgetState;
    // 40 → 41.2 ms at r150 (+3 %, under the gate's 5 % threshold): a change point nobody closed
    // and no later one reverted.
    let dir = stepped_workspace(&[(0, 40.0), (150, 41.2)]);
    let state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let load = index_of(&state, "load");
    assert_eq!(state.report.results[0].status, Status::Pass, "{:?}", state.report.results[0].findings);
    let row = state.findings.rows.iter().find(|r| state.finding(r).run_id == "r150").expect("the change point");
    assert!(state.findings.is_open(row, &state.analysis) && state.findings.reversal(row).is_none());
    assert_eq!(state.state_of(load), Some(BudgetState::Regressed(Status::Warn)));
    assert_eq!(state.status_of(load), Some(Status::Warn));
}

#[test]
fn a_bigger_step_after_an_accepted_one_fails_in_the_app_until_the_level_now_is_accepted() {
    use crate::engine::check::Finding;
    use crate::model::triage::TriageState;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("capability_budgets.yaml"), "cap:\n  max_latency_ms: 200\n").unwrap();
    std::fs::create_dir_all(dir.path().join("history")).unwrap();
    let line = |i: usize| {
        let level = [100.0, 112.0, 125.0][usize::from(i >= 40) + usize::from(i >= 42)];
        format!(
            "{{\"id\":\"r{i}\",\"timestamp\":\"2026-11-{:02}T{:02}:00:00Z\",\"commit\":\"c{i}\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"cap.latency\":{level}}}}}\n",
            1 + i / 8,
            (i % 8) * 3
        )
    };
    let history = |runs: usize| (0..runs).map(line).collect::<String>();
    std::fs::write(dir.path().join("history/ci.jsonl"), history(42)).unwrap();
    let mut state = AppState::new(&Source::Folder(dir.path().to_path_buf()));
    let cap = index_of(&state, "cap.latency");
    let accept = TriageEntry { state: TriageState::WontFix, owner: "dana".into(), note: "new parser".into(), ..TriageEntry::default() };
    state.apply(Command::Findings(FindingsCommand::SetTriage("cap.latency@r40".into(), accept)));
    state.wait();
    assert_eq!(state.triage.entries["cap.latency@r40"].accepted_change, Some(0.12));
    // 25 ms more lands two runs later: the search merges it into the accepted level.
    std::fs::write(dir.path().join("history/ci.jsonl"), history(60)).unwrap();
    state.apply(Command::Workspace(WorkspaceCommand::Reload));
    state.wait();
    let findings = &state.report.results[0].findings;
    assert_eq!(state.status_of(cap), Some(Status::Fail), "{findings:?}");
    assert!(findings.iter().any(|f| matches!(f, Finding::BeyondAccepted { key, .. } if key == "cap.latency@r40")), "{findings:?}");
    // "Accept the level now": the same triage with its change measured again.
    let again = TriageEntry { accepted_change: None, ..state.triage.entries["cap.latency@r40"].clone() };
    state.apply(Command::Findings(FindingsCommand::SetTriage("cap.latency@r40".into(), again)));
    state.wait();
    assert_eq!(state.triage.entries["cap.latency@r40"].accepted_change, Some(0.25));
    assert_eq!(state.report.results[0].status, Status::Pass, "{:?}", state.report.results[0].findings);
    assert_eq!(state.state_of(cap), Some(crate::gui::standing::BudgetState::Accepted));
}
