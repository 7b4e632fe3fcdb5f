//! The weekly budget review: an agenda built from the workspace, and its export as Markdown and
//! HTML for the meeting notes. The app walks through the same [`Agenda`] in review mode.

use super::analysis::{change_words, finding_hints, noise_meaning, noise_ratio_words, noise_words, reversal_words};
use super::{describe, hint_lines, noise_and_trend, quantity};
use crate::approval::ledger::Evaluation;
use crate::approval::proposal::Proposal;
use crate::engine::analyze::{Analysis, ChangeFinding, Severity, Verdict};
use crate::engine::check::{CheckReport, Finding, Status};
use crate::engine::reversal::Reversals;
use crate::model::time::Timestamp;
use crate::model::triage::{Triage, TriageState};
use crate::model::workspace::Workspace;
use std::fmt::Write as _;

/// The parts of the meeting, in the order they are discussed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Budgets the newest run breaks: the gate fails on them.
    OverBudget,
    /// Change points for the worse since the last review.
    NewRegressions,
    /// Regressions from before the last review that nobody has closed yet (untriaged, acknowledged
    /// or being investigated): they stay on the agenda until they are triaged.
    StillOpen,
    /// Budgets past their warning level or drifting towards their limit.
    AtRisk,
    /// Budget change proposals waiting for sign-off or to be applied.
    Proposals,
    /// Regressions marked fixed (or backed out) since the last review, and those a later change
    /// point reverted since then, for the record; they leave the agenda at the next review.
    Fixed,
    /// Metrics whose noise (their spread, not their level) changed since the last review: not
    /// regressions, but a noisier metric needs a larger change before the gate flags it.
    NoiseChanges,
}

impl Section {
    /// The section's heading.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Section::OverBudget => "Over budget",
            Section::NewRegressions => "New regressions since the last review",
            Section::StillOpen => "Still open from earlier reviews",
            Section::Fixed => "Fixed or reverted since the last review",
            Section::AtRisk => "At risk: past the warning level or drifting",
            Section::Proposals => "Budget change proposals",
            Section::NoiseChanges => "Changes of noise since the last review",
        }
    }
}

/// The sections in the order of the meeting.
pub const SECTIONS: [Section; 7] = [
    Section::OverBudget,
    Section::NewRegressions,
    Section::StillOpen,
    Section::AtRisk,
    Section::Proposals,
    Section::Fixed,
    Section::NoiseChanges,
];

/// One thing to discuss.
#[derive(Clone, Debug, PartialEq)]
pub struct AgendaItem {
    /// Where it belongs.
    pub section: Section,
    /// The budget (index into the workspace's budgets), where there is one.
    pub budget: Option<usize>,
    /// The metric.
    pub metric: String,
    /// A line naming it.
    pub title: String,
    /// What the engine found, a line each.
    pub lines: Vec<String>,
    /// For a change point: its first run, as a position in the history's runs (the plot centres there).
    pub run_index: Option<usize>,
    /// For a change point: the triage key and where the team stands.
    pub triage: Option<(String, TriageState, String)>,
    /// How much it matters, for colour.
    pub severity: Severity,
    /// For a proposal: the limit it proposes for the item's budget, drawn on its plot.
    pub proposed: Option<f64>,
}

/// The meeting's agenda.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Agenda {
    /// The day it was built for.
    pub date: String,
    /// Workspace, environment, newest run and the last review, in one line.
    pub context: String,
    /// The day of the last review, where one was recorded.
    pub since: Option<Timestamp>,
    /// Everything to discuss, by section.
    pub items: Vec<AgendaItem>,
}

impl Agenda {
    /// The items of one section.
    pub fn section(&self, section: Section) -> impl Iterator<Item = &AgendaItem> {
        self.items.iter().filter(move |i| i.section == section)
    }
}

/// A drift that reaches the limit within this many milliseconds (90 days) puts a budget on the agenda.
const AT_RISK_MS: i64 = 90 * 86_400_000;

/// A budget's name where it has one of its own, else its dotted id (`frontend.javascript`, not `javascript`).
fn display_name(budget: &crate::model::budget::Budget) -> String {
    if budget.id == budget.name || budget.id.ends_with(&format!(".{}", budget.name)) { budget.id.clone() } else { budget.name.clone() }
}

