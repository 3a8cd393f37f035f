//! The detectors, one file per kind of technical barrier:
//!
//! - `encryption`: encrypted files and archives, random-looking content (`file-encrypted`,
//!   `archive-encrypted`);
//! - `libraries`: well-known front-end libraries identified by content (treated as vendored);
//! - `encoders`: source protected by an encoder (ionCube, Zend Guard, PyArmor, …:
//!   `source-encoded`);
//! - `obfuscation`: .NET obfuscator markers, ProGuard name mangling, minified bundles without
//!   source (`source-obfuscated`);
//! - `dotnet`: .NET assemblies' metadata: protection against decompiling (`source-obfuscated`,
//!   rule `dotnet-protected`) and strong-name tokens of known publishers;
//! - `binaries`: compiled code without its source, or of unknown origin
//!   (`binary-without-source`, `binary-unattributed`);
//! - `secrets`: hard-coded credentials and the redaction of all evidence
//!   (`credential-hardcoded`);
//! - `backdoors`: code patterns to review with the vendor (`backdoor-suspect`).
//!
//! Per-file detectors run when a file ends (`inspect`); tree-wide ones from `post`. Line rules
//! (`rules.toml`) give the codes of five detectors; each of those says here, in its
//! [`LineCode`], how the line engine treats its hits.

pub(super) mod backdoors;
pub(super) mod binaries;
pub(super) mod dotnet;
pub(super) mod encoders;
pub(super) mod encryption;
pub(super) mod libraries;
pub(super) mod obfuscation;
pub(super) mod secrets;

/// How the line-rule engine treats the hits of rules giving one finding code.
pub(super) struct LineCode {
    /// The finding code.
    pub(super) code: &'static str,
    /// Reported once per file, with the count of matching lines, not once per line.
    pub(super) once_per_file: bool,
    /// Not looked for in third-party code (vendored or conventional folders).
    pub(super) skip_third_party: bool,
    /// The finding's text (English, Chinese) from the rule's description (English, Chinese).
    pub(super) text: fn(&str, &str) -> (String, String),
}

/// Every code a line rule may give, with its treatment.
const LINE_CODES: [&LineCode; 5] = [
    &secrets::LINE,
    &backdoors::LINE,
    &encoders::LINE,
    &obfuscation::LINE,
    &encryption::LINE,
];

/// How the line engine treats hits of `code`, one of [`super::rules::RULE_CODES`] (a compiled
/// rule's code always is).
pub(super) fn line_code(code: &str) -> &'static LineCode {
    LINE_CODES
        .iter()
        .find(|c| c.code == code)
        .copied()
        .expect("a compiled rule's code is one of RULE_CODES")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_code_has_a_detector() {
        let mut codes: Vec<&str> = LINE_CODES.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        let mut rule_codes = super::super::rules::RULE_CODES.to_vec();
        rule_codes.sort_unstable();
        assert_eq!(codes, rule_codes);
    }

    #[test]
    fn line_texts() {
        let (en, zh) = (line_code("backdoor-suspect").text)("eval of input", "执行输入");
        assert_eq!(en, "eval of input: review this code with the vendor");
        assert_eq!(zh, "执行输入：请与供应商一起审查此处代码");
        let (en, _) = (line_code("source-encoded").text)("ionCube", "ionCube");
        assert_eq!(en, "ionCube");
        assert!(line_code("source-obfuscated").once_per_file);
        assert!(line_code("source-obfuscated").skip_third_party);
        assert!(!line_code("credential-hardcoded").once_per_file);
        assert!(!line_code("file-encrypted").skip_third_party);
    }
}
