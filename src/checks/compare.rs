//! The comparison stage: a delivery against the previous snapshot in the vault. The vault finds
//! the added, removed and modified files (`vault::diff`); this stage groups them by the modules
//! of the manifest and raises the findings of an update: `module-regressed`, `file-removed`,
//! `change-note-missing`. Like every stage, it emits findings at their codes' default
//! severities; the manifest's `[severity]` and `[[allow]]` are applied later, by the policy step.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::config::{Requirement, RequirementKind as Kind, RequirementRule as Rule};
use crate::checks::modules::is_source;
use crate::finding::Finding;
use crate::vault::diff::{self, ChangeKind, Diff, Grouping, SnapshotRef};
use crate::vault::snapshot::{RecEntry, SnapshotRecord};

/// One module of a manifest, as the comparison groups files.
struct Module {
    id: String,
    name: String,
    matcher: globset::GlobSet,
    exts: Vec<String>,
}

/// The modules of a manifest, grouping a comparison's files.
pub struct ModuleGroups {
    modules: Vec<Module>,
}

impl ModuleGroups {
    /// The `[[module]]` entries among a manifest's `requirements`.
    pub fn of(requirements: &[Requirement]) -> ModuleGroups {
        ModuleGroups {
            modules: requirements
                .iter()
                .filter(|r| r.kind == Kind::Module)
                .map(|r| Module {
                    exts: match &r.rule {
                        Rule::Module {
                            source_extensions, ..
                        } => source_extensions.clone(),
                        _ => Vec::new(),
                    },
                    id: r.id.clone(),
                    name: r.name.clone(),
                    matcher: r.matcher.clone(),
                })
                .collect(),
        }
    }
}

impl Grouping for ModuleGroups {
    fn groups(&self) -> Vec<(String, String)> {
        self.modules
            .iter()
            .map(|m| (m.id.clone(), m.name.clone()))
            .collect()
    }

    fn outside_name(&self) -> String {
        "(outside every module)".to_owned()
    }

    fn group_of(&self, path: &[u8]) -> Option<usize> {
        let p = Path::new(OsStr::from_bytes(path));
        self.modules.iter().position(|m| m.matcher.is_match(p))
    }

    fn is_source(&self, group: usize, path: &[u8]) -> bool {
        is_source(path, &self.modules[group].exts).is_some()
    }
}

fn side(id: &str, record: &SnapshotRecord) -> SnapshotRef {
    SnapshotRef {
        id: id.to_owned(),
        label: record.label.clone(),
        created_at: record.created_at.clone(),
    }
}

/// Compare two stored snapshots (`escrow diff`), grouped by the `[[module]]` entries of
/// `requirements` (the newer one's manifest's, read by the caller). The ids are the snapshots'
/// ids.
pub fn diff(
    old: &SnapshotRecord,
    old_entries: &[RecEntry],
    old_id: &str,
    new: &SnapshotRecord,
    new_entries: &[RecEntry],
    new_id: &str,
    requirements: &[Requirement],
) -> Diff {
    diff::diff(
        side(old_id, old),
        old_entries,
        side(new_id, new),
        new_entries,
        &ModuleGroups::of(requirements),
    )
}

/// Compare a delivery being deposited (its file list `entries`, its `label`, the time `now`)
/// with the previous snapshot `old` (id `old_id`), grouped by the `[[module]]` entries of
/// `requirements`. The
/// new side's id is empty until the snapshot is stored.
pub fn with_previous(
    old_id: &str,
    old: &SnapshotRecord,
    old_entries: &[RecEntry],
    label: &str,
    now: &str,
    entries: &[RecEntry],
    requirements: &[Requirement],
) -> Diff {
    let new = SnapshotRef {
        id: String::new(),
        label: label.to_owned(),
        created_at: now.to_owned(),
    };
    diff::diff(
        side(old_id, old),
        old_entries,
        new,
        entries,
        &ModuleGroups::of(requirements),
    )
}

