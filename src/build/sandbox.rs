//! Sandbox backends: bubblewrap, the weaker `unshare` fallback, or none (only on request).
//!
//! Every backend runs the build under `prlimit` (process-count and per-process memory limits)
//! and, when escrow runs as root, as an unprivileged user id of its own (`setpriv`), so that the
//! process limit holds (the kernel does not apply it to root) and the build cannot write what
//! only root may. Nothing here needs `unsafe`: the limits, the user switch and the namespaces
//! are set by util-linux and bubblewrap programs placed in front of the build's shell.

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

/// When escrow runs as root, each build runs as a user id of its own from this range, which no
/// account uses: its process limit counts only its own processes, and concurrent builds cannot
/// signal each other's.
pub const BUILD_UID_BASE: u32 = 0x7000_0000;
pub const BUILD_UID_SPAN: u32 = 0x0100_0000;

/// The user id for the build with this marker (hex); `nobody` (65534) in a user namespace that
/// does not map that range (a container with a short uid map).
pub fn build_uid(marker: &str) -> u32 {
    let n = u32::from_str_radix(marker.get(..6).unwrap_or("0"), 16).unwrap_or(0);
    let uid = BUILD_UID_BASE + n % BUILD_UID_SPAN;
    let map = std::fs::read_to_string("/proc/self/uid_map").unwrap_or_default();
    if map.is_empty() || uid_mapped(&map, uid) {
        uid
    } else {
        65534
    }
}

/// Whether `/proc/self/uid_map` text maps `uid`.
fn uid_mapped(map: &str, uid: u32) -> bool {
    map.lines().any(|l| {
        let f: Vec<u64> = l
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        f.len() == 3 && f[0] <= u64::from(uid) && u64::from(uid) < f[0] + f[2]
    })
}

/// The account name the build user gets in the sandbox's /etc/passwd.
pub const BUILD_USER: &str = "escrow-build";

/// Which sandbox the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// bubblewrap, else the Landlock fallback; never none.
    Auto,
    /// bubblewrap only: an error where it does not work.
    Bwrap,
    /// `unshare` namespaces with the host file system restricted by Landlock.
    Landlock,
    /// `--no-sandbox`: no namespaces at all (reported).
    None,
}

/// The isolation a build actually ran with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Isolation {
    /// bubblewrap: only the host's system and toolchain folders, read-only.
    Bwrap,
    /// `unshare` namespaces and Landlock.
    Landlock,
    /// The former fallback without Landlock: only in records made by earlier versions.
    Unshare,
    /// No isolation (`--no-sandbox`).
    None,
}

impl Isolation {
    /// Its name in reports: "bwrap", "landlock", "unshare" or "none".
    pub fn as_str(self) -> &'static str {
        match self {
            Isolation::Bwrap => "bwrap",
            Isolation::Landlock => "landlock",
            Isolation::Unshare => "unshare",
            Isolation::None => "none",
        }
    }
}

/// A chosen, working sandbox.
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub level: Isolation,
    bwrap: OsString,
    /// bubblewrap bounds the private /dev/shm's size itself (else it is a private folder,
    /// counted in max-disk).
    shm_size: bool,
    /// escrow runs as root: the build runs as an unprivileged user id of its own.
    pub as_root: bool,
    /// Why a stronger sandbox was not used (empty when it was).
    pub fallback_reason: Option<String>,
    /// The invoking user's home, when it is a real folder other than `/` (see [`real_home`]).
    home: Option<PathBuf>,
}

/// Why no sandbox could be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub message: String,
}

/// The bubblewrap program: the one given (the CLI passes `$ESCROW_BWRAP`), else `bwrap` on
/// PATH.
fn bwrap_program(given: Option<&OsStr>) -> OsString {
    given
        .filter(|v| !v.is_empty())
        .map_or_else(|| OsString::from("bwrap"), OsStr::to_owned)
}

/// Whether this process runs as root (the owner of `/proc/self` is the effective user).
pub fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Run a probe to its end; `Err` holds what it said on failure.
fn probe(program: &OsString, args: &[&str]) -> Result<(), String> {
    match Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
    {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr).trim().to_owned();
            Err(if err.is_empty() {
                format!("{} exited with {}", program.to_string_lossy(), o.status)
            } else {
                err
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(format!("{} is not installed", program.to_string_lossy()))
        }
        Err(e) => Err(format!("{}: {e}", program.to_string_lossy())),
    }
}

