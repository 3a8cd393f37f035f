//! Tar archives read as GNU tar extracts them: each archive is made at test time with the real
//! GNU `tar` (or raw headers for hostile ones), unpacked with `tar -xf`, and escrow's tree
//! (deposited, then restored) compared with GNU tar's; where tar tools read an entry
//! differently, `archive-ambiguous` (deny) gives both readings.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// A file of 40,960 bytes with data at 0 and at 32 KiB, holes elsewhere: GNU tar stores it
/// sparse.
fn holey(dir: &Path) -> Vec<u8> {
    let mut data = vec![0u8; 40_960];
    data[..12].copy_from_slice(b"head of file");
    data[32_768..32_768 + 10].copy_from_slice(b"middle bit");
    let f = std::fs::File::create(dir.join("holes.bin")).unwrap();
    f.set_len(40_960).unwrap();
    std::os::unix::fs::FileExt::write_all_at(&f, &data[..12], 0).unwrap();
    std::os::unix::fs::FileExt::write_all_at(&f, &data[32_768..32_778], 32_768).unwrap();
    data
}

/// Run GNU tar with `args`; panics when it fails.
fn gnu_tar(args: &[&OsStr]) {
    let out = Command::new("tar").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "tar {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `tar -xf archive` into a new folder under `tmp` named `name`; GNU tar's exit status.
fn tar_x(tmp: &Path, archive: &Path, name: &str) -> (PathBuf, i32) {
    let out = tmp.join(name);
    std::fs::create_dir(&out).unwrap();
    let s = Command::new("tar")
        .arg("-xf")
        .arg(archive)
        .arg("-C")
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    (out, s.code().unwrap_or(-1))
}

/// A tree as (path → what it is: a file's length and hash, a folder, a link's target); devices and
/// FIFOs are left out (escrow reports them and never makes them).
fn tree(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(root).min_depth(1) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(root).unwrap().display().to_string();
        let t = e.file_type();
        if t.is_symlink() {
            let target = std::fs::read_link(e.path()).unwrap();
            out.insert(rel, format!("link {}", target.display()));
        } else if t.is_dir() {
            out.insert(rel, "folder".to_owned());
        } else if t.is_file() {
            let bytes = std::fs::read(e.path()).unwrap();
            let fnv = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            out.insert(
                rel,
                format!("file of {} bytes, FNV-1a {fnv:016x}", bytes.len()),
            );
        }
    }
    out
}

fn check(archive: &Path) -> Run {
    escrow([
        "check".as_ref(),
        archive.as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ])
}

/// `escrow deposit` of `archive` into a vault under `tmp`, then `escrow restore` into
/// `tmp/name`: the tree escrow checked and kept.
fn deposit_restore(tmp: &Path, archive: &Path, name: &str) -> PathBuf {
    let vault = tmp.join(format!("vault-{name}"));
    let dep = escrow([
        "deposit".as_ref(),
        archive.as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
        "--label".as_ref(),
        "v1".as_ref(),
        "--vault".as_ref(),
        vault.as_os_str(),
    ]);
    assert_ne!(dep.code, 2, "deposit of {name}: {}", dep.stderr);
    let out = tmp.join(name);
    let res = escrow([
        "restore".as_ref(),
        "v1".as_ref(),
        out.as_os_str(),
        "--vault".as_ref(),
        vault.as_os_str(),
    ]);
    assert_eq!(res.code, 0, "restore of {name}: {}", res.stderr);
    out
}

/// The `archive-ambiguous` findings of a check's report.
fn ambiguous(run: &Run) -> Vec<serde_json::Value> {
    assert_ne!(run.code, 2, "{}", run.stderr);
    let j = run.json();
    let found: Vec<serde_json::Value> = with_code(&j, "archive-ambiguous")
        .into_iter()
        .cloned()
        .collect();
    for f in &found {
        assert_eq!(f["severity"], "deny", "{f}");
    }
    found
}

