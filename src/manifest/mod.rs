//! The contract manifest: what a delivery must contain. Parsed in two phases: serde structs with
//! spans (`raw`), then `validate`, which collects every problem with `FILE:LINE:COL`.

mod build;
mod raw;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::finding::Severity;
pub use build::{BuildSpec, parse_duration, parse_size};
use raw::{RawManifest, SpannedStrings};

/// The manifest schema version this build reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Source-code file extensions counted by `min-source-files` unless the manifest overrides them.
pub const DEFAULT_SOURCE_EXTENSIONS: &[&str] = &[
    // JVM
    "java", "kt", "kts", "scala", "groovy", "clj", // .NET and VB
    "cs", "vb", "fs", "cshtml", "razor", "aspx", "ascx", "asmx", "ashx", "asax", "xaml",
    // web
    "js", "mjs", "cjs", "ts", "mts", "cts", "jsx", "tsx", "vue", "svelte", "jsp", "jspx", "asp",
    "php", // scripting
    "py", "rb", "pl", "pm", "lua", "sh", "bash", "ps1", "bat", "cmd", "r", "dart",
    // native
    "go", "rs", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "m", "mm", "swift", "pc",
    // Delphi / Pascal, VB6, FoxPro, PowerBuilder exports: common in older HIS systems
    "pas", "dpr", "dpk", "dfm", "frm", "bas", "cls", "prg", "sru", "srw", "srd", "srf", "srm",
    "srs", "srj", "srq", "srp", // database code
    "sql", "plsql", "pls", "pks", "pkb", "prc", "fnc", "trg", "vw",
];

/// The kind of a requirement entry (`[[module]]`, `[[document]]`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Module,
    Document,
    Database,
    Dependencies,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Module => "module",
            Kind::Document => "document",
            Kind::Database => "database",
            Kind::Dependencies => "dependencies",
        }
    }
}

/// The per-kind rule of a requirement.
#[derive(Debug, Clone)]
pub enum Rule {
    Module {
        min_source_files: u64,
        /// Lower-case extensions without the dot.
        source_extensions: Vec<String>,
    },
    Document {
        min_bytes: u64,
    },
    Database {
        min_tables: u64,
    },
    Dependencies,
}

/// One validated requirement.
#[derive(Debug, Clone)]
pub struct Requirement {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    /// The globs as written.
    pub paths: Vec<String>,
    /// The same globs, compiled.
    pub matcher: GlobSet,
    /// `required-files`: each glob must match at least one delivered file.
    pub required_files: Vec<(String, globset::GlobMatcher)>,
    pub rule: Rule,
}

/// The `[contract]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub id: Option<String>,
    pub title: Option<String>,
    pub client: Option<String>,
    pub vendor: Option<String>,
    /// Updates are due this long after each go-live (default "10 working days").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_deadline: Option<String>,
    /// The full delivery is due this long after the final payment (default "30 working days").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_deadline: Option<String>,
    /// "cn" (default) or "mon-fri".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
}

/// A loaded, validated manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub path: PathBuf,
    /// SHA-256 of the manifest file's bytes, hex.
    pub sha256: String,
    /// The manifest as written.
    pub text: String,
    pub contract: Contract,
    pub case_sensitive: bool,
    pub requirements: Vec<Requirement>,
    /// `[severity]` overrides, by finding code.
    pub severities: BTreeMap<String, Severity>,
    /// `[scan]` and `[[rule]]`: the technical-barrier scan.
    pub scan: crate::scan::ScanConfig,
    /// `[[allow]]`: known-good findings, silenced with a reason.
    pub allow: Vec<crate::scan::Allow>,
    /// `[build]`: how to build the delivery, if the manifest says.
    pub build: Option<BuildSpec>,
}

impl Manifest {
    /// The severity a finding code has under this manifest.
    pub fn severity_of(&self, code: &str) -> Severity {
        self.severities
            .get(code)
            .copied()
            .or_else(|| crate::codes::finding(code).map(|c| c.default))
            .unwrap_or(Severity::Deny)
    }
}

/// One problem in a manifest, at a 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// Why a manifest could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{}: cannot read the manifest: {source}; check the path given to --manifest", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: the manifest is not UTF-8 text; save it as UTF-8 and try again", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("{}", render_problems(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

