//! The policy step: `[severity]` and `[[allow]]` apply to the findings of every stage, the build
//! and the comparison with the previous snapshot included, once, just before the verdict.

use std::path::{Path, PathBuf};

use crate::common::{Run, codes, escrow, with_code, write};

/// A vault, and a delivery of one module whose second version loses a source file.
struct Update {
    tmp: tempfile::TempDir,
    delivery: PathBuf,
}

impl Update {
    fn new() -> Update {
        let tmp = tempfile::tempdir().unwrap();
        let delivery = tmp.path().join("delivery");
        write(&delivery, "core/src/A.java", "class A {}\n");
        write(&delivery, "core/src/B.java", "class B {}\n");
        write(&delivery, "core/legacy/Old.java", "class Old {}\n");
        Update { tmp, delivery }
    }

    fn vault(&self) -> PathBuf {
        self.tmp.path().join("vault")
    }

    /// Deposit v1, remove `core/legacy/Old.java`, and deposit v2 with `policy` added to the
    /// manifest; the JSON output of the second deposit.
    fn second_deposit(&self, policy: &str) -> (Run, serde_json::Value) {
        let manifest = self.tmp.path().join("manifest.toml");
        std::fs::write(
            &manifest,
            format!(
                "schema-version = 1\n\n[scan]\nenabled = false\n\n[[module]]\nid = \"core\"\nname = \"core\"\npaths = [\"core/**\"]\nmin-source-files = 1\n\n{policy}"
            ),
        )
        .unwrap();
        let first = self.deposit(&manifest, "v1");
        assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
        std::fs::remove_file(self.delivery.join("core/legacy/Old.java")).unwrap();
        let second = self.deposit(&manifest, "v2");
        assert_ne!(second.code, 2, "{}", second.stderr);
        let report = second.json()["report"].clone();
        (second, report)
    }

    fn deposit(&self, manifest: &Path, label: &str) -> Run {
        escrow([
            "deposit".as_ref(),
            self.delivery.as_os_str(),
            "-m".as_ref(),
            manifest.as_os_str(),
            "--label".as_ref(),
            label.as_ref(),
            "--vault".as_ref(),
            self.vault().as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ])
    }
}

/// The `allowed` entry for `code` in a report.
fn allowed<'a>(report: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    report["allowed"]
        .as_array()
        .unwrap_or_else(|| panic!("no allowed list: {report}"))
        .iter()
        .find(|a| a["code"] == code)
        .unwrap_or_else(|| panic!("no allowance for {code}: {report}"))
}

/// `[severity]` makes `code` deny and `[[allow]]` on `paths` silences it: the deposit passes,
/// the finding is gone, and the allowance counts it.
fn allowed_comparison_finding(code: &str, paths: &str) {
    let (run, report) = Update::new().second_deposit(&format!(
        "[severity]\n{code} = \"deny\"\n\n[[allow]]\ncode = \"{code}\"\npaths = [{paths}]\nreason = \"agreed with the hospital\"\n"
    ));
    assert_eq!(run.code, 0, "{report}");
    assert_eq!(report["verdict"], "pass");
    assert!(with_code(&report, code).is_empty(), "{report}");
    let a = allowed(&report, code);
    assert_eq!(a["silenced"], 1, "{report}");
    assert_eq!(a["reason"], "agreed with the hospital");
}

#[test]
fn allow_silences_file_removed() {
    allowed_comparison_finding("file-removed", "\"core/legacy/**\"");
}

#[test]
fn allow_silences_module_regressed() {
    allowed_comparison_finding("module-regressed", "\"**\"");
}

#[test]
fn allow_silences_change_note_missing() {
    allowed_comparison_finding("change-note-missing", "\"**\"");
}

#[test]
fn allow_on_other_paths_leaves_comparison_findings_alone() {
    // A finding that names no file needs an entry covering the whole delivery ("**").
    let (run, report) = Update::new().second_deposit(
        "[severity]\nmodule-regressed = \"deny\"\n\n[[allow]]\ncode = \"module-regressed\"\npaths = [\"core/legacy/**\"]\nreason = \"agreed\"\n\n[[allow]]\ncode = \"file-removed\"\npaths = [\"elsewhere/**\"]\nreason = \"agreed\"\n",
    );
    assert_eq!(run.code, 1, "{report}");
    assert_eq!(allowed(&report, "module-regressed")["silenced"], 0);
    assert_eq!(allowed(&report, "file-removed")["silenced"], 0);
    assert_eq!(
        codes(&report),
        ["change-note-missing", "file-removed", "module-regressed"]
    );
}

