//! Messages for the mistakes people make writing a manifest by hand: the TOML parser's and
//! serde's errors recognised and said again with the key's name, the value as written and the
//! fix (`paths must be a list: write paths = ["emr/**"]`), unknown tables and keys with the
//! nearest known one, and punctuation typed with a Chinese input method.

use std::ops::Range;

use super::raw::RawProblem;

/// The manifest's tables, with whether each is repeatable (`[[module]]`) or single (`[contract]`),
/// in the order the template lists them.
pub const TABLES: &[(&str, bool)] = &[
    ("contract", false),
    ("module", true),
    ("document", true),
    ("database", true),
    ("dependencies", true),
    ("severity", false),
    ("scan", false),
    ("rule", true),
    ("allow", true),
    ("build", false),
];

/// The keys of the manifest's top level that are not tables.
pub const TOP_KEYS: &[&str] = &["schema-version", "case-sensitive", "source-extensions"];

/// A table's header as written: `[[module]]` or `[contract]`.
pub fn header(name: &str) -> String {
    match TABLES.iter().find(|(t, _)| *t == name) {
        Some((_, false)) => format!("[{name}]"),
        _ => format!("[[{name}]]"),
    }
}

/// How a key of the top level was written, read from its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `[name]`.
    Table,
    /// `[[name]]`.
    ArrayOfTables,
    /// `name = …`.
    Key,
}

/// The form of the key at `at`, from the text of its line.
pub fn form_at(text: &str, at: usize) -> Form {
    let line = &text[line_start(text, at)..];
    let line = line.trim_start();
    if line.starts_with("[[") {
        Form::ArrayOfTables
    } else if line.starts_with('[') {
        Form::Table
    } else {
        Form::Key
    }
}

fn line_start(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The known name nearest `word`, if one is near enough to be what was meant: the same once
/// letter case, `_` and spaces are set aside, a prefix of at least three letters (`doc`), or
/// within a third of its length in Damerau-Levenshtein distance (`modules`, `min_byte`).
pub fn nearest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let norm = |s: &str| s.trim().to_lowercase().replace(['_', ' '], "-");
    let w = norm(word);
    let squeezed = |s: &str| s.replace('-', "");
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let kn = norm(k);
        let d = if kn == w || squeezed(&kn) == squeezed(&w) {
            0
        } else if w.chars().count() >= 3 && (kn.starts_with(&w) || w.starts_with(&kn)) {
            1
        } else {
            strsim::damerau_levenshtein(&w, &kn)
        };
        let limit = (kn.chars().count().max(w.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| k)
}

/// Every table and top-level key, for a message.
fn everything() -> String {
    let tables: Vec<String> = TABLES.iter().map(|(t, _)| header(t)).collect();
    format!(
        "the manifest's tables are {}; its other top-level keys are {}",
        tables.join(", "),
        TOP_KEYS.join(", ")
    )
}

/// An unknown key of the top level: a table the manifest does not know (`[[modules]]`), or a key.
pub fn unknown_top(text: &str, key_span: Range<usize>, key: &str) -> RawProblem {
    let form = form_at(text, key_span.start);
    let written = match form {
        Form::Table => format!("[{key}]"),
        Form::ArrayOfTables => format!("[[{key}]]"),
        Form::Key => key.to_owned(),
    };
    let tables = TABLES.iter().map(|(t, _)| *t);
    let suggestion = match form {
        Form::Key => nearest(key, TOP_KEYS.iter().copied())
            .map(str::to_owned)
            .or_else(|| nearest(key, tables).map(header)),
        _ => nearest(key, tables)
            .map(header)
            .or_else(|| nearest(key, TOP_KEYS.iter().copied()).map(str::to_owned)),
    };
    let what = if form == Form::Key {
        "a key"
    } else {
        "a table"
    };
    let mean = suggestion.map_or(String::new(), |s| format!(": did you mean {s}?"));
    (
        key_span,
        format!(
            "{written} is not {what} the manifest knows{mean} ({}; see manifests/template.toml)",
            everything()
        ),
    )
}

/// A table written with the wrong brackets (`[module]`, `[[contract]]`), or a key where a
/// table belongs (`module = "x"`).
pub fn wrong_form(name: &str, form: Form) -> String {
    let repeatable = TABLES.iter().any(|(t, r)| *t == name && *r);
    match (repeatable, form) {
        (true, Form::Table) => format!(
            "[{name}] must be written [[{name}]], with two brackets on each side: each entry starts with its own [[{name}]] line"
        ),
        (false, Form::ArrayOfTables) => format!(
            "[[{name}]] must be written [{name}], with one bracket on each side: the manifest has a single [{name}] table"
        ),
        _ => format!(
            "{name} must be a table: write {} on a line of its own, with its keys on the lines below",
            header(name)
        ),
    }
}

/// The key a value at `span` is given to (`paths` in `paths = "x"`), read from the text before
/// it on its line; `None` inside a list that spans lines.
fn key_before(text: &str, span: &Range<usize>) -> Option<String> {
    let start = line_start(text, span.start);
    let before = &text[start..span.start.min(text.len())];
    let eq = before.rfind('=')?;
    let key = &before[..eq];
    let key = key.rsplit([',', '{']).next().unwrap_or(key).trim();
    let key = key.rsplit('.').next().unwrap_or(key).trim();
    let key = key.trim_matches(|c| c == '"' || c == '\'');
    (!key.is_empty()).then(|| key.to_owned())
}

/// Whether the value at `span` is an item of a list opened on its line (`paths = ["a", 5]`).
fn in_list(text: &str, span: &Range<usize>) -> bool {
    let start = line_start(text, span.start);
    let before = &text[start..span.start.min(text.len())];
    let after_eq = before.rsplit('=').next().unwrap_or(before);
    after_eq.matches('[').count() > after_eq.matches(']').count()
}

/// The text of `span`, as written.
fn value_at<'t>(text: &'t str, span: &Range<usize>) -> &'t str {
    text.get(span.clone()).unwrap_or("").trim()
}

