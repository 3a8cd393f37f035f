//! escrow: source-code escrow and delivery verification for hospital software contracts.
//!
//! A delivery flows through one pipeline: ingest (a staged tree and its inventory), checks
//! against a contract manifest, and a report. Every stage is a library function; the binary in
//! `src/main.rs` and `src/cli/` only parses arguments and prints.

pub mod build;
pub mod calendar;
pub mod checks;
pub mod codes;
pub mod delivery;
pub mod finding;
pub mod manifest;
pub mod progress;
pub mod report;
pub mod scan;
pub mod text;
pub mod vault;

use std::path::Path;

/// Errors from running a check or a deposit.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Manifest(#[from] manifest::ManifestError),
    #[error(transparent)]
    Delivery(#[from] delivery::DeliveryError),
    #[error(transparent)]
    Vault(#[from] vault::VaultError),
    #[error(transparent)]
    Build(#[from] build::BuildError),
    #[error("{}: the manifest has no [build] table, so --build has nothing to run; add one (see manifests/template.toml: command, timeout, outputs, …) or run without --build", path.display())]
    NoBuild { path: std::path::PathBuf },
    #[error("{}: cannot read the change note: {source}; check the path given to --note", path.display())]
    Note {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Check a delivery folder against a manifest file: the whole `escrow check` pipeline.
pub fn check(
    delivery_path: &Path,
    manifest_path: &Path,
    generated_at: String,
    ingest: &delivery::Ingest,
    progress: &dyn progress::Progress,
) -> Result<report::Report, CheckError> {
    check_with_build(
        delivery_path,
        manifest_path,
        generated_at,
        ingest,
        progress,
        None,
    )
}

/// `check`, and with `build` also the manifest's isolated build (`check --build`).
pub fn check_with_build(
    delivery_path: &Path,
    manifest_path: &Path,
    generated_at: String,
    ingest: &delivery::Ingest,
    progress: &dyn progress::Progress,
    build: Option<&build::Options>,
) -> Result<report::Report, CheckError> {
    let manifest = manifest::load(manifest_path)?;
    let spec = build_spec(&manifest, build)?;
    let scanner = scan::for_manifest(&manifest);
    let delivery = delivery::open_with(
        delivery_path,
        progress,
        None,
        &with_scan(ingest, scanner.as_ref()),
    )?;
    let mut outcome = checks::run(&manifest, &delivery, scanner.as_deref())?;
    let record = run_build(&manifest, spec, &delivery, build, &mut outcome, progress)?;
    Ok(report::Report::new(&manifest, &delivery, outcome, generated_at).with_build(record))
}

/// Only the isolated build (`escrow build`): a report with the build and its findings.
pub fn build_only(
    delivery_path: &Path,
    manifest_path: &Path,
    generated_at: String,
    ingest: &delivery::Ingest,
    progress: &dyn progress::Progress,
    options: &build::Options,
) -> Result<report::Report, CheckError> {
    let manifest = manifest::load(manifest_path)?;
    let spec = build_spec(&manifest, Some(options))?;
    let delivery = delivery::open_with(delivery_path, progress, None, ingest)?;
    let mut outcome = checks::Outcome::default();
    outcome
        .findings
        .extend(delivery.notes.iter().cloned().map(|mut f| {
            f.severity = manifest.severity_of(&f.code);
            f
        }));
    let record = run_build(
        &manifest,
        spec,
        &delivery,
        Some(options),
        &mut outcome,
        progress,
    )?;
    Ok(report::Report::new(&manifest, &delivery, outcome, generated_at).with_build(record))
}

/// The manifest's `[build]` when a build is asked for: an error when it has none.
fn build_spec<'m>(
    manifest: &'m manifest::Manifest,
    build: Option<&build::Options>,
) -> Result<Option<&'m manifest::BuildSpec>, CheckError> {
    match (build, &manifest.build) {
        (None, _) => Ok(None),
        (Some(_), Some(spec)) => Ok(Some(spec)),
        (Some(_), None) => Err(CheckError::NoBuild {
            path: manifest.path.clone(),
        }),
    }
}

fn run_build(
    manifest: &manifest::Manifest,
    spec: Option<&manifest::BuildSpec>,
    delivery: &delivery::Delivery,
    options: Option<&build::Options>,
    outcome: &mut checks::Outcome,
    progress: &dyn progress::Progress,
) -> Result<Option<build::BuildRecord>, CheckError> {
    let (Some(spec), Some(options)) = (spec, options) else {
        return Ok(None);
    };
    let built = build::run(manifest, spec, delivery, options, progress)?;
    outcome.findings.extend(built.findings);
    Ok(Some(built.record))
}

/// `ingest` with the scanner looking at every file as it is hashed.
fn with_scan(
    ingest: &delivery::Ingest,
    scanner: Option<&std::sync::Arc<scan::Scanner>>,
) -> delivery::Ingest {
    let mut ingest = ingest.clone();
    ingest.inspector = scanner
        .map(|s| std::sync::Arc::clone(s) as std::sync::Arc<dyn delivery::inventory::Inspector>);
    ingest
}

/// What `deposit` needs besides the vault.
pub struct DepositArgs<'a> {
    pub delivery: &'a Path,
    pub manifest: &'a Path,
    pub label: String,
    /// A change note file (修改说明), stored with the snapshot.
    pub note: Option<&'a Path>,
    pub now: String,
    pub lock_wait: std::time::Duration,
    /// How to read the delivery (archive bounds, git ref).
    pub ingest: delivery::Ingest,
    /// Run the manifest's isolated build too, and keep its log with the snapshot.
    pub build: Option<build::Options>,
}

/// Check a delivery and deposit it in the vault, whatever the verdict.
pub fn deposit(
    vault: &vault::Vault,
    args: &DepositArgs<'_>,
    progress: &dyn progress::Progress,
) -> Result<vault::deposit::Deposited, CheckError> {
    use sha2::Digest;
    let manifest = manifest::load(args.manifest)?;
    let spec = build_spec(&manifest, args.build.as_ref())?;
    let note = match args.note {
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|source| CheckError::Note {
                path: p.to_owned(),
                source,
            })?;
            Some(vault::snapshot::Note {
                file: p.display().to_string(),
                sha256: manifest::hex(&sha2::Sha256::digest(&bytes)),
                text: text::decode(&bytes).0,
            })
        }
        None => None,
    };
    // A vault inside the delivery would be deposited into itself while it is written.
    if let (Ok(d), Ok(v)) = (args.delivery.canonicalize(), vault.root.canonicalize())
        && v.starts_with(&d)
    {
        return Err(vault::VaultError::Invalid {
            message: format!(
                "{}: the vault is inside the delivery {}; keep the vault elsewhere (--vault DIR or $ESCROW_VAULT)",
                vault.root.display(),
                args.delivery.display()
            ),
        }
        .into());
    }
    if let Some(e) = vault.snapshots()?.iter().find(|e| e.label == args.label) {
        return Err(vault::VaultError::LabelTaken {
            label: args.label.clone(),
            id: vault::short(&e.snapshot).to_owned(),
        }
        .into());
    }
    // One pass over the delivery: hashing for the inventory and storing new contents.
    let store = vault::deposit::Store::start(vault)?;
    let scanner = scan::for_manifest(&manifest);
    let ingest = with_scan(&args.ingest, scanner.as_ref());
    let opened = delivery::open_with(args.delivery, progress, Some(&store), &ingest);
    let prestored = store.finish();
    // A failed pack writer also fails the walk: report the writer's error, the real cause.
    let prestored = prestored?;
    let delivery = opened?;
    let mut outcome = checks::run(&manifest, &delivery, scanner.as_deref())?;
    let build = match (spec, &args.build) {
        (Some(spec), Some(options)) => {
            let built = build::run(&manifest, spec, &delivery, options, progress)?;
            outcome.findings.extend(built.findings);
            Some((built.record, built.log))
        }
        _ => None,
    };
    let input = vault::deposit::DepositInput {
        manifest: &manifest,
        delivery: &delivery,
        outcome,
        label: args.label.clone(),
        note,
        now: args.now.clone(),
        lock_wait: args.lock_wait,
        prestored,
        with_history: args.ingest.with_history,
        build,
    };
    Ok(vault::deposit::deposit(vault, input, progress)?)
}
