//! The technical-barrier scan (技术壁垒扫描): encryption, encoders, obfuscation, compiled code
//! without source, hard-coded credentials and backdoor patterns.
//!
//! Files are scanned as the inventory hashes them (one read per file): the inventory hands each
//! file's bytes to a `FileScan`, which keeps a byte histogram, the head and tail, and the text
//! of text files; line rules run when the file ends. Findings that need the whole tree
//! (compiled files and their sources, nested archives, minified bundles) come from `finish`.

pub mod codes;
mod containers;
mod post;
pub mod rules;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};
use globset::{Candidate, GlobSet};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::delivery::inventory::{Inspection, Inspector};
use crate::delivery::{Delivery, names};
use crate::finding::Finding;
use crate::manifest::Manifest;
pub use rules::{Rule, RuleSpec};

/// Text files are scanned up to this many bytes (the hash still covers the whole file).
pub const TEXT_LIMIT: usize = 16 << 20;
/// Compiled files and documents are searched for markers up to this many bytes.
const BINARY_LIMIT: usize = 32 << 20;
/// Bytes kept from the start and the end of every file, for signatures and trailers.
const HEAD: usize = 8 << 10;
const TAIL: usize = 16 << 10;
/// Findings listed per rule and file; the rest are counted in the last one's evidence.
const PER_FILE_LIMIT: u64 = 50;
/// Evidence lines are cut to this many characters.
const EVIDENCE_CHARS: usize = 160;

/// Extensions of text files (besides source code) that are scanned line by line and whose
/// content must not look random.
const TEXT_EXTENSIONS: &[&str] = &[
    "txt",
    "md",
    "markdown",
    "rst",
    "adoc",
    "csv",
    "tsv",
    "xml",
    "xsd",
    "xsl",
    "xslt",
    "wsdl",
    "json",
    "json5",
    "yml",
    "yaml",
    "toml",
    "ini",
    "cfg",
    "conf",
    "config",
    "properties",
    "env",
    "html",
    "htm",
    "xhtml",
    "css",
    "scss",
    "less",
    "ftl",
    "vm",
    "tpl",
    "lic",
    "license",
    "pem",
    "crt",
    "cer",
    "key",
    "pub",
    "asc",
    "sh",
    "gradle",
    "pom",
    "csproj",
    "vbproj",
    "sln",
    "props",
    "targets",
    "resx",
    "settings",
    "manifest",
    "mf",
    "udl",
    "dsn",
    "reg",
    "inf",
    "log",
    "svg",
];

/// Compiled artefacts: looked at for markers and matched against sources after the walk.
const COMPILED_EXTENSIONS: &[&str] = &[
    "class", "jar", "war", "ear", "aar", "apk", "dex", "omod", "dll", "exe", "ocx", "sys", "so",
    "dylib", "a", "o", "obj", "lib", "pyc", "pyo", "pyd", "dcu", "bpl", "pbd", "wasm", "node",
];

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

/// Marker strings .NET obfuscators leave in the assemblies they process.
const DOTNET_MARKERS: &[(&str, &str)] = &[
    ("ConfusedByAttribute", "ConfuserEx"),
    ("ConfuserEx", "ConfuserEx"),
    ("DotfuscatorAttribute", "Dotfuscator"),
    ("SmartAssembly.Attributes", "SmartAssembly"),
    ("PoweredByAttribute", "SmartAssembly"),
    ("Eazfuscator", "Eazfuscator.NET"),
    ("BabelObfuscatorAttribute", "Babel Obfuscator"),
    ("BabelAttribute", "Babel Obfuscator"),
    ("CryptoObfuscator", "Crypto Obfuscator"),
    ("ObfuscatedByGoliath", "Goliath .NET"),
    ("Xenocode.Client", "Xenocode"),
    ("YanoAttribute", "Yano"),
    ("AgileDotNetRT", "Agile.NET"),
    ("NETGuard", ".NETGuard"),
    ("DNGuard", "DNGuard HVM"),
    ("MaxtoCodeAttribute", "MaxtoCode"),
];

/// Rule ids of the detectors that are code, not lines of the rule file: usable in `[[allow]]`.
pub const STRUCTURAL_RULES: &[&str] = &[
    "openssl-salted",
    "age-encrypted",
    "pgp-binary",
    "office-encrypted",
    "pdf-encrypted",
    "random-content",
    "base64-random-content",
    "key-store-file",
    "dotnet-obfuscator",
    "java-name-mangling",
    "minified-without-source",
    "nested-archive",
    "class-without-source",
    "jar-without-source",
    "dotnet-without-source",
    "pyc-without-source",
    "dcu-without-source",
    "pbd-without-source",
    "jar-unattributed",
    "pe-unattributed",
    "native-unattributed",
];

/// The manifest's `[scan]` table and `[[allow]]` entries, validated.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// `enabled = false` switches the scan off (it is on by default).
    pub enabled: bool,
    /// Globs of third-party code (`vendored`), as written and compiled.
    pub vendored: Vec<String>,
    pub vendored_set: GlobSet,
    /// `[[rule]]` entries: additions to and overrides of the built-in rules.
    pub rules: Vec<RuleSpec>,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            enabled: true,
            vendored: Vec::new(),
            vendored_set: GlobSet::empty(),
            rules: Vec::new(),
        }
    }
}

/// An `[[allow]]` entry: silences findings of `code` (and `rule`, when given) under `paths`.
#[derive(Debug, Clone)]
pub struct Allow {
    pub code: String,
    pub rule: Option<String>,
    pub paths: Vec<String>,
    pub matcher: GlobSet,
    pub reason: String,
}

/// An allowance as the report lists it, with how many findings it silenced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowed {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub paths: Vec<String>,
    pub reason: String,
    pub silenced: u64,
}

/// What the scan looked at, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSummary {
    /// Files whose content was scanned, and their bytes.
    pub files: u64,
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

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Magic {
    Unknown,
    Class,
    Pe {
        dotnet: bool,
    },
    Elf,
    MachO,
    Zip,
    SevenZip,
    Rar,
    ArArchive,
    Dex,
    Wasm,
    /// gzip, bzip2, xz, zstd, zlib-looking: compressed, not encrypted.
    Compressed,
    /// Images, audio, video, fonts: compressed media.
    Media,
    /// OLE compound file (old Office, encrypted OOXML).
    Cfb,
    Pdf,
}

