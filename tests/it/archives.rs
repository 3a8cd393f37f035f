//! Archives as deliveries: every format gives the same report as the folder, and hostile
//! archives never write outside the staging folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::common::*;

/// Every file of the sample, as (path inside a top folder, bytes, mode).
fn sample_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(sample()).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(sample())
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            out.push((format!("his-v2.3/{rel}"), std::fs::read(e.path()).unwrap()));
        }
    }
    out
}

fn tar_bytes(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        raw_name(&mut h, name.as_bytes());
        h.set_cksum();
        b.append(&h, &data[..]).unwrap();
    }
    b.into_inner().unwrap()
}

/// Set a tar header's name bytes directly (the tar crate refuses `..`, as it should).
fn raw_name(h: &mut tar::Header, name: &[u8]) {
    let field = &mut h.as_old_mut().name;
    field.fill(0);
    field[..name.len()].copy_from_slice(name);
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn check(path: &Path) -> (i32, serde_json::Value, String) {
    let run = escrow([
        "check".as_ref(),
        path.as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let v = if run.code == 2 {
        serde_json::Value::Null
    } else {
        run.json()
    };
    (run.code, v, run.stderr)
}

#[test]
fn every_format_reports_like_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let files = sample_files();
    let tar = tar_bytes(&files);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    let mut xz = xz2::write::XzEncoder::new(Vec::new(), 1);
    xz.write_all(&tar).unwrap();
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&tar).unwrap();
    let zst = zstd::stream::encode_all(&tar[..], 1).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in &files {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(data).unwrap();
    }
    let zip = zip.finish().unwrap().into_inner();
    let folder = check_json(&sample(), &chaoyang()).json();
    // Names do not decide the format: the first bytes do.
    for (name, bytes, format) in [
        ("a.tar", tar.clone(), "tar"),
        ("b.bin", gz.finish().unwrap(), "tar.gz"),
        ("c.tar.xz", xz.finish().unwrap(), "tar.xz"),
        ("d.tbz2", bz.finish().unwrap(), "tar.bz2"),
        ("e.tar.zst", zst, "tar.zst"),
        ("f.zip", zip, "zip"),
    ] {
        let p = write_file(tmp.path(), name, &bytes);
        let (code, r, err) = check(&p);
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(r["delivery"]["source"]["kind"], "archive");
        assert_eq!(r["delivery"]["source"]["format"], format, "{name}");
        assert_eq!(r["delivery"]["source"]["rooted_at"], "his-v2.3");
        assert_eq!(
            r["delivery"]["source"]["sha256"].as_str().unwrap().len(),
            64
        );
        assert_eq!(
            r["delivery"]["files"], folder["delivery"]["files"],
            "{name}"
        );
        assert_eq!(
            r["delivery"]["bytes"], folder["delivery"]["bytes"],
            "{name}"
        );
        assert_eq!(r["requirements"], folder["requirements"], "{name}");
    }
}

#[test]
fn escapes_are_refused_and_nothing_lands_outside() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let mut files = sample_files();
    let escape = format!("his-v2.3/../../../../..{}/evil.txt", outside.display());
    files.push((escape, b"pwned".to_vec()));
    files.push((format!("{}/abs.txt", outside.display()), b"pwned".to_vec()));
    files.push(("his-v2.3\\..\\..\\win.txt".to_owned(), b"pwned".to_vec()));
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in &files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        raw_name(&mut h, name.as_bytes());
        h.set_cksum();
        b.append(&h, &data[..]).unwrap();
    }
    // A link out, then a file written "through" it; a hard link to a file outside.
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    raw_name(&mut h, b"his-v2.3/jingtong/out");
    h.set_link_name(&outside).unwrap();
    h.set_cksum();
    b.append(&h, &[][..]).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_size(5);
    raw_name(&mut h, b"his-v2.3/jingtong/out/through.txt");
    h.set_cksum();
    b.append(&h, &b"pwned"[..]).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Link);
    h.set_size(0);
    raw_name(&mut h, b"his-v2.3/passwd");
    h.set_link_name("/etc/passwd").unwrap();
    h.set_cksum();
    b.append(&h, &[][..]).unwrap();
    let p = write_file(tmp.path(), "hostile.tar", &b.into_inner().unwrap());
    let (code, r, err) = check(&p);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        0,
        "something escaped"
    );
    assert!(!tmp.path().join("win.txt").exists());
    let f = with_code(&r, "archive-unsafe-path");
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(f[0]["severity"], "deny");
    let ev = f[0]["evidence"].as_array().unwrap();
    assert_eq!(ev.len(), 5, "{ev:?}");
    // The file meant to go through the link was refused; the link itself is recorded, never
    // followed.
    assert!(
        ev.iter().any(|e| e
            == "his-v2.3/jingtong/out/through.txt (its folder is a symbolic link of the archive)"),
        "{ev:?}"
    );
    assert_eq!(r["delivery"]["symlinks"], 1);
}

