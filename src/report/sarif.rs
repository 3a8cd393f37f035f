//! The check report as a SARIF 2.1.0 log (OASIS Standard, errata 01), for code-scanning tools:
//! GitHub code scanning, the VS Code SARIF viewer, and any tool that reads SARIF.
//!
//! One run, with one rule (`reportingDescriptor`) per finding code that occurs, its texts from
//! the code registry ([`crate::codes`]), and one result per finding. A result's locations are
//! every file the finding names (its `path`, each place of a credential found in several
//! places, each file of a finding about several files), up to [`MAX_LOCATIONS`], as URIs
//! relative to the base id `DELIVERY` (the delivery's top folder). Source of the field names and
//! rules: "Static Analysis Results Interchange Format (SARIF) Version 2.1.0 Plus Errata 01",
//! OASIS Standard, 28 August 2023, and its JSON schema.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::{BaselineInfo, DeliveryInfo, Lang, Report};
use crate::finding::{Finding, Severity, criterion_label};

/// The `$schema` of every log: the OASIS errata 01 schema.
pub(crate) const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `uriBaseId` every location is relative to: the delivery's top folder.
pub(crate) const BASE_ID: &str = "DELIVERY";

/// The most locations one result lists; a finding about more files says in its properties
/// how many there were (`locationsTotal`) and how many are left out (`locationsOmitted`).
pub(crate) const MAX_LOCATIONS: usize = 1000;

/// The `partialFingerprints` key of a credential: its secret's fingerprint (first 8 hex digits
/// of the secret's SHA-256), the same wherever the secret moves.
pub(crate) const SECRET_FINGERPRINT: &str = "escrowFingerprint/v1";

/// The `partialFingerprints` key of any other finding: SHA-256 (hex) of its code, path, line
/// and scan rule.
pub(crate) const FINDING_FINGERPRINT: &str = "escrowFinding/v1";

/// The SARIF log of a check report, with messages and rule texts in `lang`. Deterministic: the
/// same report gives the same value.
pub(crate) fn log(report: &Report, lang: Lang) -> serde_json::Value {
    let rules = Rules::of(&report.findings);
    let results = report
        .findings
        .iter()
        .map(|f| result(f, rules.index(&f.code), lang))
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: &report.tool.name,
                    version: &report.tool.version,
                    semantic_version: &report.tool.version,
                    rules: rules.descriptors(lang),
                },
            },
            language: match lang {
                Lang::En => "en-US",
                Lang::Zh => "zh-CN",
            },
            original_uri_base_ids: BTreeMap::from([(BASE_ID, base(&report.delivery, lang))]),
            invocations: [Invocation {
                execution_successful: true,
                end_time_utc: &report.generated_at,
            }],
            results,
            properties: RunProperties {
                verdict: match report.verdict {
                    super::Verdict::Pass => "pass",
                    super::Verdict::Fail => "fail",
                },
                contract_id: report.contract.id.as_deref(),
                contract_title: report.contract.title.as_deref(),
                delivery_path: &report.delivery.path,
                delivery_digest: &report.delivery.digest,
                manifest_path: &report.manifest.path,
                manifest_sha256: &report.manifest.sha256,
                baseline: report.baseline.as_ref(),
            },
        }],
    };
    serde_json::to_value(log).expect("a SARIF log always serializes")
}

/// The SARIF level of a severity: deny → `error`, warn → `warning`, info → `note`.
pub(crate) fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Deny => "error",
        Severity::Warn => "warning",
        Severity::Info => "note",
    }
}

