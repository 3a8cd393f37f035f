//! Tar archives, read block by block as GNU tar extracts them: extension headers (GNU long
//! names and links, PAX extended headers) bounded before they are read and applied to the entry
//! that follows; GNU sparse files with their holes; entries that tar tools read differently
//! (unknown types, data declared by folder and link entries, differing GNU and PAX names) read
//! as GNU tar reads them and reported `archive-ambiguous`.

use std::io::{self, Read};

use super::{DeliveryError, MAX_NAME, Unpacker, names};
use crate::delivery::codes::DeliveryCode;
use crate::finding::Finding;

mod sparse;

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
        if global && k.starts_with(b"GNU.sparse.") {
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

/// A GNU long name or a name record: its bytes up to the first NUL.
fn until_nul(mut b: Vec<u8>) -> Vec<u8> {
    if let Some(i) = b.iter().position(|&c| c == 0) {
        b.truncate(i);
    }
    b
}

/// The archive, read in 512-byte blocks, with the offset of the next byte.
struct Blocks<R> {
    r: R,
    pos: u64,
}

impl<R: Read> Read for Blocks<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.r.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read> Blocks<R> {
    /// The next block; `None` at a clean end of the input.
    fn block(&mut self) -> io::Result<Option<[u8; 512]>> {
        let mut b = [0u8; 512];
        let mut got = 0;
        while got < 512 {
            match self.read(&mut b[got..]) {
                Ok(0) if got == 0 => return Ok(None),
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the archive ends inside a header",
                    ));
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Some(b))
    }

    /// Skip `n` bytes of entry data and the padding to the next block.
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let mut d = Data { b: self, left: n };
        io::copy(&mut d, &mut io::sink())?;
        d.b.pad(n)
    }

    /// Skip the padding after `n` bytes of entry data.
    fn pad(&mut self, n: u64) -> io::Result<()> {
        let mut d = Data {
            b: self,
            left: n.next_multiple_of(512) - n,
        };
        io::copy(&mut d, &mut io::sink()).map(|_| ())
    }
}

/// `left` bytes of an entry's data; the archive ending before them is an error.
struct Data<'a, R> {
    b: &'a mut Blocks<R>,
    left: u64,
}