/// What the kernel says about unprivileged user namespaces, given the values of
/// `kernel.unprivileged_userns_clone`, `user.max_user_namespaces` and
/// `kernel.apparmor_restrict_unprivileged_userns` (`None` when the file does not exist).
pub fn userns_diagnosis(
    unprivileged_clone: Option<&str>,
    max_namespaces: Option<&str>,
    apparmor_restrict: Option<&str>,
) -> Option<String> {
    fn v(s: Option<&str>) -> Option<&str> {
        s.map(str::trim)
    }
    if v(unprivileged_clone) == Some("0") {
        return Some("unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0): enable them with `sysctl -w kernel.unprivileged_userns_clone=1` (as root; add it to /etc/sysctl.d/ to keep it), or run escrow as root".to_owned());
    }
    if v(max_namespaces) == Some("0") {
        return Some("user namespaces are disabled (user.max_user_namespaces = 0): enable them with `sysctl -w user.max_user_namespaces=15000` (as root), or run escrow as root".to_owned());
    }
    if v(apparmor_restrict) == Some("1") {
        return Some("AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1, as on Ubuntu 24.04): install Ubuntu's bwrap profile (apparmor `bwrap-userns-restrict`), set the sysctl to 0, or run escrow as root".to_owned());
    }
    None
}

fn read_sysctl(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The kernel's user-namespace settings on this machine, explained when they stop sandboxes.
pub fn userns_problem() -> Option<String> {
    userns_diagnosis(
        read_sysctl("/proc/sys/kernel/unprivileged_userns_clone").as_deref(),
        read_sysctl("/proc/sys/user/max_user_namespaces").as_deref(),
        read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref(),
    )
}

/// Whether bubblewrap runs a sandbox here; `Ok(true)` when it can also bound the size of a
/// tmpfs (`--size`, bubblewrap 0.5 and later).
fn probe_bwrap(program: &OsString) -> Result<bool, String> {
    let run = |shm: Option<u64>| {
        let mut args: Vec<OsString> = ["--die-with-parent", "--unshare-pid", "--unshare-net"]
            .iter()
            .map(OsString::from)
            .collect();
        args.extend(host_view(shm));
        args.push("true".into());
        let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
        probe(program, &args)
    };
    match run(Some(1 << 20)) {
        Ok(()) => Ok(true),
        Err(e) => run(None).map(|()| false).map_err(|_| e),
    }
}

fn probe_unshare(as_root: bool) -> Result<(), String> {
    let mut args = Vec::new();
    if !as_root {
        args.extend(["--user", "--map-root-user"]);
    }
    args.extend([
        "--net",
        "--pid",
        "--fork",
        "--kill-child",
        "--mount-proc",
        "true",
    ]);
    probe(&OsString::from("unshare"), &args)
}

/// The helper programs every backend needs.
fn probe_helpers(as_root: bool) -> Result<(), Unavailable> {
    let mut need = vec![("prlimit", "--version")];
    if as_root {
        need.push(("setpriv", "--version"));
    }
    for (tool, arg) in need {
        probe(&OsString::from(tool), &[arg]).map_err(|e| Unavailable {
            message: format!(
                "{e}: the isolated build needs `{tool}` (util-linux) to limit and run the build; install util-linux"
            ),
        })?;
    }
    Ok(())
}

/// What the host says about itself, as the CLI read it from the environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Host<'a> {
    /// The bubblewrap program to run (`$ESCROW_BWRAP`); `None`: `bwrap` on PATH.
    pub bwrap: Option<&'a OsStr>,
    /// The invoking user's home (`$HOME`).
    pub home: Option<&'a Path>,
}

