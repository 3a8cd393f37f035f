//! Git settings and hooks that run commands. A delivered `.git/config` (or the configuration of
//! a bare repository inside the delivery) with `core.fsmonitor = <command>` runs that command as
//! soon as anyone types `git status` in the folder; a hook runs on `git commit`. escrow never
//! runs git in a delivery: it parses the configuration itself (with `gix-config`, includes not
//! followed) and reports every key that names a program, and every executable hook
//! (`git-config-executes`). `restore` refuses such a snapshot unless told otherwise.
//!
//! The keys reported (names are case-insensitive; `<x>` is any subsection):
//! `core.fsmonitor` (unless a boolean), `core.hooksPath`, `core.sshCommand`, `core.editor`,
//! `core.pager`, `core.askPass`, `core.gitProxy`, `core.alternateRefsCommand`,
//! `sequence.editor`, `pager.*` (unless a boolean), `interactive.diffFilter`,
//! `alias.*` starting with `!`, `diff.external`, `diff.<x>.command`, `diff.<x>.textconv`,
//! `filter.<x>.clean|smudge|process`, `merge.<x>.driver`, `credential.helper`,
//! `credential.<x>.helper`, `gpg.program`, `gpg.<x>.program`, `gpg.ssh.defaultKeyCommand`,
//! `remote.<x>.uploadpack|receivepack`, `difftool|mergetool|man|browser|guitool.<x>.cmd`,
//! `submodule.<x>.update` starting with `!`, `trailer.<x>.command|cmd`,
//! `uploadpack.packObjectsHook`, and `include.path` / `includeIf.<x>.path` (they pull in
//! settings from files escrow does not check). A configuration that does not parse is reported
//! too: what git would make of it cannot be vouched for.

use std::collections::HashSet;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::{Delivery, EntryKind, names};
use crate::finding::Finding;

/// Configuration files larger than this are not parsed: reported as unreadable.
pub const MAX_CONFIG: u64 = 1 << 20;

/// Is this path component one git (or a Windows or macOS file system) takes for `.git`? Any
/// letter case; NTFS drops trailing dots and spaces and knows the short name `GIT~1`; HFS+
/// ignores some zero-width code points.
pub(crate) fn is_dotgit(component: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(component) else {
        return false;
    };
    let kept: String = s
        .chars()
        .filter(|c| {
            !matches!(u32::from(*c), 0x200c..=0x200f | 0x202a..=0x202e | 0x206a..=0x206f | 0xfeff)
        })
        .collect();
    let trimmed = kept.trim_end_matches(['.', ' ']);
    trimmed.eq_ignore_ascii_case(".git") || s.eq_ignore_ascii_case("git~1")
}

/// Where git would find settings or hooks in a tree.
#[derive(Debug, Default)]
pub struct Located {
    /// Indices of `config` / `config.worktree` entries of a Git folder.
    pub configs: Vec<usize>,
    /// Indices of hooks: executable files (or links) in a Git folder's `hooks/`, not `*.sample`.
    pub hooks: Vec<usize>,
    /// Pointer files (a `.git` gitfile, a `commondir`) naming a Git folder outside the tree,
    /// or that cannot be read: (index, what it names). Git would read settings there that
    /// cannot be checked.
    pub outside: Vec<(usize, String)>,
}

/// Pointer files larger than this are not followed (reported as unreadable).
const MAX_POINTER: u64 = 4096;

/// `base` (a folder of the tree, `/`-separated) joined with `target`, resolved lexically; `None`
/// when absolute or when it climbs out of the tree.
fn resolve(base: &[u8], target: &[u8]) -> Option<Vec<u8>> {
    if target.starts_with(b"/") {
        return None;
    }
    let mut parts: Vec<&[u8]> = base
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .collect();
    for c in target.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join(&b'/'))
}

/// The path a pointer file names: `gitdir: PATH` for a gitfile, the whole first line for
/// `commondir`.
fn pointer(bytes: &[u8], gitfile: bool) -> Option<Vec<u8>> {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let target = if gitfile {
        line.strip_prefix(b"gitdir:")?.trim_ascii()
    } else {
        line
    };
    (!target.is_empty()).then(|| target.to_vec())
}

