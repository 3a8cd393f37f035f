//! `status`: every contract obligation and where it stands.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::deadline_text;
use crate::obligations::{DepositRef, State, Status};
use crate::report::{Document, HumanStyle, Lang};

/// The `status` document's schema version.
pub const SCHEMA_VERSION: u32 = 1;
/// The `status` document's name.
pub const DOCUMENT: &str = "status";

/// Where an obligation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObligationState {
    /// The window closed with nothing acceptable delivered.
    Overdue,
    /// The window is open and nothing acceptable has arrived yet.
    Pending,
    /// Delivered after the window closed: a breach that stays on record.
    Late,
    /// The calendar cannot tell.
    Unknown,
    /// Delivered (or answered) inside the window.
    Satisfied,
}

impl ObligationState {
    fn of(s: State) -> ObligationState {
        match s {
            State::Satisfied => ObligationState::Satisfied,
            State::Pending => ObligationState::Pending,
            State::Overdue => ObligationState::Overdue,
            State::Late => ObligationState::Late,
            State::Unknown => ObligationState::Unknown,
        }
    }

    /// The state's word, padded for a column, in English or Chinese.
    pub(crate) fn word(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::En, ObligationState::Satisfied) => "ok     ",
            (Lang::En, ObligationState::Pending) => "pending",
            (Lang::En, ObligationState::Overdue) => "OVERDUE",
            (Lang::En, ObligationState::Late) => "LATE   ",
            (Lang::En, ObligationState::Unknown) => "unknown",
            (Lang::Zh, ObligationState::Satisfied) => "已履行",
            (Lang::Zh, ObligationState::Pending) => "未到期",
            (Lang::Zh, ObligationState::Overdue) => "逾期未交",
            (Lang::Zh, ObligationState::Late) => "迟交",
            (Lang::Zh, ObligationState::Unknown) => "无法计算",
        }
    }
}

/// A deposit (or an answer) that met an obligation, or failed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepositRefDoc {
    /// Its ledger position.
    pub seq: u64,
    /// The snapshot id: SHA-256 of its record, 64 hex digits (empty for an answer).
    pub snapshot: String,
    /// The snapshot's label (empty for an answer).
    pub label: String,
    /// Its date in China Standard Time.
    pub date: String,
}

/// One obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationDoc {
    /// "update" (after a go-live), "delivery" (after the final payment) or "answer" (after a
    /// question).
    pub kind: String,
    /// The ledger position of the go-live, payment or question (what `--retract` takes).
    pub seq: u64,
    /// What started the clock: the feature's name, "final payment", or the question.
    pub trigger: String,
    /// YYYY-MM-DD, China Standard Time.
    pub trigger_date: String,
    /// E.g. "10 working days".
    pub deadline: String,
    /// YYYY-MM-DD, when the calendar can tell.
    pub due: Option<String>,
    /// The due date rests on days computed from the statutory holidays, not read from an
    /// official notice.
    pub provisional: bool,
    /// Provisional: `[earliest, latest]` due date the official notice could give.
    pub due_range: Option<(String, String)>,
    /// Where it stands today.
    pub state: ObligationState,
    /// Satisfied: the first acceptable deposit (or answer) inside the window; `null` otherwise.
    pub satisfied_by: Option<DepositRefDoc>,
    /// Late: the first acceptable deposit (or answer) after the window; `null` otherwise.
    pub delivered_late: Option<DepositRefDoc>,
    /// Deposits made in the window that failed their check and were not accepted.
    pub failing: Vec<DepositRefDoc>,
    /// Pending: working days left until the due date; `null` otherwise.
    pub working_days_left: Option<u32>,
    /// Late or overdue: working days past the due date; `null` otherwise, or when the
    /// calendar cannot tell.
    pub working_days_late: Option<u32>,
    /// Where it stands and what is asked for, in English, one line.
    pub message: String,
    /// The same message in Chinese.
    pub message_zh: String,
}