/// Facts about one file that the tree-wide pass needs.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub magic: Magic,
    /// `package a.b.c;` of a Java/Kotlin/Scala/Groovy file.
    pub package: Option<String>,
    /// Top-level types a JVM source declares (`class OrderLine` beside `class Order`).
    pub types: Vec<String>,
    /// `namespace A.B` of a C# / VB file; `<AssemblyName>` / `<RootNamespace>` of a project.
    pub namespaces: Vec<String>,
    /// JavaScript / CSS: lines and the longest line, to tell minified bundles.
    pub lines: u64,
    pub longest_line: u64,
    /// The file starts with a licence banner (`/*!`, `@license`): a published library.
    pub banner: bool,
    /// A dependency list's text (pom.xml, package.json, …), to recognise declared libraries.
    pub dependency_text: Option<String>,
}

struct FileResult {
    path: Vec<u8>,
    size: u64,
    findings: Vec<Finding>,
    facts: Facts,
}

/// The scanner: compiled rules, and what the per-file scans found so far.
pub struct Scanner {
    rules: Vec<Rule>,
    /// Keyword filters, one per set of rules that apply to a file (which depends on its path).
    filters: Mutex<HashMap<Vec<bool>, Arc<Filter>>>,
    credential_rules: Vec<usize>,
    markers: AhoCorasick,
    vendored: GlobSet,
    results: Mutex<Vec<FileResult>>,
    files: AtomicU64,
    bytes: AtomicU64,
    text_files: AtomicU64,
    truncated: AtomicU64,
}

/// The keyword pre-filter of a set of rules. Both automata run over a lower-cased copy of the
/// text: case-sensitive automata can use the SIMD prefilter that case-insensitive ones cannot.
struct Filter {
    /// Leftmost-first: finds the next line worth looking at.
    any: AhoCorasick,
    /// Every keyword on that line.
    all: AhoCorasick,
    /// Keyword pattern index → rules it selects.
    rules: Vec<Vec<usize>>,
}

impl Filter {
    fn new(rules: &[Rule], applies: &[bool]) -> Filter {
        let mut words: Vec<&str> = Vec::new();
        let mut selects: Vec<Vec<usize>> = Vec::new();
        for (i, r) in rules.iter().enumerate().filter(|(i, _)| applies[*i]) {
            for k in &r.keywords {
                match words.iter().position(|w| w == k) {
                    Some(p) => selects[p].push(i),
                    None => {
                        words.push(k);
                        selects.push(vec![i]);
                    }
                }
            }
        }
        // A keyword containing another is redundant: the shorter one finds its lines too.
        // Fewer keywords keep the SIMD prefilter in use (it takes at most 64).
        let mut i = 0;
        while i < words.len() {
            if let Some(j) = (0..words.len()).find(|&j| j != i && words[i].contains(words[j])) {
                let moved = selects.remove(i);
                words.remove(i);
                let j = if j > i { j - 1 } else { j };
                for r in moved {
                    if !selects[j].contains(&r) {
                        selects[j].push(r);
                    }
                }
            } else {
                i += 1;
            }
        }
        let build = |kind| {
            AhoCorasickBuilder::new()
                .match_kind(kind)
                .build(&words)
                .expect("keywords are plain strings")
        };
        Filter {
            any: build(MatchKind::LeftmostFirst),
            all: build(MatchKind::Standard),
            rules: selects,
        }
    }
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scanner({} rules)", self.rules.len())
    }
}

