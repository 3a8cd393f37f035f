//! The escrow vault: write-once, content-addressed, packed, compressed storage of every
//! delivery, with a hash-chained ledger. See the README's "Vault layout" for the on-disk format.
//!
//! The vault stores bytes and records. It knows nothing of checks, scans, builds, manifests or
//! reports: a snapshot's report is JSON it keeps as given (`SnapshotRecord::report`), the
//! manifest is plain text, and the comparison of two snapshots groups files by whatever groups
//! its caller gives (`diff::Grouping`). It imports only the delivery layer and the leaves.
//!
//! Commit protocol of a deposit (crash-safe at any instant):
//! 1. new objects are appended to a pack in `tmp/`, fsynced, renamed into `packs/`, then its
//!    index is written the same way (an index only ever names a complete pack);
//! 2. the snapshot record is written to `snapshots/` (temp, fsync, rename);
//! 3. the ledger is rewritten with one more line (temp, fsync, rename): this is the commit point.
//!    A snapshot whose ledger line is absent is not listed, and `audit` reports it as left by an
//!    interrupted deposit.

pub mod audit;
pub mod audit_codes;
pub mod backend;
mod calendars;
pub mod deposit;
pub mod diff;
pub mod fsutil;
pub mod ledger;
pub mod lock;
pub mod pack;
pub mod restore;
pub mod snapshot;

use std::path::{Path, PathBuf};

pub use ledger::LedgerEntry;
pub use snapshot::SnapshotRecord;

/// The vault format this build writes and reads.
pub(crate) const FORMAT: u32 = 1;
const MARKER: &str = "VAULT";

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
    #[error("{}: vault format {found} is not supported by this escrow (it reads format {FORMAT}); use a newer escrow", path.display())]
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
    /// Another process held the write lock for `waited_secs` seconds.
    #[error("{}: the vault is locked by another escrow process ({holder}); waited {waited_secs} s. Try again when it has finished (ESCROW_LOCK_WAIT sets the wait in seconds)", path.display())]
    Locked {
        /// The vault's folder.
        path: PathBuf,
        /// Who holds the lock, as written in the `lock` file (`pid 1234`), or `unknown`.
        holder: String,
        /// How long this process waited, in whole seconds (`ESCROW_LOCK_WAIT`).
        waited_secs: u64,
    },
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

/// An opened vault.
#[derive(Debug, Clone)]
pub struct Vault {
    /// The vault's folder.
    pub root: PathBuf,
}

impl Vault {
    /// `packs/`: the packs and their indexes.
    pub(crate) fn packs_dir(&self) -> PathBuf {
        self.root.join("packs")
    }
    /// `snapshots/`: the snapshot records.
    pub fn snapshots_dir(&self) -> PathBuf {
        self.root.join("snapshots")
    }
    /// `tmp/`: files being written.
    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }
    /// `ledger.jsonl`: the ledger.
    pub fn ledger_path(&self) -> PathBuf {
        self.root.join("ledger.jsonl")
    }
    /// `lock`: the writers' lock file.
    pub(crate) fn lock_path(&self) -> PathBuf {
        self.root.join("lock")
    }

    /// Does `root` hold a vault?
    pub fn exists(root: &Path) -> bool {
        root.join(MARKER).is_file()
    }

    /// Create a vault at `root` (the folder may exist if it is empty). Returns the vault and
    /// whether it was created now (false: it was already a vault).
    pub fn init(root: &Path) -> Result<(Vault, bool), VaultError> {
        if Self::exists(root) {
            return Ok((Self::open(root)?, false));
        }
        if root.exists() {
            // Empty, or holding only what an interrupted or concurrent `init` leaves (the
            // vault's own folders, empty, and its lock and temporary files).
            let leftover = |e: &std::fs::DirEntry| {
                let name = e.file_name();
                match name.to_str() {
                    Some("packs" | "snapshots") => {
                        std::fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_none())
                    }
                    Some("tmp" | "lock") => true,
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
        }
        let v = Vault {
            root: root.to_owned(),
        };
        // The vault folder and everything in it is private to the user (0700 folders, 0600
        // files). An empty folder given for the vault is made private too when it is the
        // user's (otherwise `audit` reports its mode).
        if root.exists() {
            use std::os::unix::fs::PermissionsExt;
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
        for d in [v.packs_dir(), v.snapshots_dir(), v.tmp_dir()] {
            fsutil::create_private_dir(&d).map_err(io_err(&d))?;
        }
        fsutil::write_atomic(
            &v.tmp_dir(),
            &root.join(MARKER),
            format!("escrow-vault\nformat = {FORMAT}\n").as_bytes(),
        )?;
        Ok((v, true))
    }

    /// Open an existing vault.
    pub fn open(root: &Path) -> Result<Vault, VaultError> {
        let marker = root.join(MARKER);
        let text = match fsutil::read_regular(&marker, 4096) {
            Ok(t) => String::from_utf8_lossy(&t).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(VaultError::NotAVault {
                    path: root.to_owned(),
                });
            }
            Err(e) => return Err(io_err(&marker)(e)),
        };
        let format = text
            .lines()
            .find_map(|l| l.strip_prefix("format = "))
            .unwrap_or("?")
            .trim()
            .to_owned();
        if format != FORMAT.to_string() {
            return Err(VaultError::Format {
                path: root.to_owned(),
                found: format,
            });
        }
        let v = Vault {
            root: root.to_owned(),
        };
        for d in [v.packs_dir(), v.snapshots_dir(), v.tmp_dir()] {
            if !d.is_dir() {
                return Err(VaultError::Corrupt {
                    path: d,
                    message: "missing vault folder; the vault is damaged: run `escrow audit` and restore the vault from a backup".to_owned(),
                });
            }
        }
        Ok(v)
    }

    /// The ledger's deposit entries, in order.
    pub fn snapshots(&self) -> Result<Vec<LedgerEntry>, VaultError> {
        Ok(ledger::read(&self.ledger_path())?
            .entries
            .into_iter()
            .filter(|e| e.event == "deposit")
            .collect())
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

/// The short form of an id shown to people.
pub fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}
