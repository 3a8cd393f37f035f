//! Git repositories as deliveries: a local repository (work tree or bare) or a URL (`file://`,
//! `https://`, `ssh://`, `git://`), at `--ref` (branch, tag or commit) or HEAD. The commit's tree
//! is written into the staging folder through the same guarded unpacker as archives; the
//! report records the commit, the ref, its date and author.

use std::path::Path;

use std::io::Read;

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

use super::archive::{Limits, Unpacked, Unpacker};
use super::{DeliveryError, gitconfig};
use crate::finding::Finding;

/// Blobs larger than this are streamed (by `git cat-file`, from escrow's own copy of the
/// repository) rather than read whole into memory: libgit2 reads packed objects only whole.
const STREAM_ABOVE: u64 = 8 << 20;

/// What the report records about the commit delivered.
#[derive(Debug, Clone)]
pub(crate) struct CommitInfo {
    /// The commit's id, 40 hex digits (SHA-1).
    pub commit: String,
    /// The branch, tag or commit asked for (`HEAD` by default).
    pub reference: String,
    /// The commit's date: UTC, RFC 3339 (empty when git's time is out of range).
    pub date: String,
    /// The author as `Name <email>`.
    pub author: String,
    /// Whether the repository is a shallow clone (history cut short).
    pub shallow: bool,
}

/// Does `spec` name a repository to clone (a URL, or a local bare repository)?
pub(crate) fn is_repository(spec: &str) -> bool {
    if ["file://", "https://", "http://", "ssh://", "git://"]
        .iter()
        .any(|p| spec.starts_with(p))
    {
        return true;
    }
    // Links are not followed: a repository given as a folder is read only from what is in it.
    let kind = |p: &Path| std::fs::symlink_metadata(p).ok().map(|m| m.file_type());
    let p = Path::new(spec);
    p.is_dir()
        && kind(&p.join("HEAD")).is_some_and(|t| t.is_file())
        && kind(&p.join("objects")).is_some_and(|t| t.is_dir())
        && kind(&p.join("refs")).is_some_and(|t| t.is_dir())
}

/// What of a repository escrow copies: its refs, its objects, which commits are cut off
/// (`shallow`). Not its configuration, hooks, grafts, logs or index.
const COPIED: [&[u8]; 5] = [b"HEAD", b"packed-refs", b"shallow", b"refs", b"objects"];

