//! The build tools a delivery needs (Maven, Gradle, MSBuild/.NET SDK, npm, Go, …), from the
//! build files it holds, and the versions those files pin.
//!
//! Which file shows which tool (and where its version is read from):
//! - `pom.xml`: Maven and a JDK (`maven.compiler.release`/`source`/`target`, `java.version`,
//!   or the maven-compiler-plugin's `<release>`/`<source>`/`<target>`, `${…}` resolved from the
//!   pom's properties); `.mvn/wrapper/maven-wrapper.properties`: Maven's version, from
//!   `distributionUrl` (`…/apache-maven-3.9.6-bin.zip`).
//! - `build.gradle(.kts)`, `settings.gradle(.kts)`: Gradle and a JDK (`sourceCompatibility`,
//!   `JavaVersion.VERSION_1_8`, `JavaLanguageVersion.of(17)`);
//!   `gradle/wrapper/gradle-wrapper.properties`: Gradle's version (`gradle-8.5-bin.zip`).
//! - `*.sln`, `*.csproj`, `*.vbproj`, `*.fsproj`, `Directory.Build.props`: the .NET SDK
//!   (MSBuild, Visual Studio), its version from `TargetFramework(s)` `net6.0`/`netcoreapp3.1`;
//!   `net48` or `<TargetFrameworkVersion>v4.8` add the .NET Framework 4.8; `global.json`:
//!   the SDK's `sdk.version`.
//! - `package.json`: Node.js (`engines.node`) and its package manager: `packageManager`
//!   (`pnpm@8.1.0`, `yarn@3.6.4`, `npm@9.8.1`), else Yarn or pnpm when a `yarn.lock` or
//!   `pnpm-lock.yaml` sits in its folder or one above, else npm (`engines.npm`); `.nvmrc`,
//!   `.node-version`: Node.js's version.
//! - `go.mod`: Go, its `go` and `toolchain` lines.
//! - `pyproject.toml` (`requires-python`, Poetry's `python`), `setup.py` (`python_requires`),
//!   `Pipfile` (`python_version`), `requirements*.txt`, `.python-version`: Python.
//! - `CMakeLists.txt`: CMake (`cmake_minimum_required(VERSION …)`); `Makefile`: Make.
//!
//! A version is the first run of digits and dots in what the file writes (`>=18 <21` → `18`,
//! `^3.9` → `3.9`, `v18.17.0` → `18.17.0`); one without digits (`lts/*`) pins nothing. When
//! files pin different versions of one tool, the highest (component by component, numerically)
//! is kept, with the file that pins it as evidence: a build needs the newest its modules ask for.

use std::sync::LazyLock;

use regex::Regex;

use crate::text;

/// One build tool a delivery needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BuildTool {
    /// Its usual name: "Maven", "Gradle", ".NET SDK", "JDK", "Node.js", "npm", "Go", …
    pub name: String,
    /// Other names a document may use for it, lower case: "mvn", "apache maven", "java", …
    pub aliases: Vec<String>,
    /// The version a build file pins ("3.9.6", "1.8", "8.0.100"), when one does.
    pub version: Option<String>,
    /// The file that shows the tool is needed (or pins its version), readable form.
    pub evidence: String,
}

/// The aliases of each tool [`needed`] reports, lower case (the tool's own name is matched
/// too, without regard to case).
const ALIASES: &[(&str, &[&str])] = &[
    ("Maven", &["mvn", "mvnw", "apache maven"]),
    ("Gradle", &["gradlew"]),
    (
        "JDK",
        &["java", "jdk", "openjdk", "oracle jdk", "jre", "java se"],
    ),
    (
        ".NET SDK",
        &["dotnet", ".net", ".net core", "msbuild", "visual studio"],
    ),
    (".NET Framework", &["msbuild", "visual studio"]),
    ("Node.js", &["node", "nodejs"]),
    ("npm", &[]),
    ("Yarn", &[]),
    ("pnpm", &[]),
    ("Go", &["golang"]),
    ("Python", &["python3", "cpython"]),
    ("CMake", &[]),
    ("Make", &["gnu make", "gmake"]),
];

/// The largest build file read, in bytes (the dependency files' bound).
const MAX_BYTES: u64 = super::DEPENDENCY_MAX_BYTES;

/// The lower-cased file name of a `/`-separated path.
fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_lowercase()
}

