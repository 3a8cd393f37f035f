//! The `escrow` binary: parse arguments, run, map the outcome to an exit code
//! (0 pass, 1 the delivery fails, 2 usage or runtime error).

use std::process::ExitCode;

fn main() -> ExitCode {
    escrow_cli::main()
}

#[path = "cli/mod.rs"]
mod escrow_cli;
