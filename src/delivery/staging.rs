//! Staging folders: where an archive or a git tree is unpacked. Each is private to the user
//! (0700, its files 0600 or 0700), named `escrow-staging-*` in the temporary folder, and holds a
//! `lock` file locked (`flock`) for as long as the run that made it lives. A staging folder
//! whose lock can be taken belongs to a run that was killed: the next run removes it and says
//! so. A live run's staging folder is never touched.

use std::fs::File;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rustix::fs::{FlockOperation, flock};

use super::DeliveryError;
use crate::progress::Progress;

/// The name every staging folder starts with.
pub const PREFIX: &str = "escrow-staging-";
/// The lock file inside a staging folder (and inside a build's copy, cleaned up the same way).
pub const LOCK: &str = "lock";
/// A staging folder without a lock file (left by an older escrow, or by a run killed in the
/// instant between making the folder and its lock) is taken as abandoned after this long.
const UNLOCKED_GRACE: Duration = Duration::from_secs(3600);

/// A private staging folder, locked for this run's lifetime; removed when dropped.
#[derive(Debug)]
pub struct Staging {
    path: PathBuf,
    lock: Option<File>,
}

impl Staging {
    /// Remove the staging left by killed runs (each reported through `progress`), then make a
    /// new private staging folder in the temporary folder, locked for this run.
    pub fn create(progress: &dyn Progress) -> Result<Staging, DeliveryError> {
        let tmp = std::env::temp_dir();
        let err = |source| DeliveryError::Unreadable {
            path: tmp.clone(),
            source,
        };
        let dir = tempfile::Builder::new()
            .prefix(PREFIX)
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir_in(&tmp)
            .map_err(err)?
            .keep();
        let mut staging = Staging {
            path: dir,
            lock: None,
        };
        // From here on, dropping `staging` removes the folder.
        std::fs::set_permissions(&staging.path, std::fs::Permissions::from_mode(0o700))
            .map_err(err)?;
        let lock = create_lock(&staging.path).map_err(err)?;
        staging.lock = Some(lock);
        let uid = std::fs::symlink_metadata(&staging.path).map_err(err)?.uid();
        for removed in remove_stale(&tmp, PREFIX, &staging.path, &|u| u == uid) {
            progress.notice(&format!(
                "removed {}: staging left by an earlier escrow run that was stopped before it could clean up",
                removed.display()
            ));
        }
        Ok(staging)
    }

    /// The staging folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

trait PrivateMode {
    fn mode_private(&mut self) -> &mut Self;
}

impl PrivateMode for std::fs::OpenOptions {
    fn mode_private(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.mode(0o600)
    }
}

impl Drop for Staging {
    /// Removing an unpacked tree of 80,000 files takes as long as unpacking it: hand it to a
    /// background `rm -rf` that outlives this process, and remove it here only if that fails.
    /// The lock is passed on to `rm`, so that no other run takes the folder for abandoned while
    /// it is being removed.
    fn drop(&mut self) {
        let lock = self.lock.take();
        if let Some(l) = &lock {
            let _ = rustix::io::fcntl_setfd(l, rustix::io::FdFlags::empty());
        }
        let spawned = std::process::Command::new("rm")
            .arg("-rf")
            .arg("--")
            .arg(&self.path)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        drop(lock);
        if spawned.is_err() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Make the `lock` file of the run's folder `dir`, locked (`flock`) for as long as it is
/// open. It is made and locked under another name and then renamed, so that another run's
/// clean-up never sees it unlocked (and takes the folder for abandoned).
pub fn create_lock(dir: &Path) -> io::Result<File> {
    let fresh = dir.join(format!("{LOCK}.new"));
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode_private()
        .open(&fresh)?;
    flock(&lock, FlockOperation::NonBlockingLockExclusive)?;
    std::fs::rename(&fresh, dir.join(LOCK))?;
    Ok(lock)
}

/// Remove the folders in `tmp` named `prefix*` (staging, or a build's copy) whose owner is one
/// `owned` accepts and whose run is gone (its `lock` free); returns them.
pub fn remove_stale(
    tmp: &Path,
    prefix: &str,
    own: &Path,
    owned: &dyn Fn(u32) -> bool,
) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(tmp) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for e in dir.filter_map(Result::ok) {
        let path = e.path();
        if path == own
            || !e
                .file_name()
                .as_encoded_bytes()
                .starts_with(prefix.as_bytes())
        {
            continue;
        }
        // A real folder of this user, not a link to one.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_dir() || !owned(meta.uid()) {
            continue;
        }
        if abandoned(&path, &meta) && std::fs::remove_dir_all(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
}

/// Whether the run that made the staging folder `path` is gone.
fn abandoned(path: &Path, meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::OpenOptionsExt;
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path.join(LOCK));
    match lock {
        // Taken: its owner is dead (a live run holds it; so does the `rm` removing it).
        Ok(f) => {
            f.metadata().is_ok_and(|m| m.is_file())
                && flock(&f, FlockOperation::NonBlockingLockExclusive).is_ok()
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_some_and(|age| age > UNLOCKED_GRACE),
        Err(_) => false,
    }
}