/// Choose a working sandbox, trying each in turn, and explain what to do when none works.
pub fn select(choice: Choice, host: Host<'_>) -> Result<Sandbox, Unavailable> {
    let as_root = running_as_root();
    probe_helpers(as_root)?;
    let bwrap = bwrap_program(host.bwrap);
    let home = real_home(host.home);
    let userns = if as_root { None } else { userns_problem() };
    let explain = |what: &str, err: &str| {
        let mut m = format!("{what}: {err}");
        if let Some(u) = &userns {
            m.push_str(&format!("; {u}"));
        }
        m
    };
    match choice {
        Choice::None => Ok(Sandbox {
            level: Isolation::None,
            bwrap,
            shm_size: false,
            as_root,
            home: home.clone(),
            fallback_reason: Some("--no-sandbox was given".to_owned()),
        }),
        Choice::Bwrap => match probe_bwrap(&bwrap) {
            Ok(shm_size) => Ok(Sandbox {
                level: Isolation::Bwrap,
                bwrap,
                shm_size,
                as_root,
                home: home.clone(),
                fallback_reason: None,
            }),
            Err(e) => Err(Unavailable {
                message: format!(
                    "{}; install bubblewrap (`apt-get install bubblewrap`) or choose --sandbox auto",
                    explain("bubblewrap cannot run a sandbox here", &e)
                ),
            }),
        },
        Choice::Landlock => match probe_landlock(as_root) {
            Ok(()) => Ok(Sandbox {
                level: Isolation::Landlock,
                bwrap,
                shm_size: false,
                as_root,
                home: home.clone(),
                fallback_reason: Some("--sandbox landlock was given".to_owned()),
            }),
            Err(e) => Err(Unavailable {
                message: format!(
                    "{}; install bubblewrap (`apt-get install bubblewrap` or `dnf install bubblewrap`) and choose --sandbox auto",
                    explain("the Landlock sandbox cannot run here", &e)
                ),
            }),
        },
        Choice::Auto => {
            let bwrap_err = match probe_bwrap(&bwrap) {
                Ok(shm_size) => {
                    return Ok(Sandbox {
                        level: Isolation::Bwrap,
                        bwrap,
                        shm_size,
                        as_root,
                        home: home.clone(),
                        fallback_reason: None,
                    });
                }
                Err(e) => e,
            };
            match probe_landlock(as_root) {
                Ok(()) => Ok(Sandbox {
                    level: Isolation::Landlock,
                    bwrap,
                    shm_size: false,
                    as_root,
                    home: home.clone(),
                    fallback_reason: Some(format!("bubblewrap is unusable: {bwrap_err}")),
                }),
                Err(landlock_err) => Err(Unavailable {
                    message: format!(
                        "no sandbox works on this machine, so the vendor's build was not run. bubblewrap: {bwrap_err}. Landlock fallback: {landlock_err}.{} Install bubblewrap (`apt-get install bubblewrap` or `dnf install bubblewrap`), or pass --no-sandbox to build without isolation (the report says so)",
                        userns
                            .as_ref()
                            .map(|u| format!(" {u}."))
                            .unwrap_or_default()
                    ),
                }),
            }
        }
    }
}

/// The Landlock fallback needs namespaces from `unshare`, a kernel with Landlock, and escrow's
/// own program to re-execute.
fn probe_landlock(as_root: bool) -> Result<(), String> {
    super::helper::landlock_available()?;
    helper_program().map_err(|e| format!("cannot find escrow's own program to re-execute: {e}"))?;
    probe_unshare(as_root).map_err(|e| format!("`unshare` cannot create namespaces here: {e}"))
}

/// Escrow's own program, re-executed as the sandbox's last step.
pub fn helper_program() -> std::io::Result<PathBuf> {
    std::env::current_exe()
}

/// The private folders of one build run.
#[derive(Debug, Clone)]
pub struct Dirs {
    /// The run's temporary root.
    pub root: PathBuf,
    /// The build's copy of the delivery.
    pub copy: PathBuf,
    /// Host folders that replace /tmp and /var/tmp in the bwrap sandbox.
    pub tmp: PathBuf,
    pub var_tmp: PathBuf,
    /// The host folder that serves as the build's home.
    pub home: PathBuf,
    /// The user id the build runs as when escrow runs as root.
    pub uid: u32,
}

