//! Changing the contract: whole files a proposal replaces, creates or removes (the policy, the
//! signers, budget files), then budget limits in place: only the characters of each value change,
//! so comments, key order and formatting stay and `git diff` shows just those lines.

use super::proposal::Proposal;
use crate::model::budget::split_quantity;
use crate::model::error::LoadError;
use crate::model::workspace::Workspace;
use crate::model::yaml::format_number;
use std::collections::BTreeMap;

/// Why a proposal's changes do not apply; nothing was changed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EditError {
    /// A file a proposal may not replace.
    #[error("`{0}` is not a file a proposal may change (budget files, approval.yaml, allowed_signers)")]
    NotAContractFile(String),
    /// A whole file is no longer what the proposal replaces.
    #[error("stale: {file} is {now} now, the proposal expected {expected}")]
    StaleFile {
        /// The file.
        file: String,
        /// Its hash now (or `none`).
        now: String,
        /// The hash the proposal names.
        expected: String,
    },
    /// A value is no longer what the proposal changes.
    #[error("stale: the {field} of `{budget}` is {} now, the proposal expected {}", format_number(*now), format_number(*expected))]
    StaleValue {
        /// The budget.
        budget: String,
        /// `limit` or `environments.<name>`.
        field: String,
        /// The value now.
        now: f64,
        /// The value the proposal names as old.
        expected: f64,
    },
    /// The new signers file does not read.
    #[error("the new signers file does not read: {0}")]
    Signers(LoadError),
    /// The new policy does not read.
    #[error("the new policy does not read: {0}")]
    Policy(LoadError),
    /// No such budget.
    #[error("no budget `{0}` in the budget files")]
    NoBudget(String),
    /// The budget has no override for that environment.
    #[error("`{budget}` has no override for the environment `{environment}`")]
    NoOverride {
        /// The budget.
        budget: String,
        /// The environment.
        environment: String,
    },
    /// A field other than `limit` or `environments.<name>`.
    #[error("cannot change the field `{0}`")]
    UnknownField(String),
    /// The field has no value to change.
    #[error("`{budget}` has no {field} to change")]
    NoValue {
        /// The budget.
        budget: String,
        /// The field.
        field: String,
    },
    /// Where the value is written cannot be found in the text.
    #[error("{0}")]
    Unlocated(String),
    /// The new value cannot be written the way the old one was.
    #[error("{0}")]
    Unwritable(String),
    /// The result would not load.
    #[error("the change would make the budgets invalid: {0}")]
    WouldBeInvalid(LoadError),
    /// The result does not read back as proposed.
    #[error("{0}")]
    DidNotReadBack(String),
}

