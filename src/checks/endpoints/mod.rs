//! HTTP endpoints a delivery's code serves, and which of them an interface document names.
//!
//! [`find`] reads one file by its extension:
//! - Java / Kotlin: Spring MVC / WebFlux (`@GetMapping` … and `@RequestMapping` on methods of
//!   classes annotated `@RestController` / `@Controller`, joined to the class's
//!   `@RequestMapping`) and JAX-RS (`@GET` … in classes annotated `@Path`);
//! - C#: ASP.NET Core / Web API 2 attribute routing (`[Route]`, `[RoutePrefix]`, `[HttpGet]` …)
//!   and minimal APIs (`app.MapGet("/x", …)`, also under `MapGroup`);
//! - Python: Flask and FastAPI decorators;
//! - JavaScript / TypeScript: Express routes and NestJS controllers;
//! - OpenAPI 3 / Swagger 2 documents (JSON or YAML).
//!
//! Comments never give endpoints: they are blanked before matching (`//`, `/* */`, `#`), line
//! numbers kept. A path part the code computes is resolved when it is a string constant of the
//! same file (`static final String API = "/api"`, `const val`, `const string`, a Python or
//! JavaScript constant); any other name is kept as a path variable `{NAME}` (anything else as
//! `{…}`), so that it matches any value in [`documented`]. Not followed: prefixes set in
//! another file (a Spring interface's mappings implemented by a controller, a servlet context
//! path, an Express router mounted in another file, a NestJS global prefix, a Flask blueprint
//! registered elsewhere); ASP.NET controllers under conventional routing only (no route
//! attribute on the class or the action): their routes live in the startup code.
//!
//! Bounds: a file is read up to [`MAX_TEXT`] bytes (the rest is ignored), at most
//! [`MAX_ENDPOINTS`] endpoints are kept per file; matching is linear in the text but for
//! argument lists, bounded in length.

mod annotations;
mod aspnet;
mod document;
mod express;
mod java;
mod openapi;
mod python;
mod source;
#[cfg(test)]
mod tests;

/// The bytes of a file that [`find`] reads (4 MiB): hand-written controllers are far smaller;
/// beyond it the text is ignored.
pub const MAX_TEXT: usize = 4 << 20;

/// The most endpoints [`find`] returns for one file.
pub const MAX_ENDPOINTS: usize = 10_000;

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
    /// "Spring", "ASP.NET", "JAX-RS", "Flask", "FastAPI", "Express", "NestJS", "OpenAPI".
    pub framework: String,
}

/// The source extensions [`find`] reads.
const SOURCE_EXTENSIONS: &[&str] = &["java", "kt", "cs", "py", "js", "ts", "mjs", "cjs"];

/// Whether a file at `path` may declare endpoints (by extension and name): the files the
/// cross-check reads. Sources: `.java .kt .cs .py .js .ts .mjs .cjs`, but not minified
/// (`*.min.js`) nor TypeScript declarations (`*.d.ts`); OpenAPI / Swagger documents: a `.json`,
/// `.yaml` or `.yml` file whose name contains `openapi` or `swagger` (`openapi.yaml`,
/// `swagger.json`, `patients.openapi.yaml`). Files in third-party folders
/// (`crate::filetypes::is_third_party`, without the manifest's own vendored globs, which the
/// caller applies) are not candidates.
pub fn is_candidate(path: &[u8]) -> bool {
    let name = path.rsplit(|b| *b == b'/').next().unwrap_or(path);
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let wanted = if SOURCE_EXTENSIONS.contains(&ext) {
        !name.ends_with(".min.js") && !name.ends_with(".d.ts")
    } else {
        is_openapi_name(stem, ext)
    };
    wanted && !crate::filetypes::is_third_party(path, &globset::GlobSet::empty())
}

/// Whether a file name (stem and extension, lower case) is an OpenAPI / Swagger document's.
fn is_openapi_name(stem: &str, ext: &str) -> bool {
    matches!(ext, "json" | "yaml" | "yml") && (stem.contains("openapi") || stem.contains("swagger"))
}

/// The endpoints the file at `path` (readable form) with this text declares, in file order,
/// each with `file` set to `path`. The extension chooses the reader (see the module doc); an
/// unknown one gives nothing. Never fails: what cannot be read gives no endpoint.
pub fn find(path: &str, text: &str) -> Vec<Endpoint> {
    let mut end = text.len().min(MAX_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = &text[..end];
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
    let mut out = match ext {
        "java" | "kt" => java::find(text),
        "cs" => aspnet::find(text),
        "py" => python::find(text),
        "js" | "ts" | "mjs" | "cjs" => express::find(text),
        _ if is_openapi_name(stem, ext) => openapi::find(text),
        _ => Vec::new(),
    };
    out.sort_by_key(|e| e.line);
    out.dedup_by(|a, b| a.method == b.method && a.path == b.path);
    out.truncate(MAX_ENDPOINTS);
    for e in &mut out {
        e.file = path.to_string();
    }
    out
}

/// For each of `endpoints`, whether the document `text` names its path. The rules:
/// - paths are compared normalised: ASCII lower case, query and fragment dropped, empty
///   segments dropped (so `//` and a trailing `/` do not count), every path variable
///   (`{id}`, `{patientId}`, `{id:int}`, `:id`, `<int:id>`, `<id>`, `${id}`, `*`) one
///   placeholder;
/// - a full URL (`http://host:8080/api/x`) or a `host:port/api/x` counts by its path;
/// - the document may give a concrete value in place of a variable (`/api/patients/1001`
///   names `/api/patients/{id}`) when the value has a digit (`search` never stands for `{id}`);
/// - the document may leave out leading segments (the base path or class prefix, stated once:
///   `/patients/{id}` names `/api/patients/{id}`) when what remains has a literal segment (a
///   bare `/{id}` or `/` never names anything but itself);
/// - the HTTP method need not appear. A path with no segment (`/`) is never named.
///
/// The path-like tokens of the text (runs of ASCII path characters holding a `/`) are read once
/// into a tree of segments; each endpoint is then looked up in it, with a bounded search, so
/// the cost is linear in the text plus the endpoints.
pub fn documented(endpoints: &[Endpoint], text: &str) -> Vec<bool> {
    let tree = document::Tree::of(text);
    endpoints.iter().map(|e| tree.names(&e.path)).collect()
}
