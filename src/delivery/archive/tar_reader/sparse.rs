//! GNU sparse files: the sparse map of each of GNU tar's formats (old GNU `S` entries, PAX
//! 0.0, 0.1 and 1.0), checked and bounded, and a reader that gives the file's real bytes,
//! holes as zeros.

use std::io::{self, Read};

/// The most data stretches a sparse map may list (each costs 16 bytes of memory).
pub(super) const MAX_CHUNKS: usize = 256 * 1024;
/// The most bytes of a PAX 1.0 sparse map, at the start of the entry's data.
pub(super) const MAX_MAP_BYTES: u64 = 8 * 1024 * 1024;

/// One stretch of data of a sparse file: its offset in the file and its length.
pub(super) type Chunk = (u64, u64);

/// A number field of a tar header (octal, or base-256 when its first byte has the high bit),
/// as GNU tar reads it; `None` when malformed.
pub(super) fn number(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let mut n: u64 = u64::from(field[0] & 0x7f);
        for &b in &field[1..] {
            n = n.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(n);
    }
    let s = field
        .iter()
        .skip_while(|&&b| b == b' ')
        .take_while(|&&b| b != 0 && b != b' ')
        .copied()
        .collect::<Vec<u8>>();
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(std::str::from_utf8(&s).ok()?, 8).ok()
}

/// Read the map entries of an old GNU sparse header or extension block: `count` pairs of
/// 12-byte offset and length fields from `at`, until one whose length field is empty (as GNU
/// tar stops). `Ok(true)` when all `count` were used (more may follow in an extension block).
pub(super) fn gnu_entries(
    block: &[u8],
    at: usize,
    count: usize,
    out: &mut Vec<Chunk>,
) -> Result<bool, String> {
    for i in 0..count {
        let f = &block[at + 24 * i..at + 24 * i + 24];
        if f[12] == 0 {
            return Ok(false);
        }
        let (Some(off), Some(len)) = (number(&f[..12]), number(&f[12..])) else {
            return Err(format!("map entry {} is not a number", out.len() + 1));
        };
        push(out, off, len)?;
    }
    Ok(true)
}

fn push(out: &mut Vec<Chunk>, off: u64, len: u64) -> Result<(), String> {
    if out.len() >= MAX_CHUNKS {
        return Err(format!("more than {MAX_CHUNKS} map entries"));
    }
    out.push((off, len));
    Ok(())
}

fn decimal(v: &[u8]) -> Result<u64, String> {
    std::str::from_utf8(v)
        .ok()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{:?} is not a number", String::from_utf8_lossy(v)))
}

