//! The escrow vault: write-once, content-addressed, packed, compressed storage of every
//! delivery, with a hash-chained ledger. See the README's "Vault layout" for the on-disk format.
//!
//! The vault stores bytes and records. It knows nothing of checks, scans, builds, manifests or
//! reports: a snapshot's report is JSON it keeps as given (`SnapshotRecord::report`), the
//! manifest is plain text, and the comparison of two snapshots groups files by whatever groups
//! its caller gives (`diff::Grouping`). It imports only the delivery layer and the leaves.
//!
//! Every file goes through a storage [`backend::Backend`] (a local folder, S3, memory) that can
//! only create files that do not exist yet; nothing is locked, renamed or overwritten.
//!
//! Commit protocol of a deposit (crash-safe at any instant, safe against concurrent writers):
//! 1. new objects are appended to a pack in a temporary file, which gets a trailer listing its
//!    objects and is then created under its SHA-256; its index file is created after it (an
//!    index only ever names a complete pack);
//! 2. the snapshot record is created under its SHA-256 in `snapshots/`;
//! 3. the ledger entry is created as `ledger/<seq>.json`, only if absent: this is the commit
//!    point. A writer that finds the number taken reads the new entries, checks its deposit
//!    again (label, contract, terms) and retries with the next number on top of the winner.
//!    A snapshot whose ledger entry is absent is not listed, and `audit` reports it as left by
//!    an interrupted deposit.

pub mod audit;
pub mod audit_codes;
pub mod backend;
mod calendars;
pub mod deposit;
pub mod diff;
pub mod fsutil;
pub mod ledger;
pub mod pack;
pub mod replicate;
pub mod restore;
pub mod snapshot;
pub mod upgrade;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use backend::{Backend, BackendError, CreateOptions, FileKind, Key};

pub use ledger::LedgerEntry;
pub use snapshot::SnapshotRecord;

/// The snapshot-record format this build writes (`SnapshotRecord::format`; unchanged by the
/// vault format 2).
pub(crate) const FORMAT: u32 = 1;
/// The vault format this build writes: 2, write-once files on a storage backend, one ledger
/// entry per file. Format 1 (one `ledger.jsonl` rewritten per entry, packs without trailers, a
/// lock file) is read, audited and upgraded (`escrow vault upgrade`), never written.
pub const VAULT_FORMAT: u32 = 2;
const MARKER: &str = "VAULT";
/// The largest marker read.
const MAX_MARKER: u64 = 4096;

