//! Wide CSV history, read row by row straight into columns.
//!
//! A header row, a first column with the run's id or time, then one column a metric (`name [unit]`
//! gives a unit); the columns `commit`, `branch`, `environment` and `timestamp` are the run's own.
//! Empty cells, `NA` and `NaN` are missing values.
//!
//! How it works:
//!
//! ```text
//!  text ──CsvRows──▶ (line number, cells) ──read_row──▶ run + (metric, value)… ──▶ FileColumns
//!        one pass a line finds its end and      each column as the header says;
//!        its commas; its cells borrowed         a row with any fault adds nothing
//!        (a line with a quote: split into owned cells, RFC 4180 within the line)
//! ```
//!
//! One pass over the text, no copy of an unquoted cell, no allocation per row: the cells, the
//! row's values and the run are reused from row to row. A line over [`MAX_LINE_BYTES`] is the
//! file's one error (wherever it is), named with its length, and its cells are never split.

use super::columnar::RunRef;
use super::columns::{FileColumns, MAX_ERRORS_PER_FILE, MAX_LINE_BYTES, newlines};
use super::error::LoadError;
use super::history::Snapshot;
use super::time::Timestamp;
use super::units::{Dimension, EmptyUnit, Unit};
use super::yaml::Pos;
use std::borrow::Cow;

/// The lines of a CSV text, one at a time, with their numbers (from 1), as [`str::lines`] cuts
/// them; it remembers the first line over [`MAX_LINE_BYTES`] it meets.
#[derive(Clone)]
struct CsvRows<'t> {
    text: &'t str,
    /// Where the next line starts.
    next: usize,
    /// The number of the line last read.
    line_no: u32,
    /// The first line over the limit met so far: (its number, its length).
    over_limit: Option<(u32, usize)>,
}

/// A non-blank line of the text, or the fault that keeps it from being one.
enum Line<'t> {
    Text(u32, &'t str),
    /// A line over [`MAX_LINE_BYTES`] (remembered in [`CsvRows::over_limit`]).
    OverLimit,
}

impl<'t> CsvRows<'t> {
    fn new(text: &'t str) -> Self {
        CsvRows { text, next: 0, line_no: 0, over_limit: None }
    }

    /// The next line, blank or not, without its line end.
    fn next_line(&mut self) -> Option<&'t str> {
        let rest = self.text.get(self.next..).filter(|r| !r.is_empty())?;
        // A plain loop: lines are short, and a search call per line cost more than the bytes.
        let (line, advance) = match rest.bytes().position(|b| b == b'\n') {
            Some(end) => (rest[..end].strip_suffix('\r').unwrap_or(&rest[..end]), end + 1),
            None => (rest, rest.len()),
        };
        self.next += advance;
        self.line_no += 1;
        Some(line)
    }

    /// The next line that is not blank, or the next line over the limit.
    fn next_row(&mut self) -> Option<Line<'t>> {
        loop {
            let line = self.next_line()?;
            if line.len() > MAX_LINE_BYTES {
                self.over_limit.get_or_insert((self.line_no, line.len()));
                return Some(Line::OverLimit);
            }
            if !is_blank(line) {
                return Some(Line::Text(self.line_no, line));
            }
        }
    }

    /// [`CsvRows::next_row`], with the line cut into `cells` at its commas in the same pass over
    /// its bytes that finds its end; `true` with it where the line holds a quote, whose cells are
    /// then left to [`split_quoted`]. The cells of a line over the limit are never kept: the scan
    /// stops keeping them past the limit, so a 100 MB line of commas costs no memory.
    fn next_row_cells(&mut self, cells: &mut Vec<Cow<'t, str>>) -> Option<(Line<'t>, bool)> {
        let text = self.text;
        let bytes = text.as_bytes();
        loop {
            let start = self.next;
            if start >= bytes.len() {
                return None;
            }
            cells.clear();
            let mut quoted = false;
            let mut cell_start = start;
            // A line without its `\n` of MAX_LINE_BYTES + 2 bytes is over the limit, `\r` or not.
            let scan_end = start.saturating_add(MAX_LINE_BYTES + 2).min(bytes.len());
            let mut i = start;
            while i < scan_end {
                let b = bytes[i];
                if STOPS_A_SCAN[usize::from(b)] {
                    match b {
                        b'\n' => break,
                        // A comma is ASCII, so both sides are on character boundaries.
                        b',' => {
                            cells.push(Cow::Borrowed(&text[cell_start..i]));
                            cell_start = i + 1;
                        }
                        _ => quoted = true,
                    }
                }
                i += 1;
            }
            let end = if i < scan_end || scan_end == bytes.len() {
                i
            } else {
                bytes[scan_end..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| scan_end + p)
            };
            self.next = end + 1;
            self.line_no += 1;
            let line = &text[start..end];
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.len() > MAX_LINE_BYTES {
                cells.clear();
                self.over_limit.get_or_insert((self.line_no, line.len()));
                return Some((Line::OverLimit, false));
            }
            if !is_blank(line) {
                cells.push(Cow::Borrowed(&text[cell_start..start + line.len()]));
                return Some((Line::Text(self.line_no, line), quoted));
            }
        }
    }

    /// The first line over the limit in the whole text: the one met, else the first of the lines
    /// not read yet.
    fn first_over_limit(&mut self) -> Option<(u32, usize)> {
        while self.over_limit.is_none() {
            let line = self.next_line()?;
            if line.len() > MAX_LINE_BYTES {
                self.over_limit = Some((self.line_no, line.len()));
            }
        }
        self.over_limit
    }
}

