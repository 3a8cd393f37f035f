//! The build's copy of the delivery, made from the checked content: every file is read through
//! directory handles opened one level at a time without following any link (a folder the vendor
//! can still write cannot swap a component for a link to `/etc` while the copy is made), and
//! its SHA-256 must equal the inventory's. Folders and links are made from the inventory, not
//! from what is on disk now.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rustix::fs::{FileType, Mode, OFlags};
use sha2::{Digest, Sha256};

use crate::delivery::EntryKind;
use crate::delivery::inventory::Inventory;

/// Why the copy was not made.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(
        "{}: the delivery changed after it was checked ({what}), so it was not built; check it again from a folder the vendor can no longer write (copy it first, or use an archive)",
        path.display()
    )]
    Changed { path: PathBuf, what: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("interrupted")]
    Interrupted,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CopyError + '_ {
    move |source| CopyError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The flags of every directory handle: no link followed, not even at the last component.
fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// The folder `rel` (a `/`-separated path, "" for the root) of the delivery, opened one
/// component at a time from `root` without following any link.
fn open_dir(root: &OwnedFd, base: &Path, rel: &[u8]) -> Result<OwnedFd, CopyError> {
    let mut fd = rustix::fs::openat(root, ".", dir_flags(), Mode::empty())
        .map_err(|e| io(base)(e.into()))?;
    let mut walked = PathBuf::from(base);
    for comp in rel.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
        walked.push(OsStr::from_bytes(comp));
        fd = rustix::fs::openat(&fd, OsStr::from_bytes(comp), dir_flags(), Mode::empty()).map_err(
            |e| match e {
                rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR => CopyError::Changed {
                    path: walked.clone(),
                    what: "a folder was replaced by a link or a file".to_owned(),
                },
                rustix::io::Errno::NOENT => CopyError::Changed {
                    path: walked.clone(),
                    what: "a folder is gone".to_owned(),
                },
                e => io(&walked)(e.into()),
            },
        )?;
    }
    Ok(fd)
}

/// Copy the delivery under `root`, as `inventory` lists it, into the new folder `to`: files
/// through link-free directory handles, each verified against its inventoried SHA-256;
/// folders and links as the inventory says. `interrupted` is polled between entries.
pub fn copy_checked(
    root: &Path,
    inventory: &Inventory,
    to: &Path,
    interrupted: &dyn Fn() -> bool,
) -> Result<(), CopyError> {
    std::fs::create_dir_all(to).map_err(io(to))?;
    let root_fd = rustix::fs::open(
        root,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| io(root)(e.into()))?;
    let mut parent: Option<(Vec<u8>, OwnedFd)> = None;
    let mut dirs = Vec::new();
    let mut buf = vec![0u8; 1 << 18];
    for e in &inventory.entries {
        if interrupted() {
            return Err(CopyError::Interrupted);
        }
        let src = crate::vault::snapshot::join(root, &e.path);
        let dst = crate::vault::snapshot::join(to, &e.path);
        if let Some(p) = dst.parent() {
            std::fs::create_dir_all(p).map_err(io(p))?;
        }
        match e.kind {
            EntryKind::Dir => {
                std::fs::create_dir_all(&dst).map_err(io(&dst))?;
                dirs.push((dst, e.mode));
            }
            EntryKind::Symlink => {
                if let Some(t) = &e.link_target {
                    std::os::unix::fs::symlink(OsStr::from_bytes(t), &dst).map_err(io(&dst))?;
                }
            }
            EntryKind::Special => {}
            EntryKind::File => {
                let (dir, name) = match e.path.iter().rposition(|&b| b == b'/') {
                    Some(i) => (&e.path[..i], &e.path[i + 1..]),
                    None => (&e.path[..0], &e.path[..]),
                };
                if parent.as_ref().is_none_or(|(p, _)| p != dir) {
                    parent = Some((dir.to_vec(), open_dir(&root_fd, root, dir)?));
                }
                let (_, dir_fd) = parent.as_ref().expect("set above");
                copy_file(dir_fd, name, &src, &dst, e, &mut buf)?;
            }
        }
    }
    // Folders last, deepest first: a read-only folder must not stop its content being copied.
    for (dst, mode) in dirs.iter().rev() {
        let _ = std::fs::set_permissions(
            dst,
            std::fs::Permissions::from_mode((mode & 0o7777) | 0o700),
        );
    }
    Ok(())
}