/// Why a vault operation failed.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// `path` holds no `VAULT` marker.
    #[error("{}: not an escrow vault (no VAULT file); give the right --vault, or create one with `escrow init`", path.display())]
    NotAVault {
        /// The folder given as the vault.
        path: PathBuf,
    },
    /// The vault at `path` has another format (`found`).
    #[error("{}: vault format {found} is not supported by this escrow (it reads formats 1 and {VAULT_FORMAT}); use a newer escrow", path.display())]
    Format {
        /// The vault's folder.
        path: PathBuf,
        /// The text after `format = ` in the `VAULT` file (`?` when that line is missing).
        found: String,
    },
    /// Reading or writing `path` failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder being read or written.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// `path` is damaged or was edited: run `audit`.
    #[error("{}: {message}", path.display())]
    Corrupt {
        /// The damaged file or folder (a pack, index, snapshot record, the ledger, …).
        path: PathBuf,
        /// What is wrong with it and what to do, in one sentence.
        message: String,
    },
    /// The vault has format 1, which this escrow reads but no longer writes.
    #[error("{}: this vault has the old format 1, which escrow reads but no longer adds to; convert it first with `escrow vault upgrade --vault {}` (every object is verified; nothing is lost) / 此托管库为旧格式 1，只能读取；请先执行 `escrow vault upgrade` 转换格式", path.display(), path.display())]
    OldFormat {
        /// The vault's folder.
        path: PathBuf,
    },
    /// Other writers kept taking the next ledger number first (`tries` attempts).
    #[error("{}: {tries} other entries were recorded while this one was being committed; nothing was recorded. Try again", path.display())]
    Busy {
        /// The vault.
        path: PathBuf,
        /// How many ledger numbers were tried.
        tries: u32,
    },
    /// The storage backend failed (the message names the vault and the file).
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// No snapshot has this label, id or id prefix.
    #[error("no snapshot matches {query:?}; `escrow list` shows the ids and labels")]
    NoSuchSnapshot {
        /// The label, id or id prefix as the user gave it.
        query: String,
    },
    /// Several snapshots' ids start with `query`.
    #[error("{query:?} matches several snapshots ({}); give more characters of the id", candidates.join(", "))]
    Ambiguous {
        /// The id prefix as the user gave it.
        query: String,
        /// The short ids (first 12 hex digits) of every snapshot it matches, in ledger order.
        candidates: Vec<String>,
    },
    /// Another snapshot (`id`) has this label.
    #[error("the label {label:?} is already used by snapshot {id}; choose another label")]
    LabelTaken {
        /// The label asked for.
        label: String,
        /// The short id (first 12 hex digits) of the snapshot that already has it.
        id: String,
    },
    /// The file at `path` changed while it was being deposited.
    #[error("{}: the file changed while it was being deposited; deposit again from a delivery nobody is writing to", path.display())]
    Changed {
        /// The delivery file whose content no longer matches its inventory hash.
        path: PathBuf,
    },
    /// The restore target `path` is not empty (and `force` was not given).
    #[error("{}: the restore target is not empty; choose an empty or new folder, or pass --force to write over it", path.display())]
    TargetNotEmpty {
        /// The restore target folder.
        path: PathBuf,
    },
    /// The vault holds the escrow of another contract: one vault, one contract.
    #[error("{}: this vault holds the escrow of contract {held:?} (first deposited as {held_label:?}); the manifest is for {}. Deposit each contract into its own vault: give --vault DIR (e.g. --vault escrow-vault-{}), or correct the manifest's [contract] id. / 此托管库保存的是合同「{held}」的托管（首次入库为「{held_label}」），而本次清单属于{}；每个合同请使用单独的托管库（--vault 指定文件夹），或更正清单 [contract] 中的 id。", path.display(), if given.is_empty() { "no contract (its [contract] has no id)".to_owned() } else { format!("contract {given:?}") }, folder_name(given), if given.is_empty() { "未填写合同编号的合同".to_owned() } else { format!("合同「{given}」") })]
    OtherContract {
        /// The vault's folder.
        path: PathBuf,
        /// The contract id the vault was bound to by its first deposit that named one.
        held: String,
        /// The label of that deposit.
        held_label: String,
        /// The contract id of the manifest given now (empty: none).
        given: String,
    },
    /// The manifest states other contract terms than those in force for the vault.
    #[error("{}: the manifest's contract terms ({given}) differ from those in force for this vault ({held}, recorded with the deposit {held_label:?}); a later deposit cannot change the deadlines obligations are measured by. If the contract was amended (补充协议), repeat with --amend-terms; otherwise correct the manifest's [contract] / 清单中的期限条款与本托管库记录的不一致；如合同确已变更（补充协议），请加 --amend-terms 重新执行，否则请更正清单", path.display())]
    TermsChanged {
        /// The vault's folder.
        path: PathBuf,
        /// The terms in force.
        held: String,
        /// The deposit that recorded them.
        held_label: String,
        /// The manifest's terms.
        given: String,
    },
    /// The request makes no sense (empty label, a vault inside the delivery, …).
    #[error("{message}")]
    Invalid {
        /// What is wrong with the request, in one sentence.
        message: String,
    },
}

/// A contract id as a folder-name suffix: letters, digits (any script), `-` and `_` kept,
/// anything else `-`; `OTHER` when nothing is left.
fn folder_name(id: &str) -> String {
    let s: String = id
        .chars()
        .take(60)
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.trim_matches('-').is_empty() {
        "OTHER".to_owned()
    } else {
        s
    }
}

/// Attach a path to an io error.
pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> VaultError + '_ {
    move |source| VaultError::Io {
        path: path.to_owned(),
        source,
    }
}