/// Every GNU sparse format GNU tar writes (old GNU `S` entries, PAX 0.0, 0.1 and 1.0) is read
/// with its holes as zeros under the real name and size: check, deposit and restore give
/// byte for byte what `tar -xf` gives.
#[test]
fn sparse_files_of_every_format_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(src.join("his")).unwrap();
    let data = holey(&src.join("his"));
    std::fs::write(src.join("his/readme.txt"), "plain\n").unwrap();
    // 30 stretches of data: the old GNU format needs extension blocks for the map.
    let many = std::fs::File::create(src.join("his/many.bin")).unwrap();
    many.set_len(30 * 16_384 + 8192).unwrap();
    for i in 0..30u64 {
        let chunk = vec![b'a' + (i % 26) as u8; 4096];
        std::os::unix::fs::FileExt::write_all_at(&many, &chunk, i * 16_384 + 4096).unwrap();
    }
    drop(many);
    for (name, flags) in [
        ("gnu", &["--sparse", "--format=gnu"][..]),
        ("pax00", &["--posix", "--sparse-version=0.0"][..]),
        ("pax01", &["--posix", "--sparse-version=0.1"][..]),
        ("pax10", &["--posix", "--sparse-version=1.0"][..]),
    ] {
        let ar = tmp.path().join(format!("{name}.tar"));
        let mut args: Vec<&OsStr> = vec!["-cf".as_ref(), ar.as_os_str()];
        args.extend(flags.iter().map(OsStr::new));
        args.extend(["-C".as_ref(), src.as_os_str(), "his".as_ref()]);
        gnu_tar(&args);
        // GNU tar did store it sparse: a type `S` header, or PAX GNU.sparse records.
        let bytes = std::fs::read(&ar).unwrap();
        let stored_sparse = if name == "gnu" {
            bytes.chunks(512).any(|b| b[156] == b'S')
        } else {
            bytes.windows(11).any(|w| w == b"GNU.sparse.")
        };
        assert!(stored_sparse, "{name}: tar did not store the file sparse");
        // Less than the files' real sizes (540,672 bytes together).
        assert!(bytes.len() < 300_000, "{name}: {} bytes", bytes.len());
        let run = check(&ar);
        assert_ne!(run.code, 2, "{name}: {}", run.stderr);
        assert_eq!(run.json()["delivery"]["files"], 3, "{name}");
        let (gnu, code) = tar_x(tmp.path(), &ar, &format!("gnu-{name}"));
        assert_eq!(code, 0);
        assert_eq!(std::fs::read(gnu.join("his/holes.bin")).unwrap(), data);
        // escrow takes a single top folder as the delivery's root.
        let ours = deposit_restore(tmp.path(), &ar, &format!("escrow-{name}"));
        assert_eq!(tree(&ours), tree(&gnu.join("his")), "{name}");
        assert_eq!(std::fs::read(ours.join("holes.bin")).unwrap(), data);
    }
}

/// Replace `from` by `to` (same length) in the file at `path`.
fn patch(path: &Path, from: &[u8], to: &[u8], out: &str) -> PathBuf {
    assert_eq!(from.len(), to.len());
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| {
            panic!(
                "{} not in {}",
                String::from_utf8_lossy(from),
                path.display()
            )
        });
    bytes[at..at + to.len()].copy_from_slice(to);
    let out = path.with_file_name(out);
    std::fs::write(&out, bytes).unwrap();
    out
}

