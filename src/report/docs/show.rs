//! `show`: a snapshot's record, its ledger entry and its stored check report.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use unicode_width::UnicodeWidthStr;

use super::page_util::{
    Chapters, VERSION, check_text, findings_chapter, footer, more_note, size_text, source_text,
};
use super::{LedgerRecord, SourceInfo, pick, short};
use crate::checks::human_bytes;
use crate::delivery::EntryKind;
use crate::report::page::{Block, Field, Page, Table, Text};
use crate::report::{Document, HumanStyle, Lang, Report, Tool, cst_time};
use crate::vault::LedgerEntry;
use crate::vault::snapshot::{RecEntry, SnapshotRecord};

/// The `show` document's schema version.
pub const SCHEMA_VERSION: u32 = 1;
/// The `show` document's name.
pub const DOCUMENT: &str = "show";

/// The vendor's change note given with `--note`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteDoc {
    /// The file name as given.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Its text.
    pub text: String,
}

/// The manifest the delivery was checked against, verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredManifestDoc {
    /// The manifest's path as given on the command line at deposit.
    pub path: String,
    /// SHA-256 of the manifest file's bytes, 64 hex digits.
    pub sha256: String,
    /// The manifest's text (TOML), as deposited.
    pub text: String,
}

/// The delivery tree's digests and counts (`bytes` in regular files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeDoc {
    /// SHA-256 over the whole inventory (paths, modes, contents, link targets), 64 hex
    /// digits.
    pub sha256: String,
    /// SM3 (GB/T 32905) over the same inventory bytes, 64 hex digits.
    pub sm3: String,
    /// The number of regular files.
    pub files: u64,
    /// The regular files' total size in bytes.
    pub bytes: u64,
    /// Every entry: files, folders, links, special files.
    pub entries: u64,
}

/// One stored piece of the file list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkDoc {
    /// The vault object holding the piece: SHA-256 of its JSON, 64 hex digits.
    pub sha256: String,
    /// The number of entries in the piece.
    pub entries: u64,
}

/// The repository history kept with `--with-history` (`format` "git-bundle"; `size` in bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryDoc {
    /// Always `git-bundle`.
    pub format: String,
    /// The vault object holding the bundle: SHA-256 of its bytes, 64 hex digits.
    pub sha256: String,
    /// The bundle's size in bytes.
    pub size: u64,
}

/// The build log kept with `--build` (`size` in bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildLogDoc {
    /// The vault object holding the log: SHA-256 of its bytes, 64 hex digits.
    pub sha256: String,
    /// The log's size in bytes.
    pub size: u64,
}

/// Everything recorded about one deposit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordDoc {
    /// The record format's version.
    pub format: u32,
    /// The label given with `--label`, unique in the vault.
    pub label: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// The escrow that wrote the record (name and version).
    pub tool: Tool,
    /// The ledger position (the entry's `seq`, counted from 0) the record was written for.
    pub seq: u64,
    /// The ledger head this record follows: SHA-256 of the last ledger line before it, 64 hex
    /// digits (the genesis value for an empty ledger).
    pub prev: String,
    /// The change note given with `--note`; `null` when none was given.
    pub note: Option<NoteDoc>,
    /// Where the delivery came from (folder, archive, git).
    pub source: SourceInfo,
    /// The manifest the delivery was checked against.
    pub manifest: StoredManifestDoc,
    /// The delivery tree's digests and counts.
    pub tree: TreeDoc,
    /// The check report stored with the snapshot.
    pub report: Report,
    /// The file list's pieces, in order: every entry of the delivery, sorted by path bytes.
    pub listing: Vec<ChunkDoc>,
    /// The repository history (a git delivery deposited `--with-history`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryDoc>,
    /// The build log (deposited with `--build`); absent otherwise. The build's record is in
    /// `report`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_log: Option<BuildLogDoc>,
}

/// What an entry of the delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKindDoc {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link.
    Symlink,
    /// Device, FIFO or socket: recorded, never stored.
    Special,
}

