//! Visual Studio: a solution's `Project("{type}") = "Name", "rel\path\X.csproj", "{id}"`
//! lines declare its projects (each in its project file's folder; solution folders, type
//! `{2150E333-8FDC-42A3-9474-1A3956D46DE8}`, are skipped; a web site project names a folder);
//! a project file no solution lists is a project of its own. Names: the solution's name for
//! the project, the project file's `AssemblyTitle`, `Product`, `AssemblyName`, `RootNamespace`,
//! `Description`, and `Properties/AssemblyInfo.cs` (`My Project/AssemblyInfo.vb`)
//! `[assembly: AssemblyTitle("…")]`, `AssemblyProduct`, `AssemblyDescription`.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;

use super::maven::without_declaration;
use super::{Declared, Tree, VS_EXTENSIONS, child, file_name, join, outside, parent};
use crate::draft::BuildSystem;

/// The project type of a solution folder (Microsoft's solution file format).
const SOLUTION_FOLDER: &str = "2150E333-8FDC-42A3-9474-1A3956D46DE8";

/// `(type guid, name, relative path)` of a solution's `Project(…)` line.
fn project_line(line: &str) -> Option<(&str, &str, &str)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r#"^\s*Project\s*\(\s*"\{([0-9A-Fa-f-]+)\}"\s*\)\s*=\s*"([^"]*)"\s*,\s*"([^"]*)""#,
        )
        .expect("valid")
    });
    let c = re.captures(line)?;
    let (g, n, p) = (c.get(1)?, c.get(2)?, c.get(3)?);
    Some((g.as_str(), n.as_str(), p.as_str()))
}

/// Names from a project file (MSBuild XML, any namespace), each with its rank (see [`RANKS`]).
fn project_names(text: &str) -> Vec<(usize, String)> {
    let Ok(doc) = roxmltree::Document::parse(without_declaration(text)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for n in doc.descendants() {
        let tag = n.tag_name().name();
        let rank = match tag {
            "Product" => Some(1),
            "Description" => Some(4),
            _ => RANKS.iter().position(|r| *r == tag),
        };
        if let (Some(rank), Some(t)) = (rank, n.text().map(str::trim))
            && !t.is_empty()
            && n.is_element()
        {
            out.push((rank, t.to_owned()));
        }
    }
    out
}

/// The properties and attributes that name a project, best for people first. In a project
/// file `Product` and `Description` stand for `AssemblyProduct` and `AssemblyDescription`.
const RANKS: &[&str] = &[
    "AssemblyTitle",
    "AssemblyProduct",
    "AssemblyName",
    "RootNamespace",
    "AssemblyDescription",
];

/// `AssemblyTitle`, `AssemblyProduct`, `AssemblyDescription` of an `AssemblyInfo` file (C# or
/// VB), each with its rank (see [`RANKS`]).
fn assembly_info(text: &str) -> Vec<(usize, String)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r#"(?m)^\s*[\[<]\s*[Aa]ssembly\s*:\s*(Assembly(?:Title|Product|Description))(?:Attribute)?\s*\(\s*"([^"]*)""#,
        )
        .expect("valid")
    });
    re.captures_iter(text)
        .filter_map(|c| {
            let rank = RANKS.iter().position(|k| *k == &c[1])?;
            Some((rank, c[2].trim().to_owned()))
        })
        .filter(|(_, t)| !t.is_empty())
        .collect()
}

