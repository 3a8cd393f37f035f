//! `escrow vault upgrade`: convert a format-1 vault (one `ledger.jsonl` rewritten per entry,
//! packs without trailers, a lock file) to format 2 in place, verifying every object.
//!
//! Steps, each safe to interrupt and to run again:
//! 1. the ledger is read and its chain checked; every snapshot record and holiday notice is
//!    checked against its hash;
//! 2. every object of every pack without a trailer is decompressed, checked against its
//!    SHA-256 and copied into new packs with trailers (the same objects in the same order give
//!    the same packs, so a second run creates nothing new);
//! 3. each ledger line becomes `ledger/<seq>.json` with exactly its bytes, so the ledger head
//!    (and every head written down before) stays the same;
//! 4. the `VAULT` marker is replaced by one saying `format = 2`: the commit point (the only file
//!    escrow ever replaces, and only here);
//! 5. what format 2 no longer uses (`ledger.jsonl`, `lock`, the packs without trailers and their
//!    indexes) is moved into `format-1/`, to be deleted once `audit` passes.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::backend::{FileKind, Key};
use super::pack::{self, Index, Loc, PACK_TARGET, PackWriter};

use super::{Vault, VaultError, fsutil, io_err};
use crate::progress::Progress;

/// What an upgrade did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upgraded {
    /// The format found (1, or 2 when the vault was already converted).
    pub from: u32,
    /// Objects decompressed and checked against their SHA-256.
    pub objects: u64,
    /// Packs without trailers that were rewritten, and the new packs written.
    pub old_packs: u64,
    /// New packs with trailers.
    pub new_packs: u64,
    /// Ledger entries written as files.
    pub ledger_entries: u64,
    /// The ledger head, the same before and after.
    pub ledger_head: String,
    /// Where the files format 2 no longer uses were moved (`format-1/`), if anything was.
    pub moved_to: Option<PathBuf>,
}

/// Convert the local vault at `root` to format 2 (see the module docs); a format-2 vault is
/// left as it is, apart from finishing an interrupted step 5.
///
/// Errors: `NotAVault`, `Invalid` for a vault on an object store (format 1 was only ever
/// local), `Corrupt` naming the first damaged object, record or ledger line (nothing is
/// converted: run `audit` and restore from a backup first), and I/O errors.
pub fn upgrade(root: &Path, progress: &dyn Progress) -> Result<Upgraded, VaultError> {
    let vault = Vault::open(root)?;
    let mut done = Upgraded {
        from: vault.format,
        ..Upgraded::default()
    };
    if vault.format == 1 {
        let led = vault.ledger()?;
        if let Some((_, p)) = led.problems.first() {
            return Err(VaultError::Corrupt {
                path: vault.ledger_path(),
                message: format!(
                    "{p}; the vault was not converted: run `escrow audit` and restore the ledger from a backup first"
                ),
            });
        }
        for e in led.entries.iter().filter(|e| e.event == "deposit") {
            vault.load_snapshot(&e.snapshot)?;
        }
        for e in led.entries.iter().filter(|e| e.event == "calendar") {
            vault.load_calendar(&e.digest)?;
        }
        let (objects, old, new) = repack(&vault, progress)?;
        done.objects = objects;
        done.old_packs = old;
        done.new_packs = new;
        let raw = fsutil::read_regular(&vault.root.join("ledger.jsonl"), 1 << 30)
            .or_else(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    Ok(Vec::new())
                } else {
                    Err(e)
                }
            })
            .map_err(io_err(&vault.root.join("ledger.jsonl")))?;
        let lines: Vec<&[u8]> = raw
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        for (seq, line) in lines.iter().enumerate() {
            let key = Key::ledger(seq as u64);
            vault.create(&key, line)?;
            let stored = vault.backend().read(&key, 1 << 20)?;
            if stored != *line {
                return Err(VaultError::Corrupt {
                    path: vault.path_of(&key),
                    message: format!(
                        "exists with other bytes than line {} of ledger.jsonl; the vault was not converted: remove the folder ledger/ and run the upgrade again",
                        seq + 1
                    ),
                });
            }
        }
        done.ledger_entries = lines.len() as u64;
        done.ledger_head = led.head;
        for d in ["ledger", "calendars"] {
            let d = vault.root.join(d);
            fsutil::create_private_dir(&d).map_err(io_err(&d))?;
        }
        fsutil::write_atomic(
            &vault.tmp_dir(),
            &vault.root.join("VAULT"),
            format!("escrow-vault\nformat = {}\n", super::VAULT_FORMAT).as_bytes(),
        )?;
    }
    let vault = Vault::open(root)?;
    let after = vault.ledger()?;
    if done.from > 1 {
        done.ledger_head.clone_from(&after.head);
        done.ledger_entries = after.entries.len() as u64;
    } else if after.head != done.ledger_head || !after.problems.is_empty() {
        return Err(VaultError::Corrupt {
            path: vault.ledger_path(),
            message:
                "the converted ledger does not read back with the same head; run `escrow audit`"
                    .to_owned(),
        });
    }
    done.moved_to = set_aside(&vault)?;
    Ok(done)
}

