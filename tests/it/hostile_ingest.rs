//! Hostile deliveries at ingest: archives that plant links to write outside staging, drop
//! folders changed while they are read, staging permissions and leftovers, setuid modes.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::common::*;

fn check_json(delivery: &Path, tmpdir: Option<&Path>) -> Run {
    let mut cmd = escrow_command();
    cmd.arg("check")
        .arg(delivery)
        .arg("-m")
        .arg(chaoyang())
        .args(["--format", "json"]);
    if let Some(t) = tmpdir {
        cmd.env("TMPDIR", t);
    }
    run(cmd)
}

/// Every file of the sample under `his-v2.3/`.
fn sample_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(sample()).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(sample()).unwrap().to_str().unwrap();
            out.push((format!("his-v2.3/{rel}"), std::fs::read(e.path()).unwrap()));
        }
    }
    out
}

fn tar_header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h
}

fn tar_link(b: &mut tar::Builder<Vec<u8>>, name: &str, target: &Path) {
    let mut h = tar_header(tar::EntryType::Symlink, 0, 0o777);
    b.append_link(&mut h, name, target).unwrap();
}

fn tar_file(b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8], mode: u32) {
    let mut h = tar_header(tar::EntryType::Regular, data.len() as u64, mode);
    b.append_data(&mut h, name, data).unwrap();
}

/// Everything below `dir`, as paths relative to it.
fn listing(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            e.unwrap()
                .path()
                .strip_prefix(dir)
                .unwrap()
                .display()
                .to_string()
        })
        .collect()
}

fn assert_links_refused(run: &Run, outside: &Path) {
    assert_eq!(
        listing(outside),
        Vec::<String>::new(),
        "entries were written outside staging"
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = run.json();
    assert_eq!(r["verdict"], "fail");
    let f = with_code(&r, "archive-unsafe-path");
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(f[0]["severity"], "deny");
    let ev: Vec<&str> = f[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    for refused in ["his-v2.3/esc/planted", "his-v2.3/esc/newdir/deeper/x"] {
        assert!(
            ev.iter().any(|e| e.starts_with(&format!("{refused} ("))),
            "{refused} not refused: {ev:?}"
        );
    }
}

#[test]
fn tar_links_through_links_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in sample_files() {
        tar_file(&mut b, &name, &data, 0o644);
    }
    tar_link(&mut b, "his-v2.3/esc", &outside);
    tar_link(&mut b, "his-v2.3/esc/planted", Path::new("/etc/passwd"));
    tar_link(&mut b, "his-v2.3/esc/newdir/deeper/x", Path::new("/etc"));
    let p = tmp.path().join("links.tar");
    std::fs::write(&p, b.into_inner().unwrap()).unwrap();
    let run = check_json(&p, None);
    assert_links_refused(&run, &outside);
}

#[test]
fn zip_links_through_links_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let p = tmp.path().join("links.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in sample_files() {
        z.start_file(name, opts).unwrap();
        z.write_all(&data).unwrap();
    }
    z.add_symlink("his-v2.3/esc", outside.to_str().unwrap(), opts)
        .unwrap();
    z.add_symlink("his-v2.3/esc/planted", "/etc/passwd", opts)
        .unwrap();
    z.add_symlink("his-v2.3/esc/newdir/deeper/x", "/etc", opts)
        .unwrap();
    z.finish().unwrap();
    let run = check_json(&p, None);
    assert_links_refused(&run, &outside);
}

/// A link entry that comes after entries under its name: the link is refused (the entries
/// under it stay inside staging as a folder).
#[test]
fn a_link_over_a_folder_of_the_archive_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in sample_files() {
        tar_file(&mut b, &name, &data, 0o644);
    }
    tar_file(&mut b, "his-v2.3/late/inside.txt", b"x\n", 0o644);
    tar_link(&mut b, "his-v2.3/late", &outside);
    let p = tmp.path().join("late.tar");
    std::fs::write(&p, b.into_inner().unwrap()).unwrap();
    let run = check_json(&p, None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(listing(&outside).is_empty());
    let r = run.json();
    let f = with_code(&r, "archive-unsafe-path");
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(
        f[0]["evidence"][0],
        "his-v2.3/late (a folder of the archive has this name)"
    );
}

