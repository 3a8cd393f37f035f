//! Markdown (GitHub-flavoured): the page's content for e-mail and wikis, tables as pipe tables.
//!
//! Every string is plain text, so everything Markdown would read as markup is escaped
//! (CommonMark 0.31 §2.4 backslash escapes, GFM 0.29 tables): emphasis, links and images,
//! code spans, HTML (`<` and `>` become entities, so a tag in a file name stays text), pipes
//! (`\|`, also inside tables), block starts at the head of a line (`#`, `-`, `+`, `=`, `1.`),
//! and URLs are kept from turning into links (`https\://`, `www\.`). A line break inside a
//! table cell becomes a space. Colours do not exist in Markdown: the words say the tone, and
//! the verdict carries the same sign as the HTML (✓, !, ✗).

use std::fmt::Write as _;

use super::html::visible;
use super::svg;
use crate::report::page::{Block, Chart, Field, Page, Signatory, Table, Text, Tone};

/// The page as Markdown.
pub fn render(page: &Page) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = writeln!(out, "# {}", inline(&page.title));
    if let Some(sub) = &page.subtitle {
        let _ = write!(out, "\n{}\n", lines(sub, ""));
    }
    for block in &page.blocks {
        out.push('\n');
        block_md(block, page.lang, &mut out);
    }
    if !page.footer.is_empty() {
        let _ = write!(out, "\n---\n\n{}\n", lines(&page.footer, ""));
    }
    out
}

fn zh(lang: &str) -> bool {
    lang.starts_with("zh")
}

fn block_md(block: &Block, lang: &str, out: &mut String) {
    match block {
        Block::Heading { level, text, .. } => {
            let hashes = "#".repeat(usize::from((*level).clamp(1, 3)) + 1);
            let _ = writeln!(out, "{hashes} {}", inline(text));
        }
        Block::Paragraph(t) => {
            let _ = writeln!(out, "{}", styled(t, ""));
        }
        Block::Verdict {
            headline,
            detail,
            tone,
        } => {
            let sign = match tone {
                Tone::Plain => "",
                Tone::Good => "✓ ",
                Tone::Warn => "! ",
                Tone::Bad => "✗ ",
            };
            let _ = writeln!(out, "> **{sign}{}**", inline(headline.trim()));
            if !detail.is_empty() {
                let _ = writeln!(out, ">\n> {}", lines(detail, "> "));
            }
        }
        Block::Fields(fields) => fields_md(fields, lang, out),
        Block::Table(table) => table_md(table, out),
        Block::List { ordered, items } => {
            for (i, item) in items.iter().enumerate() {
                let marker = if *ordered {
                    format!("{}. ", i + 1)
                } else {
                    "- ".to_owned()
                };
                let indent = " ".repeat(marker.len());
                let _ = writeln!(out, "{marker}{}", styled(item, &indent));
            }
        }
        Block::Chart(chart) => chart_md(chart, lang, out),
        Block::Signatures(parties) => signatures(parties, out),
        Block::Code(code) => {
            let code = visible(code);
            let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            let _ = writeln!(out, "{fence}text\n{}\n{fence}", code.trim_end_matches('\n'));
        }
    }
}

