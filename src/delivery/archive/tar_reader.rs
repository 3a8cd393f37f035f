//! Tar archives, read as GNU tar reads them: extension headers (GNU long names and links, PAX
//! extended headers) bounded before they are read and applied to the entry that follows.

use std::io::{self, Read};

use super::{DeliveryError, MAX_NAME, Unpacker, names};

/// The largest GNU long-name or long-link record read (a name is at most [`MAX_NAME`]; the
/// rest of the margin is for padding and odd writers).
const MAX_LONG_NAME: u64 = 64 * 1024;
/// The largest PAX extended header read, all its records together.
const MAX_PAX: u64 = 1024 * 1024;

/// What the extension headers before a tar entry said about it: GNU long name (`L`) and long
/// link (`K`) records, and a PAX extended header (`x`).
#[derive(Default)]
struct Extensions {
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    pax: Option<Vec<u8>>,
}

impl Extensions {
    fn is_empty(&self) -> bool {
        self.long_name.is_none() && self.long_link.is_none() && self.pax.is_none()
    }

    /// The last value of `key` in the PAX header (later records override earlier ones). The
    /// header was checked by [`pax_records`] when it was read.
    fn pax_value(&self, key: &[u8]) -> Option<&[u8]> {
        pax_records(self.pax.as_deref()?)
            .ok()?
            .into_iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }
}

/// One PAX record: key and value, as bytes.
type PaxRecord<'a> = (&'a [u8], &'a [u8]);

/// The records of a PAX extended header, read as GNU tar reads them (POSIX.1-2001 `pax`):
/// each is `LENGTH key=value\n`, where LENGTH (decimal) counts the whole record, so a value may
/// hold a newline. A header that does not parse that way is an error: the `tar` crate splits
/// records at newlines instead, so a value holding `\n34 path=…` would name one file for escrow
/// and another for GNU tar. Trailing NUL padding is allowed.
fn pax_records(data: &[u8]) -> Result<Vec<PaxRecord<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() && rest.iter().any(|&b| b != 0) {
        let sp = rest
            .iter()
            .position(|&b| b == b' ')
            .filter(|&i| i > 0 && i <= 20 && rest[..i].iter().all(u8::is_ascii_digit))
            .ok_or("a record does not start with its decimal length")?;
        let len: usize = std::str::from_utf8(&rest[..sp])
            .ok()
            .and_then(|n| n.parse().ok())
            .ok_or("a record length does not parse")?;
        if len <= sp + 1 || len > rest.len() || rest[len - 1] != b'\n' {
            return Err(format!(
                "a record's length ({len}) does not end at a newline within the header"
            ));
        }
        let body = &rest[sp + 1..len - 1];
        let eq = body
            .iter()
            .position(|&b| b == b'=')
            .ok_or("a record has no `=`")?;
        out.push((&body[..eq], &body[eq + 1..]));
        rest = &rest[len..];
    }
    Ok(out)
}

/// Why a PAX header (`global` for a `g` header, whose records GNU tar applies to every entry
/// that follows) cannot be read the way GNU tar reads it; `None` when it can.
fn pax_refusal(data: &[u8], global: bool) -> Option<String> {
    let records = match pax_records(data) {
        Ok(r) => r,
        Err(e) => return Some(format!("a malformed PAX extended header ({e})")),
    };
    for (k, _) in records {
        if k.starts_with(b"GNU.sparse.") {
            return Some(
                "a GNU sparse file (PAX GNU.sparse keys), which escrow does not read; ask the vendor to repack the delivery without --sparse".to_owned(),
            );
        }
        if global && matches!(k, b"path" | b"linkpath" | b"size") {
            return Some(format!(
                "a global PAX header setting `{}`, which GNU tar applies to the entries that follow",
                String::from_utf8_lossy(k)
            ));
        }
    }
    None
}

/// The largest size a tar header's 11 octal digits hold.
const OCTAL_SIZE_MAX: u64 = 0o777_7777_7777;

/// One reader shared by the tar crate and `unpack_tar` (see there).
struct Shared<R>(std::rc::Rc<std::cell::RefCell<R>>);

impl<R> Clone for Shared<R> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<R: Read> Read for Shared<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

/// A GNU long name or a name record: its bytes up to the first NUL.
fn until_nul(mut b: Vec<u8>) -> Vec<u8> {
    if let Some(i) = b.iter().position(|&c| c == 0) {
        b.truncate(i);
    }
    b
}

