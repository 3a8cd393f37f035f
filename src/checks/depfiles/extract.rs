//! The dependencies a dependency file declares: names and versions, per ecosystem. Each reader
//! takes decoded text and returns what it finds; text a reader cannot parse yields nothing.
//!
//! Rules (each from the tool that reads the file):
//! - Maven `pom.xml`: `<dependency>` elements under the project's (or a profile's)
//!   `<dependencies>` and `<dependencyManagement>`, not a plugin's; `${name}` resolved from the
//!   same pom's `<properties>`, and `${project.version}`, `${project.groupId}` (with the
//!   `<parent>`'s when the project omits them), up to [`MAX_EXPANSIONS`] levels.
//! - NuGet: `packages.config` `<package id version>`; `.csproj`/`.vbproj`/`.fsproj`
//!   `<PackageReference Include Version>` (the version as attribute or child element);
//!   `Directory.Packages.props` `<PackageVersion Include Version>`.
//! - npm `package.json`: `dependencies`, `devDependencies`, `peerDependencies`,
//!   `optionalDependencies`; versions as written.
//! - PyPI `requirements*.txt`: one PEP 508 requirement a line, options (`-r`, `-e`, `--hash`),
//!   URLs, paths and comments skipped; extras and environment markers dropped; an exact `==`
//!   version kept bare, any other specifier kept as written.
//! - Go `go.mod`: `require` lines and blocks, `// indirect` ones included.

use super::Declared;

/// How many times a `${…}` reference is expanded inside one value (a property naming another).
pub const MAX_EXPANSIONS: usize = 8;

/// What one file contributes: its declarations, and the names it gives the delivery's own
/// modules (a pom's `groupId:artifactId`, a package.json's `name`, a go.mod's `module`, a
/// project file's name), to be left out.
#[derive(Debug, Default)]
pub struct FileDeps {
    pub deps: Vec<Declared>,
    pub own: Vec<(String, String)>,
}

/// The kinds of file read, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pom,
    PackagesConfig,
    Project,
    PackagesProps,
    PackageJson,
    Requirements,
    GoMod,
}

impl Kind {
    /// The kind of the file at `path` (a readable, `/`-separated path), if it is one read here.
    pub fn of(path: &str) -> Option<Kind> {
        let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        Some(match name.as_str() {
            "pom.xml" => Kind::Pom,
            "packages.config" => Kind::PackagesConfig,
            "directory.packages.props" => Kind::PackagesProps,
            "package.json" => Kind::PackageJson,
            "go.mod" => Kind::GoMod,
            _ if matches!(ext, "csproj" | "vbproj" | "fsproj") => Kind::Project,
            _ if name.starts_with("requirements") && ext == "txt" => Kind::Requirements,
            _ => return None,
        })
    }
}

/// Read the text of one file of `kind`; `file` is its readable path, written into each entry.
pub fn read(kind: Kind, text: &str, file: &str) -> FileDeps {
    match kind {
        Kind::Pom => pom(text, file),
        Kind::PackagesConfig | Kind::Project | Kind::PackagesProps => nuget(kind, text, file),
        Kind::PackageJson => package_json(text, file),
        Kind::Requirements => requirements(text, file),
        Kind::GoMod => go_mod(text, file),
    }
}

fn entry(name: &str, version: Option<String>, ecosystem: &str, file: &str) -> Declared {
    Declared {
        name: name.to_owned(),
        version: version.filter(|v| !v.is_empty()),
        ecosystem: ecosystem.to_owned(),
        file: file.to_owned(),
    }
}

fn parse_xml(text: &str) -> Option<roxmltree::Document<'_>> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, opts).ok()
}

/// The text of the first child element of `node` named `name` (local name), trimmed.
fn child_text<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
        .and_then(|c| c.text())
        .map(str::trim)
}

fn pom(text: &str, file: &str) -> FileDeps {
    let Some(doc) = parse_xml(text) else {
        return FileDeps::default();
    };
    let project = doc.root_element();
    let parent = project
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "parent");
    let group =
        child_text(project, "groupId").or_else(|| parent.and_then(|p| child_text(p, "groupId")));
    let version =
        child_text(project, "version").or_else(|| parent.and_then(|p| child_text(p, "version")));
    let mut props: Vec<(String, String)> = Vec::new();
    for p in project
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "properties")
        .flat_map(|n| n.children().filter(roxmltree::Node::is_element))
    {
        props.push((
            p.tag_name().name().to_owned(),
            p.text().unwrap_or("").trim().to_owned(),
        ));
    }
    for (key, value) in [
        ("project.version", version),
        ("pom.version", version),
        ("version", version),
        ("project.groupId", group),
        ("pom.groupId", group),
        (
            "project.parent.version",
            parent.and_then(|p| child_text(p, "version")),
        ),
    ] {
        if let Some(v) = value {
            props.push((key.to_owned(), v.to_owned()));
        }
    }
    let resolve = |s: &str| resolve_properties(s, &props);
    let mut out = FileDeps::default();
    if let (Some(g), Some(a)) = (group, child_text(project, "artifactId")) {
        out.own
            .push(("maven".to_owned(), format!("{}:{a}", resolve(g))));
    }
    for dep in project
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "dependency")
        .filter(|n| declared_dependency(*n))
    {
        let (Some(g), Some(a)) = (child_text(dep, "groupId"), child_text(dep, "artifactId")) else {
            continue;
        };
        let version = child_text(dep, "version").map(resolve);
        let name = format!("{}:{}", resolve(g), resolve(a));
        out.deps.push(entry(&name, version, "maven", file));
    }
    out
}

