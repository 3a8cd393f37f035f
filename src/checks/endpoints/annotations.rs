//! Annotations (Java, Kotlin, TypeScript decorators) and attributes (C#), grouped by what they
//! annotate: a class (by name) or a member (a method, at its offset); and the classes of a file
//! with their bodies, to find the class a member belongs to.

use std::sync::LazyLock;

use regex::bytes::Regex;

use super::source::Source;

/// One annotation or attribute.
#[derive(Debug, Clone)]
pub(super) struct Ann {
    /// Its simple name: `GetMapping` for `@org.springframework…GetMapping`, `HttpGet` for
    /// `[HttpGetAttribute]`.
    pub name: String,
    /// The text between its parentheses, comments blanked; `None` without parentheses.
    pub args: Option<String>,
    /// Offset of its `@` (or of the `[` of its attribute list).
    pub start: usize,
    /// Offset just past it (past the `]` of its attribute list).
    pub end: usize,
}

/// What a group of annotations annotates.
#[derive(Debug, Clone)]
pub(super) enum Target {
    /// The class declared by the keyword at `kw`.
    Class { kw: usize },
    /// A member (method, field) starting at `at`.
    Member { at: usize },
}

/// Consecutive annotations on one declaration.
#[derive(Debug, Clone)]
pub(super) struct Group {
    /// The annotations, in order.
    pub anns: Vec<Ann>,
    /// What they annotate.
    pub target: Target,
}

impl Group {
    /// The annotations named `name`.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Ann> + 'a {
        self.anns.iter().filter(move |a| a.name == name)
    }

    /// Whether one annotation has one of `names`.
    pub fn has(&self, names: &[&str]) -> bool {
        self.anns.iter().any(|a| names.contains(&a.name.as_str()))
    }
}

/// A class (interface, object, record) declaration.
#[derive(Debug, Clone)]
pub(super) struct Class {
    /// Its name.
    pub name: String,
    /// Offset of its keyword.
    pub kw: usize,
    /// Offsets of the braces of its body, when it has one.
    pub body: Option<(usize, usize)>,
}

/// The longest argument list read, in bytes.
const MAX_ARGS: usize = 16 * 1024;

/// The `@Name(…)` annotations of a Java, Kotlin or TypeScript file.
pub(super) fn at_annotations(src: &Source) -> Vec<Ann> {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"@[ \t]*([A-Za-z_][\w.]*)").expect("valid regex"));
    let mut out = Vec::new();
    for c in RE.captures_iter(&src.mask).take(200_000) {
        let (Some(all), Some(name)) = (c.get(0), c.get(1)) else {
            continue;
        };
        // Not a label (`return@forEach`, `this@Outer`) nor an e-mail address.
        if all.start() > 0 {
            let p = src.mask[all.start() - 1];
            if p.is_ascii_alphanumeric() || p == b'_' || p == b'@' {
                continue;
            }
        }
        let simple = String::from_utf8_lossy(name.as_bytes());
        let simple = simple.rsplit('.').next().unwrap_or_default().to_string();
        let open = src.skip_ws(name.end());
        let (args, end) = match src.mask.get(open) {
            Some(b'(') => match src.closing(open, MAX_ARGS) {
                Some(close) => (Some(src.text(open + 1, close)), close + 1),
                None => continue,
            },
            _ => (None, name.end()),
        };
        out.push(Ann {
            name: simple,
            args,
            start: all.start(),
            end,
        });
    }
    out
}

/// The attributes of a C# file: attribute lists `[A, B(…)]` that start a line or follow `;`, `{`,
/// `}` or `]`; the `Attribute` suffix and namespaces dropped from the names.
pub(super) fn cs_attributes(src: &Source) -> Vec<Ann> {
    let m = &src.mask;
    let mut out = Vec::new();
    for open in memchr::memchr_iter(b'[', m) {
        if out.len() > 200_000 {
            break;
        }
        let prev = m[..open]
            .iter()
            .rev()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\r'));
        if !matches!(prev, None | Some(b'\n' | b';' | b'{' | b'}' | b']')) {
            continue;
        }
        if let Some(list) = cs_list(src, open) {
            out.extend(list);
        }
    }
    out
}

/// The attribute list opening at `open`, or `None` when it is not one.
fn cs_list(src: &Source, open: usize) -> Option<Vec<Ann>> {
    static NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^\s*(?:(?:assembly|module|return|method|field|property|type|param|event)\s*:\s*)?([A-Za-z_][\w.]*)",
        )
        .expect("valid regex")
    });
    let m = &src.mask;
    let mut k = open + 1;
    let mut anns = Vec::new();
    loop {
        let c = NAME.captures(m.get(k..)?)?;
        let name = c.get(1)?;
        let full = String::from_utf8_lossy(name.as_bytes());
        let simple = full.rsplit('.').next().unwrap_or_default();
        let simple = simple
            .strip_suffix("Attribute")
            .unwrap_or(simple)
            .to_string();
        k = src.skip_ws(k + name.end());
        let mut args = None;
        if m.get(k) == Some(&b'(') {
            let close = src.closing(k, MAX_ARGS)?;
            args = Some(src.text(k + 1, close));
            k = src.skip_ws(close + 1);
        }
        anns.push(Ann {
            name: simple,
            args,
            start: open,
            end: 0,
        });
        match m.get(k)? {
            b',' => k += 1,
            b']' => break,
            _ => return None,
        }
        if anns.len() > 64 {
            return None;
        }
    }
    for a in &mut anns {
        a.end = k + 1;
    }
    Some(anns)
}