/// Applies the proposal's changes to `files` (contract files: path → text). Fails, changing
/// nothing, where a budget or field does not exist, where a value is not what the proposal
/// expected (a stale proposal), or where the result would not load.
pub fn apply_changes(original: &BTreeMap<String, String>, proposal: &Proposal) -> Result<BTreeMap<String, String>, EditError> {
    // Whole files first: each must be a contract file and replace exactly what it says it replaces.
    let mut replaced = original.clone();
    for f in &proposal.files {
        if !super::is_contract_file(&f.file) {
            return Err(EditError::NotAContractFile(f.file.clone()));
        }
        let now = original.get(&f.file).map_or_else(|| "none".to_owned(), |t| super::text_hash(t));
        if now != f.old {
            return Err(EditError::StaleFile { file: f.file.clone(), now, expected: f.old.clone() });
        }
        match &f.new {
            Some(text) => replaced.insert(f.file.clone(), text.clone()),
            None => replaced.remove(&f.file),
        };
    }
    if let Some(text) = replaced.get(crate::model::workspace::SIGNERS_FILE) {
        crate::approval::signers::parse_signers(crate::model::workspace::SIGNERS_FILE, text)
            .map_err(|mut e| EditError::Signers(e.swap_remove(0)))?;
    }
    if let Some(text) = replaced.get(crate::model::workspace::POLICY_FILE) {
        crate::approval::policy::parse_policy(crate::model::workspace::POLICY_FILE, text)
            .map_err(|mut e| EditError::Policy(e.swap_remove(0)))?;
    }
    let files = &replaced;
    let list: Vec<(String, String)> = files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let before = Workspace::from_files("", &list);
    // Per file: (line, start byte, end byte, new text).
    let mut edits: BTreeMap<String, Vec<(u32, usize, usize, String)>> = BTreeMap::new();
    for c in &proposal.changes {
        let budget = before.budget(&c.budget).ok_or_else(|| EditError::NoBudget(c.budget.clone()))?;
        let (current, pos) = if c.field == "limit" {
            (budget.limit, budget.limit_pos)
        } else if let Some(env) = c.field.strip_prefix("environments.") {
            let over = budget
                .environments
                .get(env)
                .ok_or_else(|| EditError::NoOverride { budget: c.budget.clone(), environment: env.to_owned() })?;
            (over.limit, over.limit_pos)
        } else {
            return Err(EditError::UnknownField(c.field.clone()));
        };
        let current = current.ok_or_else(|| EditError::NoValue { budget: c.budget.clone(), field: c.field.clone() })?;
        if (current - c.old).abs() > 1e-9 * c.old.abs().max(1.0) {
            return Err(EditError::StaleValue { budget: c.budget.clone(), field: c.field.clone(), now: current, expected: c.old });
        }
        if pos.line == 0 {
            return Err(EditError::Unlocated(format!("cannot find where the {} of `{}` is written", c.field, c.budget)));
        }
        let file = files.get(&budget.file).ok_or_else(|| EditError::Unlocated(format!("no file {}", budget.file)))?;
        let line = file
            .lines()
            .nth(pos.line as usize - 1)
            .ok_or_else(|| EditError::Unlocated(format!("{}:{} is past the end", budget.file, pos.line)))?;
        let (start, end) = scalar_span(line, pos.column)
            .ok_or_else(|| EditError::Unlocated(format!("{}:{}: cannot read the value", budget.file, pos.line)))?;
        let replacement = rewrite(&line[start..end], c.new, &budget.unit)?;
        edits.entry(budget.file.clone()).or_default().push((pos.line, start, end, replacement));
    }
    let mut out = files.clone();
    for (file, mut list) in edits {
        // From the end of the file backwards, so earlier positions stay right.
        list.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
        let text = out.get(&file).cloned().unwrap_or_default();
        let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        for (line, start, end, replacement) in list {
            lines[line as usize - 1].replace_range(start..end, &replacement);
        }
        out.insert(file, lines.join("\n"));
    }
    // The result must load, and read back as proposed.
    let list: Vec<(String, String)> = out.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let after = Workspace::from_files("", &list);
    let original_list: Vec<(String, String)> = original.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let baseline = Workspace::from_files("", &original_list);
    if let Some(e) = after.errors.iter().find(|e| !baseline.errors.contains(e)) {
        return Err(EditError::WouldBeInvalid(e.clone()));
    }
    for c in &proposal.changes {
        let b = after.budget(&c.budget).ok_or_else(|| EditError::DidNotReadBack(format!("`{}` is gone after the change", c.budget)))?;
        let now = if c.field == "limit" {
            b.limit
        } else {
            c.field.strip_prefix("environments.").and_then(|e| b.environments.get(e)).and_then(|o| o.limit)
        };
        if now.is_none_or(|v| (v - c.new).abs() > 1e-9 * c.new.abs().max(1.0)) {
            return Err(EditError::DidNotReadBack(format!(
                "the {} of `{}` did not read back as {}",
                c.field,
                c.budget,
                format_number(c.new)
            )));
        }
    }
    Ok(out)
}

/// The byte range of the YAML scalar starting at 1-based `column` (in characters) of `line`.
fn scalar_span(line: &str, column: u32) -> Option<(usize, usize)> {
    let start = line.char_indices().nth(column.checked_sub(1)? as usize).map(|(i, _)| i)?;
    let rest = &line[start..];
    let end = if let quote @ ('"' | '\'') = rest.chars().next()? {
        let mut escaped = false;
        let close = rest.char_indices().skip(1).find(|&(_, c)| {
            let found = c == quote && !escaped;
            escaped = quote == '"' && c == '\\' && !escaped;
            found
        })?;
        close.0 + 1
    } else {
        let stop = rest.find([',', ']', '}']).unwrap_or(rest.len());
        let stop = rest.find(" #").map_or(stop, |c| c.min(stop));
        rest[..stop].trim_end().len()
    };
    Some((start, start + end))
}

