//! Readers tried on documents made here, with the crates vendors' tools resemble.

use std::fmt::Write as _;
use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use super::*;

pub(super) fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, data) in parts {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

fn para(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

/// A Word document: paragraphs, then a table with the given cells (one row).
pub(super) fn docx(paras: &[&str], cells: &[&str]) -> Vec<u8> {
    let mut body: String = paras.iter().map(|p| para(p)).collect();
    body.push_str("<w:tbl><w:tr>");
    for c in cells {
        body.push_str(&format!("<w:tc>{}</w:tc>", para(c)));
    }
    body.push_str("</w:tr></w:tbl>");
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document {W}><w:body>{body}</w:body></w:document>"
    );
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", doc.as_bytes()),
    ])
}

fn read(name: &str, bytes: &[u8]) -> Result<Extracted, Unreadable> {
    extract(
        name.as_bytes(),
        &mut &bytes[..],
        bytes.len() as u64,
        &Limits::default(),
    )
}

#[test]
fn formats_by_extension() {
    assert_eq!(Format::of(b"docs/A.DOCX"), Some(Format::Docx));
    assert_eq!(Format::of(b"x.et"), Some(Format::Xls));
    assert_eq!(Format::of(b"x.wps"), Some(Format::Doc));
    assert_eq!(Format::of("设计.Md".as_bytes()), Some(Format::Markdown));
    assert_eq!(Format::of(b"a.png"), None);
    assert_eq!(Format::of(b"noext"), None);
}

#[test]
fn docx_paragraphs_and_table_cells() {
    let bytes = docx(
        &["数据库设计说明 &amp; overview", "第二段"],
        &["t_patient", "患者表"],
    );
    let got = read("d.docx", &bytes).unwrap();
    assert_eq!(got.format, Format::Docx);
    assert!(
        got.text.contains("数据库设计说明 & overview\n第二段\n"),
        "{:?}",
        got.text
    );
    assert!(got.text.contains("t_patient\n\t患者表"), "{:?}", got.text);
    assert_eq!(got.words, word_count(&got.text));
    assert!(got.words >= 14);
}

#[test]
fn hidden_word_text_is_not_text() {
    // `w:vanish` hides a run in Word (not shown, not printed); `w:val="0"` shows it again.
    let body = "<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>t_hidden</w:t></w:r><w:r><w:t>t_shown</w:t></w:r></w:p>\
         <w:p><w:r><w:rPr><w:vanish w:val=\"0\"/></w:rPr><w:t>t_unhidden</w:t></w:r></w:p>";
    let doc = format!("<w:document {W}><w:body>{body}</w:body></w:document>");
    let bytes = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", doc.as_bytes()),
    ]);
    let got = read("d.docx", &bytes).unwrap();
    assert!(!got.text.contains("t_hidden"), "{:?}", got.text);
    assert!(got.text.contains("t_shown"), "{:?}", got.text);
    assert!(got.text.contains("t_unhidden"), "{:?}", got.text);
}

#[test]
fn markdown_comments_are_not_text() {
    let md = "# 数据库设计\n\nt_shown 患者表\n<!-- t_hidden -->\n<!-- 未闭合 t_unclosed";
    let got = read("设计.md", md.as_bytes()).unwrap();
    assert!(got.text.contains("t_shown"), "{:?}", got.text);
    assert!(!got.text.contains("t_hidden"), "{:?}", got.text);
    assert!(!got.text.contains("t_unclosed"), "{:?}", got.text);
}

#[test]
fn hidden_html_is_not_text() {
    let html = "<html><body><p>t_shown</p>\
        <div style=\"display: none\"><div>t_hidden</div> t_hidden2</div>\
        <span hidden>t_hidden3</span><p style=\"visibility:hidden\">t_hidden4</p>\
        <p>t_after</p><input hidden-field=\"x\"><p>t_last</p></body></html>";
    let got = read("接口.html", html.as_bytes()).unwrap();
    for shown in ["t_shown", "t_after", "t_last"] {
        assert!(got.text.contains(shown), "{shown}: {:?}", got.text);
    }
    for hidden in ["t_hidden", "t_hidden2", "t_hidden3", "t_hidden4"] {
        assert!(
            !got.text.split_whitespace().any(|w| w == hidden),
            "{hidden}: {:?}",
            got.text
        );
    }
}

