//! Where a vault's files live: a storage backend with a deliberately small contract, so that the
//! same vault format works on a local folder, on S3-compatible object storage, and in memory for
//! tests (after rustic_core's `ReadBackend`/`WriteBackend`: typed file kinds, whole and ranged
//! reads, listings with sizes).
//!
//! The contract: **nothing overwrites or deletes a committed file.** A backend can read a file
//! whole or a byte range of it, list a folder with sizes, and create a file *only if absent*
//! ([`Backend::create`]): the local folder creates a complete temporary file and hard-links it
//! into place (`link(2)` fails when the name exists), S3 sends `If-None-Match: *`. Every vault
//! file but the ledger entries is named by the SHA-256 of what it holds, so two writers creating
//! the same name create the same bytes; ledger entries are named by sequence number, so two
//! writers racing for one number cannot both win, and the loser builds on the winner.

pub mod local;
pub mod memory;
pub mod s3;

use std::fmt;
use std::io::{Read, Write};

/// The folders of a vault, one per kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// `VAULT`: the marker naming the format (one file, no folder).
    Marker,
    /// `packs/<sha256>.pack`: concatenated zstd frames of file contents, then a trailer.
    Pack,
    /// `packs/<sha256 of the pack>.idx`: the index of the pack of the same name.
    Index,
    /// `snapshots/<sha256>.json.zst`: snapshot records.
    Snapshot,
    /// `ledger/<seq, 20 digits>.json`: one ledger entry per file.
    Ledger,
    /// `calendars/<sha256>.toml`: holiday notices added with `escrow calendar add`.
    Calendar,
}

impl FileKind {
    /// Every kind, in the order a replication copies them (the ledger last: it commits).
    pub const ALL: [FileKind; 6] = [
        FileKind::Marker,
        FileKind::Pack,
        FileKind::Index,
        FileKind::Calendar,
        FileKind::Snapshot,
        FileKind::Ledger,
    ];

    /// The folder of this kind, relative to the vault's root (`""` for the marker).
    pub fn folder(self) -> &'static str {
        match self {
            FileKind::Marker => "",
            FileKind::Pack | FileKind::Index => "packs",
            FileKind::Snapshot => "snapshots",
            FileKind::Ledger => "ledger",
            FileKind::Calendar => "calendars",
        }
    }

    /// The file-name suffix of this kind.
    pub fn suffix(self) -> &'static str {
        match self {
            FileKind::Marker => "",
            FileKind::Pack => ".pack",
            FileKind::Index => ".idx",
            FileKind::Snapshot => ".json.zst",
            FileKind::Ledger => ".json",
            FileKind::Calendar => ".toml",
        }
    }
}

/// A vault file's typed name: its kind and its id (64 lowercase hex digits for content-named
/// kinds, 20 decimal digits for ledger entries, empty for the marker). Only [`Key::parse`] and
/// the constructors make keys, so a key never names anything outside the vault.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    kind: FileKind,
    id: String,
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Key {
    /// The `VAULT` marker.
    pub fn marker() -> Key {
        Key {
            kind: FileKind::Marker,
            id: String::new(),
        }
    }

    /// A content-named file of `kind` (not `Ledger` nor `Marker`); `None` unless `id` is 64
    /// lowercase hex digits.
    pub fn content(kind: FileKind, id: &str) -> Option<Key> {
        (!matches!(kind, FileKind::Ledger | FileKind::Marker) && is_hex64(id)).then(|| Key {
            kind,
            id: id.to_owned(),
        })
    }

    /// Ledger entry number `seq` (0, 1, 2, …).
    pub fn ledger(seq: u64) -> Key {
        Key {
            kind: FileKind::Ledger,
            id: format!("{seq:020}"),
        }
    }

    /// The key of `name`, a file name found in `kind`'s folder; `None` for a name the vault
    /// never writes there (a stray file).
    pub fn parse(kind: FileKind, name: &str) -> Option<Key> {
        if kind == FileKind::Marker {
            return (name == "VAULT").then(Key::marker);
        }
        let id = name.strip_suffix(kind.suffix())?;
        if kind == FileKind::Ledger {
            return (id.len() == 20 && id.bytes().all(|b| b.is_ascii_digit())).then(|| Key {
                kind,
                id: id.to_owned(),
            });
        }
        Key::content(kind, id)
    }

    /// The kind.
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// The id: hex for content-named files, the 20-digit sequence number for ledger entries.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The ledger sequence number (`None` for other kinds).
    pub fn seq(&self) -> Option<u64> {
        (self.kind == FileKind::Ledger)
            .then(|| self.id.parse().ok())
            .flatten()
    }

    /// The file name within its folder.
    pub fn name(&self) -> String {
        match self.kind {
            FileKind::Marker => "VAULT".to_owned(),
            k => format!("{}{}", self.id, k.suffix()),
        }
    }

    /// The path relative to the vault's root, `/`-separated (`packs/<id>.pack`, `VAULT`).
    pub fn path(&self) -> String {
        match self.kind {
            FileKind::Marker => "VAULT".to_owned(),
            k => format!("{}/{}", k.folder(), self.name()),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// One file found by [`Backend::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The file's name in its folder, as found (it may not be a name the vault writes).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What [`Backend::create`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// The file did not exist and now holds the bytes given.
    New,
    /// A file of that name already existed; nothing was written. For content-named files this
    /// means the same content is stored; for a ledger entry, another writer took the number.
    Existed,
}

/// How to create a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreateOptions {
    /// S3 Object Lock: keep the object in compliance mode until this instant (nobody, not even
    /// the bucket's owner, can delete or overwrite it before). Backends that cannot lock refuse
    /// with [`BackendError::Unsupported`] rather than store an unlocked object silently.
    pub retain_until: Option<time::OffsetDateTime>,
}

/// Why a backend operation failed. Every variant names the vault's location and the file.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The file does not exist.
    #[error("{location}: {key} does not exist")]
    NotFound {
        /// The vault (`/path/to/vault`, `s3://bucket/prefix`).
        location: String,
        /// The file.
        key: String,
    },
    /// The file is larger than the reader accepts (`max` bytes): a planted huge file cannot
    /// exhaust memory.
    #[error("{location}: {key} is {size} bytes, more than the {max} such a vault file can hold")]
    TooLarge {
        /// The vault.
        location: String,
        /// The file.
        key: String,
        /// Its size.
        size: u64,
        /// The largest accepted.
        max: u64,
    },
    /// A local I/O error (the path names the file or folder).
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The object store refused or failed (network, credentials, bucket missing, …).
    #[error("{location}: {key}: {message}")]
    Remote {
        /// The vault.
        location: String,
        /// The file (or `""` for the whole store).
        key: String,
        /// The store's error and what to do, in one sentence.
        message: String,
    },
    /// The backend cannot do what was asked (Object Lock on a local folder, …).
    #[error("{location}: {message}")]
    Unsupported {
        /// The vault.
        location: String,
        /// What cannot be done and what to do instead.
        message: String,
    },
}

