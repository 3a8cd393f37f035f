//! What a document names: tables, dependencies and build tools, matched against its text.
//!
//! The text is a document's plain text (Chinese and English mixed; a Word table row's cells
//! on one line, separated by tabs). Every match ignores ASCII case. The rules:
//! - A table is named when its unqualified name (quotes, brackets and backticks dropped, the
//!   part after the last `.`) is a whole identifier of the text: a run of `[A-Za-z0-9_$]`, so
//!   any other character (space, punctuation, a Chinese character: "t_patient表") bounds it. A
//!   name with other characters (a Chinese table name) is named when it occurs at all, bounded
//!   the same way where it starts or ends with an identifier character.
//! - A dependency is named by one of its [`dependency_names`], bounded by characters that
//!   cannot continue a package name (see [`bounded_name`]). The version a document gives for
//!   it is the first version (`5.3.20`, `v1.9.1`, `2.0.0-SNAPSHOT`: digits with at least one
//!   dot) after the name on its line, before the next dependency named there; on a table row
//!   (a line with a tab) with none after, the last one before the name. It differs when its
//!   numbers differ from the declared version's (see [`version_core`]); a declared version
//!   that is not a plain version (`${…}` unresolved, `latest`, a URL) never differs. Only the
//!   first [`MAX_VERSION_LOOKS`] mentions of a name are read for a version, each at most
//!   [`LINE_REACH`] bytes either side.
//! - A build tool is named by its name or an alias as a word (see [`bounded_word`]: "go" is
//!   not in "google" nor in "category"; "jdk1.8" names the JDK). Its pinned version is given
//!   when a version near one of its mentions (on its line, at most [`NEAR`] bytes either side,
//!   and at least [`NEAR_AFTER`] bytes after it; the first [`MAX_VERSION_LOOKS`] mentions) covers
//!   it (see [`version_covers`]).

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use std::sync::LazyLock;

use super::buildtools::{BuildTool, version_in};
use super::depfiles::Declared;
use super::depfiles::extract::pep503;

/// The longest identifier of a document kept for table matching, in bytes; longer runs
/// (encoded blobs) are not table names, and a longer table name is searched as text.
const MAX_IDENTIFIER: usize = 256;

/// How far from a build tool's mention, on its line, a version may be, in bytes.
pub const NEAR: usize = 200;

/// How far after a build tool's mention a version may be whatever the lines, in bytes (a Word
/// table cell may hold the version below the name).
pub const NEAR_AFTER: usize = 80;

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// The identifiers of `text` (runs of `[A-Za-z0-9_$]` not starting with a digit, as SQL
/// names do not; lower-cased), as the set of their
/// 64-bit [`Fingerprint`]s: one pass, no allocation per identifier. Two different identifiers
/// share a fingerprint with a chance of about n²/2⁶⁵ for n distinct identifiers, negligible.
fn identifiers(text: &[u8]) -> HashSet<u64, BuildHasherDefault<Prehashed>> {
    let mut set: HashSet<u64, BuildHasherDefault<Prehashed>> = HashSet::default();
    let mut print = Fingerprint::new();
    let mut len = 0usize;
    let mut numeric = false;
    for &b in text {
        // One table look-up per byte: the lower-cased identifier byte, or 0.
        let folded = IDENT_LOWER[usize::from(b)];
        if folded != 0 {
            if len == 0 {
                numeric = folded.is_ascii_digit();
            }
            print.0 = (print.0 ^ u64::from(folded)).wrapping_mul(FNV_PRIME);
            len += 1;
        } else if len > 0 {
            if len <= MAX_IDENTIFIER && !numeric {
                set.insert(print.finish());
            }
            print = Fingerprint::new();
            len = 0;
        }
    }
    if len > 0 && len <= MAX_IDENTIFIER && !numeric {
        set.insert(print.finish());
    }
    set
}

