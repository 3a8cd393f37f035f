//! `status`: every contract obligation and where it stands.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::deadline_text;
use crate::obligations::{DepositRef, State, Status};
use crate::report::page::{Block, Chart, Field, Mark, MarkKind, Page, Table, Text, Tone};
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
    /// The ledger head the status was worked out from (64 hex digits), when the command gave
    /// it (`with_ledger_head`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_head: Option<String>,
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
            ledger_head: None,
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
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.status_page(lang))
    }

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

// The printable page.

pub(crate) use crate::report::page::Chapters;

/// A page's small print: `escrow VERSION · what`.
pub(crate) fn footer(what: &str) -> String {
    format!("escrow {} · {what}", env!("CARGO_PKG_VERSION"))
}

/// A table block, or `None` when it has no row (a page never shows an empty table).
pub(crate) fn table(header: &[&str], widths: &[u16], rows: Vec<Vec<Text>>) -> Option<Block> {
    (!rows.is_empty()).then(|| {
        Block::Table(Table {
            caption: None,
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            widths: widths.to_vec(),
            rows,
            note: None,
        })
    })
}

/// The tone of an obligation's state: overdue is bad; met late, pending or unknown want a
/// look; met in time is good.
pub(crate) fn state_tone(s: ObligationState) -> Tone {
    match s {
        ObligationState::Overdue => Tone::Bad,
        ObligationState::Late | ObligationState::Pending | ObligationState::Unknown => Tone::Warn,
        ObligationState::Satisfied => Tone::Good,
    }
}

/// The state's word for a printed page.
pub(crate) fn state_page_word(s: ObligationState, lang: Lang) -> &'static str {
    match (lang, s) {
        (Lang::En, ObligationState::Satisfied) => "met",
        (Lang::En, ObligationState::Pending) => "pending",
        (Lang::En, ObligationState::Overdue) => "overdue",
        (Lang::En, ObligationState::Late) => "met late",
        (Lang::En, ObligationState::Unknown) => "cannot tell",
        (Lang::Zh, s) => s.word(Lang::Zh),
    }
}

fn state_cell(s: ObligationState, lang: Lang) -> Text {
    Text::toned(state_page_word(s, lang), state_tone(s))
}

/// What an obligation asks for, short, with its deadline.
fn what_cell(o: &ObligationDoc, lang: Lang) -> String {
    let deadline = deadline_text(&o.deadline, lang);
    match (lang, o.kind.as_str()) {
        (Lang::En, "update") => format!("update after {:?} went live ({deadline})", o.trigger),
        (Lang::En, "answer") => format!("answer to {:?} ({deadline})", o.trigger),
        (Lang::En, _) => format!("full source delivery after the final payment ({deadline})"),
        (Lang::Zh, "update") => format!("「{}」上线后的更新（{deadline}）", o.trigger),
        (Lang::Zh, "answer") => format!("答复「{}」（{deadline}）", o.trigger),
        (Lang::Zh, _) => format!("尾款支付后交付全部源代码（{deadline}）"),
    }
}

/// The due date, `*` when provisional, with the range the official notice could give.
pub(crate) fn due_cell(
    due: Option<&str>,
    provisional: bool,
    range: Option<&(String, String)>,
    lang: Lang,
) -> Text {
    let Some(due) = due else {
        return Text::toned(super::pick(lang, "cannot tell", "无法计算"), Tone::Warn);
    };
    if !provisional {
        return Text::plain(due);
    }
    Text::toned(
        match (lang, range) {
            (Lang::En, Some((a, b))) if a != b => {
                format!("{due}* (provisional; officially {a} to {b})")
            }
            (Lang::Zh, Some((a, b))) if a != b => format!("{due}*（暂定；正式可能为 {a} 至 {b}）"),
            (Lang::En, _) => format!("{due}* (provisional)"),
            (Lang::Zh, _) => format!("{due}*（暂定）"),
        },
        Tone::Warn,
    )
}

/// Which deposit (or answer) met the obligation, or which failed.
fn met_cell(o: &ObligationDoc, lang: Lang) -> Text {
    let name = |d: &DepositRefDoc| match (lang, d.snapshot.is_empty()) {
        (Lang::En, true) => format!("answered {} (seq {})", d.date, d.seq),
        (Lang::Zh, true) => format!("{} 答复（序号 {}）", d.date, d.seq),
        (Lang::En, false) => format!("{} on {} (seq {})", d.label, d.date, d.seq),
        (Lang::Zh, false) => format!("{} 入库 {}（序号 {}）", d.date, d.label, d.seq),
    };
    if let Some(d) = &o.satisfied_by {
        return Text::toned(name(d), Tone::Good);
    }
    if let Some(d) = &o.delivered_late {
        let late = super::pick(lang, ", after the due date", "，已过截止日");
        return Text::toned(format!("{}{late}", name(d)), Tone::Warn);
    }
    if !o.failing.is_empty() {
        let names: Vec<String> = o
            .failing
            .iter()
            .map(|d| match lang {
                Lang::En => format!("{} (seq {})", d.label, d.seq),
                Lang::Zh => format!("{}（序号 {}）", d.label, d.seq),
            })
            .collect();
        return Text::toned(
            match lang {
                Lang::En => format!("{} failed its check: does not count", names.join(", ")),
                Lang::Zh => format!("{}未通过检查，不算履行", names.join("、")),
            },
            Tone::Bad,
        );
    }
    Text::plain(super::pick(lang, "nothing yet", "尚未交付"))
}

