//! Working-day calendars and deadline arithmetic.
//!
//! The `cn` calendar follows the State Council's yearly holiday notices (国务院办公厅关于部分节假日
//! 安排的通知): statutory holidays are rest days, and some weekend days are make-up working days
//! (调休上班). The notices for the covered years are embedded (`cn_workdays.toml`); a date
//! outside the covered years is unknown, and every computation that needs it refuses with a
//! message saying which notice to add (`--calendar FILE`), rather than guess Monday to Friday.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset, Weekday};

/// The official schedules this build knows.
const CN_DATA: &str = include_str!("cn_workdays.toml");

/// Why a deadline cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The `cn` calendar was asked about a day outside the years its holiday notices cover.
    #[error(
        "{date} is outside the working-day calendar, which covers {start} to {end}; add the State Council's holiday notice for {year} with --calendar FILE (format: see the README), rather than guess"
    )]
    Unknown {
        /// The day asked about.
        date: Date,
        /// The first covered day.
        start: Date,
        /// The last covered day.
        end: Date,
        /// The year of `date`: the notice to add.
        year: i32,
    },
    /// A calendar file (`--calendar FILE`) cannot be read, is not valid TOML, or breaks the
    /// format: wrong `schema_version`, `country` or `weekend`, a bad date, a coverage that
    /// leaves a gap, a day both holiday and make-up working day.
    #[error("{path}: {message}")]
    Data {
        /// The calendar file's path as given (`(built in)` for the embedded data).
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// A contract deadline (`update-deadline`, `delivery-deadline`) that does not parse; holds
    /// the text as written.
    #[error(
        "{0:?} is not a deadline: write e.g. \"10 working days\", \"10个工作日\", \"15 days\" or \"15天\""
    )]
    Duration(String),
    /// A date that is not `YYYY-MM-DD` or not a real day; holds the text as written.
    #[error("{0:?} is not a date: write YYYY-MM-DD, e.g. 2026-03-10")]
    Date(String),
}

/// Which days are working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The State Council's schedule (the default).
    Cn,
    /// Monday to Friday, every week, no holidays.
    MonFri,
}

/// A working-day calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// Which rule decides the working days.
    pub kind: Kind,
    /// The first covered day (cn; `Date::MIN` for mon-fri, which covers every day).
    pub start: Date,
    /// The last covered day (cn; `Date::MAX` for mon-fri).
    pub end: Date,
    holidays: HashSet<Date>,
    makeup: HashSet<Date>,
    /// The notices loaded, e.g. "国办发明电〔2025〕7号", for reports.
    pub sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawData {
    schema_version: u32,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    weekend: Option<Vec<String>>,
    coverage_start: String,
    coverage_end: String,
    #[serde(default)]
    year: Vec<RawYear>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i32,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    issued: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    makeup_workdays: Vec<String>,
}

/// Parse `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<Date, CalendarError> {
    let bad = || CalendarError::Date(s.to_owned());
    let mut it = s.trim().splitn(3, '-');
    let y: i32 = it.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let m: u8 = it.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let d: u8 = it.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let month = Month::try_from(m).map_err(|_| bad())?;
    Date::from_calendar_date(y, month, d).map_err(|_| bad())
}

/// The date in China Standard Time (UTC+8) of an RFC 3339 time: a deposit at
/// 2026-03-10T17:00Z counts on 2026-03-11.
pub fn cst_date(rfc3339: &str) -> Option<Date> {
    let t = OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).ok()?;
    let cst = UtcOffset::from_hms(8, 0, 0).ok()?;
    Some(t.to_offset(cst).date())
}

impl Calendar {
    /// The Monday-to-Friday calendar.
    pub fn mon_fri() -> Calendar {
        Calendar {
            kind: Kind::MonFri,
            start: Date::MIN,
            end: Date::MAX,
            holidays: HashSet::new(),
            makeup: HashSet::new(),
            sources: Vec::new(),
        }
    }

