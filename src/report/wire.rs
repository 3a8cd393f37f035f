//! The check report's wire types for what the stages return: the requirement results, the
//! scan's summary, the allowances and the build record. Each mirrors a library type field by
//! field and is made from it by one constructor (`new`), so a field added to a library struct
//! reaches the JSON only when it is added here too. The JSON shape (keys, their order, the
//! optional keys left out, the enum spellings) is the one the library types gave before they
//! were mirrored: reports stored in a vault by an earlier escrow read back unchanged.

use serde::{Deserialize, Serialize};

use crate::build::{self, BuildRecord};
use crate::checks::coverage::{Coverage, Folder, Summary};
use crate::checks::{RequirementKind, RequirementResult, RequirementStatus};
use crate::scan::{Allowed, ScanSummary};

/// The kind of a requirement (`[[module]]`, `[[document]]`, …); JSON: `module`, `document`,
/// `database`, `dependencies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementKindInfo {
    /// `[[module]]`: source code.
    Module,
    /// `[[document]]`: documentation.
    Document,
    /// `[[database]]`: database scripts.
    Database,
    /// `[[dependencies]]`: dependency lists.
    Dependencies,
}

impl RequirementKindInfo {
    /// The wire form of a requirement's kind.
    pub fn new(k: RequirementKind) -> RequirementKindInfo {
        match k {
            RequirementKind::Module => RequirementKindInfo::Module,
            RequirementKind::Document => RequirementKindInfo::Document,
            RequirementKind::Database => RequirementKindInfo::Database,
            RequirementKind::Dependencies => RequirementKindInfo::Dependencies,
        }
    }

    /// The kind as the manifest (and the JSON) names it: "module", "document", "database",
    /// "dependencies".
    pub fn as_str(self) -> &'static str {
        match self {
            RequirementKindInfo::Module => "module",
            RequirementKindInfo::Document => "document",
            RequirementKindInfo::Database => "database",
            RequirementKindInfo::Dependencies => "dependencies",
        }
    }

    /// The kind in Chinese, for the Chinese report.
    pub fn zh(self) -> &'static str {
        match self {
            RequirementKindInfo::Module => "模块",
            RequirementKindInfo::Document => "文档",
            RequirementKindInfo::Database => "数据库脚本",
            RequirementKindInfo::Dependencies => "依赖清单",
        }
    }
}

/// Whether a requirement is met; JSON: `met`, `unmet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementStatusInfo {
    /// No finding: the requirement holds.
    Met,
    /// At least one finding.
    Unmet,
}

impl RequirementStatusInfo {
    /// The wire form of a requirement's status.
    pub fn new(s: RequirementStatus) -> RequirementStatusInfo {
        match s {
            RequirementStatus::Met => RequirementStatusInfo::Met,
            RequirementStatus::Unmet => RequirementStatusInfo::Unmet,
        }
    }
}

/// The outcome of one requirement, as the report's `requirements` list gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementInfo {
    /// Its kind.
    pub kind: RequirementKindInfo,
    /// Its id in the manifest.
    pub id: String,
    /// Its name in the manifest.
    pub name: String,
    /// Met or not.
    pub status: RequirementStatusInfo,
    /// Files (regular files) matching the requirement's paths.
    pub matched_files: u64,
    /// Their total size in bytes.
    pub matched_bytes: u64,
    /// The globs, as written in the manifest.
    pub paths: Vec<String>,
    /// One line of evidence, in English.
    pub evidence: String,
    /// The same in Chinese.
    pub evidence_zh: String,
    /// The first matched paths (at most `checks::SAMPLE`), in order.
    pub sample: Vec<String>,
    /// Modules: files counted as source code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_files: Option<u64>,
    /// Databases: `CREATE TABLE` statements found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<u64>,
    /// Documents: each matched document as read (format, words, or why it is unreadable).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentInfo>,
    /// Documents: what their text names of what the code holds (`covers`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cross_checks: Vec<CrossCheckInfo>,
}

/// Text in English and Chinese: `{"en": …, "zh": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BilingualInfo {
    /// English.
    pub en: String,
    /// Chinese.
    pub zh: String,
}

