//! `manifest init --contract FILE`: the contracted module names, each mapped to the delivered
//! module that matches it best, with how sure the match is.
//!
//! # The contract file
//!
//! A short TOML file a hospital officer writes (UTF-8; a file saved as GBK by an older Windows
//! editor is read too):
//!
//! ```toml
//! # the contracted modules, as the contract lists them: at the top, before [contract]
//! modules = ["门诊挂号", "住院收费", { name = "医学影像", aliases = ["PACS"] }]
//!
//! # optional: copied into the draft's [contract]
//! [contract]
//! id = "HT-2026-001"
//! title = "某医院HIS改造项目"
//! ```
//!
//! `modules` lives at the top level only. TOML puts every line after a `[contract]` line into
//! that table, so a `modules` written under `[contract]` is refused with a message saying to
//! move it above the `[contract]` line. Each entry is a name, or `{ name = "…", aliases = […] }`
//! with other names the hospital knows the module by. The `[contract]` keys are those of the
//! manifest's `[contract]` ([`CONTRACT_KEYS`]), checked as the manifest checks them.
//!
//! A manifest can be given as the contract file: a file with `schema-version` or `[[module]]`
//! tables is read as one, its `[[module]]` names being the contracted modules (each entry's `id` an
//! alias) and its `[contract]` copied. Its other tables are not read here.
//!
//! # Matching
//!
//! [`map`] scores every (contracted, delivered) pair from the delivered module's `names`, its
//! folder and glob path segments and its id, against the contracted name and its aliases:
//!
//! - **exact** (score 1.0, [`Confidence::High`]): the two names agree once letter case, spaces,
//!   punctuation and generic words (系统, 子系统, 模块, 管理, 软件, "system", "module") are set
//!   aside, e.g. "电子病历" and a Maven `<name>电子病历系统</name>`, or an alias "LIS" and a
//!   folder `lis`. Nothing else gives High.
//! - **term coverage** (score up to 0.85): the contracted name is split into the terms of the
//!   hospital-information-system glossary (`his_terms.toml`, longest term first), the rest into
//!   runs of characters read as pinyin (weight 1, or 0.3 for a lone character, most often a
//!   suffix such as 站 or 科). Each term is found, or not, in the module, with a
//!   strength:
//!   - its Chinese text inside a Chinese build-file name: 1 (0.7 in a text of more than 12
//!     characters, such as a description listing many functions);
//!   - one of its words as consecutive words of a folder, id or name: 1 (0.7 for a two-letter
//!     abbreviation such as "gh");
//!   - the single-word forms (pinyin, initials, abbreviations, words) of two or more
//!     consecutive terms run together ("mzgh", "yfgl", "yaofangguanli"): 0.9;
//!   - a word of five letters or more inside a longer word ("register" in "hisregister"): 0.6;
//!   - a near-synonym's words ("结算" for "收费"), and in Chinese names the terms inside a
//!     compound term ("影像" for "医学影像"): 0.85 of the above.
//!
//!   The score is 0.85 × the weighted share found (weights from the glossary: 1 a function,
//!   0.5 a connecting part like 接口/平台, 0.3 a setting like 门诊/住院 or 工作站, 0 a generic
//!   word like 管理/系统), × 0.6 when the name's setting is missing and the module names another
//!   setting ("住院" for "门诊"). [`Confidence::Medium`] from [`MEDIUM_MIN`] (0.6: the terms
//!   that matter are found), [`Confidence::Low`] from [`LOW_MIN`] (0.25: part of the name is
//!   found); below that, no candidate.
//!
//! Assignment is greedy by score: the best-scoring pair first, each delivered module given to one
//! contracted name. Afterwards a contracted name whose module (if any) scores more than [`NEAR`]
//! (0.15) below its best candidate, already given to another name, shares that best module: one
//! module can deliver two contracted functions. Each explanation then names the other
//! contracted name. A contracted name with no candidate gets no module and
//! [`Confidence::None`].

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};
use unicode_normalization::UnicodeNormalization;

use super::DetectedModule;

/// The keys of the `[contract]` table, as the manifest's `[contract]`
/// ([`crate::manifest::Contract`]) reads them, in the order the draft writes them.
pub const CONTRACT_KEYS: &[&str] = &[
    "id",
    "title",
    "client",
    "vendor",
    "update-deadline",
    "delivery-deadline",
    "calendar",
];

/// The keys of a `modules` entry written as a table.
pub const MODULE_ENTRY_KEYS: &[&str] = &["name", "aliases"];

/// A pair scoring at least this is a likely match ([`Confidence::Medium`]).
pub const MEDIUM_MIN: f64 = 0.6;

/// A pair scoring at least this is a weak match ([`Confidence::Low`]); below it, no candidate.
pub const LOW_MIN: f64 = 0.25;

/// A contracted name takes a free module rather than share one with another contracted name when
/// the free one scores within this of the shared one.
pub const NEAR: f64 = 0.15;

/// A contracted module as the contract file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractedModule {
    /// The name the contract gives it (e.g. "门诊挂号").
    pub name: String,
    /// Other names the hospital knows it by, if the file gives any.
    pub aliases: Vec<String>,
    /// The line of the contract file that names it (1-based).
    pub line: usize,
}

/// The contract file: the manifest's `[contract]` table (as TOML text, copied into the draft)
/// and the contracted modules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractFile {
    /// The `[contract]` table as TOML text ready to paste into the draft: the `[contract]` line,
    /// then one `key = "value"` line per key given, in [`CONTRACT_KEYS`] order, each ending with
    /// a newline. `None` when the file has no `[contract]`.
    pub contract_toml: Option<String>,
    /// The contracted modules, in file order.
    pub modules: Vec<ContractedModule>,
    /// Whether the file was a manifest (its `[[module]]` names read as the contracted modules).
    pub from_manifest: bool,
}

