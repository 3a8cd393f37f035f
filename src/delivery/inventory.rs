//! The inventory: every entry of a staged delivery tree, with SHA-256 for every regular file.
//! Walks never apply `.gitignore` or any other ignore file: every delivered byte counts.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::DeliveryError;
use crate::progress::Progress;

/// What an inventory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A regular file: hashed (SHA-256) and read by the checks.
    File,
    /// A folder.
    Dir,
    /// A symbolic link: its target is recorded, never followed.
    Symlink,
    /// Device, FIFO or socket: recorded and skipped, never read.
    Special,
}

/// One entry of the delivery tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the delivery root, `/`-separated, raw bytes. A boxed slice, not a
    /// `Vec`: an inventory may hold millions of entries.
    pub path: Box<[u8]>,
    /// File, folder, symbolic link or special file.
    pub kind: EntryKind,
    /// Unix permission bits and type bits (`st_mode`).
    pub mode: u32,
    /// File size in bytes (0 for directories and special files; link length for symlinks).
    pub size: u64,
    /// SHA-256 of the content, for regular files.
    pub sha256: Option<[u8; 32]>,
    /// Symlink target, raw bytes, as stored in the link.
    pub link_target: Option<Box<[u8]>>,
}

impl Entry {
    /// The path in readable form (`names::display`): UTF-8 as is with control characters
    /// escaped, GBK names decoded and marked ` [GBK]`, other bytes as `\xNN`.
    pub fn display_path(&self) -> String {
        super::names::display(&self.path)
    }
}

/// The whole inventory of a delivery, sorted by path bytes.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Every entry under the root (the root itself excluded), sorted by path bytes.
    pub entries: Vec<Entry>,
}

impl Inventory {
    /// The regular files, in path order.
    pub fn files(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.kind == EntryKind::File)
    }

    /// The number of regular files.
    pub fn file_count(&self) -> u64 {
        self.files().count() as u64
    }

    /// The regular files' total size in bytes (as read when they were hashed).
    pub fn total_bytes(&self) -> u64 {
        self.files().map(|e| e.size).sum()
    }

    /// The number of entries of `kind`.
    pub fn count(&self, kind: EntryKind) -> u64 {
        self.entries.iter().filter(|e| e.kind == kind).count() as u64
    }

    /// A digest of the whole tree: SHA-256 over every entry's kind, path, mode bits, content
    /// hash and link target, in path order. Equal trees have equal digests.
    pub fn digest(&self) -> String {
        self.digest_with::<Sha256>()
    }

    /// The same tree digest with SM3 (GB/T 32905), which Chinese crypto assessments expect.
    pub fn digest_sm3(&self) -> String {
        self.digest_with::<sm3::Sm3>()
    }

    fn digest_with<D: Digest>(&self) -> String {
        let mut h = D::new();
        for e in &self.entries {
            let tag: &[u8] = match e.kind {
                EntryKind::File => b"F",
                EntryKind::Dir => b"D",
                EntryKind::Symlink => b"L",
                EntryKind::Special => b"S",
            };
            h.update(tag);
            h.update((e.path.len() as u64).to_le_bytes());
            h.update(&e.path);
            h.update((e.mode & 0o7777).to_le_bytes());
            if let Some(d) = &e.sha256 {
                h.update(d);
            }
            if let Some(t) = &e.link_target {
                h.update((t.len() as u64).to_le_bytes());
                h.update(t);
            }
        }
        crate::hash::hex(&h.finalize())
    }
}

/// Size of the read buffer each hashing thread uses: streaming, never whole files in memory.
const BUF_SIZE: usize = 256 * 1024;

/// Receives the content of small files as the inventory reads them, so that a deposit reads
/// each file once: hashing and storing in one pass.
pub trait ContentSink: Sync {
    /// Files up to this size are read whole and passed to `content`.
    fn max_size(&self) -> u64;
    /// One file's content and its SHA-256. An error stops the inventory.
    fn content(&self, sha: &[u8; 32], data: &[u8]) -> io::Result<()>;
}

/// Looks at each file's bytes as the inventory reads them (the technical-barrier scan), so
/// that a file is read once for hashing and scanning.
pub trait Inspector: Send + Sync {
    /// A file is about to be read; `None` skips it.
    fn start(&self, path: &[u8], size: u64) -> Option<Box<dyn Inspection + '_>>;
    /// Forget every file seen so far: the delivery is read again from the start (an archive
    /// whose top folder was guessed wrong).
    fn reset(&self) {}
}

