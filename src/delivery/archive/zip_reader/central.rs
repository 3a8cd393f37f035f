//! The zip central directory, read record by record as Info-ZIP `unzip` reads it: every
//! record is kept, in order (the `zip` crate's index keeps only the last entry of a name), and
//! each entry's local header is read at its offset. Everything is bounded by the archive's
//! size: no allocation follows a count or a length before it is checked against the bytes
//! that are really there.

use std::io::{self, Read, Seek, SeekFrom};

/// The end-of-central-directory record's signature.
const EOCD: &[u8; 4] = b"PK\x05\x06";
/// The zip64 end-of-central-directory locator's signature.
const ZIP64_LOCATOR: &[u8; 4] = b"PK\x06\x07";
/// The zip64 end-of-central-directory record's signature.
const ZIP64_EOCD: &[u8; 4] = b"PK\x06\x06";
/// A central-directory record's signature.
const CENTRAL: &[u8; 4] = b"PK\x01\x02";
/// A local header's signature.
const LOCAL: &[u8; 4] = b"PK\x03\x04";
/// A 32-bit field that defers to the zip64 extra field.
const SAT32: u32 = 0xFFFF_FFFF;

/// One central-directory record.
#[derive(Debug, Clone)]
pub(super) struct Record {
    /// The host that made the entry (the high byte of "version made by"): 0 MS-DOS, 3 Unix.
    pub host: u8,
    /// "Version needed to extract": the version (times ten) in the low byte, the host whose
    /// rules it follows in the high byte.
    pub version_needed: u16,
    /// General-purpose flags: bit 0 encrypted, bit 3 data descriptor, bit 11 UTF-8.
    pub flags: u16,
    /// The compression method.
    pub method: u16,
    /// The CRC-32 of the content.
    pub crc: u32,
    /// Compressed size.
    pub csize: u64,
    /// Uncompressed size.
    pub usize: u64,
    /// External attributes (Unix mode in the high 16 bits for Unix hosts).
    pub external: u32,
    /// The local header's offset in the file (bytes prepended to the archive accounted for).
    pub offset: u64,
    /// The name's bytes as recorded.
    pub name: Vec<u8>,
    /// The UTF-8 name of an Info-ZIP Unicode Path extra field (0x7075) whose CRC matches the
    /// recorded name: what `unzip` uses.
    pub unicode_name: Option<Vec<u8>>,
}

/// A local header, read at a record's offset.
#[derive(Debug)]
pub(super) struct Local {
    /// General-purpose flags.
    pub flags: u16,
    /// The compression method.
    pub method: u16,
    /// CRC-32 (zero with a data descriptor).
    pub crc: u32,
    /// Compressed size (zip64 extra field applied).
    pub csize: u64,
    /// Uncompressed size (zip64 extra field applied).
    pub usize: u64,
    /// The name's bytes.
    pub name: Vec<u8>,
    /// Where the entry's data starts.
    pub data_start: u64,
}

fn bad(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

/// Where the central directory is, and how many records its end record announces.
#[derive(Debug)]
struct End {
    /// The number of records announced.
    entries: u64,
    /// Whether the count is zip64's (else it is 16-bit and may have wrapped).
    zip64: bool,
    /// The central directory's recorded offset and size.
    cd_offset: u64,
    cd_size: u64,
    /// Where the end records start (the zip64 one if any): the central directory ends there.
    ends_at: u64,
}

/// Find and read the end-of-central-directory record (and the zip64 one, if located).
fn read_end<R: Read + Seek>(r: &mut R, len: u64) -> io::Result<End> {
    let tail_len = len.min(22 + 0xFFFF);
    r.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; usize::try_from(tail_len).map_err(|_| bad("too large"))?];
    r.read_exact(&mut tail)?;
    let at = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| &tail[i..i + 4] == EOCD)
        .ok_or_else(|| bad("no end-of-central-directory record"))?;
    let e = &tail[at..at + 22];
    let eocd_pos = len - tail_len + at as u64;
    if u16_at(e, 4) != 0 || u16_at(e, 6) != 0 {
        return Err(bad("a split (multi-part) archive"));
    }
    let mut end = End {
        entries: u64::from(u16_at(e, 10)),
        zip64: false,
        cd_size: u64::from(u32_at(e, 12)),
        cd_offset: u64::from(u32_at(e, 16)),
        ends_at: eocd_pos,
    };
    // A zip64 locator just before the end record points at the zip64 end record.
    if eocd_pos >= 20 {
        let mut loc = [0u8; 20];
        r.seek(SeekFrom::Start(eocd_pos - 20))?;
        r.read_exact(&mut loc)?;
        if &loc[..4] == ZIP64_LOCATOR {
            let z64_pos = u64_at(&loc, 8);
            // Bytes prepended to the archive move the zip64 end record too.
            let candidates = [z64_pos, (eocd_pos - 20).saturating_sub(56)];
            let mut rec = [0u8; 56];
            let found = candidates.into_iter().find(|&p| {
                p.checked_add(56).is_some_and(|e| e <= eocd_pos - 20)
                    && r.seek(SeekFrom::Start(p)).is_ok()
                    && r.read_exact(&mut rec).is_ok()
                    && &rec[..4] == ZIP64_EOCD
            });
            let Some(pos) = found else {
                return Err(bad("the zip64 end record is missing"));
            };
            let zip64 = End {
                entries: u64_at(&rec, 32),
                zip64: true,
                cd_size: u64_at(&rec, 40),
                cd_offset: u64_at(&rec, 48),
                ends_at: pos,
            };
            agree(&end, &zip64)?;
            end = zip64;
        }
    }
    Ok(end)
}

