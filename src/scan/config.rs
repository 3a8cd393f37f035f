//! The scan's sections of the manifest, owned here (as cargo-deny's per-check `cfg.rs`): `[scan]`,
//! `[[rule]]` and `[[allow]]` as written (serde structs with spans), their validation, and the
//! validated [`ScanConfig`] and [`Allow`] entries. The manifest parses the file and hands each
//! section here with a [`ConfigContext`] to report problems at `FILE:LINE:COL`.

use std::collections::BTreeMap;

use globset::{GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::rules::{self, LineRuleSpec};

type SpannedStrings = Spanned<Vec<Spanned<String>>>;

/// `[scan]` as written: the technical-barrier scan.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawScan {
    /// `enabled = false` switches the scan off.
    pub enabled: Option<bool>,
    /// Globs of third-party code.
    pub vendored: Option<SpannedStrings>,
}

/// `[[allow]]` as written: a known-good finding, silenced with a reason.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawAllow {
    /// The finding code.
    pub code: Spanned<String>,
    /// The scan rule id, to silence one rule's findings only.
    pub rule: Option<Spanned<String>>,
    /// Globs of the files covered.
    pub paths: SpannedStrings,
    /// Why these findings are acceptable.
    pub reason: Spanned<String>,
}

/// What validating the scan's sections needs from the manifest being read (the one trait
/// every section owner validates through).
pub use crate::validate::Context as ConfigContext;

/// Rule ids of the detectors that are code, not lines of the rule file: usable in `[[allow]]`.
pub const STRUCTURAL_RULES: &[&str] = &[
    "openssl-salted",
    "age-encrypted",
    "pgp-binary",
    "office-encrypted",
    "pdf-encrypted",
    "random-content",
    "base64-random-content",
    "key-store-file",
    "dotnet-obfuscator",
    "dotnet-protected",
    "java-name-mangling",
    "minified-without-source",
    "javascript-obfuscator",
    "nested-archive",
    "class-without-source",
    "jar-without-source",
    "dotnet-without-source",
    "pyc-without-source",
    "dcu-without-source",
    "pbd-without-source",
    "jar-unattributed",
    "pe-unattributed",
    "native-unattributed",
];

/// The manifest's `[scan]` table and `[[allow]]` entries, validated.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// `enabled = false` switches the scan off (it is on by default).
    pub enabled: bool,
    /// Globs of third-party code (`vendored`), as written.
    pub vendored: Vec<String>,
    /// The `vendored` globs, compiled.
    pub vendored_set: GlobSet,
    /// `[[rule]]` entries: additions to and overrides of the built-in rules.
    pub rules: Vec<LineRuleSpec>,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            enabled: true,
            vendored: Vec::new(),
            vendored_set: GlobSet::empty(),
            rules: Vec::new(),
        }
    }
}

/// An `[[allow]]` entry: silences findings of `code` (and `rule`, when given) under `paths`.
#[derive(Debug, Clone)]
pub struct Allow {
    /// The finding code silenced.
    pub code: String,
    /// Only findings of this scan rule, when given.
    pub rule: Option<String>,
    /// The globs, as written.
    pub paths: Vec<String>,
    /// The globs, compiled.
    pub matcher: GlobSet,
    /// Why these findings are acceptable (printed in every report).
    pub reason: String,
}

/// An allowance as the report lists it, with how many findings it silenced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowed {
    /// The finding code silenced.
    pub code: String,
    /// The scan rule, when the allowance names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The globs, as written.
    pub paths: Vec<String>,
    /// Why these findings are acceptable.
    pub reason: String,
    /// How many findings it silenced.
    pub silenced: u64,
}

/// Validate `[scan]` and the `[[rule]]` entries: every problem goes to `cx`; the result is the
/// configuration with whatever was valid.
pub fn validate_scan(
    cx: &mut dyn ConfigContext,
    raw: Option<&RawScan>,
    rules: &[Spanned<LineRuleSpec>],
    case_sensitive: bool,
) -> ScanConfig {
    let mut config = ScanConfig::default();
    if let Some(raw) = raw {
        config.enabled = raw.enabled.unwrap_or(true);
        if let Some(v) = &raw.vendored {
            let mut set = GlobSetBuilder::new();
            for p in v.get_ref() {
                if let Some(g) = cx.glob(p, case_sensitive) {
                    set.add(g);
                    config.vendored.push(p.get_ref().clone());
                }
            }
            config.vendored_set = set.build().unwrap_or_else(|_| GlobSet::empty());
        }
    }
    let builtin = rules::builtin_specs();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for r in rules {
        let spec = r.get_ref();
        if let Some(first) = seen.get(&spec.id) {
            let line = cx.line_of(*first);
            cx.problem(
                r.span(),
                format!("rule {:?} is already defined on line {line}", spec.id),
            );
            continue;
        }
        seen.insert(spec.id.clone(), r.span().start);
        let merged = match builtin.iter().find(|b| b.id == spec.id) {
            Some(b) => b.merged(spec),
            None => spec.clone(),
        };
        if merged.enabled == Some(false) {
            continue;
        }
        if let Err(e) = rules::compile(&merged) {
            cx.problem(r.span(), e);
        }
    }
    config.rules = rules.iter().map(|r| r.get_ref().clone()).collect();
    config
}

