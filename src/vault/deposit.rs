//! `deposit`: store a checked delivery as a snapshot, whatever its verdict.

use std::collections::HashSet;
use std::io::Read;
use std::sync::Mutex;
use std::time::Duration;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::diff::{self, Diff};
use super::ledger::{self, LedgerEntry};
use super::pack::{self, BIG_OBJECT, Index, PACK_TARGET, PackWriter};
use super::snapshot::{self, ChunkRef, Note, RecEntry, SnapshotRecord, StoredManifest, Tree};
use super::{FORMAT, Vault, VaultError, io_err, lock};
use crate::checks::Outcome;
use crate::delivery::inventory::ContentSink;
use crate::delivery::{Delivery, Entry, EntryKind};
use crate::manifest::{Manifest, hex};
use crate::progress::Progress;
use crate::report::{Report, Tool, Verdict};

/// Contents already stored while the inventory was taken (see `Store`).
#[derive(Debug, Default)]
pub struct Prestored {
    /// New packs and their sizes.
    pub packs: Vec<(String, u64)>,
    /// The contents they hold.
    pub shas: HashSet<[u8; 32]>,
}

thread_local! {
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// Stores small files' contents into new packs as the inventory reads them, so a deposit reads
/// and hashes every file once. Each worker thread appends to a pack of its own, taken from a
/// pool, so there is no hand-off between threads. Packs written here are harmless if the
/// deposit then stops: they are only referenced once a snapshot is committed to the ledger.
pub struct Store {
    vault: Vault,
    known: HashSet<[u8; 32]>,
    sent: Mutex<HashSet<[u8; 32]>>,
    pool: Mutex<Vec<PackWriter>>,
    done: Mutex<Vec<(String, u64)>>,
    error: Mutex<Option<VaultError>>,
}

fn unpoison<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Store {
    /// Prepare to store into `vault`.
    pub fn start(vault: &Vault) -> Result<Store, VaultError> {
        let index = Index::load(vault)?;
        Ok(Store::empty(vault, index.objects.into_keys().collect()))
    }

    /// A store that skips the `known` contents.
    fn empty(vault: &Vault, known: HashSet<[u8; 32]>) -> Store {
        Store {
            vault: vault.clone(),
            known,
            sent: Mutex::new(HashSet::new()),
            pool: Mutex::new(Vec::new()),
            done: Mutex::new(Vec::new()),
            error: Mutex::new(None),
        }
    }

    /// Close every pack: all are durable when this returns.
    pub fn finish(self) -> Result<Prestored, VaultError> {
        if let Some(e) = unpoison(&self.error).take() {
            for pw in unpoison(&self.pool).drain(..) {
                pw.abandon();
            }
            return Err(e);
        }
        let mut packs = std::mem::take(&mut *unpoison(&self.done));
        for pw in unpoison(&self.pool).drain(..) {
            if pw.is_empty() {
                pw.abandon();
            } else {
                let len = pw.len();
                let (id, _) = pw.finish(&self.vault)?;
                packs.push((id, len));
            }
        }
        Ok(Prestored {
            packs,
            shas: std::mem::take(&mut *unpoison(&self.sent)),
        })
    }

    fn add(&self, sha: [u8; 32], compressed: &[u8], size: u64) -> Result<(), VaultError> {
        let taken = unpoison(&self.pool).pop();
        let mut pw = match taken {
            Some(pw) => pw,
            None => PackWriter::new(&self.vault)?,
        };
        pw.add(sha, compressed, size)?;
        if pw.len() >= PACK_TARGET {
            let len = pw.len();
            let (id, _) = pw.finish(&self.vault)?;
            unpoison(&self.done).push((id, len));
        } else {
            unpoison(&self.pool).push(pw);
        }
        Ok(())
    }
}

impl ContentSink for Store {
    fn max_size(&self) -> u64 {
        BIG_OBJECT
    }

    fn content(&self, sha: &[u8; 32], data: &[u8]) -> std::io::Result<()> {
        if self.known.contains(sha) || !unpoison(&self.sent).insert(*sha) {
            return Ok(());
        }
        let compressed = COMPRESSOR.with(|c| {
            let mut c = c.borrow_mut();
            if c.is_none() {
                *c = Some(zstd::bulk::Compressor::new(pack::LEVEL)?);
            }
            c.as_mut().expect("set above").compress(data)
        })?;
        self.add(*sha, &compressed, data.len() as u64).map_err(|e| {
            let message = e.to_string();
            unpoison(&self.error).get_or_insert(e);
            std::io::Error::other(message)
        })
    }
}

/// What to deposit.
pub struct DepositInput<'a> {
    pub manifest: &'a Manifest,
    pub delivery: &'a Delivery,
    /// The check outcome of the delivery (without the comparison, which is added here).
    pub outcome: Outcome,
    pub label: String,
    pub note: Option<Note>,
    /// UTC, RFC 3339.
    pub now: String,
    pub lock_wait: Duration,
    /// What the inventory already stored.
    pub prestored: Prestored,
    /// Keep the repository history (the delivery must carry it).
    pub with_history: bool,
    /// The isolated build's record and log file, when `--build` was given.
    pub build: Option<(crate::build::BuildRecord, std::path::PathBuf)>,
}