/// A deposit, as the obligations see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepositLineDoc {
    /// Its ledger position.
    pub seq: u64,
    /// The snapshot's label.
    pub label: String,
    /// YYYY-MM-DD, China Standard Time.
    pub date: String,
    /// "pass" or "fail".
    pub verdict: String,
    /// Failing but accepted by the hospital: the reason recorded.
    pub accepted: Option<String>,
    /// The seq of the `accept` entry (what `accept --retract` takes).
    pub accepted_by: Option<u64>,
    /// Whether it counts for obligations (passed, or accepted).
    pub counts: bool,
    /// The go-lives it was deposited for (`deposit --for`).
    pub for_golives: Vec<String>,
    /// The `seq` of each obligation it met in time.
    pub met: Vec<u64>,
    /// The `seq` of each obligation it met after the due date. Both empty: unmatched.
    pub late_for: Vec<u64>,
}

/// An entry withdrawn by a later `retract` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetractionDoc {
    /// The withdrawn entry's ledger position.
    pub seq: u64,
    /// Its event ("golive", "payment", "question", "answer", "accept", "calendar").
    pub event: String,
    /// `answer`, `accept`: the seq of the entry it referred to.
    pub target: Option<u64>,
    /// What it said.
    pub name: String,
    /// The day it gave.
    pub date: String,
    /// The `retract` entry's position.
    pub by: u64,
    /// Why.
    pub reason: String,
}

/// A contract amendment recorded with `deposit --amend-terms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmendmentDoc {
    /// The deposit's ledger position.
    pub seq: u64,
    /// Its label.
    pub label: String,
    /// The day from which its terms apply (YYYY-MM-DD).
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

/// The contract, as the vault's latest manifest names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractDoc {
    /// `[contract] id`.
    pub id: Option<String>,
    /// `[contract] title`.
    pub title: Option<String>,
    /// `[contract] vendor`.
    pub vendor: Option<String>,
    /// `[contract] client`.
    pub client: Option<String>,
}

/// Every obligation, in date order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusDoc {
    /// The `status` document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `status`.
    pub document: String,
    /// The contract (from the latest deposit's manifest, or `--manifest`).
    pub contract: ContractDoc,
    /// Today in China Standard Time (YYYY-MM-DD).
    pub today: String,
    /// The working-day calendar and the dates its official notices cover.
    pub calendar: String,
    /// The update deadline applied after each go-live, normalised (`10 working days`,
    /// `15 calendar days`); the manifest's `update-deadline`, default 10 working days.
    pub update_deadline: String,
    /// The delivery deadline applied after the final payment, normalised; the manifest's
    /// `delivery-deadline`, default 30 working days.
    pub delivery_deadline: String,
    /// The answer deadline applied after each question; the manifest's `answer-deadline`,
    /// default 3 working days.
    pub answer_deadline: String,
    /// Every obligation, ordered by the day its clock started, then by ledger position.
    pub obligations: Vec<ObligationDoc>,
    /// Every deposit, in ledger order, with the obligations it met.
    pub deposits: Vec<DepositLineDoc>,
    /// Entries withdrawn by `--retract`, with the reason.
    pub retracted: Vec<RetractionDoc>,
    /// Contract amendments (`deposit --amend-terms`): obligations that start on or after an
    /// amendment's day are measured by its terms.
    pub amendments: Vec<AmendmentDoc>,
    /// How many obligations are `overdue`.
    pub overdue: u64,
    /// How many were met `late`.
    pub late: u64,
    /// How many are `pending`.
    pub pending: u64,
    /// How many are `unknown` (the calendar cannot tell).
    pub unknown: u64,
    /// How many rest on provisional dates.
    pub provisional: u64,
}

fn deposit_ref(d: &DepositRef) -> DepositRefDoc {
    DepositRefDoc {
        seq: d.seq,
        snapshot: d.snapshot.clone(),
        label: d.label.clone(),
        date: d.date.clone(),
    }
}

