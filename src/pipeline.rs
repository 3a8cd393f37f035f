//! The one pipeline every command that looks at a delivery runs, configured, not copied:
//!
//! 1. ingest: the staged tree and its inventory (the scan inspects each file as it is hashed;
//!    a deposit also stores new contents in the vault as they are read);
//! 2. the requirement checks and the scan's tree-wide pass (`check`, `deposit`);
//! 3. the isolated build (`--build`, `escrow build`);
//! 4. the comparison with the previous snapshot (`deposit`, against the ledger as it stands; checked again if another writer commits first);
//! 5. the policy: `[severity]`, `[[allow]]` and the baseline, once, over the findings of every stage;
//! 6. the report and its verdict (and, for a deposit, the snapshot and its ledger entry).
//!
//! `escrow check` runs 1, 2, 5, 6; `check --build` adds 3; `escrow build` runs 1, 3, 5, 6;
//! `deposit` runs them all.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::checks::{self, compare};
use crate::delivery::{self, Delivery, inventory::ContentSink};
use crate::manifest::{self, Manifest};
use crate::policy::{Policy, baseline::Baseline};
use crate::progress::Progress;
use crate::report::{Outcome, Report, Verdict};
use crate::vault::{self, snapshot::Note};
use crate::{build, scan, text};

