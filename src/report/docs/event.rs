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
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.event_page(lang))
    }

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

// The printable page.

use super::status::{Chapters, due_cell, footer};
use crate::report::page::{Block, Field, Page, Signatory, Text, Tone};

impl EventDoc {
    /// The record's title: what was recorded.
    fn page_title(&self, lang: Lang) -> &'static str {
        match (lang, self.document.as_str()) {
            (Lang::En, "golive") => "Go-live record",
            (Lang::En, "payment") => "Final payment record",
            (Lang::En, "question") => "Question to the vendor",
            (Lang::En, "answer") => "Answer record",
            (Lang::En, "accept") => "Acceptance of a failing deposit",
            (Lang::En, "retract") => "Retraction record",
            (Lang::En, _) => "Holiday notice record",
            (Lang::Zh, "golive") => "上线记录",
            (Lang::Zh, "payment") => "尾款支付记录",
            (Lang::Zh, "question") => "向乙方提问记录",
            (Lang::Zh, "answer") => "答复记录",
            (Lang::Zh, "accept") => "接受未通过入库的记录",
            (Lang::Zh, "retract") => "撤销记录",
            (Lang::Zh, _) => "节假日安排加入记录",
        }
    }

    /// The verdict: recorded, with the sentence the terminal shows; a warning when the due
    /// date cannot be known or an answer came late.
    fn page_verdict(&self, lang: Lang) -> Block {
        let mut out = Vec::new();
        let style = HumanStyle { lang, color: false };
        let _ = self.render_human(style, &mut out);
        let text = String::from_utf8_lossy(&out);
        let first = text.lines().next().unwrap_or_default();
        let mut detail: String = first.chars().take(1).flat_map(char::to_uppercase).collect();
        detail.extend(first.chars().skip(1));
        let late = self.working_days_late.is_some_and(|n| n > 0);
        let unknown = self.due.is_none() && self.due_error.is_some();
        let (headline, tone) = match (lang, late || unknown) {
            (Lang::En, false) => ("RECORDED", Tone::Good),
            (Lang::Zh, false) => ("已记录", Tone::Good),
            (Lang::En, true) if late => ("RECORDED: answered late", Tone::Warn),
            (Lang::Zh, true) if late => ("已记录：答复迟交", Tone::Warn),
            (Lang::En, true) => ("RECORDED: the due date cannot be computed", Tone::Warn),
            (Lang::Zh, true) => ("已记录：无法计算截止日", Tone::Warn),
        };
        Block::Verdict {
            headline: headline.to_owned(),
            detail,
            tone,
        }
    }

    fn page_fields(&self, lang: Lang) -> Vec<Field> {
        let pk = |en, zh| super::pick(lang, en, zh);
        let event = match lang {
            Lang::En => self.document.clone(),
            Lang::Zh => crate::vault::ledger::event_zh(&self.document).to_owned(),
        };
        let mut f = vec![
            Field::new(pk("Entry", "记录类型"), event),
            Field::new(pk("Ledger seq", "账本序号"), self.seq.to_string()),
        ];
        if !self.name.is_empty() {
            let label = match self.document.as_str() {
                "golive" => pk("What went live", "上线内容"),
                "question" => pk("Question", "问题"),
                "calendar" => pk("Notice", "节假日安排"),
                _ => pk("Note", "说明"),
            };
            f.push(Field::new(label, self.name.clone()));
        }
        if let Some(t) = self.target {
            f.push(Field::new(pk("Refers to seq", "针对序号"), t.to_string()));
        }
        if !self.reason.is_empty() {
            f.push(Field::new(pk("Reason", "理由"), self.reason.clone()));
        }
        f.push(Field::new(pk("Date", "日期"), self.date.clone()));
        f.push(Field::new(
            pk("Recorded at", "记录时间"),
            crate::report::cst_time(&self.recorded_at, lang),
        ));
        if !self.deadline.is_empty() {
            f.push(Field::new(
                pk("Deadline", "期限"),
                deadline_text(&self.deadline, lang),
            ));
            f.push(Field::new(
                pk("Due", "截止日"),
                match (&self.due, &self.due_error) {
                    (None, Some(e)) => Text::toned(
                        format!("{}: {e}", pk("cannot tell", "无法计算")),
                        Tone::Warn,
                    ),
                    _ => due_cell(
                        self.due.as_deref(),
                        self.provisional,
                        self.due_range.as_ref(),
                        lang,
                    ),
                },
            ));
        }
        if let (Some(due), Some(late)) = (&self.answer_due, self.working_days_late) {
            let text = match (lang, late) {
                (Lang::En, 0) => format!("due {due}: in time"),
                (Lang::Zh, 0) => format!("截止日 {due}：按时"),
                (Lang::En, n) => format!("due {due}: {n} working days late"),
                (Lang::Zh, n) => format!("截止日 {due}：晚了 {n} 个工作日"),
            };
            let tone = if late == 0 { Tone::Good } else { Tone::Warn };
            f.push(Field::new(pk("Answer", "答复"), Text::toned(text, tone)));
        }
        f.push(Field::new(
            pk("Ledger head", "账本校验值"),
            Text::mono(self.ledger_head.clone()),
        ));
        f
    }

    /// The printable record of the event, to sign and file.
    fn event_page(&self, lang: Lang) -> Page {
        let pk = |en, zh| super::pick(lang, en, zh);
        let mut page = Page::new(lang, self.page_title(lang));
        page.subtitle = Some(match lang {
            Lang::En => format!("Ledger seq {} · {}", self.seq, self.date),
            Lang::Zh => format!("账本序号 {} · {}", self.seq, self.date),
        });
        page.footer = footer(&match lang {
            Lang::En => format!(
                "recorded {}",
                crate::report::cst_time(&self.recorded_at, lang)
            ),
            Lang::Zh => format!(
                "记录于 {}",
                crate::report::cst_time(&self.recorded_at, lang)
            ),
        });
        page.generated_at = Some(self.recorded_at.clone());
        page.push(self.page_verdict(lang));
        let mut ch = Chapters::new(lang);
        ch.next(&mut page, "What was recorded", "记录内容");
        page.push(Block::Fields(self.page_fields(lang)));
        if self.provisional {
            page.para(super::status::provisional_note(lang));
        }
        ch.next(&mut page, "Ledger head", "账本校验值");
        page.para(pk(
            "Write the ledger head above into the acceptance record, or mail it to both parties. Every entry written to the ledger prints a new one, and the latest counts.",
            "请将上面的账本校验值抄入验收记录，或发邮件给甲乙双方留存。每次写入账本都会产生新值，以最新一次为准。",
        ));
        page.push(Block::Code(format!(
            "escrow audit --head {}",
            self.ledger_head
        )));
        page.para(pk(
            "This command proves later that no entry up to this one was removed or edited. (The ledger head is not a snapshot id.)",
            "日后运行此命令可证明在此之前的记录没有被删除或改动。（账本校验值不是快照编号。）",
        ));
        ch.next(&mut page, "Signatures", "签字");
        page.push(Block::Signatures(vec![Signatory {
            role: pk("Recorded by (hospital)", "记录人（甲方）").to_owned(),
            name: None,
            lines: vec![
                pk("Signature:", "签字：").to_owned(),
                pk("Date:", "日期：").to_owned(),
            ],
        }]));
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn golive() -> EventDoc {
        let e = LedgerEntry {
            seq: 4,
            time: "2026-12-30T02:00:00Z".to_owned(),
            event: "golive".to_owned(),
            name: "门诊预约改版".to_owned(),
            date: "2026-12-30".to_owned(),
            ..LedgerEntry::default()
        };
        EventDoc::new(
            &e,
            &"d".repeat(64),
            "10 working days",
            Ok("2027-01-14".to_owned()),
        )
    }

    fn text(p: &Page) -> String {
        format!("{p:?}")
    }

    #[test]
    fn a_go_live_record_names_the_due_date_and_the_ledger_head() {
        let doc = golive().provisional(Some((
            crate::calendar::parse_date("2027-01-13").unwrap(),
            crate::calendar::parse_date("2027-01-15").unwrap(),
        )));
        let zh = doc.page(Lang::Zh).unwrap();
        assert_eq!(zh.title, "上线记录");
        assert_eq!(zh.generated_at.as_deref(), Some("2026-12-30T02:00:00Z"));
        let Block::Verdict { tone, detail, .. } = &zh.blocks[0] else {
            panic!()
        };
        assert_eq!(*tone, Tone::Good);
        assert!(
            detail.contains("「门诊预约改版」于 2026-12-30 上线（账本序号 4）"),
            "{detail}"
        );
        let t = text(&zh);
        for fact in [
            "2027-01-14*（暂定；正式可能为 2027-01-13 至 2027-01-15）",
            "10 个工作日",
            &format!("escrow audit --head {}", "d".repeat(64)),
            "一、记录内容",
            "二、账本校验值",
            "三、签字",
            "2026-12-30 10:00",
        ] {
            assert!(t.contains(fact), "{fact} missing: {t}");
        }
        let en = golive().page(Lang::En).unwrap();
        let t = text(&en);
        assert!(
            t.contains("\"2027-01-14\"") && !t.contains("provisional"),
            "{t}"
        );
        assert!(
            t.contains("1. What was recorded") && en.footer.starts_with("escrow "),
            "{t}"
        );
    }

    #[test]
    fn a_due_date_beyond_the_calendar_is_a_warning() {
        let e = LedgerEntry {
            seq: 1,
            time: "2026-12-30T02:00:00Z".to_owned(),
            event: "payment".to_owned(),
            date: "2030-12-30".to_owned(),
            ..LedgerEntry::default()
        };
        let doc = EventDoc::new(
            &e,
            &"d".repeat(64),
            "30 working days",
            Err("beyond 2030".to_owned()),
        );
        let p = doc.page(Lang::En).unwrap();
        let Block::Verdict { tone, .. } = &p.blocks[0] else {
            panic!()
        };
        assert_eq!(*tone, Tone::Warn);
        assert!(text(&p).contains("cannot tell: beyond 2030"));
    }
}
