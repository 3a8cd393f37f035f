//! Git repositories as deliveries, built in the test with git2; one served by `git daemon`.

use std::path::Path;

use crate::common::*;

/// A repository holding the sample, a symlink, a submodule reference and an LFS pointer; two
/// commits, the first tagged v1 on branch `release`. Returns (first commit, second commit).
/// A repository of the sample in `dir` with everything committed once as "v1".
fn sample_repo(dir: &Path) -> (git2::Repository, git2::Oid) {
    copy_dir(&sample(), dir);
    let repo = git2::Repository::init(dir).unwrap();
    let sig = git2::Signature::now("供应商", "vendor@example.invalid").unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let first = repo
        .commit(Some("HEAD"), &sig, &sig, "v1", &tree, &[])
        .unwrap();
    drop(tree);
    (repo, first)
}

fn make_repo(dir: &Path) -> (String, String) {
    let (repo, first) = sample_repo(dir);
    let sig = git2::Signature::now("供应商", "vendor@example.invalid").unwrap();
    let mut index = repo.index().unwrap();
    let c1 = repo.find_commit(first).unwrap();
    repo.tag_lightweight("v1", c1.as_object(), false).unwrap();
    repo.branch("release", &c1, false).unwrap();
    // The second commit: an LFS pointer, a symlink, and a submodule (gitlink) entry.
    std::fs::write(
        dir.join("docs/manual.pdf"),
        "version https://git-lfs.github.com/spec/v1\noid sha256:0000\nsize 1234\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../docs/部署手册.md", dir.join("jingtong/manual.md")).unwrap();
    index.add_path(Path::new("docs/manual.pdf")).unwrap();
    index.add_path(Path::new("jingtong/manual.md")).unwrap();
    let entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o160_000,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: first,
        flags: 0,
        flags_extended: 0,
        path: b"vendor-sdk".to_vec(),
    };
    index.add(&entry).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let second = repo
        .commit(Some("HEAD"), &sig, &sig, "v2", &tree, &[&c1])
        .unwrap();
    (first.to_string(), second.to_string())
}

fn check_git(spec: &str, extra: &[&str]) -> Run {
    let mut args: Vec<&std::ffi::OsStr> = vec!["check".as_ref(), spec.as_ref(), "-m".as_ref()];
    let m = chaoyang();
    args.push(m.as_os_str());
    args.extend(["--format", "json"].iter().map(std::ffi::OsStr::new));
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    escrow(args)
}

#[test]
fn repositories_by_path_url_and_ref() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    let (first, second) = make_repo(&work);
    let url = format!("file://{}", work.display());

    // HEAD: the second commit, with its submodule and LFS pointer reported.
    let run = check_git(&url, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = run.json();
    let src = &r["delivery"]["source"];
    assert_eq!(src["kind"], "git");
    assert_eq!(src["commit"], second.as_str());
    assert_eq!(src["ref"], "HEAD");
    assert_eq!(src["author"], "供应商 <vendor@example.invalid>");
    assert_eq!(src["shallow"], false);
    assert_eq!(codes(&r), ["git-lfs-pointer", "git-submodule-missing"]);
    assert_eq!(
        with_code(&r, "git-submodule-missing")[0]["evidence"][0],
        "vendor-sdk"
    );
    assert_eq!(
        with_code(&r, "git-lfs-pointer")[0]["evidence"][0],
        "docs/manual.pdf"
    );
    assert_eq!(r["delivery"]["symlinks"], 1);
    assert_eq!(
        r["delivery"]["files"], 62,
        "the sample and the LFS pointer; no .git"
    );

    // A tag, a branch and a commit id: the first commit, which is clean.
    for reference in ["v1", "release", first.as_str(), &first[..10]] {
        let r = check_git(&url, &["--ref", reference]).json();
        assert_eq!(r["verdict"], "pass", "{reference}");
        assert_eq!(
            r["delivery"]["source"]["commit"],
            first.as_str(),
            "{reference}"
        );
        assert_eq!(r["delivery"]["files"], 61);
    }
    let run = check_git(&url, &["--ref", "no-such-branch"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no branch, tag or commit \"no-such-branch\""),
        "{}",
        run.stderr
    );

    // A bare repository given by its path.
    let bare = tmp.path().join("bare.git");
    git2::build::RepoBuilder::new()
        .bare(true)
        .clone(&url, &bare)
        .unwrap();
    let r = check_git(bare.to_str().unwrap(), &["--ref", "v1"]).json();
    assert_eq!(r["delivery"]["source"]["kind"], "git");
    assert_eq!(r["delivery"]["source"]["commit"], first.as_str());

    // The work tree itself is a folder: every file counts (.git included), HEAD and dirtiness
    // are recorded.
    let r = check_json(&work, &chaoyang()).json();
    assert_eq!(r["delivery"]["source"]["kind"], "dir");
    assert_eq!(r["delivery"]["source"]["commit"], second.as_str());
    assert!(
        r["delivery"]["files"].as_u64().unwrap() > 62,
        ".git is part of the folder"
    );
    // This work tree lacks the submodule's folder: it differs from HEAD.
    assert_eq!(r["delivery"]["source"]["dirty"], true);

    // A clean work tree, then an uncommitted change.
    let clean = tmp.path().join("clean");
    sample_repo(&clean);
    let r = check_json(&clean, &chaoyang()).json();
    assert_eq!(r["delivery"]["source"]["dirty"], false);
    std::fs::write(clean.join("README.md"), "changed").unwrap();
    let r = check_json(&clean, &chaoyang()).json();
    assert_eq!(r["delivery"]["source"]["dirty"], true);
}

