//! Charts as inline SVG for the HTML renderer: stacked horizontal bars ([`Chart::Bars`]) and a
//! dated time line ([`Chart::Timeline`]).
//!
//! Every coordinate is rounded to 0.1 px and written with one decimal, so the same chart gives
//! the same bytes. Every string is escaped ([`super::html::esc`]) and labels are cut to a fixed
//! number of characters (the page's tables carry the full text). Each chart has a `<title>`
//! and `role="img"` with an `aria-label`, and says in text what its colours say.

use std::fmt::Write as _;

use time::Date;

use super::html::esc;
use crate::report::page::{BarRow, Chart, Mark, MarkKind, Tone};

/// The drawing width of every chart, in px (the A4 text width at 96 dpi is about 660 px).
const WIDTH: f64 = 640.0;
/// Font size of labels, in px.
const FONT: f64 = 12.0;
/// The most characters of a label drawn in a chart; longer labels end with `…`.
pub(super) const LABEL_CHARS: usize = 48;

/// The chart as one `<svg>` element (no XML prolog: it is inlined in HTML). `lang` is the
/// page's language (`zh-CN` or `en`), for the words the chart adds itself ("today").
pub(super) fn chart(chart: &Chart, lang: &str) -> String {
    match chart {
        Chart::Bars {
            title,
            legend,
            rows,
        } => bars(title, legend, rows),
        Chart::Timeline {
            title,
            marks,
            today,
        } => timeline(title, marks, today.as_deref(), lang),
    }
}

/// The fill colour of a tone (hex, so it prints).
pub(super) fn fill(tone: Tone) -> &'static str {
    match tone {
        Tone::Plain => "#8c959f",
        Tone::Good => "#2da44e",
        Tone::Warn => "#d4a72c",
        Tone::Bad => "#cf222e",
    }
}

/// A darker colour of a tone, for text on white.
fn ink(tone: Tone) -> &'static str {
    match tone {
        Tone::Plain => "#1f2328",
        Tone::Good => "#116329",
        Tone::Warn => "#7d4e00",
        Tone::Bad => "#a40e26",
    }
}

/// A number rounded to 0.1, written with one decimal.
fn n(x: f64) -> String {
    format!("{:.1}", (x * 10.0).round() / 10.0)
}

/// `s` cut to `max` characters, the last one replaced by `…` when cut.
pub(super) fn cap(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The width a text takes at `size` px, estimated: wide (CJK) characters one em, others 0.6 em.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| match unicode_width::UnicodeWidthChar::width(c) {
            Some(2) => size,
            Some(0) => 0.0,
            _ => size * 0.6,
        })
        .sum()
}

fn open(out: &mut String, title: &str, height: f64) {
    let title = esc(title);
    let _ = write!(
        out,
        "<svg class=\"chart\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{title}\" font-size=\"{f}\">\
         <title>{title}</title>",
        w = n(WIDTH),
        h = n(height),
        f = n(FONT),
    );
}

/// Legend entries laid out left to right, wrapping; returns the height used.
fn legend(out: &mut String, entries: &[(String, Tone)], top: f64) -> f64 {
    let (mut x, mut y) = (0.0, top);
    for (name, tone) in entries {
        let name = cap(name, LABEL_CHARS);
        let w = 16.0 + text_width(&name, FONT) + 16.0;
        if x > 0.0 && x + w > WIDTH {
            x = 0.0;
            y += 18.0;
        }
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"11.0\" height=\"11.0\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            n(x),
            n(y + 1.0),
            fill(*tone),
            n(x + 16.0),
            n(y + 11.0),
            esc(&name)
        );
        x += w;
    }
    if entries.is_empty() {
        0.0
    } else {
        y - top + 24.0
    }
}

