//! Comparing two snapshots: added, removed and modified files, grouped by the modules of the
//! newer snapshot's manifest; and the findings a deposit raises against its predecessor.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::snapshot::{RecEntry, SnapshotRecord};
use crate::checks::modules::is_source;
use crate::delivery::EntryKind;
use crate::finding::Finding;
use crate::manifest::{self, Kind, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Added,
    Removed,
    Modified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub path: String,
    pub change: ChangeKind,
    pub old_size: Option<u64>,
    pub new_size: Option<u64>,
}

/// The changes inside one module (or outside every module: `id` null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleDiff {
    pub id: Option<String>,
    pub name: String,
    pub added: u64,
    pub removed: u64,
    pub modified: u64,
    pub files_before: u64,
    pub files_after: u64,
    pub source_before: u64,
    pub source_after: u64,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRef {
    pub id: String,
    pub label: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diff {
    pub schema_version: u32,
    pub old: SnapshotRef,
    pub new: SnapshotRef,
    pub added: u64,
    pub removed: u64,
    pub modified: u64,
    pub unchanged: u64,
    pub modules: Vec<ModuleDiff>,
}

struct ModuleMatcher {
    id: String,
    name: String,
    matcher: globset::GlobSet,
    exts: Vec<String>,
}

/// The modules of a manifest text (a manifest that no longer parses gives none).
fn modules_of(manifest_text: &str) -> Vec<ModuleMatcher> {
    let Ok(m) = manifest::parse(manifest_text) else {
        return Vec::new();
    };
    m.requirements
        .into_iter()
        .filter(|r| r.kind == Kind::Module)
        .map(|r| ModuleMatcher {
            exts: match &r.rule {
                Rule::Module {
                    source_extensions, ..
                } => source_extensions.clone(),
                _ => Vec::new(),
            },
            id: r.id,
            name: r.name,
            matcher: r.matcher,
        })
        .collect()
}

fn counted(e: &RecEntry) -> bool {
    e.kind != EntryKind::Dir
}

fn changed(a: &RecEntry, b: &RecEntry) -> bool {
    a.kind != b.kind
        || a.sha256 != b.sha256
        || a.mode & 0o7777 != b.mode & 0o7777
        || a.target_bytes() != b.target_bytes()
}

/// Compare `old` with `new`; ids are the snapshots' ids.
pub fn diff(
    old: &SnapshotRecord,
    old_entries: &[RecEntry],
    old_id: &str,
    new: &SnapshotRecord,
    new_entries: &[RecEntry],
    new_id: &str,
) -> Diff {
    let modules = modules_of(&new.manifest.text);
    let empty = |id: Option<String>, name: String| ModuleDiff {
        id,
        name,
        added: 0,
        removed: 0,
        modified: 0,
        files_before: 0,
        files_after: 0,
        source_before: 0,
        source_after: 0,
        changes: Vec::new(),
    };
    let mut groups: Vec<ModuleDiff> = modules
        .iter()
        .map(|m| empty(Some(m.id.clone()), m.name.clone()))
        .collect();
    groups.push(empty(None, "(outside every module)".to_owned()));
    let other = groups.len() - 1;
    let group_of = |path: &[u8]| {
        let p = Path::new(OsStr::from_bytes(path));
        modules
            .iter()
            .position(|m| m.matcher.is_match(p))
            .unwrap_or(other)
    };
    let source = |g: usize, path: &[u8]| g < other && is_source(path, &modules[g].exts).is_some();

    let olds: BTreeMap<Vec<u8>, &RecEntry> = old_entries
        .iter()
        .filter(|e| counted(e))
        .filter_map(|e| Some((e.path_bytes()?, e)))
        .collect();
    let news: BTreeMap<Vec<u8>, &RecEntry> = new_entries
        .iter()
        .filter(|e| counted(e))
        .filter_map(|e| Some((e.path_bytes()?, e)))
        .collect();
    let mut d = Diff {
        schema_version: 1,
        old: SnapshotRef {
            id: old_id.to_owned(),
            label: old.label.clone(),
            created_at: old.created_at.clone(),
        },
        new: SnapshotRef {
            id: new_id.to_owned(),
            label: new.label.clone(),
            created_at: new.created_at.clone(),
        },
        added: 0,
        removed: 0,
        modified: 0,
        unchanged: 0,
        modules: Vec::new(),
    };
    for (path, e) in &olds {
        let g = group_of(path);
        groups[g].files_before += 1;
        if source(g, path) {
            groups[g].source_before += 1;
        }
        let kind = match news.get(path) {
            None => Some((ChangeKind::Removed, None)),
            Some(n) if changed(e, n) => Some((ChangeKind::Modified, Some(n.size))),
            Some(_) => None,
        };
        match kind {
            Some((change, new_size)) => {
                if change == ChangeKind::Removed {
                    d.removed += 1;
                    groups[g].removed += 1;
                } else {
                    d.modified += 1;
                    groups[g].modified += 1;
                }
                groups[g].changes.push(Change {
                    path: e.display_path(),
                    change,
                    old_size: Some(e.size),
                    new_size,
                });
            }
            None => d.unchanged += 1,
        }
    }
    for (path, n) in &news {
        let g = group_of(path);
        groups[g].files_after += 1;
        if source(g, path) {
            groups[g].source_after += 1;
        }
        if !olds.contains_key(path) {
            d.added += 1;
            groups[g].added += 1;
            groups[g].changes.push(Change {
                path: n.display_path(),
                change: ChangeKind::Added,
                old_size: None,
                new_size: Some(n.size),
            });
        }
    }
    for g in &mut groups {
        g.changes.sort_by(|a, b| a.path.cmp(&b.path));
    }
    // Keep every module (so a reader sees the unchanged ones too) and "outside" when it matters.
    d.modules = groups
        .into_iter()
        .filter(|g| g.id.is_some() || g.files_before + g.files_after > 0)
        .collect();
    d
}

/// The findings a deposit raises against the previous snapshot.
pub fn findings(d: &Diff, has_note: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in &d.modules {
        let Some(id) = &g.id else { continue };
        let lost_all = g.files_before > 0 && g.files_after == 0;
        if lost_all || g.source_after < g.source_before {
            let removed: Vec<String> = g
                .changes
                .iter()
                .filter(|c| c.change == ChangeKind::Removed)
                .take(10)
                .map(|c| c.path.clone())
                .collect();
            out.push(
                Finding::new(
                    "module-regressed",
                    format!(
                        "module {:?} went from {} files ({} source) in {} to {} files ({} source)",
                        g.name, g.files_before, g.source_before, d.old.label, g.files_after, g.source_after
                    ),
                    format!(
                        "模块「{}」从 {} 的 {} 个文件（源代码 {} 个）变为 {} 个文件（源代码 {} 个）",
                        g.name, d.old.label, g.files_before, g.source_before, g.files_after, g.source_after
                    ),
                )
                .requirement(id)
                .evidence(removed),
            );
        }
    }
    for g in &d.modules {
        for c in g.changes.iter().filter(|c| c.change == ChangeKind::Removed) {
            let mut f = Finding::new(
                "file-removed",
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
        out.push(Finding::new(
            "change-note-missing",
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
