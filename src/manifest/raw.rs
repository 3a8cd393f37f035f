//! Raw serde structs: exactly what the TOML says, with spans, before any validation.
//! Keys are kebab-case and unknown keys are rejected. No `#[serde(flatten)]` here: it would
//! silently disable `deny_unknown_fields`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use serde::Deserialize;
use toml::Spanned;

use crate::checks::config::RawRequirements;
pub use crate::checks::config::SpannedStrings;
use crate::scan::config::{RawAllow, RawScan};

/// The manifest's top level, without the requirement arrays (`[[module]]`, …), which are
/// deserialized entry by entry so that a mistake in one entry does not hide those in others.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawHead {
    pub schema_version: Spanned<i64>,
    #[serde(default)]
    pub case_sensitive: bool,
    pub source_extensions: Option<SpannedStrings>,
    pub contract: Option<RawContract>,
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Spanned<String>>,
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
    pub calendar: Option<Spanned<String>>,
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
/// top level and per requirement entry (serde stops at the first error inside a value).
pub fn parse(text: &str) -> (RawManifest, Vec<RawProblem>) {
    let (root, errors) = DeTable::parse_recoverable(text);
    let mut problems: Vec<RawProblem> = errors.iter().map(toml_problem).collect();
    if !problems.is_empty() {
        return (RawManifest::default(), problems);
    }
    let span = root.span();
    let mut table = root.into_inner();
    let mut raw = RawManifest {
        requirements: RawRequirements {
            module: entries(&mut table, "module", &mut problems),
            document: entries(&mut table, "document", &mut problems),
            database: entries(&mut table, "database", &mut problems),
            dependencies: entries(&mut table, "dependencies", &mut problems),
        },
        rule: entries(&mut table, "rule", &mut problems),
        allow: entries(&mut table, "allow", &mut problems),
        build: single(&mut table, "build", &mut problems),
        head: None,
    };
    let head = Spanned::new(span, DeValue::Table(table));
    match RawHead::deserialize(ValueDeserializer::from(head)) {
        Ok(h) => raw.head = Some(h),
        Err(e) => problems.push(toml_problem(&e)),
    }
    (raw, problems)
}

fn toml_problem(e: &toml::de::Error) -> RawProblem {
    (e.span().unwrap_or(0..0), e.message().trim().to_owned())
}

fn single<T: DeserializeOwned>(
    table: &mut DeTable<'_>,
    key: &str,
    problems: &mut Vec<RawProblem>,
) -> Option<Spanned<T>> {
    let value = table.remove(key)?;
    let span = value.span();
    match value.into_inner() {
        v @ DeValue::Table(_) => {
            match T::deserialize(ValueDeserializer::from(Spanned::new(span.clone(), v))) {
                Ok(t) => Some(Spanned::new(span, t)),
                Err(e) => {
                    problems.push(toml_problem(&e));
                    None
                }
            }
        }
        _ => {
            problems.push((span, format!("`{key}` must be a table, written [{key}]")));
            None
        }
    }
}

fn entries<T: DeserializeOwned>(
    table: &mut DeTable<'_>,
    key: &str,
    problems: &mut Vec<RawProblem>,
) -> Vec<T> {
    let Some(value) = table.remove(key) else {
        return Vec::new();
    };
    let span = value.span();
    match value.into_inner() {
        DeValue::Array(items) => items
            .into_iter()
            .filter_map(|item| match T::deserialize(ValueDeserializer::from(item)) {
                Ok(v) => Some(v),
                Err(e) => {
                    problems.push(toml_problem(&e));
                    None
                }
            })
            .collect(),
        _ => {
            problems.push((
                span,
                format!("`{key}` must be a list of tables, written [[{key}]]"),
            ));
            Vec::new()
        }
    }
}
