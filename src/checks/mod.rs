//! Requirement checks: match the inventory against each manifest requirement, then apply the
//! rule of its kind. One file per kind, each with its finding codes; `coverage` summarises the
//! delivered files no requirement matches (`source-uncovered`); `matches` says what each glob
//! matches (`escrow manifest check --against`); `compare` is the comparison with the previous
//! snapshot.
//!
//! No check applies the manifest's `[severity]` or `[[allow]]`: every finding leaves here at its
//! code's default severity (or its scan rule's own), and the policy step applies the manifest's
//! choices to the findings of every stage at once.

mod buildtools;
pub mod codes;
pub mod compare;
pub mod config;
pub mod content;
pub mod coverage;
mod database;
mod dependencies;
mod depfiles;
mod documents;
pub mod endpoints;
pub mod facts;
pub mod matches;
mod mention;
mod misnamed;
pub mod modules;
mod sql;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use globset::Candidate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::delivery::inventory::resolve_link;
use crate::delivery::{Delivery, DeliveryError, Entry, EntryKind, names};
use crate::finding::Finding;
pub use config::{Covers, Requirement, RequirementKind, RequirementRule};
pub use documents::default_min_bytes;

/// How many matched paths a requirement result lists as a sample.
pub const SAMPLE: usize = 10;

/// Whether a requirement is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementStatus {
    /// No finding: the requirement holds.
    Met,
    /// At least one finding.
    Unmet,
}

/// The outcome of one requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementResult {
    /// Its kind.
    pub kind: RequirementKind,
    /// Its id in the manifest.
    pub id: String,
    /// Its name in the manifest.
    pub name: String,
    /// Met or not.
    pub status: RequirementStatus,
    /// Files (regular files) matching the requirement's paths.
    pub matched_files: u64,
    /// Their total size in bytes.
    pub matched_bytes: u64,
    /// The globs, as written in the manifest.
    pub paths: Vec<String>,
    /// One line of evidence, in English and Chinese.
    pub evidence: String,
    /// The same in Chinese.
    pub evidence_zh: String,
    /// The first matched paths, in order.
    pub sample: Vec<String>,
    /// Modules: files counted as source code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_files: Option<u64>,
    /// Databases: `CREATE TABLE` statements found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<u64>,
    /// Documents: each matched document as read (at most [`content::MAX_DOCUMENTS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<content::DocumentText>,
    /// Documents: what the text names of what the code holds (`covers`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cross_checks: Vec<content::CrossCheck>,
}

/// Everything the requirement checks found.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// One result per requirement, in manifest order.
    pub requirements: Vec<RequirementResult>,
    /// Every finding of the checks and of the inventory (links, special files, Git settings).
    pub findings: Vec<Finding>,
    /// The delivered files no requirement matches, summarised by folder.
    pub coverage: coverage::Coverage,
    /// The documents that cover `changes` (change notes): each one's path (readable form) and
    /// text.
    pub change_notes: Vec<(String, String)>,
}

/// What a kind-specific check returns: evidence, kind-specific counts and findings.
#[derive(Default)]
pub(crate) struct KindResult {
    pub evidence: String,
    pub evidence_zh: String,
    pub source_files: Option<u64>,
    pub tables: Option<u64>,
    pub findings: Vec<Finding>,
    /// Databases: every table name the scripts create, for the documents' cross-checks.
    pub table_names: Vec<String>,
    /// Documents: each matched document as read.
    pub documents: Vec<content::DocumentText>,
    /// Documents: the cross-checks of `covers`.
    pub cross_checks: Vec<content::CrossCheck>,
    /// Documents covering `changes`: each one's path (readable form) and text.
    pub change_notes: Vec<(String, String)>,
}

/// The files the requirement checks read after ingest (database scripts, dependency files,
/// documents): the only files of a streamed archive written to disk when nothing else (a
/// build) needs the tree.
pub struct Reread {
    matchers: Vec<globset::GlobSet>,
    /// What the documents' cross-checks read besides (dependency files, source, build files).
    covers: std::collections::BTreeSet<Covers>,
}

