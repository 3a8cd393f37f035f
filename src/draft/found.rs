//! What the drafter finds by file name: companion documents, database scripts and dependency
//! files, each with globs tested against the delivery's file list.

use std::collections::{BTreeMap, BTreeSet};

use globset::{GlobBuilder, GlobMatcher};

use super::{FileInfo, Files};

/// File extensions (lower case) of documents: what a `[[document]]` glob may match.
pub const DOCUMENT_EXTENSIONS: &[&str] = &[
    "docx", "doc", "pdf", "md", "txt", "xlsx", "xls", "pptx", "ppt", "wps", "html", "htm", "rtf",
];

/// File extensions (lower case) of database scripts whose `CREATE TABLE` statements the
/// `[[database]]` check counts.
pub const DATABASE_EXTENSIONS: &[&str] = &["sql", "ddl"];

/// A kind of companion document a contract usually requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocKind {
    /// The manifest id (as in `manifests/chaoyang-his.toml`).
    pub id: &'static str,
    /// Its Chinese name, the manifest's `name`.
    pub name: &'static str,
    /// Its English name, for comments.
    pub name_en: &'static str,
    /// Lower-case words of a file name that mark this kind, in Chinese and English.
    pub keywords: &'static [&'static str],
    /// Globs suggested when none was found (a commented-out entry).
    pub suggested: &'static [&'static str],
}

/// The kinds, in the order a manifest lists them.
pub const DOC_KINDS: &[DocKind] = &[
    DocKind {
        id: "build-guide",
        name: "编译环境说明",
        name_en: "build guide",
        keywords: &["编译", "构建", "build"],
        suggested: &["**/*编译*", "**/*构建*", "**/*build*"],
    },
    DocKind {
        id: "deployment-manual",
        name: "部署手册",
        name_en: "deployment manual",
        keywords: &["部署", "安装", "deploy", "install"],
        suggested: &["**/*部署*", "**/*安装*", "**/*deploy*", "**/*install*"],
    },
    DocKind {
        id: "interface-spec",
        name: "接口说明文档",
        name_en: "interface document",
        keywords: &["接口", "api"],
        suggested: &["**/*接口*", "**/*api*"],
    },
    DocKind {
        id: "database-design",
        name: "数据库设计说明",
        name_en: "database design",
        keywords: &[
            "数据库设计",
            "数据字典",
            "database design",
            "database-design",
            "database_design",
            "databasedesign",
            "data dictionary",
            "data-dictionary",
            "data_dictionary",
            "datadictionary",
        ],
        suggested: &["**/*数据库设计*", "**/*数据字典*", "**/*database*design*"],
    },
    DocKind {
        id: "dependency-list",
        name: "依赖库清单",
        name_en: "dependency list",
        keywords: &["依赖", "dependenc"],
        suggested: &["**/*依赖*", "**/*dependenc*"],
    },
    DocKind {
        id: "code-structure",
        name: "代码结构与核心逻辑说明",
        name_en: "code structure",
        keywords: &["代码结构", "架构", "设计", "architecture", "design"],
        suggested: &["**/*代码结构*", "**/*架构*", "**/*architecture*"],
    },
    DocKind {
        id: "user-manual",
        name: "用户手册",
        name_en: "user manual",
        keywords: &[
            "用户手册",
            "操作手册",
            "使用说明",
            "user manual",
            "user-manual",
            "user_manual",
            "usermanual",
        ],
        suggested: &[
            "**/*用户手册*",
            "**/*操作手册*",
            "**/*使用说明*",
            "**/*user*manual*",
        ],
    },
    DocKind {
        id: "change-notes",
        name: "修改说明",
        name_en: "change notes",
        keywords: &[
            "修改说明",
            "变更",
            "更新说明",
            "changelog",
            "change",
            "release notes",
            "release-notes",
            "release_notes",
            "releasenotes",
        ],
        suggested: &["**/*修改说明*", "**/*变更*", "**/*更新说明*", "**/*change*"],
    },
    DocKind {
        id: "maintenance-manual",
        name: "运维手册",
        name_en: "maintenance manual",
        keywords: &["运维", "maintenance"],
        suggested: &["**/*运维*", "**/*maintenance*"],
    },
];

/// The order kinds are tried on a file name: the specific before the general ("数据库设计说明"
/// is a database design, not a code structure; "依赖库构建" a dependency list).
const MATCH_ORDER: &[&str] = &[
    "database-design",
    "dependency-list",
    "user-manual",
    "build-guide",
    "deployment-manual",
    "interface-spec",
    "change-notes",
    "maintenance-manual",
    "code-structure",
];

