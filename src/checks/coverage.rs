//! Coverage: the delivered files that no requirement of any kind matches, summarised by folder,
//! and the `source-uncovered` finding when much of the source is among them.
//!
//! A manifest written with guessed folder names (`his/registration/**` where the vendor's code
//! is in `his/his-register/`) gives `module-missing` for the module it names and says nothing of
//! the folder it missed; this summary names that folder. Files are sorted into three heaps:
//! source code outside third-party folders (by the manifest's `source-extensions`, as
//! `[[module]]` counts it, MyBatis mapper XML included), third-party code (the scan's
//! conventional folders and the manifest's `[scan] vendored` globs,
//! [`crate::filetypes::is_third_party`]) and everything else (images, binaries, documents),
//! counted in one line.
//!
//! Cost: one pass over the inventory in parallel, reading only what matching already did (one
//! bit per entry) and allocating nothing per file; each uncovered file updates the tallies of
//! its first [`MAX_DEPTH`] folders, keyed by slices of its path.

use std::collections::HashMap;

use globset::GlobSet;
use rayon::prelude::*;

use super::modules::{language, source_index};
use crate::delivery::{Entry, EntryKind, names};
use crate::filetypes::is_third_party;
use crate::finding::Finding;

/// What the coverage needs from the manifest.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// The manifest's `source-extensions` (lower case, without the dot), else the built-in
    /// list: what counts as source code.
    pub source_extensions: &'a [String],
    /// The manifest's `[scan] vendored` globs, compiled: third-party code besides the
    /// conventional folders.
    pub vendored: &'a GlobSet,
}

/// Folder levels tallied below the delivery's top: a summary names folders at most this deep.
pub const MAX_DEPTH: usize = 6;

/// Folders the uncovered-source summary lists at most once it has descended into a folder
/// (the top-level folders are always all listed, however many).
pub const SOURCE_FOLDERS: usize = 12;

/// Folders the third-party summary lists at most once it has descended.
pub const THIRD_PARTY_FOLDERS: usize = 4;

/// `source-uncovered` warns when more than this share (in percent) of the delivered source
/// files is covered by no requirement. A manifest that names the vendor's folders leaves only
/// build scripts, tools and the odd stray file outside every requirement, a few percent of
/// the source; one module of five misnamed leaves 20 % or more.
pub const UNCOVERED_SHARE_PERCENT: u64 = 20;

/// …and at least this many source files are uncovered: fewer are not a module.
pub const UNCOVERED_MIN_FILES: u64 = 10;

/// `source-uncovered` also warns, whatever the share, when one listed folder holds at least
/// this many source files and no requirement covers any of them: a whole module the manifest
/// misses in a delivery too large for it to reach the share.
pub const UNCOVERED_FOLDER_FILES: u64 = 100;

/// The delivered files no requirement matches, summarised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Source files delivered outside third-party folders, covered or not.
    pub source_files: u64,
    /// The source files among them that no requirement matches, by folder.
    pub uncovered: Summary,
    /// Files under third-party folders (any type) that no requirement matches: not counted as
    /// uncovered source.
    pub third_party: Summary,
    /// Other files no requirement matches (images, binaries, documents, …): how many.
    pub other_files: u64,
    /// Their bytes.
    pub other_bytes: u64,
}

/// Files summarised by folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The folders that hold them, most files first: the top-level folders, with the one
    /// holding most of the files replaced by its subfolders while that explains them better
    /// (see [`summarise`]). Every file is in exactly one.
    pub folders: Vec<Folder>,
}

/// One folder of a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Relative to the delivery's top, `/`-separated, readable (`names::display`); "." for the
    /// top itself.
    pub folder: String,
    /// Only the files directly in the folder: its subfolders are listed on their own.
    pub direct: bool,
    /// Files.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Source files by language (extension, or "xml (mapper)"), most first.
    pub languages: Vec<(String, u64)>,
    /// No requirement covers any source file in the folder (subfolders included); false for
    /// `direct` entries and third-party folders.
    pub whole: bool,
}

/// Counts of one folder (or of everything).
#[derive(Debug, Clone, Default)]
struct Tally {
    files: u64,
    bytes: u64,
    /// (index of the language, as `source_index` gives it; files).
    languages: Vec<(usize, u64)>,
}

