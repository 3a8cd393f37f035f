//! The baseline (`--baseline FILE`): findings a person accepted for now, silenced like an
//! `[[allow]]` entry but one finding at a time, each with who accepted it, why and when. It is
//! applied by the policy step after `[[allow]]`; an entry that no longer matches a finding is
//! reported (`baseline-stale`, info) so the file does not keep accepting what is gone.
//!
//! The file is TOML, written by `--write-baseline FILE` and edited by hand:
//!
//! ```toml
//! version = 1
//!
//! [[accepted]]
//! code = "credential-hardcoded"      # the finding's code
//! rule = "password-assignment"       # its scan rule, when it has one
//! requirement = "his"                # its requirement, when it has one
//! path = "conf/db.properties"        # its path (not used when a fingerprint is given)
//! fingerprint = "0a1b2c3d"           # a credential's fingerprint: the same secret anywhere
//! message = "…"                      # for the reader only, not matched
//! accepted-by = "Wang Li, IT dept."  # who accepted it (required)
//! reason = "test server, retired"    # why it is acceptable (required)
//! accepted-at = "2026-03-01"         # when (required)
//! ```
//!
//! An entry matches the findings with the same stable key (`Finding::key`: code, rule,
//! requirement, and fingerprint or path; lines are not compared, so an edit above a finding does
//! not make it unaccepted).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::checks::codes::BaselineCode;
use crate::finding::Finding;
use crate::report::BaselineInfo;

/// The baseline format's version: the `version` key's only accepted value.
pub const BASELINE_VERSION: u32 = 1;

/// What `--write-baseline` puts where a person must write who accepted a finding and why; a
/// baseline with an entry still starting with it does not load.
pub const PLACEHOLDER: &str = "FILL IN";

/// A baseline file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("{}: cannot read the baseline: {source}; check the path given to --baseline", path.display())]
    Read {
        /// The file, as given.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a baseline (bad TOML, unknown key, wrong version, an incomplete entry).
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file, as given.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Entry {
    /// The finding's code.
    pub code: String,
    /// Its scan rule, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Its requirement, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    /// Its path, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A credential's fingerprint (8 hex digits): matches that secret wherever it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The finding's message when it was accepted, for the reader; not matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Who accepted it.
    pub accepted_by: String,
    /// Why it is acceptable.
    pub reason: String,
    /// When it was accepted (a date or an RFC 3339 time).
    pub accepted_at: String,
}

impl Entry {
    /// The stable key of the findings it matches (as `Finding::key`).
    fn key(&self) -> String {
        let mut f = Finding::of(BaselineCode::BaselineStale, "", "");
        f.code.clone_from(&self.code);
        f.rule.clone_from(&self.rule);
        f.requirement.clone_from(&self.requirement);
        f.path.clone_from(&self.path);
        f.fingerprint.clone_from(&self.fingerprint);
        f.key()
    }

    /// How the entry is named in messages: its number (from 1), code and path or fingerprint.
    fn name(&self, index: usize) -> String {
        let place = match (&self.path, &self.fingerprint) {
            (Some(p), Some(fp)) => format!(" at {p}, fingerprint {fp}"),
            (None, Some(fp)) => format!(", fingerprint {fp}"),
            (Some(p), None) => format!(" at {p}"),
            (None, None) => String::new(),
        };
        format!("[[accepted]] entry {} ({}{place})", index + 1, self.code)
    }
}

/// The largest baseline file read, in bytes (16 MiB: some 40,000 entries).
const MAX_BASELINE_BYTES: u64 = 16 << 20;

/// The file's layout.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    accepted: Vec<Entry>,
}

/// A loaded baseline: its file and entries.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The file, as given.
    pub path: PathBuf,
    /// The accepted findings, in file order.
    pub entries: Vec<Entry>,
}

