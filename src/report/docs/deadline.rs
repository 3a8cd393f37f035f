//! `deadline`: a due date in working days.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::report::{Document, HumanStyle};

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
    pub fn provisional_note(&self, lang: crate::report::Lang) -> Option<String> {
        let (a, b) = self.due_range.as_ref()?;
        Some(match lang {
            crate::report::Lang::En => format!(
                "note: {} is provisional: the State Council's holiday notice for those dates is not out, so it was computed from the statutory holidays; the official notice may put the due date anywhere from {a} to {b}. Add the notice with `escrow calendar add FILE` (or --calendar FILE) when it is published.",
                self.due
            ),
            crate::report::Lang::Zh => format!(
                "注意：{} 是暂定日期：相关年份的国务院节假日安排尚未发布，按法定节假日推算；正式安排发布后，截止日可能在 {a} 至 {b} 之间。通知发布后用 `escrow calendar add 文件`（或 --calendar 文件）加入。",
                self.due
            ),
        })
    }
}

impl Document for DeadlineDoc {
    /// Only the date, in either language: scripts read it (`due=$(escrow deadline …)`).
    fn render_human(&self, _style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.due)
    }
}