impl Scanner {
    /// A scanner for a manifest's rules (validated when the manifest was loaded).
    pub fn new(config: &ScanConfig) -> Result<Scanner, String> {
        let rules = rules::effective(&config.rules)?;
        let markers = AhoCorasick::new(DOTNET_MARKERS.iter().map(|m| m.0))
            .map_err(|e| format!("cannot build the marker filter: {e}"))?;
        let credential_rules = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.code == "credential-hardcoded")
            .map(|(i, _)| i)
            .collect();
        Ok(Scanner {
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

    /// A line with every secret-looking part replaced by `[redacted: N characters, fingerprint
    /// sha256:…]`: what any credential rule would take as its secret (whatever its entropy),
    /// text after a private-key marker, and quoted literals that look like passwords. With
    /// `own`, the line is cut after that span's marker.
    fn redact(&self, line: &[u8], own: Option<(usize, usize)>) -> String {
        let mut spans: Vec<(usize, usize)> = own.into_iter().collect();
        for &ci in &self.credential_rules {
            let r = &self.rules[ci];
            for caps in r.regex.captures_iter(line) {
                if let Some(m) = (r.secret_group.max(1)..caps.len()).find_map(|g| caps.get(g))
                    && !m.is_empty()
                {
                    spans.push((m.start(), m.end()));
                }
            }
        }
        // Long runs of key-like characters mixing letters and digits: tokens, key material.
        for m in token_run().find_iter(line) {
            let t = m.as_bytes();
            if t.iter().any(u8::is_ascii_alphabetic) && t.iter().any(u8::is_ascii_digit) {
                spans.push((m.start(), m.end()));
            }
        }
        for caps in quoted_literal().captures_iter(line) {
            if let Some(m) = caps.get(1).or_else(|| caps.get(2))
                && looks_secret(m.as_bytes())
            {
                spans.push((m.start(), m.end()));
            }
        }
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (a, b) in spans {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let mut out = String::new();
        let mut at = 0;
        for (a, b) in merged {
            out.push_str(&String::from_utf8_lossy(&line[at..a]));
            let secret = &line[a..b];
            out.push_str(&format!(
                "[redacted: {} characters, fingerprint sha256:{}]",
                secret.chars_count(),
                &crate::manifest::hex(&Sha256::digest(secret))[..8]
            ));
            at = b;
            if own.is_some_and(|(oa, ob)| a <= oa && ob <= b) {
                return out;
            }
        }
        out.push_str(&String::from_utf8_lossy(&line[at..]));
        out
    }

    /// Whether a path is third-party code: under a `vendored` glob or a conventional folder.
    pub fn is_third_party(&self, path: &[u8]) -> bool {
        let p = std::path::Path::new(
            <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(path),
        );
        if self.vendored.is_match_candidate(&Candidate::new(p)) {
            return true;
        }
        let comps: Vec<&[u8]> = path.split(|b| *b == b'/').collect();
        let dirs = &comps[..comps.len().saturating_sub(1)];
        dirs.iter().enumerate().any(|(i, c)| {
            let is = |d: &str| c.eq_ignore_ascii_case(d.as_bytes());
            if is("vendor") || is("vendors") {
                // Composer's and Go's vendor folder sits near the top; `com/acme/his/vendor`
                // deep in a source tree is a package of the vendor's own.
                i <= 2
            } else if is("packages") {
                // NuGet's `packages/Name.1.2.3/`; a JavaScript monorepo's `packages/his-web/`
                // is the vendor's own code.
                dirs.get(i + 1).is_some_and(|n| nuget_folder(n))
            } else {
                THIRD_PARTY_DIRS.iter().any(|d| is(d))
            }
        })
    }

    /// The tree-wide pass: call once the inventory is complete. Returns every scan finding.
    pub fn finish(&self, delivery: &Delivery) -> (Vec<Finding>, ScanSummary) {
        let mut results = std::mem::take(&mut *self.results.lock().expect("scan results"));
        results.sort_by(|a, b| a.path.cmp(&b.path));
        let mut findings: Vec<Finding> = Vec::new();
        let mut facts: BTreeMap<Vec<u8>, (u64, Facts)> = BTreeMap::new();
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
        findings.extend(post::run(self, delivery, &facts, &obscured));
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

impl Inspector for Scanner {
    fn start(&self, path: &[u8], size: u64) -> Option<Box<dyn Inspection + '_>> {
        let ext = names::extension(path).map(|e| e.to_ascii_lowercase());
        let ext = ext.as_deref().unwrap_or("");
        let declared_text = TEXT_EXTENSIONS.contains(&ext)
            || crate::manifest::DEFAULT_SOURCE_EXTENSIONS.contains(&ext);
        let compiled = COMPILED_EXTENSIONS.contains(&ext);
        Some(Box::new(FileScan {
            scanner: self,
            path: path.to_vec(),
            size,
            ext: ext.to_owned(),
            declared_text,
            compiled,
            histogram: [0; 256],
            counted: 0,
            plainly_not_random: false,
            seen: 0,
            head: Vec::with_capacity(HEAD.min(usize::try_from(size).unwrap_or(HEAD))),
            tail: Vec::new(),
            body: Vec::new(),
            body_limit: if compiled { BINARY_LIMIT } else { TEXT_LIMIT },
            keep_body: None,
        }))
    }
}

/// One file being read.
struct FileScan<'a> {
    scanner: &'a Scanner,
    path: Vec<u8>,
    size: u64,
    ext: String,
    declared_text: bool,
    compiled: bool,
    /// Byte counts, for the randomness test: of the whole file unless its head already shows
    /// it is not random (then counting stops).
    histogram: [u64; 256],
    counted: u64,
    plainly_not_random: bool,
    seen: u64,
    head: Vec<u8>,
    tail: Vec<u8>,
    /// The content, up to `body_limit`, for files whose content is searched.
    body: Vec<u8>,
    body_limit: usize,
    /// Decided once the head is known: whether the body is kept.
    keep_body: Option<bool>,
}

impl Inspection for FileScan<'_> {
    fn update(&mut self, mut data: &[u8]) {
        if !self.plainly_not_random {
            let mut rest = data;
            if self.counted < HEAD as u64 {
                let take = (HEAD - usize::try_from(self.counted).unwrap_or(HEAD)).min(data.len());
                self.count(&data[..take]);
                rest = &data[take..];
                if self.counted >= HEAD as u64 {
                    // Random data has about 8 bits per byte in any 8 KiB; text has 4 to 5.
                    let (entropy, _) = randomness(&self.histogram, self.counted);
                    self.plainly_not_random = entropy < 6.0;
                }
            }
            if !self.plainly_not_random {
                self.count(rest);
            }
        }
        self.seen += data.len() as u64;
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(data.len());
            self.head.extend_from_slice(&data[..take]);
        }
        if self.keep_body.is_none() && (self.head.len() >= HEAD || self.seen >= self.size) {
            self.keep_body = Some(self.wants_body());
        }
        if self.keep_body != Some(false) && self.body.len() < self.body_limit {
            let take = (self.body_limit - self.body.len()).min(data.len());
            if self.body.capacity() == 0 {
                self.body.reserve(
                    usize::try_from(self.size)
                        .unwrap_or(self.body_limit)
                        .min(self.body_limit),
                );
            }
            self.body.extend_from_slice(&data[..take]);
        }
        // Keep the last TAIL bytes.
        if data.len() >= TAIL {
            data = &data[data.len() - TAIL..];
            self.tail.clear();
        } else if self.tail.len() + data.len() > TAIL {
            let drop = self.tail.len() + data.len() - TAIL;
            self.tail.drain(..drop);
        }
        self.tail.extend_from_slice(data);
    }

    fn finish(mut self: Box<Self>) {
        if self.keep_body.is_none() {
            self.keep_body = Some(self.wants_body());
        }
        if self.keep_body == Some(false) {
            self.body = Vec::new();
        }
        let s = self.scanner;
        s.files.fetch_add(1, Ordering::Relaxed);
        s.bytes.fetch_add(self.seen, Ordering::Relaxed);
        let result = self.analyse();
        s.results.lock().expect("scan results").push(result);
    }
}

impl FileScan<'_> {
    fn count(&mut self, data: &[u8]) {
        for &b in data {
            self.histogram[usize::from(b)] += 1;
        }
        self.counted += data.len() as u64;
    }

    fn magic(&self) -> Magic {
        magic_of(&self.head)
    }

    fn is_text(&self) -> bool {
        if self.compiled {
            return false;
        }
        let m = self.magic();
        if !matches!(m, Magic::Unknown) {
            return false;
        }
        self.declared_text || !self.head.contains(&0)
    }

    fn wants_body(&self) -> bool {
        self.is_text() || self.compiled || matches!(self.magic(), Magic::Pe { .. } | Magic::Cfb)
    }

    fn display(&self) -> String {
        names::display(&self.path)
    }

