//! `audit`: re-verify the whole vault and report every problem, each with what to do.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::backend::{FileKind, Key};
use super::ledger;
use super::pack::{self, IdxLine, Loc};
use super::snapshot::{self, SnapshotRecord};
use super::{Vault, VaultError, io_err};
use crate::hash::hex;
use crate::progress::Progress;

/// How serious an audit problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemLevel {
    /// Harmless: left by an interrupted deposit.
    Note,
    /// Not damage, but something to fix (e.g. files other users can read); exit 0.
    Warn,
    /// The vault is damaged: `audit` exits 1.
    Error,
}

/// One problem `audit` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultProblem {
    /// How serious it is; any `Error` makes `audit` exit 1.
    pub level: ProblemLevel,
    /// A stable kebab-case code, e.g. `pack-missing`, `ledger-broken`.
    pub code: String,
    /// The vault file concerned, relative to the vault.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub advice: String,
}

impl VaultProblem {
    /// An error about the vault file `path` (relative to the vault), for checks of the vault
    /// made above it (the stored reports, which the vault keeps as opaque JSON).
    pub fn error(
        code: crate::vault::audit_codes::AuditCode,
        path: String,
        message: String,
        advice: &str,
    ) -> VaultProblem {
        problem(ProblemLevel::Error, code, path, message, advice)
    }
}

/// What `audit` verified and every problem it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditReport {
    /// Always 1.
    pub schema_version: u32,
    /// The vault's folder.
    pub vault: String,
    /// The number of packs with a readable index.
    pub packs: u64,
    /// The number of objects in those packs whose content was read, decompressed and found to
    /// match its SHA-256.
    pub objects: u64,
    /// Compressed bytes read and verified.
    pub bytes: u64,
    /// Snapshots both on disk and in the ledger.
    pub snapshots: u64,
    /// Ledger entries read before the first problem (all of them in a sound ledger).
    pub ledger_entries: u64,
    /// SHA-256 of the ledger's last line.
    pub ledger_head: String,
    /// The ledger's last entry, described for people (empty for an empty ledger).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ledger_last: String,
    /// With `--head`: the entries the ledger holds after the head given, described for people
    /// (empty when the head is the last entry's, or not found, or not given). Someone who kept
    /// the head checks that these are events they know of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_head: Option<Vec<String>>,
    /// `ledger_last` in Chinese (for the Chinese report; not part of the JSON).
    #[serde(skip)]
    pub ledger_last_zh: String,
    /// `after_head` in Chinese (for the Chinese report; not part of the JSON).
    #[serde(skip)]
    pub after_head_zh: Option<Vec<String>>,
    /// Most serious first, then by path.
    pub problems: Vec<VaultProblem>,
}

impl AuditReport {
    /// The number of `Warn` problems.
    pub fn warnings(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.level == ProblemLevel::Warn)
            .count()
    }

    /// The number of `Error` problems (the vault is damaged).
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.level == ProblemLevel::Error)
            .count()
    }
}

/// A snapshot record with the SM3 of its bytes, or why it cannot be read.
type Loaded = Result<(SnapshotRecord, String), String>;

/// Damaged objects named one by one per pack; more are counted.
const MAX_OBJECT_PROBLEMS: u64 = 20;

const RESTORE_BACKUP: &str = "restore this file from a backup copy of the vault (or from the vendor's delivery), then run `escrow audit` again";

fn problem(
    level: ProblemLevel,
    code: impl Into<crate::vault::audit_codes::AuditCode>,
    path: String,
    message: String,
    advice: &str,
) -> VaultProblem {
    VaultProblem {
        level,
        code: code.into().name().to_owned(),
        path,
        message,
        advice: advice.to_owned(),
    }
}

