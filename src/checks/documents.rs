//! `[[document]]`: a companion document is there, is more than a placeholder, and is what its
//! extension says (a `.docx` that is a Word document, not a renamed text file).
//! Codes: `document-missing`, `document-too-small`, `document-not-a-document`.

use std::ffi::OsStr;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;

use rayon::prelude::*;

use super::codes::CheckCode;
use super::config::{Covers, Requirement, RequirementRule};
use super::content;
use super::facts::Facts;
use super::{KindResult, globs, human_bytes};
use crate::delivery::{DeliveryError, Entry};
use crate::filetypes::{Magic, magic_of};
use crate::finding::Finding;

/// The smallest `.docx` that holds one short sentence: 957 bytes, measured on a package of
/// the three parts Word needs (`[Content_Types].xml`, `_rels/.rels`, `word/document.xml` with
/// the sentence "本系统用于门诊挂号。"), deflated, as Python's `zipfile` writes it. Word and
/// LibreOffice write far more (styles, settings, theme: 4 KiB and up), so anything smaller is
/// not a document; rounded down to the hundred.
pub const MIN_DOCX: u64 = 900;
/// The smallest `.xlsx` that holds one short sentence in a cell: 1620 bytes, measured as for
/// [`MIN_DOCX`] on the five parts a workbook needs (content types, package and workbook
/// relationships, `xl/workbook.xml`, one sheet with an inline string); rounded down.
pub const MIN_XLSX: u64 = 1600;
/// `.pptx`: not measured; a presentation needs at least the parts of [`MIN_DOCX`]'s package and
/// more (presentation, slide, slide master, layout, theme), so that figure is a lower bound.
pub const MIN_PPTX: u64 = MIN_DOCX;
/// The smallest `.pdf` that shows one short sentence: 609 bytes, measured on a PDF 1.4 file
/// written by hand to the specification (catalog, page tree, one page, a content stream
/// drawing the line in the standard Helvetica font, the cross-reference table and trailer);
/// rounded down to the hundred.
pub const MIN_PDF: u64 = 600;
/// Old Office and WPS files (`.doc`, `.xls`, `.ppt`, `.wps`, `.et`, `.dps`): an OLE compound
/// file has at least a 512-byte header, one sector of its allocation table and one of its
/// directory ([MS-CFB] 2.2 and 2.9, version 3 files with 512-byte sectors): 1536 bytes before
/// any content.
pub const MIN_OLE: u64 = 1536;
/// Text and every other format (Markdown, plain text, HTML, RTF, …): 1 KiB, about 300 Chinese
/// characters or 15 lines of English, less than any real build guide or manual.
pub const MIN_TEXT: u64 = 1024;

/// The `min-bytes` a document at `path` must reach when its `[[document]]` gives none: by its
/// extension (letter case ignored), the smallest file of that format that can hold one short
/// sentence ([`MIN_DOCX`], [`MIN_XLSX`], [`MIN_PPTX`], [`MIN_PDF`], [`MIN_OLE`]; [`MIN_TEXT`] for
/// the rest). The manifest drafter shows it; an explicit `min-bytes` wins over it.
pub fn default_min_bytes(path: &str) -> u64 {
    match extension(path.as_bytes()).as_str() {
        "docx" | "docm" | "dotx" => MIN_DOCX,
        "xlsx" | "xlsm" => MIN_XLSX,
        "pptx" | "pptm" => MIN_PPTX,
        "pdf" => MIN_PDF,
        "doc" | "xls" | "ppt" | "wps" | "et" | "dps" => MIN_OLE,
        _ => MIN_TEXT,
    }
}

/// The lower-case extension of a path's last component ("" when none).
fn extension(path: &[u8]) -> String {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    match name.iter().rposition(|&b| b == b'.') {
        Some(i) if i > 0 => String::from_utf8_lossy(&name[i + 1..]).to_lowercase(),
        _ => String::new(),
    }
}

/// What a document's extension promises about its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Promise {
    /// An OOXML package: a zip holding `[Content_Types].xml` and this main part.
    Ooxml(&'static str),
    /// `%PDF-` within the first 1024 bytes (where readers look for it).
    Pdf,
    /// An OLE compound file (or an RTF document, which Word saves as `.doc` too).
    Ole,
    /// WPS Office: an OLE compound file, or a zip (its newer files).
    OleOrZip,
}

