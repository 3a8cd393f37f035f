//! Helpers for the printable pages of the vault documents (deposit, show, diff, audit, list,
//! init, restore): numbered headings, the footer, sizes, verdict words and the findings
//! summary, so that every vault page words them the same way.

use std::collections::BTreeMap;

use super::pick;
use crate::checks::human_bytes;
use crate::finding::{Finding, Severity};
use crate::report::page::{Block, Page, Table, Text, Tone};
use crate::report::{Lang, Report, Totals, Verdict, cst_time};

pub(crate) use crate::report::page::Chapters;

/// The version of this escrow, for pages whose document does not record one.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The page's small print: `escrow VERSION · 生成于 TIME（UTC+8 北京时间）`, or without the time
/// when the document has none (pages stay the same for the same input).
pub(crate) fn footer(lang: Lang, version: &str, time: Option<&str>) -> String {
    match (time, lang) {
        (Some(t), Lang::En) => format!("escrow {version} · made {}", cst_time(t, lang)),
        (Some(t), Lang::Zh) => format!("escrow {version} · 生成于 {}", cst_time(t, lang)),
        (None, _) => format!("escrow {version}"),
    }
}

/// `12345 bytes (12.1 KiB)` / `12345 字节（12.1 KiB）`.
pub(crate) fn size_text(bytes: u64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{bytes} bytes ({})", human_bytes(bytes)),
        Lang::Zh => format!("{bytes} 字节（{}）", human_bytes(bytes)),
    }
}

/// A check verdict in words, with its tone: `PASS`/`通过` good, `FAIL`/`不通过` bad.
pub(crate) fn verdict_text(v: Verdict, lang: Lang) -> Text {
    match v {
        Verdict::Pass => Text::toned(pick(lang, "PASS", "通过"), Tone::Good),
        Verdict::Fail => Text::toned(pick(lang, "FAIL", "不通过"), Tone::Bad),
    }
}

/// A ledger verdict word (`pass`/`fail`) in words, with its tone.
pub(crate) fn ledger_verdict_text(verdict: &str, lang: Lang) -> Text {
    match verdict {
        "pass" => verdict_text(Verdict::Pass, lang),
        "fail" => verdict_text(Verdict::Fail, lang),
        other => Text::plain(other),
    }
}

/// The report's counts in one sentence.
pub(crate) fn totals_text(t: &Totals, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{} requirements: {} met, {} unmet; findings: {} deny, {} warn, {} info",
            t.requirements, t.met, t.unmet, t.deny, t.warn, t.info
        ),
        Lang::Zh => format!(
            "共 {} 项要求：{} 项满足，{} 项未满足；问题：拒绝级 {} 个，警告 {} 个，提示 {} 个",
            t.requirements, t.met, t.unmet, t.deny, t.warn, t.info
        ),
    }
}

/// A severity for people, with its tone.
pub(crate) fn severity_text(s: Severity, lang: Lang) -> Text {
    match s {
        Severity::Deny => Text::toned(pick(lang, "deny", "拒绝级"), Tone::Bad),
        Severity::Warn => Text::toned(pick(lang, "warn", "警告"), Tone::Warn),
        Severity::Info => Text::plain(pick(lang, "info", "提示")),
    }
}

/// The severities, most severe first.
pub(crate) const SEVERITIES: [Severity; 3] = [Severity::Deny, Severity::Warn, Severity::Info];

/// One row of the findings summary: a code, its severity, how many, how many new.
struct CodeCount {
    severity: Severity,
    count: u64,
    new: u64,
}

