//! `deposit`: the check report of the delivery, its comparison with the previous snapshot,
//! and what was stored in the vault.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::page_util::{
    Chapters, SEVERITIES, check_text, findings_chapter, footer, more_note, severity_text,
    size_text, source_text,
};
use super::{DiffDoc, ledger_head_text, pick, short};
use crate::checks::human_bytes;
use crate::report::Verdict;
use crate::report::page::{BarRow, Block, Chart, Field, Page, Signatory, Text, Tone};
use crate::report::since::FindingsSince;
use crate::report::{Document, HumanStyle, Lang, Report};
use crate::vault::LedgerEntry;
use crate::vault::diff::Diff;

/// The `deposit` document's schema version.
pub const SCHEMA_VERSION: u32 = 1;
/// The `deposit` document's name.
pub const DOCUMENT: &str = "deposit";

/// What a deposit did, as the pipeline returns it (the document below is built from it).
#[derive(Debug)]
pub struct Deposited {
    /// The snapshot id: SHA-256 of its record, hex.
    pub id: String,
    /// Its ledger position (0 for the first entry).
    pub seq: u64,
    /// The report stored with the snapshot.
    pub report: Report,
    /// The comparison with the previous snapshot, if there was one.
    pub diff: Option<Diff>,
    /// The findings compared with the previous snapshot's (new and resolved), when there was
    /// one and its stored report reads.
    pub since: Option<FindingsSince>,
    /// Contents new to the vault.
    pub new_objects: u64,
    /// Bytes written into new packs (compressed).
    pub new_bytes: u64,
    /// Files whose content the vault already held.
    pub reused_objects: u64,
    /// The ledger head after this deposit: keep it elsewhere to detect a cut ledger later.
    pub ledger_head: String,
}

/// What a deposit did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepositDoc {
    /// The `deposit` document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `deposit`.
    pub document: String,
    /// The new snapshot's id (SHA-256 of its record).
    pub snapshot: String,
    /// Its ledger sequence number.
    pub seq: u64,
    /// The label given with `--label`.
    pub label: String,
    /// The vault folder, as given.
    pub vault: String,
    /// The ledger head after this deposit: to be written into the acceptance record.
    pub ledger_head: String,
    /// Contents stored for the first time.
    pub new_objects: u64,
    /// Compressed bytes written into new packs.
    pub new_bytes: u64,
    /// Contents the vault already held.
    pub reused_objects: u64,
    /// The comparison with the previous snapshot (null for the first).
    pub diff: Option<DiffDoc>,
    /// The findings compared with the previous snapshot's: how many are new (each marked
    /// `"new": true` in the report) and those resolved (absent for the first snapshot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings_since: Option<FindingsSince>,
    /// The check report of the delivery.
    pub report: Report,
    /// SM3 (GB/T 32905) of the snapshot record, 64 hex digits, from the ledger entry (absent
    /// when not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_sm3: Option<String>,
}

impl DepositDoc {
    /// The document of a finished deposit.
    pub fn new(dep: &Deposited, label: &str, vault: &Path) -> DepositDoc {
        DepositDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            snapshot: dep.id.clone(),
            seq: dep.seq,
            label: label.to_owned(),
            vault: vault.display().to_string(),
            ledger_head: dep.ledger_head.clone(),
            new_objects: dep.new_objects,
            new_bytes: dep.new_bytes,
            reused_objects: dep.reused_objects,
            diff: dep.diff.as_ref().map(DiffDoc::new),
            findings_since: dep.since.clone(),
            report: dep.report.clone(),
            snapshot_sm3: None,
        }
    }

    /// The document with the snapshot record's SM3 from the deposit's ledger entry (`entry`
    /// must be the entry of this snapshot; another one is ignored). The tree's SM3 is in the
    /// report (`report.delivery.digest_sm3`).
    #[must_use]
    pub fn with_ledger_entry(mut self, entry: &LedgerEntry) -> DepositDoc {
        if entry.snapshot == self.snapshot && !entry.snapshot_sm3.is_empty() {
            self.snapshot_sm3 = Some(entry.snapshot_sm3.clone());
        }
        self
    }
}

