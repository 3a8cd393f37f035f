//! The streaming inspector: the inventory hands each file's bytes to a [`FileScan`] as it
//! hashes them (one read per file). A `FileScan` keeps a byte histogram, the head and the tail,
//! and the content of files whose content is searched; when the file ends, the per-file
//! detectors run over what it kept.

use std::sync::atomic::Ordering;

use super::detect::encryption::{self, randomness};
use super::detect::{dotnet, obfuscation, secrets};
use super::facts::FileFacts;
use super::sniff;
use super::{FileResult, Scanner};
use crate::delivery::inventory::{Inspection, Inspector};
use crate::delivery::names;
use crate::filetypes::{DEFAULT_SOURCE_EXTENSIONS, Magic, is_dotnet_assembly, magic_of};
use crate::finding::Finding;

/// Text files are scanned up to this many bytes (the hash still covers the whole file).
pub const TEXT_LIMIT: usize = 16 << 20;
/// Compiled files and documents are searched for markers up to this many bytes.
const BINARY_LIMIT: usize = 32 << 20;
/// Bytes kept from the start and the end of every file, for signatures and trailers.
const HEAD: usize = 8 << 10;
/// Bytes kept from the end of every file (PDF trailers).
const TAIL: usize = 16 << 10;

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

/// Other extensions of PHP source (includes, templates, Drupal modules): encoded PHP hides in
/// them too.
const PHP_EXTENSIONS: &[&str] = &[
    "inc", "phtml", "php3", "php4", "php5", "php7", "phps", "pht", "module",
];

/// Compiled artefacts: looked at for markers and matched against sources after the walk.
const COMPILED_EXTENSIONS: &[&str] = &[
    "class", "jar", "war", "ear", "aar", "apk", "dex", "omod", "dll", "exe", "ocx", "sys", "so",
    "dylib", "a", "o", "obj", "lib", "pyc", "pyo", "pyd", "dcu", "bpl", "pbd", "wasm", "node",
];

impl Inspector for Scanner {
    fn start(&self, path: &[u8], size: u64) -> Option<Box<dyn Inspection + '_>> {
        let ext = names::extension(path).map(|e| e.to_ascii_lowercase());
        let ext = ext.as_deref().unwrap_or("");
        let declared_text = TEXT_EXTENSIONS.contains(&ext)
            || DEFAULT_SOURCE_EXTENSIONS.contains(&ext)
            || PHP_EXTENSIONS.contains(&ext);
        let compiled = COMPILED_EXTENSIONS.contains(&ext);
        Some(Box::new(FileScan {
            scanner: self,
            path: path.to_vec(),
            named: names::windows_path(path).into_owned(),
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

    fn reset(&self) {
        self.results
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
        for n in [&self.files, &self.bytes, &self.text_files, &self.truncated] {
            n.store(0, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// One file being read.
pub(super) struct FileScan<'a> {
    pub(super) scanner: &'a Scanner,
    pub(super) path: Vec<u8>,
    /// The path as Windows names it, trailing dots and spaces dropped (`Login.java.` →
    /// `Login.java`): what the file's rules are chosen by, so that a name Windows unpacks as
    /// source is scanned as source.
    pub(super) named: Vec<u8>,
    size: u64,
    pub(super) ext: String,
    pub(super) declared_text: bool,
    compiled: bool,
    /// Byte counts, for the randomness test: of the whole file unless its head already shows
    /// it is not random (then counting stops).
    pub(super) histogram: [u64; 256],
    pub(super) counted: u64,
    pub(super) plainly_not_random: bool,
    pub(super) seen: u64,
    pub(super) head: Vec<u8>,
    pub(super) tail: Vec<u8>,
    /// The content, up to `body_limit`, for files whose content is searched.
    pub(super) body: Vec<u8>,
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

    /// What the file's first bytes say it is.
    pub(super) fn magic(&self) -> Magic {
        magic_of(&self.head)
    }

    /// Whether the file is text: scanned line by line.
    pub(super) fn is_text(&self) -> bool {
        if self.compiled {
            return false;
        }
        let m = self.magic();
        if !matches!(m, Magic::Unknown) {
            return false;
        }
        self.declared_text || !self.head.contains(&0) || sniff::head_is_wide_text(&self.head)
    }

    fn wants_body(&self) -> bool {
        self.is_text() || self.compiled || matches!(self.magic(), Magic::Pe { .. } | Magic::Cfb)
    }

    /// The file's path as reports show it.
    pub(super) fn display(&self) -> String {
        names::display(&self.path)
    }

    fn analyse(&mut self) -> FileResult {
        let mut magic = self.magic();
        if let Magic::Pe { .. } = magic {
            // The CLI metadata root signature marks a .NET assembly.
            magic = Magic::Pe {
                dotnet: is_dotnet_assembly(&self.body),
            };
        }
        let third_party = self.scanner.is_third_party(&self.path);
        let mut findings = Vec::new();
        let mut facts = FileFacts::new(magic);
        let der =
            self.head.len() > 2 && self.head[0] == 0x30 && (0x80..=0x84).contains(&self.head[1]);
        if let Some(f) = secrets::key_store(self, der, third_party) {
            findings.push(f);
        } else if let Some(f) = encryption::encrypted_content(self, magic) {
            findings.push(f);
        }
        if let Some(f) = self.lfs_pointer() {
            findings.push(f);
        }
        if let Magic::Pe { dotnet: true } = magic {
            findings.extend(dotnet::inspect(self, third_party, &mut facts));
        }
        if self.is_text() && !self.body.is_empty() {
            let s = self.scanner;
            s.text_files.fetch_add(1, Ordering::Relaxed);
            if self.seen > self.body.len() as u64 {
                s.truncated.fetch_add(1, Ordering::Relaxed);
            }
            let text = sniff::decode(&self.body);
            findings.extend(self.line_rules(third_party, &text));
            facts.learn_from_text(&self.ext, &self.named, &text);
            obfuscation::front_end(self, third_party, &mut findings, &mut facts);
        }
        FileResult {
            path: std::mem::take(&mut self.path),
            size: self.seen,
            findings,
            facts,
        }
    }
}

impl FileScan<'_> {
    /// `git-lfs-pointer`: a Git LFS pointer file (any delivery, not only a git one): the
    /// repository's reference to content kept on an LFS server, which was not delivered.
    fn lfs_pointer(&self) -> Option<Finding> {
        let h = &self.head;
        crate::filetypes::is_lfs_pointer(h, self.seen).then(|| {
            Finding::of(
                crate::delivery::codes::DeliveryCode::GitLfsPointer,
                "a Git LFS pointer: the file's content was not delivered, only its reference"
                    .to_owned(),
                "Git LFS 指针：文件的实际内容并未交付，只有其引用".to_owned(),
            )
            .path(self.display())
            .rule("git-lfs-pointer")
            .evidence(vec![
                String::from_utf8_lossy(h)
                    .lines()
                    .find(|l| l.starts_with("oid "))
                    .unwrap_or_default()
                    .chars()
                    .take(80)
                    .collect(),
            ])
        })
    }
}

/// Whether `needle` occurs in `hay`.
pub(super) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}