/// Stacked horizontal bars: the legend on top, then per row its label on one line and the
/// bar under it, its segments in legend order, followed by the values (`3 / 1`) in the
/// segments' colours. Bars share one scale (the largest row total fills the bar width).
fn bars(title: &str, legend_entries: &[(String, Tone)], rows: &[BarRow]) -> String {
    const ROW: f64 = 42.0;
    const BAR: f64 = 16.0;
    const BAR_WIDTH: f64 = WIDTH - 120.0;
    let mut body = String::new();
    let top = legend(&mut body, legend_entries, 0.0);
    let max = rows
        .iter()
        .map(|r| r.values.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    for (i, row) in rows.iter().enumerate() {
        let y = top + ROW * i as f64;
        let _ = write!(
            body,
            "<text x=\"0.0\" y=\"{}\">{}</text>",
            n(y + 12.0),
            esc(&cap(&row.label, LABEL_CHARS * 2))
        );
        let bar_y = y + 18.0;
        let mut x = 0.0;
        for (j, value) in row.values.iter().enumerate() {
            if *value == 0 {
                continue;
            }
            let tone = legend_entries.get(j).map_or(Tone::Plain, |e| e.1);
            let w = BAR_WIDTH * *value as f64 / max as f64;
            let _ = write!(
                body,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"0.5\"/>",
                n(x),
                n(bar_y),
                n(w),
                n(BAR),
                fill(tone)
            );
            x += w;
        }
        if x == 0.0 {
            // Nothing to draw: a hairline shows where the bar would start.
            let _ = write!(
                body,
                "<line x1=\"0.0\" y1=\"{y0}\" x2=\"0.0\" y2=\"{y1}\" stroke=\"#8c959f\"/>",
                y0 = n(bar_y),
                y1 = n(bar_y + BAR)
            );
        }
        let _ = write!(
            body,
            "<text x=\"{}\" y=\"{}\">",
            n(x + 6.0),
            n(bar_y + 12.5)
        );
        for (j, value) in row.values.iter().enumerate() {
            let tone = legend_entries.get(j).map_or(Tone::Plain, |e| e.1);
            if j > 0 {
                body.push_str("<tspan fill=\"#57606a\"> / </tspan>");
            }
            let _ = write!(body, "<tspan fill=\"{}\">{value}</tspan>", ink(tone));
        }
        body.push_str("</text>");
    }
    let height = top + ROW * rows.len() as f64 + 4.0;
    let mut out = String::new();
    open(&mut out, title, height.max(24.0));
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

/// A `YYYY-MM-DD` date, if it is one.
fn parse_date(s: &str) -> Option<Date> {
    let format = time::format_description::parse("[year]-[month]-[day]").ok()?;
    Date::parse(s, &format).ok()
}

/// The name of a mark's kind in `lang`, for legends and tables.
pub(super) fn kind_name(kind: MarkKind, lang: &str) -> &'static str {
    let zh = lang.starts_with("zh");
    match kind {
        MarkKind::Trigger if zh => "起算",
        MarkKind::Trigger => "start",
        MarkKind::Deposit if zh => "托管",
        MarkKind::Deposit => "deposit",
        MarkKind::Due if zh => "到期",
        MarkKind::Due => "due",
    }
}

/// The word for "today" in `lang`.
fn today_word(lang: &str) -> &'static str {
    if lang.starts_with("zh") {
        "今天"
    } else {
        "today"
    }
}

/// A mark's shape centred on (`x`, `y`): triangle (start), square (deposit), diamond (due).
fn shape(kind: MarkKind, tone: Tone, x: f64, y: f64) -> String {
    let c = fill(tone);
    match kind {
        MarkKind::Trigger => format!(
            "<path d=\"M{} {}L{} {}L{} {}Z\" fill=\"{c}\"/>",
            n(x),
            n(y - 6.0),
            n(x + 6.0),
            n(y + 5.0),
            n(x - 6.0),
            n(y + 5.0)
        ),
        MarkKind::Deposit => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"10.0\" height=\"10.0\" fill=\"{c}\"/>",
            n(x - 5.0),
            n(y - 5.0)
        ),
        MarkKind::Due => format!(
            "<path d=\"M{} {}L{} {}L{} {}L{} {}Z\" fill=\"{c}\"/>",
            n(x),
            n(y - 7.0),
            n(x + 7.0),
            n(y),
            n(x),
            n(y + 7.0),
            n(x - 7.0),
            n(y)
        ),
    }
}

/// Each mark's number level above the axis: the lowest level whose last number is far enough
/// to the left, so neighbouring numbers do not overlap (marks are in date order).
fn levels(xs: &[f64]) -> Vec<usize> {
    const LEVELS: usize = 4;
    let mut last = [f64::NEG_INFINITY; LEVELS];
    xs.iter()
        .map(|&x| {
            let level = (0..LEVELS)
                .find(|&l| x - last[l] >= 18.0)
                .unwrap_or_else(|| {
                    (0..LEVELS)
                        .min_by(|&a, &b| last[a].total_cmp(&last[b]))
                        .unwrap_or(0)
                });
            last[level] = x;
            level
        })
        .collect()
}