/// A sparse map out of order, past the real size, not matching the data, too long or not
/// made of numbers is an error (exit 2) naming the entry.
#[test]
fn malformed_sparse_maps_are_errors_naming_the_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    holey(&src);
    let make = |name: &str, flags: &[&str]| -> PathBuf {
        let ar = tmp.path().join(format!("{name}.tar"));
        let mut args: Vec<&OsStr> = vec!["-cf".as_ref(), ar.as_os_str()];
        args.extend(flags.iter().map(OsStr::new));
        args.extend(["-C".as_ref(), src.as_os_str(), "holes.bin".as_ref()]);
        gnu_tar(&args);
        ar
    };
    let v01 = make("v01", &["--posix", "--sparse-version=0.1"]);
    let v10 = make("v10", &["--posix", "--sparse-version=1.0"]);
    let v00 = make("v00", &["--posix", "--sparse-version=0.0"]);
    let cases = [
        (
            "out of order",
            patch(
                &v01,
                b"=0,4096,32768,4096,",
                b"=32768,4096,0,4096,",
                "order.tar",
            ),
            "is not after the previous one",
        ),
        (
            "past the real size",
            patch(&v10, b"\n32768\n4096\n", b"\n99999\n4096\n", "past.tar"),
            "ends past the file's size",
        ),
        (
            "more data listed than stored",
            patch(&v00, b"numbytes=4096\n27", b"numbytes=8192\n27", "more.tar"),
            "the map lists",
        ),
        (
            "too many map entries",
            patch(&v10, b"3\n0\n4096\n", b"9999999\n0", "many.tar"),
            "map entries, more than the",
        ),
        (
            "a map that is not numbers",
            patch(&v10, b"3\n0\n4096\n", b"3\nx\n4096\n", "letters.tar"),
            "is not a number",
        ),
    ];
    for (what, ar, message) in cases {
        let run = check(&ar);
        assert_eq!(run.code, 2, "{what}: {}", run.stdout);
        assert!(
            run.stderr.contains("GNU sparse file") && run.stderr.contains("holes.bin"),
            "{what}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(message), "{what}: {}", run.stderr);
    }
}

/// A restored file that is mostly a hole keeps it: its allocated blocks are far below its
/// size.
#[test]
fn restore_keeps_holes_sparse() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    let size: u64 = 4 * 1024 * 1024;
    let f = std::fs::File::create(src.join("image.dat")).unwrap();
    f.set_len(size).unwrap();
    std::os::unix::fs::FileExt::write_all_at(&f, b"start", 0).unwrap();
    std::os::unix::fs::FileExt::write_all_at(&f, b"three MiB in", 3 * 1024 * 1024 + 100).unwrap();
    std::os::unix::fs::FileExt::write_all_at(&f, b"end", size - 3).unwrap();
    drop(f);
    let out = deposit_restore(tmp.path(), &src, "out");
    let got = out.join("image.dat");
    assert_eq!(
        std::fs::read(&got).unwrap(),
        std::fs::read(src.join("image.dat")).unwrap()
    );
    let meta = std::fs::metadata(&got).unwrap();
    assert_eq!(meta.len(), size);
    let allocated = meta.blocks() * 512;
    assert!(
        allocated <= 64 * 1024,
        "{allocated} bytes allocated for a {size}-byte file that is mostly a hole"
    );
}

/// A raw tar header with GNU tar's magic.
fn raw_header(name: &[u8], size: u64, kind: u8, link: &[u8]) -> Vec<u8> {
    raw_tar_header(name, size, kind, link, true)
}

/// An entry: its header and its data padded to whole blocks.
fn raw_entry(name: &[u8], kind: u8, data: &[u8], link: &[u8]) -> Vec<u8> {
    let mut out = raw_header(name, data.len() as u64, kind, link);
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(512), 0);
    out
}

fn write_tar(tmp: &Path, name: &str, entries: &[Vec<u8>]) -> PathBuf {
    let mut t = entries.concat();
    t.extend_from_slice(&[0u8; 1024]);
    let p = tmp.join(name);
    std::fs::write(&p, t).unwrap();
    p
}

