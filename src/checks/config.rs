//! The requirement sections of the manifest (`[[module]]`, `[[document]]`, `[[database]]`,
//! `[[dependencies]]`): the raw entries as the TOML says them, and their validation into
//! [`Requirement`]s. The manifest loader reads the TOML and hands the entries here.

use std::collections::BTreeMap;

use globset::{GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::validate::{Context, TODO_MARK};

/// A list of strings with their spans.
pub type SpannedStrings = Spanned<Vec<Spanned<String>>>;

/// The kind of a requirement entry (`[[module]]`, `[[document]]`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementKind {
    /// `[[module]]`: source code.
    Module,
    /// `[[document]]`: documentation.
    Document,
    /// `[[database]]`: database scripts.
    Database,
    /// `[[dependencies]]`: dependency lists.
    Dependencies,
}

impl RequirementKind {
    /// The kind as the manifest names it: "module", "document", "database", "dependencies".
    pub fn as_str(self) -> &'static str {
        match self {
            RequirementKind::Module => "module",
            RequirementKind::Document => "document",
            RequirementKind::Database => "database",
            RequirementKind::Dependencies => "dependencies",
        }
    }
}

/// The kind-specific rule of a requirement.
#[derive(Debug, Clone)]
pub enum RequirementRule {
    /// `[[module]]`: enough source files.
    Module {
        /// Files with one of `source_extensions` the module must have.
        min_source_files: u64,
        /// Lower-case extensions without the dot.
        source_extensions: Vec<String>,
    },
    /// `[[document]]`: documents of some size, whose text says enough.
    Document {
        /// `min-bytes`: the bytes the largest matched document must have at least; `None` when
        /// the manifest gives none, and each file must then reach the default of its format
        /// ([`crate::checks::default_min_bytes`]).
        min_bytes: Option<u64>,
        /// `min-words`: the words (字数, see [`crate::doctext::word_count`]) the readable text
        /// of the matched documents must have together; [`DEFAULT_MIN_WORDS`] when not given.
        min_words: u64,
        /// `covers`: what the documents must name, each checked against the code.
        covers: Vec<Covers>,
        /// `min-coverage`: the percentage (0–100) of the items of each of `covers` the text
        /// must name; `None`: each kind's default ([`Covers::default_min_coverage`]).
        min_coverage: Option<u8>,
    },
    /// `[[database]]`: scripts that create tables.
    Database {
        /// `CREATE TABLE` statements the scripts must hold at least.
        min_tables: u64,
    },
    /// `[[dependencies]]`: dependency files that parse.
    Dependencies,
}

/// The words a document requirement's text must have when `min-words` is not given: 100, about
/// a third of a page of Chinese text; a real build guide, interface or design document has
/// thousands.
pub const DEFAULT_MIN_WORDS: u64 = 100;

/// What a `[[document]]` must name, checked against the delivered code (`covers = [...]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Covers {
    /// The tables the `[[database]]` scripts create (a database design document).
    Tables,
    /// The dependencies the dependency files declare (a dependency list).
    Dependencies,
    /// The HTTP endpoints the code serves (an interface document).
    Endpoints,
    /// The build tools the build files need, with their pinned versions (a build guide).
    BuildTools,
    /// The modules changed since the previous deposit (change notes; on `deposit` only).
    Changes,
}

impl Covers {
    /// Every value, in the order the manifest documentation lists them.
    pub const ALL: [Covers; 5] = [
        Covers::Tables,
        Covers::Dependencies,
        Covers::Endpoints,
        Covers::BuildTools,
        Covers::Changes,
    ];

    /// As the manifest writes it: "tables", "dependencies", "endpoints", "build-tools",
    /// "changes".
    pub fn as_str(self) -> &'static str {
        match self {
            Covers::Tables => "tables",
            Covers::Dependencies => "dependencies",
            Covers::Endpoints => "endpoints",
            Covers::BuildTools => "build-tools",
            Covers::Changes => "changes",
        }
    }

    /// The `min-coverage` of this kind when the manifest gives none: 80 % of tables,
    /// dependencies and endpoints (a design document may leave out log and temporary tables,
    /// a dependency list test-only libraries); every build tool (100 %), since a build guide
    /// missing one leaves a maintainer unable to build; every changed module (100 %).
    pub fn default_min_coverage(self) -> u8 {
        match self {
            Covers::Tables | Covers::Dependencies | Covers::Endpoints => 80,
            Covers::BuildTools | Covers::Changes => 100,
        }
    }
}

