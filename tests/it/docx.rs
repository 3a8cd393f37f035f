//! Word output read back by an independent reader: python-docx (PyPI, 1.2.0) opens the
//! .docx files escrow writes, from the library and from the real CLI, and reports what a Word
//! user would find: the title, the headings and their styles, the tables, the header and the
//! page-number fields of the footer, the paper size and the Chinese font.
//!
//! The reader is found as `ESCROW_PYTHON` (`.ci/run` sets it to its venv), else `python3`.
//! Set `ESCROW_DOCX_OUT=DIR` to keep the files these tests write (to look at them with
//! `scripts/docx-preview.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;

use escrow::report::page::{
    BarRow, Block, Chart, Field, Mark, MarkKind, Page, Signatory, Table, Text, Tone,
};
use escrow::report::{Lang, OutputFormat, render_page};
use serde_json::Value;

use crate::common;

const NEED: &str = "python-docx is needed: python3 -m venv .venv && .venv/bin/pip install \
     python-docx==1.2.0 and set ESCROW_PYTHON=.venv/bin/python (bash .ci/run does this)";

/// A python that can `import docx`.
fn python() -> String {
    let python = std::env::var("ESCROW_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let ok = Command::new(&python)
        .args(["-c", "import docx"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "{NEED} (tried {python})");
    python
}

/// What python-docx finds in `path` (see tests/it/docx_readback.py).
fn read_back(path: &Path) -> Value {
    let script = common::repo().join("tests/it/docx_readback.py");
    let out = Command::new(python())
        .arg(script)
        .arg(path)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "python-docx could not read {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the read-back prints JSON")
}

/// Where to write a .docx: `ESCROW_DOCX_OUT` when set (kept), else the temp dir.
fn out_path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    match std::env::var_os("ESCROW_DOCX_OUT") {
        Some(keep) => {
            std::fs::create_dir_all(&keep).unwrap();
            PathBuf::from(keep).join(name)
        }
        None => dir.path().join(name),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn styled(doc: &Value, style: &str) -> Vec<String> {
    doc["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["style"] == style)
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect()
}

/// Every block kind, with text a hostile delivery could carry.
fn every_block() -> Page {
    let mut page = Page::new(Lang::Zh, "源代码托管验收报告");
    page.subtitle = Some("朝阳医院 HIS 项目".into());
    page.running_head = "验收报告 · 合同 CY-2026-001".into();
    page.generated_at = Some("2026-03-10T09:00:00Z".into());
    page.footer = "escrow 生成于 2026-03-10 17:00（北京时间）".into();
    page.heading(1, "一、验收结论");
    page.push(Block::Verdict {
        headline: "不通过".into(),
        detail: "1 项验收标准未满足。".into(),
        tone: Tone::Bad,
    });
    page.push(Block::Fields(vec![
        Field::new("合同编号", "CY-2026-001"),
        Field::new("验收人", ""),
    ]));
    page.push(Block::Heading {
        level: 1,
        text: "二、问题清单".into(),
        new_page: true,
    });
    page.heading(2, "（一）文件");
    page.push(Block::Table(Table {
        caption: Some("表 1 可疑文件".into()),
        header: vec!["路径".into(), "问题".into()],
        widths: vec![2, 1],
        rows: vec![vec![
            Text::mono("src/<script>&\u{202e}gpj.exe"),
            Text::toned("加密", Tone::Bad),
        ]],
        note: Some("只列出前 1 项。".into()),
    }));
    page.heading(3, "1. 整改要求");
    page.push(Block::List {
        ordered: true,
        items: vec!["补交构建脚本".into(), "说明加密文件".into()],
    });
    page.push(Block::Chart(Chart::Bars {
        title: "按标准统计".into(),
        legend: vec![("满足".into(), Tone::Good), ("不满足".into(), Tone::Bad)],
        rows: vec![BarRow {
            label: "① 完整性".into(),
            values: vec![3, 1],
        }],
    }));
    page.push(Block::Chart(Chart::Timeline {
        title: "时间线".into(),
        marks: vec![Mark {
            date: "2026-04-05".into(),
            label: "首次托管期限".into(),
            kind: MarkKind::Due,
            tone: Tone::Warn,
        }],
        today: None,
    }));
    page.push(Block::Code("escrow check ./delivery".into()));
    page.push(Block::Signatures(vec![Signatory {
        role: "甲方（验收方）".into(),
        name: Some("朝阳医院".into()),
        lines: vec!["签字：".into(), "日期：".into()],
    }]));
    page
}

fn assert_a4_with_page_numbers(doc: &Value, running_head: &str, footer: &str) {
    let sections = doc["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 1);
    let s = &sections[0];
    assert_eq!(
        (s["width_mm"].as_f64(), s["height_mm"].as_f64()),
        (Some(210.0), Some(297.0))
    );
    assert_eq!(strings(&s["header"]), [running_head]);
    assert_eq!(strings(&s["footer"]), [footer]);
    assert_eq!(s["footer_has_page"], true);
    assert_eq!(s["footer_has_numpages"], true);
    assert_eq!(strings(&doc["east_asia"]), ["SimSun"]);
}

#[test]
fn python_docx_reads_every_block_of_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = out_path(&dir, "every-block.docx");
    let page = every_block();
    let mut bytes = Vec::new();
    render_page(&page, OutputFormat::Docx, &mut bytes).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    let doc = read_back(&path);

    assert_eq!(doc["title"], "源代码托管验收报告");
    assert_eq!(doc["language"], "zh-CN");
    assert_eq!(doc["created"], "2026-03-10T09:00:00+00:00");
    assert_eq!(styled(&doc, "Title"), ["源代码托管验收报告"]);
    let headings: Vec<(String, String, bool)> = doc["headings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["style"].as_str().unwrap().to_owned(),
                h["text"].as_str().unwrap().to_owned(),
                h["page_break_before"].as_bool().unwrap(),
            )
        })
        .collect();
    let h = |style: &str, text: &str, brk| (style.to_owned(), text.to_owned(), brk);
    assert_eq!(
        headings,
        [
            h("Heading 1", "一、验收结论", false),
            h("Heading 1", "二、问题清单", true),
            h("Heading 2", "（一）文件", false),
            h("Heading 3", "1. 整改要求", false),
        ]
    );
    let tables: Vec<Vec<Vec<String>>> = serde_json::from_value(doc["tables"].clone()).unwrap();
    let row = |cells: &[&str]| cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        tables,
        [
            vec![row(&["不通过\n1 项验收标准未满足。"])],
            vec![row(&["合同编号", "CY-2026-001"]), row(&["验收人", ""])],
            vec![
                row(&["路径", "问题"]),
                row(&["src/<script>&\u{202e}gpj.exe", "加密"])
            ],
            vec![
                row(&["项目", "满足", "不满足"]),
                row(&["① 完整性", "3", "1"])
            ],
            vec![
                row(&["日期", "类型", "事项"]),
                row(&["2026-04-05", "期限", "首次托管期限"])
            ],
            vec![
                row(&["甲方（验收方）"]),
                row(&["朝阳医院"]),
                row(&["签字："]),
                row(&["日期："])
            ],
        ]
    );
    // Only the real tables repeat a header row on every page.
    assert_eq!(
        doc["table_header_rows"],
        serde_json::json!([0, 0, 1, 1, 1, 0])
    );
    assert_eq!(
        styled(&doc, "Caption"),
        ["表 1 可疑文件", "按标准统计", "时间线"]
    );
    assert!(styled(&doc, "Note").contains(&"只列出前 1 项。".to_owned()));
    assert_eq!(styled(&doc, "Code"), ["escrow check ./delivery"]);
    let names = strings(&doc["style_names"]);
    for style in ["Title", "Heading 1", "Heading 2", "Heading 3", "Normal"] {
        assert!(names.contains(&style.to_owned()), "{style} in {names:?}");
    }
    assert_a4_with_page_numbers(&doc, "验收报告 · 合同 CY-2026-001", "第 1 页，共 1 页");
}

