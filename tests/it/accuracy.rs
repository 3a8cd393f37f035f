//! The scan's labelled accuracy set (issue: "a barrier scan a hospital can put in front of a
//! vendor"). Every case is a small delivery built here, at test time, with the findings a
//! reviewer expects on it: positives (what must be found, with its code, rule and whether it
//! must be a deny) and negatives (ordinary hospital code that must raise nothing). No
//! secret-looking literal is committed: secrets and random bytes come from a seeded generator.
//!
//! The test runs the real binary on every case and scores it:
//! - a produced scan finding matching an expectation (same path and code, and rule when the
//!   case names one) is a true positive; any other scan finding on a case is a false positive;
//! - an expectation no finding met is a false negative.
//!
//! It prints a per-rule table (true/false positives, misses, precision, recall) and asserts the
//! targets the issue sets: deny-level precision ≥ 0.95 and recall ≥ 0.95, credential precision
//! ≥ 0.8. `bench/scan-accuracy.sh` runs it against the current binary and a baseline build
//! (`ESCROW_ACCURACY_BIN` names another binary, `ESCROW_ACCURACY_NO_ASSERT=1` only prints).

mod compiled;
mod corpus;

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;

/// Codes the scan gives (the only ones scored; requirement checks are not the scan's).
pub const SCAN_CODES: &[&str] = &[
    "file-encrypted",
    "archive-encrypted",
    "source-encoded",
    "source-obfuscated",
    "binary-without-source",
    "binary-unattributed",
    "credential-hardcoded",
    "backdoor-suspect",
    "git-lfs-pointer",
];

/// One finding a case expects.
#[derive(Debug, Clone)]
pub struct Expect {
    pub path: String,
    pub code: &'static str,
    /// The rule that must give it, when the case is about one rule.
    pub rule: Option<&'static str>,
    /// It must be a deny (the deny-level recall counts it).
    pub deny: bool,
    /// Acceptable but not required: neither a miss when absent nor a false positive when present.
    pub optional: bool,
}

/// A labelled delivery.
#[derive(Debug, Clone)]
pub struct Case {
    /// What the case is about, e.g. `credential/php-config`.
    pub id: String,
    pub files: Vec<(String, Vec<u8>)>,
    pub expect: Vec<Expect>,
}

impl Case {
    pub fn new(id: impl Into<String>) -> Case {
        Case {
            id: id.into(),
            files: Vec::new(),
            expect: Vec::new(),
        }
    }
    pub fn file(mut self, path: &str, content: impl AsRef<[u8]>) -> Case {
        self.files
            .push((path.to_owned(), content.as_ref().to_vec()));
        self
    }
    /// Expect `code` (deny-level when `deny`) on `path`, from `rule` when given.
    pub fn expect(mut self, path: &str, code: &'static str, rule: Option<&'static str>) -> Case {
        let deny = matches!(
            code,
            "file-encrypted"
                | "archive-encrypted"
                | "source-encoded"
                | "source-obfuscated"
                | "binary-without-source"
                | "git-lfs-pointer"
        );
        self.expect.push(Expect {
            path: path.to_owned(),
            code,
            rule,
            deny,
            optional: false,
        });
        self
    }
    /// Expect `code` on `path` at warn (a deny would be wrong).
    pub fn warn(mut self, path: &str, code: &'static str, rule: Option<&'static str>) -> Case {
        self.expect.push(Expect {
            path: path.to_owned(),
            code,
            rule,
            deny: false,
            optional: false,
        });
        self
    }
    /// Accept, without requiring, `code` on `path` (never as a deny).
    pub fn maybe(mut self, path: &str, code: &'static str) -> Case {
        self.expect.push(Expect {
            path: path.to_owned(),
            code,
            rule: None,
            deny: false,
            optional: true,
        });
        self
    }
}

/// What one case gave: the scan findings as (code, rule, path, severity).
type Produced = Vec<(String, String, String, String)>;

