//! Differential test: odd archives, generated at test time, are unpacked by the real GNU `tar`
//! (`tar -xf`) and Info-ZIP `unzip` (`unzip -o -q`), and read by escrow (`escrow deposit` into a
//! new vault, then `escrow restore` of the snapshot). The tree escrow checked and stored must be
//! the tree the hospital gets, or escrow must say why not:
//!
//! - the two trees are identical (same paths, same kinds, same file contents by SHA-256, same
//!   link targets; permission bits are not compared), or
//! - every path where they differ is named (itself, a folder above it or an entry below it, also
//!   after following the tool's relative links) by a deny-level finding `archive-ambiguous`,
//!   `archive-duplicate-entry`, `archive-unsafe-path` or `name-not-portable` (the last is a
//!   warning by default, so by default it does not count), or
//! - escrow refused the archive: exit 2 with an error naming the archive.
//!
//! Each escrow run has its own `TMPDIR` (parallel runs sharing one can remove each other's
//! staging folder), and the manifest turns the scan off (it reads contents, not the archive's
//! structure, and costs most of a run). The real tools run as the test's user; GNU tar keeps
//! absolute and climbing links as placeholders until the end and unzip makes links last, so
//! nothing is written outside the case's folder.
//!
//! The generator is proptest's, run with a fixed seed and a fixed number of cases (48 tars and
//! 48 zips; `ESCROW_DIFF_CASES=N` runs more, same seed), so every run checks the same archives.
//! Every case is run (no stop at the first failure) and each failing case is cut down (entries
//! removed one at a time while it still fails, within a time budget) and printed as a Rust
//! expression of the helpers below, ready to become a regression test (see the `regression_*`
//! tests at the end).
//!
//! Tars are written with raw 512-byte headers ([`tar_header`], [`TarWriter`]), so names, types,
//! sizes and extension headers are exactly as generated; sparse files come from the real
//! `tar --sparse`. Zips are written record by record ([`zip_bytes`]), so central and local
//! names may differ. The machine needs GNU `tar` and `unzip` (`apt-get install unzip` in CI); a
//! missing tool fails the test with that advice.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sha2::{Digest, Sha256};

use crate::common::{escrow_command, manifest, run};

// ---------------------------------------------------------------------------------------------
// Contents

/// File content made from two small numbers, so a case prints short: `len` bytes, text when
/// `seed` is even, binary when odd. The same `(seed, len)` gives the same bytes.
pub fn content(seed: u8, len: usize) -> Vec<u8> {
    let mut x = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
    (0..len)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if seed.is_multiple_of(2) {
                if i % 40 == 39 {
                    b'\n'
                } else {
                    b'a' + (x % 26) as u8
                }
            } else {
                (x >> 8) as u8
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Raw tar

/// Write `value` as zero-padded octal into `field`, NUL-terminated.
fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let s = format!("{value:0digits$o}");
    assert!(
        s.len() <= digits,
        "{value} does not fit a {digits}-digit field"
    );
    field[..digits].copy_from_slice(s.as_bytes());
    field[digits] = 0;
}

/// One 512-byte tar header: `name` (cut to 100 bytes), `typeflag`, `size`, `link` (cut to 100
/// bytes), mode 0755 for folders and 0644 otherwise, GNU magic (`ustar  \0`) when `gnu`, else
/// POSIX (`ustar\000`), and its checksum. The prefix field stays empty.
pub fn tar_header(name: &[u8], typeflag: u8, size: u64, link: &[u8], gnu: bool) -> [u8; 512] {
    let mut h = [0u8; 512];
    let n = name.len().min(100);
    h[..n].copy_from_slice(&name[..n]);
    octal(
        &mut h[100..108],
        if typeflag == b'5' { 0o755 } else { 0o644 },
    );
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], 1_700_000_000);
    h[156] = typeflag;
    let l = link.len().min(100);
    h[157..157 + l].copy_from_slice(&link[..l]);
    h[257..265].copy_from_slice(if gnu { b"ustar  \0" } else { b"ustar\x0000" });
    h[265..269].copy_from_slice(b"root");
    h[297..301].copy_from_slice(b"root");
    set_tar_checksum(&mut h);
    h
}

/// Compute and store a tar header's checksum (the sum of its bytes, the checksum field
/// counted as spaces): six octal digits, NUL, space.
pub fn set_tar_checksum(h: &mut [u8; 512]) {
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
}

/// PAX extended-header records: `"<len> key=value\n"`, `len` counting itself.
pub fn pax_records(records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in records {
        let body = key.len() + value.len() + 3; // space, '=', newline
        let mut len = body + 1;
        while len != body + len.to_string().len() {
            len = body + len.to_string().len();
        }
        out.extend_from_slice(format!("{len} {key}=").as_bytes());
        out.extend_from_slice(value);
        out.push(b'\n');
    }
    out
}

/// A tar stream built block by block.
#[derive(Default)]
pub struct TarWriter {
    /// The bytes so far.
    pub buf: Vec<u8>,
}

impl TarWriter {
    /// A header followed by `data`, padded to 512 bytes.
    pub fn entry(&mut self, header: &[u8; 512], data: &[u8]) {
        self.buf.extend_from_slice(header);
        self.buf.extend_from_slice(data);
        self.pad();
    }
    /// A GNU `L` record (`././@LongLink`) naming the next entry `name`.
    pub fn gnu_long_name(&mut self, name: &[u8]) {
        let mut data = name.to_vec();
        data.push(0);
        let h = tar_header(b"././@LongLink", b'L', data.len() as u64, b"", true);
        self.entry(&h, &data);
    }
    /// A PAX `x` header with these records, for the next entry.
    pub fn pax(&mut self, records: &[(&str, &[u8])]) {
        let data = pax_records(records);
        let h = tar_header(b"PaxHeaders/entry", b'x', data.len() as u64, b"", false);
        self.entry(&h, &data);
    }
    /// Raw blocks (already padded), e.g. entries cut out of a tar made by GNU tar.
    pub fn raw(&mut self, blocks: &[u8]) {
        assert_eq!(blocks.len() % 512, 0);
        self.buf.extend_from_slice(blocks);
    }
    fn pad(&mut self) {
        let rem = self.buf.len() % 512;
        if rem != 0 {
            self.buf.resize(self.buf.len() + 512 - rem, 0);
        }
    }
    /// The stream with its two zero blocks.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.resize(self.buf.len() + 1024, 0);
        self.buf
    }
}

/// The blocks of a tar stream before its end-of-archive zero blocks (GNU sparse extension
/// blocks included), to splice entries made by the real `tar` into a raw stream.
pub fn tar_entries_blocks(tar: &[u8]) -> &[u8] {
    let mut at = 0;
    while at + 512 <= tar.len() && tar[at..at + 512].iter().any(|&b| b != 0) {
        let h = &tar[at..at + 512];
        let size_text = std::str::from_utf8(&h[124..136]).unwrap();
        let size = u64::from_str_radix(size_text.trim_matches(|c| c == '\0' || c == ' '), 8)
            .expect("octal size");
        let mut extended = h[156] == b'S' && h[482] != 0;
        at += 512;
        while extended {
            extended = tar[at + 504] != 0;
            at += 512;
        }
        at += (size as usize).div_ceil(512) * 512;
    }
    &tar[..at]
}

// ---------------------------------------------------------------------------------------------
// The tar cases

