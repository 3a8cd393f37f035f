//! Contract obligations and where they stand: each go-live starts an update window, the final
//! payment starts the delivery window; a deposit inside the window satisfies it. Computed from
//! the vault's ledger events with a working-day calendar (`crate::calendar`, a leaf that knows
//! nothing of the vault).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::{self, Calendar, CalendarError, Deadline, cst_date, parse_date};
use crate::vault::LedgerEntry;

/// Where an obligation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// A deposit arrived inside the window.
    Satisfied,
    /// The window is open and nothing has arrived yet.
    Pending,
    /// The window closed with nothing deposited.
    Overdue,
    /// Nothing arrived inside the window, but a deposit came afterwards.
    Late,
    /// The calendar does not cover the dates needed.
    Unknown,
}

/// A deposit that answered an obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepositRef {
    /// The snapshot id.
    pub snapshot: String,
    /// The snapshot's label.
    pub label: String,
    /// The deposit's date in China Standard Time.
    pub date: String,
}

/// One obligation: a window opened by a go-live or the final payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Obligation {
    /// "update" (after a go-live) or "delivery" (after the final payment).
    pub kind: String,
    /// What started the clock: the feature's name, or "final payment".
    pub trigger: String,
    /// The day the clock started (YYYY-MM-DD, China Standard Time).
    pub trigger_date: String,
    /// The deadline as the contract states it, e.g. "10 working days".
    pub deadline: String,
    /// The last day of the window (YYYY-MM-DD); `None` when the calendar does not reach it.
    pub due: Option<String>,
    /// Where it stands on `Status::today`.
    pub state: State,
    /// Satisfied: the first deposit inside the window.
    pub satisfied_by: Option<DepositRef>,
    /// Late: the first deposit after the window.
    pub delivered_late: Option<DepositRef>,
    /// Pending: working days left until the due date.
    pub working_days_left: Option<u32>,
    /// Late or overdue: working days past the due date (`None` when the calendar cannot tell).
    pub working_days_late: Option<u32>,
    /// Where it stands and what is asked for, in English, one line.
    pub message: String,
    /// The same message in Chinese.
    pub message_zh: String,
}

/// Every obligation of a vault (`escrow status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    /// Always 1.
    pub schema_version: u32,
    /// Today in China Standard Time.
    pub today: String,
    /// The calendar used: `cn (START to END)` with the covered dates (YYYY-MM-DD), or
    /// `mon-fri`.
    pub calendar: String,
    /// The update deadline applied after each go-live, normalised (`10 working days`,
    /// `15 calendar days`); the manifest's `update-deadline`, default 10 working days.
    pub update_deadline: String,
    /// The delivery deadline applied after the final payment, normalised; the manifest's
    /// `delivery-deadline`, default 30 working days.
    pub delivery_deadline: String,
    /// Every obligation, ordered by the day its clock started, then by ledger position.
    pub obligations: Vec<Obligation>,
    /// How many obligations are `overdue`.
    pub overdue: u64,
    /// How many obligations are `unknown` (the calendar does not cover the dates needed).
    pub unknown: u64,
}

struct Dep {
    date: Date,
    seq: u64,
    r: DepositRef,
}