    fn analyse(&mut self) -> FileResult {
        let mut magic = self.magic();
        if let Magic::Pe { .. } = magic {
            // The CLI metadata root signature marks a .NET assembly.
            magic = Magic::Pe {
                dotnet: contains(&self.body, b"BSJB"),
            };
        }
        let third_party = self.scanner.is_third_party(&self.path);
        let mut findings = Vec::new();
        let mut facts = Facts {
            magic,
            package: None,
            types: Vec::new(),
            namespaces: Vec::new(),
            lines: 0,
            longest_line: 0,
            banner: false,
            dependency_text: None,
        };
        let der =
            self.head.len() > 2 && self.head[0] == 0x30 && (0x80..=0x84).contains(&self.head[1]);
        if let Some(f) = self.key_store(der, third_party) {
            findings.push(f);
        } else if let Some(f) = self.encrypted_content(magic) {
            findings.push(f);
        }
        if let Magic::Pe { dotnet: true } = magic
            && !third_party
            && let Some(f) = self.dotnet_markers()
        {
            findings.push(f);
        }
        if self.is_text() && !self.body.is_empty() {
            let s = self.scanner;
            s.text_files.fetch_add(1, Ordering::Relaxed);
            if self.seen > self.body.len() as u64 {
                s.truncated.fetch_add(1, Ordering::Relaxed);
            }
            findings.extend(self.line_rules(third_party));
            self.text_facts(&mut facts);
        }
        FileResult {
            path: std::mem::take(&mut self.path),
            size: self.seen,
            findings,
            facts,
        }
    }

    /// `credential-hardcoded`: a binary key store or DER private key file.
    fn key_store(&self, der: bool, third_party: bool) -> Option<Finding> {
        let store = matches!(
            self.ext.as_str(),
            "p12" | "pfx" | "jks" | "jceks" | "keystore" | "bks"
        );
        let der_key = der && matches!(self.ext.as_str(), "key" | "pk8");
        if third_party || !(store || der_key) || self.seen == 0 {
            return None;
        }
        Some(
            Finding::new(
                "credential-hardcoded",
                "key store or private key file in the delivery: hand it over with its password and rotate it before go-live",
                "交付物中有密钥库或私钥文件：应连同其口令移交，并在上线前更换",
            )
            .path(self.display())
            .rule("key-store-file")
            .evidence(vec![format!(
                "{} file, {} bytes (content not shown)",
                if store { "key store" } else { "DER private key" },
                self.seen
            )]),
        )
    }

    /// `file-encrypted`: known encrypted containers, and text files whose bytes look random.
    fn encrypted_content(&self, magic: Magic) -> Option<Finding> {
        let head = &self.head;
        let what: Option<(&str, &str, &str, String)> = if head.starts_with(b"Salted__") {
            Some((
                "openssl-salted",
                "OpenSSL-encrypted data (\"Salted__\" header)",
                "OpenSSL 加密数据（Salted__ 头）",
                "header: Salted__".to_owned(),
            ))
        } else if head.starts_with(b"age-encryption.org/v1") {
            Some((
                "age-encrypted",
                "age-encrypted file",
                "age 加密文件",
                "header: age-encryption.org/v1".to_owned(),
            ))
        } else if matches!(self.ext.as_str(), "gpg" | "pgp")
            && head
                .first()
                .is_some_and(|b| matches!(b, 0x84 | 0x85 | 0x8c | 0xc1 | 0xc3))
        {
            Some((
                "pgp-binary",
                "PGP-encrypted file",
                "PGP 加密文件",
                format!("packet tag 0x{:02x}", head[0]),
            ))
        } else if magic == Magic::Cfb && contains(&self.body, &utf16le("EncryptionInfo")) {
            Some((
                "office-encrypted",
                "password-protected Office document (encrypted OOXML)",
                "有密码保护的 Office 文档（加密的 OOXML）",
                "compound file with an EncryptionInfo stream".to_owned(),
            ))
        } else if magic == Magic::Pdf && contains(&self.tail, b"/Encrypt") {
            Some((
                "pdf-encrypted",
                "encrypted PDF (it has an /Encrypt dictionary)",
                "加密的 PDF（含 /Encrypt 字典）",
                "trailer: /Encrypt".to_owned(),
            ))
        } else if self.declared_text
            && magic == Magic::Unknown
            // ASN.1 DER (certificates, keys): structured, not random.
            && !(head.len() > 2 && head[0] == 0x30 && (0x80..=0x84).contains(&head[1]))
            && self.seen >= 256
            && !self.plainly_not_random
            && let (entropy, chi2) = randomness(&self.histogram, self.counted)
            && entropy >= 7.2
            && chi2 < 400.0
        {
            Some((
                "random-content",
                "a text or source file whose content is indistinguishable from random data (encrypted?)",
                "文本或源代码文件的内容与随机数据无法区分（已加密？）",
                format!(
                    "{} bytes, entropy {entropy:.3} bits/byte, chi-square {chi2:.0} (random data: about 255; text and compressed data: far higher)",
                    self.seen
                ),
            ))
        } else if self.declared_text
            && magic == Magic::Unknown
            && let Some(evidence) = self.base64_random()
        {
            Some((
                "base64-random-content",
                "a text file holding base64 whose decoded bytes are indistinguishable from random data (an encrypted licence or configuration?)",
                "文本文件内容为 Base64，解码后与随机数据无法区分（加密的许可文件或配置？）",
                evidence,
            ))
        } else {
            None
        };
        let (rule, en, zh, evidence) = what?;
        Some(
            Finding::new(
                "file-encrypted",
                format!("{en}: the hospital cannot read or change it without the key"),
                format!("{zh}：没有密钥医院无法阅读或修改"),
            )
            .path(self.display())
            .rule(rule)
            .evidence(vec![evidence]),
        )
    }

