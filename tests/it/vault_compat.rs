//! A vault written by escrow 0.1.0 before the pipeline refactor (`fixtures/vaults/escrow-0.1.0`:
//! v1, v2 with a change note, a go-live) has vault format 1: it still reads, verifies, compares
//! and restores as it is, refuses new deposits until `escrow vault upgrade` converts it (its
//! ledger head unchanged), and then takes them.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::common::{Run, copy_dir, escrow, repo, write};
use crate::vault::{entry_files, ledger_head};

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
    let mut old_format = 0;
    for p in a["problems"].as_array().unwrap() {
        if p["code"] == "old-format" {
            // Named, with the command that converts it.
            assert_eq!(p["level"], "note", "{p}");
            assert!(
                p["advice"]
                    .as_str()
                    .unwrap()
                    .contains("escrow vault upgrade"),
                "{p}"
            );
            old_format += 1;
        } else {
            // git checks files out readable by others; nothing else may be wrong.
            assert_eq!(p["code"], "vault-permissions", "{p}");
        }
    }
    assert_eq!(old_format, 1, "{a}");

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

/// `escrow ARGS --vault VAULT` into the old vault: refused (exit 2), naming the command that
/// converts the vault.
fn refused_deposit(vault: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    all.extend([OsStr::new("--vault"), vault.as_os_str()]);
    let refused = escrow(all);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(
        refused.stderr.contains("escrow vault upgrade"),
        "{}",
        refused.stderr
    );
    refused
}

/// The deposit an old vault refuses leaves no file behind: its contents are not stored before
/// the refusal either (a format-2 pack in a format-1 vault).
#[test]
fn a_deposit_refused_by_an_old_vault_writes_nothing() {
    let (tmp, vault) = old_vault();
    let delivery = tmp.path().join("d");
    write(&delivery, "core/src/New.java", "class New {}\n");
    let manifest = tmp.path().join("manifest.toml");
    std::fs::write(
        &manifest,
        "schema-version = 1\n\n[[module]]\nid = \"core\"\nname = \"核心\"\npaths = [\"core/**\"]\nmin-source-files = 1\n",
    )
    .unwrap();
    let before = files_under(&vault);
    refused_deposit(
        &vault,
        &[
            "deposit",
            delivery.to_str().unwrap(),
            "-m",
            manifest.to_str().unwrap(),
            "--label",
            "v3",
        ],
    );
    let after = files_under(&vault);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "a refused deposit writes nothing"
    );
    assert_eq!(after, before);
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files_under(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
#[allow(clippy::too_many_lines)] // one story: restore, a refused deposit, the upgrade, a deposit
fn an_old_vault_restores_and_takes_new_deposits_after_an_upgrade() {
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
    let deposit_args = [
        "deposit",
        out.to_str().unwrap(),
        "-m",
        manifest.to_str().unwrap(),
        "--label",
        "v3",
        "--format",
        "json",
    ];

    // Before the upgrade, the old vault takes nothing: the refusal names the command, and
    // records nothing (see also `a_deposit_refused_by_an_old_vault_writes_nothing`).
    let head = in_vault(&vault, &["audit", "--format", "json"]).json()["ledger_head"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = files_under(&vault);
    let refused = refused_deposit(&vault, &deposit_args);
    let after = files_under(&vault);
    for (path, bytes) in &before {
        assert_eq!(after.get(path), Some(bytes), "{}", path.display());
    }
    assert!(
        after
            .keys()
            .all(|p| before.contains_key(p) || p.starts_with("packs")),
        "{:?}: {}",
        after.keys(),
        refused.stderr
    );

    // The upgrade: in place, the ledger head unchanged, format 1's files set aside.
    let up = in_vault(&vault, &["vault", "upgrade", "--format", "json"]);
    assert_eq!(up.code, 0, "{}", up.stdout);
    let u = up.json();
    assert_eq!(
        (&u["from_format"], &u["to_format"]),
        (&1.into(), &2.into()),
        "{u}"
    );
    assert_eq!(u["ledger_entries"], 3);
    assert_eq!(u["ledger_head"], head.as_str(), "{u}");
    assert_eq!(entry_files(&vault).len(), 3);
    assert_eq!(
        ledger_head(&vault),
        head,
        "the same bytes, one entry per file"
    );
    assert!(!vault.join("ledger.jsonl").exists());
    assert!(!vault.join("lock").exists());
    let old = vault.join("format-1");
    assert_eq!(
        std::fs::read(old.join("ledger.jsonl")).unwrap(),
        before[Path::new("ledger.jsonl")],
        "the old ledger is kept aside"
    );
    for (path, bytes) in &before {
        // The packs without trailers (and their indexes), rewritten with trailers.
        if path.starts_with("packs") {
            let found = std::fs::read(old.join(path))
                .unwrap_or_else(|e| panic!("{} not set aside: {e}", path.display()));
            assert_eq!(&found, bytes, "{}", path.display());
            assert!(!vault.join(path).exists(), "{}", path.display());
        }
    }
    let audit = in_vault(&vault, &["audit", "--format", "json"]);
    assert_eq!(audit.code, 0, "{}", audit.stdout);
    let a = audit.json();
    assert_eq!(a["ledger_head"], head.as_str());
    assert_eq!(
        (&a["snapshots"], &a["ledger_entries"]),
        (&2.into(), &3.into())
    );
    for p in a["problems"].as_array().unwrap() {
        assert_eq!(p["code"], "vault-permissions", "{p}");
    }
    let v2 = in_vault(&vault, &["show", "v2", "--format", "json"]).json();
    assert_eq!(
        v2["snapshot"],
        "35496e07491d4fde9f5874424b84055665293c1ae6187b90d232700fa6e20895"
    );

    // Now the deposit goes through, after the old entries.
    let run = in_vault(&vault, &deposit_args);
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
    let audit = in_vault(&vault, &["audit", "--format", "json", "--head", &head]);
    assert_eq!(audit.code, 0, "{}", audit.stdout);
    assert_eq!(audit.json()["snapshots"], 3);
}
