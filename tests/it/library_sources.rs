//! Rules about the library's sources that no type checks: the library reads no environment
//! variable (the CLI reads them and passes the values in), and the layers below the manifest
//! that own a section of it (build, checks) do not reach up into it.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The library's source files (not `src/cli/`, not `src/main.rs`), relative to `src/`.
fn library_files() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .filter(|(rel, _)| !rel.starts_with("cli/") && rel != "main.rs")
        .collect()
}

#[test]
fn the_library_reads_no_environment_variables() {
    let mut found = Vec::new();
    for (rel, text) in library_files() {
        for (n, line) in text.lines().enumerate() {
            let reads = ["env::var(", "env::var_os(", "env::vars(", "env::vars_os("]
                .iter()
                .any(|r| line.contains(r));
            // Passing the caller's PATH on to git's child is forwarding, not a setting.
            let forwards_path = rel == "delivery/git.rs" && line.contains(".env(\"PATH\"");
            if reads && !forwards_path {
                found.push(format!("src/{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the library reads the environment; read it in src/cli/ and pass the value in:\n{}",
        found.join("\n")
    );
}