/// Find the Git folders of a tree and their configuration files and hooks. A Git folder is
/// one Git could use as such: a folder named `.git` in any letter case; a folder holding `HEAD`
/// with any of `objects`, `refs`, `commondir`, `gitdir`, `config`, `config.worktree`; a folder a
/// `.git` gitfile (`gitdir: PATH`) names; the folder a Git folder's `commondir` names. Pointers
/// are resolved lexically inside the tree, never through the file system; one naming a place
/// outside the tree is returned in `outside`.
/// `entries` are (path, kind, mode), paths `/`-separated and relative to the tree's root;
/// `read(i)` gives the content of the regular file `entries[i]` (`None` when it cannot).
pub fn locate(
    entries: &[(&[u8], EntryKind, u32)],
    read: &mut dyn FnMut(usize) -> Option<Vec<u8>>,
) -> Located {
    let all: HashSet<&[u8]> = entries.iter().map(|(p, _, _)| *p).collect();
    let mut named: HashSet<Vec<u8>> = HashSet::new();
    let mut out = Located::default();
    let by_shape = |dir: &[u8]| -> bool {
        let name = dir.rsplit(|&b| b == b'/').next().unwrap_or(dir);
        if !dir.is_empty() && is_dotgit(name) {
            return true;
        }
        all.contains(child(dir, b"HEAD").as_slice())
            && [
                &b"objects"[..],
                b"refs",
                b"commondir",
                b"gitdir",
                b"config",
                b"config.worktree",
            ]
            .iter()
            .any(|n| all.contains(child(dir, n).as_slice()))
    };
    // Follow gitfiles, then the `commondir` of every Git folder, until nothing new is named.
    let mut followed: HashSet<usize> = HashSet::new();
    for _ in 0..8 {
        let mut grew = false;
        for (i, (path, kind, _)) in entries.iter().enumerate() {
            let (dir, name) = split(path);
            let gitfile = is_dotgit(&name);
            let commondir = name == b"commondir" && (by_shape(&dir) || named.contains(&dir));
            if !(gitfile || commondir) || *kind == EntryKind::Dir || followed.contains(&i) {
                continue;
            }
            followed.insert(i);
            if *kind != EntryKind::File {
                out.outside.push((
                    i,
                    "a link or special file: what it names cannot be checked".into(),
                ));
                continue;
            }
            let Some(bytes) = read(i) else {
                out.outside.push((i, "cannot be read".into()));
                continue;
            };
            // A `.git` file that is not a gitfile: Git refuses it.
            let Some(target) = pointer(&bytes, gitfile) else {
                continue;
            };
            match resolve(&dir, &target) {
                Some(t) => {
                    if !named.contains(&t) {
                        named.insert(t);
                        grew = true;
                    }
                }
                None => out.outside.push((
                    i,
                    format!(
                        "names the Git folder {:?}, outside the delivery",
                        names::display(&target)
                    ),
                )),
            }
        }
        if !grew {
            break;
        }
    }
    let is_git_dir = |dir: &[u8]| by_shape(dir) || named.contains(dir);
    for (i, (path, kind, mode)) in entries.iter().enumerate() {
        let (dir, name) = split(path);
        if *kind != EntryKind::Dir
            && (name.eq_ignore_ascii_case(b"config")
                || name.eq_ignore_ascii_case(b"config.worktree"))
            && is_git_dir(&dir)
        {
            out.configs.push(i);
            continue;
        }
        let (git_dir, hooks) = split(&dir);
        let hook = match kind {
            EntryKind::File => mode & 0o111 != 0,
            EntryKind::Symlink => true,
            EntryKind::Dir | EntryKind::Special => false,
        };
        if hook
            && !dir.is_empty()
            && hooks.eq_ignore_ascii_case(b"hooks")
            && !name.ends_with(b".sample")
            && is_git_dir(&git_dir)
        {
            out.hooks.push(i);
        }
    }
    out.outside.sort_by_key(|(i, _)| *i);
    out
}

/// A `/`-separated path's folder (empty at the top) and name.
fn split(p: &[u8]) -> (Vec<u8>, Vec<u8>) {
    match p.iter().rposition(|&b| b == b'/') {
        Some(i) => (p[..i].to_vec(), p[i + 1..].to_vec()),
        None => (Vec::new(), p.to_vec()),
    }
}

/// The path of `n` in the folder `dir` (empty at the top).
fn child(dir: &[u8], n: &[u8]) -> Vec<u8> {
    if dir.is_empty() {
        n.to_vec()
    } else {
        [dir, b"/", n].concat()
    }
}