/// Whether the file at `path` is one [`needed`] reads (build files, wrapper properties,
/// `global.json`, `.nvmrc`, …).
pub fn is_build_file(path: &[u8]) -> bool {
    let path = String::from_utf8_lossy(path);
    let name = file_name(&path);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(
        name.as_str(),
        "pom.xml"
            | "maven-wrapper.properties"
            | "build.gradle"
            | "build.gradle.kts"
            | "settings.gradle"
            | "settings.gradle.kts"
            | "gradle-wrapper.properties"
            | "directory.build.props"
            | "global.json"
            | "package.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | ".nvmrc"
            | ".node-version"
            | "go.mod"
            | "pyproject.toml"
            | "setup.py"
            | "pipfile"
            | ".python-version"
            | "cmakelists.txt"
            | "makefile"
            | "gnumakefile"
    ) || matches!(ext, "sln" | "csproj" | "vbproj" | "fsproj")
        || name.starts_with("requirements") && ext == "txt"
}

/// One sighting of a tool in one file.
struct Sighting {
    name: &'static str,
    version: Option<String>,
    file: String,
}

/// The build tools the build files `files` ((readable path, bytes) pairs, only those
/// [`is_build_file`] accepts, third-party folders already left out) need, one per tool,
/// sorted by name.
pub fn needed(files: &[(String, Vec<u8>)]) -> Vec<BuildTool> {
    let lock_dirs: Vec<(&str, &'static str)> = files
        .iter()
        .filter_map(|(p, _)| match file_name(p).as_str() {
            "yarn.lock" => Some((folder(p), "Yarn")),
            "pnpm-lock.yaml" => Some((folder(p), "pnpm")),
            _ => None,
        })
        .collect();
    let mut seen: Vec<Sighting> = Vec::new();
    for (path, bytes) in files {
        if bytes.len() as u64 > MAX_BYTES || !is_build_file(path.as_bytes()) {
            continue;
        }
        let (text, _) = text::decode(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut add = |name: &'static str, version: Option<String>| {
            seen.push(Sighting {
                name,
                version,
                file: path.clone(),
            });
        };
        read_file(path, text, &lock_dirs, &mut add);
    }
    merge(seen)
}

/// What one build file shows, passed to `add` as (tool, pinned version).
fn read_file(
    path: &str,
    text: &str,
    lock_dirs: &[(&str, &'static str)],
    add: &mut dyn FnMut(&'static str, Option<String>),
) {
    let name = file_name(path);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match name.as_str() {
        "pom.xml" => {
            add("Maven", None);
            add("JDK", pom_java(text));
        }
        "maven-wrapper.properties" => add("Maven", wrapper_version(text, "apache-maven-")),
        "gradle-wrapper.properties" => add("Gradle", wrapper_version(text, "gradle-")),
        "build.gradle" | "build.gradle.kts" | "settings.gradle" | "settings.gradle.kts" => {
            add("Gradle", None);
            add("JDK", gradle_java(text));
        }
        "global.json" => add(".NET SDK", global_json(text)),
        "directory.build.props" => dotnet_project(text, add),
        "package.json" => package_json(path, text, lock_dirs, add),
        "yarn.lock" => add("Yarn", None),
        "pnpm-lock.yaml" => add("pnpm", None),
        ".nvmrc" | ".node-version" => add("Node.js", version_in(text.lines().next().unwrap_or(""))),
        "go.mod" => go_mod(text, add),
        "pyproject.toml" => add("Python", pyproject(text)),
        "setup.py" => add("Python", capture(&SETUP_PY, text)),
        "pipfile" => add("Python", capture(&PIPFILE, text)),
        ".python-version" => add("Python", version_in(text.lines().next().unwrap_or(""))),
        "cmakelists.txt" => add("CMake", capture(&CMAKE, text)),
        "makefile" | "gnumakefile" => add("Make", None),
        _ if ext == "sln" => add(".NET SDK", None),
        _ if matches!(ext, "csproj" | "vbproj" | "fsproj") => dotnet_project(text, add),
        _ if name.starts_with("requirements") && ext == "txt" => add("Python", None),
        _ => {}
    }
}

/// One [`BuildTool`] per tool: the highest version seen, with the file that pins it (else the
/// first file that shows the tool), sorted by name.
fn merge(seen: Vec<Sighting>) -> Vec<BuildTool> {
    let mut out: Vec<BuildTool> = Vec::new();
    for s in seen {
        let version = s.version.filter(|v| !v.is_empty());
        if let Some(t) = out.iter_mut().find(|t| t.name == s.name) {
            let higher = match (&version, &t.version) {
                (Some(new), Some(old)) => compare_versions(new, old) == std::cmp::Ordering::Greater,
                (Some(_), None) => true,
                _ => false,
            };
            if higher {
                t.version = version;
                t.evidence = s.file;
            }
            continue;
        }
        let aliases = ALIASES
            .iter()
            .find(|(n, _)| *n == s.name)
            .map(|(_, a)| a.iter().map(|&x| x.to_owned()).collect())
            .unwrap_or_default();
        out.push(BuildTool {
            name: s.name.to_owned(),
            aliases,
            version,
            evidence: s.file,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Compare two versions component by component as numbers (`3.10` > `3.9`); a missing
/// component counts as 0, a non-numeric one as 0.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |v: &str| -> Vec<u64> {
        v.split(['.', '_', '-'])
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    let (a, b) = (parts(a), parts(b));
    for i in 0..a.len().max(b.len()) {
        let o = a
            .get(i)
            .copied()
            .unwrap_or(0)
            .cmp(&b.get(i).copied().unwrap_or(0));
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

/// The first run of digits and dots in `s`, without a trailing dot (`>=18 <21` → `18`).
pub fn version_in(s: &str) -> Option<String> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let rest = &s[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let v = rest[..end].trim_end_matches('.');
    (!v.is_empty()).then(|| v.to_owned())
}

fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn capture(re: &Regex, text: &str) -> Option<String> {
    re.captures(text)
        .and_then(|c| c.get(1))
        .and_then(|m| version_in(m.as_str()))
}

static SETUP_PY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"python_requires\s*=\s*['"]([^'"]+)['"]"#).expect("valid"));
static PIPFILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"python_(?:full_)?version\s*=\s*['"]([^'"]+)['"]"#).expect("valid")
});
static CMAKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)cmake_minimum_required\s*\(\s*VERSION\s+([0-9][0-9.]*)").expect("valid")
});
static GRADLE_JAVA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:sourceCompatibility|targetCompatibility)\s*=?\s*(?:JavaVersion\.VERSION_([0-9_]+)|['"]?([0-9][0-9.]*))|JavaLanguageVersion\.of\(\s*([0-9]+)\s*\)"#,
    )
    .expect("valid")
});

fn pom_java(text: &str) -> Option<String> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).ok()?;
    let project = doc.root_element();
    let props: Vec<(String, String)> = project
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "properties")
        .flat_map(|n| n.children().filter(roxmltree::Node::is_element))
        .map(|p| {
            (
                p.tag_name().name().to_owned(),
                p.text().unwrap_or("").trim().to_owned(),
            )
        })
        .collect();
    let keys = [
        "maven.compiler.release",
        "maven.compiler.source",
        "maven.compiler.target",
        "java.version",
    ];
    let from_props = keys
        .iter()
        .find_map(|k| props.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()));
    let from_plugin = || {
        let plugin = project.descendants().find(|n| {
            n.is_element()
                && n.tag_name().name() == "plugin"
                && n.children().any(|c| {
                    c.tag_name().name() == "artifactId"
                        && c.text().map(str::trim) == Some("maven-compiler-plugin")
                })
        })?;
        let config = plugin
            .children()
            .find(|c| c.tag_name().name() == "configuration")?;
        ["release", "source", "target"].iter().find_map(|k| {
            config
                .children()
                .find(|c| c.tag_name().name() == *k)
                .and_then(|c| c.text())
                .map(|t| t.trim().to_owned())
        })
    };
    let raw = from_props.or_else(from_plugin)?;
    let resolved = super::depfiles::extract::resolve_properties(&raw, &props);
    if resolved.contains("${") {
        return None;
    }
    version_in(&resolved)
}

fn gradle_java(text: &str) -> Option<String> {
    let c = GRADLE_JAVA.captures(text)?;
    if let Some(m) = c.get(1) {
        return version_in(&m.as_str().replace('_', "."));
    }
    c.get(2)
        .or_else(|| c.get(3))
        .and_then(|m| version_in(m.as_str()))
}

/// The version in a wrapper's `distributionUrl` file name after `prefix`
/// (`…/apache-maven-3.9.6-bin.zip` → `3.9.6`).
fn wrapper_version(text: &str, prefix: &str) -> Option<String> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("distributionUrl"))?;
    let file = line.rsplit('/').next()?;
    version_in(file.strip_prefix(prefix)?)
}