/// One validated requirement.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// Which table it comes from.
    pub kind: RequirementKind,
    /// Unique in the manifest, without spaces.
    pub id: String,
    /// Its name, for reports.
    pub name: String,
    /// The globs as written.
    pub paths: Vec<String>,
    /// The same globs, compiled.
    pub matcher: GlobSet,
    /// `required-files`: each glob must match at least one delivered file.
    pub required_files: Vec<(String, globset::GlobMatcher)>,
    /// The manifest line (from 1) of each glob of `paths`, in the same order.
    pub path_lines: Vec<usize>,
    /// The manifest line (from 1) of each glob of `required_files`, in the same order.
    pub required_lines: Vec<usize>,
    /// What its kind checks.
    pub rule: RequirementRule,
}

/// `[[module]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawModule {
    /// `id`.
    pub id: Spanned<String>,
    /// `name`.
    pub name: Spanned<String>,
    /// `paths`: globs.
    pub paths: SpannedStrings,
    /// `required-files`: globs that must each match.
    pub required_files: Option<SpannedStrings>,
    /// `min-source-files`.
    pub min_source_files: Option<u64>,
    /// `source-extensions`.
    pub source_extensions: Option<SpannedStrings>,
}

/// `[[document]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDocument {
    /// `id`.
    pub id: Spanned<String>,
    /// `name`.
    pub name: Spanned<String>,
    /// `paths`: globs.
    pub paths: SpannedStrings,
    /// `required-files`: globs that must each match.
    pub required_files: Option<SpannedStrings>,
    /// `min-bytes`: a whole number of bytes or a size with a unit ("10KiB"), checked when
    /// validated so that a mistake says how to write one.
    pub min_bytes: Option<Spanned<toml::Value>>,
    /// `min-words`.
    pub min_words: Option<u64>,
    /// `covers`: "tables", "dependencies", "endpoints", "build-tools", "changes".
    pub covers: Option<SpannedStrings>,
    /// `min-coverage`: a percentage.
    pub min_coverage: Option<Spanned<u64>>,
}

/// `[[database]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDatabase {
    /// `id`.
    pub id: Spanned<String>,
    /// `name`.
    pub name: Spanned<String>,
    /// `paths`: globs.
    pub paths: SpannedStrings,
    /// `required-files`: globs that must each match.
    pub required_files: Option<SpannedStrings>,
    /// `min-tables`.
    pub min_tables: Option<u64>,
}

/// `[[dependencies]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDependencies {
    /// `id`.
    pub id: Spanned<String>,
    /// `name`.
    pub name: Spanned<String>,
    /// `paths`: globs.
    pub paths: SpannedStrings,
    /// `required-files`: globs that must each match.
    pub required_files: Option<SpannedStrings>,
}

/// Every requirement entry as written, by kind.
#[derive(Debug, Default)]
pub struct RawRequirements {
    /// `[[module]]` entries.
    pub module: Vec<RawModule>,
    /// `[[document]]` entries.
    pub document: Vec<RawDocument>,
    /// `[[database]]` entries.
    pub database: Vec<RawDatabase>,
    /// `[[dependencies]]` entries.
    pub dependencies: Vec<RawDependencies>,
}

/// One entry of any kind, before validation.
struct Entry {
    kind: RequirementKind,
    id: Spanned<String>,
    name: Spanned<String>,
    paths: SpannedStrings,
    required: Option<SpannedStrings>,
    rule: RequirementRule,
}

/// `covers = [...]` validated: each value one of [`Covers::ALL`], each once.
fn covers(raw: Option<&SpannedStrings>, cx: &mut dyn Context) -> Vec<Covers> {
    let mut out = Vec::new();
    for v in raw.map(|l| l.get_ref().as_slice()).unwrap_or_default() {
        match Covers::ALL
            .iter()
            .find(|c| c.as_str() == v.get_ref().as_str())
        {
            Some(c) if out.contains(c) => {
                cx.problem(
                    v.span(),
                    format!("covers: {:?} is listed twice", v.get_ref()),
                );
            }
            Some(c) => out.push(*c),
            None => {
                let all: Vec<String> = Covers::ALL
                    .iter()
                    .map(|c| format!("{:?}", c.as_str()))
                    .collect();
                cx.problem(
                    v.span(),
                    format!(
                        "covers: {:?} is not something a document can cover: write one or more of {}",
                        v.get_ref(),
                        all.join(", ")
                    ),
                );
            }
        }
    }
    out
}

