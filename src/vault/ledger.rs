//! The append-only ledger: one JSON object per event, each in its own write-once file
//! `ledger/<seq, 20 digits>.json` (format 1: one line each in `ledger.jsonl`). Each entry
//! carries `prev`, the SHA-256 of the previous entry's bytes, so that removing, reordering or
//! editing any entry breaks the chain. The first entry's `prev` is 64 zeros. The bytes are the
//! same in both formats, so a ledger head stays valid across `escrow vault upgrade`.

use std::path::Path;

use super::audit_codes::AuditCode;
use super::backend::{Created, FileKind, Key};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Vault, VaultError, fsutil, io_err};
use crate::hash::hex;

/// The `prev` of the first entry, and the head of an empty ledger: 64 zeros.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The largest ledger read: 1 GiB (a deposit adds about 700 bytes, an event about 300).
const MAX_LEDGER_BYTES: u64 = 1 << 30;
/// The largest ledger entry read (format 2): 64 KiB (a deposit takes about 700 bytes).
const MAX_ENTRY_BYTES: u64 = 64 << 10;

/// One ledger line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerEntry {
    /// 0, 1, 2, … in order.
    pub seq: u64,
    /// UTC, RFC 3339.
    pub time: String,
    /// "deposit", "golive" (a feature went live), "payment" (the final payment), "question"
    /// (the hospital asked the vendor), "answer" (the vendor answered question `target`),
    /// "accept" (the hospital accepted failing deposit `target` with a `reason`), "retract"
    /// (event `target` was recorded in error, for a `reason`) or "calendar" (a holiday notice
    /// stored with the vault, `digest`).
    pub event: String,
    /// Deposits: the snapshot id, SHA-256 of the snapshot record (uncompressed JSON).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub snapshot: String,
    /// Deposits: SM3 (GB/T 32905) of the same snapshot record.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub snapshot_sm3: String,
    /// Deposits: the label.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Deposits: "pass" or "fail".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub verdict: String,
    /// Deposits: the number of regular files in the delivery (0 and absent for events).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub files: u64,
    /// Deposits: the regular files' total size in bytes (0 and absent for events).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bytes: u64,
    /// Deposits: the delivery tree's SHA-256 digest, hex (`Tree::sha256` of the record).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tree_sha256: String,
    /// Deposits: the delivery tree's SM3 (GB/T 32905) digest, hex (`Tree::sm3`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tree_sm3: String,
    /// Events: what went live ("golive"), or a note ("payment").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Events: the day it happened (YYYY-MM-DD, China Standard Time).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
    /// Deposits: the contract's id (the manifest's `[contract] id`), empty when it has none.
    /// The first deposit that carries one binds the vault to that contract.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contract: String,
    /// Deposits: the contract's terms from the manifest, normalised
    /// (`update-deadline=…;delivery-deadline=…;answer-deadline=…;calendar=…`); the first
    /// deposit's terms stay in force until a deposit made with `--amend-terms`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub terms: String,
    /// Deposits: made with `--amend-terms`: its `terms` are in force from now on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub amends_terms: bool,
    /// Deposits: the ledger positions of the go-lives this deposit answers (`deposit --for`);
    /// empty when it answers whatever go-live its date falls after.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<u64>,
    /// "answer", "accept", "retract": the ledger position of the entry it refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<u64>,
    /// "accept", "retract", and deposits made with `--amend-terms`: why, as the hospital wrote
    /// it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// "calendar": SHA-256 of the stored notice file, hex.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub digest: String,
    /// SHA-256 of the previous line.
    pub prev: String,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The contract terms in force: those of the last deposit made with `--amend-terms`, else of
/// the first deposit that recorded terms; with that deposit's label. `None` for a vault whose
/// deposits predate recorded terms.
pub fn terms_in_force(entries: &[LedgerEntry]) -> Option<(&str, &str)> {
    let deposits = || {
        entries
            .iter()
            .filter(|e| e.event == "deposit" && !e.terms.is_empty())
    };
    deposits()
        .rfind(|e| e.amends_terms)
        .or_else(|| deposits().next())
        .map(|e| (e.terms.as_str(), e.label.as_str()))
}

/// The terms the vault was bound with: those of the first deposit that recorded terms.
pub fn first_terms(entries: &[LedgerEntry]) -> Option<&str> {
    entries
        .iter()
        .find(|e| e.event == "deposit" && !e.terms.is_empty())
        .map(|e| e.terms.as_str())
}

