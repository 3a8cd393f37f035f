//! Before a report asks the vendor for something "missing", it looks for it under another name:
//! a requirement that matches nothing while the delivery holds code no requirement covers, or a
//! file named like the missing document elsewhere, is more likely a manifest whose paths do not
//! match the vendor's folder names than a missing delivery. The finding then says so, and names
//! what it found, so that the report does not blame the vendor for the manifest's mistake.

use crate::delivery::{Entry, EntryKind};
use crate::finding::Finding;

use super::codes::CheckCode;
use super::coverage::Coverage;
use super::{Requirement, RequirementKind};

/// How many files named like a missing document the hint names.
const NAMED: usize = 3;

/// The shortest common beginning of two name parts that counts as the same word
/// (`register`/`registration`, `inpatient`/`inpatients`).
const SAME_WORD: usize = 5;

/// Add the hint to every `*-missing` finding of `findings` that has one.
pub(super) fn hint(
    findings: &mut [Finding],
    requirements: &[Requirement],
    coverage: &Coverage,
    entries: &[Entry],
) {
    let missing = [
        CheckCode::ModuleMissing,
        CheckCode::DocumentMissing,
        CheckCode::DatabaseMissing,
        CheckCode::DependenciesMissing,
    ]
    .map(crate::finding::FindingCode::name);
    for f in findings.iter_mut() {
        if !missing.contains(&f.code.as_str()) {
            continue;
        }
        let Some(req) = requirements
            .iter()
            .find(|r| f.requirement.as_deref() == Some(r.id.as_str()))
        else {
            continue;
        };
        let found = if req.kind == RequirementKind::Module {
            module_hint(req, coverage)
        } else {
            file_hint(req, entries)
        };
        if let Some((en, zh)) = found {
            f.message.push_str(&en);
            f.message_zh.push_str(&zh);
        }
    }
}

/// The folders of uncovered source that look like the module (a word of the last folder its
/// globs name, or of its id), or the uncovered source at all.
fn module_hint(req: &Requirement, coverage: &Coverage) -> Option<(String, String)> {
    let words: Vec<String> = req
        .paths
        .iter()
        .filter_map(|g| literal_folders(g).pop())
        .chain(std::iter::once(req.id.clone()))
        .flat_map(|w| parts(&w))
        .collect();
    let like: Vec<&super::coverage::Folder> = coverage
        .uncovered
        .folders
        .iter()
        .filter(|f| f.folder != "." && !f.direct)
        .filter(|f| {
            let last = f.folder.rsplit('/').next().unwrap_or(&f.folder);
            parts(last)
                .iter()
                .any(|p| words.iter().any(|w| same_word(p, w)))
        })
        .take(NAMED)
        .collect();
    if !like.is_empty() {
        let named = like
            .iter()
            .map(|f| format!("{}/ ({})", f.folder, f.files))
            .collect::<Vec<_>>()
            .join(", ");
        return Some((
            format!(
                "; but source that no requirement covers sits in {named}: if that is this module, correct the manifest's paths instead of asking the vendor"
            ),
            format!(
                "；但交付物中有未被任何要求覆盖的源代码位于 {named}：如果那就是该模块，请修正清单中的路径，而不是要求供应商补交"
            ),
        ));
    }
    let un = coverage.uncovered.files;
    (un > 0).then(|| {
        (
            format!(
                "; {un} delivered source files match no requirement (see the uncovered source): check the manifest's paths before asking the vendor"
            ),
            format!(
                "；交付物中有 {un} 个源代码文件不匹配任何要求（见“未被任何要求覆盖的源代码”）：要求供应商补交之前，请先核对清单中的路径"
            ),
        )
    })
}

/// Files delivered elsewhere whose names hold the literal part of a glob's file name
/// (`部署` of `docs/**/*部署*`, `.sql` of `db/**/*.sql`).
fn file_hint(req: &Requirement, entries: &[Entry]) -> Option<(String, String)> {
    let keys: Vec<String> = req
        .paths
        .iter()
        .flat_map(|g| name_literals(g))
        .map(|k| k.to_lowercase())
        .collect();
    if keys.is_empty() {
        return None;
    }
    let mut like = Vec::new();
    for e in entries.iter().filter(|e| e.kind == EntryKind::File) {
        let shown = e.display_path();
        let name = shown.rsplit('/').next().unwrap_or(&shown).to_lowercase();
        if keys.iter().any(|k| name.contains(k.as_str())) {
            like.push(shown);
            if like.len() == NAMED {
                break;
            }
        }
    }
    if like.is_empty() {
        return None;
    }
    let named = like.join(", ");
    Some((
        format!(
            "; but files named like it are delivered elsewhere: {named}: if that is it, correct the manifest's paths instead of asking the vendor"
        ),
        format!(
            "；但交付物其他位置有名称相近的文件：{named}：如果那就是要求的文件，请修正清单中的路径，而不是要求供应商补交"
        ),
    ))
}

/// The folder names of a glob before its first wildcard (`his`, `registration` of
/// `his/registration/**`).
fn literal_folders(glob: &str) -> Vec<String> {
    let comps: Vec<&str> = glob.split('/').collect();
    comps[..comps.len().saturating_sub(1)]
        .iter()
        .take_while(|c| !c.contains(['*', '?', '[', '{']))
        .map(|c| (*c).to_owned())
        .collect()
}

/// The literal pieces (two characters or more) of a glob's last component, between wildcards.
fn name_literals(glob: &str) -> Vec<String> {
    let last = glob.rsplit('/').next().unwrap_or(glob);
    if last.contains(['[', '{']) {
        return Vec::new();
    }
    last.split(['*', '?'])
        .filter(|p| p.chars().count() >= 2)
        .map(str::to_owned)
        .collect()
}

/// A name's words, lower case: split at `-`, `_`, `.`, spaces and lower-to-upper case changes.
fn parts(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.' | ' ') {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The same word: equal, or beginning alike for at least [`SAME_WORD`] characters.
fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return a.chars().count() >= 2;
    }
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count() >= SAME_WORD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_folders_and_globs() {
        assert_eq!(parts("his-register"), ["his", "register"]);
        assert_eq!(parts("SelfService.Kiosk"), ["self", "service", "kiosk"]);
        assert_eq!(
            literal_folders("his/registration/**"),
            ["his", "registration"]
        );
        assert_eq!(literal_folders("**/x/*.java"), Vec::<String>::new());
        assert_eq!(name_literals("docs/**/*部署*"), ["部署"]);
        assert_eq!(name_literals("db/**/*.sql"), [".sql"]);
        assert!(same_word("registration", "register"));
        assert!(!same_word("regi", "regx"));
        assert!(!same_word("charge", "change"));
    }
}