/// An opened vault: its backend, its format, and the packs fetched from a remote store.
#[derive(Clone)]
pub struct Vault {
    /// Where the vault is: its folder, or its `s3://BUCKET/PREFIX` location (as a path, for
    /// messages).
    pub root: PathBuf,
    /// The vault format in the `VAULT` marker (1 or 2).
    pub format: u32,
    backend: Arc<dyn Backend>,
    packs: Arc<PackCache>,
    retain_until: Option<time::OffsetDateTime>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("location", &self.backend.location())
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

/// Packs of a remote vault, fetched once into temporary files so that reading many objects
/// from one pack costs one download (bounded memory: the files are on disk).
#[derive(Default)]
struct PackCache {
    dir: Mutex<Option<tempfile::TempDir>>,
    files: Mutex<HashMap<String, Arc<std::fs::File>>>,
}

impl Vault {
    /// `packs/`: the packs and their indexes (local vaults; for messages elsewhere).
    pub(crate) fn packs_dir(&self) -> PathBuf {
        self.root.join("packs")
    }
    /// `snapshots/`: the snapshot records.
    pub fn snapshots_dir(&self) -> PathBuf {
        self.root.join("snapshots")
    }
    /// `tmp/`: files being written (local vaults only).
    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }
    /// The ledger: `ledger/` (format 2) or `ledger.jsonl` (format 1), for messages.
    pub fn ledger_path(&self) -> PathBuf {
        if self.format == 1 {
            self.root.join("ledger.jsonl")
        } else {
            self.root.join("ledger")
        }
    }
    /// Where `key` is, for messages.
    pub fn path_of(&self, key: &Key) -> PathBuf {
        self.root.join(key.path())
    }

    /// The storage backend.
    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    /// The vault's location as the user gives it (`/srv/vault`, `s3://bucket/prefix`).
    pub fn location(&self) -> String {
        self.backend.location()
    }

    /// Store every new object in S3 Object Lock compliance mode until `until` (see
    /// `CreateOptions::retain_until`).
    #[must_use]
    pub fn with_retention(mut self, until: Option<time::OffsetDateTime>) -> Vault {
        self.retain_until = until;
        self
    }

    /// The options every file of this vault is created with.
    pub(crate) fn create_options(&self) -> CreateOptions {
        CreateOptions {
            retain_until: self.retain_until,
        }
    }

    /// Create `key` with `bytes` unless it exists (the format-2 write primitive).
    pub(crate) fn create(&self, key: &Key, bytes: &[u8]) -> Result<backend::Created, VaultError> {
        Ok(self.backend.create(key, bytes, self.create_options())?)
    }

    /// Refuse to write into a format-1 vault.
    ///
    /// Errors: `OldFormat`.
    pub fn require_current(&self) -> Result<(), VaultError> {
        if self.format == 1 {
            return Err(VaultError::OldFormat {
                path: self.root.clone(),
            });
        }
        Ok(())
    }

    /// Does `root` hold a vault?
    pub fn exists(root: &Path) -> bool {
        root.join(MARKER).is_file()
    }

