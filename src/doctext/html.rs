//! HTML text: a small stripper of our own over the decoded text. Tags and comments are
//! dropped, `<script>`, `<style>`, `<template>` and `<svg>` content skipped, block elements
//! end lines, table cells end with a tab, and character references are decoded with the
//! HTML5 entity table of `quick-xml` (already used for OOXML). A full HTML5 parser
//! (`html5ever` through `scraper` or `html2text`) would build a DOM of the whole page for
//! text only; this one is linear, holds no tree, and cannot recurse.

use super::TextSink;

const SKIPPED: &[&str] = &["script", "style", "template", "svg", "noscript", "head"];
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "pre",
    "blockquote",
    "hr",
    "title",
    "header",
    "footer",
];

/// Append the text of the HTML document `html` to `out`.
pub(super) fn strip(html: &str, out: &mut TextSink) {
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let mut text_start = 0;
    while let Some(off) = html.get(i..).and_then(|s| s.find(['<', '&'])) {
        let at = i + off;
        push_text(html.get(text_start..at).unwrap_or_default(), out);
        if out.full() {
            return;
        }
        if html.as_bytes().get(at) == Some(&b'&') {
            let (s, next) = reference(html, at);
            out.push(&s);
            i = next;
        } else {
            i = tag(html, &lower, at, out);
        }
        text_start = i;
    }
    push_text(html.get(text_start..).unwrap_or_default(), out);
}

/// Text between tags, runs of white space folded to one space as browsers show it.
fn push_text(s: &str, out: &mut TextSink) {
    if s.starts_with(|c: char| c.is_ascii_whitespace()) && !out.ends_with_space() {
        out.push_char(' ');
    }
    let mut pieces = 0;
    for (n, piece) in s.split_ascii_whitespace().enumerate() {
        if n > 0 {
            out.push_char(' ');
        }
        out.push(piece);
        pieces += 1;
    }
    if pieces > 0 && s.ends_with(|c: char| c.is_ascii_whitespace()) {
        out.push_char(' ');
    }
}

/// The character reference at `at` ("&amp;", "&#20013;", "&#x4e2d;"), decoded, and where the
/// text after it starts; an `&` that starts none stays as it is.
fn reference(html: &str, at: usize) -> (String, usize) {
    let rest = html.get(at + 1..).unwrap_or_default();
    let end = rest
        .char_indices()
        .take(40)
        .find(|&(_, c)| c == ';' || c == '<' || c == '&' || c.is_whitespace());
    if let Some((len, ';')) = end {
        let name = rest.get(..len).unwrap_or_default();
        let decoded = if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            code.and_then(char::from_u32).map(String::from)
        } else {
            quick_xml::escape::resolve_html5_entity(name).map(str::to_owned)
        };
        if let Some(s) = decoded {
            return (s, at + 1 + len + 1);
        }
    }
    ("&".to_owned(), at + 1)
}

/// Whether an opening tag's inside (lower case, without `<` and `>`) hides its element as a
/// browser renders it: a `hidden` attribute, or an inline style `display: none` or
/// `visibility: hidden`. Text nobody sees documents nothing.
fn is_hidden(inner: &str) -> bool {
    let squeezed: String = inner.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    squeezed.contains("display:none")
        || squeezed.contains("visibility:hidden")
        || inner
            .split_ascii_whitespace()
            .skip(1)
            .any(|a| a == "hidden" || a.starts_with("hidden=") || a == "hidden/")
}

/// Where the element `name` opened just before `after` ends (after its matching end tag,
/// elements of the same name inside counted), in one pass; the end of the text when it is
/// never closed.
fn end_of_element(lower: &str, name: &str, after: usize) -> usize {
    let (open, close) = (format!("<{name}"), format!("</{name}"));
    let mut depth = 1usize;
    let mut i = after;
    while let Some(off) = lower.get(i..).and_then(|s| s.find('<')) {
        let at = i + off;
        let rest = lower.get(at..).unwrap_or_default();
        let boundary = |len: usize| {
            rest.as_bytes()
                .get(len)
                .is_none_or(|b| !b.is_ascii_alphanumeric())
        };
        if rest.starts_with(&close) && boundary(close.len()) {
            depth -= 1;
            if depth == 0 {
                return rest.find('>').map_or(lower.len(), |g| at + g + 1);
            }
        } else if rest.starts_with(&open) && boundary(open.len()) {
            depth += 1;
        }
        i = at + 1;
    }
    lower.len()
}

/// Handle the tag (or comment) at `at`; returns where the text after it starts.
fn tag(html: &str, lower: &str, at: usize, out: &mut TextSink) -> usize {
    let rest = lower.get(at..).unwrap_or_default();
    if rest.starts_with("<!--") {
        return rest.find("-->").map_or(html.len(), |e| at + e + 3);
    }
    let Some(close) = rest.find('>') else {
        return html.len();
    };
    let inner = rest.get(1..close).unwrap_or_default();
    let closing = inner.starts_with('/');
    let name: String = inner
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let after = at + close + 1;
    if !closing && !inner.ends_with('/') && SKIPPED.contains(&name.as_str()) {
        let end_tag = format!("</{name}");
        return lower
            .get(after..)
            .and_then(|s| s.find(&end_tag))
            .and_then(|e| {
                lower
                    .get(after + e..)
                    .and_then(|s| s.find('>'))
                    .map(|g| after + e + g + 1)
            })
            .unwrap_or(html.len());
    }
    if !closing && !inner.ends_with('/') && !name.is_empty() && is_hidden(inner) {
        return end_of_element(lower, &name, after);
    }
    if BLOCKS.contains(&name.as_str()) {
        out.push_char('\n');
    } else if closing && (name == "td" || name == "th") {
        out.push_char('\t');
    }
    after
}