/// Entry types GNU tar does not extract as their own kind (`Z`, `N` and any unknown letter as
/// a regular file, `D` as a folder, `M` not at all) are read as GNU tar reads them, with an
/// `archive-ambiguous` finding giving GNU tar's reading and the other tools'.
#[test]
fn unknown_entry_types_are_read_as_gnu_tar_does_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    for (kind, gnu_reading) in [
        (b'Z', "a regular file"),
        (b'N', "a regular file"),
        (b'Q', "a regular file"),
        (b'D', "a folder"),
        (b'M', "nothing unpacked"),
    ] {
        let c = char::from(kind);
        let ar = write_tar(
            tmp.path(),
            &format!("type-{c}.tar"),
            &[
                raw_entry(b"odd.txt", kind, b"odd data\n", b""),
                raw_entry(b"after.txt", b'0', b"after\n", b""),
            ],
        );
        let (gnu, code) = tar_x(tmp.path(), &ar, &format!("gnu-{c}"));
        assert_eq!(code, if kind == b'M' { 2 } else { 0 }, "{c}");
        let ours = deposit_restore(tmp.path(), &ar, &format!("escrow-{c}"));
        assert_eq!(tree(&ours), tree(&gnu), "{c}");
        let found = ambiguous(&check(&ar));
        assert_eq!(found.len(), 1, "{c}: {found:?}");
        assert_eq!(found[0]["path"], "odd.txt");
        let evidence = found[0]["evidence"].to_string();
        assert!(
            evidence.contains(&format!("GNU tar: {gnu_reading}")),
            "{c}: {evidence}"
        );
    }
    // A volume label stays as it was: no file, no finding.
    let ar = write_tar(
        tmp.path(),
        "label.tar",
        &[
            raw_entry(b"LABEL", b'V', b"", b""),
            raw_entry(b"after.txt", b'0', b"after\n", b""),
        ],
    );
    assert!(ambiguous(&check(&ar)).is_empty());
}

/// A folder, link or FIFO entry whose size field is not 0 (or a regular entry named with a
/// trailing slash, a folder for GNU tar): GNU tar (like bsdtar, and Python but for the last)
/// reads the next header right after it, so an entry hidden in its "data" is unpacked. escrow
/// reads it so too, and reports the entry with both readings.
#[test]
fn entries_hidden_in_the_data_of_folder_and_link_entries_are_read_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let hidden = raw_entry(b"hidden.txt", b'0', b"secret\n", b"");
    for (what, kind, link, name) in [
        ("folder", b'5', &b""[..], "holder"),
        ("symbolic link", b'2', &b"first.txt"[..], "holder"),
        ("hard link", b'1', &b"first.txt"[..], "holder"),
        ("FIFO", b'6', &b""[..], "holder"),
        // A regular entry named with a trailing slash: a folder for GNU tar.
        ("folder", b'0', &b""[..], "holder/"),
    ] {
        let c = char::from(kind);
        let ar = write_tar(
            tmp.path(),
            &format!("hidden-{c}.tar"),
            &[
                raw_entry(b"first.txt", b'0', b"first\n", b""),
                raw_entry(name.as_bytes(), kind, &hidden, link),
                raw_entry(b"last.txt", b'0', b"last\n", b""),
            ],
        );
        let (gnu, code) = tar_x(tmp.path(), &ar, &format!("gnu-{c}"));
        assert_eq!(code, 0, "{what}");
        assert!(
            gnu.join("hidden.txt").is_file(),
            "{what}: GNU tar unpacks it"
        );
        let ours = deposit_restore(tmp.path(), &ar, &format!("escrow-{c}"));
        assert_eq!(tree(&ours), tree(&gnu), "{what}");
        let found = ambiguous(&check(&ar));
        assert_eq!(found.len(), 1, "{what}: {found:?}");
        assert_eq!(found[0]["path"], name);
        let text = found[0].to_string();
        assert!(
            text.contains(what) && text.contains("hidden.txt"),
            "{what}: {text}"
        );
    }
}