    /// A text file that is one base64 blob (wrapped lines allowed) decoding to random bytes.
    fn base64_random(&self) -> Option<String> {
        const SAMPLE: usize = 64 << 10;
        let body = &self.body;
        let is_b64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
        let allowed = |b: &u8| is_b64(b) || matches!(b, b'\n' | b'\r');
        if body.len() < 700 || !body.iter().take(SAMPLE).all(allowed) {
            return None;
        }
        let mut histogram = [0u64; 256];
        let mut n = 0u64;
        let (mut acc, mut bits) = (0u32, 0u32);
        for &b in body.iter().take(SAMPLE) {
            let v = match b {
                b'A'..=b'Z' => b - b'A',
                b'a'..=b'z' => b - b'a' + 26,
                b'0'..=b'9' => b - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                _ => continue,
            };
            // At most 13 pending bits: keep only those.
            acc = ((acc << 6) | u32::from(v)) & 0x3fff;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                histogram[usize::from((acc >> bits).to_le_bytes()[0])] += 1;
                n += 1;
            }
        }
        if n < 512 {
            return None;
        }
        let (entropy, chi2) = randomness(&histogram, n);
        (entropy >= 7.2 && chi2 < 400.0).then(|| {
            format!(
                "{} bytes of base64 decode to {n} bytes (sampled) with entropy {entropy:.3} bits/byte, chi-square {chi2:.0} (random data: about 255)",
                self.seen
            )
        })
    }

    fn dotnet_markers(&self) -> Option<Finding> {
        let s = self.scanner;
        let mut tools: Vec<&str> = Vec::new();
        let mut seen_markers: Vec<&str> = Vec::new();
        for m in s.markers.find_iter(&self.body) {
            let (marker, tool) = DOTNET_MARKERS[m.pattern().as_usize()];
            if !seen_markers.contains(&marker) {
                seen_markers.push(marker);
            }
            if !tools.contains(&tool) {
                tools.push(tool);
            }
        }
        if tools.is_empty() {
            return None;
        }
        Some(
            Finding::new(
                "source-obfuscated",
                format!(
                    ".NET assembly processed by an obfuscator ({}); obfuscated code cannot be maintained without its source",
                    tools.join(", ")
                ),
                format!(
                    ".NET 程序集经混淆器处理（{}）；混淆后的代码没有源代码无法维护",
                    tools.join("、")
                ),
            )
            .path(self.display())
            .rule("dotnet-obfuscator")
            .evidence(
                seen_markers
                    .iter()
                    .map(|m| format!("marker: {m}"))
                    .collect(),
            ),
        )
    }

    /// Run the line rules over a text file's content.
    fn line_rules(&self, third_party: bool) -> Vec<Finding> {
        let s = self.scanner;
        // UTF-16 and GB18030/GBK text is decoded first, so that patterns (and Chinese
        // keywords) match; UTF-8 and ASCII are scanned as they are.
        let decoded;
        let text: &Vec<u8> = if crate::text::sniff(&self.head).is_some()
            || std::str::from_utf8(&self.body).is_err()
        {
            decoded = crate::text::decode(&self.body).0.into_bytes();
            &decoded
        } else {
            &self.body
        };
        let path_str = String::from_utf8_lossy(&self.path);
        let cand_path = std::path::Path::new(path_str.as_ref());
        let cand = Candidate::new(cand_path);
        // Which rules apply to this file at all.
        let applies: Vec<bool> = s
            .rules
            .iter()
            .map(|r| {
                if third_party
                    && matches!(
                        r.code,
                        "credential-hardcoded" | "backdoor-suspect" | "source-obfuscated"
                    )
                {
                    return false;
                }
                r.paths.as_ref().is_none_or(|p| p.is_match_candidate(&cand))
            })
            .collect();
        if !applies.iter().any(|a| *a) {
            return Vec::new();
        }
        let filter = {
            let mut filters = s.filters.lock().expect("scan filters");
            Arc::clone(
                filters
                    .entry(applies.clone())
                    .or_insert_with(|| Arc::new(Filter::new(&s.rules, &applies))),
            )
        };
        let mut counts: Vec<(u32, Option<Finding>)> = vec![(0, None); s.rules.len()];
        let mut findings = Vec::new();
        // (line, fingerprint) of each secret reported; findings per rule, for the cap.
        let mut secrets: HashSet<(u64, String)> = HashSet::new();
        let mut per_rule: Vec<u64> = vec![0; s.rules.len()];
        let mut line_no = 1u64;
        let mut counted_to = 0usize;
        let mut todo: Vec<usize> = Vec::new();
        let mut from = 0usize;
        let lower = text.to_ascii_lowercase();
        // Find the next line holding any keyword (a fast, prefiltered search); then list every
        // keyword on that line and run the rules they select.
        while from < text.len() {
            let Some(m) = filter.any.find(Input::new(lower.as_slice()).range(from..)) else {
                break;
            };
            let pos = m.start();
            let start = memchr::memrchr(b'\n', &text[..pos]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
            // Very long lines (minified code): look only around the keyword.
            let (ws, we) = window(start, end, pos);
            from = we.max(pos + 1);
            let line = &text[ws..we];
            todo.clear();
            for k in filter.all.find_overlapping_iter(&lower[ws..we]) {
                for &ri in &filter.rules[k.pattern().as_usize()] {
                    if !todo.contains(&ri) {
                        todo.push(ri);
                    }
                }
            }
            todo.sort_unstable();
            let mut line_known = false;
            for &ri in &todo {
                let rule = &s.rules[ri];
                let Some(hit) = match_rule(rule, line) else {
                    continue;
                };
                if !line_known {
                    line_no += memchr::memchr_iter(b'\n', &text[counted_to..start]).count() as u64;
                    counted_to = start;
                    line_known = true;
                }
                let once = rule.min_count > 1 || once_per_file(rule.code);
                if !once && per_rule[ri] >= PER_FILE_LIMIT {
                    per_rule[ri] += 1;
                    continue;
                }
                // A window of a longer line: its ends may fall inside a secret, so only the
                // match itself is shown.
                let cut = (ws > start || we < end).then_some(end - start);
                let (f, fingerprint) = self.rule_finding(rule, line, &hit, line_no, cut);
                if let Some(fp) = fingerprint {
                    // One secret matched by two rules (a token inside a URL): keep the first
                    // rule's finding (rules are in order, the specific ones first).
                    if !secrets.insert((line_no, fp)) {
                        continue;
                    }
                    per_rule[ri] += 1;
                    findings.push(f);
                } else if rule.min_count > 1 || once_per_file(rule.code) {
                    let c = &mut counts[ri];
                    c.0 += 1;
                    if c.1.is_none() {
                        c.1 = Some(f);
                    }
                } else {
                    per_rule[ri] += 1;
                    findings.push(f);
                }
            }
        }
        for (ri, n) in per_rule.iter().enumerate() {
            if *n > PER_FILE_LIMIT
                && let Some(last) = findings
                    .iter_mut()
                    .rev()
                    .find(|f| f.rule.as_deref() == Some(s.rules[ri].id.as_str()))
            {
                last.evidence.push(format!(
                    "{} more matching lines in this file are not listed (at most {PER_FILE_LIMIT} per rule and file)",
                    n - PER_FILE_LIMIT
                ));
            }
        }
        for (ri, (n, f)) in counts.into_iter().enumerate() {
            if let Some(mut f) = f
                && n >= s.rules[ri].min_count
            {
                if s.rules[ri].min_count > 1 {
                    f.evidence.push(format!(
                        "{n} matching lines (this rule reports a file from {})",
                        s.rules[ri].min_count
                    ));
                } else if n > 1 {
                    f.evidence
                        .push(format!("{n} matching lines; the first is shown"));
                }
                findings.push(f);
            }
        }
        findings
    }

    /// The finding for a rule's match, and the secret's fingerprint when it has one.
    fn rule_finding(
        &self,
        rule: &Rule,
        line: &[u8],
        hit: &Hit,
        line_no: u64,
        cut: Option<usize>,
    ) -> (Finding, Option<String>) {
        let s = self.scanner;
        let (en, zh) = match rule.code {
            "credential-hardcoded" => (
                format!(
                    "{} written in the delivery: hand it over and rotate it before go-live",
                    rule.description
                ),
                format!(
                    "交付物中写有{}：应作为交接清单移交，并在上线前更换",
                    rule.description_zh
                ),
            ),
            "backdoor-suspect" => (
                format!("{}: review this code with the vendor", rule.description),
                format!("{}：请与供应商一起审查此处代码", rule.description_zh),
            ),
            _ => (rule.description.clone(), rule.description_zh.clone()),
        };
        let mut fingerprint = None;
        // Every evidence line is redacted whole before it is cut short: the secret found, any
        // other credential on the line, and string literals that look like passwords.
        let evidence = match (hit.secret, cut) {
            (Some((a, b)), None) => {
                let fp = crate::manifest::hex(&Sha256::digest(&line[a..b]))[..8].to_owned();
                fingerprint = Some(fp);
                // The key name before the secret is shown; nothing after it.
                let redacted = s.redact(line, Some((a, b)));
                trim_evidence(redacted.as_bytes(), true)
            }
            (Some((a, b)), Some(len)) => {
                let secret = &line[a..b];
                let fp = crate::manifest::hex(&Sha256::digest(secret))[..8].to_owned();
                let ev = format!(
                    "[redacted: {} characters, fingerprint sha256:{fp}] (in a line of {len} characters, not shown)",
                    secret.chars_count()
                );
                fingerprint = Some(fp);
                ev
            }
            (None, None) => trim_evidence(s.redact(line, None).as_bytes(), false),
            (None, Some(len)) => format!(
                "{} (part of a line of {len} characters)",
                trim_evidence(
                    s.redact(&line[hit.span.0..hit.span.1], None).as_bytes(),
                    false
                )
            ),
        };
        let mut f = Finding::new(rule.code, en, zh)
            .path(self.display())
            .line(Some(line_no))
            .rule(&rule.id)
            .evidence(vec![evidence]);
        if let Some(sev) = rule.severity {
            f.severity = sev;
        }
        (f, fingerprint)
    }

    fn text_facts(&self, facts: &mut Facts) {
        let text = &self.body;
        match self.ext.as_str() {
            "java" | "kt" | "scala" | "groovy" => {
                facts.package = declaration(text, b"package ");
                facts.types = top_level_types(text);
            }
            "cs" | "vb" => {
                for kw in [&b"namespace "[..], b"Namespace "] {
                    if let Some(n) = declaration(text, kw) {
                        facts.namespaces.push(n);
                    }
                }
            }
            "csproj" | "vbproj" => {
                for tag in ["AssemblyName", "RootNamespace"] {
                    if let Some(v) = xml_value(text, tag) {
                        facts.namespaces.push(v);
                    }
                }
            }
            "js" | "mjs" | "cjs" | "css" => {
                let mut longest = 0usize;
                let mut lines = 0u64;
                let mut start = 0usize;
                for i in memchr::memchr_iter(b'\n', text) {
                    longest = longest.max(i - start);
                    start = i + 1;
                    lines += 1;
                }
                longest = longest.max(text.len() - start);
                if start < text.len() {
                    lines += 1;
                }
                facts.lines = lines;
                facts.longest_line = longest as u64;
                facts.banner = library_banner(&text[..text.len().min(1024)]);
            }
            _ => {}
        }
        let name = String::from_utf8_lossy(names::file_name(&self.path)).to_lowercase();
        if post::DEPENDENCY_FILES.contains(&name.as_str())
            || matches!(self.ext.as_str(), "csproj" | "vbproj" | "gradle")
        {
            facts.dependency_text = Some(String::from_utf8_lossy(text).into_owned());
        }
    }
}

