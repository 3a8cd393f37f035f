//! The tree-wide pass: compiled files matched against the delivered source, archives inside the
//! delivery, minified bundles, name-mangled class sets.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::containers;
use super::{Facts, Magic, Scanner};
use crate::delivery::{Delivery, names};
use crate::finding::Finding;

/// File names of dependency lists whose text tells declared libraries apart.
pub const DEPENDENCY_FILES: &[&str] = &[
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "packages.config",
    "directory.packages.props",
    "requirements.txt",
    "pipfile",
    "pipfile.lock",
    "poetry.lock",
    "pyproject.toml",
    "go.mod",
    "go.sum",
    "cargo.toml",
    "cargo.lock",
    "composer.json",
    "composer.lock",
    "ivy.xml",
    "dependencies.txt",
    "依赖清单.txt",
];

/// Package prefixes of widely used public libraries: never the vendor's own, even when a
/// patched copy of one of their files is delivered.
const PUBLIC_PREFIXES: &[&str] = &[
    "java/lang",
    "javax/servlet",
    "org/apache",
    "org/springframework",
    "org/eclipse",
    "org/hibernate",
    "org/mybatis",
    "org/slf4j",
    "org/junit",
    "org/jboss",
    "org/json",
    "org/codehaus",
    "org/aspectj",
    "org/bouncycastle",
    "org/yaml",
    "org/quartz",
    "org/dom4j",
    "org/activiti",
    "org/flowable",
    "com/google",
    "com/fasterxml",
    "com/alibaba",
    "com/baomidou",
    "com/github",
    "com/sun",
    "com/zaxxer",
    "com/mysql",
    "com/microsoft",
    "com/oracle",
    "cn/hutool",
    "io/netty",
    "io/swagger",
    "io/springfox",
    "net/sf",
    "ch/qos",
    "jakarta/servlet",
];

const JVM_SOURCES: &[&str] = &["java", "kt", "scala", "groovy"];
const NATIVE_SOURCES: &[&str] = &[
    "c", "cc", "cpp", "cxx", "h", "hpp", "rs", "go", "pas", "dpr", "m", "mm", "swift",
];
const JAR_LIKE: &[&str] = &["jar", "war", "ear", "aar", "apk", "omod"];
/// Folders that conventionally hold build output (a minified bundle there is fine when the
/// front-end sources are delivered too).
const OUTPUT_DIRS: &[&str] = &[
    "dist", "build", "target", "out", "output", "bin", "obj", "release",
];
const MAX_EVIDENCE: usize = 10;

struct Tree<'a> {
    facts: &'a BTreeMap<Vec<u8>, (u64, Facts)>,
    /// `com/acme/his/Foo` for every JVM source with a package declaration.
    jvm_keys: HashMap<String, Vec<String>>,
    /// Lower-case stems of every JVM source (when no package is declared).
    jvm_stems: BTreeSet<String>,
    /// Own JVM package prefixes (`com/acme`).
    own_jvm: BTreeSet<String>,
    /// Own .NET names: project stems, assembly names, namespaces (lower-case), and their
    /// first segments.
    own_net: BTreeSet<String>,
    net_projects: BTreeSet<String>,
    /// Lower-case stems of every source file, any language.
    stems: BTreeSet<String>,
    /// Lower-case names of every folder.
    dirs: BTreeSet<String>,
    /// Words of every dependency list (artifact ids, package names), lower-case.
    dependency_words: HashSet<String>,
    /// Front-end source files (not minified, not build output, not configuration).
    front_end_sources: usize,
    has_native_source: bool,
    has_powerbuilder_source: bool,
}

fn fname(path: &[u8]) -> String {
    String::from_utf8_lossy(names::file_name(path)).into_owned()
}

fn stem_of(name: &str) -> &str {
    name.split_once('.').map_or(name, |(s, _)| s)
}

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

fn ext_of(path: &[u8]) -> String {
    names::extension(path)
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default()
}

