//! escrow: source-code escrow and delivery verification for hospital software contracts.
//!
//! A delivery flows through one pipeline: ingest (a staged tree and its inventory), checks
//! against a contract manifest, and a report. Every stage is a library function; the binary in
//! `src/main.rs` and `src/cli/` only parses arguments and prints.

pub mod checks;
pub mod delivery;
pub mod finding;
pub mod manifest;
pub mod progress;
pub mod report;
pub mod text;

use std::path::Path;

/// Errors from running a check.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Manifest(#[from] manifest::ManifestError),
    #[error(transparent)]
    Delivery(#[from] delivery::DeliveryError),
}

/// Check a delivery folder against a manifest file: the whole `escrow check` pipeline.
pub fn check(
    delivery_path: &Path,
    manifest_path: &Path,
    generated_at: String,
    progress: &dyn progress::Progress,
) -> Result<report::Report, CheckError> {
    let manifest = manifest::load(manifest_path)?;
    let delivery = delivery::open(delivery_path, progress)?;
    let outcome = checks::run(&manifest, &delivery)?;
    Ok(report::Report::new(
        &manifest,
        &delivery,
        outcome,
        generated_at,
    ))
}
