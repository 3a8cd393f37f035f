//! Text of the companion documents vendors deliver: Word, Excel and PowerPoint (OOXML), PDF,
//! Markdown, plain text, HTML and RTF, in any of the encodings [`crate::text`] reads, and the
//! legacy Office formats where a maintained crate reads them. Every read is bounded in input
//! size, expanded size, text length and time, so a hostile document (a zip bomb, a PDF whose
//! objects refer to each other in a loop) ends as [`Unreadable`], never as a hung or exhausted
//! `check`.
//!
//! A leaf: it knows nothing of manifests or findings.

use std::io::Read;
use std::time::Duration;

mod html;
mod isolate;
mod ooxml;
mod pdf;
mod rtf;
#[cfg(test)]
mod tests;
mod words;

pub use isolate::{serve_child, set_isolation};
pub use words::{TEMPLATE_PHRASES, template_phrases, word_count};

/// A document's format, chosen by its extension (letter case ignored) and confirmed by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `.docx`, `.docm`, `.dotx`.
    Docx,
    /// `.xlsx`, `.xlsm`.
    Xlsx,
    /// `.pptx`, `.pptm`.
    Pptx,
    /// `.pdf`.
    Pdf,
    /// `.md`, `.markdown`.
    Markdown,
    /// `.txt` and files without a known extension that decode as text.
    Text,
    /// `.html`, `.htm`.
    Html,
    /// `.rtf` (and a `.doc` that is really RTF).
    Rtf,
    /// `.doc` (Word 97–2003) and `.wps`.
    Doc,
    /// `.xls` (Excel 97–2003) and `.et`.
    Xls,
    /// `.ppt` (PowerPoint 97–2003) and `.dps`.
    Ppt,
}

impl Format {
    /// The format a file name promises; `None` for names no reader knows (images, archives, …).
    pub fn of(name: &[u8]) -> Option<Format> {
        let base = name.rsplit(|&b| b == b'/' || b == b'\\').next()?;
        let dot = base.iter().rposition(|&b| b == b'.')?;
        let ext = base.get(dot + 1..)?.to_ascii_lowercase();
        Some(match ext.as_slice() {
            b"docx" | b"docm" | b"dotx" | b"dotm" => Format::Docx,
            b"xlsx" | b"xlsm" | b"xltx" | b"xltm" => Format::Xlsx,
            b"pptx" | b"pptm" | b"potx" => Format::Pptx,
            b"pdf" => Format::Pdf,
            b"md" | b"markdown" => Format::Markdown,
            b"txt" | b"text" => Format::Text,
            b"html" | b"htm" | b"xhtml" => Format::Html,
            b"rtf" => Format::Rtf,
            b"doc" | b"dot" | b"wps" => Format::Doc,
            b"xls" | b"et" => Format::Xls,
            b"ppt" | b"pps" | b"dps" => Format::Ppt,
            _ => return None,
        })
    }

    /// The short name shown in reports: "docx", "pdf", "markdown", …
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Pptx => "pptx",
            Format::Pdf => "pdf",
            Format::Markdown => "markdown",
            Format::Text => "text",
            Format::Html => "html",
            Format::Rtf => "rtf",
            Format::Doc => "doc",
            Format::Xls => "xls",
            Format::Ppt => "ppt",
        }
    }
}

/// The bounds of one extraction.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest file read, in bytes.
    pub max_input: u64,
    /// The most bytes decompressed from a document's parts (zip members, PDF streams) in all.
    pub max_expanded: u64,
    /// The longest text kept, in bytes; the rest is dropped and [`Extracted::truncated`] set.
    pub max_text: usize,
    /// Wall-clock time for one document.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input: 64 << 20,
            max_expanded: 256 << 20,
            max_text: 16 << 20,
            timeout: Duration::from_secs(10),
        }
    }
}

/// The text of a readable document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Extracted {
    /// What it was read as.
    pub format: Format,
    /// Its text: paragraphs, table cells (each cell separated by a tab or newline), slide text,
    /// sheet cells, in document order. Markup (HTML tags, RTF control words) removed.
    pub text: String,
    /// [`word_count`] of `text`.
    pub words: u64,
    /// The text encoding for text formats ("UTF-8", "GB18030/GBK", "UTF-16LE (BOM)", …).
    pub encoding: Option<String>,
    /// The text was longer than [`Limits::max_text`] and was cut.
    pub truncated: bool,
}