/// Copy the Git folder of the local repository `dir` (bare, or a work tree's `.git`) into
/// `copy`: only real files and folders inside it, read through handles that follow no link;
/// a link, a special file, objects borrowed from elsewhere (`objects/info/alternates`) or a
/// folder that is only a pointer to another (`commondir`, a `.git` file) are refused.
fn copy_repository(spec: &str, dir: &Path, copy: &Path) -> Result<(), DeliveryError> {
    use super::safefs;
    use std::os::fd::AsFd;
    let io = |what: &str, e: std::io::Error| err(spec, format!("cannot read {what} ({e})"));
    let root = safefs::open_root(dir).map_err(|e| io("the repository", e))?;
    let is_dir = |name: &[u8]| {
        safefs::lstat_at(root.as_fd(), name).is_ok_and(|st| {
            rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Directory
        })
    };
    let git = if is_dir(b"objects") {
        root
    } else if safefs::lstat_at(root.as_fd(), b"objects").is_ok() {
        return Err(err(
            spec,
            "the repository's objects folder is a link or a file: a repository given as a folder is read only from the real files inside it; deliver a self-contained repository (`git clone --bare --no-local`)".to_owned(),
        ));
    } else if safefs::lstat_at(root.as_fd(), b".git").is_ok() {
        if !is_dir(b".git") {
            return Err(err(
                spec,
                "its .git is a file or a link that points to a Git folder elsewhere (a linked worktree or a submodule): deliver a self-contained repository (`git clone --bare --no-local`)".to_owned(),
            ));
        }
        safefs::open_dir_at(root.as_fd(), b".git", None).map_err(|e| io(".git", e))?
    } else {
        return Err(err(
            spec,
            "this folder is not a Git repository (no objects folder)".to_owned(),
        ));
    };
    for (pointer, why) in [
        (
            &b"objects/info/alternates"[..],
            "borrows objects from another repository",
        ),
        (
            b"objects/info/http-alternates",
            "borrows objects from another repository",
        ),
        (
            b"commondir",
            "takes its objects and refs from another Git folder",
        ),
    ] {
        if safefs::open_beneath(git.as_fd(), pointer, rustix::fs::OFlags::PATH).is_ok()
            || safefs::lstat_at(git.as_fd(), pointer).is_ok()
        {
            return Err(err(
                spec,
                format!(
                    "the repository {why} ({}): escrow reads only what is inside the repository delivered; deliver a self-contained repository (`git repack -a -d`, then delete objects/info/alternates; or `git clone --bare --no-local`)",
                    super::names::display(pointer)
                ),
            ));
        }
    }
    std::fs::create_dir(copy).map_err(|e| io("escrow's private folder", e))?;
    let out = safefs::open_root(copy).map_err(|e| io("escrow's private folder", e))?;
    for name in COPIED {
        copy_entry(spec, git.as_fd(), out.as_fd(), name, name, 0)?;
    }
    let mut config = safefs::create_file_at(out.as_fd(), b"config", false)
        .map_err(|e| io("escrow's private folder", e))?;
    std::io::Write::write_all(
        &mut config,
        b"[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n",
    )
    .map_err(|e| io("escrow's private folder", e))?;
    Ok(())
}

/// Copy `name` of the folder `from` into the folder `to`; `rel` is its path in the repository.
fn copy_entry(
    spec: &str,
    from: std::os::fd::BorrowedFd<'_>,
    to: std::os::fd::BorrowedFd<'_>,
    name: &[u8],
    rel: &[u8],
    depth: usize,
) -> Result<(), DeliveryError> {
    use super::safefs;
    use rustix::fs::FileType;
    use std::os::fd::AsFd;
    let shown = super::names::display(rel);
    let io = |e: std::io::Error| {
        err(
            spec,
            format!("cannot copy {shown:?} of the repository ({e})"),
        )
    };
    let st = match safefs::lstat_at(from, name) {
        Ok(st) => st,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(e)),
    };
    match FileType::from_raw_mode(st.st_mode) {
        FileType::Directory if depth < 64 => {
            let src = safefs::open_dir_at(from, name, Some((st.st_dev, st.st_ino))).map_err(io)?;
            rustix::fs::mkdirat(to, name, rustix::fs::Mode::RWXU).map_err(|e| io(e.into()))?;
            let dst = safefs::open_dir_at(to, name, None).map_err(io)?;
            let mut names = safefs::list(src.as_fd()).map_err(io)?;
            names.sort();
            for n in names {
                let r = [rel, b"/", &n].concat();
                copy_entry(spec, src.as_fd(), dst.as_fd(), &n, &r, depth + 1)?;
            }
            Ok(())
        }
        FileType::RegularFile => {
            let mut src = safefs::open_file_at(from, name).map_err(io)?;
            let mut dst = safefs::create_file_at(to, name, false).map_err(io)?;
            std::io::copy(&mut src, &mut dst).map_err(io)?;
            Ok(())
        }
        FileType::Symlink => Err(err(
            spec,
            format!(
                "the repository holds a link, {shown:?}: a repository given as a folder is read only from the real files inside it; deliver a self-contained repository (`git clone --bare --no-local`)"
            ),
        )),
        _ => Err(err(
            spec,
            format!(
                "the repository holds {shown:?}, which is not a file or a folder (or lies too deep); deliver a self-contained repository (`git clone --bare --no-local`)"
            ),
        )),
    }
}