impl Reread {
    /// The files `requirements` read.
    pub fn of(requirements: &[Requirement]) -> Reread {
        Reread {
            matchers: requirements
                .iter()
                .filter(|r| !matches!(r.rule, RequirementRule::Module { .. }))
                .map(|r| r.matcher.clone())
                .collect(),
            covers: covered_by_documents(requirements),
        }
    }
}

impl crate::delivery::archive::stream::Keep for Reread {
    fn keep(&self, path: &[u8]) -> bool {
        if facts::reads(&self.covers, path) {
            return true;
        }
        let cand = Candidate::new(Path::new(OsStr::from_bytes(path)));
        let gbk = names::gbk_decoded(path);
        let gbk = gbk.as_deref().map(|s| Candidate::new(Path::new(s)));
        self.matchers.iter().any(|m| {
            m.is_match_candidate(&cand) || gbk.as_ref().is_some_and(|g| m.is_match_candidate(g))
        })
    }
}

/// What the `[[document]]` entries of `requirements` cover, `changes` left out (the deposit's
/// comparison checks that).
fn covered_by_documents(requirements: &[Requirement]) -> std::collections::BTreeSet<Covers> {
    requirements
        .iter()
        .filter_map(|r| match &r.rule {
            RequirementRule::Document { covers, .. } => Some(covers),
            _ => None,
        })
        .flatten()
        .copied()
        .filter(|c| *c != Covers::Changes)
        .collect()
}

/// The `CREATE TABLE` statements of one database script, counted as the `[[database]]` check
/// counts them (any encoding and SQL dialect; see `sql`). Errors are the reader's.
pub fn count_tables(reader: &mut dyn std::io::Read) -> std::io::Result<u64> {
    sql::scan(reader).map(|(stats, _)| stats.tables)
}

/// The largest dependency file the `[[dependencies]]` check reads, in bytes (32 MiB); a larger
/// one is reported as unparseable.
pub const DEPENDENCY_MAX_BYTES: u64 = dependencies::MAX_BYTES;

/// Whether the dependency file at `path` (its name chooses the format, as in the
/// `[[dependencies]]` check) with these bytes parses as that check parses it. The error is the
/// parser's message, with `line N: ` in front when the parser gives a line.
pub fn parse_dependency_file(path: &[u8], bytes: &[u8]) -> Result<(), String> {
    if bytes.len() as u64 > DEPENDENCY_MAX_BYTES {
        return Err(format!(
            "{} bytes: too large to be a dependency manifest",
            bytes.len()
        ));
    }
    depfiles::parse(depfiles::DepFileFormat::of(path), bytes).map_err(|f| match f.line {
        Some(line) => format!("line {line}: {}", f.message),
        None => f.message,
    })
}