#[test]
fn pptx_slides_in_order() {
    let slide = |t: &str| {
        format!("<p:sld xmlns:a=\"a\" xmlns:p=\"p\"><a:p><a:r><a:t>{t}</a:t></a:r></a:p></p:sld>")
    };
    let (s1, s10, s2) = (slide("第一页 intro"), slide("tenth"), slide("second"));
    let bytes = zip_of(&[
        ("ppt/slides/slide10.xml", s10.as_bytes()),
        ("ppt/slides/slide1.xml", s1.as_bytes()),
        ("ppt/slides/slide2.xml", s2.as_bytes()),
    ]);
    let got = read("p.pptx", &bytes).unwrap();
    assert_eq!(got.text, "第一页 intro\nsecond\ntenth\n");
}

#[test]
fn docx_that_is_not_a_zip_is_damaged() {
    let err = read("d.docx", b"just some text, renamed").unwrap_err();
    assert!(
        matches!(&err, Unreadable::Damaged(m) if m.contains("not a zip")),
        "{err:?}"
    );
}

#[test]
fn encrypted_ooxml_is_encrypted() {
    let mut bytes = OLE_MAGIC.to_vec();
    bytes.resize(512, 0);
    bytes.extend(utf16le("EncryptionInfo"));
    assert_eq!(read("d.docx", &bytes).unwrap_err(), Unreadable::Encrypted);
    bytes.truncate(512);
    assert_eq!(
        read("d.doc", &bytes).unwrap_err(),
        Unreadable::Unsupported("doc".to_owned())
    );
    assert_eq!(
        read("d.wps", &bytes).unwrap_err(),
        Unreadable::Unsupported("wps".to_owned())
    );
}

#[test]
fn xlsx_cells_of_every_sheet() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet();
    s.write_string(0, 0, "表名").unwrap();
    s.write_string(1, 0, "t_order").unwrap();
    s.write_number(1, 1, 42).unwrap();
    let s2 = book.add_worksheet();
    s2.write_string(3, 2, "second sheet 中文").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let got = read("b.xlsx", &bytes).unwrap();
    for want in ["表名", "t_order\t42", "second sheet 中文"] {
        assert!(got.text.contains(want), "{want} in {:?}", got.text);
    }
}

/// A one-page PDF whose text is shown in a Type0 font with Identity-H encoding (two-byte
/// CIDs) and mapped back through a ToUnicode CMap, as Chinese office tools write it.
pub(super) fn pdf_cjk(text: &str) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let chars: Vec<char> = text.chars().collect();
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CMapName /Custom def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    cmap.push_str(&format!("{} beginbfchar\n", chars.len()));
    for (i, c) in chars.iter().enumerate() {
        let mut u = [0u16; 2];
        let hex = c
            .encode_utf16(&mut u)
            .iter()
            .fold(String::new(), |mut h, x| {
                let _ = write!(h, "{x:04X}");
                h
            });
        cmap.push_str(&format!("<{:04X}> <{hex}>\n", i + 1));
    }
    cmap.push_str("endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end\n");
    let cids = (1..=chars.len()).fold(String::new(), |mut h, i| {
        let _ = write!(h, "{i:04X}");
        h
    });
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap.into_bytes()));
    let descendant = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => "STSong-Light",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
    });
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light",
        "Encoding" => "Identity-H", "DescendantFonts" => vec![descendant.into()],
        "ToUnicode" => to_unicode,
    });
    let content = format!("BT /F1 12 Tf 72 700 Td <{cids}> Tj ET");
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn pdf_cjk_through_to_unicode() {
    let got = read("设计.pdf", &pdf_cjk("数据库设计 t_patient 表")).unwrap();
    assert_eq!(got.format, Format::Pdf);
    assert!(
        got.text.contains("数据库设计 t_patient 表"),
        "{:?}",
        got.text
    );
}

#[test]
fn pdf_without_header_is_damaged() {
    assert!(matches!(
        read("a.pdf", b"<html>no</html>"),
        Err(Unreadable::Damaged(_))
    ));
}