/// One entry of the delivery (`show --files`); a path that is not UTF-8 is given in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryDoc {
    /// The path relative to the delivery's root, `/`-separated, when it is UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The path's bytes in lowercase hex, when the path is not UTF-8 (then `path` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_hex: Option<String>,
    /// File, folder, symbolic link or special file.
    pub kind: EntryKindDoc,
    /// `st_mode` (type and permission bits).
    pub mode: u32,
    /// Bytes.
    pub size: u64,
    /// Regular files: SHA-256 of the content, 64 hex digits (the id of its vault object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Symbolic links: the target, when it is UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Symbolic links: the target's bytes in lowercase hex, when the target is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_hex: Option<String>,
}

/// A snapshot as `show` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShowDoc {
    /// The `show` document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `show`.
    pub document: String,
    /// The snapshot id: SHA-256 of its record, 64 hex digits.
    pub snapshot: String,
    /// Its ledger entry.
    pub ledger: LedgerRecord,
    /// The snapshot's record, with its stored check report.
    pub record: RecordDoc,
    /// The file list: empty unless `--files` was given.
    pub entries: Vec<EntryDoc>,
}

impl ShowDoc {
    /// The document of a snapshot. Fails only when the stored report cannot be read as a
    /// report of this version.
    pub fn new(
        entry: &LedgerEntry,
        record: &SnapshotRecord,
        report: Report,
        entries: &[RecEntry],
    ) -> Result<ShowDoc, serde_json::Error> {
        let r = record;
        Ok(ShowDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            snapshot: entry.snapshot.clone(),
            ledger: LedgerRecord::new(entry),
            record: RecordDoc {
                format: r.format,
                label: r.label.clone(),
                created_at: r.created_at.clone(),
                tool: crate::report::Tool {
                    name: r.tool.name.clone(),
                    version: r.tool.version.clone(),
                },
                seq: r.seq,
                prev: r.prev.clone(),
                note: r.note.as_ref().map(|n| NoteDoc {
                    file: n.file.clone(),
                    sha256: n.sha256.clone(),
                    text: n.text.clone(),
                }),
                source: SourceInfo::new(&r.source),
                manifest: StoredManifestDoc {
                    path: r.manifest.path.clone(),
                    sha256: r.manifest.sha256.clone(),
                    text: r.manifest.text.clone(),
                },
                tree: TreeDoc {
                    sha256: r.tree.sha256.clone(),
                    sm3: r.tree.sm3.clone(),
                    files: r.tree.files,
                    bytes: r.tree.bytes,
                    entries: r.tree.entries,
                },
                report,
                listing: r
                    .listing
                    .iter()
                    .map(|c| ChunkDoc {
                        sha256: c.sha256.clone(),
                        entries: c.entries,
                    })
                    .collect(),
                history: r.history.as_ref().map(|h| HistoryDoc {
                    format: h.format.clone(),
                    sha256: h.sha256.clone(),
                    size: h.size,
                }),
                build_log: r.build_log.as_ref().map(|b| BuildLogDoc {
                    sha256: b.sha256.clone(),
                    size: b.size,
                }),
            },
            entries: entries.iter().map(entry_doc).collect(),
        })
    }
}

fn entry_doc(e: &RecEntry) -> EntryDoc {
    EntryDoc {
        path: e.path.clone(),
        path_hex: e.path_hex.clone(),
        kind: match e.kind {
            EntryKind::File => EntryKindDoc::File,
            EntryKind::Dir => EntryKindDoc::Dir,
            EntryKind::Symlink => EntryKindDoc::Symlink,
            EntryKind::Special => EntryKindDoc::Special,
        },
        mode: e.mode,
        size: e.size,
        sha256: e.sha256.clone(),
        target: e.target.clone(),
        target_hex: e.target_hex.clone(),
    }
}

/// A label padded to the width of the record's first column.
fn label(lang: Lang, en: &str, zh: &str) -> String {
    let l = pick(lang, en, zh);
    let width = if lang == Lang::Zh { 16 } else { 13 };
    format!("{l}{}", " ".repeat(width - l.width().min(width - 1)))
}

