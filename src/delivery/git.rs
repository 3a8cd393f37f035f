//! Git repositories as deliveries: a local repository (work tree or bare) or a URL (`file://`,
//! `https://`, `ssh://`, `git://`), at `--ref` (branch, tag or commit) or HEAD. The commit's tree
//! is written into the staging folder through the same guarded unpacker as archives; the
//! report records the commit, the ref, its date and author.

use std::path::Path;

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

use super::DeliveryError;
use super::archive::{Limits, Unpacked, Unpacker};
use crate::finding::Finding;

/// What the report records about the commit delivered.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub commit: String,
    pub reference: String,
    /// UTC, RFC 3339.
    pub date: String,
    pub author: String,
    pub shallow: bool,
}

/// Does `spec` name a repository to clone (a URL, or a local bare repository)?
pub fn is_repository(spec: &str) -> bool {
    if ["file://", "https://", "http://", "ssh://", "git://"]
        .iter()
        .any(|p| spec.starts_with(p))
    {
        return true;
    }
    let p = Path::new(spec);
    p.is_dir() && p.join("HEAD").is_file() && p.join("objects").is_dir() && p.join("refs").is_dir()
}

fn err(spec: &str, message: String) -> DeliveryError {
    DeliveryError::Archive {
        path: spec.into(),
        message,
    }
}

/// Clone `spec` (bare, into `scratch`), and write the tree of `reference` (default HEAD) into
/// `root`.
pub fn export(
    spec: &str,
    reference: Option<&str>,
    scratch: &Path,
    root: &Path,
    limits: Limits,
    progress: &dyn crate::progress::Progress,
) -> Result<(CommitInfo, Unpacked), DeliveryError> {
    let url = if Path::new(spec).exists() {
        format!(
            "file://{}",
            std::fs::canonicalize(spec)
                .map_err(|e| err(spec, format!("cannot open the repository ({e})")))?
                .display()
        )
    } else {
        spec.to_owned()
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
        .fetch_options(fetch)
        .clone(&url, scratch);
    progress.finish();
    let repo = cloned.map_err(|e| {
        err(
            spec,
            format!(
                "cannot clone the repository ({}); check the URL and that it is reachable",
                e.message()
            ),
        )
    })?;
    let wanted = reference.unwrap_or("HEAD");
    let object = [
        wanted.to_owned(),
        format!("refs/remotes/origin/{wanted}"),
        format!("refs/tags/{wanted}"),
    ]
    .iter()
    .find_map(|r| repo.revparse_single(r).ok())
    .ok_or_else(|| {
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
    let tree = commit.tree().map_err(|e| {
        err(
            spec,
            format!("cannot read the commit's tree ({})", e.message()),
        )
    })?;
    let label = Path::new(spec);
    let mut u = Unpacker::new(label, root, limits, u64::MAX / 2);
    let mut failure: Option<DeliveryError> = None;
    let mut submodules = Vec::new();
    let mut lfs = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        let mut path = dir.as_bytes().to_vec();
        path.extend_from_slice(entry.name_bytes());
        let mode = u32::try_from(entry.filemode()).unwrap_or(0);
        let result = match entry.kind() {
            Some(ObjectType::Tree) => u.dir(&path),
            Some(ObjectType::Blob) => match repo.find_blob(entry.id()) {
                Ok(blob) => {
                    let content = blob.content();
                    if mode == 0o120_000 {
                        u.symlink(&path, content);
                        Ok(())
                    } else {
                        if content.len() < 1024
                            && content.starts_with(b"version https://git-lfs.github.com/spec/v1")
                        {
                            lfs.push(crate::delivery::names::display(&path));
                        }
                        u.file(&path, mode, &mut &content[..])
                    }
                }
                Err(e) => Err(err(
                    spec,
                    format!(
                        "cannot read {:?} ({})",
                        String::from_utf8_lossy(&path),
                        e.message()
                    ),
                )),
            },
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
    if !submodules.is_empty() {
        u.push_finding(
            Finding::new(
                "git-submodule-missing",
                format!("{} submodules are only references to other repositories: their source is not in this delivery", submodules.len()),
                format!("{} 个子模块只是指向其他仓库的引用：其源代码不在本次交付中", submodules.len()),
            )
            .evidence(submodules),
        );
    }
    if !lfs.is_empty() {
        u.push_finding(
            Finding::new(
                "git-lfs-pointer",
                format!(
                    "{} files are Git LFS pointers: their content was not delivered",
                    lfs.len()
                ),
                format!("{} 个文件是 Git LFS 指针：其实际内容并未交付", lfs.len()),
            )
            .evidence(lfs.into_iter().take(50).collect()),
        );
    }
    let unpacked = u.finish()?;
    Ok((info, unpacked))
}

/// For a folder that is a git work tree: its HEAD commit and whether it has changes.
pub fn work_tree(path: &Path) -> Option<(String, bool)> {
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
