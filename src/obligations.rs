//! Contract obligations and where they stand: each go-live starts an update window, the final
//! payment starts the delivery window, each question starts an answer window. A deposit that
//! passed its check (or whose failure the hospital accepted, with a reason, by `escrow accept`)
//! inside the window satisfies it; an answer event satisfies a question. Entries retracted by a
//! later `retract` entry count for nothing, but stay listed. Computed from the vault's ledger
//! events with a working-day calendar (`crate::calendar`, a leaf that knows nothing of the
//! vault); dates the calendar computes rather than reads from an official notice are marked
//! provisional, with the range the official notice could move them to.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::{self, Calendar, CalendarError, Deadline, cst_date, parse_date};
use crate::vault::LedgerEntry;

/// Where an obligation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// The window closed with nothing (acceptable) delivered.
    Overdue,
    /// The window is open and nothing (acceptable) has arrived yet.
    Pending,
    /// Nothing acceptable arrived inside the window, but it came afterwards: a breach that
    /// stays on record.
    Late,
    /// The calendar cannot tell (a date before the calendar's first official year).
    Unknown,
    /// Delivered (or answered) inside the window.
    Satisfied,
}

/// A deposit or an answer that met (or failed to meet) an obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepositRef {
    /// Its ledger position.
    pub seq: u64,
    /// The snapshot id (empty for an answer).
    pub snapshot: String,
    /// The snapshot's label (an answer: empty).
    pub label: String,
    /// Its date in China Standard Time (YYYY-MM-DD).
    pub date: String,
}

/// The terms the obligations are measured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// After each go-live (the manifest's `update-deadline`, default 10 working days).
    pub update: Deadline,
    /// After the final payment (`delivery-deadline`, default 30 working days).
    pub delivery: Deadline,
    /// After each question (`answer-deadline`, default 3 working days).
    pub answer: Deadline,
}

impl Terms {
    /// The terms a manifest's `[contract]` states (`None`: the default), checked; with the
    /// calendar's name (default "cn").
    ///
    /// Errors: a deadline that does not parse or is too long.
    pub fn from_contract(
        update: Option<&str>,
        delivery: Option<&str>,
        answer: Option<&str>,
    ) -> Result<Terms, CalendarError> {
        let d = Terms::default();
        let parse = |s: Option<&str>, default: Deadline| match s {
            Some(s) => Deadline::parse(s),
            None => Ok(default),
        };
        Ok(Terms {
            update: parse(update, d.update)?,
            delivery: parse(delivery, d.delivery)?,
            answer: parse(answer, d.answer)?,
        })
    }

    /// The terms and calendar as the ledger records them:
    /// `update-deadline=10 working days;delivery-deadline=…;answer-deadline=…;calendar=cn`.
    pub fn to_text(&self, calendar: &str) -> String {
        format!(
            "update-deadline={};delivery-deadline={};answer-deadline={};calendar={calendar}",
            self.update, self.delivery, self.answer
        )
    }

    /// Read back [`Terms::to_text`]: the terms and the calendar's name; `None` when the text
    /// does not parse.
    pub fn from_text(text: &str) -> Option<(Terms, String)> {
        let mut t = Terms::default();
        let mut calendar = "cn".to_owned();
        for part in text.split(';') {
            let (k, v) = part.split_once('=')?;
            match k {
                "update-deadline" => t.update = Deadline::parse(v).ok()?,
                "delivery-deadline" => t.delivery = Deadline::parse(v).ok()?,
                "answer-deadline" => t.answer = Deadline::parse(v).ok()?,
                "calendar" => v.clone_into(&mut calendar),
                _ => return None,
            }
        }
        Some((t, calendar))
    }
}

impl Default for Terms {
    fn default() -> Terms {
        Terms {
            update: Deadline::WorkingDays(10),
            delivery: Deadline::WorkingDays(30),
            answer: Deadline::WorkingDays(3),
        }
    }
}

