//! `restore`: rebuild a snapshot's tree byte for byte: contents, modes, symlinks, empty folders.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, Seek, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use rayon::prelude::*;

use super::pack::{self, Index};
use super::snapshot::{self, RecEntry, safe_relative};
use super::{Vault, VaultError, io_err};
use crate::delivery::EntryKind;
use crate::progress::Progress;

/// The block size below which runs of zeros are written, not skipped.
const HOLE_BLOCK: usize = 4096;

/// A restored file's writer that keeps holes: whole aligned blocks of zeros are skipped by
/// seeking instead of written, and the length is set at the end, so a sparse file delivered
/// (a disk image, a database file) takes no more disk space than it did at the vendor's.
struct Holes {
    file: File,
    buf: Vec<u8>,
    /// The file offset of `buf[0]`.
    at: u64,
    len: u64,
    /// Whether the file's offset is behind `at` (zeros were skipped).
    behind: bool,
}

impl Holes {
    fn new(file: File) -> Self {
        Holes {
            file,
            buf: Vec::with_capacity(256 * 1024),
            at: 0,
            len: 0,
            behind: false,
        }
    }

    /// Write the buffer's whole blocks (all of it when `all`): zeros skipped, the rest written
    /// in runs.
    fn drain(&mut self, all: bool) -> io::Result<()> {
        let whole = if all {
            self.buf.len()
        } else {
            self.buf.len() / HOLE_BLOCK * HOLE_BLOCK
        };
        let mut run = 0..0;
        for start in (0..whole).step_by(HOLE_BLOCK) {
            let end = whole.min(start + HOLE_BLOCK);
            if self.buf[start..end].iter().all(|&b| b == 0) {
                self.write_run(&mut run)?;
                self.behind = true;
                continue;
            }
            if run.start == run.end {
                run = start..start;
            }
            run.end = end;
        }
        self.write_run(&mut run)?;
        self.buf.drain(..whole);
        self.at += whole as u64;
        Ok(())
    }

    /// Write `buf[run]` at its place in the file, and empty `run`.
    fn write_run(&mut self, run: &mut std::ops::Range<usize>) -> io::Result<()> {
        if run.start == run.end {
            return Ok(());
        }
        if self.behind {
            self.file
                .seek(io::SeekFrom::Start(self.at + run.start as u64))?;
            self.behind = false;
        }
        self.file.write_all(&self.buf[run.clone()])?;
        *run = 0..0;
        Ok(())
    }

    /// Write what is left and set the file's length (the holes at its end included).
    fn finish(mut self) -> io::Result<File> {
        self.drain(true)?;
        self.file.set_len(self.len)?;
        Ok(self.file)
    }
}

