//! Compiled code (`binary-without-source`, `binary-unattributed`): class files, jars, .NET
//! assemblies, native binaries, compiled Python, Delphi and PowerBuilder, matched against the
//! delivered source; compiled files of unknown origin.

use std::collections::{BTreeMap, BTreeSet};

use super::obfuscation::mangled;
use crate::filetypes::Magic;
use crate::finding::Finding;
use crate::scan::facts::FileFacts;
use crate::scan::post::{MAX_EVIDENCE, Tree, fname, parent_of, stem_of};

/// `binary-without-source` per folder of loose class files: `class_dirs` maps each folder to
/// the classes in it without a delivered source, and how many classes it holds.
pub(in crate::scan) fn class_folders(
    class_dirs: BTreeMap<String, (Vec<String>, usize)>,
) -> Vec<Finding> {
    let mut out = Vec::new();
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
            Finding::of(
                crate::scan::codes::ScanCode::BinaryWithoutSource,
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
            .evidence(ev)
            .files(
                missing
                    .iter()
                    .map(|c| {
                        if dir.is_empty() {
                            format!("{c}.class")
                        } else {
                            format!("{dir}/{c}.class")
                        }
                    })
                    .collect(),
            ),
        );
        if let Some(f) = mangled(&shown, &missing) {
            out.push(f);
        }
    }
    out
}

/// Note a loose class file (`display`) in its folder's tally, with whether its source is
/// delivered.
pub(in crate::scan) fn loose_class(
    tree: &Tree<'_>,
    display: &str,
    class_dirs: &mut BTreeMap<String, (Vec<String>, usize)>,
) {
    let class_path = display.trim_end_matches(".class");
    if !tree.class_has_source(class_path) {
        let name = class_path
            .rsplit('/')
            .next()
            .unwrap_or(class_path)
            .to_owned();
        let e = class_dirs.entry(parent_of(display).to_owned()).or_default();
        e.0.push(name);
    }
    class_dirs
        .entry(parent_of(display).to_owned())
        .or_default()
        .1 += 1;
}

/// `binary-without-source` for compiled Python, Delphi units and PowerBuilder libraries whose
/// source is not delivered; `None` for other files.
pub(in crate::scan) fn compiled_script(
    tree: &Tree<'_>,
    path: &[u8],
    display: &str,
    ext: &str,
) -> Option<Finding> {
    match ext {
        "pyc" | "pyo" => {
            let name = fname(path);
            let stem = stem_of(&name).to_lowercase();
            (!tree.stems.contains(&stem)).then(|| {
                without_source(
                    "pyc-without-source",
                    display,
                    "compiled Python",
                    "编译后的 Python 文件",
                    format!("no {stem}.py anywhere in the delivery"),
                )
            })
        }
        "dcu" => {
            let stem = stem_of(&fname(path)).to_lowercase();
            (!tree.stems.contains(&stem)).then(|| {
                without_source(
                    "dcu-without-source",
                    display,
                    "compiled Delphi unit",
                    "编译后的 Delphi 单元",
                    format!("no {stem}.pas anywhere in the delivery"),
                )
            })
        }
        "pbd" if !tree.has_powerbuilder_source => Some(without_source(
            "pbd-without-source",
            display,
            "compiled PowerBuilder library",
            "编译后的 PowerBuilder 库",
            "no .pbl library or .sr* export anywhere in the delivery".to_owned(),
        )),
        _ => None,
    }
}

/// `binary-without-source` for one compiled file (`rule`, what it is in English and Chinese,
/// and why no source is taken to be delivered).
fn without_source(rule: &str, display: &str, what: &str, what_zh: &str, why: String) -> Finding {
    Finding::of(
        crate::scan::codes::ScanCode::BinaryWithoutSource,
        format!("{what} with no corresponding source in the delivery"),
        format!("{what_zh}，交付物中没有对应的源代码"),
    )
    .path(display.to_owned())
    .rule(rule)
    .evidence(vec![why])
}

/// A jar (war, omod, …) of the vendor's own code must come with its source.
pub(in crate::scan) fn jar(tree: &Tree<'_>, display: &str, entries: &[String]) -> Vec<Finding> {
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
            Finding::of(
                crate::scan::codes::ScanCode::BinaryWithoutSource,
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

/// `binary-unattributed`: a compiled file of unknown origin.
fn unattributed(rule: &str, display: &str, why: &str) -> Finding {
    Finding::of(
        crate::scan::codes::ScanCode::BinaryUnattributed,
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
pub(in crate::scan) fn pe(
    tree: &Tree<'_>,
    path: &[u8],
    display: &str,
    f: &FileFacts,
) -> Vec<Finding> {
    let name = fname(path);
    let stem = name
        .rsplit_once('.')
        .map_or(name.as_str(), |(s, _)| s)
        .to_lowercase();
    let dotnet = matches!(f.magic, Magic::Pe { dotnet: true });
    // Signed by a known publisher's strong-name key: a published library.
    if f.public_key_token
        .as_deref()
        .and_then(|t| super::dotnet::publisher(t, f.assembly_name.as_deref().unwrap_or(&stem)))
        .is_some()
    {
        return Vec::new();
    }
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

/// ELF, Mach-O, `ar`, WebAssembly and Dalvik binaries: need their source, or to be a declared
/// library.
pub(in crate::scan) fn native(tree: &Tree<'_>, path: &[u8], display: &str) -> Vec<Finding> {
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