/// One document of a `[[document]]` requirement, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentInfo {
    /// Its path in the delivery, readable form.
    pub path: String,
    /// The format it was read as ("docx", "xlsx", "pptx", "pdf", "markdown", "text", "html",
    /// "rtf", "xls"); `null` when unreadable.
    pub format: Option<String>,
    /// Its words (字数: each CJK character one word, each run of other letters and digits
    /// one); `null` when unreadable.
    pub words: Option<u64>,
    /// Its text was read.
    pub readable: bool,
    /// On its own it is a placeholder (fewer words than `min-words`, or a template).
    pub placeholder: bool,
    /// A text format's encoding ("UTF-8", "GB18030/GBK", "UTF-16LE (BOM)", …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Its text was cut at the reader's limit (16 MiB).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Template phrases ("待补充", "TBD", …) found.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub template_phrases: u64,
    /// Why its text could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<BilingualInfo>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A version a document gives for a dependency other than the declared one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionDiffersInfo {
    /// The dependency.
    pub name: String,
    /// The version its dependency file declares.
    pub declared: String,
    /// The version the document gives.
    pub documented: String,
}

/// One `covers` entry of a `[[document]]` compared with the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossCheckInfo {
    /// "tables", "dependencies", "endpoints" or "build-tools".
    pub covers: String,
    /// The items the code holds.
    pub items: u64,
    /// Of them, those the document names.
    pub named: u64,
    /// `named` in percent of `items`, rounded down (100 when there are none).
    pub percent: u8,
    /// The percentage required (`min-coverage`).
    pub min_percent: u8,
    /// Every item not named.
    pub missing: Vec<String>,
    /// Dependencies whose documented version differs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions_differ: Vec<VersionDiffersInfo>,
}

impl DocumentInfo {
    fn new(d: &crate::checks::content::DocumentText) -> DocumentInfo {
        DocumentInfo {
            path: d.path.clone(),
            format: d.format.clone(),
            words: d.words,
            readable: d.readable,
            placeholder: d.placeholder,
            encoding: d.encoding.clone(),
            truncated: d.truncated,
            template_phrases: d.template_phrases,
            unreadable: d.unreadable.as_ref().map(|b| BilingualInfo {
                en: b.en.clone(),
                zh: b.zh.clone(),
            }),
        }
    }
}

impl CrossCheckInfo {
    fn new(c: &crate::checks::content::CrossCheck) -> CrossCheckInfo {
        CrossCheckInfo {
            covers: c.covers.as_str().to_owned(),
            items: c.items,
            named: c.named,
            percent: c.percent,
            min_percent: c.min_percent,
            missing: c.missing.clone(),
            versions_differ: c
                .versions_differ
                .iter()
                .map(|v| VersionDiffersInfo {
                    name: v.name.clone(),
                    declared: v.declared.clone(),
                    documented: v.documented.clone(),
                })
                .collect(),
        }
    }
}

impl RequirementInfo {
    /// The wire form of a requirement's result.
    pub fn new(r: &RequirementResult) -> RequirementInfo {
        RequirementInfo {
            kind: RequirementKindInfo::new(r.kind),
            id: r.id.clone(),
            name: r.name.clone(),
            status: RequirementStatusInfo::new(r.status),
            matched_files: r.matched_files,
            matched_bytes: r.matched_bytes,
            paths: r.paths.clone(),
            evidence: r.evidence.clone(),
            evidence_zh: r.evidence_zh.clone(),
            sample: r.sample.clone(),
            source_files: r.source_files,
            tables: r.tables,
            documents: r.documents.iter().map(DocumentInfo::new).collect(),
            cross_checks: r.cross_checks.iter().map(CrossCheckInfo::new).collect(),
        }
    }
}

