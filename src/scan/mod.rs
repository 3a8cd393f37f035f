//! The technical-barrier scan (技术壁垒扫描): encryption, encoders, obfuscation, compiled code
//! without source, hard-coded credentials and backdoor patterns.
//!
//! Files are scanned as the inventory hashes them (one read per file): the inventory hands each
//! file's bytes to a `FileScan` (`inspect.rs`), which keeps a byte histogram, the head and tail,
//! and the text of text files; line rules (`lines.rs`) run when the file ends. Findings that need
//! the whole tree (compiled files and their sources, nested archives, minified bundles) come
//! from `finish` (`post.rs`).
//!
//! Layout: `config.rs` owns the manifest's `[scan]`, `[[rule]]` and `[[allow]]` sections and
//! their validation; `rules.rs` the line rules; `detect/` one file per detector (encryption,
//! encoders, obfuscation, binaries, secrets, backdoors); `facts.rs` what the tree-wide pass
//! learns from each file; `containers.rs` archives inside the delivery. The scan imports the
//! delivery (below it) and the leaves, never the manifest (above it).

pub mod codes;
pub mod config;
mod containers;
mod detect;
mod facts;
mod inspect;
mod lines;
mod post;
pub mod rules;
mod sniff;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aho_corasick::AhoCorasick;
use globset::{Candidate, GlobSet};
use serde::{Deserialize, Serialize};

use crate::delivery::Delivery;
use crate::finding::{self, Finding, Severity};
pub use config::{Allow, Allowed, STRUCTURAL_RULES, ScanConfig};
use facts::FileFacts;
pub use inspect::TEXT_LIMIT;
use lines::KeywordFilter;
pub use rules::{LineRule, LineRuleSpec};

/// Path components of folders that hold third-party code by convention.
pub const THIRD_PARTY_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    "vendor",
    "vendors",
    "third_party",
    "third-party",
    "thirdparty",
    "3rdparty",
    "site-packages",
    "dist-packages",
    ".m2",
    ".gradle",
    ".nuget",
    "packages",
];

/// What the scan looked at, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSummary {
    /// Files whose content was scanned.
    pub files: u64,
    /// Bytes of those files.
    pub bytes: u64,
    /// Text files scanned line by line.
    pub text_files: u64,
    /// Text files longer than the scan limit: only their first part was scanned.
    pub truncated: u64,
    /// Files under vendored or conventional third-party folders: not scanned for credentials,
    /// backdoors or obfuscation.
    pub third_party_files: u64,
    /// Rules in force (built-in and from the manifest).
    pub rules: u64,
}

/// What the scan of one file found, kept until the tree-wide pass.
struct FileResult {
    path: Vec<u8>,
    size: u64,
    findings: Vec<Finding>,
    facts: FileFacts,
}

/// The scanner: compiled rules, and what the per-file scans found so far.
pub struct Scanner {
    rules: Vec<LineRule>,
    /// Keyword filters, one per set of rules that apply to a file (which depends on its path).
    filters: Mutex<HashMap<Vec<bool>, Arc<KeywordFilter>>>,
    /// Indexes of the rules that find credentials: their secrets are redacted in any evidence.
    credential_rules: Vec<usize>,
    /// The .NET obfuscator markers.
    markers: AhoCorasick,
    /// Every rule's `paths` globs in one set, matched once per file; `glob_rule[i]` is the
    /// rule of glob `i`.
    rule_paths: GlobSet,
    glob_rule: Vec<usize>,
    vendored: GlobSet,
    results: Mutex<Vec<FileResult>>,
    files: AtomicU64,
    bytes: AtomicU64,
    text_files: AtomicU64,
    truncated: AtomicU64,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scanner({} rules)", self.rules.len())
    }
}

impl Scanner {
    /// The scanner for the scan's configuration, or `None` when `[scan] enabled = false`.
    ///
    /// # Panics
    /// When the configuration's rules do not compile: [`config::validate_scan`] compiled them
    /// when the manifest was loaded, so a validated configuration never panics.
    pub fn for_config(config: &ScanConfig) -> Option<Arc<Scanner>> {
        if !config.enabled {
            return None;
        }
        Some(Arc::new(
            Scanner::new(config).expect("rules validated with the manifest"),
        ))
    }