impl<'a> Tree<'a> {
    fn new(
        scanner: &'a Scanner,
        delivery: &Delivery,
        facts: &'a BTreeMap<Vec<u8>, (u64, Facts)>,
        obscured: &BTreeSet<String>,
    ) -> Self {
        let mut t = Tree {
            facts,
            jvm_keys: HashMap::new(),
            jvm_stems: BTreeSet::new(),
            own_jvm: BTreeSet::new(),
            own_net: BTreeSet::new(),
            net_projects: BTreeSet::new(),
            stems: BTreeSet::new(),
            dirs: BTreeSet::new(),
            dependency_words: HashSet::new(),
            front_end_sources: 0,
            has_native_source: false,
            has_powerbuilder_source: false,
        };
        // JVM sources per package prefix (first two segments): the vendor's own prefixes are
        // those holding a real share of the source, not one patched library file.
        let mut prefixes: BTreeMap<String, usize> = BTreeMap::new();
        let mut jvm_total = 0usize;
        for e in &delivery.inventory.entries {
            if e.kind == crate::delivery::EntryKind::Dir {
                t.dirs.insert(fname(&e.path).to_lowercase());
            }
        }
        for (path, (_, f)) in facts {
            let ext = ext_of(path);
            let name = fname(path);
            let stem = stem_of(&name).to_lowercase();
            let third = scanner.is_third_party(path);
            if crate::manifest::DEFAULT_SOURCE_EXTENSIONS.contains(&ext.as_str()) {
                t.stems.insert(stem.clone());
            }
            if NATIVE_SOURCES.contains(&ext.as_str()) {
                t.has_native_source = true;
            }
            if ext == "pbl" || (ext.len() == 3 && ext.starts_with("sr")) {
                t.has_powerbuilder_source = true;
            }
            if JVM_SOURCES.contains(&ext.as_str()) {
                t.jvm_stems.insert(stem.clone());
                // The file's name, its top-level types, and Kotlin's `FileKt` class.
                let mut types: Vec<String> = vec![stem_of(&name).to_owned()];
                types.extend(f.types.iter().cloned());
                if ext == "kt" {
                    types.push(format!("{}Kt", stem_of(&name)));
                }
                for ty in types {
                    t.jvm_stems.insert(ty.to_lowercase());
                    if let Some(p) = &f.package {
                        let key = format!("{}/{ty}", p.replace('.', "/"));
                        t.jvm_keys.entry(ty).or_default().push(key);
                    }
                }
                if let Some(p) = &f.package
                    && !third
                {
                    let segs: Vec<&str> = p.split('.').collect();
                    *prefixes
                        .entry(segs[..segs.len().min(2)].join("/"))
                        .or_default() += 1;
                    jvm_total += 1;
                }
            }
            if matches!(ext.as_str(), "csproj" | "vbproj") && !third {
                let project = name
                    .rsplit_once('.')
                    .map_or(name.as_str(), |(s, _)| s)
                    .to_lowercase();
                t.own_net.insert(stem.clone());
                t.own_net.insert(project.clone());
                t.net_projects.insert(project);
            }
            if !third {
                for n in &f.namespaces {
                    let n = n.to_lowercase();
                    t.own_net
                        .insert(n.split('.').next().unwrap_or(&n).to_owned());
                    t.own_net.insert(n.clone());
                    if matches!(ext.as_str(), "csproj" | "vbproj") {
                        t.net_projects.insert(n);
                    }
                }
            }
            if let Some(d) = &f.dependency_text {
                let d = d.to_lowercase();
                t.dependency_words.extend(
                    d.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
                        .filter(|w| w.len() >= 2)
                        .map(str::to_owned),
                );
            }
            if !third
                && matches!(
                    ext.as_str(),
                    "js" | "mjs" | "ts" | "tsx" | "jsx" | "vue" | "svelte"
                )
                && !minified(&name, f)
                && !in_output_dir(path)
                && !is_tool_config(&name)
                && !obscured.contains(&names::display(path))
            {
                t.front_end_sources += 1;
            }
        }
        t.own_jvm = prefixes
            .into_iter()
            .filter(|(p, _)| !PUBLIC_PREFIXES.contains(&p.as_str()))
            .filter(|(_, n)| *n >= 20 || n * 10 >= jvm_total)
            .map(|(p, _)| p)
            .collect();
        t
    }

    /// A JVM class (path inside a jar or the delivery, without `.class`) has a delivered source.
    fn class_has_source(&self, class_path: &str) -> bool {
        let name = class_path.rsplit('/').next().unwrap_or(class_path);
        let outer = name.split('$').next().unwrap_or(name);
        if let Some(keys) = self.jvm_keys.get(outer) {
            let base = match class_path.rsplit_once('/') {
                Some((dir, _)) => format!("{dir}/{outer}"),
                None => outer.to_owned(),
            };
            if keys
                .iter()
                .any(|k| base == *k || base.ends_with(&format!("/{k}")))
            {
                return true;
            }
        }
        // Sources without a package declaration: match by name.
        self.jvm_stems.contains(&outer.to_lowercase()) && !self.jvm_keys.contains_key(outer)
    }

