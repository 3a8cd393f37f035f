//! PDF text through `lopdf`: fonts' ToUnicode CMaps (so Chinese text in Type0 fonts with
//! Identity-H encoding reads), page content bounded in decompressed size.

use super::{Limits, TextSink, Unreadable};

/// The most pages read; the rest of a longer document is left out and the text marked cut.
const MAX_PAGES: usize = 5_000;

/// The text of a PDF, page by page. Object streams are decompressed up to
/// [`Limits::max_expanded`] while loading, and each page's content up to it again. A document
/// that needs a password lopdf cannot supply (not the empty one) is [`Unreadable::Encrypted`].
pub(super) fn read(bytes: &[u8], limits: &Limits, out: &mut TextSink) -> Result<(), Unreadable> {
    let max = usize::try_from(limits.max_expanded).unwrap_or(usize::MAX);
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(max),
        ..lopdf::LoadOptions::default()
    };
    let doc = lopdf::Document::load_mem_with_options(bytes, options)
        .map_err(|e| map_error(&e, limits))?;
    if doc.is_encrypted() {
        return Err(Unreadable::Encrypted);
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        // A PDF shows pages; one whose page tree leads to none (empty, or referring back to
        // itself) is damaged or made to trap readers, not an empty document.
        return Err(Unreadable::Damaged(
            "not a readable PDF: its page tree leads to no page (empty, or referring back to itself)"
                .to_owned(),
        ));
    }
    let mut first_error = None;
    let mut read_any = false;
    for (i, &number) in pages.keys().enumerate() {
        if i >= MAX_PAGES {
            out.truncated = true;
            break;
        }
        match doc.extract_text_with_limit(&[number], max) {
            Ok(text) => {
                read_any = true;
                out.push(&text);
                out.push_char('\n');
            }
            Err(e) => {
                let mapped = map_error(&e, limits);
                if matches!(mapped, Unreadable::Bomb { .. }) {
                    return Err(mapped);
                }
                first_error.get_or_insert(mapped);
            }
        }
        if out.full() {
            break;
        }
    }
    match first_error {
        Some(e) if !read_any => Err(e),
        _ => Ok(()),
    }
}

fn map_error(e: &lopdf::Error, limits: &Limits) -> Unreadable {
    match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            Unreadable::Bomb {
                limit: limits.max_expanded,
            }
        }
        lopdf::Error::Decryption(_) => Unreadable::Encrypted,
        other => Unreadable::Damaged(format!("not a readable PDF: {other}")),
    }
}