/// A GNU long name and a PAX `path` on one entry naming different files (and a GNU long link
/// and a PAX `linkpath`): the tree takes GNU tar's reading (the PAX one) and
/// `archive-ambiguous` lists both names.
#[test]
fn gnu_long_and_pax_names_that_differ_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let long = |kind: u8, v: &[u8]| {
        let mut d = v.to_vec();
        d.push(0);
        raw_entry(b"././@LongLink", kind, &d, b"")
    };
    let pax = |key: &str, v: &[u8]| raw_entry(b"PaxHeaders/x", b'x', &pax_record(key, v), b"");
    let cases = [
        (
            "names, GNU first",
            vec![
                long(b'L', b"gnu-name.txt"),
                pax("path", b"pax-name.txt"),
                raw_entry(b"own.txt", b'0', b"data\n", b""),
            ],
            ("pax-name.txt", "gnu-name.txt"),
        ),
        (
            "names, PAX first",
            vec![
                pax("path", b"pax-name.txt"),
                long(b'L', b"gnu-name.txt"),
                raw_entry(b"own.txt", b'0', b"data\n", b""),
            ],
            ("pax-name.txt", "gnu-name.txt"),
        ),
        (
            "link targets",
            vec![
                raw_entry(b"a.txt", b'0', b"a\n", b""),
                long(b'K', b"gnu-target"),
                pax("linkpath", b"pax-target"),
                raw_entry(b"link", b'2', b"", b"own-target"),
            ],
            ("pax-target", "gnu-target"),
        ),
    ];
    for (n, (what, entries, (gnu_name, other))) in cases.into_iter().enumerate() {
        let ar = write_tar(tmp.path(), &format!("names-{n}.tar"), &entries);
        let (gnu, code) = tar_x(tmp.path(), &ar, &format!("gnu-{n}"));
        assert_eq!(code, 0, "{what}");
        let ours = deposit_restore(tmp.path(), &ar, &format!("escrow-{n}"));
        assert_eq!(tree(&ours), tree(&gnu), "{what}");
        assert!(
            tree(&gnu)
                .values()
                .chain(tree(&gnu).keys())
                .any(|v| v.contains(gnu_name))
        );
        let found = ambiguous(&check(&ar));
        assert_eq!(found.len(), 1, "{what}: {found:?}");
        let evidence = found[0]["evidence"].to_string();
        assert!(
            evidence.contains(&format!("GNU tar: {gnu_name}")) && evidence.contains(other),
            "{what}: {evidence}"
        );
    }
}

/// A header whose size field is replaced by the raw 12 bytes `field` (base-256), checksum
/// fixed.
fn with_size_field(mut h: Vec<u8>, field: &[u8; 12]) -> Vec<u8> {
    h[124..136].copy_from_slice(field);
    h[148..156].fill(b' ');
    let sum: u32 = h[..512].iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

/// An encrypted-looking Java file of 1,024 bytes, hidden in the data of the entry before it.
fn evil_entry() -> Vec<u8> {
    let mut data = b"Salted__".to_vec();
    data.extend((0..1016u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    raw_entry(b"src/Evil.java", b'0', &data, b"")
}

/// A PAX record's key and value.
type Record = (&'static str, &'static [u8]);

/// PAX `GNU.sparse.*` records that are not one complete sparse description (a real size with
/// no map, an empty map, the map count after the map, a minor version alone) are errors (exit
/// 2) naming the archive and the entry: GNU tar reads `GNU.sparse.size` bytes of the archive as
/// the file's plain data, so an entry hidden behind a header inside them (`Evil.java`) is
/// unpacked by GNU tar and would be skipped by a reader of holes.
#[test]
fn pax_sparse_records_without_a_complete_map_are_errors_naming_the_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, &[Record]); 5] = [
        ("size", &[("GNU.sparse.size", b"512")]),
        ("realsize", &[("GNU.sparse.realsize", b"512")]),
        (
            "empty map",
            &[
                ("GNU.sparse.size", b"512"),
                ("GNU.sparse.numblocks", b"0"),
                ("GNU.sparse.map", b""),
            ],
        ),
        (
            "count after the map",
            &[
                ("GNU.sparse.size", b"512"),
                ("GNU.sparse.offset", b"512"),
                ("GNU.sparse.numbytes", b"0"),
                ("GNU.sparse.numblocks", b"1"),
            ],
        ),
        (
            "minor alone",
            &[("GNU.sparse.size", b"512"), ("GNU.sparse.minor", b"0")],
        ),
    ];
    for (n, (what, records)) in cases.into_iter().enumerate() {
        let pax: Vec<u8> = records.iter().flat_map(|(k, v)| pax_record(k, v)).collect();
        let evil = evil_entry();
        let ar = write_tar(
            tmp.path(),
            &format!("sparse-{n}.tar"),
            &[
                raw_entry(b"src/Main.java", b'0', b"class Main{}\n", b""),
                raw_entry(b"PaxHeaders/a.txt", b'x', &pax, b""),
                raw_header(b"src/a.txt", 0, b'0', b""),
                raw_header(b"src/pad.bin", evil.len() as u64, b'0', b""),
                evil,
            ],
        );
        if n == 0 {
            // GNU tar takes the pad header as a.txt's data and unpacks Evil.java.
            let (gnu, _) = tar_x(tmp.path(), &ar, "gnu-sparse");
            assert!(tree(&gnu).contains_key("src/Evil.java"), "{:?}", tree(&gnu));
        }
        let run = check(&ar);
        assert_eq!(run.code, 2, "{what}: {}", run.stdout);
        assert!(
            run.stderr.contains(&format!("sparse-{n}.tar"))
                && run.stderr.contains("src/a.txt")
                && run.stderr.contains("GNU sparse"),
            "{what}: {}",
            run.stderr
        );
    }
}