fn render_problems(path: &Path, problems: &[Problem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{}:{}:{}: {}",
            path.display(),
            p.line,
            p.col,
            p.message
        ));
    }
    let n = problems.len();
    out.push_str(&format!(
        "\n{}: {n} problem{} in the manifest; fix {} and run again (see manifests/template.toml for every key)",
        path.display(),
        if n == 1 { "" } else { "s" },
        if n == 1 { "it" } else { "them" },
    ));
    out
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// Read, parse and validate a manifest file.
pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
    let bytes = std::fs::read(path).map_err(|source| ManifestError::Read {
        path: path.to_owned(),
        source,
    })?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let text = String::from_utf8(bytes).map_err(|_| ManifestError::NotUtf8 {
        path: path.to_owned(),
    })?;
    let mut manifest = parse(&text).map_err(|problems| ManifestError::Invalid {
        path: path.to_owned(),
        problems,
    })?;
    path.clone_into(&mut manifest.path);
    manifest.sha256 = sha256;
    manifest.text = text;
    Ok(manifest)
}

/// Parse and validate manifest text. Errors are every problem found, in file order.
pub fn parse(text: &str) -> Result<Manifest, Vec<Problem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (raw, raw_problems) = raw::parse(text);
    let mut v = Validator {
        text,
        problems: Vec::new(),
    };
    for (span, message) in raw_problems {
        v.problem(span, message);
    }
    v.validate(raw)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