/// Working days left (pending) or late (overdue, met late).
fn days_cell(o: &ObligationDoc, lang: Lang) -> Text {
    match (o.state, o.working_days_left, o.working_days_late) {
        (ObligationState::Pending, Some(n), _) => Text::toned(
            match lang {
                Lang::En => format!("{n} left"),
                Lang::Zh => format!("还剩 {n} 个"),
            },
            Tone::Warn,
        ),
        (ObligationState::Overdue | ObligationState::Late, _, Some(n)) => Text::toned(
            match lang {
                Lang::En => format!("{n} late"),
                Lang::Zh => format!("晚了 {n} 个"),
            },
            state_tone(o.state),
        ),
        _ => Text::plain("—"),
    }
}

/// The mark of the day an obligation's clock started.
fn trigger_label(o: &ObligationDoc, lang: Lang) -> String {
    match (lang, o.kind.as_str()) {
        (Lang::En, "update") => format!("go-live: {}", o.trigger),
        (Lang::En, "answer") => format!("question: {}", o.trigger),
        (Lang::En, _) => "final payment".to_owned(),
        (Lang::Zh, "update") => format!("「{}」上线", o.trigger),
        (Lang::Zh, "answer") => format!("提问：{}", o.trigger),
        (Lang::Zh, _) => "尾款支付".to_owned(),
    }
}

/// The mark of a due date, its state in words.
fn due_label(o: &ObligationDoc, lang: Lang) -> String {
    let state = state_page_word(o.state, lang);
    let provisional = match (o.provisional, lang) {
        (false, _) => "",
        (true, Lang::En) => ", provisional",
        (true, Lang::Zh) => "，暂定",
    };
    match (lang, o.kind.as_str()) {
        (Lang::En, "update") => format!("update due: {} ({state}{provisional})", o.trigger),
        (Lang::En, "answer") => format!("answer due: {} ({state}{provisional})", o.trigger),
        (Lang::En, _) => format!("full delivery due ({state}{provisional})"),
        (Lang::Zh, "update") => format!("「{}」更新截止（{state}{provisional}）", o.trigger),
        (Lang::Zh, "answer") => format!("「{}」答复截止（{state}{provisional}）", o.trigger),
        (Lang::Zh, _) => format!("全部源代码交付截止（{state}{provisional}）"),
    }
}

/// The tone of a due date's mark: overdue bad; pending or provisional want a look; met good.
fn due_tone(o: &ObligationDoc) -> Tone {
    match o.state {
        ObligationState::Overdue => Tone::Bad,
        ObligationState::Satisfied if !o.provisional => Tone::Good,
        _ => Tone::Warn,
    }
}

/// A deposit's verdict in words: passed, failed (does not count), failed but accepted.
fn deposit_verdict(d: &DepositLineDoc, lang: Lang) -> Text {
    match (d.verdict.as_str(), d.accepted.as_deref(), lang) {
        ("fail", Some(r), Lang::En) => Text::toned(
            format!(
                "FAIL, accepted by the hospital: {r} (seq {})",
                d.accepted_by.unwrap_or_default()
            ),
            Tone::Good,
        ),
        ("fail", Some(r), Lang::Zh) => Text::toned(
            format!(
                "不通过，医院已接受：{r}（接受记录序号 {}）",
                d.accepted_by.unwrap_or_default()
            ),
            Tone::Good,
        ),
        ("fail", None, _) => Text::toned(
            super::pick(lang, "FAIL: does not count", "不通过，不算履行"),
            Tone::Bad,
        ),
        _ => Text::toned(super::pick(lang, "pass", "通过"), Tone::Good),
    }
}

/// Which obligations a deposit met, in time and late.
fn deposit_met(d: &DepositLineDoc, lang: Lang) -> Text {
    let list = |v: &[u64]| {
        v.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(super::pick(lang, ", ", "、"))
    };
    let mut parts = Vec::new();
    if !d.met.is_empty() {
        parts.push(match lang {
            Lang::En => format!("in time: seq {}", list(&d.met)),
            Lang::Zh => format!("按期履行序号 {}", list(&d.met)),
        });
    }
    if !d.late_for.is_empty() {
        parts.push(match lang {
            Lang::En => format!("late: seq {}", list(&d.late_for)),
            Lang::Zh => format!("迟交序号 {}", list(&d.late_for)),
        });
    }
    if !d.for_golives.is_empty() {
        parts.push(match lang {
            Lang::En => format!("for: {}", d.for_golives.join(", ")),
            Lang::Zh => format!("对应上线：{}", d.for_golives.join("、")),
        });
    }
    if d.met.is_empty() && d.late_for.is_empty() {
        parts.push(
            super::pick(
                lang,
                if d.counts {
                    "meets no open obligation"
                } else {
                    "meets no obligation"
                },
                if d.counts {
                    "未对应任何未履行的义务"
                } else {
                    "不算履行任何义务"
                },
            )
            .to_owned(),
        );
    }
    let tone = match (d.late_for.is_empty(), d.counts) {
        (_, false) => Tone::Bad,
        (false, true) => Tone::Warn,
        (true, true) => Tone::Plain,
    };
    Text::toned(parts.join(super::pick(lang, "; ", "；")), tone)
}