/// `s` with Markdown's inline syntax escaped, on one line (line breaks become spaces).
fn inline(s: &str) -> String {
    let s = visible(s);
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' if entity_follows(&chars[i + 1..]) => out.push_str("&amp;"),
            ':' if chars.get(i + 1..i + 3) == Some(&['/', '/']) => out.push_str("\\:"),
            '.' if i >= 3 && chars[i - 3..i].iter().all(|w| w.eq_ignore_ascii_case(&'w')) => {
                out.push_str("\\.");
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Whether `rest` (what follows a `&`) would make it a character reference (`&amp;`,
/// `&#38;`): letters, digits or `#`, then `;`.
fn entity_follows(rest: &[char]) -> bool {
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    name > 0 && rest.get(name) == Some(&';')
}

/// Escape what would start a block at the head of a line: a list marker (`-`, `+`, `1.`,
/// `1)`), a setext underline (`=`); leading blanks (four make a code block) are dropped.
fn line_start(line: &str) -> String {
    let line = line.trim_start();
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    match line.chars().next() {
        Some('-' | '+' | '=') => format!("\\{line}"),
        Some(_) if digits > 0 && matches!(line[digits..].chars().next(), Some('.' | ')')) => {
            format!("{}\\{}", &line[..digits], &line[digits..])
        }
        _ => line.to_owned(),
    }
}

/// Text of several lines as one block: each line escaped, lines joined by a hard break (`\`
/// at the end of a line) and the next line started with `indent` (list items, quotes).
fn lines(s: &str, indent: &str) -> String {
    s.split('\n')
        .map(|l| line_start(&inline(l)))
        .collect::<Vec<_>>()
        .join(&format!("\\\n{indent}"))
}

/// A text run as a block: bold when strong (tone and fixed width have no Markdown form).
fn styled(t: &Text, indent: &str) -> String {
    let body = lines(t.text.trim(), indent);
    if t.strong && !body.is_empty() {
        format!("**{body}**")
    } else {
        body
    }
}

/// A text run in a table cell: one line, bold when strong.
fn cell(t: &Text) -> String {
    let body = inline(t.text.trim());
    if t.strong && !body.is_empty() {
        format!("**{body}**")
    } else {
        body
    }
}

/// A pipe table: the header, the delimiter row, the rows (each padded or cut to the header's
/// width, since GFM drops extra cells and a missing cell is empty).
fn pipe_table(header: &[String], rows: &[Vec<String>], out: &mut String) {
    let width = header.len().max(1);
    let row = |cells: &[String]| {
        let mut line = String::from("|");
        for i in 0..width {
            let _ = write!(line, " {} |", cells.get(i).map_or("", String::as_str));
        }
        line
    };
    let _ = writeln!(out, "{}", row(header));
    let _ = writeln!(out, "|{}", " --- |".repeat(width));
    for r in rows {
        let _ = writeln!(out, "{}", row(r));
    }
}

fn fields_md(fields: &[Field], lang: &str, out: &mut String) {
    let header = if zh(lang) {
        ["项目", "内容"]
    } else {
        ["Item", "Value"]
    };
    let rows: Vec<Vec<String>> = fields
        .iter()
        .map(|f| vec![inline(&f.label), cell(&f.value)])
        .collect();
    pipe_table(&header.map(str::to_owned), &rows, out);
}

fn table_md(table: &Table, out: &mut String) {
    if let Some(caption) = &table.caption {
        let _ = writeln!(out, "**{}**\n", inline(caption.trim()));
    }
    let header: Vec<String> = table.header.iter().map(|h| inline(h)).collect();
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    pipe_table(&header, &rows, out);
    if let Some(note) = &table.note {
        let _ = write!(out, "\n{}\n", lines(note, ""));
    }
}

/// A chart as the table of its numbers: bars as label × legend counts; a time line as date,
/// kind and label per mark, with today under it.
fn chart_md(chart: &Chart, lang: &str, out: &mut String) {
    match chart {
        Chart::Bars {
            title,
            legend,
            rows,
        } => {
            let _ = writeln!(out, "**{}**\n", inline(title.trim()));
            let first = if zh(lang) { "项目" } else { "Item" };
            let header: Vec<String> = std::iter::once(first.to_owned())
                .chain(legend.iter().map(|(name, _)| inline(name)))
                .collect();
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    std::iter::once(inline(&r.label))
                        .chain(r.values.iter().map(u64::to_string))
                        .collect()
                })
                .collect();
            pipe_table(&header, &rows, out);
        }
        Chart::Timeline {
            title,
            marks,
            today,
        } => {
            let _ = writeln!(out, "**{}**\n", inline(title.trim()));
            let header = if zh(lang) {
                ["日期", "类型", "事项"]
            } else {
                ["Date", "Kind", "Event"]
            };
            let rows: Vec<Vec<String>> = marks
                .iter()
                .map(|m| {
                    vec![
                        inline(&m.date),
                        svg::kind_name(m.kind, lang).to_owned(),
                        inline(&m.label),
                    ]
                })
                .collect();
            pipe_table(&header.map(str::to_owned), &rows, out);
            if let Some(today) = today {
                let word = if zh(lang) { "今天：" } else { "Today: " };
                let _ = write!(out, "\n{word}{}\n", inline(today));
            }
        }
    }
}

/// The signature block as a table: one column per party (role, then name), then each
/// party's lines followed by a blank to write on.
fn signatures(parties: &[Signatory], out: &mut String) {
    if parties.is_empty() {
        return;
    }
    let header: Vec<String> = parties.iter().map(|p| inline(&p.role)).collect();
    let mut rows = Vec::new();
    if parties.iter().any(|p| p.name.is_some()) {
        rows.push(
            parties
                .iter()
                .map(|p| inline(p.name.as_deref().unwrap_or("")))
                .collect(),
        );
    }
    let blank = "\\_".repeat(16);
    let lines = parties.iter().map(|p| p.lines.len()).max().unwrap_or(0);
    for i in 0..lines {
        rows.push(
            parties
                .iter()
                .map(|p| {
                    p.lines
                        .get(i)
                        .map_or_else(String::new, |l| format!("{}{blank}", inline(l)))
                })
                .collect(),
        );
    }
    pipe_table(&header, &rows, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render::html::tests::{every_block_page, hostile, map_strings};

    /// The parts of a Markdown text outside fenced code blocks.
    fn outside_fences(md: &str) -> String {
        let mut out = String::new();
        let mut fence: Option<String> = None;
        for line in md.lines() {
            let ticks: String = line.chars().take_while(|c| *c == '`').collect();
            match &fence {
                Some(f) if line.trim_end() == f => fence = None,
                Some(_) => {}
                None if ticks.len() >= 3 => fence = Some(ticks),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }

    #[test]
    fn every_block_reads_as_github_markdown() {
        let md = render(&every_block_page());
        let expected = [
            "# 验收报告\n\n朝阳医院 HIS 项目\n",
            "\n## 一、验收结论\n",
            "\n> **✗ 不通过**\n>\n> 标准②未满足：交付物无法构建。\n",
            "\n本报告由托管方出具。\n",
            "\n| 项目 | 内容 |\n| --- | --- |\n| 项目名称 | 朝阳医院 HIS |\n| 合同编号 | CY-2026-001 |\n| 合同日期 |  |\n",
            "\n**验收标准**\n\n| 标准 | 结果 | 证据 | 文件 |\n| --- | --- | --- | --- |\n",
            "| ② 可构建 | **未满足** | 构建失败 | build.log |\n",
            "\n另有 3 项见附录。\n",
            "\n1. 补交数据库脚本\n2. **说明构建步骤**\n",
            "\n- 甲方留存\n",
            "\n**各标准要求满足情况**\n\n| 项目 | 满足 | 未满足 |\n| --- | --- | --- |\n| ① 源代码完整性 | 4 | 1 |\n",
            "\n**时间线**\n\n| 日期 | 类型 | 事项 |\n| --- | --- | --- |\n| 2026-01-05 | 起算 | 上线 |\n\n今天：2026-03-10\n",
            "\n### 项目验收单\n",
            "\n| 甲方（验收方） | 乙方 |\n| --- | --- |\n| 朝阳医院 |  |\n",
            "| 签字：\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_ | 签字：\\_",
            "| 日期：\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_ |  |\n",
            "\n````text\nescrow check . --manifest m.toml\n```x```\n````\n",
            "\n---\n\nescrow 0.1.0 · 2026-03-10 17:00（UTC+8 北京时间）\n",
        ];
        let mut at = 0;
        for part in expected {
            let found = md[at..]
                .find(part)
                .unwrap_or_else(|| panic!("{part:?} not after byte {at}:\n{md}"));
            at += found + part.len();
        }
        assert!(md.ends_with("北京时间）\n"));
        assert_eq!(md, render(&every_block_page().clone()));
    }

    #[test]
    fn markup_in_text_stays_text() {
        assert_eq!(
            inline("*a* _b_ [l](http://x) ![i](y) `c` <b>&amp; | \\ # ~~s~~ $m$"),
            "\\*a\\* \\_b\\_ \\[l\\](http\\://x) !\\[i\\](y) \\`c\\` &lt;b&gt;&amp;amp; \\| \\\\ \\# \\~\\~s\\~\\~ \\$m\\$"
        );
        assert_eq!(
            inline("see www.example.com or R&D"),
            "see www\\.example.com or R&D"
        );
        assert_eq!(inline("&lt; &#60; & &x"), "&amp;lt; &amp;\\#60; & &x");
        assert_eq!(inline("a\nb"), "a b");
        assert_eq!(
            lines("- a\n+ b\n1. c\n12) d\n    e\n===", ""),
            "\\- a\\\n\\+ b\\\n1\\. c\\\n12\\) d\\\ne\\\n\\==="
        );
        assert_eq!(inline("x\u{202e}y\u{1b}"), "x\\\\u{202e}y\\\\u{1b}");
    }

    #[test]
    fn table_cells_keep_to_one_line_and_one_column() {
        let mut page = Page::new(crate::report::Lang::En, "t");
        page.push(Block::Table(Table {
            header: vec!["a|b".into(), "c".into()],
            rows: vec![
                vec!["x | y\\".into(), "line\none".into()],
                vec!["short".into()],
            ],
            ..Table::default()
        }));
        let md = render(&page);
        assert!(
            md.contains("| a\\|b | c |\n| --- | --- |\n| x \\| y\\\\ | line one |\n| short |  |\n"),
            "{md}"
        );
        for line in md.lines().filter(|l| l.starts_with('|')) {
            let unescaped = line.match_indices('|').filter(|(i, _)| {
                line[..*i].chars().rev().take_while(|c| *c == '\\').count() % 2 == 0
            });
            assert_eq!(unescaped.count(), 3, "{line}");
        }
    }

    #[test]
    fn a_code_fence_is_longer_than_any_backtick_run_in_it() {
        let mut page = Page::new(crate::report::Lang::En, "t");
        page.push(Block::Code("a ````` b\n``".into()));
        page.push(Block::Code("no ticks".into()));
        let md = render(&page);
        assert!(md.contains("\n``````text\na ````` b\n``\n``````\n"), "{md}");
        assert!(md.contains("\n```text\nno ticks\n```\n"), "{md}");
    }

    #[test]
    fn hostile_text_never_becomes_markup() {
        let md = render(&map_strings(&every_block_page(), &|s| hostile(s)));
        let text = outside_fences(&md);
        assert!(!text.contains('<'), "a raw < outside code blocks");
        for raw in ['\u{202e}', '\u{2066}', '\u{1b}', '\u{85}'] {
            assert!(!md.contains(raw), "{raw:?} written raw");
        }
        assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;\"onload=alert(1) x=\"'&amp;amp;\\\\u{202e}gnp.exe"));
        // Every [ * _ ` | of the text is escaped (tables' own pipes aside).
        for line in text.lines() {
            let body = line.trim_start_matches("| ").trim_end_matches(" |");
            for (i, c) in body.char_indices() {
                if matches!(c, '[' | '_' | '`')
                    || (c == '|' && !body[i..].starts_with("| ") && !body[..i].ends_with(' '))
                {
                    assert!(body[..i].ends_with('\\'), "unescaped {c:?} in {line:.80}");
                }
            }
        }
        assert!(md.contains(&"長".repeat(4000)));
        // The code block holds the hostile text as it is, in a fence longer than its run.
        assert!(md.contains("````text\nescrow check"));
    }
}
