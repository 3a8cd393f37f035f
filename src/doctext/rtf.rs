//! RTF text: a small reader of our own (no maintained RTF crate decodes `\ansicpg` code pages;
//! the syntax needed for text is a page of the RTF 1.9.1 specification). Control words are
//! dropped, `\uN` read as Unicode (skipping its `\ucN` fallback characters), `\'hh` bytes and
//! raw 8-bit text decoded in the document's code page (`\ansicpg936` is GBK), destinations that
//! hold no body text (font and colour tables, styles, pictures, field instructions, `\*` ones)
//! skipped. Groups are kept on a heap stack, so nesting depth costs no call stack.

use encoding_rs::Encoding;

use super::TextSink;

/// Destinations whose content is not body text.
const SKIPPED: &[&[u8]] = &[
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"info",
    b"pict",
    b"object",
    b"fldinst",
    b"themedata",
    b"colorschememapping",
    b"datastore",
    b"latentstyles",
    b"listtable",
    b"listoverridetable",
    b"rsidtbl",
    b"generator",
    b"xmlnstbl",
    b"mmathPr",
    b"filetbl",
    b"revtbl",
    b"bkmkstart",
    b"bkmkend",
    b"objdata",
    b"blipuid",
];

#[derive(Clone, Copy)]
struct Group {
    skip: bool,
    uc: u32,
}

struct State<'o> {
    out: &'o mut TextSink,
    pending: Vec<u8>,
    encoding: &'static Encoding,
}

impl State<'_> {
    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let (text, _) = self.encoding.decode_without_bom_handling(&self.pending);
            self.out.push(&text);
            self.pending.clear();
        }
    }
    fn text(&mut self, s: &str) {
        self.flush();
        self.out.push(s);
    }
}

/// The Windows code page `n` as an encoding; Western (1252) when unknown.
fn code_page(n: i64) -> &'static Encoding {
    let label: &[u8] = match n {
        936 | 54936 => b"gb18030",
        950 => b"big5",
        932 => b"shift_jis",
        949 => b"euc-kr",
        65001 => b"utf-8",
        1250..=1258 => {
            return Encoding::for_label(format!("windows-{n}").as_bytes())
                .unwrap_or(encoding_rs::WINDOWS_1252);
        }
        _ => b"windows-1252",
    };
    Encoding::for_label(label).unwrap_or(encoding_rs::WINDOWS_1252)
}

/// Append the text of the RTF document `bytes` to `out`.
pub(super) fn read(bytes: &[u8], out: &mut TextSink) {
    let mut st = State {
        out,
        pending: Vec::new(),
        encoding: encoding_rs::WINDOWS_1252,
    };
    let mut stack: Vec<Group> = Vec::new();
    let mut cur = Group { skip: false, uc: 1 };
    let mut to_skip = 0u32; // fallback characters still to drop after a \uN
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if st.out.full() {
            return;
        }
        i += 1;
        match b {
            b'{' => {
                stack.push(cur);
                to_skip = 0;
            }
            b'}' => {
                st.flush();
                cur = stack.pop().unwrap_or(cur);
                to_skip = 0;
            }
            b'\r' | b'\n' => {}
            b'\\' => {
                let (word, param, next) = control(bytes, i);
                i = next;
                if word == b"'" {
                    if to_skip > 0 {
                        to_skip -= 1;
                    } else if !cur.skip {
                        st.pending.extend(u8::try_from(param).ok());
                    }
                    continue;
                }
                if to_skip > 0 && word != b"u" {
                    to_skip -= 1;
                    continue;
                }
                to_skip = word_effect(&word, param, &mut cur, &mut st);
            }
            _ if cur.skip => {}
            _ if to_skip > 0 => to_skip -= 1,
            _ => st.pending.push(b),
        }
    }
    st.flush();
}

/// Apply one control word; returns how many fallback characters follow it to be skipped.
fn word_effect(word: &[u8], param: i64, cur: &mut Group, st: &mut State<'_>) -> u32 {
    match word {
        b"*" => cur.skip = true,
        b"ansicpg" => st.encoding = code_page(param),
        b"uc" => cur.uc = u32::try_from(param).unwrap_or(1).min(8),
        w if SKIPPED.contains(&w) => cur.skip = true,
        _ if cur.skip => {}
        b"u" => {
            let code = if param < 0 { param + 65536 } else { param };
            let c = u32::try_from(code)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            st.text(c.encode_utf8(&mut [0; 4]));
            return cur.uc;
        }
        b"par" | b"line" | b"row" | b"sect" | b"page" | b"\n" | b"\r" => st.text("\n"),
        b"tab" | b"cell" => st.text("\t"),
        b"~" => st.text("\u{a0}"),
        b"_" => st.text("-"),
        b"\\" => st.text("\\"),
        b"{" => st.text("{"),
        b"}" => st.text("}"),
        b"emdash" => st.text("—"),
        b"endash" => st.text("–"),
        b"lquote" => st.text("‘"),
        b"rquote" => st.text("’"),
        b"ldblquote" => st.text("“"),
        b"rdblquote" => st.text("”"),
        b"bullet" => st.text("•"),
        _ => {}
    }
    0
}

/// The control word or symbol after a backslash at `i`: its name, parameter (the byte of a
/// `\'hh`) and where the text after it starts.
fn control(bytes: &[u8], mut i: usize) -> (Vec<u8>, i64, usize) {
    let Some(&first) = bytes.get(i) else {
        return (Vec::new(), 0, i);
    };
    if !first.is_ascii_alphabetic() {
        i += 1;
        if first == b'\'' {
            let hex = bytes
                .get(i..i + 2)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| i64::from_str_radix(h, 16).ok()) {
                return (b"'".to_vec(), v, i + 2);
            }
            return (Vec::new(), 0, i);
        }
        return (vec![first], 0, i);
    }
    let start = i;
    while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) && i - start < 32 {
        i += 1;
    }
    let word = bytes.get(start..i).unwrap_or_default().to_vec();
    let num_start = i;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    while bytes.get(i).is_some_and(u8::is_ascii_digit) && i - num_start < 11 {
        i += 1;
    }
    let param = std::str::from_utf8(bytes.get(num_start..i).unwrap_or_default())
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    (word, param, i)
}