fn err(spec: &str, message: String) -> DeliveryError {
    DeliveryError::Archive {
        path: spec.into(),
        message,
    }
}

/// Clone `spec` (bare, into `scratch`), and write the tree of `reference` (default HEAD) into
/// `root`.
pub(crate) fn export(
    spec: &str,
    reference: Option<&str>,
    scratch: &Path,
    root: &Path,
    limits: Limits,
    progress: &dyn crate::progress::Progress,
) -> Result<(CommitInfo, Unpacked), DeliveryError> {
    let (repo, source_head) = clone(spec, scratch, progress)?;
    let (commit, info) = resolve(&repo, spec, reference, source_head.as_deref())?;
    let tree = commit.tree().map_err(|e| {
        err(
            spec,
            format!("cannot read the commit's tree ({})", e.message()),
        )
    })?;
    // The bomb limits of archives, the ratio against what the repository takes on disk.
    let on_disk = disk_size(scratch);
    let label = Path::new(spec);
    let mut u = Unpacker::new(label, root, limits, on_disk);
    let odb = repo.odb().map_err(|e| {
        err(
            spec,
            format!("cannot read the repository's objects ({})", e.message()),
        )
    })?;
    let mut budget = Budget {
        limits,
        on_disk,
        declared: 0,
        entries: 0,
    };
    let notes = walk(&repo, &odb, &tree, &mut u, &mut budget, spec)?;
    notes.report(&mut u);
    let unpacked = u.finish()?;
    Ok((info, unpacked))
}

/// Clone `spec` (a URL, or a repository on this machine) as a bare repository into `scratch`.
/// With it, for a repository on this machine, the ref its HEAD points to (`refs/heads/main`):
/// a clone cannot tell which branch an unborn HEAD names.
fn clone(
    spec: &str,
    scratch: &Path,
    progress: &dyn crate::progress::Progress,
) -> Result<(Repository, Option<String>), DeliveryError> {
    // A repository on this machine is read only from the real files and folders inside it,
    // through handles (no link followed anywhere), into escrow's private copy with escrow's own
    // configuration; only that copy is cloned. Its links, alternates and settings could
    // otherwise make libgit2 read another repository of this machine.
    let local = spec
        .strip_prefix("file://")
        .map(Path::new)
        .or_else(|| Path::new(spec).exists().then(|| Path::new(spec)));
    let copy = scratch.with_file_name("source.git");
    let url = match local {
        Some(dir) => {
            copy_repository(spec, dir, &copy)?;
            format!("file://{}", copy.display())
        }
        None => spec.to_owned(),
    };
    let mut callbacks = git2::RemoteCallbacks::new();
    let mut last = 0usize;
    let mut started = false;
    callbacks.transfer_progress(|p| {
        if !started {
            progress.begin("cloning", 0, 0);
            started = true;
        }
        progress.advance(0, (p.received_bytes().saturating_sub(last)) as u64);
        last = p.received_bytes();
        true
    });
    let mut fetch = git2::FetchOptions::new();
    fetch.remote_callbacks(callbacks);
    let cloned = git2::build::RepoBuilder::new()
        .bare(true)
        .clone_local(git2::build::CloneLocal::NoLinks)
        .fetch_options(fetch)
        .clone(&url, scratch);
    progress.finish();
    let mut source_head = None;
    if local.is_some() {
        // Escrow's own copy: its HEAD is a regular file written by the copy.
        source_head = std::fs::read(copy.join("HEAD")).ok().and_then(|h| {
            let h = String::from_utf8(h).ok()?;
            Some(h.strip_prefix("ref:")?.trim().to_owned())
        });
        let _ = std::fs::remove_dir_all(&copy);
    }
    let repo = cloned.map_err(|e| {
        err(
            spec,
            format!(
                "cannot clone the repository ({}); check the URL and that it is reachable",
                e.message()
            ),
        )
    })?;
    if std::fs::symlink_metadata(scratch.join("objects/info/alternates")).is_ok() {
        return Err(err(
            spec,
            "the clone borrows objects from another repository (objects/info/alternates); nothing was read".to_owned(),
        ));
    }
    Ok((repo, source_head))
}