/// The delivered files no requirement of the manifest matches: the report's `uncovered`
/// object (check and deposit reports; absent from `escrow build`'s and from reports written
/// before it existed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncoveredInfo {
    /// Source files delivered outside third-party folders, covered or not (by the manifest's
    /// `source-extensions`, MyBatis mapper XML included).
    pub source_files: u64,
    /// Of them, the files no requirement matches.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Every folder holding them, most files first (see `checks::coverage::summarise`).
    pub folders: Vec<FolderInfo>,
    /// Files under third-party folders that no requirement matches (not counted above).
    pub third_party_files: u64,
    /// Their bytes.
    pub third_party_bytes: u64,
    /// The folders holding them, most files first.
    pub third_party_folders: Vec<FolderInfo>,
    /// Other files no requirement matches (images, binaries, documents, …).
    pub other_files: u64,
    /// Their bytes.
    pub other_bytes: u64,
}

impl UncoveredInfo {
    /// The wire form of the coverage.
    pub fn new(c: &Coverage) -> UncoveredInfo {
        let folders = |s: &Summary| s.folders.iter().map(FolderInfo::new).collect();
        UncoveredInfo {
            source_files: c.source_files,
            files: c.uncovered.files,
            bytes: c.uncovered.bytes,
            folders: folders(&c.uncovered),
            third_party_files: c.third_party.files,
            third_party_bytes: c.third_party.bytes,
            third_party_folders: folders(&c.third_party),
            other_files: c.other_files,
            other_bytes: c.other_bytes,
        }
    }
}

/// One folder of the `uncovered` summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderInfo {
    /// Relative to the delivery's top, `/`-separated; "." for the top itself.
    pub folder: String,
    /// Only the files directly in the folder: its subfolders are listed on their own.
    pub direct: bool,
    /// Files.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Source files by language (extension, or "xml (mapper)"), most first.
    pub languages: Vec<LanguageInfo>,
}

impl FolderInfo {
    /// The wire form of a summary's folder.
    pub fn new(f: &Folder) -> FolderInfo {
        FolderInfo {
            folder: f.folder.clone(),
            direct: f.direct,
            files: f.files,
            bytes: f.bytes,
            languages: f
                .languages
                .iter()
                .map(|(language, files)| LanguageInfo {
                    language: language.clone(),
                    files: *files,
                })
                .collect(),
        }
    }
}

/// Source files of one language in a folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageInfo {
    /// The extension (lower case, without the dot), or "xml (mapper)".
    pub language: String,
    /// Files.
    pub files: u64,
}

/// What the technical-barrier scan looked at: the report's `scan` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanInfo {
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

impl ScanInfo {
    /// The wire form of the scan's summary.
    pub fn new(s: &ScanSummary) -> ScanInfo {
        ScanInfo {
            files: s.files,
            bytes: s.bytes,
            text_files: s.text_files,
            truncated: s.truncated,
            third_party_files: s.third_party_files,
            rules: s.rules,
        }
    }
}

/// An `[[allow]]` entry with how many findings it silenced: one item of the report's
/// `allowed` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedInfo {
    /// The finding code silenced.
    pub code: String,
    /// The scan rule, when the allowance names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The globs, as written.
    pub paths: Vec<String>,
    /// Why these findings are acceptable.
    pub reason: String,
    /// How many findings it silenced.
    pub silenced: u64,
}

impl AllowedInfo {
    /// The wire form of an allowance.
    pub fn new(a: &Allowed) -> AllowedInfo {
        AllowedInfo {
            code: a.code.clone(),
            rule: a.rule.clone(),
            paths: a.paths.clone(),
            reason: a.reason.clone(),
            silenced: a.silenced,
        }
    }
}

/// What the baseline file (`--baseline FILE`) did: the report's `baseline` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineInfo {
    /// The baseline file, as given on the command line.
    pub file: String,
    /// Its entries.
    pub entries: u64,
    /// Findings it silenced (after `[[allow]]`, which counts its own in `allowed`).
    pub silenced: u64,
    /// Entries that matched no finding (each reported as a `baseline-stale` finding).
    pub stale: u64,
}

/// How a build ended; JSON: `succeeded`, `failed`, `timed-out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuildStatusInfo {
    /// It exited with status 0 and every limit held.
    Succeeded,
    /// It exited otherwise, was killed, or passed a limit.
    Failed,
    /// It ran past the timeout and was stopped.
    TimedOut,
}

