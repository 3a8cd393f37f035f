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

use rayon::slice::ParallelSliceMut;
use sha2::{Digest, Sha256};

use super::DeliveryError;
use super::inventory::{Entry, EntryKind};
use super::names;
use super::safefs::{self, MakeDirError};
use crate::filetypes::{Compression, Magic, is_tar, magic_of};
use crate::finding::Finding;

pub mod stream;
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
/// The longest name part a file system takes (NAME_MAX on Linux, and on NTFS and APFS in
/// UTF-16 units or bytes).
const NAME_MAX: usize = 255;
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
    /// Every entry of the tree (files with their SHA-256, computed while unpacking, folders,
    /// links), unsorted: the tree's inventory, without walking it or reading the files again.
    /// When streamed, only some files are in the staging folder (see [`stream::Keep`]).
    pub entries: Vec<Entry>,
}

/// Evidence kept for a class of refused entries: the first few names, and how many.
#[derive(Debug, Default)]
struct Refused {
    count: u64,
    names: Vec<String>,
    /// The entries' paths (the first 10,000), for the finding's list of paths.
    paths: Vec<String>,
}

impl Refused {
    fn push(&mut self, name: String) {
        self.count += 1;
        if self.names.len() < 20 {
            self.names.push(name);
        }
    }
}

/// A finding about refused entries names them: the only one as its path, several in its list.
trait PathsRefused {
    fn paths_refused(self, paths: Vec<String>) -> Self;
}

impl PathsRefused for Finding {
    fn paths_refused(self, paths: Vec<String>) -> Self {
        if let [only] = paths.as_slice() {
            let only = only.clone();
            self.path(only.clone()).covers(vec![only])
        } else {
            self.covers(paths)
        }
    }
}

/// Why an entry was not unpacked, as the finding's evidence says it.
#[derive(Debug, Clone, Copy)]
enum Why {
    /// Absolute, with a drive letter, climbing with `..`, NUL or too long.
    Name,
    /// Below a symbolic link of the archive.
    ThroughLink,
    /// Below a file or link of the archive (a folder is needed there).
    BelowFile,
    /// A folder of the archive already has this name.
    FolderThere,
    /// A hard link to a file that is not in the archive before it.
    HardLinkOut,
    /// A link target longer than a path can be.
    LongTarget,
}

impl Why {
    fn text(self) -> &'static str {
        match self {
            Why::Name => "absolute or climbing path",
            Why::ThroughLink => "its folder is a symbolic link of the archive",
            Why::BelowFile => "its folder is a file or link of the archive",
            Why::FolderThere => "a folder of the archive has this name",
            Why::HardLinkOut => "a hard link to a file not in the archive before it",
            Why::LongTarget => "a link target longer than 4096 bytes",
        }
    }
}

/// Streaming state: the worker pool, the root as it stands, and what is resolved at the end.
struct Streaming<'a> {
    pool: &'a stream::Pool<'a>,
    jobs: Option<std::sync::mpsc::SyncSender<stream::Job>>,
    rooting: stream::Rooting,
    /// Set when an entry contradicted the root taken: the caller reads the archive again.
    restart: bool,
    /// Set when a system file beside the root taken was set aside (neither scanned nor stored).
    set_aside: bool,
    /// Hard links whose file was not written: (link's entry, file's entry).
    hard: Vec<(usize, usize)>,
    /// Files written to disk whatever `Keep` says (see [`Again`]).
    also_keep: HashSet<Vec<u8>>,
    /// Hard links (and their files) met when the file was not on disk: the next read writes
    /// them.
    unread: Vec<Vec<u8>>,
    /// Regular files' entry indexes by path, made at the first hard link.
    by_path: Option<std::collections::HashMap<Box<[u8]>, usize>>,
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
    /// Every entry met, in archive order (folders when first needed; duplicates resolved by
    /// `finish`).
    entries: Vec<Entry>,
    /// The folders recorded, each once.
    dirs_made: HashSet<Vec<u8>>,
    /// The paths of link entries: no entry may pass through one.
    link_names: HashSet<Vec<u8>>,
    /// The last folder written into, and its handle (entries come grouped by folder).
    last_dir: Option<(Vec<u8>, OwnedFd)>,
    findings: Vec<Finding>,
    unsafe_names: Refused,
    setuid: Refused,
    buf: Vec<u8>,
    stream: Option<Streaming<'a>>,
    /// Tar: a backslash is a character of the name (GNU tar), not a separator.
    keep_backslash: bool,
    /// The entries that are folder entries of the archive (not folders their names imply).
    explicit_dirs: HashSet<usize>,
}

/// Normalise an entry name: `/` separators (Windows tools write `\\`), no leading `./`, no
/// trailing `/`. `None` when it is absolute, has a drive letter, climbs with `..`, or is
/// longer than [`MAX_NAME`].
fn safe_name(raw: &[u8]) -> Option<Vec<u8>> {
    safe_name_with(raw, true)
}

