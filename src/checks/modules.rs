//! `[[module]]`: the module's source is there. Codes: `module-missing`, `module-empty`.

use std::collections::BTreeMap;

use super::config::Requirement;
use super::{KindResult, globs};
use crate::delivery::{Entry, names};
use crate::finding::Finding;

/// Is this file source code? By extension, plus MyBatis/iBATIS mapper XML files: the
/// extension (lower case) or "xml (mapper)".
pub fn is_source(path: &[u8], extensions: &[String]) -> Option<String> {
    source_index(path, extensions).map(|i| language(i, extensions).to_owned())
}

/// The language [`source_index`] names: `extensions[i]`, or "xml (mapper)" past its end.
pub fn language(i: usize, extensions: &[String]) -> &str {
    extensions.get(i).map_or(MAPPER_XML, String::as_str)
}

/// How a mapper XML file (MyBatis, iBATIS) is named among source languages.
pub const MAPPER_XML: &str = "xml (mapper)";

/// [`is_source`] without allocating (the coverage of the requirement checks asks it of every
/// delivered file): the index in `extensions` (lower case, without the dot) of the file's
/// extension, `extensions.len()` for a MyBatis/iBATIS mapper XML file (`*Mapper.xml`,
/// `*Dao.xml`, `*SqlMap.xml`), `None` for a file that is not source code. The extension is
/// taken after the dots and spaces Windows ignores at a name's end; case is ignored.
pub fn source_index(path: &[u8], extensions: &[String]) -> Option<usize> {
    let name = names::windows_trimmed(names::file_name(path));
    let dot = name.iter().rposition(|&b| b == b'.')?;
    if dot == 0 || dot + 1 == name.len() {
        return None;
    }
    let ext = &name[dot + 1..];
    if let Some(i) = extensions
        .iter()
        .position(|e| ext.eq_ignore_ascii_case(e.as_bytes()))
    {
        return Some(i);
    }
    let raw = names::file_name(path);
    let ends = |suffix: &[u8]| {
        raw.len() >= suffix.len() && raw[raw.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    (ext.eq_ignore_ascii_case(b"xml")
        && (ends(b"mapper.xml") || ends(b"dao.xml") || ends(b"sqlmap.xml")))
    .then_some(extensions.len())
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
        ..KindResult::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_files_by_extension_and_mapper_xml() {
        let exts: Vec<String> = ["java", "vue", "中文"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"a/B.java", Some("java")),
            (b"a/B.JAVA", Some("java")),
            (b"a/B.java. ", Some("java")),
            (b"a/x.\xe4\xb8\xad\xe6\x96\x87", Some("中文")),
            (b"a/UserMapper.xml", Some(MAPPER_XML)),
            (b"a/userdao.XML", Some(MAPPER_XML)),
            (b"a/OrderSqlMap.xml", Some(MAPPER_XML)),
            (b"a/UserMapper.xml. ", None),
            (b"a/pom.xml", None),
            (b"a/.java", None),
            (b"a/java", None),
            (b"a.java/b", None),
            (b"a/b.\xff", None),
        ];
        for (path, want) in cases {
            assert_eq!(
                is_source(path, &exts).as_deref(),
                *want,
                "{}",
                String::from_utf8_lossy(path)
            );
        }
    }
}
