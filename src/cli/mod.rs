//! The command line: the only place that knows clap, indicatif, colours and printing.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod build;
mod check;
mod deadline_cmds;
mod manifest_check;
mod manifest_cmds;
mod progress;
mod status_all;
mod vault_cmds;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

/// Exit codes: the public contract for scripts.
pub const EXIT_PASS: u8 = 0;
pub const EXIT_FAIL: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "escrow",
    version,
    about = "Source-code escrow and delivery verification for hospital software contracts",
    long_about = "Source-code escrow and delivery verification for hospital software contracts.\n\n\
                  Exit codes: 0 pass, 1 the delivery fails (deny-level findings), 2 usage or runtime error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a delivery against a contract manifest and report every requirement.
    Check(check::CheckArgs),
    /// Build a private copy of the delivery in an isolated sandbox, as the manifest's [build] says.
    #[command(
        long_about = "Build a private copy of the delivery in an isolated sandbox, as the manifest's [build] says.\n\n\
                      The copy is made in a temporary folder (never the delivery itself) from the checked content. \
                      bubblewrap shows the build only the host's system and toolchain folders (read-only), a \
                      private /tmp and home, no network and its own PID namespace; without it the weaker \
                      Landlock fallback is used and reported; where neither works the build is refused; \
                      --no-sandbox runs it without isolation (reported). The timeout stops every process of the build.\n\n\
                      Exit codes: 0 the build passes, 1 deny-level findings (build-failed, build-timeout, \
                      build-network-required, build-output-missing), 2 usage or runtime error."
    )]
    Build(build::BuildArgs),
    /// Create an empty vault (deposit creates one too).
    Init(vault_cmds::InitArgs),
    /// Check a delivery and record it in the vault as a snapshot, whatever the verdict.
    Deposit(vault_cmds::DepositArgs),
    /// List every snapshot: id, label, time, verdict, files, bytes.
    List(vault_cmds::ListArgs),
    /// Show a snapshot's record and its stored check report.
    Show(vault_cmds::ShowArgs),
    /// Compare two snapshots: added, removed and modified files, by module.
    Diff(vault_cmds::DiffArgs),
    /// Rebuild a snapshot's tree byte for byte.
    Restore(vault_cmds::RestoreArgs),
    /// Re-verify the whole vault; exit 1 naming every problem.
    Audit(vault_cmds::AuditArgs),
    /// Maintain a vault as a whole: convert an old one, copy one off-site.
    #[command(subcommand)]
    Vault(vault_cmds::VaultCommand),
    /// Compute a due date in Chinese working days.
    Deadline(deadline_cmds::DeadlineArgs),
    /// Record that a feature went live: the vendor's update is due within the update deadline.
    Golive(deadline_cmds::GoliveArgs),
    /// Record the final payment: the full delivery is due within the delivery deadline.
    Payment(deadline_cmds::PaymentArgs),
    /// Record a question put to the vendor: an answer is due within the answer deadline.
    Question(deadline_cmds::QuestionArgs),
    /// Record the vendor's answer to a question (by its seq).
    Answer(deadline_cmds::AnswerArgs),
    /// Accept a failing deposit, with the hospital's reason: it then counts for obligations.
    Accept(deadline_cmds::AcceptArgs),
    /// Every obligation and where it stands; exit 1 when anything is overdue.
    Status(deadline_cmds::StatusArgs),
    /// The working-day calendar: add a State Council holiday notice to the vault.
    #[command(subcommand)]
    Calendar(deadline_cmds::CalendarCommand),
    /// Draft a manifest from a delivery, or validate one.
    #[command(subcommand)]
    Manifest(manifest_cmds::ManifestCommand),
}

/// How a report is shown: shared by `check` and `deposit`.
#[derive(Debug, clap::Args)]
struct ReportStyle {
    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Language of the human report.
    #[arg(long, value_enum, default_value = "auto")]
    lang: LangArg,
    /// Colours in the human report.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
}

/// `--format`, `--lang` and `--output`: what every command without colours takes.
#[derive(Debug, clap::Args)]
struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Language of the output for people (human, md, html, docx).
    #[arg(long, value_enum, default_value = "auto")]
    lang: LangArg,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

impl OutputArgs {
    /// Render `doc` as asked, to `--output` or standard output (no colours).
    fn emit<D: escrow::report::Document>(&self, doc: &D) -> Result<()> {
        emit(doc, self.format, self.lang, false, self.output.as_deref())
    }
}

