//! `diff`: added, removed and modified files between two snapshots, by module.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::page_util::{Chapters, VERSION, footer, more_note};
use super::{pick, short};
use crate::report::page::{BarRow, Block, Chart, Field, Page, Table, Text, Tone};
use crate::report::{Document, HumanStyle, Lang, cst_time};
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
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.comparison(lang))
    }

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

/// How many changed files a comparison page lists (the rest are in `--format json`).
const FILES_SHOWN: usize = 500;

/// A module's name for people (the files outside every module have none).
fn module_name(m: &ModuleDiffDoc, lang: Lang) -> String {
    match (&m.id, lang) {
        (None, _) => pick(lang, "(outside every module)", "（不属于任何模块）").to_owned(),
        (Some(id), _) if *id == m.name => m.name.clone(),
        (Some(id), _) => format!("{} [{id}]", m.name),
    }
}

/// A bar chart of the files added, removed and modified in each of `modules`.
pub(crate) fn module_chart(modules: &[&ModuleDiffDoc], lang: Lang) -> Chart {
    Chart::Bars {
        title: pick(lang, "Files changed by module", "各模块的文件变化").to_owned(),
        legend: vec![
            (pick(lang, "added", "新增").to_owned(), Tone::Good),
            (pick(lang, "removed", "不再包含").to_owned(), Tone::Bad),
            (pick(lang, "modified", "修改").to_owned(), Tone::Warn),
        ],
        rows: modules
            .iter()
            .map(|m| BarRow {
                label: module_name(m, lang),
                values: vec![m.added, m.removed, m.modified],
            })
            .collect(),
    }
}

impl DiffDoc {
    /// The two snapshots compared.
    fn snapshot_fields(&self, lang: Lang) -> Block {
        let mut f = Vec::new();
        for (side, s) in [
            (pick(lang, "Older", "旧快照"), &self.old),
            (pick(lang, "Newer", "新快照"), &self.new),
        ] {
            let label = |en: &str, zh: &str| match lang {
                Lang::En => format!("{side} {en}"),
                Lang::Zh => format!("{side}{zh}"),
            };
            f.push(Field::new(side, Text::strong(s.label.clone())));
            f.push(Field::new(label("id", "编号"), Text::mono(&s.id)));
            f.push(Field::new(
                label("deposited at", "入库时间"),
                cst_time(&s.created_at, lang),
            ));
        }
        Block::Fields(f)
    }

    /// The per-module table.
    fn module_table(&self, lang: Lang) -> Table {
        Table {
            caption: None,
            header: [
                pick(lang, "Module", "模块"),
                pick(lang, "Added", "新增"),
                pick(lang, "Removed", "不再包含"),
                pick(lang, "Modified", "修改"),
                pick(lang, "Files before → after", "文件数（前→后）"),
                pick(lang, "Source files before → after", "源代码文件（前→后）"),
            ]
            .map(str::to_owned)
            .to_vec(),
            widths: vec![4, 1, 1, 1, 2, 2],
            rows: self
                .modules
                .iter()
                .map(|m| {
                    vec![
                        Text::plain(module_name(m, lang)),
                        Text::plain(m.added.to_string()),
                        Text::plain(m.removed.to_string()),
                        Text::plain(m.modified.to_string()),
                        Text::plain(format!("{} → {}", m.files_before, m.files_after)),
                        Text::plain(format!("{} → {}", m.source_before, m.source_after)),
                    ]
                })
                .collect(),
            note: None,
        }
    }

