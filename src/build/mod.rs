//! The isolated build (criterion ② 可运行性): build a private copy of the delivery in a sandbox,
//! with no network, a timeout that stops every process, process and memory limits, the output
//! captured to a log, and a record of what ran and what it made.
//!
//! This file orchestrates a build ([`run`]); the parts live beside it:
//! - `config`: the manifest's `[build]` table and its validation ([`BuildSpec`]);
//! - `copy`: the private copy of the delivery and the run's folder (lock, clean-up);
//! - `sandbox`: the backends (bubblewrap, Landlock, none) and the command each runs;
//! - `helper`: the sandbox's last step, run inside it by escrow's own program;
//! - `supervise`: spawn, poll the limits, kill every process, capture the output;
//! - `findings`: what a build's results mean for the report;
//! - `cancel`: the cancellation token the CLI's Ctrl-C handler sets ([`Cancel`]).
mod cancel;
pub mod codes;
pub mod config;
mod copy;
mod findings;
pub mod helper;
mod netlog;
mod sandbox;
mod supervise;

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::delivery::Delivery;
use crate::finding::Finding;
use crate::hash::hex;
use crate::progress::Progress;
pub use cancel::Cancel;
pub use config::BuildSpec;
use sandbox::Sandbox;
pub use sandbox::{Choice, Isolation};
use supervise::{Bounds, Supervised, open_log};

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
    /// Which sandbox to use.
    pub sandbox: Choice,
    /// Build twice, in different folders with SOURCE_DATE_EPOCH set, and compare the outputs.
    pub reproducible: bool,
    /// Where to keep the build log; default: a new file in the temporary folder.
    pub log: Option<PathBuf>,
    /// Stops the build when cancelled (the CLI's Ctrl-C handler cancels it).
    pub cancel: Cancel,
    /// The bubblewrap program (`$ESCROW_BWRAP`); `None`: `bwrap` on PATH.
    pub bwrap: Option<OsString>,
    /// The invoking user's home (`$HOME`): bubblewrap shows the build a private folder at its
    /// path, and toolchains the manifest names under it are shown read-only.
    pub home: Option<PathBuf>,
}

/// Why a build could not be attempted (the build itself failing is a finding, not an error).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// No sandbox works here; `message` says why and what to install.
    #[error("{message}")]
    NoSandbox {
        /// Why, and what to do.
        message: String,
    },
    /// The delivery changed after it was checked; `message` says which file.
    #[error("{message}")]
    Changed {
        /// What changed, in which file.
        message: String,
    },
    /// The build was cancelled (Ctrl-C).
    #[error("interrupted: the build was stopped and its copy of the delivery removed")]
    Interrupted,
    /// A file of the build (its copy, its folder) could not be made or read.
    #[error("{}: {source}; check that the temporary folder ($TMPDIR) is writable and has room", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The build log could not be written or read.
    #[error("{}: cannot write the build log ({source}); choose another --log path", path.display())]
    Log {
        /// The log file.
        path: PathBuf,
        /// The cause.
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
pub enum BuildStatus {
    /// It exited with status 0 and every limit held.
    Succeeded,
    /// It exited otherwise, was killed, or passed a limit.
    Failed,
    /// It ran past the timeout and was stopped.
    TimedOut,
}

/// A toolchain command and what it said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolVersion {
    /// The command as the manifest gives it.
    pub command: String,
    /// Its exit status (`None`: killed or not started).
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
    /// Bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// The build log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogInfo {
    /// Where the log was written on this machine.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 of the log, lower-case hex.
    pub sha256: String,
    /// Its last lines.
    pub tail: Vec<String>,
}

/// The second build of `--reproducible`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rebuild {
    /// The folder the second build ran in (removed afterwards).
    pub build_path: String,
    /// How it ended.
    pub status: BuildStatus,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// The declared outputs it made.
    pub outputs: Vec<OutputFile>,
    /// Declared outputs whose contents differ between the two builds (or exist in one only).
    pub differing: Vec<String>,
    /// Its log.
    pub log: LogInfo,
}