/// Builds the agenda from a check and an analysis of the same workspace and environment.
#[must_use]
pub fn agenda(
    workspace: &Workspace,
    triage: &Triage,
    report: &CheckReport,
    analysis: &Analysis,
    proposals: &[(Proposal, Evaluation)],
    today: Timestamp,
) -> Agenda {
    let reversals = crate::engine::reversal::of_check(analysis, Some(report));
    let changes = change_items(workspace, triage, analysis, &reversals);
    let mut items = budget_items(workspace, report, today, triage.last_review);
    // A regression the gate holds open is on the agenda: as its change point's item (with its
    // triage) where the engine found one, else as the budget's own (a new user's workspace read
    // FAILING, one open regression, and the review "Nothing is over budget, regressed or at risk").
    items.retain(|item| {
        !matches!(item.section, Section::NewRegressions | Section::StillOpen)
            || !analysis.findings.iter().any(|f| f.verdict == Verdict::Regression && f.metric == item.metric)
    });
    // One item per budget where a change point tells its story: a budget at risk that has an open
    // regression on the agenda is discussed there, its at-risk lines added to it.
    let mut changes = changes;
    items.retain(|item| {
        let Some(change) = changes
            .iter_mut()
            .find(|c| item.section == Section::AtRisk && c.budget.is_some() && c.budget == item.budget && c.section != Section::Fixed)
        else {
            return true;
        };
        for line in &item.lines {
            if !change.lines.contains(line) {
                change.lines.push(line.clone());
            }
        }
        false
    });
    items.extend(changes);
    items.extend(proposal_items(workspace, proposals));
    items.extend(noise_items(workspace, triage, analysis));
    items.sort_by_key(|i| i.section);
    let mut context = format!("Workspace {}", workspace.root);
    if let Some(env) = &report.environment {
        context.push_str(&format!(" · environment {env}"));
    }
    if let Some(run) = &report.run {
        context.push_str(&format!(" · newest run {}", run.id));
    }
    context.push_str(&match triage.last_review {
        Some(day) => format!(" · last review {}", day.date()),
        None => " · no review recorded yet".to_owned(),
    });
    Agenda { date: today.date(), context, since: triage.last_review, items }
}

/// The proposals not yet applied: what they change, why, who signed and what they still need.
fn proposal_items(workspace: &Workspace, proposals: &[(Proposal, Evaluation)]) -> Vec<AgendaItem> {
    proposals
        .iter()
        .map(|(p, e)| {
            let mut lines: Vec<String> = p
                .changes
                .iter()
                .map(|c| {
                    let unit = workspace.budget(&c.budget).map_or("", |b| b.unit.symbol());
                    let place = c.field.strip_prefix("environments.").map_or_else(String::new, |env| format!(" in {env}"));
                    format!("{}{place}: {} to {}", c.budget, quantity(c.old, unit), quantity(c.new, unit))
                })
                .collect();
            lines.push(format!("why: {}", p.rationale));
            if !p.impact.is_empty() {
                lines.push(format!("impact: {}", p.impact));
            }
            let signed: Vec<String> = e.decision.counted.iter().map(|(who, role)| format!("{who} ({role})")).collect();
            lines.push(if signed.is_empty() { "signed by nobody yet".to_owned() } else { format!("signed by {}", signed.join(", ")) });
            lines.push(if e.approved() {
                "approved: ready to apply".to_owned()
            } else if !e.current {
                "stale: made for other budget files; propose again".to_owned()
            } else {
                crate::approval::ledger::missing_words(e)
            });
            AgendaItem {
                section: Section::Proposals,
                budget: p.changes.first().and_then(|c| workspace.budget_index(&c.budget)),
                metric: p.changes.first().map_or_else(String::new, |c| c.budget.clone()),
                title: format!("Proposal {}: {} ({}, by {})", p.id, p.title, e.kind.as_str(), p.author),
                lines,
                run_index: None,
                triage: None,
                severity: if e.kind == crate::approval::policy::ChangeKind::Tighten { Severity::Low } else { Severity::Medium },
                proposed: p.changes.first().filter(|c| c.field == "limit").map(|c| c.new),
            }
        })
        .collect()
}

