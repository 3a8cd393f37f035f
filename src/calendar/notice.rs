//! Reading and checking calendar files (the format of `cn_workdays.toml`): every problem is
//! collected and located as `FILE:LINE:COL`, so a hospital's IT staff can fix a notice they
//! typed in one pass.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use time::{Date, Month, Weekday};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{CalendarError, parse_date};

/// What a valid calendar file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeInfo {
    /// The file's name as given (`(built in)` for the embedded data).
    pub path: String,
    /// The `year` of each `[[year]]` block, in file order.
    pub years: Vec<i32>,
    /// Each block's `source` (document number, e.g. "国办发明电〔2025〕7号"), else its `title`,
    /// else "YEAR (FILE)".
    pub sources: Vec<String>,
    /// Each block's `title`, where given.
    pub titles: Vec<String>,
    /// `coverage_start`: the first day the file is authoritative for.
    pub coverage_start: Date,
    /// `coverage_end`: the last day the file is authoritative for.
    pub coverage_end: Date,
    /// The rest days listed (`holidays`), all blocks together.
    pub holidays: Vec<Date>,
    /// The make-up working days listed (`makeup_workdays`), all blocks together.
    pub makeup_workdays: Vec<Date>,
}

/// Line and column (both from 1, the column in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut cut = offset;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let before = &text[..cut];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

struct Checker<'t> {
    path: &'t str,
    text: &'t str,
    problems: Vec<CalendarError>,
    /// Every listed holiday and make-up day with its span, for `check_both`.
    holidays: Vec<(Date, Range<usize>)>,
    makeup: Vec<(Date, Range<usize>)>,
}

impl Checker<'_> {
    fn at(&mut self, span: &Range<usize>, message: String) {
        if self.problems.len() >= MAX_PROBLEMS {
            return;
        }
        let (line, column) = line_col(self.text, span.start);
        self.problems.push(CalendarError::At {
            path: self.path.to_owned(),
            line,
            column,
            message,
        });
    }

    /// A date: a string `"YYYY-MM-DD"` or a TOML local date `YYYY-MM-DD`; else a problem.
    fn date(&mut self, v: &Spanned<DeValue<'_>>, what: &str) -> Option<Date> {
        let text = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(t) if t.time.is_none() && t.offset.is_none() => t.to_string(),
            _ => {
                self.at(
                    &v.span(),
                    format!("{what} must be a date such as \"2027-01-01\""),
                );
                return None;
            }
        };
        match parse_date(&text) {
            Ok(d) => Some(d),
            Err(_) => {
                self.at(
                    &v.span(),
                    format!("{what} {text:?} is not a date (YYYY-MM-DD)"),
                );
                None
            }
        }
    }

    fn string(&mut self, v: &Spanned<DeValue<'_>>, what: &str) -> Option<String> {
        if let Some(s) = v.get_ref().as_str() {
            Some(s.to_owned())
        } else {
            self.at(&v.span(), format!("{what} must be a string"));
            None
        }
    }

    fn integer(&mut self, v: &Spanned<DeValue<'_>>, what: &str) -> Option<i64> {
        let n = v
            .get_ref()
            .as_integer()
            .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok());
        if n.is_none() {
            self.at(&v.span(), format!("{what} must be a whole number"));
        }
        n
    }
}

/// The entries of a table by key, with unknown keys reported.
fn entries<'a, 'i>(
    c: &mut Checker<'_>,
    table: &'a DeTable<'i>,
    known: &[&str],
    where_: &str,
) -> HashMap<&'a str, &'a Spanned<DeValue<'i>>> {
    let mut out = HashMap::new();
    for (k, v) in table {
        let key: &str = k.get_ref();
        if known.contains(&key) {
            out.insert(key, v);
        } else {
            c.at(
                &k.span(),
                format!("unknown key {key:?} {where_} (known: {})", known.join(", ")),
            );
        }
    }
    out
}

const TOP_KEYS: &[&str] = &[
    "schema_version",
    "country",
    "weekend",
    "coverage_start",
    "coverage_end",
    "year",
];
const YEAR_KEYS: &[&str] = &[
    "year",
    "source",
    "title",
    "issued",
    "url",
    "holidays",
    "makeup_workdays",
];