/// "2 updates and 1 answer" / "2 项更新、1 项答复": the obligations counted by kind.
fn kinds_phrase(obs: &[&ObligationDoc], lang: Lang) -> String {
    let mut parts = Vec::new();
    for (kind, one, many, zh) in [
        ("update", "update", "updates", "更新"),
        (
            "delivery",
            "full delivery",
            "full deliveries",
            "全部源代码交付",
        ),
        ("answer", "answer", "answers", "答复"),
    ] {
        let n = obs.iter().filter(|o| o.kind == kind).count();
        if n > 0 {
            parts.push(match lang {
                Lang::En => format!("{n} {}", if n == 1 { one } else { many }),
                Lang::Zh => format!("{n} 项{zh}"),
            });
        }
    }
    match lang {
        Lang::En => parts.join(" and "),
        Lang::Zh => parts.join("、"),
    }
}

impl StatusDoc {
    /// Record the ledger head the status was worked out from (shown on the printed page).
    #[must_use]
    pub fn with_ledger_head(mut self, head: &str) -> StatusDoc {
        self.ledger_head = Some(head.to_owned());
        self
    }

    fn vendor_name(&self, lang: Lang) -> String {
        self.contract
            .vendor
            .clone()
            .unwrap_or_else(|| super::pick(lang, "the vendor", "乙方").to_owned())
    }

    fn overdue_verdict(
        &self,
        overdue: &[&ObligationDoc],
        rest: &str,
        lang: Lang,
    ) -> (String, String, Tone) {
        let vendor = self.vendor_name(lang);

        let first = overdue
            .iter()
            .filter_map(|o| o.due.as_deref())
            .min()
            .unwrap_or("?");
        let most = overdue.iter().filter_map(|o| o.working_days_late).max();
        let n = overdue.len();
        match lang {
            Lang::En => (
                format!(
                    "OVERDUE: {n} obligation{} not met",
                    if n == 1 { "" } else { "s" }
                ),
                format!(
                    "{} {} overdue (the first was due {first}{}); chase {vendor} in writing now.{rest}",
                    kinds_phrase(overdue, lang),
                    if n == 1 { "is" } else { "are" },
                    most.map_or_else(String::new, |d| format!(", up to {d} working days late")),
                ),
                Tone::Bad,
            ),
            Lang::Zh => (
                format!("逾期：{n} 项义务未履行"),
                format!(
                    "{}已逾期（最早截止日 {first}{}）；请立即书面催告{vendor}。{rest}",
                    kinds_phrase(overdue, lang),
                    most.map_or_else(String::new, |d| format!("，最多已逾期 {d} 个工作日")),
                ),
                Tone::Bad,
            ),
        }
    }

    fn on_track_verdict(&self, lang: Lang) -> (String, String, Tone) {
        let next = self
            .obligations
            .iter()
            .filter(|o| o.state == ObligationState::Pending)
            .filter_map(|o| o.due.as_deref().map(|d| (d, o.working_days_left)))
            .min();
        let next = match (next, lang) {
            (Some((d, Some(n))), Lang::En) => {
                format!(" Next due date: {d} ({n} working days left).")
            }
            (Some((d, Some(n))), Lang::Zh) => format!("下一截止日 {d}（还剩 {n} 个工作日）。"),
            _ => String::new(),
        };
        match lang {
            Lang::En => (
                "ON TRACK: nothing overdue or late".to_owned(),
                format!(
                    "{} obligations: {} met in time, {} pending.{next}",
                    self.obligations.len(),
                    self.obligations.len() as u64 - self.pending,
                    self.pending
                ),
                Tone::Good,
            ),
            Lang::Zh => (
                "按期履行：没有逾期或迟交".to_owned(),
                format!(
                    "共 {} 项义务：按期履行 {} 项，未到期 {} 项。{next}",
                    self.obligations.len(),
                    self.obligations.len() as u64 - self.pending,
                    self.pending
                ),
                Tone::Good,
            ),
        }
    }