/// How a tar entry's name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TarName {
    /// In the header's 100-byte name field (a longer name is cut).
    Header,
    /// A GNU `L` long-name record before the header; the header holds the first 100 bytes.
    GnuLong,
    /// A PAX `path` record (the entry's name) before a header that holds this other name.
    Pax(String),
    /// A GNU long name holding this other name, then a PAX `path` (the entry's name), on one
    /// entry (GNU tar takes the PAX one).
    GnuAndPax(String),
}

/// Which sparse format `tar --sparse` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sparse {
    /// `--format=gnu`: an old GNU `S` entry.
    Gnu,
    /// `--format=pax`: PAX `GNU.sparse.*` records (format 1.0).
    Pax,
}

/// What a tar entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TarKind {
    /// A regular file with `content(seed, len)`.
    File(u8, usize),
    /// A folder.
    Dir,
    /// A symbolic link to this target.
    Symlink(String),
    /// A hard link to this earlier name.
    HardLink(String),
    /// An entry of this type, with `content(seed, len)` as data.
    Typed(u8, u8, usize),
    /// A folder entry with a size and `content(seed, len)` as data.
    DirWithData(u8, usize),
    /// A symbolic link with a size and `content(seed, len)` as data.
    SymlinkWithData(String, u8, usize),
    /// A hard link with a size and `content(seed, len)` as data.
    HardLinkWithData(String, u8, usize),
    /// An entry of this type (`5` folder, `2` symbolic link, `1` hard link) and link target
    /// whose data is a whole file entry: the header of a file with this name, then
    /// `content(seed, len)`. A reader that skips the data and one that reads it as the next
    /// header see different files.
    Smuggle(u8, String, String, u8, usize),
    /// A sparse file written by the real `tar --sparse`: a hole of `hole` KiB, then
    /// `content(seed, len)`.
    Sparse(Sparse, u64, u8, usize),
}

/// One tar entry: its name, how the name is written, and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TarEntry {
    /// The entry's name (what GNU tar reads).
    pub name: String,
    /// How the name is written.
    pub how: TarName,
    /// What it is.
    pub kind: TarKind,
}

/// A regular file entry with `content(seed, len)`.
pub fn file(name: &str, seed: u8, len: usize) -> TarEntry {
    entry(name, TarKind::File(seed, len))
}
/// A folder entry.
pub fn dir(name: &str) -> TarEntry {
    entry(name, TarKind::Dir)
}
/// A symbolic link entry.
pub fn symlink(name: &str, target: &str) -> TarEntry {
    entry(name, TarKind::Symlink(target.to_owned()))
}
/// A hard link entry.
pub fn hardlink(name: &str, target: &str) -> TarEntry {
    entry(name, TarKind::HardLink(target.to_owned()))
}
/// Any tar entry, its name in the header.
pub fn entry(name: &str, kind: TarKind) -> TarEntry {
    TarEntry {
        name: name.to_owned(),
        how: TarName::Header,
        kind,
    }
}

impl TarEntry {
    /// The same entry, its name in a GNU long-name record.
    #[must_use]
    pub fn gnu_long(mut self) -> Self {
        self.how = TarName::GnuLong;
        self
    }
    /// The same entry, its name in a PAX `path` record, `header` in the header.
    #[must_use]
    pub fn pax(mut self, header: &str) -> Self {
        self.how = TarName::Pax(header.to_owned());
        self
    }
    /// The same entry, its name in a PAX `path` record and `gnu` in a GNU long-name record.
    #[must_use]
    pub fn gnu_and_pax(mut self, gnu: &str) -> Self {
        self.how = TarName::GnuAndPax(gnu.to_owned());
        self
    }
}

/// A tar entry as the Rust expression that makes it.
impl fmt::Display for TarEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = &self.name;
        match &self.kind {
            TarKind::File(s, l) => write!(f, "file({n:?}, {s}, {l})")?,
            TarKind::Dir => write!(f, "dir({n:?})")?,
            TarKind::Symlink(t) => write!(f, "symlink({n:?}, {t:?})")?,
            TarKind::HardLink(t) => write!(f, "hardlink({n:?}, {t:?})")?,
            k => write!(f, "entry({n:?}, TarKind::{k:?})")?,
        }
        match &self.how {
            TarName::Header => Ok(()),
            TarName::GnuLong => write!(f, ".gnu_long()"),
            TarName::Pax(h) => write!(f, ".pax({h:?})"),
            TarName::GnuAndPax(g) => write!(f, ".gnu_and_pax({g:?})"),
        }
    }
}

/// The entries of a sparse file as the real `tar --sparse` writes them.
fn sparse_blocks(work: &Path, name: &str, format: Sparse, hole_kib: u64, data: &[u8]) -> Vec<u8> {
    use std::io::{Seek, SeekFrom, Write};
    let dir = work.join("sparse-src");
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = std::fs::File::create(&path).unwrap();
    f.set_len(hole_kib * 1024 + data.len() as u64).unwrap();
    f.seek(SeekFrom::Start(hole_kib * 1024)).unwrap();
    f.write_all(data).unwrap();
    drop(f);
    let out = work.join("sparse.tar");
    let fmt = match format {
        Sparse::Gnu => "--format=gnu",
        Sparse::Pax => "--format=pax",
    };
    let mut cmd = Command::new("tar");
    cmd.args(["--sparse", fmt, "--owner=0", "--group=0", "-cf"])
        .arg(&out)
        .arg(name)
        .current_dir(&dir);
    let r = run(cmd);
    assert_eq!(r.code, 0, "tar --sparse: {}", r.stderr);
    let tar = std::fs::read(&out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    tar_entries_blocks(&tar).to_vec()
}

/// Write the header(s) naming `e` and its main header, with `data` after it.
fn tar_named(w: &mut TarWriter, e: &TarEntry, typeflag: u8, link: &str, data: &[u8]) {
    let name = e.name.as_bytes();
    let size = data.len() as u64;
    let header = match &e.how {
        TarName::Header => tar_header(name, typeflag, size, link.as_bytes(), false),
        TarName::GnuLong => {
            w.gnu_long_name(name);
            tar_header(name, typeflag, size, link.as_bytes(), true)
        }
        TarName::Pax(h) => {
            w.pax(&[("path", name)]);
            tar_header(h.as_bytes(), typeflag, size, link.as_bytes(), false)
        }
        TarName::GnuAndPax(g) => {
            w.gnu_long_name(g.as_bytes());
            w.pax(&[("path", name)]);
            tar_header(g.as_bytes(), typeflag, size, link.as_bytes(), true)
        }
    };
    w.entry(&header, data);
}

/// The tar archive of these entries, in this order (`work` is a scratch folder for `tar
/// --sparse`).
pub fn tar_bytes(entries: &[TarEntry], work: &Path) -> Vec<u8> {
    let mut w = TarWriter::default();
    for e in entries {
        match &e.kind {
            TarKind::File(s, l) => tar_named(&mut w, e, b'0', "", &content(*s, *l)),
            TarKind::Dir => tar_named(&mut w, e, b'5', "", b""),
            TarKind::Symlink(t) => tar_named(&mut w, e, b'2', t, b""),
            TarKind::HardLink(t) => tar_named(&mut w, e, b'1', t, b""),
            TarKind::Typed(ty, s, l) => tar_named(&mut w, e, *ty, "", &content(*s, *l)),
            TarKind::DirWithData(s, l) => tar_named(&mut w, e, b'5', "", &content(*s, *l)),
            TarKind::SymlinkWithData(t, s, l) => tar_named(&mut w, e, b'2', t, &content(*s, *l)),
            TarKind::HardLinkWithData(t, s, l) => tar_named(&mut w, e, b'1', t, &content(*s, *l)),
            TarKind::Smuggle(ty, link, inner, s, l) => {
                let body = content(*s, *l);
                let mut inner_tar = TarWriter::default();
                inner_tar.entry(
                    &tar_header(inner.as_bytes(), b'0', body.len() as u64, b"", false),
                    &body,
                );
                tar_named(&mut w, e, *ty, link, &inner_tar.buf);
            }
            TarKind::Sparse(format, hole, s, l) => {
                let blocks = sparse_blocks(work, &e.name, *format, *hole, &content(*s, *l));
                w.raw(&blocks);
            }
        }
    }
    w.finish()
}

// ---------------------------------------------------------------------------------------------
// Raw zip

/// One zip entry: its central-directory name, its local-header name (the same unless it
/// was made to differ), what it is, and whether it says it was made on Unix (version made by
/// 3, mode in the external attributes; symbolic links need it) or on MS-DOS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipEntry {
    /// The name in the central directory (what Info-ZIP `unzip` uses).
    pub name: String,
    /// The name in the local header, when it differs.
    pub local: Option<String>,
    /// What it is.
    pub kind: ZipKind,
    /// Made on Unix (else MS-DOS).
    pub unix: bool,
    /// How the names are encoded.
    pub names: ZipNames,
}

