//! One typed document per command (the wire types of its JSON), each built from the library's
//! results by one constructor, and each with its human renderer (English and Chinese).
//!
//! | command            | type            | `document`            | `schema_version` |
//! |--------------------|-----------------|-----------------------|------------------|
//! | `init`             | [`InitDoc`]     | `init`                | 1                |
//! | `deposit`          | [`DepositDoc`]  | `deposit`             | 1                |
//! | `list`             | [`ListDoc`]     | `list`                | 1                |
//! | `show`             | [`ShowDoc`]     | `show`                | 1                |
//! | `diff`             | [`DiffDoc`]     | `diff`                | 1                |
//! | `restore`          | [`RestoreDoc`]  | `restore`             | 1                |
//! | `audit`            | [`AuditDoc`]    | `audit`               | 1                |
//! | `status`           | [`StatusDoc`]   | `status`              | 1                |
//! | `status --all`     | [`StatusAllDoc`] | `status-all`         | 1                |
//! | `golive`, `payment`, `question`, `answer`, `accept`, `calendar add`, `--retract` | [`EventDoc`] | the ledger event | 1 |
//! | `deadline`         | [`DeadlineDoc`] | `deadline`            | 1                |
//! | `manifest check`   | [`ManifestCheckDoc`] | `manifest-check` | 1                |
//!
//! The library's types are mirrored here, never serialized directly: a field added to a
//! library struct does not change any JSON by accident.

mod audit;
mod deadline;
mod deposit;
mod diff;
mod event;
mod list;
mod maintenance;
mod manifest_check;
mod page_util;
mod show;
mod status;
mod status_all;
mod vault;

use serde::{Deserialize, Serialize};

pub use audit::{AuditDoc, AuditLevel, AuditProblem};
pub use deadline::DeadlineDoc;
pub use deposit::{DepositDoc, Deposited};
pub use diff::{ChangeDoc, ChangeKindDoc, DiffDoc, ModuleDiffDoc, SnapshotRefDoc};
pub use event::{EventDoc, ledger_head_text};
pub use list::ListDoc;
pub use maintenance::{ReplicateDoc, UpgradeDoc};
pub use manifest_check::{
    AgainstDoc, GlobMatchDoc, GlobWarningDoc, ManifestCheckDoc, ManifestSummaryDoc, ProblemDoc,
    RequirementMatchDoc,
};
pub use show::{
    BuildLogDoc, ChunkDoc, EntryDoc, EntryKindDoc, HistoryDoc, NoteDoc, RecordDoc, ShowDoc,
    StoredManifestDoc, TreeDoc,
};
pub use status::{
    AmendmentDoc, ContractDoc, DepositLineDoc, DepositRefDoc, ObligationDoc, ObligationState,
    RetractionDoc, StatusDoc,
};
pub use status_all::{ContractLineDoc, LastDepositDoc, StatusAllDoc};
pub use vault::{InitDoc, RestoreDoc, SpecialMode};

use super::Lang;
use crate::vault::LedgerEntry;

/// The first 12 hex digits of an id, as people see it.
pub(crate) fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// English or Chinese.
pub(crate) fn pick<'a>(lang: Lang, en: &'a str, zh: &'a str) -> &'a str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// `s` followed by spaces up to `width` display columns (a CJK character counts two).
pub(crate) fn pad(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
}

/// A verdict word as recorded in the ledger ("pass"/"fail"), for people.
pub(crate) fn verdict_word(verdict: &str, lang: Lang) -> &str {
    match (lang, verdict) {
        (Lang::Zh, "pass") => "通过",
        (Lang::Zh, "fail") => "不通过",
        _ => verdict,
    }
}

/// A contract deadline as written by the library ("10 working days", "15 calendar days"), in
/// the reader's language.
pub(crate) fn deadline_text(deadline: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return deadline.to_owned();
    }
    let digits: String = deadline.chars().take_while(char::is_ascii_digit).collect();
    match deadline[digits.len()..].trim() {
        "working days" => format!("{digits} 个工作日"),
        "calendar days" => format!("{digits} 个自然日"),
        _ => deadline.to_owned(),
    }
}