/// How to run one command in the sandbox.
pub struct Launch<'a> {
    pub dirs: &'a Dirs,
    /// The working folder (inside the copy), as a host path.
    pub cwd: &'a Path,
    /// Variables, besides PATH/HOME/LANG defaults already merged in by the caller (HOME is
    /// set here).
    pub env: &'a [(String, String)],
    pub network: bool,
    pub max_processes: u64,
    pub max_memory: u64,
    /// The largest file any process of the build may write (RLIMIT_FSIZE).
    pub max_file_size: u64,
    pub script: &'a str,
}

/// The host folders every build may read (and nothing else of the host): the system's
/// programs, libraries and settings. Not `/home`, `/root`, `/srv`, `/opt`, `/var`, `/run`,
/// `/mnt`, `/media` or `/tmp`, where the host's data, services and their sockets live.
/// Toolchains elsewhere (`/opt/jdk`) are added when the manifest's variables name them (see
/// [`toolchain_binds`], [`extra_binds`]). Unix sockets inside `/etc` and inside those toolchain
/// folders are covered (see [`socket_masks`]).
pub const HOST_ALLOWED: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys",
];

/// Bound folders whose Unix sockets are looked for and covered: the host's settings (other
/// system folders hold programs and libraries, and sysfs has no sockets).
const SOCKET_SCAN: &[&str] = &["/etc"];

/// The most entries looked at in one folder when looking for sockets.
const SOCKET_SCAN_LIMIT: usize = 200_000;

/// The Unix sockets under `dir` (not following links), each to be covered by an empty file in
/// the sandbox: a read-only bind does not stop a `connect`.
pub fn socket_masks(dir: &Path) -> Vec<PathBuf> {
    use std::os::unix::fs::FileTypeExt;
    walkdir::WalkDir::new(dir)
        .same_file_system(true)
        .into_iter()
        .take(SOCKET_SCAN_LIMIT)
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_socket())
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// bubblewrap arguments that cover each socket under `dir` with /dev/null (which is no socket:
/// `connect` fails).
fn mask_sockets(dir: &Path) -> Vec<OsString> {
    socket_masks(dir)
        .into_iter()
        .flat_map(|s| ["--ro-bind".into(), "/dev/null".into(), s.into_os_string()])
        .collect()
}

/// Where escrow's own program is seen inside bubblewrap.
const HELPER_INSIDE: &str = "/run/escrow-sandbox-exec";

/// The bubblewrap arguments that show the build the allowed host folders (read-only; links
/// such as `/bin -> usr/bin` stay links), its own /dev and /proc, an empty /run, and a private
/// /dev/shm that any user may write (Python's multiprocessing needs it): a tmpfs of at most
/// `shm` bytes, or with `None` (a bubblewrap without `--size`) left to the caller to bind.
fn host_view(shm: Option<u64>) -> Vec<OsString> {
    let mut v: Vec<OsString> = Vec::new();
    for dir in HOST_ALLOWED {
        let Ok(meta) = std::fs::symlink_metadata(dir) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            if let Ok(target) = std::fs::read_link(dir) {
                v.extend(["--symlink".into(), target.into_os_string(), (*dir).into()]);
            }
        } else if meta.is_dir() {
            v.extend(["--ro-bind".into(), (*dir).into(), (*dir).into()]);
            if SOCKET_SCAN.contains(dir) {
                v.extend(mask_sockets(Path::new(dir)));
            }
        }
    }
    for a in [
        "--perms", "0755", "--dir", "/var", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/run",
    ] {
        v.push(a.into());
    }
    if let Some(size) = shm {
        v.extend([
            "--perms".into(),
            "1777".into(),
            "--size".into(),
            size.to_string().into(),
            "--tmpfs".into(),
            "/dev/shm".into(),
        ]);
    }
    v
}

/// The most a build's private /dev/shm may hold.
pub const MAX_SHM: u64 = 1 << 30;

/// The minimal PATH of a build.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

