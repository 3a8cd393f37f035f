//! The storage backend contract, checked the same way on a local folder, in memory and on a
//! real S3 server (SeaweedFS, see `seaweed.rs`); then what only S3 has: credentials, endpoints,
//! missing buckets and Object Lock.

use std::io::{Read, Write};
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use escrow::vault::backend::s3::{S3, S3Config};
use escrow::vault::backend::{
    Backend, BackendError, CreateOptions, Created, FileKind, Key, Listed, local::Local,
    memory::Memory,
};
use object_store::aws::AmazonS3;
use object_store::path::Path as ObjectPath;
use object_store::signer::{Method, SignedUrlOptions, Signer};
use object_store::{GetOptions, ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};

use crate::seaweed;

const BIG: u64 = 40 << 20;

/// `len` pseudo-random bytes from `seed`, made as they are read (bounded memory); the same
/// bytes whatever the sizes of the reads.
struct Noise {
    state: u64,
    word: [u8; 8],
    used: usize,
    left: u64,
}

impl Noise {
    fn new(seed: u64, len: u64) -> Noise {
        Noise {
            state: seed | 1,
            word: [0; 8],
            used: 8,
            left: len,
        }
    }
}

impl Read for Noise {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for b in &mut buf[..n] {
            if self.used == 8 {
                self.state ^= self.state << 13;
                self.state ^= self.state >> 7;
                self.state ^= self.state << 17;
                self.word = self.state.to_le_bytes();
                self.used = 0;
            }
            *b = self.word[self.used];
            self.used += 1;
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Hashes and counts what is written.
#[derive(Default)]
struct HashWriter {
    hash: Sha256,
    len: u64,
}

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.hash.update(buf);
        self.len += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn sha_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn noise_sha(seed: u64, len: u64) -> String {
    let mut w = HashWriter::default();
    std::io::copy(&mut Noise::new(seed, len), &mut w).unwrap();
    format!("{:x}", w.hash.finalize())
}

fn listed(items: &[(&str, u64)]) -> Vec<Listed> {
    items
        .iter()
        .map(|(name, size)| Listed {
            name: (*name).to_owned(),
            size: *size,
        })
        .collect()
}

/// The contract, the same on every backend. `plant` stores a file behind the backend's back
/// (a path relative to the vault's root).
fn conformance(b: &dyn Backend, plant: &dyn Fn(&str, &[u8])) {
    let (snap, snap_bytes) = creates_once(b);
    let (entry, stored) = one_racer_wins(b);
    reads(b, &snap, &snap_bytes);
    lists(
        b,
        plant,
        &snap,
        snap_bytes.len() as u64,
        &entry,
        stored.len() as u64,
    );
    streams_large_files(b);
}

/// Create if absent: the second writer of a name changes nothing.
fn creates_once(b: &dyn Backend) -> (Key, Vec<u8>) {
    let at = b.location();
    let snap_bytes = b"snapshot record, version one".to_vec();
    let snap = Key::content(FileKind::Snapshot, &sha_hex(&snap_bytes)).unwrap();
    let none = CreateOptions::default();
    assert_eq!(
        b.create(&snap, &snap_bytes, none).unwrap(),
        Created::New,
        "{at}"
    );
    assert_eq!(
        b.create(&snap, b"other bytes", none).unwrap(),
        Created::Existed
    );
    assert_eq!(b.read(&snap, 1 << 20).unwrap(), snap_bytes);
    (snap, snap_bytes)
}

/// Eight writers race for one ledger number: exactly one wins, and its bytes are stored.
fn one_racer_wins(b: &dyn Backend) -> (Key, Vec<u8>) {
    let at = b.location();
    let none = CreateOptions::default();
    let entry = Key::ledger(1);
    let barrier = Barrier::new(8);
    let outcomes: Vec<(Created, Vec<u8>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (barrier, entry) = (&barrier, &entry);
                s.spawn(move || {
                    let bytes = format!("{{\"seq\":1,\"writer\":{i}}}").into_bytes();
                    barrier.wait();
                    (b.create(entry, &bytes, none).unwrap(), bytes)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<&Vec<u8>> = outcomes
        .iter()
        .filter(|(c, _)| *c == Created::New)
        .map(|(_, bytes)| bytes)
        .collect();
    assert_eq!(winners.len(), 1, "{at}: {outcomes:?}");
    let stored = b.read(&entry, 1 << 20).unwrap();
    assert_eq!(&stored, winners[0], "{at}");
    (entry, stored)
}

/// Reads: the size cap, ranges, streaming, sizes; what is absent is NotFound.
fn reads(b: &dyn Backend, snap: &Key, snap_bytes: &[u8]) {
    let at = b.location();
    let n = snap_bytes.len() as u64;
    // (Backends say it as `TooLarge`, or the local folder as an I/O error, in the same words.)
    let over = b.read(snap, n - 1).unwrap_err();
    let words = format!("is {n} bytes, more than the {}", n - 1);
    assert!(over.to_string().contains(&words), "{at}: {over:?}");
    assert_eq!(
        b.read_range(snap, 9, 6).unwrap(),
        snap_bytes[9..15].to_vec()
    );
    assert_eq!(
        b.read_range(snap, n - 3, 3).unwrap(),
        snap_bytes[n as usize - 3..]
    );
    let short = b.read_range(snap, n - 2, 5).unwrap_err();
    assert!(!short.is_not_found(), "{at}: {short}");
    assert!(b.read_range(snap, n + 10, 1).is_err(), "{at}");
    let mut out = Vec::new();
    assert_eq!(b.read_to(snap, &mut out).unwrap(), n);
    assert_eq!(out, snap_bytes);
    assert_eq!(b.size(snap).unwrap(), Some(n));

    // What is absent is NotFound (not some other error).
    let absent = Key::content(FileKind::Pack, &sha_hex(b"absent")).unwrap();
    assert_eq!(b.size(&absent).unwrap(), None);
    assert!(b.read(&absent, 100).unwrap_err().is_not_found(), "{at}");
    assert!(b.read_range(&absent, 0, 1).unwrap_err().is_not_found());
    assert!(
        b.read_to(&absent, &mut Vec::new())
            .unwrap_err()
            .is_not_found()
    );
}

/// Listings: direct children with sizes, sorted, stray names included, folders not.
fn lists(
    b: &dyn Backend,
    plant: &dyn Fn(&str, &[u8]),
    snap: &Key,
    n: u64,
    entry: &Key,
    entry_len: u64,
) {
    let at = b.location();
    let none = CreateOptions::default();
    assert_eq!(
        b.create(&Key::marker(), b"escrow-vault 2\n", none).unwrap(),
        Created::New
    );
    plant("snapshots/stray.txt", b"stray");
    plant("notes.txt", b"hello");
    let mut expect = [(snap.name(), n), ("stray.txt".to_owned(), 5)];
    expect.sort();
    let expect: Vec<(&str, u64)> = expect.iter().map(|(s, n)| (s.as_str(), *n)).collect();
    assert_eq!(b.list(FileKind::Snapshot).unwrap(), listed(&expect), "{at}");
    assert_eq!(
        b.list(FileKind::Marker).unwrap(),
        listed(&[("VAULT", 15), ("notes.txt", 5)]),
        "{at}"
    );
    assert_eq!(
        b.list(FileKind::Ledger).unwrap(),
        listed(&[(&entry.name(), entry_len)])
    );
    assert_eq!(b.list(FileKind::Calendar).unwrap(), Vec::new());
}

/// A large pack, streamed in (multipart on S3) and out, with progress.
fn streams_large_files(b: &dyn Backend) {
    let at = b.location();
    let none = CreateOptions::default();
    let pack = Key::content(FileKind::Pack, &noise_sha(7, BIG)).unwrap();
    let sent = AtomicU64::new(0);
    let progress = |n: u64| {
        let before = sent.fetch_max(n, Ordering::Relaxed);
        assert!(n >= before, "progress went back from {before} to {n}");
    };
    let created = b
        .create_streamed(&pack, &mut Noise::new(7, BIG), BIG, none, &progress)
        .unwrap();
    assert_eq!(created, Created::New, "{at}");
    assert_eq!(sent.load(Ordering::Relaxed), BIG, "{at}");
    assert_eq!(b.size(&pack).unwrap(), Some(BIG));
    let mut w = HashWriter::default();
    assert_eq!(b.read_to(&pack, &mut w).unwrap(), BIG);
    assert_eq!(
        (w.len, format!("{:x}", w.hash.finalize())),
        (BIG, pack.id().to_owned())
    );
    assert_eq!(
        b.read_range(&pack, BIG - 4096, 4096).unwrap().len(),
        4096,
        "{at}"
    );
    let again = b
        .create_streamed(&pack, &mut Noise::new(7, BIG), BIG, none, &|_| {})
        .unwrap();
    assert_eq!(again, Created::Existed);
    assert_eq!(
        b.list(FileKind::Pack).unwrap(),
        listed(&[(&pack.name(), BIG)])
    );
}

#[test]
fn local_folder_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let b = Local::new(dir.path());
    conformance(&b, &|rel, bytes| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    });
}

#[test]
fn memory_keeps_the_contract() {
    let b = Memory::new();
    conformance(&b, &|rel, bytes| b.tamper(rel, Some(bytes.to_vec())));
}

/// An `object_store` client of the test server, and a runtime to drive it.
fn raw_store(bucket: &str) -> (tokio::runtime::Runtime, AmazonS3) {
    let (rt, store, _) = seaweed::server().raw(&format!("s3://{bucket}"));
    (rt, store)
}

fn bucket_and_prefix(url: &str) -> (String, String) {
    let rest = url.strip_prefix("s3://").unwrap();
    let (b, p) = rest.split_once('/').unwrap();
    (b.to_owned(), p.to_owned())
}

#[test]
fn s3_keeps_the_contract() {
    let s = seaweed::server();
    let url = s.fresh_url("contract");
    let b = escrow::vault::backend::open(&url, &s.lookup()).unwrap();
    assert_eq!(b.location(), url);
    assert!(b.local_root().is_none());
    let (bucket, prefix) = bucket_and_prefix(&url);
    let (rt, store) = raw_store(&bucket);
    conformance(b.as_ref(), &|rel, bytes| {
        let path = ObjectPath::parse(format!("{prefix}/{rel}")).unwrap();
        rt.block_on(store.put(&path, PutPayload::from(bytes.to_vec())))
            .unwrap();
    });
}

fn config(s: &seaweed::Server) -> S3Config {
    S3Config::from_env(&s.lookup())
}

fn some_key() -> Key {
    Key::content(FileKind::Index, &sha_hex(b"some index")).unwrap()
}

#[test]
fn s3_wrong_secret_names_the_credentials() {
    let s = seaweed::server();
    let mut c = config(s);
    c.secret_access_key = Some("not-the-secret".to_owned());
    let b = S3::open(&s.fresh_url("wrong-secret"), &c).unwrap();
    for e in [
        b.size(&some_key()).unwrap_err(),
        b.create(&some_key(), b"x", CreateOptions::default())
            .unwrap_err(),
        b.list(FileKind::Pack).unwrap_err(),
    ] {
        let msg = e.to_string();
        assert!(
            msg.contains("AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"),
            "{msg}"
        );
    }
}

#[test]
fn s3_unreachable_endpoint_fails_fast() {
    let s = seaweed::server();
    let mut c = config(s);
    c.endpoint = Some(format!("http://127.0.0.1:{}", seaweed::dead_port()));
    let b = S3::open(&s.fresh_url("dead"), &c).unwrap();
    let t = Instant::now();
    let e = b.size(&some_key()).unwrap_err().to_string();
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    assert!(
        e.contains("is the server at AWS_ENDPOINT_URL running"),
        "{e}"
    );
    let t = Instant::now();
    let e = b
        .create(&some_key(), b"x", CreateOptions::default())
        .unwrap_err()
        .to_string();
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    assert!(e.contains("AWS_ENDPOINT_URL"), "{e}");
}

#[test]
fn s3_refuses_plain_http_to_another_machine() {
    // Nothing is sent: the location is refused when opened.
    let env = |k: &str| match k {
        "AWS_ENDPOINT_URL" => Some("http://192.0.2.10:9000".to_owned()),
        "AWS_ACCESS_KEY_ID" => Some("AKID".to_owned()),
        "AWS_SECRET_ACCESS_KEY" => Some("SECRET".to_owned()),
        _ => None,
    };
    let e = escrow::vault::backend::open("s3://bucket/vault", &env).unwrap_err();
    assert!(e.to_string().contains("use https://"), "{e}");
    let e = escrow::vault::backend::open("s3://bucket/../x", &env).unwrap_err();
    assert!(e.to_string().contains("s3://BUCKET/PREFIX"), "{e}");
    let e = escrow::vault::backend::open("s3://bucket/v", &|_| None).unwrap_err();
    assert!(e.to_string().contains("AWS_SECRET_ACCESS_KEY"), "{e}");
}

#[test]
fn s3_missing_bucket_says_to_create_it() {
    let s = seaweed::server();
    let b = S3::open("s3://no-such-bucket/v", &config(s)).unwrap();
    for e in [
        b.size(&some_key()).unwrap_err(),
        b.read(&some_key(), 10).unwrap_err(),
        b.list(FileKind::Snapshot).unwrap_err(),
        b.create(&some_key(), b"x", CreateOptions::default())
            .unwrap_err(),
    ] {
        assert!(
            e.to_string().contains("create the bucket no-such-bucket"),
            "{e}"
        );
    }
}

/// Send a presigned request (the signature covers the method, path and query) and return the
/// HTTP status.
fn send_presigned(method: &str, url: &object_store::signer::Url) -> u16 {
    let host = url.host_str().unwrap();
    let port = url.port().unwrap();
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let mut s = std::net::TcpStream::connect((host, port)).unwrap();
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    reply
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {reply:?}"))
}

/// Try to delete the current version of `path` for good; the HTTP status.
fn delete_version(rt: &tokio::runtime::Runtime, store: &AmazonS3, path: &ObjectPath) -> u16 {
    let version = rt.block_on(store.head(path)).unwrap().version.unwrap();
    let opts = SignedUrlOptions::new().with_query([("versionId", version.as_str())]);
    let url = rt
        .block_on(store.signed_url_opts(Method::DELETE, path, Duration::from_secs(300), &opts))
        .unwrap();
    send_presigned("DELETE", &url)
}

#[test]
fn s3_object_lock_keeps_objects() {
    let s = seaweed::server();
    let until = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    let locked = CreateOptions {
        retain_until: Some(until),
    };

    // A bucket without Object Lock refuses, rather than storing an unlocked object.
    let plain = S3::open(&s.fresh_url("lock-refused"), &config(s)).unwrap();
    assert!(plain.supports_retention());
    let e = plain.create(&some_key(), b"x", locked).unwrap_err();
    assert!(
        matches!(e, BackendError::Unsupported { .. }) && e.to_string().contains("Object Lock"),
        "{e}"
    );

    let url = s.fresh_locked_url("lock");
    let b = S3::open(&url, &config(s)).unwrap();
    let small = some_key();
    assert_eq!(b.create(&small, b"index", locked).unwrap(), Created::New);
    assert_eq!(
        b.create(&small, b"other", locked).unwrap(),
        Created::Existed
    );
    let big_len = 20 << 20;
    let big = Key::content(FileKind::Pack, &noise_sha(3, big_len)).unwrap();
    let created = b
        .create_streamed(&big, &mut Noise::new(3, big_len), big_len, locked, &|_| {})
        .unwrap();
    assert_eq!(created, Created::New);
    let free = Key::content(FileKind::Snapshot, &sha_hex(b"unlocked")).unwrap();
    b.create(&free, b"unlocked", CreateOptions::default())
        .unwrap();

    let (bucket, prefix) = bucket_and_prefix(&url);
    let (rt, store) = raw_store(&bucket);
    let path = |k: &Key| ObjectPath::parse(format!("{prefix}/{}", k.path())).unwrap();
    // Deleting a locked version for good is refused; an unlocked one goes.
    assert_eq!(delete_version(&rt, &store, &path(&small)), 403);
    assert_eq!(delete_version(&rt, &store, &path(&big)), 403);
    assert_eq!(delete_version(&rt, &store, &path(&free)), 204);
    // A plain delete only hides the object behind a delete marker: the locked version stays.
    let version = rt.block_on(store.head(&path(&small))).unwrap().version;
    rt.block_on(store.delete(&path(&small))).unwrap();
    assert_eq!(b.size(&small).unwrap(), None);
    let opts = GetOptions {
        version,
        ..GetOptions::default()
    };
    let kept = rt
        .block_on(async { store.get_opts(&path(&small), opts).await?.bytes().await })
        .unwrap();
    assert_eq!(&kept[..], b"index");
    assert_eq!(b.size(&big).unwrap(), Some(big_len));
}