    fn own_jvm_class(&self, class_path: &str) -> bool {
        self.own_jvm.iter().any(|p| {
            class_path.starts_with(&format!("{p}/")) || class_path.contains(&format!("/{p}/"))
        })
    }

    /// A library name (`commons-lang3-3.12.0`) is declared in a dependency list.
    fn declared(&self, stem: &str) -> bool {
        let base = strip_version(&stem.to_lowercase());
        base.len() >= 3 && self.dependency_words.contains(&base)
    }
}

/// `commons-lang3-3.12.0` → `commons-lang3`; `Newtonsoft.Json.13.0.1` → `newtonsoft.json`.
fn strip_version(stem: &str) -> String {
    let parts: Vec<&str> = stem
        .split(['-', '_'])
        .enumerate()
        .take_while(|(i, p)| *i == 0 || !p.starts_with(|c: char| c.is_ascii_digit()))
        .map(|(_, p)| p)
        .collect();
    let joined = parts.join("-");
    // Dotted versions at the end (NuGet style).
    let mut segs: Vec<&str> = joined.split('.').collect();
    while segs.len() > 1
        && segs
            .last()
            .is_some_and(|s| s.chars().all(|c| c.is_ascii_digit()))
    {
        segs.pop();
    }
    segs.join(".")
}

fn minified(name: &str, f: &Facts) -> bool {
    let lower = name.to_lowercase();
    if lower.contains(".min.") {
        return true;
    }
    f.lines > 0 && f.longest_line >= 1000 && f.longest_line * f.lines.min(20) > 4000
}

fn in_output_dir(path: &[u8]) -> bool {
    let mut comps = path.split(|b| *b == b'/');
    comps.next_back();
    comps.any(|c| {
        OUTPUT_DIRS
            .iter()
            .any(|d| c.eq_ignore_ascii_case(d.as_bytes()))
    })
}