impl Sandbox {
    /// A short description of the isolation, for the report.
    pub fn describe(&self, network: bool, uid: u32) -> String {
        let user = if self.as_root {
            format!("runs as an unprivileged user id of its own ({uid})")
        } else {
            "runs as the invoking user".to_owned()
        };
        let net = if network {
            "network allowed by the manifest"
        } else {
            "no network (loopback only)"
        };
        match self.level {
            Isolation::Bwrap => format!(
                "bubblewrap: only the system and toolchain folders of the host visible (read-only), only the build copy writable, private /tmp, /var/tmp and home, {net}, own PID namespace, no terminal, {user}"
            ),
            Isolation::Landlock => format!(
                "Landlock (weaker than bubblewrap): host file system read-only except the build copy and its private folders, system and toolchain folders only, {net}, own PID namespace, no terminal; host Unix sockets in folders it may read are NOT hidden, {user}"
            ),
            Isolation::Unshare => format!(
                "unshare (weaker): {net}, own PID namespace; the host file system is NOT protected (writable wherever the build user may write), {user}"
            ),
            Isolation::None => format!(
                "none (--no-sandbox): the build shares this machine's network, processes and files, {user}"
            ),
        }
    }

    /// The home folder the build sees.
    pub fn home_inside(&self, dirs: &Dirs) -> PathBuf {
        match self.level {
            Isolation::Bwrap => self
                .home
                .clone()
                .unwrap_or_else(|| PathBuf::from("/tmp/escrow-home")),
            Isolation::Landlock | Isolation::Unshare | Isolation::None => dirs.home.clone(),
        }
    }

