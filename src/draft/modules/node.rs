//! JavaScript: a `package.json` with `"workspaces": [...]` (or `{ "packages": [...] }`) is an
//! npm workspace (Yarn when a `yarn.lock` sits beside it), a `pnpm-workspace.yaml` a pnpm one;
//! the packages whose folders its globs match (`packages/*`, `apps/**`, `!**/test/**`) are its
//! modules. A `package.json` in no workspace is a module of its own (a front-end) unless a
//! folder above it holds a `package.json` or a workspace: then it is part of that package.
//! Names: `name` and `description`.

use std::collections::HashSet;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::{Declared, Tree, child, parent};
use crate::draft::BuildSystem;

/// A `package.json`.
struct Package<'a> {
    path: &'a str,
    name: String,
    description: String,
    /// Its workspace globs, as written (empty when it is not a workspace root).
    workspaces: Vec<String>,
}

fn package<'a>(tree: &Tree, path: &'a str) -> Option<Package<'a>> {
    let v: serde_json::Value = serde_json::from_str(&tree.text(path)?).ok()?;
    let text = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let list = |x: &serde_json::Value| -> Vec<String> {
        x.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    let workspaces = match v.get("workspaces") {
        Some(w) if w.is_array() => list(w),
        Some(w) => w.get("packages").map(list).unwrap_or_default(),
        None => Vec::new(),
    };
    Some(Package {
        path,
        name: text("name"),
        description: text("description"),
        workspaces,
    })
}

/// The `packages:` list of a `pnpm-workspace.yaml`: the block form (`  - 'packages/*'`) or
/// the flow form (`packages: ['a/*', "b"]`); other keys are ignored. `None` when the list is
/// not written in one of these forms.
fn pnpm_packages(text: &str) -> Option<Vec<String>> {
    let unquote = |s: &str| s.trim().trim_matches(|c| c == '\'' || c == '"').to_owned();
    let mut out = Vec::new();
    let mut inside = false;
    let mut seen = false;
    for line in text.lines() {
        let line = match line.find(" #") {
            Some(i) => &line[..i],
            None if line.trim_start().starts_with('#') => "",
            None => line,
        };
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with([' ', '\t', '-']) {
            inside = false;
            if let Some(rest) = line.strip_prefix("packages:") {
                seen = true;
                let rest = rest.trim();
                if let Some(flow) = rest.strip_prefix('[') {
                    let flow = flow.strip_suffix(']')?;
                    out.extend(flow.split(',').map(unquote).filter(|s| !s.is_empty()));
                } else if rest.is_empty() {
                    inside = true;
                } else {
                    return None;
                }
            }
        } else if inside {
            out.push(unquote(line.trim().strip_prefix('-')?));
        }
    }
    seen.then_some(out)
}

/// A workspace: its folder, globs and build system, and the file declaring it.
struct Workspace<'a> {
    dir: &'a str,
    file: &'a str,
    system: BuildSystem,
    include: GlobSet,
    exclude: GlobSet,
}

impl<'a> Workspace<'a> {
    fn new(dir: &'a str, file: &'a str, system: BuildSystem, globs: &[String]) -> Self {
        let mut include = GlobSetBuilder::new();
        let mut exclude = GlobSetBuilder::new();
        for g in globs {
            let (set, g) = match g.strip_prefix('!') {
                Some(rest) => (&mut exclude, rest),
                None => (&mut include, g.as_str()),
            };
            let g = g.trim_start_matches("./").trim_end_matches('/');
            if let Ok(glob) = GlobBuilder::new(g).literal_separator(true).build() {
                set.add(glob);
            }
        }
        Workspace {
            dir,
            file,
            system,
            include: include.build().unwrap_or_else(|_| GlobSet::empty()),
            exclude: exclude.build().unwrap_or_else(|_| GlobSet::empty()),
        }
    }

