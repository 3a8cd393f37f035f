//! `deposit`: store a checked delivery as a snapshot, whatever its verdict, in two phases that
//! the pipeline drives: `begin` (the ledger, the label, the previous snapshot) and
//! `Begun::commit` (contents, file list, history, build log, record, ledger entry). Between
//! the two the caller compares the delivery with the previous snapshot and writes its report;
//! the vault stores that report as JSON without reading it.
//!
//! The contents of small files are usually stored earlier still, while the inventory reads them
//! (`Store`): packs are harmless until a ledger entry refers to them. Nothing is locked: the
//! ledger entry is created only if its number is free, and a deposit that loses that race checks
//! itself again on top of the winner (see `ledger::commit`).

use std::collections::HashSet;
use std::io::Read;
use std::sync::Mutex;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use std::path::PathBuf;

use serde_json::value::RawValue;

use super::ledger::{self, LedgerEntry};
use super::pack::{self, BIG_OBJECT, Index, PackWriter};
use super::snapshot::{self, ChunkRef, Note, RecEntry, SnapshotRecord, StoredManifest, Tool, Tree};
use super::{FORMAT, Vault, VaultError, io_err};
use crate::delivery::inventory::ContentSink;
use crate::delivery::{Delivery, Entry, EntryKind};
use crate::hash::hex;
use crate::progress::Progress;

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
    /// Full packs being stored (fsynced and linked, or uploaded) on threads of their own while
    /// the other files are compressed.
    closing: Mutex<Vec<Closing>>,
    target: u64,
    error: Mutex<Option<VaultError>>,
}

