//! Packs: many objects (zstd frames of file contents, addressed by the SHA-256 of the content)
//! in one file, so that 80,000 small files mean a few files and fsyncs, not 80,000.
//!
//! `packs/<P>.pack` is the concatenation of zstd frames, then (format 2) a trailer; `P` is the
//! SHA-256 of the pack file. `packs/<P>.idx` is text: a header line `escrow-pack-index 1`, then
//! one line per object: `<sha256 of content> <offset> <compressed length> <content length>`.
//!
//! The trailer repeats the index, so a lost index can be rebuilt from its pack
//! (`audit --repair-index`): a zstd *skippable frame* (RFC 8878 §3.1.2: magic `0x184D2A5E`,
//! little-endian, then the content length as 4 bytes LE), whose content is the index text
//! followed by the frame's total length (4 bytes LE) and the 4 bytes `EIDX`. `zstd -d` skips it,
//! so `zstd -dc P.pack` still gives every object's bytes.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::backend::{FileKind, Key};
use super::{Vault, VaultError, fsutil, io_err};
use crate::hash::hex;

/// The first line of every pack index.
const INDEX_HEADER: &str = "escrow-pack-index 1";
/// A pack is closed once it holds this many bytes (in a local folder).
pub(crate) const PACK_TARGET: u64 = 256 * 1024 * 1024;
/// On an object store a pack is closed at 64 MiB, so that uploads start while the deposit
/// is still compressing (a 256 MiB pack per thread would be sent only at the end).
pub(crate) const REMOTE_PACK_TARGET: u64 = 64 * 1024 * 1024;

/// The size at which packs of `vault` are closed.
pub(crate) fn pack_target(vault: &Vault) -> u64 {
    if vault.backend().local_root().is_some() {
        PACK_TARGET
    } else {
        REMOTE_PACK_TARGET
    }
}
/// Objects larger than this are compressed as a stream into a pack of their own, so memory
/// stays bounded whatever the file sizes.
pub(crate) const BIG_OBJECT: u64 = 4 * 1024 * 1024;
/// zstd level 1: on the linux-source tree it stores 1.3 GB in 267 MB, 20% faster than level 3
/// for 5% more space, and far smaller than the negative ("fast") levels.
pub(crate) const LEVEL: i32 = 1;

/// Where an object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    /// The pack, by its position in `Index::packs`.
    pub pack: u32,
    /// Where the object's zstd frame starts in the pack, in bytes from the start of the file.
    pub offset: u64,
    /// The zstd frame's (compressed) length in bytes.
    pub clen: u64,
    /// The content's length in bytes.
    pub size: u64,
}

/// Every object of the vault, from the pack indexes.
#[derive(Debug, Default)]
pub struct Index {
    /// Pack ids, by `Loc::pack`.
    pub packs: Vec<String>,
    /// Where each object is, by the SHA-256 of its content.
    pub objects: HashMap<[u8; 32], Loc>,
}

/// One index line.
pub(crate) type IdxLine = ([u8; 32], u64, u64, u64);

/// Parse an index file's text.
pub(crate) fn parse_idx(text: &str) -> Result<Vec<IdxLine>, String> {
    let mut lines = text.lines();
    if lines.next() != Some(INDEX_HEADER) {
        return Err(format!("the first line is not {INDEX_HEADER:?}"));
    }
    let mut out = Vec::new();
    // escrow writes frames back to back from the start of the pack: an index whose lines
    // overlap, leave gaps or go back is forged (and could make a reader decompress one frame
    // many times over).
    let mut next = 0u64;
    for (i, line) in lines.enumerate() {
        let bad = || format!("line {} is not \"<sha256> <offset> <clen> <size>\"", i + 2);
        let f: Vec<&str> = line.split(' ').collect();
        if f.len() != 4 {
            return Err(bad());
        }
        let sha = parse_hex32(f[0]).ok_or_else(bad)?;
        let n = |s: &str| s.parse::<u64>().map_err(|_| bad());
        let (offset, clen, size) = (n(f[1])?, n(f[2])?, n(f[3])?);
        if offset != next || clen == 0 {
            return Err(format!(
                "line {}: the object at offset {offset} does not follow the one before it (expected offset {next}): the index was edited",
                i + 2
            ));
        }
        next = offset.saturating_add(clen);
        out.push((sha, offset, clen, size));
    }
    Ok(out)
}

