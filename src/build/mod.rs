//! The isolated build (criterion ② 可运行性): build a private copy of the delivery in a sandbox,
//! with no network, a timeout that stops every process, process and memory limits, the output
//! captured to a log, and a record of what ran and what it made.

pub mod codes;
pub mod copy;
pub mod helper;
pub mod netlog;
pub mod sandbox;

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::delivery::Delivery;
use crate::finding::Finding;
use crate::manifest::{BuildSpec, Manifest, hex};
use crate::progress::Progress;
pub use sandbox::{Choice, Level};

/// How long a toolchain command may take.
const TOOLCHAIN_TIMEOUT: Duration = Duration::from_secs(60);
/// Lines kept from a toolchain command's output.
const TOOLCHAIN_LINES: usize = 5;
/// Lines of the log shown in reports.
const TAIL_LINES: usize = 20;
/// SOURCE_DATE_EPOCH when the delivery does not say when it was made (1980-01-01: zip and
/// other formats cannot store earlier times).
const FALLBACK_EPOCH: u64 = 315_532_800;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub sandbox: Choice,
    /// Build twice, in different folders with SOURCE_DATE_EPOCH set, and compare the outputs.
    pub reproducible: bool,
    /// Where to keep the build log; default: a new file in the temporary folder.
    pub log: Option<PathBuf>,
}

/// Why a build could not be attempted (the build itself failing is a finding, not an error).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{message}")]
    NoSandbox { message: String },
    #[error("{message}")]
    Changed { message: String },
    #[error("interrupted: the build was stopped and its copy of the delivery removed")]
    Interrupted,
    #[error("{}: {source}; check that the temporary folder ($TMPDIR) is writable and has room", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot write the build log ({source}); choose another --log path", path.display())]
    Log {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.to_owned(),
        source,
    }
}

/// How a build ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Succeeded,
    Failed,
    TimedOut,
}

/// A toolchain command and what it said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolVersion {
    pub command: String,
    pub exit_code: Option<i32>,
    /// Its first lines (standard output and error together).
    pub output: Vec<String>,
}

/// A declared output the build produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputFile {
    /// Relative to the delivery root.
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// The build log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogInfo {
    /// Where the log was written on this machine.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    /// Its last lines.
    pub tail: Vec<String>,
}

/// The second build of `--reproducible`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rebuild {
    pub build_path: String,
    pub status: Status,
    pub duration_ms: u64,
    pub outputs: Vec<OutputFile>,
    /// Declared outputs whose contents differ between the two builds (or exist in one only).
    pub differing: Vec<String>,
    pub log: LogInfo,
}

/// What was built, how, and what came out: the report's `build` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildRecord {
    pub command: String,
    /// Relative to the delivery root ("" for the root).
    pub workdir: String,
    /// `bwrap`, `unshare` or `none`.
    pub isolation: Level,
    /// What that isolation means, and why a weaker one was used.
    pub isolation_detail: String,
    /// Why a weaker isolation than bubblewrap was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
    pub network: bool,
    pub timeout_secs: u64,
    pub max_processes: u64,
    pub max_memory: u64,
    /// The folder the build ran in (a private copy, removed afterwards).
    pub build_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_date_epoch: Option<u64>,
    pub status: Status,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub duration_ms: u64,
    pub toolchain: Vec<ToolVersion>,
    pub outputs: Vec<OutputFile>,
    pub log: LogInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproducible: Option<Rebuild>,
}

/// A build's record, its findings, and the log file.
#[derive(Debug)]
pub struct BuildOutcome {
    pub record: BuildRecord,
    pub findings: Vec<Finding>,
    pub log: PathBuf,
}

/// One run of the build command.
struct RunResult {
    status: Status,
    exit_code: Option<i32>,
    signal: Option<i32>,
    duration: Duration,
    build_path: PathBuf,
    /// Output files found, by delivery-relative path; globs that matched nothing.
    outputs: Vec<OutputFile>,
    missing: Vec<String>,
    /// Outputs not hashed within the time allowed for hashing.
    unhashed: Vec<String>,
    /// Why escrow stopped the build (a limit), if it did.
    stopped: Option<String>,
    workdir_missing: bool,
    log: LogInfo,
    log_path: PathBuf,
    toolchain: Vec<ToolVersion>,
    /// The user id it ran as (when escrow runs as root).
    uid: u32,
}

