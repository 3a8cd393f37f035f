//! Modules from the delivery's build structure: Maven reactors, Gradle settings, Visual Studio
//! solutions, npm/pnpm/Yarn workspaces, Python packages, Go modules; otherwise the top-level
//! folders holding source code.
//!
//! One pass over the file list sorts out the build files (by name, see [`reads`]) and the
//! source files (the checks' default extensions and MyBatis mapper XML, as
//! [`crate::checks::modules::is_source`] counts them). Each build system's reader turns its
//! build files into declared modules; `settle` then decides which are modules and which
//! globs select each one's files, and groups the source files no build file declares by
//! top-level folder.
//!
//! Folders that are never modules, and whose files are neither counted nor grouped: third-party
//! folders as the scan knows them ([`crate::filetypes::is_third_party`]: `node_modules`,
//! `vendor`, NuGet's `packages/Name.1.2.3`, `site-packages`, `.m2`, …), build outputs
//! ([`BUILD_OUTPUT_DIRS`]: `target`, `bin`, `obj`, `dist`, …) and hidden folders (`.git`,
//! `.idea`, `.mvn`, …). Build files under test resources (`src/test/resources/`) are fixtures
//! of a test, not modules.

mod dotnet;
mod golang;
mod gradle;
mod maven;
mod node;
mod python;
mod settle;

pub(crate) use settle::slug;

use std::borrow::Cow;
use std::collections::HashSet;

use super::{BuildSystem, DetectedModule, FileInfo, Files};

/// Build files larger than this (bytes) are not read: no real `pom.xml`, solution or
/// `package.json` comes near it.
pub const BUILD_FILE_MAX: u64 = 4 * 1024 * 1024;

/// Folder names (any depth, ASCII case ignored) of build outputs: Maven's `target`, .NET's
/// `bin` and `obj`, front-end bundles' `dist`, Python's `__pycache__`. Never a module; their
/// files are not counted.
pub const BUILD_OUTPUT_DIRS: &[&str] = &["target", "bin", "obj", "dist", "__pycache__"];

/// The file names (ASCII case ignored) of build files [`detect`] reads.
const BUILD_FILE_NAMES: &[&str] = &[
    "pom.xml",
    "settings.gradle",
    "settings.gradle.kts",
    "build.gradle",
    "build.gradle.kts",
    "assemblyinfo.cs",
    "assemblyinfo.vb",
    "package.json",
    "pnpm-workspace.yaml",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "go.mod",
    "go.work",
];

/// The extensions (lower case) of Visual Studio solutions and project files [`detect`] reads.
const VS_EXTENSIONS: &[&str] = &[
    "sln", "csproj", "vbproj", "vcxproj", "vcproj", "fsproj", "sqlproj",
];

/// Whether [`detect`] may read the bytes of the file at `path` (relative to the delivery root,
/// `/` between folders): a build file by name (`pom.xml`, `settings.gradle(.kts)`,
/// `build.gradle(.kts)`, `*.sln`, `*.csproj`/`*.vbproj`/`*.vcxproj`/`*.vcproj`/`*.fsproj`/
/// `*.sqlproj`, `AssemblyInfo.cs`/`.vb`, `package.json`, `pnpm-workspace.yaml`,
/// `pyproject.toml`, `setup.py`, `setup.cfg`, `go.mod`, `go.work`), outside third-party
/// folders, build outputs, hidden folders and test resources. A caller streaming an archive
/// keeps the bytes of these files only (at most [`BUILD_FILE_MAX`] bytes each).
pub fn reads(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    let by_name = BUILD_FILE_NAMES.contains(&name.as_str())
        || name
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && VS_EXTENSIONS.contains(&ext));
    by_name && !outside(path) && !test_resource(path)
}

/// Whether a path lies in a folder that is never a module: third-party, build output, hidden.
fn outside(path: &str) -> bool {
    let mut dirs = path.split('/');
    dirs.next_back();
    dirs.any(|c| c.starts_with('.') || BUILD_OUTPUT_DIRS.iter().any(|d| c.eq_ignore_ascii_case(d)))
        || crate::filetypes::is_third_party(path.as_bytes(), &globset::GlobSet::empty())
}

/// Whether a path lies under a Maven or Gradle project's test resources.
fn test_resource(path: &str) -> bool {
    path.starts_with("src/test/resources/") || path.contains("/src/test/resources/")
}

/// A module a build file declares, before [`settle`] decides which are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Declared {
    /// Its folder, `""` for the delivery root.
    root: String,
    /// What declared it.
    system: BuildSystem,
    /// Every name the build files give it, the best for people first (without the folder's
    /// name, which [`settle`] adds).
    names: Vec<String>,
    /// What its id is made from (artifactId, project or package name, folder).
    id_hint: String,
    /// One line: what declared it and where.
    found: String,
    /// It lists other modules (a Maven reactor, a Gradle build with `include`s, a workspace
    /// root): the files directly in its folder are its build scripts, not a module's sources.
    aggregator: bool,
    /// It builds no code of its own (a Maven pom with packaging `pom`): never a module itself;
    /// code in its folder outside its modules is grouped by folder.
    no_code: bool,
    /// Only a guess (a Python package folder with no setup file): dropped when any other
    /// declared module covers its folder.
    weak: bool,
}

impl Declared {
    fn new(root: &str, system: BuildSystem, found: String) -> Self {
        Declared {
            root: root.to_owned(),
            system,
            names: Vec::new(),
            id_hint: String::new(),
            found,
            aggregator: false,
            no_code: false,
            weak: false,
        }
    }

