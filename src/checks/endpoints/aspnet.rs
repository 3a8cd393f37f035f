//! ASP.NET Core and ASP.NET Web API 2 (C#): attribute-routed controllers and minimal APIs.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::bytes::Regex;

use super::Endpoint;
use super::annotations::{self, Ann, Group, Target};
use super::java::endpoint;
use super::source::{self, Source, Syntax};

/// Modifier words between attributes and a declaration.
const MODS: &[&str] = &[
    "public",
    "private",
    "protected",
    "internal",
    "static",
    "sealed",
    "abstract",
    "partial",
    "virtual",
    "override",
    "async",
    "new",
    "readonly",
    "unsafe",
    "extern",
];
/// The keywords that declare a class.
const CLASS_KWS: &[&str] = &["class", "record", "struct", "interface"];
/// The HTTP method attributes and their methods.
const HTTP_ATTRS: &[(&str, &str)] = &[
    ("HttpGet", "GET"),
    ("HttpPost", "POST"),
    ("HttpPut", "PUT"),
    ("HttpDelete", "DELETE"),
    ("HttpPatch", "PATCH"),
    ("HttpHead", "HEAD"),
    ("HttpOptions", "OPTIONS"),
];
/// The attributes that give a route template.
const ROUTE_ATTRS: &[&str] = &["Route", "RoutePrefix"];

/// The endpoints of a C# file.
pub(super) fn find(text: &str) -> Vec<Endpoint> {
    if !text.contains("Http") && !text.contains("Route") && !text.contains("Map") {
        return Vec::new();
    }
    let src = Source::new(text, Syntax::CSHARP);
    let consts = source::constants(&src);
    let mut out = controllers(&src, &consts);
    out.extend(minimal(&src, &consts));
    out
}

/// The template an attribute gives: its first positional argument, or its `template:` /
/// `Template =` argument; `None` without one.
fn template(a: &Ann, consts: &HashMap<String, String>) -> Option<String> {
    let args = a.args.as_deref()?;
    for (n, arg) in source::split_top(args, b',').into_iter().enumerate() {
        let expr = match source::named(arg) {
            Some((name, v)) if name.eq_ignore_ascii_case("template") => v,
            None if n == 0 && !arg.trim().is_empty() => arg,
            _ => continue,
        };
        return source::paths(expr, consts).into_iter().next();
    }
    None
}

/// Attribute-routed controller actions. A class is a controller when its name ends in
/// `Controller` or it carries `[ApiController]`, `[Route]` or `[RoutePrefix]`. Action templates
/// join the class's `[Route]` / `[RoutePrefix]` templates unless they start with `/` or `~/`;
/// `[controller]` becomes the class name without `Controller`, `[action]` the method name,
/// `[area]` a placeholder. Actions with neither a template of their own nor a class template
/// are conventionally routed (`{controller}/{action}` from the startup code) and skipped.
fn controllers(src: &Source, consts: &HashMap<String, String>) -> Vec<Endpoint> {
    let anns = annotations::cs_attributes(src);
    if anns.is_empty() {
        return Vec::new();
    }
    let groups = annotations::groups(src, anns, MODS, CLASS_KWS);
    let classes = annotations::classes(src, CLASS_KWS);
    let by_class = annotations::class_groups(&groups);
    let mut out = Vec::new();
    for g in &groups {
        let Target::Member { at } = g.target else {
            continue;
        };
        let Some(class) = classes.enclosing(at) else {
            continue;
        };
        let cg = by_class.get(&class.kw).copied();
        let is_controller = class.name.ends_with("Controller")
            || cg.is_some_and(|h| h.has(&["ApiController", "Route", "RoutePrefix"]));
        if !is_controller {
            continue;
        }
        let prefixes: Vec<String> = cg
            .map(|h| {
                h.anns
                    .iter()
                    .filter(|a| ROUTE_ATTRS.contains(&a.name.as_str()))
                    .filter_map(|a| template(a, consts))
                    .collect()
            })
            .unwrap_or_default();
        let controller = class.name.strip_suffix("Controller").unwrap_or(&class.name);
        let action = annotations::member_name(src, at).unwrap_or_default();
        for (method, t, line) in action_templates(src, g, consts) {
            let full: Vec<String> = match t {
                Some(t) if t.starts_with('/') || t.starts_with("~/") => {
                    vec![source::join("", t.trim_start_matches('~'))]
                }
                Some(t) if prefixes.is_empty() => vec![source::join("", &t)],
                Some(t) => prefixes.iter().map(|p| source::join(p, &t)).collect(),
                None => prefixes.iter().map(|p| source::join(p, "")).collect(),
            };
            for path in full {
                let path = replace_token(
                    &replace_token(&path, "controller", controller),
                    "action",
                    &action,
                );
                let path = replace_token(&path, "area", "{area}");
                out.push(endpoint(&method, path, line, "ASP.NET"));
            }
        }
    }
    out
}