/// How a zip entry's names are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZipNames {
    /// UTF-8, with the UTF-8 flag (general purpose bit 11).
    Utf8Flagged,
    /// UTF-8 bytes, no flag (what many Unix tools write).
    Utf8,
    /// GBK (CP936) bytes, no flag (what Chinese Windows tools write).
    Gbk,
}

/// What a zip entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZipKind {
    /// A file with `content(seed, len)`.
    File(u8, usize),
    /// A folder (its name should end with `/`).
    Dir,
    /// A symbolic link (Unix mode 0120777) to this target.
    Symlink(String),
}

/// A stored zip file entry made on Unix.
pub fn zfile(name: &str, seed: u8, len: usize) -> ZipEntry {
    zentry(name, ZipKind::File(seed, len))
}
/// A zip folder entry made on Unix.
pub fn zdir(name: &str) -> ZipEntry {
    zentry(name, ZipKind::Dir)
}
/// A zip symbolic link made on Unix.
pub fn zsymlink(name: &str, target: &str) -> ZipEntry {
    zentry(name, ZipKind::Symlink(target.to_owned()))
}
/// Any zip entry made on Unix, central and local names the same.
pub fn zentry(name: &str, kind: ZipKind) -> ZipEntry {
    ZipEntry {
        name: name.to_owned(),
        local: None,
        kind,
        unix: true,
        names: ZipNames::Utf8Flagged,
    }
}

impl ZipEntry {
    /// The same entry with another name in its local header.
    #[must_use]
    pub fn local(mut self, local: &str) -> Self {
        self.local = Some(local.to_owned());
        self
    }
    /// The same entry, said to be made on MS-DOS (no Unix mode).
    #[must_use]
    pub fn dos(mut self) -> Self {
        self.unix = false;
        self
    }
    /// The same entry, its names in GBK with no UTF-8 flag.
    #[must_use]
    pub fn gbk(mut self) -> Self {
        self.names = ZipNames::Gbk;
        self
    }
    /// The same entry, its names in UTF-8 with no UTF-8 flag.
    #[must_use]
    pub fn unflagged(mut self) -> Self {
        self.names = ZipNames::Utf8;
        self
    }
    /// A name's bytes as this entry writes them.
    pub fn encode(&self, name: &str) -> Vec<u8> {
        match self.names {
            ZipNames::Gbk => encoding_rs::GBK.encode(name).0.into_owned(),
            _ => name.as_bytes().to_vec(),
        }
    }
}

/// A zip entry as the Rust expression that makes it.
impl fmt::Display for ZipEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = &self.name;
        match &self.kind {
            ZipKind::File(s, l) => write!(f, "zfile({n:?}, {s}, {l})")?,
            ZipKind::Dir => write!(f, "zdir({n:?})")?,
            ZipKind::Symlink(t) => write!(f, "zsymlink({n:?}, {t:?})")?,
        }
        if let Some(l) = &self.local {
            write!(f, ".local({l:?})")?;
        }
        if !self.unix {
            write!(f, ".dos()")?;
        }
        match self.names {
            ZipNames::Utf8Flagged => {}
            ZipNames::Utf8 => write!(f, ".unflagged()")?,
            ZipNames::Gbk => write!(f, ".gbk()")?,
        }
        Ok(())
    }
}

/// One raw zip record: names, stored data, and the external attributes' Unix mode (`None`:
/// made on MS-DOS).
pub struct ZipRecord<'a> {
    /// The central directory's name.
    pub central_name: &'a [u8],
    /// The local header's name.
    pub local_name: &'a [u8],
    /// The stored (uncompressed) data.
    pub data: &'a [u8],
    /// The Unix mode (type and permission bits), or `None` for MS-DOS.
    pub unix_mode: Option<u32>,
    /// The UTF-8 flag (general purpose bit 11).
    pub utf8: bool,
}