trait CharsCount {
    fn chars_count(&self) -> usize;
}

impl CharsCount for [u8] {
    fn chars_count(&self) -> usize {
        String::from_utf8_lossy(self).chars().count()
    }
}

/// Codes reported once per file (with the count of matching lines), not once per line.
fn once_per_file(code: &str) -> bool {
    matches!(
        code,
        "source-encoded" | "source-obfuscated" | "file-encrypted"
    )
}

/// A rule's match on a line: its byte range, and the secret's, if the rule has one.
struct Hit {
    span: (usize, usize),
    secret: Option<(usize, usize)>,
}

fn match_rule(rule: &Rule, line: &[u8]) -> Option<Hit> {
    if rule.secret_group == 0 {
        return rule.regex.find(line).map(|m| Hit {
            span: (m.start(), m.end()),
            secret: None,
        });
    }
    for caps in rule.regex.captures_iter(line) {
        let whole = caps.get(0).map_or((0, 0), |m| (m.start(), m.end()));
        let Some(m) = (rule.secret_group..caps.len())
            .filter_map(|g| caps.get(g))
            .find(|m| !m.is_empty())
            .or_else(|| caps.get(rule.secret_group))
        else {
            continue;
        };
        if m.is_empty() {
            // A marker with nothing secret on this line (a private key's first line).
            return Some(Hit {
                span: whole,
                secret: None,
            });
        }
        let secret = m.as_bytes();
        if is_placeholder(secret) || rules::shannon(secret) < rule.entropy {
            continue;
        }
        return Some(Hit {
            span: whole,
            secret: Some((m.start(), m.end())),
        });
    }
    None
}