/// `safe_name`; with `backslash_separates` false (tar: GNU tar keeps `\\` as a character of
/// the name), a backslash stays in the name, but a name that climbs or has a drive letter when
/// it is read as a separator (as Windows tools read it) is refused all the same.
fn safe_name_with(raw: &[u8], backslash_separates: bool) -> Option<Vec<u8>> {
    if !backslash_separates && raw.contains(&b'\\') {
        // Safe both ways, or not at all.
        safe_name_with(raw, true)?;
    }
    let name: Vec<u8> = raw
        .iter()
        .map(|&b| {
            if b == b'\\' && backslash_separates {
                b'/'
            } else {
                b
            }
        })
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

/// Whether a streamed file must be on disk whatever the caller keeps: Git settings and hooks
/// (read by the Git checks), archives inside the delivery (opened by the scan) and Git LFS
/// pointers (read by the requirement checks, which count no pointer). `head` is the file's
/// start, or all of it when it is small.
fn always_kept(path: &[u8], head: &[u8]) -> bool {
    if crate::filetypes::is_lfs_pointer(head, head.len() as u64) {
        return true;
    }
    path.split(|&b| b == b'/')
        .any(|c| c.len() >= 4 && c[..4].eq_ignore_ascii_case(b".git"))
        || matches!(magic_of(head), Magic::Zip | Magic::SevenZip | Magic::Rar)
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
            link_names: HashSet::new(),
            last_dir: None,
            findings: Vec::new(),
            unsafe_names: Refused::default(),
            setuid: Refused::default(),
            buf: Vec::new(),
            stream: None,
            keep_backslash: false,
            explicit_dirs: HashSet::new(),
        }
    }

    /// Read backslashes in names as GNU tar does: characters of the name. A name holding one
    /// is `archive-ambiguous` (Windows tools make folders of it).
    pub(crate) fn keep_backslashes(&mut self) {
        self.keep_backslash = true;
    }

    /// The normalised name of an entry (see [`safe_name_with`]).
    fn name_of(&mut self, raw: &[u8]) -> Option<Vec<u8>> {
        let rel = safe_name_with(raw, !self.keep_backslash)?;
        if self.keep_backslash && rel.contains(&b'\\') {
            let shown = names::short(&rel);
            let folders = names::short(&safe_name(raw).unwrap_or_default());
            self.findings.push(
                Finding::of(
                    crate::delivery::codes::DeliveryCode::ArchiveAmbiguous,
                    format!("the tar entry {shown:?} holds a backslash: GNU tar makes one file of that name, Windows tools make folders ({folders}); escrow checked what GNU tar gives"),
                    format!("tar 条目 {shown:?} 的名称含反斜杠：GNU tar 解出为一个同名文件，Windows 工具则解出为目录（{folders}）；escrow 检查的是 GNU tar 的结果"),
                )
                .path(shown.clone())
                .covers(vec![names::display(&rel)])
                .evidence(vec![format!("GNU tar: {shown}"), format!("Windows tools: {folders}")]),
            );
        }
        Some(rel)
    }

    /// Stream files to `pool`'s consumers as they are read, knowing what an earlier read
    /// found (`again`).
    fn streaming(
        &mut self,
        pool: &'a stream::Pool<'a>,
        jobs: std::sync::mpsc::SyncSender<stream::Job>,
        again: &Again,
    ) {
        self.stream = Some(Streaming {
            pool,
            jobs: Some(jobs),
            rooting: again.rooting.clone(),
            restart: false,
            set_aside: false,
            hard: Vec::new(),
            by_path: None,
            also_keep: again.keep.clone(),
            unread: Vec::new(),
        });
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

    /// Whether every entry is written into the staging folder.
    fn writes_all(&self) -> bool {
        self.stream
            .as_ref()
            .is_none_or(|s| s.pool.consumers.keep.is_none())
    }

    /// Where `rel` is below the root as it stands (streaming; the whole name otherwise), or
    /// `None` for a system file set aside. An entry that contradicts the root taken stops the
    /// read, to restart it with the root known.
    fn place(&mut self, rel: &[u8], is_dir: bool) -> Result<Option<Vec<u8>>, DeliveryError> {
        let Some(st) = self.stream.as_mut() else {
            return Ok(Some(rel.to_vec()));
        };
        match st.rooting.place(rel, is_dir) {
            Ok(None) => {
                st.set_aside = true;
                Ok(None)
            }
            Ok(p) => Ok(p),
            Err(()) => {
                st.restart = true;
                Err(self.err("the archive is read again with its root known".to_owned()))
            }
        }
    }

    /// The handle of the folder `dir` (made, with its parents, if need be); `None` when a
    /// component is not a folder of the staging tree (a link), which refuses the entry.
    fn folder(&mut self, dir: &[u8]) -> Result<Option<BorrowedFd<'_>>, DeliveryError> {
        let cached = self.last_dir.as_ref().is_some_and(|(d, _)| d == dir);
        if !cached {
            let made = safefs::make_dirs(self.root_fd()?, dir);
            match made {
                Ok(fd) => {
                    self.record_dirs(dir)?;
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
        let Some(rel) = self.name_of(raw) else {
            self.refuse(raw, Why::Name);
            return Ok(());
        };
        self.check_parts(&rel)?;
        if self.through_link(&rel) {
            self.refuse(raw, Why::ThroughLink);
            return Ok(());
        }
        self.place(&rel, true)?;
        if !self.writes_all() {
            let before = self.entries.len();
            self.record_dirs(&rel)?;
            if self.entries.len() > before {
                // The folder entry itself (not one its name implies): it replaces a file or
                // link of the same name met before it, as GNU tar replaces it.
                self.explicit_dirs.insert(self.entries.len() - 1);
            }
        } else if self.folder(&rel)?.is_none() {
            self.refuse(raw, Why::BelowFile);
        }
        Ok(())
    }

    /// Record `dir` and the folders above it in the inventory, each once. The name of each
    /// folder so recorded counts as unpacked bytes: deep names cannot make a small archive hold
    /// gigabytes of folder names (the folders' entries count for `max_files` when the archive
    /// has them).
    fn record_dirs(&mut self, dir: &[u8]) -> Result<(), DeliveryError> {
        let ends: Vec<usize> = dir
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'/')
            .map(|(i, _)| i)
            .chain(std::iter::once(dir.len()))
            .collect();
        for end in ends {
            let d = &dir[..end];
            if !d.is_empty() && !self.dirs_made.contains(d) {
                self.add_bytes(d.len() as u64)?;
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
        Ok(())
    }

    /// A name with a part longer than a file system takes (255 bytes): no tool can unpack it,
    /// so neither does escrow.
    fn check_parts(&self, rel: &[u8]) -> Result<(), DeliveryError> {
        if rel.split(|&b| b == b'/').any(|c| c.len() > NAME_MAX) {
            return Err(self.err(format!(
                "entry {:?} has a name part longer than {NAME_MAX} bytes, which no file system takes: the archive cannot be unpacked as it is; ask the vendor to shorten the name",
                names::short(rel)
            )));
        }
        Ok(())
    }

    /// An entry not unpacked, and why.
    fn refuse(&mut self, raw: &[u8], why: Why) {
        self.unsafe_names
            .push(format!("{} ({})", names::short(raw), why.text()));
        if self.unsafe_names.paths.len() < 10_000 {
            // Shortened: refused names may be tens of kilobytes each.
            self.unsafe_names.paths.push(names::short(raw));
        }
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
        let Some(rel) = self.name_of(raw) else {
            self.refuse(raw, Why::Name);
            return Ok(());
        };
        self.check_parts(&rel)?;
        self.files += 1;
        if self.through_link(&rel) {
            self.refuse(raw, Why::ThroughLink);
            return Ok(());
        }
        self.special_mode(&rel, mode);
        let exec = mode & 0o111 != 0;
        if self.stream.is_some() {
            return self.file_streamed(rel, exec, data);
        }
        let Some(out) = self.create(&rel, exec)? else {
            self.refuse(raw, Why::BelowFile);
            return Ok(());
        };
        let before = self.bytes;
        let sha = self.copy(&rel, data, Some(&out), None)?;
        self.push_file(rel, exec, self.bytes - before, Some(sha));
        Ok(())
    }

    fn push_file(&mut self, rel: Vec<u8>, exec: bool, size: u64, sha: Option<[u8; 32]>) {
        if let Some(map) = self.stream.as_mut().and_then(|s| s.by_path.as_mut()) {
            map.insert(rel.clone().into_boxed_slice(), self.entries.len());
        }
        self.entries.push(Entry {
            path: rel.into_boxed_slice(),
            kind: EntryKind::File,
            mode: if exec { 0o100_755 } else { 0o100_644 },
            size,
            sha256: sha,
            link_target: None,
        });
    }

    /// Create the file `rel` in the staging folder, replacing a file already there (a later
    /// copy of the same path wins, as with GNU tar); `None` when its folder is not a folder of
    /// the tree or a folder has its name.
    fn create(&mut self, rel: &[u8], exec: bool) -> Result<Option<File>, DeliveryError> {
        let (dir, name) = split_parent(rel);
        let Some(dir_fd) = self.folder(dir)? else {
            return Ok(None);
        };
        let made = match safefs::create_file_at(dir_fd, name, exec) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let is_file = safefs::lstat_at(dir_fd, name).is_ok_and(|st| {
                    rustix::fs::FileType::from_raw_mode(st.st_mode)
                        == rustix::fs::FileType::RegularFile
                });
                if !is_file {
                    return Ok(None);
                }
                rustix::fs::unlinkat(dir_fd, name, rustix::fs::AtFlags::empty())
                    .map_err(io::Error::from)
                    .and_then(|()| safefs::create_file_at(dir_fd, name, exec))
            }
            other => other,
        };
        made.map(Some).map_err(|e| {
            self.err(format!(
                "cannot create {:?} in the staging folder: {e}",
                names::short(rel)
            ))
        })
    }

    /// A file of a streamed archive: read whole when small and handed to the workers, else
    /// hashed and inspected here; written to the staging folder only when kept.
    fn file_streamed(
        &mut self,
        rel: Vec<u8>,
        exec: bool,
        data: &mut dyn Read,
    ) -> Result<(), DeliveryError> {
        let placed = self.place(&rel, false)?;
        let mut whole = Vec::new();
        if let Err(e) = data.take(stream::WHOLE + 1).read_to_end(&mut whole) {
            return Err(self.truncated(&rel, &e));
        }
        self.add_bytes(whole.len() as u64)?;
        let pool = self.stream.as_ref().expect("streaming").pool;
        let consumers = pool.consumers;
        let keep = self.keeps(&rel, placed.as_deref(), &whole);
        if whole.len() as u64 <= stream::WHOLE {
            let out = if keep { self.create(&rel, exec)? } else { None };
            if let Some(mut f) = out.as_ref()
                && let Err(e) = f.write_all(&whole)
            {
                return Err(self.err(format!(
                    "cannot write {:?} in the staging folder: {e}",
                    names::short(&rel)
                )));
            }
            if keep && out.is_none() {
                self.refuse(&rel, Why::BelowFile);
                return Ok(());
            }
            if !keep {
                let (dir, _) = split_parent(&rel);
                self.record_dirs(dir)?;
            }
            let index = self.entries.len();
            let size = whole.len() as u64;
            match placed {
                Some(path) => {
                    self.push_file(rel, exec, size, None);
                    pool.reserve(size);
                    let jobs = self.stream.as_ref().and_then(|s| s.jobs.as_ref());
                    let sent = jobs.is_some_and(|tx| {
                        tx.send(stream::Job {
                            index,
                            path,
                            data: whole,
                        })
                        .is_ok()
                    });
                    if !sent || pool.failed() {
                        return Err(self.err("storing the delivery failed".to_owned()));
                    }
                    self.take_done(false);
                }
                None => {
                    let sha = crate::hash::sha256(&whole);
                    self.push_file(rel, exec, size, Some(sha));
                }
            }
            return Ok(());
        }
        // A large file: through here, on disk when kept or when the vault will want it.
        let to_disk = keep || consumers.sink.is_some();
        let out = if to_disk {
            match self.create(&rel, exec)? {
                Some(f) => Some(f),
                None => {
                    self.refuse(&rel, Why::BelowFile);
                    return Ok(());
                }
            }
        } else {
            let (dir, _) = split_parent(&rel);
            self.record_dirs(dir)?;
            None
        };
        let mut seen = match (&placed, consumers.inspector) {
            (Some(p), Some(i)) => i.start(p, whole.len() as u64),
            _ => None,
        };
        if let Some(s) = seen.as_deref_mut() {
            s.update(&whole);
        }
        let mut h = Sha256::new();
        h.update(&whole);
        if let Some(mut f) = out.as_ref()
            && let Err(e) = f.write_all(&whole)
        {
            return Err(self.err(format!(
                "cannot write {:?} in the staging folder: {e}",
                names::short(&rel)
            )));
        }
        let before = self.bytes - whole.len() as u64;
        drop(whole);
        let sha = self.copy_with(&rel, data, out.as_ref(), seen.as_deref_mut(), h)?;
        if let Some(s) = seen {
            s.finish();
        }
        self.push_file(rel, exec, self.bytes - before, Some(sha));
        Ok(())
    }

    /// Whether a streamed file (`rel`, below the root as `placed`, starting with `head`) is
    /// written to disk.
    fn keeps(&self, rel: &[u8], placed: Option<&[u8]>, head: &[u8]) -> bool {
        let Some(st) = self.stream.as_ref() else {
            return true;
        };
        st.also_keep.contains(rel)
            || match (st.pool.consumers.keep, placed) {
                (None, _) => true,
                (Some(k), Some(p)) => k.keep(p) || always_kept(p, head),
                (Some(_), None) => false,
            }
    }

    fn truncated(&self, rel: &[u8], e: &dyn std::fmt::Display) -> DeliveryError {
        self.err(format!(
            "entry {:?} is truncated or corrupt ({e}); the delivery is incomplete: ask the vendor for a sound archive",
            names::short(rel)
        ))
    }

    /// Stream an entry's data through SHA-256 into `out` (or nowhere), bounding the bytes
    /// unpacked.
    fn copy(
        &mut self,
        rel: &[u8],
        data: &mut dyn Read,
        out: Option<&File>,
        seen: Option<&mut (dyn super::inventory::Inspection + '_)>,
    ) -> Result<[u8; 32], DeliveryError> {
        self.copy_with(rel, data, out, seen, Sha256::new())
    }

    /// `copy`, continuing the hash `h`.
    fn copy_with(
        &mut self,
        rel: &[u8],
        data: &mut dyn Read,
        mut out: Option<&File>,
        mut seen: Option<&mut (dyn super::inventory::Inspection + '_)>,
        mut h: Sha256,
    ) -> Result<[u8; 32], DeliveryError> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.resize(256 * 1024, 0);
        let result = loop {
            let n = match data.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Err(self.truncated(rel, &e)),
            };
            if let Err(e) = self.add_bytes(n as u64) {
                break Err(e);
            }
            h.update(&buf[..n]);
            if let Some(s) = seen.as_deref_mut() {
                s.update(&buf[..n]);
            }
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
        self.link_counted(raw, target)
    }

    /// `link`, for an entry already counted.
    fn link_counted(&mut self, raw: &[u8], target: &[u8]) -> Result<(), DeliveryError> {
        if target.len() > MAX_NAME {
            self.refuse(raw, Why::LongTarget);
            return Ok(());
        }
        self.add_bytes(target.len() as u64)?;
        let Some(rel) = self.name_of(raw) else {
            self.refuse(raw, Why::Name);
            return Ok(());
        };
        self.check_parts(&rel)?;
        self.place(&rel, false)?;
        self.link_names.insert(rel.clone());
        let (dir, _) = split_parent(&rel);
        self.record_dirs(dir)?;
        self.entries.push(Entry {
            size: target.len() as u64,
            path: rel.into_boxed_slice(),
            kind: EntryKind::Symlink,
            mode: 0o120_777,
            sha256: None,
            link_target: Some(target.into()),
        });
        Ok(())
    }

    /// A hard link becomes a copy of a file unpacked before it.
    fn hardlink(&mut self, raw: &[u8], target: &[u8]) -> Result<(), DeliveryError> {
        self.count()?;
        let Some(rel) = self.name_of(raw) else {
            self.refuse(raw, Why::Name);
            return Ok(());
        };
        let Some(t) = self.name_of(target) else {
            self.refuse(raw, Why::HardLinkOut);
            return Ok(());
        };
        if self.through_link(&t) {
            self.refuse(raw, Why::ThroughLink);
            return Ok(());
        }
        // A hard link to a symbolic link of the archive (what `tar -c` writes for a link that
        // has two names, as `cp -al` makes them): GNU tar makes a second symbolic link.
        if self.link_names.contains(&t) {
            let target = self
                .entries
                .iter()
                .rev()
                .find(|e| e.kind == EntryKind::Symlink && *e.path == *t)
                .and_then(|e| e.link_target.clone());
            if let Some(target) = target {
                return self.link_counted(raw, &target);
            }
        }
        // A regular file in the staging tree, reached with no link on the way: copied.
        if let Ok(mut f) = safefs::open_file(self.root_fd()?, &t) {
            return self.file_data(raw, 0o644, &mut f);
        }
        // Streamed and not written: the link's entry takes the file's digest at the end.
        let Some(st) = self.stream.as_mut() else {
            self.refuse(raw, Why::HardLinkOut);
            return Ok(());
        };
        if st.by_path.is_none() {
            st.by_path = Some(
                self.entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.kind == EntryKind::File)
                    .map(|(i, e)| (e.path.clone(), i))
                    .collect(),
            );
        }
        let found = st
            .by_path
            .as_ref()
            .and_then(|m| m.get(t.as_slice()).copied());
        let Some(src) = found else {
            self.refuse(raw, Why::HardLinkOut);
            return Ok(());
        };
        if self.through_link(&rel) {
            self.refuse(raw, Why::ThroughLink);
            return Ok(());
        }
        self.files += 1;
        self.place(&rel, false)?;
        let (dir, _) = split_parent(&rel);
        self.record_dirs(dir)?;
        let (size, sha) = (self.entries[src].size, self.entries[src].sha256);
        let index = self.entries.len();
        if let Some(st) = self.stream.as_mut() {
            st.hard.push((index, src));
            st.unread.push(t);
            st.unread.push(rel.clone());
        }
        self.push_file(rel, false, size, sha);
        Ok(())
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

    /// Put the digests the workers computed into their entries: every few thousand files
    /// (so that they are not all held twice), and all of them at the end.
    fn take_done(&mut self, all: bool) {
        let Some(st) = self.stream.as_ref() else {
            return;
        };
        let done = {
            let mut d = st
                .pool
                .done
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !all && d.len() < 4096 {
                return;
            }
            std::mem::take(&mut *d)
        };
        for (i, sha) in done {
            self.entries[i].sha256 = Some(sha);
        }
    }

    /// The digests the workers computed, and the hard links that copy them.
    fn collect(&mut self) -> Result<(), DeliveryError> {
        self.take_done(true);
        let Some(st) = self.stream.as_mut() else {
            return Ok(());
        };
        st.jobs = None;
        for &(link, src) in &st.hard {
            self.entries[link].sha256 = self.entries[src].sha256;
        }
        let failed = st
            .pool
            .error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(e) = failed {
            return Err(self.err(format!("cannot store the delivery ({e})")));
        }
        Ok(())
    }

    /// Entries met more than once, and entries below a file or link: the last copy of a path
    /// wins (as with GNU tar and `unzip -o`); copies that differ are a finding listing each.
    fn resolve(&mut self) {
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        order.par_sort_unstable_by(|&a, &b| {
            self.entries[a]
                .path
                .cmp(&self.entries[b].path)
                .then(a.cmp(&b))
        });
        let mut drop = vec![false; self.entries.len()];
        let mut i = 0;
        while i < order.len() {
            let mut j = i + 1;
            while j < order.len() && self.entries[order[j]].path == self.entries[order[i]].path {
                j += 1;
            }
            let group = &order[i..j];
            let non_dirs: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&k| self.entries[k].kind != EntryKind::Dir)
                .collect();
            if !non_dirs.is_empty() {
                let dirs: Vec<usize> = group
                    .iter()
                    .copied()
                    .filter(|&k| self.entries[k].kind == EntryKind::Dir)
                    .collect();
                let last_non_dir = *non_dirs.last().expect("not empty");
                if dirs
                    .iter()
                    .any(|&d| d > last_non_dir && self.explicit_dirs.contains(&d))
                {
                    // A folder entry after a file or link of its name: GNU tar replaces the
                    // file with the folder. The files are listed, as copies of the path.
                    let mut copies: Vec<String> =
                        non_dirs.iter().map(|&k| self.describe(k)).collect();
                    copies.push("a folder".to_owned());
                    for &k in &non_dirs {
                        drop[k] = true;
                    }
                    let p = self.entries[last_non_dir].path.clone();
                    self.duplicate_finding(&p, copies);
                    i = j;
                    continue;
                }
                if dirs.first().is_some_and(|&d| d < last_non_dir) {
                    // A folder came first: GNU tar cannot put a file or link in its place.
                    for &k in &non_dirs {
                        drop[k] = true;
                    }
                    let p = self.entries[last_non_dir].path.clone();
                    self.refuse(&p, Why::FolderThere);
                    i = j;
                    continue;
                }
                for &k in &dirs {
                    drop[k] = true;
                }
                let last = *non_dirs.last().expect("not empty");
                for &k in &non_dirs[..non_dirs.len() - 1] {
                    drop[k] = true;
                }
                let differ = non_dirs.iter().any(|&k| {
                    let (a, b) = (&self.entries[k], &self.entries[last]);
                    a.kind != b.kind || a.sha256 != b.sha256 || a.link_target != b.link_target
                });
                if differ {
                    let copies = non_dirs.iter().map(|&k| self.describe(k)).collect();
                    self.duplicate_finding(&self.entries[last].path.clone(), copies);
                }
            }
            i = j;
        }
        if !self.writes_all() || !self.link_names.is_empty() {
            self.below_files(&order, &mut drop);
        }
        let mut k = 0;
        self.entries.retain(|_| {
            k += 1;
            !drop[k - 1]
        });
    }

    /// What one copy of a path is, for the duplicate finding.
    fn describe(&self, k: usize) -> String {
        let e = &self.entries[k];
        match e.kind {
            EntryKind::File => format!(
                "a file of {} bytes, SHA-256 {}",
                e.size,
                e.sha256.map_or_else(String::new, |d| crate::hash::hex(&d))
            ),
            EntryKind::Symlink => format!(
                "a symbolic link to {:?}",
                names::display(e.link_target.as_deref().unwrap_or_default())
            ),
            _ => "a folder".to_owned(),
        }
    }

    fn duplicate_finding(&mut self, path: &[u8], copies: Vec<String>) {
        let n = copies.len();
        self.findings.push(
            Finding::of(
                crate::delivery::codes::DeliveryCode::ArchiveDuplicateEntry,
                format!("the archive holds this path {n} times, with different contents: unpacking overwrites each copy with the next, so the hospital gets copy {n}, which is what was checked; every copy was scanned"),
                format!("压缩包中同一路径出现 {n} 次且内容不同：解压时后一份会覆盖前一份，医院得到的是第 {n} 份，本次检查的也是这一份；每一份均已扫描"),
            )
            .path(names::short(path))
            .covers(vec![names::display(path)])
            .evidence(
                copies
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| {
                        if i + 1 == n {
                            format!("copy {} (kept, 保留): {c}", i + 1)
                        } else {
                            format!("copy {} (overwritten, 被覆盖): {c}", i + 1)
                        }
                    })
                    .collect(),
            ),
        );
    }

    /// Entries below a file or link of the archive: those that came after it are refused (its
    /// folder is not a folder); when a folder of the archive came first, the file or link is.
    fn below_files(&mut self, order: &[usize], drop: &mut [bool]) {
        for (pos, &k) in order.iter().enumerate() {
            if drop[k] || self.entries[k].kind == EntryKind::Dir {
                continue;
            }
            let mut prefix = self.entries[k].path.to_vec();
            prefix.push(b'/');
            let start = pos
                + order[pos..]
                    .partition_point(|&o| self.entries[o].path.as_ref() < prefix.as_slice());
            let under: Vec<usize> = order[start..]
                .iter()
                .copied()
                .take_while(|&o| self.entries[o].path.starts_with(&prefix))
                .filter(|&o| !drop[o])
                .collect();
            if under.is_empty() {
                continue;
            }
            if under.iter().any(|&o| o < k) {
                drop[k] = true;
                let p = self.entries[k].path.clone();
                self.refuse(&p, Why::FolderThere);
            } else {
                for o in under {
                    drop[o] = true;
                    if self.entries[o].kind != EntryKind::Dir {
                        let p = self.entries[o].path.clone();
                        self.refuse(&p, Why::BelowFile);
                    }
                }
            }
        }
    }

    /// Create the links last (when the tree is written): they can never redirect a file
    /// written by this archive. Each is made in its folder's handle.
    fn make_links(&mut self) -> Result<(), DeliveryError> {
        if !self.writes_all() {
            return Ok(());
        }
        self.last_dir = None;
        let links: Vec<(Vec<u8>, Vec<u8>)> = self
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Symlink)
            .map(|e| {
                (
                    e.path.to_vec(),
                    e.link_target.as_deref().unwrap_or_default().to_vec(),
                )
            })
            .collect();
        for (rel, target) in links {
            let (dir, name) = split_parent(&rel);
            let Some(dir_fd) = self.folder(dir)? else {
                continue;
            };
            // The link is the last copy of its path: a file written before it goes.
            let is_file = safefs::lstat_at(dir_fd, name).is_ok_and(|st| {
                rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::RegularFile
            });
            if is_file {
                let _ = rustix::fs::unlinkat(dir_fd, name, rustix::fs::AtFlags::empty());
            }
            if let Err(e) = safefs::symlink_at(dir_fd, name, &target) {
                return Err(self.err(format!(
                    "cannot create the link {:?} in the staging folder: {e}",
                    names::short(&rel)
                )));
            }
        }
        self.last_dir = None;
        Ok(())
    }

    /// Resolve duplicates and conflicts, create the links, and give the findings.
    pub(crate) fn finish(mut self) -> Result<Unpacked, DeliveryError> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        self.collect()?;
        self.resolve();
        // A file kept on disk where the last copy is a link: the link replaces it.
        self.make_links()?;
        if self.unsafe_names.count > 0 {
            let n = self.unsafe_names.count;
            self.findings.push(
                Finding::of(
                    crate::delivery::codes::DeliveryCode::ArchiveUnsafePath,
                    format!("{n} entries were not unpacked: absolute or climbing paths (/, C:, ..), entries whose folder is a link or a file of the archive, or links out of the archive (each is listed with the reason)"),
                    format!("{n} 个条目未解压：绝对路径或向上跳转路径（/、C:、..）、所在目录是压缩包内的链接或文件，或指向压缩包外的链接（逐条列出原因）"),
                )
                .evidence(std::mem::take(&mut self.unsafe_names.names))
                .paths_refused(std::mem::take(&mut self.unsafe_names.paths)),
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

/// Unpack `archive` into the empty folder `root`, every entry written.
pub fn unpack(
    archive: &Path,
    format: ArchiveFormat,
    root: &Path,
    limits: Limits,
    progress: &dyn crate::progress::Progress,
) -> Result<Unpacked, DeliveryError> {
    let (file, archive_len) = open_archive_file(archive)?;
    let mut u = Unpacker::new(archive, root, limits, archive_len);
    progress.begin("unpacking", 0, archive_len);
    let result = unpack_format(&mut u, format, counting(file, progress));
    progress.finish();
    result?;
    u.finish()
}

fn open_archive_file(archive: &Path) -> Result<(File, u64), DeliveryError> {
    let file = File::open(archive).map_err(|source| DeliveryError::Unreadable {
        path: archive.to_owned(),
        source,
    })?;
    let len = file.metadata().map_or(0, |m| m.len());
    Ok((file, len))
}

fn counting(file: File, progress: &dyn crate::progress::Progress) -> BufReader<Counting<'_>> {
    BufReader::with_capacity(
        1 << 20,
        Counting {
            inner: file,
            progress,
            pos: 0,
            reported: 0,
        },
    )
}

/// How a streamed unpack ended.
pub(crate) enum Streamed {
    /// Read through: the entries, and the root the delivery sits in (`None`: not in one
    /// top-level folder).
    Done(Unpacked, Option<Vec<u8>>),
    /// The archive must be read again, knowing what the first read found.
    Restart(Again),
}

/// What a first read of a streamed archive found, for the next: the root, and the files to
/// write to disk (the targets of hard links, read again from disk so that each link's content
/// is scanned under its own name).
#[derive(Debug, Clone, Default)]
pub(crate) struct Again {
    /// The root ([`stream::Rooting::Unset`] on the first read).
    pub(crate) rooting: stream::Rooting,
    /// Files (normalised entry names) written to disk whatever `Keep` says.
    pub(crate) keep: HashSet<Vec<u8>>,
}

/// Read `archive` as a stream (see [`stream`]): each file hashed, inspected and stored as it
/// is read, and written under `root` only when `consumers.keep` keeps it (or `again.keep`
/// names it). A read that finds the root guessed wrong, system files set aside in a delivery
/// that is in no one folder, or hard links to files not written, asks to be read again.
pub(crate) fn unpack_streamed(
    archive: &Path,
    format: ArchiveFormat,
    root: &Path,
    limits: Limits,
    progress: &dyn crate::progress::Progress,
    consumers: stream::Consumers<'_>,
    again: &Again,
) -> Result<Streamed, DeliveryError> {
    let (file, archive_len) = open_archive_file(archive)?;
    let (pool, tx) = stream::Pool::new(consumers);
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    progress.begin("reading", 0, archive_len);
    let (result, mut u) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers).map(|_| scope.spawn(|| pool.work())).collect();
        let mut u = Unpacker::new(archive, root, limits, archive_len);
        u.streaming(&pool, tx, again);
        let result = unpack_format(&mut u, format, counting(file, progress));
        if let Some(st) = u.stream.as_mut() {
            st.jobs = None;
        }
        for h in handles {
            let _ = h.join();
        }
        (result, u)
    });
    progress.finish();
    let st = u.stream.take().expect("streaming");
    let mut keep = again.keep.clone();
    keep.extend(st.unread.iter().cloned());
    if st.restart {
        // Two top-level names, or a top-level file: the delivery is in no one folder.
        return Ok(Streamed::Restart(Again {
            rooting: stream::Rooting::Flat,
            keep,
        }));
    }
    result?;
    let taken = match &st.rooting {
        stream::Rooting::In(top) => Some(top.clone()),
        _ => None,
    };
    let set_aside = st.set_aside;
    u.stream = Some(st);
    let unpacked = u.finish()?;
    let st_unread = keep.len() > again.keep.len();
    let top = stream::top_folder(
        unpacked
            .entries
            .iter()
            .map(|e| (&*e.path, e.kind == EntryKind::Dir)),
    );
    let rooting = top
        .clone()
        .map_or(stream::Rooting::Flat, stream::Rooting::In);
    // Read again: the root was guessed wrong; or system files were set aside in a delivery
    // that is in no one folder (they belong to the tree: scanned and stored); or hard links
    // point to files that were not written (their content must be scanned under each name).
    // A read with the root known keeps it: the entries a conflict refused (a file named like
    // the top folder) may leave a tree that looks rooted elsewhere, but the paths were placed
    // under this root.
    let known = again.rooting != stream::Rooting::Unset;
    if (!known && top != taken) || (taken.is_none() && set_aside) || st_unread {
        let rooting = if known {
            again.rooting.clone()
        } else {
            rooting
        };
        return Ok(Streamed::Restart(Again { rooting, keep }));
    }
    Ok(Streamed::Done(unpacked, if known { taken } else { top }))
}