/// A read ledger: the entries that parse and chain, and every problem found.
#[derive(Debug, Default)]
pub struct Ledger {
    /// The entries up to the first problem.
    pub entries: Vec<LedgerEntry>,
    /// SHA-256 of the last line: the ledger head. Keep it elsewhere to detect a cut ledger.
    pub head: String,
    /// `heads[i]`: the ledger head before entry `i` (GENESIS for the first), so `heads[i]` is the
    /// `prev` an entry at position `i` carries. One more than `entries`: the last is `head`.
    pub heads: Vec<String>,
    /// (code, message): `ledger-truncated` or `ledger-broken`.
    pub problems: Vec<(crate::vault::audit_codes::AuditCode, String)>,
}

impl Ledger {
    /// Where the ledger head `head` (64 hex digits, any case) is in the chain: the number of
    /// entries up to it (0 for the empty ledger's head), or `None` when the chain does not hold
    /// it (entries after it were removed, or an entry was edited).
    pub fn position(&self, head: &str) -> Option<usize> {
        let head = head.trim();
        self.heads.iter().position(|h| h.eq_ignore_ascii_case(head))
    }
}

/// Whether `s` has the form of a ledger head: 64 hex digits.
pub fn is_head(s: &str) -> bool {
    let s = s.trim();
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A short description of an entry for people: "seq 3, the go-live of \"X\" dated 2026-03-10".
pub fn describe(e: &LedgerEntry) -> String {
    match e.event.as_str() {
        "deposit" => format!(
            "seq {}, the deposit of {:?} (snapshot {})",
            e.seq,
            e.label,
            super::short(&e.snapshot)
        ),
        "golive" => format!(
            "seq {}, the go-live of {:?} dated {}",
            e.seq, e.name, e.date
        ),
        "payment" => format!("seq {}, the final payment dated {}", e.seq, e.date),
        "question" => format!("seq {}, the question {:?} asked {}", e.seq, e.name, e.date),
        "answer" => format!(
            "seq {}, the answer to seq {} given {}",
            e.seq,
            e.target.unwrap_or_default(),
            e.date
        ),
        "accept" => format!(
            "seq {}, the acceptance of the failing deposit at seq {} ({:?})",
            e.seq,
            e.target.unwrap_or_default(),
            e.reason
        ),
        "retract" => format!(
            "seq {}, the retraction of seq {} ({:?})",
            e.seq,
            e.target.unwrap_or_default(),
            e.reason
        ),
        "calendar" => format!("seq {}, the holiday notice {:?} added", e.seq, e.name),
        other => format!("seq {}, an event {other:?}", e.seq),
    }
}

/// [`describe`] in Chinese: `序号 N：…`, with the same `seq` as `status` and every command
/// show.
pub fn describe_zh(e: &LedgerEntry) -> String {
    let n = e.seq;
    let t = e.target.unwrap_or_default();
    match e.event.as_str() {
        "deposit" => format!(
            "序号 {n}：快照「{}」入库（{}）",
            e.label,
            super::short(&e.snapshot)
        ),
        "golive" => format!("序号 {n}：「{}」上线（上线日期 {}）", e.name, e.date),
        "payment" => format!("序号 {n}：支付尾款（日期 {}）", e.date),
        "question" => format!("序号 {n}：{} 提出问题「{}」", e.date, e.name),
        "answer" => format!("序号 {n}：{} 答复序号 {t} 的问题", e.date),
        "accept" => format!("序号 {n}：接受序号 {t} 未通过的入库（理由：{}）", e.reason),
        "retract" => format!("序号 {n}：撤销序号 {t} 的记录（理由：{}）", e.reason),
        "calendar" => format!("序号 {n}：加入节假日安排「{}」", e.name),
        other => format!("序号 {n}：事件 {other:?}"),
    }
}

/// The Chinese name of a ledger event, for people.
pub fn event_zh(event: &str) -> &str {
    match event {
        "deposit" => "入库",
        "golive" => "上线",
        "payment" => "付尾款",
        "question" => "提问",
        "answer" => "答复",
        "accept" => "接受未通过的入库",
        "retract" => "撤销",
        "calendar" => "节假日安排",
        other => other,
    }
}

/// SHA-256 of a line, hex.
fn line_hash(line: &[u8]) -> String {
    hex(&Sha256::digest(line))
}

/// Follows the hash chain entry by entry, collecting the first problem.
struct Chain {
    ledger: Ledger,
}

impl Chain {
    fn new() -> Chain {
        Chain {
            ledger: Ledger {
                head: GENESIS.to_owned(),
                heads: vec![GENESIS.to_owned()],
                ..Ledger::default()
            },
        }
    }

    /// Add entry `n` (0-based) whose bytes are `line`; `what` names it in messages ("ledger
    /// line 3", "ledger/00000000000000000002.json"). False: a problem was recorded, stop.
    fn push(&mut self, n: u64, line: &[u8], what: &str) -> bool {
        let entry: LedgerEntry = match serde_json::from_slice(line) {
            Ok(e) => e,
            Err(e) => {
                self.ledger.problems.push((
                    AuditCode::LedgerBroken,
                    format!("{what} does not parse: {e}"),
                ));
                return false;
            }
        };
        if entry.prev != self.ledger.head {
            self.ledger.problems.push((AuditCode::LedgerBroken, format!(
                "{what} (seq {}) does not chain to the entry before it: an entry was removed, reordered or edited",
                entry.seq
            )));
            return false;
        }
        if entry.seq != n {
            self.ledger.problems.push((
                AuditCode::LedgerBroken,
                format!("{what} has seq {} where {n} was expected", entry.seq),
            ));
            return false;
        }
        self.ledger.head = line_hash(line);
        self.ledger.heads.push(self.ledger.head.clone());
        self.ledger.entries.push(entry);
        true
    }
}

/// Read the ledger of `vault`: format 2 lists `ledger/` and reads every entry (in parallel:
/// one request each on an object store); format 1 reads `ledger.jsonl`. Structural problems
/// (an entry that does not parse, a broken chain, a missing entry number, a cut last line) are
/// collected in `problems`; reading stops at the first of them, since later entries cannot be
/// trusted.
pub fn read_vault(vault: &Vault) -> Result<Ledger, VaultError> {
    use rayon::prelude::*;
    if vault.format == 1 {
        return read(&vault.root.join("ledger.jsonl"));
    }
    let mut seqs: Vec<u64> = vault
        .backend()
        .list(FileKind::Ledger)?
        .iter()
        .filter_map(|l| Key::parse(FileKind::Ledger, &l.name)?.seq())
        .collect();
    seqs.sort_unstable();
    let lines: Vec<Result<Vec<u8>, VaultError>> = seqs
        .par_iter()
        .map(|&n| Ok(vault.backend().read(&Key::ledger(n), MAX_ENTRY_BYTES)?))
        .collect();
    let mut chain = Chain::new();
    for (i, (&n, line)) in seqs.iter().zip(lines).enumerate() {
        let what = Key::ledger(n).path();
        let i = i as u64;
        if n != i {
            chain.ledger.problems.push((AuditCode::LedgerBroken, format!(
                "the ledger jumps from entry {} to {what}: entry {i} is missing (removed from the vault)",
                i.saturating_sub(1)
            )));
            break;
        }
        if !chain.push(n, &line?, &what) {
            break;
        }
    }
    Ok(chain.ledger)
}

/// Read a format-1 ledger file (`ledger.jsonl`, one JSON object per line).
pub fn read(path: &Path) -> Result<Ledger, VaultError> {
    let bytes = match fsutil::read_regular(path, MAX_LEDGER_BYTES) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Chain::new().ledger),
        Err(e) => return Err(io_err(path)(e)),
    };
    let mut chain = Chain::new();
    if bytes.is_empty() {
        return Ok(chain.ledger);
    }
    let complete = bytes.ends_with(b"\n");
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    lines.pop(); // after the last newline (empty), or the cut last line
    if !complete {
        let cut = bytes.rsplit(|&b| b == b'\n').next().unwrap_or_default();
        chain.ledger.problems.push((AuditCode::LedgerTruncated, format!(
            "the ledger ends with an incomplete line of {} bytes after entry {}: it was cut or damaged",
            cut.len(),
            lines.len()
        )));
    }
    for (i, line) in lines.iter().enumerate() {
        if !chain.push(i as u64, line, &format!("ledger line {}", i + 1)) {
            break;
        }
    }
    Ok(chain.ledger)
}

