//! What the tree-wide pass needs to know about each file, learnt while the file streams by:
//! its type, the package or namespace a source declares, the shape of JavaScript and CSS, and
//! the text of dependency lists.

use super::post::DEPENDENCY_FILES;
use crate::delivery::names;
use crate::filetypes::Magic;

/// Facts about one file that the tree-wide pass needs.
#[derive(Debug, Clone)]
pub(super) struct FileFacts {
    pub(super) magic: Magic,
    /// `package a.b.c;` of a Java/Kotlin/Scala/Groovy file.
    pub(super) package: Option<String>,
    /// Top-level types a JVM source declares (`class OrderLine` beside `class Order`).
    pub(super) types: Vec<String>,
    /// `namespace A.B` of a C# / VB file; `<AssemblyName>` / `<RootNamespace>` of a project.
    pub(super) namespaces: Vec<String>,
    /// JavaScript / CSS: lines and the longest line, to tell minified bundles.
    pub(super) lines: u64,
    pub(super) longest_line: u64,
    /// The file starts with a licence banner (`/*!`, `@license`): a published library.
    pub(super) banner: bool,
    /// A dependency list's text (pom.xml, package.json, …), to recognise declared libraries.
    pub(super) dependency_text: Option<String>,
    /// A well-known library the file was identified as by its content (`ECharts 5.4.3`).
    pub(super) library: Option<String>,
    /// A .NET assembly's name and strong-name public key token (hex), from its metadata.
    pub(super) assembly_name: Option<String>,
    pub(super) public_key_token: Option<String>,
}

impl FileFacts {
    /// Nothing known yet but the file's type.
    pub(super) fn new(magic: Magic) -> FileFacts {
        FileFacts {
            magic,
            package: None,
            types: Vec::new(),
            namespaces: Vec::new(),
            lines: 0,
            longest_line: 0,
            banner: false,
            dependency_text: None,
            library: None,
            assembly_name: None,
            public_key_token: None,
        }
    }

    /// Learn what a text file's content says: `ext` is its lower-case extension, `path` its
    /// path in the delivery, `text` its content (up to the scan's limit).
    pub(super) fn learn_from_text(&mut self, ext: &str, path: &[u8], text: &[u8]) {
        match ext {
            "java" | "kt" | "scala" | "groovy" => {
                self.package = declaration(text, b"package ");
                self.types = top_level_types(text);
            }
            "cs" | "vb" => {
                for kw in [&b"namespace "[..], b"Namespace "] {
                    if let Some(n) = declaration(text, kw) {
                        self.namespaces.push(n);
                    }
                }
            }
            "csproj" | "vbproj" => {
                for tag in ["AssemblyName", "RootNamespace"] {
                    if let Some(v) = xml_value(text, tag) {
                        self.namespaces.push(v);
                    }
                }
            }
            "js" | "mjs" | "cjs" | "css" => {
                let mut longest = 0usize;
                let mut lines = 0u64;
                let mut start = 0usize;
                for i in memchr::memchr_iter(b'\n', text) {
                    longest = longest.max(i - start);
                    start = i + 1;
                    lines += 1;
                }
                longest = longest.max(text.len() - start);
                if start < text.len() {
                    lines += 1;
                }
                self.lines = lines;
                self.longest_line = longest as u64;
                self.banner = library_banner(&text[..text.len().min(1024)]);
            }
            _ => {}
        }
        let name = String::from_utf8_lossy(names::file_name(path)).to_lowercase();
        if matches!(ext, "csproj" | "vbproj") {
            // A project's `<Reference Include=…>` names any DLL, the vendor's own too: only
            // package references with a version declare a library.
            self.dependency_text = Some(project_packages(text));
        } else if DEPENDENCY_FILES.contains(&name.as_str()) || ext == "gradle" {
            self.dependency_text = Some(String::from_utf8_lossy(text).into_owned());
        }
    }
}