/// Build the delivery as the manifest's `[build]` says.
pub fn run(
    manifest: &Manifest,
    spec: &BuildSpec,
    delivery: &Delivery,
    options: &Options,
    progress: &dyn Progress,
) -> Result<BuildOutcome, BuildError> {
    // From here until the copies are gone, Ctrl-C stops the build instead of ending escrow.
    let _running = Running::start();
    let sandbox = sandbox::select(options.sandbox)
        .map_err(|u| BuildError::NoSandbox { message: u.message })?;
    let epoch = options.reproducible.then(|| source_date_epoch(delivery));
    let log_path = match &options.log {
        Some(p) => p.clone(),
        None => {
            tempfile::Builder::new()
                .prefix("escrow-build-")
                .suffix(".log")
                .tempfile()
                .and_then(|f| f.keep().map_err(|e| e.error))
                .map_err(io_err(&std::env::temp_dir()))?
                .1
        }
    };
    let first = run_once(&sandbox, spec, delivery, &log_path, epoch, true, progress)?;
    let second = if options.reproducible {
        let mut name = log_path.clone().into_os_string();
        name.push(".2");
        Some(run_once(
            &sandbox,
            spec,
            delivery,
            &PathBuf::from(name),
            epoch,
            false,
            progress,
        )?)
    } else {
        None
    };

    let mut findings = Vec::new();
    let cmd = &spec.command;
    let log_shown = log_path.display().to_string();
    let duration = human_duration(first.duration);
    if first.workdir_missing {
        findings.push(Finding::new(
            "build-failed",
            format!("the build's workdir {:?} is not a folder of the delivery, so `{cmd}` could not run", spec.workdir),
            format!("编译工作目录 {:?} 不是交付物中的目录，无法运行 `{cmd}`", spec.workdir),
        ).path(spec.workdir.clone()));
    }
    match first.status {
        Status::TimedOut => findings.push(
            Finding::new(
                "build-timeout",
                format!(
                    "the build `{cmd}` did not finish within {}: it was stopped with every process it started; log: {log_shown}",
                    human_duration(spec.timeout)
                ),
                format!(
                    "编译命令 `{cmd}` 未在 {} 内完成：已终止编译及其启动的全部进程；日志：{log_shown}",
                    human_duration(spec.timeout)
                ),
            )
            .evidence(last(&first.log.tail, 10)),
        ),
        Status::Failed if !first.workdir_missing => {
            let how = match (&first.stopped, first.exit_code, first.signal) {
                (Some(why), _, _) => format!("was stopped by escrow: {why}"),
                (None, Some(c), _) => format!("exited with status {c}"),
                (None, None, Some(s)) => format!("was killed by signal {s}"),
                _ => "failed".to_owned(),
            };
            let how_zh = match (&first.stopped, first.exit_code, first.signal) {
                (Some(why), _, _) => format!("超出限制被 escrow 终止（{why}）"),
                (None, Some(c), _) => format!("以状态 {c} 退出"),
                (None, None, Some(s)) => format!("被信号 {s} 终止"),
                _ => "失败".to_owned(),
            };
            findings.push(
                Finding::new(
                    "build-failed",
                    format!("the build `{cmd}` {how} after {duration}; log: {log_shown}"),
                    format!("编译命令 `{cmd}` {how_zh}（用时 {duration}）；日志：{log_shown}"),
                )
                .evidence(last(&first.log.tail, 10)),
            );
        }
        _ => {}
    }
    if first.status != Status::Succeeded && !first.workdir_missing {
        let lines =
            netlog::network_lines(&first.log_path, 12).map_err(|source| BuildError::Log {
                path: first.log_path.clone(),
                source,
            })?;
        if !lines.is_empty() && !spec.network {
            findings.push(
                Finding::new(
                    "build-network-required",
                    format!(
                        "the build tried to reach the network, which is closed to it ({} log line{} below): it needs something that was not delivered; vendor the dependencies",
                        lines.len(),
                        if lines.len() == 1 { "" } else { "s" }
                    ),
                    format!(
                        "编译尝试访问网络（隔离环境中网络不可用，见下方 {} 行日志）：编译依赖未随交付物提供的内容；应随源代码交付全部依赖",
                        lines.len()
                    ),
                )
                .evidence(lines),
            );
        }
    }
    if first.status == Status::Succeeded {
        // An output whose content came with the delivery (where it was, or copied from
        // elsewhere in it) was not made by the build.
        let delivered: std::collections::HashSet<String> = delivery
            .inventory
            .files()
            .filter_map(|e| e.sha256.map(|h| hex(&h)))
            .collect();
        for o in &first.outputs {
            if o.size > 0 && delivered.contains(&o.sha256) {
                findings.push(
                    Finding::new(
                        "build-output-missing",
                        format!(
                            "{} is a file that came with the delivery (same SHA-256): the build did not make it",
                            o.path
                        ),
                        format!("{} 与交付物中已有文件完全相同（SHA-256 一致）：并非由编译生成", o.path),
                    )
                    .path(o.path.clone())
                    .evidence(vec![format!("sha256 {} before and after the build", o.sha256)]),
                );
            }
        }
        for glob in &first.missing {
            findings.push(
                Finding::new(
                    "build-output-missing",
                    format!("the build succeeded but no file matches the declared output {glob}"),
                    format!("编译成功，但没有文件与声明的编译产物 {glob} 匹配"),
                )
                .path(glob.clone()),
            );
        }
    }
    if !first.unhashed.is_empty() {
        findings.push(
            Finding::new(
                "build-output-missing",
                format!(
                    "{} declared output{} not hashed: hashing the outputs took longer than {}, so they are not recorded",
                    first.unhashed.len(),
                    if first.unhashed.len() == 1 { " was" } else { "s were" },
                    human_duration(HASH_BUDGET)
                ),
                format!(
                    "{} 个编译产物未计算哈希：计算时间超过 {}，未予记录",
                    first.unhashed.len(),
                    human_duration(HASH_BUDGET)
                ),
            )
            .evidence(first.unhashed.iter().take(20).cloned().collect()),
        );
    }
    let rebuild = second.map(|s| {
        let differing = compare(&first.outputs, &s.outputs);
        if first.status == Status::Succeeded && s.status != Status::Succeeded {
            findings.push(
                Finding::new(
                    "build-not-reproducible",
                    format!(
                        "the second build (in {}) did not succeed although the first did; log: {}",
                        s.build_path.display(),
                        s.log_path.display()
                    ),
                    format!(
                        "第二次编译（目录 {}）失败，而第一次成功；日志：{}",
                        s.build_path.display(),
                        s.log_path.display()
                    ),
                )
                .evidence(last(&s.log.tail, 10)),
            );
        } else if first.status == Status::Succeeded {
            for (path, evidence) in &differing {
                findings.push(
                    Finding::new(
                        "build-not-reproducible",
                        format!("{path} differs between two builds of the same source"),
                        format!("{path} 在同一源代码的两次编译中内容不同"),
                    )
                    .path(path.clone())
                    .evidence(evidence.clone()),
                );
            }
        }
        Rebuild {
            build_path: s.build_path.display().to_string(),
            status: s.status,
            duration_ms: millis(s.duration),
            outputs: s.outputs,
            differing: differing.into_iter().map(|(p, _)| p).collect(),
            log: s.log,
        }
    });
    let detail = {
        let mut d = sandbox.describe(spec.network, first.uid);
        if let Some(why) = &sandbox.fallback_reason {
            d.push_str(&format!(" ({why})"));
        }
        d
    };
    if sandbox.level != Level::Bwrap {
        findings.push(Finding::new(
            "build-sandbox-weak",
            format!(
                "the build ran with {} isolation: {detail}",
                sandbox.level.as_str()
            ),
            format!(
                "编译使用了 {} 隔离：{}",
                sandbox.level.as_str(),
                match sandbox.level {
                    Level::Landlock =>
                        "主机文件只读（Landlock），隔离网络和进程；主机 Unix 套接字未隐藏",
                    Level::Unshare => "仅隔离网络和进程，本机文件未受保护",
                    _ => "未隔离：编译与本机共享网络、进程和文件",
                }
            ),
        ));
    }
    if spec.network {
        findings.push(Finding::new(
            "build-network-allowed",
            "the manifest lets the build use the network (network = true): a successful build does not show that every dependency was delivered",
            "清单允许编译访问网络（network = true）：编译成功不能证明全部依赖均已交付",
        ));
    }
    for f in &mut findings {
        f.severity = manifest.severity_of(&f.code);
    }
    let record = BuildRecord {
        command: spec.command.clone(),
        workdir: spec.workdir.clone(),
        isolation: sandbox.level,
        isolation_detail: detail,
        fallback_reason: sandbox.fallback_reason.clone(),
        network: spec.network,
        timeout_secs: spec.timeout.as_secs(),
        max_processes: spec.max_processes,
        max_memory: spec.max_memory,
        build_path: first.build_path.display().to_string(),
        source_date_epoch: epoch,
        status: first.status,
        exit_code: first.exit_code,
        signal: first.signal,
        duration_ms: millis(first.duration),
        toolchain: first.toolchain,
        outputs: first.outputs,
        log: first.log,
        reproducible: rebuild,
    };
    Ok(BuildOutcome {
        record,
        findings,
        log: log_path,
    })
}

