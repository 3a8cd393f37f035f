//! Word (.docx): the page as an A4 Office Open XML document.

use std::io;

use crate::report::page::Page;

/// The page as the bytes of a .docx package.
///
/// # Errors
/// When the package cannot be assembled.
#[allow(clippy::unnecessary_wraps)] // until the writer lands
pub fn render(page: &Page) -> io::Result<Vec<u8>> {
    let _ = page;
    Ok(Vec::new())
}