pub use crate::hash::parse_hex32;

/// The skippable-frame magic of the trailer (RFC 8878 §3.1.2: 0x184D2A50..=0x184D2A5F).
const TRAILER_MAGIC: [u8; 4] = 0x184D_2A5E_u32.to_le_bytes();
/// The last four bytes of a pack with a trailer.
const TRAILER_END: &[u8; 4] = b"EIDX";
/// The largest index read: 64 MiB of text (about 700,000 objects).
pub(crate) const MAX_INDEX_BYTES: u64 = 64 << 20;
/// The largest object read into memory (build logs shown): 512 MiB.
const MAX_OBJECT_IN_MEMORY: u64 = 512 << 20;
/// The largest file-list piece: at most 256 entries, a few kilobytes each; 16 MiB is far more,
/// and several are read at once.
pub(crate) const MAX_PIECE: u64 = 16 << 20;

/// The trailer of a pack whose index text is `idx`.
fn trailer(idx: &[u8]) -> Vec<u8> {
    let total = 4 + 4 + idx.len() + 8;
    let mut t = Vec::with_capacity(total);
    t.extend_from_slice(&TRAILER_MAGIC);
    t.extend_from_slice(
        &u32::try_from(idx.len() + 8)
            .expect("index < 4 GiB")
            .to_le_bytes(),
    );
    t.extend_from_slice(idx);
    t.extend_from_slice(&u32::try_from(total).expect("index < 4 GiB").to_le_bytes());
    t.extend_from_slice(TRAILER_END);
    t
}

/// Read the index text from the trailer of pack `id` (`size` bytes). `Ok(None)`: the pack has
/// no trailer (written by format 1). Errors: a trailer that does not hold together, or a
/// backend error.
pub(crate) fn read_trailer(vault: &Vault, id: &str, size: u64) -> Result<Option<String>, String> {
    let key = Key::content(FileKind::Pack, id).ok_or("not a pack id")?;
    if size < 16 {
        return Ok(None);
    }
    let end = vault
        .backend()
        .read_range(&key, size - 8, 8)
        .map_err(|e| e.to_string())?;
    if &end[4..] != TRAILER_END {
        return Ok(None);
    }
    let total = u64::from(u32::from_le_bytes(end[..4].try_into().expect("4 bytes")));
    if total < 16 || total > size || total > MAX_INDEX_BYTES {
        return Err(format!("the trailer gives an impossible length {total}"));
    }
    let t = vault
        .backend()
        .read_range(&key, size - total, total)
        .map_err(|e| e.to_string())?;
    let inner = u64::from(u32::from_le_bytes(t[4..8].try_into().expect("4 bytes")));
    if t[..4] != TRAILER_MAGIC || inner + 8 != total {
        return Err("the trailer's frame header does not match its length".to_owned());
    }
    let text = &t[8..t.len() - 8];
    String::from_utf8(text.to_vec())
        .map(Some)
        .map_err(|_| "the trailer's index is not text".to_owned())
}