/// One file being read: its bytes in order, then the end.
pub trait Inspection {
    /// The next bytes of the file, in order; the pieces together are exactly the bytes hashed.
    fn update(&mut self, data: &[u8]);
    /// The file has been read to its end (not called when reading it failed).
    fn finish(self: Box<Self>);
}

/// Walk `root` (not following symlinks, hidden files included, ignore files ignored) and hash
/// every regular file in parallel.
pub fn build(root: &Path, progress: &dyn Progress) -> Result<Inventory, DeliveryError> {
    build_with(root, progress, None)
}

/// `build`, passing small files' contents to `sink` as they are hashed.
fn build_with(
    root: &Path,
    progress: &dyn Progress,
    sink: Option<&dyn ContentSink>,
) -> Result<Inventory, DeliveryError> {
    let root_fd = super::safefs::open_root(root).map_err(|source| DeliveryError::Unreadable {
        path: root.to_owned(),
        source,
    })?;
    build_known(root, root_fd.as_fd(), progress, sink, None)
}

/// Folders kept open at once on the way down; deeper ones are re-opened (through handles,
/// checked to be the same folder) when the walk comes back to them.
const MAX_OPEN_DIRS: usize = 64;

/// One folder of the walk: its handle (while open), its path, its identity, and the names
/// still to visit.
struct Frame {
    fd: Option<OwnedFd>,
    prefix: Vec<u8>,
    id: (u64, u64),
    names: std::vec::IntoIter<Vec<u8>>,
}

/// Take the inventory of the tree under the handle `root_fd` (`root` names it in messages).
/// Every folder is opened relative to its parent's handle with no link followed, every file
/// relative to the root's handle with no link followed on any component, and each opened
/// handle is checked to be what the walk saw: a tree changed while it is read (a folder
/// swapped for a link) fails the read, and nothing outside the tree is ever read.
pub(crate) fn build_known(
    root: &Path,
    root_fd: BorrowedFd<'_>,
    progress: &dyn Progress,
    sink: Option<&dyn ContentSink>,
    inspector: Option<&dyn Inspector>,
) -> Result<Inventory, DeliveryError> {
    let entries = walk(root, root_fd)?;
    from_entries(root, root_fd, entries, progress, sink, inspector)
}

/// The inventory of a staging tree from the entries its unpacker wrote (files already hashed
/// as they were written): sorted, and the files read again (through handles) only when their
/// contents must go to `sink` or `inspector`.
pub(crate) fn from_entries(
    root: &Path,
    root_fd: BorrowedFd<'_>,
    mut entries: Vec<Entry>,
    progress: &dyn Progress,
    sink: Option<&dyn ContentSink>,
    inspector: Option<&dyn Inspector>,
) -> Result<Inventory, DeliveryError> {
    entries.par_sort_unstable_by(|a, b| a.path.cmp(&b.path));
    entries.shrink_to_fit();
    let reread = sink.is_some() || inspector.is_some();
    let todo = |e: &Entry| e.kind == EntryKind::File && (reread || e.sha256.is_none());
    let total_files = entries.iter().filter(|e| e.kind == EntryKind::File).count() as u64;
    let total_bytes: u64 = entries
        .iter()
        .filter(|e| e.kind == EntryKind::File)
        .map(|e| e.size)
        .sum();
    let nothing_to_read = !entries.iter().any(todo);
    if nothing_to_read {
        // Hashed (and inspected) as they were unpacked: no phase to show.
        return Ok(Inventory { entries });
    }
    progress.begin("hashing", total_files, total_bytes);
    let done: u64 = entries
        .iter()
        .filter(|e| e.kind == EntryKind::File && !todo(e))
        .map(|e| e.size)
        .sum();
    progress.advance(
        total_files - entries.iter().filter(|e| todo(e)).count() as u64,
        done,
    );
    let result: Result<(), DeliveryError> = entries
        .par_iter_mut()
        .filter(|e| todo(e))
        .try_for_each_init(
            || vec![0u8; BUF_SIZE],
            |buf, e| {
                let fail = |source| DeliveryError::Unreadable {
                    path: root.join(std::ffi::OsStr::from_bytes(&e.path)),
                    source,
                };
                let mut f = super::safefs::open_file(root_fd, &e.path).map_err(fail)?;
                let mut seen = inspector.and_then(|i| i.start(&e.path, e.size));
                let (digest, len) = match sink {
                    Some(sink) if e.size <= sink.max_size() => {
                        hash_and_pass(&mut f, buf, sink, seen.as_deref_mut())
                    }
                    _ => hash_inspect(&mut f, buf, seen.as_deref_mut()),
                }
                .map_err(fail)?;
                if let Some(s) = seen {
                    s.finish();
                }
                e.sha256 = Some(digest);
                e.size = len;
                progress.advance(1, len);
                Ok(())
            },
        );
    progress.finish();
    result?;
    Ok(Inventory { entries })
}

