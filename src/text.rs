//! Text encodings real Chinese deliveries use: UTF-8 with or without BOM, UTF-16 LE/BE with or
//! without BOM (what Windows tools such as SSMS write), and GB18030/GBK (what Chinese Windows
//! defaults to).
//!
//! Without a BOM and unless the text is UTF-16, the encoding is chosen line by line: scripts are
//! concatenated from files saved by different editors, so one file may hold UTF-8 lines and GBK
//! lines, and a file may be ASCII for megabytes before its first Chinese character. Splitting at
//! '\n' is safe in both encodings: the byte 0x0A never occurs inside a UTF-8 or GB18030
//! multi-byte character.

use std::io::{self, Read};

use encoding_rs::{Decoder, Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

/// How many bytes are sniffed for a BOM or UTF-16 without BOM, and read at a time.
const SNIFF: usize = 64 * 1024;

/// The longest line held whole to choose its encoding. A longer line (a dump's one-line
/// multi-row INSERT) is decoded in pieces, see [`Lines::long_line`].
const MAX_LINE: usize = 1024 * 1024;

/// The encoding a text must be decoded with as a whole: a BOM's, or UTF-16 without BOM when about
/// every other byte is NUL. `None`: no BOM and not UTF-16, so the text is decoded line by line
/// (each line as UTF-8 when valid, else as GB18030, a superset of GBK and GB2312).
///
/// UTF-16 without BOM: text that is mostly ASCII has a NUL in the high byte of most code units.
/// Characters U+xx00 (一 U+4E00, 最 U+6700) put a NUL in the other position too, so the test is a
/// ratio: at least 40% NULs in the high-byte position and at most 5% in the low-byte one.
pub fn sniff(sample: &[u8]) -> Option<(&'static Encoding, usize)> {
    if let Some((enc, bom)) = Encoding::for_bom(sample) {
        return Some((enc, bom));
    }
    if sample.len() >= 4 {
        let pairs = sample.len() / 2;
        let even_nul = sample.chunks_exact(2).filter(|p| p[0] == 0).count();
        let odd_nul = sample.chunks_exact(2).filter(|p| p[1] == 0).count();
        if odd_nul * 10 >= pairs * 4 && even_nul * 20 <= pairs {
            return Some((UTF_16LE, 0));
        }
        if even_nul * 10 >= pairs * 4 && odd_nul * 20 <= pairs {
            return Some((UTF_16BE, 0));
        }
    }
    None
}

/// A readable name for an encoding, as shown in reports.
pub fn encoding_name(enc: &'static Encoding, bom: usize) -> String {
    let name = if enc == GB18030 {
        "GB18030/GBK"
    } else {
        enc.name()
    };
    if bom > 0 {
        format!("{name} (BOM)")
    } else {
        name.to_owned()
    }
}

/// Decode a whole (small) text. Returns the text and the encoding's readable name, as
/// [`decode_stream`] does.
pub fn decode(bytes: &[u8]) -> (String, String) {
    let mut text = String::with_capacity(bytes.len());
    let name = decode_stream(&mut &bytes[..], &mut |s| text.push_str(s))
        .expect("reading from a slice cannot fail");
    (text, name)
}

/// Decode a stream chunk by chunk, calling `sink` with each piece of text. Memory stays bounded
/// whatever the size of the input and the length of its lines. Returns the encoding's readable
/// name: "UTF-8", "GB18030/GBK", "UTF-8 + GB18030/GBK" when lines of both were found, or for a
/// whole-text encoding "UTF-8 (BOM)", "UTF-16LE (BOM)", "UTF-16BE (BOM)", "UTF-16LE", "UTF-16BE".
pub fn decode_stream(reader: &mut dyn Read, sink: &mut dyn FnMut(&str)) -> io::Result<String> {
    let mut buf = vec![0u8; SNIFF];
    let mut filled = 0;
    while filled < buf.len() {
        let n = read_some(reader, &mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    let mut out = String::with_capacity(SNIFF * 3 + 16);
    let Some((enc, bom)) = sniff(&buf[..filled]) else {
        let mut lines = Lines::default();
        lines.push(&buf[..filled], &mut out, sink);
        loop {
            let n = read_some(reader, &mut buf)?;
            if n == 0 {
                break;
            }
            lines.push(&buf[..n], &mut out, sink);
        }
        lines.finish(&mut out, sink);
        return Ok(lines.name().to_owned());
    };
    let mut decoder: Decoder = enc.new_decoder_without_bom_handling();
    feed(&mut decoder, &buf[bom..filled], false, &mut out, sink);
    loop {
        let n = read_some(reader, &mut buf)?;
        if n == 0 {
            feed(&mut decoder, &[], true, &mut out, sink);
            break;
        }
        feed(&mut decoder, &buf[..n], false, &mut out, sink);
    }
    Ok(encoding_name(enc, bom))
}

/// Line-by-line decoding: each line as UTF-8 when it is valid UTF-8, else as GB18030.
#[derive(Default)]
struct Lines {
    /// The bytes of the unfinished last line, at most `MAX_LINE` plus one read.
    pending: Vec<u8>,
    /// Inside a line longer than `MAX_LINE`: the decoder chosen for the rest of that line.
    long: Option<Decoder>,
    saw_utf8: bool,
    saw_gb: bool,
}

impl Lines {
    fn push(&mut self, mut bytes: &[u8], out: &mut String, sink: &mut dyn FnMut(&str)) {
        if let Some(decoder) = &mut self.long {
            match bytes.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    feed(decoder, &bytes[..=i], true, out, sink);
                    self.long = None;
                    bytes = &bytes[i + 1..];
                }
                None => {
                    feed(decoder, bytes, false, out, sink);
                    return;
                }
            }
        }
        let complete = match bytes.iter().rposition(|&b| b == b'\n') {
            Some(i) if self.pending.is_empty() => {
                self.lines(&bytes[..=i], out, sink);
                self.pending.extend_from_slice(&bytes[i + 1..]);
                None
            }
            Some(i) => {
                self.pending.extend_from_slice(bytes);
                Some(self.pending.len() - (bytes.len() - i) + 1)
            }
            None => {
                self.pending.extend_from_slice(bytes);
                None
            }
        };
        if let Some(end) = complete {
            let pending = std::mem::take(&mut self.pending);
            self.lines(&pending[..end], out, sink);
            self.pending = pending;
            self.pending.drain(..end);
        }
        if self.pending.len() > MAX_LINE {
            self.long_line(out, sink);
        }
    }

    /// A line longer than `MAX_LINE` so far, with no newline yet. Its ASCII start is passed on
    /// undecided (ASCII reads the same in both encodings). Once at least `MAX_LINE` bytes from
    /// its first non-ASCII byte are held, they choose the encoding of the rest of the line, by
    /// the rule for whole lines: UTF-8 when valid (a character cut at the end is fine), GB18030
    /// otherwise. That is the most evidence bounded memory allows, more than the encoding of the
    /// previous lines, which may all be ASCII. Bytes later in the line that are invalid in the
    /// chosen encoding decode as U+FFFD.
    fn long_line(&mut self, out: &mut String, sink: &mut dyn FnMut(&str)) {
        let ascii = self
            .pending
            .iter()
            .position(|b| !b.is_ascii())
            .unwrap_or(self.pending.len());
        if ascii > 0 {
            sink(std::str::from_utf8(&self.pending[..ascii]).expect("ASCII is UTF-8"));
            self.pending.drain(..ascii);
        }
        if self.pending.len() < MAX_LINE {
            return;
        }
        let enc = if is_utf8(&self.pending, true) {
            self.saw_utf8 = true;
            UTF_8
        } else {
            self.saw_gb = true;
            GB18030
        };
        let mut decoder = enc.new_decoder_without_bom_handling();
        feed(&mut decoder, &self.pending, false, out, sink);
        self.pending.clear();
        self.long = Some(decoder);
    }

    /// Whole lines (the last may lack its newline at the end of the text). Runs of lines in the
    /// same encoding are passed on together; ASCII lines join either.
    fn lines(&mut self, text: &[u8], out: &mut String, sink: &mut dyn FnMut(&str)) {
        if text.is_ascii() {
            sink(std::str::from_utf8(text).expect("ASCII is UTF-8"));
            return;
        }
        if let Ok(s) = std::str::from_utf8(text) {
            self.saw_utf8 = true;
            sink(s);
            return;
        }
        let mut run_start = 0;
        let mut run_gb = false;
        let mut start = 0;
        while start < text.len() {
            let end = text[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(text.len(), |i| start + i + 1);
            let line = &text[start..end];
            if !line.is_ascii() {
                let gb = !is_utf8(line, false);
                if gb != run_gb {
                    Self::run(&text[run_start..start], run_gb, out, sink);
                    run_start = start;
                    run_gb = gb;
                }
                if gb {
                    self.saw_gb = true;
                } else {
                    self.saw_utf8 = true;
                }
            }
            start = end;
        }
        Self::run(&text[run_start..], run_gb, out, sink);
    }

    fn run(text: &[u8], gb: bool, out: &mut String, sink: &mut dyn FnMut(&str)) {
        if text.is_empty() {
            return;
        }
        if gb {
            let mut decoder = GB18030.new_decoder_without_bom_handling();
            feed(&mut decoder, text, true, out, sink);
        } else {
            sink(std::str::from_utf8(text).expect("validated line by line"));
        }
    }

    fn finish(&mut self, out: &mut String, sink: &mut dyn FnMut(&str)) {
        if let Some(mut decoder) = self.long.take() {
            feed(&mut decoder, &[], true, out, sink);
        } else if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            self.lines(&pending, out, sink);
        }
    }

    fn name(&self) -> &'static str {
        match (self.saw_utf8, self.saw_gb) {
            (true, true) => "UTF-8 + GB18030/GBK",
            (false, true) => "GB18030/GBK",
            _ => "UTF-8",
        }
    }
}