#[test]
fn bombs_and_truncation_are_errors_naming_the_archive() {
    let tmp = tempfile::tempdir().unwrap();
    // 300 MB of zeros in a few kilobytes of zstd.
    let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 1).unwrap();
    let mut b = tar::Builder::new(&mut enc);
    let mut h = tar::Header::new_gnu();
    h.set_size(300 << 20);
    h.set_mode(0o644);
    raw_name(&mut h, b"zeros.bin");
    h.set_cksum();
    b.append(&h, std::io::repeat(0).take_bytes(300 << 20))
        .unwrap();
    b.finish().unwrap();
    drop(b);
    let bomb = write_file(tmp.path(), "bomb.tar.zst", &enc.finish().unwrap());
    let (code, _, err) = check(&bomb);
    assert_eq!(code, 2);
    assert!(
        err.contains("bomb.tar.zst") && err.contains("decompression bomb"),
        "{err}"
    );

    let tar = tar_bytes(&sample_files());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    let gz = gz.finish().unwrap();
    let cut = write_file(tmp.path(), "cut.tgz", &gz[..gz.len() / 2]);
    let (code, _, err) = check(&cut);
    assert_eq!(code, 2);
    assert!(
        err.contains("cut.tgz") && err.contains("truncated or corrupt"),
        "{err}"
    );

    let sevenz = write_file(tmp.path(), "x.7z", b"7z\xbc\xaf\x27\x1c\x00\x04rest");
    let (code, _, err) = check(&sevenz);
    assert_eq!(code, 2);
    assert!(err.contains("repack the delivery as zip or tar"), "{err}");
}

trait TakeBytes: std::io::Read + Sized {
    fn take_bytes(self, n: u64) -> std::io::Take<Self> {
        self.take(n)
    }
}
impl<R: std::io::Read> TakeBytes for R {}

#[test]
fn duplicates_and_special_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = sample_files();
    files.push((
        "his-v2.3/jingtong/pom.xml".to_owned(),
        b"<project/>".to_vec(),
    ));
    let mut tar = tar_bytes(&files);
    // Append a FIFO entry before the end-of-archive blocks.
    tar.truncate(tar.len() - 1024);
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Fifo);
    h.set_size(0);
    raw_name(&mut h, b"his-v2.3/pipe");
    h.set_cksum();
    tar.extend_from_slice(h.as_bytes());
    tar.extend_from_slice(&[0u8; 1024]);
    let p = write_file(tmp.path(), "dup.tar", &tar);
    let (code, r, err) = check(&p);
    assert_eq!(code, 1, "the duplicate is deny: {err}");
    assert_eq!(
        codes(&r),
        ["archive-duplicate-entry", "special-file-skipped"]
    );
    assert_eq!(
        with_code(&r, "archive-duplicate-entry")[0]["path"],
        "jingtong/pom.xml"
    );
}

#[test]
fn gbk_names_and_encrypted_entries_in_zips() {
    let tmp = tempfile::tempdir().unwrap();
    let files = sample_files();
    let (gbk_name, _, _) = encoding_rs::GBK.encode("his/docs/部署手册.md");
    let mut entries: Vec<(Vec<u8>, Vec<u8>, u16)> = files
        .iter()
        .filter(|(n, _)| !n.contains("部署手册"))
        .map(|(n, d)| {
            (
                n.replacen("his-v2.3", "his", 1).into_bytes(),
                d.clone(),
                0u16,
            )
        })
        .collect();
    entries.push((
        gbk_name.into_owned(),
        "部署步骤：安装数据库，导入脚本，启动服务。\n"
            .repeat(60)
            .into_bytes(),
        0,
    ));
    // Bit 0: the entry is encrypted.
    entries.push((b"his/license.dat".to_vec(), vec![7u8; 64], 1));
    let borrowed: Vec<(&[u8], &[u8], u16)> = entries
        .iter()
        .map(|(n, d, f)| (&n[..], &d[..], *f))
        .collect();
    let p = write_file(tmp.path(), "windows.zip", &raw_zip(&borrowed));
    let (code, r, err) = check(&p);
    assert_eq!(code, 1, "{err}");
    assert_eq!(requirement(&r, "deployment-manual")["status"], "met", "{r}");
    assert_eq!(
        requirement(&r, "deployment-manual")["sample"][0],
        "docs/部署手册.md"
    );
    assert_eq!(codes(&r), ["archive-encrypted"]);
    let f = with_code(&r, "archive-encrypted")[0];
    assert_eq!(f["evidence"][0], "his/license.dat");
}

#[test]
fn limits_are_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let small = write_file(tmp.path(), "small.tar", &tar_bytes(&sample_files()));
    let with = |flag: &str, value: &str| {
        escrow([
            "check".as_ref(),
            small.as_os_str(),
            "-m".as_ref(),
            chaoyang().as_os_str(),
            flag.as_ref(),
            value.as_ref(),
        ])
    };
    let run = with("--max-bytes", "1000");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("more than 1000 bytes") && run.stderr.contains("--max-bytes"),
        "{}",
        run.stderr
    );
    let run = with("--max-files", "10");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("more than 10 entries"),
        "{}",
        run.stderr
    );
    let run = with("--max-files", "100000");
    assert_eq!(run.code, 0, "{}", run.stderr);
}