/// A code's rule name: its kebab-case name in UpperCamelCase (`credential-hardcoded` →
/// `CredentialHardcoded`).
fn upper_camel(code: &str) -> String {
    code.split('-')
        .flat_map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// The relative URI reference of a delivery path given in readable form
/// (`crate::delivery::names::display`): its escapes (`\\`, `\n`, `\r`, `\t`, `\u{…}`,
/// `\xNN`) turned back into the bytes they stand for, a name decoded from GBK (marked
/// ` [GBK]`) taken as decoded, and every byte but RFC 3986's unreserved characters and `/`
/// percent-encoded. Percent-decoding the result gives the name's bytes back.
pub(crate) fn relative_uri(readable: &str) -> String {
    percent_encode(&raw_bytes(readable))
}

/// `file://` URI of an absolute path, ending in `/` as a base URI must (SARIF §3.14.14).
fn folder_uri(path: &str) -> String {
    let mut uri = format!("file://{}", percent_encode(path.as_bytes()));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Every byte but `A-Z a-z 0-9 - . _ ~` and `/` as `%XX` (upper-case hex, RFC 3986 §2.1).
fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The mark `display` puts after a name it decoded from GBK.
const GBK_MARK: &str = " [GBK]";

/// The bytes a readable path stands for (the inverse of `crate::delivery::names::display`,
/// except that a GBK name stays decoded).
fn raw_bytes(readable: &str) -> Vec<u8> {
    let s = readable.strip_suffix(GBK_MARK).unwrap_or(readable);
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\\') {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let tail = &rest[at + 1..];
        let (bytes, used) = unescape(tail);
        out.extend_from_slice(&bytes);
        rest = &tail[used..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

/// The bytes of the escape at the start of `tail` (just after a backslash) and how many bytes
/// of `tail` it used; a backslash that starts no escape stands for itself.
fn unescape(tail: &str) -> (Vec<u8>, usize) {
    let simple = |b: u8| (vec![b], 1);
    match tail.as_bytes().first() {
        Some(b'\\') => simple(b'\\'),
        Some(b'n') => simple(b'\n'),
        Some(b'r') => simple(b'\r'),
        Some(b't') => simple(b'\t'),
        Some(b'x') => match tail.get(1..3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) => (vec![b], 3),
            None => (vec![b'\\'], 0),
        },
        Some(b'u') => {
            let parsed = tail.strip_prefix("u{").and_then(|t| {
                let end = t.find('}')?;
                let c = char::from_u32(u32::from_str_radix(&t[..end], 16).ok()?)?;
                Some((c, end + 3))
            });
            match parsed {
                Some((c, used)) => (c.to_string().into_bytes(), used),
                None => (vec![b'\\'], 0),
            }
        }
        _ => (vec![b'\\'], 0),
    }
}

/// The rules of the run: one per code that occurs, in the registry's order (codes the
/// registry does not know, from an older report, after them in order of appearance).
struct Rules {
    codes: Vec<String>,
}

impl Rules {
    fn of(findings: &[Finding]) -> Rules {
        let mut codes: Vec<String> = crate::codes::FINDINGS
            .iter()
            .filter(|c| findings.iter().any(|f| f.code == c.code))
            .map(|c| c.code.to_owned())
            .collect();
        for f in findings {
            if !codes.contains(&f.code) {
                codes.push(f.code.clone());
            }
        }
        Rules { codes }
    }

    fn index(&self, code: &str) -> usize {
        self.codes
            .iter()
            .position(|c| c == code)
            .expect("every finding's code has a rule")
    }

    fn descriptors(&self, lang: Lang) -> Vec<Descriptor> {
        self.codes.iter().map(|c| descriptor(c, lang)).collect()
    }
}

/// The rule of a code, with its texts in `lang` when the registry knows it.
fn descriptor(code: &str, lang: Lang) -> Descriptor {
    let Some(def) = crate::codes::finding(code) else {
        return Descriptor {
            id: code.to_owned(),
            name: upper_camel(code),
            short_description: None,
            full_description: None,
            help: None,
            default_configuration: None,
            properties: None,
        };
    };
    let (meaning, ask) = match lang {
        Lang::En => (def.meaning_en, def.ask_en),
        Lang::Zh => (def.meaning_zh, def.ask_zh),
    };
    let label = criterion_label(def.criterion, lang == Lang::En);
    let full = match lang {
        Lang::En => format!("{meaning} Acceptance criterion: {label}."),
        Lang::Zh => format!("{meaning}对应验收标准：{label}。"),
    };
    Descriptor {
        id: code.to_owned(),
        name: upper_camel(code),
        short_description: Some(Text::new(meaning)),
        full_description: Some(Text::new(full)),
        help: Some(Text::new(ask)),
        default_configuration: Some(Configuration {
            level: level(def.default),
        }),
        properties: Some(RuleProperties {
            criterion: def.criterion,
            tags: vec![label],
        }),
    }
}

/// The result of one finding.
fn result(f: &Finding, rule_index: usize, lang: Lang) -> SarifResult<'_> {
    let places = places(f);
    let total = places.len();
    let locations = places
        .into_iter()
        .take(MAX_LOCATIONS)
        .map(|(path, line)| Location {
            physical_location: Physical {
                artifact_location: ArtifactLocation {
                    uri: Some(relative_uri(path)),
                    uri_base_id: Some(BASE_ID),
                    description: None,
                },
                region: line
                    .filter(|l| *l >= 1)
                    .map(|start_line| Region { start_line }),
            },
        })
        .collect();
    let fingerprint = match &f.fingerprint {
        Some(fp) => (SECRET_FINGERPRINT, fp.clone()),
        None => (FINDING_FINGERPRINT, finding_hash(f)),
    };
    SarifResult {
        rule_id: &f.code,
        rule_index,
        level: level(f.severity),
        message: Text::new(match lang {
            Lang::En => f.message.as_str(),
            Lang::Zh => f.message_zh.as_str(),
        }),
        locations,
        partial_fingerprints: BTreeMap::from([fingerprint]),
        properties: ResultProperties {
            severity: f.severity.as_str(),
            requirement: f.requirement.as_deref(),
            rule: f.rule.as_deref(),
            evidence: &f.evidence,
            new: f.new,
            locations_total: (total > MAX_LOCATIONS).then_some(total),
            locations_omitted: (total > MAX_LOCATIONS).then(|| total - MAX_LOCATIONS),
        },
    }
}

/// SHA-256 (hex) of a finding's code, path, line and scan rule, one per line.
fn finding_hash(f: &Finding) -> String {
    let line = f.line.map(|l| l.to_string()).unwrap_or_default();
    crate::hash::sha256_hex(
        format!(
            "{}\n{}\n{}\n{}",
            f.code,
            f.path.as_deref().unwrap_or(""),
            line,
            f.rule.as_deref().unwrap_or("")
        )
        .as_bytes(),
    )
}

/// Every place a finding names, each once, first its `path` (the full name when the path is
/// shown shortened and the full one is known), then its other places (`locations`), then the
/// files it stands for (`paths`).
fn places(f: &Finding) -> Vec<(&str, Option<u64>)> {
    let mut out: Vec<(&str, Option<u64>)> = Vec::new();
    if let Some(path) = f.path.as_deref() {
        let shortened = path.contains("bytes left out]…");
        let full = if shortened {
            f.covers
                .first()
                .or(f.paths.first())
                .map_or(path, String::as_str)
        } else {
            path
        };
        out.push((full, f.line));
    }
    // Sets keep this linear: one secret found in 100,000 files is one finding.
    let mut seen: std::collections::HashSet<(&str, Option<u64>)> = out.iter().copied().collect();
    for l in &f.locations {
        let place = (l.path.as_str(), l.line);
        if seen.insert(place) {
            out.push(place);
        }
    }
    let mut paths: std::collections::HashSet<&str> = out.iter().map(|(p, _)| *p).collect();
    for p in &f.paths {
        if paths.insert(p) {
            out.push((p, None));
        }
    }
    out
}

/// What `DELIVERY` stands for: the folder's `file:` URI when the delivery is a folder given by
/// its absolute path; otherwise a description only (a relative path, an archive, a git
/// repository: no folder to point at).
fn base(d: &DeliveryInfo, lang: Lang) -> ArtifactLocation {
    let pick = |en: String, zh: String| match lang {
        Lang::En => en,
        Lang::Zh => zh,
    };
    let path = &d.path;
    let (uri, text) = match d.source.kind.as_str() {
        "dir" if Path::new(path).is_absolute() => {
            let folder = match &d.source.rooted_at {
                Some(root) => format!("{}/{root}", path.trim_end_matches('/')),
                None => path.clone(),
            };
            (
                Some(folder_uri(&folder)),
                pick(
                    format!("The delivery's top folder: {folder}"),
                    format!("交付物根目录：{folder}"),
                ),
            )
        }
        "dir" => (
            None,
            pick(
                format!("The delivery folder {path}, relative to the folder escrow ran in"),
                format!("交付物目录 {path}（相对于运行 escrow 的目录）"),
            ),
        ),
        "git" => (
            None,
            pick(
                format!(
                    "The files of the delivered git repository {path} at commit {}",
                    d.source.commit.as_deref().unwrap_or("?")
                ),
                format!(
                    "交付的 git 仓库 {path} 在提交 {} 中的文件",
                    d.source.commit.as_deref().unwrap_or("?")
                ),
            ),
        ),
        _ => (
            None,
            pick(
                format!("The top folder inside the delivered archive {path}"),
                format!("交付压缩包 {path} 内的根目录"),
            ),
        ),
    };
    ArtifactLocation {
        uri,
        uri_base_id: None,
        description: Some(Text::new(text)),
    }
}

/// `sarifLog`.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

/// `run`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    language: &'static str,
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    invocations: [Invocation<'a>; 1],
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

/// `tool`.
#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

/// `toolComponent` (the driver). escrow has no public home page, so no `informationUri`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    rules: Vec<Descriptor>,
}

/// `reportingDescriptor`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<Configuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<RuleProperties>,
}

/// `reportingConfiguration`.
#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

/// A rule's property bag.
#[derive(Serialize)]
struct RuleProperties {
    criterion: &'static str,
    tags: Vec<String>,
}

/// `message` / `multiformatMessageString` (plain text only).
#[derive(Serialize)]
struct Text {
    text: String,
}

impl Text {
    fn new(text: impl Into<String>) -> Text {
        Text { text: text.into() }
    }
}

/// `invocation`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    end_time_utc: &'a str,
}

