//! Snapshot records: `snapshots/<id>.json.zst`, the zstd-compressed JSON of one deposit. The id
//! is the SHA-256 of the uncompressed JSON, so any edit to a record is detected.

use std::os::unix::ffi::OsStrExt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::backend::{FileKind, Key};
use super::{Vault, VaultError, io_err};
use crate::delivery::{Entry, EntryKind, Source};
use crate::hash::hex;

/// The program that wrote a record: `{"name": "escrow", "version": "0.1.0"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// Always "escrow".
    pub name: String,
    /// The version of escrow (Cargo package version).
    pub version: String,
}

impl Tool {
    /// This build of escrow.
    pub fn this() -> Tool {
        Tool {
            name: "escrow".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// A change note given with `--note`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The note's file name as given.
    pub file: String,
    /// SHA-256 of the note file's bytes.
    pub sha256: String,
    /// Its text (decoded from UTF-8, UTF-16 or GBK).
    pub text: String,
}

/// The manifest the delivery was checked against, verbatim (plain data: the vault does not read
/// it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredManifest {
    /// The manifest's path as given on the command line.
    pub path: String,
    /// SHA-256 of the manifest file's bytes, hex.
    pub sha256: String,
    /// The manifest's text.
    pub text: String,
}

/// The delivery tree's digests and counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tree {
    /// SHA-256 over the whole inventory (paths, modes, contents, link targets), 64 hex digits.
    pub sha256: String,
    /// SM3 (GB/T 32905) over the same inventory bytes, 64 hex digits.
    pub sm3: String,
    /// The number of regular files.
    pub files: u64,
    /// The regular files' total size in bytes.
    pub bytes: u64,
    /// Every entry: files, folders, links, special files.
    pub entries: u64,
}

/// One entry of the delivery, byte-exact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecEntry {
    /// The path, when it is UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The path's bytes in hex, when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_hex: Option<String>,
    /// File, folder, symbolic link or special file.
    pub kind: EntryKind,
    /// `st_mode` (type and permission bits).
    pub mode: u32,
    /// Bytes (regular files).
    pub size: u64,
    /// Regular files: SHA-256 of the content, hex (the id of its object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Symbolic links: the target, when it is UTF-8 (else `None`, and `target_hex` is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Symbolic links: the target's bytes in hex (lowercase), when the target is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_hex: Option<String>,
}

fn split_bytes(b: &[u8]) -> (Option<String>, Option<String>) {
    match std::str::from_utf8(b) {
        Ok(s) => (Some(s.to_owned()), None),
        Err(_) => (None, Some(hex(b))),
    }
}

fn join_bytes(text: Option<&String>, hexed: Option<&String>) -> Option<Vec<u8>> {
    if let Some(t) = text {
        return Some(t.as_bytes().to_vec());
    }
    let h = hexed?;
    if h.len() % 2 != 0 {
        return None;
    }
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(h.get(i..i + 2)?, 16).ok())
        .collect()
}

impl RecEntry {
    /// The record of an inventory entry.
    pub(crate) fn from_entry(e: &Entry) -> RecEntry {
        let (path, path_hex) = split_bytes(&e.path);
        let (target, target_hex) = e.link_target.as_deref().map_or((None, None), split_bytes);
        RecEntry {
            path,
            path_hex,
            kind: e.kind,
            mode: e.mode,
            size: e.size,
            sha256: e.sha256.map(|d| hex(&d)),
            target,
            target_hex,
        }
    }

    /// The path's raw bytes (`None` if the record is malformed).
    pub fn path_bytes(&self) -> Option<Vec<u8>> {
        join_bytes(self.path.as_ref(), self.path_hex.as_ref())
    }

    /// A link target's raw bytes (`None` for anything but a link, or a malformed record).
    pub(crate) fn target_bytes(&self) -> Option<Vec<u8>> {
        join_bytes(self.target.as_ref(), self.target_hex.as_ref())
    }

    /// The readable path.
    pub fn display_path(&self) -> String {
        self.path_bytes().map_or_else(
            || "<bad path>".to_owned(),
            |b| crate::delivery::names::display(&b),
        )
    }

    /// The content hash as bytes (`None` for anything but a file, or a malformed record).
    pub fn sha(&self) -> Option<[u8; 32]> {
        self.sha256.as_deref().and_then(super::pack::parse_hex32)
    }
}

