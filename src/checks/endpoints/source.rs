//! A source file prepared for matching: comments blanked (`code`), and comments plus the
//! contents of string literals blanked (`mask`), both with the byte offsets and line breaks of
//! the original, so that a match in one is a match at the same place in the other and in the
//! file.

use std::collections::HashMap;

/// The comment and string syntax of a language.
#[derive(Debug, Clone, Copy)]
pub(super) struct Syntax {
    /// `//` and `/* */` comments (Java, Kotlin, C#, JavaScript, TypeScript).
    pub slash: bool,
    /// `#` comments (Python).
    pub hash: bool,
    /// Triple-quoted strings (`"""`: Java text blocks, Kotlin raw strings; `'''` too in Python).
    pub triple: bool,
    /// C# verbatim strings `@"…"` (no backslash escapes, `""` for a quote).
    pub verbatim: bool,
    /// JavaScript template literals `` `…` `` (may span lines).
    pub backtick: bool,
}

impl Syntax {
    /// Java and Kotlin.
    pub const JAVA: Syntax = Syntax {
        slash: true,
        hash: false,
        triple: true,
        verbatim: false,
        backtick: false,
    };
    /// C#.
    pub const CSHARP: Syntax = Syntax {
        slash: true,
        hash: false,
        triple: false,
        verbatim: true,
        backtick: false,
    };
    /// JavaScript and TypeScript.
    pub const JS: Syntax = Syntax {
        slash: true,
        hash: false,
        triple: false,
        verbatim: false,
        backtick: true,
    };
    /// Python.
    pub const PYTHON: Syntax = Syntax {
        slash: false,
        hash: true,
        triple: true,
        verbatim: false,
        backtick: false,
    };
}

/// A prepared source file.
pub(super) struct Source {
    /// The text with comments blanked (every byte but `\n` turned into a space).
    pub code: Vec<u8>,
    /// `code` with the contents of string literals blanked too (the quotes kept).
    pub mask: Vec<u8>,
    /// Byte offset of the start of each line.
    lines: Vec<usize>,
}

/// Blank `v[from..to]`, keeping line breaks.
fn blank(v: &mut [u8], from: usize, to: usize) {
    let to = to.min(v.len());
    if from >= to {
        return;
    }
    for x in &mut v[from..to] {
        if *x != b'\n' {
            *x = b' ';
        }
    }
}