/// Work out every obligation from the ledger's events and deposits, in date order (the order
/// they were recorded in does not matter).
pub fn status(
    entries: &[LedgerEntry],
    cal: &Calendar,
    update: Deadline,
    delivery: Deadline,
    today: Date,
) -> Status {
    let mut deps: Vec<Dep> = entries
        .iter()
        .filter(|e| e.event == "deposit")
        .filter_map(|e| {
            let date = cst_date(&e.time)?;
            Some(Dep {
                date,
                seq: e.seq,
                r: DepositRef {
                    snapshot: e.snapshot.clone(),
                    label: e.label.clone(),
                    date: date.to_string(),
                },
            })
        })
        .collect();
    deps.sort_by_key(|d| (d.date, d.seq));
    let mut triggers: Vec<(Date, u64, &str, String, Deadline)> = entries
        .iter()
        .filter_map(|e| {
            let date = parse_date(&e.date).ok()?;
            match e.event.as_str() {
                "golive" => Some((date, e.seq, "update", e.name.clone(), update)),
                "payment" => Some((
                    date,
                    e.seq,
                    "delivery",
                    "final payment".to_owned(),
                    delivery,
                )),
                _ => None,
            }
        })
        .collect();
    triggers.sort_by_key(|t| (t.0, t.1));
    let obligations: Vec<Obligation> = triggers
        .into_iter()
        .map(|(date, _, kind, trigger, deadline)| {
            obligation(cal, &deps, date, kind, trigger, deadline, today)
        })
        .collect();
    Status {
        schema_version: 1,
        today: today.to_string(),
        calendar: match cal.kind {
            calendar::Kind::Cn => format!("cn ({} to {})", cal.start, cal.end),
            calendar::Kind::MonFri => "mon-fri".to_owned(),
        },
        update_deadline: update.to_string(),
        delivery_deadline: delivery.to_string(),
        overdue: obligations
            .iter()
            .filter(|o| o.state == State::Overdue)
            .count() as u64,
        unknown: obligations
            .iter()
            .filter(|o| o.state == State::Unknown)
            .count() as u64,
        obligations,
    }
}

/// What an obligation asks for, in English and Chinese.
struct What {
    en: String,
    zh: String,
}

impl What {
    fn of(kind: &str, trigger: &str) -> What {
        if kind == "update" {
            What {
                en: format!("the updated source and change notes after {trigger:?} went live"),
                zh: format!("「{trigger}」上线后的更新源代码与修改说明"),
            }
        } else {
            What {
                en: "the full source delivery after the final payment".to_owned(),
                zh: "尾款支付后的全部源代码交付".to_owned(),
            }
        }
    }

    /// The calendar cannot tell.
    fn unknown(&self, o: &mut Obligation, e: &CalendarError) {
        o.state = State::Unknown;
        o.message = format!("{}: cannot tell: {e}", self.en);
        o.message_zh = format!("{}：无法计算（工作日日历未覆盖所需日期）：{e}", self.zh);
    }
}

fn obligation(
    cal: &Calendar,
    deps: &[Dep],
    from: Date,
    kind: &str,
    trigger: String,
    deadline: Deadline,
    today: Date,
) -> Obligation {
    let what = What::of(kind, &trigger);
    let mut o = Obligation {
        kind: kind.to_owned(),
        trigger,
        trigger_date: from.to_string(),
        deadline: deadline.to_string(),
        due: None,
        state: State::Unknown,
        satisfied_by: None,
        delivered_late: None,
        working_days_left: None,
        working_days_late: None,
        message: String::new(),
        message_zh: String::new(),
    };
    let due = match cal.due(from, deadline) {
        Ok(d) => d,
        Err(e) => {
            beyond_calendar(&mut o, &what, cal, deps, from, deadline, &e);
            return o;
        }
    };
    o.due = Some(due.to_string());
    if let Some(d) = deps.iter().find(|d| d.date >= from && d.date <= due) {
        o.state = State::Satisfied;
        o.message = format!(
            "{}: deposited as {} on {} (due {due})",
            what.en, d.r.label, d.r.date
        );
        o.message_zh = format!(
            "{}：已于 {} 入库（{}），截止日 {due}",
            what.zh, d.r.date, d.r.label
        );
        o.satisfied_by = Some(d.r.clone());
    } else if today <= due {
        pending(&mut o, &what, cal, due, today);
    } else {
        past_due(&mut o, &what, cal, deps, due, today);
    }
    o
}