/// The bytes a row's scan stops at: a line's end, a cell's end, a quote.
const STOPS_A_SCAN: [bool; 256] = {
    let mut stops = [false; 256];
    stops[b'\n' as usize] = true;
    stops[b',' as usize] = true;
    stops[b'"' as usize] = true;
    stops
};

/// Whether a line holds nothing but white space (most lines fail at their first byte).
fn is_blank(line: &str) -> bool {
    match line.as_bytes().first() {
        None => true,
        Some(b) if b.is_ascii_graphic() => false,
        Some(_) => line.trim().is_empty(),
    }
}

/// What makes a wide CSV's line or header unreadable (each is reported as a [`LoadError`] with
/// its file and line).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
enum CsvError {
    /// A quote opened and not closed before the line's end (a field may not span lines).
    #[error("a quoted field is not closed on this line")]
    UnclosedQuote,
    /// A metric column's unit (`latency [ms]`) that is not one.
    #[error(transparent)]
    Unit(#[from] EmptyUnit),
}

/// Splits one CSV line into fields (RFC 4180 quoting; the line must be complete).
fn split_quoted(line: &str) -> Result<Vec<String>, CsvError> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if field.trim().is_empty() && !was_quoted => {
                field.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                fields.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            (_, c) => field.push(c),
        }
    }
    if quoted {
        return Err(CsvError::UnclosedQuote);
    }
    fields.push(field);
    Ok(fields)
}

/// A cell without white space around it (most cells have none, which the first and last byte tell).
fn trim_cell(cell: &str) -> &str {
    let bytes = cell.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

fn is_missing(cell: &str) -> bool {
    // A number (most cells) starts with a digit, which no word for "missing" does.
    if cell.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    matches!(cell.trim(), "" | "NA" | "N/A" | "NaN" | "nan" | "null" | "-")
}

/// Powers of ten that are exact in an `f64` (10^22 is the largest).
const EXACT_POWERS_OF_TEN: [f64; 23] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/// A cell as a number, as [`str::parse::<f64>`] reads it, bit for bit.
///
/// A plain decimal (`-41.638`: a sign, digits, a point, digits) whose digits make an integer
/// below 2^53 with at most 22 digits after the point is that integer divided by a power of ten:
/// both are exact in an `f64`, so the one correctly rounded division is the correctly rounded
/// value (Clinger's fast path, which the standard library also takes first). Every other cell
/// goes to the standard library's parser; this one only skips its general set-up, the larger
/// part of a short cell's cost.
fn parse_number(cell: &str) -> Option<f64> {
    let bytes = cell.as_bytes();
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0;
    let mut after_point = None;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' if count < 16 => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
            }
            b'.' if after_point.is_none() && i > 0 && i + 1 < digits.len() => after_point = Some(i + 1),
            _ => return cell.parse().ok(),
        }
    }
    let decimals = after_point.map_or(0, |start| digits.len() - start);
    if count == 0 || mantissa >= 1 << 53 || decimals >= EXACT_POWERS_OF_TEN.len() {
        return cell.parse().ok();
    }
    let value = mantissa as f64 / EXACT_POWERS_OF_TEN[decimals];
    Some(if negative { -value } else { value })
}

