//! What a text file really is, whatever its name says: its encoding (UTF-16 or UTF-32 without
//! a BOM, a Python file declared UTF-7, GB18030/GBK) and its language (Java saved as `.txt`,
//! PHP as `.inc`, a backup `Login.java.bak`), so that the line rules for that language run on
//! its decoded text.
//!
//! Everything here looks at bytes already in memory (the head, the kept body) and does bounded
//! work: a count of NUL bytes, a few substring searches in the first kilobytes.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

use crate::filetypes::DEFAULT_SOURCE_EXTENSIONS;

/// How much of a file's start is looked at to tell its language.
const LANGUAGE_SAMPLE: usize = 8 << 10;

/// Suffixes of backup and leftover copies: `Login.java.bak` is Java.
const BACKUP_SUFFIXES: &[&str] = &[
    "bak", "old", "orig", "save", "sav", "tmp", "backup", "copy", "swp", "1", "2",
];

/// Extensions that always mean a language whose rules name another extension.
const ALIASES: &[(&str, &str)] = &[
    ("jav", "java"),
    ("phtml", "php"),
    ("php3", "php"),
    ("php4", "php"),
    ("php5", "php"),
    ("php7", "php"),
    ("phps", "php"),
    ("pht", "php"),
];

/// A wide (UTF-16 or UTF-32) text encoding, told by where NUL bytes fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wide {
    Utf16(&'static Encoding),
    Utf32 { big_endian: bool },
}

/// The wide encoding of `bytes`, from the positions of its NUL bytes across all of them (a
/// vendor can put kilobytes of Chinese, which has no NUL in UTF-16, before the code).
///
/// UTF-32: one byte in four is always NUL (the top one), the next nearly always. UTF-16: NULs
/// (the high byte of ASCII) fall on one parity, nearly never on the other (only characters
/// U+xx00 put one there). Text in UTF-8 or GBK has no NUL at all.
pub(super) fn wide(bytes: &[u8]) -> Option<Wide> {
    if bytes.starts_with(&[0xff, 0xfe, 0, 0]) {
        return Some(Wide::Utf32 { big_endian: false });
    }
    if bytes.starts_with(&[0, 0, 0xfe, 0xff]) {
        return Some(Wide::Utf32 { big_endian: true });
    }
    let mut by_pos = [0usize; 4];
    let mut nuls = 0usize;
    for i in memchr::memchr_iter(0, bytes) {
        by_pos[i % 4] += 1;
        nuls += 1;
    }
    let quads = bytes.len() / 4;
    if nuls < 8 || quads == 0 {
        return None;
    }
    if by_pos[3] * 10 >= quads * 9 && by_pos[2] * 2 >= quads && by_pos[0] * 4 < quads {
        return Some(Wide::Utf32 { big_endian: false });
    }
    if by_pos[0] * 10 >= quads * 9 && by_pos[1] * 2 >= quads && by_pos[3] * 4 < quads {
        return Some(Wide::Utf32 { big_endian: true });
    }
    let (even, odd) = (by_pos[0] + by_pos[2], by_pos[1] + by_pos[3]);
    // At least one code unit in a hundred is ASCII (code has spaces, brackets, newlines).
    let enough = |n: usize| n * 100 >= bytes.len() / 2;
    if enough(odd) && odd >= even * 20 {
        return Some(Wide::Utf16(UTF_16LE));
    }
    if enough(even) && even >= odd * 20 {
        return Some(Wide::Utf16(UTF_16BE));
    }
    None
}

/// The text of a file's kept bytes, decoded: a BOM's encoding, UTF-32 or UTF-16 told by its
/// NUL bytes, a Python file declared UTF-7, GB18030/GBK lines; UTF-8 as it is.
pub(super) fn decode(body: &[u8]) -> Cow<'_, [u8]> {
    if let Some(w) = wide(body) {
        return Cow::Owned(match w {
            Wide::Utf32 { big_endian } => utf32(body, big_endian).into_bytes(),
            Wide::Utf16(enc) => {
                let bom = Encoding::for_bom(body).map_or(0, |(_, n)| n);
                enc.decode_without_bom_handling(&body[bom..])
                    .0
                    .into_owned()
                    .into_bytes()
            }
        });
    }
    if crate::text::sniff(&body[..body.len().min(8 << 10)]).is_some()
        || std::str::from_utf8(body).is_err()
    {
        return Cow::Owned(crate::text::decode(body).0.into_bytes());
    }
    if declares_utf7(body) {
        return Cow::Owned(utf7(body).into_bytes());
    }
    Cow::Borrowed(body)
}