fn run_case(case: &Case) -> Produced {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("delivery");
    std::fs::create_dir_all(&d).unwrap();
    for (p, c) in &case.files {
        write(&d, p, c);
    }
    let m = manifest(
        tmp.path(),
        "schema-version = 1\n[[module]]\nid = \"app\"\nname = \"App\"\npaths = [\"**\"]\nmin-source-files = 0\n",
    );
    let mut cmd = match std::env::var_os("ESCROW_ACCURACY_BIN") {
        Some(bin) => {
            let mut c = std::process::Command::new(bin);
            c.env("ESCROW_NOW", FIXED_NOW)
                .env("LANG", "C.UTF-8")
                .env_remove("ESCROW_VAULT");
            c
        }
        None => escrow_command(),
    };
    cmd.arg("check")
        .arg(&d)
        .arg("--manifest")
        .arg(&m)
        .args(["--format", "json"]);
    let run = run(cmd);
    assert_ne!(run.code, 2, "case {}: {}", case.id, run.stderr);
    let report = run.json();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| SCAN_CODES.contains(&f["code"].as_str().unwrap_or("")))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_owned();
            (s("code"), s("rule"), s("path"), s("severity"))
        })
        .collect()
}

fn matches(e: &Expect, (code, rule, path, _): &(String, String, String, String)) -> bool {
    e.code == code && e.path == *path && e.rule.is_none_or(|r| r == rule)
}

/// Per-rule tallies.
#[derive(Default, Debug, Clone, Copy)]
struct Tally {
    tp: u32,
    fp: u32,
    fn_: u32,
}

/// The whole set's score.
#[derive(Default, Debug)]
struct Score {
    rules: BTreeMap<String, Tally>,
    deny_tp: u32,
    deny_fp: u32,
    deny_expected: u32,
    deny_found: u32,
    cred_tp: u32,
    cred_fp: u32,
    all_expected: u32,
    all_found: u32,
    misses: Vec<String>,
    false_positives: Vec<String>,
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        1.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

fn score(cases: &[Case], produced: &[Produced]) -> Score {
    let mut s = Score::default();
    for (case, got) in cases.iter().zip(produced) {
        for e in &case.expect {
            if e.optional {
                continue;
            }
            s.all_expected += 1;
            let key = e.rule.map_or_else(|| e.code.to_owned(), str::to_owned);
            let hit = got.iter().find(|g| matches(e, g));
            if e.deny {
                s.deny_expected += 1;
                if hit.is_some_and(|g| g.3 == "deny") {
                    s.deny_found += 1;
                }
            }
            if hit.is_some() {
                s.all_found += 1;
            } else {
                s.rules.entry(key).or_default().fn_ += 1;
                s.misses
                    .push(format!("{}: {} {} ({:?})", case.id, e.code, e.path, e.rule));
            }
        }
        for g in got {
            let expected = case.expect.iter().find(|e| matches(e, g));
            let rule = if g.1.is_empty() {
                g.0.clone()
            } else {
                g.1.clone()
            };
            let t = s.rules.entry(rule).or_default();
            match expected {
                Some(e) if e.optional => {}
                Some(_) => t.tp += 1,
                None => t.fp += 1,
            }
            if g.3 == "deny" {
                if expected.is_some_and(|e| e.deny) {
                    s.deny_tp += 1;
                } else {
                    s.deny_fp += 1;
                    if expected.is_some() {
                        s.false_positives.push(format!(
                            "{}: {} {} [{}] deny where a warn was expected",
                            case.id, g.0, g.2, g.1
                        ));
                    }
                }
            }
            if g.0 == "credential-hardcoded" {
                match expected {
                    Some(e) if e.optional => {}
                    Some(_) => s.cred_tp += 1,
                    None => s.cred_fp += 1,
                }
            }
            if expected.is_none() {
                s.false_positives
                    .push(format!("{}: {} {} [{}] {}", case.id, g.0, g.2, g.1, g.3));
            }
        }
    }
    s
}

fn table(cases: usize, s: &Score) -> String {
    let mut out = format!(
        "scan accuracy set: {cases} cases, {} expected findings\n\n{:<40} {:>4} {:>4} {:>4} {:>9} {:>7}\n",
        s.all_expected, "rule", "TP", "FP", "FN", "precision", "recall"
    );
    for (rule, t) in &s.rules {
        out.push_str(&format!(
            "{rule:<40} {:>4} {:>4} {:>4} {:>9.2} {:>7.2}\n",
            t.tp,
            t.fp,
            t.fn_,
            ratio(t.tp, t.tp + t.fp),
            ratio(t.tp, t.tp + t.fn_)
        ));
    }
    out.push_str(&format!(
        "\ndeny-level precision {:.3} ({} of {} deny findings expected)\n\
         deny-level recall    {:.3} ({} of {} deny expectations met at deny)\n\
         credential precision {:.3} ({} of {})\n\
         overall recall       {:.3} ({} of {})\n",
        ratio(s.deny_tp, s.deny_tp + s.deny_fp),
        s.deny_tp,
        s.deny_tp + s.deny_fp,
        ratio(s.deny_found, s.deny_expected),
        s.deny_found,
        s.deny_expected,
        ratio(s.cred_tp, s.cred_tp + s.cred_fp),
        s.cred_tp,
        s.cred_tp + s.cred_fp,
        ratio(s.all_found, s.all_expected),
        s.all_found,
        s.all_expected,
    ));
    if !s.misses.is_empty() {
        out.push_str("\nmissed:\n");
        for m in &s.misses {
            out.push_str(&format!("  {m}\n"));
        }
    }
    if !s.false_positives.is_empty() {
        out.push_str("\nfalse positives:\n");
        for m in &s.false_positives {
            out.push_str(&format!("  {m}\n"));
        }
    }
    out
}

/// Run every case, two at a time.
fn run_all(cases: &[Case]) -> Vec<Produced> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(vec![Vec::new(); cases.len()]);
    std::thread::scope(|sc| {
        for _ in 0..2 {
            sc.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let got = run_case(case);
                    results.lock().unwrap()[i] = got;
                }
            });
        }
    });
    results.into_inner().unwrap()
}