/// Run the tree-wide detectors.
pub fn run(
    scanner: &Scanner,
    delivery: &Delivery,
    facts: &BTreeMap<Vec<u8>, (u64, Facts)>,
    obscured: &BTreeSet<String>,
) -> Vec<Finding> {
    let tree = Tree::new(scanner, delivery, facts, obscured);
    let mut out = Vec::new();
    // Loose class files without source, grouped by folder.
    let mut class_dirs: BTreeMap<String, (Vec<String>, usize)> = BTreeMap::new();
    for (path, (_, f)) in facts {
        let display = names::display(path);
        let ext = ext_of(path);
        let third = scanner.is_third_party(path);
        // Through the delivery's handle: no link followed on any component.
        let open = || delivery.open_file(path);
        match f.magic {
            Magic::Zip => {
                if let Ok(l) = open().and_then(containers::list_zip_file) {
                    if !l.encrypted.is_empty() {
                        out.push(encrypted_archive(&display, "zip", &l.encrypted));
                    }
                    if JAR_LIKE.contains(&ext.as_str()) && !third {
                        out.extend(jar(&tree, &display, &l.names));
                    }
                    for (name, inner) in &l.nested {
                        let shown = format!("{display}!/{name}");
                        if !inner.encrypted.is_empty() {
                            out.push(encrypted_archive(&shown, "zip", &inner.encrypted));
                        }
                        let lower = name.to_ascii_lowercase();
                        if !third && JAR_LIKE.iter().any(|e| lower.ends_with(&format!(".{e}"))) {
                            out.extend(jar(&tree, &shown, &inner.names));
                        }
                    }
                }
            }
            Magic::SevenZip
                if open()
                    .and_then(containers::seven_zip_file_encrypted)
                    .unwrap_or(false) =>
            {
                out.push(encrypted_archive(&display, "7z", &[]));
            }
            Magic::Rar
                if open()
                    .and_then(containers::rar_file_encrypted)
                    .unwrap_or(false) =>
            {
                out.push(encrypted_archive(&display, "RAR", &[]));
            }
            _ => {}
        }
        if third {
            continue;
        }
        if f.magic == Magic::Class || ext == "class" {
            let class_path = display.trim_end_matches(".class");
            if !tree.class_has_source(class_path) {
                let name = class_path
                    .rsplit('/')
                    .next()
                    .unwrap_or(class_path)
                    .to_owned();
                let e = class_dirs
                    .entry(parent_of(&display).to_owned())
                    .or_default();
                e.0.push(name);
            }
            class_dirs
                .entry(parent_of(&display).to_owned())
                .or_default()
                .1 += 1;
            continue;
        }
        match (ext.as_str(), f.magic) {
            ("pyc" | "pyo", _) => {
                let name = fname(path);
                let stem = stem_of(&name).to_lowercase();
                if !tree.stems.contains(&stem) {
                    out.push(without_source(
                        "pyc-without-source",
                        &display,
                        "compiled Python",
                        "编译后的 Python 文件",
                        format!("no {stem}.py anywhere in the delivery"),
                    ));
                }
            }
            ("dcu", _) => {
                let stem = stem_of(&fname(path)).to_lowercase();
                if !tree.stems.contains(&stem) {
                    out.push(without_source(
                        "dcu-without-source",
                        &display,
                        "compiled Delphi unit",
                        "编译后的 Delphi 单元",
                        format!("no {stem}.pas anywhere in the delivery"),
                    ));
                }
            }
            ("pbd", _) if !tree.has_powerbuilder_source => {
                out.push(without_source(
                    "pbd-without-source",
                    &display,
                    "compiled PowerBuilder library",
                    "编译后的 PowerBuilder 库",
                    "no .pbl library or .sr* export anywhere in the delivery".to_owned(),
                ));
            }
            (_, Magic::Pe { .. }) => out.extend(pe(&tree, path, &display, f)),
            (_, Magic::Elf | Magic::MachO | Magic::ArArchive | Magic::Wasm | Magic::Dex) => {
                out.extend(native(&tree, path, &display));
            }
            ("js" | "mjs" | "cjs" | "css", _) => {
                let name = fname(path);
                if minified(&name, f) && !f.banner && !bundle_has_source(&tree, path, &name) {
                    out.push(
                        Finding::new(
                            "source-obfuscated",
                            "minified bundle whose source is not in the delivery: minified code cannot be maintained",
                            "压缩（minified）后的前端代码，交付物中没有其源代码：压缩代码无法维护",
                        )
                        .path(display.clone())
                        .rule("minified-without-source")
                        .evidence(vec![format!(
                            "{} lines, longest {} characters; no un-minified sibling, source map or front-end source files (.js/.ts/.vue outside dist/build folders) were delivered",
                            f.lines, f.longest_line
                        )]),
                    );
                }
            }
            _ => {}
        }
    }
    for (dir, (missing, total)) in class_dirs {
        if missing.is_empty() {
            continue;
        }
        let shown = if dir.is_empty() {
            ".".to_owned()
        } else {
            dir.clone()
        };
        let mut ev: Vec<String> = missing
            .iter()
            .take(MAX_EVIDENCE)
            .map(|c| format!("{c}.class"))
            .collect();
        if missing.len() > MAX_EVIDENCE {
            ev.push(format!("… and {} more", missing.len() - MAX_EVIDENCE));
        }
        ev.push("heuristic: a class is covered when a .java/.kt/.scala/.groovy file of the same name (and package) is delivered".to_owned());
        out.push(
            Finding::new(
                "binary-without-source",
                format!(
                    "{} of {total} Java class files in this folder have no source in the delivery",
                    missing.len()
                ),
                format!(
                    "此目录下 {total} 个 Java class 文件中有 {} 个在交付物中没有源代码",
                    missing.len()
                ),
            )
            .path(shown.clone())
            .rule("class-without-source")
            .evidence(ev),
        );
        if let Some(f) = mangled(&shown, &missing) {
            out.push(f);
        }
    }
    out
}

fn encrypted_archive(display: &str, kind: &str, entries: &[String]) -> Finding {
    let mut ev: Vec<String> = entries.iter().take(MAX_EVIDENCE).cloned().collect();
    if entries.len() > MAX_EVIDENCE {
        ev.push(format!(
            "… and {} more encrypted entries",
            entries.len() - MAX_EVIDENCE
        ));
    }
    if ev.is_empty() {
        ev.push(format!("{kind} archive with encrypted content or headers"));
    }
    Finding::new(
        "archive-encrypted",
        format!("password-protected {kind} archive inside the delivery: its content cannot be checked or used without the password"),
        format!("交付物中有密码保护的 {kind} 压缩包：没有密码无法检查或使用其内容"),
    )
    .path(display.to_owned())
    .rule("nested-archive")
    .evidence(ev)
}