/// Why a contract file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// Unreadable file.
    #[error("{}: cannot read the contract file: {source}; check the path given to --contract", path.display())]
    Read {
        /// The path as given.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Not valid: every problem as `FILE:LINE:COL: message`.
    #[error("{}", .problems.join("\n"))]
    Invalid {
        /// The path as given.
        path: PathBuf,
        /// Every problem, rendered with the file's name, line and column.
        problems: Vec<String>,
    },
}

/// How sure a mapping is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// No delivered module matches: the draft gets a `TODO` entry.
    None,
    /// A weak match: review it.
    Low,
    /// A likely match.
    Medium,
    /// The names agree.
    High,
}

/// One contracted module and the delivered module it maps to.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// The contracted module.
    pub contracted: ContractedModule,
    /// The index (into the modules given to [`map`]) of the best match, if any.
    pub module: Option<usize>,
    /// The match's score, 0.0 to 1.0.
    pub score: f64,
    /// How sure the match is.
    pub confidence: Confidence,
    /// Why, in English (e.g. `"挂号" = "register" in folder his/his-register`).
    pub why: String,
    /// Why, in Chinese.
    pub why_zh: String,
    /// Other candidates worth a look, best first (indexes into the modules), at most three.
    pub also: Vec<usize>,
}

/// A problem found in a contract file: 1-based line and column (in characters) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractProblem {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What is wrong and what to do, in plain words.
    pub message: String,
}

/// Read a contract file (see the module documentation for its form).
///
/// Errors: [`ContractError::Read`] when the file cannot be read; [`ContractError::Invalid`] with
/// every problem as `FILE:LINE:COL: message` otherwise.
pub fn load(path: &Path) -> Result<ContractFile, ContractError> {
    let bytes = std::fs::read(path).map_err(|source| ContractError::Read {
        path: path.to_owned(),
        source,
    })?;
    let invalid = |problems: Vec<String>| ContractError::Invalid {
        path: path.to_owned(),
        problems,
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let (decoded, had_errors) = encoding_rs::GBK.decode_without_bom_handling(e.as_bytes());
            if had_errors {
                return Err(invalid(vec![format!(
                    "{}: the contract file is neither UTF-8 nor GBK text; save it as UTF-8 \
                     (in Notepad: Save As, Encoding UTF-8)",
                    path.display()
                )]));
            }
            decoded.into_owned()
        }
    };
    parse(&text).map_err(|problems| {
        invalid(
            problems
                .iter()
                .map(|p| format!("{}:{}:{}: {}", path.display(), p.line, p.col, p.message))
                .collect(),
        )
    })
}

/// Parse contract file text. Errors are every problem found, in file order.
pub fn parse(text: &str) -> Result<ContractFile, Vec<ContractProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Problems {
        text,
        list: Vec::new(),
        modules_in_contract: false,
    };
    let file = p.parse();
    if p.list.is_empty() {
        Ok(file)
    } else {
        let mut list = p.list;
        list.sort_by_key(|(span, _)| span.start);
        list.dedup();
        Err(list
            .into_iter()
            .map(|(span, message)| {
                let (line, col) = line_col(text, span.start);
                ContractProblem { line, col, message }
            })
            .collect())
    }
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

/// Characters a Chinese input method types in place of TOML's punctuation: the character, what
/// it is, and what TOML needs.
const FULL_WIDTH: &[(char, &str, &str)] = &[
    ('\u{201c}', "a Chinese opening quotation mark", "\""),
    ('\u{201d}', "a Chinese closing quotation mark", "\""),
    ('\u{2018}', "a Chinese opening single quotation mark", "'"),
    ('\u{2019}', "a Chinese closing single quotation mark", "'"),
    ('\u{ff0c}', "a Chinese comma", ","),
    ('\u{ff1d}', "a full-width equals sign", "="),
    ('\u{3010}', "a Chinese bracket", "["),
    ('\u{3011}', "a Chinese bracket", "]"),
    ('\u{ff3b}', "a full-width bracket", "["),
    ('\u{ff3d}', "a full-width bracket", "]"),
    ('\u{ff5b}', "a full-width brace", "{"),
    ('\u{ff5d}', "a full-width brace", "}"),
];

struct Problems<'a> {
    text: &'a str,
    list: Vec<(Range<usize>, String)>,
    /// `modules` was written inside `[contract]` (already reported).
    modules_in_contract: bool,
}

