//! Raw serde structs: exactly what the TOML says, with spans, before any validation.
//! Keys are kebab-case and unknown keys are rejected. No `#[serde(flatten)]` here: it would
//! silently disable `deny_unknown_fields`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub type SpannedStrings = Spanned<Vec<Spanned<String>>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawManifest {
    pub schema_version: Spanned<i64>,
    #[serde(default)]
    pub case_sensitive: bool,
    pub source_extensions: Option<SpannedStrings>,
    pub contract: Option<RawContract>,
    #[serde(default)]
    pub module: Vec<RawModule>,
    #[serde(default)]
    pub document: Vec<RawDocument>,
    #[serde(default)]
    pub database: Vec<RawDatabase>,
    #[serde(default)]
    pub dependencies: Vec<RawDependencies>,
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawContract {
    pub id: Option<String>,
    pub title: Option<String>,
    pub client: Option<String>,
    pub vendor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawModule {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    pub paths: SpannedStrings,
    pub required_files: Option<SpannedStrings>,
    pub min_source_files: Option<u64>,
    pub source_extensions: Option<SpannedStrings>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDocument {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    pub paths: SpannedStrings,
    pub required_files: Option<SpannedStrings>,
    pub min_bytes: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDatabase {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    pub paths: SpannedStrings,
    pub required_files: Option<SpannedStrings>,
    pub min_tables: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDependencies {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    pub paths: SpannedStrings,
    pub required_files: Option<SpannedStrings>,
}