/// The due date falls beyond the calendar; a deposit that came within the deadline still
/// settles it, counted day by day from the trigger.
fn beyond_calendar(
    o: &mut Obligation,
    what: &What,
    cal: &Calendar,
    deps: &[Dep],
    from: Date,
    deadline: Deadline,
    e: &CalendarError,
) {
    let n = match deadline {
        Deadline::WorkingDays(n) | Deadline::CalendarDays(n) => n,
    };
    let within = |d: &&Dep| {
        d.date >= from
            && match deadline {
                Deadline::WorkingDays(_) => {
                    cal.working_days_between(from, d.date).is_ok_and(|k| k <= n)
                }
                Deadline::CalendarDays(_) => (d.date - from).whole_days() <= i64::from(n),
            }
    };
    if let Some(d) = deps.iter().find(within) {
        o.state = State::Satisfied;
        o.message = format!("{}: deposited as {} on {}", what.en, d.r.label, d.r.date);
        o.message_zh = format!("{}：已于 {} 入库（{}）", what.zh, d.r.date, d.r.label);
        o.satisfied_by = Some(d.r.clone());
    } else {
        what.unknown(o, e);
    }
}

/// The window is open and nothing has arrived yet.
fn pending(o: &mut Obligation, what: &What, cal: &Calendar, due: Date, today: Date) {
    match cal.working_days_between(today, due) {
        Ok(left) => {
            o.state = State::Pending;
            o.working_days_left = Some(left);
            o.message = format!("{}: due {due}, {left} working days left", what.en);
            o.message_zh = format!("{}：截止日 {due}，还剩 {left} 个工作日", what.zh);
        }
        Err(e) => what.unknown(o, &e),
    }
}