/// The commit `reference` (default `HEAD`) names: a branch, tag or commit. `source_head`: the
/// ref HEAD points to in the repository cloned, when known.
fn resolve<'r>(
    repo: &'r Repository,
    spec: &str,
    reference: Option<&str>,
    source_head: Option<&str>,
) -> Result<(git2::Commit<'r>, CommitInfo), DeliveryError> {
    let wanted = reference.unwrap_or("HEAD");
    let object = [
        wanted.to_owned(),
        format!("refs/remotes/origin/{wanted}"),
        format!("refs/tags/{wanted}"),
    ]
    .iter()
    .find_map(|r| repo.revparse_single(r).ok())
    .ok_or_else(|| {
        if reference.is_none() {
            return unborn_head(repo, spec, source_head);
        }
        err(
            spec,
            format!("no branch, tag or commit {wanted:?} in the repository"),
        )
    })?;
    let commit = object.peel_to_commit().map_err(|e| {
        err(
            spec,
            format!("{wanted:?} is not a commit ({})", e.message()),
        )
    })?;
    let when = commit.time();
    let date = time::OffsetDateTime::from_unix_timestamp(when.seconds())
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let author = commit.author();
    let info = CommitInfo {
        commit: commit.id().to_string(),
        reference: wanted.to_owned(),
        date,
        author: format!(
            "{} <{}>",
            String::from_utf8_lossy(author.name_bytes()),
            String::from_utf8_lossy(author.email_bytes())
        ),
        shallow: repo.is_shallow(),
    };
    drop(author);
    Ok((commit, info))
}

/// How many branch and tag names an error message lists.
const NAMES_SHOWN: usize = 10;

/// The error when HEAD names no commit: the repository has none, or HEAD points to a branch
/// that does not exist (`master` while only `main` was pushed). Says which branches and tags
/// there are, and how to pick one with `--ref`.
fn unborn_head(repo: &Repository, spec: &str, source_head: Option<&str>) -> DeliveryError {
    let mut branches = std::collections::BTreeSet::new();
    let mut tags = std::collections::BTreeSet::new();
    if let Ok(refs) = repo.references() {
        for r in refs.flatten() {
            let Some(name) = r.name() else { continue };
            if let Some(b) = name
                .strip_prefix("refs/remotes/origin/")
                .or_else(|| name.strip_prefix("refs/heads/"))
            {
                if b != "HEAD" {
                    branches.insert(b.to_owned());
                }
            } else if let Some(t) = name.strip_prefix("refs/tags/") {
                tags.insert(t.to_owned());
            }
        }
    }
    if branches.is_empty() && tags.is_empty() {
        return err(
            spec,
            "the repository has no commits: no branch or tag exists, there is nothing to deliver; ask the vendor to push the delivered branch (`git push REPOSITORY BRANCH`)".to_owned(),
        );
    }
    // A clone's own HEAD is libgit2's default when the source's HEAD is unborn: only the
    // source's HEAD (a repository on this machine) says which branch it names.
    let pointed = match source_head.map(|h| h.strip_prefix("refs/heads/").unwrap_or(h)) {
        Some(b) => format!("HEAD points to the branch {b:?}, which does not exist"),
        None => "HEAD names no branch that exists".to_owned(),
    };
    let list = |what: &str, set: &std::collections::BTreeSet<String>| {
        let mut shown: Vec<&str> = set.iter().take(NAMES_SHOWN).map(String::as_str).collect();
        if set.len() > NAMES_SHOWN {
            shown.push("…");
            format!("{what} ({}): {}", set.len(), shown.join(", "))
        } else {
            format!("{what}: {}", shown.join(", "))
        }
    };
    let mut have = Vec::new();
    if !branches.is_empty() {
        have.push(list("existing branches", &branches));
    }
    if !tags.is_empty() {
        have.push(list("tags", &tags));
    }
    let example = ["main", "master"]
        .into_iter()
        .find(|b| branches.contains(*b))
        .or_else(|| branches.iter().chain(&tags).next().map(String::as_str))
        .unwrap_or("NAME");
    err(
        spec,
        format!(
            "{pointed}; {}; name the one to deliver with --ref NAME (for example --ref {example})",
            have.join("; ")
        ),
    )
}

