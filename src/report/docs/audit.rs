//! `audit`: the whole vault re-verified, every problem named with what to do.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::page_util::{Chapters, VERSION, footer};
use super::pick;
use crate::checks::human_bytes;
use crate::report::page::{Block, Field, Page, Table, Text, Tone};
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
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.audit_page(lang))
    }

    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        self.render_summary(style.lang, out)?;
        self.render_problems(style.lang, out)?;
        self.render_verdict(style.lang, out)
    }
}

impl AuditDoc {
    /// The verdict box: the vault is sound (with or without warnings) or damaged.
    fn verdict_block(&self, lang: Lang) -> Block {
        let (errors, warnings) = (self.errors(), self.count(AuditLevel::Warn));
        let (headline, tone) = match (lang, errors > 0, warnings > 0) {
            (Lang::En, true, _) => ("FAIL — the vault is damaged", Tone::Bad),
            (Lang::En, false, true) => ("PASS — with warnings", Tone::Warn),
            (Lang::En, false, false) => ("PASS — no problem found", Tone::Good),
            (Lang::Zh, true, _) => ("不通过——托管库已损坏", Tone::Bad),
            (Lang::Zh, false, true) => ("通过——有警告", Tone::Warn),
            (Lang::Zh, false, false) => ("通过——未发现问题", Tone::Good),
        };
        let notes = self.count(AuditLevel::Note);
        let detail = match lang {
            Lang::En if errors > 0 => format!(
                "{errors} errors, {warnings} warnings, {notes} notes: see the problems below and what to do about each."
            ),
            Lang::En => format!(
                "Every object, snapshot and ledger entry verified; {warnings} warnings, {notes} notes."
            ),
            Lang::Zh if errors > 0 => format!(
                "错误 {errors} 个，警告 {warnings} 个，提示 {notes} 个：见下面的问题及处理办法。"
            ),
            Lang::Zh => {
                format!("所有内容、快照和账本记录均已核验；警告 {warnings} 个，提示 {notes} 个。")
            }
        };
        Block::Verdict {
            headline: headline.to_owned(),
            detail,
            tone,
        }
    }

    /// What was verified.
    fn scope_fields(&self, lang: Lang) -> Block {
        let mut f = vec![
            Field::new(pick(lang, "Vault", "托管库"), Text::mono(&self.vault)),
            Field::new(pick(lang, "Packs", "数据包"), self.packs.to_string()),
            Field::new(
                pick(lang, "Contents verified", "已核验内容"),
                match lang {
                    Lang::En => {
                        format!("{} ({} compressed)", self.objects, human_bytes(self.bytes))
                    }
                    Lang::Zh => {
                        format!("{} 份（压缩后 {}）", self.objects, human_bytes(self.bytes))
                    }
                },
            ),
            Field::new(pick(lang, "Snapshots", "快照"), self.snapshots.to_string()),
            Field::new(
                pick(lang, "Ledger entries", "账本记录"),
                self.ledger_entries.to_string(),
            ),
            Field::new(
                pick(lang, "Ledger head", "账本校验值（ledger head）"),
                Text::mono(&self.ledger_head),
            ),
        ];
        let last = pick(lang, &self.ledger_last, &self.ledger_last_zh);
        if !last.is_empty() {
            f.push(Field::new(
                pick(lang, "Last ledger entry", "账本最后一条记录"),
                last,
            ));
        }
        if let Some(h) = &self.head {
            f.push(Field::new(
                pick(lang, "--head given", "给出的 --head"),
                Text::mono(h),
            ));
        }
        Block::Fields(f)
    }