/// One obligation: a window opened by a go-live, the final payment or a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Obligation {
    /// "update" (after a go-live), "delivery" (after the final payment) or "answer" (after a
    /// question).
    pub kind: String,
    /// The ledger position of the entry that started the clock (what `--retract` takes).
    pub seq: u64,
    /// What started the clock: the feature's name, "final payment", or the question.
    pub trigger: String,
    /// The day the clock started (YYYY-MM-DD, China Standard Time).
    pub trigger_date: String,
    /// The deadline as the contract states it, e.g. "10 working days".
    pub deadline: String,
    /// The last day of the window (YYYY-MM-DD); `None` when the calendar cannot tell.
    pub due: Option<String>,
    /// Whether `due` (or a count of working days) rests on days computed from the statutory
    /// holidays rather than read from an official notice.
    pub provisional: bool,
    /// Provisional: the earliest and latest due date the official notice could give.
    pub due_range: Option<(String, String)>,
    /// Where it stands on `Status::today`.
    pub state: State,
    /// Satisfied: the first acceptable deposit (or answer) inside the window.
    pub satisfied_by: Option<DepositRef>,
    /// Late: the first acceptable deposit (or answer) after the window.
    pub delivered_late: Option<DepositRef>,
    /// Deposits made for it that failed their check and were not accepted: they do not count.
    pub failing: Vec<DepositRef>,
    /// Pending: working days left until the due date.
    pub working_days_left: Option<u32>,
    /// Late or overdue: working days past the due date (`None` when the calendar cannot tell).
    pub working_days_late: Option<u32>,
    /// Where it stands and what is asked for, in English, one line.
    pub message: String,
    /// The same message in Chinese.
    pub message_zh: String,
}

/// A deposit, as the obligations see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepositLine {
    /// Its ledger position.
    pub seq: u64,
    /// The snapshot's label.
    pub label: String,
    /// Its date (YYYY-MM-DD, China Standard Time).
    pub date: String,
    /// The check's verdict: "pass" or "fail".
    pub verdict: String,
    /// Failing, but accepted by the hospital: the reason recorded with `escrow accept`.
    pub accepted: Option<String>,
    /// The seq of that `accept` entry.
    pub accepted_by: Option<u64>,
    /// Whether it counts for obligations (passed, or accepted).
    pub counts: bool,
    /// The go-lives it was deposited for (`deposit --for`), by name.
    pub for_golives: Vec<String>,
    /// The obligations it met in time (their `seq`, ascending).
    pub met: Vec<u64>,
    /// The obligations it met after their due date (their `seq`, ascending). Both empty: it
    /// met none ("unmatched").
    pub late_for: Vec<u64>,
}

/// A contract amendment: a deposit made with `--amend-terms`, whose terms apply to obligations
/// that start on or after its day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    /// The deposit's ledger position.
    pub seq: u64,
    /// Its label.
    pub label: String,
    /// Its day (YYYY-MM-DD, China Standard Time): the terms apply from this day.
    pub date: String,
    /// The update deadline from then on.
    pub update_deadline: String,
    /// The delivery deadline from then on.
    pub delivery_deadline: String,
    /// The answer deadline from then on.
    pub answer_deadline: String,
    /// Why, as recorded.
    pub reason: String,
}

/// An amendment as the obligations use it.
struct Amend {
    day: Date,
    terms: Terms,
    public: Amendment,
}

/// An entry that a later `retract` entry withdrew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retraction {
    /// The withdrawn entry's ledger position.
    pub seq: u64,
    /// Its event: "golive", "payment", "question", "answer", "accept" or "calendar".
    pub event: String,
    /// `answer`, `accept`: the seq of the entry it referred to.
    pub target: Option<u64>,
    /// What it said: the go-live's name, the question, the payment's note.
    pub name: String,
    /// The day it gave (YYYY-MM-DD).
    pub date: String,
    /// The `retract` entry's position.
    pub by: u64,
    /// Why it was withdrawn.
    pub reason: String,
}

/// Every obligation of a vault (`escrow status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    /// Always 1.
    pub schema_version: u32,
    /// Today in China Standard Time.
    pub today: String,
    /// The calendar used: `cn (START to END)` with the officially covered dates (YYYY-MM-DD),
    /// or `mon-fri`.
    pub calendar: String,
    /// The update deadline applied after each go-live, normalised (`10 working days`).
    pub update_deadline: String,
    /// The delivery deadline applied after the final payment, normalised.
    pub delivery_deadline: String,
    /// The answer deadline applied after each question, normalised.
    pub answer_deadline: String,
    /// Every obligation, ordered by the day its clock started, then by ledger position.
    pub obligations: Vec<Obligation>,
    /// Every deposit, in ledger order.
    pub deposits: Vec<DepositLine>,
    /// Every retracted entry, in ledger order.
    pub retracted: Vec<Retraction>,
    /// The contract amendments, by date.
    pub amendments: Vec<Amendment>,
    /// How many obligations are `overdue`.
    pub overdue: u64,
    /// How many obligations were met `late`.
    pub late: u64,
    /// How many obligations are `pending`.
    pub pending: u64,
    /// How many obligations are `unknown` (the calendar cannot tell).
    pub unknown: u64,
    /// How many obligations rest on provisional dates.
    pub provisional: u64,
}

