//! Text from a delivery never reaches the operator's terminal as escape sequences: a build that
//! prints sequences which hide lines, move the cursor or set the window title, and a change note
//! full of them, are shown escaped in the human report and in `show`.

use crate::common::{escrow, write};

/// What a hostile build prints: hide the rest of the line, set the window title, erase the line
/// and return to its start (to write over the verdict), and a right-to-left override.
const HOSTILE: &str = r"\033[8mhidden\033]0;title\007\033[2K\rPASS\342\200\256txt";

fn has_raw_controls(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
    })
}

#[test]
fn vendor_text_is_escaped_in_the_human_report_and_in_show() {
    let tmp = tempfile::tempdir().unwrap();
    let delivery = tmp.path().join("delivery");
    std::fs::create_dir(&delivery).unwrap();
    write(&delivery, "src/main.c", "int main(void) { return 0; }\n");
    // The note a deposit keeps: escape sequences in the vendor's change note.
    write(
        &delivery,
        "CHANGELOG.md",
        "v1\n\u{1b}[2K\rall modules delivered \u{1b}]0;t\u{7}\n",
    );
    let manifest = tmp.path().join("manifest.toml");
    std::fs::write(
        &manifest,
        format!(
            "schema-version = 1\n[build]\ncommand = '''printf '{HOSTILE}\\n'; exit 1'''\n[[module]]\nid = \"m\"\nname = \"m\"\npaths = [\"src/**\"]\n"
        ),
    )
    .unwrap();
    let d = delivery.to_str().unwrap();
    let m = manifest.to_str().unwrap();
    for lang in ["en", "zh"] {
        let r = escrow(["build", d, "-m", m, "--color", "never", "--lang", lang]);
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains("\\u{1b}[8mhidden"),
            "the sequence is shown escaped: {}",
            r.stdout
        );
        assert!(!has_raw_controls(&r.stdout), "raw controls: {:?}", r.stdout);
    }
    // JSON keeps the vendor's bytes exactly: it is data, not a terminal.
    let r = escrow(["build", d, "-m", m, "--format", "json"]);
    assert!(r.stdout.contains("\\u001b[8mhidden"), "{}", r.stdout);

    let vault = tmp.path().join("vault");
    let v = vault.to_str().unwrap();
    let r = escrow(["init", "--vault", v]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let note = delivery.join("CHANGELOG.md");
    let r = escrow([
        "deposit",
        d,
        "-m",
        m,
        "--vault",
        v,
        "--label",
        "v1",
        "--note",
        note.to_str().unwrap(),
        "-q",
    ]);
    assert_ne!(r.code, 2, "{}", r.stderr);
    let r = escrow(["show", "--vault", v, "v1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("all modules delivered"), "{}", r.stdout);
    assert!(!has_raw_controls(&r.stdout), "raw controls: {:?}", r.stdout);
}

/// Error messages quote what the vendor wrote (here a Git reference holding escape sequences
/// and a right-to-left override); they reach the terminal escaped.
#[test]
fn vendor_text_in_an_error_message_is_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo.git");
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "--bare", repo.to_str().unwrap()]);
    std::fs::write(
        repo.join("HEAD"),
        "ref: refs/heads/\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{202e}main\n",
    )
    .unwrap();
    let run = crate::common::escrow([
        "check".as_ref(),
        repo.as_os_str(),
        "-m".as_ref(),
        crate::common::chaoyang().as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!has_raw_controls(&run.stderr), "{:?}", run.stderr);
    assert!(run.stderr.contains("\\u{1b}"), "{}", run.stderr);
}

/// `show --build-log` on a terminal shows the vendor's build output escaped; piped, it stays
/// byte for byte.
#[test]
fn the_build_log_is_escaped_on_a_terminal_and_exact_in_a_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    let delivery = tmp.path().join("delivery");
    write(&delivery, "src/main.c", "int main(void) { return 0; }\n");
    let manifest = tmp.path().join("manifest.toml");
    std::fs::write(
        &manifest,
        format!(
            "schema-version = 1\n[build]\ncommand = '''printf '{HOSTILE}\\n'; exit 1'''\n[[module]]\nid = \"m\"\nname = \"m\"\npaths = [\"src/**\"]\n"
        ),
    )
    .unwrap();
    let vault = tmp.path().join("vault");
    let (d, m, v) = (
        delivery.to_str().unwrap(),
        manifest.to_str().unwrap(),
        vault.to_str().unwrap(),
    );
    let r = escrow([
        "deposit", d, "-m", m, "--vault", v, "--label", "v1", "--build", "-q",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let piped = escrow(["show", "v1", "--build-log", "--vault", v]);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert!(
        piped.stdout.contains("\u{1b}[8mhidden"),
        "{:?}",
        piped.stdout
    );
    // On a terminal (a pseudo-terminal from `script`, which turns "\n" into "\r\n").
    let cmd = crate::common::escrow_command();
    let program = cmd.get_program().to_owned();
    let line = format!(
        "'{}' show v1 --build-log --vault '{v}'",
        program.to_str().unwrap()
    );
    let out = cmd_output(
        std::process::Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v)))),
    );
    let shown = out.replace("\r\n", "\n");
    assert!(shown.contains("\\u{1b}[8mhidden"), "{shown:?}");
    assert!(!has_raw_controls(&shown), "raw controls: {shown:?}");
}

fn cmd_output(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