const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// Each byte lower-cased when it is an identifier byte (`[A-Za-z0-9_$]`), else 0.
static IDENT_LOWER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        #[allow(clippy::cast_possible_truncation)]
        let b = i as u8;
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' {
            t[i] = b.to_ascii_lowercase();
        }
        i += 1;
    }
    t
};

/// FNV-1a over the ASCII-lower-cased bytes of an identifier, with MurmurHash3's 64-bit
/// finaliser so that every bit of the result depends on every byte.
struct Fingerprint(u64);

impl Fingerprint {
    fn new() -> Fingerprint {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }

    fn push(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(FNV_PRIME);
    }

    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }

    fn of(bytes: &[u8]) -> u64 {
        let mut f = Fingerprint::new();
        for &b in bytes {
            f.push(b);
        }
        f.finish()
    }
}

/// A hasher for keys that are already well-mixed 64-bit hashes: it passes them through.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A table name without quotes and brackets, its last `.`-separated part, lower case.
fn unqualified(name: &str) -> String {
    let bare: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | '"' | '`'))
        .collect();
    let last = bare.rsplit('.').next().unwrap_or(&bare).trim();
    last.to_ascii_lowercase()
}

/// For each of the table `names` ("t_patient", "dbo.t_patient"), whether `text` names it.
pub fn tables(names: &[String], text: &str) -> Vec<bool> {
    let set = identifiers(text.as_bytes());
    let mut lower: Option<String> = None;
    names
        .iter()
        .map(|name| {
            let key = unqualified(name);
            if key.is_empty() {
                return false;
            }
            if key.len() <= MAX_IDENTIFIER
                && key.bytes().all(is_ident)
                && !key.starts_with(|c: char| c.is_ascii_digit())
            {
                return set.contains(&Fingerprint::of(key.as_bytes()));
            }
            let hay = lower.get_or_insert_with(|| text.to_ascii_lowercase());
            find_bounded(hay.as_bytes(), key.as_bytes())
        })
        .collect()
}

/// Whether `needle` occurs in `hay` without an identifier character continuing it where it
/// starts or ends with one.
fn find_bounded(hay: &[u8], needle: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (needle.first(), needle.last()) else {
        return false;
    };
    memchr::memmem::find_iter(hay, needle).any(|at| {
        let before = at.checked_sub(1).and_then(|i| hay.get(i)).copied();
        let after = hay.get(at + needle.len()).copied();
        !(is_ident(first) && before.is_some_and(is_ident)
            || is_ident(last) && after.is_some_and(is_ident))
    })
}

/// How a document names one declared dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyMention {
    /// The document names it.
    pub named: bool,
    /// The version the document gives beside the name, when it differs from every declared one.
    pub other_version: Option<String>,
}