/// How many resolved findings the human output names.
const RESOLVED_SHOWN: usize = 10;

/// The opening of an update's human output: what changed in the findings since the previous
/// snapshot, with the resolved ones named (new ones are marked in the report below).
fn since_human(s: &FindingsSince, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    let resolved = s.resolved.len();
    match lang {
        Lang::En => writeln!(
            out,
            "What changed since {}: {} new findings, {resolved} resolved",
            s.previous, s.new
        )?,
        Lang::Zh => writeln!(
            out,
            "自 {} 以来的变化：新增问题 {} 个，已解决 {resolved} 个",
            s.previous, s.new
        )?,
    }
    for f in s.resolved.iter().take(RESOLVED_SHOWN) {
        let place = match (&f.path, f.line) {
            (Some(p), Some(n)) => format!(" {p}:{n}"),
            (Some(p), None) => format!(" {p}"),
            _ => String::new(),
        };
        let message = match lang {
            Lang::En => &f.message,
            Lang::Zh => &f.message_zh,
        };
        let label = match lang {
            Lang::En => "resolved",
            Lang::Zh => "已解决",
        };
        writeln!(out, "  {label}: {}{place}: {message}", f.code)?;
    }
    if resolved > RESOLVED_SHOWN {
        match lang {
            Lang::En => writeln!(
                out,
                "  … {} more resolved; --format json lists them all",
                resolved - RESOLVED_SHOWN
            )?,
            Lang::Zh => writeln!(
                out,
                "  …… 另有 {} 个已解决；--format json 列出全部",
                resolved - RESOLVED_SHOWN
            )?,
        }
    }
    writeln!(out)
}

impl Document for DepositDoc {
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.receipt(lang))
    }

    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        if let Some(s) = &self.findings_since {
            since_human(s, style.lang, out)?;
        }
        crate::report::render_human(&self.report, style.lang, style.color, out)?;
        writeln!(out)?;
        if let Some(d) = &self.diff {
            match style.lang {
                Lang::En => writeln!(
                    out,
                    "Compared with {} ({}): {}",
                    d.old.label,
                    short(&d.old.id),
                    d.counts(style.lang)
                )?,
                Lang::Zh => writeln!(
                    out,
                    "与上一快照 {}（{}）相比：{}",
                    d.old.label,
                    short(&d.old.id),
                    d.counts(style.lang)
                )?,
            }
        }
        match style.lang {
            Lang::En => writeln!(
                out,
                "Deposited {:?} into {}: {} new contents ({} compressed), {} already in the vault",
                self.label,
                self.vault,
                self.new_objects,
                human_bytes(self.new_bytes),
                self.reused_objects
            )?,
            Lang::Zh => writeln!(
                out,
                "已将「{}」入库（托管库 {}）：新存入 {} 份文件内容（连同文件清单共写入 {}，已压缩），另有 {} 个文件与库中已有内容相同，未重复保存",
                self.label,
                self.vault,
                self.new_objects,
                human_bytes(self.new_bytes),
                self.reused_objects
            )?,
        }
        if self.report.verdict == crate::report::Verdict::Fail {
            match style.lang {
                Lang::En => writeln!(
                    out,
                    "This deposit failed its check: it is kept as evidence, but meets no update or delivery deadline (seq {}). The vendor must deposit a passing delivery, or the hospital may accept this one with `escrow accept {} --reason \"...\"`.",
                    self.seq, self.seq
                )?,
                Lang::Zh => writeln!(
                    out,
                    "本次入库未通过检查：已作为证据保存，但不算履行更新或交付期限（账本序号 {}）。须由乙方重新交付并通过检查，或由医院说明理由后接受：`escrow accept {} --reason \"…\"`。",
                    self.seq, self.seq
                )?,
            }
        }
        writeln!(out, "{}", ledger_head_text(&self.ledger_head, style.lang))?;
        match style.lang {
            Lang::En => writeln!(out, "snapshot {}", self.snapshot),
            Lang::Zh => writeln!(out, "快照编号 {}", self.snapshot),
        }
    }
}

