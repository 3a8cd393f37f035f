//! Benchmark companion of `bench/doctext.sh`.
//!
//! `doctext_bench gen DIR N`: write N documents (docx, xlsx, pdf, md in turn; Chinese and
//! English; 10–200 KB) into DIR, keeping any already there.
//! `doctext_bench extract DIR [ESCROW_BIN]`: extract every file of DIR, in this process, or
//! through child processes of ESCROW_BIN when given; prints files, words, unreadable, seconds.
#![allow(
    clippy::print_stdout,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::format_collect
)]

use std::io::{Cursor, Write};
use std::path::Path;
use std::time::Instant;

use escrow::doctext::{self, Limits};

const ZH: &str =
    "本系统为医院信息系统的数据库设计说明，描述患者、挂号、收费、药品等业务表的结构与约束。";
const EN: &str = "The service exposes REST endpoints for registration, billing and pharmacy; each table is described below. ";

/// Paragraph `i` of a document of the given language.
fn paragraph(i: usize, zh: bool) -> String {
    let base = if zh { ZH } else { EN };
    format!("{i}. t_table_{i} {base}")
}

fn body(target: usize, zh: bool) -> Vec<String> {
    let mut paras = Vec::new();
    let mut len = 0;
    while len < target {
        let p = paragraph(paras.len(), zh);
        len += p.len();
        paras.push(p);
    }
    paras
}

fn docx(paras: &[String]) -> Vec<u8> {
    let xml: String = paras
        .iter()
        .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
        .collect();
    let doc = format!("<w:document xmlns:w=\"w\"><w:body>{xml}</w:body></w:document>");
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    w.write_all(doc.as_bytes()).unwrap();
    w.finish().unwrap().into_inner()
}

fn xlsx(paras: &[String]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, p) in paras.iter().enumerate() {
        sheet
            .write_string(r as u32, 0, format!("t_table_{r}"))
            .unwrap();
        sheet.write_string(r as u32, 1, p).unwrap();
        sheet.write_number(r as u32, 2, r as f64).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// A PDF with Type0/Identity-H text mapped by a ToUnicode CMap of the characters used.
fn pdf(paras: &[String]) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut chars: Vec<char> = paras.iter().flat_map(|p| p.chars()).collect();
    chars.sort_unstable();
    chars.dedup();
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    for chunk in chars.chunks(100).enumerate() {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.1.len()));
        for (j, c) in chunk.1.iter().enumerate() {
            let mut u = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut u)
                .iter()
                .map(|x| format!("{x:04X}"))
                .collect();
            cmap.push_str(&format!("<{:04X}> <{hex}>\n", chunk.0 * 100 + j + 1));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap end end\n");
    let cid = |c: char| chars.binary_search(&c).map_or(0, |i| i + 1);
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap.into_bytes()));
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light",
        "Encoding" => "Identity-H", "ToUnicode" => to_unicode,
    });
    let mut kids = Vec::new();
    for page_paras in paras.chunks(40) {
        let mut content = String::from("BT /F1 10 Tf 40 800 Td 12 TL\n");
        for p in page_paras {
            let hex: String = p.chars().map(|c| format!("{:04X}", cid(c))).collect();
            content.push_str(&format!("<{hex}> Tj T*\n"));
        }
        content.push_str("ET");
        let mut stream = Stream::new(dictionary! {}, content.into_bytes());
        let _ = stream.compress();
        let content_id = doc.add_object(stream);
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        });
        kids.push(page.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn generate(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let ext = ["docx", "xlsx", "pdf", "md"][i % 4];
        let path = dir.join(format!("doc{i:04}.{ext}"));
        if path.exists() {
            continue;
        }
        let zh = i % 2 == 0;
        // Text sizes spread over 10–200 KB of text; compressed formats come out smaller.
        let target = 10_000 + (i * 7919) % 190_000;
        let paras = body(target, zh);
        let bytes = match ext {
            "docx" => docx(&paras),
            "xlsx" => xlsx(&paras),
            "pdf" => pdf(&paras),
            _ => paras.join("\n\n").into_bytes(),
        };
        std::fs::write(&path, bytes).unwrap();
    }
}

fn extract(dir: &Path, exe: Option<&str>) {
    if let Some(exe) = exe {
        doctext::set_isolation(exe.into());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let limits = Limits::default();
    let started = Instant::now();
    let (mut words, mut unreadable) = (0u64, 0usize);
    for path in &entries {
        let mut f = std::fs::File::open(path).unwrap();
        let size = f.metadata().unwrap().len();
        let name = path.file_name().unwrap().to_string_lossy();
        match doctext::extract(name.as_bytes(), &mut f, size, &limits) {
            Ok(e) => words += e.words,
            Err(e) => {
                unreadable += 1;
                println!("unreadable {name}: {e}");
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "files {} words {words} unreadable {unreadable} seconds {secs:.3}",
        entries.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") => generate(Path::new(&args[2]), args[3].parse().unwrap()),
        Some("extract") => extract(Path::new(&args[2]), args.get(3).map(String::as_str)),
        _ => panic!("usage: doctext_bench gen DIR N | extract DIR [ESCROW_BIN]"),
    }
}