impl BuildStatusInfo {
    /// The wire form of how a build ended.
    pub fn new(s: build::BuildStatus) -> BuildStatusInfo {
        match s {
            build::BuildStatus::Succeeded => BuildStatusInfo::Succeeded,
            build::BuildStatus::Failed => BuildStatusInfo::Failed,
            build::BuildStatus::TimedOut => BuildStatusInfo::TimedOut,
        }
    }
}

/// The isolation a build ran with; JSON: `bwrap`, `landlock`, `unshare`, `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IsolationInfo {
    /// bubblewrap: only the host's system and toolchain folders, read-only.
    Bwrap,
    /// `unshare` namespaces and Landlock.
    Landlock,
    /// The former fallback without Landlock: only in reports made by earlier versions.
    Unshare,
    /// No isolation (`--no-sandbox`).
    None,
}

impl IsolationInfo {
    /// The wire form of a build's isolation.
    pub fn new(i: build::Isolation) -> IsolationInfo {
        match i {
            build::Isolation::Bwrap => IsolationInfo::Bwrap,
            build::Isolation::Landlock => IsolationInfo::Landlock,
            build::Isolation::Unshare => IsolationInfo::Unshare,
            build::Isolation::None => IsolationInfo::None,
        }
    }

    /// Its name in reports (and the JSON): "bwrap", "landlock", "unshare" or "none".
    pub fn as_str(self) -> &'static str {
        match self {
            IsolationInfo::Bwrap => "bwrap",
            IsolationInfo::Landlock => "landlock",
            IsolationInfo::Unshare => "unshare",
            IsolationInfo::None => "none",
        }
    }
}

/// A toolchain command and what it said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolVersionInfo {
    /// The command as the manifest gives it.
    pub command: String,
    /// Its exit status (`None`: killed or not started).
    pub exit_code: Option<i32>,
    /// Its first lines (standard output and error together).
    pub output: Vec<String>,
}

impl ToolVersionInfo {
    /// The wire form of a toolchain command's result.
    pub fn new(t: &build::ToolVersion) -> ToolVersionInfo {
        ToolVersionInfo {
            command: t.command.clone(),
            exit_code: t.exit_code,
            output: t.output.clone(),
        }
    }
}

/// A declared output the build produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputFileInfo {
    /// Relative to the delivery root.
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

impl OutputFileInfo {
    /// The wire form of a build output.
    pub fn new(o: &build::OutputFile) -> OutputFileInfo {
        OutputFileInfo {
            path: o.path.clone(),
            size: o.size,
            sha256: o.sha256.clone(),
        }
    }
}

/// The build log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildLogInfo {
    /// Where the log was written on this machine.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 of the log, lower-case hex.
    pub sha256: String,
    /// Its last lines.
    pub tail: Vec<String>,
}

impl BuildLogInfo {
    /// The wire form of a build log's record.
    pub fn new(l: &build::LogInfo) -> BuildLogInfo {
        BuildLogInfo {
            path: l.path.clone(),
            bytes: l.bytes,
            sha256: l.sha256.clone(),
            tail: l.tail.clone(),
        }
    }
}

/// The second build of `--reproducible`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RebuildInfo {
    /// The folder the second build ran in (removed afterwards).
    pub build_path: String,
    /// How it ended.
    pub status: BuildStatusInfo,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// The declared outputs it made.
    pub outputs: Vec<OutputFileInfo>,
    /// Declared outputs whose contents differ between the two builds (or exist in one only).
    pub differing: Vec<String>,
    /// Its log.
    pub log: BuildLogInfo,
}

impl RebuildInfo {
    /// The wire form of the second build.
    pub fn new(r: &build::Rebuild) -> RebuildInfo {
        RebuildInfo {
            build_path: r.build_path.clone(),
            status: BuildStatusInfo::new(r.status),
            duration_ms: r.duration_ms,
            outputs: r.outputs.iter().map(OutputFileInfo::new).collect(),
            differing: r.differing.clone(),
            log: BuildLogInfo::new(&r.log),
        }
    }
}