/// The first offset from `at` past whitespace and the words of `mods`.
fn skip_modifiers(src: &Source, at: usize, mods: &[&str]) -> usize {
    let mut k = src.skip_ws(at);
    'outer: loop {
        for w in mods {
            let wb = w.as_bytes();
            if src.mask.get(k..).is_some_and(|r| r.starts_with(wb))
                && !src
                    .mask
                    .get(k + wb.len())
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                k = src.skip_ws(k + wb.len());
                continue 'outer;
            }
        }
        return k;
    }
}

/// Group `anns` (in file order) by the declaration they precede: annotations separated only by
/// whitespace and the modifier words `mods` are one group; a group followed by one of
/// `class_kws` and a name annotates that class, any other a member.
pub(super) fn groups(
    src: &Source,
    anns: Vec<Ann>,
    mods: &[&str],
    class_kws: &[&str],
) -> Vec<Group> {
    let mut out = Vec::new();
    let mut cur: Vec<Ann> = Vec::new();
    let mut it = anns.into_iter().peekable();
    while let Some(a) = it.next() {
        let after = skip_modifiers(src, a.end, mods);
        let start = a.start;
        cur.push(a);
        if let Some(n) = it.peek()
            && (n.start == start || n.start == after)
        {
            continue;
        }
        let target = if class_kw_at(src, after, class_kws) {
            Target::Class { kw: after }
        } else {
            Target::Member { at: after }
        };
        out.push(Group {
            anns: std::mem::take(&mut cur),
            target,
        });
    }
    out
}

/// Whether one of `kws`, then whitespace, starts at `at`.
fn class_kw_at(src: &Source, at: usize, kws: &[&str]) -> bool {
    kws.iter().any(|w| {
        src.mask
            .get(at..)
            .is_some_and(|r| r.starts_with(w.as_bytes()))
            && src
                .mask
                .get(at + w.len())
                .is_some_and(u8::is_ascii_whitespace)
    })
}

/// The class declarations of a file (`kws` followed by a name), with their bodies.
pub(super) fn classes(src: &Source, kws: &[&str]) -> Classes {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(class|interface|object|record|struct)\s+([A-Za-z_]\w*)")
            .expect("valid regex")
    });
    let pairs = src.brace_pairs();
    let found: Vec<_> = RE
        .captures_iter(&src.mask)
        .take(100_000)
        .filter_map(|c| Some((c.get(1)?, c.get(2)?)))
        .collect();
    let mut out = Vec::new();
    for (n, (kw, name)) in found.iter().enumerate() {
        if !kws.iter().any(|w| w.as_bytes() == kw.as_bytes()) {
            continue;
        }
        // The body: the first `{` before any `;` (parentheses of a primary constructor skipped)
        // and before the next declaration.
        let limit = found.get(n + 1).map_or(src.mask.len(), |(k, _)| k.start());
        let mut body = None;
        let mut depth = 0i32;
        for (k, &b) in src.mask[..limit].iter().enumerate().skip(name.end()) {
            match b {
                b'(' => depth += 1,
                b')' => depth -= 1,
                b';' if depth <= 0 => break,
                b'{' if depth <= 0 => {
                    body = pairs.get(&k).map(|&close| (k, close));
                    break;
                }
                _ => {}
            }
        }
        out.push(Class {
            name: String::from_utf8_lossy(name.as_bytes()).into_owned(),
            kw: kw.start(),
            body,
        });
    }
    Classes::of(out)
}

/// The classes of a file, to find the one a member belongs to.
pub(super) struct Classes {
    /// The classes with a body, by the offset of their `{`.
    list: Vec<Class>,
    /// The index in `list` of the class each one is nested in.
    parent: Vec<Option<usize>>,
}

impl Classes {
    /// Index `classes`.
    pub fn of(classes: Vec<Class>) -> Classes {
        let mut list: Vec<Class> = classes.into_iter().filter(|c| c.body.is_some()).collect();
        list.sort_by_key(|c| c.body.map_or(0, |(o, _)| o));
        let mut parent = Vec::with_capacity(list.len());
        let mut stack: Vec<usize> = Vec::new();
        for (i, c) in list.iter().enumerate() {
            let (open, _) = c.body.unwrap_or_default();
            while let Some(&top) = stack.last() {
                if list[top].body.is_some_and(|(_, close)| close < open) {
                    stack.pop();
                } else {
                    break;
                }
            }
            parent.push(stack.last().copied());
            stack.push(i);
        }
        Classes { list, parent }
    }

    /// The innermost class whose body holds offset `at`: the last class opened before `at`,
    /// or the nearest of its outer classes that is still open at `at`.
    pub fn enclosing(&self, at: usize) -> Option<&Class> {
        let n = self
            .list
            .partition_point(|c| c.body.is_some_and(|(o, _)| o < at));
        let mut cur = n.checked_sub(1);
        while let Some(i) = cur {
            let c = &self.list[i];
            if c.body.is_some_and(|(o, e)| o < at && at < e) {
                return Some(c);
            }
            cur = self.parent[i];
        }
        None
    }
}

/// The groups that annotate a class, by the offset of its keyword.
pub(super) fn class_groups(groups: &[Group]) -> std::collections::HashMap<usize, &Group> {
    groups
        .iter()
        .filter_map(|g| match g.target {
            Target::Class { kw } => Some((kw, g)),
            Target::Member { .. } => None,
        })
        .collect()
}

/// The name of the method declared from `at`: the identifier before its `(`.
pub(super) fn member_name(src: &Source, at: usize) -> Option<String> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[^(;{}=]{0,400}?([A-Za-z_]\w*)\s*(?:<[^<>()]{0,200}>)?\s*\(")
            .expect("valid regex")
    });
    let c = RE.captures(src.mask.get(at..)?)?;
    Some(String::from_utf8_lossy(c.get(1)?.as_bytes()).into_owned())
}
