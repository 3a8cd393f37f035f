//! Zip archives.

use std::io::{BufReader, Read};

use super::{Counting, DeliveryError, MAX_NAME, Unpacker, names};
use crate::finding::Finding;

pub(super) fn unpack_zip(
    u: &mut Unpacker<'_>,
    reader: BufReader<Counting<'_>>,
) -> Result<(), DeliveryError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| {
        u.err(format!(
            "not a readable zip archive ({e}); ask the vendor for a sound archive"
        ))
    })?;
    let mut encrypted = Vec::new();
    for i in 0..zip.len() {
        let (raw, is_dir, is_encrypted, mode, is_link) = {
            let f = zip
                .by_index_raw(i)
                .map_err(|e| u.err(format!("entry {} cannot be read ({e})", i + 1)))?;
            (
                zip_name(f.name_raw(), f.name()),
                f.is_dir(),
                f.encrypted(),
                f.unix_mode().unwrap_or(0o644),
                f.unix_mode().is_some_and(|m| m & 0o170_000 == 0o120_000),
            )
        };
        if is_encrypted {
            u.count()?;
            encrypted.push(names::short(&raw));
            continue;
        }
        if is_dir {
            u.dir(&raw)?;
            continue;
        }
        let mut f = zip.by_index(i).map_err(|e| {
            u.err(format!(
                "entry {:?} cannot be read ({e})",
                names::short(&raw)
            ))
        })?;
        if is_link {
            let mut t = Vec::new();
            f.by_ref()
                .take(MAX_NAME as u64 + 1)
                .read_to_end(&mut t)
                .map_err(|e| u.err(e.to_string()))?;
            u.link(&raw, &t)?;
        } else {
            u.file(&raw, mode, &mut f)?;
        }
    }
    if !encrypted.is_empty() {
        u.findings.push(
            Finding::of(
                crate::delivery::codes::DeliveryCode::ArchiveEncrypted,
                format!("{} entries are password-protected; they were not unpacked, and the contract forbids encryption", encrypted.len()),
                format!("{} 个条目设有密码保护，未能解压；合同禁止加密", encrypted.len()),
            )
            .evidence(encrypted.into_iter().take(50).collect()),
        );
    }
    Ok(())
}

/// A zip entry's name: its bytes when they are UTF-8 (whether or not the entry carries the
/// UTF-8 flag: Info-ZIP on Linux writes UTF-8 without it, and GBK names are almost never valid
/// UTF-8); otherwise CP936/GBK when that decodes cleanly (what Chinese Windows tools write),
/// else the CP437 reading.
fn zip_name(raw: &[u8], cp437: &str) -> Vec<u8> {
    if std::str::from_utf8(raw).is_ok() {
        return raw.to_vec();
    }
    if let Some(gbk) = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(raw) {
        return gbk.into_owned().into_bytes();
    }
    cp437.as_bytes().to_vec()
}
