//! Names that are different files here but one file, or a renamed file, where the hospital
//! unpacks the delivery: names differing only in letter case (one file on Windows and macOS),
//! one name in two Unicode forms (NFC and NFD: one file on macOS), names ending in a dot or a
//! space (Windows drops them). `name-not-portable`.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;

use super::codes::DeliveryCode;
use super::inventory::Inventory;
use super::names;
use crate::finding::Finding;

/// The most paths one finding's evidence lists; the rest are counted.
const EVIDENCE_MAX: usize = 20;

/// The most groups of colliding names reported one by one; the others share one finding.
const GROUPS_MAX: usize = 100;

/// `name-not-portable` findings for an inventory: one for each group of paths that become one
/// file on Windows or macOS (letter case, Unicode form, trailing dots and spaces), and one
/// for the names Windows renames (a component ending in a dot or a space). A group whose
/// paths differ only in a folder that is itself reported (`Src/` and `src/`) is left out: the
/// folder's finding stands for it. Names that are not UTF-8 (GBK from Chinese Windows) are
/// compared by their bytes only. One pass over the entries, with a hash map.
pub fn name_notes(inventory: &Inventory) -> Vec<Finding> {
    let entries = &inventory.entries;
    // The folded key of each path, and the entries sharing a key.
    let mut first: HashMap<Cow<'_, [u8]>, usize> = HashMap::with_capacity(entries.len());
    let mut groups: Vec<(Cow<'_, [u8]>, Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    // Every path prefix ending in a component Windows renames, each once, in path order.
    let mut renamed: BTreeSet<&[u8]> = BTreeSet::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(end) = renamed_end(&e.path) {
            renamed.insert(&e.path[..end]);
        }
        let key = folded(&e.path);
        match first.get(&key) {
            None => {
                first.insert(key, i);
            }
            Some(&f) => match group_of.get(&f) {
                Some(&g) => groups[g].1.push(i),
                None => {
                    group_of.insert(f, groups.len());
                    groups.push((key, vec![f, i]));
                }
            },
        }
    }
    drop(first);
    let colliding: HashSet<&[u8]> = groups.iter().map(|(k, _)| &**k).collect();
    let mut grouped: HashSet<&[u8]> = HashSet::new();
    let mut reported: Vec<Vec<&[u8]>> = Vec::new();
    for (key, members) in &groups {
        let paths: Vec<&[u8]> = members.iter().map(|&m| &*entries[m].path).collect();
        grouped.extend(paths.iter().copied());
        if !explained_by_folder(key, &paths, &colliding) {
            reported.push(paths);
        }
    }
    reported.sort();
    let mut out: Vec<Finding> = reported.iter().take(GROUPS_MAX).map(|g| twins(g)).collect();
    if reported.len() > GROUPS_MAX {
        out.push(more_twins(&reported[GROUPS_MAX..]));
    }
    renamed.retain(|p| !grouped.contains(p));
    if !renamed.is_empty() {
        out.push(windows_renames(&renamed));
    }
    out
}

/// The end of the first component of `path` that ends in a dot or a space (the prefix Windows
/// renames), if any.
fn renamed_end(path: &[u8]) -> Option<usize> {
    let mut start = 0;
    for c in path.split(|&b| b == b'/') {
        let end = start + c.len();
        if names::ends_in_dot_or_space(c) {
            return Some(end);
        }
        start = end + 1;
    }
    None
}

/// A path as Windows and macOS compare names: each component without its trailing dots and
/// spaces, lower case (Unicode-aware) and in Unicode form NFC. A component that is not UTF-8
/// is kept as its bytes (lower-casing GBK bytes would change other characters).
fn folded(path: &[u8]) -> Cow<'_, [u8]> {
    let plain = path
        .iter()
        .all(|&b| b.is_ascii() && !b.is_ascii_uppercase())
        && !path.split(|&b| b == b'/').any(names::ends_in_dot_or_space);
    if plain {
        return Cow::Borrowed(path);
    }
    let mut out = Vec::with_capacity(path.len());
    for (i, c) in path.split(|&b| b == b'/').enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        let c = names::windows_trimmed(c);
        match std::str::from_utf8(c) {
            Ok(s) if s.is_ascii() => out.extend(c.iter().map(u8::to_ascii_lowercase)),
            Ok(s) => {
                let mut buf = [0u8; 4];
                for ch in s.nfd().flat_map(char::to_lowercase).nfc() {
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
            }
            Err(_) => out.extend_from_slice(c),
        }
    }
    Cow::Owned(out)
}