/// Verify everything: every pack and object, every snapshot record, the ledger chain; and, when
/// given, that the ledger still holds the head recorded earlier (the only proof that no entry was
/// cut from its end).
///
/// Errors: `Invalid` when `expect_head` is not 64 hex digits; I/O errors reading the vault.
/// Damage is not an error: it is reported in `problems`.
pub fn audit(
    vault: &Vault,
    expect_head: Option<&str>,
    repair_index: bool,
    progress: &dyn Progress,
) -> Result<AuditReport, VaultError> {
    if let Some(h) = expect_head
        && !ledger::is_head(h)
    {
        return Err(VaultError::Invalid {
            message: format!(
                "--head {h:?} is not a ledger head: give the 64 hex digits printed as \"Ledger head\" by deposit, golive or payment"
            ),
        });
    }
    let mut problems = Vec::new();
    // The ledger first: a deposit committing while the audit runs is either in it, with every
    // pack it needs already written (packs are listed after), or not, and then not audited.
    let led = vault.ledger()?;
    let packs = audit_packs(vault, repair_index, progress, &mut problems)?;
    if vault.format == 1 {
        problems.push(problem(
            ProblemLevel::Note,
            crate::vault::audit_codes::AuditCode::OldFormat,
            "VAULT".to_owned(),
            "the vault has the old format 1: it is read and audited, but new deposits and events need format 2".to_owned(),
            &format!("convert it with `escrow vault upgrade --vault {}`", vault.root.display()),
        ));
    }
    stray_ledger_files(vault, &mut problems)?;
    audit_ledger(vault, &led, expect_head, &mut problems);
    let snapshots = audit_snapshots(vault, &led, &packs, &mut problems)?;
    audit_calendars(vault, &led, &mut problems);
    audit_leftovers(vault, &mut problems)?;
    if let Some(p) = permissions(vault)? {
        problems.push(p);
    }
    problems.sort_by(|a, b| b.level.cmp(&a.level).then(a.path.cmp(&b.path)));
    Ok(AuditReport {
        schema_version: 1,
        vault: vault.location(),
        packs: packs.count,
        objects: packs.objects,
        bytes: packs.bytes,
        snapshots,
        ledger_entries: led.entries.len() as u64,
        ledger_last: led.entries.last().map(ledger::describe).unwrap_or_default(),
        after_head: expect_head.and_then(|h| led.position(h)).map(|n| {
            led.entries[n.min(led.entries.len())..]
                .iter()
                .map(ledger::describe)
                .collect()
        }),
        ledger_last_zh: led
            .entries
            .last()
            .map(ledger::describe_zh)
            .unwrap_or_default(),
        after_head_zh: expect_head.and_then(|h| led.position(h)).map(|n| {
            led.entries[n.min(led.entries.len())..]
                .iter()
                .map(ledger::describe_zh)
                .collect()
        }),
        ledger_head: led.head,
        problems,
    })
}

/// What the packs hold, once verified.
struct Packs {
    /// Packs with a readable index.
    count: u64,
    /// Objects verified sound, and the compressed bytes read.
    objects: u64,
    bytes: u64,
    /// The sound objects, by hash.
    good: HashSet<[u8; 32]>,
    /// Every object an index names, sound or not.
    all_indexed: HashSet<[u8; 32]>,
    index: pack::Index,
}

impl Packs {
    /// Where `sha` stands: `None` when present and sound, else why not.
    fn fault(&self, sha: &[u8; 32]) -> Option<Fault> {
        if !self.all_indexed.contains(sha) {
            Some(Fault::Missing)
        } else if !self.good.contains(sha) {
            Some(Fault::Damaged)
        } else {
            None
        }
    }
}

/// Why a snapshot cannot have one of its objects.
#[derive(Clone, Copy)]
enum Fault {
    Missing,
    Damaged,
}

/// 1. Packs and their indexes: every index parses and has its pack, every pack has an index,
///    every object decompresses to its hash.
fn audit_packs(
    vault: &Vault,
    repair_index: bool,
    progress: &dyn Progress,
    problems: &mut Vec<VaultProblem>,
) -> Result<Packs, VaultError> {
    let indexed = read_indexes(vault, repair_index, problems)?;
    let total: u64 = indexed
        .iter()
        .flat_map(|(_, l)| l.iter().map(|x| x.2))
        .sum();
    progress.begin(
        "auditing",
        indexed.iter().map(|(_, l)| l.len() as u64).sum(),
        total,
    );
    let results: Vec<(Vec<[u8; 32]>, Vec<VaultProblem>)> = indexed
        .par_iter()
        .map(|(id, lines)| verify_pack(vault, id, lines, progress))
        .collect::<Result<_, VaultError>>()?;
    progress.finish();
    let mut good: HashSet<[u8; 32]> = HashSet::new();
    let mut objects = 0u64;
    for (ok, probs) in results {
        objects += ok.len() as u64;
        good.extend(ok);
        problems.extend(probs);
    }
    let all_indexed = indexed
        .iter()
        .flat_map(|(_, l)| l.iter().map(|x| x.0))
        .collect();
    let mut index = pack::Index::default();
    for (id, lines) in &indexed {
        index.add(id.clone(), lines);
    }
    Ok(Packs {
        count: indexed.len() as u64,
        objects,
        bytes: total,
        good,
        all_indexed,
        index,
    })
}

