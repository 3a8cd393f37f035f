//! Real documents made at test time, so that no binary document is committed: Word, Excel and
//! PowerPoint packages (OOXML, ECMA-376 Part 1 and 2: the fewest parts a reader opens), a PDF
//! whose Chinese and English text a text extractor reads back through its ToUnicode map
//! (ISO 32000-1 §9.7 and §9.10.3), and hostile files: a zip bomb, a PDF whose page tree refers
//! to itself, a 200 MB spreadsheet that costs no time to write.

use std::io::Write;
use std::path::Path;

/// Text made safe inside XML character data and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// A zip of `parts` ((name, content) pairs, in order), deflated.
pub fn zip_parts(parts: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        w.start_file(*name, deflated).unwrap();
        w.write_all(content.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const XML_DECL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
const RELS_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const OFFICE_DOC: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";

/// `[Content_Types].xml` with the defaults for rels and xml, and `overrides` ((part, type)).
fn content_types(overrides: &[(String, &str)]) -> String {
    let mut s = format!(
        r#"{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>"#
    );
    for (part, ty) in overrides {
        s.push_str(&format!(
            r#"<Override PartName="/{part}" ContentType="{ty}"/>"#
        ));
    }
    s.push_str("</Types>");
    s
}

/// A `.rels` part of `rels` ((id, type, target)).
fn relationships(rels: &[(String, &str, String)]) -> String {
    let mut s = format!(r#"{XML_DECL}<Relationships xmlns="{RELS_NS}">"#);
    for (id, ty, target) in rels {
        s.push_str(&format!(
            r#"<Relationship Id="{id}" Type="{ty}" Target="{target}"/>"#
        ));
    }
    s.push_str("</Relationships>");
    s
}

/// One Word paragraph: `<w:p><w:r><w:t>text</w:t></w:r></w:p>`.
fn word_paragraph(text: &str) -> String {
    format!(
        r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        xml_escape(text)
    )
}

/// A Word document (`.docx`): the `paragraphs`, then the `tables` (rows of cells, each cell
/// one paragraph), as `word/document.xml` holds them (`w:p`/`w:r`/`w:t`,
/// `w:tbl`/`w:tr`/`w:tc`).
pub fn docx(paragraphs: &[&str], tables: &[Vec<Vec<&str>>]) -> Vec<u8> {
    let mut body = String::new();
    for p in paragraphs {
        body.push_str(&word_paragraph(p));
    }
    for table in tables {
        body.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>");
        for row in table {
            body.push_str("<w:tr>");
            for cell in row {
                body.push_str("<w:tc><w:tcPr><w:tcW w:w=\"2000\" w:type=\"dxa\"/></w:tcPr>");
                body.push_str(&word_paragraph(cell));
                body.push_str("</w:tc>");
            }
            body.push_str("</w:tr>");
        }
        body.push_str("</w:tbl>");
        // Word ends a body with a paragraph after a table.
        body.push_str("<w:p/>");
    }
    let document = format!(
        r#"{XML_DECL}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    zip_parts(&[
        (
            "[Content_Types].xml",
            content_types(&[(
                "word/document.xml".into(),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            )]),
        ),
        (
            "_rels/.rels",
            relationships(&[("rId1".into(), OFFICE_DOC, "word/document.xml".into())]),
        ),
        ("word/document.xml", document),
    ])
}

/// The column letters of a 0-based column index: 0 → "A", 26 → "AA".
fn column_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// An Excel workbook (`.xlsx`) of one sheet, "Sheet1", holding `rows` of text cells (shared
/// strings, as Excel writes them).
pub fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut strings: Vec<&str> = Vec::new();
    let mut sheet = format!(
        r#"{XML_DECL}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            let index = strings.iter().position(|s| s == cell).unwrap_or_else(|| {
                strings.push(cell);
                strings.len() - 1
            });
            sheet.push_str(&format!(
                r#"<c r="{}{}" t="s"><v>{index}</v></c>"#,
                column_name(c),
                r + 1
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let mut shared = format!(
        r#"{XML_DECL}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
        strings.len()
    );
    for s in &strings {
        shared.push_str(&format!(
            r#"<si><t xml:space="preserve">{}</t></si>"#,
            xml_escape(s)
        ));
    }
    shared.push_str("</sst>");
    let workbook = format!(
        r#"{XML_DECL}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    );
    let ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    zip_parts(&[
        (
            "[Content_Types].xml",
            content_types(&[
                (
                    "xl/workbook.xml".into(),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                ),
                (
                    "xl/worksheets/sheet1.xml".into(),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
                ),
                (
                    "xl/sharedStrings.xml".into(),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
                ),
            ]),
        ),
        (
            "_rels/.rels",
            relationships(&[("rId1".into(), OFFICE_DOC, "xl/workbook.xml".into())]),
        ),
        ("xl/workbook.xml", workbook),
        (
            "xl/_rels/workbook.xml.rels",
            relationships(&[
                (
                    "rId1".into(),
                    &format!("{ns}/worksheet"),
                    "worksheets/sheet1.xml".into(),
                ),
                (
                    "rId2".into(),
                    &format!("{ns}/sharedStrings"),
                    "sharedStrings.xml".into(),
                ),
            ]),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", shared),
    ])
}

/// A PowerPoint presentation (`.pptx`): one slide per entry of `slides`, each a text box per
/// paragraph (`a:t` runs).
pub fn pptx(slides: &[Vec<&str>]) -> Vec<u8> {
    let ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let a = "http://schemas.openxmlformats.org/drawingml/2006/main";
    let p = "http://schemas.openxmlformats.org/presentationml/2006/main";
    let mut parts: Vec<(String, String)> = Vec::new();
    let mut overrides = vec![(
        "ppt/presentation.xml".to_owned(),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    )];
    let mut ids = String::new();
    let mut rels = Vec::new();
    for (i, slide) in slides.iter().enumerate() {
        let n = i + 1;
        let mut shapes = String::new();
        for (j, para) in slide.iter().enumerate() {
            shapes.push_str(&format!(
                r#"<p:sp><p:nvSpPr><p:cNvPr id="{}" name="TextBox {j}"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:rPr lang="zh-CN"/><a:t>{}</a:t></a:r></a:p></p:txBody></p:sp>"#,
                j + 2,
                xml_escape(para)
            ));
        }
        parts.push((
            format!("ppt/slides/slide{n}.xml"),
            format!(
                r#"{XML_DECL}<p:sld xmlns:a="{a}" xmlns:r="{ns}" xmlns:p="{p}"><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>{shapes}</p:spTree></p:cSld></p:sld>"#
            ),
        ));
        overrides.push((
            format!("ppt/slides/slide{n}.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.slide+xml",
        ));
        ids.push_str(&format!(r#"<p:sldId id="{}" r:id="rId{n}"/>"#, 255 + n));
        rels.push((
            format!("rId{n}"),
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide",
            format!("slides/slide{n}.xml"),
        ));
    }
    let presentation = format!(
        r#"{XML_DECL}<p:presentation xmlns:a="{a}" xmlns:r="{ns}" xmlns:p="{p}"><p:sldIdLst>{ids}</p:sldIdLst><p:sldSz cx="12192000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>"#
    );
    let mut all: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", content_types(&overrides)),
        (
            "_rels/.rels",
            relationships(&[("rId1".into(), OFFICE_DOC, "ppt/presentation.xml".into())]),
        ),
        ("ppt/presentation.xml", presentation),
        ("ppt/_rels/presentation.xml.rels", relationships(&rels)),
    ];
    all.extend(parts.iter().map(|(n, c)| (n.as_str(), c.clone())));
    zip_parts(&all)
}

/// Lines on one A4 page of [`pdf`].
const PDF_LINES_PER_PAGE: usize = 45;

/// A PDF of `lines` (Chinese and English), 45 lines a page, in a Type0 font with the
/// Identity-H encoding over a CIDFontType2 descendant (not embedded: readers substitute a
/// font), each character its own CID, and a ToUnicode CMap mapping every CID used back to
/// its code point, so a text extractor reads the lines back. Characters outside the Basic
/// Multilingual Plane are not supported.
pub fn pdf(lines: &[&str]) -> Vec<u8> {
    use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
    use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

    // One CID per distinct character, from 1 (CID 0 is .notdef).
    let mut chars: Vec<char> = Vec::new();
    for c in lines.iter().flat_map(|l| l.chars()) {
        if !chars.contains(&c) {
            chars.push(c);
        }
    }
    let cid = |c: char| chars.iter().position(|&x| x == c).unwrap() as u16 + 1;
    let info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    let catalog_id = Ref::new(1);
    let pages_id = Ref::new(2);
    let font_id = Ref::new(3);
    let cid_font_id = Ref::new(4);
    let descriptor_id = Ref::new(5);
    let cmap_id = Ref::new(6);
    let pages: Vec<&[&str]> = if lines.is_empty() {
        vec![&[]]
    } else {
        lines.chunks(PDF_LINES_PER_PAGE).collect()
    };
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(7 + 2 * i32::try_from(i).unwrap()))
        .collect();

    let mut out = Pdf::new();
    out.catalog(catalog_id).pages(pages_id);
    out.pages(pages_id)
        .kids(page_ids.iter().copied())
        .count(i32::try_from(pages.len()).unwrap());
    for (i, page_lines) in pages.iter().enumerate() {
        let content_id = Ref::new(8 + 2 * i32::try_from(i).unwrap());
        let mut page = out.page(page_ids[i]);
        page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
            .parent(pages_id)
            .contents(content_id);
        page.resources().fonts().pair(Name(b"F1"), font_id);
        page.finish();
        let mut content = Content::new();
        content.begin_text().set_font(Name(b"F1"), 12.0);
        content.next_line(56.0, 790.0);
        for (j, line) in page_lines.iter().enumerate() {
            if j > 0 {
                content.next_line(0.0, -16.0);
            }
            let encoded: Vec<u8> = line.chars().flat_map(|c| cid(c).to_be_bytes()).collect();
            content.show(Str(&encoded));
        }
        content.end_text();
        out.stream(content_id, &content.finish());
    }
    out.type0_font(font_id)
        .base_font(Name(b"SimSun"))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font_id)
        .to_unicode(cmap_id);
    out.cid_font(cid_font_id)
        .subtype(CidFontType::Type2)
        .base_font(Name(b"SimSun"))
        .system_info(info)
        .font_descriptor(descriptor_id)
        .default_width(1000.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    out.font_descriptor(descriptor_id)
        .name(Name(b"SimSun"))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(0.0, -141.0, 1000.0, 859.0))
        .italic_angle(0.0)
        .ascent(859.0)
        .descent(-141.0)
        .cap_height(683.0)
        .stem_v(80.0);
    let mut cmap = pdf_writer::types::UnicodeCmap::<u16>::new(Name(b"Custom"), info);
    for &c in &chars {
        cmap.pair(cid(c), c);
    }
    let cmap = cmap.finish();
    out.cmap(cmap_id, &cmap);
    out.finish()
}

/// A PDF written object by object: `objects` numbered from 1, with a correct cross-reference
/// table and trailer (root object 1).
pub fn raw_pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A hostile PDF: a page tree whose `Kids` name the tree itself (and a page whose `Parent` is
/// the tree, whose contents are that same tree), and an object nested 100,000 arrays deep.
/// A reader that follows references or recurses without bound never ends or overflows its
/// stack.
pub fn pdf_object_loop() -> Vec<u8> {
    let depth = 100_000;
    let mut nested = Vec::with_capacity(2 * depth + 16);
    nested.extend(std::iter::repeat_n(b'[', depth));
    nested.extend(std::iter::repeat_n(b']', depth));
    raw_pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 /Parent 2 0 R >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 2 0 R /Resources << /Font << /F1 4 0 R >> >> >>".to_vec(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts 5 0 R /ToUnicode 4 0 R >>".to_vec(),
        nested,
    ])
}

/// The uncompressed size of [`zip_bomb_docx`]'s `word/document.xml`: 1,000,000,000 bytes.
pub const ZIP_BOMB_EXPANDED: u64 = 1_000_000_000;

/// Raw deflate of `data` as non-final blocks ending on a byte boundary (a sync flush) with a
/// fresh compressor: no reference reaches before it, so copies of it can follow each other.
fn deflate_segment(data: &[u8]) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut out = Vec::with_capacity(data.len() / 100 + 64);
    loop {
        let before = c.total_in() as usize;
        out.reserve(64 << 10);
        c.compress_vec(&data[before..], &mut out, flate2::FlushCompress::Sync)
            .unwrap();
        if c.total_in() as usize == data.len() && out.capacity() > out.len() {
            break;
        }
    }
    out
}

/// A zip bomb shaped as a Word document: `word/document.xml` expands to
/// [`ZIP_BOMB_EXPANDED`] bytes (one paragraph of "门诊病历 " repeated) but the file is about
/// 1 MB. The deflate stream is one compressed 1 MB segment repeated, each segment starting
/// afresh (RFC 1951 allows a stream to be any sequence of blocks), so nothing near 1 GB is
/// ever held in memory or compressed.
pub fn zip_bomb_docx() -> Vec<u8> {
    let head = format!(
        r#"{XML_DECL}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#
    );
    let tail = "</w:t></w:r></w:p><w:sectPr/></w:body></w:document>";
    let unit = "门诊病历 ".as_bytes(); // 13 bytes
    let chunk_len = 1 << 20;
    let chunk: Vec<u8> = unit
        .iter()
        .copied()
        .cycle()
        .take(chunk_len - chunk_len % unit.len())
        .collect();
    let fixed = (head.len() + tail.len()) as u64;
    let copies = (ZIP_BOMB_EXPANDED - fixed) / chunk.len() as u64;
    let rest = (ZIP_BOMB_EXPANDED - fixed - copies * chunk.len() as u64) as usize;
    // The remainder: whole units, then spaces to reach the exact size.
    let mut last: Vec<u8> = unit
        .iter()
        .copied()
        .cycle()
        .take(rest - rest % unit.len())
        .collect();
    last.resize(rest, b' ');

    let mut crc = flate2::Crc::new();
    crc.update(head.as_bytes());
    let mut chunk_crc = flate2::Crc::new();
    chunk_crc.update(&chunk);
    for _ in 0..copies {
        crc.combine(&chunk_crc);
    }
    crc.update(&last);
    crc.update(tail.as_bytes());

    let chunk_deflated = deflate_segment(&chunk);
    let mut data = deflate_segment(head.as_bytes());
    for _ in 0..copies {
        data.extend_from_slice(&chunk_deflated);
    }
    data.extend(deflate_segment(&last));
    data.extend(deflate_segment(tail.as_bytes()));
    data.extend_from_slice(&[0x03, 0x00]); // a final, empty block (fixed Huffman)

    let types = content_types(&[(
        "word/document.xml".into(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    )]);
    let rels = relationships(&[("rId1".into(), OFFICE_DOC, "word/document.xml".into())]);
    let mut ct_crc = flate2::Crc::new();
    ct_crc.update(types.as_bytes());
    let mut rels_crc = flate2::Crc::new();
    rels_crc.update(rels.as_bytes());
    zip_raw_entries(&[
        RawEntry {
            name: "[Content_Types].xml",
            method: 0,
            data: types.as_bytes(),
            crc: ct_crc.sum(),
            size: types.len() as u32,
        },
        RawEntry {
            name: "_rels/.rels",
            method: 0,
            data: rels.as_bytes(),
            crc: rels_crc.sum(),
            size: rels.len() as u32,
        },
        RawEntry {
            name: "word/document.xml",
            method: 8,
            data: &data,
            crc: crc.sum(),
            size: u32::try_from(ZIP_BOMB_EXPANDED).unwrap(),
        },
    ])
}

/// One entry of [`zip_raw_entries`]: its bytes as stored (`method` 0) or deflated (8), with
/// the CRC-32 and size of the uncompressed data.
struct RawEntry<'a> {
    name: &'a str,
    method: u16,
    data: &'a [u8],
    crc: u32,
    size: u32,
}

/// A zip of entries whose compressed data is given as is (APPNOTE.TXT 4.3: local headers,
/// data, central directory, end record).
fn zip_raw_entries(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let header = |sig: &[u8], central: bool| {
            let mut v = sig.to_vec();
            if central {
                v.extend_from_slice(&20u16.to_le_bytes());
            }
            v.extend_from_slice(&20u16.to_le_bytes());
            v.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
            v.extend_from_slice(&e.method.to_le_bytes());
            v.extend_from_slice(&[0, 0, 0x21, 0x5c]); // time, date (2026-01-01)
            v.extend_from_slice(&e.crc.to_le_bytes());
            v.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            v.extend_from_slice(&e.size.to_le_bytes());
            v.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
            if central {
                v.extend_from_slice(&[0; 6]);
                v.extend_from_slice(&0u32.to_le_bytes());
                v.extend_from_slice(&offset.to_le_bytes());
            }
            v.extend_from_slice(e.name.as_bytes());
            v
        };
        out.extend(header(b"PK\x03\x04", false));
        out.extend_from_slice(e.data);
        central.extend(header(b"PK\x01\x02", true));
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The size of [`huge_xlsx`]'s file: 200 MB.
pub const HUGE_XLSX_BYTES: u64 = 200 << 20;

/// Write at `path` a 200 MB `.xlsx`: a real small workbook at its start, then zeros to
/// [`HUGE_XLSX_BYTES`] (`File::set_len`, a sparse file on most file systems: no time, no
/// disk).
pub fn huge_xlsx(path: &Path) {
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(&xlsx(&[vec!["依赖", "版本"]])).unwrap();
    f.set_len(HUGE_XLSX_BYTES).unwrap();
}

/// A legacy Word 97–2003 `.doc` as far as its first bytes go: the OLE compound file signature
/// and header (MS-CFB 2.2), then filler to `size` bytes. No reader here extracts its text.
pub fn legacy_doc(size: usize) -> Vec<u8> {
    let mut v = vec![0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
    v.resize(24, 0);
    v.extend_from_slice(&0x003eu16.to_le_bytes()); // minor version
    v.extend_from_slice(&0x0003u16.to_le_bytes()); // major version 3
    v.extend_from_slice(&0xfffeu16.to_le_bytes()); // byte order
    v.extend_from_slice(&9u16.to_le_bytes()); // sector shift: 512
    v.extend_from_slice(&6u16.to_le_bytes()); // mini sector shift: 64
    v.resize(512, 0xff);
    let filler = "门诊病历记录".as_bytes();
    while v.len() < size {
        v.extend_from_slice(filler);
    }
    v.truncate(size);
    v
}

/// A damaged Word document: a real `.docx` cut after half its bytes (no central directory).
pub fn damaged_docx(paragraphs: &[&str]) -> Vec<u8> {
    let mut v = docx(paragraphs, &[]);
    v.truncate(v.len() / 2);
    v
}

#[test]
fn generated_packages_hold_their_text() {
    let d = docx(
        &["数据库设计说明 t_patient"],
        &[vec![vec!["表名", "dbo.t_visit"]]],
    );
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(d)).unwrap();
    let mut doc = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut doc).unwrap();
    assert!(
        doc.contains("<w:t xml:space=\"preserve\">dbo.t_visit</w:t></w:r></w:p></w:tc>"),
        "{doc}"
    );
    assert!(doc.contains("数据库设计说明 t_patient"));
    let x = xlsx(&[vec!["依赖", "版本"], vec!["Dapper", "2.1.28"]]);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(x)).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/sharedStrings.xml").unwrap(), &mut s).unwrap();
    assert!(s.contains(">Dapper<") && s.contains(">2.1.28<"), "{s}");
    assert!(z.by_name("xl/workbook.xml").is_ok());
    let p = pptx(&[vec!["接口说明", "GET /api/ih/patients/{patientId}"]]);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(p)).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name("ppt/slides/slide1.xml").unwrap(), &mut s)
        .unwrap();
    assert!(
        s.contains("<a:t>GET /api/ih/patients/{patientId}</a:t>"),
        "{s}"
    );
    assert_eq!(column_name(0), "A");
    assert_eq!(column_name(27), "AB");
}

