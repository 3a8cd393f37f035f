//! Benchmark helper for `bench/obligations.sh`: times `obligations::status` on a large ledger
//! whose dates the official notices cover (the baseline) and the same ledger moved to years
//! only the provisional calendar covers; and writes vaults for the `status --all` timing.
//!
//! Usage: `obligations_bench EVENTS` prints `official_ms provisional_ms calendar_ms`;
//! `obligations_bench --vaults DIR COUNT EVENTS` writes COUNT vaults of EVENTS events each.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use escrow::calendar::Calendar;
use escrow::obligations::{Terms, status};
use escrow::vault::{LedgerEntry, Vault, ledger};
use time::{Date, Duration, Month};

/// `n` events from `start`: a go-live each working week, a passing deposit a week later,
/// a question and its answer.
fn entries(n: usize, start: Date) -> Vec<LedgerEntry> {
    let mut out = Vec::with_capacity(n);
    let mut day = start;
    while out.len() < n {
        let seq = out.len() as u64;
        let kind = seq % 4;
        let entry = match kind {
            0 => LedgerEntry {
                event: "golive".to_owned(),
                name: format!("feature {seq}"),
                date: day.to_string(),
                ..LedgerEntry::default()
            },
            1 => LedgerEntry {
                event: "deposit".to_owned(),
                label: format!("v{seq}"),
                snapshot: format!("{seq:064x}"),
                verdict: if seq.is_multiple_of(3) {
                    "fail"
                } else {
                    "pass"
                }
                .to_owned(),
                time: format!("{}T02:00:00Z", day + Duration::days(6)),
                ..LedgerEntry::default()
            },
            2 => LedgerEntry {
                event: "question".to_owned(),
                name: format!("question {seq}"),
                date: day.to_string(),
                ..LedgerEntry::default()
            },
            _ => LedgerEntry {
                event: "answer".to_owned(),
                target: Some(seq - 1),
                date: (day + Duration::days(2)).to_string(),
                ..LedgerEntry::default()
            },
        };
        out.push(LedgerEntry {
            seq,
            time: if entry.time.is_empty() {
                format!("{day}T02:00:00Z")
            } else {
                entry.time.clone()
            },
            ..entry
        });
        if kind == 3 {
            day += Duration::days(1);
        }
    }
    out
}

fn timed(f: impl Fn()) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
    }
    best
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--vaults") {
        let dir = std::path::PathBuf::from(&args[1]);
        let count: usize = args[2].parse().expect("COUNT");
        let n: usize = args[3].parse().expect("EVENTS");
        let start = Date::from_calendar_date(2026, Month::June, 1).expect("date");
        for i in 0..count {
            let (v, _) = Vault::init(&dir.join(format!("vendor-{i:03}"))).expect("vault");
            for mut e in entries(n, start)
                .into_iter()
                .filter(|e| e.event != "deposit")
            {
                if e.event == "answer" {
                    // An answer refers to the question recorded just before it.
                    let len = v.ledger().expect("ledger").entries.len() as u64;
                    e.target = Some(len - 1);
                }
                ledger::record_event(&v, &e, |_| Ok(())).expect("record");
            }
        }
        return;
    }
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let official = entries(
        n,
        Date::from_calendar_date(2025, Month::January, 2).expect("date"),
    );
    let provisional = entries(
        n,
        Date::from_calendar_date(2027, Month::January, 4).expect("date"),
    );
    let cal = Calendar::cn();
    let terms = Terms::default();
    let today = Date::from_calendar_date(2030, Month::June, 1).expect("date");
    let a = timed(|| {
        status(&official, &cal, &terms, today);
    });
    let b = timed(|| {
        status(&provisional, &cal, &terms, today);
    });
    let c = timed(|| {
        let _ = Calendar::cn();
    });
    println!("{a:.1} {b:.1} {c:.2}");
}
