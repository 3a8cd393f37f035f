//! The tree-wide pass: compiled files matched against the delivered source, archives inside the
//! delivery, minified bundles, name-mangled class sets.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::Scanner;
use super::containers;
use super::detect::{binaries, encryption, obfuscation};
use super::facts::FileFacts;
use crate::delivery::{Delivery, names};
use crate::filetypes::{DEFAULT_SOURCE_EXTENSIONS, Magic};
use crate::finding::Finding;

/// File names of dependency lists whose text tells declared libraries apart.
pub(super) const DEPENDENCY_FILES: &[&str] = &[
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

/// First segments of JVM packages that are always public (the Java platform, Kotlin, Android).
const PUBLIC_JVM_ROOTS: &[&str] = &[
    "java", "javax", "jakarta", "kotlin", "kotlinx", "scala", "android", "androidx", "sun", "jdk",
];

/// First segments of .NET namespaces of public libraries: a delivered file declaring one of
/// them (a patched copy) never makes an assembly of that name the vendor's own.
const PUBLIC_NET_ROOTS: &[&str] = &[
    "system",
    "microsoft",
    "windows",
    "mono",
    "newtonsoft",
    "oracle",
    "log4net",
    "npoi",
    "nlog",
    "serilog",
    "castle",
    "autofac",
    "automapper",
    "dapper",
    "quartz",
    "icsharpcode",
    "devexpress",
    "telerik",
    "infragistics",
    "fastreport",
    "aspose",
    "spire",
    "sixlabors",
    "stackexchange",
    "swashbuckle",
    "nunit",
    "xunit",
    "moq",
    "restsharp",
    "polly",
    "mediatr",
    "fluentvalidation",
    "hangfire",
    "grpc",
    "google",
    "nhibernate",
    "itextsharp",
    "itext",
    "zxing",
    "cefsharp",
    "npgsql",
    "mysql",
    "sqlite",
    "entityframework",
    "bouncycastle",
    "org",
    "weifenluo",
    "sunny",
    "hzh_controls",
    "ionic",
];

/// A .NET namespace (lower case) of a public library.
fn public_namespace(ns: &str) -> bool {
    PUBLIC_NET_ROOTS.contains(&ns.split('.').next().unwrap_or(ns))
}

/// A JVM package prefix (`com/acme`) of a public library.
fn public_jvm(prefix: &str) -> bool {
    PUBLIC_PREFIXES.contains(&prefix)
        || PUBLIC_JVM_ROOTS.contains(&prefix.split('/').next().unwrap_or(prefix))
}

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
/// Items listed in one finding's evidence, at most.
pub(super) const MAX_EVIDENCE: usize = 10;

/// What the whole delivery holds, indexed for the tree-wide detectors.
pub(super) struct Tree<'a> {
    pub(super) facts: &'a BTreeMap<Vec<u8>, (u64, FileFacts)>,
    /// `com/acme/his/Foo` for every JVM source with a package declaration.
    pub(super) jvm_keys: HashMap<String, Vec<String>>,
    /// Lower-case stems of every JVM source (when no package is declared).
    pub(super) jvm_stems: BTreeSet<String>,
    /// Own JVM package prefixes (`com/acme`).
    pub(super) own_jvm: BTreeSet<String>,
    /// Own .NET names: project stems, assembly names, namespaces (lower-case), and their
    /// first segments.
    pub(super) own_net: BTreeSet<String>,
    pub(super) net_projects: BTreeSet<String>,
    /// Lower-case stems of every source file, any language.
    pub(super) stems: BTreeSet<String>,
    /// Lower-case names of every folder.
    pub(super) dirs: BTreeSet<String>,
    /// Words of every dependency list (artifact ids, package names), lower-case.
    pub(super) dependency_words: HashSet<String>,
    /// Front-end source files (not minified, not build output, not configuration).
    pub(super) front_end_sources: usize,
    pub(super) has_native_source: bool,
    pub(super) has_powerbuilder_source: bool,
    /// Lower-case names of the jars (wars, …) delivered as files: the same jar nested in
    /// another archive is reported once, as the file.
    pub(super) loose_archives: BTreeSet<String>,
}

/// A path's file name, lossily as text.
pub(super) fn fname(path: &[u8]) -> String {
    String::from_utf8_lossy(names::file_name(path)).into_owned()
}

/// A file name up to its first dot.
pub(super) fn stem_of(name: &str) -> &str {
    name.split_once('.').map_or(name, |(s, _)| s)
}

/// A path's folder (`""` at the top).
pub(super) fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// A path's extension, lower case (`""` without one).
fn ext_of(path: &[u8]) -> String {
    names::extension(path)
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default()
}