/// What the walk of a commit's tree did not unpack, for the findings (display paths).
#[derive(Default)]
struct TreeNotes {
    submodules: Vec<String>,
    lfs: Vec<String>,
    dotgit: Vec<String>,
    unsafe_names: Vec<String>,
}

/// Unpack a commit's tree (folders and blobs) through `u`, within `budget`.
fn walk(
    repo: &Repository,
    odb: &git2::Odb<'_>,
    tree: &git2::Tree<'_>,
    u: &mut Unpacker<'_>,
    budget: &mut Budget,
    spec: &str,
) -> Result<TreeNotes, DeliveryError> {
    let mut failure: Option<DeliveryError> = None;
    let mut notes = TreeNotes::default();
    let TreeNotes {
        submodules,
        lfs,
        dotgit,
        unsafe_names,
    } = &mut notes;
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        let mut path = dir.as_bytes().to_vec();
        path.extend_from_slice(entry.name_bytes());
        // Checked out, a `.git` of the tree would be a live Git folder: never staged. Git never
        // writes a name with `/`, nor an empty, `.` or `..` one: such an entry is not unpacked
        // (and a `.git` among its parts is that finding).
        let name = entry.name_bytes();
        let parts = || name.split(|&b| b == b'/');
        if parts().any(gitconfig::is_dotgit) {
            if dotgit.len() < 50 {
                dotgit.push(crate::delivery::names::display(&path));
            }
            return TreeWalkResult::Skip;
        }
        if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') {
            if unsafe_names.len() < 50 {
                unsafe_names.push(crate::delivery::names::display(&path));
            }
            return TreeWalkResult::Skip;
        }
        let mode = u32::try_from(entry.filemode()).unwrap_or(0);
        // Folders count too: trees are shared, so a few kilobytes can name billions of them.
        if let Err(e) = budget.entry(spec) {
            failure = Some(e);
            return TreeWalkResult::Abort;
        }
        let result = match entry.kind() {
            Some(ObjectType::Tree) => u.dir(&path),
            Some(ObjectType::Blob) => blob(repo, odb, u, budget, spec, &path, mode, entry.id())
                .map(|pointer| {
                    if pointer {
                        lfs.push(crate::delivery::names::display(&path));
                    }
                }),
            Some(ObjectType::Commit) => {
                submodules.push(crate::delivery::names::display(&path));
                Ok(())
            }
            _ => Ok(()),
        };
        match result {
            Ok(()) => TreeWalkResult::Ok,
            Err(e) => {
                failure = Some(e);
                TreeWalkResult::Abort
            }
        }
    })
    .ok();
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(notes)
}