/// Read the tar archive's entries raw: the tar crate would read each PAX extended header and
/// GNU long-name record whole into memory, however large the header says it is (a few
/// kilobytes of zstd can say gigabytes). Here each is bounded before it is read
/// ([`MAX_PAX`], [`MAX_LONG_NAME`]) and applied to the entry that follows it; a PAX name
/// overrides a GNU long name, which overrides the header's own.
/// Read an extension entry (GNU long name or link, PAX header, global PAX header) into `ext`,
/// within its bounds; `Ok(false)` when `entry` (the `i`-th, declaring `declared` bytes) is not
/// one.
fn extension<R: Read>(
    u: &mut Unpacker<'_>,
    entry: &mut tar::Entry<'_, R>,
    i: usize,
    declared: u64,
    ext: &mut Extensions,
) -> Result<bool, DeliveryError> {
    let kind = entry.header().entry_type();
    let (slot, cap, what) = match kind {
        tar::EntryType::GNULongName => (&mut ext.long_name, MAX_LONG_NAME, "GNU long name"),
        tar::EntryType::GNULongLink => (&mut ext.long_link, MAX_LONG_NAME, "GNU long link"),
        tar::EntryType::XHeader => (&mut ext.pax, MAX_PAX, "PAX extended header"),
        // Solaris' extended header, which GNU tar reads as a PAX one.
        k if k.as_byte() == b'X' => (&mut ext.pax, MAX_PAX, "PAX extended header"),
        _ => (&mut None, 0, ""),
    };
    if cap > 0 {
        let shown = names::short(&entry.header().path_bytes());
        if declared > cap {
            return Err(u.err(format!(
                "entry {} ({shown:?}) is a {what} of {declared} bytes, more than the {cap} taken: the archive is damaged or hostile (a name is at most {MAX_NAME} bytes); ask the vendor for a sound archive",
                i + 1
            )));
        }
        if slot.is_some() {
            return Err(u.err(format!(
                "entry {} ({shown:?}) is a second {what} for the same entry: the archive is damaged or hostile; ask the vendor for a sound archive",
                i + 1
            )));
        }
        let mut data = Vec::new();
        entry
            .by_ref()
            .take(cap)
            .read_to_end(&mut data)
            .map_err(|e| corrupt(u, i, &e))?;
        // Extension data is unpacked bytes too, for the byte and ratio bounds.
        u.add_bytes(data.len() as u64)?;
        if cap == MAX_PAX
            && let Some(why) = pax_refusal(&data, false)
        {
            return Err(u.err(format!(
                "entry {} ({shown:?}) is {why}: tar tools would read the archive differently; ask the vendor to repack it with GNU tar or zip",
                i + 1
            )));
        }
        *slot = Some(if cap == MAX_PAX {
            data
        } else {
            until_nul(data)
        });
        return Ok(true);
    }
    if kind == tar::EntryType::XGlobalHeader {
        // Global PAX defaults: comments and times are nothing escrow keeps, but a global
        // name, link or size is applied by GNU tar to every entry after it.
        let shown = names::short(&entry.header().path_bytes());
        if declared > MAX_PAX {
            return Err(u.err(format!(
                "entry {} ({shown:?}) is a global PAX header of {declared} bytes, more than the {MAX_PAX} taken: the archive is damaged or hostile; ask the vendor for a sound archive",
                i + 1
            )));
        }
        let mut data = Vec::new();
        entry
            .by_ref()
            .take(MAX_PAX)
            .read_to_end(&mut data)
            .map_err(|e| corrupt(u, i, &e))?;
        u.add_bytes(data.len() as u64)?;
        if let Some(why) = pax_refusal(&data, true) {
            return Err(u.err(format!(
                "entry {} ({shown:?}) is {why}: tar tools would read the archive differently; ask the vendor to repack it with GNU tar or zip",
                i + 1
            )));
        }
        return Ok(true);
    }
    Ok(false)
}

/// An entry's data cannot be read: the archive is truncated or corrupt.
fn corrupt(u: &Unpacker<'_>, i: usize, e: &dyn std::fmt::Display) -> DeliveryError {
    u.err(format!("entry {} is truncated or corrupt ({e}); the delivery is incomplete: ask the vendor for a sound archive", i + 1))
}
/// The size of an entry of 8 GiB or more, which GNU tar and Python write in the PAX header with
/// 0 in the tar header; `None` for any other entry. A PAX size that differs from the tar
/// header's otherwise is an error: tar tools would read the archive differently.
fn pax_big_size(
    u: &Unpacker<'_>,
    ext: &Extensions,
    kind: tar::EntryType,
    declared: u64,
    i: usize,
    raw: &[u8],
) -> Result<Option<u64>, DeliveryError> {
    let Some(size) = ext.pax_value(b"size") else {
        return Ok(None);
    };
    let size = std::str::from_utf8(size)
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    if let Some(n) = size.filter(|&n| n > OCTAL_SIZE_MAX && declared == 0)
        && matches!(kind, tar::EntryType::Regular | tar::EntryType::Continuous)
    {
        return Ok(Some(n));
    }
    if size != Some(declared) {
        return Err(u.err(format!(
            "entry {} ({:?}) has a PAX size that differs from its tar header's ({declared} bytes): tar tools would read the archive differently; ask the vendor to repack it with GNU tar or zip",
            i + 1,
            names::short(raw)
        )));
    }
    Ok(None)
}

