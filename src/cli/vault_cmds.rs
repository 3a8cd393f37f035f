//! The vault commands: init, deposit, list, show, diff, restore, audit.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use escrow::checks::human_bytes;
use escrow::report::{self, Verdict};
use escrow::vault::audit::{self, Level};
use escrow::vault::diff::{ChangeKind, Diff};
use escrow::vault::{self, Vault, lock, short};

use super::{
    BuildFlags, EXIT_FAIL, EXIT_PASS, Format, LangArg, LimitArgs, ReportStyle, progress::Bar,
};

/// Where the vault is: `--vault DIR`, else `$ESCROW_VAULT`, else `./escrow-vault`.
#[derive(Debug, Args)]
pub struct VaultArg {
    /// The vault folder [default: $ESCROW_VAULT, else ./escrow-vault]
    #[arg(long, value_name = "DIR", env = "ESCROW_VAULT", global = true)]
    vault: Option<PathBuf>,
}

impl VaultArg {
    fn path(&self) -> PathBuf {
        self.vault
            .clone()
            .unwrap_or_else(|| PathBuf::from("escrow-vault"))
    }

    pub(super) fn open(&self) -> Result<Vault> {
        Ok(Vault::open(&self.path())?)
    }

    /// Open the vault, creating it (with a message on stderr) when it does not exist yet.
    pub(super) fn open_or_init(&self) -> Result<Vault> {
        let path = self.path();
        if Vault::exists(&path) {
            return Ok(Vault::open(&path)?);
        }
        let (v, _) = Vault::init(&path)?;
        eprintln!("created the escrow vault {}", path.display());
        Ok(v)
    }
}

fn print(buf: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(buf)
        .and_then(|()| out.flush())
        .context("cannot write to standard output")
}

fn json(value: &impl serde::Serialize) -> Result<()> {
    let mut buf = serde_json::to_vec_pretty(value)?;
    buf.push(b'\n');
    print(&buf)
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    vault: VaultArg,
}

pub fn init(args: &InitArgs) -> Result<u8> {
    let path = args.vault.path();
    let (_, created) = Vault::init(&path)?;
    if created {
        println!("created the escrow vault {}", path.display());
    } else {
        println!("{} is already an escrow vault", path.display());
    }
    Ok(EXIT_PASS)
}

#[derive(Debug, Args)]
pub struct DepositArgs {
    /// The delivery: a folder as the vendor delivered it.
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
}

