//! Deliveries: where the source comes from, staged as a read-only tree with an inventory.

pub mod archive;
pub mod codes;
pub mod git;
pub mod gitconfig;
pub mod inventory;
pub mod names;
pub mod portable;
pub mod safefs;
pub mod staging;

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use inventory::{Entry, EntryKind, Inventory};

use crate::progress::Progress;

/// Why a delivery could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Nothing exists at the path given.
    #[error("{}: no such delivery; give the folder the vendor delivered", path.display())]
    NotFound {
        /// The delivery's path as given.
        path: PathBuf,
    },
    /// The path is a file whose first bytes are not those of an archive format escrow reads.
    #[error(
        "{}: is a file that is neither a folder nor an archive escrow reads (zip, tar, tar.gz, tar.xz, tar.zst, tar.bz2)",
        path.display()
    )]
    NotADirectory {
        /// The delivery's path as given.
        path: PathBuf,
    },
    /// An archive or git repository could not be taken: an unsupported format (7z, RAR), a
    /// damaged or truncated archive, a limit exceeded (`archive::Limits`), a ref that names no
    /// commit, git not installed, …
    #[error("{}: {message}", path.display())]
    Archive {
        /// The archive's path, or the repository as given (a path or URL).
        path: PathBuf,
        /// What went wrong and what to do, in one sentence.
        message: String,
    },
    /// Reading a file or folder of the delivery failed (permissions, I/O error, a file that
    /// vanished while the inventory was taken).
    #[error("{}: cannot read ({source}); make the delivery readable by this user and run again", path.display())]
    Unreadable {
        /// The file or folder that could not be read.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

/// Where a delivery came from, as recorded in reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// `dir` (a folder, read in place), `archive` or `git` (a repository cloned by escrow).
    pub kind: String,
    /// The path as the user gave it.
    pub path: String,
    /// Archives: `zip`, `tar`, `tar.gz`, `tar.xz`, `tar.zst` or `tar.bz2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Archives: SHA-256 of the archive file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// When the content sat in one top-level folder, the delivery is rooted there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rooted_at: Option<String>,
    /// Git: the commit delivered (for a folder that is a work tree: its HEAD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Git: the branch, tag or commit asked for.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// Git: the commit's date, UTC, RFC 3339 (`2026-03-01T08:00:00Z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Git: the commit's author as `Name <email>` (bytes that are not UTF-8 replaced by U+FFFD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// A folder that is a git work tree: whether it differs from its HEAD commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dirty: Option<bool>,
    /// Git: the repository is a shallow clone (history cut short).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shallow: Option<bool>,
}

/// How to read a delivery.
#[derive(Clone, Default)]
pub struct Ingest {
    /// Bounds on what an archive or git delivery may unpack to.
    pub limits: archive::Limits,
    /// Git: the branch, tag or commit to take (default HEAD).
    pub git_ref: Option<String>,
    /// Git: also keep the repository's whole history, as a `git bundle`.
    pub with_history: bool,
    /// Looks at every file's bytes as they are hashed (the technical-barrier scan).
    pub inspector: Option<std::sync::Arc<dyn inventory::Inspector>>,
    /// Archives: the files later steps read again, the only ones written to disk; `None`
    /// writes the whole tree (a build needs it). Every file is hashed, inspected and handed to
    /// the sink as it is read either way.
    pub keep: Option<std::sync::Arc<dyn archive::stream::Keep>>,
}

impl std::fmt::Debug for Ingest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingest")
            .field("limits", &self.limits)
            .field("git_ref", &self.git_ref)
            .field("with_history", &self.with_history)
            .field("inspector", &self.inspector.is_some())
            .field("keep", &self.keep.is_some())
            .finish()
    }
}

