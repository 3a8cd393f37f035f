//! Comparing two snapshots' file lists: added, removed and modified files, counted in groups
//! that the caller defines (the comparison stage, `checks::compare`, groups them by the modules
//! of a manifest; the vault knows nothing of manifests).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::snapshot::RecEntry;
use crate::delivery::EntryKind;

/// How a file changed between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Only in the newer snapshot.
    Added,
    /// Only in the older snapshot.
    Removed,
    /// In both, with another content, kind, mode or link target.
    Modified,
}

/// One changed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The path relative to the delivery root, `/`-separated, in the readable form of
    /// `delivery::names::display` (escapes for control characters, ` [GBK]` for decoded GBK
    /// names, `\xNN` for other bytes that are not UTF-8).
    pub path: String,
    /// How it changed.
    pub change: ChangeKind,
    /// Size in bytes in the older snapshot (`None` for an added file; for a symbolic link, the
    /// length of its target in bytes).
    pub old_size: Option<u64>,
    /// Size in bytes in the newer snapshot (`None` for a removed file; for a symbolic link, the
    /// length of its target in bytes).
    pub new_size: Option<u64>,
}

/// The changes inside one group (a module; or outside every group: `id` null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleDiff {
    /// The group's id (a module id), `None` for the files outside every group.
    pub id: Option<String>,
    /// The group's name, shown to people.
    pub name: String,
    /// Files (anything but folders) in the group only in the newer snapshot.
    pub added: u64,
    /// Files in the group only in the older snapshot.
    pub removed: u64,
    /// Files in the group in both snapshots with another content, kind, permission bits or
    /// link target.
    pub modified: u64,
    /// Files (anything but folders) in the group in the older snapshot.
    pub files_before: u64,
    /// Files (anything but folders) in the group in the newer snapshot.
    pub files_after: u64,
    /// Of `files_before`, those the grouping counts as source code (`Grouping::is_source`).
    pub source_before: u64,
    /// Of `files_after`, those the grouping counts as source code.
    pub source_after: u64,
    /// Every added, removed and modified file of the group, sorted by path.
    pub changes: Vec<Change>,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRef {
    /// The snapshot id (empty for a snapshot not stored yet).
    pub id: String,
    /// The snapshot's label (for a snapshot not stored yet, the label it is to get).
    pub label: String,
    /// When the snapshot was made: UTC, RFC 3339 (`2026-03-01T08:00:00Z`).
    pub created_at: String,
}

/// The comparison of two snapshots. Its JSON is the output of `escrow diff --format json` and
/// the `diff` of `escrow deposit --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diff {
    /// Always 1.
    pub schema_version: u32,
    /// The older snapshot.
    pub old: SnapshotRef,
    /// The newer snapshot.
    pub new: SnapshotRef,
    /// Files (anything but folders) only in the newer snapshot.
    pub added: u64,
    /// Files only in the older snapshot.
    pub removed: u64,
    /// Files in both with another content, kind, permission bits or link target.
    pub modified: u64,
    /// Files in both, unchanged.
    pub unchanged: u64,
    /// Every group, then the files outside every group when there are any.
    pub modules: Vec<ModuleDiff>,
}

/// How a comparison groups paths.
pub trait Grouping {
    /// The groups, in order: (id, name).
    fn groups(&self) -> Vec<(String, String)>;
    /// The name given to the files outside every group.
    fn outside_name(&self) -> String;
    /// The index (into `groups`) of the group a raw path belongs to, if any.
    fn group_of(&self, path: &[u8]) -> Option<usize>;
    /// Whether a raw path in group `group` counts as source code.
    fn is_source(&self, group: usize, path: &[u8]) -> bool;
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

/// Everything but folders, by raw path.
fn by_path(entries: &[RecEntry]) -> BTreeMap<Vec<u8>, &RecEntry> {
    entries
        .iter()
        .filter(|e| counted(e))
        .filter_map(|e| Some((e.path_bytes()?, e)))
        .collect()
}

/// The groups being filled, with the grouping that places paths in them.
struct Groups<'g> {
    grouping: &'g dyn Grouping,
    groups: Vec<ModuleDiff>,
}