impl Promise {
    fn of(ext: &str) -> Option<Promise> {
        Some(match ext {
            "docx" | "docm" | "dotx" => Promise::Ooxml("word/document.xml"),
            "xlsx" | "xlsm" => Promise::Ooxml("xl/workbook.xml"),
            "pptx" | "pptm" => Promise::Ooxml("ppt/presentation.xml"),
            "pdf" => Promise::Pdf,
            "doc" | "xls" | "ppt" => Promise::Ole,
            "wps" | "et" | "dps" => Promise::OleOrZip,
            _ => return None,
        })
    }

    /// What the format is called, for messages.
    fn name(self, ext: &str) -> String {
        match self {
            Promise::Ooxml(_) => format!("an Office .{ext} document"),
            Promise::Pdf => "a PDF document".to_owned(),
            Promise::Ole => format!("an Office .{ext} document (Office 97–2003)"),
            Promise::OleOrZip => format!("a WPS Office .{ext} document"),
        }
    }
}

/// How many bytes of a document's start are read: PDF readers accept `%PDF-` anywhere in them.
const HEAD: u64 = 1024;
/// Zip directories larger than this are not read (a real Office document's is a few KiB): such
/// a file is not judged.
const MAX_DIRECTORY: u64 = 8 << 20;
const OLE: &[u8] = &[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/// What a document file really is when it is not what its extension says: `(English, Chinese)`,
/// e.g. ("plain text, 10 bytes", "纯文本，10 字节"); `None` when it is, or cannot be judged.
fn not_a_document(
    file: &mut (impl Read + Seek),
    size: u64,
    promise: Promise,
) -> std::io::Result<Option<(String, String)>> {
    let mut head = Vec::new();
    file.by_ref().take(HEAD).read_to_end(&mut head)?;
    let is_zip = head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06");
    let ok = match promise {
        Promise::Pdf => head.windows(5).any(|w| w == b"%PDF-"),
        Promise::Ole => head.starts_with(OLE) || head.starts_with(b"{\\rtf"),
        Promise::OleOrZip => head.starts_with(OLE) || head.starts_with(b"{\\rtf") || is_zip,
        Promise::Ooxml(part) if is_zip => {
            return Ok(missing_parts(file, part)?.map(|missing| {
                (
                    format!("a zip without {missing}, {size} bytes"),
                    format!("缺少 {missing} 的 zip 压缩包，{size} 字节"),
                )
            }));
        }
        Promise::Ooxml(_) => false,
    };
    Ok((!ok).then(|| what_it_is(&head, size)))
}

/// The OOXML parts (`[Content_Types].xml`, `part`) a zip lacks, named as the message says
/// them; `None` when it has both. A directory larger than [`MAX_DIRECTORY`] is not read: no
/// document has one (tens of thousands of parts), so it is named as the problem.
fn missing_parts(file: &mut (impl Read + Seek), part: &str) -> std::io::Result<Option<String>> {
    if let Some(n) = directory_size(file)?.filter(|n| *n > MAX_DIRECTORY) {
        return Ok(Some(format!(
            "a readable directory (its directory alone is {n} bytes, more than any document has)"
        )));
    }
    file.seek(SeekFrom::Start(0))?;
    let Ok(zip) = zip::ZipArchive::new(file) else {
        return Ok(Some(
            "a readable directory (damaged or cut short)".to_owned(),
        ));
    };
    let has = |want: &str| zip.file_names().any(|n| n.eq_ignore_ascii_case(want));
    let missing: Vec<&str> = ["[Content_Types].xml", part]
        .into_iter()
        .filter(|p| !has(p))
        .collect();
    Ok((!missing.is_empty()).then(|| missing.join(" and ")))
}

/// The size of a zip's central directory, from its end record (in the last 64 KiB + 22 bytes);
/// `None` when there is none to read or it is a Zip64 one (the zip crate bounds those itself).
fn directory_size(file: &mut (impl Read + Seek)) -> std::io::Result<Option<u64>> {
    let len = file.seek(SeekFrom::End(0))?;
    let tail_len = len.min(65_536 + 22);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = Vec::new();
    file.by_ref().take(tail_len).read_to_end(&mut tail)?;
    let Some(at) = tail
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .filter(|&i| i + 22 <= tail.len())
    else {
        return Ok(None);
    };
    let size = u32::from_le_bytes(tail[at + 12..at + 16].try_into().expect("4 bytes"));
    Ok((size != u32::MAX).then_some(u64::from(size)))
}

/// What a file's first bytes say it is, for the evidence: `(English, Chinese)`.
fn what_it_is(head: &[u8], size: u64) -> (String, String) {
    let (en, zh) = if size == 0 {
        return ("an empty file".to_owned(), "空文件".to_owned());
    } else {
        let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        let start = String::from_utf8_lossy(&text[..text.len().min(256)])
            .trim_start()
            .to_ascii_lowercase();
        match magic_of(head) {
            Magic::Zip => ("a zip archive", "zip 压缩包"),
            Magic::Cfb => (
                "an OLE compound file (an Office 97–2003 file)",
                "OLE 复合文档（Office 97–2003 文件）",
            ),
            Magic::Pdf => ("a PDF document", "PDF 文档"),
            Magic::Pe { .. } | Magic::Elf | Magic::MachO => {
                ("a program (executable)", "可执行程序")
            }
            Magic::Media => ("an image or other media file", "图片或其他媒体文件"),
            Magic::SevenZip | Magic::Rar | Magic::Compressed(_) | Magic::ArArchive => {
                ("a compressed archive", "压缩文件")
            }
            _ if start.starts_with("<!doctype html") || start.starts_with("<html") => {
                ("an HTML web page", "HTML 网页")
            }
            _ if start.starts_with("<?xml") || start.starts_with('<') => {
                ("XML or markup text", "XML 或标记文本")
            }
            _ if is_text(text) => ("plain text", "纯文本"),
            _ => ("data of no known document format", "无法识别格式的数据"),
        }
    };
    (format!("{en}, {size} bytes"), format!("{zh}，{size} 字节"))
}

/// Text: UTF-8 (a character cut at the end of the head allowed) or GB18030 without control
/// characters other than tab, line feed, carriage return and form feed.
fn is_text(bytes: &[u8]) -> bool {
    let controls = bytes
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c));
    !controls
        && (match std::str::from_utf8(bytes) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none(),
        } || !encoding_rs::GB18030.decode_without_bom_handling(bytes).1)
}