/// A delivery ready to check: its root on disk and its inventory.
#[derive(Debug)]
pub struct Delivery {
    /// The folder the inventory was taken of: the delivery folder itself, or, for an archive or
    /// git delivery, the private staging folder it was unpacked into (removed on drop). When an
    /// archive's content sat in one top-level folder, that folder (`Source::rooted_at`).
    pub root: PathBuf,
    /// Where the delivery came from, as reports record it.
    pub source: Source,
    /// Every entry under `root`, sorted by path bytes, files hashed.
    pub inventory: Inventory,
    /// Findings about the delivery's packaging (archive entries refused, encrypted, setuid
    /// modes, …).
    pub notes: Vec<crate::finding::Finding>,
    /// Git with `with_history`: the repository's history as a `git bundle` file.
    pub history: Option<PathBuf>,
    /// The handle of `root`, through which the inventory was taken: read the delivery's files
    /// through it (`open_file`), never through `root` joined with a path, which would follow a
    /// link the vendor put in place of a folder since.
    root_fd: OwnedFd,
    /// The private folder an archive was unpacked into; removed when the delivery is dropped.
    _staging: Option<staging::Staging>,
}

impl Delivery {
    /// The handle of the delivery's root folder.
    pub fn root_fd(&self) -> BorrowedFd<'_> {
        self.root_fd.as_fd()
    }

    /// Open the regular file at `rel` (an inventory path) for reading, through the root's
    /// handle, following no link on any component. Compare what is read with the inventory's
    /// SHA-256 before trusting it: the vendor may still be writing a delivery folder.
    pub fn open_file(&self, rel: &[u8]) -> std::io::Result<std::fs::File> {
        safefs::open_file(self.root_fd.as_fd(), rel)
    }
}

/// Open a delivery folder and take its inventory.
pub fn open(path: &Path, progress: &dyn Progress) -> Result<Delivery, DeliveryError> {
    open_with(path, progress, None, &Ingest::default())
}

/// `open`, handing small files' contents to `sink` as they are read (see `ContentSink`).
/// Whatever the delivery's form, its notes include the names that are not portable
/// (`portable::name_notes`).
pub fn open_with(
    path: &Path,
    progress: &dyn Progress,
    sink: Option<&dyn inventory::ContentSink>,
    ingest: &Ingest,
) -> Result<Delivery, DeliveryError> {
    let mut d = open_any(path, progress, sink, ingest)?;
    d.notes.extend(portable::name_notes(&d.inventory));
    Ok(d)
}

/// `open_with` for any delivery form: a git repository, a folder or an archive.
fn open_any(
    path: &Path,
    progress: &dyn Progress,
    sink: Option<&dyn inventory::ContentSink>,
    ingest: &Ingest,
) -> Result<Delivery, DeliveryError> {
    let spec = path.to_string_lossy();
    // A repository to clone; or a work tree when a ref or its history is asked for (otherwise a
    // work tree is a folder like any other: every file, uncommitted changes included).
    let wants_git = ingest.git_ref.is_some() || ingest.with_history;
    if git::is_repository(&spec) || (wants_git && git::work_tree(path).is_some()) {
        return open_git(path, &spec, progress, sink, ingest);
    }
    let meta = std::fs::metadata(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            DeliveryError::NotFound {
                path: path.to_owned(),
            }
        } else {
            DeliveryError::Unreadable {
                path: path.to_owned(),
                source,
            }
        }
    })?;
    if meta.is_dir() {
        return open_dir(path, progress, sink, ingest);
    }
    let Some(format) = archive::detect(path)? else {
        return Err(DeliveryError::NotADirectory {
            path: path.to_owned(),
        });
    };
    open_archive(path, format, progress, sink, ingest)
}