/// serde's `unknown field `x`, expected one of `a`, `b``: the field and the expected ones.
fn unknown_field(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .collect();
    Some((field, expected))
}

/// The table a key belongs to, for a key written in another one (`min-bytes` in `[[module]]`).
fn owner_of(key: &str) -> Option<&'static str> {
    const OWNERS: &[(&str, &str)] = &[
        ("min-bytes", "document"),
        ("min-words", "document"),
        ("min-coverage", "document"),
        ("covers", "document"),
        ("min-tables", "database"),
        ("min-source-files", "module"),
        ("source-extensions", "module"),
    ];
    OWNERS.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
}

/// Say a serde error again in words for people, with the key's name and the value as written.
/// `table` names where the error happened (`[[module]]`, `[build]`, `the top level`).
pub fn rewrite(text: &str, span: Range<usize>, message: &str, table: &str) -> RawProblem {
    let message = message.trim();
    let key = key_before(text, &span);
    let value = value_at(text, &span);
    if let Some((field, expected)) = unknown_field(message) {
        let mean = nearest(field, expected.iter().copied())
            .map(|k| format!(": did you mean {k}?"))
            .or_else(|| {
                owner_of(field).map(|t| format!(": {field} belongs in {}, not {table}", header(t)))
            })
            .unwrap_or_default();
        let takes = if expected.is_empty() {
            String::new()
        } else {
            format!(" ({table} takes {})", expected.join(", "))
        };
        return (
            span,
            format!("{field} is not a key of {table}{mean}{takes}"),
        );
    }
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        let example = match field {
            "schema-version" => "schema-version = 1".to_owned(),
            "paths" | "required-files" | "outputs" => format!("{field} = [\"…\"]"),
            _ => format!("{field} = \"…\""),
        };
        let place = if table == "the top level" {
            "at the top of the manifest".to_owned()
        } else {
            format!("under this {table} line")
        };
        return (
            span,
            format!(
                "{table} needs {field}: add a line {example} {place} (see manifests/template.toml)"
            ),
        );
    }
    let Some(key) = key else {
        return (span, message.to_owned());
    };
    let expected = message.rsplit(", expected ").next().unwrap_or("");
    let text = if message.contains(", expected a sequence") {
        let item = if value.starts_with('"') || value.starts_with('\'') {
            value.to_owned()
        } else {
            format!("{value:?}")
        };
        format!("{key} must be a list: write {key} = [{item}]")
    } else if matches!(
        expected,
        "u64" | "i64" | "u32" | "i32" | "u16" | "u8" | "usize" | "isize"
    ) {
        let unquoted = value.trim_matches('"').trim_matches('\'');
        match unquoted.parse::<u64>() {
            Ok(n) if unquoted != value => {
                format!("{key}: {value} is text, not a whole number: write {key} = {n}")
            }
            _ => format!("{key}: {value} is not a whole number: write a whole number, e.g. 20"),
        }
    } else if expected == "f64" || expected == "f32" {
        format!("{key}: {value} is not a number: write a number, e.g. 3.5")
    } else if expected == "a boolean" {
        format!("{key}: {value} must be true or false: write {key} = true or {key} = false")
    } else if expected == "a string" || expected.starts_with("a string") {
        let inner = value.trim_matches(|c| c == '"' || c == '\'');
        if in_list(text, &span) {
            format!("{key}: {value} must be text in quotes: write {inner:?} in the list")
        } else {
            format!("{key}: {value} must be text in quotes: write {key} = {inner:?}")
        }
    } else {
        format!("{key}: {message}")
    };
    (span, text)
}