/// A time line: an axis from the earliest to the latest date (today included), each mark drawn
/// at its day with its shape and colour and a number above it; under the axis the first and
/// last dates, and a numbered list of the marks (shape, date, kind, label). A mark whose date
/// is not `YYYY-MM-DD` is listed but not drawn.
fn timeline(title: &str, marks: &[Mark], today: Option<&str>, lang: &str) -> String {
    const LEFT: f64 = 12.0;
    const AXIS_WIDTH: f64 = WIDTH - 2.0 * LEFT;
    const AXIS_Y: f64 = 76.0;
    let dates: Vec<Option<Date>> = marks.iter().map(|m| parse_date(&m.date)).collect();
    let today_date = today.and_then(parse_date);
    let all = dates.iter().flatten().chain(today_date.iter());
    let (first, last) = (all.clone().min().copied(), all.max().copied());
    let mut body = String::new();
    if let (Some(first), Some(last)) = (first, last) {
        let span = (last - first).whole_days().max(1) as f64;
        let x_of = |d: Date| {
            if first == last {
                LEFT + AXIS_WIDTH / 2.0
            } else {
                LEFT + AXIS_WIDTH * (d - first).whole_days() as f64 / span
            }
        };
        let _ = write!(
            body,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#57606a\" stroke-width=\"1.5\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"#57606a\">{first}</text>\
             <text x=\"{}\" y=\"{}\" fill=\"#57606a\" text-anchor=\"end\">{last}</text>",
            n(LEFT),
            n(LEFT + AXIS_WIDTH),
            n(0.0),
            n(AXIS_Y + 24.0),
            n(WIDTH),
            n(AXIS_Y + 24.0),
            y = n(AXIS_Y),
        );
        if let Some(t) = today_date {
            // The label at the top, beside the line, on the side with room.
            let x = x_of(t);
            let (label_x, anchor) = if x > WIDTH / 2.0 {
                (x - 4.0, "end")
            } else {
                (x + 4.0, "start")
            };
            let _ = write!(
                body,
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#0969da\" stroke-dasharray=\"3 2\"/>\
                 <text x=\"{}\" y=\"{}\" fill=\"#0969da\" text-anchor=\"{anchor}\">{} {t}</text>",
                n(2.0),
                n(AXIS_Y + 10.0),
                n(label_x),
                n(12.0),
                today_word(lang),
                x = n(x),
            );
        }
        let placed: Vec<(usize, f64)> = dates
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.map(|d| (i, x_of(d))))
            .collect();
        let xs: Vec<f64> = placed.iter().map(|p| p.1).collect();
        for ((i, x), level) in placed.iter().zip(levels(&xs)) {
            let mark = &marks[*i];
            body.push_str(&shape(mark.kind, mark.tone, *x, AXIS_Y));
            let _ = write!(
                body,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10.0\" fill=\"{}\">{}</text>",
                n(*x),
                n(AXIS_Y - 14.0 - 13.0 * level as f64),
                ink(mark.tone),
                i + 1
            );
        }
    }
    let list_top = AXIS_Y + 58.0;
    for (i, mark) in marks.iter().enumerate() {
        let y = list_top + 18.0 * i as f64;
        body.push_str(&shape(mark.kind, mark.tone, 8.0, y - 4.0));
        let _ = write!(
            body,
            "<text x=\"22.0\" y=\"{}\"><tspan fill=\"{}\">{}.</tspan> {} · {} · {}</text>",
            n(y),
            ink(mark.tone),
            i + 1,
            esc(&cap(&mark.date, 10)),
            kind_name(mark.kind, lang),
            esc(&cap(&mark.label, LABEL_CHARS * 2)),
        );
    }
    let height = list_top + 18.0 * marks.len() as f64;
    let mut out = String::new();
    open(&mut out, title, height);
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar_chart(rows: Vec<BarRow>) -> Chart {
        Chart::Bars {
            title: "Requirements per criterion".into(),
            legend: vec![("met".into(), Tone::Good), ("unmet".into(), Tone::Bad)],
            rows,
        }
    }

    fn row(label: &str, values: &[u64]) -> BarRow {
        BarRow {
            label: label.into(),
            values: values.to_vec(),
        }
    }

    fn mark(date: &str, label: &str, kind: MarkKind, tone: Tone) -> Mark {
        Mark {
            date: date.into(),
            label: label.into(),
            kind,
            tone,
        }
    }

    /// The `width` attributes of the `<rect>`s with fill `colour`.
    fn widths(svg: &str, colour: &str) -> Vec<f64> {
        svg.split("<rect ")
            .skip(1)
            .filter(|r| r.contains(&format!("fill=\"{colour}\"")))
            .map(|r| {
                let w = r.split("width=\"").nth(1).unwrap();
                w[..w.find('"').unwrap()].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn bars_are_stacked_to_one_scale_with_their_values_and_legend() {
        let svg = chart(
            &bar_chart(vec![
                row("① 源代码完整性", &[3, 1]),
                row("② 可构建", &[2, 0]),
            ]),
            "zh-CN",
        );
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\" aria-label=\"Requirements per criterion\""));
        assert!(svg.contains("<title>Requirements per criterion</title>"));
        assert!(svg.contains(">① 源代码完整性</text>") && svg.contains(">② 可构建</text>"));
        assert!(svg.contains(">met</text>") && svg.contains(">unmet</text>"));
        // Green segments: the legend swatch (11), 3 of 4 and 2 of 4 of the bar width.
        let good = widths(&svg, fill(Tone::Good));
        assert_eq!(good, vec![11.0, 390.0, 260.0]);
        let bad = widths(&svg, fill(Tone::Bad));
        assert_eq!(bad, vec![11.0, 130.0], "a zero value draws no segment");
        assert!(svg.contains(
            ">3</tspan><tspan fill=\"#57606a\"> / </tspan><tspan fill=\"#a40e26\">1</tspan>"
        ));
        assert!(svg.contains(
            ">2</tspan><tspan fill=\"#57606a\"> / </tspan><tspan fill=\"#a40e26\">0</tspan>"
        ));
    }

    #[test]
    fn a_row_of_zeros_keeps_its_label_and_values() {
        let svg = chart(&bar_chart(vec![row("③ 无后门", &[0, 0])]), "en");
        assert!(svg.contains(">③ 无后门</text>"));
        assert_eq!(widths(&svg, fill(Tone::Good)), vec![11.0]);
        assert!(svg.contains("<line x1=\"0.0\""));
        assert!(svg.contains(
            ">0</tspan><tspan fill=\"#57606a\"> / </tspan><tspan fill=\"#a40e26\">0</tspan>"
        ));
    }

    #[test]
    fn numbers_are_rounded_so_the_same_chart_gives_the_same_bytes() {
        let c = bar_chart(vec![row("a", &[1, 2]), row("b", &[7, 0])]);
        let svg = chart(&c, "en");
        assert_eq!(svg, chart(&c.clone(), "en"));
        // 520 × 1/7 = 74.2857…: written as 74.3.
        assert!(svg.contains("width=\"74.3\""), "{svg}");
        for attr in svg.split("=\"").skip(1) {
            let value = &attr[..attr.find('"').unwrap()];
            if let Ok(v) = value.parse::<f64>() {
                assert!(
                    !value.contains('.') || value.split('.').nth(1).unwrap().len() == 1,
                    "{value} = {v} has more than one decimal"
                );
            }
        }
    }

    #[test]
    fn labels_are_escaped_and_capped() {
        let long = "x".repeat(4000);
        let svg = chart(
            &Chart::Bars {
                title: "<script>\"t\"</script>".into(),
                legend: vec![("<b>&amp;</b>".into(), Tone::Warn)],
                rows: vec![row(&format!("<img src=x>{long}"), &[5])],
            },
            "en",
        );
        assert!(!svg.contains("<script") && !svg.contains("<img") && !svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;&quot;t&quot;&lt;/script&gt;"));
        assert!(svg.contains("&lt;b&gt;&amp;amp;&lt;/b&gt;"));
        assert!(!svg.contains(&"x".repeat(LABEL_CHARS * 2)));
        assert!(svg.contains(&format!("{}…", "x".repeat(LABEL_CHARS * 2 - 12))));
    }

    #[test]
    fn timeline_places_marks_by_day_with_a_shape_per_kind() {
        let marks = vec![
            mark("2026-01-01", "go-live", MarkKind::Trigger, Tone::Plain),
            mark("2026-01-11", "deposit v2.3", MarkKind::Deposit, Tone::Good),
            mark("2026-01-31", "<due>", MarkKind::Due, Tone::Bad),
        ];
        let c = Chart::Timeline {
            title: "Timeline".into(),
            marks,
            today: Some("2026-02-10".into()),
        };
        let svg = chart(&c, "en");
        // The axis runs 2026-01-01 → 2026-02-10 (40 days) over 616 px from x = 12.
        // Triangle at day 0, square centred at day 10 (x = 166), diamond at day 30 (x = 474).
        assert!(
            svg.contains("<path d=\"M12.0 70.0L18.0 81.0L6.0 81.0Z\" fill=\"#8c959f\"/>"),
            "{svg}"
        );
        assert!(svg.contains(
            "<rect x=\"161.0\" y=\"71.0\" width=\"10.0\" height=\"10.0\" fill=\"#2da44e\"/>"
        ));
        assert!(svg.contains(
            "<path d=\"M474.0 69.0L481.0 76.0L474.0 83.0L467.0 76.0Z\" fill=\"#cf222e\"/>"
        ));
        assert!(svg.contains(">2026-01-01</text>") && svg.contains(">2026-02-10</text>"));
        // Today is the last day: its label sits left of its line, inside the chart.
        assert!(svg.contains("<text x=\"624.0\" y=\"12.0\" fill=\"#0969da\" text-anchor=\"end\">today 2026-02-10</text>"), "{svg}");
        assert!(svg.contains("stroke-dasharray") && svg.contains("x1=\"628.0\""));
        assert!(svg.contains("2026-01-31 · due · &lt;due&gt;</text>"));
        assert!(svg.contains("2026-01-11 · deposit · deposit v2.3</text>"));
        assert_eq!(svg, chart(&c, "en"));
        let zh = chart(&c, "zh-CN");
        assert!(zh.contains(">今天 2026-02-10</text>") && zh.contains(" · 到期 · "));
    }

    #[test]
    fn marks_on_the_same_day_get_numbers_on_different_levels() {
        let marks: Vec<Mark> = (0..3)
            .map(|i| {
                mark(
                    "2026-03-01",
                    &format!("m{i}"),
                    MarkKind::Deposit,
                    Tone::Good,
                )
            })
            .chain([mark("2026-04-01", "far", MarkKind::Due, Tone::Warn)])
            .collect();
        let svg = chart(
            &Chart::Timeline {
                title: "t".into(),
                marks,
                today: None,
            },
            "en",
        );
        assert_eq!(svg.matches("font-size=\"10.0\"").count(), 4);
        assert_eq!(levels(&[12.0, 12.0, 12.0, 628.0]), vec![0, 1, 2, 0]);
        assert_eq!(levels(&[0.0, 10.0, 30.0]), vec![0, 1, 0]);
        for y in ["y=\"62.0\"", "y=\"49.0\"", "y=\"36.0\""] {
            assert!(svg.contains(&format!("{y} text-anchor=\"middle\"")), "{y}");
        }
    }

    #[test]
    fn a_bad_date_is_listed_but_not_drawn_and_one_day_is_centred() {
        let svg = chart(
            &Chart::Timeline {
                title: "t".into(),
                marks: vec![
                    mark("2026-05-05", "only", MarkKind::Due, Tone::Warn),
                    mark("someday", "bad", MarkKind::Deposit, Tone::Plain),
                ],
                today: None,
            },
            "en",
        );
        assert!(svg.contains("<path d=\"M320.0 69.0"), "{svg}");
        assert!(svg.contains("someday · deposit · bad</text>"));
        assert_eq!(
            widths(&svg, fill(Tone::Plain)).len(),
            1,
            "only the list's square"
        );
        let empty = chart(
            &Chart::Timeline {
                title: "t".into(),
                marks: vec![],
                today: None,
            },
            "en",
        );
        assert!(empty.contains("<title>t</title>") && !empty.contains("<line"));
    }
}