/// A PDF from numbered object bodies (object 1 is the catalog), with a correct xref table.
pub(super) fn raw_pdf(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).into_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").into_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    out
}

/// PDFs whose object graphs loop or nest without a sensible end.
pub(super) fn hostile_pdfs() -> Vec<(&'static str, Vec<u8>)> {
    let page = |extra: &str| format!("<< /Type /Page /Parent 2 0 R /Contents 4 0 R {extra} >>");
    let content = "<< /Length 0 >>\nstream\n\nendstream".to_owned();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    vec![
        (
            "kids loop",
            raw_pdf(&[
                "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
                "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>".to_owned(),
                page(""),
                content.clone(),
            ]),
        ),
        (
            "deep array",
            raw_pdf(&[
                "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
                page(&format!("/Deep {deep}")),
                content,
            ]),
        ),
        (
            "reference loop",
            raw_pdf(&[
                "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
                page("/Resources 5 0 R"),
                "5 0 R".to_owned(),
                "4 0 R".to_owned(),
            ]),
        ),
    ]
}

#[test]
fn hostile_pdfs_end_unreadable_in_bounded_time() {
    for (what, bytes) in hostile_pdfs() {
        let started = Instant::now();
        let result = std::thread::Builder::new()
            .stack_size(512 << 20)
            .spawn(move || read("h.pdf", &bytes))
            .unwrap()
            .join()
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(20), "{what}");
        assert!(
            result.as_ref().map_or(true, |e| e.words == 0),
            "{what}: {result:?}"
        );
    }
}

#[test]
fn text_in_gbk_and_utf16() {
    let (gbk, _, _) = encoding_rs::GBK.encode("需求说明：挂号模块\n");
    let got = read("a.txt", &gbk).unwrap();
    assert_eq!(got.text, "需求说明：挂号模块\n");
    assert_eq!(got.encoding.as_deref(), Some("GB18030/GBK"));
    assert_eq!(got.words, 8);
    let utf16: Vec<u8> = "接口文档 API v2\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let got = read("b.md", &utf16).unwrap();
    assert_eq!(got.text, "接口文档 API v2\n");
    assert_eq!(got.encoding.as_deref(), Some("UTF-16LE"));
    let mut bom = vec![0xFF, 0xFE];
    bom.extend(&utf16);
    assert_eq!(
        read("b.txt", &bom).unwrap().encoding.as_deref(),
        Some("UTF-16LE (BOM)")
    );
}

#[test]
fn rtf_unicode_and_code_page_bytes() {
    let (gbk, _, _) = encoding_rs::GBK.encode("部署");
    let hex = gbk.iter().fold(String::new(), |mut h, b| {
        let _ = write!(h, "\\'{b:02x}");
        h
    });
    let rtf = format!(
        "{{\\rtf1\\ansi\\ansicpg936{{\\fonttbl{{\\f0 SimSun;}}}}{{\\*\\generator Writer;}}\\f0 \\u25968?\\u25454?\\uc2\\u24211??\\par {hex}Guide\\tab end}}"
    );
    let got = read("a.rtf", rtf.as_bytes()).unwrap();
    assert_eq!(got.text, "数据库\n部署Guide\tend");
    let as_doc = read("a.doc", rtf.as_bytes()).unwrap();
    assert_eq!((as_doc.format, as_doc.text), (Format::Rtf, got.text));
}

#[test]
fn html_entities_without_scripts() {
    let html = "<html><head><title>t</title><style>p{}</style></head><body><p>接口&nbsp;&amp;&#20013;&#x6587; &lt;API&gt;</p><script>var hidden = 'secret';</script><table><tr><td>a</td><td>b</td></tr></table></body></html>";
    let got = read("a.htm", html.as_bytes()).unwrap();
    assert!(got.text.contains("接口\u{a0}&中文 <API>"), "{:?}", got.text);
    assert!(got.text.contains("a\tb\t"), "{:?}", got.text);
    assert!(
        !got.text.contains("hidden") && !got.text.contains("p{}"),
        "{:?}",
        got.text
    );
}

