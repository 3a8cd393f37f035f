//! `escrow build DELIVERY --manifest M`: only the isolated build.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{BuildFlags, Format, LimitArgs, ReportStyle, progress::Bar};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The delivery: a folder, an archive or a git repository, as for `check`.
    pub delivery: PathBuf,
    /// The contract manifest (TOML) with a [build] table.
    #[arg(short, long, value_name = "FILE")]
    pub manifest: PathBuf,
    #[command(flatten)]
    style: ReportStyle,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    flags: BuildFlags,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// No progress bar and no summary line on stderr.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: &BuildArgs) -> Result<u8> {
    if let Some(out) = &args.output {
        super::check::refuse_inside(out, &args.delivery, "--output")?;
    }
    let options = args
        .flags
        .options(true, &args.delivery)?
        .expect("a build is asked for");
    let now = super::now_rfc3339()?;
    let bar =
        Bar::new(!args.quiet && args.style.format == Format::Human && super::stderr_is_terminal());
    let report = escrow::pipeline::run(
        &escrow::pipeline::Request {
            delivery: &args.delivery,
            manifest: &args.manifest,
            generated_at: now,
            ingest: &args.limits.ingest(),
            stages: escrow::pipeline::Stages::build_only(&options),
            baseline: None,
        },
        &bar,
    )?;
    super::check::emit(
        &report,
        &args.style,
        args.output.as_deref(),
        args.quiet,
        &args.delivery,
    )
}