impl StatusDoc {
    /// The document of the obligations worked out from the ledger.
    pub fn new(s: &Status, contract: ContractDoc) -> StatusDoc {
        StatusDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            contract,
            today: s.today.clone(),
            calendar: s.calendar.clone(),
            update_deadline: s.update_deadline.clone(),
            delivery_deadline: s.delivery_deadline.clone(),
            answer_deadline: s.answer_deadline.clone(),
            obligations: s
                .obligations
                .iter()
                .map(|o| ObligationDoc {
                    kind: o.kind.clone(),
                    seq: o.seq,
                    trigger: o.trigger.clone(),
                    trigger_date: o.trigger_date.clone(),
                    deadline: o.deadline.clone(),
                    due: o.due.clone(),
                    provisional: o.provisional,
                    due_range: o.due_range.clone(),
                    state: ObligationState::of(o.state),
                    satisfied_by: o.satisfied_by.as_ref().map(deposit_ref),
                    delivered_late: o.delivered_late.as_ref().map(deposit_ref),
                    failing: o.failing.iter().map(deposit_ref).collect(),
                    working_days_left: o.working_days_left,
                    working_days_late: o.working_days_late,
                    message: o.message.clone(),
                    message_zh: o.message_zh.clone(),
                })
                .collect(),
            deposits: s
                .deposits
                .iter()
                .map(|d| DepositLineDoc {
                    seq: d.seq,
                    label: d.label.clone(),
                    date: d.date.clone(),
                    verdict: d.verdict.clone(),
                    accepted: d.accepted.clone(),
                    accepted_by: d.accepted_by,
                    counts: d.counts,
                    for_golives: d.for_golives.clone(),
                    met: d.met.clone(),
                    late_for: d.late_for.clone(),
                })
                .collect(),
            retracted: s
                .retracted
                .iter()
                .map(|r| RetractionDoc {
                    seq: r.seq,
                    event: r.event.clone(),
                    target: r.target,
                    name: r.name.clone(),
                    date: r.date.clone(),
                    by: r.by,
                    reason: r.reason.clone(),
                })
                .collect(),
            amendments: s
                .amendments
                .iter()
                .map(|a| AmendmentDoc {
                    seq: a.seq,
                    label: a.label.clone(),
                    date: a.date.clone(),
                    update_deadline: a.update_deadline.clone(),
                    delivery_deadline: a.delivery_deadline.clone(),
                    answer_deadline: a.answer_deadline.clone(),
                    reason: a.reason.clone(),
                })
                .collect(),
            overdue: s.overdue,
            late: s.late,
            pending: s.pending,
            unknown: s.unknown,
            provisional: s.provisional,
        }
    }

    /// Whether any obligation is in breach: overdue, or (with `strict`) met late too.
    pub fn breached(&self, strict: bool) -> bool {
        self.overdue > 0 || (strict && self.late > 0)
    }
}

/// The calendar's description ("cn (2024-01-01 to 2026-12-31)", "mon-fri") in Chinese.
pub(crate) fn calendar_zh(calendar: &str) -> String {
    if calendar == "mon-fri" {
        return "周一至周五".to_owned();
    }
    match calendar
        .strip_prefix("cn (")
        .and_then(|r| r.strip_suffix(')'))
        .and_then(|r| r.split_once(" to "))
    {
        Some((a, b)) => format!("国务院节假日安排（正式发布 {a} 至 {b}，其后按法定节假日暂定）"),
        None => calendar.to_owned(),
    }
}

fn kind_word(kind: &str, lang: Lang) -> &'static str {
    match (lang, kind) {
        (Lang::Zh, "update") => "上线",
        (Lang::Zh, "answer") => "提问",
        (Lang::Zh, _) => "付尾款",
        (Lang::En, "update") => "update  ",
        (Lang::En, "answer") => "answer  ",
        (Lang::En, _) => "delivery",
    }
}

impl StatusDoc {
    fn header(&self, zh: bool, out: &mut dyn Write) -> io::Result<()> {
        let c = &self.contract;
        let name = c.title.as_deref().or(c.id.as_deref()).unwrap_or(if zh {
            "（合同未命名）"
        } else {
            "(unnamed contract)"
        });
        let vendor = c.vendor.as_deref().unwrap_or("?");
        if zh {
            writeln!(out, "合同：{name} · 乙方：{vendor}")?;
            writeln!(
                out,
                "今天 {}（北京时间）· 工作日日历：{}",
                self.today,
                calendar_zh(&self.calendar)
            )?;
            writeln!(
                out,
                "期限：上线后 {}内交付更新 · 尾款支付后 {}内交付全部源代码 · 提问后 {}内答复",
                deadline_text(&self.update_deadline, Lang::Zh),
                deadline_text(&self.delivery_deadline, Lang::Zh),
                deadline_text(&self.answer_deadline, Lang::Zh)
            )
        } else {
            writeln!(out, "contract: {name} · vendor: {vendor}")?;
            writeln!(
                out,
                "today {} (China Standard Time) · calendar {} (official notices; later dates provisional)",
                self.today, self.calendar
            )?;
            writeln!(
                out,
                "deadlines: updates {} after go-live · delivery {} after final payment · answers {} after a question",
                self.update_deadline, self.delivery_deadline, self.answer_deadline
            )
        }
    }