    /// Adds a name unless it is empty, a Maven/Gradle placeholder (`${…}`) or already there.
    fn name(&mut self, name: &str) {
        let n = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if !n.is_empty() && !n.contains("${") && !self.names.contains(&n) {
            self.names.push(n);
        }
    }
}

/// The delivery as the build-file readers see it.
struct Tree<'a> {
    files: &'a dyn Files,
    /// Every file, sorted by path.
    list: &'a [FileInfo],
    /// The build files ([`reads`]), sorted by path.
    build: Vec<&'a str>,
    /// Folders holding an `__init__.py`, outside third-party and build-output folders.
    init_py: HashSet<&'a str>,
    /// The common folder of every file ([`base`]).
    base: String,
}

impl Tree<'_> {
    /// The build files whose name (ASCII case ignored) satisfies `pred`.
    fn build_files(&self, pred: impl Fn(&str) -> bool) -> impl Iterator<Item = &str> {
        self.build
            .iter()
            .copied()
            .filter(move |p| pred(&file_name(p).to_ascii_lowercase()))
    }

    /// The text of a build file: a BOM is honoured; without one, UTF-8, else GB18030 (a
    /// superset of GBK, what Chinese Windows tools write). `None` when it cannot be read.
    fn text(&self, path: &str) -> Option<String> {
        self.files.read(path, BUILD_FILE_MAX).map(|b| decode(&b))
    }

    /// Whether the delivery has a file at `path`.
    fn exists(&self, path: &str) -> bool {
        self.list
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .is_ok()
    }

    /// Whether the delivery has a file under folder `dir` (`""`: any file).
    fn has_under(&self, dir: &str) -> bool {
        if dir.is_empty() {
            return !self.list.is_empty();
        }
        let prefix = format!("{dir}/");
        let i = self
            .list
            .partition_point(|f| f.path.as_str() < prefix.as_str());
        self.list
            .get(i)
            .is_some_and(|f| f.path.starts_with(&prefix))
    }
}

/// The common folder of every file of `list` (`""` when they do not share one): in a sorted
/// list, the common folder of the first and the last. A delivery packed inside one folder
/// (`HIS-V3.2/…`) is grouped by the folders inside it.
fn base(list: &[FileInfo]) -> String {
    let (Some(head), Some(tail)) = (list.first(), list.last()) else {
        return String::new();
    };
    let a: Vec<&str> = parent(&head.path).split('/').collect();
    let b: Vec<&str> = parent(&tail.path).split('/').collect();
    let n = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    a[..n].join("/")
}

/// Text from bytes: see [`Tree::text`].
fn decode(bytes: &[u8]) -> String {
    if let Some((enc, len)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[len..])
            .0
            .into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// The last component of a `/`-separated path.
fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, n)| n)
}

/// The folder of a path, `""` at the root.
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// `dir` joined with a relative path as a build file writes it (`\` or `/` between folders,
/// `.` and `..` allowed), normalised; `None` when it leaves the delivery or is absolute.
fn join(dir: &str, rel: &str) -> Option<String> {
    let rel = rel.trim().replace('\\', "/");
    if rel.starts_with('/') || rel.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|c| !c.is_empty()).collect();
    for c in rel.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// `dir/name`, or `name` at the root.
