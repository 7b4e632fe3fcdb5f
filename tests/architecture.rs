//! The layers of ARCHITECTURE.md, checked against the code: this test reads every file in `src/`,
//! finds the modules it names (`use crate::...`, `crate::...`, `super::...` and its own `mod`s'
//! paths, in code, not in comments or strings), and fails on
//!
//! - an upward dependency between layers: a layer may name only the layers its row of
//!   ARCHITECTURE.md's table lists (model <- import/engine/approval <- report <- cli/gui; plot on its own);
//! - a circular dependency between files anywhere in `src/` (a file that names a module in a file
//!   that, through others, names it back): there is none;
//! - `egui` or `eframe` named in the app's state (`src/gui/state*`) or in any layer but `gui`.
//!
//! A file naming its own parent (or an ancestor) is not an edge: a child module lives inside its
//! parent's namespace (`use super::{Json, bad}` in an importer), and the parent names the child to
//! use it; only names across siblings and layers can make a cycle. A `#[cfg(test)]` module is
//! test scaffolding, built only for tests (a fixture may come from anywhere), and is left out, as is
//! `src/main.rs`, its own crate (it names `headroom::`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// Which layers each layer may name, as ARCHITECTURE.md's table states (its own layer is always allowed).
const LAYERS: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("import", &["model"]),
    ("engine", &["model"]),
    ("approval", &["model"]),
    ("plot", &[]),
    ("example", &["model", "engine"]),
    ("report", &["model", "engine", "approval", "plot"]),
    // `headroom` with no command opens the app.
    ("cli", &["model", "import", "engine", "approval", "plot", "example", "report", "gui"]),
    ("gui", &["model", "import", "engine", "approval", "plot", "example", "report"]),
];

/// The app's modules from the top down, as ARCHITECTURE.md's `gui` row orders them: a file may
/// name modules of a lower rank only. Inside one of them, only the state's areas (`state/`, which
/// share through its `mod.rs`) and the shared widgets name each other: a panel never names
/// another panel, nor a window another window.
const GUI_RANKS: &[(&str, u8)] = &[
    ("app", 6),
    ("panels", 5),
    ("windows", 5),
    ("export", 5),
    ("widgets", 4),
    ("prefs", 4),
    ("theme", 3),
    ("gpu_plot", 3),
    ("state", 2),
    ("jobs", 1),
    ("standing", 1),
];

/// The app's modules whose files may name each other (see [`GUI_RANKS`]).
const GUI_SHARING: &[&str] = &["state", "widgets"];

/// Where a layer other than `gui` may name eframe: the plot renderer takes wgpu through eframe's
/// re-export, so it is the very wgpu that eframe draws with (no second version to keep in step).
const EFRAME_PATHS_OUTSIDE_GUI: &[(&str, &str)] = &[("src/plot/gpu.rs", "eframe::egui_wgpu::wgpu")];

/// One Rust file of `src/`.
struct File {
    /// `src/gui/state.rs`.
    path: String,
    /// Its module path: `["gui", "state"]`; the crate root is empty.
    module: Vec<String>,
    /// Its text with comments, strings and characters blanked (newlines kept, so lines still count).
    code: String,
    /// Its text as written, for messages.
    text: String,
}

/// A module named in a file: where, and the path as resolved from the crate root.
struct Reference {
    line: usize,
    path: Vec<String>,
}

fn files() -> Vec<File> {
    let mut out = Vec::new();
    collect(Path::new("src"), &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn collect(dir: &Path, out: &mut Vec<File>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src/ reads").map(|e| e.expect("an entry of src/ reads").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") || path == Path::new("src/main.rs") {
            continue;
        }
        let relative = path.strip_prefix("src").expect("under src/").with_extension("");
        let mut module: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        if module.last().is_some_and(|m| m == "mod" || m == "lib") {
            module.pop();
        }
        let text = std::fs::read_to_string(&path).expect("a source file reads");
        out.push(File { path: path.to_string_lossy().replace('\\', "/"), module, code: blank_comments_and_strings(&text), text });
    }
}

