//! From declared modules to the delivery's modules: which are kept, which globs select each
//! one's files, the source files no build file declares grouped by top-level folder, ids.
//!
//! The rules, in order:
//! 1. Modules declared for the same folder are one module (the first reader's build system:
//!    Maven, Gradle, Visual Studio, Go, Python, npm), with every name. A guessed module (a
//!    Python package folder without a setup file) is dropped when a build file declares its
//!    folder or a folder above it.
//! 2. A declared module is kept when it holds source files of its own: files under its folder,
//!    not under a module nested in it, not outside ([`super::outside`]), not build files or
//!    build wrappers (`mvnw`, `gradlew.bat`, …), and for an aggregator not directly in its
//!    folder. A Maven pom with packaging `pom` builds no code: never a module itself.
//! 3. Nesting: a kept module inside another kept module's folder (a front-end `package.json`
//!    inside a Maven module, a Maven build inside a Gradle project) stays a module of its own
//!    when the outer module's files can be selected without it: the outer module's globs then
//!    name its files directly in its folders on the way down (`web/*`) and its other
//!    subfolders (`web/src/**`), never the nested folder. When that needs more than
//!    [`MAX_GLOBS`] globs, the nested modules become part of the outer one (`web/**`), their
//!    names kept for matching.
//! 4. Source files under no kept module, other than database scripts (`.sql`, listed apart by
//!    the drafter), build files, and files directly in a build file's folder, are grouped by
//!    their first folder below the delivery's common folder (the root itself for files right
//!    there): each group is a [`BuildSystem::Folder`] module, its globs naming the folders
//!    that hold those files.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{Declared, child, file_name, outside, parent};
use crate::draft::{BuildSystem, DetectedModule, FileInfo};

/// At most this many globs select a module's files around the modules nested in it.
pub const MAX_GLOBS: usize = 12;

/// Build wrapper scripts: source by extension, not a module's code.
const WRAPPERS: &[&str] = &["mvnw", "mvnw.cmd", "gradlew", "gradlew.bat"];

/// A source file: its path and language (extension, lower case, or `xml (mapper)`).
pub(super) struct Source<'a> {
    /// Relative to the delivery root.
    pub path: &'a str,
    /// Language.
    pub ext: String,
    /// Code of a module rather than a build file or a build wrapper script.
    pub real: bool,
}

impl<'a> Source<'a> {
    /// The source file at `path` (`build`: a build file [`reads`] names).
    pub fn new(path: &'a str, ext: String, build: bool) -> Self {
        let name = file_name(path);
        let wrapper = WRAPPERS.iter().any(|w| name.eq_ignore_ascii_case(w));
        Source {
            path,
            ext,
            real: !build && !wrapper,
        }
    }
}

/// For each of `paths` (sorted by path), the index in `roots` of the deepest of these folders
/// holding it: one merge of the two sorted lists, keeping the folders that hold the current
/// path on a stack (a folder that does not hold a path holds no later path either).
fn owners<'p>(roots: &[&str], paths: impl Iterator<Item = &'p str>) -> Vec<Option<usize>> {
    let mut order: Vec<(String, usize)> = roots
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let prefix = if r.is_empty() {
                String::new()
            } else {
                format!("{r}/")
            };
            (prefix, i)
        })
        .collect();
    order.sort();
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for p in paths {
        while next < order.len() && order[next].0.as_str() <= p {
            while stack
                .last()
                .is_some_and(|t| !order[next].0.starts_with(order[*t].0.as_str()))
            {
                stack.pop();
            }
            stack.push(next);
            next += 1;
        }
        while stack
            .last()
            .is_some_and(|t| !p.starts_with(order[*t].0.as_str()))
        {
            stack.pop();
        }
        out.push(stack.last().map(|t| order[*t].1));
    }
    out
}

/// Source files by language.
#[derive(Debug, Clone, Default)]
struct Counts {
    by_ext: BTreeMap<String, u64>,
    /// Those that make the module hold code (see rule 2).
    real: u64,
}