impl Baseline {
    /// Read and check the baseline at `path`: TOML, `version = 1`, and every entry with a
    /// code, who accepted it, why and when (none left as written by `--write-baseline`).
    ///
    /// Errors: the file cannot be read, or is not a complete baseline (naming the entry and
    /// what to do).
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        use std::io::Read as _;
        let read = |source| BaselineError::Read {
            path: path.to_owned(),
            source,
        };
        // Bounded: a baseline lists a delivery's findings, never more than a few megabytes.
        let mut text = String::new();
        std::fs::File::open(path)
            .map_err(read)?
            .take(MAX_BASELINE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(read)?;
        if text.len() as u64 > MAX_BASELINE_BYTES {
            return Err(BaselineError::Invalid {
                path: path.to_owned(),
                message: format!(
                    "larger than {} MiB: not a baseline written by --write-baseline; write one again",
                    MAX_BASELINE_BYTES >> 20
                ),
            });
        }
        Baseline::parse(path, &text)
    }

    /// [`Baseline::load`] of text already read.
    ///
    /// Errors: as [`Baseline::load`].
    pub fn parse(path: &Path, text: &str) -> Result<Baseline, BaselineError> {
        let invalid = |message: String| BaselineError::Invalid {
            path: path.to_owned(),
            message,
        };
        let file: File = toml::from_str(text).map_err(|e| {
            invalid(format!(
                "not a baseline file: {}; write one with --write-baseline FILE (format: `version = 1` and [[accepted]] entries)",
                e.to_string().trim_end()
            ))
        })?;
        if file.version != BASELINE_VERSION {
            return Err(invalid(format!(
                "baseline version {} is not supported (this escrow reads version {BASELINE_VERSION}); write it again with --write-baseline",
                file.version
            )));
        }
        for (i, e) in file.accepted.iter().enumerate() {
            let unfilled = |v: &str| v.trim().is_empty() || v.trim_start().starts_with(PLACEHOLDER);
            let missing: Vec<&str> = [
                ("code", e.code.trim().is_empty()),
                ("accepted-by", unfilled(&e.accepted_by)),
                ("reason", unfilled(&e.reason)),
                ("accepted-at", unfilled(&e.accepted_at)),
            ]
            .into_iter()
            .filter_map(|(k, bad)| bad.then_some(k))
            .collect();
            if !missing.is_empty() {
                return Err(invalid(format!(
                    "{} has no {}: write who accepted the finding and why (or delete the entry to leave the finding reported)",
                    e.name(i),
                    missing.join(", ")
                )));
            }
        }
        Ok(Baseline {
            path: path.to_owned(),
            entries: file.accepted,
        })
    }

    /// Whether an entry of the baseline accepts `f` (the same key: code, rule, requirement,
    /// and the secret's fingerprint or else the path).
    pub fn accepts(&self, f: &Finding) -> bool {
        let key = f.key();
        self.entries.iter().any(|e| e.key() == key)
    }

    /// Silence the findings an entry matches (all of them, wherever in the delivery), and add
    /// a `baseline-stale` finding for each entry that matched none. Returns the counts for the
    /// report.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> BaselineInfo {
        let keys: BTreeMap<String, usize> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key(), i))
            .collect();
        let mut used = BTreeSet::new();
        let before = findings.len();
        findings.retain(|f| match keys.get(&f.key()) {
            Some(i) => {
                used.insert(*i);
                false
            }
            None => true,
        });
        let silenced = (before - findings.len()) as u64;
        let file = self.path.display().to_string();
        let mut stale = 0;
        for (i, e) in self.entries.iter().enumerate() {
            // Two entries of one key: the first is the one used.
            if used.contains(&i) || keys.get(&e.key()).is_some_and(|k| used.contains(k)) {
                continue;
            }
            stale += 1;
            findings.push(
                Finding::of(
                    BaselineCode::BaselineStale,
                    format!(
                        "{} of the baseline {file} matches no finding any more: remove it",
                        e.name(i)
                    ),
                    format!(
                        "基线 {file} 中的 {} 已不再对应任何问题：请删除该记录",
                        e.name(i)
                    ),
                )
                .evidence(vec![format!(
                    "accepted by {} on {}: {}",
                    e.accepted_by, e.accepted_at, e.reason
                )]),
            );
        }
        BaselineInfo {
            file,
            entries: self.entries.len() as u64,
            silenced,
            stale,
        }
    }
}