/// A kind of document found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDocument {
    /// Which kind.
    pub kind: DocKind,
    /// The files found, in path order.
    pub files: Vec<String>,
    /// The size of the largest, in bytes.
    pub largest: u64,
    /// The globs for the manifest, each tested to match only document files.
    pub globs: Vec<String>,
    /// Every file found is below the smallest real document of its format
    /// ([`crate::checks::default_min_bytes`]): a placeholder the check will report, marked for
    /// review in the draft rather than hidden by a lower `min-bytes`.
    pub placeholder: bool,
}

/// Database scripts of one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundScripts {
    /// The folder, relative to the root (empty for the root).
    pub folder: String,
    /// The scripts, in path order.
    pub files: Vec<String>,
    /// `CREATE TABLE` statements counted across them, as the `[[database]]` check counts.
    pub tables: u64,
    /// The statements of each script, in the order of `files` (0 for one not read).
    pub tables_by_file: Vec<u64>,
    /// Scripts that could not be read (too large, unreadable): not counted.
    pub unread: Vec<String>,
    /// The glob for the manifest.
    pub glob: String,
}

/// A dependency file that does not parse as the `[[dependencies]]` check parses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unparseable {
    /// Its path.
    pub path: String,
    /// The parser's message.
    pub message: String,
}

/// The dependency files found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FoundDependencies {
    /// The files that parse, in path order.
    pub files: Vec<String>,
    /// The globs for the manifest: they match every file of `files` and no other.
    pub globs: Vec<String>,
    /// Files left out because they do not parse.
    pub unparseable: Vec<Unparseable>,
}

/// Whether a path lies in a folder of third-party code (`node_modules`, `vendor`, …: the scan's
/// list) or in a `.git` folder.
pub fn third_party(path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts.iter().any(|c| {
        let c = c.to_ascii_lowercase();
        c == ".git" || crate::scan::THIRD_PARTY_DIRS.contains(&c.as_str())
    })
}

/// The lower-case extension of a path's file name.
fn extension(path: &str) -> String {
    crate::delivery::names::extension(path.as_bytes()).unwrap_or_default()
}

/// The file name of a path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A glob compiled as the manifest compiles it (case-insensitive, `*` within one folder).
pub fn matcher(glob: &str) -> Option<GlobMatcher> {
    compiled(glob).map(|g| g.compile_matcher())
}

/// A glob built as the manifest builds it, not yet compiled.
pub fn compiled(glob: &str) -> Option<globset::Glob> {
    GlobBuilder::new(glob)
        .case_insensitive(true)
        .literal_separator(true)
        .backslash_escape(false)
        .build()
        .ok()
}

/// The most globs compiled into one set by [`match_groups`]: one set of thousands of globs
/// can take gigabytes to build (the regex engine's state), or fail to build at all.
const GLOBS_PER_SET: usize = 256;

/// For each group of globs, the files of `list` that match one of its globs, in list order:
/// one pass over the list per [`GLOBS_PER_SET`] globs (a group's globs are never split).
pub fn match_groups<'a>(list: &'a [FileInfo], groups: &[&[String]]) -> Vec<Vec<&'a FileInfo>> {
    let mut out = vec![Vec::new(); groups.len()];
    let mut start = 0;
    while start < groups.len() {
        let mut end = start;
        let mut globs = 0;
        while end < groups.len() && (end == start || globs + groups[end].len() <= GLOBS_PER_SET) {
            globs += groups[end].len();
            end += 1;
        }
        match_chunk(list, groups, start..end, &mut out);
        start = end;
    }
    out
}

/// [`match_groups`] for the groups in `range`.
fn match_chunk<'a>(
    list: &'a [FileInfo],
    groups: &[&[String]],
    range: std::ops::Range<usize>,
    out: &mut [Vec<&'a FileInfo>],
) {
    let mut builder = globset::GlobSetBuilder::new();
    let mut owner = Vec::new();
    let mut single = Vec::new();
    for i in range {
        for g in groups[i] {
            if let Some(g) = compiled(g) {
                single.push((i, g.compile_matcher()));
                builder.add(g);
                owner.push(i);
            }
        }
    }
    let Ok(set) = builder.build() else {
        // The set cannot be built (a regex too large): each glob on its own, never nothing.
        for f in list {
            let mut previous = usize::MAX;
            for (i, m) in &single {
                if *i != previous && m.is_match(&f.path) {
                    previous = *i;
                    out[*i].push(f);
                }
            }
        }
        return;
    };
    let mut hits = Vec::new();
    for f in list {
        set.matches_into(&f.path, &mut hits);
        let mut previous = usize::MAX;
        for &h in &hits {
            // Globs of one group are added together, so its hits are adjacent.
            if owner[h] != previous {
                previous = owner[h];
                out[previous].push(f);
            }
        }
    }
}