/// The indexes that parse and have their pack; the others, and packs without an index, are
/// problems. A pack of format 2 carries its index in its trailer too: a missing index is then
/// read from the trailer (and written again with `repair_index`), and an index that disagrees
/// with its trailer is damaged.
fn read_indexes(
    vault: &Vault,
    repair_index: bool,
    problems: &mut Vec<VaultProblem>,
) -> Result<Vec<(String, Vec<IdxLine>)>, VaultError> {
    let b = vault.backend();
    let mut packs: HashMap<String, u64> = HashMap::new();
    for l in b.list(FileKind::Pack)? {
        match Key::parse(FileKind::Pack, &l.name) {
            Some(k) => {
                packs.insert(k.id().to_owned(), l.size);
            }
            None if Key::parse(FileKind::Index, &l.name).is_some() => {}
            None => problems.push(stray(&format!("packs/{}", l.name))),
        }
    }
    let mut idx_ids: Vec<String> = b
        .list(FileKind::Index)?
        .iter()
        .filter_map(|l| Some(Key::parse(FileKind::Index, &l.name)?.id().to_owned()))
        .collect();
    idx_ids.sort();
    let idx_set: HashSet<&str> = idx_ids.iter().map(String::as_str).collect();
    let mut pack_ids: Vec<&String> = packs.keys().collect();
    pack_ids.sort();
    let mut indexed = Vec::new();
    for id in pack_ids {
        if !idx_set.contains(id.as_str()) {
            let lines = unindexed(vault, id, packs[id], repair_index, problems)?;
            indexed.extend(lines.map(|l| (id.clone(), l)));
        }
    }
    for id in &idx_ids {
        if let Some(lines) = indexed_pack(vault, id, packs.get(id).copied(), problems)? {
            indexed.push((id.clone(), lines));
        }
    }
    Ok(indexed)
}

/// A pack without an index file: its objects from its trailer (format 2), the index written
/// again with `repair_index`; a note either way, an error when the trailer is damaged.
fn unindexed(
    vault: &Vault,
    id: &str,
    size: u64,
    repair_index: bool,
    problems: &mut Vec<VaultProblem>,
) -> Result<Option<Vec<IdxLine>>, VaultError> {
    let rel = format!("packs/{id}.pack");
    let from_trailer = if vault.format > 1 {
        pack::read_trailer(vault, id, size)
    } else {
        Ok(None)
    };
    match from_trailer.map(|t| t.map(|t| (pack::parse_idx(&t), t))) {
        Ok(Some((Ok(lines), text))) => {
            let n = lines.len();
            let repaired = repair_index
                && pack_sound(vault, id)?
                && vault
                    .create(
                        &Key::content(FileKind::Index, id).expect("a pack id"),
                        text.as_bytes(),
                    )
                    .is_ok();
            problems.push(problem(
                ProblemLevel::Note,
                crate::vault::audit_codes::AuditCode::PackUnindexed,
                rel,
                if repaired {
                    format!("the pack had no index file; it was rebuilt from the pack's trailer ({n} objects)")
                } else {
                    format!("a pack without its index file (left by an interrupted deposit or replication, or the index was lost); its trailer lists its {n} objects, which are read from there")
                },
                if repaired {
                    "nothing to do"
                } else {
                    "nothing to do; `escrow audit --repair-index` writes the index again"
                },
            ));
            Ok(Some(lines))
        }
        Ok(Some((Err(m), _))) | Err(m) => {
            problems.push(problem(
                ProblemLevel::Error,
                crate::vault::audit_codes::AuditCode::PackCorrupted,
                rel,
                format!("the pack has no index file, and its trailer is damaged: {m}"),
                RESTORE_BACKUP,
            ));
            Ok(None)
        }
        Ok(None) => {
            problems.push(problem(
                ProblemLevel::Note,
                crate::vault::audit_codes::AuditCode::PackUnindexed,
                rel,
                "a pack without an index, left by an interrupted deposit; no snapshot uses it"
                    .to_owned(),
                "nothing to do",
            ));
            Ok(None)
        }
    }
}