/// Errors from running the pipeline: a check, a build or a deposit.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The manifest cannot be read or is invalid.
    #[error(transparent)]
    Manifest(#[from] manifest::ManifestError),
    /// The delivery cannot be read (missing, unsafe archive, bounds exceeded, …).
    #[error(transparent)]
    Delivery(#[from] delivery::DeliveryError),
    /// The vault refused or failed (locked, label taken, damaged, I/O).
    #[error(transparent)]
    Vault(#[from] vault::VaultError),
    /// The build could not be attempted (no sandbox, interrupted, I/O).
    #[error(transparent)]
    Build(#[from] build::BuildError),
    /// A build was asked for, but the manifest at `path` has no `[build]`.
    #[error("{}: the manifest has no [build] table, so --build has nothing to run; add one (see manifests/template.toml: command, timeout, outputs, …) or run without --build", path.display())]
    NoBuild {
        /// The manifest's path as given.
        path: PathBuf,
    },
    /// The change note at `path` cannot be read.
    #[error("{}: cannot read the change note: {source}; check the path given to --note", path.display())]
    Note {
        /// The change note's path as given with `--note`.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

/// Which stages run besides ingest, policy and report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stages<'a> {
    /// The requirement checks and the scan. Off for `escrow build`, whose report holds only what
    /// ingest noted about the delivery and the build's findings.
    pub checks: bool,
    /// The manifest's isolated build, with these options; the manifest must have a `[build]`.
    pub build: Option<&'a build::Options>,
}

impl<'a> Stages<'a> {
    /// `escrow check`, and `check --build` with `build`.
    pub fn check(build: Option<&'a build::Options>) -> Stages<'a> {
        Stages {
            checks: true,
            build,
        }
    }

    /// `escrow build`: only the build.
    pub fn build_only(options: &'a build::Options) -> Stages<'a> {
        Stages {
            checks: false,
            build: Some(options),
        }
    }
}

/// A delivery to look at, against a manifest.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// A folder, an archive or a git repository.
    pub delivery: &'a Path,
    /// The contract manifest (TOML).
    pub manifest: &'a Path,
    /// The report's time: UTC, RFC 3339 (passed in so callers and tests fix "now").
    pub generated_at: String,
    /// How to read the delivery (archive bounds, git ref).
    pub ingest: &'a delivery::Ingest,
    /// The stages to run besides ingest, policy and report.
    pub stages: Stages<'a>,
    /// Findings accepted one by one (`--baseline FILE`), silenced after `[[allow]]`.
    pub baseline: Option<&'a Baseline>,
}

/// Run the pipeline without a vault (`check`, `check --build`, `build`): the report.
pub fn run(request: &Request<'_>, progress: &dyn Progress) -> Result<Report, CheckError> {
    let manifest = manifest::load(request.manifest)?;
    build_spec(&manifest, request.stages)?;
    let (delivery, scanner) = ingest(
        &manifest,
        request.delivery,
        request.ingest,
        None,
        request.stages,
        progress,
    );
    let delivery = delivery?;
    let inspected = inspect(
        &manifest,
        &delivery,
        scanner.as_deref(),
        request.stages,
        progress,
    )?;
    Ok(decide(
        &manifest,
        &delivery,
        inspected,
        request.generated_at.clone(),
        request.baseline,
    ))
}

/// Check a delivery folder against a manifest file: the whole `escrow check` pipeline.
pub fn check(
    delivery_path: &Path,
    manifest_path: &Path,
    generated_at: String,
    ingest: &delivery::Ingest,
    progress: &dyn Progress,
) -> Result<Report, CheckError> {
    run(
        &Request {
            delivery: delivery_path,
            manifest: manifest_path,
            generated_at,
            ingest,
            stages: Stages::check(None),
            baseline: None,
        },
        progress,
    )
}

/// What `deposit` needs besides the vault.
pub struct DepositArgs<'a> {
    /// A folder, an archive or a git repository.
    pub delivery: &'a Path,
    /// The contract manifest (TOML).
    pub manifest: &'a Path,
    /// The snapshot's label: unique in the vault, not empty.
    pub label: String,
    /// A change note file (修改说明), stored with the snapshot.
    pub note: Option<&'a Path>,
    /// UTC, RFC 3339.
    pub now: String,
    /// How to read the delivery (archive bounds, git ref).
    pub ingest: delivery::Ingest,
    /// Run the manifest's isolated build too, and keep its log with the snapshot.
    pub build: Option<build::Options>,
    /// Findings accepted one by one (`--baseline FILE`), silenced after `[[allow]]`.
    pub baseline: Option<&'a Baseline>,
    /// `--for`: the names of the go-lives this deposit answers.
    pub answers: Vec<String>,
    /// `--amend-terms REASON`: the manifest's contract terms replace those in force for the
    /// vault, for obligations that start from the deposit's day on; the reason is recorded.
    pub amend_terms: Option<String>,
}

/// A vault whose deposits predate recorded terms: the first deposit that records them must
/// state the terms of the latest deposit's manifest (else `--amend-terms`).
fn legacy_terms(
    vault: &vault::Vault,
    entries: &[vault::LedgerEntry],
    terms: &str,
    amend: bool,
) -> Result<(), CheckError> {
    if amend || vault::ledger::terms_in_force(entries).is_some() {
        return Ok(());
    }
    let Some(last) = entries.iter().rev().find(|e| e.event == "deposit") else {
        return Ok(());
    };
    let Ok(rec) = vault.load_snapshot(&last.snapshot) else {
        return Ok(());
    };
    let Ok(old) = manifest::parse(&rec.manifest.text) else {
        return Ok(());
    };
    let held = terms_text(&old)?;
    if held != terms {
        return Err(vault::VaultError::TermsChanged {
            path: vault.root.clone(),
            held,
            held_label: last.label.clone(),
            given: terms.to_owned(),
        }
        .into());
    }
    Ok(())
}

/// What the deposit is, for `begin`.
fn intent(
    manifest: &Manifest,
    args: &DepositArgs<'_>,
) -> Result<vault::deposit::Intent, CheckError> {
    Ok(vault::deposit::Intent {
        label: args.label.clone(),
        contract: manifest.contract.id.clone().unwrap_or_default(),
        answers: args.answers.clone(),
        terms: terms_text(manifest)?,
        amend_terms: args.amend_terms.clone(),
    })
}

/// The manifest's contract terms, normalised as the ledger records them.
fn terms_text(manifest: &Manifest) -> Result<String, CheckError> {
    let c = &manifest.contract;
    let terms = crate::obligations::Terms::from_contract(
        c.update_deadline.as_deref(),
        c.delivery_deadline.as_deref(),
        c.answer_deadline.as_deref(),
    )
    .map_err(|e| vault::VaultError::Invalid {
        message: format!("{}: {e}", manifest.path.display()),
    })?;
    Ok(terms.to_text(c.calendar.as_deref().unwrap_or("cn")))
}

pub use crate::report::docs::Deposited;

/// Refuse, before the long work, a label already taken, another contract's delivery, or a
/// go-live name not on record; `begin` checks them again against the ledger, and the commit again if another writer records first.
fn precheck(
    vault: &vault::Vault,
    manifest: &Manifest,
    args: &DepositArgs<'_>,
) -> Result<(), CheckError> {
    let led = vault.ledger()?;
    if let Some(e) = led
        .entries
        .iter()
        .find(|e| e.event == "deposit" && e.label == args.label)
    {
        return Err(vault::VaultError::LabelTaken {
            label: args.label.clone(),
            id: vault::short(&e.snapshot).to_owned(),
        }
        .into());
    }
    vault::deposit::check_contract(
        vault,
        &led.entries,
        manifest.contract.id.as_deref().unwrap_or_default(),
    )?;
    let terms = terms_text(manifest)?;
    vault::deposit::check_terms(vault, &led.entries, &terms, args.amend_terms.is_some())?;
    legacy_terms(vault, &led.entries, &terms, args.amend_terms.is_some())?;
    vault::deposit::resolve_golives(&led.entries, &args.answers)?;
    Ok(())
}

/// Check a delivery and deposit it in the vault, whatever the verdict: every stage, the
/// comparison with the ledger as it stands (read once the checks and the build are done, and
/// again at the commit if another writer recorded an entry meanwhile).
pub fn deposit(
    vault: &vault::Vault,
    args: &DepositArgs<'_>,
    progress: &dyn Progress,
) -> Result<Deposited, CheckError> {
    let manifest = manifest::load(args.manifest)?;
    let stages = Stages::check(args.build.as_ref());
    build_spec(&manifest, stages)?;
    let note = read_note(args.note)?;
    refuse_vault_inside(vault, args.delivery)?;
    vault.require_current()?;
    precheck(vault, &manifest, args)?;
    // One pass over the delivery: hashing for the inventory and storing new contents.
    let store = vault::deposit::Store::start(vault)?;
    let (opened, scanner) = ingest(
        &manifest,
        args.delivery,
        &args.ingest,
        Some(&store),
        stages,
        progress,
    );
    // A failed pack writer also fails the walk: report the writer's error, the real cause.
    let prestored = store.finish()?;
    let delivery = opened?;
    if args.ingest.with_history && delivery.history.is_none() {
        return Err(vault::VaultError::Invalid {
            message: "--with-history keeps a git repository's history: the delivery is not a git repository (give its URL or bare repository path)".to_owned(),
        }
        .into());
    }
    let mut inspected = inspect(&manifest, &delivery, scanner.as_deref(), stages, progress)?;

    let begun = vault::deposit::begin(vault, &intent(&manifest, args)?)?;
    let entries = vault::deposit::entries(&delivery);
    let diff = begun.previous.as_ref().map(|prev| {
        let d = compare::with_previous(
            &prev.id,
            &prev.record,
            &prev.entries,
            &args.label,
            &args.now,
            &entries,
            &manifest.requirements,
        );
        let found = update_findings(
            &d,
            note.as_ref(),
            &new_lines(vault, &prev.entries, &inspected.change_notes),
            &compare::lost_sources(&prev.entries, &entries, &manifest.requirements),
            &manifest.requirements,
        );
        inspected.outcome.findings.extend(found);
        d
    });
    let build_log = inspected.build.as_ref().map(|(_, log)| log.clone());
    let mut report = decide(
        &manifest,
        &delivery,
        inspected,
        args.now.clone(),
        args.baseline,
    );
    let since = mark_since(&mut report, begun.previous.as_ref(), args.baseline);
    let committed = begun.commit(
        vault::deposit::Commit {
            delivery: &delivery,
            entries,
            manifest: vault::snapshot::StoredManifest {
                path: manifest.path.display().to_string(),
                sha256: manifest.sha256.clone(),
                text: manifest.text.clone(),
            },
            note,
            now: args.now.clone(),
            prestored,
            report: serde_json::value::to_raw_value(&report).expect("reports serialize"),
            verdict: match report.verdict {
                Verdict::Pass => "pass",
                Verdict::Fail => "fail",
            }
            .to_owned(),
            build_log,
        },
        progress,
    )?;
    Ok(Deposited {
        diff: diff.map(|mut d| {
            d.new.id.clone_from(&committed.id);
            d
        }),
        id: committed.id,
        seq: committed.seq,
        since,
        report,
        new_objects: committed.new_objects,
        new_bytes: committed.new_bytes,
        reused_objects: committed.reused_objects,
        ledger_head: committed.ledger_head,
    })
}

/// What each change-notes document (path, text) says that its version in the previous snapshot
/// (`previous`, read from `vault`) did not: its lines not found there, trimmed. A change log
/// keeps its history, and an old entry naming a module says nothing about this update. A
/// document new in this update, or whose old version cannot be read, counts whole.
fn new_lines(
    vault: &vault::Vault,
    previous: &[vault::snapshot::RecEntry],
    change_notes: &[(String, String)],
) -> Vec<(String, String)> {
    change_notes
        .iter()
        .map(|(path, text)| {
            let old = previous
                .iter()
                .find(|e| e.path.as_deref() == Some(path.as_str()))
                .and_then(|e| e.sha256.as_deref())
                .and_then(|sha| {
                    let index = vault::pack::Index::load(vault).ok()?;
                    let bytes = vault::pack::read_object(vault, &index, sha).ok()?;
                    crate::doctext::extract(
                        path.as_bytes(),
                        &mut bytes.as_slice(),
                        bytes.len() as u64,
                        &crate::doctext::Limits::default(),
                    )
                    .ok()
                });
            let Some(old) = old else {
                return (path.clone(), text.clone());
            };
            let before: std::collections::HashSet<&str> = old.text.lines().map(str::trim).collect();
            let added: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !before.contains(l))
                .collect();
            (path.clone(), added.join("\n"))
        })
        .collect()
}

/// The findings of an update against the previous snapshot (`compare::findings`), and the
/// modules the change notes never mention: `note` (`--note`) and the `change_notes` documents
/// (those covering `changes`: path and text) that were added or modified in this update. A
/// change log left as it was describes an earlier update, and one that keeps its history
/// names every module sooner or later, so an unchanged one is no note for this update.
fn update_findings(
    d: &vault::diff::Diff,
    note: Option<&Note>,
    change_notes: &[(String, String)],
    lost: &compare::LostSources,
    requirements: &[checks::Requirement],
) -> Vec<crate::finding::Finding> {
    let changed: std::collections::HashSet<&str> = d
        .modules
        .iter()
        .flat_map(|g| &g.changes)
        .filter(|c| c.change != vault::diff::ChangeKind::Removed)
        .map(|c| c.path.as_str())
        .collect();
    let documents: Vec<&str> = change_notes
        .iter()
        .filter(|(path, text)| changed.contains(path.as_str()) && !text.trim().is_empty())
        .map(|(_, text)| text.as_str())
        .collect();
    let mut out = compare::findings(d, note.is_some() || !documents.is_empty(), lost);
    let mut notes = note.map(|n| n.text.clone()).unwrap_or_default();
    for text in documents {
        notes.push('\n');
        notes.push_str(text);
    }
    out.extend(compare::unmentioned_modules(d, &notes, requirements));
    out
}

/// Mark the report's findings new or not against the previous snapshot's stored report, and
/// list the resolved ones. A previous report that does not read (written by another escrow)
/// marks nothing.
fn mark_since(
    report: &mut Report,
    previous: Option<&vault::deposit::Previous>,
    baseline: Option<&Baseline>,
) -> Option<crate::report::since::FindingsSince> {
    let prev = previous?;
    let before: Report = serde_json::from_str(prev.record.report.get()).ok()?;
    let mut since =
        crate::report::since::mark(&mut report.findings, &before.findings, &prev.record.label);
    // A finding the baseline now accepts is still in the delivery: accepted, not resolved.
    if let Some(b) = baseline {
        since.resolved.retain(|f| !b.accepts(f));
    }
    Some(since)
}

/// The report stored with a snapshot, read back.
///
/// Errors: `Corrupt` when it does not parse as a report (written by another version of escrow).
pub fn stored_report(
    vault: &vault::Vault,
    id: &str,
    record: &vault::SnapshotRecord,
) -> Result<Report, CheckError> {
    serde_json::from_str(record.report.get()).map_err(|e| {
        vault::VaultError::Corrupt {
            path: vault.snapshots_dir().join(format!("{id}.json.zst")),
            message: crate::text::terminal_safe(&format!(
                "the report stored with the snapshot does not parse: {e}"
            ))
            .into_owned(),
        }
        .into()
    })
}

/// `escrow audit`: the vault's own audit (every object, snapshot and ledger entry re-hashed),
/// and every snapshot's stored report read back as a report, which the vault cannot do (to it
/// the report is opaque JSON): a forged record with a recomputed hash chain is caught here.
///
/// Errors: as [`vault::audit::audit`].
pub fn audit(
    vault: &vault::Vault,
    expect_head: Option<&str>,
    repair_index: bool,
    progress: &dyn Progress,
) -> Result<vault::audit::AuditReport, vault::VaultError> {
    let mut report = vault::audit::audit(vault, expect_head, repair_index, progress)?;
    let ledger = vault.ledger()?;
    for e in ledger.entries.iter().filter(|e| e.event == "deposit") {
        // A record that does not load is already named by the vault's audit.
        let Ok(record) = vault.load_snapshot(&e.snapshot) else {
            continue;
        };
        if let Err(err) = serde_json::from_str::<Report>(record.report.get()) {
            report.problems.push(vault::audit::VaultProblem::error(
                vault::audit_codes::AuditCode::ReportUnreadable,
                format!("snapshots/{}.json.zst", e.snapshot),
                crate::text::terminal_safe(&format!(
                    "the report stored with snapshot {:?} does not read as a check report: {err}",
                    e.label
                ))
                .into_owned(),
                "compare the ledger head with the one written down at the deposit; restore the vault from a backup copy, or deposit the delivery again",
            ));
        }
    }
    Ok(report)
}

/// `escrow manifest check MANIFEST [--against DELIVERY]`: the manifest loaded and summarised;
/// with a delivery (a folder, an archive or a git repository, read as `check` reads it, with
/// `ingest`'s bounds, but writing no archive file to disk and scanning nothing), what each of
/// its globs matches there and the delivered source no requirement covers.
///
/// Errors: `Manifest` when the manifest cannot be read or is invalid (every problem);
/// `Delivery` when the delivery cannot be read.
pub fn manifest_check(
    manifest_path: &Path,
    against: Option<(&Path, &delivery::Ingest)>,
    progress: &dyn Progress,
) -> Result<crate::report::docs::ManifestCheckDoc, CheckError> {
    let manifest = manifest::load(manifest_path)?;
    let Some((path, ingest)) = against else {
        return Ok(crate::report::docs::ManifestCheckDoc::new(&manifest, None));
    };
    let mut ingest = ingest.clone();
    // Matching reads names only: no file of an archive needs to be on disk afterwards.
    ingest.keep = Some(Arc::new(checks::Reread::of(&[])));
    ingest.inspector = None;
    let delivery = delivery::open_with(path, progress, None, &ingest)?;
    let matches = checks::matches::matches(
        &manifest.requirements,
        coverage_rules(&manifest),
        &delivery.inventory.entries,
    );
    Ok(crate::report::docs::ManifestCheckDoc::new(
        &manifest,
        Some((&delivery, &matches)),
    ))
}

/// What the stages before the comparison found.
struct Inspected {
    outcome: Outcome,
    /// The documents covering `changes` (change notes delivered with the code): path and text.
    change_notes: Vec<(String, String)>,
    /// The build's record and log file, when the build ran.
    build: Option<(build::BuildRecord, PathBuf)>,
}

/// A build asked for needs the manifest's `[build]`.
fn build_spec<'m>(
    manifest: &'m Manifest,
    stages: Stages<'_>,
) -> Result<Option<&'m manifest::BuildSpec>, CheckError> {
    match (stages.build, &manifest.build) {
        (None, _) => Ok(None),
        (Some(_), Some(spec)) => Ok(Some(spec)),
        (Some(_), None) => Err(CheckError::NoBuild {
            path: manifest.path.clone(),
        }),
    }
}

/// Stage 1: open the delivery, with the scanner (when the checks run and the manifest has the
/// scan on) looking at every file as it is hashed, and `sink` storing contents. Returns the
/// delivery (or why it could not be read) and the scanner, to finish in stage 2.
fn ingest(
    manifest: &Manifest,
    path: &Path,
    ingest: &delivery::Ingest,
    sink: Option<&dyn ContentSink>,
    stages: Stages<'_>,
    progress: &dyn Progress,
) -> (
    Result<Delivery, delivery::DeliveryError>,
    Option<Arc<scan::Scanner>>,
) {
    let scanner = if stages.checks {
        scan::Scanner::for_config(&manifest.scan)
    } else {
        None
    };
    let mut ingest = ingest.clone();
    // Without a build, an archive's files are written to disk only when a check reads them.
    if stages.build.is_none() {
        ingest.keep = Some(Arc::new(checks::Reread::of(&manifest.requirements)));
    }
    ingest.inspector = scanner
        .as_ref()
        .map(|s| Arc::clone(s) as Arc<dyn delivery::inventory::Inspector>);
    (delivery::open_with(path, progress, sink, &ingest), scanner)
}

/// Stages 2 and 3: the requirement checks and the scan (or, without them, only what ingest
/// noted), then the build.
fn inspect(
    manifest: &Manifest,
    delivery: &Delivery,
    scanner: Option<&scan::Scanner>,
    stages: Stages<'_>,
    progress: &dyn Progress,
) -> Result<Inspected, CheckError> {
    let mut outcome = Outcome::default();
    let mut change_notes = Vec::new();
    if stages.checks {
        let checked = checks::run(&manifest.requirements, coverage_rules(manifest), delivery)?;
        outcome.requirements = checked.requirements;
        outcome.findings = checked.findings;
        outcome.coverage = Some(checked.coverage);
        change_notes = checked.change_notes;
        if let Some(scanner) = scanner {
            let (findings, summary) = scanner.finish(delivery);
            outcome.findings.extend(findings);
            outcome.scan = Some(summary);
        }
    } else {
        outcome.findings.clone_from(&delivery.notes);
    }
    let build = match (build_spec(manifest, stages)?, stages.build) {
        (Some(spec), Some(options)) => {
            let built = build::run(spec, delivery, options, progress)?;
            outcome.findings.extend(built.findings);
            Some((built.record, built.log))
        }
        _ => None,
    };
    Ok(Inspected {
        outcome,
        change_notes,
        build,
    })
}

/// What counts as source and as third-party code for the coverage: the manifest's
/// `source-extensions` and `[scan] vendored` globs.
fn coverage_rules(manifest: &Manifest) -> checks::coverage::Rules<'_> {
    checks::coverage::Rules {
        source_extensions: &manifest.source_extensions,
        vendored: &manifest.scan.vendored_set,
    }
}

