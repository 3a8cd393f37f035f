//! Markdown (GitHub-flavoured): the page's content for e-mail and wikis, tables as pipe tables.

use crate::report::page::Page;

/// The page as Markdown.
pub fn render(page: &Page) -> String {
    let _ = page;
    String::new()
}