#[test]
fn a_repository_served_by_git_daemon() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("srv");
    std::fs::create_dir(&base).unwrap();
    let work = tmp.path().join("work");
    let (first, _) = make_repo(&work);
    git2::build::RepoBuilder::new()
        .bare(true)
        .clone(&format!("file://{}", work.display()), &base.join("his.git"))
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut daemon = std::process::Command::new("git")
        .args([
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--listen=127.0.0.1",
        ])
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", base.display()))
        .arg(&base)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("git daemon");
    // Wait until it listens (bounded).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "git daemon did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let run = check_git(&format!("git://127.0.0.1:{port}/his.git"), &["--ref", "v1"]);
    let _ = daemon.kill();
    let _ = daemon.wait();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = run.json();
    assert_eq!(r["delivery"]["source"]["commit"], first.as_str());
    assert_eq!(r["delivery"]["files"], 61);
}

#[test]
fn the_history_is_kept_and_restored_with_with_history() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    let (first, second) = make_repo(&work);
    let url = format!("file://{}", work.display());
    let vault = tmp.path().join("vault");
    let dep = |spec: &str, label: &str| {
        escrow([
            "deposit",
            spec,
            "-m",
            chaoyang().to_str().unwrap(),
            "--label",
            label,
            "--vault",
            vault.to_str().unwrap(),
            "--with-history",
            "-q",
        ])
    };
    let run = dep(&url, "v2");
    assert_eq!(
        run.code, 1,
        "the submodule and LFS pointer fail the delivery: {}",
        run.stderr
    );
    // A folder has no repository history to keep.
    let run = dep(sample().to_str().unwrap(), "plain");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a git repository"),
        "{}",
        run.stderr
    );

    let bundle = tmp.path().join("his.bundle");
    let out = tmp.path().join("out");
    let run = escrow([
        "restore",
        "v2",
        out.to_str().unwrap(),
        "--history",
        bundle.to_str().unwrap(),
        "--vault",
        vault.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The bundle is a repository with both commits.
    let clone = tmp.path().join("clone");
    let ok = std::process::Command::new("git")
        .args(["-c", "init.defaultBranch=main", "clone", "-q"])
        .arg(&bundle)
        .arg(&clone)
        .status()
        .unwrap();
    assert!(ok.success());
    let repo = git2::Repository::open(&clone).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.id().to_string(), second);
    assert_eq!(head.parent(0).unwrap().id().to_string(), first);
    let audit = escrow(["audit", "--vault", vault.to_str().unwrap()]);
    assert_eq!(audit.code, 0, "{}", audit.stdout);
}

#[test]
fn a_work_tree_with_a_ref_is_read_as_a_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    let (first, _) = make_repo(&work);
    let r = check_git(work.to_str().unwrap(), &["--ref", "v1"]).json();
    assert_eq!(r["delivery"]["source"]["kind"], "git");
    assert_eq!(r["delivery"]["source"]["commit"], first.as_str());
    assert_eq!(r["delivery"]["files"], 61, "the tagged tree, without .git");
}
