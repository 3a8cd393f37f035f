//! The paths a document names, as a tree of normalised segments.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// The placeholder every path variable becomes.
const VAR: &str = "{}";
/// The most distinct tokens read from one document.
const MAX_TOKENS: usize = 1_000_000;
/// The most tree nodes one endpoint's lookup visits.
const BUDGET: u32 = 100_000;

/// One node: its children by segment, and whether a token ends here.
#[derive(Default)]
struct Node {
    children: HashMap<Box<str>, u32>,
    end: bool,
}

/// The path-like tokens of a document.
pub(super) struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// The tokens of `text`: runs of ASCII path characters (`A-Z a-z 0-9 _ - . ~ { } : < > * $ @`,
    /// `/`) holding at least one `/`, optionally after a URL scheme; a path variable in braces
    /// may hold any characters but space and `/` (`{患者ID}`, as Chinese documents write it);
    /// query strings and fragments end a token.
    pub fn of(text: &str) -> Tree {
        static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r"(?:[A-Za-z][A-Za-z0-9+.\-]*://)?(?:[A-Za-z0-9_\-.~:<>*$@]|\{[^{}\s/]{1,64}\})*(?:/(?:[A-Za-z0-9_\-.~:<>*$@]|\{[^{}\s/]{1,64}\})*)+",
            )
            .expect("valid regex")
        });
        let mut tree = Tree {
            nodes: vec![Node::default()],
        };
        let mut count = 0usize;
        for m in TOKEN.find_iter(text) {
            let segs = segments(m.as_str(), true);
            if segs.is_empty() {
                continue;
            }
            tree.insert(&segs);
            count += 1;
            if count >= MAX_TOKENS {
                break;
            }
        }
        tree
    }

    /// Add one token.
    fn insert(&mut self, segs: &[String]) {
        let mut node = 0usize;
        for s in segs {
            let next = self.nodes[node].children.get(s.as_str()).copied();
            node = if let Some(n) = next {
                n as usize
            } else {
                let n = self.nodes.len();
                self.nodes.push(Node::default());
                self.nodes[node]
                    .children
                    .insert(s.as_str().into(), u32::try_from(n).unwrap_or(u32::MAX));
                n
            };
        }
        self.nodes[node].end = true;
    }

    /// Whether the document names `path` (see `documented` for the rules).
    pub fn names(&self, path: &str) -> bool {
        let segs = segments(path, false);
        let mut budget = BUDGET;
        for start in 0..segs.len() {
            let rest = &segs[start..];
            let literal = rest.iter().any(|s| s != VAR);
            if start > 0 && !literal {
                break;
            }
            if self.walk(0, rest, literal, &mut budget) {
                return true;
            }
        }
        false
    }

    /// Whether a token follows `segs` from `node`; a variable segment also matches a concrete
    /// value (a segment with a digit) when `concrete` allows.
    fn walk(&self, node: usize, segs: &[String], concrete: bool, budget: &mut u32) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let Some(n) = self.nodes.get(node) else {
            return false;
        };
        let Some((first, rest)) = segs.split_first() else {
            return n.end;
        };
        if let Some(&c) = n.children.get(first.as_str())
            && self.walk(c as usize, rest, concrete, budget)
        {
            return true;
        }
        if concrete && first == VAR {
            for (k, &c) in &n.children {
                if k.as_ref() != VAR
                    && k.bytes().any(|b| b.is_ascii_digit())
                    && self.walk(c as usize, rest, concrete, budget)
                {
                    return true;
                }
                if *budget == 0 {
                    return false;
                }
            }
        }
        false
    }
}

/// The normalised segments of a path (`document`: a token of a document, whose URL scheme and
/// host are dropped): lower case, empty segments dropped, variables as [`VAR`].
pub(super) fn segments(path: &str, document: bool) -> Vec<String> {
    let lower = path.to_ascii_lowercase();
    let mut rest = lower.as_str();
    if let Some(q) = rest.find(['?', '#']) {
        rest = &rest[..q];
    }
    let mut host_port = false;
    if document {
        if let Some(p) = rest.find("://") {
            let after = &rest[p + 3..];
            rest = after.find('/').map_or("", |q| &after[q..]);
        } else if let Some(first) = rest.split('/').next() {
            // `localhost:8080/api/x`
            host_port = first.rsplit_once(':').is_some_and(|(h, p)| {
                !h.is_empty() && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
            });
        }
    }
    let mut out: Vec<String> = rest
        .split('/')
        .skip(usize::from(host_port))
        .filter(|s| !s.is_empty())
        .map(segment)
        .collect();
    if document {
        // Sentence punctuation after a path: "see /api/x."
        if let Some(last) = out.last_mut() {
            let t = last.trim_end_matches(['.', ',', ':', ';']).len();
            last.truncate(t);
            if last.is_empty() {
                out.pop();
            }
        }
    }
    out
}

/// One segment normalised: a whole-segment variable becomes [`VAR`]; variables inside a
/// segment (`file-{id}.pdf`) become `{}` in place.
fn segment(s: &str) -> String {
    static INNER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\$?\{[^{}]*\}|<[^<>]*>").expect("valid regex"));
    if s == "*" || s == "**" {
        return VAR.to_string();
    }
    if let Some(name) = s.strip_prefix(':')
        && !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'?')
    {
        return VAR.to_string();
    }
    // `{id:[0-9]{3}}`-style nested braces: take the whole segment as a variable.
    if s.starts_with('{') && s.ends_with('}') {
        return VAR.to_string();
    }
    if !s.contains(['{', '<']) {
        return s.to_string();
    }
    INNER.replace_all(s, VAR).into_owned()
}