impl<R: Read> Read for Data<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.b.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive ends inside the entry's data",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Read `n` bytes of entry data through `f`, then whatever `f` left and the padding.
fn with_data<R: Read, T>(
    u: &mut Unpacker<'_>,
    b: &mut Blocks<R>,
    i: usize,
    n: u64,
    f: impl FnOnce(&mut Unpacker<'_>, &mut dyn Read) -> Result<T, DeliveryError>,
) -> Result<T, DeliveryError> {
    let mut d = Data { b, left: n };
    let out = f(u, &mut d)?;
    io::copy(&mut d, &mut io::sink()).map_err(|e| corrupt(u, i, &e))?;
    d.b.pad(n).map_err(|e| corrupt(u, i, &e))?;
    Ok(out)
}

/// Whether a header block's checksum is right, summed unsigned or signed (both are accepted
/// by GNU tar).
fn checksum_ok(block: &[u8; 512]) -> bool {
    let Some(stored) = sparse::number(&block[148..156]) else {
        return false;
    };
    let (mut unsigned, mut signed) = (0i64, 0i64);
    for (j, &c) in block.iter().enumerate() {
        let c = if (148..156).contains(&j) { b' ' } else { c };
        unsigned += i64::from(c);
        signed += i64::from(c.cast_signed());
    }
    i64::try_from(stored).is_ok_and(|s| s == unsigned || s == signed)
}

/// Read an extension entry (GNU long name or link, PAX header, global PAX header) into `ext`,
/// within its bounds; `Ok(false)` when the `i`-th entry, of type `kind` declaring `declared`
/// bytes, is not one.
fn extension<R: Read>(
    u: &mut Unpacker<'_>,
    b: &mut Blocks<R>,
    header: &tar::Header,
    i: usize,
    ext: &mut Extensions,
) -> Result<bool, DeliveryError> {
    let kind = header.entry_type().as_byte();
    let declared = size_field(u, header, i)?;
    let mut global = None;
    let (slot, cap, what) = match kind {
        b'L' => (&mut ext.long_name, MAX_LONG_NAME, "GNU long name"),
        b'K' => (&mut ext.long_link, MAX_LONG_NAME, "GNU long link"),
        // `X`: Solaris' extended header, which GNU tar reads as a PAX one.
        b'x' | b'X' => (&mut ext.pax, MAX_PAX, "PAX extended header"),
        // Global PAX defaults: comments and times are nothing escrow keeps, but a global
        // name, link or size is applied by GNU tar to every entry after it.
        b'g' => (&mut global, MAX_PAX, "global PAX header"),
        _ => return Ok(false),
    };
    let shown = names::short(&header.path_bytes());
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
    let data = with_data(u, b, i, declared, |u, d| {
        let mut data = Vec::new();
        d.read_to_end(&mut data).map_err(|e| corrupt(u, i, &e))?;
        Ok(data)
    })?;
    // Extension data is unpacked bytes too, for the byte and ratio bounds.
    u.add_bytes(data.len() as u64)?;
    if cap == MAX_PAX
        && let Some(why) = pax_refusal(&data, kind == b'g')
    {
        return Err(u.err(format!(
            "entry {} ({shown:?}) is {why}: tar tools would read the archive differently; ask the vendor to repack it with GNU tar or zip",
            i + 1
        )));
    }
    if kind != b'g' {
        *slot = Some(if cap == MAX_PAX {
            data
        } else {
            until_nul(data)
        });
    }
    Ok(true)
}

/// The size field of the `i`-th header, as GNU tar reads it. A base-256 size (first byte
/// with the high bit) that is negative (sign bit 0x40 set) or beyond GNU tar's `off_t` is an
/// error naming the entry: GNU tar says "Skipping to next header" and unpacks the entries
/// inside the data that the `tar` crate's reading (the low 8 bytes only) would skip.
fn size_field(u: &Unpacker<'_>, header: &tar::Header, i: usize) -> Result<u64, DeliveryError> {
    let field = &header.as_bytes()[124..136];
    if field[0] & 0x80 == 0 {
        return header.entry_size().map_err(|e| corrupt(u, i, &e));
    }
    let size = sparse::number(field).filter(|&n| i64::try_from(n).is_ok());
    match size {
        Some(n) if field[0] & 0x40 == 0 => Ok(n),
        _ => Err(u.err(format!(
            "entry {} ({:?}) has a base-256 size field that is negative or too large ({:02x?}): GNU tar skips to the next header and unpacks the entries hidden in its data, other readers take it as data; the archive is damaged or hostile: ask the vendor for a sound archive",
            i + 1,
            names::short(&header.path_bytes()),
            field
        ))),
    }
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
    kind: u8,
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
        && matches!(kind, b'0' | b'\0' | b'7')
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

/// An `archive-ambiguous` finding on `name`, with the readings of the tools in `evidence`.
fn ambiguous(u: &mut Unpacker<'_>, name: &[u8], en: String, zh: String, evidence: Vec<String>) {
    u.push_finding(
        Finding::of(DeliveryCode::ArchiveAmbiguous, en, zh)
            .path(names::short(name))
            .evidence(evidence),
    );
}

/// The entry's name and link target as GNU tar takes them (`GNU.sparse.name`, then PAX
/// `path`, then a GNU long name, then the header's own; likewise PAX `linkpath`, GNU long
/// link, header), and an `archive-ambiguous` finding where a GNU long name (or link) and a PAX
/// one name different files: bsdtar and Python take the one written last.
fn entry_names(u: &mut Unpacker<'_>, header: &tar::Header, ext: &Extensions) -> (Vec<u8>, Vec<u8>) {
    let own = header.path_bytes().into_owned();
    let own_link = header
        .link_name_bytes()
        .map(std::borrow::Cow::into_owned)
        .unwrap_or_default();
    let mut entry = None;
    let mut pick = |pax: Option<&[u8]>, gnu: &Option<Vec<u8>>, own: Vec<u8>, what: &str| {
        let name = pax.map_or_else(|| gnu.clone().unwrap_or(own), <[u8]>::to_vec);
        let entry: &[u8] = entry.get_or_insert_with(|| name.clone());
        if let (Some(p), Some(g)) = (pax, gnu)
            && p != g.as_slice()
        {
            let (p, g) = (names::short(p), names::short(g));
            ambiguous(
                u,
                entry,
                format!(
                    "a tar entry's GNU long {what} ({g}) and its PAX {what} ({p}) differ: GNU tar takes the PAX one, bsdtar and Python the one written last, so the hospital may unpack another file than the one checked; escrow checked {p}"
                ),
                format!(
                    "tar 条目的 GNU 长{}（{g}）与 PAX {}（{p}）不一致：GNU tar 采用 PAX 的，bsdtar 与 Python 采用后写入的，医院解出的可能不是检查过的文件；escrow 检查的是 {p}",
                    zh_what(what),
                    zh_what(what)
                ),
                vec![
                    format!("GNU tar: {p}"),
                    format!("bsdtar, Python (when the GNU {what} comes last): {g}"),
                ],
            );
        }
        name
    };
    let name = pick(ext.pax_value(b"path"), &ext.long_name, own, "name");
    let name = ext
        .pax_value(b"GNU.sparse.name")
        .map_or(name, <[u8]>::to_vec);
    let link = pick(ext.pax_value(b"linkpath"), &ext.long_link, own_link, "link");
    (name, link)
}

fn zh_what(what: &str) -> &'static str {
    if what == "name" {
        "文件名"
    } else {
        "链接目标"
    }
}

/// The entry being read: its number, header, names as GNU tar takes them, and extensions.
struct Current<'a> {
    i: usize,
    block: &'a [u8; 512],
    header: &'a tar::Header,
    raw: &'a [u8],
    link: &'a [u8],
    ext: &'a Extensions,
    declared: u64,
}

