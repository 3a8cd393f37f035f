//! Archives found inside a delivery: which entries they hold and whether any is encrypted.
//! Only headers are read; nothing is unpacked.

use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use crate::delivery::inventory::open_regular;

/// Entries listed per nested zip, at most.
const MAX_ENTRIES: usize = 500_000;

/// A zip (jar, war, …) listing.
pub struct ZipListing {
    pub names: Vec<String>,
    pub encrypted: Vec<String>,
}

/// List a zip's entries, noting the encrypted ones.
pub fn list_zip(path: &Path) -> io::Result<ZipListing> {
    let f = open_regular(path)?;
    let mut z = zip::ZipArchive::new(io::BufReader::new(f)).map_err(io::Error::other)?;
    // A hostile central directory can claim any number of entries: list a bounded number.
    let count = z.len().min(MAX_ENTRIES);
    let mut names = Vec::with_capacity(count);
    let mut encrypted = Vec::new();
    for i in 0..count {
        let e = z.by_index_raw(i).map_err(io::Error::other)?;
        let name = String::from_utf8_lossy(e.name_raw()).into_owned();
        if e.encrypted() {
            encrypted.push(name.clone());
        }
        names.push(name);
    }
    Ok(ZipListing { names, encrypted })
}

/// Whether a 7z archive uses AES (coder id 06 F1 07 01) for its content or its header.
pub fn seven_zip_encrypted(path: &Path) -> io::Result<bool> {
    let mut f = open_regular(path)?;
    let mut start = [0u8; 32];
    f.read_exact(&mut start)?;
    let offset = u64::from_le_bytes(start[12..20].try_into().expect("8 bytes"));
    let size = u64::from_le_bytes(start[20..28].try_into().expect("8 bytes"));
    if size == 0 || size > 64 << 20 {
        return Ok(false);
    }
    f.seek(SeekFrom::Start(32 + offset))?;
    let mut header = vec![0u8; usize::try_from(size).unwrap_or(0)];
    f.read_exact(&mut header)?;
    Ok(super::contains(&header, &[0x06, 0xf1, 0x07, 0x01]))
}

/// Whether a RAR archive (version 4 or 5) has encrypted headers or encrypted files.
pub fn rar_encrypted(path: &Path) -> io::Result<bool> {
    let f = open_regular(path)?;
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
        pos += size + add;
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
        pos = body_start + size + data;
    }
    Ok(false)
}
