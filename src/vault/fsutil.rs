//! Durable file writes: temp file in the vault's tmp/, fsync, rename, fsync the folder.
//!
//! The vault is private to its user: every file is created with mode 0600 and every folder with
//! 0700 from the start (the umask can only remove bits from these), so no other user, and no
//! build running under another user, can read a deposit.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{VaultError, io_err};

/// The mode of every file the vault writes.
pub(crate) const FILE_MODE: u32 = 0o600;
/// The mode of every folder the vault makes.
const DIR_MODE: u32 = 0o700;

/// Read a vault file that must be a regular file: opened without following a link and without
/// blocking (a FIFO put in its place cannot hang the reader), and refused when it is larger than
/// `max` bytes (a link to `/dev/zero` or a huge planted file cannot exhaust memory).
///
/// Errors: `NotFound` as the OS gives it; `InvalidData` for a link, FIFO, device or folder, or
/// a file larger than `max`; other I/O errors.
pub(crate) fn read_regular(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "is a symbolic link, which escrow never writes in a vault",
                )
            } else {
                e
            }
        })?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "is not a regular file (a FIFO, device or folder), which escrow never writes in a vault",
        ));
    }
    if meta.len() > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "is {} bytes, more than the {max} such a vault file can hold",
                meta.len()
            ),
        ));
    }
    let mut buf = Vec::new();
    f.take(max.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("grew past {max} bytes while it was read"),
        ));
    }
    Ok(buf)
}

/// Create a new file for writing, private to the user (mode 0600), never through a link and
/// never over an existing file.
pub(crate) fn create_private(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
}

/// Make a folder private to the user (mode 0700). An existing folder is left as it is.
pub(crate) fn create_private_dir(path: &Path) -> std::io::Result<()> {
    match DirBuilder::new().mode(DIR_MODE).create(path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        r => r,
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh, unique temporary path in `tmp_dir`.
pub(crate) fn temp_path(tmp_dir: &Path, what: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    tmp_dir.join(format!("{what}-{}-{n}-{nanos}", std::process::id()))
}

/// fsync a folder, so a rename into it is durable.
pub(crate) fn fsync_dir(dir: &Path) -> Result<(), VaultError> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(io_err(dir))
}

/// Write `bytes` to `path` atomically, never overwriting: if `path` exists with other content
/// this is an error (write-once), with the same content it is a no-op.
#[cfg(test)]
pub(crate) fn write_once(tmp_dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    if let Ok(existing) = std::fs::read(path) {
        if existing == bytes {
            return Ok(());
        }
        return Err(VaultError::Corrupt {
            path: path.to_owned(),
            message: "exists with different content; vault files are write-once".to_owned(),
        });
    }
    write_atomic(tmp_dir, path, bytes)
}

/// Write `bytes` to `path` atomically, replacing it (used only for the ledger, which only ever
/// grows, and the VAULT marker).
pub fn write_atomic(tmp_dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    let tmp = temp_path(tmp_dir, "write");
    let result = (|| {
        let mut f = create_private(&tmp).map_err(io_err(&tmp))?;
        f.write_all(bytes).map_err(io_err(&tmp))?;
        f.sync_all().map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io_err(path))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    if let Some(parent) = path.parent() {
        fsync_dir(parent)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn write_once_refuses_other_content_and_accepts_the_same() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("object");
        write_once(tmp.path(), &path, b"first").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        write_once(tmp.path(), &path, b"first").unwrap();
        let err = write_once(tmp.path(), &path, b"second").unwrap_err();
        assert!(
            matches!(&err, VaultError::Corrupt { message, .. } if message.contains("write-once")),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, FILE_MODE);
    }

    #[test]
    fn create_private_never_overwrites_or_follows_links() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f");
        std::fs::write(&path, "kept").unwrap();
        assert!(create_private(&path).is_err());
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), &link).unwrap();
        assert!(create_private(&link).is_err());
        assert!(!tmp.path().join("elsewhere").exists());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "kept");
    }
}
