//! Reading and writing a delivery tree through directory handles, never through path strings:
//! no symbolic link is followed on any component, so a tree that changes while it is read
//! (a drop folder the vendor can still write) or an archive that plants links cannot make a
//! read or a write land outside the tree.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

/// Flags to open a folder of the tree: never through a link.
const DIR: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// The error when a folder on the way is a link, or a file changed kind under us.
pub fn changed(what: &str) -> io::Error {
    io::Error::other(format!(
        "{what} changed during the check (a folder was replaced by a link, or a file by something else); nothing was read through it"
    ))
}

/// Open the root folder of a tree. The root itself is what the user named: a link there is
/// followed, once, and everything below is reached through the handle returned.
pub fn open_root(path: &Path) -> io::Result<OwnedFd> {
    Ok(rfs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?)
}

/// Open `rel` (a `/`-separated path below `root`) with `flags`, following no link on any
/// component and never leaving `root`.
pub(crate) fn open_beneath(root: BorrowedFd<'_>, rel: &[u8], flags: OFlags) -> io::Result<OwnedFd> {
    let flags = flags | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    match rfs::openat2(
        root,
        rel,
        flags,
        Mode::empty(),
        ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
    ) {
        Err(Errno::NOSYS | Errno::PERM | Errno::INVAL) => open_by_components(root, rel, flags),
        Err(Errno::LOOP | Errno::XDEV) => Err(changed(&super::names::short(rel))),
        r => Ok(r?),
    }
}

/// `open_beneath` one component at a time, for kernels without `openat2`.
fn open_by_components(root: BorrowedFd<'_>, rel: &[u8], flags: OFlags) -> io::Result<OwnedFd> {
    let parts: Vec<&[u8]> = rel
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .collect();
    let Some((last, dirs)) = parts.split_last() else {
        return Ok(rfs::openat(root, ".", flags, Mode::empty())?);
    };
    let mut cur: Option<OwnedFd> = None;
    for c in dirs.iter().chain(std::iter::once(last)) {
        if *c == b".." || *c == b"." {
            return Err(io::Error::other("a path component is . or .."));
        }
    }
    for c in dirs {
        let at = cur.as_ref().map_or(root, AsFd::as_fd);
        cur = Some(rfs::openat(at, *c, DIR, Mode::empty()).map_err(|e| {
            if e == Errno::LOOP || e == Errno::NOTDIR {
                changed(&super::names::short(rel))
            } else {
                e.into()
            }
        })?);
    }
    let at = cur.as_ref().map_or(root, AsFd::as_fd);
    Ok(rfs::openat(at, *last, flags, Mode::empty())?)
}

/// Open the regular file `rel` below `root` for reading: no link on any component, no
/// blocking on a FIFO, and the opened handle checked to be a regular file.
pub fn open_file(root: BorrowedFd<'_>, rel: &[u8]) -> io::Result<File> {
    let fd = open_beneath(root, rel, OFlags::RDONLY | OFlags::NONBLOCK)?;
    regular(fd, rel)
}

/// Open the regular file `name` in the folder `dir` for reading (no link, no FIFO).
pub(crate) fn open_file_at(dir: BorrowedFd<'_>, name: &[u8]) -> io::Result<File> {
    let fd = rfs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| {
        if e == Errno::LOOP {
            changed(&super::names::short(name))
        } else {
            e.into()
        }
    })?;
    regular(fd, name)
}

fn regular(fd: OwnedFd, rel: &[u8]) -> io::Result<File> {
    if FileType::from_raw_mode(rfs::fstat(&fd)?.st_mode) != FileType::RegularFile {
        return Err(changed(&super::names::short(rel)));
    }
    // O_NONBLOCK stays set: it has no effect on a regular file (POSIX: reads of regular files
    // never block on it), and clearing it would cost two system calls per file.
    Ok(File::from(fd))
}

/// Open the folder `name` in `dir`, refusing a link, and check it is the folder `expect`
/// (device, inode) seen when the folder was listed.
pub(crate) fn open_dir_at(
    dir: BorrowedFd<'_>,
    name: &[u8],
    expect: Option<(u64, u64)>,
) -> io::Result<OwnedFd> {
    let fd = rfs::openat(dir, name, DIR, Mode::empty()).map_err(|e| {
        if e == Errno::LOOP || e == Errno::NOTDIR {
            changed(&super::names::short(name))
        } else {
            e.into()
        }
    })?;
    let st = rfs::fstat(&fd)?;
    if FileType::from_raw_mode(st.st_mode) != FileType::Directory
        || expect.is_some_and(|id| id != (st.st_dev, st.st_ino))
    {
        return Err(changed(&super::names::short(name)));
    }
    Ok(fd)
}

/// Re-open the folder `rel` below `root` (no link anywhere) and check its identity.
pub(crate) fn reopen_dir(
    root: BorrowedFd<'_>,
    rel: &[u8],
    expect: (u64, u64),
) -> io::Result<OwnedFd> {
    let fd = if rel.is_empty() {
        rfs::openat(root, ".", DIR, Mode::empty())?
    } else {
        open_beneath(root, rel, OFlags::RDONLY | OFlags::DIRECTORY)?
    };
    let st = rfs::fstat(&fd)?;
    if (st.st_dev, st.st_ino) != expect {
        return Err(changed(&super::names::short(rel)));
    }
    Ok(fd)
}

