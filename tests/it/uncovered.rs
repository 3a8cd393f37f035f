//! The delivered source no requirement covers: a section of the human report, the `uncovered`
//! object of the JSON report (check and deposit), and the `source-uncovered` warning when a
//! manifest's paths miss the vendor's folders.

use std::path::{Path, PathBuf};

use crate::common::*;

/// The Chaoyang manifest with one module's folder misspelt, as a user guessing the vendor's
/// folder names writes it (`internet_hospital/` for `internet-hospital/`).
fn misnamed(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(chaoyang()).unwrap();
    let wrong = text.replace("\"internet-hospital/**\"", "\"internet_hospital/**\"");
    assert_ne!(wrong, text, "the manifest names internet-hospital/**");
    manifest(dir, &wrong)
}

fn check(delivery: &Path, manifest: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "check",
        delivery.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
    ];
    args.extend(extra);
    escrow(args)
}

/// Files under `dir` of the sample, and those among them that are source code.
fn sample_files(dir: &str) -> (Vec<String>, Vec<String>) {
    let root = sample();
    let mut all = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                all.push(
                    p.strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let exts: Vec<String> = escrow::filetypes::DEFAULT_SOURCE_EXTENSIONS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let source = all
        .iter()
        .filter(|p| escrow::checks::modules::is_source(p.as_bytes(), &exts).is_some())
        .cloned()
        .collect();
    (all, source)
}

#[test]
fn a_misnamed_folder_is_shown_uncovered_and_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let m = misnamed(tmp.path());
    let (_, source) = sample_files("internet-hospital");
    let r = check(&sample(), &m, &["--format", "json"]);
    assert_eq!(r.code, 1, "module-missing still fails: {}", r.stderr);
    let j = r.json();
    let u = &j["uncovered"];
    assert_eq!(u["files"], source.len() as u64);
    let folders = u["folders"].as_array().unwrap();
    assert_eq!(folders.len(), 1, "{u}");
    assert_eq!(folders[0]["folder"], "internet-hospital");
    assert_eq!(folders[0]["direct"], false);
    assert_eq!(folders[0]["files"], source.len() as u64);
    let java = source.iter().filter(|p| p.ends_with(".java")).count() as u64;
    assert_eq!(folders[0]["languages"][0]["language"], "java");
    assert_eq!(folders[0]["languages"][0]["files"], java);

    let f = with_code(&j, "source-uncovered");
    assert_eq!(f.len(), 1, "{:?}", codes(&j));
    assert_eq!(f[0]["severity"], "warn");
    let message = f[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{} of the", source.len()))
            && message.contains("internet-hospital/"),
        "{message}"
    );
    assert!(
        f[0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("internet-hospital/")
    );
    assert!(
        f[0]["evidence"][0]
            .as_str()
            .unwrap()
            .starts_with("internet-hospital/: ")
    );

    let en = check(&sample(), &m, &[]);
    let section = en
        .stdout
        .split("Source not covered by any requirement\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no section:\n{}", en.stdout));
    let first = section.lines().nth(1).unwrap();
    assert!(
        first.trim_start().starts_with("internet-hospital/")
            && first.contains(&format!("{} files", source.len()))
            && first.contains(&format!("java {java}")),
        "{first}"
    );
    assert!(
        section.contains(&format!(
            "escrow manifest check {} --against {}",
            m.display(),
            sample().display()
        )),
        "{section}"
    );
    let before_findings = en.stdout.split("Findings:").next().unwrap();
    assert!(
        before_findings.contains("Source not covered"),
        "after the requirements, before the findings"
    );
    let zh = check(&sample(), &m, &["--lang", "zh"]);
    assert!(
        zh.stdout.contains("未被任何要求覆盖的源代码"),
        "{}",
        zh.stdout
    );
    assert!(
        zh.stdout.contains(&format!("{} 个文件", source.len())),
        "{}",
        zh.stdout
    );
}

#[test]
fn a_manifest_covering_the_delivery_shows_no_uncovered_source() {
    let r = check_json(&sample(), &chaoyang());
    let j = r.json();
    assert_eq!(j["uncovered"]["files"], 0, "{}", j["uncovered"]);
    assert!(j["uncovered"]["source_files"].as_u64().unwrap() > 0);
    assert_eq!(j["uncovered"]["folders"], serde_json::json!([]));
    assert!(with_code(&j, "source-uncovered").is_empty());
    let human = check(&sample(), &chaoyang(), &[]);
    assert_eq!(human.code, 0);
    assert!(
        !human.stdout.contains("Source not covered"),
        "{}",
        human.stdout
    );
}

