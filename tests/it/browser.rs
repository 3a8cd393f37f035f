//! HTML reports as a person sees them: each page is opened in headless Chromium, which prints it
//! to a PDF and takes a screenshot, with the network cut off (a dead SOCKS proxy and a resolver
//! that finds no host). A page passes when Chromium succeeds, the PNG is a PNG, the PDF is A4
//! with the expected number of pages, and nothing tried to reach outside the file: no Content
//! Security Policy violation on the console, no request in Chromium's net log other than its
//! own background calls, and nothing external in the HTML itself (`escrow::report::html_external_references`).
//! Negative controls prove each check catches a page that fetches an image.
//!
//! Needs `chromium` and `pdftotext` (`apt-get install chromium fonts-noto-cjk poppler-utils`;
//! `bash .ci/run` installs them). With `ESCROW_SKIP_BROWSER=1` the tests say so and pass.

use std::path::{Path, PathBuf};
use std::process::Command;

use escrow::report::page::{
    BarRow, Block, Chart, Field, Mark, MarkKind, Page, Signatory, Table, Text, Tone,
};
use escrow::report::{Lang, OutputFormat, render_page};

use crate::common;

const INSTALL: &str = "install them with `apt-get install chromium fonts-noto-cjk poppler-utils` \
     (bash .ci/run does), or set ESCROW_SKIP_BROWSER=1 to skip the browser tests";

/// The tools, or `None` when `ESCROW_SKIP_BROWSER=1` (after a note on stderr). Fails the test
/// when Chromium or pdftotext is missing.
fn tools() -> Option<PathBuf> {
    if std::env::var_os("ESCROW_SKIP_BROWSER").is_some_and(|v| v == "1") {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("ESCROW_SKIP_BROWSER=1: the HTML pages were not opened in Chromium");
        }
        return None;
    }
    let find = |name: &str| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    };
    let chromium = find("chromium")
        .or_else(|| find("chromium-browser"))
        .unwrap_or_else(|| panic!("headless Chromium (`chromium`) is not installed: {INSTALL}"));
    assert!(
        find("pdftotext").is_some(),
        "pdftotext (poppler-utils) is not installed: {INSTALL}"
    );
    Some(chromium)
}

/// What Chromium made of one HTML file.
struct Printed {
    _dir: tempfile::TempDir,
    code: i32,
    png: PathBuf,
    pdf: PathBuf,
    /// Chromium's stderr (`--enable-logging=stderr --v=1`: console messages included).
    log: String,
    /// The net log (`--log-net-log`), JSON.
    net_log: String,
}

/// Open `html` in headless Chromium without network: print it to PDF (A4 by the page's own
/// `@page`, no header or footer added) and screenshot it at 794×1123 px (A4 at 96 dpi).
fn open_in_chromium(chromium: &Path, html: &Path) -> Printed {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("page.png");
    let pdf = dir.path().join("page.pdf");
    let net = dir.path().join("net.json");
    let html = html.canonicalize().unwrap();
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--proxy-server=socks5://127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--no-pdf-header-footer",
        "--window-size=794,1123",
        "--enable-logging=stderr",
        "--v=1",
    ])
    .arg(format!(
        "--user-data-dir={}",
        dir.path().join("profile").display()
    ))
    .arg(format!("--print-to-pdf={}", pdf.display()))
    .arg(format!("--screenshot={}", png.display()))
    .arg(format!("--log-net-log={}", net.display()))
    .arg(format!("file://{}", html.display()))
    .current_dir(dir.path());
    let run = common::run(cmd);
    let net_log = std::fs::read_to_string(&net).unwrap_or_default();
    // To look at the pages: ESCROW_BROWSER_OUT=DIR keeps a copy of each HTML, PNG and PDF.
    if let Some(keep) = std::env::var_os("ESCROW_BROWSER_OUT") {
        let keep = PathBuf::from(keep);
        let stem = html.file_stem().unwrap().to_string_lossy().into_owned();
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&html, keep.join(format!("{stem}.html"))).unwrap();
        for (from, ext) in [(&png, "png"), (&pdf, "pdf")] {
            let _ = std::fs::copy(from, keep.join(format!("{stem}.{ext}")));
        }
    }
    Printed {
        code: run.code,
        png,
        pdf,
        log: run.stderr,
        net_log,
        _dir: dir,
    }
}