/// Copy every object of the packs without a trailer into new packs, checking each. Returns
/// (objects checked, old packs, new packs).
fn repack(vault: &Vault, progress: &dyn Progress) -> Result<(u64, u64, u64), VaultError> {
    let old = old_packs(vault)?;
    let mut index = Index::default();
    for (id, lines) in &old {
        index.add(id.clone(), lines);
    }
    let total: u64 = old.iter().flat_map(|(_, l)| l.iter().map(|x| x.3)).sum();
    let count: u64 = old.iter().map(|(_, l)| l.len() as u64).sum();
    progress.begin("upgrading", count, total);
    let mut seen: HashSet<[u8; 32]> = HashSet::new();
    let mut pw: Option<PackWriter> = None;
    let mut new_packs = 0u64;
    let mut objects = 0u64;
    let mut dec = zstd::bulk::Decompressor::new().map_err(io_err(&vault.packs_dir()))?;
    for (n, (id, lines)) in old.iter().enumerate() {
        let file = vault.pack_file(id)?;
        for &(sha, offset, clen, size) in lines {
            if !seen.insert(sha) {
                continue;
            }
            let loc = Loc {
                pack: u32::try_from(n).unwrap_or(u32::MAX),
                offset,
                clen,
                size,
            };
            // Large objects pass through a temporary file: memory stays bounded.
            let mut spill = if size > pack::BIG_OBJECT {
                Some(tempfile::tempfile().map_err(io_err(&std::env::temp_dir()))?)
            } else {
                None
            };
            let mut data = Vec::new();
            let copied = match spill.as_mut() {
                Some(f) => {
                    let mut w = std::io::BufWriter::new(&*f);
                    let r = pack::copy_object(&file, &loc, &mut dec, &mut w);
                    std::io::Write::flush(&mut w).map_err(io_err(&std::env::temp_dir()))?;
                    r
                }
                None => pack::copy_object(&file, &loc, &mut dec, &mut data),
            };
            let ok = matches!(copied, Ok((got, len)) if got == sha && len == size);
            if !ok {
                return Err(VaultError::Corrupt {
                    path: vault.path_of(&Key::content(FileKind::Pack, id).expect("a pack id")),
                    message: format!(
                        "object {} does not decompress to its hash; the vault was not converted: run `escrow audit` and restore the pack from a backup first",
                        crate::hash::hex(&sha)
                    ),
                });
            }
            let w = match pw.as_mut() {
                Some(w) => w,
                None => pw.insert(PackWriter::new(vault)?),
            };
            if let Some(mut f) = spill {
                std::io::Seek::rewind(&mut f).map_err(io_err(&std::env::temp_dir()))?;
                if !w.add_stream(sha, &mut f)? {
                    return Err(VaultError::Changed {
                        path: std::env::temp_dir(),
                    });
                }
            } else {
                let compressed =
                    zstd::bulk::compress(&data, pack::LEVEL).map_err(io_err(&vault.packs_dir()))?;
                w.add(sha, &compressed, size)?;
            }
            objects += 1;
            progress.advance(1, size);
            if w.len() >= PACK_TARGET {
                pw.take().expect("just used").finish(vault)?;
                new_packs += 1;
            }
        }
    }
    if let Some(w) = pw {
        if w.is_empty() {
            w.abandon();
        } else {
            w.finish(vault)?;
            new_packs += 1;
        }
    }
    progress.finish();
    Ok((objects, old.len() as u64, new_packs))
}