/// The budgets over their limit, past their warning, or drifting to their limit soon; and those
/// the gate fails by an open regression alone (new since the last review, `since`, or still open).
fn budget_items(workspace: &Workspace, report: &CheckReport, today: Timestamp, since: Option<Timestamp>) -> Vec<AgendaItem> {
    let mut items = Vec::new();
    for r in &report.results {
        let budget = &workspace.budgets[r.budget];
        let unit = r.unit.symbol();
        // A budget with no value is on the agenda because nothing checked it, not as "no value of 50 ms".
        let title = match r.value {
            Some(v) => format!("{}: {} of {}", display_name(budget), quantity(v, unit), quantity(r.limit, unit)),
            None => format!("{}: not checked, no value (limit {})", display_name(budget), quantity(r.limit, unit)),
        };
        let mut lines: Vec<String> = r
            .findings
            .iter()
            .filter(|f| f.status(report.settings.for_budget(&r.id).missing_data) != Status::Pass)
            .map(|f| describe(workspace, r, f))
            .collect();
        lines.extend(hint_lines(r));
        lines.extend(noise_and_trend(r));
        let over = r.findings.iter().any(|f| matches!(f, Finding::OverLimit));
        // A budget that fails only by the gate's regression is on the agenda as that regression
        // (new or still open, with its triage); over budget is over the limit, or nothing to check.
        let regression_only = !over && r.findings.iter().any(|f| matches!(f, Finding::Regression { .. }));
        let section = if r.status == Status::Fail && !regression_only {
            Section::OverBudget
        } else if let Some(open) = r.open_regression.as_ref().filter(|_| regression_only) {
            let began = workspace.history.runs.iter().find(|run| run.id == open.since_run).and_then(|run| run.timestamp);
            if since.is_some_and(|s| began.is_some_and(|b| b.0 < s.0)) { Section::StillOpen } else { Section::NewRegressions }
        } else if regression_only {
            continue;
        } else if r.status == Status::Warn
            || r.trend.as_ref().is_some_and(|t| t.worsening && t.date_at_limit.is_some_and(|d| d.0 - today.0 <= AT_RISK_MS))
        {
            Section::AtRisk
        } else {
            continue;
        };
        let title = match r.open_regression.as_ref().filter(|_| matches!(section, Section::NewRegressions | Section::StillOpen)) {
            Some(open) => format!("{}: regression open since run {}", display_name(budget), open.since_run),
            None => title,
        };
        let severity = if over {
            Severity::Critical
        } else if r.status == Status::Fail {
            Severity::High
        } else {
            Severity::Medium
        };
        items.push(AgendaItem {
            section,
            budget: Some(r.budget),
            metric: r.metric.clone(),
            title,
            lines,
            run_index: None,
            triage: None,
            severity,
            proposed: None,
        });
    }
    items
}

