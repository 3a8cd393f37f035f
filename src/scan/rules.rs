//! The rule file: gitleaks-style line rules (id, regex, keywords, entropy, …), built in from
//! `rules.toml` and extended or overridden by a manifest's `[[rule]]` entries.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use serde::Deserialize;

use crate::finding::Severity;

/// The built-in rule file, documented in place.
pub const BUILTIN: &str = include_str!("rules.toml");

/// Finding codes a line rule may give.
pub const RULE_CODES: &[&str] = &[
    "credential-hardcoded",
    "backdoor-suspect",
    "source-encoded",
    "source-obfuscated",
    "file-encrypted",
];

/// One rule as written: every field optional, so that a manifest entry can override a single
/// field of a built-in rule with the same id.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LineRuleSpec {
    /// Kebab-case id, unique among the rules; a manifest entry with a built-in id overrides it.
    pub id: String,
    /// The finding code, one of [`RULE_CODES`].
    pub code: Option<String>,
    /// What a match is, in English (the finding's text).
    pub description: Option<String>,
    /// What a match is, in Chinese (default: the English).
    pub description_zh: Option<String>,
    /// The regex run on each line holding a keyword (bytes; `(?i)` for case-insensitive).
    pub regex: Option<String>,
    /// A regex for lines that are not reported even when `regex` matches them (the usual
    /// harmless look-alikes: a holiday table, a template comparing a route name).
    pub unless: Option<String>,
    /// Words every match contains (any case): the fast pre-filter.
    pub keywords: Option<Vec<String>>,
    /// The capture group holding the secret, which is never printed (0: none).
    pub secret_group: Option<usize>,
    /// The least Shannon entropy, in bits per character, a secret must have to count.
    pub entropy: Option<f64>,
    /// How the secret is judged: `token` (default: entropy and placeholders only), `password`
    /// (the value of a password-named setting: any entropy, weak values said to be weak,
    /// labels and setting names skipped) or `key` (an access key or secret named by its
    /// setting: mixed letters and digits, entropy). An optional `(?P<key>…)` group holds the
    /// setting's name.
    pub secret_kind: Option<String>,
    /// A file is reported only from this many matching lines (default 1).
    pub min_count: Option<u32>,
    /// Globs of the files the rule applies to (default: every text file).
    pub paths: Option<Vec<String>>,
    /// The findings' severity, instead of the code's.
    pub severity: Option<String>,
    /// `false` removes the rule.
    pub enabled: Option<bool>,
}