/// What was built, how, and what came out: the report's `build` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildInfo {
    /// The build command (`/bin/sh -c`).
    pub command: String,
    /// Relative to the delivery root ("" for the root).
    pub workdir: String,
    /// `bwrap`, `landlock`, `unshare` or `none`.
    pub isolation: IsolationInfo,
    /// What that isolation means, and why a weaker one was used.
    pub isolation_detail: String,
    /// Why a weaker isolation than bubblewrap was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
    /// The manifest let the build use the network.
    pub network: bool,
    /// The timeout, in seconds.
    pub timeout_secs: u64,
    /// `max-processes`.
    pub max_processes: u64,
    /// `max-memory`, in bytes.
    pub max_memory: u64,
    /// The folder the build ran in (a private copy, removed afterwards).
    pub build_path: String,
    /// SOURCE_DATE_EPOCH given to the build (with `--reproducible`), in seconds since 1970.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_date_epoch: Option<u64>,
    /// How the build ended.
    pub status: BuildStatusInfo,
    /// Its exit status (`None`: killed, timed out or not started).
    pub exit_code: Option<i32>,
    /// The signal that killed it, if one did.
    pub signal: Option<i32>,
    /// How long it ran, in milliseconds.
    pub duration_ms: u64,
    /// The toolchain commands and what they said.
    pub toolchain: Vec<ToolVersionInfo>,
    /// The declared outputs it made, hashed.
    pub outputs: Vec<OutputFileInfo>,
    /// Its log.
    pub log: BuildLogInfo,
    /// The second build of `--reproducible`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproducible: Option<RebuildInfo>,
}

