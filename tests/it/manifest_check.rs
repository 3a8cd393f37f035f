//! `escrow manifest check MANIFEST [--against DELIVERY]`: a manifest validated on its own (exit
//! 0 or 2), and what each of its globs matches in a delivery, folder or archive.

use std::path::Path;

use crate::common::*;

fn manifest_check(manifest: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["manifest", "check", manifest.to_str().unwrap()];
    args.extend(extra);
    escrow(args)
}

/// The line (from 1) of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in the manifest"))
        + 1
}

/// Regular files of the sample under `dir`.
fn files_under(dir: &str) -> u64 {
    let mut n = 0;
    let mut stack = vec![sample().join(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn a_valid_manifest_exits_0_with_what_it_asks_for() {
    let text = std::fs::read_to_string(chaoyang()).unwrap();
    let r = manifest_check(&chaoyang(), &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let modules = text.matches("[[module]]").count();
    let documents = text.matches("[[document]]").count();
    assert!(
        r.stdout
            .contains(&format!("valid: {modules} modules, {documents} documents")),
        "{}",
        r.stdout
    );
    let j = manifest_check(&chaoyang(), &["--format", "json"]).json();
    assert_eq!(
        (j["document"].as_str(), j["valid"].as_bool()),
        (Some("manifest-check"), Some(true))
    );
    assert_eq!(j["summary"]["modules"], modules as u64);
    assert_eq!(j["summary"]["severity"], 1);
    assert!(j.get("against").is_none());
    let zh = manifest_check(&chaoyang(), &["--lang", "zh"]);
    assert!(
        zh.stdout.contains(&format!("清单有效：模块 {modules} 项")),
        "{}",
        zh.stdout
    );
}

#[test]
fn an_invalid_manifest_exits_2_with_every_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let m = manifest(
        tmp.path(),
        "schema-version = 1\n[[module]]\nid = \"a b\"\nname = \"\"\npaths = [\"src/**\"]\n[[document]]\nid = \"d\"\nname = \"Guide\"\npaths = [\"docs/[\"]\n",
    );
    let r = manifest_check(&m, &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let m_text = m.display().to_string();
    for line in [3, 4, 9] {
        assert!(
            r.stderr.contains(&format!("{m_text}:{line}:")),
            "line {line}: {}",
            r.stderr
        );
    }
    let check = check_json_run(&sample(), &m);
    assert_eq!(check.code, 2);
    assert_eq!(check.stderr, r.stderr, "as escrow check prints them");

    let j = manifest_check(&m, &["--format", "json"]);
    assert_eq!(j.code, 2);
    let j = j.json();
    assert_eq!(j["valid"], false);
    let lines: Vec<u64> = j["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 9]);
    // A manifest that does not exist, a delivery that does not: exit 2.
    assert_eq!(manifest_check(&tmp.path().join("none.toml"), &[]).code, 2);
    let missing = tmp.path().join("no-delivery");
    let r = manifest_check(&chaoyang(), &["--against", missing.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// `escrow check`'s run without asserting its exit code.
fn check_json_run(delivery: &Path, m: &Path) -> Run {
    escrow([
        "check",
        delivery.to_str().unwrap(),
        "--manifest",
        m.to_str().unwrap(),
    ])
}

#[test]
fn against_a_delivery_each_glob_shows_what_it_matches_and_globs_matching_nothing_are_warned() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(chaoyang())
        .unwrap()
        .replace("\"internet-hospital/**\"", "\"internet_hospital/**\"")
        .replace(
            "paths = [\"jingtong/**\"]",
            "paths = [\"jingtong/**\"]\nrequired-files = [\"jingtong/pom.xml\", \"jingtong/build.gradle\"]",
        );
    let m = manifest(tmp.path(), &text);
    let wrong_line = line_of(&text, "internet_hospital/**");
    let gradle_line = line_of(&text, "jingtong/build.gradle");
    let r = manifest_check(&m, &["--against", sample().to_str().unwrap()]);
    assert_eq!(
        r.code, 0,
        "warnings do not fail a valid manifest: {}",
        r.stderr
    );
    let jingtong = files_under("jingtong");
    assert!(
        r.stdout.contains(&format!(
            "jingtong/**  {jingtong} files: jingtong/pom.xml, "
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "{}:{wrong_line}: module \"internet-hospital\": the glob \"internet_hospital/**\" matches no delivered file",
            m.display()
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "{}:{gradle_line}: module \"jingtong\": the required file \"jingtong/build.gradle\" matches nothing",
            m.display()
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Source not covered by any requirement"));
    assert!(r.stdout.contains("internet-hospital/"), "{}", r.stdout);

    let j = manifest_check(
        &m,
        &["--against", sample().to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(j.code, 0);
    let j = j.json();
    let a = &j["against"];
    let req = a["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "jingtong")
        .unwrap();
    assert_eq!(req["files"], jingtong);
    assert_eq!(req["globs"][0]["glob"], "jingtong/**");
    assert_eq!(req["globs"][0]["matches"], jingtong);
    assert_eq!(req["globs"][0]["sample"][0], "jingtong/pom.xml");
    assert_eq!(req["required_files"][0]["matches"], 1);
    assert_eq!(req["required_files"][1]["matches"], 0);
    let warned: Vec<(u64, &str, &str)> = a["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["requirement"] == "internet-hospital" || w["requirement"] == "jingtong")
        .map(|w| {
            (
                w["line"].as_u64().unwrap(),
                w["glob"].as_str().unwrap(),
                w["key"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        warned,
        [
            (wrong_line as u64, "internet_hospital/**", "paths"),
            (
                gradle_line as u64,
                "jingtong/build.gradle",
                "required-files"
            ),
        ]
    );
    assert_eq!(a["uncovered"]["folders"][0]["folder"], "internet-hospital");
    let zh = manifest_check(
        &m,
        &["--against", sample().to_str().unwrap(), "--lang", "zh"],
    );
    assert!(zh.stdout.contains("与交付物"), "{}", zh.stdout);
    assert!(
        zh.stdout
            .contains("路径 \"internet_hospital/**\" 未匹配任何交付文件")
    );
}

/// An archive is read as `check` reads it: the same matches as the folder it was made of.
#[test]
fn against_an_archive_matches_as_against_its_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let tgz = tmp.path().join("his-sample.tar.gz");
    let st = std::process::Command::new("tar")
        .arg("-czf")
        .arg(&tgz)
        .arg("-C")
        .arg(sample().parent().unwrap())
        .arg("his-sample")
        .status()
        .expect("tar runs");
    assert!(st.success());
    let folder = manifest_check(
        &chaoyang(),
        &["--against", sample().to_str().unwrap(), "--format", "json"],
    )
    .json();
    let archive = manifest_check(
        &chaoyang(),
        &["--against", tgz.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(archive.code, 0, "{}", archive.stderr);
    let archive = archive.json();
    assert_eq!(archive["against"]["delivery"], tgz.to_str().unwrap());
    assert_eq!(archive["against"]["files"], folder["against"]["files"]);
    assert_eq!(
        archive["against"]["requirements"],
        folder["against"]["requirements"]
    );
    assert_eq!(
        archive["against"]["uncovered"],
        folder["against"]["uncovered"]
    );
    assert!(
        archive["against"]["requirements"][0]["files"]
            .as_u64()
            .unwrap()
            > 0,
        "{}",
        archive["against"]
    );
}