/// Check that the PAX `GNU.sparse.*` records of a regular entry form one complete sparse
/// description of a format GNU tar writes, so that GNU tar reads the entry as the sparse file
/// escrow reads: 1.0 (`major` 1, `minor` 0, `realsize`, the map in the data), 0.1
/// (`numblocks` then a non-empty `map`) or 0.0 (`numblocks` then `offset` and `numbytes`
/// pairs), each with one real size. Anything else GNU tar reads otherwise: a real size without
/// a map makes it read that many bytes of the archive as the file's plain data, so headers
/// inside are data for GNU tar and entries for a reader of holes.
pub(super) fn shape(records: &[(&[u8], &[u8])]) -> Result<(), String> {
    let sparse: Vec<&[u8]> = records
        .iter()
        .filter_map(|(k, _)| k.strip_prefix(b"GNU.sparse.".as_slice()))
        .filter(|k| *k != b"name")
        .collect();
    let count = |key: &[u8]| sparse.iter().filter(|k| **k == key).count();
    let first = |key: &[u8]| sparse.iter().position(|k| *k == key);
    for (k, v) in records {
        if let Some(key) = k.strip_prefix(b"GNU.sparse.".as_slice())
            && !matches!(
                key,
                b"name"
                    | b"major"
                    | b"minor"
                    | b"realsize"
                    | b"size"
                    | b"numblocks"
                    | b"offset"
                    | b"numbytes"
                    | b"map"
            )
        {
            return Err(format!(
                "an unknown record GNU.sparse.{}={}",
                String::from_utf8_lossy(key),
                String::from_utf8_lossy(v)
            ));
        }
    }
    for key in [
        &b"major"[..],
        b"minor",
        b"realsize",
        b"size",
        b"numblocks",
        b"map",
    ] {
        if count(key) > 1 {
            return Err(format!(
                "GNU.sparse.{} is given twice",
                String::from_utf8_lossy(key)
            ));
        }
    }
    if count(b"realsize") + count(b"size") != 1 {
        return Err(
            "not exactly one real size (GNU.sparse.realsize or GNU.sparse.size)".to_owned(),
        );
    }
    let pairs = count(b"offset") + count(b"numbytes");
    if count(b"major") == 1 {
        if count(b"minor") != 1 || count(b"numblocks") + count(b"map") + pairs > 0 {
            return Err("GNU.sparse.major with records of another sparse format".to_owned());
        }
        return Ok(());
    }
    if count(b"minor") > 0 {
        return Err("GNU.sparse.minor without GNU.sparse.major".to_owned());
    }
    let map_at = match (count(b"map"), pairs) {
        (1, 0) => first(b"map"),
        (0, p) if p > 0 => first(b"offset").min(first(b"numbytes")),
        (0, 0) => {
            return Err("a real size but no sparse map: GNU tar reads that many bytes of the archive as the file's plain data".to_owned());
        }
        _ => {
            return Err("both a GNU.sparse.map and GNU.sparse.offset/numbytes records".to_owned());
        }
    };
    let counted_first = matches!((first(b"numblocks"), map_at), (Some(n), Some(m)) if n < m);
    if !counted_first {
        return Err("no GNU.sparse.numblocks before the map".to_owned());
    }
    Ok(())
}

/// The map of a PAX 0.0 sparse file: `GNU.sparse.offset` and `GNU.sparse.numbytes` records in
/// turn, in the order written.
pub(super) fn pax_00(records: &[(&[u8], &[u8])]) -> Result<Vec<Chunk>, String> {
    let mut out = Vec::new();
    let mut offset = None;
    for (k, v) in records {
        match *k {
            b"GNU.sparse.offset" if offset.is_some() => {
                return Err("two GNU.sparse.offset records in a row".to_owned());
            }
            b"GNU.sparse.offset" => offset = Some(decimal(v)?),
            b"GNU.sparse.numbytes" => {
                let off = offset
                    .take()
                    .ok_or("a GNU.sparse.numbytes record without its offset")?;
                push(&mut out, off, decimal(v)?)?;
            }
            _ => {}
        }
    }
    if offset.is_some() {
        return Err("a GNU.sparse.offset record without its length".to_owned());
    }
    Ok(out)
}

/// The map of a PAX 0.1 sparse file: `GNU.sparse.map`, offsets and lengths separated by commas.
pub(super) fn pax_01(map: &[u8]) -> Result<Vec<Chunk>, String> {
    let mut out = Vec::new();
    if map.is_empty() {
        return Ok(out);
    }
    let parts: Vec<&[u8]> = map.split(|&b| b == b',').collect();
    if !parts.len().is_multiple_of(2) {
        return Err("GNU.sparse.map holds an odd count of numbers".to_owned());
    }
    for p in parts.chunks(2) {
        push(&mut out, decimal(p[0])?, decimal(p[1])?)?;
    }
    Ok(out)
}

/// The map of a PAX 1.0 sparse file, at the start of its data: decimal lines (the count, then
/// offset and length of each stretch), padded to a 512-byte block. Returns the map and the
/// bytes it took, within `stored` (the entry's data size) and [`MAX_MAP_BYTES`].
pub(super) fn v1_map(data: &mut dyn Read, stored: u64) -> Result<(Vec<Chunk>, u64), String> {
    let cap = stored.min(MAX_MAP_BYTES);
    let mut used: u64 = 0;
    let mut line = || -> Result<u64, String> {
        let mut s = Vec::new();
        loop {
            if used >= cap {
                return Err(format!(
                    "the map at the start of the data is longer than the {cap} bytes taken"
                ));
            }
            let mut b = [0u8];
            data.read_exact(&mut b)
                .map_err(|e| format!("the map cannot be read ({e})"))?;
            used += 1;
            if b[0] == b'\n' {
                return decimal(&s);
            }
            if s.len() > 20 {
                return Err("a map number is too long".to_owned());
            }
            s.push(b[0]);
        }
    };
    let n = line()?;
    if n > MAX_CHUNKS as u64 {
        return Err(format!("{n} map entries, more than the {MAX_CHUNKS} taken"));
    }
    let mut out = Vec::new();
    for _ in 0..n {
        let off = line()?;
        push(&mut out, off, line()?)?;
    }
    let padded = used.next_multiple_of(512);
    if padded > stored {
        return Err("the map is longer than the entry's data".to_owned());
    }
    io::copy(&mut data.take(padded - used), &mut io::sink())
        .map_err(|e| format!("the map cannot be read ({e})"))?;
    Ok((out, padded))
}

