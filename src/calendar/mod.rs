//! Working-day calendars and deadline arithmetic.
//!
//! The `cn` calendar follows the State Council's yearly holiday notices (国务院办公厅关于部分节假日
//! 安排的通知): statutory holidays are rest days, and some weekend days are make-up working days
//! (调休上班). The notices for the covered years are embedded (`cn_workdays.toml`), and more can
//! be added (`--calendar FILE`). Beyond them the schedule is *provisional*: computed from the
//! statutory holidays of 《全国年节及纪念日放假办法》 (国务院令第795号, in force since 2025-01-01)
//! with Saturday/Sunday rest and 补假, up to 2100-12-31; `due_range` bounds what the official
//! notice could still change. `Calendar::cn_official()` refuses instead of estimating: a date
//! outside its notices is unknown, with a message saying which notice to add.

mod notice;
mod provisional;

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use time::{Date, Duration, Month, OffsetDateTime, UtcOffset, Weekday};

pub use notice::{MAX_NOTICE_BYTES, NoticeInfo, validate_file, validate_text};
use provisional::Variant;

/// The official schedules this build knows.
const CN_DATA: &str = include_str!("cn_workdays.toml");

/// Why a deadline cannot be computed, or a calendar file is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The `cn` calendar was asked about a day before its first notice or past its provisional
    /// schedule (past its last notice for `cn_official`).
    #[error(
        "{date} is outside the working-day calendar, which covers {start} to {end}; add the State Council's holiday notice for {year} with --calendar FILE (format: see the README), rather than guess"
    )]
    Unknown {
        /// The day asked about.
        date: Date,
        /// The first covered day.
        start: Date,
        /// The last covered day (official or provisional).
        end: Date,
        /// The year of `date`: the notice to add.
        year: i32,
    },
    /// A calendar file cannot be read, or its dates contradict the calendar it is added to
    /// (a day the calendar has as a holiday is the file's make-up working day, or the reverse).
    #[error("{path}: {message}")]
    Data {
        /// The calendar file's path as given (`(built in)` for the embedded data).
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// One problem in a calendar file, located: TOML syntax, an unknown key, a wrong
    /// `schema_version`, `country` or `weekend`, a bad date, a date outside the coverage, a
    /// make-up working day that is not a Saturday or Sunday, a day both holiday and make-up
    /// working day.
    #[error("{path}:{line}:{column}: {message}")]
    At {
        /// The calendar file's path as given.
        path: String,
        /// The line, from 1.
        line: usize,
        /// The column in characters, from 1.
        column: usize,
        /// What is wrong there.
        message: String,
    },
    /// Several problems in one calendar file (each an `At`), one per line.
    #[error("{}", lines(.0))]
    Invalid(Vec<CalendarError>),
    /// A contract deadline (`update-deadline`, `delivery-deadline`) that does not parse; holds
    /// the text as written.
    #[error(
        "{0:?} is not a deadline: write e.g. \"10 working days\", \"10个工作日\", \"15 days\" or \"15天\""
    )]
    Duration(String),
    /// A deadline counted from this day runs past the last date the calendar can represent.
    #[error(
        "a deadline counted from {0} runs past the last date escrow can count (9999-12-31); check the date and the deadline"
    )]
    OutOfRange(Date),
    /// A deadline of 0 days or longer than [`Deadline::MAX_DAYS`]; holds the number as written.
    #[error("{0} days is not a contract deadline escrow counts (1 to {max}); check the number", max = Deadline::MAX_DAYS)]
    TooLong(u32),
    /// A date that is not `YYYY-MM-DD` or not a real day; holds the text as written.
    #[error("{0:?} is not a date: write YYYY-MM-DD, e.g. 2026-03-10")]
    Date(String),
}