/// Punctuation typed with a Chinese input method, with the plain ASCII TOML needs and what to
/// call it in a message.
const WIDE: &[(char, &str, &str, &str)] = &[
    ('“', "\"", "the quotation marks “ ”", "\""),
    ('”', "\"", "the quotation marks “ ”", "\""),
    ('‘', "'", "the quotation marks ‘ ’", "'"),
    ('’', "'", "the quotation marks ‘ ’", "'"),
    ('，', ",", "the comma ，", ","),
    ('：', " =", "the colon ：", "="),
    ('［', "[", "the brackets ［ ］", "[ ]"),
    ('］', "]", "the brackets ［ ］", "[ ]"),
    ('【', "[", "the brackets 【 】", "[ ]"),
    ('】', "]", "the brackets 【 】", "[ ]"),
    ('（', "(", "the parentheses （ ）", "( )"),
    ('）', ")", "the parentheses （ ）", "( )"),
    ('＝', "=", "the equals sign ＝", "="),
    ('\u{3000}', " ", "the wide space (U+3000)", "space"),
];

/// The ASCII replacing a full-width character, its name, and the ASCII shown in the message.
fn wide(c: char) -> Option<(&'static str, &'static str, &'static str)> {
    WIDE.iter()
        .find(|(w, ..)| *w == c)
        .map(|(_, a, n, shown)| (*a, *n, *shown))
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// One line with punctuation typed with a Chinese input method outside its strings: where the
/// first such character is, what was typed, and the line as it should be.
#[derive(Debug, PartialEq, Eq)]
struct WideLine {
    /// Byte offset of the first full-width character.
    at: usize,
    /// What each kind is called, in order of appearance, without repeats.
    names: Vec<&'static str>,
    /// The ASCII characters that replace them, as the message shows them, in the same order.
    ascii: Vec<&'static str>,
    /// The line with them replaced.
    fixed: String,
}

/// Read one line: its full-width punctuation outside strings and comments, and the line with
/// it replaced. A string opened with `“` closes at `”` or `"`; a string opened with `"` whose
/// line ends before it closes, and that holds a `”`, was closed by its last `”`. Lines inside
/// multi-line strings are skipped by the caller.
fn wide_line(line: &str, offset: usize) -> Option<WideLine> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut out = String::new();
    let mut found: Option<WideLine> = None;
    let note = |at: usize, c: char, found: &mut Option<WideLine>| {
        let (ascii, name, shown) = wide(c).expect("a full-width character");
        let w = found.get_or_insert_with(|| WideLine {
            at: offset + at,
            names: Vec::new(),
            ascii: Vec::new(),
            fixed: String::new(),
        });
        if !w.names.contains(&name) {
            w.names.push(name);
            w.ascii.push(shown);
        }
        ascii
    };
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        match c {
            '#' => {
                out.push_str(&line[at..]);
                break;
            }
            '"' | '\'' | '“' | '‘' => {
                let close: &[char] = match c {
                    '"' => &['"'],
                    '\'' => &['\''],
                    '“' => &['”', '"', '“'],
                    _ => &['’', '\'', '‘'],
                };
                if c == '“' || c == '‘' {
                    out.push_str(note(at, c, &mut found));
                } else {
                    out.push(c);
                }
                let mut j = i + 1;
                let mut escaped = false;
                while j < chars.len() {
                    let d = chars[j].1;
                    if c == '"' && !escaped && d == '\\' {
                        escaped = true;
                        j += 1;
                        continue;
                    }
                    if !escaped && close.contains(&d) {
                        break;
                    }
                    escaped = false;
                    j += 1;
                }
                if j >= chars.len() && (c == '"' || c == '\'') {
                    // Unclosed: closed by its last full-width quote, if it holds one.
                    let closer = if c == '"' { '”' } else { '’' };
                    if let Some(k) = (i + 1..chars.len()).rev().find(|&k| chars[k].1 == closer) {
                        j = k;
                    }
                }
                let end = chars.get(j).map_or(line.len(), |(a, _)| *a);
                out.push_str(&line[chars[i].0 + c.len_utf8()..end]);
                if let Some(&(a, d)) = chars.get(j) {
                    if wide(d).is_some() {
                        out.push_str(note(a, d, &mut found));
                    } else {
                        out.push(d);
                    }
                }
                i = j + 1;
                continue;
            }
            c if wide(c).is_some() => {
                let ascii = note(at, c, &mut found);
                // "name：" → "name =": no doubled space before the sign.
                if ascii.starts_with(' ') && out.ends_with(' ') {
                    out.push_str(ascii.trim_start());
                } else {
                    out.push_str(ascii);
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    found.map(|mut w| {
        out.trim_end().clone_into(&mut w.fixed);
        w
    })
}

/// The TOML parser's errors, said again: each line with punctuation typed with a Chinese input
/// method outside its strings is one problem at its first such character, naming them and giving
/// the corrected line; the parser's own errors on those lines are dropped (they are that).
pub fn syntax(text: &str, errors: &[toml::de::Error]) -> Vec<RawProblem> {
    let mut problems = Vec::new();
    let mut wide_lines: Vec<Range<usize>> = Vec::new();
    let mut offset = 0;
    let mut in_multi: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        let range = offset..offset + line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        offset += line.len();
        // Lines inside multi-line strings are content.
        if let Some(delim) = in_multi {
            if body.matches(delim).count() % 2 == 1 {
                in_multi = None;
            }
            continue;
        }
        let code = body.split('#').next().unwrap_or(body);
        for delim in ["\"\"\"", "'''"] {
            if code.matches(delim).count() % 2 == 1 {
                in_multi = Some(delim);
            }
        }
        if in_multi.is_some() {
            continue;
        }
        if let Some(w) = wide_line(body, range.start) {
            let names = and_list(&w.names);
            let plural = w.names.len() > 1
                || ["quotation", "brackets", "parentheses"]
                    .iter()
                    .any(|p| names.contains(p));
            let verb = if plural { "were" } else { "was" };
            let needs = and_list(&w.ascii);
            problems.push((
                w.at..w.at + 1,
                format!(
                    "{names} {verb} typed with a Chinese input method; TOML needs the plain ASCII {needs}: write {}",
                    w.fixed.trim()
                ),
            ));
            wide_lines.push(range);
        }
    }
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        if wide_lines.iter().any(|r| r.contains(&span.start)) {
            continue;
        }
        let message = e.message().trim();
        // `[module]` after a `[[module]]` (or the reverse) is a "duplicate key" to the parser.
        let name = text.get(span.clone()).unwrap_or("").trim();
        let form = form_at(text, span.start);
        let wrong = message.starts_with("duplicate key")
            && form != Form::Key
            && TABLES
                .iter()
                .any(|(t, repeatable)| *t == name && (*repeatable == (form == Form::Table)));
        if wrong {
            problems.push((span, wrong_form(name, form)));
        } else {
            problems.push((span, message.to_owned()));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_names() {
        let keys = ["id", "name", "paths", "required-files", "min-bytes"];
        assert_eq!(nearest("min_bytes", keys), Some("min-bytes"));
        assert_eq!(nearest("minbytes", keys), Some("min-bytes"));
        assert_eq!(nearest("path", keys), Some("paths"));
        assert_eq!(nearest("colour", keys), None);
        let tables = TABLES.iter().map(|(t, _)| *t);
        assert_eq!(nearest("modules", tables.clone()), Some("module"));
        assert_eq!(nearest("doc", tables.clone()), Some("document"));
        assert_eq!(nearest("documents", tables), Some("document"));
    }

    #[test]
    fn wide_lines_are_fixed() {
        let w = wide_line("name = “门诊管理”", 0).unwrap();
        assert_eq!(w.fixed, "name = \"门诊管理\"");
        assert_eq!(w.names, ["the quotation marks “ ”"]);
        assert_eq!(w.at, "name = ".len());
        // A full-width comma inside a correctly quoted string is content.
        assert_eq!(wide_line("name = \"门诊，管理\" # 注释：", 0), None);
        let w = wide_line("paths = [\"a/**\"，\"b/**\"]", 0).unwrap();
        assert_eq!(w.fixed, "paths = [\"a/**\",\"b/**\"]");
        let w = wide_line("name = \"门诊管理”", 0).unwrap();
        assert_eq!(w.fixed, "name = \"门诊管理\"");
        let w = wide_line("name：\"x\"", 0).unwrap();
        assert_eq!(w.fixed, "name =\"x\"");
        let w = wide_line("【【module】】", 0).unwrap();
        assert_eq!(w.fixed, "[[module]]");
        let w = wide_line("id\u{3000}= \"a\"", 0).unwrap();
        assert_eq!(w.fixed, "id = \"a\"");
    }
}