/// Check a map as GNU tar's reading needs it: stretches in increasing order, not overlapping,
/// within the file's `real` size, and their lengths adding up to the `stored` data bytes.
pub(super) fn check(map: &[Chunk], real: u64, stored: u64) -> Result<(), String> {
    let mut end = 0u64;
    let mut total = 0u64;
    for (i, &(off, len)) in map.iter().enumerate() {
        if off < end {
            return Err(format!(
                "map entry {} (offset {off}) is not after the previous one (which ends at {end})",
                i + 1
            ));
        }
        end = off.checked_add(len).filter(|&e| e <= real).ok_or_else(|| {
            format!(
                "map entry {} (offset {off}, {len} bytes) ends past the file's size ({real} bytes)",
                i + 1
            )
        })?;
        total += len;
    }
    if total != stored {
        return Err(format!(
            "the map lists {total} bytes of data but the entry holds {stored}"
        ));
    }
    Ok(())
}

/// The real bytes of a sparse file: the stored stretches read from `inner` in order, zeros
/// between them and up to the real size.
pub(super) struct Expand<R> {
    inner: R,
    map: Vec<Chunk>,
    next: usize,
    pos: u64,
    real: u64,
}

impl<R: Read> Expand<R> {
    /// A reader of `real` bytes from a checked `map` over `inner`, the stored data.
    pub(super) fn new(inner: R, map: Vec<Chunk>, real: u64) -> Self {
        Expand {
            inner,
            map,
            next: 0,
            pos: 0,
            real,
        }
    }
}