/// A NuGet package folder name: `Newtonsoft.Json.13.0.1`.
fn nuget_folder(name: &[u8]) -> bool {
    let s = String::from_utf8_lossy(name);
    let mut parts = s.rsplit('.');
    let last_numeric = parts
        .next()
        .is_some_and(|p| p.starts_with(|c: char| c.is_ascii_digit()));
    last_numeric && s.matches('.').count() >= 2
}

/// Runs of 20 or more base64 or token characters.
fn token_run() -> &'static regex::bytes::Regex {
    static RE: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::bytes::Regex::new(r"[A-Za-z0-9+/_\-]{20,}").expect("valid regex"))
}

/// Quoted string literals on a line.
fn quoted_literal() -> &'static regex::bytes::Regex {
    static RE: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::bytes::Regex::new(r#""([^"\s]{6,128})"|'([^'\s]{6,128})'"#).expect("valid regex")
    })
}

/// A literal that may be a password: letters mixed with digits or symbols, no spaces, not a
/// date. Plain words (`"Password"`, `"DefaultConnection"`) stay readable.
fn looks_secret(v: &[u8]) -> bool {
    let letter = v.iter().any(u8::is_ascii_alphabetic);
    let digit = v.iter().any(u8::is_ascii_digit);
    let symbol = v.iter().any(|b| b"!@#$%^&*+=?~|<>".contains(b));
    let date =
        v.len() >= 8 && v[..4].iter().all(u8::is_ascii_digit) && matches!(v[4], b'-' | b'/' | b'.');
    !date && letter && (digit || symbol)
}

/// Values that are obviously not real secrets: empty-ish, repeated characters, templates.
fn is_placeholder(v: &[u8]) -> bool {
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "changeme",
        "change_me",
        "yourpassword",
        "your_password",
        "your-password",
        "example",
        "placeholder",
        "secret",
        "null",
        "none",
        "true",
        "false",
        "undefined",
        "string",
        "empty",
        "todo",
        "xxx",
        "******",
        "redacted",
    ];

    let s = String::from_utf8_lossy(v).to_lowercase();
    let s = s.trim();
    if s.is_empty() {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if s.chars().all(|c| c == first) {
        return true;
    }

    WORDS.contains(&s)
        || s.starts_with('$')
        || s.starts_with("#{")
        || s.starts_with("{{")
        || s.starts_with('<')
        || s.starts_with('%') && s.ends_with('%')
        || s.starts_with("process.env")
        || s.starts_with("os.environ")
        || s.starts_with("system.getenv")
        || s.starts_with("getenv")
        || s.starts_with("env.")
        || s.starts_with("env(")
        || s.contains("xxxx")
        || s.contains("****")
}

/// The part of a long line around a keyword at `pos` that a rule looks at.
fn window(start: usize, end: usize, pos: usize) -> (usize, usize) {
    const W: usize = 2048;
    let ws = if pos - start > W { pos - W } else { start };
    let we = if end - pos > W { pos + W } else { end };
    (ws, we)
}

/// A line (or its part) as evidence: trimmed, control characters dropped, cut short.
fn trim_evidence(line: &[u8], keep_end: bool) -> String {
    let s = String::from_utf8_lossy(line);
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let s = if keep_end { s.trim_start() } else { s.trim() };
    let n = s.chars().count();
    if n <= EVIDENCE_CHARS {
        return s.to_owned();
    }
    if keep_end {
        let skip = n - EVIDENCE_CHARS;
        format!("…{}", s.chars().skip(skip).collect::<String>())
    } else {
        format!("{}…", s.chars().take(EVIDENCE_CHARS).collect::<String>())
    }
}

/// The name after a `package ` / `namespace ` keyword at the start of a line in the first 64 KiB.
fn declaration(text: &[u8], kw: &[u8]) -> Option<String> {
    let head = &text[..text.len().min(64 << 10)];
    for line in head.split(|b| *b == b'\n') {
        let l = line.trim_ascii_start();
        if let Some(rest) = l.strip_prefix(kw) {
            let name: String = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_'))
                .map(|b| char::from(*b))
                .collect();
            if !name.is_empty() {
                return Some(name);
            }
        }
    }
    None
}

/// Types declared at the start of a line (top level) in a JVM source.
fn top_level_types(text: &[u8]) -> Vec<String> {
    const MODIFIERS: &[&str] = &[
        "public", "final", "abstract", "sealed", "data", "internal", "private", "open", "static",
        "strictfp", "enum", "inline", "value",
    ];
    const KINDS: &[&str] = &[
        "class",
        "interface",
        "enum",
        "object",
        "record",
        "@interface",
        "trait",
    ];
    let mut out = Vec::new();
    for line in text.split(|b| *b == b'\n') {
        if line.first().is_none_or(u8::is_ascii_whitespace) {
            continue;
        }
        let line = String::from_utf8_lossy(line);
        let mut words = line.split_whitespace();
        let mut w = words.next();
        while let Some(x) = w
            && MODIFIERS.contains(&x)
            && !KINDS.contains(&x)
        {
            w = words.next();
        }
        if let Some(kind) = w
            && KINDS.contains(&kind)
            && let Some(name) = words.next()
        {
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

/// A published library's header: a licence or copyright comment, or a version number.
fn library_banner(head: &[u8]) -> bool {
    let h = String::from_utf8_lossy(head).to_lowercase();
    let comment = h.trim_start().starts_with("/*") || h.trim_start().starts_with("//");
    h.contains("/*!")
        || h.contains("@license")
        || h.contains("@preserve")
        || (comment
            && (h.contains("licen")
                || h.contains("copyright")
                || h.contains("(c)")
                || regex_version().is_match(&h)))
}

fn regex_version() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"\bv?\d+\.\d+\.\d+").expect("valid regex"))
}

