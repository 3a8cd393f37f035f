//! `[[document]]`: a companion document is there and is more than a placeholder.
//! Codes: `document-missing`, `document-too-small`.

use super::config::Requirement;
use super::{KindResult, globs, human_bytes};
use crate::delivery::Entry;
use crate::finding::Finding;

pub(crate) fn check(req: &Requirement, files: &[&Entry], min_bytes: u64) -> KindResult {
    let largest = files.iter().max_by_key(|e| e.size);
    let mut findings = Vec::new();
    let (evidence, evidence_zh) = match largest {
        None => {
            findings.push(Finding::of(
                crate::checks::codes::CheckCode::DocumentMissing,
                format!(
                    "document {:?}: no delivered file matches {}",
                    req.name,
                    globs(req)
                ),
                format!(
                    "文档「{}」：交付物中没有与 {} 匹配的文件",
                    req.name,
                    globs(req)
                ),
            ));
            ("no files".to_owned(), "无文件".to_owned())
        }
        Some(big) => {
            let shown = format!("{} ({})", big.display_path(), human_bytes(big.size));
            if big.size < min_bytes {
                findings.push(
                    Finding::of(
                        crate::checks::codes::CheckCode::DocumentTooSmall,
                        format!(
                            "document {:?}: the largest matching file is {} bytes, below min-bytes = {min_bytes}",
                            req.name, big.size
                        ),
                        format!(
                            "文档「{}」：最大的匹配文件只有 {} 字节，小于 min-bytes = {min_bytes}",
                            req.name, big.size
                        ),
                    )
                    .path(big.display_path())
                    .evidence(files.iter().take(5).map(|e| format!("{} ({} bytes)", e.display_path(), e.size)).collect()),
                );
            }
            if files.len() == 1 {
                (shown.clone(), shown)
            } else {
                (
                    format!("{} files, largest {shown}", files.len()),
                    format!("{} 个文件，最大 {shown}", files.len()),
                )
            }
        }
    };
    KindResult {
        evidence,
        evidence_zh,
        source_files: None,
        tables: None,
        findings,
    }
}
