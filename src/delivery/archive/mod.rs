//! Archives as deliveries: zip, tar, tar.gz, tar.xz, tar.zst, tar.bz2, detected by their first
//! bytes. Entries are unpacked into a private staging folder that nothing escapes: every entry
//! is made relative to a folder handle, one level at a time, following no link; unsafe names
//! and entries under a link entry are refused; links are created only after every file (so no
//! file is ever written through a link from the same archive); hard links become copies of
//! files already unpacked; and sizes, entry counts and compression ratios are bounded. Staged
//! files and folders are private to the user (0600/0700, never setuid).

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::DeliveryError;
use super::inventory::{Entry, EntryKind};
use super::names;
use super::safefs::{self, MakeDirError};
use crate::filetypes::{Compression, Magic, is_tar, magic_of};
use crate::finding::Finding;

mod tar_reader;
mod zip_reader;

use self::tar_reader::unpack_tar;
use self::zip_reader::unpack_zip;

/// The archive formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// A zip archive (starts with `PK\x03\x04` or an empty archive's `PK\x05\x06`).
    Zip,
    /// An uncompressed POSIX (ustar) or GNU tar archive: `ustar` at byte 257.
    Tar,
    /// A gzip-compressed tar archive.
    TarGz,
    /// An xz-compressed tar archive.
    TarXz,
    /// A zstd-compressed tar archive.
    TarZst,
    /// A bzip2-compressed tar archive.
    TarBz2,
}

impl ArchiveFormat {
    /// The format's name as reports record it (`Source::format`): `zip`, `tar`, `tar.gz`,
    /// `tar.xz`, `tar.zst` or `tar.bz2`.
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "zip",
            ArchiveFormat::Tar => "tar",
            ArchiveFormat::TarGz => "tar.gz",
            ArchiveFormat::TarXz => "tar.xz",
            ArchiveFormat::TarZst => "tar.zst",
            ArchiveFormat::TarBz2 => "tar.bz2",
        }
    }
}

/// Bounds on what an archive may unpack to. The defaults fit real deliveries (several GB,
/// hundreds of thousands of files) and stop decompression bombs.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most bytes of file content and link targets an archive may unpack to (`--max-bytes`,
    /// default 32 GiB).
    pub max_bytes: u64,
    /// The most entries of any kind (files, folders, links, special files, refused entries) an
    /// archive may hold (`--max-files`, default 2 000 000).
    pub max_files: u64,
    /// Unpacked bytes per archive byte, over the whole archive (`--max-ratio`, default 1000).
    /// Any archive may unpack to at least 1 MiB whatever its size.
    pub max_ratio: u64,
}

/// The longest entry name or link target taken (PATH_MAX): longer ones are refused.
const MAX_NAME: usize = 4096;
impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 32 * 1024 * 1024 * 1024,
            max_files: 2_000_000,
            max_ratio: 1000,
        }
    }
}

/// What a file's first bytes say it is; `Err` for an archive format that is not read.
pub fn detect(path: &Path) -> Result<Option<ArchiveFormat>, DeliveryError> {
    let mut head = [0u8; 512];
    let mut f = File::open(path).map_err(|source| DeliveryError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(DeliveryError::Unreadable {
                    path: path.to_owned(),
                    source,
                });
            }
        }
    }
    let h = &head[..n];
    let unsupported = |what: &str| DeliveryError::Archive {
        path: path.to_owned(),
        message: format!(
            "{what} archives are not supported; ask the vendor to repack the delivery as zip or tar"
        ),
    };
    Ok(match magic_of(h) {
        Magic::Zip => Some(ArchiveFormat::Zip),
        Magic::Compressed(Compression::Gzip) => Some(ArchiveFormat::TarGz),
        Magic::Compressed(Compression::Xz) => Some(ArchiveFormat::TarXz),
        Magic::Compressed(Compression::Zstd) => Some(ArchiveFormat::TarZst),
        Magic::Compressed(Compression::Bzip2) => Some(ArchiveFormat::TarBz2),
        _ if is_tar(h) => Some(ArchiveFormat::Tar),
        Magic::SevenZip => return Err(unsupported("7z")),
        Magic::Rar => return Err(unsupported("RAR")),
        _ => None,
    })
}