/// Hosts Chromium calls by itself even with background networking off (sign-in, updates,
/// time); they go nowhere (`~NOTFOUND`), and no report refers to them (the static scan says so).
fn chromium_own(host: &str) -> bool {
    ["google.com", "googleapis.com", "gvt1.com", "gstatic.com"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        || host.ends_with("~notfound")
}

/// The URLs in a net log that are not the file itself (`file:`, `data:`, `chrome:`, `about:`)
/// nor Chromium's own background calls.
fn foreign_requests(net_log: &str) -> Vec<String> {
    let mut found = Vec::new();
    for key in ["\"url\":\"", "\"original_url\":\""] {
        for (i, _) in net_log.match_indices(key) {
            let rest = &net_log[i + key.len()..];
            let url = &rest[..rest.find('"').unwrap_or(rest.len())];
            let lower = url.to_ascii_lowercase();
            if [
                "file:",
                "data:",
                "chrome:",
                "chrome-untrusted:",
                "about:",
                "blob:",
            ]
            .iter()
            .any(|s| lower.starts_with(s))
            {
                continue;
            }
            let host = lower
                .split_once("://")
                .map_or(lower.as_str(), |(_, r)| r)
                .split(['/', ':', '?', '#'])
                .next()
                .unwrap_or("");
            if !chromium_own(host) {
                found.push(url.to_owned());
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Every sign that a printed page tried to reach outside its file.
fn fetches(p: &Printed) -> Vec<String> {
    let mut found: Vec<String> = p
        .log
        .lines()
        .filter(|l| l.contains("violates the following Content Security Policy"))
        .map(|l| format!("CSP: {}", &l[..l.len().min(200)]))
        .collect();
    found.extend(
        foreign_requests(&p.net_log)
            .into_iter()
            .map(|u| format!("request: {u}")),
    );
    found
}

/// The PDF's page count and the first page's size in points (its `/MediaBox`, inherited
/// from the page tree when the page has none).
fn pdf_pages(pdf: &Path) -> (usize, (f64, f64)) {
    let doc = lopdf::Document::load(pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
    let pages = doc.get_pages();
    let first = *pages.values().next().expect("a page");
    let mut dict = doc.get_dictionary(first).unwrap();
    let media = loop {
        if let Ok(m) = dict.get(b"MediaBox") {
            break m.as_array().unwrap().clone();
        }
        let parent = dict.get(b"Parent").unwrap().as_reference().unwrap();
        dict = doc.get_dictionary(parent).unwrap();
    };
    let num = |o: &lopdf::Object| match o {
        lopdf::Object::Integer(i) => *i as f64,
        lopdf::Object::Real(r) => f64::from(*r),
        other => panic!("MediaBox entry {other:?}"),
    };
    let size = (
        num(&media[2]) - num(&media[0]),
        num(&media[3]) - num(&media[1]),
    );
    (pages.len(), size)
}

/// The text of each page of a PDF (pdftotext, pages split at form feeds).
fn pdf_text(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Assert what every printed report must be: Chromium succeeded, a PNG screenshot, an A4 PDF
/// of `pages` pages, nothing fetched. Returns the page count.
fn assert_printed(name: &str, p: &Printed, pages: std::ops::RangeInclusive<usize>) -> usize {
    assert_eq!(p.code, 0, "{name}: chromium failed:\n{}", tail(&p.log));
    let png = std::fs::read(&p.png).unwrap_or_else(|e| panic!("{name}: no screenshot: {e}"));
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{name}: the screenshot is not a PNG"
    );
    let (count, (w, h)) = pdf_pages(&p.pdf);
    // A4 is 210 × 297 mm = 595.3 × 841.9 pt; Chromium writes 594.96 × 841.92.
    assert!(
        (w - 595.3).abs() < 2.0 && (h - 841.9).abs() < 2.0,
        "{name}: page size {w} × {h} pt is not A4"
    );
    assert!(
        pages.contains(&count),
        "{name}: {count} pages, expected {pages:?}"
    );
    assert_eq!(fetches(p), Vec::<String>::new(), "{name} tried to fetch");
    count
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Rows of the long table: enough to fill several printed pages.
const LONG_ROWS: usize = 150;

/// A page with every kind of block: a verdict, a form, a table long enough to span pages (one
/// row holding a 4,000-character name with no space in it), lists, both charts, a heading
/// that starts a new page, the signature block and a code excerpt.
fn every_block_page() -> Page {
    let mut page = Page::new(Lang::Zh, "源代码验收报告");
    page.subtitle = Some("朝阳医院 HIS 项目 · 测试页".into());
    page.footer = "escrow · 2026-03-10 17:00（UTC+8 北京时间）".into();
    page.heading(1, "一、验收结论");
    page.push(Block::Verdict {
        headline: "不通过".into(),
        detail: "标准②未满足：交付物无法构建。".into(),
        tone: Tone::Bad,
    });
    page.push(Block::Fields(vec![
        Field::new("项目名称", "朝阳医院 HIS"),
        Field::new("合同编号", Text::mono("CY-2026-001")),
        Field::new("甲方", "北京市朝阳医院"),
        Field::new("合同日期", ""),
    ]));
    page.push(Block::Chart(Chart::Bars {
        title: "各标准要求满足情况".into(),
        legend: vec![("满足".into(), Tone::Good), ("未满足".into(), Tone::Bad)],
        rows: vec![
            BarRow {
                label: "① 源代码完整性".into(),
                values: vec![5, 1],
            },
            BarRow {
                label: "② 可构建".into(),
                values: vec![0, 2],
            },
            BarRow {
                label: "③ 无后门".into(),
                values: vec![0, 0],
            },
        ],
    }));
    page.push(Block::Chart(Chart::Timeline {
        title: "时间线".into(),
        marks: vec![
            Mark {
                date: "2026-01-05".into(),
                label: "系统上线".into(),
                kind: MarkKind::Trigger,
                tone: Tone::Plain,
            },
            Mark {
                date: "2026-01-20".into(),
                label: "首次托管".into(),
                kind: MarkKind::Deposit,
                tone: Tone::Good,
            },
            Mark {
                date: "2026-02-04".into(),
                label: "更新托管期限".into(),
                kind: MarkKind::Due,
                tone: Tone::Bad,
            },
        ],
        today: Some("2026-03-10".into()),
    }));
    page.heading(1, "二、文件清单");
    page.push(Block::Table(long_table()));
    page.push(Block::List {
        ordered: true,
        items: vec!["补交数据库脚本".into(), "说明构建步骤".into()],
    });
    page.push(Block::Code(
        "escrow check delivery/ --manifest manifests/chaoyang-his.toml".into(),
    ));
    page.push(Block::Heading {
        level: 1,
        text: "项目验收单".into(),
        new_page: true,
    });
    page.push(Block::Signatures(vec![
        Signatory {
            role: "甲方（验收方）".into(),
            name: Some("北京市朝阳医院".into()),
            lines: vec!["签字：".into(), "盖章：".into(), "日期：".into()],
        },
        Signatory {
            role: "乙方".into(),
            name: None,
            lines: vec!["签字：".into(), "盖章：".into(), "日期：".into()],
        },
    ]));
    page
}

/// The long table: enough rows for several printed pages, one holding a 4,000-character
/// name with no space in it.
fn long_table() -> Table {
    let mut rows: Vec<Vec<Text>> = (1..=LONG_ROWS)
        .map(|i| {
            vec![
                Text::plain(format!("row-{i:03}")),
                Text::mono(format!("src/module-{i:03}/服务-{i}.java")),
                if i % 7 == 0 {
                    Text::toned("未满足", Tone::Bad)
                } else {
                    Text::toned("满足", Tone::Good)
                },
            ]
        })
        .collect();
    rows[3][1] = Text::mono(format!("{}.java", "a".repeat(4000)));
    Table {
        caption: Some("交付文件".into()),
        header: vec!["序号".into(), "文件路径".into(), "结果".into()],
        widths: vec![1, 5, 1],
        rows,
        note: Some("表后说明：共 150 个文件。".into()),
    }
}

fn write_html(dir: &Path, name: &str, page: &Page) -> PathBuf {
    let mut out = Vec::new();
    render_page(page, OutputFormat::Html, &mut out).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn a_page_with_every_block_prints_on_a4_without_fetching_anything() {
    let Some(chromium) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let html = write_html(dir.path(), "every-block.html", &every_block_page());
    assert_eq!(
        escrow::report::html_external_references(&std::fs::read_to_string(&html).unwrap()),
        Vec::<String>::new()
    );
    let printed = open_in_chromium(&chromium, &html);
    let count = assert_printed("every-block.html", &printed, 7..=13);
    let pages = pdf_text(&printed.pdf);
    assert_eq!(pages.len(), count);
    // The long table spans pages and its header is printed again on each of them.
    let with_rows: Vec<&String> = pages.iter().filter(|p| p.contains("row-0")).collect();
    assert!(with_rows.len() >= 2, "the table fits one page: {pages:?}");
    for p in &with_rows {
        assert!(
            p.contains("文件路径"),
            "a page of the table without its header:\n{p}"
        );
    }
    // Every row is printed (nothing cut off at a page edge), in order.
    let all = pages.concat();
    let mut at = 0;
    for i in 1..=LONG_ROWS {
        let row = format!("row-{i:03}");
        at += all[at..]
            .find(&row)
            .unwrap_or_else(|| panic!("{row} missing from the PDF"));
    }
    // The heading marked new_page starts a page of its own; the signature block follows it.
    let sign = pages
        .iter()
        .position(|p| p.contains("项目验收单"))
        .expect("signature page");
    assert!(
        pages[sign].trim_start().starts_with("项目验收单"),
        "{}",
        pages[sign]
    );
    assert!(!pages[sign].contains("表后说明") && pages[sign].contains("签字："));
    assert!(pages[sign - 1].contains("escrow check") || pages[sign - 1].contains("说明构建步骤"));
}

#[test]
fn the_checks_catch_a_page_that_fetches() {
    let Some(chromium) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sentinel = "<img src=\"http://example.invalid/x.png\">";
    // With the report's own policy: the browser blocks the image and says so on its console.
    let html = String::from_utf8({
        let mut out = Vec::new();
        render_page(&every_block_page(), OutputFormat::Html, &mut out).unwrap();
        out
    })
    .unwrap();
    let with_csp = html.replacen("<main>", &format!("<main>{sentinel}"), 1);
    assert_eq!(
        escrow::report::html_external_references(&with_csp).len(),
        1,
        "{:?}",
        escrow::report::html_external_references(&with_csp)
    );
    let a = dir.path().join("with-csp.html");
    std::fs::write(&a, with_csp).unwrap();
    // Without a policy: the request is made (and goes nowhere), and the net log shows it.
    let b = dir.path().join("without-csp.html");
    std::fs::write(
        &b,
        format!("<!doctype html><html><body><p>x</p>{sentinel}</body></html>"),
    )
    .unwrap();
    let (pa, pb) = std::thread::scope(|s| {
        let ta = s.spawn(|| open_in_chromium(&chromium, &a));
        let tb = s.spawn(|| open_in_chromium(&chromium, &b));
        (ta.join().unwrap(), tb.join().unwrap())
    });
    assert_eq!(pa.code, 0);
    let found = fetches(&pa);
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("CSP: ") && f.contains("example.invalid")),
        "{found:?}"
    );
    assert_eq!(pb.code, 0);
    let found = fetches(&pb);
    assert!(
        found
            .iter()
            .any(|f| f == "request: http://example.invalid/x.png"),
        "{found:?}"
    );
}

#[test]
fn the_check_report_prints_in_both_languages() {
    let Some(chromium) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let printed: Vec<(String, String, Printed)> = std::thread::scope(|s| {
        let handles: Vec<_> = ["zh", "en"]
            .into_iter()
            .map(|lang| {
                let (dir, chromium) = (dir.path(), &chromium);
                s.spawn(move || {
                    let out = dir.join(format!("check-{lang}.html"));
                    let run = common::escrow([
                        "check".as_ref(),
                        common::sample().as_os_str(),
                        "--manifest".as_ref(),
                        common::chaoyang().as_os_str(),
                        "--format".as_ref(),
                        "html".as_ref(),
                        "--lang".as_ref(),
                        lang.as_ref(),
                        "--output".as_ref(),
                        out.as_os_str(),
                    ]);
                    assert!(
                        run.code == 0 || run.code == 1,
                        "check --format html --lang {lang}: {}",
                        run.stderr
                    );
                    let html = std::fs::read_to_string(&out).unwrap();
                    (lang.to_owned(), html, open_in_chromium(chromium, &out))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (lang, html, p) in &printed {
        let name = format!("check --lang {lang}");
        let expected = if lang == "zh" {
            "lang=\"zh-CN\""
        } else {
            "lang=\"en\""
        };
        assert!(
            html.contains(expected),
            "{name}: {}",
            &html[..html.len().min(300)]
        );
        assert_eq!(
            escrow::report::html_external_references(html),
            Vec::<String>::new(),
            "{name}"
        );
        assert_printed(&name, p, 1..=12);
        let text = pdf_text(&p.pdf).concat();
        assert!(
            text.contains("his-sample") || text.contains("HIS"),
            "{name}: {text:.400}"
        );
    }
}