/// What a deposit did.
#[derive(Debug)]
pub struct Deposited {
    pub id: String,
    pub seq: u64,
    pub report: Report,
    /// The comparison with the previous snapshot, if there was one.
    pub diff: Option<Diff>,
    pub new_objects: u64,
    /// Bytes written into new packs (compressed).
    pub new_bytes: u64,
    pub reused_objects: u64,
    /// The ledger head after this deposit: keep it elsewhere to detect a cut ledger later.
    pub ledger_head: String,
}

pub fn deposit(
    vault: &Vault,
    input: DepositInput<'_>,
    progress: &dyn Progress,
) -> Result<Deposited, VaultError> {
    let _lock = lock::acquire(vault, input.lock_wait)?;
    let led = ledger::read(&vault.ledger_path())?;
    if let Some((_, p)) = led.problems.first() {
        return Err(VaultError::Corrupt {
            path: vault.ledger_path(),
            message: format!("{p}; nothing was deposited: run `escrow audit`"),
        });
    }
    if input.label.trim().is_empty() {
        return Err(VaultError::Invalid {
            message: "the label is empty: give --label, e.g. the vendor's version number"
                .to_owned(),
        });
    }
    if let Some(e) = led.entries.iter().find(|e| e.label == input.label) {
        return Err(VaultError::LabelTaken {
            label: input.label,
            id: super::short(&e.snapshot).to_owned(),
        });
    }
    let inv = &input.delivery.inventory;
    let mut record = SnapshotRecord {
        format: FORMAT,
        label: input.label.clone(),
        created_at: input.now.clone(),
        tool: Tool {
            name: "escrow".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        seq: led.entries.len() as u64,
        prev: led.head.clone(),
        note: input.note,
        source: input.delivery.source.clone(),
        manifest: StoredManifest {
            path: input.manifest.path.display().to_string(),
            sha256: input.manifest.sha256.clone(),
            text: input.manifest.text.clone(),
        },
        tree: Tree {
            sha256: inv.digest(),
            sm3: inv.digest_sm3(),
            files: inv.file_count(),
            bytes: inv.total_bytes(),
            entries: inv.entries.len() as u64,
        },
        report: Report::new(
            input.manifest,
            input.delivery,
            Outcome::default(),
            input.now.clone(),
        ),
        listing: Vec::new(),
        history: None,
        build_log: None,
    };
    if input.with_history && input.delivery.history.is_none() {
        return Err(VaultError::Invalid {
            message: "--with-history keeps a git repository's history: the delivery is not a git repository (give its URL or bare repository path)".to_owned(),
        });
    }
    let entries: Vec<RecEntry> = inv.entries.iter().map(RecEntry::from_entry).collect();
    let index = Index::load(vault)?;

    // Compare with the previous snapshot.
    let mut outcome = input.outcome;
    // A damaged previous snapshot (audit names it) must not block new deposits: the comparison
    // is skipped then.
    let previous = led
        .entries
        .iter()
        .rev()
        .find(|e| e.event == "deposit")
        .and_then(|prev| {
            let old = vault.load_snapshot(&prev.snapshot).ok()?;
            let old_entries = snapshot::load_entries(vault, &index, &old).ok()?;
            Some((prev, old, old_entries))
        });
    let diff = previous.map(|(prev, old, old_entries)| {
        let d = diff::diff(&old, &old_entries, &prev.snapshot, &record, &entries, "");
        let mut found = diff::findings(&d, record.note.is_some());
        for f in &mut found {
            f.severity = input.manifest.severity_of(&f.code);
        }
        outcome.findings.extend(found);
        d
    });
    let (build_record, build_log) = match input.build {
        Some((r, log)) => (Some(r), Some(log)),
        None => (None, None),
    };
    record.report = Report::new(input.manifest, input.delivery, outcome, input.now.clone())
        .with_build(build_record);

    // Store the contents that are not in the vault yet.
    let mut new_shas = input.prestored.shas;
    let mut todo: Vec<&Entry> = Vec::new();
    for e in inv.entries.iter().filter(|e| e.kind == EntryKind::File) {
        let sha = e.sha256.expect("files are hashed");
        if !index.objects.contains_key(&sha) && new_shas.insert(sha) {
            todo.push(e);
        }
    }
    let reused = inv
        .files()
        .filter(|e| e.sha256.is_some_and(|s| !new_shas.contains(&s)))
        .count() as u64;
    let total: u64 = todo.iter().map(|e| e.size).sum();
    progress.begin("storing", todo.len() as u64, total);
    let stored = store_objects(vault, input.delivery, &todo, progress);
    progress.finish();
    let mut new_packs = stored?;
    new_packs.extend(input.prestored.packs);

    // The file list, in pieces; the pieces already in the vault are not stored again.
    let pieces = snapshot::chunk(&entries);
    let index = Index::load(vault)?;
    let store = Store::empty(vault, index.objects.into_keys().collect());
    for (json, count) in &pieces {
        let sha: [u8; 32] = Sha256::digest(json).into();
        store
            .content(&sha, json)
            .map_err(io_err(&vault.packs_dir()))?;
        record.listing.push(ChunkRef {
            sha256: hex(&sha),
            entries: *count,
        });
    }
    new_packs.extend(store.finish()?.packs);

    // The repository history, as one more object.
    if let Some(bundle) = &input.delivery.history {
        let mut buf = vec![0u8; 1 << 20];
        let (sha, size) =
            crate::delivery::inventory::hash_file(bundle, &mut buf).map_err(io_err(bundle))?;
        if !Index::load(vault)?.objects.contains_key(&sha) {
            let mut pw = PackWriter::new(vault)?;
            let mut f = std::fs::File::open(bundle).map_err(io_err(bundle))?;
            if !pw.add_stream(sha, &mut f)? {
                pw.abandon();
                return Err(VaultError::Changed {
                    path: bundle.clone(),
                });
            }
            let len = pw.len();
            let (id, _) = pw.finish(vault)?;
            new_packs.push((id, len));
        }
        record.history = Some(snapshot::HistoryRef {
            format: "git-bundle".to_owned(),
            sha256: hex(&sha),
            size,
        });
    }
    // The build log, as one more object.
    if let Some(log) = &build_log {
        let (sha, size, pack) = store_file(vault, log)?;
        new_packs.extend(pack);
        record.build_log = Some(snapshot::BuildLogRef {
            sha256: hex(&sha),
            size,
        });
    }
    let new_bytes = new_packs.iter().map(|(_, len)| len).sum();

    let (id, sm3) = snapshot::store(vault, &record)?;
    let entry = LedgerEntry {
        seq: record.seq,
        time: input.now,
        event: "deposit".to_owned(),
        snapshot: id.clone(),
        snapshot_sm3: sm3,
        label: record.label.clone(),
        verdict: match record.report.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        }
        .to_owned(),
        files: record.tree.files,
        bytes: record.tree.bytes,
        tree_sha256: record.tree.sha256.clone(),
        tree_sm3: record.tree.sm3.clone(),
        name: String::new(),
        date: String::new(),
        prev: led.head,
    };
    let head = ledger::append(vault, &entry)?;
    let diff = diff.map(|mut d| {
        d.new.id.clone_from(&id);
        d
    });
    Ok(Deposited {
        id,
        seq: record.seq,
        report: record.report,
        diff,
        new_objects: new_shas.len() as u64,
        new_bytes,
        reused_objects: reused,
        ledger_head: head,
    })
}