impl Counts {
    fn add(&mut self, ext: &str, real: bool) {
        *self.by_ext.entry(ext.to_owned()).or_default() += 1;
        self.real += u64::from(real);
    }

    fn total(&self) -> u64 {
        self.by_ext.values().sum()
    }

    fn languages(&self) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = self.by_ext.iter().map(|(e, n)| (e.clone(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

/// The deepest folder of `index` holding `path` (a file), if any.
fn deepest<T: Copy>(index: &HashMap<&str, T>, path: &str) -> Option<T> {
    let mut dir = parent(path);
    loop {
        if let Some(i) = index.get(dir) {
            return Some(*i);
        }
        if dir.is_empty() {
            return None;
        }
        dir = parent(dir);
    }
}

/// Whether `dir` or a folder above it is in `set`.
fn covered(set: &HashSet<String>, dir: &str) -> bool {
    let mut d = dir;
    loop {
        if set.contains(d) {
            return true;
        }
        if d.is_empty() {
            return false;
        }
        d = parent(d);
    }
}

/// Rule 1.
fn merge(mut declared: Vec<Declared>) -> Vec<Declared> {
    let strong: HashSet<String> = declared
        .iter()
        .filter(|d| !d.weak)
        .map(|d| d.root.clone())
        .collect();
    declared.retain(|d| !d.weak || !covered(&strong, &d.root));
    let mut by_root: BTreeMap<String, Declared> = BTreeMap::new();
    for d in declared {
        match by_root.get_mut(&d.root) {
            None => {
                by_root.insert(d.root.clone(), d);
            }
            Some(m) => {
                for n in &d.names {
                    m.name(n);
                }
                m.found.push_str("; ");
                m.found.push_str(&d.found);
                m.aggregator &= d.aggregator;
                m.no_code &= d.no_code;
            }
        }
    }
    by_root.into_values().collect()
}

/// The files of `list` under folder `root` (all of them for `""`).
fn under<'a>(list: &'a [FileInfo], root: &str) -> &'a [FileInfo] {
    if root.is_empty() {
        return list;
    }
    let prefix = format!("{root}/");
    let start = list.partition_point(|f| f.path.as_str() < prefix.as_str());
    let len = list[start..].partition_point(|f| f.path.starts_with(&prefix));
    &list[start..start + len]
}

/// The glob selecting everything under `root`.
fn all_of(root: &str) -> String {
    if root.is_empty() {
        "**".to_owned()
    } else {
        format!("{}/**", super::super::found::escape(root))
    }
}

/// Globs around holes (rule 3): for files under `root`, the glob naming each one's place, or
/// `None` for a file under a hole.
struct Carver<'a> {
    root: &'a str,
    holes: HashSet<&'a str>,
    /// Folders under `root` (and `root` itself) holding a hole.
    on_the_way: HashSet<&'a str>,
}

impl<'a> Carver<'a> {
    fn new(root: &'a str, holes: &[&'a str]) -> Self {
        let mut on_the_way = HashSet::new();
        for h in holes {
            let mut d = parent(h);
            while d.len() > root.len() {
                on_the_way.insert(d);
                d = parent(d);
            }
            on_the_way.insert(root);
        }
        Carver {
            root,
            holes: holes.iter().copied().collect(),
            on_the_way,
        }
    }

    fn glob(&self, path: &str) -> Option<String> {
        let start = if self.root.is_empty() {
            0
        } else {
            self.root.len() + 1
        };
        let mut dir = self.root;
        for (i, _) in path[start..].match_indices('/') {
            let sub = &path[..start + i];
            if self.holes.contains(sub) {
                return None;
            }
            if !self.on_the_way.contains(sub) {
                return Some(format!("{}/**", super::super::found::escape(sub)));
            }
            dir = sub;
        }
        Some(if dir.is_empty() {
            "*".to_owned()
        } else {
            format!("{}/*", super::super::found::escape(dir))
        })
    }
}