impl LineRuleSpec {
    /// `self` with every field `over` sets replaced.
    #[must_use]
    pub fn merged(&self, over: &LineRuleSpec) -> LineRuleSpec {
        LineRuleSpec {
            id: self.id.clone(),
            code: over.code.clone().or_else(|| self.code.clone()),
            description: over
                .description
                .clone()
                .or_else(|| self.description.clone()),
            description_zh: over
                .description_zh
                .clone()
                .or_else(|| self.description_zh.clone()),
            regex: over.regex.clone().or_else(|| self.regex.clone()),
            unless: over.unless.clone().or_else(|| self.unless.clone()),
            keywords: over.keywords.clone().or_else(|| self.keywords.clone()),
            secret_group: over.secret_group.or(self.secret_group),
            entropy: over.entropy.or(self.entropy),
            secret_kind: over
                .secret_kind
                .clone()
                .or_else(|| self.secret_kind.clone()),
            min_count: over.min_count.or(self.min_count),
            paths: over.paths.clone().or_else(|| self.paths.clone()),
            severity: over.severity.clone().or_else(|| self.severity.clone()),
            enabled: over.enabled.or(self.enabled),
        }
    }
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct LineRule {
    /// The rule's id.
    pub id: String,
    /// The finding code, one of [`RULE_CODES`].
    pub code: &'static str,
    /// The same code, typed: looked up with `for_rule` when the rule compiles.
    pub finding_code: crate::scan::codes::ScanCode,
    /// What a match is, in English.
    pub description: String,
    /// What a match is, in Chinese.
    pub description_zh: String,
    /// The compiled regex.
    pub regex: Regex,
    /// Lines matching this are not reported.
    pub unless: Option<Regex>,
    /// The exception is the built-in one, about code: it and the rule are judged on the code
    /// before a trailing comment, so that a vendor's comment cannot hide the code in front of
    /// it. A manifest's own `unless` sees the whole line (a hospital may mark approved lines
    /// with a comment).
    pub unless_code_only: bool,
    /// Lower-case.
    pub keywords: Vec<String>,
    /// The capture group holding the secret (0: none).
    pub secret_group: usize,
    /// The least entropy of a secret, in bits per character.
    pub entropy: f64,
    /// How the secret is judged.
    pub kind: SecretKind,
    /// A file is reported from this many matching lines (at least 1).
    pub min_count: u32,
    /// The files the rule applies to (`None`: every text file).
    pub paths: Option<GlobSet>,
    /// The same globs as written (empty when `paths` is `None`): the scanner joins every rule's
    /// into one set, matched once per file.
    pub path_globs: Vec<String>,
    /// The findings' severity, when the rule sets one.
    pub severity: Option<Severity>,
}

/// How a credential rule's secret is judged (`secret-kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretKind {
    /// A token with a recognisable shape: counted from the rule's entropy, unless a placeholder.
    #[default]
    Token,
    /// The value of a password-named setting: counted whatever its entropy (a weak password
    /// is said to be weak); translations, labels and names of settings are not passwords.
    Password,
    /// An access key or secret named by its setting: letters mixed with digits, from the
    /// rule's entropy; labels and names of settings are not keys.
    Key,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rule: Vec<LineRuleSpec>,
}

/// The built-in rules, as written.
pub fn builtin_specs() -> Vec<LineRuleSpec> {
    toml::from_str::<RuleFile>(BUILTIN)
        .expect("the built-in rule file parses (tested)")
        .rule
}

/// Compile a rule, or say what is wrong with it.
pub fn compile(spec: &LineRuleSpec) -> Result<LineRule, String> {
    let id = spec.id.trim();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(format!(
            "rule id {:?} must be kebab-case letters, digits and '-'",
            spec.id
        ));
    }
    let code = rule_code(id, spec.code.as_deref())?;
    let description = spec
        .description
        .clone()
        .ok_or_else(|| format!("rule {id:?} needs `description`"))?;
    let description_zh = spec
        .description_zh
        .clone()
        .unwrap_or_else(|| description.clone());
    let pattern = spec
        .regex
        .as_deref()
        .ok_or_else(|| format!("rule {id:?} needs `regex`"))?;
    let regex = rule_regex(id, pattern, "the regex")?;
    let unless = spec
        .unless
        .as_deref()
        .map(|p| rule_regex(id, p, "the `unless` regex"))
        .transpose()?;
    let keywords: Vec<String> = spec
        .keywords
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|k| k.to_ascii_lowercase())
        .collect();
    if keywords.is_empty() || keywords.iter().any(String::is_empty) {
        return Err(format!(
            "rule {id:?} needs `keywords`: at least one non-empty word that every match contains (the fast pre-filter)"
        ));
    }
    let secret_group = spec.secret_group.unwrap_or(0);
    if code == "credential-hardcoded" && secret_group == 0 {
        return Err(format!(
            "rule {id:?}: a credential-hardcoded rule needs `secret-group`, the capture group holding the secret, so that it is never printed"
        ));
    }
    if secret_group >= regex.captures_len() {
        return Err(format!(
            "rule {id:?}: secret-group {secret_group} but the regex has only {} capture group(s)",
            regex.captures_len() - 1
        ));
    }
    let entropy = spec.entropy.unwrap_or(0.0);
    if !(0.0..=8.0).contains(&entropy) {
        return Err(format!(
            "rule {id:?}: entropy {entropy} must be between 0 and 8 bits per character"
        ));
    }
    let kind = match spec.secret_kind.as_deref() {
        None | Some("token") => SecretKind::Token,
        Some("password") => SecretKind::Password,
        Some("key") => SecretKind::Key,
        Some(k) => {
            return Err(format!(
                "rule {id:?}: secret-kind {k:?} must be token, password or key"
            ));
        }
    };
    let paths = compile_paths(id, spec.paths.as_deref())?;
    let severity = match spec.severity.as_deref() {
        None => None,
        Some(s) => Some(
            Severity::parse(s)
                .ok_or_else(|| format!("rule {id:?}: severity {s:?} must be deny, warn or info"))?,
        ),
    };
    let finding_code = crate::scan::codes::ScanCode::for_rule(code)
        .ok_or_else(|| format!("rule {id:?}: code {code:?} is not a code a line rule can give"))?;
    Ok(LineRule {
        id: id.to_owned(),
        code,
        finding_code,
        description,
        description_zh,
        regex,
        unless,
        unless_code_only: false,
        keywords,
        secret_group,
        entropy,
        kind,
        min_count: spec.min_count.unwrap_or(1).max(1),
        paths,
        path_globs: spec.paths.clone().unwrap_or_default(),
        severity,
    })
}