/// How many finding codes the receipt lists (the rest are counted in a note).
const RECEIPT_CODES: usize = 12;
/// How many modules the receipt's file-change chart shows.
const RECEIPT_MODULES: usize = 10;

impl DepositDoc {
    /// The receipt's title line under the heading: the project, else the vault.
    fn subtitle(&self, lang: Lang) -> String {
        let c = &self.report.contract;
        match (&c.title, lang) {
            (Some(t), Lang::En) => format!("Project: {t}"),
            (Some(t), Lang::Zh) => format!("项目：{t}"),
            (None, Lang::En) => format!("Vault: {}", self.vault),
            (None, Lang::Zh) => format!("托管库：{}", self.vault),
        }
    }

    /// The verdict box: deposited, and whether the delivery passed its check.
    fn verdict_block(&self, lang: Lang) -> Block {
        let pass = self.report.verdict == Verdict::Pass;
        let headline = match (lang, pass) {
            (Lang::En, true) => "DEPOSITED — check passed",
            (Lang::En, false) => "DEPOSITED — check FAILED",
            (Lang::Zh, true) => "已托管——检查通过",
            (Lang::Zh, false) => "已托管——检查不通过",
        };
        let detail = match (lang, pass) {
            (Lang::En, true) => format!(
                "Snapshot \"{}\" is stored in the vault as ledger entry {}.",
                self.label, self.seq
            ),
            (Lang::Zh, true) => format!(
                "快照「{}」已存入托管库，账本序号 {}。",
                self.label, self.seq
            ),
            (Lang::En, false) => format!(
                "Snapshot \"{}\" is kept as evidence (ledger entry {}). This delivery failed its check: it does not fulfil the contract's update or delivery obligation; the vendor must remedy it and deliver again.",
                self.label, self.seq
            ),
            (Lang::Zh, false) => format!(
                "快照「{}」已作为证据保存（账本序号 {}）。本次交付未通过检查，不视为履行合同约定的更新或交付义务，乙方应整改后重新交付。",
                self.label, self.seq
            ),
        };
        Block::Verdict {
            headline: headline.to_owned(),
            detail,
            tone: if pass { Tone::Good } else { Tone::Bad },
        }
    }

    /// The contract's header; a value the manifest does not give is left blank to fill in.
    fn contract_fields(&self, lang: Lang) -> Block {
        let c = &self.report.contract;
        let value = |v: &Option<String>| Text::plain(v.clone().unwrap_or_default());
        Block::Fields(vec![
            Field::new(pick(lang, "Contract number", "合同编号"), value(&c.id)),
            Field::new(pick(lang, "Project", "项目名称"), value(&c.title)),
            Field::new(
                pick(lang, "Client (receiving party)", "甲方（接收方）"),
                value(&c.client),
            ),
            Field::new(
                pick(lang, "Vendor (delivering party)", "乙方（交付方）"),
                value(&c.vendor),
            ),
        ])
    }