impl Tally {
    fn add(&mut self, size: u64, lang: Option<usize>) {
        self.files += 1;
        self.bytes += size;
        if let Some(l) = lang {
            match self.languages.iter_mut().find(|(i, _)| *i == l) {
                Some((_, n)) => *n += 1,
                None => self.languages.push((l, 1)),
            }
        }
    }

    fn merge(&mut self, other: &Tally) {
        self.files += other.files;
        self.bytes += other.bytes;
        for &(l, n) in &other.languages {
            match self.languages.iter_mut().find(|(i, _)| *i == l) {
                Some((_, m)) => *m += n,
                None => self.languages.push((l, n)),
            }
        }
    }

    /// This tally less `other` (a part of it).
    fn less(&self, other: &Tally) -> Tally {
        let mut t = self.clone();
        t.files -= other.files;
        t.bytes -= other.bytes;
        for &(l, n) in &other.languages {
            if let Some((_, m)) = t.languages.iter_mut().find(|(i, _)| *i == l) {
                *m -= n;
            }
        }
        t.languages.retain(|(_, n)| *n > 0);
        t
    }
}

/// One heap of files: the whole, and each folder down to [`MAX_DEPTH`], keyed by the path's
/// bytes up to the folder's end.
#[derive(Default)]
struct Heap<'e> {
    all: Tally,
    folders: HashMap<&'e [u8], Tally>,
}

impl<'e> Heap<'e> {
    fn add(&mut self, path: &'e [u8], size: u64, lang: Option<usize>) {
        self.all.add(size, lang);
        for end in memchr::memchr_iter(b'/', path).take(MAX_DEPTH) {
            self.folders
                .entry(&path[..end])
                .or_default()
                .add(size, lang);
        }
    }

    fn merge(&mut self, other: Heap<'e>) {
        self.all.merge(&other.all);
        for (k, t) in other.folders {
            match self.folders.get_mut(k) {
                Some(mine) => mine.merge(&t),
                None => {
                    self.folders.insert(k, t);
                }
            }
        }
    }

    /// The folders directly inside `parent` (`b""`: the top).
    fn children(&self, parent: &[u8]) -> Vec<&'e [u8]> {
        let mut kids: Vec<&'e [u8]> = self
            .folders
            .keys()
            .copied()
            .filter(|k| parent_of(k) == parent)
            .collect();
        kids.sort_unstable();
        kids
    }
}

/// Subfolder names of a project's own layout (Maven's and Gradle's `src/main/java`, tests, web
/// applications): a folder holding one of them is one project, not a set of modules.
const PROJECT_LAYOUT: &[&str] = &[
    "src",
    "source",
    "sources",
    "main",
    "test",
    "tests",
    "java",
    "resources",
    "webapp",
    "WEB-INF",
];

/// Whether a subfolder named `name` makes its parent one project ([`PROJECT_LAYOUT`]).
fn is_project_layout(name: &[u8]) -> bool {
    PROJECT_LAYOUT
        .iter()
        .any(|d| name.eq_ignore_ascii_case(d.as_bytes()))
}

/// The folder holding `folder` (`b""` for a top-level one).
fn parent_of(folder: &[u8]) -> &[u8] {
    folder
        .iter()
        .rposition(|b| *b == b'/')
        .map_or(&[][..], |i| &folder[..i])
}

/// How deep a folder is: 1 for a top-level one.
fn depth(folder: &[u8]) -> usize {
    memchr::memchr_iter(b'/', folder).count() + 1
}

/// What one pass over the inventory gathers.
#[derive(Default)]
struct Pass<'e> {
    source_files: u64,
    uncovered: Heap<'e>,
    third_party: Heap<'e>,
    other_files: u64,
    other_bytes: u64,
}