fn without_source(rule: &str, display: &str, what: &str, what_zh: &str, why: String) -> Finding {
    Finding::new(
        "binary-without-source",
        format!("{what} with no corresponding source in the delivery"),
        format!("{what_zh}，交付物中没有对应的源代码"),
    )
    .path(display.to_owned())
    .rule(rule)
    .evidence(vec![why])
}

/// ProGuard-style name mangling: most class names one or two letters long.
fn mangled(display: &str, classes: &[String]) -> Option<Finding> {
    let outer: BTreeSet<&str> = classes
        .iter()
        .map(|c| c.rsplit('/').next().unwrap_or(c))
        .map(|c| c.split('$').next().unwrap_or(c))
        .filter(|c| *c != "package-info" && *c != "module-info")
        .collect();
    if outer.len() < 10 {
        return None;
    }
    let short: Vec<&&str> = outer.iter().filter(|c| c.chars().count() <= 2).collect();
    if short.len() * 10 < outer.len() * 6 {
        return None;
    }
    Some(
        Finding::new(
            "source-obfuscated",
            "name-mangled Java classes (ProGuard-style obfuscation): most class names are one or two letters",
            "Java 类名经过混淆（ProGuard 类混淆）：大多数类名只有一两个字母",
        )
        .path(display.to_owned())
        .rule("java-name-mangling")
        .evidence(vec![format!(
            "{} of {} classes have names of one or two letters, e.g. {}",
            short.len(),
            outer.len(),
            short.iter().take(5).map(|s| format!("{s}.class")).collect::<Vec<_>>().join(", ")
        )]),
    )
}

/// A jar (war, omod, …) of the vendor's own code must come with its source.
fn jar(tree: &Tree<'_>, display: &str, entries: &[String]) -> Vec<Finding> {
    let classes: Vec<&str> = entries
        .iter()
        .filter_map(|n| n.strip_suffix(".class"))
        .map(|n| n.strip_prefix("WEB-INF/classes/").unwrap_or(n))
        .map(|n| n.strip_prefix("BOOT-INF/classes/").unwrap_or(n))
        .filter(|n| !n.starts_with("META-INF/"))
        .collect();
    if classes.is_empty()
        || entries
            .iter()
            .any(|n| n.to_ascii_lowercase().ends_with(".java"))
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    let missing: Vec<&str> = classes
        .iter()
        .copied()
        .filter(|c| !tree.class_has_source(c))
        .collect();
    let own: Vec<&str> = missing
        .iter()
        .copied()
        .filter(|c| tree.own_jvm_class(c))
        .collect();
    let name = display.rsplit('/').next().unwrap_or(display);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let maven_groups: BTreeSet<&str> = entries
        .iter()
        .filter_map(|n| n.strip_prefix("META-INF/maven/"))
        .filter_map(|n| n.split('/').next())
        .filter(|g| !g.is_empty())
        .collect();
    let published_elsewhere = !maven_groups.is_empty()
        && maven_groups.iter().all(|g| {
            let g = g.replace('.', "/");
            !tree
                .own_jvm
                .iter()
                .any(|p| g.starts_with(p.as_str()) || p.starts_with(g.as_str()))
        });
    if !own.is_empty() && !published_elsewhere {
        let mut ev: Vec<String> = own
            .iter()
            .take(MAX_EVIDENCE)
            .map(|c| format!("{c}.class"))
            .collect();
        if own.len() > MAX_EVIDENCE {
            ev.push(format!("… and {} more", own.len() - MAX_EVIDENCE));
        }
        ev.push(format!(
            "heuristic: these classes are in the packages of the delivered source ({}), so they are the vendor's own code",
            tree.own_jvm.iter().map(|p| p.replace('/', ".")).collect::<Vec<_>>().join(", ")
        ));
        out.push(
            Finding::new(
                "binary-without-source",
                format!(
                    "archive of the vendor's own compiled code: {} of its {} classes have no source in the delivery",
                    own.len(),
                    classes.len()
                ),
                format!(
                    "供应商自有代码的编译包：其 {} 个类中有 {} 个在交付物中没有源代码",
                    classes.len(),
                    own.len()
                ),
            )
            .path(display.to_owned())
            .rule("jar-without-source")
            .evidence(ev),
        );
    } else if !missing.is_empty()
        && !published_elsewhere
        && !tree.declared(stem)
        && missing.len() * 2 > classes.len()
    {
        out.push(unattributed(
            "jar-unattributed",
            display,
            &format!(
                "{} classes, no delivered source; not declared in a dependency list, no Maven metadata, not under a vendored path",
                classes.len()
            ),
        ));
    }
    let missing_names: Vec<String> = missing.iter().map(|s| (*s).to_owned()).collect();
    if !published_elsewhere && let Some(f) = mangled(display, &missing_names) {
        out.push(f);
    }
    out
}

