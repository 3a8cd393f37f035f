//! The inventory: every delivered byte counts, odd names are kept and shown readably.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::common::*;

const ALL: &str =
    "schema-version = 1\n[[module]]\nid = \"all\"\nname = \"all\"\npaths = [\"**\"]\n";

#[test]
fn gitignore_is_never_applied_and_hidden_files_count() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, ".gitignore", "/*\n");
    write(d, "src/.hidden/Secret.java", "class Secret {}\n");
    write(d, "src/App.java", "class App {}\n");
    write(d, "target/.gitignore", "*\n");
    write(d, "target/app.jar", "PK");
    write(d, "node_modules/x/index.js", "module.exports = 1;\n");
    write(d, ".ignore", "*\n");
    let mdir = tempfile::tempdir().unwrap();
    let r = check_json(d, &manifest(mdir.path(), ALL)).json();
    assert_eq!(r["delivery"]["files"], 7);
    assert_eq!(requirement(&r, "all")["matched_files"], 7);
    assert_eq!(requirement(&r, "all")["source_files"], 3);
    let sample: Vec<&str> = requirement(&r, "all")["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        sample,
        [
            ".gitignore",
            ".ignore",
            "node_modules/x/index.js",
            "src/.hidden/Secret.java",
            "src/App.java",
            "target/.gitignore",
            "target/app.jar"
        ]
    );
}

#[test]
fn non_utf8_and_newline_names_are_kept_and_readable() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // "病历.java" encoded in GBK, as an unpacked Windows zip leaves it.
    let (gbk, _, _) = encoding_rs::GB18030.encode("病历.java");
    std::fs::create_dir(d.join("src")).unwrap();
    std::fs::write(d.join("src").join(OsStr::from_bytes(&gbk)), "class A {}\n").unwrap();
    std::fs::write(d.join("src").join("two\nlines.java"), "class B {}\n").unwrap();
    // Bytes that are neither UTF-8 nor GBK.
    std::fs::write(
        d.join("src").join(OsStr::from_bytes(b"\xff\xfe.java")),
        "class C {}\n",
    )
    .unwrap();
    let mdir = tempfile::tempdir().unwrap();
    let r = check_json(d, &manifest(mdir.path(), ALL)).json();
    assert_eq!(r["delivery"]["files"], 3);
    assert_eq!(requirement(&r, "all")["source_files"], 3);
    let sample = &requirement(&r, "all")["sample"];
    assert_eq!(sample[0], "src/two\\nlines.java");
    assert_eq!(sample[1], "src/病历.java [GBK]");
    assert_eq!(sample[2], "src/\\xFF\\xFE.java");
}

#[test]
fn digest_is_stable_and_sees_every_change() {
    let tmp = copy_sample();
    let d = tmp.path();
    let digest = || {
        check_json(d, &chaoyang()).json()["delivery"]["digest"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let first = digest();
    assert_eq!(first, digest());
    assert_eq!(
        first,
        check_json(&sample(), &chaoyang()).json()["delivery"]["digest"]
    );
    write(d, "jingtong/.keep", "");
    let second = digest();
    assert_ne!(first, second);
    write(d, "jingtong/.keep", "x");
    assert_ne!(second, digest());
}

#[test]
fn unreadable_file_is_a_runtime_error_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = copy_sample();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let p = tmp.path().join("jingtong/pom.xml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    // The manifest beside the delivery, readable by anyone.
    let m = tmp.path().join("manifest.toml");
    std::fs::copy(chaoyang(), &m).unwrap();
    let mut cmd = escrow_command();
    // Root reads any file: run as nobody then (CI runs as root). The binary is copied where
    // nobody can run it: the checkout may sit in a private folder.
    if is_root() {
        let exe = tmp.path().join("escrow-bin");
        std::fs::copy(env!("CARGO_BIN_EXE_escrow"), &exe).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut wrapped = std::process::Command::new("setpriv");
        wrapped
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&exe)
            .envs(
                cmd.get_envs()
                    .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
            )
            .env_remove("ESCROW_VAULT");
        cmd = wrapped;
    }
    cmd.args([
        "check".as_ref(),
        tmp.path().as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
    ]);
    let run = run(cmd);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("jingtong/pom.xml: cannot read (Permission denied"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("Permission denied").count(),
        1,
        "{}",
        run.stderr
    );
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1).map(|euid| euid == "0"))
        .unwrap_or(false)
}

#[test]
fn gbk_encoded_names_match_chinese_globs() {
    // A zip made on Chinese Windows, unpacked without conversion, leaves GBK file names.
    let tmp = copy_sample();
    std::fs::remove_file(tmp.path().join("docs/部署手册.md")).unwrap();
    let (gbk, _, _) = encoding_rs::GB18030.encode("部署手册.docx");
    // A real .docx (an Office package with its document part), or it is rightly reported.
    std::fs::write(
        tmp.path().join("docs").join(OsStr::from_bytes(&gbk)),
        docx(5000),
    )
    .unwrap();
    let run = check_json(tmp.path(), &chaoyang());
    let r = run.json();
    assert_eq!(run.code, 0, "{r}");
    let q = requirement(&r, "deployment-manual");
    assert_eq!(q["matched_files"], 1);
    assert_eq!(q["sample"][0], "docs/部署手册.docx [GBK]");
}

/// A tree deeper than the folders the walk keeps open at once: every level is still listed
/// (the walk re-opens the folders it closed, through handles), and the digest equals that of
/// the same tree given as a tar.
#[test]
fn very_deep_trees_are_walked_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("deep");
    let mut rel = String::new();
    for level in 0..150 {
        if !rel.is_empty() {
            rel.push('/');
        }
        rel.push_str(&format!("l{level}"));
        write(&d, &format!("{rel}/f.txt"), format!("{level}\n"));
        if level % 10 == 0 {
            write(&d, &format!("{rel}/z/side.txt"), "side\n");
        }
    }
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), ALL);
    let r = check_json(&d, &m).json();
    assert_eq!(r["delivery"]["files"], 150 + 15);
    assert_eq!(r["delivery"]["directories"], 150 + 15);
    let tar = tmp.path().join("deep.tar");
    let out = std::process::Command::new("tar")
        .arg("-cf")
        .arg(&tar)
        .arg("-C")
        .arg(tmp.path())
        .arg("deep")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let t = check_json(&tar, &m).json();
    assert_eq!(t["delivery"]["files"], 165);
    assert_eq!(t["delivery"]["digest"], r["delivery"]["digest"]);
}