    /// A scanner for a configuration's rules (whether or not the scan is enabled). Errors: a
    /// rule that does not compile, with what is wrong with it.
    pub fn new(config: &ScanConfig) -> Result<Scanner, String> {
        let rules = rules::effective(&config.rules)?;
        let markers = AhoCorasick::new(detect::obfuscation::DOTNET_MARKERS.iter().map(|m| m.0))
            .map_err(|e| format!("cannot build the marker filter: {e}"))?;
        let credential_rules = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.code == "credential-hardcoded")
            .map(|(i, _)| i)
            .collect();
        let mut builder = globset::GlobSetBuilder::new();
        let mut glob_rule = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.paths.is_none() {
                continue;
            }
            for g in &r.path_globs {
                let glob = rules::path_glob(g)
                    .map_err(|e| format!("rule {:?}: bad path glob {g:?}: {e}", r.id))?;
                builder.add(glob);
                glob_rule.push(i);
            }
        }
        let rule_paths = builder
            .build()
            .map_err(|e| format!("cannot build the rules' path globs: {e}"))?;
        Ok(Scanner {
            rule_paths,
            glob_rule,
            rules,
            filters: Mutex::new(HashMap::new()),
            credential_rules,
            markers,
            vendored: config.vendored_set.clone(),
            results: Mutex::new(Vec::new()),
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            text_files: AtomicU64::new(0),
            truncated: AtomicU64::new(0),
        })
    }

    /// Whether a path is third-party code: under a `vendored` glob or a conventional folder.
    pub fn is_third_party(&self, path: &[u8]) -> bool {
        let p = std::path::Path::new(
            <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(path),
        );
        if self.vendored.is_match_candidate(&Candidate::new(p)) {
            return true;
        }
        conventional_third_party(path)
    }

    /// The tree-wide pass: call once the inventory is complete. Returns every scan finding.
    pub fn finish(&self, delivery: &Delivery) -> (Vec<Finding>, ScanSummary) {
        let mut results = std::mem::take(&mut *self.results.lock().expect("scan results"));
        results.sort_by(|a, b| a.path.cmp(&b.path));
        let mut findings: Vec<Finding> = Vec::new();
        let mut facts: BTreeMap<Vec<u8>, (u64, FileFacts)> = BTreeMap::new();
        let mut third_party = 0;
        for r in results {
            if self.is_third_party(&r.path) {
                third_party += 1;
            }
            findings.extend(r.findings);
            facts.insert(r.path, (r.size, r.facts));
        }
        let obscured: std::collections::BTreeSet<String> = findings
            .iter()
            .filter(|f| matches!(f.code.as_str(), "source-obfuscated" | "source-encoded"))
            .filter_map(|f| f.path.clone())
            .collect();
        let tree_wide = post::run(self, delivery, &facts, &obscured, &mut findings);
        findings.extend(tree_wide);
        lfs_pointers(&mut findings, delivery);
        let mut findings = one_per_binary(one_per_secret(findings), delivery);
        test_credentials(&mut findings);
        let summary = ScanSummary {
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            text_files: self.text_files.load(Ordering::Relaxed),
            truncated: self.truncated.load(Ordering::Relaxed),
            third_party_files: third_party,
            rules: self.rules.len() as u64,
        };
        (findings, summary)
    }
}

