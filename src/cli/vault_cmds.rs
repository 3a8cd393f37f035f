//! The vault commands: init, deposit, list, show, diff, restore, audit.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use escrow::report::Verdict;
use escrow::report::docs::{AuditDoc, DepositDoc, DiffDoc, InitDoc, ListDoc, RestoreDoc, ShowDoc};
use escrow::vault::diff::Diff;
use escrow::vault::{self, Vault, short};

use super::{
    BuildFlags, EXIT_FAIL, EXIT_PASS, Format, LimitArgs, OutputArgs, ReportStyle, progress::Bar,
};

/// Where the vault is: `--vault DIR|s3://BUCKET/PREFIX`, else `$ESCROW_VAULT`, else
/// `./escrow-vault`.
#[derive(Debug, Args)]
pub struct VaultArg {
    /// The vault: a folder, or s3://BUCKET/PREFIX on S3-compatible object storage (configured by
    /// AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION) [default:
    /// $ESCROW_VAULT, else ./escrow-vault]
    #[arg(
        long,
        value_name = "DIR|s3://BUCKET/PREFIX",
        env = "ESCROW_VAULT",
        global = true
    )]
    vault: Option<PathBuf>,
}

/// The standard variables an `s3://` vault is configured by.
pub(super) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Refuse a vault location that looks like a mistyped URL (`S3://`, `oss://`, `s3:/x`): taken
/// as a folder name, it would quietly make a local vault.
fn check_scheme(path: &std::path::Path) -> Result<()> {
    let loc = path.to_string_lossy();
    if vault::is_remote(&loc) {
        return Ok(());
    }
    let lower = loc.to_ascii_lowercase();
    if loc.contains("://") || lower.starts_with("s3:") {
        anyhow::bail!(
            "{loc}: not a folder nor an s3://BUCKET/PREFIX location; escrow speaks S3 to every object store (MinIO, Alibaba OSS, Tencent COS, Huawei OBS): write the vault as s3://BUCKET/PREFIX (lower case) and set AWS_ENDPOINT_URL to the store's address / 对象存储请写成 s3://存储桶/前缀，并用 AWS_ENDPOINT_URL 指定服务地址"
        );
    }
    Ok(())
}

/// Open the vault at `path`: a folder, or `s3://…`.
pub(super) fn open_location(path: &std::path::Path) -> Result<Vault> {
    check_scheme(path)?;
    let loc = path.to_string_lossy();
    if vault::is_remote(&loc) {
        Ok(Vault::open_at(&loc, &env_var)?)
    } else {
        Ok(Vault::open(path)?)
    }
}

/// Create (or open) the vault at `path`, as [`open_location`] opens it.
pub(super) fn init_location(path: &std::path::Path) -> Result<(Vault, bool)> {
    check_scheme(path)?;
    Ok(Vault::init_at(&path.to_string_lossy(), &env_var)?)
}

impl VaultArg {
    pub(super) fn path(&self) -> PathBuf {
        self.vault
            .clone()
            .unwrap_or_else(|| PathBuf::from("escrow-vault"))
    }

    /// Whether a vault was named (`--vault` or `ESCROW_VAULT`), not the default.
    pub(super) fn is_given(&self) -> bool {
        self.vault.is_some()
    }

    pub(super) fn open(&self) -> Result<Vault> {
        open_location(&self.path())
    }

    /// Whether the vault is on an object store (`s3://…`).
    pub(super) fn is_remote(&self) -> bool {
        vault::is_remote(&self.path().to_string_lossy())
    }