/// Refuse a zip64 end record that describes another central directory than the classic end
/// record (a field that is not the "see zip64" escape and differs): Info-ZIP `unzip` then
/// ignores the zip64 record and reads the classic one, tools that trust zip64 read the other.
fn agree(classic: &End, zip64: &End) -> io::Result<()> {
    let mut diffs = Vec::new();
    // A 16-bit count is the zip64 count, or 0xFFFF; a writer that let it wrap is accepted.
    if classic.entries != 0xFFFF && classic.entries != zip64.entries % 0x1_0000 {
        diffs.push(format!(
            "{} entries / {} entries",
            classic.entries, zip64.entries
        ));
    }
    for (what, c, z) in [
        ("offset", classic.cd_offset, zip64.cd_offset),
        ("size", classic.cd_size, zip64.cd_size),
    ] {
        if c != u64::from(SAT32) && c != z {
            diffs.push(format!("{what} {c} / {what} {z}"));
        }
    }
    if diffs.is_empty() {
        return Ok(());
    }
    Err(bad(format!(
        "its two end records describe different central directories (classic / zip64: {}): Info-ZIP unzip reads the classic one, other tools the zip64 one",
        diffs.join(", ")
    )))
}

/// Read every central-directory record, in order, as `unzip` does: records are read while
/// their signature is there, and their number must be the one announced (modulo 65 536
/// without zip64, the 16-bit count wrapping). More than `max_records` is an error before
/// anything is read for them.
pub(super) fn read_directory<R: Read + Seek>(
    r: &mut R,
    len: u64,
    max_records: u64,
) -> io::Result<Vec<Record>> {
    let end = read_end(r, len)?;
    if end.cd_size > end.ends_at {
        return Err(bad("the central directory is larger than the archive"));
    }
    let found_at = end.ends_at - end.cd_size;
    // Bytes prepended to the archive (a self-extractor): offsets move by the same amount.
    let delta = found_at
        .checked_sub(end.cd_offset)
        .ok_or_else(|| bad("the central directory lies outside the archive"))?;
    let mut delta_used = delta;
    let mut sig = [0u8; 4];
    r.seek(SeekFrom::Start(found_at))?;
    if r.read_exact(&mut sig).is_err() || &sig != CENTRAL {
        delta_used = 0;
    }
    let start = end.cd_offset + delta_used;
    if end.entries > max_records {
        return Err(too_many(max_records));
    }
    let mut records = Vec::new();
    let mut r = io::BufReader::with_capacity(1 << 16, LimitedSeek::new(r, start, end.ends_at)?);
    loop {
        let mut fixed = [0u8; 46];
        if !read_or_end(&mut r, &mut fixed[..4])? || &fixed[..4] != CENTRAL {
            break;
        }
        if records.len() as u64 >= max_records {
            return Err(too_many(max_records));
        }
        r.read_exact(&mut fixed[4..])
            .map_err(|_| bad("a central-directory record is cut short"))?;
        records.push(record(&mut r, &fixed, delta_used)?);
    }
    let n = records.len() as u64;
    let matches = if end.zip64 {
        n == end.entries
    } else {
        n % 0x1_0000 == end.entries
    };
    if !matches {
        return Err(bad(format!(
            "the central directory holds {n} records where its end record announces {}",
            end.entries
        )));
    }
    Ok(records)
}