/// The result of unpacking.
#[derive(Debug)]
pub struct Unpacked {
    /// Findings about the archive itself (encrypted, unsafe or duplicate entries, skipped
    /// special files, setuid modes).
    pub findings: Vec<Finding>,
    /// The number of regular-file entries with a safe name (those later refused for lying
    /// under a link entry included).
    pub files: u64,
    /// The bytes of file content and link targets unpacked (what `max_bytes` bounds).
    pub bytes: u64,
    /// Every entry written into the staging folder (files with their SHA-256, computed while
    /// unpacking, folders, links), unsorted: the staging tree's inventory, without walking it
    /// or reading the files again.
    pub entries: Vec<Entry>,
}

/// Evidence kept for a class of refused entries: the first few names, and how many.
#[derive(Debug, Default)]
struct Refused {
    count: u64,
    names: Vec<String>,
}

impl Refused {
    fn push(&mut self, name: String) {
        self.count += 1;
        if self.names.len() < 20 {
            self.names.push(name);
        }
    }
}

pub(crate) struct Unpacker<'a> {
    archive: &'a Path,
    root: &'a Path,
    /// The staging folder's handle: every entry is made relative to it, level by level,
    /// following no link.
    root_fd: io::Result<OwnedFd>,
    limits: Limits,
    archive_len: u64,
    files: u64,
    /// Every entry met (files, folders, links, hard links, special files, refused ones), for
    /// `max_files`.
    seen: u64,
    /// An error met where it could not be returned (`symlink`), returned at the next call.
    deferred: Option<DeliveryError>,
    bytes: u64,
    /// Every entry written.
    entries: Vec<Entry>,
    /// The folders made (or seen made), each recorded once.
    dirs_made: HashSet<Vec<u8>>,
    /// Link entries, created last, in archive order.
    links: Vec<(Vec<u8>, Vec<u8>)>,
    /// The paths of link entries: no entry may pass through one.
    link_names: HashSet<Vec<u8>>,
    /// The last folder written into, and its handle (entries come grouped by folder).
    last_dir: Option<(Vec<u8>, OwnedFd)>,
    findings: Vec<Finding>,
    unsafe_names: Refused,
    setuid: Refused,
    buf: Vec<u8>,
}

/// Normalise an entry name: `/` separators (Windows tools write `\`), no leading `./`, no
/// trailing `/`. `None` when it is absolute, has a drive letter, climbs with `..`, or is
/// longer than [`MAX_NAME`].
fn safe_name(raw: &[u8]) -> Option<Vec<u8>> {
    let name: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'\\' { b'/' } else { b })
        .collect();
    if name.first() == Some(&b'/')
        || (name.len() >= 2 && name[1] == b':' && name[0].is_ascii_alphabetic())
    {
        return None;
    }
    let mut parts: Vec<&[u8]> = Vec::new();
    for c in name.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => return None,
            c if c.contains(&0) => return None,
            c => parts.push(c),
        }
    }
    if parts.is_empty() || name.len() > MAX_NAME {
        return None;
    }
    Some(parts.join(&b'/'))
}

/// The folder part and the last component of a normalised name.
fn split_parent(rel: &[u8]) -> (&[u8], &[u8]) {
    match rel.iter().rposition(|&b| b == b'/') {
        Some(i) => (&rel[..i], &rel[i + 1..]),
        None => (&[], rel),
    }
}

impl<'a> Unpacker<'a> {
    /// Unpack into `root`; `source` names the archive (or repository) in messages, and
    /// `source_len` is its size, for the compression-ratio bound.
    pub(crate) fn new(source: &'a Path, root: &'a Path, limits: Limits, source_len: u64) -> Self {
        Unpacker {
            archive: source,
            root,
            root_fd: safefs::open_root(root),
            limits,
            archive_len: source_len,
            files: 0,
            seen: 0,
            deferred: None,
            bytes: 0,
            entries: Vec::new(),
            dirs_made: HashSet::new(),
            links: Vec::new(),
            link_names: HashSet::new(),
            last_dir: None,
            findings: Vec::new(),
            unsafe_names: Refused::default(),
            setuid: Refused::default(),
            buf: Vec::new(),
        }
    }

    pub(crate) fn push_finding(&mut self, f: Finding) {
        self.findings.push(f);
    }

