//! Zip deliveries give the tree Info-ZIP `unzip` gives: each zip is built at test time, unpacked
//! by the real `unzip` and deposited and restored by escrow, and the two trees are compared;
//! entries that tools read differently are `archive-ambiguous`.

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::common::*;

/// One entry of a zip written byte by byte (stored): the central and local names may differ.
#[derive(Clone)]
struct Raw<'a> {
    name: &'a [u8],
    local_name: &'a [u8],
    data: &'a [u8],
    /// The host that made the entry: 0 MS-DOS, 3 Unix.
    host: u8,
    /// The Unix mode (high half of the external attributes), for any host but MS-DOS.
    mode: u32,
    /// The central record describes only this many bytes of the data (size and CRC).
    central_len: Option<usize>,
    /// Sizes and offset in zip64 extra fields.
    zip64: bool,
    /// "Version needed to extract" (the central record's, which `unzip` reads).
    needs: u16,
}

fn raw(name: &[u8], data: &'static [u8]) -> Raw<'static> {
    // Leaked: the tests' names live for the test run.
    let name: &'static [u8] = Box::leak(name.to_vec().into_boxed_slice());
    Raw {
        name,
        local_name: name,
        data,
        host: 3,
        mode: 0o100_644,
        central_len: None,
        zip64: false,
        needs: 45,
    }
}

fn le16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn le32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn le64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// A zip of `entries`, with a zip64 end record announcing `declared` entries (the real number
/// by default) when `zip64_end`.
fn build_zip(entries: &[Raw], zip64_end: bool, declared: Option<u64>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let mut crc = flate2::Crc::new();
        crc.update(e.data);
        let offset = out.len() as u64;
        let local_len = e.data.len() as u32;
        let shown = &e.data[..e.central_len.unwrap_or(e.data.len())];
        let len = shown.len() as u32;
        let mut central_crc = flate2::Crc::new();
        central_crc.update(shown);
        // Local header.
        out.extend_from_slice(b"PK\x03\x04");
        le16(&mut out, 45);
        le16(&mut out, 0);
        le16(&mut out, 0);
        le32(&mut out, 0x0021_0000);
        le32(&mut out, crc.sum());
        if e.zip64 {
            le32(&mut out, u32::MAX);
            le32(&mut out, u32::MAX);
        } else {
            le32(&mut out, local_len);
            le32(&mut out, local_len);
        }
        le16(&mut out, e.local_name.len() as u16);
        le16(&mut out, if e.zip64 { 20 } else { 0 });
        out.extend_from_slice(e.local_name);
        if e.zip64 {
            le16(&mut out, 1);
            le16(&mut out, 16);
            le64(&mut out, u64::from(local_len));
            le64(&mut out, u64::from(local_len));
        }
        out.extend_from_slice(e.data);
        // Central record.
        central.extend_from_slice(b"PK\x01\x02");
        le16(&mut central, u16::from(e.host) << 8 | 0x2d);
        le16(&mut central, e.needs);
        le16(&mut central, 0);
        le16(&mut central, 0);
        le32(&mut central, 0x0021_0000);
        le32(&mut central, central_crc.sum());
        let (size32, off32) = if e.zip64 {
            (u32::MAX, u32::MAX)
        } else {
            (len, offset as u32)
        };
        le32(&mut central, size32);
        le32(&mut central, size32);
        le16(&mut central, e.name.len() as u16);
        le16(&mut central, if e.zip64 { 28 } else { 0 });
        le16(&mut central, 0);
        le16(&mut central, 0);
        le16(&mut central, 0);
        le32(&mut central, if e.host == 0 { 0 } else { e.mode << 16 });
        le32(&mut central, off32);
        central.extend_from_slice(e.name);
        if e.zip64 {
            le16(&mut central, 1);
            le16(&mut central, 24);
            le64(&mut central, u64::from(len));
            le64(&mut central, u64::from(len));
            le64(&mut central, offset);
        }
    }
    let cd_offset = out.len() as u64;
    out.extend_from_slice(&central);
    let n = declared.unwrap_or(entries.len() as u64);
    end_records(&mut out, central.len() as u64, cd_offset, n, zip64_end);
    out
}

