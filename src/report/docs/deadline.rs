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
}

impl DeadlineDoc {
    /// The document of a computed due date.
    pub fn new(
        from: time::Date,
        deadline: crate::calendar::Deadline,
        due: time::Date,
    ) -> DeadlineDoc {
        DeadlineDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            from: from.to_string(),
            deadline: deadline.to_string(),
            due: due.to_string(),
        }
    }
}

impl Document for DeadlineDoc {
    /// Only the date, in either language: scripts read it (`due=$(escrow deadline …)`).
    fn render_human(&self, _style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.due)
    }
}
