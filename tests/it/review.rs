//! Findings a reviewer can work through: one finding per secret wherever it is repeated, the
//! files of a finding about several files as data, what changed since the previous deposit
//! (new and resolved findings), a module that lost files while gaining others, and a baseline
//! of accepted findings. Secret-looking strings are made at test time.

use std::ffi::OsStr;
use std::path::Path;

use crate::common::*;

const MANIFEST: &str =
    "schema-version = 1\n[[module]]\nid = \"app\"\nname = \"App\"\npaths = [\"src/**\"]\n";

/// Passwords without literals in the repository: a seeded generator.
struct Gen(u64);

impl Gen {
    fn password(&mut self) -> String {
        const ALNUM: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        (0..14)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                ALNUM[(self.0 % ALNUM.len() as u64) as usize] as char
            })
            .collect()
    }
}

fn props(pass: &str) -> String {
    format!("db.url=jdbc:mysql://db:3306/his\ndb.password={pass}\n")
}

/// `escrow ARGS…` with paths and words mixed.
fn run(args: &[&OsStr]) -> Run {
    escrow(args)
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

fn check(dir: &Path, m: &Path, extra: &[&OsStr]) -> Run {
    let mut args = vec![
        os("check"),
        dir.as_os_str(),
        os("--manifest"),
        m.as_os_str(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn credentials(r: &serde_json::Value) -> Vec<&serde_json::Value> {
    with_code(r, "credential-hardcoded")
}

#[test]
fn one_secret_in_two_files_is_one_finding_with_both_places() {
    let tmp = tempfile::tempdir().unwrap();
    let (d, mdir) = (tmp.path().join("d"), tmp.path().join("m"));
    std::fs::create_dir_all(&mdir).unwrap();
    let mut g = Gen(0x00c0_ffee);
    let (shared, other) = (g.password(), g.password());
    write(&d, "config/dev/db.properties", props(&shared));
    write(
        &d,
        "config/prod/db.properties",
        format!("# prod\n{}", props(&shared)),
    );
    write(&d, "config/test/db.properties", props(&other));
    write(&d, "src/App.java", "class App {}\n");
    let m = manifest(&mdir, MANIFEST);
    let r = check_json(&d, &m).json();
    let found = credentials(&r);
    assert_eq!(found.len(), 2, "{r}");
    let both = found
        .iter()
        .find(|f| f["locations"].is_array())
        .expect("the shared secret lists its places");
    assert_eq!(
        both["locations"],
        serde_json::json!([
            {"path": "config/dev/db.properties", "line": 2},
            {"path": "config/prod/db.properties", "line": 3}
        ])
    );
    assert_eq!(both["path"], "config/dev/db.properties");
    let fp = both["fingerprint"].as_str().unwrap();
    assert!(
        fp.len() == 8 && fp.chars().all(|c| c.is_ascii_hexdigit()),
        "{fp}"
    );
    assert!(both["evidence"][0].as_str().unwrap().contains(fp));
    let single = found.iter().find(|f| f["locations"].is_null()).unwrap();
    assert_eq!(single["path"], "config/test/db.properties");
    assert_ne!(single["fingerprint"], both["fingerprint"]);

    let human = check(&d, &m, &[]);
    assert!(
        human.stdout.contains(
            "same secret in 2 files: config/dev/db.properties:2, config/prod/db.properties:3"
        ),
        "{}",
        human.stdout
    );
    for out in [&human.stdout, &human.stderr] {
        assert!(!out.contains(&shared) && !out.contains(&other));
    }
    assert!(!r.to_string().contains(&shared));

    // An [[allow]] must cover every file of the secret: the development folder alone does not.
    let dev = "[[allow]]\ncode = \"credential-hardcoded\"\npaths = [\"config/dev/**\", \"config/test/**\"]\nreason = \"development\"\n";
    let m = manifest(&mdir, &format!("{MANIFEST}{dev}"));
    let r = check_json(&d, &m).json();
    assert_eq!(credentials(&r).len(), 1, "{r}");
    assert_eq!(credentials(&r)[0]["path"], "config/dev/db.properties");
    assert_eq!(r["allowed"][0]["silenced"], 1);
}

fn class_file(n: u8) -> Vec<u8> {
    let mut v = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61, n];
    v.extend_from_slice(&[0u8; 40]);
    v
}

#[test]
fn a_finding_about_a_folder_names_every_file_as_data() {
    let tmp = tempfile::tempdir().unwrap();
    let (d, mdir) = (tmp.path().join("d"), tmp.path().join("m"));
    std::fs::create_dir_all(&mdir).unwrap();
    write(&d, "src/App.java", "class App {}\n");
    let names: Vec<String> = (0..13).map(|i| format!("Report{i:02}")).collect();
    for (i, n) in names.iter().enumerate() {
        write(&d, &format!("lib/classes/{n}.class"), class_file(i as u8));
    }
    let m = manifest(&mdir, MANIFEST);
    let r = check_json(&d, &m).json();
    let f = with_code(&r, "binary-without-source")
        .into_iter()
        .find(|f| f["rule"] == "class-without-source")
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(f["path"], "lib/classes");
    let evidence: Vec<&str> = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        evidence.contains(&"… and 3 more"),
        "the text is unchanged: {evidence:?}"
    );
    let paths: Vec<&str> = f["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let expect: Vec<String> = names
        .iter()
        .map(|n| format!("lib/classes/{n}.class"))
        .collect();
    assert_eq!(paths, expect);
}

/// A vault and a delivery folder in one temporary folder, deposited with one manifest.
struct Deposits {
    tmp: tempfile::TempDir,
    manifest: std::path::PathBuf,
}

impl Deposits {
    fn new() -> Deposits {
        let tmp = tempfile::tempdir().unwrap();
        let mdir = tmp.path().join("m");
        std::fs::create_dir_all(&mdir).unwrap();
        let manifest = manifest(&mdir, MANIFEST);
        Deposits { tmp, manifest }
    }

    fn d(&self) -> std::path::PathBuf {
        self.tmp.path().join("d")
    }

    fn deposit(&self, label: &str, extra: &[&str]) -> Run {
        let vault = self.tmp.path().join("vault");
        let d = self.d();
        let mut args = vec![
            os("deposit"),
            d.as_os_str(),
            os("-m"),
            self.manifest.as_os_str(),
            os("--label"),
            os(label),
            os("--vault"),
            vault.as_os_str(),
        ];
        args.extend(extra.iter().map(|s| os(s)));
        let r = run(&args);
        assert_ne!(r.code, 2, "{}", r.stderr);
        r
    }
}

#[test]
fn an_update_marks_new_findings_and_lists_resolved_ones() {
    let s = Deposits::new();
    let d = s.d();
    let mut g = Gen(0xdead_beef);
    let (fixed, kept, added) = (g.password(), g.password(), g.password());
    write(&d, "src/App.java", "class App {}\n");
    write(&d, "config/a.properties", props(&fixed));
    write(&d, "config/keep.properties", props(&kept));
    let v1 = s.deposit("v1", &["--format", "json"]).json();
    assert!(
        v1.get("findings_since").is_none(),
        "the first snapshot: {v1}"
    );
    assert!(
        credentials(&v1["report"])
            .iter()
            .all(|f| f.get("new").is_none()),
        "{v1}"
    );

    std::fs::remove_file(d.join("config/a.properties")).unwrap();
    // The kept secret moves down a line: still the same finding.
    write(
        &d,
        "config/keep.properties",
        format!("# moved\n{}", props(&kept)),
    );
    write(&d, "config/b.properties", props(&added));
    let v2 = s.deposit("v2", &["--format", "json"]).json();
    let report = &v2["report"];
    let new_of = |path: &str| {
        credentials(report)
            .into_iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("no finding at {path}: {report}"))["new"]
            .clone()
    };
    assert_eq!(new_of("config/b.properties"), true);
    assert_eq!(new_of("config/keep.properties"), false);
    let since = &v2["findings_since"];
    assert_eq!(since["previous"], "v1");
    let marked_new = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["new"] == true)
        .count();
    assert_eq!(since["new"], marked_new as u64);
    let resolved = since["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 1, "{since}");
    assert_eq!(resolved[0]["code"], "credential-hardcoded");
    assert_eq!(resolved[0]["path"], "config/a.properties");
    for text in [&fixed, &kept, &added] {
        assert!(!v2.to_string().contains(text.as_str()));
    }

    // The human output of an update leads with what changed (v2's file-removed is resolved
    // too: a.properties is not removed again).
    write(&d, "config/b.properties", "db.password=${DB_PASSWORD}\n");
    let v3 = s.deposit("v3", &[]);
    let first = v3.stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("What changed since v2: ") && first.ends_with(", 2 resolved"),
        "{}",
        v3.stdout
    );
    assert!(
        v3.stdout
            .contains("resolved: credential-hardcoded config/b.properties:2"),
        "{}",
        v3.stdout
    );
}

#[test]
fn a_module_that_lost_a_file_while_gaining_forty_is_regressed() {
    let s = Deposits::new();
    let d = s.d();
    for i in 0..5 {
        write(
            &d,
            &format!("src/Keep{i}.java"),
            format!("class Keep{i} {{}}\n"),
        );
    }
    write(&d, "src/billing/Gone.java", "class Gone { int fee; }\n");
    write(&d, "src/Moved.java", "class Moved { int x; }\n");
    assert_eq!(s.deposit("v1", &["-q"]).code, 0);

    std::fs::remove_file(d.join("src/billing/Gone.java")).unwrap();
    // Moved (same content elsewhere): not lost.
    std::fs::remove_file(d.join("src/Moved.java")).unwrap();
    write(&d, "src/util/Moved.java", "class Moved { int x; }\n");
    for i in 0..40 {
        write(
            &d,
            &format!("src/gen/New{i}.java"),
            format!("class New{i} {{}}\n"),
        );
    }
    let r = s.deposit("v2", &["--format", "json"]).json();
    let found = with_code(&r["report"], "module-regressed");
    assert_eq!(found.len(), 1, "{r}");
    assert_eq!(found[0]["requirement"], "app");
    assert_eq!(
        found[0]["paths"],
        serde_json::json!(["src/billing/Gone.java"])
    );
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("lost 1 source files"),
        "{}",
        found[0]["message"]
    );

    // Only moved: nothing lost.
    std::fs::rename(d.join("src/util/Moved.java"), d.join("src/Moved2.java")).unwrap();
    let r = s.deposit("v3", &["--format", "json"]).json();
    assert!(
        with_code(&r["report"], "module-regressed").is_empty(),
        "{r}"
    );
}