/// The walk: every entry under `root_fd`, through handles. See `build_known`.
fn walk(root: &Path, root_fd: BorrowedFd<'_>) -> Result<Vec<Entry>, DeliveryError> {
    use super::safefs;
    let fail = |rel: &[u8], source| DeliveryError::Unreadable {
        path: if rel.is_empty() {
            root.to_owned()
        } else {
            root.join(std::ffi::OsStr::from_bytes(rel))
        },
        source,
    };
    let mut entries = Vec::new();
    let top_id = safefs::identity(root_fd).map_err(|e| fail(b"", e))?;
    let names = safefs::list(root_fd).map_err(|e| fail(b"", e))?;
    let mut stack = vec![Frame {
        fd: None,
        prefix: Vec::new(),
        id: top_id,
        names: names.into_iter(),
    }];
    while let Some(frame) = stack.last_mut() {
        let Some(name) = frame.names.next() else {
            stack.pop();
            continue;
        };
        if frame.fd.is_none() && !frame.prefix.is_empty() {
            frame.fd = Some(
                safefs::reopen_dir(root_fd, &frame.prefix, frame.id)
                    .map_err(|e| fail(&frame.prefix, e))?,
            );
        }
        let dir = frame.fd.as_ref().map_or(root_fd, AsFd::as_fd);
        let mut rel = Vec::with_capacity(frame.prefix.len() + 1 + name.len());
        if !frame.prefix.is_empty() {
            rel.extend_from_slice(&frame.prefix);
            rel.push(b'/');
        }
        rel.extend_from_slice(&name);
        let st = safefs::lstat_at(dir, &name).map_err(|e| fail(&rel, e))?;
        let ft = rustix::fs::FileType::from_raw_mode(st.st_mode);
        let mode = st.st_mode;
        let mut size = u64::try_from(st.st_size).unwrap_or(0);
        let mut link_target = None;
        let mut sub = None;
        let kind = match ft {
            rustix::fs::FileType::Symlink => {
                let t = safefs::readlink_at(dir, &name).map_err(|e| fail(&rel, e))?;
                link_target = Some(t);
                EntryKind::Symlink
            }
            rustix::fs::FileType::Directory => {
                let id = (st.st_dev, st.st_ino);
                let fd = safefs::open_dir_at(dir, &name, Some(id)).map_err(|e| fail(&rel, e))?;
                let names = safefs::list(fd.as_fd()).map_err(|e| fail(&rel, e))?;
                sub = Some((fd, id, names));
                size = 0;
                EntryKind::Dir
            }
            rustix::fs::FileType::RegularFile => EntryKind::File,
            _ => {
                // Block and character devices, FIFOs, sockets: never opened.
                size = 0;
                EntryKind::Special
            }
        };
        if let Some((fd, id, names)) = sub {
            entries.push(Entry {
                path: rel.as_slice().into(),
                kind,
                mode,
                size,
                sha256: None,
                link_target: link_target.map(Vec::into_boxed_slice),
            });
            stack.push(Frame {
                fd: Some(fd),
                prefix: rel,
                id,
                names: names.into_iter(),
            });
            // Bound the handles held open: close the one furthest up (re-opened on return).
            if stack.len() > MAX_OPEN_DIRS {
                let i = stack.len() - MAX_OPEN_DIRS - 1;
                stack[i].fd = None;
            }
        } else {
            entries.push(Entry {
                path: rel.into_boxed_slice(),
                kind,
                mode,
                size,
                sha256: None,
                link_target: link_target.map(Vec::into_boxed_slice),
            });
        }
    }
    Ok(entries)
}

