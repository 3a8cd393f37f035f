//! `escrow manifest init` and `escrow manifest check`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use escrow::progress::Progress;
use escrow::report::Lang;

use super::progress::Bar;
use super::{LangArg, LimitArgs};

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
    /// Write the draft to FILE (refused if it exists, unless --force) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE given with --output if it exists.
    #[arg(long)]
    pub force: bool,
    /// Language of the summary on standard error.
    #[arg(long, value_enum, default_value = "auto")]
    lang: LangArg,
    /// No progress bar and no summary on standard error.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

pub fn run(cmd: &ManifestCommand) -> Result<u8> {
    match cmd {
        ManifestCommand::Init(args) => init(args),
        ManifestCommand::Check(args) => super::manifest_check::run(args),
    }
}

fn init(args: &InitArgs) -> Result<u8> {
    if let Some(out) = &args.output {
        super::check::refuse_inside(out, &args.delivery, "--output")?;
        if !args.force && out.symlink_metadata().is_ok() {
            bail!(
                "{}: already exists; choose another file name, or add --force to replace it",
                out.display()
            );
        }
    }
    let contract = args
        .contract
        .as_deref()
        .map(escrow::draft::contract::load)
        .transpose()
        .map_err(|e| {
            anyhow!("{e}\nfix the contract file (see `escrow manifest init --help`) and run again")
        })?;
    let date = super::now_rfc3339()?;
    let bar = Bar::new(!args.quiet && super::stderr_is_terminal());
    let files = escrow::draft::DeliveryFiles::open(&args.delivery, &bar, &args.limits.ingest());
    bar.finish();
    let files = files?;
    let origin = escrow::draft::Origin {
        delivery: args.delivery.display().to_string(),
        digest: files.delivery().inventory.digest(),
        date,
        contract: args.contract.as_ref().map(|c| c.display().to_string()),
    };
    let draft = escrow::draft::draft(&files, contract.as_ref(), &origin)?;
    let text = draft.to_toml();
    match &args.output {
        Some(out) if args.force => super::write_atomic(out, text.as_bytes())?,
        Some(out) => write_new(out, text.as_bytes())?,
        None => super::write_stdout(text.as_bytes())?,
    }
    if !args.quiet {
        let target = args
            .output
            .as_ref()
            .map_or_else(|| "MANIFEST.toml".to_owned(), |p| p.display().to_string());
        let summary = summary(
            &draft,
            args.lang.resolve(),
            &args.delivery,
            args.output.as_deref(),
            &target,
        );
        eprint!("{}", escrow::text::terminal_safe(&summary));
    }
    Ok(super::EXIT_PASS)
}

/// Write a new file atomically: a temporary file beside it, fsync, then a hard link to the
/// final name, which fails if the name exists (so a file made meanwhile is never replaced).
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    super::refuse_in_vault(path)?;
    let tmp = super::temp_beside(path)?;
    let result =
        super::write_synced(&tmp, bytes, true).and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "{}: already exists; choose another file name, or add --force to replace it",
            path.display()
        ),
        Err(e) => Err(e).with_context(|| {
            format!(
                "{}: cannot write the manifest; check that the folder exists and is writable",
                path.display()
            )
        }),
    }
}

/// What was drafted, and what to do next, in the user's language.
fn summary(
    d: &escrow::draft::Draft,
    lang: Lang,
    delivery: &Path,
    output: Option<&Path>,
    target: &str,
) -> String {
    let delivery = delivery.display().to_string();
    let mut s = String::new();
    match lang {
        Lang::Zh => summary_zh(&mut s, d, &delivery, output, target),
        Lang::En => summary_en(&mut s, d, &delivery, output, target),
    }
    s
}

fn summary_zh(
    s: &mut String,
    d: &escrow::draft::Draft,
    delivery: &str,
    output: Option<&Path>,
    target: &str,
) {
    let review = escrow::draft::REVIEW;
    let _ = writeln!(s, "已根据 {delivery} 起草清单：");
    let _ = writeln!(
        s,
        "  模块 {} 个（识别出 {} 个{}）",
        d.modules,
        d.modules_found,
        if d.unclaimed > 0 {
            format!("，其中 {} 个合同未列出，已注释", d.unclaimed)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "  文档 {} 类（{} 类未找到，已注释）",
        d.documents, d.documents_missing
    );
    let _ = writeln!(
        s,
        "  数据库脚本 {} 个，{} 组，共 {} 张表",
        d.scripts, d.databases, d.tables
    );
    let _ = writeln!(
        s,
        "  依赖清单文件 {} 个{}",
        d.dependency_files,
        if d.unparseable > 0 {
            format!("（{} 个无法解析，未列入）", d.unparseable)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "  需核对的行 {}（标有{review}），TODO {} 处",
        d.review, d.todos
    );
    if !d.not_found.is_empty() {
        let _ = writeln!(
            s,
            "  交付物中未找到的合同模块（TODO）：{}",
            d.not_found.join("、")
        );
    }
    if let Some(out) = output {
        let _ = writeln!(s, "清单已写入 {}", out.display());
    }
    if d.todos > 0 {
        let _ = writeln!(
            s,
            "请先填写 TODO 路径（否则检查会报错），核对标记的行，然后运行：escrow check {delivery} --manifest {target}"
        );
    } else {
        let _ = writeln!(
            s,
            "请核对标记的行，然后运行：escrow check {delivery} --manifest {target}"
        );
    }
}

fn summary_en(
    s: &mut String,
    d: &escrow::draft::Draft,
    delivery: &str,
    output: Option<&Path>,
    target: &str,
) {
    let review = escrow::draft::REVIEW;
    let _ = writeln!(s, "drafted a manifest from {delivery}:");
    let _ = writeln!(
        s,
        "  {} modules ({} found{})",
        d.modules,
        d.modules_found,
        if d.unclaimed > 0 {
            format!(", {} not named by the contract, commented out", d.unclaimed)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "  {} kinds of document ({} kinds not found, commented out)",
        d.documents, d.documents_missing
    );
    let _ = writeln!(
        s,
        "  {}, {}, {}",
        plural(d.scripts as u64, "database script", "database scripts"),
        plural(
            d.databases as u64,
            "[[database]] entry",
            "[[database]] entries"
        ),
        plural(d.tables, "table", "tables"),
    );
    let _ = writeln!(
        s,
        "  {} dependency files{}",
        d.dependency_files,
        if d.unparseable > 0 {
            format!(" ({} do not parse, left out)", d.unparseable)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "  {} to review (marked {review}), {}",
        plural(d.review as u64, "line", "lines"),
        plural(d.todos as u64, "TODO", "TODOs"),
    );
    if !d.not_found.is_empty() {
        let _ = writeln!(
            s,
            "  contracted modules not found in the delivery (TODO): {}",
            d.not_found.join(", ")
        );
    }
    if let Some(out) = output {
        let _ = writeln!(s, "manifest written to {}", out.display());
    }
    if d.todos > 0 {
        let _ = writeln!(
            s,
            "next: fill in the TODO paths (the check stops on them), review the marked lines, then run: escrow check {delivery} --manifest {target}"
        );
    } else {
        let _ = writeln!(
            s,
            "next: review the marked lines, then run: escrow check {delivery} --manifest {target}"
        );
    }
}

/// `1 table`, `2 tables`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