    pub(crate) fn err(&self, message: String) -> DeliveryError {
        DeliveryError::Archive {
            path: self.archive.to_owned(),
            message,
        }
    }

    fn root_fd(&self) -> Result<BorrowedFd<'_>, DeliveryError> {
        match &self.root_fd {
            Ok(fd) => Ok(fd.as_fd()),
            Err(e) => Err(DeliveryError::Unreadable {
                path: self.root.to_owned(),
                source: io::Error::new(e.kind(), e.to_string()),
            }),
        }
    }

    /// Count one entry of any kind against `max_files` (and return an error deferred by
    /// `symlink`).
    fn count(&mut self) -> Result<(), DeliveryError> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        self.seen += 1;
        if self.seen > self.limits.max_files {
            return Err(self.err(format!(
                "more than {} entries (files, folders and links): a decompression bomb or an unusually large delivery; raise --max-files if it is genuine",
                self.limits.max_files
            )));
        }
        Ok(())
    }

    /// Count `n` bytes unpacked (file contents and link targets) against `max_bytes` and
    /// `max_ratio`.
    fn add_bytes(&mut self, n: u64) -> Result<(), DeliveryError> {
        self.bytes += n;
        if self.bytes > self.limits.max_bytes {
            return Err(self.err(format!(
                "unpacks to more than {} bytes; raise --max-bytes if it is genuine",
                self.limits.max_bytes
            )));
        }
        if self.bytes
            > self
                .archive_len
                .saturating_mul(self.limits.max_ratio)
                .max(1 << 20)
        {
            return Err(self.err(format!(
                "unpacks to more than {} times its size: a decompression bomb; raise --max-ratio if it is genuine",
                self.limits.max_ratio
            )));
        }
        Ok(())
    }

    /// Whether a proper ancestor of `rel` is a link entry of the archive.
    fn through_link(&self, rel: &[u8]) -> bool {
        !self.link_names.is_empty()
            && rel
                .iter()
                .enumerate()
                .any(|(i, &b)| b == b'/' && self.link_names.contains(&rel[..i]))
    }

    /// The handle of the folder `dir` (made, with its parents, if need be); `None` when a
    /// component is not a folder of the staging tree (a link), which refuses the entry.
    fn folder(&mut self, dir: &[u8]) -> Result<Option<BorrowedFd<'_>>, DeliveryError> {
        let cached = self.last_dir.as_ref().is_some_and(|(d, _)| d == dir);
        if !cached {
            let made = safefs::make_dirs(self.root_fd()?, dir);
            match made {
                Ok(fd) => {
                    self.record_dirs(dir);
                    self.last_dir = Some((dir.to_vec(), fd));
                }
                Err(MakeDirError::NotAFolder) => return Ok(None),
                Err(MakeDirError::Io(e)) => {
                    return Err(self.err(format!(
                        "cannot create the folder {:?} in the staging folder: {e}",
                        names::short(dir)
                    )));
                }
            }
        }
        Ok(self.last_dir.as_ref().map(|(_, fd)| fd.as_fd()))
    }

    /// `dir`, for an entry already counted.
    fn dir_counted(&mut self, raw: &[u8]) -> Result<(), DeliveryError> {
        // `./`, the top of `tar -C folder .`: the staging folder itself.
        if raw.first() == Some(&b'.')
            && raw.split(|&b| b == b'/').all(|c| c.is_empty() || c == b".")
        {
            return Ok(());
        }
        let Some(rel) = safe_name(raw) else {
            self.unsafe_entry(raw);
            return Ok(());
        };
        if self.through_link(&rel) || self.folder(&rel)?.is_none() {
            self.unsafe_entry(raw);
        }
        Ok(())
    }

    /// Record `dir` and the folders above it in the inventory, each once.
    fn record_dirs(&mut self, dir: &[u8]) {
        let ends = dir
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'/')
            .map(|(i, _)| i)
            .chain(std::iter::once(dir.len()));
        for end in ends {
            let d = &dir[..end];
            if !d.is_empty() && !self.dirs_made.contains(d) {
                self.dirs_made.insert(d.to_vec());
                self.entries.push(Entry {
                    path: d.into(),
                    kind: EntryKind::Dir,
                    mode: 0o040_755,
                    size: 0,
                    sha256: None,
                    link_target: None,
                });
            }
        }
    }

    fn unsafe_entry(&mut self, raw: &[u8]) {
        self.unsafe_names.push(names::short(raw));
    }

    pub(crate) fn dir(&mut self, raw: &[u8]) -> Result<(), DeliveryError> {
        self.count()?;
        self.dir_counted(raw)
    }

    /// Note a setuid, setgid or sticky mode of a file entry (never carried into staging).
    fn special_mode(&mut self, rel: &[u8], mode: u32) {
        if mode & 0o7000 != 0 {
            self.setuid
                .push(format!("{} (mode {:o})", names::short(rel), mode & 0o7777));
        }
    }

    /// Unpack one file, counting what is really written (headers are not trusted).
    pub(crate) fn file(
        &mut self,
        raw: &[u8],
        mode: u32,
        data: &mut dyn Read,
    ) -> Result<(), DeliveryError> {
        self.count()?;
        self.file_data(raw, mode, data)
    }

    /// `file`, for an entry already counted.
    fn file_data(
        &mut self,
        raw: &[u8],
        mode: u32,
        data: &mut dyn Read,
    ) -> Result<(), DeliveryError> {
        let Some(rel) = safe_name(raw) else {
            self.unsafe_entry(raw);
            return Ok(());
        };
        self.files += 1;
        if self.through_link(&rel) {
            self.unsafe_entry(raw);
            return Ok(());
        }
        self.special_mode(&rel, mode);
        let (dir, name) = split_parent(&rel);
        let Some(dir_fd) = self.folder(dir)? else {
            self.unsafe_entry(raw);
            return Ok(());
        };
        let out = match safefs::create_file_at(dir_fd, name, mode & 0o111 != 0) {
            Ok(f) => Some(f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => None,
            Err(e) => {
                return Err(self.err(format!(
                    "cannot create {:?} in the staging folder: {e}",
                    names::short(&rel)
                )));
            }
        };
        let dup = out.is_none();
        let before = self.bytes;
        let sha = self.copy(&rel, data, out.as_ref())?;
        if out.is_some() {
            self.entries.push(Entry {
                path: rel.into_boxed_slice(),
                kind: EntryKind::File,
                mode: if mode & 0o111 != 0 {
                    0o100_755
                } else {
                    0o100_644
                },
                size: self.bytes - before,
                sha256: Some(sha),
                link_target: None,
            });
            return Ok(());
        }
        // The path is already there: a duplicate entry. Compare with what was kept.
        debug_assert!(dup);
        let kept = self
            .folder(dir)?
            .map(|d| safefs::open_file_at(d, name))
            .transpose()
            .ok()
            .flatten();
        let same = match kept {
            Some(mut f) => {
                let mut buf = std::mem::take(&mut self.buf);
                buf.resize(256 * 1024, 0);
                let kept_sha = super::inventory::hash_reader(&mut f, &mut buf).ok();
                self.buf = buf;
                kept_sha.is_some_and(|(k, _)| k == sha)
            }
            // A folder is there: the archive is inconsistent.
            None => false,
        };
        if !same {
            self.findings.push(
                Finding::of(
                    crate::delivery::codes::DeliveryCode::ArchiveDuplicateEntry,
                    "the archive holds this path more than once, with different contents: the first was checked and kept, GNU tar and most tools give the last",
                    "压缩包中同一路径出现多次且内容不同：已检查并保留第一个，GNU tar 等工具解压得到的是最后一个",
                )
                .path(names::short(&rel))
                .covers(vec![names::display(&rel)]),
            );
        }
        Ok(())
    }

    /// Stream an entry's data through SHA-256 into `out` (or nowhere, for a duplicate),
    /// bounding the bytes unpacked.
    fn copy(
        &mut self,
        rel: &[u8],
        data: &mut dyn Read,
        mut out: Option<&File>,
    ) -> Result<[u8; 32], DeliveryError> {
        let mut h = Sha256::new();
        let mut buf = std::mem::take(&mut self.buf);
        buf.resize(256 * 1024, 0);
        let result = loop {
            let n = match data.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    break Err(self.err(format!(
                        "entry {:?} is truncated or corrupt ({e}); the delivery is incomplete: ask the vendor for a sound archive",
                        names::short(rel)
                    )));
                }
            };
            if let Err(e) = self.add_bytes(n as u64) {
                break Err(e);
            }
            h.update(&buf[..n]);
            if let Some(f) = out.as_mut()
                && let Err(e) = f.write_all(&buf[..n])
            {
                break Err(self.err(format!(
                    "cannot write {:?} in the staging folder: {e}",
                    names::short(rel)
                )));
            }
        };
        self.buf = buf;
        result?;
        Ok(h.finalize().into())
    }

    /// A symbolic link entry, kept to be created last. An error (too many entries, too many
    /// bytes) is returned by the next call, or by `finish`.
    pub(crate) fn symlink(&mut self, raw: &[u8], target: &[u8]) {
        if self.deferred.is_none()
            && let Err(e) = self.link(raw, target)
        {
            self.deferred = Some(e);
        }
    }

    /// A symbolic link entry, kept to be created last: counted as an entry, its target's bytes
    /// counted as unpacked bytes; a target longer than [`MAX_NAME`] is refused.
    pub(crate) fn link(&mut self, raw: &[u8], target: &[u8]) -> Result<(), DeliveryError> {
        self.count()?;
        if target.len() > MAX_NAME {
            self.unsafe_entry(raw);
            return Ok(());
        }
        self.add_bytes(target.len() as u64)?;
        match safe_name(raw) {
            Some(rel) => {
                self.link_names.insert(rel.clone());
                self.links.push((rel, target.to_vec()));
            }
            None => self.unsafe_entry(raw),
        }
        Ok(())
    }

    /// A hard link becomes a copy of a file unpacked before it, inside the staging folder.
    fn hardlink(&mut self, raw: &[u8], target: &[u8]) -> Result<(), DeliveryError> {
        self.count()?;
        let (Some(_), Some(t)) = (safe_name(raw), safe_name(target)) else {
            self.unsafe_entry(raw);
            return Ok(());
        };
        if self.through_link(&t) {
            self.unsafe_entry(raw);
            return Ok(());
        }
        // Only a regular file already in the staging tree, reached with no link on the way.
        let Ok(mut f) = safefs::open_file(self.root_fd()?, &t) else {
            self.unsafe_entry(raw);
            return Ok(());
        };
        self.file_data(raw, 0o644, &mut f)
    }

    fn special(&mut self, raw: &[u8]) -> Result<(), DeliveryError> {
        self.count()?;
        self.findings.push(
            Finding::of(
                crate::delivery::codes::DeliveryCode::SpecialFileSkipped,
                "special file (device or FIFO) in the archive, skipped",
                "压缩包中的特殊文件（设备或管道），已跳过",
            )
            .path(names::short(raw))
            .covers(vec![names::display(raw)]),
        );
        Ok(())
    }

    /// Create the links last: they can never redirect a file written by this archive. Each
    /// is made in its folder's handle; a link whose folder passes through another link, or
    /// that would stand where the archive has a folder, is refused.
    pub(crate) fn finish(mut self) -> Result<Unpacked, DeliveryError> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        self.last_dir = None;
        for (rel, target) in std::mem::take(&mut self.links) {
            if self.through_link(&rel) {
                self.unsafe_entry(&rel);
                continue;
            }
            let (dir, name) = split_parent(&rel);
            let Some(dir_fd) = self.folder(dir)? else {
                self.unsafe_entry(&rel);
                continue;
            };
            match safefs::symlink_at(dir_fd, name, &target) {
                Ok(()) => self.entries.push(Entry {
                    size: target.len() as u64,
                    path: rel.into_boxed_slice(),
                    kind: EntryKind::Symlink,
                    mode: 0o120_777,
                    sha256: None,
                    link_target: Some(target.into_boxed_slice()),
                }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    // A file of the same name was kept; a folder means entries under the link.
                    let is_dir = safefs::lstat_at(dir_fd, name).is_ok_and(|st| {
                        rustix::fs::FileType::from_raw_mode(st.st_mode)
                            == rustix::fs::FileType::Directory
                    });
                    if is_dir {
                        self.unsafe_entry(&rel);
                    }
                }
                Err(e) => {
                    return Err(self.err(format!(
                        "cannot create the link {:?} in the staging folder: {e}",
                        names::short(&rel)
                    )));
                }
            }
        }
        self.last_dir = None;
        if self.unsafe_names.count > 0 {
            let n = self.unsafe_names.count;
            self.findings.push(
                Finding::of(
                    crate::delivery::codes::DeliveryCode::ArchiveUnsafePath,
                    format!("{n} entries have absolute or climbing paths (/, C:, ..), pass through a symbolic link of the archive, or are links out of the archive; they were not unpacked"),
                    format!("{n} 个条目使用绝对路径或向上跳转路径（/、C:、..）、经过压缩包内的符号链接，或为指向压缩包外的硬链接；未解压"),
                )
                .evidence(std::mem::take(&mut self.unsafe_names.names)),
            );
        }
        if self.setuid.count > 0 {
            let n = self.setuid.count;
            let first = self.setuid.names.first().cloned().unwrap_or_default();
            self.findings.push(
                Finding::of(
                    crate::delivery::codes::DeliveryCode::FileSetuid,
                    format!("{n} files have the setuid, setgid or sticky bit in the archive (first: {first}); the bits were not unpacked"),
                    format!("压缩包中有 {n} 个文件带有 setuid、setgid 或 sticky 权限位（第一个：{first}）；未保留这些权限位"),
                )
                .evidence(std::mem::take(&mut self.setuid.names)),
            );
        }
        self.dirs_made = HashSet::new();
        Ok(Unpacked {
            findings: self.findings,
            files: self.files,
            bytes: self.bytes,
            entries: self.entries,
        })
    }
}