    /// What was deposited: the snapshot, its digests, the ledger, the check.
    fn deposit_fields(&self, lang: Lang) -> Block {
        let r = &self.report;
        let d = &r.delivery;
        let mut f = vec![
            Field::new(
                pick(lang, "Snapshot label", "快照标签"),
                self.label.as_str(),
            ),
            Field::new(
                pick(
                    lang,
                    "Snapshot id (SHA-256 of the record)",
                    "快照编号（快照记录 SHA-256）",
                ),
                Text::mono(&self.snapshot),
            ),
        ];
        if let Some(sm3) = &self.snapshot_sm3 {
            f.push(Field::new(
                pick(lang, "Snapshot record SM3", "快照记录 SM3"),
                Text::mono(sm3),
            ));
        }
        f.push(Field::new(
            pick(lang, "Deposited at", "入库时间"),
            crate::report::cst_time(&r.generated_at, lang),
        ));
        f.push(Field::new(
            pick(lang, "Delivery", "交付来源"),
            source_text(&d.source, lang),
        ));
        f.push(Field::new(
            pick(lang, "Files", "文件数量"),
            d.files.to_string(),
        ));
        f.push(Field::new(
            pick(lang, "Total size", "总大小"),
            size_text(d.bytes, lang),
        ));
        f.push(Field::new(
            pick(lang, "Tree digest SHA-256", "目录树摘要 SHA-256"),
            Text::mono(&d.digest),
        ));
        if let Some(sm3) = &d.digest_sm3 {
            f.push(Field::new(
                pick(lang, "Tree digest SM3", "目录树摘要 SM3"),
                Text::mono(sm3),
            ));
        }
        f.push(Field::new(
            pick(lang, "Manifest", "验收清单"),
            Text::mono(format!(
                "{} (sha256 {})",
                r.manifest.path, r.manifest.sha256
            )),
        ));
        f.push(Field::new(
            pick(lang, "Ledger entry", "账本序号"),
            self.seq.to_string(),
        ));
        f.push(Field::new(
            pick(lang, "Ledger head", "账本校验值（ledger head）"),
            Text::mono(&self.ledger_head),
        ));
        f.push(Field::new(
            pick(lang, "Vault", "托管库"),
            Text::mono(&self.vault),
        ));
        f.push(Field::new(
            pick(lang, "Check", "检查结论"),
            check_text(r, lang),
        ));
        f.push(Field::new(
            pick(lang, "Stored", "本次存储"),
            self.stored_text(lang),
        ));
        if let Some(diff) = &self.diff {
            f.push(Field::new(
                pick(lang, "Previous snapshot", "上一快照"),
                format!("{} ({})", diff.old.label, short(&diff.old.id)),
            ));
        }
        Block::Fields(f)
    }

    /// What the deposit wrote into the vault.
    fn stored_text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => format!(
                "{} new contents ({} compressed); {} files already in the vault were not stored again",
                self.new_objects,
                human_bytes(self.new_bytes),
                self.reused_objects
            ),
            Lang::Zh => format!(
                "新存入 {} 份文件内容（压缩后 {}）；另有 {} 个文件与库中已有内容相同，未重复保存",
                self.new_objects,
                human_bytes(self.new_bytes),
                self.reused_objects
            ),
        }
    }
}

/// What the digests let both parties prove (each clause checked against what `audit` and
/// `restore` verify).
fn proof_sentence(lang: Lang) -> &'static str {
    pick(
        lang,
        "With these digests both parties can later prove what was delivered. The snapshot id is the SHA-256 of the snapshot record, which holds the tree digests and, through its file list, the SHA-256 of every file. `escrow audit` re-verifies every stored content, every snapshot record and the ledger chain; `escrow restore` checks every restored file against its recorded SHA-256. Keep the ledger head with the acceptance record: `escrow audit --head` with it later proves that no ledger entry up to it was removed or edited.",
        "凭以上摘要，双方日后可证明交付内容。快照编号是快照记录的 SHA-256，记录中含目录树摘要，并通过文件清单含每个文件内容的 SHA-256。`escrow audit` 会重新核验托管库中的每份内容、每个快照记录和账本链；`escrow restore` 恢复的每个文件都按记录的 SHA-256 校验。请将账本校验值抄入验收记录另行保存：日后用它运行 `escrow audit --head`，可证明此前的账本记录未被删除或改动。",
    )
}