/// One module of the result, before ids are given.
struct Kept {
    declared: Declared,
    paths: Vec<String>,
    /// Source files under `paths`.
    counts: Counts,
    /// Taken in by a folder module around it.
    absorbed: bool,
}

impl Kept {
    /// Takes in the modules `nested` in its folder: their names and source files.
    fn absorb(&mut self, nested: Vec<&mut Kept>) {
        let n = nested.len();
        for k in nested {
            k.absorbed = true;
            for name in &k.declared.names {
                self.declared.name(name);
            }
            self.declared.name(file_name(&k.declared.root));
            for (ext, c) in &k.counts.by_ext {
                *self.counts.by_ext.entry(ext.clone()).or_default() += c;
            }
        }
        self.declared.found.push_str(&format!(
            "; including {n} module(s) declared in folders inside it"
        ));
    }
}

/// Rules 2 and 3: the kept declared modules with their globs.
fn keep(declared: Vec<Declared>, sources: &[Source], list: &[FileInfo]) -> Vec<Kept> {
    let roots: Vec<&str> = declared.iter().map(|d| d.root.as_str()).collect();
    let mut own = vec![0u64; declared.len()];
    for (s, owner) in sources
        .iter()
        .zip(owners(&roots, sources.iter().map(|s| s.path)))
    {
        if let Some(i) = owner {
            let d = &declared[i];
            let script = d.aggregator && parent(s.path) == d.root;
            own[i] += u64::from(s.real && !script && !d.no_code);
        }
    }
    let kept: Vec<usize> = (0..declared.len()).filter(|i| own[*i] > 0).collect();
    let kept_index: HashMap<&str, usize> = kept
        .iter()
        .map(|i| (declared[*i].root.as_str(), *i))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); declared.len()];
    for &i in &kept {
        let root = declared[i].root.as_str();
        if !root.is_empty()
            && let Some(p) = deepest(&kept_index, root)
        {
            children[p].push(i);
        }
    }
    let mut order = kept.clone();
    order.sort_by_key(|i| std::cmp::Reverse(depth(&declared[*i].root)));
    let mut alive = vec![false; declared.len()];
    for &i in &kept {
        alive[i] = true;
    }
    let mut paths: Vec<Vec<String>> = vec![Vec::new(); declared.len()];
    let mut absorbed: Vec<Vec<usize>> = vec![Vec::new(); declared.len()];
    for &i in &order {
        let root = declared[i].root.as_str();
        let holes: Vec<&str> = children[i]
            .iter()
            .map(|c| declared[*c].root.as_str())
            .collect();
        paths[i] = if holes.is_empty() {
            vec![all_of(root)]
        } else {
            let carver = Carver::new(root, &holes);
            let globs: BTreeSet<String> = under(list, root)
                .iter()
                .filter(|f| !outside(&f.path))
                .filter_map(|f| carver.glob(&f.path))
                .collect();
            if globs.len() <= MAX_GLOBS {
                globs.into_iter().collect()
            } else {
                let mut stack = children[i].clone();
                while let Some(c) = stack.pop() {
                    alive[c] = false;
                    absorbed[i].push(c);
                    stack.extend(children[c].iter().copied());
                }
                vec![all_of(root)]
            }
        };
    }
    let mut out = Vec::new();
    let mut declared: Vec<Option<Declared>> = declared.into_iter().map(Some).collect();
    for &i in &kept {
        if !alive[i] {
            continue;
        }
        let mut d = declared[i].take().expect("each module once");
        let mut nested = absorbed[i].clone();
        nested.sort_unstable();
        for c in &nested {
            if let Some(n) = &declared[*c] {
                for name in n.names.clone() {
                    d.name(&name);
                }
                let folder = file_name(&n.root).to_owned();
                d.name(&folder);
            }
        }
        if !nested.is_empty() {
            d.found.push_str(&format!(
                "; including {} module(s) declared in folders inside it",
                nested.len()
            ));
        }
        out.push(Kept {
            declared: d,
            paths: std::mem::take(&mut paths[i]),
            counts: Counts::default(),
            absorbed: false,
        });
    }
    out
}

