//! Source encoders (`source-encoded`): ionCube, Zend Guard, SourceGuardian, PyArmor and the like
//! turn source into a loader plus an encoded blob that only their runtime can read. Found by line
//! rules (`rules.toml`) that match the loaders' signatures.

use super::LineCode;

/// How the line engine treats encoder rules: once per file (an encoded file is encoded
/// throughout), in third-party code too (encoded code is a barrier whoever wrote it).
pub(super) const LINE: LineCode = LineCode {
    code: "source-encoded",
    once_per_file: true,
    skip_third_party: false,
    text: |en, zh| (en.to_owned(), zh.to_owned()),
};
