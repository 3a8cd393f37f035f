//! The registry of every code escrow gives: each producer declares its own typed codes with
//! their texts (`checks::codes`, `delivery::codes`, `build::codes`, `scan::codes`,
//! `vault::audit_codes`); this module only lists them together, for the README's tables, the
//! manifest's `[severity]` and `[[allow]]` validation and the renderers.
//!
//! The producers' code modules import nothing but `crate::finding`, so this registry sits just
//! above the leaves: any layer may use it.

use crate::build::codes::BuildCode;
use crate::checks::codes::{BaselineCode, CheckCode, CompareCode};
use crate::delivery::codes::DeliveryCode;
use crate::finding::{Code, Severity};
use crate::scan::codes::ScanCode;
use crate::vault::audit_codes::AuditCode;

/// The producers' lists of finding codes, in the order the README's table follows.
const FINDING_PARTS: &[&[Code]] = &[
    CheckCode::ALL,
    DeliveryCode::ALL,
    BuildCode::ALL,
    CompareCode::ALL,
    ScanCode::ALL,
    BaselineCode::ALL,
];

/// The producers' lists, finding codes then vault audit codes.
const ALL_PARTS: &[&[Code]] = &[
    CheckCode::ALL,
    DeliveryCode::ALL,
    BuildCode::ALL,
    CompareCode::ALL,
    ScanCode::ALL,
    BaselineCode::ALL,
    AuditCode::ALL,
];

const fn total(parts: &[&[Code]]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < parts.len() {
        n += parts[i].len();
        i += 1;
    }
    n
}

