//! `show`: a snapshot's record, its ledger entry and its stored check report.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use unicode_width::UnicodeWidthStr;

use super::{LedgerRecord, SourceInfo, pick, short};
use crate::checks::human_bytes;
use crate::delivery::EntryKind;
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
