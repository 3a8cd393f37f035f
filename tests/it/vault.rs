//! The vault, end to end: deposit, list, show, diff, restore, audit; corruption; crashes;
//! concurrency.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::common::*;

/// What a tree holds, byte-exact: kind, permission bits, content or link target, by raw path.
pub fn snapshot_tree(root: &Path) -> BTreeMap<Vec<u8>, (char, u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(root).min_depth(1).follow_links(false) {
        let e = e.unwrap();
        let rel = e
            .path()
            .strip_prefix(root)
            .unwrap()
            .as_os_str()
            .as_bytes()
            .to_vec();
        let meta = e.path().symlink_metadata().unwrap();
        let mode = meta.permissions().mode() & 0o7777;
        let v = if meta.file_type().is_symlink() {
            (
                'l',
                0,
                std::fs::read_link(e.path())
                    .unwrap()
                    .as_os_str()
                    .as_bytes()
                    .to_vec(),
            )
        } else if meta.is_dir() {
            ('d', mode, Vec::new())
        } else {
            ('f', mode, std::fs::read(e.path()).unwrap())
        };
        out.insert(rel, v);
    }
    out
}

/// A delivery with everything a restore must reproduce: odd names, modes, links, empty folders.
pub fn odd_delivery(root: &Path) {
    copy_dir(&sample(), root);
    let src = root.join("jingtong/src");
    let (gbk, _, _) = encoding_rs::GB18030.encode("病历.java");
    std::fs::write(src.join(OsStr::from_bytes(&gbk)), "class 病历 {}\n").unwrap();
    std::fs::write(
        src.join(OsStr::from_bytes(b"\xff\xferaw.java")),
        "class Raw {}\n",
    )
    .unwrap();
    std::fs::write(src.join("two\nlines.java"), "class Two {}\n").unwrap();
    std::fs::write(root.join("build.sh"), "#!/bin/sh\nmvn package\n").unwrap();
    std::fs::set_permissions(
        root.join("build.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::write(root.join("readonly.txt"), "fixed\n").unwrap();
    std::fs::set_permissions(
        root.join("readonly.txt"),
        std::fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    std::fs::write(root.join("empty.txt"), "").unwrap();
    std::fs::create_dir_all(root.join("logs/empty/deeper")).unwrap();
    std::os::unix::fs::symlink("../docs/部署手册.md", root.join("jingtong/manual.md")).unwrap();
    std::os::unix::fs::symlink("/opt/vendor/lib", root.join("jingtong/vendor-lib")).unwrap();
    std::fs::write(root.join("jingtong/dup.java"), "class Dup {}\n").unwrap();
    std::fs::write(root.join("jingtong/dup2.java"), "class Dup {}\n").unwrap();
}

/// The `prev` of the first ledger entry, and the head of an empty ledger: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Where ledger entry `seq` of the vault at `vault` is: `ledger/<seq as 20 digits>.json`.
pub fn entry_path(vault: &Path, seq: u64) -> PathBuf {
    vault.join(format!("ledger/{seq:020}.json"))
}

/// The ledger entry files of the vault at `vault`, in order of their numbers (none when the
/// vault or its `ledger/` folder does not exist); other names in `ledger/` are left out.
pub fn entry_files(vault: &Path) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(vault.join("ledger")) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = dir
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.strip_suffix(".json")
                .is_some_and(|n| n.len() == 20 && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    files.sort();
    files
}

/// The text of every ledger entry, in order.
pub fn entries(vault: &Path) -> Vec<String> {
    entry_files(vault)
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// The text of ledger entry `seq`.
pub fn read_entry(vault: &Path, seq: u64) -> String {
    std::fs::read_to_string(entry_path(vault, seq)).unwrap()
}

/// Ledger entry `seq`, parsed.
pub fn entry_json(vault: &Path, seq: u64) -> serde_json::Value {
    serde_json::from_str(&read_entry(vault, seq)).unwrap()
}

/// Replace ledger entry `seq` with exactly `text`, as someone tampering with the vault would:
/// the write-once file is removed, then written anew, private like the files escrow writes (so
/// that only the tampering shows in `audit`).
pub fn write_entry(vault: &Path, seq: u64, text: &str) {
    let path = entry_path(vault, seq);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("{}: {e}", path.display()),
        _ => {}
    }
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Remove ledger entry `seq`.
pub fn remove_entry(vault: &Path, seq: u64) {
    std::fs::remove_file(entry_path(vault, seq)).unwrap();
}

/// Make the ledger exactly `texts`: entry `i` is `texts[i]`, and entries past them are removed.
pub fn write_entries(vault: &Path, texts: &[String]) {
    for f in entry_files(vault) {
        std::fs::remove_file(f).unwrap();
    }
    for (seq, text) in texts.iter().enumerate() {
        write_entry(vault, seq as u64, text);
    }
}

/// The ledger head: the SHA-256 of the last entry file's bytes ([`GENESIS`] when there is none).
pub fn ledger_head(vault: &Path) -> String {
    entry_files(vault).last().map_or_else(
        || GENESIS.to_owned(),
        |f| escrow::hash::sha256_hex(&std::fs::read(f).unwrap()),
    )
}

/// `text` (an entry) with its `prev` field set to `prev`, every other byte kept.
pub fn with_prev(text: &str, prev: &str) -> String {
    let old = serde_json::from_str::<serde_json::Value>(text).unwrap()["prev"]
        .as_str()
        .unwrap()
        .to_owned();
    let (from, to) = (
        format!("\"prev\":\"{old}\""),
        format!("\"prev\":\"{prev}\""),
    );
    assert!(text.contains(&from), "{text}");
    text.replacen(&from, &to, 1)
}

/// Forge ledger entry `seq`: `text` with its `prev` recomputed to chain to entry `seq - 1` as it
/// stands (to [`GENESIS`] for entry 0), written over entry `seq`. Returns the new ledger head
/// after it.
pub fn forge_entry(vault: &Path, seq: u64, text: &str) -> String {
    let prev = match seq.checked_sub(1) {
        Some(before) => escrow::hash::sha256_hex(read_entry(vault, before).as_bytes()),
        None => GENESIS.to_owned(),
    };
    let text = with_prev(text, &prev);
    write_entry(vault, seq, &text);
    escrow::hash::sha256_hex(text.as_bytes())
}

/// Recompute the chain from entry `from` to the last, as a forger who edited an entry would:
/// each entry's `prev` is set to the SHA-256 of the entry before it. Returns the new head.
pub fn rechain(vault: &Path, from: u64) -> String {
    let n = entry_files(vault).len() as u64;
    for seq in from..n {
        forge_entry(vault, seq, &read_entry(vault, seq));
    }
    ledger_head(vault)
}

fn p(path: &Path) -> &OsStr {
    path.as_os_str()
}

struct Vaulted {
    _tmp: tempfile::TempDir,
    vault: PathBuf,
    work: PathBuf,
}

fn new_vault() -> Vaulted {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("vault");
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    Vaulted {
        vault,
        work,
        _tmp: tmp,
    }
}

fn deposit(v: &Vaulted, dir: &Path, label: &str, extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![
        "deposit".as_ref(),
        p(dir),
        "-m".as_ref(),
        p(Box::leak(Box::new(chaoyang()))),
        "--label".as_ref(),
        label.as_ref(),
        "--vault".as_ref(),
        p(&v.vault),
    ];
    args.extend(extra.iter().map(|s| OsStr::new(*s)));
    escrow(args)
}

fn vault_cmd(v: &Vaulted, args: &[&str]) -> Run {
    let mut a: Vec<&OsStr> = args.iter().map(|s| OsStr::new(*s)).collect();
    a.push("--vault".as_ref());
    a.push(p(&v.vault));
    escrow(a)
}

fn audit(v: &Vaulted) -> (i32, serde_json::Value) {
    let run = vault_cmd(v, &["audit", "--format", "json"]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    (run.code, run.json())
}

fn problem_codes(audit: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = audit["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["level"].as_str().unwrap(),
                p["code"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn deposit_then_restore_is_byte_exact() {
    let v = new_vault();
    let d = v.work.join("d");
    odd_delivery(&d);
    let run = deposit(&v, &d, "v1", &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("created the escrow vault"),
        "{}",
        run.stderr
    );
    let id = run
        .stdout
        .lines()
        .last()
        .unwrap()
        .strip_prefix("snapshot ")
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 64);
    let out = v.work.join("restored");
    let run = vault_cmd(&v, &["restore", "v1", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("every file verified"), "{}", run.stdout);
    assert_eq!(snapshot_tree(&d), snapshot_tree(&out));
    // By id prefix too, and the restored tree checks the same.
    let out2 = v.work.join("restored2");
    let run = vault_cmd(&v, &["restore", &id[..8], out2.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(snapshot_tree(&d), snapshot_tree(&out2));
    let a = check_json(&d, &chaoyang()).json();
    let b = check_json(&out2, &chaoyang()).json();
    assert_eq!(a["delivery"]["digest"], b["delivery"]["digest"]);
}

#[test]
fn restore_refuses_a_non_empty_target_unless_forced() {
    let v = new_vault();
    assert_eq!(deposit(&v, &sample(), "v1", &["-q"]).code, 0);
    let out = v.work.join("out");
    write(&out, "keep.txt", "mine");
    write(&out, "docs", "a file where a folder must go");
    let run = vault_cmd(&v, &["restore", "v1", out.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not empty") && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "mine"
    );
    let run = vault_cmd(&v, &["restore", "v1", out.to_str().unwrap(), "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut restored = snapshot_tree(&out);
    restored.remove(b"keep.txt".as_slice());
    assert_eq!(restored, snapshot_tree(&sample()));
}

#[test]
fn second_deposit_of_the_same_tree_adds_almost_nothing() {
    let v = new_vault();
    let run = vault_cmd(&v, &["init"]);
    assert_eq!(run.code, 0);
    assert_eq!(deposit(&v, &sample(), "v1", &["-q"]).code, 0);
    let packs = std::fs::read_dir(v.vault.join("packs")).unwrap().count();
    let run = deposit(&v, &sample(), "v1-again", &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = run.json();
    assert_eq!(r["new_objects"], 0);
    assert_eq!(r["new_bytes"], 0);
    assert_eq!(r["reused_objects"], 61);
    assert_eq!(r["diff"]["unchanged"], 61);
    assert_eq!(
        std::fs::read_dir(v.vault.join("packs")).unwrap().count(),
        packs
    );
    // Identical contents inside one delivery are stored once.
    let d = v.work.join("d");
    copy_dir(&sample(), &d);
    write(&d, "a/x.java", "same");
    write(&d, "b/y.java", "same");
    let r = deposit(&v, &d, "v2", &["--format", "json"]).json();
    assert_eq!(r["new_objects"], 1);
}

#[test]
fn list_show_labels_and_prefixes() {
    let v = new_vault();
    let d = v.work.join("d");
    copy_dir(&sample(), &d);
    let id1 = deposit(&v, &d, "v2.3.0", &["-q"]).stdout.trim().to_owned();
    std::fs::remove_dir_all(d.join("jingtong")).unwrap();
    let run = deposit(&v, &d, "v2.3.1", &["-q"]);
    assert_eq!(run.code, 1, "a failing delivery is deposited and exits 1");
    let id2 = run.stdout.trim().to_owned();
    assert_ne!(id1, id2);

    let run = vault_cmd(&v, &["list"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[1].starts_with(&id1[..12])
            && lines[1].contains("v2.3.0")
            && lines[1].contains("pass")
    );
    assert!(
        lines[2].starts_with(&id2[..12])
            && lines[2].contains("v2.3.1")
            && lines[2].contains("fail")
    );
    // The snapshots are under "snapshots", beside schema_version and document.
    let list = vault_cmd(&v, &["list", "--format", "json"]).json()["snapshots"].take();
    assert_eq!(list[0]["snapshot"], id1.as_str());
    assert_eq!(list[1]["prev"].as_str().unwrap().len(), 64);

    let show = vault_cmd(&v, &["show", "v2.3.1", "--format", "json"]).json();
    assert_eq!(show["snapshot"], id2.as_str());
    assert_eq!(show["record"]["report"]["verdict"], "fail");
    assert_eq!(show["record"]["label"], "v2.3.1");
    assert!(
        show["record"]["manifest"]["text"]
            .as_str()
            .unwrap()
            .contains("朝医-2026-AC")
    );
    assert_eq!(show["record"]["tree"]["sm3"].as_str().unwrap().len(), 64);
    assert!(show["entries"].as_array().unwrap().is_empty());
    assert!(!show["record"]["listing"].as_array().unwrap().is_empty());
    let show = vault_cmd(&v, &["show", &id1[..10], "--format", "json", "--files"]).json();
    assert_eq!(show["record"]["label"], "v2.3.0");
    assert!(show["entries"].as_array().unwrap().len() > 61);
    let human = vault_cmd(&v, &["show", "v2.3.1"]);
    assert!(
        human.stdout.contains("tree sm3") && human.stdout.contains("module-missing"),
        "{}",
        human.stdout
    );

    for bad in ["v9", "abc", "zzzz"] {
        let run = vault_cmd(&v, &["show", bad]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("no snapshot matches"), "{}", run.stderr);
    }
    let run = deposit(&v, &d, "v2.3.0", &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("already used"), "{}", run.stderr);
    let run = vault_cmd(&v, &["list"]);
    assert_eq!(
        run.stdout.lines().count(),
        3,
        "a refused deposit records nothing"
    );
}

#[test]
fn missing_vault_is_a_clear_error() {
    let v = new_vault();
    for cmd in [vec!["list"], vec!["audit"], vec!["show", "v1"]] {
        let run = vault_cmd(&v, &cmd);
        assert_eq!(run.code, 2, "{cmd:?}");
        assert!(run.stderr.contains("not an escrow vault"), "{}", run.stderr);
    }
    assert!(!v.vault.exists(), "reading commands never create a vault");
}

#[test]
fn deposit_compares_with_the_previous_snapshot() {
    let v = new_vault();
    let d = v.work.join("d");
    copy_dir(&sample(), &d);
    assert_eq!(deposit(&v, &d, "v1", &["-q"]).code, 0);
    // An update: one Java file changed, one removed, one added, without a change note.
    write(
        &d,
        "jingtong/src/main/java/com/sxyl/jingtong/JingtongApplication.java",
        "class Changed {}\n",
    );
    std::fs::remove_file(d.join("internet-hospital/src/main/java/com/sxyl/ih/entity/Patient.java"))
        .unwrap();
    write(&d, "health-cloud-booking/src/New.java", "class New {}\n");
    let run = deposit(&v, &d, "v2", &["--format", "json"]);
    assert_eq!(run.code, 0, "warnings do not fail: {}", run.stderr);
    let r = run.json();
    let report = &r["report"];
    assert_eq!(
        codes(report),
        ["change-note-missing", "file-removed", "module-regressed"]
    );
    let regressed = with_code(report, "module-regressed")[0];
    assert_eq!(regressed["requirement"], "internet-hospital");
    assert_eq!(regressed["severity"], "warn");
    let removed = with_code(report, "file-removed")[0];
    assert_eq!(
        removed["path"],
        "internet-hospital/src/main/java/com/sxyl/ih/entity/Patient.java"
    );
    assert_eq!(removed["severity"], "info");
    assert_eq!(r["diff"]["added"], 1);
    assert_eq!(r["diff"]["removed"], 1);
    assert_eq!(r["diff"]["modified"], 1);

    // The diff, grouped by module.
    let diff = vault_cmd(&v, &["diff", "v1", "v2", "--format", "json"]).json();
    let module = |id: &str| {
        diff["modules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(module("jingtong")["modified"], 1);
    assert_eq!(module("jingtong")["changes"][0]["change"], "modified");
    assert_eq!(module("internet-hospital")["removed"], 1);
    assert_eq!(module("internet-hospital")["source_before"], 19);
    assert_eq!(module("internet-hospital")["source_after"], 18);
    assert_eq!(module("health-cloud-booking")["added"], 1);
    assert_eq!(module("self-service")["added"], 0);
    let human = vault_cmd(&v, &["diff", "v1", "v2"]);
    assert!(
        human.stdout.contains("京通 [jingtong]: +0 -0 ~1"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("  - internet-hospital/src/main/java/com/sxyl/ih/entity/Patient.java")
    );

    // With a change note, and a module that lost everything.
    std::fs::remove_dir_all(d.join("self-service")).unwrap();
    let note = v.work.join("修改说明.md");
    std::fs::write(&note, "删除自助服务模块\n").unwrap();
    let run = deposit(
        &v,
        &d,
        "v3",
        &["--format", "json", "--note", note.to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "module-missing is deny");
    let report = &run.json()["report"];
    let c = codes(report);
    assert!(!c.contains(&"change-note-missing".to_owned()), "{c:?}");
    assert!(c.contains(&"module-missing".to_owned()));
    assert!(
        with_code(report, "module-regressed")
            .iter()
            .any(|f| f["requirement"] == "self-service")
    );
    let show = vault_cmd(&v, &["show", "v3", "--format", "json"]).json();
    assert_eq!(show["record"]["note"]["text"], "删除自助服务模块\n");
}

#[test]
fn audit_passes_on_a_sound_vault() {
    let v = new_vault();
    let d = v.work.join("d");
    odd_delivery(&d);
    deposit(&v, &d, "v1", &["-q"]);
    write(&d, "jingtong/extra.java", "class Extra {}\n");
    deposit(&v, &d, "v2", &["-q"]);
    let (code, a) = audit(&v);
    assert_eq!(code, 0, "{a}");
    assert!(a["problems"].as_array().unwrap().is_empty(), "{a}");
    assert_eq!(a["snapshots"], 2);
    assert_eq!(a["ledger_entries"], 2);
    let human = vault_cmd(&v, &["audit"]);
    assert!(
        human.stdout.contains("OK: every object"),
        "{}",
        human.stdout
    );
}

/// A vault with two deposits, for the corruption tests.
fn two_deposits() -> Vaulted {
    let v = new_vault();
    let d = v.work.join("d");
    copy_dir(&sample(), &d);
    deposit(&v, &d, "v1", &["-q"]);
    write(&d, "jingtong/extra.java", "class Extra {}\n");
    deposit(&v, &d, "v2", &["-q"]);
    v
}

fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    v.sort();
    v
}

fn biggest_pack(v: &Vaulted) -> PathBuf {
    files_in(&v.vault.join("packs"), ".pack")
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap()
}

/// Where the objects of `pack` are, from its index: (offset, compressed length) each.
fn objects_in(pack: &Path) -> Vec<(usize, usize)> {
    std::fs::read_to_string(pack.with_extension("idx"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<usize> = l.split(' ').skip(1).map(|n| n.parse().unwrap()).collect();
            (f[0], f[1])
        })
        .collect()
}

#[test]
fn audit_names_a_missing_pack() {
    let v = two_deposits();
    std::fs::remove_file(biggest_pack(&v)).unwrap();
    let (code, a) = audit(&v);
    assert_eq!(code, 1);
    assert_eq!(
        problem_codes(&a),
        ["error object-missing", "error pack-missing"]
    );
    let run = vault_cmd(&v, &["audit"]);
    assert!(
        run.stdout
            .contains("→ restore this file from a backup copy"),
        "{}",
        run.stdout
    );
    // In Chinese, each problem says what it means and what to do from the code registry, with
    // the English detail kept as evidence.
    let run = vault_cmd(&v, &["audit", "--lang", "zh"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let missing = escrow::codes::lookup("pack-missing").unwrap();
    assert!(
        run.stdout.contains(missing.meaning_zh) && run.stdout.contains(missing.ask_zh),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("  详情："), "{}", run.stdout);
    let out = v.work.join("r");
    let run = vault_cmd(&v, &["restore", "v1", out.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("missing from the vault"),
        "{}",
        run.stderr
    );
}

#[test]
fn audit_names_a_flipped_byte() {
    let v = two_deposits();
    let pack = biggest_pack(&v);
    let mut bytes = std::fs::read(&pack).unwrap();
    // In the middle of the pack's largest object (the pack ends with its trailer).
    let (offset, clen) = objects_in(&pack)
        .into_iter()
        .max_by_key(|&(_, clen)| clen)
        .unwrap();
    bytes[offset + clen / 2] ^= 0x55;
    std::fs::write(&pack, bytes).unwrap();
    let (code, a) = audit(&v);
    assert_eq!(code, 1);
    assert_eq!(
        problem_codes(&a),
        [
            "error object-corrupted",
            "error pack-corrupted",
            "error snapshot-damaged"
        ]
    );
    let out = v.work.join("r");
    let run = vault_cmd(&v, &["restore", "v1", out.to_str().unwrap()]);
    assert_eq!(run.code, 2, "restore verifies every byte");
}

#[test]
fn audit_names_an_edited_snapshot_record() {
    let v = two_deposits();
    let rec = files_in(&v.vault.join("snapshots"), ".json.zst").remove(0);
    let json = zstd::stream::decode_all(&std::fs::read(&rec).unwrap()[..]).unwrap();
    let edited = String::from_utf8(json)
        .unwrap()
        .replacen("\"pass\"", "\"fail\"", 1);
    std::fs::write(
        &rec,
        zstd::stream::encode_all(edited.as_bytes(), 3).unwrap(),
    )
    .unwrap();
    let (code, a) = audit(&v);
    assert_eq!(code, 1);
    assert_eq!(problem_codes(&a), ["error snapshot-edited"]);
    let run = vault_cmd(&v, &["show", "v1"]);
    let run2 = vault_cmd(&v, &["show", "v2"]);
    assert!(
        run.code == 2 || run2.code == 2,
        "an edited record is refused"
    );
}

/// A forger who edits the report stored with a snapshot and recomputes every hash (the record's
/// id, its SM3, the ledger chain) passes the vault's own hash checks; `audit` still reads every
/// stored report back and names the one that is no report, and `show` refuses it naming the
/// record file.
#[test]
fn audit_names_a_forged_report_with_a_recomputed_chain() {
    let v = two_deposits();
    // The last snapshot: no later record names it (a record stores the ledger head before it).
    let last: serde_json::Value = entry_json(&v.vault, 1);
    let old_id = last["snapshot"].as_str().unwrap().to_owned();
    let old_sm3 = last["snapshot_sm3"].as_str().unwrap().to_owned();
    let rec = v.vault.join("snapshots").join(format!("{old_id}.json.zst"));
    let json =
        String::from_utf8(zstd::stream::decode_all(&std::fs::read(&rec).unwrap()[..]).unwrap())
            .unwrap();
    assert!(json.contains("\"totals\":{"), "{json}");
    let forged = json.replacen("\"totals\":{", "\"totals\":{\"forged\":1,", 1);
    let new_id = escrow::hash::sha256_hex(forged.as_bytes());
    let new_sm3 = escrow::hash::sm3_hex(forged.as_bytes());
    std::fs::remove_file(&rec).unwrap();
    let forged_rec = v.vault.join("snapshots").join(format!("{new_id}.json.zst"));
    std::fs::write(
        &forged_rec,
        zstd::stream::encode_all(forged.as_bytes(), 3).unwrap(),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&forged_rec, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // The ledger: the forged id and SM3 in every entry that names them, then every `prev`
    // recomputed down the chain.
    for (seq, text) in entries(&v.vault).iter().enumerate() {
        let edited = text.replace(&old_id, &new_id).replace(&old_sm3, &new_sm3);
        if edited != *text {
            write_entry(&v.vault, seq as u64, &edited);
        }
    }
    assert!(read_entry(&v.vault, 1).contains(&new_id));
    rechain(&v.vault, 0);
    let (code, a) = audit(&v);
    assert_eq!(code, 1, "{a}");
    assert_eq!(problem_codes(&a), ["error report-unreadable"], "{a}");
    let run = vault_cmd(&v, &["show", "v2"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains(&new_id), "{}", run.stderr);
}

#[test]
#[allow(clippy::too_many_lines)] // one case after another, each on a fresh vault
fn audit_names_ledger_damage() {
    // The last entry removed: the entries left still chain, so only the ledger head printed by
    // the last deposit shows it (`--head`); without it, the record the ledger no longer names
    // is the only trace, as if the deposit had been interrupted.
    let v = two_deposits();
    let head = ledger_head(&v.vault);
    let (_, a) = audit(&v);
    assert_eq!(a["ledger_head"], head.as_str());
    remove_entry(&v.vault, 1);
    let (code, a) = audit(&v);
    assert_eq!(code, 0, "{a}");
    assert_eq!(problem_codes(&a), ["note snapshot-unrecorded"], "{a}");
    let run = vault_cmd(&v, &["audit", "--format", "json", "--head", &head]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        problem_codes(&run.json()).contains(&"error ledger-truncated".to_owned()),
        "{}",
        run.stdout
    );

    // The last entry cut in the middle (damage: escrow creates each entry whole).
    let v = two_deposits();
    let last = entry_path(&v.vault, 1);
    let bytes = std::fs::read(&last).unwrap();
    std::fs::write(&last, &bytes[..bytes.len() - 20]).unwrap();
    let (code, a) = audit(&v);
    assert_eq!(code, 1);
    assert!(
        problem_codes(&a).contains(&"error ledger-broken".to_owned()),
        "{a}"
    );
    assert!(a.to_string().contains("does not parse"), "{a}");

    // The first entry removed: a gap in the numbers.
    let v = two_deposits();
    remove_entry(&v.vault, 0);
    let (code, a) = audit(&v);
    assert_eq!(code, 1);
    assert!(
        problem_codes(&a).contains(&"error ledger-broken".to_owned()),
        "{a}"
    );
    assert!(a.to_string().contains("entry 0 is missing"), "{a}");

    // The first entry removed and the second renumbered in its place: the chain breaks.
    let v = two_deposits();
    let second = read_entry(&v.vault, 1);
    remove_entry(&v.vault, 1);
    write_entry(&v.vault, 0, &second);
    let (code, a) = audit(&v);
    assert_eq!(code, 1);
    assert!(
        problem_codes(&a).contains(&"error ledger-broken".to_owned()),
        "{a}"
    );

    // Both entries removed: two records the ledger does not know.
    let v = two_deposits();
    write_entries(&v.vault, &[]);
    assert!(entry_files(&v.vault).is_empty());
    let (code, a) = audit(&v);
    assert_eq!(code, 1);
    assert!(
        problem_codes(&a).contains(&"error ledger-truncated".to_owned()),
        "{a}"
    );

    // An edited entry (the label) breaks the chain from the next entry on.
    let v = two_deposits();
    let first = read_entry(&v.vault, 0);
    assert!(first.contains("\"label\":\"v1\""), "{first}");
    write_entry(
        &v.vault,
        0,
        &first.replacen("\"label\":\"v1\"", "\"label\":\"v0\"", 1),
    );
    let (code, a) = audit(&v);
    assert_eq!(code, 1);
    assert!(
        problem_codes(&a).contains(&"error ledger-broken".to_owned()),
        "{a}"
    );
}

#[test]
fn audit_reports_every_problem_at_once() {
    let v = two_deposits();
    // A missing record, a flipped byte in a pack, and a cut ledger, together.
    let packs = files_in(&v.vault.join("packs"), ".pack");
    let small = packs
        .iter()
        .min_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    // The pack's first byte is the first object's (its trailer is at the end).
    let mut bytes = std::fs::read(small).unwrap();
    bytes[0] ^= 1;
    std::fs::write(small, bytes).unwrap();
    let first_id = entry_json(&v.vault, 0)["snapshot"]
        .as_str()
        .unwrap()
        .to_owned();
    std::fs::remove_file(v.vault.join(format!("snapshots/{first_id}.json.zst"))).unwrap();
    // The ledger cut (its last entry removed), caught with the head the last deposit printed.
    let head = ledger_head(&v.vault);
    remove_entry(&v.vault, 1);
    let run = vault_cmd(&v, &["audit", "--format", "json", "--head", &head]);
    let (code, a) = (run.code, run.json());
    assert_eq!(code, 1);
    let c = problem_codes(&a);
    for want in [
        "error pack-corrupted",
        "error object-corrupted",
        "error snapshot-missing",
        "error ledger-truncated",
    ] {
        assert!(c.contains(&want.to_owned()), "{want} missing from {c:?}");
    }
    for p in a["problems"].as_array().unwrap() {
        assert!(!p["advice"].as_str().unwrap().is_empty());
    }
}

/// Without a lock, concurrent writers never wait: each deposit takes the next free ledger
/// number (the loser of a race for one reads the winner's entry and takes the one after), so
/// every deposit is recorded, each under its own number, in one sound chain.
#[test]
fn concurrent_deposits_are_serialized() {
    const N: usize = 4;
    let v = new_vault();
    assert_eq!(vault_cmd(&v, &["init"]).code, 0);
    let children: Vec<_> = (0..N)
        .map(|i| {
            let mut cmd = escrow_command();
            cmd.args([
                "deposit".as_ref(),
                sample().as_os_str(),
                "-m".as_ref(),
                chaoyang().as_os_str(),
                "--label".as_ref(),
                OsStr::new(&format!("c{i}")),
                "--vault".as_ref(),
                v.vault.as_os_str(),
                "--format".as_ref(),
                "json".as_ref(),
            ]);
            std::thread::spawn(move || run(cmd))
        })
        .collect();
    let mut seqs = Vec::new();
    let mut ids = Vec::new();
    for c in children {
        let r = c.join().unwrap();
        assert_eq!(r.code, 0, "{}", r.stderr);
        let j = r.json();
        seqs.push(j["seq"].as_u64().unwrap());
        ids.push(j["snapshot"].as_str().unwrap().to_owned());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (0..N as u64).collect::<Vec<_>>(), "distinct seqs");
    assert_eq!(entry_files(&v.vault).len(), N);
    let list = vault_cmd(&v, &["list", "--format", "json"]).json()["snapshots"].take();
    let listed: std::collections::BTreeSet<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["snapshot"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), N);
    for id in &ids {
        assert!(listed.contains(id.as_str()), "{id} not listed: {list}");
    }
    // Audit passes. A writer that lost a race had already stored its snapshot record, made for
    // the number it lost; that record stays, named in a note.
    let (code, a) = audit(&v);
    assert_eq!(code, 0, "{a}");
    for p in a["problems"].as_array().unwrap() {
        assert_eq!(
            (&p["level"], &p["code"]),
            (&"note".into(), &"snapshot-unrecorded".into()),
            "{a}"
        );
    }
    assert_eq!(a["ledger_entries"], N);
    assert_eq!(ledger_head(&v.vault), a["ledger_head"].as_str().unwrap());
}

/// Pseudo-random numbers for the crash test (deterministic: a failure can be replayed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Write `n` files of about 16 KiB, each unique to `round`.
fn busy_tree(root: &Path, n: usize, round: u64, rng: &mut Lcg) {
    for i in 0..n {
        let dir = root.join(format!("m{}/src/pkg{}", i % 4, i % 37));
        std::fs::create_dir_all(&dir).unwrap();
        let mut body = format!("// round {round} file {i}\nclass C{i} {{\n");
        while body.len() < 16 * 1024 {
            body.push_str(&format!(
                "    int f{} = {};\n",
                rng.next() % 1000,
                rng.next()
            ));
        }
        body.push_str("}\n");
        std::fs::write(dir.join(format!("C{i}.java")), body).unwrap();
    }
}

#[test]
fn kill_9_at_any_moment_leaves_a_sound_vault() {
    let v = new_vault();
    let d = v.work.join("d");
    copy_dir(&sample(), &d);
    let mut rng = Lcg(0x5eed);
    let mut committed = 0usize;
    // The kill points are tuned to a deposit's duration: the scan (tested elsewhere) is off,
    // and every fourth deposit runs to its end to measure it (the tree grows each round and
    // this machine may be busy); the others are killed anywhere up to twice that long.
    let m = v.work.join("no-scan.toml");
    let text = std::fs::read_to_string(chaoyang()).unwrap();
    std::fs::write(&m, format!("{text}\n[scan]\nenabled = false\n")).unwrap();
    let mut window_ms = 900u64;
    for round in 0..16u64 {
        busy_tree(&d, 400, round, &mut rng);
        let mut cmd = escrow_command();
        cmd.args([
            "deposit".as_ref(),
            d.as_os_str(),
            "-m".as_ref(),
            m.as_os_str(),
            "--label".as_ref(),
            OsStr::new(&format!("r{round}")),
            "--vault".as_ref(),
            v.vault.as_os_str(),
            "-q".as_ref(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
        let started = std::time::Instant::now();
        let mut child = cmd.spawn().unwrap();
        let measured = round % 4 == 0;
        if !measured {
            std::thread::sleep(std::time::Duration::from_millis(rng.next() % window_ms));
            let _ = child.kill(); // SIGKILL
        }
        let status = child.wait().unwrap();
        if measured {
            window_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(900) * 2 + 1;
        }
        if status.success() {
            committed += 1;
        }
        // Either as before or with the complete new snapshot, and audit passes either way.
        let (code, a) = audit(&v);
        assert_eq!(code, 0, "round {round}: {a}");
        for p in a["problems"].as_array().unwrap() {
            assert_eq!(p["level"], "note", "round {round}: {p}");
        }
        let listed = vault_cmd(&v, &["list", "--format", "json"]).json()["snapshots"].take();
        let labels: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["label"].as_str().unwrap())
            .collect();
        assert!(labels.len() >= committed, "round {round}: {labels:?}");
        // The newest listed snapshot restores completely.
        if let Some(last) = labels.last() {
            let out = v.work.join(format!("out{round}"));
            let run = vault_cmd(&v, &["restore", last, out.to_str().unwrap(), "-q"]);
            assert_eq!(run.code, 0, "round {round}: {}", run.stderr);
            std::fs::remove_dir_all(&out).unwrap();
        }
    }
    // Interrupted deposits happened, and finished ones too.
    let listed = vault_cmd(&v, &["list", "--format", "json"]).json()["snapshots"].take();
    let n = listed.as_array().unwrap().len();
    assert!(
        n > 4 && n < 16,
        "{n} of 16 deposits finished (the 4 measured ones always): the kill points did not vary"
    );
}

#[test]
fn a_vault_inside_the_delivery_is_refused() {
    let v = new_vault();
    let d = v.work.join("d");
    copy_dir(&sample(), &d);
    let run = escrow([
        "deposit".as_ref(),
        d.as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
        "--label".as_ref(),
        "v1".as_ref(),
        "--vault".as_ref(),
        d.join("escrow-vault").as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("the vault is inside the delivery"),
        "{}",
        run.stderr
    );
    // Nothing deposited.
    assert!(entry_files(&d.join("escrow-vault")).is_empty());
    assert!(
        !std::fs::read_dir(d.join("escrow-vault/snapshots")).is_ok_and(|mut r| r.next().is_some())
    );
}

#[test]
fn an_interrupted_deposit_superseded_by_a_later_one_is_only_a_note() {
    // Simulate a deposit killed between writing its record and its ledger entry: take a vault
    // with one deposit, keep the ledger as it was before a second deposit, then let a third
    // deposit go through. The second record is left over, chained to a valid ledger point.
    let v = new_vault();
    let d = v.work.join("d");
    copy_dir(&sample(), &d);
    deposit(&v, &d, "v1", &["-q"]);
    let before = entries(&v.vault);
    write(&d, "jingtong/a.java", "class A {}\n");
    deposit(&v, &d, "v2", &["-q"]);
    remove_entry(&v.vault, 1); // v2's ledger entry never made it
    assert_eq!(entries(&v.vault), before);
    let (code, a) = audit(&v);
    assert_eq!(code, 0, "{a}");
    assert_eq!(problem_codes(&a), ["note snapshot-unrecorded"]);
    write(&d, "jingtong/b.java", "class B {}\n");
    assert_eq!(deposit(&v, &d, "v3", &["-q"]).code, 0);
    assert_eq!(
        entry_json(&v.vault, 1)["label"],
        "v3",
        "v3 took the free number"
    );
    let (code, a) = audit(&v);
    assert_eq!(code, 0, "{a}");
    assert_eq!(problem_codes(&a), ["note snapshot-unrecorded"]);
    let labels: Vec<String> = vault_cmd(&v, &["list", "--format", "json"]).json()["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(labels, ["v1", "v3"]);
}

/// Replace the last snapshot's file list with `entries` (stored as a new piece in a new pack,
/// with its trailer), re-hash the record and rewrite its ledger entry (the last: no later entry
/// chains to it): a forged vault whose hashes all hold, to check that restore defends itself
/// anyway.
fn forge_listing(v: &Vaulted, entries: &serde_json::Value, contents: &[&[u8]]) {
    use sha2::Digest;
    let hex = escrow::hash::hex;
    let private = |path: &Path, bytes: &[u8]| {
        std::fs::write(path, bytes).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    };
    let packs = v.vault.join("packs");
    let mut pack = Vec::new();
    let mut idx = String::from("escrow-pack-index 1\n");
    let piece = serde_json::to_vec(entries).unwrap();
    let mut objects: Vec<&[u8]> = contents.to_vec();
    objects.push(&piece);
    for o in &objects {
        let z = zstd::stream::encode_all(*o, 1).unwrap();
        idx.push_str(&format!(
            "{} {} {} {}\n",
            hex(&sha2::Sha256::digest(o)),
            pack.len(),
            z.len(),
            o.len()
        ));
        pack.extend_from_slice(&z);
    }
    // The trailer: a zstd skippable frame holding the index text, its total length, "EIDX".
    let total = u32::try_from(4 + 4 + idx.len() + 8).unwrap();
    pack.extend_from_slice(&0x184D_2A5E_u32.to_le_bytes());
    pack.extend_from_slice(&(total - 8).to_le_bytes());
    pack.extend_from_slice(idx.as_bytes());
    pack.extend_from_slice(&total.to_le_bytes());
    pack.extend_from_slice(b"EIDX");
    let pid = hex(&sha2::Sha256::digest(&pack));
    private(&packs.join(format!("{pid}.pack")), &pack);
    private(&packs.join(format!("{pid}.idx")), idx.as_bytes());
    let seq = entry_files(&v.vault).len() as u64 - 1;
    let last = entry_json(&v.vault, seq);
    let old_id = last["snapshot"].as_str().unwrap().to_owned();
    let old_sm3 = last["snapshot_sm3"].as_str().unwrap().to_owned();
    let rec_path = v.vault.join(format!("snapshots/{old_id}.json.zst"));
    let mut rec: serde_json::Value = serde_json::from_slice(
        &zstd::stream::decode_all(&std::fs::read(&rec_path).unwrap()[..]).unwrap(),
    )
    .unwrap();
    rec["listing"] = serde_json::json!([{ "sha256": hex(&sha2::Sha256::digest(&piece)), "entries": entries.as_array().unwrap().len() }]);
    let json = serde_json::to_vec(&rec).unwrap();
    let id = hex(&sha2::Sha256::digest(&json));
    private(
        &v.vault.join(format!("snapshots/{id}.json.zst")),
        &zstd::stream::encode_all(&json[..], 1).unwrap(),
    );
    std::fs::remove_file(rec_path).unwrap();
    let text = read_entry(&v.vault, seq)
        .replace(&old_id, &id)
        .replace(&old_sm3, &escrow::hash::sm3_hex(&json));
    write_entry(&v.vault, seq, &text);
}

#[test]
fn restore_refuses_forged_listings_and_never_writes_through_links() {
    use sha2::Digest;
    let hex = escrow::hash::hex;
    let payload: &[u8] = b"pwned";
    let sha = hex(&sha2::Sha256::digest(payload));
    let file = |path: &str| serde_json::json!({"path": path, "kind": "file", "mode": 0o100_644, "size": 5, "sha256": sha});
    let dir =
        |path: &str| serde_json::json!({"path": path, "kind": "dir", "mode": 0o40_777, "size": 0});
    let link = |path: &str, t: &str| serde_json::json!({"path": path, "kind": "symlink", "mode": 0o120_777, "size": 1, "target": t});
    let cases = [
        (
            "a parent that is not a folder entry",
            serde_json::json!([file("sub/x")]),
        ),
        (
            "a duplicate path",
            serde_json::json!([dir("a"), link("a", "/tmp")]),
        ),
        ("a climbing path", serde_json::json!([file("../x")])),
        ("an absolute path", serde_json::json!([file("/tmp/x")])),
    ];
    for (what, entries) in cases {
        let v = new_vault();
        deposit(&v, &sample(), "v1", &["-q"]);
        forge_listing(&v, &entries, &[payload]);
        let outside = v.work.join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("x"), "mine").unwrap();
        let target = v.work.join("target");
        std::fs::create_dir(&target).unwrap();
        std::os::unix::fs::symlink(&outside, target.join("sub")).unwrap();
        let run = vault_cmd(&v, &["restore", "v1", target.to_str().unwrap(), "--force"]);
        assert_eq!(run.code, 2, "{what}: {}", run.stderr);
        assert!(
            run.stderr.contains("nothing was restored"),
            "{what}: {}",
            run.stderr
        );
        assert_eq!(
            std::fs::read_to_string(outside.join("x")).unwrap(),
            "mine",
            "{what}"
        );
    }
}

#[test]
fn a_lost_pack_is_stored_again_by_the_next_deposit() {
    let v = new_vault();
    deposit(&v, &sample(), "v1", &["-q"]);
    let lost = biggest_pack(&v);
    let lost_objects = std::fs::read_to_string(lost.with_extension("idx"))
        .unwrap()
        .lines()
        .count()
        - 1;
    std::fs::remove_file(&lost).unwrap();
    let r = deposit(&v, &sample(), "v1-again", &["--format", "json"]).json();
    assert!(
        r["new_objects"].as_u64().unwrap() >= lost_objects as u64,
        "the contents are stored again: {}",
        r["new_objects"]
    );
    let out = v.work.join("out");
    let run = vault_cmd(&v, &["restore", "v1-again", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(snapshot_tree(&out), snapshot_tree(&sample()));
}

/// A pack's index is a convenience: the pack's trailer lists its objects too, so a lost index
/// is only a note, everything reads, and `audit --repair-index` writes the same index again.
#[test]
fn a_lost_index_is_read_from_the_pack_and_repaired() {
    let v = two_deposits();
    let pack = biggest_pack(&v);
    let idx = pack.with_extension("idx");
    let text = std::fs::read(&idx).unwrap();
    // The pack ends with its trailer, which holds the index text.
    let bytes = std::fs::read(&pack).unwrap();
    assert!(bytes.ends_with(b"EIDX"));
    assert!(bytes.windows(text.len()).any(|w| w == text.as_slice()));
    std::fs::remove_file(&idx).unwrap();
    let (code, a) = audit(&v);
    assert_eq!(code, 0, "{a}");
    assert_eq!(problem_codes(&a), ["note pack-unindexed"], "{a}");
    let out = v.work.join("out");
    let run = vault_cmd(&v, &["restore", "v2", out.to_str().unwrap(), "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = vault_cmd(&v, &["audit", "--repair-index", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(std::fs::read(&idx).unwrap(), text, "the same index again");
    let (code, a) = audit(&v);
    assert_eq!(code, 0, "{a}");
    assert!(problem_codes(&a).is_empty(), "{a}");
}

#[test]
fn a_damaged_index_is_reported_not_a_crash() {
    let v = two_deposits();
    let idx = files_in(&v.vault.join("packs"), ".idx").remove(0);
    let text = std::fs::read_to_string(&idx).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let f: Vec<&str> = lines[1].split(' ').collect();
    lines[1] = format!("{} {} 99999999999999 {}", f[0], f[1], f[3]);
    std::fs::write(&idx, lines.join("\n") + "\n").unwrap();
    let (code, a) = audit(&v);
    assert_eq!(code, 1, "{a}");
    assert!(
        problem_codes(&a).iter().any(|c| c.starts_with("error ")),
        "{a}"
    );
}

#[test]
fn an_edited_last_ledger_entry_and_a_cut_head_are_caught() {
    // The last entry's verdict edited: no entry chains to it, but its record disagrees.
    let v = two_deposits();
    let last = read_entry(&v.vault, 1);
    assert!(last.contains("\"verdict\":\"pass\""), "{last}");
    write_entry(
        &v.vault,
        1,
        &last.replacen("\"verdict\":\"pass\"", "\"verdict\":\"fail\"", 1),
    );
    let (code, a) = audit(&v);
    assert_eq!(code, 1);
    assert!(
        problem_codes(&a).contains(&"error snapshot-edited".to_owned()),
        "{a}"
    );

    // With the head a deposit printed, removing the last entry is an error.
    let v = two_deposits();
    let (_, a) = audit(&v);
    let head = a["ledger_head"].as_str().unwrap().to_owned();
    assert_eq!(head, ledger_head(&v.vault));
    remove_entry(&v.vault, 1);
    let run = vault_cmd(&v, &["audit", "--head", &head]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("ledger-truncated"), "{}", run.stdout);
}

#[test]
fn a_half_made_vault_folder_is_finished_by_the_next_deposit() {
    let v = new_vault();
    for d in ["packs", "snapshots", "ledger", "tmp"] {
        std::fs::create_dir_all(v.vault.join(d)).unwrap();
    }
    let run = deposit(&v, &sample(), "v1", &["-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1).map(|euid| euid == "0"))
        .unwrap_or(false)
}

/// `escrow ARGS` under `umask 000`, so that only the modes escrow asks for count.
fn escrow_umask_0(args: &[&OsStr]) -> Run {
    let probe = escrow_command();
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("umask 000 && exec \"$@\"")
        .arg("sh")
        .arg(probe.get_program())
        .args(args);
    for (k, val) in probe.get_envs() {
        match val {
            Some(val) => cmd.env(k, val),
            None => cmd.env_remove(k),
        };
    }
    run(cmd)
}

/// Can user `nobody` read `file`? (root only: `setpriv` to nobody, then `cat`.)
fn nobody_can_read(file: &Path) -> bool {
    as_nobody("cat", file)
}

/// Can user `nobody` list the folder `dir`? (root only, as [`nobody_can_read`].)
fn nobody_can_list(dir: &Path) -> bool {
    as_nobody("ls", dir)
}

/// Does `program path` succeed as user `nobody`?
fn as_nobody(program: &str, path: &Path) -> bool {
    std::process::Command::new("setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            program,
        ])
        .arg(path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run setpriv")
        .success()
}

#[test]
#[allow(clippy::too_many_lines)] // one scenario: every file and folder the vault writes
fn the_vault_is_private_to_its_user() {
    let v = new_vault();
    // Let anyone reach the vault folder, so that only the vault's own modes protect it.
    let base = v.vault.parent().unwrap();
    std::fs::set_permissions(base, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = escrow_umask_0(&["init".as_ref(), "--vault".as_ref(), p(&v.vault)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let m = chaoyang();
    let run = escrow_umask_0(&[
        "deposit".as_ref(),
        p(&sample()),
        "-m".as_ref(),
        p(&m),
        "--label".as_ref(),
        "v1".as_ref(),
        "--vault".as_ref(),
        p(&v.vault),
        "-q".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = escrow_umask_0(&[
        "golive".as_ref(),
        "X".as_ref(),
        "--vault".as_ref(),
        p(&v.vault),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut seen = 0;
    for e in walkdir::WalkDir::new(&v.vault).follow_links(false) {
        let e = e.unwrap();
        let mode = e.path().symlink_metadata().unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "{} has mode {:o}: the vault must be private to its user",
            e.path().display(),
            mode & 0o7777
        );
        let want = if e.file_type().is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode & 0o7777, want, "{}", e.path().display());
        seen += 1;
    }
    assert!(seen > 8, "{seen}");
    // Among them, the ledger's folder and its entries (a deposit and a go-live).
    assert_eq!(mode_of(&v.vault.join("ledger")), 0o700);
    assert_eq!(entry_files(&v.vault).len(), 2);
    let (code, a) = audit(&v);
    assert_eq!(code, 0, "{a}");
    assert!(problem_codes(&a).is_empty(), "{a}");

    if is_root() {
        // A control file beside the vault: nobody can read it, so the test is meaningful.
        let control = base.join("control");
        std::fs::write(&control, "open\n").unwrap();
        std::fs::set_permissions(&control, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(nobody_can_read(&control), "the test set-up is wrong");
        assert!(nobody_can_list(base), "the test set-up is wrong");
        let mut files = vec![v.vault.join("VAULT")];
        files.extend(entry_files(&v.vault));
        files.extend(files_in(&v.vault.join("packs"), ".pack"));
        files.extend(files_in(&v.vault.join("snapshots"), ".zst"));
        assert!(files.len() >= 5, "{files:?}");
        for f in &files {
            assert!(f.is_file(), "{}", f.display());
            assert!(
                !nobody_can_read(f),
                "user nobody read {} from the vault",
                f.display()
            );
        }
        for d in ["ledger", "packs", "snapshots"] {
            assert!(
                !nobody_can_list(&v.vault.join(d)),
                "user nobody listed {d}/ in the vault"
            );
        }
    } else {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: reading the vault as user nobody needs root");
        }
    }

    // A vault made private by hand can be loosened by hand: audit warns, naming the fix.
    std::fs::set_permissions(
        entry_path(&v.vault, 0),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::set_permissions(
        v.vault.join("packs"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let (code, a) = audit(&v);
    assert_eq!(code, 0, "a warning, not damage: {a}");
    assert_eq!(problem_codes(&a), ["warn vault-permissions"], "{a}");
    let advice = a["problems"][0]["advice"].as_str().unwrap();
    assert!(
        advice.contains(&format!("chmod -R go-rwx {}", v.vault.display())),
        "{advice}"
    );
    assert!(
        a["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2 files or folders"),
        "{a}"
    );
    let run = vault_cmd(&v, &["audit"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("warn vault-permissions"),
        "{}",
        run.stdout
    );
    // The advice works.
    let chmod = std::process::Command::new("chmod")
        .args(["-R", "go-rwx"])
        .arg(&v.vault)
        .status()
        .unwrap();
    assert!(chmod.success());
    let (code, a) = audit(&v);
    assert_eq!((code, problem_codes(&a).len()), (0, 0), "{a}");

    // An empty folder given for the vault is made private.
    let given = base.join("given");
    std::fs::create_dir(&given).unwrap();
    std::fs::set_permissions(&given, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = escrow_umask_0(&["init".as_ref(), "--vault".as_ref(), p(&given)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(mode_of(&given), 0o700);
}

fn mode_of(path: &Path) -> u32 {
    path.symlink_metadata().unwrap().permissions().mode() & 0o7777
}

#[test]
fn restore_removes_setuid_setgid_and_sticky_bits_unless_asked() {
    let v = new_vault();
    let d = v.work.join("d");
    copy_dir(&sample(), &d);
    write(&d, "bin/tool", "#!/bin/sh\nid\n");
    std::fs::set_permissions(d.join("bin/tool"), std::fs::Permissions::from_mode(0o4755)).unwrap();
    write(&d, "bin/group-tool", "#!/bin/sh\nid\n");
    std::fs::set_permissions(
        d.join("bin/group-tool"),
        std::fs::Permissions::from_mode(0o2755),
    )
    .unwrap();
    std::fs::create_dir(d.join("shared")).unwrap();
    std::fs::set_permissions(d.join("shared"), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let run = deposit(&v, &d, "v1", &["-q"]);
    assert_ne!(run.code, 2, "{}", run.stderr);

    let out = v.work.join("out");
    let run = vault_cmd(&v, &["restore", "v1", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(mode_of(&out.join("bin/tool")), 0o755);
    assert_eq!(mode_of(&out.join("bin/group-tool")), 0o755);
    // A sticky world-writable folder does not come back world-writable without its bit.
    assert_eq!(mode_of(&out.join("shared")), 0o755);
    assert!(
        run.stdout
            .contains("3 files or folders were recorded with setuid, setgid or sticky bits")
            && run.stdout.contains("bin/tool (recorded 4755)")
            && run.stdout.contains("shared (recorded 1777)"),
        "{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read(out.join("bin/tool")).unwrap(),
        b"#!/bin/sh\nid\n"
    );

    // Asked for, they are kept.
    let kept = v.work.join("kept");
    let run = vault_cmd(
        &v,
        &[
            "restore",
            "v1",
            kept.to_str().unwrap(),
            "--keep-special-modes",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(mode_of(&kept.join("bin/tool")), 0o4755);
    assert_eq!(mode_of(&kept.join("shared")), 0o1777);
    assert!(
        run.stdout.contains("WARNING: restored with setuid")
            && run.stdout.contains("bin/tool (recorded 4755)"),
        "the operator is told which setuid files were made: {}",
        run.stdout
    );
}

#[test]
fn restore_removes_special_bits_from_a_forged_record() {
    use sha2::Digest;
    let hex = escrow::hash::hex;
    let payload: &[u8] = b"#!/bin/sh\nid\n";
    let sha = hex(&sha2::Sha256::digest(payload));
    let entries = serde_json::json!([
        {"path": "d", "kind": "dir", "mode": 0o46_777, "size": 0},
        {"path": "d/y", "kind": "file", "mode": 0o106_777, "size": payload.len(), "sha256": sha},
        {"path": "x", "kind": "file", "mode": 0o106_777, "size": payload.len(), "sha256": sha},
    ]);
    let v = new_vault();
    deposit(&v, &sample(), "v1", &["-q"]);
    forge_listing(&v, &entries, &[payload]);
    let out = v.work.join("out");
    let run = vault_cmd(&v, &["restore", "v1", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(mode_of(&out.join("x")), 0o755);
    assert_eq!(mode_of(&out.join("d/y")), 0o755);
    assert_eq!(mode_of(&out.join("d")), 0o755);
    assert!(
        run.stdout
            .contains("3 files or folders were recorded with setuid, setgid or sticky bits"),
        "{}",
        run.stdout
    );
}

#[test]
fn packs_are_never_read_through_links() {
    let v = new_vault();
    assert_eq!(deposit(&v, &sample(), "v1", &["-q"]).code, 0);
    // A pack replaced by a link to a file outside the vault (here: its own bytes).
    let pack = biggest_pack(&v);
    let outside = v.work.join("outside.pack");
    std::fs::copy(&pack, &outside).unwrap();
    std::fs::remove_file(&pack).unwrap();
    std::os::unix::fs::symlink(&outside, &pack).unwrap();
    let out = v.work.join("out");
    let run = vault_cmd(&v, &["restore", "v1", out.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let (code, a) = audit(&v);
    assert_eq!(code, 1, "{a}");
    assert!(
        problem_codes(&a).contains(&"error pack-corrupted".to_owned()),
        "{a}"
    );
}