/// The findings a deposit raises against the previous snapshot: `module-regressed` for each
/// module that lost all its files, fewer source files than before, or any source file that was
/// not moved (see [`lost_sources`]); `file-removed` for each removed file, and
/// `change-note-missing` when files changed and no change note was given.
pub fn findings(d: &Diff, has_note: bool, lost: &LostSources) -> Vec<Finding> {
    let mut out = regressed(d, lost);
    for g in &d.modules {
        for c in g.changes.iter().filter(|c| c.change == ChangeKind::Removed) {
            let mut f = Finding::of(
                crate::checks::codes::CompareCode::FileRemoved,
                format!("removed since {}", d.old.label),
                format!("自 {} 以来被删除", d.old.label),
            )
            .path(c.path.clone());
            f.requirement.clone_from(&g.id);
            out.push(f);
        }
    }
    let changes = d.added + d.removed + d.modified;
    if changes > 0 && !has_note {
        out.push(Finding::of(
            crate::checks::codes::CompareCode::ChangeNoteMissing,
            format!(
                "{changes} files changed since {} ({} added, {} removed, {} modified) and no change note was given (--note)",
                d.old.label, d.added, d.removed, d.modified
            ),
            format!(
                "自 {} 以来有 {changes} 个文件变更（新增 {}，删除 {}，修改 {}），但未提供修改说明（--note）",
                d.old.label, d.added, d.removed, d.modified
            ),
        ));
    }
    out
}

