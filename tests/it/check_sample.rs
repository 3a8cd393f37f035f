//! The built-in sample passes, and the report's formats and options behave.

use crate::common::*;

#[test]
fn sample_passes_human() {
    let run = escrow([
        "check".as_ref(),
        sample().as_os_str(),
        "--manifest".as_ref(),
        chaoyang().as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Verdict: PASS"), "{}", run.stdout);
    assert!(
        run.stdout.contains("12 requirements: 12 met, 0 unmet"),
        "{}",
        run.stdout
    );
    for id in [
        "internet-hospital",
        "jingtong",
        "health-cloud-booking",
        "self-service",
        "db-scripts",
    ] {
        let line = run.stdout.lines().find(|l| l.contains(id)).unwrap();
        assert!(line.contains("✓"), "{line}");
    }
    assert!(run.stdout.contains("Findings: none"));
}

#[test]
fn sample_passes_json_with_the_documented_shape() {
    let run = check_json(&sample(), &chaoyang());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = run.json();
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["verdict"], "pass");
    assert_eq!(r["generated_at"], FIXED_NOW);
    assert!(r["delivery"]["files"].as_u64().unwrap() >= 40);
    assert!(r["delivery"]["bytes"].as_u64().unwrap() > 10_000);
    assert_eq!(r["delivery"]["source"]["kind"], "dir");
    let reqs = r["requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), 12);
    for q in reqs {
        assert_eq!(q["status"], "met", "{q}");
        assert!(q["matched_files"].as_u64().unwrap() >= 1);
        assert!(
            ["module", "document", "database", "dependencies"]
                .contains(&q["kind"].as_str().unwrap())
        );
        assert!(q["name"].is_string() && q["id"].is_string());
    }
    assert!(requirement(&r, "db-scripts")["tables"].as_u64().unwrap() >= 5);
    assert!(r["findings"].as_array().unwrap().is_empty());
    assert_eq!(r["contract"]["vendor"], "首信医联信息技术有限公司");
}

#[test]
fn json_round_trips_through_strict_structs() {
    let tmp = copy_sample();
    std::fs::remove_dir_all(tmp.path().join("jingtong")).unwrap();
    let run = check_json(tmp.path(), &chaoyang());
    // deny_unknown_fields on every struct: a field added or renamed without the model fails here.
    let report: escrow::report::Report = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report.verdict, escrow::report::Verdict::Fail);
    let again = serde_json::to_value(&report).unwrap();
    assert_eq!(again, run.json());
    let f = &report.findings[0];
    assert_eq!(f.code, "module-missing");
    assert_eq!(f.requirement.as_deref(), Some("jingtong"));
    assert!(f.path.is_none() && f.line.is_none());
}

#[test]
fn output_file_and_refusal_inside_the_delivery() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("report.json");
    let run = escrow([
        "check".as_ref(),
        sample().as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--output".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("pass"), "{}", run.stderr);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(r["verdict"], "pass");
    // No temporary file is left beside the report.
    assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 1);

    let tmp = copy_sample();
    let inside = tmp.path().join("docs/report.json");
    let run = escrow([
        "check".as_ref(),
        tmp.path().as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
        "-o".as_ref(),
        inside.as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("inside the delivery"), "{}", run.stderr);
    assert!(!inside.exists());
}

#[test]
fn chinese_report() {
    let run = escrow([
        "check".as_ref(),
        sample().as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
        "--lang".as_ref(),
        "zh".as_ref(),
    ]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("结论：通过"), "{}", run.stdout);
    assert!(run.stdout.contains("乙方"), "{}", run.stdout);

    let tmp = copy_sample();
    std::fs::remove_file(tmp.path().join("docs/部署手册.md")).unwrap();
    let run = escrow([
        "check".as_ref(),
        tmp.path().as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
        "--lang".as_ref(),
        "zh".as_ref(),
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("文档「部署手册」"), "{}", run.stdout);
    assert!(
        run.stdout.contains("要求供应商补交该文档"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("结论：不通过"), "{}", run.stdout);
}

#[test]
fn bad_delivery_paths_exit_2_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    let run = escrow([
        "check".as_ref(),
        missing.as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("nope: no such delivery"),
        "{}",
        run.stderr
    );

    let file = tmp.path().join("his.zip");
    std::fs::write(&file, b"PK\x03\x04").unwrap();
    let run = escrow([
        "check".as_ref(),
        file.as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("his.zip: not a readable zip archive"),
        "{}",
        run.stderr
    );
    let text = tmp.path().join("readme.txt");
    std::fs::write(&text, "not a delivery").unwrap();
    let run = escrow([
        "check".as_ref(),
        text.as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("readme.txt: is a file that is neither a folder nor an archive"),
        "{}",
        run.stderr
    );

    let run = escrow(["check", "--manifest"]);
    assert_eq!(run.code, 2, "usage errors exit 2");
}

#[test]
fn shipped_manifests_load() {
    for entry in std::fs::read_dir(repo().join("manifests")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let m = escrow::manifest::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(!m.requirements.is_empty(), "{}", path.display());
        }
    }
    let m = escrow::manifest::load(&chaoyang()).unwrap();
    assert_eq!(m.requirements.len(), 12);
    assert_eq!(
        m.severity_of("document-too-small"),
        escrow::finding::Severity::Warn
    );
    assert!(repo().join("manifests/template.toml").exists());
}

#[test]
fn readme_documents_every_finding_code() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for c in escrow::codes::all() {
        assert!(
            readme.contains(&format!("`{}`", c.code)),
            "README lacks {}",
            c.code
        );
    }
}

#[test]
fn readme_documents_every_scan_rule() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for id in escrow::scan::STRUCTURAL_RULES {
        assert!(
            readme.contains(&format!("`{id}`")),
            "README lacks rule {id}"
        );
    }
}