fn child(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// The modules of a delivery, in path order (the root module, if any, first). Reads only the
/// build files (see [`reads`]); one pass over the file list, then work in proportion to the
/// build files and, for modules nested in others, to the files under them.
pub fn detect(files: &dyn Files) -> Vec<DetectedModule> {
    // The list is sorted by path; a caller that sorted it otherwise (by bytes before decoding
    // names, by components) gets a sorted copy: look-ups below search it.
    let list: Cow<[FileInfo]> = if files.list().is_sorted_by(|a, b| a.path <= b.path) {
        Cow::Borrowed(files.list())
    } else {
        let mut v = files.list().to_vec();
        v.sort_by(|a, b| a.path.cmp(&b.path));
        Cow::Owned(v)
    };
    let list: &[FileInfo] = &list;
    let mut build = Vec::new();
    let mut init_py = HashSet::new();
    let mut sources = Vec::new();
    let extensions: Vec<String> = crate::filetypes::DEFAULT_SOURCE_EXTENSIONS
        .iter()
        .map(|e| (*e).to_owned())
        .collect();
    for f in list {
        let path = f.path.as_str();
        if outside(path) {
            continue;
        }
        let is_build = reads(path);
        if is_build {
            build.push(path);
        } else if file_name(path) == "__init__.py" {
            init_py.insert(parent(path));
        }
        if let Some(ext) = crate::checks::modules::is_source(path.as_bytes(), &extensions) {
            sources.push(settle::Source::new(path, ext, is_build));
        }
    }
    let tree = Tree {
        files,
        list,
        build,
        init_py,
        base: base(list),
    };
    let mut declared = maven::detect(&tree);
    declared.extend(gradle::detect(&tree));
    declared.extend(dotnet::detect(&tree));
    declared.extend(golang::detect(&tree));
    declared.extend(python::detect(&tree));
    declared.extend(node::detect(&tree));
    settle::settle(declared, &sources, list, &tree.base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::MemFiles;

    const JAVA: &str = "package his;\nclass A {}\n";

    fn detect_in(files: &[(&str, &str)]) -> Vec<DetectedModule> {
        detect(&MemFiles::new(
            files.iter().map(|(p, c)| (*p, c.as_bytes())),
        ))
    }

    /// `(id, paths, build system)` of each module.
    fn shape(modules: &[DetectedModule]) -> Vec<(String, Vec<String>, BuildSystem)> {
        modules
            .iter()
            .map(|m| (m.id.clone(), m.paths.clone(), m.build_system))
            .collect()
    }

    fn of(id: &str, paths: &[&str], system: BuildSystem) -> (String, Vec<String>, BuildSystem) {
        (
            id.to_owned(),
            paths.iter().map(|p| (*p).to_owned()).collect(),
            system,
        )
    }

    fn module<'a>(modules: &'a [DetectedModule], id: &str) -> &'a DetectedModule {
        modules
            .iter()
            .find(|m| m.id == id)
            .unwrap_or_else(|| panic!("no module {id} in {modules:#?}"))
    }

    fn pom(artifact: &str, extra: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\
             <modelVersion>4.0.0</modelVersion><parent><artifactId>parent</artifactId></parent>\
             <artifactId>{artifact}</artifactId>{extra}</project>"
        )
    }

    #[test]
    fn reads_build_files_only_outside_third_party_code() {
        for p in [
            "pom.xml",
            "his/his-register/pom.xml",
            "emr/settings.gradle.kts",
            "emr/core/build.gradle",
            "lis/LIS.sln",
            "lis/Client/LIS.Client.csproj",
            "lis/Old/Old.VBPROJ",
            "lis/Client/Properties/AssemblyInfo.cs",
            "web/package.json",
            "web/pnpm-workspace.yaml",
            "ai/pyproject.toml",
            "ai/setup.py",
            "ai/setup.cfg",
            "gw/go.mod",
            "go.work",
        ] {
            assert!(reads(p), "{p}");
        }
        for p in [
            "web/node_modules/vue/package.json",
            "his/target/classes/META-INF/maven/his/his-register/pom.xml",
            "his/his-register/src/test/resources/fixture/pom.xml",
            "lis/packages/Newtonsoft.Json.12.0.1/Newtonsoft.Json.csproj",
            "lis/Client/obj/project.assets.json",
            "vendor/github.com/x/go.mod",
            ".idea/package.json",
            "web/src/App.vue",
            "his/README.md",
            ".sln",
        ] {
            assert!(!reads(p), "{p}");
        }
    }

    fn his_reactor() -> Vec<(String, String)> {
        let mut files = vec![
            (
                "his/pom.xml".to_owned(),
                pom(
                    "his",
                    "<packaging>pom</packaging><name>医院信息系统</name>\
                     <modules><module>his-register</module><module>his-charge</module></modules>\
                     <profiles><profile><id>full</id><modules><module>his-pharmacy</module>\
                     </modules></profile></profiles>",
                ),
            ),
            ("his/mvnw.cmd".to_owned(), "@echo off\n".to_owned()),
            (
                "his/deploy/start.bat".to_owned(),
                "java -jar his.jar\n".to_owned(),
            ),
        ];
        for (m, name) in [
            ("his-register", "挂号管理"),
            ("his-charge", "收费管理"),
            ("his-pharmacy", "药房管理"),
        ] {
            files.push((
                format!("his/{m}/pom.xml"),
                pom(
                    m,
                    &format!("<name>{name}</name><description>{name}模块</description>"),
                ),
            ));
            files.push((
                format!("his/{m}/src/main/java/his/App.java"),
                JAVA.to_owned(),
            ));
        }
        files.push((
            "his/his-charge/src/main/resources/mapper/ChargeMapper.xml".to_owned(),
            "<mapper/>".to_owned(),
        ));
        files
    }

    fn detect_owned(files: &[(String, String)]) -> Vec<DetectedModule> {
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        detect_in(&refs)
    }

    #[test]
    fn a_maven_reactor_gives_its_leaf_modules_not_itself() {
        let found = detect_owned(&his_reactor());
        assert_eq!(
            shape(&found),
            [
                // Everything sits in his/: its folders are the groups.
                of("deploy", &["his/deploy/**"], BuildSystem::Folder),
                of("his-charge", &["his/his-charge/**"], BuildSystem::Maven),
                of("his-pharmacy", &["his/his-pharmacy/**"], BuildSystem::Maven),
                of("his-register", &["his/his-register/**"], BuildSystem::Maven),
            ]
        );
        let register = module(&found, "his-register");
        assert_eq!(register.name, "挂号管理");
        assert_eq!(register.root, "his/his-register");
        assert_eq!(register.names, ["挂号管理", "his-register", "挂号管理模块"]);
        assert_eq!(
            register.found,
            "Maven module \"his-register\" <name>挂号管理</name> in his/his-register/pom.xml, \
             listed in his/pom.xml"
        );
        let charge = module(&found, "his-charge");
        assert_eq!(charge.source_files, 2);
        assert_eq!(
            charge.languages,
            [("java".to_owned(), 1), ("xml (mapper)".to_owned(), 1)]
        );
        // Listed in a profile only, still a module of the reactor.
        assert!(
            module(&found, "his-pharmacy")
                .found
                .ends_with("listed in his/pom.xml")
        );
    }

    #[test]
    fn a_single_maven_project_at_the_root() {
        let found = detect_in(&[
            ("pom.xml", &pom("his-lite", "<packaging>jar</packaging>")),
            ("src/main/java/his/App.java", JAVA),
            ("README.md", "# HIS\n"),
        ]);
        assert_eq!(shape(&found), [of("his-lite", &["**"], BuildSystem::Maven)]);
        assert_eq!(found[0].root, "");
        assert_eq!(found[0].found, "Maven project \"his-lite\" in pom.xml");
    }

    #[test]
    fn a_pom_that_does_not_parse_leaves_its_folder_to_the_fallback() {
        let found = detect_in(&[
            (
                "his/pom.xml",
                &pom(
                    "his",
                    "<packaging>pom</packaging><modules><module>a</module></modules>",
                ),
            ),
            ("his/a/pom.xml", "<project><artifactId>a</artifactId>"),
            ("his/a/src/main/java/A.java", JAVA),
            ("emr/Main.java", JAVA),
        ]);
        assert_eq!(
            shape(&found),
            [
                of("emr", &["emr/**"], BuildSystem::Folder),
                of("his", &["his/**"], BuildSystem::Folder),
            ]
        );
    }

    #[test]
    fn build_files_in_test_resources_and_build_outputs_are_not_modules() {
        let found = detect_in(&[
            ("pom.xml", &pom("his-api", "")),
            ("src/main/java/A.java", JAVA),
            ("src/test/resources/project/pom.xml", &pom("fixture", "")),
            ("src/test/resources/project/src/main/java/F.java", JAVA),
            (
                "target/classes/META-INF/maven/his/his-api/pom.xml",
                &pom("his-api-copy", ""),
            ),
            ("target/generated-sources/G.java", JAVA),
        ]);
        assert_eq!(shape(&found), [of("his-api", &["**"], BuildSystem::Maven)]);
        // The fixture is the project's test code; the build output is not counted.
        assert_eq!(found[0].source_files, 2);
    }

    #[test]
    fn folders_without_build_files_sql_and_documents() {
        let found = detect_in(&[
            ("install.sh", "#!/bin/sh\n"),
            ("README.md", "# 交付说明\n"),
            ("db/oracle/01_tables.sql", "create table t (id int);\n"),
            ("db/oracle/02_data.sql", "insert into t values (1);\n"),
            ("docs/设计说明书.docx", "PK"),
            ("docs/接口.pdf", "%PDF"),
            ("门诊/Main.java", JAVA),
            ("门诊/ui/Form.java", JAVA),
            ("pacs/src/viewer.cpp", "int main() {}\n"),
            ("pacs/src/viewer.h", "#pragma once\n"),
            ("pacs/sql/init.sql", "create table s (id int);\n"),
        ]);
        assert_eq!(
            shape(&found),
            [
                of("root", &["*"], BuildSystem::Folder),
                of("pacs", &["pacs/**"], BuildSystem::Folder),
                of("men-zhen", &["门诊/**"], BuildSystem::Folder),
            ]
        );
        let pacs = module(&found, "pacs");
        assert_eq!(pacs.source_files, 3);
        assert_eq!(
            pacs.languages,
            [
                ("cpp".to_owned(), 1),
                ("h".to_owned(), 1),
                ("sql".to_owned(), 1)
            ]
        );
        assert_eq!(module(&found, "men-zhen").name, "门诊");
        assert!(found[0].found.contains("at the root"), "{}", found[0].found);
    }

    #[test]
    fn gradle_settings_and_a_lone_build_file() {
        let found = detect_in(&[
            (
                "emr/settings.gradle",
                "rootProject.name = 'emr'\ninclude ':emr-core', ':emr-web'\n\
                 include ':emr-api'\nproject(':emr-api').projectDir = file('api')\n",
            ),
            ("emr/build.gradle", "allprojects { group = 'his' }\n"),
            ("emr/gradlew.bat", "@echo off\n"),
            (
                "emr/emr-core/build.gradle",
                "description = '电子病历核心'\n",
            ),
            ("emr/emr-core/src/main/java/Core.java", JAVA),
            ("emr/emr-web/build.gradle.kts", "plugins { java }\n"),
            ("emr/emr-web/src/main/kotlin/Web.kt", "fun main() {}\n"),
            ("emr/api/src/main/java/Api.java", JAVA),
            ("emr/buildSrc/build.gradle", "plugins { id 'groovy' }\n"),
            ("tools/build.gradle", "apply plugin: 'java'\n"),
            ("tools/src/main/java/Tool.java", JAVA),
        ]);
        assert_eq!(
            shape(&found),
            [
                of("emr-api", &["emr/api/**"], BuildSystem::Gradle),
                of("emr-core", &["emr/emr-core/**"], BuildSystem::Gradle),
                of("emr-web", &["emr/emr-web/**"], BuildSystem::Gradle),
                of("tools", &["tools/**"], BuildSystem::Gradle),
            ]
        );
        let core = module(&found, "emr-core");
        assert_eq!(core.names, ["emr-core", "电子病历核心"]);
        assert_eq!(
            core.found,
            "Gradle project :emr-core in emr/emr-core/, included by emr/settings.gradle"
        );
        assert_eq!(
            module(&found, "tools").found,
            "Gradle project in tools/build.gradle"
        );
    }

    const SLN: &str = "\u{feff}\r\nMicrosoft Visual Studio Solution File, Format Version 12.00\r\n\
        Project(\"{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}\") = \"LIS.Client\", \"Client\\LIS.Client.csproj\", \"{11111111-1111-1111-1111-111111111111}\"\r\nEndProject\r\n\
        Project(\"{F184B08F-C81C-45F6-A57F-5ABD9991F28F}\") = \"LIS.Report\", \"Report\\LIS.Report.vbproj\", \"{22222222-2222-2222-2222-222222222222}\"\r\nEndProject\r\n\
        Project(\"{2150E333-8FDC-42A3-9474-1A3956D46DE8}\") = \"Client\", \"Client\", \"{33333333-3333-3333-3333-333333333333}\"\r\nEndProject\r\n\
        Project(\"{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}\") = \"Lib\", \"packages\\Lib.1.0.0\\src\\Lib.csproj\", \"{55555555-5555-5555-5555-555555555555}\"\r\nEndProject\r\n\
        Project(\"{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}\") = \"Gone\", \"Gone\\Gone.csproj\", \"{44444444-4444-4444-4444-444444444444}\"\r\nEndProject\r\n";

    #[test]
    fn a_visual_studio_solution_and_a_lone_project() {
        let found = detect_in(&[
            ("lis/LIS.sln", SLN),
            (
                "lis/Client/LIS.Client.csproj",
                "<Project><PropertyGroup><AssemblyName>LisClient</AssemblyName>\
                 <RootNamespace>LIS.Client</RootNamespace></PropertyGroup></Project>",
            ),
            (
                "lis/Client/Properties/AssemblyInfo.cs",
                "[assembly: AssemblyTitle(\"检验客户端\")]\n",
            ),
            ("lis/Client/Form1.cs", "class Form1 {}\n"),
            ("lis/Client/bin/Debug/LisClient.exe", "MZ"),
            ("lis/Client/obj/Debug/Form1.g.cs", "// generated\n"),
            ("lis/Report/LIS.Report.vbproj", "<Project/>"),
            ("lis/Report/Report.vb", "Module Report\nEnd Module\n"),
            ("lis/Docs/说明.docx", "PK"),
            ("lis/packages/Lib.1.0.0/src/Lib.csproj", "<Project/>"),
            ("lis/packages/Lib.1.0.0/src/Lib.cs", "class Lib {}\n"),
            (
                "tools/Sync/Sync.csproj",
                "<Project Sdk=\"Microsoft.NET.Sdk\"/>",
            ),
            ("tools/Sync/Program.cs", "class P {}\n"),
        ]);
        assert_eq!(
            shape(&found),
            [
                of("lis-client", &["lis/Client/**"], BuildSystem::VisualStudio),
                of("lis-report", &["lis/Report/**"], BuildSystem::VisualStudio),
                of("sync", &["tools/Sync/**"], BuildSystem::VisualStudio),
            ]
        );
        let client = module(&found, "lis-client");
        assert_eq!(client.name, "检验客户端");
        assert_eq!(
            client.names,
            ["检验客户端", "LIS.Client", "LisClient", "Client"]
        );
        assert_eq!(
            client.found,
            "Visual Studio project \"LIS.Client\" (AssemblyTitle 检验客户端) in \
             lis/Client/LIS.Client.csproj, listed in lis/LIS.sln"
        );
        // bin/ and obj/ are build outputs.
        assert_eq!(client.source_files, 2);
    }

    #[test]
    fn a_pnpm_workspace_and_its_packages() {
        let found = detect_in(&[
            (
                "web/pnpm-workspace.yaml",
                "packages:\n  - 'packages/*'\n  - 'apps/*'\n  - '!apps/playground'\n",
            ),
            (
                "web/package.json",
                r#"{"name": "his-web", "private": true}"#,
            ),
            ("web/vite.config.ts", "export default {}\n"),
            (
                "web/apps/outpatient/package.json",
                r#"{"name": "@his/outpatient", "description": "门诊工作站"}"#,
            ),
            ("web/apps/outpatient/src/App.vue", "<template/>\n"),
            (
                "web/apps/playground/package.json",
                r#"{"name": "playground"}"#,
            ),
            ("web/apps/playground/src/main.ts", "export {}\n"),
            ("web/packages/ui/package.json", r#"{"name": "@his/ui"}"#),
            ("web/packages/ui/src/Button.tsx", "export {}\n"),
            (
                "web/node_modules/vue/package.json",
                r#"{"name": "vue", "workspaces": ["packages/*"]}"#,
            ),
            ("web/node_modules/vue/index.js", "module.exports = {}\n"),
            (
                "web/node_modules/vue/packages/x/package.json",
                r#"{"name": "x"}"#,
            ),
            ("web/node_modules/vue/packages/x/x.js", "\n"),
        ]);
        // The package the workspace leaves out is code of the workspace root's own.
        assert_eq!(
            shape(&found),
            [
                of(
                    "his-web",
                    &["web/*", "web/apps/playground/**"],
                    BuildSystem::Pnpm
                ),
                of(
                    "his-outpatient",
                    &["web/apps/outpatient/**"],
                    BuildSystem::Pnpm
                ),
                of("his-ui", &["web/packages/ui/**"], BuildSystem::Pnpm),
            ]
        );
        let outpatient = module(&found, "his-outpatient");
        assert_eq!(outpatient.name, "@his/outpatient");
        assert_eq!(
            outpatient.names,
            ["@his/outpatient", "门诊工作站", "outpatient"]
        );
        assert_eq!(
            outpatient.found,
            "pnpm workspace package \"@his/outpatient\" in web/apps/outpatient/package.json, \
             listed in web/pnpm-workspace.yaml"
        );
    }

    #[test]
    fn npm_and_yarn_workspaces_and_lone_packages() {
        let found = detect_in(&[
            (
                "mobile/package.json",
                r#"{"name": "mobile", "workspaces": {"packages": ["apps/*"]}}"#,
            ),
            ("mobile/yarn.lock", "# yarn lockfile v1\n"),
            ("mobile/apps/nurse/package.json", r#"{"name": "nurse"}"#),
            ("mobile/apps/nurse/index.js", "\n"),
            (
                "admin/package.json",
                r#"{"name": "admin", "workspaces": ["libs/*"]}"#,
            ),
            ("admin/libs/auth/package.json", r#"{"name": "auth"}"#),
            ("admin/libs/auth/index.ts", "\n"),
            (
                "front/package.json",
                r#"{"name": "his-front", "description": "前端"}"#,
            ),
            ("front/src/main.js", "\n"),
            (
                "front/src/components/chart/package.json",
                r#"{"name": "chart"}"#,
            ),
            ("front/src/components/chart/index.js", "\n"),
        ]);
        assert_eq!(
            shape(&found),
            [
                of("auth", &["admin/libs/auth/**"], BuildSystem::Npm),
                of("his-front", &["front/**"], BuildSystem::Npm),
                of("nurse", &["mobile/apps/nurse/**"], BuildSystem::Yarn),
            ]
        );
        assert_eq!(module(&found, "his-front").source_files, 2);
    }

    #[test]
    fn python_projects_and_package_folders() {
        let found = detect_in(&[
            (
                "ai/pyproject.toml",
                "[project]\nname = \"his-ai\"\ndescription = \"影像辅助诊断\"\n",
            ),
            ("ai/his_ai/__init__.py", ""),
            ("ai/his_ai/model.py", "x = 1\n"),
            (
                "sync/setup.py",
                "from setuptools import setup\nsetup(name='his-sync')\n",
            ),
            ("sync/his_sync/__init__.py", ""),
            ("report/__init__.py", ""),
            ("report/daily.py", "print(1)\n"),
            ("report/sub/__init__.py", ""),
            ("scripts/plugins/__init__.py", ""),
            ("scripts/plugins/backup.py", "print(2)\n"),
        ]);
        assert_eq!(
            shape(&found),
            [
                of("his-ai", &["ai/**"], BuildSystem::Python),
                of("report", &["report/**"], BuildSystem::Python),
                of("scripts", &["scripts/**"], BuildSystem::Folder),
                of("his-sync", &["sync/**"], BuildSystem::Python),
            ]
        );
        assert_eq!(
            module(&found, "his-ai").names,
            ["his-ai", "影像辅助诊断", "ai"]
        );
        assert_eq!(module(&found, "report").source_files, 3);
    }

    #[test]
    fn go_modules_and_a_workspace() {
        let found = detect_in(&[
            ("go.work", "go 1.22\nuse (\n\t./gateway\n\t./jobs\n)\n"),
            (
                "gateway/go.mod",
                "module example.com/his/gateway/v2\n\ngo 1.22\n",
            ),
            ("gateway/main.go", "package main\n"),
            (
                "gateway/vendor/github.com/x/y/go.mod",
                "module github.com/x/y\n",
            ),
            ("gateway/vendor/github.com/x/y/y.go", "package y\n"),
            ("jobs/go.mod", "module his-jobs\n"),
            ("jobs/cmd/run/main.go", "package main\n"),
        ]);
        assert_eq!(
            shape(&found),
            [
                of("gateway", &["gateway/**"], BuildSystem::Go),
                of("his-jobs", &["jobs/**"], BuildSystem::Go),
            ]
        );
        let gateway = module(&found, "gateway");
        assert_eq!(
            gateway.found,
            "Go module \"example.com/his/gateway/v2\" in gateway/go.mod, used by go.work"
        );
        assert_eq!(gateway.source_files, 1);
    }

    #[test]
    fn a_front_end_inside_a_maven_module_keeps_its_own_globs() {
        let found = detect_in(&[
            ("pom.xml", &pom("his-web", "<name>门户</name>")),
            ("mvnw", "#!/bin/sh\n"),
            ("src/main/java/Web.java", JAVA),
            ("src/main/resources/application.yml", "server:\n"),
            ("src/main/frontend/package.json", r#"{"name": "portal-ui"}"#),
            ("src/main/frontend/src/App.vue", "<template/>\n"),
            ("src/main/frontend/src/main.ts", "\n"),
        ]);
        assert_eq!(
            shape(&found),
            [
                of(
                    "his-web",
                    &["*", "src/main/java/**", "src/main/resources/**"],
                    BuildSystem::Maven
                ),
                of("portal-ui", &["src/main/frontend/**"], BuildSystem::Npm),
            ]
        );
        assert_eq!(found[0].source_files, 1);
        assert_eq!(found[1].source_files, 2);
    }

    #[test]
    fn modules_nested_too_finely_to_tell_apart_join_the_outer_one() {
        let mut files = vec![
            (
                "emr/settings.gradle".to_owned(),
                "rootProject.name = 'emr'\n".to_owned(),
            ),
            ("emr/src/main/java/Emr.java".to_owned(), JAVA.to_owned()),
            ("emr/legacy/pom.xml".to_owned(), pom("legacy", "")),
            (
                "emr/legacy/src/main/java/Old.java".to_owned(),
                JAVA.to_owned(),
            ),
        ];
        for i in 0..super::settle::MAX_GLOBS {
            files.push((format!("emr/f{i:02}/x.txt"), "x".to_owned()));
        }
        let found = detect_owned(&files);
        assert_eq!(shape(&found), [of("emr", &["emr/**"], BuildSystem::Gradle)]);
        assert_eq!(found[0].source_files, 2);
        assert!(found[0].names.contains(&"legacy".to_owned()));
        assert!(
            found[0].found.contains("including 1 module"),
            "{}",
            found[0].found
        );
        // Two folders less (`emr/*` and `emr/src/**` are the other globs), and the Maven
        // module stays apart.
        files.retain(|(p, _)| p != "emr/f00/x.txt" && p != "emr/f01/x.txt");
        let found = detect_owned(&files);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].paths, ["emr/legacy/**"]);
        assert_eq!(found[0].paths.len(), super::settle::MAX_GLOBS);
    }

    #[test]
    fn third_party_folders_are_never_modules() {
        let found = detect_in(&[
            ("node_modules/lodash/package.json", r#"{"name": "lodash"}"#),
            ("node_modules/lodash/lodash.js", "\n"),
            ("vendor/github.com/x/y/go.mod", "module github.com/x/y\n"),
            ("vendor/github.com/x/y/y.go", "package y\n"),
            (
                "packages/Newtonsoft.Json.12.0.1/src/Newtonsoft.Json.csproj",
                "<Project/>",
            ),
            ("packages/Newtonsoft.Json.12.0.1/src/JsonReader.cs", "\n"),
            ("third_party/zlib/zlib.c", "\n"),
            ("bower_components/jquery/jquery.js", "\n"),
            ("dist/app.min.js", "\n"),
            (".m2/repository/org/x/x/1.0/x-1.0.pom", "<project/>"),
            ("his/his-core/src/main/java/his/vendor/Vendor.java", JAVA),
        ]);
        assert_eq!(shape(&found), [of("his", &["his/**"], BuildSystem::Folder)]);
        assert_eq!(found[0].source_files, 1);
    }

    #[test]
    fn a_list_sorted_otherwise_is_sorted_first() {
        struct Unsorted(MemFiles, Vec<FileInfo>);
        impl Files for Unsorted {
            fn list(&self) -> &[FileInfo] {
                &self.1
            }
            fn read(&self, path: &str, max: u64) -> Option<Vec<u8>> {
                self.0.read(path, max)
            }
        }
        let inner = MemFiles::new([
            ("a-b/x.c", "\n"),
            ("lis/Client/Form1.cs", "\n"),
            ("lis/Client/LIS.Client.csproj", "<Project/>"),
            ("lis/LIS.sln", SLN),
            ("lis/Report/LIS.Report.vbproj", "<Project/>"),
            ("lis/Report/Report.vb", "\n"),
            ("z/y.c", "\n"),
        ]);
        let mut list = inner.list().to_vec();
        list.reverse();
        let found = detect(&Unsorted(inner, list));
        assert_eq!(
            shape(&found),
            [
                of("a-b", &["a-b/**"], BuildSystem::Folder),
                of("lis-client", &["lis/Client/**"], BuildSystem::VisualStudio),
                of("lis-report", &["lis/Report/**"], BuildSystem::VisualStudio),
                of("z", &["z/**"], BuildSystem::Folder),
            ]
        );
        assert!(found[1].found.ends_with("listed in lis/LIS.sln"));
    }

    #[test]
    fn ids_are_ascii_and_unique() {
        let found = detect_in(&[
            ("a/pom.xml", &pom("his-core", "")),
            ("a/src/main/java/A.java", JAVA),
            ("b/pom.xml", &pom("his-core", "")),
            ("b/src/main/java/B.java", JAVA),
            ("住院/Main.java", JAVA),
            ("住院_/Main.java", JAVA),
            ("★/Main.java", JAVA),
        ]);
        let ids: Vec<&str> = found.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "his-core",
                "his-core-2",
                "module-3",
                "zhu-yuan",
                "zhu-yuan-2"
            ]
        );
        assert_eq!(found[2].name, "★");
    }

    #[test]
    fn a_delivery_inside_one_folder_is_grouped_below_it() {
        let found = detect_in(&[
            ("HIS-V3.2/门诊/Main.java", JAVA),
            ("HIS-V3.2/住院/Main.java", JAVA),
            ("HIS-V3.2/build.bat", "@echo off\n"),
        ]);
        assert_eq!(
            shape(&found),
            [
                of("his-v3-2", &["HIS-V3.2/*"], BuildSystem::Folder),
                of("zhu-yuan", &["HIS-V3.2/住院/**"], BuildSystem::Folder),
                of("men-zhen", &["HIS-V3.2/门诊/**"], BuildSystem::Folder),
            ]
        );
    }

    /// A delivery that counts what is read.
    struct Counting {
        inner: MemFiles,
        read: std::cell::RefCell<Vec<String>>,
    }

    impl Files for Counting {
        fn list(&self) -> &[FileInfo] {
            self.inner.list()
        }

        fn read(&self, path: &str, max: u64) -> Option<Vec<u8>> {
            self.read.borrow_mut().push(path.to_owned());
            self.inner.read(path, max)
        }
    }

    #[test]
    fn only_build_files_are_read() {
        let mut files = his_reactor();
        files.push((
            "web/package.json".to_owned(),
            r#"{"name":"web"}"#.to_owned(),
        ));
        files.push(("web/src/a.js".to_owned(), "\n".to_owned()));
        files.push((
            "web/node_modules/x/package.json".to_owned(),
            r#"{"name":"x"}"#.to_owned(),
        ));
        for i in 0..2000 {
            files.push((format!("kernel/d{}/f{i}.c", i % 40), "int x;\n".to_owned()));
            files.push((
                format!("kernel/d{}/Makefile", i % 40),
                "obj-y += f.o\n".to_owned(),
            ));
        }
        let counting = Counting {
            inner: MemFiles::new(files),
            read: std::cell::RefCell::default(),
        };
        let found = detect(&counting);
        let mut read = counting.read.into_inner();
        read.sort();
        read.dedup();
        assert!(read.iter().all(|p| reads(p)), "{read:?}");
        assert_eq!(read.len(), 5, "{read:?}");
        let kernel = module(&found, "kernel");
        assert_eq!(kernel.source_files, 2000);
        assert_eq!(kernel.languages, [("c".to_owned(), 2000)]);
    }

    #[test]
    fn a_gbk_pom_with_a_bom_free_declaration() {
        let (gbk, _, _) = encoding_rs::GBK.encode(
            "<?xml version=\"1.0\" encoding=\"GBK\"?><project><artifactId>his-pharmacy</artifactId>\
             <name>药房管理</name></project>",
        );
        let bytes: Vec<(&str, Vec<u8>)> = vec![
            ("pom.xml", gbk.into_owned()),
            ("src/main/java/A.java", JAVA.as_bytes().to_vec()),
        ];
        let found = detect(&MemFiles::new(bytes));
        assert_eq!(found[0].name, "药房管理");
        // UTF-8 with a BOM, as Windows editors write it.
        let bom = format!("\u{feff}{}", pom("his-charge", "<name>收费管理</name>"));
        let found = detect_in(&[("pom.xml", &bom), ("src/main/java/A.java", JAVA)]);
        assert_eq!(found[0].name, "收费管理");
    }

    #[test]
    fn a_folder_around_declared_modules_names_the_rest_or_takes_them_in() {
        let mut files = his_reactor();
        files.push(("emr/Main.java".to_owned(), JAVA.to_owned()));
        let found = detect_owned(&files);
        // his/ is no module; its code outside the reactor's modules is.
        let his = module(&found, "his");
        assert_eq!(his.paths, ["his/deploy/**"]);
        assert_eq!(his.build_system, BuildSystem::Folder);
        // The reactor's names, for matching the contract.
        assert_eq!(his.names, ["医院信息系统", "his"]);
        assert_eq!(his.source_files, 1);
        assert_eq!(found.len(), 5);
        // Code in more folders than globs allow: his/ takes its modules in.
        for i in 0..super::settle::MAX_GLOBS {
            files.push((format!("his/tool{i:02}/t.py"), "\n".to_owned()));
        }
        let found = detect_owned(&files);
        assert_eq!(
            shape(&found),
            [
                of("emr", &["emr/**"], BuildSystem::Folder),
                of("his", &["his/**"], BuildSystem::Folder),
            ]
        );
        let his = module(&found, "his");
        // start.bat, the tools, mvnw.cmd, and the modules' three classes and a mapper.
        assert_eq!(his.source_files, 1 + 12 + 1 + 4);
        assert!(
            his.names.contains(&"挂号管理".to_owned()),
            "{:?}",
            his.names
        );
        assert!(his.found.contains("including 3 module(s)"), "{}", his.found);
    }

    #[test]
    fn a_hospital_delivery_with_every_kind_of_build() {
        let mut files = his_reactor();
        let more: &[(&str, &str)] = &[
            (
                "emr/settings.gradle",
                "rootProject.name = 'emr'\ninclude 'emr-core'\n",
            ),
            ("emr/emr-core/build.gradle", "description = '电子病历'\n"),
            ("emr/emr-core/src/main/java/Emr.java", JAVA),
            ("lis/LIS.sln", SLN),
            ("lis/Client/LIS.Client.csproj", "<Project/>"),
            ("lis/Client/Form1.cs", "class Form1 {}\n"),
            ("lis/Report/LIS.Report.vbproj", "<Project/>"),
            ("lis/Report/Report.vb", "Module R\nEnd Module\n"),
            ("lis/packages/NPOI.2.5.1/lib/NPOI.dll", "MZ"),
            ("web/pnpm-workspace.yaml", "packages:\n  - apps/*\n"),
            ("web/package.json", r#"{"name": "his-web"}"#),
            ("web/vite.config.ts", "export default {}\n"),
            (
                "web/apps/nurse/package.json",
                r#"{"name": "nurse", "description": "护士站"}"#,
            ),
            ("web/apps/nurse/src/App.vue", "<template/>\n"),
            (
                "web/node_modules/.pnpm/vue@3/node_modules/vue/package.json",
                r#"{"name": "vue"}"#,
            ),
            (
                "web/node_modules/.pnpm/vue@3/node_modules/vue/index.js",
                "\n",
            ),
            ("db/mysql/his.sql", "create table t (id int);\n"),
            ("docs/部署手册.docx", "PK"),
            ("interface/hl7/Hl7.java", JAVA),
            ("interface/webservice/Ws.java", JAVA),
        ];
        files.extend(more.iter().map(|(p, c)| ((*p).to_owned(), (*c).to_owned())));
        let found = detect_owned(&files);
        assert_eq!(
            shape(&found),
            [
                of("emr-core", &["emr/emr-core/**"], BuildSystem::Gradle),
                of("his", &["his/deploy/**"], BuildSystem::Folder),
                of("his-charge", &["his/his-charge/**"], BuildSystem::Maven),
                of("his-pharmacy", &["his/his-pharmacy/**"], BuildSystem::Maven),
                of("his-register", &["his/his-register/**"], BuildSystem::Maven),
                of("interface", &["interface/**"], BuildSystem::Folder),
                of("lis-client", &["lis/Client/**"], BuildSystem::VisualStudio),
                of("lis-report", &["lis/Report/**"], BuildSystem::VisualStudio),
                of("nurse", &["web/apps/nurse/**"], BuildSystem::Pnpm),
            ]
        );
        assert_eq!(module(&found, "nurse").names, ["nurse", "护士站"]);
        assert_eq!(module(&found, "interface").source_files, 2);
    }

    #[test]
    fn a_package_folder_under_a_setup_file_is_part_of_its_project() {
        let found = detect_in(&[
            (
                "setup.py",
                "setup(name='his-sync', description='数据同步')\n",
            ),
            ("his_sync/__init__.py", ""),
            ("his_sync/jobs.py", "\n"),
            ("tests/__init__.py", ""),
            ("tests/test_jobs.py", "\n"),
        ]);
        assert_eq!(
            shape(&found),
            [of("his-sync", &["**"], BuildSystem::Python)]
        );
        assert_eq!(found[0].names, ["his-sync", "数据同步"]);
        assert_eq!(found[0].source_files, 5);
    }
}