/// Stages 5 and 6: the policy, once, over the findings of every stage (`[severity]`,
/// `[[allow]]`, then the baseline); then the report and its verdict.
fn decide(
    manifest: &Manifest,
    delivery: &Delivery,
    inspected: Inspected,
    generated_at: String,
    baseline: Option<&Baseline>,
) -> Report {
    let Inspected {
        mut outcome, build, ..
    } = inspected;
    outcome.allowed = Policy::of(manifest).apply(&mut outcome.findings);
    outcome.baseline = baseline.map(|b| b.apply(&mut outcome.findings));
    Report::new(manifest, delivery, outcome, generated_at)
        .with_build(build.as_ref().map(|(r, _)| r))
}

/// A change note given with `--note`: its bytes' hash and its decoded text.
fn read_note(path: Option<&Path>) -> Result<Option<Note>, CheckError> {
    let Some(p) = path else { return Ok(None) };
    let bytes = std::fs::read(p).map_err(|source| CheckError::Note {
        path: p.to_owned(),
        source,
    })?;
    Ok(Some(Note {
        file: p.display().to_string(),
        sha256: crate::hash::sha256_hex(&bytes),
        text: text::decode(&bytes).0,
    }))
}

/// A vault inside the delivery would be deposited into itself while it is written.
fn refuse_vault_inside(vault: &vault::Vault, delivery: &Path) -> Result<(), CheckError> {
    if let (Ok(d), Ok(v)) = (delivery.canonicalize(), vault.root.canonicalize())
        && v.starts_with(&d)
    {
        return Err(vault::VaultError::Invalid {
            message: format!(
                "{}: the vault is inside the delivery {}; keep the vault elsewhere (--vault DIR or $ESCROW_VAULT)",
                vault.root.display(),
                delivery.display()
            ),
        }
        .into());
    }
    Ok(())
}

/// Compare two stored snapshots (`escrow diff OLD NEW`), grouped by the modules of the newer
/// snapshot's stored manifest. A stored manifest that no longer parses (one written for an
/// older escrow) groups nothing: every change is listed outside every module.
pub fn diff_snapshots(
    vault: &vault::Vault,
    old: &vault::LedgerEntry,
    new: &vault::LedgerEntry,
) -> Result<vault::diff::Diff, vault::VaultError> {
    let (old_rec, new_rec) = (
        vault.load_snapshot(&old.snapshot)?,
        vault.load_snapshot(&new.snapshot)?,
    );
    let requirements = manifest::parse(&new_rec.manifest.text)
        .map(|m| m.requirements)
        .unwrap_or_default();
    Ok(compare::diff(
        &old_rec,
        &vault.load_entries(&old_rec)?,
        &old.snapshot,
        &new_rec,
        &vault.load_entries(&new_rec)?,
        &new.snapshot,
        &requirements,
    ))
}
