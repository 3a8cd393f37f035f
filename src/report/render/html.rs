//! HTML: one self-contained file per page (inline CSS and SVG, no scripts, nothing fetched),
//! A4 print styles, readable on a phone. Every string of the page is escaped.

use crate::report::page::Page;

/// The page as one HTML document (UTF-8).
pub fn render(page: &Page) -> String {
    let _ = page;
    String::new()
}
