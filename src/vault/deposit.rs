//! `deposit`: store a checked delivery as a snapshot, whatever its verdict.

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::sync::mpsc::sync_channel;
use std::time::Duration;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::diff::{self, Diff};
use super::ledger::{self, LedgerEntry};
use super::pack::{self, BIG_OBJECT, Index, PACK_TARGET, PackWriter};
use super::snapshot::{self, Note, RecEntry, SnapshotRecord, StoredManifest, Tree};
use super::{FORMAT, Vault, VaultError, io_err, lock};
use crate::checks::Outcome;
use crate::delivery::{Delivery, Entry, EntryKind};
use crate::manifest::Manifest;
use crate::progress::Progress;
use crate::report::{Report, Tool, Verdict};

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
        entries: inv.entries.iter().map(RecEntry::from_entry).collect(),
    };

    // Compare with the previous snapshot.
    let mut outcome = input.outcome;
    let diff = match led.entries.last() {
        Some(prev) => {
            let old = vault.load_snapshot(&prev.snapshot)?;
            let d = diff::diff(&old, &prev.snapshot, &record, "");
            let mut found = diff::findings(&d, record.note.is_some());
            for f in &mut found {
                f.severity = input.manifest.severity_of(&f.code);
            }
            outcome.findings.extend(found);
            Some(d)
        }
        None => None,
    };
    record.report = Report::new(input.manifest, input.delivery, outcome, input.now.clone());

    // Store the contents that are not in the vault yet.
    let index = Index::load(vault)?;
    let mut seen = HashSet::new();
    let mut todo: Vec<&Entry> = Vec::new();
    let mut reused = 0u64;
    for e in inv.entries.iter().filter(|e| e.kind == EntryKind::File) {
        let sha = e.sha256.expect("files are hashed");
        if index.objects.contains_key(&sha) {
            reused += 1;
        } else if seen.insert(sha) {
            todo.push(e);
        }
    }
    let total: u64 = todo.iter().map(|e| e.size).sum();
    progress.begin("storing", todo.len() as u64, total);
    let stored = store_objects(vault, &input.delivery.root, &todo, progress);
    progress.finish();
    let new_packs = stored?;
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
        new_objects: todo.len() as u64,
        new_bytes,
        reused_objects: reused,
        ledger_head: head,
    })
}

/// Read, verify, compress and pack the given files. Small files are compressed in parallel and
/// appended by one writer thread; large ones are streamed into packs of their own. Returns the
/// new packs with their sizes.
fn store_objects(
    vault: &Vault,
    root: &std::path::Path,
    todo: &[&Entry],
    progress: &dyn Progress,
) -> Result<Vec<(String, u64)>, VaultError> {
    let (small, big): (Vec<&Entry>, Vec<&Entry>) = todo.iter().partition(|e| e.size <= BIG_OBJECT);
    let (tx, rx) = sync_channel::<([u8; 32], Vec<u8>, u64)>(64);
    let mut packs = Vec::new();
    std::thread::scope(|s| -> Result<(), VaultError> {
        let writer = s.spawn(move || -> Result<Vec<(String, u64)>, VaultError> {
            let mut done = Vec::new();
            let mut pw = PackWriter::new(vault)?;
            for (sha, data, size) in rx {
                pw.add(sha, &data, size)?;
                if pw.len() >= PACK_TARGET {
                    let len = pw.len();
                    let (id, _) = pw.finish(vault)?;
                    done.push((id, len));
                    pw = PackWriter::new(vault)?;
                }
            }
            if pw.is_empty() {
                pw.abandon();
            } else {
                let len = pw.len();
                let (id, _) = pw.finish(vault)?;
                done.push((id, len));
            }
            Ok(done)
        });
        let compressed: Result<(), VaultError> = small.par_iter().try_for_each_init(
            || {
                (
                    zstd::bulk::Compressor::new(pack::LEVEL).expect("zstd compressor"),
                    Vec::new(),
                    tx.clone(),
                )
            },
            |(comp, buf, tx), e| {
                let path = snapshot::join(root, &e.path);
                buf.clear();
                File::open(&path)
                    .and_then(|f| f.take(BIG_OBJECT + 1).read_to_end(buf))
                    .map_err(io_err(&path))?;
                let sha: [u8; 32] = Sha256::digest(&buf[..]).into();
                if Some(sha) != e.sha256 {
                    return Err(VaultError::Changed { path });
                }
                let data = comp.compress(buf).map_err(io_err(&path))?;
                progress.advance(1, buf.len() as u64);
                // The writer only stops early on an error, which it reports itself.
                let _ = tx.send((sha, data, buf.len() as u64));
                Ok(())
            },
        );
        drop(tx);
        let written = writer.join().expect("pack writer thread");
        compressed?;
        packs = written?;
        Ok(())
    })?;
    let big_packs: Vec<(String, u64)> = big
        .par_iter()
        .map(|e| {
            let path = snapshot::join(root, &e.path);
            let mut f = File::open(&path).map_err(io_err(&path))?;
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
