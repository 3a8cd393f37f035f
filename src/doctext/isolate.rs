//! Extraction in a child process: the program itself started with [`super::CHILD_ARG`].
//!
//! Request on the child's stdin: one JSON line ([`Request`]) then exactly `size` bytes of the
//! document. Reply on its stdout: one JSON value, `Result<Extracted, Unreadable>` as serde
//! writes it (`{"Ok": {…}}` or `{"Err": {…}}`). The child lowers its own address-space limit
//! to [`CHILD_MEMORY`] and its CPU time to the timeout plus a second before it reads; the
//! parent enforces the wall-clock timeout, kills and reaps a child past it, and reads at most
//! the text limit (JSON-escaped) plus [`REPLY_SLACK`] of its reply.

use std::io::{self, BufRead, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{Extracted, Limits, Unreadable};

/// The child's address-space limit: the readers' largest need (a workbook's cells, a PDF's
/// objects) for documents up to the default input limit, with room for the program itself.
pub const CHILD_MEMORY: u64 = 1 << 30;

/// Reply bytes read beyond the text itself: the JSON around it.
const REPLY_SLACK: usize = 64 << 10;

/// The longest request header line.
const MAX_HEADER: u64 = 64 << 10;

static EXE: OnceLock<PathBuf> = OnceLock::new();

/// Run every later [`super::extract`] in a child process: `exe` (this program) started with the
/// argument [`super::CHILD_ARG`], which calls [`serve_child`]. The child limits its own memory
/// (1 GiB address space) and CPU time (the timeout plus one second), so a reader that loops,
/// recurses without end or allocates without bound ends the child, not `check`. Called once,
/// by the CLI, before any extraction; later calls are ignored.
pub fn set_isolation(exe: PathBuf) {
    let _ = EXE.set(exe);
}

pub(super) fn isolation() -> Option<&'static PathBuf> {
    EXE.get()
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Request {
    name: Vec<u8>,
    size: u64,
    max_input: u64,
    max_expanded: u64,
    max_text: usize,
    timeout_ms: u64,
}

/// The body of an extraction child: reads a request (a JSON header line with the name, the
/// limits and the size, then the document's bytes) from `input`, lowers its own memory and
/// CPU limits, extracts, and writes `Result<Extracted, Unreadable>` as JSON to `output`.
///
/// # Errors
/// Reading the request or writing the reply fails, or the header is not a request.
pub fn serve_child(input: &mut dyn Read, output: &mut dyn Write) -> io::Result<()> {
    let mut reader = io::BufReader::new(input);
    let mut line = Vec::new();
    (&mut reader)
        .take(MAX_HEADER)
        .read_until(b'\n', &mut line)?;
    let req: Request = serde_json::from_slice(&line).map_err(io::Error::other)?;
    let limits = Limits {
        max_input: req.max_input,
        max_expanded: req.max_expanded,
        max_text: req.max_text,
        timeout: Duration::from_millis(req.timeout_ms),
    };
    let result = match super::read_bounded(&mut reader, req.size, req.max_input) {
        Ok(bytes) => {
            limit_self(&limits);
            super::extract_caught(&req.name, &bytes, &limits)
        }
        Err(e) => Err(e),
    };
    serde_json::to_writer(&mut *output, &result).map_err(io::Error::other)?;
    output.flush()
}

/// Lower this process's address space and CPU time; best effort (a platform without them
/// still has the parent's wall-clock timeout).
fn limit_self(limits: &Limits) {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let cpu = limits.timeout.as_secs() + 1;
    let _ = setrlimit(
        Resource::Cpu,
        Rlimit {
            current: Some(cpu),
            maximum: Some(cpu + 1),
        },
    );
    let mem = Some(CHILD_MEMORY);
    let _ = setrlimit(
        Resource::As,
        Rlimit {
            current: mem,
            maximum: mem,
        },
    );
}

/// Extract `bytes` in a child `exe` process within `limits`.
pub(super) fn extract_in_child(
    exe: &PathBuf,
    name: &[u8],
    bytes: &[u8],
    limits: &Limits,
) -> Result<Extracted, Unreadable> {
    let crashed = |what: &str| Unreadable::Damaged(format!("the reader crashed on it ({what})"));
    let mut child = Command::new(exe)
        .arg(super::CHILD_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| crashed(&format!("could not start {}: {e}", exe.display())))?;
    let req = Request {
        name: name.to_vec(),
        size: bytes.len() as u64,
        max_input: limits.max_input,
        max_expanded: limits.max_expanded,
        max_text: limits.max_text,
        timeout_ms: u64::try_from(limits.timeout.as_millis()).unwrap_or(u64::MAX),
    };
    let mut header = serde_json::to_vec(&req).unwrap_or_default();
    header.push(b'\n');
    let (mut stdin, mut stdout, mut stderr) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take());
    let cap = limits
        .max_text
        .saturating_mul(6)
        .saturating_add(REPLY_SLACK) as u64;
    let (reply, message, status) = std::thread::scope(|s| {
        let writer = s.spawn(move || {
            if let Some(w) = stdin.as_mut() {
                let _ = w.write_all(&header).and_then(|()| w.write_all(bytes));
            }
            drop(stdin);
        });
        let out = s.spawn(move || read_capped(stdout.as_mut(), cap));
        let err = s.spawn(move || read_capped(stderr.as_mut(), 4096));
        let status = wait_until(&mut child, limits.timeout);
        let _ = writer.join();
        let reply = out.join().unwrap_or_default();
        let message = err.join().unwrap_or_default();
        (reply, message, status)
    });
    let timed_out = Unreadable::TimedOut(limits.timeout.as_secs().max(1));
    let Some(status) = status else {
        return Err(timed_out);
    };
    let message = String::from_utf8_lossy(&message);
    if message.contains("memory allocation of") {
        return Err(Unreadable::Bomb {
            limit: limits.max_expanded,
        });
    }
    if message.contains("overflowed its stack") {
        return Err(crashed("stack overflow"));
    }
    if !status.success() {
        use std::os::unix::process::ExitStatusExt;
        return Err(match status.signal() {
            Some(sig) if sig == rustix::process::Signal::XCPU.as_raw() => timed_out,
            Some(sig) => crashed(&format!("ended by signal {sig}")),
            None => crashed(&format!(
                "exit status {}: {}",
                status.code().unwrap_or(-1),
                message.lines().next().unwrap_or_default()
            )),
        });
    }
    serde_json::from_slice::<Result<Extracted, Unreadable>>(&reply)
        .unwrap_or_else(|_| Err(crashed("its reply was not a result")))
}

/// Up to `cap` bytes of `source`; the rest is drained and dropped so the child never blocks.
fn read_capped<R: Read>(source: Option<&mut R>, cap: u64) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(r) = source {
        let _ = r.take(cap).read_to_end(&mut buf);
        let _ = io::copy(r, &mut io::sink());
    }
    buf
}

/// Wait for `child` up to `timeout`; past it, kill and reap it and return `None`.
fn wait_until(
    child: &mut std::process::Child,
    timeout: Duration,
) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(25));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}
