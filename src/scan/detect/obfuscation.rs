//! Obfuscation (`source-obfuscated`): .NET assemblies processed by an obfuscator, ProGuard-style
//! name-mangled Java classes, minified bundles whose source is not delivered, and the
//! obfuscation line rules.

use std::collections::BTreeSet;

use super::LineCode;
use crate::finding::Finding;
use crate::scan::facts::FileFacts;
use crate::scan::inspect::FileScan;
use crate::scan::post::{Tree, fname, parent_of};

/// How the line engine treats obfuscation rules: once per file, not in third-party code
/// (published libraries ship minified or obfuscated builds).
pub(super) const LINE: LineCode = LineCode {
    code: "source-obfuscated",
    once_per_file: true,
    skip_third_party: true,
    text: |en, zh| (en.to_owned(), zh.to_owned()),
};

/// Marker strings .NET obfuscators leave in the assemblies they process.
pub(in crate::scan) const DOTNET_MARKERS: &[(&str, &str)] = &[
    ("ConfusedByAttribute", "ConfuserEx"),
    ("ConfuserEx", "ConfuserEx"),
    ("DotfuscatorAttribute", "Dotfuscator"),
    ("SmartAssembly.Attributes", "SmartAssembly"),
    ("PoweredByAttribute", "SmartAssembly"),
    ("Eazfuscator", "Eazfuscator.NET"),
    ("BabelObfuscatorAttribute", "Babel Obfuscator"),
    ("BabelAttribute", "Babel Obfuscator"),
    ("CryptoObfuscator", "Crypto Obfuscator"),
    ("ObfuscatedByGoliath", "Goliath .NET"),
    ("Xenocode.Client", "Xenocode"),
    ("YanoAttribute", "Yano"),
    ("AgileDotNetRT", "Agile.NET"),
    ("NETGuard", ".NETGuard"),
    ("DNGuard", "DNGuard HVM"),
    ("MaxtoCodeAttribute", "MaxtoCode"),
    ("ObfuscatedByCliSecureAttribute", "Agile.NET"),
    ("ProcessedByXenocode", "Xenocode"),
    ("NineRays.Obfuscator", "Spices.Net"),
    ("ILProtector", "ILProtector"),
];

/// `source-obfuscated`: a .NET assembly holding the markers an obfuscator leaves.
pub(in crate::scan) fn dotnet_markers(file: &FileScan<'_>) -> Option<Finding> {
    let s = file.scanner;
    let mut tools: Vec<&str> = Vec::new();
    let mut seen_markers: Vec<&str> = Vec::new();
    for m in s.markers.find_iter(&file.body) {
        let (marker, tool) = DOTNET_MARKERS[m.pattern().as_usize()];
        if !seen_markers.contains(&marker) {
            seen_markers.push(marker);
        }
        if !tools.contains(&tool) {
            tools.push(tool);
        }
    }
    if tools.is_empty() {
        return None;
    }
    Some(
        Finding::of(
            crate::scan::codes::ScanCode::SourceObfuscated,
            format!(
                ".NET assembly processed by an obfuscator ({}); obfuscated code cannot be maintained without its source",
                tools.join(", ")
            ),
            format!(
                ".NET 程序集经混淆器处理（{}）；混淆后的代码没有源代码无法维护",
                tools.join("、")
            ),
        )
        .path(file.display())
        .rule("dotnet-obfuscator")
        .evidence(
            seen_markers
                .iter()
                .map(|m| format!("marker: {m}"))
                .collect(),
        ),
    )
}

/// ProGuard-style name mangling: most class names one or two letters long.
pub(in crate::scan) fn mangled(display: &str, classes: &[String]) -> Option<Finding> {
    let outer: BTreeSet<&str> = classes
        .iter()
        .map(|c| c.rsplit('/').next().unwrap_or(c))
        .map(|c| c.split('$').next().unwrap_or(c))
        .filter(|c| *c != "package-info" && *c != "module-info")
        .collect();
    if outer.len() < 10 {
        return None;
    }
    let short: Vec<&&str> = outer.iter().filter(|c| mangled_name(c)).collect();
    if short.len() * 10 < outer.len() * 6 {
        return None;
    }
    Some(
        Finding::of(
            crate::scan::codes::ScanCode::SourceObfuscated,
            "name-mangled Java classes (ProGuard-style obfuscation): most class names are one or two letters, or made of look-alike letters (IlIl, O0o)",
            "Java 类名经过混淆（ProGuard 类混淆）：大多数类名只有一两个字母，或由形近字符（IlIl、O0o）组成",
        )
        .path(display.to_owned())
        .rule("java-name-mangling")
        .evidence(vec![format!(
            "{} of {} classes have mangled names (one letter, two lower-case letters, or look-alike letters), e.g. {}",
            short.len(),
            outer.len(),
            short.iter().take(5).map(|s| format!("{s}.class")).collect::<Vec<_>>().join(", ")
        )]),
    )
}

/// A class name an obfuscator made: one letter, two lower-case letters (`a`, `ab`: ProGuard's
/// sequence), or letters that look alike (`IlIIl`, `O0O0o`: a dictionary). Ordinary short names
/// (`Id`, `UI`, `IO`) are not.
fn mangled_name(name: &str) -> bool {
    let n = name.chars().count();
    if n == 1 {
        return true;
    }
    if n == 2 {
        return name.chars().all(|c| c.is_ascii_lowercase());
    }
    let look_alike = |set: &str| name.chars().all(|c| set.contains(c));
    n >= 3
        && (look_alike("Il1i|") || look_alike("O0o") || look_alike("Il1_") || look_alike("O0o_"))
        && name.chars().collect::<BTreeSet<_>>().len() >= 2
}

/// A JavaScript or CSS file that is minified: `.min.` in its name, or few very long lines.
pub(in crate::scan) fn minified(name: &str, f: &FileFacts) -> bool {
    let lower = name.to_lowercase();
    if lower.contains(".min.") {
        return true;
    }
    f.lines > 0 && f.longest_line >= 1000 && f.longest_line * f.lines.min(20) > 4000
}

/// `source-obfuscated`: a minified JavaScript or CSS bundle (`name`, its facts `f`) whose source
/// is not delivered.
pub(in crate::scan) fn minified_without_source(
    tree: &Tree<'_>,
    path: &[u8],
    display: &str,
    f: &FileFacts,
) -> Option<Finding> {
    let name = fname(path);
    if !minified(&name, f) || f.banner || bundle_has_source(tree, path, &name) {
        return None;
    }
    Some(
        Finding::of(
            crate::scan::codes::ScanCode::SourceObfuscated,
            "minified bundle whose source is not in the delivery: minified code cannot be maintained",
            "压缩（minified）后的前端代码，交付物中没有其源代码：压缩代码无法维护",
        )
        .path(display.to_owned())
        .rule("minified-without-source")
        .evidence(vec![format!(
            "{} lines, longest {} characters; no un-minified sibling, source map or front-end source files (.js/.ts/.vue outside dist/build folders) were delivered",
            f.lines, f.longest_line
        )]),
    )
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
pub(in crate::scan) fn is_tool_config(name: &str) -> bool {
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