/// Valid UTF-8; with `cut_ok`, a character cut short at the very end is fine.
fn is_utf8(bytes: &[u8], cut_ok: bool) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => cut_ok && e.error_len().is_none(),
    }
}

fn read_some(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

fn feed(
    decoder: &mut Decoder,
    mut src: &[u8],
    last: bool,
    out: &mut String,
    sink: &mut dyn FnMut(&str),
) {
    // The decoder writes only into spare capacity: without any, it would make no progress.
    out.clear();
    out.reserve(SNIFF);
    loop {
        out.clear();
        let (result, read, _) = decoder.decode_to_string(src, out, last);
        if !out.is_empty() {
            sink(out);
        }
        src = &src[read..];
        if result == encoding_rs::CoderResult::InputEmpty {
            break;
        }
    }
}

/// `s` made safe to print on a terminal: control characters other than newline and tab (C0,
/// DEL, C1: the starts of escape sequences that move the cursor, erase lines, hide text or set
/// the window title), the bidirectional overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069, which reorder what is shown) and invisible characters (zero-width and
/// format characters U+200B–U+200F, U+2060–U+206F, U+2028, U+2029, U+FEFF, U+061C, U+00AD,
/// U+034F, Mongolian and variation selectors, Hangul and Khmer fillers, interlinear
/// annotation, musical format and tag characters: two names that look alike) are written as
/// `\u{XX}` escapes. Text from a
/// delivery (build output, evidence, change notes, commit authors) goes through this before it
/// reaches a terminal.
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
            // Invisible characters that make two names look the same, or break a line where
            // none shows: zero-width space/joiners, direction marks, word joiner and
            // invisible operators, line and paragraph separators, the byte-order mark.
            || ('\u{200b}'..='\u{200f}').contains(&c)
            || ('\u{2060}'..='\u{206f}').contains(&c)
            || ('\u{180b}'..='\u{180f}').contains(&c)
            || ('\u{fe00}'..='\u{fe0f}').contains(&c)
            || ('\u{fff9}'..='\u{fffb}').contains(&c)
            || ('\u{1d173}'..='\u{1d17a}').contains(&c)
            || ('\u{e0000}'..='\u{e0fff}').contains(&c)
            || matches!(
                c,
                '\u{2028}'
                    | '\u{2029}'
                    | '\u{feff}'
                    | '\u{61c}'
                    | '\u{ad}'
                    | '\u{34f}'
                    | '\u{115f}'
                    | '\u{1160}'
                    | '\u{17b4}'
                    | '\u{17b5}'
                    | '\u{3164}'
                    | '\u{ffa0}'
            )
    };
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Every string in `value` (a JSON document) passed through [`terminal_safe`].
pub fn terminal_safe_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            if let std::borrow::Cow::Owned(t) = terminal_safe(s) {
                *s = t;
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(terminal_safe_json),
        serde_json::Value::Object(o) => o.values_mut().for_each(terminal_safe_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(bytes: &[u8]) -> (String, String) {
        let mut text = String::new();
        let name = decode_stream(&mut &bytes[..], &mut |s| text.push_str(s)).unwrap();
        (text, name)
    }

    #[test]
    fn detects_boms_and_gbk() {
        let s = "建表 CREATE TABLE 患者";
        let (gbk, _, _) = GB18030.encode(s);
        assert_eq!(decode(&gbk), (s.to_owned(), "GB18030/GBK".to_owned()));
        let mut le = vec![0xFF, 0xFE];
        le.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&le), (s.to_owned(), "UTF-16LE (BOM)".to_owned()));
        let mut be = vec![0xFE, 0xFF];
        be.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be), (s.to_owned(), "UTF-16BE (BOM)".to_owned()));
        let mut bom8 = vec![0xEF, 0xBB, 0xBF];
        bom8.extend(s.as_bytes());
        assert_eq!(decode(&bom8), (s.to_owned(), "UTF-8 (BOM)".to_owned()));
        assert_eq!(decode(s.as_bytes()), (s.to_owned(), "UTF-8".to_owned()));
    }

    /// A reader that returns at most `n` bytes per read.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn gbk(s: &str) -> Vec<u8> {
        GB18030.encode(s).0.into_owned()
    }

    #[test]
    fn gbk_after_64_kib_of_ascii_is_still_gbk() {
        // 淺 is 9C 5C in GBK: read as UTF-8, its second byte would be a backslash.
        let head = "INSERT INTO log VALUES (1);\n".repeat(3000);
        let tail = "INSERT INTO t VALUES ('淺');\nCREATE TABLE `門診` (x int);\n";
        let mut bytes = head.clone().into_bytes();
        assert!(bytes.len() > SNIFF);
        bytes.extend(gbk(tail));
        let want = (format!("{head}{tail}"), "GB18030/GBK".to_owned());
        assert_eq!(decode(&bytes), want);
        assert_eq!(collect(&bytes), want);
    }

    #[test]
    fn invisible_characters_are_shown_so_two_names_never_look_alike() {
        assert_eq!(terminal_safe("cfg/app\u{200b}.yml"), "cfg/app\\u{200b}.yml");
        assert_eq!(terminal_safe("a\u{2028}b\u{feff}"), "a\\u{2028}b\\u{feff}");
        assert_eq!(terminal_safe("x\u{2060}\u{200f}"), "x\\u{2060}\\u{200f}");
        assert_eq!(
            terminal_safe("a\u{e0041}\u{ad}\u{3164}"),
            "a\\u{e0041}\\u{ad}\\u{3164}"
        );
        // Chinese text, newlines and tabs pass unchanged, without a copy.
        assert!(matches!(
            terminal_safe("门诊\t管理\n"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn utf8_file_with_one_gbk_line_decodes_each_line_in_its_encoding() {
        let mut bytes = gbk("-- 门诊建表脚本\n");
        bytes.extend("CREATE TABLE `表` (x int);\nCREATE TABLE `药品` (y int);\n".as_bytes());
        let want = (
            "-- 门诊建表脚本\nCREATE TABLE `表` (x int);\nCREATE TABLE `药品` (y int);\n"
                .to_owned(),
            "UTF-8 + GB18030/GBK".to_owned(),
        );
        assert_eq!(decode(&bytes), want);
        assert_eq!(collect(&bytes), want);
        // Reads of any size give the same text.
        for n in [1, 2, 3, 7] {
            let mut text = String::new();
            let name = decode_stream(&mut Trickle(&bytes, n), &mut |s| text.push_str(s)).unwrap();
            assert_eq!((text, name), want, "reads of {n}");
        }
        // The last line may lack its newline.
        let mut bytes = b"CREATE TABLE a (x int);\n".to_vec();
        bytes.extend(gbk("-- 末行"));
        assert_eq!(
            decode(&bytes),
            (
                "CREATE TABLE a (x int);\n-- 末行".to_owned(),
                "GB18030/GBK".to_owned()
            )
        );
    }

    #[test]
    fn utf16_without_bom_despite_u_xx00_characters() {
        // 一 is U+4E00 and 最 U+6700: each puts a NUL in the low byte too.
        let s = "CREATE TABLE dbo.一 (最后就诊 datetime, id int);\n".repeat(5);
        let le: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&le), (s.clone(), "UTF-16LE".to_owned()));
        assert_eq!(collect(&le), (s.clone(), "UTF-16LE".to_owned()));
        let be: Vec<u8> = s.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&be), (s.clone(), "UTF-16BE".to_owned()));
        // A few NULs in a UTF-8 text do not make it UTF-16.
        let nul = "CREATE TABLE a (x int);\0\n".repeat(5);
        assert_eq!(decode(nul.as_bytes()), (nul.clone(), "UTF-8".to_owned()));
    }

    #[test]
    fn long_lines_are_decoded_in_bounded_memory() {
        // One line of 1.5 MiB ASCII then 2 MiB of GBK, then a UTF-8 line.
        let ascii = "(1,'a'),".repeat(MAX_LINE * 3 / 2 / 8);
        let chinese = "(2,'患者'),".repeat(MAX_LINE * 2 / 10);
        let mut bytes = ascii.clone().into_bytes();
        bytes.extend(gbk(&chinese));
        bytes.extend("\n-- 完\n".as_bytes());
        let mut lines = Lines::default();
        let mut out = String::new();
        let mut text = String::new();
        for piece in bytes.chunks(SNIFF) {
            lines.push(piece, &mut out, &mut |s| text.push_str(s));
            assert!(lines.pending.len() <= MAX_LINE + SNIFF);
        }
        lines.finish(&mut out, &mut |s| text.push_str(s));
        assert!(text == format!("{ascii}{chinese}\n-- 完\n"), "text differs");
        assert_eq!(lines.name(), "UTF-8 + GB18030/GBK");
        // A long UTF-8 line, then a GBK line, through the stream.
        let long = "患者".repeat(MAX_LINE / 2);
        let mut bytes = long.clone().into_bytes();
        bytes.extend(gbk("\n门诊\n"));
        let (text, name) = collect(&bytes);
        assert!(text == format!("{long}\n门诊\n"), "text differs");
        assert_eq!(name, "UTF-8 + GB18030/GBK");
    }

    #[test]
    fn streaming_matches_whole_decode_across_chunks() {
        let s = "患者信息表 CREATE TABLE `病历` (id int);\n".repeat(20_000);
        let (gbk, _, _) = GB18030.encode(&s);
        assert!(gbk.len() > 2 * SNIFF);
        assert_eq!(collect(&gbk), (s.clone(), "GB18030/GBK".to_owned()));
        let mut le = vec![0xFF, 0xFE];
        le.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(collect(&le), (s.clone(), "UTF-16LE (BOM)".to_owned()));
        assert_eq!(collect(s.as_bytes()), (s, "UTF-8".to_owned()));
        assert_eq!(collect(b""), (String::new(), "UTF-8".to_owned()));
    }
}