/// Why a document's text could not be read: each says what to do in English and Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum Unreadable {
    /// No reader for this format here (e.g. legacy `.doc`).
    #[error("no text reader for .{0} documents")]
    Unsupported(String),
    /// Larger than [`Limits::max_input`].
    #[error("{size} bytes, more than the {limit} bytes a document is read up to")]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Its parts expand past [`Limits::max_expanded`] (a zip bomb).
    #[error("its compressed parts expand past {limit} bytes (a zip bomb or a damaged file)")]
    Bomb {
        /// The limit.
        limit: u64,
    },
    /// Password-protected or encrypted.
    #[error("it is encrypted or password-protected")]
    Encrypted,
    /// Reading took longer than [`Limits::timeout`].
    #[error("reading it took longer than {0} seconds")]
    TimedOut(u64),
    /// The reader failed: the message says where.
    #[error("damaged: {0}")]
    Damaged(String),
}

impl Unreadable {
    /// The same in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Unreadable::Unsupported(ext) => format!("无法读取 .{ext} 格式文档的文字"),
            Unreadable::TooLarge { size, limit } => {
                format!("文件 {size} 字节，超过读取上限 {limit} 字节")
            }
            Unreadable::Bomb { limit } => {
                format!("压缩部件解压后超过 {limit} 字节（压缩炸弹或文件已损坏）")
            }
            Unreadable::Encrypted => "文档已加密或设有密码".to_owned(),
            Unreadable::TimedOut(s) => format!("读取超过 {s} 秒未完成"),
            Unreadable::Damaged(m) => format!("文件已损坏：{m}"),
        }
    }
}

/// Read the text of the document named `name` (its path in the delivery; the extension chooses
/// the reader) from `file`, `size` bytes long, within `limits`. Runs in a child process when
/// [`set_isolation`] was called (the CLI does), in this process otherwise; in this process a
/// reader's panic becomes [`Unreadable::Damaged`], but time is not bounded.
///
/// A name without a known extension is read as [`Format::Text`].
///
/// # Errors
/// [`Unreadable`] for every document whose text cannot be had, with the reason.
pub fn extract(
    name: &[u8],
    file: &mut dyn Read,
    size: u64,
    limits: &Limits,
) -> Result<Extracted, Unreadable> {
    let bytes = read_bounded(file, size, limits.max_input)?;
    // Text, Markdown, HTML and RTF are read by this module's own readers, which hold no
    // recursion and stop at `max_text`: no child needed (a child costs some 8 ms). Office
    // packages and PDF go through third-party parsers, in the child.
    let own_reader = confirm(Format::of(name).unwrap_or(Format::Text), &bytes).is_ok_and(|f| {
        matches!(
            f,
            Format::Markdown
                | Format::Text
                | Format::Html
                | Format::Rtf
                | Format::Doc
                | Format::Ppt
        )
    });
    match isolate::isolation() {
        Some(exe) if !own_reader => isolate::extract_in_child(exe, name, &bytes, limits),
        _ => extract_caught(name, &bytes, limits),
    }
}