/// Check the header keys; the coverage, where readable.
fn check_header(
    c: &mut Checker<'_>,
    top: &HashMap<&str, &Spanned<DeValue<'_>>>,
    doc: &Range<usize>,
) -> Option<(Date, Date)> {
    match top.get("schema_version") {
        None => c.at(
            doc,
            "schema_version is missing (write schema_version = 1)".to_owned(),
        ),
        Some(v) => {
            if let Some(n) = c.integer(v, "schema_version")
                && n != 1
            {
                c.at(
                    &v.span(),
                    format!("schema_version {n} is not supported (1 is)"),
                );
            }
        }
    }
    if let Some(v) = top.get("country")
        && c.string(v, "country").is_some_and(|s| s != "CN")
    {
        c.at(&v.span(), "only country = \"CN\" is supported".to_owned());
    }
    if let Some(v) = top.get("weekend") {
        let ok = v.get_ref().as_array().is_some_and(|a| {
            a.iter().map(|x| x.get_ref().as_str()).collect::<Vec<_>>() == [Some("Sat"), Some("Sun")]
        });
        if !ok {
            c.at(
                &v.span(),
                "only weekend = [\"Sat\", \"Sun\"] is supported".to_owned(),
            );
        }
    }
    let mut bound = |key: &str| match top.get(key) {
        None => {
            c.at(
                doc,
                format!("{key} is missing (write {key} = \"YYYY-MM-DD\")"),
            );
            None
        }
        Some(v) => c.date(v, key),
    };
    let start = bound("coverage_start");
    let end = bound("coverage_end");
    let (start, end) = (start?, end?);
    if end < start {
        let span = top["coverage_end"].span();
        c.at(
            &span,
            format!("coverage_end {end} is before coverage_start {start}"),
        );
        return None;
    }
    Some((start, end))
}

/// The dates of one `holidays` or `makeup_workdays` list, with their spans.
fn date_list(
    c: &mut Checker<'_>,
    v: Option<&&Spanned<DeValue<'_>>>,
    key: &str,
) -> Vec<(Date, Range<usize>)> {
    let Some(v) = v else { return Vec::new() };
    let Some(items) = v.get_ref().as_array() else {
        c.at(&v.span(), format!("{key} must be a list of dates"));
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|x| c.date(x, key).map(|d| (d, x.span())))
        .collect()
}

/// The days a notice for `year` may set: its year, and December of the year before (notices
/// have moved days there: 2018-12-29 worked for the 2019 notice), within the file's coverage
/// with the same December allowance.
fn allowed(year: i32, coverage: Option<(Date, Date)>, d: Date) -> Result<(), String> {
    let dec = |y: i32| Date::from_calendar_date(y.saturating_sub(1), Month::December, 1).ok();
    if !(d.year() == year || (d.year() == year.saturating_sub(1) && d.month() == Month::December)) {
        return Err(format!(
            "{d} is not in {year} or December {}",
            year.saturating_sub(1)
        ));
    }
    if let Some((s, e)) = coverage
        && (dec(s.year()).is_some_and(|s| d < s) || d > e)
    {
        return Err(format!(
            "{d} is outside the file's coverage {s} to {e} (December of the year before is allowed)"
        ));
    }
    Ok(())
}

/// Check one `[[year]]` block; add its dates and sources to `info`.
fn check_year(
    c: &mut Checker<'_>,
    block: &Spanned<DeValue<'_>>,
    coverage: Option<(Date, Date)>,
    info: &mut NoticeInfo,
) {
    let Some(table) = block.get_ref().as_table() else {
        c.at(
            &block.span(),
            "year must be a list of [[year]] tables".to_owned(),
        );
        return;
    };
    let e = entries(c, table, YEAR_KEYS, "in [[year]]");
    let year = match e.get("year") {
        None => {
            c.at(&block.span(), "[[year]] has no year = YYYY".to_owned());
            None
        }
        Some(v) => c.integer(v, "year").and_then(|n| i32::try_from(n).ok()),
    };
    let text = |c: &mut Checker<'_>, k: &str| e.get(k).and_then(|v| c.string(v, k));
    let source = text(c, "source");
    let title = text(c, "title");
    let _url = text(c, "url");
    if let Some(v) = e.get("issued") {
        c.date(v, "issued");
    }
    let holidays = date_list(c, e.get("holidays"), "holidays");
    let makeup = date_list(c, e.get("makeup_workdays"), "makeup_workdays");
    for (d, span) in holidays.iter().chain(&makeup) {
        if let Some(y) = year
            && let Err(m) = allowed(y, coverage, *d)
        {
            c.at(span, m);
        }
    }
    for (d, span) in &makeup {
        if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
            c.at(
                span,
                format!(
                    "{d} is a {}: a make-up working day is a Saturday or Sunday",
                    d.weekday()
                ),
            );
        }
    }
    let y = year.unwrap_or(0);
    info.years.push(y);
    info.sources.push(
        source
            .or_else(|| title.clone())
            .unwrap_or_else(|| format!("{y} ({})", c.path)),
    );
    info.titles.extend(title);
    info.holidays.extend(holidays.iter().map(|(d, _)| *d));
    info.makeup_workdays.extend(makeup.iter().map(|(d, _)| *d));
    c.holidays.extend(holidays);
    c.makeup.extend(makeup);
}

/// At most this many problems are reported for one file (the first ones, by position).
const MAX_PROBLEMS: usize = 100;
/// The largest calendar file read: 256 KiB (a year's notice is about 2 KiB).
pub const MAX_NOTICE_BYTES: usize = 256 * 1024;
/// The most `[[year]]` blocks in one file.
const MAX_YEARS: usize = 20;