/// Bounds for archive deliveries (decompression bombs); the flags are named as users type them.
#[derive(Debug, clap::Args)]
#[allow(clippy::struct_field_names)]
struct LimitArgs {
    /// An archive may unpack to at most this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = escrow::delivery::archive::Limits::default().max_bytes)]
    max_bytes: u64,
    /// An archive may hold at most this many entries.
    #[arg(long, value_name = "N", default_value_t = escrow::delivery::archive::Limits::default().max_files)]
    max_files: u64,
    /// An archive may unpack to at most this many times its own size.
    #[arg(long, value_name = "N", default_value_t = escrow::delivery::archive::Limits::default().max_ratio)]
    max_ratio: u64,
    /// A git delivery: the branch, tag or commit to take [default: HEAD].
    #[arg(long = "ref", value_name = "REF")]
    git_ref: Option<String>,
}

impl LimitArgs {
    fn ingest(&self) -> escrow::delivery::Ingest {
        escrow::delivery::Ingest {
            inspector: None,
            limits: escrow::delivery::archive::Limits {
                max_bytes: self.max_bytes,
                max_files: self.max_files,
                max_ratio: self.max_ratio,
            },
            git_ref: self.git_ref.clone(),
            with_history: false,
            keep: None,
        }
    }
}

/// How the isolated build runs: shared by `build`, `check --build` and `deposit --build`.
#[derive(Debug, clap::Args)]
struct BuildFlags {
    /// The sandbox: bubblewrap, else the weaker Landlock fallback (auto); or force one.
    #[arg(long, value_enum, default_value = "auto", env = "ESCROW_SANDBOX")]
    sandbox: SandboxArg,
    /// Run the build with no isolation at all (reported as build-sandbox-weak).
    #[arg(long)]
    no_sandbox: bool,
    /// Build twice, in different folders with SOURCE_DATE_EPOCH set, and compare the outputs.
    #[arg(long)]
    reproducible: bool,
    /// Keep the build log in FILE [default: a new escrow-build-*.log in the temporary folder].
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SandboxArg {
    /// bubblewrap when it works here, else Landlock (host files read-only, namespaces).
    Auto,
    Bwrap,
    /// `unshare` namespaces with the host file system restricted by Landlock.
    #[value(alias = "unshare")]
    Landlock,
}

impl BuildFlags {
    /// The build options when a build is asked for (`wanted`, or always for `escrow build`).
    fn options(&self, wanted: bool, delivery: &Path) -> Result<Option<escrow::build::Options>> {
        if !wanted {
            if self.no_sandbox || self.reproducible || self.log.is_some() {
                anyhow::bail!(
                    "--no-sandbox, --reproducible and --log only apply to the isolated build: add --build"
                );
            }
            return Ok(None);
        }
        let cancel = cancel_token();
        if let Some(log) = &self.log {
            check::refuse_inside(log, delivery, "--log")?;
            refuse_in_vault(log)?;
            // It may replace an earlier log, never any other file (a manifest, a report).
            let is_log = log
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("log"));
            if log.symlink_metadata().is_ok() && !(is_log && log.is_file()) {
                anyhow::bail!(
                    "{}: already exists and is not a .log file; --log replaces only an earlier log: choose a new path ending in .log",
                    log.display()
                );
            }
        }
        let sandbox = if self.no_sandbox {
            escrow::build::Choice::None
        } else {
            match self.sandbox {
                SandboxArg::Auto => escrow::build::Choice::Auto,
                SandboxArg::Bwrap => escrow::build::Choice::Bwrap,
                SandboxArg::Landlock => escrow::build::Choice::Landlock,
            }
        };
        Ok(Some(escrow::build::Options {
            sandbox,
            reproducible: self.reproducible,
            log: self.log.clone(),
            cancel,
            bwrap: std::env::var_os("ESCROW_BWRAP").filter(|v| !v.is_empty()),
            home: std::env::var_os("HOME").map(PathBuf::from),
        }))
    }
}

/// The process's cancellation token, with the Ctrl-C handler that sets it installed on first
/// use: Ctrl-C during a build stops the build and removes its copy before escrow exits; at any
/// other moment it exits at once, as without a handler.
fn cancel_token() -> escrow::build::Cancel {
    CANCEL
        .get_or_init(|| {
            let token = escrow::build::Cancel::new();
            let handler = token.clone();
            let _ = ctrlc::set_handler(move || {
                if !handler.cancel() {
                    std::process::exit(130);
                }
            });
            token
        })
        .clone()
}