impl TreeNotes {
    /// The findings about what was not unpacked.
    fn report(self, u: &mut Unpacker<'_>) {
        let TreeNotes {
            submodules,
            lfs,
            dotgit,
            unsafe_names,
        } = self;
        if !dotgit.is_empty() {
            u.push_finding(
                Finding::of(
                    crate::delivery::codes::DeliveryCode::GitDotgitInTree,
                    format!(
                        "the commit's tree holds {} paths named .git (in some letter case): checked out, each would be a live Git folder whose settings run commands; they were not unpacked",
                        dotgit.len()
                    ),
                    format!(
                        "提交的文件树中有 {} 个名为 .git（不区分大小写）的路径：检出后会成为可执行命令的 Git 配置目录；已拒绝，未解出",
                        dotgit.len()
                    ),
                )
                .path(dotgit[0].clone())
                .covers(dotgit.clone())
                .evidence(dotgit),
            );
        }
        if !unsafe_names.is_empty() {
            u.push_finding(
                Finding::of(
                    crate::delivery::codes::DeliveryCode::ArchiveUnsafePath,
                    format!(
                        "the commit's tree holds {} entries whose name is empty, `.`, `..` or holds `/` (Git never writes such names: the repository was crafted); they were not unpacked",
                        unsafe_names.len()
                    ),
                    format!(
                        "提交的文件树中有 {} 个名称为空、为 `.`/`..` 或含 `/` 的条目（Git 不会写出这样的名称，仓库系人为构造）；未解出",
                        unsafe_names.len()
                    ),
                )
                .path(unsafe_names[0].clone())
                .covers(unsafe_names.clone())
                .evidence(unsafe_names),
            );
        }
        if !submodules.is_empty() {
            u.push_finding(
                Finding::of(
                    crate::delivery::codes::DeliveryCode::GitSubmoduleMissing,
                    format!("{} submodules are only references to other repositories: their source is not in this delivery", submodules.len()),
                    format!("{} 个子模块只是指向其他仓库的引用：其源代码不在本次交付中", submodules.len()),
                )
                .evidence(submodules),
            );
        }
        if !lfs.is_empty() {
            u.push_finding(
                Finding::of(
                    crate::delivery::codes::DeliveryCode::GitLfsPointer,
                    format!(
                        "{} files are Git LFS pointers: their content was not delivered",
                        lfs.len()
                    ),
                    format!("{} 个文件是 Git LFS 指针：其实际内容并未交付", lfs.len()),
                )
                .evidence(lfs.into_iter().take(50).collect()),
            );
        }
    }
}

/// The bytes a repository takes on disk: every regular file under `dir`, links not followed.
fn disk_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// The archive limits applied to the sizes objects declare, before any is read: a blob larger
/// than what is left is refused without being inflated.
struct Budget {
    limits: Limits,
    on_disk: u64,
    declared: u64,
    entries: u64,
}

impl Budget {
    fn entry(&mut self, spec: &str) -> Result<(), DeliveryError> {
        self.entries += 1;
        if self.entries > self.limits.max_files {
            return Err(err(
                spec,
                format!(
                    "more than {} entries: a decompression bomb or an unusually large delivery; raise --max-files if it is genuine",
                    self.limits.max_files
                ),
            ));
        }
        Ok(())
    }

    fn take(&mut self, spec: &str, size: u64) -> Result<(), DeliveryError> {
        self.declared = self.declared.saturating_add(size);
        if self.declared > self.limits.max_bytes {
            return Err(err(
                spec,
                format!(
                    "unpacks to more than {} bytes; raise --max-bytes if it is genuine",
                    self.limits.max_bytes
                ),
            ));
        }
        if self.declared
            > self
                .on_disk
                .saturating_mul(self.limits.max_ratio)
                .max(1 << 20)
        {
            return Err(err(
                spec,
                format!(
                    "unpacks to more than {} times its size: a decompression bomb; raise --max-ratio if it is genuine",
                    self.limits.max_ratio
                ),
            ));
        }
        Ok(())
    }
}