/// The bytes of an entry as stored (its JSON, no newline) and their SHA-256, the head after it.
pub(crate) fn entry_bytes(entry: &LedgerEntry) -> (Vec<u8>, String) {
    let line = serde_json::to_vec(entry).expect("ledger entries serialize");
    let head = line_hash(&line);
    (line, head)
}

/// How many ledger numbers a writer tries before giving up (each lost race means another
/// writer committed an entry meanwhile).
const MAX_TRIES: u32 = 64;

/// Commit the next ledger entry without any lock: read the ledger, let `build` check the
/// request against it and make the entry (with `seq` = the number of entries and `prev` = the
/// head, and anything else to store first, such as a snapshot record), then create
/// `ledger/<seq>.json` only if absent. When another writer took that number first, read again
/// and call `build` again on top of the winner. Returns the entry, the new ledger head, and
/// what `build` returned.
///
/// Errors: `OldFormat`, `Corrupt` (a damaged ledger: nothing is recorded), `Busy` after 64 lost
/// races, what `build` returns, and backend errors.
pub(crate) fn commit<T>(
    vault: &Vault,
    mut build: impl FnMut(&Ledger) -> Result<(LedgerEntry, T), VaultError>,
) -> Result<(LedgerEntry, String, T), VaultError> {
    vault.require_current()?;
    for _ in 0..MAX_TRIES {
        let led = read_vault(vault)?;
        if let Some((_, p)) = led.problems.first() {
            return Err(VaultError::Corrupt {
                path: vault.ledger_path(),
                message: format!("{p}; nothing was recorded: run `escrow audit`"),
            });
        }
        let (entry, extra) = build(&led)?;
        debug_assert_eq!(entry.seq, led.entries.len() as u64);
        debug_assert_eq!(entry.prev, led.head);
        let (line, head) = entry_bytes(&entry);
        if line.len() as u64 > MAX_ENTRY_BYTES {
            return Err(VaultError::Invalid {
                message: format!(
                    "the entry would take {} bytes, more than the {MAX_ENTRY_BYTES} a ledger entry may hold: shorten the reason or names given",
                    line.len()
                ),
            });
        }
        match vault.create(&Key::ledger(entry.seq), &line)? {
            Created::New => return Ok((entry, head, extra)),
            Created::Existed => {}
        }
    }
    Err(VaultError::Busy {
        path: vault.root.clone(),
        tries: MAX_TRIES,
    })
}

