//! `escrow vault replicate SOURCE DEST`: copy to DEST every vault file it lacks (local ↔ S3,
//! S3 ↔ S3), checking each against its name on the way and again once it has arrived.
//!
//! Files are copied kind by kind: packs and their indexes, holiday notices, then for each
//! ledger entry in order its snapshot record (for a deposit) and the entry itself, so that
//! DEST's ledger never names a file DEST lacks: killed at any instant, DEST is a sound vault,
//! perhaps behind SOURCE, and running the command again copies only what is still missing.
//! Only what SOURCE's ledger names is copied: records no entry names, and indexes without
//! their pack, stay behind. A file DEST already holds is trusted when its size matches (it is
//! not read again): `audit` DEST to check its bytes. Nothing on DEST is overwritten: a file DEST holds
//! with other bytes (a ledger that has diverged, a damaged pack) stops the copy with an error
//! naming it.

use std::io::{Seek, Write};

use sha2::{Digest, Sha256};

use super::backend::{Backend, FileKind, Key};
use super::{Vault, VaultError, io_err};
use crate::hash::hex;
use crate::progress::Progress;

/// What a replication did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replicated {
    /// Files copied now.
    pub copied: u64,
    /// Bytes copied now.
    pub bytes: u64,
    /// Files DEST already held (and that were checked to be the same size).
    pub present: u64,
    /// The ledger head of both vaults once done.
    pub ledger_head: String,
    /// Ledger entries in both.
    pub ledger_entries: u64,
}

/// The largest file read whole into memory (indexes, records, entries, notices); packs are
/// streamed through a temporary file.
const SMALL: u64 = 256 << 20;

/// Copy what `dest` lacks from `source` (a format-2 vault). `dest` must be empty or a vault
/// whose ledger is a prefix of `source`'s. `progress` counts files and bytes copied.
///
/// Errors: `OldFormat` (upgrade the source first), `Corrupt` when a source file does not match
/// its name or the source ledger is damaged (nothing past the damage is copied), `Invalid` when
/// the two vaults have diverged, and backend errors.
pub fn replicate(
    source: &Vault,
    dest: &Vault,
    progress: &dyn Progress,
) -> Result<Replicated, VaultError> {
    source.require_current()?;
    dest.require_current()?;
    let led = source.ledger()?;
    if let Some((_, p)) = led.problems.first() {
        return Err(VaultError::Corrupt {
            path: source.ledger_path(),
            message: format!("{p}; nothing was replicated: run `escrow audit` on the source"),
        });
    }
    let mut plan: Vec<(Key, u64)> = Vec::new();
    let mut done = Replicated::default();
    let source_packs: std::collections::HashSet<String> = source
        .backend()
        .list(FileKind::Pack)?
        .into_iter()
        .map(|l| l.name.trim_end_matches(".pack").to_owned())
        .collect();
    let named: std::collections::HashSet<&str> = led
        .entries
        .iter()
        .filter(|e| e.event == "deposit")
        .map(|e| e.snapshot.as_str())
        .collect();
    let mut records: std::collections::HashMap<String, (Key, u64)> =
        std::collections::HashMap::new();
    for kind in [
        FileKind::Pack,
        FileKind::Index,
        FileKind::Calendar,
        FileKind::Snapshot,
    ] {
        let there: std::collections::HashMap<String, u64> = dest
            .backend()
            .list(kind)?
            .into_iter()
            .map(|l| (l.name, l.size))
            .collect();
        for l in source.backend().list(kind)? {
            let Some(key) = Key::parse(kind, &l.name) else {
                continue;
            };
            // An index goes with its pack; a record only with the ledger entry naming it.
            if (kind == FileKind::Index && !source_packs.contains(key.id()))
                || (kind == FileKind::Snapshot && !named.contains(key.id()))
            {
                continue;
            }
            match there.get(&l.name) {
                Some(&size) if size == l.size => done.present += 1,
                Some(&size) => {
                    return Err(VaultError::Invalid {
                        message: format!(
                            "{}: {} is {size} bytes there but {} bytes in {}: one of them is damaged; run `escrow audit` on both, restore the damaged file, and replicate again",
                            dest.location(),
                            key.path(),
                            l.size,
                            source.location()
                        ),
                    });
                }
                None if kind == FileKind::Snapshot => {
                    records.insert(key.id().to_owned(), (key, l.size));
                }
                None => plan.push((key, l.size)),
            }
        }
    }
    let dest_led = dest.ledger()?;
    check_behind(source, dest, &led, &dest_led)?;
    for (seq, e) in led.entries.iter().enumerate() {
        if e.event == "deposit"
            && let Some(record) = records.remove(&e.snapshot)
        {
            plan.push(record);
        }
        if seq >= dest_led.entries.len() {
            plan.push((Key::ledger(seq as u64), 0));
        }
    }
    done.present += dest_led.entries.len() as u64;
    let total: u64 = plan.iter().map(|(_, s)| s).sum();
    progress.begin("replicating", plan.len() as u64, total);
    let heads = &led.heads;
    for (key, size) in &plan {
        let n = copy(source, dest, key, *size, heads)?;
        done.copied += 1;
        done.bytes += n;
        progress.advance(1, n);
    }
    progress.finish();
    let after = dest.ledger()?;
    done.ledger_head.clone_from(&after.head);
    done.ledger_entries = after.entries.len() as u64;
    same_head(source, dest, &led.head, &after.head)?;
    Ok(done)
}

/// After the copy, DEST's ledger head must be SOURCE's.
fn same_head(source: &Vault, dest: &Vault, ours: &str, theirs: &str) -> Result<(), VaultError> {
    if theirs == ours {
        return Ok(());
    }
    Err(VaultError::Corrupt {
        path: dest.ledger_path(),
        message: format!(
            "after the copy the ledger head is {theirs} there but {ours} in {}; run `escrow audit` on both",
            source.location()
        ),
    })
}