/// The end records of a zip whose central directory (`cd_len` bytes at `cd_offset`) holds
/// `n` records: zip64 ones too when `zip64_end`.
fn end_records(out: &mut Vec<u8>, cd_len: u64, cd_offset: u64, n: u64, zip64_end: bool) {
    if zip64_end {
        let at = out.len() as u64;
        out.extend_from_slice(b"PK\x06\x06");
        le64(out, 44);
        le16(out, 45);
        le16(out, 45);
        le32(out, 0);
        le32(out, 0);
        le64(out, n);
        le64(out, n);
        le64(out, cd_len);
        le64(out, cd_offset);
        out.extend_from_slice(b"PK\x06\x07");
        le32(out, 0);
        le64(out, at);
        le32(out, 1);
    }
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    let n16 = if zip64_end { 0xFFFF } else { n as u16 };
    le16(out, n16);
    le16(out, n16);
    le32(out, if zip64_end { u32::MAX } else { cd_len as u32 });
    le32(
        out,
        if zip64_end {
            u32::MAX
        } else {
            cd_offset as u32
        },
    );
    le16(out, 0);
}

/// Run Python to write a zip at `out` (`sys.argv[1]`).
fn python_zip(out: &Path, script: &str) {
    let st = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(out)
        .status()
        .expect("python3 runs");
    assert!(st.success(), "python3 makes the zip");
}

/// A tree as (path, what is there): a file's contents (shortened when long), `<dir>`, or
/// `-> target`.
type Tree = BTreeMap<String, String>;

fn tree(root: &Path) -> Tree {
    let mut t = Tree::new();
    for e in walkdir::WalkDir::new(root).min_depth(1) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(root).unwrap().as_os_str().as_bytes();
        let what = if e.path_is_symlink() {
            let target = std::fs::read_link(e.path()).unwrap();
            format!(
                "-> {}",
                String::from_utf8_lossy(target.as_os_str().as_bytes())
            )
        } else if e.file_type().is_dir() {
            "<dir>".to_owned()
        } else {
            let data = std::fs::read(e.path()).unwrap();
            let mut crc = flate2::Crc::new();
            crc.update(&data);
            let text = String::from_utf8_lossy(&data[..data.len().min(40)]).into_owned();
            format!("{text:?} ({} bytes, crc {:08x})", data.len(), crc.sum())
        };
        t.insert(String::from_utf8_lossy(rel).into_owned(), what);
    }
    t
}

/// What Info-ZIP `unzip -o` gives (later entries of a name overwrite earlier ones).
fn unzip_tree(zip: &Path, out: &Path) -> Tree {
    // 1 is a warning (a mismatching local name, extra bytes at the beginning).
    unzip_with(zip, out, &[0, 1])
}

/// `unzip -o -qq ZIP -d OUT`, whose exit status must be one of `codes`; the tree it wrote.
fn unzip_with(zip: &Path, out: &Path, codes: &[i32]) -> Tree {
    std::fs::create_dir_all(out).unwrap();
    let st = std::process::Command::new("unzip")
        .arg("-o")
        .arg("-qq")
        .arg(zip)
        .arg("-d")
        .arg(out)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("Info-ZIP unzip is installed (Debian/Ubuntu package `unzip`)");
    assert!(
        st.code().is_some_and(|c| codes.contains(&c)),
        "unzip {}: {st}",
        zip.display()
    );
    tree(out)
}

/// `escrow check ZIP --format json` with the one-module manifest (exit 0 or 1).
fn check_zip(zip: &Path) -> (i32, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let m = manifest(tmp.path(), MODULE_MANIFEST);
    let r = check_json(zip, &m);
    (r.code, r.json())
}