/// One setting that runs a command: `key` as `section.subsection.name`, `value` shortened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The full key: `section.name` or `section.subsection.name`, section and name in lowercase,
    /// the subsection as written (`core.fsmonitor`, `filter.lfs.smudge`).
    pub key: String,
    /// The value in the readable form of `names::display`, cut to 120 characters (the last
    /// one `…`) when longer.
    pub value: String,
}

fn is_boolean(v: &[u8]) -> bool {
    let v = String::from_utf8_lossy(v).trim().to_ascii_lowercase();
    matches!(
        v.as_str(),
        "" | "true" | "false" | "yes" | "no" | "on" | "off" | "1" | "0"
    )
}

/// Does `section.sub.name` = `value` make git run a program?
fn executes(section: &str, sub: Option<&[u8]>, name: &str, value: &[u8]) -> bool {
    let bang = || value.trim_ascii_start().starts_with(b"!");
    match (section, sub.is_some(), name) {
        ("core", false, "fsmonitor") | ("pager", false, _) => !is_boolean(value),
        (
            "core",
            false,
            "hookspath"
            | "sshcommand"
            | "editor"
            | "pager"
            | "askpass"
            | "gitproxy"
            | "alternaterefscommand",
        )
        | ("sequence", false, "editor")
        | ("interactive", false, "difffilter")
        | ("diff", false, "external")
        | ("diff", true, "command" | "textconv")
        | ("filter", true, "clean" | "smudge" | "process")
        | ("merge", true, "driver")
        | ("credential", _, "helper")
        | ("gpg", _, "program")
        | ("gpg", true, "defaultkeycommand")
        | ("remote", true, "uploadpack" | "receivepack")
        | ("difftool" | "mergetool" | "man" | "browser" | "guitool", true, "cmd")
        | ("trailer", true, "command" | "cmd")
        | ("uploadpack", false, "packobjectshook")
        | ("include", false, "path")
        | ("includeif", true, "path") => true,
        ("alias", _, _) | ("submodule", true, "update") => bang(),
        _ => false,
    }
}

fn shorten(v: &[u8]) -> String {
    let s = names::display(v);
    if s.chars().count() > 120 {
        let mut t: String = s.chars().take(117).collect();
        t.push('…');
        t
    } else {
        s
    }
}