impl Source {
    /// Prepare `text` with the comment and string syntax `syn`. Linear in the length.
    pub fn new(text: &str, syn: Syntax) -> Source {
        let b = text.as_bytes();
        let n = b.len();
        let mut code = b.to_vec();
        let mut mask = b.to_vec();
        let mut i = 0;
        while i < n {
            let c = b[i];
            let next = b.get(i + 1).copied();
            if (syn.slash && c == b'/' && next == Some(b'/')) || (syn.hash && c == b'#') {
                let end = memchr::memchr(b'\n', &b[i..]).map_or(n, |p| i + p);
                blank(&mut code, i, end);
                blank(&mut mask, i, end);
                i = end;
            } else if syn.slash && c == b'/' && next == Some(b'*') {
                let end = memchr::memmem::find(b.get(i + 2..).unwrap_or_default(), b"*/")
                    .map_or(n, |p| i + 2 + p + 2);
                blank(&mut code, i, end);
                blank(&mut mask, i, end);
                i = end;
            } else if syn.triple
                && (c == b'"' || (syn.hash && c == b'\''))
                && b[i..].starts_with(&[c, c, c])
            {
                let end = memchr::memmem::find(b.get(i + 3..).unwrap_or_default(), &[c, c, c])
                    .map_or(n, |p| i + 3 + p);
                blank(&mut mask, i + 3, end);
                i = (end + 3).min(n);
            } else if syn.verbatim && c == b'@' && next == Some(b'"') {
                let mut j = i + 2;
                while j < n {
                    if b[j] == b'"' {
                        if b.get(j + 1) == Some(&b'"') {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                blank(&mut mask, i + 2, j);
                i = (j + 1).min(n);
            } else if c == b'"' || c == b'\'' || (syn.backtick && c == b'`') {
                let mut j = i + 1;
                while j < n {
                    let d = b[j];
                    if d == b'\\' {
                        j += 2;
                        continue;
                    }
                    // An unterminated literal ends at the line's end (never in a template).
                    if d == c || (d == b'\n' && c != b'`') {
                        break;
                    }
                    j += 1;
                }
                let j = j.min(n);
                blank(&mut mask, i + 1, j);
                i = if j < n && b[j] == c { j + 1 } else { j };
            } else {
                i += 1;
            }
        }
        let mut lines = vec![0];
        lines.extend(memchr::memchr_iter(b'\n', b).map(|p| p + 1));
        Source { code, mask, lines }
    }

    /// The line (from 1) of byte `offset`.
    pub fn line(&self, offset: usize) -> u32 {
        u32::try_from(self.lines.partition_point(|&s| s <= offset)).unwrap_or(u32::MAX)
    }

    /// The text of `code[from..to]`, lossily decoded.
    pub fn text(&self, from: usize, to: usize) -> String {
        let to = to.min(self.code.len());
        let from = from.min(to);
        String::from_utf8_lossy(&self.code[from..to]).into_owned()
    }

    /// The offset of the bracket closing the one at `open` (`(`, `[` or `{` in `mask`),
    /// looking at most `limit` bytes ahead.
    pub fn closing(&self, open: usize, limit: usize) -> Option<usize> {
        let (o, c) = match self.mask.get(open)? {
            b'(' => (b'(', b')'),
            b'[' => (b'[', b']'),
            b'{' => (b'{', b'}'),
            _ => return None,
        };
        let mut depth = 0usize;
        let end = open.saturating_add(limit).min(self.mask.len());
        for (k, &x) in self.mask[open..end].iter().enumerate() {
            if x == o {
                depth += 1;
            } else if x == c {
                depth -= 1;
                if depth == 0 {
                    return Some(open + k);
                }
            }
        }
        None
    }

    /// Every `{` of `mask` with the offset of its `}` (unbalanced ones left out).
    pub fn brace_pairs(&self) -> HashMap<usize, usize> {
        let mut stack = Vec::new();
        let mut pairs = HashMap::new();
        for (k, &x) in self.mask.iter().enumerate() {
            if x == b'{' {
                stack.push(k);
            } else if x == b'}'
                && let Some(o) = stack.pop()
            {
                pairs.insert(o, k);
            }
        }
        pairs
    }

    /// The first offset from `at` that is not ASCII whitespace.
    pub fn skip_ws(&self, at: usize) -> usize {
        let mut k = at;
        while self.mask.get(k).is_some_and(u8::is_ascii_whitespace) {
            k += 1;
        }
        k
    }
}

/// Split `s` at the top-level occurrences of `sep` (not inside brackets or quotes).
pub(super) fn split_top(s: &str, sep: u8) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 1;
            } else if c == q {
                quote = None;
            }
        } else if matches!(c, b'"' | b'\'' | b'`') {
            quote = Some(c);
        } else if matches!(c, b'(' | b'[' | b'{') {
            depth += 1;
        } else if matches!(c, b')' | b']' | b'}') {
            depth -= 1;
        } else if c == sep && depth == 0 {
            out.push(s.get(start..i).unwrap_or_default());
            start = i + 1;
        }
        i += 1;
    }
    out.push(s.get(start..).unwrap_or_default());
    out
}

/// A named argument `name = value` (or `name: value`): the name and the value.
pub(super) fn named(arg: &str) -> Option<(&str, &str)> {
    let t = arg.trim_start();
    let end = t
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))?;
    if end == 0 || t.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let rest = t[end..].trim_start();
    let rest = rest
        .strip_prefix('=')
        .filter(|r| !r.starts_with('='))
        .or_else(|| rest.strip_prefix(':').filter(|r| !r.starts_with(':')))?;
    Some((&t[..end], rest.trim()))
}