/// Splits a header `latency [ms]` or `latency (ms)` into the metric and its unit.
fn metric_header(header: &str) -> Result<(String, Option<Unit>), CsvError> {
    let h = header.trim();
    for (open, close) in [('[', ']'), ('(', ')')] {
        if let Some(stripped) = h.strip_suffix(close)
            && let Some((name, unit)) = stripped.rsplit_once(open)
        {
            let unit = Unit::parse(unit)?;
            return Ok((name.trim().to_owned(), Some(unit)));
        }
    }
    Ok((h.to_owned(), None))
}

/// What a column of a wide CSV history holds.
enum Column {
    Id,
    Time,
    Commit,
    Branch,
    Environment,
    Metric(MetricCell),
}

/// A metric's column: its name, its unit, its column in the file's columns, and whether a
/// negative value is refused (a duration or a size).
struct MetricCell {
    name: String,
    unit: Option<Unit>,
    id: u32,
    non_negative: bool,
}

/// The header's cells and what each column holds.
struct Header {
    cells: Vec<String>,
    columns: Vec<Column>,
}

/// Reads the header line into columns (adding the metrics to `file_columns`); `first_row` is the
/// line after it, whose first cell tells a `time` column of plain numbers (an id column).
fn read_header(
    file: &str,
    (line_no, line): (u32, &str),
    first_row: Option<&str>,
    file_columns: &mut FileColumns,
) -> Result<Header, Vec<LoadError>> {
    let at = |field: &str, message: String| LoadError::new(file, Pos { line: line_no, column: 0 }, field, message);
    let cells = split_quoted(line.trim_start_matches('\u{feff}')).map_err(|e| vec![at("", e.to_string())])?;
    // A first column named `time` that holds plain numbers (seconds, an index) is an id column.
    let first_cell_is_number =
        first_row.and_then(|l| split_quoted(l).ok()).and_then(|row| row.first().map(|c| c.trim().parse::<f64>().is_ok())).unwrap_or(false);
    let mut columns = Vec::with_capacity(cells.len());
    let mut errors = Vec::new();
    for (i, name) in cells.iter().enumerate() {
        let lower = name.trim().to_ascii_lowercase();
        let column = match lower.as_str() {
            "timestamp" | "time" | "date" | "datetime" if i == 0 && first_cell_is_number => Column::Id,
            "timestamp" | "time" | "date" | "datetime" => Column::Time,
            "commit" | "sha" | "revision" if i > 0 => Column::Commit,
            "branch" => Column::Branch,
            "environment" | "env" => Column::Environment,
            _ if i == 0 => Column::Id,
            "" => {
                errors.push(at(&format!("column {}", i + 1), "a column needs a name".to_owned()));
                continue;
            }
            _ => match metric_header(name) {
                Ok((metric, unit)) => {
                    let id = file_columns.metric_id(&metric);
                    let non_negative = unit.as_ref().is_some_and(|u| matches!(u.dimension(), Dimension::Time | Dimension::Size));
                    Column::Metric(MetricCell { name: metric, unit, id, non_negative })
                }
                Err(e) => {
                    errors.push(at(name, e.to_string()));
                    continue;
                }
            },
        };
        columns.push(column);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !columns.iter().any(|c| matches!(c, Column::Metric(..))) {
        return Err(vec![at("", "expected a header with a first column (id or time) and at least one metric column".to_owned())]);
    }
    Ok(Header { cells, columns })
}

/// Reads one row's cells into `run` and `values` (the metric's column, its value), and every
/// fault of the row, in column order, into `faults` (field, message).
fn read_row<'c>(
    header: &Header,
    cells: &'c [Cow<'_, str>],
    run: &mut RunRef<'c>,
    values: &mut Vec<(u32, f64)>,
    faults: &mut Vec<(String, String)>,
) {
    let first_header = header.cells.first().map_or("", String::as_str);
    for (k, (column, cell)) in header.columns.iter().zip(cells).enumerate() {
        let cell = trim_cell(cell);
        let some = || (!is_missing(cell)).then_some(cell);
        match column {
            Column::Id => run.id = cell,
            Column::Time => {
                if run.id.is_empty() {
                    run.id = cell;
                }
                match Timestamp::parse(cell) {
                    Ok(t) => run.timestamp = Some(t),
                    Err(e) => faults.push((first_header.to_owned(), e.to_string())),
                }
            }
            Column::Commit => run.commit = some(),
            Column::Branch => run.branch = some(),
            Column::Environment => run.environment = some(),
            Column::Metric(metric) => {
                if is_missing(cell) {
                    continue;
                }
                match parse_number(cell) {
                    Some(v) if v.is_finite() => {
                        if metric.non_negative && v < 0.0 {
                            faults.push((metric.name.clone(), "a duration or size cannot be negative".to_owned()));
                        }
                        values.push((k as u32, v));
                    }
                    _ => faults.push((metric.name.clone(), format!("expected a number or an empty cell, found `{cell}`"))),
                }
            }
        }
    }
    if run.id.is_empty() {
        faults.push((first_header.to_owned(), "every row needs an id or time in the first column".to_owned()));
    }
}

