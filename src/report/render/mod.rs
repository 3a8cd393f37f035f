//! Rendering a document: one renderer per format. A command builds its document and calls
//! [`render`]; adding a format is one renderer here (and one per document), no command changes.
//!
//! Human text and JSON come from the document itself. HTML, Markdown and Word come from the
//! document's [`Page`] (its printable content, built once per language) through one renderer
//! each ([`html`], [`markdown`], [`docx`]); SARIF only from the check report.

pub mod docx;
pub mod html;
pub mod markdown;
mod svg;

use std::io::{self, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Lang;
use super::page::Page;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Text for people, in English or Chinese ([`Document::render_human`]).
    Human,
    /// Pretty-printed JSON of the document, with a trailing newline; times stay RFC 3339 UTC.
    Json,
    /// GitHub-flavoured Markdown of the document's page (tables as pipe tables).
    Markdown,
    /// One self-contained HTML file of the document's page: inline CSS and SVG, no scripts,
    /// nothing fetched, A4 print styles.
    Html,
    /// A Word (.docx, Office Open XML) file of the document's page, A4.
    Docx,
    /// SARIF 2.1.0 (OASIS), for code-scanning tools: the check report's findings only.
    Sarif,
}

impl OutputFormat {
    /// The name users type after `--format`.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Human => "human",
            OutputFormat::Json => "json",
            OutputFormat::Markdown => "md",
            OutputFormat::Html => "html",
            OutputFormat::Docx => "docx",
            OutputFormat::Sarif => "sarif",
        }
    }

    /// Whether the output is bytes no terminal should be sent (a zip package).
    pub fn is_binary(self) -> bool {
        self == OutputFormat::Docx
    }
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Writing the output failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The document has no form in this format (SARIF of a vault audit).
    #[error(
        "--format {format} is not offered for `{document}`; use one of: {offered} / 此命令不支持 --format {format}，请改用：{offered}"
    )]
    NotOffered {
        /// The format asked for.
        format: &'static str,
        /// The document's name (`audit`).
        document: String,
        /// The formats it offers, comma-separated.
        offered: String,
    },
}

/// How a human report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanStyle {
    /// The language of every sentence and label.
    pub lang: Lang,
    /// ANSI colours (only the check and build reports use them).
    pub color: bool,
}

/// A command's output: a serializable wire type owned by the report layer.
///
/// The JSON of a document is its serde form; each document carries `schema_version` (its
/// `SCHEMA_VERSION`, bumped on any incompatible change) and `document` (the command's name).
pub trait Document: Serialize + DeserializeOwned {
    /// The human report (English or Chinese). Pure: it writes only to `out`. The text it is
    /// given has already been made terminal-safe by [`render`].
    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()>;

    /// The printable page in `lang` (for HTML, Markdown and Word), built from the
    /// terminal-safe copy of the document; `None` when the command has none.
    fn page(&self, lang: Lang) -> Option<Page> {
        let _ = lang;
        None
    }

    /// The SARIF 2.1.0 log of the document, messages in `lang`; `None` for every document
    /// but the check report.
    fn sarif(&self, lang: Lang) -> Option<serde_json::Value> {
        let _ = lang;
        None
    }

    /// The document's name as its JSON `document` field gives it (for messages).
    fn name(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| {
                v.get("document")
                    .and_then(|d| d.as_str())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "check".to_owned())
    }
}

/// Render `doc` in `format`. For people, every string of the document is first made
/// terminal-safe (vendor text can hold escape sequences); JSON keeps the bytes as they are.
///
/// # Errors
/// [`RenderError::NotOffered`] when the document has no page (HTML, Markdown, Word) or no
/// SARIF form; [`RenderError::Io`] when writing fails.
pub fn render<D: Document>(
    doc: &D,
    format: OutputFormat,
    style: HumanStyle,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    match format {
        OutputFormat::Json => render_json(doc, out)?,
        OutputFormat::Human => terminal_safe(doc)?.render_human(style, out)?,
        OutputFormat::Sarif => {
            let log = doc
                .sarif(style.lang)
                .ok_or_else(|| not_offered(doc, format))?;
            render_json(&log, out)?;
        }
        OutputFormat::Markdown | OutputFormat::Html | OutputFormat::Docx => {
            let page = terminal_safe(doc)?
                .page(style.lang)
                .ok_or_else(|| not_offered(doc, format))?;
            render_page(&page, format, out)?;
        }
    }
    Ok(())
}

/// Render a page as HTML, Markdown or Word (any other format writes nothing).
///
/// # Errors
/// When writing to `out` fails, or the Word package cannot be assembled.
pub fn render_page(page: &Page, format: OutputFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        OutputFormat::Html => out.write_all(html::render(page).as_bytes()),
        OutputFormat::Markdown => out.write_all(markdown::render(page).as_bytes()),
        OutputFormat::Docx => out.write_all(&docx::render(page)?),
        OutputFormat::Human | OutputFormat::Json | OutputFormat::Sarif => Ok(()),
    }
}

fn not_offered<D: Document>(doc: &D, format: OutputFormat) -> RenderError {
    let mut offered = vec!["human", "json"];
    if doc.page(Lang::En).is_some() {
        offered.extend(["md", "html", "docx"]);
    }
    if doc.sarif(Lang::En).is_some() {
        offered.push("sarif");
    }
    RenderError::NotOffered {
        format: format.name(),
        document: doc.name(),
        offered: offered.join(", "),
    }
}

/// A copy of `doc` in which no string can move the cursor, erase or hide a line.
pub fn terminal_safe<D: Serialize + DeserializeOwned>(doc: &D) -> io::Result<D> {
    let mut value = serde_json::to_value(doc).map_err(io::Error::other)?;
    crate::text::terminal_safe_json(&mut value);
    serde_json::from_value(value).map_err(io::Error::other)
}

/// Render any document (or the check report) as pretty JSON, with a trailing newline.
pub fn render_json<D: Serialize + ?Sized>(doc: &D, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::docs::InitDoc;

    fn human(doc: &InitDoc, lang: Lang) -> String {
        let mut out = Vec::new();
        let style = HumanStyle { lang, color: false };
        render(doc, OutputFormat::Human, style, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn human_text_is_terminal_safe_and_json_keeps_the_bytes() {
        let doc = InitDoc::new(std::path::Path::new("v\u{1b}[2Kault"), true);
        assert_eq!(
            human(&doc, Lang::En),
            "created the escrow vault v\\u{1b}[2Kault\n"
        );
        assert_eq!(human(&doc, Lang::Zh), "已创建托管库 v\\u{1b}[2Kault\n");
        let mut out = Vec::new();
        let style = HumanStyle {
            lang: Lang::En,
            color: false,
        };
        render(&doc, OutputFormat::Json, style, &mut out).unwrap();
        let back: InitDoc = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, doc);
    }
}