/// The new value written the way the old one was: plain (`20`), with a unit (`20 ms`, in the
/// unit written), or quoted.
fn rewrite(old: &str, new: f64, unit: &crate::model::units::Unit) -> Result<String, EditError> {
    let (quote, inner) = match old.chars().next() {
        Some(q @ ('"' | '\'')) => (Some(q), &old[1..old.len() - 1]),
        _ => (None, old),
    };
    let (_, written) = split_quantity(inner).ok_or_else(|| EditError::Unwritable(format!("`{old}` is not a number")))?;
    let text = match written {
        None => format_number(new),
        Some(w) => {
            let in_written = unit.convert(new, &w).ok_or_else(|| EditError::Unwritable(format!("cannot write {new} {unit} in {w}")))?;
            let number_len = inner
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
                .unwrap_or(inner.len());
            format!("{}{}", format_number((in_written * 1e9).round() / 1e9), &inner[number_len..])
        }
    };
    Ok(match quote {
        Some(q) => format!("{q}{text}{q}"),
        None => text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval::proposal::Change;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
        list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    fn proposal(changes: &[(&str, &str, f64, f64)]) -> Proposal {
        Proposal {
            changes: changes.iter().map(|(b, f, o, n)| Change { budget: (*b).into(), field: (*f).into(), old: *o, new: *n }).collect(),
            ..Proposal::default()
        }
    }

    #[test]
    fn only_the_values_change_and_comments_and_layout_stay() {
        let text = "# Services\nbudgets:\n  api:\n    unit: ms\n    limit: 20 ms   # the SLO\n    allocations: {routing: 5, auth: 5}\n    environments: {prod: {limit: \"18\"}}\n";
        let before = files(&[("services.yaml", text)]);
        let after = apply_changes(
            &before,
            &proposal(&[("api", "limit", 20.0, 22.0), ("api.routing", "limit", 5.0, 4.5), ("api", "environments.prod", 18.0, 19.0)]),
        )
        .unwrap();
        assert_eq!(
            after["services.yaml"],
            "# Services\nbudgets:\n  api:\n    unit: ms\n    limit: 22 ms   # the SLO\n    allocations: {routing: 4.5, auth: 5}\n    environments: {prod: {limit: \"19\"}}\n"
        );
    }

    #[test]
    fn the_adr_form_and_units_written_in_the_value_are_kept() {
        let before = files(&[("caps.yaml", "schema_validator:\n  max_latency_ms: 50\n  max_memory_mb: 10  # hard\n")]);
        let after = apply_changes(&before, &proposal(&[("schema_validator.memory", "limit", 10.0, 12.0)])).unwrap();
        assert_eq!(after["caps.yaml"], "schema_validator:\n  max_latency_ms: 50\n  max_memory_mb: 12  # hard\n");
    }

    #[test]
    fn a_stale_or_invalid_change_changes_nothing() {
        let before = files(&[("s.yaml", "budgets:\n  api:\n    unit: ms\n    limit: 20\n    allocations: {routing: 5, auth: 5}\n")]);
        let stale = apply_changes(&before, &proposal(&[("api", "limit", 25.0, 30.0)])).unwrap_err().to_string();
        assert!(stale.contains("stale: the limit of `api` is 20 now, the proposal expected 25"), "{stale}");
        let overflow = apply_changes(&before, &proposal(&[("api.routing", "limit", 5.0, 18.0)])).unwrap_err().to_string();
        assert!(overflow.contains("would make the budgets invalid"), "{overflow}");
        assert!(apply_changes(&before, &proposal(&[("nope", "limit", 1.0, 2.0)])).unwrap_err().to_string().contains("no budget `nope`"));
    }
}
