//! `diff`: added, removed and modified files between two snapshots, by module.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::short;
use crate::report::{Document, HumanStyle, Lang};
use crate::vault::diff::{ChangeKind, Diff};

/// The `diff` document's schema version.
pub const SCHEMA_VERSION: u32 = 1;
/// The `diff` document's name.
pub const DOCUMENT: &str = "diff";

/// How one file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKindDoc {
    /// Only in the newer snapshot.
    Added,
    /// Only in the older snapshot.
    Removed,
    /// In both, with another content, kind, permission bits or link target.
    Modified,
}

/// One changed file; sizes in bytes, absent on the side where the file does not exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeDoc {
    /// The path relative to the delivery root, `/`-separated, in readable form (control
    /// characters escaped, ` [GBK]` after a decoded GBK name, `\xNN` for other bytes that are not
    /// UTF-8).
    pub path: String,
    /// How it changed.
    pub change: ChangeKindDoc,
    /// Bytes in the older snapshot (for a symbolic link, its target's length); `null` for an
    /// added file.
    pub old_size: Option<u64>,
    /// Bytes in the newer snapshot (for a symbolic link, its target's length); `null` for a
    /// removed file.
    pub new_size: Option<u64>,
}

/// The changes inside one module of the newer manifest (`id` null: outside every module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleDiffDoc {
    /// The module's id; `null` for the files outside every module.
    pub id: Option<String>,
    /// The module's name, shown to people.
    pub name: String,
    /// Files (anything but folders) in the module only in the newer snapshot.
    pub added: u64,
    /// Files in the module only in the older snapshot.
    pub removed: u64,
    /// Files in the module in both snapshots with another content, kind, permission bits or
    /// link target.
    pub modified: u64,
    /// Files (anything but folders) in the module before (in the older snapshot).
    pub files_before: u64,
    /// Files in the module after (in the newer snapshot).
    pub files_after: u64,
    /// Of `files_before`, those counted as source code.
    pub source_before: u64,
    /// Of `files_after`, those counted as source code.
    pub source_after: u64,
    /// Every added, removed and modified file of the module, sorted by path.
    pub changes: Vec<ChangeDoc>,
}

/// A snapshot named in a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRefDoc {
    /// The snapshot id: SHA-256 of its record, 64 hex digits (empty for a snapshot not stored
    /// yet).
    pub id: String,
    /// The snapshot's label (for a snapshot not stored yet, the label it is to get).
    pub label: String,
    /// UTC, RFC 3339.
    pub created_at: String,
}

/// The comparison of two snapshots (also inside the `deposit` document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffDoc {
    /// The `diff` document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `diff`.
    pub document: String,
    /// The older snapshot.
    pub old: SnapshotRefDoc,
    /// The newer snapshot.
    pub new: SnapshotRefDoc,
    /// Files (anything but folders) only in the newer snapshot.
    pub added: u64,
    /// Files only in the older snapshot.
    pub removed: u64,
    /// Files in both snapshots with another content, kind, permission bits or link target.
    pub modified: u64,
    /// Files the same in both snapshots.
    pub unchanged: u64,
    /// The changes by module of the newer snapshot's manifest, then the files outside every
    /// module when there are any.
    pub modules: Vec<ModuleDiffDoc>,
}

impl DiffDoc {
    /// The document of a comparison.
    pub fn new(d: &Diff) -> DiffDoc {
        let snap = |s: &crate::vault::diff::SnapshotRef| SnapshotRefDoc {
            id: s.id.clone(),
            label: s.label.clone(),
            created_at: s.created_at.clone(),
        };
        DiffDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            old: snap(&d.old),
            new: snap(&d.new),
            added: d.added,
            removed: d.removed,
            modified: d.modified,
            unchanged: d.unchanged,
            modules: d
                .modules
                .iter()
                .map(|m| ModuleDiffDoc {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    added: m.added,
                    removed: m.removed,
                    modified: m.modified,
                    files_before: m.files_before,
                    files_after: m.files_after,
                    source_before: m.source_before,
                    source_after: m.source_after,
                    changes: m
                        .changes
                        .iter()
                        .map(|c| ChangeDoc {
                            path: c.path.clone(),
                            change: match c.change {
                                ChangeKind::Added => ChangeKindDoc::Added,
                                ChangeKind::Removed => ChangeKindDoc::Removed,
                                ChangeKind::Modified => ChangeKindDoc::Modified,
                            },
                            old_size: c.old_size,
                            new_size: c.new_size,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// "N added, N removed, N modified, N unchanged", in the reader's language.
    pub(crate) fn counts(&self, lang: Lang) -> String {
        match lang {
            Lang::En => format!(
                "{} added, {} removed, {} modified, {} unchanged",
                self.added, self.removed, self.modified, self.unchanged
            ),
            Lang::Zh => format!(
                "新增 {} 个，删除 {} 个，修改 {} 个，未变 {} 个文件",
                self.added, self.removed, self.modified, self.unchanged
            ),
        }
    }
}

impl Document for DiffDoc {
    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        let lang = style.lang;
        let sep = if lang == Lang::Zh { "：" } else { ": " };
        writeln!(
            out,
            "{} ({}) → {} ({}){sep}{}",
            self.old.label,
            short(&self.old.id),
            self.new.label,
            short(&self.new.id),
            self.counts(lang)
        )?;
        for m in &self.modules {
            writeln!(out)?;
            let id =
                m.id.as_deref()
                    .map(|i| format!(" [{i}]"))
                    .unwrap_or_default();
            let name = match (&m.id, lang) {
                (None, Lang::Zh) => "（不属于任何模块）".to_owned(),
                _ => m.name.clone(),
            };
            match lang {
                Lang::En => writeln!(
                    out,
                    "{name}{id}: +{} -{} ~{}  (files {} → {}, source {} → {})",
                    m.added,
                    m.removed,
                    m.modified,
                    m.files_before,
                    m.files_after,
                    m.source_before,
                    m.source_after
                )?,
                Lang::Zh => writeln!(
                    out,
                    "{name}{id}：+{} -{} ~{}（文件 {} → {}，源代码文件 {} → {}）",
                    m.added,
                    m.removed,
                    m.modified,
                    m.files_before,
                    m.files_after,
                    m.source_before,
                    m.source_after
                )?,
            }
            for c in &m.changes {
                let sign = match c.change {
                    ChangeKindDoc::Added => '+',
                    ChangeKindDoc::Removed => '-',
                    ChangeKindDoc::Modified => '~',
                };
                writeln!(out, "  {sign} {}", c.path)?;
            }
        }
        if lang == Lang::Zh {
            writeln!(out)?;
            writeln!(out, "（+ 新增，- 删除，~ 修改）")?;
        }
        Ok(())
    }
}