/// The packs without a trailer that have a readable index, sorted by id, with their index
/// lines. A damaged index stops the upgrade.
fn old_packs(vault: &Vault) -> Result<Vec<(String, Vec<pack::IdxLine>)>, VaultError> {
    let b = vault.backend();
    let mut out = Vec::new();
    let packs: std::collections::HashMap<String, u64> = b
        .list(FileKind::Pack)?
        .into_iter()
        .filter_map(|l| Some((Key::parse(FileKind::Pack, &l.name)?.id().to_owned(), l.size)))
        .collect();
    let mut ids: Vec<&String> = packs.keys().collect();
    ids.sort();
    for id in ids {
        let trailer =
            pack::read_trailer(vault, id, packs[id]).map_err(|m| VaultError::Corrupt {
                path: vault.packs_dir().join(format!("{id}.pack")),
                message: m,
            })?;
        if trailer.is_some() {
            continue;
        }
        let key = Key::content(FileKind::Index, id).expect("a pack id");
        let text = match b.read(&key, pack::MAX_INDEX_BYTES) {
            Ok(t) => t,
            // A pack without an index was left by an interrupted deposit: nothing uses it.
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        let lines = std::str::from_utf8(&text)
            .map_err(|_| "is not text".to_owned())
            .and_then(pack::parse_idx)
            .map_err(|m| VaultError::Corrupt {
                path: vault.path_of(&key),
                message: format!(
                    "{m}; the vault was not converted: run `escrow audit` and restore the index from a backup first"
                ),
            })?;
        out.push((id.clone(), lines));
    }
    Ok(out)
}

/// Move what format 2 no longer uses into `format-1/`: `ledger.jsonl`, `lock`, and each pack
/// without a trailer (with its index) once every object it holds is in a pack with a trailer.
fn set_aside(vault: &Vault) -> Result<Option<PathBuf>, VaultError> {
    let root = &vault.root;
    let aside = root.join("format-1");
    let mut moves: Vec<(PathBuf, PathBuf)> = Vec::new();
    for name in ["ledger.jsonl", "lock"] {
        if root.join(name).exists() {
            moves.push((root.join(name), aside.join(name)));
        }
    }
    let old = old_packs(vault)?;
    if !old.is_empty() {
        let old_ids: HashSet<&str> = old.iter().map(|(id, _)| id.as_str()).collect();
        let mut have: HashSet<[u8; 32]> = HashSet::new();
        for l in vault.backend().list(FileKind::Index)? {
            let Some(key) = Key::parse(FileKind::Index, &l.name) else {
                continue;
            };
            if old_ids.contains(key.id()) {
                continue;
            }
            let text = vault.backend().read(&key, pack::MAX_INDEX_BYTES)?;
            if let Ok(lines) = std::str::from_utf8(&text)
                .map_err(|_| String::new())
                .and_then(pack::parse_idx)
            {
                have.extend(lines.iter().map(|l| l.0));
            }
        }
        for (id, lines) in &old {
            let covered = lines.iter().all(|l| have.contains(&l.0));
            if covered {
                for ext in ["pack", "idx"] {
                    let name = format!("{id}.{ext}");
                    moves.push((
                        root.join("packs").join(&name),
                        aside.join("packs").join(name),
                    ));
                }
            }
        }
    }
    if moves.is_empty() {
        return Ok(None);
    }
    for d in [aside.clone(), aside.join("packs")] {
        fsutil::create_private_dir(&d).map_err(io_err(&d))?;
        // Never through a link planted in the vault: files would leave it.
        if !std::fs::symlink_metadata(&d).is_ok_and(|m| m.file_type().is_dir()) {
            return Err(VaultError::Corrupt {
                path: d,
                message: "is not a folder (a symbolic link or a file), which escrow never makes; remove it and run the upgrade again".to_owned(),
            });
        }
    }
    for (from, to) in &moves {
        if from.exists() {
            std::fs::rename(from, to).map_err(io_err(from))?;
        }
    }
    Ok(Some(aside))
}