pub fn deposit(args: &DepositArgs) -> Result<u8> {
    let build = args.build_flags.options(args.build, &args.delivery)?;
    let path = args.vault.path();
    let v = if Vault::exists(&path) {
        Vault::open(&path)?
    } else {
        let (v, _) = Vault::init(&path)?;
        if !args.quiet {
            eprintln!("created the escrow vault {}", path.display());
        }
        v
    };
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
            lock_wait: lock::default_wait(),
            ingest: escrow::delivery::Ingest {
                with_history: args.with_history,
                ..args.limits.ingest()
            },
            build,
        },
        &bar,
    )?;
    let code = match dep.report.verdict {
        Verdict::Pass => EXIT_PASS,
        Verdict::Fail => EXIT_FAIL,
    };
    if args.quiet {
        println!("{}", dep.id);
        return Ok(code);
    }
    if args.style.format == Format::Json {
        json(&serde_json::json!({
            "schema_version": 1,
            "snapshot": dep.id,
            "seq": dep.seq,
            "label": args.label,
            "vault": path.display().to_string(),
            "ledger_head": dep.ledger_head,
            "new_objects": dep.new_objects,
            "new_bytes": dep.new_bytes,
            "reused_objects": dep.reused_objects,
            "diff": dep.diff,
            "report": dep.report,
        }))?;
        return Ok(code);
    }
    let mut buf = Vec::new();
    let color = args
        .style
        .color
        .resolve(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    report::render_human(&dep.report, args.style.lang.resolve(), color, &mut buf)?;
    writeln!(buf)?;
    if let Some(d) = &dep.diff {
        writeln!(
            buf,
            "Compared with {} ({}): {} added, {} removed, {} modified, {} unchanged",
            d.old.label,
            short(&d.old.id),
            d.added,
            d.removed,
            d.modified,
            d.unchanged
        )?;
    }
    writeln!(
        buf,
        "Deposited {:?} into {}: {} new contents ({} compressed), {} already in the vault",
        args.label,
        path.display(),
        dep.new_objects,
        human_bytes(dep.new_bytes),
        dep.reused_objects
    )?;
    writeln!(buf, "{}", super::ledger_head_lines(&dep.ledger_head))?;
    writeln!(buf, "snapshot {}", dep.id)?;
    print(&buf)?;
    Ok(code)
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    vault: VaultArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub fn list(args: &ListArgs) -> Result<u8> {
    let v = args.vault.open()?;
    let entries = v.snapshots()?;
    if args.format == Format::Json {
        json(&entries)?;
        return Ok(EXIT_PASS);
    }
    if entries.is_empty() {
        println!("no snapshots in {}", v.root.display());
        return Ok(EXIT_PASS);
    }
    let w_label = entries
        .iter()
        .map(|e| e.label.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut buf = Vec::new();
    writeln!(
        buf,
        "{:<12}  {:<w_label$}  {:<20}  {:<7}  {:>8}  {:>10}",
        "ID", "LABEL", "DEPOSITED (UTC)", "VERDICT", "FILES", "BYTES"
    )?;
    for e in &entries {
        writeln!(
            buf,
            "{:<12}  {:<w_label$}  {:<20}  {:<7}  {:>8}  {:>10}",
            short(&e.snapshot),
            e.label,
            e.time,
            e.verdict,
            e.files,
            human_bytes(e.bytes)
        )?;
    }
    print(&buf)?;
    Ok(EXIT_PASS)
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A snapshot: its label, its id, or a unique prefix of the id.
    snapshot: String,
    #[command(flatten)]
    vault: VaultArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Include the full file list (JSON only).
    #[arg(long)]
    files: bool,
    /// Language of the human report.
    #[arg(long, value_enum, default_value = "auto")]
    lang: LangArg,
    /// Print the build log kept with the snapshot (deposited with --build), verified, and nothing else.
    #[arg(long)]
    build_log: bool,
}

pub fn show(args: &ShowArgs) -> Result<u8> {
    let v = args.vault.open()?;
    let entry = v.resolve(&args.snapshot)?;
    if args.build_log {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        vault::restore::build_log_to(&v, &entry.snapshot, &mut out)?;
        out.flush()?;
        return Ok(EXIT_PASS);
    }
    let record = v.load_snapshot(&entry.snapshot)?;
    if args.format == Format::Json {
        let entries = if args.files {
            v.load_entries(&record)?
        } else {
            Vec::new()
        };
        json(&serde_json::json!({
            "snapshot": entry.snapshot,
            "ledger": entry,
            "record": record,
            "entries": entries,
        }))?;
        return Ok(EXIT_PASS);
    }
    let stored = escrow::pipeline::stored_report(&v, &entry.snapshot, &record)?;
    let mut buf = Vec::new();
    writeln!(buf, "snapshot     {}", entry.snapshot)?;
    writeln!(buf, "label        {}", record.label)?;
    writeln!(
        buf,
        "deposited    {} (ledger seq {})",
        record.created_at, record.seq
    )?;
    writeln!(
        buf,
        "source       {} {}",
        record.source.kind, record.source.path
    )?;
    writeln!(buf, "tree sha256  {}", record.tree.sha256)?;
    writeln!(buf, "tree sm3     {}", record.tree.sm3)?;
    writeln!(buf, "record sm3   {}", entry.snapshot_sm3)?;
    writeln!(
        buf,
        "files        {} ({})",
        record.tree.files,
        human_bytes(record.tree.bytes)
    )?;
    writeln!(
        buf,
        "manifest     {} (sha256 {})",
        record.manifest.path,
        short(&record.manifest.sha256)
    )?;
    writeln!(buf, "tool         escrow {}", record.tool.version)?;
    match &record.note {
        Some(n) => {
            writeln!(buf, "change note  {} (sha256 {})", n.file, short(&n.sha256))?;
            for line in n.text.lines().take(20) {
                writeln!(buf, "    {}", escrow::text::terminal_safe(line))?;
            }
        }
        None => writeln!(buf, "change note  none")?,
    }
    if let (Some(log), Some(b)) = (&record.build_log, &stored.build) {
        writeln!(
            buf,
            "build        {} with {} isolation; log sha256 {} ({}), `escrow show {} --build-log` prints it",
            match b.status {
                escrow::build::Status::Succeeded => "succeeded",
                escrow::build::Status::Failed => "FAILED",
                escrow::build::Status::TimedOut => "TIMED OUT",
            },
            b.isolation.as_str(),
            short(&log.sha256),
            human_bytes(log.size),
            record.label
        )?;
    }
    writeln!(buf)?;
    report::render_human(&stored, args.lang.resolve(), false, &mut buf)?;
    print(&buf)?;
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
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub fn diff(args: &DiffArgs) -> Result<u8> {
    let v = args.vault.open()?;
    let old = v.resolve(&args.old)?;
    let new = v.resolve(&args.new)?;
    let (old_rec, new_rec) = (
        v.load_snapshot(&old.snapshot)?,
        v.load_snapshot(&new.snapshot)?,
    );
    let d: Diff = escrow::checks::compare::diff(
        &old_rec,
        &v.load_entries(&old_rec)?,
        &old.snapshot,
        &new_rec,
        &v.load_entries(&new_rec)?,
        &new.snapshot,
    );
    if args.format == Format::Json {
        json(&d)?;
        return Ok(EXIT_PASS);
    }
    let mut buf = Vec::new();
    writeln!(
        buf,
        "{} ({}) → {} ({}): {} added, {} removed, {} modified, {} unchanged",
        d.old.label,
        short(&d.old.id),
        d.new.label,
        short(&d.new.id),
        d.added,
        d.removed,
        d.modified,
        d.unchanged
    )?;
    for m in &d.modules {
        writeln!(buf)?;
        let id =
            m.id.as_deref()
                .map(|i| format!(" [{i}]"))
                .unwrap_or_default();
        writeln!(
            buf,
            "{}{id}: +{} -{} ~{}  (files {} → {}, source {} → {})",
            m.name,
            m.added,
            m.removed,
            m.modified,
            m.files_before,
            m.files_after,
            m.source_before,
            m.source_after
        )?;
        for c in &m.changes {
            let sign = match c.change {
                ChangeKind::Added => '+',
                ChangeKind::Removed => '-',
                ChangeKind::Modified => '~',
            };
            writeln!(buf, "  {sign} {}", c.path)?;
        }
    }
    print(&buf)?;
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
    let bar = Bar::new(!args.quiet && super::stderr_is_terminal());
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
        if !args.quiet {
            println!(
                "wrote the repository history to {} (read it with `git clone {} DIR`)",
                file.display(),
                file.display()
            );
        }
    }
    if !args.quiet {
        println!(
            "restored {} ({}) into {}: {} files ({}), {} folders, {} symlinks; every file verified against its SHA-256",
            entry.label,
            short(&entry.snapshot),
            args.target.display(),
            r.files,
            human_bytes(r.bytes),
            r.dirs,
            r.symlinks
        );
        if !r.special_modes.is_empty() {
            let list: Vec<String> = r
                .special_modes
                .iter()
                .take(20)
                .map(|(p, m)| format!("  {p} (recorded {m:04o})"))
                .collect();
            let more = r.special_modes.len().saturating_sub(20);
            let more = if more > 0 {
                format!("\n  … and {more} more")
            } else {
                String::new()
            };
            if args.keep_special_modes {
                println!(
                    "WARNING: restored with setuid, setgid or sticky bits as recorded (--keep-special-modes), owned by the user who ran restore: whoever runs a setuid file gets that user's rights. Source code never needs them:\n{}{more}",
                    list.join("\n")
                );
            } else {
                println!(
                    "{} files or folders were recorded with setuid, setgid or sticky bits: restored without them, and without write access for group and others (source code never needs them):\n{}{more}",
                    r.special_modes.len(),
                    list.join("\n")
                );
            }
        }
        if !git.is_empty() {
            println!(
                "WARNING: restored as delivered (--allow-git-config): these run commands as soon as Git or an IDE is used in {}; delete them before anyone does:\n  {}",
                args.target.display(),
                git.join("\n  ")
            );
        }
        if r.skipped > 0 {
            println!(
                "{} special files (devices, FIFOs, sockets) were recorded but never stored, and are not restored",
                r.skipped
            );
        }
    }
    Ok(EXIT_PASS)
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    vault: VaultArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Only the exit code and the problems.
    #[arg(short, long)]
    quiet: bool,
    /// A ledger head printed by an earlier deposit, golive or payment: fail unless the ledger
    /// still contains it (no entry up to it was removed or edited).
    #[arg(long, value_name = "SHA256")]
    head: Option<String>,
}

pub fn audit(args: &AuditArgs) -> Result<u8> {
    let v = args.vault.open()?;
    let bar = Bar::new(!args.quiet && args.format == Format::Human && super::stderr_is_terminal());
    let r = audit::audit(&v, args.head.as_deref(), &bar)?;
    let code = if r.errors() > 0 { EXIT_FAIL } else { EXIT_PASS };
    if args.format == Format::Json {
        json(&r)?;
        return Ok(code);
    }
    let mut buf = Vec::new();
    if !args.quiet {
        writeln!(
            buf,
            "audited {}: {} packs, {} objects ({} compressed), {} snapshots, {} ledger entries",
            r.vault,
            r.packs,
            r.objects,
            human_bytes(r.bytes),
            r.snapshots,
            r.ledger_entries
        )?;
        writeln!(buf, "ledger head {}", r.ledger_head)?;
        if !r.ledger_last.is_empty() {
            writeln!(buf, "last ledger entry: {}", r.ledger_last)?;
        }
        match (&args.head, &r.after_head) {
            (None, _) => writeln!(
                buf,
                "without --head, an entry removed from the end of the ledger, or an edit of its last entry, cannot be seen: give --head the ledger head you wrote down (in the acceptance record) after the last deposit, golive or payment, not the one printed above"
            )?,
            (Some(h), Some(after)) if after.is_empty() => writeln!(
                buf,
                "--head {}: found, and it is the last entry's: nothing was removed or edited since it was written down",
                h.trim()
            )?,
            (Some(h), Some(after)) => {
                writeln!(
                    buf,
                    "--head {}: found; nothing up to it was removed or edited. {} entries were added after it: check that you know of each:",
                    h.trim(),
                    after.len()
                )?;
                for a in after {
                    writeln!(buf, "  + {a}")?;
                }
            }
            (Some(_), None) => {}
        }
    }
    for p in &r.problems {
        let level = match p.level {
            Level::Error => "ERROR",
            Level::Warn => "warn",
            Level::Note => "note",
        };
        writeln!(buf, "{level} {} {}: {}", p.code, p.path, p.message)?;
        writeln!(buf, "  → {}", p.advice)?;
    }
    if !args.quiet || r.errors() > 0 {
        writeln!(
            buf,
            "{}",
            if r.errors() > 0 {
                format!("FAIL: {} problems; the vault is damaged", r.errors())
            } else if r.warnings() > 0 {
                format!(
                    "OK: every object, snapshot and ledger entry verified; {} warnings above",
                    r.warnings()
                )
            } else {
                "OK: every object, snapshot and ledger entry verified".to_owned()
            }
        )?;
    }
    print(&buf)?;
    Ok(code)
}