/// An index file: its lines when it parses, agrees with its pack's trailer and has its pack
/// (`size`: `None` when the pack is gone); otherwise a problem, and the trailer's lines when
/// the trailer is sound.
fn indexed_pack(
    vault: &Vault,
    id: &str,
    size: Option<u64>,
    problems: &mut Vec<VaultProblem>,
) -> Result<Option<Vec<IdxLine>>, VaultError> {
    let key = Key::content(FileKind::Index, id).expect("parsed");
    // A store that cannot be read is an error of the audit, not damage to report.
    let bytes = vault.backend().read(&key, pack::MAX_INDEX_BYTES)?;
    let parsed = String::from_utf8(bytes)
        .map_err(|_| "the index is not text".to_owned())
        .and_then(|t| pack::parse_idx(&t).map(|l| (l, t)));
    let trailer = |size: u64| {
        pack::read_trailer(vault, id, size)
            .ok()
            .flatten()
            .filter(|_| vault.format > 1)
    };
    match (parsed, size) {
        (Ok((lines, text)), Some(size)) => {
            if let Some(t) = trailer(size)
                && t != text
            {
                problems.push(problem(
                    ProblemLevel::Error,
                    crate::vault::audit_codes::AuditCode::IndexCorrupted,
                    format!("packs/{id}.idx"),
                    "the index differs from the list of objects in its pack's trailer: it was edited".to_owned(),
                    "delete this index file and run `escrow audit --repair-index` to write it again from the pack",
                ));
                if let Ok(l) = pack::parse_idx(&t) {
                    return Ok(Some(l));
                }
            }
            Ok(Some(lines))
        }
        (Ok((lines, _)), None) => {
            problems.push(problem(
                ProblemLevel::Error,
                crate::vault::audit_codes::AuditCode::PackMissing,
                format!("packs/{id}.pack"),
                format!(
                    "the pack is missing: {} objects are lost with it",
                    lines.len()
                ),
                RESTORE_BACKUP,
            ));
            Ok(None)
        }
        (Err(m), size) => {
            let from_trailer = size
                .and_then(trailer)
                .and_then(|t| pack::parse_idx(&t).ok());
            let repairable = from_trailer.is_some();
            problems.push(problem(
                ProblemLevel::Error,
                crate::vault::audit_codes::AuditCode::IndexCorrupted,
                format!("packs/{id}.idx"),
                if repairable {
                    format!("{m}; the pack's trailer still lists its objects, which are read from there")
                } else {
                    m
                },
                if repairable {
                    "delete this index file and run `escrow audit --repair-index` to write it again from the pack"
                } else {
                    RESTORE_BACKUP
                },
            ));
            Ok(from_trailer)
        }
    }
}

/// Whether pack `id` hashes to its name (checked before an index is written from its trailer).
fn pack_sound(vault: &Vault, id: &str) -> Result<bool, VaultError> {
    let key = Key::content(FileKind::Pack, id).expect("a pack id");
    let mut h = HashWriter(Sha256::new());
    vault.backend().read_to(&key, &mut h)?;
    Ok(hex(&h.0.finalize()) == id)
}

/// Hashes what is written to it.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A file in a vault folder that escrow never writes.
fn stray(rel: &str) -> VaultProblem {
    problem(
        ProblemLevel::Error,
        crate::vault::audit_codes::AuditCode::StrayFile,
        rel.to_owned(),
        "a file that escrow never writes here".to_owned(),
        "find out who put it there; the vault is written only by escrow",
    )
}

/// Files in `ledger/` that are not ledger entries.
fn stray_ledger_files(vault: &Vault, problems: &mut Vec<VaultProblem>) -> Result<(), VaultError> {
    if vault.format == 1 {
        return Ok(());
    }
    for l in vault.backend().list(FileKind::Ledger)? {
        if Key::parse(FileKind::Ledger, &l.name).is_none() {
            problems.push(stray(&format!("ledger/{}", l.name)));
        }
    }
    Ok(())
}

/// 2. The ledger: its chain, and the head given with `--head` (already checked for its form).
fn audit_ledger(
    vault: &Vault,
    led: &ledger::Ledger,
    expect_head: Option<&str>,
    problems: &mut Vec<VaultProblem>,
) {
    let (rel, advice) = ledger_rel(vault);
    for (code, m) in &led.problems {
        problems.push(problem(
            ProblemLevel::Error,
            code,
            rel.to_owned(),
            m.clone(),
            &format!("{advice}; the entries before the problem are intact"),
        ));
    }
    if let Some(h) = expect_head
        && led.position(h).is_none()
    {
        problems.push(problem(
            ProblemLevel::Error,
            crate::vault::audit_codes::AuditCode::LedgerTruncated,
            rel.to_owned(),
            head_missing(led, h.trim()),
            &format!("{advice}; until then `status` misses the deadlines of the lost go-live and payment events"),
        ));
    }
}

/// Where the ledger is, relative to the vault, and how to restore it.
fn ledger_rel(vault: &Vault) -> (&'static str, &'static str) {
    if vault.format == 1 {
        (
            "ledger.jsonl",
            "restore ledger.jsonl from a backup copy of the vault",
        )
    } else {
        (
            "ledger/",
            "restore the missing or damaged files of ledger/ from a backup or replica of the vault (`escrow vault replicate`)",
        )
    }
}