/// Run every requirement check, the coverage (the files no requirement matches, by `rules`)
/// and the inventory notes. The findings carry their default severities; the manifest's policy
/// (`[severity]`, `[[allow]]`) is the caller's to apply, and the scan is a stage of its own.
pub fn run(
    requirements: &[Requirement],
    rules: coverage::Rules<'_>,
    delivery: &Delivery,
) -> Result<Checked, DeliveryError> {
    let entries = &delivery.inventory.entries;
    let pairs = match_files(requirements, entries);
    let covered = Covered::of(entries.len(), &pairs);
    // Git LFS pointers stand for content that was not delivered: they match, but never count.
    let pointers = lfs_pointers(delivery, &pairs);
    let mut matched: Vec<Vec<&Entry>> = vec![Vec::new(); requirements.len()];
    let mut lfs: Vec<Vec<&Entry>> = vec![Vec::new(); requirements.len()];
    for (n, i) in pairs {
        let to = if pointers.binary_search(&n).is_ok() {
            &mut lfs
        } else {
            &mut matched
        };
        to[i as usize].push(&entries[n as usize]);
    }

    let mut outcome = Checked::default();
    let mut results = all_but_documents(requirements, &matched, delivery)?;
    let tables = results
        .iter_mut()
        .flatten()
        .flat_map(|r| std::mem::take(&mut r.table_names))
        .collect();
    let third_party = |p: &[u8]| crate::filetypes::is_third_party(p, rules.vendored);
    let facts = facts::Facts::gather(
        &covered_by_documents(requirements),
        tables,
        delivery,
        &third_party,
    )?;
    for ((req, files), (lfs, result)) in requirements
        .iter()
        .zip(&matched)
        .zip(lfs.iter().zip(results))
    {
        let mut kr = match (result, &req.rule) {
            (Some(kr), _) => kr,
            (None, RequirementRule::Document { .. }) => {
                documents::check(req, files, &facts, delivery)?
            }
            (None, _) => unreachable!("only documents are checked in the second pass"),
        };
        outcome.change_notes.append(&mut kr.change_notes);
        if !lfs.is_empty() {
            lfs_note(&mut kr, req, files.is_empty(), lfs);
        }
        kr.findings.extend(required_files(req, entries));
        for f in &mut kr.findings {
            f.requirement = Some(req.id.clone());
        }
        outcome.requirements.push(RequirementResult {
            kind: req.kind,
            id: req.id.clone(),
            name: req.name.clone(),
            status: if kr.findings.is_empty() {
                RequirementStatus::Met
            } else {
                RequirementStatus::Unmet
            },
            matched_files: (files.len() + lfs.len()) as u64,
            matched_bytes: files.iter().chain(lfs).map(|e| e.size).sum(),
            paths: req.paths.clone(),
            evidence: kr.evidence,
            evidence_zh: kr.evidence_zh,
            sample: files
                .iter()
                .chain(lfs)
                .take(SAMPLE)
                .map(|e| e.display_path())
                .collect(),
            source_files: kr.source_files,
            tables: kr.tables,
            documents: kr.documents,
            cross_checks: kr.cross_checks,
        });
        outcome.findings.extend(kr.findings);
    }
    outcome.coverage = coverage::summarise(entries, &|n| covered.get(n), rules);
    misnamed::hint(
        &mut outcome.findings,
        requirements,
        &outcome.coverage,
        entries,
    );
    outcome
        .findings
        .extend(coverage::finding(&outcome.coverage));
    outcome.findings.extend(delivery.notes.iter().cloned());
    outcome.findings.extend(inventory_notes(entries));
    // Git settings and hooks that would run commands: always, whether or not the scan is on.
    outcome
        .findings
        .extend(crate::delivery::gitconfig::findings(delivery));
    Ok(outcome)
}

/// The results of every requirement but the documents (`None` in their place): the documents'
/// cross-checks need the table names the database scripts create.
fn all_but_documents(
    requirements: &[Requirement],
    matched: &[Vec<&Entry>],
    delivery: &Delivery,
) -> Result<Vec<Option<KindResult>>, DeliveryError> {
    let mut results = Vec::with_capacity(requirements.len());
    for (req, files) in requirements.iter().zip(matched) {
        results.push(match &req.rule {
            RequirementRule::Module {
                min_source_files,
                source_extensions,
            } => Some(modules::check(
                req,
                files,
                *min_source_files,
                source_extensions,
            )),
            RequirementRule::Document { .. } => None,
            RequirementRule::Database { min_tables } => {
                Some(database::check(req, files, *min_tables, delivery)?)
            }
            RequirementRule::Dependencies => Some(dependencies::check(req, files, delivery)?),
        });
    }
    Ok(results)
}

