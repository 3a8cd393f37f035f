//! The report layer: one serializable document per command (the check [`Report`] and the
//! documents in [`docs`]), and pure renderers, one per format (human in English or Chinese,
//! JSON). Commands build a document and call [`render`]; they format nothing themselves.
//! Human reports show times in China Standard Time with the zone named ([`cst_time`]); JSON
//! keeps RFC 3339 UTC.
//!
//! Every wire type is the report layer's own: the stages' results (requirement results, the
//! scan's summary, the allowances, the build record) are mirrored field by field
//! ([`RequirementInfo`], [`ScanInfo`], [`AllowedInfo`], [`BuildInfo`]) and converted once, in
//! [`Report::new`] and [`Report::with_build`], so a field added to a library struct does not
//! change the JSON.

pub mod check_page;
mod clock;
pub mod docs;
mod human;
pub mod page;
mod render;
mod sarif;
pub mod since;
mod wire;

use serde::{Deserialize, Serialize};

pub use clock::cst_time;
pub use human::{Lang, render_human};
pub use render::html::external_references as html_external_references;
pub use render::{
    Document, HumanStyle, OutputFormat, RenderError, render, render_json, render_page,
    terminal_safe,
};
pub use wire::{
    AllowedInfo, BaselineInfo, BilingualInfo, BuildInfo, BuildLogInfo, BuildStatusInfo,
    CrossCheckInfo, DocumentInfo, FolderInfo, IsolationInfo, LanguageInfo, OutputFileInfo,
    RebuildInfo, RequirementInfo, RequirementKindInfo, RequirementStatusInfo, ScanInfo,
    ToolVersionInfo, UncoveredInfo,
};

use crate::checks::{RequirementResult, RequirementStatus as Status};
use crate::delivery::{Delivery, EntryKind};
use crate::finding::{Finding, Severity};
use crate::manifest::Manifest;

pub use docs::SourceInfo;

/// Everything the stages found: the requirement checks, the scan, the build and the
/// comparison, with the policy's allowances.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// One result per requirement, in manifest order.
    pub requirements: Vec<RequirementResult>,
    /// Every finding of every stage.
    pub findings: Vec<Finding>,
    /// The technical-barrier scan's summary, when it ran.
    pub scan: Option<crate::scan::ScanSummary>,
    /// The delivered files no requirement matches, when the requirement checks ran.
    pub coverage: Option<crate::checks::coverage::Coverage>,
    /// `[[allow]]` entries and how many findings each silenced: filled by the policy step
    /// (`crate::policy`), empty when the checks return.
    pub allowed: Vec<crate::scan::Allowed>,
    /// What the baseline file silenced: filled by the policy step when one was given.
    pub baseline: Option<BaselineInfo>,
}

/// The JSON report's schema version. Bump it on any incompatible change.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The check's outcome; JSON: `pass`, `fail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No finding of severity `deny`.
    Pass,
    /// At least one `deny` finding.
    Fail,
}

/// The program that wrote a report: `{"name": "escrow", "version": "0.1.0"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// Always `escrow`.
    pub name: String,
    /// The version of escrow (Cargo package version).
    pub version: String,
}

/// The manifest the delivery was checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestInfo {
    /// The manifest's path as given on the command line.
    pub path: String,
    /// SHA-256 of the manifest file's bytes, 64 hex digits.
    pub sha256: String,
}

/// The manifest's `[contract]` table as the report gives it (a mirror: a key added to the
/// manifest does not reach the report unless added here).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractInfo {
    /// The contract's number as the parties write it; `null` when the manifest has none.
    pub id: Option<String>,
    /// The contract's or project's title; `null` when the manifest has none.
    pub title: Option<String>,
    /// The party that receives the software (the hospital); `null` when not given.
    pub client: Option<String>,
    /// The party that delivers it; `null` when not given.
    pub vendor: Option<String>,
    /// Updates are due this long after each go-live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_deadline: Option<String>,
    /// The full delivery is due this long after the final payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_deadline: Option<String>,
    /// "cn" or "mon-fri".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// Questions to the vendor are answered this long after they are asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_deadline: Option<String>,
    /// The day the contract was signed (合同日期), `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The contract's clause numbers per criterion (`[contract.clauses]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clauses: Option<ClausesInfo>,
}

/// The contract's clause numbers per acceptance criterion, as the manifest's
/// `[contract.clauses]` gives them (a mirror of `manifest::Clauses`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClausesInfo {
    /// ① completeness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<String>,
    /// ② buildability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buildability: Option<String>,
    /// ③ no technical barriers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barriers: Option<String>,
    /// ④ documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// Updates after each go-live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updates: Option<String>,
    /// Technical support (answers to questions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<String>,
}

impl ContractInfo {
    /// The wire form of a manifest's `[contract]`.
    pub fn new(c: &crate::manifest::Contract) -> ContractInfo {
        ContractInfo {
            id: c.id.clone(),
            title: c.title.clone(),
            client: c.client.clone(),
            vendor: c.vendor.clone(),
            update_deadline: c.update_deadline.clone(),
            delivery_deadline: c.delivery_deadline.clone(),
            calendar: c.calendar.clone(),
            answer_deadline: c.answer_deadline.clone(),
            date: c.date.clone(),
            clauses: c.clauses.as_ref().map(|k| ClausesInfo {
                completeness: k.completeness.clone(),
                buildability: k.buildability.clone(),
                barriers: k.barriers.clone(),
                documentation: k.documentation.clone(),
                updates: k.updates.clone(),
                support: k.support.clone(),
            }),
        }
    }
}