impl BackendError {
    /// Whether the file was absent.
    pub fn is_not_found(&self) -> bool {
        matches!(self, BackendError::NotFound { .. })
    }
}

/// Called with the number of bytes sent so far while a large file is stored.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// The backend for `location`: an S3 bucket for `s3://BUCKET/PREFIX` (reached with the standard
/// `AWS_*` variables, read through `env`), a local folder otherwise.
pub fn open(
    location: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Box<dyn Backend>, BackendError> {
    if location.starts_with("s3://") {
        let config = s3::S3Config::from_env(env);
        return Ok(Box::new(s3::S3::open(location, &config)?));
    }
    Ok(Box::new(local::Local::new(std::path::Path::new(location))))
}

/// A place that stores a vault's files. Implementations must be safe to call from many threads.
pub trait Backend: Send + Sync + fmt::Debug {
    /// Where the vault is, as the user gives it (`/srv/escrow-vault`, `s3://bucket/prefix`).
    fn location(&self) -> String;

    /// The vault's folder when it is on the local file system (audit checks its permissions and
    /// temporary files; packs are read in place). `None` for object stores.
    fn local_root(&self) -> Option<&std::path::Path> {
        None
    }

    /// Read a whole file, refusing one larger than `max` bytes.
    fn read(&self, key: &Key, max: u64) -> Result<Vec<u8>, BackendError>;

    /// Read `len` bytes from `offset`. Errors when the file is shorter.
    fn read_range(&self, key: &Key, offset: u64, len: u64) -> Result<Vec<u8>, BackendError>;

    /// Stream a whole file into `out`, returning its length (bounded memory for large packs).
    fn read_to(&self, key: &Key, out: &mut dyn Write) -> Result<u64, BackendError>;

    /// The file's size, or `None` when it does not exist.
    fn size(&self, key: &Key) -> Result<Option<u64>, BackendError>;

    /// Every file in `kind`'s folder (for `Marker`: the root's files), with sizes, sorted by
    /// name. Names the vault never writes are listed too (audit reports them).
    fn list(&self, kind: FileKind) -> Result<Vec<Listed>, BackendError>;

    /// Create `key` holding `bytes` if and only if no file has that name; atomic: a reader sees
    /// the whole file or none, whatever happens to the writer.
    fn create(
        &self,
        key: &Key,
        bytes: &[u8],
        options: CreateOptions,
    ) -> Result<Created, BackendError>;

    /// Create `key` from `len` bytes read from `src` (a large pack), with bounded memory
    /// (multipart on S3), calling `progress` with the bytes sent so far. Only for content-named
    /// kinds: if two writers race, both store the same bytes.
    fn create_streamed(
        &self,
        key: &Key,
        src: &mut dyn Read,
        len: u64,
        options: CreateOptions,
        progress: Progress<'_>,
    ) -> Result<Created, BackendError>;

    /// Whether [`CreateOptions::retain_until`] can be honoured here.
    fn supports_retention(&self) -> bool {
        false
    }
}