/// Match every file against every requirement, in parallel. The matches are kept as
/// (entry, requirement) index pairs, 8 bytes each, in entry order, not as a list per entry: an
/// inventory may hold millions of entries.
fn match_files(requirements: &[Requirement], entries: &[Entry]) -> Vec<(u32, u32)> {
    entries
        .par_iter()
        .enumerate()
        .flat_map_iter(|(n, e)| {
            let mut hits = Vec::new();
            if e.kind == EntryKind::File {
                let cand = Candidate::new(Path::new(OsStr::from_bytes(&e.path)));
                // A GBK-encoded name (from a Chinese Windows archive) also matches in its
                // decoded form, so that Chinese globs find it.
                let gbk = names::gbk_decoded(&e.path);
                let gbk = gbk.as_deref().map(|s| Candidate::new(Path::new(s)));
                for (i, r) in requirements.iter().enumerate() {
                    if r.matcher.is_match_candidate(&cand)
                        || gbk
                            .as_ref()
                            .is_some_and(|g| r.matcher.is_match_candidate(g))
                    {
                        hits.push((
                            u32::try_from(n).expect("fewer than 2^32 entries"),
                            u32::try_from(i).expect("fewer than 2^32 requirements"),
                        ));
                    }
                }
            }
            hits
        })
        .collect()
}

/// One bit per inventory entry: matched by some requirement.
struct Covered(Vec<u64>);

impl Covered {
    /// The entries of `pairs` among `len` entries.
    fn of(len: usize, pairs: &[(u32, u32)]) -> Covered {
        let mut bits = vec![0u64; len.div_ceil(64)];
        for &(n, _) in pairs {
            bits[n as usize / 64] |= 1 << (n % 64);
        }
        Covered(bits)
    }

    fn get(&self, n: usize) -> bool {
        self.0[n / 64] & (1 << (n % 64)) != 0
    }
}

/// The matched files that are Git LFS pointers (`filetypes::is_lfs_pointer`), as sorted entry
/// indices: the files small enough to be one are read, up to `LFS_POINTER_MAX` bytes each,
/// whatever the delivery's form (folder, archive, repository), and whether or not the scan runs.
fn lfs_pointers(delivery: &Delivery, pairs: &[(u32, u32)]) -> Vec<u32> {
    use crate::filetypes::{LFS_POINTER_MAX, is_lfs_pointer};
    use std::io::Read;
    let entries = &delivery.inventory.entries;
    let mut small: Vec<u32> = pairs
        .iter()
        .map(|&(n, _)| n)
        .filter(|&n| entries[n as usize].size < LFS_POINTER_MAX)
        .collect();
    small.sort_unstable();
    small.dedup();
    small
        .into_par_iter()
        .filter(|&n| {
            let e = &entries[n as usize];
            let mut head = Vec::new();
            // Through the delivery's handle, following no link; an unreadable file is no
            // pointer here (the check that reads it reports it).
            delivery
                .open_file(&e.path)
                .and_then(|f| f.take(LFS_POINTER_MAX).read_to_end(&mut head))
                .is_ok_and(|_| is_lfs_pointer(&head, head.len() as u64))
        })
        .collect()
}

/// Say in a requirement's result that `pointers`, matching files, are Git LFS pointers and were
/// not counted; when they were all that matched (`only`), the `*-missing` finding says so.
fn lfs_note(kr: &mut KindResult, req: &Requirement, only: bool, pointers: &[&Entry]) {
    use codes::CheckCode;
    let (noun, noun_zh) = match req.kind {
        RequirementKind::Module => ("source code", "源代码"),
        RequirementKind::Document => ("document", "文档本身"),
        RequirementKind::Database => ("database script", "数据库脚本本身"),
        RequirementKind::Dependencies => ("dependency list", "依赖清单本身"),
    };
    let lines: Vec<String> = pointers
        .iter()
        .take(SAMPLE)
        .map(|e| format!("{} is a Git LFS pointer, not the {noun}", e.display_path()))
        .collect();
    let n = pointers.len();
    for f in &mut kr.findings {
        let missing = matches!(
            CheckCode::from_name(&f.code),
            Some(
                CheckCode::ModuleMissing
                    | CheckCode::DocumentMissing
                    | CheckCode::DatabaseMissing
                    | CheckCode::DependenciesMissing
            )
        );
        let counted = matches!(
            CheckCode::from_name(&f.code),
            Some(
                CheckCode::ModuleEmpty | CheckCode::DocumentTooSmall | CheckCode::DatabaseNoTables
            )
        );
        if missing && only {
            let (what, what_zh) = if n == 1 {
                (
                    "the only matching file is a Git LFS pointer",
                    "唯一匹配的文件是 Git LFS 指针",
                )
            } else {
                (
                    "every matching file is a Git LFS pointer",
                    "所有匹配的文件都是 Git LFS 指针",
                )
            };
            f.message = format!(
                "{} {:?}: {what} (a reference to content kept on an LFS server), not the {noun}; its content was not delivered ({})",
                req.kind.as_str(),
                req.name,
                globs(req)
            );
            f.message_zh = format!(
                "{}「{}」：{what_zh}（指向 LFS 服务器上内容的引用），不是{noun_zh}；实际内容并未交付（{}）",
                kind_zh(req.kind),
                req.name,
                globs(req)
            );
            if n == 1 {
                f.path = Some(pointers[0].display_path());
            }
        }
        if missing && only || counted {
            f.evidence.extend(lines.iter().cloned());
        }
    }
    let pointers_en = if n == 1 { "pointer" } else { "pointers" };
    kr.evidence = format!("{}; {n} Git LFS {pointers_en} not counted", kr.evidence);
    kr.evidence_zh = format!("{}；{n} 个 Git LFS 指针未计入", kr.evidence_zh);
}