impl Groups<'_> {
    fn new(grouping: &dyn Grouping) -> Groups<'_> {
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
        let mut groups: Vec<ModuleDiff> = grouping
            .groups()
            .into_iter()
            .map(|(id, name)| empty(Some(id), name))
            .collect();
        groups.push(empty(None, grouping.outside_name()));
        Groups { grouping, groups }
    }

    /// The group of `path`, and whether it counts as source code there.
    fn place(&self, path: &[u8]) -> (usize, bool) {
        match self.grouping.group_of(path) {
            Some(g) => (g, self.grouping.is_source(g, path)),
            None => (self.groups.len() - 1, false),
        }
    }

    /// Keep every group (so a reader sees the unchanged ones too) and "outside" when it matters.
    fn finish(self) -> Vec<ModuleDiff> {
        self.groups
            .into_iter()
            .map(|mut g| {
                g.changes.sort_by(|a, b| a.path.cmp(&b.path));
                g
            })
            .filter(|g| g.id.is_some() || g.files_before + g.files_after > 0)
            .collect()
    }
}

/// Compare the file list `old_entries` of snapshot `old` with `new_entries` of `new`, counting
/// the changes in the groups of `grouping`.
pub fn diff(
    old: SnapshotRef,
    old_entries: &[RecEntry],
    new: SnapshotRef,
    new_entries: &[RecEntry],
    grouping: &dyn Grouping,
) -> Diff {
    let olds = by_path(old_entries);
    let news = by_path(new_entries);
    let mut groups = Groups::new(grouping);
    let mut d = Diff {
        schema_version: 1,
        old,
        new,
        added: 0,
        removed: 0,
        modified: 0,
        unchanged: 0,
        modules: Vec::new(),
    };
    for (path, e) in &olds {
        let (g, source) = groups.place(path);
        let group = &mut groups.groups[g];
        group.files_before += 1;
        group.source_before += u64::from(source);
        let (change, new_size) = match news.get(path) {
            None => {
                d.removed += 1;
                group.removed += 1;
                (ChangeKind::Removed, None)
            }
            Some(n) if changed(e, n) => {
                d.modified += 1;
                group.modified += 1;
                (ChangeKind::Modified, Some(n.size))
            }
            Some(_) => {
                d.unchanged += 1;
                continue;
            }
        };
        group.changes.push(Change {
            path: e.display_path(),
            change,
            old_size: Some(e.size),
            new_size,
        });
    }
    for (path, n) in &news {
        let (g, source) = groups.place(path);
        let group = &mut groups.groups[g];
        group.files_after += 1;
        group.source_after += u64::from(source);
        if !olds.contains_key(path) {
            d.added += 1;
            group.added += 1;
            group.changes.push(Change {
                path: n.display_path(),
                change: ChangeKind::Added,
                old_size: None,
                new_size: Some(n.size),
            });
        }
    }
    d.modules = groups.finish();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files under `a/` form group "a"; `.java` files count as source.
    struct ByTop;

    impl Grouping for ByTop {
        fn groups(&self) -> Vec<(String, String)> {
            vec![("a".to_owned(), "A".to_owned())]
        }
        fn outside_name(&self) -> String {
            "(outside)".to_owned()
        }
        fn group_of(&self, path: &[u8]) -> Option<usize> {
            path.starts_with(b"a/").then_some(0)
        }
        fn is_source(&self, _: usize, path: &[u8]) -> bool {
            path.ends_with(b".java")
        }
    }

    fn file(path: &str, sha: char) -> RecEntry {
        RecEntry {
            path: Some(path.to_owned()),
            path_hex: None,
            kind: EntryKind::File,
            mode: 0o100_644,
            size: 1,
            sha256: Some(sha.to_string().repeat(64)),
            target: None,
            target_hex: None,
        }
    }

    fn side(label: &str) -> SnapshotRef {
        SnapshotRef {
            id: String::new(),
            label: label.to_owned(),
            created_at: String::new(),
        }
    }

    #[test]
    fn counts_changes_per_group() {
        let old = [
            file("a/X.java", '1'),
            file("a/Y.java", '2'),
            file("b.txt", '3'),
        ];
        let new = [
            file("a/X.java", '1'),
            file("a/Z.java", '4'),
            file("b.txt", '5'),
        ];
        let d = diff(side("v1"), &old, side("v2"), &new, &ByTop);
        assert_eq!((d.added, d.removed, d.modified, d.unchanged), (1, 1, 1, 1));
        let a = &d.modules[0];
        assert_eq!(a.id.as_deref(), Some("a"));
        assert_eq!((a.source_before, a.source_after), (2, 2));
        let paths: Vec<&str> = a.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["a/Y.java", "a/Z.java"]);
        let outside = &d.modules[1];
        assert_eq!(outside.id, None);
        assert_eq!(outside.changes[0].change, ChangeKind::Modified);
    }
}