impl<'e> Pass<'e> {
    fn merge(mut self, other: Pass<'e>) -> Pass<'e> {
        self.source_files += other.source_files;
        self.uncovered.merge(other.uncovered);
        self.third_party.merge(other.third_party);
        self.other_files += other.other_files;
        self.other_bytes += other.other_bytes;
        self
    }
}

/// Summarise the files of `entries` (the inventory, sorted by path) that no requirement
/// matches; `covered(n)` says whether entry `n` matched one.
///
/// Folders: the top-level folders (and "." for files at the top); then, while one folder holds
/// more than half of the files and the summary stays within [`SOURCE_FOLDERS`] (third-party:
/// [`THIRD_PARTY_FOLDERS`]) lines, it is replaced by its subfolders (and a `direct` line for
/// its own files) when that explains more: for source, when some requirement covers part of
/// that folder (so the uncovered part is named precisely), or when it is a top-level folder
/// with several uncovered subfolders none of which is a project's own layout (`src`, `test`,
/// `resources`, …: a project is listed whole); for third-party code, until the folder is itself inside
/// a third-party folder (`web/` → `web/node_modules/`).
pub fn summarise(
    entries: &[Entry],
    covered: &(dyn Fn(usize) -> bool + Sync),
    rules: Rules<'_>,
) -> Coverage {
    let exts = rules.source_extensions;
    let pass = entries
        .par_iter()
        .enumerate()
        .fold(Pass::default, |mut p, (n, e)| {
            if e.kind != EntryKind::File {
                return p;
            }
            let lang = source_index(&e.path, exts);
            if covered(n) {
                if lang.is_some() && !is_third_party(&e.path, rules.vendored) {
                    p.source_files += 1;
                }
            } else if is_third_party(&e.path, rules.vendored) {
                p.third_party.add(&e.path, e.size, lang);
            } else if lang.is_some() {
                p.source_files += 1;
                p.uncovered.add(&e.path, e.size, lang);
            } else {
                p.other_files += 1;
                p.other_bytes += e.size;
            }
            p
        })
        .reduce(Pass::default, Pass::merge);

    let partly_covered = |folder: &[u8]| {
        let mut prefix = folder.to_vec();
        prefix.push(b'/');
        let start = entries.partition_point(|e| *e.path < *prefix);
        entries[start..]
            .iter()
            .enumerate()
            .take_while(|(_, e)| e.path.starts_with(&prefix))
            .any(|(i, e)| {
                e.kind == EntryKind::File
                    && covered(start + i)
                    && source_index(&e.path, exts).is_some()
                    && !is_third_party(&e.path, rules.vendored)
            })
    };
    let uncovered = choose(&pass.uncovered, SOURCE_FOLDERS, &|f, kids| {
        partly_covered(f)
            || (depth(f) == 1
                && kids.len() >= 2
                && !kids.iter().any(|k| is_project_layout(names::file_name(k))))
    });
    let third_party = choose(&pass.third_party, THIRD_PARTY_FOLDERS, &|f, _| {
        let mut inside = f.to_vec();
        inside.extend_from_slice(b"/f");
        !is_third_party(&inside, rules.vendored)
    });
    Coverage {
        source_files: pass.source_files,
        uncovered: summary(&pass.uncovered, uncovered, exts, &|f| !partly_covered(f)),
        third_party: summary(&pass.third_party, third_party, exts, &|_| false),
        other_files: pass.other_files,
        other_bytes: pass.other_bytes,
    }
}

/// A line of a summary being chosen: a folder with everything under it, or only the files
/// directly in it.
#[derive(Clone)]
struct Line<'e> {
    folder: &'e [u8],
    direct: bool,
    tally: Tally,
}

/// Whether to replace a folder by its subfolders (those holding files of the heap).
type Descend<'a, 'e> = dyn Fn(&[u8], &[&'e [u8]]) -> bool + 'a;

/// The lines of a heap's summary (see [`summarise`]); `descend(folder, subfolders)` says
/// whether replacing the folder by its subfolders (those holding files of the heap) explains
/// more.
fn choose<'e>(heap: &Heap<'e>, limit: usize, descend: &Descend<'_, 'e>) -> Vec<Line<'e>> {
    let mut lines = split(heap, b"");
    // The line with the most files, first in path order among equals.
    let biggest = |lines: &[Line<'e>]| {
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.direct)
            .max_by(|(_, a), (_, b)| {
                a.tally
                    .files
                    .cmp(&b.tally.files)
                    .then(b.folder.cmp(a.folder))
            })
            .map(|(at, l)| (at, l.folder, l.tally.files))
    };
    while let Some((at, folder, files)) = biggest(&lines) {
        if files * 2 <= heap.all.files || depth(folder) >= MAX_DEPTH {
            break;
        }
        let kids = heap.children(folder);
        if kids.is_empty() || !descend(folder, &kids) {
            break;
        }
        let parts = split(heap, folder);
        if lines.len() - 1 + parts.len() > limit {
            break;
        }
        lines.splice(at..=at, parts);
    }
    lines.sort_by(|a, b| {
        b.tally
            .files
            .cmp(&a.tally.files)
            .then(a.folder.cmp(b.folder))
    });
    lines
}