/// The declared module of the project file at `path`, named `listed` by solution `sln`.
fn project(tree: &Tree, path: &str, listed: Option<(&str, &str)>) -> Declared {
    let dir = parent(path);
    let mut titles = tree.text(path).map_or_else(Vec::new, |t| project_names(&t));
    for info in [
        "Properties/AssemblyInfo.cs",
        "My Project/AssemblyInfo.vb",
        "AssemblyInfo.cs",
    ] {
        let p = child(dir, info);
        if tree.exists(&p)
            && let Some(t) = tree.text(&p)
        {
            titles.extend(assembly_info(&t));
        }
    }
    titles.sort_by_key(|(rank, _)| *rank);
    let stem = file_name(path)
        .rsplit_once('.')
        .map_or(file_name(path), |(s, _)| s);
    let name = listed.map_or(stem, |(n, _)| n);
    let title = titles
        .first()
        .filter(|(rank, t)| *rank == 0 && t != name)
        .map(|(_, t)| t.as_str());
    let mut found = format!("Visual Studio project {name:?}");
    if let Some(t) = title {
        found.push_str(&format!(" (AssemblyTitle {t})"));
    }
    found.push_str(&format!(" in {path}"));
    if let Some((_, sln)) = listed {
        found.push_str(&format!(", listed in {sln}"));
    }
    let mut d = Declared::new(dir, BuildSystem::VisualStudio, found);
    d.name(title.unwrap_or(name));
    d.name(name);
    for (_, t) in &titles {
        d.name(t);
    }
    name.clone_into(&mut d.id_hint);
    d
}

/// Every Visual Studio project of the delivery, as declared modules.
pub(super) fn detect(tree: &Tree) -> Vec<Declared> {
    let mut out = Vec::new();
    let mut listed: HashSet<String> = HashSet::new();
    for sln in tree.build_files(|n| n.rsplit_once('.').is_some_and(|(_, e)| e == "sln")) {
        let Some(text) = tree.text(sln) else {
            continue;
        };
        for (kind, name, rel) in text.lines().filter_map(project_line) {
            if kind.eq_ignore_ascii_case(SOLUTION_FOLDER) {
                continue;
            }
            let Some(path) = join(parent(sln), rel) else {
                continue;
            };
            // A NuGet package's or a build output's project is not the vendor's module.
            if outside(&child(&path, "x")) {
                continue;
            }
            if tree.exists(&path) {
                if listed.insert(path.clone()) {
                    out.push(project(tree, &path, Some((name, sln))));
                }
            } else if !path.is_empty() && tree.has_under(&path) {
                let mut d = Declared::new(
                    &path,
                    BuildSystem::VisualStudio,
                    format!("Visual Studio web site {name:?} in {path}/, listed in {sln}"),
                );
                d.name(name);
                name.clone_into(&mut d.id_hint);
                out.push(d);
            }
        }
    }
    let is_project = |n: &str| {
        n.rsplit_once('.')
            .is_some_and(|(_, e)| e != "sln" && VS_EXTENSIONS.contains(&e))
    };
    for path in tree.build_files(is_project) {
        if !listed.contains(path) {
            out.push(project(tree, path, None));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solution_lines() {
        assert_eq!(
            project_line(
                r#"Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "LIS.Client", "Client\LIS.Client.csproj", "{0D6B5E1B-0000-0000-0000-000000000001}""#
            ),
            Some((
                "FAE04EC0-301F-11D3-BF4B-00C04F79EFBC",
                "LIS.Client",
                r"Client\LIS.Client.csproj"
            ))
        );
        assert_eq!(project_line("EndProject"), None);
    }

    #[test]
    fn titles_from_project_files_and_assembly_info() {
        let names = project_names(
            "<Project ToolsVersion=\"15.0\" xmlns=\"http://schemas.microsoft.com/developer/msbuild/2003\">\
             <PropertyGroup><RootNamespace>LIS.Client</RootNamespace><AssemblyName>LisClient</AssemblyName>\
             </PropertyGroup></Project>",
        );
        assert_eq!(
            names,
            [(3, "LIS.Client".to_owned()), (2, "LisClient".to_owned())]
        );
        let info = assembly_info(
            "using System.Reflection;\n// [assembly: AssemblyTitle(\"old\")]\n\
             [assembly: AssemblyProduct(\"检验系统\")]\n[assembly: AssemblyTitle(\"检验客户端\")]\n\
             <Assembly: AssemblyDescription(\"VB\")>\n",
        );
        let info: Vec<(usize, &str)> = info.iter().map(|(r, t)| (*r, t.as_str())).collect();
        assert_eq!(info, [(1, "检验系统"), (0, "检验客户端"), (4, "VB")]);
    }
}