impl Problems<'_> {
    fn add(&mut self, span: Range<usize>, message: String) {
        self.list.push((span, message));
    }

    /// The first character of `FULL_WIDTH` on the line holding `offset`, outside a quoted
    /// string: its byte offset and the message naming it.
    fn full_width_on_line(&self, offset: usize) -> Option<(usize, String)> {
        let offset = offset.min(self.text.len());
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let mut quote: Option<char> = None;
        for (i, c) in self.text[start..end].char_indices() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c == '#' => return None,
                None => {
                    if let Some((_, what, ascii)) = FULL_WIDTH.iter().find(|(f, _, _)| *f == c) {
                        return Some((
                            start + i,
                            format!(
                                "{c} is {what}, typed with a Chinese input method; TOML needs \
                                 the plain {ascii} here: switch the input method to English \
                                 (half-width) punctuation and type it again"
                            ),
                        ));
                    }
                }
            }
        }
        None
    }

    fn parse(&mut self) -> ContractFile {
        let (root, errors) = DeTable::parse_recoverable(self.text);
        if !errors.is_empty() {
            for e in &errors {
                let span = e.span().unwrap_or(0..0);
                if let Some((at, message)) = self.full_width_on_line(span.start) {
                    self.add(at..at, message);
                } else {
                    let message = plain_toml_message(e.message(), &self.text[span.clone()]);
                    self.add(span, message);
                }
            }
            return ContractFile::default();
        }
        let mut table = root.into_inner();
        // A manifest: `schema-version`, or `[[module]]` tables (not `module = ["…"]`, a slip for
        // `modules`).
        let is_manifest = table.contains_key("schema-version")
            || table.get("module").is_some_and(|m| match m.get_ref() {
                DeValue::Array(items) => {
                    !items.is_empty()
                        && items
                            .iter()
                            .all(|i| matches!(i.get_ref(), DeValue::Table(_)))
                }
                _ => false,
            });
        let mut file = ContractFile {
            from_manifest: is_manifest,
            ..ContractFile::default()
        };
        if let Some(contract) = table.remove("contract") {
            file.contract_toml = self.contract(contract, is_manifest);
        }
        if is_manifest {
            if let Some((key, _)) = table.get_key_value("modules") {
                self.add(
                    key.span(),
                    "this file is a manifest (it has schema-version or [[module]]): its \
                     contracted modules are the names of its [[module]] entries; remove \
                     `modules`, or give a contract file without schema-version and [[module]]"
                        .to_owned(),
                );
            }
            if let Some(modules) = table.remove("module") {
                file.modules = self.manifest_modules(modules);
            } else {
                self.add(
                    0..0,
                    "this manifest has no [[module]] entries, so it names no contracted \
                     module; add them, or give a contract file with modules = [...]"
                        .to_owned(),
                );
            }
            return file;
        }
        let mut modules = None;
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "modules" => modules = Some(value),
                other => self.add(
                    key.span(),
                    format!(
                        "unknown key `{other}`{}: a contract file has `modules` (the contracted \
                         module names, at the top) and a [contract] table (keys: {})",
                        if other == "module" {
                            " (did you mean `modules`?)"
                        } else {
                            ""
                        },
                        CONTRACT_KEYS.join(", ")
                    ),
                ),
            }
        }
        match modules {
            Some(m) => file.modules = self.modules(m),
            None if self.modules_in_contract => {}
            None => self.add(
                0..0,
                "no `modules`: list the contracted modules at the top of the file, before \
                 [contract], e.g. modules = [\"门诊挂号\", \"住院收费\"]"
                    .to_owned(),
            ),
        }
        file
    }

    /// `[contract]`: its keys checked, re-serialised, and checked again as the manifest reads it.
    fn contract(&mut self, value: Spanned<DeValue<'_>>, is_manifest: bool) -> Option<String> {
        let span = value.span();
        let DeValue::Table(table) = value.into_inner() else {
            self.add(
                span,
                "`contract` must be a table: write [contract] on its own line, then its keys"
                    .to_owned(),
            );
            return None;
        };
        let mut values: HashMap<&'static str, (String, Range<usize>)> = HashMap::new();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            if name == "modules" && !is_manifest {
                self.add(
                    key.span(),
                    "`modules` is inside [contract] here: TOML puts every line after the \
                     [contract] line into that table; move the `modules = [...]` line above \
                     the [contract] line, to the top of the file"
                        .to_owned(),
                );
                self.modules_in_contract = true;
                continue;
            }
            let Some(known) = CONTRACT_KEYS.iter().find(|k| **k == name) else {
                self.add(
                    key.span(),
                    format!(
                        "unknown key `{name}` in [contract]: the allowed keys are {}",
                        CONTRACT_KEYS.join(", ")
                    ),
                );
                continue;
            };
            let vspan = value.span();
            match value.into_inner() {
                DeValue::String(s) => {
                    values.insert(known, (s.into_owned(), vspan));
                }
                _ => self.add(
                    vspan,
                    format!("`{name}` must be text in quotes, e.g. {name} = \"…\""),
                ),
            }
        }
        let mut out = String::from("[contract]\n");
        let mut lines = Vec::new();
        for key in CONTRACT_KEYS {
            if let Some((v, vspan)) = values.get(key) {
                out.push_str(&format!("{key} = {}\n", toml::Value::String(v.clone())));
                lines.push(vspan.clone());
            }
        }
        // The manifest's own reading of the table (with a placeholder module, as a manifest
        // needs one): deadlines and calendar names checked as the manifest checks them, so the
        // draft's [contract] is one the manifest accepts.
        let manifest = format!(
            "schema-version = {}\n{out}[[module]]\nid = \"m\"\nname = \"m\"\npaths = [\"m/**\"]\n",
            crate::manifest::SCHEMA_VERSION
        );
        if let Err(problems) = crate::manifest::parse(&manifest) {
            for p in problems {
                // Line 1 is schema-version, line 2 [contract], then one line per key.
                if let Some(at) = p.line.checked_sub(3).and_then(|i| lines.get(i)) {
                    self.add(at.clone(), p.message);
                } else if p.line == 2 {
                    self.add(span.clone(), p.message);
                }
            }
        }
        Some(out)
    }

    /// Top-level `modules`: names, or `{ name, aliases }` tables.
    fn modules(&mut self, value: Spanned<DeValue<'_>>) -> Vec<ContractedModule> {
        let span = value.span();
        let DeValue::Array(items) = value.into_inner() else {
            self.add(
                span,
                "`modules` must be a list in square brackets, e.g. modules = [\"门诊挂号\", \
                 \"住院收费\"]"
                    .to_owned(),
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.add(
                span,
                "`modules` is empty: list the contracted modules, e.g. modules = [\"门诊挂号\", \
                 \"住院收费\"]"
                    .to_owned(),
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut seen: HashMap<String, (String, usize)> = HashMap::new();
        for item in items {
            let ispan = item.span();
            let entry = match item.into_inner() {
                DeValue::String(s) => {
                    Some((Spanned::new(ispan.clone(), s.into_owned()), Vec::new()))
                }
                DeValue::Table(t) => self.module_entry(t, ispan.clone()),
                _ => {
                    self.add(
                        ispan.clone(),
                        "each module is a name in quotes, or { name = \"…\", aliases = [\"…\"] }"
                            .to_owned(),
                    );
                    None
                }
            };
            let Some((name, aliases)) = entry else {
                continue;
            };
            if let Some(m) = self.named(&name, &aliases, &mut seen) {
                out.push(m);
            }
        }
        out
    }

    /// A name and its aliases, checked for blanks and repeats.
    fn named(
        &mut self,
        name: &Spanned<String>,
        aliases: &[Spanned<String>],
        seen: &mut HashMap<String, (String, usize)>,
    ) -> Option<ContractedModule> {
        let line = line_col(self.text, name.span().start).0;
        let mut ok = true;
        let mut clean = Vec::new();
        for (i, n) in std::iter::once(name).chain(aliases).enumerate() {
            let what = if i == 0 { "module name" } else { "alias" };
            let trimmed = n.get_ref().trim();
            if trimmed.is_empty() {
                self.add(
                    n.span(),
                    format!("this {what} is empty: write the name in the quotes"),
                );
                ok = false;
                continue;
            }
            let key = fold(trimmed);
            let here = line_col(self.text, n.span().start).0;
            if let Some((first, first_line)) = seen.get(&key) {
                self.add(
                    n.span(),
                    format!(
                        "\"{trimmed}\" is named twice (first as \"{first}\" on line \
                         {first_line}); each contracted module and alias must be listed once"
                    ),
                );
                ok = false;
                continue;
            }
            seen.insert(key, (trimmed.to_owned(), here));
            clean.push(trimmed.to_owned());
        }
        if !ok || clean.is_empty() {
            return None;
        }
        let name = clean.remove(0);
        Some(ContractedModule {
            name,
            aliases: clean,
            line,
        })
    }

    /// `{ name = "…", aliases = ["…"] }`.
    fn module_entry(
        &mut self,
        table: DeTable<'_>,
        span: Range<usize>,
    ) -> Option<(Spanned<String>, Vec<Spanned<String>>)> {
        let mut name = None;
        let mut aliases = Vec::new();
        let mut ok = true;
        for (key, value) in table {
            let vspan = value.span();
            match (key.get_ref().as_ref(), value.into_inner()) {
                ("name", DeValue::String(s)) => name = Some(Spanned::new(vspan, s.into_owned())),
                ("aliases", DeValue::Array(items)) => {
                    for a in items {
                        let aspan = a.span();
                        if let DeValue::String(s) = a.into_inner() {
                            aliases.push(Spanned::new(aspan, s.into_owned()));
                        } else {
                            self.add(aspan, "each alias is a name in quotes".to_owned());
                            ok = false;
                        }
                    }
                }
                ("name", _) => {
                    self.add(vspan, "`name` must be text in quotes".to_owned());
                    ok = false;
                }
                ("aliases", _) => {
                    self.add(
                        vspan,
                        "`aliases` must be a list in square brackets, e.g. aliases = [\"PACS\"]"
                            .to_owned(),
                    );
                    ok = false;
                }
                (other, _) => {
                    self.add(
                        key.span(),
                        format!(
                            "unknown key `{other}` in a module entry: the allowed keys are {}",
                            MODULE_ENTRY_KEYS.join(", ")
                        ),
                    );
                    ok = false;
                }
            }
        }
        let Some(name) = name else {
            self.add(
                span,
                "this module entry has no `name`: write { name = \"…\", aliases = [\"…\"] }"
                    .to_owned(),
            );
            return None;
        };
        ok.then_some((name, aliases))
    }

    /// A manifest's `[[module]]` entries: each `name`, its `id` an alias.
    fn manifest_modules(&mut self, value: Spanned<DeValue<'_>>) -> Vec<ContractedModule> {
        let span = value.span();
        let DeValue::Array(items) = value.into_inner() else {
            self.add(
                span,
                "`module` must be written [[module]], once per module".to_owned(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut seen = HashMap::new();
        for item in items {
            let ispan = item.span();
            let DeValue::Table(mut t) = item.into_inner() else {
                self.add(
                    ispan,
                    "`module` must be written [[module]], once per module".to_owned(),
                );
                continue;
            };
            let Some(name) = t.remove("name") else {
                self.add(ispan, "this [[module]] has no `name`".to_owned());
                continue;
            };
            let nspan = name.span();
            let DeValue::String(n) = name.into_inner() else {
                self.add(nspan, "`name` must be text in quotes".to_owned());
                continue;
            };
            let mut aliases = Vec::new();
            if let Some(id) = t.remove("id") {
                let alias_span = id.span();
                if let DeValue::String(i) = id.into_inner()
                    && fold(&i) != fold(&n)
                {
                    aliases.push(Spanned::new(alias_span, i.into_owned()));
                }
            }
            if let Some(m) = self.named(&Spanned::new(nspan, n.into_owned()), &aliases, &mut seen) {
                out.push(m);
            }
        }
        out
    }
}

/// A TOML syntax error in plain words: the common slips said as what to type, the others as
/// the TOML reader words them. `at` is the text the error points at.
fn plain_toml_message(message: &str, at: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    if message.starts_with("string values must be quoted") {
        "text must be in straight double quotes, e.g. title = \"某医院\" or modules = \
         [\"门诊挂号\"]"
            .to_owned()
    } else if message.starts_with("unclosed array") {
        "this list is not closed: end it with ], after the last name".to_owned()
    } else if message.starts_with("unclosed table") {
        "this table name is not closed: write it as [contract]".to_owned()
    } else if message.starts_with("duplicate key") {
        format!("`{}` is written twice: keep one", at.trim())
    } else {
        format!("this is not valid TOML: {message}")
    }
}

/// A name folded for comparison: NFKC (full-width letters to ASCII), lower case, trimmed.
fn fold(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_lowercase()
}

// ---------------------------------------------------------------------------------------------
// The glossary

/// The glossary's text: `[[term]]` entries (see the file's header for its keys and sources).
const HIS_TERMS: &str = include_str!("his_terms.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlossary {
    term: Vec<RawTerm>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    zh: String,
    #[serde(default)]
    words: Vec<String>,
    weight: Option<f64>,
    group: Option<String>,
    #[serde(default)]
    same: Vec<String>,
}

/// How a form of a term is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FormKind {
    /// An English word or abbreviation.
    Word,
    /// The term's full pinyin.
    Pinyin,
    /// The term's pinyin initials.
    Initials,
}

#[derive(Debug, Clone)]
struct Form {
    /// Lower-case words ("medical", "record").
    words: Vec<String>,
    /// The words run together ("medicalrecord").
    joined: String,
    kind: FormKind,
}

#[derive(Debug)]
struct Term {
    zh: String,
    forms: Vec<Form>,
    weight: f64,
    group: Option<String>,
    same: Vec<String>,
}

struct Glossary {
    terms: Vec<Term>,
    by_zh: HashMap<String, usize>,
    longest: usize,
}

fn glossary() -> &'static Glossary {
    static G: OnceLock<Glossary> = OnceLock::new();
    G.get_or_init(|| {
        let raw: RawGlossary =
            toml::from_str(HIS_TERMS).expect("src/draft/his_terms.toml is valid (a test reads it)");
        let terms: Vec<Term> = raw
            .term
            .into_iter()
            .map(|t| {
                // The term's own pinyin first, so that a glossary word that is its pinyin is
                // explained as pinyin.
                let mut forms: Vec<Form> = Vec::new();
                if let Some(p) = pinyin_full(&t.zh) {
                    forms.push(form(&p, FormKind::Pinyin));
                }
                if let Some(p) = pinyin_initials(&t.zh) {
                    forms.push(form(&p, FormKind::Initials));
                }
                forms.extend(t.words.iter().map(|w| form(w, FormKind::Word)));
                let mut seen = BTreeSet::new();
                forms.retain(|f| seen.insert(f.joined.clone()));
                Term {
                    forms,
                    weight: t.weight.unwrap_or(1.0),
                    group: t.group,
                    same: t.same,
                    zh: t.zh,
                }
            })
            .collect();
        let by_zh = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.zh.clone(), i))
            .collect();
        let longest = terms
            .iter()
            .map(|t| t.zh.chars().count())
            .max()
            .unwrap_or(0);
        Glossary {
            terms,
            by_zh,
            longest,
        }
    })
}

fn form(written: &str, kind: FormKind) -> Form {
    let words: Vec<String> = written
        .split(['-', ' ', '_'])
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let joined = words.concat();
    Form {
        words,
        joined,
        kind,
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

fn has_han(s: &str) -> bool {
    s.chars().any(is_han)
}

/// The full pinyin (toneless, run together) of a text of Chinese characters, `None` when a
/// character has none.
fn pinyin_full(s: &str) -> Option<String> {
    use pinyin::ToPinyin;
    let mut out = String::new();
    for c in s.chars() {
        out.push_str(c.to_pinyin()?.plain());
    }
    (!out.is_empty()).then_some(out)
}

/// The pinyin initials (one letter per character) of a text of Chinese characters.
fn pinyin_initials(s: &str) -> Option<String> {
    use pinyin::ToPinyin;
    let mut out = String::new();
    for c in s.chars() {
        out.push_str(c.to_pinyin()?.first_letter());
    }
    (!out.is_empty()).then_some(out)
}

// ---------------------------------------------------------------------------------------------
// Names split into terms (the contracted side) and into words (the delivered side)

/// One part of a contracted name: a glossary term, a run of other Chinese characters, or a word
/// in Latin letters.
#[derive(Debug)]
struct Unit {
    /// As written in the name.
    text: String,
    weight: f64,
    group: Option<String>,
    /// Its forms, each with how much a match counts (1, or 0.85 for a near-synonym's) and the
    /// near-synonym it comes from.
    forms: Vec<(Form, f64, Option<String>)>,
    /// Chinese texts that stand for it inside a Chinese build-file name, with their strength.
    zh: Vec<(String, f64)>,
}

/// How much a near-synonym's words count (收费 found as 结算).
const SYNONYM: f64 = 0.85;

/// How much a word counts when found inside a longer word ("register" in "hisregister").
const INSIDE: f64 = 0.6;

/// Chinese build-file names longer than this many characters (descriptions) count [`LONG`].
const LONG_NAME: usize = 12;

/// How much a term found in a long Chinese text counts.
const LONG: f64 = 0.7;

/// A contracted name split into units: glossary terms (longest first), runs of other Chinese
/// characters, Latin words.
fn units(name: &str) -> Vec<Unit> {
    let g = glossary();
    let name: String = name.nfkc().collect::<String>().to_lowercase();
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut rest = String::new();
    let mut latin = String::new();
    let flush_rest = |rest: &mut String, out: &mut Vec<Unit>| {
        if rest.is_empty() {
            return;
        }
        let mut forms = Vec::new();
        if let Some(p) = pinyin_full(rest) {
            forms.push((form(&p, FormKind::Pinyin), 1.0, None));
        }
        if rest.chars().count() > 1
            && let Some(p) = pinyin_initials(rest)
        {
            forms.push((form(&p, FormKind::Initials), 1.0, None));
        }
        out.push(Unit {
            text: rest.clone(),
            // A lone character outside the glossary is most often a suffix (站, 室, 科).
            weight: if rest.chars().count() == 1 { 0.3 } else { 1.0 },
            group: None,
            forms,
            zh: vec![(rest.clone(), 1.0)],
        });
        rest.clear();
    };
    let flush_latin = |latin: &mut String, out: &mut Vec<Unit>| {
        for w in words(latin) {
            out.push(Unit {
                text: w.clone(),
                weight: 1.0,
                group: None,
                forms: vec![(form(&w, FormKind::Word), 1.0, None)],
                zh: Vec::new(),
            });
        }
        latin.clear();
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !is_han(c) {
            flush_rest(&mut rest, &mut out);
            if c.is_ascii_alphanumeric() {
                latin.push(c);
            } else {
                flush_latin(&mut latin, &mut out);
            }
            i += 1;
            continue;
        }
        flush_latin(&mut latin, &mut out);
        let found = (2..=g.longest.min(chars.len() - i)).rev().find_map(|n| {
            let s: String = chars[i..i + n].iter().collect();
            g.by_zh.get(&s).map(|&t| (n, t))
        });
        if let Some((n, t)) = found {
            flush_rest(&mut rest, &mut out);
            let term = &g.terms[t];
            let mut forms: Vec<(Form, f64, Option<String>)> =
                term.forms.iter().map(|f| (f.clone(), 1.0, None)).collect();
            let mut zh = vec![(term.zh.clone(), 1.0)];
            for s in &term.same {
                if let Some(&st) = g.by_zh.get(s) {
                    for f in &g.terms[st].forms {
                        if !forms.iter().any(|(e, _, _)| e.joined == f.joined) {
                            forms.push((f.clone(), SYNONYM, Some(s.clone())));
                        }
                    }
                    zh.push((s.clone(), SYNONYM));
                }
            }
            // The terms inside a compound term stand for it in Chinese names, as near-synonyms
            // do: 影像 for 医学影像, 检验 for 检验信息系统.
            for inner in &g.terms {
                if inner.weight > 0.0 && inner.zh != term.zh && term.zh.contains(&inner.zh) {
                    zh.push((inner.zh.clone(), SYNONYM));
                }
            }
            out.push(Unit {
                text: term.zh.clone(),
                weight: term.weight,
                group: term.group.clone(),
                forms,
                zh,
            });
            i += n;
        } else {
            rest.push(c);
            i += 1;
        }
    }
    flush_rest(&mut rest, &mut out);
    flush_latin(&mut latin, &mut out);
    out
}

/// Lower-case words of a folder name, id or build-file name: split at anything not a letter or
/// digit (`-`, `_`, `.`, `/`, spaces, Chinese), at camelCase humps (`OutpatientRegister`,
/// `EMRCore`), and between letters and digits.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in s.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None => false,
                Some(p) => {
                    (p.is_ascii_lowercase() && c.is_ascii_uppercase())
                        || (p.is_ascii_uppercase()
                            && c.is_ascii_uppercase()
                            && next.is_some_and(|n| n.is_ascii_lowercase()))
                        || (p.is_ascii_digit() != c.is_ascii_digit())
                }
            };
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur).to_lowercase());
            }
            cur.push(c);
        }
        if !cur.is_empty() {
            out.push(cur.to_lowercase());
        }
    }
    out
}