/// Check a calendar file's text; `path` names it in the messages. Besides the format: at most
/// 20 `[[year]]` blocks, each year once, the coverage within the years the blocks name (from
/// December of the year before the first to the end of the last) with no year left out, and
/// at most [`MAX_NOTICE_BYTES`]; at most 100 problems are reported.
pub fn validate_text(path: &str, text: &str) -> Result<NoticeInfo, Vec<CalendarError>> {
    if text.len() > MAX_NOTICE_BYTES {
        return Err(vec![CalendarError::At {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message: format!(
                "the file is {} bytes, more than the {MAX_NOTICE_BYTES} a holiday notice needs",
                text.len()
            ),
        }]);
    }
    let mut c = Checker {
        path,
        text,
        problems: Vec::new(),
        holidays: Vec::new(),
        makeup: Vec::new(),
    };
    let (doc, errors) = DeTable::parse_recoverable(text);
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        c.at(&span, e.message().trim().to_owned());
    }
    let top = entries(&mut c, doc.get_ref(), TOP_KEYS, "at the top");
    let coverage = check_header(&mut c, &top, &(0..0));
    let mut info = NoticeInfo {
        path: path.to_owned(),
        years: Vec::new(),
        sources: Vec::new(),
        titles: Vec::new(),
        coverage_start: coverage.map_or(Date::MIN, |r| r.0),
        coverage_end: coverage.map_or(Date::MIN, |r| r.1),
        holidays: Vec::new(),
        makeup_workdays: Vec::new(),
    };
    if let Some(v) = top.get("year") {
        match v.get_ref().as_array() {
            Some(blocks) if blocks.len() > MAX_YEARS => c.at(
                &v.span(),
                format!(
                    "{} [[year]] blocks: a file holds at most {MAX_YEARS} (one per notice)",
                    blocks.len()
                ),
            ),
            Some(blocks) => {
                for b in blocks {
                    check_year(&mut c, b, coverage, &mut info);
                }
                check_years_cover(&mut c, &v.span(), &info);
            }
            None => c.at(
                &v.span(),
                "year must be a list of [[year]] tables".to_owned(),
            ),
        }
    }
    if !top.contains_key("year") && c.problems.is_empty() {
        c.at(
            &(0..0),
            "no [[year]] block: write one per notice, with its holidays and make-up working days"
                .to_owned(),
        );
    }
    check_both(&mut c);
    if c.problems.is_empty() {
        Ok(info)
    } else {
        c.problems.sort_by_key(|p| match p {
            CalendarError::At { line, column, .. } => (*line, *column),
            _ => (0, 0),
        });
        Err(c.problems)
    }
}

/// Each year named once, and the coverage within the years named, none left out: a coverage
/// wider than its notices would turn years no notice covers into Monday-to-Friday "official"
/// days.
fn check_years_cover(c: &mut Checker<'_>, span: &Range<usize>, info: &NoticeInfo) {
    let mut years = info.years.clone();
    years.sort_unstable();
    if let Some(y) = years.windows(2).find_map(|w| {
        (w.first() == w.get(1))
            .then(|| w.first().copied())
            .flatten()
    }) {
        c.at(span, format!("year {y} has more than one [[year]] block"));
    }
    let (Some(&first), Some(&last)) = (years.first(), years.last()) else {
        return;
    };
    let (start, end) = (info.coverage_start, info.coverage_end);
    if start == Date::MIN {
        return;
    }
    let december_before =
        start.year() == first.saturating_sub(1) && start.month() == time::Month::December;
    if start.year() < first && !december_before {
        c.at(
            span,
            format!(
                "coverage_start {start} is before the first year with a [[year]] block ({first})"
            ),
        );
    }
    if end.year() > last {
        c.at(
            span,
            format!("coverage_end {end} is after the last year with a [[year]] block ({last})"),
        );
    }
    let missing: Vec<String> = (first..=last)
        .filter(|y| !years.contains(y))
        .map(|y| y.to_string())
        .collect();
    if !missing.is_empty() {
        c.at(
            span,
            format!(
                "the coverage includes years with no [[year]] block: {}",
                missing.join(", ")
            ),
        );
    }
}

/// A day both a holiday and a make-up working day anywhere in the file: reported at the
/// make-up entry, naming the holiday's line.
fn check_both(c: &mut Checker<'_>) {
    let mut holidays: HashMap<Date, usize> = HashMap::new();
    for (d, span) in &c.holidays {
        holidays.entry(*d).or_insert(span.start);
    }
    for (d, span) in std::mem::take(&mut c.makeup) {
        if let Some(&at) = holidays.get(&d) {
            let (line, _) = line_col(c.text, at);
            c.at(
                &span,
                format!("{d} is both a holiday (line {line}) and a make-up working day"),
            );
        }
    }
}

/// Check a calendar file: every problem, each located as `FILE:LINE:COL`.
pub fn validate_file(path: &Path) -> Result<NoticeInfo, Vec<CalendarError>> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => validate_text(&name, &text),
        Err(e) => Err(vec![CalendarError::Data {
            path: name,
            message: format!("cannot read the calendar file: {e}"),
        }]),
    }
}