impl Current<'_> {
    /// A malformed sparse map: an error naming the entry.
    fn bad_map(&self, u: &Unpacker<'_>, why: &str) -> DeliveryError {
        u.err(format!(
            "entry {} ({:?}) is a GNU sparse file whose sparse map is malformed ({why}): the archive is damaged or hostile; ask the vendor for a sound archive",
            self.i + 1,
            names::short(self.raw)
        ))
    }

    /// The value of a PAX record of this entry's extended header.
    fn pax(&self, key: &[u8]) -> Option<&[u8]> {
        self.ext.pax_value(key)
    }
}

/// A regular file: plain, or a PAX sparse file of GNU tar's format 0.0, 0.1 or 1.0, read
/// with its holes as zeros under its real name and size. `stored` is the size of its data.
fn regular<R: Read>(
    u: &mut Unpacker<'_>,
    b: &mut Blocks<R>,
    e: &Current<'_>,
    mode: u32,
    stored: u64,
) -> Result<(), DeliveryError> {
    let records = e
        .ext
        .pax
        .as_deref()
        .and_then(|p| pax_records(p).ok())
        .unwrap_or_default();
    if !records.iter().any(|(k, _)| k.starts_with(b"GNU.sparse.")) {
        return with_data(u, b, e.i, stored, |u, d| u.file(e.raw, mode, d));
    }
    sparse::shape(&records).map_err(|w| e.bad_map(u, &w))?;
    let number = |key: &[u8]| -> Result<Option<u64>, DeliveryError> {
        e.pax(key)
            .map(|v| {
                std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .ok_or_else(|| {
                        e.bad_map(
                            u,
                            &format!("{} is not a number", String::from_utf8_lossy(key)),
                        )
                    })
            })
            .transpose()
    };
    let Some(real) = number(b"GNU.sparse.realsize")?.or(number(b"GNU.sparse.size")?) else {
        return Err(e.bad_map(u, "no GNU.sparse.realsize or GNU.sparse.size"));
    };
    if let Some(major) = e.pax(b"GNU.sparse.major") {
        let minor = e.pax(b"GNU.sparse.minor").unwrap_or_default();
        if major != b"1" || minor != b"0" {
            return Err(e.bad_map(
                u,
                &format!(
                    "sparse format {}.{}, which GNU tar does not read",
                    String::from_utf8_lossy(major),
                    String::from_utf8_lossy(minor)
                ),
            ));
        }
        return with_data(u, b, e.i, stored, |u, d| {
            // The map is read a byte at a time; the buffer never reads past the entry's data.
            let mut d = io::BufReader::new(d);
            let (map, used) = sparse::v1_map(&mut d, stored).map_err(|w| e.bad_map(u, &w))?;
            sparse::check(&map, real, stored - used).map_err(|w| e.bad_map(u, &w))?;
            u.file(e.raw, mode, &mut sparse::Expand::new(d, map, real))
        });
    }
    let map = match e.pax(b"GNU.sparse.map") {
        Some(m) => sparse::pax_01(m),
        None => sparse::pax_00(&records),
    }
    .map_err(|w| e.bad_map(u, &w))?;
    if map.is_empty() {
        return Err(e.bad_map(
            u,
            "an empty map, which GNU tar reads as a plain file of the real size",
        ));
    }
    if let Some(n) = number(b"GNU.sparse.numblocks")?
        && n != map.len() as u64
    {
        return Err(e.bad_map(
            u,
            &format!(
                "GNU.sparse.numblocks is {n} but the map lists {}",
                map.len()
            ),
        ));
    }
    sparse::check(&map, real, stored).map_err(|w| e.bad_map(u, &w))?;
    with_data(u, b, e.i, stored, |u, d| {
        u.file(e.raw, mode, &mut sparse::Expand::new(d, map, real))
    })
}