/// A zip written record by record: stored entries, local headers, central directory, end
/// record; each local header may name its entry differently from the central directory.
pub fn zip_bytes(records: &[ZipRecord<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for r in records {
        let mut crc = flate2::Crc::new();
        crc.update(r.data);
        let offset = out.len() as u32;
        let common = |v: &mut Vec<u8>, name: &[u8]| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            let flags: u16 = if r.utf8 { 0x0800 } else { 0 };
            v.extend_from_slice(&flags.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // stored
            v.extend_from_slice(&[0, 0, 0x21, 0x5b]); // time, date (2025-01-01)
            v.extend_from_slice(&crc.sum().to_le_bytes());
            v.extend_from_slice(&(r.data.len() as u32).to_le_bytes());
            v.extend_from_slice(&(r.data.len() as u32).to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra length
        };
        out.extend_from_slice(b"PK\x03\x04");
        common(&mut out, r.local_name);
        out.extend_from_slice(r.local_name);
        out.extend_from_slice(r.data);
        central.extend_from_slice(b"PK\x01\x02");
        let made_by: u16 = if r.unix_mode.is_some() {
            0x031e
        } else {
            0x0014
        };
        central.extend_from_slice(&made_by.to_le_bytes());
        common(&mut central, r.central_name);
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        let external = match r.unix_mode {
            Some(mode) => mode << 16,
            None if r.central_name.ends_with(b"/") => 0x10,
            None => 0x20,
        };
        central.extend_from_slice(&external.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(r.central_name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(records.len() as u16).to_le_bytes());
    out.extend_from_slice(&(records.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The zip archive of these entries, in this order.
pub fn zip_of(entries: &[ZipEntry]) -> Vec<u8> {
    let data: Vec<Vec<u8>> = entries
        .iter()
        .map(|e| match &e.kind {
            ZipKind::File(s, l) => content(*s, *l),
            ZipKind::Dir => Vec::new(),
            ZipKind::Symlink(t) => t.as_bytes().to_vec(),
        })
        .collect();
    let names: Vec<(Vec<u8>, Vec<u8>)> = entries
        .iter()
        .map(|e| {
            (
                e.encode(&e.name),
                e.encode(e.local.as_deref().unwrap_or(&e.name)),
            )
        })
        .collect();
    let records: Vec<ZipRecord<'_>> = entries
        .iter()
        .zip(&data)
        .zip(&names)
        .map(|((e, d), (central, local))| ZipRecord {
            central_name: central,
            local_name: local,
            data: d,
            utf8: e.names == ZipNames::Utf8Flagged,
            unix_mode: e.unix.then_some(match e.kind {
                ZipKind::File(..) => 0o100_644,
                ZipKind::Dir => 0o040_755,
                ZipKind::Symlink(_) => 0o120_777,
            }),
        })
        .collect();
    zip_bytes(&records)
}

// ---------------------------------------------------------------------------------------------
// Trees

/// One node of an unpacked tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A folder.
    Dir,
    /// A regular file: the SHA-256 of its content (hex) and its size.
    File(String, u64),
    /// A symbolic link and its target.
    Link(String),
    /// Anything else (FIFO, device).
    Other,
}

/// A tree: paths (as escrow shows them: `/`-separated, relative, backslashes and control
/// characters escaped) to nodes.
pub type Tree = BTreeMap<String, Node>;

/// A name as escrow shows a UTF-8 name (`\` as `\\`, control characters escaped); other
/// bytes that are not UTF-8 as `\xNN`.
fn shown(bytes: &[u8]) -> String {
    let mut s = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => s.push_str("\\\\"),
                '\n' => s.push_str("\\n"),
                '\t' => s.push_str("\\t"),
                c if c.is_control() => write!(s, "\\x{:02X}", u32::from(c)).unwrap(),
                c => s.push(c),
            }
        }
        for b in chunk.invalid() {
            write!(s, "\\x{b:02X}").unwrap();
        }
    }
    s
}

fn sha_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().fold(String::new(), |mut s, b| {
        write!(s, "{b:02x}").unwrap();
        s
    })
}

/// The tree under `root` (not following links).
pub fn tree_of(root: &Path) -> Tree {
    use std::os::unix::ffi::OsStrExt;
    let mut out = Tree::new();
    for e in walkdir::WalkDir::new(root).min_depth(1).sort_by_file_name() {
        let Ok(e) = e else { continue };
        let rel = e.path().strip_prefix(root).unwrap();
        let ft = e.file_type();
        let node = if ft.is_dir() {
            Node::Dir
        } else if ft.is_symlink() {
            let t = std::fs::read_link(e.path()).unwrap();
            Node::Link(shown(t.as_os_str().as_bytes()))
        } else if ft.is_file() {
            let data = std::fs::read(e.path()).unwrap();
            Node::File(sha_hex(&data), data.len() as u64)
        } else {
            Node::Other
        };
        out.insert(shown(rel.as_os_str().as_bytes()), node);
    }
    out
}

/// What a real tool gave: its exit status and the tree it wrote.
#[derive(Debug)]
pub struct ToolView {
    /// The tool's exit status.
    pub code: i32,
    /// Its error output (shown when a case fails).
    pub stderr: String,
    /// The tree it wrote.
    pub tree: Tree,
}

/// Unpack `archive` with a real tool (`tar -xf` or `unzip -o -q`) run in a new folder `into`.
pub fn unpack_with(tool: &str, archive: &Path, into: &Path) -> ToolView {
    std::fs::create_dir_all(into).unwrap();
    let mut cmd = Command::new(tool);
    if tool == "tar" {
        cmd.arg("-xf");
    } else {
        cmd.args(["-o", "-q"]);
    }
    cmd.arg(archive).current_dir(into);
    let r = run(cmd);
    ToolView {
        code: r.code,
        stderr: r.stderr,
        tree: tree_of(into),
    }
}

/// What escrow gave: exit code, error output, findings, and the stored tree (`escrow restore`
/// of the snapshot, byte-exact names, with `rooted_at` put back in front, so paths compare with
/// the unpacked tree).
#[derive(Debug)]
pub struct EscrowView {
    /// `escrow deposit`'s exit code.
    pub code: i32,
    /// Its error output.
    pub stderr: String,
    /// The report's findings.
    pub findings: Vec<serde_json::Value>,
    /// The report's `delivery.source.rooted_at`.
    pub rooted_at: Option<String>,
    /// The snapshot's tree.
    pub tree: Tree,
}

/// `escrow deposit ARCHIVE` into a new vault under `work`, then `escrow restore` of the
/// snapshot.
pub fn escrow_view(archive: &Path, work: &Path, manifest: &Path) -> EscrowView {
    let vault = work.join("vault");
    // A private temporary folder: escrow's staging folders of parallel runs stay apart.
    let tmp = work.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let escrow = |args: &[&std::ffi::OsStr]| {
        let mut cmd = escrow_command();
        cmd.env("TMPDIR", &tmp).args(args);
        run(cmd)
    };
    let dep = escrow(&[
        "deposit".as_ref(),
        archive.as_os_str(),
        "-m".as_ref(),
        manifest.as_os_str(),
        "-l".as_ref(),
        "c".as_ref(),
        "--vault".as_ref(),
        vault.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let mut view = EscrowView {
        code: dep.code,
        stderr: dep.stderr.clone(),
        findings: Vec::new(),
        rooted_at: None,
        tree: Tree::new(),
    };
    if dep.code == 2 {
        return view;
    }
    let report = &dep.json()["report"];
    view.findings
        .clone_from(report["findings"].as_array().unwrap());
    view.rooted_at = report["delivery"]["source"]["rooted_at"]
        .as_str()
        .map(str::to_owned);
    let restored = work.join("restored");
    let back = escrow(&[
        "restore".as_ref(),
        "c".as_ref(),
        restored.as_os_str(),
        "--vault".as_ref(),
        vault.as_os_str(),
    ]);
    assert_eq!(back.code, 0, "escrow restore: {}", back.stderr);
    let prefix = view.rooted_at.as_ref().map(|r| format!("{r}/"));
    if let Some(root) = &view.rooted_at {
        let mut at = String::new();
        for part in root.split('/') {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(part);
            view.tree.insert(at.clone(), Node::Dir);
        }
    }
    for (path, node) in tree_of(&restored) {
        view.tree
            .insert(format!("{}{path}", prefix.as_deref().unwrap_or("")), node);
    }
    view
}

/// The paths where two trees differ (special files of the tool's tree are ignored: escrow
/// skips them with a note, by design).
pub fn differing(tool: &Tree, escrow: &Tree) -> BTreeSet<String> {
    let keys: BTreeSet<&String> = tool
        .iter()
        .filter(|(_, n)| **n != Node::Other)
        .map(|(k, _)| k)
        .chain(escrow.keys())
        .collect();
    keys.into_iter()
        .filter(|k| tool.get(*k) != escrow.get(*k))
        .cloned()
        .collect()
}

/// The finding codes that may explain a difference between the trees (at deny level).
pub const EXPLAINING: [&str; 4] = [
    "archive-ambiguous",
    "archive-duplicate-entry",
    "archive-unsafe-path",
    "name-not-portable",
];

/// A name in a finding, in the forms it may take: as shown; without the leading `/`, `./` and
/// `../` the tools strip and a trailing `/`; with `\\` read as `/` (escrow reads `\` as a
/// separator).
fn name_forms(raw: &str) -> Vec<String> {
    let mut out = vec![raw.to_owned()];
    let mut s = raw;
    loop {
        let t = s
            .trim_start_matches('/')
            .trim_start_matches("./")
            .trim_start_matches("../")
            .trim_end_matches('/');
        if t == s {
            break;
        }
        s = t;
    }
    out.push(s.to_owned());
    out.push(s.replace("\\\\", "/"));
    // As the zip comparison keys names (see `ascii_keyed`).
    let keyed: Vec<String> = out
        .iter()
        .flat_map(|n| ascii_keyed(Tree::from([(n.clone(), Node::Other)])).into_keys())
        .collect();
    out.extend(keyed);
    out
}

/// Whether `a` and `b` are the same path, or one is a folder holding the other.
fn related(a: &str, b: &str) -> bool {
    let under =
        |x: &str, y: &str| x.len() > y.len() && x.starts_with(y) && x.as_bytes()[y.len()] == b'/';
    !a.is_empty() && !b.is_empty() && (a == b || under(a, b) || under(b, a))
}

/// The names a finding gives: its path, its list of paths and its evidence (each evidence
/// line, and each side of `" -> "`).
fn finding_names(f: &serde_json::Value) -> Vec<String> {
    let mut raw = Vec::new();
    if let Some(p) = f["path"].as_str() {
        raw.push(p.to_owned());
    }
    for p in f["paths"].as_array().into_iter().flatten() {
        if let Some(p) = p.as_str() {
            raw.push(p.to_owned());
        }
    }
    for ev in f["evidence"].as_array().into_iter().flatten() {
        if let Some(s) = ev.as_str() {
            raw.push(s.to_owned());
            for part in s.split(" -> ").chain(s.split(" → ")).chain(s.split(": ")) {
                raw.push(part.trim().to_owned());
            }
        }
    }
    raw.iter().flat_map(|r| name_forms(r)).collect()
}

/// Where a name lands in `tree` when the links of `tree` on its way are followed (relative
/// targets only: GNU tar and unzip never follow an absolute or climbing one while unpacking).
fn through_links(name: &str, tree: &Tree) -> String {
    let mut parts: Vec<String> = name.split('/').map(str::to_owned).collect();
    let mut i = 0;
    let mut hops = 0;
    while i + 1 < parts.len() && hops < 16 {
        let prefix = parts[..=i].join("/");
        match tree.get(&prefix) {
            Some(Node::Link(t)) if !t.starts_with('/') && !t.split('/').any(|c| c == "..") => {
                hops += 1;
                let mut new: Vec<String> = parts[..i].to_vec();
                new.extend(
                    t.split('/')
                        .filter(|c| !c.is_empty() && *c != ".")
                        .map(str::to_owned),
                );
                new.extend(parts[i + 1..].iter().cloned());
                parts = new;
                i = 0;
            }
            _ => i += 1,
        }
    }
    parts.join("/")
}

/// Whether a deny-level finding of [`EXPLAINING`] names `path` (as unpacked, or relative to
/// `rooted_at`), or an entry that the tool's links took to `path`.
fn explained(path: &str, view: &EscrowView, tool: &Tree) -> bool {
    let unrooted = view
        .rooted_at
        .as_ref()
        .and_then(|r| path.strip_prefix(&format!("{r}/")))
        .unwrap_or(path);
    view.findings.iter().any(|f| {
        f["severity"] == "deny"
            && EXPLAINING.contains(&f["code"].as_str().unwrap_or(""))
            && finding_names(f).iter().any(|n| {
                let landed = through_links(n, tool);
                [n.as_str(), landed.as_str()]
                    .iter()
                    .any(|n| related(n, path) || related(n, unrooted))
            })
    })
}

/// The verdict on one case: `None` when the tool and escrow agree (or escrow says why not:
/// a deny finding, or exit 2 with an error naming the archive file `archive`), else a
/// description of the disagreement.
pub fn judge(tool: &ToolView, view: &EscrowView, archive: &str) -> Option<String> {
    if view.code == 2 {
        return if view.stderr.contains(archive) {
            None
        } else {
            Some(format!(
                "escrow exited 2 without an error naming the archive: {}",
                view.stderr.trim()
            ))
        };
    }
    let unexplained: Vec<String> = differing(&tool.tree, &view.tree)
        .into_iter()
        .filter(|p| !explained(p, view, &tool.tree))
        .collect();
    if unexplained.is_empty() {
        return None;
    }
    let mut s = String::new();
    for p in &unexplained {
        writeln!(
            s,
            "    {p:?}: tool {:?}, escrow {:?}",
            tool.tree.get(p),
            view.tree.get(p)
        )
        .unwrap();
    }
    Some(s)
}

/// A case's whole story, for a failure message.
fn story(tool_name: &str, tool: &ToolView, view: &EscrowView, diff: &str) -> String {
    let findings: Vec<String> = view
        .findings
        .iter()
        .filter(|f| {
            f["code"]
                .as_str()
                .is_some_and(|c| c.starts_with("archive") || c == "name-not-portable")
        })
        .map(|f| {
            format!(
                "{} ({}) path={} evidence={}",
                f["code"], f["severity"], f["path"], f["evidence"]
            )
        })
        .collect();
    format!(
        "  {tool_name} exit {}{}; escrow exit {}, rooted_at {:?}, findings {:?}\n  differing paths not explained by a deny finding:\n{diff}",
        tool.code,
        if tool.stderr.trim().is_empty() {
            String::new()
        } else {
            format!(" ({})", tool.stderr.trim().replace('\n', " | "))
        },
        view.code,
        view.rooted_at,
        findings
    )
}

// ---------------------------------------------------------------------------------------------
// One case

/// One module holding every file, scan off: the scan reads contents, not the archive's
/// structure, and costs most of a run's time.
const MANIFEST: &str = "schema-version = 1\n[[module]]\nid = \"app\"\nname = \"App\"\npaths = [\"**\"]\n[scan]\nenabled = false\n";

/// The tool (`tar`, `unzip`) must be installed: the test says how to get it otherwise.
fn require(tool: &str) {
    let ok = Command::new(tool)
        .arg(if tool == "tar" { "--version" } else { "-v" })
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "the differential test needs `{tool}` (GNU tar, Info-ZIP unzip): apt-get install {tool}"
    );
}

/// Unpack `bytes` (written to `work/name`) with `tool` and with escrow, and judge them.
fn compare(
    bytes: &[u8],
    name: &str,
    tool: &str,
    work: &Path,
    manifest: &Path,
) -> Result<(), String> {
    let archive = work.join(name);
    std::fs::write(&archive, bytes).unwrap();
    let mut unpacked = unpack_with(tool, &archive, &work.join("unpacked"));
    let mut view = escrow_view(&archive, work, manifest);
    if tool == "unzip" {
        // Names that are not ASCII: escrow reads them as Windows tools do (UTF-8, else GBK, as
        // Chinese Windows writes them); Info-ZIP unzip on Linux writes the raw bytes, or their
        // OEM-to-ISO translation for a zip made on MS-DOS. The trees are compared with such
        // name parts set aside (structure and contents still compared); the regression tests
        // below pin escrow's reading.
        unpacked.tree = ascii_keyed(std::mem::take(&mut unpacked.tree));
        view.tree = ascii_keyed(std::mem::take(&mut view.tree));
    }
    match judge(&unpacked, &view, name) {
        None => Ok(()),
        Some(d) => Err(story(tool, &unpacked, &view, &d)),
    }
}

/// `tree` with every name part that is not plain ASCII (UTF-8 or escaped bytes) replaced by
/// `<non-ascii>`.
fn ascii_keyed(tree: Tree) -> Tree {
    tree.into_iter()
        .map(|(k, n)| {
            let key: Vec<&str> = k
                .split('/')
                .map(|c| {
                    if c.is_ascii() && !c.contains("\\x") {
                        c
                    } else {
                        "<non-ascii>"
                    }
                })
                .collect();
            (key.join("/"), n)
        })
        .collect()
}

/// One tar case in `work` (a new folder): `Err` describes an unexplained disagreement between
/// GNU tar and escrow.
pub fn tar_case(entries: &[TarEntry], work: &Path, manifest: &Path) -> Result<(), String> {
    std::fs::create_dir_all(work).unwrap();
    let bytes = tar_bytes(entries, work);
    compare(&bytes, "case.tar", "tar", work, manifest)
}

/// One zip case in `work` (a new folder): `Err` describes an unexplained disagreement between
/// Info-ZIP unzip and escrow.
pub fn zip_case(entries: &[ZipEntry], work: &Path, manifest: &Path) -> Result<(), String> {
    std::fs::create_dir_all(work).unwrap();
    compare(&zip_of(entries), "case.zip", "unzip", work, manifest)
}

/// Entries as a Rust expression (`vec![file(…), symlink(…)]`).
fn listing<T: fmt::Display>(entries: &[T]) -> String {
    let items: Vec<String> = entries.iter().map(ToString::to_string).collect();
    format!("vec![{}]", items.join(", "))
}

/// Check one case outside the generator (the regression tests): panics with the story.
fn assert_agrees<T: fmt::Display>(
    entries: &[T],
    check: fn(&[T], &Path, &Path) -> Result<(), String>,
) {
    let tmp = tempfile::tempdir().unwrap();
    let m = manifest(tmp.path(), MANIFEST);
    if let Err(d) = check(entries, &tmp.path().join("case"), &m) {
        panic!("{}\n{d}", listing(entries));
    }
}

// ---------------------------------------------------------------------------------------------
// The generator

/// Name components, with case-only twins, a file name used after a link of its folder, and a
/// Chinese name (UTF-8 in tars; UTF-8 or GBK in zips).
const PARTS: [&str; 9] = [
    "src",
    "conf",
    "a",
    "A",
    "b.txt",
    "B.txt",
    "app.properties",
    "lib",
    "病历.java",
];
/// Link targets: relative, climbing, absolute, to folders.
const TARGETS: [&str; 10] = [
    "../b.txt",
    "b.txt",
    "/etc",
    "/etc/passwd",
    "src",
    "..",
    "conf/app.properties",
    "../../outside",
    ".",
    "A",
];
/// Entry types other than the usual: GNU tar extracts unknown ones as regular files.
const TYPES: [u8; 7] = [b'Z', b'A', b'D', b'N', b'7', b'V', b'K'];

fn rel() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(&PARTS[..]), 1..=3).prop_map(|v| v.join("/"))
}

/// A name: plain, `./`, trailing `/`, backslashes, longer than 100 bytes, absolute, climbing.
fn name() -> impl Strategy<Value = String> {
    let long = (rel(), rel()).prop_map(|(a, b)| format!("src/{}/{a}/{b}", "l".repeat(90)));
    prop_oneof![
        8 => rel(),
        2 => rel().prop_map(|r| format!("./{r}")),
        1 => rel().prop_map(|r| format!("{r}/")),
        2 => rel().prop_map(|r| r.replace('/', "\\")),
        2 => long,
        1 => rel().prop_map(|r| format!("/{r}")),
        1 => rel().prop_map(|r| format!("../{r}")),
    ]
}

fn target() -> impl Strategy<Value = String> {
    proptest::sample::select(&TARGETS[..]).prop_map(str::to_owned)
}

/// `(seed, len)` of a content: empty, short, or across a 512-byte block; few seeds, so the
/// same content comes back.
fn body() -> impl Strategy<Value = (u8, usize)> {
    (
        0u8..4,
        prop_oneof![Just(0usize), 1usize..64, 500usize..1100],
    )
}

fn tar_kind() -> impl Strategy<Value = TarKind> {
    let sparse = prop_oneof![Just(Sparse::Gnu), Just(Sparse::Pax)];
    prop_oneof![
        8 => body().prop_map(|(s, l)| TarKind::File(s, l)),
        3 => Just(TarKind::Dir),
        3 => target().prop_map(TarKind::Symlink),
        2 => name().prop_map(TarKind::HardLink),
        1 => (proptest::sample::select(&TYPES[..]), body()).prop_map(|(t, (s, l))| TarKind::Typed(t, s, l)),
        1 => body().prop_map(|(s, l)| TarKind::DirWithData(s, l.max(1))),
        1 => (target(), body()).prop_map(|(t, (s, l))| TarKind::SymlinkWithData(t, s, l.max(1))),
        1 => (name(), body()).prop_map(|(t, (s, l))| TarKind::HardLinkWithData(t, s, l.max(1))),
        2 => (proptest::sample::select(&b"521"[..]), target(), rel(), body())
            .prop_map(|(ty, t, n, (s, l))| TarKind::Smuggle(ty, t, n, s, l)),
        1 => (sparse, 1u64..64, body()).prop_map(|(f, h, (s, l))| TarKind::Sparse(f, h, s, l.max(1))),
    ]
}

fn tar_how() -> impl Strategy<Value = TarName> {
    prop_oneof![
        8 => Just(TarName::Header),
        2 => Just(TarName::GnuLong),
        2 => name().prop_map(TarName::Pax),
        1 => name().prop_map(TarName::GnuAndPax),
    ]
}

/// A group of entries: one, the same path twice, a link then a file under the link's name,
/// or case-only twins.
#[derive(Clone, Debug)]
enum Group<E> {
    One(E),
    Twice(E, Option<(u8, usize)>),
    /// Two entries, the second renamed as the first (often of another kind).
    SameName(E, E),
    LinkThenFile(String, String, (u8, usize)),
    CaseTwins(String, (u8, usize), (u8, usize)),
}

fn group<E: Clone + fmt::Debug + 'static>(
    one: BoxedStrategy<E>,
) -> impl Strategy<Value = Group<E>> {
    let dirs = proptest::sample::select(&["src/conf", "conf", "src", "a/b.txt"][..]);
    prop_oneof![
        6 => one.clone().prop_map(Group::One),
        2 => (one.clone(), proptest::option::of(body())).prop_map(|(e, c)| Group::Twice(e, c)),
        1 => (one.clone(), one).prop_map(|(a, b)| Group::SameName(a, b)),
        1 => (dirs, target(), body()).prop_map(|(d, t, b)| Group::LinkThenFile(d.to_owned(), t, b)),
        1 => (rel(), body(), body()).prop_map(|(r, a, b)| Group::CaseTwins(r, a, b)),
    ]
}