/// A rule's regex (`what` it is, for the error), with a bounded compiled size.
fn rule_regex(id: &str, pattern: &str, what: &str) -> Result<Regex, String> {
    regex::bytes::RegexBuilder::new(pattern)
        .size_limit(1 << 24)
        .build()
        .map_err(|e| format!("rule {id:?}: {what} does not compile: {e}"))
}

/// The code a rule gives, one of [`RULE_CODES`].
fn rule_code(id: &str, code: Option<&str>) -> Result<&'static str, String> {
    let code = code.ok_or_else(|| {
        format!(
            "rule {id:?} needs `code` (one of {})",
            RULE_CODES.join(", ")
        )
    })?;
    RULE_CODES
        .iter()
        .copied()
        .find(|c| *c == code)
        .ok_or_else(|| {
            format!(
                "rule {id:?}: code {code:?} is not one a rule can give; use one of {}",
                RULE_CODES.join(", ")
            )
        })
}

/// One `paths` glob, compiled as rules compile theirs (case-insensitive, `*` not crossing `/`).
pub(super) fn path_glob(g: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(g.trim_start_matches("./"))
        .case_insensitive(true)
        .literal_separator(true)
        .build()
}

/// A rule's `paths` globs, compiled (case-insensitive, `*` not crossing `/`).
fn compile_paths(id: &str, globs: Option<&[String]>) -> Result<Option<GlobSet>, String> {
    let Some(globs) = globs else {
        return Ok(None);
    };
    let mut set = GlobSetBuilder::new();
    for g in globs {
        let glob = path_glob(g).map_err(|e| format!("rule {id:?}: bad path glob {g:?}: {e}"))?;
        set.add(glob);
    }
    Ok(Some(set.build().map_err(|e| format!("rule {id:?}: {e}"))?))
}

/// The effective rule set: built-in rules, with the manifest's entries merged by id (a new id
/// adds a rule, `enabled = false` removes one).
pub fn effective(overrides: &[LineRuleSpec]) -> Result<Vec<LineRule>, String> {
    let mut specs = builtin_specs();
    let mut manifest_unless: Vec<String> = Vec::new();
    for o in overrides {
        if o.unless.is_some() || !specs.iter().any(|s| s.id == o.id) {
            manifest_unless.push(o.id.clone());
        }
        match specs.iter_mut().find(|s| s.id == o.id) {
            Some(s) => *s = s.merged(o),
            None => specs.push(o.clone()),
        }
    }
    specs
        .iter()
        .filter(|s| s.enabled != Some(false))
        .map(|s| {
            compile(s).map(|mut r| {
                r.unless_code_only = r.unless.is_some() && !manifest_unless.contains(&s.id);
                r
            })
        })
        .collect()
}