    /// The page's verdict: overdue, met late, cannot tell, nothing yet, or on track.
    fn page_verdict(&self, lang: Lang) -> Block {
        let of = |s: ObligationState| -> Vec<&ObligationDoc> {
            self.obligations.iter().filter(|o| o.state == s).collect()
        };
        let (overdue, late) = (of(ObligationState::Overdue), of(ObligationState::Late));
        let rest = match lang {
            Lang::En => format!(
                " Besides: {} met late, {} pending, {} met in time.",
                self.late,
                self.pending,
                of(ObligationState::Satisfied).len()
            ),
            Lang::Zh => format!(
                "另有迟交 {} 项，未到期 {} 项，按期履行 {} 项。",
                self.late,
                self.pending,
                of(ObligationState::Satisfied).len()
            ),
        };
        let (headline, detail, tone) = if !overdue.is_empty() {
            self.overdue_verdict(&overdue, &rest, lang)
        } else if !late.is_empty() {
            match lang {
                Lang::En => (
                    "MET LATE: nothing overdue".to_owned(),
                    format!(
                        "{} {} delivered after the due date: a breach that stays on record. {} pending.",
                        kinds_phrase(&late, lang),
                        if late.len() == 1 { "was" } else { "were" },
                        self.pending
                    ),
                    Tone::Warn,
                ),
                Lang::Zh => (
                    "有迟交：目前没有逾期未交的义务".to_owned(),
                    format!(
                        "{}在截止日后才交付，属违约，记录保留在账本中。未到期 {} 项。",
                        kinds_phrase(&late, lang),
                        self.pending
                    ),
                    Tone::Warn,
                ),
            }
        } else if self.unknown > 0 {
            match lang {
                Lang::En => (
                    "CANNOT TELL".to_owned(),
                    format!(
                        "The working-day calendar does not cover the due date of {} obligation(s): add the State Council's holiday notice with `escrow calendar add FILE`.",
                        self.unknown
                    ),
                    Tone::Warn,
                ),
                Lang::Zh => (
                    "无法计算".to_owned(),
                    format!(
                        "有 {} 项义务的截止日超出工作日日历范围：请用 `escrow calendar add 文件` 加入国务院节假日安排。",
                        self.unknown
                    ),
                    Tone::Warn,
                ),
            }
        } else if self.obligations.is_empty() {
            (
                super::pick(lang, "NO OBLIGATIONS YET", "尚无义务").to_owned(),
                super::pick(
                    lang,
                    "The ledger records no go-live, final payment or question yet.",
                    "账本中还没有上线、尾款支付或提问记录。",
                )
                .to_owned(),
                Tone::Plain,
            )
        } else {
            self.on_track_verdict(lang)
        };
        Block::Verdict {
            headline,
            detail,
            tone,
        }
    }
}

impl StatusDoc {
    /// The contract, its terms, the calendar, the day and the ledger head.
    fn page_fields(&self, lang: Lang) -> Block {
        let c = &self.contract;
        let opt = |v: &Option<String>| Text::plain(v.clone().unwrap_or_default());
        let pk = |en, zh| super::pick(lang, en, zh);
        let dl = |d: &str| deadline_text(d, lang);
        let mut fields = vec![
            Field::new(pk("Contract no.", "合同编号"), opt(&c.id)),
            Field::new(pk("Project", "项目名称"), opt(&c.title)),
            Field::new(pk("Client (hospital)", "甲方（医院）"), opt(&c.client)),
            Field::new(pk("Vendor", "乙方（供应商）"), opt(&c.vendor)),
            Field::new(
                pk("Updates", "更新期限"),
                match lang {
                    Lang::En => format!("{} after each go-live", self.update_deadline),
                    Lang::Zh => format!(
                        "上线后 {}内交付更新源代码与修改说明",
                        dl(&self.update_deadline)
                    ),
                },
            ),
            Field::new(
                pk("Full delivery", "交付期限"),
                match lang {
                    Lang::En => format!("{} after the final payment", self.delivery_deadline),
                    Lang::Zh => {
                        format!("尾款支付后 {}内交付全部源代码", dl(&self.delivery_deadline))
                    }
                },
            ),
            Field::new(
                pk("Answers", "答复期限"),
                match lang {
                    Lang::En => format!("{} after each question", self.answer_deadline),
                    Lang::Zh => format!("提问后 {}内答复", dl(&self.answer_deadline)),
                },
            ),
            Field::new(
                pk("Working days", "工作日日历"),
                match lang {
                    Lang::En => format!(
                        "{} (official notices; later dates provisional)",
                        self.calendar
                    ),
                    Lang::Zh => calendar_zh(&self.calendar),
                },
            ),
            Field::new(
                pk("As of", "截至日期"),
                match lang {
                    Lang::En => format!("{} (China Standard Time)", self.today),
                    Lang::Zh => format!("{}（北京时间）", self.today),
                },
            ),
        ];
        if let Some(head) = &self.ledger_head {
            fields.push(Field::new(
                pk("Ledger head", "账本校验值"),
                Text::mono(head.clone()),
            ));
        }
        Block::Fields(fields)
    }