/// Parse a Git configuration file and return every setting that runs a command. `Err` with the
/// parser's message when it does not parse.
pub fn executing(config: &[u8]) -> Result<Vec<Setting>, String> {
    let events = gix_config::parse::Events::from_bytes(config, None).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for section in events.sections() {
        let gix_config::parse::EventRef::SectionHeader {
            name: sname,
            subsection_name,
            ..
        } = section.header()
        else {
            continue;
        };
        let sname = String::from_utf8_lossy(sname).to_ascii_lowercase();
        let sub: Option<Vec<u8>> = subsection_name.map(|s| s.to_vec());
        let mut key: Option<String> = None;
        let mut pending: Vec<u8> = Vec::new();
        let mut emit = |key: &str, raw: &[u8]| {
            let value = gix_config::value::normalize(raw);
            if executes(&sname, sub.as_deref(), key, &value) {
                let full = match &sub {
                    Some(s) => format!("{sname}.{}.{key}", names::display(s)),
                    None => format!("{sname}.{key}"),
                };
                out.push(Setting {
                    key: full,
                    value: shorten(&value),
                });
            }
        };
        for event in section.body() {
            use gix_config::parse::EventRef as E;
            match event {
                E::SectionValueName(k) => {
                    key = Some(String::from_utf8_lossy(k).to_ascii_lowercase());
                    pending.clear();
                }
                E::Value(v) => {
                    if let Some(k) = key.take() {
                        emit(&k, v);
                    }
                }
                E::ValueNotDone(v) => pending.extend_from_slice(v),
                E::ValueDone(v) => {
                    pending.extend_from_slice(v);
                    if let Some(k) = key.take() {
                        emit(&k, &pending);
                    }
                    pending.clear();
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

/// The evidence lines and message for one configuration file.
fn config_finding(file: &str, found: Result<Vec<Setting>, String>) -> Option<Finding> {
    let evidence: Vec<String> = match found {
        Ok(settings) if settings.is_empty() => return None,
        Ok(settings) => settings
            .into_iter()
            .take(20)
            .map(|s| format!("{} = {}", s.key, s.value))
            .collect(),
        Err(e) => vec![format!("cannot be checked: {e}")],
    };
    Some(
        Finding::of(
            crate::delivery::codes::DeliveryCode::GitConfigExecutes,
            format!(
                "Git configuration {file:?} runs commands when Git is used in this folder ({})",
                evidence.join("; ")
            ),
            format!(
                "Git 配置文件 {file:?} 会在该目录使用 Git 时执行命令（{}）",
                evidence.join("；")
            ),
        )
        .path(file)
        .evidence(evidence),
    )
}

/// A gitfile or `commondir` whose Git folder cannot be checked.
fn pointer_finding(file: &str, what: &str) -> Finding {
    Finding::of(
            crate::delivery::codes::DeliveryCode::GitConfigExecutes,
            format!(
                "Git pointer file {file:?} {what}: Git would take its settings (which may run commands) from there, and escrow cannot check them"
            ),
            format!("Git 指针文件 {file:?} 指向无法检查的 Git 目录（{what}）：其中的设置可能执行命令"),
        )
    .path(file)
    .evidence(vec![format!("{file}: {what}")])
}

/// What `restore` would write that points Git at settings escrow cannot check.
pub fn describe_pointer(file: &str, what: &str) -> String {
    format!("{file}: {what}")
}

fn hook_finding(file: &str) -> Finding {
    Finding::of(
        crate::delivery::codes::DeliveryCode::GitConfigExecutes,
        format!("executable Git hook {file:?}: Git runs it when it is used in this repository"),
        format!("可执行的 Git 钩子 {file:?}：在该仓库使用 Git 时会被执行"),
    )
    .path(file)
    .evidence(vec![format!("hook {file}")])
}

/// The findings for a checked delivery: its Git settings that run commands, and its hooks. Each
/// configuration file is read without following links and checked against the hash the
/// inventory recorded, so what is judged is what was hashed.
pub fn findings(delivery: &Delivery) -> Vec<Finding> {
    let entries = &delivery.inventory.entries;
    let view: Vec<(&[u8], EntryKind, u32)> =
        entries.iter().map(|e| (&*e.path, e.kind, e.mode)).collect();
    let located = locate(&view, &mut |i| {
        let e = &entries[i];
        read_checked(
            &delivery.root,
            &e.path,
            e.size,
            e.sha256.as_ref(),
            MAX_POINTER,
        )
        .ok()
    });
    let mut out = Vec::new();
    for (i, what) in &located.outside {
        out.push(pointer_finding(&entries[*i].display_path(), what));
    }
    for &i in &located.configs {
        let e = &entries[i];
        let file = e.display_path();
        let found = if e.kind == EntryKind::Symlink {
            Err(format!(
                "it is a link to {:?}",
                names::display(e.link_target.as_deref().unwrap_or_default())
            ))
        } else {
            read_checked(
                &delivery.root,
                &e.path,
                e.size,
                e.sha256.as_ref(),
                MAX_CONFIG,
            )
            .and_then(|bytes| executing(&bytes))
        };
        out.extend(config_finding(&file, found));
    }
    for &i in &located.hooks {
        out.push(hook_finding(&entries[i].display_path()));
    }
    out
}

fn read_checked(
    root: &Path,
    rel: &[u8],
    size: u64,
    sha: Option<&[u8; 32]>,
    max: u64,
) -> Result<Vec<u8>, String> {
    if size > max {
        return Err(format!("larger than {max} bytes"));
    }
    let path = root.join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(rel));
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&path)
        .map_err(|e| format!("cannot be read ({e})"))?;
    let mut bytes = Vec::new();
    f.by_ref()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read ({e})"))?;
    let digest = crate::hash::sha256(&bytes);
    if sha.is_some_and(|s| *s != digest) {
        return Err("it changed after it was hashed".to_owned());
    }
    Ok(bytes)
}

/// What `restore` would write that runs commands: (file, what), for the message that refuses.
pub fn describe(file: &str, found: Result<Vec<Setting>, String>) -> Vec<String> {
    match found {
        Ok(settings) => settings
            .into_iter()
            .map(|s| format!("{file}: {} = {}", s.key, s.value))
            .collect(),
        Err(e) => vec![format!("{file}: {e}")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        executing(text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|s| format!("{}={}", s.key, s.value))
            .collect()
    }

    #[test]
    fn settings_that_run_commands() {
        let text = "[core]\n\trepositoryformatversion = 0\n\tFSMonitor = \"touch /tmp/x\"\n\tbare\n\
                    [CORE]\n\thooksPath=h\n[filter \"lfs\"]\n\tclean = a \\\n b\n\
                    [diff]\n\texternal = d\n[Alias]\n\tst = status\n\tx = !sh\n\
                    [core]\n\tfsmonitor = true\n[pager]\n\tlog = false\n\tdiff = less -R\n\
                    [includeIf \"gitdir:/\"]\n\tpath = other\n[diff.legacy]\n\ttextconv = t\n";
        assert_eq!(
            keys(text),
            [
                "core.fsmonitor=touch /tmp/x",
                "core.hookspath=h",
                "filter.lfs.clean=a  b",
                "diff.external=d",
                "alias.x=!sh",
                "pager.diff=less -R",
                "includeif.gitdir:/.path=other",
                "diff.legacy.textconv=t",
            ]
        );
        assert!(keys("[core]\n\tbare = false\n\tfilemode = true\n").is_empty());
        assert!(executing(b"[core\n fsmonitor = x").is_err());
    }

    #[test]
    fn dotgit_names() {
        for n in [
            ".git",
            ".GIT",
            ".Git",
            ".git.",
            ".git  ",
            "GIT~1",
            ".g\u{200c}it",
        ] {
            assert!(is_dotgit(n.as_bytes()), "{n:?}");
        }
        for n in ["git", ".gitignore", ".git2", "x.git"] {
            assert!(!is_dotgit(n.as_bytes()), "{n:?}");
        }
    }

    #[test]
    fn locates_configs_and_hooks() {
        let e = |p: &'static str, k, m| (p.as_bytes(), k, m);
        let entries = [
            e(".GIT/config", EntryKind::File, 0o644),
            e(".GIT/hooks/pre-commit", EntryKind::File, 0o755),
            e(".GIT/hooks/pre-push.sample", EntryKind::File, 0o755),
            e(".GIT/hooks/readme", EntryKind::File, 0o644),
            e("lib/repo.git/HEAD", EntryKind::File, 0o644),
            e("lib/repo.git/config", EntryKind::File, 0o644),
            e("lib/repo.git/objects", EntryKind::Dir, 0o755),
            e("src/config", EntryKind::File, 0o644),
            e("src/hooks/x", EntryKind::File, 0o755),
        ];
        let l = locate(&entries, &mut |_| None);
        assert_eq!(l.configs, [0, 5]);
        assert_eq!(l.hooks, [1]);
    }

    #[test]
    fn follows_gitfiles_and_commondir_inside_the_tree_only() {
        let e = |p: &'static str, k| (p.as_bytes(), k, 0o644);
        let entries = [
            e(".git", EntryKind::File),
            e("meta-wt/HEAD", EntryKind::File),
            e("meta-wt/commondir", EntryKind::File),
            e("meta-wt/config.worktree", EntryKind::File),
            e("store/config", EntryKind::File),
            e("store/hooks/post-checkout", EntryKind::File),
            e("sub/.git", EntryKind::File),
            e("lib/.GIT", EntryKind::Symlink),
            e("plain/config", EntryKind::File),
            e("hidden/config", EntryKind::File),
            e("x/.git", EntryKind::File),
        ];
        let mut entries = entries.to_vec();
        entries[5].2 = 0o755;
        let contents: [&[u8]; 11] = [
            b"gitdir: meta-wt\n",
            b"ref: refs/heads/main\n",
            b"../store\n",
            b"",
            b"",
            b"",
            b"gitdir: ../../../elsewhere/.git\n",
            b"",
            b"",
            b"",
            b"gitdir: ./a/../../hidden\r\n",
        ];
        let l = locate(&entries, &mut |i| Some(contents[i].to_vec()));
        assert_eq!(l.configs, [3, 4, 9]);
        assert_eq!(l.hooks, [5]);
        let outside: Vec<usize> = l.outside.iter().map(|(i, _)| *i).collect();
        assert_eq!(outside, [6, 7]);
        assert_eq!(resolve(b"a/b", b"../../c"), Some(b"c".to_vec()));
        assert_eq!(resolve(b"a", b"../../c"), None);
        assert_eq!(resolve(b"a", b"/etc"), None);
    }
}
