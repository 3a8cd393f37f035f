//! The `escrow` binary: parse arguments, run, map the outcome to an exit code
//! (0 pass, 1 the delivery fails, 2 usage or runtime error).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Descriptors a caller left open (a flock idiom, a CI runner's, a logging wrapper's) never
    // reach a program escrow starts.
    close_fds::set_fds_cloexec(3, &[]);
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args
        .get(1)
        .is_some_and(|a| a == escrow::build::helper::SUBCOMMAND)
    {
        return sandbox_exec(&args[2..]);
    }
    if args.get(1).is_some_and(|a| a == escrow::doctext::CHILD_ARG) {
        let served = escrow::doctext::serve_child(&mut std::io::stdin(), &mut std::io::stdout());
        return ExitCode::from(u8::from(served.is_err()) * 2);
    }
    if let Ok(exe) = std::env::current_exe() {
        escrow::doctext::set_isolation(exe);
    }
    cli::main()
}

/// The sandbox's last step (see `escrow::build::helper`): returns only when it failed.
fn sandbox_exec(args: &[std::ffi::OsString]) -> ExitCode {
    use std::io::Write;
    let message = match escrow::build::helper::parse(args) {
        Ok(h) => escrow::build::helper::exec(&h),
        Err(e) => e,
    };
    let _ = writeln!(std::io::stderr(), "escrow sandbox: {message}");
    ExitCode::from(127)
}