/// Generic words set aside when names are compared exactly.
const GENERIC: &[&str] = &[
    "管理系统",
    "子系统",
    "分系统",
    "系统",
    "模块",
    "管理",
    "软件",
    "subsystem",
    "system",
    "module",
    "management",
];

/// A name reduced for exact comparison: folded, without spaces and punctuation, without generic
/// words at its end (and never reduced to nothing).
fn core(s: &str) -> String {
    let mut c: String = fold(s).chars().filter(|c| c.is_alphanumeric()).collect();
    while let Some(g) = GENERIC
        .iter()
        .find(|g| c.len() > g.len() && c.ends_with(**g))
    {
        c.truncate(c.len() - g.len());
    }
    c
}

/// Where a delivered module's words come from, for explanations.
#[derive(Debug)]
struct Source {
    en: String,
    zh: String,
    words: Vec<String>,
}

/// A delivered module as matching sees it.
#[derive(Debug)]
struct View {
    sources: Vec<Source>,
    /// Its Chinese names, as given.
    chinese: Vec<String>,
    /// Exact-comparison keys: the core of the folder's name, the id and each name, with how to
    /// name them in explanations (English, Chinese).
    keys: Vec<(String, String, String)>,
}

fn view(m: &DetectedModule) -> View {
    let mut sources: Vec<Source> = Vec::new();
    let mut push = |en: String, zh: String, w: Vec<String>| {
        if !w.is_empty() && !sources.iter().any(|s| s.words == w) {
            sources.push(Source { en, zh, words: w });
        }
    };
    if !m.root.is_empty() {
        push(
            format!("folder {}", m.root),
            format!("文件夹 {} ", m.root),
            words(&m.root),
        );
    }
    for p in &m.paths {
        let folder = p
            .trim_end_matches("/**")
            .trim_end_matches("**")
            .trim_end_matches('*')
            .trim_end_matches('/');
        push(
            format!("folder {folder}"),
            format!("文件夹 {folder} "),
            words(folder),
        );
    }
    push(
        format!("id {}", m.id),
        format!("标识 {} ", m.id),
        words(&m.id),
    );
    let mut chinese = Vec::new();
    for n in std::iter::once(&m.name).chain(&m.names) {
        if has_han(n) && !chinese.contains(n) {
            chinese.push(n.clone());
        }
        push(format!("name \"{n}\""), format!("名称“{n}”"), words(n));
    }
    let mut keys = Vec::new();
    let folder_name = m.root.rsplit('/').next().unwrap_or("");
    if !folder_name.is_empty() {
        keys.push((
            core(folder_name),
            format!("folder {}", m.root),
            format!("文件夹 {}", m.root),
        ));
    }
    keys.push((
        core(&m.id),
        format!("the id \"{}\"", m.id),
        format!("标识“{}”", m.id),
    ));
    for n in std::iter::once(&m.name).chain(&m.names) {
        keys.push((
            core(n),
            format!("the build-file name \"{n}\""),
            format!("构建文件中的名称“{n}”"),
        ));
    }
    View {
        sources,
        chinese,
        keys,
    }
}

