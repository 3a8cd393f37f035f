//! HTML: one self-contained file per page (inline CSS and SVG, no scripts, nothing fetched),
//! A4 print styles, readable on a phone. Every string of the page is escaped.
//!
//! The file carries a Content Security Policy (`default-src 'none'`: nothing may be loaded,
//! no script may run; only its own inline style and `data:` images), so even a browser that
//! met a string this renderer failed to escape would fetch nothing. Print rules follow what
//! Chromium honours when printing (CSS Fragmentation Level 3, CSS Paged Media `size`): the
//! table header repeats on every page (`thead { display: table-header-group }`), rows,
//! verdicts, figures and signatures are not split (`break-inside: avoid`), a heading marked
//! `new_page` starts a page (`break-before: page`). Chinese text is set in Noto/Source Han
//! Serif SC, falling back to SimSun (Windows) and Songti SC (macOS); headings in the sans
//! families.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::svg;
use crate::report::page::{Block, Field, Page, Signatory, Table, Text, Tone};

/// The page's style sheet (no external reference: no `url()`, no `@import`).
const STYLE: &str = r#"
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
html { font: 10.5pt/1.6 "Noto Serif CJK SC","Source Han Serif SC","SimSun","Songti SC",serif; color: #1f2328; background: #fff; -webkit-print-color-adjust: exact; print-color-adjust: exact; -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; }
main { max-width: 180mm; margin: 0 auto; padding: 6mm 4mm; }
h1, h2, h3, h4 { font-family: "Noto Sans CJK SC","Source Han Sans SC","SimHei","Microsoft YaHei","PingFang SC",sans-serif; line-height: 1.3; break-after: avoid; page-break-after: avoid; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 2mm; }
h2 { font-size: 14pt; margin: 7mm 0 3mm; border-bottom: .75pt solid #1f2328; padding-bottom: 1mm; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; }
h4 { font-size: 10.5pt; margin: 4mm 0 2mm; }
.new-page { break-before: page; page-break-before: always; }
.subtitle { text-align: center; margin: 0 0 5mm; color: #57606a; }
p, li, td, th, caption, figcaption, .note, .mono, pre { overflow-wrap: anywhere; word-break: normal; }
.mono, pre, code { font-family: "Noto Sans Mono CJK SC","DejaVu Sans Mono",Consolas,"Courier New",monospace; font-size: 9pt; }
.mono { unicode-bidi: isolate; }
.good { color: #116329; } .warn { color: #7d4e00; } .bad { color: #a40e26; }
.scroll { overflow-x: auto; margin: 3mm 0; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 1.5mm; }
th, td { border: .5pt solid #57606a; padding: 1.2mm 2mm; text-align: left; vertical-align: top; unicode-bidi: isolate; }
thead th { background: #eaeef2; }
thead { display: table-header-group; }
tfoot { display: table-footer-group; }
tr, .verdict, .signatures, figure, pre { break-inside: avoid; page-break-inside: avoid; }
.note { font-size: 9pt; color: #57606a; margin: 1mm 0 3mm; }
.verdict { border: 1.5pt solid #57606a; padding: 3mm 4mm; margin: 4mm 0; }
.verdict .headline { font-family: "Noto Sans CJK SC","SimHei","Microsoft YaHei",sans-serif; font-size: 14pt; font-weight: bold; margin: 0 0 1.5mm; }
.verdict p { margin: 0; }
.verdict.good { border-color: #116329; background: #e6f4ea; }
.verdict.warn { border-color: #7d4e00; background: #fff4d6; border-style: dashed; }
.verdict.bad { border-color: #a40e26; background: #fde7e9; border-width: 2.5pt; }
.verdict.good, .verdict.warn, .verdict.bad { color: #1f2328; }
table.fields th { width: 28%; background: #f6f8fa; font-weight: bold; }
table.fields td.blank { height: 9mm; }
figure { margin: 4mm 0; }
figcaption { font-weight: bold; margin-bottom: 1.5mm; }
svg.chart { max-width: 100%; height: auto; }
table.signatures { margin-top: 8mm; }
table.signatures th, table.signatures td { border: none; padding: 1mm 3mm 1mm 0; }
table.signatures td.line { height: 12mm; vertical-align: bottom; border-bottom: .75pt solid #1f2328; }
table.signatures tr.gap td { border: none; height: 2mm; }
pre { white-space: pre-wrap; background: #f6f8fa; border: .5pt solid #d0d7de; padding: 2mm 3mm; margin: 3mm 0; }
footer { margin-top: 8mm; border-top: .5pt solid #8c959f; padding-top: 2mm; font-size: 8.5pt; color: #57606a; }
@media screen and (max-width: 640px) {
  html { font-size: 11pt; }
  main { padding: 3mm 3mm; }
  table.wide { min-width: 150mm; }
}
@media print {
  main { max-width: none; padding: 0; }
  .scroll { overflow: visible; }
  table.wide { min-width: 0; }
}
"#;

/// The Content Security Policy every page carries: nothing loaded, no script.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// `s` with every character that could change what is shown written out as a visible
/// `\u{…}` escape: C0 and C1 controls except newline and tab, DEL, the bidirectional
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069; `text::terminal_safe`)
/// and the bidirectional marks U+200E, U+200F and U+061C. Pages arrive terminal-safe already;
/// this holds when one does not.
pub(super) fn visible(s: &str) -> Cow<'_, str> {
    let mark = |c: char| matches!(c, '\u{200e}' | '\u{200f}' | '\u{61c}');
    let safe = crate::text::terminal_safe(s);
    if !safe.chars().any(mark) {
        return safe;
    }
    let mut out = String::with_capacity(safe.len() + 8);
    for c in safe.chars() {
        if mark(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` made visible ([`visible`]) and escaped for HTML text and attribute values (`&`, `<`,
/// `>`, `"`, `'`).
pub(super) fn esc(s: &str) -> String {
    quick_xml::escape::escape(visible(s).as_ref()).into_owned()
}

/// Escaped, with each newline written as `<br>`.
fn esc_lines(s: &str) -> String {
    esc(s).replace('\n', "<br>")
}

fn tone_class(tone: Tone) -> Option<&'static str> {
    match tone {
        Tone::Plain => None,
        Tone::Good => Some("good"),
        Tone::Warn => Some("warn"),
        Tone::Bad => Some("bad"),
    }
}

/// The page as one HTML document (UTF-8).
pub fn render(page: &Page) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n",
        lang = esc(page.lang),
        csp = esc(CSP),
    );
    if let Some(at) = &page.generated_at {
        let _ = writeln!(
            out,
            "<meta name=\"dcterms.created\" content=\"{}\">",
            esc(at)
        );
    }
    let _ = write!(
        out,
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<header>\n<h1>{}</h1>\n",
        esc(&page.title),
        esc_lines(&page.title)
    );
    if let Some(sub) = &page.subtitle {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", esc_lines(sub));
    }
    out.push_str("</header>\n");
    for block in &page.blocks {
        block_html(block, page.lang, &mut out);
    }
    if !page.footer.is_empty() {
        let _ = writeln!(out, "<footer><p>{}</p></footer>", esc_lines(&page.footer));
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn block_html(block: &Block, lang: &str, out: &mut String) {
    match block {
        Block::Heading {
            level,
            text,
            new_page,
        } => {
            let h = (*level).clamp(1, 3) + 1;
            let class = if *new_page { " class=\"new-page\"" } else { "" };
            let _ = writeln!(out, "<h{h}{class}>{}</h{h}>", esc_lines(text));
        }
        Block::Paragraph(t) => {
            out.push_str("<p>");
            text_html(t, out);
            out.push_str("</p>\n");
        }
        Block::Verdict {
            headline,
            detail,
            tone,
        } => verdict(headline, detail, *tone, out),
        Block::Fields(fields) => fields_html(fields, out),
        Block::Table(table) => table_html(table, out),
        Block::List { ordered, items } => {
            let tag = if *ordered { "ol" } else { "ul" };
            let _ = writeln!(out, "<{tag}>");
            for item in items {
                out.push_str("<li>");
                text_html(item, out);
                out.push_str("</li>\n");
            }
            let _ = writeln!(out, "</{tag}>");
        }
        Block::Chart(chart) => {
            let title = match chart {
                crate::report::page::Chart::Bars { title, .. }
                | crate::report::page::Chart::Timeline { title, .. } => title,
            };
            let _ = writeln!(
                out,
                "<figure>\n<figcaption>{}</figcaption>\n{}\n</figure>",
                esc_lines(title),
                svg::chart(chart, lang)
            );
        }
        Block::Signatures(parties) => signatures(parties, out),
        Block::Code(code) => {
            let _ = writeln!(out, "<pre><code>{}</code></pre>", esc(code));
        }
    }
}

/// A run of text: `<strong>` when strong, a `<span>` with its tone and `mono` classes.
fn text_html(t: &Text, out: &mut String) {
    let classes: Vec<&str> = t
        .mono
        .then_some("mono")
        .into_iter()
        .chain(tone_class(t.tone))
        .collect();
    if t.strong {
        out.push_str("<strong>");
    }
    if !classes.is_empty() {
        let _ = write!(out, "<span class=\"{}\">", classes.join(" "));
    }
    out.push_str(&esc_lines(&t.text));
    if !classes.is_empty() {
        out.push_str("</span>");
    }
    if t.strong {
        out.push_str("</strong>");
    }
}

/// The verdict box: a bordered block in its tone's colours, headline first. The tone is also
/// given as a sign before the headline (✓, !, ✗), so it does not rest on colour alone.
fn verdict(headline: &str, detail: &str, tone: Tone, out: &mut String) {
    let (class, sign) = match tone {
        Tone::Plain => (String::new(), ""),
        Tone::Good => (" good".to_owned(), "✓ "),
        Tone::Warn => (" warn".to_owned(), "! "),
        Tone::Bad => (" bad".to_owned(), "✗ "),
    };
    let _ = write!(
        out,
        "<section class=\"verdict{class}\">\n<p class=\"headline\">{sign}{}</p>\n",
        esc_lines(headline)
    );
    if !detail.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc_lines(detail));
    }
    out.push_str("</section>\n");
}

/// A form: label in the left column, value in the right; an empty value is a blank, taller
/// cell to fill in by hand.
fn fields_html(fields: &[Field], out: &mut String) {
    out.push_str("<table class=\"fields\">\n<tbody>\n");
    for field in fields {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th>",
            esc_lines(&field.label)
        );
        if field.value.text.is_empty() {
            out.push_str("<td class=\"blank\"></td></tr>\n");
        } else {
            out.push_str("<td>");
            text_html(&field.value, out);
            out.push_str("</td></tr>\n");
        }
    }
    out.push_str("</tbody>\n</table>\n");
}

fn table_html(table: &Table, out: &mut String) {
    let class = if table.header.len() > 3 {
        " class=\"wide\""
    } else {
        ""
    };
    let _ = write!(out, "<div class=\"scroll\">\n<table{class}>\n");
    if let Some(caption) = &table.caption {
        let _ = writeln!(out, "<caption>{}</caption>", esc_lines(caption));
    }
    let total: u32 = table.widths.iter().map(|w| u32::from(*w)).sum();
    if table.widths.len() == table.header.len() && total > 0 {
        out.push_str("<colgroup>");
        for w in &table.widths {
            let pct = f64::from(*w) * 100.0 / f64::from(total);
            let _ = write!(out, "<col style=\"width:{pct:.1}%\">");
        }
        out.push_str("</colgroup>\n");
    }
    out.push_str("<thead><tr>");
    for h in &table.header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc_lines(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str("<td>");
            text_html(cell, out);
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    if let Some(note) = &table.note {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc_lines(note));
    }
}

/// The signature block: a borderless table, one column per party (role, name), then each
/// party's lines to fill in as tall cells ruled underneath.
fn signatures(parties: &[Signatory], out: &mut String) {
    if parties.is_empty() {
        return;
    }
    let width = 100.0 / parties.len() as f64;
    out.push_str("<table class=\"signatures\">\n<colgroup>");
    for _ in parties {
        let _ = write!(out, "<col style=\"width:{width:.1}%\">");
    }
    out.push_str("</colgroup>\n<tbody>\n<tr>");
    for p in parties {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc_lines(&p.role));
    }
    out.push_str("</tr>\n");
    if parties.iter().any(|p| p.name.is_some()) {
        out.push_str("<tr>");
        for p in parties {
            let _ = write!(
                out,
                "<td>{}</td>",
                esc_lines(p.name.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</tr>\n");
    }
    let lines = parties.iter().map(|p| p.lines.len()).max().unwrap_or(0);
    for i in 0..lines {
        out.push_str("<tr>");
        for p in parties {
            match p.lines.get(i) {
                Some(line) => {
                    let _ = write!(out, "<td class=\"line\">{}</td>", esc_lines(line));
                }
                None => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Every reference to something outside the file in an HTML text, outside its text nodes:
/// `src=`, `href=` (also `xlink:href`), `action=`, `srcset=`, `poster=`… whose value is not
/// `data:` or `#…`; `url(` not of `data:`/`#` in a style attribute or the style sheet;
/// `@import`; `<link>`, `<script>`, `<iframe>`, `<object>`, `<embed>`, `<base>` elements; event
/// handlers (`on…=`); `http:`, `https:` or `//` in the style sheet; a refresh. Empty when there
/// is none. The browser tests and the renderer's tests use it to prove a page inert.
pub fn external_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(start) = rest.find('<') {
        let end = tag_end(&rest[start..]).map_or(rest.len(), |e| start + e);
        let tag = &rest[start..end];
        rest = &rest[end..];
        if tag.starts_with("<style") {
            let close = rest.find("</style").unwrap_or(rest.len());
            let sheet = &rest[..close];
            for bad in ["@import", "http:", "https:", "//", "expression("] {
                if sheet.contains(bad) {
                    found.push(format!("style sheet: {bad}"));
                }
            }
            for (i, _) in sheet.match_indices("url(") {
                let arg = sheet[i + 4..].trim_start_matches([' ', '"', '\'']);
                if !(arg.starts_with("data:") || arg.starts_with('#')) {
                    found.push(format!("style sheet: url({})", &arg[..arg.len().min(40)]));
                }
            }
            rest = &rest[close..];
        }
        found.extend(tag_refs(tag));
    }
    found
}

/// The attributes of a tag (`<name a="1" b=2 c>`): names lowercase, values unquoted.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let inner = tag.trim_start_matches('<').trim_end_matches('>');
    let mut chars = inner.chars().peekable();
    while chars.next_if(|c| !c.is_whitespace()).is_some() {}
    let mut attrs = Vec::new();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == '/').is_some() {}
        let mut name = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            name.push(c.to_ascii_lowercase());
        }
        if name.is_empty() {
            return attrs;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(q) => value.extend(chars.by_ref().take_while(|c| *c != q)),
                None => {
                    while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                        value.push(c);
                    }
                }
            }
        }
        attrs.push((name, value));
    }
}

/// What in one tag refers outside the file.
fn tag_refs(tag: &str) -> Vec<String> {
    const ELEMENTS: [&str; 7] = [
        "script", "link", "iframe", "object", "embed", "base", "frame",
    ];
    const URL_ATTRS: [&str; 11] = [
        "src",
        "href",
        "xlink:href",
        "action",
        "formaction",
        "srcset",
        "poster",
        "background",
        "data",
        "ping",
        "cite",
    ];
    let short: String = tag.chars().take(80).collect();
    let name: String = tag[1..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let mut found = Vec::new();
    if ELEMENTS.contains(&name.as_str()) {
        found.push(format!("element <{name}>: {short}"));
    }
    for (attr, value) in attributes(tag) {
        let value = value.trim().to_ascii_lowercase();
        let local = value.starts_with("data:") || value.starts_with('#');
        if attr.starts_with("on") && attr.len() > 2 {
            found.push(format!("event handler {attr}: {short}"));
        } else if URL_ATTRS.contains(&attr.as_str()) && !local {
            found.push(format!("{attr}={value}: {short}"));
        } else if attr == "style"
            && (value.contains("url(")
                || value.contains("@import")
                || value.contains("expression("))
        {
            found.push(format!("style attribute: {short}"));
        } else if attr == "http-equiv" && value == "refresh" {
            found.push(format!("refresh: {short}"));
        }
    }
    found
}

/// Where a tag that starts `s` ends (after its `>`), quotes respected.
fn tag_end(s: &str) -> Option<usize> {
    let mut quoted = None;
    for (i, c) in s.char_indices() {
        match (quoted, c) {
            (None, '"' | '\'') => quoted = Some(c),
            (Some(q), c) if c == q => quoted = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::report::page::{BarRow, Chart, Mark, MarkKind};

    /// A page with every kind of block, in Chinese.
    pub(crate) fn every_block_page() -> Page {
        let mut page = Page::new(crate::report::Lang::Zh, "验收报告");
        page.subtitle = Some("朝阳医院 HIS 项目".into());
        page.footer = "escrow 0.1.0 · 2026-03-10 17:00（UTC+8 北京时间）".into();
        page.generated_at = Some("2026-03-10T09:00:00Z".into());
        page.heading(1, "一、验收结论");
        page.push(Block::Verdict {
            headline: "不通过".into(),
            detail: "标准②未满足：交付物无法构建。".into(),
            tone: Tone::Bad,
        });
        page.para("本报告由托管方出具。");
        page.push(Block::Fields(vec![
            Field::new("项目名称", "朝阳医院 HIS"),
            Field::new("合同编号", Text::mono("CY-2026-001")),
            Field::new("合同日期", ""),
        ]));
        page.push(Block::Table(Table {
            caption: Some("验收标准".into()),
            header: vec!["标准".into(), "结果".into(), "证据".into(), "文件".into()],
            widths: vec![2, 1, 4, 3],
            rows: vec![
                vec![
                    "① 源代码完整性".into(),
                    Text::toned("满足", Tone::Good),
                    "全部模块均有源代码".into(),
                    Text::mono("src/main.rs"),
                ],
                vec![
                    "② 可构建".into(),
                    Text {
                        text: "未满足".into(),
                        tone: Tone::Bad,
                        strong: true,
                        mono: false,
                    },
                    "构建失败".into(),
                    Text::toned("build.log", Tone::Warn),
                ],
            ],
            note: Some("另有 3 项见附录。".into()),
        }));
        page.push(Block::List {
            ordered: true,
            items: vec!["补交数据库脚本".into(), Text::strong("说明构建步骤")],
        });
        page.push(Block::List {
            ordered: false,
            items: vec!["甲方留存".into()],
        });
        page.push(Block::Chart(Chart::Bars {
            title: "各标准要求满足情况".into(),
            legend: vec![("满足".into(), Tone::Good), ("未满足".into(), Tone::Bad)],
            rows: vec![BarRow {
                label: "① 源代码完整性".into(),
                values: vec![4, 1],
            }],
        }));
        page.push(Block::Chart(Chart::Timeline {
            title: "时间线".into(),
            marks: vec![Mark {
                date: "2026-01-05".into(),
                label: "上线".into(),
                kind: MarkKind::Trigger,
                tone: Tone::Plain,
            }],
            today: Some("2026-03-10".into()),
        }));
        page.push(Block::Heading {
            level: 2,
            text: "项目验收单".into(),
            new_page: true,
        });
        page.push(Block::Signatures(vec![
            Signatory {
                role: "甲方（验收方）".into(),
                name: Some("朝阳医院".into()),
                lines: vec!["签字：".into(), "盖章：".into(), "日期：".into()],
            },
            Signatory {
                role: "乙方".into(),
                name: None,
                lines: vec!["签字：".into(), "日期：".into()],
            },
        ]));
        page.push(Block::Code(
            "escrow check . --manifest m.toml\n```x```".into(),
        ));
        page
    }

    /// The same page with every string replaced by `f` of it.
    pub(crate) fn map_strings(page: &Page, f: &dyn Fn(&str) -> String) -> Page {
        let t = |t: &Text| Text {
            text: f(&t.text),
            ..t.clone()
        };
        let blocks = page
            .blocks
            .iter()
            .map(|b| match b {
                Block::Heading {
                    level,
                    text,
                    new_page,
                } => Block::Heading {
                    level: *level,
                    text: f(text),
                    new_page: *new_page,
                },
                Block::Paragraph(x) => Block::Paragraph(t(x)),
                Block::Verdict {
                    headline,
                    detail,
                    tone,
                } => Block::Verdict {
                    headline: f(headline),
                    detail: f(detail),
                    tone: *tone,
                },
                Block::Fields(v) => Block::Fields(
                    v.iter()
                        .map(|x| Field {
                            label: f(&x.label),
                            value: t(&x.value),
                        })
                        .collect(),
                ),
                Block::Table(x) => Block::Table(Table {
                    caption: x.caption.as_deref().map(f),
                    header: x.header.iter().map(|h| f(h)).collect(),
                    widths: x.widths.clone(),
                    rows: x.rows.iter().map(|r| r.iter().map(t).collect()).collect(),
                    note: x.note.as_deref().map(f),
                }),
                Block::List { ordered, items } => Block::List {
                    ordered: *ordered,
                    items: items.iter().map(t).collect(),
                },
                Block::Chart(Chart::Bars {
                    title,
                    legend,
                    rows,
                }) => Block::Chart(Chart::Bars {
                    title: f(title),
                    legend: legend.iter().map(|(n, tone)| (f(n), *tone)).collect(),
                    rows: rows
                        .iter()
                        .map(|r| BarRow {
                            label: f(&r.label),
                            values: r.values.clone(),
                        })
                        .collect(),
                }),
                Block::Chart(Chart::Timeline {
                    title,
                    marks,
                    today,
                }) => Block::Chart(Chart::Timeline {
                    title: f(title),
                    marks: marks
                        .iter()
                        .map(|m| Mark {
                            label: f(&m.label),
                            ..m.clone()
                        })
                        .collect(),
                    today: today.clone(),
                }),
                Block::Signatures(v) => Block::Signatures(
                    v.iter()
                        .map(|s| Signatory {
                            role: f(&s.role),
                            name: s.name.as_deref().map(f),
                            lines: s.lines.iter().map(|l| f(l)).collect(),
                        })
                        .collect(),
                ),
                Block::Code(c) => Block::Code(f(c)),
            })
            .collect();
        Page {
            title: f(&page.title),
            subtitle: page.subtitle.as_deref().map(f),
            running_head: f(&page.running_head),
            lang: page.lang,
            blocks,
            footer: f(&page.footer),
            generated_at: page.generated_at.clone(),
        }
    }

    /// Text a hostile delivery could put in a file name or a vendor's note.
    pub(crate) fn hostile(s: &str) -> String {
        format!(
            "{s}<script>alert(1)</script>\"onload=alert(1) x=\"'&amp;\u{202e}gnp.exe\u{2066}\u{1b}[2J\u{85}|*_[x](javascript:y)# `{}",
            "長".repeat(4000)
        )
    }

    /// The tags of an HTML text with their attribute names, in order (attribute values and
    /// text dropped; the `<style>` sheet skipped).
    pub(crate) fn skeleton(html: &str) -> Vec<String> {
        let mut tags = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let tag_end = tag_end(&rest[start..]).map_or(rest.len(), |e| start + e);
            let tag = &rest[start..tag_end];
            let mut shape = String::new();
            let mut quoted = None;
            for c in tag.chars() {
                match (quoted, c) {
                    (None, '"' | '\'') => quoted = Some(c),
                    (Some(q), c) if c == q => quoted = None,
                    (None, c) => shape.push(c),
                    (Some(_), _) => {}
                }
            }
            tags.push(shape);
            rest = &rest[tag_end..];
            if tag.starts_with("<style") {
                rest = &rest[rest.find("</style>").unwrap_or(0)..];
            }
        }
        tags
    }

    #[test]
    fn a_page_is_one_self_contained_document() {
        let html = render(&every_block_page());
        assert!(html.starts_with(
            "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        ));
        assert!(
            html.contains(
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            )
        );
        assert!(html.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &apos;none&apos;; style-src &apos;unsafe-inline&apos;; img-src data:\">"
        ));
        assert_eq!(html.matches("<style>").count(), 1);
        assert!(!html.to_ascii_lowercase().contains("<script"));
        assert_eq!(super::external_references(&html), Vec::<String>::new());
        assert!(html.contains("<title>验收报告</title>"));
        assert!(html.contains("<meta name=\"dcterms.created\" content=\"2026-03-10T09:00:00Z\">"));
        assert!(html.ends_with("</main>\n</body>\n</html>\n"));
    }

    #[test]
    fn every_block_has_its_element_in_reading_order() {
        let html = render(&every_block_page());
        let order = [
            "<h1>验收报告</h1>",
            "<p class=\"subtitle\">朝阳医院 HIS 项目</p>",
            "<h2>一、验收结论</h2>",
            "<section class=\"verdict bad\">\n<p class=\"headline\">✗ 不通过</p>\n<p>标准②未满足：交付物无法构建。</p>\n</section>",
            "<p>本报告由托管方出具。</p>",
            "<tr><th scope=\"row\">合同编号</th><td><span class=\"mono\">CY-2026-001</span></td></tr>",
            "<tr><th scope=\"row\">合同日期</th><td class=\"blank\"></td></tr>",
            "<table class=\"wide\">\n<caption>验收标准</caption>\n<colgroup><col style=\"width:20.0%\"><col style=\"width:10.0%\"><col style=\"width:40.0%\"><col style=\"width:30.0%\"></colgroup>",
            "<thead><tr><th scope=\"col\">标准</th><th scope=\"col\">结果</th><th scope=\"col\">证据</th><th scope=\"col\">文件</th></tr></thead>",
            "<td><span class=\"good\">满足</span></td>",
            "<td><strong><span class=\"bad\">未满足</span></strong></td>",
            "<td><span class=\"warn\">build.log</span></td>",
            "<p class=\"note\">另有 3 项见附录。</p>",
            "<ol>\n<li>补交数据库脚本</li>\n<li><strong>说明构建步骤</strong></li>\n</ol>",
            "<ul>\n<li>甲方留存</li>\n</ul>",
            "<figure>\n<figcaption>各标准要求满足情况</figcaption>\n<svg class=\"chart\"",
            "<figcaption>时间线</figcaption>\n<svg class=\"chart\"",
            ">今天 2026-03-10</text>",
            "<h3 class=\"new-page\">项目验收单</h3>",
            "<table class=\"signatures\">\n<colgroup><col style=\"width:50.0%\"><col style=\"width:50.0%\"></colgroup>",
            "<tr><th scope=\"col\">甲方（验收方）</th><th scope=\"col\">乙方</th></tr>\n<tr><td>朝阳医院</td><td></td></tr>",
            "<tr><td class=\"line\">签字：</td><td class=\"line\">签字：</td></tr>",
            "<tr><td class=\"line\">盖章：</td><td class=\"line\">日期：</td></tr>",
            "<tr><td class=\"line\">日期：</td><td></td></tr>",
            "<pre><code>escrow check . --manifest m.toml\n```x```</code></pre>",
            "<footer><p>escrow 0.1.0 · 2026-03-10 17:00（UTC+8 北京时间）</p></footer>",
        ];
        let mut at = 0;
        for part in order {
            let found = html[at..]
                .find(part)
                .unwrap_or_else(|| panic!("{part:?} not after byte {at}:\n{html}"));
            at += found + part.len();
        }
    }

    #[test]
    fn the_style_sheet_prints_on_a4_and_reads_on_a_phone() {
        let html = render(&every_block_page());
        for rule in [
            "@page { size: A4;",
            "thead { display: table-header-group; }",
            "tr, .verdict, .signatures, figure, pre { break-inside: avoid;",
            ".new-page { break-before: page;",
            "print-color-adjust: exact;",
            "overflow-wrap: anywhere;",
            "main { max-width: 180mm;",
            "@media screen and (max-width: 640px)",
            "font: 10.5pt/1.6 \"Noto Serif CJK SC\",\"Source Han Serif SC\",\"SimSun\",\"Songti SC\",serif;",
            "font-family: \"Noto Sans CJK SC\",",
        ] {
            assert!(html.contains(rule), "missing {rule}");
        }
    }

    #[test]
    fn every_tone_is_said_in_text_as_well_as_colour() {
        for (tone, class, sign) in [
            (Tone::Good, " good", "✓ "),
            (Tone::Warn, " warn", "! "),
            (Tone::Bad, " bad", "✗ "),
            (Tone::Plain, "", ""),
        ] {
            let mut page = Page::new(crate::report::Lang::En, "t");
            page.push(Block::Verdict {
                headline: "PASS".into(),
                detail: String::new(),
                tone,
            });
            let html = render(&page);
            let expected = format!(
                "<section class=\"verdict{class}\">\n<p class=\"headline\">{sign}PASS</p>\n</section>"
            );
            assert!(html.contains(&expected), "{tone:?}: {html}");
        }
    }

    #[test]
    fn the_same_page_gives_the_same_bytes() {
        let page = every_block_page();
        assert_eq!(render(&page), render(&page.clone()));
    }

    #[test]
    fn hostile_text_stays_text_wherever_it_is() {
        let page = every_block_page();
        let evil = render(&map_strings(&page, &|s| hostile(s)));
        let tame = render(&map_strings(&page, &|s| {
            hostile(s)
                .chars()
                .map(|c| if c == '\n' { c } else { 'x' })
                .collect()
        }));
        // The same tags and attributes as with harmless text: nothing was injected.
        assert_eq!(skeleton(&evil), skeleton(&tame));
        assert_eq!(super::external_references(&evil), Vec::<String>::new());
        let lower = evil.to_ascii_lowercase();
        assert!(!lower.contains("<script") && !lower.contains(" onload="));
        assert!(evil.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt;&quot;onload=alert(1) x=&quot;&apos;&amp;amp;"
        ));
        for raw in ['\u{202e}', '\u{2066}', '\u{1b}', '\u{85}'] {
            assert!(!evil.contains(raw), "{raw:?} written raw");
        }
        assert!(evil.contains("\\u{202e}gnp.exe\\u{2066}\\u{1b}[2J\\u{85}"));
        // The 4,000-character name is there whole in the text (cut only inside charts).
        assert!(evil.contains("<h1>验收报告&lt;script&gt;"));
        assert!(evil.contains(&"長".repeat(4000)));
    }

    #[test]
    fn bidi_marks_and_controls_are_shown_not_obeyed() {
        assert_eq!(
            visible(
                "a\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}\u{61c}\u{0}\u{7f}\u{9b}b\n\tc"
            ),
            "a\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{202e}\\u{2066}\\u{2067}\\u{2068}\\u{2069}\\u{200e}\\u{200f}\\u{61c}\\u{0}\\u{7f}\\u{9b}b\n\tc"
        );
        assert!(matches!(visible("朝阳 ok"), Cow::Borrowed(_)));
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;"
        );
        let mut page = Page::new(crate::report::Lang::En, "t");
        page.para("line one\nline <two>");
        assert!(render(&page).contains("<p>line one<br>line &lt;two&gt;</p>"));
    }

    #[test]
    fn the_scan_finds_every_kind_of_external_reference() {
        let clean = render(&every_block_page());
        for (needle, injected) in [
            ("<main>", "<main><img src=\"http://example.invalid/x.png\">"),
            ("<main>", "<main><a href='https://example.invalid/'>x</a>"),
            (
                "<main>",
                "<main><link rel=stylesheet href=//example.invalid/s.css>",
            ),
            ("<main>", "<main><script>1</script>"),
            ("<main>", "<main><p onclick=\"x()\">x</p>"),
            (
                "<main>",
                "<main><p style=\"background:url(http://example.invalid/b.png)\">x</p>",
            ),
            (
                "<main>",
                "<main><svg><image xlink:href=\"http://example.invalid/i.png\"/></svg>",
            ),
            (
                "<main>",
                "<main><meta http-equiv=\"refresh\" content=\"0;url=x\">",
            ),
            ("@page", "@import url(\"s.css\"); @page"),
            (
                "@page",
                "body { background: url(https://example.invalid/b.png) } @page",
            ),
        ] {
            let html = clean.replacen(needle, injected, 1);
            assert_ne!(
                super::external_references(&html),
                Vec::<String>::new(),
                "missed {injected}"
            );
        }
        let data = clean.replacen(
            "<main>",
            "<main><img src=\"data:image/png;base64,AA==\"><a href=\"#top\">x</a>",
            1,
        );
        assert_eq!(super::external_references(&data), Vec::<String>::new());
    }
}