/// `change-note-incomplete` for each module with changed files that the change notes `notes`
/// (the `--note` file's text and the text of the documents covering `changes`) never mention:
/// not by its id, its name, nor the last literal folder of one of its globs ("internet-hospital"
/// of "internet-hospital/**"), letter case ignored. Nothing when `notes` is empty (that is
/// `change-note-missing`).
pub fn unmentioned_modules(d: &Diff, notes: &str, requirements: &[Requirement]) -> Vec<Finding> {
    let notes = notes.to_lowercase();
    if notes.trim().is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for g in &d.modules {
        let Some(id) = &g.id else { continue };
        let changed = g.added + g.removed + g.modified;
        if changed == 0 {
            continue;
        }
        let Some(req) = requirements.iter().find(|r| &r.id == id) else {
            continue;
        };
        let terms = module_terms(req);
        if terms.iter().any(|t| notes.contains(t.as_str())) {
            continue;
        }
        let mut f = Finding::of(
            crate::checks::codes::CompareCode::ChangeNoteIncomplete,
            format!(
                "module {:?} ({id}): {changed} files changed since {} ({} added, {} removed, {} modified) but the change notes never mention it",
                g.name, d.old.label, g.added, g.removed, g.modified
            ),
            format!(
                "模块「{}」（{id}）：自 {} 以来有 {changed} 个文件变更（新增 {}，删除 {}，修改 {}），但修改说明中从未提及该模块",
                g.name, d.old.label, g.added, g.removed, g.modified
            ),
        )
        .evidence(
            std::iter::once(format!(
                "looked for / 查找: {}",
                terms
                    .iter()
                    .map(|t| format!("{t:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .chain(
                g.changes
                    .iter()
                    .take(5)
                    .map(|c| {
                        let (en, zh) = match c.change {
                            ChangeKind::Added => ("added", "新增"),
                            ChangeKind::Removed => ("removed", "删除"),
                            ChangeKind::Modified => ("modified", "修改"),
                        };
                        format!("{en} / {zh}: {}", c.path)
                    }),
            )
            .collect(),
        );
        f.requirement = Some(id.clone());
        out.push(f);
    }
    out
}

/// Folder names too common to name a module: a note saying "changed files under src" names
/// no module.
const GENERIC_FOLDERS: &[&str] = &[
    "src",
    "main",
    "java",
    "web",
    "app",
    "apps",
    "lib",
    "libs",
    "code",
    "source",
    "sources",
    "server",
    "client",
    "api",
    "core",
    "common",
    "docs",
    "doc",
    "test",
    "tests",
    "resources",
    "modules",
    "module",
    "projects",
    "project",
    "packages",
    "backend",
    "frontend",
    "ui",
    "webapp",
];

/// What names a module in change notes, lower case: its id, its name, and for each glob the
/// last folder before its first wildcard that is not a generic one ([`GENERIC_FOLDERS`]:
/// "internet-hospital" of "internet-hospital/src/**"); at least 2 characters each.
fn module_terms(req: &Requirement) -> Vec<String> {
    let mut terms = vec![req.id.to_lowercase(), req.name.to_lowercase()];
    for glob in &req.paths {
        let literal: Vec<&str> = glob
            .split('/')
            .take_while(|c| !c.contains(['*', '?', '[', '{']))
            .collect();
        if let Some(last) = literal
            .iter()
            .rev()
            .map(|c| c.to_lowercase())
            .find(|c| !GENERIC_FOLDERS.contains(&c.as_str()))
        {
            terms.push(last);
        }
    }
    terms.retain(|t| t.chars().count() >= 2);
    terms.sort();
    terms.dedup();
    terms
}

/// The source files each module lost: in the previous snapshot, absent now under that path,
/// and whose content is nowhere in the new delivery (a file whose content is found elsewhere
/// was moved or renamed, not lost). By module id; paths in readable form, sorted.
pub type LostSources = std::collections::BTreeMap<String, Vec<String>>;

/// The source files each `[[module]]` of `requirements` lost between `old_entries` and
/// `new_entries` (see [`LostSources`]).
pub fn lost_sources(
    old_entries: &[RecEntry],
    new_entries: &[RecEntry],
    requirements: &[Requirement],
) -> LostSources {
    let groups = ModuleGroups::of(requirements);
    let now: std::collections::HashSet<Vec<u8>> = new_entries
        .iter()
        .filter_map(RecEntry::path_bytes)
        .collect();
    let contents: std::collections::HashSet<&str> = new_entries
        .iter()
        .filter_map(|e| e.sha256.as_deref())
        .collect();
    let mut lost = LostSources::new();
    for e in old_entries {
        let (Some(path), Some(sha)) = (e.path_bytes(), e.sha256.as_deref()) else {
            continue;
        };
        if now.contains(&path) || contents.contains(sha) {
            continue;
        }
        if let Some(g) = groups.group_of(&path)
            && groups.is_source(g, &path)
        {
            lost.entry(groups.modules[g].id.clone())
                .or_default()
                .push(e.display_path());
        }
    }
    for paths in lost.values_mut() {
        paths.sort();
    }
    lost
}

/// `module-regressed`: a module lost all its files, fewer source files than before, or source
/// files that were not moved elsewhere (`lost`), even when it gained others.
fn regressed(d: &Diff, lost: &LostSources) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in &d.modules {
        let Some(id) = &g.id else { continue };
        let lost_all = g.files_before > 0 && g.files_after == 0;
        let gone = lost.get(id).map_or(&[][..], Vec::as_slice);
        let net_loss = lost_all || g.source_after < g.source_before;
        if !net_loss && gone.is_empty() {
            continue;
        }
        let removed: Vec<String> = g
            .changes
            .iter()
            .filter(|c| c.change == ChangeKind::Removed)
            .map(|c| c.path.clone())
            .collect();
        let (en, zh) = if net_loss {
            (
                format!(
                    "module {:?} went from {} files ({} source) in {} to {} files ({} source)",
                    g.name,
                    g.files_before,
                    g.source_before,
                    d.old.label,
                    g.files_after,
                    g.source_after
                ),
                format!(
                    "模块「{}」从 {} 的 {} 个文件（源代码 {} 个）变为 {} 个文件（源代码 {} 个）",
                    g.name,
                    d.old.label,
                    g.files_before,
                    g.source_before,
                    g.files_after,
                    g.source_after
                ),
            )
        } else {
            (
                format!(
                    "module {:?} lost {} source files since {} (their contents are nowhere in the delivery), though it went from {} to {} source files",
                    g.name,
                    gone.len(),
                    d.old.label,
                    g.source_before,
                    g.source_after
                ),
                format!(
                    "模块「{}」自 {} 以来删除了 {} 个源代码文件（其内容在交付物中已不存在），尽管源代码文件总数从 {} 个变为 {} 个",
                    g.name,
                    d.old.label,
                    gone.len(),
                    g.source_before,
                    g.source_after
                ),
            )
        };
        let paths = if gone.is_empty() {
            removed.clone()
        } else {
            gone.to_vec()
        };
        let shown = if net_loss { &removed } else { &paths };
        out.push(
            Finding::of(crate::checks::codes::CompareCode::ModuleRegressed, en, zh)
                .requirement(id)
                .evidence(shown.iter().take(10).cloned().collect())
                .files(paths),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::{RequirementKind, RequirementRule};

    fn module(id: &str, name: &str, paths: &[&str]) -> Requirement {
        Requirement {
            kind: RequirementKind::Module,
            id: id.to_owned(),
            name: name.to_owned(),
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
            matcher: globset::GlobSet::empty(),
            required_files: Vec::new(),
            path_lines: Vec::new(),
            required_lines: Vec::new(),
            rule: RequirementRule::Module {
                min_source_files: 1,
                source_extensions: Vec::new(),
            },
        }
    }

    #[test]
    fn a_module_is_named_by_its_id_name_and_specific_folders_only() {
        let m = module(
            "ih",
            "互联网医院",
            &["internet-hospital/src/**", "web/**", "his/IH.Core/**"],
        );
        // "src" and "web" would be named by any note; the folder above "src" is not.
        assert_eq!(
            module_terms(&m),
            ["ih", "ih.core", "internet-hospital", "互联网医院"]
        );
    }
}