/// One ledger line (a deposit or an event), as `list` and `show` give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerRecord {
    /// 0, 1, 2, … in order.
    pub seq: u64,
    /// UTC, RFC 3339.
    pub time: String,
    /// "deposit", "golive", "payment", "question", "answer", "accept", "retract" or
    /// "calendar".
    pub event: String,
    /// Deposits: the snapshot id (SHA-256 of the snapshot record).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub snapshot: String,
    /// Deposits: SM3 of the snapshot record.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub snapshot_sm3: String,
    /// Deposits: the label.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Deposits: "pass" or "fail".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub verdict: String,
    /// Deposits: regular files.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub files: u64,
    /// Deposits: bytes in regular files.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bytes: u64,
    /// Deposits: the tree digest, SHA-256.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tree_sha256: String,
    /// Deposits: the tree digest, SM3.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tree_sm3: String,
    /// Events: what went live, or the payment's note.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Events: the day (YYYY-MM-DD, China Standard Time).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
    /// Deposits: the contract id the manifest gave.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contract: String,
    /// Deposits: the ledger positions of the go-lives it was deposited for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<u64>,
    /// "answer", "accept", "retract": the position of the entry it refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<u64>,
    /// "accept", "retract": why.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// "calendar": SHA-256 of the stored notice.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub digest: String,
    /// SHA-256 of the previous ledger line.
    pub prev: String,
}

impl LedgerRecord {
    /// The wire form of a ledger entry.
    pub fn new(e: &LedgerEntry) -> LedgerRecord {
        LedgerRecord {
            seq: e.seq,
            time: e.time.clone(),
            event: e.event.clone(),
            snapshot: e.snapshot.clone(),
            snapshot_sm3: e.snapshot_sm3.clone(),
            label: e.label.clone(),
            verdict: e.verdict.clone(),
            files: e.files,
            bytes: e.bytes,
            tree_sha256: e.tree_sha256.clone(),
            tree_sm3: e.tree_sm3.clone(),
            name: e.name.clone(),
            date: e.date.clone(),
            contract: e.contract.clone(),
            answers: e.answers.clone(),
            target: e.target,
            reason: e.reason.clone(),
            digest: e.digest.clone(),
            prev: e.prev.clone(),
        }
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Where a delivery came from (mirror of the delivery layer's source record).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceInfo {
    /// `dir`, `archive` or `git`.
    pub kind: String,
    /// The path as the user gave it.
    pub path: String,
    /// Archives: `zip`, `tar`, `tar.gz`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Archives: SHA-256 of the archive file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The top-level folder the content sat in, when the delivery is rooted there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rooted_at: Option<String>,
    /// Git: the commit delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Git: the branch, tag or commit asked for.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// Git: the commit's date (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Git: the commit's author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// A git work tree: whether it differs from its HEAD commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dirty: Option<bool>,
    /// Git: a shallow clone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shallow: Option<bool>,
}

impl SourceInfo {
    /// The wire form of a delivery's source.
    pub fn new(s: &crate::delivery::Source) -> SourceInfo {
        SourceInfo {
            kind: s.kind.clone(),
            path: s.path.clone(),
            format: s.format.clone(),
            sha256: s.sha256.clone(),
            rooted_at: s.rooted_at.clone(),
            commit: s.commit.clone(),
            git_ref: s.git_ref.clone(),
            date: s.date.clone(),
            author: s.author.clone(),
            dirty: s.dirty,
            shallow: s.shallow,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_read_in_chinese() {
        assert_eq!(deadline_text("10 working days", Lang::Zh), "10 个工作日");
        assert_eq!(deadline_text("15 calendar days", Lang::Zh), "15 个自然日");
        assert_eq!(
            deadline_text("10 working days", Lang::En),
            "10 working days"
        );
    }
}
