//! Contract deadlines end to end: deadline, golive, payment, status.

use std::ffi::OsStr;
use std::path::Path;

use crate::common::*;

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
    // Beyond the notices: provisional, from the statutory holidays, and said so with the
    // range the official notice could move it to.
    let r = due(&["deadline", "--from", "2026-12-28", "--working-days", "10"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "2027-01-12\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("2027-01-12 is provisional"),
        "{}",
        r.stderr
    );
    let j = due(&[
        "deadline",
        "--from",
        "2026-12-28",
        "--working-days",
        "10",
        "--format",
        "json",
    ])
    .json();
    assert_eq!(j["provisional"], true);
    let (a, b) = (
        j["due_range"][0].as_str().unwrap(),
        j["due_range"][1].as_str().unwrap(),
    );
    assert!(a <= "2027-01-12" && "2027-01-12" <= b, "{j}");
    // With --official-only: refused, not guessed.
    let r = due(&[
        "deadline",
        "--from",
        "2026-12-28",
        "--working-days",
        "10",
        "--official-only",
    ]);
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
        "--official-only",
    ]);
    assert_eq!(r.stdout, "2027-01-12\n", "{}", r.stderr);
    assert!(!r.stderr.contains("provisional"), "{}", r.stderr);
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
    assert!(r.stdout.contains("LATE   "), "{}", r.stdout);
    let r = at("2026-10-21T02:00:00Z", &v, &["status", "--strict"]);
    assert_eq!(
        r.code, 1,
        "--strict: a late delivery is a breach: {}",
        r.stdout
    );
    // Events and deposits share the ledger, and audit still passes.
    let r = at("2026-10-21T02:00:00Z", &v, &["audit"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = at("2026-10-21T02:00:00Z", &v, &["list", "--format", "json"]);
    assert_eq!(
        r.json()["snapshots"].as_array().unwrap().len(),
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
fn beyond_the_notices_status_is_provisional_not_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    at(
        "2026-12-28T02:00:00Z",
        &v,
        &["golive", "x", "--date", "2026-12-28"],
    );
    let r = at("2026-12-29T02:00:00Z", &v, &["status"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("pending") && r.stdout.contains("provisional"),
        "{}",
        r.stdout
    );
}

/// The "Ledger head: <sha256>" line a command printed.
fn printed_head(r: &Run) -> String {
    let head = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Ledger head: "))
        .unwrap_or_else(|| panic!("no ledger head printed:\n{}", r.stdout));
    let head = head.split_whitespace().next().unwrap().to_owned();
    assert_eq!(head.len(), 64, "{head}");
    head
}

fn deposit_at(now: &str, vault: &Path, label: &str) -> Run {
    let mut cmd = escrow_command();
    cmd.env("ESCROW_NOW", now).env("ESCROW_VAULT", vault).args([
        "deposit".as_ref(),
        sample().as_os_str(),
        "-m".as_ref(),
        chaoyang().as_os_str(),
        "--label".as_ref(),
        OsStr::new(label),
    ]);
    run(cmd)
}

/// The ledger's entries, in order (one file each).
fn ledger_lines(vault: &Path) -> Vec<String> {
    let entries = crate::vault::entries(vault);
    assert!(!entries.is_empty());
    entries
}

/// Make the ledger exactly `lines`, one entry file each, as someone tampering with it would.
fn write_ledger(vault: &Path, lines: &[String]) {
    crate::vault::write_entries(vault, lines);
}

#[test]
fn a_cut_go_live_is_caught_with_the_head_golive_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    let r = deposit_at("2026-03-02T02:00:00Z", &v, "v1");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let deposit_head = printed_head(&r);
    let r = at(
        "2026-03-03T02:00:00Z",
        &v,
        &["golive", "门诊预约改版", "--date", "2026-03-03"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let head = printed_head(&r);
    assert_ne!(head, deposit_head);
    // The printed head is the one audit shows.
    let r = at("2026-04-01T02:00:00Z", &v, &["audit", "--format", "json"]);
    assert_eq!(r.json()["ledger_head"], head.as_str());
    let r = at("2026-04-01T02:00:00Z", &v, &["status"]);
    assert_eq!(r.code, 1, "overdue: {}", r.stdout);
    let r = at("2026-04-01T02:00:00Z", &v, &["audit", "--head", &head]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("found, and it is the last entry's"),
        "audit confirms the head: {}",
        r.stdout
    );
    // An older head is still in the chain: audit lists what was added after it, for the
    // holder of the head to recognise.
    let r = at(
        "2026-04-01T02:00:00Z",
        &v,
        &["audit", "--head", &deposit_head],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("1 entries were added after it") && r.stdout.contains("  + seq 1"),
        "audit lists the entries after an older head: {}",
        r.stdout
    );

    // Cut the go-live entry.
    let mut lines = ledger_lines(&v);
    lines.pop();
    write_ledger(&v, &lines);
    let r = at("2026-04-01T02:00:00Z", &v, &["audit", "--head", &head]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("ERROR ledger-truncated"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!(
            "the ledger no longer contains the head {head} given with --head"
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("The ledger now ends with seq 0, the deposit of \"v1\""),
        "names where the ledger ends now: {}",
        r.stdout
    );
    assert!(r.stdout.contains("was removed"), "{}", r.stdout);
    // Without the head, the cut is invisible: audit says so.
    let r = at("2026-04-01T02:00:00Z", &v, &["audit"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("without --head"), "{}", r.stdout);
    // status with the head refuses to count obligations from the cut ledger.
    let r = at("2026-04-01T02:00:00Z", &v, &["status", "--head", &head]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("no longer contains the head"),
        "{}",
        r.stderr
    );
    let r = at(
        "2026-04-01T02:00:00Z",
        &v,
        &["audit", "--head", "not-a-head"],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("is not a ledger head"), "{}", r.stderr);
}

#[test]
fn an_edited_payment_is_caught_with_the_head_payment_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    assert_eq!(deposit_at("2026-03-02T02:00:00Z", &v, "v1").code, 0);
    let r = at(
        "2026-03-03T02:00:00Z",
        &v,
        &["payment", "--date", "2026-03-03", "--note", "REF-1"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let head = printed_head(&r);
    let r = at("2026-06-01T02:00:00Z", &v, &["status"]);
    assert_eq!(r.code, 1, "overdue: {}", r.stdout);

    // Move the payment's date in place.
    let mut lines = ledger_lines(&v);
    let last = lines.last_mut().unwrap();
    assert!(last.contains("\"date\":\"2026-03-03\""), "{last}");
    *last = last.replace("\"date\":\"2026-03-03\"", "\"date\":\"2026-05-28\"");
    write_ledger(&v, &lines);
    let r = at("2026-06-01T02:00:00Z", &v, &["audit", "--head", &head]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("ERROR ledger-truncated"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("The ledger now ends with seq 1, the final payment dated 2026-05-28"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("edited in place"), "{}", r.stdout);
    let r = at("2026-06-01T02:00:00Z", &v, &["status", "--head", &head]);
    assert_eq!(r.code, 2, "{}", r.stdout);
}

#[test]
fn an_edited_event_in_the_middle_of_the_ledger_breaks_the_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    let r = at(
        "2026-03-03T02:00:00Z",
        &v,
        &["golive", "门诊预约改版", "--date", "2026-03-03"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = at(
        "2026-03-04T02:00:00Z",
        &v,
        &["payment", "--date", "2026-03-04"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(deposit_at("2026-03-05T02:00:00Z", &v, "v1").code, 0);
    let r = at("2026-03-05T02:00:00Z", &v, &["audit"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    for (what, from, to) in [
        (
            "a go-live date",
            "\"date\":\"2026-03-03\"",
            "\"date\":\"2026-03-09\"",
        ),
        (
            "a payment date",
            "\"date\":\"2026-03-04\"",
            "\"date\":\"2026-03-10\"",
        ),
    ] {
        let saved = ledger_lines(&v);
        let mut lines = saved.clone();
        let line = lines.iter_mut().find(|l| l.contains(from)).unwrap();
        *line = line.replace(from, to);
        write_ledger(&v, &lines);
        let r = at("2026-03-05T02:00:00Z", &v, &["audit", "--format", "json"]);
        assert_eq!(r.code, 1, "{what}: {}", r.stdout);
        let a = r.json();
        let codes: Vec<&str> = a["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"ledger-broken"), "{what}: {codes:?}");
        // status refuses a broken ledger.
        let r = at("2026-03-05T02:00:00Z", &v, &["status"]);
        assert_eq!(r.code, 2, "{what}: {}", r.stdout);
        write_ledger(&v, &saved);
    }
}
