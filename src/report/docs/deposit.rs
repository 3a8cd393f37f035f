//! `deposit`: the check report of the delivery, its comparison with the previous snapshot,
//! and what was stored in the vault.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{DiffDoc, ledger_head_text, short};
use crate::checks::human_bytes;
use crate::report::since::FindingsSince;
use crate::report::{Document, HumanStyle, Lang, Report};
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
        }
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
