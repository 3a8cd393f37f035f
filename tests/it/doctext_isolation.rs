//! Document text read in a child process: the binary's hidden extraction argument, hostile
//! PDFs through the isolated path, and a huge file refused without being read.

use std::io::{Cursor, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use escrow::doctext::{self, Extracted, Format, Limits, Unreadable};

fn exe() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_escrow"))
}

/// A PDF from numbered object bodies (object 1 is the catalog), with a correct xref table.
fn raw_pdf(objects: &[String]) -> Vec<u8> {
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
    let trailer = format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend(trailer.into_bytes());
    out
}

fn hostile_pdfs() -> Vec<(&'static str, Vec<u8>)> {
    let catalog = "<< /Type /Catalog /Pages 2 0 R >>".to_owned();
    let page = |extra: &str| format!("<< /Type /Page /Parent 2 0 R /Contents 4 0 R {extra} >>");
    let content = "<< /Length 0 >>\nstream\n\nendstream".to_owned();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let kids = |k: &str| format!("<< /Type /Pages /Kids [{k}] /Count 1 >>");
    vec![
        (
            "kids loop",
            raw_pdf(&[
                catalog.clone(),
                kids("2 0 R 3 0 R"),
                page(""),
                content.clone(),
            ]),
        ),
        (
            "deep array",
            raw_pdf(&[
                catalog.clone(),
                kids("3 0 R"),
                page(&format!("/Deep {deep}")),
                content,
            ]),
        ),
        (
            "reference loop",
            raw_pdf(&[
                catalog,
                kids("3 0 R"),
                page("/Resources 5 0 R"),
                "5 0 R".to_owned(),
                "4 0 R".to_owned(),
            ]),
        ),
    ]
}

/// Run the hidden argument with a request header for `name`, `size` and `limits`, then `body`
/// as its standard input; the parsed reply and how long it took.
fn child(
    name: &str,
    size: u64,
    limits: &Limits,
    body: Stdio,
    prefix_header: bool,
) -> (Result<Extracted, Unreadable>, Duration) {
    let header = serde_json::json!({
        "name": name.as_bytes(), "size": size, "max_input": limits.max_input,
        "max_expanded": limits.max_expanded, "max_text": limits.max_text,
        "timeout_ms": limits.timeout.as_millis() as u64,
    });
    let started = Instant::now();
    let mut cmd = Command::new(exe());
    cmd.arg(doctext::CHILD_ARG).stdout(Stdio::piped());
    let out = if prefix_header {
        let mut c = cmd.stdin(Stdio::piped()).spawn().unwrap();
        let mut stdin = c.stdin.take().unwrap();
        writeln!(stdin, "{header}").unwrap();
        drop(stdin);
        c.wait_with_output().unwrap()
    } else {
        // The header is the first line of the file given as standard input.
        cmd.stdin(body).output().unwrap()
    };
    assert!(out.status.success(), "{out:?}");
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        started.elapsed(),
    )
}

#[test]
fn hidden_argument_refuses_a_huge_workbook_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits::default();
    // A 200 MB .xlsx: a zip local header, then a hole. The request header comes first.
    let path = dir.path().join("big.xlsx");
    let header = serde_json::json!({
        "name": b"big.xlsx", "size": 200u64 << 20, "max_input": limits.max_input,
        "max_expanded": limits.max_expanded, "max_text": limits.max_text, "timeout_ms": 10_000,
    });
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "{header}").unwrap();
    f.write_all(b"PK\x03\x04").unwrap();
    f.set_len(200 << 20).unwrap();
    drop(f);
    let file = std::fs::File::open(&path).unwrap();
    let (got, took) = child("big.xlsx", 200 << 20, &limits, Stdio::from(file), false);
    assert_eq!(
        got.unwrap_err(),
        Unreadable::TooLarge {
            size: 200 << 20,
            limit: limits.max_input
        }
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn hidden_argument_answers_an_empty_document() {
    let (got, _) = child("a.txt", 0, &Limits::default(), Stdio::null(), true);
    let got = got.unwrap();
    assert_eq!(
        (got.format, got.words, got.text.as_str()),
        (Format::Text, 0, "")
    );
}

#[test]
fn isolated_extraction_reads_documents_and_survives_hostile_pdfs() {
    doctext::set_isolation(exe());
    let limits = Limits {
        timeout: Duration::from_secs(5),
        ..Limits::default()
    };
    // A real document comes back whole through the child.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    w.write_all("<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>系统部署说明 deploy</w:t></w:r></w:p></w:body></w:document>".as_bytes()).unwrap();
    let docx = w.finish().unwrap().into_inner();
    let got = doctext::extract(b"a.docx", &mut &docx[..], docx.len() as u64, &limits).unwrap();
    assert_eq!((got.text.as_str(), got.words), ("系统部署说明 deploy\n", 7));
    for (what, pdf) in hostile_pdfs() {
        let started = Instant::now();
        let got = doctext::extract(b"h.pdf", &mut &pdf[..], pdf.len() as u64, &limits);
        assert!(started.elapsed() < Duration::from_secs(8), "{what}");
        assert!(
            got.as_ref().map_or(true, |e| e.words == 0),
            "{what}: {got:?}"
        );
    }
}