/// The delivery that was checked: where it came from, its counts and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryInfo {
    /// The delivery's path as the user gave it (folder, archive or git repository).
    pub path: String,
    /// Where the delivery came from (folder, archive, git), with its details.
    pub source: SourceInfo,
    /// Regular files.
    pub files: u64,
    /// Bytes in regular files.
    pub bytes: u64,
    /// Folders.
    pub directories: u64,
    /// Symbolic links.
    pub symlinks: u64,
    /// Special files (devices, FIFOs, sockets), skipped.
    pub special: u64,
    /// SHA-256 over the whole inventory (paths, modes, contents, link targets).
    pub digest: String,
    /// SM3 (GB/T 32905-2016) over the same inventory, for hospitals that use the national
    /// commercial cryptography standards (absent from reports written before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_sm3: Option<String>,
}

/// The report's counts: requirements by status and findings by severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Requirements checked.
    pub requirements: u64,
    /// Requirements met.
    pub met: u64,
    /// Requirements not met.
    pub unmet: u64,
    /// Findings of severity `deny` (each one fails the check).
    pub deny: u64,
    /// Findings of severity `warn`.
    pub warn: u64,
    /// Findings of severity `info`.
    pub info: u64,
}

/// A check report: what was checked, against what, and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// The report's schema version ([`REPORT_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The escrow that wrote the report.
    pub tool: Tool,
    /// UTC, RFC 3339.
    pub generated_at: String,
    /// `fail` when any `deny` finding remains, else `pass`.
    pub verdict: Verdict,
    /// The manifest's `[contract]` table (all `null` when it has none).
    pub contract: ContractInfo,
    /// The manifest checked against.
    pub manifest: ManifestInfo,
    /// The delivery checked.
    pub delivery: DeliveryInfo,
    /// One result per requirement, in manifest order.
    pub requirements: Vec<RequirementInfo>,
    /// Every finding of every stage, most severe first, then by requirement
    /// (manifest order), then by path.
    pub findings: Vec<Finding>,
    /// The counts of requirements and findings.
    pub totals: Totals,
    /// What the technical-barrier scan looked at (absent when the manifest switched it off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<ScanInfo>,
    /// The delivered files no requirement matches, by folder (absent from `escrow build`'s
    /// reports and from reports written before escrow summarised them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncovered: Option<UncoveredInfo>,
    /// Every `[[allow]]` entry with its reason and how many findings it silenced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<AllowedInfo>,
    /// The baseline file given with `--baseline`: how many findings it silenced, how many of
    /// its entries are stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineInfo>,
    /// The isolated build (`--build`): what ran, how it was isolated, what it made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildInfo>,
}

impl Report {
    /// Assemble a report. `generated_at` is passed in so callers (and tests) fix "now".
    pub fn new(
        manifest: &Manifest,
        delivery: &Delivery,
        outcome: Outcome,
        generated_at: String,
    ) -> Report {
        let inv = &delivery.inventory;
        let mut findings = outcome.findings;
        // Most severe first, then by requirement order of appearance, then path.
        let order: Vec<&str> = outcome.requirements.iter().map(|r| r.id.as_str()).collect();
        let pos = |f: &Finding| {
            f.requirement
                .as_deref()
                .and_then(|id| order.iter().position(|o| *o == id))
                .unwrap_or(usize::MAX)
        };
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(pos(a).cmp(&pos(b)))
                .then(a.path.cmp(&b.path))
        });
        let count = |s| findings.iter().filter(|f| f.severity == s).count() as u64;
        let met = outcome
            .requirements
            .iter()
            .filter(|r| r.status == Status::Met)
            .count() as u64;
        let totals = Totals {
            requirements: outcome.requirements.len() as u64,
            met,
            unmet: outcome.requirements.len() as u64 - met,
            deny: count(Severity::Deny),
            warn: count(Severity::Warn),
            info: count(Severity::Info),
        };
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            tool: Tool {
                name: "escrow".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            generated_at,
            verdict: if totals.deny > 0 {
                Verdict::Fail
            } else {
                Verdict::Pass
            },
            contract: ContractInfo::new(&manifest.contract),
            manifest: ManifestInfo {
                path: manifest.path.display().to_string(),
                sha256: manifest.sha256.clone(),
            },
            delivery: DeliveryInfo {
                path: delivery.source.path.clone(),
                source: SourceInfo::new(&delivery.source),
                files: inv.file_count(),
                bytes: inv.total_bytes(),
                directories: inv.count(EntryKind::Dir),
                symlinks: inv.count(EntryKind::Symlink),
                special: inv.count(EntryKind::Special),
                digest: inv.digest(),
                digest_sm3: Some(inv.digest_sm3()),
            },
            requirements: outcome
                .requirements
                .iter()
                .map(RequirementInfo::new)
                .collect(),
            findings,
            totals,
            scan: outcome.scan.as_ref().map(ScanInfo::new),
            uncovered: outcome.coverage.as_ref().map(UncoveredInfo::new),
            allowed: outcome.allowed.iter().map(AllowedInfo::new).collect(),
            baseline: outcome.baseline,
            build: None,
        }
    }

    /// The report with the build's record attached (its findings are already in the outcome).
    #[must_use]
    pub fn with_build(mut self, build: Option<&crate::build::BuildRecord>) -> Report {
        self.build = build.map(BuildInfo::new);
        self
    }
}

impl Document for Report {
    fn render_human(&self, style: HumanStyle, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        human::render_human(self, style.lang, style.color, out)
    }

    fn page(&self, lang: Lang) -> Option<page::Page> {
        Some(check_page::acceptance_page(self, lang, None))
    }

    fn sarif(&self, lang: Lang) -> Option<serde_json::Value> {
        Some(sarif::log(self, lang))
    }
}