/// Past the due date with nothing inside the window: late if a deposit came afterwards, else
/// overdue, whatever the calendar says; only the count of days late may be unknown.
fn past_due(o: &mut Obligation, what: &What, cal: &Calendar, deps: &[Dep], due: Date, today: Date) {
    let late_dep = deps.iter().find(|d| d.date > due);
    let until = late_dep.map_or(today, |d| d.date);
    if late_dep.is_none() && cal.working_days_between(due, until).is_err() {
        o.state = State::Overdue;
        o.message = format!(
            "{}: OVERDUE since {due} (working days late: unknown beyond the calendar)",
            what.en
        );
        o.message_zh = format!(
            "{}：截止日 {due}，至今未入库（超期的工作日数超出日历范围，无法计算）",
            what.zh
        );
        return;
    }
    match cal.working_days_between(due, until) {
        Ok(late) => {
            o.working_days_late = Some(late);
            if let Some(d) = late_dep {
                o.state = State::Late;
                o.message = format!(
                    "{}: due {due}, deposited late as {} on {}, {late} working days late",
                    what.en, d.r.label, d.r.date
                );
                o.message_zh = format!(
                    "{}：截止日 {due}，{} 才入库（{}），晚了 {late} 个工作日",
                    what.zh, d.r.date, d.r.label
                );
                o.delivered_late = Some(d.r.clone());
            } else {
                o.state = State::Overdue;
                o.message = format!("{}: OVERDUE since {due}, {late} working days late", what.en);
                o.message_zh = format!(
                    "{}：截止日 {due}，至今未入库，已超期 {late} 个工作日",
                    what.zh
                );
            }
        }
        Err(e) => what.unknown(o, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(seq: u64, event: &str, name: &str, date: &str, time: &str) -> LedgerEntry {
        LedgerEntry {
            seq,
            time: time.to_owned(),
            event: event.to_owned(),
            snapshot: if event == "deposit" {
                format!("{seq:064}")
            } else {
                String::new()
            },
            snapshot_sm3: String::new(),
            label: if event == "deposit" {
                name.to_owned()
            } else {
                String::new()
            },
            verdict: String::new(),
            files: 0,
            bytes: 0,
            tree_sha256: String::new(),
            tree_sm3: String::new(),
            name: if event == "deposit" {
                String::new()
            } else {
                name.to_owned()
            },
            date: date.to_owned(),
            prev: String::new(),
        }
    }

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn satisfied_on_the_last_day_late_and_pending() {
        let cal = Calendar::cn();
        let ten = Deadline::WorkingDays(10);
        // Go-live 2026-09-30: due 2026-10-20.
        let entries = vec![
            ev(
                0,
                "golive",
                "门诊预约改版",
                "2026-09-30",
                "2026-09-30T02:00:00Z",
            ),
            // Deposited 2026-10-20 at 15:00 UTC = 23:00 CST: still on the due date.
            ev(1, "deposit", "v2.3.1", "", "2026-10-20T15:00:00Z"),
        ];
        let s = status(&entries, &cal, ten, ten, d("2026-11-21"));
        assert_eq!(s.obligations[0].state, State::Satisfied);
        assert_eq!(s.obligations[0].due.as_deref(), Some("2026-10-20"));
        // At 16:00 UTC it is already 2026-10-21 in Beijing: one working day late.
        let entries = vec![
            ev(
                0,
                "golive",
                "门诊预约改版",
                "2026-09-30",
                "2026-09-30T02:00:00Z",
            ),
            ev(1, "deposit", "v2.3.1", "", "2026-10-20T16:00:00Z"),
        ];
        let s = status(&entries, &cal, ten, ten, d("2026-11-21"));
        assert_eq!(s.obligations[0].state, State::Late);
        assert_eq!(s.obligations[0].working_days_late, Some(1));
        // Nothing deposited, today 2026-10-22: overdue by 2 working days.
        let s = status(&entries[..1], &cal, ten, ten, d("2026-10-22"));
        assert_eq!(s.obligations[0].state, State::Overdue);
        assert_eq!(s.obligations[0].working_days_late, Some(2));
        assert_eq!(s.overdue, 1);
        // Pending: today 2026-10-09 (Fri); 10/10 is a make-up Saturday.
        let s = status(&entries[..1], &cal, ten, ten, d("2026-10-09"));
        assert_eq!(s.obligations[0].state, State::Pending);
        assert_eq!(s.obligations[0].working_days_left, Some(8));
    }

    #[test]
    fn recorded_out_of_order_and_deposits_before_the_trigger() {
        let cal = Calendar::cn();
        let ten = Deadline::WorkingDays(10);
        let thirty = Deadline::WorkingDays(30);
        // The go-live was recorded after the deposit that answered it; a deposit made before
        // the go-live does not count for it.
        let entries = vec![
            ev(0, "deposit", "v1", "", "2026-03-01T01:00:00Z"),
            ev(1, "deposit", "v2", "", "2026-03-12T01:00:00Z"),
            ev(
                2,
                "golive",
                "自助结算",
                "2026-03-10",
                "2026-03-13T01:00:00Z",
            ),
            ev(3, "payment", "", "2026-06-01", "2026-06-01T01:00:00Z"),
        ];
        let s = status(&entries, &cal, ten, thirty, d("2026-06-05"));
        assert_eq!(s.obligations.len(), 2);
        assert_eq!(s.obligations[0].satisfied_by.as_ref().unwrap().label, "v2");
        assert_eq!(s.obligations[1].kind, "delivery");
        assert_eq!(s.obligations[1].state, State::Pending);
    }

    #[test]
    fn overdue_stays_overdue_past_the_calendar_and_early_deposits_settle() {
        let cal = Calendar::cn();
        let ten = Deadline::WorkingDays(10);
        let entries = vec![ev(0, "golive", "x", "2026-10-15", "2026-10-15T01:00:00Z")];
        let s = status(&entries, &cal, ten, ten, d("2027-01-05"));
        assert_eq!(s.obligations[0].state, State::Overdue);
        assert_eq!(s.overdue, 1);
        // Due beyond the calendar, but answered the next day.
        let entries = vec![
            ev(0, "golive", "y", "2026-12-28", "2026-12-28T01:00:00Z"),
            ev(1, "deposit", "v9", "", "2026-12-29T01:00:00Z"),
        ];
        let s = status(&entries, &cal, ten, ten, d("2026-12-30"));
        assert_eq!(s.obligations[0].state, State::Satisfied);
    }

    #[test]
    fn beyond_the_calendar_is_unknown() {
        let cal = Calendar::cn_official();
        let ten = Deadline::WorkingDays(10);
        let entries = vec![ev(0, "golive", "x", "2026-12-28", "2026-12-28T01:00:00Z")];
        let s = status(&entries, &cal, ten, ten, d("2026-12-29"));
        assert_eq!(s.obligations[0].state, State::Unknown);
        assert_eq!(s.unknown, 1);
        assert!(
            s.obligations[0].message.contains("2027"),
            "{}",
            s.obligations[0].message
        );
    }
}
