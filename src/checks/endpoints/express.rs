//! Express and NestJS (JavaScript, TypeScript).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::bytes::Regex;

use super::Endpoint;
use super::annotations::{self, Target};
use super::java::endpoint;
use super::source::{self, Source, Syntax};

/// The endpoints of a JavaScript or TypeScript file: Express routes when the file loads
/// `express`, NestJS routes when it imports `@nestjs/common`.
pub(super) fn find(text: &str) -> Vec<Endpoint> {
    let express = text.contains("express");
    let nest = text.contains("@nestjs/");
    if !express && !nest {
        return Vec::new();
    }
    let src = Source::new(text, Syntax::JS);
    let consts = source::constants(&src);
    let mut out = Vec::new();
    if express && loads_express(&src) {
        out.extend(express_routes(&src));
    }
    if nest {
        out.extend(nest_routes(&src, &consts));
    }
    out
}

/// Whether the file has `require('express')` or `from 'express'`.
fn loads_express(src: &Source) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"require\s*\(\s*['"]express['"]\s*\)|from\s+['"]express['"]|import\s+['"]express['"]"#)
            .expect("valid regex")
    });
    RE.is_match(&src.code)
}

/// The string literal starting at `at` (a quote in `mask`) and the offset past it; `None` for a
/// template literal with substitutions.
fn literal_at(src: &Source, at: usize) -> Option<(String, usize)> {
    let q = *src.mask.get(at)?;
    let close = at + 1 + memchr::memchr(q, src.mask.get(at + 1..)?)?;
    let s = src.text(at + 1, close);
    if q == b'`' && s.contains("${") {
        return None;
    }
    Some((s, close + 1))
}

/// Express: `X.get('/p', handler)` and the other verbs (`all` as `ANY`), and
/// `X.route('/p').get(h).post(h)`, where `X` is `app`, `router` or a name the file binds to
/// `express()`, `express.Router()` or `Router()`; a route needs a handler after its path (so
/// that `app.get('setting')` and client calls such as `http.get('/p')` are not taken). A router
/// mounted in the same file by `app.use('/api', router)` has that prefix joined; one mounted in
/// another file keeps its own paths.
fn express_routes(src: &Source) -> Vec<Endpoint> {
    static BIND: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*[\w.]+\s*)?=\s*(?:express\s*\(\s*\)|express\s*\.\s*Router\s*\(|Router\s*\(|require\s*\(\s*'express'\s*\)\s*\.\s*Router\s*\()",
        )
        .expect("valid regex")
    });
    static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b([A-Za-z_$][\w$]*)\s*\.\s*(get|post|put|delete|patch|all|options|head|route)\s*\(\s*")
            .expect("valid regex")
    });
    static CHAIN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*\.\s*(get|post|put|delete|patch|all|options|head)\s*\(")
            .expect("valid regex")
    });
    static USE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b[A-Za-z_$][\w$]*\s*\.\s*use\s*\(\s*").expect("valid regex")
    });
    static NEXT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*,\s*([A-Za-z_$][\w$]*)\s*[,)]").expect("valid regex"));
    let word = |m: regex::bytes::Match<'_>| String::from_utf8_lossy(m.as_bytes()).into_owned();
    let mut names: HashSet<String> = ["app", "router"].into_iter().map(String::from).collect();
    names.extend(
        BIND.captures_iter(&src.mask)
            .take(10_000)
            .filter_map(|c| Some(word(c.get(1)?))),
    );
    // Prefixes of routers mounted in this file.
    let mut mounts: HashMap<String, Vec<String>> = HashMap::new();
    for m in USE.find_iter(&src.mask).take(10_000) {
        let Some((prefix, after)) = literal_at(src, m.end()) else {
            continue;
        };
        let rest = src.mask.get(after..).unwrap_or_default();
        if let Some(c) = NEXT.captures(rest).and_then(|c| c.get(1)) {
            mounts.entry(word(c)).or_default().push(prefix);
        }
    }
    let mut out = Vec::new();
    for c in ROUTE.captures_iter(&src.mask).take(100_000) {
        let (Some(all), Some(var), Some(verb)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let var = word(var);
        if !names.contains(&var) {
            continue;
        }
        let Some((path, after)) = literal_at(src, all.end()) else {
            continue;
        };
        let line = src.line(all.start());
        let mut verbs = Vec::new();
        if verb.as_bytes() == b"route" {
            // `.route('/p')` then chained verbs.
            let close = src.skip_ws(after);
            if src.mask.get(close) != Some(&b')') {
                continue;
            }
            let mut k = close + 1;
            while let Some(cc) = src.mask.get(k..).and_then(|r| CHAIN.captures(r)) {
                let (Some(a), Some(v)) = (cc.get(0), cc.get(1)) else {
                    break;
                };
                verbs.push(word(v));
                match src.closing(k + a.end() - 1, 64 * 1024) {
                    Some(e) => k = e + 1,
                    None => break,
                }
                if verbs.len() > 16 {
                    break;
                }
            }
        } else {
            if src.mask.get(src.skip_ws(after)) != Some(&b',') {
                continue;
            }
            verbs.push(word(verb));
        }
        let prefixes = mounts
            .get(&var)
            .cloned()
            .unwrap_or_else(|| vec![String::new()]);
        for v in verbs {
            let method = if v == "all" {
                "ANY".to_string()
            } else {
                v.to_ascii_uppercase()
            };
            for p in &prefixes {
                out.push(endpoint(&method, source::join(p, &path), line, "Express"));
            }
        }
    }
    out
}

