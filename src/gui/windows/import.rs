//! The import window: a benchmark tool's output files as one run, or runtime history from Prometheus.

use crate::gui::state::{AppState, Command, ImportCommand};
use egui::Ui;

/// The window, where open.
pub fn import_window_ui(ui: &Ui, state: &AppState, commands: &mut Vec<Command>) {
    use crate::import::Format;
    let Some(current) = &state.import.prompt else { return };
    let mut d = current.clone();
    let mut open = true;
    egui::Window::new("Import benchmark results").open(&mut open).resizable(false).min_width(520.0).show(ui.ctx(), |ui| {
        ui.horizontal(|ui| {
            ui.radio_value(&mut d.prometheus, false, "a benchmark tool's output");
            ui.radio_value(&mut d.prometheus, true, "runtime history from Prometheus");
        });
        if d.prometheus {
            ui.label("One run per step over the last days; each query must return one series, in its budget's unit.");
            egui::Grid::new("prometheus fields").num_columns(2).show(ui, |ui| {
                ui.label("server");
                ui.add(
                    egui::TextEdit::singleline(&mut d.url)
                        .hint_text(crate::gui::theme::hint(ui, "http://localhost:9090"))
                        .desired_width(380.0),
                );
                ui.end_row();
                ui.label("queries");
                ui.add(
                    egui::TextEdit::multiline(&mut d.queries)
                        .hint_text(crate::gui::theme::hint(ui, "api.latency=histogram_quantile(0.95, ...) * 1000"))
                        .desired_width(380.0)
                        .desired_rows(3),
                );
                ui.end_row();
                ui.label("environment");
                ui.add(egui::TextEdit::singleline(&mut d.environment).hint_text(crate::gui::theme::hint(ui, "prod")).desired_width(380.0));
                ui.end_row();
            });
            ui.horizontal(|ui| {
                ui.add(egui::DragValue::new(&mut d.days).range(1..=365).suffix(" days"));
                ui.label("back, one run every");
                ui.add(egui::DragValue::new(&mut d.step_minutes).range(1..=1440).suffix(" min"));
            });
            if let Some(error) = &state.import.error {
                crate::gui::widgets::words::dialog_error_ui(ui, error);
            }
            ui.horizontal(|ui| {
                if ui.button("Import").clicked() {
                    commands.push(Command::Import(ImportCommand::Run(d.clone())));
                }
                if ui.button("Cancel").clicked() {
                    commands.push(Command::Import(ImportCommand::Close));
                }
            });
            return;
        }
        ui.label("Appends one run to the workspace's history (all of the files, or nothing). Dropping the files on the window works too.");
        egui::ComboBox::new("import format", "tool").selected_text(d.format.name()).show_ui(ui, |ui| {
            for f in Format::ALL {
                ui.selectable_value(&mut d.format, f, f.name());
            }
        });
        egui::Grid::new("import fields").num_columns(2).show(ui, |ui| {
            ui.label("files");
            let hint = if d.format == Format::Criterion { "target/criterion" } else { "hyperfine.json (one per line)" };
            ui.add(
                egui::TextEdit::multiline(&mut d.paths).hint_text(crate::gui::theme::hint(ui, hint)).desired_width(380.0).desired_rows(2),
            );
            ui.end_row();
            for (label, value, hint) in [
                ("run id", &mut d.run_id, "ci-1217 (empty: the tool and the time)"),
                ("branch", &mut d.branch, "main"),
                ("environment", &mut d.environment, "ci"),
            ] {
                ui.label(label);
                ui.add(egui::TextEdit::singleline(value).hint_text(crate::gui::theme::hint(ui, hint)).desired_width(380.0));
                ui.end_row();
            }
        });
        if let Some(error) = &state.import.error {
            crate::gui::widgets::words::dialog_error_ui(ui, error);
        }
        ui.horizontal(|ui| {
            if ui.button("Browse…").clicked() {
                let picked = if d.format == Format::Criterion {
                    rfd::FileDialog::new().set_title("criterion's output folder").pick_folder().map(|p| vec![p])
                } else {
                    rfd::FileDialog::new().set_title("Benchmark results").add_filter("JSON", &["json"]).pick_files()
                };
                if let Some(files) = picked {
                    d.paths = files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("\n");
                }
            }
            if ui.button("Import").clicked() {
                commands.push(Command::Import(ImportCommand::Run(d.clone())));
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::Import(ImportCommand::Close));
            }
        });
    });
    if !open {
        commands.push(Command::Import(ImportCommand::Close));
    } else if &d != current && !commands.iter().any(|c| matches!(c, Command::Import(ImportCommand::Close | ImportCommand::Run(_)))) {
        commands.push(Command::Import(ImportCommand::Edit(d)));
    }
}
