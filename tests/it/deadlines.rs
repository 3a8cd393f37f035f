//! Contract deadlines end to end: deadline, golive, payment, status.

use std::ffi::OsStr;
use std::path::Path;

use crate::common::*;

fn at(now: &str, vault: &Path, args: &[&str]) -> Run {
    let mut cmd = escrow_command();
    cmd.env("ESCROW_NOW", now)
        .env("ESCROW_VAULT", vault)
        .args(args);
    run(cmd)
}

#[test]
fn deadline_command() {
    let due = |args: &[&str]| escrow(args.iter().map(OsStr::new));
    let r = due(&["deadline", "--from", "2026-09-30", "--working-days", "10"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "2026-10-20\n"));
    // Spring Festival 2025 (1/28-2/4 off; Sat 2/8 is a make-up working day).
    let r = due(&["deadline", "--from", "2025-01-27", "--working-days", "5"]);
    assert_eq!(r.stdout, "2025-02-10\n");
    // Calendar days roll forward past the National Day holiday.
    let r = due(&["deadline", "--from", "2026-09-16", "--days", "15"]);
    assert_eq!(r.stdout, "2026-10-08\n");
    // Monday to Friday on request.
    let r = due(&[
        "deadline",
        "--from",
        "2026-09-30",
        "--working-days",
        "10",
        "--mon-fri",
    ]);
    assert_eq!(r.stdout, "2026-10-14\n");
    // Beyond the data: refused, not guessed.
    let r = due(&["deadline", "--from", "2026-12-28", "--working-days", "10"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("add the State Council's holiday notice for 2027"),
        "{}",
        r.stderr
    );
    // ... until the 2027 notice is added.
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("2027.toml");
    std::fs::write(
        &f,
        "schema_version = 1\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2027-12-31\"\n[[year]]\nyear = 2027\nholidays = [\"2027-01-01\"]\nmakeup_workdays = []\n",
    )
    .unwrap();
    let r = due(&[
        "deadline",
        "--from",
        "2026-12-28",
        "--working-days",
        "10",
        "--calendar",
        f.to_str().unwrap(),
    ]);
    assert_eq!(r.stdout, "2027-01-12\n", "{}", r.stderr);
    let r = due(&["deadline", "--from", "2026-02-30", "--working-days", "1"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a date"), "{}", r.stderr);
}

#[test]
fn status_tracks_go_lives_payment_and_deposits() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    let r = at(
        "2026-09-30T02:00:00Z",
        &v,
        &["golive", "门诊预约改版", "--date", "2026-09-30"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("due 2026-10-20 (10 working days)"),
        "{}",
        r.stdout
    );
    // Recorded late, for an earlier go-live: order of recording does not matter.
    let r = at(
        "2026-10-09T02:00:00Z",
        &v,
        &["golive", "自助结算", "--date", "2026-09-01"],
    );
    assert_eq!(r.code, 0);
    let r = at(
        "2026-10-09T02:00:00Z",
        &v,
        &["payment", "--date", "2026-10-09"],
    );
    assert_eq!(r.code, 0);

    // 2026-10-09: the 9/1 go-live (due 9/15) is overdue; the 9/30 one is pending.
    let r = at("2026-10-09T02:00:00Z", &v, &["status", "--format", "json"]);
    assert_eq!(r.code, 1, "overdue exits 1: {}", r.stdout);
    let s = r.json();
    let o = s["obligations"].as_array().unwrap();
    assert_eq!(o.len(), 3);
    assert_eq!(o[0]["trigger"], "自助结算");
    assert_eq!(o[0]["state"], "overdue");
    assert_eq!(o[0]["due"], "2026-09-15");
    assert_eq!(o[1]["state"], "pending");
    assert_eq!(o[1]["working_days_left"], 8);
    assert_eq!(o[2]["kind"], "delivery");

    // A deposit at 2026-10-20T15:00Z is 23:00 in Beijing: on the last day.
    let dep = |now: &str, label: &str| {
        let mut cmd = escrow_command();
        cmd.env("ESCROW_NOW", now).env("ESCROW_VAULT", &v).args([
            "deposit".as_ref(),
            sample().as_os_str(),
            "-m".as_ref(),
            chaoyang().as_os_str(),
            "--label".as_ref(),
            OsStr::new(label),
            "-q".as_ref(),
        ]);
        run(cmd)
    };
    assert_eq!(dep("2026-10-20T15:00:00Z", "v2.3.1").code, 0);
    let s = at("2026-10-21T02:00:00Z", &v, &["status", "--format", "json"]).json();
    let o = s["obligations"].as_array().unwrap();
    assert_eq!(
        o[0]["state"], "late",
        "the 9/1 go-live was answered late: {s}"
    );
    assert_eq!(o[0]["working_days_late"], 21);
    assert_eq!(o[1]["state"], "satisfied");
    assert_eq!(o[1]["satisfied_by"]["label"], "v2.3.1");
    assert_eq!(o[1]["satisfied_by"]["date"], "2026-10-20");
    assert_eq!(
        o[2]["state"], "satisfied",
        "a deposit after the payment counts"
    );
    let r = at("2026-10-21T02:00:00Z", &v, &["status"]);
    assert_eq!(r.code, 0, "late is reported, not overdue: {}", r.stdout);
    assert!(r.stdout.contains("late   "), "{}", r.stdout);
    // Events and deposits share the ledger, and audit still passes.
    let r = at("2026-10-21T02:00:00Z", &v, &["audit"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = at("2026-10-21T02:00:00Z", &v, &["list", "--format", "json"]);
    assert_eq!(
        r.json().as_array().unwrap().len(),
        1,
        "list shows deposits only"
    );
}

#[test]
fn deadlines_come_from_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    let m = tmp.path().join("m.toml");
    let text = std::fs::read_to_string(chaoyang()).unwrap().replace(
        "vendor = \"首信医联信息技术有限公司\"",
        "vendor = \"首信医联信息技术有限公司\"\nupdate-deadline = \"5个工作日\"\ncalendar = \"mon-fri\"",
    );
    std::fs::write(&m, &text).unwrap();
    at(
        "2026-09-30T02:00:00Z",
        &v,
        &["golive", "x", "--date", "2026-09-30"],
    );
    let s = at(
        "2026-10-01T02:00:00Z",
        &v,
        &["status", "--format", "json", "-m", m.to_str().unwrap()],
    )
    .json();
    assert_eq!(s["update_deadline"], "5 working days");
    assert_eq!(
        s["obligations"][0]["due"], "2026-10-07",
        "Monday to Friday, holidays ignored"
    );
    // A bad deadline in a manifest is a manifest error with its position.
    std::fs::write(&m, text.replace("5个工作日", "five days")).unwrap();
    let r = escrow([
        "check".as_ref(),
        sample().as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(":8:19: \"five days\" is not a deadline"),
        "{}",
        r.stderr
    );
}

#[test]
fn beyond_the_calendar_status_says_unknown_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    at(
        "2026-12-28T02:00:00Z",
        &v,
        &["golive", "x", "--date", "2026-12-28"],
    );
    let r = at("2026-12-29T02:00:00Z", &v, &["status"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stdout.contains("unknown") && r.stdout.contains("2027"),
        "{}",
        r.stdout
    );
}
