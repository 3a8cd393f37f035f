//! Raw serde structs: exactly what the TOML says, with spans, before any validation.
//! Keys are kebab-case and unknown keys are rejected. No `#[serde(flatten)]` here: it would
//! silently disable `deny_unknown_fields`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use serde::Deserialize;
use toml::Spanned;

use super::hints::{self, Form};
use crate::checks::config::RawRequirements;
pub use crate::checks::config::SpannedStrings;
use crate::scan::config::{RawAllow, RawScan};

/// The manifest's top level, without its tables (`[contract]`, `[[module]]`, …), which are
/// deserialized one by one so that a mistake in one does not hide those in others.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawHead {
    pub schema_version: Spanned<i64>,
    #[serde(default)]
    pub case_sensitive: bool,
    pub source_extensions: Option<SpannedStrings>,
    #[serde(skip)]
    pub contract: Option<RawContract>,
    #[serde(skip)]
    pub severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(skip)]
    pub scan: Option<RawScan>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawContract {
    pub id: Option<String>,
    pub title: Option<String>,
    pub client: Option<String>,
    pub vendor: Option<String>,
    pub update_deadline: Option<Spanned<String>>,
    pub delivery_deadline: Option<Spanned<String>>,
    pub answer_deadline: Option<Spanned<String>>,
    pub calendar: Option<Spanned<String>>,
    pub date: Option<Spanned<String>>,
    pub clauses: Option<super::Clauses>,
}

/// Everything the manifest says, before validation.
#[derive(Debug, Default)]
pub struct RawManifest {
    /// `None` when the top level itself had a problem (already reported).
    pub head: Option<RawHead>,
    /// `[[module]]`, `[[document]]`, `[[database]]`, `[[dependencies]]`.
    pub requirements: RawRequirements,
    /// `[[rule]]`: scan rules added or overriding built-in ones.
    pub rule: Vec<Spanned<crate::scan::LineRuleSpec>>,
    pub allow: Vec<RawAllow>,
    /// `[build]`, read on its own so that a mistake in it does not hide those elsewhere.
    pub build: Option<Spanned<crate::build::config::RawBuild>>,
}

/// A parse problem: byte span and message.
pub type RawProblem = (std::ops::Range<usize>, String);

/// Parse manifest text into raw structs, collecting every syntax error, and then one error per
/// table and per requirement entry (serde stops at the first error inside a value).
pub fn parse(text: &str) -> (RawManifest, Vec<RawProblem>) {
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return (RawManifest::default(), hints::syntax(text, &errors));
    }
    let mut problems: Vec<RawProblem> = Vec::new();
    let root_span = root.span();
    let mut table = root.into_inner();
    let unknown: Vec<String> = table
        .keys()
        .map(|k| k.get_ref().to_string())
        .filter(|k| {
            !hints::TOP_KEYS.contains(&k.as_str()) && !hints::TABLES.iter().any(|(t, _)| t == k)
        })
        .collect();
    for k in unknown {
        if let Some((key, _)) = table.remove_entry(k.as_str()) {
            problems.push(hints::unknown_top(text, key.span(), &k));
        }
    }
    let mut p = Parser {
        text,
        problems: &mut problems,
    };
    let mut raw = RawManifest {
        requirements: RawRequirements {
            module: p.entries(&mut table, "module"),
            document: p.entries(&mut table, "document"),
            database: p.entries(&mut table, "database"),
            dependencies: p.entries(&mut table, "dependencies"),
        },
        rule: p.entries(&mut table, "rule"),
        allow: p.entries(&mut table, "allow"),
        build: p.single(&mut table, "build"),
        head: None,
    };
    let contract = p.single::<RawContract>(&mut table, "contract");
    let severity = p.single(&mut table, "severity");
    let scan = p.single::<RawScan>(&mut table, "scan");
    let head = Spanned::new(root_span, DeValue::Table(table));
    match RawHead::deserialize(ValueDeserializer::from(head)) {
        Ok(mut h) => {
            h.contract = contract.map(Spanned::into_inner);
            h.severity = severity.map(Spanned::into_inner).unwrap_or_default();
            h.scan = scan.map(Spanned::into_inner);
            raw.head = Some(h);
        }
        Err(e) => {
            let problem = p.problem(&e, "the top level");
            p.problems.push(problem);
        }
    }
    (raw, problems)
}

/// The manifest text and the problems found so far.
struct Parser<'t, 'p> {
    text: &'t str,
    problems: &'p mut Vec<RawProblem>,
}

impl Parser<'_, '_> {
    /// A serde error in `table`, said for people.
    fn problem(&self, e: &toml::de::Error, table: &str) -> RawProblem {
        hints::rewrite(self.text, e.span().unwrap_or(0..0), e.message(), table)
    }

    /// A single table (`[build]`, `[contract]`).
    fn single<T: DeserializeOwned>(
        &mut self,
        table: &mut DeTable<'_>,
        key: &str,
    ) -> Option<Spanned<T>> {
        let (name, value) = table.remove_entry(key)?;
        let span = value.span();
        match value.into_inner() {
            v @ DeValue::Table(_) => {
                match T::deserialize(ValueDeserializer::from(Spanned::new(span.clone(), v))) {
                    Ok(t) => Some(Spanned::new(span, t)),
                    Err(e) => {
                        let problem = self.problem(&e, &hints::header(key));
                        self.problems.push(problem);
                        None
                    }
                }
            }
            _ => {
                let form = hints::form_at(self.text, name.span().start);
                let at = if form == Form::Key { span } else { name.span() };
                self.problems.push((at, hints::wrong_form(key, form)));
                None
            }
        }
    }

    /// The entries of a repeatable table (`[[module]]`), each on its own.
    fn entries<T: DeserializeOwned>(&mut self, table: &mut DeTable<'_>, key: &str) -> Vec<T> {
        let Some((name, value)) = table.remove_entry(key) else {
            return Vec::new();
        };
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => items
                .into_iter()
                .filter_map(|item| match T::deserialize(ValueDeserializer::from(item)) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        let problem = self.problem(&e, &hints::header(key));
                        self.problems.push(problem);
                        None
                    }
                })
                .collect(),
            _ => {
                let form = hints::form_at(self.text, name.span().start);
                let at = if form == Form::Key { span } else { name.span() };
                self.problems.push((at, hints::wrong_form(key, form)));
                Vec::new()
            }
        }
    }
}