#[test]
fn severity_applies_to_comparison_findings() {
    let update = Update::new();
    let (run, report) = update
        .second_deposit("[severity]\nfile-removed = \"deny\"\nchange-note-missing = \"info\"\n");
    assert_eq!(run.code, 1, "file-removed is deny: {report}");
    assert_eq!(report["verdict"], "fail");
    assert_eq!(with_code(&report, "file-removed")[0]["severity"], "deny");
    assert_eq!(
        with_code(&report, "change-note-missing")[0]["severity"],
        "info"
    );
    assert_eq!(
        with_code(&report, "module-regressed")[0]["severity"],
        "warn"
    );
    assert_eq!(report["totals"]["deny"], 1);
    // The ledger records the verdict of the report the policy decided.
    let list = escrow([
        "list".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--vault".as_ref(),
        update.vault().as_os_str(),
    ]);
    assert_eq!(
        list.json()["snapshots"][1]["verdict"],
        "fail",
        "{}",
        list.stdout
    );
}

#[test]
fn allow_silences_build_output_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let delivery = tmp.path().join("delivery");
    write(&delivery, "src/a.txt", "source\n");
    let manifest = tmp.path().join("manifest.toml");
    std::fs::write(
        &manifest,
        "schema-version = 1\n\n[build]\ncommand = \"mkdir -p dist && echo x > dist/app.war\"\noutputs = [\"dist/*.jar\", \"dist/*.war\"]\n\n[[allow]]\ncode = \"build-output-missing\"\npaths = [\"dist/*.jar\"]\nreason = \"the jar is no longer built\"\n",
    )
    .unwrap();
    for command in [&["build"][..], &["check", "--build"][..]] {
        let log = tmp.path().join(format!("{}.log", command.len()));
        let mut args: Vec<&std::ffi::OsStr> = command.iter().map(AsRef::as_ref).collect();
        args.extend([
            delivery.as_os_str(),
            "-m".as_ref(),
            manifest.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
            "--log".as_ref(),
            log.as_os_str(),
        ]);
        let run = escrow(args);
        assert_ne!(run.code, 2, "{command:?}: {}", run.stderr);
        let report = run.json();
        assert_eq!(report["build"]["status"], "succeeded", "{report}");
        assert_eq!(run.code, 0, "{command:?}: {report}");
        assert!(
            with_code(&report, "build-output-missing").is_empty(),
            "{command:?}: {report}"
        );
        assert_eq!(
            allowed(&report, "build-output-missing")["silenced"],
            1,
            "{command:?}: {report}"
        );
    }
}

/// A finding about several files names only the first of them: an `[[allow]]` entry that covers
/// that one (the vendor chose which file sorts first) does not silence the others.
#[test]
fn an_allowance_for_the_first_file_does_not_silence_a_group() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let delivery = tmp.path().join("delivery");
    write(&delivery, "core/src/A.java", "class A {}\n");
    write(&delivery, "core/tools/agreed-helper", "#!/bin/sh\n");
    write(&delivery, "zz/rootshell", "#!/bin/sh\n");
    for f in ["core/tools/agreed-helper", "zz/rootshell"] {
        std::fs::set_permissions(delivery.join(f), std::fs::Permissions::from_mode(0o4755))
            .unwrap();
    }
    let check = |allowed: &str| {
        let manifest = tmp.path().join("manifest.toml");
        std::fs::write(
            &manifest,
            format!(
                "schema-version = 1\n\n[scan]\nenabled = false\n\n[severity]\nfile-setuid = \"deny\"\n\n[[module]]\nid = \"core\"\nname = \"core\"\npaths = [\"core/**\"]\nmin-source-files = 1\n\n[[allow]]\ncode = \"file-setuid\"\npaths = [{allowed}]\nreason = \"agreed\"\n"
            ),
        )
        .unwrap();
        escrow([
            "check".as_ref(),
            delivery.as_os_str(),
            "-m".as_ref(),
            manifest.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ])
    };
    let one = check("\"core/tools/agreed-helper\"");
    assert_eq!(one.code, 1, "{}", one.stdout);
    assert_eq!(codes(&one.json()), ["file-setuid"]);
    let both = check("\"core/tools/agreed-helper\", \"zz/rootshell\"");
    assert_eq!(both.code, 0, "{}", both.stdout);
}
