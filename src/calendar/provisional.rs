//! The provisional schedule: the statutory holidays computed for years whose State Council
//! notice is not loaded, and the two extreme calendars that bound what the notice could do.
//!
//! Rules: 《全国年节及纪念日放假办法》 as revised by 国务院令第795号 (in force since 2025-01-01),
//! article 2: 元旦 1 day (1 Jan), 春节 4 days (农历除夕 and 正月初一 to 初三), 清明节 1 day (the day
//! of the 清明 solar term), 劳动节 2 days (1-2 May), 端午节 1 day (农历五月初五), 中秋节 1 day
//! (农历八月十五), 国庆节 3 days (1-3 Oct); article 6: a holiday on a Saturday or Sunday is
//! compensated by a working day off (补假). Lunar dates and the 清明 term come from `tyme4rs`
//! (its 寿星天文历 algorithms); none of its holiday tables is used.

use std::collections::HashMap;
use std::sync::OnceLock;

use time::{Date, Duration, Month, Weekday};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// The first year computed: the revised rules are in force from 2025-01-01.
pub(super) const FIRST_YEAR: i32 = 2025;
/// The last year computed (the solar-term algorithm is good far beyond; a bound keeps the
/// tables small and says plainly that a schedule decades ahead is a guess).
pub(super) const LAST_YEAR: i32 = 2100;

/// A statutory holiday: rest in every variant.
const HOLIDAY: u8 = 1;
/// A 补假 (compensation) weekday: rest in the point estimate and the latest calendar; the notice
/// chooses which weekday compensates, so the earliest calendar counts it as working.
const COMPENSATION: u8 = 2;
/// A Saturday or Sunday that a notice could make a make-up working day: working in the
/// earliest calendar only.
const MAKEUP_CANDIDATE: u8 = 4;
/// A weekday that a notice could add to a holiday block (bridge or swap): rest in the latest
/// calendar only.
const BRIDGE: u8 = 8;

/// How far from a festival's statutory days a make-up Saturday or Sunday can lie, in days.
/// Notices have put them up to 9 days after the last statutory day (2024-10-12 after 国庆
/// 10-01..03; 2026-02-28 after 初三 2026-02-19) and 8 days before the first (2023-04-23
/// before 劳动节 2023-05-01); 10 leaves a day of margin.
const MAKEUP_REACH: i64 = 10;

/// Which of the three calendars a computation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Variant {
    /// The point estimate: statutory days, 补假, Saturday/Sunday rest.
    Point,
    /// As many working days as a notice could give.
    Earliest,
    /// As few working days as a notice could give.
    Latest,
}

/// One festival's statutory days in a year.
struct Festival {
    name: &'static str,
    compensation: &'static str,
    days: Vec<Date>,
    /// The longest block (rest run) notices give it, in days: 春节 and 国庆 9 (8 is usual,
    /// 9 when 中秋 or two 补假 join), 劳动节 5, the others 3.
    longest: i64,
}

