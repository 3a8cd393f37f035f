//! Delivery paths are kept as raw bytes (non-UTF-8 names, newlines and all) and shown readably.

use std::fmt::Write;

/// A readable form of a raw path: valid UTF-8 is shown as is, except control characters and
/// backslashes, which are escaped (`\n`, `\t`, `\\`, `\u{7f}`). A path component that is not
/// UTF-8 but decodes cleanly as GB18030/GBK (names from archives made on Chinese Windows) is
/// shown decoded, and the path is marked ` [GBK]`; any other byte that is not UTF-8 is shown as
/// `\xNN`. The raw bytes are always kept beside this form wherever they are stored.
pub fn display(bytes: &[u8]) -> String {
    match gbk_decoded(bytes) {
        Some(decoded) => {
            let mut out = String::with_capacity(decoded.len() + 6);
            escape_into(decoded.as_bytes(), &mut out);
            out.push_str(GBK_MARK);
            out
        }
        None => {
            let mut out = String::with_capacity(bytes.len());
            escape_into(bytes, &mut out);
            // A name that itself ends in the mark must not pass for a decoded GBK name (an
            // `[[allow]]` glob matches a GBK name without its mark): its space is escaped.
            if out.ends_with(GBK_MARK) {
                out.truncate(out.len() - GBK_MARK.len());
                out.push_str("\\x20[GBK]");
            }
            out
        }
    }
}

/// The mark after a name shown decoded from GBK.
const GBK_MARK: &str = " [GBK]";

/// The most bytes of a name shown in a message: names come from the vendor, and one may be
/// megabytes long.
const SHORT_MAX: usize = 200;

/// `display`, shortened to about 200 bytes (`SHORT_MAX`) for messages and evidence: a longer
/// name keeps its beginning and its end, with the number of bytes left out between them.
pub fn short(bytes: &[u8]) -> String {
    if bytes.len() <= SHORT_MAX {
        let shown = display(bytes);
        if shown.len() <= SHORT_MAX {
            return shown;
        }
    }
    let head_end = floor_char(bytes, 120.min(bytes.len()));
    let tail_start = ceil_char(bytes, bytes.len().saturating_sub(60).max(head_end));
    let head = display(&bytes[..head_end]);
    let tail = display(&bytes[tail_start..]);
    format!(
        "{}…[{} bytes left out]…{}",
        cut(&head, 140),
        tail_start - head_end,
        cut_end(&tail, 60)
    )
}

/// The largest index <= `i` that does not split a UTF-8 sequence.
fn floor_char(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    while j > 0 && j < bytes.len() && (bytes[j] & 0xC0) == 0x80 && i - j < 3 {
        j -= 1;
    }
    if j < bytes.len() && (bytes[j] & 0xC0) == 0x80 {
        i
    } else {
        j
    }
}

/// The smallest index >= `i` that does not split a UTF-8 sequence.
fn ceil_char(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < bytes.len() && (bytes[j] & 0xC0) == 0x80 && j - i < 3 {
        j += 1;
    }
    j
}

/// At most `n` bytes of `s`, on a character boundary.
fn cut(s: &str, n: usize) -> &str {
    let mut i = n.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}

/// At most the last `n` bytes of `s`, on a character boundary.
fn cut_end(s: &str, n: usize) -> &str {
    let mut i = s.len().saturating_sub(n);
    while !s.is_char_boundary(i) {
        i += 1;
    }
    &s[i..]
}

fn escape_into(bytes: &[u8], out: &mut String) {
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
}

/// A path some of whose components are not UTF-8 but decode cleanly as GB18030/GBK (what an
/// archive made on Chinese Windows leaves behind), decoded component by component; `None` when
/// the path is UTF-8, or when a non-UTF-8 component is not GBK either.
pub fn gbk_decoded(bytes: &[u8]) -> Option<String> {
    if std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    let mut parts = Vec::new();
    for c in bytes.split(|&b| b == b'/') {
        match std::str::from_utf8(c) {
            Ok(s) => parts.push(s.to_owned()),
            Err(_) => parts.push(
                encoding_rs::GB18030
                    .decode_without_bom_handling_and_without_replacement(c)?
                    .into_owned(),
            ),
        }
    }
    Some(parts.join("/"))
}

/// True when `display` shows the name differently from its UTF-8 text (or it is not UTF-8).
pub fn needs_escaping(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().any(|c| c == '\\' || c.is_control()),
        Err(_) => true,
    }
}

/// The lower-cased extension of the last path component, if any (`"Foo.JAVA"` → `"java"`).
/// Trailing dots and spaces are not part of it: Windows drops them, so `Login.java.` and
/// `Login.java ` are unpacked there as `Login.java` and are Java source (`"java"`).
pub fn extension(bytes: &[u8]) -> Option<String> {
    let name = windows_trimmed(file_name(bytes));
    let dot = name.iter().rposition(|&b| b == b'.')?;
    if dot == 0 || dot + 1 == name.len() {
        return None;
    }
    let ext = std::str::from_utf8(&name[dot + 1..]).ok()?;
    Some(ext.to_ascii_lowercase())
}