/// The content of a quoted literal (`"…"`, `'…'`, `` `…` ``, C# `@"…"`, Python with `r`/`f`/`u`/`b`
/// prefixes), with `\"`-style escapes undone.
pub(super) fn literal(expr: &str) -> Option<String> {
    let t = expr.trim();
    let t = t.trim_start_matches(['r', 'R', 'f', 'F', 'u', 'U', 'b', 'B', '@', '$']);
    let q = *t.as_bytes().first()?;
    if !matches!(q, b'"' | b'\'' | b'`') || t.len() < 2 || t.as_bytes()[t.len() - 1] != q {
        return None;
    }
    let inner = t.get(1..t.len() - 1)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(d) = chars.next() {
                out.push(d);
            }
        } else if c == char::from(q) {
            // A quote inside: two literals side by side or concatenation we do not follow.
            return None;
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// The string constants a file defines (`static final String API = "/api";`,
/// `const val API = "/api"`, `const string Api = "api";`, `API = "/api"`, `const API = '/api'`):
/// name → value, first definition kept.
pub(super) fn constants(src: &Source) -> HashMap<String, String> {
    static RE: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(
            r#"(?m)\b([A-Za-z_]\w*)[ \t]*(?::[ \t]*[\w.]+[ \t]*)?=[ \t]*(?:"([^"\\\n]*)"|'([^'\\\n]*)')[ \t]*(?:;|\r?$)"#,
        )
        .expect("valid regex")
    });
    let mut out = HashMap::new();
    for c in RE.captures_iter(&src.code).take(10_000) {
        let (Some(name), Some(v)) = (c.get(1), c.get(2).or_else(|| c.get(3))) else {
            continue;
        };
        out.entry(String::from_utf8_lossy(name.as_bytes()).into_owned())
            .or_insert_with(|| String::from_utf8_lossy(v.as_bytes()).into_owned());
    }
    out
}

/// The paths an annotation argument expression gives: a literal, an array of them
/// (`{"/a", "/b"}`, `["/a"]`, `arrayOf("/a")`), or a concatenation (`API + "/x"`) whose names
/// are looked up in `consts` and, when not found, kept as a placeholder `{NAME}`. Any other
/// part is kept as the placeholder `{…}`.
pub(super) fn paths(expr: &str, consts: &HashMap<String, String>) -> Vec<String> {
    let t = expr.trim();
    let t = t
        .strip_prefix("arrayOf")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('(')?.strip_suffix(')'))
        .map(|r| format!("[{r}]"));
    let t = t.as_deref().unwrap_or_else(|| expr.trim());
    let inner = t
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| t.strip_prefix('[').and_then(|r| r.strip_suffix(']')));
    match inner {
        Some(list) => split_top(list, b',')
            .into_iter()
            .filter(|e| !e.trim().is_empty())
            .take(100)
            .map(|e| concat(e, consts))
            .collect(),
        None => vec![concat(t, consts)],
    }
}

/// One path expression: literals and names joined by `+`.
fn concat(expr: &str, consts: &HashMap<String, String>) -> String {
    let mut out = String::new();
    for part in split_top(expr, b'+') {
        let p = part.trim();
        if let Some(l) = literal(p) {
            out.push_str(&l);
        } else {
            let name = p.rsplit('.').next().unwrap_or(p).trim();
            let ident =
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            match consts.get(name) {
                Some(v) if ident => out.push_str(v),
                _ if ident => out.push_str(&format!("{{{name}}}")),
                _ => out.push_str("{…}"),
            }
        }
    }
    out
}

/// `prefix` and `path` joined with one `/`, starting with `/`: ("/api/", "/x") → "/api/x";
/// ("/api", "") → "/api"; ("", "") → "/".
pub(super) fn join(prefix: &str, path: &str) -> String {
    let p = prefix.trim().trim_end_matches('/');
    let s = path.trim().trim_start_matches('/');
    let mut out = String::with_capacity(p.len() + s.len() + 2);
    if !p.is_empty() {
        if !p.starts_with('/') {
            out.push('/');
        }
        out.push_str(p);
    }
    if !s.is_empty() || out.is_empty() {
        out.push('/');
        out.push_str(s);
    }
    out
}