impl<R: Read> Read for Expand<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while let Some(&(off, len)) = self.map.get(self.next) {
            if off + len > self.pos {
                break;
            }
            self.next += 1;
        }
        if self.pos >= self.real || buf.is_empty() {
            return Ok(0);
        }
        let (data, until) = match self.map.get(self.next) {
            Some(&(off, len)) if off <= self.pos => (true, off + len),
            Some(&(off, _)) => (false, off),
            None => (false, self.real),
        };
        let want = usize::try_from(until - self.pos)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = if data {
            let n = self.inner.read(&mut buf[..want])?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the archive ends inside the sparse file's data",
                ));
            }
            n
        } else {
            buf[..want].fill(0);
            want
        };
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_gives_holes_as_zeros_up_to_the_real_size() {
        let map = vec![(2, 3), (8, 2)];
        check(&map, 12, 5).unwrap();
        let mut out = Vec::new();
        Expand::new(&b"abcde"[..], map, 12)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"\0\0abc\0\0\0de\0\0");
    }

    #[test]
    fn expand_reports_data_that_ends_early() {
        let mut out = Vec::new();
        let err = Expand::new(&b"ab"[..], vec![(0, 4)], 4)
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn maps_are_checked() {
        assert!(check(&[(4, 2), (0, 2)], 10, 4).is_err(), "out of order");
        assert!(check(&[(0, 4), (2, 2)], 10, 6).is_err(), "overlapping");
        assert!(check(&[(8, 4)], 10, 4).is_err(), "past the real size");
        assert!(check(&[(0, 4)], 10, 5).is_err(), "not the stored size");
        assert!(check(&[(u64::MAX, 2)], 10, 2).is_err(), "overflow");
        check(&[(0, 4), (10, 0)], 10, 4).unwrap();
    }

    #[test]
    fn map_formats_parse() {
        assert_eq!(
            pax_01(b"0,4096,32768,4096").unwrap(),
            vec![(0, 4096), (32_768, 4096)]
        );
        assert!(pax_01(b"0,4096,1").is_err());
        assert!(pax_01(b"0,-1").is_err());
        let recs: Vec<(&[u8], &[u8])> = vec![
            (b"GNU.sparse.offset", b"0"),
            (b"GNU.sparse.numbytes", b"5"),
            (b"GNU.sparse.offset", b"9"),
            (b"GNU.sparse.numbytes", b"1"),
        ];
        assert_eq!(pax_00(&recs).unwrap(), vec![(0, 5), (9, 1)]);
        assert!(pax_00(&recs[1..]).is_err(), "a length without its offset");
        assert!(pax_00(&recs[..1]).is_err(), "an offset without its length");
        let mut v1 = b"2\n0\n5\n9\n1\n".to_vec();
        v1.resize(512, 0);
        v1.extend_from_slice(b"hello!");
        let mut r = &v1[..];
        assert_eq!(v1_map(&mut r, 518).unwrap(), (vec![(0, 5), (9, 1)], 512));
        assert_eq!(r, b"hello!");
        assert!(
            v1_map(&mut &b"999999999\n"[..], 512).is_err(),
            "too many entries"
        );
        assert!(
            v1_map(&mut &b"1\n0\n"[..], 4).is_err(),
            "longer than the data"
        );
    }

    #[test]
    fn only_complete_sparse_descriptions_pass() {
        let r = |v: &[(&'static str, &'static str)]| -> Vec<(&'static [u8], &'static [u8])> {
            v.iter()
                .map(|(k, v)| (k.as_bytes(), v.as_bytes()))
                .collect()
        };
        let ok = [
            r(&[
                ("GNU.sparse.major", "1"),
                ("GNU.sparse.minor", "0"),
                ("GNU.sparse.realsize", "9"),
            ]),
            r(&[
                ("GNU.sparse.size", "9"),
                ("GNU.sparse.numblocks", "1"),
                ("GNU.sparse.map", "9,0"),
            ]),
            r(&[
                ("GNU.sparse.size", "9"),
                ("GNU.sparse.numblocks", "1"),
                ("GNU.sparse.offset", "9"),
                ("GNU.sparse.numbytes", "0"),
            ]),
        ];
        for recs in ok {
            shape(&recs).unwrap();
        }
        let bad = [
            r(&[("GNU.sparse.size", "9")]),
            r(&[("GNU.sparse.realsize", "9")]),
            r(&[("GNU.sparse.name", "x")]),
            r(&[("GNU.sparse.size", "9"), ("GNU.sparse.map", "9,0")]),
            r(&[
                ("GNU.sparse.size", "9"),
                ("GNU.sparse.map", "9,0"),
                ("GNU.sparse.numblocks", "1"),
            ]),
            r(&[
                ("GNU.sparse.size", "9"),
                ("GNU.sparse.realsize", "9"),
                ("GNU.sparse.numblocks", "1"),
                ("GNU.sparse.map", "9,0"),
            ]),
            r(&[("GNU.sparse.major", "1"), ("GNU.sparse.realsize", "9")]),
            r(&[
                ("GNU.sparse.major", "1"),
                ("GNU.sparse.minor", "0"),
                ("GNU.sparse.realsize", "9"),
                ("GNU.sparse.map", "9,0"),
            ]),
            r(&[
                ("GNU.sparse.size", "9"),
                ("GNU.sparse.numblocks", "1"),
                ("GNU.sparse.map", "9,0"),
                ("GNU.sparse.odd", "1"),
            ]),
        ];
        for recs in bad {
            assert!(shape(&recs).is_err(), "{recs:?}");
        }
    }

    #[test]
    fn header_numbers_are_octal_or_base_256() {
        assert_eq!(number(b"00000001000\0"), Some(512));
        assert_eq!(number(b"\x80\0\0\0\0\0\0\0\0\0\x02\0"), Some(512));
        assert_eq!(number(b"\0\0\0"), Some(0));
        assert_eq!(number(b"12x"), None);
    }
}