/// Whether a `<dependency>` is the project's own: under `<dependencies>` whose parent is the
/// project, `<dependencyManagement>` or a `<profile>` (a plugin's dependencies are the build's).
fn declared_dependency(dep: roxmltree::Node<'_, '_>) -> bool {
    let Some(list) = dep.parent_element() else {
        return false;
    };
    if list.tag_name().name() != "dependencies" {
        return false;
    }
    let Some(owner) = list.parent_element() else {
        return false;
    };
    match owner.tag_name().name() {
        "dependencyManagement" | "profile" => true,
        "project" => owner.parent_element().is_none(),
        _ => false,
    }
}

/// Replace each `${name}` of `value` defined in `props` (first definition wins), repeatedly up
/// to [`MAX_EXPANSIONS`] times; an undefined one is kept as written.
pub fn resolve_properties(value: &str, props: &[(String, String)]) -> String {
    let mut current = value.to_owned();
    for _ in 0..MAX_EXPANSIONS {
        let mut out = String::with_capacity(current.len());
        let mut rest = current.as_str();
        let mut changed = false;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let key = &after[..end];
            match props.iter().find(|(k, _)| k == key) {
                Some((_, v)) => {
                    out.push_str(v);
                    changed = true;
                }
                None => out.push_str(&rest[start..=start + 2 + end]),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        // A value expanding without bound (a property naming itself) stops growing here.
        if !changed || out.len() > 4096 {
            return out;
        }
        current = out;
    }
    current
}

fn nuget(kind: Kind, text: &str, file: &str) -> FileDeps {
    let Some(doc) = parse_xml(text) else {
        return FileDeps::default();
    };
    let (element, id_attr) = match kind {
        Kind::PackagesConfig => ("package", "id"),
        Kind::PackagesProps => ("PackageVersion", "Include"),
        _ => ("PackageReference", "Include"),
    };
    let mut out = FileDeps::default();
    if kind == Kind::Project {
        // A project's name (its file name without extension) is the package id it packs to.
        let name = file.rsplit('/').next().unwrap_or(file);
        if let Some((stem, _)) = name.rsplit_once('.') {
            out.own.push(("nuget".to_owned(), stem.to_owned()));
        }
    }
    for node in doc
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == element)
    {
        let Some(id) = node
            .attribute(id_attr)
            .or_else(|| node.attribute("Update"))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        let version = node
            .attribute("Version")
            .or_else(|| node.attribute("version"))
            .or_else(|| child_text(node, "Version"))
            .map(str::to_owned);
        out.deps.push(entry(id, version, "nuget", file));
    }
    out
}

const NPM_SECTIONS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

fn package_json(text: &str, file: &str) -> FileDeps {
    let Ok(serde_json::Value::Object(top)) = serde_json::from_str::<serde_json::Value>(text) else {
        return FileDeps::default();
    };
    let mut out = FileDeps::default();
    if let Some(name) = top.get("name").and_then(serde_json::Value::as_str) {
        out.own.push(("npm".to_owned(), name.to_owned()));
    }
    for section in NPM_SECTIONS {
        let Some(serde_json::Value::Object(deps)) = top.get(section) else {
            continue;
        };
        for (name, version) in deps {
            let version = version.as_str().map(str::to_owned);
            out.deps.push(entry(name, version, "npm", file));
        }
    }
    out
}

/// PEP 503 normalised form of a Python package name: lower case, each run of `-`, `_`, `.`
/// one `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn requirements(text: &str, file: &str) -> FileDeps {
    let mut out = FileDeps::default();
    let mut logical = String::new();
    for raw in text.lines() {
        if let Some(cont) = raw.strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(raw);
        let line = std::mem::take(&mut logical);
        if let Some(d) = requirement(&line, file) {
            out.deps.push(d);
        }
    }
    if let Some(d) = requirement(&logical, file) {
        out.deps.push(d);
    }
    out
}

