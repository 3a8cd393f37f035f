//! Spring MVC / WebFlux and JAX-RS controllers (Java and Kotlin).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::Endpoint;
use super::annotations::{self, Ann, Classes, Group, Target};
use super::source::{self, Source, Syntax};

/// Modifier words between annotations and a declaration.
const MODS: &[&str] = &[
    "public",
    "private",
    "protected",
    "internal",
    "abstract",
    "final",
    "open",
    "static",
    "data",
    "sealed",
    "enum",
    "inner",
    "strictfp",
];
/// The keywords that declare a class.
const CLASS_KWS: &[&str] = &["class", "interface", "object", "record"];

/// Spring's method-specific mapping annotations and their methods.
const SPRING_MAPPINGS: &[(&str, &str)] = &[
    ("GetMapping", "GET"),
    ("PostMapping", "POST"),
    ("PutMapping", "PUT"),
    ("DeleteMapping", "DELETE"),
    ("PatchMapping", "PATCH"),
];
/// JAX-RS method designators.
const JAXRS_METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// The endpoints of a Java or Kotlin file.
pub(super) fn find(text: &str) -> Vec<Endpoint> {
    if !text.contains("Mapping") && !text.contains("Path") {
        return Vec::new();
    }
    let src = Source::new(text, Syntax::JAVA);
    let anns = annotations::at_annotations(&src);
    if anns.is_empty() {
        return Vec::new();
    }
    let groups = annotations::groups(&src, anns, MODS, CLASS_KWS);
    let classes = annotations::classes(&src, CLASS_KWS);
    let consts = source::constants(&src);
    let ctx = Ctx {
        src: &src,
        classes: &classes,
        by_class: annotations::class_groups(&groups),
        groups: &groups,
        consts: &consts,
    };
    let mut out = ctx.spring();
    out.extend(ctx.jaxrs());
    out
}

/// What the rules of one file read.
struct Ctx<'a> {
    src: &'a Source,
    classes: &'a Classes,
    by_class: HashMap<usize, &'a Group>,
    groups: &'a [Group],
    consts: &'a HashMap<String, String>,
}

impl Ctx<'_> {
    /// The member groups, each with the group of its innermost class (`None` for a class
    /// without annotations or a member outside any class).
    fn members(&self) -> impl Iterator<Item = (&Group, usize, Option<&Group>)> {
        self.groups.iter().filter_map(|g| match g.target {
            Target::Member { at } => {
                let class = self
                    .classes
                    .enclosing(at)
                    .and_then(|c| self.by_class.get(&c.kw).copied());
                Some((g, at, class))
            }
            Target::Class { .. } => None,
        })
    }

    /// Spring: mappings of methods in `@RestController` / `@Controller` classes, joined to the
    /// class's `@RequestMapping` paths. A member outside any class found counts when the file
    /// has a controller annotation.
    fn spring(&self) -> Vec<Endpoint> {
        const CONTROLLER: &[&str] = &["RestController", "Controller"];
        let file_has = self.groups.iter().any(|g| g.has(CONTROLLER));
        let mut out = Vec::new();
        for (g, _, class) in self.members() {
            let prefixes = match class {
                Some(c) if c.has(CONTROLLER) => self.mapping_paths(c.named("RequestMapping")),
                None if file_has => vec![String::new()],
                _ => continue,
            };
            for a in &g.anns {
                let methods =
                    if let Some((_, m)) = SPRING_MAPPINGS.iter().find(|(n, _)| *n == a.name) {
                        vec![(*m).to_string()]
                    } else if a.name == "RequestMapping" {
                        request_methods(a.args.as_deref().unwrap_or_default())
                    } else {
                        continue;
                    };
                let paths = self.mapping_paths(std::iter::once(a));
                for p in &prefixes {
                    for s in &paths {
                        for m in &methods {
                            out.push(endpoint(
                                m,
                                source::join(p, s),
                                self.src.line(a.start),
                                "Spring",
                            ));
                        }
                    }
                }
            }
        }
        out
    }

    /// The paths of Spring mapping annotations: their `value` / `path` (or first positional)
    /// argument, every element of an array; one empty path when an annotation gives none; one
    /// empty path when there is no annotation.
    fn mapping_paths<'b>(&self, anns: impl Iterator<Item = &'b Ann>) -> Vec<String> {
        let mut out = Vec::new();
        for a in anns {
            let args = a.args.as_deref().unwrap_or_default();
            let mut got = false;
            for (n, arg) in source::split_top(args, b',').into_iter().enumerate() {
                let expr = match source::named(arg) {
                    Some(("value" | "path", v)) => v,
                    None if n == 0 && !arg.trim().is_empty() => arg,
                    _ => continue,
                };
                out.extend(source::paths(expr, self.consts));
                got = true;
            }
            if !got {
                out.push(String::new());
            }
        }
        if out.is_empty() {
            out.push(String::new());
        }
        out
    }

    /// JAX-RS: `@GET`, `@POST`, … methods (no arguments, which a Retrofit client's have) in
    /// classes annotated `@Path`, joined to that path and the method's own `@Path`.
    fn jaxrs(&self) -> Vec<Endpoint> {
        let mut out = Vec::new();
        for (g, _, class) in self.members() {
            let Some(class) = class else { continue };
            let Some(prefix) = class.named("Path").next() else {
                continue;
            };
            let prefix = self.first_path(prefix);
            let sub = g
                .named("Path")
                .next()
                .map(|a| self.first_path(a))
                .unwrap_or_default();
            for a in &g.anns {
                if a.args.is_none() && JAXRS_METHODS.contains(&a.name.as_str()) {
                    out.push(endpoint(
                        &a.name,
                        source::join(&prefix, &sub),
                        self.src.line(a.start),
                        "JAX-RS",
                    ));
                }
            }
        }
        out
    }

    /// The path a JAX-RS `@Path("…")` (or `@Path(value = "…")`) gives.
    fn first_path(&self, a: &Ann) -> String {
        let args = a.args.as_deref().unwrap_or_default();
        let expr = source::named(args).map_or(args, |(_, v)| v);
        source::paths(expr, self.consts)
            .into_iter()
            .next()
            .unwrap_or_default()
    }
}

/// The methods of a `@RequestMapping(method = …)`: `RequestMethod.GET`, an array of them, or
/// `ANY` when not given.
fn request_methods(args: &str) -> Vec<String> {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"RequestMethod\s*\.\s*([A-Z]+)").expect("valid regex"));
    for arg in source::split_top(args, b',') {
        if let Some(("method", v)) = source::named(arg) {
            let mut m: Vec<String> = RE
                .captures_iter(v)
                .filter_map(|c| Some(c.get(1)?.as_str().to_string()))
                .collect();
            m.dedup();
            if !m.is_empty() {
                return m;
            }
        }
    }
    vec!["ANY".to_string()]
}

/// An endpoint without its file (the caller fills it in).
pub(super) fn endpoint(method: &str, path: String, line: u32, framework: &str) -> Endpoint {
    Endpoint {
        method: method.to_string(),
        path,
        file: String::new(),
        line,
        framework: framework.to_string(),
    }
}
