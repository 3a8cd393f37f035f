//! HTTP endpoints a delivery's code serves, and which of them an interface document names.

/// One HTTP endpoint found in code or in an OpenAPI/Swagger file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Endpoint {
    /// "GET", "POST", …, or "ANY" when the code accepts every method.
    pub method: String,
    /// The full path as the code writes it, prefixes joined: "/api/patients/{id}".
    pub path: String,
    /// The file (delivery path, readable form) and line (from 1) that declare it.
    pub file: String,
    /// Line from 1.
    pub line: u32,
    /// "Spring", "ASP.NET", "JAX-RS", "Flask", "FastAPI", "Express", "OpenAPI".
    pub framework: String,
}

/// Whether a file at `path` may declare endpoints (by extension and name): the files the
/// cross-check reads.
pub fn is_candidate(path: &[u8]) -> bool {
    let _ = path;
    false
}

/// The endpoints the file at `path` (readable form) with this text declares.
pub fn find(path: &str, text: &str) -> Vec<Endpoint> {
    let _ = (path, text);
    Vec::new()
}

/// For each of `endpoints`, whether the document `text` names its path.
pub fn documented(endpoints: &[Endpoint], text: &str) -> Vec<bool> {
    let _ = text;
    vec![false; endpoints.len()]
}