impl ShowDoc {
    /// The build line: how the build ended and where its log is.
    fn build_line(&self, lang: Lang) -> Option<String> {
        use crate::report::BuildStatusInfo as Status;
        let r = &self.record;
        let (log, b) = (r.build_log.as_ref()?, r.report.build.as_ref()?);
        let how = match (lang, b.status) {
            (Lang::En, Status::Succeeded) => "succeeded",
            (Lang::En, Status::Failed) => "FAILED",
            (Lang::En, Status::TimedOut) => "TIMED OUT",
            (Lang::Zh, Status::Succeeded) => "成功",
            (Lang::Zh, Status::Failed) => "失败",
            (Lang::Zh, Status::TimedOut) => "超时",
        };
        let (iso, sha, size) = (
            b.isolation.as_str(),
            short(&log.sha256),
            human_bytes(log.size),
        );
        Some(match lang {
            Lang::En => format!(
                "{how} with {iso} isolation; log sha256 {sha} ({size}), `escrow show {} --build-log` prints it",
                r.label
            ),
            Lang::Zh => format!(
                "{how}，隔离方式 {iso}；编译日志 sha256 {sha}（{size}），运行 `escrow show {} --build-log` 查看",
                r.label
            ),
        })
    }
}

impl Document for ShowDoc {
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.snapshot_page(lang))
    }

    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        let lang = style.lang;
        let r = &self.record;
        let l = |en, zh| label(lang, en, zh);
        writeln!(out, "{}{}", l("snapshot", "快照编号"), self.snapshot)?;
        writeln!(out, "{}{}", l("label", "标签"), r.label)?;
        let when = cst_time(&r.created_at, lang);
        match lang {
            Lang::En => writeln!(out, "{}{when} (ledger seq {})", l("deposited", ""), r.seq)?,
            Lang::Zh => writeln!(out, "{}{when}，账本序号 {}", l("", "入库时间"), r.seq)?,
        }
        writeln!(
            out,
            "{}{} {}",
            l("source", "来源"),
            r.source.kind,
            r.source.path
        )?;
        writeln!(
            out,
            "{}{}",
            l("tree sha256", "目录树 SHA-256"),
            r.tree.sha256
        )?;
        writeln!(out, "{}{}", l("tree sm3", "目录树 SM3"), r.tree.sm3)?;
        writeln!(
            out,
            "{}{}",
            l("record sm3", "快照记录 SM3"),
            self.ledger.snapshot_sm3
        )?;
        let (files, bytes) = (r.tree.files, human_bytes(r.tree.bytes));
        match lang {
            Lang::En => writeln!(out, "{}{files} ({bytes})", l("files", ""))?,
            Lang::Zh => writeln!(out, "{}{files} 个（{bytes}）", l("", "文件"))?,
        }
        let m = &r.manifest;
        let sha = short(&m.sha256);
        match lang {
            Lang::En => writeln!(out, "{}{} (sha256 {sha})", l("manifest", ""), m.path)?,
            Lang::Zh => writeln!(out, "{}{}（sha256 {sha}）", l("", "清单"), m.path)?,
        }
        writeln!(out, "{}escrow {}", l("tool", "工具"), r.tool.version)?;
        match &r.note {
            Some(n) => {
                let head = l("change note", "修改说明");
                match lang {
                    Lang::En => writeln!(out, "{head}{} (sha256 {})", n.file, short(&n.sha256))?,
                    Lang::Zh => writeln!(out, "{head}{}（sha256 {}）", n.file, short(&n.sha256))?,
                }
                for line in n.text.lines().take(20) {
                    // A note written on Windows ends its lines with CR, escaped by then.
                    let line = line.strip_suffix("\\u{d}").unwrap_or(line);
                    writeln!(out, "    {line}")?;
                }
            }
            None => writeln!(
                out,
                "{}{}",
                l("change note", "修改说明"),
                pick(lang, "none", "无")
            )?,
        }
        if let Some(line) = self.build_line(lang) {
            writeln!(out, "{}{line}", l("build", "编译"))?;
        }
        writeln!(out)?;
        crate::report::render_human(&r.report, lang, false, out)
    }
}

