//! The printable pages of `status`, `status --all`, `golive`, `deadline` and `manifest check`,
//! end to end: the real CLI with a fixed clock writes each document (`--format md` is offered
//! and exits as the human report does; `--format json` gives the document), and the page built
//! from that document carries the facts a hospital prints: the overdue item with its due date,
//! the timeline's marks, the provisional range, the manifest's verdict.

use std::ffi::OsStr;
use std::path::Path;

use escrow::report::Document;
use escrow::report::Lang;
use escrow::report::docs::{DeadlineDoc, EventDoc, ManifestCheckDoc, StatusAllDoc, StatusDoc};
use escrow::report::page::{Block, Chart, MarkKind, Page, Tone};

use crate::common::*;

const NOW: &str = "2026-11-30T02:00:00Z";

/// `args` with `--format FORMAT`, run at `now` with `vault`.
fn run_as(now: &str, vault: &Path, args: &[&str], format: &str) -> Run {
    let mut all = args.to_vec();
    all.extend(["--format", format]);
    at(now, vault, &all)
}

/// The document the command writes as JSON, after checking that `--format md` is offered and
/// exits with the same code.
fn doc<D: Document>(now: &str, vault: &Path, args: &[&str]) -> D {
    let json = run_as(now, vault, args, "json");
    let md = run_as(now, vault, args, "md");
    assert_eq!(md.code, json.code, "{args:?}: {}", md.stderr);
    assert!(
        json.code == 0 || json.code == 1,
        "{args:?}: {}",
        json.stderr
    );
    serde_json::from_str(&json.stdout).unwrap_or_else(|e| panic!("{e}: {}", json.stdout))
}

fn verdict(p: &Page) -> (&str, &str, Tone) {
    match &p.blocks[0] {
        Block::Verdict {
            headline,
            detail,
            tone,
        } => (headline, detail, *tone),
        b => panic!("the page opens with {b:?}"),
    }
}

fn marks(p: &Page) -> Vec<(&str, MarkKind, Tone)> {
    p.blocks
        .iter()
        .find_map(|b| match b {
            Block::Chart(Chart::Timeline { marks, .. }) => Some(
                marks
                    .iter()
                    .map(|m| (m.date.as_str(), m.kind, m.tone))
                    .collect(),
            ),
            _ => None,
        })
        .expect("a timeline")
}

fn text(p: &Page) -> String {
    format!("{p:?}")
}

/// A go-live on 2026-11-02 (due 2026-11-16) and a failing deposit on 2026-11-05.
fn overdue_vault(v: &Path) {
    let r = at(
        "2026-11-02T02:00:00Z",
        v,
        &["golive", "门诊预约改版", "--date", "2026-11-02"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut cmd = escrow_command();
    cmd.env("ESCROW_NOW", "2026-11-05T02:00:00Z")
        .env("ESCROW_VAULT", v)
        .args([
            "deposit".as_ref(),
            repo()
                .join("fixtures/deliveries/his-update-v2.4")
                .as_os_str(),
        ])
        .args(["-m".as_ref(), chaoyang().as_os_str(), OsStr::new("-q")])
        .args(["-l", "v1.1-broken"]);
    let r = run(cmd);
    assert_eq!(r.code, 1, "the delivery fails its check: {}", r.stderr);
}

#[test]
fn the_status_page_shows_the_overdue_update_on_its_timeline() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("escrow/his");
    overdue_vault(&v);
    let s: StatusDoc = doc(NOW, &v, &["status"]);
    let zh = s.page(Lang::Zh).unwrap();
    let (headline, detail, tone) = verdict(&zh);
    assert_eq!(tone, Tone::Bad);
    assert!(
        headline.starts_with("逾期") && detail.contains("1 项更新已逾期"),
        "{detail}"
    );
    assert!(detail.contains("2026-11-16"), "{detail}");
    assert_eq!(
        marks(&zh),
        [
            ("2026-11-02", MarkKind::Trigger, Tone::Plain),
            ("2026-11-05", MarkKind::Deposit, Tone::Bad),
            ("2026-11-16", MarkKind::Due, Tone::Bad),
        ]
    );
    let t = text(&zh);
    for fact in [
        "「门诊预约改版」上线",
        "逾期未交",
        "v1.1-broken（序号 1）未通过检查",
        "截至 2026-11-30",
    ] {
        assert!(t.contains(fact), "{fact} missing: {t}");
    }
    let en = s.page(Lang::En).unwrap();
    assert!(
        text(&en).contains("update due: 门诊预约改版 (overdue)"),
        "{}",
        text(&en)
    );

    // The overview of every vault under the folder.
    let root = tmp.path().join("escrow");
    let all: StatusAllDoc = doc(
        NOW,
        &root.join("unused"),
        &["status", "--all", root.to_str().unwrap()],
    );
    let p = all.page(Lang::Zh).unwrap();
    assert_eq!(verdict(&p).2, Tone::Bad);
    let row = p
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t.rows[0].clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!((row[0].text.as_str(), row[0].tone), ("逾期未交", Tone::Bad));
    assert!(row[7].text.ends_with("his"), "{row:?}");
}

#[test]
fn a_go_live_record_and_a_deadline_carry_the_provisional_range() {
    let tmp = tempfile::tempdir().unwrap();
    let v = tmp.path().join("vault");
    // Each run records an entry: the Markdown run gets a vault of its own.
    let args = ["golive", "住院结算", "--date", "2026-12-28"];
    let md = run_as("2026-12-28T02:00:00Z", &tmp.path().join("md"), &args, "md");
    assert_eq!(md.code, 0, "{}", md.stderr);
    let r = run_as("2026-12-28T02:00:00Z", &v, &args, "json");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let e: EventDoc = serde_json::from_str(&r.stdout).unwrap();
    let p = e.page(Lang::Zh).unwrap();
    assert_eq!(p.title, "上线记录");
    let t = text(&p);
    assert!(t.contains("2027-01-12*（暂定；正式可能为"), "{t}");
    assert!(
        t.contains(&format!("escrow audit --head {}", e.ledger_head)),
        "{t}"
    );
    let d: DeadlineDoc = doc(
        NOW,
        &tmp.path().join("none"),
        &["deadline", "--from", "2026-12-28", "--working-days", "10"],
    );
    let p = d.page(Lang::En).unwrap();
    assert_eq!(verdict(&p).0, "Due 2027-01-12 (provisional)");
    assert!(text(&p).contains("officially"), "{}", text(&p));
}

#[test]
fn the_manifest_check_page_gives_the_verdict() {
    let tmp = tempfile::tempdir().unwrap();
    let m: ManifestCheckDoc = doc(
        NOW,
        &tmp.path().join("none"),
        &["manifest", "check", chaoyang().to_str().unwrap()],
    );
    let p = m.page(Lang::Zh).unwrap();
    assert_eq!(verdict(&p).2, Tone::Good);
    assert!(text(&p).contains("一、清单要求"), "{}", text(&p));
    let bad = manifest(tmp.path(), "schema-version = 1\n[[module]]\nid = 3\n");
    let r = run_as(
        NOW,
        &tmp.path().join("none"),
        &["manifest", "check", bad.to_str().unwrap()],
        "json",
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let m: ManifestCheckDoc = serde_json::from_str(&r.stdout).unwrap();
    let p = m.page(Lang::En).unwrap();
    assert_eq!(verdict(&p).0, "INVALID");
    assert!(text(&p).contains("1. Problems"), "{}", text(&p));
}