/// The names that name a dependency in a document: Maven `groupId:artifactId` and the
/// artifactId; a NuGet id or an npm name (a scoped one in full, `@vue/cli`); a PyPI name as
/// declared and in its PEP 503 form with `-`, `_` or `.` between words; a Go module path and
/// its last element (the one before a major-version suffix `/v2`), unless that is a version.
pub fn dependency_names(dep: &Declared) -> Vec<String> {
    let mut out = vec![dep.name.clone()];
    match dep.ecosystem.as_str() {
        "maven" => {
            if let Some((_, artifact)) = dep.name.split_once(':') {
                out.push(artifact.to_owned());
            }
        }
        "pypi" => {
            let norm = pep503(&dep.name);
            out.push(norm.replace('-', "_"));
            out.push(norm.replace('-', "."));
            out.push(norm);
        }
        "go" => {
            let mut parts = dep.name.rsplit('/');
            let is_major = |p: &str| {
                p.strip_prefix('v')
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            };
            let last = parts
                .next()
                .filter(|p| !is_major(p))
                .or_else(|| parts.next());
            if let Some(last) = last.filter(|p| !p.is_empty() && !is_major(p)) {
                out.push(last.to_owned());
            }
        }
        _ => {}
    }
    let mut seen = HashSet::new();
    out.retain(|n| !n.is_empty() && seen.insert(n.to_ascii_lowercase()));
    out
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Whether the package name at `start..end` of `hay` stands alone: no name character (letter,
/// digit, `_`, `-`, `.`, or `@`) before it, and none after it but a `.` that ends a sentence
/// (not followed by a letter or digit).
pub fn bounded_name(hay: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).and_then(|i| hay.get(i)).copied();
    if before.is_some_and(|b| name_byte(b) || b == b'@') {
        return false;
    }
    match hay.get(end) {
        Some(b'.') => !hay.get(end + 1).is_some_and(u8::is_ascii_alphanumeric),
        Some(&b) => !name_byte(b),
        None => true,
    }
}

/// For each of `deps`, how `text` names it.
pub fn dependencies(deps: &[Declared], text: &str) -> Vec<DependencyMention> {
    let mut patterns: Vec<String> = Vec::new();
    let mut owner: Vec<usize> = Vec::new();
    for (i, d) in deps.iter().enumerate() {
        for n in dependency_names(d) {
            patterns.push(n);
            owner.push(i);
        }
    }
    let mut out = vec![
        DependencyMention {
            named: false,
            other_version: None,
        };
        deps.len()
    ];
    let Some(ac) = matcher(&patterns) else {
        return out;
    };
    let hay = text.as_bytes();
    // Every bounded mention, (start, end, dependency), in text order.
    let mut hits: Vec<(usize, usize, usize)> = ac
        .find_overlapping_iter(hay)
        .filter(|m| bounded_name(hay, m.start(), m.end()))
        .map(|m| (m.start(), m.end(), owner[m.pattern().as_usize()]))
        .collect();
    hits.sort_unstable();
    let mut agrees = vec![false; deps.len()];
    let mut looked = vec![0usize; deps.len()];
    for (k, &(_, _, d)) in hits.iter().enumerate() {
        out[d].named = true;
        if agrees[d] || looked[d] >= MAX_VERSION_LOOKS {
            continue;
        }
        looked[d] += 1;
        let Some(given) = version_beside(text, &hits, k) else {
            continue;
        };
        let Some(declared) = deps[d].version.as_deref().and_then(version_core) else {
            agrees[d] = true; // no plain declared version: never different
            continue;
        };
        if version_core(&given).is_some_and(|g| g == declared) {
            agrees[d] = true;
        } else if out[d].other_version.is_none() {
            out[d].other_version = Some(given);
        }
    }
    for (m, agree) in out.iter_mut().zip(agrees) {
        if agree {
            m.other_version = None;
        }
    }
    out
}

/// An ASCII-case-insensitive matcher of every pattern, overlapping; `None` when there are none.
fn matcher(patterns: &[String]) -> Option<AhoCorasick> {
    if patterns.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(patterns)
        .ok()
}

static VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|[^0-9A-Za-z._])(v?\d+(?:\.\d+)+(?:[-.](?:snapshot|release|final|ga|sp\d*|m\d+|rc\.?\d*|cr\d*|alpha\.?\d*|beta\.?\d*))?)(?:[^0-9]|$)",
    )
    .expect("valid")
});

/// The versions written in `s`, in order.
fn versions(s: &str) -> Vec<String> {
    VERSION
        .captures_iter(s)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str().to_owned())
        .collect()
}

/// The version the text gives beside the `k`th mention of `hits` (see the module's rules).
fn version_beside(text: &str, hits: &[(usize, usize, usize)], k: usize) -> Option<String> {
    let (start, end, d) = hits[k];
    let (line_start, line_end) = line_around(text, start, end, LINE_REACH);
    let after_end = hits[k + 1..]
        .iter()
        .take_while(|&&(s, _, _)| s < line_end)
        .find(|&&(s, _, o)| o != d && s >= end)
        .map_or(line_end, |&(s, _, _)| s);
    if let Some(v) = text
        .get(end..after_end)
        .and_then(|s| VERSION.captures(s))
        .and_then(|c| c.get(1))
    {
        return Some(v.as_str().to_owned());
    }
    if !text.get(line_start..line_end)?.contains('\t') {
        return None;
    }
    let before_start = hits[..k]
        .iter()
        .rev()
        .take_while(|&&(s, _, _)| s >= line_start)
        .filter(|&&(_, e, o)| o != d && e <= start)
        .map(|&(_, e, _)| e)
        .max()
        .unwrap_or(line_start);
    text.get(before_start..start)
        .and_then(|s| versions(s).into_iter().last())
}