    /// Go-lives, payments and questions; deposits and answers; due dates; today.
    fn page_timeline(&self, lang: Lang) -> Option<Block> {
        let mut marks = Vec::new();
        for o in &self.obligations {
            marks.push(Mark {
                date: o.trigger_date.clone(),
                label: trigger_label(o, lang),
                kind: MarkKind::Trigger,
                tone: Tone::Plain,
            });
            if let Some(due) = &o.due {
                marks.push(Mark {
                    date: due.clone(),
                    label: due_label(o, lang),
                    kind: MarkKind::Due,
                    tone: due_tone(o),
                });
            }
            let answer = o.satisfied_by.as_ref().or(o.delivered_late.as_ref());
            if let Some(a) = answer.filter(|a| a.snapshot.is_empty()) {
                let late = o.delivered_late.is_some();
                marks.push(Mark {
                    date: a.date.clone(),
                    label: match (lang, late) {
                        (Lang::En, false) => format!("answered: {}", o.trigger),
                        (Lang::En, true) => format!("answered late: {}", o.trigger),
                        (Lang::Zh, false) => format!("已答复：{}", o.trigger),
                        (Lang::Zh, true) => format!("迟交答复：{}", o.trigger),
                    },
                    kind: MarkKind::Deposit,
                    tone: if late { Tone::Warn } else { Tone::Good },
                });
            }
        }
        for d in &self.deposits {
            let verdict = match (lang, d.counts, d.verdict.as_str()) {
                (Lang::En, true, "fail") => "FAIL, accepted",
                (Lang::En, true, _) => "pass",
                (Lang::En, false, _) => "FAIL: does not count",
                (Lang::Zh, true, "fail") => "不通过，医院已接受",
                (Lang::Zh, true, _) => "通过",
                (Lang::Zh, false, _) => "不通过，不算履行",
            };
            marks.push(Mark {
                date: d.date.clone(),
                label: match lang {
                    Lang::En => format!("deposit {} ({verdict})", d.label),
                    Lang::Zh => format!("入库 {}（{verdict}）", d.label),
                },
                kind: MarkKind::Deposit,
                tone: if d.counts { Tone::Good } else { Tone::Bad },
            });
        }
        if marks.is_empty() {
            return None;
        }
        marks.sort_by(|a, b| a.date.cmp(&b.date));
        Some(Block::Chart(Chart::Timeline {
            title: super::pick(
                lang,
                "Go-lives, deposits and due dates",
                "上线、入库与截止日",
            )
            .to_owned(),
            marks,
            today: Some(self.today.clone()),
        }))
    }

    /// One row per obligation of the kinds given.
    fn obligation_rows(&self, answers: bool, lang: Lang) -> Vec<Vec<Text>> {
        self.obligations
            .iter()
            .filter(|o| (o.kind == "answer") == answers)
            .map(|o| {
                vec![
                    Text::plain(o.seq.to_string()),
                    Text::plain(what_cell(o, lang)),
                    Text::plain(o.trigger_date.clone()),
                    due_cell(o.due.as_deref(), o.provisional, o.due_range.as_ref(), lang),
                    state_cell(o.state, lang),
                    met_cell(o, lang),
                    days_cell(o, lang),
                ]
            })
            .collect()
    }

    fn deposit_rows(&self, lang: Lang) -> Vec<Vec<Text>> {
        self.deposits
            .iter()
            .map(|d| {
                vec![
                    Text::plain(d.seq.to_string()),
                    Text::mono(d.label.clone()),
                    Text::plain(d.date.clone()),
                    deposit_verdict(d, lang),
                    deposit_met(d, lang),
                ]
            })
            .collect()
    }

    fn retraction_rows(&self, lang: Lang) -> Vec<Vec<Text>> {
        self.retracted
            .iter()
            .map(|r| {
                let event = match lang {
                    Lang::En => r.event.clone(),
                    Lang::Zh => crate::vault::ledger::event_zh(&r.event).to_owned(),
                };
                let what = match (r.target, r.name.is_empty(), lang) {
                    (Some(t), _, Lang::En) => format!("{event} (of seq {t})"),
                    (Some(t), _, Lang::Zh) => format!("{event}（针对序号 {t}）"),
                    (None, true, _) => event,
                    (None, false, Lang::En) => format!("{event} {:?}", r.name),
                    (None, false, Lang::Zh) => format!("{event}「{}」", r.name),
                };
                vec![
                    Text::plain(r.seq.to_string()),
                    Text::plain(what),
                    Text::plain(r.date.clone()),
                    Text::plain(r.by.to_string()),
                    Text::plain(r.reason.clone()),
                ]
            })
            .collect()
    }

    fn amendment_rows(&self, lang: Lang) -> Vec<Vec<Text>> {
        self.amendments
            .iter()
            .map(|a| {
                vec![
                    Text::plain(a.seq.to_string()),
                    Text::mono(a.label.clone()),
                    Text::plain(a.date.clone()),
                    Text::plain(deadline_text(&a.update_deadline, lang)),
                    Text::plain(deadline_text(&a.delivery_deadline, lang)),
                    Text::plain(deadline_text(&a.answer_deadline, lang)),
                    Text::plain(a.reason.clone()),
                ]
            })
            .collect()
    }
}