/// The names in a folder (without `.` and `..`).
pub fn list(dir: BorrowedFd<'_>) -> io::Result<Vec<Vec<u8>>> {
    let mut d = rfs::Dir::read_from(dir)?;
    let mut out = Vec::new();
    while let Some(e) = d.read() {
        let e = e?;
        let n = e.file_name().to_bytes();
        if n != b"." && n != b".." {
            out.push(n.to_vec());
        }
    }
    Ok(out)
}

/// `lstat` of `name` in `dir`.
pub(crate) fn lstat_at(dir: BorrowedFd<'_>, name: &[u8]) -> io::Result<rfs::Stat> {
    Ok(rfs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)?)
}

/// The target of the link `name` in `dir`, raw.
pub(crate) fn readlink_at(dir: BorrowedFd<'_>, name: &[u8]) -> io::Result<Vec<u8>> {
    Ok(rfs::readlinkat(dir, name, Vec::new())?.into_bytes())
}

/// Why a folder could not be made below the staging root.
#[derive(Debug)]
pub(crate) enum MakeDirError {
    /// A component is a link (or a file): the entry passes through something that is not a
    /// folder of this tree.
    NotAFolder,
    /// Opening or making a folder failed.
    Io(io::Error),
}

/// Make the folder `rel` below `root` (and every folder on the way), private to the user
/// (0700), one level at a time through handles, never following a link. Returns its handle.
pub(crate) fn make_dirs(root: BorrowedFd<'_>, rel: &[u8]) -> Result<OwnedFd, MakeDirError> {
    let mut cur: OwnedFd =
        rfs::openat(root, ".", DIR, Mode::empty()).map_err(|e| MakeDirError::Io(e.into()))?;
    for c in rel.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
        match rfs::mkdirat(&cur, c, Mode::RWXU) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(MakeDirError::Io(e.into())),
        }
        cur = match rfs::openat(&cur, c, DIR, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::LOOP | Errno::NOTDIR) => return Err(MakeDirError::NotAFolder),
            Err(e) => return Err(MakeDirError::Io(e.into())),
        };
    }
    Ok(cur)
}

/// Create the new file `name` in `dir` for writing, private to the user: 0700 when the entry
/// is executable, else 0600. Fails if anything (a link included) is already there.
pub(crate) fn create_file_at(
    dir: BorrowedFd<'_>,
    name: &[u8],
    executable: bool,
) -> io::Result<File> {
    let mode = if executable {
        Mode::RWXU
    } else {
        Mode::RUSR | Mode::WUSR
    };
    let fd = rfs::openat(
        dir,
        name,
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        mode,
    )?;
    // The umask may have taken bits away, never added any: set exactly these.
    rfs::fchmod(&fd, mode)?;
    Ok(File::from(fd))
}

/// Create the link `name` → `target` in `dir`.
pub(crate) fn symlink_at(dir: BorrowedFd<'_>, name: &[u8], target: &[u8]) -> io::Result<()> {
    Ok(rfs::symlinkat(target, dir, name)?)
}

/// The (device, inode) of an open handle.
pub(crate) fn identity(fd: impl AsFd) -> io::Result<(u64, u64)> {
    let st = rfs::fstat(fd)?;
    Ok((st.st_dev, st.st_ino))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn no_link_is_followed_on_any_component() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::create_dir_all(outside.join("sub")).unwrap();
        std::fs::write(outside.join("sub/secret"), "secret").unwrap();
        std::fs::write(root.join("real/ok"), "ok").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("esc")).unwrap();
        let fd = open_root(&root).unwrap();
        assert!(open_file(fd.as_fd(), b"real/ok").is_ok());
        assert!(open_file(fd.as_fd(), b"esc/sub/secret").is_err());
        assert!(open_by_components(fd.as_fd(), b"esc/sub/secret", OFlags::RDONLY).is_err());
        assert!(open_file(fd.as_fd(), b"../outside/sub/secret").is_err());
        assert!(matches!(
            make_dirs(fd.as_fd(), b"esc/newdir/deeper"),
            Err(MakeDirError::NotAFolder)
        ));
        assert!(!outside.join("newdir").exists());
        let folder = make_dirs(fd.as_fd(), b"a/b").unwrap();
        let f = create_file_at(folder.as_fd(), b"x", false).unwrap();
        drop(f);
        let mode = |p: &str| {
            std::fs::metadata(root.join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o7777
        };
        assert_eq!(mode("a"), 0o700);
        assert_eq!(mode("a/b"), 0o700);
        assert_eq!(mode("a/b/x"), 0o600);
        // A link already there is never written through.
        symlink_at(
            folder.as_fd(),
            b"l",
            outside.join("planted").as_os_str().as_encoded_bytes(),
        )
        .unwrap();
        assert!(create_file_at(folder.as_fd(), b"l", false).is_err());
        assert!(!outside.join("planted").exists());
    }
}
