//! What a document names: tables, dependencies and build tools, matched against its text.

use super::buildtools::BuildTool;
use super::depfiles::Declared;

/// For each of the table `names` ("t_patient", "dbo.t_patient"), whether `text` names it.
pub fn tables(names: &[String], text: &str) -> Vec<bool> {
    let _ = text;
    vec![false; names.len()]
}

/// How a document names one declared dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyMention {
    /// The document names it.
    pub named: bool,
    /// The version the document gives beside the name, when it differs from every declared one.
    pub other_version: Option<String>,
}

/// For each of `deps`, how `text` names it.
pub fn dependencies(deps: &[Declared], text: &str) -> Vec<DependencyMention> {
    let _ = text;
    deps.iter()
        .map(|_| DependencyMention {
            named: false,
            other_version: None,
        })
        .collect()
}

/// How a document names one build tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolMention {
    /// The document names the tool (or one of its aliases).
    pub named: bool,
    /// The tool's pinned version is in the document too (`true` when none is pinned).
    pub version_named: bool,
}

/// For each of `tools`, how `text` names it.
pub fn build_tools(tools: &[BuildTool], text: &str) -> Vec<ToolMention> {
    let _ = text;
    tools
        .iter()
        .map(|_| ToolMention {
            named: false,
            version_named: false,
        })
        .collect()
}