/// The computed schedule of one year.
pub(super) struct YearPlan {
    /// Statutory holidays and 补假 days with their names, by date.
    pub(super) holidays: Vec<(Date, &'static str)>,
    /// Flags of the days that differ from a plain Saturday/Sunday week; may hold days of
    /// December of the previous year (make-up candidates and bridges before 元旦).
    flags: HashMap<Date, u8>,
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn to_date(s: &SolarDay) -> Date {
    let month = u8::try_from(s.get_month())
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .expect("tyme4rs gives months 1-12");
    let day = u8::try_from(s.get_day()).expect("tyme4rs gives days 1-31");
    let year = i32::try_from(s.get_year()).expect("years in range");
    Date::from_calendar_date(year, month, day).expect("tyme4rs gives real days")
}

fn lunar(year: i32, month: isize, day: usize) -> Date {
    to_date(&LunarDay::from_ymd(year as isize, month, day).get_solar_day())
}

fn ymd(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).expect("a fixed-date holiday exists every year")
}

fn festivals(year: i32) -> Vec<Festival> {
    let new_year = lunar(year, 1, 1);
    let qingming = to_date(&SolarTerm::from_name(year as isize, "清明").get_solar_day());
    let f = |name, compensation, days, longest| Festival {
        name,
        compensation,
        days,
        longest,
    };
    vec![
        f(
            "元旦",
            "元旦（补假）",
            vec![ymd(year, Month::January, 1)],
            3,
        ),
        f(
            "春节",
            "春节（补假）",
            (-1..=2).map(|i| new_year + Duration::days(i)).collect(),
            9,
        ),
        f("清明节", "清明节（补假）", vec![qingming], 3),
        f(
            "劳动节",
            "劳动节（补假）",
            vec![ymd(year, Month::May, 1), ymd(year, Month::May, 2)],
            5,
        ),
        f("端午节", "端午节（补假）", vec![lunar(year, 5, 5)], 3),
        f("中秋节", "中秋节（补假）", vec![lunar(year, 8, 15)], 3),
        f(
            "国庆节",
            "国庆节（补假）",
            (1..=3).map(|d| ymd(year, Month::October, d)).collect(),
            9,
        ),
    ]
}

impl YearPlan {
    fn compute(year: i32) -> YearPlan {
        let fests = festivals(year);
        let mut flags: HashMap<Date, u8> = HashMap::new();
        let mut holidays = Vec::new();
        let mut statutory: Vec<(Date, usize)> = Vec::new();
        for (i, f) in fests.iter().enumerate() {
            for &d in &f.days {
                statutory.push((d, i));
            }
        }
        statutory.sort_unstable();
        for &(d, i) in &statutory {
            holidays.push((d, fests[i].name));
            *flags.entry(d).or_default() |= HOLIDAY;
        }
        // Article 6: a holiday on a Saturday or Sunday, or on a day already a holiday (中秋 on
        // 1-3 October), is compensated by the next weekday not already off.
        let mut seen = Vec::new();
        for &(d, i) in &statutory {
            if is_weekend(d) || seen.contains(&d) {
                let mut c = d + Duration::days(1);
                while is_weekend(c)
                    || flags
                        .get(&c)
                        .is_some_and(|f| f & (HOLIDAY | COMPENSATION) != 0)
                {
                    c += Duration::days(1);
                }
                *flags.entry(c).or_default() |= COMPENSATION;
                holidays.push((c, fests[i].compensation));
            }
            seen.push(d);
        }
        holidays.sort_unstable();
        for f in &fests {
            mark_makeup_candidates(&mut flags, f);
            mark_bridges(&mut flags, f);
        }
        YearPlan { holidays, flags }
    }
}

/// Saturdays and Sundays within `MAKEUP_REACH` days of the festival's statutory days.
fn mark_makeup_candidates(flags: &mut HashMap<Date, u8>, f: &Festival) {
    let (first, last) = (f.days[0], f.days[f.days.len() - 1]);
    let mut d = first - Duration::days(MAKEUP_REACH);
    while d <= last + Duration::days(MAKEUP_REACH) {
        if is_weekend(d) {
            *flags.entry(d).or_default() |= MAKEUP_CANDIDATE;
        }
        d += Duration::days(1);
    }
}

/// The weekdays a notice could add to the festival's block (bridging to a weekend, or swapped
/// for make-up days): rest in the latest calendar. 春节, 劳动节 and 国庆节 blocks start on the
/// first statutory day or the weekend before it and run on: every weekday up to `longest` days
/// from the first statutory day. The one-day festivals bridge on either side: every weekday
/// within `longest - 1` days of the holiday.
fn mark_bridges(flags: &mut HashMap<Date, u8>, f: &Festival) {
    let (first, last) = (f.days[0], f.days[f.days.len() - 1]);
    let (from, to) = if f.days.len() > 1 {
        (last, first + Duration::days(f.longest - 1))
    } else {
        (
            first - Duration::days(f.longest - 1),
            first + Duration::days(f.longest - 1),
        )
    };
    let mut d = from;
    while d <= to {
        let off = flags
            .get(&d)
            .is_some_and(|x| x & (HOLIDAY | COMPENSATION) != 0);
        if !is_weekend(d) && !off {
            *flags.entry(d).or_default() |= BRIDGE;
        }
        d += Duration::days(1);
    }
}

const YEARS: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;

/// The plan of `year`, computed on first use; `None` outside `FIRST_YEAR..=LAST_YEAR`.
pub(super) fn plan(year: i32) -> Option<&'static YearPlan> {
    static PLANS: [OnceLock<YearPlan>; YEARS] = [const { OnceLock::new() }; YEARS];
    let i = usize::try_from(year.checked_sub(FIRST_YEAR)?).ok()?;
    PLANS
        .get(i)
        .map(|cell| cell.get_or_init(|| YearPlan::compute(year)))
}

/// The first and last day the provisional schedule covers.
pub(super) fn range() -> (Date, Date) {
    (
        ymd(FIRST_YEAR, Month::January, 1),
        ymd(LAST_YEAR, Month::December, 31),
    )
}

/// Is `d` (inside `range()`) a working day in `variant`?
pub(super) fn is_working(d: Date, variant: Variant) -> bool {
    let mut f = plan(d.year())
        .and_then(|p| p.flags.get(&d))
        .copied()
        .unwrap_or(0);
    if d.month() == Month::December {
        f |= plan(d.year() + 1)
            .and_then(|p| p.flags.get(&d))
            .copied()
            .unwrap_or(0);
    }
    let weekend = is_weekend(d);
    let off = match variant {
        Variant::Point => f & (HOLIDAY | COMPENSATION) != 0 || weekend,
        Variant::Earliest => f & HOLIDAY != 0 || (weekend && f & MAKEUP_CANDIDATE == 0),
        Variant::Latest => f & (HOLIDAY | COMPENSATION | BRIDGE) != 0 || weekend,
    };
    !off
}
