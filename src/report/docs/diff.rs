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
    Added,
    Removed,
    Modified,
}

/// One changed file; sizes in bytes, absent on the side where the file does not exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeDoc {
    pub path: String,
    pub change: ChangeKindDoc,
    pub old_size: Option<u64>,
    pub new_size: Option<u64>,
}

/// The changes inside one module of the newer manifest (`id` null: outside every module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleDiffDoc {
    pub id: Option<String>,
    pub name: String,
    pub added: u64,
    pub removed: u64,
    pub modified: u64,
    /// Files in the module, before and after.
    pub files_before: u64,
    pub files_after: u64,
    /// Source files in the module, before and after.
    pub source_before: u64,
    pub source_after: u64,
    pub changes: Vec<ChangeDoc>,
}

/// A snapshot named in a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRefDoc {
    pub id: String,
    pub label: String,
    /// UTC, RFC 3339.
    pub created_at: String,
}

/// The comparison of two snapshots (also inside the `deposit` document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffDoc {
    pub schema_version: u32,
    /// Always `diff`.
    pub document: String,
    pub old: SnapshotRefDoc,
    pub new: SnapshotRefDoc,
    pub added: u64,
    pub removed: u64,
    pub modified: u64,
    pub unchanged: u64,
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