impl Write for Holes {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        self.len += data.len() as u64;
        if self.buf.len() >= 256 * 1024 {
            self.drain(false)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What a restore wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The number of regular files written.
    pub files: u64,
    /// The number of folders created (or, with `force`, found already there).
    pub dirs: u64,
    /// The number of symbolic links created.
    pub symlinks: u64,
    /// Special files recorded in the snapshot but never stored (devices, FIFOs, sockets).
    pub skipped: u64,
    /// Bytes written into regular files.
    pub bytes: u64,
    /// Files and folders recorded with setuid, setgid or sticky bits: (path as shown to people,
    /// recorded mode & 0o7777). Without `keep_special_modes` these bits, and write access for
    /// group and others, were removed; with it they were restored as recorded.
    pub special_modes: Vec<(String, u32)>,
}

/// The permission bits a restore gives an entry recorded with `mode`: setuid, setgid and sticky
/// only when asked for (a restore as root must never make a setuid program of a vendor's file).
/// An entry that loses such bits also loses write access for group and others: a `1777`
/// folder must not come back as a world-writable `0777` one without its sticky bit.
fn restored_mode(mode: u32, keep_special_modes: bool) -> u32 {
    if keep_special_modes {
        mode & 0o7777
    } else if mode & 0o7000 != 0 {
        mode & 0o755
    } else {
        mode & 0o777
    }
}

fn corrupt(vault: &Vault, id: &str, message: String) -> VaultError {
    VaultError::Corrupt {
        path: vault.snapshots_dir().join(format!("{id}.json.zst")),
        message,
    }
}

/// Restore snapshot `id` into `target`, which must be empty or absent unless `force`. Setuid,
/// setgid and sticky bits are removed unless `keep_special_modes`.
///
/// Errors: `Corrupt` (an unsafe or inconsistent file list, a missing or damaged object: nothing
/// is written for an unsafe list), `TargetNotEmpty`, `Invalid` (the target is not a folder), and
/// I/O errors writing the target.
pub fn restore(
    vault: &Vault,
    id: &str,
    target: &Path,
    force: bool,
    keep_special_modes: bool,
    progress: &dyn Progress,
) -> Result<Restored, VaultError> {
    let record = vault.load_snapshot(id)?;
    let index = Index::load(vault)?;
    let all = snapshot::load_entries(vault, &index, &record)?;
    let entries = validated(vault, id, &all)?;
    prepare_target(target, force)?;
    let mut stats = Restored {
        special_modes: entries
            .iter()
            .filter(|(_, e)| matches!(e.kind, EntryKind::File | EntryKind::Dir))
            .filter(|(_, e)| e.mode & 0o7000 != 0)
            .map(|(_, e)| (e.display_path(), e.mode & 0o7777))
            .collect(),
        ..Restored::default()
    };
    let dirs = make_dirs(target, &entries, force)?;
    stats.dirs = dirs.len() as u64;
    let to = Target {
        vault,
        id,
        index: &index,
        root: target,
        force,
        keep_special_modes,
    };
    let (files, bytes) = to.write_files(&entries, progress)?;
    stats.files = files;
    stats.bytes = bytes;
    for (p, e) in &entries {
        match e.kind {
            EntryKind::Symlink => {
                to.make_link(p, e)?;
                stats.symlinks += 1;
            }
            EntryKind::Special => stats.skipped += 1,
            EntryKind::File | EntryKind::Dir => {}
        }
    }
    // Folder modes last, deepest first, so that read-only folders did not block the writes.
    for (p, mode) in dirs.iter().rev() {
        let path = snapshot::join(target, p);
        // Never through a link: only a real folder gets its mode.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            std::fs::set_permissions(
                &path,
                std::fs::Permissions::from_mode(restored_mode(*mode, keep_special_modes)),
            )
            .map_err(io_err(&path))?;
        }
    }
    Ok(stats)
}

/// Validate every path before writing anything: nothing may land outside the target, no path
/// may appear twice, and every folder an entry sits in must itself be a folder entry of the
/// snapshot (so every parent is a folder this restore made or cleared itself, never a symlink
/// or a file of the same snapshot). Returns the entries with their raw paths.
fn validated<'a>(
    vault: &Vault,
    id: &str,
    all: &'a [RecEntry],
) -> Result<Vec<(Vec<u8>, &'a RecEntry)>, VaultError> {
    let mut not_dirs: HashSet<Vec<u8>> = HashSet::new();
    let mut entries: Vec<(Vec<u8>, &RecEntry)> = Vec::with_capacity(all.len());
    for e in all {
        let p = e.path_bytes().filter(|p| safe_relative(p)).ok_or_else(|| {
            corrupt(
                vault,
                id,
                format!(
                    "unsafe path {:?} in the record; nothing was restored",
                    e.display_path()
                ),
            )
        })?;
        if e.kind != EntryKind::Dir {
            not_dirs.insert(p.clone());
        }
        entries.push((p, e));
    }
    let mut dirs_seen: HashSet<&[u8]> = HashSet::new();
    let mut all_paths: HashSet<&[u8]> = HashSet::new();
    for (p, e) in &entries {
        if !all_paths.insert(p.as_slice()) {
            return Err(corrupt(
                vault,
                id,
                format!(
                    "{:?} appears twice in the record; nothing was restored",
                    e.display_path()
                ),
            ));
        }
        if e.kind == EntryKind::Dir {
            dirs_seen.insert(p.as_slice());
        }
    }
    for (p, e) in &entries {
        let mut prefix = p.as_slice();
        while let Some(i) = prefix.iter().rposition(|&b| b == b'/') {
            prefix = &prefix[..i];
            if not_dirs.contains(prefix) || !dirs_seen.contains(prefix) {
                return Err(corrupt(
                    vault,
                    id,
                    format!(
                        "{:?} does not lie in a folder of the snapshot; nothing was restored",
                        e.display_path()
                    ),
                ));
            }
        }
    }
    Ok(entries)
}

