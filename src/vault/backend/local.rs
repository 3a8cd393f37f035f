//! A vault in a local folder. Folders are created 0700 and files 0600 (the vault is private to
//! its user); a file is created complete in `tmp/`, fsynced, then hard-linked to its name, which
//! fails when the name exists (`link(2)` is atomic and never replaces), and its folder fsynced.
//! Files are read without following symbolic links and without blocking on a FIFO.

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::{Backend, BackendError, CreateOptions, Created, FileKind, Key, Listed, Progress};
use crate::vault::fsutil;

/// A vault folder.
#[derive(Debug, Clone)]
pub struct Local {
    root: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackendError + '_ {
    move |source| BackendError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl Local {
    /// The vault at `root` (nothing is checked or created here).
    pub fn new(root: &Path) -> Local {
        Local {
            root: root.to_owned(),
        }
    }

    /// The file of `key`.
    pub fn path(&self, key: &Key) -> PathBuf {
        self.root.join(key.path())
    }

    /// `tmp/`: files being written; never read.
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    fn not_found(&self, key: &Key) -> BackendError {
        BackendError::NotFound {
            location: self.location(),
            key: key.path(),
        }
    }

    fn open(&self, key: &Key) -> Result<File, BackendError> {
        let path = self.path(key);
        match crate::vault::pack::open_pack_file(&path) {
            Ok(f) => Ok(f),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(self.not_found(key)),
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// Link the complete temporary file `tmp` to `key`'s name unless it exists.
    pub(crate) fn link_in(&self, tmp: &Path, key: &Key) -> Result<Created, BackendError> {
        let dest = self.path(key);
        if let Some(dir) = dest.parent() {
            fsutil::create_private_dir(dir).map_err(io(dir))?;
        }
        let linked = std::fs::hard_link(tmp, &dest);
        let _ = std::fs::remove_file(tmp);
        match linked {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(Created::Existed),
            Err(e) => return Err(io(&dest)(e)),
        }
        if let Some(dir) = dest.parent() {
            fsutil::fsync_dir(dir).map_err(|e| BackendError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::other(e.to_string()),
            })?;
        }
        Ok(Created::New)
    }

    fn refuse_retention(&self, options: CreateOptions) -> Result<(), BackendError> {
        if options.retain_until.is_some() {
            return Err(BackendError::Unsupported {
                location: self.location(),
                message: "a local folder cannot lock files against deletion (S3 Object Lock does); deposit to an s3:// vault on a server with Object Lock, or leave out --retain-until".to_owned(),
            });
        }
        Ok(())
    }

    /// Write a temporary file in `tmp/` with `fill`, fsynced; removed again on error.
    fn temp_with(
        &self,
        fill: impl FnOnce(&mut File, &Path) -> Result<(), BackendError>,
    ) -> Result<PathBuf, BackendError> {
        let dir = self.tmp_dir();
        fsutil::create_private_dir(&dir).map_err(io(&dir))?;
        let tmp = fsutil::temp_path(&dir, "write");
        let result = (|| {
            let mut f = fsutil::create_private(&tmp).map_err(io(&tmp))?;
            fill(&mut f, &tmp)?;
            f.sync_all().map_err(io(&tmp))
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(tmp)
    }
}

impl Backend for Local {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn local_root(&self) -> Option<&Path> {
        Some(&self.root)
    }

    fn read(&self, key: &Key, max: u64) -> Result<Vec<u8>, BackendError> {
        let path = self.path(key);
        if let Ok(m) = std::fs::symlink_metadata(&path)
            && m.is_file()
            && m.len() > max
        {
            return Err(BackendError::TooLarge {
                location: self.location(),
                key: key.path(),
                size: m.len(),
                max,
            });
        }
        fsutil::read_regular(&path, max).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => self.not_found(key),
            _ => io(&path)(e),
        })
    }

    fn read_range(&self, key: &Key, offset: u64, len: u64) -> Result<Vec<u8>, BackendError> {
        let f = self.open(key)?;
        let mut buf = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX)];
        f.read_exact_at(&mut buf, offset)
            .map_err(io(&self.path(key)))?;
        Ok(buf)
    }

    fn read_to(&self, key: &Key, out: &mut dyn Write) -> Result<u64, BackendError> {
        let mut f = self.open(key)?;
        if !f.metadata().map_err(io(&self.path(key)))?.is_file() {
            return Err(io(&self.path(key))(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "is not a regular file, which escrow never writes in a vault",
            )));
        }
        std::io::copy(&mut f, out).map_err(io(&self.path(key)))
    }

    fn size(&self, key: &Key) -> Result<Option<u64>, BackendError> {
        let path = self.path(key);
        match std::fs::symlink_metadata(&path) {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path)(e)),
        }
    }

    fn list(&self, kind: FileKind) -> Result<Vec<Listed>, BackendError> {
        let dir = self.root.join(kind.folder());
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&dir)(e)),
        };
        let mut out = Vec::new();
        for e in rd {
            let e = e.map_err(io(&dir))?;
            let meta = e.metadata().map_err(io(&e.path()))?;
            if kind == FileKind::Marker && meta.is_dir() {
                continue;
            }
            out.push(Listed {
                name: e.file_name().to_string_lossy().into_owned(),
                size: meta.len(),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn create(
        &self,
        key: &Key,
        bytes: &[u8],
        options: CreateOptions,
    ) -> Result<Created, BackendError> {
        self.refuse_retention(options)?;
        if self.size(key)?.is_some() {
            return Ok(Created::Existed);
        }
        let tmp = self.temp_with(|f, p| f.write_all(bytes).map_err(io(p)))?;
        self.link_in(&tmp, key)
    }

    fn create_streamed(
        &self,
        key: &Key,
        src: &mut dyn Read,
        len: u64,
        options: CreateOptions,
        progress: Progress<'_>,
    ) -> Result<Created, BackendError> {
        self.refuse_retention(options)?;
        if self.size(key)?.is_some() {
            return Ok(Created::Existed);
        }
        let tmp = self.temp_with(|f, p| {
            let mut buf = vec![0u8; 1 << 20];
            let mut left = len;
            while left > 0 {
                let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
                src.read_exact(&mut buf[..want]).map_err(io(p))?;
                f.write_all(&buf[..want]).map_err(io(p))?;
                left -= want as u64;
                progress(len - left);
            }
            Ok(())
        })?;
        self.link_in(&tmp, key)
    }
}