struct Dep {
    date: Date,
    seq: u64,
    counts: bool,
    answers: Vec<u64>,
    r: DepositRef,
}

/// A trigger: what starts an obligation's clock.
struct Trigger {
    date: Date,
    seq: u64,
    kind: &'static str,
    name: String,
    deadline: Deadline,
}

/// The ledger read for obligations: retractions applied, acceptances attached.
struct Book<'a> {
    entries: &'a [LedgerEntry],
    retracted: HashMap<u64, &'a LedgerEntry>,
    accepted: HashMap<u64, (String, u64)>,
}

impl<'a> Book<'a> {
    fn new(entries: &'a [LedgerEntry]) -> Book<'a> {
        let retracted: HashMap<u64, &LedgerEntry> = entries
            .iter()
            .filter(|e| e.event == "retract")
            .filter_map(|e| e.target.map(|t| (t, e)))
            .collect();
        let accepted = entries
            .iter()
            .filter(|e| e.event == "accept" && !retracted.contains_key(&e.seq))
            .filter_map(|e| e.target.map(|t| (t, (e.reason.clone(), e.seq))))
            .collect();
        Book {
            entries,
            retracted,
            accepted,
        }
    }

    fn live(&self) -> impl Iterator<Item = &'a LedgerEntry> + '_ {
        self.entries
            .iter()
            .filter(|e| !self.retracted.contains_key(&e.seq))
    }
}

impl Book<'_> {
    /// Every deposit not retracted, by date.
    fn deposits(&self) -> Vec<Dep> {
        let mut deps: Vec<Dep> = self
            .live()
            .filter(|e| e.event == "deposit")
            .filter_map(|e| {
                let date = cst_date(&e.time)?;
                Some(Dep {
                    date,
                    seq: e.seq,
                    counts: e.verdict != "fail" || self.accepted.contains_key(&e.seq),
                    answers: e.answers.clone(),
                    r: DepositRef {
                        seq: e.seq,
                        snapshot: e.snapshot.clone(),
                        label: e.label.clone(),
                        date: date.to_string(),
                    },
                })
            })
            .collect();
        deps.sort_by_key(|d| (d.date, d.seq));
        deps
    }

    /// The answers to each question (by the question's position), each list by date.
    fn answers(&self) -> HashMap<u64, Vec<Dep>> {
        let mut by: HashMap<u64, Vec<Dep>> = HashMap::new();
        for e in self.live().filter(|e| e.event == "answer") {
            let (Ok(date), Some(target)) = (parse_date(&e.date), e.target) else {
                continue;
            };
            by.entry(target).or_default().push(Dep {
                date,
                seq: e.seq,
                counts: true,
                answers: Vec::new(),
                r: DepositRef {
                    seq: e.seq,
                    snapshot: String::new(),
                    label: String::new(),
                    date: date.to_string(),
                },
            });
        }
        for v in by.values_mut() {
            v.sort_by_key(|d| (d.date, d.seq));
        }
        by
    }

    /// The contract amendments recorded (deposits made with `--amend-terms`), by date.
    fn amendments(&self) -> Vec<Amend> {
        let mut out: Vec<Amend> = self
            .entries
            .iter()
            .filter(|e| e.event == "deposit" && e.amends_terms)
            .filter_map(|e| {
                let (terms, _) = Terms::from_text(&e.terms)?;
                let date = cst_date(&e.time)?;
                Some(Amend {
                    day: date,
                    terms,
                    public: Amendment {
                        seq: e.seq,
                        label: e.label.clone(),
                        date: date.to_string(),
                        update_deadline: terms.update.to_string(),
                        delivery_deadline: terms.delivery.to_string(),
                        answer_deadline: terms.answer.to_string(),
                        reason: e.reason.clone(),
                    },
                })
            })
            .collect();
        out.sort_by_key(|a| (a.day, a.public.seq));
        out
    }

