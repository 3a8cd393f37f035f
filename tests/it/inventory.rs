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
    let mdir = tempfile::tempdir().unwrap();
    let r = check_json(d, &manifest(mdir.path(), ALL)).json();
    assert_eq!(r["delivery"]["files"], 2);
    assert_eq!(requirement(&r, "all")["source_files"], 2);
    let sample = &requirement(&r, "all")["sample"];
    assert_eq!(sample[0], "src/two\\nlines.java");
    assert_eq!(sample[1], "src/\\xB2\\xA1\\xC0\\xFA.java");
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
    let p = tmp.path().join("jingtong/pom.xml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        return; // running as root: permissions do not stop reads
    }
    let run = escrow([
        "check".as_ref(),
        tmp.path().as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("jingtong/pom.xml: cannot read"),
        "{}",
        run.stderr
    );
}