/// Whether a glob matches a path.
fn glob_matches(glob: &str, path: &str) -> bool {
    matcher(glob).is_some_and(|m| m.is_match(path))
}

/// The files of `list` a glob matches.
fn matching<'a>(list: &'a [FileInfo], glob: &str) -> Vec<&'a FileInfo> {
    match matcher(glob) {
        Some(m) => list.iter().filter(|f| m.is_match(&f.path)).collect(),
        None => Vec::new(),
    }
}

/// A path written as a glob that matches it literally: glob metacharacters in a character
/// class, a backslash (refused in globs) and a character lost in decoding as `?`.
pub fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '*' | '?' | '[' | ']' | '{' | '}' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            '\\' | '\u{fffd}' => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// The folder part of a path (`a/b/c.sql` → `a/b`, `c.sql` → ``).
fn folder(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Which kind of document a file name is, and the keyword that says so.
fn kind_of(name: &str) -> Option<(DocKind, &'static str)> {
    let lower = name.to_lowercase();
    for id in MATCH_ORDER {
        let kind = DOC_KINDS.iter().find(|k| k.id == *id)?;
        if let Some(kw) = kind.keywords.iter().find(|kw| lower.contains(*kw)) {
            return Some((*kind, kw));
        }
    }
    None
}

/// A dependency file's name pattern (as a glob for any folder), if `name` is one.
pub fn dependency_pattern(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    let ext = extension(&n);
    Some(match n.as_str() {
        "pom.xml" => "**/pom.xml",
        "build.gradle" => "**/build.gradle",
        "build.gradle.kts" => "**/build.gradle.kts",
        "package.json" => "**/package.json",
        "packages.config" => "**/packages.config",
        "pyproject.toml" => "**/pyproject.toml",
        "go.mod" => "**/go.mod",
        "composer.json" => "**/composer.json",
        _ if ext == "csproj" => "**/*.csproj",
        _ if n.starts_with("requirements") && ext == "txt" => "**/requirements*.txt",
        _ => return None,
    })
}

/// Whether a file is a database script the drafter counts tables in.
pub fn is_script(path: &str) -> bool {
    DATABASE_EXTENSIONS.contains(&extension(path).as_str())
}

/// A file of a kind, and the keyword of its name that says so.
type KindHit<'a> = (&'a FileInfo, &'static str);

/// The companion documents of a delivery, by kind, in [`DOC_KINDS`] order.
pub fn documents(files: &dyn Files) -> Vec<FoundDocument> {
    let list = files.list();
    let mut by_kind: BTreeMap<&'static str, (DocKind, Vec<KindHit>)> = BTreeMap::new();
    for f in list {
        if f.size == 0
            || !DOCUMENT_EXTENSIONS.contains(&extension(&f.path).as_str())
            || dependency_pattern(file_name(&f.path)).is_some()
            || third_party(&f.path)
        {
            continue;
        }
        if let Some((kind, kw)) = kind_of(file_name(&f.path)) {
            by_kind
                .entry(kind.id)
                .or_insert_with(|| (kind, Vec::new()))
                .1
                .push((f, kw));
        }
    }
    DOC_KINDS
        .iter()
        .filter_map(|k| by_kind.remove(k.id))
        .map(|(kind, found)| {
            let mut globs: Vec<String> = Vec::new();
            // One glob per top folder and keyword: each is tested against the whole list once.
            let mut done: BTreeSet<(&str, &str)> = BTreeSet::new();
            for (f, kw) in &found {
                let top = f.path.split_once('/').map_or("", |(t, _)| t);
                if !done.insert((top, kw)) && globs.iter().any(|g| glob_matches(g, &f.path)) {
                    continue;
                }
                let g = document_glob(list, &f.path, kw);
                if !globs.contains(&g) {
                    globs.push(g);
                }
            }
            FoundDocument {
                kind,
                files: found.iter().map(|(f, _)| f.path.clone()).collect(),
                largest: found.iter().map(|(f, _)| f.size).max().unwrap_or(0),
                placeholder: found
                    .iter()
                    .all(|(f, _)| f.size < crate::checks::default_min_bytes(&f.path)),
                globs,
            }
        })
        .collect()
}

/// The glob for a document at `path` named by `keyword`: any file of its top folder (or of the
/// root, for a file at the root) whose name holds the keyword, so the next update's file of
/// the same kind matches too whatever its version number; limited to document extensions when
/// the short form would also match a file that is not a document. It always matches `path`.
fn document_glob(list: &[FileInfo], path: &str, keyword: &str) -> String {
    let prefix = match path.split_once('/') {
        Some((top, _)) => format!("{}/**/", escape(top)),
        None => String::new(),
    };
    let short = format!("{prefix}*{keyword}*");
    let only_documents = |g: &str| {
        let m = matching(list, g);
        m.iter().any(|f| f.path == path)
            && m.iter()
                .all(|f| DOCUMENT_EXTENSIONS.contains(&extension(&f.path).as_str()))
    };
    if only_documents(&short) {
        return short;
    }
    let long = format!("{short}.{{{}}}", DOCUMENT_EXTENSIONS.join(","));
    if only_documents(&long) {
        return long;
    }
    escape(path)
}

/// The database scripts of a delivery (outside third-party folders), grouped by folder, each
/// group's tables counted as the `[[database]]` check counts them.
pub fn scripts(files: &dyn Files) -> Vec<FoundScripts> {
    let mut by_folder: BTreeMap<String, Vec<&FileInfo>> = BTreeMap::new();
    for f in files.list() {
        if is_script(&f.path) && !third_party(&f.path) {
            by_folder
                .entry(folder(&f.path).to_owned())
                .or_default()
                .push(f);
        }
    }
    by_folder
        .into_iter()
        .map(|(dir, found)| {
            let mut tables_by_file = Vec::with_capacity(found.len());
            let mut unread = Vec::new();
            for f in &found {
                match count_tables(files, &f.path) {
                    Some(n) => tables_by_file.push(n),
                    None => {
                        tables_by_file.push(0);
                        unread.push(f.path.clone());
                    }
                }
            }
            let tables = tables_by_file.iter().sum();
            let exts: BTreeSet<String> = found.iter().map(|f| extension(&f.path)).collect();
            let exts: Vec<String> = exts.into_iter().collect();
            let pattern = if exts.len() == 1 {
                format!("*.{}", exts[0])
            } else {
                format!("*.{{{}}}", exts.join(","))
            };
            let glob = if dir.is_empty() {
                pattern
            } else {
                format!("{}/{pattern}", escape(&dir))
            };
            FoundScripts {
                folder: dir,
                files: found.iter().map(|f| f.path.clone()).collect(),
                tables,
                tables_by_file,
                unread,
                glob,
            }
        })
        .collect()
}

/// The tables of one script, or `None` when it cannot be read.
pub fn count_tables(files: &dyn Files, path: &str) -> Option<u64> {
    let mut r = files.reader(path)?;
    crate::checks::count_tables(&mut r).ok()
}

/// Whether a dependency file parses as the check parses it: `Err` carries the message.
pub fn parse_dependency(files: &dyn Files, path: &str) -> Result<(), String> {
    match files.read(path, crate::checks::DEPENDENCY_MAX_BYTES) {
        Some(bytes) => crate::checks::parse_dependency_file(path.as_bytes(), &bytes),
        None => Err("cannot be read, or larger than 32 MiB".to_owned()),
    }
}

/// The dependency files of a delivery (outside third-party folders), each parsed as the
/// `[[dependencies]]` check parses it; globs that match exactly the files that parse.
pub fn dependencies(files: &dyn Files) -> FoundDependencies {
    let list = files.list();
    let mut found = FoundDependencies::default();
    // Pattern → the good files it is for.
    let mut patterns: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for f in list {
        let Some(pattern) = dependency_pattern(file_name(&f.path)) else {
            continue;
        };
        if third_party(&f.path) {
            continue;
        }
        match parse_dependency(files, &f.path) {
            Ok(()) => {
                found.files.push(f.path.clone());
                patterns.entry(pattern).or_default().push(f.path.clone());
            }
            Err(message) => found.unparseable.push(Unparseable {
                path: f.path.clone(),
                message,
            }),
        }
    }
    let good: BTreeSet<&str> = found.files.iter().map(String::as_str).collect();
    let exact = |g: &str, want: &[&String]| {
        let m = matching(list, g);
        m.iter().all(|f| good.contains(f.path.as_str()))
            && want.iter().all(|w| m.iter().any(|f| &f.path == *w))
    };
    for (pattern, paths) in &patterns {
        let all: Vec<&String> = paths.iter().collect();
        if exact(pattern, &all) {
            found.globs.push((*pattern).to_owned());
            continue;
        }
        // By top folder, else file by file.
        let mut tops: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
        for p in paths {
            tops.entry(p.split_once('/').map_or("", |(t, _)| t))
                .or_default()
                .push(p);
        }
        for (top, ps) in tops {
            let g = if top.is_empty() {
                String::new()
            } else {
                format!("{}/{pattern}", escape(top))
            };
            if !g.is_empty() && exact(&g, &ps) {
                found.globs.push(g);
            } else {
                found.globs.extend(ps.iter().map(|p| escape(p)));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::MemFiles;

    #[test]
    fn escaped_paths_match_only_themselves() {
        let p = "a [b]/c{1,2}*?.sql";
        let m = matcher(&escape(p)).unwrap();
        assert!(m.is_match(p));
        assert!(!m.is_match("a b/c1.sql"));
        assert!(!m.is_match("a [b]/c{1,2}xx.sql"));
    }

    #[test]
    fn kinds_prefer_the_specific_word() {
        assert_eq!(
            kind_of("数据库设计说明书.docx").unwrap().0.id,
            "database-design"
        );
        assert_eq!(kind_of("系统架构设计.docx").unwrap().0.id, "code-structure");
        assert_eq!(kind_of("CHANGELOG.md").unwrap().0.id, "change-notes");
        assert_eq!(
            kind_of("部署手册V2.3.pdf").unwrap().0.id,
            "deployment-manual"
        );
        assert_eq!(kind_of("README.md"), None);
    }

    #[test]
    fn document_globs_avoid_source_files() {
        let files = MemFiles::new([
            ("文档/部署手册V1.2.docx", "x".repeat(10)),
            ("文档/api/部署.java", "class A {}".to_owned()),
            ("交付文档/接口说明.pdf", "y".repeat(5)),
            ("node_modules/x/CHANGELOG.md", "z".to_owned()),
            ("requirements-build.txt", "flask\n".to_owned()),
        ]);
        let docs = documents(&files);
        let ids: Vec<&str> = docs.iter().map(|d| d.kind.id).collect();
        assert_eq!(ids, ["deployment-manual", "interface-spec"]);
        let deploy = &docs[0];
        let m = matcher(&deploy.globs[0]).unwrap();
        assert!(m.is_match("文档/部署手册V1.2.docx"));
        assert!(m.is_match("文档/部署手册V1.3.docx"), "{:?}", deploy.globs);
        assert!(!m.is_match("文档/api/部署.java"));
        assert_eq!(docs[1].globs, ["交付文档/**/*接口*"]);
    }

    #[test]
    fn dependency_globs_leave_out_what_does_not_parse() {
        let files = MemFiles::new([
            ("a/pom.xml", "<project/>"),
            ("b/pom.xml", "<project>"),
            ("web/package.json", "{}"),
            ("web/node_modules/x/package.json", "{"),
        ]);
        let d = dependencies(&files);
        assert_eq!(d.files, ["a/pom.xml", "web/package.json"]);
        assert_eq!(d.unparseable.len(), 1);
        assert_eq!(d.unparseable[0].path, "b/pom.xml");
        assert_eq!(d.globs, ["web/package.json", "a/**/pom.xml"]);
    }

    #[test]
    fn scripts_by_folder_with_their_tables() {
        let files = MemFiles::new([
            (
                "db/mysql/1.sql",
                "CREATE TABLE a (x int); create table b (y int);",
            ),
            ("db/mysql/2.sql", "INSERT INTO a VALUES (1);"),
            ("db/oracle/x.ddl", "CREATE TABLE c (x int);"),
        ]);
        let s = scripts(&files);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].glob.as_str(), s[0].tables), ("db/mysql/*.sql", 2));
        assert_eq!((s[1].glob.as_str(), s[1].tables), ("db/oracle/*.ddl", 1));
    }
}

#[cfg(test)]
mod many_globs {
    use super::*;

    /// More long globs than one glob set can be built of: every group still gets its files.
    #[test]
    fn thousands_of_long_globs_all_match() {
        let n = 3000;
        let list: Vec<FileInfo> = (0..n)
            .map(|i| FileInfo {
                path: format!("m{i:0>240}/src/A.java"),
                size: 1,
            })
            .collect();
        let globs: Vec<Vec<String>> = (0..n).map(|i| vec![format!("m{i:0>240}/**")]).collect();
        let groups: Vec<&[String]> = globs.iter().map(Vec::as_slice).collect();
        let out = match_groups(&list, &groups);
        assert!(out.iter().all(|m| m.len() == 1));
    }
}
