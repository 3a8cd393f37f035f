//! `vault upgrade` and `vault replicate`.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::checks::human_bytes;
use crate::report::{Document, HumanStyle, Lang};
use crate::vault::replicate::Replicated;
use crate::vault::upgrade::Upgraded;

/// The `vault-upgrade` document's schema version.
pub const UPGRADE_SCHEMA_VERSION: u32 = 1;
/// The `vault-replicate` document's schema version.
pub const REPLICATE_SCHEMA_VERSION: u32 = 1;

/// A vault converted to format 2 (or found converted already).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpgradeDoc {
    /// Currently 1.
    pub schema_version: u32,
    /// Always `vault-upgrade`.
    pub document: String,
    /// The vault folder.
    pub vault: String,
    /// The format found: 1, or 2 when nothing had to be converted.
    pub from_format: u32,
    /// The format now: 2.
    pub to_format: u32,
    /// Objects decompressed and checked against their SHA-256.
    pub objects_verified: u64,
    /// Packs without trailers rewritten.
    pub old_packs: u64,
    /// Packs with trailers written.
    pub new_packs: u64,
    /// Ledger entries, each now its own file.
    pub ledger_entries: u64,
    /// The ledger head: the same before and after the upgrade.
    pub ledger_head: String,
    /// Where the files format 2 no longer uses were moved, if any.
    pub set_aside: Option<String>,
}

impl UpgradeDoc {
    /// The document of `vault upgrade` on `vault`.
    pub fn new(vault: &str, u: &Upgraded) -> UpgradeDoc {
        UpgradeDoc {
            schema_version: UPGRADE_SCHEMA_VERSION,
            document: "vault-upgrade".to_owned(),
            vault: vault.to_owned(),
            from_format: u.from,
            to_format: crate::vault::VAULT_FORMAT,
            objects_verified: u.objects,
            old_packs: u.old_packs,
            new_packs: u.new_packs,
            ledger_entries: u.ledger_entries,
            ledger_head: u.ledger_head.clone(),
            set_aside: u.moved_to.as_ref().map(|p| p.display().to_string()),
        }
    }
}

impl Document for UpgradeDoc {
    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        let zh = style.lang == Lang::Zh;
        if self.from_format >= self.to_format {
            if zh {
                writeln!(out, "{} 已是格式 {}，无需转换", self.vault, self.to_format)?;
            } else {
                writeln!(
                    out,
                    "{} already has format {}: nothing to convert",
                    self.vault, self.to_format
                )?;
            }
        } else if zh {
            writeln!(
                out,
                "已将托管库 {} 从格式 {} 转换为格式 {}：逐一校验对象 {} 个，重写数据包 {} 个为 {} 个，账本记录 {} 条",
                self.vault,
                self.from_format,
                self.to_format,
                self.objects_verified,
                self.old_packs,
                self.new_packs,
                self.ledger_entries
            )?;
        } else {
            writeln!(
                out,
                "converted the vault {} from format {} to format {}: {} objects verified, {} packs rewritten as {}, {} ledger entries",
                self.vault,
                self.from_format,
                self.to_format,
                self.objects_verified,
                self.old_packs,
                self.new_packs,
                self.ledger_entries
            )?;
        }
        if zh {
            writeln!(out, "账本校验值（与转换前相同）：{}", self.ledger_head)?;
        } else {
            writeln!(
                out,
                "Ledger head (the same as before): {}",
                self.ledger_head
            )?;
        }
        if let Some(aside) = &self.set_aside {
            if zh {
                writeln!(
                    out,
                    "格式 2 不再使用的文件已移至 {aside}；运行 `escrow audit` 通过后可删除该文件夹"
                )?;
            } else {
                writeln!(
                    out,
                    "files format 2 no longer uses were moved to {aside}; delete that folder once `escrow audit` passes"
                )?;
            }
        }
        Ok(())
    }
}

/// A vault copied to another place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicateDoc {
    /// Currently 1.
    pub schema_version: u32,
    /// Always `vault-replicate`.
    pub document: String,
    /// The vault copied from.
    pub source: String,
    /// The vault copied to.
    pub dest: String,
    /// Files copied now, each checked against its name before sending and after arrival.
    pub copied: u64,
    /// Bytes copied now.
    pub bytes: u64,
    /// Files the destination already held.
    pub present: u64,
    /// Ledger entries in both vaults.
    pub ledger_entries: u64,
    /// The ledger head of both vaults.
    pub ledger_head: String,
}

impl ReplicateDoc {
    /// The document of `vault replicate SOURCE DEST`.
    pub fn new(source: &str, dest: &str, r: &Replicated) -> ReplicateDoc {
        ReplicateDoc {
            schema_version: REPLICATE_SCHEMA_VERSION,
            document: "vault-replicate".to_owned(),
            source: source.to_owned(),
            dest: dest.to_owned(),
            copied: r.copied,
            bytes: r.bytes,
            present: r.present,
            ledger_entries: r.ledger_entries,
            ledger_head: r.ledger_head.clone(),
        }
    }
}

impl Document for ReplicateDoc {
    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        if style.lang == Lang::Zh {
            writeln!(
                out,
                "已将 {} 复制到 {}：新复制文件 {} 个（{}），已有 {} 个；两处均有账本记录 {} 条",
                self.source,
                self.dest,
                self.copied,
                human_bytes(self.bytes),
                self.present,
                self.ledger_entries
            )?;
            writeln!(out, "两处的账本校验值相同：{}", self.ledger_head)
        } else {
            writeln!(
                out,
                "replicated {} to {}: {} files copied ({}), {} already there; {} ledger entries in both",
                self.source,
                self.dest,
                self.copied,
                human_bytes(self.bytes),
                self.present,
                self.ledger_entries
            )?;
            writeln!(out, "Both have the ledger head {}", self.ledger_head)
        }
    }
}