/// A drop folder the vendor can still write: a sub-folder swapped for a link to a folder
/// outside, over and over, while deposits run. No deposit may store, and no restore hand
/// out, the outside folder's content.
#[test]
fn a_folder_swapped_for_a_link_never_reaches_the_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let delivery = tmp.path().join("drop");
    copy_dir(&sample(), &delivery);
    // The sub-folder and the outside folder hold files of the same names.
    let sub = delivery.join("zz-swap");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let marker = format!("OUTSIDE-MARKER-{}", std::process::id());
    for i in 0..300 {
        std::fs::write(sub.join(format!("f{i:03}.txt")), format!("inside {i}\n")).unwrap();
        std::fs::write(
            outside.join(format!("f{i:03}.txt")),
            format!("{marker} {i}\n"),
        )
        .unwrap();
    }
    let vault = tmp.path().join("vault");
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let stop = stop.clone();
        let sub = sub.clone();
        let outside = outside.clone();
        let parked = tmp.path().join("parked");
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::fs::rename(&sub, &parked).unwrap();
                std::os::unix::fs::symlink(&outside, &sub).unwrap();
                std::thread::yield_now();
                std::fs::remove_file(&sub).unwrap();
                std::fs::rename(&parked, &sub).unwrap();
                std::thread::yield_now();
            }
        })
    };
    let mut labels = Vec::new();
    for i in 0..25 {
        let label = format!("r{i}");
        let mut cmd = escrow_command();
        cmd.arg("deposit")
            .arg(&delivery)
            .arg("-m")
            .arg(chaoyang())
            .args(["--label", &label, "--vault"])
            .arg(&vault);
        let run = run(cmd);
        if run.code != 2 {
            labels.push(label);
        }
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
    for label in &labels {
        let out = tmp.path().join(format!("restored-{label}"));
        let mut cmd = escrow_command();
        cmd.arg("restore")
            .arg(label)
            .arg(&out)
            .arg("--vault")
            .arg(&vault);
        let run = run(cmd);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for e in walkdir::WalkDir::new(&out) {
            let e = e.unwrap();
            if e.file_type().is_file() {
                let data = std::fs::read(e.path()).unwrap();
                assert!(
                    !data.windows(marker.len()).any(|w| w == marker.as_bytes()),
                    "{label}: {} holds a file from outside the delivery",
                    e.path().display()
                );
            }
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dst = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
        } else if e.file_type().is_file() {
            std::fs::copy(e.path(), &dst).unwrap();
        }
    }
}

/// The staging folders in `tmp`.
fn stagings(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("escrow-staging-"))
        })
        .collect()
}

