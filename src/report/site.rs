//! `headroom report`: the whole workspace as a static HTML site, for people without the app (the
//! budget review meeting, a pull request's readers), as asv publishes its results.
//!
//! ```text
//!  index.html              overview: over budget, open regressions, warnings, drifts, proposals,
//!                          and every budget with its status
//!  budget/<id>.html        one budget: its plot, findings, change points, newest runs
//!  budget/<id>.svg         its plot (report::svg: the app's plot, drawn without egui)
//!  style.css               one stylesheet, with print rules
//!  .nojekyll               GitHub Pages serves the files as they are
//! ```
//!
//! Pages have no scripts and only relative links, so the site works from `file://`, from GitHub
//! Pages or GitLab Pages, and from a CI artifact; commits link to the repository where
//! `headroom.yaml` names it (`repository:`).

use super::analysis::{change_words, noise_meaning, noise_words, reversal_words, undo_words};
use super::review::{escape, html_words};
use super::svg::ChangeMark;
use super::svg::{PlotSeries, svg};
use super::{describe, hint_lines, noise_and_trend, quantity, without_backticks};
use crate::approval::ledger::Evaluation;
use crate::approval::proposal::Proposal;
use crate::engine::analyze::{Analysis, ChangeFinding, Verdict};
use crate::engine::check::{BudgetResult, CheckReport, Finding, Status};
use crate::engine::reversal::{Reversals, is_open_regression, of_check};
use crate::model::time::Timestamp;
use crate::model::triage::TriageState;
use crate::model::workspace::Workspace;
use std::fmt::Write as _;

/// What the site is made from: a check and an analysis of the same workspace and environment.
pub struct SiteInput<'a> {
    /// The workspace.
    pub workspace: &'a Workspace,
    /// Its check.
    pub report: &'a CheckReport,
    /// Its analysis (change points on the baseline branch of the checked environment).
    pub analysis: &'a Analysis,
    /// The proposals not yet applied.
    pub proposals: &'a [(Proposal, Evaluation)],
    /// When the site is made.
    pub generated: Timestamp,
}

/// One file of the site: its path under the output folder, and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteFile {
    /// `budget/services.auth.html`.
    pub path: String,
    /// What it holds.
    pub text: String,
}

/// The page of a budget, relative to the site's root.
#[must_use]
pub fn budget_page(id: &str) -> String {
    format!("budget/{id}.html")
}