#[test]
fn too_large_is_refused_before_reading() {
    struct Untouchable;
    impl std::io::Read for Untouchable {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            panic!("read although too large")
        }
    }
    let limits = Limits {
        max_input: 1000,
        ..Limits::default()
    };
    let got = extract(b"a.xlsx", &mut Untouchable, 200 << 20, &limits);
    assert_eq!(
        got.unwrap_err(),
        Unreadable::TooLarge {
            size: 200 << 20,
            limit: 1000
        }
    );
    // A file longer than it said is cut at the limit and refused too.
    let long = vec![b'a'; 2000];
    let got = extract(b"a.txt", &mut &long[..], 10, &limits);
    assert!(matches!(got, Err(Unreadable::TooLarge { .. })));
}

#[test]
fn text_is_cut_at_the_limit_on_a_character_boundary() {
    let limits = Limits {
        max_text: 10,
        ..Limits::default()
    };
    let text = "中文中文中文".as_bytes();
    let got = extract(b"a.txt", &mut &text[..], text.len() as u64, &limits).unwrap();
    assert!(got.truncated);
    assert_eq!(got.text, "中文中");
}

#[test]
fn zip_bomb_declared_is_refused_quickly() {
    // 64 MiB of one character compresses to about 64 KiB.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().large_file(true);
    w.start_file("word/document.xml", opts).unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..64 {
        w.write_all(&chunk).unwrap();
    }
    let bytes = w.finish().unwrap().into_inner();
    assert!(bytes.len() < 1 << 20);
    let limits = Limits {
        max_expanded: 16 << 20,
        ..Limits::default()
    };
    let started = Instant::now();
    let got = extract(b"b.docx", &mut &bytes[..], bytes.len() as u64, &limits);
    assert_eq!(got.unwrap_err(), Unreadable::Bomb { limit: 16 << 20 });
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// Set every size field of the zip (local headers and central directory) to `size`.
fn lie_about_sizes(bytes: &mut [u8], size: u32) {
    for (sig, at) in [(b"PK\x03\x04", 22usize), (b"PK\x01\x02", 24)] {
        let hits: Vec<usize> = memchr::memmem::find_iter(bytes, sig).collect();
        for h in hits {
            bytes[h + at..h + at + 4].copy_from_slice(&size.to_le_bytes());
        }
    }
}

#[test]
fn zip_bomb_with_lying_sizes_is_stopped_while_reading() {
    let big = format!(
        "<w:document {W}><w:body>{}</w:body></w:document>",
        para(&"x".repeat(8 << 20))
    );
    for name in ["a.docx", "a.xlsx"] {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        let part = if name == "a.docx" {
            "word/document.xml"
        } else {
            "xl/workbook.xml"
        };
        w.start_file(part, opts).unwrap();
        w.write_all(big.as_bytes()).unwrap();
        let mut bytes = w.finish().unwrap().into_inner();
        lie_about_sizes(&mut bytes, 100);
        let limits = Limits {
            max_expanded: 1 << 20,
            ..Limits::default()
        };
        let got = extract(
            name.as_bytes(),
            &mut &bytes[..],
            bytes.len() as u64,
            &limits,
        );
        assert!(
            matches!(got, Err(Unreadable::Bomb { .. } | Unreadable::Damaged(_))),
            "{name}: {got:?}"
        );
    }
}

#[test]
fn counting_words() {
    assert_eq!(
        word_count("数据库设计 v2.1 for HIS-系统。"),
        5 + 2 + 1 + 1 + 2
    );
    assert_eq!(word_count("カタカナ 한국"), 6);
    assert_eq!(word_count("，。！…"), 0);
    assert_eq!(word_count(""), 0);
}

#[test]
fn template_phrases_found_and_lue_only_alone() {
    let text =
        "第一章 待补充\n本节（略）\n略\n安全策略与省略号\nTODO: x, TODOS, tbd\nLorem Ipsum dolor\n";
    let got = template_phrases(text);
    assert_eq!(
        got,
        vec![
            ("待补充", 1),
            ("lorem ipsum", 1),
            ("TBD", 1),
            ("TODO", 1),
            ("略", 2)
        ]
    );
    assert!(template_phrases("采用分层策略，概略如下。").is_empty());
}