/// An old GNU sparse entry (type `S`): a map of four stretches in the header, more in the
/// extension blocks that follow while the previous were full and flagged extended (as GNU
/// tar reads them), the real size in the header.
fn old_sparse<R: Read>(
    u: &mut Unpacker<'_>,
    b: &mut Blocks<R>,
    e: &Current<'_>,
    mode: u32,
) -> Result<(), DeliveryError> {
    let real = sparse::number(&e.block[483..495])
        .ok_or_else(|| e.bad_map(u, "the real size is not a number"))?;
    let mut map = Vec::new();
    let mut full = sparse::gnu_entries(e.block, 386, 4, &mut map).map_err(|w| e.bad_map(u, &w))?;
    let mut extended = e.block[482] != 0;
    while full && extended {
        let ext = b
            .block()
            .and_then(|x| x.ok_or_else(|| io::ErrorKind::UnexpectedEof.into()))
            .map_err(|x| corrupt(u, e.i, &x))?;
        full = sparse::gnu_entries(&ext, 0, 21, &mut map).map_err(|w| e.bad_map(u, &w))?;
        extended = ext[504] != 0;
    }
    sparse::check(&map, real, e.declared).map_err(|w| e.bad_map(u, &w))?;
    with_data(u, b, e.i, e.declared, |u, d| {
        u.file(e.raw, mode, &mut sparse::Expand::new(d, map, real))
    })
}

/// Data that a folder, link, device or FIFO entry declares but that GNU tar does not skip:
/// it reads the next header right after, so headers inside are entries.
struct Hidden {
    owner: Vec<u8>,
    kind: u8,
    declared: u64,
    end: u64,
    inside: Vec<String>,
}

/// An entry kind's name (English, Chinese), and which readers read the next header right
/// after it and which skip its declared data (English, Chinese).
struct KindReadings {
    en: &'static str,
    zh: &'static str,
    read_en: &'static str,
    read_zh: &'static str,
    skip_en: &'static str,
}

fn kind_name(kind: u8) -> KindReadings {
    let (en, zh) = match kind {
        b'0' => (
            "regular entry named with a trailing slash (a folder for GNU tar)",
            "以斜杠结尾的普通文件（GNU tar 视为目录）",
        ),
        b'1' => ("hard link", "硬链接"),
        b'2' => ("symbolic link", "符号链接"),
        b'3' => ("character device", "字符设备"),
        b'4' => ("block device", "块设备"),
        b'5' => ("folder", "目录"),
        _ => ("FIFO", "命名管道"),
    };
    if kind == b'0' {
        return KindReadings {
            en,
            zh,
            read_en: "GNU tar (tar -xf) and bsdtar",
            read_zh: "GNU tar（tar -xf）与 bsdtar",
            skip_en: "Python, the Rust tar crate",
        };
    }
    KindReadings {
        en,
        zh,
        read_en: "GNU tar (tar -xf), bsdtar and Python",
        read_zh: "GNU tar（tar -xf）、bsdtar 与 Python",
        skip_en: "the Rust tar crate; GNU tar's own listing for links, devices and FIFOs",
    }
}

/// Note an entry starting at `at` inside the data of earlier entries, and report those whose
/// data ends at or before `at` (all of them when `at` is `None`, at the end).
fn note_hidden(u: &mut Unpacker<'_>, hidden: &mut Vec<Hidden>, at: Option<u64>, name: &[u8]) {
    for h in hidden.iter_mut() {
        if at.is_some_and(|a| a < h.end) {
            h.inside.push(names::short(name));
        }
    }
    let (done, keep): (Vec<Hidden>, Vec<Hidden>) = std::mem::take(hidden)
        .into_iter()
        .partition(|h| at.is_none_or(|a| a >= h.end));
    *hidden = keep;
    for h in done {
        let k = kind_name(h.kind);
        let found = if h.inside.is_empty() {
            "none".to_owned()
        } else {
            h.inside.join(", ")
        };
        let (owner, n) = (names::short(&h.owner), h.declared);
        ambiguous(
            u,
            &h.owner,
            format!(
                "the tar {} {owner} carries {n} bytes of data, which normal packing tools never write: the usual unpacking tools ({}) unpack the entries hidden in those bytes (found: {found}), while some archive viewers do not list them; they were included in this check",
                k.en, k.read_en
            ),
            format!(
                "tar {}条目 {owner} 中藏有 {n} 字节数据（正常打包工具不会这样写）：常用解压工具（{}）会把其中藏的条目解出（发现：{found}），部分查看工具却看不到它们；本次检查已包含这些条目",
                k.zh, k.read_zh
            ),
            vec![
                format!("{}: entries inside are unpacked: {found}", k.read_en),
                format!(
                    "{}: {n} bytes of data skipped, entries inside not seen",
                    k.skip_en
                ),
            ],
        );
    }
}