/// The report's findings summarised by code (code, level, count, of which new), most severe
/// first then by count, at most `cap` rows with a note naming the rest and `where_all` (the
/// command that lists them all). `None` when there are no findings (no empty table).
pub(crate) fn findings_by_code(
    findings: &[Finding],
    lang: Lang,
    cap: usize,
    where_all: &str,
) -> Option<Block> {
    if findings.is_empty() {
        return None;
    }
    let mut by: BTreeMap<&str, CodeCount> = BTreeMap::new();
    for f in findings {
        let c = by.entry(f.code.as_str()).or_insert(CodeCount {
            severity: f.severity,
            count: 0,
            new: 0,
        });
        c.severity = c.severity.max(f.severity);
        c.count += 1;
        c.new += u64::from(f.new == Some(true));
    }
    let mut rows: Vec<(&str, CodeCount)> = by.into_iter().collect();
    rows.sort_by(|a, b| {
        b.1.severity
            .cmp(&a.1.severity)
            .then(b.1.count.cmp(&a.1.count))
            .then(a.0.cmp(b.0))
    });
    let total = rows.len();
    let marked = findings.iter().any(|f| f.new.is_some());
    let mut header = vec![
        pick(lang, "Kind of finding", "问题类型").to_owned(),
        pick(lang, "Level", "级别").to_owned(),
        pick(lang, "Findings", "数量").to_owned(),
    ];
    if marked {
        header.push(pick(lang, "Of which new", "其中新增").to_owned());
    }
    let body = rows
        .iter()
        .take(cap)
        .map(|(code, c)| {
            let mut row = vec![
                Text::plain(kind_of(code, lang)),
                severity_text(c.severity, lang),
                Text::plain(c.count.to_string()),
            ];
            if marked {
                row.push(Text::plain(c.new.to_string()));
            }
            row
        })
        .collect();
    let note = (total > cap).then(|| match lang {
        Lang::En => format!(
            "{cap} of {total} codes shown, the most severe first; {where_all} lists every finding."
        ),
        Lang::Zh => format!("仅列出 {total} 类中最严重的 {cap} 类；{where_all} 列出全部问题。"),
    });
    Some(Block::Table(Table {
        caption: None,
        widths: if marked {
            vec![4, 2, 2, 2]
        } else {
            vec![4, 2, 2]
        },
        header,
        rows: body,
        note,
    }))
}

/// The check outcome of a stored report as a field value: the verdict word and the counts.
pub(crate) fn check_text(report: &Report, lang: Lang) -> Text {
    let v = verdict_text(report.verdict, lang);
    let sep = pick(lang, " — ", "——");
    Text {
        text: format!("{}{sep}{}", v.text, totals_text(&report.totals, lang)),
        ..v
    }
}

/// Where the delivery came from: its kind and path, and the archive's digest or the commit.
pub(crate) fn source_text(s: &super::SourceInfo, lang: Lang) -> Text {
    let kind = match (lang, s.kind.as_str()) {
        (Lang::Zh, "dir") => "文件夹",
        (Lang::Zh, "archive") => "压缩包",
        (Lang::Zh, "git") => "Git 仓库",
        (_, k) => k,
    };
    let mut text = format!("{kind} {}", s.path);
    if let Some(sha) = &s.sha256 {
        text.push_str(&format!(" (sha256 {sha})"));
    }
    if let Some(c) = &s.commit {
        text.push_str(&format!(" (commit {c})"));
    }
    Text::mono(text)
}

/// A note saying how many more lines or rows were left out, and where they are.
pub(crate) fn more_note(lang: Lang, shown: usize, total: usize, where_all: &str) -> String {
    match lang {
        Lang::En => format!("The first {shown} of {total} are shown; {where_all} gives them all."),
        Lang::Zh => format!("共 {total} 项，仅列出前 {shown} 项；{where_all} 给出全部。"),
    }
}

/// Test helpers for the vault pages: a report from a few findings, and a page's text.
#[cfg(test)]
pub(crate) mod testing {
    use crate::report::Report;
    use crate::report::page::{Block, Page, Table};