/// Validate the `[[allow]]` entries against the finding codes and the scan rules (built-in,
/// `rules` from the manifest, and [`STRUCTURAL_RULES`]): every problem goes to `cx`.
pub fn validate_allow(
    cx: &mut dyn ConfigContext,
    raw: Vec<RawAllow>,
    rules: &[LineRuleSpec],
    case_sensitive: bool,
) -> Vec<Allow> {
    let builtin = rules::builtin_specs();
    let known_rule = |id: &str| {
        builtin.iter().any(|r| r.id == id)
            || rules.iter().any(|r| r.id == id)
            || STRUCTURAL_RULES.contains(&id)
    };
    let mut out = Vec::new();
    for a in raw {
        if let Some(r) = &a.rule
            && !known_rule(r.get_ref())
        {
            cx.problem(
                r.span(),
                format!(
                    "[[allow]]: no scan rule is called {:?}; rule ids are in src/scan/rules.toml, the README and each finding's `rule`",
                    r.get_ref()
                ),
            );
        }
        if !cx.is_finding_code(a.code.get_ref()) {
            cx.problem(
                a.code.span(),
                format!(
                    "[[allow]]: unknown finding code {:?}; see the README's finding codes",
                    a.code.get_ref()
                ),
            );
        }
        if a.reason.get_ref().trim().is_empty() {
            cx.problem(
                a.reason.span(),
                "[[allow]]: `reason` is empty: say why these findings are acceptable (it is printed in every report)".to_owned(),
            );
        }
        if a.paths.get_ref().is_empty() {
            cx.problem(
                a.paths.span(),
                "[[allow]]: `paths` is empty: list the files it covers (use [severity] to change a whole code)".to_owned(),
            );
        }
        let mut set = GlobSetBuilder::new();
        for p in a.paths.get_ref() {
            if let Some(g) = cx.glob(p, case_sensitive) {
                set.add(g);
            }
        }
        out.push(Allow {
            code: a.code.get_ref().clone(),
            rule: a.rule.map(Spanned::into_inner),
            paths: a
                .paths
                .get_ref()
                .iter()
                .map(|p| p.get_ref().clone())
                .collect(),
            matcher: set.build().unwrap_or_else(|_| GlobSet::empty()),
            reason: a.reason.get_ref().trim().to_owned(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use globset::Glob;
    use std::ops::Range;

    /// A manifest of lines ten bytes long, collecting problems.
    #[derive(Default)]
    struct Collect {
        problems: Vec<(Range<usize>, String)>,
    }

    impl ConfigContext for Collect {
        fn problem(&mut self, span: Range<usize>, message: String) {
            self.problems.push((span, message));
        }

        fn glob(&mut self, pattern: &Spanned<String>, _: bool) -> Option<Glob> {
            Glob::new(pattern.get_ref()).ok()
        }

        fn line_of(&self, offset: usize) -> usize {
            offset / 10 + 1
        }

        fn is_finding_code(&self, code: &str) -> bool {
            code != "no-such-code"
        }
    }

    fn spanned<T>(at: usize, v: T) -> Spanned<T> {
        Spanned::new(at..at + 1, v)
    }

    #[test]
    fn rules_are_checked_where_written() {
        let override_builtin = LineRuleSpec {
            id: "jwt".into(),
            severity: Some("deny".into()),
            ..LineRuleSpec::default()
        };
        let broken = LineRuleSpec {
            id: "mine".into(),
            code: Some("no-such-code".into()),
            ..LineRuleSpec::default()
        };
        let rules = vec![
            spanned(0, override_builtin.clone()),
            spanned(20, broken),
            spanned(40, override_builtin),
        ];
        let mut cx = Collect::default();
        let raw = RawScan {
            enabled: Some(false),
            vendored: Some(spanned(0, vec![spanned(0, "lib/**".to_owned())])),
        };
        let config = validate_scan(&mut cx, Some(&raw), &rules, false);
        assert!(!config.enabled);
        assert!(config.vendored_set.is_match("lib/a.jar"));
        assert_eq!(config.rules.len(), 3);
        let spans: Vec<usize> = cx.problems.iter().map(|p| p.0.start).collect();
        assert_eq!(spans, [20, 40], "{:?}", cx.problems);
        assert!(cx.problems[0].1.contains("not one a rule can give"));
        assert_eq!(
            cx.problems[1].1,
            "rule \"jwt\" is already defined on line 1"
        );
    }

    #[test]
    fn allowances_name_known_codes_and_rules() {
        let raw = |code: &str, rule: Option<&str>, reason: &str| RawAllow {
            code: spanned(0, code.to_owned()),
            rule: rule.map(|r| spanned(10, r.to_owned())),
            paths: spanned(20, vec![spanned(20, "src/**".to_owned())]),
            reason: spanned(30, reason.to_owned()),
        };
        let mut cx = Collect::default();
        let allow = validate_allow(
            &mut cx,
            vec![
                raw("credential-hardcoded", Some("jwt"), "test keys"),
                raw("binary-unattributed", Some("pe-unattributed"), " ok "),
                raw("no-such-code", Some("no-such-rule"), " "),
            ],
            &[],
            false,
        );
        assert_eq!(allow.len(), 3);
        assert_eq!(allow[1].reason, "ok");
        let messages: Vec<&str> = cx.problems.iter().map(|p| p.1.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("no scan rule is called \"no-such-rule\""));
        assert!(messages[1].contains("unknown finding code \"no-such-code\""));
        assert!(messages[2].contains("`reason` is empty"));
    }
}
