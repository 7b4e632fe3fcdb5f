//! The outputs of `headroom analyze` and `headroom replay`: text for people and stable JSON.

use super::quantity;
use crate::engine::analyze::{Analysis, ChangeFinding, MetricAnalysis, NoiseFinding};
use crate::engine::replay::Replay;
use crate::engine::reversal::{Reversal, Reversals, Undo};
use crate::model::history::History;
use serde_json::{Value, json};

fn number(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

fn optional(v: Option<f64>) -> Value {
    v.map_or(Value::Null, number)
}

fn unit_of(m: Option<&MetricAnalysis>) -> String {
    m.and_then(|m| m.unit.as_ref()).map_or_else(String::new, |u| u.symbol().to_owned())
}

/// The JSON schema (`schema_version` 1), documented in the README:
/// `{"change_points": [{"metric", "index", "id", "direction", "before", "after",
/// "relative_change", "confidence", "severity", ..., "reverted", "undoes"}], "noise_changes":
/// [{"metric", "index", "id", "direction", "before", "after", "ratio", "confidence"}], "metrics": [...]}`.
#[must_use]
pub fn json(history: &History, analysis: &Analysis, reversals: &Reversals) -> String {
    let change_points: Vec<Value> = analysis
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut value = finding_json(f);
            value["reverted"] = reversals.of(i).map_or(Value::Null, |r| {
                json!({
                    "id": r.run_id,
                    "index": r.run_index,
                    "level": number(r.level),
                    "left": number(r.left),
                    "left_relative": optional(r.left_relative),
                    "tolerance": number(r.tolerance),
                    "fully": r.reverted,
                })
            });
            value["undoes"] = reversals.undoes(i).map_or(Value::Null, |u| {
                json!({
                    "ids": u.regressions.iter().map(|&r| analysis.findings[r].run_id.clone()).collect::<Vec<_>>(),
                    "level_before": number(u.level_before),
                    "fully": u.reverted,
                })
            });
            value
        })
        .collect();
    let noise_changes: Vec<Value> = analysis
        .noise_findings
        .iter()
        .map(|f| {
            json!({
                "metric": f.metric,
                "index": f.run_index,
                "id": f.run_id,
                "direction": if f.rose() { "rose" } else { "fell" },
                "before": number(f.before),
                "after": number(f.after),
                "ratio": number(f.after / f.before),
                "confidence": number(f.confidence()),
            })
        })
        .collect();
    let metrics: Vec<Value> = analysis
        .metrics
        .iter()
        .map(|m| {
            let seg = &m.segmentation;
            json!({
                "metric": m.metric,
                "unit": m.unit.as_ref().map(|u| u.symbol().to_owned()),
                "direction": m.direction.to_string(),
                "runs": m.series.values.len(),
                "noise": optional(seg.noise),
                "relative_noise": optional(seg.relative_noise()),
                "outliers": seg.outliers.iter().map(|&i| m.series.runs[i]).collect::<Vec<_>>(),
                "level": optional(seg.segments.last().map(|s| s.level)),
                "change_points": seg.change_points.len(),
                "trend": m.trend.as_ref().map(|t| json!({
                    "per_run": number(t.per_run),
                    "per_day": optional(t.per_day),
                    "p_value": number(t.p_value),
                    "worsening": t.worsening,
                    "runs_to_limit": optional(t.runs_to_limit),
                    "date_at_limit": t.date_at_limit.map(|d| d.to_string()),
                    "over_limit": t.over_limit,
                })),
            })
        })
        .collect();
    let value = json!({
        "schema_version": 1,
        "runs": history.runs.len(),
        "change_points": change_points,
        "noise_changes": noise_changes,
        "metrics": metrics,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn finding_json(f: &ChangeFinding) -> Value {
    json!({
        "metric": f.metric,
        "index": f.run_index,
        "id": f.run_id,
        "direction": f.verdict.as_str(),
        "before": number(f.before),
        "after": number(f.after),
        "relative_change": optional(f.relative_change),
        "confidence": number(f.confidence()),
        "severity": f.severity.as_str(),
        "absolute_change": number(f.absolute_change),
        "shift_in_noise": number(f.shift_in_noise),
        "p_value": number(f.p_value),
        "budget": f.budget,
        "last_good_run": f.last_good_run,
        "commits": { "last_good": f.commit_range.0, "first_bad": f.commit_range.1 },
        "related": f.related,
        "allocations": f.allocations.iter().map(|a| json!({"budget": a.id, "change": number(a.change), "share": number(a.share)})).collect::<Vec<_>>(),
    })
}

/// A text account: a line per metric (noise floor, level, trend), then every change point, with
/// the regressions later change points reverted and the improvements that undid them.
#[must_use]
pub fn text(history: &History, analysis: &Analysis, reversals: &Reversals) -> String {
    let mut out = format!("{} runs, {} metrics, {} change points\n\n", history.runs.len(), analysis.metrics.len(), analysis.findings.len());
    let width = analysis.metrics.iter().map(|m| m.metric.len()).max().unwrap_or(6).max(6);
    out.push_str(&format!("{:<width$}  {:>6}  {:>20}  {:>12}  {:>3}  trend\n", "metric", "runs", "noise σ", "level now", "cps"));
    for m in &analysis.metrics {
        let unit = unit_of(Some(m));
        let seg = &m.segmentation;
        let noise = match (seg.noise, seg.relative_noise()) {
            (Some(n), Some(r)) => format!("{} ({:.1}%)", quantity(n, &unit), r * 100.0),
            (Some(n), None) => quantity(n, &unit),
            _ => "constant".to_owned(),
        };
        // Now: the end of the newest segment's line, as the app draws it (a drifting segment's
        // level is its middle, not where it is now).
        let level = seg
            .segments
            .last()
            .map_or_else(|| "-".to_owned(), |s| quantity(crate::engine::analyze::segment_line(&m.series.values, s).1, &unit));
        let trend = m.trend.as_ref().map_or_else(
            || "-".to_owned(),
            |t| {
                let mut s = if t.p_value < 0.01 {
                    format!("{}/run (p {:.3})", signed(t.per_run, &unit), t.p_value)
                } else {
                    format!("flat (p {:.2})", t.p_value)
                };
                if let Some(words) = super::forecast_words(t) {
                    s.push_str(&format!(", {words}"));
                }
                s
            },
        );
        out.push_str(&format!(
            "{:<width$}  {:>6}  {:>20}  {:>12}  {:>3}  {trend}\n",
            m.metric,
            m.series.values.len(),
            noise,
            level,
            seg.change_points.len()
        ));
    }
    if !analysis.findings.is_empty() {
        out.push_str("\nchange points:\n");
    }
    for (i, f) in analysis.findings.iter().enumerate() {
        let m = analysis.metrics.iter().find(|m| m.metric == f.metric);
        let unit = unit_of(m);
        let relative = f.relative_change.map_or_else(String::new, |r| format!("{:+.1}%, ", r * 100.0));
        out.push_str(&format!(
            "  run {} (`{}`)  {}  {} {} → {} ({relative}{:+.1}σ)  confidence {}  severity {}\n",
            f.run_index,
            f.run_id,
            f.metric,
            f.verdict.as_str(),
            quantity(f.before, &unit),
            quantity(f.after, &unit),
            f.shift_in_noise,
            // As the app and the check say it: never "100.00%", which no test can show.
            super::confidence(f.p_value),
            f.severity.as_str()
        ));
        let reversal = reversals.of(i).map(|r| reversal_words(f, r, &unit));
        let undo = reversals.undoes(i).map(|u| undo_words(&analysis.findings, f, u, &unit));
        for line in reversal.into_iter().chain(undo).chain(finding_hints(f, &unit)) {
            out.push_str(&format!("      {line}\n"));
        }
    }
    if !analysis.noise_findings.is_empty() {
        out.push_str("\nchanges of noise:\n");
    }
    for f in &analysis.noise_findings {
        let unit = unit_of(analysis.metrics.iter().find(|m| m.metric == f.metric));
        out.push_str(&format!(
            "  run {} (`{}`)  {}  noise {} from σ {} to {} (×{:.2})  confidence {}\n",
            f.run_index,
            f.run_id,
            f.metric,
            if f.rose() { "rose" } else { "fell" },
            quantity(f.before, &unit),
            quantity(f.after, &unit),
            f.after / f.before,
            super::confidence(f.p_value)
        ));
    }
    out
}

/// How much a change of noise scaled the noise, for a plot's label: `×2.6` (rose), `×0.38` (fell:
/// two significant digits, so a fall never reads as `×0.4` of a different size).
#[must_use]
pub fn noise_ratio_words(f: &NoiseFinding) -> String {
    let ratio = f.ratio();
    if ratio >= 1.0 { format!("×{ratio:.1}") } else { format!("×{ratio:.2}") }
}

/// A change of noise in a line of words, as the app and the review say it: `noise rose from σ 2.03 ms
/// to 5.29 ms (×2.6) at run `206`, confidence >99.99%`.
#[must_use]
pub fn noise_words(f: &NoiseFinding, unit: &str) -> String {
    format!(
        "noise {} from σ {} to {} ({}) at run `{}`, confidence {}",
        if f.rose() { "rose" } else { "fell" },
        quantity(f.before, unit),
        quantity(f.after, unit),
        noise_ratio_words(f),
        f.run_id,
        super::confidence(f.p_value)
    )
}

/// What a change of noise means for the gate, in a line: it is not a regression, and the noise
/// sets the smallest change the gate can flag.
#[must_use]
pub fn noise_meaning(f: &NoiseFinding) -> &'static str {
    if f.rose() {
        "not a regression (its spread, not its level): the gate needs a larger change to flag while the noise stays up"
    } else {
        "not an improvement of its level (its spread): the gate can flag smaller changes now"
    }
}

/// A change point in a line of words: `regression 18.9 ms to 22.7 ms (+20.0%), confidence 99.99%, severity high`.
#[must_use]
pub fn change_words(f: &ChangeFinding, unit: &str) -> String {
    let relative = f.relative_change.map_or_else(String::new, |r| format!(" ({:+.1}%)", r * 100.0));
    format!(
        "{} {} to {}{relative}, confidence {}, severity {}",
        f.verdict.as_str(),
        quantity(f.before, unit),
        quantity(f.after, unit),
        super::confidence(f.p_value),
        f.severity.as_str()
    )
}

/// What later change points did to a regression, in a line: `reverted at `ci-1133`: back to 34.9 ms,
/// within the smallest flaggable change (8.1%) of the 34.4 ms before it; not an open regression`, or
/// `partly reverted at `ci-1120`: 38.0 ms, still 3.60 ms (+10.5%) worse than the 34.4 ms before it;
/// still open`. The app, `headroom analyze`, the report site and the review agenda say it alike.
#[must_use]
pub fn reversal_words(f: &ChangeFinding, r: &Reversal, unit: &str) -> String {
    if r.reverted {
        format!(
            "reverted at `{}`: back to {}, within the smallest flaggable change ({:.1}%) of the {} before it; not an open regression",
            r.run_id,
            quantity(r.level, unit),
            r.tolerance * 100.0,
            quantity(f.before, unit)
        )
    } else {
        let relative = r.left_relative.map_or_else(String::new, |x| format!(" ({:+.1}%)", x * 100.0));
        format!(
            "partly reverted at `{}`: {}, still {}{relative} worse than the {} before it; still open",
            r.run_id,
            quantity(r.level, unit),
            quantity(r.left, unit),
            quantity(f.before, unit)
        )
    }
}

/// What an improvement undid, in a line: `undoes the regression at `ci-1085` (34.4 ms before it)`.
#[must_use]
pub fn undo_words(findings: &[ChangeFinding], f: &ChangeFinding, u: &Undo, unit: &str) -> String {
    let runs: Vec<String> = u.regressions.iter().filter_map(|&r| findings.get(r)).map(|r| format!("`{}`", r.run_id)).collect();
    let what = if runs.len() == 1 { "the regression at" } else { "the regressions at" };
    let how = if u.reverted { "undoes" } else { "partly undoes" };
    let gain =
        if u.gain { format!(", and goes {} better than that", quantity((f.after - u.level_before).abs(), unit)) } else { String::new() };
    format!("{how} {what} {} ({} before it){gain}", runs.join(", "), quantity(u.level_before, unit))
}

/// Where to look for a change point's cause, a line each: the commit range, the metrics that
/// moved with it, the sub-allocations that carry it.
#[must_use]
pub fn finding_hints(f: &ChangeFinding, unit: &str) -> Vec<String> {
    let mut lines = Vec::new();
    if let (Some(good), Some(bad)) = &f.commit_range {
        lines.push(format!("commits {good}..{bad}"));
    }
    if !f.related.is_empty() {
        lines.push(format!("moved with: {}", f.related.join(", ")));
    }
    if !f.allocations.is_empty() {
        let parts: Vec<String> =
            f.allocations.iter().map(|a| format!("{} {} ({:.0}%)", a.id, signed(a.change, unit), a.share * 100.0)).collect();
        lines.push(format!("allocations: {}", parts.join(", ")));
    }
    lines
}

fn signed(value: f64, unit: &str) -> String {
    let q = quantity(value, unit);
    if value >= 0.0 { format!("+{q}") } else { q }
}

/// `headroom replay` for people.
#[must_use]
pub fn replay_text(history: &History, replay: &Replay) -> String {
    let s = &replay.settings;
    let span = replay.span.as_ref().map_or_else(String::new, |(a, b)| {
        let time = |id: &str| history.runs.iter().find(|r| r.id == id).and_then(|r| r.timestamp).map(crate::model::time::Timestamp::date);
        match (time(a), time(b)) {
            (Some(x), Some(y)) => format!(" ({a} … {b}, {x} … {y})"),
            _ => format!(" ({a} … {b})"),
        }
    });
    let mut out = format!(
        "Replayed {} runs of `{}` in `{}`{span}\nsettings: threshold {:.1}%, significance {}, {} baseline runs\n\n",
        replay.runs_checked,
        replay.branch,
        replay.environment.as_deref().unwrap_or("(none)"),
        s.regression_threshold * 100.0,
        s.significance,
        s.baseline_runs
    );
    let confirmed = replay.confirmed();
    out.push_str(&format!(
        "{} alarms: {confirmed} confirmed by a change point for the worse, {} unconfirmed (likely noise)\n",
        replay.alarms.len(),
        replay.alarms.len() - confirmed
    ));
    // Columns as wide as the longest run id, budget and change, so the alarms line up.
    let id_width = replay.alarms.iter().map(|a| a.run_id.len()).max().unwrap_or(0);
    let budget_width = replay.alarms.iter().map(|a| a.budget.len()).max().unwrap_or(0);
    for a in &replay.alarms {
        out.push_str(&format!(
            "  {:<id_width$}  {:<budget_width$}  {:>7}  severity {:<8} {:>3} run{}  {}\n",
            a.run_id,
            a.budget,
            format!("{:+.1}%", a.change * 100.0),
            a.severity.as_str(),
            a.runs,
            if a.runs == 1 { " " } else { "s" },
            if a.confirmed { "confirmed" } else { "UNCONFIRMED: likely noise" }
        ));
    }
    out
}

/// `headroom replay` as JSON.
#[must_use]
pub fn replay_json(replay: &Replay) -> String {
    let s = &replay.settings;
    let value = json!({
        "schema_version": 1,
        "environment": replay.environment,
        "branch": replay.branch,
        "runs_checked": replay.runs_checked,
        "settings": {"regression_threshold": s.regression_threshold, "significance": s.significance, "baseline_runs": s.baseline_runs},
        "alarms": replay.alarms.iter().map(|a| json!({
            "budget": a.budget,
            "run": a.run_id,
            "index": a.run_index,
            "commit": a.commit,
            "runs": a.runs,
            "change": number(a.change),
            "severity": a.severity.as_str(),
            "confirmed": a.confirmed,
        })).collect::<Vec<_>>(),
        "confirmed": replay.confirmed(),
        "unconfirmed": replay.alarms.len() - replay.confirmed(),
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