fn copy_file(
    dir: &OwnedFd,
    name: &[u8],
    src: &Path,
    dst: &Path,
    e: &crate::delivery::inventory::Entry,
    buf: &mut [u8],
) -> Result<(), CopyError> {
    let changed = |what: &str| CopyError::Changed {
        path: src.to_owned(),
        what: what.to_owned(),
    };
    let fd = rustix::fs::openat(
        dir,
        OsStr::from_bytes(name),
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK | OFlags::NOCTTY,
        Mode::empty(),
    )
    .map_err(|err| match err {
        rustix::io::Errno::LOOP => changed("a file was replaced by a link"),
        rustix::io::Errno::NOENT => changed("a file is gone"),
        err => io(src)(err.into()),
    })?;
    let st = rustix::fs::fstat(&fd).map_err(|err| io(src)(err.into()))?;
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
        return Err(changed("a file is no longer a regular file"));
    }
    let Some(expected) = e.sha256 else {
        return Err(changed("a file was not hashed when checked"));
    };
    let mut from = std::fs::File::from(fd);
    let mut out = std::fs::File::create_new(dst).map_err(io(dst))?;
    let mut h = Sha256::new();
    let mut len: u64 = 0;
    loop {
        let n = from.read(buf).map_err(io(src))?;
        if n == 0 {
            break;
        }
        len += n as u64;
        if len > e.size {
            return Err(changed("a file grew after it was checked"));
        }
        h.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(io(dst))?;
    }
    if len != e.size || h.finalize()[..] != expected[..] {
        return Err(changed(
            "a file's content differs from what was checked (SHA-256 mismatch)",
        ));
    }
    out.set_permissions(std::fs::Permissions::from_mode(e.mode & 0o7777))
        .map_err(io(dst))?;
    let mtime = std::time::UNIX_EPOCH
        + std::time::Duration::new(
            u64::try_from(st.st_mtime).unwrap_or(0),
            u32::try_from(st.st_mtime_nsec).unwrap_or(0),
        );
    let _ = out.set_modified(mtime);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::inventory::Entry;

    fn entry(path: &str, kind: EntryKind, content: &[u8]) -> Entry {
        Entry {
            path: path.as_bytes().into(),
            kind,
            mode: if kind == EntryKind::Dir {
                0o40_755
            } else {
                0o100_644
            },
            size: content.len() as u64,
            sha256: (kind == EntryKind::File).then(|| Sha256::digest(content).into()),
            link_target: None,
        }
    }

    #[test]
    fn a_checked_delivery_is_copied() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("d");
        std::fs::create_dir_all(src.join("sub")).unwrap();
        std::fs::write(src.join("sub/a"), b"hello").unwrap();
        let inv = Inventory {
            entries: vec![
                entry("sub", EntryKind::Dir, b""),
                entry("sub/a", EntryKind::File, b"hello"),
            ],
        };
        copy_checked(&src, &inv, &t.path().join("out"), &|| false).unwrap();
        assert_eq!(std::fs::read(t.path().join("out/sub/a")).unwrap(), b"hello");
    }

    #[test]
    fn a_file_changed_after_the_check_stops_the_copy() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("d");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a"), b"swapped").unwrap();
        let inv = Inventory {
            entries: vec![entry("a", EntryKind::File, b"checked")],
        };
        let e = copy_checked(&src, &inv, &t.path().join("out"), &|| false).unwrap_err();
        assert!(matches!(e, CopyError::Changed { .. }), "{e}");
        assert!(e.to_string().contains("SHA-256"), "{e}");
    }

    #[test]
    fn a_link_in_place_of_a_file_or_folder_is_never_followed() {
        let t = tempfile::tempdir().unwrap();
        let outside = t.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret"), b"checked").unwrap();
        let src = t.path().join("d");
        std::fs::create_dir_all(&src).unwrap();
        // A folder swapped for a link to outside, holding a file of the checked content.
        std::os::unix::fs::symlink(&outside, src.join("sub")).unwrap();
        // A file swapped for a link to a file of the checked content.
        std::os::unix::fs::symlink(outside.join("secret"), src.join("a")).unwrap();
        for (path, inv) in [
            (
                "sub",
                Inventory {
                    entries: vec![
                        entry("sub", EntryKind::Dir, b""),
                        entry("sub/secret", EntryKind::File, b"checked"),
                    ],
                },
            ),
            (
                "a",
                Inventory {
                    entries: vec![entry("a", EntryKind::File, b"checked")],
                },
            ),
        ] {
            let out = t.path().join(format!("out-{path}"));
            let e = copy_checked(&src, &inv, &out, &|| false).unwrap_err();
            assert!(matches!(e, CopyError::Changed { .. }), "{path}: {e}");
            assert!(e.to_string().contains("link"), "{e}");
        }
    }
}
