//! The contract manifest: what a delivery must contain. Parsed in two phases: serde structs with
//! spans (`raw`), then `validate`, which collects every problem with `FILE:LINE:COL`.

mod hints;
mod raw;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder};
use serde::Serialize;
use toml::Spanned;

pub use crate::build::config::{BuildSpec, parse_duration, parse_size};
pub use crate::checks::config::{Requirement, RequirementKind, RequirementRule};
/// The old names of [`RequirementKind`] and [`RequirementRule`].
pub use crate::checks::config::{RequirementKind as Kind, RequirementRule as Rule};
use crate::finding::Severity;
use crate::scan::config as scan_config;
use raw::RawManifest;

/// What `escrow manifest init` writes where a person must fill something in (a contracted
/// module it could not find): a glob starting with it is refused, so a draft with one left
/// fails loudly until edited.
pub use crate::validate::TODO_MARK;

/// The manifest schema version this build reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Source-code file extensions counted by `min-source-files` unless the manifest overrides them.
pub use crate::filetypes::DEFAULT_SOURCE_EXTENSIONS;

/// The `[contract]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// The contract's number as the parties write it (`id`), shown at the top of the report.
    pub id: Option<String>,
    /// The contract's or project's title (`title`).
    pub title: Option<String>,
    /// The party that receives the software: the hospital (`client`).
    pub client: Option<String>,
    /// The party that delivers it (`vendor`).
    pub vendor: Option<String>,
    /// Updates are due this long after each go-live (default "10 working days").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_deadline: Option<String>,
    /// The full delivery is due this long after the final payment (default "30 working days").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_deadline: Option<String>,
    /// Questions the hospital asks (`escrow question`) must be answered this long after they
    /// were asked (`answer-deadline`, default "3 working days", the support clause of the
    /// contracts this tool was built for).
    pub answer_deadline: Option<String>,
    /// "cn" (default) or "mon-fri".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// The day the contract was signed (合同日期), `YYYY-MM-DD`, for the acceptance report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `[contract.clauses]`: the contract's own clause numbers for each acceptance criterion,
    /// so letters to the vendor cite them (`completeness = "第五条第1款"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clauses: Option<Clauses>,
}

/// `[contract.clauses]`: where the contract states each requirement, as its parties cite it
/// (free text: "第五条第1款", "§5.1"). Every key is optional; an unknown key is an error.
/// The criteria are those of CONTRACT-NOTES.md (验收标准 ①–④), plus the update and support
/// duties.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Clauses {
    /// ① 源代码完整性: every contracted module, complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<String>,
    /// ② 可运行性: builds by following the delivered documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buildability: Option<String>,
    /// ③ 无技术壁垒: no encryption, backdoors or password locks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barriers: Option<String>,
    /// ④ 文档完整性: the companion documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// Updates after each go-live (后续更新).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updates: Option<String>,
    /// Technical support: answers within the answer deadline (技术支持).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<String>,
}

/// A loaded, validated manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The manifest file's path as given to `load` (empty for a manifest from `parse`).
    pub path: PathBuf,
    /// SHA-256 of the manifest file's bytes, hex.
    pub sha256: String,
    /// The manifest as written.
    pub text: String,
    /// The `[contract]` table (all `None` when the manifest has none).
    pub contract: Contract,
    /// `case-sensitive`: whether globs match letter case exactly (default `false`).
    pub case_sensitive: bool,
    /// `source-extensions` (lower case, without the dot), else the built-in list
    /// (`DEFAULT_SOURCE_EXTENSIONS`): what counts as source code outside any module.
    pub source_extensions: Vec<String>,
    /// The `[[module]]`, `[[document]]`, `[[database]]` and `[[dependencies]]` entries, in
    /// manifest order, validated, with their globs compiled.
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
pub struct ManifestProblem {
    /// The line, counted from 1.
    pub line: usize,
    /// The column in characters (not bytes), counted from 1.
    pub col: usize,
    /// What is wrong there and how to fix it, in one sentence.
    pub message: String,
}

/// Why a manifest could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read (missing, unreadable, a folder, …).
    #[error("{}: cannot read the manifest: {source}; check the path given to --manifest", path.display())]
    Read {
        /// The manifest's path as given.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid UTF-8 (a leading byte-order mark is allowed and ignored).
    #[error("{}: the manifest is not UTF-8 text; save it as UTF-8 and try again", path.display())]
    NotUtf8 {
        /// The manifest's path as given.
        path: PathBuf,
    },
    /// The file is not valid TOML, or breaks the schema: every problem found, shown one per
    /// line as `FILE:LINE:COL: message`, then a count.
    #[error("{}", render_problems(path, problems))]
    Invalid {
        /// The manifest's path as given.
        path: PathBuf,
        /// Every problem found, in file order (never empty).
        problems: Vec<ManifestProblem>,
    },
}

