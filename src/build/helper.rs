//! The sandbox's last step before the vendor's build: escrow re-executes itself as
//! `escrow __sandbox-exec [OPTIONS] -- PROGRAM ARGS…` inside whatever namespaces the backend
//! made, and this process, before it becomes the build:
//!
//! 1. marks every inherited descriptor above 2 close-on-exec, so that only the standard streams
//!    reach the build;
//! 2. starts a session of its own (no controlling terminal: no `TIOCSTI` into the operator's
//!    terminal, no `/dev/tty`);
//! 3. with `--landlock`, restricts itself and everything it runs with Landlock: read-only
//!    access to the host folders given with `--ro`, full access to those given with `--rw` (the
//!    build's copy and private folders), no TCP unless `--network`, no connection to abstract
//!    Unix sockets and no signals outside the sandbox;
//! 4. writes one byte to its standard input, which escrow made the writing end of a pipe (the
//!    start marker: its absence tells escrow that the sandbox did not start, whatever the build
//!    printed), then replaces its standard input with `/dev/null`;
//! 5. executes the program.
//!
//! Nothing here needs `unsafe`: Landlock is applied through the `landlock` crate, the rest
//! through rustix's safe calls.

use std::ffi::OsString;
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus, Scope, path_beneath_rules,
};

/// The name of the hidden subcommand.
pub const SUBCOMMAND: &str = "__sandbox-exec";

/// The byte the helper writes when the build is about to start.
pub const START_MARKER: u8 = b'S';

/// What the helper was asked to do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct HelperArgs {
    /// Restrict the file system with Landlock.
    pub landlock: bool,
    /// Leave the network open (else Landlock closes TCP).
    pub network: bool,
    /// Folders the build may read.
    pub read_only: Vec<PathBuf>,
    /// Folders the build may read and write.
    pub read_write: Vec<PathBuf>,
    /// The program to run and its arguments.
    pub program: Vec<OsString>,
}

/// Parse the helper's arguments (after the subcommand's name).
pub fn parse(args: &[OsString]) -> Result<HelperArgs, String> {
    let mut out = HelperArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.to_str() {
            Some("--landlock") => out.landlock = true,
            Some("--network") => out.network = true,
            Some("--ro") => out
                .read_only
                .push(PathBuf::from(it.next().ok_or("--ro needs a path")?)),
            Some("--rw") => out
                .read_write
                .push(PathBuf::from(it.next().ok_or("--rw needs a path")?)),
            Some("--") => {
                out.program = it.cloned().collect();
                break;
            }
            _ => return Err(format!("unknown argument {}", a.to_string_lossy())),
        }
    }
    if out.program.is_empty() {
        return Err("no program to run after --".to_owned());
    }
    Ok(out)
}

/// Whether Landlock can restrict the file system on this kernel.
pub fn landlock_available() -> Result<(), String> {
    Ruleset::default()
        .set_compatibility(CompatLevel::HardRequirement)
        .handle_access(AccessFs::from_all(ABI::V1))
        .and_then(landlock::Ruleset::create)
        .map(|_| ())
        .map_err(|e| format!("Landlock is not available in this kernel ({e})"))
}

/// Device files any build may write.
const DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
];

fn restrict(args: &HelperArgs) -> Result<(), String> {
    let abi = ABI::V7;
    let err = |e: landlock::RulesetError| format!("Landlock: {e}");
    let mut ruleset = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .map_err(err)?
        .scope(Scope::from_all(abi))
        .map_err(err)?;
    if !args.network {
        ruleset = ruleset
            .handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)
            .map_err(err)?;
    }
    let status = ruleset
        .create()
        .map_err(err)?
        .add_rules(path_beneath_rules(
            &args.read_only,
            AccessFs::from_read(abi),
        ))
        .map_err(err)?
        .add_rules(path_beneath_rules(DEVICES, AccessFs::from_all(abi)))
        .map_err(err)?
        .add_rules(path_beneath_rules(
            &args.read_write,
            AccessFs::from_all(abi),
        ))
        .map_err(err)?
        .restrict_self()
        .map_err(err)?;
    if status.ruleset == RulesetStatus::NotEnforced {
        return Err("Landlock is not enforced by this kernel".to_owned());
    }
    Ok(())
}

/// Run the helper; returns only on failure (with what went wrong).
pub fn exec(args: &HelperArgs) -> String {
    close_fds::set_fds_cloexec(3, &[]);
    // Already a session leader (bubblewrap's --new-session) is fine.
    if rustix::process::setsid().is_err()
        && rustix::process::getsid(None).ok() != Some(rustix::process::getpid())
    {
        return "cannot start a session of its own".to_owned();
    }
    if args.landlock
        && let Err(e) = restrict(args)
    {
        return e;
    }
    let stdin = std::io::stdin();
    // Escrow's pipe, when it gave one: anything else (a terminal, /dev/null) is left alone.
    if rustix::fs::fstat(stdin.as_fd())
        .is_ok_and(|s| rustix::fs::FileType::from_raw_mode(s.st_mode) == rustix::fs::FileType::Fifo)
    {
        let _ = rustix::io::write(stdin.as_fd(), &[START_MARKER]);
    }
    match std::fs::File::open("/dev/null") {
        Ok(null) => {
            if let Err(e) = rustix::stdio::dup2_stdin(&null) {
                return format!("cannot replace standard input: {e}");
            }
        }
        Err(e) => return format!("cannot open /dev/null: {e}"),
    }
    let e = std::process::Command::new(&args.program[0])
        .args(&args.program[1..])
        .exec();
    format!("cannot run {}: {e}", args.program[0].to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments() {
        let a: Vec<OsString> = [
            "--landlock",
            "--ro",
            "/usr",
            "--rw",
            "/tmp/x",
            "--",
            "sh",
            "-c",
            "true",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        let h = parse(&a).unwrap();
        assert!(h.landlock && !h.network);
        assert_eq!(h.read_only, vec![PathBuf::from("/usr")]);
        assert_eq!(h.read_write, vec![PathBuf::from("/tmp/x")]);
        assert_eq!(h.program.len(), 3);
        assert!(parse(&[OsString::from("--ro")]).is_err());
        assert!(parse(&[OsString::from("--")]).is_err());
    }
}