    /// What starts a clock, by date; each measured by the terms in force on its day: the last
    /// amendment made on or before it, else `terms`.
    fn triggers(&self, terms: &Terms, amendments: &[Amend]) -> Vec<Trigger> {
        let mut triggers: Vec<Trigger> = self
            .live()
            .filter_map(|e| {
                let date = parse_date(&e.date).ok()?;
                let terms = amendments
                    .iter()
                    .rev()
                    .find(|a| a.day <= date)
                    .map_or(terms, |a| &a.terms);
                let (kind, name, deadline) = match e.event.as_str() {
                    "golive" => ("update", e.name.clone(), terms.update),
                    "payment" => ("delivery", "final payment".to_owned(), terms.delivery),
                    "question" => ("answer", e.name.clone(), terms.answer),
                    _ => return None,
                };
                Some(Trigger {
                    date,
                    seq: e.seq,
                    kind,
                    name,
                    deadline,
                })
            })
            .collect();
        triggers.sort_by_key(|t| (t.date, t.seq));
        triggers
    }

    /// Every retracted entry with the retraction's position and reason.
    fn retractions(&self) -> Vec<Retraction> {
        self.entries
            .iter()
            .filter_map(|e| {
                let by = self.retracted.get(&e.seq)?;
                Some(Retraction {
                    seq: e.seq,
                    event: e.event.clone(),
                    target: e.target,
                    name: e.name.clone(),
                    date: e.date.clone(),
                    by: by.seq,
                    reason: by.reason.clone(),
                })
            })
            .collect()
    }
}

/// What can meet an obligation from `from` on: the deposits (or answers) of `list` (sorted by
/// date) from that day that `take` accepts, up to and including the first that counts; the
/// failing ones before it are listed with the obligation.
fn relevant<'d>(list: &'d [Dep], from: Date, take: &dyn Fn(&Dep) -> bool) -> Vec<&'d Dep> {
    let start = list.partition_point(|d| d.date < from);
    let mut out: Vec<&Dep> = Vec::new();
    for d in list[start..].iter().filter(|d| take(d)) {
        out.push(d);
        if d.counts {
            break;
        }
    }
    out
}

/// Work out every obligation from the ledger's events and deposits, in date order (the order
/// they were recorded in does not matter).
pub fn status(entries: &[LedgerEntry], cal: &Calendar, terms: &Terms, today: Date) -> Status {
    let book = Book::new(entries);
    let deps = book.deposits();
    let answers = book.answers();
    let amendments = book.amendments();
    let named: std::collections::HashSet<u64> = deps
        .iter()
        .flat_map(|d| d.answers.iter().copied())
        .collect();
    let obligations: Vec<Obligation> = book
        .triggers(terms, &amendments)
        .iter()
        .map(|t| {
            if t.kind == "answer" {
                let own = answers.get(&t.seq).map_or(&[][..], Vec::as_slice);
                obligation(cal, &relevant(own, t.date, &|_| true), t, today)
            } else {
                // A deposit made `--for` some go-lives answers those only; once a deposit
                // names a go-live, only deposits naming it answer it (a re-deposit of the
                // baseline without `--for` is not that update); the final payment's full
                // delivery can be any deposit.
                let take = |d: &Dep| {
                    t.kind != "update"
                        || d.answers.contains(&t.seq)
                        || (d.answers.is_empty() && !named.contains(&t.seq))
                };
                obligation(cal, &relevant(&deps, t.date, &take), t, today)
            }
        })
        .collect();
    let deposits = deposit_lines(&book, &deps, &obligations);
    // The header gives the terms in force now: the last amendment's, else the bound ones.
    let terms = amendments.last().map_or(terms, |a| &a.terms);
    let count = |s: State| obligations.iter().filter(|o| o.state == s).count() as u64;
    Status {
        schema_version: 1,
        today: today.to_string(),
        calendar: match cal.kind {
            calendar::Kind::Cn => format!("cn ({} to {})", cal.start, cal.end),
            calendar::Kind::MonFri => "mon-fri".to_owned(),
        },
        update_deadline: terms.update.to_string(),
        delivery_deadline: terms.delivery.to_string(),
        answer_deadline: terms.answer.to_string(),
        overdue: count(State::Overdue),
        late: count(State::Late),
        pending: count(State::Pending),
        unknown: count(State::Unknown),
        provisional: obligations.iter().filter(|o| o.provisional).count() as u64,
        obligations,
        deposits,
        retracted: book.retractions(),
        amendments: amendments.into_iter().map(|a| a.public).collect(),
    }
}