/// How many mentions of one dependency, or of one build tool, are read for a version: the
/// first ones, so that a name written a hundred thousand times costs no more than this.
pub const MAX_VERSION_LOOKS: usize = 1000;

/// How far from a dependency's mention its line is read for a version, in bytes: a text
/// with very long lines (a paragraph, a one-line export) costs at most this much per mention.
pub const LINE_REACH: usize = 512;

/// The line of `text` around `start..end` (char boundaries), at most `reach` bytes either
/// side, as char-boundary byte offsets.
fn line_around(text: &str, start: usize, end: usize, reach: usize) -> (usize, usize) {
    let hay = text.as_bytes();
    let mut lo = start.saturating_sub(reach);
    while !text.is_char_boundary(lo) {
        lo += 1;
    }
    let mut hi = end.saturating_add(reach).min(hay.len());
    while !text.is_char_boundary(hi) {
        hi -= 1;
    }
    let from = hay
        .get(lo..start)
        .and_then(|h| memchr::memrchr(b'\n', h))
        .map_or(lo, |i| lo + i + 1);
    let to = hay
        .get(end..hi)
        .and_then(|h| memchr::memchr(b'\n', h))
        .map_or(hi, |i| end + i);
    (from, to)
}

/// The numbers of a version: what follows the operators and prefixes `^ ~ = > < v [ (` and
/// spaces, as dot-separated numbers up to the first other character, trailing zero
/// components dropped (`^1.2.0` → `[1, 2]`, `5.3.20.RELEASE` → `[5, 3, 20]`). `None` when it
/// does not then start with a digit (`${spring.version}`, `latest`, `workspace:*`).
pub fn version_core(v: &str) -> Option<Vec<u64>> {
    let v = v.trim_start_matches(|c: char| {
        matches!(c, '^' | '~' | '=' | '>' | '<' | 'v' | 'V' | '[' | '(') || c.is_whitespace()
    });
    if !v.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut parts: Vec<u64> = Vec::new();
    for p in v.split('.') {
        let digits = p.bytes().take_while(u8::is_ascii_digit).count();
        let Ok(n) = p[..digits].parse::<u64>() else {
            break;
        };
        parts.push(n);
        if digits < p.len() {
            break;
        }
    }
    while parts.len() > 1 && parts.last() == Some(&0) {
        parts.pop();
    }
    Some(parts)
}

/// How a document names one build tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolMention {
    /// The document names the tool (or one of its aliases).
    pub named: bool,
    /// The tool's pinned version is in the document too (`true` when none is pinned).
    pub version_named: bool,
}

/// Whether the word at `start..end` of `hay` stands alone: where it starts with a letter or
/// digit, no letter, digit or `_` before it; where it ends with one, no letter or `_` after it
/// (a digit may follow: "jdk8", "go1.21", "python3"), and for a word of at most 3 bytes
/// ("go", "npm") no `-` and a letter after it either ("go-redis").
pub fn bounded_word(hay: &[u8], start: usize, end: usize) -> bool {
    let word = hay.get(start..end).unwrap_or_default();
    let (Some(&first), Some(&last)) = (word.first(), word.last()) else {
        return false;
    };
    let before = start.checked_sub(1).and_then(|i| hay.get(i)).copied();
    if first.is_ascii_alphanumeric()
        && before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return false;
    }
    if !last.is_ascii_alphanumeric() {
        return true;
    }
    match hay.get(end).copied() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' => false,
        Some(b'-') if word.len() <= 3 => !hay.get(end + 1).is_some_and(u8::is_ascii_alphabetic),
        _ => true,
    }
}