fn last(lines: &[String], n: usize) -> Vec<String> {
    lines[lines.len().saturating_sub(n)..].to_vec()
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// "2.3 s", "4 min 10 s", "1 h 5 min".
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{:.1} s", d.as_secs_f64())
    } else if s < 3600 {
        format!("{} min {} s", s / 60, s % 60)
    } else {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    }
}

/// The delivery's own time when it says (a git commit), else 1980-01-01.
fn source_date_epoch(delivery: &Delivery) -> u64 {
    use time::format_description::well_known::Rfc3339;
    delivery
        .source
        .date
        .as_deref()
        .and_then(|d| time::OffsetDateTime::parse(d, &Rfc3339).ok())
        .and_then(|t| u64::try_from(t.unix_timestamp()).ok())
        .unwrap_or(FALLBACK_EPOCH)
}

/// Files that differ between two runs' outputs, with evidence.
fn compare(a: &[OutputFile], b: &[OutputFile]) -> Vec<(String, Vec<String>)> {
    let mut paths: Vec<&str> = a.iter().chain(b).map(|o| o.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let find = |list: &[OutputFile], p: &str| list.iter().find(|o| o.path == p).cloned();
    let mut out = Vec::new();
    for p in paths {
        let (x, y) = (find(a, p), find(b, p));
        let show = |o: &Option<OutputFile>| {
            o.as_ref().map_or("missing".to_owned(), |o| {
                format!("sha256 {} ({} bytes)", o.sha256, o.size)
            })
        };
        if x.as_ref().map(|o| &o.sha256) != y.as_ref().map(|o| &o.sha256) {
            out.push((
                p.to_owned(),
                vec![
                    format!("first build: {}", show(&x)),
                    format!("second build: {}", show(&y)),
                ],
            ));
        }
    }
    out
}

/// Build once in a fresh copy; the copy is removed afterwards.
fn run_once(
    sandbox: &sandbox::Sandbox,
    spec: &BuildSpec,
    delivery: &Delivery,
    log_path: &Path,
    epoch: Option<u64>,
    with_toolchain: bool,
    progress: &dyn Progress,
) -> Result<RunResult, BuildError> {
    let tmp = tempfile::Builder::new()
        .prefix(COPY_PREFIX)
        .tempdir()
        .map_err(io_err(&std::env::temp_dir()))?;
    let root = tmp.path().to_owned();
    // Locked while this run lives: a copy whose lock is free was left by a killed run, and the
    // next run removes it (as it does staging folders).
    let _lock = lock_copy(&root, sandbox.as_root, progress)?;
    // The file system's use before the copy: files the build deletes while it holds them open
    // take room that no walk by name finds.
    let fs_base = fs_used(&root);
    let marker = {
        let mut h = Sha256::new();
        h.update(root.as_os_str().as_encoded_bytes());
        h.update(std::process::id().to_le_bytes());
        hex(&h.finalize()[..12])
    };
    let dirs = sandbox::Dirs {
        copy: root.join("src"),
        tmp: root.join("tmp"),
        var_tmp: root.join("var-tmp"),
        home: root.join("home"),
        root: root.clone(),
        uid: sandbox::build_uid(&marker),
    };
    copy_tree(delivery, &dirs.copy)?;
    let mut env: Vec<(String, String)> = vec![
        ("PATH".to_owned(), sandbox::DEFAULT_PATH.to_owned()),
        ("LANG".to_owned(), "C.UTF-8".to_owned()),
    ];
    for (k, v) in &spec.env {
        env.retain(|(x, _)| x != k);
        env.push((k.clone(), v.clone()));
    }
    if let Some(e) = epoch {
        env.push(("SOURCE_DATE_EPOCH".to_owned(), e.to_string()));
    }
    env.push(("ESCROW_BUILD_ID".to_owned(), marker.clone()));
    sandbox.prepare(&dirs, &env).map_err(io_err(&root))?;
    let cwd = if spec.workdir.is_empty() {
        dirs.copy.clone()
    } else {
        dirs.copy.join(&spec.workdir)
    };
    let workdir_missing = !cwd.is_dir();

    // A build user of the build's own is swept by user id too (not `nobody`: shared).
    let own_uid = (sandbox.as_root && dirs.uid != 65534).then_some(dirs.uid);
    let base = sandbox::Launch {
        dirs: &dirs,
        cwd: &cwd,
        env: &env,
        network: spec.network,
        max_processes: spec.max_processes,
        max_memory: spec.max_memory,
        max_file_size: spec.max_file_size,
        script: "",
    };
    let bounds = Bounds {
        marker: &marker,
        uid: own_uid,
        group: sandbox.level == Level::None,
        disk: Some((root.as_path(), spec.max_disk)),
        fs_base,
    };
    let mut toolchain = Vec::new();
    if with_toolchain && !workdir_missing {
        for t in &spec.toolchain {
            let out = root.join("toolchain.out");
            let f = std::fs::File::create(&out).map_err(io_err(&out))?;
            let launch = sandbox::Launch { script: t, ..base };
            let status = supervise(
                sandbox.command(&launch),
                f,
                TOOLCHAIN_TIMEOUT,
                bounds,
                &crate::progress::NoProgress,
            )
            .map_err(supervise_err(&out))?
            .status;
            let text = crate::text::decode(&read_head(&out, 64 << 10).map_err(io_err(&out))?).0;
            toolchain.push(ToolVersion {
                command: t.clone(),
                exit_code: status.and_then(|s| s.code()),
                output: text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .take(TOOLCHAIN_LINES)
                    .map(str::to_owned)
                    .collect(),
            });
        }
    }

    let log = open_log(log_path).map_err(|source| BuildError::Log {
        path: log_path.to_owned(),
        source,
    })?;
    let started = Instant::now();
    progress.begin("building", 0, 0);
    let ran = if workdir_missing {
        let mut log = log;
        let _ = writeln!(
            log,
            "escrow: workdir {:?} is not a folder of the delivery",
            spec.workdir
        );
        Supervised {
            status: None,
            timed_out: false,
            started: true,
            stopped: None,
        }
    } else {
        let launch = sandbox::Launch {
            script: &spec.command,
            ..base
        };
        supervise(
            sandbox.command(&launch),
            log,
            spec.timeout,
            bounds,
            progress,
        )
        .map_err(supervise_err(&root))?
    };
    progress.finish();
    let duration = started.elapsed();
    let (status, timed_out) = (ran.status, ran.timed_out);
    if !ran.started && !timed_out && ran.stopped.is_none() {
        remove_tree(tmp);
        return Err(sandbox_failure(log_path));
    }
    let status_kind = if timed_out {
        Status::TimedOut
    } else if status.is_some_and(|s| s.success()) && ran.stopped.is_none() {
        Status::Succeeded
    } else {
        Status::Failed
    };
    let (outputs, missing, unhashed) = if status_kind == Status::Succeeded {
        collect_outputs(&dirs.copy, spec, Instant::now() + HASH_BUDGET)?
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let log_info = log_info(log_path)?;
    let result = RunResult {
        status: status_kind,
        exit_code: if timed_out {
            None
        } else {
            status.and_then(|s| s.code())
        },
        signal: if timed_out {
            None
        } else {
            status.and_then(|s| s.signal())
        },
        duration,
        build_path: dirs.copy.clone(),
        outputs,
        missing,
        unhashed,
        stopped: ran.stopped,
        workdir_missing,
        log: log_info,
        log_path: log_path.to_owned(),
        toolchain,
        uid: dirs.uid,
    };
    remove_tree(tmp);
    Ok(result)
}

/// The sandbox's last step never wrote its start marker: the sandbox did not start, and the
/// vendor's build did not run. That is a runtime error (exit 2), not a failed build; the log's
/// first line (from bubblewrap, unshare, prlimit or setpriv) says why.
fn sandbox_failure(log: &Path) -> BuildError {
    let head = read_head(log, 4096).unwrap_or_default();
    let text = crate::text::decode(&head).0;
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    BuildError::NoSandbox {
        message: format!(
            "the sandbox could not start, so the vendor's build did not run: {}; see the log {}. Fix the sandbox (bubblewrap, user namespaces, Landlock) rather than weakening it",
            if first.is_empty() {
                "it said nothing"
            } else {
                first
            },
            log.display()
        ),
    }
}

/// The first `max` bytes of a file.
fn read_head(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    std::fs::File::open(path)?.take(max).read_to_end(&mut out)?;
    Ok(out)
}

fn log_info(path: &Path) -> Result<LogInfo, BuildError> {
    let err = |source| BuildError::Log {
        path: path.to_owned(),
        source,
    };
    let mut buf = vec![0u8; 1 << 16];
    let (sha, bytes) = crate::delivery::inventory::hash_file(path, &mut buf).map_err(err)?;
    Ok(LogInfo {
        path: path.display().to_string(),
        bytes,
        sha256: hex(&sha),
        tail: netlog::tail(path, TAIL_LINES).map_err(err)?,
    })
}

/// Open a build log for writing without following a link or blocking on a FIFO that a build
/// (under the weaker sandboxes, which do not protect the host's files) may have put at its
/// path: a regular file is truncated, anything else is removed and created anew.
fn open_log(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => opts.truncate(true).open(path),
        Ok(_) => {
            std::fs::remove_file(path)?;
            opts.create_new(true).open(path)
        }
        Err(_) => opts.create_new(true).open(path),
    }
}

/// How a supervised command ended.
struct Supervised {
    /// Its exit status (`None` if it could not start).
    status: Option<std::process::ExitStatus>,
    timed_out: bool,
    /// The sandbox's last step wrote the start marker: the build itself ran.
    started: bool,
    /// Why escrow stopped it before its end (a limit), if it did.
    stopped: Option<String>,
}

/// Which processes belong to a supervised command, and what it may use besides time.
#[derive(Clone, Copy)]
struct Bounds<'a> {
    /// The build's marker, in the environment of its processes.
    marker: &'a str,
    /// The user id of the build's own (when escrow runs as root).
    uid: Option<u32>,
    /// The command leads a session (and process group) of its own outside any PID namespace
    /// (no sandbox).
    group: bool,
    /// The run's folder and the most it may hold (max-disk).
    disk: Option<(&'a Path, u64)>,
    /// The used space of the file system holding the run's folder before its copy was made.
    fs_base: Option<u64>,
}

/// Run a sandboxed command with its output into `out`, stopping it and every process it
/// started at `timeout` or when it passes a limit.
fn supervise(
    mut cmd: std::process::Command,
    out: std::fs::File,
    timeout: Duration,
    bounds: Bounds<'_>,
    progress: &dyn Progress,
) -> std::io::Result<Supervised> {
    use std::io::Read;
    let Bounds {
        marker, uid, group, ..
    } = bounds;
    // Processes the build leaves behind (a daemon that started a session of its own and
    // cleared its environment) become escrow's children, and are killed at the end.
    let _ = rustix::process::set_child_subreaper(Some(rustix::process::getpid()));
    let err = out.try_clone()?;
    let watch = out.try_clone()?;
    let (mut start_reader, start_writer) = std::io::pipe()?;
    let mut logged = 0;
    let spawned = cmd
        .stdin(Stdio::from(start_writer))
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn();
    // Only the sandbox holds the writing end now.
    drop(cmd);
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Supervised {
                status: None,
                timed_out: false,
                started: false,
                stopped: None,
            });
        }
        Err(e) => return Err(e),
    };
    let started = Instant::now();
    let deadline = started + timeout;
    let mut timed_out = false;
    let mut stopped: Option<String> = None;
    let mut disk_check = DiskCheck::new();
    let mut fs_check = FsCheck::new(bounds, &watch);
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        // The spinner counts the log's bytes: a build that prints is a build that moves.
        if let Ok(len) = watch.metadata().map(|m| m.len())
            && len > logged
        {
            progress.advance(0, len - logged);
            logged = len;
        }
        if logged > MAX_LOG_BYTES {
            stopped = Some("its log passed 256 MiB".to_owned());
        } else if INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
            stopped = Some("escrow was interrupted".to_owned());
        } else if let Some((root, max)) = bounds.disk
            && let Some(used) = disk_check.poll(root)
            && used > max
        {
            stopped = Some(disk_message(used, max));
        } else if let Some(why) = fs_check.poll(&watch) {
            stopped = Some(why);
        }
        if Instant::now() >= deadline || stopped.is_some() {
            timed_out = stopped.is_none();
            // `unshare`: the child's child is the PID namespace's init, and the kernel kills
            // every process of a namespace whose init dies. bubblewrap keeps an init of its
            // own that dies with the child. Without a sandbox, the build's session goes too.
            for pid in children(child.id()) {
                kill_pid(pid);
            }
            if group {
                kill_group(child.id());
            }
            let _ = child.kill();
            break child.wait()?;
        }
        // Poll often at first (most toolchain commands take milliseconds), then every 20 ms.
        let waited = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        std::thread::sleep(Duration::from_millis((waited / 10).clamp(1, 20)));
    };
    if group {
        kill_group(child.id());
    }
    sweep(marker, uid);
    kill_descendants();
    let mut byte = [0u8; 1];
    let _ = rustix::fs::fcntl_setfl(&start_reader, rustix::fs::OFlags::NONBLOCK);
    let began = matches!(start_reader.read(&mut byte), Ok(1)) && byte[0] == helper::START_MARKER;
    // Limits a short build passed before the first look: its log, its disk use.
    if stopped.is_none()
        && let Ok(len) = watch.metadata().map(|m| m.len())
        && len > MAX_LOG_BYTES
    {
        let _ = watch.set_len(MAX_LOG_BYTES);
        stopped = Some("its log passed 256 MiB (cut there)".to_owned());
    }
    if stopped.is_none()
        && let Some((root, max)) = bounds.disk
    {
        let used = disk_use(root);
        if used > max {
            stopped = Some(disk_message(used, max));
        }
    }
    // Ctrl-C reaches the sandbox too and may end it before the handler's flag is seen.
    if status.signal() == Some(libc::SIGINT) {
        for _ in 0..20 {
            if INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    if stopped.is_none() && INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
        stopped = Some("escrow was interrupted".to_owned());
    }
    if let Some(why) = &stopped {
        use std::io::Write;
        let _ = writeln!(&watch, "\nescrow: the build was stopped: {why}");
        if INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "interrupted; the build was stopped and its copy removed",
            ));
        }
    }
    Ok(Supervised {
        status: Some(status),
        timed_out,
        started: began,
        stopped,
    })
}