fn xml_value(text: &[u8], tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let i = memchr::memmem::find(text, open.as_bytes())? + open.len();
    let j = memchr::memchr(b'<', &text[i..])? + i;
    let v = String::from_utf8_lossy(&text[i..j]).trim().to_owned();
    (!v.is_empty() && !v.contains('$')).then_some(v)
}

pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Shannon entropy (bits per byte) and the chi-square statistic against a uniform distribution
/// (255 degrees of freedom: random data gives about 255 ± 23; text and most compressed formats
/// give thousands).
pub(crate) fn randomness(histogram: &[u64; 256], n: u64) -> (f64, f64) {
    let total = n as f64;
    let expected = total / 256.0;
    let mut entropy = 0.0;
    let mut chi2 = 0.0;
    for &c in histogram {
        let c = c as f64;
        if c > 0.0 {
            let p = c / total;
            entropy -= p * p.log2();
        }
        chi2 += (c - expected) * (c - expected) / expected;
    }
    (entropy, chi2)
}

/// What a file's first bytes say it is.
pub(crate) fn magic_of(head: &[u8]) -> Magic {
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(&[0xca, 0xfe, 0xba, 0xbe]) && head.len() >= 8 && head[7] >= 45 {
        Magic::Class
    } else if starts(b"MZ") {
        Magic::Pe {
            dotnet: false, // decided from the body in `analyse` when needed
        }
    } else if starts(b"\x7fELF") {
        Magic::Elf
    } else if starts(&[0xfe, 0xed, 0xfa, 0xce])
        || starts(&[0xfe, 0xed, 0xfa, 0xcf])
        || starts(&[0xce, 0xfa, 0xed, 0xfe])
        || starts(&[0xcf, 0xfa, 0xed, 0xfe])
    {
        Magic::MachO
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        Magic::Zip
    } else if starts(b"7z\xbc\xaf\x27\x1c") {
        Magic::SevenZip
    } else if starts(b"Rar!\x1a\x07") {
        Magic::Rar
    } else if starts(b"!<arch>\n") {
        Magic::ArArchive
    } else if starts(b"dex\n") {
        Magic::Dex
    } else if starts(b"\0asm") {
        Magic::Wasm
    } else if starts(&[0x1f, 0x8b])
        || starts(b"BZh")
        || starts(&[0xfd, b'7', b'z', b'X', b'Z', 0])
        || starts(&[0x28, 0xb5, 0x2f, 0xfd])
        || (head.len() >= 2 && head[0] == 0x78 && matches!(head[1], 0x01 | 0x5e | 0x9c | 0xda))
    {
        Magic::Compressed
    } else if starts(&[0x89, b'P', b'N', b'G'])
        || starts(&[0xff, 0xd8, 0xff])
        || starts(b"GIF8")
        || starts(b"RIFF")
        || starts(b"OggS")
        || starts(b"fLaC")
        || starts(b"ID3")
        || starts(b"wOFF")
        || starts(b"wOF2")
        || starts(&[0, 1, 0, 0, 0])
        || starts(b"OTTO")
        || (head.len() >= 12 && &head[4..8] == b"ftyp")
        || starts(&[0x1a, 0x45, 0xdf, 0xa3])
    {
        Magic::Media
    } else if starts(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) {
        Magic::Cfb
    } else if starts(b"%PDF-") {
        Magic::Pdf
    } else {
        Magic::Unknown
    }
}

/// Apply `[[allow]]` entries: remove the findings they match, and count them per entry.
pub fn apply_allowances(allow: &[Allow], findings: &mut Vec<Finding>) -> Vec<Allowed> {
    let mut counts = vec![0u64; allow.len()];
    findings.retain(|f| {
        let Some(path) = f.path.as_deref() else {
            return true;
        };
        // A GBK-encoded name is shown decoded with a " [GBK]" mark; globs match the name.
        let cand = Candidate::new(std::path::Path::new(
            path.strip_suffix(" [GBK]").unwrap_or(path),
        ));
        for (i, a) in allow.iter().enumerate() {
            if a.code == f.code
                && a.rule.as_ref().is_none_or(|r| f.rule.as_ref() == Some(r))
                && a.matcher.is_match_candidate(&cand)
            {
                counts[i] += 1;
                return false;
            }
        }
        true
    });
    allow
        .iter()
        .zip(counts)
        .map(|(a, silenced)| Allowed {
            code: a.code.clone(),
            rule: a.rule.clone(),
            paths: a.paths.clone(),
            reason: a.reason.clone(),
            silenced,
        })
        .collect()
}

/// The scanner for a manifest, or `None` when the manifest switches the scan off.
pub fn for_manifest(manifest: &Manifest) -> Option<std::sync::Arc<Scanner>> {
    if !manifest.scan.enabled {
        return None;
    }
    // The manifest's rules were compiled when it was validated.
    Some(std::sync::Arc::new(
        Scanner::new(&manifest.scan).expect("rules validated with the manifest"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn randomness_separates_random_from_text() {
        let mut h = [0u64; 256];
        // A simple LCG stands in for random bytes.
        let mut x: u32 = 12345;
        let n = 65536u64;
        for _ in 0..n {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            h[usize::from(x.to_be_bytes()[1])] += 1;
        }
        let (e, chi) = randomness(&h, n);
        assert!(e > 7.9 && chi < 400.0, "{e} {chi}");
        let text = b"fn main() { println!(\"hello\"); }\n".repeat(2000);
        let mut h = [0u64; 256];
        for &b in &text {
            h[usize::from(b)] += 1;
        }
        let (e, chi) = randomness(&h, text.len() as u64);
        assert!(e < 5.0 && chi > 10_000.0);
    }

    #[test]
    fn placeholders_are_not_secrets() {
        for p in [
            "${DB_PASS}",
            "$(cat /run/secret)",
            "changeme",
            "xxxxxxxx",
            "<password>",
            "%PWD%",
            "********",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        assert!(!is_placeholder(b"Hx9!kq2Lm"));
    }

    #[test]
    fn declarations() {
        assert_eq!(
            declaration(b"// x\npackage com.acme.his;\n", b"package ").as_deref(),
            Some("com.acme.his")
        );
        assert_eq!(
            xml_value(
                b"<P><AssemblyName>Acme.His</AssemblyName></P>",
                "AssemblyName"
            )
            .as_deref(),
            Some("Acme.His")
        );
    }
}
