//! OpenAPI 3 and Swagger 2 files (JSON or YAML).

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::Endpoint;
use super::java::endpoint;
use super::source;

/// The operations of a path item (OpenAPI 3.1 §4.8.9; Swagger 2 has the same without `trace`).
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The deepest nesting of YAML flow collections (`[`, `{`) an OpenAPI file may have: real API
/// descriptions nest a few levels (schemas inline a dozen at most).
const MAX_YAML_DEPTH: usize = 256;

/// The deepest nesting of `[`/`{` in `text`, quotes and comments not told apart: an upper
/// bound of the YAML flow nesting, read in one pass.
fn flow_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The parts of an OpenAPI / Swagger document read here.
#[derive(Deserialize)]
struct Spec {
    openapi: Option<IgnoredAny>,
    swagger: Option<IgnoredAny>,
    #[serde(rename = "basePath")]
    base_path: Option<String>,
    servers: Option<Vec<Server>>,
    // The keys only: the values are skipped unread.
    #[allow(clippy::zero_sized_map_values)]
    paths: Option<BTreeMap<String, Option<BTreeMap<String, IgnoredAny>>>>,
}

/// One `servers` entry.
#[derive(Deserialize)]
struct Server {
    url: Option<String>,
}

/// The operations of an OpenAPI 3 / Swagger 2 document (JSON when it starts with `{`, YAML
/// otherwise): every method under every path of `paths`, the path joined to the Swagger 2
/// `basePath`, or to the path part of the OpenAPI 3 `servers` URL when every server gives the
/// same one without variables. A document without an `openapi` or `swagger` key, or that does
/// not parse, gives nothing. Lines are those of the path keys (1 when not found).
pub(super) fn find(text: &str) -> Vec<Endpoint> {
    let spec: Option<Spec> = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).ok()
    } else if flow_depth(text) > MAX_YAML_DEPTH {
        // The YAML parser takes time growing faster than the square of the nesting of flow
        // collections (`[[[…]]]`) before its own depth bound applies: 3 s at 40,000 levels,
        // minutes at 160,000. No API description nests that deep.
        None
    } else {
        // serde_norway bounds nesting depth and alias expansion ("billion laughs").
        serde_norway::from_str(text).ok()
    };
    let Some(spec) = spec else {
        return Vec::new();
    };
    if spec.openapi.is_none() && spec.swagger.is_none() {
        return Vec::new();
    }
    let base = match (&spec.base_path, &spec.servers) {
        (Some(b), _) => b.clone(),
        (None, Some(servers)) => server_base(servers),
        (None, None) => String::new(),
    };
    let lines = key_lines(text);
    let mut out = Vec::new();
    for (path, item) in spec.paths.unwrap_or_default() {
        let Some(item) = item else { continue };
        let line = lines.get(path.as_str()).copied().unwrap_or(1);
        for m in METHODS {
            if item.contains_key(*m) {
                out.push(endpoint(
                    &m.to_ascii_uppercase(),
                    source::join(&base, &path),
                    line,
                    "OpenAPI",
                ));
            }
        }
    }
    out
}

/// The path all `servers` URLs share ("https://h/api/v1" → "/api/v1"), or "" when they differ
/// or use variables.
fn server_base(servers: &[Server]) -> String {
    let mut bases = servers.iter().map(|s| {
        let url = s.url.as_deref().unwrap_or_default();
        let path = match url.find("://") {
            Some(p) => url[p + 3..].find('/').map_or("", |q| &url[p + 3 + q..]),
            None => url,
        };
        path.trim_end_matches('/').to_string()
    });
    let Some(first) = bases.next() else {
        return String::new();
    };
    if first.contains('{') || bases.any(|b| b != first) {
        return String::new();
    }
    first
}

/// The first line of each key that looks like a path (`/x:` in YAML, `"/x": ` in JSON).
fn key_lines(text: &str) -> HashMap<&str, u32> {
    let mut out = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let key = if let Some(r) = t.strip_prefix('"').or_else(|| t.strip_prefix('\'')) {
            let q = if t.starts_with('"') { '"' } else { '\'' };
            r.find(q).map(|e| &r[..e])
        } else {
            t.find(':').map(|e| t[..e].trim_end())
        };
        if let Some(k) = key.filter(|k| k.starts_with('/')) {
            out.entry(k)
                .or_insert_with(|| u32::try_from(n + 1).unwrap_or(u32::MAX));
        }
    }
    out
}