/// UTF-32 text (a BOM, if any, dropped); invalid code points become U+FFFD.
fn utf32(bytes: &[u8], big_endian: bool) -> String {
    bytes
        .chunks_exact(4)
        .map(|c| {
            let q = [c[0], c[1], c[2], c[3]];
            let v = if big_endian {
                u32::from_be_bytes(q)
            } else {
                u32::from_le_bytes(q)
            };
            char::from_u32(v).unwrap_or('\u{FFFD}')
        })
        .filter(|c| *c != '\u{FEFF}')
        .collect()
}

/// Whether a file's first two lines declare the UTF-7 encoding (Python's coding cookie,
/// PEP 263: `# -*- coding: utf-7 -*-`).
fn declares_utf7(text: &[u8]) -> bool {
    // Two lines of a few hundred bytes at most: a minified file's one line is not copied.
    let mut lines = text[..text.len().min(512)].splitn(3, |b| *b == b'\n');
    let first_two = [lines.next(), lines.next()];
    first_two.into_iter().flatten().any(|line| {
        let line = line.to_ascii_lowercase();
        let line = line.trim_ascii_start();
        line.starts_with(b"#")
            && memchr::memmem::find(line, b"coding").is_some_and(|i| {
                let rest = line[i + 6..].trim_ascii_start();
                let rest = rest
                    .strip_prefix(b":")
                    .or_else(|| rest.strip_prefix(b"="))
                    .map(<[u8]>::trim_ascii_start);
                rest.is_some_and(|r| {
                    r.starts_with(b"utf-7") || r.starts_with(b"utf7") || r.starts_with(b"utf_7")
                })
            })
    })
}