    /// Whether the package in folder `dir` is one of its members.
    fn has(&self, dir: &str) -> bool {
        let rel = if self.dir.is_empty() {
            dir
        } else {
            match dir.strip_prefix(self.dir).and_then(|r| r.strip_prefix('/')) {
                Some(r) => r,
                None => return false,
            }
        };
        !rel.is_empty() && self.include.is_match(rel) && !self.exclude.is_match(rel)
    }
}

fn declared(p: &Package, system: BuildSystem, found: String) -> Declared {
    let dir = parent(p.path);
    let mut d = Declared::new(dir, system, found);
    d.name(&p.name);
    d.name(&p.description);
    d.id_hint.clone_from(&p.name);
    d
}

/// Every JavaScript workspace and package of the delivery, as declared modules.
pub(super) fn detect(tree: &Tree) -> Vec<Declared> {
    let packages: Vec<Package> = tree
        .build_files(|n| n == "package.json")
        .filter_map(|p| package(tree, p))
        .collect();
    let mut workspaces = Vec::new();
    for path in tree.build_files(|n| n == "pnpm-workspace.yaml") {
        if let Some(globs) = tree.text(path).as_deref().and_then(pnpm_packages) {
            workspaces.push(Workspace::new(
                parent(path),
                path,
                BuildSystem::Pnpm,
                &globs,
            ));
        }
    }
    for p in packages.iter().filter(|p| !p.workspaces.is_empty()) {
        let dir = parent(p.path);
        let system = if tree.exists(&child(dir, "yarn.lock")) {
            BuildSystem::Yarn
        } else {
            BuildSystem::Npm
        };
        if !workspaces.iter().any(|w| w.dir == dir) {
            workspaces.push(Workspace::new(dir, p.path, system, &p.workspaces));
        }
    }
    let mut out = Vec::new();
    let mut folders: HashSet<&str> = packages.iter().map(|p| parent(p.path)).collect();
    for w in &workspaces {
        folders.insert(w.dir);
        let root = packages.iter().find(|p| parent(p.path) == w.dir);
        let found = format!("{} workspace in {}", w.system.label(), w.file);
        let mut d = match root {
            Some(p) => declared(p, w.system, found),
            None => Declared::new(w.dir, w.system, found),
        };
        d.aggregator = true;
        out.push(d);
    }
    for p in &packages {
        let dir = parent(p.path);
        if workspaces.iter().any(|w| w.dir == dir) {
            continue;
        }
        if let Some(w) = workspaces.iter().find(|w| w.has(dir)) {
            let found = format!(
                "{} workspace package {:?} in {}, listed in {}",
                w.system.label(),
                p.name,
                p.path,
                w.file
            );
            out.push(declared(p, w.system, found));
            continue;
        }
        let mut above = dir;
        let nested = loop {
            if above.is_empty() {
                break false;
            }
            above = parent(above);
            if folders.contains(above) {
                break true;
            }
        };
        if !nested {
            let found = format!("npm package {:?} in {}", p.name, p.path);
            out.push(declared(p, BuildSystem::Npm, found));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnpm_workspace_lists() {
        let block = "# workspace\npackages:\n  - 'packages/*'\n  - \"apps/**\" # apps\n  - '!**/test/**'\n\
                     catalog:\n  vue: ^3.4.0\n";
        assert_eq!(
            pnpm_packages(block).expect("block list"),
            ["packages/*", "apps/**", "!**/test/**"]
        );
        assert_eq!(
            pnpm_packages("packages: ['a/*', \"b\"]\n").expect("flow list"),
            ["a/*", "b"]
        );
        assert_eq!(pnpm_packages("packages: a/*\n"), None);
        assert_eq!(pnpm_packages("catalog:\n  vue: ^3\n"), None);
    }

    #[test]
    fn workspace_members_by_glob() {
        let globs = ["packages/*".to_owned(), "!packages/skip".to_owned()];
        let w = Workspace::new("web", "web/package.json", BuildSystem::Npm, &globs);
        assert!(w.has("web/packages/ui"));
        assert!(!w.has("web/packages/skip"));
        assert!(!w.has("web/packages/ui/deep"));
        assert!(!w.has("webx/packages/ui"));
        assert!(!w.has("web"));
    }
}
