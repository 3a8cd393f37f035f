//! `audit`: the whole vault re-verified, every problem named with what to do.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::checks::human_bytes;
use crate::report::{Document, HumanStyle, Lang};
use crate::vault::audit::{AuditReport, ProblemLevel as Level};

/// The `audit` document's schema version.
pub const SCHEMA_VERSION: u32 = 1;
/// The `audit` document's name.
pub const DOCUMENT: &str = "audit";

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditLevel {
    /// Harmless: left by an interrupted deposit.
    Note,
    /// Not damage, but something to fix; exit 0.
    Warn,
    /// The vault is damaged; exit 1.
    Error,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditProblem {
    /// How serious it is.
    pub level: AuditLevel,
    /// A stable kebab-case code.
    pub code: String,
    /// The vault file concerned, relative to the vault.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub advice: String,
}

/// The audit of a vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditDoc {
    /// The `audit` document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `audit`.
    pub document: String,
    /// The vault folder.
    pub vault: String,
    /// The number of packs with a readable index.
    pub packs: u64,
    /// The number of objects in those packs whose content was read, decompressed and found
    /// to match its SHA-256.
    pub objects: u64,
    /// Compressed bytes read and verified.
    pub bytes: u64,
    /// Snapshots both on disk and in the ledger.
    pub snapshots: u64,
    /// Ledger entries read before the first problem (all of them in a sound ledger).
    pub ledger_entries: u64,
    /// SHA-256 of the ledger's last line, 64 hex digits.
    pub ledger_head: String,
    /// The ledger's last entry, described for people (absent for an empty ledger).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ledger_last: String,
    /// The ledger head given with `--head` (absent without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// With `--head`, when found: the entries after it, described for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_head: Option<Vec<String>>,
    /// Every problem found, most serious first, then by path.
    pub problems: Vec<AuditProblem>,
    /// `ledger_last` in Chinese.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ledger_last_zh: String,
    /// `after_head` in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_head_zh: Option<Vec<String>>,
}

