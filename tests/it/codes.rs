//! Each finding code fires on a delivery built to trigger it, and only then: the unchanged
//! sample gives no finding at all, and each change below gives exactly the expected codes.

use std::path::Path;

use crate::common::*;

/// Copy the sample, change it, check it with `manifest` (default: the Chaoyang one).
fn mutated(change: impl FnOnce(&Path), manifest_text: Option<&str>) -> (serde_json::Value, i32) {
    let tmp = copy_sample();
    change(tmp.path());
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest_text.map_or_else(chaoyang, |t| manifest(mdir.path(), t));
    let run = check_json(tmp.path(), &m);
    (run.json(), run.code)
}

fn rm(root: &Path, rel: &str) {
    let p = root.join(rel);
    if p.is_dir() {
        std::fs::remove_dir_all(p).unwrap();
    } else {
        std::fs::remove_file(p).unwrap();
    }
}

fn remove_matching(root: &Path, pred: &dyn Fn(&str) -> bool) {
    for e in walk(root) {
        if pred(&e.to_string_lossy()) {
            std::fs::remove_file(&e).unwrap();
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn unchanged_sample_has_no_findings() {
    let (r, code) = mutated(|_| {}, None);
    assert_eq!(code, 0);
    assert!(codes(&r).is_empty(), "{:?}", codes(&r));
}

#[test]
fn module_missing() {
    let (r, code) = mutated(|d| rm(d, "jingtong"), None);
    assert_eq!(codes(&r), ["module-missing"]);
    assert_eq!(code, 1);
    let f = with_code(&r, "module-missing")[0];
    assert_eq!(f["requirement"], "jingtong");
    assert_eq!(f["severity"], "deny");
    assert_eq!(requirement(&r, "jingtong")["status"], "unmet");
    assert_eq!(requirement(&r, "jingtong")["matched_files"], 0);
    assert_eq!(r["verdict"], "fail");
}

#[test]
fn module_empty() {
    // The self-service module keeps its project file and settings but loses every .cs file,
    // and gains a screenshot and a compiled DLL: files, but no source.
    let (r, code) = mutated(
        |d| {
            remove_matching(d, &|p| p.ends_with(".cs"));
            write(
                d,
                "self-service/bin/SelfService.Kiosk.dll",
                b"MZ\x90\x00binary",
            );
            write(d, "self-service/docs/screen.png", b"\x89PNG\r\n\x1a\n");
        },
        None,
    );
    assert_eq!(codes(&r), ["module-empty"]);
    assert_eq!(code, 1);
    let q = requirement(&r, "self-service");
    assert_eq!(q["source_files"], 0);
    assert!(q["matched_files"].as_u64().unwrap() >= 3);
}

#[test]
fn min_source_files_counts_source_extensions() {
    let text = std::fs::read_to_string(chaoyang())
        .unwrap()
        .replace("min-source-files = 1", "min-source-files = 1000");
    let (r, _) = mutated(|_| {}, Some(&text));
    assert_eq!(codes(&r), ["module-empty"]);
    assert_eq!(
        with_code(&r, "module-empty")[0]["requirement"],
        "internet-hospital"
    );
}

#[test]
fn required_file_missing() {
    let text = std::fs::read_to_string(chaoyang()).unwrap().replace(
        "paths = [\"internet-hospital/**\"]",
        "paths = [\"internet-hospital/**\"]\nrequired-files = [\"internet-hospital/web/src/views\", \"internet-hospital/pom.xml\"]",
    );
    let (r, code) = mutated(|_| {}, Some(&text));
    assert_eq!(code, 0, "{r}");
    assert!(codes(&r).is_empty());
    let (r, code) = mutated(|d| rm(d, "internet-hospital/web/src/views"), Some(&text));
    assert_eq!(codes(&r), ["required-file-missing"]);
    assert_eq!(code, 1);
    let f = with_code(&r, "required-file-missing")[0];
    assert_eq!(f["requirement"], "internet-hospital");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("internet-hospital/web/src/views")
    );
}

#[test]
fn document_missing() {
    let (r, code) = mutated(|d| rm(d, "docs/接口说明文档.md"), None);
    assert_eq!(codes(&r), ["document-missing"]);
    assert_eq!(code, 1);
    assert_eq!(
        with_code(&r, "document-missing")[0]["requirement"],
        "interface-spec"
    );
}

#[test]
fn document_matches_case_insensitively_and_in_subfolders() {
    let (r, code) = mutated(
        |d| {
            rm(d, "docs/接口说明文档.md");
            let mut pdf = b"%PDF-1.7\n".to_vec();
            pdf.resize(4096, b'%');
            write(d, "docs/v2/HIS-API-Reference.PDF", pdf);
        },
        None,
    );
    assert_eq!(code, 0, "{r}");
    assert_eq!(
        requirement(&r, "interface-spec")["sample"][0],
        "docs/v2/HIS-API-Reference.PDF"
    );
}

#[test]
fn document_too_small_follows_the_manifest_severity() {
    let shrink = |d: &Path| write(d, "docs/编译环境说明.md", "见附件。\n");
    // The Chaoyang manifest lowers it to warn: reported as a warning. The text (4 words) is
    // a placeholder too, and lowering the size finding does not hide that one (deny).
    let (r, code) = mutated(shrink, None);
    assert_eq!(codes(&r), ["document-placeholder", "document-too-small"]);
    let f = with_code(&r, "document-too-small")[0];
    assert_eq!(f["severity"], "warn");
    assert_eq!(f["path"], "docs/编译环境说明.md");
    assert_eq!(with_code(&r, "document-placeholder")[0]["severity"], "deny");
    assert_eq!(code, 1);
    assert_eq!(requirement(&r, "build-guide")["status"], "unmet");
    // With the placeholder accepted too, the size finding alone no longer fails the delivery.
    let text = std::fs::read_to_string(chaoyang()).unwrap().replace(
        "[severity]\n",
        "[severity]\ndocument-placeholder = \"warn\"\n",
    );
    let (_, code) = mutated(shrink, Some(&text));
    assert_eq!(code, 0);
    // Without the override it is deny.
    let text = std::fs::read_to_string(chaoyang())
        .unwrap()
        .replace("document-too-small = \"warn\"", "");
    let (r, code) = mutated(shrink, Some(&text));
    assert_eq!(with_code(&r, "document-too-small")[0]["severity"], "deny");
    assert_eq!(code, 1);
}

#[test]
fn database_missing() {
    let (r, code) = mutated(|d| remove_matching(d, &|p| p.ends_with(".sql")), None);
    assert_eq!(codes(&r), ["database-missing"]);
    assert_eq!(code, 1);
}

#[test]
fn database_no_tables() {
    let (r, code) = mutated(
        |d| {
            rm(d, "db");
            write(
                d,
                "db/patch.sql",
                "-- CREATE TABLE only in a comment\n/* CREATE TABLE t (x int) */\nINSERT INTO t VALUES ('CREATE TABLE x');\nALTER TABLE t ADD c int;\n",
            );
        },
        None,
    );
    assert_eq!(codes(&r), ["database-no-tables"]);
    assert_eq!(code, 1);
    assert_eq!(requirement(&r, "db-scripts")["tables"], 0);
    let text = std::fs::read_to_string(chaoyang())
        .unwrap()
        .replace("min-tables = 1", "min-tables = 50");
    let (r, _) = mutated(|_| {}, Some(&text));
    assert_eq!(codes(&r), ["database-no-tables"]);
}

#[test]
fn dependencies_missing() {
    let (r, code) = mutated(
        |d| {
            remove_matching(d, &|p| {
                p.ends_with("pom.xml") || p.ends_with("package.json") || p.ends_with(".csproj")
            });
        },
        None,
    );
    assert_eq!(codes(&r), ["dependencies-missing"]);
    assert_eq!(code, 1);
}

#[test]
fn dependencies_unparseable_names_file_and_line() {
    let cases: [(&str, &str, u64); 6] = [
        (
            "jingtong/pom.xml",
            "<project>\n  <dependencies>\n  </dependency>\n</project>\n",
            3,
        ),
        (
            "internet-hospital/web/package.json",
            "{\n  \"name\": \"ih-web\",\n  \"version\": 1.0.0\n}\n",
            3,
        ),
        (
            "tools/requirements.txt",
            "requests==2.31.0\nflask = 3.0\n",
            2,
        ),
        (
            "tools/go.mod",
            "module his/tools\n\ngo 1.21\nrequire (\n  github.com/x/y\n)\n",
            5,
        ),
        (
            "tools/Cargo.toml",
            "[package]\nname = \"t\"\nversion = \n",
            3,
        ),
        ("tools/composer.json", "[\"not an object\"]", 1),
    ];
    for (path, content, line) in cases {
        let (r, code) = mutated(|d| write(d, path, content), None);
        // A new build file (requirements.txt, go.mod) also needs its build tool named in the
        // build guide: that warning is the build-tools check's, not this one's.
        let codes: Vec<String> = codes(&r)
            .into_iter()
            .filter(|c| c != "document-build-tools-undocumented")
            .collect();
        assert_eq!(codes, ["dependencies-unparseable"], "{path}");
        assert_eq!(code, 1);
        let f = with_code(&r, "dependencies-unparseable")[0];
        assert_eq!(f["path"], path);
        assert_eq!(f["line"], line, "{path}: {f}");
        assert_eq!(f["requirement"], "dependency-manifests");
    }
    // Well-formed files of each kind parse.
    let (r, _) = mutated(
        |d| {
            write(
                d,
                "tools/requirements.txt",
                "requests==2.31.0\n# pinned\nflask>=3.0,<4 ; python_version >= \"3.9\"\n",
            );
            write(
                d,
                "tools/go.mod",
                "module his/tools\n\ngo 1.21\n\nrequire github.com/x/y v1.2.3\n",
            );
            write(
                d,
                "tools/Cargo.toml",
                "[package]\nname = \"t\"\nversion = \"0.1.0\"\n",
            );
            write(
                d,
                "tools/composer.json",
                "{\"require\": {\"php\": \">=8.1\"}}",
            );
        },
        None,
    );
    // Go and Python now need naming in the build guide: the build-tools check's warning.
    assert_eq!(codes(&r), ["document-build-tools-undocumented"]);
    assert_eq!(requirement(&r, "dependency-manifests")["matched_files"], 10);
}

/// A module the manifest does not name: its source is covered by no requirement. More than
/// 20 % of the source warns; a handful of stray files does not.
#[test]
fn source_uncovered() {
    let add = |n: usize| {
        move |d: &Path| {
            for i in 0..n {
                write(
                    d,
                    &format!("medical-records/src/main/java/Emr{i}.java"),
                    format!("public class Emr{i} {{}}\n"),
                );
            }
        }
    };
    let (r, code) = mutated(add(30), None);
    assert_eq!(codes(&r), ["source-uncovered"]);
    assert_eq!(code, 0, "a warning");
    let f = with_code(&r, "source-uncovered")[0];
    assert_eq!(f["severity"], "warn");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("medical-records/ (30)"),
        "{f}"
    );
    let (r, _) = mutated(add(3), None);
    assert!(codes(&r).is_empty(), "{:?}", codes(&r));
    assert_eq!(r["uncovered"]["files"], 3);
}

#[test]
fn symlink_outside_the_delivery_is_recorded_not_followed() {
    let (r, code) = mutated(
        |d| {
            std::os::unix::fs::symlink("/etc/passwd", d.join("docs/部署-secret.md")).unwrap();
            std::os::unix::fs::symlink("../../../..", d.join("jingtong/up")).unwrap();
            std::os::unix::fs::symlink("../docs", d.join("jingtong/docs-link")).unwrap();
        },
        None,
    );
    assert_eq!(
        codes(&r),
        ["symlink-outside-delivery", "symlink-outside-delivery"]
    );
    assert_eq!(code, 0, "a warning, not a failure");
    assert_eq!(r["delivery"]["symlinks"], 3);
    // The link is not a document: the deployment manual still matches only the real file.
    assert_eq!(requirement(&r, "deployment-manual")["matched_files"], 1);
    let evidence = with_code(&r, "symlink-outside-delivery")
        .iter()
        .map(|f| f["evidence"][0].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert!(
        evidence.contains(&"docs/部署-secret.md -> /etc/passwd".to_owned()),
        "{evidence:?}"
    );
}

#[test]
fn special_files_are_skipped_with_a_note() {
    let tmp = copy_sample();
    let fifo = tmp.path().join("jingtong/pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    // A FIFO read would block forever: the check must not open it.
    let run = check_json(tmp.path(), &chaoyang());
    let r = run.json();
    assert_eq!(codes(&r), ["special-file-skipped"]);
    assert_eq!(with_code(&r, "special-file-skipped")[0]["severity"], "info");
    assert_eq!(
        with_code(&r, "special-file-skipped")[0]["path"],
        "jingtong/pipe"
    );
    assert_eq!(r["delivery"]["special"], 1);
    assert_eq!(run.code, 0);
}

#[test]
fn severity_override_can_raise_a_warning_to_deny() {
    let text = std::fs::read_to_string(chaoyang()).unwrap().replace(
        "[severity]",
        "[severity]\nsymlink-outside-delivery = \"deny\"",
    );
    let (r, code) = mutated(
        |d| std::os::unix::fs::symlink("/opt/vendor/lib", d.join("jingtong/lib")).unwrap(),
        Some(&text),
    );
    assert_eq!(codes(&r), ["symlink-outside-delivery"]);
    assert_eq!(code, 1);
}