fn disk_message(used: u64, max: u64) -> String {
    format!(
        "its copy and private folders used more than max-disk ({} MiB of {} MiB allowed)",
        used >> 20,
        max >> 20
    )
}

/// The used space of the file system holding `path`.
fn fs_used(path: &Path) -> Option<u64> {
    let s = rustix::fs::statvfs(path).ok()?;
    Some(
        s.f_blocks
            .saturating_sub(s.f_bfree)
            .saturating_mul(s.f_frsize),
    )
}

/// The growth of the file system holding a run's folder, polled every 100 ms: it sees what
/// the walk by name does not (files deleted while held open). Whatever else writes to that
/// file system meanwhile counts too; the build log escrow writes there does not.
struct FsCheck<'a> {
    /// The run's folder, its max-disk, the used space before the copy.
    watched: Option<(&'a Path, u64, u64)>,
    /// The log is on the same file system (its size is not the build's disk use).
    log_same_fs: bool,
    next: Instant,
}

impl<'a> FsCheck<'a> {
    fn new(bounds: Bounds<'a>, log: &std::fs::File) -> FsCheck<'a> {
        use std::os::unix::fs::MetadataExt;
        let watched = match (bounds.disk, bounds.fs_base) {
            (Some((root, max)), Some(base)) => Some((root, max, base)),
            _ => None,
        };
        let log_same_fs = watched.is_some_and(|(root, _, _)| {
            matches!((std::fs::metadata(root), log.metadata()), (Ok(a), Ok(b)) if a.dev() == b.dev())
        });
        FsCheck {
            watched,
            log_same_fs,
            next: Instant::now(),
        }
    }

    /// Why the build must stop, once the file system grew by more than max-disk.
    fn poll(&mut self, log: &std::fs::File) -> Option<String> {
        let (root, max, base) = self.watched?;
        let now = Instant::now();
        if now < self.next {
            return None;
        }
        self.next = now + Duration::from_millis(100);
        let mut grown = fs_used(root)?.saturating_sub(base);
        if self.log_same_fs {
            let log_len = log.metadata().map_or(0, |m| {
                use std::os::unix::fs::MetadataExt;
                (m.blocks() * 512).max(m.len())
            });
            grown = grown.saturating_sub(log_len);
        }
        (grown > max).then(|| {
            format!(
                "the file system holding its copy filled by {} MiB during the build, more than max-disk ({} MiB allowed; files deleted while still open count, and so does anything else writing to that file system meanwhile)",
                grown >> 20,
                max >> 20
            )
        })
    }
}

/// Make the run's `lock` (flocked for the run's lifetime) and remove the copies of runs that
/// were killed (their lock free), each reported through `progress`.
fn lock_copy(
    root: &Path,
    as_root: bool,
    progress: &dyn Progress,
) -> Result<std::fs::File, BuildError> {
    use crate::delivery::staging;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let path = root.join(staging::LOCK);
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(io_err(&path))?;
    rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive)
        .map_err(|e| io_err(&path)(e.into()))?;
    let me = std::fs::symlink_metadata(root).map_err(io_err(root))?.uid();
    // As root, a copy's folder belongs to its build user (or `nobody`).
    let owned = |u: u32| {
        u == me
            || (as_root
                && (u == 65534
                    || (sandbox::BUILD_UID_BASE
                        ..sandbox::BUILD_UID_BASE + sandbox::BUILD_UID_SPAN)
                        .contains(&u)))
    };
    let parent = root.parent().unwrap_or(root);
    for removed in staging::remove_stale(parent, COPY_PREFIX, root, &owned) {
        progress.notice(&format!(
            "removed {}: a build copy left by an earlier escrow run that was stopped before it could clean up",
            removed.display()
        ));
    }
    Ok(lock)
}