/// The tree escrow checked and stored: deposit `zip`, then restore it.
fn escrow_tree(zip: &Path, tmp: &Path) -> Tree {
    let m = manifest(tmp, MODULE_MANIFEST);
    let vault = tmp.join("vault");
    let dep = escrow([
        "deposit".as_ref(),
        zip.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
        "--label".as_ref(),
        "z".as_ref(),
        "--vault".as_ref(),
        vault.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(matches!(dep.code, 0 | 1), "deposit: {}", dep.stderr);
    let out = tmp.join("restored");
    let r = escrow([
        "restore".as_ref(),
        "z".as_ref(),
        out.as_os_str(),
        "--vault".as_ref(),
        vault.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "restore: {}", r.stderr);
    tree(&out)
}

fn write_zip(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn shown(t: &Tree) -> Vec<&str> {
    t.keys().map(String::as_str).collect()
}

/// Every central-directory record reaches the checker: a path delivered twice is
/// `archive-duplicate-entry`, where the `zip` crate's index kept only the last and escrow said
/// nothing. `unzip -o` keeps the last copy.
#[test]
fn a_path_delivered_twice_in_a_zip_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("dup.zip");
    python_zip(
        &p,
        r##"
import sys, warnings, zipfile
warnings.simplefilter("ignore")
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("src/Login.java", "class Login { /* checked */ }\n")
    z.writestr("README.md", "# app\n")
    z.writestr("src/Login.java", "class Login { /* shipped */ }\n")
"##,
    );
    let unzipped = unzip_tree(&p, &tmp.path().join("unzip"));
    assert!(
        unzipped["src/Login.java"].contains("shipped"),
        "unzip -o keeps the last copy of a name"
    );
    let (code, r) = check_zip(&p);
    assert_eq!(code, 1, "{r}");
    let dup = with_code(&r, "archive-duplicate-entry");
    assert_eq!(dup.len(), 1, "{r}");
    assert_eq!(dup[0]["path"], "src/Login.java");
    assert_eq!(dup[0]["severity"], "deny");
    // Both copies are listed, and the tree is unzip's: the last copy is kept.
    let ev = dup[0]["evidence"].as_array().unwrap();
    assert_eq!(ev.len(), 2, "{r}");
    let got = escrow_tree(&p, tmp.path());
    assert!(got["src/Login.java"].contains("shipped"));
    assert_eq!(shown(&got), shown(&unzipped));
    assert_eq!(got, unzipped);
}

/// A local header naming another file than its central record: `unzip` takes the central name
/// (and warns), streaming readers the local one. escrow checks unzip's tree and says so.
#[test]
fn central_and_local_records_that_disagree_are_ambiguous() {
    let tmp = tempfile::tempdir().unwrap();
    let mut login = raw(b"src/Login.java", b"class Login {}\n");
    login.local_name = b"src/Login.txt";
    let mut sized = raw(b"src/Pay.java", b"class Pay { int fee = 1; }\n");
    sized.central_len = Some(10);
    let plain = raw(b"README.md", b"# app\n");
    let p = write_zip(
        tmp.path(),
        "local.zip",
        &build_zip(&[login, sized, plain], false, None),
    );
    let unzipped = unzip_tree(&p, &tmp.path().join("unzip"));
    assert!(unzipped.contains_key("src/Login.java"));
    assert!(!unzipped.contains_key("src/Login.txt"));
    assert!(
        unzipped["src/Pay.java"].contains("fee = 1;"),
        "unzip reads the local header's sizes"
    );
    // bsdtar, where installed, streams the archive and takes the local name.
    let bt = tmp.path().join("bsdtar");
    std::fs::create_dir(&bt).unwrap();
    if let Ok(s) = std::process::Command::new("bsdtar")
        .arg("-xf")
        .arg(&p)
        .arg("-C")
        .arg(&bt)
        .stderr(std::process::Stdio::null())
        .status()
        && s.success()
    {
        assert!(
            bt.join("src/Login.txt").is_file(),
            "bsdtar takes the local name"
        );
        assert!(!bt.join("src/Login.java").exists());
    }
    // Python's zipfile reads the central record's: ten bytes.
    let py = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).read('src/Pay.java')))",
        ])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&py.stdout).trim(), "10");
    let (code, r) = check_zip(&p);
    assert_eq!(code, 1, "{r}");
    let amb = with_code(&r, "archive-ambiguous");
    assert_eq!(amb.len(), 2, "{r}");
    assert_eq!(amb[0]["path"], "src/Login.java");
    assert_eq!(amb[0]["severity"], "deny");
    let ev = amb[0]["evidence"].to_string();
    assert!(
        ev.contains("src/Login.java") && ev.contains("src/Login.txt"),
        "{ev}"
    );
    assert_eq!(amb[1]["path"], "src/Pay.java");
    assert!(
        amb[1]["evidence"]
            .to_string()
            .contains("compressed size: central 10 / local 27"),
        "{}",
        amb[1]
    );
    assert_eq!(escrow_tree(&p, tmp.path()), unzipped);
}