/// The other-case twin of a name (first letter's case swapped).
fn twin(name: &str) -> String {
    let mut c = name.chars();
    let first = c.next().unwrap();
    let swapped = if first.is_ascii_uppercase() {
        first.to_ascii_lowercase()
    } else {
        first.to_ascii_uppercase()
    };
    format!("{swapped}{}", c.as_str())
}

/// A name `tar --sparse` can be given (a plain relative path).
fn plain(name: &str) -> String {
    if name.starts_with('/')
        || name.contains("..")
        || name.contains('\\')
        || name.ends_with('/')
        || name.starts_with("./")
    {
        "src/sparse.bin".to_owned()
    } else {
        name.to_owned()
    }
}

/// Generated tar cases: up to five groups, hard links mostly to an earlier entry.
fn tar_entries() -> impl Strategy<Value = Vec<TarEntry>> {
    let one =
        (name(), tar_how(), tar_kind()).prop_map(|(name, how, kind)| TarEntry { name, how, kind });
    proptest::collection::vec(
        (group(one.boxed()), any::<proptest::sample::Index>()),
        1..=5,
    )
    .prop_map(|groups| {
        let mut out: Vec<TarEntry> = Vec::new();
        for (g, idx) in groups {
            match g {
                Group::One(mut e) => {
                    if let TarKind::HardLink(t) | TarKind::HardLinkWithData(t, ..) = &mut e.kind
                        && !out.is_empty()
                        && idx.index(3) != 0
                    {
                        t.clone_from(&idx.get(&out).name);
                    }
                    if let TarKind::Sparse(..) = e.kind {
                        e.name = plain(&e.name);
                        e.how = TarName::Header;
                    }
                    out.push(e);
                }
                Group::Twice(e, c) => {
                    let mut second = e.clone();
                    if let (TarKind::File(s, l), Some(b)) = (&mut second.kind, c) {
                        (*s, *l) = b;
                    }
                    if matches!(e.kind, TarKind::Sparse(..)) {
                        continue;
                    }
                    out.push(e);
                    out.push(second);
                }
                Group::SameName(a, mut b) => {
                    if matches!(a.kind, TarKind::Sparse(..))
                        || matches!(b.kind, TarKind::Sparse(..))
                    {
                        continue;
                    }
                    b.name.clone_from(&a.name);
                    out.push(a);
                    out.push(b);
                }
                Group::LinkThenFile(d, t, (s, l)) => {
                    out.push(symlink(&d, &t));
                    out.push(file(&format!("{d}/app.properties"), s, l));
                }
                Group::CaseTwins(r, (s1, l1), (s2, l2)) => {
                    out.push(file(&r, s1, l1));
                    out.push(file(&twin(&r), s2, l2));
                }
            }
        }
        out
    })
}