/// Each deposit with the obligations it met.
fn deposit_lines(book: &Book<'_>, deps: &[Dep], obligations: &[Obligation]) -> Vec<DepositLine> {
    let names: HashMap<u64, &str> = book
        .entries
        .iter()
        .filter(|e| e.event == "golive")
        .map(|e| (e.seq, e.name.as_str()))
        .collect();
    let mut met: HashMap<u64, Vec<u64>> = HashMap::new();
    let mut late: HashMap<u64, Vec<u64>> = HashMap::new();
    for o in obligations.iter().filter(|o| o.kind != "answer") {
        if let Some(r) = &o.satisfied_by {
            met.entry(r.seq).or_default().push(o.seq);
        }
        if let Some(r) = &o.delivered_late {
            late.entry(r.seq).or_default().push(o.seq);
        }
    }
    let sorted = |v: Option<Vec<u64>>| {
        let mut v = v.unwrap_or_default();
        v.sort_unstable();
        v
    };
    let by_seq: HashMap<u64, &Dep> = deps.iter().map(|d| (d.seq, d)).collect();
    book.entries
        .iter()
        .filter(|e| e.event == "deposit" && by_seq.contains_key(&e.seq))
        .map(|e| {
            let d = by_seq.get(&e.seq).copied();
            DepositLine {
                seq: e.seq,
                label: e.label.clone(),
                date: d.map(|d| d.r.date.clone()).unwrap_or_default(),
                verdict: e.verdict.clone(),
                accepted: book.accepted.get(&e.seq).map(|(r, _)| r.clone()),
                accepted_by: book.accepted.get(&e.seq).map(|(_, s)| *s),
                counts: d.is_some_and(|d| d.counts),
                for_golives: e
                    .answers
                    .iter()
                    .map(|s| {
                        names
                            .get(s)
                            .map_or_else(|| format!("seq {s}"), |n| (*n).to_owned())
                    })
                    .collect(),
                met: sorted(met.remove(&e.seq)),
                late_for: sorted(late.remove(&e.seq)),
            }
        })
        .collect()
}

/// What an obligation asks for, in English and Chinese.
struct What {
    en: String,
    zh: String,
}

impl What {
    fn of(kind: &str, trigger: &str) -> What {
        match kind {
            "update" => What {
                en: format!("the updated source and change notes after {trigger:?} went live"),
                zh: format!("「{trigger}」上线后的更新源代码与修改说明"),
            },
            "answer" => What {
                en: format!("an answer to the question {trigger:?}"),
                zh: format!("对问题「{trigger}」的答复"),
            },
            _ => What {
                en: "the full source delivery after the final payment".to_owned(),
                zh: "尾款支付后的全部源代码交付".to_owned(),
            },
        }
    }

    /// The calendar cannot tell.
    fn unknown(&self, o: &mut Obligation, e: &CalendarError) {
        o.state = State::Unknown;
        o.message = format!("{}: cannot tell: {e}", self.en);
        o.message_zh = format!("{}：无法计算（工作日日历未覆盖所需日期）：{e}", self.zh);
    }
}

/// How a met obligation's evidence reads: a deposit's label, or "answered".
fn met_by(r: &DepositRef) -> (String, String) {
    if r.snapshot.is_empty() {
        (
            format!("answered on {} (seq {})", r.date, r.seq),
            format!("已于 {} 答复（序号 {}）", r.date, r.seq),
        )
    } else {
        (
            format!("deposited as {} on {}", r.label, r.date),
            format!("已于 {} 入库（{}）", r.date, r.label),
        )
    }
}