/// Validate every requirement entry, recording each problem in `cx` (in file order, whatever
/// the kind). `default_extensions` are the source extensions of a module that names none (the
/// manifest's `source-extensions`, else the built-in list); globs are case-insensitive unless
/// `case_sensitive`.
pub fn validate(
    raw: RawRequirements,
    default_extensions: &[String],
    case_sensitive: bool,
    cx: &mut dyn Context,
) -> Vec<Requirement> {
    let mut entries = entries(raw, default_extensions, cx);
    // Report problems in file order, whatever the kind.
    entries.sort_by_key(|e| e.id.span().start);
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    entries
        .into_iter()
        .map(|e| requirement(e, &mut ids, case_sensitive, cx))
        .collect()
}

/// The entries of every kind with their rules.
fn entries(
    raw: RawRequirements,
    default_extensions: &[String],
    cx: &mut dyn Context,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    for m in raw.module {
        let exts = m.source_extensions.as_ref().map_or_else(
            || default_extensions.to_vec(),
            |e| extensions(e, "source-extensions", cx),
        );
        entries.push(Entry {
            kind: RequirementKind::Module,
            rule: RequirementRule::Module {
                min_source_files: m.min_source_files.unwrap_or(1),
                source_extensions: exts,
            },
            id: m.id,
            name: m.name,
            paths: m.paths,
            required: m.required_files,
        });
    }
    for d in raw.document {
        entries.push(Entry {
            kind: RequirementKind::Document,
            rule: RequirementRule::Document {
                min_bytes: d.min_bytes.as_ref().and_then(|v| {
                    let bytes = crate::validate::size_value(v.get_ref());
                    if bytes.is_none() {
                        cx.problem(
                            v.span(),
                            crate::validate::not_a_size("min-bytes", v.get_ref()),
                        );
                    }
                    bytes
                }),
                min_words: d.min_words.unwrap_or(DEFAULT_MIN_WORDS),
                covers: covers(d.covers.as_ref(), cx),
                min_coverage: d.min_coverage.as_ref().and_then(|v| {
                    let pct = u8::try_from(*v.get_ref()).ok().filter(|p| *p <= 100);
                    if pct.is_none() {
                        cx.problem(
                            v.span(),
                            format!(
                                "min-coverage: {} is not a percentage: write a whole number from 0 to 100, e.g. 80",
                                v.get_ref()
                            ),
                        );
                    }
                    pct
                }),
            },
            id: d.id,
            name: d.name,
            paths: d.paths,
            required: d.required_files,
        });
    }
    for d in raw.database {
        entries.push(Entry {
            kind: RequirementKind::Database,
            rule: RequirementRule::Database {
                min_tables: d.min_tables.unwrap_or(1),
            },
            id: d.id,
            name: d.name,
            paths: d.paths,
            required: d.required_files,
        });
    }
    for d in raw.dependencies {
        entries.push(Entry {
            kind: RequirementKind::Dependencies,
            rule: RequirementRule::Dependencies,
            id: d.id,
            name: d.name,
            paths: d.paths,
            required: d.required_files,
        });
    }
    entries
}