impl Index {
    /// Load every pack index, from the `.idx` files, or from a pack's trailer when its index is
    /// missing or damaged. A damaged index of a pack without trailer is an error here (writers
    /// must not build on it); `audit` reads indexes itself and reports every problem.
    pub fn load(vault: &Vault) -> Result<Index, VaultError> {
        let b = vault.backend();
        let packs: HashMap<String, u64> = b
            .list(FileKind::Pack)?
            .into_iter()
            .filter_map(|l| Some((Key::parse(FileKind::Pack, &l.name)?.id().to_owned(), l.size)))
            .collect();
        let indexed: std::collections::HashSet<String> = b
            .list(FileKind::Index)?
            .into_iter()
            .filter_map(|l| Some(Key::parse(FileKind::Index, &l.name)?.id().to_owned()))
            .collect();
        let mut ids: Vec<&String> = packs.keys().chain(indexed.iter()).collect();
        ids.sort();
        ids.dedup();
        let mut index = Index::default();
        for id in ids {
            let pack_len = packs.get(id).copied();
            let from_idx = if indexed.contains(id) {
                let key = Key::content(FileKind::Index, id).expect("parsed");
                let text = b.read(&key, MAX_INDEX_BYTES)?;
                Some(
                    std::str::from_utf8(&text)
                        .map_err(|_| "is not text".to_owned())
                        .and_then(parse_idx)
                        .map_err(|message| (vault.path_of(&key), message)),
                )
            } else {
                None
            };
            let lines = match (from_idx, pack_len) {
                (Some(Ok(lines)), _) => lines,
                (from_idx, Some(size)) if vault.format > 1 => {
                    match read_trailer(vault, id, size).map(|t| t.map(|t| parse_idx(&t))) {
                        Ok(Some(Ok(lines))) => lines,
                        _ => match from_idx {
                            Some(Err((path, message))) => {
                                return Err(VaultError::Corrupt {
                                    path,
                                    message: format!("{message}; run `escrow audit`"),
                                });
                            }
                            _ => continue,
                        },
                    }
                }
                (Some(Err((path, message))), _) => {
                    return Err(VaultError::Corrupt {
                        path,
                        message: format!("{message}; run `escrow audit`"),
                    });
                }
                (None, _) => continue,
            };
            // A pack that is gone or cut short holds nothing: a deposit stores those contents
            // again instead of trusting them (audit reports the damage).
            let end = lines
                .iter()
                .map(|l| l.1.saturating_add(l.2))
                .max()
                .unwrap_or(0);
            if end > pack_len.unwrap_or(0) {
                continue;
            }
            index.add(id.clone(), &lines);
        }
        Ok(index)
    }

    /// Add the objects of one pack (an object already known keeps its first place).
    pub fn add(&mut self, pack_id: String, lines: &[IdxLine]) {
        let pack = u32::try_from(self.packs.len()).expect("fewer than 4 billion packs");
        self.packs.push(pack_id);
        for &(sha, offset, clen, size) in lines {
            self.objects.entry(sha).or_insert(Loc {
                pack,
                offset,
                clen,
                size,
            });
        }
    }

    /// The id of pack number `pack`.
    pub(crate) fn pack_id(&self, pack: u32) -> &str {
        &self.packs[pack as usize]
    }

    /// The file of pack number `pack` (for messages).
    pub(crate) fn pack_path(&self, vault: &Vault, pack: u32) -> PathBuf {
        vault
            .packs_dir()
            .join(format!("{}.pack", self.packs[pack as usize]))
    }
}

/// The index text of `lines`.
pub(crate) fn idx_text(lines: &[IdxLine]) -> String {
    let mut idx = String::with_capacity(lines.len() * 90 + 32);
    idx.push_str(INDEX_HEADER);
    idx.push('\n');
    for (sha, offset, clen, size) in lines {
        idx.push_str(&format!("{} {offset} {clen} {size}\n", hex(sha)));
    }
    idx
}

struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Builds one pack in `tmp/`, then moves it and its index into `packs/`.
pub(crate) struct PackWriter {
    /// The temporary file's path in the vault's `tmp/` (local vaults: linked into place), or
    /// `None` for an anonymous temporary file that is uploaded.
    tmp: Option<PathBuf>,
    out: Hashing<BufWriter<File>>,
    lines: Vec<IdxLine>,
}

impl PackWriter {
    /// A new, empty pack in a temporary file.
    pub fn new(vault: &Vault) -> Result<Self, VaultError> {
        let (tmp, file) = if vault.backend().local_root().is_some() {
            let dir = vault.tmp_dir();
            fsutil::create_private_dir(&dir).map_err(io_err(&dir))?;
            let tmp = fsutil::temp_path(&dir, "pack");
            let file = fsutil::create_private(&tmp).map_err(io_err(&tmp))?;
            (Some(tmp), file)
        } else {
            let file = tempfile::tempfile().map_err(io_err(&std::env::temp_dir()))?;
            (None, file)
        };
        Ok(PackWriter {
            tmp,
            out: Hashing {
                inner: BufWriter::with_capacity(1 << 20, file),
                hasher: Sha256::new(),
                len: 0,
            },
            lines: Vec::new(),
        })
    }