/// Set once a build is asked for (see [`cancel_token`]).
static CANCEL: std::sync::OnceLock<escrow::build::Cancel> = std::sync::OnceLock::new();

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Text for people, on the terminal.
    Human,
    /// The JSON document (schema_version 1).
    Json,
    /// Markdown (GitHub tables), for e-mail and wikis.
    Md,
    /// One self-contained HTML page (prints on A4).
    Html,
    /// A Word document (.docx, A4); needs --output.
    Docx,
    /// SARIF 2.1.0 for code-scanning tools (check and build only).
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LangArg {
    /// Chinese when LC_ALL, LC_MESSAGES or LANG starts with "zh", else English.
    Auto,
    En,
    Zh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

impl Format {
    fn output(self) -> escrow::report::OutputFormat {
        match self {
            Format::Human => escrow::report::OutputFormat::Human,
            Format::Json => escrow::report::OutputFormat::Json,
            Format::Md => escrow::report::OutputFormat::Markdown,
            Format::Html => escrow::report::OutputFormat::Html,
            Format::Docx => escrow::report::OutputFormat::Docx,
            Format::Sarif => escrow::report::OutputFormat::Sarif,
        }
    }
}

/// Render a document in `format` (human: in `lang`, coloured when `color`) to `output`
/// (atomically) or standard output.
fn emit<D: escrow::report::Document>(
    doc: &D,
    format: Format,
    lang: LangArg,
    color: bool,
    output: Option<&Path>,
) -> Result<()> {
    let format = format.output();
    refuse_binary_on_terminal(format, output)?;
    let mut buf = Vec::new();
    let style = escrow::report::HumanStyle {
        lang: lang.resolve(),
        color,
    };
    escrow::report::render(doc, format, style, &mut buf)?;
    match output {
        Some(path) => {
            write_atomic(path, &buf)?;
            eprintln!("written to {} / 已写入 {}", path.display(), path.display());
            Ok(())
        }
        None => write_stdout(&buf),
    }
}

/// A Word file is a zip package: never sent to a terminal (it would fill the screen with
/// bytes); the user is asked for `--output` instead.
fn refuse_binary_on_terminal(
    format: escrow::report::OutputFormat,
    output: Option<&Path>,
) -> Result<()> {
    let to_terminal = match output {
        None => std::io::IsTerminal::is_terminal(&std::io::stdout()),
        // `--output /dev/tty`: a device is written into, so it must not be a terminal either.
        // Only a character device can be a terminal; a FIFO is never opened here (that
        // would block, and its reader would see an early end).
        Some(p) => {
            std::fs::metadata(p)
                .is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_char_device(&m.file_type()))
                && std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .is_ok_and(|f| std::io::IsTerminal::is_terminal(&f))
        }
    };
    if format.is_binary() && to_terminal {
        bail!(
            "--format {} writes a binary file; add --output FILE.docx (or redirect standard output to a file) / Word 文件请用 --output 文件名.docx 保存",
            format.name()
        );
    }
    Ok(())
}

/// Standard output was closed by its reader while a stream was copied to it (`escrow show X
/// --build-log | head`): not an error; the command ends quietly.
#[derive(Debug)]
pub(crate) struct ClosedPipe;

impl std::fmt::Display for ClosedPipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for ClosedPipe {}

/// Set once standard output was found closed by its reader: later writes are skipped.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The one way to standard output: write everything and flush. A closed pipe is not an error:
/// the rest of the output is dropped quietly and the command still ends with the exit code of
/// its result (a failing delivery piped into `head` still exits 1), as ripgrep does.
pub(crate) fn write_stdout(buf: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(buf).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        r => r.context("cannot write to standard output"),
    }
}

/// A write error that is a closed pipe becomes [`ClosedPipe`]; any other is kept.
pub(crate) fn closed_pipe(e: std::io::Error) -> Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Err(ClosedPipe.into());
    }
    Err(e.into())
}

/// Whether an error comes from standard output closed by its reader.
fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(<dyn std::error::Error>::is::<ClosedPipe>)
}

impl LangArg {
    fn resolve(self) -> escrow::report::Lang {
        use escrow::report::Lang;
        match self {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
            LangArg::Auto => {
                let zh = ["LC_ALL", "LC_MESSAGES", "LANG"]
                    .iter()
                    .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
                    .is_some_and(|v| v.to_ascii_lowercase().starts_with("zh"));
                if zh { Lang::Zh } else { Lang::En }
            }
        }
    }
}