const STYLE: &str = "\
:root { --pass: #2ea043; --warn: #d29922; --fail: #e0443c; --none: #808080; --link: #1f5fb4; }
body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.45; color: #1a1a1a; background: #fff; }
a { color: var(--link); }
h1 { margin-bottom: .2rem; } .context { color: #444; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.status { font-weight: 600; white-space: nowrap; }
.pass { color: var(--pass); } .warn { color: #9a6b00; } .fail { color: var(--fail); } .none { color: var(--none); }
section.item { border-left: 6px solid var(--none); padding: .1rem 0 .1rem .8rem; margin: .8rem 0; }
section.item.critical, section.item.high { border-color: var(--fail); }
section.item.medium, section.item.low { border-color: var(--warn); }
section.item.info { border-color: var(--pass); }
section.item.reverted { border-color: var(--none); color: #444; }
section.item h3 { margin: .2rem 0; font-size: 1.05rem; }
.nothing { color: #555; }
figure { margin: 1rem 0; } figure img { width: 100%; height: auto; border: 1px solid #ccc; }
figcaption { color: #444; font-size: .9rem; }
code { font-size: .92em; }
nav { margin-bottom: 1rem; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  nav { display: none; }
  figure, section.item, tr { break-inside: avoid; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
";

/// The site's files.
#[must_use]
pub fn site(input: &SiteInput) -> Vec<SiteFile> {
    // Which regressions were reverted: once for the overview and every budget's page.
    let reversals = of_check(input.analysis, Some(input.report));
    let mut files = vec![
        SiteFile { path: "index.html".to_owned(), text: overview(input, &reversals) },
        SiteFile { path: "style.css".to_owned(), text: STYLE.to_owned() },
        SiteFile { path: ".nojekyll".to_owned(), text: String::new() },
    ];
    for result in &input.report.results {
        files.push(SiteFile { path: format!("budget/{}.svg", result.id), text: svg(&plot_series(input, result, &reversals)) });
        files.push(SiteFile { path: budget_page(&result.id), text: budget_html(input, result, &reversals) });
    }
    files
}

/// Links to the repository's commits, where the workspace names it.
struct Links<'a> {
    repository: Option<&'a str>,
}

impl Links<'_> {
    /// GitLab puts commits under `/-/`; GitHub, Gitea and others directly under the repository.
    fn base(&self) -> Option<String> {
        self.repository.map(|r| if r.contains("gitlab") { format!("{r}/-") } else { r.to_owned() })
    }

    fn commit(&self, sha: &str) -> String {
        let short: String = sha.chars().take(10).collect();
        match self.base() {
            Some(base) => format!("<a href=\"{}/commit/{}\"><code>{}</code></a>", escape(&base), escape(sha), escape(&short)),
            None => format!("<code>{}</code>", escape(&short)),
        }
    }

    fn range(&self, good: &str, bad: &str) -> String {
        match self.base() {
            Some(base) => {
                format!("<a href=\"{}/compare/{}...{}\">{}..{}</a>", escape(&base), escape(good), escape(bad), short(good), short(bad))
            }
            None => format!("<code>{}..{}</code>", short(good), short(bad)),
        }
    }
}

/// A commit's first ten characters, for people.
fn short(sha: &str) -> String {
    escape(&sha.chars().take(10).collect::<String>())
}

fn page(title: &str, root: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"stylesheet\" href=\"{root}style.css\">\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
    }
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pass => "within budget",
        Status::Warn => "warning",
        Status::Fail => "failing",
    }
}

/// Workspace, environment, newest run and its commit, in one line.
fn context(input: &SiteInput, repo: &Links) -> String {
    let report = input.report;
    let mut out = format!("Workspace <code>{}</code>", escape(&input.workspace.root));
    if let Some(env) = &report.environment {
        let _ = write!(out, " · environment <code>{}</code>", escape(env));
    }
    if let Some(run) = &report.run {
        let _ = write!(out, " · newest run <code>{}</code>", escape(&run.id));
        if let Some(commit) = &run.commit {
            let _ = write!(out, " at {}", repo.commit(commit));
        }
        if let Some(t) = run.timestamp {
            let _ = write!(out, " on {}", t.date());
        }
    }
    let _ = write!(out, " · baseline branch <code>{}</code> · made {}", escape(&report.baseline_branch), input.generated.date());
    out
}

/// The change points for the worse that are open (not reverted by a later change point, and
/// nobody has closed them: [`is_open_regression`]), worst first, with their triage.
fn open_changes<'a>(input: &'a SiteInput, reversals: &Reversals) -> Vec<(usize, &'a ChangeFinding, TriageState, String)> {
    let history = &input.workspace.history;
    let position = |run: &str| history.runs.iter().position(|r| r.id == run);
    let mut out: Vec<(usize, &ChangeFinding, TriageState, String)> = input
        .analysis
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.verdict == Verdict::Regression)
        .map(|(i, f)| match input.workspace.triage.find(&f.metric, &f.run_id, position) {
            Some((_, entry)) => (i, f, entry.state, entry.owner.clone()),
            None => (i, f, TriageState::Untriaged, String::new()),
        })
        .filter(|(i, f, state, _)| is_open_regression(f.verdict, reversals.of(*i), *state))
        .collect();
    out.sort_by(|a, b| b.1.severity.cmp(&a.1.severity).then(b.1.run_index.cmp(&a.1.run_index)));
    out
}

fn change_item(
    input: &SiteInput,
    repo: &Links,
    root: &str,
    (i, f): (usize, &ChangeFinding),
    reversals: &Reversals,
    state: TriageState,
    owner: &str,
) -> String {
    let reversal = reversals.of(i);
    let history = &input.workspace.history;
    let budget = f.budget.as_deref().and_then(|id| input.workspace.budget(id));
    let unit = budget.map_or_else(
        || input.analysis.metrics.iter().find(|m| m.metric == f.metric).and_then(|m| m.unit.as_ref()).map_or("", |u| u.symbol()).to_owned(),
        |b| b.unit.symbol().to_owned(),
    );
    let run = history.runs.get(f.run_index);
    let mut title = match budget {
        Some(b) => format!("<a href=\"{root}{}\">{}</a>", escape(&budget_page(&b.id)), escape(&b.id)),
        None => format!("<code>{}</code>", escape(&f.metric)),
    };
    let _ = write!(title, ": level shift at run <code>{}</code>", escape(&f.run_id));
    if let Some(t) = run.and_then(|r| r.timestamp) {
        let _ = write!(title, " on {}", t.date());
    }
    // Reverted by a later change point: history, tagged and in grey as the app shows it.
    let reverted = reversal.filter(|r| r.reverted);
    if let Some(r) = reverted {
        let _ = write!(title, " · reverted at <code>{}</code>", escape(&r.run_id));
    }
    let mut lines = vec![html_words(&change_words(f, &unit))];
    if let Some(r) = reversal {
        lines.push(html_words(&reversal_words(f, r, &unit)));
    }
    if let Some(u) = reversals.undoes(i) {
        lines.push(html_words(&undo_words(&input.analysis.findings, f, u, &unit)));
    }
    match (&f.commit_range, run.and_then(|r| r.commit)) {
        ((Some(good), Some(bad)), _) => lines.push(format!("commits {}", repo.range(good, bad))),
        (_, Some(commit)) => lines.push(format!("first run of the new level at {}", repo.commit(commit))),
        _ => {}
    }
    if !f.related.is_empty() {
        lines.push(format!("also shifted in this run: {}", escape(&f.related.join(", "))));
    }
    let mut triage = format!("triage: {}", state.label());
    if !owner.is_empty() {
        let _ = write!(triage, " (owner {owner})");
    }
    lines.push(escape(&triage));
    item(if reverted.is_some() { "reverted" } else { f.severity.as_str() }, &title, &lines)
}

fn item(class: &str, title_html: &str, lines_html: &[String]) -> String {
    let mut out = format!("<section class=\"item {class}\">\n<h3>{title_html}</h3>\n<ul>\n");
    for line in lines_html {
        let _ = writeln!(out, "<li>{line}</li>");
    }
    out.push_str("</ul>\n</section>\n");
    out
}

fn result_title(result: &BudgetResult, root: &str) -> String {
    let unit = result.unit.symbol();
    format!(
        "<a href=\"{root}{}\">{}</a>: {} of {}",
        escape(&budget_page(&result.id)),
        escape(&result.id),
        result.value.map_or_else(|| "no value".to_owned(), |v| escape(&quantity(v, unit))),
        escape(&quantity(result.limit, unit))
    )
}

fn result_lines(input: &SiteInput, result: &BudgetResult, repo: &Links) -> Vec<String> {
    let missing = input.report.settings.for_budget(&result.id).missing_data;
    let mut lines: Vec<String> = result
        .findings
        .iter()
        .filter(|f| f.status(missing) != Status::Pass)
        .map(|f| html_words(&describe(input.workspace, result, f)))
        .collect();
    if let Some(hints) = &result.hints
        && let (Some(good), Some(bad)) = &hints.commit_range
    {
        lines.push(format!("commits {}", repo.range(good, bad)));
    }
    // The hints in words, less the commit range linked above.
    lines.extend(hint_lines(result).into_iter().filter(|l| !l.starts_with("commits:")).map(|l| html_words(&l)));
    lines.extend(noise_and_trend(result).map(|l| html_words(&l)));
    lines
}

/// The overview page.
#[allow(clippy::too_many_lines)] // the page's sections, in order
fn overview(input: &SiteInput, reversals: &Reversals) -> String {
    let repo = Links { repository: input.workspace.config.repository.as_deref() };
    let report = input.report;
    let status = report.status();
    let mut body = format!(
        "<h1>Performance budgets</h1>\n<p class=\"context\">{}</p>\n<p class=\"status {}\">Overall: {}</p>\n",
        context(input, &repo),
        status_class(status),
        status_word(status)
    );
    let over: Vec<&BudgetResult> = report.results.iter().filter(|r| r.findings.iter().any(|f| matches!(f, Finding::OverLimit))).collect();
    let gate_regressions: Vec<&BudgetResult> = report
        .results
        .iter()
        .filter(|r| r.findings.iter().any(|f| matches!(f, Finding::Regression { .. } | Finding::BaseRegression { .. })))
        .collect();
    let changes = open_changes(input, reversals);
    // Failing because nothing measured them here: never left out of a page that says "failing".
    let not_checked: Vec<&BudgetResult> = report
        .results
        .iter()
        .filter(|r| r.status == Status::Fail && !over.iter().chain(&gate_regressions).any(|o| o.budget == r.budget))
        .filter(|r| {
            r.findings.iter().any(|f| {
                matches!(
                    f,
                    Finding::NoMetric { .. }
                        | Finding::MappedMetricMissing { .. }
                        | Finding::Ambiguous { .. }
                        | Finding::NotInRun { .. }
                        | Finding::NoRun
                        | Finding::UnitMismatch { .. }
                )
            })
        })
        .collect();
    let warnings: Vec<&BudgetResult> = report.results.iter().filter(|r| r.status == Status::Warn).collect();
    let drifts: Vec<&BudgetResult> =
        report.results.iter().filter(|r| r.trend.as_ref().is_some_and(|t| t.worsening && t.date_at_limit.is_some())).collect();
    let mut section = |title: &str, id: &str, items: Vec<String>| {
        let _ = writeln!(body, "<h2 id=\"{id}\">{} ({})</h2>", escape(title), items.len());
        if items.is_empty() {
            body.push_str("<p class=\"nothing\">Nothing.</p>\n");
        }
        for i in items {
            body.push_str(&i);
        }
    };
    // The check's own problems first (no run in the environment, a history file that did not load):
    // what the overall status rests on.
    if !report.problems.is_empty() {
        let problems = report.problems.iter().map(|p| {
            let class = if p.status == Status::Fail { "critical" } else { "medium" };
            format!("<section class=\"item {class}\">\n<p>{}: {}</p>\n</section>\n", p.status.as_str(), html_words(&p.message))
        });
        section("Problems", "problems", problems.collect());
    }
    section(
        "Over budget",
        "over-budget",
        over.iter().map(|r| item("critical", &result_title(r, ""), &result_lines(input, r, &repo))).collect(),
    );
    let mut open: Vec<String> =
        gate_regressions.iter().map(|r| item("high", &result_title(r, ""), &result_lines(input, r, &repo))).collect();
    open.extend(changes.iter().map(|(i, f, state, owner)| change_item(input, &repo, "", (*i, f), reversals, *state, owner)));
    section("Open regressions", "open-regressions", open);
    if !not_checked.is_empty() {
        section(
            "Not checked",
            "not-checked",
            not_checked.iter().map(|r| item("critical", &result_title(r, ""), &result_lines(input, r, &repo))).collect(),
        );
    }
    section(
        "Warnings",
        "warnings",
        warnings.iter().map(|r| item("medium", &result_title(r, ""), &result_lines(input, r, &repo))).collect(),
    );
    section(
        "Drifting towards the limit",
        "drifts",
        drifts
            .iter()
            .map(|r| item("low", &result_title(r, ""), &noise_and_trend(r).map(|l| vec![html_words(&l)]).unwrap_or_default()))
            .collect(),
    );
    section("Pending budget change proposals", "proposals", input.proposals.iter().map(|(p, e)| proposal_item(input, p, e)).collect());

    body.push_str("<h2 id=\"budgets\">Every budget</h2>\n<table>\n<thead><tr><th>budget</th><th>status</th><th>value</th><th>limit</th><th>headroom</th></tr></thead>\n<tbody>\n");
    for r in &report.results {
        let unit = r.unit.symbol();
        let _ = writeln!(
            body,
            "<tr><td><a href=\"{}\">{}</a></td><td class=\"status {}\">{}</td><td class=\"number\">{}</td><td class=\"number\">{}</td><td class=\"number\">{}</td></tr>",
            escape(&budget_page(&r.id)),
            escape(&r.id),
            status_class(r.status),
            status_word(r.status),
            r.value.map_or_else(|| "–".to_owned(), |v| escape(&quantity(v, unit))),
            escape(&quantity(r.limit, unit)),
            r.headroom_fraction().map_or_else(|| "–".to_owned(), |h| format!("{:.0}%", h * 100.0))
        );
    }
    body.push_str("</tbody>\n</table>\n");
    page("Performance budgets", "", &body)
}

fn proposal_item(input: &SiteInput, p: &Proposal, e: &Evaluation) -> String {
    let mut lines: Vec<String> = p
        .changes
        .iter()
        .map(|c| {
            let unit = input.workspace.budget(&c.budget).map_or("", |b| b.unit.symbol());
            let link = if input.workspace.budget(&c.budget).is_some() {
                format!("<a href=\"{}\">{}</a>", escape(&budget_page(&c.budget)), escape(&c.budget))
            } else {
                escape(&c.budget)
            };
            format!("{link} <code>{}</code>: {} to {}", escape(&c.field), escape(&quantity(c.old, unit)), escape(&quantity(c.new, unit)))
        })
        .collect();
    lines.extend(p.files.iter().map(|f| format!("file <code>{}</code>", escape(&f.file))));
    lines.push(format!("why: {}", escape(&p.rationale)));
    let signed: Vec<String> = e.decision.counted.iter().map(|(who, role)| format!("{who} ({role})")).collect();
    lines.push(escape(&if signed.is_empty() { "signed by nobody yet".to_owned() } else { format!("signed by {}", signed.join(", ")) }));
    lines.push(escape(&if e.approved() {
        "approved: ready to apply (headroom apply)".to_owned()
    } else if !e.current {
        "stale: made for other budget files; propose again".to_owned()
    } else {
        crate::approval::ledger::missing_words(e)
    }));
    item(
        "medium",
        &format!("Proposal <code>{}</code>: {} ({}, by {})", escape(&p.id), escape(&p.title), e.kind.as_str(), escape(&p.author)),
        &lines,
    )
}

/// The runs of a budget's metric in the checked environment, as the app's plot takes them.
fn plot_series(input: &SiteInput, result: &BudgetResult, reversals: &Reversals) -> PlotSeries {
    let workspace = input.workspace;
    let report = input.report;
    let history = &workspace.history;
    let budget = &workspace.budgets[result.budget];
    let x_is_time = history.runs.iter().all(|r| r.timestamp.is_some());
    let x_of = |run: usize| match history.runs.timestamp(run) {
        Some(t) if x_is_time => t.as_secs_f64(),
        _ => run as f64,
    };
    let mut plot = PlotSeries {
        metric: budget.metric.clone(),
        unit: budget.unit.symbol().to_owned(),
        x_is_time,
        baseline_branch: report.baseline_branch.clone(),
        limit: result.limit,
        warning: result.warning,
        ..PlotSeries::default()
    };
    if let Some(series) = history.series.get(&budget.metric) {
        let to_budget = series.unit.as_ref().and_then(|u| u.convert(1.0, &budget.unit)).unwrap_or(1.0);
        for point in series.points() {
            let run_index = point.run as usize;
            let run = history.runs.run(run_index);
            if run.environment != report.environment.as_deref() {
                continue;
            }
            let Some(value) = point.statistic(budget.statistic) else { continue };
            let xy = [x_of(run_index), value * to_budget];
            if run.branch == Some(report.baseline_branch.as_str()) || run.branch.is_none() {
                plot.main.push(xy);
            } else {
                plot.other.push(xy);
            }
        }
    }
    if let Some(m) = input.analysis.metrics.iter().find(|m| m.budget == Some(result.budget)) {
        let unit = budget.unit.symbol();
        for (i, f) in input.analysis.findings.iter().enumerate().filter(|(_, f)| f.metric == m.metric) {
            // The app's words and colour for it (`gui::state::plot`): a regression a later change
            // point reverted is grey, and says where it was reverted.
            let reversal = reversals.of(i);
            let mut words = change_words(f, unit);
            if let Some(r) = reversal {
                words = format!("{words}; {}", reversal_words(f, r, unit));
            }
            plot.change_points.push(ChangeMark {
                x: x_of(f.run_index),
                severity: f.severity,
                words: without_backticks(&format!("change point: {words}")),
                reverted: reversal.is_some_and(|r| r.reverted),
            });
        }
        for f in input.analysis.noise_findings.iter().filter(|f| f.metric == m.metric) {
            plot.noise_changes.push((x_of(f.run_index), without_backticks(&noise_words(f, unit))));
        }
        for s in &m.segmentation.segments {
            if let (Some(&a), Some(&b)) = (m.series.runs.get(s.start), m.series.runs.get(s.end.saturating_sub(1))) {
                // A drifting segment as its trend line, as the app draws it.
                let (first, last) = crate::engine::analyze::segment_line(&m.series.values, s);
                plot.levels.push([x_of(a), first]);
                plot.levels.push([x_of(b), last]);
            }
        }
    }
    if let (Some(b), Some(smallest)) = (&result.baseline, result.smallest_flaggable)
        && plot.main.len() >= b.runs
        && b.runs > 0
    {
        let from = plot.main[plot.main.len() - b.runs][0];
        let to = plot.other.last().map_or(f64::MIN, |p| p[0]).max(plot.main.last().map_or(f64::MIN, |p| p[0]));
        let spread = b.value.abs() * smallest;
        plot.band = Some((from, to, b.value - spread, b.value + spread));
    }
    plot
}

/// One budget's page.
fn budget_html(input: &SiteInput, result: &BudgetResult, reversals: &Reversals) -> String {
    let repo = Links { repository: input.workspace.config.repository.as_deref() };
    let workspace = input.workspace;
    let budget = &workspace.budgets[result.budget];
    let unit = result.unit.symbol();
    let mut body = format!(
        "<nav><a href=\"../index.html\">← All budgets</a></nav>\n<h1>{}</h1>\n<p class=\"context\">{}</p>\n",
        escape(&result.id),
        context(input, &repo)
    );
    let _ = writeln!(
        body,
        "<p><span class=\"status {}\">{}</span>: {} against a limit of {}{} · {} of {}, {} · <code>{}:{}</code></p>",
        status_class(result.status),
        status_word(result.status),
        result.value.map_or_else(|| "no value".to_owned(), |v| escape(&quantity(v, unit))),
        escape(&quantity(result.limit, unit)),
        result.warning.map_or_else(String::new, |w| format!(" (warning at {})", escape(&quantity(w, unit)))),
        escape(&budget.statistic.to_string()),
        escape(&budget.metric),
        match budget.direction {
            crate::model::units::Direction::LowerIsBetter => "lower is better",
            crate::model::units::Direction::HigherIsBetter => "higher is better",
        },
        escape(&budget.file),
        budget.pos.line
    );
    if let Some(d) = &budget.description {
        let _ = writeln!(body, "<p>{}</p>", escape(d));
    }
    let file = result.id.clone() + ".svg";
    let _ = writeln!(
        body,
        "<figure>\n<img src=\"{}\" alt=\"History of {} with its limit of {}\" width=\"960\" height=\"400\">\n\
         <figcaption>Runs of <code>{}</code> in {} (blue; other branches purple), the engine's levels (grey, dashed) and change points (grey where a later change point reverted them), \
         the band the gate lets pass, the warning level (amber, dashed) and the limit (the dark line).</figcaption>\n</figure>",
        escape(&file),
        escape(&result.id),
        escape(&quantity(result.limit, unit)),
        escape(&input.report.baseline_branch),
        input.report.environment.as_deref().map_or_else(|| "every environment".to_owned(), |e| format!("<code>{}</code>", escape(e)))
    );
    body.push_str("<h2>Findings</h2>\n");
    let lines = result_lines(input, result, &repo);
    if lines.is_empty() {
        body.push_str("<p class=\"nothing\">Nothing to report: within budget and its baseline.</p>\n");
    } else {
        body.push_str("<ul>\n");
        for l in lines {
            let _ = writeln!(body, "<li>{l}</li>");
        }
        body.push_str("</ul>\n");
    }
    body.push_str("<h2>Change points</h2>\n");
    let metric = &budget.metric;
    let history = &workspace.history;
    let position = |run: &str| history.runs.iter().position(|r| r.id == run);
    let changes: Vec<(usize, &ChangeFinding)> = input.analysis.findings.iter().enumerate().filter(|(_, f)| &f.metric == metric).collect();
    if changes.is_empty() {
        body.push_str("<p class=\"nothing\">None found.</p>\n");
    }
    for (i, f) in changes {
        let (state, owner) = workspace
            .triage
            .find(&f.metric, &f.run_id, position)
            .map_or((TriageState::Untriaged, String::new()), |(_, e)| (e.state, e.owner.clone()));
        body.push_str(&change_item(input, &repo, "../", (i, f), reversals, state, &owner));
    }
    noise_changes(&mut body, input, metric, budget.unit.symbol());
    runs_table(&mut body, input, budget, &repo);
    page(&format!("{}: performance budget", result.id), "../", &body)
}

/// The changes of the metric's noise, newest first, in the app's words (`noise rose from σ 2.03 ms
/// to 5.29 ms (×2.6) at run `206`, confidence >99.99%`) with what each means for the gate: never a
/// regression. Nothing where there are none (a change of noise is not a finding to triage).
fn noise_changes(body: &mut String, input: &SiteInput, metric: &str, unit: &str) {
    let changes: Vec<_> = input.analysis.noise_findings.iter().filter(|f| f.metric == metric).collect();
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(body, "<h2>Changes of noise ({})</h2>\n<ul>", changes.len());
    for f in changes.iter().rev() {
        let _ = writeln!(body, "<li>{}: {}</li>", html_words(&noise_words(f, unit)), html_words(noise_meaning(f)));
    }
    body.push_str("</ul>\n");
}

/// The newest runs that measured the budget's metric, newest first.
fn runs_table(body: &mut String, input: &SiteInput, budget: &crate::model::budget::Budget, repo: &Links) {
    const NEWEST: usize = 15;
    let history = &input.workspace.history;
    let Some(series) = history.series.get(&budget.metric) else { return };
    let to_budget = series.unit.as_ref().and_then(|u| u.convert(1.0, &budget.unit)).unwrap_or(1.0);
    let unit = budget.unit.symbol();
    let rows: Vec<String> = series
        .points()
        .rev()
        .filter(|p| history.runs.run(p.run as usize).environment == input.report.environment.as_deref())
        .filter_map(|p| {
            let run = history.runs.run(p.run as usize);
            let value = p.statistic(budget.statistic)? * to_budget;
            Some(format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td class=\"number\">{}</td></tr>",
                escape(run.id),
                run.timestamp.map_or_else(String::new, Timestamp::date),
                escape(run.branch.unwrap_or("")),
                run.commit.map_or_else(String::new, |c| repo.commit(c)),
                escape(&quantity(value, unit))
            ))
        })
        .take(NEWEST)
        .collect();
    let _ = writeln!(body, "<h2>Newest runs ({})</h2>", rows.len());
    if rows.is_empty() {
        body.push_str("<p class=\"nothing\">No run in this environment measured it.</p>\n");
        return;
    }
    body.push_str("<table>\n<thead><tr><th>run</th><th>date</th><th>branch</th><th>commit</th><th>value</th></tr></thead>\n<tbody>\n");
    for r in rows {
        body.push_str(&r);
        body.push('\n');
    }
    body.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::{RunFilter, analyze};
    use crate::engine::changepoint::DetectorSettings;
    use crate::engine::check::{CheckOptions, check};

    fn example_site(repository: Option<&str>) -> Vec<SiteFile> {
        let mut workspace = crate::example::workspace();
        workspace.config.repository = repository.map(str::to_owned);
        let report = check(&workspace, &CheckOptions::default());
        let filter = RunFilter { environment: report.environment.clone(), branch: Some(report.baseline_branch.clone()) };
        let analysis = analyze(&workspace.history, &filter, Some(&workspace), &DetectorSettings::default());
        site(&SiteInput { workspace: &workspace, report: &report, analysis: &analysis, proposals: &[], generated: Timestamp(0) })
    }

    fn file<'a>(files: &'a [SiteFile], path: &str) -> &'a str {
        &files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no {path}")).text
    }

    #[test]
    fn the_overview_leads_with_what_is_over_budget_and_links_every_budget() {
        let files = example_site(None);
        let index = file(&files, "index.html");
        let over = index.find("<h2 id=\"over-budget\">Over budget (1)</h2>").expect("one budget over");
        assert!(index[over..].contains("frontend.javascript"), "{index}");
        assert!(index.contains("<h2 id=\"open-regressions\">Open regressions"), "{index}");
        for f in files.iter().filter(|f| f.path.starts_with("budget/") && f.path.ends_with(".html")) {
            assert!(index.contains(&format!("href=\"{}\"", f.path)), "{} is not linked", f.path);
        }
        assert!(!index.contains("<script"));
    }

    #[test]
    fn a_budget_page_lists_its_metrics_changes_of_noise_as_the_app_says_them() {
        let mut workspace = crate::example::workspace();
        workspace.config.repository = None;
        let report = check(&workspace, &CheckOptions::default());
        let filter = RunFilter { environment: report.environment.clone(), branch: Some(report.baseline_branch.clone()) };
        let mut analysis = analyze(&workspace.history, &filter, Some(&workspace), &DetectorSettings::default());
        let page_of = |analysis: &Analysis| {
            let files = site(&SiteInput { workspace: &workspace, report: &report, analysis, proposals: &[], generated: Timestamp(0) });
            (file(&files, "budget/services.auth.html").to_owned(), file(&files, "budget/services.auth.svg").to_owned())
        };
        let metric = workspace.budgets.iter().find(|b| b.id == "services.auth").map(|b| b.metric.clone()).unwrap();
        analysis.noise_findings.retain(|f| f.metric != metric);
        let (page, plot) = page_of(&analysis);
        assert!(!page.contains("Changes of noise") && !plot.contains("noise-change"));
        analysis.noise_findings.push(crate::engine::analyze::NoiseFinding {
            metric,
            run_index: 100,
            run_id: "ci-1100".to_owned(),
            before: 2.0,
            after: 5.0,
            p_value: 1e-6,
        });
        let (page, plot) = page_of(&analysis);
        assert!(page.contains("<h2>Changes of noise (1)</h2>"), "{page}");
        assert!(page.contains("noise rose from σ 2 ms to 5 ms (×2.5) at run <code>ci-1100</code>"), "{page}");
        assert!(page.contains("not a regression"), "{page}");
        // And on the plot, as a mark of its own (not a change point), in the legend too.
        assert!(plot.contains("class=\"noise-change\"") && plot.contains("change of noise"), "{plot}");
    }

    #[test]
    fn a_regression_a_later_change_point_reverted_is_not_listed_open_and_its_page_says_so() {
        let files = example_site(None);
        let index = file(&files, "index.html");
        let open = &index[index.find("id=\"open-regressions\"").unwrap()..index.find("id=\"warnings\"").unwrap()];
        // schema_validator: 34.4 → 41.1 ms at ci-1085, back to 34.9 ms at ci-1133.
        assert!(!open.contains("schema_validator.latency"), "{open}");
        assert!(open.contains("services.auth"), "{open}");
        let page = file(&files, "budget/schema_validator.latency.html");
        assert!(page.contains("reverted at <code>ci-1133</code>: back to 34.9 ms"), "{page}");
        // Tagged and grey as the app shows it: no alarm colour for what the data put back.
        let at = page.find("level shift at run <code>ci-1085</code>").unwrap();
        let section = &page[page[..at].rfind("<section").unwrap()..at];
        assert!(section.starts_with("<section class=\"item reverted\">"), "{section}");
        assert!(
            page[at..].starts_with("level shift at run <code>ci-1085</code> on 2026-08-07 · reverted at <code>ci-1133</code></h3>"),
            "{page}"
        );
        // And on its plot: the change point in grey, saying where it was reverted.
        let plot = file(&files, "budget/schema_validator.latency.svg");
        let mark = &plot[plot.find("class=\"change-point reverted\"").unwrap_or_else(|| panic!("{plot}"))..];
        let mark = &mark[..mark.find("</line>").unwrap()];
        assert!(mark.contains(&format!("stroke=\"{}\"", crate::report::svg::colour::REVERTED)), "{mark}");
        assert!(mark.contains("reverted at ci-1133: back to 34.9 ms"), "{mark}");
        assert!(plot.contains(">change point (reverted regression)</text>"), "{plot}");
        // The improvement that put it back says so, as in the app and `headroom analyze`.
        assert!(page.contains("undoes the regression at <code>ci-1085</code> (34.4 ms before it)"), "{page}");
    }

    #[test]
    fn the_site_shows_our_words_code_as_code_never_as_markdown_backticks() {
        for f in example_site(None).iter().filter(|f| f.path.ends_with(".html") || f.path.ends_with(".svg")) {
            assert!(!f.text.contains('`'), "{}: {}", f.path, f.text);
        }
    }

    #[test]
    fn a_failing_overview_says_why_even_where_nothing_was_measured() {
        // An environment with no runs: every budget fails for want of data, none is over budget.
        let workspace = crate::example::workspace();
        let options = CheckOptions { environment: Some("staging".to_owned()), ..CheckOptions::default() };
        let report = check(&workspace, &options);
        let filter = RunFilter { environment: report.environment.clone(), branch: Some(report.baseline_branch.clone()) };
        let analysis = analyze(&workspace.history, &filter, Some(&workspace), &DetectorSettings::default());
        let files =
            site(&SiteInput { workspace: &workspace, report: &report, analysis: &analysis, proposals: &[], generated: Timestamp(0) });
        let index = file(&files, "index.html");
        assert!(index.contains("Overall: failing"), "{index}");
        assert!(
            index.contains("<h2 id=\"problems\">Problems (1)</h2>") && index.contains("fail: no run for environment <code>staging</code>"),
            "{index}"
        );
        let not_checked = &index[index.find("<h2 id=\"not-checked\">").unwrap_or_else(|| panic!("{index}"))..];
        assert!(not_checked.starts_with(&format!("<h2 id=\"not-checked\">Not checked ({})</h2>", report.results.len())), "{index}");
        assert!(not_checked.contains("no run in this environment: nothing measures <code>services.auth</code> here"), "{index}");
        // The bundled workspace's own overview has neither: everything was measured.
        let usual = example_site(None);
        assert!(!file(&usual, "index.html").contains("id=\"problems\"") && !file(&usual, "index.html").contains("id=\"not-checked\""));
    }

    #[test]
    fn every_budget_page_has_its_plot_and_a_way_back() {
        let files = example_site(None);
        let page = file(&files, "budget/services.auth.html");
        assert!(page.contains("<img src=\"services.auth.svg\""), "{page}");
        assert!(page.contains("href=\"../index.html\"") && page.contains("href=\"../style.css\""));
        assert!(file(&files, "budget/services.auth.svg").contains("class=\"change-point\""));
    }

    #[test]
    fn commits_link_to_the_repository_where_the_workspace_names_it() {
        let without = example_site(None);
        assert!(!file(&without, "budget/services.auth.html").contains("/commit/"));
        let github = example_site(Some("https://github.com/org/repo"));
        assert!(file(&github, "budget/services.auth.html").contains("href=\"https://github.com/org/repo/commit/"));
        let gitlab = example_site(Some("https://gitlab.com/org/repo"));
        assert!(file(&gitlab, "budget/services.auth.html").contains("href=\"https://gitlab.com/org/repo/-/commit/"));
    }
}