/// 3. Snapshot records: each is sound, agrees with its ledger entry (or is explained by an
///    interrupted deposit), and has every object it needs. Returns the number of snapshots
///    both on disk and in the ledger.
fn audit_snapshots(
    vault: &Vault,
    led: &ledger::Ledger,
    packs: &Packs,
    problems: &mut Vec<VaultProblem>,
) -> Result<u64, VaultError> {
    let snap_ids = snapshot_ids(vault, problems)?;
    let records = load_records(vault, &snap_ids);
    let in_ledger: HashMap<&str, &ledger::LedgerEntry> = led
        .entries
        .iter()
        .filter(|e| e.event == "deposit")
        .map(|e| (e.snapshot.as_str(), e))
        .collect();
    let on_disk: HashSet<&str> = snap_ids.iter().map(String::as_str).collect();
    for e in led.entries.iter().filter(|e| e.event == "deposit") {
        if !on_disk.contains(e.snapshot.as_str()) {
            problems.push(problem(
                ProblemLevel::Error,
                crate::vault::audit_codes::AuditCode::SnapshotMissing,
                format!("snapshots/{}.json.zst", e.snapshot),
                format!(
                    "the record of snapshot {} ({}) is missing",
                    super::short(&e.snapshot),
                    e.label
                ),
                RESTORE_BACKUP,
            ));
        }
    }
    let mut snapshots = 0u64;
    for (id, r) in &records {
        let rel = format!("snapshots/{id}.json.zst");
        let (record, sm3) = match r {
            Ok((rec, sm3)) => (rec, sm3),
            Err(m) => {
                problems.push(problem(
                    ProblemLevel::Error,
                    crate::vault::audit_codes::AuditCode::SnapshotEdited,
                    rel,
                    m.clone(),
                    RESTORE_BACKUP,
                ));
                continue;
            }
        };
        match in_ledger.get(id.as_str()) {
            Some(le) => {
                snapshots += 1;
                problems.extend(disagreement(le, record, sm3, &rel));
            }
            None => {
                // Not part of the ledger (yet): its contents are not audited.
                problems.push(unrecorded(led, id, record, &rel));
                continue;
            }
        }
        problems.extend(audit_objects(vault, packs, id, record, &rel));
    }
    Ok(snapshots)
}

/// The ids of the records in `snapshots/`, sorted; any other file there is a problem.
fn snapshot_ids(
    vault: &Vault,
    problems: &mut Vec<VaultProblem>,
) -> Result<Vec<String>, VaultError> {
    let mut snap_ids = Vec::new();
    for l in vault.backend().list(FileKind::Snapshot)? {
        match Key::parse(FileKind::Snapshot, &l.name) {
            Some(k) => snap_ids.push(k.id().to_owned()),
            None => problems.push(problem(
                ProblemLevel::Error,
                crate::vault::audit_codes::AuditCode::StrayFile,
                format!("snapshots/{}", l.name),
                "a file that is not a snapshot record".to_owned(),
                "find out who put it there; the vault is written only by escrow",
            )),
        }
    }
    snap_ids.sort();
    Ok(snap_ids)
}

/// Every record, verified against its id, with the SM3 of its bytes.
fn load_records(vault: &Vault, ids: &[String]) -> Vec<(String, Loaded)> {
    ids.par_iter()
        .map(|id| {
            let r = snapshot::load_json(vault, id)
                .map_err(|e| match e {
                    VaultError::Corrupt { message, .. } => message,
                    other => other.to_string(),
                })
                .and_then(|json| {
                    let sm3 = hex(&<sm3::Sm3 as Digest>::digest(&json));
                    serde_json::from_slice::<SnapshotRecord>(&json)
                        .map(|r| (r, sm3))
                        .map_err(|e| format!("the record does not parse: {e}"))
                });
            (id.clone(), r)
        })
        .collect()
}

/// A record and its ledger entry must agree on everything the entry repeats.
fn disagreement(
    le: &ledger::LedgerEntry,
    record: &SnapshotRecord,
    sm3: &str,
    rel: &str,
) -> Option<VaultProblem> {
    let verdict = record.report_verdict();
    let differs: Vec<&str> = [
        ("label", le.label == record.label),
        ("time", le.time == record.created_at),
        ("seq", le.seq == record.seq),
        ("prev", le.prev == record.prev),
        ("verdict", verdict.as_deref() == Some(le.verdict.as_str())),
        ("files", le.files == record.tree.files),
        ("bytes", le.bytes == record.tree.bytes),
        ("tree_sha256", le.tree_sha256 == record.tree.sha256),
        ("tree_sm3", le.tree_sm3 == record.tree.sm3),
        ("snapshot_sm3", le.snapshot_sm3 == sm3),
    ]
    .into_iter()
    .filter(|(_, same)| !same)
    .map(|(what, _)| what)
    .collect();
    (!differs.is_empty()).then(|| {
        problem(
            ProblemLevel::Error,
            crate::vault::audit_codes::AuditCode::SnapshotEdited,
            rel.to_owned(),
            format!(
                "the ledger entry and the record disagree on: {}; one of them was edited",
                differs.join(", ")
            ),
            RESTORE_BACKUP,
        )
    })
}