/// A version's numbers as the tool `name` counts them: for the JDK, `1.x` is `x` (Java 8 is
/// 1.8); trailing zero components dropped.
fn tool_version(name: &str, v: &str) -> Option<Vec<u64>> {
    let mut parts: Vec<u64> = version_in(v)?
        .split('.')
        .filter_map(|p| p.parse().ok())
        .collect();
    if name == "JDK" && parts.len() > 1 && parts[0] == 1 {
        parts.remove(0);
    }
    while parts.len() > 1 && parts.last() == Some(&0) {
        parts.pop();
    }
    (!parts.is_empty()).then_some(parts)
}

/// Whether a version a document gives (`given`, numbers) covers the `pinned` one of tool
/// `name`: one is a prefix of the other, component by component ("3.9" covers 3.9.6; "17.0.2"
/// covers 17), and the given one has at least two components when the pinned one has, except
/// for the tools whose releases go by their major number (JDK, Node.js, .NET SDK: "JDK 8",
/// "Node 18", ".NET 6").
pub fn version_covers(name: &str, given: &[u64], pinned: &[u64]) -> bool {
    let n = given.len().min(pinned.len());
    if n == 0 || given[..n] != pinned[..n] {
        return false;
    }
    let major_only = matches!(name, "JDK" | "Node.js" | ".NET SDK");
    major_only || given.len() >= pinned.len().min(2)
}

/// The versions (runs of digits and dots starting at a digit, not inside a longer number)
/// written in `bytes`.
fn numbers(bytes: &[u8]) -> impl Iterator<Item = &str> {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let starts = bytes[i].is_ascii_digit()
                && (i == 0 || !(bytes[i - 1].is_ascii_digit() || bytes[i - 1] == b'.'));
            if !starts {
                i += 1;
                continue;
            }
            let s = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            // ASCII digits and dots: always valid UTF-8.
            return std::str::from_utf8(&bytes[s..i]).ok();
        }
        None
    })
}

/// For each of `tools`, how `text` names it.
pub fn build_tools(tools: &[BuildTool], text: &str) -> Vec<ToolMention> {
    let hay = text.as_bytes();
    tools
        .iter()
        .map(|tool| {
            let mut words: Vec<String> = vec![tool.name.to_ascii_lowercase()];
            words.extend(tool.aliases.iter().map(|a| a.to_ascii_lowercase()));
            let mut seen = HashSet::new();
            words.retain(|w| !w.is_empty() && seen.insert(w.clone()));
            let mentions: Vec<(usize, usize)> = matcher(&words)
                .map(|ac| {
                    ac.find_overlapping_iter(hay)
                        .filter(|m| bounded_word(hay, m.start(), m.end()))
                        .map(|m| (m.start(), m.end()))
                        .collect()
                })
                .unwrap_or_default();
            let pinned = tool
                .version
                .as_deref()
                .and_then(|v| tool_version(&tool.name, v));
            let version_named = match pinned {
                None => true,
                Some(pinned) => mentions.iter().take(MAX_VERSION_LOOKS).any(|&(s, e)| {
                    numbers(near(text, s, e))
                        .filter_map(|v| tool_version(&tool.name, v))
                        .any(|given| version_covers(&tool.name, &given, &pinned))
                }),
            };
            ToolMention {
                named: !mentions.is_empty(),
                version_named,
            }
        })
        .collect()
}

/// The bytes near a mention at `start..end`: its line, at most [`NEAR`] bytes either side,
/// and at least [`NEAR_AFTER`] bytes after it.
fn near(text: &str, start: usize, end: usize) -> &[u8] {
    let (from, to_line) = line_around(text, start, end, NEAR);
    let to = to_line.max((end + NEAR_AFTER).min(text.len()));
    text.as_bytes().get(from..to).unwrap_or_default()
}

#[cfg(test)]
mod tests;