/// A backslash in the name of an entry made on Unix: Info-ZIP `unzip` keeps it as a character
/// of a file name; Windows Explorer and 7-Zip make folders, and so does escrow, which says
/// the tools differ. An MS-DOS entry's backslashes (with no `/` in the name) are separators
/// for every tool, `unzip` included.
#[test]
fn backslashes_in_unix_zip_names_are_ambiguous() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("backslash.zip");
    python_zip(
        &p,
        r##"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    i = zipfile.ZipInfo("src\\Evil.java"); i.create_system = 3
    i.external_attr = 0o100644 << 16
    z.writestr(i, "class Evil {}\n")
    i = zipfile.ZipInfo("docs\\guide.md"); i.create_system = 0
    z.writestr(i, "# guide\n")
"##,
    );
    let unzipped = unzip_tree(&p, &tmp.path().join("unzip"));
    assert_eq!(
        shown(&unzipped),
        ["docs", "docs/guide.md", "src\\Evil.java"],
        "unzip keeps a Unix entry's backslashes and splits an MS-DOS entry's"
    );
    let (code, r) = check_zip(&p);
    assert_eq!(code, 1, "{r}");
    let amb = with_code(&r, "archive-ambiguous");
    assert_eq!(amb.len(), 1, "{r}");
    assert_eq!(amb[0]["path"], "src/Evil.java");
    // Names are shown escaped: a backslash as two.
    assert_eq!(
        amb[0]["evidence"][0], r"unzip: src\\Evil.java",
        "{}",
        amb[0]
    );
    assert_eq!(
        shown(&escrow_tree(&p, tmp.path())),
        ["docs", "docs/guide.md", "src", "src/Evil.java"]
    );
}

/// What every tool reads alike gives unzip's tree, with no finding: deflate and bzip2, data
/// descriptors (a zip written to a pipe), symbolic links, folders, zip64 records and end
/// record.
#[test]
fn ordinary_zips_give_unzips_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let streamed = tmp.path().join("streamed.zip");
    python_zip(
        &streamed,
        r##"
import sys, zipfile
class Pipe:
    def __init__(self, f): self.f = f
    def write(self, b): return self.f.write(b)
    def flush(self): self.f.flush()
with open(sys.argv[1], "wb") as f, zipfile.ZipFile(Pipe(f), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("README.md", "# app\n")
    z.writestr("app/src/App.java", "class App {}\n" * 50)
    z.writestr("app/src/empty/", "")
    z.writestr(zipfile.ZipInfo("app/data.bin"), b"<row>data</row>\n" * 600, zipfile.ZIP_BZIP2)
    l = zipfile.ZipInfo("app/current"); l.create_system = 3
    l.external_attr = 0o120777 << 16
    z.writestr(l, "src")
    x = zipfile.ZipInfo("app/run.sh"); x.create_system = 3
    x.external_attr = 0o100755 << 16
    z.writestr(x, "#!/bin/sh\n")
"##,
    );
    let bytes = std::fs::read(&streamed).unwrap();
    assert_ne!(bytes[6] & 8, 0, "the zip has data descriptors");
    let mut first = raw(b"big/A.java", b"class A {}\n");
    first.zip64 = true;
    let mut second = raw(b"big/B.java", b"class B {}\n");
    second.zip64 = true;
    let zip64 = build_zip(&[first, second, raw(b"README.md", b"#\n")], true, None);
    for (name, bytes) in [("streamed.zip", bytes), ("zip64.zip", zip64)] {
        let dir = tmp.path().join(name.replace('.', "-"));
        std::fs::create_dir(&dir).unwrap();
        let p = write_zip(&dir, name, &bytes);
        let unzipped = unzip_tree(&p, &dir.join("unzip"));
        assert!(!unzipped.is_empty(), "{name}");
        let (code, r) = check_zip(&p);
        assert_eq!(code, 0, "{name}: {r}");
        assert_eq!(escrow_tree(&p, &dir), unzipped, "{name}");
    }
}

