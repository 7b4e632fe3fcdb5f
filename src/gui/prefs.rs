//! The app's preferences, kept across restarts by eframe: what the menu and the status bar change
//! besides commands (the colour scheme, the left panel's tab), and who signs here.

/// The colour scheme asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    /// As the system says.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// What the left panel shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LeftTab {
    /// The budget tree.
    #[default]
    Budgets,
    /// Everything that needs attention, most severe first.
    Attention,
    /// The engine's findings.
    Findings,
    /// Budget change proposals.
    Proposals,
}

/// Preferences kept across restarts by eframe (never budgets, history or triage: those live in
/// the workspace). Panel sizes and the window's place are kept by eframe itself.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Workspaces opened before, newest first.
    pub recent: Vec<String>,
    /// The colour scheme.
    pub theme: ThemeChoice,
    /// What the left panel shows.
    pub left_tab: LeftTab,
    /// Who signs on this machine (a principal of `allowed_signers`), remembered for the next proposal.
    pub principal: String,
    /// The key file last signed with (a path, never the key).
    pub key_file: String,
}