/// `open_with` for a folder: its inventory, read in place through a handle.
fn open_dir(
    path: &Path,
    progress: &dyn Progress,
    sink: Option<&dyn inventory::ContentSink>,
    ingest: &Ingest,
) -> Result<Delivery, DeliveryError> {
    let root_fd = safefs::open_root(path).map_err(|source| DeliveryError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    let inventory = inventory::build_known(
        path,
        root_fd.as_fd(),
        progress,
        sink,
        ingest.inspector.as_deref(),
    )?;
    let notes = inventory::mode_notes(&inventory);
    let work_tree = git::work_tree(path);
    Ok(Delivery {
        root: path.to_owned(),
        source: Source {
            kind: "dir".to_owned(),
            path: path.display().to_string(),
            commit: work_tree.as_ref().map(|w| w.0.clone()),
            dirty: work_tree.map(|w| w.1),
            ..Source::default()
        },
        inventory,
        notes,
        history: None,
        root_fd,
        _staging: None,
    })
}

/// `open_with` for an archive: read as a stream (each file hashed, inspected and stored as it
/// is read; only the files kept written into a private staging folder), rooted in its only
/// top-level folder when it has one.
fn open_archive(
    path: &Path,
    format: archive::ArchiveFormat,
    progress: &dyn Progress,
    sink: Option<&dyn inventory::ContentSink>,
    ingest: &Ingest,
) -> Result<Delivery, DeliveryError> {
    let sha256 = hash_archive(path, progress)?;
    let staging = staging::Staging::create(progress)?;
    let consumers = archive::stream::Consumers {
        inspector: ingest.inspector.as_deref(),
        sink,
        keep: ingest.keep.as_deref(),
    };
    let mut again = archive::Again::default();
    let mut pass = 0;
    let (tree, tree_fd, unpacked, top) = loop {
        pass += 1;
        let name = if pass == 1 {
            "tree".to_owned()
        } else {
            format!("tree{pass}")
        };
        let (tree, tree_fd) = staging_tree(&staging, &name)?;
        match archive::unpack_streamed(
            path,
            format,
            &tree,
            ingest.limits,
            progress,
            consumers,
            &again,
        )? {
            archive::Streamed::Done(unpacked, top) => break (tree, tree_fd, unpacked, top),
            // The root, then hard links to files not written: at most three reads.
            archive::Streamed::Restart(next) if pass < 3 => {
                if let Some(i) = &ingest.inspector {
                    i.reset();
                }
                again = next;
            }
            archive::Streamed::Restart(_) => {
                return Err(DeliveryError::Archive {
                    path: path.to_owned(),
                    message: "reads differently each time: the archive is damaged or changed while it was read; ask the vendor for a sound archive".to_owned(),
                });
            }
        }
    };
    let (root, root_fd, rooted_at, entries, notes) = root_at_top(&tree, tree_fd, top, unpacked)?;
    let inventory = inventory::from_entries(&root, root_fd.as_fd(), entries, progress, None, None)?;
    Ok(Delivery {
        root,
        source: Source {
            kind: "archive".to_owned(),
            path: path.display().to_string(),
            format: Some(format.as_str().to_owned()),
            sha256: Some(sha256),
            rooted_at,
            ..Source::default()
        },
        inventory,
        notes,
        history: None,
        root_fd,
        _staging: Some(staging),
    })
}

/// The archive's SHA-256 (hex), read once with a progress bar (the report and the deposit
/// record identify the delivery by it).
fn hash_archive(path: &Path, progress: &dyn Progress) -> Result<String, DeliveryError> {
    use sha2::Digest;
    use std::io::Read;
    let err = |source| DeliveryError::Unreadable {
        path: path.to_owned(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(err)?;
    let len = f.metadata().map_err(err)?.len();
    progress.begin("digest", 0, len);
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let result = loop {
        match f.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                h.update(&buf[..n]);
                progress.advance(0, n as u64);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => break Err(err(e)),
        }
    };
    progress.finish();
    result?;
    let digest: [u8; 32] = h.finalize().into();
    Ok(crate::hash::hex(&digest))
}

/// Root an unpacked tree in its one top-level folder `top` (made when none of its files was
/// written), setting aside the system's files beside it: the root's path and handle, the
/// folder's name, the entries below it and the findings, with paths relative to it.
#[allow(clippy::type_complexity)]
fn root_at_top(
    tree: &Path,
    tree_fd: OwnedFd,
    top: Option<Vec<u8>>,
    unpacked: archive::Unpacked,
) -> Result<
    (
        PathBuf,
        OwnedFd,
        Option<String>,
        Vec<Entry>,
        Vec<crate::finding::Finding>,
    ),
    DeliveryError,
> {
    let mut entries = unpacked.entries;
    let mut notes = unpacked.findings;
    // Content in one top-level folder (his-v2.3/…, as most zips are made) is rooted there; the
    // files the packing system adds beside it are set aside.
    let mut root = tree.to_path_buf();
    let mut root_fd = tree_fd;
    let mut rooted_at = None;
    if let Some(only) = top {
        // Made when none of its files was written.
        let fd = safefs::make_dirs(root_fd.as_fd(), &only).map_err(|e| {
            let source = match e {
                safefs::MakeDirError::Io(e) => e,
                safefs::MakeDirError::NotAFolder => safefs::changed("the top folder"),
            };
            DeliveryError::Unreadable {
                path: tree.to_path_buf(),
                source,
            }
        })?;
        rooted_at = Some(names::display(&only));
        root = tree.join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&only));
        root_fd = fd;
        let lead = [only.as_slice(), b"/"].concat();
        let mut aside = Vec::new();
        entries.retain(|e| {
            if e.path.starts_with(&lead) {
                return true;
            }
            if *e.path != *only && e.kind != EntryKind::Dir {
                aside.push(names::display(&e.path));
            }
            false
        });
        for e in &mut entries {
            e.path = e.path[lead.len()..].into();
        }
        if !aside.is_empty() {
            notes.push(set_aside(&aside));
        }
        let lead = format!("{}/", names::display(&only));
        for f in &mut notes {
            if let Some(p) = f.path.as_deref().and_then(|p| p.strip_prefix(&lead)) {
                f.path = Some(p.to_owned());
            }
        }
    }
    Ok((root, root_fd, rooted_at, entries, notes))
}