/// The text of a baseline accepting `findings` (one entry per stable key; `baseline-stale`
/// findings left out), keeping who accepted and why from the entries of `previous` that
/// still match, and with [`PLACEHOLDER`]s for the new ones, dated `today`. Entries of
/// `previous` still in force but silenced (so not among `findings`) are kept when `kept`
/// says their key still matched.
pub fn write(findings: &[Finding], previous: Option<&Baseline>, today: &str) -> String {
    let mut entries: Vec<Entry> = Vec::new();
    let mut seen = BTreeSet::new();
    let stale = BaselineCode::BaselineStale.name();
    if let Some(b) = previous {
        // The entries that silenced something this time (their keys are not stale).
        let stale_keys: BTreeSet<String> = b
            .entries
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                findings
                    .iter()
                    .any(|f| f.code == stale && f.message.starts_with(&format!("{} ", e.name(*i))))
            })
            .map(|(_, e)| e.key())
            .collect();
        for e in &b.entries {
            let key = e.key();
            if !stale_keys.contains(&key) && seen.insert(key) {
                entries.push(e.clone());
            }
        }
    }
    for f in findings.iter().filter(|f| f.code != stale) {
        if !seen.insert(f.key()) {
            continue;
        }
        let fingerprint = f.fingerprint.clone();
        entries.push(Entry {
            code: f.code.clone(),
            rule: f.rule.clone(),
            requirement: f.requirement.clone(),
            path: f.path.clone(),
            fingerprint,
            message: Some(f.message.clone()),
            accepted_by: format!("{PLACEHOLDER}: who accepted this finding"),
            reason: format!("{PLACEHOLDER}: why it is acceptable"),
            accepted_at: today.to_owned(),
        });
    }
    let body = toml::to_string(&File {
        version: BASELINE_VERSION,
        accepted: entries,
    })
    .expect("a baseline serializes");
    format!(
        "# escrow baseline: findings accepted for now, silenced by `escrow check --baseline FILE`.\n\
         # Every entry needs accepted-by, reason and accepted-at: replace each \"{PLACEHOLDER}\" (or\n\
         # delete the entry to keep the finding reported). An entry matches a finding by code, rule,\n\
         # requirement and fingerprint or path; `message` is for the reader only.\n\n{body}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes::CheckCode;

    fn finding(path: &str) -> Finding {
        Finding::of(CheckCode::ModuleMissing, "m", "m").path(path)
    }

    #[test]
    fn written_then_filled_in_it_silences_and_reports_stale_entries() {
        let findings = vec![finding("a"), finding("b")];
        let text = write(&findings, None, "2026-03-01");
        let p = Path::new("b.toml");
        let err = Baseline::parse(p, &text).unwrap_err().to_string();
        assert!(err.contains("entry 1 (module-missing at a)"), "{err}");
        assert!(err.contains("accepted-by, reason"), "{err}");
        let filled = text.replace("FILL IN: who accepted this finding", "Wang Li");
        let filled = filled.replace("FILL IN: why it is acceptable", "agreed");
        let b = Baseline::parse(p, &filled).unwrap();
        let mut now = vec![finding("a"), finding("c")];
        let info = b.apply(&mut now);
        assert_eq!((info.entries, info.silenced, info.stale), (2, 1, 1));
        let codes: Vec<&str> = now.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["module-missing", "baseline-stale"]);
        assert!(now[1].message.contains("entry 2"), "{}", now[1].message);
        // Written again: the entry still in force keeps its acceptance, the stale one goes.
        let again = write(&now, Some(&b), "2026-04-01");
        let b2: File = toml::from_str(&again).unwrap();
        let kept: Vec<(&str, &str)> = b2
            .accepted
            .iter()
            .map(|e| (e.path.as_deref().unwrap(), e.accepted_by.as_str()))
            .collect();
        assert_eq!(
            kept,
            [
                ("a", "Wang Li"),
                ("c", "FILL IN: who accepted this finding")
            ]
        );
    }

    #[test]
    fn bad_files_name_the_problem() {
        let p = Path::new("b.toml");
        for (text, expect) in [
            ("version = 2\n", "version 2 is not supported"),
            ("accepted = []\n", "missing field `version`"),
            ("version = 1\n[[accepted]]\ncode = \"x\"\n", "missing field"),
            ("version = 1\nextra = 1\n", "unknown field"),
        ] {
            let err = Baseline::parse(p, text).unwrap_err().to_string();
            assert!(err.starts_with("b.toml: "), "{err}");
            assert!(err.contains(expect), "{text}: {err}");
        }
    }
}