// ---------------------------------------------------------------------------------------------
// Scoring

/// Evidence for one part of a name: strength 0..1 and what it is, in English and Chinese.
#[derive(Debug, Clone, Default)]
struct Evidence {
    strength: f64,
    en: String,
    zh: String,
}

impl Evidence {
    fn offer(&mut self, strength: f64, en: impl FnOnce() -> String, zh: impl FnOnce() -> String) {
        if strength > self.strength + 1e-9 {
            *self = Evidence {
                strength,
                en: en(),
                zh: zh(),
            };
        }
    }
}

/// One pair's result.
#[derive(Debug, Clone)]
struct Rating {
    score: f64,
    confidence: Confidence,
    why: String,
    why_zh: String,
}

impl Rating {
    fn none() -> Rating {
        Rating {
            score: 0.0,
            confidence: Confidence::None,
            why: String::new(),
            why_zh: String::new(),
        }
    }
}

fn kind_en(f: &Form, via: Option<&String>) -> String {
    let mut s = match f.kind {
        FormKind::Word => String::new(),
        FormKind::Pinyin => " (pinyin)".to_owned(),
        FormKind::Initials => " (pinyin initials)".to_owned(),
    };
    if let Some(v) = via {
        s.push_str(&format!(" (as \"{v}\", a near-synonym)"));
    }
    s
}