/// An entry type that tar tools read differently: `D` (GNU dump folder), `M` (continued from
/// another volume) or one GNU tar does not know. Read as GNU tar reads it, with an
/// `archive-ambiguous` finding giving both readings.
fn odd_type<R: Read>(
    u: &mut Unpacker<'_>,
    b: &mut Blocks<R>,
    e: &Current<'_>,
    kind: u8,
    mode: u32,
) -> Result<(), DeliveryError> {
    let n = e.declared;
    let (gnu, gnu_zh, others) = match kind {
        b'D' => {
            u.dir(e.raw)?;
            u.add_bytes(n)?;
            b.skip(n).map_err(|x| corrupt(u, e.i, &x))?;
            (
                "a folder (its data, a dump listing, is skipped)".to_owned(),
                "一个目录（其数据被跳过）".to_owned(),
                format!("Python: a regular file of {n} bytes"),
            )
        }
        b'M' => {
            u.count()?;
            u.add_bytes(n)?;
            b.skip(n).map_err(|x| corrupt(u, e.i, &x))?;
            (
                "nothing unpacked (\"file is continued from another volume\"), exit status 2"
                    .to_owned(),
                "不解出任何内容（报错退出）".to_owned(),
                format!("bsdtar, Python: a regular file of {n} bytes"),
            )
        }
        _ => {
            with_data(u, b, e.i, n, |u, d| u.file(e.raw, mode, d))?;
            (
                format!(
                    "a regular file of {n} bytes (warning \"Unknown file type\"), as bsdtar and Python give"
                ),
                format!("一个 {n} 字节的普通文件（bsdtar、Python 也是如此）"),
                "a reserved or obsolete type that other readers may skip or refuse".to_owned(),
            )
        }
    };
    let c = char::from(kind);
    let name = names::short(e.raw);
    ambiguous(
        u,
        e.raw,
        format!(
            "the tar entry {name} has the non-standard entry type {c:?}, which normal packing tools never write and tools read differently: GNU tar gives {gnu}; other tools may skip or refuse it; escrow checked what GNU tar gives"
        ),
        format!(
            "tar 条目 {name} 使用非标准的条目类型 {c:?}（正常打包工具不会产生），不同工具解读不同：GNU tar 解出{gnu_zh}，其他工具可能跳过或报错；本次按 GNU tar 的结果检查"
        ),
        vec![format!("GNU tar: {gnu}"), others],
    );
    Ok(())
}

/// Whether the entry's PAX header has `GNU.sparse.*` records other than `GNU.sparse.name`.
fn sparse_keys(ext: &Extensions) -> bool {
    ext.pax
        .as_deref()
        .and_then(|p| pax_records(p).ok())
        .is_some_and(|r| {
            r.iter()
                .any(|(k, _)| k.starts_with(b"GNU.sparse.") && *k != b"GNU.sparse.name")
        })
}