/// A record the ledger does not list. A deposit killed after writing its record but before its
/// ledger line leaves a record that chains to a point of the ledger: at the end (nothing since),
/// or where a later deposit took its place. A record past the end of the ledger means entries
/// were cut from it.
fn unrecorded(led: &ledger::Ledger, id: &str, record: &SnapshotRecord, rel: &str) -> VaultProblem {
    let seq = usize::try_from(record.seq).unwrap_or(usize::MAX);
    let chains = led.heads.get(seq).is_some_and(|h| *h == record.prev);
    let at_end = seq == led.entries.len();
    if !(chains && led.problems.is_empty()) {
        return problem(
            ProblemLevel::Error,
            crate::vault::audit_codes::AuditCode::LedgerTruncated,
            rel.to_owned(),
            format!(
                "snapshot {} ({}, ledger seq {}) is not in the ledger, which has {} entries: ledger entries were removed",
                super::short(id),
                record.label,
                record.seq,
                led.entries.len()
            ),
            "restore the ledger from a backup copy or replica of the vault",
        );
    }
    let (message, advice) = if at_end {
        (
            format!(
                "snapshot {} ({}) was written but not entered in the ledger: a deposit was interrupted just before its end, or lost the race for its ledger number to another writer and was recorded again under the next number, or the ledger's last entry was removed",
                super::short(id),
                record.label
            ),
            "compare the ledger head audit shows with the one printed by your last deposit, golive or payment; if they match, deposit again",
        )
    } else {
        (
            format!(
                "snapshot {} ({}) was written by a deposit interrupted just before its end, or by one that lost the race for ledger number {} to another writer and was recorded again under a later number; the ledger went on without it",
                super::short(id),
                record.label,
                record.seq
            ),
            "nothing to do; deposit that delivery again if it is still needed",
        )
    };
    problem(
        ProblemLevel::Note,
        crate::vault::audit_codes::AuditCode::SnapshotUnrecorded,
        rel.to_owned(),
        message,
        advice,
    )
}

/// Every content the snapshot needs must be present and sound: the pieces of its file list,
/// its repository history and build log, and the files' contents.
fn audit_objects(
    vault: &Vault,
    packs: &Packs,
    id: &str,
    record: &SnapshotRecord,
    rel: &str,
) -> Vec<VaultProblem> {
    let mut missing = Vec::new();
    let mut damaged = Vec::new();
    let mut note = |fault: Option<Fault>, what: String| match fault {
        Some(Fault::Missing) => missing.push(what),
        Some(Fault::Damaged) => damaged.push(what),
        None => {}
    };
    let mut entries = Vec::new();
    for c in &record.listing {
        let what = format!("(file list piece {})", c.sha256);
        let fault = match pack::parse_hex32(&c.sha256) {
            None => Some(Fault::Damaged),
            Some(sha) => packs.fault(&sha).or_else(|| {
                match pack::read_object(vault, &packs.index, &c.sha256)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Vec<snapshot::RecEntry>>(&b).ok())
                {
                    Some(list) => {
                        entries.extend(list);
                        None
                    }
                    None => Some(Fault::Damaged),
                }
            }),
        };
        note(fault, what);
    }
    let extras = [
        (
            record.history.as_ref().map(|h| &h.sha256),
            "(repository history)",
        ),
        (record.build_log.as_ref().map(|b| &b.sha256), "(build log)"),
    ];
    for (sha, what) in extras {
        if let Some(sha) = sha {
            let fault = pack::parse_hex32(sha).map_or(Some(Fault::Damaged), |s| packs.fault(&s));
            note(fault, what.to_owned());
        }
    }
    for e in &entries {
        if let Some(sha) = e.sha() {
            note(packs.fault(&sha), e.display_path());
        }
    }
    object_problems(id, record, rel, &missing, &damaged)
}

/// The problems of a snapshot's missing and damaged objects (at most one of each).
fn object_problems(
    id: &str,
    record: &SnapshotRecord,
    rel: &str,
    missing: &[String],
    damaged: &[String],
) -> Vec<VaultProblem> {
    let mut out = Vec::new();
    let examples = |v: &[String]| v.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if !missing.is_empty() {
        out.push(problem(
            ProblemLevel::Error,
            crate::vault::audit_codes::AuditCode::ObjectMissing,
            rel.to_owned(),
            format!(
                "snapshot {} ({}) needs {} stored objects (file contents, its build log or repository history) that no pack holds, e.g. {}",
                super::short(id),
                record.label,
                missing.len(),
                examples(missing)
            ),
            "restore the missing packs from a backup copy of the vault; file contents also come back by depositing the same delivery again, a build log or repository history only from the backup",
        ));
    }
    if !damaged.is_empty() {
        out.push(problem(
            ProblemLevel::Error,
            crate::vault::audit_codes::AuditCode::SnapshotDamaged,
            rel.to_owned(),
            format!(
                "snapshot {} ({}) has {} files whose stored content is corrupted, e.g. {}",
                super::short(id),
                record.label,
                damaged.len(),
                examples(damaged)
            ),
            "restore the damaged packs from a backup copy of the vault, or deposit the same delivery again to put the contents back",
        ));
    }
    out
}

