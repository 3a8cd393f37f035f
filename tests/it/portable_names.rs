//! Names that are different files on Linux but one file, or a renamed file, where the hospital
//! unpacks the delivery: letter-case twins, one name in two Unicode forms (NFC and NFD), names
//! ending in a dot or a space. Each is reported as `name-not-portable`, from a folder, a zip
//! and a tar (made with Python's zipfile and tarfile). And a trailing dot or space does not
//! hide a file from the scan: `Boot.java.` is scanned as `Boot.java` is.

use std::path::Path;

use crate::common::*;

/// Check a delivery with the one-module manifest; the JSON report.
fn check(delivery: &Path) -> serde_json::Value {
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), MODULE_MANIFEST);
    check_json(delivery, &m).json()
}

/// The paths (`covers`, shown as `paths`, or the one `path`) of every `name-not-portable`
/// finding, each list sorted.
fn portable(r: &serde_json::Value) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = with_code(r, "name-not-portable")
        .into_iter()
        .map(|f| {
            assert_eq!(f["severity"], "warn", "{f}");
            let mut paths: Vec<String> = match f["paths"].as_array() {
                Some(p) => p.iter().map(|p| p.as_str().unwrap().to_owned()).collect(),
                None => vec![f["path"].as_str().unwrap().to_owned()],
            };
            paths.sort();
            paths
        })
        .collect();
    v.sort();
    v
}

/// Write `files` (delivery path, content) into a folder delivery under `dir`.
fn folder(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (p, content) in files {
        write(dir, p, content);
    }
}

/// Write `files` into a zip and a tar, under one top folder `delivery/` (as most archives
/// are made); the two archives' paths.
fn archives(dir: &Path, files: &[(&str, &str)]) -> [std::path::PathBuf; 2] {
    let script = r#"
import io, json, sys, tarfile, zipfile
files = json.loads(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], "w") as z:
    for name, data in files:
        z.writestr("delivery/" + name, data)
with tarfile.open(sys.argv[3], "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in files:
        b = data.encode()
        i = tarfile.TarInfo("delivery/" + name)
        i.size = len(b)
        t.addfile(i, io.BytesIO(b))
"#;
    let zip = dir.join("delivery.zip");
    let tar = dir.join("delivery.tar");
    let status = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(serde_json::to_string(files).unwrap())
        .arg(&zip)
        .arg(&tar)
        .status()
        .expect("python3 makes the archives");
    assert!(status.success());
    [zip, tar]
}

/// Commit `files` (already written in the work tree `work`) and clone the repository bare to
/// `bare`, a Git delivery.
fn git_repository(work: &Path, bare: &Path) {
    let git = |dir: &Path, args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "-c",
                "user.name=Vendor",
                "-c",
                "user.email=vendor@example.org",
            ])
            .args([
                "-c",
                "core.precomposeunicode=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(work, &["init", "-q"]);
    git(work, &["add", "-A"]);
    git(work, &["commit", "-q", "-m", "delivery"]);
    git(
        work,
        &["clone", "-q", "--bare", ".", bare.to_str().unwrap()],
    );
}

/// The same `files` as a folder, a zip, a tar and a Git repository: each report's
/// `name-not-portable` paths.
fn every_form(files: &[(&str, &str)]) -> Vec<Vec<Vec<String>>> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("folder");
    folder(&dir, files);
    let [zip, tar] = archives(tmp.path(), files);
    let work = tmp.path().join("work");
    folder(&work, files);
    let bare = tmp.path().join("delivery.git");
    git_repository(&work, &bare);
    [
        (dir, "dir"),
        (zip, "archive"),
        (tar, "archive"),
        (bare, "git"),
    ]
    .iter()
    .map(|(d, kind)| {
        let r = check(d);
        assert_eq!(r["delivery"]["source"]["kind"], *kind, "{}", d.display());
        portable(&r)
    })
    .collect()
}

const JAVA: &str = "package com.acme.his;\n\npublic class Login {\n}\n";