/// The target must be a folder, empty unless `force`; it is made when absent.
fn prepare_target(target: &Path, force: bool) -> Result<(), VaultError> {
    match std::fs::symlink_metadata(target) {
        Ok(m) if !m.is_dir() => Err(VaultError::Invalid {
            message: format!(
                "{}: exists and is not a folder; choose a folder to restore into",
                target.display()
            ),
        }),
        Ok(_) => {
            let non_empty = std::fs::read_dir(target)
                .map_err(io_err(target))?
                .next()
                .is_some();
            if non_empty && !force {
                return Err(VaultError::TargetNotEmpty {
                    path: target.to_owned(),
                });
            }
            Ok(())
        }
        Err(_) => std::fs::create_dir_all(target).map_err(io_err(target)),
    }
}

/// Make the folders, parents before children (entries are sorted by path bytes, and a parent's
/// path is a prefix of its children's). Returns them, in the order made, with their modes.
fn make_dirs<'a>(
    target: &Path,
    entries: &'a [(Vec<u8>, &RecEntry)],
    force: bool,
) -> Result<Vec<(&'a [u8], u32)>, VaultError> {
    let mut dirs: Vec<(&[u8], u32)> = entries
        .iter()
        .filter(|(_, e)| e.kind == EntryKind::Dir)
        .map(|(p, e)| (p.as_slice(), e.mode))
        .collect();
    dirs.sort_by_key(|(p, _)| p.split(|&b| b == b'/').count());
    for (p, _) in &dirs {
        let path = snapshot::join(target, p);
        clear_non_dir(&path, force)?;
        match std::fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(e) => return Err(io_err(&path)(e)),
        }
    }
    Ok(dirs)
}

/// Where and how a restore writes.
struct Target<'a> {
    vault: &'a Vault,
    id: &'a str,
    index: &'a Index,
    root: &'a Path,
    force: bool,
    keep_special_modes: bool,
}

/// Open packs of one worker thread, and its decompressor.
type Reader = (
    HashMap<u32, std::sync::Arc<File>>,
    zstd::bulk::Decompressor<'static>,
);