    /// Prepare the run's folders for the build user: mount points, ownership, modes.
    pub fn prepare(&self, dirs: &Dirs, env: &[(String, String)]) -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let set = |p: &Path, mode: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))
        };
        // Private: only escrow and the build user may enter the copy (the build reaches it
        // through this folder without bubblewrap).
        set(&dirs.root, 0o700)?;
        for d in [&dirs.tmp, &dirs.var_tmp, &dirs.root.join("shm")] {
            std::fs::create_dir_all(d)?;
            set(d, 0o1777)?;
        }
        std::fs::create_dir_all(&dirs.home)?;
        set(&dirs.home, 0o700)?;
        if self.level == Isolation::Bwrap {
            // Mount points inside the private folders, traversable by the build user.
            let mut mounts: Vec<(PathBuf, PathBuf)> = vec![
                (dirs.tmp.clone(), PathBuf::from("/tmp")),
                (dirs.var_tmp.clone(), PathBuf::from("/var/tmp")),
            ];
            let home_inside = self.home_inside(dirs);
            if home_inside.starts_with("/tmp") {
                mountpoint(&mounts, &home_inside)?;
            }
            mounts.push((dirs.home.clone(), home_inside.clone()));
            for p in toolchain_binds(&home_inside, env) {
                mountpoint(&mounts, &p)?;
            }
            mountpoint(&mounts, &dirs.copy)?;
        }
        if self.as_root {
            std::os::unix::fs::lchown(&dirs.root, Some(dirs.uid), Some(dirs.uid))?;
            chown_tree(&dirs.home, dirs.uid)?;
            chown_tree(&dirs.copy, dirs.uid)?;
            if self.level == Isolation::Bwrap {
                // An account for the build user, with the private home: tools that look the
                // user up (Java's user.home, whoami, ssh) find it.
                let home = self.home_inside(dirs);
                let uid = dirs.uid;
                account_file(
                    "passwd",
                    &dirs.root,
                    &format!(
                        "{BUILD_USER}:x:{uid}:{uid}:escrow build:{}:/bin/sh",
                        home.display()
                    ),
                )?;
                account_file("group", &dirs.root, &format!("{BUILD_USER}:x:{uid}:"))?;
            }
        }
        Ok(())
    }

    /// The command that runs `launch.script` in this sandbox. Its standard output and error
    /// are the caller's to set; its standard input must be the writing end of a pipe, on which
    /// the sandbox's last step writes the start marker ([`super::helper::START_MARKER`]).
    pub fn command(&self, launch: &Launch<'_>) -> Command {
        let home_inside = self.home_inside(launch.dirs);
        let mut env: Vec<(String, String)> = launch.env.to_vec();
        env.retain(|(k, _)| k != "HOME");
        env.push(("HOME".to_owned(), home_inside.display().to_string()));
        if self.level == Isolation::Landlock && !env.iter().any(|(k, _)| k == "TMPDIR") {
            // The host's /tmp is not the build's to write.
            env.push(("TMPDIR".to_owned(), launch.dirs.tmp.display().to_string()));
        }
        // Every program escrow starts as root is named by its absolute path and runs with a
        // clean environment: the manifest's variables (PATH, LD_PRELOAD, …) reach only the
        // build's shell, after the switch to the build user.
        let mut cmd = Command::new(system_program("prlimit"));
        cmd.arg(format!("--nproc={}", launch.max_processes))
            .arg(format!("--data={}", launch.max_memory))
            .arg(format!("--fsize={}", launch.max_file_size))
            .arg("--");
        let helper = helper_program().unwrap_or_else(|_| PathBuf::from("escrow"));
        let mut helper_args: Vec<OsString> = vec![super::helper::SUBCOMMAND.into()];
        match self.level {
            Isolation::Bwrap => self.bwrap_args(&mut cmd, launch, &env, &home_inside, &helper),
            Isolation::Landlock | Isolation::Unshare => {
                self.unshare_args(&mut cmd, launch, &env, &helper, &mut helper_args);
            }
            Isolation::None => {
                cmd.arg(&helper);
                cmd.current_dir(launch.cwd)
                    .env_clear()
                    .env("PATH", DEFAULT_PATH);
            }
        }
        cmd.args(&helper_args).arg("--");
        if self.as_root {
            cmd.arg(system_program("setpriv")).args([
                format!("--reuid={}", launch.dirs.uid),
                format!("--regid={}", launch.dirs.uid),
                "--clear-groups".to_owned(),
                "--bounding-set=-all".to_owned(),
                "--no-new-privs".to_owned(),
            ]);
        }
        cmd.arg(system_program("env")).arg("-i");
        for (k, v) in &env {
            cmd.arg(format!("{k}={v}"));
        }
        cmd.arg("/bin/sh").arg("-c").arg(launch.script);
        cmd
    }

    /// bubblewrap and its arguments, up to the program it runs (escrow's helper, bound at
    /// [`HELPER_INSIDE`]): the host's allowed folders read-only, the private folders, the copy.
    fn bwrap_args(
        &self,
        cmd: &mut Command,
        launch: &Launch<'_>,
        env: &[(String, String)],
        home_inside: &Path,
        helper: &Path,
    ) {
        cmd.arg(&self.bwrap).args([
            "--die-with-parent",
            "--new-session",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
        ]);
        if !launch.network {
            cmd.arg("--unshare-net");
        }
        if self.shm_size {
            cmd.args(host_view(Some(launch.max_memory.min(MAX_SHM))));
        } else {
            cmd.args(host_view(None));
            cmd.arg("--bind")
                .arg(launch.dirs.root.join("shm"))
                .arg("/dev/shm");
        }
        cmd.arg("--ro-bind").arg(helper).arg(HELPER_INSIDE);
        if self.as_root {
            for f in ["passwd", "group"] {
                cmd.arg("--ro-bind")
                    .arg(launch.dirs.root.join(f))
                    .arg(Path::new("/etc").join(f));
            }
        }
        let mut made: Vec<PathBuf> = Vec::new();
        for p in extra_binds(env, self.home.as_deref()) {
            // Folders bubblewrap would make on its own for the mount point are not
            // traversable by the build user: make them 0755 first.
            let mut parents: Vec<&Path> = p
                .ancestors()
                .skip(1)
                .filter(|a| *a != Path::new("/") && !made.iter().any(|m| m == a))
                .collect();
            parents.reverse();
            for a in parents {
                cmd.args(["--perms", "0755", "--dir"]).arg(a);
                made.push(a.to_path_buf());
            }
            cmd.arg("--ro-bind").arg(&p).arg(&p);
            cmd.args(mask_sockets(&p));
        }
        cmd.arg("--bind").arg(&launch.dirs.tmp).arg("/tmp");
        cmd.arg("--bind").arg(&launch.dirs.var_tmp).arg("/var/tmp");
        cmd.arg("--bind").arg(&launch.dirs.home).arg(home_inside);
        for p in toolchain_binds(home_inside, env) {
            cmd.arg("--ro-bind").arg(&p).arg(&p);
            cmd.args(mask_sockets(&p));
        }
        cmd.arg("--bind")
            .arg(&launch.dirs.copy)
            .arg(&launch.dirs.copy);
        cmd.arg("--chdir").arg(launch.cwd).arg("--clearenv");
        cmd.arg("--").arg(HELPER_INSIDE);
        // bwrap's own environment: only what it needs to find its programs.
        cmd.env_clear().env("PATH", DEFAULT_PATH);
    }

    /// `unshare` and its arguments, up to escrow's helper, and the helper's Landlock rules
    /// (pushed to `helper_args`): the host read-only except the copy and the private folders.
    fn unshare_args(
        &self,
        cmd: &mut Command,
        launch: &Launch<'_>,
        env: &[(String, String)],
        helper: &Path,
        helper_args: &mut Vec<OsString>,
    ) {
        cmd.arg(system_program("unshare"));
        if !self.as_root {
            cmd.args(["--user", "--map-root-user"]);
        }
        if !launch.network {
            cmd.arg("--net");
        }
        cmd.args([
            "--pid",
            "--fork",
            "--kill-child",
            "--mount-proc",
            "--ipc",
            "--uts",
            "--",
        ]);
        cmd.arg(helper);
        helper_args.push("--landlock".into());
        if launch.network {
            helper_args.push("--network".into());
        }
        let real_home = &self.home;
        let mut ro: Vec<PathBuf> = HOST_ALLOWED.iter().map(PathBuf::from).collect();
        // Not /dev: a terminal there (/dev/pts/N) is the operator's.
        ro.push(PathBuf::from("/proc"));
        ro.extend(extra_binds(env, self.home.as_deref()));
        if let Some(h) = real_home {
            ro.extend(toolchain_binds(h, env));
        }
        for p in ro {
            helper_args.push("--ro".into());
            helper_args.push(p.into_os_string());
        }
        for p in [
            &launch.dirs.copy,
            &launch.dirs.tmp,
            &launch.dirs.var_tmp,
            &launch.dirs.home,
        ] {
            helper_args.push("--rw".into());
            helper_args.push(p.clone().into_os_string());
        }
        cmd.current_dir(launch.cwd)
            .env_clear()
            .env("PATH", DEFAULT_PATH);
    }
}