    /// What `--head` showed, or why it should be given.
    fn head_text(&self, lang: Lang) -> Text {
        match (&self.after_head, lang) {
            (None, _) if self.head.is_some() => Text::plain(""),
            (None, Lang::En) => Text::toned(
                "Without --head, an entry removed from the end of the ledger, or an edit of its last entry, cannot be seen: give --head the ledger head written down in the acceptance record after the last deposit, go-live or payment.",
                Tone::Warn,
            ),
            (None, Lang::Zh) => Text::toned(
                "未给出 --head：账本末尾被删除的记录、或对最后一条记录的改动无法发现。请用 --head 给出最近一次写入账本后抄入验收记录的账本校验值。",
                Tone::Warn,
            ),
            (Some(after), Lang::En) if after.is_empty() => Text::toned(
                "--head found, and it is the last entry's: nothing was removed or edited since it was written down.",
                Tone::Good,
            ),
            (Some(after), Lang::Zh) if after.is_empty() => Text::toned(
                "--head 已找到，且就是最后一条记录的校验值：抄录之后没有记录被删除或改动。",
                Tone::Good,
            ),
            (Some(after), Lang::En) => Text::toned(
                format!(
                    "--head found; nothing up to it was removed or edited. {} entries were added after it: check that you know of each (listed below).",
                    after.len()
                ),
                Tone::Warn,
            ),
            (Some(after), Lang::Zh) => Text::toned(
                format!(
                    "--head 已找到，此前的记录没有被删除或改动。此后又新增了 {} 条记录，请逐条确认都是已知的（见下）。",
                    after.len()
                ),
                Tone::Warn,
            ),
        }
    }

    /// The problems found, one row each.
    fn problem_table(&self, lang: Lang) -> Table {
        let rows = self
            .problems
            .iter()
            .map(|p| {
                let level = match (p.level, lang) {
                    (AuditLevel::Error, _) => Text::toned(pick(lang, "error", "错误"), Tone::Bad),
                    (AuditLevel::Warn, _) => Text::toned(pick(lang, "warning", "警告"), Tone::Warn),
                    (AuditLevel::Note, _) => Text::plain(pick(lang, "note", "提示")),
                };
                let (what, todo) = match (lang, crate::codes::lookup(&p.code)) {
                    (Lang::Zh, Some(code)) => (
                        format!("{}（详情：{}）", code.meaning_zh, p.message),
                        code.ask_zh.to_owned(),
                    ),
                    _ => (p.message.clone(), p.advice.clone()),
                };
                vec![
                    level,
                    Text::mono(&p.code),
                    Text::plain(what),
                    Text::mono(&p.path),
                    Text::plain(todo),
                ]
            })
            .collect();
        Table {
            caption: None,
            header: [
                pick(lang, "Level", "级别"),
                pick(lang, "Code", "代码"),
                pick(lang, "What is wrong", "问题"),
                pick(lang, "Where", "位置"),
                pick(lang, "What to do", "处理办法"),
            ]
            .map(str::to_owned)
            .to_vec(),
            widths: vec![1, 2, 4, 2, 4],
            rows,
            note: None,
        }
    }

