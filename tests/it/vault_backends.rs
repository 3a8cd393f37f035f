//! The vault on both backends, end to end through the CLI: a local folder and a real S3 server
//! (SeaweedFS on loopback, `seaweed.rs`). Round trips, concurrent writers, kill -9 during a
//! deposit and during a replication, damage in the object store, replication both ways,
//! `audit --repair-index`, retention.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::*;
use crate::seaweed;
use crate::vault::snapshot_tree;

/// Where a vault is.
#[derive(Debug, Clone)]
enum Place {
    Local(PathBuf),
    S3(String),
}

impl Place {
    fn arg(&self) -> &OsStr {
        match self {
            Place::Local(p) => p.as_os_str(),
            Place::S3(u) => OsStr::new(u),
        }
    }

    /// `escrow ARGS --vault PLACE`, with the S3 server's variables.
    fn command(&self, args: &[&OsStr]) -> Command {
        let mut cmd = escrow_command();
        for (k, v) in seaweed::server().env() {
            cmd.env(k, v);
        }
        cmd.args(args).arg("--vault").arg(self.arg());
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        let a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        run(self.command(&a))
    }

    fn deposit(&self, dir: &Path, label: &str) -> Run {
        let m = chaoyang();
        run(self.command(&[
            OsStr::new("deposit"),
            dir.as_os_str(),
            OsStr::new("-m"),
            m.as_os_str(),
            OsStr::new("--label"),
            OsStr::new(label),
            OsStr::new("-q"),
        ]))
    }

    fn audit(&self) -> serde_json::Value {
        let r = self.run(&["audit", "--format", "json"]);
        assert_ne!(r.code, 2, "{}", r.stderr);
        r.json()
    }

    fn head(&self) -> String {
        self.audit()["ledger_head"].as_str().unwrap().to_owned()
    }
}

/// `escrow vault replicate FROM TO` with the S3 server's variables (more arguments after).
fn replicate_cmd(from: &OsStr, to: &OsStr, extra: &[&str]) -> Command {
    let mut cmd = escrow_command();
    for (k, v) in seaweed::server().env() {
        cmd.env(k, v);
    }
    cmd.args(["vault", "replicate"])
        .args(extra)
        .arg(from)
        .arg(to);
    cmd
}

/// A fresh vault of each kind (the local one inside `tmp`).
fn both(tmp: &Path, name: &str) -> [Place; 2] {
    [
        Place::Local(tmp.join(format!("{name}-vault"))),
        Place::S3(seaweed::server().fresh_url(name)),
    ]
}