/// A full pack being stored on a thread of its own: its id and size when done.
type Closing = std::thread::JoinHandle<Result<(String, u64), VaultError>>;

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
            closing: Mutex::new(Vec::new()),
            target: pack::pack_target(vault),
            error: Mutex::new(None),
        }
    }

    /// Close every pack: all are durable when this returns.
    pub fn finish(self) -> Result<Prestored, VaultError> {
        let closing: Vec<_> = unpoison(&self.closing).drain(..).collect();
        for handle in closing {
            let done = handle.join().map_err(|_| VaultError::Invalid {
                message: "a thread storing a pack stopped unexpectedly".to_owned(),
            })?;
            match done {
                Ok(d) => unpoison(&self.done).push(d),
                Err(e) => {
                    unpoison(&self.error).get_or_insert(e);
                }
            }
        }
        if let Some(e) = unpoison(&self.error).take() {
            for pw in unpoison(&self.pool).drain(..) {
                pw.abandon();
            }
            return Err(e);
        }
        let mut packs = std::mem::take(&mut *unpoison(&self.done));
        let (empty, full): (Vec<PackWriter>, Vec<PackWriter>) = unpoison(&self.pool)
            .drain(..)
            .partition(PackWriter::is_empty);
        for pw in empty {
            pw.abandon();
        }
        // Each pack is flushed to disk (or uploaded) on a thread of its own.
        let finished: Vec<(String, u64)> = full
            .into_par_iter()
            .map(|pw| {
                let len = pw.len();
                pw.finish(&self.vault).map(|(id, _)| (id, len))
            })
            .collect::<Result<_, VaultError>>()?;
        packs.extend(finished);
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
        if pw.len() >= self.target {
            let vault = self.vault.clone();
            let handle = std::thread::spawn(move || {
                let len = pw.len();
                pw.finish(&vault).map(|(id, _)| (id, len))
            });
            let mut closing = unpoison(&self.closing);
            closing.push(handle);
            // At most two packs in flight: temporary files stay bounded on disk.
            if closing.len() > 2 {
                let first = closing.remove(0);
                drop(closing);
                let done = first.join().map_err(|_| VaultError::Invalid {
                    message: "a thread storing a pack stopped unexpectedly".to_owned(),
                })??;
                unpoison(&self.done).push(done);
            }
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

/// The last deposited snapshot, which a new deposit is compared with.
#[derive(Debug)]
pub struct Previous {
    /// Its id.
    pub id: String,
    /// Its record.
    pub record: SnapshotRecord,
    /// Its whole file list.
    pub entries: Vec<RecEntry>,
}

/// A deposit under way: `begin` read and verified the ledger, checked the label and loaded the
/// previous snapshot. The caller compares, decides and reports, then calls `commit`; dropping
/// it instead leaves the vault as it was.
pub struct Begun {
    vault: Vault,
    ledger: ledger::Ledger,
    index: Index,
    intent: Intent,
    label: String,
    contract: String,
    terms: String,
    amends_terms: bool,
    amend_reason: String,
    answers: Vec<u64>,
    /// The last deposited snapshot; `None` for the first deposit, and when it cannot be read
    /// (`audit` names the damage; it must not block new deposits, so the comparison is
    /// skipped).
    pub previous: Option<Previous>,
}

/// What a deposit is: its label, its contract, the go-lives it answers.
#[derive(Debug, Clone, Default)]
pub struct Intent {
    /// The snapshot's label: unique in the vault, not empty.
    pub label: String,
    /// The manifest's `[contract] id` (empty: none).
    pub contract: String,
    /// `--for`: names of go-lives (as recorded with `escrow golive`) this deposit answers.
    pub answers: Vec<String>,
    /// The manifest's terms, normalised (see [`LedgerEntry::terms`]).
    pub terms: String,
    /// `--amend-terms REASON`: these terms replace those in force, for obligations that start
    /// from the deposit's day on; the reason is recorded.
    pub amend_terms: Option<String>,
}

/// The contract a vault is bound to: the first deposit that named one, as (id, label).
pub fn bound_contract(entries: &[LedgerEntry]) -> Option<(&str, &str)> {
    entries
        .iter()
        .find(|e| e.event == "deposit" && !e.contract.is_empty())
        .map(|e| (e.contract.as_str(), e.label.as_str()))
}

/// The ledger positions of the go-lives named `names` that were not retracted.
///
/// Errors: `Invalid`, naming the go-lives on record, when a name matches none.
pub fn resolve_golives(entries: &[LedgerEntry], names: &[String]) -> Result<Vec<u64>, VaultError> {
    let retracted: std::collections::HashSet<u64> = entries
        .iter()
        .filter(|e| e.event == "retract")
        .filter_map(|e| e.target)
        .collect();
    let golives: Vec<&LedgerEntry> = entries
        .iter()
        .filter(|e| e.event == "golive" && !retracted.contains(&e.seq))
        .collect();
    let mut seqs = Vec::new();
    for name in names {
        let found: Vec<u64> = golives
            .iter()
            .filter(|e| e.name.trim() == name.trim())
            .map(|e| e.seq)
            .collect();
        if found.is_empty() {
            let known: Vec<String> = golives
                .iter()
                .map(|e| format!("{:?} ({})", e.name, e.date))
                .collect();
            return Err(VaultError::Invalid {
                message: format!(
                    "--for {name:?}: no go-live of that name is recorded in this vault ({}); record it first with `escrow golive {name:?} --date YYYY-MM-DD`, or give the name exactly as recorded",
                    if known.is_empty() {
                        "none is recorded".to_owned()
                    } else {
                        format!("recorded: {}", known.join(", "))
                    }
                ),
            });
        }
        seqs.extend(found);
    }
    seqs.sort_unstable();
    seqs.dedup();
    Ok(seqs)
}

/// Start a deposit: read and verify the ledger, check the label, the contract and the
/// go-lives named, and load the previous snapshot with its file list.
///
/// Errors: `OldFormat`, `Corrupt` (a damaged ledger: nothing is deposited until `audit` is
/// run), `Invalid` (empty label, a `--for` name no go-live has), `LabelTaken`, `OtherContract`
/// (the vault holds another contract's escrow), and errors reading the vault.
pub fn begin(vault: &Vault, intent: &Intent) -> Result<Begun, VaultError> {
    vault.require_current()?;
    let label = intent.label.as_str();
    let led = vault.ledger()?;
    if let Some((_, p)) = led.problems.first() {
        return Err(VaultError::Corrupt {
            path: vault.ledger_path(),
            message: format!("{p}; nothing was deposited: run `escrow audit`"),
        });
    }
    let answers = validate(vault, &led, intent)?;
    let index = Index::load(vault)?;
    let previous = led
        .entries
        .iter()
        .rev()
        .find(|e| e.event == "deposit")
        .and_then(|prev| {
            let record = vault.load_snapshot(&prev.snapshot).ok()?;
            let entries = snapshot::load_entries(vault, &index, &record).ok()?;
            Some(Previous {
                id: prev.snapshot.clone(),
                record,
                entries,
            })
        });
    Ok(Begun {
        vault: vault.clone(),
        ledger: led,
        index,
        intent: intent.clone(),
        label: label.to_owned(),
        contract: intent.contract.trim().to_owned(),
        terms: intent.terms.clone(),
        amends_terms: intent.amend_terms.is_some(),
        amend_reason: intent.amend_terms.clone().unwrap_or_default(),
        answers,
        previous,
    })
}

/// Check a deposit against the ledger as it stands (the label is new, the contract and terms
/// those in force, every `--for` go-live recorded); returns the go-lives' positions.
fn validate(vault: &Vault, led: &ledger::Ledger, intent: &Intent) -> Result<Vec<u64>, VaultError> {
    let label = intent.label.as_str();
    if label.trim().is_empty() {
        return Err(VaultError::Invalid {
            message: "the label is empty: give --label, e.g. the vendor's version number"
                .to_owned(),
        });
    }
    if let Some(e) = led.entries.iter().find(|e| e.label == label) {
        return Err(VaultError::LabelTaken {
            label: label.to_owned(),
            id: super::short(&e.snapshot).to_owned(),
        });
    }
    check_contract(vault, &led.entries, &intent.contract)?;
    check_terms(
        vault,
        &led.entries,
        &intent.terms,
        intent.amend_terms.is_some(),
    )?;
    resolve_golives(&led.entries, &intent.answers)
}

/// Refuse a deposit whose manifest states other terms than those in force, unless `amend`:
/// a later deposit must not change the deadlines earlier obligations are measured by.
pub fn check_terms(
    vault: &Vault,
    entries: &[LedgerEntry],
    terms: &str,
    amend: bool,
) -> Result<(), VaultError> {
    match ledger::terms_in_force(entries) {
        Some((held, label)) if held != terms && !amend => Err(VaultError::TermsChanged {
            path: vault.root.clone(),
            held: held.to_owned(),
            held_label: label.to_owned(),
            given: terms.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Refuse a deposit for another contract than the one the vault is bound to (also one that
/// names none, once the vault is bound).
pub fn check_contract(
    vault: &Vault,
    entries: &[LedgerEntry],
    contract: &str,
) -> Result<(), VaultError> {
    match bound_contract(entries) {
        Some((held, held_label)) if held != contract.trim() => Err(VaultError::OtherContract {
            path: vault.root.clone(),
            held: held.to_owned(),
            held_label: held_label.to_owned(),
            given: contract.trim().to_owned(),
        }),
        _ => Ok(()),
    }
}

/// The file list of a delivery, as a snapshot records it (sorted by path bytes).
pub fn entries(delivery: &Delivery) -> Vec<RecEntry> {
    delivery
        .inventory
        .entries
        .iter()
        .map(RecEntry::from_entry)
        .collect()
}

/// What `commit` stores besides the delivery's contents.
pub struct Commit<'a> {
    /// The delivery deposited: its inventory, source and files.
    pub delivery: &'a Delivery,
    /// The delivery's file list, from `entries(delivery)`.
    pub entries: Vec<RecEntry>,
    /// The manifest the delivery was checked against.
    pub manifest: StoredManifest,
    /// The change note given with `--note`.
    pub note: Option<Note>,
    /// UTC, RFC 3339.
    pub now: String,
    /// What the inventory pass already stored (see `Store`).
    pub prestored: Prestored,
    /// The check report, as JSON; stored as it is.
    pub report: Box<RawValue>,
    /// The report's verdict, "pass" or "fail", for the ledger.
    pub verdict: String,
    /// The isolated build's log file (`--build`), kept as one more object.
    pub build_log: Option<PathBuf>,
}

/// What a committed deposit did.
#[derive(Debug)]
pub struct Committed {
    /// The snapshot id.
    pub id: String,
    /// Its ledger position.
    pub seq: u64,
    /// Contents new to the vault.
    pub new_objects: u64,
    /// Bytes written into new packs (compressed).
    pub new_bytes: u64,
    /// Files whose content the vault already held.
    pub reused_objects: u64,
    /// The ledger head after this deposit: keep it elsewhere to detect a cut ledger later.
    pub ledger_head: String,
}

impl Begun {
    /// The ledger position the snapshot will take.
    pub fn seq(&self) -> u64 {
        self.ledger.entries.len() as u64
    }

    /// Store the contents the vault lacks, the file list, the repository history (a git
    /// delivery with its history), the build log, the snapshot record, and last the ledger
    /// entry, the commit point (checked again on top of any writer that committed first). A crash before the ledger entry leaves
    /// the vault as it was, with unreferenced packs and maybe a record `audit` notes.
    pub fn commit(
        self,
        input: Commit<'_>,
        progress: &dyn Progress,
    ) -> Result<Committed, VaultError> {
        let vault = &self.vault;
        let inv = &input.delivery.inventory;
        let mut record = SnapshotRecord {
            format: FORMAT,
            label: self.label.clone(),
            created_at: input.now.clone(),
            tool: Tool::this(),
            seq: self.seq(),
            prev: self.ledger.head.clone(),
            note: input.note,
            source: input.delivery.source.clone(),
            manifest: input.manifest,
            tree: Tree {
                sha256: inv.digest(),
                sm3: inv.digest_sm3(),
                files: inv.file_count(),
                bytes: inv.total_bytes(),
                entries: inv.entries.len() as u64,
            },
            report: input.report,
            listing: Vec::new(),
            history: None,
            build_log: None,
        };
        let stored = store_contents(
            vault,
            input.delivery,
            &self.index,
            input.prestored,
            progress,
        )?;
        let mut new_packs = stored.packs;
        new_packs.extend(store_listing(vault, &input.entries, &mut record)?);
        if let Some(bundle) = &input.delivery.history {
            let (sha, size, pack) = store_file(vault, bundle)?;
            new_packs.extend(pack);
            record.history = Some(snapshot::HistoryRef {
                format: "git-bundle".to_owned(),
                sha256: hex(&sha),
                size,
            });
        }
        if let Some(log) = &input.build_log {
            let (sha, size, pack) = store_file(vault, log)?;
            new_packs.extend(pack);
            record.build_log = Some(snapshot::BuildLogRef {
                sha256: hex(&sha),
                size,
            });
        }
        let ((entry, head, id), seq) = {
            let mut seq = record.seq;
            let committed = ledger::commit(vault, |led| {
                let mut answers = self.answers.clone();
                if led.head != self.ledger.head {
                    // Another writer committed meanwhile: check again on top of it.
                    answers = validate(vault, led, &self.intent)?;
                }
                record.seq = led.entries.len() as u64;
                record.prev.clone_from(&led.head);
                seq = record.seq;
                let (id, sm3) = snapshot::store(vault, &record)?;
                let entry = LedgerEntry {
                    seq: record.seq,
                    time: input.now.clone(),
                    event: "deposit".to_owned(),
                    snapshot: id.clone(),
                    snapshot_sm3: sm3,
                    label: record.label.clone(),
                    verdict: input.verdict.clone(),
                    files: record.tree.files,
                    bytes: record.tree.bytes,
                    tree_sha256: record.tree.sha256.clone(),
                    tree_sm3: record.tree.sm3.clone(),
                    prev: record.prev.clone(),
                    contract: self.contract.clone(),
                    terms: self.terms.clone(),
                    amends_terms: self.amends_terms,
                    reason: self.amend_reason.clone(),
                    answers,
                    ..LedgerEntry::default()
                };
                Ok((entry, id))
            })?;
            (committed, seq)
        };
        let _ = entry;
        Ok(Committed {
            id,
            seq,
            new_objects: stored.new_objects,
            new_bytes: new_packs.iter().map(|(_, len)| len).sum(),
            reused_objects: stored.reused,
            ledger_head: head,
        })
    }
}

/// The delivery's contents, stored.
struct StoredContents {
    /// Every new pack (those of the inventory pass too) with its size.
    packs: Vec<(String, u64)>,
    new_objects: u64,
    reused: u64,
}

/// Store the contents that are neither in the vault (`index`) nor stored by the inventory pass.
fn store_contents(
    vault: &Vault,
    delivery: &Delivery,
    index: &Index,
    prestored: Prestored,
    progress: &dyn Progress,
) -> Result<StoredContents, VaultError> {
    let inv = &delivery.inventory;
    let mut new_shas = prestored.shas;
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
    let stored = store_objects(vault, delivery, &todo, progress);
    progress.finish();
    let mut packs = stored?;
    packs.extend(prestored.packs);
    Ok(StoredContents {
        packs,
        new_objects: new_shas.len() as u64,
        reused,
    })
}

/// The file list, in pieces; the pieces already in the vault are not stored again. Returns the
/// new packs.
fn store_listing(
    vault: &Vault,
    entries: &[RecEntry],
    record: &mut SnapshotRecord,
) -> Result<Vec<(String, u64)>, VaultError> {
    let pieces = snapshot::chunk(entries);
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
    Ok(store.finish()?.packs)
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
