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
            "账本校验值（ledger head）：{head}\n  请立即抄入验收记录或发邮件给甲乙双方留存；每次入库（deposit）、上线（golive）、付款（payment）都会产生新值，以最新一次为准。\n  日后运行 `escrow audit --head {head}` 可证明在此之前的记录没有被删除或改动。（这不是快照编号。）"
        ),
        Lang::En => format!(
            "Ledger head: {head}\n  Write it into the acceptance record now, or mail it to both parties; every deposit, go-live and payment prints a new one, and the latest counts.\n  Later, `escrow audit --head {head}` proves that no entry up to this one was removed or edited. (This is not the snapshot id.)"
        ),
    }
}

/// A go-live or final payment recorded in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDoc {
    /// The `golive` or `payment` document's schema version: currently 1.
    pub schema_version: u32,
    /// `golive` or `payment`: the command, and the ledger event.
    pub document: String,
    /// The event's ledger sequence number.
    pub seq: u64,
    /// What went live (`golive`), or the payment's note (`payment`; may be empty).
    pub name: String,
    /// The day it happened (YYYY-MM-DD, China Standard Time).
    pub date: String,
    /// UTC, RFC 3339: when it was recorded.
    pub recorded_at: String,
    /// The contract deadline it starts, e.g. "10 working days".
    pub deadline: String,
    /// The due date (YYYY-MM-DD), when the calendar covers it.
    pub due: Option<String>,
    /// Why the due date is unknown (the calendar does not cover it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_error: Option<String>,
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
            ledger_head: ledger_head.to_owned(),
        }
    }
}

impl Document for EventDoc {
    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        let golive = self.document == "golive";
        let (day, seq) = (&self.date, self.seq);
        match style.lang {
            Lang::En => {
                let what = if golive {
                    format!("go-live of {:?}", self.name)
                } else {
                    "final payment".to_owned()
                };
                match (&self.due, &self.due_error) {
                    (Some(due), _) => writeln!(
                        out,
                        "recorded the {what} on {day} (ledger seq {seq}): due {due} ({})",
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
                } else {
                    (format!(" {day} 的尾款支付"), "全部源代码的交付截止日")
                };
                let deadline = deadline_text(&self.deadline, Lang::Zh);
                match (&self.due, &self.due_error) {
                    (Some(due), _) => writeln!(
                        out,
                        "已记录{what}（账本序号 {seq}）：{owed}为 {due}（{deadline}）"
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