fn kind_zh(f: &Form, via: Option<&String>) -> String {
    let mut s = match f.kind {
        FormKind::Word => String::new(),
        FormKind::Pinyin => "（拼音）".to_owned(),
        FormKind::Initials => "（拼音首字母）".to_owned(),
    };
    if let Some(v) = via {
        s.push_str(&format!("（按近义词“{v}”）"));
    }
    s
}

/// Whether `needle` occurs as consecutive words of `hay`.
fn has_run(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Rating one name (a contracted name or alias) against one delivered module.
fn score_name(name: &str, v: &View) -> Rating {
    let c = core(name);
    if let Some((_, en, zh)) = v.keys.iter().find(|(k, _, _)| !k.is_empty() && *k == c) {
        return Rating {
            score: 1.0,
            confidence: Confidence::High,
            why: format!("the names agree: \"{name}\" and {en}"),
            why_zh: format!("名称一致：“{name}”与{zh}"),
        };
    }
    let units = units(name);
    if units.is_empty() {
        return Rating::none();
    }
    let mut ev: Vec<Evidence> = units.iter().map(|u| unit_evidence(u, v)).collect();
    run_together(&units, v, &mut ev);
    let total: f64 = units.iter().map(|u| u.weight).sum();
    let (total, weights): (f64, Vec<f64>) = if total > 0.0 {
        (total, units.iter().map(|u| u.weight).collect())
    } else {
        (units.len() as f64, vec![1.0; units.len()])
    };
    let found: f64 = weights.iter().zip(&ev).map(|(w, e)| w * e.strength).sum();
    let mut score = 0.85 * found / total;
    let mut why = Vec::new();
    let mut why_zh = Vec::new();
    for e in ev.iter().filter(|e| e.strength > 0.0) {
        if !why.contains(&e.en) {
            why.push(e.en.clone());
            why_zh.push(e.zh.clone());
        }
    }
    for (u, _) in units
        .iter()
        .zip(&ev)
        .filter(|(u, e)| e.strength == 0.0 && u.weight > 0.0)
    {
        why.push(format!("nothing found for \"{}\"", u.text));
        why_zh.push(format!("未找到“{}”", u.text));
    }
    if let Some(other) = other_setting(&units, &ev, v) {
        score *= 0.6;
        why.push(format!("the module is named for \"{other}\" instead"));
        why_zh.push(format!("该模块标明的是“{other}”"));
    }
    if score < LOW_MIN {
        return Rating::none();
    }
    Rating {
        score,
        confidence: if score >= MEDIUM_MIN {
            Confidence::Medium
        } else {
            Confidence::Low
        },
        why: why.join("; "),
        why_zh: why_zh.join("；"),
    }
}

/// The best evidence for one unit of a name in one delivered module: its Chinese text in a
/// Chinese build-file name, or one of its forms among the words of a folder, id or name.
fn unit_evidence(u: &Unit, v: &View) -> Evidence {
    let mut ev = Evidence::default();
    let e = &mut ev;
    for n in &v.chinese {
        // A long Chinese text (a description listing many functions) says less of each.
        let long = if n.chars().count() > LONG_NAME {
            LONG
        } else {
            1.0
        };
        for (zh, s) in &u.zh {
            if n.contains(zh.as_str()) {
                e.offer(
                    s * long,
                    || {
                        if *zh == u.text {
                            format!("\"{zh}\" is in the build-file name \"{n}\"")
                        } else {
                            format!(
                                "\"{zh}\" (for \"{}\") is in the build-file name \"{n}\"",
                                u.text
                            )
                        }
                    },
                    || format!("构建文件中的名称“{n}”含“{zh}”"),
                );
            }
        }
    }
    for src in &v.sources {
        for (f, mult, via) in &u.forms {
            let short = if f.joined.len() <= 2 { 0.7 } else { 1.0 };
            let hit = if has_run(&src.words, &f.words) || src.words.contains(&f.joined) {
                Some(mult * short)
            } else if f.joined.len() >= 5 && src.words.iter().any(|w| w.contains(&f.joined)) {
                Some(mult * INSIDE)
            } else {
                None
            };
            if let Some(s) = hit {
                e.offer(
                    s,
                    || {
                        format!(
                            "\"{}\" = \"{}\"{} in {}",
                            u.text,
                            f.words.join("-"),
                            kind_en(f, via.as_ref()),
                            src.en
                        )
                    },
                    || {
                        format!(
                            "“{}” = {}中的“{}”{}",
                            u.text,
                            src.zh,
                            f.words.join("-"),
                            kind_zh(f, via.as_ref())
                        )
                    },
                );
            }
        }
    }
    ev
}

/// Words that are the pinyin initials (or other short forms) of two or more consecutive units
/// run together: "mzgh" for 门诊挂号, "yfgl" for 药房管理.
fn run_together(units: &[Unit], v: &View, ev: &mut [Evidence]) {
    for src in &v.sources {
        for w in &src.words {
            if w.len() < 3 {
                continue;
            }
            for start in 0..units.len() {
                if let Some((end, mult)) = spell(units, start, w) {
                    if end - start < 2 {
                        continue;
                    }
                    let text: String = units[start..end].iter().map(|u| u.text.as_str()).collect();
                    for e in &mut ev[start..end] {
                        e.offer(
                            0.9 * mult,
                            || format!("\"{text}\" = \"{w}\" (pinyin, initials or words run together) in {}", src.en),
                            || format!("“{text}” = {}中的“{w}”（拼音、首字母或词连写）", src.zh),
                        );
                    }
                }
            }
        }
    }
}

/// Whether `w` is exactly one single-word form of each of `units[start..end]`, in order: the
/// end and the smallest strength of the forms used.
fn spell(units: &[Unit], start: usize, w: &str) -> Option<(usize, f64)> {
    if w.is_empty() {
        return Some((start, 1.0));
    }
    let u = units.get(start)?;
    let mut best: Option<(usize, f64)> = None;
    for (f, mult, _) in &u.forms {
        if f.words.len() == 1
            && let Some(rest) = w.strip_prefix(f.joined.as_str())
            && let Some((end, m)) = spell(units, start + 1, rest)
        {
            let m = m.min(*mult);
            if best.is_none_or(|(e, bm)| end > e || (end == e && m > bm)) {
                best = Some((end, m));
            }
        }
    }
    best
}

/// When the name's setting (门诊, 住院, 急诊) was not found and the module names another setting:
/// that setting.
fn other_setting(units: &[Unit], ev: &[Evidence], v: &View) -> Option<String> {
    let mine: Vec<&Unit> = units
        .iter()
        .zip(ev)
        .filter(|(u, e)| u.group.is_some() && e.strength == 0.0)
        .map(|(u, _)| u)
        .collect();
    let first = mine.first()?;
    let g = glossary();
    g.terms
        .iter()
        .filter(|t| t.group == first.group && !units.iter().any(|u| u.text == t.zh))
        .find(|t| {
            v.chinese.iter().any(|n| n.contains(t.zh.as_str()))
                || v.sources.iter().any(|s| {
                    t.forms
                        .iter()
                        .any(|f| f.joined.len() > 2 && has_run(&s.words, &f.words))
                })
        })
        .map(|t| t.zh.clone())
}

/// The best score of a contracted module (its name, then each alias) against one module.
fn score_pair(c: &ContractedModule, v: &View) -> Rating {
    let mut best = score_name(&c.name, v);
    for a in &c.aliases {
        let mut s = score_name(a, v);
        if s.score > best.score + 1e-9 {
            s.why = format!("alias \"{a}\": {}", s.why);
            s.why_zh = format!("别名“{a}”：{}", s.why_zh);
            best = s;
        }
    }
    best
}

/// Map each contracted module to the best delivered module (see the module documentation for
/// the scores, confidences and the assignment). The result has one [`Mapping`] per contracted
/// module, in the order given.
pub fn map(contracted: &[ContractedModule], modules: &[DetectedModule]) -> Vec<Mapping> {
    let views: Vec<View> = modules.iter().map(view).collect();
    let scores: Vec<Vec<Rating>> = contracted
        .iter()
        .map(|c| views.iter().map(|v| score_pair(c, v)).collect())
        .collect();
    let credible = |ci: usize, mi: usize| scores[ci][mi].confidence > Confidence::None;
    // One to one, best pair first.
    let mut pairs: Vec<(usize, usize)> = (0..contracted.len())
        .flat_map(|ci| (0..modules.len()).map(move |mi| (ci, mi)))
        .filter(|&(ci, mi)| credible(ci, mi))
        .collect();
    pairs.sort_by(|a, b| {
        scores[b.0][b.1]
            .score
            .total_cmp(&scores[a.0][a.1].score)
            .then(a.cmp(b))
    });
    let mut given: Vec<Option<usize>> = vec![None; contracted.len()];
    let mut taken = vec![false; modules.len()];
    for (ci, mi) in pairs {
        if given[ci].is_none() && !taken[mi] {
            given[ci] = Some(mi);
            taken[mi] = true;
        }
    }
    // Share a module when nothing free comes near it.
    for ci in 0..contracted.len() {
        let best = (0..modules.len())
            .filter(|&mi| credible(ci, mi))
            .max_by(|&a, &b| {
                scores[ci][a]
                    .score
                    .total_cmp(&scores[ci][b].score)
                    .then(b.cmp(&a))
            });
        let Some(best) = best else { continue };
        let have = given[ci].map_or(0.0, |mi| scores[ci][mi].score);
        if scores[ci][best].score - have > NEAR {
            given[ci] = Some(best);
        }
    }
    contracted
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let Some(mi) = given[ci] else {
                return Mapping {
                    contracted: c.clone(),
                    module: None,
                    score: 0.0,
                    confidence: Confidence::None,
                    why: format!(
                        "no delivered module's folder, id or build-file names match \"{}\" (by \
                         name, glossary term or pinyin)",
                        c.name
                    ),
                    why_zh: format!(
                        "没有交付模块的文件夹、标识或构建文件名称与“{}”相符（按名称、术语或拼音）",
                        c.name
                    ),
                    also: Vec::new(),
                };
            };
            let s = &scores[ci][mi];
            let mut why = s.why.clone();
            let mut why_zh = s.why_zh.clone();
            let sharing: Vec<&str> = (0..contracted.len())
                .filter(|&o| o != ci && given[o] == Some(mi))
                .map(|o| contracted[o].name.as_str())
                .collect();
            if !sharing.is_empty() {
                why.push_str(&format!(
                    "; the same module as \"{}\"",
                    sharing.join("\", \"")
                ));
                why_zh.push_str(&format!("；与“{}”为同一模块", sharing.join("”、“")));
            }
            let mut also: Vec<usize> = (0..modules.len())
                .filter(|&o| o != mi && credible(ci, o))
                .collect();
            also.sort_by(|&a, &b| {
                scores[ci][b]
                    .score
                    .total_cmp(&scores[ci][a].score)
                    .then(a.cmp(&b))
            });
            also.truncate(3);
            Mapping {
                contracted: c.clone(),
                module: Some(mi),
                score: s.score,
                confidence: s.confidence,
                why,
                why_zh,
                also,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