/// A central directory announcing more entries than the limit is refused before any record is
/// read, and one whose sizes exceed `--max-bytes` before any data is.
#[test]
fn zip_limits_are_checked_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let m = manifest(tmp.path(), MODULE_MANIFEST);
    let claims = write_zip(
        tmp.path(),
        "claims.zip",
        &build_zip(&[raw(b"a.txt", b"a\n")], true, Some(u64::MAX / 2)),
    );
    let r = escrow([
        "check".as_ref(),
        claims.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("more than 2000000 entries"),
        "{}",
        r.stderr
    );
    let p = write_zip(
        tmp.path(),
        "sizes.zip",
        &build_zip(&[raw(b"a.txt", &[b'a'; 3000])], false, None),
    );
    let r = escrow([
        "check".as_ref(),
        p.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
        "--max-bytes".as_ref(),
        "1000".as_ref(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("its central directory says 3000"),
        "{}",
        r.stderr
    );
}

/// A folder entry whose local header names a file and carries its data: `unzip` makes the
/// folder and skips the data, a streaming reader unpacks a file escrow never saw.
#[test]
fn data_hidden_in_a_zip_folder_entry_is_ambiguous() {
    let tmp = tempfile::tempdir().unwrap();
    let mut folder = raw(b"src/", b"class Evil {}\n");
    folder.local_name = b"src/Evil.java";
    let p = write_zip(
        tmp.path(),
        "folder.zip",
        &build_zip(&[folder, raw(b"README.md", b"#\n")], false, None),
    );
    let unzipped = unzip_tree(&p, &tmp.path().join("unzip"));
    assert_eq!(shown(&unzipped), ["README.md", "src"]);
    let (code, r) = check_zip(&p);
    assert_eq!(code, 1, "{r}");
    let amb = with_code(&r, "archive-ambiguous");
    assert_eq!(amb.len(), 2, "{r}");
    assert!(
        amb[0]["evidence"].to_string().contains("src/Evil.java"),
        "{r}"
    );
    assert!(
        amb[1]["message"].as_str().unwrap().contains("14 bytes"),
        "{r}"
    );
    assert_eq!(escrow_tree(&p, tmp.path()), unzipped);
}

/// Offsets and counts are checked against the archive's size: a local header offset past the
/// end, or a central directory holding fewer records than announced, is refused (exit 2)
/// naming the entry or the cause.
#[test]
fn zip_offsets_outside_the_archive_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let m = manifest(tmp.path(), MODULE_MANIFEST);
    let mut bytes = build_zip(&[raw(b"src/App.java", b"class App {}\n")], false, None);
    let cd = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[cd + 42..cd + 46].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
    let far = write_zip(tmp.path(), "far.zip", &bytes);
    let r = escrow([
        "check".as_ref(),
        far.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("src/App.java") && r.stderr.contains("outside the archive"),
        "{}",
        r.stderr
    );
    let short = write_zip(
        tmp.path(),
        "short.zip",
        &build_zip(&[raw(b"src/App.java", b"class App {}\n")], false, Some(3)),
    );
    let r = escrow([
        "check".as_ref(),
        short.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("announces 3"), "{}", r.stderr);
}

/// Where the classic end record says the central directory is, and its size.
fn classic_directory(zip: &[u8]) -> (usize, usize) {
    let end = zip.len() - 22;
    assert_eq!(&zip[end..end + 4], b"PK\x05\x06");
    let at = |i: usize| u32::from_le_bytes(zip[end + i..end + i + 4].try_into().unwrap()) as usize;
    (at(16), at(12))
}

/// A zip64 end record naming one central directory (without `src/Evil.java`) and the classic
/// end record naming another (with it): `unzip` reads the classic one and writes
/// `src/Evil.java`, escrow read the zip64 one and never saw it. escrow now refuses the archive
/// (exit 2), naming it and the cause.
#[test]
fn zip64_and_classic_end_records_naming_different_directories_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let readme = raw(b"README.md", b"# app\n");
    let main = raw(b"src/Main.java", b"class Main {}\n");
    let evil = raw(b"src/Evil.java", b"class Evil { /* never checked */ }\n");
    // The first two entries' local headers lie at the same offsets in both zips.
    let two = build_zip(&[readme.clone(), main.clone()], false, None);
    let three = build_zip(&[readme, main, evil], false, None);
    let (off2, len2) = classic_directory(&two);
    let (off3, len3) = classic_directory(&three);
    let mut out = three[..off3].to_vec();
    let small_at = out.len() as u64;
    out.extend_from_slice(&two[off2..off2 + len2]);
    let big_at = out.len();
    out.extend_from_slice(&three[off3..off3 + len3]);
    let z64 = out.len() as u64;
    out.extend_from_slice(b"PK\x06\x06");
    le64(&mut out, 44);
    le16(&mut out, 45);
    le16(&mut out, 45);
    le32(&mut out, 0);
    le32(&mut out, 0);
    le64(&mut out, 2);
    le64(&mut out, 2);
    le64(&mut out, len2 as u64);
    le64(&mut out, small_at);
    out.extend_from_slice(b"PK\x06\x07");
    le32(&mut out, 0);
    le64(&mut out, z64);
    le32(&mut out, 1);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    le16(&mut out, 3);
    le16(&mut out, 3);
    // Up to the classic end record (as unzip, which ignores the zip64 records, measures it).
    let big_len = (out.len() - 12 - big_at) as u32;
    le32(&mut out, big_len);
    le32(&mut out, big_at as u32);
    le16(&mut out, 0);
    let p = write_zip(tmp.path(), "two-ends.zip", &out);
    let unzipped = unzip_tree(&p, &tmp.path().join("unzip"));
    assert!(
        unzipped.contains_key("src/Evil.java"),
        "unzip reads the classic end record: {unzipped:?}"
    );
    let m = manifest(tmp.path(), MODULE_MANIFEST);
    let r = escrow([
        "check".as_ref(),
        p.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("two-ends.zip")
            && r.stderr
                .contains("two end records describe different central directories"),
        "{}",
        r.stderr
    );
}

/// `unzip` drops control characters (0x01-0x1F, 0x7F) from names: `src/Core.ja\x01va` is
/// written as `src/Core.java`, over the file of that name. escrow gives the same name (so the
/// two are `archive-duplicate-entry`) and says other tools keep the characters.
#[test]
fn control_characters_in_zip_names_are_dropped_as_unzip_does() {
    let tmp = tempfile::tempdir().unwrap();
    let entries = [
        raw(b"README.md", b"# app\n"),
        raw(b"src/Core.java", b"class Core { /* checked */ }\n"),
        raw(b"src/Core.ja\x01va", b"class Core { /* shipped */ }\n"),
        raw(b"src/T\x09a\x1fb\x7f.java", b"class Tab {}\n"),
    ];
    let p = write_zip(tmp.path(), "ctl.zip", &build_zip(&entries, false, None));
    let unzipped = unzip_tree(&p, &tmp.path().join("unzip"));
    assert_eq!(
        shown(&unzipped),
        ["README.md", "src", "src/Core.java", "src/Tab.java"]
    );
    assert!(unzipped["src/Core.java"].contains("shipped"));
    let (code, r) = check_zip(&p);
    assert_eq!(code, 1, "{r}");
    let dup = with_code(&r, "archive-duplicate-entry");
    assert_eq!(dup.len(), 1, "{r}");
    assert_eq!(dup[0]["path"], "src/Core.java");
    let amb = with_code(&r, "archive-ambiguous");
    assert_eq!(amb.len(), 2, "{r}");
    assert_eq!(amb[0]["path"], "src/Core.java");
    assert_eq!(amb[0]["severity"], "deny");
    assert_eq!(amb[1]["path"], "src/Tab.java");
    assert_eq!(escrow_tree(&p, tmp.path()), unzipped);
}

/// A symbolic-link mode makes a link for `unzip` on entries made on VMS (2), Atari ST (5),
/// BeOS (16) and AtheOS (30) as on Unix (3), and a file for the others (Acorn RISC OS 13,
/// OS X 19); the executable bit of hosts whose modes `unzip` reads (13 too, not 19) is kept.
/// escrow made files of all but Unix's, and kept only Unix's modes.
#[test]
fn zip_links_from_every_unix_like_host_are_links() {
    let tmp = tempfile::tempdir().unwrap();
    let mut entries = vec![
        raw(b"README.md", b"# app\n"),
        raw(b"src/Main.java", b"class Main {}\n"),
    ];
    for host in [2u8, 5, 13, 16, 19, 30] {
        let mut link = raw(format!("src/link{host}").as_bytes(), b"Main.java");
        link.host = host;
        link.mode = 0o120_777;
        entries.push(link);
        let mut exe = raw(format!("bin/run{host}.sh").as_bytes(), b"echo run\n");
        exe.host = host;
        exe.mode = 0o100_755;
        entries.push(exe);
    }
    let p = write_zip(tmp.path(), "hosts.zip", &build_zip(&entries, false, None));
    let unzipped = unzip_tree(&p, &tmp.path().join("unzip"));
    for host in [2, 5, 16, 30] {
        assert_eq!(unzipped[&format!("src/link{host}")], "-> Main.java");
    }
    assert!(!unzipped["src/link13"].starts_with("->"));
    assert!(!unzipped["src/link19"].starts_with("->"));
    let (code, r) = check_zip(&p);
    assert!(matches!(code, 0 | 1), "{r}");
    assert_eq!(r["delivery"]["symlinks"], 4, "{r}");
    assert_eq!(escrow_tree(&p, tmp.path()), unzipped);
    let exec = |root: &Path, host: u8| {
        let f = root.join(format!("bin/run{host}.sh"));
        std::fs::metadata(f).unwrap().permissions().mode() & 0o111 != 0
    };
    for host in [2, 5, 13, 16, 19, 30] {
        let unzip_exec = exec(&tmp.path().join("unzip"), host);
        assert_eq!(unzip_exec, host != 19, "unzip's mode on host {host}");
        assert_eq!(
            exec(&tmp.path().join("restored"), host),
            unzip_exec,
            "host {host}"
        );
    }
}

/// Entries Info-ZIP unzip 6.0 cannot extract, a Zstandard one (method 93, written by the
/// `zip` crate, which reads it too) and one needing version 6.3: `unzip` skips them, and so
/// does escrow now, which says other tools unpack them (`archive-ambiguous`).
#[test]
fn zip_entries_unzip_cannot_extract_are_skipped_and_ambiguous() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("zstd.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("README.md", stored).unwrap();
    z.write_all(b"# app\n").unwrap();
    z.start_file("src/Util.java", stored).unwrap();
    z.write_all(b"class Util {}\n").unwrap();
    z.start_file(
        "src/Main.java",
        stored.compression_method(zip::CompressionMethod::Zstd),
    )
    .unwrap();
    z.write_all(b"class Main { /* only 7-Zip sees this */ }\n")
        .unwrap();
    z.finish().unwrap();
    let unzipped = unzip_or_skip(&p, &tmp.path().join("unzip"));
    assert_eq!(shown(&unzipped), ["README.md", "src", "src/Util.java"]);
    let (code, r) = check_zip(&p);
    assert_eq!(code, 1, "{r}");
    let amb = with_code(&r, "archive-ambiguous");
    assert_eq!(amb.len(), 1, "{r}");
    assert_eq!(amb[0]["path"], "src/Main.java");
    assert_eq!(amb[0]["severity"], "deny");
    assert!(
        amb[0]["message"].to_string().contains("method 93"),
        "{}",
        amb[0]
    );
    assert_eq!(escrow_tree(&p, tmp.path()), unzipped);

    let tmp = tempfile::tempdir().unwrap();
    let mut new = raw(b"src/New.java", b"class New {}\n");
    new.needs = 63;
    let entries = [
        raw(b"README.md", b"# app\n"),
        raw(b"src/Old.java", b"class Old {}\n"),
        new,
    ];
    let p = write_zip(tmp.path(), "v63.zip", &build_zip(&entries, false, None));
    let unzipped = unzip_or_skip(&p, &tmp.path().join("unzip"));
    assert_eq!(shown(&unzipped), ["README.md", "src", "src/Old.java"]);
    let (code, r) = check_zip(&p);
    assert_eq!(code, 1, "{r}");
    let amb = with_code(&r, "archive-ambiguous");
    assert_eq!(amb.len(), 1, "{r}");
    assert_eq!(amb[0]["path"], "src/New.java");
    assert!(amb[0]["message"].to_string().contains("6.3"), "{}", amb[0]);
    assert_eq!(escrow_tree(&p, tmp.path()), unzipped);
}

/// What `unzip -o` gives of an archive some of whose entries it skips (exit 81).
fn unzip_or_skip(zip: &Path, out: &Path) -> Tree {
    unzip_with(zip, out, &[81])
}