/// Check one `[[document]]`: its matched `files`, each at least `min-bytes` (by default, its
/// format's [`default_min_bytes`]), each of a binary format what its extension says (read
/// through the delivery's handle: its first 1024 bytes, and a zip's directory), and then their
/// text ([`content::check`]): readable, more than a placeholder, naming what `covers` asks
/// for of the code's `facts`.
pub(crate) fn check(
    req: &Requirement,
    files: &[&Entry],
    facts: &Facts,
    delivery: &crate::delivery::Delivery,
) -> Result<KindResult, DeliveryError> {
    let RequirementRule::Document {
        min_bytes,
        min_words,
        ref covers,
        min_coverage,
    } = req.rule
    else {
        unreachable!("a document requirement has a document rule")
    };
    let Some(big) = files.iter().max_by_key(|e| e.size) else {
        return Ok(KindResult {
            evidence: "no files".to_owned(),
            evidence_zh: "无文件".to_owned(),
            findings: vec![Finding::of(
                CheckCode::DocumentMissing,
                format!(
                    "document {:?}: no delivered file matches {}",
                    req.name,
                    globs(req)
                ),
                format!(
                    "文档「{}」：交付物中没有与 {} 匹配的文件",
                    req.name,
                    globs(req)
                ),
            )],
            ..KindResult::default()
        });
    };
    let (not, not_paths) = not_documents(req, files, delivery)?;
    // When no matching file is a document at all, that is the finding: its size says nothing.
    let mut findings: Vec<Finding> = if not.len() < files.len() {
        too_small(req, files, big, min_bytes).into_iter().collect()
    } else {
        Vec::new()
    };
    findings.extend(not);
    let documents: Vec<&Entry> = files
        .iter()
        .copied()
        .filter(|e| !not_paths.contains(&e.path))
        .collect();
    let rule = content::Rule {
        min_words,
        covers,
        min_coverage,
    };
    let read = if documents.is_empty() {
        None
    } else {
        Some(content::check(req, &documents, &rule, facts, delivery)?)
    };
    let shown = format!("{} ({})", big.display_path(), human_bytes(big.size));
    let (mut evidence, mut evidence_zh) = if files.len() == 1 {
        (shown.clone(), shown)
    } else {
        (
            format!("{} files, largest {shown}", files.len()),
            format!("{} 个文件，最大 {shown}", files.len()),
        )
    };
    let mut out = KindResult::default();
    if let Some(c) = read {
        let words: u64 = c.documents.iter().filter_map(|d| d.words).sum();
        let readable = c.documents.iter().filter(|d| d.words.is_some()).count();
        if readable > 0 {
            evidence.push_str(&format!("; {words} words"));
            evidence_zh.push_str(&format!("；{words} 字"));
        }
        for cc in &c.cross_checks {
            evidence.push_str(&format!(
                "; {} {}/{} ({}%)",
                cc.covers.as_str(),
                cc.named,
                cc.items,
                cc.percent
            ));
            evidence_zh.push_str(&format!(
                "；{} {}/{}（{}%）",
                covers_zh(cc.covers),
                cc.named,
                cc.items,
                cc.percent
            ));
        }
        // Both a too-small file and a placeholder text are reported: a manifest that lowers
        // one (`document-too-small = "warn"`) must not hide the other.
        findings.extend(c.findings);
        out.documents = c.documents;
        out.cross_checks = c.cross_checks;
        if covers.contains(&Covers::Changes) {
            out.change_notes = c.texts;
        }
    }
    out.evidence = evidence;
    out.evidence_zh = evidence_zh;
    out.findings = findings;
    Ok(out)
}