/// Every holiday notice the ledger records is there, with the bytes it had.
fn audit_calendars(vault: &Vault, led: &ledger::Ledger, problems: &mut Vec<VaultProblem>) {
    let retracted: HashSet<u64> = led
        .entries
        .iter()
        .filter(|e| e.event == "retract")
        .filter_map(|e| e.target)
        .collect();
    let mut cal = crate::calendar::Calendar::cn();
    for e in led.entries.iter().filter(|e| e.event == "calendar") {
        let loaded = vault.load_calendar(&e.digest).and_then(|text| {
            if retracted.contains(&e.seq) {
                return Ok(());
            }
            cal.add_text(&format!("seq {}", e.seq), &text)
                .map(|_| ())
                .map_err(|err| VaultError::Corrupt {
                    path: vault.calendars_dir(),
                    message: format!(
                        "it contradicts the notices before it ({err}); withdraw one with `escrow calendar retract SEQ --reason`"
                    ),
                })
        });
        if let Err(err) = loaded {
            problems.push(problem(
                ProblemLevel::Error,
                crate::vault::audit_codes::AuditCode::CalendarDamaged,
                format!("calendars/{}.toml", e.digest),
                format!("{} ({}): {err}", e.name, ledger::describe(e)),
                "restore `calendars/` from a backup copy of the vault, or add the notice again with `escrow calendar add FILE`",
            ));
        }
    }
}

