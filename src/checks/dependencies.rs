//! `[[dependencies]]`: dependency manifests are there and parse.
//! Codes: `dependencies-missing`, `dependencies-unparseable`.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;

use rayon::prelude::*;

use super::config::Requirement;
use super::depfiles::{self, DepFileFormat, ParseFailure};
use super::{KindResult, globs};
use crate::delivery::{DeliveryError, Entry};
use crate::finding::Finding;

/// Larger files are not dependency manifests; they are reported, not read whole.
pub(crate) const MAX_BYTES: u64 = 32 * 1024 * 1024;

pub(crate) fn check(
    req: &Requirement,
    files: &[&Entry],
    delivery: &crate::delivery::Delivery,
) -> Result<KindResult, DeliveryError> {
    if files.is_empty() {
        return Ok(KindResult {
            evidence: "no files".to_owned(),
            evidence_zh: "无文件".to_owned(),
            source_files: None,
            tables: None,
            findings: vec![Finding::of(
                crate::checks::codes::CheckCode::DependenciesMissing,
                format!(
                    "dependency lists {:?}: no delivered file matches {}",
                    req.name,
                    globs(req)
                ),
                format!(
                    "依赖清单「{}」：交付物中没有与 {} 匹配的文件",
                    req.name,
                    globs(req)
                ),
            )],
            ..KindResult::default()
        });
    }
    let results: Vec<(DepFileFormat, Result<(), ParseFailure>)> = files
        .par_iter()
        .map(|e| {
            let format = DepFileFormat::of(&e.path);
            if e.size > MAX_BYTES {
                return Ok((
                    format,
                    Err(ParseFailure {
                        line: None,
                        message: format!("{} bytes: too large to be a dependency manifest", e.size),
                    }),
                ));
            }
            let path = delivery.root.join(OsStr::from_bytes(&e.path));
            let mut bytes = Vec::with_capacity(usize::try_from(e.size).unwrap_or(0));
            // Through the delivery's handle: no link followed on any component.
            delivery
                .open_file(&e.path)
                .and_then(|f| f.take(MAX_BYTES).read_to_end(&mut bytes))
                .map_err(|source| DeliveryError::Unreadable { path, source })?;
            Ok((format, depfiles::parse(format, &bytes)))
        })
        .collect::<Result<_, DeliveryError>>()?;
    let mut by_format: BTreeMap<&str, u64> = BTreeMap::new();
    let mut findings = Vec::new();
    for (e, (format, result)) in files.iter().zip(&results) {
        *by_format.entry(format.as_str()).or_default() += 1;
        if let Err(fail) = result {
            findings.push(
                Finding::of(
                    crate::checks::codes::CheckCode::DependenciesUnparseable,
                    format!("does not parse as {}: {}", format.as_str(), fail.message),
                    format!("无法按 {} 格式解析：{}", format.as_str(), fail.message),
                )
                .path(e.display_path())
                .line(fail.line),
            );
        }
    }
    let kinds = by_format
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let bad = findings.len();
    Ok(KindResult {
        evidence: format!("{} files ({kinds}), {bad} unparseable", files.len()),
        evidence_zh: format!("{} 个文件（{kinds}），{bad} 个无法解析", files.len()),
        source_files: None,
        tables: None,
        findings,
        ..KindResult::default()
    })
}
