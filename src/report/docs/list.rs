//! `list`: every snapshot in the vault.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use unicode_width::UnicodeWidthStr;

use super::{LedgerRecord, pick, short, verdict_word};
use crate::checks::human_bytes;
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
