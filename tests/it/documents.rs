//! `[[document]]`: a default `min-bytes` by format, and a document that is not what its
//! extension says (`document-not-a-document`), in a folder and in a streamed archive.

use crate::common::*;

fn delivery(root: &std::path::Path) {
    write(root, "docs/用户手册.docx", "plain text");
    write(
        root,
        "docs/运维手册.docx",
        ooxml(&["[Content_Types].xml", "word/document.xml"], 30),
    );
    write(
        root,
        "docs/部署手册.docx",
        ooxml(&["[Content_Types].xml", "word/document.xml"], 1000),
    );
    let lines: Vec<String> = (1..=12)
        .map(|n| format!("接口 {n}：患者信息查询，返回患者的姓名、性别、年龄和就诊记录。"))
        .collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    write(root, "docs/接口说明.pdf", crate::docgen::pdf(&lines));
    let page = format!(
        "<!DOCTYPE html><html><body>{}</body></html>",
        "设计".repeat(400)
    );
    write(root, "docs/数据库设计.doc", &page);
    write(
        root,
        "docs/需求清单.xlsx",
        ooxml(&["[Content_Types].xml", "word/document.xml"], 2000),
    );
}

const MANIFEST: &str = r#"schema-version = 1

[[document]]
id = "manual"
name = "用户手册"
paths = ["docs/*用户手册*"]

[[document]]
id = "deploy"
name = "部署手册"
paths = ["docs/*部署*"]

[[document]]
id = "api"
name = "接口说明"
paths = ["docs/*.pdf"]

[[document]]
id = "design"
name = "数据库设计说明"
paths = ["docs/*设计*"]

[[document]]
id = "requirements"
name = "需求清单"
paths = ["docs/*需求*"]

[[document]]
id = "ops"
name = "运维手册"
paths = ["docs/*运维*"]

[[document]]
id = "manual-small"
name = "用户手册（小）"
paths = ["docs/*用户手册*"]
min-bytes = 5
"#;

fn of<'a>(report: &'a serde_json::Value, code: &str, id: &str) -> Vec<&'a serde_json::Value> {
    with_code(report, code)
        .into_iter()
        .filter(|f| f["requirement"] == id)
        .collect()
}

fn assert_findings(report: &serde_json::Value, root: &std::path::Path) {
    // A real but tiny .docx is below the default for its format.
    let small = of(report, "document-too-small", "ops");
    assert_eq!(small.len(), 1, "{:?}", codes(report));
    let size = std::fs::metadata(root.join("docs/运维手册.docx"))
        .unwrap()
        .len();
    assert_eq!(
        small[0]["message"],
        format!(
            "document \"运维手册\": the largest matching file is {size} bytes, below {} bytes, the default for a .docx file (the smallest that holds a sentence; set min-bytes to change it)",
            escrow::checks::default_min_bytes("a.docx")
        )
    );
    assert!(of(report, "document-not-a-document", "ops").is_empty());
    // A 10-byte .docx is not a Word document: that is the finding, not its size.
    assert!(
        of(report, "document-too-small", "manual").is_empty(),
        "{:?}",
        codes(report)
    );
    let not = of(report, "document-not-a-document", "manual");
    assert_eq!(not.len(), 1, "{:?}", codes(report));
    assert_eq!(not[0]["severity"], "deny");
    assert_eq!(not[0]["path"], "docs/用户手册.docx");
    assert_eq!(
        not[0]["evidence"],
        serde_json::json!(["docs/用户手册.docx: plain text, 10 bytes / 纯文本，10 字节"])
    );
    assert!(
        not[0]["message"]
            .as_str()
            .unwrap()
            .contains("is not an Office .docx document but plain text, 10 bytes: ask the vendor for the real document"),
        "{}",
        not[0]["message"]
    );
    // An explicit min-bytes wins over the default; the file is still no document.
    assert!(of(report, "document-too-small", "manual-small").is_empty());
    assert_eq!(
        of(report, "document-not-a-document", "manual-small").len(),
        1
    );
    // Real documents pass.
    for id in ["deploy", "api"] {
        assert_eq!(requirement(report, id)["status"], "met", "{id}");
    }
    let html = of(report, "document-not-a-document", "design");
    assert_eq!(html.len(), 1, "{:?}", codes(report));
    let html_evidence = html[0]["evidence"][0].as_str().unwrap();
    assert!(
        html_evidence.starts_with("docs/数据库设计.doc: an HTML web page, "),
        "{html_evidence}"
    );
    let zip = of(report, "document-not-a-document", "requirements");
    assert_eq!(zip.len(), 1, "{:?}", codes(report));
    let zip_evidence = zip[0]["evidence"][0].as_str().unwrap();
    assert!(
        zip_evidence.starts_with("docs/需求清单.xlsx: a zip without xl/workbook.xml, "),
        "{zip_evidence}"
    );
}

#[test]
fn documents_have_a_default_size_by_format_and_are_what_they_say() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("delivery");
    delivery(&root);
    let m = manifest(dir.path(), MANIFEST);
    let run = check_json(&root, &m);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_findings(&run.json(), &root);
}

#[test]
fn documents_of_a_streamed_archive_are_judged_too() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("delivery");
    delivery(&root);
    let archive = dir.path().join("delivery.tar.gz");
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&archive).unwrap(),
        flate2::Compression::fast(),
    );
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all("delivery", &root).unwrap();
    tar.into_inner().unwrap().finish().unwrap();
    let m = manifest(dir.path(), MANIFEST);
    let run = check_json(&archive, &m);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_findings(&run.json(), &root);
}

#[test]
fn the_default_sizes_are_those_documented() {
    use escrow::checks::default_min_bytes;
    assert_eq!(default_min_bytes("用户手册.docx"), 900);
    assert_eq!(default_min_bytes("清单.XLSX"), 1600);
    assert_eq!(default_min_bytes("a.pdf"), 600);
    assert_eq!(default_min_bytes("a.doc"), 1536);
    assert_eq!(default_min_bytes("部署手册.md"), 1024);
}
