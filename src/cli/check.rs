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
    /// Instead of the acceptance report, write the letter to the vendor (整改通知): only what
    /// must be delivered or fixed, with the contract clause of each item and the reply date
    /// (`[contract] answer-deadline`, default 3 working days). With --format docx, html or md.
    #[arg(long)]
    letter: bool,
}

pub fn run(args: &CheckArgs) -> Result<u8> {
    if args.letter && !matches!(args.style.format, Format::Docx | Format::Html | Format::Md) {
        bail!(
            "--letter writes a letter for people: add --format docx (Word), html or md / --letter 需配合 --format docx、html 或 md 使用"
        );
    }
    if let Some(out) = &args.output {
        refuse_inside(out, &args.delivery, "--output")?;
        refuse_same(out, &args.manifest)?;
    }
    if let Some(out) = &args.write_baseline {
        refuse_inside(out, &args.delivery, "--write-baseline")?;
        refuse_same(out, &args.manifest)?;
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
    if args.letter {
        return letter(&report, args);
    }
    emit(
        &report,
        &args.style,
        args.output.as_deref(),
        args.quiet,
        &args.delivery,
    )
}

/// `--letter`: the letter to the vendor, with the reply date worked out in the contract's
/// calendar from the day of the check (China Standard Time).
fn letter(report: &report::Report, args: &CheckArgs) -> Result<u8> {
    if report.totals.deny == 0 {
        // Nothing to remedy: a letter demanding a reply would be a false claim.
        eprintln!(
            "{}: the check found nothing the vendor must deliver or fix; no letter written / 本次检查未发现须整改事项，不生成整改通知",
            args.delivery.display()
        );
        return Ok(EXIT_PASS);
    }
    let format = args.style.format.output();
    super::refuse_binary_on_terminal(format, args.output.as_deref())?;
    let reply = reply_due(report)?;
    let lang = args.style.lang.resolve();
    let safe = report::terminal_safe(report)?;
    let page = report::check_page::letter_page(&safe, lang, &reply);
    let mut buf = Vec::new();
    report::render_page(&page, format, &mut buf)?;
    match &args.output {
        Some(path) => {
            super::write_atomic(path, &buf)?;
            if !args.quiet {
                eprintln!(
                    "{}: letter to the vendor written to {} (reply due {}) / 整改通知已写入 {}",
                    args.delivery.display(),
                    path.display(),
                    reply.due,
                    path.display()
                );
            }
        }
        None => super::write_stdout(&buf)?,
    }
    Ok(match report.verdict {
        Verdict::Pass => EXIT_PASS,
        Verdict::Fail => EXIT_FAIL,
    })
}

/// The day the vendor's reply is due: the contract's answer deadline (default 3 working
/// days, the support clause) from the check's day in China, in the contract's calendar.
fn reply_due(report: &report::Report) -> Result<report::check_page::Reply> {
    use escrow::calendar::{Calendar, Deadline};
    let c = &report.contract;
    let deadline = c
        .answer_deadline
        .clone()
        .unwrap_or_else(|| "3 working days".to_owned());
    let cal_name = c.calendar.as_deref().unwrap_or("cn");
    let cal = Calendar::named(cal_name)
        .with_context(|| format!("unknown calendar {cal_name:?} in the manifest"))?;
    let from = china_day(&report.generated_at)?;
    let term = Deadline::parse(&deadline)?.checked()?;
    let due = cal.due(from, term)?;
    Ok(report::check_page::Reply {
        from: from.to_string(),
        due: due.to_string(),
        deadline: term.to_string(),
        provisional: cal.any_provisional(from, due),
    })
}

/// The calendar day of an RFC 3339 time in China (UTC+8).
fn china_day(rfc3339: &str) -> Result<time::Date> {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .with_context(|| format!("{rfc3339}: not an RFC 3339 time"))?;
    let cst = time::UtcOffset::from_hms(8, 0, 0)?;
    Ok(t.to_offset(cst).date())
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
    // An archive delivery is a file: the report must not replace the evidence itself.
    let target = output
        .file_name()
        .map_or_else(|| parent.clone(), |name| parent.join(name));
    if target == delivery {
        bail!(
            "{}: refusing to overwrite the delivery itself; write the report elsewhere / 不能覆盖交付物本身，请另选位置",
            output.display()
        );
    }
    if parent.starts_with(&delivery) {
        bail!(
            "{}: refusing to write the report inside the delivery {}; write it elsewhere so the delivery stays as received",
            output.display(),
            delivery.display()
        );
    }
    Ok(())
}

/// The report must not replace an input (the manifest, the change note) it was made from.
pub(super) fn refuse_same(output: &Path, input: &Path) -> Result<()> {
    if let (Ok(a), Ok(b)) = (output.canonicalize(), input.canonicalize())
        && a == b
    {
        bail!(
            "{}: refusing to overwrite {} with the report; write it elsewhere / 不能用报告覆盖输入文件，请另选位置",
            output.display(),
            input.display()
        );
    }
    Ok(())
}