/// Everything recorded about one deposit.
///
/// The record's id is the SHA-256 of its JSON bytes, so the field order and the JSON of `report`
/// are kept byte for byte: `report` is stored as raw JSON, written by the layer that made it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRecord {
    /// The vault format (`FORMAT`).
    pub format: u32,
    /// The label given with `--label`, unique in the vault.
    pub label: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// The escrow that wrote it.
    pub tool: Tool,
    /// The ledger position (`LedgerEntry::seq`, counted from 0) this snapshot was written for.
    pub seq: u64,
    /// The ledger head (SHA-256 of the last ledger line, hex; `ledger::GENESIS` for an empty
    /// ledger) this snapshot follows.
    pub prev: String,
    /// The change note given with `--note`.
    pub note: Option<Note>,
    /// Where the delivery came from (folder, archive, git).
    pub source: Source,
    /// The manifest it was checked against.
    pub manifest: StoredManifest,
    /// The delivery tree's digests and counts.
    pub tree: Tree,
    /// The check report, including the comparison with the previous snapshot and the build's
    /// record (`--build`): JSON the vault stores and returns as it is, without reading it.
    pub report: Box<serde_json::value::RawValue>,
    /// Every entry of the delivery, sorted by path bytes, in pieces stored as objects (so that
    /// the pieces an update leaves unchanged are stored once).
    pub listing: Vec<ChunkRef>,
    /// A git delivery deposited `--with-history`: the repository's history, as an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryRef>,
    /// Deposited `--build`: the build log, as an object (the build's record is in `report`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_log: Option<BuildLogRef>,
}

impl SnapshotRecord {
    /// The `verdict` of the stored report ("pass" or "fail"), `None` when the report has none.
    pub(crate) fn report_verdict(&self) -> Option<String> {
        #[derive(Deserialize)]
        struct Verdict {
            verdict: String,
        }
        serde_json::from_str::<Verdict>(self.report.get())
            .ok()
            .map(|v| v.verdict)
    }
}

/// The build log kept with a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildLogRef {
    /// The object: SHA-256 of the log's bytes, hex.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
}

/// The repository history kept with a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryRef {
    /// "git-bundle"
    pub format: String,
    /// The object: SHA-256 of the bundle's bytes, hex.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
}

/// One piece of a snapshot's file list: an object holding a JSON array of `RecEntry`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkRef {
    /// The object: SHA-256 of the piece's JSON, hex.
    pub sha256: String,
    /// Entries in the piece.
    pub entries: u64,
}

/// At most this many entries in one listing piece.
const CHUNK_MAX: usize = 256;

/// Cut the file list into pieces at content-defined boundaries: after each entry whose path
/// hashes to 0 modulo 16 (so about 16 entries a piece), so that an update changes only the
/// pieces around what it changed. Returns each piece's JSON and its entry count.
pub fn chunk(entries: &[RecEntry]) -> Vec<(Vec<u8>, u64)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, e) in entries.iter().enumerate() {
        let h = Sha256::digest(e.path_bytes().unwrap_or_default());
        let boundary = h[0] % 16 == 0 || i + 1 - start >= CHUNK_MAX || i + 1 == entries.len();
        if boundary {
            let piece = &entries[start..=i];
            out.push((
                serde_json::to_vec(piece).expect("entries serialize"),
                piece.len() as u64,
            ));
            start = i + 1;
        }
    }
    out
}