fn errors(audit: &serde_json::Value) -> Vec<String> {
    audit["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["level"] == "error")
        .map(|p| format!("{} {}: {}", p["code"], p["path"], p["message"]))
        .collect()
}

fn codes(audit: &serde_json::Value) -> Vec<String> {
    audit["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The sample delivery with one file changed and one added: a second version.
fn second_version(root: &Path) -> PathBuf {
    let d = root.join("v2");
    copy_dir(&sample(), &d);
    let readme = d.join("README.md");
    let mut text = std::fs::read_to_string(&readme).unwrap();
    text.push_str("\nv2: 新增住院结算模块。\n");
    std::fs::write(&readme, text).unwrap();
    write(
        &d,
        "jingtong/src/Settle.java",
        "class Settle { int total; }\n",
    );
    d
}

#[test]
fn round_trips_on_a_folder_and_on_s3() {
    let tmp = tempfile::tempdir().unwrap();
    let v2 = second_version(tmp.path());
    for place in both(tmp.path(), "round-trip") {
        let r = place.deposit(&sample(), "v1");
        assert_eq!(r.code, 0, "{place:?}: {}", r.stderr);
        let r = place.deposit(&v2, "v2");
        assert_eq!(r.code, 0, "{place:?}: {}", r.stderr);
        let list = place.run(&["list", "--format", "json"]).json();
        let labels: Vec<&str> = list["snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, ["v1", "v2"], "{place:?}");
        let show = place.run(&["show", "v2", "--format", "json"]);
        assert_eq!(show.code, 0, "{}", show.stderr);
        assert_eq!(show.json()["ledger"]["label"], "v2");
        let diff = place.run(&["diff", "v1", "v2", "--format", "json"]);
        assert_eq!(diff.code, 0, "{}", diff.stderr);
        let text = diff.stdout;
        assert!(
            text.contains("Settle.java") && text.contains("README.md"),
            "{text}"
        );
        let out = tmp.path().join(format!("restored-{}", labels.len()));
        let out = out.with_extension(match &place {
            Place::Local(_) => "local",
            Place::S3(_) => "s3",
        });
        let r = place.run(&["restore", "v2", out.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{place:?}: {}", r.stderr);
        assert_eq!(snapshot_tree(&out), snapshot_tree(&v2), "{place:?}");
        let r = place.run(&["golive", "住院结算", "--date", "2026-03-02"]);
        assert_eq!(r.code, 0, "{place:?}: {}", r.stderr);
        let status = place.run(&["status", "--format", "json"]);
        assert_ne!(status.code, 2, "{}", status.stderr);
        let audit = place.audit();
        assert!(errors(&audit).is_empty(), "{place:?}: {audit}");
        assert_eq!(audit["snapshots"], 2);
        assert_eq!(audit["ledger_entries"], 3);
    }
}

#[test]
fn concurrent_deposits_all_land_on_both_backends() {
    let tmp = tempfile::tempdir().unwrap();
    for place in both(tmp.path(), "concurrent") {
        // Created first, so the writers race for ledger numbers, not for the marker.
        assert_eq!(place.run(&["init"]).code, 0);
        let m = chaoyang();
        let children: Vec<_> = (0..4)
            .map(|i| {
                let label = format!("r{i}");
                place
                    .command(&[
                        OsStr::new("deposit"),
                        sample().as_os_str(),
                        OsStr::new("-m"),
                        m.as_os_str(),
                        OsStr::new("--label"),
                        OsStr::new(&label),
                        OsStr::new("-q"),
                    ])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{place:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let audit = place.audit();
        assert!(errors(&audit).is_empty(), "{place:?}: {audit}");
        assert_eq!(audit["snapshots"], 4, "{place:?}");
        assert_eq!(audit["ledger_entries"], 4, "{place:?}");
    }
}

/// A delivery big enough that a deposit to S3 takes a second or more: incompressible files.
fn big_delivery(root: &Path, round: u64) -> PathBuf {
    let d = root.join(format!("big-{round}"));
    copy_dir(&sample(), &d);
    let mut g = Gen(round.wrapping_mul(0x9e37_79b9) | 1);
    for i in 0..300 {
        write(&d, &format!("data/blob-{i:04}.bin"), g.bytes(64 * 1024));
    }
    write(&d, "data/big.bin", g.bytes(12 << 20));
    d
}

#[test]
fn kill_9_during_an_s3_deposit_leaves_a_sound_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let place = Place::S3(seaweed::server().fresh_url("kill"));
    assert_eq!(place.deposit(&sample(), "base").code, 0);
    let m = chaoyang();
    let mut g = Gen(7);
    let mut landed = 1u64;
    for round in 0..4 {
        let dir = big_delivery(tmp.path(), round);
        let label = format!("k{round}");
        let mut child = place
            .command(&[
                OsStr::new("deposit"),
                dir.as_os_str(),
                OsStr::new("-m"),
                m.as_os_str(),
                OsStr::new("--label"),
                OsStr::new(&label),
                OsStr::new("-q"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(100 + g.next() % 1500));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            landed += 1;
        }
        let audit = place.audit();
        assert!(
            errors(&audit).is_empty(),
            "round {round}: after kill -9: {audit}"
        );
        // The deposit is there whole, or not at all.
        let n = audit["snapshots"].as_u64().unwrap();
        assert!(
            n == landed || n == landed + 1,
            "round {round}: {n} snapshots"
        );
        landed = n;
        std::fs::remove_dir_all(&dir).unwrap();
    }
    // The vault still takes deposits.
    let r = place.deposit(&second_version(tmp.path()), "after");
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn damage_in_the_object_store_is_named_by_audit() {
    let place_url = seaweed::server().fresh_url("damage");
    let place = Place::S3(place_url.clone());
    assert_eq!(place.deposit(&sample(), "v1").code, 0);
    let store = seaweed::server();
    // A byte flipped inside the biggest pack's first object.
    let packs = store.list(&place_url, "packs/");
    let (pack, _) = packs
        .iter()
        .filter(|(k, _)| k.ends_with(".pack"))
        .max_by_key(|(_, size)| *size)
        .unwrap()
        .clone();
    let mut bytes = store.get(&place_url, &pack);
    bytes[20] ^= 0x40;
    store.put(&place_url, &pack, bytes);
    let audit = place.audit();
    let c = codes(&audit);
    assert!(c.contains(&"pack-corrupted".to_owned()), "{audit}");
    assert!(
        c.contains(&"object-corrupted".to_owned()) || c.contains(&"snapshot-damaged".to_owned()),
        "{audit}"
    );
    let r = place.run(&["audit"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    // A ledger entry edited: the chain no longer holds.
    let other = Place::S3(seaweed::server().fresh_url("damage-ledger"));
    assert_eq!(other.deposit(&sample(), "v1").code, 0);
    assert_eq!(
        other.run(&["golive", "门诊", "--date", "2026-03-02"]).code,
        0
    );
    let url = match &other {
        Place::S3(u) => u.clone(),
        Place::Local(_) => unreachable!(),
    };
    let first = "ledger/00000000000000000000.json";
    let text = String::from_utf8(store.get(&url, first)).unwrap();
    store.put(
        &url,
        first,
        text.replace("\"verdict\":\"pass\"", "\"verdict\":\"fail\"")
            .into_bytes(),
    );
    let audit = other.audit();
    assert!(
        codes(&audit).contains(&"ledger-broken".to_owned()),
        "{audit}"
    );
}

#[test]
fn replication_both_ways_proves_equal_vaults() {
    let tmp = tempfile::tempdir().unwrap();
    let local = Place::Local(tmp.path().join("site-a"));
    let remote = Place::S3(seaweed::server().fresh_url("replica"));
    let back = Place::Local(tmp.path().join("site-c"));
    assert_eq!(local.deposit(&sample(), "v1").code, 0);
    assert_eq!(
        local.run(&["golive", "门诊", "--date", "2026-03-02"]).code,
        0
    );
    let replicate =
        |from: &Place, to: &Place| run(replicate_cmd(from.arg(), to.arg(), &["--format", "json"]));
    let r = replicate(&local, &remote);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first = r.json();
    assert!(first["copied"].as_u64().unwrap() > 3, "{first}");
    assert_eq!(remote.head(), local.head());
    assert!(errors(&remote.audit()).is_empty());
    // Idempotent: nothing to copy the second time.
    let again = replicate(&local, &remote);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["copied"], 0);
    // The S3 copy goes on, and is copied back to a third place.
    let v2 = second_version(tmp.path());
    assert_eq!(remote.deposit(&v2, "v2").code, 0);
    let r = replicate(&remote, &back);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(back.head(), remote.head());
    let out = tmp.path().join("from-replica");
    let r = back.run(&["restore", "v2", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(snapshot_tree(&out), snapshot_tree(&v2));
    // The first site catches up from S3.
    let r = replicate(&remote, &local);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(local.head(), remote.head());
    // Two sites that recorded different events have diverged: refused, nothing overwritten.
    assert_eq!(
        local.run(&["golive", "住院", "--date", "2026-03-05"]).code,
        0
    );
    assert_eq!(
        remote.run(&["golive", "药房", "--date", "2026-03-06"]).code,
        0
    );
    let head = remote.head();
    let r = replicate(&local, &remote);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("diverged"), "{}", r.stderr);
    assert_eq!(remote.head(), head);
}

#[test]
fn a_replication_killed_midway_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let local = Place::Local(tmp.path().join("source"));
    for round in 0..2 {
        let dir = big_delivery(tmp.path(), 100 + round);
        assert_eq!(local.deposit(&dir, &format!("b{round}")).code, 0);
    }
    let remote = Place::S3(seaweed::server().fresh_url("resume"));
    let mut g = Gen(11);
    for _ in 0..3 {
        let mut child = replicate_cmd(local.arg(), remote.arg(), &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(50 + g.next() % 700));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever was copied is a sound vault (possibly behind), or nothing yet.
        let r = remote.run(&["audit", "--format", "json"]);
        if r.code != 2 {
            assert!(errors(&r.json()).is_empty(), "{}", r.stdout);
        }
    }
    let r = run(replicate_cmd(local.arg(), remote.arg(), &[]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(remote.head(), local.head());
    assert!(errors(&remote.audit()).is_empty());
}

#[test]
fn a_lost_index_is_read_from_the_trailer_and_repaired() {
    let tmp = tempfile::tempdir().unwrap();
    for place in both(tmp.path(), "repair") {
        assert_eq!(place.deposit(&sample(), "v1").code, 0);
        let idx = match &place {
            Place::Local(p) => {
                let idx = std::fs::read_dir(p.join("packs"))
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == "idx"))
                    .max_by_key(|p| std::fs::metadata(p).unwrap().len())
                    .unwrap();
                std::fs::remove_file(&idx).unwrap();
                idx.file_name().unwrap().to_string_lossy().into_owned()
            }
            Place::S3(url) => {
                let store = seaweed::server();
                let (idx, _) = store
                    .list(url, "packs/")
                    .into_iter()
                    .filter(|(k, _)| k.ends_with(".idx"))
                    .max_by_key(|(_, s)| *s)
                    .unwrap();
                store.delete(url, &idx);
                idx.rsplit('/').next().unwrap().to_owned()
            }
        };
        let audit = place.audit();
        assert!(errors(&audit).is_empty(), "{place:?}: {audit}");
        assert!(
            codes(&audit).contains(&"pack-unindexed".to_owned()),
            "{audit}"
        );
        // Every file still restores, read through the trailer.
        let out = tmp.path().join(format!("r-{idx}"));
        let r = place.run(&["restore", "v1", out.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{place:?}: {}", r.stderr);
        assert_eq!(snapshot_tree(&out), snapshot_tree(&sample()));
        let r = place.run(&["audit", "--repair-index", "--format", "json"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let audit = place.audit();
        assert!(
            !codes(&audit).contains(&"pack-unindexed".to_owned()),
            "{place:?}: the index was not written again: {audit}"
        );
    }
}

#[test]
fn retention_is_refused_where_files_cannot_be_locked() {
    let tmp = tempfile::tempdir().unwrap();
    let place = Place::Local(tmp.path().join("vault"));
    let m = chaoyang();
    let r = run(place.command(&[
        OsStr::new("deposit"),
        sample().as_os_str(),
        OsStr::new("-m"),
        m.as_os_str(),
        OsStr::new("--label"),
        OsStr::new("v1"),
        OsStr::new("--retain-until"),
        OsStr::new("2031-12-31"),
    ]));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("Object Lock"), "{}", r.stderr);
    assert!(!tmp.path().join("vault/ledger").exists() || place.audit()["snapshots"] == 0);
}

#[test]
fn an_old_vault_upgraded_replicates_to_s3() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("old");
    copy_dir(&repo().join("fixtures/vaults/escrow-0.1.0"), &old);
    std::fs::create_dir_all(old.join("tmp")).unwrap();
    let local = Place::Local(old.clone());
    let before = local.head();
    let r = local.run(&["vault", "upgrade"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(local.head(), before, "the upgrade changed the ledger head");
    let remote = Place::S3(seaweed::server().fresh_url("upgraded"));
    let r = run(replicate_cmd(old.as_os_str(), remote.arg(), &[]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(remote.head(), before);
    assert!(errors(&remote.audit()).is_empty());
}

#[test]
fn s3_errors_name_what_to_fix() {
    let server = seaweed::server();
    let url = server.fresh_url("errors");
    // A wrong secret.
    let mut cmd = escrow_command();
    for (k, v) in server.env() {
        let v = if k == "AWS_SECRET_ACCESS_KEY" {
            "wrong-secret".to_owned()
        } else {
            v
        };
        cmd.env(k, v);
    }
    cmd.args(["list", "--vault", &url]);
    let r = run(cmd);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("AWS_SECRET_ACCESS_KEY"), "{}", r.stderr);
    // No credentials at all.
    let mut cmd = escrow_command();
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_ENDPOINT_URL", &server.endpoint)
        .args(["list", "--vault", &url]);
    let r = run(cmd);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("AWS_ACCESS_KEY_ID"), "{}", r.stderr);
    // A bucket that does not exist.
    let mut cmd = escrow_command();
    for (k, v) in server.env() {
        cmd.env(k, v);
    }
    cmd.args(["list", "--vault", "s3://no-such-bucket-here/x"]);
    let r = run(cmd);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("no-such-bucket-here"), "{}", r.stderr);
    // Not a vault yet: the usual message.
    let mut cmd = escrow_command();
    for (k, v) in server.env() {
        cmd.env(k, v);
    }
    cmd.args(["list", "--vault", &url]);
    let r = run(cmd);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("not an escrow vault"), "{}", r.stderr);
}

#[test]
fn retention_locks_a_deposit_on_a_bucket_with_object_lock() {
    let server = seaweed::server();
    let m = chaoyang();
    let deposit = |place: &Place| {
        run(place.command(&[
            OsStr::new("deposit"),
            sample().as_os_str(),
            OsStr::new("-m"),
            m.as_os_str(),
            OsStr::new("--label"),
            OsStr::new("v1"),
            OsStr::new("--retain-until"),
            OsStr::new("2031-12-31"),
            OsStr::new("-q"),
        ]))
    };
    let locked = Place::S3(server.fresh_locked_url("retain"));
    let r = deposit(&locked);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let audit = locked.audit();
    assert!(errors(&audit).is_empty(), "{audit}");
    assert_eq!(audit["snapshots"], 1);
    // A bucket without Object Lock: refused, nothing recorded.
    let plain = Place::S3(server.fresh_url("retain-plain"));
    let r = deposit(&plain);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("Object Lock"), "{}", r.stderr);
    let url = match &plain {
        Place::S3(u) => u.clone(),
        Place::Local(_) => unreachable!(),
    };
    assert!(server.list(&url, "ledger/").is_empty());
    // A past date is refused before anything is sent.
    let r = run(locked.command(&[
        OsStr::new("deposit"),
        sample().as_os_str(),
        OsStr::new("-m"),
        m.as_os_str(),
        OsStr::new("--label"),
        OsStr::new("v0"),
        OsStr::new("--retain-until"),
        OsStr::new("2020-01-01"),
    ]));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("has passed"), "{}", r.stderr);
}

#[test]
fn a_mistyped_vault_url_is_refused_not_made_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    for url in [
        "S3://escrow/his",
        "oss://escrow/his",
        "s3:/escrow/his",
        "minio://x/y",
    ] {
        let mut cmd = escrow_command();
        cmd.current_dir(tmp.path()).args([
            "deposit",
            sample().to_str().unwrap(),
            "-m",
            chaoyang().to_str().unwrap(),
            "--label",
            "v1",
            "--vault",
            url,
        ]);
        let r = run(cmd);
        assert_eq!(r.code, 2, "{url}: {}", r.stdout);
        assert!(
            r.stderr.contains("s3://BUCKET/PREFIX"),
            "{url}: {}",
            r.stderr
        );
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            0,
            "{url}: a folder was made"
        );
    }
    // A lock date a century away is a typo, refused before anything is made.
    let place = Place::S3(seaweed::server().fresh_locked_url("century"));
    let m = chaoyang();
    let r = run(place.command(&[
        OsStr::new("deposit"),
        sample().as_os_str(),
        OsStr::new("-m"),
        m.as_os_str(),
        OsStr::new("--label"),
        OsStr::new("v1"),
        OsStr::new("--retain-until"),
        OsStr::new("2131-12-31"),
    ]));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("30 years"), "{}", r.stderr);
}

/// A vault planted with hostile files: a FIFO as a pack, a zstd bomb (4 GiB of zeros) whose
/// index claims one of the snapshot's file-list pieces; every command ends, within 2 GiB of
/// address space, naming the damage.
#[test]
fn planted_files_cannot_hang_or_exhaust_a_reader() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("v");
    let place = Place::Local(vault.clone());
    assert_eq!(place.deposit(&sample(), "v1").code, 0);
    // A FIFO named as a pack, with an index.
    let fifo = format!("{}.pack", "f".repeat(64));
    let st = Command::new("mkfifo")
        .arg(vault.join("packs").join(&fifo))
        .status()
        .unwrap();
    assert!(st.success());
    std::fs::write(
        vault.join("packs").join(format!("{}.idx", "f".repeat(64))),
        "escrow-pack-index 1\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let r = place.run(&["audit", "--format", "json"]);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "audit hung on a FIFO"
    );
    assert_ne!(r.code, 0, "{}", r.stdout);
    std::fs::remove_file(vault.join("packs").join(&fifo)).unwrap();
    std::fs::remove_file(vault.join("packs").join(format!("{}.idx", "f".repeat(64)))).unwrap();
    // A zstd bomb (1 GiB of zeros in a few KiB) planted as the first pack in sort order, its
    // index claiming one of v1's file-list pieces with a size of 5 MB.
    let show = place.run(&["show", "v1", "--format", "json"]).json();
    let snap = show["snapshot"].as_str().unwrap();
    let record = zstd::stream::decode_all(
        &std::fs::read(vault.join(format!("snapshots/{snap}.json.zst"))).unwrap()[..],
    )
    .unwrap();
    let record: serde_json::Value = serde_json::from_slice(&record).unwrap();
    let piece = record["listing"][0]["sha256"].as_str().unwrap().to_owned();
    // 4 GiB of zeros, compressed as a stream (the test never holds them).
    let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    std::io::copy(
        &mut std::io::Read::take(std::io::repeat(0), 4 << 30),
        &mut enc,
    )
    .unwrap();
    let bomb = enc.finish().unwrap();
    let zero = "0".repeat(64);
    std::fs::write(vault.join(format!("packs/{zero}.pack")), &bomb).unwrap();
    std::fs::write(
        vault.join(format!("packs/{zero}.idx")),
        format!("escrow-pack-index 1\n{piece} 0 {} 5000000\n", bomb.len()),
    )
    .unwrap();
    for args in [
        &["diff", "v1", "v1"][..],
        &["list"][..],
        &["audit", "--format", "json"][..],
    ] {
        let cmd = place.command(&args.iter().map(OsStr::new).collect::<Vec<_>>());
        // Under a 2 GiB address-space limit: a reader that decompressed the bomb would abort.
        let mut wrapped = Command::new("prlimit");
        wrapped
            .arg("--as=2147483648")
            .arg(cmd.get_program())
            .args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => wrapped.env(k, v),
                None => wrapped.env_remove(k),
            };
        }
        let r = run(wrapped);
        assert!(r.code == 0 || r.code == 1 || r.code == 2, "{args:?}: {r:?}");
        assert!(
            !r.stderr.contains("memory allocation"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn a_planted_link_is_never_followed_by_upgrade_or_deposit() {
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("lock"), "precious").unwrap();
    let old = tmp.path().join("old");
    copy_dir(&repo().join("fixtures/vaults/escrow-0.1.0"), &old);
    std::os::unix::fs::symlink(&victim, old.join("format-1")).unwrap();
    let local = Place::Local(old.clone());
    let r = local.run(&["vault", "upgrade"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        std::fs::read_to_string(victim.join("lock")).unwrap(),
        "precious"
    );
    // A vault whose packs/ is a link elsewhere is refused.
    let v = tmp.path().join("v");
    let place = Place::Local(v.clone());
    assert_eq!(place.deposit(&sample(), "v1").code, 0);
    let outside = tmp.path().join("outside");
    std::fs::rename(v.join("packs"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, v.join("packs")).unwrap();
    let r = place.deposit(&second_version(tmp.path()), "v2");
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("not a folder"), "{}", r.stderr);
}

#[test]
fn replication_copies_only_what_the_ledger_names() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let source = Place::Local(src.clone());
    assert_eq!(source.deposit(&sample(), "v1").code, 0);
    // A record no entry names, and an index without its pack.
    let stray_record = zstd::bulk::compress(b"{\"label\":\"forged\"}", 1).unwrap();
    let stray_id = {
        use sha2::Digest;
        escrow::hash::hex(&sha2::Sha256::digest(b"{\"label\":\"forged\"}"))
    };
    std::fs::write(
        src.join(format!("snapshots/{stray_id}.json.zst")),
        stray_record,
    )
    .unwrap();
    std::fs::write(
        src.join(format!("packs/{}.idx", "c".repeat(64))),
        "escrow-pack-index 1\n",
    )
    .unwrap();
    let dest = Place::S3(seaweed::server().fresh_url("named-only"));
    let r = run(replicate_cmd(src.as_os_str(), dest.arg(), &[]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let audit = dest.audit();
    assert!(errors(&audit).is_empty(), "{audit}");
    let url = match &dest {
        Place::S3(u) => u.clone(),
        Place::Local(_) => unreachable!(),
    };
    let names: Vec<String> = seaweed::server()
        .list(&url, "snapshots/")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(!names.iter().any(|n| n.contains(&stray_id)), "{names:?}");
}