impl AuditDoc {
    /// The document of an audit; `head` is the ledger head given with `--head`.
    pub fn new(r: &AuditReport, head: Option<&str>) -> AuditDoc {
        AuditDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            vault: r.vault.clone(),
            packs: r.packs,
            objects: r.objects,
            bytes: r.bytes,
            snapshots: r.snapshots,
            ledger_entries: r.ledger_entries,
            ledger_head: r.ledger_head.clone(),
            ledger_last: r.ledger_last.clone(),
            head: head.map(|h| h.trim().to_owned()),
            after_head: r.after_head.clone(),
            ledger_last_zh: r.ledger_last_zh.clone(),
            after_head_zh: r.after_head_zh.clone(),
            problems: r
                .problems
                .iter()
                .map(|p| AuditProblem {
                    level: match p.level {
                        Level::Note => AuditLevel::Note,
                        Level::Warn => AuditLevel::Warn,
                        Level::Error => AuditLevel::Error,
                    },
                    code: p.code.clone(),
                    path: p.path.clone(),
                    message: p.message.clone(),
                    advice: p.advice.clone(),
                })
                .collect(),
        }
    }

    fn count(&self, level: AuditLevel) -> usize {
        self.problems.iter().filter(|p| p.level == level).count()
    }

    /// Problems that mean the vault is damaged.
    pub fn errors(&self) -> usize {
        self.count(AuditLevel::Error)
    }

    /// What was verified, and what `--head` showed.
    fn render_summary(&self, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
        let bytes = human_bytes(self.bytes);
        match lang {
            Lang::En => {
                writeln!(
                    out,
                    "audited {}: {} packs, {} objects ({bytes} compressed), {} snapshots, {} ledger entries",
                    self.vault, self.packs, self.objects, self.snapshots, self.ledger_entries
                )?;
                writeln!(out, "ledger head {}", self.ledger_head)?;
                if !self.ledger_last.is_empty() {
                    writeln!(out, "last ledger entry: {}", self.ledger_last)?;
                }
            }
            Lang::Zh => {
                writeln!(
                    out,
                    "已核验托管库 {}：数据包 {} 个，内容 {} 份（压缩后 {bytes}），快照 {} 个，账本记录 {} 条",
                    self.vault, self.packs, self.objects, self.snapshots, self.ledger_entries
                )?;
                writeln!(out, "账本校验值（ledger head）：{}", self.ledger_head)?;
                if !self.ledger_last.is_empty() {
                    writeln!(out, "账本最后一条记录：{}", self.ledger_last_zh)?;
                }
            }
        }
        match (&self.head, &self.after_head, lang) {
            (None, _, Lang::En) => writeln!(
                out,
                "without --head, an entry removed from the end of the ledger, or an edit of its last entry, cannot be seen: give --head the ledger head you wrote down (in the acceptance record) after the last deposit, golive or payment, not the one printed above"
            ),
            (None, _, Lang::Zh) => writeln!(
                out,
                "未给出 --head：账本末尾被删除的记录、或对最后一条记录的改动无法发现。请用 --head 给出最近一次写入账本（入库、上线、付款、提问、答复等）后抄入验收记录的账本校验值，而不是上面显示的这个"
            ),
            (Some(h), Some(after), Lang::En) if after.is_empty() => writeln!(
                out,
                "--head {h}: found, and it is the last entry's: nothing was removed or edited since it was written down"
            ),
            (Some(h), Some(after), Lang::Zh) if after.is_empty() => writeln!(
                out,
                "--head {h}：已找到，且就是最后一条记录的校验值：抄录之后没有记录被删除或改动"
            ),
            (Some(h), Some(after), _) => {
                match lang {
                    Lang::En => writeln!(
                        out,
                        "--head {h}: found; nothing up to it was removed or edited. {} entries were added after it: check that you know of each:",
                        after.len()
                    )?,
                    Lang::Zh => writeln!(
                        out,
                        "--head {h}：已找到，此前的记录没有被删除或改动。此后又新增了 {} 条记录，请逐条确认都是已知的：",
                        after.len()
                    )?,
                }
                let shown = match lang {
                    Lang::Zh => self.after_head_zh.as_ref().unwrap_or(after),
                    Lang::En => after,
                };
                for a in shown {
                    writeln!(out, "  + {a}")?;
                }
                Ok(())
            }
            (Some(_), None, _) => Ok(()),
        }
    }

    /// Only the problems and, when there are errors, the verdict (`audit --quiet`).
    pub fn render_brief(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        self.render_problems(style.lang, out)?;
        if self.errors() > 0 {
            self.render_verdict(style.lang, out)?;
        }
        Ok(())
    }

    fn render_problems(&self, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
        for p in &self.problems {
            let level = match (lang, p.level) {
                (Lang::En, AuditLevel::Error) => "ERROR",
                (Lang::En, AuditLevel::Warn) => "warn",
                (Lang::En, AuditLevel::Note) => "note",
                (Lang::Zh, AuditLevel::Error) => "错误",
                (Lang::Zh, AuditLevel::Warn) => "警告",
                (Lang::Zh, AuditLevel::Note) => "提示",
            };
            match (lang, crate::codes::lookup(&p.code)) {
                // In Chinese: what the code means and what to do, from the registry; the
                // English detail stays below as evidence for whoever repairs the vault.
                (Lang::Zh, Some(code)) => {
                    writeln!(out, "{level} {} {}：{}", p.code, p.path, code.meaning_zh)?;
                    writeln!(out, "  详情：{}", p.message)?;
                    writeln!(out, "  → {}", code.ask_zh)?;
                }
                _ => {
                    writeln!(out, "{level} {} {}: {}", p.code, p.path, p.message)?;
                    writeln!(out, "  → {}", p.advice)?;
                }
            }
        }
        Ok(())
    }

    fn render_verdict(&self, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
        let (errors, warnings) = (self.errors(), self.count(AuditLevel::Warn));
        let text = match lang {
            Lang::En if errors > 0 => format!("FAIL: {errors} problems; the vault is damaged"),
            Lang::En if warnings > 0 => format!(
                "OK: every object, snapshot and ledger entry verified; {warnings} warnings above"
            ),
            Lang::En => "OK: every object, snapshot and ledger entry verified".to_owned(),
            Lang::Zh if errors > 0 => format!("不通过：发现 {errors} 个问题，托管库已损坏"),
            Lang::Zh if warnings > 0 => {
                format!("通过：所有内容、快照和账本记录均已核验；上面有 {warnings} 个警告")
            }
            Lang::Zh => "通过：所有内容、快照和账本记录均已核验".to_owned(),
        };
        writeln!(out, "{text}")
    }
}

impl Document for AuditDoc {
    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        self.render_summary(style.lang, out)?;
        self.render_problems(style.lang, out)?;
        self.render_verdict(style.lang, out)
    }
}