    /// The changed files, at most [`FILES_SHOWN`], with a note when there are more.
    fn file_table(&self, lang: Lang) -> Table {
        let total: usize = self.modules.iter().map(|m| m.changes.len()).sum();
        let size = |s: Option<u64>| s.map(|n| n.to_string()).unwrap_or_default();
        let rows = self
            .modules
            .iter()
            .flat_map(|m| m.changes.iter().map(move |c| (m, c)))
            .take(FILES_SHOWN)
            .map(|(m, c)| {
                let change = match c.change {
                    ChangeKindDoc::Added => Text::toned(pick(lang, "added", "新增"), Tone::Good),
                    ChangeKindDoc::Removed => {
                        Text::toned(pick(lang, "removed", "不再包含"), Tone::Bad)
                    }
                    ChangeKindDoc::Modified => {
                        Text::toned(pick(lang, "modified", "修改"), Tone::Warn)
                    }
                };
                vec![
                    change,
                    Text::mono(&c.path),
                    Text::plain(module_name(m, lang)),
                    Text::plain(size(c.old_size)),
                    Text::plain(size(c.new_size)),
                ]
            })
            .collect();
        Table {
            caption: None,
            header: [
                pick(lang, "Change", "变化"),
                pick(lang, "Path", "路径"),
                pick(lang, "Module", "模块"),
                pick(lang, "Bytes before", "原大小（字节）"),
                pick(lang, "Bytes after", "新大小（字节）"),
            ]
            .map(str::to_owned)
            .to_vec(),
            widths: vec![1, 6, 3, 2, 2],
            rows,
            note: (total > FILES_SHOWN).then(|| {
                more_note(
                    lang,
                    FILES_SHOWN,
                    total,
                    &format!(
                        "`escrow diff {} {} --format json`",
                        self.old.label, self.new.label
                    ),
                )
            }),
        }
    }

    /// The comparison as a printable page.
    fn comparison(&self, lang: Lang) -> Page {
        let mut page = Page::new(lang, pick(lang, "Snapshot comparison", "快照对比"));
        page.subtitle = Some(format!("{} → {}", self.old.label, self.new.label));
        page.running_head = format!("{} · {} → {}", page.title, self.old.label, self.new.label);
        let mut ch = Chapters::new(lang);
        ch.next(&mut page, "The snapshots compared", "对比的快照");
        page.push(self.snapshot_fields(lang));
        ch.next(&mut page, "Summary", "变化概况");
        page.para(format!("{}{}", self.counts(lang), pick(lang, ".", "。")));
        let changed: Vec<&ModuleDiffDoc> = self
            .modules
            .iter()
            .filter(|m| m.added + m.removed + m.modified > 0)
            .collect();
        if !self.modules.is_empty() {
            ch.next(&mut page, "By module", "按模块统计");
            page.push(Block::Table(self.module_table(lang)));
            if !changed.is_empty() {
                page.push(Block::Chart(module_chart(&changed, lang)));
            }
        }
        ch.next(&mut page, "Files changed", "变化的文件");
        if self.added + self.removed + self.modified == 0 {
            page.para(pick(
                lang,
                "No file differs: the two snapshots hold the same files.",
                "没有文件不同：两个快照的文件相同。",
            ));
        } else {
            page.push(Block::Table(self.file_table(lang)));
        }
        page.footer = footer(lang, VERSION, None);
        page
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::docs::page_util::testing::{headings, tables, text};

    fn change(path: &str, change: ChangeKindDoc) -> ChangeDoc {
        ChangeDoc {
            path: path.to_owned(),
            change,
            old_size: (change != ChangeKindDoc::Added).then_some(10),
            new_size: (change != ChangeKindDoc::Removed).then_some(12),
        }
    }

    /// v1 → v2: the `emr` module gains `extra` added files (and one modified), `lab` loses one.
    pub(crate) fn sample(extra: usize) -> DiffDoc {
        let mut emr: Vec<ChangeDoc> = (0..extra)
            .map(|i| change(&format!("emr/new{i:04}.java"), ChangeKindDoc::Added))
            .collect();
        emr.push(change("emr/Main.java", ChangeKindDoc::Modified));
        let module = |id: &str, name: &str, changes: Vec<ChangeDoc>| ModuleDiffDoc {
            id: Some(id.to_owned()),
            name: name.to_owned(),
            added: changes
                .iter()
                .filter(|c| c.change == ChangeKindDoc::Added)
                .count() as u64,
            removed: changes
                .iter()
                .filter(|c| c.change == ChangeKindDoc::Removed)
                .count() as u64,
            modified: changes
                .iter()
                .filter(|c| c.change == ChangeKindDoc::Modified)
                .count() as u64,
            files_before: 5,
            files_after: 5,
            source_before: 4,
            source_after: 4,
            changes,
        };
        let modules = vec![
            module("emr", "电子病历", emr),
            module(
                "lab",
                "检验",
                vec![change("lab/Old.java", ChangeKindDoc::Removed)],
            ),
            module("pacs", "影像", Vec::new()),
        ];
        DiffDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            old: SnapshotRefDoc {
                id: "1".repeat(64),
                label: "v2.3".to_owned(),
                created_at: "2026-01-05T02:00:00Z".to_owned(),
            },
            new: SnapshotRefDoc {
                id: "2".repeat(64),
                label: "v2.4".to_owned(),
                created_at: "2026-03-10T17:30:00Z".to_owned(),
            },
            added: extra as u64,
            removed: 1,
            modified: 1,
            unchanged: 7,
            modules,
        }
    }