fn global_json(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    version_in(v.get("sdk")?.get("version")?.as_str()?)
}

/// A .NET project file (or `Directory.Build.props`): the .NET SDK, and the versions its target
/// frameworks name.
fn dotnet_project(text: &str, add: &mut dyn FnMut(&'static str, Option<String>)) {
    add(".NET SDK", None);
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let Ok(doc) = roxmltree::Document::parse_with_options(text, opts) else {
        return;
    };
    for node in doc.descendants().filter(roxmltree::Node::is_element) {
        let value = node.text().unwrap_or("").trim();
        match node.tag_name().name() {
            "TargetFramework" | "TargetFrameworks" => {
                for tfm in value.split(';').map(str::trim) {
                    if let Some((tool, v)) = target_framework(tfm) {
                        add(tool, Some(v));
                    }
                }
            }
            "TargetFrameworkVersion" => add(".NET Framework", version_in(value)),
            _ => {}
        }
    }
}

/// The tool and version a target framework moniker needs: `net6.0`, `net8.0-windows`,
/// `netcoreapp3.1` → the .NET SDK; `net48`, `net472` → the .NET Framework `4.8`, `4.7.2`.
/// `netstandard2.0` needs neither in particular.
fn target_framework(tfm: &str) -> Option<(&'static str, String)> {
    let tfm = tfm.to_ascii_lowercase();
    if let Some(v) = tfm.strip_prefix("netcoreapp") {
        return Some((".NET SDK", version_in(v)?));
    }
    let v = tfm.strip_prefix("net")?;
    if !v.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let v = v.split('-').next().unwrap_or(v);
    if v.contains('.') {
        return Some((".NET SDK", version_in(v)?));
    }
    // net48 → 4.8, net472 → 4.7.2: one digit per component.
    let dotted: Vec<String> = v.chars().map(String::from).collect();
    Some((".NET Framework", dotted.join(".")))
}

fn package_json(
    path: &str,
    text: &str,
    lock_dirs: &[(&str, &'static str)],
    add: &mut dyn FnMut(&'static str, Option<String>),
) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        add("Node.js", None);
        return;
    };
    let engine = |k: &str| {
        v.get("engines")
            .and_then(|e| e.get(k))
            .and_then(serde_json::Value::as_str)
            .and_then(version_in)
    };
    add("Node.js", engine("node"));
    if let Some(pm) = v.get("packageManager").and_then(serde_json::Value::as_str) {
        let (tool, version) = pm.split_once('@').unwrap_or((pm, ""));
        let tool = match tool.trim() {
            "pnpm" => Some("pnpm"),
            "yarn" => Some("Yarn"),
            "npm" => Some("npm"),
            _ => None,
        };
        if let Some(tool) = tool {
            add(tool, version_in(version));
            return;
        }
    }
    let dir = folder(path);
    let lock = lock_dirs
        .iter()
        .find(|(d, _)| d.is_empty() || dir == *d || dir.starts_with(&format!("{d}/")));
    match lock {
        Some((_, tool)) => add(tool, engine(&tool.to_lowercase())),
        None => add("npm", engine("npm")),
    }
}

fn go_mod(text: &str, add: &mut dyn FnMut(&'static str, Option<String>)) {
    let mut version = None;
    for line in text.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("go ") {
            version = version.or_else(|| version_in(v));
        } else if let Some(v) = line.strip_prefix("toolchain go") {
            // The toolchain line pins the exact release the build uses.
            version = version_in(v).or(version);
        }
    }
    add("Go", version);
}

fn pyproject(text: &str) -> Option<String> {
    let t: toml::Table = toml::from_str(text).ok()?;
    let project = t
        .get("project")
        .and_then(|p| p.get("requires-python"))
        .and_then(toml::Value::as_str);
    let poetry = || {
        t.get("tool")?
            .get("poetry")?
            .get("dependencies")?
            .get("python")?
            .as_str()
    };
    version_in(project.or_else(poetry)?)
}

#[cfg(test)]
mod tests;