/// A path component without the dots and spaces it ends in, as Windows names it
/// (`Login.java. ` → `Login.java`); a component made only of dots and spaces is kept whole.
pub fn windows_trimmed(component: &[u8]) -> &[u8] {
    let end = component
        .iter()
        .rposition(|&b| b != b'.' && b != b' ')
        .map_or(0, |i| i + 1);
    if end == 0 {
        component
    } else {
        &component[..end]
    }
}

/// Whether a path component ends in a dot or a space, which Windows drops when it creates the
/// file (`Login.java.`, `conf `).
pub fn ends_in_dot_or_space(component: &[u8]) -> bool {
    matches!(component.last(), Some(b'.' | b' '))
}

/// A `/`-separated path as Windows names it: every component without the dots and spaces it
/// ends in (see [`windows_trimmed`]). Borrowed when nothing is dropped.
pub fn windows_path(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !bytes.split(|&b| b == b'/').any(ends_in_dot_or_space) {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    for (i, c) in bytes.split(|&b| b == b'/').enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(windows_trimmed(c));
    }
    std::borrow::Cow::Owned(out)
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

    /// A UTF-8 name that ends in " [GBK]" is not shown as if it were a decoded GBK name.
    #[test]
    fn a_name_ending_in_the_mark_does_not_pass_for_gbk() {
        assert_eq!(display(b"keys/prod.pem [GBK]"), "keys/prod.pem\\x20[GBK]");
        let gbk = encoding_rs::GBK.encode("\u{60a3}\u{8005}.txt").0;
        assert_eq!(display(&gbk), "\u{60a3}\u{8005}.txt [GBK]");
    }

    #[test]
    fn shows_odd_names_readably() {
        assert_eq!(display("docs/部署手册.md".as_bytes()), "docs/部署手册.md");
        assert_eq!(display(b"a\nb"), "a\\nb");
        assert_eq!(display(b"caf\xff.txt"), "caf\\xFF.txt");
        let (gbk, _, _) = encoding_rs::GB18030.encode("病历.java");
        let mut mixed = "源码/".as_bytes().to_vec();
        mixed.extend_from_slice(&gbk);
        assert_eq!(display(&mixed), "源码/病历.java [GBK]");
        assert_eq!(display(b"a\\b"), "a\\\\b");
        assert!(needs_escaping(b"a\nb"));
        assert!(!needs_escaping("病历.java".as_bytes()));
    }

    #[test]
    fn gbk_names() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("部署手册.docx");
        let mut p = "docs/设计/".as_bytes().to_vec();
        p.extend_from_slice(&gbk);
        assert_eq!(gbk_decoded(&p).as_deref(), Some("docs/设计/部署手册.docx"));
        assert_eq!(gbk_decoded("docs/部署.md".as_bytes()), None);
        assert_eq!(gbk_decoded(b"\xff\xff\xff"), None);
    }

    #[test]
    fn extensions() {
        assert_eq!(extension(b"src/A.JAVA").as_deref(), Some("java"));
        assert_eq!(extension(b"src/.gitignore"), None);
        assert_eq!(extension(b"src.d/Makefile"), None);
        assert_eq!(extension(b"src/Login.java.").as_deref(), Some("java"));
        assert_eq!(extension(b"src/Login.JAVA .. ").as_deref(), Some("java"));
        assert_eq!(
            extension(b"conf/app.properties ").as_deref(),
            Some("properties")
        );
        assert_eq!(extension(b"src/Makefile."), None);
        assert_eq!(extension(b"src/..."), None);
        assert_eq!(&*windows_path(b"a./b /c.java."), b"a/b/c.java");
        assert_eq!(&*windows_path(b"a/.../c"), b"a/.../c");
    }

    #[test]
    fn long_names_are_shortened() {
        assert_eq!(short(b"src/a.java"), "src/a.java");
        let long = "目录/".repeat(100_000) + "end.java";
        let s = short(long.as_bytes());
        assert!(s.len() < 260, "{}", s.len());
        assert!(s.starts_with("目录/") && s.ends_with("end.java"), "{s}");
        assert!(s.contains("bytes left out"), "{s}");
        let nul = vec![0u8; 1 << 20];
        assert!(short(&nul).len() < 600);
    }

    proptest! {
        #[test]
        fn display_is_injective(a in proptest::collection::vec(any::<u8>(), 0..12),
                                b in proptest::collection::vec(any::<u8>(), 0..12)) {
            // Without GBK decoding, the escaped form is injective.
            if a != b && gbk_decoded(&a).is_none() && gbk_decoded(&b).is_none() {
                prop_assert_ne!(display(&a), display(&b));
            }
        }
    }
}
