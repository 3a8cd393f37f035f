//! Go: each `go.mod` declares a module (its folder), named by the last element of its module
//! path (`example.com/his/api/v2` → `api`); a `go.work`'s `use` lines say which workspace
//! uses it.

use std::collections::HashMap;

use super::{Declared, Tree, join, parent};
use crate::draft::BuildSystem;

/// The module path of a `go.mod`.
fn module_path(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("module")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let p = rest.split("//").next()?.trim().trim_matches('"');
        (!p.is_empty()).then(|| p.to_owned())
    })
}

/// The folders a `go.work` uses, as written.
fn uses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut block = false;
    for line in text.lines() {
        let l = line.split("//").next().unwrap_or_default().trim();
        if block {
            if l == ")" {
                block = false;
            } else if !l.is_empty() {
                out.push(l.trim_matches('"').to_owned());
            }
        } else if let Some(rest) = l.strip_prefix("use") {
            let rest = rest.trim();
            if rest == "(" {
                block = true;
            } else if !rest.is_empty() {
                out.push(rest.trim_matches('"').to_owned());
            }
        }
    }
    out
}

/// The short name of a module path: its last element, skipping a major version (`/v2`).
fn short(path: &str) -> &str {
    let mut parts = path.rsplit('/');
    let last = parts.next().unwrap_or(path);
    let is_version =
        last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit());
    match parts.next() {
        Some(p) if is_version => p,
        _ => last,
    }
}

/// Every Go module of the delivery, as declared modules.
pub(super) fn detect(tree: &Tree) -> Vec<Declared> {
    let mut used: HashMap<String, &str> = HashMap::new();
    for work in tree.build_files(|n| n == "go.work") {
        for u in uses(&tree.text(work).unwrap_or_default()) {
            if let Some(dir) = join(parent(work), &u) {
                used.entry(dir).or_insert(work);
            }
        }
    }
    let mut out = Vec::new();
    for path in tree.build_files(|n| n == "go.mod") {
        let Some(module) = tree.text(path).as_deref().and_then(module_path) else {
            continue;
        };
        let dir = parent(path);
        let mut found = format!("Go module {module:?} in {path}");
        if let Some(w) = used.get(dir) {
            found.push_str(&format!(", used by {w}"));
        }
        let mut d = Declared::new(dir, BuildSystem::Go, found);
        d.name(short(&module));
        d.name(&module);
        short(&module).clone_into(&mut d.id_hint);
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_and_workspaces() {
        assert_eq!(
            module_path("// comment\nmodule example.com/his/api/v2 // api\n\ngo 1.22\n").as_deref(),
            Some("example.com/his/api/v2")
        );
        assert_eq!(module_path("modules x\n"), None);
        assert_eq!(short("example.com/his/api/v2"), "api");
        assert_eq!(short("his-gateway"), "his-gateway");
        assert_eq!(
            uses("go 1.22\nuse ./gateway\nuse (\n\t./api // the API\n\t\"./jobs\"\n)\n"),
            ["./gateway", "./api", "./jobs"]
        );
    }
}