/// The `os-metadata-set-aside` note for the system's files beside the top folder.
fn set_aside(paths: &[String]) -> crate::finding::Finding {
    let n = paths.len();
    let mut evidence: Vec<String> = paths.iter().take(20).cloned().collect();
    if n > 20 {
        evidence.push(format!("… and {} more ({n} in all)", n - 20));
    }
    crate::finding::Finding::of(
        codes::DeliveryCode::OsMetadataSetAside,
        format!("{n} files the packing system added beside the top folder were set aside: not checked, not stored (they hold no source)"),
        format!("顶层目录旁有 {n} 个打包系统自动加入的文件，已忽略：不检查、不存入托管库（其中不含源代码）"),
    )
    .evidence(evidence)
}

/// The private `tree` folder of a staging folder, where a delivery is unpacked, and its handle.
fn staging_tree(
    staging: &staging::Staging,
    name: &str,
) -> Result<(PathBuf, OwnedFd), DeliveryError> {
    let tree = staging.path().join(name);
    let err = |source| DeliveryError::Unreadable {
        path: tree.clone(),
        source,
    };
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
        .create(&tree)
        .map_err(err)?;
    let fd = safefs::open_root(&tree).map_err(err)?;
    Ok((tree, fd))
}

/// A repository: clone it, write the commit's tree into a staging folder, take the inventory.
fn open_git(
    path: &Path,
    spec: &str,
    progress: &dyn Progress,
    sink: Option<&dyn inventory::ContentSink>,
    ingest: &Ingest,
) -> Result<Delivery, DeliveryError> {
    let staging = staging::Staging::create(progress)?;
    let scratch = staging.path().join("clone");
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
        .create(&scratch)
        .map_err(|source| DeliveryError::Unreadable {
            path: scratch.clone(),
            source,
        })?;
    let (tree, tree_fd) = staging_tree(&staging, "tree")?;
    let (info, unpacked) = git::export(
        spec,
        ingest.git_ref.as_deref(),
        &scratch.join("repo"),
        &tree,
        ingest.limits,
        progress,
    )?;
    let history = if ingest.with_history {
        let bundle = staging.path().join("history.bundle");
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(scratch.join("repo"))
            .args(["bundle", "create"])
            .arg(&bundle)
            .arg("--all")
            .output()
            .map_err(|e| DeliveryError::Archive {
                path: path.to_owned(),
                message: format!("cannot run `git bundle` to keep the history ({e}); install git"),
            })?;
        if !out.status.success() {
            return Err(DeliveryError::Archive {
                path: path.to_owned(),
                message: format!(
                    "`git bundle create` failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            });
        }
        Some(bundle)
    } else {
        None
    };
    let _ = std::fs::remove_dir_all(&scratch);
    let inventory = inventory::from_entries(
        &tree,
        tree_fd.as_fd(),
        unpacked.entries,
        progress,
        sink,
        ingest.inspector.as_deref(),
    )?;
    Ok(Delivery {
        root: tree,
        source: Source {
            kind: "git".to_owned(),
            path: path.display().to_string(),
            commit: Some(info.commit),
            git_ref: Some(info.reference),
            date: Some(info.date),
            author: Some(info.author),
            shallow: Some(info.shallow),
            ..Source::default()
        },
        inventory,
        notes: unpacked.findings,
        history,
        root_fd: tree_fd,
        _staging: Some(staging),
    })
}