/// Whether folder `dir` lies strictly inside folder `root` (`""`: the delivery root).
fn inside(dir: &str, root: &str) -> bool {
    dir.len() > root.len()
        && dir.starts_with(root)
        && (root.is_empty() || dir[root.len()..].starts_with('/'))
}

/// Folders from the root to `dir` (0 for the root).
fn depth(dir: &str) -> usize {
    if dir.is_empty() {
        0
    } else {
        dir.matches('/').count() + 1
    }
}

/// Rule 4: the source files under no kept module (`leftover`) by group (a folder below the common folder `base`, or
/// `base` itself for the files right in it).
fn groups<'s, 'a>(
    leftover: &[&'s Source<'a>],
    base: &str,
) -> BTreeMap<String, Vec<&'s Source<'a>>> {
    let mut groups: BTreeMap<String, Vec<&Source>> = BTreeMap::new();
    for s in leftover {
        let rest = if base.is_empty() {
            Some(s.path)
        } else {
            s.path.strip_prefix(base).and_then(|r| r.strip_prefix('/'))
        };
        let key = match rest.map(|r| r.split_once('/')) {
            Some(Some((top, _))) => child(base, top),
            Some(None) => base.to_owned(),
            // Not under the common folder: only when the list was not sorted.
            None => s.path.split('/').next().unwrap_or_default().to_owned(),
        };
        groups.entry(key).or_default().push(s);
    }
    groups
}

/// Rule 4: the groups of leftover source files, as folder modules. `declared_roots`: the
/// folders build files declare, with the names they give them. A group whose files
/// cannot be told apart from the modules inside its folder in [`MAX_GLOBS`] globs takes them
/// in (they are marked `absorbed`).
fn folders(
    kept: &mut [Kept],
    declared_roots: &HashMap<String, Vec<String>>,
    leftover: &[&Source],
    base: &str,
) -> Vec<Kept> {
    let mut out = Vec::new();
    for (root, files) in groups(leftover, base) {
        let holes: Vec<usize> = (0..kept.len())
            .filter(|i| inside(&kept[*i].declared.root, &root))
            .collect();
        let hole_roots: Vec<&str> = holes
            .iter()
            .map(|i| kept[*i].declared.root.as_str())
            .collect();
        let carver = Carver::new(&root, &hole_roots);
        let globs: BTreeSet<String> = files
            .iter()
            .filter(|s| s.real && s.ext != "sql" && !declared_roots.contains_key(parent(s.path)))
            .filter_map(|s| carver.glob(s.path))
            .collect();
        if globs.is_empty() {
            continue;
        }
        let whole = root != base && (holes.is_empty() || globs.len() > MAX_GLOBS);
        let mut counts = Counts::default();
        for s in &files {
            if whole || carver.glob(s.path).is_some_and(|g| globs.contains(&g)) {
                counts.add(&s.ext, true);
            }
        }
        let place = if root.is_empty() {
            "at the root".to_owned()
        } else {
            format!("{root}/")
        };
        let mut d = Declared::new(
            &root,
            BuildSystem::Folder,
            format!("folder {place} holds source files that no build file declares"),
        );
        file_name(&root).clone_into(&mut d.id_hint);
        // A folder a build file declares with no code of its own (a Maven reactor): its
        // names still help match the contract.
        for n in declared_roots.get(&root).into_iter().flatten() {
            d.name(n);
        }
        let mut group = Kept {
            declared: d,
            paths: if whole {
                vec![all_of(&root)]
            } else {
                globs.into_iter().collect()
            },
            counts,
            absorbed: false,
        };
        if whole && !holes.is_empty() {
            let nested: Vec<&mut Kept> = kept
                .iter_mut()
                .enumerate()
                .filter(|(i, _)| holes.contains(i))
                .map(|(_, k)| k)
                .collect();
            group.absorb(nested);
        }
        out.push(group);
    }
    out
}