/// Why a date is marked `*`: the human report's note, for print.
pub(crate) fn provisional_note(lang: Lang) -> &'static str {
    super::pick(
        lang,
        "* Provisional: the State Council has not published that year's holiday notice, so the date was computed from the statutory holidays (lunar Spring Festival, Dragon Boat and Mid-Autumn, the Qingming solar term). When the notice is out, add it with `escrow calendar add FILE`; the official dates then replace these.",
        "* 暂定日期：国务院尚未发布该年度节假日安排，按《全国年节及纪念日放假办法》规定的法定节假日（含农历春节、端午、中秋与清明节气）推算；正式通知发布后用 `escrow calendar add 文件` 加入，日期即以正式安排为准。",
    )
}

impl StatusDoc {
    /// What to do next: whom to chase and for what, most urgent first.
    fn next_steps(&self, lang: Lang) -> Vec<Text> {
        let vendor = self.vendor_name(lang);
        let message = |o: &ObligationDoc| match lang {
            Lang::En => o.message.clone(),
            Lang::Zh => o.message_zh.clone(),
        };
        let mut items = Vec::new();
        for (state, en, zh) in [
            (ObligationState::Overdue, "Chase", "书面催告"),
            (
                ObligationState::Unknown,
                "Add the holiday notice, then check",
                "加入节假日安排后再核对",
            ),
            (ObligationState::Pending, "Remind", "提醒"),
        ] {
            for o in self.obligations.iter().filter(|o| o.state == state) {
                let text = match (lang, state) {
                    (Lang::En, ObligationState::Unknown) => format!("{en}: {}", message(o)),
                    (Lang::Zh, ObligationState::Unknown) => format!("{zh}：{}", message(o)),
                    (Lang::En, _) => format!("{en} {vendor}: {}", message(o)),
                    (Lang::Zh, _) => format!("{zh}{vendor}：{}", message(o)),
                };
                items.push(Text::toned(text, state_tone(state)));
            }
        }
        for o in self
            .obligations
            .iter()
            .filter(|o| o.state == ObligationState::Late)
        {
            items.push(Text::toned(
                match lang {
                    Lang::En => format!("Keep on file (a breach on record): {}", o.message),
                    Lang::Zh => format!("留档备查（违约记录）：{}", o.message_zh),
                },
                Tone::Warn,
            ));
        }
        if self.provisional > 0 {
            items.push(Text::plain(super::pick(
                lang,
                "When the State Council publishes the holiday notice, add it with `escrow calendar add FILE` and print this report again: the dates marked * may move.",
                "国务院发布节假日安排后，用 `escrow calendar add 文件` 加入托管库并重新打印本报告：标 * 的日期可能变动。",
            )));
        }
        if items.is_empty() {
            items.push(Text::toned(
                super::pick(
                    lang,
                    "Nothing to chase at present.",
                    "目前没有需要催办的事项。",
                ),
                Tone::Good,
            ));
        }
        items
    }

    fn amendments_page(&self, ch: &mut Chapters, page: &mut Page, lang: Lang) {
        let pk = |en, zh| super::pick(lang, en, zh);
        let a_header = [
            pk("Deposit seq", "入库序号"),
            pk("Label", "标签"),
            pk("Applies from", "起始日"),
            pk("Updates", "更新期限"),
            pk("Full delivery", "交付期限"),
            pk("Answers", "答复期限"),
            pk("Reason", "理由"),
        ];
        if let Some(t) = table(
            &a_header,
            &[8, 14, 12, 12, 12, 12, 24],
            self.amendment_rows(lang),
        ) {
            ch.next(page, "Contract amendments", "合同期限变更");
            page.para(pk(
                "Obligations that start on or after an amendment's day are measured by its terms.",
                "自变更起始日起开始的义务，按变更后的期限计算。",
            ));
            page.push(t);
        }
    }

