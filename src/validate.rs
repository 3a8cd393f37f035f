//! What the owner of a manifest section needs to validate it (cargo-deny's per-check `cfg.rs`
//! style). The manifest loader, above the owners, implements [`Context`]; `checks` and `build`
//! validate their own sections through it without importing the manifest.

use std::ops::Range;

use globset::Glob;
use toml::Spanned;

/// The manifest being validated, as a section's owner sees it.
pub trait Context {
    /// Record a problem at a byte range of the manifest text (shown as `FILE:LINE:COL`, every
    /// problem at once, in file order).
    fn problem(&mut self, span: Range<usize>, message: String);

    /// Compile a glob as manifests spell them (relative to the delivery root, `/` between
    /// folders, a leading `./` dropped), matching case-insensitively unless `case_sensitive`.
    /// `None` after recording why it is not a valid glob.
    fn glob(&mut self, pattern: &Spanned<String>, case_sensitive: bool) -> Option<Glob>;

    /// The 1-based line of a byte offset of the manifest text (to name an earlier definition).
    fn line_of(&self, offset: usize) -> usize;

    /// Whether `code` names a finding code of this version (the registry is above the section
    /// owners, so the manifest answers for it).
    fn is_finding_code(&self, code: &str) -> bool;
}