/// The (method, template, line) of one action's attributes: each `[HttpX("t")]`; each
/// `[HttpX]` with each of the action's `[Route("t")]` (or no template); each `[Route("t")]`
/// alone as `ANY` when no `[HttpX]` is there.
fn action_templates(
    src: &Source,
    g: &Group,
    consts: &HashMap<String, String>,
) -> Vec<(String, Option<String>, u32)> {
    let routes: Vec<(String, u32)> = g
        .anns
        .iter()
        .filter(|a| a.name == "Route")
        .filter_map(|a| Some((template(a, consts)?, src.line(a.start))))
        .collect();
    let mut out = Vec::new();
    let mut any_http = false;
    for a in &g.anns {
        let Some((_, m)) = HTTP_ATTRS.iter().find(|(n, _)| *n == a.name) else {
            continue;
        };
        any_http = true;
        let line = src.line(a.start);
        match template(a, consts) {
            Some(t) => out.push(((*m).to_string(), Some(t), line)),
            None if routes.is_empty() => out.push(((*m).to_string(), None, line)),
            None => out.extend(
                routes
                    .iter()
                    .map(|(t, _)| ((*m).to_string(), Some(t.clone()), line)),
            ),
        }
    }
    if !any_http {
        out.extend(
            routes
                .into_iter()
                .map(|(t, l)| ("ANY".to_string(), Some(t), l)),
        );
    }
    out
}

/// `path` with the route token `[name]` (any case) replaced by `value`.
fn replace_token(path: &str, name: &str, value: &str) -> String {
    let token = format!("[{name}]");
    let lower = path.to_ascii_lowercase();
    let mut out = String::with_capacity(path.len());
    let mut last = 0;
    for (i, _) in lower.match_indices(&token) {
        out.push_str(path.get(last..i).unwrap_or_default());
        out.push_str(value);
        last = i + token.len();
    }
    out.push_str(path.get(last..).unwrap_or_default());
    out
}

/// Minimal APIs: `app.MapGet("/x", …)`, `MapPost`, `MapPut`, `MapDelete`, `MapPatch`,
/// `MapMethods` (as `ANY`), on `app` or on a group `var g = app.MapGroup("/api")` of the same
/// file (groups of groups followed).
fn minimal(src: &Source, consts: &HashMap<String, String>) -> Vec<Endpoint> {
    static GROUP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b([A-Za-z_]\w*)\s*=\s*([A-Za-z_]\w*)\s*\.\s*MapGroup\s*\(")
            .expect("valid regex")
    });
    static MAP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b([A-Za-z_]\w*)\s*\.\s*Map(Get|Post|Put|Delete|Patch|Methods)\s*\(")
            .expect("valid regex")
    });
    let first_arg = |open: usize| -> Option<String> {
        let close = src.closing(open, 64 * 1024)?;
        let args = src.text(open + 1, close);
        let first = source::split_top(&args, b',')
            .into_iter()
            .next()?
            .to_string();
        source::paths(&first, consts).into_iter().next()
    };
    let word = |m: regex::bytes::Match<'_>| String::from_utf8_lossy(m.as_bytes()).into_owned();
    let mut groups: HashMap<String, (String, String)> = HashMap::new();
    for c in GROUP.captures_iter(&src.mask).take(10_000) {
        let (Some(all), Some(var), Some(parent)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        if let Some(p) = first_arg(all.end() - 1) {
            groups.insert(word(var), (word(parent), p));
        }
    }
    let prefix_of = |var: &str| -> String {
        let mut parts = Vec::new();
        let mut v = var.to_string();
        while let Some((parent, p)) = groups.get(&v) {
            parts.push(p.clone());
            if parts.len() > 16 {
                break;
            }
            v.clone_from(parent);
        }
        parts
            .iter()
            .rev()
            .fold(String::new(), |acc, p| source::join(&acc, p))
    };
    let mut out = Vec::new();
    for c in MAP.captures_iter(&src.mask).take(100_000) {
        let (Some(all), Some(var), Some(verb)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let Some(path) = first_arg(all.end() - 1) else {
            continue;
        };
        let method = match verb.as_bytes() {
            b"Methods" => "ANY".to_string(),
            v => String::from_utf8_lossy(v).to_ascii_uppercase(),
        };
        let prefix = prefix_of(&word(var));
        out.push(endpoint(
            &method,
            source::join(&prefix, &path),
            src.line(all.start()),
            "ASP.NET",
        ));
    }
    out
}