/// Record a contract event (any `event` but "deposit") in the ledger: `entry` with its `seq`
/// and `prev` filled in. `check` sees the ledger as it stands when the entry is committed and
/// may refuse (e.g. a retraction whose target does not exist); if another writer commits
/// first, `check` runs again on the new ledger, so that two writers cannot both pass it.
/// Returns the entry and the new ledger head (to be printed: kept elsewhere, it lets `audit
/// --head` detect a removed or edited event later).
///
/// Errors: as [`commit`], and what `check` returns.
pub fn record_event(
    vault: &Vault,
    entry: &LedgerEntry,
    mut check: impl FnMut(&Ledger) -> Result<(), VaultError>,
) -> Result<(LedgerEntry, String), VaultError> {
    let (entry, head, ()) = commit(vault, |led| {
        check(led)?;
        let mut e = entry.clone();
        e.seq = led.entries.len() as u64;
        e.prev.clone_from(&led.head);
        Ok((e, ()))
    })?;
    Ok((entry, head))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn vault() -> (tempfile::TempDir, Vault) {
        let tmp = tempfile::tempdir().unwrap();
        let (v, _) = Vault::init(&tmp.path().join("vault")).unwrap();
        (tmp, v)
    }

    /// A vault in memory, and its store to tamper with.
    fn memory() -> (std::sync::Arc<crate::vault::backend::memory::Memory>, Vault) {
        let m = std::sync::Arc::new(crate::vault::backend::memory::Memory::new());
        let (v, _) = Vault::init_backend(m.clone(), Path::new("memory:")).unwrap();
        (m, v)
    }

    /// Create entry `e` as its own file (what `commit` does after its checks).
    fn append(v: &Vault, e: &LedgerEntry) -> Result<String, VaultError> {
        let (line, head) = entry_bytes(e);
        assert_eq!(
            v.create(&Key::ledger(e.seq), &line)?,
            Created::New,
            "entry {} taken",
            e.seq
        );
        Ok(head)
    }

    fn entry_path(v: &Vault, seq: u64) -> std::path::PathBuf {
        v.root.join(Key::ledger(seq).path())
    }

    fn event(seq: u64, event: &str, name: &str, prev: &str) -> LedgerEntry {
        LedgerEntry {
            seq,
            time: "2026-03-10T09:00:00Z".to_owned(),
            event: event.to_owned(),
            snapshot: String::new(),
            snapshot_sm3: String::new(),
            label: String::new(),
            verdict: String::new(),
            files: 0,
            bytes: 0,
            tree_sha256: String::new(),
            tree_sm3: String::new(),
            name: name.to_owned(),
            date: "2026-03-10".to_owned(),
            prev: prev.to_owned(),
            ..LedgerEntry::default()
        }
    }

    /// Append `names.len()` events, each chained to the head before it; the heads after each.
    fn append_all(v: &Vault, names: &[String]) -> Vec<String> {
        let mut head = GENESIS.to_owned();
        let mut heads = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let kind = if i % 2 == 0 { "golive" } else { "payment" };
            head = append(v, &event(i as u64, kind, name, &head)).unwrap();
            heads.push(head.clone());
        }
        heads
    }

    #[test]
    fn appended_entries_read_back_in_a_sound_chain() {
        let (_tmp, v) = vault();
        let names: Vec<String> = ["门诊", "住院", "药房"].map(str::to_owned).to_vec();
        let heads = append_all(&v, &names);
        let led = read_vault(&v).unwrap();
        assert!(led.problems.is_empty(), "{:?}", led.problems);
        assert_eq!(led.entries.len(), 3);
        assert_eq!(led.entries[2].name, "药房");
        assert_eq!(led.head, heads[2]);
        assert_eq!(led.position(&heads[0]), Some(1));
        assert_eq!(led.position(&heads[2].to_uppercase()), Some(3));
        assert_eq!(led.position(GENESIS), Some(0));
    }

    #[test]
    fn a_missing_ledger_is_empty() {
        let (_tmp, v) = vault();
        let led = read_vault(&v).unwrap();
        assert!(led.entries.is_empty() && led.problems.is_empty());
        assert_eq!(led.head, GENESIS);
    }

    #[test]
    fn a_cut_last_line_of_a_format_1_ledger_is_truncation() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("ledger.jsonl");
        let first = entry_bytes(&event(0, "golive", "a", GENESIS));
        let second = entry_bytes(&event(1, "payment", "b", &first.1));
        let mut bytes = [first.0.as_slice(), b"\n", &second.0, b"\n"].concat();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read(&path).unwrap().head, second.1);
        bytes.truncate(bytes.len() - 10);
        std::fs::write(&path, &bytes).unwrap();
        let led = read(&path).unwrap();
        assert_eq!(led.problems[0].0, AuditCode::LedgerTruncated);
        assert_eq!(led.entries.len(), 1);
        assert_eq!(led.position(&second.1), None);
    }

    #[test]
    fn an_edited_or_removed_entry_breaks_the_chain() {
        let (_tmp, v) = vault();
        append_all(&v, &["a".to_owned(), "b".to_owned(), "c".to_owned()]);
        let middle = std::fs::read_to_string(entry_path(&v, 1)).unwrap();
        // An edit in the middle: the next entry no longer chains to it.
        std::fs::remove_file(entry_path(&v, 1)).unwrap();
        std::fs::write(entry_path(&v, 1), middle.replacen("\"b\"", "\"x\"", 1)).unwrap();
        let led = read_vault(&v).unwrap();
        assert_eq!(led.problems[0].0, AuditCode::LedgerBroken);
        assert!(
            led.problems[0].1.contains("00000000000000000002"),
            "{:?}",
            led.problems
        );
        assert_eq!(led.entries.len(), 2);
        // The middle entry removed: a gap in the numbers.
        std::fs::remove_file(entry_path(&v, 1)).unwrap();
        let led = read_vault(&v).unwrap();
        assert_eq!(led.problems[0].0, AuditCode::LedgerBroken);
        assert!(
            led.problems[0].1.contains("entry 1 is missing"),
            "{:?}",
            led.problems
        );
        assert_eq!(led.entries.len(), 1);
        // An entry that is not JSON.
        std::fs::write(entry_path(&v, 1), "not json").unwrap();
        let led = read_vault(&v).unwrap();
        assert!(led.problems[0].1.contains("does not parse"));
        // A stray name in ledger/ is not an entry.
        std::fs::write(v.root.join("ledger/notes.txt"), "x").unwrap();
        assert_eq!(read_vault(&v).unwrap().entries.len(), 1);
    }

    #[test]
    fn two_writers_cannot_take_the_same_number() {
        let (_m, v) = memory();
        let first = event(0, "golive", "a", GENESIS);
        let rival = event(0, "golive", "b", GENESIS);
        append(&v, &first).unwrap();
        let (line, _) = entry_bytes(&rival);
        assert_eq!(v.create(&Key::ledger(0), &line).unwrap(), Created::Existed);
        assert_eq!(read_vault(&v).unwrap().entries[0].name, "a");
    }

    #[test]
    fn writers_racing_on_threads_all_commit_in_one_chain() {
        let (_m, v) = memory();
        std::thread::scope(|s| {
            for t in 0..8 {
                let v = v.clone();
                s.spawn(move || {
                    for i in 0..5 {
                        record_event(&v, &event(0, "golive", &format!("{t}-{i}"), ""), |_| Ok(()))
                            .unwrap();
                    }
                });
            }
        });
        let led = read_vault(&v).unwrap();
        assert!(led.problems.is_empty(), "{:?}", led.problems);
        assert_eq!(led.entries.len(), 40);
        let names: std::collections::HashSet<&str> =
            led.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names.len(), 40);
    }

    #[test]
    fn a_check_sees_the_winners_entry() {
        let (_m, v) = memory();
        // A writer that refuses when a go-live named "x" exists loses the race to one that
        // records it: on its retry it sees the winner and refuses.
        let mut tries = 0;
        let r = record_event(&v, &event(0, "golive", "x", ""), |led| {
            tries += 1;
            if tries == 1 {
                record_event(&v, &event(0, "golive", "x", ""), |_| Ok(())).unwrap();
            }
            if led.entries.iter().any(|e| e.name == "x") {
                return Err(VaultError::Invalid {
                    message: "recorded already".to_owned(),
                });
            }
            Ok(())
        });
        assert!(r.is_err(), "{r:?}");
        assert_eq!(tries, 2);
        assert_eq!(read_vault(&v).unwrap().entries.len(), 1);
    }

    #[test]
    fn a_format_1_vault_takes_no_entries() {
        let (_m, mut v) = memory();
        v.format = 1;
        let r = record_event(&v, &event(0, "golive", "x", ""), |_| Ok(()));
        assert!(matches!(r, Err(VaultError::OldFormat { .. })), "{r:?}");
    }

    #[test]
    fn record_event_chains_to_the_head() {
        let (_tmp, v) = vault();
        let ok = |_: &Ledger| Ok(());
        let (first, h1) = record_event(&v, &event(9, "golive", "门诊", ""), ok).unwrap();
        let (second, h2) = record_event(&v, &event(9, "payment", "", ""), ok).unwrap();
        let refused = record_event(&v, &event(9, "retract", "", ""), |_| {
            Err(VaultError::Invalid {
                message: "no".to_owned(),
            })
        });
        assert!(refused.is_err());
        assert_eq!((first.seq, second.seq), (0, 1));
        assert_eq!(first.prev, GENESIS);
        assert_eq!(second.prev, h1);
        assert_eq!(read_vault(&v).unwrap().head, h2);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever the entries hold (any text, newlines and quotes included), appending them
        /// gives a ledger that reads back the same, chain intact, every head found in order.
        #[test]
        fn append_then_verify(names in proptest::collection::vec(".{0,40}", 0..12)) {
            let (_tmp, v) = vault();
            let heads = append_all(&v, &names);
            let led = read_vault(&v).unwrap();
            prop_assert!(led.problems.is_empty(), "{:?}", led.problems);
            let read_names: Vec<&str> = led.entries.iter().map(|e| e.name.as_str()).collect();
            prop_assert_eq!(read_names, names.iter().map(String::as_str).collect::<Vec<_>>());
            for (i, h) in heads.iter().enumerate() {
                prop_assert_eq!(led.position(h), Some(i + 1));
            }
            prop_assert_eq!(&led.head, heads.last().map_or(GENESIS, String::as_str));
        }
    }
}