    /// The embedded State Council schedules.
    pub fn cn() -> Calendar {
        let mut c = Calendar {
            kind: Kind::Cn,
            start: Date::MAX,
            end: Date::MIN,
            holidays: HashSet::new(),
            makeup: HashSet::new(),
            sources: Vec::new(),
        };
        c.add_data("(built in)", CN_DATA)
            .expect("the embedded calendar data is valid");
        c
    }

    /// The calendar named in a manifest: "cn" or "mon-fri".
    pub fn named(name: &str) -> Option<Calendar> {
        match name {
            "cn" => Some(Calendar::cn()),
            "mon-fri" => Some(Calendar::mon_fri()),
            _ => None,
        }
    }

    /// Add a newer notice or a local arrangement from a file in the embedded format. Its
    /// coverage must join the calendar's (no gap); its dates override nothing silently: a date
    /// cannot be both a holiday and a make-up working day.
    pub fn add_file(&mut self, path: &Path) -> Result<(), CalendarError> {
        let text = std::fs::read_to_string(path).map_err(|e| CalendarError::Data {
            path: path.display().to_string(),
            message: format!("cannot read the calendar file: {e}"),
        })?;
        self.add_data(&path.display().to_string(), &text)
    }

    fn add_data(&mut self, path: &str, text: &str) -> Result<(), CalendarError> {
        let err = |message: String| CalendarError::Data {
            path: path.to_owned(),
            message,
        };
        let raw: RawData = toml::from_str(text).map_err(|e| err(e.message().to_owned()))?;
        if raw.schema_version != 1 {
            return Err(err(format!(
                "schema_version {} is not supported (1 is)",
                raw.schema_version
            )));
        }
        if raw.country.as_deref().is_some_and(|c| c != "CN") {
            return Err(err("only country = \"CN\" is supported".to_owned()));
        }
        if raw
            .weekend
            .as_ref()
            .is_some_and(|w| w != &["Sat".to_owned(), "Sun".to_owned()])
        {
            return Err(err(
                "only weekend = [\"Sat\", \"Sun\"] is supported".to_owned()
            ));
        }
        let date =
            |s: &str| parse_date(s).map_err(|_| err(format!("{s:?} is not a date (YYYY-MM-DD)")));
        let start = date(&raw.coverage_start)?;
        let end = date(&raw.coverage_end)?;
        if end < start {
            return Err(err("coverage_end is before coverage_start".to_owned()));
        }
        if self.kind == Kind::Cn && self.start <= self.end {
            let joins = start <= self.end.next_day().unwrap_or(Date::MAX)
                && end >= self.start.previous_day().unwrap_or(Date::MIN);
            if !joins {
                return Err(err(format!(
                    "its coverage {start} to {end} leaves a gap after the calendar's {} to {}",
                    self.start, self.end
                )));
            }
        }
        for y in &raw.year {
            for h in &y.holidays {
                self.holidays.insert(date(h)?);
            }
            for m in &y.makeup_workdays {
                self.makeup.insert(date(m)?);
            }
            self.sources.push(
                y.source
                    .clone()
                    .or_else(|| y.title.clone())
                    .unwrap_or_else(|| format!("{} ({path})", y.year)),
            );
            let _ = (&y.issued, &y.url);
        }
        if let Some(d) = self.holidays.intersection(&self.makeup).next() {
            return Err(err(format!(
                "{d} is both a holiday and a make-up working day"
            )));
        }
        self.start = self.start.min(start);
        self.end = self.end.max(end);
        Ok(())
    }