impl<'a> Tree<'a> {
    fn new(
        scanner: &'a Scanner,
        delivery: &Delivery,
        facts: &'a BTreeMap<Vec<u8>, (u64, FileFacts)>,
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
            loose_archives: BTreeSet::new(),
        };
        // JVM sources per package prefix (first two segments): the vendor's own prefixes are
        // those holding a real share of the source, not one patched library file.
        let mut prefixes: BTreeMap<String, usize> = BTreeMap::new();
        for e in &delivery.inventory.entries {
            if e.kind == crate::delivery::EntryKind::Dir {
                t.dirs.insert(fname(&e.path).to_lowercase());
            }
        }
        for (path, (_, f)) in facts {
            t.learn(scanner, path, f, obscured, &mut prefixes);
        }
        let jvm_total: usize = prefixes.values().sum();
        t.own_jvm = prefixes
            .into_iter()
            .filter(|(p, _)| !public_jvm(p))
            .filter(|(_, n)| *n >= 20 || n * 10 >= jvm_total)
            .map(|(p, _)| p)
            .collect();
        t
    }

    /// Index one file: `prefixes` counts the vendor's JVM sources per package prefix.
    fn learn(
        &mut self,
        scanner: &Scanner,
        path: &[u8],
        f: &FileFacts,
        obscured: &BTreeSet<String>,
        prefixes: &mut BTreeMap<String, usize>,
    ) {
        let ext = ext_of(path);
        let name = fname(path);
        let stem = stem_of(&name).to_lowercase();
        let third = scanner.is_third_party(path);
        if DEFAULT_SOURCE_EXTENSIONS.contains(&ext.as_str()) {
            self.stems.insert(stem.clone());
        }
        if JAR_LIKE.contains(&ext.as_str()) && !third {
            self.loose_archives.insert(name.to_lowercase());
        }
        if NATIVE_SOURCES.contains(&ext.as_str()) {
            self.has_native_source = true;
        }
        if ext == "pbl" || (ext.len() == 3 && ext.starts_with("sr")) {
            self.has_powerbuilder_source = true;
        }
        if JVM_SOURCES.contains(&ext.as_str()) {
            self.jvm_stems.insert(stem.clone());
            // The file's name, its top-level types, and Kotlin's `FileKt` class.
            let mut types: Vec<String> = vec![stem_of(&name).to_owned()];
            types.extend(f.types.iter().cloned());
            if ext == "kt" {
                types.push(format!("{}Kt", stem_of(&name)));
            }
            for ty in types {
                self.jvm_stems.insert(ty.to_lowercase());
                if let Some(p) = &f.package {
                    let key = format!("{}/{ty}", p.replace('.', "/"));
                    self.jvm_keys.entry(ty).or_default().push(key);
                }
            }
            if let Some(p) = &f.package
                && !third
            {
                let segs: Vec<&str> = p.split('.').collect();
                *prefixes
                    .entry(segs[..segs.len().min(2)].join("/"))
                    .or_default() += 1;
            }
        }
        if matches!(ext.as_str(), "csproj" | "vbproj") && !third {
            let project = name
                .rsplit_once('.')
                .map_or(name.as_str(), |(s, _)| s)
                .to_lowercase();
            if !public_namespace(&project) {
                self.own_net.insert(stem.clone());
                self.own_net.insert(project.clone());
            }
            self.net_projects.insert(project);
        }
        if !third {
            for n in &f.namespaces {
                let n = n.to_lowercase();
                let project = matches!(ext.as_str(), "csproj" | "vbproj");
                if public_namespace(&n) {
                    // A delivered project of a public library is its own source; a file
                    // declaring a public namespace is a patched copy.
                    if project {
                        self.net_projects.insert(n);
                    }
                    continue;
                }
                self.own_net
                    .insert(n.split('.').next().unwrap_or(&n).to_owned());
                self.own_net.insert(n.clone());
                if project {
                    self.net_projects.insert(n);
                }
            }
        }
        if let Some(d) = &f.dependency_text {
            let d = d.to_lowercase();
            self.dependency_words.extend(
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
            && !obfuscation::minified(&name, f)
            && !in_output_dir(path)
            && !obfuscation::is_tool_config(&name)
            && !obscured.contains(&names::display(path))
        {
            self.front_end_sources += 1;
        }
    }

    /// A JVM class (path inside a jar or the delivery, without `.class`) has a delivered source.
    pub(super) fn class_has_source(&self, class_path: &str) -> bool {
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

    pub(super) fn own_jvm_class(&self, class_path: &str) -> bool {
        self.own_jvm.iter().any(|p| {
            class_path.starts_with(&format!("{p}/")) || class_path.contains(&format!("/{p}/"))
        })
    }

    /// A library name (`commons-lang3-3.12.0`) is declared in a dependency list.
    pub(super) fn declared(&self, stem: &str) -> bool {
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

/// Whether a path is under a build-output folder (`dist/`, `target/`, …).
fn in_output_dir(path: &[u8]) -> bool {
    let mut comps = path.split(|b| *b == b'/');
    comps.next_back();
    comps.any(|c| {
        OUTPUT_DIRS
            .iter()
            .any(|d| c.eq_ignore_ascii_case(d.as_bytes()))
    })
}

/// Run the tree-wide detectors over every file's facts (sorted by path); `obscured` lists the
/// files already found encoded or obfuscated.
pub(super) fn run(
    scanner: &Scanner,
    delivery: &Delivery,
    facts: &BTreeMap<Vec<u8>, (u64, FileFacts)>,
    obscured: &BTreeSet<String>,
    per_file: &mut [Finding],
) -> Vec<Finding> {
    let tree = Tree::new(scanner, delivery, facts, obscured);
    protected_not_own(&tree, per_file);
    let mut out = Vec::new();
    // Loose class files without source, grouped by folder.
    let mut class_dirs: BTreeMap<String, (Vec<String>, usize)> = BTreeMap::new();
    for (path, (_, f)) in facts {
        let display = names::display(path);
        let ext = ext_of(path);
        let third = scanner.is_third_party(path);
        archives(&tree, delivery, path, f.magic, &display, third, &mut out);
        if third {
            continue;
        }
        if f.magic == Magic::Class || ext == "class" {
            binaries::loose_class(&tree, &display, &mut class_dirs);
            continue;
        }
        match (ext.as_str(), f.magic) {
            ("pyc" | "pyo" | "dcu", _) => {
                out.extend(binaries::compiled_script(&tree, path, &display, &ext));
            }
            ("pbd", _) if !tree.has_powerbuilder_source => {
                out.extend(binaries::compiled_script(&tree, path, &display, &ext));
            }
            (_, Magic::Pe { .. }) => out.extend(binaries::pe(&tree, path, &display, f)),
            (_, Magic::Elf | Magic::MachO | Magic::ArArchive | Magic::Wasm | Magic::Dex) => {
                out.extend(binaries::native(&tree, path, &display));
            }
            // Once per file: code found obfuscated is not reported as minified too.
            ("js" | "mjs" | "cjs" | "css", _) if !obscured.contains(&display) => {
                out.extend(obfuscation::minified_without_source(
                    &tree, path, &display, f,
                ));
            }
            _ => {}
        }
    }
    out.extend(binaries::class_folders(class_dirs));
    for f in &mut out {
        if f.path.as_deref().is_some_and(test_fixture) {
            fixture(f);
        }
    }
    out
}

/// A protected .NET assembly whose name is not in the namespaces of the delivered source (a
/// commercial component such as a PDF or database driver, protected by its own maker): a
/// warning naming it as probably third-party, not a denial. The vendor's own protected
/// assemblies (`Acme.His.*.dll` beside `namespace Acme.His`) stay denied.
fn protected_not_own(tree: &Tree<'_>, findings: &mut [Finding]) {
    for f in findings.iter_mut().filter(|f| {
        f.code == "source-obfuscated"
            && matches!(
                f.rule.as_deref(),
                Some("dotnet-obfuscator" | "dotnet-protected")
            )
    }) {
        let Some(path) = f.path.as_deref() else {
            continue;
        };
        let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
        let first = stem.split('.').next().unwrap_or(stem);
        if tree.own_net.contains(stem) || tree.own_net.contains(first) {
            continue;
        }
        f.severity = f.severity.min(crate::finding::Severity::Warn);
        f.message = format!(
            "not in the delivered source's namespaces, probably a third-party component protected by its maker: {}; ask the vendor what it is (name, maker, licence)",
            f.message
        );
        f.message_zh = format!(
            "不属于已交付源代码的命名空间，可能是其厂商自行加密保护的第三方组件：{}；请供应商说明其名称、厂商和许可",
            f.message_zh
        );
    }
}

/// Folders that hold test resources (`src/test/resources`, `test/fixtures`, `testdata`,
/// `__tests__`) or a .NET test project (`Acme.His.Tests/`).
pub(super) fn test_fixture(display: &str) -> bool {
    let outer = display
        .split("!/")
        .next()
        .unwrap_or(display)
        .to_ascii_lowercase();
    let comps: Vec<&str> = outer.split('/').collect();
    let dirs = &comps[..comps.len().saturating_sub(1)];
    dirs.iter().enumerate().any(|(i, c)| {
        matches!(
            *c,
            "testdata"
                | "test-data"
                | "test_data"
                | "__tests__"
                | "__fixtures__"
                | "fixtures"
                | "test-fixtures"
                | "testresources"
                | "test-resources"
                | "testfiles"
        ) || (matches!(*c, "test" | "tests")
            && dirs
                .get(i + 1)
                .is_some_and(|n| matches!(*n, "resources" | "fixtures" | "data" | "files")))
            || [
                ".tests",
                ".test",
                ".unittests",
                ".integrationtests",
                ".specs",
            ]
            .iter()
            .any(|s| c.ends_with(s))
    })
}

/// Test code: under Maven's or Gradle's `src/test/` (never packaged), a `test`/`tests` or
/// `__tests__` folder, a test-resource folder or a .NET test project, or a test source file
/// (`FooTest.java`, `FooTests.cs`, `foo_test.go`, `test_foo.py`, `foo.spec.ts`, `foo.test.js`).
pub(super) fn test_code(display: &str) -> bool {
    if test_fixture(display) {
        return true;
    }
    let lower = display.to_ascii_lowercase();
    let comps: Vec<&str> = lower.split('/').collect();
    let (name, dirs) = comps.split_last().unwrap_or((&"", &[]));
    let in_test_dir = dirs.windows(2).any(|w| w[0] == "src" && w[1] == "test")
        || dirs.iter().any(|d| {
            matches!(
                *d,
                "test" | "tests" | "__tests__" | "unittest" | "unittests"
            )
        });
    let stem = name.split('.').next().unwrap_or(name);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    let test_file = stem.ends_with("test") && ext == "java"
        || stem.ends_with("tests") && matches!(ext, "cs" | "java")
        || stem.ends_with("_test") && ext == "go"
        || stem.starts_with("test_") && ext == "py"
        || name.contains(".spec.")
        || name.contains(".test.");
    in_test_dir || test_file
}

/// A compiled test fixture: said so, and a warning rather than a denial.
pub(super) fn fixture(f: &mut Finding) {
    if !matches!(
        f.code.as_str(),
        "binary-without-source" | "binary-unattributed" | "source-obfuscated"
    ) {
        return;
    }
    f.severity = f.severity.min(crate::finding::Severity::Warn);
    f.message = format!("test fixture: {}", f.message);
    f.message_zh = format!(
        "测试用的编译文件（test fixture，不随系统部署）：{}",
        f.message_zh
    );
}

/// Archives inside the delivery: encrypted ones, and jars (also inside zips, one level deep)
/// of the vendor's own code. Third-party archives are checked for encryption only.
fn archives(
    tree: &Tree<'_>,
    delivery: &Delivery,
    path: &[u8],
    magic: Magic,
    display: &str,
    third: bool,
    out: &mut Vec<Finding>,
) {
    let ext = ext_of(path);
    // Through the delivery's handle: no link followed on any component.
    let open = || delivery.open_file(path);
    match magic {
        Magic::Zip => {
            if let Ok(l) = open().and_then(containers::list_zip_file) {
                if !l.encrypted.is_empty() {
                    out.push(encryption::encrypted_archive(display, "zip", &l.encrypted));
                }
                if JAR_LIKE.contains(&ext.as_str()) && !third {
                    out.extend(binaries::jar(tree, display, &l.names));
                }
                for (name, inner) in &l.nested {
                    let shown = format!("{display}!/{name}");
                    if !inner.encrypted.is_empty() {
                        out.push(encryption::encrypted_archive(
                            &shown,
                            "zip",
                            &inner.encrypted,
                        ));
                    }
                    let lower = name.to_ascii_lowercase();
                    let base = lower.rsplit('/').next().unwrap_or(&lower);
                    if !third
                        && JAR_LIKE.iter().any(|e| lower.ends_with(&format!(".{e}")))
                        && !tree.loose_archives.contains(base)
                    {
                        out.extend(binaries::jar(tree, &shown, &inner.names));
                    }
                }
            }
        }
        Magic::SevenZip
            if open()
                .and_then(containers::seven_zip_file_encrypted)
                .unwrap_or(false) =>
        {
            out.push(encryption::encrypted_archive(display, "7z", &[]));
        }
        Magic::Rar
            if open()
                .and_then(containers::rar_file_encrypted)
                .unwrap_or(false) =>
        {
            out.push(encryption::encrypted_archive(display, "RAR", &[]));
        }
        _ => {}
    }
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