/// How many entries of the file list a page shows.
const ENTRIES_SHOWN: usize = 200;
/// How many lines of the stored manifest a page shows.
const MANIFEST_LINES: usize = 200;
/// How many finding codes a page lists.
const CODES_SHOWN: usize = 20;

impl ShowDoc {
    /// The record's identity, digests and counts.
    fn record_fields(&self, lang: Lang) -> Block {
        let r = &self.record;
        let mut f = vec![
            Field::new(
                pick(
                    lang,
                    "Snapshot id (SHA-256 of the record)",
                    "快照编号（快照记录 SHA-256）",
                ),
                Text::mono(&self.snapshot),
            ),
            Field::new(
                pick(lang, "Snapshot record SM3", "快照记录 SM3"),
                Text::mono(&self.ledger.snapshot_sm3),
            ),
            Field::new(pick(lang, "Label", "标签"), r.label.as_str()),
            Field::new(
                pick(lang, "Deposited at", "入库时间"),
                cst_time(&r.created_at, lang),
            ),
            Field::new(pick(lang, "Ledger entry", "账本序号"), r.seq.to_string()),
            Field::new(
                pick(lang, "Previous ledger head", "入库前的账本校验值"),
                Text::mono(&r.prev),
            ),
            Field::new(
                pick(lang, "Delivery", "交付来源"),
                source_text(&r.source, lang),
            ),
            Field::new(
                pick(lang, "Tree digest SHA-256", "目录树摘要 SHA-256"),
                Text::mono(&r.tree.sha256),
            ),
            Field::new(
                pick(lang, "Tree digest SM3", "目录树摘要 SM3"),
                Text::mono(&r.tree.sm3),
            ),
            Field::new(pick(lang, "Files", "文件数量"), r.tree.files.to_string()),
            Field::new(
                pick(lang, "Total size", "总大小"),
                size_text(r.tree.bytes, lang),
            ),
            Field::new(
                pick(
                    lang,
                    "Entries (files, folders, links)",
                    "条目（文件、文件夹、链接）",
                ),
                r.tree.entries.to_string(),
            ),
            Field::new(pick(lang, "Check", "检查结论"), check_text(&r.report, lang)),
            Field::new(
                pick(lang, "Written by", "写入工具"),
                format!("escrow {}", r.tool.version),
            ),
        ];
        if let Some(h) = &r.history {
            f.push(Field::new(
                pick(lang, "Repository history", "代码仓库修改记录"),
                Text::mono(format!(
                    "{} sha256 {} ({})",
                    h.format,
                    h.sha256,
                    human_bytes(h.size)
                )),
            ));
        }
        Block::Fields(f)
    }

    /// The change note, the stored manifest and the build log.
    fn stored_blocks(&self, lang: Lang, ch: &mut Chapters, page: &mut Page) {
        let r = &self.record;
        ch.next(page, "Change note", "修改说明");
        match &r.note {
            Some(n) => {
                page.push(Block::Fields(vec![
                    Field::new(pick(lang, "File", "文件"), Text::mono(&n.file)),
                    Field::new("SHA-256", Text::mono(&n.sha256)),
                ]));
                let text: Vec<&str> = n
                    .text
                    .lines()
                    .map(|l| l.strip_suffix("\\u{d}").unwrap_or(l))
                    .collect();
                page.push(Block::Code(text.join("\n")));
            }
            None => {
                page.para(pick(lang, "No change note was given.", "未提交修改说明。"));
            }
        }
        ch.next(page, "Manifest checked against", "验收清单");
        let m = &r.manifest;
        page.push(Block::Fields(vec![
            Field::new(pick(lang, "Path", "路径"), Text::mono(&m.path)),
            Field::new("SHA-256", Text::mono(&m.sha256)),
        ]));
        let lines: Vec<&str> = m.text.lines().collect();
        page.push(Block::Code(
            lines[..lines.len().min(MANIFEST_LINES)].join("\n"),
        ));
        if lines.len() > MANIFEST_LINES {
            page.para(more_note(
                lang,
                MANIFEST_LINES,
                lines.len(),
                &format!("`escrow show {} --format json`", r.label),
            ));
        }
        ch.next(page, "Build log", "编译日志");
        page.para(self.build_line(lang).unwrap_or_else(|| {
            pick(
                lang,
                "No build log is kept with this snapshot (it was not deposited with --build).",
                "本快照没有编译日志（入库时未使用 --build）。",
            )
            .to_owned()
        }));
    }