/// Parses a wide CSV history.
pub fn parse_csv(file: &str, text: &str) -> Result<Vec<Snapshot>, Vec<LoadError>> {
    csv_columns(file, text).map(FileColumns::into_snapshots)
}

/// Parses a wide CSV history into columns; the file is rejected whole with every error in it (up
/// to [`MAX_ERRORS_PER_FILE`]), or with the first line over [`MAX_LINE_BYTES`] alone.
pub fn csv_columns(file: &str, text: &str) -> Result<FileColumns, Vec<LoadError>> {
    csv_columns_on(file, text, 1)
}

/// A file's rows are read in pieces on several threads from this size on.
const PIECES_FROM_BYTES: usize = 4 << 20;

/// [`csv_columns`] on up to `threads` threads: a long file's rows are cut at line ends into a
/// piece a thread, each read into columns of its own, and the pieces' columns joined in order.
/// Where any piece has an error, the file is read again on one thread, so its errors (and the
/// cap on them) are listed exactly as a reading from start to end lists them.
pub fn csv_columns_on(file: &str, text: &str, threads: usize) -> Result<FileColumns, Vec<LoadError>> {
    csv_columns_in_pieces(file, text, threads, PIECES_FROM_BYTES)
}

/// [`csv_columns_on`], reading in pieces from `pieces_from_bytes` of rows on.
fn csv_columns_in_pieces(file: &str, text: &str, threads: usize, pieces_from_bytes: usize) -> Result<FileColumns, Vec<LoadError>> {
    let mut rows = CsvRows::new(text);
    let result = read_rows(file, &mut rows, threads, pieces_from_bytes);
    if result.is_err()
        && let Some((line, length)) = rows.first_over_limit()
    {
        return Err(vec![LoadError::new(
            file,
            Pos { line, column: 0 },
            "",
            format!("a line of {length} bytes, over the limit of {MAX_LINE_BYTES} bytes for one line"),
        )]);
    }
    result
}

fn read_rows(file: &str, rows: &mut CsvRows<'_>, threads: usize, pieces_from_bytes: usize) -> Result<FileColumns, Vec<LoadError>> {
    let mut file_columns = FileColumns::default();
    let header_line = match rows.next_row() {
        None => return Ok(file_columns),
        Some(Line::OverLimit) => return Err(Vec::new()),
        Some(Line::Text(line_no, line)) => (line_no, line),
    };
    let first_row = match rows.clone().next_row() {
        Some(Line::Text(_, line)) => Some(line),
        _ => None,
    };
    let header = read_header(file, header_line, first_row, &mut file_columns)?;
    if threads > 1
        && rows.text.len() - rows.next >= pieces_from_bytes
        && let Some(joined) = read_pieces(file, &header, &file_columns, rows, threads)
    {
        return Ok(joined);
    }
    read_body(file, &header, rows, &mut file_columns)?;
    Ok(file_columns)
}

/// The rows after `rows` cut into `pieces` at line ends, each read on a thread of its own into a
/// copy of `empty` (the header's metrics, no rows); the pieces joined, or `None` where any piece
/// has an error or a thread could not start.
fn read_pieces(file: &str, header: &Header, empty: &FileColumns, rows: &CsvRows<'_>, pieces: usize) -> Option<FileColumns> {
    let text = rows.text;
    let body = rows.next..text.len();
    let mut cuts = vec![body.start];
    for k in 1..pieces {
        let mut target = (body.start + body.len() * k / pieces).max(*cuts.last()?);
        while !text.is_char_boundary(target) {
            target += 1;
        }
        let cut = text[target..].find('\n').map_or(text.len(), |p| target + p + 1);
        cuts.push(cut);
    }
    cuts.push(text.len());
    let mut starts = Vec::with_capacity(pieces);
    let mut line_no = rows.line_no;
    for window in cuts.windows(2) {
        starts.push(CsvRows { text: &text[..window[1]], next: window[0], line_no, over_limit: None });
        line_no += newlines(&text[window[0]..window[1]]) as u32;
    }
    let read_piece = |mut piece: CsvRows<'_>| {
        let mut columns = empty.clone();
        read_body(file, header, &mut piece, &mut columns).ok().map(|()| columns)
    };
    let read: Vec<Option<FileColumns>> = std::thread::scope(|scope| {
        // The last piece is read on this thread, which would otherwise only wait.
        let last = starts.pop();
        let handles: Vec<_> = starts
            .into_iter()
            .map(|piece| std::thread::Builder::new().name("headroom-parse".to_owned()).spawn_scoped(scope, move || read_piece(piece)))
            .collect();
        let last = last.and_then(read_piece);
        handles.into_iter().map(|h| h.ok().and_then(|h| h.join().ok()).flatten()).chain(std::iter::once(last)).collect()
    });
    let mut read = read.into_iter();
    let mut joined = read.next()??;
    joined.append_pieces(read.collect::<Option<Vec<FileColumns>>>()?);
    Some(joined)
}