/// Whether a group of colliding paths only repeats a collision of their folder (`Src/a.java`
/// and `src/a.java` when `Src` and `src` are reported): their folded folder collides too, and
/// no two of them share the same folder.
fn explained_by_folder(key: &[u8], paths: &[&[u8]], colliding: &HashSet<&[u8]>) -> bool {
    let Some(slash) = key.iter().rposition(|&b| b == b'/') else {
        return false;
    };
    if !colliding.contains(&key[..slash]) {
        return false;
    }
    let mut folders = HashSet::new();
    paths.iter().all(|p| {
        let folder = p
            .iter()
            .rposition(|&b| b == b'/')
            .map_or(&p[..0], |i| &p[..i]);
        folders.insert(folder)
    })
}

/// What makes the paths of a group one file: the reasons, in English and in Chinese.
fn reasons(paths: &[&[u8]]) -> (String, String) {
    let distinct =
        |f: &dyn Fn(&[u8]) -> Vec<u8>| paths.iter().map(|p| f(p)).collect::<HashSet<_>>().len();
    let trimmed = |p: &[u8]| names::windows_path(p).into_owned();
    let nfc = |p: &[u8]| match std::str::from_utf8(p) {
        Ok(s) => s.nfc().collect::<String>().into_bytes(),
        Err(_) => p.to_vec(),
    };
    let trailing = distinct(&trimmed) < paths.len();
    let form = distinct(&nfc) < paths.len() || distinct(&|p| nfc(&trimmed(p))) < distinct(&trimmed);
    let case = distinct(&|p| nfc(&trimmed(p))) > 1;
    let mut en = Vec::new();
    let mut zh = Vec::new();
    if case {
        en.push("letter case");
        zh.push("大小写");
    }
    if form {
        en.push("Unicode form (NFC/NFD)");
        zh.push("Unicode 形式（NFC/NFD）");
    }
    if trailing {
        en.push("a trailing dot or space");
        zh.push("末尾的点或空格");
    }
    (en.join(", "), zh.join("、"))
}

/// A path as evidence: quoted, so that a trailing space shows and a combining accent (NFD)
/// is written out (`"src/Cafe\u{301}.java"`); with the name Windows gives it when it ends in
/// a dot or a space.
fn quoted(path: &[u8]) -> String {
    let windows = names::windows_path(path);
    if *windows == *path {
        format!("{:?}", names::short(path))
    } else {
        format!(
            "{:?} (Windows: {:?})",
            names::short(path),
            names::short(&windows)
        )
    }
}

/// Up to `EVIDENCE_MAX` paths, quoted, and a line counting the others.
fn listed(paths: &[&[u8]]) -> Vec<String> {
    let mut ev: Vec<String> = paths.iter().take(EVIDENCE_MAX).map(|p| quoted(p)).collect();
    if paths.len() > EVIDENCE_MAX {
        ev.push(format!("… and {} more", paths.len() - EVIDENCE_MAX));
    }
    ev
}

/// The finding for one group of paths that become one file.
fn twins(paths: &[&[u8]]) -> Finding {
    let (why_en, why_zh) = reasons(paths);
    let n = paths.len();
    let shown: Vec<String> = paths.iter().take(3).map(|p| names::short(p)).collect();
    let (shown_en, shown_zh) = (shown.join(", "), shown.join("、"));
    let more = if n > 3 { "…" } else { "" };
    // A trailing dot or space merges names on Windows only; letter case and Unicode form on
    // macOS too.
    let (where_en, where_zh) = if why_en.contains("case") || why_en.contains("Unicode") {
        ("on Windows and macOS", "在 Windows 和 macOS 上")
    } else {
        ("on Windows", "在 Windows 上")
    };
    Finding::of(
        DeliveryCode::NameNotPortable,
        format!(
            "{n} paths differ only in {why_en} ({shown_en}{more}): {where_en} they are one file, so unpacking there keeps only one of them and the other's content is lost; each was checked here"
        ),
        format!(
            "{n} 个路径仅在{why_zh}上不同（{shown_zh}{more}）：{where_zh}它们是同一个文件，解压时只会保留其中一个，另一个的内容会丢失；此处已分别检查"
        ),
    )
    .path(names::short(paths[0]))
    .covers(paths.iter().map(|p| names::display(p)).collect())
    .evidence(listed(paths))
}