    /// The printable contract status report.
    fn status_page(&self, lang: Lang) -> Page {
        let pk = |en, zh| super::pick(lang, en, zh);
        let mut page = Page::new(lang, pk("Contract status", "合同履约状态"));
        let c = &self.contract;
        page.subtitle = match (&c.id, &c.title) {
            (Some(id), Some(t)) => Some(format!("{} {id} · {t}", pk("Contract", "合同编号"))),
            (Some(id), None) => Some(format!("{} {id}", pk("Contract", "合同编号"))),
            (None, Some(t)) => Some(t.clone()),
            (None, None) => None,
        };
        page.running_head = match &c.id {
            Some(id) => format!("{} · {id}", page.title),
            None => page.title.clone(),
        };
        page.footer = footer(&match lang {
            Lang::En => format!("status as of {} (China Standard Time)", self.today),
            Lang::Zh => format!("截至 {}（北京时间）的履约状态", self.today),
        });
        page.push(self.page_verdict(lang));
        let mut ch = Chapters::new(lang);
        ch.next(&mut page, "Contract and terms", "合同与期限");
        page.push(self.page_fields(lang));
        if let Some(chart) = self.page_timeline(lang) {
            ch.next(&mut page, "Timeline", "时间线");
            page.push(chart);
        }
        let header = [
            pk("Seq", "序号"),
            pk("What (deadline)", "事项（期限）"),
            pk("From", "起算日"),
            pk("Due", "截止日"),
            pk("State", "状态"),
            pk("Delivered", "交付情况"),
            pk("Working days", "工作日"),
        ];
        let widths = [6, 26, 12, 18, 10, 20, 10];
        if let Some(t) = table(&header, &widths, self.obligation_rows(false, lang)) {
            ch.next(&mut page, "Obligations", "交付义务");
            page.push(t);
        }
        let mut q_header = header;
        q_header[1] = pk("Question (deadline)", "问题（期限）");
        q_header[2] = pk("Asked", "提问日");
        q_header[5] = pk("Answered", "答复情况");
        if let Some(t) = table(&q_header, &widths, self.obligation_rows(true, lang)) {
            ch.next(&mut page, "Questions to the vendor", "向乙方提出的问题");
            page.push(t);
        }
        if self.provisional > 0 {
            page.para(provisional_note(lang));
        }
        let d_header = [
            pk("Seq", "序号"),
            pk("Label", "标签"),
            pk("Date", "入库日期"),
            pk("Check", "检查结论"),
            pk("Obligations met", "履行的义务"),
        ];
        if let Some(t) = table(&d_header, &[6, 16, 12, 26, 30], self.deposit_rows(lang)) {
            ch.next(&mut page, "Deposits", "入库记录");
            page.push(t);
        }
        let r_header = [
            pk("Seq", "序号"),
            pk("Entry", "记录"),
            pk("Date", "日期"),
            pk("Retracted by seq", "撤销记录序号"),
            pk("Reason", "理由"),
        ];
        if let Some(t) = table(&r_header, &[6, 24, 12, 10, 30], self.retraction_rows(lang)) {
            ch.next(&mut page, "Retracted entries", "已撤销的记录");
            page.para(pk(
                "Kept in the ledger, no longer counted.",
                "保留在账本中，不再计算。",
            ));
            page.push(t);
        }
        self.amendments_page(&mut ch, &mut page, lang);
        ch.next(&mut page, "What to do next", "下一步");
        page.push(Block::List {
            ordered: true,
            items: self.next_steps(lang),
        });
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obligation(
        kind: &str,
        seq: u64,
        trigger: &str,
        due: &str,
        state: ObligationState,
    ) -> ObligationDoc {
        ObligationDoc {
            kind: kind.to_owned(),
            seq,
            trigger: trigger.to_owned(),
            trigger_date: "2026-11-02".to_owned(),
            deadline: "10 working days".to_owned(),
            due: Some(due.to_owned()),
            provisional: false,
            due_range: None,
            state,
            satisfied_by: None,
            delivered_late: None,
            failing: Vec::new(),
            working_days_left: None,
            working_days_late: None,
            message: format!("message {seq}"),
            message_zh: format!("消息 {seq}"),
        }
    }

    fn doc() -> StatusDoc {
        let mut overdue = obligation(
            "update",
            0,
            "门诊预约改版",
            "2026-11-16",
            ObligationState::Overdue,
        );
        overdue.working_days_late = Some(10);
        overdue.failing.push(DepositRefDoc {
            seq: 1,
            snapshot: "ab".repeat(32),
            label: "v1.1-broken".to_owned(),
            date: "2026-11-05".to_owned(),
        });
        let mut pending = obligation(
            "answer",
            2,
            "接口文档在哪",
            "2027-01-08",
            ObligationState::Pending,
        );
        pending.trigger_date = "2026-12-28".to_owned();
        pending.provisional = true;
        pending.due_range = Some(("2027-01-07".to_owned(), "2027-01-11".to_owned()));
        pending.working_days_left = Some(3);
        StatusDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            contract: ContractDoc {
                id: Some("CY-2026-001".to_owned()),
                title: Some("HIS".to_owned()),
                vendor: Some("东软".to_owned()),
                client: Some("朝阳医院".to_owned()),
            },
            today: "2026-11-30".to_owned(),
            calendar: "cn (2024-01-01 to 2026-12-31)".to_owned(),
            update_deadline: "10 working days".to_owned(),
            delivery_deadline: "30 working days".to_owned(),
            answer_deadline: "3 working days".to_owned(),
            obligations: vec![overdue, pending],
            deposits: vec![DepositLineDoc {
                seq: 1,
                label: "v1.1-broken".to_owned(),
                date: "2026-11-05".to_owned(),
                verdict: "fail".to_owned(),
                accepted: None,
                accepted_by: None,
                counts: false,
                for_golives: Vec::new(),
                met: Vec::new(),
                late_for: Vec::new(),
            }],
            retracted: Vec::new(),
            amendments: Vec::new(),
            overdue: 1,
            late: 0,
            pending: 1,
            unknown: 0,
            provisional: 1,
            ledger_head: None,
        }
        .with_ledger_head(&"c".repeat(64))
    }