fn requirement(line: &str, file: &str) -> Option<Declared> {
    let line = if line.trim_start().starts_with('#') {
        ""
    } else {
        match line.find(" #").or_else(|| line.find("\t#")) {
            Some(i) => &line[..i],
            None => line,
        }
    };
    let line = line.trim();
    if line.is_empty()
        || line.starts_with('-')
        || line
            .split_whitespace()
            .next()
            .is_some_and(|t| t.contains("://"))
        || line.starts_with('.')
        || line.starts_with('/')
    {
        return None;
    }
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut rest = line[name_end..].trim_start();
    if let Some(r) = rest.strip_prefix('[') {
        rest = r
            .split_once(']')
            .map_or("", |(_, after)| after)
            .trim_start();
    }
    // Options after the requirement (`--hash=…`), then an environment marker.
    let rest = rest.split(" --").next().unwrap_or("");
    let spec = rest.split(';').next().unwrap_or("").trim();
    let version = if spec.starts_with('@') {
        None
    } else {
        let spec: String = spec
            .trim_start_matches('(')
            .trim_end_matches(')')
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        match spec.strip_prefix("===").or_else(|| spec.strip_prefix("==")) {
            Some(exact) if !exact.contains(',') => Some(exact.to_owned()),
            _ => Some(spec),
        }
    };
    Some(entry(name, version, "pypi", file))
}

fn go_mod(text: &str, file: &str) -> FileDeps {
    let mut out = FileDeps::default();
    let mut in_require = false;
    let mut in_block = false;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if in_block {
            if line == ")" {
                in_block = false;
                in_require = false;
            } else if in_require {
                go_require(line, file, &mut out);
            }
            continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match word {
            "module" => out
                .own
                .push(("go".to_owned(), rest.trim_matches('"').to_owned())),
            _ if rest == "(" => {
                in_block = true;
                in_require = word == "require";
            }
            "require" => go_require(rest, file, &mut out),
            _ => {}
        }
    }
    out
}

fn go_require(fields: &str, file: &str, out: &mut FileDeps) {
    let mut it = fields.split_whitespace();
    if let (Some(path), Some(version)) = (it.next(), it.next()) {
        let path = path.trim_matches('"');
        out.deps
            .push(entry(path, Some(version.to_owned()), "go", file));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        assert_eq!(Kind::of("a/b/pom.xml"), Some(Kind::Pom));
        assert_eq!(Kind::of("Web/Web.CSPROJ"), Some(Kind::Project));
        assert_eq!(Kind::of("requirements-dev.txt"), Some(Kind::Requirements));
        assert_eq!(
            Kind::of("Directory.Packages.props"),
            Some(Kind::PackagesProps)
        );
        assert_eq!(Kind::of("notes.txt"), None);
        assert_eq!(Kind::of("build.gradle"), None);
    }

    #[test]
    fn properties_resolve_and_stop() {
        let props = vec![
            ("a".to_owned(), "${b}".to_owned()),
            ("b".to_owned(), "1.2".to_owned()),
            ("loop".to_owned(), "x${loop}".to_owned()),
        ];
        assert_eq!(resolve_properties("${a}", &props), "1.2");
        assert_eq!(resolve_properties("v${missing}", &props), "v${missing}");
        assert_eq!(resolve_properties("${unclosed", &props), "${unclosed");
        let looped = resolve_properties("${loop}", &props);
        assert!(
            looped.len() <= 4096 + 16 && looped.starts_with("xxx"),
            "{looped}"
        );
    }

    #[test]
    fn pep503_names() {
        assert_eq!(pep503("Python_Dateutil"), "python-dateutil");
        assert_eq!(pep503("zope.interface"), "zope-interface");
        assert_eq!(pep503("a--_.b"), "a-b");
    }

    #[test]
    fn requirement_lines() {
        let r = |l: &str| requirement(l, "r.txt").map(|d| (d.name, d.version));
        assert_eq!(
            r("requests==2.31.0"),
            Some(("requests".into(), Some("2.31.0".into())))
        );
        assert_eq!(
            r("uvicorn[standard] >= 0.29, <1 ; python_version >= \"3.8\""),
            Some(("uvicorn".into(), Some(">=0.29,<1".into())))
        );
        assert_eq!(r("flask"), Some(("flask".into(), None)));
        assert_eq!(r("# flask==1"), None);
        assert_eq!(r("-r base.txt"), None);
        assert_eq!(r("https://x.invalid/p.whl"), None);
        assert_eq!(
            r("pkg @ https://x.invalid/p.whl"),
            Some(("pkg".into(), None))
        );
        assert_eq!(
            r("certifi==2024.2.2   --hash=sha256:abc"),
            Some(("certifi".into(), Some("2024.2.2".into())))
        );
    }
}