pub(super) fn unpack_tar(u: &mut Unpacker<'_>, reader: impl Read) -> Result<(), DeliveryError> {
    // The tar crate reads through one handle; the data of a file larger than the header's
    // size field holds (8 GiB, its size in the PAX header) is read through the other.
    let shared = Shared(std::rc::Rc::new(std::cell::RefCell::new(reader)));
    let mut ar = tar::Archive::new(shared.clone());
    let entries = ar
        .entries()
        .map_err(|e| u.err(format!("not a readable tar archive ({e})")))?
        .raw(true);
    u.keep_backslashes();
    let mut ext = Extensions::default();
    for (i, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| corrupt(u, i, &e))?;
        let kind = entry.header().entry_type();
        let declared = entry.header().entry_size().map_err(|e| corrupt(u, i, &e))?;
        if extension(u, &mut entry, i, declared, &mut ext)? {
            continue;
        }
        let raw: Vec<u8> = match ext.pax_value(b"path") {
            Some(p) => p.to_vec(),
            None => match ext.long_name.take() {
                Some(n) => n,
                None => entry.header().path_bytes().into_owned(),
            },
        };
        let shown = || names::short(&raw);
        let big = pax_big_size(u, &ext, kind, declared, i, &raw)?;
        let link = || -> Vec<u8> {
            match ext.pax_value(b"linkpath") {
                Some(t) => t.to_vec(),
                None => match &ext.long_link {
                    Some(t) => t.clone(),
                    None => entry
                        .header()
                        .link_name_bytes()
                        .map(std::borrow::Cow::into_owned)
                        .unwrap_or_default(),
                },
            }
        };
        let mode = entry.header().mode().unwrap_or(0o644);
        if let Some(n) = big {
            // The crate's reader is past the header; the data and its padding are read here
            // (all of it, whether or not the entry was unpacked).
            let mut data = shared.clone().take(n.next_multiple_of(512));
            u.file(&raw, mode, &mut (&mut data).take(n))?;
            io::copy(&mut data, &mut io::sink()).map_err(|e| corrupt(u, i, &e))?;
            if data.limit() > 0 {
                return Err(corrupt(u, i, &"the archive ends inside the entry's data"));
            }
            ext = Extensions::default();
            continue;
        }
        match kind {
            tar::EntryType::Directory => u.dir(&raw)?,
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                u.file(&raw, mode, &mut entry)?;
            }
            tar::EntryType::GNUSparse => {
                return Err(u.err(format!(
                    "entry {} ({:?}) is a GNU sparse file, which escrow does not read; ask the vendor to repack the delivery without --sparse",
                    i + 1,
                    shown()
                )));
            }
            tar::EntryType::Symlink => {
                let t = link();
                u.link(&raw, &t)?;
            }
            tar::EntryType::Link => {
                let t = link();
                u.hardlink(&raw, &t)?;
            }
            tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => {
                u.special(&raw)?;
                u.add_bytes(declared)?;
            }
            // A GNU volume label: GNU tar writes no file for it.
            k if k.as_byte() == b'V' => {
                u.count()?;
                u.add_bytes(declared)?;
            }
            // Any other type (`Z`, `N`, `D`, `M`, …): GNU tar extracts an unknown type as a
            // regular file, other tools skip it, so what the hospital unpacks is unclear.
            k => {
                return Err(u.err(format!(
                    "entry {} ({:?}) has the tar entry type {:?}, which tar tools read differently (GNU tar extracts an unknown type as a regular file, others skip it); ask the vendor to repack the delivery with GNU tar or zip",
                    i + 1,
                    shown(),
                    char::from(k.as_byte())
                )));
            }
        }
        ext = Extensions::default();
    }
    if !ext.is_empty() {
        return Err(u.err(
            "the archive ends with extension headers describing an entry that is not there: it is truncated or corrupt; ask the vendor for a sound archive".to_owned(),
        ));
    }
    Ok(())
}
