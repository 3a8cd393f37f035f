//! The build tools a delivery needs (Maven, Gradle, MSBuild/.NET SDK, npm, Go, …), from the
//! build files it holds, and the versions those files pin.

/// One build tool a delivery needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BuildTool {
    /// Its usual name: "Maven", "Gradle", ".NET SDK", "JDK", "Node.js", "npm", "Go", …
    pub name: String,
    /// Other names a document may use for it, lower case: "mvn", "apache maven", "java", …
    pub aliases: Vec<String>,
    /// The version a build file pins ("3.9.6", "1.8", "8.0.100"), when one does.
    pub version: Option<String>,
    /// The file that shows the tool is needed (or pins its version), readable form.
    pub evidence: String,
}

/// Whether the file at `path` is one [`needed`] reads (build files, wrapper properties,
/// `global.json`, `.nvmrc`, …).
pub fn is_build_file(path: &[u8]) -> bool {
    let _ = path;
    false
}

/// The build tools the build files `files` ((readable path, bytes) pairs, only those
/// [`is_build_file`] accepts, third-party folders already left out) need, one per tool,
/// sorted by name.
pub fn needed(files: &[(String, Vec<u8>)]) -> Vec<BuildTool> {
    let _ = files;
    Vec::new()
}
