//! Standard output closed by its reader (`escrow list | head -1`): escrow ends quietly with the
//! exit code of its result, instead of a panic (exit 101) or an error (exit 2).

use std::io::Read;
use std::process::Stdio;

use crate::common::{chaoyang, escrow_command, sample};
use crate::scene::{Scene, path};

/// Run escrow with a stdout pipe whose reading end is already closed: its first write fails
/// with EPIPE, whatever the timing. Returns the exit code and stderr.
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = escrow_command()
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (child.wait().unwrap().code(), err)
}

#[test]
fn a_closed_pipe_ends_every_command_quietly_with_exit_0() {
    let s = Scene::new();
    s.two_snapshots();
    let vault = path(&s.vault);
    let (delivery, manifest) = (sample(), chaoyang());
    let runs: [&[&str]; 7] = [
        &["list", "--vault", vault],
        &["list", "--vault", vault, "--format", "json"],
        &["show", "v2", "--vault", vault],
        &["diff", "v1", "v2", "--vault", vault],
        &["status", "--vault", vault],
        &["deadline", "--from", "2026-09-30", "--days", "3"],
        &["check", path(&delivery), "-m", path(&manifest)],
    ];
    for args in runs {
        let (code, err) = with_closed_stdout(args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}: nothing on stderr");
    }
}

/// A closed pipe does not turn a failing result into a pass: the verdict's exit code stays.
#[test]
fn a_closed_pipe_keeps_a_failing_verdict() {
    let tmp = tempfile::tempdir().unwrap();
    let delivery = tmp.path().join("d");
    crate::common::write(&delivery, "README.md", "nothing else\n");
    let (code, err) = with_closed_stdout(&["check", path(&delivery), "-m", path(&chaoyang())]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err, "", "nothing on stderr");
    let (code, err) = with_closed_stdout(&[
        "check",
        path(&delivery),
        "-m",
        path(&chaoyang()),
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1), "{err}");
}