    fn deposits_section(&self, zh: bool, out: &mut dyn Write) -> io::Result<()> {
        if self.deposits.is_empty() {
            return Ok(());
        }
        writeln!(out, "{}", if zh { "入库记录：" } else { "Deposits:" })?;
        for d in &self.deposits {
            let verdict = match (zh, d.verdict.as_str(), &d.accepted) {
                (true, "fail", Some(_)) => "不通过（医院已接受）",
                (true, "fail", None) => "不通过",
                (true, _, _) => "通过",
                (false, "fail", Some(_)) => "FAIL (accepted by the hospital)",
                (false, "fail", None) => "FAIL",
                (false, _, _) => "pass",
            };
            let list =
                |v: &[u64], sep: &str| v.iter().map(u64::to_string).collect::<Vec<_>>().join(sep);
            let mut met = Vec::new();
            if !d.met.is_empty() {
                met.push(if zh {
                    format!("履行序号 {} 的义务", list(&d.met, "、"))
                } else {
                    format!("meets the obligation(s) of seq {}", list(&d.met, ", "))
                });
            }
            if !d.late_for.is_empty() {
                met.push(if zh {
                    format!("迟交序号 {} 的义务", list(&d.late_for, "、"))
                } else {
                    format!("late for seq {}", list(&d.late_for, ", "))
                });
            }
            if met.is_empty() && !d.counts {
                met.push(if zh {
                    "未通过检查，不算履行任何义务".to_owned()
                } else {
                    "failed its check: meets no obligation".to_owned()
                });
            } else if met.is_empty() {
                met.push(if zh {
                    "未对应任何未履行的义务".to_owned()
                } else {
                    "meets no open obligation".to_owned()
                });
            }
            let met = met.join(" · ");
            let for_ = if d.for_golives.is_empty() {
                String::new()
            } else if zh {
                format!(" · 对应上线：{}", d.for_golives.join("、"))
            } else {
                format!(" · for: {}", d.for_golives.join(", "))
            };
            let reason = match (&d.accepted, d.accepted_by) {
                (Some(r), Some(by)) if zh => format!(" · 接受理由：{r}（接受记录序号 {by}）"),
                (Some(r), Some(by)) => format!(" · accepted because: {r} (acceptance seq {by})"),
                _ => String::new(),
            };
            if zh {
                writeln!(
                    out,
                    "  序号 {} {} {} · {verdict} · {met}{for_}{reason}",
                    d.seq, d.date, d.label
                )?;
            } else {
                writeln!(
                    out,
                    "  seq {} {} {} · {verdict} · {met}{for_}{reason}",
                    d.seq, d.date, d.label
                )?;
            }
        }
        Ok(())
    }

    fn amendments_section(&self, zh: bool, out: &mut dyn Write) -> io::Result<()> {
        for a in &self.amendments {
            if zh {
                writeln!(
                    out,
                    "! 合同期限已变更（序号 {} 的入库「{}」，{} 起开始的义务适用）：上线后 {}、尾款后 {}、提问后 {}；理由：{}",
                    a.seq,
                    a.label,
                    a.date,
                    deadline_text(&a.update_deadline, Lang::Zh),
                    deadline_text(&a.delivery_deadline, Lang::Zh),
                    deadline_text(&a.answer_deadline, Lang::Zh),
                    a.reason
                )?;
            } else {
                writeln!(
                    out,
                    "! contract terms amended (deposit {:?}, seq {}; for obligations starting on or after {}): updates {}, delivery {}, answers {}; reason: {}",
                    a.label,
                    a.seq,
                    a.date,
                    a.update_deadline,
                    a.delivery_deadline,
                    a.answer_deadline,
                    a.reason
                )?;
            }
        }
        Ok(())
    }

