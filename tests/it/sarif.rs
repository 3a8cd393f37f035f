//! `--format sarif`: the check report as a SARIF 2.1.0 log that the OASIS schema (errata 01,
//! vendored in tests/fixtures, its SHA-256 pinned) accepts, with one result per finding, a
//! location for every file a finding names, and URIs that give hostile names back byte for
//! byte. Other documents refuse the format.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::Path;

use crate::common::*;

/// SHA-256 of tests/fixtures/sarif-schema-2.1.0.json: oasis-tcs/sarif-spec,
/// sarif-2.1/schema/sarif-schema-2.1.0.json (the OASIS Standard errata 01 schema, draft-04).
const SCHEMA_SHA256: &str = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e";

/// A validator for the vendored schema, after checking it is the file pinned above.
fn validator() -> jsonschema::Validator {
    let bytes = std::fs::read(repo().join("tests/fixtures/sarif-schema-2.1.0.json")).unwrap();
    let digest = escrow::hash::sha256_hex(&bytes);
    assert_eq!(digest, SCHEMA_SHA256, "the vendored SARIF schema changed");
    let schema: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        schema["id"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Every schema error of `log`, with where it is.
fn errors(v: &jsonschema::Validator, log: &serde_json::Value) -> Vec<String> {
    v.iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// `escrow check DIR --manifest M ARGS…`, failing the test on a runtime error.
fn check(dir: &Path, manifest: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&OsStr> = vec![
        "check".as_ref(),
        dir.as_os_str(),
        "--manifest".as_ref(),
        manifest.as_os_str(),
    ];
    all.extend(args.iter().map(OsStr::new));
    let run = escrow(all);
    assert_ne!(run.code, 2, "runtime error: {}", run.stderr);
    run
}

/// Percent-decoding (RFC 3986 §2.1).
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

/// The decoded path of every location of a result.
fn location_paths(result: &serde_json::Value) -> Vec<String> {
    result["locations"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| {
                    let art = &l["physicalLocation"]["artifactLocation"];
                    assert_eq!(art["uriBaseId"], "DELIVERY");
                    String::from_utf8(percent_decode(art["uri"].as_str().unwrap())).unwrap()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What every log must satisfy against the JSON report of the same check: valid by the schema,
/// one result per finding in the same order, rule ids the finding codes, a location for every
/// file a finding names.
fn assert_matches_report(log: &serde_json::Value, report: &serde_json::Value) {
    let errs = errors(&validator(), log);
    assert!(errs.is_empty(), "schema errors: {errs:#?}");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let findings = report["findings"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule_ids: BTreeSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let codes: BTreeSet<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(rule_ids, codes, "one rule per code that occurs");
    for (r, f) in results.iter().zip(findings) {
        assert_eq!(r["ruleId"], f["code"]);
        let i = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[i]["id"], f["code"]);
        let level = match f["severity"].as_str().unwrap() {
            "deny" => "error",
            "warn" => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level);
        let paths = location_paths(r);
        let mut named: Vec<&str> = f["path"].as_str().into_iter().collect();
        for l in f["locations"].as_array().into_iter().flatten() {
            named.push(l["path"].as_str().unwrap());
        }
        for p in f["paths"].as_array().into_iter().flatten() {
            named.push(p.as_str().unwrap());
        }
        for p in named {
            assert!(paths.iter().any(|q| q == p), "{p} not located in {r:#}");
        }
        if f["path"].is_string() {
            let first = &r["locations"][0]["physicalLocation"];
            match f["line"].as_u64() {
                Some(line) => assert_eq!(first["region"]["startLine"], line),
                None => assert!(first.get("region").is_none()),
            }
        }
        assert_eq!(r["properties"]["requirement"], f["requirement"]);
    }
    assert_eq!(run["properties"]["verdict"], report["verdict"]);
    assert_eq!(
        run["properties"]["deliveryDigest"],
        report["delivery"]["digest"]
    );
    assert_eq!(
        run["properties"]["manifestSha256"],
        report["manifest"]["sha256"]
    );
    assert_eq!(run["invocations"][0]["endTimeUtc"], report["generated_at"]);
}

/// The sample delivery with problems of every kind: a module removed (a finding with no
/// file), a manual removed, one password in two files (one finding, two places), and class
/// files without their source (one finding about several files).
fn broken_sample() -> tempfile::TempDir {
    let tmp = copy_sample();
    std::fs::remove_dir_all(tmp.path().join("jingtong")).unwrap();
    std::fs::remove_file(tmp.path().join("docs/部署手册.md")).unwrap();
    let mut g = Gen(0x0DD_2026);
    let props = format!("db.password={}\n", g.password());
    write(tmp.path(), "self-service/conf/db.properties", &props);
    write(
        tmp.path(),
        "self-service/conf/db-test.properties",
        format!("# test\n{props}"),
    );
    let class = [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 0x34, 0, 0];
    for name in ["A", "B", "C"] {
        write(
            tmp.path(),
            &format!("self-service/lib/com/x/{name}.class"),
            class,
        );
    }
    tmp
}

#[test]
fn sample_check_as_sarif_is_valid_and_complete() {
    // The sample passes: a valid log with no results.
    let clean = check(&sample(), &chaoyang(), &["--format", "sarif"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    let log = clean.json();
    assert_matches_report(
        &log,
        &check(&sample(), &chaoyang(), &["--format", "json"]).json(),
    );
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);

    let tmp = broken_sample();
    let json = check(tmp.path(), &chaoyang(), &["--format", "json"]);
    let report = json.json();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["path"].is_null()), "{report:#}");
    assert!(
        findings.iter().any(|f| f["locations"].is_array()),
        "{report:#}"
    );
    let en = check(tmp.path(), &chaoyang(), &["--format", "sarif"]);
    assert_eq!(en.code, json.code, "the exit code follows the verdict");
    assert_eq!(en.code, 1);
    let log = en.json();
    assert_matches_report(&log, &report);
    let run = &log["runs"][0];
    assert_eq!(run["language"], "en-US");
    assert_eq!(run["tool"]["driver"]["name"], "escrow");
    for (r, f) in run["results"].as_array().unwrap().iter().zip(findings) {
        assert_eq!(r["message"]["text"], f["message"]);
    }
    // The delivery was given by its absolute path: DELIVERY is its folder.
    let base = run["originalUriBaseIds"]["DELIVERY"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );

    let zh = check(
        tmp.path(),
        &chaoyang(),
        &["--format", "sarif", "--lang", "zh"],
    );
    assert_eq!(zh.code, json.code);
    let log = zh.json();
    assert_matches_report(&log, &report);
    let run = &log["runs"][0];
    assert_eq!(run["language"], "zh-CN");
    for (r, f) in run["results"].as_array().unwrap().iter().zip(findings) {
        assert_eq!(r["message"]["text"], f["message_zh"]);
    }
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        let def = escrow::codes::finding(rule["id"].as_str().unwrap()).unwrap();
        assert_eq!(rule["shortDescription"]["text"], def.meaning_zh);
        assert_eq!(rule["help"]["text"], def.ask_zh);
    }
    // The same input gives the same bytes.
    let again = check(
        tmp.path(),
        &chaoyang(),
        &["--format", "sarif", "--lang", "zh"],
    );
    assert_eq!(again.stdout, zh.stdout);
}

#[test]
fn hostile_names_round_trip_through_the_uri() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("交付 #1");
    let mut g = Gen(0x5A1F_2026);
    let secret = format!("{}{}", g.word(6), g.password());
    let props = format!("db.url=jdbc:mysql://db:3306/his\ndb.password={secret}\n");
    let first = "配置 文件/app #1 100%'s.properties";
    let second = "other dir/b%20 \"q\".properties";
    write(&dir, first, &props);
    write(&dir, second, format!("# settings\n\n{props}"));
    write(&dir, "src/Main.java", "class Main {}\n");
    let m = manifest(tmp.path(), MODULE_MANIFEST);
    let json = check(&dir, &m, &["--format", "json"]);
    let report = json.json();
    let cred = with_code(&report, "credential-hardcoded");
    assert_eq!(cred.len(), 1, "{report:#}");
    assert!(cred[0]["fingerprint"].is_string());
    let run = check(&dir, &m, &["--format", "sarif"]);
    assert_eq!(run.code, json.code);
    assert!(!run.stdout.contains(&secret), "the secret leaked");
    let log = run.json();
    assert_matches_report(&log, &report);
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "credential-hardcoded")
        .unwrap();
    let paths = location_paths(result);
    assert!(paths.contains(&first.to_owned()), "{paths:?}");
    assert!(paths.contains(&second.to_owned()), "{paths:?}");
    let lines: Vec<(String, u64)> = paths
        .iter()
        .cloned()
        .zip(result["locations"].as_array().unwrap().iter().map(|l| {
            l["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        }))
        .collect();
    assert!(lines.contains(&(first.to_owned(), 2)), "{lines:?}");
    assert!(lines.contains(&(second.to_owned(), 4)), "{lines:?}");
    assert_eq!(
        result["partialFingerprints"]["escrowFingerprint/v1"],
        cred[0]["fingerprint"]
    );
    // Nothing but unreserved characters, `/` and escapes in a URI.
    for r in log["runs"][0]["results"].as_array().unwrap() {
        for l in r["locations"].as_array().into_iter().flatten() {
            let uri = l["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(
                uri.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)),
                "{uri}"
            );
        }
    }
    // The base URI of a folder whose name needs escaping is percent-encoded too.
    let base = log["runs"][0]["originalUriBaseIds"]["DELIVERY"]["uri"]
        .as_str()
        .unwrap();
    assert!(base.ends_with("/%E4%BA%A4%E4%BB%98%20%231/"), "{base}");
    let decoded = percent_decode(base.strip_prefix("file://").unwrap());
    assert_eq!(decoded, format!("{}/", dir.display()).as_bytes());
}

#[test]
fn the_schema_check_rejects_a_broken_log() {
    let tmp = broken_sample();
    let log = check(tmp.path(), &chaoyang(), &["--format", "sarif"]).json();
    let v = validator();
    assert!(errors(&v, &log).is_empty());
    let mut bad_level = log.clone();
    bad_level["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!errors(&v, &bad_level).is_empty(), "level fatal accepted");
    let mut bad_line = log.clone();
    let result = bad_line["runs"][0]["results"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r.get("locations").is_some())
        .unwrap();
    result["locations"][0]["physicalLocation"]["region"] = serde_json::json!({"startLine": 0});
    assert!(!errors(&v, &bad_line).is_empty(), "line 0 accepted");
    let mut bad_time = log.clone();
    bad_time["runs"][0]["invocations"][0]["endTimeUtc"] = "yesterday".into();
    assert!(
        !errors(&v, &bad_time).is_empty(),
        "a time that is no date-time accepted"
    );
    let mut extra = log;
    extra["runs"][0]["tool"]["driver"]["information_uri"] = "x".into();
    assert!(
        !errors(&v, &extra).is_empty(),
        "an unknown property accepted"
    );
}

#[test]
fn other_documents_do_not_offer_sarif() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("vault");
    let init = escrow(["init".as_ref(), "--vault".as_ref(), vault.as_os_str()]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let audit = escrow([
        "audit".as_ref(),
        "--vault".as_ref(),
        vault.as_os_str(),
        "--format".as_ref(),
        "sarif".as_ref(),
    ]);
    assert_eq!(audit.code, 2, "{audit:?}");
    assert!(audit.stderr.contains("not offered"), "{}", audit.stderr);
    assert!(audit.stdout.is_empty(), "{}", audit.stdout);
}