/// One finding for the groups past `GROUPS_MAX`.
fn more_twins(rest: &[Vec<&[u8]>]) -> Finding {
    let all: Vec<&[u8]> = rest.iter().flatten().copied().collect();
    let n = rest.len();
    Finding::of(
        DeliveryCode::NameNotPortable,
        format!(
            "{n} more groups of paths differ only in letter case, Unicode form or a trailing dot or space: on Windows (and, for letter case and Unicode form, on macOS) each group is one file"
        ),
        format!(
            "另有 {n} 组路径仅在大小写、Unicode 形式或末尾的点或空格上不同：在 Windows 上（大小写和 Unicode 形式的差异在 macOS 上也一样）每组是同一个文件"
        ),
    )
    .path(names::short(all[0]))
    .covers(all.iter().map(|p| names::display(p)).collect())
    .evidence(listed(&all))
}

/// The finding for the names Windows renames (a component ending in a dot or a space).
fn windows_renames(paths: &BTreeSet<&[u8]>) -> Finding {
    let paths: Vec<&[u8]> = paths.iter().copied().collect();
    let n = paths.len();
    let first = names::short(paths[0]);
    let becomes = names::short(&names::windows_path(paths[0]));
    let ends = match first.chars().last() {
        Some(' ') => ("a space", "空格"),
        _ => ("a dot", "点"),
    };
    let (what_en, what_zh) = if n == 1 {
        (
            format!("the name {first:?} ends in {}", ends.0),
            format!("名称 {first:?} 末尾有一个{}", ends.1),
        )
    } else {
        (
            format!("{n} names end in a dot or a space (first: {first:?})"),
            format!("{n} 个名称以点或空格结尾（第一个：{first:?}）"),
        )
    };
    Finding::of(
        DeliveryCode::NameNotPortable,
        format!(
            "{what_en}, which Windows tools drop or replace: unpacked on Windows, {first:?} becomes {becomes:?} (or fails); ask the vendor to rename it"
        ),
        format!(
            "{what_zh}，Windows 解压工具会去掉或替换它：在 Windows 上解压时 {first:?} 会变成 {becomes:?}（或解压失败）；请要求供应商改名"
        ),
    )
    .path(first)
    .covers(paths.iter().map(|p| names::display(p)).collect())
    .evidence(listed(&paths))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::inventory::{Entry, EntryKind};

    fn inventory(paths: &[&[u8]]) -> Inventory {
        let mut entries: Vec<Entry> = paths
            .iter()
            .map(|p| Entry {
                path: (*p).into(),
                kind: if p.ends_with(b"/") {
                    EntryKind::Dir
                } else {
                    EntryKind::File
                },
                mode: 0o644,
                size: 0,
                sha256: None,
                link_target: None,
            })
            .map(|mut e| {
                if e.path.ends_with(b"/") {
                    e.path = e.path[..e.path.len() - 1].into();
                }
                e
            })
            .collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Inventory { entries }
    }

    fn covers(f: &[Finding]) -> Vec<Vec<String>> {
        f.iter().map(|f| f.covers.clone()).collect()
    }

    #[test]
    fn case_twins_in_one_folder() {
        let inv = inventory(&[b"src/", b"src/Login.java", b"src/LOGIN.java", b"src/a.java"]);
        let f = name_notes(&inv);
        assert_eq!(covers(&f), [["src/LOGIN.java", "src/Login.java"]]);
        assert!(f[0].message.contains("letter case"), "{}", f[0].message);
        assert_eq!(f[0].code, "name-not-portable");
    }

    #[test]
    fn unicode_case_and_forms() {
        let nfc = "src/Caf\u{e9}.java";
        let nfd = "src/Cafe\u{301}.java";
        let upper = "src/CAF\u{c9}.java";
        let inv = inventory(&[nfc.as_bytes(), nfd.as_bytes()]);
        let f = name_notes(&inv);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("Unicode form"), "{}", f[0].message);
        assert!(!f[0].message.contains("letter case"), "{}", f[0].message);
        // The evidence shows the two forms apart.
        assert_eq!(
            f[0].evidence,
            ["\"src/Cafe\\u{301}.java\"", "\"src/Caf\u{e9}.java\""]
        );
        let inv = inventory(&[nfc.as_bytes(), upper.as_bytes()]);
        let f = name_notes(&inv);
        assert!(f[0].message.contains("letter case"), "{}", f[0].message);
        // Greek and Cyrillic capitals fold too.
        let inv = inventory(&[
            "Σ.txt".as_bytes(),
            "σ.txt".as_bytes(),
            "Д".as_bytes(),
            "д".as_bytes(),
        ]);
        assert_eq!(name_notes(&inv).len(), 2);
    }

    #[test]
    fn folder_twins_are_one_finding() {
        let inv = inventory(&[
            b"Src/",
            b"Src/a.java",
            b"Src/b/",
            b"Src/b/c.java",
            b"src/",
            b"src/a.java",
            b"src/b/",
            b"src/b/c.java",
        ]);
        let f = name_notes(&inv);
        assert_eq!(covers(&f), [["Src", "src"]]);
        // Twins inside one of the folders are still their own finding.
        let inv = inventory(&[
            b"Src/",
            b"Src/a.java",
            b"src/",
            b"src/a.java",
            b"src/A.java",
        ]);
        assert_eq!(name_notes(&inv).len(), 2);
    }

    #[test]
    fn trailing_dots_and_spaces() {
        let inv = inventory(&[
            b"conf. /",
            b"conf. /x.properties",
            b"src/Login.java.",
            b"ok.d/a",
        ]);
        let f = name_notes(&inv);
        assert_eq!(covers(&f), [["conf. ", "src/Login.java."]]);
        assert!(f[0].message.contains("\"conf\""), "{}", f[0].message);
        assert_eq!(f[0].evidence[0], "\"conf. \" (Windows: \"conf\")");
        // Beside the name Windows gives it: one group.
        let inv = inventory(&[b"src/Login.java", b"src/Login.java "]);
        let f = name_notes(&inv);
        assert_eq!(covers(&f), [["src/Login.java", "src/Login.java "]]);
        assert!(f[0].message.contains("trailing dot"), "{}", f[0].message);
    }

    #[test]
    fn non_utf8_names_compare_by_bytes() {
        // GBK bytes whose second byte is an ASCII capital: lower-casing it would make a twin.
        let a: &[u8] = b"doc/\xb0A.txt";
        let b: &[u8] = b"doc/\xb0a.txt";
        assert!(name_notes(&inventory(&[a, b])).is_empty());
        let c: &[u8] = b"doc/\xb0A.txt.";
        assert_eq!(name_notes(&inventory(&[a, c])).len(), 1);
    }

    #[test]
    fn ordinary_trees_give_nothing() {
        let inv = inventory(&[
            b"a/Makefile",
            b"b/makefile",
            b"lib/jquery.min.js",
            b"v1.2.3/readme.md",
            b".gitignore",
            "文档/部署.md".as_bytes(),
        ]);
        assert!(name_notes(&inv).is_empty());
    }

    #[test]
    fn many_groups_are_bounded() {
        let names: Vec<Vec<u8>> = (0..300)
            .flat_map(|i| [format!("f{i}.java"), format!("F{i}.java")])
            .map(String::into_bytes)
            .collect();
        let refs: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
        let f = name_notes(&inventory(&refs));
        assert_eq!(f.len(), GROUPS_MAX + 1);
        let last = f.last().unwrap();
        assert_eq!(last.covers.len(), 400);
        assert_eq!(last.evidence.len(), EVIDENCE_MAX + 1);
        assert!(
            last.message.starts_with("200 more groups"),
            "{}",
            last.message
        );
    }
}