/// `parent`'s subfolders as lines, and a `direct` line for the files directly in it, if any.
fn split<'e>(heap: &Heap<'e>, parent: &'e [u8]) -> Vec<Line<'e>> {
    let whole = if parent.is_empty() {
        heap.all.clone()
    } else {
        heap.folders.get(parent).cloned().unwrap_or_default()
    };
    let mut under = Tally::default();
    let mut lines: Vec<Line<'e>> = heap
        .children(parent)
        .into_iter()
        .map(|k| {
            let tally = heap.folders[k].clone();
            under.merge(&tally);
            Line {
                folder: k,
                direct: false,
                tally,
            }
        })
        .collect();
    let own = whole.less(&under);
    if own.files > 0 {
        lines.push(Line {
            folder: parent,
            direct: true,
            tally: own,
        });
    }
    lines
}

/// The library form of a heap's chosen lines; `whole(folder)`: no requirement covers any
/// source file in it.
fn summary(
    heap: &Heap<'_>,
    lines: Vec<Line<'_>>,
    exts: &[String],
    whole: &dyn Fn(&[u8]) -> bool,
) -> Summary {
    Summary {
        files: heap.all.files,
        bytes: heap.all.bytes,
        folders: lines
            .into_iter()
            .map(|l| {
                let mut languages: Vec<(String, u64)> = l
                    .tally
                    .languages
                    .iter()
                    .map(|&(i, n)| (language(i, exts).to_owned(), n))
                    .collect();
                languages.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                Folder {
                    folder: if l.folder.is_empty() {
                        ".".to_owned()
                    } else {
                        names::display(l.folder)
                    },
                    direct: l.direct,
                    files: l.tally.files,
                    bytes: l.tally.bytes,
                    languages,
                    whole: !l.direct && !l.folder.is_empty() && whole(l.folder),
                }
            })
            .collect(),
    }
}

/// Folders a `source-uncovered` finding names in its message, and lists in its evidence.
const NAMED: usize = 3;
const EVIDENCE: usize = 5;

