//! Archives found inside a delivery: which entries they hold and whether any is encrypted.
//! Only headers are read, and zips (jars) inside zips, one level deep and bounded in size:
//! nothing is unpacked to disk.

use std::io::{self, Read, Seek, SeekFrom};

/// Entries listed per nested zip, at most.
const MAX_ENTRIES: usize = 500_000;

/// A nested zip is read into memory when it is at most this large.
const MAX_NESTED_BYTES: u64 = 64 << 20;
/// Nested zips read per outer zip, at most.
const MAX_NESTED: usize = 5_000;

/// A zip (jar, war, …) listing.
pub struct ZipListing {
    pub names: Vec<String>,
    pub encrypted: Vec<String>,
    /// Zips inside (a Spring Boot jar's `BOOT-INF/lib/*.jar`, a zip in a zip): entry name and
    /// listing. One level deep.
    pub nested: Vec<(String, ZipListing)>,
}

/// List a zip's entries, noting the encrypted ones, and the zips inside it. The file is opened
/// by the caller, through the delivery's handle.
pub fn list_zip_file(f: std::fs::File) -> io::Result<ZipListing> {
    list(io::BufReader::new(f), true)
}

fn list<R: Read + Seek>(reader: R, nest: bool) -> io::Result<ZipListing> {
    let mut z = zip::ZipArchive::new(reader).map_err(io::Error::other)?;
    // A hostile central directory can claim any number of entries: list a bounded number.
    let count = z.len().min(MAX_ENTRIES);
    let mut names = Vec::with_capacity(count);
    let mut encrypted = Vec::new();
    let mut inner = Vec::new();
    for i in 0..count {
        let e = z.by_index_raw(i).map_err(io::Error::other)?;
        let name = String::from_utf8_lossy(e.name_raw()).into_owned();
        if e.encrypted() {
            encrypted.push(name.clone());
        } else if nest
            && inner.len() < MAX_NESTED
            && e.size() <= MAX_NESTED_BYTES
            && is_zip_name(&name)
        {
            inner.push(i);
        }
        names.push(name);
    }
    let mut nested = Vec::new();
    for i in inner {
        let Ok(mut e) = z.by_index(i) else { continue };
        let name = e.name().to_owned();
        let mut data = Vec::new();
        if (&mut e)
            .take(MAX_NESTED_BYTES)
            .read_to_end(&mut data)
            .is_err()
            || !data.starts_with(b"PK")
        {
            continue;
        }
        if let Ok(l) = list(io::Cursor::new(data), false) {
            nested.push((name, l));
        }
    }
    Ok(ZipListing {
        names,
        encrypted,
        nested,
    })
}

fn is_zip_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [".jar", ".war", ".ear", ".aar", ".zip", ".omod"]
        .iter()
        .any(|e| n.ends_with(e))
}