/// Read at most `limit` bytes of a `size`-byte file: refused before reading when `size` is
/// larger, and when the file turns out longer than it said.
fn read_bounded(file: &mut dyn Read, size: u64, limit: u64) -> Result<Vec<u8>, Unreadable> {
    if size > limit {
        return Err(Unreadable::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Unreadable::Damaged(format!("reading it failed: {e}")))?;
    let read = bytes.len() as u64;
    if read > limit {
        return Err(Unreadable::TooLarge { size: read, limit });
    }
    Ok(bytes)
}

/// [`extract_bytes`] with a reader's panic caught and reported as damage.
pub(crate) fn extract_caught(
    name: &[u8],
    bytes: &[u8],
    limits: &Limits,
) -> Result<Extracted, Unreadable> {
    std::panic::catch_unwind(|| extract_bytes(name, bytes, limits)).unwrap_or_else(|_| {
        Err(Unreadable::Damaged(
            "the reader failed on it (an internal error on malformed content)".to_owned(),
        ))
    })
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// The format the bytes confirm for a name promising `promised`: a legacy name whose bytes are
/// really RTF, HTML or OOXML is read as those; a `.docx` that is an OLE file is encrypted OOXML
/// (Office wraps an encrypted package in OLE with an `EncryptionInfo` stream) or a renamed
/// legacy file.
fn confirm(promised: Format, bytes: &[u8]) -> Result<Format, Unreadable> {
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or_default();
    let trimmed = head.trim_ascii_start();
    let is_rtf = trimmed.starts_with(b"{\\rtf");
    let is_html = {
        let lower = trimmed
            .get(..trimmed.len().min(64))
            .unwrap_or_default()
            .to_ascii_lowercase();
        lower.starts_with(b"<html")
            || lower.starts_with(b"<!doctype html")
            || lower.starts_with(b"mime-version")
    };
    let ole = bytes.starts_with(OLE_MAGIC);
    let zip = bytes.starts_with(ZIP_MAGIC);
    let encrypted_ole = ole && memchr::memmem::find(bytes, &utf16le("EncryptionInfo")).is_some();
    match promised {
        Format::Docx | Format::Xlsx | Format::Pptx => {
            if zip {
                Ok(promised)
            } else if encrypted_ole {
                Err(Unreadable::Encrypted)
            } else if ole {
                Ok(legacy_of(promised))
            } else if is_rtf {
                Ok(Format::Rtf)
            } else {
                Err(Unreadable::Damaged(format!(
                    "not a zip archive, as a .{} document must be",
                    promised.as_str()
                )))
            }
        }
        Format::Doc | Format::Xls | Format::Ppt => Ok(if is_rtf {
            Format::Rtf
        } else if is_html {
            Format::Html
        } else if zip {
            modern_of(promised)
        } else if encrypted_ole {
            return Err(Unreadable::Encrypted);
        } else {
            promised
        }),
        Format::Pdf if memchr::memmem::find(head, b"%PDF-").is_none() => Err(Unreadable::Damaged(
            "no %PDF- header in its first 1024 bytes".to_owned(),
        )),
        _ => Ok(promised),
    }
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn legacy_of(f: Format) -> Format {
    match f {
        Format::Docx => Format::Doc,
        Format::Xlsx => Format::Xls,
        _ => Format::Ppt,
    }
}

fn modern_of(f: Format) -> Format {
    match f {
        Format::Doc => Format::Docx,
        Format::Xls => Format::Xlsx,
        _ => Format::Pptx,
    }
}

/// Extract in this process, without catching panics.
fn extract_bytes(name: &[u8], bytes: &[u8], limits: &Limits) -> Result<Extracted, Unreadable> {
    let promised = Format::of(name).unwrap_or(Format::Text);
    let format = confirm(promised, bytes)?;
    let mut out = TextSink::new(limits.max_text);
    let mut encoding = None;
    match format {
        Format::Docx | Format::Pptx => ooxml::read_package(format, bytes, limits, &mut out)?,
        Format::Xlsx | Format::Xls => ooxml::read_workbook(format, bytes, limits, &mut out)?,
        Format::Pdf => pdf::read(bytes, limits, &mut out)?,
        Format::Markdown => {
            let (text, enc) = crate::text::decode(bytes);
            out.push(&without_comments(&text));
            encoding = Some(enc);
        }
        Format::Text => {
            let (text, enc) = crate::text::decode(bytes);
            out.push(&text);
            encoding = Some(enc);
        }
        Format::Html => {
            let (text, enc) = crate::text::decode(bytes);
            html::strip(&text, &mut out);
            encoding = Some(enc);
        }
        Format::Rtf => rtf::read(bytes, &mut out),
        Format::Doc => return Err(Unreadable::Unsupported(legacy_ext(name, "doc"))),
        Format::Ppt => return Err(Unreadable::Unsupported(legacy_ext(name, "ppt"))),
    }
    let words = word_count(&out.text);
    Ok(Extracted {
        format,
        words,
        encoding,
        truncated: out.truncated,
        text: out.text,
    })
}

/// Markdown text without its HTML comments (`<!-- … -->`, CommonMark §4.6): no reader of the
/// rendered document sees them. An unclosed comment runs to the end, as it renders.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The extension of `name` in lower case ("wps", "dps"), or `fallback`.
fn legacy_ext(name: &[u8], fallback: &str) -> String {
    name.rsplit(|&b| b == b'.')
        .next()
        .filter(|e| e.len() <= 8 && e.iter().all(u8::is_ascii_alphanumeric) && e.len() < name.len())
        .map_or_else(
            || fallback.to_owned(),
            |e| String::from_utf8_lossy(e).to_ascii_lowercase(),
        )
}

/// Text collected up to a byte limit, cut at a character boundary.
pub(crate) struct TextSink {
    text: String,
    max: usize,
    truncated: bool,
}

impl TextSink {
    fn new(max: usize) -> TextSink {
        TextSink {
            text: String::new(),
            max,
            truncated: false,
        }
    }

    /// Append `s`, or as much as fits.
    pub(crate) fn push(&mut self, s: &str) {
        if self.truncated {
            return;
        }
        let room = self.max.saturating_sub(self.text.len());
        if s.len() <= room {
            self.text.push_str(s);
        } else {
            let mut cut = room;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            self.text.push_str(s.get(..cut).unwrap_or_default());
            self.truncated = true;
        }
    }

    /// Append one character.
    pub(crate) fn push_char(&mut self, c: char) {
        self.push(c.encode_utf8(&mut [0; 4]));
    }

    /// The text is full: readers may stop.
    pub(crate) fn full(&self) -> bool {
        self.truncated
    }

    /// The text so far ends with `c` (or is empty).
    pub(crate) fn ends_with_space(&self) -> bool {
        self.text
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace)
    }
}

/// The hidden argument that makes the program an extraction child.
pub const CHILD_ARG: &str = "__extract-document-text";