    /// The file list: the entries given (`--files`), capped, else where to get them.
    fn tree_blocks(&self, lang: Lang, page: &mut Page) {
        let r = &self.record;
        page.para(match lang {
            Lang::En => format!(
                "{} entries, {} regular files ({}), kept in {} pieces of the file list.",
                r.tree.entries,
                r.tree.files,
                human_bytes(r.tree.bytes),
                r.listing.len()
            ),
            Lang::Zh => format!(
                "共 {} 个条目，其中普通文件 {} 个（{}），文件清单分 {} 段保存。",
                r.tree.entries,
                r.tree.files,
                human_bytes(r.tree.bytes),
                r.listing.len()
            ),
        });
        let all = format!("`escrow show {} --files --format json`", r.label);
        if self.entries.is_empty() {
            page.para(match lang {
                Lang::En => {
                    format!("The entries are not listed here; {all} gives each with its SHA-256.")
                }
                Lang::Zh => format!("此处不逐一列出条目；{all} 给出每个条目及其 SHA-256。"),
            });
            return;
        }
        let rows = self
            .entries
            .iter()
            .take(ENTRIES_SHOWN)
            .map(|e| {
                let kind = match e.kind {
                    EntryKindDoc::File => pick(lang, "file", "文件"),
                    EntryKindDoc::Dir => pick(lang, "folder", "文件夹"),
                    EntryKindDoc::Symlink => pick(lang, "link", "链接"),
                    EntryKindDoc::Special => pick(lang, "special", "特殊文件"),
                };
                let path = e
                    .path
                    .clone()
                    .or_else(|| e.path_hex.as_ref().map(|h| format!("hex:{h}")))
                    .unwrap_or_default();
                vec![
                    Text::mono(path),
                    Text::plain(kind),
                    Text::plain(e.size.to_string()),
                    Text::mono(e.sha256.as_deref().map(short).unwrap_or_default()),
                ]
            })
            .collect();
        page.push(Block::Table(Table {
            caption: None,
            header: [
                pick(lang, "Path", "路径"),
                pick(lang, "Kind", "类型"),
                pick(lang, "Bytes", "字节"),
                pick(lang, "SHA-256 (first 12)", "SHA-256（前 12 位）"),
            ]
            .map(str::to_owned)
            .to_vec(),
            widths: vec![6, 1, 2, 3],
            rows,
            note: (self.entries.len() > ENTRIES_SHOWN)
                .then(|| more_note(lang, ENTRIES_SHOWN, self.entries.len(), &all)),
        }));
    }