    #[test]
    fn the_comparison_page_has_both_snapshots_the_module_table_and_a_chart() {
        let d = sample(3);
        let zh = d.page(Lang::Zh).expect("a page");
        assert_eq!(
            headings(&zh),
            [
                "一、对比的快照",
                "二、变化概况",
                "三、按模块统计",
                "四、变化的文件"
            ]
        );
        let t = text(&zh);
        for want in [
            "1".repeat(64).as_str(),
            "2026-03-11 01:30（UTC+8 北京时间）",
            "新增 3 个，删除 1 个，修改 1 个，未变 7 个文件",
            "电子病历 [emr]",
        ] {
            assert!(t.contains(want), "{want} in\n{t}");
        }
        let tables = tables(&zh);
        assert_eq!(tables[0].rows.len(), 3, "every module");
        assert_eq!(tables[0].rows[0][1].text, "3");
        assert_eq!(tables[1].rows.len(), 5, "every changed file");
        let bars = zh.blocks.iter().find_map(|b| match b {
            Block::Chart(Chart::Bars { rows, .. }) => Some(rows),
            _ => None,
        });
        let bars = bars.expect("a chart");
        assert_eq!(bars.len(), 2, "the unchanged module has no bar");
        assert_eq!(bars[0].values, [3, 0, 1]);
        assert_eq!(bars[1].values, [0, 1, 0]);
        let en = d.page(Lang::En).expect("a page");
        assert_eq!(headings(&en)[0], "1. The snapshots compared");
        assert!(text(&en).contains("(UTC+8, China Standard Time)"));
    }

    #[test]
    fn a_long_file_list_is_capped_with_a_note() {
        let d = sample(FILES_SHOWN + 20);
        let en = d.page(Lang::En).expect("a page");
        let files = tables(&en)[1];
        assert_eq!(files.rows.len(), FILES_SHOWN);
        let note = files.note.as_deref().expect("the cap is said");
        assert!(
            note.contains(&format!("{FILES_SHOWN} of {}", FILES_SHOWN + 22)),
            "{note}"
        );
        assert!(note.contains("--format json"), "{note}");
        assert!(tables(&d.page(Lang::Zh).unwrap())[1].note.is_some());
    }

    #[test]
    fn identical_snapshots_say_so_without_an_empty_table() {
        let mut d = sample(0);
        for m in &mut d.modules {
            m.changes.clear();
            (m.added, m.removed, m.modified) = (0, 0, 0);
        }
        (d.added, d.removed, d.modified) = (0, 0, 0);
        let zh = d.page(Lang::Zh).unwrap();
        assert_eq!(tables(&zh).len(), 1, "the module table only");
        assert!(text(&zh).contains("两个快照的文件相同"));
        assert!(!zh.blocks.iter().any(|b| matches!(b, Block::Chart(_))));
    }
}
