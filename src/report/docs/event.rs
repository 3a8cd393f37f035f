//! `golive` and `payment`: an event recorded in the ledger, and the due date it starts.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::deadline_text;
use crate::report::{Document, HumanStyle, Lang};
use crate::vault::LedgerEntry;

/// The `golive` and `payment` documents' schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// What `deposit`, `golive` and `payment` say after appending to the ledger: the new ledger head
/// and what to do with it.
pub fn ledger_head_text(head: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "账本校验值（ledger head）：{head}\n  请立即抄入验收记录或发邮件给甲乙双方留存；每次写入账本（入库、上线、付款、提问、答复、接受、撤销、加入节假日安排）都会产生新值，以最新一次为准。\n  日后运行 `escrow audit --head {head}` 可证明在此之前的记录没有被删除或改动。（这不是快照编号。）"
        ),
        Lang::En => format!(
            "Ledger head: {head}\n  Write it into the acceptance record now, or mail it to both parties; every entry written to the ledger (deposit, go-live, payment, question, answer, acceptance, retraction, holiday notice) prints a new one, and the latest counts.\n  Later, `escrow audit --head {head}` proves that no entry up to this one was removed or edited. (This is not the snapshot id.)"
        ),
    }
}

/// An event recorded in the ledger: a go-live, the final payment, a question, an answer, the
/// acceptance of a failing deposit, a retraction, or a holiday notice added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDoc {
    /// The `golive` or `payment` document's schema version: currently 1.
    pub schema_version: u32,
    /// The ledger event: `golive`, `payment`, `question`, `answer`, `accept`, `retract` or
    /// `calendar`.
    pub document: String,
    /// The event's ledger sequence number.
    pub seq: u64,
    /// What went live (`golive`), the payment's or answer's note (may be empty), the question,
    /// or the notice's source (`calendar`).
    pub name: String,
    /// The day it happened (YYYY-MM-DD, China Standard Time).
    pub date: String,
    /// UTC, RFC 3339: when it was recorded.
    pub recorded_at: String,
    /// The contract deadline it starts, e.g. "10 working days" (empty for events that start
    /// none).
    pub deadline: String,
    /// The due date (YYYY-MM-DD), when the calendar covers it.
    pub due: Option<String>,
    /// Why the due date is unknown (the calendar does not cover it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_error: Option<String>,
    /// The due date rests on days computed from the statutory holidays, not an official
    /// notice.
    #[serde(default)]
    pub provisional: bool,
    /// Provisional: `[earliest, latest]` due date the official notice could give.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_range: Option<(String, String)>,
    /// `answer`: the question's due date, when the calendar can tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_due: Option<String>,
    /// `answer`: working days after that due date (0: in time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_days_late: Option<u32>,
    /// `answer`, `accept`, `retract`: the ledger position of the entry it refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<u64>,
    /// `accept`, `retract`: why.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// The ledger head after this entry: to be written into the acceptance record.
    pub ledger_head: String,
}

impl EventDoc {
    /// The document of a recorded event: `due` is the due date or why it cannot be known.
    pub fn new(
        entry: &LedgerEntry,
        ledger_head: &str,
        deadline: &str,
        due: Result<String, String>,
    ) -> EventDoc {
        let (due, due_error) = match due {
            Ok(d) => (Some(d), None),
            Err(e) if e.is_empty() => (None, None),
            Err(e) => (None, Some(e)),
        };
        EventDoc {
            schema_version: SCHEMA_VERSION,
            document: entry.event.clone(),
            seq: entry.seq,
            name: entry.name.clone(),
            date: entry.date.clone(),
            recorded_at: entry.time.clone(),
            deadline: deadline.to_owned(),
            due,
            due_error,
            provisional: false,
            due_range: None,
            answer_due: None,
            working_days_late: None,
            target: entry.target,
            reason: entry.reason.clone(),
            ledger_head: ledger_head.to_owned(),
        }
    }

    /// Mark the due date provisional, with the range (earliest, latest) the official notice
    /// could move it to.
    #[must_use]
    pub fn provisional(mut self, range: Option<(time::Date, time::Date)>) -> EventDoc {
        self.provisional = range.is_some();
        self.due_range = range.map(|(a, b)| (a.to_string(), b.to_string()));
        self
    }

    /// An answer's question's due date and how late the answer is.
    #[must_use]
    pub fn answer_due(mut self, due: Option<(time::Date, u32)>) -> EventDoc {
        if let Some((d, late)) = due {
            self.answer_due = Some(d.to_string());
            self.working_days_late = Some(late);
        }
        self
    }