/// The change points for the worse: new since the last review, or still open from before. One
/// that a later change point reverted is not open: it is discussed with the fixed ones, for the
/// record, at the first review after its revert (still to be marked fixed), and not after.
fn change_items(workspace: &Workspace, triage: &Triage, analysis: &Analysis, reversals: &Reversals) -> Vec<AgendaItem> {
    let history = &workspace.history;
    let mut items = Vec::new();
    let position = |run: &str| history.runs.iter().position(|r| r.id == run);
    let mut seen = std::collections::HashSet::new();
    let mut changes: Vec<(usize, &ChangeFinding)> =
        analysis.findings.iter().enumerate().filter(|(_, f)| f.verdict == Verdict::Regression).collect();
    changes.sort_by(|(_, a), (_, b)| b.severity.cmp(&a.severity).then(b.run_index.cmp(&a.run_index)));
    for (i, f) in changes {
        let reversal = reversals.of(i);
        let (key, state, owner, updated) = match triage.find(&f.metric, &f.run_id, position) {
            Some((key, entry)) => (key.to_owned(), entry.state, entry.owner.clone(), entry.updated),
            None => (crate::model::triage::finding_key(&f.metric, &f.run_id), TriageState::Untriaged, String::new(), None),
        };
        if state == TriageState::Invalid || !seen.insert(key.clone()) {
            continue;
        }
        let at = history.runs.get(f.run_index).and_then(|r| r.timestamp);
        let since_review = |t: Option<Timestamp>| match (triage.last_review, t) {
            (Some(review), Some(t)) => t > review,
            _ => true,
        };
        // When the change point that reverted it came, where one did.
        let reverted_at = reversal.filter(|r| r.reverted).map(|r| history.runs.get(r.run_index).and_then(|r| r.timestamp));
        let section = match state {
            // Fixed: reported once, at the first review after the fix.
            TriageState::Fixed | TriageState::BackedOut if since_review(updated) => Section::Fixed,
            TriageState::Fixed | TriageState::BackedOut => continue,
            // Reverted by a later change point: the record says so once, then it leaves.
            _ if reverted_at.is_some_and(since_review) => Section::Fixed,
            _ if reverted_at.is_some() => continue,
            _ if since_review(at) => Section::NewRegressions,
            // Untriaged work stays until someone triages it.
            s if s.is_open() => Section::StillOpen,
            _ => continue,
        };
        let unit = analysis.metrics.iter().find(|m| m.metric == f.metric).and_then(|m| m.unit.as_ref()).map(|u| u.symbol().to_owned());
        let unit = f.budget.as_deref().and_then(|id| workspace.budget(id)).map_or(unit.unwrap_or_default(), |b| b.unit.symbol().to_owned());
        let name = f.budget.as_deref().and_then(|id| workspace.budget(id)).map_or(f.metric.clone(), display_name);
        let when = at.map_or_else(String::new, |t| format!(" on {}", t.date()));
        let mut lines = vec![change_words(f, &unit)];
        lines.extend(reversal.map(|r| reversal_words(f, r, &unit)));
        lines.extend(finding_hints(f, &unit));
        let mut triage_line = format!("triage: {}", state.label());
        if !owner.is_empty() {
            triage_line.push_str(&format!(" (owner {owner})"));
        }
        lines.push(triage_line);
        items.push(AgendaItem {
            section,
            budget: f.budget.as_deref().and_then(|id| workspace.budget_index(id)),
            metric: f.metric.clone(),
            title: format!("{name}: level shift at run {}{when}", f.run_id),
            lines,
            run_index: Some(f.run_index),
            triage: Some((key, state, owner)),
            // Reverted: no alarm colour for what the data already put back.
            severity: if reverted_at.is_some() { Severity::Info } else { f.severity },
            proposed: None,
        });
    }
    items
}

/// The changes of noise since the last review (all of them before the first), newest first: for
/// the record, never triaged; a rise in amber (something to look at), a fall as information.
fn noise_items(workspace: &Workspace, triage: &Triage, analysis: &Analysis) -> Vec<AgendaItem> {
    let history = &workspace.history;
    let mut items = Vec::new();
    for f in analysis.noise_findings.iter().rev() {
        let at = history.runs.get(f.run_index).and_then(|r| r.timestamp);
        if let (Some(review), Some(at)) = (triage.last_review, at)
            && at <= review
        {
            continue;
        }
        let metric = analysis.metrics.iter().find(|m| m.metric == f.metric);
        let budget = metric.and_then(|m| m.budget);
        let unit = metric.and_then(|m| m.unit.as_ref()).map_or("", |u| u.symbol());
        let name = budget.map_or_else(|| f.metric.clone(), |b| display_name(&workspace.budgets[b]));
        let when = at.map_or_else(String::new, |t| format!(" on {}", t.date()));
        items.push(AgendaItem {
            section: Section::NoiseChanges,
            budget,
            metric: f.metric.clone(),
            title: format!("{name}: noise {} {} at run {}{when}", if f.rose() { "rose" } else { "fell" }, noise_ratio_words(f), f.run_id),
            lines: vec![noise_words(f, unit), noise_meaning(f).to_owned()],
            run_index: Some(f.run_index),
            triage: None,
            severity: if f.rose() { Severity::Low } else { Severity::Info },
            proposed: None,
        });
    }
    items
}

/// The agenda as Markdown; `image_of(i)` is the file name of item `i`'s plot, where there is one.
#[must_use]
pub fn markdown(agenda: &Agenda, image_of: &dyn Fn(usize) -> Option<String>) -> String {
    let mut out = format!("# Budget review, {}\n\n{}\n", agenda.date, agenda.context);
    let mut number = 0;
    for section in SECTIONS {
        let count = agenda.section(section).count();
        let _ = write!(out, "\n## {} ({count})\n", section.title());
        if count == 0 {
            out.push_str("\nNothing.\n");
        }
        for (i, item) in agenda.items.iter().enumerate().filter(|(_, item)| item.section == section) {
            number += 1;
            let _ = write!(out, "\n### {number}. {}\n\n", item.title);
            if let Some(image) = image_of(i) {
                let _ = writeln!(out, "![{}]({image})\n", item.metric);
            }
            for line in &item.lines {
                let _ = writeln!(out, "- {line}");
            }
        }
    }
    out
}

