//! The desktop app (behind the `gui` feature): eframe with the wgpu renderer.

pub mod app;
pub mod export;
pub mod gpu_plot;
pub mod jobs;
pub mod panels;
pub mod prefs;
pub mod standing;
pub mod state;
pub mod theme;
pub mod widgets;
pub mod windows;

pub use app::App;
pub use jobs::Source;
pub use state::{AppState, Command};

use std::path::PathBuf;

/// Opens the app's window on a workspace folder, or where none is given, on `budgets/` here or the built-in example.
pub fn run(workspace: Option<PathBuf>) -> anyhow::Result<()> {
    let source = match workspace {
        Some(path) if path.is_dir() => Source::Folder(crate::model::workspace::workspace_folder(&path)),
        Some(path) => anyhow::bail!("{} is not a folder of budget files", path.display()),
        None => Source::default_here(),
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Headroom")
            .with_inner_size([1400.0, 860.0])
            .with_min_inner_size([800.0, 500.0]),
        renderer: eframe::Renderer::Wgpu,
        ..Default::default()
    };
    eframe::run_native("Headroom", options, Box::new(move |cc| Ok(Box::new(App::new(cc, &source)))))
        .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