impl DepositDoc {
    /// An update's comparison with the previous snapshot: findings added and resolved, files
    /// changed by module.
    fn update_blocks(&self, lang: Lang, page: &mut Page) {
        if let Some(s) = &self.findings_since {
            let added = |sev| {
                self.report
                    .findings
                    .iter()
                    .filter(|f| f.severity == sev && f.new == Some(true))
                    .count() as u64
            };
            let resolved = |sev| s.resolved.iter().filter(|f| f.severity == sev).count() as u64;
            let still = (self.report.findings.len() as u64).saturating_sub(s.new);
            page.para(match lang {
                Lang::En => format!(
                    "Findings since {}: {} added, {} resolved, {still} still present.",
                    s.previous,
                    s.new,
                    s.resolved.len()
                ),
                Lang::Zh => format!(
                    "自上一快照「{}」以来的问题：新增 {} 个，已解决 {} 个，仍存在 {still} 个。",
                    s.previous,
                    s.new,
                    s.resolved.len()
                ),
            });
            page.push(Block::Chart(Chart::Bars {
                title: pick(lang, "Findings added and resolved", "新增与已解决的问题").to_owned(),
                legend: vec![
                    (pick(lang, "added", "新增").to_owned(), Tone::Bad),
                    (pick(lang, "resolved", "已解决").to_owned(), Tone::Good),
                ],
                rows: SEVERITIES
                    .iter()
                    .map(|&sev| BarRow {
                        label: severity_text(sev, lang).text,
                        values: vec![added(sev), resolved(sev)],
                    })
                    .collect(),
            }));
        }
        if let Some(d) = &self.diff {
            page.para(match lang {
                Lang::En => format!("Files compared with {}: {}.", d.old.label, d.counts(lang)),
                Lang::Zh => format!(
                    "文件与上一快照「{}」相比：{}。",
                    d.old.label,
                    d.counts(lang)
                ),
            });
            let changed: Vec<&super::ModuleDiffDoc> = d
                .modules
                .iter()
                .filter(|m| m.added + m.removed + m.modified > 0)
                .collect();
            if !changed.is_empty() {
                page.push(Block::Chart(super::diff::module_chart(
                    &changed[..changed.len().min(RECEIPT_MODULES)],
                    lang,
                )));
            }
            if changed.len() > RECEIPT_MODULES {
                page.para(more_note(
                    lang,
                    RECEIPT_MODULES,
                    changed.len(),
                    &format!("`escrow diff {} {}`", d.old.label, self.label),
                ));
            }
        }
    }

    /// The signature block: the delivering vendor and the receiving hospital.
    fn signatures(&self, lang: Lang) -> Block {
        let lines = vec![
            pick(lang, "Signature:", "签字：").to_owned(),
            pick(lang, "Seal:", "盖章：").to_owned(),
            pick(lang, "Date:", "日期：").to_owned(),
        ];
        let c = &self.report.contract;
        Block::Signatures(vec![
            Signatory {
                role: pick(lang, "Delivering party (vendor)", "交付方（乙方）").to_owned(),
                name: c.vendor.clone(),
                lines: lines.clone(),
            },
            Signatory {
                role: pick(lang, "Receiving party (client)", "接收方（甲方）").to_owned(),
                name: c.client.clone(),
                lines,
            },
        ])
    }