    /// The audit as a printable page.
    fn audit_page(&self, lang: Lang) -> Page {
        let mut page = Page::new(lang, pick(lang, "Vault audit report", "托管库审计报告"));
        page.subtitle = Some(match lang {
            Lang::En => format!("Vault: {}", self.vault),
            Lang::Zh => format!("托管库：{}", self.vault),
        });
        page.push(self.verdict_block(lang));
        let mut ch = Chapters::new(lang);
        ch.next(&mut page, "What was verified", "核验范围");
        page.push(self.scope_fields(lang));
        let head = self.head_text(lang);
        if !head.text.is_empty() {
            page.push(Block::Paragraph(head));
        }
        let after = match lang {
            Lang::Zh => self.after_head_zh.as_ref().or(self.after_head.as_ref()),
            Lang::En => self.after_head.as_ref(),
        };
        if let Some(after) = after.filter(|a| !a.is_empty()) {
            page.push(Block::List {
                ordered: false,
                items: after.iter().map(|a| Text::plain(a.clone())).collect(),
            });
        }
        ch.next(&mut page, "Problems", "发现的问题");
        if self.problems.is_empty() {
            page.push(Block::Paragraph(Text::toned(
                pick(lang, "No problem found.", "未发现问题。"),
                Tone::Good,
            )));
        } else {
            page.para(match lang {
                Lang::En => format!(
                    "{} errors, {} warnings, {} notes.",
                    self.errors(),
                    self.count(AuditLevel::Warn),
                    self.count(AuditLevel::Note)
                ),
                Lang::Zh => format!(
                    "错误 {} 个，警告 {} 个，提示 {} 个。",
                    self.errors(),
                    self.count(AuditLevel::Warn),
                    self.count(AuditLevel::Note)
                ),
            });
            page.push(Block::Table(self.problem_table(lang)));
        }
        page.footer = footer(lang, VERSION, None);
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::docs::page_util::testing::{headings, tables, text};

    fn doc(
        problems: Vec<AuditProblem>,
        head: Option<&str>,
        after: Option<Vec<String>>,
    ) -> AuditDoc {
        AuditDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            vault: "/srv/escrow-vault".to_owned(),
            packs: 2,
            objects: 40,
            bytes: 5000,
            snapshots: 2,
            ledger_entries: 4,
            ledger_head: "7".repeat(64),
            ledger_last: "#3 deposit v2".to_owned(),
            head: head.map(str::to_owned),
            after_head: after.clone(),
            problems,
            ledger_last_zh: "#3 入库 v2".to_owned(),
            after_head_zh: after,
        }
    }

    fn problem(level: AuditLevel, code: &str) -> AuditProblem {
        AuditProblem {
            level,
            code: code.to_owned(),
            path: "packs/p1.pack".to_owned(),
            message: "bad".to_owned(),
            advice: "restore it from a backup".to_owned(),
        }
    }

    #[test]
    fn a_sound_vault_passes_in_words_without_an_empty_table() {
        let d = doc(Vec::new(), None, None);
        let zh = d.page(Lang::Zh).expect("a page");
        assert_eq!(headings(&zh), ["一、核验范围", "二、发现的问题"]);
        let Block::Verdict { headline, tone, .. } = &zh.blocks[0] else {
            panic!("verdict first")
        };
        assert_eq!((headline.as_str(), *tone), ("通过——未发现问题", Tone::Good));
        let t = text(&zh);
        assert!(
            t.contains(&"7".repeat(64))
                && t.contains("未发现问题。")
                && t.contains("未给出 --head")
        );
        assert!(t.contains("#3 入库 v2"));
        assert!(tables(&zh).is_empty());
        let en = d.page(Lang::En).unwrap();
        assert_eq!(headings(&en), ["1. What was verified", "2. Problems"]);
        assert!(text(&en).contains("#3 deposit v2"));
    }

    #[test]
    fn problems_are_tabled_with_what_to_do_and_fail_the_verdict() {
        let d = doc(
            vec![
                problem(AuditLevel::Error, "pack-corrupt"),
                problem(AuditLevel::Warn, "vault-readable"),
            ],
            Some("7777"),
            Some(vec!["#4 golive".to_owned()]),
        );
        let en = d.page(Lang::En).unwrap();
        let Block::Verdict { headline, tone, .. } = &en.blocks[0] else {
            panic!("verdict first")
        };
        assert_eq!(
            (headline.as_str(), *tone),
            ("FAIL — the vault is damaged", Tone::Bad)
        );
        let t = tables(&en)[0];
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][0].text, "error");
        assert_eq!(t.rows[0][4].text, "restore it from a backup");
        let all = text(&en);
        assert!(all.contains("1 errors, 1 warnings, 0 notes") && all.contains("#4 golive"));
        assert!(all.contains("1 entries were added after it"));
        let warn_only = doc(vec![problem(AuditLevel::Warn, "x")], None, None);
        let Block::Verdict { tone, .. } = &warn_only.page(Lang::Zh).unwrap().blocks[0] else {
            panic!("verdict first")
        };
        assert_eq!(*tone, Tone::Warn);
    }
}