/// Third-party code (conventional folders and `[scan] vendored`) is summarised apart, never
/// counted as uncovered source; other files are counted, not listed.
#[test]
fn third_party_and_other_files_are_counted_apart() {
    let d = copy_sample();
    for i in 0..30 {
        write(
            d.path(),
            &format!("node_modules/lodash/f{i}.js"),
            "module.exports = 1;\n",
        );
        write(
            d.path(),
            &format!("legacy-lib/acme/F{i}.java"),
            "class F {}\n",
        );
    }
    write(d.path(), "design/logo.png", [0x89, b'P', b'N', b'G']);
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(chaoyang()).unwrap();
    let m = manifest(
        tmp.path(),
        &format!("{text}\n[scan]\nvendored = [\"legacy-lib/**\"]\n"),
    );
    let j = check_json(d.path(), &m).json();
    let u = &j["uncovered"];
    assert_eq!(u["files"], 0, "{u}");
    assert_eq!(u["third_party_files"], 60);
    let tp: Vec<(&str, u64)> = u["third_party_folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["folder"].as_str().unwrap(), f["files"].as_u64().unwrap()))
        .collect();
    assert_eq!(tp, [("legacy-lib", 30), ("node_modules", 30)]);
    let before = check_json(&sample(), &chaoyang()).json();
    assert_eq!(
        u["other_files"].as_u64().unwrap(),
        before["uncovered"]["other_files"].as_u64().unwrap() + 1,
        "the logo"
    );
    assert!(with_code(&j, "source-uncovered").is_empty());
}

/// `source-uncovered` follows `[severity]` like every code, and a deposit stores the summary
/// with its report.
#[test]
fn the_warning_follows_severity_and_deposits_keep_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(misnamed(tmp.path())).unwrap();
    let strict = manifest(
        tmp.path(),
        &text.replace(
            "[severity]\n",
            "[severity]\nsource-uncovered = \"deny\"\nmodule-missing = \"info\"\n",
        ),
    );
    let r = check(&sample(), &strict, &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let j = r.json();
    assert_eq!(with_code(&j, "source-uncovered")[0]["severity"], "deny");
    assert_eq!(j["totals"]["deny"], 1);

    let vault = tmp.path().join("vault");
    let d = escrow([
        "deposit",
        sample().to_str().unwrap(),
        "-m",
        strict.to_str().unwrap(),
        "-l",
        "v1",
        "--vault",
        vault.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let dj = d.json();
    assert_eq!(
        dj["report"]["uncovered"]["folders"][0]["folder"],
        "internet-hospital"
    );
    let shown = escrow([
        "show",
        "v1",
        "--vault",
        vault.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert_eq!(
        shown.json()["record"]["report"]["uncovered"],
        dj["report"]["uncovered"]
    );
}

/// A "missing" module or document whose paths miss the vendor's folder names: the finding says
/// where the delivery holds what looks like it, so the report does not blame the vendor for the
/// manifest's mistake; a module missing from a delivery whose source is all covered does not.
#[test]
fn a_missing_requirement_names_what_looks_like_it_before_blaming_the_vendor() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(
        dir.path(),
        r#"schema-version = 1
[[module]]
id = "ih"
name = "互联网医院"
paths = ["internet/**"]
[[module]]
id = "jt"
name = "京通"
paths = ["jingtong/**"]
[[document]]
id = "deploy"
name = "部署手册"
paths = ["文档/*部署*"]
"#,
    );
    let run = check(&sample(), &m, &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let module = with_code(&report, "module-missing");
    assert_eq!(module.len(), 1);
    let msg = module[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("but source that no requirement covers sits in internet-hospital/ (19)")
            && msg.contains("correct the manifest's paths instead of asking the vendor"),
        "{msg}"
    );
    assert!(
        module[0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("请修正清单中的路径，而不是要求供应商补交")
    );
    let doc = with_code(&report, "document-missing");
    assert_eq!(doc.len(), 1);
    let msg = doc[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("but files named like it are delivered elsewhere: docs/部署手册.md"),
        "{msg}"
    );

    // Everything covered: a module that is really absent is only absent.
    let m = manifest(
        dir.path(),
        &std::fs::read_to_string(chaoyang())
            .unwrap()
            .replace("[[module]]\nid = \"jingtong\"", "[[module]]\nid = \"pacs\"\nname = \"医学影像\"\npaths = [\"pacs/**\"]\n\n[[module]]\nid = \"jingtong\""),
    );
    let run = check(&sample(), &m, &["--format", "json"]);
    let report = run.json();
    let module = with_code(&report, "module-missing");
    assert_eq!(module.len(), 1, "{}", run.stdout);
    assert_eq!(
        module[0]["message"],
        "module \"医学影像\": no delivered file matches pacs/**"
    );
}