fn zip_kind() -> impl Strategy<Value = ZipKind> {
    prop_oneof![
        6 => body().prop_map(|(s, l)| ZipKind::File(s, l)),
        2 => Just(ZipKind::Dir),
        2 => target().prop_map(ZipKind::Symlink),
    ]
}

/// Generated zip cases: up to five groups; some local names differ from the central ones,
/// some entries say they were made on MS-DOS, some names are not flagged UTF-8 or are GBK.
fn zip_entries() -> impl Strategy<Value = Vec<ZipEntry>> {
    let one = (
        name(),
        zip_kind(),
        proptest::option::weighted(0.2, name()),
        proptest::bool::weighted(0.8),
        prop_oneof![
            4 => Just(ZipNames::Utf8Flagged),
            1 => Just(ZipNames::Utf8),
            1 => Just(ZipNames::Gbk),
        ],
    )
        .prop_map(|(mut name, kind, local, unix, names)| {
            if kind == ZipKind::Dir && !name.ends_with('/') {
                name.push('/');
            }
            let unix = unix || matches!(kind, ZipKind::Symlink(_));
            ZipEntry {
                name,
                local,
                kind,
                unix,
                names,
            }
        });
    proptest::collection::vec(group(one.boxed()), 1..=5).prop_map(|groups| {
        let mut out = Vec::new();
        for g in groups {
            match g {
                Group::One(e) => out.push(e),
                Group::Twice(e, c) => {
                    let mut second = e.clone();
                    if let (ZipKind::File(s, l), Some(b)) = (&mut second.kind, c) {
                        (*s, *l) = b;
                    }
                    out.push(e);
                    out.push(second);
                }
                Group::SameName(a, mut b) => {
                    b.name.clone_from(&a.name);
                    if b.kind == ZipKind::Dir && !b.name.ends_with('/') {
                        b.name.push('/');
                    }
                    out.push(a);
                    out.push(b);
                }
                Group::LinkThenFile(d, t, (s, l)) => {
                    out.push(zsymlink(&d, &t));
                    out.push(zfile(&format!("{d}/app.properties"), s, l));
                }
                Group::CaseTwins(r, (s1, l1), (s2, l2)) => {
                    out.push(zfile(&r, s1, l1));
                    out.push(zfile(&twin(&r), s2, l2));
                }
            }
        }
        out
    })
}

