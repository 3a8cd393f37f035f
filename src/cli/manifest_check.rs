//! `escrow manifest check MANIFEST [--against DELIVERY]`.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The manifest to validate.
    pub manifest: PathBuf,
    /// A delivery (folder, archive or git) to match the manifest's globs against.
    #[arg(long, value_name = "DELIVERY")]
    pub against: Option<PathBuf>,
}

pub fn run(args: &CheckArgs) -> Result<u8> {
    let _ = args;
    bail!("escrow manifest check is not available yet")
}