/// DEST's ledger must be a prefix of SOURCE's (the same entries, perhaps fewer).
fn check_behind(
    source: &Vault,
    dest: &Vault,
    led: &super::ledger::Ledger,
    dest_led: &super::ledger::Ledger,
) -> Result<(), VaultError> {
    for (n, (theirs, ours)) in dest_led.heads.iter().zip(&led.heads).enumerate() {
        if theirs != ours {
            return Err(VaultError::Invalid {
                message: format!(
                    "{} and {} have diverged at ledger entry {}: each recorded other events since. Nothing was replicated. Keep both; see what each recorded with `escrow list` and `escrow status` on each, record the missing events in the vault you keep, and replicate it into a new, empty DEST",
                    source.location(),
                    dest.location(),
                    n.saturating_sub(1)
                ),
            });
        }
    }
    if dest_led.entries.len() > led.entries.len() {
        return Err(VaultError::Invalid {
            message: format!(
                "{} holds {} ledger entries, more than the {} of {}: it is ahead; to bring the other up to date, replicate the other way (SOURCE first, then DEST)",
                dest.location(),
                dest_led.entries.len(),
                led.entries.len(),
                source.location()
            ),
        });
    }
    Ok(())
}

/// Copy one file, checked against its name before it is sent and after it has arrived.
/// `heads[seq + 1]` is the SHA-256 a ledger entry must have. Returns the bytes copied.
fn copy(
    source: &Vault,
    dest: &Vault,
    key: &Key,
    size: u64,
    heads: &[String],
) -> Result<u64, VaultError> {
    let from = source.backend();
    let to = dest.backend();
    let expect = match key.kind() {
        FileKind::Ledger => heads
            .get(usize::try_from(key.seq().unwrap_or(u64::MAX)).unwrap_or(usize::MAX) + 1)
            .cloned(),
        FileKind::Index | FileKind::Marker => None,
        _ => Some(key.id().to_owned()),
    };
    let bad = |what: &str| VaultError::Corrupt {
        path: source.path_of(key),
        message: format!(
            "{what}; nothing past it was replicated: run `escrow audit` on {}",
            source.location()
        ),
    };
    if key.kind() == FileKind::Pack && size > SMALL / 16 {
        let tmp = tempfile::tempfile().map_err(io_err(&std::env::temp_dir()))?;
        let mut h = HashingWriter {
            inner: std::io::BufWriter::with_capacity(1 << 20, &tmp),
            hasher: Sha256::new(),
        };
        let n = from.read_to(key, &mut h)?;
        h.inner.flush().map_err(io_err(&std::env::temp_dir()))?;
        let HashingWriter { inner, hasher } = h;
        drop(inner);
        let got = hex(&hasher.finalize());
        if Some(&got) != expect.as_ref() {
            return Err(bad("the pack does not match its name"));
        }
        (&tmp).rewind().map_err(io_err(&std::env::temp_dir()))?;
        to.create_streamed(key, &mut &tmp, n, dest.create_options(), &|_| {})?;
        arrived(dest, to, key, expect.as_deref(), n)?;
        return Ok(n);
    }
    let bytes = from.read(key, SMALL)?;
    let got = hex(&Sha256::digest(&bytes));
    // A snapshot record is named by the SHA-256 of its JSON, stored compressed (decompressed
    // within the bound any record has).
    let named = if key.kind() == FileKind::Snapshot {
        let mut json = Vec::new();
        let limit = super::snapshot::MAX_RECORD_JSON;
        match zstd::stream::read::Decoder::new(&bytes[..]).and_then(|d| {
            std::io::Read::read_to_end(&mut std::io::Read::take(d, limit + 1), &mut json)
        }) {
            Ok(n) if (n as u64) <= limit => hex(&Sha256::digest(&json)),
            _ => String::new(),
        }
    } else {
        got.clone()
    };
    if expect.as_ref().is_some_and(|e| *e != named) {
        return Err(bad("the file does not match its name"));
    }
    if key.kind() == FileKind::Index
        && super::pack::parse_idx(&String::from_utf8_lossy(&bytes)).is_err()
    {
        return Err(bad("the pack index does not parse"));
    }
    let created = to.create(key, &bytes, dest.create_options())?;
    if created == super::backend::Created::Existed && key.kind() == FileKind::Ledger {
        let theirs = to.read(key, SMALL)?;
        if theirs != bytes {
            return Err(VaultError::Invalid {
                message: format!(
                    "{}: {} was recorded there meanwhile with other bytes: the vaults have diverged; keep both and compare them with `escrow audit`",
                    dest.location(),
                    key.path()
                ),
            });
        }
    }
    arrived(dest, to, key, Some(&got), bytes.len() as u64)?;
    Ok(bytes.len() as u64)
}

/// Read `key` back from `dst` and check its SHA-256 (`expect`) and length.
fn arrived(
    dest: &Vault,
    to: &dyn Backend,
    key: &Key,
    expect: Option<&str>,
    len: u64,
) -> Result<(), VaultError> {
    let mut h = HashingWriter {
        inner: std::io::sink(),
        hasher: Sha256::new(),
    };
    let n = to.read_to(key, &mut h)?;
    let got = hex(&h.hasher.finalize());
    if n != len || expect.is_some_and(|e| e != got) {
        return Err(VaultError::Corrupt {
            path: dest.path_of(key),
            message: "the copy does not read back with the bytes sent; check the destination's storage and replicate again".to_owned(),
        });
    }
    Ok(())
}

/// Hashes what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