    /// The snapshot as a printable page.
    fn snapshot_page(&self, lang: Lang) -> Page {
        let r = &self.record;
        let mut page = Page::new(lang, pick(lang, "Snapshot record", "快照记录"));
        page.subtitle = Some(r.label.clone());
        page.running_head = format!("{} · {}", page.title, r.label);
        let mut ch = Chapters::new(lang);
        ch.next(&mut page, "The snapshot", "快照");
        page.push(self.record_fields(lang));
        self.stored_blocks(lang, &mut ch, &mut page);
        ch.next(&mut page, "Files", "文件清单");
        self.tree_blocks(lang, &mut page);
        findings_chapter(
            &mut page,
            &mut ch,
            &r.report.findings,
            &r.label,
            lang,
            CODES_SHOWN,
        );
        page.footer = footer(lang, VERSION, None);
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::docs::page_util::testing::{finding, headings, report, tables, text};

    fn doc(entries: usize) -> ShowDoc {
        let ledger: LedgerRecord = serde_json::from_str(&format!(
            r#"{{"seq":1,"time":"2026-03-10T17:30:00Z","event":"deposit","snapshot_sm3":"{}","prev":"{}"}}"#,
            "6".repeat(64),
            "0".repeat(64)
        ))
        .unwrap();
        ShowDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            snapshot: "5".repeat(64),
            ledger,
            record: RecordDoc {
                format: 1,
                label: "v2.4".to_owned(),
                created_at: "2026-03-10T17:30:00Z".to_owned(),
                tool: Tool {
                    name: "escrow".to_owned(),
                    version: "9.8.7".to_owned(),
                },
                seq: 1,
                prev: "0".repeat(64),
                note: Some(NoteDoc {
                    file: "修改说明.txt".to_owned(),
                    sha256: "a".repeat(64),
                    text: "v2.4 修改说明\\u{d}\n- 门诊预约改版\\u{d}\n".to_owned(),
                }),
                source: SourceInfo {
                    kind: "dir".to_owned(),
                    path: "his".to_owned(),
                    ..SourceInfo::default()
                },
                manifest: StoredManifestDoc {
                    path: "m.toml".to_owned(),
                    sha256: "b".repeat(64),
                    text: "[contract]\nid = \"HT-1\"\n".to_owned(),
                },
                tree: TreeDoc {
                    sha256: "c".repeat(64),
                    sm3: "d".repeat(64),
                    files: 3,
                    bytes: 12345,
                    entries: 4,
                },
                report: report(&finding("doc-thin", "warn", None), true),
                listing: vec![ChunkDoc {
                    sha256: "f".repeat(64),
                    entries: 4,
                }],
                history: None,
                build_log: None,
            },
            entries: (0..entries)
                .map(|i| EntryDoc {
                    path: Some(format!("src/f{i:04}.java")),
                    path_hex: None,
                    kind: EntryKindDoc::File,
                    mode: 0o100_644,
                    size: 10,
                    sha256: Some("9".repeat(64)),
                    target: None,
                    target_hex: None,
                })
                .collect(),
        }
    }

    #[test]
    fn the_snapshot_page_has_the_record_note_manifest_and_summary() {
        let d = doc(0);
        let zh = d.page(Lang::Zh).expect("a page");
        assert_eq!(
            headings(&zh),
            [
                "一、快照",
                "二、修改说明",
                "三、验收清单",
                "四、编译日志",
                "五、文件清单",
                "六、检查发现的问题（按问题类型汇总）"
            ]
        );
        let t = text(&zh);
        for want in [
            "5".repeat(64),
            "6".repeat(64),
            "c".repeat(64),
            "d".repeat(64),
            "2026-03-11 01:30（UTC+8 北京时间）".to_owned(),
            "v2.4 修改说明\n- 门诊预约改版".to_owned(),
            "id = \"HT-1\"".to_owned(),
            "本快照没有编译日志".to_owned(),
            "--files --format json".to_owned(),
            "doc-thin".to_owned(),
        ] {
            assert!(t.contains(&want), "{want} in\n{t}");
        }
        assert!(!t.contains("\\u{d}"), "the CR of a Windows note is dropped");
        assert_eq!(tables(&zh).len(), 1, "findings only: no entries given");
        let en = d.page(Lang::En).unwrap();
        assert_eq!(headings(&en)[0], "1. The snapshot");
        assert!(text(&en).contains("China Standard Time"));
    }

    #[test]
    fn entries_given_are_listed_up_to_the_cap_with_a_note() {
        let d = doc(ENTRIES_SHOWN + 5);
        let en = d.page(Lang::En).unwrap();
        let t = tables(&en)[0];
        assert_eq!(t.rows.len(), ENTRIES_SHOWN);
        assert_eq!(t.rows[0][0].text, "src/f0000.java");
        let note = t.note.as_deref().expect("the cap is said");
        assert!(
            note.contains(&format!("{ENTRIES_SHOWN} of {}", ENTRIES_SHOWN + 5)),
            "{note}"
        );
        let few = doc(3);
        assert!(tables(&few.page(Lang::Zh).unwrap())[0].note.is_none());
    }
}