fn obligation(cal: &Calendar, deps: &[&Dep], t: &Trigger, today: Date) -> Obligation {
    let what = What::of(t.kind, &t.name);
    let from = t.date;
    let mut o = Obligation {
        kind: t.kind.to_owned(),
        seq: t.seq,
        trigger: t.name.clone(),
        trigger_date: from.to_string(),
        deadline: t.deadline.to_string(),
        due: None,
        provisional: false,
        due_range: None,
        state: State::Unknown,
        satisfied_by: None,
        delivered_late: None,
        failing: Vec::new(),
        working_days_left: None,
        working_days_late: None,
        message: String::new(),
        message_zh: String::new(),
    };
    let due = match cal.due(from, t.deadline) {
        Ok(d) => d,
        Err(e) => {
            beyond_calendar(&mut o, &what, cal, deps, t, &e);
            return o;
        }
    };
    o.due = Some(due.to_string());
    if cal.any_provisional(from, due) {
        o.provisional = true;
        if let Ok((a, b)) = cal.due_range(from, t.deadline) {
            o.due_range = Some((a.to_string(), b.to_string()));
        }
    }
    let after = deps;
    o.failing = after
        .iter()
        .filter(|d| !d.counts && d.date <= today.max(due))
        .map(|d| d.r.clone())
        .collect();
    if let Some(d) = after.iter().find(|d| d.counts && d.date <= due) {
        o.state = State::Satisfied;
        let (en, zh) = met_by(&d.r);
        o.message = format!("{}: {en} (due {due})", what.en);
        o.message_zh = format!("{}：{zh}，截止日 {due}", what.zh);
        o.satisfied_by = Some(d.r.clone());
    } else if today <= due {
        pending(&mut o, &what, cal, due, today);
    } else {
        past_due(&mut o, &what, cal, after, due, today);
    }
    note_provisional(&mut o);
    note_failing(&mut o);
    o
}

/// The due date falls beyond what the calendar can tell; a deposit that came within the
/// deadline still settles it, counted day by day from the trigger.
fn beyond_calendar(
    o: &mut Obligation,
    what: &What,
    cal: &Calendar,
    deps: &[&Dep],
    t: &Trigger,
    e: &CalendarError,
) {
    let from = t.date;
    let within = |d: &&&Dep| {
        d.counts
            && d.date >= from
            && match t.deadline {
                Deadline::WorkingDays(n) => {
                    cal.working_days_between(from, d.date).is_ok_and(|k| k <= n)
                }
                Deadline::CalendarDays(n) => (d.date - from).whole_days() <= i64::from(n),
            }
    };
    if let Some(d) = deps.iter().find(within) {
        o.state = State::Satisfied;
        let (en, zh) = met_by(&d.r);
        o.message = format!("{}: {en}", what.en);
        o.message_zh = format!("{}：{zh}", what.zh);
        o.satisfied_by = Some(d.r.clone());
    } else {
        what.unknown(o, e);
    }
}

/// Say that the due date is provisional, and the range the official notice could move it to.
fn note_provisional(o: &mut Obligation) {
    if !o.provisional {
        return;
    }
    match &o.due_range {
        Some((a, b)) if a != b => {
            o.message.push_str(&format!(
                " [provisional: the official due date may be {a} to {b}]"
            ));
            o.message_zh
                .push_str(&format!("〔暂定：正式截止日可能在 {a} 至 {b} 之间〕"));
        }
        _ => {
            o.message.push_str(" [provisional]");
            o.message_zh.push_str("〔暂定〕");
        }
    }
}