/// Whether a 7z archive uses AES (coder id 06 F1 07 01) for its content or its header. The
/// header is usually compressed: an LZMA-packed header is unpacked (bounded) and searched too.
/// The file is opened by the caller, through the delivery's handle.
pub fn seven_zip_file_encrypted(mut f: std::fs::File) -> io::Result<bool> {
    const AES: &[u8] = &[0x06, 0xf1, 0x07, 0x01];
    let len = f.metadata()?.len();
    let mut start = [0u8; 32];
    f.read_exact(&mut start)?;
    let offset = u64::from_le_bytes(start[12..20].try_into().expect("8 bytes"));
    let size = u64::from_le_bytes(start[20..28].try_into().expect("8 bytes"));
    if size == 0 || size > 64 << 20 || 32u64.saturating_add(offset).saturating_add(size) > len {
        return Ok(false);
    }
    f.seek(SeekFrom::Start(32 + offset))?;
    let mut header = vec![0u8; usize::try_from(size).unwrap_or(0)];
    f.read_exact(&mut header)?;
    if super::inspect::contains(&header, AES) {
        return Ok(true);
    }
    // kEncodedHeader: the real header is packed elsewhere in the file.
    let Some(packed) = encoded_header(&header) else {
        return Ok(false);
    };
    if packed.size > 64 << 20 || 32u64.saturating_add(packed.pos).saturating_add(packed.size) > len
    {
        return Ok(false);
    }
    f.seek(SeekFrom::Start(32 + packed.pos))?;
    let mut data = vec![0u8; usize::try_from(packed.size).unwrap_or(0)];
    f.read_exact(&mut data)?;
    // Stored or LZMA2 chunks written uncompressed keep the header's bytes as they are.
    if super::inspect::contains(&data, AES) {
        return Ok(true);
    }
    if packed.lzma_props.len() == 5 && packed.unpack_size <= 64 << 20 {
        // Decode as the LZMA "alone" format: props, dictionary size, unpacked size, data.
        let mut alone = packed.lzma_props.clone();
        alone.extend_from_slice(&packed.unpack_size.to_le_bytes());
        alone.extend_from_slice(&data);
        let mut out = Vec::with_capacity(usize::try_from(packed.unpack_size).unwrap_or(0));
        let mut decoder = xz2::read::XzDecoder::new_stream(
            &alone[..],
            xz2::stream::Stream::new_lzma_decoder(256 << 20).map_err(io::Error::other)?,
        );
        if decoder
            .by_ref()
            .take(packed.unpack_size)
            .read_to_end(&mut out)
            .is_ok()
            && super::inspect::contains(&out, AES)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Where a 7z encoded header's packed stream is and how it is coded.
struct PackedHeader {
    pos: u64,
    size: u64,
    unpack_size: u64,
    /// LZMA coder properties (5 bytes) when the only coder is LZMA.
    lzma_props: Vec<u8>,
}

/// A 7z variable-length number.
fn number(c: &mut &[u8]) -> Option<u64> {
    let (&first, rest) = c.split_first()?;
    *c = rest;
    let mut mask = 0x80u8;
    let mut value = 0u64;
    for i in 0..8 {
        if first & mask == 0 {
            let high = u64::from(first & mask.wrapping_sub(1));
            return Some(value | (high << (8 * i)));
        }
        let (&b, rest) = c.split_first()?;
        *c = rest;
        value |= u64::from(b) << (8 * i);
        mask >>= 1;
    }
    Some(value)
}

fn byte(c: &mut &[u8]) -> Option<u8> {
    let (&b, rest) = c.split_first()?;
    *c = rest;
    Some(b)
}

/// Parse `kEncodedHeader` with one pack stream and one folder (what 7-Zip writes).
fn encoded_header(h: &[u8]) -> Option<PackedHeader> {
    let mut c = h;
    if byte(&mut c)? != 0x17 || byte(&mut c)? != 0x06 {
        return None;
    }
    let pos = number(&mut c)?;
    if number(&mut c)? != 1 || byte(&mut c)? != 0x09 {
        return None;
    }
    let size = number(&mut c)?;
    // Skip to the end of PackInfo (a CRC record may follow).
    loop {
        match byte(&mut c)? {
            0x00 => break,
            0x0a => {
                if byte(&mut c)? == 0 {
                    byte(&mut c)?;
                }
                c = c.get(4..)?;
            }
            _ => return None,
        }
    }
    if byte(&mut c)? != 0x07 || byte(&mut c)? != 0x0b || number(&mut c)? != 1 || byte(&mut c)? != 0
    {
        return None;
    }
    let coders = number(&mut c)?;
    let mut lzma_props = Vec::new();
    for _ in 0..coders.min(8) {
        let flags = byte(&mut c)?;
        let id = c.get(..usize::from(flags & 0x0f))?.to_vec();
        c = &c[usize::from(flags & 0x0f)..];
        if flags & 0x10 != 0 {
            number(&mut c)?;
            number(&mut c)?;
        }
        if flags & 0x20 != 0 {
            let n = usize::try_from(number(&mut c)?).ok()?;
            let props = c.get(..n)?.to_vec();
            c = &c[n..];
            if coders == 1 && id == [0x03, 0x01, 0x01] {
                lzma_props = props;
            }
        }
    }
    if coders != 1 || byte(&mut c)? != 0x0c {
        return Some(PackedHeader {
            pos,
            size,
            unpack_size: 0,
            lzma_props: Vec::new(),
        });
    }
    let unpack_size = number(&mut c)?;
    Some(PackedHeader {
        pos,
        size,
        unpack_size,
        lzma_props,
    })
}

/// Whether a RAR archive (version 4 or 5) has encrypted headers or encrypted files.
/// The file is opened by the caller, through the delivery's handle.
pub fn rar_file_encrypted(f: std::fs::File) -> io::Result<bool> {
    let len = f.metadata()?.len();
    let mut r = io::BufReader::new(f);
    // "Rar!\x1a\x07" then 0x00 (RAR 4) or 0x01 0x00 (RAR 5).
    let mut sig = [0u8; 6];
    r.read_exact(&mut sig)?;
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    if b[0] == 1 {
        let mut z = [0u8; 1];
        r.read_exact(&mut z)?;
        rar5(&mut r, len)
    } else {
        r.seek(SeekFrom::Start(7))?;
        rar4(&mut r, len)
    }
}

fn rar4(r: &mut (impl Read + Seek), len: u64) -> io::Result<bool> {
    let mut pos = 7u64;
    for _ in 0..1_000_000 {
        if pos + 7 > len {
            break;
        }
        r.seek(SeekFrom::Start(pos))?;
        let mut h = [0u8; 7];
        r.read_exact(&mut h)?;
        let kind = h[2];
        let flags = u16::from_le_bytes([h[3], h[4]]);
        let size = u64::from(u16::from_le_bytes([h[5], h[6]]));
        if size < 7 {
            break;
        }
        match kind {
            0x73 if flags & 0x0080 != 0 => return Ok(true),
            0x74 if flags & 0x0004 != 0 => return Ok(true),
            _ => {}
        }
        let mut add = 0u64;
        if flags & 0x8000 != 0 || kind == 0x74 {
            let mut a = [0u8; 4];
            r.read_exact(&mut a)?;
            add = u64::from(u32::from_le_bytes(a));
        }
        match pos.checked_add(size + add) {
            Some(next) if next <= len => pos = next,
            _ => break,
        }
    }
    Ok(false)
}

fn vint(r: &mut impl Read) -> io::Result<u64> {
    let mut v = 0u64;
    for shift in (0..70).step_by(7) {
        let mut b = [0u8; 1];
        r.read_exact(&mut b)?;
        v |= u64::from(b[0] & 0x7f) << shift.min(63);
        if b[0] & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(io::Error::other("bad variable-length integer"))
}

fn rar5(r: &mut (impl Read + Seek), len: u64) -> io::Result<bool> {
    let mut pos = 8u64;
    for _ in 0..1_000_000 {
        if pos + 6 > len {
            break;
        }
        r.seek(SeekFrom::Start(pos + 4))?;
        let size = vint(r)?;
        let body_start = r.stream_position()?;
        if size == 0 || size > 2 << 20 || body_start + size > len {
            break;
        }
        let mut body = vec![0u8; usize::try_from(size).unwrap_or(0)];
        r.read_exact(&mut body)?;
        let mut c = io::Cursor::new(&body[..]);
        let kind = vint(&mut c)?;
        let flags = vint(&mut c)?;
        let extra = if flags & 1 != 0 { vint(&mut c)? } else { 0 };
        let data = if flags & 2 != 0 { vint(&mut c)? } else { 0 };
        if kind == 4 {
            return Ok(true);
        }
        if (kind == 2 || kind == 3) && extra > 0 && extra <= size {
            let start = usize::try_from(size - extra).unwrap_or(0);
            let mut e = io::Cursor::new(&body[start..]);
            while e.position() < (body.len() - start) as u64 {
                let Ok(rec_size) = vint(&mut e) else { break };
                let rec_start = e.position();
                let Ok(rec_type) = vint(&mut e) else { break };
                if kind == 2 && rec_type == 1 {
                    return Ok(true);
                }
                e.set_position(rec_start + rec_size);
            }
        }
        if kind == 5 {
            break;
        }
        // A hostile size must not wrap around or go backwards.
        match body_start
            .checked_add(size)
            .and_then(|p| p.checked_add(data))
        {
            Some(next) if next > pos && next <= len => pos = next,
            _ => break,
        }
    }
    Ok(false)
}