    /// The deposit receipt (托管回执).
    fn receipt(&self, lang: Lang) -> Page {
        let mut page = Page::new(
            lang,
            pick(lang, "Source-code deposit receipt", "源代码托管回执"),
        );
        page.subtitle = Some(self.subtitle(lang));
        page.running_head = format!("{} · {}", page.title, self.label);
        page.push(self.verdict_block(lang));
        let mut ch = Chapters::new(lang);
        ch.next(&mut page, "Contract", "合同信息");
        page.push(self.contract_fields(lang));
        ch.next(&mut page, "What was deposited", "托管内容");
        page.push(self.deposit_fields(lang));
        page.para(proof_sentence(lang));
        if self.diff.is_some() || self.findings_since.is_some() {
            ch.next(
                &mut page,
                "Changes since the previous snapshot",
                "与上一快照相比的变化",
            );
            self.update_blocks(lang, &mut page);
        }
        findings_chapter(
            &mut page,
            &mut ch,
            &self.report.findings,
            &self.label,
            lang,
            RECEIPT_CODES,
        );
        ch.next(&mut page, "Signatures", "签字确认");
        page.push(self.signatures(lang));
        page.footer = footer(
            lang,
            &self.report.tool.version,
            Some(&self.report.generated_at),
        );
        page.generated_at = Some(self.report.generated_at.clone());
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::docs::page_util::testing::{finding, headings, report, tables, text};

    fn first(contract: bool) -> DepositDoc {
        DepositDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            snapshot: "5".repeat(64),
            seq: 0,
            label: "v2.3".to_owned(),
            vault: "/srv/escrow-vault".to_owned(),
            ledger_head: "7".repeat(64),
            new_objects: 3,
            new_bytes: 900,
            reused_objects: 0,
            diff: None,
            findings_since: None,
            report: report(&finding("doc-thin", "warn", None), contract),
            snapshot_sm3: Some("6".repeat(64)),
        }
    }

    fn update() -> DepositDoc {
        let findings = [
            finding("secret-in-source", "warn", Some(true)),
            finding("secret-in-source", "warn", Some(false)),
            finding("doc-thin", "info", Some(true)),
        ]
        .join(",");
        let resolved: Vec<crate::finding::Finding> = serde_json::from_str(&format!(
            "[{},{}]",
            finding("module-missing", "deny", None),
            finding("doc-thin", "info", None)
        ))
        .unwrap();
        DepositDoc {
            seq: 3,
            label: "v2.4".to_owned(),
            diff: Some(crate::report::docs::diff::tests::sample(2)),
            findings_since: Some(FindingsSince {
                previous: "v2.3".to_owned(),
                new: 2,
                resolved,
            }),
            report: report(&findings, true),
            ..first(true)
        }
    }

    #[test]
    fn the_receipt_carries_the_full_digests_the_time_and_the_ledger() {
        let d = first(true);
        let zh = d.page(Lang::Zh).expect("a receipt");
        assert_eq!(zh.title, "源代码托管回执");
        assert_eq!(
            headings(&zh),
            [
                "一、合同信息",
                "二、托管内容",
                "三、检查发现的问题（按问题类型汇总）",
                "四、签字确认"
            ]
        );
        let t = text(&zh);
        for want in [
            "5".repeat(64),
            "6".repeat(64),
            "cd".repeat(32),
            "e".repeat(64),
            "7".repeat(64),
            "2026-03-11 01:30（UTC+8 北京时间）".to_owned(),
            "HT-2026-018".to_owned(),
            "某某软件公司".to_owned(),
            "12345 字节".to_owned(),
            "已托管——检查通过".to_owned(),
            "凭以上摘要，双方日后可证明交付内容".to_owned(),
            "交付方（乙方）".to_owned(),
            "接收方（甲方）".to_owned(),
        ] {
            assert!(t.contains(&want), "{want} in\n{t}");
        }
        assert!(zh.footer.contains("escrow 9.8.7") && zh.footer.contains("北京时间"));
        assert_eq!(zh.generated_at.as_deref(), Some("2026-03-10T17:30:00Z"));
        assert!(matches!(
            zh.blocks[0],
            Block::Verdict {
                tone: Tone::Good,
                ..
            }
        ));
        tables(&zh);
        let en = d.page(Lang::En).expect("a receipt");
        assert_eq!(en.title, "Source-code deposit receipt");
        assert_eq!(headings(&en)[0], "1. Contract");
        let t = text(&en);
        assert!(t.contains("China Standard Time") && t.contains("DEPOSITED — check passed"));
    }