/// A base-256 size field that is negative (GNU tar: "Skipping to next header", then it unpacks
/// the entry hidden in the data) or larger than GNU tar takes (the `tar` crate reads only its
/// low 8 bytes) is an error (exit 2) naming the archive and the entry.
#[test]
fn negative_or_oversized_base_256_sizes_are_errors_naming_the_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let negative = [0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x06, 0];
    let oversized = [0x80, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x06, 0];
    for (n, field) in [negative, oversized].iter().enumerate() {
        let ar = write_tar(
            tmp.path(),
            &format!("b256-{n}.tar"),
            &[
                raw_entry(b"src/Main.java", b'0', b"class Main{}\n", b""),
                with_size_field(raw_header(b"src/pad.bin", 0, b'0', b""), field),
                evil_entry(),
            ],
        );
        let (gnu, code) = tar_x(tmp.path(), &ar, &format!("gnu-{n}"));
        assert_eq!(code, 2);
        assert!(tree(&gnu).contains_key("src/Evil.java"), "{:?}", tree(&gnu));
        let run = check(&ar);
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert!(
            run.stderr.contains(&format!("b256-{n}.tar"))
                && run.stderr.contains("src/pad.bin")
                && run.stderr.contains("base-256"),
            "{}",
            run.stderr
        );
    }
}

/// A regular entry whose last name part is `.` (`src/x/.`): GNU tar makes the folder `src/x`
/// and fails ("Cannot open: File exists", exit 2); escrow refuses it (exit 2) naming the
/// archive and the entry, rather than keep a file `src/x` GNU tar never makes.
#[test]
fn regular_entries_named_with_a_last_part_dot_are_errors_naming_the_entry() {
    let tmp = tempfile::tempdir().unwrap();
    for (n, name) in [&b"src/x/."[..], b"src/."].into_iter().enumerate() {
        let ar = write_tar(
            tmp.path(),
            &format!("dot-{n}.tar"),
            &[
                raw_entry(b"src/Main.java", b'0', b"class Main{}\n", b""),
                raw_entry(name, b'0', b"Salted__ hidden\n", b""),
            ],
        );
        let (gnu, code) = tar_x(tmp.path(), &ar, &format!("gnu-{n}"));
        assert_eq!(code, 2);
        if n == 0 {
            assert_eq!(tree(&gnu).get("src/x").map(String::as_str), Some("folder"));
        }
        let run = check(&ar);
        assert_eq!(run.code, 2, "{}", run.stdout);
        let shown = String::from_utf8_lossy(name).into_owned();
        assert!(
            run.stderr.contains(&format!("dot-{n}.tar")) && run.stderr.contains(&shown),
            "{}",
            run.stderr
        );
    }
}