fn too_many(max: u64) -> io::Error {
    bad(format!(
        "more than {max} entries (files, folders and links): a decompression bomb or an unusually large delivery; raise --max-files if it is genuine"
    ))
}

/// Fill `buf`; `false` when the input ends before the first byte.
fn read_or_end(r: &mut impl Read, buf: &mut [u8]) -> io::Result<bool> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) if n == 0 => return Ok(false),
            Ok(0) => return Ok(false),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// The rest of one central record, after its 46 fixed bytes.
fn record(r: &mut impl Read, f: &[u8; 46], delta: u64) -> io::Result<Record> {
    let (nlen, xlen, clen) = (
        usize::from(u16_at(f, 28)),
        usize::from(u16_at(f, 30)),
        usize::from(u16_at(f, 32)),
    );
    // Lengths are 16-bit and the reader ends with the central directory: bounded.
    let mut var = vec![0u8; nlen + xlen + clen];
    r.read_exact(&mut var)
        .map_err(|_| bad("a central-directory record is cut short"))?;
    let comment = var.split_off(nlen + xlen);
    drop(comment);
    let extra = var.split_off(nlen);
    let name = var;
    let mut rec = Record {
        host: (u16_at(f, 4) >> 8) as u8,
        version_needed: u16_at(f, 6),
        flags: u16_at(f, 8),
        method: u16_at(f, 10),
        crc: u32_at(f, 16),
        csize: u64::from(u32_at(f, 20)),
        usize: u64::from(u32_at(f, 24)),
        external: u32_at(f, 38),
        offset: u64::from(u32_at(f, 42)),
        name,
        unicode_name: None,
    };
    let disk = u16_at(f, 34);
    let mut offset_in_extra = rec.offset == u64::from(SAT32);
    for (id, data) in extra_fields(&extra) {
        match id {
            0x0001 => {
                let mut vals = data.chunks_exact(8).map(|c| u64_at(c, 0));
                if rec.usize == u64::from(SAT32) {
                    rec.usize = vals
                        .next()
                        .ok_or_else(|| bad("a zip64 field is cut short"))?;
                }
                if rec.csize == u64::from(SAT32) {
                    rec.csize = vals
                        .next()
                        .ok_or_else(|| bad("a zip64 field is cut short"))?;
                }
                if offset_in_extra {
                    rec.offset = vals
                        .next()
                        .ok_or_else(|| bad("a zip64 field is cut short"))?;
                    offset_in_extra = false;
                }
            }
            0x7075 if data.len() >= 5 && data[0] == 1 => {
                let mut crc = flate2::Crc::new();
                crc.update(&rec.name);
                if crc.sum() == u32_at(data, 1) && std::str::from_utf8(&data[5..]).is_ok() {
                    rec.unicode_name = Some(data[5..].to_vec());
                }
            }
            _ => {}
        }
    }
    if disk != 0 && disk != 0xFFFF {
        return Err(bad("an entry on another part of a split archive"));
    }
    rec.offset = rec
        .offset
        .checked_add(delta)
        .ok_or_else(|| bad("an entry's offset lies outside the archive"))?;
    Ok(rec)
}

/// The (id, data) pairs of an extra field; a truncated last one is ignored.
fn extra_fields(mut extra: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        if extra.len() < 4 {
            return None;
        }
        let id = u16_at(extra, 0);
        let n = usize::from(u16_at(extra, 2));
        if extra.len() < 4 + n {
            return None;
        }
        let data = &extra[4..4 + n];
        extra = &extra[4 + n..];
        Some((id, data))
    })
}

/// Read the local header at `rec.offset`; its data must lie inside the archive.
pub(super) fn read_local<R: Read + Seek>(
    r: &mut io::BufReader<R>,
    rec: &Record,
    len: u64,
) -> io::Result<Local> {
    if rec.offset.checked_add(30).is_none_or(|e| e > len) {
        return Err(bad("its local header lies outside the archive"));
    }
    seek_to(r, rec.offset)?;
    let mut f = [0u8; 30];
    r.read_exact(&mut f)?;
    if &f[..4] != LOCAL {
        return Err(bad("no local header at its offset"));
    }
    let (nlen, xlen) = (usize::from(u16_at(&f, 26)), usize::from(u16_at(&f, 28)));
    let data_start = rec.offset + 30 + (nlen + xlen) as u64;
    let mut var = vec![0u8; nlen + xlen];
    r.read_exact(&mut var)?;
    let extra = var.split_off(nlen);
    let mut local = Local {
        flags: u16_at(&f, 6),
        method: u16_at(&f, 8),
        crc: u32_at(&f, 14),
        csize: u64::from(u32_at(&f, 18)),
        usize: u64::from(u32_at(&f, 22)),
        name: var,
        data_start,
    };
    if (local.csize == u64::from(SAT32) || local.usize == u64::from(SAT32))
        && let Some((_, d)) = extra_fields(&extra).find(|&(id, d)| id == 1 && d.len() >= 16)
    {
        local.usize = u64_at(d, 0);
        local.csize = u64_at(d, 8);
    }
    let csize = DataSpec::of(rec, &local).csize;
    if data_start.checked_add(csize).is_none_or(|e| e > len) {
        return Err(bad("its data lies outside the archive"));
    }
    Ok(local)
}