    fn retracted_section(&self, zh: bool, out: &mut dyn Write) -> io::Result<()> {
        if self.retracted.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "{}",
            if zh {
                "已撤销的记录（保留在账本中，不再计算）："
            } else {
                "Retracted entries (kept in the ledger, no longer counted):"
            }
        )?;
        for r in &self.retracted {
            if zh {
                let what = match (r.event.as_str(), r.target) {
                    ("accept" | "answer", Some(t)) => format!("（针对序号 {t}）"),
                    _ if r.name.is_empty() => String::new(),
                    _ => format!("「{}」", r.name),
                };
                writeln!(
                    out,
                    "  序号 {} {}{what} {} · 由序号 {} 撤销，理由：{}",
                    r.seq,
                    crate::vault::ledger::event_zh(&r.event),
                    r.date,
                    r.by,
                    r.reason
                )?;
            } else {
                let what = match (r.event.as_str(), r.target) {
                    ("accept" | "answer", Some(t)) => format!(" (of seq {t})"),
                    _ if r.name.is_empty() => String::new(),
                    _ => format!(" {:?}", r.name),
                };
                writeln!(
                    out,
                    "  seq {} {}{what} {} · retracted by seq {}: {}",
                    r.seq, r.event, r.date, r.by, r.reason
                )?;
            }
        }
        Ok(())
    }
}

impl Document for StatusDoc {
    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        let zh = style.lang == Lang::Zh;
        self.header(zh, out)?;
        if self.obligations.is_empty() {
            if zh {
                writeln!(
                    out,
                    "还没有任何义务：用 `escrow golive` 记录功能上线，用 `escrow payment` 记录尾款支付，用 `escrow question` 记录向乙方提出的问题"
                )?;
            } else {
                writeln!(
                    out,
                    "no obligations yet: record go-live events with `escrow golive`, the final payment with `escrow payment`, questions to the vendor with `escrow question`"
                )?;
            }
        }
        for o in &self.obligations {
            let due = o.due.as_deref().unwrap_or("?");
            let mark = if o.provisional { "*" } else { " " };
            if zh {
                writeln!(
                    out,
                    "{}  序号 {:<3} {} {}  截止日 {due:<10}{mark} {}",
                    super::pad(o.state.word(Lang::Zh), 8),
                    o.seq,
                    o.trigger_date,
                    kind_word(&o.kind, Lang::Zh),
                    o.message_zh
                )?;
            } else {
                writeln!(
                    out,
                    "{}  seq {:<3} {} {} due {due:<10}{mark} {}",
                    o.state.word(Lang::En),
                    o.seq,
                    o.trigger_date,
                    kind_word(&o.kind, Lang::En),
                    o.message
                )?;
            }
        }
        self.deposits_section(zh, out)?;
        self.retracted_section(zh, out)?;
        self.amendments_section(zh, out)?;
        if self.provisional > 0 {
            if zh {
                writeln!(
                    out,
                    "* 暂定日期：国务院尚未发布该年度节假日安排，按《全国年节及纪念日放假办法》规定的法定节假日（含农历春节、端午、中秋与清明节气）推算；正式通知发布后用 `escrow calendar add 文件` 加入，日期即以正式安排为准。"
                )?;
            } else {
                writeln!(
                    out,
                    "* provisional: the State Council has not published that year's holiday notice; computed from the statutory holidays (lunar Spring Festival, Dragon Boat and Mid-Autumn, the Qingming solar term). Add the notice with `escrow calendar add FILE` when it is out and the official dates replace these."
                )?;
            }
        }
        if zh {
            writeln!(
                out,
                "共 {} 项义务：逾期未交 {} 项，迟交 {} 项，未到期 {} 项，无法计算 {} 项，暂定日期 {} 项",
                self.obligations.len(),
                self.overdue,
                self.late,
                self.pending,
                self.unknown,
                self.provisional
            )
        } else {
            writeln!(
                out,
                "{} obligations: {} overdue, {} late, {} pending, {} unknown, {} provisional",
                self.obligations.len(),
                self.overdue,
                self.late,
                self.pending,
                self.unknown,
                self.provisional
            )
        }
    }
}
