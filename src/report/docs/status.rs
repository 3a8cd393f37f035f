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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObligationState {
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

/// A deposit that settled an obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepositRefDoc {
    /// The snapshot id: SHA-256 of its record, 64 hex digits.
    pub snapshot: String,
    /// The snapshot's label.
    pub label: String,
    /// The deposit's date in China Standard Time.
    pub date: String,
}

/// One obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationDoc {
    /// "update" (after a go-live) or "delivery" (after the final payment).
    pub kind: String,
    /// What started the clock: the feature's name, or "final payment".
    pub trigger: String,
    /// YYYY-MM-DD, China Standard Time.
    pub trigger_date: String,
    /// E.g. "10 working days".
    pub deadline: String,
    /// YYYY-MM-DD, when the calendar covers it.
    pub due: Option<String>,
    /// Where it stands today.
    pub state: ObligationState,
    /// Satisfied: the first deposit inside the window; `null` otherwise.
    pub satisfied_by: Option<DepositRefDoc>,
    /// Late: the first deposit after the window; `null` otherwise.
    pub delivered_late: Option<DepositRefDoc>,
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

/// Every obligation, in date order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusDoc {
    /// The `status` document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `status`.
    pub document: String,
    /// Today in China Standard Time (YYYY-MM-DD).
    pub today: String,
    /// The working-day calendar and the years it covers.
    pub calendar: String,
    /// The update deadline applied after each go-live, normalised (`10 working days`,
    /// `15 calendar days`); the manifest's `update-deadline`, default 10 working days.
    pub update_deadline: String,
    /// The delivery deadline applied after the final payment, normalised; the manifest's
    /// `delivery-deadline`, default 30 working days.
    pub delivery_deadline: String,
    /// Every obligation, ordered by the day its clock started, then by ledger position.
    pub obligations: Vec<ObligationDoc>,
    /// How many obligations are `overdue`.
    pub overdue: u64,
    /// How many obligations are `unknown` (the calendar does not cover the dates needed).
    pub unknown: u64,
}

fn deposit_ref(d: &DepositRef) -> DepositRefDoc {
    DepositRefDoc {
        snapshot: d.snapshot.clone(),
        label: d.label.clone(),
        date: d.date.clone(),
    }
}

impl StatusDoc {
    /// The document of the obligations worked out from the ledger.
    pub fn new(s: &Status) -> StatusDoc {
        StatusDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            today: s.today.clone(),
            calendar: s.calendar.clone(),
            update_deadline: s.update_deadline.clone(),
            delivery_deadline: s.delivery_deadline.clone(),
            obligations: s
                .obligations
                .iter()
                .map(|o| ObligationDoc {
                    kind: o.kind.clone(),
                    trigger: o.trigger.clone(),
                    trigger_date: o.trigger_date.clone(),
                    deadline: o.deadline.clone(),
                    due: o.due.clone(),
                    state: match o.state {
                        State::Satisfied => ObligationState::Satisfied,
                        State::Pending => ObligationState::Pending,
                        State::Overdue => ObligationState::Overdue,
                        State::Late => ObligationState::Late,
                        State::Unknown => ObligationState::Unknown,
                    },
                    satisfied_by: o.satisfied_by.as_ref().map(deposit_ref),
                    delivered_late: o.delivered_late.as_ref().map(deposit_ref),
                    working_days_left: o.working_days_left,
                    working_days_late: o.working_days_late,
                    message: o.message.clone(),
                    message_zh: o.message_zh.clone(),
                })
                .collect(),
            overdue: s.overdue,
            unknown: s.unknown,
        }
    }
}

/// The calendar's description ("cn (2024-01-01 to 2026-12-31)", "mon-fri") in Chinese.
fn calendar_zh(calendar: &str) -> String {
    if calendar == "mon-fri" {
        return "周一至周五".to_owned();
    }
    match calendar
        .strip_prefix("cn (")
        .and_then(|r| r.strip_suffix(')'))
        .and_then(|r| r.split_once(" to "))
    {
        Some((a, b)) => format!("国务院节假日安排（{a} 至 {b}）"),
        None => calendar.to_owned(),
    }
}

impl Document for StatusDoc {
    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        let zh = style.lang == Lang::Zh;
        if zh {
            writeln!(
                out,
                "今天 {}（北京时间）· 工作日日历：{} · 上线后 {}内交付更新 · 尾款支付后 {}内交付全部源代码",
                self.today,
                calendar_zh(&self.calendar),
                deadline_text(&self.update_deadline, Lang::Zh),
                deadline_text(&self.delivery_deadline, Lang::Zh)
            )?;
        } else {
            writeln!(
                out,
                "today {} (China Standard Time) · calendar {} · updates {} after go-live · delivery {} after final payment",
                self.today, self.calendar, self.update_deadline, self.delivery_deadline
            )?;
        }
        if self.obligations.is_empty() {
            if zh {
                writeln!(
                    out,
                    "还没有任何义务：用 `escrow golive` 记录功能上线，用 `escrow payment` 记录尾款支付"
                )?;
            } else {
                writeln!(
                    out,
                    "no obligations yet: record go-live events with `escrow golive` and the final payment with `escrow payment`"
                )?;
            }
        }
        for o in &self.obligations {
            let due = o.due.as_deref().unwrap_or("?");
            if zh {
                let tag = match o.state {
                    ObligationState::Satisfied => "已履行",
                    ObligationState::Pending => "未到期",
                    ObligationState::Overdue => "逾期未交",
                    ObligationState::Late => "迟交",
                    ObligationState::Unknown => "无法计算",
                };
                let kind = if o.kind == "update" {
                    "上线"
                } else {
                    "付尾款"
                };
                writeln!(
                    out,
                    "{}  {} {kind}  截止日 {due:<10}  {}",
                    super::pad(tag, 8),
                    o.trigger_date,
                    o.message_zh
                )?;
            } else {
                let tag = match o.state {
                    ObligationState::Satisfied => "ok     ",
                    ObligationState::Pending => "pending",
                    ObligationState::Overdue => "OVERDUE",
                    ObligationState::Late => "late   ",
                    ObligationState::Unknown => "unknown",
                };
                writeln!(
                    out,
                    "{tag}  {} {:<12} due {due:<10}  {}",
                    o.trigger_date, o.kind, o.message
                )?;
            }
        }
        if zh {
            writeln!(
                out,
                "共 {} 项义务：逾期未交 {} 项，无法计算 {} 项",
                self.obligations.len(),
                self.overdue,
                self.unknown
            )
        } else {
            writeln!(
                out,
                "{} obligations: {} overdue, {} unknown",
                self.obligations.len(),
                self.overdue,
                self.unknown
            )
        }
    }
}
