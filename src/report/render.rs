//! Rendering a document: one renderer per format. A command builds its document and calls
//! [`render`]; adding a format is one renderer here (and one per document), no command changes.

use std::io::{self, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Lang;

/// The output formats every command offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Text for people, in English or Chinese ([`Document::render_human`]).
    Human,
    /// Pretty-printed JSON of the document, with a trailing newline; times stay RFC 3339 UTC.
    Json,
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
}

/// Render `doc` in `format`. For people, every string of the document is first made
/// terminal-safe (vendor text can hold escape sequences); JSON keeps the bytes as they are.
pub fn render<D: Document>(
    doc: &D,
    format: OutputFormat,
    style: HumanStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Json => render_json(doc, out),
        OutputFormat::Human => terminal_safe(doc)?.render_human(style, out),
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