/// Move to `pos`, keeping the buffer when `pos` is in it (entries usually follow each other).
pub(super) fn seek_to<R: Read + Seek>(r: &mut io::BufReader<R>, pos: u64) -> io::Result<()> {
    let here = r.stream_position()?;
    if here != pos {
        let d = i64::try_from(i128::from(pos) - i128::from(here)).map_err(|_| bad("offset"))?;
        r.seek_relative(d)?;
    }
    Ok(())
}

/// How an entry's data is read, as `unzip` reads it: the local header's method, and its sizes
/// and CRC unless it defers them to a data descriptor (then the central record's).
#[derive(Debug, Clone, Copy)]
pub(super) struct DataSpec {
    /// General-purpose flags (for the UTF-8 bit only).
    pub flags: u16,
    /// The compression method.
    pub method: u16,
    /// The CRC-32 checked at the end.
    pub crc: u32,
    /// Compressed size: the bytes read.
    pub csize: u64,
    /// Uncompressed size.
    pub usize: u64,
}

impl DataSpec {
    /// What `unzip` uses for `rec`, whose local header is `local`.
    pub(super) fn of(rec: &Record, local: &Local) -> DataSpec {
        if local.flags & 8 == 0 {
            DataSpec {
                flags: rec.flags,
                method: local.method,
                crc: local.crc,
                csize: local.csize,
                usize: local.usize,
            }
        } else {
            DataSpec {
                flags: rec.flags,
                method: local.method,
                crc: rec.crc,
                csize: rec.csize,
                usize: rec.usize,
            }
        }
    }

    /// A local header for the `zip` crate's streaming reader: these sizes, method and CRC, no
    /// data descriptor (the sizes are known), a zip64 extra field when a size needs one.
    pub(super) fn header(&self) -> Vec<u8> {
        let big = self.csize >= u64::from(SAT32) || self.usize >= u64::from(SAT32);
        let mut h = Vec::with_capacity(30 + 1 + 20);
        h.extend_from_slice(LOCAL);
        h.extend_from_slice(&45u16.to_le_bytes());
        h.extend_from_slice(&(self.flags & !(1 | 8 | 64)).to_le_bytes());
        h.extend_from_slice(&self.method.to_le_bytes());
        h.extend_from_slice(&[0, 0, 0x21, 0]);
        h.extend_from_slice(&self.crc.to_le_bytes());
        for v in [self.csize, self.usize] {
            let v32 = if big {
                SAT32
            } else {
                u32::try_from(v).unwrap_or(SAT32)
            };
            h.extend_from_slice(&v32.to_le_bytes());
        }
        h.extend_from_slice(&1u16.to_le_bytes());
        h.extend_from_slice(&(if big { 20u16 } else { 0 }).to_le_bytes());
        h.push(b'x');
        if big {
            h.extend_from_slice(&1u16.to_le_bytes());
            h.extend_from_slice(&16u16.to_le_bytes());
            h.extend_from_slice(&self.usize.to_le_bytes());
            h.extend_from_slice(&self.csize.to_le_bytes());
        }
        h
    }
}

/// A reader of `[start, end)` of a seekable input, for the central directory.
struct LimitedSeek<'r, R> {
    inner: &'r mut R,
    left: u64,
}

impl<'r, R: Read + Seek> LimitedSeek<'r, R> {
    fn new(inner: &'r mut R, start: u64, end: u64) -> io::Result<Self> {
        inner.seek(SeekFrom::Start(start))?;
        Ok(LimitedSeek {
            inner,
            left: end.saturating_sub(start),
        })
    }
}

impl<R: Read> Read for LimitedSeek<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let max = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}