/// Validate one entry; `ids` holds the ids seen so far, with their offsets.
fn requirement(
    e: Entry,
    ids: &mut BTreeMap<String, usize>,
    case_sensitive: bool,
    cx: &mut dyn Context,
) -> Requirement {
    let Entry {
        kind,
        id,
        name,
        paths,
        required,
        rule,
    } = e;
    let id_text = id.get_ref().trim().to_owned();
    if id_text.is_empty() || id_text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        cx.problem(
            id.span(),
            format!(
                "{} id {:?} must be non-empty and contain no spaces",
                kind.as_str(),
                id.get_ref()
            ),
        );
    } else if let Some(first) = ids.get(&id_text) {
        let line = cx.line_of(*first);
        cx.problem(
            id.span(),
            format!(
                "duplicate id {id_text:?}: already used on line {line}; every requirement needs its own id"
            ),
        );
    } else {
        ids.insert(id_text.clone(), id.span().start);
    }
    if name.get_ref().trim().is_empty() {
        cx.problem(
            name.span(),
            format!("{} {id_text:?} has an empty name", kind.as_str()),
        );
    }
    if paths.get_ref().is_empty() {
        cx.problem(
            paths.span(),
            format!(
                "{} {id_text:?} has no paths: list at least one glob",
                kind.as_str()
            ),
        );
    }
    let mut set = GlobSetBuilder::new();
    for p in paths.get_ref() {
        if is_placeholder(p) {
            cx.problem(p.span(), placeholder(kind, &id_text, &name, "paths"));
        } else if let Some(g) = cx.glob(p, case_sensitive) {
            set.add(g);
        }
    }
    let matcher = set.build().unwrap_or_else(|_| GlobSet::empty());
    let mut required_files = Vec::new();
    let mut required_lines = Vec::new();
    for p in required
        .as_ref()
        .map(Spanned::get_ref)
        .into_iter()
        .flatten()
    {
        if is_placeholder(p) {
            cx.problem(
                p.span(),
                placeholder(kind, &id_text, &name, "required-files"),
            );
        } else if let Some(g) = cx.glob(p, case_sensitive) {
            required_files.push((p.get_ref().clone(), g.compile_matcher()));
            required_lines.push(cx.line_of(p.span().start));
        }
    }
    Requirement {
        kind,
        id: id_text,
        name: name.get_ref().trim().to_owned(),
        paths: paths
            .get_ref()
            .iter()
            .map(|p| p.get_ref().clone())
            .collect(),
        path_lines: paths
            .get_ref()
            .iter()
            .map(|p| cx.line_of(p.span().start))
            .collect(),
        matcher,
        required_files,
        required_lines,
        rule,
    }
}

/// Whether a glob is the placeholder `escrow manifest init` writes ([`TODO_MARK`]).
fn is_placeholder(glob: &Spanned<String>) -> bool {
    glob.get_ref().trim_start().starts_with(TODO_MARK)
}

/// The message for a placeholder left under `key` (`paths` or `required-files`) of a
/// requirement: what to write instead, in English and Chinese.
fn placeholder(kind: RequirementKind, id: &str, name: &Spanned<String>, key: &str) -> String {
    let name = name.get_ref().trim();
    let (what, what_zh, example) = match (kind, key) {
        (_, "required-files") => (
            "the files that must be delivered",
            "必须交付的文件",
            format!("required-files = [\"{id}/pom.xml\"]"),
        ),
        (RequirementKind::Module, _) => (
            "the module's folder(s)",
            "该模块所在的文件夹",
            format!("paths = [\"{id}/**\"]"),
        ),
        (RequirementKind::Document, _) => (
            "the document's file(s)",
            "该文档的文件",
            format!("paths = [\"docs/**/*{name}*\"]"),
        ),
        (RequirementKind::Database, _) => (
            "the scripts' files",
            "数据库脚本文件",
            "paths = [\"db/**/*.sql\"]".to_owned(),
        ),
        (RequirementKind::Dependencies, _) => (
            "the dependency lists' files",
            "依赖清单文件",
            "paths = [\"**/pom.xml\"]".to_owned(),
        ),
    };
    let kind_zh = match kind {
        RequirementKind::Module => "模块",
        RequirementKind::Document => "文档",
        RequirementKind::Database => "数据库脚本",
        RequirementKind::Dependencies => "依赖清单",
    };
    format!(
        "{} {id:?} ({name}) still has the TODO placeholder written by `escrow manifest init` in {key}: replace it with {what}, e.g. {example}; if the vendor has not delivered it, keep the entry and write where it is to be delivered: the check then reports it missing; delete the entry only if the contract does not require it / {kind_zh}「{id}」（{name}）的 {key} 仍是 escrow manifest init 写下的 TODO 占位内容：请改为{what_zh}，例如 {example}；如供应商尚未交付，请保留该条目并写上应交付的位置，检查会报告其缺失；只有合同不要求此项时才删除该条目",
        kind.as_str()
    )
}

/// A list of file extensions under `key` (`source-extensions`): lower-case, without the dot.
pub fn extensions(list: &SpannedStrings, key: &str, cx: &mut dyn Context) -> Vec<String> {
    if list.get_ref().is_empty() {
        cx.problem(
            list.span(),
            format!("{key} is empty: list extensions such as \"java\" or remove the key"),
        );
    }
    let mut out = Vec::new();
    for e in list.get_ref() {
        let ext = e.get_ref().trim().trim_start_matches('.').to_lowercase();
        if ext.is_empty() || ext.contains('/') || ext.contains('*') {
            cx.problem(
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