/// The host's `/etc/NAME` with one more line, written as `DIR/NAME` for the sandbox.
fn account_file(name: &str, dir: &Path, line: &str) -> std::io::Result<()> {
    let mut text = std::fs::read_to_string(Path::new("/etc").join(name)).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
    std::fs::write(dir.join(name), text)
}

/// A system program by its absolute path, found in the default PATH only (never in a PATH the
/// manifest or the caller set). The bare name when it is nowhere: starting it then fails.
pub fn system_program(name: &str) -> PathBuf {
    DEFAULT_PATH
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// The invoking user's home `given` (`$HOME`), when it is a real folder other than `/`.
fn real_home(given: Option<&Path>) -> Option<PathBuf> {
    let h = given?;
    (h.is_absolute() && h != Path::new("/") && h.is_dir()).then(|| h.to_path_buf())
}

/// The folders under the (hidden) home that the manifest's variables name, such as
/// CARGO_HOME=/root/.cargo or PATH=/root/.cargo/bin:…: mounted read-only into the private
/// home so those toolchains work. Nested ones are covered by their parent.
pub fn toolchain_binds(home_inside: &Path, env: &[(String, String)]) -> Vec<PathBuf> {
    let found: Vec<PathBuf> = env
        .iter()
        .flat_map(|(_, v)| v.split(':'))
        .map(PathBuf::from)
        .filter(|p| {
            p.components()
                .all(|c| !matches!(c, std::path::Component::ParentDir))
        })
        // A file (a settings.xml, an .npmrc) is reached through its folder.
        .filter_map(folder_of)
        .filter(|p| p.is_absolute() && p.starts_with(home_inside) && p != home_inside)
        .collect();
    outermost(found)
}

/// The folder a path the manifest names stands for: itself when it is a folder, its parent when
/// it is a file (a settings.xml, an .npmrc); `None` when it does not exist.
fn folder_of(p: PathBuf) -> Option<PathBuf> {
    if p.is_dir() {
        Some(p)
    } else if p.is_file() {
        p.parent().map(Path::to_path_buf)
    } else {
        None
    }
}

/// `paths` sorted, without duplicates and without any path inside another one of them.
fn outermost(mut paths: Vec<PathBuf>) -> Vec<PathBuf> {
    paths.sort();
    paths.dedup();
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        if !out.iter().any(|o| p.starts_with(o)) {
            out.push(p);
        }
    }
    out
}