// ---------------------------------------------------------------------------------------------
// The runs

/// The generator's fixed seed: every run checks the same archives.
const SEED: [u8; 32] = *b"escrow-differential-archive-seed";
/// Time allowed for cutting failing cases down.
const CUT_BUDGET: Duration = Duration::from_secs(240);

fn case_count() -> u32 {
    std::env::var("ESCROW_DIFF_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(48)
}

/// Run `cases` through `check`, then cut each failing one down and panic listing them all.
fn differential<T: Clone + fmt::Debug + fmt::Display>(
    what: &str,
    strategy: impl Strategy<Value = Vec<T>>,
    check: fn(&[T], &Path, &Path) -> Result<(), String>,
) {
    let tmp = tempfile::tempdir().unwrap();
    let m = manifest(tmp.path(), MANIFEST);
    let config = Config {
        cases: case_count(),
        failure_persistence: None,
        max_shrink_iters: 0,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &SEED));
    let count = std::cell::Cell::new(0usize);
    let failures = std::cell::RefCell::new(Vec::new());
    runner
        .run(&strategy, |entries| {
            let i = count.get();
            count.set(i + 1);
            let work = tmp.path().join(format!("case-{i}"));
            match check(&entries, &work, &m) {
                Ok(()) => {
                    let _ = std::fs::remove_dir_all(&work);
                }
                Err(_) => failures.borrow_mut().push((i, entries)),
            }
            Ok(())
        })
        .unwrap();
    let failures = failures.into_inner();
    if failures.is_empty() {
        return;
    }
    let start = Instant::now();
    let mut seen = BTreeSet::new();
    let mut text = String::new();
    let mut runs = 0;
    for (i, entries) in &failures {
        let mut cut = entries.clone();
        let mut at = 0;
        while at < cut.len() && cut.len() > 1 && start.elapsed() < CUT_BUDGET {
            let mut fewer = cut.clone();
            fewer.remove(at);
            runs += 1;
            let work = tmp.path().join(format!("cut-{runs}"));
            if check(&fewer, &work, &m).is_err() {
                cut = fewer;
            } else {
                at += 1;
            }
            let _ = std::fs::remove_dir_all(&work);
        }
        let shown = listing(&cut);
        if !seen.insert(shown.clone()) {
            continue;
        }
        let work = tmp.path().join(format!("final-{i}"));
        let story = check(&cut, &work, &m)
            .err()
            .unwrap_or_else(|| "  (passes alone: flaky?)".to_owned());
        writeln!(
            text,
            "case {i} ({} of {} entries): {shown}\n{story}",
            cut.len(),
            entries.len()
        )
        .unwrap();
    }
    panic!(
        "{} of {} generated {what} archives are unpacked differently by the real tool and by escrow, without a deny finding naming the path or a refusal:\n\n{text}",
        failures.len(),
        count.get()
    );
}

#[test]
fn tar_archives_unpack_as_gnu_tar_unpacks_them() {
    require("tar");
    differential("tar", tar_entries(), tar_case);
}

#[test]
fn zip_archives_unpack_as_unzip_unpacks_them() {
    require("unzip");
    differential("zip", zip_entries(), zip_case);
}

// ---------------------------------------------------------------------------------------------
// The harness on archives every tool reads alike (these pass), then one test for each
// disagreement the generator found (these fail until escrow refuses the archive, gives a deny
// finding naming the path, or unpacks it as the tool does).

fn tar_agrees(entries: &[TarEntry]) {
    require("tar");
    assert_agrees(entries, tar_case);
}

fn zip_agrees(entries: &[ZipEntry]) {
    require("unzip");
    assert_agrees(entries, zip_case);
}