/// A manifest id from a name: lower-case ASCII letters and digits, Chinese characters in
/// pinyin (without tones), anything else a `-` between words; `None` when nothing is left.
pub(crate) fn slug(name: &str) -> Option<String> {
    use pinyin::ToPinyin;
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
            continue;
        }
        if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if let Some(p) = c.to_pinyin() {
            words.push(p.plain().to_owned());
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    (!words.is_empty()).then(|| words.join("-"))
}

/// Every module of the delivery: see the module's docs.
pub(super) fn settle(
    declared: Vec<Declared>,
    sources: &[Source],
    list: &[FileInfo],
    base: &str,
) -> Vec<DetectedModule> {
    let declared = merge(declared);
    let declared_roots: HashMap<String, Vec<String>> = declared
        .iter()
        .map(|d| (d.root.clone(), d.names.clone()))
        .collect();
    let mut kept = keep(declared, sources, list);
    let roots: Vec<&str> = kept.iter().map(|k| k.declared.root.as_str()).collect();
    let owner = owners(&roots, sources.iter().map(|s| s.path));
    for (s, o) in sources.iter().zip(&owner) {
        if let Some(i) = o {
            kept[*i].counts.add(&s.ext, true);
        }
    }
    let leftover: Vec<&Source> = sources
        .iter()
        .zip(&owner)
        .filter(|(_, o)| o.is_none())
        .map(|(s, _)| s)
        .collect();
    let fallback = folders(&mut kept, &declared_roots, &leftover, base);
    let mut all: Vec<Kept> = kept.into_iter().filter(|k| !k.absorbed).collect();
    all.extend(fallback);
    all.sort_by(|a, b| a.declared.root.cmp(&b.declared.root));
    let mut ids: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (n, k) in all.into_iter().enumerate() {
        let c = k.counts;
        let mut d = k.declared;
        let folder = file_name(&d.root).to_owned();
        d.name(&folder);
        let stem = slug(&d.id_hint)
            .or_else(|| slug(&folder))
            .or_else(|| d.root.is_empty().then(|| "root".to_owned()))
            .unwrap_or_else(|| format!("module-{}", n + 1));
        let mut id = stem.clone();
        let mut i = 2;
        while !ids.insert(id.clone()) {
            id = format!("{stem}-{i}");
            i += 1;
        }
        let name = d.names.first().cloned().unwrap_or_else(|| id.clone());
        out.push(DetectedModule {
            id,
            name,
            root: d.root,
            paths: k.paths,
            build_system: d.system,
            found: d.found,
            source_files: c.total(),
            languages: c.languages(),
            names: d.names,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_the_deepest_folders_holding_each_path() {
        let roots = ["a/b", "", "a-b", "a", "c"];
        let mut paths = vec![
            "a-b/x", "a/b/c/y", "a/bc/y", "a/x", "a/z", "a.txt", "ab/x", "c", "c/d", "z",
        ];
        paths.sort_unstable();
        let got: Vec<(&str, Option<&str>)> = paths
            .iter()
            .copied()
            .zip(owners(&roots, paths.iter().copied()))
            .map(|(p, o)| (p, o.map(|i| roots[i])))
            .collect();
        assert_eq!(
            got,
            [
                ("a-b/x", Some("a-b")),
                ("a.txt", Some("")),
                ("a/b/c/y", Some("a/b")),
                ("a/bc/y", Some("a")),
                ("a/x", Some("a")),
                ("a/z", Some("a")),
                ("ab/x", Some("")),
                ("c", Some("")),
                ("c/d", Some("c")),
                ("z", Some("")),
            ]
        );
        assert_eq!(owners(&["a"], ["b/x"].into_iter()), [None]);
    }

    #[test]
    fn ids_from_names() {
        assert_eq!(slug("挂号管理").as_deref(), Some("gua-hao-guan-li"));
        assert_eq!(slug("@his/UI_Kit").as_deref(), Some("his-ui-kit"));
        assert_eq!(slug("HIS门诊v2").as_deref(), Some("his-men-zhen-v2"));
        assert_eq!(slug("★ ☆"), None);
    }
}