/// 4. Temporary files left by interrupted commands.
fn audit_leftovers(vault: &Vault, problems: &mut Vec<VaultProblem>) -> Result<(), VaultError> {
    if vault.backend().local_root().is_none() {
        return Ok(());
    }
    let tmp = vault.tmp_dir();
    let leftovers = match std::fs::read_dir(&tmp) {
        Ok(rd) => rd.count(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(io_err(&tmp)(e)),
    };
    if leftovers > 0 {
        problems.push(problem(
            ProblemLevel::Note,
            crate::vault::audit_codes::AuditCode::TempLeftover,
            "tmp/".to_owned(),
            format!("{leftovers} temporary files left by interrupted commands"),
            "nothing to do; they may be deleted when no escrow command is running",
        ));
    }
    Ok(())
}

/// What a head given with `--head` that the ledger does not hold means: the entries after the
/// last one left were removed, or (the chain being intact up to there) the last one left was
/// edited in place.
fn head_missing(led: &ledger::Ledger, h: &str) -> String {
    let start = format!("the ledger no longer contains the head {h} given with --head");
    match (led.entries.last(), led.problems.is_empty()) {
        (None, _) => format!(
            "{start}: the ledger is empty now, so every entry recorded up to that head (deposits, go-live and payment events) is missing"
        ),
        (Some(last), true) => format!(
            "{start}: the entry that head was printed for is missing. The ledger now ends with {}: every entry recorded after it up to that head (deposits, go-live or payment events) was removed, or this last entry was edited in place (e.g. a go-live or payment date)",
            ledger::describe(last)
        ),
        (Some(last), false) => format!(
            "{start}: the ledger is damaged after {} (see the other ledger problems); the entries from there up to that head were removed or edited",
            ledger::describe(last)
        ),
    }
}

/// The vault must be private to its user: a folder or file that its group or other users may
/// read, write or enter is a warning (`vault-permissions`), with the command that fixes it.
/// Links are not followed (their own mode means nothing).
fn permissions(vault: &Vault) -> Result<Option<VaultProblem>, VaultError> {
    use std::os::unix::fs::PermissionsExt;
    if vault.backend().local_root().is_none() {
        return Ok(None);
    }
    let mut open: Vec<(String, u32)> = Vec::new();
    let mut count = 0u64;
    for e in walkdir::WalkDir::new(&vault.root).follow_links(false) {
        let e = e.map_err(|err| {
            let path = err.path().unwrap_or(&vault.root).to_owned();
            io_err(&path)(err.into())
        })?;
        if e.path_is_symlink() {
            continue;
        }
        let mode = e
            .metadata()
            .map_err(|err| io_err(e.path())(err.into()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            count += 1;
            if open.len() < 3 {
                let rel = e.path().strip_prefix(&vault.root).map_or_else(
                    |_| e.path().display().to_string(),
                    |r| r.display().to_string(),
                );
                open.push((
                    if rel.is_empty() { ".".to_owned() } else { rel },
                    mode & 0o7777,
                ));
            }
        }
    }
    if count == 0 {
        return Ok(None);
    }
    let examples: Vec<String> = open
        .iter()
        .map(|(p, m)| format!("{p} (mode {m:04o})"))
        .collect();
    Ok(Some(VaultProblem {
        level: ProblemLevel::Warn,
        code: crate::vault::audit_codes::AuditCode::VaultPermissions
            .name()
            .to_owned(),
        path: open.first().map(|(p, _)| p.clone()).unwrap_or_default(),
        message: format!(
            "{count} files or folders of the vault are open to other users (group or others may read, write or enter them), e.g. {}: any local user, or a build, could read the deposits",
            examples.join(", ")
        ),
        advice: format!(
            "make the vault private to its user: chmod -R go-rwx {}",
            vault.root.display()
        ),
    }))
}

/// One object checked: its hash, or its hash and what is wrong with it.
type Checked = Result<[u8; 32], ([u8; 32], String)>;

/// The sound objects of a pack; each damaged one a problem (the first few by name, the rest
/// counted: a forged index of millions of lines must not make a report of millions of problems).
fn sort_objects(
    objects: Vec<Checked>,
    rel: &str,
    problems: &mut Vec<VaultProblem>,
) -> Vec<[u8; 32]> {
    let mut good = Vec::new();
    let mut damaged = 0u64;
    for r in objects {
        match r {
            Ok(sha) => good.push(sha),
            Err((sha, why)) => {
                damaged += 1;
                if damaged <= MAX_OBJECT_PROBLEMS {
                    problems.push(problem(
                        ProblemLevel::Error,
                        crate::vault::audit_codes::AuditCode::ObjectCorrupted,
                        rel.to_owned(),
                        format!("object {} in this pack is damaged: {why}", hex(&sha)),
                        RESTORE_BACKUP,
                    ));
                }
            }
        }
    }
    if damaged > MAX_OBJECT_PROBLEMS {
        problems.push(problem(
            ProblemLevel::Error,
            crate::vault::audit_codes::AuditCode::ObjectCorrupted,
            rel.to_owned(),
            format!(
                "{} more objects in this pack are damaged ({damaged} in all)",
                damaged - MAX_OBJECT_PROBLEMS
            ),
            RESTORE_BACKUP,
        ));
    }
    good
}

/// Verify one pack: its file hashes to its name, and every object decompresses to its hash.
fn verify_pack(
    vault: &Vault,
    id: &str,
    lines: &[IdxLine],
    progress: &dyn Progress,
) -> Result<(Vec<[u8; 32]>, Vec<VaultProblem>), VaultError> {
    let path = vault.packs_dir().join(format!("{id}.pack"));
    let rel = format!("packs/{id}.pack");
    let file = match vault.pack_file(id) {
        Ok(f) => f,
        Err(VaultError::Io { source, .. }) if source.raw_os_error() == Some(libc::ELOOP) => {
            return Ok((
                Vec::new(),
                vec![problem(
                    ProblemLevel::Error,
                    crate::vault::audit_codes::AuditCode::PackCorrupted,
                    rel,
                    "the pack is a symbolic link, not a file escrow wrote: it is not read"
                        .to_owned(),
                    RESTORE_BACKUP,
                )],
            ));
        }
        Err(e) => return Err(e),
    };
    let (whole, objects) = rayon::join(
        || -> std::io::Result<String> {
            let mut h = Sha256::new();
            let mut buf = vec![0u8; 1 << 20];
            let mut pos = 0u64;
            loop {
                let n = std::os::unix::fs::FileExt::read_at(&*file, &mut buf, pos)?;
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
                pos += n as u64;
            }
            Ok(hex(&h.finalize()))
        },
        || {
            lines
                .par_iter()
                .map_init(
                    || zstd::bulk::Decompressor::new().expect("zstd decompressor"),
                    |dec, &(sha, offset, clen, size)| {
                        let loc = Loc {
                            pack: 0,
                            offset,
                            clen,
                            size,
                        };
                        let r = pack::copy_object(&file, &loc, dec, &mut std::io::sink());
                        progress.advance(1, clen);
                        match r {
                            Ok((got, n)) if got == sha && n == size => Ok(sha),
                            Ok(_) => Err((sha, "its content does not match its hash".to_owned())),
                            Err(e) => Err((sha, format!("it cannot be read: {e}"))),
                        }
                    },
                )
                .collect::<Vec<_>>()
        },
    );
    vault.forget_pack(id);
    let mut problems = Vec::new();
    match whole {
        Ok(h) if h == id => {}
        Ok(_) => problems.push(problem(
            ProblemLevel::Error,
            crate::vault::audit_codes::AuditCode::PackCorrupted,
            rel.clone(),
            "the pack's bytes do not match its name: it was changed or damaged".to_owned(),
            RESTORE_BACKUP,
        )),
        Err(e) => return Err(io_err(&path)(e)),
    }
    let good = sort_objects(objects, &rel, &mut problems);
    Ok((good, problems))
}
