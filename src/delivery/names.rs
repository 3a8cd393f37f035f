//! Delivery paths are kept as raw bytes (non-UTF-8 names, newlines and all) and shown readably.

use std::fmt::Write;

/// A readable form of a raw path: valid UTF-8 is shown as is, except control characters and
/// backslashes, which are escaped (`\n`, `\t`, `\\`, `\u{7f}`); bytes that are not UTF-8 are
/// shown as `\xNN`. Distinct raw names always give distinct readable forms.
pub fn display(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    out
}

/// True when `display` shows the name differently from its UTF-8 text (or it is not UTF-8).
pub fn needs_escaping(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().any(|c| c == '\\' || c.is_control()),
        Err(_) => true,
    }
}

/// The lower-cased extension of the last path component, if any (`"Foo.JAVA"` → `"java"`).
pub fn extension(bytes: &[u8]) -> Option<String> {
    let name = file_name(bytes);
    let dot = name.iter().rposition(|&b| b == b'.')?;
    if dot == 0 || dot + 1 == name.len() {
        return None;
    }
    let ext = std::str::from_utf8(&name[dot + 1..]).ok()?;
    Some(ext.to_ascii_lowercase())
}

/// The last component of a `/`-separated path.
pub fn file_name(bytes: &[u8]) -> &[u8] {
    match bytes.iter().rposition(|&b| b == b'/') {
        Some(i) => &bytes[i + 1..],
        None => bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shows_odd_names_readably() {
        assert_eq!(display("docs/部署手册.md".as_bytes()), "docs/部署手册.md");
        assert_eq!(display(b"a\nb"), "a\\nb");
        assert_eq!(display(b"caf\xe9.txt"), "caf\\xE9.txt");
        assert_eq!(display(b"a\\b"), "a\\\\b");
        assert!(needs_escaping(b"a\nb"));
        assert!(!needs_escaping("病历.java".as_bytes()));
    }

    #[test]
    fn extensions() {
        assert_eq!(extension(b"src/A.JAVA").as_deref(), Some("java"));
        assert_eq!(extension(b"src/.gitignore"), None);
        assert_eq!(extension(b"src.d/Makefile"), None);
    }

    proptest! {
        #[test]
        fn display_is_injective(a in proptest::collection::vec(any::<u8>(), 0..12),
                                b in proptest::collection::vec(any::<u8>(), 0..12)) {
            if a != b {
                prop_assert_ne!(display(&a), display(&b));
            }
        }
    }
}
