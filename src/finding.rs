//! Findings: what a check found, with a stable kebab-case code (the public API of the JSON
//! report), a severity the manifest may override, and evidence a person can act on.

use serde::{Deserialize, Serialize};

/// How much a finding matters. `Deny` fails the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// For the record only: shown in the report, no effect on the verdict.
    Info,
    /// Something a person should look at; the verdict still passes.
    Warn,
    /// The delivery fails (verdict `fail`, exit code 1).
    Deny,
}

impl Severity {
    /// The name used in reports and in a manifest's `[severity]`: `info`, `warn` or `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Deny => "deny",
        }
    }

    /// The severity named `info`, `warn` or `deny` (exactly, lowercase); `None` for any other
    /// text.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "info" => Some(Severity::Info),
            "warn" => Some(Severity::Warn),
            "deny" => Some(Severity::Deny),
            _ => None,
        }
    }
}

/// A finding code: its stable name, default severity, what it means and what to ask the vendor
/// for, in English and Chinese. Each producer declares its own codes with `finding_codes!` (in
/// this module); `crate::codes` aggregates them, and the README's code tables are written from
/// that registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The stable kebab-case name, as it appears in the JSON report (`module-missing`).
    pub code: &'static str,
    /// The severity before the manifest's `[severity]` overrides. Vault audit codes map their
    /// level here: note → `Info`, warn → `Warn`, error → `Deny`.
    pub default: Severity,
    /// The contract criterion it concerns, e.g. "① 源代码完整性" (empty for vault audit codes,
    /// which concern the vault, not the delivery).
    pub criterion: &'static str,
    /// What the code means, in English.
    pub meaning_en: &'static str,
    /// What the code means, in Chinese.
    pub meaning_zh: &'static str,
    /// What to ask the vendor for (or what to do), in English.
    pub ask_en: &'static str,
    /// What to ask the vendor for (or what to do), in Chinese.
    pub ask_zh: &'static str,
}

/// A typed finding code: an enum variant declared with `finding_codes!`, which names its
/// [`Code`] (texts and default severity). A misspelt variant does not compile, where a misspelt
/// string used to ship as a deny.
pub trait FindingCode: Copy {
    /// The code's name, default severity and texts.
    fn def(self) -> &'static Code;

    /// The code's stable kebab-case name (`module-missing`).
    fn name(self) -> &'static str {
        self.def().code
    }
}

impl<T: FindingCode> FindingCode for &T {
    fn def(self) -> &'static Code {
        (*self).def()
    }
}

/// Declare a producer's finding codes: an enum with one variant per code, each with its
/// [`Code`] (stable name, default severity, contract criterion, meaning and what to ask, in
/// English and Chinese).
///
/// ```text
/// finding_codes! {
///     /// Codes the requirement checks give.
///     pub enum CheckCode {
///         ModuleMissing => {
///             code: "module-missing",
///             default: Deny,
///             criterion: "① 源代码完整性",
///             meaning_en: "No delivered file matches the module's paths.",
///             meaning_zh: "交付物中没有任何文件匹配该模块的路径。",
///             ask_en: "Ask the vendor to deliver the module's source.",
///             ask_zh: "要求供应商交付该模块的源代码。",
///         },
///     }
/// }
/// ```
///
/// generates `enum CheckCode { ModuleMissing }` (`Copy`, `Eq`, `Hash`, documented from the
/// texts), `CheckCode::ALL: &[Code]` (declaration order), `CheckCode::VARIANTS`,
/// `const fn def(self) -> &'static Code`, `const fn name(self) -> &'static str`,
/// `fn from_name(&str) -> Option<Self>` and the [`FindingCode`] impl.
macro_rules! finding_codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $variant:ident => {
                    code: $code:literal,
                    default: $default:ident,
                    criterion: $criterion:literal,
                    meaning_en: $meaning_en:literal,
                    meaning_zh: $meaning_zh:literal,
                    ask_en: $ask_en:literal,
                    ask_zh: $ask_zh:literal $(,)?
                }
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $(
                #[doc = concat!("`", $code, "`: ", $meaning_en)]
                $variant,
            )*
        }

        impl $name {
            /// Every code of this producer, in declaration order (the variants' order).
            pub const ALL: &'static [$crate::finding::Code] = &[
                $(
                    $crate::finding::Code {
                        code: $code,
                        default: $crate::finding::Severity::$default,
                        criterion: $criterion,
                        meaning_en: $meaning_en,
                        meaning_zh: $meaning_zh,
                        ask_en: $ask_en,
                        ask_zh: $ask_zh,
                    },
                )*
            ];

            /// Every variant, in declaration order.
            pub const VARIANTS: &'static [Self] = &[$(Self::$variant),*];

            /// The code's name, default severity and texts.
            #[must_use]
            pub const fn def(self) -> &'static $crate::finding::Code {
                &Self::ALL[self as usize]
            }

            /// The code's stable kebab-case name.
            #[must_use]
            pub const fn name(self) -> &'static str {
                self.def().code
            }

            /// The variant called `name` (`"module-missing"`), if this producer has it.
            #[must_use]
            pub fn from_name(name: &str) -> Option<Self> {
                Self::VARIANTS.iter().copied().find(|v| v.name() == name)
            }
        }

        impl $crate::finding::FindingCode for $name {
            fn def(self) -> &'static $crate::finding::Code {
                <$name>::def(self)
            }
        }

        impl From<&$name> for $name {
            fn from(code: &$name) -> Self {
                *code
            }
        }
    };
}
pub(crate) use finding_codes;

