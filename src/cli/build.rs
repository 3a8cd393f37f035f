//! `escrow build DELIVERY --manifest M`: only the isolated build.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{BuildFlags, Format, LimitArgs, ReportStyle, progress::Bar};

#[derive(Debug, Args)]
#[command(
    long_about = "Build a private copy of the delivery in an isolated sandbox, as the manifest's [build] says.\n\n\
                  The copy is made in a temporary folder (never the delivery itself). bubblewrap gives the \
                  build a read-only host file system, a private /tmp and home, no network and its own PID \
                  namespace; without it the weaker `unshare` fallback is used and reported; --no-sandbox \
                  runs it without isolation (reported). The timeout stops every process of the build.\n\n\
                  Exit codes: 0 the build passes, 1 deny-level findings (build-failed, build-timeout, \
                  build-network-required, build-output-missing), 2 usage or runtime error."
)]
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
        super::check::refuse_inside(out, &args.delivery)?;
    }
    let options = args
        .flags
        .options(true, &args.delivery)?
        .expect("a build is asked for");
    let now = super::now_rfc3339()?;
    let bar =
        Bar::new(!args.quiet && args.style.format == Format::Human && super::stderr_is_terminal());
    let report = escrow::build_only(
        &args.delivery,
        &args.manifest,
        now,
        &args.limits.ingest(),
        &bar,
        &options,
    )?;
    super::check::emit(
        &report,
        &args.style,
        args.output.as_deref(),
        args.quiet,
        &args.delivery,
    )
}
