//! The build's copy of the delivery, made from the checked content: every file is read through
//! directory handles opened one level at a time without following any link (a folder the vendor
//! can still write cannot swap a component for a link to `/etc` while the copy is made), and
//! its SHA-256 must equal the inventory's. Folders and links are made from the inventory, not
//! from what is on disk now.
//!
//! Also the run's folder that holds the copy: its lock (a copy whose lock is free was left by a
//! killed run, and is removed) and its removal.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::fd::BorrowedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::cancel::Cancel;
use super::{BuildError, io_err};
use crate::delivery::inventory::Inventory;
use crate::delivery::{Delivery, EntryKind, safefs};
use crate::progress::Progress;

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

/// Copy the delivery whose root folder is `root` (shown in messages) and open as `root_fd`,
/// as `inventory` lists it, into the new folder `to`: files through the root's handle with no
/// link followed on any component (`delivery::safefs`), each verified against its inventoried
/// size and SHA-256; folders and links as the inventory says. `interrupted` is polled between
/// entries.
pub fn copy_checked(
    root: &Path,
    root_fd: BorrowedFd<'_>,
    inventory: &Inventory,
    to: &Path,
    interrupted: &dyn Fn() -> bool,
) -> Result<(), CopyError> {
    std::fs::create_dir_all(to).map_err(io(to))?;
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
            EntryKind::File => copy_file(root_fd, &src, &dst, e, &mut buf)?,
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
    root_fd: BorrowedFd<'_>,
    src: &Path,
    dst: &Path,
    e: &crate::delivery::inventory::Entry,
    buf: &mut [u8],
) -> Result<(), CopyError> {
    let changed = |what: &str| CopyError::Changed {
        path: src.to_owned(),
        what: what.to_owned(),
    };
    let from = safefs::open_file(root_fd, &e.path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => changed("a file or a folder on its way is gone"),
        // `safefs` refuses a link on any component, and anything but a regular file.
        std::io::ErrorKind::Other => {
            changed("a file or a folder on its way was replaced by a link or by something else")
        }
        _ => io(src)(err),
    })?;
    let st = rustix::fs::fstat(&from).map_err(|err| io(src)(err.into()))?;
    let Some(expected) = e.sha256 else {
        return Err(changed("a file was not hashed when checked"));
    };
    let mut from = from;
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

// --- the run's folder ------------------------------------------------------

/// Make the run's `lock` (flocked for the run's lifetime) and remove the copies of runs that
/// were killed (their lock free), each reported through `progress`.
pub(super) fn lock_copy(
    root: &Path,
    as_root: bool,
    progress: &dyn Progress,
) -> Result<std::fs::File, BuildError> {
    use crate::delivery::staging;
    use std::os::unix::fs::MetadataExt;
    let path = root.join(staging::LOCK);
    let lock = staging::create_lock(root).map_err(io_err(&path))?;
    let me = std::fs::symlink_metadata(root).map_err(io_err(root))?.uid();
    // As root, a copy's folder belongs to its build user (or `nobody`).
    let owned = |u: u32| {
        u == me
            || (as_root
                && (u == 65534
                    || (super::sandbox::BUILD_UID_BASE
                        ..super::sandbox::BUILD_UID_BASE + super::sandbox::BUILD_UID_SPAN)
                        .contains(&u)))
    };
    let parent = root.parent().unwrap_or(root);
    for removed in staging::remove_stale(parent, COPY_PREFIX, root, &owned) {
        progress.notice(&format!(
            "removed {}: a build copy left by an earlier escrow run that was stopped before it could clean up",
            removed.display()
        ));
    }
    Ok(lock)
}

/// The name every build's folder starts with.
pub(super) const COPY_PREFIX: &str = "escrow-build-";

/// Copy the delivery into `to` from its checked content (see [`copy_checked`]).
pub(super) fn copy_tree(delivery: &Delivery, to: &Path, cancel: &Cancel) -> Result<(), BuildError> {
    copy_checked(
        &delivery.root,
        delivery.root_fd(),
        &delivery.inventory,
        to,
        &|| cancel.is_cancelled(),
    )
    .map_err(|e| match e {
        CopyError::Interrupted => BuildError::Interrupted,
        CopyError::Io { path, source } => BuildError::Io { path, source },
        e @ CopyError::Changed { .. } => BuildError::Changed {
            message: e.to_string(),
        },
    })
}

/// Remove a run's folder, even where the build left folders without write permission.
pub(super) fn remove_tree(tmp: tempfile::TempDir) {
    let path = tmp.keep();
    if std::fs::remove_dir_all(&path).is_err() {
        let _ = std::process::Command::new("chmod")
            .args(["-R", "u+rwX", "--"])
            .arg(&path)
            .status();
        let _ = std::fs::remove_dir_all(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::inventory::Entry;
    use std::os::fd::AsFd;

    fn root(path: &Path) -> std::os::fd::OwnedFd {
        safefs::open_root(path).unwrap()
    }

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
        copy_checked(
            &src,
            root(&src).as_fd(),
            &inv,
            &t.path().join("out"),
            &|| false,
        )
        .unwrap();
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
        let e = copy_checked(
            &src,
            root(&src).as_fd(),
            &inv,
            &t.path().join("out"),
            &|| false,
        )
        .unwrap_err();
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
            let e = copy_checked(&src, root(&src).as_fd(), &inv, &out, &|| false).unwrap_err();
            assert!(matches!(e, CopyError::Changed { .. }), "{path}: {e}");
            assert!(e.to_string().contains("link"), "{e}");
        }
    }
}