/// A contract criterion ("③ 无技术壁垒") in the report's language.
pub fn criterion_label(criterion: &str, english: bool) -> String {
    if !english {
        return criterion.to_owned();
    }
    let en = match criterion.chars().next() {
        Some('①') => "① completeness",
        Some('②') => "② buildability",
        Some('③') => "③ no technical barriers",
        Some('④') => "④ documentation",
        _ => return criterion.to_owned(),
    };
    format!(
        "{en} ({})",
        criterion.split_once(' ').map_or("", |(_, zh)| zh)
    )
}

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The stable kebab-case code (`module-missing`, `credential-hardcoded`, …); every code is
    /// listed in `codes` and in the README.
    pub code: String,
    /// How much it matters: the code's default (or a scan rule's own severity), replaced by the
    /// manifest's `[severity]` entry for the code in the policy step.
    pub severity: Severity,
    /// The requirement id this finding belongs to, if any.
    pub requirement: Option<String>,
    /// The delivery-relative path (readable form), if the finding concerns one file.
    pub path: Option<String>,
    /// The line in `path` it concerns, counted from 1, when it concerns one line.
    pub line: Option<u64>,
    /// What was found and what to do, in English, one sentence or two.
    pub message: String,
    /// The same message in Chinese.
    pub message_zh: String,
    /// Facts a person can check: matched paths, parser messages, counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// The scan rule that found it (`aws-access-key`, `class-without-source`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Every delivery path the finding stands for, in full, when that is more than `path`
    /// shows (a finding about several files names only the first; a long path is shown
    /// shortened). An `[[allow]]` entry silences the finding only if it covers every one of
    /// them. Not part of the report.
    #[serde(skip)]
    pub covers: Vec<String>,
    /// A credential's fingerprint: the first 8 hex digits of the SHA-256 of the secret, as its
    /// redacted evidence shows (`fingerprint sha256:…`). The same secret found in several places
    /// is one finding with one fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Every place the same secret was found (file and line), in path order, when it was found
    /// in more than one; `path` and `line` give the first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// Every delivery file a finding about several files stands for (a folder of class files,
    /// files removed from a module), in full; the evidence lists the first few.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// In a deposit compared with a previous snapshot: whether the finding is new since that
    /// snapshot (`true`) or was there already (`false`). Absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<bool>,
}

/// How redacted evidence names a secret's fingerprint.
const FINGERPRINT_MARK: &str = "fingerprint sha256:";