#[test]
fn harness_plain_tar_agrees() {
    tar_agrees(&[
        dir("his/"),
        file("his/src/App.java", 0, 700),
        file("./his/README", 2, 10),
        symlink("his/current", "src"),
        hardlink("his/copy", "his/README"),
        file(&format!("his/{}/deep.txt", "d".repeat(120)), 1, 30).gnu_long(),
        file("his/pax.txt", 3, 5).pax("his/header-name.txt"),
        file("his/both.txt", 1, 5).gnu_and_pax("his/gnu-name.txt"),
    ]);
}

#[test]
fn harness_plain_zip_agrees() {
    zip_agrees(&[
        zdir("his/"),
        zfile("his/src/App.java", 0, 700),
        zsymlink("his/current", "src"),
        zfile("his/dos.txt", 1, 3).dos(),
        zfile("dos\\sub.txt", 1, 3).dos().unflagged(),
        zfile("his/central.txt", 2, 9).local("his/local.txt"),
    ]);
}

#[test]
fn harness_refusals_count_as_agreement() {
    // Sparse files and unknown entry types are refused (exit 2); duplicates and a link
    // followed by a file are deny findings naming the path.
    tar_agrees(&[entry(
        "src/big.bin",
        TarKind::Sparse(Sparse::Gnu, 8, 1, 100),
    )]);
    tar_agrees(&[entry("src/a", TarKind::Typed(b'Z', 0, 10))]);
    tar_agrees(&[file("src/a", 0, 10), file("src/a", 1, 10)]);
    tar_agrees(&[
        symlink("src/conf", "/etc"),
        file("src/conf/app.properties", 0, 10),
    ]);
    zip_agrees(&[zfile("src/a", 0, 10), zfile("src/a", 1, 10)]);
    // A header name cut at 100 bytes inside a UTF-8 character: the finding shows `\xE7`.
    let cut = format!("src/{}/lib/病历.java", "l".repeat(90));
    tar_agrees(&[file(&cut, 3, 0), file(&cut, 3, 25)]);
}

#[test]
fn regression_tar_backslash_name_is_one_file_for_gnu_tar() {
    // GNU tar on Linux keeps `\` as a character of the name: one file `conf\lib`; escrow reads
    // it as a separator and checks `conf/lib`.
    tar_agrees(&[file("conf\\lib", 3, 56)]);
}

#[test]
fn regression_zip_backslash_name_made_on_unix_is_one_file_for_unzip() {
    // Info-ZIP unzip reads `\` as `/` only in names from MS-DOS/Windows that hold no `/`;
    // from a zip made on Unix it writes one file `b.txt\A`.
    zip_agrees(&[zfile("b.txt\\A", 1, 42)]);
}

#[test]
fn regression_tar_folder_entry_data_is_read_as_entries_by_gnu_tar() {
    // GNU tar ignores the size of a folder entry and reads its data as the next header: the
    // hidden `app.properties` is unpacked, escrow skips it as the folder's data.
    tar_agrees(&[entry(
        "a",
        TarKind::Smuggle(b'5', String::new(), "app.properties".into(), 1, 59),
    )]);
}

#[test]
fn regression_tar_symlink_entry_data_is_read_as_entries_by_gnu_tar() {
    tar_agrees(&[entry(
        "B.txt",
        TarKind::Smuggle(b'2', "A".into(), "lib/lib".into(), 0, 49),
    )]);
}

#[test]
fn regression_tar_hard_link_entry_data_is_read_as_entries_by_gnu_tar() {
    tar_agrees(&[
        file("a", 0, 5),
        entry("b", TarKind::Smuggle(b'1', "a".into(), "c".into(), 1, 20)),
    ]);
}

#[test]
fn regression_tar_regular_file_with_trailing_slash_is_a_folder_for_gnu_tar() {
    // A regular-file entry whose name ends with `/` is a folder for GNU tar (old tars wrote
    // folders so); escrow unpacks a file `b.txt`.
    tar_agrees(&[file("b.txt/", 3, 0)]);
}

#[test]
fn regression_tar_regular_file_with_trailing_slash_hides_entries_for_gnu_tar() {
    // ... and GNU tar then reads its data as the next header: `conf/app.properties` appears.
    tar_agrees(&[entry(
        "src/",
        TarKind::Smuggle(b'0', String::new(), "conf/app.properties".into(), 3, 41),
    )]);
}

#[test]
fn regression_zip_file_then_link_of_the_same_name() {
    // `unzip -o` replaces the file `src` with the later link; escrow keeps the file and says
    // nothing (no duplicate finding: the kinds differ).
    zip_agrees(&[zfile("./src", 2, 23), zsymlink("src", "b.txt")]);
}

#[test]
fn regression_tar_file_then_link_of_the_same_name() {
    // GNU tar replaces the file with the later link; escrow keeps the file and says nothing.
    tar_agrees(&[file("lib", 2, 10), symlink("lib", "../../outside")]);
}

#[test]
fn regression_tar_link_then_file_of_the_same_name() {
    // GNU tar makes an absolute link last of all (a placeholder until the end), so the link
    // wins over the later file; escrow keeps the file and says nothing.
    tar_agrees(&[symlink("B.txt", "/etc/passwd"), file("B.txt", 3, 870)]);
}

#[test]
fn regression_tar_hard_link_to_a_duplicated_path() {
    // `src/conf` twice is a deny finding naming `src/conf`; but the hard link `conf/A` is a
    // copy of the first `src/conf` for escrow and of the last for GNU tar, and no finding
    // names it.
    tar_agrees(&[
        file("src/conf", 3, 733),
        file("src/conf", 2, 0),
        hardlink("conf/A", "src/conf"),
    ]);
}

#[test]
fn regression_zip_backslash_in_a_name_with_slashes_is_kept_by_unzip() {
    // unzip reads `\` as `/` only in a name from MS-DOS/Windows that holds no `/` ("appears
    // to use backslashes as path separators"); here it writes one file `dos\sub.txt` in `his`.
    zip_agrees(&[zfile("his/dos\\sub.txt", 2, 5).dos()]);
}

/// A Chinese name as escrow reads it: as Windows tools do, whatever Info-ZIP unzip on Linux
/// writes.
fn escrow_reads_chinese_name(entry: ZipEntry) {
    let tmp = tempfile::tempdir().unwrap();
    let m = manifest(tmp.path(), MANIFEST);
    let work = tmp.path().join("case");
    std::fs::create_dir_all(&work).unwrap();
    let archive = work.join("case.zip");
    std::fs::write(&archive, zip_of(&[entry])).unwrap();
    let view = escrow_view(&archive, &work, &m);
    assert_ne!(view.code, 2, "{}", view.stderr);
    assert!(view.tree.contains_key("src/病历.java"), "{:?}", view.tree);
}

#[test]
fn regression_zip_utf8_name_from_windows_is_read_as_windows_reads_it() {
    // A name flagged UTF-8 in a zip made on MS-DOS/Windows (as 7-Zip writes them): unzip on
    // Linux passes it through its OEM-to-ISO table and writes other bytes; escrow keeps the
    // UTF-8 name, as Windows Explorer and 7-Zip do.
    escrow_reads_chinese_name(zfile("src/病历.java", 0, 5).dos());
}

#[test]
fn regression_zip_gbk_name_is_read_as_windows_reads_it() {
    // A GBK name with no UTF-8 flag (Chinese Windows tools): escrow decodes it to UTF-8, as
    // Chinese Windows does; unzip on Linux writes the GBK bytes (from a zip made on Unix) or
    // their OEM-to-ISO translation (from one made on MS-DOS).
    escrow_reads_chinese_name(zfile("src/病历.java", 0, 5).gbk());
}