/// Staging is private (folders 0700, files 0600/0700, never setuid) while a run unpacks;
/// staging left by a killed run is removed by the next run, which says so; a live run's
/// staging is never touched.
#[test]
fn staging_is_private_and_leftovers_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let tmpdir = tmp.path().join("tmp");
    std::fs::create_dir(&tmpdir).unwrap();
    // Enough entries for the unpacking to take a while.
    let mut b = tar::Builder::new(Vec::new());
    // With no build, only the files a check reads again are written: a build file and a
    // database script.
    tar_file(&mut b, "big/bin/pom.xml", b"<project/>\n", 0o4755);
    tar_file(&mut b, "big/a/secret.sql", b"secret\n", 0o644);
    for i in 0..60_000 {
        tar_file(&mut b, &format!("big/d{}/f{i}.txt", i % 100), b"x", 0o644);
    }
    let p = tmp.path().join("big.tar");
    std::fs::write(&p, b.into_inner().unwrap()).unwrap();
    let mut child = escrow_command()
        .env("TMPDIR", &tmpdir)
        .arg("check")
        .arg(&p)
        .arg("-m")
        .arg(chaoyang())
        .args(["--format", "json"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the run has written its first files.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let staging = loop {
        assert!(std::time::Instant::now() < deadline, "no staging appeared");
        if let Some(s) = stagings(&tmpdir).pop()
            && s.join("tree/big/a/secret.sql").exists()
        {
            break s;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(&staging), 0o700);
    assert_eq!(mode(&staging.join("tree")), 0o700);
    assert_eq!(mode(&staging.join("tree/big")), 0o700);
    assert_eq!(mode(&staging.join("tree/big/a")), 0o700);
    assert_eq!(mode(&staging.join("tree/big/a/secret.sql")), 0o600);
    assert_eq!(mode(&staging.join("tree/big/bin/pom.xml")), 0o700);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(staging.exists(), "the killed run cannot have cleaned up");

    // A live run's staging (its lock held) must survive; a dead run's goes, with a note.
    let live = tmpdir.join("escrow-staging-live");
    std::fs::create_dir(&live).unwrap();
    let lock = std::fs::File::create(live.join("lock")).unwrap();
    lock.lock().unwrap();
    let small = tmp.path().join("small.tar");
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in sample_files() {
        tar_file(&mut b, &name, &data, 0o644);
    }
    std::fs::write(&small, b.into_inner().unwrap()).unwrap();
    let run = check_json(&small, Some(&tmpdir));
    assert_ne!(run.code, 2, "{}", run.stderr);
    assert!(!staging.exists(), "the killed run's staging is still there");
    assert!(
        run.stderr.contains("removed") && run.stderr.contains(&*staging.to_string_lossy()),
        "no note about the removal: {}",
        run.stderr
    );
    assert!(live.exists(), "a live run's staging was removed");
    drop(lock);
}

/// setuid, setgid and sticky modes are reported, from a folder, a tar and a zip.
#[test]
fn setuid_modes_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    // A folder.
    let dir = tmp.path().join("dir");
    copy_dir(&sample(), &dir);
    let tool = dir.join("jingtong/tool.sh");
    std::fs::write(&tool, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let run = check_json(&dir, None);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let r = run.json();
    let f = with_code(&r, "file-setuid");
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(f[0]["severity"], "warn");
    assert_eq!(f[0]["evidence"][0], "jingtong/tool.sh (mode 4755)");

    // A tar.
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in sample_files() {
        tar_file(&mut b, &name, &data, 0o644);
    }
    tar_file(&mut b, "his-v2.3/jingtong/tool.sh", b"#!/bin/sh\n", 0o6755);
    let p = tmp.path().join("suid.tar");
    std::fs::write(&p, b.into_inner().unwrap()).unwrap();
    let run = check_json(&p, None);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let r = run.json();
    let f = with_code(&r, "file-setuid");
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(f[0]["severity"], "warn");
    assert_eq!(f[0]["evidence"][0], "his-v2.3/jingtong/tool.sh (mode 6755)");

    // A zip.
    // The zip crate keeps only the permission bits: python's zipfile writes the mode whole.
    let p = tmp.path().join("suid.zip");
    let script = r##"
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w") as z:
    for d, _, fs in os.walk(src):
        for f in sorted(fs):
            full = os.path.join(d, f)
            z.write(full, "his-v2.3/" + os.path.relpath(full, src))
    i = zipfile.ZipInfo("his-v2.3/jingtong/tool.sh")
    i.create_system = 3
    i.external_attr = 0o101755 << 16
    z.writestr(i, "#!/bin/sh\\n")
"##;
    let status = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(sample())
        .arg(&p)
        .status()
        .expect("python3 makes the zip");
    assert!(status.success());
    let run = check_json(&p, None);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let r = run.json();
    let f = with_code(&r, "file-setuid");
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(f[0]["evidence"][0], "his-v2.3/jingtong/tool.sh (mode 1755)");
}

/// A raw ustar header block (the tar crate's builder would refuse some of these).
fn raw_header(name: &[u8], size: u64, kind: u8, link: &[u8]) -> Vec<u8> {
    raw_tar_header(name, size, kind, link, false)
}

/// Write an entry's data padded to whole blocks.
fn padded(out: &mut impl Write, data: &[u8]) {
    out.write_all(data).unwrap();
    out.write_all(&vec![0u8; data.len().next_multiple_of(512) - data.len()])
        .unwrap();
}

/// A tar.zst whose first entry is an extension header (`x` PAX or `L` GNU long name) of
/// `n` bytes, then a small file: a few kilobytes that once made `check` read the whole name
/// into memory (gigabytes for a 2 GiB name) and print it.
fn name_bomb(path: &Path, kind: u8, n: usize) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zstd::stream::write::Encoder::new(f, 1).unwrap();
    let (head, tail) = if kind == b'x' {
        let r = pax_record("path", &vec![b'a'; n]);
        let cut = r.iter().position(|&b| b == b'a').unwrap();
        (r[..cut].to_vec(), b"\n".to_vec())
    } else {
        (Vec::new(), Vec::new())
    };
    let total = head.len() + n + tail.len();
    z.write_all(&raw_header(b"././@LongName", total as u64, kind, b""))
        .unwrap();
    z.write_all(&head).unwrap();
    let chunk = vec![b'a'; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        z.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    z.write_all(&tail).unwrap();
    z.write_all(&vec![0u8; total.next_multiple_of(512) - total])
        .unwrap();
    z.write_all(&raw_header(b"README.md", 5, b'0', b""))
        .unwrap();
    padded(&mut z, b"hello");
    z.write_all(&[0u8; 1024]).unwrap();
    z.finish().unwrap();
}

#[test]
fn huge_pax_and_long_name_headers_are_refused_before_they_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    for (kind, what) in [(b'x', "PAX extended header"), (b'L', "GNU long name")] {
        let bomb = tmp.path().join(format!("bomb-{}.tar.zst", kind as char));
        name_bomb(&bomb, kind, 64 << 20);
        let run = check_json(&bomb, None);
        assert_eq!(run.code, 2, "{}", run.stderr);
        // The message names the archive and the entry, and never echoes the vendor's name whole.
        assert!(
            run.stderr.len() < 2000,
            "{} bytes on stderr",
            run.stderr.len()
        );
        assert!(
            run.stderr
                .contains(bomb.file_name().unwrap().to_str().unwrap())
                && run.stderr.contains("entry 1")
                && run.stderr.contains(what),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn long_names_and_link_targets_in_gnu_and_pax_tars_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    // A path of about 600 bytes and a link target of 300: both need extension headers.
    let deep = (0..6)
        .map(|i| format!("{i}{}", "d".repeat(99)))
        .collect::<Vec<_>>()
        .join("/");
    std::fs::create_dir_all(src.join(&deep)).unwrap();
    std::fs::write(src.join(&deep).join("Main.java"), "class Main {}\n").unwrap();
    std::os::unix::fs::symlink(format!("{deep}/Main.java"), src.join("main-link")).unwrap();
    let folder = check_json(&src, None);
    assert_ne!(folder.code, 2, "{}", folder.stderr);
    let want = folder.json();
    for format in ["gnu", "pax"] {
        let ar = tmp.path().join(format!("{format}.tar"));
        let st = std::process::Command::new("tar")
            .arg(format!("--format={format}"))
            .arg("-cf")
            .arg(&ar)
            .arg("-C")
            .arg(&src)
            .arg(".")
            .status()
            .unwrap();
        assert!(st.success());
        let run = check_json(&ar, None);
        assert_ne!(run.code, 2, "{format}: {}", run.stderr);
        let got = run.json();
        for k in ["files", "symlinks", "directories"] {
            assert_eq!(got["delivery"][k], want["delivery"][k], "{format}: {k}");
        }
        assert!(
            with_code(&got, "archive-unsafe-path").is_empty(),
            "{format}"
        );
    }
}

#[test]
fn link_targets_are_capped_and_counted_as_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    // One link with a 10,000-byte PAX linkpath: longer than any file system takes.
    let mut t = Vec::new();
    let rec = pax_record("linkpath", &vec![b'b'; 10_000]);
    t.extend_from_slice(&raw_header(b"PaxHeaders/l", rec.len() as u64, b'x', b""));
    padded(&mut t, &rec);
    t.extend_from_slice(&raw_header(b"long-link", 0, b'2', b"t"));
    t.extend_from_slice(&raw_header(b"README.md", 5, b'0', b""));
    padded(&mut t, b"hello");
    t.extend_from_slice(&[0u8; 1024]);
    let ar = tmp.path().join("long-link.tar");
    std::fs::write(&ar, &t).unwrap();
    let run = check_json(&ar, None);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let r = run.json();
    let f = with_code(&r, "archive-unsafe-path");
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(
        f[0]["evidence"][0],
        "long-link (a link target longer than 4096 bytes)"
    );
    assert_eq!(r["delivery"]["symlinks"], 0);

    // Link targets are unpacked bytes: 20 links of 400 bytes pass 1000 bytes.
    let mut t = Vec::new();
    for i in 0..20 {
        let rec = pax_record("linkpath", &vec![b'c'; 400]);
        t.extend_from_slice(&raw_header(b"PaxHeaders/l", rec.len() as u64, b'x', b""));
        padded(&mut t, &rec);
        t.extend_from_slice(&raw_header(format!("l{i}").as_bytes(), 0, b'2', b"t"));
    }
    t.extend_from_slice(&[0u8; 1024]);
    let ar = tmp.path().join("links.tar");
    std::fs::write(&ar, &t).unwrap();
    let run = escrow([
        "check".as_ref(),
        ar.as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
        "--max-bytes".as_ref(),
        "1000".as_ref(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("more than 1000 bytes"),
        "{}",
        run.stderr
    );
}

#[test]
fn max_files_counts_folders_and_links_too() {
    let tmp = tempfile::tempdir().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    for i in 0..50 {
        let mut h = tar_header(tar::EntryType::Directory, 0, 0o755);
        b.append_data(&mut h, format!("d{i}/"), &[][..]).unwrap();
        tar_link(&mut b, &format!("l{i}"), Path::new("README.md"));
    }
    tar_file(&mut b, "README.md", b"hello\n", 0o644);
    let ar = tmp.path().join("many.tar");
    std::fs::write(&ar, b.into_inner().unwrap()).unwrap();
    // And the same in a zip.
    let zpath = tmp.path().join("many.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
    for i in 0..50 {
        z.add_directory(format!("d{i}/"), zip::write::SimpleFileOptions::default())
            .unwrap();
        z.add_symlink(
            format!("l{i}"),
            "README.md",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
    }
    z.start_file("README.md", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"hello\n").unwrap();
    z.finish().unwrap();
    for ar in [ar, zpath] {
        let run = escrow([
            "check".as_ref(),
            ar.as_os_str(),
            "-m".as_ref(),
            chaoyang().as_os_str(),
            "--max-files".as_ref(),
            "20".as_ref(),
        ]);
        assert_eq!(run.code, 2, "{}: {}", ar.display(), run.stderr);
        assert!(
            run.stderr.contains("more than 20 entries"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn entry_names_in_errors_are_shortened() {
    let tmp = tempfile::tempdir().unwrap();
    // One component of 4000 bytes: no file system takes it, and the error says so briefly.
    let name = format!("{}.java", "n".repeat(3995));
    let mut t = Vec::new();
    let mut long = name.clone().into_bytes();
    long.push(0);
    t.extend_from_slice(&raw_header(b"././@LongLink", long.len() as u64, b'L', b""));
    padded(&mut t, &long);
    t.extend_from_slice(&raw_header(b"x", 5, b'0', b""));
    padded(&mut t, b"hello");
    t.extend_from_slice(&[0u8; 1024]);
    let ar = tmp.path().join("long-name.tar");
    std::fs::write(&ar, &t).unwrap();
    let run = check_json(&ar, None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.len() < 1000, "{}", run.stderr);
    assert!(run.stderr.contains("bytes left out"), "{}", run.stderr);
}

/// A plain tar: the sample under `his-v2.3/`, then `extra` (raw blocks), then the end blocks.
fn sample_tar_with(extra: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in sample_files() {
        out.extend_from_slice(&raw_header(name.as_bytes(), data.len() as u64, b'0', b""));
        padded(&mut out, &data);
    }
    out.extend_from_slice(extra);
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// An extension header of type `kind` holding `data`, followed by the file `name` holding
/// `payload`.
fn ext_then_file(kind: u8, data: &[u8], name: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&raw_header(b"././@PaxHeader", data.len() as u64, kind, b""));
    padded(&mut out, data);
    out.extend_from_slice(&raw_header(name, payload.len() as u64, b'0', b""));
    padded(&mut out, payload);
    out
}

/// Tar headers that GNU tar reads one way and a naive reader another: each would put the
/// payload over a checked source file for the hospital while escrow checked (and stored) the
/// clean one. Each is refused (exit 2, naming the entry) rather than read differently, or read
/// as GNU tar reads it and reported (an unknown entry type); a global header with only a comment (what `git archive` writes) is still read.
#[test]
#[allow(clippy::too_many_lines)] // one table of crafted headers, each checked the same way
fn tar_headers_read_differently_by_tar_tools_are_refused() {
    let target =
        b"his-v2.3/internet-hospital/src/main/java/com/sxyl/ih/service/PatientService.java";
    let payload = b"class Backdoor {}\n";
    // A PAX record whose value holds a newline and a second, fake `path` record: by length,
    // one `path` (the target) and one comment; split at newlines, the fake path wins.
    let fake = pax_record("path", b"his-v2.3/docs/notes.txt");
    let mut comment = b"x\n".to_vec();
    comment.extend_from_slice(&fake[..fake.len() - 1]);
    let mut newline = pax_record("path", target);
    newline.extend_from_slice(&pax_record("comment", &comment));
    let mut sparse = pax_record("GNU.sparse.major", b"1");
    sparse.extend_from_slice(&pax_record("GNU.sparse.minor", b"0"));
    sparse.extend_from_slice(&pax_record("GNU.sparse.name", target));
    sparse.extend_from_slice(&pax_record("GNU.sparse.realsize", b"18"));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a global path",
            ext_then_file(
                b'g',
                &pax_record("path", target),
                b"his-v2.3/docs/notes.txt",
                payload,
            ),
            "global PAX header setting `path`",
        ),
        (
            "GNU sparse 1.0",
            ext_then_file(
                b'x',
                &sparse,
                b"his-v2.3/docs/GNUSparseFile.0/notes.txt",
                payload,
            ),
            "GNU sparse file",
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    // Read by length, the PAX header names the target, as for GNU tar (and a Solaris `X`
    // header is read as a PAX one, as GNU tar does): the target is then delivered twice with
    // different contents, which is deny.
    for (what, extra) in [
        (
            "a PAX value hiding a record",
            ext_then_file(b'x', &newline, b"his-v2.3/docs/notes.txt", payload),
        ),
        (
            "a Solaris X header",
            ext_then_file(
                b'X',
                &pax_record("path", target),
                b"his-v2.3/docs/notes.txt",
                payload,
            ),
        ),
    ] {
        let tar = tmp.path().join("read-as-gnu.tar");
        std::fs::write(&tar, sample_tar_with(&extra)).unwrap();
        let r = check_json(&tar, None);
        assert_eq!(r.code, 1, "{what}: {}", r.stderr);
        let j = r.json();
        let dup = with_code(&j, "archive-duplicate-entry");
        assert_eq!(dup.len(), 1, "{what}: {j}");
        assert_eq!(dup[0]["severity"], "deny");
        assert!(
            dup[0]["path"]
                .as_str()
                .unwrap()
                .ends_with("PatientService.java"),
            "{what}: {j}"
        );
        // The header's name is taken, not the entry's own: no extra file.
        assert_eq!(
            j["delivery"]["files"],
            sample_files().len(),
            "{what}: {}",
            j["delivery"]
        );
    }
    // An unknown entry type is read as GNU tar reads it (a regular file, here over the
    // target): reported ambiguous, and the target delivered twice.
    let mut unknown = raw_header(target, payload.len() as u64, b'Z', b"");
    padded(&mut unknown, payload);
    let tar = tmp.path().join("unknown-type.tar");
    std::fs::write(&tar, sample_tar_with(&unknown)).unwrap();
    let r = check_json(&tar, None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.json();
    assert_eq!(with_code(&j, "archive-ambiguous").len(), 1, "{j}");
    assert_eq!(with_code(&j, "archive-duplicate-entry").len(), 1, "{j}");
    for (what, extra, message) in cases {
        let tar = tmp.path().join("delivery.tar");
        std::fs::write(&tar, sample_tar_with(&extra)).unwrap();
        // GNU tar, where installed, shows the difference is real: the target is overwritten.
        let out = tmp.path().join("gnu");
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir(&out).unwrap();
        if let Ok(s) = std::process::Command::new("tar")
            .arg("-xf")
            .arg(&tar)
            .arg("-C")
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .status()
            && s.success()
        {
            let got = std::fs::read(out.join(std::str::from_utf8(target).unwrap())).unwrap();
            assert_eq!(
                got, payload,
                "{what}: GNU tar writes the payload over the target"
            );
        }
        let r = check_json(&tar, None);
        assert_eq!(r.code, 2, "{what}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(message), "{what}: {}", r.stderr);
    }

    // What `git archive` writes first: a global header with the commit id as a comment.
    let commit = pax_record("comment", b"0123456789abcdef0123456789abcdef01234567");
    let mut g = raw_header(b"pax_global_header", commit.len() as u64, b'g', b"");
    padded(&mut g, &commit);
    let mut tar = g;
    tar.extend_from_slice(&sample_tar_with(&[]));
    let path = tmp.path().join("git-archive.tar");
    std::fs::write(&path, tar).unwrap();
    let r = check_json(&path, None);
    assert_ne!(r.code, 2, "{}", r.stderr);
}