/// The credential findings of one secret (same code and fingerprint, whichever rule) made into one
/// finding that lists every place it was found (`locations`, in path order; `path` and `line`
/// name the first). An `[[allow]]` entry must cover every file of it. Other findings pass
/// unchanged, in order.
fn one_per_secret(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut first: HashMap<(String, String), usize> = HashMap::new();
    for f in findings {
        let Some(fp) = f.fingerprint.clone() else {
            out.push(f);
            continue;
        };
        // One secret whatever rule found it (a password in a YAML file and in a shell script).
        let key = (f.code.clone(), fp);
        let location = finding::Location {
            path: f.path.clone().unwrap_or_default(),
            line: f.line,
        };
        match first.get(&key) {
            Some(&i) => {
                let g = &mut out[i];
                g.severity = g.severity.max(f.severity);
                // The first line is the redacted match, the same secret; notes after it (lines
                // not listed in that file) are kept, naming their file.
                for note in f.evidence.iter().skip(1) {
                    g.evidence.push(format!("{}: {note}", location.path));
                }
                g.locations.push(location);
            }
            None => {
                first.insert(key, out.len());
                let mut f = f;
                f.locations.push(location);
                out.push(f);
            }
        }
    }
    for f in &mut out {
        if f.locations.len() < 2 {
            f.locations.clear();
            continue;
        }
        f.locations.sort();
        f.locations.dedup();
        let mut files: Vec<String> = f.locations.iter().map(|l| l.path.clone()).collect();
        files.dedup();
        if files.len() > 1 {
            f.covers = files;
        }
        f.path = Some(f.locations[0].path.clone());
        f.line = f.locations[0].line;
    }
    out
}

/// Credentials found only in test code (every place of the secret is a test): listed at info,
/// said as test code. A test's password unlocks nothing deployed; the same secret also in
/// deployed code keeps its severity.
fn test_credentials(findings: &mut [Finding]) {
    for f in findings
        .iter_mut()
        .filter(|f| f.code == "credential-hardcoded")
    {
        let all_tests = if f.locations.is_empty() {
            f.path.as_deref().is_some_and(post::test_code)
        } else {
            f.locations.iter().all(|l| post::test_code(&l.path))
        };
        if all_tests {
            f.severity = f.severity.min(Severity::Info);
            f.message = format!("test code, not deployed: {}", f.message);
            f.message_zh = format!("测试代码（不随系统部署）：{}", f.message_zh);
        }
    }
}

/// Compiled-file findings about copies of one file (the same SHA-256: a vendor library copied
/// into every project's `bin` folder) made into one finding listing every copy in `locations`
/// (`path` names the first). Copies inside archives (`a.jar!/b.jar`) and other findings pass
/// unchanged, in order.
fn one_per_binary(findings: Vec<Finding>, delivery: &Delivery) -> Vec<Finding> {
    const CODES: &[&str] = &[
        "binary-without-source",
        "binary-unattributed",
        "source-obfuscated",
    ];
    let entries = &delivery.inventory.entries;
    let hash_of = |path: &str| -> Option<[u8; 32]> {
        let i = entries
            .binary_search_by(|e| e.path.as_ref().cmp(path.as_bytes()))
            .ok()?;
        entries[i].sha256
    };
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut first: HashMap<(String, Option<String>, Severity, [u8; 32]), usize> = HashMap::new();
    for f in findings {
        let hash = f
            .path
            .as_deref()
            .filter(|p| CODES.contains(&f.code.as_str()) && !p.contains('!'))
            .filter(|_| f.locations.is_empty() && f.line.is_none())
            .and_then(hash_of);
        let Some(hash) = hash else {
            out.push(f);
            continue;
        };
        // A copy among test fixtures (warn) stays apart from the same file delivered as code.
        let key = (f.code.clone(), f.rule.clone(), f.severity, hash);
        let place = finding::Location {
            path: f.path.clone().unwrap_or_default(),
            line: None,
        };
        if let Some(&i) = first.get(&key) {
            let g = &mut out[i];
            g.severity = g.severity.max(f.severity);
            g.locations.push(place);
        } else {
            first.insert(key, out.len());
            let mut f = f;
            f.locations.push(place);
            out.push(f);
        }
    }
    for f in &mut out {
        if f.fingerprint.is_some() || f.line.is_some() {
            continue;
        }
        if f.locations.len() < 2 {
            f.locations.clear();
            continue;
        }
        f.covers = f.locations.iter().map(|l| l.path.clone()).collect();
    }
    out
}

