//! `escrow manifest init`: a manifest drafted from a delivery loads, and the delivery it came
//! from meets every requirement, whatever the delivery's form and build system.

use std::path::Path;
use std::process::Command;

use crate::common::{Run, check_json, copy_sample, escrow, sample, write};

/// `escrow manifest init DELIVERY -o OUT EXTRA…`, asserted to succeed; the draft's text.
fn init(delivery: &Path, out: &Path, extra: &[&str]) -> (String, Run) {
    let mut args = vec![
        "manifest".as_ref(),
        "init".as_ref(),
        delivery.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let run = escrow(&args);
    assert_eq!(run.code, 0, "manifest init failed: {}", run.stderr);
    (std::fs::read_to_string(out).unwrap(), run)
}

/// Check `delivery` against `manifest` (JSON report) and assert every requirement is met; the
/// report.
fn all_met(delivery: &Path, manifest: &Path) -> serde_json::Value {
    let run = check_json(delivery, manifest);
    let report = run.json();
    let reqs = report["requirements"].as_array().unwrap();
    assert!(!reqs.is_empty(), "no requirements: {}", run.stdout);
    for r in reqs {
        assert_eq!(
            r["status"],
            "met",
            "requirement {} not met: {}\n{}",
            r["id"],
            r["evidence"],
            std::fs::read_to_string(manifest).unwrap()
        );
    }
    report
}

/// The ids of the report's requirements of one kind.
fn ids(report: &serde_json::Value, kind: &str) -> Vec<String> {
    report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == kind)
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "vendor")
        .env("GIT_AUTHOR_EMAIL", "vendor@example.invalid")
        .env("GIT_COMMITTER_NAME", "vendor")
        .env("GIT_COMMITTER_EMAIL", "vendor@example.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sample_draft_loads_and_every_requirement_is_met() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("draft.toml");
    let (text, run) = init(&sample(), &out, &["--lang", "en"]);
    let report = all_met(&sample(), &out);
    // The sample's documents, found in docs/ and at the root, each once.
    let docs = ids(&report, "document");
    for id in [
        "build-guide",
        "deployment-manual",
        "interface-spec",
        "database-design",
        "dependency-list",
        "code-structure",
        "change-notes",
    ] {
        assert!(docs.contains(&id.to_owned()), "{id} missing: {docs:?}");
    }
    // Kinds not found are commented out and marked for review.
    assert!(text.contains("# id = \"user-manual\""), "{text}");
    assert!(text.contains("【请核对 REVIEW】"), "{text}");
    // Database scripts by folder, min-tables as counted by the check.
    let dbs = ids(&report, "database");
    assert_eq!(dbs, ["db-mysql", "db-sqlserver"], "{text}");
    for id in &dbs {
        let r = crate::common::requirement(&report, id);
        let tables = r["tables"].as_u64().unwrap();
        assert!(tables > 0);
        assert!(
            text.contains(&format!("min-tables = {tables}")),
            "{id}: {tables} tables\n{text}"
        );
    }
    let deps = crate::common::requirement(&report, "dependency-manifests");
    assert_eq!(deps["matched_files"], 6, "{deps}");
    // The head names the delivery and its digest.
    assert!(text.contains(&sample().display().to_string()), "{text}");
    let digest = report["delivery"]["digest"].as_str().unwrap();
    assert!(
        text.contains(&format!("sha256 {digest}")),
        "{digest}\n{text}"
    );
    // The summary says what was found and the next command.
    assert!(run.stderr.contains("7 kinds of document"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "escrow check {} --manifest {}",
            sample().display(),
            out.display()
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn the_summary_speaks_chinese_and_the_draft_goes_to_stdout_without_o() {
    let run = escrow([
        "manifest".as_ref(),
        "init".as_ref(),
        sample().as_os_str(),
        "--lang".as_ref(),
        "zh".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("# 合同清单草稿"), "{}", run.stdout);
    assert!(run.stdout.contains("schema-version = 1"));
    assert!(run.stderr.contains("文档 7 类"), "{}", run.stderr);
    assert!(
        run.stderr.contains("然后运行：escrow check"),
        "{}",
        run.stderr
    );
}

#[test]
fn archive_and_git_deliveries_draft_the_same_requirements_as_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let folder_out = tmp.path().join("folder.toml");
    init(&sample(), &folder_out, &[]);
    let folder = all_met(&sample(), &folder_out);
    let all_ids = |r: &serde_json::Value| {
        r["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };

    // A tar.gz made by the real tar, with the delivery in one top folder.
    let archive = tmp.path().join("his-sample.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(sample().parent().unwrap())
        .arg("his-sample")
        .status()
        .unwrap();
    assert!(status.success());
    let tar_out = tmp.path().join("tar.toml");
    init(&archive, &tar_out, &[]);
    let tarred = all_met(&archive, &tar_out);
    assert_eq!(all_ids(&tarred), all_ids(&folder));

    // A bare repository made by the real git.
    let work = copy_sample();
    git(work.path(), &["init", "-q", "-b", "main"]);
    git(work.path(), &["add", "-A"]);
    git(work.path(), &["commit", "-q", "-m", "delivery"]);
    let bare = tmp.path().join("his.git");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            work.path().to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    let git_out = tmp.path().join("git.toml");
    init(&bare, &git_out, &[]);
    let gitted = all_met(&bare, &git_out);
    assert_eq!(gitted["delivery"]["source"]["kind"], "git");
    assert_eq!(all_ids(&gitted), all_ids(&folder));
}

/// A delivery's files: path and content.
type Tree = Vec<(&'static str, String)>;

/// A small delivery of each build system, its modules, and the module count expected.
fn build_system_trees() -> Vec<(&'static str, Tree, usize)> {
    let java = |c: &str| format!("package his;\npublic class {c} {{}}\n");
    let pom = |a: &str| {
        format!(
            "<project><modelVersion>4.0.0</modelVersion><groupId>his</groupId><artifactId>{a}</artifactId><version>1</version></project>"
        )
    };
    let pkg = |n: &str| format!("{{\"name\": \"{n}\", \"version\": \"1.0.0\"}}");
    vec![
        (
            "maven",
            vec![
                (
                    "pom.xml",
                    "<project><modelVersion>4.0.0</modelVersion><groupId>his</groupId><artifactId>his</artifactId><version>1</version><packaging>pom</packaging><modules><module>his-register</module><module>his-outpatient</module></modules></project>".to_owned(),
                ),
                ("his-register/pom.xml", pom("his-register")),
                ("his-register/src/main/java/his/A.java", java("A")),
                ("his-register/src/main/java/his/B.java", java("B")),
                ("his-outpatient/pom.xml", pom("his-outpatient")),
                ("his-outpatient/src/main/java/his/C.java", java("C")),
            ],
            2,
        ),
        (
            "gradle",
            vec![
                ("settings.gradle", "rootProject.name = 'his'\ninclude 'app', 'lib'\n".to_owned()),
                ("build.gradle", "plugins { id 'java' }\n".to_owned()),
                ("app/build.gradle", "plugins { id 'java' }\n".to_owned()),
                ("app/src/main/java/his/A.java", java("A")),
                ("lib/build.gradle", "plugins { id 'java' }\n".to_owned()),
                ("lib/src/main/kotlin/his/B.kt", "package his\nclass B\n".to_owned()),
            ],
            2,
        ),
        (
            "sln",
            vec![
                (
                    "HIS.sln",
                    "Microsoft Visual Studio Solution File, Format Version 12.00\r\n\
                     Project(\"{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}\") = \"Kiosk\", \"Kiosk\\Kiosk.csproj\", \"{11111111-1111-1111-1111-111111111111}\"\r\nEndProject\r\n\
                     Project(\"{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}\") = \"Billing\", \"Billing\\Billing.csproj\", \"{22222222-2222-2222-2222-222222222222}\"\r\nEndProject\r\n".to_owned(),
                ),
                ("Kiosk/Kiosk.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>".to_owned()),
                ("Kiosk/Program.cs", "class Program {}".to_owned()),
                ("Billing/Billing.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>".to_owned()),
                ("Billing/Bill.cs", "class Bill {}".to_owned()),
            ],
            2,
        ),
        (
            "npm",
            vec![
                ("package.json", "{\"name\": \"his\", \"private\": true, \"workspaces\": [\"packages/*\"]}".to_owned()),
                ("package-lock.json", "{\"lockfileVersion\": 3}".to_owned()),
                ("packages/web/package.json", pkg("web")),
                ("packages/web/src/main.js", "export const a = 1;\n".to_owned()),
                ("packages/admin/package.json", pkg("admin")),
                ("packages/admin/src/main.ts", "export const b = 2;\n".to_owned()),
            ],
            2,
        ),
        (
            "pnpm",
            vec![
                ("package.json", pkg("his")),
                ("pnpm-workspace.yaml", "packages:\n  - 'apps/*'\n".to_owned()),
                ("apps/web/package.json", pkg("web")),
                ("apps/web/src/App.vue", "<template><div/></template>\n".to_owned()),
                ("apps/admin/package.json", pkg("admin")),
                ("apps/admin/src/index.js", "export default 1;\n".to_owned()),
            ],
            2,
        ),
        (
            "yarn",
            vec![
                ("package.json", "{\"name\": \"his\", \"private\": true, \"workspaces\": [\"modules/*\"]}".to_owned()),
                ("yarn.lock", "# yarn lockfile v1\n".to_owned()),
                ("modules/register/package.json", pkg("register")),
                ("modules/register/index.js", "module.exports = 1;\n".to_owned()),
                ("modules/billing/package.json", pkg("billing")),
                ("modules/billing/index.js", "module.exports = 2;\n".to_owned()),
            ],
            2,
        ),
        (
            "python",
            vec![
                ("pyproject.toml", "[project]\nname = \"his-app\"\nversion = \"1.0\"\n".to_owned()),
                ("requirements.txt", "flask==3.0.0\n".to_owned()),
                ("his_app/__init__.py", String::new()),
                ("his_app/views.py", "def index():\n    return 1\n".to_owned()),
            ],
            1,
        ),
        (
            "go",
            vec![
                ("go.mod", "module example.invalid/his\n\ngo 1.21\n".to_owned()),
                ("cmd/server/main.go", "package main\nfunc main() {}\n".to_owned()),
                ("internal/reg/reg.go", "package reg\n".to_owned()),
            ],
            1,
        ),
    ]
}

#[test]
fn every_build_system_drafts_modules_that_the_delivery_meets() {
    for (name, files, modules) in build_system_trees() {
        let tmp = tempfile::tempdir().unwrap();
        let delivery = tmp.path().join(name);
        for (rel, content) in &files {
            write(&delivery, rel, content);
        }
        let out = tmp.path().join("draft.toml");
        let (text, _) = init(&delivery, &out, &[]);
        let report = all_met(&delivery, &out);
        let found = ids(&report, "module");
        assert!(
            found.len() >= modules,
            "{name}: {modules} modules expected, found {found:?}\n{text}"
        );
        assert!(
            !ids(&report, "dependencies").is_empty(),
            "{name}: no dependency files\n{text}"
        );
    }
}

#[test]
fn contracted_names_map_to_delivered_modules_and_a_missing_one_is_a_todo_that_stops_the_check() {
    let tmp = tempfile::tempdir().unwrap();
    let delivery = tmp.path().join("his");
    let pom = |a: &str, n: &str| {
        format!(
            "<project><modelVersion>4.0.0</modelVersion><groupId>his</groupId><artifactId>{a}</artifactId><version>1</version><name>{n}</name></project>"
        )
    };
    write(
        &delivery,
        "pom.xml",
        "<project><modelVersion>4.0.0</modelVersion><groupId>his</groupId><artifactId>his</artifactId><version>1</version><packaging>pom</packaging><modules><module>his/his-register</module><module>his/his-outpatient</module></modules></project>",
    );
    write(
        &delivery,
        "his/his-register/pom.xml",
        pom("his-register", "挂号管理"),
    );
    write(
        &delivery,
        "his/his-outpatient/pom.xml",
        pom("his-outpatient", "门诊医生站"),
    );
    for (m, c) in [("his-register", "Reg"), ("his-outpatient", "Doc")] {
        for i in 0..5 {
            write(
                &delivery,
                &format!("his/{m}/src/main/java/his/{c}{i}.java"),
                format!("package his;\nclass {c}{i} {{}}\n"),
            );
        }
    }
    write(
        &delivery,
        "文档/部署手册V1.2.docx",
        crate::common::docx(3000),
    );
    let contract = tmp.path().join("contract.toml");
    std::fs::write(
        &contract,
        "modules = [\"门诊挂号\", \"药房管理\"]\n\n[contract]\nid = \"HT-2026-001\"\ntitle = \"某医院HIS改造项目\"\nclient = \"某医院\"\nvendor = \"某信息技术有限公司\"\n",
    )
    .unwrap();
    let out = tmp.path().join("draft.toml");
    let (text, run) = init(&delivery, &out, &["--contract", contract.to_str().unwrap()]);
    assert!(text.contains("id = \"HT-2026-001\""), "{text}");
    assert!(text.contains("name = \"门诊挂号\""), "{text}");
    assert!(text.contains("paths = [\"his/his-register/**\"]"), "{text}");
    assert!(text.contains("paths = [\"TODO: "), "{text}");
    assert!(text.contains("文档/**/*部署*"), "{text}");
    assert!(run.stderr.contains("1 TODO"), "{}", run.stderr);
    assert!(run.stderr.contains("(TODO): 药房管理"), "{}", run.stderr);
    // The TODO glob stops the check until someone fills it in.
    let check = escrow([
        "check".as_ref(),
        delivery.as_os_str(),
        "--manifest".as_ref(),
        out.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(check.code, 2, "{}\n{}", check.stdout, check.stderr);
    assert!(check.stderr.contains("TODO"), "{}", check.stderr);
}

#[test]
fn an_existing_output_is_kept_unless_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("manifest.toml");
    std::fs::write(&out, "hand-written\n").unwrap();
    let args = |force: bool| {
        let mut a = vec![
            "manifest".to_owned(),
            "init".to_owned(),
            sample().display().to_string(),
            "-o".to_owned(),
            out.display().to_string(),
        ];
        if force {
            a.push("--force".to_owned());
        }
        a
    };
    let run = escrow(args(false));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "hand-written\n");
    let run = escrow(args(true));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("schema-version = 1")
    );
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn an_output_inside_the_delivery_is_refused() {
    let work = copy_sample();
    let out = work.path().join("draft.toml");
    let run = escrow([
        "manifest".as_ref(),
        "init".as_ref(),
        work.path().as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("inside the delivery"), "{}", run.stderr);
    assert!(!out.exists());
}

#[test]
fn a_bad_contract_file_exits_2_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-contract.toml");
    let run = escrow([
        "manifest".as_ref(),
        "init".as_ref(),
        sample().as_os_str(),
        "--contract".as_ref(),
        missing.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("no-such-contract.toml"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());

    let broken = tmp.path().join("broken-contract.toml");
    std::fs::write(&broken, "modules = [\"门诊挂号\"\n").unwrap();
    let run = escrow([
        "manifest".as_ref(),
        "init".as_ref(),
        sample().as_os_str(),
        "--contract".as_ref(),
        broken.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("broken-contract.toml"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn an_unreadable_or_empty_delivery_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let run = escrow([
        "manifest".as_ref(),
        "init".as_ref(),
        tmp.path().join("missing").as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no such delivery"), "{}", run.stderr);
    let empty = tmp.path().join("empty");
    write(&empty, "notes.bin", [0u8, 1, 2]);
    let run = escrow(["manifest".as_ref(), "init".as_ref(), empty.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("nothing in the delivery"),
        "{}",
        run.stderr
    );
}

#[test]
fn gbk_names_of_a_windows_zip_are_drafted_as_the_check_matches_them() {
    let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
    let (doc, sql, pom) = (
        gbk("交付/文档/部署手册V1.2.docx"),
        gbk("交付/数据库/建表脚本.sql"),
        gbk("交付/挂号/pom.xml"),
    );
    let java = gbk("交付/挂号/src/挂号.java");
    let word = crate::common::docx(2000);
    let zip = crate::common::raw_zip(&[
        (&doc, &word, 0),
        (
            &sql,
            b"CREATE TABLE reg (id int);\nCREATE TABLE pat (id int);\n",
            0,
        ),
        (&pom, b"<project><artifactId>reg</artifactId></project>", 0),
        (&java, b"class A {}\n", 0),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("delivery.zip");
    std::fs::write(&archive, zip).unwrap();
    let out = tmp.path().join("draft.toml");
    let (text, _) = init(&archive, &out, &[]);
    assert!(text.contains("文档/**/*部署*"), "{text}");
    assert!(text.contains("数据库/*.sql"), "{text}");
    let report = all_met(&archive, &out);
    assert_eq!(
        crate::common::requirement(&report, "db-scripts")["tables"],
        2
    );
    assert!(!ids(&report, "module").is_empty(), "{text}");
}

/// The tables and keys of a draft's TOML, as `table.key` (entries of arrays of tables included).
fn draft_keys(text: &str) -> Vec<String> {
    let table: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut out = Vec::new();
    for (k, v) in &table {
        out.push(k.clone());
        let entries: Vec<&toml::Table> = match v {
            toml::Value::Table(t) => vec![t],
            toml::Value::Array(a) => a.iter().filter_map(toml::Value::as_table).collect(),
            _ => Vec::new(),
        };
        for e in entries {
            out.extend(e.keys().map(|x| format!("{k}.{x}")));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A hostile vendor's folder names never become manifest lines: a name holding line breaks
/// and TOML (an `[[allow]]` silencing every finding, the scan switched off) stays inside its
/// comment, and glob characters in a name (`*`, `[`) select that folder only.
#[test]
fn names_from_the_delivery_never_become_manifest_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let evil = "a\"]\n[scan]\nenabled = false\n[[allow]]\ncode = \"credential-hardcoded\"\npaths = [\"**\"]\nreason = \"x\"\n#";
    write(&d, &format!("{evil}/src/A.java"), "class A {}\n");
    write(&d, "ok/src/B.java", "class B {}\n");
    write(&d, "*/src/C.java", "class C {}\n");
    write(&d, "x[y/src/D.java", "class D {}\n");
    write(&d, "rtl\u{202e}txt.java/src/E.java", "class E {}\n");
    let archive = tmp.path().join("delivery.tar");
    let st = Command::new("tar")
        .arg("-cf")
        .arg(&archive)
        .arg("-C")
        .arg(&d)
        .arg(".")
        .status()
        .unwrap();
    assert!(st.success());
    let out = tmp.path().join("draft.toml");
    let (text, _) = init(&archive, &out, &[]);
    for k in draft_keys(&text) {
        assert!(
            [
                "schema-version",
                "module",
                "module.id",
                "module.name",
                "module.paths",
                "module.min-source-files"
            ]
            .contains(&k.as_str()),
            "the draft holds {k}:\n{text}"
        );
    }
    assert!(
        !text.contains('\u{202e}'),
        "a bidirectional control reached the draft"
    );
    // Every folder is a live module holding exactly its own file: the glob characters of `*`
    // and `x[y` are escaped, so neither selects the others.
    let report = all_met(&archive, &out);
    let modules = report["requirements"].as_array().unwrap();
    assert_eq!(modules.len(), 5, "{text}");
    for m in modules {
        assert_eq!(m["source_files"], 1, "{m}\n{text}");
    }
}

/// Hundreds of modules with long folder names (more than one glob set can hold) are all
/// drafted and counted, none dropped as holding no source.
#[test]
fn hundreds_of_long_named_modules_are_drafted_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    for n in 0..600 {
        write(&d, &format!("m{n:0>240}/src/A{n}.java"), "class A {}\n");
    }
    let out = tmp.path().join("draft.toml");
    let (text, _) = init(&d, &out, &[]);
    let live = text.lines().filter(|l| *l == "[[module]]").count();
    assert_eq!(live, 600, "{}", &text[..text.len().min(3000)]);
}