    /// Create a vault at `root` (the folder may exist if it is empty). Returns the vault and
    /// whether it was created now (false: it was already a vault).
    pub fn init(root: &Path) -> Result<(Vault, bool), VaultError> {
        use std::os::unix::fs::PermissionsExt;
        if Self::exists(root) {
            return Ok((Self::open(root)?, false));
        }
        if root.exists() {
            // Empty, or holding only what an interrupted or concurrent `init` leaves (the
            // vault's own folders, empty, and its temporary files).
            let leftover = |e: &std::fs::DirEntry| {
                let name = e.file_name();
                match name.to_str() {
                    Some("packs" | "snapshots" | "ledger" | "calendars") => {
                        std::fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_none())
                    }
                    Some("tmp") => true,
                    _ => false,
                }
            };
            let mut it = std::fs::read_dir(root).map_err(io_err(root))?;
            if it.any(|e| e.is_ok_and(|e| !leftover(&e))) {
                return Err(VaultError::Invalid {
                    message: format!(
                        "{}: the folder exists and is not empty, and is not an escrow vault; choose a new or empty folder for the vault",
                        root.display()
                    ),
                });
            }
            // The vault folder and everything in it is private to the user (0700 folders,
            // 0600 files). An empty folder given for the vault is made private too when it is
            // the user's (otherwise `audit` reports its mode).
            let mode = std::fs::metadata(root)
                .map_err(io_err(root))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                let _ =
                    std::fs::set_permissions(root, std::fs::Permissions::from_mode(mode & 0o700));
            }
        } else {
            if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            }
            fsutil::create_private_dir(root).map_err(io_err(root))?;
        }
        for d in ["packs", "snapshots", "ledger", "tmp"] {
            let d = root.join(d);
            fsutil::create_private_dir(&d).map_err(io_err(&d))?;
        }
        Self::init_backend(Arc::new(backend::local::Local::new(root)), root)
    }

    /// Create a vault on `backend` unless one is there; the store must hold nothing else.
    /// `root` names it in messages.
    pub fn init_backend(
        backend: Arc<dyn Backend>,
        root: &Path,
    ) -> Result<(Vault, bool), VaultError> {
        match backend.read(&Key::marker(), MAX_MARKER) {
            Ok(_) => return Ok((Self::open_backend(backend, root)?, false)),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
        for kind in FileKind::ALL {
            if let Some(f) = backend.list(kind)?.first() {
                return Err(VaultError::Invalid {
                    message: format!(
                        "{}: holds {} but no VAULT marker: it is not an escrow vault; choose a new or empty place for the vault",
                        backend.location(),
                        if kind.folder().is_empty() {
                            f.name.clone()
                        } else {
                            format!("{}/{}", kind.folder(), f.name)
                        }
                    ),
                });
            }
        }
        backend.create(
            &Key::marker(),
            format!("escrow-vault\nformat = {VAULT_FORMAT}\n").as_bytes(),
            CreateOptions::default(),
        )?;
        Ok((Self::open_backend(backend, root)?, true))
    }

    /// Open an existing vault in a local folder.
    pub fn open(root: &Path) -> Result<Vault, VaultError> {
        Self::open_backend(Arc::new(backend::local::Local::new(root)), root)
    }

    /// Open the vault at `location`: a folder, or `s3://BUCKET/PREFIX` configured by `env`
    /// (the standard `AWS_*` variables).
    pub fn open_at(
        location: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Vault, VaultError> {
        let b: Arc<dyn Backend> = backend::open(location, env)?.into();
        Self::open_backend(b, Path::new(location))
    }

    /// Create (or open) the vault at `location`, as [`Vault::open_at`] opens it.
    pub fn init_at(
        location: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(Vault, bool), VaultError> {
        if is_remote(location) {
            let b: Arc<dyn Backend> = backend::open(location, env)?.into();
            Self::init_backend(b, Path::new(location))
        } else {
            Self::init(Path::new(location))
        }
    }

    /// Open the vault on `backend` (`root` names it in messages).
    pub fn open_backend(backend: Arc<dyn Backend>, root: &Path) -> Result<Vault, VaultError> {
        let text = match backend.read(&Key::marker(), MAX_MARKER) {
            Ok(t) => String::from_utf8_lossy(&t).into_owned(),
            Err(e) if e.is_not_found() => {
                return Err(VaultError::NotAVault {
                    path: root.to_owned(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let found = text
            .lines()
            .find_map(|l| l.strip_prefix("format = "))
            .unwrap_or("?")
            .trim()
            .to_owned();
        let format = match found.as_str() {
            "1" if backend.local_root().is_some() => 1,
            "1" => {
                return Err(VaultError::Invalid {
                    message: format!(
                        "{}: this vault has the old format 1, copied onto object storage by another tool; escrow converts format 1 only in a folder: copy it to a local folder, run `escrow vault upgrade --vault FOLDER`, then `escrow vault replicate FOLDER {}`",
                        root.display(),
                        root.display()
                    ),
                });
            }
            "2" => VAULT_FORMAT,
            _ => {
                return Err(VaultError::Format {
                    path: root.to_owned(),
                    found,
                });
            }
        };
        let v = Vault {
            root: root.to_owned(),
            format,
            backend,
            packs: Arc::new(PackCache::default()),
            retain_until: None,
        };
        if let Some(root) = v.backend.local_root() {
            // The vault's folders are its own: a symbolic link planted in place of one would
            // send deposits (or reads) elsewhere.
            for d in ["packs", "snapshots", "ledger", "calendars", "tmp"] {
                let d = root.join(d);
                if std::fs::symlink_metadata(&d).is_ok_and(|m| !m.file_type().is_dir()) {
                    return Err(VaultError::Corrupt {
                        path: d,
                        message: "is not a folder (a symbolic link or a file), which escrow never makes: the vault was tampered with; restore it from a backup or replica".to_owned(),
                    });
                }
            }
        }
        if format == 1 {
            for d in [v.packs_dir(), v.snapshots_dir()] {
                if !d.is_dir() {
                    return Err(VaultError::Corrupt {
                        path: d,
                        message: "missing vault folder; the vault is damaged: run `escrow audit` and restore the vault from a backup".to_owned(),
                    });
                }
            }
        }
        Ok(v)
    }

    /// The ledger as it stands (see [`ledger::read_vault`]).
    pub fn ledger(&self) -> Result<ledger::Ledger, VaultError> {
        ledger::read_vault(self)
    }

    /// The ledger's deposit entries, in order.
    pub fn snapshots(&self) -> Result<Vec<LedgerEntry>, VaultError> {
        Ok(self
            .ledger()?
            .entries
            .into_iter()
            .filter(|e| e.event == "deposit")
            .collect())
    }

    /// A pack's bytes as a local file: the vault's own file for a local vault, a temporary
    /// copy fetched once for a remote one. Errors: the pack is missing or unreadable.
    pub(crate) fn pack_file(&self, id: &str) -> Result<Arc<std::fs::File>, VaultError> {
        let key = Key::content(FileKind::Pack, id).ok_or_else(|| VaultError::Corrupt {
            path: self.packs_dir(),
            message: format!("{id:?} is not a pack id; run `escrow audit`"),
        })?;
        if let Some(root) = self.backend.local_root() {
            let path = root.join(key.path());
            return Ok(Arc::new(
                pack::open_pack_file(&path).map_err(io_err(&path))?,
            ));
        }
        if let Some(f) = lock(&self.packs.files).get(id) {
            return Ok(f.clone());
        }
        let mut dir = lock(&self.packs.dir);
        if dir.is_none() {
            *dir = Some(
                tempfile::Builder::new()
                    .prefix("escrow-packs-")
                    .tempdir()
                    .map_err(io_err(&std::env::temp_dir()))?,
            );
        }
        let path = dir.as_ref().expect("set above").path().join(id);
        drop(dir);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(io_err(&path))?;
        {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, &mut file);
            self.backend.read_to(&key, &mut w)?;
            std::io::Write::flush(&mut w).map_err(io_err(&path))?;
        }
        let f = Arc::new(file);
        lock(&self.packs.files).insert(id.to_owned(), f.clone());
        Ok(f)
    }

    /// Drop a remote pack's temporary copy (after `audit` has verified it), so the copies of a
    /// whole vault never pile up on the local disk.
    pub(crate) fn forget_pack(&self, id: &str) {
        lock(&self.packs.files).remove(id);
        if let Some(dir) = lock(&self.packs.dir).as_ref() {
            let _ = std::fs::remove_file(dir.path().join(id));
        }
    }

    /// Find a snapshot by label, full id or unique id prefix.
    pub fn resolve(&self, query: &str) -> Result<LedgerEntry, VaultError> {
        let all = self.snapshots()?;
        if let Some(e) = all.iter().find(|e| e.label == query) {
            return Ok(e.clone());
        }
        let q = query.to_ascii_lowercase();
        let hits: Vec<&LedgerEntry> = if q.len() >= 4 && q.bytes().all(|b| b.is_ascii_hexdigit()) {
            all.iter().filter(|e| e.snapshot.starts_with(&q)).collect()
        } else {
            Vec::new()
        };
        match hits.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(VaultError::NoSuchSnapshot {
                query: query.to_owned(),
            }),
            many => Err(VaultError::Ambiguous {
                query: query.to_owned(),
                candidates: many.iter().map(|e| short(&e.snapshot).to_owned()).collect(),
            }),
        }
    }

    /// Load and verify a snapshot record (its content must hash to its id).
    pub fn load_snapshot(&self, id: &str) -> Result<SnapshotRecord, VaultError> {
        snapshot::load(self, id)
    }

    /// A snapshot's whole file list.
    pub fn load_entries(
        &self,
        record: &SnapshotRecord,
    ) -> Result<Vec<snapshot::RecEntry>, VaultError> {
        snapshot::load_entries(self, &pack::Index::load(self)?, record)
    }
}

/// Whether `location` names an object store (`s3://…`) rather than a folder.
pub fn is_remote(location: &str) -> bool {
    location.starts_with("s3://")
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The short form of an id shown to people.
pub fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}
