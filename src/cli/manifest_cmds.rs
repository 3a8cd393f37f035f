//! `escrow manifest init` and `escrow manifest check`.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

/// `escrow manifest …`.
#[derive(Debug, Subcommand)]
pub enum ManifestCommand {
    /// Draft a manifest from a delivery: its modules, documents, database scripts and dependency
    /// files, with every line a person must review marked.
    Init(InitArgs),
    /// Validate a manifest on its own (exit 0 or 2); with --against, show which files each
    /// requirement matches.
    Check(super::manifest_check::CheckArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The delivery: a folder, an archive or a git repository, read as `escrow check` reads it.
    pub delivery: PathBuf,
    /// A short TOML naming the contracted modules (`modules = ["门诊挂号", …]`, optionally with
    /// the manifest's [contract] table): each is mapped to the delivered module that matches it.
    #[arg(long, value_name = "FILE")]
    pub contract: Option<PathBuf>,
    /// Write the draft to FILE (refused if it exists) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(cmd: &ManifestCommand) -> Result<u8> {
    match cmd {
        ManifestCommand::Init(args) => init(args),
        ManifestCommand::Check(args) => super::manifest_check::run(args),
    }
}

fn init(args: &InitArgs) -> Result<u8> {
    let _ = args;
    bail!("escrow manifest init is not available yet")
}