/// Write one blob of the tree; `true` when it is a Git LFS pointer.
#[allow(clippy::too_many_arguments)]
fn blob(
    repo: &Repository,
    odb: &git2::Odb<'_>,
    u: &mut Unpacker<'_>,
    budget: &mut Budget,
    spec: &str,
    path: &[u8],
    mode: u32,
    id: git2::Oid,
) -> Result<bool, DeliveryError> {
    let shown = || String::from_utf8_lossy(path).into_owned();
    let (size, _) = odb
        .read_header(id)
        .map_err(|e| err(spec, format!("cannot read {:?} ({})", shown(), e.message())))?;
    let size = size as u64;
    if mode == 0o120_000 {
        if size > 4096 {
            return Err(err(
                spec,
                format!(
                    "the link {:?} has a target of {size} bytes: no file system takes a link that long; the repository is damaged or hostile",
                    shown()
                ),
            ));
        }
    } else {
        budget.take(spec, size)?;
    }
    if size <= STREAM_ABOVE
        || mode == 0o120_000
        || !stream(repo.path(), u, spec, path, mode, id, size)?
    {
        // Small, or git is not installed: read whole (its size is within the limits).
        let blob = repo
            .find_blob(id)
            .map_err(|e| err(spec, format!("cannot read {:?} ({})", shown(), e.message())))?;
        let content = blob.content();
        if mode == 0o120_000 {
            u.symlink(path, content);
            return Ok(false);
        }
        u.file(path, mode, &mut &content[..])?;
        return Ok(content.len() < 1024
            && content.starts_with(b"version https://git-lfs.github.com/spec/v1"));
    }
    Ok(false)
}

/// Stream a large blob out of escrow's own bare copy of the repository (its configuration is
/// libgit2's, not the vendor's) through `git cat-file`, checking its object id as it goes.
/// `false` when git is not installed (nothing was written).
fn stream(
    git_dir: &Path,
    u: &mut Unpacker<'_>,
    spec: &str,
    path: &[u8],
    mode: u32,
    id: git2::Oid,
    size: u64,
) -> Result<bool, DeliveryError> {
    let shown = String::from_utf8_lossy(path).into_owned();
    // A clean environment: no settings but the copy's own (written by libgit2), no hooks, no
    // monitor, no object folders named by the environment.
    let child = std::process::Command::new("git")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_DIR", git_dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", git_dir)
        .env("GIT_ATTR_NOSYSTEM", "1")
        .args([
            "-c",
            "core.fsmonitor=false",
            "-c",
            "core.hooksPath=/dev/null",
            "--git-dir",
        ])
        .arg(git_dir)
        .args(["cat-file", "blob"])
        .arg(id.to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(err(
                spec,
                format!(
                    "cannot run `git cat-file` to read {shown:?}, a file of {size} bytes ({e})"
                ),
            ));
        }
    };
    let stdout = child.stdout.take().expect("piped");
    let mut hasher = gix_hash::hasher(gix_hash::Kind::Sha1);
    hasher.update(format!("blob {size}\0").as_bytes());
    let mut reader = Hashing {
        inner: stdout,
        hasher: &mut hasher,
    };
    let written = u.file(path, mode, &mut reader);
    drop(reader);
    if written.is_err() {
        let _ = child.kill();
    }
    let status = child.wait();
    written?;
    let ok = status.is_ok_and(|s| s.success());
    let got = hasher.try_finalize().ok().map(|h| h.to_string());
    if !ok || got.as_deref() != Some(id.to_string().as_str()) {
        return Err(err(
            spec,
            format!(
                "the content of {shown:?} does not match its object id {id}: the repository is damaged; ask the vendor for a sound repository"
            ),
        ));
    }
    Ok(true)
}

/// Feeds what is read to a hasher.
struct Hashing<'h, R> {
    inner: R,
    hasher: &'h mut gix_hash::Hasher,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// For a folder that is a git work tree: its HEAD commit and whether it has changes.
pub(crate) fn work_tree(path: &Path) -> Option<(String, bool)> {
    let repo = Repository::open(path).ok()?;
    if repo.is_bare()
        || repo
            .workdir()
            .map(std::fs::canonicalize)
            .and_then(Result::ok)
            != std::fs::canonicalize(path).ok()
    {
        return None;
    }
    let head = repo.head().ok()?.peel_to_commit().ok()?.id().to_string();
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).include_ignored(false);
    let dirty = repo
        .statuses(Some(&mut opts))
        .map_or(true, |s| !s.is_empty());
    Some((head, dirty))
}
