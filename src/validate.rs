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

/// What `escrow manifest init` writes where a person must fill something in (a contracted
/// module it could not find in the delivery): a glob of `paths` or `required-files` starting
/// with it is refused, so a draft with one left fails loudly until edited.
pub const TODO_MARK: &str = "TODO";

/// Parse a size as the manifest writes it: a number of bytes ("1024") or a number with a unit,
/// "10KiB", "512MiB", "4GiB", "1.5MiB". `K`, `KB` and `KiB` all mean 1024 bytes, `M`, `MB`,
/// `MiB` 1024 × 1024, and so on to `T` (as `ulimit` and most hospital IT tools count memory and
/// disk); letter case is ignored and a space may separate the number and the unit. A fraction
/// needs a unit and is rounded down to a whole byte. `None` for anything else, zero, or a size
/// beyond `u64`.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (whole, fraction) = match t[..digits].split_once('.') {
        Some((w, f)) if !f.is_empty() && f.len() <= 9 && !f.contains('.') => (w, Some(f)),
        Some(_) => return None,
        None => (&t[..digits], None),
    };
    let n: u64 = whole.parse().ok()?;
    let shift = match t[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" if fraction.is_none() => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return None,
    };
    let mut bytes = u128::from(n) << shift;
    if let Some(f) = fraction {
        let num: u128 = f.parse().ok()?;
        bytes += (num << shift) / 10u128.pow(u32::try_from(f.len()).ok()?);
    }
    u64::try_from(bytes).ok().filter(|&b| b > 0)
}

/// A size key's value as written (`min-bytes = 10240`, `min-bytes = "10KiB"`): the bytes, or
/// `None` when it is not a size ([`parse_size`]; a whole number of bytes may be 0).
pub fn size_value(value: &toml::Value) -> Option<u64> {
    match value {
        toml::Value::Integer(n) => u64::try_from(*n).ok(),
        toml::Value::String(s) => parse_size(s),
        _ => None,
    }
}

/// A value as the manifest writes it, for messages: strings in double quotes, other values as
/// TOML writes them.
pub fn written(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// The message for a size key whose value is not a size: names the key, quotes the value and
/// says how to write one.
pub fn not_a_size(key: &str, value: &toml::Value) -> String {
    format!(
        "{key}: {} is not a size: write a whole number of bytes, e.g. 10240, or a size with a unit, e.g. \"10KiB\" (K, KB and KiB all mean 1024 bytes)",
        written(value)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512MiB"), Some(512 << 20));
        assert_eq!(parse_size("4G"), Some(4 << 30));
        assert_eq!(parse_size("10KB"), Some(10 << 10));
        assert_eq!(parse_size("10 kib"), Some(10 << 10));
        assert_eq!(parse_size("1.5MiB"), Some(3 << 19));
        assert_eq!(parse_size("0.001K"), Some(1));
        assert_eq!(parse_size("1024"), Some(1024));
        for bad in [
            "",
            "0",
            "4 furlongs",
            "-1G",
            "1.5",
            "1.",
            ".5K",
            "1.2.3K",
            "ten",
            "99999999T",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn size_values() {
        assert_eq!(size_value(&toml::Value::Integer(0)), Some(0));
        assert_eq!(size_value(&toml::Value::Integer(-1)), None);
        assert_eq!(
            size_value(&toml::Value::String("2MB".into())),
            Some(2 << 20)
        );
        assert_eq!(size_value(&toml::Value::Float(1.5)), None);
        assert!(not_a_size("min-bytes", &toml::Value::String("ten".into())).starts_with(
            "min-bytes: \"ten\" is not a size: write a whole number of bytes, e.g. 10240, or a size with a unit, e.g. \"10KiB\""
        ));
    }
}