/// Read one entry (not an extension header) as GNU tar extracts it.
fn entry<R: Read>(
    u: &mut Unpacker<'_>,
    b: &mut Blocks<R>,
    e: &Current<'_>,
    hidden: &mut Vec<Hidden>,
) -> Result<(), DeliveryError> {
    let mut kind = e.header.entry_type().as_byte();
    let mut hidden_kind = kind;
    let big = pax_big_size(u, e.ext, kind, e.declared, e.i, e.raw)?;
    let mode = e.header.mode().unwrap_or(0o644);
    // A regular entry whose name ends in `/` is a folder for GNU tar and bsdtar (what V7 tar
    // wrote for folders), its data not read either.
    if matches!(kind, b'0' | b'\0' | b'7') && e.raw.ends_with(b"/") {
        (kind, hidden_kind) = (b'5', b'0');
    }
    // A regular entry whose last name part is `.` (`his/x/.`): GNU tar makes the folders of
    // its name (`his/x`), cannot open the file ("File exists") and exits with status 2.
    if matches!(kind, b'0' | b'\0' | b'7') && (e.raw == b"." || e.raw.ends_with(b"/.")) {
        return Err(u.err(format!(
            "entry {} ({:?}) is a regular file whose name ends in `.`: GNU tar makes a folder of that name instead and fails (\"Cannot open: File exists\"), other readers a file; the archive is damaged or hostile: ask the vendor to repack it with GNU tar or zip",
            e.i + 1,
            names::short(e.raw)
        )));
    }
    // GNU tar reads any entry with a PAX sparse map or major version as a sparse regular
    // file, whatever its type; other sparse records on such entries are never written.
    if !matches!(kind, b'0' | b'\0' | b'7') && sparse_keys(e.ext) {
        return Err(u.err(format!(
            "entry {} ({:?}) is a GNU sparse file that is not a regular file: the archive is damaged or hostile; ask the vendor for a sound archive",
            e.i + 1,
            names::short(e.raw)
        )));
    }
    match kind {
        b'0' | b'\0' | b'7' => return regular(u, b, e, mode, big.unwrap_or(e.declared)),
        b'S' => return old_sparse(u, b, e, mode),
        // A GNU volume label: GNU tar writes no file for it and skips its data.
        b'V' => {
            u.count()?;
            u.add_bytes(e.declared)?;
            return b.skip(e.declared).map_err(|x| corrupt(u, e.i, &x));
        }
        b'1'..=b'6' => {}
        _ => return odd_type(u, b, e, kind, mode),
    }
    match kind {
        b'5' => u.dir(e.raw)?,
        b'2' => u.link(e.raw, e.link)?,
        b'1' => u.hardlink(e.raw, e.link)?,
        _ => u.special(e.raw)?,
    }
    // GNU tar reads no data for these types, whatever the size field says: the next header
    // follows right after this one.
    if e.declared > 0 {
        hidden.push(Hidden {
            owner: e.raw.to_vec(),
            kind: hidden_kind,
            declared: e.declared,
            end: b.pos.saturating_add(e.declared.next_multiple_of(512)),
            inside: Vec::new(),
        });
    }
    Ok(())
}

/// Read the tar archive's entries as GNU tar extracts them, block by block: each extension
/// header (PAX, GNU long name or link) is bounded before it is read ([`MAX_PAX`],
/// [`MAX_LONG_NAME`]) and applied to the entry that follows it; GNU sparse files are read
/// with their holes; folder, link, device and FIFO entries have no data, whatever their size
/// field says (as GNU tar, bsdtar and Python read them).
pub(super) fn unpack_tar(u: &mut Unpacker<'_>, reader: impl Read) -> Result<(), DeliveryError> {
    u.keep_backslashes();
    let mut b = Blocks { r: reader, pos: 0 };
    let mut ext = Extensions::default();
    let mut hidden = Vec::new();
    let mut start = 0;
    for i in 0.. {
        let at = b.pos;
        let block = match b.block() {
            Ok(Some(block)) => block,
            Ok(None) => break,
            Err(e) if i == 0 => return Err(u.err(format!("not a readable tar archive ({e})"))),
            Err(e) => return Err(corrupt(u, i, &e)),
        };
        if block.iter().all(|&c| c == 0) {
            break;
        }
        if !checksum_ok(&block) {
            return Err(if i == 0 {
                u.err(
                    "not a readable tar archive (the first header's checksum is wrong)".to_owned(),
                )
            } else {
                corrupt(u, i, &"a header's checksum is wrong")
            });
        }
        if ext.is_empty() {
            start = at;
        }
        let header = tar::Header::from_byte_slice(&block);
        if extension(u, &mut b, header, i, &mut ext)? {
            continue;
        }
        let (raw, link) = entry_names(u, header, &ext);
        note_hidden(u, &mut hidden, Some(start), &raw);
        let declared = size_field(u, header, i)?;
        let current = Current {
            i,
            block: &block,
            header,
            raw: &raw,
            link: &link,
            ext: &ext,
            declared,
        };
        entry(u, &mut b, &current, &mut hidden)?;
        ext = Extensions::default();
    }
    note_hidden(u, &mut hidden, None, b"");
    if !ext.is_empty() {
        return Err(u.err(
            "the archive ends with extension headers describing an entry that is not there: it is truncated or corrupt; ask the vendor for a sound archive".to_owned(),
        ));
    }
    Ok(())
}
