//! `escrow check DELIVERY --manifest M`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use escrow::policy::baseline;
use escrow::report::{self, Verdict};

use super::{BuildFlags, EXIT_FAIL, EXIT_PASS, Format, LimitArgs, ReportStyle, progress::Bar};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The delivery: a folder, an archive (zip, tar, tar.gz, tar.xz, tar.zst, tar.bz2) or a git
    /// repository (a path or URL), as the vendor delivered it.
    pub delivery: PathBuf,
    /// The contract manifest (TOML) listing what the delivery must contain.
    #[arg(short, long, value_name = "FILE")]
    pub manifest: PathBuf,
    #[command(flatten)]
    style: ReportStyle,
    #[command(flatten)]
    limits: LimitArgs,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// No progress bar and no summary line on stderr.
    #[arg(short, long)]
    quiet: bool,
    /// Also run the manifest's [build] in an isolated sandbox (see `escrow build --help`).
    #[arg(long)]
    build: bool,
    #[command(flatten)]
    build_flags: BuildFlags,
    /// Findings accepted one by one (TOML: `version = 1`, [[accepted]] entries with code, path
    /// or fingerprint, accepted-by, reason, accepted-at): silenced after [[allow]] and counted;
    /// an entry that matches nothing is reported (baseline-stale).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write the findings of this check as a baseline FILE (atomically), keeping the entries of
    /// --baseline still in force; fill in accepted-by and reason before using it.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

pub fn run(args: &CheckArgs) -> Result<u8> {
    if let Some(out) = &args.output {
        refuse_inside(out, &args.delivery, "--output")?;
    }
    if let Some(out) = &args.write_baseline {
        refuse_inside(out, &args.delivery, "--write-baseline")?;
    }
    let baseline = load_baseline(args.baseline.as_deref())?;
    let now = super::now_rfc3339()?;
    let bar =
        Bar::new(!args.quiet && args.style.format == Format::Human && super::stderr_is_terminal());
    let build = args.build_flags.options(args.build, &args.delivery)?;
    let report = escrow::pipeline::run(
        &escrow::pipeline::Request {
            delivery: &args.delivery,
            manifest: &args.manifest,
            generated_at: now,
            ingest: &args.limits.ingest(),
            stages: escrow::pipeline::Stages::check(build.as_ref()),
            baseline: baseline.as_ref(),
        },
        &bar,
    )?;
    if let Some(out) = &args.write_baseline {
        let text = baseline::write(&report.findings, baseline.as_ref(), today(&report));
        super::write_atomic(out, text.as_bytes())?;
        if !args.quiet {
            eprintln!(
                "baseline written to {}: fill in accepted-by and reason for every entry (or delete it), then check with --baseline {}",
                out.display(),
                out.display()
            );
        }
    }
    emit(
        &report,
        &args.style,
        args.output.as_deref(),
        args.quiet,
        &args.delivery,
    )
}

/// The baseline given with `--baseline`, loaded and checked (a bad one stops the command).
pub(super) fn load_baseline(path: Option<&Path>) -> Result<Option<baseline::Baseline>> {
    path.map(baseline::Baseline::load)
        .transpose()
        .map_err(anyhow::Error::from)
}

/// The report's date (UTC), for a baseline's `accepted-at`.
fn today(report: &report::Report) -> &str {
    report
        .generated_at
        .get(..10)
        .unwrap_or(&report.generated_at)
}

/// Print or write a report, with the summary line, and return the exit code of its verdict.
pub(super) fn emit(
    report: &report::Report,
    style: &ReportStyle,
    output: Option<&Path>,
    quiet: bool,
    delivery: &Path,
) -> Result<u8> {
    let format = style.format.output();
    super::refuse_binary_on_terminal(format, output)?;
    let to_terminal = output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout());
    let style = report::HumanStyle {
        lang: style.lang.resolve(),
        color: style.color.resolve(to_terminal),
    };
    let mut buf = Vec::new();
    report::render(report, format, style, &mut buf)?;
    if let Some(path) = output {
        super::write_atomic(path, &buf)?;
        if !quiet {
            let t = &report.totals;
            let verdict = match report.verdict {
                Verdict::Pass => "pass",
                Verdict::Fail => "FAIL",
            };
            eprintln!(
                "{}: {verdict} ({} deny, {} warn, {} info); report written to {}",
                delivery.display(),
                t.deny,
                t.warn,
                t.info,
                path.display()
            );
        }
    } else {
        super::write_stdout(&buf)?;
    }
    Ok(match report.verdict {
        Verdict::Pass => EXIT_PASS,
        Verdict::Fail => EXIT_FAIL,
    })
}

/// The report must not land inside the delivery: that would change what is being checked.
pub(super) fn refuse_inside(output: &Path, delivery: &Path, flag: &str) -> Result<()> {
    let Ok(delivery) = delivery.canonicalize() else {
        return Ok(()); // the check itself reports a missing delivery
    };
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = parent.canonicalize().with_context(|| {
        format!(
            "{}: the folder for {flag} does not exist; create it or choose another path",
            output.display()
        )
    })?;
    if parent.starts_with(&delivery) {
        bail!(
            "{}: refusing to write the report inside the delivery {}; write it elsewhere so the delivery stays as received",
            output.display(),
            delivery.display()
        );
    }
    Ok(())
}
