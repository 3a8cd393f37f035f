//! Maven: every `pom.xml` that parses is a declared module (its folder); a reactor's
//! `<modules><module>` (also inside `<profiles>`) only says which reactor lists it. A pom with
//! `<modules>` or packaging `pom` is an aggregator, kept only when it holds code of its own.
//! A pom that does not parse is not read as a build file: its folder's code is grouped by
//! folder like any code no build file declares.

use std::collections::HashMap;

use roxmltree::Node;

use super::{Declared, Tree, child, join, parent};
use crate::draft::BuildSystem;

/// What escrow reads of a POM.
#[derive(Debug, Default, PartialEq, Eq)]
struct Pom {
    artifact_id: String,
    name: String,
    description: String,
    packaging: String,
    /// `<module>` entries, as written (a folder, or a pom file's path).
    modules: Vec<String>,
}

/// The text of the first child element of `node` named `name`, trimmed.
fn child_text(node: Node, name: &str) -> String {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
        .and_then(|c| c.text())
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The elements named `name` among `node`'s children.
fn elements<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// Text without its XML declaration: the text is already decoded (see [`Tree::text`]), and a
/// declared encoding such as GBK means nothing any more.
pub(super) fn without_declaration(text: &str) -> &str {
    let t = text.trim_start();
    if t.starts_with("<?xml")
        && let Some(end) = t.find("?>")
    {
        return &t[end + 2..];
    }
    t
}

/// A POM's identity and modules; `None` when it is not XML or not a `<project>`.
fn parse(text: &str) -> Option<Pom> {
    let doc = roxmltree::Document::parse(without_declaration(text)).ok()?;
    let project = doc.root_element();
    if project.tag_name().name() != "project" {
        return None;
    }
    let mut modules = Vec::new();
    let lists = elements(project, "modules").chain(
        elements(project, "profiles")
            .flat_map(|p| elements(p, "profile"))
            .flat_map(|p| elements(p, "modules")),
    );
    for list in lists {
        for m in elements(list, "module") {
            let m = m.text().unwrap_or_default().trim().to_owned();
            if !m.is_empty() && !modules.contains(&m) {
                modules.push(m);
            }
        }
    }
    Some(Pom {
        artifact_id: child_text(project, "artifactId"),
        name: child_text(project, "name"),
        description: child_text(project, "description"),
        packaging: child_text(project, "packaging"),
        modules,
    })
}

/// Every POM of the delivery, as declared modules.
pub(super) fn detect(tree: &Tree) -> Vec<Declared> {
    let poms: Vec<(&str, Pom)> = tree
        .build_files(|n| n == "pom.xml")
        .filter_map(|p| Some((p, parse(&tree.text(p)?)?)))
        .collect();
    let mut listed_in: HashMap<String, &str> = HashMap::new();
    for (path, pom) in &poms {
        for m in &pom.modules {
            let Some(target) = join(parent(path), m) else {
                continue;
            };
            let target = if m.to_ascii_lowercase().ends_with(".xml") {
                target
            } else {
                child(&target, "pom.xml")
            };
            listed_in.entry(target).or_insert(path);
        }
    }
    let mut out = Vec::new();
    for (path, pom) in poms {
        let reactor = listed_in.get(path);
        let kind = if reactor.is_some() {
            "module"
        } else {
            "project"
        };
        let mut found = format!("Maven {kind} {:?}", pom.artifact_id);
        if !pom.name.is_empty() && pom.name != pom.artifact_id {
            found.push_str(&format!(" <name>{}</name>", pom.name));
        }
        found.push_str(&format!(" in {path}"));
        if let Some(r) = reactor {
            found.push_str(&format!(", listed in {r}"));
        }
        let mut d = Declared::new(parent(path), BuildSystem::Maven, found);
        d.name(&pom.name);
        d.name(&pom.artifact_id);
        d.name(&pom.description);
        d.id_hint.clone_from(&pom.artifact_id);
        d.aggregator = !pom.modules.is_empty() || pom.packaging == "pom";
        d.no_code = pom.packaging == "pom";
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_come_from_the_reactor_and_its_profiles() {
        let pom = parse(
            "\u{feff}<?xml version=\"1.0\" encoding=\"GBK\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\
             <artifactId>his</artifactId><packaging>pom</packaging><name>  医院 信息系统 </name>\
             <modules><module>his-register</module></modules>\
             <profiles><profile><modules><module>his-extra</module></modules></profile></profiles>\
             <build><plugins><plugin><artifactId>maven-jar-plugin</artifactId></plugin></plugins></build>\
             </project>",
        )
        .expect("parses");
        assert_eq!(pom.artifact_id, "his");
        assert_eq!(pom.name, "医院 信息系统");
        assert_eq!(pom.packaging, "pom");
        assert_eq!(pom.modules, ["his-register", "his-extra"]);
    }

    #[test]
    fn not_a_pom() {
        assert_eq!(parse("<project><artifactId>x</artifactId>"), None);
        assert_eq!(parse("<settings/>"), None);
    }
}