/// The name every build's folder starts with.
const COPY_PREFIX: &str = "escrow-build-";

/// Disk use polled during a build: at most every 2 s, and less often when a walk takes long
/// (a walk costs at most a twentieth of the time).
struct DiskCheck {
    next: Instant,
}

impl DiskCheck {
    fn new() -> DiskCheck {
        DiskCheck {
            next: Instant::now() + Duration::from_secs(2),
        }
    }

    fn poll(&mut self, root: &Path) -> Option<u64> {
        let now = Instant::now();
        if now < self.next {
            return None;
        }
        let used = disk_use(root);
        let took = now.elapsed();
        self.next = Instant::now() + (took * 20).max(Duration::from_secs(2));
        Some(used)
    }
}

/// The disk space the files under `root` take (allocated blocks, so a sparse file counts for
/// what it holds, and for its length when that is larger: a hole still counts against a copy).
fn disk_use(root: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| (m.blocks() * 512).max(if m.is_file() { m.len() } else { 0 }))
        .fold(0u64, u64::saturating_add)
}

/// True while a build runs, from its copy to its clean-up (the interrupt handler then stops the
/// build rather than ending escrow at once).
pub static RUNNING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets `RUNNING` for its lifetime.
struct Running;

impl Running {
    fn start() -> Running {
        RUNNING.store(true, std::sync::atomic::Ordering::SeqCst);
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A supervised command's error: an interrupt, or an input/output error at `path`.
fn supervise_err(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |e| {
        if e.kind() == std::io::ErrorKind::Interrupted {
            BuildError::Interrupted
        } else {
            io_err(path)(e)
        }
    }
}

/// `Err(Interrupted)` once Ctrl-C was pressed.
fn check_interrupt() -> Result<(), BuildError> {
    if INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
        Err(BuildError::Interrupted)
    } else {
        Ok(())
    }
}

/// Set by the program's interrupt handler (Ctrl-C): a running build is stopped, its processes
/// killed and its copy removed, and `run` returns an error.
pub static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The most time spent hashing a build's outputs; the rest are reported as not hashed.
const HASH_BUDGET: Duration = Duration::from_secs(600);

/// A build whose log grows past this is stopped: it would fill the disk.
const MAX_LOG_BYTES: u64 = 256 << 20;

/// The direct children of a process.
fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .map(|s| {
            s.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// SIGKILL to a process; errors (already gone) do not matter.
fn kill_pid(pid: u32) {
    if let Some(p) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
    }
}

/// SIGKILL to a process group.
fn kill_group(pgid: u32) {
    if let Some(p) = i32::try_from(pgid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(p, rustix::process::Signal::KILL);
    }
}

/// Every process below escrow (escrow is their subreaper, so a process whose parent died is
/// still below it).
fn descendants() -> Vec<u32> {
    let mut out = Vec::new();
    let mut todo = vec![std::process::id()];
    while let Some(pid) = todo.pop() {
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for t in tasks {
            let kids = std::fs::read_to_string(format!("/proc/{pid}/task/{t}/children"))
                .unwrap_or_default();
            for k in kids
                .split_whitespace()
                .filter_map(|k| k.parse::<u32>().ok())
            {
                if !out.contains(&k) {
                    out.push(k);
                    todo.push(k);
                }
            }
        }
    }
    out
}

/// Kill every process below escrow and reap them, until none is left.
fn kill_descendants() {
    for _ in 0..100 {
        let pids = descendants();
        for &p in &pids {
            kill_pid(p);
        }
        while let Ok(Some(_)) = rustix::process::wait(rustix::process::WaitOptions::NOHANG) {}
        if pids.is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Kill whatever the build left running outside a PID namespace (`--no-sandbox`, or a process
/// that escaped): every process whose environment carries this build's marker.
fn sweep(marker: &str, uid: Option<u32>) {
    let needle = format!("ESCROW_BUILD_ID={marker}");
    for _ in 0..50 {
        let pids = marked(&needle, uid);
        if pids.is_empty() {
            return;
        }
        for p in pids.iter().filter_map(|p| p.parse::<u32>().ok()) {
            kill_pid(p);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Processes whose environment holds `needle`, or that run as `uid` (a user id of the build's
/// own, which no other process uses).
fn marked(needle: &str, uid: Option<u32>) -> Vec<String> {
    let own = std::process::id().to_string();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()) && *n != own)
        .filter(|n| {
            std::fs::read(format!("/proc/{n}/environ"))
                .is_ok_and(|env| env.split(|&b| b == 0).any(|v| v == needle.as_bytes()))
                || uid.is_some_and(|u| runs_as(n, u))
        })
        .collect()
}

/// Whether process `pid` runs as real user `uid`.
fn runs_as(pid: &str, uid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|u| u.parse::<u32>().ok())
            == Some(uid)
    })
}

/// Copy the delivery into `to` from its checked content (see [`copy`]).
fn copy_tree(delivery: &Delivery, to: &Path) -> Result<(), BuildError> {
    copy::copy_checked(
        &delivery.root,
        delivery.root_fd(),
        &delivery.inventory,
        to,
        &|| INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst),
    )
    .map_err(|e| match e {
        copy::CopyError::Interrupted => BuildError::Interrupted,
        copy::CopyError::Io { path, source } => BuildError::Io { path, source },
        e @ copy::CopyError::Changed { .. } => BuildError::Changed {
            message: e.to_string(),
        },
    })
}

/// Outputs hashed, globs that matched nothing, outputs not hashed in time.
type Collected = (Vec<OutputFile>, Vec<String>, Vec<String>);

/// The declared outputs after a successful build: the files each glob matches, hashed, and
/// the globs that matched nothing.
fn collect_outputs(
    copy: &Path,
    spec: &BuildSpec,
    deadline: Instant,
) -> Result<Collected, BuildError> {
    if spec.outputs.is_empty() {
        return Ok((Vec::new(), Vec::new(), Vec::new()));
    }
    let mut unhashed = Vec::new();
    let mut matched = vec![false; spec.outputs.len()];
    let mut files = Vec::new();
    let mut buf = vec![0u8; 1 << 18];
    for entry in walkdir::WalkDir::new(copy).sort_by_file_name() {
        check_interrupt()?;
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(copy) else {
            continue;
        };
        let rel = crate::delivery::names::display(rel.as_os_str().as_encoded_bytes());
        let mut hit = false;
        for (i, (_, g)) in spec.outputs.iter().enumerate() {
            if g.is_match(&rel) {
                matched[i] = true;
                hit = true;
            }
        }
        if hit && Instant::now() >= deadline {
            unhashed.push(rel);
        } else if hit {
            let (sha, size) = crate::delivery::inventory::hash_file(entry.path(), &mut buf)
                .map_err(io_err(entry.path()))?;
            files.push(OutputFile {
                path: rel,
                size,
                sha256: hex(&sha),
            });
        }
    }
    let missing = spec
        .outputs
        .iter()
        .zip(matched)
        .filter(|(_, m)| !m)
        .map(|((g, _), _)| g.clone())
        .collect();
    Ok((files, missing, unhashed))
}

/// Remove a run's folder, even where the build left folders without write permission.
fn remove_tree(tmp: tempfile::TempDir) {
    let path = tmp.keep();
    if std::fs::remove_dir_all(&path).is_err() {
        let _ = std::process::Command::new("chmod")
            .args(["-R", "u+rwX", "--"])
            .arg(&path)
            .status();
        let _ = std::fs::remove_dir_all(&path);
    }
}