/// The value of a character in UTF-7's base64 (RFC 2152).
fn base64_value(b: u8) -> Option<u32> {
    let v = match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// UTF-7 (RFC 2152) text: `+` opens a run of base64 holding UTF-16 code units, which ends at
/// the first character that is not base64 (a `-` there is dropped); `+-` is a `+`.
pub(super) fn utf7(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    let mut plain = 0;
    while i < bytes.len() {
        if bytes[i] != b'+' {
            i += 1;
            continue;
        }
        out.push_str(&String::from_utf8_lossy(&bytes[plain..i]));
        i += 1;
        if bytes.get(i) == Some(&b'-') {
            out.push('+');
            i += 1;
            plain = i;
            continue;
        }
        let mut units: Vec<u16> = Vec::new();
        let (mut acc, mut bits) = (0u32, 0u32);
        while let Some(v) = bytes.get(i).copied().and_then(base64_value) {
            acc = ((acc << 6) | v) & 0x3f_ffff;
            bits += 6;
            if bits >= 16 {
                bits -= 16;
                units.push(u16::try_from((acc >> bits) & 0xffff).unwrap_or(0xfffd));
            }
            i += 1;
        }
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        out.extend(char::decode_utf16(units).map(|r| r.unwrap_or('\u{FFFD}')));
        plain = i;
    }
    out.push_str(&String::from_utf8_lossy(&bytes[plain..]));
    out
}

/// A path under which a file's rules are chosen besides its own: a backup's original name
/// (`Login.java.bak` → `Login.java`), or the name with the extension of the language its
/// content shows (`notes.txt` holding a Java class → `notes.txt.java`). `None`: the path says
/// it already.
pub(super) fn rule_path(path: &[u8], ext: &str, text: &[u8]) -> Option<Vec<u8>> {
    if let Some(inner) = backup_original(path, ext) {
        return Some(inner);
    }
    let lang = ALIASES
        .iter()
        .find(|(a, _)| *a == ext)
        .map(|(_, l)| *l)
        .or_else(|| {
            let sniffed = ext.is_empty()
                || matches!(
                    ext,
                    "txt" | "text" | "inc" | "module" | "dat" | "src" | "code"
                )
                || !(DEFAULT_SOURCE_EXTENSIONS.contains(&ext) || structured(ext));
            if sniffed {
                language(&text[..text.len().min(LANGUAGE_SAMPLE)])
            } else {
                None
            }
        })?;
    let mut p = path.to_vec();
    p.push(b'.');
    p.extend_from_slice(lang.as_bytes());
    Some(p)
}

/// Extensions of formats with their own structure, not looked at for a language.
fn structured(ext: &str) -> bool {
    matches!(
        ext,
        "xml"
            | "json"
            | "yml"
            | "yaml"
            | "html"
            | "htm"
            | "css"
            | "svg"
            | "md"
            | "csv"
            | "tsv"
            | "properties"
            | "config"
            | "ini"
            | "toml"
            | "csproj"
            | "sln"
            | "resx"
            | "xsd"
            | "log"
    )
}

/// `Login.java.bak` → `Login.java`, when the part before the backup suffix is source.
fn backup_original(path: &[u8], ext: &str) -> Option<Vec<u8>> {
    let suffix_len = if BACKUP_SUFFIXES.contains(&ext) {
        ext.len() + 1
    } else if path.ends_with(b"~") {
        1
    } else {
        return None;
    };
    let inner = &path[..path.len().checked_sub(suffix_len)?];
    let inner_ext = crate::delivery::names::extension(inner)?;
    DEFAULT_SOURCE_EXTENSIONS
        .contains(&inner_ext.as_str())
        .then(|| inner.to_vec())
}

/// The language a file's start shows, as the extension its rules name: strong signs only
/// (a PHP open tag, a Java package or import with a type, a C# namespace with a type, a
/// script's `#!` line, several JavaScript or Python constructs).
pub(super) fn language(text: &[u8]) -> Option<&'static str> {
    let has = |n: &[u8]| memchr::memmem::find(text, n).is_some();
    let first = text.split(|b| *b == b'\n').next().unwrap_or(b"");
    if first.starts_with(b"#!") {
        let interp = |n: &[u8]| memchr::memmem::find(first, n).is_some();
        if interp(b"python") {
            return Some("py");
        }
        if interp(b"php") {
            return Some("php");
        }
        if interp(b"node") {
            return Some("js");
        }
        if interp(b"sh") {
            return Some("sh");
        }
    }
    if has(b"<?php") {
        return Some("php");
    }
    let type_decl = has(b"class ") || has(b"interface ") || has(b"enum ");
    let line_starts = |n: &[u8]| starts_a_line(text, n);
    if type_decl && (line_starts(b"namespace ") || line_starts(b"using System")) && has(b"{") {
        return Some("cs");
    }
    let java_signs = [
        line_starts(b"package ") && has(b";"),
        line_starts(b"import java") || line_starts(b"import org.") || line_starts(b"import com."),
        has(b"System.out.") || has(b"@Override") || has(b"String[]") || has(b"throws "),
        has(b"public class ") || has(b"public final class ") || has(b"public interface "),
    ];
    if type_decl && java_signs.iter().filter(|s| **s).count() >= 2 {
        return Some("java");
    }
    let py_signs = [
        line_starts(b"def ") && has(b"):"),
        line_starts(b"from ") && has(b" import "),
        line_starts(b"import ") && !has(b";"),
        has(b"__name__ == ") || has(b"self."),
        has(b"coding:") || has(b"coding="),
    ];
    if py_signs.iter().filter(|s| **s).count() >= 2 {
        return Some("py");
    }
    let js_signs = [
        has(b"function ") && has(b") {"),
        has(b"module.exports") || has(b"require(") || has(b"export default"),
        line_starts(b"var ") || line_starts(b"let ") || line_starts(b"const "),
        has(b"document.") || has(b"window.") || has(b"=> {"),
    ];
    if js_signs.iter().filter(|s| **s).count() >= 2 {
        return Some("js");
    }
    None
}

/// Whether some line of `text` starts with `needle` (after indentation).
fn starts_a_line(text: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find_iter(text, needle).any(|i| {
        text[..i]
            .iter()
            .rev()
            .take_while(|b| **b != b'\n')
            .all(|b| matches!(b, b' ' | b'\t' | b'\r'))
    })
}