/// Git LFS pointers found by the scan: none when the git ingest already reported them (a git
/// delivery), else one finding standing for them all.
fn lfs_pointers(findings: &mut Vec<Finding>, delivery: &Delivery) {
    const CODE: &str = "git-lfs-pointer";
    let (pointers, rest): (Vec<Finding>, Vec<Finding>) = std::mem::take(findings)
        .into_iter()
        .partition(|f| f.code == CODE && f.rule.as_deref() == Some(CODE));
    *findings = rest;
    if pointers.is_empty() || delivery.notes.iter().any(|f| f.code == CODE) {
        return;
    }
    let paths: Vec<String> = pointers.iter().filter_map(|f| f.path.clone()).collect();
    let n = paths.len();
    let mut f = pointers.into_iter().next().expect("not empty");
    if n > 1 {
        f.message = format!("{n} files are Git LFS pointers: their content was not delivered");
        f.message_zh = format!("{n} 个文件是 Git LFS 指针：其实际内容并未交付");
        f.evidence = paths.iter().take(50).cloned().collect();
        f = f.covers(paths);
    }
    findings.push(f);
}

/// Whether a `/`-separated path lies in a folder that holds third-party code by convention
/// ([`THIRD_PARTY_DIRS`]): `vendor`/`vendors` only within the first three folders (Composer's
/// and Go's; deeper it is a package of the vendor's own), `packages` only when the next folder
/// is a NuGet package (`packages/Name.1.2.3/`).
pub fn conventional_third_party(path: &[u8]) -> bool {
    // Without allocating: the drafter asks this of every file of a delivery.
    let Some(last) = path.iter().rposition(|b| *b == b'/') else {
        return false;
    };
    let mut dirs = path[..last].split(|b| *b == b'/').enumerate().peekable();
    while let Some((i, c)) = dirs.next() {
        let is = |d: &str| c.eq_ignore_ascii_case(d.as_bytes());
        let third_party = if is("vendor") || is("vendors") {
            // Composer's and Go's vendor folder sits near the top; `com/acme/his/vendor`
            // deep in a source tree is a package of the vendor's own.
            i <= 2
        } else if is("packages") {
            // NuGet's `packages/Name.1.2.3/`; a JavaScript monorepo's `packages/his-web/`
            // is the vendor's own code.
            dirs.peek().is_some_and(|(_, n)| nuget_folder(n))
        } else {
            THIRD_PARTY_DIRS.iter().any(|d| is(d))
        };
        if third_party {
            return true;
        }
    }
    false
}

/// A NuGet package folder name: `Newtonsoft.Json.13.0.1`.
pub(super) fn nuget_folder(name: &[u8]) -> bool {
    let s = String::from_utf8_lossy(name);
    let mut parts = s.rsplit('.');
    let last_numeric = parts
        .next()
        .is_some_and(|p| p.starts_with(|c: char| c.is_ascii_digit()));
    last_numeric && s.matches('.').count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_scan_has_no_scanner() {
        let off = ScanConfig {
            enabled: false,
            ..ScanConfig::default()
        };
        assert!(Scanner::for_config(&off).is_none());
        let on = Scanner::for_config(&ScanConfig::default()).expect("enabled by default");
        assert!(on.rules.len() >= 20);
    }

    #[test]
    fn third_party_folders() {
        let s = Scanner::new(&ScanConfig::default()).unwrap();
        assert!(s.is_third_party(b"web/node_modules/x/index.js"));
        assert!(s.is_third_party(b"vendor/a/b.php"));
        assert!(!s.is_third_party(b"src/main/java/com/acme/his/vendor/Order.java"));
        assert!(s.is_third_party(b"packages/Newtonsoft.Json.13.0.1/lib/x.dll"));
        assert!(!s.is_third_party(b"packages/his-web/src/app.js"));
        assert!(!s.is_third_party(b"packages/Newtonsoft.Json.13.0.1"));
        assert!(!s.is_third_party(b"node_modules"));
    }
}
