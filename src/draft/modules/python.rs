//! Python: `pyproject.toml` (`[project]` or `[tool.poetry]` `name` and `description`),
//! `setup.py` (`name=`, `description=`) and `setup.cfg` (`[metadata]`) each declare a project
//! in their folder. A top-level folder (below the delivery's common folder) holding an
//! `__init__.py` is a guessed Python package, dropped when a build file declares its folder
//! or one above it. Deeper package folders without a setup file are not modules of their own
//! (test fixtures, plugin folders): their code is grouped with their top-level folder.

use std::sync::OnceLock;

use regex::Regex;

use super::{Declared, Tree, file_name, parent};
use crate::draft::BuildSystem;

/// `(name, description)` of a `pyproject.toml`.
fn pyproject(text: &str) -> (String, String) {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return (String::new(), String::new());
    };
    let tables = [
        doc.get("project"),
        doc.get("tool").and_then(|t| t.get("poetry")),
    ];
    let field = |k: &str| {
        tables
            .iter()
            .flatten()
            .find_map(|t| t.get(k).and_then(|v| v.as_str()))
            .unwrap_or_default()
            .to_owned()
    };
    (field("name"), field("description"))
}

/// `(name, description)` of a `setup.py`: the first `name="…"` and `description="…"`.
fn setup_py(text: &str) -> (String, String) {
    static RE: OnceLock<[Regex; 2]> = OnceLock::new();
    let [name, description] = RE.get_or_init(|| {
        [
            Regex::new(r#"\bname\s*=\s*["']([^"'\n]+)["']"#).expect("valid"),
            Regex::new(r#"\bdescription\s*=\s*["']([^"'\n]+)["']"#).expect("valid"),
        ]
    });
    let get = |re: &Regex| {
        re.captures(text)
            .map(|c| c[1].to_owned())
            .unwrap_or_default()
    };
    (get(name), get(description))
}

/// `(name, description)` of a `setup.cfg`'s `[metadata]` section.
fn setup_cfg(text: &str) -> (String, String) {
    let mut section = "";
    let (mut name, mut description) = (String::new(), String::new());
    for line in text.lines() {
        let l = line.trim();
        if let Some(s) = l.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = s;
        } else if section == "metadata"
            && !line.starts_with([' ', '\t'])
            && let Some((k, v)) = l.split_once(['=', ':'])
        {
            match k.trim() {
                "name" => v.trim().clone_into(&mut name),
                "description" => v.trim().clone_into(&mut description),
                _ => {}
            }
        }
    }
    (name, description)
}

/// Every Python project and top-level package of the delivery, as declared modules.
pub(super) fn detect(tree: &Tree) -> Vec<Declared> {
    let mut out = Vec::new();
    let files = tree.build_files(|n| matches!(n, "pyproject.toml" | "setup.py" | "setup.cfg"));
    for path in files {
        let text = tree.text(path).unwrap_or_default();
        let (name, description) = match file_name(path).to_ascii_lowercase().as_str() {
            "pyproject.toml" => pyproject(&text),
            "setup.py" => setup_py(&text),
            _ => setup_cfg(&text),
        };
        let found = if name.is_empty() {
            format!("Python project in {path}")
        } else {
            format!("Python project {name:?} in {path}")
        };
        let mut d = Declared::new(parent(path), BuildSystem::Python, found);
        d.name(&name);
        d.name(&description);
        d.id_hint = name;
        out.push(d);
    }
    let mut packages: Vec<&str> = tree
        .init_py
        .iter()
        .copied()
        .filter(|d| !d.is_empty() && parent(d) == tree.base)
        .collect();
    packages.sort_unstable();
    for dir in packages {
        let mut d = Declared::new(
            dir,
            BuildSystem::Python,
            format!("Python package {dir}/ (it has an __init__.py and no setup file)"),
        );
        d.weak = true;
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_each_setup_file() {
        assert_eq!(
            pyproject("[project]\nname = \"his-ai\"\ndescription = \"影像辅助诊断\"\n"),
            ("his-ai".to_owned(), "影像辅助诊断".to_owned())
        );
        assert_eq!(
            pyproject("[tool.poetry]\nname = \"his-report\"\n").0,
            "his-report"
        );
        assert_eq!(
            setup_py("setup(\n    name='his_sync',\n    description=\"数据同步\",\n)\n"),
            ("his_sync".to_owned(), "数据同步".to_owned())
        );
        assert_eq!(
            setup_cfg("[options]\nname = no\n[metadata]\nname = his-etl\ndescription = ETL\n"),
            ("his-etl".to_owned(), "ETL".to_owned())
        );
    }
}