/// Whether a file's head (with NUL bytes, so not ASCII or UTF-8 text) is wide text.
pub(super) fn head_is_wide_text(head: &[u8]) -> bool {
    let text = match wide(head) {
        None => return false,
        Some(Wide::Utf32 { big_endian }) => utf32(head, big_endian),
        Some(Wide::Utf16(enc)) => enc.decode_without_bom_handling(head).0.into_owned(),
    };
    // Numbers stored as 16-bit words also have NULs on one side: text has few control
    // characters besides line ends and tabs.
    let n = text.chars().count();
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    n > 0 && control * 20 <= n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn wide_text_is_told_by_its_nuls() {
        let code = "class A { String p = \"x\"; }\n".repeat(20);
        assert_eq!(wide(&utf16le(&code)), Some(Wide::Utf16(UTF_16LE)));
        let be: Vec<u8> = code.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(wide(&be), Some(Wide::Utf16(UTF_16BE)));
        let w32: Vec<u8> = code
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        assert_eq!(wide(&w32), Some(Wide::Utf32 { big_endian: false }));
        assert_eq!(utf32(&w32, false), code);
        // Chinese comments first: too few NULs in the first 64 KiB for the ratio test of
        // `text::sniff`; where the NULs fall decides.
        let mixed = format!("{}{code}", "// 医院信息系统门诊挂号模块说明\n".repeat(3000));
        let bytes = utf16le(&mixed);
        assert!(crate::text::sniff(&bytes[..64 << 10]).is_none());
        assert_eq!(wide(&bytes), Some(Wide::Utf16(UTF_16LE)));
        assert_eq!(&*decode(&bytes), mixed.as_bytes());
        assert_eq!(wide(code.as_bytes()), None);
        assert_eq!(wide("中文 GBK".as_bytes()), None);
        // Binary data: NULs everywhere.
        let bin: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 5) as u8).collect();
        assert_eq!(wide(&bin), None);
    }

    #[test]
    fn utf7_decodes() {
        assert_eq!(utf7(b"Hi Mom -+Jjo--!"), "Hi Mom -\u{263A}-!");
        assert_eq!(utf7(b"A+ImIDkQ."), "A\u{2262}\u{391}.");
        assert_eq!(utf7(b"1 +- 1"), "1 + 1");
        assert_eq!(utf7("+ZeVnLIqe-".as_bytes()), "日本語");
        // What Python's encoder writes.
        assert_eq!(
            utf7(b"password = \"+W8Z4AQ-Ab1\"; exec(x) # +bOiRyg a+-b [1]"),
            "password = \"密码Ab1\"; exec(x) # 注释 a+b [1]"
        );
        assert!(declares_utf7(
            b"#!/usr/bin/python\n# -*- coding: utf-7 -*-\nx"
        ));
        assert!(!declares_utf7(b"# -*- coding: utf-8 -*-\n"));
        assert!(!declares_utf7(b"x = 1\ny = 2\n# coding: utf-7\n"));
    }

    #[test]
    fn languages_from_content() {
        let java = b"package com.acme.his;\n\nimport java.util.List;\n\npublic class A {\n}\n";
        assert_eq!(language(java), Some("java"));
        let cs = b"using System;\nnamespace Acme.His\n{\n    public class A\n    {\n    }\n}\n";
        assert_eq!(language(cs), Some("cs"));
        assert_eq!(language(b"<?php\necho 1;\n"), Some("php"));
        assert_eq!(language(b"#!/usr/bin/env python3\nprint(1)\n"), Some("py"));
        let js = b"var a = require('x');\nfunction f(x) {\n  return x;\n}\n";
        assert_eq!(language(js), Some("js"));
        let prose = b"This class of users is imported from the old system.\nSee the manual.\n";
        assert_eq!(language(prose), None);
        assert_eq!(
            rule_path(b"src/Login.java.bak", "bak", b""),
            Some(b"src/Login.java".to_vec())
        );
        assert_eq!(rule_path(b"src/A.java", "java", java), None);
        assert_eq!(
            rule_path(b"src/A.txt", "txt", java),
            Some(b"src/A.txt.java".to_vec())
        );
        assert_eq!(rule_path(b"x.xml", "xml", java), None);
    }
}
