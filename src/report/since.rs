//! What changed in the findings since the previous snapshot: each finding of a deposit marked
//! new or not, and the previous snapshot's findings that are gone (resolved). Findings are
//! matched by their stable key ([`Finding::key`]: code, rule, requirement, and the secret's
//! fingerprint or the path; never the line), counted, so that a third finding of one key where
//! there were two is one new finding.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

/// The findings of a deposit compared with the previous snapshot's: the deposit document's
/// `findings_since`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingsSince {
    /// The previous snapshot's label.
    pub previous: String,
    /// Findings of this deposit not in the previous snapshot (marked `"new": true`).
    pub new: u64,
    /// Findings of the previous snapshot no longer found, as they were reported then.
    pub resolved: Vec<Finding>,
}

/// Mark each of `findings` new (`Some(true)`) or not (`Some(false)`) against the `previous`
/// snapshot's findings (labelled `label`), and return what changed with the resolved ones.
pub fn mark(findings: &mut [Finding], previous: &[Finding], label: &str) -> FindingsSince {
    let mut before: HashMap<String, Vec<&Finding>> = HashMap::new();
    for f in previous {
        before.entry(f.key()).or_default().push(f);
    }
    let mut new = 0;
    for f in findings.iter_mut() {
        let seen = before.get_mut(&f.key()).and_then(Vec::pop).is_some();
        f.new = Some(!seen);
        new += u64::from(!seen);
    }
    let mut resolved: Vec<Finding> = previous
        .iter()
        .filter(|f| {
            before
                .get_mut(&f.key())
                .is_some_and(|left| left.iter().any(|l| std::ptr::eq(*l, *f)))
        })
        .cloned()
        .map(|mut f| {
            f.new = None;
            f
        })
        .collect();
    resolved.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.path.cmp(&b.path)));
    FindingsSince {
        previous: label.to_owned(),
        new,
        resolved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes::CheckCode;

    fn f(path: &str, line: u64) -> Finding {
        Finding::of(CheckCode::ModuleMissing, "m", "m")
            .path(path)
            .line(Some(line))
    }

    #[test]
    fn lines_do_not_matter_counts_do() {
        let previous = [f("a", 1), f("b", 2), f("b", 9)];
        let mut now = vec![f("a", 5), f("b", 3), f("c", 1)];
        let since = mark(&mut now, &previous, "v1");
        let marks: Vec<Option<bool>> = now.iter().map(|f| f.new).collect();
        assert_eq!(marks, [Some(false), Some(false), Some(true)]);
        assert_eq!(since.new, 1);
        assert_eq!(since.resolved.len(), 1);
        assert_eq!(since.resolved[0].path.as_deref(), Some("b"));
    }

    #[test]
    fn an_old_credential_finding_matches_by_the_fingerprint_in_its_evidence() {
        let mut old = f("x.properties", 3).rule("password");
        old.evidence =
            vec!["password=[redacted: 9 characters, fingerprint sha256:0a1b2c3d]".into()];
        let mut now = f("y.properties", 7).rule("password");
        now.fingerprint = Some("0a1b2c3d".to_owned());
        let mut findings = vec![now];
        let since = mark(&mut findings, &[old], "v1");
        assert_eq!((findings[0].new, since.new), (Some(false), 0));
        assert!(since.resolved.is_empty());
    }
}
