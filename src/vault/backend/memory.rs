//! A vault in memory, for tests: the same contract as the others, and a hook to damage files.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::Mutex;

use super::{Backend, BackendError, CreateOptions, Created, FileKind, Key, Listed, Progress};

/// Files by their path relative to the root (`packs/<id>.pack`, `VAULT`, …).
#[derive(Debug, Default)]
pub struct Memory {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Memory {
    /// An empty store.
    pub fn new() -> Memory {
        Memory::default()
    }

    fn files(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Tests only: replace, damage or remove a file behind the contract's back (`None` removes;
    /// `path` as [`Key::path`] gives it, or any name to plant a stray file).
    pub fn tamper(&self, path: &str, bytes: Option<Vec<u8>>) {
        let mut files = self.files();
        match bytes {
            Some(b) => {
                files.insert(path.to_owned(), b);
            }
            None => {
                files.remove(path);
            }
        }
    }

    fn not_found(key: &Key) -> BackendError {
        BackendError::NotFound {
            location: "memory:".to_owned(),
            key: key.path(),
        }
    }
}

impl Backend for Memory {
    fn location(&self) -> String {
        "memory:".to_owned()
    }

    fn read(&self, key: &Key, max: u64) -> Result<Vec<u8>, BackendError> {
        let files = self.files();
        let b = files.get(&key.path()).ok_or_else(|| Self::not_found(key))?;
        if b.len() as u64 > max {
            return Err(BackendError::TooLarge {
                location: self.location(),
                key: key.path(),
                size: b.len() as u64,
                max,
            });
        }
        Ok(b.clone())
    }

    fn read_range(&self, key: &Key, offset: u64, len: u64) -> Result<Vec<u8>, BackendError> {
        let files = self.files();
        let b = files.get(&key.path()).ok_or_else(|| Self::not_found(key))?;
        let end = offset.saturating_add(len);
        if end > b.len() as u64 {
            return Err(BackendError::Remote {
                location: self.location(),
                key: key.path(),
                message: format!(
                    "the file is {} bytes, shorter than the range {offset}..{end} read",
                    b.len()
                ),
            });
        }
        Ok(b[usize::try_from(offset).unwrap_or(usize::MAX)
            ..usize::try_from(end).unwrap_or(usize::MAX)]
            .to_vec())
    }

    fn read_to(&self, key: &Key, out: &mut dyn Write) -> Result<u64, BackendError> {
        let b = self
            .files()
            .get(&key.path())
            .cloned()
            .ok_or_else(|| Self::not_found(key))?;
        out.write_all(&b).map_err(|source| BackendError::Io {
            path: key.path(),
            source,
        })?;
        Ok(b.len() as u64)
    }

    fn size(&self, key: &Key) -> Result<Option<u64>, BackendError> {
        Ok(self.files().get(&key.path()).map(|b| b.len() as u64))
    }

    fn list(&self, kind: FileKind) -> Result<Vec<Listed>, BackendError> {
        let prefix = match kind.folder() {
            "" => String::new(),
            f => format!("{f}/"),
        };
        Ok(self
            .files()
            .iter()
            .filter_map(|(p, b)| {
                let name = p.strip_prefix(&prefix)?;
                (!name.contains('/')).then(|| Listed {
                    name: name.to_owned(),
                    size: b.len() as u64,
                })
            })
            .collect())
    }

    fn create(
        &self,
        key: &Key,
        bytes: &[u8],
        options: CreateOptions,
    ) -> Result<Created, BackendError> {
        if options.retain_until.is_some() {
            return Err(BackendError::Unsupported {
                location: self.location(),
                message: "an in-memory vault cannot lock objects".to_owned(),
            });
        }
        let mut files = self.files();
        if files.contains_key(&key.path()) {
            return Ok(Created::Existed);
        }
        files.insert(key.path(), bytes.to_vec());
        Ok(Created::New)
    }

    fn create_streamed(
        &self,
        key: &Key,
        src: &mut dyn Read,
        len: u64,
        options: CreateOptions,
        progress: Progress<'_>,
    ) -> Result<Created, BackendError> {
        let mut buf = Vec::new();
        src.take(len)
            .read_to_end(&mut buf)
            .map_err(|source| BackendError::Io {
                path: key.path(),
                source,
            })?;
        progress(buf.len() as u64);
        self.create(key, &buf, options)
    }
}
