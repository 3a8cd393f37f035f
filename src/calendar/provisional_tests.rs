//! The provisional schedule, the due-date range and calendar-file checks.

use super::*;

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn list(v: &[(&str, &'static str)]) -> Vec<(Date, &'static str)> {
    v.iter().map(|&(s, n)| (d(s), n)).collect()
}

/// 2027 and 2028 from the statutory rules: the festival dates are the almanac's (除夕
/// 2027-02-05 and 2028-01-25, 清明 2027-04-05 and 2028-04-04, 端午 2027-06-09 and 2028-05-28,
/// 中秋 2027-09-15 and 2028-10-03); the 补假 days follow article 6.
#[test]
fn provisional_holidays_2027_and_2028() {
    let c = Calendar::cn();
    let y2027 = list(&[
        ("2027-01-01", "元旦"),
        ("2027-02-05", "春节"),
        ("2027-02-06", "春节"),
        ("2027-02-07", "春节"),
        ("2027-02-08", "春节"),
        ("2027-02-09", "春节（补假）"),
        ("2027-02-10", "春节（补假）"),
        ("2027-04-05", "清明节"),
        ("2027-05-01", "劳动节"),
        ("2027-05-02", "劳动节"),
        ("2027-05-03", "劳动节（补假）"),
        ("2027-05-04", "劳动节（补假）"),
        ("2027-06-09", "端午节"),
        ("2027-09-15", "中秋节"),
        ("2027-10-01", "国庆节"),
        ("2027-10-02", "国庆节"),
        ("2027-10-03", "国庆节"),
        ("2027-10-04", "国庆节（补假）"),
        ("2027-10-05", "国庆节（补假）"),
    ]);
    assert_eq!(c.provisional_holidays(2027), y2027);
    // 2028: 元旦 on a Saturday → Monday 1-03 off; 端午 on a Sunday → Monday 5-29; 中秋 on
    // 10-03, a 国庆 day, and 国庆 10-01 on a Sunday: two 补假, 10-04 and 10-05.
    let y2028 = list(&[
        ("2028-01-01", "元旦"),
        ("2028-01-03", "元旦（补假）"),
        ("2028-01-25", "春节"),
        ("2028-01-26", "春节"),
        ("2028-01-27", "春节"),
        ("2028-01-28", "春节"),
        ("2028-04-04", "清明节"),
        ("2028-05-01", "劳动节"),
        ("2028-05-02", "劳动节"),
        ("2028-05-28", "端午节"),
        ("2028-05-29", "端午节（补假）"),
        ("2028-10-01", "国庆节"),
        ("2028-10-02", "国庆节"),
        ("2028-10-03", "中秋节"),
        ("2028-10-03", "国庆节"),
        ("2028-10-04", "国庆节（补假）"),
        ("2028-10-05", "国庆节（补假）"),
    ]);
    assert_eq!(c.provisional_holidays(2028), y2028);
    assert!(c.provisional_holidays(2024).is_empty());
    assert!(c.provisional_holidays(2101).is_empty());
}

#[test]
fn provisional_days_in_the_point_estimate() {
    let c = Calendar::cn();
    assert_eq!(c.end, d("2026-12-31"));
    assert_eq!(c.provisional_end(), Some(d("2100-12-31")));
    assert!(!c.is_provisional(d("2026-12-31")));
    assert!(c.is_provisional(d("2027-01-01")));
    // 补假: 元旦 2028-01-01 is a Saturday, so Monday 2028-01-03 rests and Tuesday works.
    assert!(!c.is_working(d("2028-01-03")).unwrap());
    assert!(c.is_working(d("2028-01-04")).unwrap());
    // 春节 2027 (Fri 2-05 to Mon 2-08, 补假 Tue and Wed): Thursday 2-11 is the first working
    // day after Wednesday 2-03 + 1.
    assert_eq!(
        c.due(d("2027-02-04"), Deadline::WorkingDays(1)).unwrap(),
        d("2027-02-11")
    );
    // A plain weekday and a weekend far from any holiday.
    assert!(c.is_working(d("2027-03-10")).unwrap());
    assert!(!c.is_working(d("2027-03-13")).unwrap());
    // Crossing from official into provisional: 2026-12-24 + 10 working days.
    assert_eq!(
        c.due(d("2026-12-24"), Deadline::WorkingDays(10)).unwrap(),
        d("2027-01-08")
    );
    assert!(c.any_provisional(d("2026-12-24"), d("2027-01-08")));
    assert!(!c.any_provisional(d("2026-12-24"), d("2026-12-31")));
    assert!(!c.any_provisional(d("2027-01-08"), d("2027-01-08")));
    assert_eq!(
        c.working_days_between(d("2026-12-24"), d("2027-01-08"))
            .unwrap(),
        10
    );
}

#[test]
fn due_range_bounds_the_point_estimate() {
    let c = Calendar::cn();
    // Only official days: the range is the due date itself.
    let ten = Deadline::WorkingDays(10);
    let due = c.due(d("2026-09-30"), ten).unwrap();
    assert_eq!(c.due_range(d("2026-09-30"), ten).unwrap(), (due, due));
    // Across 国庆 2027 (Fri 10-01 to Tue 10-05 in the point estimate).
    let from = d("2027-09-24");
    let due = c.due(from, ten).unwrap();
    let (early, late) = c.due_range(from, ten).unwrap();
    assert!(early < due && due < late, "{early} {due} {late}");
    // Earliest: only the statutory 10-01..03 rest; Saturday 9-25 and Sunday 9-26 may be
    // make-up days, and the 补假 may lie elsewhere: 9-25..30, 10-04..07.
    assert_eq!(early, d("2027-10-07"));
    // Latest: no make-up day, 补假 10-04/05, and 10-06..08 may rest too (国庆 up to 9 days
    // from 10-01): 9-27..30, then 10-11..15 and 10-18.
    assert_eq!(late, d("2027-10-18"));
    // Far from holidays the three agree.
    let from = d("2027-03-01");
    let due = c.due(from, Deadline::WorkingDays(5)).unwrap();
    assert_eq!(
        c.due_range(from, Deadline::WorkingDays(5)).unwrap(),
        (due, due)
    );
    // Calendar days roll forward in each calendar.
    let (e, l) = c
        .due_range(d("2027-09-16"), Deadline::CalendarDays(15))
        .unwrap();
    // 9-16 + 15 = 10-01; 10-01..03 are statutory, 10-04 (补假) may work.
    assert_eq!(e, d("2027-10-04"));
    assert!(l > c.due(d("2027-09-16"), Deadline::CalendarDays(15)).unwrap());
}

/// The embedded data with only the 2024 notice: 2025-2026 are provisional.
fn official_to_2024() -> Calendar {
    let cut = CN_DATA.find("[[year]]\nyear = 2025").unwrap();
    let text = CN_DATA[..cut].replace(
        "coverage_end = \"2026-12-31\"",
        "coverage_end = \"2024-12-31\"",
    );
    let mut c = Calendar::cn_empty(true);
    c.add_text("2024 only", &text).unwrap();
    c
}

/// The provisional schedule of 2025-2026 against the notices for those years: every official
/// due date lies inside the range of the provisional one.
#[test]
fn range_holds_the_official_2025_2026_due_dates() {
    let estimated = official_to_2024();
    let official = Calendar::cn_official();
    assert!(estimated.is_provisional(d("2025-06-01")));
    let (mut total, mut exact, mut widest) = (0_u32, 0_u32, 0_i64);
    let mut from = d("2025-01-01");
    while from <= d("2026-12-01") {
        for n in [3, 10, 30] {
            let deadline = Deadline::WorkingDays(n);
            // 30 working days from December 2026 run past the notices: nothing to compare.
            let Ok(truth) = official.due(from, deadline) else {
                assert!(from >= d("2026-11-01"), "{from} + {n}");
                continue;
            };
            let point = estimated.due(from, deadline).unwrap();
            let (early, late) = estimated.due_range(from, deadline).unwrap();
            assert!(
                early <= truth && truth <= late,
                "{from} + {n}: official {truth}, range {early} to {late}"
            );
            assert!(early <= point && point <= late);
            total += 1;
            exact += u32::from(point == truth);
            widest = widest.max((late - early).whole_days());
        }
        from = from.next_day().unwrap();
    }
    // Measured: see the report; these bounds catch a schedule or range gone wrong.
    assert!(exact * 100 >= total * 60, "{exact} of {total} exact");
    assert!(widest <= 30, "widest range {widest} days");
}

#[test]
fn the_embedded_data_validates() {
    let info = validate_text("(built in)", CN_DATA).unwrap();
    assert_eq!(info.years, [2024, 2025, 2026]);
    assert_eq!(info.sources[2], "国办发明电〔2025〕7号");
    assert_eq!(info.titles[0], "国务院办公厅关于2024年部分节假日安排的通知");
    assert_eq!(
        (info.coverage_start, info.coverage_end),
        (d("2024-01-01"), d("2026-12-31"))
    );
    // 2024: 1 + 8 + 3 + 5 + 1 + 3 + 7; 2025: 1 + 8 + 3 + 5 + 3 + 8; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7.
    assert_eq!(info.holidays.len(), 28 + 28 + 33);
    assert_eq!(info.makeup_workdays.len(), 8 + 5 + 6);
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let text = "schema_version = 2\n\
coverage_start = \"2027-01-01\"\n\
coverage_end = \"2027-12-31\"\n\
colour = \"red\"\n\
[[year]]\n\
year = 2027\n\
holidays = [\"2027-02-30\", \"2026-11-30\", \"2027-10-09\", \"2026-12-31\", \"2027-10-04\"]\n\
makeup_workdays = [\"2027-10-09\", \"2027-10-08\", \"2027-10-10\"]\n\
titel = \"x\"\n";
    let errors = validate_text("n.toml", text).unwrap_err();
    let got: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let want = [
        "n.toml:1:18: schema_version 2 is not supported (1 is)",
        "n.toml:4:1: unknown key \"colour\" at the top (known: schema_version, country, weekend, coverage_start, coverage_end, year)",
        "n.toml:7:13: holidays \"2027-02-30\" is not a date (YYYY-MM-DD)",
        "n.toml:7:27: 2026-11-30 is not in 2027 or December 2026",
        "n.toml:8:20: 2027-10-09 is both a holiday (line 7) and a make-up working day",
        "n.toml:8:34: 2027-10-08 is a Friday: a make-up working day is a Saturday or Sunday",
        "n.toml:9:1: unknown key \"titel\" in [[year]] (known: year, source, title, issued, url, holidays, makeup_workdays)",
    ];
    assert_eq!(got, want);
    // Through add_text: several problems come back together, and nothing is added.
    let mut c = Calendar::cn();
    let e = c.add_text("n.toml", text).unwrap_err();
    assert!(matches!(&e, CalendarError::Invalid(v) if v.len() == want.len()));
    assert_eq!(e.to_string(), want.join("\n"));
    assert!(c.is_provisional(d("2027-10-04")));
}

#[test]
fn syntax_and_missing_keys_are_located() {
    let text = "schema_version = 1\ncoverage_start = \"2027-01-01\"\n[[year]]\nyear = 2027\nholidays = [\"2027-01-01\"\n";
    let errors = validate_text("s.toml", text).unwrap_err();
    let got: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(got.iter().any(|m| m.starts_with("s.toml:5:")), "{got:?}");
    assert!(
        got.iter()
            .any(|m| m
                == "s.toml:1:1: coverage_end is missing (write coverage_end = \"YYYY-MM-DD\")"),
        "{got:?}"
    );
    // One problem comes back as itself.
    let one =
        "schema_version = 1\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2026-12-31\"\n";
    let e = Calendar::cn().add_text("o.toml", one).unwrap_err();
    assert_eq!(
        e.to_string(),
        "o.toml:3:16: coverage_end 2026-12-31 is before coverage_start 2027-01-01"
    );
    // A file read from disk, and one that cannot be read.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "schema_version = 1\ncountry = \"JP\"\ncoverage_start = \"2027-01-01\"\ncoverage_end = \"2027-12-31\"\n").unwrap();
    let errors = validate_file(&f).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .to_string()
            .ends_with("bad.toml:2:11: only country = \"CN\" is supported"),
        "{}",
        errors[0]
    );
    assert!(validate_file(&dir.path().join("none.toml")).is_err());
    // TOML dates without quotes are dates too; a number is not.
    let bare = "schema_version = 1\ncoverage_start = 2027-01-01\ncoverage_end = \"2027-12-31\"\n[[year]]\nyear = 2027\nholidays = [2027-01-01, 20270102]\n";
    let errors = validate_text("b.toml", bare).unwrap_err();
    let got: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        ["b.toml:6:25: holidays must be a date such as \"2027-01-01\""]
    );
}