/// `result`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties<'a>,
}

/// A result's property bag.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    requirement: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'a str>,
    evidence: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations_total: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations_omitted: Option<usize>,
}

/// `location`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: Physical,
}

/// `physicalLocation`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

/// `artifactLocation`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Text>,
}

/// `region` (whole lines only).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
}

/// The run's property bag: the verdict and what was checked against what.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    contract_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contract_title: Option<&'a str>,
    delivery_path: &'a str,
    delivery_digest: &'a str,
    manifest_path: &'a str,
    manifest_sha256: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a BaselineInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::codes::CheckCode;
    use crate::finding::Location as Place;
    use crate::report::{
        ContractInfo, ManifestInfo, SourceInfo, Tool as ToolInfo, Totals, Verdict,
    };
    use crate::scan::codes::ScanCode;

    fn report(findings: Vec<Finding>) -> Report {
        Report {
            schema_version: crate::report::REPORT_SCHEMA_VERSION,
            tool: ToolInfo {
                name: "escrow".to_owned(),
                version: "0.1.0".to_owned(),
            },
            generated_at: "2026-03-10T09:00:00Z".to_owned(),
            verdict: Verdict::Fail,
            contract: ContractInfo::default(),
            manifest: ManifestInfo {
                path: "m.toml".to_owned(),
                sha256: "ab".repeat(32),
            },
            delivery: DeliveryInfo {
                path: "/srv/交付 1".to_owned(),
                source: SourceInfo {
                    kind: "dir".to_owned(),
                    path: "/srv/交付 1".to_owned(),
                    ..SourceInfo::default()
                },
                files: 0,
                bytes: 0,
                directories: 0,
                symlinks: 0,
                special: 0,
                digest: "cd".repeat(32),
                digest_sm3: None,
            },
            requirements: Vec::new(),
            findings,
            totals: Totals {
                requirements: 0,
                met: 0,
                unmet: 0,
                deny: 0,
                warn: 0,
                info: 0,
            },
            scan: None,
            uncovered: None,
            allowed: Vec::new(),
            baseline: None,
            build: None,
        }
    }

    fn percent_decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    #[test]
    fn severities_map_to_sarif_levels() {
        assert_eq!(level(Severity::Deny), "error");
        assert_eq!(level(Severity::Warn), "warning");
        assert_eq!(level(Severity::Info), "note");
        let mut warn = Finding::of(CheckCode::ModuleMissing, "en", "zh");
        warn.severity = Severity::Warn;
        let log = log(&report(vec![warn]), Lang::En);
        let run = &log["runs"][0];
        // The result carries the finding's (overridden) severity, the rule the code's default.
        assert_eq!(run["results"][0]["level"], "warning");
        assert_eq!(run["results"][0]["properties"]["severity"], "warn");
        assert_eq!(
            run["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"],
            "error"
        );
    }

    #[test]
    fn uris_are_percent_encoded_and_decode_to_the_name() {
        assert_eq!(relative_uri("src/Main.java"), "src/Main.java");
        assert_eq!(relative_uri("a b/c#d%e"), "a%20b/c%23d%25e");
        assert_eq!(relative_uri("x:y?z"), "x%3Ay%3Fz");
        assert_eq!(relative_uri("文档"), "%E6%96%87%E6%A1%A3");
        for name in ["我的 文件#1 %41'\"/a+b;c=d&e", "a~b-c_d.e", "[x]@y!"] {
            let uri = relative_uri(name);
            assert!(
                uri.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)),
                "{uri}"
            );
            assert_eq!(percent_decode(&uri), name.as_bytes());
        }
    }

    #[test]
    fn readable_escapes_become_the_bytes_they_stand_for() {
        assert_eq!(raw_bytes("a\\\\b"), b"a\\b");
        assert_eq!(raw_bytes("line\\nbreak\\ttab\\r"), b"line\nbreak\ttab\r");
        assert_eq!(raw_bytes("bad\\xFFname"), b"bad\xFFname");
        assert_eq!(raw_bytes("del\\u{7f}"), b"del\x7f");
        assert_eq!(raw_bytes("报告.doc [GBK]"), "报告.doc".as_bytes());
        assert_eq!(raw_bytes("x\\x20[GBK]"), b"x [GBK]");
        // A backslash that starts no escape stands for itself.
        assert_eq!(raw_bytes("a\\qb\\"), b"a\\qb\\");
        assert_eq!(relative_uri("bad\\xFF"), "bad%FF");
    }

    #[test]
    fn every_place_of_a_finding_is_a_location() {
        let mut secret = Finding::of(ScanCode::CredentialHardcoded, "secret", "密钥")
            .path("a/one.php")
            .line(Some(3));
        secret.fingerprint = Some("0123abcd".to_owned());
        secret.locations = vec![
            Place {
                path: "a/one.php".to_owned(),
                line: Some(3),
            },
            Place {
                path: "b/two 2.php".to_owned(),
                line: Some(9),
            },
            Place {
                path: "b/two 2.php".to_owned(),
                line: Some(12),
            },
        ];
        let files = Finding::of(ScanCode::BinaryWithoutSource, "bin", "二进制")
            .path("lib/a.class")
            .files(vec!["lib/a.class".to_owned(), "lib/b.class".to_owned()]);
        let none = Finding::of(CheckCode::ModuleMissing, "gone", "缺失").requirement("his");
        let log = log(&report(vec![secret, files, none]), Lang::En);
        let results = log["runs"][0]["results"].as_array().unwrap();
        let places = |i: usize| -> Vec<(String, Option<u64>)> {
            results[i]["locations"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|l| {
                            let p = &l["physicalLocation"];
                            assert_eq!(p["artifactLocation"]["uriBaseId"], "DELIVERY");
                            (
                                p["artifactLocation"]["uri"].as_str().unwrap().to_owned(),
                                p["region"]["startLine"].as_u64(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(
            places(0),
            [
                ("a/one.php".to_owned(), Some(3)),
                ("b/two%202.php".to_owned(), Some(9)),
                ("b/two%202.php".to_owned(), Some(12)),
            ]
        );
        assert_eq!(
            results[0]["partialFingerprints"][SECRET_FINGERPRINT],
            "0123abcd"
        );
        assert_eq!(
            places(1),
            [
                ("lib/a.class".to_owned(), None),
                ("lib/b.class".to_owned(), None)
            ]
        );
        assert!(results[1]["partialFingerprints"][FINDING_FINGERPRINT].is_string());
        // No file: no locations, the requirement in the properties.
        assert!(results[2].get("locations").is_none());
        assert_eq!(results[2]["properties"]["requirement"], "his");
        // Rules in the registry's order, results pointing at theirs.
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        for r in results {
            let i = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
        assert_eq!(rules[0]["id"], "module-missing");
        assert_eq!(rules[0]["name"], "ModuleMissing");
    }

    #[test]
    fn locations_are_capped_and_the_cap_is_said() {
        let paths: Vec<String> = (0..MAX_LOCATIONS + 5)
            .map(|i| format!("f/{i:05}.class"))
            .collect();
        let f = Finding::of(ScanCode::BinaryWithoutSource, "bin", "二进制")
            .path(paths[0].clone())
            .files(paths);
        let log = log(&report(vec![f]), Lang::En);
        let r = &log["runs"][0]["results"][0];
        assert_eq!(r["locations"].as_array().unwrap().len(), MAX_LOCATIONS);
        assert_eq!(r["properties"]["locationsTotal"], MAX_LOCATIONS + 5);
        assert_eq!(r["properties"]["locationsOmitted"], 5);
    }

    #[test]
    fn a_shortened_path_is_located_by_its_full_name() {
        let full = format!("deep/{}.txt", "n".repeat(300));
        let f = Finding::of(ScanCode::BinaryWithoutSource, "x", "x")
            .path("deep/nnn…[250 bytes left out]…nnn.txt")
            .covers(vec![full.clone()]);
        let log = log(&report(vec![f]), Lang::En);
        let loc = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], full.as_str());
    }

    #[test]
    fn language_messages_and_base_follow_the_report() {
        let f = Finding::of(CheckCode::ModuleMissing, "Module gone.", "模块缺失。");
        let r = report(vec![f]);
        let zh = log(&r, Lang::Zh);
        let en = log(&r, Lang::En);
        assert_eq!(zh["runs"][0]["language"], "zh-CN");
        assert_eq!(en["runs"][0]["language"], "en-US");
        assert_eq!(zh["runs"][0]["results"][0]["message"]["text"], "模块缺失。");
        assert_eq!(
            en["runs"][0]["results"][0]["message"]["text"],
            "Module gone."
        );
        let def = crate::codes::finding("module-missing").unwrap();
        let rule = &zh["runs"][0]["tool"]["driver"]["rules"][0];
        assert_eq!(rule["shortDescription"]["text"], def.meaning_zh);
        assert_eq!(rule["help"]["text"], def.ask_zh);
        assert_eq!(rule["properties"]["criterion"], def.criterion);
        assert_eq!(
            en["runs"][0]["originalUriBaseIds"]["DELIVERY"]["uri"],
            "file:///srv/%E4%BA%A4%E4%BB%98%201/"
        );
        let mut relative = r.clone();
        relative.delivery.path = "deliveries/his".to_owned();
        let base = &log(&relative, Lang::En)["runs"][0]["originalUriBaseIds"]["DELIVERY"];
        assert!(base.get("uri").is_none());
        assert!(
            base["description"]["text"]
                .as_str()
                .unwrap()
                .contains("deliveries/his")
        );
        // Deterministic.
        assert_eq!(log(&r, Lang::Zh), zh);
    }

    #[test]
    fn rule_names_are_upper_camel_case() {
        assert_eq!(upper_camel("credential-hardcoded"), "CredentialHardcoded");
        assert_eq!(upper_camel("x"), "X");
    }
}