/// The agenda as a standalone HTML page (no scripts, printable); images as in [`markdown`].
#[must_use]
pub fn html(agenda: &Agenda, image_of: &dyn Fn(usize) -> Option<String>) -> String {
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Budget review, {date}</title>\n<style>\n\
         body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }}\n\
         h3 {{ margin-bottom: .3rem; }} img {{ max-width: 100%; border: 1px solid #ccc; }}\n\
         .critical, .high {{ border-left: 6px solid #e0443c; padding-left: .8rem; }}\n\
         .medium, .low {{ border-left: 6px solid #d29922; padding-left: .8rem; }}\n\
         .info {{ border-left: 6px solid #2ea043; padding-left: .8rem; }}\n\
         .fixed {{ border-left: 6px solid #808080; padding-left: .8rem; }}\n</style></head><body>\n\
         <h1>Budget review, {date}</h1>\n<p>{context}</p>\n",
        date = escape(&agenda.date),
        context = html_words(&agenda.context)
    );
    let mut number = 0;
    for section in SECTIONS {
        let count = agenda.section(section).count();
        let _ = writeln!(out, "<h2>{} ({count})</h2>", escape(section.title()));
        if count == 0 {
            out.push_str("<p>Nothing.</p>\n");
        }
        for (i, item) in agenda.items.iter().enumerate().filter(|(_, item)| item.section == section) {
            number += 1;
            // Fixed or reverted since: history, in grey as the app shows it, not a severity's colour.
            let class = if item.section == Section::Fixed { "fixed" } else { item.severity.as_str() };
            let _ = writeln!(out, "<section class=\"{class}\">\n<h3>{number}. {}</h3>", html_words(&item.title));
            if let Some(image) = image_of(i) {
                let _ = writeln!(out, "<img src=\"{}\" alt=\"{}\">", escape(&image), escape(&item.metric));
            }
            out.push_str("<ul>\n");
            for line in &item.lines {
                let _ = writeln!(out, "<li>{}</li>", html_words(line));
            }
            out.push_str("</ul>\n</section>\n");
        }
    }
    out.push_str("</body></html>\n");
    out
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A line of our words as HTML: escaped, its Markdown code spans ([`super::code_spans`]) in
/// `<code>`, never shown as backticks.
pub(crate) fn html_words(text: &str) -> String {
    super::code_spans(text)
        .into_iter()
        .map(|(part, code)| if code { format!("<code>{}</code>", escape(part)) } else { escape(part) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::{RunFilter, analyze};
    use crate::engine::changepoint::DetectorSettings;
    use crate::engine::check::{CheckOptions, check};

    fn example_agenda(triage: &Triage) -> (Workspace, Agenda) {
        let workspace = crate::example::workspace();
        let report = check(&workspace, &CheckOptions::default());
        let filter = RunFilter { environment: report.environment.clone(), branch: Some(workspace.config.default_branch.clone()) };
        let analysis = analyze(&workspace.history, &filter, Some(&workspace), &DetectorSettings::default());
        let agenda = agenda(&workspace, triage, &report, &analysis, &[], Timestamp::parse("2026-11-25").unwrap());
        (workspace, agenda)
    }

    #[test]
    fn the_agenda_leads_with_what_is_over_budget_then_new_regressions() {
        let (_, agenda) = example_agenda(&Triage::default());
        let over: Vec<&str> = agenda.section(Section::OverBudget).map(|i| i.metric.as_str()).collect();
        assert_eq!(over, ["frontend.javascript"]);
        assert!(agenda.section(Section::NewRegressions).any(|i| i.metric == "services.auth"), "{agenda:#?}");
        assert_eq!(agenda.items[0].section, Section::OverBudget);
        assert!(agenda.context.contains("no review recorded yet"));
    }

    #[test]
    fn a_regression_the_gate_holds_without_a_change_point_is_on_the_agenda() {
        // 56 runs at zero, then four at 1 ms under a 5 ms limit: the gate fails (an open
        // regression), and the change-point search has too few runs of the new level to place one.
        let history = (0..60)
            .map(|i| {
                let v = if i >= 56 { 1.0 } else { 0.0 };
                format!("{{\"id\":\"r{i}\",\"commit\":\"{i:040x}\",\"timestamp\":\"2026-05-01T00:{i:02}:00Z\",\"branch\":\"main\",\"environment\":\"ci\",\"metrics\":{{\"cap.latency\":{v}}}}}\n")
            })
            .collect::<Vec<String>>()
            .concat();
        let files = [("b.yaml".to_owned(), "cap:\n  max_latency_ms: 5\n".to_owned()), ("history/h.jsonl".to_owned(), history)];
        let workspace = Workspace::from_files("w", &files);
        let report = check(&workspace, &CheckOptions::default());
        assert_eq!(report.results[0].status, Status::Fail, "{:?}", report.results[0]);
        let filter = RunFilter { environment: report.environment.clone(), branch: Some("main".to_owned()) };
        let analysis = analyze(&workspace.history, &filter, Some(&workspace), &DetectorSettings::default());
        assert!(!analysis.findings.iter().any(|f| f.verdict == Verdict::Regression), "{:?}", analysis.findings);
        let agenda = agenda(&workspace, &Triage::default(), &report, &analysis, &[], Timestamp::parse("2026-05-02").unwrap());
        let item = agenda.section(Section::NewRegressions).next().unwrap_or_else(|| panic!("{agenda:#?}"));
        assert_eq!(item.title, "cap latency: regression open since run r56");
        assert!(item.lines.iter().any(|l| l.contains("no longer zero")), "{:?}", item.lines);
    }

    #[test]
    fn a_budget_without_a_value_is_on_the_agenda_as_not_checked() {
        let workspace = crate::example::workspace();
        let mut report = check(&workspace, &CheckOptions::default());
        let filter = RunFilter { environment: report.environment.clone(), branch: Some(workspace.config.default_branch.clone()) };
        let analysis = analyze(&workspace.history, &filter, Some(&workspace), &DetectorSettings::default());
        // The newest run did not measure the schema validator's latency.
        let r = report.results.iter_mut().find(|r| r.id == "schema_validator.latency").unwrap();
        r.value = None;
        r.status = Status::Fail;
        r.findings = vec![Finding::NotInRun { last_seen: Some("ci-1215".to_owned()) }];
        let agenda = agenda(&workspace, &Triage::default(), &report, &analysis, &[], Timestamp::parse("2026-11-25").unwrap());
        let item = agenda.items.iter().find(|i| i.metric == "schema_validator.latency").unwrap();
        assert_eq!(item.title, "schema_validator latency: not checked, no value (limit 50 ms)");
    }

    #[test]
    fn a_review_moves_older_regressions_out_unless_still_open_and_false_alarms_leave() {
        let (workspace, first) = example_agenda(&Triage::default());
        let auth = first.section(Section::NewRegressions).find(|i| i.metric == "services.auth").unwrap();
        let (key, _, _) = auth.triage.clone().unwrap();
        let newest = workspace.history.runs.iter().filter_map(|r| r.timestamp).max().unwrap();
        let mut triage = Triage { last_review: Some(newest), ..Triage::default() };
        triage.entries.insert(key.clone(), crate::model::triage::TriageEntry { state: TriageState::Investigating, ..Default::default() });
        let (_, later) = example_agenda(&triage);
        assert_eq!(later.section(Section::NewRegressions).count(), 0);
        assert!(later.section(Section::StillOpen).any(|i| i.metric == "services.auth"));
        triage.entries.get_mut(&key).unwrap().state = TriageState::Invalid;
        let (_, after) = example_agenda(&triage);
        assert!(!after.items.iter().any(|i| i.metric == "services.auth"));
    }

    #[test]
    fn a_regression_a_later_change_point_reverted_is_on_the_record_once_not_open() {
        // schema_validator: 34.4 → 41.1 ms at ci-1085, back to 34.9 ms at ci-1133.
        let (workspace, first) = example_agenda(&Triage::default());
        let schema = |agenda: &Agenda| -> Vec<Section> {
            agenda.items.iter().filter(|i| i.metric == "schema_validator.latency").map(|i| i.section).collect()
        };
        assert_eq!(schema(&first), [Section::Fixed], "{first:#?}");
        let item = first.section(Section::Fixed).find(|i| i.metric == "schema_validator.latency").unwrap();
        assert!(item.lines.iter().any(|l| l.starts_with("reverted at `ci-1133`")), "{:?}", item.lines);
        // A review held after the revert: it leaves the agenda, though nobody triaged it.
        let newest = workspace.history.runs.iter().filter_map(|r| r.timestamp).max().unwrap();
        let (_, later) = example_agenda(&Triage { last_review: Some(newest), ..Triage::default() });
        assert!(schema(&later).is_empty(), "{later:#?}");
    }

    #[test]
    fn markdown_and_html_carry_every_item_and_its_plot() {
        let (_, agenda) = example_agenda(&Triage::default());
        let image = |i: usize| Some(format!("plot-{i}.png"));
        let md = markdown(&agenda, &image);
        let page = html(&agenda, &image);
        for (i, item) in agenda.items.iter().enumerate() {
            assert!(md.contains(&item.title), "{}", item.title);
            assert!(md.contains(&format!("(plot-{i}.png)")));
            assert!(page.contains(&format!("src=\"plot-{i}.png\"")));
        }
        assert!(md.starts_with("# Budget review, 2026-11-25"));
        assert!(!page.contains("<script"));
        // The page sets code as code (Markdown keeps its backticks), and what was reverted since is
        // grey, as the app shows it, not in its severity's colour.
        assert!(md.contains("reverted at `ci-1133`") && page.contains("reverted at <code>ci-1133</code>") && !page.contains('`'));
        let reverted = page.find("schema_validator latency: level shift at run ci-1085").unwrap();
        assert!(page[..reverted].ends_with("<section class=\"fixed\">\n<h3>4. "), "{page}");
    }

    #[test]
    fn a_change_of_noise_is_on_the_agenda_until_a_review_is_held_after_it_and_never_as_a_regression() {
        let workspace = crate::example::workspace();
        let report = check(&workspace, &CheckOptions::default());
        let filter = RunFilter { environment: report.environment.clone(), branch: Some(workspace.config.default_branch.clone()) };
        let mut analysis = analyze(&workspace.history, &filter, Some(&workspace), &DetectorSettings::default());
        assert!(analysis.noise_findings.is_empty(), "the example's noise holds: {:?}", analysis.noise_findings);
        // The gateway's noise tripled at its run 150 (the example has none: one is added).
        let run_index = analysis.metrics.iter().find(|m| m.metric == "services.api_gateway").unwrap().series.runs[150];
        let run = workspace.history.runs.run(run_index);
        analysis.noise_findings.push(crate::engine::analyze::NoiseFinding {
            metric: "services.api_gateway".into(),
            run_index,
            run_id: run.id.to_owned(),
            before: 0.3,
            after: 0.9,
            p_value: 1e-6,
        });
        let today = Timestamp::parse("2026-11-25").unwrap();
        let at = run.timestamp.unwrap();
        let before =
            agenda(&workspace, &Triage { last_review: Some(Timestamp(at.0 - 1)), ..Triage::default() }, &report, &analysis, &[], today);
        let item = before.section(Section::NoiseChanges).next().expect("on the agenda");
        assert_eq!(item.title, format!("API Gateway: noise rose ×3.0 at run {} on {}", run.id, at.date()));
        assert_eq!(item.lines[0], format!("noise rose from σ 0.3 ms to 0.9 ms (×3.0) at run `{}`, confidence >99.99%", run.id));
        assert_eq!((item.triage.clone(), item.severity, item.run_index), (None, Severity::Low, Some(run_index)));
        assert!(markdown(&before, &|_| None).contains("## Changes of noise since the last review (1)"));
        // Nothing else moved: the same regressions and budgets as without it.
        let without = agenda(
            &workspace,
            &Triage { last_review: Some(Timestamp(at.0 - 1)), ..Triage::default() },
            &report,
            &Analysis { noise_findings: Vec::new(), ..analysis.clone() },
            &[],
            today,
        );
        assert_eq!(before.items.len(), without.items.len() + 1);
        let after = agenda(&workspace, &Triage { last_review: Some(at), ..Triage::default() }, &report, &analysis, &[], today);
        assert_eq!(after.section(Section::NoiseChanges).count(), 0, "held after it: off the agenda");
    }
}
