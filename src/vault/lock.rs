//! One writer at a time: an exclusive lock on `VAULT/lock`, released when the process ends
//! (even by kill -9).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use super::{Vault, VaultError, io_err};

/// Held while writing; dropping it releases the lock.
pub(crate) struct WriteLock {
    _file: File,
}

/// How long to wait for another writer: `setting` seconds (the CLI passes `$ESCROW_LOCK_WAIT`),
/// default 10 when it is absent or not a number.
pub fn default_wait(setting: Option<&str>) -> Duration {
    let secs = setting.and_then(|s| s.parse::<u64>().ok()).unwrap_or(10);
    Duration::from_secs(secs)
}

/// Take the vault's write lock, waiting up to `wait`.
pub(crate) fn acquire(vault: &Vault, wait: Duration) -> Result<WriteLock, VaultError> {
    let path = vault.lock_path();
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(super::fsutil::FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&path)
        .map_err(io_err(&path))?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                if start.elapsed() >= wait {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    let holder = holder.trim();
                    return Err(VaultError::Locked {
                        path: vault.root.clone(),
                        holder: if holder.is_empty() {
                            "unknown".to_owned()
                        } else {
                            holder.to_owned()
                        },
                        waited_secs: wait.as_secs(),
                    });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(TryLockError::Error(e)) => return Err(io_err(&path)(e)),
        }
    }
    // Say who holds it, for the message a waiting process prints.
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "pid {}", std::process::id());
    let _ = file.flush();
    Ok(WriteLock { _file: file })
}