/// `source-uncovered`, when much of the delivered source is covered by no requirement: more
/// than [`UNCOVERED_SHARE_PERCENT`] % of the source files and at least
/// [`UNCOVERED_MIN_FILES`] of them, or a listed folder of at least
/// [`UNCOVERED_FOLDER_FILES`] source files none of which is covered. The message names the
/// biggest folders; the evidence gives each one's files, bytes and languages.
pub fn finding(c: &Coverage) -> Option<Finding> {
    let un = &c.uncovered;
    let share = un.files * 100 > c.source_files * UNCOVERED_SHARE_PERCENT;
    let whole_folder = un
        .folders
        .iter()
        .any(|f| f.whole && f.files >= UNCOVERED_FOLDER_FILES);
    if un.files < UNCOVERED_MIN_FILES || !(share || whole_folder) {
        return None;
    }
    let pct = percent(un.files, c.source_files);
    let shown = |f: &Folder| {
        if f.folder == "." {
            "the delivery's top folder".to_owned()
        } else {
            format!("{}/", f.folder)
        }
    };
    let shown_zh = |f: &Folder| {
        if f.folder == "." {
            "交付物根目录".to_owned()
        } else {
            format!("{}/", f.folder)
        }
    };
    let named = |show: &dyn Fn(&Folder) -> String, zh: bool| {
        un.folders
            .iter()
            .take(NAMED)
            .map(|f| {
                if zh {
                    format!("{}（{} 个）", show(f), f.files)
                } else {
                    format!("{} ({})", show(f), f.files)
                }
            })
            .collect::<Vec<_>>()
            .join(if zh { "、" } else { ", " })
    };
    let all = un.folders.iter().take(NAMED).map(|f| f.files).sum::<u64>() == un.files;
    let (most, most_zh) = if all {
        ("all of them in", "全部位于")
    } else {
        ("most of them in", "主要位于")
    };
    let evidence = un
        .folders
        .iter()
        .take(EVIDENCE)
        .map(|f| {
            let langs = f
                .languages
                .iter()
                .map(|(l, n)| format!("{l} {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            // Words in neither language: the evidence is shown as it is in both reports.
            format!(
                "{}: {} × ({langs}), {}",
                shown(f),
                f.files,
                super::human_bytes(f.bytes)
            )
        })
        .collect();
    Some(
        Finding::of(
            super::codes::CheckCode::SourceUncovered,
            format!(
                "{} of the {} delivered source files ({pct}) are matched by no requirement of the manifest, {most} {}",
                un.files,
                c.source_files,
                named(&shown, false)
            ),
            format!(
                "交付的 {} 个源代码文件中有 {} 个（{pct}）不匹配清单中的任何要求，{most_zh} {}",
                c.source_files,
                un.files,
                named(&shown_zh, true)
            ),
        )
        .evidence(evidence),
    )
}

/// `part` of `whole` in whole percent, "<1%" for a small non-zero share.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".to_owned();
    }
    let p = (part * 100 + whole / 2) / whole;
    if p == 0 && part > 0 {
        "<1%".to_owned()
    } else {
        format!("{p}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exts() -> Vec<String> {
        crate::filetypes::DEFAULT_SOURCE_EXTENSIONS
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    /// An inventory of files (sorted, as ingest gives it), and the covered ones.
    fn run(files: &[(&str, bool)], vendored: &GlobSet) -> Coverage {
        let mut files = files.to_vec();
        files.sort_unstable();
        let entries: Vec<Entry> = files
            .iter()
            .map(|(p, _)| Entry {
                path: p.as_bytes().into(),
                kind: EntryKind::File,
                mode: 0o100_644,
                size: 100,
                sha256: None,
                link_target: None,
            })
            .collect();
        let exts = exts();
        summarise(
            &entries,
            &|n| files[n].1,
            Rules {
                source_extensions: &exts,
                vendored,
            },
        )
    }

    fn folders(s: &Summary) -> Vec<(&str, bool, u64)> {
        s.folders
            .iter()
            .map(|f| (f.folder.as_str(), f.direct, f.files))
            .collect()
    }

    fn many(prefix: &str, n: usize, ext: &str, covered: bool) -> Vec<(String, bool)> {
        (0..n)
            .map(|i| (format!("{prefix}/F{i}.{ext}"), covered))
            .collect()
    }

    fn borrow(v: &[(String, bool)]) -> Vec<(&str, bool)> {
        v.iter().map(|(p, c)| (p.as_str(), *c)).collect()
    }

    /// The user's case: `his/registration/**` where the vendor wrote `his/his-register/`; the
    /// summary names the folder precisely, not all of `his/`.
    #[test]
    fn a_misnamed_module_inside_a_covered_folder_is_named_precisely() {
        let mut v = many("his/his-register/src/main/java/com/acme", 30, "java", false);
        v.extend(many("his/his-pharmacy/src/main/java", 40, "java", true));
        v.push((
            "his/his-register/src/main/resources/UserMapper.xml".to_owned(),
            false,
        ));
        v.push(("his/his-register/pom.xml".to_owned(), false));
        v.push(("README.md".to_owned(), false));
        let c = run(&borrow(&v), &GlobSet::empty());
        assert_eq!(c.source_files, 71);
        assert_eq!((c.uncovered.files, c.uncovered.bytes), (31, 3100));
        assert_eq!(folders(&c.uncovered), [("his/his-register", false, 31)]);
        let f = &c.uncovered.folders[0];
        assert!(f.whole);
        assert_eq!(
            f.languages,
            [("java".to_owned(), 30), ("xml (mapper)".to_owned(), 1)]
        );
        assert_eq!((c.other_files, c.other_bytes), (2, 200));
        let finding = finding(&c).expect("31 of 71 is more than 20 %");
        assert_eq!(finding.code, "source-uncovered");
        assert!(
            finding.message.contains("31 of the 71") && finding.message.contains("44%"),
            "{}",
            finding.message
        );
        assert!(finding.message.contains("his/his-register/ (31)"));
        assert!(finding.message_zh.contains("his/his-register/（31 个）"));
    }

    /// A whole project left out is listed whole (its `src`, `web` are not split), and a top
    /// folder of several uncovered modules is split into them, with its own files on a line.
    #[test]
    fn projects_are_listed_whole_and_module_folders_split() {
        let mut v = many("internet-hospital/src/main/java", 12, "java", false);
        v.extend(many("internet-hospital/web/src", 6, "vue", false));
        v.extend(many("jingtong/src", 10, "java", true));
        let c = run(&borrow(&v), &GlobSet::empty());
        assert_eq!(folders(&c.uncovered), [("internet-hospital", false, 18)]);

        let mut v = many("his/his-register/src", 12, "java", false);
        v.extend(many("his/his-pharmacy/src", 8, "java", false));
        v.push(("his/build.sh".to_owned(), false));
        v.extend(many("tools", 2, "py", false));
        let c = run(&borrow(&v), &GlobSet::empty());
        assert_eq!(
            folders(&c.uncovered),
            [
                ("his/his-register", false, 12),
                ("his/his-pharmacy", false, 8),
                ("tools", false, 2),
                ("his", true, 1),
            ]
        );
        assert!(c.uncovered.folders[0].whole && !c.uncovered.folders[3].whole);
        // Files at the top are their own line.
        let c = run(&[("a.py", false), ("b/c.py", false)], &GlobSet::empty());
        assert_eq!(folders(&c.uncovered), [(".", true, 1), ("b", false, 1)]);
    }

    /// No folder holds most of the files: the top-level folders, every one, however many.
    #[test]
    fn every_top_level_folder_is_listed() {
        let v: Vec<(String, bool)> = (0..30)
            .map(|i| (format!("m{i:02}/src/A.java"), false))
            .collect();
        let c = run(&borrow(&v), &GlobSet::empty());
        assert_eq!(c.uncovered.folders.len(), 30);
        assert!(
            c.uncovered
                .folders
                .iter()
                .all(|f| f.files == 1 && !f.direct)
        );
    }

    /// Third-party code is summarised apart, down to its third-party folder, and counts
    /// neither as source nor as uncovered source; `vendored` globs count as third-party.
    #[test]
    fn third_party_code_is_summarised_apart() {
        let mut v = many("web/node_modules/lodash", 50, "js", false);
        v.extend(many("web/node_modules/vue/dist", 20, "js", false));
        v.extend(many("web/src", 5, "js", true));
        v.extend(many("lib/acme", 4, "java", false));
        v.push(("web/node_modules/vue/logo.png".to_owned(), false));
        let mut b = globset::GlobSetBuilder::new();
        b.add(globset::Glob::new("lib/**").unwrap());
        let c = run(&borrow(&v), &b.build().unwrap());
        assert_eq!(c.source_files, 5);
        assert_eq!(c.uncovered.files, 0);
        assert!(finding(&c).is_none());
        assert_eq!(
            folders(&c.third_party),
            [("web/node_modules", false, 71), ("lib", false, 4)]
        );
        assert_eq!(c.third_party.folders[0].languages, [("js".to_owned(), 70)]);
        assert_eq!(c.other_files, 0);
    }

    /// The thresholds: more than 20 % and at least 10 files, or a whole folder of 100.
    #[test]
    fn the_finding_needs_a_share_or_a_whole_folder() {
        let case = |uncovered: usize, covered: usize| {
            let mut v = many("extra", uncovered, "java", false);
            v.extend(many("app", covered, "java", true));
            finding(&run(&borrow(&v), &GlobSet::empty()))
        };
        assert!(case(9, 1).is_none(), "fewer than 10 files");
        assert!(case(10, 40).is_none(), "exactly 20 %");
        assert!(case(11, 40).is_some(), "21.6 %");
        assert!(case(99, 900).is_none(), "9.9 %, a folder of 99");
        assert!(case(100, 900).is_some(), "a whole folder of 100");
        // 100 files in a folder whose other files are covered: the share decides.
        let mut v = many("app/main", 100, "kt", false);
        v.extend(many("app/main", 900, "java", true));
        let c = run(&borrow(&v), &GlobSet::empty());
        assert_eq!(folders(&c.uncovered), [("app/main", false, 100)]);
        assert!(!c.uncovered.folders[0].whole);
        assert!(finding(&c).is_none());
    }

    #[test]
    fn percent_rounds_and_never_hides_a_small_share() {
        assert_eq!(percent(19, 40), "48%");
        assert_eq!(percent(1, 1000), "<1%");
        assert_eq!(percent(0, 0), "0%");
    }
}