/// The lists of `parts` one after the other; `N` must be their total length (checked when
/// compiling).
const fn concat<const N: usize>(parts: &[&[Code]]) -> [Code; N] {
    const BLANK: Code = Code {
        code: "",
        default: Severity::Deny,
        criterion: "",
        meaning_en: "",
        meaning_zh: "",
        ask_en: "",
        ask_zh: "",
    };
    assert!(total(parts) == N, "concat: N is not the total length");
    let mut out = [BLANK; N];
    let mut k = 0;
    let mut i = 0;
    while i < parts.len() {
        let mut j = 0;
        while j < parts[i].len() {
            out[k] = parts[i][j];
            k += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

/// Every code a finding can carry (requirement checks, ingest, build, comparison with the
/// previous deposit, scan): the codes a manifest's `[severity]` and `[[allow]]` accept.
pub const FINDINGS: &[Code] = &concat::<{ total(FINDING_PARTS) }>(FINDING_PARTS);

/// The codes `audit` gives for problems in a vault.
pub const AUDIT: &[Code] = AuditCode::ALL;

/// Every code escrow gives: [`FINDINGS`] then [`AUDIT`]. Names are unique across all of them.
pub const ALL: &[Code] = &concat::<{ total(ALL_PARTS) }>(ALL_PARTS);

/// Every code escrow gives (findings and vault audit problems).
pub fn all() -> &'static [Code] {
    ALL
}

/// The code called `name`, finding or audit code.
pub fn lookup(name: &str) -> Option<&'static Code> {
    ALL.iter().find(|c| c.code == name)
}

/// The finding code called `name` (not an audit code): what `[severity]` and `[[allow]]`
/// accept.
pub fn finding(name: &str) -> Option<&'static Code> {
    FINDINGS.iter().find(|c| c.code == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::FindingCode;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn codes_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for c in ALL {
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            assert!(
                !c.code.is_empty()
                    && !c.code.starts_with('-')
                    && !c.code.ends_with('-')
                    && !c.code.contains("--")
                    && c.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "code {} is not kebab-case",
                c.code
            );
            assert!(!c.meaning_en.is_empty() && !c.meaning_zh.is_empty());
            assert!(!c.ask_en.is_empty() && !c.ask_zh.is_empty());
        }
        assert_eq!(ALL.len(), FINDINGS.len() + AUDIT.len());
    }

    #[test]
    fn no_code_is_declared_by_two_producers() {
        let producers: [(&str, &[Code]); 7] = [
            ("CheckCode", CheckCode::ALL),
            ("DeliveryCode", DeliveryCode::ALL),
            ("BuildCode", BuildCode::ALL),
            ("CompareCode", CompareCode::ALL),
            ("ScanCode", ScanCode::ALL),
            ("BaselineCode", BaselineCode::ALL),
            ("AuditCode", AuditCode::ALL),
        ];
        let mut owner: HashMap<&str, &str> = HashMap::new();
        for (producer, codes) in producers {
            for c in codes {
                if let Some(other) = owner.insert(c.code, producer) {
                    panic!("{} is declared by both {other} and {producer}", c.code);
                }
            }
        }
        assert_eq!(owner.len(), ALL.len(), "a producer is missing from ALL");
    }

    #[test]
    fn finding_codes_carry_a_contract_criterion_audit_codes_none() {
        for c in FINDINGS {
            assert!(
                ['①', '②', '③', '④']
                    .iter()
                    .any(|p| c.criterion.starts_with(*p)),
                "{} has criterion {:?}",
                c.code,
                c.criterion
            );
        }
        for c in AUDIT {
            assert_eq!(c.criterion, "", "{}", c.code);
        }
    }

    #[test]
    fn variants_name_their_own_code() {
        fn check<T: FindingCode + std::fmt::Debug>(variants: &[T], all: &[Code]) {
            assert_eq!(variants.len(), all.len());
            for (v, c) in variants.iter().zip(all) {
                assert_eq!(v.def(), c, "{v:?}");
                assert_eq!(lookup(v.name()), Some(c), "{v:?}");
            }
        }
        check(CheckCode::VARIANTS, CheckCode::ALL);
        check(CompareCode::VARIANTS, CompareCode::ALL);
        check(DeliveryCode::VARIANTS, DeliveryCode::ALL);
        check(BuildCode::VARIANTS, BuildCode::ALL);
        check(ScanCode::VARIANTS, ScanCode::ALL);
        check(AuditCode::VARIANTS, AuditCode::ALL);
        assert_eq!(
            CheckCode::from_name("module-missing"),
            Some(CheckCode::ModuleMissing)
        );
        assert_eq!(CheckCode::from_name("file-removed"), None);
    }

    /// The README's code tables (findings: code, severity, criterion; audit: code, level) list
    /// exactly the registry's codes, with the registry's defaults.
    #[test]
    fn readme_tables_match_the_registry() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let mut rows: HashMap<&str, (&str, &str)> = HashMap::new();
        for line in readme.lines() {
            let cols: Vec<&str> = line.split('|').map(str::trim).collect();
            if cols.len() < 5 || !cols[0].is_empty() {
                continue;
            }
            let Some(name) = cols[1].strip_prefix('`').and_then(|c| c.strip_suffix('`')) else {
                continue;
            };
            if matches!(cols[2], "deny" | "warn" | "info" | "error" | "note") {
                assert!(
                    rows.insert(name, (cols[2], cols[3])).is_none(),
                    "README lists `{name}` twice"
                );
            }
        }
        for (name, (level, criterion)) in &rows {
            let c = lookup(name)
                .unwrap_or_else(|| panic!("README lists `{name}`, which no producer declares"));
            if AUDIT.contains(c) {
                let expected = match c.default {
                    Severity::Info => "note",
                    Severity::Warn => "warn",
                    Severity::Deny => "error",
                };
                assert_eq!(*level, expected, "README's level of `{name}`");
            } else {
                assert_eq!(*level, c.default.as_str(), "README's severity of `{name}`");
                assert!(
                    c.criterion.starts_with(criterion),
                    "README's criterion of `{name}` is {criterion}, the registry's {}",
                    c.criterion
                );
            }
        }
        for c in ALL {
            assert!(
                rows.contains_key(c.code),
                "README's tables lack `{}`",
                c.code
            );
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(finding("module-missing").unwrap().default, Severity::Deny);
        assert_eq!(
            finding("special-file-skipped").unwrap().default,
            Severity::Info
        );
        assert!(
            finding("vault-permissions").is_none(),
            "audit codes are not finding codes"
        );
        assert_eq!(lookup("vault-permissions").unwrap().default, Severity::Warn);
        assert!(lookup("module-mising").is_none());
        assert_eq!(all().len(), ALL.len());
    }
}