#[test]
fn names_differing_only_in_letter_case_are_reported() {
    let files = [
        ("src/Login.java", JAVA),
        (
            "src/LOGIN.java",
            "package com.acme.his;\n\nclass LOGIN {\n}\n",
        ),
        ("src/Other.java", JAVA),
        ("Docs/readme.md", "# A\n"),
        ("docs/install.md", "# B\n"),
        ("docs/sub/x.md", "# C\n"),
        ("Docs/sub/x.md", "# D\n"),
    ];
    for report in every_form(&files) {
        assert_eq!(
            report,
            [
                vec!["Docs".to_owned(), "docs".to_owned()],
                vec!["src/LOGIN.java".to_owned(), "src/Login.java".to_owned()],
            ]
        );
    }
}

#[test]
fn one_name_in_two_unicode_forms_is_reported() {
    let nfc = "src/Caf\u{e9}.java";
    let nfd = "src/Cafe\u{301}.java";
    let upper_nfd = "报告/E\u{301}TAT.md";
    let lower_nfc = "报告/\u{e9}tat.md";
    let files = [
        (nfc, JAVA),
        (nfd, JAVA),
        (upper_nfd, "# A\n"),
        (lower_nfc, "# B\n"),
        ("报告/病历.md", "# C\n"),
    ];
    for report in every_form(&files) {
        let mut want = vec![
            vec![nfd.to_owned(), nfc.to_owned()],
            vec![upper_nfd.to_owned(), lower_nfc.to_owned()],
        ];
        for w in &mut want {
            w.sort();
        }
        want.sort();
        assert_eq!(report, want);
    }
}

#[test]
fn names_ending_in_a_dot_or_a_space_are_reported() {
    let files = [
        ("src/Login.java.", JAVA),
        ("src/Other.java", JAVA),
        ("conf /app.properties", "a=b\n"),
        ("conf /more.properties", "c=d\n"),
        ("lib/util.js ", "var a = 1;\n"),
        ("lib/util.js", "var a = 2;\n"),
    ];
    for report in every_form(&files) {
        assert_eq!(
            report,
            [
                vec!["conf ".to_owned(), "src/Login.java.".to_owned()],
                vec!["lib/util.js".to_owned(), "lib/util.js ".to_owned()],
            ]
        );
    }
}

/// The finding says what happens and which names, in English and Chinese, and lists them.
#[test]
fn the_finding_names_every_path_of_its_group() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let names: Vec<String> = ["a.sql", "A.sql", "a.SQL", "A.SQL"]
        .iter()
        .map(|n| format!("db/{n}"))
        .collect();
    let files: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "select 1;\n")).collect();
    folder(&dir, &files);
    let r = check(&dir);
    let f = with_code(&r, "name-not-portable");
    assert_eq!(f.len(), 1, "{r}");
    let f = f[0];
    assert_eq!(f["path"], "db/A.SQL");
    assert_eq!(
        f["evidence"],
        serde_json::json!([
            "\"db/A.SQL\"",
            "\"db/A.sql\"",
            "\"db/a.SQL\"",
            "\"db/a.sql\""
        ])
    );
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.starts_with("4 paths differ only in letter case"),
        "{msg}"
    );
    assert!(msg.contains("one file"), "{msg}");
    assert!(f["message_zh"].as_str().unwrap().contains("大小写"), "{f}");
}

/// Ordinary trees give no finding: the same name in different folders, names with inner
/// dots, Chinese names, dot files.
#[test]
fn ordinary_trees_give_no_finding() {
    let files = [
        ("a/Makefile", "all:\n"),
        ("b/makefile", "all:\n"),
        ("web/lib/jquery.min.js", "var a = 1;\n"),
        ("v1.2.3/README.md", "# A\n"),
        ("src/com.acme.his/Login.java", JAVA),
        ("文档/部署手册.md", "# B\n"),
        (".gitignore", "target/\n"),
        ("x/.env.example", "A=b\n"),
    ];
    for report in every_form(&files) {
        assert!(report.is_empty(), "{report:?}");
    }
}

