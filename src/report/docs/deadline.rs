//! `deadline`: a due date in working days.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::status::{Chapters, due_cell, footer};
use crate::report::page::{Block, Field, Page, Text, Tone};
use crate::report::{Document, HumanStyle, Lang};

/// The `deadline` document's schema version.
pub const SCHEMA_VERSION: u32 = 1;
/// The `deadline` document's name.
pub const DOCUMENT: &str = "deadline";

/// A due date worked out from a trigger day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineDoc {
    /// The `deadline` document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `deadline`.
    pub document: String,
    /// The trigger day (YYYY-MM-DD); it is not counted.
    pub from: String,
    /// E.g. "10 working days" or "15 calendar days".
    pub deadline: String,
    /// The due date (YYYY-MM-DD).
    pub due: String,
    /// The due date rests on days computed from the statutory holidays, not an official notice.
    pub provisional: bool,
    /// Provisional: `[earliest, latest]` due date the official notice could give.
    pub due_range: Option<(String, String)>,
}

impl DeadlineDoc {
    /// The document of a computed due date.
    pub fn new(
        from: time::Date,
        deadline: crate::calendar::Deadline,
        due: time::Date,
        range: Option<(time::Date, time::Date)>,
    ) -> DeadlineDoc {
        DeadlineDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            from: from.to_string(),
            deadline: deadline.to_string(),
            due: due.to_string(),
            provisional: range.is_some(),
            due_range: range.map(|(a, b)| (a.to_string(), b.to_string())),
        }
    }

    /// For people, on standard error: why the date is provisional, and its range.
    pub fn provisional_note(&self, lang: Lang) -> Option<String> {
        let (a, b) = self.due_range.as_ref()?;
        Some(match lang {
            Lang::En => format!(
                "note: {} is provisional: the State Council's holiday notice for those dates is not out, so it was computed from the statutory holidays; the official notice may put the due date anywhere from {a} to {b}. Add the notice with `escrow calendar add FILE` (or --calendar FILE) when it is published.",
                self.due
            ),
            Lang::Zh => format!(
                "注意：{} 是暂定日期：相关年份的国务院节假日安排尚未发布，按法定节假日推算；正式安排发布后，截止日可能在 {a} 至 {b} 之间。通知发布后用 `escrow calendar add 文件`（或 --calendar 文件）加入。",
                self.due
            ),
        })
    }
}

impl DeadlineDoc {
    /// The printable computation: from, deadline, due date, and why it may move.
    fn deadline_page(&self, lang: Lang) -> Page {
        let pk = |en, zh| super::pick(lang, en, zh);
        let deadline = super::deadline_text(&self.deadline, lang);
        let mut page = Page::new(lang, pk("Due date", "截止日计算"));
        page.subtitle = Some(match lang {
            Lang::En => format!("{} after {}", self.deadline, self.from),
            Lang::Zh => format!("{} 起 {deadline}", self.from),
        });
        page.footer = footer(pk("due date computation", "截止日计算"));
        let (headline, tone) = match (lang, self.provisional) {
            (Lang::En, false) => (format!("Due {}", self.due), Tone::Good),
            (Lang::Zh, false) => (format!("截止日 {}", self.due), Tone::Good),
            (Lang::En, true) => (format!("Due {} (provisional)", self.due), Tone::Warn),
            (Lang::Zh, true) => (format!("截止日 {}（暂定）", self.due), Tone::Warn),
        };
        let detail = match lang {
            Lang::En => format!(
                "{} after {} ends on {}: the day it starts from is not counted, and the last day counts in full.",
                self.deadline, self.from, self.due
            ),
            Lang::Zh => format!(
                "自 {} 起 {deadline}，截止日为 {}（起算日当天不计入，截止日当天全天有效）。",
                self.from, self.due
            ),
        };
        page.push(Block::Verdict {
            headline,
            detail,
            tone,
        });
        let mut ch = Chapters::new(lang);
        ch.next(&mut page, "The computation", "计算");
        page.push(Block::Fields(vec![
            Field::new(
                pk("From (not counted)", "起算日（不计入）"),
                self.from.clone(),
            ),
            Field::new(pk("Deadline", "期限"), deadline),
            Field::new(
                pk("Due", "截止日"),
                due_cell(
                    Some(&self.due),
                    self.provisional,
                    self.due_range.as_ref(),
                    lang,
                ),
            ),
        ]));
        page.para(pk(
            "With the default calendar (cn), working days skip Saturdays, Sundays and the public holidays of the State Council's notices, and include the weekend days a notice makes working days; with the mon-fri calendar they are Monday to Friday. A deadline in calendar days that ends on a rest day moves to the next working day.",
            "按默认日历（cn），工作日不含周六、周日与国务院节假日安排中的假日，调休上班的周末计为工作日；按 mon-fri 日历，工作日为周一至周五。按自然日计算的期限，到期日为休息日的，顺延至下一个工作日。",
        ));
        if let Some(note) = self.provisional_note(lang) {
            ch.next(&mut page, "Provisional date", "暂定日期");
            page.push(Block::Paragraph(Text::toned(note, Tone::Warn)));
        }
        page
    }
}

impl Document for DeadlineDoc {
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.deadline_page(lang))
    }

    /// Only the date, in either language: scripts read it (`due=$(escrow deadline …)`).
    fn render_human(&self, _style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_page_shows_the_computation_and_the_provisional_range() {
        let doc = DeadlineDoc::new(
            crate::calendar::parse_date("2026-12-30").unwrap(),
            crate::calendar::Deadline::WorkingDays(10),
            crate::calendar::parse_date("2027-01-14").unwrap(),
            Some((
                crate::calendar::parse_date("2027-01-13").unwrap(),
                crate::calendar::parse_date("2027-01-15").unwrap(),
            )),
        );
        let zh = doc.page(Lang::Zh).unwrap();
        let Block::Verdict { headline, tone, .. } = &zh.blocks[0] else {
            panic!()
        };
        assert_eq!(
            (headline.as_str(), *tone),
            ("截止日 2027-01-14（暂定）", Tone::Warn)
        );
        let t = format!("{zh:?}");
        for fact in [
            "一、计算",
            "二、暂定日期",
            "起算日（不计入）",
            "10 个工作日",
            "2027-01-14*（暂定；正式可能为 2027-01-13 至 2027-01-15）",
        ] {
            assert!(t.contains(fact), "{fact} missing: {t}");
        }
        let firm = DeadlineDoc::new(
            crate::calendar::parse_date("2026-11-02").unwrap(),
            crate::calendar::Deadline::WorkingDays(10),
            crate::calendar::parse_date("2026-11-16").unwrap(),
            None,
        );
        let en = firm.page(Lang::En).unwrap();
        let Block::Verdict { headline, tone, .. } = &en.blocks[0] else {
            panic!()
        };
        assert_eq!((headline.as_str(), *tone), ("Due 2026-11-16", Tone::Good));
        let t = format!("{en:?}");
        assert!(
            t.contains("1. The computation") && !t.contains("Provisional"),
            "{t}"
        );
    }
}