#[test]
fn the_cli_writes_an_acceptance_report_python_docx_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = out_path(&dir, "check-zh.docx");
    let sample = common::sample();
    let manifest = common::chaoyang();
    let mut cmd = common::escrow_command();
    cmd.arg("check")
        .arg(&sample)
        .arg("--manifest")
        .arg(&manifest)
        .args(["--format", "docx", "--lang", "zh", "--output"])
        .arg(&path);
    let run = common::run(cmd);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.is_empty(),
        "the report goes to the file: {run:?}"
    );
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let doc = read_back(&path);

    let title = styled(&doc, "Title");
    assert_eq!(title.len(), 1, "one title: {title:?}");
    assert_eq!(doc["title"].as_str(), Some(title[0].as_str()));
    let h1 = styled(&doc, "Heading 1");
    assert!(h1.len() >= 3, "the report's chapters: {h1:?}");
    assert!(
        h1.iter().all(|h| h.contains('、')),
        "chapters numbered 一、二、…: {h1:?}"
    );
    assert!(doc["tables"].as_array().unwrap().len() >= 2, "{doc}");
    let s = &doc["sections"][0];
    assert_eq!(
        (s["width_mm"].as_f64(), s["height_mm"].as_f64()),
        (Some(210.0), Some(297.0))
    );
    assert_eq!(s["footer_has_page"], true);
    assert_eq!(s["footer_has_numpages"], true);
    assert_eq!(strings(&s["footer"]), ["第 1 页，共 1 页"]);
    assert_eq!(strings(&doc["east_asia"]), ["SimSun"]);
    assert_eq!(doc["language"], "zh-CN");
    // The fixed clock of the test is the document's date.
    assert_eq!(doc["created"], "2026-03-10T09:00:00+00:00");

    // The same check twice gives the same file.
    let again = out_path(&dir, "check-zh-again.docx");
    let mut cmd = common::escrow_command();
    cmd.arg("check")
        .arg(&sample)
        .arg("--manifest")
        .arg(&manifest)
        .args(["--format", "docx", "--lang", "zh", "--output"])
        .arg(&again);
    assert_eq!(common::run(cmd).code, 0);
    assert_eq!(std::fs::read(&again).unwrap(), bytes);
}