/// The findings of a report, as JSON texts with `renames` applied, sorted; without
/// `name-not-portable`.
fn findings_as(r: &serde_json::Value, renames: &[(&str, &str)]) -> Vec<String> {
    let mut v: Vec<String> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] != "name-not-portable")
        .map(|f| {
            let mut s = f.to_string();
            for (from, to) in renames {
                s = s.replace(from, to);
            }
            s
        })
        .collect();
    v.sort();
    v
}

/// A file named `Boot.java.` or `app.properties ` is what Windows unpacks as `Boot.java` and
/// `app.properties`: the scan finds in it exactly what it finds under the plain name.
#[test]
fn a_trailing_dot_or_space_does_not_hide_a_file_from_the_scan() {
    let mut g = Gen(0x7a11_d07e);
    let parts: Vec<String> = (0..3).map(|_| g.chars(ALNUM, 3)).collect();
    let boot = format!(
        "package com.his.core;\n\nclass Boot {{\n    String dbPwd = \"{}\" + \"{}\" + \"{}\";\n}}\n",
        parts[0], parts[1], parts[2]
    );
    let login = format!(
        "package com.acme.his.auth;\n\nimport java.util.Map;\n\npublic class Login {{\n    boolean check(String password) {{\n        if (password.equals(\"{}\")) {{\n            return true;\n        }}\n        return false;\n    }}\n}}\n",
        g.word(10)
    );
    let properties = format!(
        "db.url=jdbc:mysql://10.1.2.3/his\ndb.password  {}\n\\u0070assword={}\n",
        g.password(),
        g.password()
    );
    let docker = format!("FROM mysql:8\nENV MYSQL_ROOT_PASSWORD={}\n", g.password());
    let shell = format!("cd /opt/his\nexport PGPASSWORD={}\n", g.password());
    let plain = [
        ("src/main/java/com/his/core/Boot.java", &boot),
        ("src/main/java/com/acme/his/auth/Login.java", &login),
        ("conf/app.properties", &properties),
        ("deploy/Dockerfile", &docker),
        ("deploy/backup.sh", &shell),
    ];
    // The same files under the names Windows unpacks as the plain ones.
    let renames = [
        ("Boot.java.", "Boot.java"),
        ("Login.java ", "Login.java"),
        ("conf./app.properties ", "conf/app.properties"),
        ("Dockerfile ", "Dockerfile"),
        ("backup.sh. .", "backup.sh"),
    ];
    let hidden: Vec<(String, &String)> = plain
        .iter()
        .map(|(p, c)| {
            let (from, to) = renames.iter().find(|(_, to)| p.ends_with(to)).unwrap();
            (format!("{}{from}", &p[..p.len() - to.len()]), *c)
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("plain"), tmp.path().join("hidden"));
    for (p, c) in &plain {
        write(&a, p, c);
    }
    for (p, c) in &hidden {
        write(&b, p, c);
    }
    let want = findings_as(&check(&a), &[]);
    for rule in [
        "code-password-assembled",
        "hardcoded-credential-compare",
        "config-password",
        "shell-password",
    ] {
        assert!(
            want.iter()
                .any(|f| f.contains(&format!("\"rule\":\"{rule}\""))),
            "{rule} not found under the plain names: {want:#?}"
        );
    }
    // Paths appear as JSON strings: rename those whole.
    let quoted: Vec<(String, String)> = hidden
        .iter()
        .zip(&plain)
        .map(|((h, _), (p, _))| (format!("\"{h}\""), format!("\"{p}\"")))
        .collect();
    let quoted: Vec<(&str, &str)> = quoted
        .iter()
        .map(|(h, p)| (h.as_str(), p.as_str()))
        .collect();
    let got = findings_as(&check(&b), &quoted);
    assert_eq!(got, want);
    // And each hidden name is reported as not portable.
    let r = check(&b);
    let reported = portable(&r);
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert_eq!(reported[0].len(), 5, "{reported:?}");
}