struct Validator<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn problem(&mut self, span: std::ops::Range<usize>, message: String) {
        let (line, col) = line_col(self.text, span.start);
        self.problems.push(Problem { line, col, message });
    }

    fn validate(mut self, raw: RawManifest) -> Result<Manifest, Vec<Problem>> {
        let head_ok = raw.head.is_some();
        let head = raw.head.unwrap_or_else(|| raw::RawHead {
            schema_version: Spanned::new(0..0, SCHEMA_VERSION),
            case_sensitive: false,
            source_extensions: None,
            contract: None,
            severity: BTreeMap::new(),
            scan: None,
        });
        if *head.schema_version.get_ref() != SCHEMA_VERSION {
            self.problem(
                head.schema_version.span(),
                format!(
                    "schema-version {} is not supported: this escrow reads schema-version {SCHEMA_VERSION}",
                    head.schema_version.get_ref()
                ),
            );
        }
        let case_sensitive = head.case_sensitive;
        let top_exts = head
            .source_extensions
            .as_ref()
            .map(|e| self.extensions(e, "source-extensions"));
        let default_exts: Vec<String> = top_exts.unwrap_or_else(|| {
            DEFAULT_SOURCE_EXTENSIONS
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        });

        let mut requirements = Vec::new();
        let mut ids: BTreeMap<String, usize> = BTreeMap::new();
        let mut entries = Vec::new();
        for m in raw.module {
            let exts = m.source_extensions.as_ref().map_or_else(
                || default_exts.clone(),
                |e| self.extensions(e, "source-extensions"),
            );
            let rule = Rule::Module {
                min_source_files: m.min_source_files.unwrap_or(1),
                source_extensions: exts,
            };
            entries.push((Kind::Module, m.id, m.name, m.paths, m.required_files, rule));
        }
        for d in raw.document {
            let rule = Rule::Document {
                min_bytes: d.min_bytes.unwrap_or(1),
            };
            entries.push((
                Kind::Document,
                d.id,
                d.name,
                d.paths,
                d.required_files,
                rule,
            ));
        }
        for d in raw.database {
            let rule = Rule::Database {
                min_tables: d.min_tables.unwrap_or(1),
            };
            entries.push((
                Kind::Database,
                d.id,
                d.name,
                d.paths,
                d.required_files,
                rule,
            ));
        }
        for d in raw.dependencies {
            entries.push((
                Kind::Dependencies,
                d.id,
                d.name,
                d.paths,
                d.required_files,
                Rule::Dependencies,
            ));
        }
        // Report problems in file order, whatever the kind.
        entries.sort_by_key(|e| e.1.span().start);
        for (kind, id, name, paths, required, rule) in entries {
            let id_text = id.get_ref().trim().to_owned();
            if id_text.is_empty() || id_text.chars().any(|c| c.is_whitespace() || c.is_control()) {
                self.problem(
                    id.span(),
                    format!(
                        "{} id {:?} must be non-empty and contain no spaces",
                        kind.as_str(),
                        id.get_ref()
                    ),
                );
            } else if let Some(first) = ids.get(&id_text) {
                let (line, _) = line_col(self.text, *first);
                self.problem(
                    id.span(),
                    format!(
                        "duplicate id {id_text:?}: already used on line {line}; every requirement needs its own id"
                    ),
                );
            } else {
                ids.insert(id_text.clone(), id.span().start);
            }
            if name.get_ref().trim().is_empty() {
                self.problem(
                    name.span(),
                    format!("{} {id_text:?} has an empty name", kind.as_str()),
                );
            }
            if paths.get_ref().is_empty() {
                self.problem(
                    paths.span(),
                    format!(
                        "{} {id_text:?} has no paths: list at least one glob",
                        kind.as_str()
                    ),
                );
            }
            let mut set = GlobSetBuilder::new();
            for p in paths.get_ref() {
                if let Some(g) = self.glob(p, case_sensitive) {
                    set.add(g);
                }
            }
            let matcher = set.build().unwrap_or_else(|_| GlobSet::empty());
            let mut required_files = Vec::new();
            if let Some(req) = &required {
                for p in req.get_ref() {
                    if let Some(g) = self.glob(p, case_sensitive) {
                        required_files.push((p.get_ref().clone(), g.compile_matcher()));
                    }
                }
            }
            requirements.push(Requirement {
                kind,
                id: id_text,
                name: name.get_ref().trim().to_owned(),
                paths: paths
                    .get_ref()
                    .iter()
                    .map(|p| p.get_ref().clone())
                    .collect(),
                matcher,
                required_files,
                rule,
            });
        }
        let build = raw.build.as_ref().map(|b| self.build(b, case_sensitive));
        if requirements.is_empty() && build.is_none() && self.problems.is_empty() && head_ok {
            self.problem(
                0..0,
                "the manifest lists no requirements: add at least one [[module]], [[document]], [[database]] or [[dependencies]] entry, or a [build] table"
                    .to_owned(),
            );
        }

        let scan = self.scan(head.scan.as_ref(), &raw.rule, case_sensitive);
        let allow = self.allow(raw.allow, &scan.rules, case_sensitive);

        let mut severities = BTreeMap::new();
        for (code, sev) in &head.severity {
            if crate::codes::finding(code.get_ref()).is_none() {
                let known: Vec<&str> = crate::codes::FINDINGS.iter().map(|c| c.code).collect();
                self.problem(
                    code.span(),
                    format!(
                        "unknown finding code {:?} in [severity]; known codes: {}",
                        code.get_ref(),
                        known.join(", ")
                    ),
                );
                continue;
            }
            match Severity::parse(sev.get_ref()) {
                Some(s) => {
                    severities.insert(code.get_ref().clone(), s);
                }
                None => self.problem(
                    sev.span(),
                    format!(
                        "severity {:?} for {:?} must be \"deny\", \"warn\" or \"info\"",
                        sev.get_ref(),
                        code.get_ref()
                    ),
                ),
            }
        }

        if !self.problems.is_empty() {
            self.problems.sort_by_key(|p| (p.line, p.col));
            return Err(self.problems);
        }
        let c = head.contract.unwrap_or_default();
        for d in [&c.update_deadline, &c.delivery_deadline]
            .into_iter()
            .flatten()
        {
            if let Err(e) = crate::calendar::Deadline::parse(d.get_ref()) {
                self.problem(d.span(), e.to_string());
            }
        }
        if let Some(cal) = &c.calendar
            && crate::calendar::Calendar::named(cal.get_ref()).is_none()
        {
            self.problem(
                cal.span(),
                format!(
                    "calendar {:?} must be \"cn\" (State Council schedule) or \"mon-fri\"",
                    cal.get_ref()
                ),
            );
        }
        if !self.problems.is_empty() {
            self.problems.sort_by_key(|p| (p.line, p.col));
            return Err(self.problems);
        }
        Ok(Manifest {
            path: PathBuf::new(),
            sha256: String::new(),
            text: String::new(),
            contract: Contract {
                id: c.id,
                title: c.title,
                client: c.client,
                vendor: c.vendor,
                update_deadline: c.update_deadline.map(Spanned::into_inner),
                delivery_deadline: c.delivery_deadline.map(Spanned::into_inner),
                calendar: c.calendar.map(Spanned::into_inner),
            },
            case_sensitive,
            requirements,
            severities,
            scan,
            allow,
            build,
        })
    }

    fn scan(
        &mut self,
        raw: Option<&raw::RawScan>,
        rules: &[Spanned<crate::scan::RuleSpec>],
        case_sensitive: bool,
    ) -> crate::scan::ScanConfig {
        let mut config = crate::scan::ScanConfig::default();
        if let Some(raw) = raw {
            config.enabled = raw.enabled.unwrap_or(true);
            if let Some(v) = &raw.vendored {
                let mut set = GlobSetBuilder::new();
                for p in v.get_ref() {
                    if let Some(g) = self.glob(p, case_sensitive) {
                        set.add(g);
                        config.vendored.push(p.get_ref().clone());
                    }
                }
                config.vendored_set = set.build().unwrap_or_else(|_| GlobSet::empty());
            }
        }
        let builtin = crate::scan::rules::builtin_specs();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for r in rules {
            let spec = r.get_ref();
            if let Some(first) = seen.get(&spec.id) {
                let (line, _) = line_col(self.text, *first);
                self.problem(
                    r.span(),
                    format!("rule {:?} is already defined on line {line}", spec.id),
                );
                continue;
            }
            seen.insert(spec.id.clone(), r.span().start);
            let merged = match builtin.iter().find(|b| b.id == spec.id) {
                Some(b) => b.merged(spec),
                None => spec.clone(),
            };
            if merged.enabled == Some(false) {
                continue;
            }
            if let Err(e) = crate::scan::rules::compile(&merged) {
                self.problem(r.span(), e);
            }
        }
        config.rules = rules.iter().map(|r| r.get_ref().clone()).collect();
        config
    }

    fn allow(
        &mut self,
        raw: Vec<raw::RawAllow>,
        rules: &[crate::scan::RuleSpec],
        case_sensitive: bool,
    ) -> Vec<crate::scan::Allow> {
        let builtin = crate::scan::rules::builtin_specs();
        let known_rule = |id: &str| {
            builtin.iter().any(|r| r.id == id)
                || rules.iter().any(|r| r.id == id)
                || crate::scan::STRUCTURAL_RULES.contains(&id)
        };
        let mut out = Vec::new();
        for a in raw {
            if let Some(r) = &a.rule
                && !known_rule(r.get_ref())
            {
                self.problem(
                    r.span(),
                    format!(
                        "[[allow]]: no scan rule is called {:?}; rule ids are in src/scan/rules.toml, the README and each finding's `rule`",
                        r.get_ref()
                    ),
                );
            }
            if crate::codes::finding(a.code.get_ref()).is_none() {
                self.problem(
                    a.code.span(),
                    format!(
                        "[[allow]]: unknown finding code {:?}; see the README's finding codes",
                        a.code.get_ref()
                    ),
                );
            }
            if a.reason.get_ref().trim().is_empty() {
                self.problem(
                    a.reason.span(),
                    "[[allow]]: `reason` is empty: say why these findings are acceptable (it is printed in every report)".to_owned(),
                );
            }
            if a.paths.get_ref().is_empty() {
                self.problem(
                    a.paths.span(),
                    "[[allow]]: `paths` is empty: list the files it covers (use [severity] to change a whole code)".to_owned(),
                );
            }
            let mut set = GlobSetBuilder::new();
            for p in a.paths.get_ref() {
                if let Some(g) = self.glob(p, case_sensitive) {
                    set.add(g);
                }
            }
            out.push(crate::scan::Allow {
                code: a.code.get_ref().clone(),
                rule: a.rule.map(Spanned::into_inner),
                paths: a
                    .paths
                    .get_ref()
                    .iter()
                    .map(|p| p.get_ref().clone())
                    .collect(),
                matcher: set.build().unwrap_or_else(|_| GlobSet::empty()),
                reason: a.reason.get_ref().trim().to_owned(),
            });
        }
        out
    }

    fn glob(&mut self, pattern: &Spanned<String>, case_sensitive: bool) -> Option<Glob> {
        let written = pattern.get_ref();
        // "./src/**" means "src/**".
        let mut p = written.as_str();
        while let Some(rest) = p.strip_prefix("./") {
            p = rest;
        }
        let bad_component = p.split('/').any(|c| c == "..");
        if p.is_empty() {
            self.problem(pattern.span(), "empty glob".to_owned());
            return None;
        }
        if p.contains('\\') {
            self.problem(
                pattern.span(),
                format!("glob {written:?} contains '\\': separate folders with '/', as in \"docs/build/*\""),
            );
            return None;
        }
        if p.ends_with('/') {
            self.problem(
                pattern.span(),
                format!("glob {written:?} ends with '/' and would match no file: write \"{p}**\" for everything below that folder"),
            );
            return None;
        }
        if p.starts_with('/') || bad_component {
            self.problem(
                pattern.span(),
                format!(
                    "glob {written:?} must be relative to the delivery root, with no leading '/' or '..'"
                ),
            );
            return None;
        }
        match GlobBuilder::new(p)
            .case_insensitive(!case_sensitive)
            .literal_separator(true)
            .backslash_escape(false)
            .build()
        {
            Ok(g) => Some(g),
            Err(e) => {
                self.problem(
                    pattern.span(),
                    format!("glob {written:?} does not compile: {}", e.kind()),
                );
                None
            }
        }
    }

    fn extensions(&mut self, list: &SpannedStrings, key: &str) -> Vec<String> {
        if list.get_ref().is_empty() {
            self.problem(
                list.span(),
                format!("{key} is empty: list extensions such as \"java\" or remove the key"),
            );
        }
        let mut out = Vec::new();
        for e in list.get_ref() {
            let ext = e.get_ref().trim().trim_start_matches('.').to_lowercase();
            if ext.is_empty() || ext.contains('/') || ext.contains('*') {
                self.problem(
                    e.span(),
                    format!(
                        "{key}: {:?} is not a file extension (write \"java\", not \"*.java\")",
                        e.get_ref()
                    ),
                );
            } else {
                out.push(ext);
            }
        }
        out
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str =
        "schema-version = 1\n[[module]]\nid = \"a\"\nname = \"A\"\npaths = [\"a/**\"]\n";

    #[test]
    fn minimal_loads() {
        let m = parse(MIN).unwrap();
        assert_eq!(m.requirements.len(), 1);
        assert!(matches!(
            m.requirements[0].rule,
            Rule::Module {
                min_source_files: 1,
                ..
            }
        ));
    }

    #[test]
    fn globs_are_case_insensitive_by_default() {
        let m = parse(MIN).unwrap();
        assert!(m.requirements[0].matcher.is_match("A/X.java"));
        let cs = parse(&format!("case-sensitive = true\n{MIN}")).unwrap();
        assert!(!cs.requirements[0].matcher.is_match("A/X.java"));
        assert!(cs.requirements[0].matcher.is_match("a/X.java"));
    }

    #[test]
    fn unknown_key_has_position() {
        let err = parse(&format!("{MIN}colour = \"red\"\n")).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].line, 6);
        assert!(err[0].message.contains("colour"), "{}", err[0].message);
    }

    #[test]
    fn collects_every_semantic_problem() {
        let text = format!(
            "{MIN}[[document]]\nid = \"a\"\nname = \"\"\npaths = [\"docs/[\", \"/abs\"]\n[severity]\nno-such-code = \"warn\"\nmodule-missing = \"fatal\"\n"
        );
        let err = parse(&text).unwrap_err();
        let lines: Vec<usize> = err.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![7, 8, 9, 9, 11, 12], "{err:?}");
    }

    #[test]
    fn glob_spelling_mistakes() {
        let m = parse(&MIN.replace("\"a/**\"", "\"./a/**\"")).unwrap();
        assert!(m.requirements[0].matcher.is_match("a/x.java"));
        let err = parse(&MIN.replace("\"a/**\"", "\"a\\\\**\", \"a/\"")).unwrap_err();
        assert_eq!(err.len(), 2, "{err:?}");
        assert!(
            err[0].message.contains("separate folders with '/'"),
            "{err:?}"
        );
        assert!(err[1].message.contains("write \"a/**\""), "{err:?}");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\n朝医x", 3 + "朝医".len()), (2, 3));
    }
}