/// `required-files`: each glob must match at least one entry (file, folder or link).
fn required_files(req: &Requirement, entries: &[Entry]) -> Vec<Finding> {
    req.required_files
        .iter()
        .filter(|(_, m)| {
            !entries
                .iter()
                .any(|e| m.is_match(Path::new(OsStr::from_bytes(&e.path))))
        })
        .map(|(glob, _)| {
            Finding::of(
                crate::checks::codes::CheckCode::RequiredFileMissing,
                format!(
                    "{} {:?}: nothing in the delivery matches the required path {glob:?}",
                    req.kind.as_str(),
                    req.name
                ),
                format!(
                    "{}「{}」：交付物中没有与必需路径 {glob:?} 匹配的文件或目录",
                    kind_zh(req.kind),
                    req.name
                ),
            )
            .evidence(vec![format!("required-files: {glob}")])
        })
        .collect()
}

/// Findings about the tree itself: links that leave the delivery, special files.
fn inventory_notes(entries: &[Entry]) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in entries {
        match e.kind {
            EntryKind::Symlink => {
                let target = e.link_target.as_deref().unwrap_or_default();
                if resolve_link(&e.path, target).is_none() {
                    let t = names::display(target);
                    out.push(
                        Finding::of(
                            crate::delivery::codes::DeliveryCode::SymlinkOutsideDelivery,
                            format!("symbolic link points outside the delivery to {t:?}; recorded, not followed"),
                            format!("符号链接指向交付物之外的 {t:?}；已记录，未跟随"),
                        )
                        .path(e.display_path())
                        .evidence(vec![format!("{} -> {t}", e.display_path())]),
                    );
                }
            }
            EntryKind::Special => out.push(
                Finding::of(
                    crate::delivery::codes::DeliveryCode::SpecialFileSkipped,
                    format!(
                        "special file (device, FIFO or socket, mode {:o}) skipped",
                        e.mode
                    ),
                    format!("已跳过特殊文件（设备、管道或套接字，mode {:o}）", e.mode),
                )
                .path(e.display_path()),
            ),
            EntryKind::File | EntryKind::Dir => {}
        }
    }
    out
}

/// The Chinese word for a requirement kind.
pub fn kind_zh(kind: RequirementKind) -> &'static str {
    match kind {
        RequirementKind::Module => "模块",
        RequirementKind::Document => "文档",
        RequirementKind::Database => "数据库脚本",
        RequirementKind::Dependencies => "依赖清单",
    }
}

/// Bytes in a readable unit: "512 B", "2.1 KB", "1.3 GB".
pub fn human_bytes(n: u64) -> String {
    const UNITS: &[&str] = &["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// The globs of a requirement, for messages.
pub(crate) fn globs(req: &Requirement) -> String {
    req.paths.join(", ")
}
