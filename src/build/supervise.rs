//! Process supervision: run a sandboxed command with its output captured to a log, poll its
//! limits (time, log size, disk), and stop it with every process it started: its PID
//! namespace, its process group, and whatever carries the build's marker or user id.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::cancel::Cancel;
use crate::progress::Progress;

/// A build whose log grows past this is stopped: it would fill the disk.
const MAX_LOG_BYTES: u64 = 256 << 20;

/// Open a build log for writing without following a link or blocking on a FIFO that a build
/// (under the weaker sandboxes, which do not protect the host's files) may have put at its
/// path: a regular file is truncated, anything else is removed and created anew.
pub(super) fn open_log(path: &Path) -> std::io::Result<std::fs::File> {
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
pub(super) struct Supervised {
    /// Its exit status (`None` if it could not start).
    pub(super) status: Option<std::process::ExitStatus>,
    pub(super) timed_out: bool,
    /// The sandbox's last step wrote the start marker: the build itself ran.
    pub(super) started: bool,
    /// Why escrow stopped it before its end (a limit), if it did.
    pub(super) stopped: Option<String>,
}

/// Which processes belong to a supervised command, and what it may use besides time.
#[derive(Clone, Copy)]
pub(super) struct Bounds<'a> {
    /// The build's marker, in the environment of its processes.
    pub(super) marker: &'a str,
    /// The user id of the build's own (when escrow runs as root).
    pub(super) uid: Option<u32>,
    /// The command leads a session (and process group) of its own outside any PID namespace
    /// (no sandbox).
    pub(super) group: bool,
    /// The run's folder and the most it may hold (max-disk).
    pub(super) disk: Option<(&'a Path, u64)>,
    /// The used space of the file system holding the run's folder before its copy was made.
    pub(super) fs_base: Option<u64>,
    /// Stops the command when cancelled.
    pub(super) cancel: &'a Cancel,
}

/// Run a sandboxed command with its output into `out`, stopping it and every process it
/// started at `timeout`, when it passes a limit, or when the build is cancelled (then the
/// error is of kind [`std::io::ErrorKind::Interrupted`]).
pub(super) fn supervise(
    mut cmd: std::process::Command,
    out: std::fs::File,
    timeout: Duration,
    bounds: Bounds<'_>,
    progress: &dyn Progress,
) -> std::io::Result<Supervised> {
    // Processes the build leaves behind (a daemon that started a session of its own and
    // cleared its environment) become escrow's children, and are killed at the end.
    let _ = rustix::process::set_child_subreaper(Some(rustix::process::getpid()));
    let err = out.try_clone()?;
    let watch = out.try_clone()?;
    let (mut start_reader, start_writer) = std::io::pipe()?;
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
    let (status, timed_out, stopped) = watch_child(&mut child, &watch, timeout, bounds, progress)?;
    if bounds.group {
        kill_group(child.id());
    }
    sweep(bounds.marker, bounds.uid);
    kill_descendants();
    let began = started_marker(&mut start_reader);
    // Limits a short build passed before the first look: its log, its disk use.
    let mut stopped = stopped.or_else(|| limits_after(&watch, bounds));
    let cancel = bounds.cancel;
    // Ctrl-C reaches the sandbox too and may end it before the handler's flag is seen.
    if status.signal() == Some(libc::SIGINT) {
        for _ in 0..20 {
            if cancel.is_cancelled() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    if stopped.is_none() && cancel.is_cancelled() {
        stopped = Some("escrow was interrupted".to_owned());
    }
    if let Some(why) = &stopped {
        use std::io::Write;
        let _ = writeln!(&watch, "\nescrow: the build was stopped: {why}");
        if cancel.is_cancelled() {
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

/// Wait for `child`, polling its log's growth (shown as progress), the limits and the
/// cancellation token; at the timeout or a limit, kill it and every process it started.
/// Returns its status, whether it timed out, and why escrow stopped it (a limit).
fn watch_child(
    child: &mut std::process::Child,
    watch: &std::fs::File,
    timeout: Duration,
    bounds: Bounds<'_>,
    progress: &dyn Progress,
) -> std::io::Result<(std::process::ExitStatus, bool, Option<String>)> {
    let started = Instant::now();
    let deadline = started + timeout;
    let mut logged = 0;
    let mut stopped: Option<String> = None;
    let mut disk_check = DiskCheck::new();
    let mut fs_check = FsCheck::new(bounds, watch);
    loop {
        if let Some(s) = child.try_wait()? {
            return Ok((s, false, stopped));
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
        } else if bounds.cancel.is_cancelled() {
            stopped = Some("escrow was interrupted".to_owned());
        } else if let Some((root, max)) = bounds.disk
            && let Some(used) = disk_check.poll(root)
            && used > max
        {
            stopped = Some(disk_message(used, max));
        } else if let Some(why) = fs_check.poll(watch) {
            stopped = Some(why);
        }
        if Instant::now() >= deadline || stopped.is_some() {
            let timed_out = stopped.is_none();
            // `unshare`: the child's child is the PID namespace's init, and the kernel kills
            // every process of a namespace whose init dies. bubblewrap keeps an init of its
            // own that dies with the child. Without a sandbox, the build's session goes too.
            for pid in children(child.id()) {
                kill_pid(pid);
            }
            if bounds.group {
                kill_group(child.id());
            }
            let _ = child.kill();
            return Ok((child.wait()?, timed_out, stopped));
        }
        // Poll often at first (most toolchain commands take milliseconds), then every 20 ms.
        let waited = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        std::thread::sleep(Duration::from_millis((waited / 10).clamp(1, 20)));
    }
}

/// Whether the sandbox's last step wrote the start marker (so the build itself ran).
fn started_marker(reader: &mut std::io::PipeReader) -> bool {
    use std::io::Read;
    let mut byte = [0u8; 1];
    let _ = rustix::fs::fcntl_setfl(&*reader, rustix::fs::OFlags::NONBLOCK);
    matches!(reader.read(&mut byte), Ok(1)) && byte[0] == super::helper::START_MARKER
}

/// The limits a command passed that the polls did not see: its log (then cut at the limit),
/// its disk use.
fn limits_after(watch: &std::fs::File, bounds: Bounds<'_>) -> Option<String> {
    if let Ok(len) = watch.metadata().map(|m| m.len())
        && len > MAX_LOG_BYTES
    {
        let _ = watch.set_len(MAX_LOG_BYTES);
        return Some("its log passed 256 MiB (cut there)".to_owned());
    }
    let (root, max) = bounds.disk?;
    let used = disk_use(root);
    (used > max).then(|| disk_message(used, max))
}

fn disk_message(used: u64, max: u64) -> String {
    format!(
        "its copy and private folders used more than max-disk ({} MiB of {} MiB allowed)",
        used >> 20,
        max >> 20
    )
}

/// The used space of the file system holding `path`.
pub(super) fn fs_used(path: &Path) -> Option<u64> {
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