/// What was built, how, and what came out: the report's `build` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildRecord {
    /// The build command (`/bin/sh -c`).
    pub command: String,
    /// Relative to the delivery root ("" for the root).
    pub workdir: String,
    /// `bwrap`, `unshare` or `none`.
    pub isolation: Isolation,
    /// What that isolation means, and why a weaker one was used.
    pub isolation_detail: String,
    /// Why a weaker isolation than bubblewrap was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
    /// The manifest let the build use the network.
    pub network: bool,
    /// The timeout, in seconds.
    pub timeout_secs: u64,
    /// `max-processes`.
    pub max_processes: u64,
    /// `max-memory`, in bytes.
    pub max_memory: u64,
    /// The folder the build ran in (a private copy, removed afterwards).
    pub build_path: String,
    /// SOURCE_DATE_EPOCH given to the build (with `--reproducible`), in seconds since 1970.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_date_epoch: Option<u64>,
    /// How the build ended.
    pub status: BuildStatus,
    /// Its exit status (`None`: killed, timed out or not started).
    pub exit_code: Option<i32>,
    /// The signal that killed it, if one did.
    pub signal: Option<i32>,
    /// How long it ran, in milliseconds.
    pub duration_ms: u64,
    /// The toolchain commands and what they said.
    pub toolchain: Vec<ToolVersion>,
    /// The declared outputs it made, hashed.
    pub outputs: Vec<OutputFile>,
    /// Its log.
    pub log: LogInfo,
    /// The second build of `--reproducible`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproducible: Option<Rebuild>,
}

/// A build's record, its findings, and the log file.
#[derive(Debug)]
pub struct BuildOutcome {
    /// What was built, how, and what came out.
    pub record: BuildRecord,
    /// The build's findings, with their codes' default severities.
    pub findings: Vec<Finding>,
    /// The build log on this machine.
    pub log: PathBuf,
}

