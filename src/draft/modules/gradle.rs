//! Gradle: `settings.gradle(.kts)` declares a build (its folder, named by
//! `rootProject.name`) and the projects it `include`s (`include ':a', ':b:c'`,
//! `include("a", "b")`, `includeFlat 'x'`), each in the folder its path names unless
//! `project(':x').projectDir = file('…')` moves it. A `build.gradle(.kts)` with no settings
//! file in its folder or above is a project of its own. A project's `description = '…'` in
//! its build file is one of its names.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;

use super::{Declared, Tree, child, file_name, join, outside, parent};
use crate::draft::BuildSystem;

/// Text without `//` and `/* */` comments (quotes respected: `'https://…'` stays).
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                out.extend(chars.next());
            } else if c == q {
                quote = None;
            }
        } else if c == '/' && chars.peek() == Some(&'/') {
            while chars.peek().is_some_and(|c| *c != '\n') {
                chars.next();
            }
        } else if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut last = ' ';
            for c in chars.by_ref() {
                if last == '*' && c == '/' {
                    break;
                }
                last = c;
            }
            out.push(' ');
        } else {
            if c == '"' || c == '\'' {
                quote = Some(c);
            }
            out.push(c);
        }
    }
    out
}

/// What a settings file says.
#[derive(Debug, Default, PartialEq, Eq)]
struct Settings {
    root_name: String,
    /// Included projects: (project path like `:b:c`, folder relative to the settings file).
    projects: Vec<(String, String)>,
}

/// The string literals of an `include` call starting at `rest` (after the keyword).
fn literals(rest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = rest.trim_start();
    if let Some(r) = s.strip_prefix('(') {
        s = r.trim_start();
    }
    while let Some(q) = s.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let Some(end) = s[1..].find(q) else { break };
        out.push(s[1..=end].to_owned());
        s = s[end + 2..].trim_start();
        match s.strip_prefix(',') {
            Some(r) => s = r.trim_start(),
            None => break,
        }
    }
    out
}

fn parse_settings(text: &str) -> Settings {
    static RE: OnceLock<[Regex; 3]> = OnceLock::new();
    let [include, dir, name] = RE.get_or_init(|| {
        [
            Regex::new(r"\binclude(Flat)?\b").expect("valid"),
            Regex::new(
                r#"project\(\s*["']([^"']+)["']\s*\)\.projectDir\s*=\s*(?:new\s+)?(?:file|File)\(\s*(?:(?:settingsDir|rootDir|rootProject\.projectDir)\s*,\s*)?["']([^"']+)["']"#,
            )
            .expect("valid"),
            Regex::new(r#"rootProject\.name\s*=\s*["']([^"']+)["']"#).expect("valid"),
        ]
    });
    let text = without_comments(text);
    let moved: HashMap<String, String> = dir
        .captures_iter(&text)
        .map(|c| (normal(&c[1]), c[2].to_owned()))
        .collect();
    let mut s = Settings {
        root_name: name
            .captures(&text)
            .map(|c| c[1].to_owned())
            .unwrap_or_default(),
        projects: Vec::new(),
    };
    for m in include.captures_iter(&text) {
        let flat = m.get(1).is_some();
        let end = m.get(0).expect("whole match").end();
        for p in literals(&text[end..]) {
            let path = normal(&p);
            let folder = match moved.get(&path) {
                Some(d) => d.clone(),
                None if flat => format!("../{}", path.trim_start_matches(':')),
                None => path.trim_start_matches(':').replace(':', "/"),
            };
            if path != ":" && !s.projects.iter().any(|(q, _)| *q == path) {
                s.projects.push((path, folder));
            }
        }
    }
    s
}

/// A project path with its leading `:` (`a` and `:a` are the same project).
fn normal(path: &str) -> String {
    format!(":{}", path.trim().trim_start_matches(':'))
}

/// `description = '…'` in the build file of the project in `dir`, if any.
fn description(tree: &Tree, dir: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r#"(?m)^\s*description\s*=\s*["']([^"'\n]+)["']"#).expect("valid")
    });
    ["build.gradle", "build.gradle.kts"].iter().find_map(|n| {
        let text = without_comments(&tree.text(&child(dir, n))?);
        re.captures(&text).map(|c| c[1].to_owned())
    })
}

/// Every Gradle build and project of the delivery, as declared modules.
pub(super) fn detect(tree: &Tree) -> Vec<Declared> {
    let mut out = Vec::new();
    let mut builds: HashSet<&str> = HashSet::new();
    for path in tree.build_files(|n| n == "settings.gradle" || n == "settings.gradle.kts") {
        let dir = parent(path);
        builds.insert(dir);
        let Some(text) = tree.text(path) else {
            continue;
        };
        let settings = parse_settings(&text);
        let mut root = Declared::new(dir, BuildSystem::Gradle, format!("Gradle build in {path}"));
        if !settings.root_name.is_empty() {
            root.found = format!("Gradle build {:?} in {path}", settings.root_name);
        }
        root.name(&settings.root_name);
        root.name(&description(tree, dir).unwrap_or_default());
        root.id_hint.clone_from(&settings.root_name);
        root.aggregator = !settings.projects.is_empty();
        out.push(root);
        for (project, folder) in settings.projects {
            let Some(folder) = join(dir, &folder) else {
                continue;
            };
            if folder == dir || !tree.has_under(&folder) || outside(&child(&folder, "x")) {
                continue;
            }
            let mut d = Declared::new(
                &folder,
                BuildSystem::Gradle,
                format!("Gradle project {project} in {folder}/, included by {path}"),
            );
            let short = project.rsplit(':').next().unwrap_or_default().to_owned();
            d.name(&short);
            d.name(&description(tree, &folder).unwrap_or_default());
            d.id_hint = short;
            out.push(d);
        }
    }
    for path in tree.build_files(|n| n == "build.gradle" || n == "build.gradle.kts") {
        let dir = parent(path);
        let mut d = dir;
        let in_a_build = loop {
            if builds.contains(d) {
                break true;
            }
            if d.is_empty() {
                break false;
            }
            d = parent(d);
        };
        if in_a_build {
            continue;
        }
        let mut p = Declared::new(
            dir,
            BuildSystem::Gradle,
            format!("Gradle project in {path}"),
        );
        p.name(&description(tree, dir).unwrap_or_default());
        file_name(dir).clone_into(&mut p.id_hint);
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_in_groovy_and_kotlin() {
        let s = parse_settings(
            "rootProject.name = '电子病历'\n// include ':old'\n/* include ':older' */\n\
             include ':emr-core', ':emr:emr-web',\n        'emr-api'\ninclude(\"emr-report\")\n\
             includeFlat 'shared'\nproject(':emr-api').projectDir = file('api')\n\
             project(\":emr-report\").projectDir = File(settingsDir, \"report/x\")\n\
             def repo = 'https://example.com/repo'\n",
        );
        assert_eq!(s.root_name, "电子病历");
        let got: Vec<(&str, &str)> = s
            .projects
            .iter()
            .map(|(p, f)| (p.as_str(), f.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (":emr-core", "emr-core"),
                (":emr:emr-web", "emr/emr-web"),
                (":emr-api", "api"),
                (":emr-report", "report/x"),
                (":shared", "../shared"),
            ]
        );
    }
}