/// What a document covers, in Chinese.
pub fn covers_zh(c: Covers) -> &'static str {
    match c {
        Covers::Tables => "数据表",
        Covers::Dependencies => "依赖",
        Covers::Endpoints => "接口",
        Covers::BuildTools => "编译工具",
        Covers::Changes => "变更模块",
    }
}

/// `document-too-small` when every file of `files` is below its minimum: `min_bytes`, or by
/// default its format's; `big` is the largest.
fn too_small(
    req: &Requirement,
    files: &[&Entry],
    big: &Entry,
    min_bytes: Option<u64>,
) -> Option<Finding> {
    let needed = |e: &Entry| min_bytes.unwrap_or_else(|| default_min_bytes(&e.display_path()));
    if files.iter().all(|e| e.size < needed(e)) {
        let n = needed(big);
        let (why, why_zh) = if min_bytes.is_some() {
            (format!("min-bytes = {n}"), format!("min-bytes = {n}"))
        } else {
            let ext = extension(&big.path);
            let ext = if ext.is_empty() {
                "text".to_owned()
            } else {
                format!(".{ext}")
            };
            (
                format!(
                    "{n} bytes, the default for a {ext} file (the smallest that holds a sentence; set min-bytes to change it)"
                ),
                format!(
                    "{ext} 文件的默认下限 {n} 字节（能容纳一句话的最小文件；可用 min-bytes 修改）"
                ),
            )
        };
        return Some(
            Finding::of(
                CheckCode::DocumentTooSmall,
                format!(
                    "document {:?}: the largest matching file is {} bytes, below {why}",
                    req.name, big.size
                ),
                format!(
                    "文档「{}」：最大的匹配文件只有 {} 字节，小于 {why_zh}",
                    req.name, big.size
                ),
            )
            .path(big.display_path())
            .evidence(
                files
                    .iter()
                    .take(5)
                    .map(|e| {
                        // Words in neither language: shown as it is in both reports.
                        format!("{} ({} B < {} B)", e.display_path(), e.size, needed(e))
                    })
                    .collect(),
            ),
        );
    }
    None
}

/// The `document-not-a-document` findings and the paths of the files they are about.
type NotDocuments = (Vec<Finding>, Vec<Box<[u8]>>);

