//! Flask and FastAPI route decorators (Python).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::bytes::Regex;

use super::Endpoint;
use super::java::endpoint;
use super::source::{self, Source, Syntax};

/// One application or router object of the file.
struct Receiver {
    framework: &'static str,
    prefix: String,
}

/// The endpoints of a Python file: `@X.route("/p", methods=[…])` (Flask; `GET` when no
/// methods are given), `@X.get("/p")` and the other verbs (Flask 2 and FastAPI),
/// `@X.api_route("/p", methods=[…])` (FastAPI). `X` must be made in the file by `Flask(…)`,
/// `Blueprint(…, url_prefix=…)`, `FastAPI(…)` or `APIRouter(prefix=…)`, or the file must import
/// `flask` or `fastapi`. The prefixes of `Blueprint` / `APIRouter` and of
/// `register_blueprint(X, url_prefix=…)` / `include_router(X, prefix=…)` in the same file are
/// joined; prefixes given in another file are not known here.
pub(super) fn find(text: &str) -> Vec<Endpoint> {
    static DECO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?m)^[ \t]*@[ \t]*([A-Za-z_]\w*)[ \t]*\.[ \t]*(route|get|post|put|delete|patch|head|options|api_route)[ \t]*\(",
        )
        .expect("valid regex")
    });
    static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^[ \t]*(?:from|import)[ \t]+(flask|fastapi)\b").expect("valid regex")
    });
    if !text.contains('@') {
        return Vec::new();
    }
    let src = Source::new(text, Syntax::PYTHON);
    let decos: Vec<_> = DECO.captures_iter(&src.code).take(100_000).collect();
    if decos.is_empty() {
        return Vec::new();
    }
    let fallback = IMPORT.captures(&src.code).and_then(|c| c.get(1)).map(|m| {
        if m.as_bytes() == b"flask" {
            "Flask"
        } else {
            "FastAPI"
        }
    });
    let consts = source::constants(&src);
    let receivers = receivers(&src, &consts);
    let mut out = Vec::new();
    for c in decos {
        let (Some(all), Some(var), Some(verb)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let var = String::from_utf8_lossy(var.as_bytes());
        let (framework, prefix) = match receivers.get(var.as_ref()) {
            Some(r) => (r.framework, r.prefix.as_str()),
            None => match fallback {
                Some(f) => (f, ""),
                None => continue,
            },
        };
        let Some(args) = call_args(&src, all.end() - 1) else {
            continue;
        };
        let verb = String::from_utf8_lossy(verb.as_bytes()).to_ascii_uppercase();
        let mut path = None;
        let mut methods = Vec::new();
        for (n, arg) in source::split_top(&args, b',').into_iter().enumerate() {
            match source::named(arg) {
                Some(("rule" | "path", v)) => path = source::paths(v, &consts).into_iter().next(),
                Some(("methods", v)) => {
                    methods = source::paths(v, &consts)
                        .into_iter()
                        .map(|m| m.to_ascii_uppercase())
                        .collect();
                }
                None if n == 0 => path = source::paths(arg, &consts).into_iter().next(),
                _ => {}
            }
        }
        let Some(path) = path else { continue };
        if methods.is_empty() {
            let m = if verb == "ROUTE" || verb == "API_ROUTE" {
                "GET".to_string()
            } else {
                verb
            };
            methods.push(m);
        }
        let line = src.line(all.start());
        for m in methods {
            out.push(endpoint(&m, source::join(prefix, &path), line, framework));
        }
    }
    out
}

/// The text inside the parentheses opening at `open`.
fn call_args(src: &Source, open: usize) -> Option<String> {
    let close = src.closing(open, 64 * 1024)?;
    Some(src.text(open + 1, close))
}

/// The keyword argument `key` of a call's arguments.
fn keyword(args: &str, key: &str, consts: &HashMap<String, String>) -> Option<String> {
    source::split_top(args, b',')
        .into_iter()
        .find_map(|a| match source::named(a) {
            Some((k, v)) if k == key => source::paths(v, consts).into_iter().next(),
            _ => None,
        })
}

/// The application and router objects the file makes, with their prefixes.
fn receivers(src: &Source, consts: &HashMap<String, String>) -> HashMap<String, Receiver> {
    static MAKE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b([A-Za-z_]\w*)[ \t]*(?::[ \t]*[\w.]+[ \t]*)?=[ \t]*(?:[A-Za-z_][\w]*\.)*(Flask|Blueprint|FastAPI|APIRouter)[ \t]*\(",
        )
        .expect("valid regex")
    });
    static MOUNT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\.[ \t]*(register_blueprint|include_router)[ \t]*\(").expect("valid regex")
    });
    let mut out = HashMap::new();
    for c in MAKE.captures_iter(&src.code).take(10_000) {
        let (Some(all), Some(var), Some(kind)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let args = call_args(src, all.end() - 1).unwrap_or_default();
        let (framework, key) = match kind.as_bytes() {
            b"Flask" => ("Flask", None),
            b"Blueprint" => ("Flask", Some("url_prefix")),
            b"FastAPI" => ("FastAPI", None),
            _ => ("FastAPI", Some("prefix")),
        };
        let prefix = key
            .and_then(|k| keyword(&args, k, consts))
            .unwrap_or_default();
        out.insert(
            String::from_utf8_lossy(var.as_bytes()).into_owned(),
            Receiver { framework, prefix },
        );
    }
    for c in MOUNT.captures_iter(&src.code).take(10_000) {
        let (Some(all), Some(kind)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let Some(args) = call_args(src, all.end() - 1) else {
            continue;
        };
        let Some(first) = source::split_top(&args, b',').into_iter().next() else {
            continue;
        };
        let Some(r) = out.get_mut(first.trim()) else {
            continue;
        };
        if kind.as_bytes() == b"register_blueprint" {
            if let Some(p) = keyword(&args, "url_prefix", consts) {
                r.prefix = p;
            }
        } else if let Some(p) = keyword(&args, "prefix", consts) {
            r.prefix = source::join(&p, &r.prefix);
        }
    }
    out
}
