//! The crate's layers: each module imports only modules of lower layers (see the crate docs,
//! `src/lib.rs`, and DESIGN.md). This test reads every source file and fails naming the file and
//! the import when a lower layer reaches up, or a module imports a sibling of its own layer.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::repo;

/// Highest first. A module may import any module of a lower layer, none of its own or a higher one.
/// Keep this table, the crate docs in `src/lib.rs` and DESIGN.md's picture the same.
const LAYERS: &[&[&str]] = &[
    &["pipeline", "draft"],
    &["policy"],
    &["report"],
    &["manifest"],
    &["codes"],
    &["checks", "scan", "build", "obligations"],
    &["vault"],
    &["delivery"],
    &["doctext"],
    &[
        "calendar",
        "finding",
        "hash",
        "filetypes",
        "text",
        "progress",
        "validate",
    ],
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src/ is readable") {
        let p = e.expect("directory entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file with `//` comments (and so doc comments) removed: an intra-doc link is
/// not an import.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            // Keep "//" inside string literals such as "https://…": only cut when the text
            // before it has an even number of quotes.
            Some(i) if l[..i].matches('"').count() % 2 == 0 => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules named after `prefix` (`crate::`, `escrow::`), including those inside
/// a `use crate::{a::x, b}` group.
fn imports(code: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices(prefix) {
        // Not the tail of a longer path (`foo::crate::`) or identifier (`my_escrow::`).
        if i > 0 {
            let before = code[..i].chars().next_back().unwrap_or(' ');
            if before.is_ascii_alphanumeric() || before == '_' || before == ':' {
                continue;
            }
        }
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut at_start = true;
            let mut j = 0;
            let bytes = group.as_bytes();
            while j < bytes.len() && depth > 0 {
                match bytes[j] {
                    b'{' => {
                        depth += 1;
                        j += 1;
                    }
                    b'}' => {
                        depth -= 1;
                        j += 1;
                    }
                    b',' => {
                        if depth == 1 {
                            at_start = true;
                        }
                        j += 1;
                    }
                    c if c.is_ascii_whitespace() => j += 1,
                    _ => {
                        let name = ident(&group[j..]);
                        if depth == 1 && at_start && !name.is_empty() {
                            out.insert(name.clone());
                        }
                        at_start = false;
                        j += name.len().max(1);
                    }
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// The top-level module a source file belongs to (`src/vault/pack.rs` → `vault`).
fn module_of(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).expect("under src/");
    let first = rel.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_owned()
}

#[test]
fn lower_layers_never_import_higher_ones() {
    let src = repo().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut seen_modules = BTreeSet::new();
    for file in &files {
        let module = module_of(&src, file);
        if matches!(module.as_str(), "lib" | "main" | "cli") {
            continue;
        }
        seen_modules.insert(module.clone());
        let Some(own) = rank(&module) else {
            problems.push(format!(
                "{}: module `{module}` is in no layer; add it to LAYERS here, to the crate docs and to DESIGN.md",
                file.display()
            ));
            continue;
        };
        let code = code_of(&std::fs::read_to_string(file).expect("readable source"));
        let mut used = imports(&code, "crate::");
        // `super::x` from a module's top file names a sibling top-level module.
        let top_file = file.parent() == Some(src.as_path())
            || file.file_name().is_some_and(|n| n == "mod.rs")
                && file.parent().and_then(Path::parent) == Some(src.as_path());
        if top_file {
            used.extend(imports(&code, "super::"));
        }
        for other in used {
            if other == module {
                continue;
            }
            match rank(&other) {
                Some(r) if r > own => {}
                Some(r) if r == own => problems.push(format!(
                    "{}: `{module}` imports `crate::{other}`, a module of its own layer",
                    file.display()
                )),
                Some(_) => problems.push(format!(
                    "{}: `{module}` imports `crate::{other}`, a HIGHER layer",
                    file.display()
                )),
                None => {}
            }
        }
    }
    assert!(
        seen_modules.len() > 10,
        "too few modules found under {}: {seen_modules:?}",
        src.display()
    );
    assert!(
        problems.is_empty(),
        "layer violations:\n{}",
        problems.join("\n")
    );
}

/// The command line is the binary's: the library never names it.
#[test]
fn the_library_never_imports_the_command_line() {
    let src = repo().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for file in files {
        let module = module_of(&src, &file);
        if matches!(module.as_str(), "main" | "cli") {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&file).expect("readable source"));
        assert!(
            !imports(&code, "crate::").contains("cli"),
            "{} imports the command line",
            file.display()
        );
    }
}

#[test]
fn the_import_reader_sees_groups_and_nested_paths() {
    let code = "use crate::{vault::{a, b}, report};\nlet x = crate::scan::run();\n// crate::pipeline in a comment\nfoo::crate::nope; my_escrow::x;";
    let got = imports(&code_of(code), "crate::");
    let want: BTreeSet<String> = ["vault", "report", "scan"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(got, want);
}