    fn tmp_name(&self) -> PathBuf {
        self.tmp
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("escrow-pack"))
    }

    pub fn len(&self) -> u64 {
        self.out.len
    }

    /// Whether no object was added.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Append an already compressed object.
    pub fn add(&mut self, sha: [u8; 32], compressed: &[u8], size: u64) -> Result<(), VaultError> {
        let offset = self.out.len;
        self.out
            .write_all(compressed)
            .map_err(io_err(&self.tmp_name()))?;
        self.lines
            .push((sha, offset, compressed.len() as u64, size));
        Ok(())
    }

    /// Compress a stream into the pack, checking that its content hashes to `sha`. Returns
    /// `Ok(false)` when the content did not match (the file changed meanwhile).
    pub(crate) fn add_stream(
        &mut self,
        sha: [u8; 32],
        reader: &mut dyn Read,
    ) -> Result<bool, VaultError> {
        let offset = self.out.len;
        let tmp = self.tmp_name();
        let mut enc =
            zstd::stream::write::Encoder::new(&mut self.out, LEVEL).map_err(io_err(&tmp))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut size = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_err(&tmp)(e)),
            };
            hasher.update(&buf[..n]);
            enc.write_all(&buf[..n]).map_err(io_err(&tmp))?;
            size += n as u64;
        }
        enc.finish().map_err(io_err(&tmp))?;
        if <[u8; 32]>::from(hasher.finalize()) != sha {
            return Ok(false);
        }
        self.lines.push((sha, offset, self.out.len - offset, size));
        Ok(true)
    }

    /// fsync and move the pack, then its index, into `packs/`. Returns the pack id and lines.
    /// Add the trailer, store the pack under its SHA-256 and then its index, both only if
    /// absent. Returns the pack id and its index lines.
    pub fn finish(self, vault: &Vault) -> Result<(String, Vec<IdxLine>), VaultError> {
        let tmp_name = self.tmp_name();
        let PackWriter {
            tmp,
            mut out,
            lines,
        } = self;
        let idx = idx_text(&lines);
        out.write_all(&trailer(idx.as_bytes()))
            .map_err(io_err(&tmp_name))?;
        let Hashing { inner, hasher, len } = out;
        let mut file = inner
            .into_inner()
            .map_err(|e| io_err(&tmp_name)(e.into_error()))?;
        let id = hex(&hasher.finalize());
        let key = Key::content(FileKind::Pack, &id).expect("a SHA-256");
        if let (Some(tmp), Some(root)) = (&tmp, vault.backend().local_root()) {
            file.sync_all().map_err(io_err(tmp))?;
            drop(file);
            super::backend::local::Local::new(root).link_in(tmp, &key)?;
        } else {
            use std::io::Seek;
            file.rewind().map_err(io_err(&tmp_name))?;
            vault.backend().create_streamed(
                &key,
                &mut file,
                len,
                vault.create_options(),
                &|_| {},
            )?;
        }
        vault.create(
            &Key::content(FileKind::Index, &id).expect("a SHA-256"),
            idx.as_bytes(),
        )?;
        Ok((id, lines))
    }

    /// Drop the pack (an error elsewhere): its temporary file is removed.
    pub(crate) fn abandon(self) {
        if let Some(tmp) = &self.tmp {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

struct RegionReader<'a> {
    file: &'a File,
    pos: u64,
    end: u64,
}

impl<'a> RegionReader<'a> {
    /// The `len` bytes of `file` from `offset`.
    pub fn new(file: &'a File, offset: u64, len: u64) -> Self {
        RegionReader {
            file,
            pos: offset,
            end: offset + len,
        }
    }
}

impl Read for RegionReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        if left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the pack ends before the object does",
            ));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