/// `document-not-a-document` for each file of `files` whose extension names a binary document
/// format its bytes are not, read through the delivery's handle; with the paths of those files.
fn not_documents(
    req: &Requirement,
    files: &[&Entry],
    delivery: &crate::delivery::Delivery,
) -> Result<NotDocuments, DeliveryError> {
    let mut findings = Vec::new();
    let mut paths = Vec::new();
    let judged: Vec<Option<(String, String)>> = files
        .par_iter()
        .map(|e| {
            let Some(promise) = Promise::of(&extension(&e.path)) else {
                return Ok(None);
            };
            let path = delivery.root.join(OsStr::from_bytes(&e.path));
            // Through the delivery's handle: no link followed on any component.
            delivery
                .open_file(&e.path)
                .and_then(|mut f| not_a_document(&mut f, e.size, promise))
                .map_err(|source| DeliveryError::Unreadable { path, source })
        })
        .collect::<Result<_, _>>()?;
    for (e, what) in files.iter().zip(judged) {
        let Some((what, what_zh)) = what else {
            continue;
        };
        paths.push(e.path.clone());
        let ext = extension(&e.path);
        let format = Promise::of(&ext).map(|p| p.name(&ext)).unwrap_or_default();
        findings.push(
            Finding::of(
                CheckCode::DocumentNotADocument,
                format!(
                    "document {:?}: {} is not {format} but {what}: ask the vendor for the real document, saved by the program that made it",
                    req.name,
                    e.display_path()
                ),
                format!(
                    "文档「{}」：{} 并非真正的 .{ext} 文档，而是{what_zh}：请要求供应商提供用原软件保存的真实文档",
                    req.name,
                    e.display_path()
                ),
            )
            .path(e.display_path())
            .evidence(vec![format!("{}: {what} / {what_zh}", e.display_path())]),
        );
    }
    Ok((findings, paths))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for n in names {
            w.start_file(*n, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(b"<x/>").unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_whose_directory_is_too_large_to_read_is_no_document() {
        // 90,000 empty entries with 100-character names: a directory of some 13 MiB.
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for n in 0..90_000 {
            w.start_file(format!("{n:0>100}"), stored).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        let missing = missing_parts(&mut Cursor::new(bytes), "word/document.xml").unwrap();
        assert!(
            missing.is_some_and(|m| m.contains("more than any document has")),
            "a directory too large to read must not pass as a document"
        );
    }

    fn judge(bytes: &[u8], ext: &str) -> Option<String> {
        let promise = Promise::of(ext).unwrap();
        not_a_document(&mut Cursor::new(bytes), bytes.len() as u64, promise)
            .unwrap()
            .map(|(en, _)| en)
    }

    #[test]
    fn defaults_by_format() {
        assert_eq!(default_min_bytes("docs/用户手册.DOCX"), MIN_DOCX);
        assert_eq!(default_min_bytes("a.xlsx"), MIN_XLSX);
        assert_eq!(default_min_bytes("a.pdf"), MIN_PDF);
        assert_eq!(default_min_bytes("a.wps"), MIN_OLE);
        assert_eq!(default_min_bytes("README"), MIN_TEXT);
        assert_eq!(default_min_bytes("docs.v2/guide.md"), MIN_TEXT);
    }

    #[test]
    fn documents_are_what_their_extension_says() {
        let docx = zip_of(&["[Content_Types].xml", "word/document.xml"]);
        assert_eq!(judge(&docx, "docx"), None);
        assert_eq!(
            judge(&zip_of(&["[Content_Types].xml"]), "docx").as_deref(),
            Some(
                format!(
                    "a zip without word/document.xml, {} bytes",
                    zip_of(&["[Content_Types].xml"]).len()
                )
                .as_str()
            )
        );
        assert!(judge(&docx, "xlsx").unwrap().contains("xl/workbook.xml"));
        assert_eq!(
            judge(b"hello text", "docx").as_deref(),
            Some("plain text, 10 bytes")
        );
        assert_eq!(
            judge(b"<html><body>x</body></html>", "doc").as_deref(),
            Some("an HTML web page, 27 bytes")
        );
        assert_eq!(judge(b"", "pdf").as_deref(), Some("an empty file"));
        let mut pdf = vec![b' '; 1000];
        pdf.extend_from_slice(b"%PDF-1.7");
        assert_eq!(judge(&pdf, "pdf"), None, "within the first 1024 bytes");
        let mut late = vec![b' '; 1020];
        late.extend_from_slice(b"%PDF-1.7");
        assert!(judge(&late, "pdf").is_some());
        let mut ole = OLE.to_vec();
        ole.resize(2048, 0);
        assert_eq!(judge(&ole, "xls"), None);
        assert_eq!(judge(&ole, "wps"), None);
        assert_eq!(judge(&docx, "wps"), None);
        assert!(judge(&docx, "doc").unwrap().starts_with("a zip archive"));
        assert!(
            judge(b"PK\x03\x04garbage", "pptx")
                .unwrap()
                .contains("damaged")
        );
    }
}