fn lines(errors: &[CalendarError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
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
    /// The first day an official notice covers (cn; `Date::MIN` for mon-fri, which covers
    /// every day).
    pub start: Date,
    /// The last day of the official coverage that runs without a gap from `start` (cn;
    /// `Date::MAX` for mon-fri). Notices for later years may cover more (`is_provisional`
    /// tells which days are estimated).
    pub end: Date,
    holidays: HashSet<Date>,
    makeup: HashSet<Date>,
    /// The days official notices cover: sorted, merged, inclusive ranges.
    official: Vec<(Date, Date)>,
    /// Whether days outside `official` are estimated (`cn`) or unknown (`cn_official`).
    provisional: bool,
    /// The notices loaded, e.g. "国办发明电〔2025〕7号", for reports.
    pub sources: Vec<String>,
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

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
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
            official: Vec::new(),
            provisional: false,
            sources: Vec::new(),
        }
    }

    /// A `cn` calendar with no notice loaded.
    fn cn_empty(provisional: bool) -> Calendar {
        Calendar {
            kind: Kind::Cn,
            start: Date::MAX,
            end: Date::MIN,
            holidays: HashSet::new(),
            makeup: HashSet::new(),
            official: Vec::new(),
            provisional,
            sources: Vec::new(),
        }
    }

    /// The embedded State Council notices, and the provisional schedule beyond them up to
    /// `provisional_end()`.
    pub fn cn() -> Calendar {
        let mut c = Calendar::cn_empty(true);
        c.add_text("(built in)", CN_DATA)
            .expect("the embedded calendar data is valid");
        c
    }

    /// The embedded State Council notices only: a day they do not cover is unknown.
    pub fn cn_official() -> Calendar {
        let mut c = Calendar::cn_empty(false);
        c.add_text("(built in)", CN_DATA)
            .expect("the embedded calendar data is valid");
        c
    }

    /// The calendar named in a manifest: "cn", "cn-official" or "mon-fri".
    pub fn named(name: &str) -> Option<Calendar> {
        match name {
            "cn" => Some(Calendar::cn()),
            "cn-official" => Some(Calendar::cn_official()),
            "mon-fri" => Some(Calendar::mon_fri()),
            _ => None,
        }
    }

    /// The last day the provisional schedule covers (2100-12-31), or `None` when days beyond
    /// the notices are unknown (`cn_official`, and mon-fri, which needs no schedule).
    pub fn provisional_end(&self) -> Option<Date> {
        (self.kind == Kind::Cn && self.provisional).then(|| provisional::range().1)
    }

    /// Add a newer notice or a local arrangement from a file in the embedded format (see
    /// `validate_file`). The days it covers become official, replacing the provisional
    /// schedule; a year it skips stays provisional. Its dates override nothing silently: a
    /// date cannot be both a holiday and a make-up working day.
    pub fn add_file(&mut self, path: &Path) -> Result<(), CalendarError> {
        use std::io::Read;
        let err = |message: String| CalendarError::Data {
            path: path.display().to_string(),
            message,
        };
        let f = std::fs::File::open(path)
            .map_err(|e| err(format!("cannot read the calendar file: {e}")))?;
        // A FIFO or device is refused, not waited on; a huge file is not read.
        let meta = f
            .metadata()
            .map_err(|e| err(format!("cannot read the calendar file: {e}")))?;
        if !meta.is_file() || meta.len() > MAX_NOTICE_BYTES as u64 {
            return Err(err(format!(
                "not a calendar file: give a regular file of at most {MAX_NOTICE_BYTES} bytes"
            )));
        }
        let mut text = String::new();
        f.take(MAX_NOTICE_BYTES as u64 + 1)
            .read_to_string(&mut text)
            .map_err(|e| err(format!("cannot read the calendar file: {e}")))?;
        self.add_text(&path.display().to_string(), &text)
            .map(|_| ())
    }

    /// Add a calendar file's text (e.g. a notice kept in the vault); `name` names it in
    /// messages. Checked as `validate_text` does: one problem is returned as
    /// `CalendarError::At`, several as `CalendarError::Invalid`.
    pub fn add_text(&mut self, name: &str, text: &str) -> Result<NoticeInfo, CalendarError> {
        let info = match validate_text(name, text) {
            Ok(info) => info,
            Err(mut errors) if errors.len() == 1 => return Err(errors.remove(0)),
            Err(errors) => return Err(CalendarError::Invalid(errors)),
        };
        self.add_info(&info)?;
        Ok(info)
    }

    fn add_info(&mut self, info: &NoticeInfo) -> Result<(), CalendarError> {
        let clash = info
            .holidays
            .iter()
            .find(|d| self.makeup.contains(d))
            .or_else(|| {
                info.makeup_workdays
                    .iter()
                    .find(|d| self.holidays.contains(d))
            });
        if let Some(d) = clash {
            return Err(CalendarError::Data {
                path: info.path.clone(),
                message: format!(
                    "{d} would be both a holiday and a make-up working day with the notices already loaded"
                ),
            });
        }
        self.holidays.extend(info.holidays.iter().copied());
        self.makeup.extend(info.makeup_workdays.iter().copied());
        self.sources.extend(info.sources.iter().cloned());
        self.official.push((info.coverage_start, info.coverage_end));
        self.official.sort_unstable();
        let mut merged: Vec<(Date, Date)> = Vec::new();
        for &(a, b) in &self.official {
            match merged.last_mut() {
                Some(last) if a <= last.1.next_day().unwrap_or(Date::MAX) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        self.official = merged;
        self.start = self.official[0].0;
        self.end = self.official[0].1;
        Ok(())
    }

    /// Is `d` set by an official notice (inside a notice's coverage, or a day a notice lists)?
    fn is_official(&self, d: Date) -> bool {
        self.official.iter().any(|&(a, b)| a <= d && d <= b)
            || self.holidays.contains(&d)
            || self.makeup.contains(&d)
    }

    /// Is `d` estimated, not from an official notice? False for official days, for days the
    /// calendar does not cover at all (unknown), and always for mon-fri.
    pub fn is_provisional(&self, d: Date) -> bool {
        let (a, b) = provisional::range();
        self.kind == Kind::Cn
            && self.provisional
            && a <= d
            && d <= b
            && d >= self.start
            && !self.is_official(d)
    }

    /// Is some day in (`from`, `to`] provisional? False when `to <= from`.
    pub fn any_provisional(&self, from: Date, to: Date) -> bool {
        let mut d = from;
        while d < to {
            d = d.next_day().unwrap_or(Date::MAX);
            if self.is_provisional(d) {
                return true;
            }
        }
        false
    }

    /// The statutory holidays and 补假 days computed for `year` (sorted by date, each with its
    /// festival's Chinese name, e.g. "春节" or "元旦（补假）"), whether or not a notice covers the
    /// year; empty outside 2025-2100. A day on which two festivals fall (中秋节 on 1-3 October)
    /// is listed once per festival.
    pub fn provisional_holidays(&self, year: i32) -> Vec<(Date, &'static str)> {
        provisional::plan(year).map_or_else(Vec::new, |p| p.holidays.clone())
    }

    /// Is `d` a working day? Official days follow the notices; provisional days the point
    /// estimate (statutory holidays, 补假, Saturday/Sunday rest). Unknown before the first
    /// official day, and past the last official day where no provisional schedule covers it.
    pub fn is_working(&self, d: Date) -> Result<bool, CalendarError> {
        self.working(d, Variant::Point)
    }

    fn working(&self, d: Date, variant: Variant) -> Result<bool, CalendarError> {
        if self.kind == Kind::MonFri {
            return Ok(!is_weekend(d));
        }
        if self.makeup.contains(&d) {
            return Ok(true);
        }
        if self.is_official(d) {
            return Ok(!is_weekend(d) && !self.holidays.contains(&d));
        }
        if self.is_provisional(d) {
            return Ok(provisional::is_working(d, variant));
        }
        Err(CalendarError::Unknown {
            date: d,
            start: self.start,
            end: self.provisional_end().unwrap_or(self.end),
            year: d.year(),
        })
    }

    /// The due date of "N working days after `from`": `from` itself is not counted; the N-th
    /// working day after it is the due date (inclusive).
    fn add_working_days(&self, from: Date, n: u32, v: Variant) -> Result<Date, CalendarError> {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d.next_day().ok_or(CalendarError::OutOfRange(from))?;
            if self.working(d, v)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// The due date of "N calendar days after `from`": `from + N`, rolled forward to the next
    /// working day when that is a rest day.
    fn add_calendar_days(&self, from: Date, n: u32, v: Variant) -> Result<Date, CalendarError> {
        let mut d = from
            .checked_add(Duration::days(i64::from(n)))
            .ok_or(CalendarError::OutOfRange(from))?;
        while !self.working(d, v)? {
            d = d.next_day().ok_or(CalendarError::OutOfRange(from))?;
        }
        Ok(d)
    }

    /// Working days in (`a`, `b`]: how late something is on `b` when it was due on `a`, or how
    /// many remain from `a` to a due date `b`. Zero when `b <= a`. Provisional days count as
    /// the point estimate has them.
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

    /// Apply a contract deadline (the point estimate where provisional days are involved).
    pub fn due(&self, from: Date, deadline: Deadline) -> Result<Date, CalendarError> {
        self.due_in(from, deadline, Variant::Point)
    }

    fn due_in(&self, from: Date, deadline: Deadline, v: Variant) -> Result<Date, CalendarError> {
        match deadline {
            Deadline::WorkingDays(n) => self.add_working_days(from, n, v),
            Deadline::CalendarDays(n) => self.add_calendar_days(from, n, v),
        }
    }

    /// The earliest and latest due date the official notice could produce: `(due, due)` when
    /// no provisional day is involved, and always `earliest <= due(..) <= latest`.
    ///
    /// Official days count as their notices say. Provisional days count in two extreme
    /// calendars built from how notices rearrange days (observed in the notices for
    /// 2019-2026):
    /// - *earliest* (most working days): only the statutory holidays rest; every Saturday and
    ///   Sunday within 10 days of a festival's statutory days works (make-up days lay up to
    ///   9 days from them: 2024-10-12, 2026-02-28); 补假 days work too, since the notice
    ///   chooses which weekday compensates.
    /// - *latest* (fewest working days): the point estimate's rest days, no make-up day, and
    ///   each festival's rest run stretched on both sides by weekdays up to the longest block
    ///   notices give it: 春节 and 国庆节 9 days (8 is usual; 9 when 中秋 or two 补假 join),
    ///   劳动节 5, 元旦, 清明节, 端午节 and 中秋节 3.
    ///
    /// A notice whose working days lie between the two (every day working in the earliest
    /// that rests in it, every day resting in the latest that works in it) gives a due date
    /// inside the range, since more working days never make a deadline later.
    pub fn due_range(&self, from: Date, deadline: Deadline) -> Result<(Date, Date), CalendarError> {
        let earliest = self.due_in(from, deadline, Variant::Earliest)?;
        let latest = self.due_in(from, deadline, Variant::Latest)?;
        Ok((earliest, latest))
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
    /// The longest deadline counted, in days of either kind: 3650 (ten years). Contract
    /// deadlines are days or weeks; a larger number is a typo, and counting it day by day
    /// would run to the end of the calendar.
    pub const MAX_DAYS: u32 = 3650;

    /// The number of days, checked: 1 to [`Deadline::MAX_DAYS`] (the trigger day is not
    /// counted, so a deadline of 0 days would be due before it started).
    ///
    /// Errors: `TooLong` outside that range.
    pub fn checked(self) -> Result<Deadline, CalendarError> {
        let n = match self {
            Deadline::WorkingDays(n) | Deadline::CalendarDays(n) => n,
        };
        if n > Deadline::MAX_DAYS {
            return Err(CalendarError::TooLong(n));
        }
        if n == 0 {
            return Err(CalendarError::TooLong(0));
        }
        Ok(self)
    }

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
            | "工作日" => Deadline::WorkingDays(n).checked(),
            "days" | "day" | "calendar days" | "calendar day" | "天" | "日" | "自然日" => {
                Deadline::CalendarDays(n).checked()
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
            c.due(d("2026-09-30"), Deadline::WorkingDays(10)).unwrap(),
            d("2026-10-20")
        );
    }

    #[test]
    fn vectors() {
        let c = Calendar::cn();
        // Spring Festival 2026 (2/15-2/23 off; Sat 2/14 and Sat 2/28 make-up working days).
        assert_eq!(
            c.due(d("2026-02-13"), Deadline::WorkingDays(1)).unwrap(),
            d("2026-02-14")
        );
        assert_eq!(
            c.due(d("2026-02-14"), Deadline::WorkingDays(1)).unwrap(),
            d("2026-02-24")
        );
        assert_eq!(
            c.due(d("2026-02-24"), Deadline::WorkingDays(4)).unwrap(),
            d("2026-02-28")
        );
        // A make-up Sunday: 2025-09-28 works (National Day 2025).
        assert!(c.is_working(d("2025-09-28")).unwrap());
        assert_eq!(
            c.due(d("2025-09-26"), Deadline::WorkingDays(1)).unwrap(),
            d("2025-09-28")
        );
        // Trigger on a holiday: counting starts the next day.
        assert_eq!(
            c.due(d("2025-10-03"), Deadline::WorkingDays(1)).unwrap(),
            d("2025-10-09")
        );
        // Across a year boundary: 2025-12-31 (Wed) + 3 → 1/1-1/3 off, Sun 1/4 works.
        assert_eq!(
            c.due(d("2025-12-31"), Deadline::WorkingDays(1)).unwrap(),
            d("2026-01-04")
        );
        assert_eq!(
            c.due(d("2025-12-31"), Deadline::WorkingDays(3)).unwrap(),
            d("2026-01-06")
        );
        // 2024-02-09 (除夕, Fri) is a working day.
        assert!(c.is_working(d("2024-02-09")).unwrap());
        // Calendar days roll forward past rest days: 2026-09-16 + 15 = 10/1 (holiday) → 10/8.
        assert_eq!(
            c.due(d("2026-09-16"), Deadline::CalendarDays(15)).unwrap(),
            d("2026-10-08")
        );
        assert_eq!(
            c.due(d("2026-03-02"), Deadline::CalendarDays(3)).unwrap(),
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
    fn beyond_the_data_is_refused_by_cn_official() {
        let c = Calendar::cn_official();
        assert_eq!(c.provisional_end(), None);
        let e = c
            .due(d("2026-12-28"), Deadline::WorkingDays(10))
            .unwrap_err();
        assert!(
            matches!(e, CalendarError::Unknown { year: 2027, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("--calendar FILE"));
        assert!(c.is_working(d("2023-12-29")).is_err());
        assert!(!c.is_provisional(d("2027-01-04")));
        // cn estimates instead, but still refuses before the first notice and past 2100.
        let p = Calendar::cn();
        assert!(p.is_working(d("2023-12-29")).is_err());
        assert!(p.is_working(d("2101-01-03")).is_err());
        assert!(p.is_working(d("2100-12-31")).unwrap());
        // Monday to Friday needs no data.
        let m = Calendar::mon_fri();
        assert_eq!(
            m.due(d("2030-01-04"), Deadline::WorkingDays(1)).unwrap(),
            d("2030-01-07")
        );
        assert!(!m.is_provisional(d("2030-01-04")));
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
        assert!(c.is_provisional(d("2027-01-09")));
        c.add_file(&tmp).unwrap();
        std::fs::remove_file(&tmp).unwrap();
        assert!(!c.is_provisional(d("2027-01-09")));
        assert!(c.any_provisional(d("2027-12-30"), d("2028-01-02")));
        assert!(!c.any_provisional(d("2026-12-30"), d("2027-12-31")));
        assert!(!c.is_working(d("2027-01-01")).unwrap());
        assert!(c.is_working(d("2027-01-09")).unwrap());
        assert_eq!(
            c.due(d("2026-12-31"), Deadline::WorkingDays(1)).unwrap(),
            d("2027-01-04")
        );
        // A notice for 2029 with 2028 missing: 2029 official, 2028 still provisional.
        assert!(c.is_provisional(d("2028-06-01")));
        let later = "schema_version = 1\ncoverage_start = \"2029-01-01\"\ncoverage_end = \"2029-12-31\"\n[[year]]\nyear = 2029\nmakeup_workdays = [\"2028-12-30\"]\n";
        c.add_text("2029.toml", later).unwrap();
        assert!(c.is_provisional(d("2028-06-01")));
        assert!(!c.is_provisional(d("2029-06-01")));
        // Official 2029: no holiday listed, so 元旦 2029-01-01 (Mon) works; a make-up Saturday in
        // December of the year before counts too.
        assert!(c.is_working(d("2029-01-01")).unwrap());
        assert!(c.is_working(d("2028-12-30")).unwrap());
        assert!(!c.is_provisional(d("2028-12-30")));
        assert!(!c.is_working(d("2028-12-31")).unwrap());
        assert_eq!(c.end, d("2027-12-31"));
        assert_eq!(c.start, d("2024-01-01"));
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

#[cfg(test)]
mod provisional_tests;