/// The bytes of a PDF literal string's body (ISO 32000-1 §7.3.4.2: `\ddd` octal, `\n`, …).
fn pdf_literal(body: &str) -> Vec<u8> {
    let b = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let digits = b[i + 1..]
            .iter()
            .take(3)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits > 0 {
            let text = std::str::from_utf8(&b[i + 1..i + 1 + digits]).unwrap();
            out.push(u8::from_str_radix(text, 8).unwrap());
            i += 1 + digits;
            continue;
        }
        out.push(match b[i + 1] {
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'b' => 8,
            b'f' => 12,
            c => c,
        });
        i += 2;
    }
    out
}

#[test]
fn generated_pdf_maps_every_cid_back_to_its_character() {
    // Seven characters: no CID byte that a PDF string escapes (newline, parentheses, backslash).
    let text = "数据库 t_p";
    let p = pdf(&[text]);
    assert!(p.starts_with(b"%PDF-"));
    let s = String::from_utf8_lossy(&p);
    assert!(s.contains("/Identity-H") && s.contains("/CIDFontType2") && s.contains("/ToUnicode"));
    // The shown string holds each character's CID (from 1, in order of first use) …
    let shown: Vec<u8> = [1u16, 2, 3, 4, 5, 6, 7]
        .iter()
        .flat_map(|c| c.to_be_bytes())
        .collect();
    let start = s.find("BT").unwrap();
    let operand = &s[start..];
    let operand = &operand[operand.find('(').unwrap() + 1..operand.find(") Tj").unwrap()];
    assert_eq!(pdf_literal(operand), shown, "{operand}");
    // … and the ToUnicode map gives "数" (U+6570) for CID 1.
    assert!(
        s.contains("<0001> <6570>") || s.contains("<0001><6570>"),
        "{s}"
    );
}