/// Unpack `archive` into the empty folder `root`.
pub fn unpack(
    archive: &Path,
    format: ArchiveFormat,
    root: &Path,
    limits: Limits,
    progress: &dyn crate::progress::Progress,
) -> Result<Unpacked, DeliveryError> {
    let file = File::open(archive).map_err(|source| DeliveryError::Unreadable {
        path: archive.to_owned(),
        source,
    })?;
    let archive_len = file.metadata().map_or(0, |m| m.len());
    let mut u = Unpacker::new(archive, root, limits, archive_len);
    progress.begin("unpacking", 0, archive_len);
    let reader = BufReader::with_capacity(
        1 << 20,
        Counting {
            inner: file,
            progress,
        },
    );
    let result = unpack_format(&mut u, format, reader);
    progress.finish();
    result?;
    u.finish()
}

/// Reports the archive bytes read as progress.
struct Counting<'p> {
    inner: File,
    progress: &'p dyn crate::progress::Progress,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(0, n as u64);
        Ok(n)
    }
}

impl io::Seek for Counting<'_> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

fn unpack_format(
    u: &mut Unpacker<'_>,
    format: ArchiveFormat,
    reader: BufReader<Counting<'_>>,
) -> Result<(), DeliveryError> {
    match format {
        ArchiveFormat::Zip => unpack_zip(u, reader)?,
        ArchiveFormat::Tar => unpack_tar(u, reader)?,
        ArchiveFormat::TarGz => unpack_tar(u, flate2::read::MultiGzDecoder::new(reader))?,
        ArchiveFormat::TarXz => unpack_tar(u, xz2::read::XzDecoder::new_multi_decoder(reader))?,
        ArchiveFormat::TarZst => {
            let dec = zstd::stream::read::Decoder::with_buffer(reader)
                .map_err(|e| u.err(e.to_string()))?;
            unpack_tar(u, dec)?;
        }
        ArchiveFormat::TarBz2 => unpack_tar(u, bzip2::read::MultiBzDecoder::new(reader))?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names() {
        assert_eq!(safe_name(b"a/b.java"), Some(b"a/b.java".to_vec()));
        assert_eq!(safe_name(b"./a//b/"), Some(b"a/b".to_vec()));
        assert_eq!(safe_name(b"a\\\\b.java"), Some(b"a/b.java".to_vec()));
        assert_eq!(safe_name(b"/etc/passwd"), None);
        assert_eq!(safe_name(b"C:\\\\Windows\\\\x"), None);
        assert_eq!(safe_name(b"a/../../x"), None);
        assert_eq!(safe_name(b"./"), None);
    }
}
