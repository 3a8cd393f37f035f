//! A vault written by escrow 0.1.0 before the pipeline refactor (`fixtures/vaults/escrow-0.1.0`:
//! v1, v2 with a change note, a go-live) still reads, verifies, compares, restores and takes new
//! deposits: the vault's format did not change.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::common::{Run, copy_dir, escrow, repo, write};

/// A copy of the fixture vault (git keeps no empty folders: `tmp/` is made here).
fn old_vault() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("vault");
    copy_dir(&repo().join("fixtures/vaults/escrow-0.1.0"), &vault);
    std::fs::create_dir(vault.join("tmp")).unwrap();
    (tmp, vault)
}

fn in_vault(vault: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    all.extend([OsStr::new("--vault"), vault.as_os_str()]);
    let run = escrow(all);
    assert_ne!(run.code, 2, "{args:?}: {}", run.stderr);
    run
}

#[test]
fn an_old_vault_reads_and_verifies() {
    let (_tmp, vault) = old_vault();
    let audit = in_vault(&vault, &["audit", "--format", "json"]);
    assert_eq!(audit.code, 0, "{}", audit.stdout);
    let a = audit.json();
    assert_eq!(a["snapshots"], 2);
    assert_eq!(a["ledger_entries"], 3);
    for p in a["problems"].as_array().unwrap() {
        // git checks files out readable by others; nothing else may be wrong.
        assert_eq!(p["code"], "vault-permissions", "{p}");
    }

    let show = in_vault(&vault, &["show", "v2", "--format", "json"]).json();
    assert_eq!(
        show["snapshot"],
        "35496e07491d4fde9f5874424b84055665293c1ae6187b90d232700fa6e20895"
    );
    let report = &show["record"]["report"];
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["totals"]["deny"], 1);
    assert_eq!(show["record"]["note"]["text"], "删除旧代码\n");
    let human = in_vault(&vault, &["show", "v2"]);
    assert!(
        human.stdout.contains("DENY document-too-small"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("    删除旧代码"), "{}", human.stdout);

    let diff = in_vault(&vault, &["diff", "v1", "v2", "--format", "json"]).json();
    assert_eq!(
        (&diff["added"], &diff["removed"], &diff["modified"]),
        (&0.into(), &1.into(), &1.into()),
        "{diff}"
    );
    assert_eq!(diff["modules"][0]["id"], "core");
    assert_eq!(diff["modules"][0]["source_before"], 3);
    assert_eq!(diff["modules"][0]["source_after"], 2);
}

#[test]
fn an_old_vault_restores_and_takes_new_deposits() {
    let (tmp, vault) = old_vault();
    let out = tmp.path().join("v1");
    let restored = in_vault(&vault, &["restore", "v1", out.to_str().unwrap(), "-q"]);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    assert_eq!(
        std::fs::read_to_string(out.join("core/legacy/Old.java")).unwrap(),
        "class Old {}\n"
    );

    // v3: the v1 tree again, with a larger deployment manual; compared with v2.
    write(&out, "docs/deploy.md", "# 部署手册\n".repeat(200));
    let manifest = tmp.path().join("manifest.toml");
    std::fs::write(
        &manifest,
        "schema-version = 1\n\n[[module]]\nid = \"core\"\nname = \"核心\"\npaths = [\"core/**\"]\nmin-source-files = 1\n\n[[document]]\nid = \"deploy\"\nname = \"部署手册\"\npaths = [\"docs/**\"]\nmin-bytes = 1000\n",
    )
    .unwrap();
    let run = in_vault(
        &vault,
        &[
            "deposit",
            out.to_str().unwrap(),
            "-m",
            manifest.to_str().unwrap(),
            "--label",
            "v3",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let j = run.json();
    assert_eq!(j["seq"], 3);
    assert_eq!(j["diff"]["old"]["label"], "v2");
    assert_eq!(j["diff"]["added"], 1);
    let report = &j["report"];
    assert_eq!(report["verdict"], "pass");
    let list = in_vault(&vault, &["list", "--format", "json"]).json();
    let verdicts: Vec<&str> = list["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["fail", "fail", "pass"]);
    let audit = in_vault(&vault, &["audit", "--format", "json"]);
    assert_eq!(audit.code, 0, "{}", audit.stdout);
    assert_eq!(audit.json()["snapshots"], 3);
}
