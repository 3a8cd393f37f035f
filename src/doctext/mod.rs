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
        let _ = name;
        None
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
/// [`set_isolation`] was called (the CLI does), in this process otherwise.
///
/// # Errors
/// [`Unreadable`] for every document whose text cannot be had, with the reason.
pub fn extract(
    name: &[u8],
    file: &mut dyn Read,
    size: u64,
    limits: &Limits,
) -> Result<Extracted, Unreadable> {
    let _ = (name, file, size, limits);
    Err(Unreadable::Unsupported(String::new()))
}

/// How many words `text` has, as Word and WPS count them for Chinese text (字数): each CJK
/// character (ideograph, kana, hangul, full-width punctuation excluded) is one word, and each
/// run of other letters and digits is one.
pub fn word_count(text: &str) -> u64 {
    let _ = text;
    0
}

/// Template and placeholder phrases in `text` ("待补充", "此处填写", "TBD", "lorem ipsum", …):
/// each phrase found with how often, in the order of the phrase list.
pub fn template_phrases(text: &str) -> Vec<(&'static str, u64)> {
    let _ = text;
    Vec::new()
}

/// Run every later [`extract`] in a child process: `exe` (this program) started with the
/// argument [`CHILD_ARG`], which calls [`serve_child`]. The child limits its own memory and
/// CPU time, so a reader that loops, recurses without end or allocates without bound ends
/// the child, not `check`. Called once, by the CLI, before any extraction.
pub fn set_isolation(exe: std::path::PathBuf) {
    let _ = exe;
}

/// The hidden argument that makes the program an extraction child.
pub const CHILD_ARG: &str = "__extract-document-text";

/// The body of an extraction child: reads a request (name, limits, bytes) from standard input,
/// writes the result as JSON to standard output.
///
/// # Errors
/// Reading stdin or writing stdout fails.
pub fn serve_child(input: &mut dyn Read, output: &mut dyn std::io::Write) -> std::io::Result<()> {
    let _ = (input, output);
    Ok(())
}
