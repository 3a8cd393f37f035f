//! Office Open XML packages (Word, PowerPoint: own streaming reader over `quick-xml`) and
//! workbooks (Excel, new and legacy: `calamine`), with every zip member's expansion counted.

use std::cell::Cell;
use std::io::{self, Cursor, Read};

use quick_xml::events::Event;

use super::{Format, Limits, TextSink, Unreadable};

/// The most zip members a package may have; real documents have tens to a few hundred.
const MAX_ENTRIES: usize = 10_000;

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Open a package and check what its members declare: their number and expanded sizes.
fn open<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Zip<'a>, Unreadable> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| Unreadable::Damaged(format!("not a readable zip archive: {e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(Unreadable::Damaged(format!(
            "{} members in its zip archive, more than the {MAX_ENTRIES} read",
            zip.len()
        )));
    }
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| Unreadable::Damaged(format!("zip member {i}: {e}")))?;
        declared = declared.saturating_add(entry.size());
        if declared > limits.max_expanded {
            return Err(Unreadable::Bomb {
                limit: limits.max_expanded,
            });
        }
    }
    Ok(zip)
}

/// A reader counting the bytes it yields against a budget shared by all members; past it, an
/// error, and `over` set.
struct Counted<'a, R> {
    inner: R,
    used: &'a Cell<u64>,
    limit: u64,
    over: &'a Cell<bool>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let used = self.used.get().saturating_add(n as u64);
        self.used.set(used);
        if used > self.limit {
            self.over.set(true);
            return Err(io::Error::other("expanded past the limit"));
        }
        Ok(n)
    }
}

/// The members holding a Word document's or a presentation's text, in reading order.
fn text_parts(zip: &Zip<'_>, format: Format) -> Vec<String> {
    let names: Vec<&str> = zip.file_names().collect();
    let numbered = |prefix: &str| {
        let mut parts: Vec<(u64, String)> = names
            .iter()
            .filter_map(|n| {
                let num = n.strip_prefix(prefix)?.strip_suffix(".xml")?;
                Some((num.parse().ok()?, (*n).to_owned()))
            })
            .collect();
        parts.sort();
        parts.into_iter().map(|(_, n)| n)
    };
    if format == Format::Docx {
        let mut parts = vec!["word/document.xml".to_owned()];
        parts.extend(numbered("word/header"));
        parts.extend(numbered("word/footer"));
        parts.extend([
            "word/footnotes.xml".to_owned(),
            "word/endnotes.xml".to_owned(),
        ]);
        parts.retain(|p| names.contains(&p.as_str()));
        parts
    } else {
        numbered("ppt/slides/slide").collect()
    }
}

/// Text of a `.docx` or `.pptx`: `w:t`/`a:t` runs; paragraph and row ends as newlines, table
/// cells and tabs as tabs.
pub(super) fn read_package(
    format: Format,
    bytes: &[u8],
    limits: &Limits,
    out: &mut TextSink,
) -> Result<(), Unreadable> {
    let mut zip = open(bytes, limits)?;
    let parts = text_parts(&zip, format);
    if format == Format::Docx && parts.first().is_none_or(|p| p != "word/document.xml") {
        return Err(Unreadable::Damaged(
            "no word/document.xml in the package".to_owned(),
        ));
    }
    let used = Cell::new(0u64);
    let over = Cell::new(false);
    for part in parts {
        if out.full() {
            break;
        }
        let entry = zip
            .by_name(&part)
            .map_err(|e| Unreadable::Damaged(format!("{part}: {e}")))?;
        let counted = Counted {
            inner: entry,
            used: &used,
            limit: limits.max_expanded,
            over: &over,
        };
        let result = read_xml_text(io::BufReader::new(counted), out);
        if over.get() {
            return Err(Unreadable::Bomb {
                limit: limits.max_expanded,
            });
        }
        result.map_err(|e| Unreadable::Damaged(format!("{part}: {e}")))?;
    }
    Ok(())
}

/// Whether a `w:vanish` element hides its run: unless its `w:val` is "0", "false" or "off".
fn hides(e: &quick_xml::events::BytesStart<'_>) -> bool {
    !e.attributes()
        .flatten()
        .any(|a| a.key.local_name().as_ref() == "val" && matches!(&*a.value, "0" | "false" | "off"))
}

/// Stream one XML part, keeping only text runs: memory is one event (at most the part). Runs
/// marked hidden (`w:vanish`, ECMA-376 Part 1 §17.3.2.41: not shown or printed by Word) are
/// left out: text a reader of the document cannot see documents nothing.
fn read_xml_text<R: io::BufRead>(source: R, out: &mut TextSink) -> Result<(), quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_reader(source);
    let mut buf = Vec::new();
    let mut in_text = false;
    let mut hidden = false;
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" => in_text = !hidden,
                "r" => {
                    in_text = false;
                    hidden = false;
                }
                "vanish" => hidden = hides(&e),
                _ => in_text = false,
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => out.push_char('\t'),
                "br" | "cr" => out.push_char('\n'),
                "vanish" => hidden = hides(&e),
                _ => {}
            },
            Event::End(e) => {
                in_text = false;
                if e.local_name().as_ref() == "r" {
                    hidden = false;
                }
                match e.local_name().as_ref() {
                    "p" | "tr" => out.push_char('\n'),
                    "tc" => out.push_char('\t'),
                    _ => {}
                }
            }
            Event::Text(t) if in_text => out.push(&t.xml10_content()),
            Event::CData(t) if in_text => out.push(t.as_ref()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push_char(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    out.push(s);
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        if out.full() {
            return Ok(());
        }
        buf.clear();
    }
}

/// Every sheet's cells of a workbook (`.xlsx` through its zip members, counted first; legacy
/// `.xls`/`.et` directly), a row a line, cells separated by tabs.
pub(super) fn read_workbook(
    format: Format,
    bytes: &[u8],
    limits: &Limits,
    out: &mut TextSink,
) -> Result<(), Unreadable> {
    use calamine::Reader as _;
    if format == Format::Xlsx {
        expand_all(bytes, limits)?;
    }
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        let msg = e.to_string();
        if msg.to_ascii_lowercase().contains("password") || msg.contains("ncrypt") {
            Unreadable::Encrypted
        } else {
            Unreadable::Damaged(format!("not a readable workbook: {msg}"))
        }
    })?;
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        for row in range.rows() {
            for cell in row.iter().filter(|c| !matches!(c, calamine::Data::Empty)) {
                out.push(&cell.to_string());
                out.push_char('\t');
            }
            out.push_char('\n');
            if out.full() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Decompress every member once, discarding the bytes, to find a package whose members lie
/// about their size before a reader without a bound expands them.
fn expand_all(bytes: &[u8], limits: &Limits) -> Result<(), Unreadable> {
    let mut zip = open(bytes, limits)?;
    let used = Cell::new(0u64);
    let over = Cell::new(false);
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| Unreadable::Damaged(format!("zip member {i}: {e}")))?;
        let mut counted = Counted {
            inner: entry,
            used: &used,
            limit: limits.max_expanded,
            over: &over,
        };
        let result = io::copy(&mut counted, &mut io::sink());
        if over.get() {
            return Err(Unreadable::Bomb {
                limit: limits.max_expanded,
            });
        }
        result.map_err(|e| Unreadable::Damaged(format!("zip member {i}: {e}")))?;
    }
    Ok(())
}