/// A file stored as an object: its hash, its size, and the new pack holding it (if any).
type StoredFile = ([u8; 32], u64, Option<(String, u64)>);

/// Store one file outside the delivery (a build log) as an object, unless the vault has it.
fn store_file(vault: &Vault, path: &std::path::Path) -> Result<StoredFile, VaultError> {
    let mut buf = vec![0u8; 1 << 20];
    let (sha, size) =
        crate::delivery::inventory::hash_file(path, &mut buf).map_err(io_err(path))?;
    if Index::load(vault)?.objects.contains_key(&sha) {
        return Ok((sha, size, None));
    }
    let mut pw = PackWriter::new(vault)?;
    let mut f = std::fs::File::open(path).map_err(io_err(path))?;
    if !pw.add_stream(sha, &mut f)? {
        pw.abandon();
        return Err(VaultError::Changed {
            path: path.to_owned(),
        });
    }
    let len = pw.len();
    let (id, _) = pw.finish(vault)?;
    Ok((sha, size, Some((id, len))))
}

/// Read, verify, compress and pack the given files (those the inventory pass did not store:
/// large files, and any that changed size meanwhile). Large files are streamed into packs of
/// their own. Returns the new packs with their sizes.
fn store_objects(
    vault: &Vault,
    delivery: &Delivery,
    todo: &[&Entry],
    progress: &dyn Progress,
) -> Result<Vec<(String, u64)>, VaultError> {
    let (small, big): (Vec<&Entry>, Vec<&Entry>) = todo.iter().partition(|e| e.size <= BIG_OBJECT);
    let store = Store::empty(vault, HashSet::new());
    let stored: Result<(), VaultError> = small.par_iter().try_for_each(|e| {
        let path = snapshot::join(&delivery.root, &e.path);
        let mut buf = Vec::new();
        delivery
            .open_file(&e.path)
            .and_then(|f| f.take(BIG_OBJECT + 1).read_to_end(&mut buf))
            .map_err(io_err(&path))?;
        let sha: [u8; 32] = Sha256::digest(&buf).into();
        if Some(sha) != e.sha256 {
            return Err(VaultError::Changed { path });
        }
        store.content(&sha, &buf).map_err(io_err(&path))?;
        progress.advance(1, buf.len() as u64);
        Ok(())
    });
    let finished = store.finish();
    stored?;
    let mut packs = finished?.packs;
    let big_packs: Vec<(String, u64)> = big
        .par_iter()
        .map(|e| {
            let path = snapshot::join(&delivery.root, &e.path);
            let mut f = delivery.open_file(&e.path).map_err(io_err(&path))?;
            let mut pw = PackWriter::new(vault)?;
            let sha = e.sha256.expect("files are hashed");
            if !pw.add_stream(sha, &mut f)? {
                pw.abandon();
                return Err(VaultError::Changed { path });
            }
            let len = pw.len();
            progress.advance(1, e.size);
            let (id, _) = pw.finish(vault)?;
            Ok((id, len))
        })
        .collect::<Result<_, VaultError>>()?;
    packs.extend(big_packs);
    Ok(packs)
}