impl Target<'_> {
    /// Write every regular file, in parallel, each verified against its hash. Returns the
    /// number of files and their bytes.
    fn write_files(
        &self,
        entries: &[(Vec<u8>, &RecEntry)],
        progress: &dyn Progress,
    ) -> Result<(u64, u64), VaultError> {
        let files: Vec<&(Vec<u8>, &RecEntry)> = entries
            .iter()
            .filter(|(_, e)| e.kind == EntryKind::File)
            .collect();
        let total: u64 = files.iter().map(|(_, e)| e.size).sum();
        progress.begin("restoring", files.len() as u64, total);
        let written: Result<u64, VaultError> = files
            .par_iter()
            .map_init(
                || {
                    (
                        HashMap::new(),
                        zstd::bulk::Decompressor::new().expect("zstd decompressor"),
                    )
                },
                |reader, (p, e)| {
                    let len = self.write_file(reader, p, e)?;
                    progress.advance(1, len);
                    Ok(len)
                },
            )
            .sum();
        progress.finish();
        Ok((files.len() as u64, written?))
    }

    /// Write one file from its object, then give it its mode.
    fn write_file(&self, reader: &mut Reader, p: &[u8], e: &RecEntry) -> Result<u64, VaultError> {
        let (packs, dec) = reader;
        let path = snapshot::join(self.root, p);
        let sha = e.sha().ok_or_else(|| {
            corrupt(
                self.vault,
                self.id,
                format!("{:?} has no content hash", e.display_path()),
            )
        })?;
        let loc = *self
            .index
            .objects
            .get(&sha)
            .ok_or_else(|| VaultError::Corrupt {
                path: self.vault.packs_dir(),
                message: format!(
                    "the content of {:?} (object {}) is missing from the vault; run `escrow audit`",
                    e.display_path(),
                    e.sha256.as_deref().unwrap_or_default()
                ),
            })?;
        let pack_path = self.index.pack_path(self.vault, loc.pack);
        // The index must agree with the record on the size: a forged index cannot make a
        // restore write more than the file holds.
        if loc.size != e.size {
            return Err(VaultError::Corrupt {
                path: pack_path,
                message: format!(
                    "the index gives {} bytes for the content of {:?}, the snapshot {}: the index was forged or damaged; run `escrow audit`",
                    loc.size,
                    e.display_path(),
                    e.size
                ),
            });
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = packs.entry(loc.pack) {
            let f = self.vault.pack_file(self.index.pack_id(loc.pack)).map_err(|err| VaultError::Corrupt {
                path: pack_path.clone(),
                message: format!(
                    "the pack holding {:?} cannot be opened ({err}): it is missing from the vault or damaged; run `escrow audit`",
                    e.display_path()
                ),
            })?;
            slot.insert(f);
        }
        if self.force {
            remove_any(&path)?;
        }
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(io_err(&path))?;
        let mut out = Holes::new(file);
        let (got, len) =
            pack::copy_object(&packs[&loc.pack], &loc, dec, &mut out).map_err(|err| {
                VaultError::Corrupt {
                    path: pack_path.clone(),
                    message: format!(
                        "cannot read the content of {:?}: {err}; run `escrow audit`",
                        e.display_path()
                    ),
                }
            })?;
        let file = out.finish().map_err(io_err(&path))?;
        if got != sha || len != e.size {
            drop(file);
            let _ = std::fs::remove_file(&path);
            return Err(VaultError::Corrupt {
                path: pack_path,
                message: format!(
                    "the stored content of {:?} does not match its hash; the vault is damaged: run `escrow audit`",
                    e.display_path()
                ),
            });
        }
        file.set_permissions(std::fs::Permissions::from_mode(restored_mode(
            e.mode,
            self.keep_special_modes,
        )))
        .map_err(io_err(&path))?;
        Ok(len)
    }

    /// Make one symbolic link as recorded.
    fn make_link(&self, p: &[u8], e: &RecEntry) -> Result<(), VaultError> {
        let path = snapshot::join(self.root, p);
        let t = e.target_bytes().ok_or_else(|| {
            corrupt(
                self.vault,
                self.id,
                format!("{:?} has no link target", e.display_path()),
            )
        })?;
        if self.force {
            remove_any(&path)?;
        }
        std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(&t), &path).map_err(io_err(&path))
    }
}

/// With --force, something that is not a folder where a folder must go is removed.
fn clear_non_dir(path: &Path, force: bool) -> Result<(), VaultError> {
    if let Ok(m) = std::fs::symlink_metadata(path)
        && !m.is_dir()
    {
        if !force {
            return Err(VaultError::TargetNotEmpty {
                path: path.to_owned(),
            });
        }
        std::fs::remove_file(path).map_err(io_err(path))?;
    }
    Ok(())
}

/// Remove whatever is at `path` (file, link or folder); nothing there is fine.
fn remove_any(path: &Path) -> Result<(), VaultError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path).map_err(io_err(path)),
        Ok(_) => std::fs::remove_file(path).map_err(io_err(path)),
        Err(_) => Ok(()),
    }
}