/// Every case of the set.
pub fn all_cases() -> Vec<Case> {
    let mut cases = corpus::cases();
    cases.extend(compiled::cases());
    cases
}

#[test]
#[allow(clippy::print_stderr)] // the table is the point of the run
fn the_scan_meets_its_accuracy_targets() {
    let cases = all_cases();
    let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), cases.len(), "case ids are unique");
    let produced = run_all(&cases);
    let s = score(&cases, &produced);
    let t = table(cases.len(), &s);
    eprintln!("{t}");
    if let Some(out) = std::env::var_os("ESCROW_ACCURACY_OUT") {
        std::fs::write(Path::new(&out), &t).unwrap();
    }
    if std::env::var_os("ESCROW_ACCURACY_NO_ASSERT").is_some() {
        return;
    }
    let deny_p = ratio(s.deny_tp, s.deny_tp + s.deny_fp);
    let deny_r = ratio(s.deny_found, s.deny_expected);
    let cred_p = ratio(s.cred_tp, s.cred_tp + s.cred_fp);
    assert!(
        deny_p >= 0.95,
        "deny-level precision {deny_p:.3} < 0.95\n{t}"
    );
    assert!(deny_r >= 0.95, "deny-level recall {deny_r:.3} < 0.95\n{t}");
    assert!(cred_p >= 0.8, "credential precision {cred_p:.3} < 0.8\n{t}");
    let overall = ratio(s.all_found, s.all_expected);
    assert!(overall >= 0.9, "overall recall {overall:.3} < 0.9\n{t}");
}

#[test]
fn the_scorer_counts_what_it_should() {
    let cases = vec![
        Case::new("a").expect("x.php", "source-encoded", None).warn(
            "y.properties",
            "credential-hardcoded",
            Some("config-password"),
        ),
        Case::new("b"),
    ];
    let s = |c: &str, r: &str, p: &str, sev: &str| {
        (c.to_owned(), r.to_owned(), p.to_owned(), sev.to_owned())
    };
    let produced = vec![
        vec![
            s("source-encoded", "php-eval-decoder", "x.php", "deny"),
            s(
                "credential-hardcoded",
                "json-password",
                "y.properties",
                "warn",
            ),
        ],
        vec![s("file-encrypted", "", "z.dat", "deny")],
    ];
    let sc = score(&cases, &produced);
    assert_eq!((sc.deny_tp, sc.deny_fp), (1, 1));
    assert_eq!((sc.deny_found, sc.deny_expected), (1, 1));
    assert_eq!((sc.cred_tp, sc.cred_fp), (0, 1));
    assert_eq!((sc.all_found, sc.all_expected), (1, 2));
    assert_eq!(sc.rules["config-password"].fn_, 1);
    assert_eq!(sc.rules["file-encrypted"].fp, 1);
}