/// NestJS: methods decorated `@Get(…)`, `@Post(…)`, … (`@All` as `ANY`) in classes decorated
/// `@Controller(…)`, joined to the controller's path (`'x'`, `{ path: 'x' }` or an array).
/// A global prefix set in `main.ts` is not known here.
fn nest_routes(src: &Source, consts: &HashMap<String, String>) -> Vec<Endpoint> {
    const MODS: &[&str] = &[
        "export",
        "default",
        "abstract",
        "public",
        "private",
        "protected",
        "static",
        "async",
        "declare",
    ];
    const VERBS: &[&str] = &[
        "Get", "Post", "Put", "Delete", "Patch", "All", "Options", "Head",
    ];
    let anns = annotations::at_annotations(src);
    let groups = annotations::groups(src, anns, MODS, &["class"]);
    let classes = annotations::classes(src, &["class"]);
    let by_class = annotations::class_groups(&groups);
    let arg_paths = |args: Option<&str>| -> Vec<String> {
        let args = args.unwrap_or_default().trim();
        if args.is_empty() {
            return vec![String::new()];
        }
        let first = source::split_top(args, b',')
            .into_iter()
            .next()
            .unwrap_or_default()
            .trim();
        // `{ path: 'x', host: … }`
        if let Some(obj) = first.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            return source::split_top(obj, b',')
                .into_iter()
                .find_map(|a| match source::named(a) {
                    Some(("path", v)) => Some(source::paths(v, consts)),
                    _ => None,
                })
                .unwrap_or_else(|| vec![String::new()]);
        }
        source::paths(first, consts)
    };
    let mut out = Vec::new();
    for g in &groups {
        let Target::Member { at } = g.target else {
            continue;
        };
        let Some(class) = classes.enclosing(at) else {
            continue;
        };
        let Some(cg) = by_class.get(&class.kw) else {
            continue;
        };
        let Some(ctl) = cg.named("Controller").next() else {
            continue;
        };
        let prefixes = arg_paths(ctl.args.as_deref());
        for a in &g.anns {
            if !VERBS.contains(&a.name.as_str()) {
                continue;
            }
            let method = if a.name == "All" {
                "ANY".to_string()
            } else {
                a.name.to_ascii_uppercase()
            };
            for p in &prefixes {
                for s in arg_paths(a.args.as_deref()) {
                    out.push(endpoint(
                        &method,
                        source::join(p, &s),
                        src.line(a.start),
                        "NestJS",
                    ));
                }
            }
        }
    }
    out
}
