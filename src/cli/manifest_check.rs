//! `escrow manifest check MANIFEST [--against DELIVERY]`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use escrow::manifest::ManifestError;
use escrow::pipeline::CheckError;
use escrow::report::docs::ManifestCheckDoc;

use super::{EXIT_ERROR, EXIT_PASS, Format, LimitArgs, OutputArgs, progress::Bar};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The manifest to validate.
    pub manifest: PathBuf,
    /// A delivery (folder, archive or git) to match the manifest's globs against: what each
    /// requirement matches, every glob that matches nothing, the source no requirement covers.
    #[arg(long, value_name = "DELIVERY")]
    pub against: Option<PathBuf>,
    #[command(flatten)]
    out: OutputArgs,
    #[command(flatten)]
    limits: LimitArgs,
    /// No progress bar while the delivery is read.
    #[arg(short, long)]
    quiet: bool,
}

/// Exit 0 when the manifest loads (whatever its globs match), 2 when it does not (every
/// problem printed, as `escrow check` prints them; with `--format json`, in the document) or
/// the delivery cannot be read.
pub fn run(args: &CheckArgs) -> Result<u8> {
    let bar =
        Bar::new(!args.quiet && args.out.format == Format::Human && super::stderr_is_terminal());
    let ingest = args.limits.ingest();
    let against = args.against.as_deref().map(|d| (d, &ingest));
    match escrow::pipeline::manifest_check(&args.manifest, against, &bar) {
        Ok(doc) => {
            args.out.emit(&doc)?;
            Ok(EXIT_PASS)
        }
        Err(CheckError::Manifest(ManifestError::Invalid { path, problems }))
            if args.out.format == Format::Json =>
        {
            args.out
                .emit(&ManifestCheckDoc::invalid(&path, &problems))?;
            Ok(EXIT_ERROR)
        }
        Err(e) => Err(e.into()),
    }
}