    /// Is `d` a working day? Unknown outside the covered dates (cn).
    fn is_working(&self, d: Date) -> Result<bool, CalendarError> {
        if self.kind == Kind::MonFri {
            return Ok(!matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday));
        }
        if d < self.start || d > self.end {
            return Err(CalendarError::Unknown {
                date: d,
                start: self.start,
                end: self.end,
                year: d.year(),
            });
        }
        if self.makeup.contains(&d) {
            return Ok(true);
        }
        Ok(!matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.holidays.contains(&d))
    }

    /// The due date of "N working days after `from`": `from` itself is not counted; the N-th
    /// working day after it is the due date (inclusive).
    fn add_working_days(&self, from: Date, n: u32) -> Result<Date, CalendarError> {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d.next_day().unwrap_or(Date::MAX);
            if self.is_working(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// The due date of "N calendar days after `from`": `from + N`, rolled forward to the next
    /// working day when that is a rest day.
    fn add_calendar_days(&self, from: Date, n: u32) -> Result<Date, CalendarError> {
        let mut d = from + Duration::days(i64::from(n));
        while !self.is_working(d)? {
            d = d.next_day().unwrap_or(Date::MAX);
        }
        Ok(d)
    }

    /// Working days in (`a`, `b`]: how late something is on `b` when it was due on `a`, or how
    /// many remain from `a` to a due date `b`. Zero when `b <= a`.
    pub fn working_days_between(&self, a: Date, b: Date) -> Result<u32, CalendarError> {
        let mut n = 0;
        let mut d = a;
        while d < b {
            d = d.next_day().unwrap_or(Date::MAX);
            if self.is_working(d)? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Apply a contract deadline.
    pub fn due(&self, from: Date, deadline: Deadline) -> Result<Date, CalendarError> {
        match deadline {
            Deadline::WorkingDays(n) => self.add_working_days(from, n),
            Deadline::CalendarDays(n) => self.add_calendar_days(from, n),
        }
    }
}

/// A contract deadline: "10 working days" or "15 days".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Due on the N-th working day after the start (the start itself not counted).
    WorkingDays(u32),
    /// Due N calendar days after the start, rolled forward to the next working day when that
    /// is a rest day.
    CalendarDays(u32),
}

impl Deadline {
    /// Parse "10 working days", "10 个工作日", "10工作日", "15 days", "15 calendar days",
    /// "15 天", "15日", "15个自然日".
    pub fn parse(s: &str) -> Result<Deadline, CalendarError> {
        let bad = || CalendarError::Duration(s.to_owned());
        let t = s.trim();
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        let n: u32 = digits.parse().map_err(|_| bad())?;
        let unit: String = t[digits.len()..]
            .trim()
            .trim_start_matches('个')
            .trim()
            .to_lowercase();
        match unit.as_str() {
            "working days" | "working day" | "workdays" | "workday" | "business days"
            | "工作日" => Ok(Deadline::WorkingDays(n)),
            "days" | "day" | "calendar days" | "calendar day" | "天" | "日" | "自然日" => {
                Ok(Deadline::CalendarDays(n))
            }
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deadline::WorkingDays(n) => write!(f, "{n} working days"),
            Deadline::CalendarDays(n) => write!(f, "{n} calendar days"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn issue_example_national_day() {
        let c = Calendar::cn();
        assert_eq!(
            c.add_working_days(d("2026-09-30"), 10).unwrap(),
            d("2026-10-20")
        );
    }

    #[test]
    fn vectors() {
        let c = Calendar::cn();
        // Spring Festival 2026 (2/15-2/23 off; Sat 2/14 and Sat 2/28 make-up working days).
        assert_eq!(
            c.add_working_days(d("2026-02-13"), 1).unwrap(),
            d("2026-02-14")
        );
        assert_eq!(
            c.add_working_days(d("2026-02-14"), 1).unwrap(),
            d("2026-02-24")
        );
        assert_eq!(
            c.add_working_days(d("2026-02-24"), 4).unwrap(),
            d("2026-02-28")
        );
        // A make-up Sunday: 2025-09-28 works (National Day 2025).
        assert!(c.is_working(d("2025-09-28")).unwrap());
        assert_eq!(
            c.add_working_days(d("2025-09-26"), 1).unwrap(),
            d("2025-09-28")
        );
        // Trigger on a holiday: counting starts the next day.
        assert_eq!(
            c.add_working_days(d("2025-10-03"), 1).unwrap(),
            d("2025-10-09")
        );
        // Across a year boundary: 2025-12-31 (Wed) + 3 → 1/1-1/3 off, Sun 1/4 works.
        assert_eq!(
            c.add_working_days(d("2025-12-31"), 1).unwrap(),
            d("2026-01-04")
        );
        assert_eq!(
            c.add_working_days(d("2025-12-31"), 3).unwrap(),
            d("2026-01-06")
        );
        // 2024-02-09 (除夕, Fri) is a working day.
        assert!(c.is_working(d("2024-02-09")).unwrap());
        // Calendar days roll forward past rest days: 2026-09-16 + 15 = 10/1 (holiday) → 10/8.
        assert_eq!(
            c.add_calendar_days(d("2026-09-16"), 15).unwrap(),
            d("2026-10-08")
        );
        assert_eq!(
            c.add_calendar_days(d("2026-03-02"), 3).unwrap(),
            d("2026-03-05")
        );
        // Working days between.
        assert_eq!(
            c.working_days_between(d("2026-09-30"), d("2026-10-20"))
                .unwrap(),
            10
        );
        assert_eq!(
            c.working_days_between(d("2026-10-20"), d("2026-10-20"))
                .unwrap(),
            0
        );
    }

    #[test]
    fn beyond_the_data_is_refused() {
        let c = Calendar::cn();
        let e = c.add_working_days(d("2026-12-28"), 10).unwrap_err();
        assert!(
            matches!(e, CalendarError::Unknown { year: 2027, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("--calendar FILE"));
        assert!(c.is_working(d("2023-12-29")).is_err());
        // Monday to Friday needs no data.
        let m = Calendar::mon_fri();
        assert_eq!(
            m.add_working_days(d("2030-01-04"), 1).unwrap(),
            d("2030-01-07")
        );
    }

    #[test]
    fn a_newer_notice_extends_the_calendar() {
        let mut c = Calendar::cn();
        let tmp = std::env::temp_dir().join(format!("cal-{}.toml", std::process::id()));
        std::fs::write(
            &tmp,
            "schema_version = 1\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2027-12-31\"\n[[year]]\nyear = 2027\nholidays = [\"2027-01-01\"]\nmakeup_workdays = [\"2027-01-09\"]\n",
        )
        .unwrap();
        c.add_file(&tmp).unwrap();
        std::fs::remove_file(&tmp).unwrap();
        assert!(!c.is_working(d("2027-01-01")).unwrap());
        assert!(c.is_working(d("2027-01-09")).unwrap());
        assert_eq!(
            c.add_working_days(d("2026-12-31"), 1).unwrap(),
            d("2027-01-04")
        );
        let gap =
            "schema_version = 1\ncoverage_start = \"2029-01-01\"\ncoverage_end = \"2029-12-31\"\n";
        assert!(
            c.add_data("gap.toml", gap)
                .unwrap_err()
                .to_string()
                .contains("gap")
        );
    }

    #[test]
    fn deadlines_parse() {
        assert_eq!(
            Deadline::parse("10 working days").unwrap(),
            Deadline::WorkingDays(10)
        );
        assert_eq!(
            Deadline::parse("10个工作日").unwrap(),
            Deadline::WorkingDays(10)
        );
        assert_eq!(
            Deadline::parse("30 个工作日").unwrap(),
            Deadline::WorkingDays(30)
        );
        assert_eq!(
            Deadline::parse("15 days").unwrap(),
            Deadline::CalendarDays(15)
        );
        assert_eq!(Deadline::parse("15天").unwrap(), Deadline::CalendarDays(15));
        assert!(Deadline::parse("ten days").is_err());
        assert!(Deadline::parse("10 weeks").is_err());
    }

    #[test]
    fn china_standard_time() {
        assert_eq!(cst_date("2026-03-10T17:00:00Z"), Some(d("2026-03-11")));
        assert_eq!(cst_date("2026-03-10T15:59:59Z"), Some(d("2026-03-10")));
    }
}