/// Write the repository history kept with a snapshot (`deposit --with-history`) to `file`,
/// verified against its hash.
pub fn history(vault: &Vault, id: &str, file: &Path) -> Result<(), VaultError> {
    let record = vault.load_snapshot(id)?;
    let h = record.history.ok_or_else(|| VaultError::Invalid {
        message: format!(
            "snapshot {} was deposited without its history (deposit a git repository with --with-history)",
            super::short(id)
        ),
    })?;
    let bytes = pack::read_object_to(vault, &Index::load(vault)?, &h.sha256, file)?;
    debug_assert_eq!(bytes, h.size);
    Ok(())
}

/// The build log kept with a snapshot (`deposit --build`), verified against its hash.
pub fn build_log(vault: &Vault, id: &str) -> Result<Vec<u8>, VaultError> {
    let record = vault.load_snapshot(id)?;
    let b = record.build_log.ok_or_else(|| VaultError::Invalid {
        message: format!(
            "snapshot {} was deposited without a build (deposit with --build to keep the build log)",
            super::short(id)
        ),
    })?;
    pack::read_object(vault, &Index::load(vault)?, &b.sha256)
}

/// The Git settings and hooks of snapshot `id` that would run commands once Git is used in the
/// restored folder (see `delivery::gitconfig`): one line for each, naming the file; empty when
/// there is none. `restore` in the CLI refuses such a snapshot unless `--allow-git-config`.
pub fn git_config(vault: &Vault, id: &str) -> Result<Vec<String>, VaultError> {
    use crate::delivery::gitconfig;
    let record = vault.load_snapshot(id)?;
    let index = Index::load(vault)?;
    let all = snapshot::load_entries(vault, &index, &record)?;
    let with_paths: Vec<(Vec<u8>, &RecEntry)> = all
        .iter()
        .filter_map(|e| e.path_bytes().map(|p| (p, e)))
        .collect();
    let view: Vec<(&[u8], EntryKind, u32)> = with_paths
        .iter()
        .map(|(p, e)| (p.as_slice(), e.kind, e.mode))
        .collect();
    let mut failed = None;
    let located = gitconfig::locate(&view, &mut |i| {
        let (_, e) = &with_paths[i];
        if e.size > 4096 {
            return None;
        }
        let sha = e.sha256.as_deref().unwrap_or_default();
        pack::read_object(vault, &index, sha)
            .map_err(|err| failed = Some(err))
            .ok()
    });
    if let Some(err) = failed {
        return Err(err);
    }
    let mut out = Vec::new();
    for (i, what) in &located.outside {
        out.push(gitconfig::describe_pointer(
            &with_paths[*i].1.display_path(),
            what,
        ));
    }
    for &i in &located.configs {
        let (_, e) = &with_paths[i];
        let file = e.display_path();
        let found = if e.kind == EntryKind::Symlink {
            Err("a link: what it points to cannot be checked".to_owned())
        } else if e.size > gitconfig::MAX_CONFIG {
            Err(format!("larger than {} bytes", gitconfig::MAX_CONFIG))
        } else {
            let sha = e.sha256.as_deref().unwrap_or_default();
            let bytes = pack::read_object(vault, &index, sha)?;
            gitconfig::executing(&bytes).map_err(|m| format!("does not parse ({m})"))
        };
        out.extend(gitconfig::describe(&file, found));
    }
    for &i in &located.hooks {
        out.push(format!(
            "{}: executable hook",
            with_paths[i].1.display_path()
        ));
    }
    Ok(out)
}

/// Write the build log kept with snapshot `id` to `out`, in bounded memory: it is read and
/// verified once, then streamed.
pub fn build_log_to(
    vault: &Vault,
    id: &str,
    out: &mut dyn std::io::Write,
) -> Result<u64, VaultError> {
    let record = vault.load_snapshot(id)?;
    let b = record.build_log.ok_or_else(|| VaultError::Invalid {
        message: format!(
            "snapshot {} was deposited without a build (deposit with --build to keep the build log)",
            super::short(id)
        ),
    })?;
    let index = Index::load(vault)?;
    pack::copy_verified(vault, &index, &b.sha256, &mut std::io::sink())?;
    pack::copy_verified(vault, &index, &b.sha256, out)
}