/// Reports the archive bytes read as progress: the furthest position reached, so that the
/// zip reader's seeks (to the central directory and back) count each byte once.
struct Counting<'p> {
    inner: File,
    progress: &'p dyn crate::progress::Progress,
    pos: u64,
    reported: u64,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        if self.pos > self.reported {
            self.progress.advance(0, self.pos - self.reported);
            self.reported = self.pos;
        }
        Ok(n)
    }
}

impl io::Seek for Counting<'_> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.pos = self.inner.seek(pos)?;
        Ok(self.pos)
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

    /// Sums the bytes reported.
    #[derive(Default)]
    struct Sum(std::sync::atomic::AtomicU64);

    impl crate::progress::Progress for Sum {
        fn advance(&self, _files: u64, bytes: u64) {
            self.0
                .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// A reader that seeks back (the zip reader goes to the central directory and back) reports
    /// each byte of the archive once: the bar's total is the archive's size, never more.
    #[test]
    fn progress_counts_each_archive_byte_once() {
        use std::io::Seek;
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&vec![7u8; 3 << 20]).unwrap();
        f.rewind().unwrap();
        let sum = Sum::default();
        let mut r = counting(f, &sum);
        let mut buf = vec![0u8; 2 << 20];
        r.read_exact(&mut buf).unwrap();
        r.seek(io::SeekFrom::Start(0)).unwrap();
        io::copy(&mut r, &mut io::sink()).unwrap();
        r.seek(io::SeekFrom::Start(1 << 20)).unwrap();
        io::copy(&mut r, &mut io::sink()).unwrap();
        assert_eq!(sum.0.into_inner(), 3 << 20);
    }

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