    /// Open the vault, creating it when it does not exist yet; unless `quiet`, say so on
    /// stderr in `lang`.
    pub(super) fn open_or_init(&self, lang: super::LangArg, quiet: bool) -> Result<Vault> {
        let path = self.path();
        if Vault::exists(&path) {
            return Ok(Vault::open(&path)?);
        }
        let (v, created) = init_location(&path)?;
        if created && !quiet {
            let style = escrow::report::HumanStyle {
                lang: lang.resolve(),
                color: false,
            };
            let mut text = Vec::new();
            escrow::report::Document::render_human(&InitDoc::new(&path, true), style, &mut text)?;
            eprint!(
                "{}",
                escrow::text::terminal_safe(&String::from_utf8_lossy(&text))
            );
        }
        Ok(v)
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

pub fn init(args: &InitArgs) -> Result<u8> {
    let path = args.vault.path();
    let (_, created) = init_location(&path)?;
    args.out.emit(&InitDoc::new(&path, created))?;
    Ok(EXIT_PASS)
}

#[derive(Debug, Args)]
pub struct DepositArgs {
    /// The delivery: a folder, an archive (zip, tar, tar.gz, tar.xz, tar.zst, tar.bz2) or a git
    /// repository (a path or URL), as the vendor delivered it.
    delivery: PathBuf,
    /// The contract manifest (TOML).
    #[arg(short, long, value_name = "FILE")]
    manifest: PathBuf,
    /// A name for this snapshot, unique in the vault (e.g. the vendor's version: v2.3.1).
    #[arg(short, long)]
    label: String,
    /// The vendor's change note (修改说明) for this update, stored with the snapshot.
    #[arg(long, value_name = "FILE")]
    note: Option<PathBuf>,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    style: ReportStyle,
    /// Write the report (the deposit receipt, 托管回执, with --format docx/html/md) to FILE
    /// (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
    /// A git delivery: also keep the repository's whole history (修改记录), as a git bundle.
    #[arg(long)]
    with_history: bool,
    /// Print only the snapshot id; no report, no progress bar.
    #[arg(short, long)]
    quiet: bool,
    /// Also run the manifest's [build] in an isolated sandbox; its log is kept with the snapshot.
    #[arg(long)]
    build: bool,
    #[command(flatten)]
    build_flags: BuildFlags,
    /// Findings accepted one by one, silenced after [[allow]] (see `escrow check --help`).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// The go-live this update answers, by the name recorded with `escrow golive` (repeat for
    /// several). Without it, a passing deposit answers every go-live whose window it falls in.
    #[arg(long = "for", value_name = "NAME")]
    answers: Vec<String>,
    /// The contract's deadlines or calendar were amended (补充协议), for this reason: this
    /// manifest's terms apply to obligations that start from today on (earlier ones keep
    /// theirs); without it a deposit with other terms is refused.
    #[arg(long, value_name = "REASON")]
    amend_terms: Option<String>,
    /// Keep every file this deposit stores locked against deletion and overwriting until the
    /// end of this day (Beijing time), e.g. the end of the contract's warranty: S3 Object Lock
    /// in compliance mode, which not even the bucket's owner can lift. Only for an s3:// vault
    /// on a server with Object Lock enabled on the bucket.
    #[arg(long, value_name = "YYYY-MM-DD")]
    retain_until: Option<String>,
}

/// The end of `day` in China Standard Time (UTC+8), as an instant.
fn end_of_day_cst(day: &str) -> Result<time::OffsetDateTime> {
    let d = escrow::calendar::parse_date(day)
        .map_err(|e| anyhow::anyhow!("--retain-until {day:?}: {e}; give a date as YYYY-MM-DD"))?;
    let end = d
        .with_hms(23, 59, 59)
        .expect("a valid time")
        .assume_offset(time::UtcOffset::from_hms(8, 0, 0).expect("a valid offset"));
    // A lock cannot be lifted: a mistyped year (2131 for 2031) would keep the files for a
    // century, so more than 30 years ahead is refused.
    if end > time::OffsetDateTime::now_utc() + time::Duration::days(30 * 366) {
        anyhow::bail!(
            "--retain-until {day}: more than 30 years from now; a lock cannot be shortened or lifted once set, so check the year (the end of the contract's retention period) / 锁定一经设置无法缩短或解除，请核对年份"
        );
    }
    if end <= time::OffsetDateTime::now_utc() {
        anyhow::bail!(
            "--retain-until {day}: the date has passed; give a day in the future (the end of the retention period)"
        );
    }
    Ok(end)
}

pub fn deposit(args: &DepositArgs) -> Result<u8> {
    let retain = args
        .retain_until
        .as_deref()
        .map(end_of_day_cst)
        .transpose()?;
    if retain.is_some() && !args.vault.is_remote() {
        anyhow::bail!(
            "{}: --retain-until needs an s3:// vault on a bucket with S3 Object Lock enabled; a folder cannot lock files (nothing was deposited) / 只有开启了对象锁定的 S3 存储桶才能锁定，本地文件夹不行（未入库）",
            args.vault.path().display()
        );
    }
    if args
        .amend_terms
        .as_deref()
        .is_some_and(|r| r.trim().is_empty())
    {
        anyhow::bail!(
            "--amend-terms needs the reason, e.g. --amend-terms \"补充协议（2026-11-20 签订）\""
        );
    }
    if let Some(out) = &args.output {
        // Every refusal before anything is deposited.
        super::check::refuse_inside(out, &args.delivery, "--output")?;
        super::check::refuse_same(out, &args.manifest)?;
        super::refuse_in_vault(out)?;
        super::refuse_binary_on_terminal(args.style.format.output(), Some(out))?;
        if let Some(note) = &args.note {
            super::check::refuse_same(out, note)?;
        }
    }
    let baseline = super::check::load_baseline(args.baseline.as_deref())?;
    let build = args.build_flags.options(args.build, &args.delivery)?;
    let path = args.vault.path();
    let mut v = args.vault.open_or_init(args.style.lang, args.quiet)?;
    if retain.is_some() {
        if !v.backend().supports_retention() {
            anyhow::bail!(
                "{}: --retain-until needs an s3:// vault on a server with S3 Object Lock enabled on the bucket; this vault cannot lock files (nothing was deposited)",
                v.location()
            );
        }
        v = v.with_retention(retain);
    }
    let bar =
        Bar::new(!args.quiet && args.style.format == Format::Human && super::stderr_is_terminal());
    let dep = escrow::deposit(
        &v,
        &escrow::DepositArgs {
            delivery: &args.delivery,
            manifest: &args.manifest,
            label: args.label.clone(),
            note: args.note.as_deref(),
            now: super::now_rfc3339()?,
            ingest: escrow::delivery::Ingest {
                with_history: args.with_history,
                ..args.limits.ingest()
            },
            build,
            baseline: baseline.as_ref(),
            answers: args.answers.clone(),
            amend_terms: args.amend_terms.clone(),
        },
        &bar,
    )?;
    let code = match dep.report.verdict {
        Verdict::Pass => EXIT_PASS,
        Verdict::Fail => EXIT_FAIL,
    };
    // The receipt gives the snapshot record's SM3 too, which the deposit's ledger entry holds.
    let doc = match v.resolve(&dep.id) {
        Ok(entry) => DepositDoc::new(&dep, &args.label, &path).with_ledger_entry(&entry),
        Err(_) => DepositDoc::new(&dep, &args.label, &path),
    };
    if args.quiet {
        super::write_stdout(format!("{}\n", dep.id).as_bytes())?;
        if args.output.is_none() {
            return Ok(code);
        }
    }
    let color = args
        .style
        .color
        .resolve(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    super::emit(
        &doc,
        args.style.format,
        args.style.lang,
        color,
        args.output.as_deref(),
    )?;
    Ok(code)
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

pub fn list(args: &ListArgs) -> Result<u8> {
    let v = args.vault.open()?;
    let entries = v.snapshots()?;
    args.out.emit(&ListDoc::new(&v.root, &entries))?;
    Ok(EXIT_PASS)
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A snapshot: its label, its id, or a unique prefix of the id.
    snapshot: String,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
    /// Include the full file list (JSON only).
    #[arg(long)]
    files: bool,
    /// Print the build log kept with the snapshot (deposited with --build), verified, and nothing else.
    #[arg(long)]
    build_log: bool,
    /// With --format docx, html or md: the acceptance report (验收报告) of the check stored
    /// with the snapshot, naming the snapshot, its ledger entry and the ledger head after it.
    #[arg(long)]
    acceptance: bool,
}

pub fn show(args: &ShowArgs) -> Result<u8> {
    let v = args.vault.open()?;
    let entry = v.resolve(&args.snapshot)?;
    if args.build_log && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        // On a terminal the vendor's build output is shown escaped, as in every report: it
        // must not set the window title or write over lines. Piped, it stays byte for byte.
        let mut buf = Vec::new();
        vault::restore::build_log_to(&v, &entry.snapshot, &mut buf)?;
        let text = String::from_utf8_lossy(&buf);
        super::write_stdout(escrow::text::terminal_safe(&text).as_bytes())?;
        return Ok(EXIT_PASS);
    }
    if args.build_log {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let written = vault::restore::build_log_to(&v, &entry.snapshot, &mut out)
            .map_err(anyhow::Error::from)
            .and_then(|_| std::io::Write::flush(&mut out).or_else(super::closed_pipe));
        if let Err(e) = written {
            let pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            return Err(if pipe { super::ClosedPipe.into() } else { e });
        }
        return Ok(EXIT_PASS);
    }
    let record = v.load_snapshot(&entry.snapshot)?;
    let entries = if args.files && args.out.format == Format::Json {
        v.load_entries(&record)?
    } else {
        Vec::new()
    };
    let report = escrow::pipeline::stored_report(&v, &entry.snapshot, &record)?;
    if args.acceptance {
        return acceptance(args, &v, &entry, &report);
    }
    args.out
        .emit(&ShowDoc::new(&entry, &record, report, &entries)?)?;
    Ok(EXIT_PASS)
}

/// `show --acceptance`: the acceptance report of a deposited snapshot, with its identity in
/// the vault (snapshot id, ledger entry, the ledger head right after it).
fn acceptance(
    args: &ShowArgs,
    v: &Vault,
    entry: &vault::LedgerEntry,
    report: &escrow::report::Report,
) -> Result<u8> {
    if !matches!(args.out.format, Format::Docx | Format::Html | Format::Md) {
        anyhow::bail!(
            "--acceptance writes a document for people: add --format docx (Word), html or md / --acceptance 需配合 --format docx、html 或 md 使用"
        );
    }
    let format = args.out.format.output();
    super::refuse_binary_on_terminal(format, args.out.output.as_deref())?;
    let led = v.ledger()?;
    let head = usize::try_from(entry.seq + 1)
        .ok()
        .and_then(|i| led.heads.get(i))
        .cloned()
        .unwrap_or_default();
    let vref = escrow::report::check_page::VaultRef {
        label: entry.label.clone(),
        snapshot: entry.snapshot.clone(),
        seq: entry.seq,
        ledger_head: head,
    };
    let safe = escrow::report::terminal_safe(report)?;
    let page =
        escrow::report::check_page::acceptance_page(&safe, args.out.lang.resolve(), Some(&vref));
    let mut buf = Vec::new();
    escrow::report::render_page(&page, format, &mut buf)?;
    match &args.out.output {
        Some(path) => super::write_atomic(path, &buf)?,
        None => super::write_stdout(&buf)?,
    }
    Ok(EXIT_PASS)
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older snapshot (label, id or id prefix).
    old: String,
    /// The newer snapshot.
    new: String,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

pub fn diff(args: &DiffArgs) -> Result<u8> {
    let v = args.vault.open()?;
    let old = v.resolve(&args.old)?;
    let new = v.resolve(&args.new)?;
    let d: Diff = escrow::pipeline::diff_snapshots(&v, &old, &new)?;
    args.out.emit(&DiffDoc::new(&d))?;
    Ok(EXIT_PASS)
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The snapshot (label, id or id prefix).
    snapshot: String,
    /// The folder to restore into: new or empty, unless --force.
    target: PathBuf,
    /// Write into a non-empty folder, replacing what is in the way.
    #[arg(long)]
    force: bool,
    /// Restore setuid, setgid and sticky bits as recorded (they are removed by default).
    #[arg(long)]
    keep_special_modes: bool,
    /// Also write the repository history kept with --with-history, as a git bundle, to FILE.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Restore Git settings and hooks that run commands (a `.git/config` with `core.fsmonitor`,
    /// an executable hook, …) as delivered; without it, such a snapshot is not restored.
    #[arg(long)]
    allow_git_config: bool,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
    /// No progress bar and no summary.
    #[arg(short, long)]
    quiet: bool,
}

pub fn restore(args: &RestoreArgs) -> Result<u8> {
    let v = args.vault.open()?;
    let entry = v.resolve(&args.snapshot)?;
    let git = vault::restore::git_config(&v, &entry.snapshot)?;
    if !git.is_empty() && !args.allow_git_config {
        anyhow::bail!(
            "snapshot {} ({}) holds Git settings or hooks that run commands as soon as Git is used in the restored folder (`git status`, or an IDE such as VS Code or IDEA opening it, which runs Git), with the rights of whoever does so (root, if root):\n  {}\nnothing was restored. To restore the tree byte for byte anyway, pass --allow-git-config; then, before anyone uses Git or an IDE there, delete those lines or hooks (or the whole .git folder) with a text editor or `rm`",
            entry.label,
            short(&entry.snapshot),
            git.join("\n  ")
        );
    }
    let bar =
        Bar::new(!args.quiet && args.out.format == Format::Human && super::stderr_is_terminal());
    let r = vault::restore::restore(
        &v,
        &entry.snapshot,
        &args.target,
        args.force,
        args.keep_special_modes,
        &bar,
    )?;
    if let Some(file) = &args.history {
        vault::restore::history(&v, &entry.snapshot, file)?;
    }
    if !args.quiet {
        let doc = RestoreDoc::new(
            &entry,
            &args.target,
            &r,
            args.keep_special_modes,
            &git,
            args.history.as_deref(),
        );
        args.out.emit(&doc)?;
    }
    Ok(EXIT_PASS)
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
    /// Only the exit code and the problems.
    #[arg(short, long)]
    quiet: bool,
    /// A ledger head printed by an earlier deposit, golive or payment: fail unless the ledger
    /// still contains it (no entry up to it was removed or edited).
    #[arg(long, value_name = "SHA256")]
    head: Option<String>,
    /// Write the index file of every pack that lacks one, from the list of objects in the
    /// pack's trailer (after checking the pack against its name). Nothing else is written.
    #[arg(long)]
    repair_index: bool,
}

pub fn audit(args: &AuditArgs) -> Result<u8> {
    let v = args.vault.open()?;
    let bar =
        Bar::new(!args.quiet && args.out.format == Format::Human && super::stderr_is_terminal());
    let r = escrow::pipeline::audit(&v, args.head.as_deref(), args.repair_index, &bar)?;
    let doc = AuditDoc::new(&r, args.head.as_deref());
    let code = if doc.errors() > 0 {
        EXIT_FAIL
    } else {
        EXIT_PASS
    };
    if args.quiet && args.out.format == Format::Human {
        let style = escrow::report::HumanStyle {
            lang: args.out.lang.resolve(),
            color: false,
        };
        let mut buf = Vec::new();
        escrow::report::terminal_safe(&doc)?.render_brief(style, &mut buf)?;
        super::write_stdout(&buf)?;
    } else {
        args.out.emit(&doc)?;
    }
    Ok(code)
}

/// `escrow vault …`: maintenance of a vault as a whole.
#[derive(Debug, clap::Subcommand)]
pub enum VaultCommand {
    /// Convert a vault made by an older escrow (format 1) to format 2, verifying every object.
    /// The ledger head stays the same. Safe to interrupt and run again.
    Upgrade(UpgradeArgs),
    /// Copy to DEST every file of the vault SOURCE that DEST lacks (folders or s3:// vaults,
    /// either way), checking each against its hash before sending and after arrival.
    /// Idempotent and resumable: run it again after an interruption. Both then have the same
    /// ledger head.
    Replicate(ReplicateArgs),
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ReplicateArgs {
    /// The vault to copy from: a folder or s3://BUCKET/PREFIX.
    #[arg(value_name = "SOURCE")]
    source: PathBuf,
    /// The vault to copy to (created when it does not exist): a folder or s3://BUCKET/PREFIX.
    #[arg(value_name = "DEST")]
    dest: PathBuf,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    out: OutputArgs,
}

pub fn vault_command(cmd: &VaultCommand) -> Result<u8> {
    match cmd {
        VaultCommand::Upgrade(args) => {
            let path = args.vault.path();
            if args.vault.is_remote() {
                anyhow::bail!(
                    "{}: only a vault in a local folder can have the old format; this one is already format 2",
                    path.display()
                );
            }
            let bar = Bar::new(args.out.format == Format::Human && super::stderr_is_terminal());
            let done = escrow::vault::upgrade::upgrade(&path, &bar)?;
            args.out.emit(&escrow::report::docs::UpgradeDoc::new(
                &path.display().to_string(),
                &done,
            ))?;
            Ok(EXIT_PASS)
        }
        VaultCommand::Replicate(args) => {
            let source = open_location(&args.source).map_err(|e| {
                if matches!(e.downcast_ref::<vault::VaultError>(), Some(vault::VaultError::NotAVault { .. })) {
                    anyhow::anyhow!(
                        "{}: the SOURCE (the first argument) is not an escrow vault: give the vault to copy from first, then the place to copy it to / 第一个参数应为要复制的托管库",
                        args.source.display()
                    )
                } else {
                    e
                }
            })?;
            source.require_current()?;
            let (dest, _) = init_location(&args.dest)?;
            if source.location() == dest.location() {
                anyhow::bail!("SOURCE and DEST are the same vault: give another DEST");
            }
            let bar = Bar::new(
                !args.quiet && args.out.format == Format::Human && super::stderr_is_terminal(),
            );
            let done = escrow::vault::replicate::replicate(&source, &dest, &bar)?;
            args.out.emit(&escrow::report::docs::ReplicateDoc::new(
                &source.location(),
                &dest.location(),
                &done,
            ))?;
            Ok(EXIT_PASS)
        }
    }
}