/// Decompress one object from an open pack into `out`, returning the SHA-256 and length of
/// what was written. Small objects go through `dec` (reused per thread); large ones stream.
pub(crate) fn copy_object(
    pack: &File,
    loc: &Loc,
    dec: &mut zstd::bulk::Decompressor<'static>,
    out: &mut dyn Write,
) -> io::Result<([u8; 32], u64)> {
    let mut h = Sha256::new();
    if loc.size <= BIG_OBJECT {
        // zstd never grows data by more than a little: a larger length is a damaged index.
        if loc.clen > BIG_OBJECT + BIG_OBJECT / 64 + 4096 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the index gives an impossible compressed length {}",
                    loc.clen
                ),
            ));
        }
        let mut buf = vec![0u8; usize::try_from(loc.clen).unwrap_or(0)];
        pack.read_exact_at(&mut buf, loc.offset)?;
        let data = dec.decompress(&buf, usize::try_from(loc.size).unwrap_or(0).max(1))?;
        h.update(&data);
        out.write_all(&data)?;
        return Ok((h.finalize().into(), data.len() as u64));
    }
    // Never more than the recorded size (plus one byte, to notice a longer object): a forged
    // frame cannot make a reader decompress gigabytes.
    let d = zstd::stream::read::Decoder::new(RegionReader::new(pack, loc.offset, loc.clen))?;
    let mut d = d.take(loc.size.saturating_add(1));
    let mut buf = vec![0u8; 256 * 1024];
    let mut n_total = 0u64;
    loop {
        let n = match d.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        n_total += n as u64;
    }
    Ok((h.finalize().into(), n_total))
}

/// Stream one object, found by its hash, into `out`, verifying it. Returns its length.
pub(crate) fn copy_verified(
    vault: &Vault,
    index: &Index,
    sha_hex: &str,
    out: &mut dyn Write,
) -> Result<u64, VaultError> {
    let missing = || VaultError::Corrupt {
        path: vault.packs_dir(),
        message: format!("object {sha_hex} is missing from the vault; run `escrow audit`"),
    };
    let sha = parse_hex32(sha_hex).ok_or_else(missing)?;
    let loc = *index.objects.get(&sha).ok_or_else(missing)?;
    let path = index.pack_path(vault, loc.pack);
    let file = vault
        .pack_file(index.pack_id(loc.pack))
        .map_err(|_| missing())?;
    let mut dec = zstd::bulk::Decompressor::new().map_err(io_err(&path))?;
    match copy_object(&file, &loc, &mut dec, out) {
        Ok((got, n)) if got == sha => Ok(n),
        Ok(_) => Err(VaultError::Corrupt {
            path,
            message: format!("object {sha_hex} does not match its hash; run `escrow audit`"),
        }),
        Err(e) => Err(VaultError::Corrupt {
            path,
            message: format!("object {sha_hex} cannot be read ({e}); run `escrow audit`"),
        }),
    }
}

/// Read one whole object by its hash, verified.
pub(crate) fn read_object(
    vault: &Vault,
    index: &Index,
    sha_hex: &str,
) -> Result<Vec<u8>, VaultError> {
    read_object_within(vault, index, sha_hex, MAX_OBJECT_IN_MEMORY)
}

/// [`read_object`] for an object that can be at most `max` bytes (larger: `Corrupt`).
pub(crate) fn read_object_within(
    vault: &Vault,
    index: &Index,
    sha_hex: &str,
    max: u64,
) -> Result<Vec<u8>, VaultError> {
    if let Some(sha) = parse_hex32(sha_hex)
        && let Some(loc) = index.objects.get(&sha)
        && loc.size > max
    {
        return Err(VaultError::Corrupt {
            path: index.pack_path(vault, loc.pack),
            message: format!(
                "object {sha_hex} is recorded as {} bytes, more than such an object holds: the index was forged or damaged; run `escrow audit`",
                loc.size
            ),
        });
    }
    let mut out = Vec::new();
    copy_verified(vault, index, sha_hex, &mut out)?;
    Ok(out)
}

