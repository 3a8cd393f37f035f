//! `status --all DIR`: every vault under a folder, one line per contract.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use escrow::report::docs::{ContractLineDoc, StatusAllDoc};
use escrow::vault::Vault;

use super::deadline_cmds::{CalendarArgs, vault_status};
use super::{EXIT_ERROR, EXIT_FAIL, EXIT_PASS, OutputArgs};

/// How deep under the folder vaults are looked for.
const MAX_DEPTH: usize = 4;
/// At most this many vaults are read (a hospital has dozens of vendors; one contract behind
/// this tool lists 80 systems).
const MAX_VAULTS: usize = 10_000;

/// Folders that could not be read, each with why.
pub(super) type Unreadable = Vec<(PathBuf, String)>;

/// The vault folders under `dir` (itself included), sorted; symbolic links are not followed,
/// and a vault's own folder is not searched further. Folders that cannot be read are returned
/// apart, with why: a vault inside one would otherwise be missed without a word.
pub(super) fn find_vaults(dir: &Path) -> Result<(Vec<PathBuf>, Unreadable)> {
    let mut found = Vec::new();
    let mut unreadable = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, depth)) = stack.pop() {
        // A vault whose marker is damaged (a FIFO, a link, a folder, missing beside a ledger)
        // is still a vault: listed, and its opening error shown, never skipped.
        let marked = ["VAULT", "ledger.jsonl"]
            .iter()
            .any(|f| std::fs::symlink_metadata(d.join(f)).is_ok());
        if marked {
            found.push(d);
            if found.len() > MAX_VAULTS {
                bail!(
                    "{}: more than {MAX_VAULTS} vaults under this folder; give a narrower folder",
                    dir.display()
                );
            }
            continue;
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        let rd = match std::fs::read_dir(&d) {
            Ok(rd) => rd,
            Err(e) => {
                unreadable.push((
                    d.clone(),
                    format!(
                        "cannot read this folder ({e}): a vault in it would be missed; run as the user who owns the vaults / 无法读取该文件夹，其中的托管库无法检查"
                    ),
                ));
                continue;
            }
        };
        for e in rd.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push((e.path(), depth + 1));
            }
        }
    }
    found.sort();
    unreadable.sort();
    Ok((found, unreadable))
}

pub fn run(
    dir: &Path,
    cal: &CalendarArgs,
    strict: bool,
    out: &OutputArgs,
    today: time::Date,
) -> Result<u8> {
    if !dir.is_dir() {
        bail!(
            "{}: not a folder; give the folder that holds the vaults, e.g. --all /data/escrow",
            dir.display()
        );
    }
    let (vaults, unreadable) = find_vaults(dir)?;
    let mut lines: Vec<ContractLineDoc> = vaults
        .iter()
        .map(|p| {
            let name = p.display().to_string();
            match Vault::open(p)
                .map_err(anyhow::Error::from)
                .and_then(|v| vault_status(&v, None, cal, None, today))
            {
                Ok(s) => ContractLineDoc::new(&name, &s),
                Err(e) => ContractLineDoc::failed(&name, super::describe(&e)),
            }
        })
        .collect();
    lines.extend(
        unreadable
            .into_iter()
            .map(|(p, why)| ContractLineDoc::failed(&p.display().to_string(), why)),
    );
    let doc = StatusAllDoc::new(&today.to_string(), &dir.display().to_string(), lines);
    out.emit(&doc)?;
    Ok(if doc.errors > 0 {
        EXIT_ERROR
    } else if doc.overdue > 0 || (strict && doc.late > 0) {
        EXIT_FAIL
    } else {
        EXIT_PASS
    })
}