/// Shannon entropy, in bits per byte, of a short string.
pub fn shannon(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[usize::from(b)] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile_with_unique_ids() {
        let rules = effective(&[]).unwrap();
        let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule ids");
        assert!(n >= 20);
    }

    #[test]
    fn override_merges_and_disables() {
        let over = LineRuleSpec {
            id: "jwt".into(),
            enabled: Some(false),
            ..LineRuleSpec::default()
        };
        let rules = effective(&[over]).unwrap();
        assert!(!rules.iter().any(|r| r.id == "jwt"));
        let over = LineRuleSpec {
            id: "private-key".into(),
            severity: Some("deny".into()),
            ..LineRuleSpec::default()
        };
        let rules = effective(&[over]).unwrap();
        let r = rules.iter().find(|r| r.id == "private-key").unwrap();
        assert_eq!(r.severity, Some(Severity::Deny));
        assert_eq!(r.code, "credential-hardcoded");
    }

    #[test]
    fn bad_rules_are_explained() {
        let bad = LineRuleSpec {
            id: "x".into(),
            code: Some("credential-hardcoded".into()),
            description: Some("d".into()),
            regex: Some("(".into()),
            keywords: Some(vec!["a".into()]),
            ..LineRuleSpec::default()
        };
        assert!(compile(&bad).unwrap_err().contains("does not compile"));
        let bad = LineRuleSpec {
            regex: Some("a".into()),
            keywords: None,
            ..bad
        };
        assert!(compile(&bad).unwrap_err().contains("keywords"));
    }

    #[test]
    fn unless_is_compiled_and_merged() {
        let spec = LineRuleSpec {
            id: "mine".into(),
            code: Some("backdoor-suspect".into()),
            description: Some("d".into()),
            regex: Some("a".into()),
            keywords: Some(vec!["a".into()]),
            unless: Some("(".into()),
            ..LineRuleSpec::default()
        };
        assert!(compile(&spec).unwrap_err().contains("`unless` regex"));
        let over = LineRuleSpec {
            id: "mine".into(),
            unless: Some("holiday".into()),
            ..LineRuleSpec::default()
        };
        let rule = compile(&spec.merged(&over)).unwrap();
        assert!(rule.unless.unwrap().is_match(b"a holiday"));
        let builtin = effective(&[]).unwrap();
        let kill = builtin.iter().find(|r| r.id == "date-kill-switch").unwrap();
        assert!(
            kill.unless
                .as_ref()
                .unwrap()
                .is_match("春节排班".as_bytes())
        );
    }

    #[test]
    fn secret_kinds() {
        let spec = LineRuleSpec {
            id: "x".into(),
            code: Some("credential-hardcoded".into()),
            description: Some("d".into()),
            regex: Some("pw=(\\S+)".into()),
            keywords: Some(vec!["pw=".into()]),
            secret_group: Some(1),
            secret_kind: Some("password".into()),
            ..LineRuleSpec::default()
        };
        assert_eq!(compile(&spec).unwrap().kind, SecretKind::Password);
        let bad = LineRuleSpec {
            secret_kind: Some("pin".into()),
            ..spec
        };
        assert!(compile(&bad).unwrap_err().contains("secret-kind"));
        let rules = effective(&[]).unwrap();
        let kind = |id: &str| rules.iter().find(|r| r.id == id).unwrap().kind;
        assert_eq!(kind("config-password"), SecretKind::Password);
        assert_eq!(kind("config-secret"), SecretKind::Key);
        assert_eq!(kind("aws-access-key"), SecretKind::Token);
    }

    #[test]
    fn entropy_of_strings() {
        assert!(shannon(b"aaaaaaaa") < 0.01);
        assert!((shannon(b"abcd") - 2.0).abs() < 1e-9);
    }
}
