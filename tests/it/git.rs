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

/// Run git with `args` (in `dir` when given), feeding `input`; its trimmed standard output.
fn git(dir: Option<&Path>, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut cmd = std::process::Command::new("git");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let mut child = cmd
        .args(args)
        .env("GIT_AUTHOR_NAME", "vendor")
        .env("GIT_AUTHOR_EMAIL", "vendor@example.invalid")
        .env("GIT_COMMITTER_NAME", "vendor")
        .env("GIT_COMMITTER_EMAIL", "vendor@example.invalid")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?} failed");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A Git folder's files whose configuration runs `touch MARKER` on `git status`.
fn hostile_config(marker: &Path) -> String {
    format!(
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tfsmonitor = \"touch {}\"\n",
        marker.display()
    )
}

/// A bare repository whose committed tree is the sample plus `.git/{HEAD,config,objects,refs}`
/// (fsmonitor runs `touch MARKER`) and `sub/.Git/…`, built with plumbing: `git add` refuses
/// such paths.
fn repo_with_dotgit(bare: &Path, marker: &Path) -> String {
    let b = bare.to_str().unwrap();
    git(None, &["init", "-q", "--bare", b], "");
    let work = bare.with_extension("work");
    copy_dir(&sample(), &work);
    let w = work.to_str().unwrap();
    let gd = ["--git-dir", b, "--work-tree", w];
    git(None, &[&gd[..], &["add", "-A"]].concat(), "");
    let sample_tree = git(None, &["--git-dir", b, "write-tree"], "");
    let blob = |text: &str| {
        git(
            None,
            &["--git-dir", b, "hash-object", "-w", "--stdin"],
            text,
        )
    };
    let mktree = |text: &str| git(None, &["--git-dir", b, "mktree"], text);
    let head = blob("ref: refs/heads/main\n");
    let config = blob(&hostile_config(marker));
    let empty = mktree("");
    let dotgit = mktree(&format!(
        "100644 blob {head}\tHEAD\n100644 blob {config}\tconfig\n040000 tree {empty}\tobjects\n040000 tree {empty}\trefs\n"
    ));
    let sub = mktree(&format!("040000 tree {dotgit}\t.Git\n"));
    let mut top = git(None, &["--git-dir", b, "ls-tree", &sample_tree], "");
    top.push_str(&format!(
        "\n040000 tree {dotgit}\t.git\n040000 tree {sub}\tsub\n"
    ));
    let tree = mktree(&top);
    let commit = git(
        None,
        &["--git-dir", b, "commit-tree", "-m", "v1", &tree],
        "",
    );
    git(
        None,
        &["--git-dir", b, "update-ref", "refs/heads/main", &commit],
        "",
    );
    git(
        None,
        &["--git-dir", b, "symbolic-ref", "HEAD", "refs/heads/main"],
        "",
    );
    commit
}

