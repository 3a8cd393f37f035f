//! `list`: every snapshot in the vault.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use unicode_width::UnicodeWidthStr;

use super::page_util::{VERSION, footer, ledger_verdict_text};
use super::{LedgerRecord, pick, short, verdict_word};
use crate::checks::human_bytes;
use crate::report::page::{Block, Page, Table, Text};
use crate::report::{Document, HumanStyle, Lang};
use crate::vault::LedgerEntry;

/// The `list` document's schema version.
pub const SCHEMA_VERSION: u32 = 1;
/// The `list` document's name.
pub const DOCUMENT: &str = "list";

/// Every snapshot, in ledger order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListDoc {
    /// The `list` document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `list`.
    pub document: String,
    /// The vault folder.
    pub vault: String,
    /// The ledger's deposit entries (events are not listed).
    pub snapshots: Vec<LedgerRecord>,
}

impl ListDoc {
    /// The document of a vault's snapshots.
    pub fn new(vault: &Path, snapshots: &[LedgerEntry]) -> ListDoc {
        ListDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            vault: vault.display().to_string(),
            snapshots: snapshots.iter().map(LedgerRecord::new).collect(),
        }
    }
}

fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
}

fn pad_left(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(s.width())))
}

/// The deposit time in China Standard Time, without the zone (the column header names it).
fn cst_short(rfc3339: &str) -> String {
    let full = crate::report::cst_time(rfc3339, Lang::En);
    full.split(" (").next().unwrap_or(&full).to_owned()
}

impl Document for ListDoc {
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.snapshots_page(lang))
    }

    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        let lang = style.lang;
        if self.snapshots.is_empty() {
            return match lang {
                Lang::En => writeln!(out, "no snapshots in {}", self.vault),
                Lang::Zh => writeln!(out, "托管库 {} 中还没有快照", self.vault),
            };
        }
        let head = [
            pick(lang, "ID", "快照编号"),
            pick(lang, "LABEL", "标签"),
            pick(lang, "DEPOSITED (UTC+8)", "入库时间（北京时间）"),
            pick(lang, "VERDICT", "结论"),
            pick(lang, "FILES", "文件数"),
            pick(lang, "BYTES", "大小"),
        ];
        let rows: Vec<[String; 6]> = self
            .snapshots
            .iter()
            .map(|e| {
                [
                    short(&e.snapshot).to_owned(),
                    e.label.clone(),
                    cst_short(&e.time),
                    verdict_word(&e.verdict, lang).to_owned(),
                    e.files.to_string(),
                    human_bytes(e.bytes),
                ]
            })
            .collect();
        let w: Vec<usize> = (0..6)
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].width())
                    .chain([head[i].width()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: [&str; 6]| {
            format!(
                "{}  {}  {}  {}  {}  {}",
                pad(cells[0], w[0]),
                pad(cells[1], w[1]),
                pad(cells[2], w[2]),
                pad(cells[3], w[3]),
                pad_left(cells[4], w[4]),
                pad_left(cells[5], w[5])
            )
        };
        writeln!(out, "{}", line(head))?;
        for r in &rows {
            writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]]))?;
        }
        Ok(())
    }
}

impl ListDoc {
    /// The snapshots as a printable page: one row per deposit.
    fn snapshots_page(&self, lang: Lang) -> Page {
        let mut page = Page::new(lang, pick(lang, "Snapshots in the vault", "托管快照清单"));
        page.subtitle = Some(match lang {
            Lang::En => format!("Vault: {}", self.vault),
            Lang::Zh => format!("托管库：{}", self.vault),
        });
        if self.snapshots.is_empty() {
            page.para(pick(
                lang,
                "The vault holds no snapshot yet.",
                "托管库中还没有快照。",
            ));
        } else {
            page.para(match lang {
                Lang::En => format!("{} snapshots, in ledger order.", self.snapshots.len()),
                Lang::Zh => format!("共 {} 个快照，按账本顺序排列。", self.snapshots.len()),
            });
            page.push(Block::Table(self.table(lang)));
        }
        page.footer = footer(lang, VERSION, None);
        page
    }

    fn table(&self, lang: Lang) -> Table {
        Table {
            caption: None,
            header: [
                pick(lang, "Seq", "账本序号"),
                pick(lang, "Label", "标签"),
                pick(lang, "Deposited (UTC+8)", "入库时间（北京时间）"),
                pick(lang, "Check", "检查结论"),
                pick(lang, "Files", "文件数"),
                pick(lang, "Size", "大小"),
                pick(lang, "Snapshot id", "快照编号"),
            ]
            .map(str::to_owned)
            .to_vec(),
            widths: vec![1, 3, 3, 2, 1, 2, 3],
            rows: self
                .snapshots
                .iter()
                .map(|e| {
                    vec![
                        Text::plain(e.seq.to_string()),
                        Text::plain(e.label.clone()),
                        Text::plain(cst_short(&e.time)),
                        ledger_verdict_text(&e.verdict, lang),
                        Text::plain(e.files.to_string()),
                        Text::plain(human_bytes(e.bytes)),
                        Text::mono(short(&e.snapshot)),
                    ]
                })
                .collect(),
            note: Some(
                pick(
                    lang,
                    "Snapshot ids are shortened to 12 digits; `escrow show LABEL` gives the full id and digests.",
                    "快照编号只显示前 12 位；`escrow show 标签` 给出完整编号和摘要。",
                )
                .to_owned(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::docs::page_util::testing::{tables, text};

    fn record(seq: u64, label: &str, verdict: &str) -> LedgerRecord {
        LedgerRecord {
            seq,
            time: "2026-03-10T17:30:00Z".to_owned(),
            event: "deposit".to_owned(),
            snapshot: format!("{seq}").repeat(64),
            snapshot_sm3: String::new(),
            label: label.to_owned(),
            verdict: verdict.to_owned(),
            files: 3,
            bytes: 2048,
            tree_sha256: String::new(),
            tree_sm3: String::new(),
            name: String::new(),
            date: String::new(),
            contract: String::new(),
            answers: Vec::new(),
            target: None,
            reason: String::new(),
            digest: String::new(),
            prev: String::new(),
        }
    }

    #[test]
    fn the_list_page_has_one_row_per_snapshot_with_its_verdict_in_words() {
        let d = ListDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            vault: "v".to_owned(),
            snapshots: vec![record(0, "v1", "pass"), record(2, "v2", "fail")],
        };
        let zh = d.page(Lang::Zh).expect("a page");
        let t = tables(&zh)[0];
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.header[2], "入库时间（北京时间）");
        let row: Vec<&str> = t.rows[1].iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            row,
            [
                "2",
                "v2",
                "2026-03-11 01:30",
                "不通过",
                "3",
                human_bytes(2048).as_str(),
                "222222222222"
            ]
        );
        assert_eq!(t.rows[1][3].tone, crate::report::page::Tone::Bad);
        assert_eq!(t.rows[0][3].text, "通过");
        let en = d.page(Lang::En).unwrap();
        assert_eq!(tables(&en)[0].rows[1][3].text, "FAIL");
        let empty = ListDoc {
            snapshots: Vec::new(),
            ..d
        };
        let page = empty.page(Lang::Zh).unwrap();
        assert!(tables(&page).is_empty());
        assert!(text(&page).contains("还没有快照"));
    }
}