impl ColorArg {
    fn resolve(self, to_terminal: bool) -> bool {
        match self {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// Run the CLI and return the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Init(args) => vault_cmds::init(&args),
        Command::Deposit(args) => vault_cmds::deposit(&args),
        Command::List(args) => vault_cmds::list(&args),
        Command::Show(args) => vault_cmds::show(&args),
        Command::Diff(args) => vault_cmds::diff(&args),
        Command::Restore(args) => vault_cmds::restore(&args),
        Command::Audit(args) => vault_cmds::audit(&args),
        Command::Vault(cmd) => vault_cmds::vault_command(&cmd),
        Command::Deadline(args) => deadline_cmds::deadline(&args),
        Command::Golive(args) => deadline_cmds::golive(&args),
        Command::Payment(args) => deadline_cmds::payment(&args),
        Command::Question(args) => deadline_cmds::question(&args),
        Command::Answer(args) => deadline_cmds::answer(&args),
        Command::Accept(args) => deadline_cmds::accept(&args),
        Command::Status(args) => deadline_cmds::run_status(&args),
        Command::Calendar(cmd) => deadline_cmds::calendar(&cmd),
        Command::Manifest(cmd) => manifest_cmds::run(&cmd),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_closed_pipe(&e) => ExitCode::from(EXIT_PASS),
        Err(e) => {
            // An error may quote what the vendor wrote (a name, a Git reference, a tar field):
            // never let it drive the terminal.
            eprintln!("error: {}", escrow::text::terminal_safe(&describe(&e)));
            if CANCEL
                .get()
                .is_some_and(escrow::build::Cancel::is_cancelled)
            {
                // As a shell reports a program ended by Ctrl-C.
                return ExitCode::from(130);
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// An error and its causes on one line, without repeating a cause the message already says.
fn describe(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let c = cause.to_string();
        if text.contains(&c) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&c);
    }
    text
}

/// "Now" in UTC, RFC 3339; `ESCROW_NOW` fixes it (tests, reproducible reports).
fn now_rfc3339() -> Result<String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(fixed) = std::env::var("ESCROW_NOW") {
        let t = time::OffsetDateTime::parse(&fixed, &Rfc3339).with_context(|| {
            format!("ESCROW_NOW={fixed:?} is not an RFC 3339 time such as 2026-03-10T09:00:00Z")
        })?;
        return Ok(t.to_offset(time::UtcOffset::UTC).format(&Rfc3339)?);
    }
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0)?;
    Ok(now.format(&Rfc3339)?)
}

fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// The temporary file beside `path` that a write to `path` goes through.
fn temp_beside(path: &Path) -> Result<PathBuf> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file name", path.display()))?;
    Ok(dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

/// Write `bytes` to `tmp` and fsync it; `new`: only if `tmp` does not exist.
fn write_synced(tmp: &Path, bytes: &[u8], new: bool) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = if new {
        std::fs::File::create_new(tmp)?
    } else {
        std::fs::File::create(tmp)?
    };
    f.write_all(bytes)?;
    f.sync_all()
}

/// Write a file atomically: a new temporary file beside it (created exclusively, under a
/// random name, so no planted link is followed), fsync, rename. A reader never sees a
/// half-written report, and a failure leaves any previous file as it was. A path that names a
/// device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO) is written into, never replaced; a
/// path inside an escrow vault is refused (a report there would damage it).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    // A link (`/dev/stdout`, a shortcut to last month's report) is written through: the
    // report replaces what it points to, never the link itself.
    let resolved;
    let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        resolved = path.canonicalize().with_context(|| {
            format!(
                "{}: a link that leads nowhere; give the report's own path",
                path.display()
            )
        })?;
        resolved.as_path()
    } else {
        path
    };
    refuse_in_vault(path)?;
    let cannot = || {
        format!(
            "{}: cannot write the report; check that the folder exists and is writable",
            path.display()
        )
    };
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(cannot)?;
        return f
            .write_all(bytes)
            .and_then(|()| f.flush())
            .with_context(cannot);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".escrow-report-")
        .tempfile_in(&dir)
        .with_context(cannot)?;
    tmp.write_all(bytes).with_context(cannot)?;
    tmp.as_file().sync_all().with_context(cannot)?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(cannot)?;
    Ok(())
}

/// A report never lands inside an escrow vault (a folder holding the `VAULT` marker, or below
/// one): `--output VAULT/ledger.jsonl` would break the ledger.
pub(super) fn refuse_in_vault(path: &Path) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(parent) = parent.canonicalize() else {
        return Ok(()); // the write itself reports a missing folder
    };
    if let Some(vault) = parent.ancestors().find(|d| d.join("VAULT").is_file()) {
        bail!(
            "{}: refusing to write inside the escrow vault {}; write the report elsewhere / 不能写入托管库目录，请另选位置",
            path.display(),
            vault.display()
        );
    }
    Ok(())
}
