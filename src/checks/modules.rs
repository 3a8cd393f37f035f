//! `[[module]]`: the module's source is there. Codes: `module-missing`, `module-empty`.

use std::collections::BTreeMap;

use super::config::Requirement;
use super::{KindResult, globs};
use crate::delivery::{Entry, names};
use crate::finding::Finding;

/// Is this file source code? By extension, plus MyBatis/iBATIS mapper XML files.
pub fn is_source(path: &[u8], extensions: &[String]) -> Option<String> {
    let ext = names::extension(path)?;
    if extensions.contains(&ext) {
        return Some(ext);
    }
    let name = String::from_utf8_lossy(names::file_name(path)).to_ascii_lowercase();
    (ext == "xml"
        && (name.ends_with("mapper.xml")
            || name.ends_with("dao.xml")
            || name.ends_with("sqlmap.xml")))
    .then(|| "xml (mapper)".to_owned())
}

pub(crate) fn check(
    req: &Requirement,
    files: &[&Entry],
    min_source_files: u64,
    extensions: &[String],
) -> KindResult {
    let mut by_ext: BTreeMap<String, u64> = BTreeMap::new();
    for e in files {
        if let Some(ext) = is_source(&e.path, extensions) {
            *by_ext.entry(ext).or_default() += 1;
        }
    }
    let source: u64 = by_ext.values().sum();
    let mut top: Vec<(&String, &u64)> = by_ext.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let breakdown = top
        .iter()
        .take(5)
        .map(|(e, n)| format!("{e} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut findings = Vec::new();
    if files.is_empty() {
        findings.push(Finding::of(
            crate::checks::codes::CheckCode::ModuleMissing,
            format!(
                "module {:?}: no delivered file matches {}",
                req.name,
                globs(req)
            ),
            format!(
                "模块「{}」：交付物中没有与 {} 匹配的文件",
                req.name,
                globs(req)
            ),
        ));
    } else if source < min_source_files {
        let other: Vec<String> = files.iter().take(5).map(|e| e.display_path()).collect();
        findings.push(
            Finding::of(
                crate::checks::codes::CheckCode::ModuleEmpty,
                format!(
                    "module {:?}: {} files match but only {source} are source code (at least {min_source_files} required)",
                    req.name,
                    files.len()
                ),
                format!(
                    "模块「{}」：匹配到 {} 个文件，但源代码文件只有 {source} 个（要求至少 {min_source_files} 个）",
                    req.name,
                    files.len()
                ),
            )
            .evidence(other),
        );
    }
    let (evidence, evidence_zh) = if files.is_empty() {
        ("no files".to_owned(), "无文件".to_owned())
    } else if source == 0 {
        (
            format!("{} files, none of them source", files.len()),
            format!("{} 个文件，无源代码", files.len()),
        )
    } else {
        (
            format!("{source} source files ({breakdown})"),
            format!("源代码文件 {source} 个（{breakdown}）"),
        )
    };
    KindResult {
        evidence,
        evidence_zh,
        source_files: Some(source),
        tables: None,
        findings,
    }
}