/// Write one object, streamed and verified, to a new file at `dest` (removed again if the
/// content does not match its hash). Returns its length.
pub(crate) fn read_object_to(
    vault: &Vault,
    index: &Index,
    sha_hex: &str,
    dest: &Path,
) -> Result<u64, VaultError> {
    let out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dest)
        .map_err(io_err(dest))?;
    let mut w = std::io::BufWriter::new(out);
    let result = copy_verified(vault, index, sha_hex, &mut w)
        .and_then(|n| w.flush().map(|()| n).map_err(io_err(dest)));
    if result.is_err() {
        let _ = std::fs::remove_file(dest);
    }
    result
}

/// Open a pack file for reading, never through a link: the vault holds only the files escrow
/// wrote, so a link there (pointing at a host file) is refused rather than read.
pub(crate) fn open_pack_file(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: a FIFO planted under a pack's name cannot hang the reader; it is then refused
    // as not a regular file (reads of a regular file never block on it).
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "is not a regular file (a FIFO, device or folder), which escrow never writes in a vault",
        ));
    }
    Ok(f)
}

/// Open a pack file (see `open_pack_file`).
pub fn open_pack(path: &Path) -> Result<File, VaultError> {
    open_pack_file(path).map_err(io_err(path))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;

    fn vault() -> (tempfile::TempDir, Vault) {
        let tmp = tempfile::tempdir().unwrap();
        let (v, _) = Vault::init(&tmp.path().join("vault")).unwrap();
        (tmp, v)
    }

    fn sha(data: &[u8]) -> [u8; 32] {
        Sha256::digest(data).into()
    }

    #[test]
    fn written_objects_read_back_verified() {
        let (_tmp, v) = vault();
        let small = b"class A {}\n".to_vec();
        let big: Vec<u8> = (0..300_000u32).flat_map(u32::to_le_bytes).collect();
        let mut pw = PackWriter::new(&v).unwrap();
        let compressed = zstd::bulk::compress(&small, LEVEL).unwrap();
        pw.add(sha(&small), &compressed, small.len() as u64)
            .unwrap();
        assert!(pw.add_stream(sha(&big), &mut &big[..]).unwrap());
        let (id, lines) = pw.finish(&v).unwrap();
        assert_eq!(lines.len(), 2);
        // The pack is named by its bytes' hash, and its index lists both objects.
        let pack_bytes = std::fs::read(v.packs_dir().join(format!("{id}.pack"))).unwrap();
        assert_eq!(hex(&sha(&pack_bytes)), id);
        let index = Index::load(&v).unwrap();
        assert_eq!(index.objects.len(), 2);
        assert_eq!(read_object(&v, &index, &hex(&sha(&small))).unwrap(), small);
        assert_eq!(read_object(&v, &index, &hex(&sha(&big))).unwrap(), big);
        // Nothing is left in tmp/.
        assert_eq!(std::fs::read_dir(v.tmp_dir()).unwrap().count(), 0);
    }

    #[test]
    fn a_stream_that_does_not_match_its_hash_is_refused() {
        let (_tmp, v) = vault();
        let mut pw = PackWriter::new(&v).unwrap();
        assert!(!pw.add_stream(sha(b"expected"), &mut &b"other"[..]).unwrap());
        assert!(pw.is_empty());
        pw.abandon();
        assert_eq!(std::fs::read_dir(v.tmp_dir()).unwrap().count(), 0);
    }

    #[test]
    fn a_flipped_byte_is_caught_on_read() {
        let (_tmp, v) = vault();
        let data = b"the content".to_vec();
        let mut pw = PackWriter::new(&v).unwrap();
        assert!(pw.add_stream(sha(&data), &mut &data[..]).unwrap());
        let (id, lines) = pw.finish(&v).unwrap();
        let path = v.packs_dir().join(format!("{id}.pack"));
        let mut bytes = std::fs::read(&path).unwrap();
        let last = usize::try_from(lines[0].1 + lines[0].2).unwrap() - 5;
        bytes[last] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
        let index = Index::load(&v).unwrap();
        let err = read_object(&v, &index, &hex(&sha(&data))).unwrap_err();
        assert!(matches!(err, VaultError::Corrupt { .. }), "{err}");
    }

    #[test]
    fn the_trailer_lists_the_objects_and_zstd_skips_it() {
        let m = std::sync::Arc::new(crate::vault::backend::memory::Memory::new());
        let (v, _) = Vault::init_backend(m.clone(), Path::new("memory:")).unwrap();
        let a = b"first object\n".repeat(50);
        let b = b"second object\n".repeat(70);
        let mut pw = PackWriter::new(&v).unwrap();
        for data in [&a, &b] {
            let c = zstd::bulk::compress(data, LEVEL).unwrap();
            pw.add(sha(data), &c, data.len() as u64).unwrap();
        }
        let (id, lines) = pw.finish(&v).unwrap();
        let key = Key::content(FileKind::Pack, &id).unwrap();
        let pack = v.backend().read(&key, 1 << 20).unwrap();
        assert_eq!(hex(&sha(&pack)), id);
        // `zstd -dc` of the pack gives the objects, the trailer skipped.
        assert_eq!(
            zstd::stream::decode_all(&pack[..]).unwrap(),
            [a.clone(), b.clone()].concat()
        );
        let idx = v
            .backend()
            .read(&Key::content(FileKind::Index, &id).unwrap(), 1 << 20)
            .unwrap();
        let trailer = read_trailer(&v, &id, pack.len() as u64).unwrap().unwrap();
        assert_eq!(trailer.as_bytes(), &idx[..]);
        assert_eq!(parse_idx(&trailer).unwrap(), lines);
        // The index lost: the objects are still found, from the trailer.
        m.tamper(&Key::content(FileKind::Index, &id).unwrap().path(), None);
        let index = Index::load(&v).unwrap();
        assert_eq!(read_object(&v, &index, &hex(&sha(&b))).unwrap(), b);
        // A trailer whose length is forged is refused, not trusted.
        let mut forged = pack.clone();
        let n = forged.len();
        forged[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
        m.tamper(&key.path(), Some(forged));
        assert!(read_trailer(&v, &id, n as u64).is_err());
        // A format-1 pack (no trailer) has none.
        let plain = zstd::bulk::compress(&a, LEVEL).unwrap();
        let n = plain.len() as u64;
        m.tamper(&key.path(), Some(plain));
        assert_eq!(read_trailer(&v, &id, n).unwrap(), None);
    }

    #[test]
    fn an_index_without_its_header_does_not_parse() {
        assert!(parse_idx("").is_err());
        assert!(parse_idx(&format!("{INDEX_HEADER}\nnot a line\n")).is_err());
        let line = format!("{INDEX_HEADER}\n{} 0 10 20\n", "ab".repeat(32));
        assert_eq!(parse_idx(&line).unwrap(), vec![([0xab; 32], 0, 10, 20)]);
        // Frames are back to back: overlapping, gapped or backward lines are forged.
        let sha = "ab".repeat(32);
        let two = |second: &str| format!("{INDEX_HEADER}\n{sha} 0 10 20\n{sha} {second} 10 20\n");
        assert!(parse_idx(&two("10")).is_ok());
        for bad in ["0", "5", "11", "100"] {
            assert!(parse_idx(&two(bad)).is_err(), "offset {bad}");
        }
        assert!(parse_idx(&format!("{INDEX_HEADER}\n{sha} 3 10 20\n")).is_err());
    }

    proptest! {
        /// An id written with `hex` parses back to the same bytes, in either case.
        #[test]
        fn hex_round_trip(bytes in proptest::array::uniform32(any::<u8>())) {
            let h = hex(&bytes);
            prop_assert_eq!(h.len(), 64);
            prop_assert_eq!(parse_hex32(&h), Some(bytes));
            prop_assert_eq!(parse_hex32(&h.to_uppercase()), Some(bytes));
        }

        /// Anything that is not 64 hex digits is not an id.
        #[test]
        fn non_ids_are_refused(s in "[0-9a-fA-F]{0,63}|[0-9a-fA-F]{65,70}|[0-9a-f]{63}[g-z]") {
            prop_assert_eq!(parse_hex32(&s), None);
        }
    }
}