/// `text` with every comment, string and character literal replaced by spaces (newlines kept).
fn blank_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || c == 'b') && !ident_char(i.checked_sub(1).map(|p| chars[p])) && raw_string_start(&chars, i).is_some() {
            let (hashes, body) = raw_string_start(&chars, i).expect("checked above");
            for &ch in &chars[i..body] {
                out.push(blank(ch));
            }
            i = body;
            while i < chars.len() {
                if chars[i] == '"' && chars[i + 1..].iter().take(hashes).filter(|&&h| h == '#').count() == hashes {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal ('x', '\n', '\''); a lifetime ('a) has no closing quote after one character.
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Where a raw string (`r"`, `r#"`, `br"`) starting at `i` has its body: (number of `#`, index after the opening quote).
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if chars[j] == 'b' {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    (chars.get(j + hashes) == Some(&'"')).then_some((hashes, j + hashes + 1))
}

fn ident_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// The line (1-based) of byte offset `at`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// The inline modules (`mod tests { ... }`) of `code`: where their braces open and close, their
/// names, and whether they are `#[cfg(test)]`.
fn inline_modules(code: &str) -> Vec<(usize, usize, String, bool)> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut search = 0;
    while let Some(at) = find_word(code, "mod", search) {
        search = at + 3;
        let rest = &code[at + 3..];
        let name: String = rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let after = rest.trim_start()[name.len()..].trim_start();
        if name.is_empty() || !after.starts_with('{') {
            continue;
        }
        let open = code.len() - after.len();
        let mut depth = 0;
        let mut end = code.len();
        for (k, &b) in bytes.iter().enumerate().skip(open) {
            if b == b'{' {
                depth += 1;
            } else if b == b'}' {
                depth -= 1;
                if depth == 0 {
                    end = k;
                    break;
                }
            }
        }
        let before = code[..at].trim_end().trim_end_matches("pub").trim_end();
        found.push((open, end, name, before.ends_with("#[cfg(test)]")));
    }
    found
}

/// The next occurrence of `word` at or after `from` that is a whole identifier.
fn find_word(code: &str, word: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(found) = code[at..].find(word) {
        let start = at + found;
        let end = start + word.len();
        let before = code[..start].chars().next_back();
        let after = code[end..].chars().next();
        if !ident_char(before) && !ident_char(after) {
            return Some(start);
        }
        at = end;
    }
    None
}

/// Paths named from `at` on: `a::b::{c, d::e}` gives `a::b::c` and `a::b::d::e`; `self` in a group is the group's prefix.
fn use_tree(code: &str, at: usize) -> Vec<Vec<String>> {
    fn tree(s: &[u8], i: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
        let mut path = prefix.to_vec();
        loop {
            while *i < s.len() && (s[*i] as char).is_whitespace() {
                *i += 1;
            }
            if *i < s.len() && s[*i] == b'{' {
                *i += 1;
                loop {
                    tree(s, i, &path, out);
                    while *i < s.len() && (s[*i] as char).is_whitespace() {
                        *i += 1;
                    }
                    if *i < s.len() && s[*i] == b',' {
                        *i += 1;
                        continue;
                    }
                    if *i < s.len() && s[*i] == b'}' {
                        *i += 1;
                    }
                    return;
                }
            }
            let start = *i;
            while *i < s.len() && (s[*i].is_ascii_alphanumeric() || s[*i] == b'_' || s[*i] == b'*') {
                *i += 1;
            }
            let segment = String::from_utf8_lossy(&s[start..*i]).into_owned();
            match segment.as_str() {
                "" => break,
                "self" if !path.is_empty() && path.len() == prefix.len() => {}
                _ => path.push(segment),
            }
            if s[*i..].starts_with(b"::") {
                *i += 2;
                // Generic arguments (`Vec::<T>`) end the path.
                if *i < s.len() && s[*i] == b'<' {
                    break;
                }
                continue;
            }
            break;
        }
        // `x as y` names x.
        while *i < s.len() && (s[*i] as char).is_whitespace() {
            *i += 1;
        }
        if s[*i..].starts_with(b"as ") {
            *i += 3;
            while *i < s.len() && (s[*i].is_ascii_alphanumeric() || s[*i] == b'_' || s[*i] == b' ') {
                *i += 1;
            }
        }
        if path.len() > prefix.len() || prefix.is_empty() {
            out.push(path);
        }
    }
    let mut out = Vec::new();
    let mut i = at;
    tree(code.as_bytes(), &mut i, &[], &mut out);
    out
}

/// Every module path that `file` names, resolved from the crate root.
fn references(file: &File) -> Vec<Reference> {
    let code = &file.code;
    let inline = inline_modules(code);
    let children: BTreeSet<String> = {
        let mut set = BTreeSet::new();
        let mut from = 0;
        while let Some(at) = find_word(code, "mod", from) {
            from = at + 3;
            let rest = code[at + 3..].trim_start();
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && rest[name.len()..].trim_start().starts_with(';') {
                set.insert(name);
            }
        }
        set
    };
    let mut out = Vec::new();
    let starts = ["crate", "super", "self"].into_iter().chain(children.iter().map(String::as_str));
    for start in starts {
        let mut from = 0;
        while let Some(at) = find_word(code, start, from) {
            from = at + start.len();
            if !code[at + start.len()..].starts_with("::") || code[..at].ends_with("::") || code[..at].ends_with('$') {
                continue;
            }
            // The module this occurrence sits in: the file's, and the inline modules around it.
            let around: Vec<_> = inline.iter().filter(|(open, end, _, _)| *open < at && at < *end).collect();
            if around.iter().any(|(_, _, _, test)| *test) {
                continue;
            }
            let mut here = file.module.clone();
            here.extend(around.iter().map(|(_, _, name, _)| name.clone()));
            for named in use_tree(code, at) {
                let mut path = Vec::new();
                let mut segments = named.into_iter().peekable();
                match segments.peek().map(String::as_str) {
                    Some("crate") => {
                        segments.next();
                    }
                    Some("super") => {
                        path.clone_from(&here);
                        while segments.peek().is_some_and(|s| s == "super") {
                            segments.next();
                            path.pop();
                        }
                    }
                    Some("self") => {
                        segments.next();
                        path.clone_from(&here);
                    }
                    _ => path.clone_from(&file.module),
                }
                path.extend(segments.filter(|s| s != "*"));
                out.push(Reference { line: line_of(code, at), path });
            }
        }
    }
    out
}

/// An edge between two files: `from` names a module in `to` at `line`.
struct Edge {
    to: usize,
    line: usize,
}

/// The file each module path lies in: the longest prefix of it that is a file's module.
fn edges(files: &[File]) -> Vec<Vec<Edge>> {
    let by_module: BTreeMap<&[String], usize> = files.iter().enumerate().map(|(i, f)| (f.module.as_slice(), i)).collect();
    files
        .iter()
        .map(|file| {
            let mut out: Vec<Edge> = Vec::new();
            for r in references(file) {
                let Some(to) = (0..=r.path.len()).rev().find_map(|n| by_module.get(&r.path[..n]).copied()) else { continue };
                // A file naming itself or an ancestor (its parent's namespace) is no edge.
                if file.module.starts_with(&files[to].module) {
                    continue;
                }
                if !out.iter().any(|e| e.to == to) {
                    out.push(Edge { to, line: r.line });
                }
            }
            out
        })
        .collect()
}

fn layer(file: &File) -> &str {
    file.module.first().map_or("", String::as_str)
}

fn source_line(file: &File, line: usize) -> &str {
    file.text.lines().nth(line - 1).unwrap_or("").trim()
}

#[test]
fn no_layer_names_a_layer_above_it() {
    let files = files();
    let edges = edges(&files);
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut faults = String::new();
    for (from, out) in files.iter().zip(&edges) {
        let Some(may_use) = allowed.get(layer(from)) else {
            assert!(
                from.module.is_empty(),
                "{}: a layer ARCHITECTURE.md does not list; add it to LAYERS in tests/architecture.rs",
                from.path
            );
            continue;
        };
        for edge in out {
            let to = &files[edge.to];
            if layer(to) != layer(from) && !to.module.is_empty() && !may_use.contains(&layer(to)) {
                let _ = writeln!(
                    faults,
                    "{}:{}: `{}` names {} (layer `{}`), which layer `{}` may not use (it may use: {})",
                    from.path,
                    edge.line,
                    source_line(from, edge.line),
                    to.path,
                    layer(to),
                    layer(from),
                    if may_use.is_empty() { "no other layer".to_owned() } else { may_use.join(", ") }
                );
            }
        }
    }
    assert!(faults.is_empty(), "upward dependencies between layers (ARCHITECTURE.md's table):\n{faults}");
}

/// Every elementary cycle of the file graph, each rotated to start at its smallest file.
fn cycles(files: &[File], edges: &[Vec<Edge>]) -> Vec<Vec<usize>> {
    fn walk(start: usize, node: usize, edges: &[Vec<Edge>], path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        for edge in &edges[node] {
            if edge.to == start {
                out.push(path.clone());
            } else if edge.to > start && !path.contains(&edge.to) {
                path.push(edge.to);
                walk(start, edge.to, edges, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    for start in 0..files.len() {
        walk(start, start, edges, &mut vec![start], &mut out);
    }
    out
}

#[test]
fn no_module_depends_on_itself_through_others() {
    let files = files();
    let edges = edges(&files);
    let mut faults = String::new();
    for cycle in &cycles(&files, &edges) {
        let names: Vec<&str> = cycle.iter().map(|&i| files[i].path.as_str()).collect();
        let _ = writeln!(faults, "a cycle: {} -> {}", names.join(" -> "), names[0]);
        for (k, &from) in cycle.iter().enumerate() {
            let to = cycle[(k + 1) % cycle.len()];
            let line = edges[from].iter().find(|e| e.to == to).map_or(0, |e| e.line);
            let _ = writeln!(faults, "  {}:{}: `{}` names {}", files[from].path, line, source_line(&files[from], line), files[to].path);
        }
    }
    assert!(
        faults.is_empty(),
        "circular dependencies between files in src/ (a lower module never names a higher one; siblings share through a module below them):\n{faults}"
    );
}

#[test]
fn egui_is_named_only_in_the_app_and_never_in_its_state() {
    let files = files();
    let mut faults = String::new();
    for file in &files {
        let in_gui = layer(file) == "gui";
        let in_state = file.path.starts_with("src/gui/state");
        if in_gui && !in_state {
            continue;
        }
        // The spans of the paths allowed here.
        let allowed: Vec<(usize, usize)> = EFRAME_PATHS_OUTSIDE_GUI
            .iter()
            .filter(|(path, _)| *path == file.path)
            .flat_map(|(_, named)| file.code.match_indices(named).map(|(at, n)| (at, at + n.len())))
            .collect();
        for word in ["egui", "eframe"] {
            let mut from = 0;
            while let Some(found) = file.code[from..].find(word) {
                let at = from + found;
                from = at + word.len();
                let before = file.code[..at].chars().next_back();
                // `egui`, `eframe` and egui's crates (`egui_plot`, `egui_wgpu`), not `my_egui`.
                if ident_char(before) {
                    continue;
                }
                if !allowed.iter().any(|&(start, end)| start <= at && at < end) {
                    let line = line_of(&file.code, at);
                    let _ = writeln!(faults, "{}:{}: `{}` names {word}", file.path, line, source_line(file, line));
                }
            }
        }
    }
    assert!(faults.is_empty(), "egui/eframe outside the app, or in its state (which has no egui):\n{faults}");
}

/// With no cycle left in `src/`, the test above would pass on a detector that finds nothing: this
/// one gives it two files that name each other (and a third that only looks down) and asks for
/// the one cycle.
#[test]
fn two_files_that_name_each_other_are_a_cycle() {
    let file = |path: &str, module: &[&str], text: &str| File {
        path: path.to_owned(),
        module: module.iter().map(|m| (*m).to_owned()).collect(),
        code: blank_comments_and_strings(text),
        text: text.to_owned(),
    };
    let files = [
        file("src/model/a.rs", &["model", "a"], "use super::b::B;\n// crate::model::c, in a comment, is no edge\n"),
        file("src/model/b.rs", &["model", "b"], "use crate::model::a::A;\n"),
        file("src/model/c.rs", &["model", "c"], "use super::a::A;\n"),
    ];
    let found: Vec<Vec<&str>> =
        cycles(&files, &edges(&files)).iter().map(|c| c.iter().map(|&i| files[i].path.as_str()).collect()).collect();
    assert_eq!(found, [["src/model/a.rs", "src/model/b.rs"]]);
}

#[test]
fn the_app_depends_downwards_and_no_panel_or_window_names_another() {
    let files = files();
    let edges = edges(&files);
    let rank_of: BTreeMap<&str, u8> = GUI_RANKS.iter().copied().collect();
    let mut faults = String::new();
    for (from, out) in files.iter().zip(&edges) {
        // `gui/mod.rs` declares the modules; the rest of the crate is the layers' test's.
        if layer(from) != "gui" || from.module.len() < 2 {
            continue;
        }
        let part = from.module[1].as_str();
        let Some(&rank) = rank_of.get(part) else {
            let _ = writeln!(faults, "{}: a module of the app that GUI_RANKS in tests/architecture.rs does not place", from.path);
            continue;
        };
        for edge in out {
            let to = &files[edge.to];
            if layer(to) != "gui" || to.module.len() < 2 {
                continue;
            }
            let other = to.module[1].as_str();
            let fault = if other == part {
                (!GUI_SHARING.contains(&part))
                    .then(|| format!("one of `{part}` names another (what two share goes to a module below them)"))
            } else {
                match rank_of.get(other) {
                    Some(&r) if r < rank => None,
                    Some(_) => Some(format!("`{part}` names `{other}`, which is not below it")),
                    None => Some(format!("`{other}` is not placed in GUI_RANKS")),
                }
            };
            if let Some(fault) = fault {
                let _ = writeln!(faults, "{}:{}: `{}` names {}: {fault}", from.path, edge.line, source_line(from, edge.line), to.path);
            }
        }
    }
    assert!(
        faults.is_empty(),
        "the app's modules depend downwards only (app -> panels/windows/export -> widgets/prefs -> theme/gpu_plot -> state -> jobs/standing):\n{faults}"
    );
}