    #[test]
    fn unknown_contract_fields_are_left_blank_and_missing_sm3_is_not_invented() {
        let mut d = first(false);
        d.snapshot_sm3 = None;
        d.report.delivery.digest_sm3 = None;
        let zh = d.page(Lang::Zh).unwrap();
        let Block::Fields(contract) = &zh.blocks[2] else {
            panic!("the contract fields follow the first heading")
        };
        assert!(contract.iter().all(|f| f.value.text.is_empty()));
        let t = text(&zh);
        assert!(!t.contains("SM3"), "{t}");
        assert!(
            zh.subtitle
                .as_deref()
                .unwrap()
                .contains("/srv/escrow-vault")
        );
    }

    #[test]
    fn a_failed_deposit_says_so_in_words() {
        let mut d = first(true);
        d.report.verdict = Verdict::Fail;
        let zh = d.page(Lang::Zh).unwrap();
        let Block::Verdict {
            headline,
            detail,
            tone,
        } = &zh.blocks[0]
        else {
            panic!("the verdict first")
        };
        assert_eq!(
            (headline.as_str(), *tone),
            ("已托管——检查不通过", Tone::Bad)
        );
        assert!(detail.contains("不视为履行合同约定的更新或交付义务"));
    }

    #[test]
    fn an_update_shows_findings_added_and_resolved_and_files_changed() {
        let d = update();
        let zh = d.page(Lang::Zh).unwrap();
        assert_eq!(headings(&zh)[2], "三、与上一快照相比的变化");
        let t = text(&zh);
        assert!(t.contains("新增 2 个，已解决 2 个，仍存在 1 个"), "{t}");
        assert!(t.contains("上一快照") && t.contains("v2.3"));
        let charts: Vec<&Chart> = zh
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Chart(c) => Some(c),
                _ => None,
            })
            .collect();
        let Chart::Bars { rows, legend, .. } = charts[0] else {
            panic!("bars")
        };
        assert_eq!(legend[0].0, "新增");
        let values: Vec<(&str, &[u64])> = rows
            .iter()
            .map(|r| (r.label.as_str(), r.values.as_slice()))
            .collect();
        assert_eq!(
            values,
            [
                ("拒绝级", &[0, 1][..]),
                ("警告", &[1, 0][..]),
                ("提示", &[1, 1][..])
            ]
        );
        let Chart::Bars { rows, .. } = charts[1] else {
            panic!("bars")
        };
        assert_eq!(rows[0].values, [2, 0, 1], "emr: added, removed, modified");
        let codes = tables(&zh)[0];
        assert_eq!(codes.header.last().unwrap(), "其中新增");
        assert_eq!(codes.rows[0][0].text, "secret-in-source");
        assert_eq!(codes.rows[0][3].text, "1");
    }

    #[test]
    fn the_receipt_lists_codes_not_findings() {
        let mut d = first(true);
        let many: Vec<String> = (0..40)
            .map(|i| finding(&format!("code-{i:02}"), "warn", None))
            .collect();
        d.report = report(&many.join(","), true);
        let en = d.page(Lang::En).unwrap();
        let t = tables(&en)[0];
        assert_eq!(t.rows.len(), RECEIPT_CODES);
        assert!(t.note.as_deref().unwrap().contains("of 40 codes"));
    }

    #[test]
    fn the_record_sm3_comes_from_this_snapshots_ledger_entry_only() {
        let mut d = first(true);
        d.snapshot_sm3 = None;
        let mut e = LedgerEntry {
            snapshot: "0".repeat(64),
            snapshot_sm3: "a".repeat(64),
            tree_sm3: "b".repeat(64),
            ..LedgerEntry::default()
        };
        let other = d.clone().with_ledger_entry(&e);
        assert_eq!(other.snapshot_sm3, None);
        e.snapshot.clone_from(&d.snapshot);
        let this = d.with_ledger_entry(&e);
        assert_eq!(this.snapshot_sm3, Some("a".repeat(64)));
    }
}