/// The packages a .NET project declares with a version: `<PackageReference Include="X"
/// Version="1.2">` (or a `<Version>` child), and NuGet package folders in `<HintPath>`
/// (`packages\X.1.2.3\lib\…`), one per line.
fn project_packages(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    let Ok(doc) = roxmltree::Document::parse(&text) else {
        return String::new();
    };
    let mut out = Vec::new();
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        match n.tag_name().name() {
            "PackageReference" => {
                let versioned = n.attribute("Version").is_some()
                    || n.attribute("VersionOverride").is_some()
                    || n.children().any(|c| c.tag_name().name() == "Version");
                if let Some(id) = n.attribute("Include").or_else(|| n.attribute("Update"))
                    && versioned
                {
                    out.push(id.to_owned());
                }
            }
            "HintPath" => {
                let p = n.text().unwrap_or("").replace('\\', "/");
                let mut comps = p.split('/');
                while let Some(c) = comps.next() {
                    if c.eq_ignore_ascii_case("packages")
                        && let Some(pkg) = comps.next()
                        && crate::filetypes::nuget_folder(pkg.as_bytes())
                    {
                        let id: Vec<&str> = pkg
                            .split('.')
                            .take_while(|s| !s.starts_with(|c: char| c.is_ascii_digit()))
                            .collect();
                        out.push(id.join("."));
                    }
                }
            }
            _ => {}
        }
    }
    out.join("\n")
}

/// The name after a `package ` / `namespace ` keyword at the start of a line in the first 64 KiB.
fn declaration(text: &[u8], kw: &[u8]) -> Option<String> {
    let head = &text[..text.len().min(64 << 10)];
    for line in head.split(|b| *b == b'\n') {
        let l = line.trim_ascii_start();
        if let Some(rest) = l.strip_prefix(kw) {
            let name: String = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_'))
                .map(|b| char::from(*b))
                .collect();
            if !name.is_empty() {
                return Some(name);
            }
        }
    }
    None
}

/// Types declared at the start of a line (top level) in a JVM source.
fn top_level_types(text: &[u8]) -> Vec<String> {
    const MODIFIERS: &[&str] = &[
        "public", "final", "abstract", "sealed", "data", "internal", "private", "open", "static",
        "strictfp", "enum", "inline", "value",
    ];
    const KINDS: &[&str] = &[
        "class",
        "interface",
        "enum",
        "object",
        "record",
        "@interface",
        "trait",
    ];
    let mut out = Vec::new();
    for line in text.split(|b| *b == b'\n') {
        if line.first().is_none_or(u8::is_ascii_whitespace) {
            continue;
        }
        let line = String::from_utf8_lossy(line);
        let mut words = line.split_whitespace();
        let mut w = words.next();
        while let Some(x) = w
            && MODIFIERS.contains(&x)
            && !KINDS.contains(&x)
        {
            w = words.next();
        }
        if let Some(kind) = w
            && KINDS.contains(&kind)
            && let Some(name) = words.next()
        {
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

/// A published library's header: a licence or copyright comment, or a version number.
fn library_banner(head: &[u8]) -> bool {
    let h = String::from_utf8_lossy(head).to_lowercase();
    let comment = h.trim_start().starts_with("/*") || h.trim_start().starts_with("//");
    h.contains("/*!")
        || h.contains("@license")
        || h.contains("@preserve")
        || (comment
            && (h.contains("licen")
                || h.contains("copyright")
                || h.contains("(c)")
                || regex_version().is_match(&h)))
}

fn regex_version() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"\bv?\d+\.\d+\.\d+").expect("valid regex"))
}

fn xml_value(text: &[u8], tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let i = memchr::memmem::find(text, open.as_bytes())? + open.len();
    let j = memchr::memchr(b'<', &text[i..])? + i;
    let v = String::from_utf8_lossy(&text[i..j]).trim().to_owned();
    (!v.is_empty() && !v.contains('$')).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations() {
        assert_eq!(
            declaration(b"// x\npackage com.acme.his;\n", b"package ").as_deref(),
            Some("com.acme.his")
        );
        assert_eq!(
            xml_value(
                b"<P><AssemblyName>Acme.His</AssemblyName></P>",
                "AssemblyName"
            )
            .as_deref(),
            Some("Acme.His")
        );
    }

    #[test]
    fn javascript_shape_and_types() {
        let mut f = FileFacts::new(Magic::Unknown);
        f.learn_from_text("js", b"web/app.min.js", b"/*! lib v1.2.3 */\nvar a=1;\n");
        assert_eq!((f.lines, f.longest_line, f.banner), (2, 17, true));
        let mut f = FileFacts::new(Magic::Unknown);
        f.learn_from_text(
            "java",
            b"src/Order.java",
            b"package com.acme;\npublic class Order {}\nfinal class OrderLine {}\n",
        );
        assert_eq!(f.package.as_deref(), Some("com.acme"));
        assert_eq!(f.types, ["Order", "OrderLine"]);
        let mut f = FileFacts::new(Magic::Unknown);
        f.learn_from_text("xml", b"his/pom.xml", b"<artifactId>x</artifactId>");
        assert!(f.dependency_text.is_some());
    }
}