    /// The line for events that start no clock.
    fn other_line(&self, lang: Lang) -> String {
        let seq = self.seq;
        let target = self.target.unwrap_or_default();
        match (lang, self.document.as_str()) {
            (Lang::En, "answer") => format!(
                "recorded the answer to the question at seq {target} on {} (ledger seq {seq}){}",
                self.date,
                match (&self.answer_due, self.working_days_late) {
                    (Some(due), Some(0)) => format!(": in time (due {due})"),
                    (Some(due), Some(n)) => format!(": LATE, due {due}, {n} working days late"),
                    _ => String::new(),
                }
            ),
            (Lang::Zh, "answer") => format!(
                "已记录 {} 对序号 {target} 问题的答复（账本序号 {seq}）{}",
                self.date,
                match (&self.answer_due, self.working_days_late) {
                    (Some(due), Some(0)) => format!("：按时（截止日 {due}）"),
                    (Some(due), Some(n)) => format!("：迟交，截止日 {due}，晚了 {n} 个工作日"),
                    _ => String::new(),
                }
            ),
            (Lang::En, "accept") => format!(
                "recorded that the hospital accepts the failing deposit at seq {target} (ledger seq {seq}), because: {}",
                self.reason
            ),
            (Lang::Zh, "accept") => format!(
                "已记录医院接受序号 {target} 的未通过入库（账本序号 {seq}），理由：{}",
                self.reason
            ),
            (Lang::En, "retract") => format!(
                "retracted the entry at seq {target} (ledger seq {seq}), because: {}; the ledger keeps both, and `escrow status` lists the retraction",
                self.reason
            ),
            (Lang::Zh, "retract") => format!(
                "已撤销序号 {target} 的记录（账本序号 {seq}），理由：{}；原记录与撤销记录都保留在账本中，`escrow status` 会列出",
                self.reason
            ),
            (Lang::En, _) => format!(
                "added the holiday notice {:?} to the vault (ledger seq {seq}); `escrow status` now counts with it",
                self.name
            ),
            (Lang::Zh, _) => format!(
                "已将节假日安排「{}」加入托管库（账本序号 {seq}）；此后 `escrow status` 按它计算",
                self.name
            ),
        }
    }
}

impl Document for EventDoc {
    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        let golive = self.document == "golive";
        let question = self.document == "question";
        let (day, seq) = (&self.date, self.seq);
        if !matches!(self.document.as_str(), "golive" | "payment" | "question") {
            writeln!(out, "{}", self.other_line(style.lang))?;
            return writeln!(out, "{}", ledger_head_text(&self.ledger_head, style.lang));
        }
        let (mark_en, mark_zh) = match &self.due_range {
            Some((a, b)) => (
                format!(
                    " [provisional: that year's holiday notice is not out yet; the official due date may be {a} to {b}]"
                ),
                format!(
                    "〔暂定：该年度国务院节假日安排尚未发布；正式截止日可能在 {a} 至 {b} 之间〕"
                ),
            ),
            None => (String::new(), String::new()),
        };
        match style.lang {
            Lang::En => {
                let what = if golive {
                    format!("go-live of {:?}", self.name)
                } else if question {
                    format!("question {:?}", self.name)
                } else {
                    "final payment".to_owned()
                };
                match (&self.due, &self.due_error) {
                    (Some(due), _) => writeln!(
                        out,
                        "recorded the {what} on {day} (ledger seq {seq}): due {due} ({}){mark_en}",
                        self.deadline
                    )?,
                    (None, err) => writeln!(
                        out,
                        "recorded the {what} on {day} (ledger seq {seq}); the due date is unknown: {}",
                        err.as_deref().unwrap_or("")
                    )?,
                }
            }
            Lang::Zh => {
                let (what, owed) = if golive {
                    (
                        format!("「{}」于 {day} 上线", self.name),
                        "更新源代码与修改说明的交付截止日",
                    )
                } else if question {
                    (
                        format!(" {day} 向乙方提出的问题「{}」", self.name),
                        "乙方答复截止日",
                    )
                } else {
                    (format!(" {day} 的尾款支付"), "全部源代码的交付截止日")
                };
                let deadline = deadline_text(&self.deadline, Lang::Zh);
                match (&self.due, &self.due_error) {
                    (Some(due), _) => writeln!(
                        out,
                        "已记录{what}（账本序号 {seq}）：{owed}为 {due}（{deadline}）{mark_zh}"
                    )?,
                    (None, err) => writeln!(
                        out,
                        "已记录{what}（账本序号 {seq}）；无法计算截止日（工作日日历未覆盖所需日期）：{}",
                        err.as_deref().unwrap_or("")
                    )?,
                }
            }
        }
        writeln!(out, "{}", ledger_head_text(&self.ledger_head, style.lang))
    }
}
