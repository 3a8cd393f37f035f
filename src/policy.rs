//! The policy step: the manifest's choices about findings, applied once, last, to the findings of
//! every stage (ingest, checks, scan, build, comparison with the previous snapshot), just before
//! the verdict. No stage applies them itself.
//!
//! In order:
//! 1. `[severity]`: a code listed there gets that severity, whatever the stage or the scan rule
//!    gave it (a scan rule may set its own severity; a `[severity]` entry for the code wins).
//! 2. `[[allow]]`: the findings an entry matches are removed, and counted per entry. An entry
//!    matches a finding of its `code` (and of its `rule`, when given) whose path one of its
//!    `paths` globs matches; a finding that names no single file (`change-note-missing`,
//!    `module-regressed`, a `build-output-missing` about unhashed outputs, …) is matched by an
//!    entry whose `paths` include `"**"`, the whole delivery.
//! 3. the baseline (`--baseline FILE`, [`baseline`]): the findings a person accepted one by
//!    one are removed and counted; its entries that match nothing are reported as stale.

pub mod baseline;

use std::collections::BTreeMap;
use std::path::Path;

use globset::Candidate;

use crate::finding::{Finding, Severity};
use crate::manifest::Manifest;
use crate::scan::{Allow, Allowed};

/// The glob that covers the whole delivery, and so also findings that name no file.
const EVERYTHING: &str = "**";

/// A manifest's choices about findings.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'m> {
    /// `[severity]`: the severity of each listed code.
    pub severities: &'m BTreeMap<String, Severity>,
    /// `[[allow]]`, in manifest order (a finding is counted by the first entry that matches).
    pub allow: &'m [Allow],
}

impl<'m> Policy<'m> {
    /// The policy of `manifest`.
    pub fn of(manifest: &'m Manifest) -> Policy<'m> {
        Policy {
            severities: &manifest.severities,
            allow: &manifest.allow,
        }
    }

    /// Apply the policy to every finding: set the severities, then remove the allowed findings.
    /// Returns every `[[allow]]` entry with the number of findings it silenced.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> Vec<Allowed> {
        for f in findings.iter_mut() {
            if let Some(s) = self.severities.get(&f.code) {
                f.severity = *s;
            }
        }
        let mut counts = vec![0u64; self.allow.len()];
        findings.retain(|f| match self.allow.iter().position(|a| matches(a, f)) {
            Some(i) => {
                counts[i] += 1;
                false
            }
            None => true,
        });
        self.allow
            .iter()
            .zip(counts)
            .map(|(a, silenced)| Allowed {
                code: a.code.clone(),
                rule: a.rule.clone(),
                paths: a.paths.clone(),
                reason: a.reason.clone(),
                silenced,
            })
            .collect()
    }
}

/// Does the `[[allow]]` entry `a` match finding `f`?
fn matches(a: &Allow, f: &Finding) -> bool {
    if a.code != f.code || a.rule.as_ref().is_some_and(|r| f.rule.as_ref() != Some(r)) {
        return false;
    }
    // A finding about several files (or a shortened path) lists them all in `covers`: the
    // entry must cover every one, or a vendor could hide the rest behind an agreed first file.
    if !f.covers.is_empty() {
        return f.covers.iter().all(|p| glob_matches(a, p));
    }
    match f.path.as_deref() {
        Some(path) => glob_matches(a, path),
        None => a.paths.iter().any(|p| p == EVERYTHING),
    }
}

/// Does one of the entry's globs match the delivery path `path` (its readable form)?
fn glob_matches(a: &Allow, path: &str) -> bool {
    // A GBK-encoded name is shown decoded with a " [GBK]" mark; globs match the name.
    a.matcher.is_match_candidate(&Candidate::new(Path::new(
        path.strip_suffix(" [GBK]").unwrap_or(path),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(code: &str, rule: Option<&str>, paths: &[&str]) -> Allow {
        let mut set = globset::GlobSetBuilder::new();
        for p in paths {
            set.add(globset::Glob::new(p).unwrap());
        }
        Allow {
            code: code.to_owned(),
            rule: rule.map(str::to_owned),
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
            matcher: set.build().unwrap(),
            reason: "agreed".to_owned(),
        }
    }

    fn finding(code: &str, path: Option<&str>) -> Finding {
        let default = crate::codes::finding(code).expect("a known code").default;
        let mut f = Finding::of(crate::checks::codes::CheckCode::ModuleMissing, "en", "zh");
        f.code = code.to_owned();
        f.severity = default;
        match path {
            Some(p) => f.path(p.to_owned()),
            None => f,
        }
    }

    /// A finding about several files names only the first: an entry covering that one file
    /// must not silence the others.
    #[test]
    fn a_finding_about_several_files_needs_all_of_them_covered() {
        let severities = BTreeMap::new();
        let one = [allow("file-setuid", None, &["tools/**"])];
        let both = [allow("file-setuid", None, &["tools/**", "zz/**"])];
        let setuid = || {
            finding("file-setuid", Some("tools/helper"))
                .covers(vec!["tools/helper".to_owned(), "zz/rootshell".to_owned()])
        };
        let mut findings = vec![setuid()];
        let allowed = Policy {
            severities: &severities,
            allow: &one,
        }
        .apply(&mut findings);
        assert_eq!((allowed[0].silenced, findings.len()), (0, 1));
        let mut findings = vec![setuid()];
        let allowed = Policy {
            severities: &severities,
            allow: &both,
        }
        .apply(&mut findings);
        assert_eq!((allowed[0].silenced, findings.len()), (1, 0));
    }

    #[test]
    fn severity_overrides_then_allowances_count() {
        let severities = BTreeMap::from([("file-removed".to_owned(), Severity::Deny)]);
        let allow = [
            allow("file-removed", None, &["legacy/**"]),
            allow("change-note-missing", None, &["**"]),
            allow("module-regressed", None, &["legacy/**"]),
        ];
        let policy = Policy {
            severities: &severities,
            allow: &allow,
        };
        let mut findings = vec![
            finding("file-removed", Some("legacy/a.java")),
            finding("file-removed", Some("src/b.java")),
            finding("change-note-missing", None),
            finding("module-regressed", None),
        ];
        let allowed = policy.apply(&mut findings);
        let silenced: Vec<u64> = allowed.iter().map(|a| a.silenced).collect();
        assert_eq!(silenced, [1, 1, 0]);
        let left: Vec<(&str, Severity)> = findings
            .iter()
            .map(|f| (f.code.as_str(), f.severity))
            .collect();
        assert_eq!(
            left,
            [
                ("file-removed", Severity::Deny),
                ("module-regressed", Severity::Warn)
            ]
        );
    }

    #[test]
    fn a_rule_entry_matches_only_that_rule_and_gbk_names_match_decoded() {
        let allow = [allow("credential-hardcoded", Some("aws-key"), &["配置/**"])];
        let severities = BTreeMap::new();
        let policy = Policy {
            severities: &severities,
            allow: &allow,
        };
        let mut findings = vec![
            finding("credential-hardcoded", Some("配置/a.properties [GBK]")).rule("aws-key"),
            finding("credential-hardcoded", Some("配置/b.properties")).rule("other"),
        ];
        let allowed = policy.apply(&mut findings);
        assert_eq!(allowed[0].silenced, 1);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule.as_deref(), Some("other"));
    }
}