    fn headings(p: &Page) -> Vec<&str> {
        p.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn marks(p: &Page) -> Vec<(String, MarkKind, Tone)> {
        p.blocks
            .iter()
            .find_map(|b| match b {
                Block::Chart(Chart::Timeline { marks, today, .. }) => {
                    assert_eq!(today.as_deref(), Some("2026-11-30"));
                    Some(
                        marks
                            .iter()
                            .map(|m| (m.date.clone(), m.kind, m.tone))
                            .collect(),
                    )
                }
                _ => None,
            })
            .expect("a timeline")
    }

    fn all_text(p: &Page) -> String {
        format!("{p:?}")
    }

    #[test]
    fn the_status_page_says_what_is_overdue_and_marks_the_timeline() {
        let d = doc();
        let zh = d.page(Lang::Zh).unwrap();
        assert_eq!(zh.lang, "zh-CN");
        assert_eq!(zh.subtitle.as_deref(), Some("合同编号 CY-2026-001 · HIS"));
        assert_eq!(
            headings(&zh),
            [
                "一、合同与期限",
                "二、时间线",
                "三、交付义务",
                "四、向乙方提出的问题",
                "五、入库记录",
                "六、下一步"
            ]
        );
        let Block::Verdict {
            headline,
            detail,
            tone,
        } = &zh.blocks[0]
        else {
            panic!("the verdict comes first")
        };
        assert_eq!(*tone, Tone::Bad);
        assert!(headline.contains("逾期"), "{headline}");
        assert!(
            detail.contains("1 项更新已逾期") && detail.contains("东软"),
            "{detail}"
        );
        assert_eq!(
            marks(&zh),
            [
                ("2026-11-02".to_owned(), MarkKind::Trigger, Tone::Plain),
                ("2026-11-05".to_owned(), MarkKind::Deposit, Tone::Bad),
                ("2026-11-16".to_owned(), MarkKind::Due, Tone::Bad),
                ("2026-12-28".to_owned(), MarkKind::Trigger, Tone::Plain),
                ("2027-01-08".to_owned(), MarkKind::Due, Tone::Warn),
            ]
        );
        let text = all_text(&zh);
        for fact in [
            "2027-01-08*（暂定；正式可能为 2027-01-07 至 2027-01-11）",
            "逾期未交",
            "v1.1-broken（序号 1）",
            "v1.1-broken（序号 1）未通过检查",
            "不通过，不算履行",
            "书面催告东软：消息 0",
            "* 暂定日期",
            &"c".repeat(64),
            "朝阳医院",
        ] {
            assert!(text.contains(fact), "{fact} missing: {text}");
        }
        for b in &zh.blocks {
            if let Block::Table(t) = b {
                assert!(!t.rows.is_empty());
                assert!(t.rows.iter().all(|r| r.len() == t.header.len()));
            }
        }
        let en = d.page(Lang::En).unwrap();
        assert_eq!(headings(&en)[0], "1. Contract and terms");
        let text = all_text(&en);
        for fact in [
            "1 update is overdue",
            "2027-01-08* (provisional; officially 2027-01-07 to 2027-01-11)",
            "Chase 东软: message 0",
            "FAIL: does not count",
        ] {
            assert!(text.contains(fact), "{fact} missing: {text}");
        }
        assert!(en.footer.starts_with("escrow ") && en.footer.contains("2026-11-30"));
    }

    #[test]
    fn a_contract_on_track_reads_good_and_leaves_out_empty_sections() {
        let mut d = doc();
        d.obligations[0].state = ObligationState::Satisfied;
        d.obligations[0].working_days_late = None;
        d.obligations[0].satisfied_by = Some(DepositRefDoc {
            seq: 3,
            snapshot: "ab".repeat(32),
            label: "v1.2".to_owned(),
            date: "2026-11-10".to_owned(),
        });
        d.obligations.pop();
        d.deposits.clear();
        (d.overdue, d.pending, d.provisional) = (0, 0, 0);
        let p = d.page(Lang::En).unwrap();
        let Block::Verdict { tone, headline, .. } = &p.blocks[0] else {
            panic!()
        };
        assert_eq!(
            (*tone, headline.as_str()),
            (Tone::Good, "ON TRACK: nothing overdue or late")
        );
        assert_eq!(
            headings(&p),
            [
                "1. Contract and terms",
                "2. Timeline",
                "3. Obligations",
                "4. What to do next"
            ]
        );
        assert_eq!(
            marks(&p),
            [
                ("2026-11-02".to_owned(), MarkKind::Trigger, Tone::Plain),
                ("2026-11-16".to_owned(), MarkKind::Due, Tone::Good),
            ]
        );
        let text = all_text(&p);
        assert!(
            text.contains("v1.2 on 2026-11-10 (seq 3)") && text.contains("Nothing to chase"),
            "{text}"
        );
        assert!(!text.contains("Provisional"));
    }

    #[test]
    fn chinese_chapter_numbers() {
        let got: Vec<String> = [1, 9, 10, 12, 20, 21]
            .into_iter()
            .map(crate::report::page::numeral_zh)
            .collect();
        assert_eq!(got, ["一", "九", "十", "十二", "二十", "二十一"]);
    }
}