impl BuildInfo {
    /// The wire form of a build's record.
    pub fn new(b: &BuildRecord) -> BuildInfo {
        BuildInfo {
            command: b.command.clone(),
            workdir: b.workdir.clone(),
            isolation: IsolationInfo::new(b.isolation),
            isolation_detail: b.isolation_detail.clone(),
            fallback_reason: b.fallback_reason.clone(),
            network: b.network,
            timeout_secs: b.timeout_secs,
            max_processes: b.max_processes,
            max_memory: b.max_memory,
            build_path: b.build_path.clone(),
            source_date_epoch: b.source_date_epoch,
            status: BuildStatusInfo::new(b.status),
            exit_code: b.exit_code,
            signal: b.signal,
            duration_ms: b.duration_ms,
            toolchain: b.toolchain.iter().map(ToolVersionInfo::new).collect(),
            outputs: b.outputs.iter().map(OutputFileInfo::new).collect(),
            log: BuildLogInfo::new(&b.log),
            reproducible: b.reproducible.as_ref().map(RebuildInfo::new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::kind_zh;
    use crate::progress::NoProgress;
    use crate::report::{Outcome, Report};

    fn requirement(kind: RequirementKind, tables: Option<u64>) -> RequirementResult {
        RequirementResult {
            kind,
            id: "his-db".to_owned(),
            name: "HIS database".to_owned(),
            status: RequirementStatus::Unmet,
            matched_files: 2,
            matched_bytes: 300,
            paths: vec!["db/**".to_owned()],
            evidence: "2 scripts".to_owned(),
            evidence_zh: "2 个脚本".to_owned(),
            sample: vec!["db/a.sql".to_owned(), "db/b.sql".to_owned()],
            source_files: Some(7),
            documents: tables
                .map(|_| {
                    use crate::checks::content::{Bilingual, DocumentText};
                    vec![
                        DocumentText {
                            path: "docs/db.docx".to_owned(),
                            format: Some("docx".to_owned()),
                            words: Some(120),
                            readable: true,
                            placeholder: false,
                            encoding: Some("UTF-8".to_owned()),
                            truncated: true,
                            template_phrases: 2,
                            unreadable: None,
                        },
                        DocumentText {
                            path: "docs/old.doc".to_owned(),
                            format: None,
                            words: None,
                            readable: false,
                            placeholder: false,
                            encoding: None,
                            truncated: false,
                            template_phrases: 0,
                            unreadable: Some(Bilingual {
                                en: "no reader".to_owned(),
                                zh: "无法读取".to_owned(),
                            }),
                        },
                    ]
                })
                .unwrap_or_default(),
            cross_checks: tables
                .map(|_| {
                    use crate::checks::content::{CrossCheck, VersionDiffers};
                    vec![CrossCheck {
                        covers: crate::checks::Covers::Dependencies,
                        items: 3,
                        named: 2,
                        percent: 66,
                        min_percent: 80,
                        missing: vec!["gson".to_owned()],
                        versions_differ: vec![VersionDiffers {
                            name: "junit".to_owned(),
                            declared: "4.13".to_owned(),
                            documented: "4.12".to_owned(),
                        }],
                    }]
                })
                .unwrap_or_default(),
            tables,
        }
    }

    fn log(path: &str) -> build::LogInfo {
        build::LogInfo {
            path: path.to_owned(),
            bytes: 12,
            sha256: "ab".to_owned(),
            tail: vec!["done".to_owned()],
        }
    }

    fn output() -> build::OutputFile {
        build::OutputFile {
            path: "out/his.jar".to_owned(),
            size: 9,
            sha256: "cd".to_owned(),
        }
    }

    /// A build record with every optional field given (`full`) or none.
    fn record(full: bool) -> BuildRecord {
        BuildRecord {
            command: "make".to_owned(),
            workdir: "src".to_owned(),
            isolation: build::Isolation::Landlock,
            isolation_detail: "landlock".to_owned(),
            fallback_reason: full.then(|| "no bwrap".to_owned()),
            network: false,
            timeout_secs: 60,
            max_processes: 10,
            max_memory: 1024,
            build_path: "/tmp/b1".to_owned(),
            source_date_epoch: full.then_some(1_700_000_000),
            status: build::BuildStatus::Failed,
            exit_code: Some(2),
            signal: None,
            duration_ms: 1500,
            toolchain: vec![build::ToolVersion {
                command: "javac -version".to_owned(),
                exit_code: None,
                output: vec!["javac 17".to_owned()],
            }],
            outputs: vec![output()],
            log: log("/tmp/b.log"),
            reproducible: full.then(|| build::Rebuild {
                build_path: "/tmp/b2".to_owned(),
                status: build::BuildStatus::TimedOut,
                duration_ms: 60_000,
                outputs: vec![output()],
                differing: vec!["out/his.jar".to_owned()],
                log: log("/tmp/b.log.2"),
            }),
        }
    }

    const MANIFEST: &str = r#"
schema-version = 1
[[database]]
id = "his-db"
name = "HIS database"
paths = ["db/**"]
"#;

    fn folder(name: &str, direct: bool, languages: &[(&str, u64)]) -> Folder {
        Folder {
            folder: name.to_owned(),
            direct,
            files: 7,
            bytes: 700,
            languages: languages
                .iter()
                .map(|(l, n)| ((*l).to_owned(), *n))
                .collect(),
            whole: !direct,
        }
    }

    fn coverage() -> Coverage {
        Coverage {
            source_files: 40,
            uncovered: Summary {
                files: 19,
                bytes: 1900,
                folders: vec![
                    folder(
                        "his/his-register",
                        false,
                        &[("java", 6), ("xml (mapper)", 1)],
                    ),
                    folder("his", true, &[]),
                ],
            },
            third_party: Summary {
                files: 3,
                bytes: 300,
                folders: vec![folder("web/node_modules", false, &[("js", 3)])],
            },
            other_files: 2,
            other_bytes: 200,
        }
    }

    /// A check report built by `Report::new` and `with_build` from library values.
    fn report(full: bool) -> Report {
        let manifest = crate::manifest::parse(MANIFEST).expect("a valid manifest");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        let delivery = crate::delivery::open(dir.path(), &NoProgress).unwrap();
        let outcome = Outcome {
            requirements: vec![requirement(RequirementKind::Database, full.then_some(5))],
            findings: Vec::new(),
            scan: Some(ScanSummary {
                files: 1,
                bytes: 2,
                text_files: 3,
                truncated: 4,
                third_party_files: 5,
                rules: 6,
            }),
            coverage: full.then(coverage),
            allowed: vec![Allowed {
                code: "secret-in-source".to_owned(),
                rule: full.then(|| "password".to_owned()),
                paths: vec!["test/**".to_owned()],
                reason: "test data".to_owned(),
                silenced: 3,
            }],
            baseline: None,
        };
        Report::new(
            &manifest,
            &delivery,
            outcome,
            "2026-01-02T03:04:05Z".to_owned(),
        )
        .with_build(Some(&record(full)))
    }

    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    /// The JSON of the stages' results is fixed here, key by key and in order: a field added to
    /// `RequirementResult`, `ScanSummary`, `Allowed`, `BuildRecord` or the types inside it does
    /// not reach the report unless its mirror (and this test) gain it too.
    #[test]
    fn the_report_json_of_every_stage_is_the_report_layers() {
        let r = report(true);
        assert_eq!(
            json(&r.requirements),
            r#"[{"kind":"database","id":"his-db","name":"HIS database","status":"unmet","matched_files":2,"matched_bytes":300,"paths":["db/**"],"evidence":"2 scripts","evidence_zh":"2 个脚本","sample":["db/a.sql","db/b.sql"],"source_files":7,"tables":5,"documents":[{"path":"docs/db.docx","format":"docx","words":120,"readable":true,"placeholder":false,"encoding":"UTF-8","truncated":true,"template_phrases":2},{"path":"docs/old.doc","format":null,"words":null,"readable":false,"placeholder":false,"unreadable":{"en":"no reader","zh":"无法读取"}}],"cross_checks":[{"covers":"dependencies","items":3,"named":2,"percent":66,"min_percent":80,"missing":["gson"],"versions_differ":[{"name":"junit","declared":"4.13","documented":"4.12"}]}]}]"#
        );
        assert_eq!(
            json(&r.scan),
            r#"{"files":1,"bytes":2,"text_files":3,"truncated":4,"third_party_files":5,"rules":6}"#
        );
        assert_eq!(
            json(&r.allowed),
            r#"[{"code":"secret-in-source","rule":"password","paths":["test/**"],"reason":"test data","silenced":3}]"#
        );
        assert_eq!(
            json(&r.uncovered),
            concat!(
                r#"{"source_files":40,"files":19,"bytes":1900,"folders":["#,
                r#"{"folder":"his/his-register","direct":false,"files":7,"bytes":700,"#,
                r#""languages":[{"language":"java","files":6},{"language":"xml (mapper)","files":1}]},"#,
                r#"{"folder":"his","direct":true,"files":7,"bytes":700,"languages":[]}],"#,
                r#""third_party_files":3,"third_party_bytes":300,"third_party_folders":["#,
                r#"{"folder":"web/node_modules","direct":false,"files":7,"bytes":700,"#,
                r#""languages":[{"language":"js","files":3}]}],"other_files":2,"other_bytes":200}"#
            )
        );
        assert_eq!(
            json(&r.build),
            concat!(
                r#"{"command":"make","workdir":"src","isolation":"landlock","isolation_detail":"landlock","#,
                r#""fallback_reason":"no bwrap","network":false,"timeout_secs":60,"max_processes":10,"#,
                r#""max_memory":1024,"build_path":"/tmp/b1","source_date_epoch":1700000000,"#,
                r#""status":"failed","exit_code":2,"signal":null,"duration_ms":1500,"#,
                r#""toolchain":[{"command":"javac -version","exit_code":null,"output":["javac 17"]}],"#,
                r#""outputs":[{"path":"out/his.jar","size":9,"sha256":"cd"}],"#,
                r#""log":{"path":"/tmp/b.log","bytes":12,"sha256":"ab","tail":["done"]},"#,
                r#""reproducible":{"build_path":"/tmp/b2","status":"timed-out","duration_ms":60000,"#,
                r#""outputs":[{"path":"out/his.jar","size":9,"sha256":"cd"}],"differing":["out/his.jar"],"#,
                r#""log":{"path":"/tmp/b.log.2","bytes":12,"sha256":"ab","tail":["done"]}}}"#
            )
        );
    }

    /// Optional keys are left out when empty, as before the mirrors; `null`s stay.
    #[test]
    fn empty_optional_keys_are_left_out() {
        let r = report(false);
        let req = json(&r.requirements);
        assert!(!req.contains("\"tables\""), "{req}");
        assert!(req.contains("\"source_files\":7"), "{req}");
        assert!(!json(&r.allowed).contains("\"rule\""));
        let b = json(&r.build);
        for key in ["fallback_reason", "source_date_epoch", "reproducible"] {
            assert!(!b.contains(&format!("\"{key}\"")), "{key} in {b}");
        }
        assert!(b.contains(r#""signal":null"#), "{b}");
        let mut r = r;
        r.scan = None;
        r.allowed.clear();
        r.build = None;
        let all: serde_json::Value = serde_json::to_value(&r).unwrap();
        for key in ["scan", "uncovered", "allowed", "build"] {
            assert!(all.get(key).is_none(), "{key} in {all}");
        }
    }

    /// The report reads back strictly: what it wrote parses to the same report, and a key the
    /// mirrors do not know is refused (a stored report with one fails `audit`).
    #[test]
    fn the_report_reads_back_strictly() {
        for full in [true, false] {
            let r = report(full);
            let back: Report = serde_json::from_str(&json(&r)).unwrap();
            assert_eq!(back, r);
        }
        let mut v = serde_json::to_value(report(true)).unwrap();
        for pointer in [
            "/requirements/0",
            "/requirements/0/documents/0",
            "/requirements/0/documents/1/unreadable",
            "/requirements/0/cross_checks/0",
            "/requirements/0/cross_checks/0/versions_differ/0",
            "/scan",
            "/uncovered",
            "/uncovered/folders/0",
            "/uncovered/folders/0/languages/0",
            "/uncovered/third_party_folders/0",
            "/allowed/0",
            "/build",
            "/build/toolchain/0",
            "/build/outputs/0",
            "/build/log",
            "/build/reproducible",
        ] {
            let mut extra = v.clone();
            extra
                .pointer_mut(pointer)
                .and_then(serde_json::Value::as_object_mut)
                .unwrap()
                .insert("added".to_owned(), 1.into());
            let err = serde_json::from_value::<Report>(extra).unwrap_err();
            assert!(
                err.to_string().contains("unknown field `added`"),
                "{pointer}: {err}"
            );
        }
        v["build"]["isolation"] = "chroot".into();
        assert!(serde_json::from_value::<Report>(v).is_err());
    }

    /// The enums' names in the human reports are their JSON spellings, and the library's.
    #[test]
    fn enum_names_match_their_json_and_the_library() {
        for k in [
            RequirementKind::Module,
            RequirementKind::Document,
            RequirementKind::Database,
            RequirementKind::Dependencies,
        ] {
            let info = RequirementKindInfo::new(k);
            assert_eq!(info.as_str(), k.as_str());
            assert_eq!(info.zh(), kind_zh(k));
            assert_eq!(serde_json::to_value(info).unwrap(), info.as_str());
        }
        for i in [
            build::Isolation::Bwrap,
            build::Isolation::Landlock,
            build::Isolation::Unshare,
            build::Isolation::None,
        ] {
            let info = IsolationInfo::new(i);
            assert_eq!(info.as_str(), i.as_str());
            assert_eq!(serde_json::to_value(info).unwrap(), info.as_str());
        }
        let statuses = [
            (build::BuildStatus::Succeeded, "succeeded"),
            (build::BuildStatus::Failed, "failed"),
            (build::BuildStatus::TimedOut, "timed-out"),
        ];
        for (s, name) in statuses {
            assert_eq!(serde_json::to_value(BuildStatusInfo::new(s)).unwrap(), name);
        }
        for (s, name) in [
            (RequirementStatus::Met, "met"),
            (RequirementStatus::Unmet, "unmet"),
        ] {
            let info = RequirementStatusInfo::new(s);
            assert_eq!(serde_json::to_value(info).unwrap(), name);
        }
    }
}
