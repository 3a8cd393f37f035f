//! Every command's `--format json` parsed back into its document type, whose structs refuse
//! unknown fields (ripgrep's tests/json.rs): a key added, renamed or dropped fails here.

use escrow::report::Report;
use escrow::report::docs::{
    AuditDoc, ChangeKindDoc, DeadlineDoc, DepositDoc, DiffDoc, EventDoc, InitDoc, ListDoc,
    ObligationState, RestoreDoc, ShowDoc, StatusDoc,
};
use serde::de::DeserializeOwned;

use crate::common::{Run, chaoyang, escrow, sample};
use crate::scene::{Scene, path};

/// The run's stdout as a `T`, strictly; the run must have exited `code`.
fn parse<T: DeserializeOwned>(r: &Run, code: i32) -> T {
    assert_eq!(r.code, code, "{}{}", r.stdout, r.stderr);
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{}: {e}\n{}", std::any::type_name::<T>(), r.stdout))
}

const JSON: [&str; 2] = ["--format", "json"];

#[test]
fn init_deposit_list_show_diff_restore_audit_round_trip() {
    let s = Scene::new();
    let init: InitDoc = parse(&s.run(&["init"], &JSON), 0);
    assert_eq!((init.schema_version, init.document.as_str()), (1, "init"));
    assert!(init.created);
    let again: InitDoc = parse(&s.run(&["init"], &JSON), 0);
    assert!(!again.created);

    let v1: DepositDoc = parse(&s.deposit_v1(&JSON), 0);
    assert_eq!((v1.schema_version, v1.document.as_str()), (1, "deposit"));
    assert_eq!((v1.label.as_str(), v1.seq), ("v1", 0));
    assert!(v1.diff.is_none() && v1.new_objects > 0);
    assert_eq!(v1.ledger_head.len(), 64);
    let v2: DepositDoc = parse(&s.deposit_v2(&JSON), 0);
    let d = v2.diff.as_ref().expect("v2 is compared with v1");
    assert_eq!((d.old.label.as_str(), d.modified, d.added), ("v1", 1, 0));

    let list: ListDoc = parse(&s.run(&["list"], &JSON), 0);
    assert_eq!((list.schema_version, list.document.as_str()), (1, "list"));
    let labels: Vec<&str> = list.snapshots.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["v1", "v2"]);
    assert_eq!(list.snapshots[1].snapshot, v2.snapshot);
    assert_eq!(list.snapshots[0].verdict, "pass");

    let show: ShowDoc = parse(&s.run(&["show", "v2", "--files"], &JSON), 0);
    assert_eq!((show.schema_version, show.document.as_str()), (1, "show"));
    assert_eq!(show.snapshot, v2.snapshot);
    assert_eq!(show.record.label, "v2");
    let note = show.record.note.as_ref().expect("the change note is kept");
    assert!(note.text.contains("门诊预约改版"));
    assert_eq!(
        show.record.report, v2.report,
        "show gives the stored report"
    );
    assert_eq!(show.entries.len() as u64, show.record.tree.entries);

    let diff: DiffDoc = parse(&s.run(&["diff", "v1", "v2"], &JSON), 0);
    assert_eq!((diff.schema_version, diff.document.as_str()), (1, "diff"));
    let changed: Vec<_> = diff
        .modules
        .iter()
        .flat_map(|m| &m.changes)
        .map(|c| (c.path.as_str(), c.change))
        .collect();
    assert_eq!(changed, [("README.md", ChangeKindDoc::Modified)]);

    let target = s.restore_target("restored");
    let restored: RestoreDoc = parse(&s.run(&["restore", "v1", path(&target)], &JSON), 0);
    assert_eq!(
        (restored.schema_version, restored.document.as_str()),
        (1, "restore")
    );
    assert_eq!(restored.files, v1.report.delivery.files);
    assert!(target.join("README.md").is_file());

    let audit: AuditDoc = parse(&s.run(&["audit", "--head", &v2.ledger_head], &JSON), 0);
    assert_eq!(
        (audit.schema_version, audit.document.as_str()),
        (1, "audit")
    );
    assert_eq!((audit.snapshots, audit.ledger_entries), (2, 2));
    assert_eq!(audit.head.as_deref(), Some(v2.ledger_head.as_str()));
    assert_eq!(audit.after_head, Some(Vec::new()));
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
}

#[test]
fn golive_payment_status_deadline_round_trip() {
    let s = Scene::new();
    s.two_snapshots();
    let live: EventDoc = parse(
        &s.run(&["golive", "门诊预约改版", "--date", "2026-03-09"], &JSON),
        0,
    );
    assert_eq!((live.schema_version, live.document.as_str()), (1, "golive"));
    assert_eq!((live.seq, live.name.as_str()), (2, "门诊预约改版"));
    assert_eq!(live.deadline, "10 working days");
    assert_eq!(live.due.as_deref(), Some("2026-03-23"));
    assert_eq!(live.recorded_at, crate::common::FIXED_NOW);
    let paid: EventDoc = parse(&s.run(&["payment", "--date", "2026-03-10"], &JSON), 0);
    assert_eq!((paid.document.as_str(), paid.seq), ("payment", 3));
    assert_eq!(paid.due.as_deref(), Some("2026-04-22"));

    let status: StatusDoc = parse(&s.run(&["status"], &JSON), 0);
    assert_eq!(
        (status.schema_version, status.document.as_str()),
        (1, "status")
    );
    assert_eq!(status.today, "2026-03-10");
    let where_they_stand: Vec<_> = status.obligations.iter().map(|o| o.state).collect();
    assert_eq!(
        where_they_stand,
        [ObligationState::Satisfied, ObligationState::Satisfied]
    );

    let due: DeadlineDoc = parse(
        &escrow([
            "deadline",
            "--from",
            "2026-09-30",
            "--working-days",
            "10",
            "--format",
            "json",
        ]),
        0,
    );
    assert_eq!((due.schema_version, due.document.as_str()), (1, "deadline"));
    assert_eq!(
        (due.from.as_str(), due.due.as_str()),
        ("2026-09-30", "2026-10-20")
    );
}

#[test]
fn check_report_round_trips() {
    let r = escrow([
        "check",
        path(&sample()),
        "-m",
        path(&chaoyang()),
        "--format",
        "json",
    ]);
    let report: Report = parse(&r, 0);
    assert_eq!(report.schema_version, 1);
    assert_eq!(
        report.generated_at,
        crate::common::FIXED_NOW,
        "JSON keeps UTC"
    );
}