    /// A passing check report of a three-file delivery, with `findings` (JSON objects).
    pub(crate) fn report(findings: &str, contract: bool) -> Report {
        let contract = if contract {
            r#"{"id":"HT-2026-018","title":"朝阳医院 HIS","client":"朝阳医院","vendor":"某某软件公司"}"#
        } else {
            r#"{"id":null,"title":null,"client":null,"vendor":null}"#
        };
        let json = format!(
            r#"{{"schema_version":1,"tool":{{"name":"escrow","version":"9.8.7"}},
            "generated_at":"2026-03-10T17:30:00Z","verdict":"pass","contract":{contract},
            "manifest":{{"path":"manifests/chaoyang-his.toml","sha256":"{m}"}},
            "delivery":{{"path":"his","source":{{"kind":"dir","path":"his"}},"files":3,
            "bytes":12345,"directories":1,"symlinks":0,"special":0,"digest":"{d}",
            "digest_sm3":"{e}"}},
            "requirements":[],"findings":[{findings}],
            "totals":{{"requirements":4,"met":4,"unmet":0,"deny":0,"warn":2,"info":1}}}}"#,
            m = "ab".repeat(32),
            d = "cd".repeat(32),
            e = "e".repeat(64),
        );
        serde_json::from_str(&json).expect("a report")
    }

    /// A finding of `code` at `severity`, new or not.
    pub(crate) fn finding(code: &str, severity: &str, new: Option<bool>) -> String {
        let new = new.map(|n| format!(r#","new":{n}"#)).unwrap_or_default();
        format!(
            r#"{{"code":"{code}","severity":"{severity}","requirement":null,"path":"a.txt","line":null,"message":"m","message_zh":"问题"{new}}}"#
        )
    }

    /// Every string of the page, one per line.
    pub(crate) fn text(page: &Page) -> String {
        use crate::report::page::Chart;
        let mut out: Vec<String> = vec![page.title.clone()];
        out.extend(page.subtitle.clone());
        for b in &page.blocks {
            match b {
                Block::Heading { text, .. } => out.push(text.clone()),
                Block::Paragraph(t) => out.push(t.text.clone()),
                Block::Verdict {
                    headline, detail, ..
                } => out.extend([headline.clone(), detail.clone()]),
                Block::Fields(fs) => {
                    for f in fs {
                        out.extend([f.label.clone(), f.value.text.clone()]);
                    }
                }
                Block::Table(t) => {
                    out.extend(t.caption.clone());
                    out.extend(t.header.clone());
                    for r in &t.rows {
                        out.extend(r.iter().map(|c| c.text.clone()));
                    }
                    out.extend(t.note.clone());
                }
                Block::List { items, .. } => out.extend(items.iter().map(|i| i.text.clone())),
                Block::Chart(Chart::Bars {
                    title,
                    legend,
                    rows,
                }) => {
                    out.push(title.clone());
                    out.extend(legend.iter().map(|l| l.0.clone()));
                    out.extend(rows.iter().map(|r| r.label.clone()));
                }
                Block::Chart(Chart::Timeline { title, marks, .. }) => {
                    out.push(title.clone());
                    out.extend(marks.iter().map(|m| m.label.clone()));
                }
                Block::Signatures(sigs) => {
                    for s in sigs {
                        out.push(s.role.clone());
                        out.extend(s.name.clone());
                        out.extend(s.lines.clone());
                    }
                }
                Block::Code(c) => out.push(c.clone()),
            }
        }
        out.push(page.footer.clone());
        out.join("\n")
    }

    /// The page's headings, in order.
    pub(crate) fn headings(page: &Page) -> Vec<String> {
        page.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    /// The page's tables; each must have rows as wide as its header.
    pub(crate) fn tables(page: &Page) -> Vec<&Table> {
        let t: Vec<&Table> = page
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect();
        for table in &t {
            assert!(!table.rows.is_empty(), "no empty table: {:?}", table.header);
            for r in &table.rows {
                assert_eq!(r.len(), table.header.len(), "{:?}", table.header);
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_are_numbered_in_each_language() {
        let mut p = Page::new(Lang::Zh, "t");
        let mut c = Chapters::new(Lang::Zh);
        c.next(&mut p, "A", "甲");
        c.next(&mut p, "B", "乙");
        let mut e = Page::new(Lang::En, "t");
        let mut c = Chapters::new(Lang::En);
        c.next(&mut e, "A", "甲");
        c.next(&mut e, "B", "乙");
        let texts = |p: &Page| -> Vec<String> {
            p.blocks
                .iter()
                .filter_map(|b| match b {
                    Block::Heading { text, .. } => Some(text.clone()),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(texts(&p), ["一、甲", "二、乙"]);
        assert_eq!(texts(&e), ["1. A", "2. B"]);
    }

    #[test]
    fn footer_gives_china_standard_time_or_no_time() {
        assert_eq!(
            footer(Lang::Zh, "1.0", Some("2026-03-10T17:30:00Z")),
            "escrow 1.0 · 生成于 2026-03-11 01:30（UTC+8 北京时间）"
        );
        assert_eq!(footer(Lang::En, "1.0", None), "escrow 1.0");
    }

    fn finding(code: &str, severity: Severity, new: Option<bool>) -> Finding {
        Finding {
            code: code.to_owned(),
            severity,
            requirement: None,
            path: None,
            line: None,
            message: String::new(),
            message_zh: String::new(),
            evidence: Vec::new(),
            rule: None,
            covers: Vec::new(),
            fingerprint: None,
            locations: Vec::new(),
            paths: Vec::new(),
            new,
        }
    }

    #[test]
    fn findings_are_summarised_by_code_and_capped_with_a_note() {
        assert!(findings_by_code(&[], Lang::En, 5, "x").is_none());
        let fs = vec![
            finding("b-info", Severity::Info, Some(false)),
            finding("a-deny", Severity::Deny, Some(true)),
            finding("b-info", Severity::Info, Some(true)),
            finding("c-warn", Severity::Warn, Some(false)),
        ];
        let Some(Block::Table(t)) = findings_by_code(&fs, Lang::Zh, 2, "`escrow show`") else {
            panic!("a table")
        };
        assert_eq!(t.header, ["问题类型", "级别", "数量", "其中新增"]);
        let cells: Vec<Vec<&str>> = t
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(
            cells,
            [["a-deny", "拒绝级", "1", "1"], ["c-warn", "警告", "1", "0"]]
        );
        assert_eq!(t.rows[0][1].tone, Tone::Bad);
        let note = t.note.expect("the cap is said");
        assert!(
            note.contains("3 类") && note.contains("`escrow show`"),
            "{note}"
        );
        let Some(Block::Table(all)) = findings_by_code(&fs, Lang::En, 9, "x") else {
            panic!("a table")
        };
        assert_eq!(all.rows.len(), 3);
        assert!(all.note.is_none());
        assert_eq!(all.rows[2][2].text, "2", "b-info twice");
    }
}

/// A finding code as people read it: the first clause of its meaning, then the code
/// (`交付物中没有任何文件匹配该模块的路径（module-missing）`).
pub(crate) fn kind_of(code: &str, lang: Lang) -> String {
    let Some(info) = crate::codes::finding(code) else {
        return code.to_owned();
    };
    let meaning = pick(lang, info.meaning_en, info.meaning_zh);
    let cut = meaning
        .find(['：', '。', ';', '；'])
        .or_else(|| meaning.find(": "))
        .or_else(|| meaning.find(". "))
        .unwrap_or(meaning.len());
    let head = meaning[..cut].trim_end_matches('.');
    match lang {
        Lang::Zh => format!("{head}（{code}）"),
        Lang::En => format!("{head} ({code})"),
    }
}

/// The chapter "findings by kind" of a page about a deposited snapshot: the table of
/// [`findings_by_code`] (at most `cap` kinds, the rest named by `escrow show LABEL --format
/// json`), or a sentence when the check found nothing.
pub(crate) fn findings_chapter(
    page: &mut Page,
    ch: &mut Chapters,
    findings: &[Finding],
    label: &str,
    lang: Lang,
    cap: usize,
) {
    ch.next(page, "Findings by kind", "检查发现的问题（按问题类型汇总）");
    let all = format!("`escrow show {label} --format json`");
    match findings_by_code(findings, lang, cap, &all) {
        Some(table) => page.push(table),
        None => page.para(pick(lang, "The check found nothing.", "检查未发现问题。")),
    };
}