#[test]
fn zip_bomb_expands_to_its_stated_size_and_stays_small() {
    let bomb = zip_bomb_docx();
    assert!(bomb.len() < 3 << 20, "{} bytes", bomb.len());
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bomb)).unwrap();
    let entry = z.by_name("word/document.xml").unwrap();
    assert_eq!(entry.size(), ZIP_BOMB_EXPANDED);
    // Read the start only: a real deflate stream with the document's first bytes.
    let mut head = vec![0u8; 4096];
    std::io::Read::read_exact(&mut std::io::Read::take(entry, 4096), &mut head).unwrap();
    let head = String::from_utf8_lossy(&head);
    assert!(head.contains("<w:t>门诊病历 门诊病历 "), "{head}");
}

#[test]
fn hostile_files_are_what_they_claim() {
    let p = pdf_object_loop();
    let s = String::from_utf8_lossy(&p);
    assert!(s.contains("2 0 obj\n<< /Type /Pages /Kids [2 0 R"));
    assert!(p.windows(100_000).any(|w| w.iter().all(|&b| b == b'[')));
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("依赖库清单.xlsx");
    huge_xlsx(&x);
    assert_eq!(std::fs::metadata(&x).unwrap().len(), HUGE_XLSX_BYTES);
    let mut start = [0u8; 4];
    std::io::Read::read_exact(&mut std::fs::File::open(&x).unwrap(), &mut start).unwrap();
    assert_eq!(&start, b"PK\x03\x04");
    assert!(legacy_doc(4096).starts_with(&[0xd0, 0xcf, 0x11, 0xe0]));
    assert!(zip::ZipArchive::new(std::io::Cursor::new(damaged_docx(&["损坏"]))).is_err());
}
