//! Text encodings real Chinese deliveries use: UTF-8 with or without BOM, UTF-16 LE/BE with BOM
//! (what Windows tools such as SSMS write), and GB18030/GBK (what Chinese Windows defaults to).

use std::io::{self, Read};

use encoding_rs::{Decoder, Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

/// How many bytes are sniffed to choose an encoding.
const SNIFF: usize = 64 * 1024;

/// Choose the encoding of a text from its first bytes: a BOM wins; then UTF-16 without BOM when
/// every other byte is NUL; then UTF-8 when the sample is valid UTF-8 (a sequence cut at the end
/// of the sample is fine); else GB18030, a superset of GBK and GB2312.
pub fn sniff(sample: &[u8]) -> (&'static Encoding, usize) {
    if let Some((enc, bom)) = Encoding::for_bom(sample) {
        return (enc, bom);
    }
    if sample.len() >= 4 {
        let pairs = sample.len() / 2;
        let even_nul = sample.chunks_exact(2).filter(|p| p[0] == 0).count();
        let odd_nul = sample.chunks_exact(2).filter(|p| p[1] == 0).count();
        if odd_nul * 10 >= pairs * 4 && even_nul == 0 {
            return (UTF_16LE, 0);
        }
        if even_nul * 10 >= pairs * 4 && odd_nul == 0 {
            return (UTF_16BE, 0);
        }
    }
    match std::str::from_utf8(sample) {
        Ok(_) => (UTF_8, 0),
        Err(e) if e.error_len().is_none() => (UTF_8, 0),
        Err(_) => (GB18030, 0),
    }
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

/// Decode a whole (small) text. Returns the text and the encoding's readable name.
pub fn decode(bytes: &[u8]) -> (String, String) {
    let (enc, bom) = sniff(&bytes[..bytes.len().min(SNIFF)]);
    let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
    (text.into_owned(), encoding_name(enc, bom))
}

/// Decode a stream chunk by chunk, calling `sink` with each piece of text. Memory stays bounded
/// whatever the size of the input. Returns the encoding's readable name.
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
    let (enc, bom) = sniff(&buf[..filled]);
    let mut decoder: Decoder = enc.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(SNIFF * 3 + 16);
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