/// Findings about a delivered tree's modes: files with the setuid, setgid or sticky bit
/// (reported; never carried into staging, never restored unless asked).
pub(crate) fn mode_notes(inventory: &Inventory) -> Vec<crate::finding::Finding> {
    let special: Vec<&Entry> = inventory.files().filter(|e| e.mode & 0o7000 != 0).collect();
    if special.is_empty() {
        return Vec::new();
    }
    let n = special.len();
    let first = special[0];
    vec![
        crate::finding::Finding::of(
            crate::delivery::codes::DeliveryCode::FileSetuid,
            format!(
                "{n} files have the setuid, setgid or sticky bit (first: {} mode {:o})",
                first.display_path(),
                first.mode & 0o7777
            ),
            format!(
                "有 {n} 个文件带有 setuid、setgid 或 sticky 权限位（第一个：{} mode {:o}）",
                first.display_path(),
                first.mode & 0o7777
            ),
        )
        .path(first.display_path())
        .covers(special.iter().map(|e| e.display_path()).collect())
        .evidence(
            special
                .iter()
                .take(20)
                .map(|e| format!("{} (mode {:o})", e.display_path(), e.mode & 0o7777))
                .collect(),
        ),
    ]
}

/// Stream a file through SHA-256 with a caller-owned buffer. Returns the digest and the number
/// of bytes actually read (which is what was hashed, even if the file changed size meanwhile).
pub fn hash_file(path: &Path, buf: &mut [u8]) -> io::Result<([u8; 32], u64)> {
    let mut f = open_regular(path)?;
    hash_reader(&mut f, buf)
}

/// Read a small file whole, hash it, hand it to `sink`. A file that grew past the sink's limit
/// since the walk is hashed as a stream and not handed over.
fn hash_and_pass(
    f: &mut File,
    buf: &mut [u8],
    sink: &dyn ContentSink,
    seen: Option<&mut (dyn Inspection + '_)>,
) -> io::Result<([u8; 32], u64)> {
    let limit = sink.max_size();
    let mut data = Vec::with_capacity(usize::try_from(f.metadata()?.len().min(limit)).unwrap_or(0));
    (&mut *f).take(limit + 1).read_to_end(&mut data)?;
    if data.len() as u64 > limit {
        // It grew since the walk: hash what was read, then the rest as a stream.
        return hash_inspect(&mut (&data[..]).chain(f), buf, seen);
    }
    if let Some(s) = seen {
        s.update(&data);
    }
    let sha = crate::hash::sha256(&data);
    sink.content(&sha, &data)?;
    Ok((sha, data.len() as u64))
}

/// Open a delivery file for reading, refusing to follow a symlink or to block on a FIFO that
/// replaced the regular file seen by the walk.
fn open_regular(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::other(
            "no longer a regular file (it changed during the check)",
        ));
    }
    Ok(f)
}

/// Stream any reader through SHA-256.
pub(crate) fn hash_reader(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<([u8; 32], u64)> {
    hash_inspect(r, buf, None)
}

/// Stream a reader through SHA-256 and an inspection.
fn hash_inspect(
    r: &mut dyn Read,
    buf: &mut [u8],
    mut seen: Option<&mut (dyn Inspection + '_)>,
) -> io::Result<([u8; 32], u64)> {
    let mut h = Sha256::new();
    let mut len = 0u64;
    loop {
        let n = match r.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
        if let Some(s) = seen.as_deref_mut() {
            s.update(&buf[..n]);
        }
        len += n as u64;
    }
    Ok((h.finalize().into(), len))
}

/// Where a symlink at `link` (delivery-relative) pointing to `target` resolves, lexically,
/// relative to the delivery root; `None` when it is absolute or climbs out of the root.
pub fn resolve_link(link: &[u8], target: &[u8]) -> Option<PathBuf> {
    if target.first() == Some(&b'/') {
        return None;
    }
    let mut parts: Vec<&[u8]> = link.split(|&b| b == b'/').collect();
    parts.pop();
    for c in target.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(
        &parts.join(&b'/'),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn link_resolution() {
        assert_eq!(
            resolve_link(b"a/b/link", b"../c"),
            Some(PathBuf::from("a/c"))
        );
        assert_eq!(resolve_link(b"a/link", b"../../etc/passwd"), None);
        assert_eq!(resolve_link(b"link", b"/etc/passwd"), None);
        assert_eq!(
            resolve_link(b"link", b"./x/./y"),
            Some(PathBuf::from("x/y"))
        );
    }

    proptest! {
        #[test]
        fn streaming_hash_equals_one_shot(data in proptest::collection::vec(any::<u8>(), 0..5000),
                                          buf_len in 1usize..700) {
            let mut buf = vec![0u8; buf_len];
            let (d, n) = hash_reader(&mut &data[..], &mut buf).unwrap();
            let one: [u8; 32] = Sha256::digest(&data).into();
            prop_assert_eq!(d, one);
            prop_assert_eq!(n, data.len() as u64);
        }
    }
}