#[test]
fn a_notice_contradicting_the_loaded_ones_is_refused() {
    let mut c = Calendar::cn();
    // 2026-10-10 is a make-up Saturday in the 2026 notice.
    let text = "schema_version = 1\ncoverage_start = \"2026-10-01\"\ncoverage_end = \"2026-10-31\"\n[[year]]\nyear = 2026\nholidays = [\"2026-10-10\"]\n";
    let e = c.add_text("local.toml", text).unwrap_err();
    assert!(matches!(e, CalendarError::Data { .. }), "{e}");
    assert!(c.is_working(d("2026-10-10")).unwrap());
}

/// The statutory days and 补假 computed for 2025 and 2026 are rest days in those years'
/// notices.
#[test]
fn computed_holidays_rest_in_the_2025_2026_notices() {
    let official = Calendar::cn_official();
    for year in [2025, 2026] {
        let computed = official.provisional_holidays(year);
        assert!(computed.len() >= 14, "{computed:?}");
        for (day, name) in computed {
            assert!(!official.is_working(day).unwrap(), "{day} {name}");
        }
    }
}

/// The earliest calendar works wherever the point estimate works, and the point estimate
/// wherever the latest works: what makes `earliest <= due <= latest`.
#[test]
fn the_three_calendars_nest() {
    let (first, last) = provisional::range();
    let (mut d, mut differ) = (first, [0, 0]);
    while d <= last {
        let e = provisional::is_working(d, Variant::Earliest);
        let p = provisional::is_working(d, Variant::Point);
        let l = provisional::is_working(d, Variant::Latest);
        assert!((!p || e) && (!l || p), "{d}: {e} {p} {l}");
        differ[0] += u32::from(e != p);
        differ[1] += u32::from(p != l);
        d = d.next_day().unwrap();
    }
    assert!(differ[0] > 0 && differ[1] > 0);
}
