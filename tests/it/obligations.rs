//! Obligations a hospital can rely on, end to end through the CLI with `ESCROW_NOW` fixing
//! today: failing deposits, `deposit --for`, retractions, date warnings, one contract per
//! vault, questions and answers, late breaches and `--strict`, provisional dates at year end,
//! `calendar add`, and `status --all`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::common::*;

/// The failing delivery of the README's example.
fn failing() -> PathBuf {
    repo().join("fixtures/deliveries/his-update-v2.4")
}

fn deposit(now: &str, vault: &Path, delivery: &Path, manifest: &Path, extra: &[&str]) -> Run {
    let mut cmd = escrow_command();
    cmd.env("ESCROW_NOW", now)
        .env("ESCROW_VAULT", vault)
        .args([
            "deposit".as_ref(),
            delivery.as_os_str(),
            "-m".as_ref(),
            manifest.as_os_str(),
            "-q".as_ref(),
        ])
        .args(extra.iter().map(OsStr::new));
    run(cmd)
}

fn status(now: &str, vault: &Path) -> (i32, serde_json::Value) {
    let r = at(now, vault, &["status", "--format", "json"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    (r.code, r.json())
}

fn ledger_len(vault: &Path) -> usize {
    crate::vault::entry_files(vault).len()
}

#[test]
fn a_failing_deposit_does_not_meet_the_update_deadline_until_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    let r = at(
        "2026-11-02T02:00:00Z",
        &v,
        &["golive", "门诊预约改版", "--date", "2026-11-02"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = deposit(
        "2026-11-05T02:00:00Z",
        &v,
        &failing(),
        &chaoyang(),
        &["-l", "v1.1-broken"],
    );
    assert_eq!(r.code, 1, "the delivery fails its check: {}", r.stderr);
    // Inside the window the failing deposit does not count: still pending.
    let (code, s) = status("2026-11-06T02:00:00Z", &v);
    assert_eq!(code, 0);
    let o = &s["obligations"][0];
    assert_eq!(o["state"], "pending", "{s}");
    assert_eq!(o["failing"][0]["label"], "v1.1-broken");
    assert_eq!(s["deposits"][0]["counts"], false);
    assert_eq!(s["deposits"][0]["met"].as_array().unwrap().len(), 0);
    // After the due date (2026-11-16) it is overdue, and the human report says why.
    let (code, s) = status("2026-11-30T02:00:00Z", &v);
    assert_eq!(code, 1, "overdue exits 1");
    assert_eq!(s["obligations"][0]["state"], "overdue");
    let r = at("2026-11-30T02:00:00Z", &v, &["status", "--lang", "zh"]);
    assert!(
        r.stdout
            .contains("v1.1-broken（序号 1）未通过检查，不算履行")
            && r.stdout.contains("至今没有通过检查的交付"),
        "{}",
        r.stdout
    );
    // A passing deposit cannot be "accepted"; a go-live is not a deposit.
    let r = at(
        "2026-11-30T02:00:00Z",
        &v,
        &["accept", "0", "--reason", "x"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not a deposit"), "{}", r.stderr);
    let r = at("2026-11-30T02:00:00Z", &v, &["accept", "1"]);
    assert_eq!(r.code, 2, "a reason is required");
    // The hospital accepts it, with a reason: now it met the deadline.
    let r = at(
        "2026-11-30T02:00:00Z",
        &v,
        &["accept", "1", "--reason", "缺少的接口文档已纸质补交"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, s) = status("2026-11-30T02:00:00Z", &v);
    assert_eq!(code, 0);
    assert_eq!(s["obligations"][0]["state"], "satisfied");
    assert_eq!(s["deposits"][0]["accepted"], "缺少的接口文档已纸质补交");
    assert_eq!(s["deposits"][0]["met"][0], 0);
    // Retracting the acceptance puts it back.
    let r = at(
        "2026-11-30T02:00:00Z",
        &v,
        &["accept", "--retract", "2", "--reason", "接受有误"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, s) = status("2026-11-30T02:00:00Z", &v);
    assert_eq!(
        (code, &s["obligations"][0]["state"]),
        (1, &"overdue".into())
    );
    assert_eq!(s["retracted"][0]["event"], "accept");
    assert_eq!(at("2026-11-30T02:00:00Z", &v, &["audit"]).code, 0);
}

#[test]
fn deposit_for_names_the_go_live_it_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    at(
        "2026-11-02T02:00:00Z",
        &v,
        &["golive", "门诊预约改版", "--date", "2026-11-02"],
    );
    at(
        "2026-11-03T02:00:00Z",
        &v,
        &["golive", "住院结算", "--date", "2026-11-03"],
    );
    // A name not on record: refused before anything is stored, the names on record listed.
    let before = ledger_len(&v);
    let r = deposit(
        "2026-11-05T02:00:00Z",
        &v,
        &sample(),
        &chaoyang(),
        &["-l", "v2", "--for", "门诊预约"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("\"门诊预约改版\" (2026-11-02)"),
        "{}",
        r.stderr
    );
    assert_eq!(ledger_len(&v), before, "nothing recorded");
    let r = deposit(
        "2026-11-05T02:00:00Z",
        &v,
        &sample(),
        &chaoyang(),
        &["-l", "v2", "--for", "门诊预约改版"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, s) = status("2026-11-06T02:00:00Z", &v);
    assert_eq!(code, 0);
    let o = s["obligations"].as_array().unwrap();
    assert_eq!(o[0]["trigger"], "门诊预约改版");
    assert_eq!(o[0]["state"], "satisfied");
    assert_eq!(
        o[1]["state"], "pending",
        "a deposit for another go-live does not answer this one: {s}"
    );
    assert_eq!(s["deposits"][0]["for_golives"][0], "门诊预约改版");
    // Without --for, a passing deposit answers every go-live whose window it is in.
    deposit(
        "2026-11-09T02:00:00Z",
        &v,
        &sample(),
        &chaoyang(),
        &["-l", "v3"],
    );
    let (_, s) = status("2026-11-09T02:00:00Z", &v);
    assert_eq!(s["obligations"][1]["satisfied_by"]["label"], "v3");
}

#[test]
fn a_mistyped_go_live_is_retracted_not_erased() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    // The wrong year: refused without --yes (more than 90 days ago), in both languages.
    let r = at(
        "2026-11-30T02:00:00Z",
        &v,
        &["golive", "自助结算", "--date", "2025-11-20"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("375 days ago") && r.stderr.contains("请核对年份"),
        "{}",
        r.stderr
    );
    // A date in the future: refused too.
    let r = at(
        "2026-11-30T02:00:00Z",
        &v,
        &["payment", "--date", "2026-12-20"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("in the future"), "{}", r.stderr);
    assert_eq!(ledger_len(&v), 0, "nothing recorded");
    // With --yes it is recorded: 248 working days late forever, until retracted.
    let r = at(
        "2026-11-30T02:00:00Z",
        &v,
        &["golive", "自助结算", "--date", "2025-11-20", "--yes"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, s) = status("2026-11-30T02:00:00Z", &v);
    assert_eq!(code, 1);
    assert_eq!(s["obligations"][0]["seq"], 0);
    // --retract needs a reason, an existing entry of the same kind, once.
    assert_eq!(
        at("2026-11-30T02:00:00Z", &v, &["golive", "--retract", "0"]).code,
        2
    );
    let r = at(
        "2026-11-30T02:00:00Z",
        &v,
        &["payment", "--retract", "0", "--reason", "x"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a payment"), "{}", r.stderr);
    let r = at(
        "2026-11-30T02:00:00Z",
        &v,
        &["golive", "--retract", "7", "--reason", "x"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no ledger entry with seq 7"),
        "{}",
        r.stderr
    );
    let r = at(
        "2026-11-30T02:00:00Z",
        &v,
        &[
            "golive",
            "--retract",
            "0",
            "--reason",
            "年份写错，应为 2026",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = at(
        "2026-11-30T02:00:00Z",
        &v,
        &["golive", "--retract", "0", "--reason", "again"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already retracted"), "{}", r.stderr);
    at(
        "2026-11-30T02:00:00Z",
        &v,
        &["golive", "自助结算", "--date", "2026-11-20"],
    );
    let (code, s) = status("2026-11-30T02:00:00Z", &v);
    assert_eq!(code, 0, "{s}");
    let o = s["obligations"].as_array().unwrap();
    assert_eq!(o.len(), 1, "the retracted go-live counts for nothing: {s}");
    assert_eq!(o[0]["trigger_date"], "2026-11-20");
    assert_eq!(s["retracted"][0]["seq"], 0);
    assert_eq!(s["retracted"][0]["reason"], "年份写错，应为 2026");
    // Both stay in the ledger (the audit trail), and the chain holds.
    let r = at("2026-11-30T02:00:00Z", &v, &["status", "--lang", "zh"]);
    assert!(r.stdout.contains("已撤销的记录"), "{}", r.stdout);
    assert_eq!(ledger_len(&v), 3);
    assert_eq!(at("2026-11-30T02:00:00Z", &v, &["audit"]).code, 0);
}

#[test]
fn a_vault_holds_one_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    let r = deposit(
        "2026-11-05T02:00:00Z",
        &v,
        &sample(),
        &chaoyang(),
        &["-l", "v1"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(chaoyang()).unwrap();
    let other = manifest(
        tmp.path(),
        &text.replacen(
            "id = \"朝医-2026-AC-信息管理办公室-117-5\"",
            "id = \"HT-2026-088\"",
            1,
        ),
    );
    let before = ledger_len(&v);
    let r = deposit(
        "2026-11-06T02:00:00Z",
        &v,
        &sample(),
        &other,
        &["-l", "other-v1"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("holds the escrow of contract \"朝医-2026-AC-信息管理办公室-117-5\"")
            && r.stderr.contains("\"HT-2026-088\"")
            && r.stderr.contains("--vault"),
        "{}",
        r.stderr
    );
    assert_eq!(ledger_len(&v), before, "nothing deposited");
    // A manifest without an id cannot slip in either.
    let none = manifest(
        tmp.path(),
        &text.replacen("id = \"朝医-2026-AC-信息管理办公室-117-5\"\n", "", 1),
    );
    let r = deposit(
        "2026-11-06T02:00:00Z",
        &v,
        &sample(),
        &none,
        &["-l", "none-v1"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    // The same contract deposits again, and its id is in the ledger.
    let r = deposit(
        "2026-11-07T02:00:00Z",
        &v,
        &sample(),
        &chaoyang(),
        &["-l", "v2"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = at("2026-11-07T02:00:00Z", &v, &["status", "--format", "json"]);
    assert_eq!(
        r.json()["contract"]["id"],
        "朝医-2026-AC-信息管理办公室-117-5"
    );
}

#[test]
fn questions_must_be_answered_within_three_working_days() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    // Friday 2026-11-20: due Wednesday 2026-11-25.
    let r = at(
        "2026-11-20T02:00:00Z",
        &v,
        &["question", "预约接口超时如何配置？", "--date", "2026-11-20"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("due 2026-11-25 (3 working days)"),
        "{}",
        r.stdout
    );
    let r = at(
        "2026-11-23T02:00:00Z",
        &v,
        &["question", "数据库脚本缺少索引？"],
    );
    assert_eq!(r.code, 0);
    let (code, s) = status("2026-11-24T02:00:00Z", &v);
    assert_eq!(code, 0);
    assert_eq!(s["answer_deadline"], "3 working days");
    assert_eq!(s["obligations"][0]["state"], "pending");
    assert_eq!(s["obligations"][0]["working_days_left"], 1);
    // An answer refers to a question.
    let r = at("2026-11-24T02:00:00Z", &v, &["answer", "5"]);
    assert_eq!(r.code, 2);
    // The first answered in time, the second late.
    let r = at("2026-11-25T02:00:00Z", &v, &["answer", "0"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("in time (due 2026-11-25)"),
        "{}",
        r.stdout
    );
    let (code, s) = status("2026-11-30T02:00:00Z", &v);
    assert_eq!(code, 1, "the second question is overdue: {s}");
    assert_eq!(s["obligations"][0]["state"], "satisfied");
    assert_eq!(s["obligations"][1]["state"], "overdue");
    let r = at("2026-12-01T02:00:00Z", &v, &["answer", "1", "--lang", "zh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("迟交，截止日 2026-11-26，晚了 3 个工作日"),
        "{}",
        r.stdout
    );
    // Met late: exit 0 by default, but the breach stays visible and --strict exits 1.
    let (code, s) = status("2026-12-02T02:00:00Z", &v);
    assert_eq!(code, 0);
    let o = &s["obligations"][1];
    assert_eq!(o["state"], "late");
    assert_eq!(o["working_days_late"], 3, "due 11/26, answered 12/1: {s}");
    assert_eq!(s["late"], 1);
    let r = at("2026-12-02T02:00:00Z", &v, &["status", "--strict"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("LATE"), "{}", r.stdout);
    let r = at("2026-12-02T02:00:00Z", &v, &["status", "--lang", "zh"]);
    assert!(r.stdout.contains("迟交"), "{}", r.stdout);
}

/// A vault whose obligations stand as given, under `root/name`.
fn vault_with(root: &Path, name: &str, events: &[(&str, &[&str])]) -> PathBuf {
    let v = root.join(name);
    for (now, args) in events {
        let r = at(now, &v, args);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    v
}

#[test]
fn status_all_lists_every_contract_most_urgent_first() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("escrow");
    let now = "2026-11-30T02:00:00Z";
    // Pending, due 2026-12-08.
    vault_with(
        &root,
        "pacs",
        &[(now, &["golive", "影像调阅", "--date", "2026-11-24"])],
    );
    // Overdue since 2026-11-16.
    vault_with(
        &root,
        "his/main",
        &[(now, &["golive", "门诊预约改版", "--date", "2026-11-02"])],
    );
    // Nothing owed.
    vault_with(&root, "lis", &[(now, &["init"])]);
    let r = at(
        now,
        &root.join("unused"),
        &["status", "--all", root.to_str().unwrap()],
    );
    assert_eq!(r.code, 1, "an overdue contract exits 1: {}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[1].starts_with("OVERDUE") && lines[1].contains("his"),
        "{}",
        r.stdout
    );
    assert!(
        lines[2].starts_with("pending") && lines[2].contains("2026-12-08"),
        "{}",
        r.stdout
    );
    assert!(lines[3].contains("lis"), "{}", r.stdout);
    let j = at(
        now,
        &root.join("unused"),
        &[
            "status",
            "--all",
            root.to_str().unwrap(),
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(j["document"], "status-all");
    let c = j["contracts"].as_array().unwrap();
    assert_eq!(c.len(), 3);
    assert_eq!(c[0]["state"], "overdue");
    assert_eq!(c[0]["working_days_late"], 10);
    assert_eq!(c[1]["next_due"], "2026-12-08");
    assert_eq!(c[2]["state"], "satisfied");
    // A damaged vault is named, not skipped, and the others are still listed.
    let ledger = crate::vault::entry_files(&root.join("pacs")).pop().unwrap();
    let text = std::fs::read_to_string(&ledger).unwrap();
    std::fs::write(&ledger, &text[..text.len() - 5]).unwrap();
    let j = at(
        now,
        &root.join("unused"),
        &[
            "status",
            "--all",
            root.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(j.code, 2);
    let c = j.json()["contracts"].as_array().unwrap().clone();
    assert_eq!(c.len(), 3);
    assert!(c[1]["error"].as_str().unwrap().contains("audit"), "{c:?}");
    let r = at(
        now,
        &root.join("unused"),
        &["status", "--all", "/nonexistent-folder"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a folder"), "{}", r.stderr);
}

#[test]
fn year_end_dates_are_provisional_until_the_notice_is_added() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    let now = "2026-12-28T02:00:00Z";
    let r = at(now, &v, &["golive", "自助结算", "--date", "2026-12-24"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("due 2027-01-08") && r.stdout.contains("provisional"),
        "{}",
        r.stdout
    );
    let r = at(now, &v, &["golive", "门诊", "--date", "2026-12-14"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The whole status works, the year-end obligation marked provisional with its range.
    let (code, s) = status(now, &v);
    assert_eq!(code, 0, "{s}");
    let o = &s["obligations"][1];
    assert_eq!(o["trigger"], "自助结算");
    assert_eq!(
        (&o["state"], &o["due"]),
        (&"pending".into(), &"2027-01-08".into())
    );
    assert_eq!(o["provisional"], true);
    let (a, b) = (
        o["due_range"][0].as_str().unwrap(),
        o["due_range"][1].as_str().unwrap(),
    );
    assert!(a <= "2027-01-08" && "2027-01-08" <= b, "{o}");
    assert_eq!(s["obligations"][0]["provisional"], false);
    assert_eq!(s["provisional"], 1);
    let r = at(now, &v, &["status", "--lang", "zh"]);
    assert!(
        r.stdout.contains("暂定") && r.stdout.contains("2027-01-08*"),
        "{}",
        r.stdout
    );
    // Refusing estimates: that one obligation is unknown, and the status still stands.
    let r = at(now, &v, &["status", "--official-only", "--format", "json"]);
    assert_eq!(r.code, 0, "one unknown date never fails the whole status");
    let s = r.json();
    assert_eq!(
        (s["unknown"].as_u64(), s["pending"].as_u64()),
        (Some(1), Some(1))
    );

    // A notice with a mistake is refused with its line and column; nothing is stored.
    let bad = tmp.path().join("2027-bad.toml");
    std::fs::write(
        &bad,
        "schema_version = 1\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2027-12-31\"\n[[year]]\nyear = 2027\nholidays = [\"2027-01-01\", \"2027-02-30\"]\nmakeup_workdays = [\"2027-01-04\"]\n",
    )
    .unwrap();
    let before = ledger_len(&v);
    let r = at(now, &v, &["calendar", "add", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("2027-bad.toml:6:"), "{}", r.stderr);
    assert!(
        r.stderr.contains("2027-bad.toml:7:"),
        "every problem: {}",
        r.stderr
    );
    assert_eq!(ledger_len(&v), before);
    assert!(!v.join("calendars").exists());

    // The notice (here a test notice: 1/1 off, Saturday 1/2 a make-up working day) replaces
    // the provisional dates, for every later status on the vault.
    let good = tmp.path().join("2027.toml");
    std::fs::write(
        &good,
        "schema_version = 1\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2027-01-31\"\n[[year]]\nyear = 2027\nsource = \"test notice\"\nholidays = [\"2027-01-01\"]\nmakeup_workdays = [\"2027-01-02\"]\n",
    )
    .unwrap();
    let r = at(now, &v, &["calendar", "add", good.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, s) = status(now, &v);
    assert_eq!(code, 0);
    let o = &s["obligations"][1];
    assert_eq!(
        (&o["due"], &o["provisional"]),
        (&"2027-01-07".into(), &false.into()),
        "{o}"
    );
    assert_eq!(at(now, &v, &["audit"]).code, 0);
    // The stored notice is guarded like everything else in the vault.
    let stored = std::fs::read_dir(v.join("calendars"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut perm = std::fs::metadata(&stored).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&stored, perm).unwrap();
    std::fs::write(&stored, "schema_version = 1\n").unwrap();
    let r = at(now, &v, &["audit", "--format", "json"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("calendar-damaged"), "{}", r.stdout);
    assert_eq!(at(now, &v, &["status"]).code, 2);
}

#[test]
fn duplicates_and_deposits_need_care_and_numbers_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    let now = "2026-11-30T02:00:00Z";
    assert_eq!(
        at(now, &v, &["golive", "住院电子病历", "--date", "2026-11-20"]).code,
        0
    );
    // The same name again: asks for --yes, naming the first.
    let r = at(now, &v, &["golive", "住院电子病历", "--date", "2026-11-25"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already recorded (seq 0"), "{}", r.stderr);
    assert_eq!(
        at(
            now,
            &v,
            &["golive", "住院电子病历", "--date", "2026-11-25", "--yes"]
        )
        .code,
        0
    );
    // A second answer to the same question: asks for --yes.
    at(
        now,
        &v,
        &["question", "接口文档在哪里？", "--date", "2026-11-26"],
    );
    assert_eq!(at(now, &v, &["answer", "2"]).code, 0);
    let r = at(now, &v, &["answer", "2"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("already has an answer (seq 3)"),
        "{}",
        r.stderr
    );
    // A deposit is evidence: it cannot be retracted.
    let r = deposit(now, &v, &sample(), &chaoyang(), &["-l", "v1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = at(now, &v, &["golive", "--retract", "4", "--reason", "x"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot be retracted") && r.stderr.contains("入库记录不能撤销"),
        "{}",
        r.stderr
    );
    // The audit names entries by the same seq as status.
    let r = at(now, &v, &["audit", "--lang", "zh"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("序号 4：快照「v1」入库"), "{}", r.stdout);
}

#[test]
fn a_notice_missing_a_festival_is_refused_and_one_notice_serves_every_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("escrow");
    let now = "2026-12-28T02:00:00Z";
    for name in ["his", "lis"] {
        let r = at(
            now,
            &root.join(name),
            &["golive", "系统上线", "--date", "2026-12-24"],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    // A whole 2027 notice without the Spring Festival.
    let notice = |holidays: &str| {
        format!(
            "schema_version = 1\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2027-12-31\"\n[[year]]\nyear = 2027\nsource = \"test notice\"\nholidays = [{holidays}]\nmakeup_workdays = []\n"
        )
    };
    let rest = "\"2027-01-01\", \"2027-04-05\", \"2027-05-01\", \"2027-05-02\", \"2027-05-03\", \"2027-06-09\", \"2027-09-15\", \"2027-10-01\", \"2027-10-02\", \"2027-10-03\", \"2027-10-04\"";
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, notice(rest)).unwrap();
    let r = at(
        now,
        &root.join("his"),
        &["calendar", "add", bad.to_str().unwrap()],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("2027-02-05 春节") && r.stderr.contains("缺少法定节假日"),
        "{}",
        r.stderr
    );
    let good = tmp.path().join("2027.toml");
    std::fs::write(
        &good,
        notice(&format!(
            "{rest}, \"2027-02-05\", \"2027-02-06\", \"2027-02-07\", \"2027-02-08\", \"2027-02-09\""
        )),
    )
    .unwrap();
    let r = at(
        now,
        &root.join("unused"),
        &[
            "calendar",
            "add",
            good.to_str().unwrap(),
            "--all",
            root.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for name in ["his", "lis"] {
        let (_, s) = status(now, &root.join(name));
        assert_eq!(s["obligations"][0]["provisional"], false, "{name}: {s}");
        assert_eq!(s["calendar"], "cn (2024-01-01 to 2027-12-31)");
    }
    // `deadline` counts with the vault's notices too.
    let r = at(
        now,
        &root.join("his"),
        &["deadline", "--from", "2027-02-01", "--working-days", "10"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("provisional"), "{}", r.stderr);
    // A notice added in error is withdrawn like any other entry.
    let r = at(
        now,
        &root.join("his"),
        &["calendar", "retract", "1", "--reason", "误加"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (_, s) = status(now, &root.join("his"));
    assert_eq!(s["obligations"][0]["provisional"], true, "{s}");
    let r = at(
        now,
        &root.join("unused"),
        &["status", "--all", root.to_str().unwrap()],
    );
    assert!(
        r.stdout.contains("different holiday notices"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_later_deposit_cannot_rewrite_the_contract_terms() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    let now = "2026-11-30T02:00:00Z";
    assert_eq!(
        deposit(now, &v, &sample(), &chaoyang(), &["-l", "v1"]).code,
        0
    );
    at(now, &v, &["golive", "G", "--date", "2026-10-01", "--yes"]);
    let (code, s) = status(now, &v);
    assert_eq!((code, &s["obligations"][0]["state"]), (0, &"late".into()));
    let text = std::fs::read_to_string(chaoyang()).unwrap();
    let lenient = manifest(
        tmp.path(),
        &text.replacen(
            "vendor = \"首信医联信息技术有限公司\"",
            "vendor = \"首信医联信息技术有限公司\"\nupdate-deadline = \"200 working days\"",
            1,
        ),
    );
    let before = ledger_len(&v);
    let r = deposit(now, &v, &failing(), &lenient, &["-l", "v2"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("update-deadline=200 working days") && r.stderr.contains("--amend-terms"),
        "{}",
        r.stderr
    );
    assert_eq!(ledger_len(&v), before, "nothing deposited");
    let (_, s) = status(now, &v);
    assert_eq!(s["update_deadline"], "10 working days");
    assert_eq!(s["obligations"][0]["state"], "late", "still late: {s}");
    // A signed amendment needs its reason; its terms apply from its day on, and the breach
    // before it stays a breach.
    let r = deposit(
        now,
        &v,
        &sample(),
        &lenient,
        &["-l", "v2", "--amend-terms", " "],
    );
    assert_eq!(r.code, 2);
    let r = deposit(
        now,
        &v,
        &sample(),
        &lenient,
        &["-l", "v2", "--amend-terms", "补充协议（2026-11-30 签订）"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    at(now, &v, &["golive", "H", "--date", "2026-11-30"]);
    let (_, s) = status(now, &v);
    assert_eq!(s["update_deadline"], "200 working days");
    assert_eq!(s["obligations"][0]["state"], "late", "{s}");
    assert_eq!(s["obligations"][0]["deadline"], "10 working days");
    assert_eq!(s["obligations"][1]["deadline"], "200 working days");
    assert_eq!(s["amendments"][0]["reason"], "补充协议（2026-11-30 签订）");
    let r = at(now, &v, &["status", "--lang", "zh"]);
    assert!(r.stdout.contains("合同期限已变更"), "{}", r.stdout);
    // A deadline of 0 days is no deadline.
    let zero = manifest(
        tmp.path(),
        &text.replacen(
            "vendor = \"首信医联信息技术有限公司\"",
            "vendor = \"首信医联信息技术有限公司\"\nupdate-deadline = \"0 days\"",
            1,
        ),
    );
    let r = deposit(now, &v, &sample(), &zero, &["-l", "v3"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("1 to 3650"), "{}", r.stderr);
}

#[test]
fn crafted_vault_files_cannot_hang_or_exhaust_status() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("all");
    let now = "2026-11-30T02:00:00Z";
    at(
        now,
        &root.join("ok"),
        &["golive", "G", "--date", "2026-11-20"],
    );
    // A ledger entry that is a FIFO.
    let fifo = root.join("fifo");
    at(now, &fifo, &["init"]);
    let entry = crate::vault::entry_path(&fifo, 0);
    std::fs::create_dir_all(entry.parent().unwrap()).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&entry)
            .status()
            .unwrap()
            .success()
    );
    // A calendar entry whose digest climbs out of calendars/ to a FIFO, and one whose
    // stored notice is a link to /dev/zero.
    let climb = root.join("climb");
    at(now, &climb, &["golive", "G", "--date", "2026-11-20"]);
    let zero = root.join("zero");
    at(now, &zero, &["golive", "G", "--date", "2026-11-20"]);
    std::fs::create_dir(zero.join("calendars")).unwrap();
    let hex = "a".repeat(64);
    std::os::unix::fs::symlink("/dev/zero", zero.join(format!("calendars/{hex}.toml"))).unwrap();
    for (v, digest) in [(&climb, "../../../../../../tmp/x".to_owned()), (&zero, hex)] {
        assert_eq!(ledger_len(v), 1);
        let entry = format!(
            "{{\"seq\":1,\"time\":\"2026-11-30T02:00:00Z\",\"event\":\"calendar\",\"name\":\"x\",\"date\":\"2026-11-30\",\"digest\":\"{digest}\",\"prev\":\"\"}}"
        );
        crate::vault::forge_entry(v, 1, &entry);
    }
    let started = std::time::Instant::now();
    let r = at(
        now,
        &root.join("unused"),
        &[
            "status",
            "--all",
            root.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let j = r.json();
    let c = j["contracts"].as_array().unwrap();
    assert_eq!(c.len(), 4);
    assert_eq!(j["errors"], 3, "{j}");
    for name in ["fifo", "climb", "zero"] {
        let line = c
            .iter()
            .find(|l| l["vault"].as_str().unwrap().ends_with(name))
            .unwrap();
        assert!(line["error"].is_string(), "{name}: {line}");
    }
    let r = at(now, &climb, &["audit", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("calendar-damaged"), "{}", r.stdout);
}

#[test]
fn hostile_dates_notices_and_answers_are_refused_not_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    let now = "2026-11-30T02:00:00Z";
    // Deadlines beyond any contract, and dates at the end of time: errors, not panics or hangs.
    let r = at(
        now,
        &v,
        &["deadline", "--from", "2026-01-01", "--days", "3000000"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("1 to 3650"), "{}", r.stderr);
    let r = at(
        now,
        &v,
        &[
            "deadline",
            "--from",
            "9999-12-30",
            "--days",
            "5",
            "--mon-fri",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = at(
        now,
        &v,
        &["golive", "typo", "--date", "9999-12-25", "--yes"],
    );
    assert_eq!(r.code, 0, "recorded, its due date unknown: {}", r.stderr);
    let (code, s) = status(now, &v);
    assert_eq!(
        (code, &s["obligations"][0]["state"]),
        (0, &"unknown".into())
    );
    // An answer dated before its question.
    at(now, &v, &["question", "Q", "--date", "2026-11-20"]);
    let r = at(now, &v, &["answer", "1", "--date", "2026-11-10"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("before the question was asked"),
        "{}",
        r.stderr
    );
}

#[test]
fn notices_that_contradict_official_or_stored_ones_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    let now = "2026-11-30T02:00:00Z";
    at(now, &v, &["question", "Q", "--date", "2026-11-20"]);
    // Notices: one contradicting 2026's official notice, one whose coverage runs past its
    // years, and two that clash with each other.
    let write = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let contra = write(
        "contra.toml",
        "schema_version = 1\ncoverage_start = \"2026-12-01\"\ncoverage_end = \"2027-01-31\"\n[[year]]\nyear = 2027\nholidays = [\"2026-12-01\", \"2027-01-01\"]\n",
    );
    let r = at(now, &v, &["calendar", "add", contra.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("contradicts the official notices"),
        "{}",
        r.stderr
    );
    let wide = write(
        "wide.toml",
        "schema_version = 1\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2100-12-31\"\n[[year]]\nyear = 2027\nholidays = [\"2027-01-01\"]\n",
    );
    let r = at(
        now,
        &v,
        &["calendar", "add", wide.to_str().unwrap(), "--yes"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("after the last year"), "{}", r.stderr);
    let a = write(
        "a.toml",
        "schema_version = 1\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2027-01-31\"\n[[year]]\nyear = 2027\nholidays = [\"2027-01-01\", \"2027-01-04\"]\n",
    );
    let b = write(
        "b.toml",
        "schema_version = 1\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2027-01-31\"\n[[year]]\nyear = 2027\nholidays = [\"2027-01-01\"]\nmakeup_workdays = [\"2027-01-09\"]\n",
    );
    let c = write(
        "c.toml",
        "schema_version = 1\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2027-01-31\"\n[[year]]\nyear = 2027\nholidays = [\"2027-01-01\", \"2027-01-09\"]\n",
    );
    assert_eq!(
        at(now, &v, &["calendar", "add", b.to_str().unwrap()]).code,
        0
    );
    let before = ledger_len(&v);
    let r = at(now, &v, &["calendar", "add", c.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("already holds a notice for 2027"),
        "{}",
        r.stderr
    );
    assert_eq!(ledger_len(&v), before);
    // Another notice for a year the vault holds one for: withdraw the first.
    let r = at(now, &v, &["calendar", "add", a.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("already holds a notice for 2027"),
        "{}",
        r.stderr
    );
    let (code, s) = status(now, &v);
    assert_eq!(code, 1, "only the unanswered question is overdue: {s}");
    assert_eq!(s["overdue"], 1);
}

#[test]
fn notices_are_added_once_per_year_even_by_racing_writers() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("all");
    let now = "2026-12-28T02:00:00Z";
    let notice = |name: &str, makeup: &str| {
        let p = tmp.path().join(name);
        std::fs::write(
            &p,
            format!(
                "schema_version = 1\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2027-01-31\"\n[[year]]\nyear = 2027\nholidays = [\"2027-01-01\"]\nmakeup_workdays = [{makeup}]\n"
            ),
        )
        .unwrap();
        p
    };
    let p = notice("p.toml", "");
    let q = notice("q.toml", "\"2027-01-09\"");
    for name in ["a", "b", "c"] {
        at(
            now,
            &root.join(name),
            &["golive", "G", "--date", "2026-12-24"],
        );
    }
    // Two different notices for 2027 at once: one wins, the other is refused.
    let v = root.join("a");
    let spawn = |f: &Path| {
        let mut cmd = escrow_command();
        cmd.env("ESCROW_NOW", now).env("ESCROW_VAULT", &v).args([
            "calendar",
            "add",
            f.to_str().unwrap(),
        ]);
        cmd.spawn().unwrap()
    };
    let (mut x, mut y) = (spawn(&p), spawn(&q));
    let codes = [x.wait().unwrap().code(), y.wait().unwrap().code()];
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(2)),
        "{codes:?}"
    );
    assert_eq!(at(now, &v, &["audit"]).code, 0);
    // The same notice again: nothing recorded.
    let before = ledger_len(&v);
    let again = if codes[0] == Some(0) { &p } else { &q };
    let r = at(now, &v, &["calendar", "add", again.to_str().unwrap()]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains("already holds this notice"),
        "{}",
        r.stderr
    );
    assert_eq!(ledger_len(&v), before);
    // --all goes on past a damaged vault, names it, and exits 2; the others have it.
    let ledger = crate::vault::entry_path(&root.join("b"), 0);
    std::fs::remove_file(&ledger).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &ledger).unwrap();
    let r = at(
        now,
        &root.join("unused"),
        &[
            "calendar",
            "add",
            p.to_str().unwrap(),
            "--all",
            root.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let named = "b/ledger/00000000000000000000.json";
    assert!(r.stderr.contains(named), "{}", r.stderr);
    let (_, s) = status(now, &root.join("c"));
    assert_eq!(s["obligations"][0]["provisional"], false, "{s}");
    // A damaged marker does not hide a vault from status --all.
    std::fs::remove_file(root.join("c/VAULT")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", root.join("c/VAULT")).unwrap();
    let j = at(
        now,
        &root.join("unused"),
        &[
            "status",
            "--all",
            root.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(j.code, 2);
    assert_eq!(j.json()["contracts"].as_array().unwrap().len(), 3);
    // `deadline --vault` with a vault that is not there is an error, not ignored.
    let missing = root.join("missing");
    let r = at(
        now,
        &root.join("unused"),
        &[
            "deadline",
            "--from",
            "2027-01-04",
            "--working-days",
            "1",
            "--vault",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}