/// Every path under `dir` with a component that is `.git` in any letter case.
/// `escrow deposit DELIVERY` against the sample's manifest into a new vault under `tmp`, as
/// label `v1`; the delivery fails (exit 1) but is recorded. Returns the vault.
fn deposit_failing(tmp: &Path, delivery: &Path) -> std::path::PathBuf {
    let vault = tmp.join("vault");
    let m = chaoyang();
    let run = escrow([
        "deposit".as_ref(),
        delivery.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
        "--label".as_ref(),
        "v1".as_ref(),
        "--vault".as_ref(),
        vault.as_os_str(),
        "-q".as_ref(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    vault
}

fn dotgit_paths(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().eq_ignore_ascii_case(".git"))
        .map(|e| e.path().display().to_string())
        .collect()
}

#[test]
fn a_dotgit_folder_in_the_committed_tree_is_never_staged() {
    let tmp = tempfile::tempdir().unwrap();
    let marker = tmp.path().join("vendor-command-ran");
    let bare = tmp.path().join("his.git");
    let commit = repo_with_dotgit(&bare, &marker);
    let url = format!("file://{}", bare.display());
    for spec in [bare.to_str().unwrap(), url.as_str()] {
        let run = check_git(spec, &[]);
        assert_eq!(run.code, 1, "{spec}: {}", run.stderr);
        let r = run.json();
        assert_eq!(r["verdict"], "fail");
        assert_eq!(r["delivery"]["source"]["commit"], commit.as_str());
        assert_eq!(codes(&r), ["git-dotgit-in-tree"], "{spec}");
        let f = &with_code(&r, "git-dotgit-in-tree")[0];
        assert_eq!(f["severity"], "deny");
        assert_eq!(f["evidence"], serde_json::json!([".git", "sub/.Git"]));
        assert_eq!(r["delivery"]["files"], 61, "{spec}: the sample only");
    }
    // Deposited and restored: nothing named .git comes back, and git status runs nothing.
    let vault = deposit_failing(tmp.path(), &bare);
    let v = vault.to_str().unwrap();
    let out = tmp.path().join("out");
    let run = escrow(["restore", "v1", out.to_str().unwrap(), "--vault", v]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(dotgit_paths(&out), Vec::<String>::new());
    let _ = std::process::Command::new("git")
        .arg("status")
        .current_dir(&out)
        .env("GIT_CEILING_DIRECTORIES", tmp.path())
        .output();
    assert!(!marker.exists(), "the vendor's command ran");
}

#[test]
fn git_settings_that_run_commands_are_reported_in_folders_and_archives() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let marker = tmp.path().join("vendor-command-ran");
    // A work tree as a folder: fsmonitor, an executable hook (sample hooks are fine), and a
    // bare repository inside the delivery with a smudge filter.
    let work = tmp.path().join("work");
    sample_repo(&work);
    std::fs::write(work.join(".git/config"), hostile_config(&marker)).unwrap();
    write(&work, ".git/hooks/post-checkout", "#!/bin/sh\ntouch x\n");
    write(&work, ".git/hooks/pre-push.sample", "#!/bin/sh\n");
    for h in ["post-checkout", "pre-push.sample"] {
        let p = work.join(".git/hooks").join(h);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    write(&work, "lib/tool.git/HEAD", "ref: refs/heads/main\n");
    std::fs::create_dir_all(work.join("lib/tool.git/objects")).unwrap();
    write(
        &work,
        "lib/tool.git/config",
        "[Filter \"x\"]\n\tSmudge = sh -c \\\n  'id'\n",
    );
    let r = check_json(&work, &chaoyang()).json();
    assert_eq!(r["verdict"], "fail");
    let found = with_code(&r, "git-config-executes");
    let by_path = |p: &str| {
        found
            .iter()
            .find(|f| f["path"] == p)
            .unwrap_or_else(|| panic!("no finding for {p}: {found:?}"))
    };
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(by_path(".git/config")["severity"], "deny");
    assert_eq!(
        by_path(".git/config")["evidence"][0],
        format!("core.fsmonitor = touch {}", marker.display())
    );
    assert!(by_path(".git/hooks/post-checkout")["evidence"][0].is_string());
    assert_eq!(
        by_path("lib/tool.git/config")["evidence"][0],
        "filter.x.smudge = sh -c   'id'"
    );
    assert!(!marker.exists(), "escrow ran git in the delivery");

    // A tar with `.Git/config` (another letter case) setting hooksPath: the same.
    let src = tmp.path().join("src");
    copy_dir(&sample(), &src);
    write(&src, ".Git/config", "[CORE]\n\tHooksPath = tools/hooks\n");
    let tar = tmp.path().join("d.tar");
    assert!(
        std::process::Command::new("tar")
            .arg("-cf")
            .arg(&tar)
            .arg("-C")
            .arg(tmp.path())
            .arg("src")
            .status()
            .unwrap()
            .success()
    );
    let r = check_json(&tar, &chaoyang()).json();
    assert_eq!(codes(&r), ["git-config-executes"]);
    let f = &with_code(&r, "git-config-executes")[0];
    assert_eq!(f["path"], ".Git/config");
    assert_eq!(f["evidence"][0], "core.hookspath = tools/hooks");

    // A repository whose committed tree holds a bare repository with a textconv driver.
    let repo = tmp.path().join("repo");
    copy_dir(&sample(), &repo);
    write(&repo, "lib/tool.git/HEAD", "ref: refs/heads/main\n");
    write(&repo, "lib/tool.git/objects/info/packs", "");
    write(
        &repo,
        "lib/tool.git/config",
        "[diff \"pdf\"]\n\ttextconv = pdftotext\n",
    );
    sample_repo(&repo);
    let r = check_git(&format!("file://{}", repo.display()), &[]).json();
    assert_eq!(codes(&r), ["git-config-executes"]);
    let f = &with_code(&r, "git-config-executes")[0];
    assert_eq!(f["path"], "lib/tool.git/config");
    assert_eq!(f["evidence"][0], "diff.pdf.textconv = pdftotext");
}

#[test]
fn restore_refuses_git_settings_that_run_commands_unless_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let marker = tmp.path().join("vendor-command-ran");
    let work = tmp.path().join("work");
    sample_repo(&work);
    std::fs::write(work.join(".git/config"), hostile_config(&marker)).unwrap();
    let vault = deposit_failing(tmp.path(), &work);
    let v = vault.to_str().unwrap();
    let status = |dir: &Path| {
        let _ = std::process::Command::new("git")
            .arg("status")
            .current_dir(dir)
            .env("GIT_CEILING_DIRECTORIES", tmp.path())
            .output();
    };

    // Refused: exit 2, naming the file, the key and the flag; nothing written.
    let out = tmp.path().join("out");
    let run = escrow(["restore", "v1", out.to_str().unwrap(), "--vault", v]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(".git/config: core.fsmonitor = touch")
            && run.stderr.contains("--allow-git-config"),
        "{}",
        run.stderr
    );
    assert!(!out.join(".git").exists());
    if out.exists() {
        status(&out);
    }
    assert!(!marker.exists(), "the vendor's command ran");

    // Allowed: restored as delivered (and then git status does run it, which is why the
    // default refuses).
    let run = escrow([
        "restore",
        "v1",
        out.to_str().unwrap(),
        "--vault",
        v,
        "--allow-git-config",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    status(&out);
    assert!(marker.exists(), "the planted setting is real");
}

#[test]
fn a_blob_bomb_is_bounded_like_an_archive_bomb() {
    let tmp = tempfile::tempdir().unwrap();
    let bare = tmp.path().join("bomb.git");
    let b = bare.to_str().unwrap();
    git(None, &["init", "-q", "--bare", b], "");
    let zeros = tmp.path().join("zeros");
    let f = std::fs::File::create(&zeros).unwrap();
    f.set_len(96 << 20).unwrap();
    drop(f);
    let blob = git(
        None,
        &["--git-dir", b, "hash-object", "-w", zeros.to_str().unwrap()],
        "",
    );
    std::fs::remove_file(&zeros).unwrap();
    let tree = git(
        None,
        &["--git-dir", b, "mktree"],
        &format!("100644 blob {blob}\tzeros.bin\n"),
    );
    let commit = git(None, &["--git-dir", b, "commit-tree", "-m", "x", &tree], "");
    git(None, &["--git-dir", b, "update-ref", "HEAD", &commit], "");

    // The ratio guard holds for git: refused before the blob is written out.
    let run = check_git(b, &["--max-ratio", "20"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("decompression bomb"), "{}", run.stderr);
    let run = check_git(b, &["--max-bytes", "1000000"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--max-bytes"), "{}", run.stderr);

    // Folders count as entries: trees are shared, so a few kilobytes name 160,000 folders.
    let mut t = git(None, &["--git-dir", b, "mktree"], "");
    for _ in 0..4 {
        let mut listing = String::new();
        for i in 0..20 {
            listing.push_str(&format!("040000 tree {t}\td{i}\n"));
        }
        t = git(None, &["--git-dir", b, "mktree"], &listing);
    }
    let c = git(
        None,
        &["--git-dir", b, "commit-tree", "-m", "folders", &t],
        "",
    );
    git(
        None,
        &["--git-dir", b, "update-ref", "refs/heads/folders", &c],
        "",
    );
    let run = check_git(b, &["--ref", "folders", "--max-files", "5000"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("more than 5000 entries"),
        "{}",
        run.stderr
    );

    // Within the limits, the blob is streamed: memory stays far below its 96 MiB.
    if !Path::new("/usr/bin/time").exists() {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped the memory measurement: /usr/bin/time is not installed");
        }
        return;
    }
    let mut cmd = std::process::Command::new("/usr/bin/time");
    cmd.arg("-v")
        .arg(env!("CARGO_BIN_EXE_escrow"))
        .args(["check", b, "-m"])
        .arg(chaoyang())
        .args(["--format", "json"]);
    let run = crate::common::run(cmd);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json()["delivery"]["bytes"], 96u64 << 20);
    let rss_kb: u64 = run
        .stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .expect("a maximum resident set size");
    assert!(
        rss_kb < 64 * 1024,
        "{rss_kb} KiB resident for a 96 MiB blob"
    );
}

/// Run git with binary `input`; its trimmed standard output.
fn git_bytes(dir: &Path, args: &[&str], input: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?} failed");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A work tree at `dir` with one commit of `secret.txt` on `master`; its commit.
fn host_repo(dir: &Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("secret.txt"), "HOST-SECRET\n").unwrap();
    let d = Some(dir);
    git(d, &["init", "-q", "-b", "master", "."], "");
    git(d, &["add", "secret.txt"], "");
    git(d, &["commit", "-q", "-m", "host"], "");
    git(d, &["rev-parse", "HEAD"], "")
}

#[test]
fn a_local_repository_is_read_only_from_the_real_files_inside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let host = tmp.path().join("host");
    let host_commit = host_repo(&host);
    let hostgit = host.join(".git");

    // A "bare repository" whose objects, refs and HEAD are links into the host's repository.
    let linked = tmp.path().join("linked.git");
    std::fs::create_dir(&linked).unwrap();
    for n in ["objects", "refs", "HEAD"] {
        std::os::unix::fs::symlink(hostgit.join(n), linked.join(n)).unwrap();
    }
    std::fs::write(
        linked.join("config"),
        "[core]\n\trepositoryformatversion = 0\n\tbare = true\n",
    )
    .unwrap();
    let url = format!("file://{}", linked.display());
    let run = check_git(&url, &[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("objects folder is a link"),
        "{}",
        run.stderr
    );
    // Given as a path, it is not a repository: a folder whose links are not followed.
    let run = check_git(linked.to_str().unwrap(), &[]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let r = run.json();
    assert_ne!(r["delivery"]["source"]["kind"], "git");
    assert_ne!(r["delivery"]["source"]["commit"], host_commit.as_str());

    // A sound repository of the sample that also borrows the host's objects and carries a tag
    // that is a link to the host's branch.
    let work = tmp.path().join("work");
    sample_repo(&work);
    let bare = tmp.path().join("vendor.git");
    let b = bare.to_str().unwrap();
    git(
        None,
        &["clone", "-q", "--bare", work.to_str().unwrap(), b],
        "",
    );
    let alternates = bare.join("objects/info/alternates");
    std::fs::write(
        &alternates,
        format!("{}\n", hostgit.join("objects").display()),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        hostgit.join("refs/heads/master"),
        bare.join("refs/tags/leak"),
    )
    .unwrap();
    let url = format!("file://{b}");
    for spec in [b, url.as_str()] {
        let run = check_git(spec, &[]);
        assert_eq!(run.code, 2, "{spec}: {}", run.stdout);
        assert!(
            run.stderr.contains("objects/info/alternates") && run.stderr.contains("git repack"),
            "{}",
            run.stderr
        );
    }
    let run = check_git(b, &["--ref", "leak"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    std::fs::remove_file(&alternates).unwrap();
    let run = check_git(b, &["--ref", "leak"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("refs/tags/leak"), "{}", run.stderr);
    // Without them, the repository is read as usual.
    std::fs::remove_file(bare.join("refs/tags/leak")).unwrap();
    let run = check_git(b, &[]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.json()["delivery"]["source"]["kind"], "git");
}

/// The delivery `dir`: the sample, its `.git` a gitfile naming `meta-wt`, which holds only
/// `HEAD`, `commondir` (`../meta-common`) and `config.worktree` with `core.fsmonitor`;
/// `meta-common` is the repository, with `extensions.worktreeConfig`.
fn gitfile_commondir(dir: &Path, marker: &Path) {
    sample_repo(dir);
    std::fs::rename(dir.join(".git"), dir.join("meta-common")).unwrap();
    std::fs::create_dir(dir.join("meta-wt")).unwrap();
    std::fs::copy(dir.join("meta-common/HEAD"), dir.join("meta-wt/HEAD")).unwrap();
    std::fs::copy(dir.join("meta-common/index"), dir.join("meta-wt/index")).unwrap();
    std::fs::write(dir.join("meta-wt/commondir"), "../meta-common\n").unwrap();
    std::fs::write(dir.join(".git"), "gitdir: meta-wt\n").unwrap();
    let cfg = dir.join("meta-common/config");
    let c = cfg.to_str().unwrap();
    git(
        None,
        &["config", "-f", c, "core.repositoryformatversion", "1"],
        "",
    );
    git(
        None,
        &["config", "-f", c, "extensions.worktreeConfig", "true"],
        "",
    );
    std::fs::write(
        dir.join("meta-wt/config.worktree"),
        format!(
            "[core]\n\tfsmonitor = \"touch {}; false\"\n",
            marker.display()
        ),
    )
    .unwrap();
}

#[test]
fn a_gitfile_and_commondir_cannot_hide_git_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let marker = tmp.path().join("vendor-command-ran");
    let dir = tmp.path().join("delivery");
    gitfile_commondir(&dir, &marker);
    // The planted setting is real: git status in the delivery runs it.
    let _ = std::process::Command::new("git")
        .arg("status")
        .current_dir(&dir)
        .env("GIT_CEILING_DIRECTORIES", tmp.path())
        .output();
    assert!(
        marker.exists(),
        "the setup does not plant a working command"
    );
    std::fs::remove_file(&marker).unwrap();

    let run = check_git(dir.to_str().unwrap(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = run.json();
    let found = with_code(&r, "git-config-executes");
    assert!(
        found.iter().any(|f| f["path"] == "meta-wt/config.worktree"),
        "{found:?}"
    );

    // Deposited, then restored with default flags: refused, and git status runs nothing.
    let vault = deposit_failing(tmp.path(), &dir);
    let v = vault.to_str().unwrap();
    let out = tmp.path().join("out");
    let run = escrow(["restore", "v1", out.to_str().unwrap(), "--vault", v]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("meta-wt/config.worktree: core.fsmonitor"),
        "{}",
        run.stderr
    );
    if out.exists() {
        let _ = std::process::Command::new("git")
            .arg("status")
            .current_dir(&out)
            .env("GIT_CEILING_DIRECTORIES", tmp.path())
            .output();
    }
    assert!(!marker.exists(), "the vendor's command ran");

    // A gitfile naming a Git folder outside the delivery: its settings cannot be checked.
    let other = tmp.path().join("other");
    copy_dir(&sample(), &other);
    std::fs::write(other.join(".git"), "gitdir: ../../somewhere/.git\n").unwrap();
    let run = check_git(other.to_str().unwrap(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = run.json();
    let found = with_code(&r, "git-config-executes");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["path"], ".git");
}

#[test]
fn tree_entries_with_slashes_or_dots_in_their_names_are_not_unpacked() {
    let tmp = tempfile::tempdir().unwrap();
    let marker = tmp.path().join("vendor-command-ran");
    let bare = tmp.path().join("his.git");
    let b = bare.to_str().unwrap();
    git(None, &["init", "-q", "--bare", b], "");
    let hash = |bytes: &[u8], kind: &str| {
        git_bytes(
            &bare,
            &["hash-object", "-w", "--literally", "-t", kind, "--stdin"],
            bytes,
        )
    };
    let raw = |hex: &str| -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    };
    let tree = |entries: &[(&str, &str, &str)]| {
        let mut t = Vec::new();
        for (mode, name, id) in entries {
            t.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            t.extend(raw(id));
        }
        hash(&t, "tree")
    };
    let head = hash(b"ref: refs/heads/main\n", "blob");
    let config = hash(hostile_config(&marker).as_bytes(), "blob");
    let readme = hash(b"readme\n", "blob");
    let dotgit = tree(&[("100644", "HEAD", &head), ("100644", "config", &config)]);
    let top = tree(&[
        ("40000", "./.git", &dotgit),
        ("100644", "README.md", &readme),
        ("100644", "a/b", &readme),
        ("40000", "sub/.git", &dotgit),
    ]);
    let commit = git(None, &["--git-dir", b, "commit-tree", "-m", "v1", &top], "");
    git(
        None,
        &["--git-dir", b, "update-ref", "refs/heads/main", &commit],
        "",
    );
    git(
        None,
        &["--git-dir", b, "symbolic-ref", "HEAD", "refs/heads/main"],
        "",
    );

    let run = check_git(b, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let r = run.json();
    let f = with_code(&r, "git-dotgit-in-tree");
    assert_eq!(f.len(), 1, "{:?}", codes(&r));
    assert_eq!(f[0]["evidence"], serde_json::json!(["./.git", "sub/.git"]));
    let f = with_code(&r, "archive-unsafe-path");
    assert_eq!(f.len(), 1, "{:?}", codes(&r));
    assert_eq!(f[0]["evidence"], serde_json::json!(["a/b"]));
    assert!(
        with_code(&r, "git-config-executes").is_empty(),
        "nothing staged under .git"
    );
    assert_eq!(r["delivery"]["files"], 1, "README.md only");
}

#[test]
fn a_head_naming_a_missing_branch_says_which_branches_exist() {
    let tmp = tempfile::tempdir().unwrap();
    // The vendor's server repository: created with HEAD on `master`, then only `main` pushed.
    let bare = tmp.path().join("his.git");
    let b = bare.to_str().unwrap();
    git(None, &["init", "-q", "--bare", b], "");
    git(
        None,
        &["--git-dir", b, "symbolic-ref", "HEAD", "refs/heads/master"],
        "",
    );

    // No commits at all: nothing to deliver.
    let run = check_git(b, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("the repository has no commits"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("\"HEAD\""), "{}", run.stderr);

    let work = tmp.path().join("work");
    copy_dir(&sample(), &work);
    git(Some(&work), &["init", "-q", "-b", "main"], "");
    git(Some(&work), &["add", "-A"], "");
    git(Some(&work), &["commit", "-q", "-m", "v1"], "");
    git(Some(&work), &["tag", "v1"], "");
    git(Some(&work), &["push", "-q", b, "main", "v1"], "");
    assert_eq!(
        std::fs::read_to_string(bare.join("HEAD")).unwrap(),
        "ref: refs/heads/master\n"
    );

    for spec in [b.to_owned(), format!("file://{b}")] {
        let run = check_git(&spec, &[]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let e = &run.stderr;
        assert!(
            e.contains("HEAD points to the branch \"master\", which does not exist"),
            "{e}"
        );
        assert!(e.contains("existing branches: main; tags: v1"), "{e}");
        assert!(e.contains("--ref NAME (for example --ref main)"), "{e}");
        assert!(!e.contains("no branch, tag or commit"), "{e}");
    }
    // What the message suggests works.
    let run = check_git(b, &["--ref", "main"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["delivery"]["source"]["ref"], "main");

    // Many branches: the first ten, and how many there are.
    for n in 0..12 {
        git(Some(&work), &["branch", &format!("hotfix-{n:02}")], "");
    }
    git(Some(&work), &["push", "-q", b, "--all"], "");
    let run = check_git(b, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "existing branches (13): hotfix-00, hotfix-01, hotfix-02, hotfix-03, hotfix-04, hotfix-05, hotfix-06, hotfix-07, hotfix-08, hotfix-09, …; tags: v1"
        ),
        "{}",
        run.stderr
    );
}
