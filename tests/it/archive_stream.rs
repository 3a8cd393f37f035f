//! Archives read as streams: the result is the folder's, whatever the archive's order, and a
//! deposit stores every byte (small files handed to the workers, large ones read through).

use std::path::Path;

use crate::common::*;

/// `tar -czf OUT -C DIR NAMES…` with GNU tar, in the order given.
fn gnu_tar(out: &Path, dir: &Path, names: &[&str]) {
    let st = std::process::Command::new("tar")
        .arg("--no-recursion")
        .arg("-czf")
        .arg(out)
        .arg("-C")
        .arg(dir)
        .args(names)
        .status()
        .expect("GNU tar runs");
    assert!(st.success());
}

/// Every path below `root`, folders first, in sorted order (what `tar --no-recursion` needs).
fn all_paths(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(root)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .map(|e| {
            e.unwrap()
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

/// (code, path) of every finding, sorted: what must not depend on the delivery's form.
fn finding_keys(r: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["path"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A tree with a private key the scan denies, under `his/`, and (with `stray`) a file at the
/// top after it, which contradicts the top folder the first entries suggest.
fn keyed_tree(root: &Path, stray: bool) -> Vec<String> {
    let mut g = Gen(0x57_4ea4);
    let header = ["-----BEGIN ", "RSA PRIVATE", " KEY-----"].concat();
    let body: String = (0..12)
        .map(|_| g.chars(&format!("{ALNUM}+/"), 64) + "\n")
        .collect();
    write(
        root,
        "his/conf/server.key",
        format!("{header}\n{body}-----END RSA PRIVATE KEY-----\n"),
    );
    write(root, "his/src/App.java", "class App {}\n");
    let mut names = all_paths(root);
    if stray {
        write(root, "zz-notes.txt", "delivered beside the folder\n");
        names.push("zz-notes.txt".to_owned());
    }
    names
}

/// The first entries suggest the delivery sits in `his/`; a later top-level file contradicts
/// it. The archive is read again with no root: the scan's finding is reported once, under
/// its real path, exactly as for the same tree delivered as a folder.
#[test]
fn a_top_folder_guessed_wrong_reads_the_archive_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let names = keyed_tree(&dir, true);
    let ar = tmp.path().join("d.tar.gz");
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    gnu_tar(&ar, &dir, &refs);
    let m = manifest(tmp.path(), MODULE_MANIFEST);
    let from_archive = check_json(&ar, &m).json();
    let from_folder = check_json(&dir, &m).json();
    assert!(from_archive["delivery"]["source"]["rooted_at"].is_null());
    assert_eq!(
        from_archive["delivery"]["digest"], from_folder["delivery"]["digest"],
        "the archive's tree is the folder's"
    );
    let keys = finding_keys(&from_archive);
    assert_eq!(keys, finding_keys(&from_folder));
    let key_findings: Vec<_> = keys
        .iter()
        .filter(|(_, p)| p == "his/conf/server.key")
        .collect();
    assert_eq!(key_findings.len(), 1, "{keys:?}");
    assert_eq!(
        from_archive["scan"]["files"], from_folder["scan"]["files"],
        "the first read's scan results were forgotten"
    );
}

/// The same tree without the stray file: rooted in `his/`, findings relative to it.
#[test]
fn a_top_folder_guessed_right_is_read_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let names = keyed_tree(&dir, false);
    let ar = tmp.path().join("d.tar.gz");
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    gnu_tar(&ar, &dir, &refs);
    let m = manifest(tmp.path(), MODULE_MANIFEST);
    let from_archive = check_json(&ar, &m).json();
    let from_folder = check_json(&dir.join("his"), &m).json();
    assert_eq!(from_archive["delivery"]["source"]["rooted_at"], "his");
    assert_eq!(
        from_archive["delivery"]["digest"],
        from_folder["delivery"]["digest"]
    );
    assert_eq!(finding_keys(&from_archive), finding_keys(&from_folder));
    assert!(
        finding_keys(&from_archive)
            .iter()
            .any(|(_, p)| p == "conf/server.key")
    );
}

/// A zip made on a Mac: `__MACOSX/`, `._*` and `.DS_Store` beside the top folder (and a
/// Windows `Thumbs.db`) are set aside: the delivery is rooted in its folder, and the report
/// is the folder's, with one info note listing what was set aside.
#[test]
fn system_files_beside_the_top_folder_are_set_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("mac.zip");
    let script = r#"
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("__MACOSX/his-v2.3/._README.md", b"\x00\x05\x16\x07apple")
    for root, dirs, files in sorted(os.walk(src)):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            z.write(p, "his-v2.3/" + os.path.relpath(p, src))
    z.writestr("._his-v2.3", b"\x00\x05\x16\x07apple")
    z.writestr(".DS_Store", b"\x00\x00\x00\x01Bud1")
    z.writestr("Thumbs.db", b"\xd0\xcf\x11\xe0")
"#;
    let st = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(sample())
        .arg(&zip)
        .status()
        .unwrap();
    assert!(st.success());
    let from_zip = check_json(&zip, &chaoyang()).json();
    let from_folder = check_json(&sample(), &chaoyang()).json();
    assert_eq!(from_zip["delivery"]["source"]["rooted_at"], "his-v2.3");
    assert_eq!(from_zip["verdict"], from_folder["verdict"]);
    assert_eq!(
        from_zip["delivery"]["digest"],
        from_folder["delivery"]["digest"]
    );
    let aside = with_code(&from_zip, "os-metadata-set-aside");
    assert_eq!(aside.len(), 1, "{from_zip}");
    assert_eq!(aside[0]["severity"], "info");
    let ev: Vec<&str> = aside[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    for p in [
        "__MACOSX/his-v2.3/._README.md",
        "._his-v2.3",
        ".DS_Store",
        "Thumbs.db",
    ] {
        assert!(ev.contains(&p), "{p} not listed: {ev:?}");
    }
    let mut rest = finding_keys(&from_zip);
    rest.retain(|(c, _)| c != "os-metadata-set-aside");
    assert_eq!(rest, finding_keys(&from_folder));
}

/// A deposit of a streamed archive stores every byte: small files through the workers, a file
/// larger than the whole-file limit (4 MiB) read through and stored from disk, a hard link
/// to a file that was not written; `restore` gives the tree back byte for byte.
#[test]
fn a_streamed_deposit_restores_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let mut g = Gen(0xb16_f11e);
    write(&dir, "his/lib/big.bin", g.bytes(5 * 1024 * 1024 + 17));
    write(&dir, "his/src/App.java", "class App {}\n");
    write(&dir, "his/db/schema.sql", "CREATE TABLE a (id int);\n");
    std::os::unix::fs::symlink("App.java", dir.join("his/src/Current.java")).unwrap();
    std::fs::hard_link(dir.join("his/src/App.java"), dir.join("his/src/Copy.java")).unwrap();
    let ar = tmp.path().join("d.tar.gz");
    let names = all_paths(&dir);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    gnu_tar(&ar, &dir, &refs);
    let m = manifest(tmp.path(), MODULE_MANIFEST);
    let vault = tmp.path().join("vault");
    let dep = escrow([
        "deposit".as_ref(),
        ar.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
        "--label".as_ref(),
        "v1".as_ref(),
        "--vault".as_ref(),
        vault.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(matches!(dep.code, 0 | 1), "{}", dep.stderr);
    let out = tmp.path().join("out");
    let r = escrow([
        "restore".as_ref(),
        "v1".as_ref(),
        out.as_os_str(),
        "--vault".as_ref(),
        vault.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for rel in [
        "lib/big.bin",
        "src/App.java",
        "src/Copy.java",
        "db/schema.sql",
    ] {
        assert_eq!(
            std::fs::read(out.join(rel)).unwrap(),
            std::fs::read(dir.join("his").join(rel)).unwrap(),
            "{rel}"
        );
    }
    assert_eq!(
        std::fs::read_link(out.join("src/Current.java")).unwrap(),
        Path::new("App.java")
    );
    let audit = escrow(["audit".as_ref(), "--vault".as_ref(), vault.as_os_str()]);
    assert_eq!(audit.code, 0, "{}", audit.stdout);
}

/// Build a tar with python3's `tarfile` from `entries` (a Python list of
/// `(name, type, data_expr, linkname)`; `ENC` is an encrypted-looking blob, `APP` a plain
/// class), unpack it with GNU tar, and check both: the archive's report must be the folder's
/// (same tree digest, same findings), whatever order and links the archive uses.
fn same_as_gnu_tar(entries: &str) {
    let (from_archive, from_folder) = archive_and_gnu_tar_folder(entries);
    assert_eq!(
        from_archive["delivery"]["digest"], from_folder["delivery"]["digest"],
        "{from_archive}"
    );
    let mut keys = finding_keys(&from_archive);
    keys.retain(|(c, _)| c != "os-metadata-set-aside");
    assert_eq!(keys, finding_keys(&from_folder));
    assert_eq!(from_archive["verdict"], from_folder["verdict"]);
}

/// The reports of `entries` (see [`same_as_gnu_tar`]) as an archive and as the folder GNU tar
/// unpacks it to.
fn archive_and_gnu_tar_folder(entries: &str) -> (serde_json::Value, serde_json::Value) {
    archive_and_gnu_tar_folder_with(entries, false)
}

/// `archive_and_gnu_tar_folder` of an archive GNU tar unpacks with errors.
fn archive_and_gnu_tar_folder_allowing_errors(
    entries: &str,
) -> (serde_json::Value, serde_json::Value) {
    archive_and_gnu_tar_folder_with(entries, true)
}

fn archive_and_gnu_tar_folder_with(
    entries: &str,
    tar_may_fail: bool,
) -> (serde_json::Value, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let ar = tmp.path().join("t.tar");
    let script = format!(
        r#"
import io, random, sys, tarfile
random.seed(7)
ENC = b"Salted__" + bytes(random.randrange(256) for _ in range(4000))
APP = b"class App {{}}\n"
with tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT) as tf:
    for name, kind, data, link in {entries}:
        t = tarfile.TarInfo(name)
        t.type = kind
        t.linkname = link
        t.size = len(data) if kind == tarfile.REGTYPE else 0
        t.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
        tf.addfile(t, io.BytesIO(data) if t.size else None)
"#
    );
    let st = std::process::Command::new("python3")
        .arg("-c")
        .arg(&script)
        .arg(&ar)
        .status()
        .unwrap();
    assert!(st.success());
    let out = tmp.path().join("x");
    std::fs::create_dir(&out).unwrap();
    let st = std::process::Command::new("tar")
        .arg("-xf")
        .arg(&ar)
        .arg("-C")
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(st.success() || tar_may_fail, "tar -xf: {st}");
    let m = manifest(tmp.path(), MODULE_MANIFEST);
    let from_archive = check_json(&ar, &m).json();
    let root = match from_archive["delivery"]["source"]["rooted_at"].as_str() {
        Some(top) => out.join(top),
        None => out.clone(),
    };
    let from_folder = check_json(&root, &m).json();
    (from_archive, from_folder)
}

/// A file, then a folder entry of the same name: GNU tar replaces the file with the folder.
/// escrow's tree is GNU tar's, and the path is a deny finding listing both.
#[test]
fn a_folder_after_a_file_of_its_name_replaces_it() {
    let (from_archive, from_folder) = archive_and_gnu_tar_folder(
        r#"[("his/src/App.java", tarfile.REGTYPE, APP, ""),
            ("his/src/Main.java", tarfile.REGTYPE, APP, ""),
            ("his/src/Main.java", tarfile.DIRTYPE, b"", "")]"#,
    );
    assert_eq!(
        from_archive["delivery"]["digest"],
        from_folder["delivery"]["digest"]
    );
    let dup = with_code(&from_archive, "archive-duplicate-entry");
    assert_eq!(dup.len(), 1, "{from_archive}");
    assert_eq!(dup[0]["path"], "src/Main.java");
    assert_eq!(dup[0]["severity"], "deny");
}

/// System files met before the first real entry, in a delivery that turns out to be in no
/// one folder, are part of the tree: scanned and stored like any other file.
#[test]
fn system_files_in_a_flat_delivery_are_scanned() {
    same_as_gnu_tar(
        r#"[("__MACOSX/src/x.java", tarfile.REGTYPE, ENC, ""),
            ("._Auth.java", tarfile.REGTYPE, ENC, ""),
            ("README", tarfile.REGTYPE, b"readme\n", ""),
            ("src/Main.java", tarfile.REGTYPE, APP, "")]"#,
    );
}

/// A hard link is scanned under its own name: an encrypted blob named `.dat` (a warning)
/// linked as `Core.java` (a deny), and a link into the tree from a system file set aside.
#[test]
fn hard_links_are_scanned_under_their_own_names() {
    same_as_gnu_tar(
        r#"[("his/src/data.dat", tarfile.REGTYPE, ENC, ""),
            ("his/src/Core.java", tarfile.LNKTYPE, b"", "his/src/data.dat"),
            ("his/src/App.java", tarfile.REGTYPE, APP, "")]"#,
    );
    same_as_gnu_tar(
        r#"[("his/src/App.java", tarfile.REGTYPE, APP, ""),
            ("._his", tarfile.REGTYPE, ENC, ""),
            ("his/src/Auth.java", tarfile.LNKTYPE, b"", "._his")]"#,
    );
}

/// Deep names cannot make a small archive hold gigabytes of folder names: the name of every
/// folder a name implies counts as unpacked bytes, so such an archive stops as a
/// decompression bomb (exit 2) quickly, in bounded memory.
#[test]
fn deep_names_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let ar = tmp.path().join("deep.tar.gz");
    let script = r#"
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz", format=tarfile.PAX_FORMAT) as tf:
    for i in range(100):
        t = tarfile.TarInfo("his/%04d/" % i + "a/" * 1990 + "f.txt")
        tf.addfile(t, None)
"#;
    let st = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&ar)
        .status()
        .unwrap();
    assert!(st.success());
    let m = manifest(tmp.path(), MODULE_MANIFEST);
    let started = std::time::Instant::now();
    let run = escrow([
        "check".as_ref(),
        ar.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("decompression bomb"), "{}", run.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

/// A file named like the top folder, after it: GNU tar cannot put the file there (it fails);
/// escrow refuses the file, naming it, in a delivery that is in no one folder, and does not
/// take the archive for damaged.
#[test]
fn a_file_named_like_the_top_folder_is_refused() {
    let (from_archive, _) = archive_and_gnu_tar_folder_allowing_errors(
        r#"[("his", tarfile.DIRTYPE, b"", ""),
            ("his/src/App.java", tarfile.REGTYPE, APP, ""),
            ("his", tarfile.REGTYPE, APP, "")]"#,
    );
    let refused = with_code(&from_archive, "archive-unsafe-path");
    assert_eq!(refused.len(), 1, "{from_archive}");
    assert_eq!(refused[0]["path"], "his");
}

/// A symbolic link with two names (as `cp -al` makes them) is stored by `tar -c` as a hard link
/// to the link: GNU tar makes a second symbolic link, and so does escrow.
#[test]
fn a_hard_link_to_a_symbolic_link_is_a_symbolic_link() {
    same_as_gnu_tar(
        r#"[("his/src/App.java", tarfile.REGTYPE, APP, ""),
            ("his/src/Current.java", tarfile.SYMTYPE, b"", "App.java"),
            ("his/src/Latest.java", tarfile.LNKTYPE, b"", "his/src/Current.java")]"#,
    );
}