/// Reads the rows of `rows` into `file_columns`; `Err` with every error (up to the cap), or at
/// a line over the limit (which `rows` remembers).
fn read_body<'t>(file: &str, header: &Header, rows: &mut CsvRows<'t>, file_columns: &mut FileColumns) -> Result<(), Vec<LoadError>> {
    let at = |line: u32, field: &str, message: String| LoadError::new(file, Pos { line, column: 0 }, field, message);
    // Every row is a run at most: one newline a row.
    file_columns.runs.reserve(newlines(&rows.text[rows.next..]) + 1);
    let mut errors = Vec::new();
    let mut cells: Vec<Cow<'t, str>> = Vec::with_capacity(header.columns.len());
    let mut values: Vec<(u32, f64)> = Vec::with_capacity(header.columns.len());
    let mut faults: Vec<(String, String)> = Vec::new();
    while let Some((row, quoted)) = rows.next_row_cells(&mut cells) {
        let (line_no, line) = match row {
            Line::Text(line_no, line) => (line_no, line),
            Line::OverLimit => return Err(errors),
        };
        if errors.len() >= MAX_ERRORS_PER_FILE {
            errors.push(at(line_no, "", "too many errors; the rest of the file was not read".to_owned()));
            break;
        }
        if quoted {
            match split_quoted(line) {
                Ok(quoted_cells) => {
                    cells.clear();
                    cells.extend(quoted_cells.into_iter().map(Cow::Owned));
                }
                Err(e) => {
                    errors.push(at(line_no, "", e.to_string()));
                    continue;
                }
            }
        }
        if cells.len() != header.columns.len() {
            errors.push(at(line_no, "", format!("expected {} fields as in the header, found {}", header.columns.len(), cells.len())));
            continue;
        }
        let mut run = RunRef { id: "", timestamp: None, commit: None, branch: None, environment: None, file, line: line_no };
        values.clear();
        faults.clear();
        read_row(header, &cells, &mut run, &mut values, &mut faults);
        if faults.is_empty() {
            let run_index = file_columns.runs.len() as u32;
            for &(k, value) in &values {
                if let Column::Metric(metric) = &header.columns[k as usize] {
                    file_columns.metrics[metric.id as usize].push_value(run_index, value, metric.unit.as_ref());
                }
            }
            file_columns.runs.push(run);
        } else {
            errors.extend(faults.drain(..).map(|(field, message)| at(line_no, &field, message)));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshots(columns: FileColumns) -> Vec<Snapshot> {
        columns.into_snapshots()
    }

    /// A CSV with blank lines, CRLF line ends, quoted cells, missing cells and a second metric in
    /// another unit.
    fn mixed_csv(rows: usize) -> String {
        let mut text = String::from("time,branch,latency [ms],\"size, gz\" (KB)\n");
        for r in 0..rows {
            let day = format!("2026-{:02}-{:02}T{:02}:{:02}:00Z", 1 + r / 1440 / 28 % 12, 1 + r / 1440 % 28, r / 60 % 24, r % 60);
            match r % 7 {
                0 => text.push_str(&format!("{day},main,{}.5,\"{}\"\r\n", r % 50, r % 13)),
                3 => text.push_str(&format!("\n{day},dev,,{}\n", r % 11)),
                _ => text.push_str(&format!("{day}, main ,{}.25,NA\n", r % 40)),
            }
        }
        text
    }

    #[test]
    fn a_csv_read_in_pieces_gives_what_it_gives_read_whole() {
        let text = mixed_csv(3000);
        let whole = snapshots(csv_columns("h.csv", &text).unwrap());
        for threads in [2, 3, 8] {
            let pieces = snapshots(csv_columns_in_pieces("h.csv", &text, threads, 1).unwrap());
            assert!(pieces == whole, "{threads} pieces");
        }
        assert_eq!(whole.len(), 3000);
        assert_eq!(whole[3].run.line, 6, "the blank line before the fourth row counts");
        let sizes = whole.iter().filter(|s| s.metrics.iter().any(|(name, _)| name == "size, gz")).count();
        assert_eq!(sizes, (0..3000).filter(|r| r % 7 == 0 || r % 7 == 3).count());
    }

    #[test]
    fn errors_read_in_pieces_are_listed_as_read_whole() {
        let mut text = mixed_csv(2000);
        text.push_str("2026-12-01T00:00:00Z,main,x,1\n2026-12-02T00:00:00Z,main,-1,1\n");
        let mut lines: Vec<&str> = text.lines().collect();
        lines.insert(40, "2026-13-01,main,1,1");
        lines.insert(1500, "bad,row");
        let text = lines.join("\n");
        let whole = csv_columns("h.csv", &text).unwrap_err();
        let pieces = csv_columns_in_pieces("h.csv", &text, 4, 1).unwrap_err();
        let read: Vec<String> = pieces.iter().map(ToString::to_string).collect();
        assert_eq!(read, whole.iter().map(ToString::to_string).collect::<Vec<_>>());
        assert_eq!(read.len(), 4, "{read:?}");
        assert!(read[0].starts_with("h.csv:41: `time`: expected a time"), "{}", read[0]);
        assert!(read[1].starts_with("h.csv:1501: expected 4 fields as in the header, found 2"), "{}", read[1]);
        assert!(read[3].contains("`latency`: a duration or size cannot be negative"), "{}", read[3]);
    }

    #[test]
    fn an_unclosed_quote_and_an_empty_unit_name_their_file_line_and_column() {
        let errors = csv_columns("h.csv", "id,latency [ms]\n1,2\n2,\"3\n3,4\n").unwrap_err();
        let read: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(read, ["h.csv:3: a quoted field is not closed on this line"]);
        let errors = csv_columns("h.csv", "id,latency [ms],size []\n1,2,3\n").unwrap_err();
        let read: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(read, ["h.csv:1: `size []`: a unit must not be empty"]);
    }

    #[test]
    fn a_number_reads_bit_for_bit_as_the_standard_library_reads_it() {
        let mut cells: Vec<String> = [
            "0",
            "-0",
            "-0.000",
            "1",
            "41.638",
            "-41.638",
            "0.1",
            "0.3",
            "9007199254740991",
            "9007199254740993",
            "1234567890123456",
            "12345678901234567",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "1.",
            ".5",
            "-.5",
            "+5",
            "1e3",
            "1.5E-3",
            "inf",
            "-inf",
            "NaN",
            "1.2.3",
            "--1",
            "-",
            "",
            "1,5",
            "١",
            "0x10",
            "179769313486231570000000000000000000000",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        // Many plain decimals of every length, as benchmark tools write them.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for k in 0..20_000 {
            // xorshift64: values spread over every digit.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let value = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            cells.push(format!("{:.*}", (k % 19) as usize, value * 10f64.powi(k % 12 - 4)));
        }
        for cell in &cells {
            let expected = cell.parse::<f64>().ok();
            assert_eq!(parse_number(cell).map(f64::to_bits), expected.map(f64::to_bits), "`{cell}`");
        }
    }

    #[test]
    fn a_line_over_the_limit_is_the_one_error_wherever_it_is() {
        let long = "9".repeat(MAX_LINE_BYTES + 1);
        // After a bad row, and after more errors than are listed: the long line is still the error.
        let mut text = String::from("id,a\n1,x\n");
        for i in 0..MAX_ERRORS_PER_FILE + 5 {
            text.push_str(&format!("{i},bad\n"));
        }
        text.push_str(&format!("{long},3\n"));
        for threads in [1, 2] {
            let errors = csv_columns_in_pieces("h.csv", &text, threads, 1).unwrap_err();
            assert_eq!(errors.len(), 1, "{threads} threads");
            assert_eq!(errors[0].pos.line, 28);
            assert!(errors[0].message.contains(&format!("a line of {} bytes, over the limit", MAX_LINE_BYTES + 3)), "{}", errors[0]);
        }
    }
}