fn unattributed(rule: &str, display: &str, why: &str) -> Finding {
    Finding::new(
        "binary-unattributed",
        "compiled file whose source is not delivered and whose origin cannot be told: confirm it is a third-party library",
        "未交付源代码且来源不明的编译文件：请确认其为第三方库",
    )
    .path(display.to_owned())
    .rule(rule)
    .evidence(vec![
        why.to_owned(),
        "declare third-party code with `vendored` in the manifest's [scan] table, or ask the vendor for its source".to_owned(),
    ])
}

/// Windows executables and DLLs: .NET assemblies of the vendor's own namespaces need their
/// project; anything else needs to be a declared or vendored library.
fn pe(tree: &Tree<'_>, path: &[u8], display: &str, f: &Facts) -> Vec<Finding> {
    let name = fname(path);
    let stem = name
        .rsplit_once('.')
        .map_or(name.as_str(), |(s, _)| s)
        .to_lowercase();
    let dotnet = matches!(f.magic, Magic::Pe { dotnet: true });
    if tree.net_projects.contains(&stem) || tree.dirs.contains(&stem) || tree.stems.contains(&stem)
    {
        return Vec::new();
    }
    let first = stem.split('.').next().unwrap_or(&stem).to_owned();
    if dotnet && (tree.own_net.contains(&stem) || tree.own_net.contains(&first)) {
        return vec![without_source(
            "dotnet-without-source",
            display,
            ".NET assembly of the vendor's own namespace",
            "供应商自有命名空间的 .NET 程序集",
            format!(
                "heuristic: {name} starts with {first:?}, a namespace of the delivered C#/VB source, but no project (.csproj/.vbproj) or folder named {stem} was delivered"
            ),
        )];
    }
    if tree.declared(&stem) {
        return Vec::new();
    }
    vec![unattributed(
        "pe-unattributed",
        display,
        &format!(
            "{} {name}: no project or source of that name, not declared in a dependency list, not under a vendored path",
            if dotnet {
                ".NET assembly"
            } else {
                "Windows executable or DLL"
            }
        ),
    )]
}

fn native(tree: &Tree<'_>, path: &[u8], display: &str) -> Vec<Finding> {
    let name = fname(path);
    let stem = stem_of(&name).to_lowercase();
    let base = stem.strip_prefix("lib").unwrap_or(&stem).to_owned();
    if tree.has_native_source
        && (tree.stems.contains(&stem) || tree.stems.contains(&base) || tree.dirs.contains(&base))
    {
        return Vec::new();
    }
    if tree.declared(&base) {
        return Vec::new();
    }
    vec![unattributed(
        "native-unattributed",
        display,
        &format!("native binary {name}: no source file or folder named {base} was delivered"),
    )]
}

/// A minified bundle is fine when its source is delivered: an un-minified sibling, a source
/// map, or front-end sources elsewhere in the delivery.
fn bundle_has_source(tree: &Tree<'_>, path: &[u8], name: &str) -> bool {
    let dir = parent_of(std::str::from_utf8(path).unwrap_or(""));
    let plain = name.replace(".min.", ".");
    let sibling = |n: &str| -> bool {
        let p = if dir.is_empty() {
            n.to_owned()
        } else {
            format!("{dir}/{n}")
        };
        tree.facts.contains_key(p.as_bytes())
    };
    (plain != name && sibling(&plain))
        || sibling(&format!("{name}.map"))
        || tree.front_end_sources >= 3
}

/// Build-tool configuration written in JavaScript: not front-end source.
fn is_tool_config(name: &str) -> bool {
    let n = name.to_lowercase();
    n.contains(".config.")
        || n.starts_with('.')
        || n.starts_with("gulpfile")
        || n.starts_with("gruntfile")
        || n.starts_with("webpack")
        || n.starts_with("rollup")
        || n.starts_with("karma")
        || n.starts_with("jest")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_stripped() {
        assert_eq!(strip_version("commons-lang3-3.12.0"), "commons-lang3");
        assert_eq!(strip_version("newtonsoft.json.13.0.1"), "newtonsoft.json");
        assert_eq!(strip_version("his-core"), "his-core");
        assert_eq!(strip_version("guava-31.1-jre"), "guava");
    }
}