/// Name the failing deposits that did not count.
fn note_failing(o: &mut Obligation) {
    if o.failing.is_empty() || o.state == State::Satisfied {
        return;
    }
    let named: Vec<String> = o
        .failing
        .iter()
        .map(|d| format!("{} (seq {})", d.label, d.seq))
        .collect();
    let named_zh: Vec<String> = o
        .failing
        .iter()
        .map(|d| format!("{}（序号 {}）", d.label, d.seq))
        .collect();
    let last = o.failing.last().map_or(0, |d| d.seq);
    o.message.push_str(&format!(
        "; deposit {} failed its check and does not count (the vendor must deposit a passing update, or the hospital may accept it: escrow accept {last} --reason \"...\")",
        named.join(", ")
    ));
    o.message_zh.push_str(&format!(
        "；入库 {}未通过检查，不算履行（须由乙方重新交付并通过检查，或由医院说明理由后接受：escrow accept {last} --reason \"…\"）",
        named_zh.join("、")
    ));
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

/// Past the due date with nothing acceptable inside the window: late if one came afterwards,
/// else overdue, whatever the calendar says; only the count of days late may be unknown.
fn past_due(
    o: &mut Obligation,
    what: &What,
    cal: &Calendar,
    deps: &[&Dep],
    due: Date,
    today: Date,
) {
    let late_dep = deps.iter().find(|d| d.counts && d.date > due);
    let until = late_dep.map_or(today, |d| d.date);
    // The due date is official; only the count of days late may rest on provisional days.
    let (est_en, est_zh) = if cal.any_provisional(due, until) {
        (" (counted with provisional dates)", "（按暂定日期计算）")
    } else {
        ("", "")
    };
    let late = cal.working_days_between(due, until).ok();
    o.working_days_late = late;
    let days_en = late.map_or_else(
        || "working days late: unknown beyond the calendar".to_owned(),
        |n| format!("{n} working days late{est_en}"),
    );
    let days_zh = late.map_or_else(
        || "超期的工作日数超出日历范围，无法计算".to_owned(),
        |n| format!("晚了 {n} 个工作日{est_zh}"),
    );
    if let Some(d) = late_dep {
        o.state = State::Late;
        let (en, zh) = met_by(&d.r);
        o.message = format!("{}: LATE: due {due}, {en}, {days_en}", what.en);
        o.message_zh = format!("{}：迟交：截止日 {due}，{zh}，{days_zh}", what.zh);
        o.delivered_late = Some(d.r.clone());
    } else {
        o.state = State::Overdue;
        let (none_en, none_zh) = if o.kind == "answer" {
            ("no answer yet", "至今未答复")
        } else if deps.iter().any(|d| !d.counts) {
            ("no passing delivery yet", "至今没有通过检查的交付")
        } else {
            ("nothing delivered yet", "至今未交付")
        };
        o.message = format!("{}: OVERDUE since {due}, {none_en}, {days_en}", what.en);
        let overdue_zh = late.map_or_else(
            || "已逾期（超期的工作日数超出日历范围，无法计算）".to_owned(),
            |n| format!("已逾期 {n} 个工作日{est_zh}"),
        );
        o.message_zh = format!("{}：截止日 {due}，{none_zh}，{overdue_zh}", what.zh);
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
            ..LedgerEntry::default()
        }
    }

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    fn terms(update: Deadline, delivery: Deadline) -> Terms {
        Terms {
            update,
            delivery,
            ..Terms::default()
        }
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
        let s = status(&entries, &cal, &terms(ten, ten), d("2026-11-21"));
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
        let s = status(&entries, &cal, &terms(ten, ten), d("2026-11-21"));
        assert_eq!(s.obligations[0].state, State::Late);
        assert_eq!(s.obligations[0].working_days_late, Some(1));
        // Nothing deposited, today 2026-10-22: overdue by 2 working days.
        let s = status(&entries[..1], &cal, &terms(ten, ten), d("2026-10-22"));
        assert_eq!(s.obligations[0].state, State::Overdue);
        assert_eq!(s.obligations[0].working_days_late, Some(2));
        assert_eq!(s.overdue, 1);
        // Pending: today 2026-10-09 (Fri); 10/10 is a make-up Saturday.
        let s = status(&entries[..1], &cal, &terms(ten, ten), d("2026-10-09"));
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
        let s = status(&entries, &cal, &terms(ten, thirty), d("2026-06-05"));
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
        let s = status(&entries, &cal, &terms(ten, ten), d("2027-01-05"));
        assert_eq!(s.obligations[0].state, State::Overdue);
        assert_eq!(s.overdue, 1);
        // Due beyond the calendar, but answered the next day.
        let entries = vec![
            ev(0, "golive", "y", "2026-12-28", "2026-12-28T01:00:00Z"),
            ev(1, "deposit", "v9", "", "2026-12-29T01:00:00Z"),
        ];
        let s = status(&entries, &cal, &terms(ten, ten), d("2026-12-30"));
        assert_eq!(s.obligations[0].state, State::Satisfied);
    }

    #[test]
    fn beyond_the_calendar_is_unknown() {
        let cal = Calendar::cn_official();
        let ten = Deadline::WorkingDays(10);
        let entries = vec![ev(0, "golive", "x", "2026-12-28", "2026-12-28T01:00:00Z")];
        let s = status(&entries, &cal, &terms(ten, ten), d("2026-12-29"));
        assert_eq!(s.obligations[0].state, State::Unknown);
        assert_eq!(s.unknown, 1);
        assert!(
            s.obligations[0].message.contains("2027"),
            "{}",
            s.obligations[0].message
        );
    }

    fn with(mut e: LedgerEntry, f: impl FnOnce(&mut LedgerEntry)) -> LedgerEntry {
        f(&mut e);
        e
    }

    #[test]
    fn only_passing_or_accepted_deposits_count_and_for_restricts() {
        let cal = Calendar::cn();
        let t = Terms::default();
        let golive = |seq, name, date: &str| ev(seq, "golive", name, date, "2026-11-02T01:00:00Z");
        let entries = vec![
            golive(0, "a", "2026-11-02"),
            golive(1, "b", "2026-11-02"),
            with(
                ev(2, "deposit", "broken", "", "2026-11-03T01:00:00Z"),
                |e| {
                    e.verdict = "fail".to_owned();
                },
            ),
            with(ev(3, "deposit", "for-a", "", "2026-11-04T01:00:00Z"), |e| {
                e.verdict = "pass".to_owned();
                e.answers = vec![0];
            }),
        ];
        let s = status(&entries, &cal, &t, d("2026-11-05"));
        assert_eq!(s.obligations[0].state, State::Satisfied);
        assert_eq!(
            s.obligations[0].satisfied_by.as_ref().unwrap().label,
            "for-a"
        );
        assert_eq!(s.obligations[1].state, State::Pending, "for-a is not for b");
        assert_eq!(s.obligations[1].failing[0].label, "broken");
        assert!(!s.deposits[0].counts && s.deposits[0].met.is_empty());
        // Accepted: the failing deposit counts for b, and for a it came first.
        let mut accepted = entries.clone();
        accepted.push(with(
            ev(4, "accept", "", "2026-11-05", "2026-11-05T01:00:00Z"),
            |e| {
                e.target = Some(2);
                e.reason = "ok".to_owned();
            },
        ));
        let s = status(&accepted, &cal, &t, d("2026-11-05"));
        assert_eq!(
            s.obligations[1].satisfied_by.as_ref().unwrap().label,
            "broken"
        );
        assert_eq!(
            s.obligations[0].satisfied_by.as_ref().unwrap().label,
            "for-a"
        );
        // Only for b: a deposit names a (`--for a`), so a deposit naming none does not meet it.
        assert_eq!(s.deposits[0].met, vec![1]);
        assert_eq!(s.deposits[0].accepted.as_deref(), Some("ok"));
        // The acceptance retracted: back to pending.
        accepted.push(with(
            ev(5, "retract", "", "2026-11-05", "2026-11-05T01:00:00Z"),
            |e| {
                e.target = Some(4);
                e.reason = "no".to_owned();
            },
        ));
        let s = status(&accepted, &cal, &t, d("2026-11-05"));
        assert_eq!(s.obligations[1].state, State::Pending);
        assert_eq!(s.retracted[0].seq, 4);
        assert_eq!(s.retracted[0].by, 5);
    }

    #[test]
    fn questions_are_answered_by_their_own_answers() {
        let cal = Calendar::cn();
        let t = Terms::default();
        let entries = vec![
            ev(0, "question", "q1", "2026-11-20", "2026-11-20T01:00:00Z"),
            ev(1, "question", "q2", "2026-11-20", "2026-11-20T01:00:00Z"),
            with(
                ev(2, "answer", "", "2026-11-26", "2026-11-26T01:00:00Z"),
                |e| {
                    e.target = Some(1);
                },
            ),
        ];
        let s = status(&entries, &cal, &t, d("2026-11-27"));
        assert_eq!(s.obligations[0].due.as_deref(), Some("2026-11-25"));
        assert_eq!(s.obligations[0].state, State::Overdue, "q1 has no answer");
        assert_eq!(
            s.obligations[1].state,
            State::Late,
            "q2 answered a day late"
        );
        assert_eq!(s.obligations[1].working_days_late, Some(1));
        assert_eq!((s.overdue, s.late), (1, 1));
    }
}