/// Read a snapshot's whole file list from its pieces, verifying each.
pub fn load_entries(
    vault: &Vault,
    index: &super::pack::Index,
    record: &SnapshotRecord,
) -> Result<Vec<RecEntry>, VaultError> {
    use rayon::prelude::*;
    let pieces: Vec<Vec<RecEntry>> = record
        .listing
        .par_iter()
        .map(|c| {
            let bytes =
                super::pack::read_object_within(vault, index, &c.sha256, super::pack::MAX_PIECE)?;
            serde_json::from_slice::<Vec<RecEntry>>(&bytes).map_err(|e| VaultError::Corrupt {
                path: vault.packs_dir(),
                message: format!(
                    "a piece of the file list of snapshot {:?} does not parse ({e}); run `escrow audit`",
                    record.label
                ),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(pieces.into_iter().flatten().collect())
}

/// The largest snapshot record read, compressed: 256 MiB.
pub(crate) const MAX_RECORD_BYTES: u64 = 256 << 20;

/// The largest snapshot record, decompressed: 1 GiB.
pub(crate) const MAX_RECORD_JSON: u64 = 1 << 30;

/// The file of snapshot `id` (a non-hex id gives a key that cannot exist).
pub(crate) fn key(id: &str) -> Key {
    Key::content(FileKind::Snapshot, id).unwrap_or_else(|| {
        Key::content(FileKind::Snapshot, &"0".repeat(64)).expect("64 hex digits")
    })
}

/// Serialize, write (write-once) and return the snapshot id and SM3.
pub fn store(vault: &Vault, record: &SnapshotRecord) -> Result<(String, String), VaultError> {
    let json = serde_json::to_vec(record).expect("records serialize");
    let id = hex(&Sha256::digest(&json));
    let sm3 = hex(&sm3::Sm3::digest(&json));
    let compressed =
        zstd::bulk::compress(&json, super::pack::LEVEL).map_err(io_err(&vault.snapshots_dir()))?;
    if vault.create(&key(&id), &compressed)? == super::backend::Created::Existed
        && load_json(vault, &id).is_err()
    {
        return Err(VaultError::Corrupt {
            path: vault.path_of(&key(&id)),
            message: "exists with other content than its id names; vault files are write-once: run `escrow audit`".to_owned(),
        });
    }
    Ok((id, sm3))
}

/// The raw JSON of a record, verified against its id.
pub(crate) fn load_json(vault: &Vault, id: &str) -> Result<Vec<u8>, VaultError> {
    use std::io::Read as _;
    let path = vault.snapshots_dir().join(format!("{id}.json.zst"));
    let compressed = vault
        .backend()
        .read(&key(id), MAX_RECORD_BYTES)
        .map_err(|e| VaultError::Corrupt {
            path: path.clone(),
            message: format!("the snapshot record cannot be read ({e}); run `escrow audit`"),
        })?;
    // Bounded: a forged record cannot decompress into more memory than a record needs.
    let mut json = Vec::new();
    let decoded = zstd::stream::read::Decoder::new(&compressed[..])
        .and_then(|d| std::io::Read::take(d, MAX_RECORD_JSON + 1).read_to_end(&mut json));
    if let Err(e) = decoded {
        return Err(VaultError::Corrupt {
            path: path.clone(),
            message: format!("the snapshot record does not decompress ({e}); run `escrow audit`"),
        });
    }
    if json.len() as u64 > MAX_RECORD_JSON {
        return Err(VaultError::Corrupt {
            path,
            message: format!(
                "the snapshot record decompresses to more than {MAX_RECORD_JSON} bytes, far more than a record holds; run `escrow audit`"
            ),
        });
    }
    if hex(&Sha256::digest(&json)) != id {
        return Err(VaultError::Corrupt {
            path,
            message: "the snapshot record does not match its id: it was edited or damaged; run `escrow audit`".to_owned(),
        });
    }
    Ok(json)
}

/// Load and verify a record.
pub fn load(vault: &Vault, id: &str) -> Result<SnapshotRecord, VaultError> {
    let json = load_json(vault, id)?;
    let path = vault.snapshots_dir().join(format!("{id}.json.zst"));
    serde_json::from_slice(&json).map_err(|e| VaultError::Corrupt {
        path,
        message: format!("the snapshot record does not parse: {e}"),
    })
}

/// A relative path that stays inside its root: no empty, `.` or `..` components, not absolute.
pub(crate) fn safe_relative(path: &[u8]) -> bool {
    !path.is_empty()
        && path[0] != b'/'
        && path
            .split(|&b| b == b'/')
            .all(|c| !c.is_empty() && c != b"." && c != b".." && !c.contains(&0))
}

/// The OS path of a raw relative path under `root`.
pub fn join(root: &std::path::Path, rel: &[u8]) -> std::path::PathBuf {
    root.join(std::ffi::OsStr::from_bytes(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as an older escrow wrote it: compact JSON, fields in declaration order, the
    /// report's own key order.
    const RECORD: &str = concat!(
        r#"{"format":1,"label":"v1","created_at":"2026-03-10T09:00:00Z","#,
        r#""tool":{"name":"escrow","version":"0.1.0"},"seq":0,"#,
        r#""prev":"0000000000000000000000000000000000000000000000000000000000000000","#,
        r#""note":null,"source":{"kind":"dir","path":"/d"},"#,
        r#""manifest":{"path":"m.toml","sha256":"ab","text":"schema-version = 1\n"},"#,
        r#""tree":{"sha256":"cd","sm3":"ef","files":1,"bytes":2,"entries":3},"#,
        r#""report":{"schema_version":1,"verdict":"fail","findings":[{"code":"x","path":null}],"totals":{"deny":1}},"#,
        r#""listing":[{"sha256":"01","entries":3}]}"#
    );

    #[test]
    fn a_record_keeps_its_bytes_and_so_its_id() {
        let record: SnapshotRecord = serde_json::from_str(RECORD).unwrap();
        assert_eq!(record.report_verdict().as_deref(), Some("fail"));
        assert_eq!(serde_json::to_string(&record).unwrap(), RECORD);
        let tmp = tempfile::tempdir().unwrap();
        let (v, _) = Vault::init(&tmp.path().join("vault")).unwrap();
        let (id, _) = store(&v, &record).unwrap();
        assert_eq!(id, hex(&Sha256::digest(RECORD.as_bytes())));
        assert_eq!(load_json(&v, &id).unwrap(), RECORD.as_bytes());
        assert_eq!(load(&v, &id).unwrap().report.get(), record.report.get());
    }

    #[test]
    fn an_edited_record_does_not_load() {
        let record: SnapshotRecord = serde_json::from_str(RECORD).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let (v, _) = Vault::init(&tmp.path().join("vault")).unwrap();
        let (id, _) = store(&v, &record).unwrap();
        let path = v.snapshots_dir().join(format!("{id}.json.zst"));
        let edited = RECORD.replace(r#""verdict":"fail""#, r#""verdict":"pass""#);
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, zstd::bulk::compress(edited.as_bytes(), 1).unwrap()).unwrap();
        let err = load(&v, &id).unwrap_err();
        assert!(err.to_string().contains("does not match its id"), "{err}");
        // Write-once: storing the original again over the edited file is refused.
        assert!(store(&v, &record).is_err());
    }
}