/// Folders outside the allowed host folders, the home and the build's private folders that
/// the manifest's variables name (JAVA_HOME=/srv/jdk, PATH=/data/tools/bin:…): shown read-only
/// so those toolchains work. Never `/` itself, nor the folders the sandbox replaces.
/// `home` is the invoking user's (see [`real_home`]).
pub fn extra_binds(env: &[(String, String)], home: Option<&Path>) -> Vec<PathBuf> {
    let found: Vec<PathBuf> = env
        .iter()
        .filter(|(k, _)| k != "HOME" && k != "TMPDIR")
        .flat_map(|(_, v)| v.split(':'))
        .map(PathBuf::from)
        .filter(|p| {
            p.is_absolute()
                && p.components()
                    .all(|c| !matches!(c, std::path::Component::ParentDir))
        })
        .filter_map(folder_of)
        .filter(|p| {
            p != Path::new("/")
                && !HOST_ALLOWED.iter().any(|a| p.starts_with(a))
                && !["/proc", "/dev", "/run", "/tmp", "/var/tmp"]
                    .iter()
                    .any(|a| p.starts_with(a))
                && !home.is_some_and(|h| p.starts_with(h))
                && !p.starts_with(std::env::temp_dir())
        })
        .collect();
    outermost(found)
}

/// Create the mount point `dest` inside the host folder of the last mount that covers it,
/// with every created folder traversable (0755).
fn mountpoint(mounts: &[(PathBuf, PathBuf)], dest: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let Some((host, inside)) = mounts
        .iter()
        .rev()
        .find(|(_, inside)| dest.starts_with(inside))
    else {
        return Ok(());
    };
    let rel = dest.strip_prefix(inside).expect("checked above");
    let mut p = host.clone();
    for c in rel.components() {
        p.push(c);
        if !p.exists() {
            std::fs::create_dir(&p)?;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok(())
}

fn chown_tree(root: &Path, uid: u32) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.map_err(std::io::Error::other)?;
        std::os::unix::fs::lchown(entry.path(), Some(uid), Some(uid))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userns_explanations() {
        assert_eq!(userns_diagnosis(Some("1\n"), Some("15000\n"), None), None);
        let m = userns_diagnosis(Some("0\n"), Some("15000"), None).unwrap();
        assert!(m.contains("kernel.unprivileged_userns_clone"), "{m}");
        let m = userns_diagnosis(None, Some("0"), None).unwrap();
        assert!(m.contains("user.max_user_namespaces"), "{m}");
        let m = userns_diagnosis(None, None, Some("1")).unwrap();
        assert!(m.contains("AppArmor"), "{m}");
    }

    #[test]
    fn toolchains_under_home_are_bound_once() {
        let home = tempfile::tempdir().unwrap();
        let cargo = home.path().join(".cargo");
        std::fs::create_dir_all(cargo.join("bin")).unwrap();
        let env = vec![
            ("CARGO_HOME".to_owned(), cargo.display().to_string()),
            (
                "PATH".to_owned(),
                format!(
                    "{}:/usr/bin:{}/missing",
                    cargo.join("bin").display(),
                    home.path().display()
                ),
            ),
        ];
        assert_eq!(toolchain_binds(home.path(), &env), vec![cargo]);
    }

    #[test]
    fn build_uids_stay_in_their_range() {
        for m in ["000000aa", "ffffffff", "7fa3c2", "", "zz"] {
            let uid = build_uid(m);
            assert!(
                (BUILD_UID_BASE..BUILD_UID_BASE + BUILD_UID_SPAN).contains(&uid),
                "{m}"
            );
        }
    }

    #[test]
    fn uid_maps() {
        let full = "         0          0 4294967295\n";
        let short = "         0     100000      65536\n";
        assert!(uid_mapped(full, BUILD_UID_BASE));
        assert!(!uid_mapped(short, BUILD_UID_BASE));
        assert!(uid_mapped(short, 65534));
    }
}