#[test]
fn a_baseline_is_written_filled_in_and_silences_what_it_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    let (d, mdir) = (tmp.path().join("d"), tmp.path().join("m"));
    std::fs::create_dir_all(&mdir).unwrap();
    let mut g = Gen(0x0bad_5eed);
    write(&d, "src/App.java", "class App {}\n");
    write(&d, "config/a.properties", props(&g.password()));
    write(&d, "config/b.properties", props(&g.password()));
    let m = manifest(&mdir, MANIFEST);
    let b = mdir.join("baseline.toml");
    let json = [os("--format"), os("json")];

    let written = check(
        &d,
        &m,
        &[os("--write-baseline"), b.as_os_str(), json[0], json[1]],
    );
    assert_ne!(written.code, 2, "{}", written.stderr);
    assert_eq!(
        credentials(&written.json()).len(),
        2,
        "the findings still count"
    );
    assert!(
        written.stderr.contains("baseline written to"),
        "{}",
        written.stderr
    );
    let text = std::fs::read_to_string(&b).unwrap();
    assert!(text.contains("version = 1"), "{text}");
    assert_eq!(text.matches("[[accepted]]").count(), 2, "{text}");
    assert!(text.contains("FILL IN"), "{text}");

    // Not filled in: refused, naming the file and the entry.
    let refused = check(&d, &m, &[os("--baseline"), b.as_os_str()]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("baseline.toml")
            && refused
                .stderr
                .contains("[[accepted]] entry 1 (credential-hardcoded")
            && refused.stderr.contains("accepted-by, reason"),
        "{}",
        refused.stderr
    );

    let filled = text
        .replace("FILL IN: who accepted this finding", "Wang Li, IT")
        .replace(
            "FILL IN: why it is acceptable",
            "test server, password rotated",
        );
    std::fs::write(&b, filled).unwrap();
    let ok = check(&d, &m, &[os("--baseline"), b.as_os_str(), json[0], json[1]]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    let r = ok.json();
    assert!(credentials(&r).is_empty(), "{r}");
    assert_eq!(
        r["baseline"],
        serde_json::json!({"file": b.display().to_string(), "entries": 2, "silenced": 2, "stale": 0})
    );
    let human = check(&d, &m, &[os("--baseline"), b.as_os_str()]);
    assert!(
        human.stdout.contains("(2 entries): 2 silenced, 0 stale"),
        "{}",
        human.stdout
    );

    // One finding gone: its entry is stale (info), the verdict still passes.
    std::fs::remove_file(d.join("config/b.properties")).unwrap();
    let r = check(&d, &m, &[os("--baseline"), b.as_os_str(), json[0], json[1]]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = r.json();
    assert_eq!(r["baseline"]["stale"], 1);
    let stale = with_code(&r, "baseline-stale");
    assert_eq!(stale.len(), 1, "{r}");
    assert_eq!(stale[0]["severity"], "info");
    assert!(
        stale[0]["message"]
            .as_str()
            .unwrap()
            .contains("config/b.properties")
    );

    // Written again with the baseline: the entry in force keeps who accepted it; the stale
    // one goes.
    let again = mdir.join("again.toml");
    check(
        &d,
        &m,
        &[
            os("--baseline"),
            b.as_os_str(),
            os("--write-baseline"),
            again.as_os_str(),
        ],
    );
    let text = std::fs::read_to_string(&again).unwrap();
    assert_eq!(text.matches("[[accepted]]").count(), 1, "{text}");
    assert!(
        text.contains("Wang Li, IT") && !text.contains("= \"FILL IN"),
        "{text}"
    );
}

#[test]
fn a_bad_baseline_stops_the_check_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (d, mdir) = (tmp.path().join("d"), tmp.path().join("m"));
    std::fs::create_dir_all(&mdir).unwrap();
    write(&d, "src/App.java", "class App {}\n");
    let m = manifest(&mdir, MANIFEST);
    // Exit 2 with the file and what to do.: exit 2 with the file and what to do.
    let bad = mdir.join("bad.toml");
    for (content, says) in [
        ("this is not toml", "--write-baseline"),
        ("version = 7\n", "version 7 is not supported"),
    ] {
        std::fs::write(&bad, content).unwrap();
        let r = check(&d, &m, &[os("--baseline"), bad.as_os_str()]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("bad.toml") && r.stderr.contains(says),
            "{}",
            r.stderr
        );
    }
    let missing = mdir.join("missing.toml");
    let r = check(&d, &m, &[os("--baseline"), missing.as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.toml"), "{}", r.stderr);
}

#[test]
fn a_finding_accepted_in_the_baseline_is_not_resolved() {
    let s = Deposits::new();
    let d = s.d();
    let mut g = Gen(0xacce_97ed);
    write(&d, "src/App.java", "class App {}\n");
    write(&d, "config/test.properties", props(&g.password()));
    assert_ne!(s.deposit("v1", &["-q"]).code, 2);
    // The hospital accepts the test password: the next deposit silences it, and it is still
    // in the delivery, so it is not "resolved".
    let baseline = s.tmp.path().join("accepted.toml");
    let m = s.manifest.clone();
    let w = run(&[
        os("check"),
        d.as_os_str(),
        os("-m"),
        m.as_os_str(),
        os("--write-baseline"),
        baseline.as_os_str(),
    ]);
    assert_ne!(w.code, 2, "{}", w.stderr);
    let text = std::fs::read_to_string(&baseline).unwrap();
    let filled = text
        .replace("FILL IN: who accepted this finding", "Wang Li, IT")
        .replace("FILL IN: why it is acceptable", "test database only");
    std::fs::write(&baseline, filled).unwrap();
    let v2 = s
        .deposit(
            "v2",
            &["--format", "json", "--baseline", baseline.to_str().unwrap()],
        )
        .json();
    let since = &v2["findings_since"];
    assert_eq!(since["resolved"].as_array().unwrap().len(), 0, "{since}");
    assert_eq!(v2["report"]["baseline"]["silenced"], 1, "{v2}");
}

#[test]
fn an_oversized_baseline_is_refused_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    write(&d, "src/App.java", "class App {}\n");
    let m = manifest(tmp.path(), MANIFEST);
    let big = tmp.path().join("accepted.toml");
    let mut text = String::from("version = 1\n");
    while text.len() <= 17 << 20 {
        text.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(&big, text).unwrap();
    let r = run(&[
        os("check"),
        d.as_os_str(),
        os("-m"),
        m.as_os_str(),
        os("--baseline"),
        big.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("accepted.toml"), "{}", r.stderr);
    assert!(r.stderr.contains("larger than 16 MiB"), "{}", r.stderr);
}