/// One place a finding was found: a delivery path and a line in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The delivery-relative path (readable form).
    pub path: String,
    /// The line, counted from 1, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl Finding {
    /// A finding with the code's default severity; the policy step adjusts it later.
    ///
    /// ```
    /// use escrow::checks::codes::CheckCode;
    /// use escrow::finding::{Finding, Severity};
    /// let f = Finding::of(CheckCode::ModuleMissing, "module his absent", "模块 his 缺失");
    /// assert_eq!((f.code.as_str(), f.severity), ("module-missing", Severity::Deny));
    /// ```
    ///
    /// A misspelt code does not compile:
    ///
    /// ```compile_fail
    /// use escrow::checks::codes::CheckCode;
    /// let f = escrow::finding::Finding::of(CheckCode::ModuleMising, "", "");
    /// ```
    pub fn of(code: impl FindingCode, en: impl Into<String>, zh: impl Into<String>) -> Self {
        let def = code.def();
        Finding {
            code: def.code.to_owned(),
            severity: def.default,
            requirement: None,
            path: None,
            line: None,
            message: en.into(),
            message_zh: zh.into(),
            evidence: Vec::new(),
            rule: None,
            covers: Vec::new(),
            fingerprint: None,
            locations: Vec::new(),
            paths: Vec::new(),
            new: None,
        }
    }

    /// The finding's stable key, which stays the same from one delivery to the next while the
    /// problem stays: code, rule, requirement, and either the secret's fingerprint (a
    /// credential, wherever it moved) or the path. Lines are left out, so an edit above the
    /// problem does not make it new. Used to mark new and resolved findings in a deposit and to
    /// match baseline entries.
    pub fn key(&self) -> String {
        // A report written before findings carried their fingerprint still shows it in the
        // redacted evidence.
        let fingerprint = self.fingerprint.clone().or_else(|| {
            self.evidence.iter().find_map(|e| {
                let at = e.find(FINGERPRINT_MARK)? + FINGERPRINT_MARK.len();
                let hex: String = e[at..]
                    .chars()
                    .take_while(char::is_ascii_hexdigit)
                    .collect();
                (hex.len() == 8).then_some(hex)
            })
        });
        let place = match fingerprint {
            Some(fp) => format!("sha256:{fp}"),
            None => self.path.clone().unwrap_or_default(),
        };
        format!(
            "{}|{}|{}|{}",
            self.code,
            self.rule.as_deref().unwrap_or(""),
            self.requirement.as_deref().unwrap_or(""),
            place
        )
    }

    /// Set the scan rule that found it (`Finding::rule`).
    #[must_use]
    pub fn rule(mut self, id: &str) -> Self {
        self.rule = Some(id.to_owned());
        self
    }

    /// Set the manifest requirement id it belongs to (`Finding::requirement`).
    #[must_use]
    pub fn requirement(mut self, id: &str) -> Self {
        self.requirement = Some(id.to_owned());
        self
    }

    /// Set the delivery-relative path it concerns, in readable form (`Finding::path`).
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Set (or clear, with `None`) the line it concerns, counted from 1.
    #[must_use]
    pub fn line(mut self, line: Option<u64>) -> Self {
        self.line = line;
        self
    }

    /// Replace its evidence lines.
    #[must_use]
    pub fn evidence(mut self, evidence: Vec<String>) -> Self {
        self.evidence = evidence;
        self
    }

    /// Every path the finding stands for (see [`Finding::covers`]). When there are several,
    /// the report lists them too ([`Finding::paths`]).
    #[must_use]
    pub fn covers(mut self, paths: Vec<String>) -> Self {
        if paths.len() > 1 {
            self.paths.clone_from(&paths);
        }
        self.covers = paths;
        self
    }

    /// Every delivery file a finding about several files stands for, listed in the report
    /// ([`Finding::paths`]); what an `[[allow]]` entry matches is unchanged (its `path`, or
    /// [`Finding::covers`]).
    #[must_use]
    pub fn files(mut self, paths: Vec<String>) -> Self {
        self.paths = paths;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    finding_codes! {
        /// Codes of a test producer.
        enum TestCode {
            First => {
                code: "test-first",
                default: Warn,
                criterion: "① 源代码完整性",
                meaning_en: "first",
                meaning_zh: "第一",
                ask_en: "ask first",
                ask_zh: "问第一",
            },
            Second => {
                code: "test-second",
                default: Info,
                criterion: "",
                meaning_en: "second",
                meaning_zh: "第二",
                ask_en: "ask second",
                ask_zh: "问第二",
            },
        }
    }

    #[test]
    fn declared_codes_carry_their_texts_and_default() {
        assert_eq!(TestCode::ALL.len(), 2);
        assert_eq!(TestCode::VARIANTS, [TestCode::First, TestCode::Second]);
        assert_eq!(TestCode::Second.name(), "test-second");
        assert_eq!(TestCode::Second.def().ask_zh, "问第二");
        assert_eq!(TestCode::from_name("test-first"), Some(TestCode::First));
        assert_eq!(TestCode::from_name("test-third"), None);
        let f = Finding::of(TestCode::First, "en", "zh");
        assert_eq!(f.code, "test-first");
        assert_eq!(f.severity, Severity::Warn);
        assert_eq!((f.message.as_str(), f.message_zh.as_str()), ("en", "zh"));
        // A reference works too (codes kept in a list).
        for code in &TestCode::VARIANTS[1..] {
            let f = Finding::of(code, "en", "zh");
            assert_eq!(
                (f.code.as_str(), f.severity),
                ("test-second", Severity::Info)
            );
        }
    }

    #[test]
    fn severity_round_trip() {
        for s in [Severity::Info, Severity::Warn, Severity::Deny] {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        assert_eq!(Severity::parse("fatal"), None);
    }
}
