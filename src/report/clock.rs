//! Times in human reports: China Standard Time, with the zone named. JSON keeps RFC 3339 UTC.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::Lang;

/// An RFC 3339 time as people in China read it: `2026-03-10 17:00 (UTC+8, China Standard
/// Time)` in English, `2026-03-10 17:00（UTC+8 北京时间）` in Chinese. A text that is not RFC
/// 3339 is returned unchanged.
pub fn cst_time(rfc3339: &str, lang: Lang) -> String {
    let Ok(t) = OffsetDateTime::parse(rfc3339, &Rfc3339) else {
        return rfc3339.to_owned();
    };
    let Ok(cst) = UtcOffset::from_hms(8, 0, 0) else {
        return rfc3339.to_owned();
    };
    let t = t.to_offset(cst);
    let day = t.date();
    let (h, m) = (t.hour(), t.minute());
    match lang {
        Lang::En => format!("{day} {h:02}:{m:02} (UTC+8, China Standard Time)"),
        Lang::Zh => format!("{day} {h:02}:{m:02}（UTC+8 北京时间）"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_is_shown_in_china_standard_time_with_the_zone_named() {
        assert_eq!(
            cst_time("2026-03-10T09:00:00Z", Lang::En),
            "2026-03-10 17:00 (UTC+8, China Standard Time)"
        );
        assert_eq!(
            cst_time("2026-03-10T17:30:00Z", Lang::Zh),
            "2026-03-11 01:30（UTC+8 北京时间）"
        );
        assert_eq!(cst_time("yesterday", Lang::En), "yesterday");
    }
}
