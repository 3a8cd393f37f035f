//! Durable file writes: temp file in the vault's tmp/, fsync, rename, fsync the folder.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{VaultError, io_err};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh, unique temporary path in `tmp_dir`.
pub fn temp_path(tmp_dir: &Path, what: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    tmp_dir.join(format!("{what}-{}-{n}-{nanos}", std::process::id()))
}

/// fsync a folder, so a rename into it is durable.
pub fn fsync_dir(dir: &Path) -> Result<(), VaultError> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(io_err(dir))
}

/// Write `bytes` to `path` atomically, never overwriting: if `path` exists with other content
/// this is an error (write-once), with the same content it is a no-op.
pub fn write_once(tmp_dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
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
        let mut f = File::create(&tmp).map_err(io_err(&tmp))?;
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