/// One run of the build command.
struct RunResult {
    status: BuildStatus,
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

/// Build the delivery as `spec` (the manifest's `[build]`) says: once, or twice with
/// `--reproducible`, each time in a fresh private copy removed afterwards. The findings carry
/// their codes' default severities (the manifest's `[severity]` is the caller's to apply).
///
/// Errors: no sandbox works ([`BuildError::NoSandbox`]), the delivery changed since it was
/// checked, the build was cancelled ([`BuildError::Interrupted`]), or a file of the build
/// (its copy, its log) could not be written.
pub fn run(
    spec: &BuildSpec,
    delivery: &Delivery,
    options: &Options,
    progress: &dyn Progress,
) -> Result<BuildOutcome, BuildError> {
    // From here until the copies are gone, a cancellation (Ctrl-C) stops the build instead of
    // ending escrow.
    let _listening = options.cancel.listen();
    let host = sandbox::Host {
        bwrap: options.bwrap.as_deref(),
        home: options.home.as_deref(),
    };
    let sandbox = sandbox::select(options.sandbox, host)
        .map_err(|u| BuildError::NoSandbox { message: u.message })?;
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
    let run = Run {
        sandbox: &sandbox,
        spec,
        delivery,
        epoch: options.reproducible.then(|| source_date_epoch(delivery)),
        cancel: &options.cancel,
        progress,
    };
    let first = run.once(&log_path, true)?;
    let second = if options.reproducible {
        let mut name = log_path.clone().into_os_string();
        name.push(".2");
        Some(run.once(&PathBuf::from(name), false)?)
    } else {
        None
    };

    let mut findings = findings::first_run(&first, spec, delivery)?;
    let rebuild = second.map(|s| findings::rebuild(&first, s, &mut findings));
    let detail = {
        let mut d = sandbox.describe(spec.network, first.uid);
        if let Some(why) = &sandbox.fallback_reason {
            d.push_str(&format!(" ({why})"));
        }
        d
    };
    findings.extend(findings::isolation(&sandbox, spec, &detail));
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
        source_date_epoch: run.epoch,
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

/// What every run of one build shares.
struct Run<'a> {
    sandbox: &'a Sandbox,
    spec: &'a BuildSpec,
    delivery: &'a Delivery,
    /// SOURCE_DATE_EPOCH, with `--reproducible`.
    epoch: Option<u64>,
    cancel: &'a Cancel,
    progress: &'a dyn Progress,
}

impl Run<'_> {
    /// Build once in a fresh copy, the build's output going to `log_path`; the copy is
    /// removed afterwards. `with_toolchain`: run the manifest's toolchain commands first.
    fn once(&self, log_path: &Path, with_toolchain: bool) -> Result<RunResult, BuildError> {
        let (sandbox, spec) = (self.sandbox, self.spec);
        let tmp = tempfile::Builder::new()
            .prefix(copy::COPY_PREFIX)
            .tempdir()
            .map_err(io_err(&std::env::temp_dir()))?;
        let root = tmp.path().to_owned();
        // Locked while this run lives: a copy whose lock is free was left by a killed run, and
        // the next run removes it (as it does staging folders).
        let _lock = copy::lock_copy(&root, sandbox.as_root, self.progress)?;
        // The file system's use before the copy: files the build deletes while it holds them
        // open take room that no walk by name finds.
        let fs_base = supervise::fs_used(&root);
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
        copy::copy_tree(self.delivery, &dirs.copy, self.cancel)?;
        let env = self.environment(&marker);
        sandbox.prepare(&dirs, &env).map_err(io_err(&root))?;
        let cwd = if spec.workdir.is_empty() {
            dirs.copy.clone()
        } else {
            dirs.copy.join(&spec.workdir)
        };
        let workdir_missing = !cwd.is_dir();
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
            // A build user of the build's own is swept by user id too (not `nobody`: shared).
            uid: (sandbox.as_root && dirs.uid != 65534).then_some(dirs.uid),
            group: sandbox.level == Isolation::None,
            disk: Some((root.as_path(), spec.max_disk)),
            fs_base,
            cancel: self.cancel,
        };
        let toolchain = if with_toolchain && !workdir_missing {
            self.toolchain(&root, &base, bounds)?
        } else {
            Vec::new()
        };
        let started = Instant::now();
        let ran = self.command(log_path, workdir_missing, &base, bounds, &root)?;
        let duration = started.elapsed();
        if !ran.started && !ran.timed_out && ran.stopped.is_none() {
            copy::remove_tree(tmp);
            return Err(sandbox_failure(log_path));
        }
        let result = self.result(ran, &dirs, log_path, duration, workdir_missing, toolchain)?;
        copy::remove_tree(tmp);
        Ok(result)
    }

    /// The build's environment: a minimal PATH and LANG, the manifest's variables, the
    /// SOURCE_DATE_EPOCH and the build's marker.
    fn environment(&self, marker: &str) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = vec![
            ("PATH".to_owned(), sandbox::DEFAULT_PATH.to_owned()),
            ("LANG".to_owned(), "C.UTF-8".to_owned()),
        ];
        for (k, v) in &self.spec.env {
            env.retain(|(x, _)| x != k);
            env.push((k.clone(), v.clone()));
        }
        if let Some(e) = self.epoch {
            env.push(("SOURCE_DATE_EPOCH".to_owned(), e.to_string()));
        }
        env.push(("ESCROW_BUILD_ID".to_owned(), marker.to_owned()));
        env
    }

    /// Run the manifest's toolchain commands, each in the sandbox, and keep what they said.
    fn toolchain(
        &self,
        root: &Path,
        base: &sandbox::Launch<'_>,
        bounds: Bounds<'_>,
    ) -> Result<Vec<ToolVersion>, BuildError> {
        let mut toolchain = Vec::new();
        for t in &self.spec.toolchain {
            let out = root.join("toolchain.out");
            let f = std::fs::File::create(&out).map_err(io_err(&out))?;
            let launch = sandbox::Launch { script: t, ..*base };
            let status = supervise::supervise(
                self.sandbox.command(&launch),
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
        Ok(toolchain)
    }

    /// Run the build command with its output to `log_path` (or, when the workdir is missing,
    /// only say so in the log).
    fn command(
        &self,
        log_path: &Path,
        workdir_missing: bool,
        base: &sandbox::Launch<'_>,
        bounds: Bounds<'_>,
        root: &Path,
    ) -> Result<Supervised, BuildError> {
        let mut log = open_log(log_path).map_err(|source| BuildError::Log {
            path: log_path.to_owned(),
            source,
        })?;
        self.progress.begin("building", 0, 0);
        let ran = if workdir_missing {
            let _ = writeln!(
                log,
                "escrow: workdir {:?} is not a folder of the delivery",
                self.spec.workdir
            );
            Supervised {
                status: None,
                timed_out: false,
                started: true,
                stopped: None,
            }
        } else {
            let launch = sandbox::Launch {
                script: &self.spec.command,
                ..*base
            };
            supervise::supervise(
                self.sandbox.command(&launch),
                log,
                self.spec.timeout,
                bounds,
                self.progress,
            )
            .map_err(supervise_err(root))?
        };
        self.progress.finish();
        Ok(ran)
    }

    /// What a run that started came to: its status, its outputs (hashed, when it succeeded)
    /// and its log.
    fn result(
        &self,
        ran: Supervised,
        dirs: &sandbox::Dirs,
        log_path: &Path,
        duration: Duration,
        workdir_missing: bool,
        toolchain: Vec<ToolVersion>,
    ) -> Result<RunResult, BuildError> {
        let copy = &dirs.copy;
        let (status, timed_out) = (ran.status, ran.timed_out);
        let status_kind = if timed_out {
            BuildStatus::TimedOut
        } else if status.is_some_and(|s| s.success()) && ran.stopped.is_none() {
            BuildStatus::Succeeded
        } else {
            BuildStatus::Failed
        };
        let (outputs, missing, unhashed) = if status_kind == BuildStatus::Succeeded {
            collect_outputs(copy, self.spec, Instant::now() + HASH_BUDGET, self.cancel)?
        } else {
            (Vec::new(), Vec::new(), Vec::new())
        };
        Ok(RunResult {
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
            build_path: copy.clone(),
            outputs,
            missing,
            unhashed,
            stopped: ran.stopped,
            workdir_missing,
            log: log_info(log_path)?,
            log_path: log_path.to_owned(),
            toolchain,
            uid: dirs.uid,
        })
    }
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

/// The most time spent hashing a build's outputs; the rest are reported as not hashed.
const HASH_BUDGET: Duration = Duration::from_secs(600);

/// Outputs hashed, globs that matched nothing, outputs not hashed in time.
type Collected = (Vec<OutputFile>, Vec<String>, Vec<String>);

/// The declared outputs after a successful build: the files each glob matches, hashed, and
/// the globs that matched nothing.
fn collect_outputs(
    copy: &Path,
    spec: &BuildSpec,
    deadline: Instant,
    cancel: &Cancel,
) -> Result<Collected, BuildError> {
    if spec.outputs.is_empty() {
        return Ok((Vec::new(), Vec::new(), Vec::new()));
    }
    let mut unhashed = Vec::new();
    let mut matched = vec![false; spec.outputs.len()];
    let mut files = Vec::new();
    let mut buf = vec![0u8; 1 << 18];
    for entry in walkdir::WalkDir::new(copy).sort_by_file_name() {
        if cancel.is_cancelled() {
            return Err(BuildError::Interrupted);
        }
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