fn render_problems(path: &Path, problems: &[ManifestProblem]) -> String {
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

impl fmt::Display for ManifestProblem {
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
    let sha256 = crate::hash::sha256_hex(&bytes);
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
pub fn parse(text: &str) -> Result<Manifest, Vec<ManifestProblem>> {
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
    problems: Vec<ManifestProblem>,
}

impl crate::validate::Context for Validator<'_> {
    fn problem(&mut self, span: std::ops::Range<usize>, message: String) {
        Validator::problem(self, span, message);
    }

    fn glob(&mut self, pattern: &Spanned<String>, case_sensitive: bool) -> Option<Glob> {
        Validator::glob(self, pattern, case_sensitive)
    }

    fn line_of(&self, offset: usize) -> usize {
        line_col(self.text, offset).0
    }

    fn is_finding_code(&self, code: &str) -> bool {
        crate::codes::finding(code).is_some()
    }
}

impl Validator<'_> {
    fn problem(&mut self, span: std::ops::Range<usize>, message: String) {
        let (line, col) = line_col(self.text, span.start);
        self.problems.push(ManifestProblem { line, col, message });
    }

    /// `[contract]`: its deadlines, calendar and date checked (problems recorded).
    fn contract(&mut self, c: raw::RawContract) -> Contract {
        for d in [&c.update_deadline, &c.delivery_deadline, &c.answer_deadline]
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
                    "calendar {:?} must be \"cn\" (State Council schedule, provisional beyond its notices), \"cn-official\" (the notices only: dates beyond them are unknown) or \"mon-fri\"",
                    cal.get_ref()
                ),
            );
        }
        if let Some(date) = &c.date
            && crate::calendar::parse_date(date.get_ref()).is_err()
        {
            self.problem(
                date.span(),
                format!(
                    "date {:?} must be the contract's date as YYYY-MM-DD (合同日期，如 2026-03-01)",
                    date.get_ref()
                ),
            );
        }
        Contract {
            id: c.id,
            title: c.title,
            client: c.client,
            vendor: c.vendor,
            update_deadline: c.update_deadline.map(Spanned::into_inner),
            delivery_deadline: c.delivery_deadline.map(Spanned::into_inner),
            answer_deadline: c.answer_deadline.map(Spanned::into_inner),
            calendar: c.calendar.map(Spanned::into_inner),
            date: c.date.map(Spanned::into_inner),
            clauses: c.clauses,
        }
    }

    fn validate(mut self, raw: RawManifest) -> Result<Manifest, Vec<ManifestProblem>> {
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
            .map(|e| crate::checks::config::extensions(e, "source-extensions", &mut self));
        let default_exts: Vec<String> = top_exts.unwrap_or_else(|| {
            DEFAULT_SOURCE_EXTENSIONS
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        });

        let requirements = crate::checks::config::validate(
            raw.requirements,
            &default_exts,
            case_sensitive,
            &mut self,
        );
        let build = raw
            .build
            .as_ref()
            .map(|b| crate::build::config::validate(b, case_sensitive, &mut self));
        if requirements.is_empty() && build.is_none() && self.problems.is_empty() && head_ok {
            self.problem(
                0..0,
                "the manifest lists no requirements: add at least one [[module]], [[document]], [[database]] or [[dependencies]] entry, or a [build] table"
                    .to_owned(),
            );
        }

        let scan =
            scan_config::validate_scan(&mut self, head.scan.as_ref(), &raw.rule, case_sensitive);
        let allow = scan_config::validate_allow(&mut self, raw.allow, &scan.rules, case_sensitive);

        let severities = self.severities(&head.severity);

        if !self.problems.is_empty() {
            self.problems.sort_by_key(|p| (p.line, p.col));
            return Err(self.problems);
        }
        let contract = self.contract(head.contract.unwrap_or_default());
        if !self.problems.is_empty() {
            self.problems.sort_by_key(|p| (p.line, p.col));
            return Err(self.problems);
        }
        Ok(Manifest {
            path: PathBuf::new(),
            sha256: String::new(),
            text: String::new(),
            contract,
            case_sensitive,
            source_extensions: default_exts,
            requirements,
            severities,
            scan,
            allow,
            build,
        })
    }

    /// `[severity]`: a known finding code and "deny", "warn" or "info" for each entry.
    fn severities(
        &mut self,
        raw: &BTreeMap<Spanned<String>, Spanned<String>>,
    ) -> BTreeMap<String, Severity> {
        let mut severities = BTreeMap::new();
        for (code, sev) in raw {
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
        severities
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
